package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// latestChange is the newest sequence in the change feed: a write moves it.
func latestChange(t testing.TB, s *store.Store) uint64 {
	t.Helper()
	f, err := s.ChangesSince(noChanges)
	if err != nil {
		t.Fatal(err)
	}
	return f.Latest
}

func customerNamed(t testing.TB, s *store.Store, id model.ID) model.Customer {
	t.Helper()
	c, err := s.Customer(id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestLostChooserGolden pins the chooser and its question, ANSI stripped.
func TestLostChooserGolden(t *testing.T) {
	cases := []struct {
		name  string
		size  [2]int
		setup func(h *harness)
	}{
		{"chooser", [2]int{80, 24}, func(h *harness) { h.keys("enter", "L", "j", "j", "tab").typeText("the queue was too long") }},
		{"chooser", [2]int{60, 15}, func(h *harness) { h.keys("enter", "L", "j", "j") }},
		{"confirm", [2]int{80, 24}, func(h *harness) { h.keys("enter", "L", "tab").typeText("found it cheaper at the market").keys("enter") }},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s_%dx%d", tc.name, tc.size[0], tc.size[1]), func(t *testing.T) {
			h := newHarness(t, insightsFile(t), tc.size[0], tc.size[1])
			tc.setup(h)
			golden.RequireEqual(t, h.screen())
		})
	}
}

// TestLostMarksTheCustomerWithReasonAndNote: L, a reason, what they said,
// enter and y mark the customer lost in one change that u undoes.
func TestLostMarksTheCustomerWithReasonAndNote(t *testing.T) {
	s := insightsFile(t)
	h := newHarness(t, s, 80, 24)
	h.keys("enter") // Ana Lima, first by name
	if h.customers().detail.c.Name != "Ana Lima" {
		t.Fatalf("opened %q", h.customers().detail.c.Name)
	}
	h.keys("L")
	h.mustShow("Mark Ana Lima as lost", "Why did they leave?", "organisational")
	h.keys("3", "tab").typeText("the queue was 20 minutes") // digits go into the note, not the reasons
	h.keys("enter")
	h.mustShow("Mark Ana Lima as lost (service)?", "What they said: the queue was 20 minutes")
	h.keys("y")
	c := customerNamed(t, s, 1)
	if c.Status != model.StatusLost || c.LostReason != "service" || c.LostNote != "the queue was 20 minutes" || !c.LostAt.Equal(testNow) {
		t.Fatalf("after y: %s %q %q %v", c.Status, c.LostReason, c.LostNote, c.LostAt)
	}
	h.mustShow("Marked Ana Lima as lost (service).", "#1 · lost", "service, since 2026-11-25")
	h.keys("u")
	if c := customerNamed(t, s, 1); c.Status == model.StatusLost || c.LostReason != "" {
		t.Fatalf("u left her %s (%q)", c.Status, c.LostReason)
	}
	h.mustShow("#1 · active")
}

// TestLostCancelWritesNothing: esc in the chooser, and n then esc at the
// question, leave the file as it was.
func TestLostCancelWritesNothing(t *testing.T) {
	s := insightsFile(t)
	h := newHarness(t, s, 80, 24)
	before := latestChange(t, s)
	h.keys("enter", "L", "j", "tab").typeText("too dear").keys("esc")
	if h.customers().dialog != nil {
		t.Fatal("esc left the chooser open")
	}
	h.keys("L", "enter")
	h.mustShow("Mark Ana Lima as lost (price)?")
	h.keys("n")
	h.mustShow("Why did they leave?") // back to the chooser
	h.keys("esc")
	if after := latestChange(t, s); after != before {
		t.Fatalf("cancelling wrote %d changes", after-before)
	}
	if c := customerNamed(t, s, 1); c.Status == model.StatusLost {
		t.Fatal("cancelling marked her lost")
	}
	if !strings.Contains(h.status(), "Nothing was changed") {
		t.Fatalf("status after cancel: %q", h.status())
	}
}

// TestLostChooserGuardsATypedNote: quitting with what they said typed asks first.
func TestLostChooserGuardsATypedNote(t *testing.T) {
	h := newHarness(t, insightsFile(t), 80, 24)
	h.keys("enter", "L", "tab").typeText("moved to Porto")
	h.send(tea.PasteMsg{Content: ", for work"})
	h.keys("ctrl+c")
	if h.quit {
		t.Fatal("ctrl+c quit with a typed note")
	}
	h.mustShow("Discard what they said and quit?")
	d := h.customers().dialog.(*lostDialog)
	if d.note.Value() != "moved to Porto, for work" {
		t.Fatalf("note: %q", d.note.Value())
	}
}

// TestLostOnALostCustomerChangesTheReasonAndKeepsTheDay: L on someone
// already lost starts from their reason and note, and keeps the day they
// were marked lost (Insights counts them in that period); d restores them.
func TestLostOnALostCustomerChangesTheReasonAndKeepsTheDay(t *testing.T) {
	s := insightsFile(t)
	carla := customerNamed(t, s, 3)
	carla.LostAt = on(11, 2)
	if _, err := s.UpdateCustomer(carla); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, s, 80, 24)
	h.send(openCustomerMsg{id: 3})
	h.mustShow("#3 · lost", "price, since 2026-11-02: “found it cheaper at the market”", "d restore")
	h.keys("L")
	h.mustShow("Why Carla Mendes left (lost since 2026-11-02)", "found it cheaper at the market")
	if d := h.customers().dialog.(*lostDialog); d.reason() != "price" {
		t.Fatalf("starts on %q", d.reason())
	}
	h.keys("j", "enter", "y")
	c := customerNamed(t, s, 3)
	if c.LostReason != "product" || !c.LostAt.Equal(on(11, 2)) || c.LostNote != "found it cheaper at the market" {
		t.Fatalf("after the change: %q since %v, %q", c.LostReason, c.LostAt, c.LostNote)
	}
	h.mustShow("lost since 2026-11-02; the reason is now product")
	// d asks, then restores her to the active customers, clearing why she left.
	h.keys("d")
	h.mustShow("Restore Carla Mendes to the active customers?")
	h.keys("y")
	if c := customerNamed(t, s, 3); c.Status != model.StatusActive || c.LostReason != "" || !c.LostAt.IsZero() {
		t.Fatalf("restored: %s %q %v", c.Status, c.LostReason, c.LostAt)
	}
}

// TestMarkingLostCountsInInsights: a customer marked lost with L shows in
// the Insights tab's lost-by-reason figure once the change comes back.
func TestMarkingLostCountsInInsights(t *testing.T) {
	h := newHarness(t, insightsFile(t), 80, 24)
	h.keys("5")
	v := h.insights()
	if r := rowOf(t, v, "Lost customers"); r.cur != "1" {
		t.Fatalf("lost before: %q", r.cur)
	}
	h.keys("1", "enter", "L", "G", "enter", "y") // organisational
	h.keys("5")
	if r := rowOf(t, v, "Lost customers"); r.cur != "2" {
		t.Fatalf("lost after: %q", r.cur)
	}
	if r := rowOf(t, v, "organisational"); r.cur != "1" || len(r.ids) != 1 || r.ids[0] != 1 {
		t.Fatalf("organisational: %q %v", r.cur, r.ids)
	}
	h.selectRow("organisational")
	h.keys("enter")
	h.mustShow("Ana Lima", "lost: organisational")
}

// TestLostNoteTooLongIsRefusedInTheChooser: the file's limit is said
// before the question, and nothing typed is thrown away.
func TestLostNoteTooLongIsRefusedInTheChooser(t *testing.T) {
	s := insightsFile(t)
	h := newHarness(t, s, 80, 24)
	before := latestChange(t, s)
	h.keys("enter", "L", "tab")
	long := strings.Repeat("x", model.MaxLong+1)
	d := h.customers().dialog.(*lostDialog)
	d.note.CharLimit = 0 // as if pasted past the field's limit
	d.note.SetValue(long)
	h.keys("enter")
	if d.confirming || d.err == "" || d.note.Value() != long {
		t.Fatalf("a too-long note: confirming %v, err %q", d.confirming, d.err)
	}
	if latestChange(t, s) != before {
		t.Fatal("a refused note wrote something")
	}
	_ = time.Second
}
