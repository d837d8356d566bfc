package model

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"pgregory.net/rapid"
)

const (
	invalidUTF8 = "Ana \xff\xfe Berg"
	rtlArabic   = "مريم الحسن"
	rtlHebrew   = "שרה לוי"
	zeroWidth   = "Ana\u200bBerg\u200d\ufeff"
	emoji       = "Ana 🎉👩‍👩‍👧 Berg"
	escapes     = "\x1b[2J\x1b]0;pwned\x07Ana\x1b]52;c;SGVsbG8=\x07\a"
)

var long10k = strings.Repeat("x", 10000)

func TestValidateCustomerAccepts(t *testing.T) {
	bd := func(y, m, d int) Birthday { return Birthday{Year: y, Month: m, Day: d} }
	cases := map[string]Customer{
		"name only":             {Name: "Ana"},
		"everything":            {Name: "Ana Berg", Phone: "+1 (555) 123-4567", Email: "ana@example.com", Address: "1 Main St\nSpringfield", Birthday: bd(1990, 12, 24), Tags: []string{"vip", "wedding"}, Preferences: "size M, no nuts", Channel: "email", Source: "walk-in", Notes: "likes blue", Status: StatusActive},
		"emoji":                 {Name: emoji, Notes: strings.Repeat("🎉", MaxLong)},
		"arabic":                {Name: rtlArabic, Address: rtlArabic},
		"hebrew":                {Name: rtlHebrew},
		"zero-width":            {Name: zeroWidth},
		"escapes kept as typed": {Name: escapes, Notes: escapes},
		"200 characters":        {Name: strings.Repeat("é", MaxName)},
		"200 emoji":             {Name: strings.Repeat("🎉", MaxName)},
		"birthday no year":      {Name: "Ana", Birthday: bd(0, 12, 24)},
		"feb 29 no year":        {Name: "Ana", Birthday: bd(0, 2, 29)},
		"feb 29 leap year":      {Name: "Ana", Birthday: bd(2000, 2, 29)},
		"phone with ext":        {Name: "Ana", Phone: "555-1234 ext 12"},
		"phone dots":            {Name: "Ana", Phone: "555.123.4567"},
		"email padded":          {Name: "Ana", Email: " ana@example.com "},
		"email plus":            {Name: "Ana", Email: "ana+shop@mail.example.co.uk"},
		"50 tags":               {Name: "Ana", Tags: strings.Split(strings.Repeat("t,", MaxTags-1)+"t", ",")},
		"archived":              {Name: "Ana", Status: StatusArchived},
		"lost with a reason":    {Name: "Ana", Status: StatusLost, LostReason: "price", LostNote: "found it cheaper"},
		"lost, no reason":       {Name: "Ana", Status: StatusLost},
	}
	for name, c := range cases {
		if err := ValidateCustomer(c); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestValidateCustomerRefuses(t *testing.T) {
	cases := []struct {
		name  string
		c     Customer
		field string
		want  string
	}{
		{"no name", Customer{}, "name", "is required"},
		{"blank name", Customer{Name: " \t\n\u3000"}, "name", "is required"},
		{"201 characters", Customer{Name: strings.Repeat("é", MaxName+1)}, "name", "is 201 characters long: keep it to 200"},
		{"10k name", Customer{Name: long10k}, "name", "is 10000 characters long"},
		{"10k phone", Customer{Name: "Ana", Phone: long10k}, "phone", "is 10000 characters long: keep it to 200"},
		{"10k email", Customer{Name: "Ana", Email: long10k}, "email", "is 10000 characters long"},
		{"10k address", Customer{Name: "Ana", Address: long10k}, "address", "keep it to 5000"},
		{"10k preferences", Customer{Name: "Ana", Preferences: long10k}, "preferences", "keep it to 5000"},
		{"10k notes", Customer{Name: "Ana", Notes: long10k}, "notes", "keep it to 5000"},
		{"10k channel", Customer{Name: "Ana", Channel: long10k}, "preferred channel", "keep it to 200"},
		{"10k source", Customer{Name: "Ana", Source: long10k}, "how they found the shop", "keep it to 200"},
		{"10k defection note", Customer{Name: "Ana", LostNote: long10k}, "defection note", "keep it to 5000"},
		{"10k tag", Customer{Name: "Ana", Tags: []string{long10k}}, "tag", "keep it to 200"},
		{"bad UTF-8 name", Customer{Name: invalidUTF8}, "name", "not valid text"},
		{"bad UTF-8 notes", Customer{Name: "Ana", Notes: invalidUTF8}, "notes", "not valid text"},
		{"bad UTF-8 address", Customer{Name: "Ana", Address: "\xc3"}, "address", "not valid text"},
		{"bad UTF-8 tag", Customer{Name: "Ana", Tags: []string{"\xff"}}, "tag", "not valid text"},
		{"bad UTF-8 email", Customer{Name: "Ana", Email: "ana\xff@example.com"}, "email", "not valid text"},
		{"email no at", Customer{Name: "Ana", Email: "ana"}, "email", "is not an email address"},
		{"email with name", Customer{Name: "Ana", Email: "Ana <ana@example.com>"}, "email", "is not an email address"},
		{"email no dot", Customer{Name: "Ana", Email: "ana@localhost"}, "email", "is not an email address"},
		{"email two ats", Customer{Name: "Ana", Email: "ana@@example.com"}, "email", "is not an email address"},
		{"email escapes", Customer{Name: "Ana", Email: "\x1b[2J@x.com"}, "email", "is not an email address"},
		{"phone short", Customer{Name: "Ana", Phone: "1234"}, "phone", "has 4 digits"},
		{"phone long", Customer{Name: "Ana", Phone: strings.Repeat("1", 21)}, "phone", "has 21 digits"},
		{"phone letters", Customer{Name: "Ana", Phone: "call me"}, "phone", "not part of a phone number"},
		{"phone arabic digits", Customer{Name: "Ana", Phone: "٠١٢٣٤٥٦٧"}, "phone", "not part of a phone number"},
		{"phone escape", Customer{Name: "Ana", Phone: "555\x1b[2J1234"}, "phone", "not part of a phone number"},
		{"feb 30", Customer{Name: "Ana", Birthday: Birthday{Month: 2, Day: 30}}, "birthday", "February has no day 30"},
		{"feb 29 not leap", Customer{Name: "Ana", Birthday: Birthday{Year: 2001, Month: 2, Day: 29}}, "birthday", "no day 29"},
		{"month 13", Customer{Name: "Ana", Birthday: Birthday{Month: 13, Day: 1}}, "birthday", "month 13"},
		{"day without month", Customer{Name: "Ana", Birthday: Birthday{Day: 5}}, "birthday", "month 0"},
		{"year without month", Customer{Name: "Ana", Birthday: Birthday{Year: 1990}}, "birthday", "month 0"},
		{"year 1850", Customer{Name: "Ana", Birthday: Birthday{Year: 1850, Month: 1, Day: 1}}, "birthday", "not plausible"},
		{"51 tags", Customer{Name: "Ana", Tags: make([]string, MaxTags+1)}, "tags", "has 51 tags"},
		{"unknown status", Customer{Name: "Ana", Status: "deleted"}, "status", `"deleted" is not a status`},
		{"unknown reason", Customer{Name: "Ana", Status: StatusLost, LostReason: "weather"}, "defection reason", "use price, product"},
	}
	for _, c := range cases {
		err := ValidateCustomer(c.c)
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%s: %v is not a *FieldError", c.name, err)
			continue
		}
		if fe.Field != c.field || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %q (field %q), want field %q and %q", c.name, err, fe.Field, c.field, c.want)
		}
		if msg := err.Error(); Sanitize(msg) != msg || utf8.RuneCountInString(msg) > 300 {
			t.Errorf("%s: the message is not safe to show or is too long: %q", c.name, msg)
		}
	}
}

func TestBirthdayString(t *testing.T) {
	cases := map[Birthday]string{
		{}:                               "",
		{Month: 12, Day: 24}:             "12-24",
		{Month: 1, Day: 5}:               "01-05",
		{Year: 1990, Month: 12, Day: 24}: "1990-12-24",
	}
	for b, want := range cases {
		if got := b.String(); got != want {
			t.Errorf("%+v.String() = %q, want %q", b, got, want)
		}
		if want == "" {
			continue
		}
		if back, err := ParseBirthday(want); err != nil || back != b {
			t.Errorf("ParseBirthday(%q) = %+v, %v; want %+v", want, back, err, b)
		}
	}
}

// Every valid birthday writes and reads back as itself.
func TestBirthdayRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := Birthday{Year: rapid.OneOf(rapid.Just(0), rapid.IntRange(1900, 2100)).Draw(t, "year"), Month: rapid.IntRange(1, 12).Draw(t, "month"), Day: rapid.IntRange(1, 31).Draw(t, "day")}
		err := b.Validate()
		got, perr := ParseBirthday(b.String())
		if (err == nil) != (perr == nil) {
			t.Fatalf("%+v: Validate says %v, ParseBirthday(%q) says %v", b, err, b.String(), perr)
		}
		if err == nil && got != b {
			t.Fatalf("ParseBirthday(%q) = %+v, want %+v", b.String(), got, b)
		}
	})
}

func TestCleanCustomer(t *testing.T) {
	in := Customer{Name: "  Ana \t  Berg\n", Phone: " 555 1234 ", Email: " ana@example.com\n", Address: "\n1 Main St\n", Channel: " email ", Source: " walk-in ", Preferences: " blue ", Notes: "  likes tea\n", Tags: []string{" VIP", "vip ", "", "wedding  day", "Wedding Day"}}
	want := Customer{Name: "Ana Berg", Phone: "555 1234", Email: "ana@example.com", Address: "1 Main St", Channel: "email", Source: "walk-in", Preferences: "blue", Notes: "likes tea", Tags: []string{"VIP", "wedding day"}}
	if got := CleanCustomer(in); !reflect.DeepEqual(got, want) {
		t.Errorf("CleanCustomer =\n%+v\nwant\n%+v", got, want)
	}
	// What the owner typed inside a field is kept: RTL, emoji, zero-width.
	for _, s := range []string{rtlArabic, emoji, zeroWidth} {
		if got := CleanCustomer(Customer{Name: s, Notes: s}); got.Notes != s {
			t.Errorf("CleanCustomer changed %q to %q", s, got.Notes)
		}
	}
}

func TestParseTags(t *testing.T) {
	cases := map[string][]string{
		"":                    nil,
		" , ,, ":              nil,
		"vip":                 {"vip"},
		"vip, wedding,  ":     {"vip", "wedding"},
		"VIP,vip, Vip":        {"VIP"},
		"  big   spender , a": {"big spender", "a"},
		"🎉, مريم":             {"🎉", "مريم"},
	}
	for in, want := range cases {
		if got := ParseTags(in); !reflect.DeepEqual(got, want) {
			t.Errorf("ParseTags(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPhoneDigitsAndNormalizeEmail(t *testing.T) {
	phones := map[string]string{"+1 (555) 123-4567": "15551234567", "555.1234 ext 9": "55512349", "": "", "٠١٢": "", "abc": ""}
	for in, want := range phones {
		if got := PhoneDigits(in); got != want {
			t.Errorf("PhoneDigits(%q) = %q, want %q", in, got, want)
		}
	}
	emails := map[string]string{" Ana@Example.COM ": "ana@example.com", "": "", "a@b.c": "a@b.c"}
	for in, want := range emails {
		if got := NormalizeEmail(in); got != want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSanitize(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"Ana Berg", "Ana Berg"},
		{"José Müller-Øst", "José Müller-Øst"},
		{emoji, emoji},
		{rtlArabic, rtlArabic},
		{rtlHebrew, rtlHebrew},
		{zeroWidth, zeroWidth},
		{"e\u0301", "e\u0301"},
		{"\x1b[2J", ""},
		{"Ana\x1b[2JBerg", "AnaBerg"},
		{"\x1b[31mred\x1b[0m", "red"},
		{"\x1b[?1049h\x1b[H", ""},
		{"\x1b]0;x\x07Ana", "Ana"},
		{"\x1b]0;x\x1b\\Ana", "Ana"},
		{"\x1b]0;x\u009cAna", "Ana"},
		{"\x1b]52;c;SGVsbG8=\x07Ana", "Ana"},
		{"\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"},
		{"\x1bPq#0;2;0;0;0\x1b\\Ana", "Ana"},
		{"\x1b_Gf=100;AAAA\x1b\\Ana", "Ana"},
		{"\x1b]0;never ended", ""},
		{"bell\a", "bell"},
		{"\x00nul\x7fdel\x08bs", "nuldelbs"},
		{"\u009b2J", ""},
		{"\u009b31mred", "red"},
		{"\u009d0;title\u0007Ana", "Ana"},
		{"\u009d0;title\u009cAna", "Ana"},
		{"\u0085next\u0084", "next"},
		{"a\tb\nc\r\nd", "a b c  d"},
		{"\u202eevil\u202c", "evil"},
		{"\u2066x\u2069\u200f\u200e\u061c", "x"},
		{"\xff", "\uFFFD"},
		{"a\xc3", "a\uFFFD"},
		{"\x1b", ""},
		{"\x1bé", "é"},
		{"\x1b\x1b[2JAna", "Ana"},
		{"\x1b[\nX", " X"},
		{"\x1b[12é", "é"},
	}
	for _, c := range cases {
		if got := Sanitize(c.in); got != c.want {
			t.Errorf("Sanitize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// assertSafe fails when s could do anything to a terminal but show text.
func assertSafe(t interface{ Fatalf(string, ...any) }, in, out string) {
	if !utf8.ValidString(out) {
		t.Fatalf("Sanitize(%q) = %q is not valid UTF-8", in, out)
	}
	for i := 0; i < len(out); i++ {
		if b := out[i]; b < 0x20 || b == 0x7f {
			t.Fatalf("Sanitize(%q) = %q keeps byte %#x", in, out, b)
		}
	}
	for _, r := range out {
		if unicode.IsControl(r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C {
			t.Fatalf("Sanitize(%q) = %q keeps %U", in, out, r)
		}
	}
}

// Whatever comes in, what goes out is only text, and a second pass changes nothing.
func TestSanitizeProperty(t *testing.T) {
	nasty := []rune("\x1b\x07\x00\x7f\t\n\r[]\\;0123Pa_^X\u009b\u009c\u009d\u0085\u202e\u2066\u200f\u061cé🎉م ")
	rapid.Check(t, func(t *rapid.T) {
		in := rapid.OneOf(
			rapid.String(),
			rapid.StringOf(rapid.SampledFrom(nasty)),
			rapid.Map(rapid.SliceOf(rapid.Byte()), func(b []byte) string { return string(b) }),
		).Draw(t, "text")
		out := Sanitize(in)
		assertSafe(t, in, out)
		if again := Sanitize(out); again != out {
			t.Fatalf("Sanitize is not stable: %q -> %q -> %q", in, out, again)
		}
	})
}

// Text with nothing to remove comes out as it went in.
func TestSanitizeKeepsTextProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := rapid.StringOf(rapid.RuneFrom(nil, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs)).Draw(t, "text")
		if out := Sanitize(in); out != in {
			t.Fatalf("Sanitize(%q) = %q, want it unchanged", in, out)
		}
	})
}

func TestParseKind(t *testing.T) {
	for _, k := range Kinds {
		if got, ok := ParseKind(string(k)); !ok || got != k {
			t.Errorf("ParseKind(%q) = %q, %v", k, got, ok)
		}
	}
	aliases := map[string]Kind{"repair": KindReturn, "return-repair": KindReturn, "card": KindCardSent, "card_sent": KindCardSent, "redeem": KindRedeemed, "reward": KindRedeemed, "reward_redeemed": KindRedeemed}
	for in, want := range aliases {
		if got, ok := ParseKind(in); !ok || got != want {
			t.Errorf("ParseKind(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "bogus", "purchases", "\x1b[2J"} {
		if got, ok := ParseKind(in); ok {
			t.Errorf("ParseKind(%q) = %q, want no kind", in, got)
		}
	}
}

func TestValidateInteraction(t *testing.T) {
	now := time.Date(2026, 6, 17, 15, 0, 0, 0, time.UTC)
	base := func(k Kind) Interaction { return Interaction{Customer: 7, At: now.Add(-time.Hour), Kind: k} }
	with := func(k Kind, f func(*Interaction)) Interaction { i := base(k); f(&i); return i }

	ok := map[string]Interaction{
		"visit":                base(KindVisit),
		"purchase":             with(KindPurchase, func(i *Interaction) { i.Amount = 2490 }),
		"return":               with(KindReturn, func(i *Interaction) { i.Amount = 990 }),
		"return no amount":     base(KindReturn),
		"feedback 1":           with(KindFeedback, func(i *Interaction) { i.Score = 1 }),
		"feedback 5":           with(KindFeedback, func(i *Interaction) { i.Score = 5 }),
		"complaint":            with(KindComplaint, func(i *Interaction) { i.Category = "service"; i.Note = rtlArabic }),
		"referral":             with(KindReferral, func(i *Interaction) { i.Referred = 8 }),
		"under a minute ahead": with(KindCall, func(i *Interaction) { i.At = now.Add(59 * time.Second) }),
		"1970":                 with(KindNote, func(i *Interaction) { i.At = time.Unix(0, 0) }),
		"note 5000 emoji":      with(KindNote, func(i *Interaction) { i.Note = strings.Repeat("🎉", MaxLong) }),
	}
	for name, i := range ok {
		if err := ValidateInteraction(i, now); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	refused := []struct {
		name  string
		i     Interaction
		field string
		want  string
	}{
		{"no kind", base(""), "kind", "is not a kind of interaction"},
		{"unknown kind", base("party"), "kind", "use one of purchase, visit"},
		{"alias not stored as its kind", with("repair", func(i *Interaction) { i.Amount = 500 }), "kind", `"repair" is not a kind`},
		{"no customer", with(KindVisit, func(i *Interaction) { i.Customer = 0 }), "customer", "is missing"},
		{"no time", with(KindVisit, func(i *Interaction) { i.At = time.Time{} }), "when", "is missing"},
		{"before 1970", with(KindVisit, func(i *Interaction) { i.At = time.Date(1969, 12, 31, 23, 59, 0, 0, time.UTC) }), "when", "before 1970"},
		{"future", with(KindVisit, func(i *Interaction) { i.At = now.Add(61 * time.Second) }), "when", "is in the future"},
		{"far future", with(KindVisit, func(i *Interaction) { i.At = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) }), "when", "is in the future"},
		{"negative", with(KindReturn, func(i *Interaction) { i.Amount = -1 }), "amount", "is negative"},
		{"purchase no amount", base(KindPurchase), "amount", "a purchase needs an amount"},
		{"visit with amount", with(KindVisit, func(i *Interaction) { i.Amount = 100 }), "amount", "only for purchases and returns"},
		{"score 0", base(KindFeedback), "score", "0 is outside 1-5"},
		{"score 6", with(KindFeedback, func(i *Interaction) { i.Score = 6 }), "score", "6 is outside 1-5"},
		{"score on a call", with(KindCall, func(i *Interaction) { i.Score = 3 }), "score", "only for feedback"},
		{"refers themselves", with(KindReferral, func(i *Interaction) { i.Referred = 7 }), "referred customer", "same customer"},
		{"10k note", with(KindNote, func(i *Interaction) { i.Note = long10k }), "note", "keep it to 5000"},
		{"bad UTF-8 note", with(KindNote, func(i *Interaction) { i.Note = invalidUTF8 }), "note", "not valid text"},
		{"10k category", with(KindComplaint, func(i *Interaction) { i.Category = long10k }), "category", "keep it to 5000"},
		{"bad UTF-8 resolution", with(KindComplaint, func(i *Interaction) { i.Resolution = "\xff" }), "resolution", "not valid text"},
		{"10k channel", with(KindCall, func(i *Interaction) { i.Channel = long10k }), "channel", "keep it to 5000"},
	}
	for _, c := range refused {
		err := ValidateInteraction(c.i, now)
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%s: %v is not a *FieldError", c.name, err)
			continue
		}
		if fe.Field != c.field || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %q (field %q), want field %q and %q", c.name, err, fe.Field, c.field, c.want)
		}
	}
}
