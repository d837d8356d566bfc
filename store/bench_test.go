package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patron-crm/patron/model"
)

// Benchmarks of the store's hot paths, beside bare bbolt doing the least it
// can, so a figure always comes with its floor from the same run:
//
//	go test ./store -run='^$' -bench='SaveInteraction|BareBolt|OpenReadClose|OpenCustomerTimeline|LogFirstPage' -benchtime=200x
//
// On a shared disk fsync times swing from run to run: the ratio to trust is
// BenchmarkSaveInteractionVsBare's, which alternates the two in one loop.
// PATRON_BENCH_INTERACTIONS=1000000 sizes the log for BenchmarkLogFirstPage.

// benchShop is a data file with customers and a busy customer.
type benchShop struct {
	s         *Store
	customers []model.ID
	busy      model.ID // has busyInteractions interactions
}

const (
	benchCustomers    = 200
	benchPerCustomer  = 5
	busyInteractions  = 2000
	benchLoadPerBatch = 20000
)

// newBenchShop builds the file directly in a few transactions (not one
// change per record), with aggregates computed as the store computes them.
func newBenchShop(b *testing.B, extraInteractions int) benchShop {
	b.Helper()
	s := openTestStore(b, filepath.Join(b.TempDir(), "patron.db"), "bench")
	var sh benchShop
	sh.s = s
	loc := time.UTC
	st, _ := s.Settings()
	loc = st.Location()
	load := func(fn func(w *wtx) error) {
		err := s.rawUpdate(func(tx *bolt.Tx) error {
			return fn(&wtx{tx: tx, now: testNow, change: &Change{}, touched: map[string]bool{}})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	addInteractions := func(w *wtx, c model.ID, n, offset int) error {
		for j := range n {
			seq, err := w.bucket(bInteractions).NextSequence()
			if err != nil {
				return err
			}
			in := model.Interaction{ID: model.ID(seq), Customer: c, Kind: model.KindPurchase, Amount: model.Money(100 + j),
				At: testNow.Add(-time.Duration(offset+j) * 37 * time.Minute), Note: "bought tulips"}
			normalizeInteraction(&in)
			if err := putInteraction(w, &in); err != nil {
				return err
			}
		}
		return nil
	}
	load(func(w *wtx) error {
		for i := range benchCustomers + 1 {
			seq, err := w.bucket(bCustomers).NextSequence()
			if err != nil {
				return err
			}
			c := model.Customer{ID: model.ID(seq), Name: fmt.Sprint("Customer ", i), Email: fmt.Sprintf("c%d@example.com", i),
				Phone: fmt.Sprintf("555 %04d", i), Status: model.StatusActive, Created: testNow, Updated: testNow}
			if err := putCustomer(w, nil, &c); err != nil {
				return err
			}
			n := benchPerCustomer
			if i == benchCustomers {
				n, sh.busy = busyInteractions, c.ID
			} else {
				sh.customers = append(sh.customers, c.ID)
			}
			if err := addInteractions(w, c.ID, n, i); err != nil {
				return err
			}
			if _, err := recomputeStats(w, c.ID, loc); err != nil {
				return err
			}
		}
		return nil
	})
	// A bigger log, spread over the customers, in batches.
	for done := 0; done < extraInteractions; done += benchLoadPerBatch {
		load(func(w *wtx) error {
			n := min(benchLoadPerBatch, extraInteractions-done)
			for k := range benchCustomers {
				if err := addInteractions(w, sh.customers[k], n/benchCustomers, done/benchCustomers+benchPerCustomer); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if extraInteractions > 0 {
		load(func(w *wtx) error {
			for _, id := range sh.customers {
				if _, err := recomputeStats(w, id, loc); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return sh
}

func BenchmarkSaveInteraction(b *testing.B) {
	sh := newBenchShop(b, 0)
	b.ResetTimer()
	for i := range b.N {
		in := model.Interaction{Customer: sh.customers[i%len(sh.customers)], Kind: model.KindPurchase, Amount: 2490, At: testNow.Add(-time.Duration(i) * time.Second)}
		if _, err := sh.s.AddInteraction(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSaveInteractionBusyCustomer saves for a customer with 2,000
// interactions: the aggregates are recomputed from all of them.
func BenchmarkSaveInteractionBusyCustomer(b *testing.B) {
	sh := newBenchShop(b, 0)
	b.ResetTimer()
	for i := range b.N {
		in := model.Interaction{Customer: sh.busy, Kind: model.KindPurchase, Amount: 2490, At: testNow.Add(-time.Duration(i) * time.Second)}
		if _, err := sh.s.AddInteraction(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBareBoltSyncedUpdate is the floor: one open bbolt file, one small
// key per durable transaction.
func BenchmarkBareBoltSyncedUpdate(b *testing.B) {
	db, err := bolt.Open(filepath.Join(b.TempDir(), "bare.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	value := make([]byte, 200)
	b.ResetTimer()
	for i := range b.N {
		err := db.Update(func(tx *bolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists([]byte("b"))
			if err != nil {
				return err
			}
			return bk.Put(u64(uint64(i)), value)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBareBoltOpenUpdateClose is the floor of our design: the file is
// opened and closed around every durable transaction.
func BenchmarkBareBoltOpenUpdateClose(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bare.db")
	value := make([]byte, 200)
	b.ResetTimer()
	for i := range b.N {
		db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		err = db.Update(func(tx *bolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists([]byte("b"))
			if err != nil {
				return err
			}
			return bk.Put(u64(uint64(i)), value)
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenReadClose(b *testing.B) {
	sh := newBenchShop(b, 0)
	b.ResetTimer()
	for i := range b.N {
		if _, err := sh.s.Customer(sh.customers[i%len(sh.customers)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenCustomerTimeline reads the timeline of a customer with 2,000
// interactions (issue 9: under 10 ms).
func BenchmarkOpenCustomerTimeline(b *testing.B) {
	sh := newBenchShop(b, 0)
	b.ResetTimer()
	for range b.N {
		list, err := sh.s.Interactions(sh.busy)
		if err != nil {
			b.Fatal(err)
		}
		if len(list) != busyInteractions {
			b.Fatalf("%d interactions", len(list))
		}
	}
}

// BenchmarkLogFirstPage reads the Log tab's first page (issue 9: under
// 10 ms at a million interactions; set PATRON_BENCH_INTERACTIONS=1000000).
func BenchmarkLogFirstPage(b *testing.B) {
	extra := 0
	if v, err := strconv.Atoi(os.Getenv("PATRON_BENCH_INTERACTIONS")); err == nil && v > 0 {
		extra = v
	}
	sh := newBenchShop(b, extra)
	b.ResetTimer()
	for range b.N {
		page, _, err := sh.s.RecentInteractions(nil, 50)
		if err != nil {
			b.Fatal(err)
		}
		if len(page) != 50 {
			b.Fatalf("a page of %d", len(page))
		}
	}
}

// BenchmarkSaveInteractionVsBare alternates a save with a bare bbolt
// open+update+close on a file beside it, so both meet the same disk moment
// by moment; it reports each and their ratio (issue 9: at most 2x).
func BenchmarkSaveInteractionVsBare(b *testing.B) {
	sh := newBenchShop(b, 0)
	bare := filepath.Join(b.TempDir(), "bare.db")
	value := make([]byte, 200)
	var save, floor time.Duration
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		in := model.Interaction{Customer: sh.customers[i%len(sh.customers)], Kind: model.KindPurchase, Amount: 2490, At: testNow.Add(-time.Duration(i) * time.Second)}
		if _, err := sh.s.AddInteraction(in); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		db, err := bolt.Open(bare, 0o600, &bolt.Options{Timeout: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		err = db.Update(func(tx *bolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists([]byte("b"))
			if err != nil {
				return err
			}
			return bk.Put(u64(uint64(i)), value)
		})
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			b.Fatal(err)
		}
		save += t1.Sub(t0)
		floor += time.Since(t1)
	}
	b.ReportMetric(float64(save.Nanoseconds())/float64(b.N), "save-ns/op")
	b.ReportMetric(float64(floor.Nanoseconds())/float64(b.N), "bare-ns/op")
	b.ReportMetric(float64(save)/float64(floor), "ratio")
}
