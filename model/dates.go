package model

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The forms each parser accepts, named in its error messages.
const (
	whenForms     = "use now, yesterday, -3d, -2h, monday, 2026-12-01 or 2026-12-01 14:30"
	dueForms      = "use today, tomorrow, +3d, +2w, +1m, friday or 2026-12-01"
	dayForms      = "use today, yesterday, tomorrow, +3d, -1m, last monday or 2026-12-01"
	birthdayForms = "write it as 12-24 or 1990-12-24"
)

// DayFormat is how Patron writes a day: 2026-12-01.
const DayFormat = "2006-01-02"

// maxInputLen bounds what the parsers look at, so pasted text never costs much.
const maxInputLen = 64

var (
	dateRE     = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t](\d{1,2}):(\d{2})(?::(\d{2}))?)?$`)
	offsetRE   = regexp.MustCompile(`^([+-]) ?(\d{1,5}) ?(d|days?|w|wks?|weeks?|m|mos?|months?|y|yrs?|years?|h|hrs?|hours?|min|mins|minutes?)$`)
	weekdayRE  = regexp.MustCompile(`^(?:(last|next) )?([a-z]+)$`)
	birthdayRE = regexp.MustCompile(`^(?:(\d{4})-|--)?(\d{1,2})-(\d{1,2})$`)
	vcardBdRE  = regexp.MustCompile(`^--(\d{2})(\d{2})$`)
)

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "sun": time.Sunday,
	"monday": time.Monday, "mon": time.Monday,
	"tuesday": time.Tuesday, "tue": time.Tuesday, "tues": time.Tuesday,
	"wednesday": time.Wednesday, "wed": time.Wednesday,
	"thursday": time.Thursday, "thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday,
	"friday": time.Friday, "fri": time.Friday,
	"saturday": time.Saturday, "sat": time.Saturday,
}

// specKind says which form a date string took.
type specKind int

const (
	specNow      specKind = iota // "now"
	specDay                      // a calendar day: a date, today, tomorrow, yesterday
	specDateTime                 // a date with a clock time
	specInstant                  // an RFC 3339 time with its own offset
	specOffset                   // +3d, -2h ...
	specWeekday                  // monday, last monday, next friday
)

// spec is a date string understood but not yet placed in time.
type spec struct {
	kind    specKind
	named   string // "today", "tomorrow", "yesterday" for a specDay given by name
	y, m, d int
	h, mi   int
	sec     int
	instant time.Time
	sign    int    // +1 or -1
	n       int    // how many units
	unit    string // d, w, m, y, h, min
	weekday time.Weekday
	dir     int // weekday: -1 last, +1 next, 0 unsaid
}

// parseSpec reads the form of s; field and forms go into its errors.
func parseSpec(s, field, forms string) (spec, error) {
	raw := strings.TrimSpace(s)
	if utf8.RuneCountInString(raw) > maxInputLen {
		return spec{}, &FieldError{Field: field, Problem: fmt.Sprintf("%s is too long to be a date", quoteInput(raw)), Fix: forms}
	}
	if t, err := time.Parse(time.RFC3339, raw); err == nil {
		return spec{kind: specInstant, instant: t}, nil
	}
	norm := strings.ToLower(strings.Join(strings.Fields(raw), " "))
	switch norm {
	case "now":
		return spec{kind: specNow}, nil
	case "today", "tomorrow", "yesterday":
		return spec{kind: specDay, named: norm}, nil
	}
	if m := dateRE.FindStringSubmatch(norm); m != nil {
		sp := spec{kind: specDay}
		sp.y, _ = strconv.Atoi(m[1])
		sp.m, _ = strconv.Atoi(m[2])
		sp.d, _ = strconv.Atoi(m[3])
		if err := checkCivil(raw, field, forms, sp.y, sp.m, sp.d); err != nil {
			return spec{}, err
		}
		if m[4] != "" {
			sp.kind = specDateTime
			sp.h, _ = strconv.Atoi(m[4])
			sp.mi, _ = strconv.Atoi(m[5])
			if m[6] != "" {
				sp.sec, _ = strconv.Atoi(m[6])
			}
			if sp.h > 23 || sp.mi > 59 || sp.sec > 59 {
				return spec{}, &FieldError{Field: field, Problem: fmt.Sprintf("%s has no such time of day", quoteInput(raw)), Fix: "write the time as 14:30, from 00:00 to 23:59"}
			}
		}
		return sp, nil
	}
	if m := offsetRE.FindStringSubmatch(norm); m != nil {
		sp := spec{kind: specOffset, sign: 1}
		if m[1] == "-" {
			sp.sign = -1
		}
		sp.n, _ = strconv.Atoi(m[2])
		switch u := m[3]; {
		case strings.HasPrefix(u, "mi"):
			sp.unit = "min"
		case strings.HasPrefix(u, "mo"):
			sp.unit = "m"
		case strings.HasPrefix(u, "wk"):
			sp.unit = "w"
		default:
			sp.unit = u[:1]
		}
		return sp, nil
	}
	if m := weekdayRE.FindStringSubmatch(norm); m != nil {
		if wd, ok := weekdays[m[2]]; ok {
			sp := spec{kind: specWeekday, weekday: wd}
			switch m[1] {
			case "last":
				sp.dir = -1
			case "next":
				sp.dir = 1
			}
			return sp, nil
		}
	}
	if raw == "" {
		return spec{}, &FieldError{Field: field, Problem: "is empty", Fix: forms}
	}
	return spec{}, &FieldError{Field: field, Problem: fmt.Sprintf("%s is not a date Patron understands", quoteInput(raw)), Fix: forms}
}

// checkCivil refuses days that do not exist, saying why.
func checkCivil(raw, field, forms string, y, m, d int) error {
	switch {
	case y == 0:
		return &FieldError{Field: field, Problem: fmt.Sprintf("%s has year 0, which does not exist", quoteInput(raw)), Fix: forms}
	case m < 1 || m > 12:
		return &FieldError{Field: field, Problem: fmt.Sprintf("%s has month %d, and months run from 01 to 12", quoteInput(raw), m), Fix: forms}
	case d < 1 || d > daysIn(time.Month(m), y):
		return &FieldError{Field: field, Problem: fmt.Sprintf("%s is not a real day, as %s %d has %d days", quoteInput(raw), time.Month(m), y, daysIn(time.Month(m), y)), Fix: forms}
	}
	return nil
}

// ParseWhen reads when something happened, as the owner types it in the log
// or on the command line. "" and "now" are now; a past day without a time is
// taken at noon (or now, if it is today); offsets keep the clock time
// (-3d is this time three calendar days ago); a weekday is the last one
// before today. The future (beyond a minute of clock drift) and times before
// 1970 are refused.
func ParseWhen(s string, now time.Time, loc *time.Location) (time.Time, error) {
	loc = orLocal(loc)
	now = now.In(loc)
	const field = "when"
	var t time.Time
	if strings.TrimSpace(s) == "" {
		t = now
	} else {
		sp, err := parseSpec(s, field, whenForms)
		if err != nil {
			return time.Time{}, err
		}
		ty, tm, td := now.Date()
		switch sp.kind {
		case specNow:
			t = now
		case specInstant:
			t = sp.instant.In(loc)
		case specDateTime:
			t = wallClock(sp.y, time.Month(sp.m), sp.d, sp.h, sp.mi, sp.sec, 0, loc)
		case specDay:
			y, m, d := sp.y, time.Month(sp.m), sp.d
			switch sp.named {
			case "today":
				y, m, d = ty, tm, td
			case "yesterday":
				y, m, d = ty, tm, td-1
			case "tomorrow":
				y, m, d = ty, tm, td+1
			}
			t = dayAtNoon(y, m, d, now, loc)
		case specWeekday:
			if sp.dir > 0 {
				return time.Time{}, futureError(s)
			}
			y, m, d := weekdayFrom(now, sp.weekday, -1)
			t = dayAtNoon(y, m, d, now, loc)
		case specOffset:
			if sp.sign > 0 && sp.n > 0 {
				return time.Time{}, futureError(s)
			}
			switch sp.unit {
			case "h":
				t = now.Add(-time.Duration(sp.n) * time.Hour)
			case "min":
				t = now.Add(-time.Duration(sp.n) * time.Minute)
			default:
				y, m, d := shiftDate(ty, tm, td, sp.unit, -sp.n)
				hh, mm, ss := now.Clock()
				t = wallClock(y, m, d, hh, mm, ss, now.Nanosecond(), loc)
			}
		}
	}
	if t.After(now.Add(time.Minute)) {
		return time.Time{}, futureError(s)
	}
	if t.Unix() < 0 {
		return time.Time{}, &FieldError{Field: field, Problem: fmt.Sprintf("%s is before 1970", quoteInput(s)), Fix: "check the year"}
	}
	return t, nil
}

func futureError(s string) error {
	return &FieldError{Field: "when", Problem: fmt.Sprintf("%s is in the future", quoteInput(s)), Fix: "log things once they have happened"}
}

// dayAtNoon places a named past day at noon, and today at now, so a day
// without a time never lands in the future.
func dayAtNoon(y int, m time.Month, d int, now time.Time, loc *time.Location) time.Time {
	ty, tm, td := now.Date()
	c := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if c.Equal(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)) {
		return now
	}
	return wallClock(y, m, d, 12, 0, 0, 0, loc)
}

// ParseDue reads the day a reminder falls due, as midnight in loc: a date
// (a past one is allowed, for something already overdue), today, tomorrow,
// +3d, +2w, +1m, +1y, or a weekday (the next one after today). Backward
// forms (yesterday, -3d, last monday) and clock times are refused: a due date
// is a day, and counting back to one is almost always a slip of the sign.
func ParseDue(s string, now time.Time, loc *time.Location) (time.Time, error) {
	const field = "due date"
	loc = orLocal(loc)
	sp, err := parseSpec(s, field, dueForms)
	if err != nil {
		return time.Time{}, err
	}
	switch {
	case sp.kind == specDay && sp.named == "yesterday",
		sp.kind == specOffset && sp.sign < 0 && sp.n > 0,
		sp.kind == specWeekday && sp.dir < 0:
		return time.Time{}, &FieldError{Field: field, Problem: fmt.Sprintf("%s counts back in time", quoteInput(s)), Fix: "count forward (+3d, tomorrow, friday) or type the date itself, such as 2026-12-01"}
	case sp.kind == specWeekday:
		sp.dir = 1
	}
	return resolveDay(s, sp, field, dueForms, now, loc)
}

// ParseDay reads a day in either direction, for --until, --at and --now:
// dates, today, tomorrow, yesterday, ±Nd/w/m/y, and "last monday" or
// "next monday" (a bare weekday is refused: it does not say which way).
// The result is midnight in loc.
func ParseDay(s string, now time.Time, loc *time.Location) (time.Time, error) {
	const field = "date"
	loc = orLocal(loc)
	sp, err := parseSpec(s, field, dayForms)
	if err != nil {
		return time.Time{}, err
	}
	if sp.kind == specWeekday && sp.dir == 0 {
		name := strings.ToLower(sp.weekday.String())
		return time.Time{}, &FieldError{Field: field, Problem: fmt.Sprintf("%s does not say which %s", quoteInput(s), name), Fix: fmt.Sprintf("use last %s, next %s or a date such as 2026-12-01", name, name)}
	}
	return resolveDay(s, sp, field, dayForms, now, loc)
}

// resolveDay turns a spec into midnight of its day in loc.
func resolveDay(s string, sp spec, field, forms string, now time.Time, loc *time.Location) (time.Time, error) {
	now = now.In(loc)
	ty, tm, td := now.Date()
	var y int
	var m time.Month
	var d int
	switch sp.kind {
	case specNow:
		y, m, d = ty, tm, td
	case specDay:
		y, m, d = sp.y, time.Month(sp.m), sp.d
		switch sp.named {
		case "today":
			y, m, d = ty, tm, td
		case "yesterday":
			y, m, d = ty, tm, td-1
		case "tomorrow":
			y, m, d = ty, tm, td+1
		}
	case specWeekday:
		y, m, d = weekdayFrom(now, sp.weekday, sp.dir)
	case specOffset:
		if sp.unit == "h" || sp.unit == "min" {
			return time.Time{}, &FieldError{Field: field, Problem: fmt.Sprintf("%s counts hours, but a %s is a whole day", quoteInput(s), field), Fix: forms}
		}
		y, m, d = shiftDate(ty, tm, td, sp.unit, sp.sign*sp.n)
	case specDateTime, specInstant:
		return time.Time{}, &FieldError{Field: field, Problem: fmt.Sprintf("%s has a time of day, but a %s is a whole day", quoteInput(s), field), Fix: "leave out the time, e.g. 2026-12-01"}
	}
	c := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if c.Year() < 1970 {
		return time.Time{}, &FieldError{Field: field, Problem: fmt.Sprintf("%s is before 1970", quoteInput(s)), Fix: "check the year"}
	}
	if c.Year() > 9999 {
		return time.Time{}, &FieldError{Field: field, Problem: fmt.Sprintf("%s is too far ahead", quoteInput(s)), Fix: "pick a day before the year 10000"}
	}
	return StartOfDay(c.Year(), c.Month(), c.Day(), loc), nil
}

// weekdayFrom is the calendar date of the next (dir > 0) or last (dir < 0)
// wd strictly after or before today.
func weekdayFrom(now time.Time, wd time.Weekday, dir int) (int, time.Month, int) {
	y, m, d := now.Date()
	diff := int(wd - now.Weekday())
	if dir > 0 {
		if diff <= 0 {
			diff += 7
		}
	} else if diff >= 0 {
		diff -= 7
	}
	c := time.Date(y, m, d+diff, 0, 0, 0, 0, time.UTC)
	return c.Date()
}

// shiftDate moves a calendar date by n units (d, w, m or y). Months and years
// clamp to the month's last day: Jan 31 + 1m is Feb 28 (or 29), never March.
func shiftDate(y int, m time.Month, d int, unit string, n int) (int, time.Month, int) {
	switch unit {
	case "d":
		d += n
	case "w":
		d += 7 * n
	case "m", "y":
		if unit == "y" {
			n *= 12
		}
		total := y*12 + int(m-1) + n
		y, m = floorDiv(total, 12), time.Month(floorMod(total, 12)+1)
		if last := daysIn(m, y); d > last {
			d = last
		}
	}
	c := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return c.Date()
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int) int { return a - floorDiv(a, b)*b }

// StartOfDay is the first instant of a calendar day in loc: usually
// midnight, but 01:00 where the clocks jump forward at midnight (Santiago,
// Havana, Beirut), and the earlier midnight where they fall back to it.
func StartOfDay(y int, m time.Month, d int, loc *time.Location) time.Time {
	return wallClock(y, m, d, 0, 0, 0, 0, orLocal(loc))
}

// EndOfDay is the last instant of day's calendar day in loc, so that
// "--until 2026-12-01" includes everything on that day: t <= EndOfDay(day).
func EndOfDay(day time.Time, loc *time.Location) time.Time {
	loc = orLocal(loc)
	y, m, d := day.In(loc).Date()
	return StartOfDay(y, m, d+1, loc).Add(-time.Nanosecond)
}

// wallClock is the instant a clock in loc shows the given date and time,
// decided the same way in every zone (time.Date leaves it unspecified): when
// the time happens twice (clocks fall back) the earlier one; when it never
// happens (clocks jump forward) the instant the clock shows that much later,
// so 02:30 on a night that skips 02:00-03:00 is 03:30.
func wallClock(y int, m time.Month, d, h, mi, s, ns int, loc *time.Location) time.Time {
	civil := time.Date(y, m, d, h, mi, s, 0, time.UTC)
	y, m, d = civil.Date()
	h, mi, s = civil.Clock()
	naive := civil.Unix()
	shows := func(u int64) bool {
		t := time.Unix(u, 0).In(loc)
		ty, tm, td := t.Date()
		th, tmi, ts := t.Clock()
		return ty == y && tm == m && td == d && th == h && tmi == mi && ts == s
	}
	_, before := time.Unix(naive-86400, 0).In(loc).Zone()
	_, after := time.Unix(naive+86400, 0).In(loc).Zone()
	c1, c2 := naive-int64(before), naive-int64(after)
	var u int64
	switch ok1, ok2 := shows(c1), shows(c2); {
	case ok1 && ok2:
		u = min(c1, c2)
	case ok1:
		u = c1
	case ok2:
		u = c2
	default:
		u = c1 // in a gap: the offset before it, which reads as after it
	}
	return time.Unix(u, int64(ns)).In(loc)
}

// ParseBirthday reads a birthday: 12-24 (no year), 1990-12-24, or the vCard
// forms --12-24 and --1224. An empty string is no birthday. Feb 29 is
// allowed without a year or in a leap year.
func ParseBirthday(s string) (Birthday, error) {
	raw := strings.TrimSpace(s)
	if raw == "" {
		return Birthday{}, nil
	}
	m := birthdayRE.FindStringSubmatch(raw)
	if m == nil {
		m = vcardBdRE.FindStringSubmatch(raw)
		if m != nil {
			m = []string{m[0], "", m[1], m[2]}
		}
	}
	if m == nil {
		return Birthday{}, &FieldError{Field: "birthday", Problem: fmt.Sprintf("%s is not a birthday Patron understands", quoteInput(raw)), Fix: birthdayForms}
	}
	var b Birthday
	if m[1] != "" {
		b.Year, _ = strconv.Atoi(m[1])
		if b.Year == 0 {
			return Birthday{}, &FieldError{Field: "birthday", Problem: fmt.Sprintf("%s has year 0, which does not exist", quoteInput(raw)), Fix: "leave the year out if it is unknown: " + birthdayForms}
		}
	}
	b.Month, _ = strconv.Atoi(m[2])
	b.Day, _ = strconv.Atoi(m[3])
	if err := b.Validate(); err != nil {
		return Birthday{}, err
	}
	return b, nil
}

// BirthdayIn is midnight in loc of the birthday in the given year; Feb 29
// falls on Feb 28 in years without one.
func BirthdayIn(b Birthday, year int, loc *time.Location) time.Time {
	m := time.Month(b.Month)
	d := b.Day
	if last := daysIn(m, year); d > last {
		d = last
	}
	return StartOfDay(year, m, d, loc)
}

// DaysBetween counts calendar days in loc from a to b: 1 when b is the day
// after a, whatever the hours or a daylight-saving change between them.
func DaysBetween(a, b time.Time, loc *time.Location) int {
	loc = orLocal(loc)
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	da := time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// FormatRelative says how far t is from now in the shop's calendar days:
// "today", "yesterday", "tomorrow", "3 days ago", "in 3 days", "2 weeks ago",
// "5 months ago", "1 year ago". A zero t is "never".
func FormatRelative(t, now time.Time, loc *time.Location) string {
	if t.IsZero() {
		return "never"
	}
	loc = orLocal(loc)
	days := DaysBetween(t, now, loc)
	future := days < 0
	a, b := t.In(loc), now.In(loc)
	if future {
		days = -days
		a, b = b, a
	}
	var amount string
	switch {
	case days == 0:
		return "today"
	case days == 1 && future:
		return "tomorrow"
	case days == 1:
		return "yesterday"
	case days < 14:
		amount = fmt.Sprintf("%d days", days)
	case days < 60:
		amount = plural(days/7, "week")
	default:
		months := fullMonths(a, b)
		if months < 12 {
			amount = plural(max(months, 1), "month")
		} else {
			amount = plural(months/12, "year")
		}
	}
	if future {
		return "in " + amount
	}
	return amount + " ago"
}

// fullMonths counts whole calendar months from a to b (a before b).
func fullMonths(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	n := (by-ay)*12 + int(bm-am)
	if bd < ad && bd < daysIn(bm, by) {
		n--
	}
	return n
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// quoteInput quotes what the owner typed for an error message: escaped, so
// it is safe on a terminal, and cut short if it is long.
func quoteInput(s string) string {
	const keep = 40
	if utf8.RuneCountInString(s) > keep {
		r := []rune(s)
		return strconv.Quote(string(r[:keep])) + "…"
	}
	return strconv.Quote(s)
}

// orLocal treats a missing time zone as the machine's, the shop's default.
func orLocal(loc *time.Location) *time.Location {
	if loc == nil {
		return time.Local
	}
	return loc
}
