package ui

import (
	"errors"
	"os"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

func findByName(t *testing.T, s *store.Store, name string) (model.Customer, bool) {
	t.Helper()
	all, err := s.AllCustomers(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		if c.Name == name {
			return c, true
		}
	}
	return model.Customer{}, false
}

func TestListOpensSortedByNameWithArchivedHidden(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	var names []string
	for _, e := range h.customers().rows {
		names = append(names, e.c.Name)
	}
	want := "Ana Lima,Anabela Sousa,Bruno Costa,Diogo Alves,Elena Rossi"
	if got := strings.Join(names, ","); got != want {
		t.Fatalf("rows = %s, want %s", got, want)
	}
	h.mustShow("5 customers · 1 archived")
	h.mustNotShow("Carla Mendes")
}

func TestListMovesWithKeysAndStopsAtTheEnds(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	steps := []struct {
		key, want string
	}{
		{"j", "Anabela Sousa"}, {"down", "Bruno Costa"}, {"k", "Anabela Sousa"}, {"up", "Ana Lima"},
		{"up", "Ana Lima"}, {"G", "Elena Rossi"}, {"j", "Elena Rossi"}, {"g", "Ana Lima"},
		{"end", "Elena Rossi"}, {"home", "Ana Lima"}, {"pgdown", "Elena Rossi"}, {"pgup", "Ana Lima"},
	}
	for _, s := range steps {
		h.keys(s.key)
		if got := h.selectedName(); got != s.want {
			t.Fatalf("after %q the selection is %q, want %q", s.key, got, s.want)
		}
	}
}

func TestSortCyclesThroughNameLastVisitSpendVisits(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	firsts := []struct{ order, first string }{
		{"last visit", "Anabela Sousa"}, {"spend", "Bruno Costa"}, {"visits", "Ana Lima"}, {"name", "Ana Lima"},
	}
	for _, f := range firsts {
		h.keys("s")
		if !strings.Contains(h.status(), "Sorted by "+f.order) {
			t.Fatalf("status %q does not say the sort is by %s", h.status(), f.order)
		}
		if got := h.customers().rows[0].c.Name; got != f.first {
			t.Fatalf("sorted by %s, first is %q, want %q", f.order, got, f.first)
		}
	}
	// Never visited sorts last by last visit.
	h.keys("s")
	rows := h.customers().rows
	if last := rows[len(rows)-1].c.Name; last != "Diogo Alves" {
		t.Fatalf("by last visit, last is %q, want the one who never came", last)
	}
}

func TestSearchNarrowsAsYouTypeEnterKeepsEscClears(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("/")
	if !h.customers().Capturing() {
		t.Fatal("the search field should have the keyboard")
	}
	h.typeText("bru")
	if n := len(h.customers().rows); n != 1 || h.selectedName() != "Bruno Costa" {
		t.Fatalf("searching bru shows %d rows, selected %q", n, h.selectedName())
	}
	h.mustShow("1 shown")
	h.keys("enter")
	if h.customers().Capturing() {
		t.Fatal("enter should give the keyboard back to the list")
	}
	if n := len(h.customers().rows); n != 1 {
		t.Fatalf("enter should keep the filter, got %d rows", n)
	}
	h.keys("esc")
	if n := len(h.customers().rows); n != 5 {
		t.Fatalf("esc should clear the filter, got %d rows", n)
	}
	// esc while typing clears as well.
	h.keys("/").typeText("elena").keys("esc")
	if n := len(h.customers().rows); n != 5 || h.customers().query != "" {
		t.Fatalf("esc in the search field should clear it, got %d rows, query %q", n, h.customers().query)
	}
}

func TestSearchLooksInPhoneEmailTagsAndNotes(t *testing.T) {
	h := newHarness(t, shopFile(t), 100, 24)
	searchFinds(t, h, []searchCase{
		{"912345", "Ana Lima", "phone"},
		{"elena@", "Elena Rossi", "email"},
		{"wholesale", "Bruno Costa", "tags"},
		{"orchids", "Diogo Alves", "notes"},
	})
}

// searchCase is a query, the customer it selects and the field it is found in.
type searchCase struct{ query, want, field string }

// searchFinds searches for each query: it must select that customer and
// show which field matched.
func searchFinds(t *testing.T, h *harness, cases []searchCase) {
	t.Helper()
	for _, c := range cases {
		h.keys("/").typeText(c.query).keys("enter")
		if h.selectedName() != c.want {
			t.Fatalf("searching %q selects %q, want %q", c.query, h.selectedName(), c.want)
		}
		h.mustShow(c.field + ": ")
		h.keys("esc")
	}
}

func TestSearchHighlightsTheMatchedCharacters(t *testing.T) {
	st := NewStyles(true)
	got := highlight(st, "Ana Lima", []int{0, 1, 2})
	want := st.Match.Render("Ana") + " Lima"
	if got != want {
		t.Fatalf("highlight = %q, want %q", got, want)
	}
	// A multi-byte character is highlighted whole.
	got = highlight(st, "Zoë", []int{2})
	if want := "Zo" + st.Match.Render("ë"); got != want {
		t.Fatalf("highlight = %q, want %q", got, want)
	}
}

func TestSearchFindsArchivedOnlyWhenTheFilterAsks(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("/").typeText("carla").keys("enter")
	if n := len(h.customers().rows); n != 0 {
		t.Fatalf("an archived customer should stay hidden, got %d rows", n)
	}
	h.mustShow("1 match is not shown by the filter")
}

func TestFilterChooserShowsArchivedAndByTag(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("f")
	h.mustShow("Show which customers?", "Tag: vip (2)")
	h.keys("esc")
	if h.customers().dialog != nil || len(h.customers().rows) != 5 {
		t.Fatal("esc should close the chooser and change nothing")
	}
	h.keys("f", "j", "enter") // archived
	if n := len(h.customers().rows); n != 1 || h.selectedName() != "Carla Mendes" {
		t.Fatalf("archived filter shows %d rows (%q)", n, h.selectedName())
	}
	h.keys("f", "k", "enter") // back to active, then pick the vip tag
	h.keys("f")
	d := h.customers().dialog.(*listDialog)
	for i, item := range d.items {
		if strings.HasPrefix(item, "Tag: vip") {
			d.cursor = i
		}
	}
	h.keys("enter")
	if n := len(h.customers().rows); n != 2 {
		t.Fatalf("vip filter shows %d rows, want 2", n)
	}
	h.mustShow("showing tag vip", "2 shown")
	h.keys("esc")
	if n := len(h.customers().rows); n != 5 {
		t.Fatalf("esc should drop the filter, got %d rows", n)
	}
}

func TestEnterOpensTheDetailAndEscGoesBack(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("enter")
	h.mustShow("Ana Lima", "+351 912 345 678", "15 April 1988", "vip, wedding", "white roses", "a friend",
		"Timeline", "€24,90", "3 visits")
	h.keys("j", "k") // scrolling does not leave
	if h.customers().screen != screenDetail {
		t.Fatal("j/k should scroll the detail, not leave it")
	}
	h.keys("esc")
	if h.customers().screen != screenList {
		t.Fatal("esc should go back to the list")
	}
}

func TestAddCustomerWithCtrlSFromAnyField(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	h.keys("a")
	if !h.customers().Capturing() || h.customers().form.f.focus != 0 {
		t.Fatal("a should open the form with the cursor in the name")
	}
	h.typeText("Rui Costa").keys("tab").typeText("555 0199").keys("tab", "tab", "tab").typeText("03-09").
		keys("tab").typeText("vip, regular").keys("tab", "tab", "space")
	h.keys("ctrl+s")
	if h.customers().screen != screenList {
		t.Fatalf("a good save should close the form; status %q", h.status())
	}
	if h.status() != "Added Rui Costa." {
		t.Fatalf("status = %q", h.status())
	}
	c, ok := findByName(t, s, "Rui Costa")
	if !ok {
		t.Fatal("Rui Costa was not saved")
	}
	if c.Phone != "555 0199" || c.Birthday != (model.Birthday{Month: 3, Day: 9}) || strings.Join(c.Tags, ",") != "vip,regular" || !c.NoContact {
		t.Fatalf("saved %+v", c)
	}
	if !c.Since.Equal(testNow) {
		t.Fatalf("customer since = %v, want today", c.Since)
	}
	if h.selectedName() != "Rui Costa" {
		t.Fatalf("the new customer should be selected, got %q", h.selectedName())
	}
}

func TestTypingQQuestionMarkAndDigitsGoesIntoTheField(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("a").typeText("q?12,5 u/")
	if h.quit {
		t.Fatal("q in a field quit the app")
	}
	if h.app.showHelp || h.app.settings != nil {
		t.Fatal("? or , in a field opened something")
	}
	if got := h.customers().form.f.get("name"); got != "q?12,5 u/" {
		t.Fatalf("name field = %q", got)
	}
	// The same in the search field.
	h.keys("esc", "y", "/").typeText("q1?")
	if h.quit || h.app.showHelp || h.customers().query != "q1?" {
		t.Fatalf("search field: quit=%v help=%v query=%q", h.quit, h.app.showHelp, h.customers().query)
	}
}

func TestFieldsAreCheckedWhenLeftWithTheReasonBeside(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("a", "tab", "tab").typeText("ana@").keys("tab")
	f := h.customers().form.f
	if f.field("email").err == "" {
		t.Fatal("leaving a bad email should show why")
	}
	h.mustShow(`✗ email "ana@" is not an email address`)
	// Fixing it clears the reason when the field is left again.
	h.keys("shift+tab", "backspace", "backspace", "backspace", "backspace").typeText("ana@shop.pt").keys("tab")
	if e := f.field("email").err; e != "" {
		t.Fatalf("a good email still shows %q", e)
	}
	h.keys("tab").typeText("31-02").keys("tab")
	h.mustShow("✗ birthday")
}

func TestFailedValidationKeepsTheFormAndWhatWasTyped(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	h.keys("a", "tab").typeText("12").keys("ctrl+s")
	cv := h.customers()
	if cv.screen != screenForm {
		t.Fatal("a form with a missing name should stay open")
	}
	if !strings.HasPrefix(h.status(), "Not saved yet: name is required") {
		t.Fatalf("status = %q", h.status())
	}
	if cv.form.f.focus != 0 {
		t.Fatal("the cursor should go to the first field to fix")
	}
	if cv.form.f.get("phone") != "12" {
		t.Fatal("what was typed was lost")
	}
}

func TestFailedSaveKeepsWhatWasTyped(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	h.keys("a").typeText("Rui Costa")
	// The file goes away under the window: the save must fail, not lose the form.
	if err := os.Remove(s.Path()); err != nil {
		t.Fatal(err)
	}
	h.keys("ctrl+s")
	cv := h.customers()
	if cv.screen != screenForm || cv.form.f.get("name") != "Rui Costa" {
		t.Fatal("a failed save should keep the form and what was typed")
	}
	if h.app.status.kind != statusError || !strings.Contains(h.status(), "does not exist") {
		t.Fatalf("status = %q", h.status())
	}
}

func TestEscInAFormAsksOnlyWhenSomethingWasTyped(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("a", "esc")
	if h.customers().screen != screenList {
		t.Fatal("esc in an untouched form should close it")
	}
	h.keys("a").typeText("Rui").keys("esc")
	cv := h.customers()
	if cv.dialog == nil {
		t.Fatal("esc with typing should ask first")
	}
	h.mustShow("Discard the new customer?")
	h.keys("n")
	if cv.screen != screenForm || cv.form.f.get("name") != "Rui" {
		t.Fatal("n should keep the form as it was")
	}
	h.keys("esc", "esc") // esc on the question is "no" as well
	if cv.screen != screenForm {
		t.Fatal("esc on the question should keep the form")
	}
	h.keys("esc", "y")
	if cv.screen != screenList {
		t.Fatal("y should discard")
	}
	if _, ok := findByName(t, h.s, "Rui"); ok {
		t.Fatal("discarding saved something")
	}
}

func TestCtrlCInAFormAsksBeforeQuitting(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("a").typeText("Rui").keys("ctrl+c")
	if h.quit {
		t.Fatal("ctrl+c with typing quit without asking")
	}
	h.mustShow("Discard the new customer and quit?")
	h.keys("n")
	if h.quit || h.customers().form.f.get("name") != "Rui" {
		t.Fatal("n should keep the form")
	}
	h.keys("ctrl+c", "y")
	if !h.quit {
		t.Fatal("y should quit")
	}
}

func TestCtrlCInAnUntouchedFormQuits(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("a", "ctrl+c")
	if !h.quit {
		t.Fatal("ctrl+c should quit when nothing was typed")
	}
}

func TestEditFromTheDetailSavesAndShowsIt(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	h.keys("enter", "e")
	cv := h.customers()
	if cv.screen != screenForm || cv.form.f.get("name") != "Ana Lima" {
		t.Fatal("e should open the form filled in")
	}
	h.keys("tab", "ctrl+u").typeText("+351 999 000 111").keys("ctrl+s")
	if cv.screen != screenDetail {
		t.Fatal("saving an edit from the detail should go back to it")
	}
	h.mustShow("+351 999 000 111")
	if h.status() != "Saved Ana Lima." {
		t.Fatalf("status = %q", h.status())
	}
	c, _ := findByName(t, s, "Ana Lima")
	if c.Phone != "+351 999 000 111" || c.Stats.Visits != 3 {
		t.Fatalf("stored %+v", c)
	}
}

func TestEditFromTheListKeepsFieldsTheFormDoesNotShow(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	h.keys("e").keys("tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab").typeText(" and tulips").keys("ctrl+s")
	c, _ := findByName(t, s, "Ana Lima")
	if c.Preferences != "white roses, no lilies and tulips" {
		t.Fatalf("preferences = %q", c.Preferences)
	}
	if c.Since.IsZero() || c.Birthday.Year != 1988 {
		t.Fatalf("the edit lost fields: %+v", c)
	}
	if h.customers().screen != screenList {
		t.Fatal("an edit from the list should go back to the list")
	}
}

func TestDuplicateEmailWarnsAndOffersTheOtherCustomer(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	h.keys("a").typeText("Ana L.").keys("tab", "tab").typeText("ANA@example.com").keys("ctrl+s")
	cv := h.customers()
	if cv.dialog == nil {
		t.Fatal("a shared email should warn")
	}
	h.mustShow("Someone already has this email or phone", "Ana Lima has ana@example.com", "open Ana Lima instead")
	h.keys("esc")
	if cv.screen != screenForm || cv.form.f.get("name") != "Ana L." {
		t.Fatal("esc should go back to the form as typed")
	}
	h.keys("ctrl+s", "o")
	if cv.screen != screenDetail || cv.detail.c.Name != "Ana Lima" {
		t.Fatal("o should open the other customer")
	}
	if _, ok := findByName(t, s, "Ana L."); ok {
		t.Fatal("opening the other customer should not save")
	}
	// And s saves anyway.
	h.keys("esc", "a").typeText("Ana L.").keys("tab", "tab").typeText("ana@example.com").keys("ctrl+s", "s")
	if _, ok := findByName(t, s, "Ana L."); !ok {
		t.Fatal("s should save anyway")
	}
}

func TestEditingWithoutChangingContactsDoesNotWarn(t *testing.T) {
	s := shopFile(t)
	addCustomer(t, s, model.Customer{Name: "Ana Twin", Email: "ana@example.com"})
	h := newHarness(t, s, 80, 24)
	h.keys("e", "end").typeText("!").keys("ctrl+s")
	if h.customers().dialog != nil {
		t.Fatal("an unchanged email should not warn on every edit")
	}
	if _, ok := findByName(t, s, "Ana Lima!"); !ok {
		t.Fatal("the edit was not saved")
	}
}

func TestArchiveAsksThenUndoBringsThemBack(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	h.keys("d")
	h.mustShow("Archive Ana Lima?")
	h.keys("n")
	if c, _ := findByName(t, s, "Ana Lima"); !c.Active() {
		t.Fatal("n archived anyway")
	}
	h.keys("d", "esc")
	if c, _ := findByName(t, s, "Ana Lima"); !c.Active() {
		t.Fatal("esc archived anyway")
	}
	h.keys("d", "y")
	if c, _ := findByName(t, s, "Ana Lima"); c.Status != model.StatusArchived {
		t.Fatal("y did not archive")
	}
	if h.status() != "Archived Ana Lima." {
		t.Fatalf("status = %q", h.status())
	}
	h.mustNotShow("Ana Lima ")
	h.keys("u")
	if h.status() != "Undone: archived Ana Lima." {
		t.Fatalf("status = %q", h.status())
	}
	if c, _ := findByName(t, s, "Ana Lima"); !c.Active() {
		t.Fatal("undo did not restore")
	}
	h.mustShow("Ana Lima")
	if len(h.customers().rows) != 5 {
		t.Fatalf("after undo the list has %d rows", len(h.customers().rows))
	}
}

func TestArchivedCustomersCanBeRestored(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	h.keys("f", "j", "enter", "enter") // archived filter, open Carla
	h.mustShow("Carla Mendes", "archived", "d restore")
	h.keys("d")
	h.mustShow("Restore Carla Mendes to the active customers?")
	h.keys("y")
	if c, _ := findByName(t, s, "Carla Mendes"); !c.Active() {
		t.Fatal("y did not restore")
	}
	if h.status() != "Restored Carla Mendes." {
		t.Fatalf("status = %q", h.status())
	}
}

func TestDeleteForGoodNeedsTheNameTyped(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	h.keys("D")
	h.mustShow("Delete Ana Lima for good?", "Type their name to confirm")
	// Typed keys go into the field, not to the list.
	h.typeText("Ana").keys("enter")
	if _, ok := findByName(t, s, "Ana Lima"); !ok {
		t.Fatal("a wrong name deleted anyway")
	}
	if !strings.Contains(h.status(), "did not match") {
		t.Fatalf("status = %q", h.status())
	}
	h.keys("D").typeText("Ana Lima").keys("esc")
	if _, ok := findByName(t, s, "Ana Lima"); !ok {
		t.Fatal("esc deleted anyway")
	}
	h.keys("D").typeText("ana  lima").keys("enter")
	if _, ok := findByName(t, s, "Ana Lima"); ok {
		t.Fatal("the right name did not delete")
	}
	if h.status() != "Deleted Ana Lima for good." {
		t.Fatalf("status = %q", h.status())
	}
	for _, e := range h.customers().rows {
		if e.c.Name == "Ana Lima" {
			t.Fatal("still in the list")
		}
	}
	// Nothing of them is left to undo.
	h.keys("u")
	if h.app.status.kind != statusError {
		t.Fatalf("undo after a delete for good said %q", h.status())
	}
}

func TestHistoryShowsWhatChangedWhenAndFromWhichWindow(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 100, 30)
	h.keys("e", "tab").typeText("0").keys("ctrl+s")
	h.keys("h")
	h.mustShow("History of Ana Lima", "Edited Ana Lima: phone", "by maria@counter (tui)", "Added Ana Lima", "by maria@counter (cli)", "2026-11-25 15:00")
	h.keys("esc")
	if h.customers().screen != screenList {
		t.Fatal("esc should go back to where history was opened from")
	}
	h.keys("enter", "h", "esc")
	if h.customers().screen != screenDetail {
		t.Fatal("history from the detail should go back to the detail")
	}
}

func TestEmptyFileExplainsWhatToDo(t *testing.T) {
	h := newHarness(t, newFile(t), 80, 24)
	h.mustShow("No customers yet", "add your first customer", "patron demo", "patron import")
	h.keys("j", "enter", "e", "d", "D", "h") // nothing selected: nothing happens, nothing breaks
	if h.customers().screen != screenList || h.customers().dialog != nil {
		t.Fatal("keys on an empty list should do nothing")
	}
}

func TestListLoadsInChunksAndIsUsableMeanwhile(t *testing.T) {
	s := newFile(t)
	for i := 0; i < firstPageSize+50; i++ {
		addCustomer(t, s, model.Customer{Name: "Customer " + string(rune('A'+i%26)) + thousands(i)})
	}
	h := newHarness(t, s, 80, 24)
	cv := h.customers()
	// Start again by hand, one page at a time.
	_, cmd := cv.Update(reloadMsg{})
	var msg listPageMsg
	for _, c := range cmd().(tea.BatchMsg) {
		switch m := c().(type) {
		case listPageMsg:
			msg = m
		case countMsg:
			cv.Update(m)
		}
	}
	_, next := cv.Update(msg)
	if !cv.loading || len(cv.byID) != firstPageSize {
		t.Fatalf("after the first page: loading=%v, %d loaded", cv.loading, len(cv.byID))
	}
	if !strings.Contains(cv.Status(), "loading 200 of 250") {
		t.Fatalf("status = %q", cv.Status())
	}
	cv.Update(press("j"))
	if cv.cursor != 1 {
		t.Fatal("the list should move while loading")
	}
	h.run(next)
	if cv.loading || len(cv.byID) != firstPageSize+50 {
		t.Fatalf("after loading: loading=%v, %d loaded", cv.loading, len(cv.byID))
	}
}

func TestDetailOfACustomerDeletedElsewhereGoesBack(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	h.keys("enter")
	ana, _ := findByName(t, s, "Ana Lima")
	if err := s.DeleteCustomerForGood(ana.ID); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	if h.customers().screen != screenList {
		t.Fatal("the detail of a deleted customer should close")
	}
	if !strings.Contains(h.status(), "deleted in another window") {
		t.Fatalf("status = %q", h.status())
	}
}

func TestErrorsFromTheStoreAreSentences(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.send(customerSavedMsg{err: errors.New("patron.db is being saved by another Patron window; try again in a moment")})
	if h.app.status.kind != statusError {
		t.Fatal("a failed save should show as an error")
	}
	h.mustShow("✗ patron.db is being saved by another Patron window")
}

func TestAnEditKeepsWhatAnotherWindowChangedMeanwhile(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	h.keys("e", "tab", "ctrl+u").typeText("555 0303")
	// Meanwhile, at the counter, someone adds a note.
	ana, _ := findByName(t, s, "Ana Lima")
	ana.Notes = "Ordered the wedding bouquet."
	if _, err := s.UpdateCustomer(ana); err != nil {
		t.Fatal(err)
	}
	h.keys("ctrl+s")
	got, _ := findByName(t, s, "Ana Lima")
	if got.Phone != "555 0303" || got.Notes != "Ordered the wedding bouquet." {
		t.Fatalf("phone %q, notes %q: the save should keep the other window's note", got.Phone, got.Notes)
	}
}

func TestSavingAnEditOfACustomerDeletedElsewhereSaysSo(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	h.keys("e", "tab").typeText("9")
	ana, _ := findByName(t, s, "Ana Lima")
	if err := s.DeleteCustomerForGood(ana.ID); err != nil {
		t.Fatal(err)
	}
	h.keys("ctrl+s")
	if !strings.Contains(h.status(), "Ana Lima was deleted in another window") {
		t.Fatalf("status = %q", h.status())
	}
	if h.customers().screen != screenForm {
		t.Fatal("the form should stay open with what was typed")
	}
}

func TestDeleteForGoodFromTheDetail(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	h.keys("G", "enter", "D").typeText("Elena Rossi").keys("enter")
	if _, ok := findByName(t, s, "Elena Rossi"); ok {
		t.Fatal("not deleted")
	}
	if h.customers().screen != screenList {
		t.Fatal("after deleting, the detail should give way to the list")
	}
}

func TestHistoryScrolls(t *testing.T) {
	s := shopFile(t)
	ana, _ := findByName(t, s, "Ana Lima")
	for i := 0; i < 15; i++ {
		ana.Notes = "note " + thousands(i)
		var err error
		if ana, err = s.UpdateCustomer(ana); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, s, 80, 24)
	h.keys("h")
	h.mustNotShow("Added Ana Lima") // the oldest change is below the fold
	for i := 0; i < 20; i++ {
		h.keys("j")
	}
	h.mustShow("Added Ana Lima")
	for i := 0; i < 20; i++ {
		h.keys("k")
	}
	h.mustNotShow("Added Ana Lima")
}

func TestFormEnterMovesOnAndPasteIsTyped(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("a").send(tea.PasteMsg{Content: "Rui\x1b[31m Costa"})
	h.keys("enter")
	f := h.customers().form.f
	if f.focus != 1 {
		t.Fatal("enter should move to the next field")
	}
	if got := f.get("name"); got != "Rui[31m Costa" && got != "Rui Costa" {
		t.Fatalf("pasted name = %q", got)
	}
	if strings.Contains(f.get("name"), "\x1b") {
		t.Fatal("a pasted escape reached the field")
	}
}

func TestNoContactToggleTakesSpaceYAndN(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("a")
	f := h.customers().form.f
	for f.fields[f.focus].key != "nocontact" {
		h.keys("tab")
	}
	steps := []struct {
		key  string
		want string
	}{{"y", "yes"}, {"y", "yes"}, {"n", "no"}, {"space", "yes"}, {"x", "no"}, {"q", "no"}}
	for _, s := range steps {
		h.keys(s.key)
		if got := f.get("nocontact"); got != s.want {
			t.Fatalf("after %q the toggle says %q, want %q", s.key, got, s.want)
		}
	}
	if h.quit {
		t.Fatal("q on the toggle quit")
	}
	h.mustShow("[ ] no")
}

func TestArrowsMoveTheSelectionWhileSearching(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("/").typeText("a")
	first := h.selectedName()
	h.keys("down")
	if h.selectedName() == first {
		t.Fatal("down should move while typing a search")
	}
	h.keys("up")
	if h.selectedName() != first {
		t.Fatal("up should move back")
	}
	if !h.customers().searching {
		t.Fatal("arrows should leave the search field open")
	}
}
