package model

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
	"time"
	"unicode/utf8"
)

// CardData is what a card template can say (text/template fields):
//
//	{{.FirstName}}     Ana
//	{{.Name}}          Ana Lima
//	{{.Shop}}          the shop's name
//	{{.LastPurchase}}  what they bought last (a thank-you card: what it thanks for)
//	{{.LastAmount}}    what it cost, e.g. $24.90
//	{{.CustomerFor}}   how long they have been a customer, e.g. 3 years
//	{{.Tier}}          tier-up: the rung they reached
//	{{.Age}}           birthday: the age they turn (0 when the year is unknown)
//	{{.AgeOrdinal}}    the same as 41st ("" when unknown)
//	{{.Years}}         anniversary: years since the first purchase
type CardData struct {
	FirstName    string
	Name         string
	Shop         string
	LastPurchase string
	LastAmount   string
	CustomerFor  string
	Tier         string
	Age          int
	AgeOrdinal   string
	Years        int
}

// sampleCard is what template checks run against.
var sampleCard = CardData{FirstName: "Ana", Name: "Ana Lima", Shop: "My shop", LastPurchase: "blue scarf",
	LastAmount: "$24.90", CustomerFor: "3 years", Tier: "supporter", Age: 41, AgeOrdinal: "41st", Years: 3}

// maxCard is the longest card message, so it fits an interaction's note.
const maxCard = MaxLong

// NewCardData fills a card's fields for a reminder, from the customer's
// record and the shop's settings.
func NewCardData(c Customer, r Reminder, st Settings, now time.Time) CardData {
	loc := st.Location()
	cur := st.Money()
	d := CardData{FirstName: c.FirstName(), Name: c.Name, Shop: st.ShopName,
		LastPurchase: c.Stats.LastPurchaseNote, CustomerFor: CustomerFor(c, now, loc)}
	if c.Stats.LastPurchaseAmount != 0 {
		d.LastAmount = c.Stats.LastPurchaseAmount.Display(cur)
	}
	switch r.Kind {
	case ReminderThankYou:
		// The card thanks for the purchase that earned it.
		if r.Detail != "" || r.Amount != 0 {
			d.LastPurchase = r.Detail
			d.LastAmount = ""
			if r.Amount != 0 {
				d.LastAmount = r.Amount.Display(cur)
			}
		}
	case ReminderTierUp:
		d.Tier = r.Detail
	case ReminderBirthday:
		// Occurred is the birthday itself; a manual reminder has only its due day.
		ref := r.Occurred
		if ref.IsZero() {
			ref = r.Due
		}
		if c.Birthday.Year != 0 && !ref.IsZero() {
			d.Age = max(ref.In(loc).Year()-c.Birthday.Year, 0)
			d.AgeOrdinal = Ordinal(d.Age)
		}
	case ReminderAnniversary:
		if n, err := strconv.Atoi(r.Detail); err == nil {
			d.Years = n
		} else if first := c.Stats.FirstPurchase; !first.IsZero() && !r.Due.IsZero() {
			d.Years = max(r.Due.In(loc).Year()-first.In(loc).Year(), 0)
		}
	}
	return d
}

// Ordinal writes 1st, 2nd, 3rd, 4th, 11th, 21st, 112th.
func Ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}

// CustomerFor says how long c has been a customer, for a card: "3 years",
// "5 months", "3 weeks", "a few days"; "" when nothing says.
func CustomerFor(c Customer, now time.Time, loc *time.Location) string {
	since := c.Since
	for _, t := range []time.Time{c.Stats.FirstVisit, c.Stats.FirstPurchase} {
		if !t.IsZero() && (since.IsZero() || t.Before(since)) {
			since = t
		}
	}
	if since.IsZero() || since.After(now) {
		return ""
	}
	loc = orLocal(loc)
	a, b := since.In(loc), now.In(loc)
	months := fullMonths(a, b)
	days := DaysBetween(a, b, loc)
	switch {
	case months >= 12:
		return plural(months/12, "year")
	case months >= 1:
		return plural(months, "month")
	case days >= 14:
		return plural(days/7, "week")
	}
	return "a few days"
}

// CardTemplate is the template for a kind of card: the owner's, when they
// edited it in Settings, else the built-in one from defaults (assets/).
func (rs ReminderSettings) CardTemplate(kind ReminderKind, defaults map[string]string) string {
	if t, ok := rs.Cards[kind]; ok && strings.TrimSpace(t) != "" {
		return t
	}
	return defaults[string(kind)]
}

// ComposeCardFor writes the card for a reminder: the kind's template
// filled with the customer's fields. defaults are the built-in templates.
func ComposeCardFor(r Reminder, c Customer, st Settings, defaults map[string]string, now time.Time) (string, error) {
	if !r.Kind.IsCard() {
		return "", fmt.Errorf("a %s is not a card", r.Kind.Label())
	}
	tmpl := st.ReminderRules().CardTemplate(r.Kind, defaults)
	if strings.TrimSpace(tmpl) == "" {
		return "", fmt.Errorf("there is no card template for %s; write one in Settings", r.Kind.Label())
	}
	return ComposeCard(tmpl, NewCardData(c, r, st, now))
}

var errCardTooLong = errors.New("too long")

// limitedBuffer stops a template that writes too much.
type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > 4*maxCard {
		return 0, errCardTooLong
	}
	return b.Buffer.Write(p)
}

// ComposeCard fills a card template. The message comes back trimmed, at
// most MaxLong characters.
func ComposeCard(tmpl string, d CardData) (string, error) {
	t, err := parseCard(tmpl)
	if err != nil {
		return "", err
	}
	var buf limitedBuffer
	if err := t.Execute(&buf, d); err != nil {
		if errors.Is(err, errCardTooLong) {
			return "", cardTooLong()
		}
		return "", &FieldError{Field: "card template", Problem: "cannot be filled: " + cleanTemplateError(err), Fix: cardFields}
	}
	out := strings.TrimSpace(buf.String())
	if utf8.RuneCountInString(out) > maxCard {
		return "", cardTooLong()
	}
	if !utf8.ValidString(out) {
		out = strings.ToValidUTF8(out, "\uFFFD")
	}
	return out, nil
}

func cardTooLong() error {
	return &FieldError{Field: "card", Problem: fmt.Sprintf("is longer than %d characters", maxCard), Fix: "shorten the template"}
}

const cardFields = "use fields such as {{.FirstName}}, {{.LastPurchase}}, {{.LastAmount}}, {{.CustomerFor}}, {{.Shop}}, {{.Tier}}, {{.AgeOrdinal}} and {{.Years}}"

// ValidateCardTemplate checks a template the owner edited: it parses, uses
// only the card's fields, and fills a sample card.
func ValidateCardTemplate(tmpl string) error {
	if err := checkText("card template", tmpl, MaxLong); err != nil {
		return err
	}
	if strings.TrimSpace(tmpl) == "" {
		return &FieldError{Field: "card template", Problem: "is empty", Fix: "write the card's message, e.g. Dear {{.FirstName}}, ..."}
	}
	_, err := ComposeCard(tmpl, sampleCard)
	return err
}

// parseCard parses a card template, allowing fields, if/else/with and
// comparisons only: a card needs no more, and loops or printf widths could
// keep Patron busy or fill its memory.
func parseCard(tmpl string) (*template.Template, error) {
	t, err := template.New("card").Option("missingkey=error").Parse(tmpl)
	if err != nil {
		return nil, &FieldError{Field: "card template", Problem: "cannot be read: " + cleanTemplateError(err), Fix: "check the {{ }} parts; " + cardFields}
	}
	for _, tt := range t.Templates() {
		if tt.Name() != "card" {
			return nil, &FieldError{Field: "card template", Problem: "defines another template", Fix: cardFields}
		}
	}
	if t.Tree != nil && t.Tree.Root != nil {
		if bad := refused(t.Tree.Root); bad != "" {
			return nil, &FieldError{Field: "card template", Problem: "uses " + bad + ", which a card does not need", Fix: "use {{if}}, {{else}} and fields; " + cardFields}
		}
	}
	return t, nil
}

// cardFuncs are the template functions a card may call.
var cardFuncs = map[string]bool{"eq": true, "ne": true, "lt": true, "le": true, "gt": true, "ge": true,
	"and": true, "or": true, "not": true, "len": true}

// refused names the first thing in the tree a card may not use.
func refused(n parse.Node) string {
	switch x := n.(type) {
	case *parse.ListNode:
		if x == nil {
			return ""
		}
		for _, c := range x.Nodes {
			if s := refused(c); s != "" {
				return s
			}
		}
	case *parse.RangeNode:
		return "{{range}}"
	case *parse.TemplateNode:
		return "{{template}}"
	case *parse.BreakNode, *parse.ContinueNode:
		return "{{break}}"
	case *parse.ActionNode:
		return refused(x.Pipe)
	case *parse.IfNode:
		return firstRefused(x.Pipe, x.List, x.ElseList)
	case *parse.WithNode:
		return firstRefused(x.Pipe, x.List, x.ElseList)
	case *parse.PipeNode:
		if x == nil {
			return ""
		}
		for _, cmd := range x.Cmds {
			for _, arg := range cmd.Args {
				if s := refused(arg); s != "" {
					return s
				}
			}
		}
	case *parse.IdentifierNode:
		if !cardFuncs[x.Ident] {
			return x.Ident
		}
	}
	return ""
}

func firstRefused(p *parse.PipeNode, lists ...*parse.ListNode) string {
	if s := refused(p); s != "" {
		return s
	}
	for _, l := range lists {
		if l != nil {
			if s := refused(l); s != "" {
				return s
			}
		}
	}
	return ""
}

// cleanTemplateError drops text/template's "template: card:1:2:" prefix.
func cleanTemplateError(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "template: ")
	if i := strings.Index(s, ": "); i >= 0 && strings.HasPrefix(s, "card:") {
		s = s[i+2:]
	}
	return Sanitize(s)
}
