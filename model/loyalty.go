package model

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The relationship ladder (the seeds' "ladder of customer loyalty").
//
// Window: a customer's rung is worked out over the 12 months that end on the
// shop's current day. An interaction counts from the day it happens up to the
// day before its anniversary: on 2026-11-25 the window is 2025-11-26 ..
// 2026-11-25, so a purchase made exactly 12 months ago today no longer counts.
// Days are the shop's (Settings.TimeZone). Feb 29 counts up to Feb 28 of the
// next year and stops counting on Mar 1.
//
// Rungs, the highest whose conditions hold:
//   - prospect: known, never bought;
//   - customer: has bought at least once (ever);
//   - client: at least ClientPurchases purchases in the window;
//   - supporter: at least SupporterVisits visit days in the window, or a net
//     spend (purchases less returns) in the window of at least SupporterSpend;
//   - advocate: a supporter who referred someone or gave a 5-star feedback in
//     the window;
//   - partner: set by hand (Customer.Partner), kept until unset.
//
// Every rung above prospect needs a purchase: someone who only browses stays
// a prospect however often they come. The rung is derived when read from the
// customer's aggregates (Stats.Days) and now, so customers slip down as time
// passes without anything being written.

// Rung is a step on the ladder; higher is more loyal.
type Rung int8

// The rungs, lowest first.
const (
	RungProspect Rung = iota
	RungCustomer
	RungClient
	RungSupporter
	RungAdvocate
	RungPartner
)

// Rungs lists the ladder from the bottom up.
var Rungs = []Rung{RungProspect, RungCustomer, RungClient, RungSupporter, RungAdvocate, RungPartner}

var rungNames = [...]string{"prospect", "customer", "client", "supporter", "advocate", "partner"}

// String is the rung's name as shown to the owner and in JSON.
func (r Rung) String() string {
	if r < 0 || int(r) >= len(rungNames) {
		return "rung " + strconv.Itoa(int(r))
	}
	return rungNames[r]
}

// ParseRung reads a rung's name (case-insensitive).
func ParseRung(s string) (Rung, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, n := range rungNames {
		if n == s {
			return Rung(i), true
		}
	}
	return 0, false
}

// MarshalText writes the rung's name, so JSON says "client", not 2.
func (r Rung) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads a rung's name.
func (r *Rung) UnmarshalText(b []byte) error {
	v, ok := ParseRung(string(b))
	if !ok {
		return fmt.Errorf("%q is not a rung of the ladder; the rungs are %s", b, strings.Join(rungNames[:], ", "))
	}
	*r = v
	return nil
}

const (
	// LadderMonths is the length of the rolling window the rung is worked out over.
	LadderMonths = 12
	// DayMonths is how many calendar months Stats.Days covers, up to the
	// newest interaction: the window, the month it starts in, and three more
	// so that a move up in the MoveUpDays before the newest interaction can
	// be dated from the record alone (LastTierUp). Kept short: every
	// customer record carries it.
	DayMonths = LadderMonths + 4
	// MoveUpDays is how far back before the newest interaction LastMoveUp is
	// sure to see a move up (the tier-up reminder looks back at most this far).
	MoveUpDays = 60
	// ClosePercent: a customer within this share of a threshold is "close to
	// the next rung".
	ClosePercent = 20
	// SlipDays is how far ahead the Loyalty tab looks for customers about to
	// drop a rung.
	SlipDays = 30
)

// Reward is one entry of the rewards catalogue.
type Reward struct {
	Name   string `json:"name"`
	Points int64  `json:"points"`
}

// LoyaltySettings are the ladder's thresholds, the earn rate and the rewards
// catalogue, kept in the file's settings. Money is in minor units.
// No field is omitempty: an emptied catalogue must stay empty when read back
// over the defaults.
type LoyaltySettings struct {
	ClientPurchases int   `json:"client_purchases"` // purchases in the window
	SupporterVisits int   `json:"supporter_visits"` // visit days in the window
	SupporterSpend  Money `json:"supporter_spend"`  // or this much net spend in the window
	// Points: EarnPoints for every whole EarnPer spent, rounded down per purchase.
	EarnPoints int64    `json:"earn_points"`
	EarnPer    Money    `json:"earn_per"`
	Rewards    []Reward `json:"rewards"`
}

// DefaultLoyalty is the ladder a new file starts with: client at 3 purchases,
// supporter at 8 visits or 500.00, 1 point per 1.00, and two rewards.
func DefaultLoyalty() LoyaltySettings {
	return LoyaltySettings{
		ClientPurchases: 3,
		SupporterVisits: 8,
		SupporterSpend:  50000,
		EarnPoints:      1,
		EarnPer:         100,
		Rewards:         []Reward{{Name: "5.00 off", Points: 100}, {Name: "free gift wrap", Points: 50}},
	}
}

// Limits that keep settings sensible and sums far from overflow.
const (
	maxClientPurchases = 1000
	maxVisitDays       = 366 // no one visits on more days than a year has
	maxEarnPoints      = 1000
	maxRewardPoints    = 10_000_000
	maxRewards         = 100
	maxRewardName      = 100
	maxSettingMoney    = Money(1_000_000_000_000) // a billion major units at 3 digits
)

// Validate checks the loyalty settings: the thresholds rise with the ladder
// (a customer has 1 purchase, so a client needs more; a supporter needs more
// visit days than a client needs purchases), the earn rate is positive, and
// every reward has a name, a positive cost and a name of its own.
func (ls LoyaltySettings) Validate() error {
	switch {
	case ls.ClientPurchases < 2:
		return &FieldError{Field: "client purchases", Problem: fmt.Sprintf("is %d", ls.ClientPurchases),
			Fix: "a customer already has 1 purchase, so a client needs at least 2 in 12 months"}
	case ls.ClientPurchases > maxClientPurchases:
		return &FieldError{Field: "client purchases", Problem: fmt.Sprintf("is %d", ls.ClientPurchases), Fix: fmt.Sprintf("keep it to %d", maxClientPurchases)}
	case ls.SupporterVisits <= ls.ClientPurchases:
		return &FieldError{Field: "supporter visits", Problem: fmt.Sprintf("(%d) is not more than the purchases a client needs (%d)", ls.SupporterVisits, ls.ClientPurchases),
			Fix: "the ladder rises: make supporter visits higher, or client purchases lower"}
	case ls.SupporterVisits > maxVisitDays:
		return &FieldError{Field: "supporter visits", Problem: fmt.Sprintf("is %d", ls.SupporterVisits), Fix: "no one can visit on more than 366 days in 12 months"}
	case ls.SupporterSpend <= 0:
		return &FieldError{Field: "supporter spend", Problem: "is not more than 0", Fix: "give the 12-month spend that makes a supporter, e.g. 500.00"}
	case ls.SupporterSpend > maxSettingMoney:
		return &FieldError{Field: "supporter spend", Problem: "is too large", Fix: "give a smaller amount"}
	case ls.EarnPoints <= 0:
		return &FieldError{Field: "earn rate", Problem: fmt.Sprintf("gives %d points", ls.EarnPoints), Fix: "give at least 1 point"}
	case ls.EarnPoints > maxEarnPoints:
		return &FieldError{Field: "earn rate", Problem: fmt.Sprintf("gives %d points", ls.EarnPoints), Fix: fmt.Sprintf("keep it to %d points", maxEarnPoints)}
	case ls.EarnPer <= 0:
		return &FieldError{Field: "earn rate", Problem: "is per an amount that is not more than 0", Fix: "points are earned per amount spent, e.g. per 1.00"}
	case ls.EarnPer > maxSettingMoney:
		return &FieldError{Field: "earn rate", Problem: "is per an amount that is too large", Fix: "give a smaller amount"}
	case len(ls.Rewards) > maxRewards:
		return &FieldError{Field: "rewards", Problem: fmt.Sprintf("has %d entries", len(ls.Rewards)), Fix: fmt.Sprintf("keep it to %d", maxRewards)}
	}
	seen := map[string]int{}
	for i, r := range ls.Rewards {
		name := strings.TrimSpace(r.Name)
		field := fmt.Sprintf("reward %d", i+1)
		if name == "" {
			return &FieldError{Field: field, Problem: "has no name", Fix: "name it, e.g. 5.00 off"}
		}
		if err := checkText(field+" name", name, maxRewardName); err != nil {
			return err
		}
		if Sanitize(name) != name {
			return &FieldError{Field: field + " name", Problem: "has control characters", Fix: "retype it on one line"}
		}
		field = fmt.Sprintf("reward %q", name)
		if r.Points <= 0 {
			return &FieldError{Field: field, Problem: fmt.Sprintf("costs %d points", r.Points), Fix: "a reward costs at least 1 point"}
		}
		if r.Points > maxRewardPoints {
			return &FieldError{Field: field, Problem: fmt.Sprintf("costs %d points", r.Points), Fix: fmt.Sprintf("keep it to %d", maxRewardPoints)}
		}
		key := strings.ToLower(name)
		if j, dup := seen[key]; dup {
			return &FieldError{Field: field, Problem: fmt.Sprintf("is listed twice (rewards %d and %d)", j+1, i+1), Fix: "give each reward its own name"}
		}
		seen[key] = i
	}
	return nil
}

// LoyaltyKeys are the names accepted by LoyaltySettings.Set.
var LoyaltyKeys = []string{"client_purchases", "supporter_visits", "supporter_spend", "earn_points", "earn_per"}

// Set changes one threshold or the earn rate by name, from text as typed,
// and validates the result as a whole; on error ls is unchanged.
func (ls *LoyaltySettings) Set(key, value string, cur Currency) error {
	next := *ls
	value = strings.TrimSpace(value)
	whole := func(field string) (int64, error) {
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil || n < -1e9 || n > 1e9 {
			return 0, &FieldError{Field: field, Problem: fmt.Sprintf("%s is not a whole number of a sensible size", quoteInput(value)), Fix: "give a number such as 3"}
		}
		return n, nil
	}
	switch strings.ReplaceAll(strings.ToLower(strings.TrimSpace(key)), "-", "_") {
	case "client_purchases":
		n, err := whole("client purchases")
		if err != nil {
			return err
		}
		next.ClientPurchases = int(n)
	case "supporter_visits":
		n, err := whole("supporter visits")
		if err != nil {
			return err
		}
		next.SupporterVisits = int(n)
	case "supporter_spend":
		m, err := ParseMoney(value, cur)
		if err != nil {
			return &FieldError{Field: "supporter spend", Problem: err.Error(), Fix: "give an amount such as 500.00"}
		}
		next.SupporterSpend = m
	case "earn_points":
		n, err := whole("earn rate")
		if err != nil {
			return err
		}
		next.EarnPoints = n
	case "earn_per":
		m, err := ParseMoney(value, cur)
		if err != nil {
			return &FieldError{Field: "earn rate", Problem: err.Error(), Fix: "give an amount such as 1.00"}
		}
		next.EarnPer = m
	default:
		return fmt.Errorf("there is no loyalty setting %s; they are %s", quoteInput(key), strings.Join(LoyaltyKeys, ", "))
	}
	if err := next.Validate(); err != nil {
		return err
	}
	*ls = next
	return nil
}

// Clean tidies what a form or the command line typed: reward names lose
// outer and repeated spaces.
func (ls LoyaltySettings) Clean() LoyaltySettings {
	if ls.Rewards != nil {
		rs := make([]Reward, len(ls.Rewards))
		for i, r := range ls.Rewards {
			rs[i] = Reward{Name: strings.Join(strings.Fields(r.Name), " "), Points: r.Points}
		}
		ls.Rewards = rs
	}
	return ls
}

// FindReward looks a reward up by name, ignoring case and outer spaces.
func (ls LoyaltySettings) FindReward(name string) (Reward, error) {
	want := strings.ToLower(strings.TrimSpace(name))
	for _, r := range ls.Rewards {
		if strings.ToLower(strings.TrimSpace(r.Name)) == want {
			return r, nil
		}
	}
	if len(ls.Rewards) == 0 {
		return Reward{}, fmt.Errorf("there are no rewards in the catalogue yet; add one in the loyalty settings")
	}
	var names []string
	for _, r := range ls.Rewards {
		names = append(names, fmt.Sprintf("%q (%d points)", r.Name, r.Points))
	}
	return Reward{}, fmt.Errorf("there is no reward called %s; the rewards are %s", quoteInput(name), strings.Join(names, ", "))
}

// Affordable lists the rewards a balance of points pays for, cheapest first.
func (ls LoyaltySettings) Affordable(points int64) []Reward {
	return affordable(ls.cheapestFirst(), points)
}

// cheapestFirst is the catalogue sorted by points (a copy).
func (ls LoyaltySettings) cheapestFirst() []Reward {
	out := slices.Clone(ls.Rewards)
	slices.SortStableFunc(out, func(a, b Reward) int { return cmp.Compare(a.Points, b.Points) })
	return out
}

// affordable is the prefix of a cheapest-first catalogue that points pay for.
func affordable(sorted []Reward, points int64) []Reward {
	n := 0
	for n < len(sorted) && sorted[n].Points <= points {
		n++
	}
	lo := 0
	for lo < n && sorted[lo].Points <= 0 {
		lo++
	}
	if lo == n {
		return nil
	}
	return sorted[lo:n:n]
}

// NextReward is the cheapest reward the balance does not yet pay for, and
// how many points are missing.
func (ls LoyaltySettings) NextReward(points int64) (Reward, int64, bool) {
	var best Reward
	found := false
	for _, r := range ls.Rewards {
		if r.Points > points && (!found || r.Points < best.Points) {
			best, found = r, true
		}
	}
	return best, best.Points - points, found
}

// NotEnoughPoints is the refusal of a reward the customer cannot afford.
type NotEnoughPoints struct {
	Customer string
	Reward   Reward
	Have     int64
}

// Missing is how many more points the reward needs.
func (e *NotEnoughPoints) Missing() int64 { return e.Reward.Points - e.Have }

func (e *NotEnoughPoints) Error() string {
	return fmt.Sprintf("%s has %s and %q costs %d: %s needed",
		Sanitize(e.Customer), plural(int(e.Have), "point"), Sanitize(e.Reward.Name), e.Reward.Points, plural(int(e.Missing()), "more point"))
}

// ErrNotEnoughPoints matches a *NotEnoughPoints with errors.Is.
var ErrNotEnoughPoints = errors.New("not enough points")

// Is lets errors.Is(err, ErrNotEnoughPoints) find the refusal.
func (e *NotEnoughPoints) Is(target error) bool { return target == ErrNotEnoughPoints }

// DayStats are one shop day's loyalty facts for one customer. Only days with
// a visit, purchase, return, referral or 5-star feedback are kept.
// Sized to 24 bytes: 100,000 customers keep a few million of them in memory.
type DayStats struct {
	Day       int32 `json:"d"` // yyyymmdd in the shop's time zone
	Purchases int32 `json:"p,omitempty"`
	Spend     Money `json:"s,omitempty"` // purchases less returns
	Referrals int16 `json:"r,omitempty"` // only whether there were any matters; stops at 32767
	FiveStars int16 `json:"f,omitempty"` // likewise
	Visit     bool  `json:"v,omitempty"`
}

// addLoyaltyFacts fills Stats.Days from a customer's interactions sorted by
// time; ComputeStats calls it.
func addLoyaltyFacts(s *Stats, sorted []Interaction, loc *time.Location) {
	s.Days = nil
	if len(sorted) == 0 {
		return
	}
	loc = orLocal(loc)
	oldest := int32(AddMonths(MonthOf(sorted[len(sorted)-1].At, loc), -(DayMonths-1))*100 + 1)
	for _, in := range sorted {
		if !countsForLadder(in) {
			continue
		}
		d := dayNumber(in.At, loc)
		if d < oldest {
			continue
		}
		if n := len(s.Days); n == 0 || s.Days[n-1].Day != d {
			s.Days = append(s.Days, DayStats{Day: d})
		}
		ds := &s.Days[len(s.Days)-1]
		switch in.Kind {
		case KindPurchase:
			ds.Purchases++
			ds.Spend += in.Amount
		case KindReturn:
			ds.Spend -= in.Amount
		case KindReferral:
			if ds.Referrals < math.MaxInt16 {
				ds.Referrals++
			}
		case KindFeedback:
			if ds.FiveStars < math.MaxInt16 {
				ds.FiveStars++
			}
		}
		if in.Kind.IsVisit() {
			ds.Visit = true
		}
	}
}

// Shop days as yyyymmdd numbers: cheap to compare and to keep in a record.
// The arithmetic is plain integers (no time.Date), so the ladder for 100,000
// customers stays fast.

// ShopDay is a calendar day in the shop's time zone, as yyyymmdd.
type ShopDay int32

// String writes the day as 2006-01-02.
func (d ShopDay) String() string {
	y, m, dd := splitDay(int32(d))
	return fmt.Sprintf("%04d-%02d-%02d", y, int(m), dd)
}

// Start is the first instant of the day in loc.
func (d ShopDay) Start(loc *time.Location) time.Time { return dayStart(int32(d), loc) }

func dayNumber(t time.Time, loc *time.Location) int32 {
	y, m, d := t.In(orLocal(loc)).Date()
	return int32(y*10000 + int(m)*100 + d)
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func monthDays(y int, m time.Month) int {
	switch m {
	case time.February:
		if isLeap(y) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// serial counts days from 1970-01-01 (Howard Hinnant's days_from_civil).
func serial(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// fromSerial is serial's inverse.
func fromSerial(z int) int32 {
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
	return int32(y*10000 + m*100 + d)
}

// makeDay normalises a civil date (month 13, Feb 30) into yyyymmdd.
func makeDay(y int, m time.Month, d int) int32 {
	mm := int(m) - 1
	y += floorDiv(mm, 12)
	mm = floorMod(mm, 12) + 1
	if d >= 1 && d <= monthDays(y, time.Month(mm)) {
		return int32(y*10000 + mm*100 + d)
	}
	return fromSerial(serial(y, mm, 1) + d - 1)
}

func splitDay(n int32) (int, time.Month, int) {
	return int(n / 10000), time.Month(n / 100 % 100), int(n % 100)
}

func addDays(n int32, k int) int32 {
	y, m, d := splitDay(n)
	return makeDay(y, m, d+k)
}

func dayStart(n int32, loc *time.Location) time.Time {
	y, m, d := splitDay(n)
	return StartOfDay(y, m, d, loc)
}

// windowStart is the first day of the window that ends on day today: the
// day after the same date LadderMonths earlier (the month's last day when
// that date does not exist).
func windowStart(today int32) int32 {
	y, m, d := splitDay(today)
	total := y*12 + int(m) - 1 - LadderMonths
	y, m = total/12, time.Month(total%12+1)
	if d >= monthDays(y, m) {
		return makeDay(y, m+1, 1)
	}
	return int32(y*10000 + int(m)*100 + d + 1)
}

// expiryDay is the first day on which something that happened on day e no
// longer counts: its anniversary (Mar 1 for Feb 29).
func expiryDay(e int32) int32 {
	y, m, d := splitDay(e)
	return makeDay(y, m+LadderMonths, d)
}

// coverStart is the first day Stats.Days can hold.
func coverStart(st Stats, loc *time.Location) int32 {
	if st.LastContact.IsZero() {
		return 0
	}
	return int32(AddMonths(MonthOf(st.LastContact, loc), -(DayMonths-1))*100 + 1)
}

// Window is what a customer did in the 12-month window ending on a day.
type Window struct {
	From, To  ShopDay // the window's first and last days
	Purchases int
	Visits    int   // days with a visit, purchase or return
	Spend     Money // purchases less returns
	Referrals int
	FiveStars int
}

// tally sums Days entries with from <= day <= upto.
func tally(days []DayStats, from, upto int32) Window {
	var w Window
	i, j := 0, len(days) // the first day at or after from
	for i < j {
		if h := int(uint(i+j) >> 1); days[h].Day < from {
			i = h + 1
		} else {
			j = h
		}
	}
	for ; i < len(days) && days[i].Day <= upto; i++ {
		d := &days[i]
		w.Purchases += int(d.Purchases)
		w.Spend += d.Spend
		w.Referrals += int(d.Referrals)
		w.FiveStars += int(d.FiveStars)
		if d.Visit {
			w.Visits++
		}
	}
	return w
}

// WindowOf sums what the customer did in the 12 months ending on now's day.
func WindowOf(c Customer, now time.Time, loc *time.Location) Window {
	return windowOn(c.Stats, dayNumber(now, loc))
}

func windowOn(st Stats, today int32) Window {
	from := windowStart(today)
	w := tally(st.Days, from, today)
	w.From, w.To = ShopDay(from), ShopDay(today)
	return w
}

// firstBuy is the shop day of the first purchase, 0 for none.
func firstBuy(st Stats, loc *time.Location) int32 {
	if st.Purchases == 0 || st.FirstPurchase.IsZero() {
		return 0
	}
	return dayNumber(st.FirstPurchase, loc)
}

// boughtBy reports whether the first purchase (day fb, 0 for none) was on or before upto.
func boughtBy(fb, upto int32) bool { return fb != 0 && fb <= upto }

// boughtByNow is boughtBy for today, without working out the day in the
// usual case of a first purchase before now.
func boughtByNow(st Stats, now time.Time, today int32, loc *time.Location) bool {
	if st.Purchases == 0 || st.FirstPurchase.IsZero() {
		return false
	}
	return !st.FirstPurchase.After(now) || dayNumber(st.FirstPurchase, loc) <= today
}

// earned is the highest rung the window's figures reach (never partner).
func earned(w Window, purchased bool, ls LoyaltySettings) Rung {
	if !purchased {
		return RungProspect
	}
	r := RungCustomer
	if w.Purchases >= ls.ClientPurchases {
		r = RungClient
	}
	if w.Visits >= ls.SupporterVisits || w.Spend >= ls.SupporterSpend {
		r = RungSupporter
		if w.Referrals > 0 || w.FiveStars > 0 {
			r = RungAdvocate
		}
	}
	return r
}

// earnedOn is the earned rung on day: in the window that ends on day,
// counting what happened up to and including upto (day itself, or the day
// before for the rung as the day began).
func earnedOn(st Stats, ls LoyaltySettings, day, upto, fb int32) Rung {
	return earned(tally(st.Days, windowStart(day), upto), boughtBy(fb, upto), ls)
}

// RungOf is the customer's rung on now's day. c.Stats must not count
// interactions after now (true whenever now is the real time; for an earlier
// --now, store.AsOf rewinds them).
func RungOf(c Customer, ls LoyaltySettings, now time.Time, loc *time.Location) Rung {
	if c.Partner {
		return RungPartner
	}
	loc = orLocal(loc)
	today := dayNumber(now, loc)
	return earned(tally(c.Stats.Days, windowStart(today), today), boughtByNow(c.Stats, now, today, loc), ls)
}

// Measure is what a goal on the way to the next rung counts.
type Measure string

// The measures, as they appear in JSON.
const (
	MeasureFirstPurchase Measure = "first_purchase"
	MeasurePurchases     Measure = "purchases"
	MeasureVisits        Measure = "visits"
	MeasureSpend         Measure = "spend" // Have and Need in minor units
	MeasureReferral      Measure = "referral"
	MeasureFiveStar      Measure = "five_star_feedback"
)

// Goal is one way to reach the next rung: Need of a measure in the window,
// of which the customer has Have.
type Goal struct {
	Measure Measure `json:"measure"`
	Have    int64   `json:"have"`
	Need    int64   `json:"need"`
}

// Missing is how much more of the measure the goal needs.
func (g Goal) Missing() int64 { return max(0, g.Need-g.Have) }

// Fraction is how far along the goal is, 0 to 1, for a progress bar.
func (g Goal) Fraction() float64 {
	if g.Need <= 0 || g.Have >= g.Need {
		return 1
	}
	if g.Have <= 0 {
		return 0
	}
	return float64(g.Have) / float64(g.Need)
}

// Threshold reports whether the goal is one of the settings' numbers
// (purchases, visits, spend) rather than a single event.
func (g Goal) Threshold() bool {
	return g.Measure == MeasurePurchases || g.Measure == MeasureVisits || g.Measure == MeasureSpend
}

// Close reports whether a threshold goal is within ClosePercent of its
// threshold, rounded up to a whole unit so that "1 more purchase" of 3 counts.
func (g Goal) Close() bool {
	if !g.Threshold() || g.Need <= 0 {
		return false
	}
	m := g.Missing()
	return m > 0 && m <= (g.Need*ClosePercent+99)/100
}

// Describe says what is missing, in the owner's words: "2 more visits",
// "35.00 more", "a referral".
func (g Goal) Describe(cur Currency) string {
	m := g.Missing()
	switch g.Measure {
	case MeasureFirstPurchase:
		return "a first purchase"
	case MeasurePurchases:
		return plural(int(m), "more purchase")
	case MeasureVisits:
		return plural(int(m), "more visit")
	case MeasureSpend:
		return Money(m).Plain(cur) + " more"
	case MeasureReferral:
		return "a referral"
	case MeasureFiveStar:
		return "a 5-star feedback"
	}
	return fmt.Sprintf("%d more %s", m, g.Measure)
}

// Progress is where a customer stands and what would move them up a rung.
type Progress struct {
	Rung Rung `json:"rung"`
	// Next is the rung above; at the top of what can be earned (advocate, or
	// partner, which only the owner gives) Top is true and Next equals Rung.
	Next Rung `json:"next_rung"`
	Top  bool `json:"top"`
	// Goals are alternatives: meeting any one of them reaches Next.
	Goals []Goal `json:"goals"`
}

// Describe joins the goals: "5 more visits or 35.00 more"; empty at the top.
func (p Progress) Describe(cur Currency) string {
	var parts []string
	for _, g := range p.Goals {
		parts = append(parts, g.Describe(cur))
	}
	return strings.Join(parts, " or ")
}

// Nearest is the goal furthest along (the one a progress bar shows).
func (p Progress) Nearest() (Goal, bool) {
	if len(p.Goals) == 0 {
		return Goal{}, false
	}
	best := p.Goals[0]
	for _, g := range p.Goals[1:] {
		if g.Fraction() > best.Fraction() {
			best = g
		}
	}
	return best, true
}

func progressFrom(r Rung, w Window, ls LoyaltySettings) Progress {
	p := Progress{Rung: r, Next: r + 1}
	switch r {
	case RungProspect:
		p.Goals = []Goal{{Measure: MeasureFirstPurchase, Need: 1}}
	case RungCustomer:
		p.Goals = []Goal{{Measure: MeasurePurchases, Have: int64(w.Purchases), Need: int64(ls.ClientPurchases)}}
	case RungClient:
		p.Goals = []Goal{
			{Measure: MeasureVisits, Have: int64(w.Visits), Need: int64(ls.SupporterVisits)},
			{Measure: MeasureSpend, Have: int64(w.Spend), Need: int64(ls.SupporterSpend)},
		}
	case RungSupporter:
		p.Goals = []Goal{{Measure: MeasureReferral, Need: 1}, {Measure: MeasureFiveStar, Need: 1}}
	default:
		p.Next, p.Top = r, true
	}
	return p
}

// ProgressOf says what would move the customer up to the next rung.
func ProgressOf(c Customer, ls LoyaltySettings, now time.Time, loc *time.Location) Progress {
	return StandingOf(c, ls, now, loc).Progress
}

// CloseToNext reports the threshold goal that puts the customer within
// ClosePercent of the next rung, if one does (the closest, when several).
// Becoming a customer (a first purchase) and an advocate (a referral or a
// 5-star feedback) have no threshold to be close to.
func CloseToNext(c Customer, ls LoyaltySettings, now time.Time, loc *time.Location) (Goal, bool) {
	return closeGoal(ProgressOf(c, ls, now, loc))
}

func closeGoal(p Progress) (Goal, bool) {
	var best Goal
	found := false
	for _, g := range p.Goals {
		if g.Close() && (!found || g.Fraction() > best.Fraction()) {
			best, found = g, true
		}
	}
	return best, found
}

// Standing is everything the list, the detail and the CLI show about one
// customer's loyalty, worked out in one pass over the record.
type Standing struct {
	Rung     Rung
	Progress Progress
	Points   int64
	Window   Window
}

// StandingOf works out the customer's rung, progress, points and window.
func StandingOf(c Customer, ls LoyaltySettings, now time.Time, loc *time.Location) Standing {
	loc = orLocal(loc)
	return standingOn(&c, ls, now, dayNumber(now, loc), loc)
}

func standingOn(c *Customer, ls LoyaltySettings, now time.Time, today int32, loc *time.Location) Standing {
	w := windowOn(c.Stats, today)
	r := RungPartner
	if !c.Partner {
		r = earned(w, boughtByNow(c.Stats, now, today, loc), ls)
	}
	return Standing{Rung: r, Progress: progressFrom(r, w, ls), Points: max(0, c.Stats.Points), Window: w}
}

// Slip is a drop down the ladder that will happen unless the customer comes back.
type Slip struct {
	From, To Rung
	On       time.Time // the first instant of the shop day it happens
}

// Slipping reports whether the customer would stand on a lower rung on some
// day within the next `within` days (SlipDays on the Loyalty tab) if nothing
// new happens, and the first such day. Partners never slip.
func Slipping(c Customer, ls LoyaltySettings, now time.Time, loc *time.Location, within int) (Slip, bool) {
	if c.Partner || within <= 0 {
		return Slip{}, false
	}
	loc = orLocal(loc)
	return slipOn(&c, ls, dayNumber(now, loc), loc, within)
}

func slipOn(c *Customer, ls LoyaltySettings, today int32, loc *time.Location, within int) (Slip, bool) {
	if c.Partner || within <= 0 {
		return Slip{}, false
	}
	last := addDays(today, within)
	days := c.Stats.Days
	// The rung can only drop on a day something stops counting: an entry
	// counting today but not on the last day.
	from, to := windowStart(today), windowStart(last)
	i := sort.Search(len(days), func(i int) bool { return days[i].Day >= from })
	if i == len(days) || days[i].Day >= to {
		return Slip{}, false
	}
	fb := firstBuy(c.Stats, loc)
	cur := earnedOn(c.Stats, ls, today, today, fb)
	for prev := int32(0); i < len(days) && days[i].Day < to && days[i].Day <= today; i++ {
		x := expiryDay(days[i].Day)
		if x == prev {
			continue
		}
		prev = x
		if r := earnedOn(c.Stats, ls, x, today, fb); r < cur {
			return Slip{From: cur, To: r, On: dayStart(x, loc)}, true
		}
	}
	return Slip{}, false
}

// RungChange is one move on the ladder in a customer's history. The history
// is kept by shop day: a change is the difference between the rung a day
// ended on and the rung the previous day ended on (a purchase returned the
// same day is no move at all).
type RungChange struct {
	// At is when the day's final rung was reached: the interaction that
	// moved them (Cause), or the start of the day when an old interaction
	// stopped counting (Lapsed).
	At     time.Time `json:"at"`
	From   Rung      `json:"from"`
	To     Rung      `json:"to"`
	Cause  ID        `json:"interaction,omitempty"`
	Lapsed ID        `json:"lapsed,omitempty"`
}

// Up reports whether the change is a move up the ladder.
func (c RungChange) Up() bool { return c.To > c.From }

// RungHistory replays a customer's interactions (any order) and lists every
// change of earned rung up to now, oldest first. Partner is the owner's
// decision, not earned, so it is not part of the history.
func RungHistory(list []Interaction, ls LoyaltySettings, now time.Time, loc *time.Location) []RungChange {
	loc = orLocal(loc)
	sorted := make([]Interaction, 0, len(list))
	for _, in := range list {
		if !in.At.After(now) && countsForLadder(in) {
			sorted = append(sorted, in)
		}
	}
	sort.SliceStable(sorted, func(i, j int) bool {
		if !sorted[i].At.Equal(sorted[j].At) {
			return sorted[i].At.Before(sorted[j].At)
		}
		return sorted[i].ID < sorted[j].ID
	})
	days := make([]int32, len(sorted))
	type lapse struct {
		day int32
		id  ID
	}
	var lapses []lapse
	for i, in := range sorted {
		days[i] = dayNumber(in.At, loc)
		if x := expiryDay(days[i]); !dayStart(x, loc).After(now) {
			lapses = append(lapses, lapse{x, in.ID})
		}
	}
	sort.SliceStable(lapses, func(i, j int) bool { return lapses[i].day < lapses[j].day })

	// A sliding window over the sorted interactions: add moves forward day
	// by day, drop follows the window's start.
	var (
		w         Window
		visitDays = map[int32]int{}
		purchased bool
		add, drop int
		rung      = RungProspect
		out       []RungChange
	)
	apply := func(in Interaction, d int32, sign int) {
		switch in.Kind {
		case KindPurchase:
			w.Purchases += sign
			w.Spend += Money(sign) * in.Amount
		case KindReturn:
			w.Spend -= Money(sign) * in.Amount
		case KindReferral:
			w.Referrals += sign
		case KindFeedback:
			w.FiveStars += sign
		}
		if in.Kind.IsVisit() {
			visitDays[d] += sign
			if visitDays[d] == 0 {
				delete(visitDays, d)
			}
		}
		w.Visits = len(visitDays)
	}
	li := 0
	for add < len(sorted) || li < len(lapses) {
		day := int32(0)
		if add < len(sorted) {
			day = days[add]
		}
		if li < len(lapses) && (day == 0 || lapses[li].day < day) {
			day = lapses[li].day
		}
		// The day begins: what fell out of the window goes.
		for start := windowStart(day); drop < add && days[drop] < start; drop++ {
			apply(sorted[drop], days[drop], -1)
		}
		r := earned(w, purchased, ls)
		ch := RungChange{At: dayStart(day, loc)}
		for ; li < len(lapses) && lapses[li].day == day; li++ {
			if ch.Lapsed == 0 {
				ch.Lapsed = lapses[li].id
			}
		}
		// The day's interactions, each perhaps moving the rung.
		for ; add < len(sorted) && days[add] == day; add++ {
			in := sorted[add]
			apply(in, day, +1)
			purchased = purchased || in.Kind == KindPurchase
			if nr := earned(w, purchased, ls); nr != r {
				r, ch.At, ch.Cause, ch.Lapsed = nr, in.At, in.ID, 0
			}
		}
		if r != rung {
			ch.From, ch.To = rung, r
			out = append(out, ch)
			rung = r
		}
	}
	return out
}

func countsForLadder(in Interaction) bool {
	return in.Kind.IsVisit() || in.Kind == KindReferral || (in.Kind == KindFeedback && in.Score == 5)
}

// LastMoveUp finds the customer's latest move up to client or above (as in
// RungHistory, by shop day), from the record alone: At is the first instant
// of that day. Moves up to customer are left out (the first purchase has its
// own thank-you card), and so are partners (the owner made them one). It
// sees every move up in the MoveUpDays (and usually some months more) before
// the customer's newest interaction; one older than the record reaches is
// not reported.
func LastMoveUp(c Customer, ls LoyaltySettings, now time.Time, loc *time.Location) (RungChange, bool) {
	if c.Partner {
		return RungChange{}, false
	}
	loc = orLocal(loc)
	today := dayNumber(now, loc)
	cover := coverStart(c.Stats, loc)
	fb := firstBuy(c.Stats, loc)
	// A rung rises on a day something counting happens, or on a day a
	// return stops counting.
	var cands []int32
	for _, d := range c.Stats.Days {
		if d.Day <= today {
			cands = append(cands, d.Day)
		}
		if x := expiryDay(d.Day); d.Spend < 0 && x <= today {
			cands = append(cands, x)
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i] > cands[j] })
	for i, d := range cands {
		if i > 0 && d == cands[i-1] {
			continue
		}
		prev := addDays(d, -1)
		if windowStart(prev) < cover {
			break // the record no longer holds the whole window before this day
		}
		before := earnedOn(c.Stats, ls, prev, prev, fb)
		after := earnedOn(c.Stats, ls, d, d, fb)
		if after > before && after >= RungClient {
			return RungChange{At: dayStart(d, loc), From: before, To: after}, true
		}
	}
	return RungChange{}, false
}

// LastTierUp is the tier-up hook for the reminder rules: the first instant
// of the shop day the customer last moved up to client or above (see
// LastMoveUp). It needs only the customer record.
func LastTierUp(c Customer, ls LoyaltySettings, now time.Time, loc *time.Location) (time.Time, bool) {
	ch, ok := LastMoveUp(c, ls, now, loc)
	return ch.At, ok
}

// TierUpHook binds LastTierUp to the shop's settings, in the shape the
// reminder rules take.
func TierUpHook(ls LoyaltySettings, loc *time.Location) func(c Customer, now time.Time) (time.Time, bool) {
	return func(c Customer, now time.Time) (time.Time, bool) { return LastTierUp(c, ls, now, loc) }
}

// Lists for the Loyalty tab. Each takes the customers to consider (the tab
// passes the active ones) and returns what it found with a pointer into cs;
// ties keep the order of cs.

// RungCount is how many customers stand on a rung.
type RungCount struct {
	Rung      Rung `json:"rung"`
	Customers int  `json:"customers"`
}

// CountRungs counts the customers on each rung, from the bottom up.
func CountRungs(cs []Customer, ls LoyaltySettings, now time.Time, loc *time.Location) []RungCount {
	loc = orLocal(loc)
	today := dayNumber(now, loc)
	from := windowStart(today)
	out := make([]RungCount, len(Rungs))
	for i, r := range Rungs {
		out[i].Rung = r
	}
	for i := range cs {
		r := RungPartner
		if st := &cs[i].Stats; !cs[i].Partner {
			r = earned(tally(st.Days, from, today), boughtByNow(*st, now, today, loc), ls)
		}
		out[r].Customers++
	}
	return out
}

// Near is a customer close to the next rung.
type Near struct {
	Customer *Customer
	Progress Progress
	Goal     Goal // the goal they are close on
	at       int  // position in cs, the tie-break
}

// CloseToNextRung lists the customers within ClosePercent of a threshold,
// the closest first.
func CloseToNextRung(cs []Customer, ls LoyaltySettings, now time.Time, loc *time.Location) []Near {
	loc = orLocal(loc)
	today := dayNumber(now, loc)
	var out []Near
	for i := range cs {
		p := standingOn(&cs[i], ls, now, today, loc).Progress
		if g, ok := closeGoal(p); ok {
			out = append(out, Near{Customer: &cs[i], Progress: p, Goal: g, at: i})
		}
	}
	slices.SortFunc(out, func(a, b Near) int {
		return cmp.Or(cmp.Compare(b.Goal.Fraction(), a.Goal.Fraction()), a.at-b.at)
	})
	return out
}

// Ready is a customer whose points pay for at least one reward.
type Ready struct {
	Customer *Customer
	Points   int64
	Rewards  []Reward // the ones they can afford, cheapest first (shared: read only)
	at       int
}

// RewardsReady lists the customers who can afford a reward, most points first.
func RewardsReady(cs []Customer, ls LoyaltySettings) []Ready {
	cheapest := int64(-1)
	for _, r := range ls.Rewards {
		if r.Points > 0 && (cheapest < 0 || r.Points < cheapest) {
			cheapest = r.Points
		}
	}
	if cheapest < 0 {
		return nil
	}
	sorted := ls.cheapestFirst()
	n := 0
	for i := range cs {
		if cs[i].Stats.Points >= cheapest {
			n++
		}
	}
	out := make([]Ready, 0, n)
	for i := range cs {
		if p := cs[i].Stats.Points; p >= cheapest {
			out = append(out, Ready{Customer: &cs[i], Points: p, Rewards: affordable(sorted, p), at: i})
		}
	}
	slices.SortFunc(out, func(a, b Ready) int {
		if a.Points != b.Points {
			return cmp.Compare(b.Points, a.Points)
		}
		return a.at - b.at
	})
	return out
}

// Slipper is a customer about to drop a rung.
type Slipper struct {
	Customer *Customer
	Slip     Slip
	at       int
}

// SlippingSoon lists the customers who would drop a rung within `within`
// days without a new visit, the soonest first.
func SlippingSoon(cs []Customer, ls LoyaltySettings, now time.Time, loc *time.Location, within int) []Slipper {
	loc = orLocal(loc)
	today := dayNumber(now, loc)
	var out []Slipper
	for i := range cs {
		if s, ok := slipOn(&cs[i], ls, today, loc, within); ok {
			out = append(out, Slipper{Customer: &cs[i], Slip: s, at: i})
		}
	}
	slices.SortFunc(out, func(a, b Slipper) int {
		return cmp.Or(a.Slip.On.Compare(b.Slip.On), a.at-b.at)
	})
	return out
}
