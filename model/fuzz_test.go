package model

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Fuzz targets for every parser of outside input in model. Run one with
// go test ./model -run=^$ -fuzz=FuzzParseMoney -fuzztime=10s
// Without -fuzz, the seeds below (and any crashers saved under
// testdata/fuzz) run as ordinary tests.

// safeMessage fails when an error message could do anything to a terminal.
func safeMessage(t *testing.T, input string, err error) {
	t.Helper()
	if msg := err.Error(); Sanitize(msg) != msg || len(msg) > 400 {
		t.Fatalf("%q: error message is not safe and short: %q", input, msg)
	}
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"12", "12.5", "12.50", "$12.50", "1,234.50", "12,50", "1.234,50", "€12,50", "12,50 €",
		"12.505", "-5", "-0", "abc", "", "1e9", "١٢", "１２", "0,500", "¥1,200", "KD 1,234.567", "1000000000.99",
		"99999999999", ".5", "12.", "\x1b[2J", "\xff", "+12", "USD 1", "1,,2"} {
		for i := range 4 {
			f.Add(s, uint8(i*7))
		}
	}
	all := allCurrencies()
	f.Fuzz(func(t *testing.T, s string, which uint8) {
		c := all[int(which)%len(all)]
		m, err := ParseMoney(s, c)
		if err != nil {
			if m != 0 || !errors.Is(err, ErrMoney) {
				t.Fatalf("ParseMoney(%q, %s) = %d, %v", s, c.Code, m, err)
			}
			safeMessage(t, s, err)
			return
		}
		if m < 0 || int64(m) >= int64(maxMajor+1)*pow10(c.Digits) {
			t.Fatalf("ParseMoney(%q, %s) = %d is out of range", s, c.Code, m)
		}
		for _, form := range []string{m.Plain(c), m.Display(c)} {
			if again, err := ParseMoney(form, c); err != nil || again != m {
				t.Fatalf("ParseMoney(%q, %s) = %d, but %q reads as %d, %v", s, c.Code, m, form, again, err)
			}
		}
	})
}

func FuzzParseWhen(f *testing.F) {
	now := wed.Unix()
	for _, s := range []string{"", "now", "today", "yesterday", "tomorrow", "2026-12-01", "2026-06-01 14:30",
		"2026-06-01T14:30:00Z", "-3d", "-2w", "-1m", "-1y", "-2h", "-30min", "+3d", "+1m", "monday", "last friday",
		"next sun", "2026-02-30", "2026-13-01", "0000-01-01", "1969-12-31", "9999-12-31", "-99999y", "+99999y",
		"2026-03-08 02:30", "2026-11-01 01:30", "\x1b[2J", "\xff", "٢٠٢٦-٠٦-٠١"} {
		f.Add(s, now, uint8(1))
		f.Add(s, int64(0), uint8(4))
	}
	f.Add("2011-12-30", int64(1420070400), uint8(200)) // Samoa skipped that day
	zones := append(append([]*time.Location{}, testZones...), apia)
	f.Fuzz(func(t *testing.T, s string, nowUnix int64, which uint8) {
		loc := zones[int(which)%len(zones)]
		now := time.Unix(max(0, min(nowUnix, 253402300799)), 0).In(loc) // 1970 to the end of 9999

		if got, err := ParseWhen(s, now, loc); err != nil {
			wantField(t, s, err, "when")
		} else if got.After(now.Add(time.Minute)) || got.Unix() < 0 {
			t.Fatalf("ParseWhen(%q) at %v = %v: in the future or before 1970", s, now, got)
		}

		for _, p := range []struct {
			field string
			parse func(string, time.Time, *time.Location) (time.Time, error)
		}{{"due date", ParseDue}, {"date", ParseDay}} {
			got, err := p.parse(s, now, loc)
			if err != nil {
				wantField(t, s, err, p.field)
				continue
			}
			if y := got.In(loc).Year(); y < 1970 || y > 9999 {
				t.Fatalf("%s %q = %v: out of range", p.field, s, got)
			}
			if loc != apia && !DayOf(got, loc).Equal(got) {
				t.Fatalf("%s %q = %v is not the start of a day in %v", p.field, s, got, loc)
			}
			if end := EndOfDay(got, loc); !end.After(got) && loc != apia {
				t.Fatalf("%s %q: EndOfDay(%v) = %v", p.field, s, got, end)
			}
			_ = FormatRelative(got, now, loc)
		}
	})
}

func wantField(t *testing.T, s string, err error, field string) {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != field || fe.Fix == "" {
		t.Fatalf("%q: %v is not a %s *FieldError with a fix", s, err, field)
	}
	safeMessage(t, s, err)
}

func FuzzParseBirthday(f *testing.F) {
	for _, s := range []string{"12-24", "1990-12-24", "--12-24", "--1224", "02-29", "2000-02-29", "2001-02-29",
		"13-01", "00-00", "0000-12-24", "1800-01-01", "", " ", "12/24", "--", "-12-24", "\x1b]0;x\x07", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseBirthday(s)
		if err != nil {
			wantField(t, s, err, "birthday")
			return
		}
		if b.IsZero() {
			if strings.TrimSpace(s) != "" {
				t.Fatalf("ParseBirthday(%q) gave no birthday and no error", s)
			}
			return
		}
		if err := b.Validate(); err != nil {
			t.Fatalf("ParseBirthday(%q) = %+v, which is invalid: %v", s, b, err)
		}
		if again, err := ParseBirthday(b.String()); err != nil || again != b {
			t.Fatalf("ParseBirthday(%q) = %+v, but %q reads as %+v, %v", s, b, b.String(), again, err)
		}
		for _, year := range []int{2026, 2027, 2028} {
			if d := BirthdayIn(b, year, newYork); d.Year() != year || int(d.Month()) != b.Month {
				t.Fatalf("BirthdayIn(%+v, %d) = %v", b, year, d)
			}
		}
	})
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"Ana Berg", "José", emoji, rtlArabic, zeroWidth, "\x1b[2J", "\x1b]0;x\x07",
		"\x1b]52;c;SGVsbG8=\x07", "\x07", "\u009b2J", "\u009d0;x\u009c", "\u202eevil", "\xff\xfe", "\x1b", "\x1b[",
		"\x1b]", "\x1bP", "a\tb\nc\r", "\x1b\x1b", "\x1b[12é", "\xc2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Sanitize(s)
		assertSafe(t, s, out)
		if again := Sanitize(out); again != out {
			t.Fatalf("Sanitize is not stable: %q -> %q -> %q", s, out, again)
		}
		if len(out) > 3*len(s) {
			t.Fatalf("Sanitize(%q) grew to %d bytes", s, len(out))
		}
	})
}
