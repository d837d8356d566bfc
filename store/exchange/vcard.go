package exchange

import (
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-vcard"
)

// vCard reading is done here rather than by go-vcard's decoder, because
// the files phones write need things it does not do: vCard 2.1 with
// quoted-printable values whose soft line breaks fall in the middle of a
// UTF-8 character, bare 2.1 parameters ("TEL;CELL;PREF:"), CHARSET, a bad
// card that must not stop the rest, and the line each card starts on. The
// cards are gathered into go-vcard's Card type.

// physLine is one line of the file and its number.
type physLine struct {
	n    int
	text string
}

// vcardProp is one unfolded property line, before its value is decoded.
type vcardProp struct {
	line   int
	group  string
	name   string
	params vcard.Params
	value  string
}

type rawCard struct {
	line    int
	version string
	card    vcard.Card
	order   map[*vcard.Field]int
}

func readVCard(text string, o Options) (*File, error) {
	f := &File{Format: FormatVCard}
	var lines []physLine
	for i, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		lines = append(lines, physLine{n: i + 1, text: strings.TrimSuffix(l, "\r")})
	}
	var cur *rawCard
	finish := func() {
		if cur == nil {
			return
		}
		c := cardContact(cur)
		cu, warns, err := c.build(o)
		for _, w := range warns {
			f.Warnings = append(f.Warnings, RowError{Line: cur.line, Reason: w})
		}
		if err != nil {
			reason := "this card " + err.Error()
			if cu.Name != "" {
				reason = rowReason(cu, err)
			}
			f.Errors = append(f.Errors, RowError{Line: cur.line, Reason: reason})
		} else {
			f.Records = append(f.Records, Record{Line: cur.line, Customer: cu})
		}
		cur = nil
	}
	version := ""
	for i := 0; i < len(lines); {
		start := lines[i]
		if strings.TrimSpace(start.text) == "" {
			i++
			continue
		}
		logical := start.text
		i++
		qp := isQP(logical)
		for i < len(lines) {
			next := lines[i].text
			switch {
			case qp && strings.HasSuffix(logical, "="):
				// A quoted-printable soft break: the value goes on, maybe in the
				// middle of an encoded character.
				logical = logical[:len(logical)-1] + next
			case next != "" && (next[0] == ' ' || next[0] == '\t'):
				if version == "2.1" {
					logical += next // 2.1 keeps the folding whitespace
				} else {
					logical += next[1:]
				}
			default:
				goto done
			}
			i++
		}
	done:
		p, ok := parseProp(logical, start.n)
		if !ok {
			continue
		}
		switch {
		case p.name == "BEGIN" && strings.EqualFold(strings.TrimSpace(p.value), "VCARD"):
			finish()
			cur = &rawCard{line: start.n, card: vcard.Card{}, order: map[*vcard.Field]int{}}
			version = ""
		case p.name == "END" && strings.EqualFold(strings.TrimSpace(p.value), "VCARD"):
			finish()
		case cur == nil:
			// Text between cards is not part of any contact.
		case p.name == "VERSION":
			cur.version = strings.TrimSpace(p.value)
			version = cur.version
		default:
			fld := &vcard.Field{Value: decodeValue(p), Params: p.params, Group: p.group}
			cur.order[fld] = len(cur.order)
			cur.card.Add(p.name, fld)
		}
	}
	finish()
	if len(f.Records) == 0 && len(f.Errors) == 0 {
		return nil, fileErr(ErrEmpty, "starts like a vCard but holds no cards (no BEGIN:VCARD ... END:VCARD)")
	}
	return f, nil
}

// isQP reports whether a property line's parameters say quoted-printable.
func isQP(line string) bool {
	head, _, ok := strings.Cut(line, ":")
	return ok && strings.Contains(strings.ToUpper(head), "QUOTED-PRINTABLE")
}

// parseProp splits "item1.TEL;TYPE=cell;PREF=1:+1 555" into its parts.
// Parameter values may be quoted and hold ':' or ';'.
func parseProp(s string, line int) (vcardProp, bool) {
	p := vcardProp{line: line, params: vcard.Params{}}
	inQuote := false
	colon := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			inQuote = !inQuote
		case ':':
			if !inQuote {
				colon = i
			}
		}
		if colon >= 0 {
			break
		}
	}
	if colon <= 0 {
		return p, false
	}
	head, value := s[:colon], s[colon+1:]
	p.value = value
	parts := splitOutsideQuotes(head, ';')
	name := strings.TrimSpace(parts[0])
	if g, n, ok := strings.Cut(name, "."); ok {
		p.group, name = g, n
	}
	p.name = strings.ToUpper(name)
	for _, raw := range parts[1:] {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		k, v, ok := strings.Cut(raw, "=")
		if !ok {
			// vCard 2.1 writes bare parameters: TEL;CELL;PREF, ADR;QUOTED-PRINTABLE.
			switch u := strings.ToUpper(raw); u {
			case "QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT", "B":
				p.params.Add("ENCODING", u)
			default:
				p.params.Add(vcard.ParamType, raw)
			}
			continue
		}
		k = strings.ToUpper(strings.TrimSpace(k))
		for _, x := range splitOutsideQuotes(v, ',') {
			x = strings.Trim(strings.TrimSpace(x), "\"")
			if k == "ENCODING" || k == "CHARSET" {
				x = strings.ToUpper(x)
			}
			p.params.Add(k, x)
		}
	}
	return p, true
}

func splitOutsideQuotes(s string, sep byte) []string {
	var out []string
	inQuote := false
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			inQuote = !inQuote
		case sep:
			if !inQuote {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// decodeValue undoes the transfer encoding and character set of a value;
// vCard escapes (\n, \;) stay for the reader of each property, which knows
// whether the value has parts.
func decodeValue(p vcardProp) string {
	enc := p.params.Get("ENCODING")
	switch enc {
	case "B", "BASE64":
		return "" // photos and keys are not kept
	case "QUOTED-PRINTABLE":
		b := decodeQP(p.value)
		switch cs := p.params.Get("CHARSET"); {
		case (cs == "" || cs == "UTF-8") && utf8.Valid(b):
			return string(b)
		case cs == "WINDOWS-1252" || cs == "CP1252":
			return fromWindows1252(b)
		case utf8.Valid(b):
			return string(b)
		default:
			return fromLatin1(b)
		}
	}
	return p.value
}

// decodeQP decodes quoted-printable text whose soft breaks are already
// joined. A '=' not followed by two hex digits is kept as it is.
func decodeQP(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		if c == '=' && i == len(s)-1 {
			break // a soft break at the very end
		}
		out = append(out, c)
	}
	return out
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// splitEscaped splits a vCard value on unescaped sep and unescapes each part.
func splitEscaped(s string, sep byte) []string {
	var out []string
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
		case c == sep:
			out = append(out, b.String())
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	return append(out, b.String())
}

// unescape reads a single text value.
func unescape(s string) string { return strings.Join(splitEscaped(s, 0), "") }

func part(parts []string, i int) string {
	if i < len(parts) {
		return strings.TrimSpace(parts[i])
	}
	return ""
}

// appleLabel reads Apple's X-ABLabel: "_$!<Mobile>!$_" is a built-in
// label, anything else is the owner's own.
func appleLabel(s string) string {
	s = strings.TrimSpace(unescape(s))
	if strings.HasPrefix(s, "_$!<") && strings.HasSuffix(s, ">!$_") {
		s = strings.ToLower(s[4 : len(s)-4])
	}
	return s
}

// typeLabel turns TYPE parameters into a label: cell -> mobile, and the
// technical ones (voice, internet, pref) left out.
func typeLabel(f *vcard.Field) string {
	for _, t := range f.Params.Types() {
		switch t {
		case "voice", "internet", "pref", "x400", "msg", "dom", "intl", "postal", "parcel", "text":
			continue
		case "cell", "mobile", "iphone":
			return "mobile"
		}
		return t
	}
	return ""
}

func preferred(f *vcard.Field) bool {
	if p := f.Params.Get(vcard.ParamPreferred); p != "" {
		return p == "1" || strings.EqualFold(p, "true")
	}
	return f.Params.HasType("pref")
}

// cardContact gathers what a card says about a person.
func cardContact(rc *rawCard) *contact {
	c := &contact{}
	card := rc.card
	labels := map[string]string{}
	for _, f := range card["X-ABLABEL"] {
		if f.Group != "" {
			labels[f.Group] = appleLabel(f.Value)
		}
	}
	label := func(f *vcard.Field) string {
		if l, ok := labels[f.Group]; ok && f.Group != "" {
			return l
		}
		return typeLabel(f)
	}
	if f := card.Get(vcard.FieldFormattedName); f != nil {
		c.name = strings.TrimSpace(unescape(f.Value))
	}
	if f := card.Get(vcard.FieldName); f != nil {
		n := splitEscaped(f.Value, ';')
		c.last, c.first, c.middle, c.suffix = part(n, 0), part(n, 1), part(n, 2), part(n, 4)
	}
	if f := card.Get(vcard.FieldNickname); f != nil {
		c.nickname = part(splitEscaped(f.Value, ','), 0)
	}
	if f := card.Get(vcard.FieldOrganization); f != nil {
		c.company = part(splitEscaped(f.Value, ';'), 0)
	}
	for _, f := range card[vcard.FieldTelephone] {
		if f.Params.Get("X-PATRON-FROM") != "" {
			continue // Patron wrote it from a line that is in the NOTE
		}
		c.phones = append(c.phones, labeled{value: unescape(f.Value), label: label(f), primary: preferred(f), order: rc.order[f]})
	}
	for _, f := range card[vcard.FieldEmail] {
		if f.Params.Get("X-PATRON-FROM") != "" {
			continue
		}
		c.emails = append(c.emails, labeled{value: unescape(f.Value), label: label(f), primary: preferred(f), order: rc.order[f]})
	}
	for _, f := range card[vcard.FieldAddress] {
		p := splitEscaped(f.Value, ';')
		a := address{poBox: part(p, 0), street2: part(p, 1), street: part(p, 2), city: part(p, 3), region: part(p, 4),
			postalCode: part(p, 5), country: part(p, 6), label: label(f), preferred: preferred(f)}
		if a.empty() {
			a.formatted = unescape(f.Params.Get("LABEL"))
		}
		c.addresses = append(c.addresses, a)
	}
	if len(c.addresses) == 0 {
		for _, f := range card["LABEL"] {
			c.addresses = append(c.addresses, address{formatted: unescape(f.Value), label: label(f), preferred: preferred(f)})
		}
	}
	if f := card.Get(vcard.FieldBirthday); f != nil {
		c.birthday = unescape(f.Value)
		c.birthdayNoYear = f.Params.Get("X-APPLE-OMIT-YEAR") != ""
	}
	for _, f := range card[vcard.FieldCategories] {
		c.tags = append(c.tags, splitEscaped(f.Value, ',')...)
	}
	for _, f := range card[vcard.FieldNote] {
		c.notes = append(c.notes, unescape(f.Value))
	}
	x := func(name string) string {
		if f := card.Get(name); f != nil {
			return unescape(f.Value)
		}
		return ""
	}
	c.preferences = x("X-PATRON-PREFERENCES")
	c.channel = x("X-PATRON-CHANNEL")
	c.source = x("X-PATRON-SOURCE")
	c.since = x("X-PATRON-SINCE")
	c.status = x("X-PATRON-STATUS")
	c.noContact = x("X-PATRON-NO-CONTACT")
	c.partner = x("X-PATRON-PARTNER")
	c.lostReason = x("X-PATRON-LOST-REASON")
	c.lostNote = x("X-PATRON-LOST-NOTE")
	c.lostAt = x("X-PATRON-LOST-AT")
	return c
}
