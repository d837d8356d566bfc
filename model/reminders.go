package model

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The reminder rules (DESIGN "Reminder rules", issue 5). Reminders made by
// rules are derived whenever they are read, from the customer record's
// aggregates and now; each has a deterministic key per rule, customer and
// occurrence, and the store keeps only the owner's decisions on them. So
// nothing is duplicated, a dismissed reminder never comes back, and an idle
// Patron never writes.

// RecentPurchaseDays is how far back from a customer's newest interaction
// Stats.RecentPurchases reaches: it must cover a thank-you card's wait and
// lapse, which Validate keeps to 90 days together.
const RecentPurchaseDays = 92

// maxRecentPurchases bounds Stats.RecentPurchases so a daily shopper's
// record stays small; the largest purchases are kept, since only those at or
// above the threshold earn a card.
const maxRecentPurchases = 20

// factNoteLen is how much of a purchase note or complaint category the
// record keeps for card messages and reminder notes.
const factNoteLen = 100

// PurchaseFact is one recent purchase, kept on the record for the
// thank-you rule and its card.
type PurchaseFact struct {
	At     time.Time `json:"t"`
	Amount Money     `json:"a"`
	Note   string    `json:"n,omitempty"`
}

// ComplaintFact is one unresolved complaint, kept on the record for the
// complaint follow-up rule.
type ComplaintFact struct {
	ID       ID        `json:"id,omitempty"`
	At       time.Time `json:"t"`
	Category string    `json:"c,omitempty"`
}

// addReminderFacts fills the Stats fields the reminder rules read. sorted is
// every interaction of the customer, oldest first, and s already holds the
// other aggregates.
func addReminderFacts(s *Stats, sorted []Interaction, loc *time.Location) {
	loc = orLocal(loc)
	cutoff := sorted[len(sorted)-1].At.AddDate(0, 0, -RecentPurchaseDays)
	var regularFrom time.Time
	if !s.LastVisit.IsZero() {
		regularFrom = s.LastVisit.In(loc).AddDate(0, -6, 0)
	}
	var recent []PurchaseFact
	var visitDays []int
	for _, in := range sorted {
		switch in.Kind {
		case KindPurchase:
			s.LastPurchaseNote = shortText(in.Note, factNoteLen)
			s.LastPurchaseAmount = in.Amount
			if !in.At.Before(cutoff) {
				recent = append(recent, PurchaseFact{At: in.At, Amount: in.Amount, Note: shortText(in.Note, factNoteLen)})
			}
			if !regularFrom.IsZero() && in.At.After(regularFrom) {
				s.Purchases6m++
			}
		case KindComplaint:
			if !in.Resolved {
				s.OpenComplaintList = append(s.OpenComplaintList, ComplaintFact{ID: in.ID, At: in.At, Category: shortText(in.Category, factNoteLen)})
			}
		}
		if in.Kind.IsVisit() {
			// Sorted by time, so one day's visits are next to each other.
			if d := shopDay(in.At, loc); len(visitDays) == 0 || visitDays[len(visitDays)-1] != d {
				visitDays = append(visitDays, d)
			}
		}
	}
	if len(recent) > maxRecentPurchases {
		slices.SortStableFunc(recent, func(a, b PurchaseFact) int {
			if a.Amount != b.Amount {
				return cmpInt(int64(b.Amount), int64(a.Amount))
			}
			return b.At.Compare(a.At)
		})
		recent = recent[:maxRecentPurchases]
		slices.SortStableFunc(recent, func(a, b PurchaseFact) int { return a.At.Compare(b.At) })
	}
	s.RecentPurchases = recent
	if len(visitDays) >= 2 {
		gaps := make([]int, 0, len(visitDays)-1)
		for i := 1; i < len(visitDays); i++ {
			gaps = append(gaps, visitDays[i]-visitDays[i-1])
		}
		slices.Sort(gaps)
		n := len(gaps)
		if n%2 == 1 {
			s.MedianGapDays = gaps[n/2]
		} else {
			s.MedianGapDays = (gaps[n/2-1] + gaps[n/2] + 1) / 2
		}
	}
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// shortText keeps the first n characters of s, on one line.
func shortText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// ReminderSettings are the rules' switches and numbers, kept in the file's
// settings. Every field is always written, so a value of 0 or off is the
// owner's; a rule added by a newer Patron keeps its default in an older file.
type ReminderSettings struct {
	ThankYou      ThankYouRule      `json:"thank_you"`
	Birthday      DateCardRule      `json:"birthday"`
	Anniversary   DateCardRule      `json:"anniversary"`
	ThinkingOfYou ThinkingOfYouRule `json:"thinking_of_you"`
	WinBack       WinBackRule       `json:"win_back"`
	Complaint     ComplaintRule     `json:"complaint_follow_up"`
	TierUp        TierUpRule        `json:"tier_up"`
	// Cards are the card templates the owner edited, by reminder kind; a
	// kind without one uses the template built into Patron (assets/).
	Cards map[ReminderKind]string `json:"cards,omitempty"`
}

// ThankYouRule: a card the day after a first purchase, and after any
// purchase at or above the threshold.
type ThankYouRule struct {
	On            bool  `json:"on"`
	FirstPurchase bool  `json:"first_purchase"`
	Threshold     Money `json:"threshold"`  // 0: only first purchases earn a card
	DaysAfter     int   `json:"days_after"` // 1: the day after the purchase
	LapseDays     int   `json:"lapse_days"` // unattended, it goes this long after it fell due
}

// DateCardRule: a card for a yearly date (a birthday, the anniversary of
// the first purchase), due some days before it and lapsing some days after.
type DateCardRule struct {
	On         bool `json:"on"`
	DaysBefore int  `json:"days_before"`
	LapseDays  int  `json:"lapse_days"` // after the date itself
}

// ThinkingOfYouRule: a card for a customer who has had no interaction for
// longer than GapTimes their median gap between visits, or Days when they
// have fewer than MinVisits visits.
type ThinkingOfYouRule struct {
	On        bool `json:"on"`
	GapTimes  int  `json:"gap_times"`
	Days      int  `json:"days"`
	MinVisits int  `json:"min_visits"`
}

// WinBackRule: a regular (Purchases or more purchases in the 6 months up to
// their last visit) not seen for Weeks; it replaces thinking-of-you.
type WinBackRule struct {
	On        bool `json:"on"`
	Purchases int  `json:"purchases"`
	Weeks     int  `json:"weeks"`
}

// ComplaintRule: a follow-up Days after a complaint, while it is open.
type ComplaintRule struct {
	On   bool `json:"on"`
	Days int  `json:"days"`
}

// TierUpRule: congratulations when a customer moved up the loyalty ladder
// in the last Days days.
type TierUpRule struct {
	On   bool `json:"on"`
	Days int  `json:"days"`
}

// DefaultReminderSettings are the rules as issue 5 sets them out.
func DefaultReminderSettings() ReminderSettings {
	return ReminderSettings{
		ThankYou:      ThankYouRule{On: true, FirstPurchase: true, Threshold: 10000, DaysAfter: 1, LapseDays: 30},
		Birthday:      DateCardRule{On: true, DaysBefore: 7, LapseDays: 14},
		Anniversary:   DateCardRule{On: true, DaysBefore: 0, LapseDays: 14},
		ThinkingOfYou: ThinkingOfYouRule{On: true, GapTimes: 2, Days: 60, MinVisits: 3},
		WinBack:       WinBackRule{On: true, Purchases: 3, Weeks: 6},
		Complaint:     ComplaintRule{On: true, Days: 3},
		TierUp:        TierUpRule{On: true, Days: 14},
	}
}

// IsZero reports whether no reminder settings were ever made (a Settings
// value built in code rather than read from a file).
func (rs ReminderSettings) IsZero() bool {
	return rs.ThankYou == (ThankYouRule{}) && rs.Birthday == (DateCardRule{}) && rs.Anniversary == (DateCardRule{}) &&
		rs.ThinkingOfYou == (ThinkingOfYouRule{}) && rs.WinBack == (WinBackRule{}) && rs.Complaint == (ComplaintRule{}) &&
		rs.TierUp == (TierUpRule{}) && len(rs.Cards) == 0
}

// ReminderRules are the settings' reminder rules, or the defaults when the
// settings carry none.
func (s Settings) ReminderRules() ReminderSettings {
	if s.Reminders.IsZero() {
		return DefaultReminderSettings()
	}
	return s.Reminders
}

// Validate checks every number is one a shop owner could mean, naming the
// field and the range.
func (rs ReminderSettings) Validate() error {
	checks := []struct {
		field    string
		v        int
		min, max int
	}{
		// These two stay within RecentPurchaseDays together.
		{"thank-you card: days after the purchase", rs.ThankYou.DaysAfter, 0, 30},
		{"thank-you card: days before it lapses", rs.ThankYou.LapseDays, 0, 60},
		{"birthday card: days before the birthday", rs.Birthday.DaysBefore, 0, 60},
		{"birthday card: days after the birthday before it lapses", rs.Birthday.LapseDays, 0, 60},
		{"anniversary card: days before the anniversary", rs.Anniversary.DaysBefore, 0, 60},
		{"anniversary card: days after the anniversary before it lapses", rs.Anniversary.LapseDays, 0, 60},
		{"thinking-of-you: times the usual gap", rs.ThinkingOfYou.GapTimes, 1, 10},
		{"thinking-of-you: days without contact", rs.ThinkingOfYou.Days, 1, 730},
		{"thinking-of-you: visits before the usual gap counts", rs.ThinkingOfYou.MinVisits, 2, 100},
		{"win-back: purchases in 6 months that make a regular", rs.WinBack.Purchases, 1, 100},
		{"win-back: weeks not seen", rs.WinBack.Weeks, 1, 104},
		{"complaint follow-up: days after the complaint", rs.Complaint.Days, 0, 60},
		{"tier-up: days after moving up", rs.TierUp.Days, 1, 60},
	}
	for _, c := range checks {
		if c.v < c.min || c.v > c.max {
			return &FieldError{Field: c.field, Problem: fmt.Sprintf("is %d", c.v), Fix: fmt.Sprintf("use a number from %d to %d", c.min, c.max)}
		}
	}
	if rs.ThankYou.Threshold < 0 {
		return &FieldError{Field: "thank-you card: purchase threshold", Problem: "is negative", Fix: "use 0 for first purchases only, or an amount such as 100.00"}
	}
	for k, text := range rs.Cards {
		if !k.IsCard() {
			return &FieldError{Field: "card templates", Problem: fmt.Sprintf("%q is not a kind of card", k), Fix: "use one of " + strings.Join(cardKindNames(), ", ")}
		}
		if err := ValidateCardTemplate(text); err != nil {
			return err
		}
	}
	return nil
}

// Decision is the owner's word on a generated reminder, stored under its
// key: done, dismissed, or snoozed until a day.
type Decision struct {
	State       ReminderState `json:"state"`                 // done, dismissed or snoozed
	At          time.Time     `json:"at"`                    // when the owner decided
	Until       time.Time     `json:"until,omitzero"`        // snoozed until this day
	Reason      string        `json:"reason,omitempty"`      // why it was dismissed
	Customer    ID            `json:"customer,omitempty"`    // who it concerns
	Kind        ReminderKind  `json:"kind,omitempty"`        // what it was
	Interaction ID            `json:"interaction,omitempty"` // what was logged when it was done
}

// TierUpFunc tells the tier-up rule when a customer last moved up the
// loyalty ladder and to which tier, as of now; ok is false when they have
// not. The loyalty ladder provides it (see NewRules). A move up happens on a
// day something counting happens, so it is asked only about customers with
// an interaction in the rule's last days (a rung regained because an old
// return stopped counting earns no card).
type TierUpFunc func(c Customer, now time.Time) (at time.Time, tier string, ok bool)

// Rules evaluate the reminder rules with the shop's settings. Building one
// is cheap; use one value for a whole read of every customer.
type Rules struct {
	Settings ReminderSettings
	Currency Currency
	Loc      *time.Location
	TierUp   TierUpFunc // nil: no tier-up reminders
}

// NewRules are the rules as the shop's settings say, with the loyalty
// ladder's moves up for the tier-up rule.
func NewRules(st Settings) Rules {
	loc := st.Location()
	ladder := st.Loyalty
	return Rules{Settings: st.ReminderRules(), Currency: st.Money(), Loc: loc,
		TierUp: func(c Customer, now time.Time) (time.Time, string, bool) {
			ch, ok := LastMoveUp(c, ladder, now, loc)
			return ch.At, ch.To.String(), ok
		}}
}

// ReminderKey is the deterministic key of a generated reminder: rule,
// customer and occurrence, e.g. "thank-you:12:2026-11-24" or "birthday:12:2026".
func ReminderKey(kind ReminderKind, customer ID, occurrence string) string {
	return string(kind) + ":" + strconv.FormatUint(uint64(customer), 10) + ":" + occurrence
}

// ManualKey is the key of a stored (manual) reminder.
func ManualKey(id ID) string { return "manual:" + strconv.FormatUint(uint64(id), 10) }

// ParseReminderKey reads the customer out of a generated reminder's key,
// or the reminder id out of a manual one's.
func ParseReminderKey(key string) (kind ReminderKind, customer ID, manual ID, err error) {
	parts := strings.SplitN(strings.TrimSpace(key), ":", 3)
	bad := fmt.Errorf("%s is not a reminder key; keys look like thank-you:12:2026-11-24 or manual:3 (see `patron reminders`)", quoteInput(key))
	switch {
	case len(parts) == 2 && parts[0] == "manual":
		n, perr := strconv.ParseUint(parts[1], 10, 64)
		if perr != nil || n == 0 {
			return "", 0, 0, bad
		}
		return "", 0, ID(n), nil
	case len(parts) == 3:
		k := ReminderKind(parts[0])
		if !k.Generated() {
			return "", 0, 0, bad
		}
		n, perr := strconv.ParseUint(parts[1], 10, 64)
		if perr != nil || n == 0 || parts[2] == "" {
			return "", 0, 0, bad
		}
		return k, ID(n), 0, nil
	}
	return "", 0, 0, bad
}

// Generated reports whether rules make reminders of this kind.
func (k ReminderKind) Generated() bool {
	switch k {
	case ReminderThankYou, ReminderBirthday, ReminderAnniversary, ReminderThinkingOfYou,
		ReminderWinBack, ReminderComplaint, ReminderTierUp:
		return true
	}
	return false
}

// IsCard reports whether the reminder is to send a card, which has a
// message template and is logged as a card sent.
func (k ReminderKind) IsCard() bool {
	switch k {
	case ReminderThankYou, ReminderBirthday, ReminderAnniversary, ReminderThinkingOfYou,
		ReminderWinBack, ReminderTierUp:
		return true
	}
	return false
}

// CardKinds are the kinds of reminder that send a card.
var CardKinds = []ReminderKind{ReminderThankYou, ReminderBirthday, ReminderAnniversary,
	ReminderThinkingOfYou, ReminderWinBack, ReminderTierUp}

// ReminderKinds lists every kind, in the order they are offered.
var ReminderKinds = []ReminderKind{ReminderFollowUp, ReminderCustom, ReminderThankYou, ReminderBirthday,
	ReminderAnniversary, ReminderThinkingOfYou, ReminderWinBack, ReminderComplaint, ReminderTierUp}

func cardKindNames() []string {
	var s []string
	for _, k := range CardKinds {
		s = append(s, string(k))
	}
	return s
}

// Label is the kind as the owner reads it.
func (k ReminderKind) Label() string {
	switch k {
	case ReminderThankYou:
		return "thank-you card"
	case ReminderBirthday:
		return "birthday card"
	case ReminderAnniversary:
		return "anniversary card"
	case ReminderThinkingOfYou:
		return "thinking-of-you card"
	case ReminderWinBack:
		return "win-back"
	case ReminderComplaint:
		return "complaint follow-up"
	case ReminderTierUp:
		return "tier-up congratulations"
	case ReminderFollowUp:
		return "follow-up"
	}
	return string(k)
}

// ParseReminderKind reads a kind as typed on the command line.
func ParseReminderKind(s string) (ReminderKind, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "thank-you-card", "thankyou", "thanks":
		return ReminderThankYou, true
	case "complaint", "complaint-follow-up":
		return ReminderComplaint, true
	case "followup", "call":
		return ReminderFollowUp, true
	}
	for _, k := range ReminderKinds {
		if string(k) == s {
			return k, true
		}
	}
	return "", false
}

// DoneKind is the interaction logged when the owner marks a reminder of
// this kind done: a card sent for cards, a call for follow-ups, a note for
// anything else.
func (k ReminderKind) DoneKind() Kind {
	switch {
	case k.IsCard():
		return KindCardSent
	case k == ReminderComplaint || k == ReminderFollowUp:
		return KindCall
	}
	return KindNote
}

// Civil day numbers (days since 1970-01-01 in the proleptic Gregorian
// calendar) let the rules compare days without building a time in the
// shop's zone for every customer; see Howard Hinnant's date algorithms.
func civilDays(y int, m time.Month, d int) int {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	doy := (153*((int(m)+9)%12)+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func civilFromDays(z int) (int, time.Month, int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, time.Month(m), d
}

// dayNumber is t's calendar day in loc as a civil day number.
func shopDay(t time.Time, loc *time.Location) int {
	y, m, d := t.In(loc).Date()
	return civilDays(y, m, d)
}

// dateDay is a yearly date's day in a year: Feb 29 falls on Feb 28 in
// other years.
func dateDay(year int, m time.Month, d int) int {
	if m == time.February && d == 29 && !(year%4 == 0 && (year%100 != 0 || year%400 == 0)) {
		d = 28
	}
	return civilDays(year, m, d)
}

// appendDay writes a civil day as 2026-11-24.
func appendDay(b []byte, day int) []byte {
	y, m, d := civilFromDays(day)
	if y < 0 || y > 9999 {
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AppendFormat(b, DayFormat)
	}
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+int(m)/10), byte('0'+int(m)%10), '-', byte('0'+d/10), byte('0'+d%10))
}

// eval is one evaluation's fixed inputs, worked out once, and its scratch
// space: evaluating 100,000 customers must stay well under 100 ms, so the
// rules work in civil day numbers and build a note only for a reminder
// that is kept.
type eval struct {
	r     Rules
	loc   *time.Location
	now   time.Time
	today int
	until int // the last day included; noLimit for none
	key   []byte
	note  []byte
	// The first instant of due days in loc: near today in a slice, others
	// in a map. A whole book's reminders fall on a few hundred days.
	near    []time.Time
	nearLo  int
	farDays map[int]time.Time
	// quiet is how long after a purchase no thank-you card can be open.
	quiet time.Duration
}

// nearDays is how many days around today dayStart keeps in a slice.
const nearDays = 2048

const noLimit = int(^uint(0) >> 1)

func (r Rules) newEval(now, until time.Time) *eval {
	loc := orLocal(r.Loc)
	e := &eval{r: r, loc: loc, now: now, today: shopDay(now, loc), until: noLimit, farDays: map[int]time.Time{}}
	e.nearLo = e.today - nearDays/2
	ty := r.Settings.ThankYou
	e.quiet = time.Duration(ty.DaysAfter+ty.LapseDays+2) * 24 * time.Hour
	if !until.IsZero() {
		e.until = shopDay(until, loc)
	}
	return e
}

// Generate is every reminder the rules give one customer as of now, before
// the owner's decisions: each rule's current occurrence, whether due yet or
// not. Opted-out, archived and lost customers get none.
func (r Rules) Generate(c Customer, now time.Time) []Reminder {
	e := r.newEval(now, time.Time{})
	return e.customer(nil, &c)
}

// wants reports whether a reminder due on day is kept by this evaluation.
func (e *eval) wants(day int) bool { return day <= e.until }

// dayStart is the first instant of a civil day in the shop's zone; a
// whole book's reminders fall on a few hundred days, each worked out once.
func (e *eval) dayStart(day int) time.Time {
	if i := day - e.nearLo; i >= 0 && i < nearDays {
		if e.near == nil {
			e.near = make([]time.Time, nearDays)
		}
		if e.near[i].IsZero() {
			y, m, d := civilFromDays(day)
			e.near[i] = StartOfDay(y, m, d, e.loc)
		}
		return e.near[i]
	}
	if t, ok := e.farDays[day]; ok {
		return t
	}
	y, m, d := civilFromDays(day)
	t := StartOfDay(y, m, d, e.loc)
	e.farDays[day] = t
	return t
}

// emit adds a reminder due on day, with the note in e.note.
func (e *eval) emit(dst []Reminder, c *Customer, kind ReminderKind, day int, occurrence []byte, fact reminderFact) []Reminder {
	if !e.wants(day) {
		return dst
	}
	e.key = append(e.key[:0], kind...)
	e.key = append(e.key, ':')
	e.key = strconv.AppendUint(e.key, uint64(c.ID), 10)
	e.key = append(e.key, ':')
	e.key = append(e.key, occurrence...)
	if len(dst) == cap(dst) {
		// Double, where append would grow a large slice by a quarter and
		// copy a whole book's reminders many times over.
		dst = slices.Grow(dst, max(len(dst), 64))
	}
	return append(dst, Reminder{
		Key: string(e.key), Customer: c.ID, Due: e.dayStart(day), Kind: kind,
		Note: string(e.note), State: ReminderOpen, Rule: string(kind),
		Occurred: fact.at, Amount: fact.amount, Detail: fact.detail,
	})
}

// reminderFact is what a generated reminder is about, for its card.
type reminderFact struct {
	at     time.Time
	amount Money
	detail string
}

func appendPlural(b []byte, n int, unit string) []byte {
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, ' ')
	b = append(b, unit...)
	if n != 1 {
		b = append(b, 's')
	}
	return b
}

// customer appends the reminders the rules give c.
func (e *eval) customer(dst []Reminder, c *Customer) []Reminder {
	if !c.Active() || c.NoContact {
		return dst
	}
	rs := &e.r.Settings
	st := &c.Stats
	var occ [32]byte
	// Most customers last bought long ago: no card of theirs can be open.
	if rs.ThankYou.On && st.Purchases > 0 && e.now.Sub(st.LastPurchase) < e.quiet {
		dst = e.thankYou(dst, c, occ[:0])
	}
	if rs.Birthday.On && !c.Birthday.IsZero() {
		dst = e.birthday(dst, c, occ[:0])
	}
	if rs.Anniversary.On && !st.FirstPurchase.IsZero() {
		dst = e.anniversary(dst, c, occ[:0])
	}
	if rs.Complaint.On && len(st.OpenComplaintList) > 0 {
		for _, f := range st.OpenComplaintList {
			if f.At.After(e.now) {
				continue
			}
			day := shopDay(f.At, e.loc)
			if !e.wants(day + rs.Complaint.Days) {
				continue
			}
			o := occ[:0]
			if f.ID != 0 {
				o = strconv.AppendUint(o, uint64(f.ID), 10)
			} else {
				o = appendDay(o, day)
			}
			e.note = appendDay(append(e.note[:0], "complaint of "...), day)
			if f.Category != "" {
				e.note = append(append(e.note, ": "...), f.Category...)
			}
			dst = e.emit(dst, c, ReminderComplaint, day+rs.Complaint.Days, o, reminderFact{at: f.At, detail: f.Category})
		}
	}
	if st.Interactions > 0 && !st.LastContact.IsZero() && !st.LastContact.After(e.now) {
		dst = e.keepInTouch(dst, c, occ[:0])
	}
	if rs.TierUp.On && e.r.TierUp != nil && shopDay(st.LastContact, e.loc) >= e.today-rs.TierUp.Days {
		if at, tier, ok := e.r.TierUp(*c, e.now); ok && !at.After(e.now) {
			day := shopDay(at, e.loc)
			if e.today-day <= rs.TierUp.Days && e.wants(day) {
				e.note = append(e.note[:0], "moved up"...)
				if tier != "" {
					e.note = append(append(e.note, " to "...), tier...)
				}
				dst = e.emit(dst, c, ReminderTierUp, day, appendDay(occ[:0], day), reminderFact{at: at, detail: tier})
			}
		}
	}
	return dst
}

func (e *eval) thankYou(dst []Reminder, c *Customer, occ []byte) []Reminder {
	rule := &e.r.Settings.ThankYou
	st := &c.Stats
	lastDay := -1 << 40
	consider := func(at time.Time, amount Money, what, note string) {
		if at.After(e.now) {
			return
		}
		day := shopDay(at, e.loc)
		due := day + rule.DaysAfter
		if day == lastDay || e.today > due+rule.LapseDays || !e.wants(due) {
			return
		}
		lastDay = day
		e.note = append(e.note[:0], what...)
		if amount != 0 {
			e.note = append(append(e.note, " of "...), amount.Display(e.r.Currency)...)
		}
		if note != "" {
			e.note = append(append(e.note, ": "...), note...)
		}
		dst = e.emit(dst, c, ReminderThankYou, due, appendDay(occ, day), reminderFact{at: at, amount: amount, detail: note})
	}
	firstDone := false
	if rule.FirstPurchase && !st.FirstPurchase.IsZero() {
		// The first purchase's amount and note, when it is still recent.
		var amount Money
		var note string
		for _, p := range st.RecentPurchases {
			if p.At.Equal(st.FirstPurchase) {
				amount, note = p.Amount, p.Note
				break
			}
		}
		consider(st.FirstPurchase, amount, "first purchase", note)
		firstDone = true
	}
	if rule.Threshold > 0 {
		firstDay := -1
		if firstDone {
			firstDay = shopDay(st.FirstPurchase, e.loc)
		}
		for _, p := range st.RecentPurchases {
			if p.Amount < rule.Threshold || (firstDone && shopDay(p.At, e.loc) == firstDay) {
				continue
			}
			consider(p.At, p.Amount, "purchase", p.Note)
		}
	}
	return dst
}

func (e *eval) birthday(dst []Reminder, c *Customer, occ []byte) []Reminder {
	rule := &e.r.Settings.Birthday
	b := c.Birthday
	ty, _, _ := civilFromDays(e.today)
	for y := ty - 1; y <= ty+1; y++ {
		if b.Year != 0 && y <= b.Year {
			continue
		}
		day := dateDay(y, time.Month(b.Month), b.Day)
		if e.today > day+rule.LapseDays {
			continue // lapsed: the next year's is the one to send
		}
		if !e.wants(day - rule.DaysBefore) {
			return dst
		}
		e.note = appendDay(append(e.note[:0], "birthday on "...), day)
		detail := ""
		if b.Year != 0 {
			detail = strconv.Itoa(y - b.Year)
			e.note = append(append(append(e.note, " (turns "...), detail...), ')')
		}
		return e.emit(dst, c, ReminderBirthday, day-rule.DaysBefore, strconv.AppendInt(occ, int64(y), 10),
			reminderFact{at: e.dayStart(day), detail: detail})
	}
	return dst
}

func (e *eval) anniversary(dst []Reminder, c *Customer, occ []byte) []Reminder {
	rule := &e.r.Settings.Anniversary
	first := c.Stats.FirstPurchase
	if first.After(e.now) {
		return dst
	}
	fy, fm, fd := first.In(e.loc).Date()
	ty, _, _ := civilFromDays(e.today)
	for y := max(ty-1, fy+1); y <= ty+1; y++ {
		day := dateDay(y, fm, fd)
		if e.today > day+rule.LapseDays {
			continue
		}
		if !e.wants(day - rule.DaysBefore) {
			return dst
		}
		years := y - fy
		e.note = appendPlural(e.note[:0], years, "year")
		e.note = appendDay(append(e.note, " since their first purchase on "...), civilDays(fy, fm, fd))
		return e.emit(dst, c, ReminderAnniversary, day-rule.DaysBefore, strconv.AppendInt(occ, int64(y), 10),
			reminderFact{at: first, detail: strconv.Itoa(years)})
	}
	return dst
}

// keepInTouch is thinking-of-you and win-back: a win-back, once a regular
// has lapsed, replaces thinking-of-you.
func (e *eval) keepInTouch(dst []Reminder, c *Customer, occ []byte) []Reminder {
	rs := &e.r.Settings
	st := &c.Stats
	winBackDue, lastVisit, regular := 0, 0, false
	if rs.WinBack.On && st.Purchases6m >= rs.WinBack.Purchases && !st.LastVisit.IsZero() && !st.LastVisit.After(e.now) {
		regular = true
		lastVisit = shopDay(st.LastVisit, e.loc)
		winBackDue = lastVisit + 7*rs.WinBack.Weeks
	}
	winBack := func() []Reminder {
		if !e.wants(winBackDue) {
			return dst
		}
		e.note = appendDay(append(e.note[:0], "a regular, last seen "...), lastVisit)
		return e.emit(dst, c, ReminderWinBack, winBackDue, appendDay(occ, lastVisit), reminderFact{at: st.LastVisit})
	}
	if regular && e.today >= winBackDue {
		return winBack()
	}
	if rs.ThinkingOfYou.On {
		lc := shopDay(st.LastContact, e.loc)
		gap := rs.ThinkingOfYou.Days
		usual := st.Visits >= rs.ThinkingOfYou.MinVisits && st.MedianGapDays > 0
		if usual {
			gap = rs.ThinkingOfYou.GapTimes * st.MedianGapDays
		}
		due := lc + gap + 1 // "longer than" the gap
		if (!regular || due < winBackDue) && e.wants(due) {
			e.note = appendDay(append(e.note[:0], "no contact since "...), lc)
			if usual {
				e.note = append(appendPlural(append(e.note, " (usually every "...), st.MedianGapDays, "day"), ')')
			}
			dst = e.emit(dst, c, ReminderThinkingOfYou, due, appendDay(occ, lc), reminderFact{at: st.LastContact})
		}
	}
	if regular {
		dst = winBack()
	}
	return dst
}

// ApplyDecisions keeps the generated reminders the owner has not settled:
// done and dismissed ones are dropped for good, snoozed ones move to the
// day they were snoozed to (never earlier than they fell due).
func ApplyDecisions(generated []Reminder, decisions map[string]Decision) []Reminder {
	out := generated[:0:0]
	for _, r := range generated {
		if r, ok := applyDecision(r, decisions); ok {
			out = append(out, r)
		}
	}
	return out
}

func applyDecision(r Reminder, decisions map[string]Decision) (Reminder, bool) {
	d, ok := decisions[r.Key]
	if !ok {
		return r, true
	}
	switch d.State {
	case ReminderDone, ReminderDismissed:
		return r, false
	case ReminderSnoozed:
		if d.Until.After(r.Due) {
			r.SnoozedUntil = d.Until
			r.Due = d.Until
		}
	}
	return r, true
}

// Open is the reminders waiting for the owner: every rule for every
// customer with the owner's decisions applied, plus the open manual
// reminders of customers who are there and active, due by until's day
// (zero: no limit), sorted by due day. The Reminders tab holds every
// customer in memory, so this reads nothing.
func (r Rules) Open(customers []Customer, manual []Reminder, decisions map[string]Decision, now, until time.Time) []Reminder {
	// Room for a typical day's share, so the list seldom has to grow.
	out := make([]Reminder, 0, len(customers)/4+len(manual)+16)
	out = r.AppendOpen(out, customers, decisions, now, until)
	if len(manual) > 0 {
		active := make(map[ID]bool, len(manual))
		for _, m := range manual {
			active[m.Customer] = false
		}
		for i := range customers {
			if _, ok := active[customers[i].ID]; ok && customers[i].Active() {
				active[customers[i].ID] = true
			}
		}
		out = AppendOpenManual(out, manual, func(id ID) bool { return active[id] }, until, r.Loc)
	}
	SortReminders(out)
	return out
}

// AppendOpen appends the generated reminders still open for a batch of
// customers, due by until's day (zero: no limit); the store calls it once per
// chunk it reads. The result is not sorted.
func (r Rules) AppendOpen(dst []Reminder, customers []Customer, decisions map[string]Decision, now, until time.Time) []Reminder {
	e := r.newEval(now, until)
	for i := range customers {
		start := len(dst)
		dst = e.customer(dst, &customers[i])
		if len(decisions) == 0 {
			continue
		}
		kept := dst[:start]
		for _, rem := range dst[start:] {
			if _, decided := decisions[rem.Key]; !decided {
				kept = append(kept, rem)
			} else if rem, ok := applyDecision(rem, decisions); ok && shopDay(rem.Due, e.loc) <= e.until {
				kept = append(kept, rem)
			}
		}
		dst = kept
	}
	return dst
}

// AppendOpenManual appends the manual reminders still open, of customers
// exists says are there, due (or snoozed to) by until's day (zero: no limit).
func AppendOpenManual(dst []Reminder, manual []Reminder, exists func(ID) bool, until time.Time, loc *time.Location) []Reminder {
	loc = orLocal(loc)
	last := noLimit
	if !until.IsZero() {
		last = shopDay(until, loc)
	}
	for _, m := range manual {
		if m.State != "" && m.State != ReminderOpen {
			continue
		}
		if !exists(m.Customer) {
			continue
		}
		m.Key = ManualKey(m.ID)
		m.State = ReminderOpen
		if m.SnoozedUntil.After(m.Due) {
			m.Due = m.SnoozedUntil
		}
		if shopDay(m.Due, loc) > last {
			continue
		}
		dst = append(dst, m)
	}
	return dst
}

// SortReminders orders reminders by due day, then customer, then key, so
// every reading lists them the same way. It sorts small keys, then moves
// each reminder once, in place: a whole book's reminders are many, and each
// is large.
func SortReminders(list []Reminder) {
	if len(list) < 2 {
		return
	}
	type sortKey struct {
		due      int64
		customer ID
		i        int
	}
	keys := make([]sortKey, len(list))
	for i := range list {
		keys[i] = sortKey{list[i].Due.Unix(), list[i].Customer, i}
	}
	slices.SortFunc(keys, func(a, b sortKey) int {
		if a.due != b.due {
			return cmpInt(a.due, b.due)
		}
		if a.customer != b.customer {
			return cmpInt(int64(a.customer), int64(b.customer))
		}
		return strings.Compare(list[a.i].Key, list[b.i].Key)
	})
	// Position j takes the reminder now at keys[j].i: follow each cycle.
	for j := range keys {
		if keys[j].i < 0 || keys[j].i == j {
			continue
		}
		held := list[j]
		cur := j
		for {
			next := keys[cur].i
			keys[cur].i = -1
			if next == j {
				list[cur] = held
				break
			}
			list[cur] = list[next]
			cur = next
		}
	}
}

// ReminderGroup is one heading of the Reminders tab.
type ReminderGroup struct {
	Title     string
	Reminders []Reminder
}

// The Reminders tab's headings, in order.
const (
	GroupOverdue = "Overdue"
	GroupToday   = "Today"
	GroupWeek    = "Next 7 days"
	GroupLater   = "Later"
)

// GroupReminders sorts reminders under Overdue, Today, Next 7 days and
// Later (all four, empty or not), keeping their order within each.
func GroupReminders(list []Reminder, now time.Time, loc *time.Location) []ReminderGroup {
	loc = orLocal(loc)
	today := shopDay(now, loc)
	groups := []ReminderGroup{{Title: GroupOverdue}, {Title: GroupToday}, {Title: GroupWeek}, {Title: GroupLater}}
	for _, r := range list {
		d := shopDay(r.Due, loc) - today
		i := 3
		switch {
		case d < 0:
			i = 0
		case d == 0:
			i = 1
		case d <= 7:
			i = 2
		}
		groups[i].Reminders = append(groups[i].Reminders, r)
	}
	return groups
}

// CountDue is how many reminders are due today or overdue: the header badge.
func CountDue(list []Reminder, now time.Time, loc *time.Location) int {
	loc = orLocal(loc)
	today := shopDay(now, loc)
	n := 0
	for _, r := range list {
		if shopDay(r.Due, loc) <= today {
			n++
		}
	}
	return n
}

// DueRelative says when a reminder is due, from now: "today", "tomorrow",
// "in 3 days", "1 day late", "2 days late".
func DueRelative(due, now time.Time, loc *time.Location) string {
	d := DaysBetween(now, due, orLocal(loc))
	switch {
	case d == 0:
		return "today"
	case d == 1:
		return "tomorrow"
	case d > 1:
		return "in " + plural(d, "day")
	}
	return plural(-d, "day") + " late"
}

// Units a reminder can repeat in.
const (
	RepeatDay   = "day"
	RepeatWeek  = "week"
	RepeatMonth = "month"
	RepeatYear  = "year"
)

// IsZero reports whether the reminder does not repeat.
func (r Repeat) IsZero() bool { return r.Every == 0 }

// String says the repeat as the owner reads it: "every 2 weeks".
func (r Repeat) String() string {
	switch {
	case r.Every == 0:
		return ""
	case r.Every == 1:
		return "every " + r.Unit
	}
	return "every " + strconv.Itoa(r.Every) + " " + r.Unit + "s"
}

// ParseRepeat reads a repeat as typed: "2w", "every 2 weeks", "1m", "monthly",
// "3 days", "yearly"; "" and "never" mean it does not repeat.
func ParseRepeat(s string) (Repeat, error) {
	norm := strings.ToLower(strings.Join(strings.Fields(s), " "))
	norm = strings.TrimPrefix(norm, "every ")
	switch norm {
	case "", "never", "no", "none":
		return Repeat{}, nil
	case "daily", "day":
		return Repeat{Every: 1, Unit: RepeatDay}, nil
	case "weekly", "week":
		return Repeat{Every: 1, Unit: RepeatWeek}, nil
	case "monthly", "month":
		return Repeat{Every: 1, Unit: RepeatMonth}, nil
	case "yearly", "annually", "year":
		return Repeat{Every: 1, Unit: RepeatYear}, nil
	}
	fail := &FieldError{Field: "repeat", Problem: fmt.Sprintf("%s is not a repeat Patron understands", quoteInput(s)), Fix: "use 3d, 2w, 1m or 1y (every N days, weeks, months or years), or leave it empty"}
	i := 0
	for i < len(norm) && norm[i] >= '0' && norm[i] <= '9' {
		i++
	}
	if i == 0 || i > 4 {
		return Repeat{}, fail
	}
	n, _ := strconv.Atoi(norm[:i])
	unit := strings.TrimSpace(norm[i:])
	var r Repeat
	switch unit {
	case "d", "day", "days":
		r = Repeat{Every: n, Unit: RepeatDay}
	case "w", "wk", "wks", "week", "weeks":
		r = Repeat{Every: n, Unit: RepeatWeek}
	case "m", "mo", "mos", "month", "months":
		r = Repeat{Every: n, Unit: RepeatMonth}
	case "y", "yr", "yrs", "year", "years":
		r = Repeat{Every: n, Unit: RepeatYear}
	default:
		return Repeat{}, fail
	}
	return r, r.validate()
}

func (r Repeat) validate() error {
	if r.Every == 0 && r.Unit == "" {
		return nil
	}
	switch r.Unit {
	case RepeatDay, RepeatWeek, RepeatMonth, RepeatYear:
	default:
		return &FieldError{Field: "repeat", Problem: fmt.Sprintf("%q is not a unit", r.Unit), Fix: "repeat every N days, weeks, months or years"}
	}
	if r.Every < 1 || r.Every > 999 {
		return &FieldError{Field: "repeat", Problem: fmt.Sprintf("every %d %ss is not a repeat", r.Every, r.Unit), Fix: "use a number from 1 to 999"}
	}
	return nil
}

// ValidateReminder checks a manual reminder before it is saved.
func ValidateReminder(r Reminder) error {
	if r.Customer == 0 {
		return &FieldError{Field: "customer", Problem: "is missing", Fix: "choose the customer"}
	}
	if _, ok := ParseReminderKind(string(r.Kind)); !ok || r.Kind == "" {
		return &FieldError{Field: "kind", Problem: fmt.Sprintf("%q is not a kind of reminder", r.Kind), Fix: "use follow-up, custom or a kind of card"}
	}
	if r.Due.IsZero() {
		return &FieldError{Field: "due date", Problem: "is missing", Fix: dueForms}
	}
	if y := r.Due.Year(); y < 1970 || y > 9999 {
		return &FieldError{Field: "due date", Problem: fmt.Sprintf("is in the year %d", y), Fix: "check the year"}
	}
	if r.Kind == ReminderCustom && strings.TrimSpace(r.Note) == "" {
		return &FieldError{Field: "note", Problem: "is empty", Fix: "say what to do, e.g. \"call about the wedding order\""}
	}
	if err := checkText("note", r.Note, MaxLong); err != nil {
		return err
	}
	return r.Repeat.validate()
}

// NextDue is when a repeating reminder falls due next, once done today:
// the first step of its series (counted from First, so the 31st stays the
// last of the month) after both its current due day and today.
func (r Reminder) NextDue(now time.Time, loc *time.Location) (time.Time, bool) {
	if r.Repeat.IsZero() || r.Repeat.validate() != nil {
		return time.Time{}, false
	}
	loc = orLocal(loc)
	first := r.First
	if first.IsZero() {
		first = r.Due
	}
	fy, fm, fd := first.In(loc).Date()
	after := max(shopDay(r.Due, loc), shopDay(now, loc))
	unit := map[string]string{RepeatDay: "d", RepeatWeek: "w", RepeatMonth: "m", RepeatYear: "y"}[r.Repeat.Unit]
	// Jump near the answer, then step: a daily reminder years overdue costs
	// a few steps, not thousands.
	k := 1
	if r.Repeat.Unit == RepeatDay || r.Repeat.Unit == RepeatWeek {
		span := r.Repeat.Every
		if r.Repeat.Unit == RepeatWeek {
			span *= 7
		}
		k = max(1, (after-civilDays(fy, fm, fd))/span)
	} else if r.Repeat.Unit == RepeatMonth || r.Repeat.Unit == RepeatYear {
		ay, am, _ := civilFromDays(after)
		months := (ay-fy)*12 + int(am-fm)
		if r.Repeat.Unit == RepeatYear {
			months /= 12
		}
		k = max(1, months/r.Repeat.Every-1)
	}
	for ; k < 1<<20; k++ {
		y, m, d := shiftDate(fy, fm, fd, unit, k*r.Repeat.Every)
		if civilDays(y, m, d) > after {
			return StartOfDay(y, m, d, loc), true
		}
	}
	return time.Time{}, false
}

// ValidateReason checks why the owner dismissed a reminder.
func ValidateReason(reason string) error { return checkText("reason", reason, MaxLong) }

// reminderField is one setting of the rules, by the name scripts use.
type reminderField struct {
	key   string
	flag  func(rs *ReminderSettings) *bool
	num   func(rs *ReminderSettings) *int
	money func(rs *ReminderSettings) *Money
}

var reminderFields = []reminderField{
	{key: "thank_you", flag: func(rs *ReminderSettings) *bool { return &rs.ThankYou.On }},
	{key: "thank_you.first_purchase", flag: func(rs *ReminderSettings) *bool { return &rs.ThankYou.FirstPurchase }},
	{key: "thank_you.threshold", money: func(rs *ReminderSettings) *Money { return &rs.ThankYou.Threshold }},
	{key: "thank_you.days_after", num: func(rs *ReminderSettings) *int { return &rs.ThankYou.DaysAfter }},
	{key: "thank_you.lapse_days", num: func(rs *ReminderSettings) *int { return &rs.ThankYou.LapseDays }},
	{key: "birthday", flag: func(rs *ReminderSettings) *bool { return &rs.Birthday.On }},
	{key: "birthday.days_before", num: func(rs *ReminderSettings) *int { return &rs.Birthday.DaysBefore }},
	{key: "birthday.lapse_days", num: func(rs *ReminderSettings) *int { return &rs.Birthday.LapseDays }},
	{key: "anniversary", flag: func(rs *ReminderSettings) *bool { return &rs.Anniversary.On }},
	{key: "anniversary.days_before", num: func(rs *ReminderSettings) *int { return &rs.Anniversary.DaysBefore }},
	{key: "anniversary.lapse_days", num: func(rs *ReminderSettings) *int { return &rs.Anniversary.LapseDays }},
	{key: "thinking_of_you", flag: func(rs *ReminderSettings) *bool { return &rs.ThinkingOfYou.On }},
	{key: "thinking_of_you.gap_times", num: func(rs *ReminderSettings) *int { return &rs.ThinkingOfYou.GapTimes }},
	{key: "thinking_of_you.days", num: func(rs *ReminderSettings) *int { return &rs.ThinkingOfYou.Days }},
	{key: "thinking_of_you.min_visits", num: func(rs *ReminderSettings) *int { return &rs.ThinkingOfYou.MinVisits }},
	{key: "win_back", flag: func(rs *ReminderSettings) *bool { return &rs.WinBack.On }},
	{key: "win_back.purchases", num: func(rs *ReminderSettings) *int { return &rs.WinBack.Purchases }},
	{key: "win_back.weeks", num: func(rs *ReminderSettings) *int { return &rs.WinBack.Weeks }},
	{key: "complaint_follow_up", flag: func(rs *ReminderSettings) *bool { return &rs.Complaint.On }},
	{key: "complaint_follow_up.days", num: func(rs *ReminderSettings) *int { return &rs.Complaint.Days }},
	{key: "tier_up", flag: func(rs *ReminderSettings) *bool { return &rs.TierUp.On }},
	{key: "tier_up.days", num: func(rs *ReminderSettings) *int { return &rs.TierUp.Days }},
}

// ReminderKeys are the names of the rules' settings, in the order shown:
// a rule's name switches it on or off, and rule.number sets its numbers.
func ReminderKeys() []string {
	out := make([]string, len(reminderFields))
	for i, f := range reminderFields {
		out[i] = f.key
	}
	return out
}

func findReminderField(key string) (reminderField, bool) {
	key = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(key)), "-", "_")
	for _, f := range reminderFields {
		if f.key == key {
			return f, true
		}
	}
	return reminderField{}, false
}

// Get is one setting as text: on/off, a number, or an amount in cur.
func (rs ReminderSettings) Get(key string, cur Currency) string {
	f, ok := findReminderField(key)
	switch {
	case !ok:
		return ""
	case f.flag != nil:
		if *f.flag(&rs) {
			return "on"
		}
		return "off"
	case f.num != nil:
		return strconv.Itoa(*f.num(&rs))
	}
	return f.money(&rs).Plain(cur)
}

// Set changes one setting by name (see ReminderKeys), then checks the
// whole; on a bad value nothing changes.
func (rs *ReminderSettings) Set(key, value string, cur Currency) error {
	f, ok := findReminderField(key)
	if !ok {
		return fmt.Errorf("there is no reminder setting %q; the settings are %s", key, strings.Join(ReminderKeys(), ", "))
	}
	value = strings.TrimSpace(value)
	next := *rs
	switch {
	case f.flag != nil:
		switch strings.ToLower(value) {
		case "on", "yes", "true", "1":
			*f.flag(&next) = true
		case "off", "no", "false", "0":
			*f.flag(&next) = false
		default:
			return &FieldError{Field: f.key, Problem: fmt.Sprintf("%s is not on or off", quoteInput(value)), Fix: "use on or off"}
		}
	case f.num != nil:
		n, err := strconv.Atoi(value)
		if err != nil {
			return &FieldError{Field: f.key, Problem: fmt.Sprintf("%s is not a whole number", quoteInput(value)), Fix: "use a number of days, weeks, visits or purchases, such as 7"}
		}
		*f.num(&next) = n
	default:
		if value == "0" {
			*f.money(&next) = 0
		} else {
			m, err := ParseMoney(value, cur)
			if err != nil {
				return &FieldError{Field: f.key, Problem: err.Error(), Fix: "use an amount such as 100.00, or 0 for first purchases only"}
			}
			*f.money(&next) = m
		}
	}
	if err := next.Validate(); err != nil {
		return err
	}
	*rs = next
	return nil
}
