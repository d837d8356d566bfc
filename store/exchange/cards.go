package exchange

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/patron-crm/patron/model"
)

// Card is one card to send: who, where to, and the message filled in.
type Card struct {
	Customer model.Customer
	Reminder model.Reminder
	Message  string
}

// Cards composes the card reminders among list (others are left out): each
// customer found by customer, each message filled from the kind's template
// (the owner's in the settings, else templates, the built-in ones).
func Cards(list []model.Reminder, customer func(model.ID) (model.Customer, bool), st model.Settings, templates map[string]string, now time.Time) ([]Card, error) {
	var out []Card
	for _, r := range list {
		if !r.Kind.IsCard() {
			continue
		}
		cu, ok := customer(r.Customer)
		if !ok {
			continue
		}
		msg, err := model.ComposeCardFor(r, cu, st, templates, now)
		if err != nil {
			return nil, fmt.Errorf("the %s for #%d %s: %w", r.Kind.Label(), cu.ID, model.Sanitize(cu.Name), err)
		}
		out = append(out, Card{Customer: cu, Reminder: r, Message: msg})
	}
	return out, nil
}

// CardColumns are the cards CSV's header, for a mail merge or labels.
var CardColumns = []string{"name", "address_1", "address_2", "address_3", "address_4", "kind", "due", "message", "customer_id", "key"}

// WriteCardsCSV writes cards as CSV for a mail merge: name, four address
// lines, kind, due day (in loc), message, customer id and the reminder's
// key. Every cell is neutralised so a spreadsheet never runs it.
func WriteCardsCSV(w io.Writer, cards []Card, loc *time.Location) error {
	if loc == nil {
		loc = time.Local
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CardColumns); err != nil {
		return err
	}
	for _, c := range cards {
		lines := AddressLines(c.Customer.Address)
		row := []string{c.Customer.Name, lines[0], lines[1], lines[2], lines[3], c.Reminder.Kind.Label(),
			c.Reminder.Due.In(loc).Format(model.DayFormat), c.Message, strconv.FormatUint(uint64(c.Customer.ID), 10), c.Reminder.Key}
		for i := range row {
			row[i] = Neutralise(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// AddressLines splits a mailing address into at most four label lines: by
// its line breaks, or by commas when it was typed on one line; what does
// not fit joins the fourth.
func AddressLines(address string) [4]string {
	var out [4]string
	address = strings.ReplaceAll(strings.TrimSpace(address), "\r\n", "\n")
	sep := "\n"
	if !strings.Contains(address, "\n") {
		sep = ","
	}
	var parts []string
	for _, p := range strings.Split(address, sep) {
		if p = strings.Join(strings.Fields(p), " "); p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) > 4 {
		parts = append(parts[:3], strings.Join(parts[3:], ", "))
	}
	copy(out[:], parts)
	return out
}
