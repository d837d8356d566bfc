package ui

import (
	"errors"
	"math"
	"strings"
	"time"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// entry is one loaded customer: what the list draws, sorts, filters and
// searches by (c), and, for a customer changed since the list was read,
// their whole record, packed (packed; nil for the others: enough to draw a
// row, search, archive or delete, not to edit). The tabs that work from
// every record read them from the file a chunk at a time (eachChunk), so
// at 100,000 customers no record is held for long; a packed record is 400
// bytes where a decoded one is 1,500. Entries are never changed once made
// (a change makes a new one), so a tea.Cmd may read them while the list
// moves on.
type entry struct {
	c        listCustomer
	packed   *store.Packed
	sortName string
	seq      int // customersView.putSeq when put by a refresh or a save
}

// listCustomer is the part of a customer the list holds for everyone, its
// fields named as model.Customer's so a row reads the same either way. It
// is 168 bytes where a model.Customer is 656: at 100,000 customers
// that is 50 MB less for as long as Patron is open.
type listCustomer struct {
	ID                 model.ID
	Name, Phone, Email string
	Preferences, Notes string
	Tags               []string
	Status             model.Status
	Partner, NoContact bool
	Stats              listStats
}

// listStats are the aggregates a row shows or sorts by: 24 bytes.
type listStats struct {
	Visits    int32
	lastVisit int64 // unix seconds; 0: none (LastVisit)
	Spend     model.Money
	Points    int64
}

// LastVisit is when they last visited (the zero time: never).
func (s *listStats) LastVisit() time.Time {
	if s.lastVisit == 0 {
		return time.Time{}
	}
	return time.Unix(s.lastVisit, 0).UTC()
}

// statsOf is what the list holds of a record's aggregates.
func statsOf(visits int, spend model.Money, points int64, lastVisit time.Time) listStats {
	s := listStats{Visits: int32(min(visits, math.MaxInt32)), Spend: spend, Points: points}
	if !lastVisit.IsZero() {
		s.lastVisit = lastVisit.Unix()
	}
	return s
}

// Active reports whether the customer shows in the list by default.
func (c *listCustomer) Active() bool { return c.Status == "" || c.Status == model.StatusActive }

// HasTag reports whether the customer carries tag (case-insensitive).
func (c *listCustomer) HasTag(tag string) bool {
	for _, t := range c.Tags {
		if strings.EqualFold(t, tag) {
			return true
		}
	}
	return false
}

// listOf is what the list holds of a whole record (its text shared with it).
func listOf(c *model.Customer) listCustomer {
	return listCustomer{
		ID: c.ID, Name: c.Name, Phone: c.Phone, Email: c.Email, Preferences: c.Preferences, Notes: c.Notes,
		Tags: c.Tags, Status: c.Status, Partner: c.Partner, NoContact: c.NoContact,
		Stats: statsOf(c.Stats.Visits, c.Stats.Spend, c.Stats.Points, c.Stats.LastVisit),
	}
}

// listOfSummary is what the list holds of a list summary.
func listOfSummary(s *store.CustomerSummary) listCustomer {
	return listCustomer{
		ID: s.ID, Name: s.Name, Phone: s.Phone, Email: s.Email, Preferences: s.Preferences, Notes: s.Notes,
		Tags: s.Tags, Status: s.Status, Partner: s.Partner, NoContact: s.NoContact,
		Stats: statsOf(s.Stats.Visits, s.Stats.Spend, s.Stats.Points, s.Stats.LastVisit),
	}
}

// newEntry is the entry of a whole record: its list part shares the
// record's text, and the record is kept packed.
func newEntry(c model.Customer) *entry {
	p := store.Pack(&c)
	return &entry{c: listOf(&c), packed: &p, sortName: sortNameOf(c.Name)}
}

// whole reports whether the entry holds the whole record (a customer put
// since the list was read).
func (e *entry) whole() bool { return e.packed != nil }

// customer is the whole record when the entry holds it, else a model.Customer
// with only the list's fields filled: enough to name, archive, delete or
// log for them, never to edit them. Each call unpacks afresh (about 2 µs).
func (e *entry) customer() model.Customer {
	if e.packed != nil {
		if c, err := e.packed.Unpack(); err == nil {
			return c
		}
		// Only bytes the store packed get here, and it read each through.
	}
	c := &e.c
	return model.Customer{
		ID: c.ID, Name: c.Name, Phone: c.Phone, Email: c.Email, Tags: c.Tags,
		Preferences: c.Preferences, Notes: c.Notes, Status: c.Status, Partner: c.Partner, NoContact: c.NoContact,
		Stats: model.Stats{Visits: int(c.Stats.Visits), Spend: c.Stats.Spend, Points: c.Stats.Points, LastVisit: c.Stats.LastVisit()},
	}
}

// eachChunk hands fn the whole records of entries a chunk at a time, in
// one buffer reused (fn must not keep it): unpacked where the entry holds
// the record, else read from the file, one short read a chunk. So a
// computation over every customer holds a chunk of them at a time, and
// the list holds only the records changed since it was read. A customer
// gone from the file meanwhile is left out (its change is on its way).
func eachChunk(s *store.Store, entries []*entry, size int, fn func([]model.Customer)) error {
	buf := make([]model.Customer, 0, min(size, len(entries)))
	var ids []model.ID
	for i := 0; i < len(entries); i += size {
		chunk := entries[i:min(i+size, len(entries))]
		buf, ids = buf[:0], ids[:0]
		for _, e := range chunk {
			if e.whole() {
				buf = append(buf, e.customer())
			} else {
				ids = append(ids, e.c.ID)
			}
		}
		if len(ids) > 0 {
			if s == nil {
				return errors.New("the customers' records are not to hand")
			}
			var err error
			if buf, err = s.AppendCustomers(buf, ids); err != nil {
				return err
			}
		}
		fn(buf)
	}
	return nil
}
