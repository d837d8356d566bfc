package store

import (
	"errors"
	"reflect"
	"testing"

	bolt "go.etcd.io/bbolt"
	"pgregory.net/rapid"

	"github.com/patron-crm/patron/model"
)

func TestAPackedCustomerUnpacksAsRead(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := drawCustomer(t)
		got, err := Pack(&c).Unpack()
		if err != nil {
			t.Fatal(err)
		}
		want := c
		if err := decode(encodeCustomer(&c), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("unpacked\n%+v\nwant\n%+v", got, want)
		}
	})
}

// The TUI holds every customer packed: a page reads them in id order,
// packs the ones written as JSON before schema 5, and unpacks to what
// Customer reads.
func TestPackedPagesHoldEveryCustomerAsRead(t *testing.T) {
	s := newTestStore(t)
	var ids []model.ID
	for i := range 7 {
		c, err := s.AddCustomer(model.Customer{Name: "Customer " + string(rune('A'+i)), Tags: []string{"t"}, Email: "c@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddInteraction(model.Interaction{Customer: c.ID, Kind: model.KindPurchase, Amount: 1250, At: testNow.AddDate(0, 0, -i-1), Note: "tea"}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	// Two written back as JSON, as a file of schema 4 holds them.
	db, err := bolt.Open(s.Path(), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bCustomers)
		for _, id := range []model.ID{ids[1], ids[4]} {
			var c model.Customer
			if err := decode(b.Get(idKey(id)), &c); err != nil {
				return err
			}
			j, err := encodeJSON(c)
			if err != nil {
				return err
			}
			if err := b.Put(idKey(id), j); err != nil {
				return err
			}
		}
		return nil
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	var got []model.ID
	var after model.ID
	for {
		page, err := s.PackedCustomersPage(after, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.IDs) != len(page.Records) || len(page.IDs) > 3 {
			t.Fatalf("a page of %d ids and %d records", len(page.IDs), len(page.Records))
		}
		for i, id := range page.IDs {
			c, err := page.Records[i].Unpack()
			if err != nil {
				t.Fatalf("customer %d: %v", id, err)
			}
			want, err := s.Customer(id)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c, want) {
				t.Fatalf("customer %d unpacked\n%+v\nwant\n%+v", id, c, want)
			}
			got = append(got, id)
		}
		if !page.More {
			break
		}
		after = page.IDs[len(page.IDs)-1]
	}
	if !reflect.DeepEqual(got, ids) {
		t.Fatalf("read %v, want %v", got, ids)
	}
	// Records share the page's allocation, but one cannot grow into the next.
	page, err := s.PackedCustomersPage(0, 3)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := page.Records[1].Unpack()
	_ = append(page.Records[0], 0xff, 0xff)
	if after, _ := page.Records[1].Unpack(); !reflect.DeepEqual(before, after) {
		t.Fatal("appending to one record changed the next")
	}
}

func TestAPackedPageReportsADamagedRecord(t *testing.T) {
	s := newTestStore(t)
	c, err := s.AddCustomer(model.Customer{Name: "Cut Short"})
	if err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(s.Path(), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bCustomers)
		v := b.Get(idKey(c.ID))
		return b.Put(idKey(c.ID), append([]byte(nil), v[:len(v)-3]...))
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PackedCustomersPage(0, 10); !errors.Is(err, ErrDamaged) {
		t.Fatalf("got %v, want the damage reported", err)
	}
}
