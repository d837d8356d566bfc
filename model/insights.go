package model

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Insights (issue 7): is the shop keeping its customers? Every figure is a
// pure function of the customers (with their Stats), the interactions and
// now, in the shop's time zone. A report covers one span (a month, quarter or
// year) to date and the full span before it.
//
// Where each figure comes from:
//   - purchases, returns, visits, complaints, feedback, cards and rewards in
//     a span: the interactions themselves. The record's aggregates cannot
//     say who bought in a given quarter three years back, and the medians
//     need every value, so the interactions of the window (ReportBuilder.From
//     to now) are read once;
//   - whether a buyer is new or returning: Stats.FirstPurchase;
//   - the gap before a customer's first visit in the window: their last visit
//     before it, which the caller passes as an ordinary visit interaction;
//   - lost customers: Status, LostReason and LostAt;
//   - lapsed customers: the win-back and thinking-of-you rules
//     (reminders.go), evaluated on the records at now.
//
// Definitions, in the owner's words:
//   - a buyer bought at least once in the span (a purchase interaction);
//   - retention rate: of the customers who bought in the span before, the
//     share who bought again in this one;
//   - repeat-purchase rate: of the span's buyers, the share who had bought
//     before the span began, or who bought on two or more different days in
//     it;
//   - new customers made their first purchase ever in the span; returning
//     customers bought in the span and had bought before it; together they
//     are the buyers;
//   - revenue is purchases less returns in the span; the returning share is
//     the part of it from customers whose first purchase came before the span;
//   - visits are days a customer was in the shop (a visit, purchase or
//     return); a gap is the number of days from a customer's previous visit
//     day to a visit day in the span;
//   - complaints are those received in the span; open ones were still open
//     when the span ended (or now, for the current one); the time to resolve
//     counts calendar days from a complaint to its resolution, for those of
//     the span's complaints resolved by then;
//   - lapsed customers are active customers a win-back or thinking-of-you
//     reminder is due for as of now (whether or not the owner switched those
//     reminders on, and whether or not the customer takes cards). They are a
//     figure of now, not of a span: a past span's lapsed customers would need
//     each record as it stood then.

// Period is the length of the span a report covers.
type Period string

// The lengths a report can cover.
const (
	PeriodMonth   Period = "month"
	PeriodQuarter Period = "quarter"
	PeriodYear    Period = "year"
)

// Periods lists the lengths in the order `p` cycles through them.
var Periods = []Period{PeriodMonth, PeriodQuarter, PeriodYear}

// ParsePeriod reads a period length as typed: month, quarter or year.
func ParsePeriod(s string) (Period, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "month", "monthly", "m":
		return PeriodMonth, nil
	case "quarter", "quarterly", "q":
		return PeriodQuarter, nil
	case "year", "yearly", "annual", "y":
		return PeriodYear, nil
	}
	return "", &FieldError{Field: "period", Problem: fmt.Sprintf("%s is not a period", quoteInput(s)), Fix: "use month, quarter or year"}
}

// Next is the length after p, for the key that changes it.
func (p Period) Next() Period {
	i := slices.Index(Periods, p)
	return Periods[(i+1)%len(Periods)]
}

// Span is one calendar month, quarter or year in the shop's time zone.
type Span struct {
	Period Period
	Start  time.Time // the first instant of its first day
	End    time.Time // the first instant of the next span's first day
}

// SpanOf is the span of length p that contains t, in loc.
func SpanOf(p Period, t time.Time, loc *time.Location) Span {
	loc = orLocal(loc)
	y, m, _ := t.In(loc).Date()
	n := time.Month(1)
	switch p {
	case PeriodQuarter:
		m, n = (m-1)/3*3+1, 3
	case PeriodYear:
		m, n = 1, 12
	default:
		p = PeriodMonth
	}
	return Span{Period: p, Start: StartOfDay(y, m, 1, loc), End: StartOfDay(y, m+n, 1, loc)}
}

// Previous is the span of the same length just before s.
func (s Span) Previous() Span {
	return SpanOf(s.Period, s.Start.Add(-time.Nanosecond), s.Start.Location())
}

// Next is the span of the same length just after s.
func (s Span) Next() Span { return SpanOf(s.Period, s.End, s.Start.Location()) }

// Contains reports whether t falls in the span.
func (s Span) Contains(t time.Time) bool { return !t.Before(s.Start) && t.Before(s.End) }

// Label names the span: "November 2026", "Q4 2026", "2026".
func (s Span) Label() string {
	y, m, _ := s.Start.Date()
	switch s.Period {
	case PeriodQuarter:
		return fmt.Sprintf("Q%d %d", (int(m)-1)/3+1, y)
	case PeriodYear:
		return strconv.Itoa(y)
	}
	return fmt.Sprintf("%s %d", m, y)
}

// Short names the span in a narrow column: "Nov 2026", "Q4 2026", "2026".
func (s Span) Short() string {
	if s.Period == PeriodMonth || s.Period == "" {
		return s.Start.Format("Jan 2006")
	}
	return s.Label()
}

// Ratio is a share: Part of Whole.
type Ratio struct{ Part, Whole int }

// Value is the share as a fraction; false when Whole is zero.
func (r Ratio) Value() (float64, bool) {
	if r.Whole == 0 {
		return 0, false
	}
	return float64(r.Part) / float64(r.Whole), true
}

// Count is how many of something carry a name: lost customers by reason,
// complaints by category.
type Count struct {
	Name string
	N    int
}

// NoReason is the name under which lost customers without a reason, and
// complaints without a category, are counted.
const NoReason = ""

// Figures are one span's figures.
type Figures struct {
	Span    Span
	Through time.Time // the last instant counted: now, for the span to date

	Buyers             int
	Retention          Ratio // Part: bought in the span before and in this one; Whole: bought in the span before
	RepeatPurchase     Ratio // Part: repeat buyers; Whole: buyers
	NewCustomers       int
	ReturningCustomers int
	Revenue            Money // purchases less returns
	ReturningRevenue   Money // of it, from returning customers

	Visits       int // customer visit days
	Gaps         int // visit days in the span with an earlier visit day
	GapDaysTotal int
	MedianGap    float64 // days; meaningful when Gaps > 0

	LostCustomers int
	LostByReason  []Count // every reason of DefectionReasons, then NoReason when any

	Complaints           int
	ComplaintsByCategory []Count // most first; categories compared ignoring case and spacing
	OpenComplaints       int
	ResolvedComplaints   int     // with a resolution time, by Through
	MedianResolve        float64 // days; meaningful when ResolvedComplaints > 0

	Feedback   int // feedback given
	ScoreTotal int
	CardsSent  int
	Redeemed   int // rewards redeemed

	// Lapsed customers as of now; nil for the previous span (see above).
	Lapsed *Lapsed

	behind     map[Figure][]ID
	lostBy     map[string][]ID
	complainBy map[string][]ID
}

// RetentionRate is Retention as a fraction; false with no buyers in the span before.
func (f Figures) RetentionRate() (float64, bool) { return f.Retention.Value() }

// RepeatPurchaseRate is RepeatPurchase as a fraction; false with no buyers.
func (f Figures) RepeatPurchaseRate() (float64, bool) { return f.RepeatPurchase.Value() }

// ReturningRevenueShare is the share of revenue from returning customers;
// false when revenue is not above zero.
func (f Figures) ReturningRevenueShare() (float64, bool) {
	if f.Revenue <= 0 {
		return 0, false
	}
	return float64(f.ReturningRevenue) / float64(f.Revenue), true
}

// AverageGapDays is the mean gap between visits; false with no gaps.
func (f Figures) AverageGapDays() (float64, bool) {
	if f.Gaps == 0 {
		return 0, false
	}
	return float64(f.GapDaysTotal) / float64(f.Gaps), true
}

// MedianGapDays is the median gap between visits; false with no gaps.
func (f Figures) MedianGapDays() (float64, bool) { return f.MedianGap, f.Gaps > 0 }

// MedianDaysToResolve is the median days to resolve; false with none resolved.
func (f Figures) MedianDaysToResolve() (float64, bool) {
	return f.MedianResolve, f.ResolvedComplaints > 0
}

// AverageSatisfaction is the mean feedback score (1-5); false with no feedback.
func (f Figures) AverageSatisfaction() (float64, bool) {
	if f.Feedback == 0 {
		return 0, false
	}
	return float64(f.ScoreTotal) / float64(f.Feedback), true
}

// Lapsed are the active customers a win-back or thinking-of-you reminder is
// due for at At, by id.
type Lapsed struct {
	At            time.Time
	WinBack       []ID // regulars who have lapsed
	ThinkingOfYou []ID // no contact for longer than their usual gap
}

// Count is how many customers have lapsed.
func (l Lapsed) Count() int { return len(l.WinBack) + len(l.ThinkingOfYou) }

// All is every lapsed customer, by id.
func (l Lapsed) All() []ID {
	out := append(append(make([]ID, 0, l.Count()), l.WinBack...), l.ThinkingOfYou...)
	slices.Sort(out)
	return out
}

// WeekFigures are one week's figures, for the visits sparkline. Weeks
// start on Monday.
type WeekFigures struct {
	Start  time.Time
	Visits int // customer visit days
}

// MonthFigures are one calendar month's figures, for the revenue bars and
// the satisfaction trend.
type MonthFigures struct {
	Month      int // year*100+month
	Start      time.Time
	Revenue    Money
	Feedback   int
	ScoreTotal int
}

// AverageSatisfaction is the month's mean feedback score; false with none.
func (m MonthFigures) AverageSatisfaction() (float64, bool) {
	if m.Feedback == 0 {
		return 0, false
	}
	return float64(m.ScoreTotal) / float64(m.Feedback), true
}

// Report is every figure for a span to date and the full span before it.
type Report struct {
	Now      time.Time
	Current  Figures
	Previous Figures
	Weeks    []WeekFigures  // SparkWeeks weeks ending with the one Current.Through falls in, oldest first
	Months   []MonthFigures // SparkMonths months ending with the one Current.Through falls in, oldest first
}

// How far back the sparklines reach.
const (
	SparkWeeks  = 12
	SparkMonths = 12
)

// Figure names one figure of a report: its JSON key, and what `enter` on it
// opens.
type Figure string

// The figures, named as in `patron report --json`.
const (
	FigureRetention       Figure = "retention_rate"
	FigureRepeat          Figure = "repeat_purchase_rate"
	FigureNewCustomers    Figure = "new_customers"
	FigureReturning       Figure = "returning_customers"
	FigureRevenue         Figure = "revenue"
	FigureReturningShare  Figure = "revenue_from_returning_share"
	FigureLapsed          Figure = "lapsed_customers"
	FigureVisits          Figure = "visits"
	FigureAverageGap      Figure = "average_gap_days"
	FigureMedianGap       Figure = "median_gap_days"
	FigureLost            Figure = "lost_customers"
	FigureComplaints      Figure = "complaints"
	FigureOpenComplaints  Figure = "open_complaints"
	FigureResolveDays     Figure = "median_days_to_resolve"
	FigureSatisfaction    Figure = "average_satisfaction"
	FigureCardsSent       Figure = "cards_sent"
	FigureRewardsRedeemed Figure = "rewards_redeemed"

	// FigureNotRetained is not shown as a figure: it is the customers the
	// retention rate misses (bought in the span before, not yet in this one).
	FigureNotRetained Figure = "not_retained"
)

// Unit says how a figure's value reads.
type Unit int

// The units of the figures.
const (
	UnitCount Unit = iota // a number of customers or events
	UnitShare             // a fraction shown as a percentage
	UnitMoney             // minor units of the shop's currency
	UnitDays              // days, with one decimal
	UnitScore             // a feedback score from 1 to 5
)

// FigureInfo describes a figure for the report and the tab.
type FigureInfo struct {
	Figure Figure
	Label  string
	Unit   Unit
	// Better is +1 when a rise is good news, -1 when a fall is, 0 when
	// neither (how busy the shop was).
	Better int
}

// FigureList is the report's figures in the order they are shown.
var FigureList = []FigureInfo{
	{FigureRetention, "Retention rate", UnitShare, +1},
	{FigureRepeat, "Repeat-purchase rate", UnitShare, +1},
	{FigureNewCustomers, "New customers", UnitCount, +1},
	{FigureReturning, "Returning customers", UnitCount, +1},
	{FigureRevenue, "Revenue", UnitMoney, +1},
	{FigureReturningShare, "Revenue from returning", UnitShare, 0},
	{FigureLapsed, "Lapsed customers", UnitCount, -1},
	{FigureVisits, "Visits", UnitCount, +1},
	{FigureAverageGap, "Average gap between visits", UnitDays, 0},
	{FigureMedianGap, "Median gap between visits", UnitDays, 0},
	{FigureLost, "Lost customers", UnitCount, -1},
	{FigureComplaints, "Complaints", UnitCount, -1},
	{FigureOpenComplaints, "Open complaints", UnitCount, -1},
	{FigureResolveDays, "Median days to resolve", UnitDays, -1},
	{FigureSatisfaction, "Average satisfaction", UnitScore, +1},
	{FigureCardsSent, "Cards sent", UnitCount, +1},
	{FigureRewardsRedeemed, "Rewards redeemed", UnitCount, +1},
}

// InfoOf describes a figure; false for a name that is not one.
func InfoOf(f Figure) (FigureInfo, bool) {
	for _, fi := range FigureList {
		if fi.Figure == f {
			return fi, true
		}
	}
	return FigureInfo{}, false
}

// Value is a figure as a number (money in minor units, shares as
// fractions); false when it cannot be worked out (a share of nothing, an
// average of no values, lapsed customers of a past span).
func (f Figures) Value(fig Figure) (float64, bool) {
	switch fig {
	case FigureRetention:
		return f.RetentionRate()
	case FigureRepeat:
		return f.RepeatPurchaseRate()
	case FigureNewCustomers:
		return float64(f.NewCustomers), true
	case FigureReturning:
		return float64(f.ReturningCustomers), true
	case FigureRevenue:
		return float64(f.Revenue), true
	case FigureReturningShare:
		return f.ReturningRevenueShare()
	case FigureLapsed:
		if f.Lapsed == nil {
			return 0, false
		}
		return float64(f.Lapsed.Count()), true
	case FigureVisits:
		return float64(f.Visits), true
	case FigureAverageGap:
		return f.AverageGapDays()
	case FigureMedianGap:
		return f.MedianGapDays()
	case FigureLost:
		return float64(f.LostCustomers), true
	case FigureComplaints:
		return float64(f.Complaints), true
	case FigureOpenComplaints:
		return float64(f.OpenComplaints), true
	case FigureResolveDays:
		return f.MedianDaysToResolve()
	case FigureSatisfaction:
		return f.AverageSatisfaction()
	case FigureCardsSent:
		return float64(f.CardsSent), true
	case FigureRewardsRedeemed:
		return float64(f.Redeemed), true
	}
	return 0, false
}

// Display writes a figure as the owner reads it: "62% (31 of 50)",
// "$1,234.50", "12.5 days", "4.3 of 5", "—" when there is nothing to show.
func (f Figures) Display(fig Figure, cur Currency) string {
	v, ok := f.Value(fig)
	if !ok {
		return "—"
	}
	info, _ := InfoOf(fig)
	switch fig {
	case FigureRetention:
		return fmt.Sprintf("%s (%s of %s)", percent(v), GroupDigits(f.Retention.Part), GroupDigits(f.Retention.Whole))
	case FigureRepeat:
		return fmt.Sprintf("%s (%s of %s)", percent(v), GroupDigits(f.RepeatPurchase.Part), GroupDigits(f.RepeatPurchase.Whole))
	case FigureSatisfaction:
		return fmt.Sprintf("%.1f of 5 (%s)", v, GroupDigits(f.Feedback))
	}
	switch info.Unit {
	case UnitShare:
		return percent(v)
	case UnitMoney:
		return Money(int64(v)).Display(cur)
	case UnitDays:
		return fmt.Sprintf("%.1f days", v)
	case UnitScore:
		return fmt.Sprintf("%.1f", v)
	}
	return GroupDigits(int(v))
}

// DisplayShort is Display without what only explains the figure (a
// share's "of", the number of scores), for a narrow column: "62%".
func (f Figures) DisplayShort(fig Figure, cur Currency) string {
	v, ok := f.Value(fig)
	switch {
	case !ok:
		return "—"
	case fig == FigureRetention || fig == FigureRepeat:
		return percent(v)
	case fig == FigureSatisfaction:
		return fmt.Sprintf("%.1f of 5", v)
	}
	return f.Display(fig, cur)
}

// GroupDigits writes a count with its thousands set apart: 12,345.
func GroupDigits(n int) string {
	s := strconv.Itoa(n)
	start := 0
	if n < 0 {
		start = 1
	}
	var b strings.Builder
	for i := range len(s) {
		if i > start && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func percent(v float64) string { return strconv.FormatFloat(math.Round(v*100), 'f', 0, 64) + "%" }

// Change compares a figure with the previous span's: dir is +1 when it
// went up, -1 when down, 0 when it held or either side is unknown; text
// says by how much ("+4 pts", "-3", "+$30.00", "+1.5 days"), empty when
// unknown.
func Change(fig Figure, now, before Figures, cur Currency) (dir int, text string) {
	a, okA := now.Value(fig)
	b, okB := before.Value(fig)
	if !okA || !okB {
		return 0, ""
	}
	info, _ := InfoOf(fig)
	d := a - b
	var mag float64
	switch info.Unit {
	case UnitShare:
		mag = math.Round(d * 100) // percentage points
		text = signed(strconv.FormatFloat(math.Abs(mag), 'f', 0, 64)+" pts", mag)
	case UnitMoney:
		mag = d
		text = signed(Money(int64(math.Abs(d))).Display(cur), d)
	case UnitDays:
		mag = math.Round(d*10) / 10
		text = signed(strconv.FormatFloat(math.Abs(mag), 'f', 1, 64)+" days", mag)
	case UnitScore:
		mag = math.Round(d*10) / 10
		text = signed(strconv.FormatFloat(math.Abs(mag), 'f', 1, 64), mag)
	default:
		mag = d
		text = signed(GroupDigits(int(math.Abs(d))), d)
	}
	switch {
	case mag > 0:
		return 1, text
	case mag < 0:
		return -1, text
	}
	return 0, "no change"
}

func signed(s string, v float64) string {
	switch {
	case v > 0:
		return "+" + s
	case v < 0:
		return "-" + s
	}
	return s
}

// CustomersBehind is the customers a figure counts, by id, for `enter` on
// it: the previous span's buyers who came back (retention) or did not
// (FigureNotRetained), repeat, new and returning buyers, every buyer
// (revenue), the returning buyers (revenue share), lapsed customers,
// visitors, customers with a gap counted, lost customers, complainants,
// customers with a complaint still open or resolved, feedback givers, card
// recipients and customers who redeemed a reward. part narrows lost
// customers to a reason and complaints to a category (as in LostByReason and
// ComplaintsByCategory); "" means all.
func (f Figures) CustomersBehind(fig Figure, part string) []ID {
	switch {
	case fig == FigureLapsed:
		if f.Lapsed == nil {
			return nil
		}
		return f.Lapsed.All()
	case fig == FigureLost && part != "":
		return f.lostBy[part]
	case fig == FigureComplaints && part != "":
		return f.complainBy[part]
	case fig == FigureMedianGap:
		fig = FigureAverageGap
	case fig == FigureReturningShare:
		fig = FigureReturning
	}
	return f.behind[fig]
}

// ReportBuilder works out a report from customers and interactions fed to
// it in any order, in batches, so a store can stream a large log through it.
// Interactions before From serve only to date each customer's last visit
// before the window; those after now are ignored; so are interactions of
// customers not in the list.
type ReportBuilder struct {
	loc       *time.Location
	now       time.Time
	through   time.Time // Current.Through: the last instant counted
	spans     [3]Span   // this span, the one before, the one before that
	startDay  [3]int
	endDay    [3]int
	fromDay   int
	from      time.Time
	weekFirst int // the first day of the first sparkline week
	monthNum0 int // year*12+month-1 of the first sparkline month

	ids       []ID    // the customers, by their index
	dense     []int32 // customer id -> index+1, when ids are dense
	sparse    map[ID]int32
	indexed   bool // dense or sparse is made (at the first interaction)
	lostFacts []lostFact
	lapsed    lapsedCounter
	state     []insightState
	visits    []uint64 // index<<32 | visit day, in the window

	revenue   [2]Money
	returning [2]Money
	feedback  [2]int
	scores    [2]int
	cards     [2]int
	rewards   [2]int
	cats      [2]map[string]int
	catWho    [2]map[string][]ID
	complain  [2]int
	open      [2]int
	resolve   [2][]int
	visitN    [2]int
	gaps      [2][]int
	months    [SparkMonths]MonthFigures
	weeks     [SparkWeeks]WeekFigures
	reminders ReminderSettings
	report    *Report // once worked out
}

// insightState is what the builder keeps per customer.
type insightState struct {
	firstBuy int32 // day of Stats.FirstPurchase, or noDay
	prior    int32 // last visit day before the window, or noDay
	buyDay   [3]int32
	flags    [3]uint16
}

// Per-span facts about one customer, as bits of insightState.flags.
const (
	fBought uint16 = 1 << iota
	fMultiDay
	fComplained
	fOpen
	fResolved
	fFeedback
	fCard
	fReward
	fVisited
	fGap
)

const noDay = math.MinInt32

// NewReportBuilder prepares the report for the span of length p that holds
// at, evaluated at now, over customers (kept, not copied: do not change
// them until Report returns). The shop's settings give the time zone and the
// lapsed definitions.
func NewReportBuilder(p Period, at, now time.Time, customers []Customer, st Settings) *ReportBuilder {
	return NewReportBuilderOver(p, at, now, Pointers(customers), st)
}

// Pointers points at each of customers, in order.
func Pointers(customers []Customer) []*Customer {
	out := make([]*Customer, len(customers))
	for i := range customers {
		out[i] = &customers[i]
	}
	return out
}

// NewReportBuilderOver is NewReportBuilder over customers held elsewhere
// (the TUI's, which are never changed once made).
func NewReportBuilderOver(p Period, at, now time.Time, customers []*Customer, st Settings) *ReportBuilder {
	b := NewReportBuilderFor(p, at, now, st, len(customers))
	for _, c := range customers {
		b.addCustomer(c)
	}
	return b
}

// NewReportBuilderFor prepares the report for the span of length p that
// holds at, evaluated at now, for customers given afterwards a chunk at a
// time (AddCustomers; about n of them), before any interaction. It keeps
// of each customer only what the figures read, so a large book need never
// be held whole.
func NewReportBuilderFor(p Period, at, now time.Time, st Settings, n int) *ReportBuilder {
	loc := st.Location()
	b := &ReportBuilder{loc: loc, now: now, reminders: st.ReminderRules()}
	b.spans[0] = SpanOf(p, at, loc)
	b.spans[1] = b.spans[0].Previous()
	b.spans[2] = b.spans[1].Previous()
	for k, s := range b.spans {
		b.startDay[k], b.endDay[k] = shopDay(s.Start, loc), shopDay(s.End, loc)
	}
	b.through = b.spans[0].End.Add(-time.Nanosecond)
	if now.Before(b.through) {
		b.through = now
	}
	last := shopDay(b.through, loc)
	b.weekFirst = last - floorMod(last+3, 7) - 7*(SparkWeeks-1) // weeks begin on Monday; day 0 was a Thursday
	y, m, _ := civilFromDays(last)
	first := AddMonths(y*100+int(m), -(SparkMonths - 1))
	b.monthNum0 = first/100*12 + first%100 - 1
	for i := range b.months {
		mm := AddMonths(first, i)
		b.months[i] = MonthFigures{Month: mm, Start: StartOfDay(mm/100, time.Month(mm%100), 1, loc)}
	}
	for i := range b.weeks {
		wy, wm, wd := civilFromDays(b.weekFirst + 7*i)
		b.weeks[i].Start = StartOfDay(wy, wm, wd, loc)
	}
	b.fromDay = min(b.startDay[2], b.weekFirst, civilDays(first/100, time.Month(first%100), 1))
	fy, fm, fd := civilFromDays(b.fromDay)
	b.from = StartOfDay(fy, fm, fd, loc)
	b.ids = make([]ID, 0, n)
	b.state = make([]insightState, 0, n)
	b.lapsed = newLapsedCounter(b.reminders, loc, now)
	for k := range 2 {
		b.cats[k] = map[string]int{}
		b.catWho[k] = map[string][]ID{}
	}
	return b
}

// AddCustomers gives the builder some of its customers; all of them come
// before the first interaction. The builder keeps nothing of cs.
func (b *ReportBuilder) AddCustomers(cs []Customer) {
	for i := range cs {
		b.addCustomer(&cs[i])
	}
}

func (b *ReportBuilder) addCustomer(c *Customer) {
	s := insightState{firstBuy: noDay, prior: noDay}
	if fp := c.Stats.FirstPurchase; !fp.IsZero() {
		s.firstBuy = int32(shopDay(fp, b.loc))
	}
	b.ids = append(b.ids, c.ID)
	b.state = append(b.state, s)
	if c.Status == StatusLost && !c.LostAt.IsZero() {
		b.lostFacts = append(b.lostFacts, lostFact{id: c.ID, at: c.LostAt, reason: c.LostReason})
	}
	b.lapsed.add(c)
}

// IDs are the customers given, in the order given.
func (b *ReportBuilder) IDs() []ID { return b.ids }

// makeIndex finds customers by id, once every one is in.
func (b *ReportBuilder) makeIndex() {
	b.indexed = true
	maxID := ID(0)
	for _, id := range b.ids {
		maxID = max(maxID, id)
	}
	if uint64(maxID) <= uint64(2*len(b.ids)+1024) {
		b.dense = make([]int32, maxID+1)
	} else {
		b.sparse = make(map[ID]int32, len(b.ids))
	}
	for i, id := range b.ids {
		if b.dense != nil {
			b.dense[id] = int32(i) + 1
		} else {
			b.sparse[id] = int32(i) + 1
		}
	}
}

// lostFact is what the lost figures read of a customer marked lost.
type lostFact struct {
	id     ID
	at     time.Time
	reason string
}

// From is the first instant whose interactions the report reads; before it,
// only each customer's last visit (visit, purchase or return) is needed.
func (b *ReportBuilder) From() time.Time { return b.from }

// Through is the last instant the report counts: now, or the end of a span
// already over.
func (b *ReportBuilder) Through() time.Time { return b.through }

// Span is the span the report is for.
func (b *ReportBuilder) Span() Span { return b.spans[0] }

func (b *ReportBuilder) index(id ID) int {
	if !b.indexed {
		b.makeIndex()
	}
	if b.dense != nil {
		if int(id) < len(b.dense) {
			return int(b.dense[id]) - 1
		}
		return -1
	}
	return int(b.sparse[id]) - 1
}

// spanOf is which of the three spans a shop day falls in, or -1.
func (b *ReportBuilder) spanOf(day int) int {
	for k := range 3 {
		if day >= b.startDay[k] && day < b.endDay[k] {
			return k
		}
	}
	return -1
}

// Add feeds interactions to the report, in any order.
func (b *ReportBuilder) Add(list []Interaction) {
	for i := range list {
		b.add(&list[i])
	}
}

func (b *ReportBuilder) add(in *Interaction) {
	if in.At.After(b.through) {
		return
	}
	ci := b.index(in.Customer)
	if ci < 0 {
		return
	}
	st := &b.state[ci]
	day := shopDay(in.At, b.loc)
	if day < b.fromDay {
		if in.Kind.IsVisit() && int32(day) > st.prior {
			st.prior = int32(day)
		}
		return
	}
	if in.Kind.IsVisit() {
		b.visits = append(b.visits, uint64(ci)<<32|uint64(uint32(day)))
	}
	k := b.spanOf(day)
	switch in.Kind {
	case KindPurchase, KindReturn:
		amount := in.Amount
		if in.Kind == KindReturn {
			amount = -amount
		}
		if mi := b.monthIndex(day); mi >= 0 {
			b.months[mi].Revenue += amount
		}
		if k < 0 {
			return
		}
		if in.Kind == KindPurchase {
			switch {
			case st.flags[k]&fBought == 0:
				st.flags[k] |= fBought
				st.buyDay[k] = int32(day)
			case st.buyDay[k] != int32(day):
				st.flags[k] |= fMultiDay
			}
		}
		if k < 2 {
			b.revenue[k] += amount
			if st.firstBuy != noDay && st.firstBuy < int32(b.startDay[k]) {
				b.returning[k] += amount
			}
		}
	case KindFeedback:
		if mi := b.monthIndex(day); mi >= 0 {
			b.months[mi].Feedback++
			b.months[mi].ScoreTotal += in.Score
		}
		if k == 0 || k == 1 {
			b.feedback[k]++
			b.scores[k] += in.Score
			st.flags[k] |= fFeedback
		}
	case KindComplaint:
		if k == 0 || k == 1 {
			b.complaint(in, ci, k)
		}
	case KindCardSent:
		if k == 0 || k == 1 {
			b.cards[k]++
			st.flags[k] |= fCard
		}
	case KindRedeemed:
		if k == 0 || k == 1 {
			b.rewards[k]++
			st.flags[k] |= fReward
		}
	}
}

func (b *ReportBuilder) complaint(in *Interaction, ci, k int) {
	st := &b.state[ci]
	end := b.spanThrough(k)
	b.complain[k]++
	st.flags[k] |= fComplained
	cat := categoryKey(in.Category)
	b.cats[k][cat]++
	b.catWho[k][cat] = append(b.catWho[k][cat], b.ids[ci])
	switch {
	case !in.Resolved || (!in.ResolvedAt.IsZero() && in.ResolvedAt.After(end)):
		b.open[k]++
		st.flags[k] |= fOpen
	case !in.ResolvedAt.IsZero():
		b.resolve[k] = append(b.resolve[k], max(0, DaysBetween(in.At, in.ResolvedAt, b.loc)))
		st.flags[k] |= fResolved
	}
}

// spanThrough is the last instant span k counts.
func (b *ReportBuilder) spanThrough(k int) time.Time {
	if k == 0 {
		return b.through
	}
	return b.spans[k].End.Add(-time.Nanosecond)
}

func (b *ReportBuilder) monthIndex(day int) int {
	y, m, _ := civilFromDays(day)
	i := y*12 + int(m) - 1 - b.monthNum0
	if i < 0 || i >= SparkMonths {
		return -1
	}
	return i
}

// categoryKey groups complaint categories written differently: "Late
// delivery" and "late  delivery" are one.
func categoryKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// Report works out the figures from what was added; interactions added
// after it are not counted.
func (b *ReportBuilder) Report() Report {
	if b.report != nil {
		return *b.report
	}
	r := Report{Now: b.now}
	defer func() { b.report = &r }()
	b.visitFigures()
	for k := range 2 {
		f := b.figures(k)
		if k == 0 {
			l := b.lapsed.done()
			f.Lapsed = &l
			r.Current = f
		} else {
			r.Previous = f
		}
	}
	r.Weeks = append([]WeekFigures(nil), b.weeks[:]...)
	r.Months = append([]MonthFigures(nil), b.months[:]...)
	return r
}

// visitFigures sorts the visit days, counts them per span and week, and
// measures each gap from the customer's previous visit day.
func (b *ReportBuilder) visitFigures() {
	slices.Sort(b.visits)
	b.visits = slices.Compact(b.visits)
	prevCI := -1
	prev := int32(noDay)
	for _, v := range b.visits {
		ci, day := int(v>>32), int32(uint32(v))
		if ci != prevCI {
			prevCI, prev = ci, b.state[ci].prior
		}
		if w := (int(day) - b.weekFirst) / 7; int(day) >= b.weekFirst && w < SparkWeeks {
			b.weeks[w].Visits++
		}
		if k := b.spanOf(int(day)); k == 0 || k == 1 {
			st := &b.state[ci]
			st.flags[k] |= fVisited
			b.visitN[k]++
			if prev != noDay {
				st.flags[k] |= fGap
				b.gaps[k] = append(b.gaps[k], int(day-prev))
			}
		}
		prev = day
	}
}

// figures assembles span k's figures.
func (b *ReportBuilder) figures(k int) Figures {
	f := Figures{Span: b.spans[k], Through: b.spanThrough(k)}
	f.behind = map[Figure][]ID{}
	add := func(fig Figure, id ID) { f.behind[fig] = append(f.behind[fig], id) }
	start := int32(b.startDay[k])
	for i, id := range b.ids {
		st := &b.state[i]
		fl := st.flags[k]
		if st.flags[k+1]&fBought != 0 {
			f.Retention.Whole++
			if fl&fBought != 0 {
				f.Retention.Part++
				add(FigureRetention, id)
			} else {
				add(FigureNotRetained, id)
			}
		}
		if fl&fBought != 0 {
			f.Buyers++
			add(FigureRevenue, id)
			returning := st.firstBuy != noDay && st.firstBuy < start
			if returning {
				f.ReturningCustomers++
				add(FigureReturning, id)
			} else {
				f.NewCustomers++
				add(FigureNewCustomers, id)
			}
			if returning || fl&fMultiDay != 0 {
				f.RepeatPurchase.Part++
				add(FigureRepeat, id)
			}
		}
		for _, x := range []struct {
			bit uint16
			fig Figure
		}{{fVisited, FigureVisits}, {fGap, FigureAverageGap}, {fComplained, FigureComplaints}, {fOpen, FigureOpenComplaints},
			{fResolved, FigureResolveDays}, {fFeedback, FigureSatisfaction}, {fCard, FigureCardsSent}, {fReward, FigureRewardsRedeemed}} {
			if fl&x.bit != 0 {
				add(x.fig, id)
			}
		}
	}
	f.RepeatPurchase.Whole = f.Buyers
	f.Revenue, f.ReturningRevenue = b.revenue[k], b.returning[k]
	f.Visits = b.visitN[k]
	f.Gaps = len(b.gaps[k])
	for _, g := range b.gaps[k] {
		f.GapDaysTotal += g
	}
	f.MedianGap = median(b.gaps[k])
	f.Complaints, f.OpenComplaints = b.complain[k], b.open[k]
	f.ResolvedComplaints, f.MedianResolve = len(b.resolve[k]), median(b.resolve[k])
	f.complainBy = map[string][]ID{}
	for cat, n := range b.cats[k] {
		f.ComplaintsByCategory = append(f.ComplaintsByCategory, Count{Name: cat, N: n})
		ids := slices.Clone(b.catWho[k][cat])
		slices.Sort(ids)
		f.complainBy[cat] = slices.Compact(ids)
	}
	slices.SortFunc(f.ComplaintsByCategory, func(a, b Count) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(a.Name, b.Name)
	})
	f.Feedback, f.ScoreTotal = b.feedback[k], b.scores[k]
	f.CardsSent, f.Redeemed = b.cards[k], b.rewards[k]
	b.lost(&f)
	for _, ids := range f.behind {
		slices.Sort(ids)
	}
	for _, ids := range f.lostBy {
		slices.Sort(ids)
	}
	return f
}

// lost counts the customers marked lost in f's span, by reason.
func (b *ReportBuilder) lost(f *Figures) {
	counts := map[string]int{}
	f.lostBy = map[string][]ID{}
	for _, c := range b.lostFacts {
		if c.at.Before(f.Span.Start) || c.at.After(f.Through) {
			continue
		}
		reason := c.reason
		if !IsDefectionReason(reason) {
			reason = NoReason
		}
		counts[reason]++
		f.lostBy[reason] = append(f.lostBy[reason], c.id)
		f.behind[FigureLost] = append(f.behind[FigureLost], c.id)
		f.LostCustomers++
	}
	for _, r := range DefectionReasons {
		f.LostByReason = append(f.LostByReason, Count{Name: r, N: counts[r]})
	}
	if n := counts[NoReason]; n > 0 {
		f.LostByReason = append(f.LostByReason, Count{Name: NoReason, N: n})
	}
}

// median of whole numbers, halfway between the middle two of an even count.
func median(v []int) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return float64(s[n/2-1]+s[n/2]) / 2
}

// lapsedCounter finds, a customer at a time, the active customers a
// win-back or thinking-of-you reminder is due for at now: the rules' own
// definitions, whatever the owner switched on or off.
type lapsedCounter struct {
	e   *eval
	now time.Time
	l   Lapsed
	dst []Reminder
}

func newLapsedCounter(rs ReminderSettings, loc *time.Location, now time.Time) lapsedCounter {
	rs.WinBack.On, rs.ThinkingOfYou.On = true, true
	return lapsedCounter{e: Rules{Settings: rs, Loc: loc}.newEval(now, now), now: now, l: Lapsed{At: now}}
}

func (lc *lapsedCounter) add(c *Customer) {
	st := &c.Stats
	if !c.Active() || st.Interactions == 0 || st.LastContact.IsZero() || st.LastContact.After(lc.now) {
		return
	}
	var occ [32]byte
	lc.dst = lc.e.keepInTouch(lc.dst[:0], c, occ[:0])
	for _, rem := range lc.dst {
		switch rem.Kind {
		case ReminderWinBack:
			lc.l.WinBack = append(lc.l.WinBack, c.ID)
		case ReminderThinkingOfYou:
			lc.l.ThinkingOfYou = append(lc.l.ThinkingOfYou, c.ID)
		}
	}
}

// done is the customers counted, each list sorted by id.
func (lc *lapsedCounter) done() Lapsed {
	l := lc.l
	l.WinBack, l.ThinkingOfYou = slices.Clone(l.WinBack), slices.Clone(l.ThinkingOfYou)
	slices.Sort(l.WinBack)
	slices.Sort(l.ThinkingOfYou)
	return l
}

// ComputeReport is the report for the span of length p holding at, as of
// now, from every interaction given (any order; all of them is always
// enough). The store streams the same through a ReportBuilder.
func ComputeReport(p Period, at, now time.Time, customers []Customer, interactions []Interaction, st Settings) Report {
	b := NewReportBuilder(p, at, now, customers, st)
	b.Add(interactions)
	return b.Report()
}
