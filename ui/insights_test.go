package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// on is a time in November 2026 (the month of testNow, 25 Nov) or around
// it: on(10, 5) is 5 October at noon, UTC (the shop's zone in tests).
func on(month, day int) time.Time {
	return time.Date(2026, time.Month(month), day, 12, 0, 0, 0, time.UTC)
}

// logged adds interactions through the store, failing the test on a refusal.
func logged(t testing.TB, s *store.Store, list ...model.Interaction) {
	t.Helper()
	for _, in := range list {
		if _, err := s.AddInteraction(in); err != nil {
			t.Fatalf("logging %+v: %v", in, err)
		}
	}
}

// insightsFile is a small shop whose November figures are worked out by
// hand (testNow is 25 November 2026; October is the month before):
//   - Ana bought in October and November, and visited again on the 20th:
//     retained; gave a 5; was sent a card.
//   - Bruno bought in October only (not back yet); complained of a late
//     delivery on the 10th, resolved two days later; gave a 3.
//   - Carla bought in September and October, then left over price: marked
//     lost today.
//   - Diogo made his first purchase in November and complained of wilted
//     flowers the next day, still open.
//   - Elena bought in August and has not been heard of since: lapsed.
//   - Filipe has nothing logged.
//
// So November: retention 1 of 3 (Ana of Ana, Bruno, Carla), 2 buyers (Ana
// returning, Diogo new), revenue 24.90 + 76.00 = 100.90, lost 1 (price),
// complaints 2 (1 open), satisfaction (5+3)/2 = 4.0, 1 card.
func insightsFile(t testing.TB) *store.Store {
	t.Helper()
	s := newFile(t)
	ana := addCustomer(t, s, model.Customer{Name: "Ana Lima", Email: "ana@example.com"})
	bruno := addCustomer(t, s, model.Customer{Name: "Bruno Costa", Phone: "555 0102"})
	carla := addCustomer(t, s, model.Customer{Name: "Carla Mendes"})
	diogo := addCustomer(t, s, model.Customer{Name: "Diogo Alves"})
	elena := addCustomer(t, s, model.Customer{Name: "Elena Rossi"})
	addCustomer(t, s, model.Customer{Name: "Filipe Nunes"})
	buy := func(id model.ID, at time.Time, cents int64) model.Interaction {
		return model.Interaction{Customer: id, Kind: model.KindPurchase, At: at, Amount: model.Money(cents)}
	}
	logged(t, s,
		buy(ana.ID, on(10, 5), 4550), buy(ana.ID, on(11, 3), 2490),
		model.Interaction{Customer: ana.ID, Kind: model.KindVisit, At: on(11, 20)},
		model.Interaction{Customer: ana.ID, Kind: model.KindFeedback, At: on(11, 3).Add(time.Hour), Score: 5},
		model.Interaction{Customer: ana.ID, Kind: model.KindCardSent, At: on(11, 4)},
		buy(bruno.ID, on(10, 12), 89000),
		model.Interaction{Customer: bruno.ID, Kind: model.KindComplaint, At: on(11, 10), Category: "Late delivery",
			Resolved: true, ResolvedAt: on(11, 12), Resolution: "refunded the delivery"},
		model.Interaction{Customer: bruno.ID, Kind: model.KindFeedback, At: on(11, 12).Add(time.Hour), Score: 3},
		buy(carla.ID, on(9, 20), 1500), buy(carla.ID, on(10, 20), 3000),
		buy(diogo.ID, on(11, 18), 7600),
		model.Interaction{Customer: diogo.ID, Kind: model.KindComplaint, At: on(11, 19), Category: "Wilted flowers"},
		buy(elena.ID, on(8, 1), 6000),
	)
	if _, err := s.SetStatus(carla.ID, model.StatusLost, "price", "found it cheaper at the market"); err != nil {
		t.Fatal(err)
	}
	return s
}

// insights is the Insights tab of the harness.
func (h *harness) insights() *insightsView {
	for _, t := range h.app.tabs {
		if v, ok := t.view.(*insightsView); ok {
			return v
		}
	}
	h.t.Fatal("no Insights tab")
	return nil
}

// rowOf is the Insights row with the given label (a part's label too).
func rowOf(t testing.TB, v *insightsView, label string) insightRow {
	t.Helper()
	for _, r := range v.rows() {
		if r.label == label {
			return r
		}
	}
	t.Fatalf("no row %q in %v", label, labels(v.rows()))
	return insightRow{}
}

func labels(rows []insightRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.label)
	}
	return out
}

// select puts the Insights selection on a row by its label.
func (h *harness) selectRow(label string) {
	h.t.Helper()
	v := h.insights()
	for i, r := range v.rows() {
		if r.label == label {
			v.cursor = i
			return
		}
	}
	h.t.Fatalf("no row %q", label)
}

// TestInsightsGoldenViews pins the tab as the owner sees it, ANSI stripped,
// over the hand-worked shop on the fixed clock.
func TestInsightsGoldenViews(t *testing.T) {
	cases := []struct {
		name  string
		file  func(testing.TB) *store.Store
		sizes [][2]int
		setup func(h *harness)
	}{
		{"month", insightsFile, [][2]int{{80, 24}, {120, 40}, {60, 15}}, func(h *harness) { h.keys("5") }},
		{"quarter", insightsFile, [][2]int{{80, 24}, {120, 40}}, func(h *harness) { h.keys("5", "p") }},
		{"charts", insightsFile, [][2]int{{80, 24}}, func(h *harness) { h.keys("5", "G") }},
		{"behind", insightsFile, [][2]int{{80, 24}}, func(h *harness) { h.keys("5", "j", "enter") }},
		{"empty", newFile, [][2]int{{80, 24}}, func(h *harness) { h.keys("5") }},
	}
	for _, tc := range cases {
		for _, size := range tc.sizes {
			t.Run(fmt.Sprintf("%s_%dx%d", tc.name, size[0], size[1]), func(t *testing.T) {
				h := newHarness(t, tc.file(t), size[0], size[1])
				tc.setup(h)
				golden.RequireEqual(t, h.screen())
			})
		}
	}
}

// TestInsightsShowsTheHandWorkedFigures checks the figures of
// insightsFile's comment as the tab shows them, with the previous month
// beside them and the change marked.
func TestInsightsShowsTheHandWorkedFigures(t *testing.T) {
	h := newHarness(t, insightsFile(t), 80, 24)
	h.keys("5")
	v := h.insights()
	for _, want := range []struct{ label, cur, prev, change string }{
		{"Retention rate", "33% (1 of 3)", "100% (1 of 1)", "-67 pts"},
		{"not back yet", "2", "0", "+2"},
		{"Repeat-purchase rate", "50% (1 of 2)", "33% (1 of 3)", "+17 pts"},
		{"New customers", "1", "2", "-1"},
		{"Returning customers", "1", "1", "no change"},
		{"Revenue", "€100,90", "€965,50", "-€864,60"},
		{"Lapsed customers (today)", "1", "—", ""},
		{"thinking of you", "1", "—", ""},
		{"Visits", "3", "3", "no change"},
		{"Average gap between visits", "23.0 days", "30.0 days", "-7.0 days"},
		{"Lost customers", "1", "0", "+1"},
		{"price", "1", "0", "+1"},
		{"Complaints", "2", "0", "+2"},
		{"late delivery", "1", "0", "+1"},
		{"wilted flowers", "1", "0", "+1"},
		{"Open complaints", "1", "0", "+1"},
		{"Median days to resolve", "2.0 days", "—", ""},
		{"Average satisfaction", "4.0 of 5 (2)", "—", ""},
		{"Cards sent", "1", "0", "+1"},
	} {
		r := rowOf(t, v, want.label)
		if r.cur != want.cur || r.prev != want.prev || r.change != want.change {
			t.Errorf("%s: %q beside %q, change %q; want %q beside %q, change %q", want.label, r.cur, r.prev, r.change, want.cur, want.prev, want.change)
		}
	}
	// A rise in lost customers is bad news, in retention good news.
	if r := rowOf(t, v, "Lost customers"); r.dir != 1 || r.better != -1 {
		t.Errorf("lost customers: dir %d better %d", r.dir, r.better)
	}
	h.mustShow("Insights · November 2026 to 25 Nov", "vs October 2026", "▼ 67 pts", "▲ 2")
}

// TestInsightsChangeIsMarkedWithAndWithoutColour: the arrow carries the
// direction in plain text, the colour says whether it is good news.
func TestInsightsChangeIsMarkedWithAndWithoutColour(t *testing.T) {
	h := newHarness(t, insightsFile(t), 80, 24)
	v := h.insights()
	st := v.c.styles
	cols := insightColumns(80)
	good := v.rowLine(insightRow{label: "Retention rate", cur: "50%", prev: "40%", dir: 1, change: "+10 pts", better: 1}, false, cols, 80)
	bad := v.rowLine(insightRow{label: "Lost customers", cur: "3", prev: "1", dir: 1, change: "+2", better: -1}, false, cols, 80)
	down := v.rowLine(insightRow{label: "Complaints", cur: "1", prev: "4", dir: -1, change: "-3", better: -1}, false, cols, 80)
	if !strings.Contains(good, st.Success.Render("▲ 10 pts")) {
		t.Errorf("a good rise is not drawn in the success colour: %q", good)
	}
	if !strings.Contains(bad, st.Error.Render("▲ 2")) {
		t.Errorf("a bad rise is not drawn in the error colour: %q", bad)
	}
	if !strings.Contains(down, st.Success.Render("▼ 3")) {
		t.Errorf("fewer complaints is not drawn as good news: %q", down)
	}
	for _, l := range []string{good, bad, down} {
		if plain := ansi.Strip(l); !strings.Contains(plain, "▲") && !strings.Contains(plain, "▼") {
			t.Errorf("without colour the direction is lost: %q", plain)
		}
	}
	// A share too wide for its column drops its "of" and keeps the rate.
	big := ansi.Strip(v.rowLine(insightRow{label: "Retention rate", cur: "37% (5,930 of 15,836)", curShort: "37%",
		prev: "40% (5,368 of 13,420)", prevShort: "40%", dir: -1, change: "-3 pts", better: 1}, false, cols, 80))
	if !strings.Contains(big, " 37% ") || !strings.Contains(big, " 40% ") || strings.Contains(big, "…") || width(big) > 80 {
		t.Errorf("a wide share: %q", big)
	}
	// A narrow column keeps the arrow when the size does not fit.
	narrow := insightColumns(60)
	if l := ansi.Strip(v.rowLine(insightRow{label: "Revenue", cur: "€1", prev: "€2", dir: -1, change: "-€864,60", better: 1}, false, narrow, 60)); !strings.HasSuffix(strings.TrimSpace(l), "▼") || width(l) > 60 {
		t.Errorf("narrow change: %q", l)
	}
}

// TestInsightsPeriodKeys: [ and ] move the span, never past the current
// one; p changes its length, keeping the span that holds the one shown.
func TestInsightsPeriodKeys(t *testing.T) {
	h := newHarness(t, insightsFile(t), 80, 24)
	h.keys("5")
	v := h.insights()
	label := func() string { return v.span().Label() }
	if label() != "November 2026" {
		t.Fatalf("starts on %s", label())
	}
	h.keys("]")
	if label() != "November 2026" || !strings.Contains(h.status(), "no later one") {
		t.Fatalf("] past today: %s, %q", label(), h.status())
	}
	h.keys("[")
	if label() != "October 2026" {
		t.Fatalf("[ gives %s", label())
	}
	h.mustShow("Insights · October 2026", "vs September 2026", "Oct 2026", "Sep 2026")
	h.mustNotShow("to 25 Nov") // October is complete
	// October: Ana, Bruno and Carla bought; of September's buyer (Carla), 1 of 1 came back.
	if r := rowOf(t, v, "Retention rate"); r.cur != "100% (1 of 1)" {
		t.Errorf("October's retention: %q", r.cur)
	}
	h.keys("[", "[")
	if label() != "August 2026" {
		t.Fatalf("[ [ gives %s", label())
	}
	h.keys("p")
	if label() != "Q3 2026" {
		t.Fatalf("p from August gives %s", label())
	}
	h.keys("]")
	if label() != "Q4 2026" || !v.at.IsZero() {
		t.Fatalf("] from Q3 gives %s (following today: %v)", label(), v.at.IsZero())
	}
	h.keys("p")
	if label() != "2026" {
		t.Fatalf("p from a quarter gives %s", label())
	}
	h.mustShow("Insights · 2026 to 25 Nov", "vs 2025")
	h.keys("p")
	if label() != "November 2026" {
		t.Fatalf("p from the year gives %s", label())
	}
	if v.computing {
		t.Fatal("still working out the figures after the keys")
	}
}

// TestInsightsEnterOpensTheCustomersBehind: enter on a figure lists its
// customers; enter on one opens them in the Customers tab; esc goes back.
func TestInsightsEnterOpensTheCustomersBehind(t *testing.T) {
	h := newHarness(t, insightsFile(t), 80, 24)
	h.keys("5")
	v := h.insights()
	h.selectRow("not back yet")
	h.keys("enter")
	if v.behind == nil {
		t.Fatal("enter opened no list")
	}
	h.mustShow("2 customers who bought in October 2026 but not yet in November 2026", "Bruno Costa", "Carla Mendes", "lost: price")
	h.keys("j", "enter")
	if h.app.active != 0 || h.customers().screen != screenDetail || h.customers().detail.c.Name != "Carla Mendes" {
		t.Fatalf("enter did not open Carla: tab %d, screen %d, %q", h.app.active, h.customers().screen, h.customers().detail.c.Name)
	}
	// Back on the tab, the list is where it was; esc closes it.
	h.keys("5")
	if v.behind == nil || v.behind.cursor != 1 {
		t.Fatal("the list did not wait for the owner's return")
	}
	h.keys("esc")
	if v.behind != nil {
		t.Fatal("esc did not close the list")
	}
	h.mustShow("Retention rate")
	// A figure nobody is behind says so instead of an empty list.
	h.selectRow("Rewards redeemed")
	h.keys("enter")
	if v.behind != nil || !strings.Contains(h.status(), "No customer is behind Rewards redeemed") {
		t.Fatalf("empty figure: list %v, status %q", v.behind != nil, h.status())
	}
	// Lost by reason opens just that reason's customers.
	h.selectRow("price")
	h.keys("enter")
	h.mustShow("1 customer who were marked lost in November 2026 (price)", "Carla Mendes")
}

// TestInsightsRecomputesOnlyWhenTheDataChanges: a poll with nothing new
// works nothing out again; another window's write does, once the data has
// settled, and the figures follow it.
func TestInsightsRecomputesOnlyWhenTheDataChanges(t *testing.T) {
	s := insightsFile(t)
	h := newHarness(t, s, 80, 24)
	h.keys("5")
	v := h.insights()
	gen := v.gen
	h.send(tickMsg{}, tickMsg{})
	if v.gen != gen {
		t.Fatalf("polls with nothing new worked the figures out again (%d -> %d)", gen, v.gen)
	}
	// Another window marks Bruno lost over service.
	if _, err := s.SetStatus(2, model.StatusLost, "service", "waited too long"); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	if v.gen != gen+1 {
		t.Fatalf("the change was not worked in once (%d -> %d)", gen, v.gen)
	}
	if r := rowOf(t, v, "service"); r.cur != "1" {
		t.Fatalf("lost over service: %q", r.cur)
	}
	if r := rowOf(t, v, "Lost customers"); r.cur != "2" {
		t.Fatalf("lost customers: %q", r.cur)
	}

	// With timers running, a change waits for the data to settle: one
	// timer however many changes, then one computation.
	v.c.timers = true
	defer func() { v.c.timers = false }()
	v.src.dataGen++
	if cmd := v.maybeCompute(); cmd == nil || v.computing || !v.waiting {
		t.Fatalf("a change did not wait to settle: computing %v waiting %v", v.computing, v.waiting)
	}
	v.src.dataGen++
	if cmd := v.maybeCompute(); cmd != nil {
		t.Fatal("a second change started a second timer")
	}
	_, cmd := v.Update(insightsSettleMsg{})
	if !v.computing || cmd == nil {
		t.Fatal("the settled data was not worked out")
	}
	v.c.timers = false
	h.run(cmd)
	if v.computing {
		t.Fatal("the computation did not come back")
	}
	// The period moving works out at once, without waiting.
	v.c.timers = true
	_, cmd = v.Update(press("["))
	if !v.computing {
		t.Fatal("[ waited to work out October")
	}
	// Meanwhile a spinner says what is being worked out.
	if scr := ansi.Strip(v.View()); !strings.Contains(scr, "Working out the figures for October 2026") || v.Status() == "" {
		t.Fatalf("no word of the work while October is worked out:\n%s", scr)
	}
	v.c.timers = false
	h.run(cmd)
}

// TestInsightsSelectionStaysInTheWindow: at 80x24 and 60x15, wherever the
// selection goes, its row is drawn, and the charts can be reached.
func TestInsightsSelectionStaysInTheWindow(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {60, 15}} {
		h := newHarness(t, insightsFile(t), size[0], size[1])
		h.keys("5")
		n := len(h.insights().rows())
		for i := 0; i < n+2; i++ {
			if !strings.Contains(h.screen(), "> ") {
				t.Fatalf("%dx%d: row %d is not on the screen:\n%s", size[0], size[1], i, h.screen())
			}
			h.keys("j")
		}
		h.mustShow("Satisfaction per month")
		h.keys("g")
		h.mustShow("> Retention rate")
	}
}

// TestInsightsEmptyFileSaysWhatWillAppear: before anything is logged the
// tab explains what it will show.
func TestInsightsEmptyFileSaysWhatWillAppear(t *testing.T) {
	s := newFile(t)
	addCustomer(t, s, model.Customer{Name: "Ana Lima"})
	h := newHarness(t, s, 80, 24)
	h.keys("5")
	h.mustShow("Nothing to measure yet", "retention and repeat-purchase rates")
	h.keys("enter", "j") // nothing to select: no panic, no list
	if h.insights().behind != nil {
		t.Fatal("enter opened a list on an empty tab")
	}
}

// TestInsightsFailureIsSaidAndTriedAgain: figures that could not be worked
// out say why, and the next key tries again.
func TestInsightsFailureIsSaidAndTriedAgain(t *testing.T) {
	h := newHarness(t, insightsFile(t), 80, 24)
	h.keys("5")
	v := h.insights()
	h.send(insightsDoneMsg{gen: v.gen, key: keyOf(v.span()), basis: v.currentBasis(), res: insightsResult{err: "another Patron is busy with the file"}})
	h.mustShow("The figures could not be worked out:", "another Patron is busy with the file")
	h.keys("j")
	h.mustShow("Retention rate", "33% (1 of 3)")
	h.mustNotShow("could not be worked out")
}

// TestNobodyLoggedSaysWhenThereIsNothingToCount: the tab says nothing is
// logged yet only while no customer has an interaction.
func TestNobodyLoggedSaysWhenThereIsNothingToCount(t *testing.T) {
	a := []model.Customer{{ID: 1, Name: "Ana"}, {ID: 2, Name: "Bruno"}}
	if !nobodyLogged(a) || !nobodyLogged(nil) {
		t.Fatal("nothing logged, yet not empty")
	}
	a[1] = model.Customer{ID: 2, Name: "Bruno", Stats: model.Stats{Interactions: 1}}
	if nobodyLogged(a) {
		t.Fatal("Bruno has an interaction, yet empty")
	}
}

// BenchmarkInsightsSnapshot100k is the tab's own part of working the
// figures out at 100,000 customers: taking the loaded entries on the
// update loop, then unpacking them a chunk at a time into the report's
// builder in the tea.Cmd (the store's walk of the log is
// BenchmarkInsightsStore).
func BenchmarkInsightsSnapshot100k(b *testing.B) {
	v := newCustomersView(&common{styles: NewStyles(true), settings: model.DefaultSettings()})
	for _, c := range manyCustomers(100_000) {
		v.byID[c.ID] = newEntry(*c)
		v.ids = append(v.ids, c.ID)
	}
	b.Run("update loop", func(b *testing.B) {
		for b.Loop() {
			snapshotCustomers(v)
		}
	})
	snap := snapshotCustomers(v)
	b.Run("unpack", func(b *testing.B) {
		for b.Loop() {
			rb := model.NewReportBuilderFor(model.PeriodMonth, testNow, testNow, model.DefaultSettings(), len(snap))
			_ = eachChunk(nil, snap, insightsChunk, rb.AddCustomers)
		}
	})
}
