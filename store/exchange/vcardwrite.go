package exchange

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/patron-crm/patron/model"
)

// VCardWriter writes customers as vCards (4.0 or 3.0), one after another,
// so an export can stream customers as it reads them.
type VCardWriter struct {
	w       io.Writer
	version string
}

// NewVCardWriter writes vCard 4.0 ("" or "4.0") or 3.0.
func NewVCardWriter(w io.Writer, version string) (*VCardWriter, error) {
	switch version {
	case "", "4", "4.0":
		version = "4.0"
	case "3", "3.0":
		version = "3.0"
	default:
		return nil, fmt.Errorf("vCard version %q: Patron writes 4.0 (the default) or 3.0", version)
	}
	return &VCardWriter{w: w, version: version}, nil
}

// noteContact matches the lines an import keeps in the notes for a second
// phone or email ("Phone (work): +1 555 0102"): they are written as
// labelled TEL and EMAIL properties too, so other address books see them.
var noteContact = regexp.MustCompile(`^(Phone|Email)(?: \(([^)]*)\))?: (.+)$`)

// vcardTypes are the labels vCard has a TYPE for.
var vcardTypes = map[string]string{"mobile": "cell", "cell": "cell", "home": "home", "work": "work", "fax": "fax",
	"pager": "pager", "text": "text", "video": "video", "voice": "voice"}

// Write writes one customer as one card.
func (v *VCardWriter) Write(c model.Customer) error {
	var b strings.Builder
	line := func(s string) { b.WriteString(fold(s)) }
	v4 := v.version == "4.0"
	line("BEGIN:VCARD")
	line("VERSION:" + v.version)
	line("PRODID:-//Patron//Patron customer book//EN")
	line("FN:" + escText(c.Name))
	line("N:" + nameParts(c.Name))
	if c.Phone != "" {
		if v4 {
			line("TEL;PREF=1:" + escText(c.Phone))
		} else {
			line("TEL;TYPE=VOICE,PREF:" + escText(c.Phone))
		}
	}
	if c.Email != "" {
		if v4 {
			line("EMAIL;PREF=1:" + escText(c.Email))
		} else {
			line("EMAIL;TYPE=INTERNET,PREF:" + escText(c.Email))
		}
	}
	item := 0
	for _, n := range strings.Split(c.Notes, "\n") {
		m := noteContact.FindStringSubmatch(strings.TrimSpace(n))
		if m == nil {
			continue
		}
		prop, label, value := "TEL", strings.ToLower(m[2]), m[3]
		if m[1] == "Email" {
			prop = "EMAIL"
		}
		// X-PATRON-FROM says the value is already in the notes, so reading
		// the card back into Patron does not add it twice.
		params := ";X-PATRON-FROM=notes"
		group := ""
		if t, ok := vcardTypes[label]; ok {
			if v4 {
				params += ";TYPE=" + t
			} else {
				params += ";TYPE=" + strings.ToUpper(t)
			}
		} else if label != "" {
			item++
			group = fmt.Sprintf("item%d.", item)
		}
		line(group + prop + params + ":" + escText(value))
		if group != "" {
			line(group + "X-ABLabel:" + escText(m[2]))
		}
	}
	if c.Address != "" {
		line("ADR:;;" + escText(c.Address) + ";;;;")
	}
	if !c.Birthday.IsZero() {
		bd := c.Birthday
		switch {
		case v4 && bd.Year != 0:
			line(fmt.Sprintf("BDAY:%04d%02d%02d", bd.Year, bd.Month, bd.Day))
		case v4:
			line(fmt.Sprintf("BDAY:--%02d%02d", bd.Month, bd.Day))
		case bd.Year != 0:
			line(fmt.Sprintf("BDAY:%04d-%02d-%02d", bd.Year, bd.Month, bd.Day))
		default:
			// vCard 3.0 has no date without a year; Apple's convention is understood widely.
			line(fmt.Sprintf("BDAY;X-APPLE-OMIT-YEAR=1604:1604-%02d-%02d", bd.Month, bd.Day))
		}
	}
	if len(c.Tags) > 0 {
		esc := make([]string, len(c.Tags))
		for i, t := range c.Tags {
			esc[i] = escText(t)
		}
		line("CATEGORIES:" + strings.Join(esc, ","))
	}
	if c.Notes != "" {
		line("NOTE:" + escText(c.Notes))
	}
	x := func(name, value string) {
		if value != "" {
			line(name + ":" + escText(value))
		}
	}
	x("X-PATRON-PREFERENCES", c.Preferences)
	x("X-PATRON-CHANNEL", c.Channel)
	x("X-PATRON-SOURCE", c.Source)
	if !c.Since.IsZero() {
		x("X-PATRON-SINCE", c.Since.Format(time.RFC3339Nano))
	}
	if c.Status != "" && c.Status != model.StatusActive {
		x("X-PATRON-STATUS", string(c.Status))
	}
	if c.NoContact {
		x("X-PATRON-NO-CONTACT", "yes")
	}
	if c.Partner {
		x("X-PATRON-PARTNER", "yes")
	}
	x("X-PATRON-LOST-REASON", c.LostReason)
	x("X-PATRON-LOST-NOTE", c.LostNote)
	if !c.LostAt.IsZero() {
		x("X-PATRON-LOST-AT", c.LostAt.Format(time.RFC3339Nano))
	}
	line("END:VCARD")
	_, err := io.WriteString(v.w, b.String())
	return err
}

// WriteVCards writes every customer as a vCard of the given version.
func WriteVCards(w io.Writer, version string, cs []model.Customer) error {
	vw, err := NewVCardWriter(w, version)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if err := vw.Write(c); err != nil {
			return err
		}
	}
	return nil
}

// nameParts guesses N from a whole name: the last word is the family name.
func nameParts(name string) string {
	f := strings.Fields(name)
	switch len(f) {
	case 0:
		return ";;;;"
	case 1:
		return ";" + escText(f[0]) + ";;;"
	}
	return escText(f[len(f)-1]) + ";" + escText(strings.Join(f[:len(f)-1], " ")) + ";;;"
}

// escText escapes a vCard text value: backslash, newline, comma and
// semicolon; carriage returns and other control characters are dropped.
func escText(s string) string {
	var b strings.Builder
	for _, r := range strings.ReplaceAll(s, "\r\n", "\n") {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == ',':
			b.WriteString(`\,`)
		case r == ';':
			b.WriteString(`\;`)
		case r == '\t':
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fold ends a content line with CRLF, folding it at 75 octets without
// splitting a UTF-8 character.
func fold(s string) string {
	if len(s) <= 75 {
		return s + "\r\n"
	}
	var b strings.Builder
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if cut == 0 {
			cut = limit // not UTF-8 at all: cut where the limit is
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
	return b.String()
}
