package store_test

// Issue 9's targets on the data file `patron demo --customers 100000
// --interactions 1000000` makes. The file is built once and kept in the
// temp folder, named after the layout version, so later runs (and the ui
// and startup benchmarks, which name it the same way) reuse it:
//
//	go test ./store -run='^$' -bench=Big -benchtime=20x
//
// PATRON_BENCH_HUGE=1 adds the 1,000,000-customer file (slow to build).

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
	"github.com/patron-crm/patron/store/exchange"
)

// benchNow is the clock of the benchmark files, fixed so a cached file
// stays the same data.
var benchNow = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

// busyName is the customer the cached files add with busyCount
// interactions, for opening a customer with a long timeline.
const (
	busyName  = "Busy Bee Florists"
	busyCount = 2000
)

var (
	bigOnce sync.Map // path -> *sync.Once
	bigErr  sync.Map // path -> error
)

// bigFile is the cached demo file of that size, built when missing. It
// must not be written to: copy it first (copyFile).
func bigFile(b *testing.B, customers, interactions int) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("patron-bench-v%d-%dc-%di.db", store.SchemaVersion, customers, interactions))
	once, _ := bigOnce.LoadOrStore(path, new(sync.Once))
	once.(*sync.Once).Do(func() {
		if _, err := os.Stat(path); err == nil {
			return
		}
		start := time.Now()
		err := buildBigFile(path, customers, interactions)
		if err != nil {
			bigErr.Store(path, err)
			return
		}
		fmt.Fprintf(os.Stderr, "built %s in %v\n", path, time.Since(start).Round(time.Second))
	})
	if err, ok := bigErr.Load(path); ok {
		b.Fatal(err)
	}
	return path
}

func buildBigFile(path string, customers, interactions int) error {
	tmp := path + fmt.Sprintf(".building-%d", os.Getpid())
	os.Remove(tmp)
	s, err := store.Open(tmp, store.Options{Create: true, Actor: store.CurrentActor("bench"), Now: func() time.Time { return benchNow }})
	if err != nil {
		return err
	}
	if _, err := s.FillDemo(store.DemoOptions{Seed: 1, Customers: customers, Interactions: interactions}); err != nil {
		return err
	}
	// One customer with a long timeline, in one change.
	rec := exchange.Record{Customer: model.Customer{Name: busyName, Email: "orders@busybee.example"}}
	for i := range busyCount {
		rec.Interactions = append(rec.Interactions, model.Interaction{Kind: model.KindPurchase, Amount: model.Money(1000 + i),
			At: benchNow.Add(-time.Duration(i+1) * 5 * time.Hour), Note: "weekly order"})
	}
	res, err := s.Import(&exchange.File{Format: exchange.FormatPatronJSON, Records: []exchange.Record{rec}}, store.ImportOptions{Source: "bench"})
	if err != nil {
		return err
	}
	if res.Added != 1 || res.Interactions != busyCount {
		return fmt.Errorf("the busy customer was not added on its own: %+v", res)
	}
	return os.Rename(tmp, path)
}

// copyFile copies a cached file into the benchmark's temp folder, for
// benchmarks that write.
func copyFile(b *testing.B, from string) string {
	b.Helper()
	to := filepath.Join(b.TempDir(), "patron.db")
	in, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		b.Fatal(err)
	}
	// On disk before timing starts: the first save's fsync would otherwise
	// write the whole copy.
	if err := out.Sync(); err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	return to
}

func openBig(b *testing.B, path string) *store.Store {
	b.Helper()
	s, err := store.Open(path, store.Options{Actor: store.CurrentActor("bench"), Now: func() time.Time { return benchNow }})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func findBusy(b *testing.B, s *store.Store) model.ID {
	b.Helper()
	c, err := s.FindCustomer("orders@busybee.example")
	if err != nil {
		b.Fatal(err)
	}
	return c.ID
}

// sizes are the files the benchmarks run on: the issue's, and with
// PATRON_BENCH_HUGE=1 ten times that.
func sizes() []struct {
	name                    string
	customers, interactions int
} {
	s := []struct {
		name                    string
		customers, interactions int
	}{{"100k", 100_000, 1_000_000}}
	if os.Getenv("PATRON_BENCH_HUGE") == "1" {
		s = append(s, struct {
			name                    string
			customers, interactions int
		}{"1M", 1_000_000, 10_000_000})
	}
	return s
}

// BenchmarkBigListFirstPage is what start-up reads before the first frame:
// open the file (pre-flight, schema) and the first 200 customers by name,
// as the list reads them (CustomerListPage).
func BenchmarkBigListFirstPage(b *testing.B) {
	for _, sz := range sizes() {
		b.Run(sz.name, func(b *testing.B) {
			path := bigFile(b, sz.customers, sz.interactions)
			for b.Loop() {
				s := openBig(b, path)
				page, err := s.CustomerListPage(nil, 200)
				if err != nil || len(page.Summaries) != 200 {
					b.Fatal(len(page.Summaries), err)
				}
			}
		})
	}
}

// BenchmarkBigListAll reads every customer's summary in pages of 5,000,
// as the list does in the background; it reports the longest single read
// (each holds the file's lock).
func BenchmarkBigListAll(b *testing.B) {
	for _, sz := range sizes() {
		b.Run(sz.name, func(b *testing.B) {
			s := openBig(b, bigFile(b, sz.customers, sz.interactions))
			var longest time.Duration
			for b.Loop() {
				var cursor store.ListCursor
				n := 0
				for {
					t0 := time.Now()
					page, err := s.CustomerListPage(cursor, 5000)
					longest = max(longest, time.Since(t0))
					if err != nil {
						b.Fatal(err)
					}
					n += len(page.Summaries)
					if page.Next == nil {
						break
					}
					cursor = page.Next
				}
				if n < sz.customers {
					b.Fatalf("read %d customers", n)
				}
			}
			b.ReportMetric(float64(longest.Microseconds())/1000, "longest-read-ms")
		})
	}
}

// BenchmarkBigListCount is the footer's "loading N of M" count.
func BenchmarkBigListCount(b *testing.B) {
	s := openBig(b, bigFile(b, 100_000, 1_000_000))
	for b.Loop() {
		if _, err := s.ListCount(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBigOpenCustomer opens a customer with 2,000 interactions as the
// detail does: the record and the whole timeline, newest first.
func BenchmarkBigOpenCustomer(b *testing.B) {
	s := openBig(b, bigFile(b, 100_000, 1_000_000))
	id := findBusy(b, s)
	for b.Loop() {
		if _, err := s.Customer(id); err != nil {
			b.Fatal(err)
		}
		list, err := s.Interactions(id)
		if err != nil || len(list) != busyCount {
			b.Fatal(len(list), err)
		}
	}
}

// BenchmarkBigLogFirstPage is the Log tab's first page: the newest 50
// interactions of a million.
func BenchmarkBigLogFirstPage(b *testing.B) {
	s := openBig(b, bigFile(b, 100_000, 1_000_000))
	for b.Loop() {
		page, _, err := s.RecentInteractions(nil, 50)
		if err != nil || len(page) != 50 {
			b.Fatal(len(page), err)
		}
	}
}

// BenchmarkBigFileSize compares the file with the JSON export of the same
// data (target: at most twice).
func BenchmarkBigFileSize(b *testing.B) {
	path := bigFile(b, 100_000, 1_000_000)
	s := openBig(b, path)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	// One export is the figure (it takes seconds), whatever b.N.
	var n countWriter
	if _, err := s.Export(&n, store.ExportOptions{Format: store.ExportJSON}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
	}
	b.ReportMetric(float64(fi.Size())/1e6, "file-MB")
	b.ReportMetric(float64(n)/1e6, "json-MB")
	b.ReportMetric(float64(fi.Size())/float64(n), "file/json")
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }
