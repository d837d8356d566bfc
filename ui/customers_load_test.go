package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/model"
)

// pagesOf reloads the Customers tab by hand and returns the first page's
// message without applying it, read from the file as it is now.
func firstPageNow(t *testing.T, cv *customersView) listPageMsg {
	t.Helper()
	_, cmd := cv.Update(reloadMsg{})
	for _, c := range cmd().(tea.BatchMsg) {
		if m, ok := c().(listPageMsg); ok {
			return m
		}
	}
	t.Fatal("no first page")
	return listPageMsg{}
}

func TestAPageReadBeforeAChangeDoesNotUndoIt(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	cv := h.customers()
	stale := firstPageNow(t, cv)
	// Meanwhile another window renames Ana and deletes Bruno, and this
	// window reads those changes before the page lands.
	ana, _ := findByName(t, s, "Ana Lima")
	bruno, _ := findByName(t, s, "Bruno Costa")
	ana.Name = "Ana Pereira"
	if _, err := s.UpdateCustomer(ana); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteCustomerForGood(bruno.ID); err != nil {
		t.Fatal(err)
	}
	fresh, err := s.Customer(ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	cv.put(fresh)
	cv.remove(bruno.ID)
	h.run(func() tea.Msg { return stale })
	if e := cv.byID[ana.ID]; e == nil || e.c.Name != "Ana Pereira" {
		t.Fatalf("the older page brought back %+v", e)
	}
	if cv.byID[bruno.ID] != nil {
		t.Fatal("the older page brought back a deleted customer")
	}
	if cv.loading {
		t.Fatal("the load did not finish")
	}
	h.mustShow("Ana Pereira")
	h.mustNotShow("Ana Lima", "Bruno Costa")
}

// The list loads by name, page by page, and holds summaries only: no
// whole record is kept for the list (the tabs that need them read them).
func TestTheListLoadsByNameAndHoldsNoRecord(t *testing.T) {
	s := newFile(t)
	for i := range firstPageSize + 30 {
		addCustomer(t, s, model.Customer{Name: "Customer " + thousands(1000-i), Address: "Rua " + thousands(i)})
	}
	h := newHarness(t, s, 80, 24)
	cv := h.customers()
	msg := firstPageNow(t, cv)
	_, next := cv.Update(msg)
	// The first page is the first names in order, drawn as summaries.
	if len(cv.rows) != firstPageSize || cv.rows[0].c.Name != "Customer 1,000" || cv.rows[0].whole() {
		t.Fatalf("first page: %d rows, first %q full=%v", len(cv.rows), cv.rows[0].c.Name, cv.rows[0].whole())
	}
	if !cv.loading {
		t.Fatal("the list is not whole yet, so the tab is still loading")
	}
	h.run(next)
	if cv.loading || cv.index == nil || len(cv.byID) != firstPageSize+30 {
		t.Fatalf("after loading: loading=%v index=%v %d loaded", cv.loading, cv.index != nil, len(cv.byID))
	}
	for _, e := range cv.rows {
		if e.whole() || cv.byID[e.c.ID] != e {
			t.Fatalf("row %q holds a whole record", e.c.Name)
		}
	}
	if !cv.loaded || cv.loading {
		t.Fatal("the list is read, but the tab is still loading")
	}
	// A customer changed since holds their record (the tabs work from it).
	ana := addCustomer(t, s, model.Customer{Name: "Ana Changed", Address: "Rua Nova"})
	h.send(tickMsg{})
	if e := cv.byID[ana.ID]; e == nil || !e.whole() || e.customer().Address != "Rua Nova" {
		t.Fatal("a customer added since is not held whole")
	}
}

func TestEditFromTheListReadsTheWholeRecordFirst(t *testing.T) {
	s := shopFile(t)
	ana, _ := findByName(t, s, "Ana Lima")
	ana.Address = "Rua das Flores 1"
	if _, err := s.UpdateCustomer(ana); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, s, 80, 24)
	cv := h.customers()
	// As while the records are still being read: the entry is a summary.
	e := cv.byID[ana.ID]
	cv.byID[ana.ID] = &entry{c: listCustomer{ID: e.c.ID, Name: e.c.Name}, sortName: e.sortName}
	cv.rebuild()
	h.keys("e")
	if cv.screen != screenForm || cv.form == nil {
		t.Fatal("e did not open the form")
	}
	if got := cv.form.f.get("address"); got != "Rua das Flores 1" {
		t.Fatalf("the form's address is %q: it was opened from the summary", got)
	}
}

func TestSearchTypedBeforeTheIndexRunsWhenItIsBuilt(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	cv := h.customers()
	msg := firstPageNow(t, cv)
	_, next := cv.Update(msg) // the list is in; the index is not built yet
	cv.Update(press("/"))
	for _, r := range "bru" {
		cv.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	if cv.hits != nil {
		t.Fatal("a search ran without an index")
	}
	h.run(next)
	if len(cv.rows) != 1 || cv.rows[0].c.Name != "Bruno Costa" {
		t.Fatalf("after the index: %d rows", len(cv.rows))
	}
}

func TestChangesAfterTheIndexAreSearchedOneByOne(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	cv := h.customers()
	idx := cv.index
	ana, _ := findByName(t, s, "Ana Lima")
	ana.Name = "Ana Pereira"
	if _, err := s.UpdateCustomer(ana); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{}) // the feed brings the change
	h.keys("/").typeText("pereira")
	if len(cv.rows) != 1 || cv.rows[0].c.Name != "Ana Pereira" {
		t.Fatalf("the renamed customer is not found: %d rows", len(cv.rows))
	}
	h.keys("esc", "/").typeText("lima")
	if len(cv.rows) != 0 {
		t.Fatalf("the old name still finds %q", cv.rows[0].c.Name)
	}
	if cv.index != idx {
		t.Fatal("one change rebuilt the whole index")
	}
}

func TestClearingASearchShowsTheSortedListAgain(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	cv := h.customers()
	before := names(cv.rows)
	h.keys("/").typeText("costa").keys("esc")
	if got := names(cv.rows); got != before {
		t.Fatalf("after clearing the search the list is %s, was %s", got, before)
	}
	h.keys("s", "/").typeText("a").keys("backspace")
	if cv.rows[0].c.Name != "Anabela Sousa" {
		t.Fatalf("clearing by backspace shows %q first, not the last visit's order", cv.rows[0].c.Name)
	}
}

func names(rows []*entry) string {
	var out []string
	for _, e := range rows {
		out = append(out, e.c.Name)
	}
	return strings.Join(out, ",")
}

func TestARebuiltIndexTakesInTheChangesSinceTheLast(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	cv := h.customers()
	old := cv.index
	ana, _ := findByName(t, s, "Ana Lima")
	ana.Name = "Ana Pereira"
	if _, err := s.UpdateCustomer(ana); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	if !cv.dirty[ana.ID] {
		t.Fatal("the change is not searched one by one")
	}
	// As when too many changed: build again from the entries.
	h.run(cv.buildIndex())
	if cv.index == old || len(cv.dirty) != 0 {
		t.Fatalf("the index was not replaced (dirty %v)", cv.dirty)
	}
	h.keys("/").typeText("pereira")
	if len(cv.rows) != 1 || cv.rows[0] != cv.byID[ana.ID] {
		t.Fatal("the rebuilt index does not find the renamed customer's current entry")
	}
}
