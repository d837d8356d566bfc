package store

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/patron-crm/patron/model"
)

// reminderStore is a fresh file in UTC with Ana, who made her first
// purchase now (testNow): a thank-you card is due tomorrow.
func reminderStore(t *testing.T) (*Store, model.Customer) {
	t.Helper()
	s := newTestStore(t)
	st, err := s.Settings()
	if err != nil {
		t.Fatal(err)
	}
	st.TimeZone = "UTC"
	if err := s.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	ana, err := s.AddCustomer(model.Customer{Name: "Ana Lima", Address: "1 Rua Nova\nLisbon"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddInteraction(model.Interaction{Customer: ana.ID, Kind: model.KindPurchase, Amount: 2490, At: testNow, Note: "blue scarf"}); err != nil {
		t.Fatal(err)
	}
	return s, ana
}

// storeAt is another handle on the same file whose clock says now.
func storeAt(t *testing.T, path string, now time.Time) *Store {
	t.Helper()
	a := CurrentActor("test")
	a.Window = "w1"
	s, err := Open(path, Options{Actor: a, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var tomorrow = testNow.AddDate(0, 0, 1)

func keysOf(list []model.Reminder) []string {
	var out []string
	for _, r := range list {
		out = append(out, r.Key)
	}
	return out
}

func findKey(t *testing.T, list []model.Reminder, key string) model.Reminder {
	t.Helper()
	for _, r := range list {
		if r.Key == key {
			return r
		}
	}
	t.Fatalf("%s is not among %v", key, keysOf(list))
	return model.Reminder{}
}

func hasKey(list []model.Reminder, key string) bool {
	for _, r := range list {
		if r.Key == key {
			return true
		}
	}
	return false
}

const anaThanks = "thank-you:1:2026-11-25"

func TestFirstPurchaseMakesAThankYouDueTomorrow(t *testing.T) {
	s, _ := reminderStore(t)
	today, err := s.Reminders(testNow)
	if err != nil {
		t.Fatal(err)
	}
	if hasKey(today, anaThanks) {
		t.Fatalf("due today already: %v", keysOf(today))
	}
	next, err := s.Reminders(tomorrow)
	if err != nil {
		t.Fatal(err)
	}
	r := findKey(t, next, anaThanks)
	if !r.Due.Equal(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)) || r.Kind != model.ReminderThankYou || !strings.Contains(r.Note, "blue scarf") {
		t.Fatalf("reminder: %+v", r)
	}
}

func TestMarkDoneLogsTheCardAndUndoTakesBackBoth(t *testing.T) {
	s, ana := reminderStore(t)
	list, _ := s.Reminders(tomorrow)
	r := findKey(t, list, anaThanks)
	in, err := s.MarkDone(r, "Dear Ana,\nthank you for choosing us.")
	if err != nil {
		t.Fatal(err)
	}
	if in.Kind != model.KindCardSent || in.Customer != ana.ID {
		t.Fatalf("logged %+v", in)
	}
	list, _ = s.Reminders(tomorrow)
	if hasKey(list, anaThanks) {
		t.Fatal("a done reminder is still listed")
	}
	timeline, _ := s.Interactions(ana.ID)
	if len(timeline) != 2 || timeline[0].Kind != model.KindCardSent || timeline[0].Note != "Dear Ana,\nthank you for choosing us." {
		t.Fatalf("timeline: %+v", timeline)
	}
	d, _ := s.Decisions()
	if d[anaThanks].State != model.ReminderDone || d[anaThanks].Interaction != in.ID {
		t.Fatalf("decision: %+v", d)
	}
	if _, err := s.MarkDone(r, ""); err == nil {
		t.Fatal("a reminder was done twice")
	}
	ch, err := s.Undo()
	if err != nil || ch == nil {
		t.Fatalf("undo: %v", err)
	}
	if d, _ := s.Decisions(); len(d) != 0 {
		t.Fatalf("decision after undo: %+v", d)
	}
	if timeline, _ := s.Interactions(ana.ID); len(timeline) != 1 {
		t.Fatalf("timeline after undo: %+v", timeline)
	}
	list, _ = s.Reminders(tomorrow)
	findKey(t, list, anaThanks)
	if got, _ := s.Customer(ana.ID); got.Stats.Interactions != 1 {
		t.Fatalf("aggregates after undo: %+v", got.Stats)
	}
}

func TestDecisionsPersistAcrossOpens(t *testing.T) {
	s, _ := reminderStore(t)
	list, _ := s.Reminders(tomorrow)
	r := findKey(t, list, anaThanks)
	if err := s.Snooze(r, testNow.AddDate(0, 0, 5)); err != nil {
		t.Fatal(err)
	}
	again := storeAt(t, s.Path(), testNow)
	if list, _ := again.Reminders(testNow.AddDate(0, 0, 4)); hasKey(list, anaThanks) {
		t.Fatal("a snoozed reminder is listed before its day")
	}
	list, _ = again.Reminders(testNow.AddDate(0, 0, 5))
	r = findKey(t, list, anaThanks)
	if want := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC); !r.Due.Equal(want) || !r.SnoozedUntil.Equal(want) {
		t.Fatalf("snoozed: %+v", r)
	}
	if err := again.Dismiss(r, "she moved away"); err != nil {
		t.Fatal(err)
	}
	third := storeAt(t, s.Path(), testNow.AddDate(0, 0, 10))
	if list, _ := third.Reminders(time.Time{}); hasKey(list, anaThanks) {
		t.Fatal("a dismissed reminder came back")
	}
	if d, _ := third.Decisions(); d[anaThanks].State != model.ReminderDismissed || d[anaThanks].Reason != "she moved away" {
		t.Fatalf("decision: %+v", d[anaThanks])
	}
	if _, _, err := third.FindReminder(anaThanks); err == nil || !strings.Contains(err.Error(), "dismissed") {
		t.Fatalf("finding a dismissed reminder: %v", err)
	}
}

func TestSnoozeNeedsALaterDay(t *testing.T) {
	s, _ := reminderStore(t)
	list, _ := s.Reminders(tomorrow)
	r := findKey(t, list, anaThanks)
	var fe *model.FieldError
	if err := s.Snooze(r, testNow); !errors.As(err, &fe) {
		t.Fatalf("snooze to today: %v", err)
	}
}

func TestManualRemindersAddEditDeleteAndUndo(t *testing.T) {
	s, ana := reminderStore(t)
	r, err := s.AddReminder(model.Reminder{Customer: ana.ID, Kind: model.ReminderFollowUp, Due: testNow.AddDate(0, 0, 2), Note: "  ask how the scarf wears "})
	if err != nil {
		t.Fatal(err)
	}
	if r.Key != "manual:1" || r.Note != "ask how the scarf wears" || !r.Due.Equal(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("added %+v", r)
	}
	if list, _ := s.Reminders(tomorrow); hasKey(list, "manual:1") {
		t.Fatal("listed before its day")
	}
	list, _ := s.Reminders(testNow.AddDate(0, 0, 2))
	findKey(t, list, "manual:1")
	r.Note = "call about the wool coat"
	r.Due = testNow.AddDate(0, 0, 9)
	if _, err := s.UpdateReminder(r); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Reminder(r.ID)
	if got.Note != "call about the wool coat" || got.Due.Day() != 4 || got.Created.IsZero() {
		t.Fatalf("edited %+v", got)
	}
	if err := s.DeleteReminder(r.ID); err != nil {
		t.Fatal(err)
	}
	if all, _ := s.ManualReminders(); len(all) != 0 {
		t.Fatalf("after delete: %+v", all)
	}
	if _, err := s.Undo(); err != nil {
		t.Fatal(err)
	}
	if all, _ := s.ManualReminders(); len(all) != 1 || all[0].Note != "call about the wool coat" {
		t.Fatalf("after undoing the delete: %+v", all)
	}
	// Bad input is refused with a sentence, and nothing is written.
	var fe *model.FieldError
	if _, err := s.AddReminder(model.Reminder{Customer: ana.ID, Kind: model.ReminderCustom, Due: tomorrow}); !errors.As(err, &fe) {
		t.Fatalf("custom without a note: %v", err)
	}
	if _, err := s.AddReminder(model.Reminder{Customer: 99, Kind: model.ReminderFollowUp, Due: tomorrow}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("for a customer who is not there: %v", err)
	}
	if all, _ := s.ManualReminders(); len(all) != 1 {
		t.Fatalf("refused reminders were saved: %+v", all)
	}
}

func TestRepeatingReminderSchedulesTheNextWhenDone(t *testing.T) {
	s, ana := reminderStore(t)
	r, err := s.AddReminder(model.Reminder{Customer: ana.ID, Kind: model.ReminderFollowUp, Due: testNow, Note: "check the window display",
		Repeat: model.Repeat{Every: 1, Unit: model.RepeatWeek}})
	if err != nil {
		t.Fatal(err)
	}
	list, _ := s.Reminders(testNow)
	r = findKey(t, list, r.Key)
	in, err := s.MarkDone(r, "")
	if err != nil {
		t.Fatal(err)
	}
	if in.Kind != model.KindCall || in.Note != "Follow-up: check the window display" {
		t.Fatalf("logged %+v", in)
	}
	got, _ := s.Reminder(r.ID)
	if got.State != model.ReminderOpen || !got.Due.Equal(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("next: %+v", got)
	}
	if _, err := s.Undo(); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Reminder(r.ID); !got.Due.Equal(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("after undo: %+v", got)
	}
	// One that does not repeat is done for good.
	once, _ := s.AddReminder(model.Reminder{Customer: ana.ID, Kind: model.ReminderCustom, Due: testNow, Note: "gift wrap"})
	if _, err := s.MarkDone(once, "wrapped"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Reminder(once.ID); got.State != model.ReminderDone || got.DoneAt.IsZero() {
		t.Fatalf("done once: %+v", got)
	}
	if list, _ := s.Reminders(time.Time{}); hasKey(list, once.Key) {
		t.Fatal("a done manual reminder is listed")
	}
}

func TestFindReminder(t *testing.T) {
	s, ana := reminderStore(t)
	r, c, err := s.FindReminder(anaThanks)
	if err != nil || r.Key != anaThanks || c.ID != ana.ID {
		t.Fatalf("find: %+v %+v %v", r, c, err)
	}
	for _, bad := range []string{"nonsense", "thank-you:1:2020-01-01", "thank-you:42:2026-11-25", "manual:9"} {
		if _, _, err := s.FindReminder(bad); err == nil {
			t.Errorf("%s was found", bad)
		}
	}
}

func TestReadingRemindersLeavesTheFileByteIdentical(t *testing.T) {
	s, ana := reminderStore(t)
	if _, err := s.AddReminder(model.Reminder{Customer: ana.ID, Kind: model.ReminderFollowUp, Due: tomorrow}); err != nil {
		t.Fatal(err)
	}
	list, _ := s.Reminders(tomorrow)
	if err := s.Snooze(findKey(t, list, anaThanks), testNow.AddDate(0, 0, 3)); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	later := storeAt(t, s.Path(), testNow.AddDate(0, 2, 0)) // the clock moves on: rules fire, nothing is written
	for _, read := range []func() error{
		func() error { _, err := later.Reminders(time.Time{}); return err },
		func() error { _, err := later.Agenda(testNow); return err },
		func() error { _, _, _, err := later.ReminderInputs(); return err },
		func() error { _, _, err := later.FindReminder("manual:1"); return err },
		func() error { _, err := later.Decisions(); return err },
		func() error { _, err := later.ManualReminders(); return err },
	} {
		if err := read(); err != nil {
			t.Fatal(err)
		}
	}
	after, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Fatal("reading reminders changed the data file")
	}
}

func TestTheTabsEvaluationMatchesTheStores(t *testing.T) {
	s, ana := reminderStore(t)
	bo, _ := s.AddCustomer(model.Customer{Name: "Bo", Birthday: model.Birthday{Month: 12, Day: 1}})
	if _, err := s.AddInteraction(model.Interaction{Customer: bo.ID, Kind: model.KindComplaint, At: testNow.AddDate(0, 0, -5), Category: "late"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddReminder(model.Reminder{Customer: ana.ID, Kind: model.ReminderFollowUp, Due: tomorrow}); err != nil {
		t.Fatal(err)
	}
	want, err := s.Reminders(time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	all, _ := s.AllCustomers(nil)
	manual, decisions, st, err := s.ReminderInputs()
	if err != nil {
		t.Fatal(err)
	}
	got := model.NewRules(st).Open(all, manual, decisions, s.Now(), time.Time{})
	if !reflect.DeepEqual(keysOf(got), keysOf(want)) {
		t.Fatalf("tab %v\nstore %v", keysOf(got), keysOf(want))
	}
	for _, k := range []string{anaThanks, "birthday:2:2026", "complaint-follow-up:2:2", "manual:1"} {
		findKey(t, want, k)
	}
	a, _ := s.Agenda(time.Time{})
	for _, r := range a.Reminders {
		if _, ok := a.Customers[r.Customer]; !ok {
			t.Fatalf("the agenda lacks customer #%d of %s", r.Customer, r.Key)
		}
	}
}

func TestAnEarlierNowDoesNotSeeLaterPurchases(t *testing.T) {
	s, _ := reminderStore(t)
	earlier := storeAt(t, s.Path(), testNow.AddDate(0, 0, -2))
	list, err := earlier.Reminders(time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if hasKey(list, anaThanks) {
		t.Fatalf("two days earlier the purchase had not happened: %v", keysOf(list))
	}
}

func TestDeletingACustomerForGoodTakesTheirDecisions(t *testing.T) {
	s, ana := reminderStore(t)
	list, _ := s.Reminders(tomorrow)
	if err := s.Dismiss(findKey(t, list, anaThanks), "moved"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteCustomerForGood(ana.ID); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.Decisions(); len(d) != 0 {
		t.Fatalf("decisions left: %+v", d)
	}
}

func TestTheFeedSaysWhenReminderFactsChange(t *testing.T) {
	s, ana := reminderStore(t)
	f0, _ := s.ChangesSince(0)
	if _, err := s.AddReminder(model.Reminder{Customer: ana.ID, Kind: model.ReminderFollowUp, Due: tomorrow}); err != nil {
		t.Fatal(err)
	}
	list, _ := s.Reminders(tomorrow)
	if _, err := s.MarkDone(findKey(t, list, anaThanks), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddInteraction(model.Interaction{Customer: ana.ID, Kind: model.KindCall, At: testNow}); err != nil {
		t.Fatal(err)
	}
	f, _ := s.ChangesSince(f0.Latest)
	if len(f.Changes) != 3 || !f.Changes[0].TouchesReminderFacts() || !f.Changes[1].TouchesReminderFacts() || f.Changes[2].TouchesReminderFacts() {
		t.Fatalf("changes: %+v", f.Changes)
	}
	if f.Changes[1].Summary != "Sent a thank-you card to Ana Lima" {
		t.Fatalf("summary: %q", f.Changes[1].Summary)
	}
}
