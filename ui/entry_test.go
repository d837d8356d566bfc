package ui

import (
	"slices"
	"testing"

	"github.com/patron-crm/patron/model"
)

// A term with punctuation is checked against the whole field, which the
// index reads from the list's own entries (it keeps no copy of the text):
// the notes field is the preferences and the notes, the tags joined.
func TestSearchWithPunctuationReadsTheListsText(t *testing.T) {
	h := newHarness(t, shopFile(t), 100, 24)
	searchFinds(t, h, []searchCase{
		{"roses,", "Ana Lima", "notes"},
		{"vip, wedding", "Ana Lima", "tags"},
		{"diogo@example", "Diogo Alves", "email"},
	})
}

// An entry read from the list stands in for the whole record with the
// list's fields only, and the whole record once it is read.
func TestAnEntryIsItsRecordOnceRead(t *testing.T) {
	c := model.Customer{ID: 7, Name: "Ana Lima", Address: "Rua Nova 1", Tags: []string{"vip"}, Partner: true,
		Stats: model.Stats{Visits: 3, Spend: 4500, Points: 45, Purchases: 2}}
	summary := &entry{c: listOf(&c)}
	got := summary.customer()
	if got.Name != "Ana Lima" || !got.Partner || got.Stats.Points != 45 || got.Stats.Visits != 3 || got.Address != "" || got.Stats.Purchases != 0 {
		t.Fatalf("a summary's customer is %+v", got)
	}
	full := newEntry(c)
	if got := full.customer(); got.Address != "Rua Nova 1" || got.Stats.Purchases != 2 {
		t.Fatalf("a whole record's customer is %+v", got)
	}
	if !full.whole() || summary.whole() {
		t.Fatal("whole says the wrong thing")
	}
	// Each is a copy of its own: changing one changes no other.
	r := full.customer()
	r.Name = "Changed"
	if full.customer().Name != "Ana Lima" || full.c.Name != "Ana Lima" {
		t.Fatal("changing a record changed the entry")
	}
}

// entriesOf makes whole-record entries of customers, as the Customers tab
// holds them once every record is read.
func entriesOf(cs []*model.Customer) []*entry {
	out := make([]*entry, len(cs))
	for i, c := range cs {
		out[i] = newEntry(*c)
	}
	return out
}

// eachChunk hands over whole records in chunks: the entries' own when
// they hold them, else read from the file; one gone from the file is left
// out; without a file to read from it says so.
func TestEachChunkReadsWhatTheListDoesNotHold(t *testing.T) {
	s := shopFile(t)
	all, err := s.AllCustomers(nil)
	if err != nil || len(all) < 3 {
		t.Fatalf("%d customers, %v", len(all), err)
	}
	var entries []*entry
	for i := range all {
		c := all[i]
		if i == 0 {
			c.Notes = "held, not read" // an entry holding its record is not read again
			entries = append(entries, newEntry(c))
			continue
		}
		entries = append(entries, &entry{c: listOf(&c)})
	}
	entries = append(entries, &entry{c: listCustomer{ID: 99999, Name: "Gone"}})
	var got []model.Customer
	chunks := 0
	if err := eachChunk(s, entries, 2, func(cs []model.Customer) {
		chunks++
		got = append(got, cs...)
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(all) || chunks != (len(entries)+1)/2 {
		t.Fatalf("%d records in %d chunks, want %d", len(got), chunks, len(all))
	}
	for _, c := range got {
		want := all[slices.IndexFunc(all, func(a model.Customer) bool { return a.ID == c.ID })]
		if c.ID == all[0].ID {
			want.Notes = "held, not read"
		}
		if c.Name != want.Name || c.Notes != want.Notes || c.Stats.Spend != want.Stats.Spend || c.Address != want.Address {
			t.Fatalf("customer %d: %+v, want %+v", c.ID, c, want)
		}
	}
	if err := eachChunk(nil, entries[1:2], 2, func([]model.Customer) {}); err == nil {
		t.Fatal("without a file, an entry with no record is not an error")
	}
}
