package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/patron-crm/patron/model"
)

func TestTimelineGroupsByMonthWithOpenComplaintsFirst(t *testing.T) {
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	list := []model.Interaction{ // newest first, as the store reads them
		{ID: 6, Kind: model.KindPurchase, At: at(2026, 11, 22)},
		{ID: 5, Kind: model.KindComplaint, At: at(2026, 11, 20)},
		{ID: 4, Kind: model.KindCall, At: at(2026, 10, 30)},
		{ID: 3, Kind: model.KindComplaint, At: at(2026, 10, 2), Resolved: true},
		{ID: 2, Kind: model.KindComplaint, At: at(2025, 12, 1)},
		{ID: 1, Kind: model.KindVisit, At: at(2025, 12, 1)},
	}
	var tl timeline
	tl.set(list, time.UTC)
	var got []string
	for _, r := range tl.rows {
		if r.heading != "" {
			got = append(got, r.heading)
		} else {
			got = append(got, fmt.Sprint(list[r.i].ID))
		}
	}
	want := "Open complaints 5 2 November 2026 6 October 2026 4 3 December 2025 1"
	if strings.Join(got, " ") != want {
		t.Fatalf("rows %v\nwant %s", got, want)
	}
	if tl.open != 2 || tl.current().ID != 5 {
		t.Fatalf("open %d, selected #%d", tl.open, tl.current().ID)
	}
	// Reading it again keeps the selection on the same interaction.
	tl.move(2) // #6
	if tl.current().ID != 6 {
		t.Fatalf("moved to #%d", tl.current().ID)
	}
	tl.set(append([]model.Interaction{{ID: 7, Kind: model.KindVisit, At: at(2026, 11, 24)}}, list...), time.UTC)
	if tl.current().ID != 6 {
		t.Fatalf("after a new interaction the selection is on #%d", tl.current().ID)
	}
	tl.move(-100)
	if tl.current().ID != 5 {
		t.Fatal("moving up stops on the first interaction, not a heading")
	}
	tl.move(100)
	if tl.current().ID != 1 {
		t.Fatal("moving down stops on the last interaction")
	}
}

func TestTabMovesTheFocusBetweenProfileAndTimeline(t *testing.T) {
	h := newHarness(t, logFile(t), 80, 24)
	h.keys("enter")
	cv := h.customers()
	if cv.detail.focus != paneProfile {
		t.Fatal("the detail should open with the profile focused")
	}
	h.mustShow("profile focused", "tab timeline", "  Timeline · 9 interactions · 1 open complaint")
	h.keys("j")
	if cv.detail.offset != 1 {
		t.Fatal("j should scroll the focused profile")
	}
	h.keys("tab")
	if cv.detail.focus != paneTimeline {
		t.Fatal("tab did not focus the timeline")
	}
	h.mustShow("timeline focused", "tab profile", "> Timeline")
	if got := cv.detail.tl.current(); got.Kind != model.KindComplaint || got.Resolved {
		t.Fatalf("the timeline opens on %+v, want the open complaint", got)
	}
	h.mustShow("R resolve")
	h.keys("j")
	if got := cv.detail.tl.current(); got.Kind != model.KindCall {
		t.Fatalf("j moved to a %s, want the newest interaction, the call", got.Kind)
	}
	h.mustNotShow("R resolve") // only on a complaint
	h.keys("j", "G")
	if got := cv.detail.tl.current(); got.At.After(days(190)) {
		t.Fatalf("G moved to %v, want the oldest", got.At)
	}
	h.keys("g")
	if got := cv.detail.tl.current(); !got.OpenComplaint() {
		t.Fatal("g should go back to the top")
	}
	h.keys("tab")
	if cv.detail.focus != paneProfile {
		t.Fatal("tab did not go back to the profile")
	}
	// With the profile focused, e edits the customer, not an interaction.
	h.keys("e")
	if cv.screen != screenForm {
		t.Fatal("e on the profile should edit the customer")
	}
	h.keys("esc")
	// l logs from either pane.
	h.keys("tab", "l")
	if _, ok := cv.dialog.(*quickLog); !ok {
		t.Fatal("l in the timeline did not open the quick log")
	}
}

func TestTimelineEditsTheSelectedInteraction(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("enter", "tab", "e")
	q, ok := h.customers().dialog.(*quickLog)
	if !ok || q.editing == nil {
		t.Fatal("e did not open the interaction's form")
	}
	if q.f.get("amount") != "24.90" || q.f.get("note") != "flowers" || q.f.get("when") != "2026-11-22 15:00" {
		t.Fatalf("the form holds %q %q %q", q.f.get("amount"), q.f.get("note"), q.f.get("when"))
	}
	h.mustShow("Edit a purchase for Ana Lima")
	for range 5 {
		h.keys("backspace")
	}
	h.typeText("30").keys("ctrl+s")
	if h.status() != "Saved the purchase for Ana Lima." {
		t.Fatalf("status = %q", h.status())
	}
	h.mustShow("€30,00")
	h.keys("tab")
	h.mustShow("€195,50 spent")
	list, _ := h.s.Interactions(1)
	if list[0].Amount != 3000 || !list[0].At.Equal(days(3)) || list[0].Note != "flowers" {
		t.Fatalf("stored %+v", list[0])
	}
	if e := h.customers().byID[1]; e.c.Stats.Spend != 19550 {
		t.Fatalf("the list row's spend is %d", e.c.Stats.Spend)
	}
}

func TestTimelineDeleteAsksAndUndoBringsItBack(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("enter", "tab", "d")
	h.mustShow("Delete this purchase of €24,90 on 22 Nov 2026?", "Ana Lima's visits, spend and points follow. u undoes it.")
	h.keys("n")
	if list, _ := h.s.Interactions(1); len(list) != 3 {
		t.Fatal("n deleted")
	}
	h.keys("d", "esc")
	if list, _ := h.s.Interactions(1); len(list) != 3 {
		t.Fatal("esc deleted")
	}
	h.keys("d", "y")
	if h.status() != "Deleted the purchase for Ana Lima." {
		t.Fatalf("status = %q", h.status())
	}
	if list, _ := h.s.Interactions(1); len(list) != 2 {
		t.Fatal("y did not delete")
	}
	h.mustShow("2 interactions")
	h.mustNotShow("€24,90")
	h.keys("tab")
	h.mustShow("2 visits · 2 purchases · €165,50 spent")
	if e := h.customers().byID[1]; e.c.Stats.Spend != 16550 || e.c.Stats.Visits != 2 {
		t.Fatalf("the list row holds %+v", e.c.Stats)
	}
	h.keys("u")
	if !strings.HasPrefix(h.status(), "Undone: deleted purchase for Ana Lima") {
		t.Fatalf("status = %q", h.status())
	}
	h.mustShow("€24,90", "3 interactions", "€190,40 spent")
}

func TestRRecordsTheResolutionAndTheDate(t *testing.T) {
	h := newHarness(t, logFile(t), 120, 40)
	h.keys("enter", "tab") // the open complaint is selected first
	h.keys("R")
	h.mustShow("Resolve the complaint of 6 Oct 2026: late delivery", "What was done", "Resolved on")
	h.typeText("sent fresh roses").keys("tab").typeText("2026-10-01").keys("tab")
	h.mustShow("resolved on is before the complaint")
	h.keys("shift+tab")
	for range 10 {
		h.keys("backspace")
	}
	h.typeText("yesterday").keys("ctrl+s")
	if h.status() != "Resolved the complaint for Ana Lima." {
		t.Fatalf("status = %q", h.status())
	}
	list, _ := h.s.Interactions(1)
	var co model.Interaction
	for _, in := range list {
		if in.Kind == model.KindComplaint && in.Category == "late delivery" {
			co = in
		}
	}
	if !co.Resolved || co.Resolution != "sent fresh roses" || !co.ResolvedAt.Equal(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("stored %+v", co)
	}
	h.mustNotShow("Open complaints", "open complaint")
	h.mustShow("resolved 24 Nov: sent fresh roses")
	if c, _ := h.s.Customer(1); c.Stats.OpenComplaints != 0 {
		t.Fatal("the customer still has an open complaint")
	}
}

func TestResolvedOnTheComplaintsOwnDay(t *testing.T) {
	c := &common{styles: NewStyles(true), settings: model.DefaultSettings(), now: fixedNow}
	c.settings.TimeZone = "UTC"
	in := model.Interaction{ID: 3, Customer: 1, Kind: model.KindComplaint, At: time.Date(2026, 10, 6, 15, 0, 0, 0, time.UTC)}
	r, _ := newResolveDialog(c, model.Customer{ID: 1, Name: "Ana"}, in, nil)
	// A day without a time is noon, before the complaint's 15:00: still fine.
	if at, err := r.when("2026-10-06"); err != nil || !at.Equal(in.At) {
		t.Fatalf("the complaint's own day gives %v, %v", at, err)
	}
	if _, err := r.when("2026-10-06 14:00"); err == nil {
		t.Fatal("an hour before the complaint was accepted")
	}
	if at, err := r.when(""); err != nil || !at.Equal(testNow) {
		t.Fatalf("empty gives %v, %v; want now", at, err)
	}
	if _, err := r.when("tomorrow"); err == nil || !strings.Contains(err.Error(), "future") {
		t.Fatalf("tomorrow gives %v", err)
	}
}

func TestRResolvesOnlyComplaints(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("enter", "tab", "R")
	if h.status() != "R resolves a complaint; this is a purchase." || h.customers().dialog != nil {
		t.Fatalf("status = %q", h.status())
	}
}

func TestTimelineKeysWithNothingLogged(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("j", "j", "j", "enter") // Diogo Alves: nothing logged
	h.mustShow("Nothing logged yet")
	h.keys("tab", "j", "e")
	if h.customers().dialog != nil || !strings.Contains(h.status(), "Nothing is logged for Diogo Alves yet") {
		t.Fatalf("status = %q", h.status())
	}
}

func TestAnotherWindowsLogShowsInTheOpenTimeline(t *testing.T) {
	other := shopFile(t)
	h := newHarness(t, other, 80, 24)
	h.keys("enter", "tab")
	if _, err := other.AddInteraction(model.Interaction{Customer: 1, Kind: model.KindCall, At: testNow, Note: "rang about Saturday"}); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	h.mustShow("rang about Saturday", "4 interactions")
	if got := h.customers().detail.tl.current(); got.Kind != model.KindPurchase {
		t.Fatal("another window's log moved the selection")
	}
}

func TestGoldenTimeline(t *testing.T) {
	cases := []struct {
		name string
		keys []string
	}{
		{"profile", []string{"enter"}},
		{"timeline", []string{"enter", "tab", "j", "j"}},
		{"edit", []string{"enter", "tab", "j", "e"}},
		{"resolve", []string{"enter", "tab", "R"}},
		{"delete", []string{"enter", "tab", "j", "d"}},
		{"chooser", []string{"l"}},
	}
	for _, tc := range cases {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", tc.name, size[0], size[1]), func(t *testing.T) {
				h := newHarness(t, logFile(t), size[0], size[1])
				h.keys(tc.keys...)
				golden.RequireEqual(t, h.screen())
			})
		}
	}
}

// BenchmarkTimelineView2000 is opening a customer with 2,000 interactions
// once they are read: grouping the timeline and drawing the detail.
func BenchmarkTimelineView2000(b *testing.B) {
	c := &common{styles: NewStyles(true), settings: model.DefaultSettings(), now: fixedNow}
	v := newCustomersView(c)
	v.SetSize(120, 40)
	kinds := []model.Kind{model.KindPurchase, model.KindVisit, model.KindCall, model.KindFeedback, model.KindComplaint, model.KindNote}
	list := make([]model.Interaction, 2000)
	for i := range list {
		k := kinds[i%len(kinds)]
		in := model.Interaction{ID: model.ID(2000 - i), Customer: 1, Kind: k, At: testNow.Add(-time.Duration(i) * 37 * time.Hour), Note: "bought tulips and a card"}
		switch k {
		case model.KindPurchase:
			in.Amount = model.Money(100 + i)
		case model.KindFeedback:
			in.Score = 1 + i%5
		case model.KindComplaint:
			in.Category, in.Resolved = "late delivery", i%4 != 0
		}
		list[i] = in
	}
	cust := model.Customer{ID: 1, Name: "Ana Lima", Stats: model.ComputeStats(list, time.UTC)}
	b.ResetTimer()
	for b.Loop() {
		v.detail = detailState{id: 1, c: cust}
		v.screen = screenDetail
		v.gotDetail(detailLoadedMsg{id: 1, c: cust, latest: list, total: len(list)})
		v.detail.focus = paneTimeline
		_ = v.View()
	}
}
