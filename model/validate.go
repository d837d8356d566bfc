package model

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Field length limits, in characters.
const (
	MaxName  = 200
	MaxShort = 200  // phone, email, channel, source, a tag
	MaxLong  = 5000 // address, preferences, notes
	MaxTags  = 50
)

// ValidateCustomer checks every field the owner types. The first problem is
// returned as a *FieldError naming the field and the fix.
func ValidateCustomer(c Customer) error {
	if strings.TrimSpace(c.Name) == "" {
		return &FieldError{Field: "name", Problem: "is required", Fix: "type the customer's name"}
	}
	checks := []struct {
		field, value string
		max          int
	}{
		{"name", c.Name, MaxName}, {"phone", c.Phone, MaxShort}, {"email", c.Email, MaxShort},
		{"address", c.Address, MaxLong}, {"preferences", c.Preferences, MaxLong}, {"notes", c.Notes, MaxLong},
		{"preferred channel", c.Channel, MaxShort}, {"how they found the shop", c.Source, MaxShort},
		{"defection note", c.LostNote, MaxLong},
	}
	for _, ch := range checks {
		if err := checkText(ch.field, ch.value, ch.max); err != nil {
			return err
		}
	}
	if err := ValidateEmail(c.Email); err != nil {
		return err
	}
	if err := ValidatePhone(c.Phone); err != nil {
		return err
	}
	if !c.Birthday.IsZero() {
		if err := c.Birthday.Validate(); err != nil {
			return err
		}
	}
	if len(c.Tags) > MaxTags {
		return &FieldError{Field: "tags", Problem: fmt.Sprintf("has %d tags", len(c.Tags)), Fix: fmt.Sprintf("keep it to %d", MaxTags)}
	}
	for _, t := range c.Tags {
		if err := checkText("tag", t, MaxShort); err != nil {
			return err
		}
	}
	switch c.Status {
	case "", StatusActive, StatusArchived:
	case StatusLost:
		if c.LostReason != "" && !IsDefectionReason(c.LostReason) {
			return &FieldError{Field: "defection reason", Problem: fmt.Sprintf("%q is not one of the reasons", c.LostReason), Fix: "use " + strings.Join(DefectionReasons, ", ")}
		}
	default:
		return &FieldError{Field: "status", Problem: fmt.Sprintf("%q is not a status", c.Status), Fix: "use active, archived or lost"}
	}
	return nil
}

// DefectionReasons are the seeds' six kinds of defector.
var DefectionReasons = []string{"price", "product", "service", "market", "technology", "organisational"}

// IsDefectionReason reports whether r is one of DefectionReasons.
func IsDefectionReason(r string) bool {
	for _, x := range DefectionReasons {
		if x == r {
			return true
		}
	}
	return false
}

func checkText(field, v string, max int) error {
	if !utf8.ValidString(v) {
		return &FieldError{Field: field, Problem: "has characters that are not valid text", Fix: "retype it"}
	}
	if n := utf8.RuneCountInString(v); n > max {
		return &FieldError{Field: field, Problem: fmt.Sprintf("is %d characters long", n), Fix: fmt.Sprintf("keep it to %d", max)}
	}
	return nil
}

// ValidateEmail accepts an empty email or a plain address such as ana@example.com.
func ValidateEmail(e string) error {
	e = strings.TrimSpace(e)
	if e == "" {
		return nil
	}
	if err := checkText("email", e, MaxShort); err != nil {
		return err // before the address is quoted back
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || !strings.Contains(e[strings.LastIndex(e, "@")+1:], ".") {
		return &FieldError{Field: "email", Problem: fmt.Sprintf("%q is not an email address", Sanitize(e)), Fix: "it looks like name@example.com"}
	}
	return nil
}

// ValidatePhone accepts an empty phone or one with 5 to 20 digits and the
// usual punctuation (+, spaces, dashes, dots, brackets, "ext").
func ValidatePhone(p string) error {
	p = strings.TrimSpace(p)
	if p == "" {
		return nil
	}
	if err := checkText("phone", p, MaxShort); err != nil {
		return err // before the number is quoted back
	}
	d := PhoneDigits(p)
	for _, r := range p {
		if !(r >= '0' && r <= '9') && !strings.ContainsRune("+-. ()/xXextEXT", r) {
			return &FieldError{Field: "phone", Problem: fmt.Sprintf("%q has a character that is not part of a phone number", Sanitize(p)), Fix: "use digits, spaces, + - ( )"}
		}
	}
	if len(d) < 5 || len(d) > 20 {
		return &FieldError{Field: "phone", Problem: fmt.Sprintf("%q has %d digits", Sanitize(p), len(d)), Fix: "a phone number has 5 to 20 digits"}
	}
	return nil
}

// PhoneDigits keeps only the ASCII digits of a phone number, for comparing.
func PhoneDigits(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] >= '0' && p[i] <= '9' {
			b.WriteByte(p[i])
		}
	}
	return b.String()
}

// NormalizeEmail is the form emails are compared in.
func NormalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// ParseTags splits "vip, wedding,  " into clean, unique tags.
func ParseTags(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range strings.Split(s, ",") {
		t = strings.Join(strings.Fields(t), " ")
		if t == "" || seen[strings.ToLower(t)] {
			continue
		}
		seen[strings.ToLower(t)] = true
		out = append(out, t)
	}
	return out
}

// CleanCustomer trims the fields a form leaves padded, keeping what the
// owner meant.
func CleanCustomer(c Customer) Customer {
	c.Name = strings.Join(strings.Fields(c.Name), " ")
	c.Phone = strings.TrimSpace(c.Phone)
	c.Email = strings.TrimSpace(c.Email)
	c.Address = strings.TrimSpace(c.Address)
	c.Channel = strings.TrimSpace(c.Channel)
	c.Source = strings.TrimSpace(c.Source)
	c.Preferences = strings.TrimSpace(c.Preferences)
	c.Notes = strings.TrimSpace(c.Notes)
	c.Tags = ParseTags(strings.Join(c.Tags, ","))
	return c
}

// Sanitize makes text from the owner or a file safe to draw on a terminal:
// escape sequences and control characters are removed (a tab and newlines
// become spaces), invalid UTF-8 becomes U+FFFD, and bidirectional overrides
// are dropped so text cannot reorder the screen.
func Sanitize(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x20 || b == 0x7f || b >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune('\uFFFD')
			i++
			continue
		}
		// Skip an escape sequence as a whole, not only its ESC (or C1
		// introducer), so its parameters do not show as text.
		if r == 0x1b || isC1Introducer(r) {
			i += escapeLen(s[i:])
			continue
		}
		i += size
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r): // C0, DEL and C1
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isC1Introducer reports whether r opens a sequence in its 8-bit form:
// DCS, SOS, CSI, OSC, PM or APC.
func isC1Introducer(r rune) bool {
	switch r {
	case 0x90, 0x98, 0x9b, 0x9d, 0x9e, 0x9f:
		return true
	}
	return false
}

// escapeLen is the length of the escape sequence at the start of s, which
// begins with ESC or a UTF-8 C1 introducer: a CSI up to its final byte (or
// the first byte that cannot belong to it), an OSC/DCS/APC/PM/SOS string up
// to BEL or ST, otherwise ESC and one more ASCII byte.
func escapeLen(s string) int {
	var start int
	var str bool // a string sequence ended by BEL or ST, rather than a CSI
	if s[0] == 0x1b {
		if len(s) < 2 {
			return 1
		}
		switch c := s[1]; {
		case c == '[':
		case c == ']' || c == 'P' || c == '_' || c == '^' || c == 'X':
			str = true
		case c >= 0x20 && c < 0x7f:
			return 2
		default:
			return 1 // ESC before a control or a multi-byte character: drop only the ESC
		}
		start = 2
	} else {
		str = s[1] != 0x9b // the C1 introducers are two bytes in UTF-8: 0xC2 0x90-0x9F
		start = 2
	}
	for i := start; i < len(s); i++ {
		c := s[i]
		if !str {
			switch {
			case c >= 0x40 && c <= 0x7e:
				return i + 1
			case c < 0x20 || c > 0x7e:
				return i // not part of a CSI: stop, and let the loop deal with it
			}
			continue
		}
		switch {
		case c == 0x07:
			return i + 1
		case c == 0x1b && i+1 < len(s) && s[i+1] == '\\':
			return i + 2
		case c == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c: // ST in its C1 form
			return i + 2
		}
	}
	return len(s)
}
