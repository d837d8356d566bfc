package ui

import (
	"strings"
	"testing"

	"github.com/patron-crm/patron/model"
)

// focusSetting tabs through the open Settings page to the field named key.
func (h *harness) focusSetting(key string) {
	h.t.Helper()
	f := h.app.settings.f
	for range f.fields {
		if f.fields[f.focus].key == key {
			return
		}
		h.keys("tab")
	}
	h.t.Fatalf("there is no setting %s", key)
}

func TestComposerFillsTheTemplateAndSaysWhenThereIsNoAddress(t *testing.T) {
	h := newHarness(t, remindersFile(t), 100, 30)
	h.reminders()
	h.selectReminder("Elena Rossi")
	h.keys("c")
	h.mustShow("Birthday card for Elena Rossi", "due in 3 days", "No mailing address on file", "Elena", "46th")
}

func TestComposerKeepsLineBreaksButNotEscapes(t *testing.T) {
	st := NewStyles(true)
	c := model.Customer{ID: 1, Name: "Ana\x1b[31m Lima", Address: "Rua 1\x1b]0;x\x07\nLisboa"}
	m := newComposer(st, model.Reminder{Kind: model.ReminderThankYou, Customer: 1, Due: testNow}, c, "Dear Ana,\n\n\x1b[2JThanks", testNow, nil)
	m.setSize(80, 20)
	out := m.view()
	for _, bad := range []string{"\x1b[31m", "\x1b]0;x", "\x07", "\x1b[2J"} {
		if strings.Contains(out, bad) {
			t.Fatalf("the composer draws %q", bad)
		}
	}
	if got := m.text(); !strings.HasPrefix(got, "Dear Ana,\n\n") {
		t.Fatalf("line breaks lost: %q", got)
	}
	if m.dirty() {
		t.Fatal("an untouched card is not dirty")
	}
}

func TestAnEmptyCardIsLoggedWithAShortNote(t *testing.T) {
	h := newHarness(t, remindersFile(t), 100, 30)
	h.reminders()
	r := *h.selectReminder("Ana Lima")
	h.keys("c")
	for i := 0; i < 400; i++ {
		h.keys("ctrl+k") // delete to the end of each line
		h.keys("delete")
	}
	h.keys("ctrl+s")
	list, _ := h.s.Interactions(r.Customer)
	if len(list) != 2 || list[0].Kind != model.KindCardSent || list[0].Note != "Thank-you card" {
		t.Fatalf("Ana's timeline: %+v", list)
	}
}

func TestCardTemplatesAreEditedInSettingsAndChecked(t *testing.T) {
	s := remindersFile(t)
	h := newHarness(t, s, 100, 30)
	h.keys(",")
	h.focusSetting("card:thank-you")
	h.mustShow("Thank-you text", "Patron's (enter edits): Thank you for shopping with…")
	h.keys("enter")
	ed, ok := h.app.settings.dialog.(*templateEditor)
	if !ok {
		t.Fatal("enter on a card's text should open its editor")
	}
	h.mustShow("Thank-you card: the message", "Thank you for shopping with us")
	h.typeText("{{.Nope}} ").keys("ctrl+s")
	h.mustShow("✗ card template cannot be filled")
	if h.app.settings.dialog != ed {
		t.Fatal("a bad template should keep the editor open")
	}
	for range "{{.Nope}} " {
		h.keys("backspace")
	}
	h.typeText("Hi {{.FirstName}}! ").keys("ctrl+s")
	if h.app.settings.dialog != nil {
		t.Fatal("a good template should close the editor")
	}
	h.mustShow("yours (enter edits): Hi {{.FirstName}}! Dear {{.…")
	if h.app.settings.Guard() == "" {
		t.Fatal("an edited template should count as a change")
	}
	h.keys("ctrl+s")
	if h.app.settings != nil {
		t.Fatalf("the settings should save; status %q", h.status())
	}
	st, _ := s.Settings()
	if !strings.HasPrefix(st.Reminders.Cards[model.ReminderThankYou], "Hi {{.FirstName}}! Dear") {
		t.Fatalf("saved %q", st.Reminders.Cards)
	}
	// The composer uses it.
	h.reminders()
	h.selectReminder("Ana Lima")
	h.keys("c")
	h.mustShow("Hi Ana! Dear Ana,")
	h.keys("esc")
	// ctrl+r brings Patron's own back, and saving forgets the owner's.
	h.keys(",")
	h.focusSetting("card:thank-you")
	h.keys("enter", "ctrl+r", "ctrl+s")
	h.mustShow("Patron's (enter edits): Thank you")
	h.keys("ctrl+s")
	st, _ = s.Settings()
	if _, ok := st.Reminders.Cards[model.ReminderThankYou]; ok {
		t.Fatalf("Patron's own template should not be stored: %q", st.Reminders.Cards)
	}
}

func TestTemplateEditorEscKeepsTheOldTemplate(t *testing.T) {
	h := newHarness(t, remindersFile(t), 100, 30)
	h.keys(",")
	h.focusSetting("card:birthday")
	h.typeText("x") // any typing on a card's line opens the editor
	if _, ok := h.app.settings.dialog.(*templateEditor); !ok {
		t.Fatal("typing on a card's text should open its editor")
	}
	h.typeText("scribble").keys("esc")
	if h.app.settings.dialog != nil || h.app.settings.Guard() != "" {
		t.Fatal("esc should leave the template as it was")
	}
	h.mustShow("Patron's (enter edits): Happy {{if .AgeOrdinal}}{{.…")
}

func TestRuleSettingsAreCheckedSavedAndUndoable(t *testing.T) {
	s := remindersFile(t)
	h := newHarness(t, s, 100, 30)
	rv := h.reminders()
	h.mustShow("birthday card")
	h.keys(",")
	h.focusSetting("rem:birthday.days_before")
	h.keys("ctrl+u").typeText("99").keys("tab")
	h.mustShow("days before the birthday is 99")
	h.keys("ctrl+s")
	if h.app.settings == nil || h.app.status.kind != statusError {
		t.Fatal("a bad number should not save")
	}
	h.keys("ctrl+u").typeText("2")
	h.focusSetting("rem:thank_you.threshold")
	h.keys("ctrl+u").typeText("50.00")
	h.keys("ctrl+s")
	if h.app.settings != nil {
		t.Fatalf("status %q", h.status())
	}
	st, _ := s.Settings()
	if st.Reminders.Birthday.DaysBefore != 2 || st.Reminders.ThankYou.Threshold != 5000 || st.ShopName != "Flores & Filhos" {
		t.Fatalf("saved %+v", st.Reminders)
	}
	// Elena's birthday card is now due two days before the 5th.
	h.mustShow("in 8 days")
	h.keys(",")
	h.focusSetting("rem:birthday")
	h.keys("space", "ctrl+s")
	h.mustNotShow("birthday card")
	if rv.open() != 4 {
		t.Fatalf("%d reminders after turning birthdays off", rv.open())
	}
	h.keys("u")
	h.mustShow("birthday card")
}
