package model

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func currency(t testing.TB, code string) Currency {
	t.Helper()
	c, err := LookupCurrency(code)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestParseMoneyAccepts(t *testing.T) {
	cases := []struct {
		cur, in string
		want    Money
	}{
		{"USD", "12", 1200},
		{"USD", "12.5", 1250},
		{"USD", "12.50", 1250},
		{"USD", "12.05", 1205},
		{"USD", "$12.50", 1250},
		{"USD", "$ 12.50", 1250},
		{"USD", "  12.50  ", 1250},
		{"USD", "12.50$", 1250},
		{"USD", "USD 12.50", 1250},
		{"USD", "usd 12.50", 1250},
		{"USD", "12.50 USD", 1250},
		{"USD", "$12.50 USD", 1250},
		{"USD", "+12", 1200},
		{"USD", "1,234.50", 123450},
		{"USD", "1,234", 123400},
		{"USD", "1,234,567.89", 123456789},
		{"USD", "$1,234.50", 123450},
		{"USD", ".5", 50},
		{"USD", "0", 0},
		{"USD", "0.01", 1},
		{"USD", "007", 700},
		{"USD", "1000000000", 100000000000},
		{"USD", "1000000000.99", 100000000099},
		{"USD", "\u00a012.50\u00a0", 1250}, // no-break spaces around it
		{"EUR", "12,50", 1250},
		{"EUR", "12,5", 1250},
		{"EUR", "12.50", 1250},
		{"EUR", "12.5", 1250},
		{"EUR", "€12,50", 1250},
		{"EUR", "12,50 €", 1250},
		{"EUR", "12,50€", 1250},
		{"EUR", "EUR 12,50", 1250},
		{"EUR", "1.234,50", 123450},
		{"EUR", "€1.234,50", 123450},
		{"EUR", "1.234", 123400},
		{"EUR", "1.234.567", 123456700},
		{"JPY", "1200", 1200},
		{"JPY", "¥1,200", 1200},
		{"JPY", "1,234,567", 1234567},
		{"KWD", "1.500", 1500},
		{"KWD", "KD 1,234.567", 1234567},
		{"KWD", "0.05", 50},
		{"ISK", "kr 1.234", 1234},
		{"ISK", "1234", 1234},
		{"CHF", "CHF 12.50", 1250},
		{"SEK", "12,50 kr", 1250},
		{"BRL", "R$ 1.234,56", 123456},
		{"ZAR", "R12.50", 1250},
	}
	for _, c := range cases {
		got, err := ParseMoney(c.in, currency(t, c.cur))
		if err != nil || got != c.want {
			t.Errorf("ParseMoney(%q, %s) = %d, %v; want %d", c.in, c.cur, got, err, c.want)
		}
	}
}

func TestParseMoneyRefuses(t *testing.T) {
	cases := []struct{ cur, in, want string }{
		{"USD", "", "it is empty"},
		{"USD", "   ", "it is empty"},
		{"USD", "12.505", "at most 2 decimal places"},
		{"USD", "-5", "cannot be negative"},
		{"USD", "-0", "cannot be negative"},
		{"USD", "−5", "cannot be negative"}, // U+2212 minus sign
		{"USD", "$-5", "cannot be negative"},
		{"USD", "-$5", "cannot be negative"},
		{"USD", "abc", "use only the digits 0-9"},
		{"USD", "1e9", "use only the digits 0-9"},
		{"USD", "0x10", "use only the digits 0-9"},
		{"USD", "١٢", "use only the digits 0-9"}, // Arabic-Indic digits
		{"USD", "１２", "use only the digits 0-9"}, // fullwidth digits
		{"USD", "12 50", "use only the digits 0-9"},
		{"USD", "(12.50)", "use only the digits 0-9"},
		{"USD", "$$12", "use only the digits 0-9"},
		{"USD", "€12", "use only the digits 0-9"},
		{"USD", "12,50", "write decimals with a dot, e.g. 12.50"}, // never 1250
		{"USD", "12,5", "write decimals with a dot"},
		{"USD", "1,2345", "write decimals with a dot"},
		{"USD", ",50", "write decimals with a dot"},
		{"USD", "0,500", "thousands separators are misplaced"},
		{"USD", "12,34,567", "thousands separators are misplaced"},
		{"USD", "1234,567", "thousands separators are misplaced"},
		{"USD", "1,,234", "thousands separators are misplaced"},
		{"USD", ",500", "thousands separators are misplaced"},
		{"USD", "1.234,50", `USD writes decimals with "." and thousands with ","`},
		{"USD", "12.50.30", "more than one decimal separator"},
		{"USD", "12.", "nothing follows the decimal separator"},
		{"USD", ".", "there are no digits"},
		{"USD", "$", "there are no digits"},
		{"USD", "1000000001", "too large"},
		{"USD", "99999999999", "too large"},
		{"USD", "99999999999999999999999", "too large"},
		{"USD", "1e999", "use only the digits"},
		{"USD", "\x1b[2J12", "use only the digits"},
		{"USD", "12\x00", "use only the digits"},
		{"USD", "\xff12", "use only the digits"},
		{"EUR", "12,505", "at most 2 decimal places"},
		{"EUR", "12,50,30", "more than one decimal separator"},
		{"EUR", "1,234.50", `EUR writes decimals with "," and thousands with "."`},
		{"EUR", "0.500", "thousands separators are misplaced"},
		{"EUR", "-12,50 €", "cannot be negative"},
		{"JPY", "12.5", "JPY has no minor units"},
		{"JPY", "1200.00", "JPY has no minor units"},
		{"JPY", "12,50", "write decimals with a dot"},
		{"ISK", "1,5", "ISK has no minor units"},
		{"KWD", "1.2345", "at most 3 decimal places"},
	}
	for _, c := range cases {
		got, err := ParseMoney(c.in, currency(t, c.cur))
		if err == nil {
			t.Errorf("ParseMoney(%q, %s) = %d, want an error containing %q", c.in, c.cur, got, c.want)
			continue
		}
		if !errors.Is(err, ErrMoney) {
			t.Errorf("ParseMoney(%q): %v does not wrap ErrMoney", c.in, err)
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseMoney(%q, %s): %q does not contain %q", c.in, c.cur, err, c.want)
		}
		if msg := err.Error(); strings.ContainsAny(msg, "\x1b\x00\x07") || len(msg) > 200 {
			t.Errorf("ParseMoney(%q): message is not safe and short: %q", c.in, msg)
		}
	}
}

func TestParseMoneyZeroCurrency(t *testing.T) {
	// A currency that was never set must not crash parsing or formatting.
	if m, err := ParseMoney("12", Currency{}); err != nil || m != 12 {
		t.Errorf("ParseMoney with no currency = %d, %v", m, err)
	}
	if s := Money(12).Display(Currency{}); s != "12" {
		t.Errorf("Display with no currency = %q", s)
	}
}

func TestMoneyFormats(t *testing.T) {
	cases := []struct {
		cur            string
		m              Money
		plain, display string
	}{
		{"USD", 0, "0.00", "$0.00"},
		{"USD", 5, "0.05", "$0.05"},
		{"USD", 2490, "24.90", "$24.90"},
		{"USD", 123450, "1234.50", "$1,234.50"},
		{"USD", 100000000, "1000000.00", "$1,000,000.00"},
		{"USD", -2490, "-24.90", "-$24.90"},
		{"EUR", 123450, "1234.50", "€1.234,50"},
		{"EUR", 99, "0.99", "€0,99"},
		{"JPY", 1234567, "1234567", "¥1,234,567"},
		{"KWD", 1234567, "1234.567", "KD 1,234.567"},
		{"CHF", 1250, "12.50", "CHF 12.50"},
		{"ISK", 1234, "1234", "kr 1.234"},
		{"SEK", 100, "1.00", "kr 1,00"},
	}
	for _, c := range cases {
		cur := currency(t, c.cur)
		if got := c.m.Plain(cur); got != c.plain {
			t.Errorf("%d %s Plain = %q, want %q", c.m, c.cur, got, c.plain)
		}
		if got := c.m.Display(cur); got != c.display {
			t.Errorf("%d %s Display = %q, want %q", c.m, c.cur, got, c.display)
		}
	}
}

func TestLookupCurrency(t *testing.T) {
	for _, in := range []string{"EUR", "eur", " Eur "} {
		if c, err := LookupCurrency(in); err != nil || c.Code != "EUR" || c.Digits != 2 || !c.DecimalComma {
			t.Errorf("LookupCurrency(%q) = %+v, %v", in, c, err)
		}
	}
	for _, in := range []string{"", "XXX", "euro", "€"} {
		if _, err := LookupCurrency(in); err == nil || !strings.Contains(err.Error(), "ISO code") {
			t.Errorf("LookupCurrency(%q) = %v, want a refusal naming ISO codes", in, err)
		}
	}
}

// allCurrencies lists the known currencies in a fixed order, so rapid can
// shrink and replay a failure.
func allCurrencies() []Currency {
	var out []Currency
	for _, c := range currencies {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// genMoney draws any amount ParseMoney accepts in c, favouring small ones.
func genMoney(c Currency) *rapid.Generator[Money] {
	top := int64(maxMajor+1)*pow10(c.Digits) - 1
	return rapid.OneOf(
		rapid.Map(rapid.Int64Range(0, 100_000), func(v int64) Money { return Money(v) }),
		rapid.Map(rapid.Int64Range(0, top), func(v int64) Money { return Money(v) }),
		rapid.Just(Money(top)),
	)
}

// Every amount written for a file or a person reads back as the same amount,
// in every currency.
func TestMoneyRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := rapid.SampledFrom(allCurrencies()).Draw(t, "currency")
		m := genMoney(c).Draw(t, "amount")
		for _, form := range []string{m.Plain(c), m.Display(c), c.Code + " " + m.Plain(c), m.Plain(c) + " " + strings.TrimSpace(c.Symbol)} {
			got, err := ParseMoney(form, c)
			if err != nil {
				t.Fatalf("ParseMoney(%q, %s): %v", form, c.Code, err)
			}
			if got != m {
				t.Fatalf("ParseMoney(%q, %s) = %d, want %d", form, c.Code, got, m)
			}
		}
	})
}

// No parse gives a negative amount or one beyond the limit, whatever is typed.
func TestParseMoneyRangeProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := rapid.SampledFrom(allCurrencies()).Draw(t, "currency")
		s := rapid.StringOf(rapid.SampledFrom([]rune("0123456789.,-+ $€¥kr١e"))).Draw(t, "input")
		m, err := ParseMoney(s, c)
		if err != nil {
			if m != 0 || !errors.Is(err, ErrMoney) {
				t.Fatalf("ParseMoney(%q) = %d, %v", s, m, err)
			}
			return
		}
		if m < 0 || int64(m) >= int64(maxMajor+1)*pow10(c.Digits) {
			t.Fatalf("ParseMoney(%q, %s) = %d is out of range", s, c.Code, m)
		}
		if again, err := ParseMoney(m.Plain(c), c); err != nil || again != m {
			t.Fatalf("ParseMoney(%q) = %d, but its plain form %q reads as %d, %v", s, m, m.Plain(c), again, err)
		}
	})
}
