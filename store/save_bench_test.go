package store_test

import (
	"encoding/binary"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patron-crm/patron/model"
)

// BenchmarkBigSaveVsBare saves an interaction into a copy of the big file
// and, in the same loop so that all meet the same disk, does two bare bbolt
// one-key synced updates, each an open, an update and a close as a save is:
// one on a new small file, one into the interactions of a second copy of the
// big file. ratio is the save against the small file (issue 9: at most 2);
// ratio-same-file against the same file, where the bare update walks trees
// as deep as the save's. bare-six-trees-ms is a bare update that puts one
// key, where a save puts its own, into each of the six trees a save
// changes: what bbolt alone costs for a save's writes.
//
//	go test ./store -run='^$' -bench=BigSaveVsBare -benchtime=400x
func BenchmarkBigSaveVsBare(b *testing.B) {
	path := copyFile(b, bigFile(b, 100_000, 1_000_000))
	same := copyFile(b, bigFile(b, 100_000, 1_000_000))
	s := openBig(b, path)
	page, _, err := s.CustomerList(nil, 500)
	if err != nil {
		b.Fatal(err)
	}
	small := filepath.Join(b.TempDir(), "bare.db")
	value := make([]byte, 60) // about an interaction's size
	type put struct{ bucket, key []byte }
	bare := func(file string, puts ...put) time.Duration {
		t0 := time.Now()
		db, err := bolt.Open(file, 0o600, &bolt.Options{Timeout: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		err = db.Update(func(tx *bolt.Tx) error {
			for _, p := range puts {
				bk, err := tx.CreateBucketIfNotExists(p.bucket)
				if err != nil {
					return err
				}
				if err := bk.Put(p.key, value); err != nil {
					return err
				}
			}
			return nil
		})
		if cerr := db.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			b.Fatal(err)
		}
		return time.Since(t0)
	}
	six := copyFile(b, bigFile(b, 100_000, 1_000_000))
	var save, floor, sameFloor, sixFloor time.Duration
	i := 0
	for b.Loop() {
		c := page[i%len(page)].ID
		at := benchNow.Add(-time.Duration(i+1) * time.Second)
		t0 := time.Now()
		in := model.Interaction{Customer: c, Kind: model.KindPurchase, Amount: 2490, At: at}
		if _, err := s.AddInteraction(in); err != nil {
			b.Fatal(err)
		}
		save += time.Since(t0)
		floor += bare(small, put{[]byte("b"), fmt.Appendf(nil, "%08d", i)})
		// A key where the interaction would go: customer, time, a new id.
		id := 1<<40 + uint64(i)
		key := binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, uint64(c)), uint64(at.Unix())), id)
		sameFloor += bare(same, put{[]byte("interactions"), key})
		be := func(vs ...uint64) []byte {
			var k []byte
			for _, v := range vs {
				k = binary.BigEndian.AppendUint64(k, v)
			}
			return k
		}
		sixFloor += bare(six, put{[]byte("interactions"), key}, put{[]byte("interactions_by_time"), be(uint64(at.Unix()), id)},
			put{[]byte("interaction_ids"), be(id)}, put{[]byte("customers"), be(uint64(c))},
			put{[]byte("customer_list"), append([]byte("m"), be(uint64(c))...)}, put{[]byte("changes"), be(id)})
		i++
	}
	b.ReportMetric(float64(save.Microseconds())/float64(i)/1000, "save-ms")
	b.ReportMetric(float64(floor.Microseconds())/float64(i)/1000, "bare-ms")
	b.ReportMetric(float64(sameFloor.Microseconds())/float64(i)/1000, "bare-same-file-ms")
	b.ReportMetric(float64(sixFloor.Microseconds())/float64(i)/1000, "bare-six-trees-ms")
	b.ReportMetric(float64(save)/float64(floor), "ratio")
	b.ReportMetric(float64(save)/float64(sameFloor), "ratio-same-file")
}
