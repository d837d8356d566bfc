package store

import (
	"errors"
	"testing"

	bolt "go.etcd.io/bbolt"
	"pgregory.net/rapid"

	"github.com/patron-crm/patron/model"
)

// CustomerListPage reads what CustomerList reads, page for page, with the
// sort names of the list's keys.
func TestCustomerListPageReadsWhatCustomerListReads(t *testing.T) {
	s := newTestStore(t)
	if _, err := s.FillDemo(DemoOptions{Seed: 3, Customers: 120, Interactions: 600}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddCustomer(model.Customer{Name: "Zoë Brandt", Tags: []string{"vip", "wedding"}, Preferences: "tulips", Notes: "pays cash", Partner: true}); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{1, 7, 500} {
		var cursor ListCursor
		n := 0
		for {
			want, wantNext, err := s.CustomerList(cursor, size)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.CustomerListPage(cursor, size)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Summaries) != len(want) || len(got.SortNames) != len(want) || string(got.Next) != string(wantNext) {
				t.Fatalf("pages of %d: %d summaries, %d sort names, next %q; want %d, next %q",
					size, len(got.Summaries), len(got.SortNames), got.Next, len(want), wantNext)
			}
			for i := range want {
				if !summariesEqual(got.Summaries[i], want[i]) {
					t.Fatalf("pages of %d:\n got %+v\nwant %+v", size, got.Summaries[i], want[i])
				}
				if got.SortNames[i] != SortName(want[i].Name) {
					t.Fatalf("sort name %q of %q", got.SortNames[i], want[i].Name)
				}
				// A tag added to one summary must not overwrite the next's.
				if tags := got.Summaries[i].Tags; len(tags) > 0 && cap(tags) != len(tags) {
					t.Fatalf("tags %v have room to grow into the next summary's", tags)
				}
			}
			n += len(want)
			if wantNext == nil {
				break
			}
			cursor = wantNext
		}
		if n != 121 {
			t.Fatalf("pages of %d read %d of 121 customers", size, n)
		}
	}
}

// A damaged list entry is an error, never a panic, as with CustomerList.
func TestCustomerListPageSaysADamagedEntryCannotBeRead(t *testing.T) {
	s := newTestStore(t)
	rapid.Check(t, func(rt *rapid.T) {
		junk := rapid.SliceOf(rapid.Byte()).Draw(rt, "junk")
		err := s.rawUpdate(func(tx *bolt.Tx) error {
			return tx.Bucket(bCustomerList).Put(listKey("ghost", 99), junk)
		})
		if err != nil {
			rt.Fatal(err)
		}
		_, _, wantErr := s.CustomerList(nil, 10)
		_, err = s.CustomerListPage(nil, 10)
		if (err == nil) != (wantErr == nil) {
			rt.Fatalf("CustomerListPage says %v where CustomerList says %v", err, wantErr)
		}
		if err != nil && !errors.Is(err, ErrDamaged) {
			rt.Fatalf("the error %v does not say the file is damaged", err)
		}
	})
}
