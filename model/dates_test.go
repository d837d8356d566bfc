package model

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the same zone rules on every machine, with or without /usr/share/zoneinfo

	"pgregory.net/rapid"
)

func zone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

var (
	newYork    = zone("America/New_York")
	lisbon     = zone("Europe/Lisbon")
	santiago   = zone("America/Santiago")
	havana     = zone("America/Havana")
	apia       = zone("Pacific/Apia")
	lordHowe   = zone("Australia/Lord_Howe")
	kiritimati = zone("Pacific/Kiritimati")
	// testZones are what property tests pick from: half-hour offsets,
	// midnight transitions, the far east and west of the date line.
	testZones = []*time.Location{time.UTC, newYork, lisbon, santiago, havana, lordHowe, kiritimati,
		zone("Asia/Kolkata"), zone("Pacific/Pago_Pago"), zone("Asia/Beirut"), zone("Europe/London")}
)

// wed is the reference now: Wednesday 2026-06-17 15:04:05 in New York (EDT).
var wed = time.Date(2026, 6, 17, 15, 4, 5, 0, newYork)

func at(loc *time.Location, y int, m time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, m, d, h, mi, s, 0, loc)
}

func utc(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, time.UTC)
}

// wantFieldError checks err is a *FieldError for field whose sentence holds
// want and tells the owner what to do, with no control characters.
func wantFieldError(t *testing.T, input string, err error, field, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%q: no error, want one containing %q", input, want)
	}
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("%q: error %T %v is not a *FieldError", input, err, err)
	}
	if fe.Field != field {
		t.Errorf("%q: field %q, want %q", input, fe.Field, field)
	}
	if fe.Fix == "" {
		t.Errorf("%q: error %q says nothing about how to fix it", input, err)
	}
	if !strings.Contains(err.Error(), want) {
		t.Errorf("%q: error %q does not contain %q", input, err, want)
	}
	if msg := err.Error(); Sanitize(msg) != msg || len(msg) > 300 {
		t.Errorf("%q: error message is not safe and short: %q", input, msg)
	}
}

func TestParseWhenAccepts(t *testing.T) {
	noon := func(y int, m time.Month, d int) time.Time { return at(newYork, y, m, d, 12, 0, 0) }
	cases := []struct {
		in   string
		want time.Time
	}{
		{"", wed},
		{"   ", wed},
		{"now", wed},
		{" NOW ", wed},
		{"today", wed},
		{"Today", wed},
		{"yesterday", noon(2026, 6, 16)},
		{"2026-06-01", noon(2026, 6, 1)},
		{"2026-6-1", noon(2026, 6, 1)},
		{"2026-06-17", wed}, // a bare date that is today is now, never noon in the future
		{"2026-06-17 09:15", at(newYork, 2026, 6, 17, 9, 15, 0)},
		{"2026-06-17T09:15", at(newYork, 2026, 6, 17, 9, 15, 0)},
		{"2026-06-17   09:15:30", at(newYork, 2026, 6, 17, 9, 15, 30)},
		{"2026-06-17 15:05", at(newYork, 2026, 6, 17, 15, 5, 0)}, // under a minute ahead: clock drift
		{"2026-06-17T09:15:00Z", utc(2026, 6, 17, 9, 15)},
		{"2026-06-17T09:15:00+01:00", utc(2026, 6, 17, 8, 15)},
		{"1970-01-02", noon(1970, 1, 2)},
		{"-3d", at(newYork, 2026, 6, 14, 15, 4, 5)},
		{"- 3 days", at(newYork, 2026, 6, 14, 15, 4, 5)},
		{"-1 day", at(newYork, 2026, 6, 16, 15, 4, 5)},
		{"-2w", at(newYork, 2026, 6, 3, 15, 4, 5)},
		{"-1m", at(newYork, 2026, 5, 17, 15, 4, 5)},
		{"-6 months", at(newYork, 2025, 12, 17, 15, 4, 5)},
		{"-1y", at(newYork, 2025, 6, 17, 15, 4, 5)},
		{"-2h", at(newYork, 2026, 6, 17, 13, 4, 5)},
		{"-30min", at(newYork, 2026, 6, 17, 14, 34, 5)},
		{"-90 minutes", at(newYork, 2026, 6, 17, 13, 34, 5)},
		{"-0d", wed},
		{"+0d", wed},
		{"monday", noon(2026, 6, 15)},
		{"Mon", noon(2026, 6, 15)},
		{"wednesday", noon(2026, 6, 10)}, // the last one before today, not today
		{"tue", noon(2026, 6, 16)},
		{"thurs", noon(2026, 6, 11)},
		{"last friday", noon(2026, 6, 12)},
		{"sunday", noon(2026, 6, 14)},
	}
	for _, c := range cases {
		got, err := ParseWhen(c.in, wed, newYork)
		if err != nil {
			t.Errorf("ParseWhen(%q): %v", c.in, err)
			continue
		}
		if !got.Equal(c.want) {
			t.Errorf("ParseWhen(%q) = %v, want %v", c.in, got, c.want)
		}
		if got.Location() != newYork {
			t.Errorf("ParseWhen(%q) is in %v, want the shop's zone", c.in, got.Location())
		}
	}
}

func TestParseWhenRefuses(t *testing.T) {
	cases := []struct{ in, want string }{
		{"tomorrow", "in the future"},
		{"+1d", "in the future"},
		{"+2h", "in the future"},
		{"next monday", "in the future"},
		{"2026-06-18", "in the future"},
		{"2026-06-17 15:06", "in the future"},
		{"2026-06-17T20:00:00Z", "in the future"},
		{"9999-12-31", "in the future"},
		{"1969-12-31", "before 1970"},
		{"1900-01-01 10:00", "before 1970"},
		{"-100y", "before 1970"},
		{"2026-02-30", "not a real day, as February 2026 has 28 days"},
		{"2026-02-29", "not a real day"},
		{"2026-04-31", "April 2026 has 30 days"},
		{"2026-06-00", "not a real day"},
		{"2026-13-01", "month 13"},
		{"2026-00-10", "month 0"},
		{"0000-01-01", "year 0"},
		{"2026-06-01 24:00", "no such time"},
		{"2026-06-01 12:60", "no such time"},
		{"2026-06-01 12:30:61", "no such time"},
		{"abc", "not a date Patron understands"},
		{"12/06/2026", "not a date"},
		{"06-01", "not a date"},
		{"20260601", "not a date"},
		{"٢٠٢٦-٠٦-٠١", "not a date"}, // Arabic-Indic digits
		{"２０２６-０６-０１", "not a date"}, // fullwidth digits
		{"2026-06-1x", "not a date"},
		{"-3", "not a date"},
		{"3d", "not a date"},
		{"-3x", "not a date"},
		{"-123456d", "not a date"},
		{"1e9", "not a date"},
		{"last", "not a date"},
		{"last month", "not a date"},
		{"\x1b[2J", "not a date"},
		{"\xff\xfe", "not a date"},
		{strings.Repeat("9", 10000), "too long"},
	}
	for _, c := range cases {
		_, err := ParseWhen(c.in, wed, newYork)
		wantFieldError(t, c.in, err, "when", c.want)
	}
}

func TestParseWhenMonthEnds(t *testing.T) {
	cases := []struct {
		now  time.Time
		in   string
		want time.Time
	}{
		{at(newYork, 2026, 3, 31, 10, 0, 0), "-1m", at(newYork, 2026, 2, 28, 10, 0, 0)},
		{at(newYork, 2024, 3, 31, 10, 0, 0), "-1m", at(newYork, 2024, 2, 29, 10, 0, 0)},
		{at(newYork, 2024, 2, 29, 10, 0, 0), "-1y", at(newYork, 2023, 2, 28, 10, 0, 0)},
		{at(newYork, 2026, 5, 31, 10, 0, 0), "-1m", at(newYork, 2026, 4, 30, 10, 0, 0)},
		{at(newYork, 2026, 1, 31, 10, 0, 0), "-2m", at(newYork, 2025, 11, 30, 10, 0, 0)},
		{at(newYork, 2026, 1, 15, 10, 0, 0), "-13m", at(newYork, 2024, 12, 15, 10, 0, 0)},
		{at(newYork, 2026, 3, 1, 10, 0, 0), "-1d", at(newYork, 2026, 2, 28, 10, 0, 0)},
		{at(newYork, 2024, 3, 1, 10, 0, 0), "yesterday", at(newYork, 2024, 2, 29, 12, 0, 0)},
		{at(newYork, 2026, 1, 1, 0, 30, 0), "-1d", at(newYork, 2025, 12, 31, 0, 30, 0)},
	}
	for _, c := range cases {
		got, err := ParseWhen(c.in, c.now, newYork)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("ParseWhen(%q) at %v = %v, %v; want %v", c.in, c.now, got, err, c.want)
		}
	}
}

// Daylight-saving days are 23 or 25 hours long: a day back keeps the clock
// time, a time inside the skipped hour moves forward, and a time that
// happens twice is the first one.
func TestParseWhenDaylightSaving(t *testing.T) {
	cases := []struct {
		loc  *time.Location
		now  time.Time
		in   string
		want time.Time // in UTC, hand-checked against the zone's rules
	}{
		// New York springs forward at 02:00 EST to 03:00 EDT on 2026-03-08.
		{newYork, at(newYork, 2026, 3, 9, 1, 30, 0), "-1d", utc(2026, 3, 8, 6, 30)},
		{newYork, at(newYork, 2026, 3, 9, 12, 0, 0), "2026-03-08 02:30", utc(2026, 3, 8, 7, 30)},
		{newYork, at(newYork, 2026, 3, 9, 12, 0, 0), "2026-03-08 02:00", utc(2026, 3, 8, 7, 0)},
		{newYork, at(newYork, 2026, 3, 9, 12, 0, 0), "2026-03-08 01:59", utc(2026, 3, 8, 6, 59)},
		{newYork, at(newYork, 2026, 3, 9, 12, 0, 0), "2026-03-08 03:00", utc(2026, 3, 8, 7, 0)},
		{newYork, at(newYork, 2026, 3, 9, 12, 0, 0), "2026-03-08", utc(2026, 3, 8, 16, 0)},
		{newYork, at(newYork, 2026, 3, 9, 12, 0, 0), "yesterday", utc(2026, 3, 8, 16, 0)},
		{newYork, at(newYork, 2026, 3, 8, 3, 30, 0), "-2h", utc(2026, 3, 8, 5, 30)},
		{newYork, at(newYork, 2026, 3, 8, 3, 30, 0), "-1d", utc(2026, 3, 7, 8, 30)},
		{newYork, at(newYork, 2026, 3, 9, 2, 30, 0), "-1d", utc(2026, 3, 8, 7, 30)}, // 02:30 never happened that day
		// New York falls back at 02:00 EDT to 01:00 EST on 2026-11-01.
		{newYork, at(newYork, 2026, 11, 2, 12, 0, 0), "2026-11-01 01:30", utc(2026, 11, 1, 5, 30)},
		{newYork, at(newYork, 2026, 11, 2, 12, 0, 0), "2026-11-01 00:59", utc(2026, 11, 1, 4, 59)},
		{newYork, at(newYork, 2026, 11, 2, 12, 0, 0), "2026-11-01 02:00", utc(2026, 11, 1, 7, 0)},
		{newYork, at(newYork, 2026, 11, 2, 1, 30, 0), "-1d", utc(2026, 11, 1, 5, 30)},
		{newYork, utc(2026, 11, 1, 7, 0), "-2h", utc(2026, 11, 1, 5, 0)},
		// Lisbon springs forward at 01:00 WET to 02:00 WEST on 2026-03-29
		// and falls back at 02:00 WEST to 01:00 WET on 2026-10-25.
		{lisbon, utc(2026, 3, 30, 12, 0), "2026-03-29 01:30", utc(2026, 3, 29, 1, 30)},
		{lisbon, utc(2026, 3, 30, 12, 0), "2026-03-29 00:30", utc(2026, 3, 29, 0, 30)},
		{lisbon, utc(2026, 3, 30, 12, 0), "2026-03-29 02:30", utc(2026, 3, 29, 1, 30)},
		{lisbon, utc(2026, 10, 26, 12, 0), "2026-10-25 01:30", utc(2026, 10, 25, 0, 30)},
		{lisbon, utc(2026, 10, 26, 12, 0), "2026-10-25 02:30", utc(2026, 10, 25, 2, 30)},
		{lisbon, utc(2026, 10, 26, 0, 15), "-1d", utc(2026, 10, 24, 23, 15)},
		// Lord Howe moves by half an hour.
		{lordHowe, utc(2026, 10, 5, 0, 0), "2026-10-04 02:15", utc(2026, 10, 3, 15, 45)},
	}
	for _, c := range cases {
		got, err := ParseWhen(c.in, c.now, c.loc)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("ParseWhen(%q) at %v = %v, %v; want %v", c.in, c.now.In(c.loc), got, err, c.want.In(c.loc))
		}
	}
}

func TestParseWhenNilZoneIsLocal(t *testing.T) {
	now := time.Date(2026, 6, 17, 15, 0, 0, 0, time.Local)
	got, err := ParseWhen("-1d", now, nil)
	if err != nil || !got.Equal(time.Date(2026, 6, 16, 15, 0, 0, 0, time.Local)) {
		t.Errorf("ParseWhen with no zone = %v, %v", got, err)
	}
}

func day(loc *time.Location, y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

func TestParseDue(t *testing.T) {
	cases := []struct {
		now  time.Time
		in   string
		want time.Time
	}{
		{wed, "today", day(newYork, 2026, 6, 17)},
		{wed, "now", day(newYork, 2026, 6, 17)},
		{wed, " Tomorrow ", day(newYork, 2026, 6, 18)},
		{wed, "+0d", day(newYork, 2026, 6, 17)},
		{wed, "+3d", day(newYork, 2026, 6, 20)},
		{wed, "+3 days", day(newYork, 2026, 6, 20)},
		{wed, "+20d", day(newYork, 2026, 7, 7)},
		{wed, "+2w", day(newYork, 2026, 7, 1)},
		{wed, "+1m", day(newYork, 2026, 7, 17)},
		{wed, "+7m", day(newYork, 2027, 1, 17)},
		{wed, "+1y", day(newYork, 2027, 6, 17)},
		{wed, "friday", day(newYork, 2026, 6, 19)},
		{wed, "wed", day(newYork, 2026, 6, 24)}, // the next one after today
		{wed, "tuesday", day(newYork, 2026, 6, 23)},
		{wed, "next monday", day(newYork, 2026, 6, 22)},
		{wed, "2026-12-01", day(newYork, 2026, 12, 1)},
		{wed, "2026-01-05", day(newYork, 2026, 1, 5)}, // an explicit past date: already overdue
		{wed, "9999-12-31", day(newYork, 9999, 12, 31)},
		{at(newYork, 2026, 1, 31, 9, 0, 0), "+1m", day(newYork, 2026, 2, 28)},
		{at(newYork, 2028, 1, 31, 9, 0, 0), "+1m", day(newYork, 2028, 2, 29)},
		{at(newYork, 2026, 8, 31, 9, 0, 0), "+1m", day(newYork, 2026, 9, 30)},
		{at(newYork, 2026, 12, 31, 9, 0, 0), "+2m", day(newYork, 2027, 2, 28)},
		{at(newYork, 2028, 2, 29, 9, 0, 0), "+1y", day(newYork, 2029, 2, 28)},
		{at(newYork, 2028, 2, 29, 9, 0, 0), "+4y", day(newYork, 2032, 2, 29)},
		{at(newYork, 2026, 12, 31, 23, 59, 0), "tomorrow", day(newYork, 2027, 1, 1)},
		// The shop's day decides: 03:30 UTC is still the evening before in New York.
		{utc(2026, 6, 18, 3, 30), "today", day(newYork, 2026, 6, 17)},
	}
	for _, c := range cases {
		got, err := ParseDue(c.in, c.now, newYork)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("ParseDue(%q) at %v = %v, %v; want %v", c.in, c.now, got, err, c.want)
		}
	}
}

func TestParseDueRefuses(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "is empty"},
		{"yesterday", "counts back"},
		{"-3d", "counts back"},
		{"-1m", "counts back"},
		{"last monday", "counts back"},
		{"+2h", "a whole day"},
		{"+30min", "a whole day"},
		{"2026-12-01 14:30", "time of day"},
		{"2026-12-01T14:30:00Z", "time of day"},
		{"2026-02-30", "not a real day"},
		{"2026-13-01", "month 13"},
		{"0000-06-01", "year 0"},
		{"1969-07-20", "before 1970"},
		{"+99999y", "too far ahead"},
		{"soon", "not a date"},
		{"+3", "not a date"},
	}
	for _, c := range cases {
		_, err := ParseDue(c.in, wed, newYork)
		wantFieldError(t, c.in, err, "due date", c.want)
	}
}

func TestParseDay(t *testing.T) {
	cases := []struct {
		in   string
		want time.Time
	}{
		{"today", day(newYork, 2026, 6, 17)},
		{"now", day(newYork, 2026, 6, 17)},
		{"yesterday", day(newYork, 2026, 6, 16)},
		{"tomorrow", day(newYork, 2026, 6, 18)},
		{"-1d", day(newYork, 2026, 6, 16)},
		{"-1m", day(newYork, 2026, 5, 17)},
		{"-2y", day(newYork, 2024, 6, 17)},
		{"+1w", day(newYork, 2026, 6, 24)},
		{"last monday", day(newYork, 2026, 6, 15)},
		{"next monday", day(newYork, 2026, 6, 22)},
		{"last wednesday", day(newYork, 2026, 6, 10)},
		{"next wed", day(newYork, 2026, 6, 24)},
		{"2026-12-01", day(newYork, 2026, 12, 1)},
		{"1970-01-01", day(newYork, 1970, 1, 1)},
		{"2024-02-29", day(newYork, 2024, 2, 29)},
	}
	for _, c := range cases {
		got, err := ParseDay(c.in, wed, newYork)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("ParseDay(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	refused := []struct{ in, want string }{
		{"", "is empty"},
		{"monday", "does not say which monday: use last monday, next monday"},
		{"-2h", "a whole day"},
		{"2026-12-01 10:00", "time of day"},
		{"2026-02-29", "not a real day"},
		{"1969-12-31", "before 1970"},
		{"-60y", "before 1970"},
		{"whenever", "not a date"},
	}
	for _, c := range refused {
		_, err := ParseDay(c.in, wed, newYork)
		wantFieldError(t, c.in, err, "date", c.want)
	}
}

// The first instant of a day is midnight, except where the clocks skip
// midnight (then 01:00) or pass it twice (then the first one).
func TestStartAndEndOfDay(t *testing.T) {
	cases := []struct {
		loc        *time.Location
		day        string
		start, end time.Time // end is the next day's start
	}{
		{newYork, "2026-06-17", utc(2026, 6, 17, 4, 0), utc(2026, 6, 18, 4, 0)},
		{newYork, "2026-03-08", utc(2026, 3, 8, 5, 0), utc(2026, 3, 9, 4, 0)},   // 23 hours
		{newYork, "2026-11-01", utc(2026, 11, 1, 4, 0), utc(2026, 11, 2, 5, 0)}, // 25 hours
		{lisbon, "2026-03-29", utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 23, 0)},
		{lisbon, "2026-10-25", utc(2026, 10, 24, 23, 0), utc(2026, 10, 26, 0, 0)},
		{santiago, "2026-09-06", utc(2026, 9, 6, 4, 0), utc(2026, 9, 7, 3, 0)},   // starts at 01:00
		{havana, "2026-03-08", utc(2026, 3, 8, 5, 0), utc(2026, 3, 9, 4, 0)},     // starts at 01:00
		{havana, "2026-11-01", utc(2026, 11, 1, 4, 0), utc(2026, 11, 2, 5, 0)},   // midnight twice: the first
		{apia, "2011-12-30", utc(2011, 12, 30, 10, 0), utc(2011, 12, 30, 10, 0)}, // Samoa skipped this day
		{time.UTC, "2026-06-17", utc(2026, 6, 17, 0, 0), utc(2026, 6, 18, 0, 0)},
	}
	for _, c := range cases {
		now := time.Date(2027, 1, 1, 0, 0, 0, 0, c.loc)
		got, err := ParseDay(c.day, now, c.loc)
		if err != nil || !got.Equal(c.start) {
			t.Errorf("%v ParseDay(%s) = %v, %v; want %v", c.loc, c.day, got, err, c.start.In(c.loc))
			continue
		}
		if c.loc != apia {
			if got.In(c.loc).Format(DayFormat) != c.day {
				t.Errorf("%v: the start of %s is on %v", c.loc, c.day, got)
			}
			if d := DayOf(got.Add(7*time.Hour), c.loc); !d.Equal(c.start) {
				t.Errorf("%v: DayOf a time on %s = %v, want %v", c.loc, c.day, d, c.start)
			}
		}
		if end := EndOfDay(got, c.loc); c.loc != apia && !end.Equal(c.end.Add(-time.Nanosecond)) {
			t.Errorf("%v EndOfDay(%s) = %v, want just before %v", c.loc, c.day, end, c.end.In(c.loc))
		}
	}
}

func TestParseBirthday(t *testing.T) {
	ok := []struct {
		in   string
		want Birthday
	}{
		{"", Birthday{}},
		{"  ", Birthday{}},
		{"12-24", Birthday{Month: 12, Day: 24}},
		{" 12-24 ", Birthday{Month: 12, Day: 24}},
		{"1-5", Birthday{Month: 1, Day: 5}},
		{"01-05", Birthday{Month: 1, Day: 5}},
		{"1990-12-24", Birthday{Year: 1990, Month: 12, Day: 24}},
		{"1990-1-2", Birthday{Year: 1990, Month: 1, Day: 2}},
		{"--12-24", Birthday{Month: 12, Day: 24}},
		{"--1224", Birthday{Month: 12, Day: 24}},
		{"02-29", Birthday{Month: 2, Day: 29}},
		{"--0229", Birthday{Month: 2, Day: 29}},
		{"2000-02-29", Birthday{Year: 2000, Month: 2, Day: 29}},
		{"2024-02-29", Birthday{Year: 2024, Month: 2, Day: 29}},
		{"1900-01-01", Birthday{Year: 1900, Month: 1, Day: 1}},
	}
	for _, c := range ok {
		got, err := ParseBirthday(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseBirthday(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	refused := []struct{ in, want string }{
		{"2001-02-29", "February has no day 29"},
		{"1900-02-29", "February has no day 29"}, // 1900 was not a leap year
		{"02-30", "February has no day 30"},
		{"04-31", "April has no day 31"},
		{"13-01", "month 13"},
		{"00-10", "month 0"},
		{"12-00", "no day 0"},
		{"0000-12-24", "year 0"},
		{"1800-01-01", "not plausible"},
		{"3000-01-01", "not plausible"},
		{"12/24", "not a birthday"},
		{"24.12.", "not a birthday"},
		{"Dec 24", "not a birthday"},
		{"1224", "not a birthday"},
		{"-12-24", "not a birthday"},
		{"--12-24-", "not a birthday"},
		{"１２-２４", "not a birthday"},
		{"١٢-٢٤", "not a birthday"},
		{"1990-12-24 10:00", "not a birthday"},
		{"\x1b]0;x\x07", "not a birthday"},
		{strings.Repeat("1", 10000), "not a birthday"},
	}
	for _, c := range refused {
		_, err := ParseBirthday(c.in)
		wantFieldError(t, c.in, err, "birthday", c.want)
	}
}

func TestBirthdayIn(t *testing.T) {
	cases := []struct {
		b    Birthday
		year int
		want time.Time
	}{
		{Birthday{Month: 12, Day: 24}, 2026, day(newYork, 2026, 12, 24)},
		{Birthday{Year: 1990, Month: 12, Day: 24}, 2026, day(newYork, 2026, 12, 24)},
		{Birthday{Month: 2, Day: 29}, 2027, day(newYork, 2027, 2, 28)},
		{Birthday{Month: 2, Day: 29}, 2028, day(newYork, 2028, 2, 29)},
		{Birthday{Year: 2000, Month: 2, Day: 29}, 2100, day(newYork, 2100, 2, 28)},
		{Birthday{Month: 3, Day: 8}, 2026, day(newYork, 2026, 3, 8)},
	}
	for _, c := range cases {
		if got := BirthdayIn(c.b, c.year, newYork); !got.Equal(c.want) {
			t.Errorf("BirthdayIn(%v, %d) = %v, want %v", c.b, c.year, got, c.want)
		}
	}
	if got := BirthdayIn(Birthday{Month: 9, Day: 6}, 2026, santiago); got.In(santiago).Day() != 6 {
		t.Errorf("a birthday on a day whose midnight is skipped starts on %v", got)
	}
}

func TestFormatRelative(t *testing.T) {
	cases := []struct {
		t    time.Time
		want string
	}{
		{time.Time{}, "never"},
		{wed, "today"},
		{at(newYork, 2026, 6, 17, 0, 0, 0), "today"},
		{at(newYork, 2026, 6, 17, 23, 59, 0), "today"},
		{at(newYork, 2026, 6, 16, 23, 59, 0), "yesterday"},
		{at(newYork, 2026, 6, 18, 0, 0, 0), "tomorrow"},
		{at(newYork, 2026, 6, 14, 18, 0, 0), "3 days ago"},
		{at(newYork, 2026, 6, 20, 8, 0, 0), "in 3 days"},
		{at(newYork, 2026, 6, 4, 8, 0, 0), "13 days ago"},
		{at(newYork, 2026, 6, 3, 8, 0, 0), "2 weeks ago"},
		{at(newYork, 2026, 7, 1, 8, 0, 0), "in 2 weeks"},
		{at(newYork, 2026, 5, 27, 8, 0, 0), "3 weeks ago"},
		{at(newYork, 2026, 4, 19, 8, 0, 0), "8 weeks ago"}, // 59 days
		{at(newYork, 2026, 4, 17, 8, 0, 0), "2 months ago"},
		{at(newYork, 2026, 1, 17, 8, 0, 0), "5 months ago"},
		{at(newYork, 2026, 1, 18, 8, 0, 0), "4 months ago"},
		{at(newYork, 2025, 6, 18, 8, 0, 0), "11 months ago"},
		{at(newYork, 2025, 6, 17, 8, 0, 0), "1 year ago"},
		{at(newYork, 2024, 6, 18, 8, 0, 0), "1 year ago"},
		{at(newYork, 2023, 6, 17, 8, 0, 0), "3 years ago"},
		{at(newYork, 2026, 12, 17, 8, 0, 0), "in 6 months"},
		{at(newYork, 2028, 6, 17, 8, 0, 0), "in 2 years"},
		// Calendar days in the shop's zone: 03:30 UTC is 23:30 the evening before in New York.
		{utc(2026, 6, 17, 3, 30), "yesterday"},
	}
	for _, c := range cases {
		if got := FormatRelative(c.t, wed, newYork); got != c.want {
			t.Errorf("FormatRelative(%v) = %q, want %q", c.t, got, c.want)
		}
	}
	if got := FormatRelative(utc(2026, 6, 17, 3, 30), utc(2026, 6, 17, 19, 0), time.UTC); got != "today" {
		t.Errorf("in UTC the same instant is %q, want today", got)
	}
	// Only 23.5 hours passed across the spring-forward night, but it was yesterday.
	if got := FormatRelative(at(newYork, 2026, 3, 8, 0, 0, 0), at(newYork, 2026, 3, 9, 0, 30, 0), newYork); got != "yesterday" {
		t.Errorf("across the DST night: %q, want yesterday", got)
	}
	// From Jan 31 to Feb 28 is a whole month, reached at the month's end.
	if got := FormatRelative(at(newYork, 2026, 1, 31, 9, 0, 0), at(newYork, 2026, 4, 30, 9, 0, 0), newYork); got != "3 months ago" {
		t.Errorf("from a month's last day: %q, want 3 months ago", got)
	}
}

func TestDaysBetween(t *testing.T) {
	cases := []struct {
		a, b time.Time
		want int
	}{
		{wed, wed, 0},
		{at(newYork, 2026, 3, 7, 23, 0, 0), at(newYork, 2026, 3, 8, 1, 0, 0), 1},
		{at(newYork, 2026, 3, 8, 0, 0, 0), at(newYork, 2026, 3, 9, 0, 0, 0), 1},
		{at(newYork, 2026, 11, 1, 0, 0, 0), at(newYork, 2026, 11, 2, 0, 0, 0), 1},
		{at(newYork, 2026, 6, 17, 0, 0, 0), at(newYork, 2025, 6, 17, 23, 0, 0), -365},
		{at(newYork, 2024, 1, 1, 0, 0, 0), at(newYork, 2025, 1, 1, 0, 0, 0), 366},
	}
	for _, c := range cases {
		if got := DaysBetween(c.a, c.b, newYork); got != c.want {
			t.Errorf("DaysBetween(%v, %v) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// genDay draws a calendar day between 1970 and 2100.
func genDay(t *rapid.T, label string) (int, time.Month, int) {
	y := rapid.IntRange(1970, 2100).Draw(t, label+"year")
	m := time.Month(rapid.IntRange(1, 12).Draw(t, label+"month"))
	d := rapid.IntRange(1, daysIn(m, y)).Draw(t, label+"day")
	return y, m, d
}

// Any day Patron writes, it reads back as that day's start, in every zone.
func TestParseDayRoundTripsProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		loc := rapid.SampledFrom(testZones).Draw(t, "zone")
		y, m, d := genDay(t, "")
		now := time.Date(2101, 1, 1, 0, 0, 0, 0, loc)
		s := fmt.Sprintf("%04d-%02d-%02d", y, m, d)
		got, err := ParseDay(s, now, loc)
		if err != nil {
			t.Fatalf("ParseDay(%s): %v", s, err)
		}
		if got.In(loc).Format(DayFormat) != s {
			t.Fatalf("ParseDay(%s) in %v = %v", s, loc, got)
		}
		if !DayOf(got, loc).Equal(got) || !DayOf(got.Add(-time.Nanosecond), loc).Before(got) {
			t.Fatalf("ParseDay(%s) = %v is not the first instant of the day", s, got)
		}
		end := EndOfDay(got, loc)
		if !DayOf(end, loc).Equal(got) || DayOf(end.Add(time.Nanosecond), loc).Equal(got) {
			t.Fatalf("EndOfDay(%v) = %v is not the last instant of the day", got, end)
		}
		if due, err := ParseDue(s, now, loc); err != nil || !due.Equal(got) {
			t.Fatalf("ParseDue(%s) = %v, %v; ParseDay gave %v", s, due, err, got)
		}
	})
}

// A clock time Patron showed reads back as the same clock time, and a
// relative day lands on the day its arithmetic says.
func TestParseWhenRoundTripsProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		loc := rapid.SampledFrom(testZones).Draw(t, "zone")
		now := time.Unix(rapid.Int64Range(86400*365, 4102444800).Draw(t, "now"), 0).In(loc)
		past := now.Add(-time.Duration(rapid.Int64Range(0, 86400*365*30).Draw(t, "ago")) * time.Second)
		if past.Unix() < 0 {
			t.Skip("before 1970")
		}
		s := past.In(loc).Format("2006-01-02 15:04")
		got, err := ParseWhen(s, now, loc)
		if err != nil {
			t.Fatalf("ParseWhen(%q) at %v: %v", s, now, err)
		}
		if got.In(loc).Format("2006-01-02 15:04") != s {
			t.Fatalf("ParseWhen(%q) = %v", s, got)
		}
		if got.After(now.Add(time.Minute)) {
			t.Fatalf("ParseWhen(%q) = %v is after now %v", s, got, now)
		}
	})
}

func TestParseDueOffsetsProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		loc := rapid.SampledFrom(testZones).Draw(t, "zone")
		y, m, d := genDay(t, "")
		now := time.Date(y, m, d, rapid.IntRange(0, 23).Draw(t, "hour"), rapid.IntRange(0, 59).Draw(t, "min"), 0, 0, loc)
		ny, nm, nd := now.Date() // may differ from y-m-d inside a skipped hour
		n := rapid.IntRange(0, 400).Draw(t, "n")

		got, err := ParseDue(fmt.Sprintf("+%dd", n), now, loc)
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(ny, nm, nd+n, 0, 0, 0, 0, time.UTC).Format(DayFormat); got.In(loc).Format(DayFormat) != want {
			t.Fatalf("+%dd from %v = %v, want %s", n, now, got, want)
		}
		if DaysBetween(now, got, loc) != n {
			t.Fatalf("+%dd from %v is %d days away", n, now, DaysBetween(now, got, loc))
		}

		months := n % 50
		got, err = ParseDue(fmt.Sprintf("+%dm", months), now, loc)
		if err != nil {
			t.Fatal(err)
		}
		gy, gm, gd := got.In(loc).Date()
		if (gy*12+int(gm))-(ny*12+int(nm)) != months {
			t.Fatalf("+%dm from %v = %v: wrong month", months, now, got)
		}
		if want := min(nd, daysIn(gm, gy)); gd != want {
			t.Fatalf("+%dm from %v = %v: day %d, want %d (clamped to the month's end)", months, now, got, gd, want)
		}
	})
}

func TestWallClockProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		loc := rapid.SampledFrom(testZones).Draw(t, "zone")
		y, m, d := genDay(t, "")
		h, mi := rapid.IntRange(0, 23).Draw(t, "hour"), rapid.IntRange(0, 59).Draw(t, "min")
		got := wallClock(y, m, d, h, mi, 0, 0, loc)
		want := fmt.Sprintf("%04d-%02d-%02d %02d:%02d", y, m, d, h, mi)
		if got.In(loc).Format("2006-01-02 15:04") == want {
			// Shown as asked: and no earlier instant shows it too.
			for back := 30 * time.Minute; back <= 3*time.Hour; back += 30 * time.Minute {
				if got.Add(-back).In(loc).Format("2006-01-02 15:04") == want {
					t.Fatalf("%s in %v: %v, but %v shows it too and is earlier", want, loc, got, got.Add(-back))
				}
			}
			return
		}
		// Not shown: the time must not exist, and the result is the clock
		// just after the jump (at most a skipped day later).
		naive := time.Date(y, m, d, h, mi, 0, 0, time.UTC)
		for u := naive.Add(-15 * time.Hour); u.Before(naive.Add(15 * time.Hour)); u = u.Add(15 * time.Minute) {
			if u.In(loc).Format("2006-01-02 15:04") == want {
				t.Fatalf("%s exists in %v (at %v) but wallClock gave %v", want, loc, u, got)
			}
		}
		g := got.In(loc)
		shown := time.Date(g.Year(), g.Month(), g.Day(), g.Hour(), g.Minute(), 0, 0, time.UTC)
		if jump := shown.Sub(naive); jump <= 0 || jump > 25*time.Hour {
			t.Fatalf("%s in %v does not exist; wallClock gave %v, %v away", want, loc, got, jump)
		}
	})
}

func TestFormatRelativeProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		loc := rapid.SampledFrom(testZones).Draw(t, "zone")
		now := time.Unix(rapid.Int64Range(0, 4102444800).Draw(t, "now"), 0)
		then := now.Add(time.Duration(rapid.Int64Range(-86400*3000, 86400*3000).Draw(t, "delta")) * time.Second)
		s := FormatRelative(then, now, loc)
		days := DaysBetween(then, now, loc)
		switch {
		case days == 0 && s != "today", days == 1 && s != "yesterday", days == -1 && s != "tomorrow":
			t.Fatalf("%d days: %q", days, s)
		case days > 1 && !strings.HasSuffix(s, " ago"), days < -1 && !strings.HasPrefix(s, "in "):
			t.Fatalf("%d days: %q", days, s)
		case strings.HasPrefix(s, "0 ") || strings.Contains(s, " 0 ") || strings.Contains(s, "-"):
			t.Fatalf("%d days: %q", days, s)
		}
	})
}
