package model

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// The shop of these tests is in New York, where November 1, 2026 is also
// the night the clocks fall back: month and daylight-saving edges meet.
var insNY = mustZone("America/New_York")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func insSettings() Settings {
	st := DefaultSettings()
	st.TimeZone = "America/New_York"
	return st
}

// insAt is a wall-clock time in the shop's zone.
func insAt(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, insNY)
}

// insDay is noon on a day in the shop's zone.
func insDay(y int, m time.Month, d int) time.Time { return insAt(y, m, d, 12, 0) }

func insBuy(at time.Time, cents Money) Interaction {
	return Interaction{Kind: KindPurchase, At: at, Amount: cents}
}
func insReturn(at time.Time, cents Money) Interaction {
	return Interaction{Kind: KindReturn, At: at, Amount: cents}
}
func insVisit(at time.Time) Interaction { return Interaction{Kind: KindVisit, At: at} }
func insComplaint(at time.Time, cat string, resolvedAt time.Time) Interaction {
	return Interaction{Kind: KindComplaint, At: at, Category: cat, Resolved: !resolvedAt.IsZero(), ResolvedAt: resolvedAt}
}
func insFeedback(at time.Time, score int) Interaction {
	return Interaction{Kind: KindFeedback, At: at, Score: score}
}
func insOf(k Kind, at time.Time) Interaction { return Interaction{Kind: k, At: at} }

// insBook builds customers whose aggregates come from their interactions,
// as the store keeps them, and returns every interaction too.
type insBook struct {
	customers []Customer
	log       []Interaction
	nextID    ID
}

func (b *insBook) add(id ID, list ...Interaction) *Customer {
	for i := range list {
		b.nextID++
		list[i].ID = b.nextID
		list[i].Customer = id
	}
	b.log = append(b.log, list...)
	b.customers = append(b.customers, Customer{ID: id, Name: "Customer", Status: StatusActive, Stats: ComputeStats(list, insNY)})
	return &b.customers[len(b.customers)-1]
}

// fixture is a small shop worked out by hand. The report is for November
// 2026 to date (now: Wednesday November 25, 15:00), beside October; it
// reads September for October's retention.
//
//	#1 Ana  buys Sep 10 $10, Oct 5 $20, Nov 3 $30; visits Nov 17; complains
//	        Oct 6 "Late delivery" (resolved Oct 9: 3 days); card Oct 6;
//	        feedback 5 on Nov 3
//	#2 Ben  buys Oct 12 $50 and Oct 20 $15 (new in October, two days);
//	        complains Nov 4 "late  delivery " (still open); card Nov 1;
//	        feedback 4 on Oct 21
//	#3 Cai  buys Nov 10 $40 and $5 the same day (new, one day); returns $5
//	        Nov 12; complains Nov 11 "Damaged item", resolved the same day;
//	        card Nov 11; feedback 3 on Nov 12
//	#4 Dee  buys Sep 20 $25 and Nov 20 $35; complains Oct 30 "Rude staff",
//	        resolved Nov 2 (open when October ended); redeems a reward Nov 20
//	#5 Fay  bought Aug 1 $9; marked lost for price on Nov 2
//	#6 Gus  marked lost for service on Oct 15
//	#7 Hal  bought Aug 1 $8 and nothing since: no contact for more than 60
//	        days, so thinking-of-you
//	#8 Ida  bought Jul 1, Jul 15, Aug 1 and Aug 20, $12 each: a regular (3+
//	        purchases in 6 months) not seen for 6 weeks, so win-back
//	#9 Jon  archived, bought Aug 2 $7: lapsed too, but archived customers are not counted
func fixture() (insBook, time.Time) {
	var b insBook
	b.add(1,
		insBuy(insDay(2026, 9, 10), 1000), insBuy(insDay(2026, 10, 5), 2000), insBuy(insDay(2026, 11, 3), 3000),
		insVisit(insDay(2026, 11, 17)), insComplaint(insDay(2026, 10, 6), "Late delivery", insDay(2026, 10, 9)),
		insOf(KindCardSent, insDay(2026, 10, 6)), insFeedback(insDay(2026, 11, 3), 5))
	b.add(2,
		insBuy(insDay(2026, 10, 12), 5000), insBuy(insDay(2026, 10, 20), 1500),
		insComplaint(insDay(2026, 11, 4), "late  delivery ", time.Time{}), insOf(KindCardSent, insDay(2026, 11, 1)),
		insFeedback(insDay(2026, 10, 21), 4))
	b.add(3,
		insBuy(insAt(2026, 11, 10, 10, 0), 4000), insBuy(insAt(2026, 11, 10, 16, 0), 500), insReturn(insDay(2026, 11, 12), 500),
		insComplaint(insAt(2026, 11, 11, 9, 0), "Damaged item", insAt(2026, 11, 11, 17, 0)),
		insOf(KindCardSent, insDay(2026, 11, 11)), insFeedback(insDay(2026, 11, 12), 3))
	b.add(4,
		insBuy(insDay(2026, 9, 20), 2500), insBuy(insDay(2026, 11, 20), 3500),
		insComplaint(insDay(2026, 10, 30), "Rude staff", insDay(2026, 11, 2)), insOf(KindRedeemed, insDay(2026, 11, 20)))
	fay := b.add(5, insBuy(insDay(2026, 8, 1), 900))
	fay.Status, fay.LostReason, fay.LostAt = StatusLost, "price", insDay(2026, 11, 2)
	gus := b.add(6)
	gus.Status, gus.LostReason, gus.LostAt = StatusLost, "service", insDay(2026, 10, 15)
	b.add(7, insBuy(insDay(2026, 8, 1), 800))
	b.add(8, insBuy(insDay(2026, 7, 1), 1200), insBuy(insDay(2026, 7, 15), 1200), insBuy(insDay(2026, 8, 1), 1200), insBuy(insDay(2026, 8, 20), 1200))
	b.add(9, insBuy(insDay(2026, 8, 2), 700)).Status = StatusArchived
	return b, insAt(2026, 11, 25, 15, 0)
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestInsightsFixtureNovember(t *testing.T) {
	b, now := fixture()
	r := ComputeReport(PeriodMonth, now, now, b.customers, b.log, insSettings())
	cur, prev := r.Current, r.Previous
	if cur.Span.Label() != "November 2026" || prev.Span.Label() != "October 2026" || !cur.Through.Equal(now) {
		t.Fatalf("spans: %s (through %v), %s", cur.Span.Label(), cur.Through, prev.Span.Label())
	}

	// Buyers in November: Ana, Cai, Dee. October's buyers were Ana and Ben;
	// Ana came back: 1 of 2. September's were Ana and Dee; Ana bought in
	// October, Dee did not: 1 of 2.
	if cur.Buyers != 3 || cur.Retention != (Ratio{1, 2}) || prev.Buyers != 2 || prev.Retention != (Ratio{1, 2}) {
		t.Errorf("buyers %d/%d, retention %v / %v", cur.Buyers, prev.Buyers, cur.Retention, prev.Retention)
	}
	if got := cur.CustomersBehind(FigureRetention, ""); !slices.Equal(got, []ID{1}) {
		t.Errorf("retained: %v", got)
	}
	if got := cur.CustomersBehind(FigureNotRetained, ""); !slices.Equal(got, []ID{2}) {
		t.Errorf("not retained: %v", got)
	}
	// New in November: Cai (first purchase Nov 10). Returning: Ana and Dee.
	// Repeat: Ana and Dee had bought before; Cai bought twice but on one
	// day: 2 of 3. In October Ben is new and bought on two days, Ana is
	// returning: 2 of 2.
	if cur.NewCustomers != 1 || cur.ReturningCustomers != 2 || cur.RepeatPurchase != (Ratio{2, 3}) {
		t.Errorf("November new %d, returning %d, repeat %v", cur.NewCustomers, cur.ReturningCustomers, cur.RepeatPurchase)
	}
	if prev.NewCustomers != 1 || prev.ReturningCustomers != 1 || prev.RepeatPurchase != (Ratio{2, 2}) {
		t.Errorf("October new %d, returning %d, repeat %v", prev.NewCustomers, prev.ReturningCustomers, prev.RepeatPurchase)
	}
	if got := cur.CustomersBehind(FigureNewCustomers, ""); !slices.Equal(got, []ID{3}) {
		t.Errorf("new: %v", got)
	}
	// Revenue: 30 + 40 + 5 - 5 + 35 = $105, of which Ana's 30 and Dee's 35
	// are from returning customers: 65/105. October: 20 + 50 + 15 = $85, 20 returning.
	if cur.Revenue != 10500 || cur.ReturningRevenue != 6500 || prev.Revenue != 8500 || prev.ReturningRevenue != 2000 {
		t.Errorf("revenue %v (%v returning), %v (%v)", cur.Revenue, cur.ReturningRevenue, prev.Revenue, prev.ReturningRevenue)
	}
	if v, ok := cur.ReturningRevenueShare(); !ok || !near(v, 65.0/105) {
		t.Errorf("returning share %v %v", v, ok)
	}
	// Visit days in November: Ana Nov 3 (29 days after Oct 5) and Nov 17
	// (14), Cai Nov 10 (first ever, no gap) and Nov 12 (2), Dee Nov 20 (61
	// after Sep 20): 5 visits, gaps 2, 14, 29, 61: mean 26.5, median 21.5.
	if cur.Visits != 5 || cur.Gaps != 4 || cur.GapDaysTotal != 106 || cur.MedianGap != 21.5 {
		t.Errorf("November visits %d, gaps %d total %d median %v", cur.Visits, cur.Gaps, cur.GapDaysTotal, cur.MedianGap)
	}
	if v, _ := cur.AverageGapDays(); v != 26.5 {
		t.Errorf("average gap %v", v)
	}
	// October: Ana Oct 5 (25 after Sep 10), Ben Oct 12 (first) and Oct 20 (8).
	if prev.Visits != 3 || prev.Gaps != 2 || prev.GapDaysTotal != 33 || prev.MedianGap != 16.5 {
		t.Errorf("October visits %d, gaps %d total %d median %v", prev.Visits, prev.Gaps, prev.GapDaysTotal, prev.MedianGap)
	}
	// Lost: Fay (price) in November, Gus (service) in October.
	wantLost := func(reason string) []Count {
		var out []Count
		for _, r := range DefectionReasons {
			n := 0
			if r == reason {
				n = 1
			}
			out = append(out, Count{r, n})
		}
		return out
	}
	if cur.LostCustomers != 1 || !reflect.DeepEqual(cur.LostByReason, wantLost("price")) || !slices.Equal(cur.CustomersBehind(FigureLost, "price"), []ID{5}) {
		t.Errorf("November lost %d %v", cur.LostCustomers, cur.LostByReason)
	}
	if prev.LostCustomers != 1 || !reflect.DeepEqual(prev.LostByReason, wantLost("service")) {
		t.Errorf("October lost %d %v", prev.LostCustomers, prev.LostByReason)
	}
	// Complaints in November: Ben's (open) and Cai's (resolved the same
	// day: 0 days). Dee's came in October, so it is October's: open when
	// October ended, though resolved since; Ana's took 3 days.
	if cur.Complaints != 2 || cur.OpenComplaints != 1 || cur.ResolvedComplaints != 1 || cur.MedianResolve != 0 ||
		!reflect.DeepEqual(cur.ComplaintsByCategory, []Count{{"damaged item", 1}, {"late delivery", 1}}) {
		t.Errorf("November complaints %d open %d resolved %d in %v: %v", cur.Complaints, cur.OpenComplaints, cur.ResolvedComplaints, cur.MedianResolve, cur.ComplaintsByCategory)
	}
	if prev.Complaints != 2 || prev.OpenComplaints != 1 || prev.ResolvedComplaints != 1 || prev.MedianResolve != 3 ||
		!reflect.DeepEqual(prev.ComplaintsByCategory, []Count{{"late delivery", 1}, {"rude staff", 1}}) {
		t.Errorf("October complaints %d open %d resolved %d in %v: %v", prev.Complaints, prev.OpenComplaints, prev.ResolvedComplaints, prev.MedianResolve, prev.ComplaintsByCategory)
	}
	if got := cur.CustomersBehind(FigureOpenComplaints, ""); !slices.Equal(got, []ID{2}) {
		t.Errorf("open complaints behind: %v", got)
	}
	if got := prev.CustomersBehind(FigureComplaints, "late delivery"); !slices.Equal(got, []ID{1}) {
		t.Errorf("late delivery in October: %v", got)
	}
	// Satisfaction: November 5 and 3 (mean 4), October 4. Cards: Ben's and
	// Cai's in November, Ana's in October. Dee redeemed a reward in November.
	if v, ok := cur.AverageSatisfaction(); !ok || v != 4 || cur.Feedback != 2 {
		t.Errorf("November satisfaction %v (%d)", v, cur.Feedback)
	}
	if v, ok := prev.AverageSatisfaction(); !ok || v != 4 || prev.Feedback != 1 {
		t.Errorf("October satisfaction %v", v)
	}
	if cur.CardsSent != 2 || prev.CardsSent != 1 || cur.Redeemed != 1 || prev.Redeemed != 0 {
		t.Errorf("cards %d/%d, rewards %d/%d", cur.CardsSent, prev.CardsSent, cur.Redeemed, prev.Redeemed)
	}
	// Lapsed now: Hal (no contact since Aug 1, more than 60 days) and Ida (a
	// regular last seen Aug 20, more than 6 weeks). Ana is a regular too but
	// was seen Nov 17; Jon is archived; Fay and Gus are lost.
	if cur.Lapsed == nil || !slices.Equal(cur.Lapsed.WinBack, []ID{8}) || !slices.Equal(cur.Lapsed.ThinkingOfYou, []ID{7}) {
		t.Errorf("lapsed: %+v", cur.Lapsed)
	}
	if prev.Lapsed != nil {
		t.Errorf("the previous span has no lapsed figure, got %+v", prev.Lapsed)
	}
	if got := cur.CustomersBehind(FigureLapsed, ""); !slices.Equal(got, []ID{7, 8}) {
		t.Errorf("lapsed behind: %v", got)
	}
}

// Lapsed follows the owner's numbers for the two rules, but not their on/off
// switches nor a customer's "no cards": it measures, it does not remind.
func TestLapsedUsesTheRulesDefinitions(t *testing.T) {
	b, now := fixture()
	st := insSettings()
	st.Reminders = DefaultReminderSettings()
	st.Reminders.ThinkingOfYou.On, st.Reminders.WinBack.On = false, false
	b.customers[6].NoContact = true // Hal
	l := ComputeReport(PeriodMonth, now, now, b.customers, b.log, st).Current.Lapsed
	if !slices.Equal(l.WinBack, []ID{8}) || !slices.Equal(l.ThinkingOfYou, []ID{7}) {
		t.Errorf("with the rules off and Hal taking no cards: %+v", l)
	}
	// Not seen for 20 weeks makes a regular lapsed: Ida, last seen Aug 20,
	// is not yet; but her usual gap is 17 days (Jul 1, 15, Aug 1, 20), and
	// 2 x 17 days without contact have passed, so she is thinking-of-you.
	st.Reminders.WinBack.Weeks = 20
	l = ComputeReport(PeriodMonth, now, now, b.customers, b.log, st).Current.Lapsed
	if len(l.WinBack) != 0 || !slices.Equal(l.ThinkingOfYou, []ID{7, 8}) {
		t.Errorf("with win-back after 20 weeks: %+v", l)
	}
}

func TestInsightsFixtureSparklines(t *testing.T) {
	b, now := fixture()
	r := ComputeReport(PeriodMonth, now, now, b.customers, b.log, insSettings())
	// Weeks start on Monday; Nov 25, 2026 is a Wednesday, so the last week
	// starts Nov 23 and the first Sep 7. Visit days: Sep 10 | Sep 20 | - |
	// - | Oct 5 | Oct 12 | Oct 20 | - | Nov 3 | Nov 10, 12 | Nov 17, 20 | -.
	want := []int{1, 1, 0, 0, 1, 1, 1, 0, 1, 2, 2, 0}
	var got []int
	for _, w := range r.Weeks {
		got = append(got, w.Visits)
	}
	if !slices.Equal(got, want) || !r.Weeks[0].Start.Equal(insAt(2026, 9, 7, 0, 0)) || !r.Weeks[11].Start.Equal(insAt(2026, 11, 23, 0, 0)) {
		t.Errorf("weeks %v from %v to %v", got, r.Weeks[0].Start, r.Weeks[11].Start)
	}
	// Months Dec 2025 .. Nov 2026: July Ida $24; August Ida $24, Fay $9,
	// Hal $8, Jon $7 (archived customers still bought); September $35;
	// October $85; November $105.
	rev := map[int]Money{202607: 2400, 202608: 4800, 202609: 3500, 202610: 8500, 202611: 10500}
	if r.Months[0].Month != 202512 || r.Months[11].Month != 202611 {
		t.Fatalf("months from %d to %d", r.Months[0].Month, r.Months[11].Month)
	}
	for _, m := range r.Months {
		if m.Revenue != rev[m.Month] {
			t.Errorf("%d revenue %v, want %v", m.Month, m.Revenue, rev[m.Month])
		}
	}
	if v, ok := r.Months[10].AverageSatisfaction(); !ok || v != 4 {
		t.Errorf("October's average %v %v", v, ok)
	}
	if _, ok := r.Months[9].AverageSatisfaction(); ok {
		t.Error("September had no feedback")
	}
}

func TestInsightsQuarterAndYear(t *testing.T) {
	b, now := fixture()
	// Q4 2026 to date against Q3: Q3 buyers Ana, Dee, Fay, Hal, Ida, Jon (6);
	// of them Ana and Dee bought in Q4: 2 of 6. Q4 buyers: Ana, Ben, Cai,
	// Dee; Ben and Cai are new.
	r := ComputeReport(PeriodQuarter, now, now, b.customers, b.log, insSettings())
	if r.Current.Span.Label() != "Q4 2026" || r.Previous.Span.Label() != "Q3 2026" {
		t.Fatalf("spans %s, %s", r.Current.Span.Label(), r.Previous.Span.Label())
	}
	if r.Current.Retention != (Ratio{2, 6}) || r.Current.Buyers != 4 || r.Current.NewCustomers != 2 {
		t.Errorf("Q4 retention %v, buyers %d, new %d", r.Current.Retention, r.Current.Buyers, r.Current.NewCustomers)
	}
	// Q3 had no buyers before it (Q2 is empty): the rate cannot be worked out.
	if _, ok := r.Previous.RetentionRate(); ok || r.Previous.Buyers != 6 || r.Previous.NewCustomers != 6 {
		t.Errorf("Q3 %+v", r.Previous.Retention)
	}
	// 2026: everyone but Gus, who never bought, is a buyer: 8.
	y := ComputeReport(PeriodYear, now, now, b.customers, b.log, insSettings())
	if y.Current.Span.Label() != "2026" || y.Current.Buyers != 8 || y.Current.Revenue != 10500+8500+3500+4800+2400 {
		t.Errorf("2026: %d buyers, %v", y.Current.Buyers, y.Current.Revenue)
	}
	// A month long past: October 2026 in full, seen from November 25.
	past := ComputeReport(PeriodMonth, insDay(2026, 10, 3), now, b.customers, b.log, insSettings())
	if past.Current.Span.Label() != "October 2026" || past.Current.Revenue != 8500 || !past.Current.Through.Equal(insAt(2026, 11, 1, 0, 0).Add(-time.Nanosecond)) {
		t.Errorf("October report: %s %v through %v", past.Current.Span.Label(), past.Current.Revenue, past.Current.Through)
	}
	// Its complaints end with October: Dee's was still open then.
	if past.Current.OpenComplaints != 1 {
		t.Errorf("October's open complaints seen from November: %d", past.Current.OpenComplaints)
	}
}

// A purchase at 23:59 on the last day of a month belongs to that month in
// the shop's zone (in UTC it is already the next day); midnight starts the
// next. In New York, November 1, 2026 is also the night the clocks fall
// back, so the month's first day is 25 hours long.
func TestInsightsMonthBoundaryInShopZone(t *testing.T) {
	var b insBook
	b.add(1, insBuy(insAt(2026, 10, 31, 23, 59), 100))                    // Nov 1 03:59 UTC
	b.add(2, insBuy(insAt(2026, 11, 1, 0, 0), 200))                       // the first instant of November
	b.add(3, insBuy(insAt(2026, 11, 30, 23, 59), 400))                    // Dec 1 04:59 UTC
	b.add(4, insBuy(time.Date(2026, 12, 1, 4, 59, 59, 0, time.UTC), 800)) // 23:59:59 Nov 30 in New York
	b.add(5, insBuy(insAt(2026, 12, 1, 0, 0), 1600))
	now := insDay(2026, 12, 20)
	r := ComputeReport(PeriodMonth, insDay(2026, 11, 15), now, b.customers, b.log, insSettings())
	if r.Current.Revenue != 200+400+800 || r.Previous.Revenue != 100 {
		t.Errorf("November %v, October %v", r.Current.Revenue, r.Previous.Revenue)
	}
	if !r.Current.Span.Start.Equal(time.Date(2026, 11, 1, 4, 0, 0, 0, time.UTC)) || !r.Current.Span.End.Equal(time.Date(2026, 12, 1, 5, 0, 0, 0, time.UTC)) {
		t.Errorf("November runs %v to %v", r.Current.Span.Start.UTC(), r.Current.Span.End.UTC())
	}
	// The same purchases in a UTC shop fall differently (the first two in
	// November, the next two in December): the zone decides.
	st := DefaultSettings()
	st.TimeZone = "UTC"
	u := ComputeReport(PeriodMonth, insDay(2026, 11, 15), now, b.customers, b.log, st)
	if u.Current.Revenue != 100+200 {
		t.Errorf("in UTC November is %v", u.Current.Revenue)
	}
}

// Weeks and gaps count shop days across a daylight-saving change: the week
// of Monday Oct 26, 2026 has 169 hours and still holds Sunday night.
func TestInsightsDaylightSavingWeek(t *testing.T) {
	var b insBook
	b.add(1,
		insVisit(insAt(2026, 10, 31, 23, 30)),
		insVisit(insAt(2026, 11, 1, 1, 30)),  // the first 1:30 (EDT), same day
		insVisit(insAt(2026, 11, 1, 23, 30)), // Sunday night, EST: still the week of Oct 26
		insVisit(insAt(2026, 11, 2, 0, 10)),  // Monday: the next week
	)
	b.add(2,
		insVisit(insAt(2026, 3, 7, 23, 0)), // the night before spring forward
		insVisit(insAt(2026, 3, 9, 0, 30)), // two shop days later, 48.5 hours less an hour
	)
	now := insAt(2026, 11, 4, 12, 0)
	r := ComputeReport(PeriodMonth, now, now, b.customers, b.log, insSettings())
	var byStart = map[string]int{}
	for _, w := range r.Weeks {
		byStart[w.Start.In(insNY).Format("2006-01-02 15:04")] = w.Visits
	}
	if byStart["2026-10-26 00:00"] != 2 || byStart["2026-11-02 00:00"] != 1 {
		t.Errorf("weeks: %v", byStart)
	}
	// November: Nov 1 (1 day after Oct 31) and Nov 2 (1 day after Nov 1).
	if r.Current.Visits != 2 || r.Current.Gaps != 2 || r.Current.GapDaysTotal != 2 {
		t.Errorf("November visits %d gaps %d total %d", r.Current.Visits, r.Current.Gaps, r.Current.GapDaysTotal)
	}
	m := ComputeReport(PeriodMonth, insDay(2026, 3, 20), now, b.customers, b.log, insSettings())
	if m.Current.Gaps != 1 || m.Current.GapDaysTotal != 2 {
		t.Errorf("March gaps %d total %d", m.Current.Gaps, m.Current.GapDaysTotal)
	}
}

func TestSpanOf(t *testing.T) {
	for _, c := range []struct {
		p          Period
		at         time.Time
		label      string
		start, end time.Time
	}{
		{PeriodMonth, insAt(2026, 2, 28, 23, 59), "February 2026", insAt(2026, 2, 1, 0, 0), insAt(2026, 3, 1, 0, 0)},
		{PeriodQuarter, insAt(2026, 11, 25, 9, 0), "Q4 2026", insAt(2026, 10, 1, 0, 0), insAt(2027, 1, 1, 0, 0)},
		{PeriodQuarter, insAt(2026, 3, 31, 23, 59), "Q1 2026", insAt(2026, 1, 1, 0, 0), insAt(2026, 4, 1, 0, 0)},
		{PeriodYear, insAt(2026, 12, 31, 23, 59), "2026", insAt(2026, 1, 1, 0, 0), insAt(2027, 1, 1, 0, 0)},
		// 04:30 UTC on Jan 1 is still New Year's Eve in New York.
		{PeriodYear, time.Date(2027, 1, 1, 4, 30, 0, 0, time.UTC), "2026", insAt(2026, 1, 1, 0, 0), insAt(2027, 1, 1, 0, 0)},
	} {
		s := SpanOf(c.p, c.at, insNY)
		if s.Label() != c.label || !s.Start.Equal(c.start) || !s.End.Equal(c.end) {
			t.Errorf("%s of %v: %s %v..%v", c.p, c.at, s.Label(), s.Start, s.End)
		}
		if !s.Contains(c.at) || s.Contains(s.End) || !s.Contains(s.Start) {
			t.Errorf("%s does not hold its own instants", s.Label())
		}
		if p := s.Next().Previous(); p != s {
			t.Errorf("%s: next then previous is %s", s.Label(), p.Label())
		}
	}
	if got := SpanOf(PeriodMonth, insAt(2026, 1, 10, 0, 0), insNY).Previous().Label(); got != "December 2025" {
		t.Errorf("before January: %s", got)
	}
	for in, want := range map[string]Period{"month": PeriodMonth, " Quarter": PeriodQuarter, "y": PeriodYear} {
		if p, err := ParsePeriod(in); err != nil || p != want {
			t.Errorf("ParsePeriod(%q) = %q, %v", in, p, err)
		}
	}
	if _, err := ParsePeriod("week"); err == nil || err.Error() != `period "week" is not a period: use month, quarter or year` {
		t.Errorf("ParsePeriod(week): %v", err)
	}
	if PeriodYear.Next() != PeriodMonth || PeriodMonth.Next() != PeriodQuarter {
		t.Error("Next does not cycle")
	}
}

func TestInsightsDisplayAndChange(t *testing.T) {
	b, now := fixture()
	r := ComputeReport(PeriodMonth, now, now, b.customers, b.log, insSettings())
	usd := DefaultSettings().Money()
	for _, c := range []struct {
		fig                Figure
		cur, prev, dirText string
		dir                int
	}{
		{FigureRetention, "50% (1 of 2)", "50% (1 of 2)", "no change", 0},
		{FigureRepeat, "67% (2 of 3)", "100% (2 of 2)", "-33 pts", -1},
		{FigureRevenue, "$105.00", "$85.00", "+$20.00", 1},
		{FigureAverageGap, "26.5 days", "16.5 days", "+10.0 days", 1},
		{FigureSatisfaction, "4.0 of 5 (2)", "4.0 of 5 (1)", "no change", 0},
		{FigureLapsed, "2", "—", "", 0},
		{FigureCardsSent, "2", "1", "+1", 1},
	} {
		if got := r.Current.Display(c.fig, usd); got != c.cur {
			t.Errorf("%s now: %q, want %q", c.fig, got, c.cur)
		}
		if got := r.Previous.Display(c.fig, usd); got != c.prev {
			t.Errorf("%s before: %q, want %q", c.fig, got, c.prev)
		}
		if dir, text := Change(c.fig, r.Current, r.Previous, usd); dir != c.dir || text != c.dirText {
			t.Errorf("%s change: %d %q, want %d %q", c.fig, dir, text, c.dir, c.dirText)
		}
	}
	for _, fi := range FigureList {
		if got, ok := InfoOf(fi.Figure); !ok || got != fi {
			t.Errorf("InfoOf(%s)", fi.Figure)
		}
	}
}

// insGen draws a small shop: customers with interactions over about two
// years before now, some lost, some archived.
func insGen(t *rapid.T) (insBook, time.Time) {
	var b insBook
	now := insAt(2026, 11, 25, 15, 0).Add(time.Duration(rapid.IntRange(-400, 400).Draw(t, "shift")) * time.Hour)
	n := rapid.IntRange(1, 12).Draw(t, "customers")
	spread := ID(1)
	if rapid.Bool().Draw(t, "sparse ids") { // ids far apart, as after many deletions
		spread = 1_000_003
	}
	kinds := []Kind{KindPurchase, KindPurchase, KindVisit, KindReturn, KindComplaint, KindFeedback, KindCardSent, KindRedeemed, KindCall}
	for id := 1; id <= n; id++ {
		var list []Interaction
		for range rapid.IntRange(0, 15).Draw(t, "n") {
			at := now.Add(-time.Duration(rapid.Int64Range(0, 2*365*24*60).Draw(t, "ago")) * time.Minute)
			in := Interaction{Kind: rapid.SampledFrom(kinds).Draw(t, "kind"), At: at}
			switch in.Kind {
			case KindPurchase, KindReturn:
				in.Amount = Money(rapid.Int64Range(1, 10000).Draw(t, "amount"))
			case KindFeedback:
				in.Score = rapid.IntRange(1, 5).Draw(t, "score")
			case KindComplaint:
				in.Category = rapid.SampledFrom([]string{"", "late delivery", "Late Delivery", "damaged"}).Draw(t, "category")
				if rapid.Bool().Draw(t, "resolved") {
					in.Resolved = true
					if rapid.IntRange(0, 4).Draw(t, "known") > 0 {
						in.ResolvedAt = at.Add(time.Duration(rapid.IntRange(0, 40*24).Draw(t, "took")) * time.Hour)
					}
				}
			}
			list = append(list, in)
		}
		c := b.add(ID(id)*spread, list...)
		switch rapid.IntRange(0, 5).Draw(t, "status") {
		case 0:
			c.Status, c.LostReason = StatusLost, rapid.SampledFrom(append([]string{""}, DefectionReasons...)).Draw(t, "reason")
			c.LostAt = now.Add(-time.Duration(rapid.IntRange(0, 200*24).Draw(t, "lostAgo")) * time.Hour)
		case 1:
			c.Status = StatusArchived
		}
	}
	return b, now
}

// The report does not depend on the order or batching of interactions, nor
// on whether the caller sends everything or only the window and each
// customer's last visit before it (what the store sends), nor on whether
// the customers come all at once or in chunks (what the TUI sends, and
// the builder keeps nothing of them).
func TestInsightsWindowAndOrderDoNotMatter(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b, now := insGen(t)
		p := rapid.SampledFrom(Periods).Draw(t, "period")
		at := now.Add(-time.Duration(rapid.IntRange(0, 500).Draw(t, "back")) * 24 * time.Hour)
		st := insSettings()
		want := ComputeReport(p, at, now, b.customers, b.log, st)

		builder := NewReportBuilder(p, at, now, b.customers, st)
		if rapid.Bool().Draw(t, "customers in chunks") {
			builder = NewReportBuilderFor(p, at, now, st, 0)
			cs := slices.Clone(b.customers)
			for len(cs) > 0 {
				k := min(len(cs), rapid.IntRange(1, 4).Draw(t, "chunk"))
				chunk := slices.Clone(cs[:k])
				builder.AddCustomers(chunk)
				for i := range chunk {
					chunk[i] = Customer{} // the builder kept nothing of them
				}
				cs = cs[k:]
			}
		}
		from := builder.From()
		lastVisit := map[ID]Interaction{}
		var window []Interaction
		for _, in := range b.log {
			if !in.At.Before(from) {
				window = append(window, in)
			} else if in.Kind.IsVisit() && in.At.After(lastVisit[in.Customer].At) {
				lastVisit[in.Customer] = in
			}
		}
		for _, in := range lastVisit {
			window = append(window, in)
		}
		rng := rand.New(rand.NewPCG(uint64(rapid.Int64().Draw(t, "seed")), 1))
		rng.Shuffle(len(window), func(i, j int) { window[i], window[j] = window[j], window[i] })
		for len(window) > 0 {
			k := min(len(window), 1+rng.IntN(5))
			builder.Add(window[:k])
			window = window[k:]
		}
		if got := builder.Report(); !reflect.DeepEqual(got, want) {
			t.Fatalf("streamed report differs:\n got %+v\nwant %+v", got.Current, want.Current)
		}
		if again := builder.Report(); !reflect.DeepEqual(again, want) {
			t.Fatal("asking for the report twice changed it")
		}
	})
}

// The figures agree with a plain recomputation from their definitions,
// written without the builder's day numbers and bit flags.
func TestInsightsMatchDefinitions(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b, now := insGen(t)
		p := rapid.SampledFrom(Periods).Draw(t, "period")
		r := ComputeReport(p, now, now, b.customers, b.log, insSettings())
		for k, f := range []Figures{r.Current, r.Previous} {
			span := f.Span
			before := span.Previous()
			through := f.Through
			in := func(s Span, at time.Time) bool { return s.Contains(at) && !at.After(through) }
			firstBuy := map[ID]time.Time{}
			for _, c := range b.customers {
				firstBuy[c.ID] = c.Stats.FirstPurchase
			}
			buyers, prevBuyers := map[ID]bool{}, map[ID]bool{}
			buyDays := map[ID]map[string]bool{}
			var revenue, returning Money
			complaints, open, feedback, scores, cards := 0, 0, 0, 0, 0
			for _, x := range b.log {
				if x.Kind == KindPurchase && before.Contains(x.At) {
					prevBuyers[x.Customer] = true
				}
				if !in(span, x.At) {
					continue
				}
				isReturning := !firstBuy[x.Customer].IsZero() && firstBuy[x.Customer].Before(span.Start)
				switch x.Kind {
				case KindPurchase:
					buyers[x.Customer] = true
					if buyDays[x.Customer] == nil {
						buyDays[x.Customer] = map[string]bool{}
					}
					buyDays[x.Customer][x.At.In(insNY).Format(DayFormat)] = true
					revenue += x.Amount
					if isReturning {
						returning += x.Amount
					}
				case KindReturn:
					revenue -= x.Amount
					if isReturning {
						returning -= x.Amount
					}
				case KindComplaint:
					complaints++
					if !x.Resolved || (!x.ResolvedAt.IsZero() && x.ResolvedAt.After(through)) {
						open++
					}
				case KindFeedback:
					feedback++
					scores += x.Score
				case KindCardSent:
					cards++
				}
			}
			retained, repeat, newC := 0, 0, 0
			for id := range prevBuyers {
				if buyers[id] {
					retained++
				}
			}
			for id := range buyers {
				r := !firstBuy[id].IsZero() && firstBuy[id].Before(span.Start)
				if !r {
					newC++
				}
				if r || len(buyDays[id]) >= 2 {
					repeat++
				}
			}
			if f.Buyers != len(buyers) || f.Retention != (Ratio{retained, len(prevBuyers)}) || f.RepeatPurchase != (Ratio{repeat, len(buyers)}) ||
				f.NewCustomers != newC || f.ReturningCustomers != len(buyers)-newC || f.Revenue != revenue || f.ReturningRevenue != returning ||
				f.Complaints != complaints || f.OpenComplaints != open || f.Feedback != feedback || f.ScoreTotal != scores || f.CardsSent != cards {
				t.Fatalf("span %d (%s): got %+v", k, span.Label(), f)
			}
			// Gaps: every customer's visit days, however long ago.
			days := map[ID][]time.Time{}
			for _, x := range b.log {
				if x.Kind.IsVisit() && !x.At.After(through) {
					days[x.Customer] = append(days[x.Customer], DayOf(x.At, insNY))
				}
			}
			var gaps []int
			visits := 0
			for _, list := range days {
				slices.SortFunc(list, func(a, b time.Time) int { return a.Compare(b) })
				list = slices.CompactFunc(list, func(a, b time.Time) bool { return a.Equal(b) })
				for i, d := range list {
					if !span.Contains(d) {
						continue
					}
					visits++
					if i > 0 {
						gaps = append(gaps, DaysBetween(list[i-1], d, insNY))
					}
				}
			}
			total := 0
			for _, g := range gaps {
				total += g
			}
			if f.Visits != visits || f.Gaps != len(gaps) || f.GapDaysTotal != total || f.MedianGap != median(gaps) {
				t.Fatalf("span %d: visits %d gaps %d (%d days, median %v), want %d %d (%d, %v)", k, f.Visits, f.Gaps, f.GapDaysTotal, f.MedianGap,
					visits, len(gaps), total, median(gaps))
			}
			sum := 0
			for _, c := range f.ComplaintsByCategory {
				sum += c.N
			}
			lost := 0
			for _, c := range f.LostByReason {
				lost += c.N
			}
			if sum != f.Complaints || lost != f.LostCustomers || len(f.CustomersBehind(FigureLost, "")) != lost ||
				f.OpenComplaints+f.ResolvedComplaints > f.Complaints {
				t.Fatalf("span %d: categories %d of %d complaints, reasons %d of %d lost", k, sum, f.Complaints, lost, f.LostCustomers)
			}
		}
		if p == PeriodMonth && r.Months[SparkMonths-1].Revenue != r.Current.Revenue {
			t.Fatalf("this month's bar %v, revenue %v", r.Months[SparkMonths-1].Revenue, r.Current.Revenue)
		}
	})
}

// The model half of the 300 ms target: 100,000 customers and 1,000,000
// interactions over three years, all in memory, through the builder as the
// store streams them (customer order, chunks of 4,096).
//
//	go test ./model -run='^$' -bench=Insights -benchtime=5x
func BenchmarkInsights100k(b *testing.B) {
	customers, log := insSynthetic(100_000, 1_000_000)
	st := insSettings()
	now := insAt(2026, 11, 25, 15, 0)
	b.ResetTimer()
	for range b.N {
		builder := NewReportBuilder(PeriodMonth, now, now, customers, st)
		for i := 0; i < len(log); i += 4096 {
			builder.Add(log[i:min(i+4096, len(log))])
		}
		r := builder.Report()
		if r.Current.Buyers == 0 {
			b.Fatal("no buyers")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/report")
}

// insSynthetic makes n customers and m interactions spread over three years
// before Nov 25, 2026, grouped by customer and in time order, with
// aggregates as the store keeps them.
func insSynthetic(n, m int) ([]Customer, []Interaction) {
	rng := rand.New(rand.NewPCG(7, 7))
	end := insAt(2026, 11, 25, 15, 0).Unix()
	start := end - 3*365*86400
	customers := make([]Customer, n)
	log := make([]Interaction, 0, m)
	kinds := []Kind{KindPurchase, KindPurchase, KindPurchase, KindPurchase, KindVisit, KindVisit, KindCall, KindEmail,
		KindCardSent, KindFeedback, KindComplaint, KindReturn, KindRedeemed, KindNote}
	for i := range customers {
		id := ID(i + 1)
		k := m / n
		if i < m%n {
			k++
		}
		from := len(log)
		at := start + rng.Int64N(end-start)
		step := max(1, (end-at)/int64(k+1))
		for j := 0; j < k; j++ {
			at += 1 + rng.Int64N(2*step)
			in := Interaction{ID: ID(len(log) + 1), Customer: id, At: time.Unix(min(at, end), 0).UTC(), Kind: kinds[rng.IntN(len(kinds))]}
			switch in.Kind {
			case KindPurchase, KindReturn:
				in.Amount = Money(500 + rng.IntN(20000))
			case KindFeedback:
				in.Score = 1 + rng.IntN(5)
			case KindComplaint:
				in.Category = []string{"late delivery", "damaged item", "rude staff"}[rng.IntN(3)]
				if rng.IntN(3) > 0 {
					in.Resolved, in.ResolvedAt = true, in.At.Add(time.Duration(rng.IntN(10*24))*time.Hour)
				}
			}
			log = append(log, in)
		}
		customers[i] = Customer{ID: id, Status: StatusActive, Stats: ComputeStats(log[from:], insNY)}
		if i%50 == 0 {
			customers[i].Status, customers[i].LostReason, customers[i].LostAt = StatusLost, DefectionReasons[i%6], time.Unix(end-rng.Int64N(200*86400), 0)
		}
	}
	return customers, log
}

func TestLargeFiguresAreGroupedAndShortenWhenNarrow(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 12345: "12,345", 1234567: "1,234,567", -1234: "-1,234", -999: "-999"} {
		if got := GroupDigits(n); got != want {
			t.Errorf("GroupDigits(%d) = %q, want %q", n, got, want)
		}
	}
	f := Figures{NewCustomers: 5682, Feedback: 1200, ScoreTotal: 5400}
	f.Retention.Part, f.Retention.Whole = 5930, 15836
	usd := DefaultSettings().Money()
	for _, c := range []struct {
		fig         Figure
		full, short string
	}{
		{FigureRetention, "37% (5,930 of 15,836)", "37%"},
		{FigureNewCustomers, "5,682", "5,682"},
		{FigureSatisfaction, "4.5 of 5 (1,200)", "4.5 of 5"},
		{FigureRepeat, "—", "—"},
	} {
		if got := f.Display(c.fig, usd); got != c.full {
			t.Errorf("%s: %q, want %q", c.fig, got, c.full)
		}
		if got := f.DisplayShort(c.fig, usd); got != c.short {
			t.Errorf("%s short: %q, want %q", c.fig, got, c.short)
		}
	}
	if _, text := Change(FigureNewCustomers, f, Figures{NewCustomers: 4213}, usd); text != "+1,469" {
		t.Errorf("a large change: %q", text)
	}
}
