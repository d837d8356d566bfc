package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// TestJourneyRemindersTab is issue 5's journey through the Reminders tab
// of the built binary in tmux: a first purchase logged today makes a
// thank-you card due tomorrow (and `--now tomorrow` shows it due today);
// the card is snoozed, then written and marked sent (its text lands on
// the customer's timeline and in the detail's cards sent), and a
// follow-up is dismissed with a reason.
func TestJourneyRemindersTab(t *testing.T) {
	needTmux(t)
	dir := t.TempDir()
	bin := buildPatron(t)
	db := filepath.Join(dir, "data", "patron.db")
	run := patronCLI(t, bin, dir, db)

	tm := openTerminal(t, "remui", dir, db, 120, 40, "TERM=xterm-256color", "NO_COLOR=1")
	start := func(args ...string) {
		t.Helper()
		tm.tmux("send-keys", "-t", tm.target, "clear", "Enter")
		tm.typeText(strings.Join(append([]string{bin}, args...), " "))
		tm.keys("Enter")
		tm.waitFor(10*time.Second, "1 Customers")
	}
	quit := func() {
		t.Helper()
		tm.keys("q")
		tm.waitGone(5*time.Second, "1 Customers")
	}

	run("add", "Ana Lima", "--address", "1 Rua Nova, Lisbon 1100-001")
	run("add", "Bruno Costa")
	run("log", "Ana Lima", "--kind", "purchase", "--amount", "24.90", "--note", "blue scarf")
	run("reminders", "add", "Bruno Costa", "--due", "today", "--note", "call about the order")

	// Today: Bruno's follow-up is due, Ana's card tomorrow.
	start()
	tm.waitFor(5*time.Second, "3 Reminders (1)")
	tm.keys("3")
	tm.waitFor(3*time.Second, "Today (1)", "call about the order", "Next 7 days (1)", "tomorrow", "Ana Lima", "thank-you card", "blue scarf")
	quit()

	// As of tomorrow, her card is due today and his follow-up a day late.
	start("--now", "tomorrow")
	tm.keys("3")
	tm.waitFor(5*time.Second, "3 Reminders (2)", "Overdue (1)", "1 day late", "Today (1)", "Ana Lima")
	quit()

	// Snooze the card three days.
	start()
	tm.keys("3")
	tm.waitFor(5*time.Second, "Next 7 days (1)")
	tm.keys("j")
	tm.keys("s")
	tm.waitFor(2*time.Second, "Snooze the thank-you card for Ana Lima", "3  in three days", "p  pick a day")
	tm.keys("3")
	snoozed := time.Now().AddDate(0, 0, 3).Format(model.DayFormat)
	tm.waitFor(3*time.Second, "Snoozed the thank-you card for Ana Lima until "+snoozed, "in 3 days")

	// Write the card, add a line, and mark it sent.
	tm.keys("x")
	tm.waitFor(2*time.Second, "Thank-you card for Ana Lima", "1 Rua Nova", "Dear Ana,", "ctrl+s mark sent")
	tm.typeText("P.S. The matching gloves are in! ")
	tm.keys("C-s")
	tm.waitFor(3*time.Second, "Sent the thank-you card to Ana Lima")
	tm.waitGone(3*time.Second, "blue scarf")

	// Dismiss Bruno's follow-up (the first row), with a reason.
	tm.keys("g", "d")
	tm.waitFor(2*time.Second, "Dismiss the follow-up for Bruno Costa?")
	tm.typeText("he came in")
	tm.keys("Enter")
	tm.waitFor(3*time.Second, "Dismissed the follow-up for Bruno Costa")
	tm.waitGone(3*time.Second, "call about the order")

	// Her detail lists the card sent; her timeline carries its text.
	tm.keys("1", "Enter")
	tm.waitFor(3*time.Second, "Cards sent", "P.S. The matching gloves are in! Dear Ana,")
	quit()

	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	timeline, err := s.Interactions(1)
	if err != nil {
		t.Fatal(err)
	}
	if len(timeline) != 2 || timeline[0].Kind != model.KindCardSent || !strings.HasPrefix(timeline[0].Note, "P.S. The matching gloves are in! Dear Ana,") ||
		!strings.Contains(timeline[0].Note, "blue scarf") {
		t.Fatalf("Ana's timeline: %+v", timeline)
	}
	manual, _ := s.ManualReminders()
	if len(manual) != 1 || manual[0].State != model.ReminderDismissed || manual[0].Reason != "he came in" {
		t.Fatalf("manual reminders: %+v", manual)
	}
	if out := run("reminders", "--until", "+7d"); !strings.Contains(out, "Nothing due") {
		t.Fatalf("still open:\n%s", out)
	}
}
