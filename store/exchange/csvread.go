package exchange

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/patron-crm/patron/model"
)

// readCSV decodes a CSV file: the delimiter is sniffed from the header,
// the flavour (Google, Outlook, Square, Shopify, Patron, other) is told
// from the header's names, and each row becomes a customer through the
// mapping (guessed, or the owner's).
func readCSV(text string, o Options) (*File, error) {
	lineOffset := 0
	delim, rest, hinted := excelSepHint(text)
	if hinted {
		text = rest
		lineOffset = 1
	} else {
		delim = sniffDelimiter(text)
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = delim
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fileErr(ErrBinary, "cannot be read as CSV: its first line is not a row of column names")
	}
	for i := range header {
		header[i] = strings.TrimSpace(strings.TrimPrefix(header[i], "\uFEFF"))
	}
	f := &File{Format: csvFlavour(header), Header: header, Delimiter: delim}
	if f.Format == "interactions" {
		return nil, fileErr(ErrNotPatron, "is Patron's interaction log export, which cannot be imported; to move everything, including interactions, import the JSON export (`patron export json`) instead")
	}
	switch {
	case o.Mapping != nil:
		if len(o.Mapping) != len(header) {
			return nil, fileErr(ErrBadMapping, "has %d columns but the mapping has %d; choose the columns again", len(header), len(o.Mapping))
		}
		f.Mapping = append(Mapping(nil), o.Mapping...)
	default:
		f.Mapping = GuessMapping(header)
		if f.Format == FormatPatronCSV {
			for i, h := range header {
				if _, ok := patronStatColumns[normHeader(h)]; ok {
					f.Mapping[i] = Target{}
				}
			}
		}
	}
	if !f.Mapping.HasName() {
		return nil, &FileError{Kind: ErrNoNameColumn, Problem: fmt.Sprintf(
			"has no column Patron recognises as the customer's name (its columns are: %s); call a column \"Name\", or \"First Name\" and \"Last Name\", or choose the columns in Patron's import screen",
			listHeaders(header))}
	}
	unclosed := unclosedQuote(text, delim)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				f.Errors = append(f.Errors, RowError{Line: pe.StartLine + lineOffset,
					Reason: "this row cannot be read as CSV, so the rest of the file from here was not read; check the quotes on this line"})
				break
			}
			return nil, err
		}
		line, _ := r.FieldPos(0)
		if unclosed > 0 {
			last, _ := r.FieldPos(len(rec) - 1)
			if unclosed >= line && unclosed <= last {
				f.Errors = append(f.Errors, RowError{Line: unclosed + lineOffset,
					Reason: "a quoted value is never closed, so the rest of the file from here could not be read; check the quotes on this line"})
				break
			}
		}
		line += lineOffset
		if blankRow(rec) {
			continue
		}
		c := rowContact(rec, header, f.Mapping, f.Format)
		cu, warns, err := c.build(o)
		for _, w := range warns {
			f.Warnings = append(f.Warnings, RowError{Line: line, Reason: w})
		}
		if err != nil {
			f.Errors = append(f.Errors, RowError{Line: line, Reason: rowReason(cu, err)})
			continue
		}
		f.Records = append(f.Records, Record{Line: line, Customer: cu})
	}
	return f, nil
}

// rowReason says why a row cannot be imported, naming it when it has a name.
func rowReason(cu model.Customer, err error) string {
	if cu.Name == "" {
		return "this row " + err.Error()
	}
	return fmt.Sprintf("%s: %s", model.Sanitize(clipText(cu.Name, 40)), err.Error())
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func listHeaders(h []string) string {
	var parts []string
	for i, x := range h {
		if i == 8 {
			parts = append(parts, fmt.Sprintf("and %d more", len(h)-8))
			break
		}
		parts = append(parts, fmt.Sprintf("%q", model.Sanitize(clipText(x, 30))))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func blankRow(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// unclosedQuote finds a quoted value that runs to the end of the file (a
// lenient reader would swallow every row after it) and returns the line it
// opens on, or 0.
func unclosedQuote(text string, delim rune) int {
	line, open := 1, 0
	atStart, inQuote := true, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\n' {
			line++
		}
		switch {
		case inQuote:
			if c == '"' {
				if i+1 < len(text) && text[i+1] == '"' {
					i++
				} else {
					inQuote = false
				}
			}
		case atStart && c == '"':
			inQuote, open = true, line
			atStart = false
		case rune(c) == delim || c == '\n':
			atStart = true
		case c == '\r':
		default:
			atStart = false
		}
	}
	if inQuote {
		return open
	}
	return 0
}

// excelSepHint reads Excel's "sep=;" first line, which names the delimiter.
func excelSepHint(text string) (rune, string, bool) {
	line, rest, _ := strings.Cut(text, "\n")
	line = strings.TrimSpace(line)
	if len(line) == 5 && strings.EqualFold(line[:4], "sep=") {
		return rune(line[4]), rest, true
	}
	return 0, "", false
}

// sniffDelimiter picks the delimiter that splits the header best: a
// comma, a semicolon (spreadsheets in countries writing 12,50) or a tab.
func sniffDelimiter(text string) rune {
	counts := map[rune]int{}
	inQuote := false
	for _, c := range text {
		if c == '"' {
			inQuote = !inQuote
			continue
		}
		if inQuote {
			continue
		}
		if c == '\n' {
			break
		}
		if c == ',' || c == ';' || c == '\t' {
			counts[c]++
		}
	}
	best := ','
	for _, c := range []rune{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

// csvFlavour tells the known exports apart by their headers.
func csvFlavour(header []string) Format {
	h := map[string]bool{}
	for _, x := range header {
		h[normHeader(x)] = true
	}
	any := func(names ...string) bool {
		for _, n := range names {
			if h[n] {
				return true
			}
		}
		return false
	}
	switch {
	case h["kind"] && h["when"] && h["customer id"] && h["referred customer id"]:
		return "interactions" // Patron's own interaction log export
	case h["name"] && h["customer since"] && h["preferred channel"]:
		return FormatPatronCSV
	case h["given name"] && h["family name"] && any("group membership", "e-mail 1 - type", "phone 1 - type"):
		return FormatGoogleOld
	case any("e-mail 1 - value", "phone 1 - value", "address 1 - formatted") && any("labels", "file as", "first name"):
		return FormatGoogle
	case h["e-mail address"] && any("mobile phone", "home phone", "business phone", "primary phone"):
		return FormatOutlook
	case h["square customer id"] || (h["email address"] && h["phone number"] && any("memo", "reference id", "creation source", "first visit")):
		return FormatSquare
	case any("accepts email marketing", "accepts marketing", "default address address1") || (h["total spent"] && h["total orders"]):
		return FormatShopify
	}
	return FormatCSV
}

// patronStatColumns are the figures in Patron's own customer CSV: they are
// derived from interactions, so importing them would be wrong.
var patronStatColumns = map[string]bool{
	"visit count": true, "purchase count": true, "total spend": true, "points": true, "first visit": true,
	"last visit": true, "last contact": true, "referred by": true, "created": true, "updated": true,
}

// rowContact gathers one row's cells by the mapping.
func rowContact(rec, header []string, m Mapping, format Format) *contact {
	cell := func(i int) string {
		if i >= len(rec) {
			return ""
		}
		return unneutralise(strings.TrimSpace(rec[i]))
	}
	c := &contact{}
	labels := map[string]string{}
	for i, t := range m {
		if (t.Field == FieldPhoneLabel || t.Field == FieldEmailLabel) && t.Group != "" {
			labels[t.Field.kind()+t.Group] = cell(i)
		}
	}
	addrs := map[string]*address{}
	var order []string
	addr := func(group string) *address {
		a := addrs[group]
		if a == nil {
			a = &address{group: group}
			if !strings.HasPrefix(group, "address ") {
				a.label = group // Outlook's "home", "business", "other"
			}
			addrs[group] = a
			order = append(order, group)
		}
		return a
	}
	first := func(dst *string, v string) {
		if *dst == "" {
			*dst = v
		}
	}
	for i, t := range m {
		v := cell(i)
		if v == "" {
			continue
		}
		switch t.Field {
		case FieldName:
			first(&c.name, v)
		case FieldFirstName:
			first(&c.first, v)
		case FieldMiddleName:
			first(&c.middle, v)
		case FieldLastName:
			first(&c.last, v)
		case FieldNameSuffix:
			first(&c.suffix, v)
		case FieldNickname:
			first(&c.nickname, v)
		case FieldCompany:
			first(&c.company, v)
		case FieldPhone, FieldEmail:
			label := t.Label
			if l, ok := labels[t.Field.kind()+t.Group]; ok && t.Group != "" {
				label = l
			}
			l := labeled{value: v, label: strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(label), "*")),
				primary: strings.HasPrefix(strings.TrimSpace(label), "*"), order: i}
			if t.Field == FieldPhone {
				c.phones = append(c.phones, l)
			} else {
				c.emails = append(c.emails, l)
			}
		case FieldAddress, FieldStreet, FieldStreet2, FieldPOBox, FieldCity, FieldRegion, FieldPostalCode, FieldCountry:
			a := addr(t.Group)
			switch t.Field {
			case FieldAddress:
				first(&a.formatted, v)
			case FieldStreet:
				first(&a.street, v)
			case FieldStreet2:
				if a.street2 != "" {
					a.street2 += ", " + v
				} else {
					a.street2 = v
				}
			case FieldPOBox:
				first(&a.poBox, v)
			case FieldCity:
				first(&a.city, v)
			case FieldRegion:
				first(&a.region, v)
			case FieldPostalCode:
				first(&a.postalCode, strings.TrimLeft(v, "'"))
			case FieldCountry:
				first(&a.country, v)
			}
		case FieldBirthday:
			first(&c.birthday, v)
		case FieldTags:
			c.tags = append(c.tags, splitTagCell(v, format)...)
		case FieldNotes:
			c.notes = append(c.notes, v)
		case FieldNoteLine:
			if zeroFigure(v) {
				continue // "Total Orders: 0" says nothing
			}
			h := ""
			if i < len(header) {
				h = strings.TrimSpace(header[i])
			}
			c.noteLines = append(c.noteLines, h+": "+v)
		case FieldPreferences:
			first(&c.preferences, v)
		case FieldChannel:
			first(&c.channel, v)
		case FieldSource:
			first(&c.source, v)
		case FieldSince:
			first(&c.since, v)
		case FieldStatus:
			first(&c.status, v)
		case FieldNoContact:
			first(&c.noContact, v)
		case FieldPartner:
			first(&c.partner, v)
		case FieldLostReason:
			first(&c.lostReason, v)
		case FieldLostNote:
			first(&c.lostNote, v)
		case FieldLostAt:
			first(&c.lostAt, v)
		}
	}
	for _, g := range order {
		c.addresses = append(c.addresses, *addrs[g])
	}
	return c
}

// zeroFigure reports a figure that is nothing: "0", "0.00", "$0.00".
func zeroFigure(v string) bool {
	v = strings.TrimLeft(v, "$€£¥ ")
	return strings.Trim(v, "0.,") == "" && strings.ContainsRune(v, '0')
}

// kind is the prefix pairing a label column with its value column.
func (f Field) kind() string {
	switch f {
	case FieldPhone, FieldPhoneLabel:
		return "phone"
	case FieldEmail, FieldEmailLabel:
		return "email"
	}
	return string(f)
}

// unneutralise takes back the quote Patron (and others) put in front of a
// cell a spreadsheet would read as a formula.
func unneutralise(v string) string {
	if len(v) >= 2 && v[0] == '\'' && strings.IndexByte("=+-@\t\r", v[1]) >= 0 {
		return v[1:]
	}
	return v
}
