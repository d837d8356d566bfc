package ui

import (
	"slices"
	"strings"
	"time"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// entry is one loaded customer: what the list draws, sorts, filters and
// searches by (c), and their whole record once read, packed (packed; nil
// while only the list's summary is in: enough to draw a row, search,
// archive or delete, not to edit). A packed record is about 400 bytes
// where a decoded one is 1,500: at 100,000 customers the tabs that work
// from every record hold 40 MB of them instead of 150 MB, and unpack them
// a chunk at a time. Entries are never changed once made (a change makes
// a new one), so a tea.Cmd may read them while the list moves on.
type entry struct {
	c        listCustomer
	packed   store.Packed
	sortName string
	seq      int // customersView.putSeq when put by a refresh or a save
}

// listCustomer is the part of a customer the list holds for everyone, its
// fields named as model.Customer's so a row reads the same either way. It
// is 184 bytes where a model.Customer is 656: at 100,000 customers
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

// listStats are the aggregates a row shows or sorts by.
type listStats struct {
	Visits    int
	Spend     model.Money
	Points    int64
	LastVisit time.Time
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
		Stats: listStats{Visits: c.Stats.Visits, Spend: c.Stats.Spend, Points: c.Stats.Points, LastVisit: c.Stats.LastVisit},
	}
}

// listOfSummary is what the list holds of a list summary.
func listOfSummary(s *store.CustomerSummary) listCustomer {
	return listCustomer{
		ID: s.ID, Name: s.Name, Phone: s.Phone, Email: s.Email, Preferences: s.Preferences, Notes: s.Notes,
		Tags: s.Tags, Status: s.Status, Partner: s.Partner, NoContact: s.NoContact,
		Stats: listStats{Visits: s.Stats.Visits, Spend: s.Stats.Spend, Points: s.Stats.Points, LastVisit: s.Stats.LastVisit},
	}
}

// sameListPart reports whether a and b hold the same.
func sameListPart(a, b *listCustomer) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Phone == b.Phone && a.Email == b.Email &&
		a.Preferences == b.Preferences && a.Notes == b.Notes && slices.Equal(a.Tags, b.Tags) &&
		a.Status == b.Status && a.Partner == b.Partner && a.NoContact == b.NoContact && a.Stats.Visits == b.Stats.Visits &&
		a.Stats.Spend == b.Stats.Spend && a.Stats.Points == b.Stats.Points && a.Stats.LastVisit.Equal(b.Stats.LastVisit)
}

// newEntry is the entry of a whole record: its list part shares the
// record's text, and the record is kept packed.
func newEntry(c model.Customer) *entry {
	return &entry{c: listOf(&c), packed: store.Pack(&c), sortName: sortNameOf(c.Name)}
}

// whole reports whether the whole record has been read.
func (e *entry) whole() bool { return e.packed != nil }

// customer is the whole record when it is read, else a model.Customer
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
		Stats: model.Stats{Visits: c.Stats.Visits, Spend: c.Stats.Spend, Points: c.Stats.Points, LastVisit: c.Stats.LastVisit},
	}
}

// record is customer, as a pointer to a copy of its own.
func (e *entry) record() *model.Customer {
	c := e.customer()
	return &c
}

// unpackInto appends the customers of entries to buf, unpacked (so a
// computation over every customer holds a chunk of them at a time, never
// all).
func unpackInto(buf []model.Customer, entries []*entry) []model.Customer {
	for _, e := range entries {
		buf = append(buf, e.customer())
	}
	return buf
}

// eachChunk unpacks entries a chunk at a time, into one buffer reused, and
// hands each chunk to fn (which must not keep it).
func eachChunk(entries []*entry, size int, fn func([]model.Customer)) {
	buf := make([]model.Customer, 0, min(size, len(entries)))
	for i := 0; i < len(entries); i += size {
		buf = unpackInto(buf[:0], entries[i:min(i+size, len(entries))])
		fn(buf)
	}
}
