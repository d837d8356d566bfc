package model

import (
	"errors"
	"fmt"
	"strings"
)

// Money is an amount in the currency's minor units (cents). Never a float.
type Money int64

// Currency describes how the shop's money is written.
type Currency struct {
	Code         string // ISO 4217
	Symbol       string
	Digits       int  // minor-unit digits: 2 for EUR, 0 for JPY
	DecimalComma bool // the currency is usually written 12,50
}

// currencies are the ISO codes Patron knows how to write.
var currencies = map[string]Currency{
	"USD": {"USD", "$", 2, false}, "EUR": {"EUR", "€", 2, true}, "GBP": {"GBP", "£", 2, false},
	"CAD": {"CAD", "$", 2, false}, "AUD": {"AUD", "$", 2, false}, "NZD": {"NZD", "$", 2, false},
	"CHF": {"CHF", "CHF ", 2, false}, "JPY": {"JPY", "¥", 0, false}, "CNY": {"CNY", "¥", 2, false},
	"INR": {"INR", "₹", 2, false}, "BRL": {"BRL", "R$", 2, true}, "MXN": {"MXN", "$", 2, false},
	"SEK": {"SEK", "kr ", 2, true}, "NOK": {"NOK", "kr ", 2, true}, "DKK": {"DKK", "kr ", 2, true},
	"PLN": {"PLN", "zł ", 2, true}, "CZK": {"CZK", "Kč ", 2, true}, "HUF": {"HUF", "Ft ", 2, true},
	"ZAR": {"ZAR", "R", 2, false}, "SGD": {"SGD", "$", 2, false}, "HKD": {"HKD", "$", 2, false},
	"KRW": {"KRW", "₩", 0, false}, "TRY": {"TRY", "₺", 2, true}, "ILS": {"ILS", "₪", 2, false},
	"ISK": {"ISK", "kr ", 0, true}, "CLP": {"CLP", "$", 0, true}, "ARS": {"ARS", "$", 2, true},
	"KWD": {"KWD", "KD ", 3, false}, "BHD": {"BHD", "BD ", 3, false},
}

// LookupCurrency returns the currency for an ISO 4217 code such as "EUR".
func LookupCurrency(code string) (Currency, error) {
	c, ok := currencies[strings.ToUpper(strings.TrimSpace(code))]
	if !ok {
		return Currency{}, fmt.Errorf("%q is not a currency Patron knows: use an ISO code such as USD, EUR or GBP", code)
	}
	return c, nil
}

// ErrMoney is wrapped by every amount that cannot be read.
var ErrMoney = errors.New("not an amount")

// maxMajor keeps amounts far from int64 overflow when summed: a billion in major units.
const maxMajor = 1_000_000_000

// ParseMoney reads an amount as an owner types it: "12", "12.5", "12.50",
// "$12.50", "1,234.50"; "12,50" only where the currency writes decimals with
// a comma. Negative amounts are refused: the interaction kind says whether
// money goes in or out.
func ParseMoney(s string, c Currency) (Money, error) {
	in := s
	s = strings.TrimSpace(s)
	fail := func(why string) (Money, error) {
		return 0, fmt.Errorf("%s is %w: %s", quoteInput(in), ErrMoney, why)
	}
	if s == "" {
		return fail("it is empty")
	}
	// The code and the symbol may stand before or after the number
	// ("USD 12", "12,50 €", "$12 USD").
	s = stripAffix(s, c.Code)
	s = stripAffix(s, c.Symbol)
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−") {
		return fail("amounts cannot be negative")
	}
	s = strings.TrimPrefix(s, "+")
	dec, group := ".", ","
	if c.DecimalComma {
		dec, group = ",", "."
		// Accept a plain dot decimal too when there is no comma at all and the
		// dot is followed by fewer than three digits ("12.5" is 12,50, not 125).
		if !strings.Contains(s, ",") && strings.Count(s, ".") == 1 {
			if i := strings.Index(s, "."); len(s)-i-1 != 3 {
				dec, group = ".", ","
			}
		}
	} else if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		// "12,50" in a dot-decimal currency is ambiguous: never read it as 1250.
		if i := strings.Index(s, ","); len(s)-i-1 != 3 {
			// Show the corrected amount only when it is plain digits, so the
			// message never repeats odd input unquoted.
			if fixed := strings.Replace(s, ",", ".", 1); len(fixed) <= 16 && asciiDigits(strings.Replace(s, ",", "", 1)) {
				return fail("write decimals with a dot, e.g. " + fixed)
			}
			return fail("write decimals with a dot")
		}
	}
	whole, frac, hasDec := strings.Cut(s, dec)
	if hasDec && strings.Contains(frac, dec) {
		return fail("it has more than one decimal separator")
	}
	if hasDec && strings.Contains(frac, group) {
		return fail(fmt.Sprintf("%s writes decimals with %q and thousands with %q, as in %s", c.Code, dec, group, "1"+group+"234"+dec+"50"))
	}
	// Grouping separators are allowed only between groups of three digits.
	if strings.Contains(whole, group) {
		parts := strings.Split(whole, group)
		for i, p := range parts {
			// A leading zero ("0,500") means the separator was meant as a decimal.
			if (i == 0 && (len(p) == 0 || len(p) > 3 || p[0] == '0')) || (i > 0 && len(p) != 3) {
				return fail("the thousands separators are misplaced")
			}
		}
		whole = strings.Join(parts, "")
	}
	if whole == "" && (!hasDec || frac == "") {
		return fail("there are no digits")
	}
	if whole == "" {
		whole = "0"
	}
	if hasDec && frac == "" {
		return fail("nothing follows the decimal separator")
	}
	if !asciiDigits(whole) || !asciiDigits(frac) {
		return fail("use only the digits 0-9")
	}
	if len(frac) > c.Digits {
		if c.Digits == 0 {
			return fail(fmt.Sprintf("%s has no minor units", c.Code))
		}
		return fail(fmt.Sprintf("%s has at most %d decimal places", c.Code, c.Digits))
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 10 {
		return fail("it is too large")
	}
	var major int64
	for _, r := range whole {
		major = major*10 + int64(r-'0')
	}
	if major > maxMajor {
		return fail("it is too large")
	}
	var minor int64
	for i := 0; i < c.Digits; i++ {
		minor *= 10
		if i < len(frac) {
			minor += int64(frac[i] - '0')
		}
	}
	return Money(major*pow10(c.Digits) + minor), nil
}

// stripAffix removes a currency code or symbol (any case) from either end of s.
func stripAffix(s, affix string) string {
	affix = strings.TrimSpace(affix)
	n := len(affix)
	switch {
	case n == 0 || len(s) < n:
	case strings.EqualFold(s[:n], affix):
		s = strings.TrimSpace(s[n:])
	case strings.EqualFold(s[len(s)-n:], affix):
		s = strings.TrimSpace(s[:len(s)-n])
	}
	return s
}

func asciiDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func pow10(n int) int64 {
	p := int64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

// Plain writes the amount with a dot and the currency's digits, no symbol:
// "24.90". This is the form used in JSON, CSV and on the command line.
func (m Money) Plain(c Currency) string {
	neg := m < 0
	v := int64(m)
	if neg {
		v = -v
	}
	p := pow10(c.Digits)
	s := fmt.Sprintf("%d", v/p)
	if c.Digits > 0 {
		s += fmt.Sprintf(".%0*d", c.Digits, v%p)
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Display writes the amount for people: symbol, grouping and the currency's
// decimal mark ("$1,234.50", "€1.234,50").
func (m Money) Display(c Currency) string {
	neg := m < 0
	v := int64(m)
	if neg {
		v = -v
	}
	p := pow10(c.Digits)
	whole := fmt.Sprintf("%d", v/p)
	group, dec := ",", "."
	if c.DecimalComma {
		group, dec = ".", ","
	}
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(r)
	}
	s := c.Symbol + b.String()
	if c.Digits > 0 {
		s += fmt.Sprintf("%s%0*d", dec, c.Digits, v%p)
	}
	if neg {
		s = "-" + s
	}
	return s
}
