package store

import (
	"errors"
	"reflect"
	"strings"
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

func drawReminder(t *rapid.T) model.Reminder {
	kind := model.ReminderKind(rapid.OneOf(rapid.SampledFrom([]string{"thank-you", "birthday", "custom", "win-back", ""}), rapid.String()).Draw(t, "kind"))
	r := model.Reminder{
		ID: model.ID(rapid.Uint64().Draw(t, "id")), Key: rapid.String().Draw(t, "key"),
		Customer: model.ID(rapid.Uint64().Draw(t, "customer")), Due: drawTime(t, "due"), Kind: kind,
		Note: rapid.OneOf(rapid.String(), rapid.Custom(func(t *rapid.T) string { // as the rules write them
			var b strings.Builder
			for range rapid.IntRange(0, 5).Draw(t, "pieces") {
				b.WriteString(rapid.OneOf(rapid.SampledFrom(notePhrases), rapid.SampledFrom([]string{"2026-05-30", "3", "\x01", " "})).Draw(t, "piece"))
			}
			return b.String()
		})).Draw(t, "note"),
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

// AppendCustomers reads customers into the caller's buffer, after what it
// holds, leaving out the missing; on damage the buffer comes back as it was.
func TestAppendCustomersReadsIntoTheBuffer(t *testing.T) {
	s := newTestStore(t)
	var ids []model.ID
	for _, name := range []string{"Ana Lima", "Bruno Costa", "Carla Mendes"} {
		c, err := s.AddCustomer(model.Customer{Name: name, Tags: []string{"t"}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	buf := []model.Customer{{ID: 999, Name: "Already here"}}
	got, err := s.AppendCustomers(buf, []model.ID{ids[0], 12345, ids[2]})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Name != "Already here" || got[1].Name != "Ana Lima" || got[2].Name != "Carla Mendes" || got[2].Tags[0] != "t" {
		t.Fatalf("read %+v", got)
	}
	// Reused for the next chunk, no field of the last one stays.
	got, err = s.AppendCustomers(got[:0], []model.ID{ids[1]})
	if err != nil || len(got) != 1 || got[0].Name != "Bruno Costa" || got[0].Tags[0] != "t" {
		t.Fatalf("read again %+v, %v", got, err)
	}
	db, err := bolt.Open(s.Path(), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bCustomers).Put(idKey(ids[1]), []byte{valueBinary, recCustomer, 0xff})
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	back, err := s.AppendCustomers(buf, ids)
	if !errors.Is(err, ErrDamaged) || len(back) != 1 || back[0].Name != "Already here" {
		t.Fatalf("on damage: %+v, %v", back, err)
	}
}
