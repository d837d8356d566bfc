package exchange

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/patron-crm/patron/model"
)

func TestAddressLines(t *testing.T) {
	for in, want := range map[string][4]string{
		"1 Rua Nova\nLisbon\n1100-001":  {"1 Rua Nova", "Lisbon", "1100-001", ""},
		"1 Rua Nova, Lisbon, 1100-001":  {"1 Rua Nova", "Lisbon", "1100-001", ""},
		"a\r\nb\n\n c \nd\ne\nf":        {"a", "b", "c", "d, e, f"},
		"":                              {},
		"Flat 2,  12 High St , Bristol": {"Flat 2", "12 High St", "Bristol", ""},
	} {
		if got := AddressLines(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestCardsCSVNeutralisesEveryCell(t *testing.T) {
	st := model.DefaultSettings()
	st.ShopName = "=Shop"
	due := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	customers := map[model.ID]model.Customer{
		1: {ID: 1, Name: "=1+1", Address: "-1 Dash Street\n@Town\n+44"},
		2: {ID: 2, Name: "Plain Person", Address: "2 Rua Velha, Lisbon"},
	}
	list := []model.Reminder{
		{Key: "thank-you:1:2026-11-25", Customer: 1, Kind: model.ReminderThankYou, Due: due, Detail: "=cmd|' /C calc'!A0"},
		{Key: "manual:1", Customer: 2, Kind: model.ReminderFollowUp, Due: due}, // not a card
		{Key: "birthday:2:2026", Customer: 2, Kind: model.ReminderBirthday, Due: due},
		{Key: "birthday:9:2026", Customer: 9, Kind: model.ReminderBirthday, Due: due}, // no such customer
	}
	templates := map[string]string{"thank-you": "{{.LastPurchase}}", "birthday": "\tHappy birthday, {{.FirstName}}"}
	cards, err := Cards(list, func(id model.ID) (model.Customer, bool) { c, ok := customers[id]; return c, ok }, st, templates, due)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteCardsCSV(&buf, cards, time.UTC); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		CardColumns,
		{"'=1+1", "'-1 Dash Street", "'@Town", "'+44", "", "thank-you card", "2026-11-26", "'=cmd|' /C calc'!A0", "1", "thank-you:1:2026-11-25"},
		{"Plain Person", "2 Rua Velha", "Lisbon", "", "", "birthday card", "2026-11-26", "Happy birthday, Plain", "2", "birthday:2:2026"},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %q", rows)
	}
	for i := range want {
		if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d: %q, want %q", i, rows[i], want[i])
		}
	}
	// A template that cannot be filled stops the export with the card named.
	templates["birthday"] = "{{.Nickname}}"
	if _, err := Cards(list, func(id model.ID) (model.Customer, bool) { c, ok := customers[id]; return c, ok }, st, templates, due); err == nil || !strings.Contains(err.Error(), "birthday card for #2") {
		t.Fatalf("a broken template: %v", err)
	}
}
