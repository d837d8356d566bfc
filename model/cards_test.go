package model

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestComposeCard(t *testing.T) {
	got, err := ComposeCard("Dear {{.FirstName}},\nthank you for the {{.LastPurchase}} ({{.LastAmount}}). {{.Shop}}\n\n", sampleCard)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Dear Ana,\nthank you for the blue scarf ($24.90). My shop"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestCardTemplatesAreChecked(t *testing.T) {
	for name, tmpl := range map[string]string{
		"unknown field":       "Dear {{.Nickname}}",
		"unclosed action":     "Dear {{.FirstName",
		"a loop":              "{{range 1000000000}}{{end}}",
		"a loop in an if":     "{{if .Age}}{{range 3}}x{{end}}{{end}}",
		"a sub-template":      `{{define "x"}}hi{{end}}{{template "x"}}`,
		"empty":               "  \n",
		"too long":            strings.Repeat("x", MaxLong+1),
		"output too long":     `{{printf "%6000s" .Name}}`,
		"output far too long": `{{printf "%99999999s" .Name}}`,
	} {
		err := ValidateCardTemplate(tmpl)
		var fe *FieldError
		if err == nil || !errors.As(err, &fe) {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if strings.Contains(err.Error(), "template: card") {
			t.Errorf("%s: the message shows Go's template prefix: %v", name, err)
		}
	}
	if err := ValidateCardTemplate("Dear {{.FirstName}}{{if .AgeOrdinal}}, happy {{.AgeOrdinal}}{{end}}!"); err != nil {
		t.Fatal(err)
	}
	// A long name many times over makes a card too long for the timeline.
	long := CardData{Name: strings.Repeat("n", MaxName)}
	if _, err := ComposeCard(strings.Repeat("{{.Name}}", 100), long); err == nil {
		t.Fatal("a 20,000-character card was composed")
	}
}

func TestCardDataForAThankYouNamesThePurchaseItThanksFor(t *testing.T) {
	st := DefaultSettings()
	st.ShopName = "Lima & Daughters"
	st.TimeZone = "UTC"
	now := noon(2026, 11, 25)
	c := rcust(1, rbuy(noon(2023, 11, 1), 500), Interaction{Kind: KindPurchase, At: noon(2026, 11, 24), Amount: 12000, Note: "wool coat"},
		Interaction{Kind: KindPurchase, At: noon(2026, 11, 25), Amount: 300, Note: "socks"})
	c.Name = "Ana Maria Lima"
	rems := ofKind(NewRules(st).Generate(c, now), ReminderThankYou)
	if len(rems) != 1 {
		t.Fatalf("thank-you reminders: %+v", rems)
	}
	d := NewCardData(c, rems[0], st, now)
	if d.FirstName != "Ana" || d.LastPurchase != "wool coat" || d.LastAmount != "$120.00" || d.CustomerFor != "3 years" || d.Shop != "Lima & Daughters" {
		t.Fatalf("card data: %+v", d)
	}
	// Another card speaks of what they bought last.
	d = NewCardData(c, Reminder{Kind: ReminderThinkingOfYou}, st, now)
	if d.LastPurchase != "socks" || d.LastAmount != "$3.00" {
		t.Fatalf("thinking-of-you card data: %+v", d)
	}
}

func TestCardDataForBirthdaysAndAnniversaries(t *testing.T) {
	st := DefaultSettings()
	st.TimeZone = "UTC"
	c := rcust(1, rbuy(noon(2024, 3, 1), 500))
	c.Birthday = Birthday{Year: 1985, Month: 1, Day: 3}
	now := noon(2025, 12, 30)
	var bday, anniv Reminder
	for _, r := range NewRules(st).Generate(c, now) {
		switch r.Kind {
		case ReminderBirthday:
			bday = r
		case ReminderAnniversary:
			anniv = r
		}
	}
	// Due in December, the birthday is in January: they turn 41.
	if d := NewCardData(c, bday, st, now); d.Age != 41 || d.AgeOrdinal != "41st" {
		t.Fatalf("birthday card: %+v (reminder %+v)", d, bday)
	}
	if d := NewCardData(c, anniv, st, now); d.Years != 2 {
		t.Fatalf("anniversary card: %+v (reminder %+v)", d, anniv)
	}
}

func TestComposeCardForUsesTheOwnersTemplateFirst(t *testing.T) {
	st := DefaultSettings()
	defaults := map[string]string{"birthday": "Happy birthday, {{.FirstName}}!"}
	c := Customer{ID: 1, Name: "Ana Lima"}
	r := Reminder{Kind: ReminderBirthday, Customer: 1}
	got, err := ComposeCardFor(r, c, st, defaults, noon(2026, 1, 1))
	if err != nil || got != "Happy birthday, Ana!" {
		t.Fatalf("built-in: %q %v", got, err)
	}
	st.Reminders.Cards = map[ReminderKind]string{ReminderBirthday: "Many happy returns, {{.FirstName}}."}
	if got, err = ComposeCardFor(r, c, st, defaults, noon(2026, 1, 1)); err != nil || got != "Many happy returns, Ana." {
		t.Fatalf("the owner's: %q %v", got, err)
	}
	if _, err := ComposeCardFor(Reminder{Kind: ReminderFollowUp}, c, st, defaults, noon(2026, 1, 1)); err == nil {
		t.Fatal("a follow-up got a card")
	}
	if _, err := ComposeCardFor(Reminder{Kind: ReminderWinBack}, c, st, defaults, noon(2026, 1, 1)); err == nil {
		t.Fatal("a card without a template was composed")
	}
}

func TestCustomerFor(t *testing.T) {
	now := noon(2026, 11, 25)
	for since, want := range map[time.Time]string{
		noon(2023, 11, 25): "3 years", noon(2025, 11, 1): "1 year", noon(2026, 6, 1): "5 months",
		noon(2026, 11, 1): "3 weeks", noon(2026, 11, 20): "a few days", {}: "", noon(2026, 12, 1): "",
	} {
		if got := CustomerFor(Customer{Since: since}, now, time.UTC); got != want {
			t.Errorf("since %v: %q, want %q", since, got, want)
		}
	}
	// The first visit counts when it is earlier than "since" (an import sets since late).
	c := Customer{Since: noon(2026, 11, 1), Stats: Stats{FirstVisit: noon(2024, 1, 1)}}
	if got := CustomerFor(c, now, time.UTC); got != "2 years" {
		t.Errorf("first visit before since: %q", got)
	}
}

func TestOrdinal(t *testing.T) {
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 22: "22nd", 101: "101st", 111: "111th"} {
		if got := Ordinal(n); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
}
