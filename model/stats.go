package model

import (
	"sort"
	"time"
)

// WindowMonths is how many calendar months Stats.Months covers: the rolling
// 12-month window plus the month it starts in.
const WindowMonths = 13

// MonthOf is year*100+month of t in loc.
func MonthOf(t time.Time, loc *time.Location) int {
	t = t.In(orLocal(loc))
	return t.Year()*100 + int(t.Month())
}

// AddMonths moves a year*100+month value by n months.
func AddMonths(month, n int) int {
	y, m := month/100, month%100-1+n
	y += m / 12
	m %= 12
	if m < 0 {
		m += 12
		y--
	}
	return y*100 + m + 1
}

// DayOf is the shop's calendar day of t, as its first instant in loc
// (time.Date would give 23:00 the day before where midnight is skipped).
func DayOf(t time.Time, loc *time.Location) time.Time {
	loc = orLocal(loc)
	y, m, d := t.In(loc).Date()
	return StartOfDay(y, m, d, loc)
}

// ComputeStats derives a customer's aggregates from all their interactions
// (in any order). The store keeps the result on the customer record, updated
// in the same transaction as every interaction change; this function is also
// the recomputation the tests compare it against.
func ComputeStats(list []Interaction, loc *time.Location) Stats {
	if len(list) == 0 {
		return Stats{}
	}
	sorted := make([]Interaction, len(list))
	copy(sorted, list)
	sort.SliceStable(sorted, func(i, j int) bool {
		if !sorted[i].At.Equal(sorted[j].At) {
			return sorted[i].At.Before(sorted[j].At)
		}
		return sorted[i].ID < sorted[j].ID
	})
	var s Stats
	s.Interactions = len(sorted)
	newest := MonthOf(sorted[len(sorted)-1].At, loc)
	oldest := AddMonths(newest, -(WindowMonths - 1))
	months := map[int]*MonthStats{}
	month := func(t time.Time) *MonthStats {
		m := MonthOf(t, loc)
		if m < oldest {
			return nil
		}
		ms := months[m]
		if ms == nil {
			ms = &MonthStats{Month: m}
			months[m] = ms
		}
		return ms
	}
	visitDays := map[time.Time]bool{}
	for _, in := range sorted {
		ms := month(in.At)
		s.LastContact = in.At
		switch in.Kind {
		case KindPurchase:
			s.Purchases++
			s.Spend += in.Amount
			if s.FirstPurchase.IsZero() {
				s.FirstPurchase = in.At
			}
			s.LastPurchase = in.At
			if ms != nil {
				ms.Purchases++
				ms.Spend += in.Amount
			}
		case KindReturn:
			s.Spend -= in.Amount
			if ms != nil {
				ms.Spend -= in.Amount
			}
		case KindReferral:
			if ms != nil {
				ms.Referrals++
			}
		case KindFeedback:
			if ms != nil && in.Score == 5 {
				ms.FiveStars++
			}
		case KindComplaint:
			if !in.Resolved {
				s.OpenComplaints++
			}
		}
		// Points never go below zero, whatever order returns come in.
		s.Points += in.Points
		if s.Points < 0 {
			s.Points = 0
		}
		if in.Kind.IsVisit() {
			day := DayOf(in.At, loc)
			if !visitDays[day] {
				visitDays[day] = true
				s.Visits++
				if ms != nil {
					ms.Visits++
				}
			}
			if s.FirstVisit.IsZero() {
				s.FirstVisit = in.At
			}
			s.LastVisit = in.At
		}
	}
	for m := oldest; m <= newest; m = AddMonths(m, 1) {
		if ms := months[m]; ms != nil {
			s.Months = append(s.Months, *ms)
		}
	}
	addReminderFacts(&s, sorted, loc)
	addLoyaltyFacts(&s, sorted, loc)
	return s
}
