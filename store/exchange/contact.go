package exchange

import (
	"fmt"
	"net/mail"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/patron-crm/patron/model"
)

// contact gathers what a row or a card says about a person before it
// becomes a customer: every phone and email with its label, the address in
// parts or whole, and the raw texts of dates, so the rules for picking and
// tidying live in one place for every format.
type contact struct {
	name, first, middle, last, suffix, nickname, company string

	phones, emails []labeled
	addresses      []address

	birthday       string
	birthdayNoYear bool // Apple's X-APPLE-OMIT-YEAR: the year written is a placeholder

	tags      []string
	notes     []string
	noteLines []string // "Header: value" lines added after the notes

	preferences, channel, source, status, lostReason, lostNote string
	since, lostAt, noContact, partner                          string
}

type labeled struct {
	value   string
	label   string
	primary bool
	order   int // where it came in the file, to keep that order among equals
}

type address struct {
	group                                                     string
	label                                                     string
	formatted                                                 string
	street, street2, poBox, city, region, postalCode, country string
	preferred                                                 bool
}

func (a address) empty() bool {
	return strings.TrimSpace(a.formatted+a.street+a.street2+a.poBox+a.city+a.region+a.postalCode+a.country) == ""
}

// text is the address as it is written on an envelope.
func (a address) text() string {
	if f := strings.TrimSpace(a.formatted); f != "" {
		return tidyLines(f)
	}
	var lines []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			lines = append(lines, s)
		}
	}
	add(a.street)
	add(a.street2)
	if a.poBox != "" {
		add("PO Box " + strings.TrimPrefix(strings.TrimSpace(a.poBox), "PO Box "))
	}
	city := strings.TrimSpace(a.city)
	if r := strings.TrimSpace(a.region); r != "" {
		if city != "" {
			city += ", "
		}
		city += r
	}
	if p := strings.TrimSpace(a.postalCode); p != "" {
		if city != "" {
			city += " "
		}
		city += p
	}
	add(city)
	add(a.country)
	return strings.Join(lines, "\n")
}

// tidyLines trims each line of a multi-line value and drops empty ones.
func tidyLines(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// phoneRank orders labels for choosing the customer's one phone: the one
// marked primary, then a mobile (it takes texts), then home, then work.
func phoneRank(l labeled) int {
	if l.primary {
		return 0
	}
	switch strings.ToLower(strings.TrimSpace(l.label)) {
	case "primary", "pref", "main":
		return 1
	case "mobile", "cell", "iphone", "cellular":
		return 2
	case "home", "personal":
		return 3
	case "", "voice", "other":
		return 4
	case "work", "business":
		return 5
	case "fax", "pager":
		return 6
	}
	return 4
}

func emailRank(l labeled) int {
	if l.primary {
		return 0
	}
	switch strings.ToLower(strings.TrimSpace(l.label)) {
	case "home", "personal", "":
		return 1
	}
	return 2
}

func pick(list []labeled, rank func(labeled) int) []labeled {
	out := append([]labeled(nil), list...)
	sort.SliceStable(out, func(i, j int) bool {
		ri, rj := rank(out[i]), rank(out[j])
		if ri != rj {
			return ri < rj
		}
		return out[i].order < out[j].order
	})
	return out
}

// build turns the gathered contact into a customer. Values Patron cannot
// take as they are (a birthday it cannot read, a second phone) are kept as
// lines in the notes, and warnings say so. An error means the contact
// cannot be imported at all.
func (c *contact) build(o Options) (model.Customer, []string, error) {
	var cu model.Customer
	var warn []string
	var extra []string

	// Name: the whole name, else its parts, else a nickname, the company,
	// the email or the phone, so that no one is dropped for want of a name.
	person := strings.TrimSpace(c.name)
	if person == "" {
		person = strings.Join(strings.Fields(strings.Join([]string{c.first, c.middle, c.last, c.suffix}, " ")), " ")
	}
	if person == "" {
		person = strings.TrimSpace(c.nickname)
	}
	company := strings.TrimSpace(c.company)
	switch {
	case person != "":
		cu.Name = person
		if company != "" && !strings.EqualFold(company, person) {
			extra = append(extra, "Company: "+company)
		}
	case company != "":
		cu.Name = company
	}

	// Phones: the best-ranked valid one is the customer's phone; the
	// others are kept in the notes with their labels.
	var phones []labeled
	for _, p := range c.phones {
		for _, v := range splitMulti(p.value) {
			if v = cleanPhone(v); v != "" {
				q := p
				q.value = v
				phones = append(phones, q)
			}
		}
	}
	seen := map[string]bool{}
	for _, p := range pick(phones, phoneRank) {
		d := model.PhoneDigits(p.value)
		if seen[d] {
			continue
		}
		seen[d] = true
		if cu.Phone == "" && model.ValidatePhone(p.value) == nil {
			cu.Phone = p.value
			continue
		}
		if model.ValidatePhone(p.value) != nil {
			warn = append(warn, fmt.Sprintf("the phone %q is not a phone number Patron accepts; it is kept in the notes", model.Sanitize(p.value)))
		}
		extra = append(extra, labelLine("Phone", p.label)+p.value)
	}

	var emails []labeled
	for _, e := range c.emails {
		for _, v := range splitMulti(e.value) {
			if v = cleanEmail(v); v != "" {
				q := e
				q.value = v
				emails = append(emails, q)
			}
		}
	}
	seen = map[string]bool{}
	for _, e := range pick(emails, emailRank) {
		n := model.NormalizeEmail(e.value)
		if seen[n] {
			continue
		}
		seen[n] = true
		valid := model.ValidateEmail(e.value) == nil
		if cu.Email == "" && valid {
			cu.Email = e.value
			continue
		}
		if !valid {
			warn = append(warn, fmt.Sprintf("the email %q is not an email address; it is kept in the notes", model.Sanitize(e.value)))
		}
		extra = append(extra, labelLine("Email", e.label)+e.value)
	}
	if cu.Name == "" {
		switch {
		case cu.Email != "":
			cu.Name = cu.Email
		case cu.Phone != "":
			cu.Name = cu.Phone
		}
	}

	// Address: the preferred one, else a home one, else the first.
	var addrs []address
	for _, a := range c.addresses {
		if !a.empty() {
			addrs = append(addrs, a)
		}
	}
	sort.SliceStable(addrs, func(i, j int) bool { return addrRank(addrs[i]) < addrRank(addrs[j]) })
	for i, a := range addrs {
		if i == 0 {
			cu.Address = a.text()
			continue
		}
		if t := a.text(); t != cu.Address {
			extra = append(extra, labelLine("Address", a.label)+strings.ReplaceAll(t, "\n", ", "))
		}
	}

	if b := strings.TrimSpace(c.birthday); b != "" {
		bd, dropped, err := parseBirthday(b, c.birthdayNoYear)
		switch {
		case err != nil:
			warn = append(warn, fmt.Sprintf("the birthday %q could not be read; it is kept in the notes", model.Sanitize(b)))
			extra = append(extra, "Birthday: "+b)
		case dropped != 0:
			warn = append(warn, fmt.Sprintf("the birthday %q has an unlikely year (%d); it was imported without the year", model.Sanitize(b), dropped))
			cu.Birthday = bd
		default:
			cu.Birthday = bd
		}
	}

	cu.Tags = cleanTags(c.tags)
	cu.Preferences = strings.TrimSpace(c.preferences)
	cu.Channel = strings.TrimSpace(c.channel)
	cu.Source = strings.TrimSpace(c.source)
	cu.LostNote = strings.TrimSpace(c.lostNote)
	if t, ok := parseDateTime(c.since, o.loc()); ok {
		cu.Since = t
	} else if strings.TrimSpace(c.since) != "" {
		warn = append(warn, fmt.Sprintf("the date %q (customer since) could not be read; it is kept in the notes", model.Sanitize(c.since)))
		extra = append(extra, "Customer since: "+strings.TrimSpace(c.since))
	}
	if s := strings.ToLower(strings.TrimSpace(c.status)); s != "" {
		switch model.Status(s) {
		case model.StatusActive, model.StatusArchived, model.StatusLost:
			cu.Status = model.Status(s)
		default:
			warn = append(warn, fmt.Sprintf("the status %q is not active, archived or lost; the customer is imported as active", model.Sanitize(s)))
		}
	}
	if r := strings.ToLower(strings.TrimSpace(c.lostReason)); r != "" {
		if model.IsDefectionReason(r) {
			cu.LostReason = r
		} else {
			extra = append(extra, "Defection reason: "+r)
		}
	}
	if t, ok := parseDateTime(c.lostAt, o.loc()); ok {
		cu.LostAt = t
	}
	cu.NoContact = yes(c.noContact)
	cu.Partner = yes(c.partner)

	var notes []string
	for _, n := range c.notes {
		if n = tidyText(n); n != "" {
			notes = append(notes, n)
		}
	}
	have := map[string]bool{}
	for _, n := range notes {
		for _, l := range strings.Split(n, "\n") {
			have[strings.TrimSpace(l)] = true
		}
	}
	for _, l := range append(c.noteLines, extra...) {
		if !have[l] { // a line kept by an earlier import is not added again
			have[l] = true
			notes = append(notes, l)
		}
	}
	cu.Notes = strings.Join(notes, "\n")

	cu = model.CleanCustomer(cu)
	if cu.Name == "" {
		return cu, warn, fmt.Errorf("has no name, email or phone number")
	}
	if err := model.ValidateCustomer(cu); err != nil {
		return cu, warn, err
	}
	return cu, warn, nil
}

func addrRank(a address) int {
	switch {
	case a.preferred:
		return 0
	case strings.EqualFold(a.label, "home") || strings.EqualFold(a.group, "home"):
		return 1
	case a.label == "" && a.group == "":
		return 2
	}
	return 3
}

func labelLine(kind, label string) string {
	label = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(label), "*"))
	if label == "" {
		return kind + ": "
	}
	return kind + " (" + strings.ToLower(label) + "): "
}

// splitMulti splits Google's joined values ("a ::: b").
func splitMulti(s string) []string {
	if !strings.Contains(s, ":::") {
		return []string{s}
	}
	var out []string
	for _, p := range strings.Split(s, ":::") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// cleanPhone undoes what exports do to phone numbers: the apostrophe
// Shopify and Square put in front so spreadsheets keep the +, and tel: URIs.
func cleanPhone(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimLeft(s, "'")
	if len(s) > 4 && strings.EqualFold(s[:4], "tel:") {
		s = s[4:]
		if i := strings.IndexByte(s, ';'); i >= 0 {
			s = s[:i]
		}
	}
	return strings.TrimSpace(s)
}

// cleanEmail takes the address out of "Ana <ana@example.com>" and mailto:.
func cleanEmail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 7 && strings.EqualFold(s[:7], "mailto:") {
		s = s[7:]
	}
	if model.ValidateEmail(s) != nil && strings.ContainsAny(s, "<") {
		if a, err := mail.ParseAddress(s); err == nil {
			return a.Address
		}
	}
	return s
}

// tidyText trims a note and makes its line ends plain newlines.
func tidyText(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	return strings.TrimSpace(s)
}

// cleanTags tidies the tags a reader split out, keeping at most MaxTags.
func cleanTags(raw []string) []string {
	tags := model.ParseTags(strings.Join(raw, ","))
	if len(tags) > model.MaxTags {
		tags = tags[:model.MaxTags]
	}
	return tags
}

// splitTagCell splits a CSV cell of tags written with commas or
// semicolons (Patron's own CSV: commas only, so a tag may hold a
// semicolon). Google's cells use " ::: " and mark its own groups with a
// star ("* myContacts", "* starred"): those are dropped, and the star is
// taken off the owner's groups of the older layout ("* Friends").
func splitTagCell(v string, format Format) []string {
	var out []string
	if format == FormatGoogle || format == FormatGoogleOld {
		for _, t := range strings.Split(v, ":::") {
			t = strings.TrimSpace(t)
			system := strings.HasPrefix(t, "*")
			t = strings.TrimSpace(strings.TrimPrefix(t, "*"))
			switch strings.ToLower(strings.ReplaceAll(t, " ", "")) {
			case "mycontacts", "starred":
				if system {
					continue
				}
			}
			if t != "" {
				out = append(out, t)
			}
		}
		return out
	}
	for _, t := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' && format != FormatPatronCSV }) {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func yes(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "y", "true", "1", "x", "on":
		return true
	}
	return false
}

// parseBirthday reads the ways exports write a birthday: 1990-12-24,
// --12-24 and --1224 (vCard, no year), 19901224, 12-24, 12/24/1990 (month
// first, as Outlook and Square write it in the US; day first when the first
// number is over 12 or the separator is a dot), "December 24, 1990", and
// with a time after the date. Apple's year 1604 and other placeholder
// years mean "no year"; noYear forces that. dropped is an implausible year
// that was left out.
func parseBirthday(s string, noYear bool) (b model.Birthday, dropped int, err error) {
	s = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(s), "'"))
	switch s {
	case "", "0/0/00", "0/0/0000", "00/00/0000", "0000-00-00", "--", "00-00":
		return model.Birthday{}, 0, nil
	}
	y, m, d, ok := parseYMD(s)
	if !ok {
		return model.Birthday{}, 0, fmt.Errorf("unreadable birthday")
	}
	switch {
	case noYear || y == 1604 || (y > 0 && y < 1800):
		y = 0
	case y != 0 && (y < 1900 || y > 2100):
		dropped, y = y, 0
	}
	b = model.Birthday{Year: y, Month: m, Day: d}
	if err := b.Validate(); err != nil {
		return model.Birthday{}, 0, err
	}
	return b, dropped, nil
}

var monthNames = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
	"jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
	"oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

// parseYMD reads a calendar date in the forms parseBirthday lists; y is 0
// when the date has no year.
func parseYMD(s string) (y, m, d int, ok bool) {
	s = strings.TrimSpace(s)
	// A time after the date ("1990-12-24T00:00:00Z", "12/24/1990 0:00") is ignored.
	if i := strings.IndexAny(s, "T "); i >= 8 && len(s) > i+1 && s[i+1] >= '0' && s[i+1] <= '9' && strings.Contains(s[i:], ":") {
		s = s[:i]
	}
	if strings.HasPrefix(s, "--") {
		r := strings.ReplaceAll(s[2:], "-", "")
		if len(r) == 4 && digits(r) {
			m, _ = strconv.Atoi(r[:2])
			d, _ = strconv.Atoi(r[2:])
			return 0, m, d, true
		}
		return 0, 0, 0, false
	}
	if len(s) == 8 && digits(s) {
		y, _ = strconv.Atoi(s[:4])
		m, _ = strconv.Atoi(s[4:6])
		d, _ = strconv.Atoi(s[6:])
		return y, m, d, true
	}
	if strings.IndexFunc(s, unicode.IsLetter) >= 0 {
		w := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ' ' || r == ',' })
		return parseWordDate(w)
	}
	sep := ""
	for _, c := range []string{"-", "/", "."} {
		if strings.Contains(s, c) {
			sep = c
			break
		}
	}
	if sep == "" {
		return 0, 0, 0, false
	}
	parts := strings.Split(strings.TrimSuffix(s, sep), sep)
	for _, p := range parts {
		if p == "" || !digits(p) || len(p) > 4 {
			return 0, 0, 0, false
		}
	}
	n := make([]int, len(parts))
	for i, p := range parts {
		n[i], _ = strconv.Atoi(p)
	}
	switch {
	case len(parts) == 3 && len(parts[0]) == 4:
		return n[0], n[1], n[2], true
	case len(parts) == 3 && (len(parts[2]) == 4 || len(parts[2]) == 2):
		y = n[2]
		if len(parts[2]) == 2 {
			y = twoDigitYear(y)
		}
		if sep == "." || n[0] > 12 {
			return y, n[1], n[0], true
		}
		return y, n[0], n[1], true
	case len(parts) == 2 && len(parts[0]) <= 2 && len(parts[1]) <= 2:
		if sep == "." || n[0] > 12 {
			return 0, n[1], n[0], true
		}
		return 0, n[0], n[1], true
	}
	return 0, 0, 0, false
}

// parseWordDate reads "december 24 1990", "24 dec 1990", "dec 24".
func parseWordDate(w []string) (y, m, d int, ok bool) {
	var nums []int
	for _, t := range w {
		t = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(t, "st"), "nd"), "rd"), "th")
		t = strings.Trim(t, ".")
		if mm, found := monthNames[t]; found && m == 0 {
			m = mm
			continue
		}
		v, err := strconv.Atoi(t)
		if err != nil {
			return 0, 0, 0, false
		}
		nums = append(nums, v)
	}
	if m == 0 {
		return 0, 0, 0, false
	}
	switch len(nums) {
	case 1:
		return 0, m, nums[0], nums[0] >= 1 && nums[0] <= 31
	case 2:
		if nums[0] > 31 {
			return nums[0], m, nums[1], true
		}
		return nums[1], m, nums[0], true
	}
	return 0, 0, 0, false
}

func twoDigitYear(y int) int {
	if y < 30 {
		return 2000 + y
	}
	return 1900 + y
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// parseDateTime reads a date (placed at noon in loc, so it is the same day
// everywhere nearby) or an RFC 3339 time.
func parseDateTime(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(s), "'"))
	if s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	for _, layout := range []string{"2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	y, m, d, ok := parseYMD(s)
	if !ok || y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 12, 0, 0, 0, loc)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}
