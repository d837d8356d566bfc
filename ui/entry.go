package ui

import (
	"strings"
	"time"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// entry is one loaded customer: what the list draws, sorts, filters and
// searches by (c), and their whole record once read (rec; nil while only
// the list's summary is in: enough to draw a row, search, archive or
// delete, not to edit). Entries are never changed once made (a change makes
// a new one), so a tea.Cmd may read them while the list moves on.
type entry struct {
	c        listCustomer
	rec      *model.Customer
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

// newEntry is the entry of a whole record, the two in one allocation (a
// size class of 896 bytes where two took 928).
func newEntry(c model.Customer) *entry {
	both := &struct {
		e entry
		c model.Customer
	}{c: c}
	both.e = entry{c: listOf(&both.c), rec: &both.c, sortName: sortNameOf(c.Name)}
	return &both.e
}

// customer is the whole record when it is read, else a model.Customer
// with only the list's fields filled: enough to name, archive, delete or
// log for them, never to edit them.
func (e *entry) customer() model.Customer {
	if e.rec != nil {
		return *e.rec
	}
	c := &e.c
	return model.Customer{
		ID: c.ID, Name: c.Name, Phone: c.Phone, Email: c.Email, Tags: c.Tags,
		Preferences: c.Preferences, Notes: c.Notes, Status: c.Status, Partner: c.Partner, NoContact: c.NoContact,
		Stats: model.Stats{Visits: c.Stats.Visits, Spend: c.Stats.Spend, Points: c.Stats.Points, LastVisit: c.Stats.LastVisit},
	}
}

// record is the whole record when it is read, else customer's stand-in.
func (e *entry) record() *model.Customer {
	if e.rec != nil {
		return e.rec
	}
	c := e.customer()
	return &c
}
