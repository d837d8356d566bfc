package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// logTab is the Log tab.
func (h *harness) logTab() *logView {
	for _, t := range h.app.tabs {
		if v, ok := t.view.(*logView); ok {
			return v
		}
	}
	h.t.Fatal("there is no Log tab")
	return nil
}

func TestParseRange(t *testing.T) {
	// testNow is Wednesday 2026-11-25, 15:00 UTC.
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	var zero time.Time
	cases := []struct {
		in          string
		from, until time.Time
		err         string
	}{
		{"", zero, zero, ""},
		{"today", d(2026, 11, 25), d(2026, 11, 26), ""},
		{"Yesterday", d(2026, 11, 24), d(2026, 11, 25), ""},
		{"this week", d(2026, 11, 23), d(2026, 11, 30), ""},
		{"last  week", d(2026, 11, 16), d(2026, 11, 23), ""},
		{"this month", d(2026, 11, 1), d(2026, 12, 1), ""},
		{"last month", d(2026, 10, 1), d(2026, 11, 1), ""},
		{"this year", d(2026, 1, 1), d(2027, 1, 1), ""},
		{"last year", d(2025, 1, 1), d(2026, 1, 1), ""},
		{"2026-11-20", d(2026, 11, 20), d(2026, 11, 21), ""},
		{"2026-02", d(2026, 2, 1), d(2026, 3, 1), ""},
		{"-3d", d(2026, 11, 22), d(2026, 11, 23), ""},
		{"last monday", d(2026, 11, 23), d(2026, 11, 24), ""},
		{"since 2026-11-01", d(2026, 11, 1), zero, ""},
		{"until 2026-11-01", zero, d(2026, 11, 2), ""},
		{"2026-11-01..2026-11-15", d(2026, 11, 1), d(2026, 11, 16), ""},
		{"2026-11-01 .. yesterday", d(2026, 11, 1), d(2026, 11, 25), ""},
		{"..2026-11-15", zero, d(2026, 11, 16), ""},
		{"2026-11-15..2026-11-01", zero, zero, "dates end before they begin"},
		{"2026-13-01", zero, zero, "not understood"},
		{"whenever", zero, zero, "use this week, last month"},
		{"since soon", zero, zero, "not a date"},
	}
	for _, tc := range cases {
		from, until, err := parseRange(tc.in, testNow, time.UTC)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !from.Equal(tc.from) || !until.Equal(tc.until) {
			t.Errorf("%q = %v..%v, %v; want %v..%v", tc.in, from, until, err, tc.from, tc.until)
		}
	}
	// Days are the shop's: a week in Lisbon starts at Lisbon's midnight.
	lisbon, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Skip("no time zone data")
	}
	from, _, _ := parseRange("today", testNow, lisbon)
	if want := time.Date(2026, 11, 25, 0, 0, 0, 0, lisbon); !from.Equal(want) {
		t.Errorf("today in São Paulo begins %v, want %v", from, want)
	}
}

func TestLogTabShowsEverythingNewestFirst(t *testing.T) {
	h := newHarness(t, logFile(t), 120, 40)
	h.keys("2")
	v := h.logTab()
	if len(v.rows) != 16 || v.more {
		t.Fatalf("%d rows, more %v", len(v.rows), v.more)
	}
	for i := 1; i < len(v.rows); i++ {
		if v.rows[i].At.After(v.rows[i-1].At) {
			t.Fatalf("row %d is newer than row %d", i, i-1)
		}
	}
	h.mustShow("Log · everything, newest first", "2026-11-24 15:00  ● purchase       Anabela Sousa",
		"! complaint      Ana Lima", "open late delivery", "→ referral       Ana Lima", "sent Bruno Costa · her cousin",
		"★ feedback       Ana Lima", "5/5", "↺ return/repair  Ana Lima", "−€9,90", "End of the log.", "16 interactions")
}

func TestLogTabFilters(t *testing.T) {
	h := newHarness(t, logFile(t), 120, 40)
	h.keys("2")
	v := h.logTab()
	kinds := func() string {
		var s []string
		for _, e := range v.rows {
			s = append(s, string(e.Kind))
		}
		return strings.Join(s, " ")
	}
	h.keys("f")
	h.mustShow("Show which kind?", "a all kinds", "o ! open complaints", "p ● purchase")
	h.keys("p")
	if kinds() != strings.TrimSpace(strings.Repeat("purchase ", 8)) {
		t.Fatalf("purchases: %s", kinds())
	}
	h.mustShow("Showing ● purchase", "8 interactions shown")
	h.keys("o")
	if len(v.rows) != 1 || !v.rows[0].OpenComplaint() {
		t.Fatalf("open complaints: %s", kinds())
	}
	h.mustShow("Showing open complaints", "the roses came a day late")
	h.keys("o")
	if len(v.rows) != 16 {
		t.Fatal("o again should show every kind")
	}
	h.keys("d").typeText("last month").keys("enter")
	for _, e := range v.rows {
		if e.At.Month() != time.October {
			t.Fatalf("last month shows %v", e.At)
		}
	}
	if len(v.rows) != 3 { // Ana's purchase and complaint, Anabela's purchase
		t.Fatalf("last month: %d rows", len(v.rows))
	}
	h.mustShow("Showing last month")
	h.keys("d")
	if v.input.Value() != "last month" {
		t.Fatalf("d again holds %q: the range should stay, ready to change", v.input.Value())
	}
	h.keys("esc", "esc")
	if !v.filter.IsZero() || len(v.rows) != 16 {
		t.Fatal("esc should clear every filter")
	}
	h.keys("/").typeText("TULIPS")
	if len(v.rows) != 1 || v.rows[0].Kind != model.KindReturn {
		t.Fatalf("text: %s", kinds())
	}
	h.keys("enter")
	if v.Capturing() {
		t.Fatal("enter should keep the text and leave the field")
	}
	h.mustShow("Showing “TULIPS”")
	h.keys("/").typeText("x").keys("esc")
	if v.filter.Text != "" || len(v.rows) != 16 {
		t.Fatal("esc in the text field should clear the text")
	}
	h.keys("/").typeText("bruno") // a name: his purchase and his note
	if kinds() != "note purchase" || v.rows[0].Name != "Bruno Costa" || v.rows[1].Name != "Bruno Costa" {
		t.Fatalf("text bruno: %s", kinds())
	}
}

func TestLogTabDatesExplainAMistake(t *testing.T) {
	h := newHarness(t, logFile(t), 80, 24)
	h.keys("2", "d").typeText("whenever").keys("enter")
	h.mustShow("✗ dates \"whenever\" are not understood")
	v := h.logTab()
	if !v.Capturing() || v.input.Value() != "whenever" {
		t.Fatal("a range not understood should keep the field open with the text")
	}
	h.keys("esc")
	if v.Capturing() || !v.filter.IsZero() {
		t.Fatal("esc should leave the dates as they were")
	}
}

func TestLogTabEnterOpensThatCustomer(t *testing.T) {
	h := newHarness(t, logFile(t), 80, 24)
	h.keys("2", "j", "j") // the newest three: Anabela's purchase, Ana's call, Ana's return
	want := h.logTab().rows[2]
	h.keys("enter")
	if h.app.active != 0 || h.customers().screen != screenDetail || h.customers().detail.id != want.Customer {
		t.Fatalf("enter opened tab %d, customer #%d; want #%d", h.app.active, h.customers().detail.id, want.Customer)
	}
	h.mustShow(want.Name)
}

func TestLogTabPagesAsTheCursorNearsTheEnd(t *testing.T) {
	s := shopFile(t)
	for i := range 260 {
		if _, err := s.AddInteraction(model.Interaction{Customer: 2, Kind: model.KindCall, At: days(i).Add(-time.Hour), Note: fmt.Sprint("call ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, s, 80, 24)
	h.keys("2")
	v := h.logTab()
	if len(v.rows) != logPageSize || !v.more {
		t.Fatalf("the tab opened with %d rows (more %v), want one page", len(v.rows), v.more)
	}
	h.mustShow("100 interactions loaded")
	h.keys("pgdown", "pgdown")
	if len(v.rows) != logPageSize {
		t.Fatal("a page was read long before the end")
	}
	h.keys("G")
	if len(v.rows) != 2*logPageSize {
		t.Fatalf("near the end %d rows are loaded, want two pages", len(v.rows))
	}
	h.keys("G", "G")
	if len(v.rows) != 268 || v.more {
		t.Fatalf("%d rows, more %v; want all 268", len(v.rows), v.more)
	}
	h.mustShow("End of the log.")
	seen := map[model.ID]bool{}
	for i, e := range v.rows {
		if seen[e.ID] {
			t.Fatalf("#%d shows twice", e.ID)
		}
		seen[e.ID] = true
		if i > 0 && newer(&e, &v.rows[i-1]) {
			t.Fatalf("row %d is newer than the one above", i)
		}
	}
}

// The open complaints are read from every customer's list, in short
// opens that resume one after the other until all are in, by time.
func TestLogTabOpenComplaintsReadEveryCustomer(t *testing.T) {
	s := shopFile(t)
	for i := range 60 {
		in := model.Interaction{Customer: 2, Kind: model.KindCall, At: days(i).Add(-time.Hour)}
		if i%20 == 19 {
			in.Kind, in.Category = model.KindComplaint, "late"
		}
		if _, err := s.AddInteraction(in); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, s, 80, 24)
	h.keys("2", "o")
	v := h.logTab()
	if len(v.rows) != 3 || v.more {
		t.Fatalf("%d open complaints, more %v", len(v.rows), v.more)
	}
	for i := 1; i < len(v.rows); i++ {
		if newer(&v.rows[i], &v.rows[i-1]) {
			t.Fatal("the open complaints are not newest first")
		}
	}
}

func TestAnotherWindowsLogAppearsAtTheTopOfTheLogTab(t *testing.T) {
	other := logFile(t)
	h := newHarness(t, other, 120, 40)
	h.keys("2")
	v := h.logTab()
	in, err := other.AddInteraction(model.Interaction{Customer: 3, Kind: model.KindPurchase, At: testNow, Amount: 2490, Note: "from the till"})
	if err != nil {
		t.Fatal(err)
	}
	h.mustNotShow("from the till")
	h.send(tickMsg{})
	if v.rows[0].ID != in.ID || v.cursor != 0 {
		t.Fatalf("the new purchase is not at the top with the selection: %+v", v.rows[0])
	}
	h.mustShow("Carla Mendes", "from the till", "€24,90")
	// An edit and a delete elsewhere follow too.
	in.Note = "from the till, gift wrapped"
	if _, err := other.UpdateInteraction(in); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	h.mustShow("gift wrapped")
	if err := other.DeleteInteraction(in.ID); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	h.mustNotShow("from the till")
	if len(v.rows) != 16 {
		t.Fatalf("%d rows after the delete", len(v.rows))
	}
	// A rename shows on the customer's rows.
	c, _ := other.Customer(1)
	c.Name = "Ana Lima Santos"
	if _, err := other.UpdateCustomer(c); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	h.mustShow("Ana Lima Santos")
}

func TestThisWindowsLogShowsAtOnceInTheLogTab(t *testing.T) {
	h := newHarness(t, logFile(t), 120, 40)
	h.keys("l", "v").typeText("picked up ribbons").keys("ctrl+s", "2")
	v := h.logTab()
	if v.rows[0].Note != "picked up ribbons" || v.rows[0].Name != "Ana Lima" {
		t.Fatalf("the top row is %+v", v.rows[0])
	}
	h.mustShow("picked up ribbons")
}

func TestAnImportReadsTheLogAgain(t *testing.T) {
	h := newHarness(t, logFile(t), 80, 24)
	v := h.logTab()
	gen := v.gen
	h.send(changesMsg{changes: []store.Change{{Seq: 99, Import: true}}})
	if v.gen == gen || len(v.rows) != 16 {
		t.Fatal("an import should read the log again")
	}
}

func TestLogTabWhenNothingIsLogged(t *testing.T) {
	h := newHarness(t, newFile(t), 80, 24)
	h.keys("2")
	h.mustShow("Nothing is logged yet.", "l on a customer logs")
	h.keys("j", "enter", "G", "g")
	h.keys("o")
	h.mustShow("Nothing logged matches these filters.")
}

func TestGoldenLogTab(t *testing.T) {
	cases := []struct {
		name  string
		setup func(h *harness)
	}{
		{"all", func(h *harness) { h.keys("2", "j") }},
		{"kinds", func(h *harness) { h.keys("2", "f") }},
		{"complaints", func(h *harness) { h.keys("2", "o") }},
		{"dates", func(h *harness) { h.keys("2", "d").typeText("last month").keys("enter", "/").typeText("flowers") }},
		{"empty", func(h *harness) { h.keys("2", "/").typeText("zzz") }},
	}
	for _, tc := range cases {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", tc.name, size[0], size[1]), func(t *testing.T) {
				h := newHarness(t, logFile(t), size[0], size[1])
				tc.setup(h)
				golden.RequireEqual(t, h.screen())
			})
		}
	}
}

func TestOpenComplaintsFollowNewAndResolvedOnes(t *testing.T) {
	other := logFile(t)
	h := newHarness(t, other, 120, 40)
	h.keys("2", "o")
	v := h.logTab()
	if len(v.rows) != 1 {
		t.Fatalf("%d open complaints", len(v.rows))
	}
	in, err := other.AddInteraction(model.Interaction{Customer: 2, Kind: model.KindComplaint, At: days(200), Category: "wrong colour"})
	if err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	if len(v.rows) != 2 || v.rows[1].ID != in.ID {
		t.Fatalf("another window's old complaint is not in its place: %+v", v.rows)
	}
	h.mustShow("wrong colour")
	// Resolving one here takes it off the list.
	h.keys("enter", "tab", "R")
	h.typeText("refunded").keys("ctrl+s", "2")
	if len(v.rows) != 1 || v.rows[0].ID != in.ID {
		t.Fatalf("after resolving, the open complaints are %+v", v.rows)
	}
}
