package store

import (
	"errors"
	"reflect"
	"testing"
	"time"

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

func drawReminder(t *rapid.T) model.Reminder {
	kind := model.ReminderKind(rapid.OneOf(rapid.SampledFrom([]string{"thank-you", "birthday", "custom", "win-back", ""}), rapid.String()).Draw(t, "kind"))
	r := model.Reminder{
		ID: model.ID(rapid.Uint64().Draw(t, "id")), Key: rapid.String().Draw(t, "key"),
		Customer: model.ID(rapid.Uint64().Draw(t, "customer")), Due: drawTime(t, "due"), Kind: kind,
		Note:   rapid.String().Draw(t, "note"),
		Repeat: model.Repeat{Every: rapid.IntRange(-5, 500).Draw(t, "every"), Unit: rapid.String().Draw(t, "unit")},
		State:  model.ReminderState(rapid.OneOf(rapid.SampledFrom([]string{"open", "", "done"}), rapid.String()).Draw(t, "state")), SnoozedUntil: drawTime(t, "snoozed"),
		Rule:  rapid.SampledFrom([]string{string(kind), "", "birthday", rapid.String().Draw(t, "rule text")}).Draw(t, "rule"),
		First: drawTime(t, "first"), Created: drawTime(t, "created"), DoneAt: drawTime(t, "done"),
		Reason: rapid.String().Draw(t, "reason"), Occurred: drawTime(t, "occurred"),
		Amount: model.Money(rapid.Int64().Draw(t, "amount")), Detail: rapid.String().Draw(t, "detail"),
	}
	if rapid.Bool().Draw(t, "generated key") { // as the rules make them
		r.Key = keyHead(&r) + rapid.SampledFrom([]string{"", "2027", r.Key}).Draw(t, "occurrence")
	}
	return r
}

// A packed reminder unpacks to the same, its times in the shop's zone;
// several packed one after another each unpack alone.
func TestAPackedReminderUnpacksAsItWas(t *testing.T) {
	loc := time.FixedZone("shop", -5*3600)
	rapid.Check(t, func(t *rapid.T) {
		rs := rapid.SliceOfN(rapid.Custom(drawReminder), 1, 4).Draw(t, "reminders")
		var buf []byte
		var ends []int
		for i := range rs {
			buf = PackReminder(buf, &rs[i])
			ends = append(ends, len(buf))
		}
		start := 0
		for i, end := range ends {
			got, err := UnpackReminder(buf[start:end], loc)
			if err != nil {
				t.Fatal(err)
			}
			start = end
			want := rs[i]
			for _, p := range []*time.Time{&want.Due, &want.SnoozedUntil, &want.First, &want.Created, &want.DoneAt, &want.Occurred} {
				if !p.IsZero() {
					*p = p.In(loc)
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("unpacked\n%+v\nwant\n%+v", got, want)
			}
		}
	})
}

func TestACutShortReminderSaysSo(t *testing.T) {
	r := model.Reminder{Key: "birthday:7:2027", Customer: 7, Kind: "birthday", Rule: "birthday", Note: "a card"}
	b := PackReminder(nil, &r)
	// Cut inside its first field (the key), it is damaged; cut anywhere,
	// it never panics.
	if _, err := UnpackReminder(b[:6], time.UTC); err == nil {
		t.Fatal("a reminder cut inside its key read without complaint")
	}
	for n := range len(b) {
		_, _ = UnpackReminder(b[:n], time.UTC)
	}
	if _, err := UnpackReminder(Pack(&model.Customer{Name: "x"}), time.UTC); err == nil {
		t.Fatal("a customer read as a reminder")
	}
}
