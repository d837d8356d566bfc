package model

import (
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"
)

func TestComputeStatsHandChecked(t *testing.T) {
	ny := func(mo time.Month, d, h, mi int) time.Time { return time.Date(2026, mo, d, h, mi, 0, 0, newYork) }
	list := []Interaction{
		{ID: 1, At: ny(1, 10, 10, 0), Kind: KindPurchase, Amount: 5000, Points: 50},
		{ID: 2, At: ny(1, 10, 16, 0), Kind: KindVisit},                               // same day: not a second visit
		{ID: 3, At: ny(1, 10, 23, 30), Kind: KindPurchase, Amount: 2000, Points: 20}, // 04:30 UTC on the 11th, still the 10th in the shop
		{ID: 4, At: ny(1, 11, 0, 30), Kind: KindCall},                                // a call is not a visit
		{ID: 5, At: ny(2, 3, 12, 0), Kind: KindReturn, Amount: 1500, Points: -15},
		{ID: 6, At: ny(3, 5, 12, 0), Kind: KindFeedback, Score: 5},
		{ID: 7, At: ny(3, 6, 12, 0), Kind: KindComplaint},
		{ID: 8, At: ny(3, 7, 12, 0), Kind: KindComplaint, Resolved: true},
		{ID: 9, At: ny(3, 8, 12, 0), Kind: KindReferral, Referred: 99},
		{ID: 10, At: ny(3, 9, 12, 0), Kind: KindRedeemed, Points: -1000}, // more than the balance of 55
		{ID: 11, At: ny(4, 1, 9, 0), Kind: KindPurchase, Amount: 1000, Points: 10},
	}
	want := Stats{
		Interactions:   11,
		Visits:         3, // Jan 10, Feb 3, Apr 1
		Purchases:      3,
		Spend:          6500, // 5000 + 2000 - 1500 + 1000
		Points:         10,   // 55, floored at 0 by the redemption, then 10
		FirstVisit:     list[0].At,
		LastVisit:      list[10].At,
		FirstPurchase:  list[0].At,
		LastPurchase:   list[10].At,
		LastContact:    list[10].At,
		OpenComplaints: 1,
		Months: []MonthStats{
			{Month: 202601, Visits: 1, Purchases: 2, Spend: 7000},
			{Month: 202602, Visits: 1, Spend: -1500},
			{Month: 202603, Referrals: 1, FiveStars: 1},
			{Month: 202604, Visits: 1, Purchases: 1, Spend: 1000},
		},
	}
	if got := coreStats(ComputeStats(list, newYork)); !reflect.DeepEqual(got, want) {
		t.Errorf("ComputeStats =\n%+v\nwant\n%+v", got, want)
	}
	// In UTC the late purchase falls on the 11th: a fourth visit day.
	if got := ComputeStats(list, time.UTC); got.Visits != 4 {
		t.Errorf("in UTC: %d visits, want 4", got.Visits)
	}
}

// coreStats keeps the aggregates the list and the ladder read, leaving out
// the facts the reminder rules add, which their own tests check.
func coreStats(s Stats) Stats {
	return Stats{Interactions: s.Interactions, Visits: s.Visits, Purchases: s.Purchases, Spend: s.Spend,
		Points: s.Points, FirstVisit: s.FirstVisit, LastVisit: s.LastVisit, FirstPurchase: s.FirstPurchase,
		LastPurchase: s.LastPurchase, LastContact: s.LastContact, OpenComplaints: s.OpenComplaints, Months: s.Months}
}

func TestComputeStatsEdges(t *testing.T) {
	if got := coreStats(ComputeStats(nil, newYork)); !reflect.DeepEqual(got, Stats{}) {
		t.Errorf("no interactions: %+v", got)
	}
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, newYork)

	// A return with no purchase on record takes spend below zero: spend is purchases less returns.
	s := ComputeStats([]Interaction{{ID: 1, At: t0, Kind: KindReturn, Amount: 990}}, newYork)
	if s.Spend != -990 || s.Purchases != 0 || s.Visits != 1 || !s.FirstPurchase.IsZero() {
		t.Errorf("a lone return: %+v", s)
	}

	// Points spent before they were earned cannot make a debt.
	s = ComputeStats([]Interaction{
		{ID: 1, At: t0, Kind: KindRedeemed, Points: -100},
		{ID: 2, At: t0.Add(time.Hour), Kind: KindPurchase, Amount: 500, Points: 50},
	}, newYork)
	if s.Points != 50 {
		t.Errorf("redeem then earn: %d points, want 50", s.Points)
	}
	s = ComputeStats([]Interaction{
		{ID: 1, At: t0, Kind: KindPurchase, Amount: 500, Points: 50},
		{ID: 2, At: t0.Add(time.Hour), Kind: KindRedeemed, Points: -100},
	}, newYork)
	if s.Points != 0 {
		t.Errorf("earn then overspend: %d points, want 0", s.Points)
	}

	// Only contact, no visit: no visit dates.
	s = ComputeStats([]Interaction{{ID: 1, At: t0, Kind: KindCall}, {ID: 2, At: t0.Add(time.Hour), Kind: KindEmail}}, newYork)
	if s.Visits != 0 || !s.FirstVisit.IsZero() || !s.LastContact.Equal(t0.Add(time.Hour)) || len(s.Months) != 1 {
		t.Errorf("calls only: %+v", s)
	}

	// A visit on the night clocks spring forward, and one the day after, are two days.
	s = ComputeStats([]Interaction{
		{ID: 1, At: time.Date(2026, 3, 8, 23, 30, 0, 0, newYork), Kind: KindVisit},
		{ID: 2, At: time.Date(2026, 3, 9, 0, 10, 0, 0, newYork), Kind: KindVisit},
		{ID: 3, At: time.Date(2026, 3, 8, 0, 10, 0, 0, newYork), Kind: KindVisit},
	}, newYork)
	if s.Visits != 2 {
		t.Errorf("across the DST night: %d visits, want 2", s.Visits)
	}
}

// Months covers the 13 calendar months ending with the newest interaction's
// month in the shop's zone, oldest first; older interactions still count in
// the totals.
func TestComputeStatsMonthsWindow(t *testing.T) {
	var list []Interaction
	for i := 0; i < 20; i++ { // one purchase a month, 2024-09 to 2026-04
		at := time.Date(2024, time.Month(9+i), 15, 12, 0, 0, 0, newYork)
		list = append(list, Interaction{ID: ID(i + 1), At: at, Kind: KindPurchase, Amount: 100})
	}
	s := ComputeStats(list, newYork)
	if s.Purchases != 20 || s.Spend != 2000 || s.Visits != 20 {
		t.Errorf("totals: %+v", s)
	}
	if len(s.Months) != WindowMonths {
		t.Fatalf("%d months, want %d: %+v", len(s.Months), WindowMonths, s.Months)
	}
	for i, m := range s.Months {
		if want := AddMonths(202504, i); m.Month != want || m.Purchases != 1 || m.Spend != 100 || m.Visits != 1 {
			t.Errorf("month %d = %+v, want %d with one purchase", i, m, want)
		}
	}

	// The newest interaction is late on Jan 31 in New York but Feb 1 in UTC,
	// and the oldest is New Year's Eve in New York but New Year's Day in UTC:
	// the shop's zone decides which months the window holds at both ends.
	list = []Interaction{
		{ID: 1, At: time.Date(2024, 12, 31, 20, 0, 0, 0, newYork), Kind: KindVisit},
		{ID: 2, At: time.Date(2025, 2, 1, 12, 0, 0, 0, newYork), Kind: KindVisit},
		{ID: 3, At: time.Date(2026, 2, 1, 3, 0, 0, 0, time.UTC), Kind: KindVisit},
	}
	months := func(s Stats) (out []int) {
		for _, m := range s.Months {
			out = append(out, m.Month)
		}
		return out
	}
	if got := months(ComputeStats(list, newYork)); !reflect.DeepEqual(got, []int{202502, 202601}) {
		t.Errorf("window in New York: %v, want [202502 202601]", got)
	}
	if got := months(ComputeStats(list, time.UTC)); !reflect.DeepEqual(got, []int{202502, 202602}) {
		t.Errorf("window in UTC: %v, want [202502 202602]", got)
	}
	// The window's first month is the same month a year before the newest.
	list[0].At = time.Date(2025, 1, 1, 0, 0, 0, 0, newYork)
	if got := months(ComputeStats(list, newYork)); !reflect.DeepEqual(got, []int{202501, 202502, 202601}) {
		t.Errorf("window from January: %v, want [202501 202502 202601]", got)
	}
}

func TestMonthArithmetic(t *testing.T) {
	cases := []struct{ month, n, want int }{
		{202601, 0, 202601},
		{202601, 1, 202602},
		{202612, 1, 202701},
		{202601, -1, 202512},
		{202601, -12, 202501},
		{202601, -13, 202412},
		{202606, 30, 202812},
		{202606, -30, 202312},
		{197001, -1, 196912},
	}
	for _, c := range cases {
		if got := AddMonths(c.month, c.n); got != c.want {
			t.Errorf("AddMonths(%d, %d) = %d, want %d", c.month, c.n, got, c.want)
		}
	}
	if got := MonthOf(time.Date(2026, 2, 1, 3, 0, 0, 0, time.UTC), newYork); got != 202601 {
		t.Errorf("MonthOf 2026-02-01 03:00 UTC in New York = %d, want 202601", got)
	}
	if got := MonthOf(time.Date(2026, 2, 1, 3, 0, 0, 0, time.UTC), kiritimati); got != 202602 {
		t.Errorf("MonthOf in Kiritimati = %d, want 202602", got)
	}
}

func TestAddMonthsProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := rapid.IntRange(1970, 2200).Draw(t, "year")*100 + rapid.IntRange(1, 12).Draw(t, "month")
		n := rapid.IntRange(-1000, 1000).Draw(t, "n")
		got := AddMonths(m, n)
		if got%100 < 1 || got%100 > 12 {
			t.Fatalf("AddMonths(%d, %d) = %d is not a month", m, n, got)
		}
		if AddMonths(got, -n) != m {
			t.Fatalf("AddMonths(AddMonths(%d, %d), %d) = %d", m, n, -n, AddMonths(got, -n))
		}
		if want := MonthOf(time.Date(m/100, time.Month(m%100+n), 1, 0, 0, 0, 0, time.UTC), time.UTC); got != want {
			t.Fatalf("AddMonths(%d, %d) = %d, time.Date says %d", m, n, got, want)
		}
	})
}

// genHistory draws a customer's interactions: unique ids, times over a few
// years, every kind, and shared instants to test ties.
func genHistory(t *rapid.T) []Interaction {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	n := rapid.IntRange(0, 40).Draw(t, "n")
	list := make([]Interaction, n)
	for i := range list {
		k := rapid.SampledFrom(Kinds).Draw(t, "kind")
		in := Interaction{ID: ID(i + 1), Customer: 1, Kind: k,
			At: time.Unix(base+rapid.Int64Range(0, 3*365*86400).Draw(t, "at")/3600*3600, 0)}
		if k.HasAmount() {
			in.Amount = Money(rapid.Int64Range(0, 100000).Draw(t, "amount"))
		}
		in.Points = rapid.Int64Range(-200, 200).Draw(t, "points")
		if k == KindFeedback {
			in.Score = rapid.IntRange(1, 5).Draw(t, "score")
		}
		in.Resolved = rapid.Bool().Draw(t, "resolved")
		list[i] = in
	}
	return list
}

// The same interactions in any order give the same aggregates: the store
// may apply them in whatever order they arrive.
func TestComputeStatsOrderIndependentProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		loc := rapid.SampledFrom(testZones).Draw(t, "zone")
		list := genHistory(t)
		shuffled := rapid.Permutation(list).Draw(t, "order")
		a, b := ComputeStats(list, loc), ComputeStats(shuffled, loc)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("order changed the result:\n%+v\n%+v", a, b)
		}
	})
}

// The aggregates agree with counting the interactions directly.
func TestComputeStatsInvariantsProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		loc := rapid.SampledFrom(testZones).Draw(t, "zone")
		list := genHistory(t)
		s := ComputeStats(list, loc)
		days := map[time.Time]bool{}
		var spend Money
		var purchases, open int
		var newest time.Time
		for _, in := range list {
			if in.Kind.IsVisit() {
				days[DayOf(in.At, loc)] = true
			}
			switch in.Kind {
			case KindPurchase:
				purchases++
				spend += in.Amount
			case KindReturn:
				spend -= in.Amount
			case KindComplaint:
				if !in.Resolved {
					open++
				}
			}
			if in.At.After(newest) {
				newest = in.At
			}
		}
		if s.Interactions != len(list) || s.Visits != len(days) || s.Spend != spend || s.Purchases != purchases || s.OpenComplaints != open {
			t.Fatalf("stats %+v disagree: %d interactions, %d days, spend %d, %d purchases, %d open", s, len(list), len(days), spend, purchases, open)
		}
		if s.Points < 0 || !s.LastContact.Equal(newest) {
			t.Fatalf("points %d, last contact %v (newest %v)", s.Points, s.LastContact, newest)
		}
		if len(s.Months) > WindowMonths {
			t.Fatalf("%d months", len(s.Months))
		}
		var monthVisits int
		for i, m := range s.Months {
			if i > 0 && m.Month <= s.Months[i-1].Month {
				t.Fatalf("months out of order: %+v", s.Months)
			}
			if m.Month < AddMonths(MonthOf(newest, loc), -(WindowMonths-1)) || m.Month > MonthOf(newest, loc) {
				t.Fatalf("month %d outside the window ending %d", m.Month, MonthOf(newest, loc))
			}
			monthVisits += m.Visits
		}
		if monthVisits > s.Visits {
			t.Fatalf("months hold %d visits, the total is %d", monthVisits, s.Visits)
		}
	})
}

func TestDayOf(t *testing.T) {
	cases := []struct {
		t    time.Time
		loc  *time.Location
		want time.Time
	}{
		{time.Date(2026, 6, 18, 3, 30, 0, 0, time.UTC), newYork, time.Date(2026, 6, 17, 0, 0, 0, 0, newYork)},
		{time.Date(2026, 6, 18, 3, 30, 0, 0, time.UTC), time.UTC, time.Date(2026, 6, 18, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 9, 6, 12, 0, 0, 0, santiago), santiago, utc(2026, 9, 6, 4, 0)}, // midnight skipped: 01:00
	}
	for _, c := range cases {
		got := DayOf(c.t, c.loc)
		if !got.Equal(c.want) {
			t.Errorf("DayOf(%v, %v) = %v, want %v", c.t, c.loc, got, c.want)
		}
		if got.Location() != c.loc {
			t.Errorf("DayOf(%v) is in %v, want %v", c.t, got.Location(), c.loc)
		}
	}
}
