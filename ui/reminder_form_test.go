package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/patron-crm/patron/model"
)

func pickOf(t *testing.T, q string, list ...*listCustomer) []pickHit {
	t.Helper()
	hits, done := (&pickIndex{list: list}).find(q, func() bool { return false })
	if !done {
		t.Fatal("the search gave up without a newer one")
	}
	return hits
}

func TestPickerFindsByNamePhoneOrEmailBestFirst(t *testing.T) {
	ana := &listCustomer{ID: 1, Name: "Ana Lima", Phone: "555 0101", Email: "ana@example.com"}
	anabela := &listCustomer{ID: 2, Name: "Anabela Sousa", Email: "bela@example.com"}
	bruno := &listCustomer{ID: 3, Name: "Bruno Costa", Phone: "555 0102", Email: "bruno@shop.example"}
	hits := pickOf(t, "ana", ana, anabela, bruno)
	if len(hits) < 2 || hits[0].id != 1 || hits[0].field != "" {
		t.Fatalf("ana: %+v", hits)
	}
	if hits := pickOf(t, "0102", ana, anabela, bruno); len(hits) != 1 || hits[0].id != 3 || hits[0].field != "phone" {
		t.Fatalf("0102: %+v", hits)
	}
	if hits := pickOf(t, "shop.ex", ana, anabela, bruno); len(hits) != 1 || hits[0].id != 3 || hits[0].field != "email" {
		t.Fatalf("shop.ex: %+v", hits)
	}
	if hits := pickOf(t, "zzz", ana, anabela, bruno); len(hits) != 0 {
		t.Fatalf("zzz: %+v", hits)
	}
}

func TestPickerGivesUpWhenANewerSearchStarted(t *testing.T) {
	x := &pickIndex{list: []*listCustomer{{ID: 1, Name: "Ana"}}}
	if hits, done := x.find("ana", func() bool { return true }); done || hits != nil {
		t.Fatal("a stale search should stop")
	}
}

func TestPickerShowsNamesCleaned(t *testing.T) {
	st := NewStyles(true)
	p := newCustomerPicker(st, []*listCustomer{{ID: 1, Name: "Ev\x1b[31mil"}}, nil)
	p.hits = []pickHit{{id: 1}}
	if out := p.view(st, 80); strings.Contains(out, "\x1b[31m") {
		t.Fatal("a name's escape sequence reached the screen")
	}
}

func TestEditingKeepsASnoozeWhenTheDayIsLeftAlone(t *testing.T) {
	st := NewStyles(true)
	due := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	snoozed := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	r := model.Reminder{ID: 4, Customer: 1, Kind: model.ReminderFollowUp, Due: due, SnoozedUntil: snoozed, Note: "call"}
	rf := newReminderForm(st, r, "Ana", testNow, time.UTC)
	if got := rf.f.get("due"); got != "2026-11-30" {
		t.Fatalf("the form shows %q, want the snoozed day", got)
	}
	got, err := rf.reminder()
	if err != nil || !got.Due.Equal(due) || !got.SnoozedUntil.Equal(snoozed) {
		t.Fatalf("left alone: %+v %v", got, err)
	}
	rf.f.field("due").input.SetValue("+2d")
	got, err = rf.reminder()
	if err != nil || got.Due.Format(model.DayFormat) != "2026-11-27" || !got.SnoozedUntil.IsZero() {
		t.Fatalf("a new day: %+v %v", got, err)
	}
}

func TestANewReminderNeedsItsFieldsRight(t *testing.T) {
	st := NewStyles(true)
	rf := newReminderForm(st, model.Reminder{Customer: 1}, "Ana", testNow, time.UTC)
	if got, err := rf.reminder(); err != nil || got.Kind != model.ReminderFollowUp || got.Due.Format(model.DayFormat) != "2026-11-26" {
		t.Fatalf("defaults: %+v %v", got, err)
	}
	for _, tc := range []struct{ field, value string }{
		{"due", "yesterday"}, {"due", "someday"}, {"kind", "postcard"}, {"repeat", "every blue moon"}, {"repeat", "0d"},
	} {
		rf := newReminderForm(st, model.Reminder{Customer: 1}, "Ana", testNow, time.UTC)
		rf.f.field(tc.field).input.SetValue(tc.value)
		if reason, _ := rf.f.checkAll(); reason == "" {
			t.Errorf("%s %q passed the form's checks", tc.field, tc.value)
		}
	}
	rf = newReminderForm(st, model.Reminder{Customer: 1}, "Ana", testNow, time.UTC)
	rf.f.field("kind").input.SetValue("custom")
	if _, err := rf.reminder(); err == nil {
		t.Fatal("a custom reminder without a note saved")
	}
}
