package ui

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// hoursAgo is a time n hours before testNow (15:00), the same day for n < 15.
func hoursAgo(n int) time.Time { return testNow.Add(-time.Duration(n) * time.Hour) }

// remindersFile is a small shop with a reminder in every group: Bruno's
// thank-you card 11 days late, Carla's follow-up today, Ana's thank-you
// card tomorrow (her first purchase was today), Elena's birthday card in
// 3 days, and Diogo's monthly reminder in three weeks. Filipa opted out,
// so her first purchase earns nothing. The tier-up, thinking-of-you and
// anniversary rules are off.
func remindersFile(t testing.TB) *store.Store {
	t.Helper()
	s := newFile(t)
	// Only the rules this file is about, so every reminder is known.
	st, err := s.Settings()
	if err != nil {
		t.Fatal(err)
	}
	st.Reminders = model.DefaultReminderSettings()
	st.Reminders.TierUp.On, st.Reminders.ThinkingOfYou.On, st.Reminders.Anniversary.On = false, false, false
	if err := s.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	ana := addCustomer(t, s, model.Customer{Name: "Ana Lima", Address: "Rua das Flores 12\nLisboa"})
	if _, err := s.AddInteraction(model.Interaction{Customer: ana.ID, Kind: model.KindPurchase, At: hoursAgo(2), Amount: 2490, Note: "blue scarf"}); err != nil {
		t.Fatal(err)
	}
	addCustomer(t, s, model.Customer{Name: "Bruno Costa", Address: "Av. da Liberdade 1, Lisboa"}, [2]int{89000, 12})
	carla := addCustomer(t, s, model.Customer{Name: "Carla Mendes", Phone: "555 0103"})
	diogo := addCustomer(t, s, model.Customer{Name: "Diogo Alves", Email: "diogo@example.com"})
	addCustomer(t, s, model.Customer{Name: "Elena Rossi", Birthday: model.Birthday{Year: 1980, Month: 12, Day: 5}})
	filipa := addCustomer(t, s, model.Customer{Name: "Filipa Nunes", NoContact: true})
	if _, err := s.AddInteraction(model.Interaction{Customer: filipa.ID, Kind: model.KindPurchase, At: hoursAgo(1), Amount: 50000}); err != nil {
		t.Fatal(err)
	}
	loc := time.UTC
	if _, err := s.AddReminder(model.Reminder{Customer: carla.ID, Kind: model.ReminderFollowUp, Due: model.DayOf(testNow, loc), Note: "call about the wedding order"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddReminder(model.Reminder{Customer: diogo.ID, Kind: model.ReminderCustom, Due: model.DayOf(testNow.AddDate(0, 0, 21), loc),
		Note: "reorder his tea", Repeat: model.Repeat{Every: 1, Unit: model.RepeatMonth}}); err != nil {
		t.Fatal(err)
	}
	return s
}

// reminders opens the Reminders tab.
func (h *harness) reminders() *remindersView {
	h.t.Helper()
	h.keys("3")
	return h.remindersView()
}

// remindersView is the Reminders tab, without pressing a key.
func (h *harness) remindersView() *remindersView {
	h.t.Helper()
	for _, t := range h.app.tabs {
		if rv, ok := t.view.(*remindersView); ok {
			return rv
		}
	}
	h.t.Fatal("there is no Reminders tab")
	return nil
}

// selectReminder moves the cursor to the reminder of the customer named.
func (h *harness) selectReminder(name string) *model.Reminder {
	h.t.Helper()
	rv := h.reminders()
	for i, row := range rv.rows {
		if !row.isHeading() && rv.customerName(rv.list.At(int(row.at)).Customer) == name {
			rv.cursor = i
			rv.remember()
			return rv.selected()
		}
	}
	h.t.Fatalf("no reminder for %s:\n%s", name, h.screen())
	return nil
}

func decisionOf(t *testing.T, s *store.Store, key string) (model.Decision, bool) {
	t.Helper()
	d, err := s.Decisions()
	if err != nil {
		t.Fatal(err)
	}
	got, ok := d[key]
	return got, ok
}

func TestRemindersAreGroupedOverdueTodayWeekLater(t *testing.T) {
	h := newHarness(t, remindersFile(t), 120, 30)
	h.reminders()
	h.mustShow("Overdue (1)", "Today (1)", "Next 7 days (2)", "Later (1)",
		"11 days late", "Bruno Costa", "thank-you card",
		"today", "Carla Mendes", "follow-up", "call about the wedding order",
		"tomorrow", "Ana Lima", "first purchase of €24,90: blue scarf",
		"in 3 days", "Elena Rossi", "birthday card",
		"in 21 days", "Diogo Alves", "reorder his tea (every month)")
	h.mustNotShow("Filipa")
	scr := h.screen()
	order := []string{"Overdue", "Bruno", "Today", "Carla", "Next 7 days", "Ana", "Elena", "Later", "Diogo"}
	last := -1
	for _, s := range order {
		i := strings.Index(scr, s)
		if i < last {
			t.Fatalf("%q is out of order:\n%s", s, scr)
		}
		last = i
	}
}

func TestTheHeaderBadgeCountsWhatIsDueTodayOrOverdue(t *testing.T) {
	h := newHarness(t, remindersFile(t), 100, 30)
	h.mustShow("3 Reminders (2)")
	// Another window logs a call for Carla... and marks her follow-up done.
	rv := h.reminders()
	carla := *h.selectReminder("Carla Mendes")
	if _, err := h.s.MarkDone(carla, ""); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	h.mustShow("3 Reminders (1)")
	if rv.Badge() != "1" {
		t.Fatalf("badge %q", rv.Badge())
	}
}

func TestRulesAreEvaluatedInACommandNotInUpdate(t *testing.T) {
	s := remindersFile(t)
	a := store.CurrentActor("tui")
	tui, err := store.Open(s.Path(), store.Options{Actor: a, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	app := New(tui, Options{Now: fixedNow})
	app.c.timers = false
	h := &harness{t: t, app: app, s: tui}
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	// Deliver the start and the customers, but hold back every command the
	// views return: the list must not have been worked out inside Update.
	start := app.start()()
	_, cmd := app.Update(start)
	var rv *remindersView
	for _, tb := range app.tabs {
		if v, ok := tb.view.(*remindersView); ok {
			rv = v
		}
	}
	// Run the reads (customers and inputs) but not the evaluation.
	pending := []tea.Cmd{cmd}
	var held []tea.Msg
	for len(pending) > 0 {
		c := pending[0]
		pending = pending[1:]
		if c == nil {
			continue
		}
		switch m := c().(type) {
		case tea.BatchMsg:
			pending = append(pending, m...)
		case evalMsg:
			held = append(held, m)
		case nil:
		default:
			_, next := app.Update(m)
			pending = append(pending, next)
		}
	}
	if rv.evaluated || rv.open() != 0 {
		t.Fatal("the rules ran inside Update")
	}
	if len(held) != 1 {
		t.Fatalf("%d evaluations were asked for, want 1", len(held))
	}
	h.send(held...)
	if !rv.evaluated || rv.open() != 5 {
		t.Fatalf("after the evaluation: %d reminders", rv.open())
	}
}

func TestMidnightDerivesTheListAgainAndWritesNothing(t *testing.T) {
	s := remindersFile(t)
	now := testNow
	clock := func() time.Time { return now }
	a := store.CurrentActor("tui")
	tui, err := store.Open(s.Path(), store.Options{Actor: a, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	app := New(tui, Options{Now: clock})
	app.c.timers = false
	h := &harness{t: t, app: app, s: tui}
	h.send(tea.WindowSizeMsg{Width: 100, Height: 30})
	h.run(app.Init())
	h.reminders()
	h.mustShow("tomorrow", "Ana Lima")
	before, _ := os.ReadFile(s.Path())
	now = testNow.Add(10 * time.Hour) // 01:00 the next day
	h.send(dayTickMsg{})
	h.mustShow("Overdue (2)", "12 days late", "1 day late", "Today (1)")
	h.mustNotShow("tomorrow")
	after, _ := os.ReadFile(s.Path())
	if !bytes.Equal(before, after) {
		t.Fatal("the midnight tick wrote to the file")
	}
}

// TestAnIdleSessionLeavesTheFileByteIdentical: start, load, tick, switch
// tabs, open and close dialogs without acting: the data file is unchanged.
func TestAnIdleSessionLeavesTheFileByteIdentical(t *testing.T) {
	s := remindersFile(t)
	before, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, s, 80, 24)
	for i := 0; i < 5; i++ {
		h.send(tickMsg{}, dayTickMsg{})
		h.keys("3", "j", "1", "j", "3", "k")
	}
	h.keys("s", "esc", "d", "esc", "c", "esc", "r", "esc", "?", "?", ",", "esc", "enter", "esc", "3")
	h.send(tickMsg{})
	after, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Fatal("the data file changed during a session in which the owner did nothing")
	}
}

func TestEmptyRemindersExplainWhatTheyAreAndHowTheyAppear(t *testing.T) {
	s := newFile(t)
	addCustomer(t, s, model.Customer{Name: "Ana Lima"})
	h := newHarness(t, s, 80, 24)
	h.reminders()
	h.mustShow("Nothing to do", "thank-you card", "Patron makes them from what you log", "Press r")
	h.mustNotShow("3 Reminders (")
}

func TestMovingSkipsTheHeadings(t *testing.T) {
	h := newHarness(t, remindersFile(t), 100, 30)
	rv := h.reminders()
	var names []string
	for i := 0; i < 7; i++ {
		names = append(names, rv.customerName(rv.selected().Customer))
		h.keys("j")
	}
	want := "Bruno Costa,Carla Mendes,Ana Lima,Elena Rossi,Diogo Alves,Diogo Alves,Diogo Alves"
	if strings.Join(names, ",") != want {
		t.Fatalf("moving down: %s", strings.Join(names, ","))
	}
	h.keys("g")
	if rv.customerName(rv.selected().Customer) != "Bruno Costa" {
		t.Fatal("g should go to the first reminder")
	}
	h.keys("G", "k")
	if rv.customerName(rv.selected().Customer) != "Elena Rossi" {
		t.Fatal("k from the last should skip the Later heading")
	}
}

func TestEnterOpensTheCustomer(t *testing.T) {
	h := newHarness(t, remindersFile(t), 100, 30)
	h.reminders()
	h.selectReminder("Elena Rossi")
	h.keys("enter")
	if h.app.active != 0 || h.customers().screen != screenDetail || h.customers().detail.c.Name != "Elena Rossi" {
		t.Fatalf("enter should open Elena's detail:\n%s", h.screen())
	}
}

func TestDoneOnAFollowUpLogsACall(t *testing.T) {
	h := newHarness(t, remindersFile(t), 100, 30)
	h.reminders()
	r := *h.selectReminder("Carla Mendes")
	h.keys("x")
	if !strings.HasPrefix(h.status(), "Done: follow-up for Carla Mendes; logged a call.") {
		t.Fatalf("status %q", h.status())
	}
	h.mustNotShow("call about the wedding order")
	list, _ := h.s.Interactions(r.Customer)
	if len(list) != 1 || list[0].Kind != model.KindCall || !strings.Contains(list[0].Note, "call about the wedding order") {
		t.Fatalf("Carla's timeline: %+v", list)
	}
	h.keys("u")
	h.mustShow("call about the wedding order")
	if list, _ := h.s.Interactions(r.Customer); len(list) != 0 {
		t.Fatal("undo left the call")
	}
}

func TestDoneOnACardOpensTheComposerFirst(t *testing.T) {
	h := newHarness(t, remindersFile(t), 100, 30)
	rv := h.reminders()
	r := *h.selectReminder("Ana Lima")
	h.keys("x")
	if rv.screen != remCompose {
		t.Fatal("x on a card should open the composer")
	}
	h.mustShow("Thank-you card for Ana Lima", "Rua das Flores 12", "Lisboa", "Dear Ana,", "blue scarf", "Flores & Filhos", "ctrl+s")
	if _, ok := decisionOf(t, h.s, r.Key); ok {
		t.Fatal("opening the composer decided the reminder")
	}
	// Typed keys go into the card, not to the tab switcher or quit.
	h.keys("ctrl+e").typeText(" PS: 3 q?").keys("ctrl+s")
	if rv.screen != remList {
		t.Fatalf("ctrl+s should send and close; status %q", h.status())
	}
	list, _ := h.s.Interactions(r.Customer)
	if len(list) != 2 || list[0].Kind != model.KindCardSent || !strings.HasPrefix(list[0].Note, "Dear Ana,") || !strings.Contains(list[0].Note, "PS: 3 q?") {
		t.Fatalf("Ana's timeline: %+v", list)
	}
	if d, ok := decisionOf(t, h.s, r.Key); !ok || d.State != model.ReminderDone || d.Interaction != list[0].ID {
		t.Fatalf("decision %+v %v", d, ok)
	}
	if !strings.Contains(h.status(), "Sent the thank-you card to Ana Lima") {
		t.Fatalf("status %q", h.status())
	}
	h.mustNotShow("blue scarf")
}

func TestComposerEscAsksOnlyWhenTheCardWasEdited(t *testing.T) {
	h := newHarness(t, remindersFile(t), 100, 30)
	rv := h.reminders()
	h.selectReminder("Ana Lima")
	h.keys("c", "esc")
	if rv.screen != remList {
		t.Fatal("esc on an untouched card should go back")
	}
	h.keys("c").typeText("x").keys("esc")
	h.mustShow("Discard the card you are writing?")
	h.keys("n")
	if rv.screen != remCompose {
		t.Fatal("n should keep the card")
	}
	h.keys("ctrl+c")
	h.mustShow("Discard the card you are writing and quit?")
	h.keys("n", "esc", "y")
	if rv.screen != remList || h.quit {
		t.Fatal("y should discard the card")
	}
	if d, _ := h.s.Decisions(); len(d) != 0 {
		t.Fatal("discarding a card decided something")
	}
}

func TestCOnAFollowUpSaysItIsNotACard(t *testing.T) {
	h := newHarness(t, remindersFile(t), 100, 30)
	rv := h.reminders()
	h.selectReminder("Carla Mendes")
	h.keys("c")
	if rv.screen != remList || !strings.Contains(h.status(), "not a card") {
		t.Fatalf("status %q", h.status())
	}
}

func TestAFailedSendKeepsTheCardText(t *testing.T) {
	h := newHarness(t, remindersFile(t), 100, 30)
	rv := h.reminders()
	r := *h.selectReminder("Ana Lima")
	h.keys("c").typeText("Hello!")
	// Another window sends it first.
	if _, err := h.s.MarkDone(r, "by post"); err != nil {
		t.Fatal(err)
	}
	h.keys("ctrl+s")
	if rv.screen != remCompose || !strings.Contains(rv.compose.text(), "Hello!") {
		t.Fatal("a failed send should keep the composer and its text")
	}
	if h.app.status.kind != statusError || !strings.Contains(h.status(), "already done") {
		t.Fatalf("status %q", h.status())
	}
}

func TestSnoozeChooserKeys(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want string
	}{{"1", "2026-11-26"}, {"3", "2026-11-28"}, {"w", "2026-12-02"}, {"m", "2026-12-25"}} {
		t.Run(tc.key, func(t *testing.T) {
			h := newHarness(t, remindersFile(t), 100, 30)
			h.reminders()
			r := *h.selectReminder("Bruno Costa")
			h.keys("s")
			h.mustShow("Snooze the thank-you card for Bruno Costa until", "1  tomorrow", "p  pick a day")
			h.keys(tc.key)
			d, ok := decisionOf(t, h.s, r.Key)
			if !ok || d.State != model.ReminderSnoozed || d.Until.Format(model.DayFormat) != tc.want {
				t.Fatalf("decision %+v", d)
			}
			if h.status() != "Snoozed the thank-you card for Bruno Costa until "+tc.want+"." {
				t.Fatalf("status %q", h.status())
			}
			h.mustNotShow("Overdue")
		})
	}
}

func TestSnoozeCancelWritesNothing(t *testing.T) {
	h := newHarness(t, remindersFile(t), 100, 30)
	rv := h.reminders()
	h.selectReminder("Bruno Costa")
	h.keys("s", "esc")
	h.keys("s", "p").typeText("friday").keys("esc")
	if rv.dialog != nil {
		t.Fatal("esc should close the chooser")
	}
	if d, _ := h.s.Decisions(); len(d) != 0 {
		t.Fatal("a cancelled snooze wrote a decision")
	}
	h.mustShow("Overdue (1)")
}

func TestSnoozePickADay(t *testing.T) {
	h := newHarness(t, remindersFile(t), 100, 30)
	rv := h.reminders()
	r := *h.selectReminder("Bruno Costa")
	h.keys("s", "p")
	// Keys that mean something in the chooser are typed in the date field.
	h.typeText("next week").keys("enter")
	h.mustShow("not a date Patron understands")
	if rv.dialog == nil {
		t.Fatal("a bad date should keep the chooser open")
	}
	h.keys("ctrl+u").typeText("yesterday").keys("enter")
	h.mustShow("counts back in time")
	h.keys("ctrl+u").typeText("today").keys("enter")
	h.mustShow("a day after today")
	if d, _ := h.s.Decisions(); len(d) != 0 {
		t.Fatal("a refused date wrote")
	}
	h.keys("ctrl+u").typeText("2026-12-24").keys("enter")
	if rv.dialog != nil {
		t.Fatal("a good date should close the chooser")
	}
	if d, ok := decisionOf(t, h.s, r.Key); !ok || d.Until.Format(model.DayFormat) != "2026-12-24" {
		t.Fatalf("decision %+v", d)
	}
	h.mustShow("in 29 days", "Bruno Costa", "snoozed")
}

func TestSnoozeAManualReminderAndUndo(t *testing.T) {
	h := newHarness(t, remindersFile(t), 100, 30)
	h.reminders()
	h.selectReminder("Carla Mendes")
	h.keys("s", "w")
	h.mustShow("in 7 days")
	h.mustNotShow("Today (")
	h.keys("u")
	h.mustShow("Today (1)")
}

func TestDismissWithAReasonAndWithout(t *testing.T) {
	h := newHarness(t, remindersFile(t), 100, 30)
	h.reminders()
	r := *h.selectReminder("Bruno Costa")
	h.keys("d")
	h.mustShow("Dismiss the thank-you card for Bruno Costa?", "It will not come back")
	h.typeText("moved abroad").keys("enter")
	d, ok := decisionOf(t, h.s, r.Key)
	if !ok || d.State != model.ReminderDismissed || d.Reason != "moved abroad" {
		t.Fatalf("decision %+v", d)
	}
	h.mustNotShow("11 days late")
	// A manual one, no reason.
	h.selectReminder("Carla Mendes")
	h.keys("d", "enter")
	manual, _ := h.s.ManualReminders()
	for _, m := range manual {
		if m.Customer == r.Customer+1 && m.State != model.ReminderDismissed {
			t.Fatalf("Carla's follow-up: %+v", m)
		}
	}
	h.mustNotShow("call about the wedding order")
	// esc keeps it.
	h.selectReminder("Elena Rossi")
	h.keys("d").typeText("no").keys("esc")
	h.mustShow("Elena Rossi")
}

func TestEditAManualReminder(t *testing.T) {
	h := newHarness(t, remindersFile(t), 120, 30)
	rv := h.reminders()
	r := *h.selectReminder("Diogo Alves")
	h.keys("e")
	if rv.screen != remForm {
		t.Fatal("e should edit a manual reminder")
	}
	h.mustShow("Edit the reminder for Diogo Alves", "2026-12-16", "reorder his tea", "every month")
	h.keys("ctrl+u").typeText("+2d").keys("tab", "ctrl+u").typeText("follow-up").keys("tab", "end").typeText(" (green)").keys("tab", "ctrl+u").typeText("2w").keys("ctrl+s")
	if rv.screen != remList {
		t.Fatalf("the form should close; status %q", h.status())
	}
	got, err := h.s.Reminder(r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Due.Format(model.DayFormat) != "2026-11-27" || got.Kind != model.ReminderFollowUp || got.Note != "reorder his tea (green)" || got.Repeat != (model.Repeat{Every: 2, Unit: model.RepeatWeek}) {
		t.Fatalf("saved %+v", got)
	}
	if h.status() != "Saved the follow-up for Diogo Alves, due 2026-11-27, every 2 weeks." {
		t.Fatalf("status %q", h.status())
	}
	h.mustShow("in 2 days", "reorder his tea (green) (every 2 weeks)")
	if rv.customerName(rv.selected().Customer) != "Diogo Alves" {
		t.Fatal("the edited reminder should stay selected")
	}
}

func TestEditRefusesAGeneratedReminder(t *testing.T) {
	h := newHarness(t, remindersFile(t), 100, 30)
	rv := h.reminders()
	h.selectReminder("Bruno Costa")
	h.keys("e")
	if rv.screen != remList || !strings.Contains(h.status(), "cannot be edited") {
		t.Fatalf("status %q", h.status())
	}
}

func TestEditWithBadValuesKeepsTheForm(t *testing.T) {
	h := newHarness(t, remindersFile(t), 100, 30)
	rv := h.reminders()
	h.selectReminder("Diogo Alves")
	h.keys("e", "ctrl+u").typeText("someday").keys("tab")
	h.mustShow("not a date Patron understands")
	h.keys("ctrl+u").typeText("letter").keys("tab", "tab", "ctrl+u").typeText("fortnightly").keys("ctrl+s")
	if rv.screen != remForm || h.app.status.kind != statusError {
		t.Fatal("bad values should not save")
	}
	h.mustShow(`"letter" is not a kind of reminder`, `"fortnightly" is not a repeat`)
	if rv.form.f.focus != 0 {
		t.Fatal("a failed save should put the cursor in the first field to fix")
	}
	// A custom reminder needs a note.
	h.keys("ctrl+u").typeText("friday").keys("tab", "ctrl+u").typeText("custom").keys("tab", "ctrl+u", "tab", "ctrl+u", "ctrl+s")
	if rv.screen != remForm || !strings.Contains(h.status(), "note is empty") {
		t.Fatalf("status %q", h.status())
	}
}

func TestNewReminderPicksACustomerByFuzzySearch(t *testing.T) {
	h := newHarness(t, remindersFile(t), 120, 30)
	rv := h.reminders()
	h.keys("r")
	h.mustShow("New reminder: for whom?", "Type part of their name")
	h.typeText("elna")
	h.mustShow("> Elena Rossi")
	h.keys("enter")
	if rv.screen != remForm {
		t.Fatal("enter should pick Elena and open the form")
	}
	h.mustShow("New reminder for Elena Rossi", "tomorrow", "follow-up")
	h.keys("tab", "tab").typeText("ask about the dress fitting").keys("tab").typeText("1y").keys("ctrl+s")
	if rv.screen != remList {
		t.Fatalf("status %q", h.status())
	}
	if h.status() != "Added the follow-up for Elena Rossi, due 2026-11-26, every year." {
		t.Fatalf("status %q", h.status())
	}
	h.mustShow("ask about the dress fitting (every year)")
	if rv.customerName(rv.selected().Customer) != "Elena Rossi" || rv.selected().Kind != model.ReminderFollowUp {
		t.Fatal("the new reminder should be selected")
	}
	h.keys("u")
	h.mustNotShow("dress fitting")
}

func TestPickerOffersOnlyActiveCustomersAndEscCancels(t *testing.T) {
	s := remindersFile(t)
	addCustomer(t, s, model.Customer{Name: "Zelda Archived", Status: model.StatusArchived})
	h := newHarness(t, s, 100, 30)
	rv := h.reminders()
	h.keys("r").typeText("zelda")
	h.mustShow("No customer matches yet")
	h.keys("enter")
	if rv.dialog == nil {
		t.Fatal("enter without a match should keep the picker")
	}
	h.keys("esc")
	if rv.dialog != nil || rv.screen != remList {
		t.Fatal("esc should cancel")
	}
}

func TestRFromTheCustomersListComesBackThere(t *testing.T) {
	h := newHarness(t, remindersFile(t), 100, 30)
	h.keys("j") // Bruno Costa
	h.keys("r")
	rv := h.remindersView()
	if rv.screen != remForm {
		t.Fatalf("r on the list should open a new reminder:\n%s", h.screen())
	}
	if h.app.active != h.activeTab(3) {
		t.Fatal("r on the list should show the Reminders tab")
	}
	h.mustShow("New reminder for Bruno Costa")
	h.keys("ctrl+s")
	if h.app.active != 0 {
		t.Fatal("after saving, the owner should be back on the Customers list")
	}
	if !strings.HasPrefix(h.status(), "Added the follow-up for Bruno Costa, due 2026-11-26") {
		t.Fatalf("status %q", h.status())
	}
}

// activeTab is the index of the tab with number num.
func (h *harness) activeTab(num int) int {
	for i, t := range h.app.tabs {
		if t.num == num {
			return i
		}
	}
	return -1
}

func TestCardsCSVIsWrittenAndSaysWhere(t *testing.T) {
	h := newHarness(t, remindersFile(t), 100, 30)
	rv := h.reminders()
	dir := t.TempDir()
	rv.cardsDir = func() string { return dir }
	h.keys("P")
	path := filepath.Join(dir, "cards-20261125.csv")
	if !strings.Contains(h.status(), "Wrote 3 cards due by 2026-12-02 to") || !strings.Contains(h.status(), "cards-20261125.csv") ||
		!strings.Contains(h.status(), "One of them has no mailing address") {
		t.Fatalf("status %q", h.status())
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("%v %v", st, err)
	}
	b, _ := os.ReadFile(path)
	for _, want := range []string{"Bruno Costa", "Ana Lima,Rua das Flores 12,Lisboa", "Elena Rossi", "blue scarf"} {
		if !strings.Contains(string(b), want) {
			t.Fatalf("the CSV lacks %q:\n%s", want, b)
		}
	}
	if strings.Contains(string(b), "Diogo") || strings.Contains(string(b), "Carla") {
		t.Fatal("only cards go in the CSV")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}

func TestCardsCSVIntoAMissingFolderSaysSo(t *testing.T) {
	h := newHarness(t, remindersFile(t), 100, 30)
	rv := h.reminders()
	rv.cardsDir = func() string { return filepath.Join(t.TempDir(), "gone") }
	h.keys("P")
	if h.app.status.kind != statusError || !strings.Contains(h.status(), "could not be written") {
		t.Fatalf("status %q", h.status())
	}
}

func TestCardsCSVWithNoCardsDueWritesNothing(t *testing.T) {
	s := newFile(t)
	addCustomer(t, s, model.Customer{Name: "Ana Lima"})
	h := newHarness(t, s, 100, 30)
	rv := h.reminders()
	dir := t.TempDir()
	rv.cardsDir = func() string { return dir }
	h.keys("P")
	if !strings.Contains(h.status(), "No cards are due this week") {
		t.Fatalf("status %q", h.status())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatal("a file was written")
	}
}

func TestCardsDirIsTheDocumentsFolderInHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	if got := defaultCardsDir(); got != home {
		t.Fatalf("without Documents: %s", got)
	}
	if err := os.Mkdir(filepath.Join(home, "Documents"), 0o700); err != nil {
		t.Fatal(err)
	}
	if got := defaultCardsDir(); got != filepath.Join(home, "Documents") {
		t.Fatalf("with Documents: %s", got)
	}
}

func TestAnotherWindowsReminderShowsOnTheNextPoll(t *testing.T) {
	s := remindersFile(t)
	h := newHarness(t, s, 120, 30)
	h.reminders()
	elena, _ := findByName(t, s, "Elena Rossi")
	if _, err := s.AddReminder(model.Reminder{Customer: elena.ID, Kind: model.ReminderFollowUp, Due: model.DayOf(testNow, time.UTC), Note: "from the other window"}); err != nil {
		t.Fatal(err)
	}
	h.mustNotShow("from the other window")
	h.send(tickMsg{})
	h.mustShow("from the other window", "Today (2)")
	// A purchase logged elsewhere makes its card appear.
	diogo, _ := findByName(t, s, "Diogo Alves")
	if _, err := s.AddInteraction(model.Interaction{Customer: diogo.ID, Kind: model.KindPurchase, At: hoursAgo(1), Amount: 1000, Note: "green tea"}); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	h.mustShow("green tea")
}

func TestRuleSettingsChangeTheList(t *testing.T) {
	s := remindersFile(t)
	h := newHarness(t, s, 100, 30)
	h.reminders()
	h.mustShow("birthday card")
	st, _ := s.Settings()
	rs := st.ReminderRules()
	if err := rs.Set("birthday", "off", st.Money()); err != nil {
		t.Fatal(err)
	}
	st.Reminders = rs
	if err := s.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	h.mustNotShow("birthday card")
}

// TestRemindersGoldenViews pins the tab, ANSI stripped, at the size Patron
// is designed for and at a roomy one; `go test ./ui -run RemindersGolden
// -update` rewrites them after a deliberate change.
func TestRemindersGoldenViews(t *testing.T) {
	cases := []struct {
		name  string
		setup func(h *harness)
	}{
		{"reminders", func(h *harness) { h.reminders() }},
		{"reminders_snooze", func(h *harness) { h.reminders(); h.selectReminder("Bruno Costa"); h.keys("s") }},
		{"reminders_compose", func(h *harness) { h.reminders(); h.selectReminder("Ana Lima"); h.keys("c") }},
		{"reminders_form", func(h *harness) { h.reminders(); h.selectReminder("Diogo Alves"); h.keys("e") }},
		{"reminders_empty", nil},
	}
	for _, tc := range cases {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", tc.name, size[0], size[1]), func(t *testing.T) {
				var h *harness
				if tc.setup == nil {
					h = newHarness(t, newFile(t), size[0], size[1])
					h.reminders()
				} else {
					h = newHarness(t, remindersFile(t), size[0], size[1])
					tc.setup(h)
				}
				// The tab alone: the header and footer belong to every tab.
				golden.RequireEqual(t, ansi.Strip(h.remindersView().View()))
			})
		}
	}
}

func TestTheListShowsEachCustomersNextReminderWhenThereIsRoom(t *testing.T) {
	h := newHarness(t, remindersFile(t), 130, 30)
	h.mustShow("Next reminder")
	scr := h.screen()
	for name, want := range map[string]string{"Ana Lima": "tomorrow", "Bruno Costa": "11 days late", "Carla Mendes": "today", "Filipa Nunes": "—"} {
		found := false
		for _, l := range strings.Split(scr, "\n") {
			if strings.Contains(l, name) && strings.HasSuffix(strings.TrimSpace(l), want) {
				found = true
			}
		}
		if !found {
			t.Fatalf("%s's row does not end with %q:\n%s", name, want, scr)
		}
	}
	// On a narrow screen the column gives way.
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.mustNotShow("Next reminder")
}

func TestTheDetailListsOpenRemindersAndCardsSent(t *testing.T) {
	h := newHarness(t, remindersFile(t), 100, 40)
	h.reminders()
	h.selectReminder("Ana Lima")
	h.keys("x", "ctrl+s")
	ana, _ := findByName(t, h.s, "Ana Lima")
	if _, err := h.s.AddReminder(model.Reminder{Customer: ana.ID, Kind: model.ReminderFollowUp, Due: model.DayOf(testNow, time.UTC).AddDate(0, 0, 2), Note: "ask about the scarf"}); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	h.selectReminder("Ana Lima")
	h.keys("enter")
	h.mustShow("Reminders", "in 2 days", "follow-up · ask about the scarf", "Cards sent · 1", "2026-11-25  Dear Ana, Thank you")
}

// BenchmarkBigReminders works out every open reminder for the 100,000
// customers of the big demo file (see perf_bench_test.go), as the tab does
// in its tea.Cmd over the Customers tab's records:
//
//	go test ./ui -run='^$' -bench=BigReminders -benchtime=10x
func BenchmarkBigReminders(b *testing.B) {
	v := loadedView(b)
	book := v.bookSnapshot()
	st := model.DefaultSettings()
	st.TimeZone = "UTC"
	all, err := openReminders(v.c.store, book, nil, nil, st, benchNow, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("everyone", func(b *testing.B) {
		for b.Loop() {
			openReminders(v.c.store, book, nil, nil, st, benchNow, 0)
		}
		b.ReportMetric(float64(all.Len()), "reminders")
	})
	// One customer changed (a purchase logged): only theirs again.
	next := slices.Clone(book)
	c := *next[len(next)/2]
	next[len(next)/2] = &c
	b.Run("one-changed", func(b *testing.B) {
		for b.Loop() {
			changed, _ := changedCustomers(book, next)
			updateReminders(v.c.store, all, nil, changed, nil, nil, st, benchNow)
		}
	})
}

// TestOnlyChangedCustomersAreWorkedOutAgainAndTheListIsTheSame: after
// changes to a few customers, the list kept up change by change is the
// one working everything out again gives.
func TestOnlyChangedCustomersAreWorkedOutAgainAndTheListIsTheSame(t *testing.T) {
	s := remindersFile(t)
	h := newHarness(t, s, 120, 30)
	rv := h.reminders()
	keys := func(list []model.Reminder) string {
		var out []string
		for _, r := range list {
			out = append(out, r.Key+"@"+r.Due.Format(model.DayFormat))
		}
		return strings.Join(out, " ")
	}
	check := func(step string) {
		t.Helper()
		// Worked out again without packing: every field the same.
		want, err := openRemindersOf(h.app.c.store, rv.book.bookSnapshot(), rv.manual, rv.decisions, rv.rules, testNow)
		if err != nil {
			t.Fatal(err)
		}
		got := openOf(rv)
		if !reflect.DeepEqual(got, inZone(want, rv.loc())) {
			t.Fatalf("%s:\n got %+v\nwant %+v", step, got, want)
		}
		if got := keys(got); got != keys(want) {
			t.Fatalf("%s:\n got %s\nwant %s", step, got, keys(want))
		}
		if !rv.partial {
			t.Fatalf("%s: every customer was worked out again", step)
		}
	}
	diogo, _ := findByName(t, s, "Diogo Alves")
	carla, _ := findByName(t, s, "Carla Mendes")
	elena, _ := findByName(t, s, "Elena Rossi")
	if _, err := s.AddInteraction(model.Interaction{Customer: diogo.ID, Kind: model.KindPurchase, At: hoursAgo(3), Amount: 15000, Note: "teapot"}); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	h.mustShow("€150,00: tea")
	check("a purchase")
	if _, err := s.SetStatus(carla.ID, model.StatusArchived, "", ""); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	h.mustNotShow("call about the wedding order")
	check("an archived customer")
	rui := addCustomer(t, s, model.Customer{Name: "Rui Patrício"}, [2]int{20000, 2})
	h.send(tickMsg{})
	h.mustShow("Rui Patrício")
	check("a new customer")
	if err := s.DeleteCustomerForGood(elena.ID); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	h.mustNotShow("Elena Rossi")
	check("a customer deleted")
	if _, err := s.SetStatus(rui.ID, model.StatusArchived, "", ""); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	check("another archived")
	if _, err := s.SetStatus(carla.ID, model.StatusActive, "", ""); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	h.mustShow("call about the wedding order")
	check("restored")
}

// openOf is the tab's open reminders, unpacked, those acted on left out.
func openOf(rv *remindersView) []model.Reminder {
	var out []model.Reminder
	for i := range rv.list.Len() {
		if !rv.index.dropped[int32(i)] {
			out = append(out, rv.list.At(i))
		}
	}
	return out
}

// inZone is rs with their times in loc, as the tab unpacks them.
func inZone(rs []model.Reminder, loc *time.Location) []model.Reminder {
	out := slices.Clone(rs)
	for i := range out {
		r := &out[i]
		for _, p := range []*time.Time{&r.Due, &r.SnoozedUntil, &r.First, &r.Created, &r.DoneAt, &r.Occurred} {
			if !p.IsZero() {
				*p = p.In(loc)
			}
		}
	}
	return out
}

// Reminders whose customers could not be read say why, keep what showed
// before, and are worked out again on the next change.
func TestRemindersThatCannotBeReadSaySoAndAreTriedAgain(t *testing.T) {
	s := remindersFile(t)
	h := newHarness(t, s, 120, 30)
	rv := h.reminders()
	rv.evaluated, rv.list, rv.rows, rv.index.ready = false, nil, nil, false // as before the first evaluation lands
	rv.evaluating, rv.evalSeq = true, rv.evalSeq+1
	h.keys("3")
	h.send(evalMsg{seq: rv.evalSeq, err: errors.New("another Patron is busy with the file")})
	h.mustShow("The customers could not be read", "another Patron is busy with the file")
	if !strings.Contains(h.status(), "the reminders could not be worked out") {
		t.Fatalf("status %q", h.status())
	}
	// Nothing changed: no second try on every message.
	if cmd := rv.maybeEvaluate(); cmd != nil || rv.evaluating {
		t.Fatal("tried again with nothing changed")
	}
	diogo, _ := findByName(t, s, "Diogo Alves")
	if _, err := s.AddInteraction(model.Interaction{Customer: diogo.ID, Kind: model.KindCall, At: hoursAgo(1)}); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	h.mustNotShow("could not be read")
	if !rv.evaluated || rv.open() == 0 {
		t.Fatal("the change did not bring the reminders back")
	}
}
