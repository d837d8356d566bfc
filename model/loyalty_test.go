package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// loyLoc is the shop's zone in these tests: a zone with DST, west of UTC, so
// a shop day differs from the UTC day in the evening.
var loyLoc = func() *time.Location {
	l, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	return l
}()

// loyNow is "today" for the table tests: 2026-11-25, mid-afternoon.
var loyNow = time.Date(2026, 11, 25, 15, 0, 0, 0, loyLoc)

func on(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, loyLoc) }

// story builds interactions with ids in order.
type story []Interaction

func (s story) add(k Kind, at time.Time, amount Money, score int) story {
	return append(s, Interaction{ID: ID(len(s) + 1), Customer: 1, Kind: k, At: at, Amount: amount, Score: score})
}
func (s story) buy(at time.Time, amount Money) story { return s.add(KindPurchase, at, amount, 0) }
func (s story) visit(at time.Time) story             { return s.add(KindVisit, at, 0, 0) }

func (s story) customer() Customer {
	return Customer{ID: 1, Name: "Ana Lima", Stats: ComputeStats(s, loyLoc)}
}

// daysBack is noon on the shop day n days before loyNow.
func daysBack(n int) time.Time { return on(2026, 11, 25-n) }

func TestRungAtThresholdAndWindowEdges(t *testing.T) {
	ls := DefaultLoyalty()
	supporterVisits := func(n int) story { // one purchase and n-1 plain visits on distinct days
		s := story{}.buy(daysBack(1), 1000)
		for i := 1; i < n; i++ {
			s = s.visit(daysBack(10 + i))
		}
		return s
	}
	cases := []struct {
		name    string
		s       story
		partner bool
		want    Rung
	}{
		{"nothing logged", story{}, false, RungProspect},
		{"eight visits but never a purchase", story{}.visit(daysBack(1)).visit(daysBack(2)).visit(daysBack(3)).visit(daysBack(4)).
			visit(daysBack(5)).visit(daysBack(6)).visit(daysBack(7)).visit(daysBack(8)), false, RungProspect},
		{"one purchase two years ago", story{}.buy(on(2024, 11, 1), 1000), false, RungCustomer},
		{"a purchase fully returned is still a purchase", story{}.buy(daysBack(5), 1000).add(KindReturn, daysBack(4), 1000, 0), false, RungCustomer},
		{"two purchases in 12 months", story{}.buy(daysBack(1), 1000).buy(daysBack(40), 1000), false, RungCustomer},
		{"three purchases in 12 months", story{}.buy(daysBack(1), 1000).buy(daysBack(40), 1000).buy(daysBack(300), 1000), false, RungClient},
		{"three purchases on one day", story{}.buy(daysBack(3), 1000).buy(daysBack(3).Add(time.Hour), 1000).buy(daysBack(3).Add(2*time.Hour), 1000), false, RungClient},
		{"the third purchase exactly 12 months ago today", story{}.buy(daysBack(1), 1000).buy(daysBack(40), 1000).buy(on(2025, 11, 25), 1000), false, RungCustomer},
		{"the third purchase 12 months ago tomorrow", story{}.buy(daysBack(1), 1000).buy(daysBack(40), 1000).buy(on(2025, 11, 26), 1000), false, RungClient},
		{"the third purchase at 00:01 on the window's first day", story{}.buy(daysBack(1), 1000).buy(daysBack(40), 1000).buy(time.Date(2025, 11, 26, 0, 1, 0, 0, loyLoc), 1000), false, RungClient},
		// 2025-11-26 03:30 UTC is still Nov 25 in New York: the shop's day decides.
		{"the third purchase late on the day 12 months ago, shop time", story{}.buy(daysBack(1), 1000).buy(daysBack(40), 1000).buy(time.Date(2025, 11, 26, 3, 30, 0, 0, time.UTC), 1000), false, RungCustomer},
		{"seven visit days", supporterVisits(7), false, RungCustomer},
		{"eight visit days", supporterVisits(8), false, RungSupporter},
		{"eight visits on seven days", supporterVisits(7).visit(daysBack(1).Add(time.Hour)), false, RungCustomer},
		{"eight visit days, one exactly 12 months ago", supporterVisits(7).visit(on(2025, 11, 25)), false, RungCustomer},
		{"spend 499.99", story{}.buy(daysBack(2), 49999), false, RungCustomer},
		{"spend 500.00", story{}.buy(daysBack(2), 50000), false, RungSupporter},
		{"spend 520.00 less a return of 20.01", story{}.buy(daysBack(2), 52000).add(KindReturn, daysBack(1), 2001, 0), false, RungCustomer},
		{"spend 500.00 made exactly 12 months ago", story{}.buy(on(2025, 11, 25), 50000), false, RungCustomer},
		{"supporter who referred someone", story{}.buy(daysBack(2), 50000).add(KindReferral, daysBack(100), 0, 0), false, RungAdvocate},
		{"supporter whose referral was exactly 12 months ago", story{}.buy(daysBack(2), 50000).add(KindReferral, on(2025, 11, 25), 0, 0), false, RungSupporter},
		{"supporter with a 5-star feedback", story{}.buy(daysBack(2), 50000).add(KindFeedback, daysBack(1), 0, 5), false, RungAdvocate},
		{"supporter with a 4-star feedback", story{}.buy(daysBack(2), 50000).add(KindFeedback, daysBack(1), 0, 4), false, RungSupporter},
		{"client who referred someone is not an advocate", story{}.buy(daysBack(1), 100).buy(daysBack(2), 100).buy(daysBack(3), 100).add(KindReferral, daysBack(1), 0, 0), false, RungClient},
		{"partner, set by hand", story{}, true, RungPartner},
		{"partner who is also an advocate", story{}.buy(daysBack(2), 50000).add(KindFeedback, daysBack(1), 0, 5), true, RungPartner},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.s.customer()
			c.Partner = tc.partner
			if got := RungOf(c, ls, loyNow, loyLoc); got != tc.want {
				t.Errorf("RungOf = %s, want %s (days %+v)", got, tc.want, c.Stats.Days)
			}
			if !tc.partner {
				if got := slowRung(tc.s, ls, loyNow, loyLoc); got != tc.want {
					t.Errorf("the slow replay says %s, want %s", got, tc.want)
				}
			}
		})
	}
}

func TestWindowEdgesAroundFebruary29(t *testing.T) {
	ls := DefaultLoyalty()
	s := story{}.buy(on(2024, 2, 29), 1000).buy(on(2024, 12, 1), 1000).buy(on(2025, 1, 10), 1000)
	c := s.customer()
	for _, tc := range []struct {
		now  time.Time
		want Rung
	}{
		{on(2025, 2, 27), RungClient},
		{on(2025, 2, 28), RungClient}, // Feb 29 counts up to Feb 28 of the next year
		{on(2025, 3, 1), RungCustomer},
	} {
		if got := RungOf(c, ls, tc.now, loyLoc); got != tc.want {
			t.Errorf("on %s: %s, want %s", tc.now.Format("2006-01-02"), got, tc.want)
		}
	}
	for _, tc := range []struct{ today, start, expiry string }{
		{"2026-11-25", "2025-11-26", ""},
		{"2025-02-28", "2024-02-29", ""},
		{"2025-03-01", "2024-03-02", ""},
		{"2028-02-29", "2027-03-01", ""},
		{"2026-03-31", "2025-04-01", ""},
		{"2024-02-29", "", "2025-03-01"},
		{"2023-02-28", "", "2024-02-28"},
		{"2025-01-31", "", "2026-01-31"},
	} {
		d := mustDay(t, tc.today)
		if tc.start != "" {
			if got := fmtDay(windowStart(d)); got != tc.start {
				t.Errorf("window ending %s starts %s, want %s", tc.today, got, tc.start)
			}
		}
		if tc.expiry != "" {
			if got := fmtDay(expiryDay(d)); got != tc.expiry {
				t.Errorf("something on %s stops counting on %s, want %s", tc.today, got, tc.expiry)
			}
		}
	}
}

func mustDay(t *testing.T, s string) int32 {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	return makeDay(d.Date())
}

func fmtDay(n int32) string {
	y, m, d := splitDay(n)
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
}

// TestExpiryIsWhereTheWindowLetsGoProperty: an event on day e counts on day
// X exactly when X is from e up to the day before expiryDay(e), and the
// window's start never moves back.
func TestExpiryIsWhereTheWindowLetsGoProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		base := time.Date(1990, 1, 1, 12, 0, 0, 0, time.UTC)
		e := base.AddDate(0, 0, rapid.IntRange(0, 20000).Draw(rt, "e"))
		ed := makeDay(e.Date())
		x := e.AddDate(0, 0, rapid.IntRange(0, 800).Draw(rt, "gap"))
		xd := makeDay(x.Date())
		counts := windowStart(xd) <= ed
		if counts != (xd < expiryDay(ed)) {
			rt.Fatalf("event %s on %s: window starts %s, expiry %s", fmtDay(ed), fmtDay(xd), fmtDay(windowStart(xd)), fmtDay(expiryDay(ed)))
		}
		next := makeDay(x.AddDate(0, 0, 1).Date())
		if windowStart(next) < windowStart(xd) {
			rt.Fatalf("window start moves back from %s to %s", fmtDay(windowStart(xd)), fmtDay(windowStart(next)))
		}
	})
}

// TestDayArithmeticMatchesTheTimePackageProperty: the integer calendar
// used for speed agrees with time.Date, including month and day overflow.
func TestDayArithmeticMatchesTheTimePackageProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		y := rapid.IntRange(1900, 2200).Draw(rt, "y")
		m := time.Month(rapid.IntRange(-30, 40).Draw(rt, "m"))
		d := rapid.IntRange(-400, 400).Draw(rt, "d")
		want := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
		if got := fmtDay(makeDay(y, m, d)); got != want.Format("2006-01-02") {
			rt.Fatalf("makeDay(%d, %d, %d) = %s, want %s", y, m, d, got, want.Format("2006-01-02"))
		}
		k := rapid.IntRange(-800, 800).Draw(rt, "k")
		base := makeDay(want.Date())
		if got := fmtDay(addDays(base, k)); got != want.AddDate(0, 0, k).Format("2006-01-02") {
			rt.Fatalf("%s + %d days = %s", fmtDay(base), k, got)
		}
		if ShopDay(base).String() != want.Format("2006-01-02") || !ShopDay(base).Start(loyLoc).Equal(StartOfDay(want.Year(), want.Month(), want.Day(), loyLoc)) {
			rt.Fatalf("ShopDay %d", base)
		}
	})
}

func TestProgressSaysWhatIsMissing(t *testing.T) {
	ls := DefaultLoyalty()
	usd, _ := LookupCurrency("USD")
	client465 := story{}.buy(daysBack(1), 15500).buy(daysBack(2), 15500).buy(daysBack(3), 15500)
	cases := []struct {
		name    string
		s       story
		partner bool
		next    Rung
		top     bool
		says    string
	}{
		{"prospect", story{}.visit(daysBack(1)), false, RungCustomer, false, "a first purchase"},
		{"customer with one purchase", story{}.buy(daysBack(1), 100), false, RungClient, false, "2 more purchases"},
		{"customer with two purchases", story{}.buy(daysBack(1), 100).buy(daysBack(2), 100), false, RungClient, false, "1 more purchase"},
		{"client with 3 visits and 465.00", client465, false, RungSupporter, false, "5 more visits or 35.00 more"},
		{"supporter", story{}.buy(daysBack(1), 50000), false, RungAdvocate, false, "a referral or a 5-star feedback"},
		{"advocate", story{}.buy(daysBack(1), 50000).add(KindReferral, daysBack(1), 0, 0), false, RungAdvocate, true, ""},
		{"partner", story{}, true, RungPartner, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.s.customer()
			c.Partner = tc.partner
			p := ProgressOf(c, ls, loyNow, loyLoc)
			if p.Next != tc.next || p.Top != tc.top || p.Describe(usd) != tc.says {
				t.Errorf("progress %+v says %q; want next %s, top %v, %q", p, p.Describe(usd), tc.next, tc.top, tc.says)
			}
			if p.Rung != RungOf(c, ls, loyNow, loyLoc) {
				t.Errorf("progress rung %s differs from RungOf", p.Rung)
			}
		})
	}
}

func TestCloseToNextAtTwentyPercent(t *testing.T) {
	ls := DefaultLoyalty()
	buys := func(n int) story {
		s := story{}
		for i := 0; i < n; i++ {
			s = s.buy(daysBack(i+1), 100)
		}
		return s
	}
	visitsAnd := func(days int, spend Money) story { // a client (3 purchases) with this many visit days
		s := story{}.buy(daysBack(1), spend-200).buy(daysBack(2), 100).buy(daysBack(3), 100)
		for i := 3; i < days; i++ {
			s = s.visit(daysBack(10 + i))
		}
		return s
	}
	cases := []struct {
		name    string
		s       story
		close   bool
		measure Measure
	}{
		{"prospect: no threshold to be close to", story{}.visit(daysBack(1)), false, ""},
		{"1 of 3 purchases", buys(1), false, ""},
		{"2 of 3 purchases: 1 to go is within 20% rounded up", buys(2), true, MeasurePurchases},
		{"5 of 8 visits", visitsAnd(5, 1000), false, ""},
		{"6 of 8 visits", visitsAnd(6, 1000), true, MeasureVisits},
		{"399.99 of 500.00", visitsAnd(3, 39999), false, ""},
		{"400.00 of 500.00", visitsAnd(3, 40000), true, MeasureSpend},
		{"supporter: an advocate needs an event, not a threshold", story{}.buy(daysBack(1), 50000), false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.s.customer()
			g, ok := CloseToNext(c, ls, loyNow, loyLoc)
			if ok != tc.close || (ok && g.Measure != tc.measure) {
				t.Errorf("CloseToNext = %+v, %v; want %v on %q (progress %+v)", g, ok, tc.close, tc.measure, ProgressOf(c, ls, loyNow, loyLoc))
			}
		})
	}
}

func TestSlippingWithinThirtyDays(t *testing.T) {
	ls := DefaultLoyalty()
	// A client whose oldest purchase stops counting on 2026-12-25 (30 days on).
	s := story{}.buy(on(2025, 12, 25), 100).buy(daysBack(5), 100).buy(daysBack(2), 100)
	c := s.customer()
	sl, ok := Slipping(c, ls, loyNow, loyLoc, 30)
	if !ok || sl.From != RungClient || sl.To != RungCustomer || !sl.On.Equal(time.Date(2026, 12, 25, 0, 0, 0, 0, loyLoc)) {
		t.Fatalf("Slipping = %+v, %v; want client to customer on 2026-12-25", sl, ok)
	}
	if _, ok := Slipping(c, ls, loyNow, loyLoc, 29); ok {
		t.Error("a drop 30 days away is reported within 29 days")
	}
	later := story{}.buy(on(2025, 12, 26), 100).buy(daysBack(5), 100).buy(daysBack(2), 100).customer()
	if sl, ok := Slipping(later, ls, loyNow, loyLoc, SlipDays); ok {
		t.Errorf("a drop 31 days away is reported: %+v", sl)
	}
	partner := c
	partner.Partner = true
	if _, ok := Slipping(partner, ls, loyNow, loyLoc, SlipDays); ok {
		t.Error("a partner slipped")
	}
	if _, ok := Slipping(story{}.buy(on(2025, 12, 1), 100).customer(), ls, loyNow, loyLoc, SlipDays); ok {
		t.Error("a customer slipped: having bought once never lapses")
	}
}

func TestPointsForUsesTheEarnRate(t *testing.T) {
	def := DefaultLoyalty()
	two := def
	two.EarnPoints = 2
	perTen := def
	perTen.EarnPer = 1000
	cases := []struct {
		name   string
		k      Kind
		amount Money
		ls     LoyaltySettings
		want   int64
	}{
		{"24.90 at 1 per 1.00", KindPurchase, 2490, def, 24},
		{"0.99 earns nothing", KindPurchase, 99, def, 0},
		{"exactly 1.00", KindPurchase, 100, def, 1},
		{"a return of 24.90 takes back 24", KindReturn, 2490, def, -24},
		{"2 per whole 1.00", KindPurchase, 2490, two, 48},
		{"1 per 10.00", KindPurchase, 2490, perTen, 2},
		{"a visit earns nothing", KindVisit, 0, def, 0},
		{"an unusable rate earns nothing rather than failing", KindPurchase, 2490, LoyaltySettings{}, 0},
	}
	for _, tc := range cases {
		if got := PointsFor(tc.k, tc.amount, tc.ls); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestReturnNeverTakesPointsBelowZero(t *testing.T) {
	ls := DefaultLoyalty()
	s := story{}.buy(daysBack(3), 1000)
	s[0].Points = PointsFor(KindPurchase, 1000, ls)
	s = s.add(KindReturn, daysBack(2), 3000, 0)
	s[1].Points = PointsFor(KindReturn, 3000, ls)
	if got := ComputeStats(s, loyLoc).Points; got != 0 {
		t.Fatalf("10 points less 30: %d, want 0", got)
	}
	s = s.buy(daysBack(1), 500)
	s[2].Points = PointsFor(KindPurchase, 500, ls)
	if got := ComputeStats(s, loyLoc).Points; got != 5 {
		t.Fatalf("after a 5.00 purchase: %d, want 5", got)
	}
}

func TestLoyaltySettingsValidation(t *testing.T) {
	mod := func(f func(*LoyaltySettings)) LoyaltySettings {
		ls := DefaultLoyalty()
		f(&ls)
		return ls
	}
	cases := []struct {
		name  string
		ls    LoyaltySettings
		field string
		says  string
	}{
		{"defaults", DefaultLoyalty(), "", ""},
		{"no rewards at all", mod(func(l *LoyaltySettings) { l.Rewards = nil }), "", ""},
		{"client at 1 purchase is just a customer", mod(func(l *LoyaltySettings) { l.ClientPurchases = 1 }), "client purchases", "at least 2"},
		{"supporter visits equal to client purchases", mod(func(l *LoyaltySettings) { l.SupporterVisits = 3 }), "supporter visits", "ladder rises"},
		{"supporter visits below client purchases", mod(func(l *LoyaltySettings) { l.ClientPurchases = 10 }), "supporter visits", "not more than the purchases a client needs (10)"},
		{"more visit days than a year has", mod(func(l *LoyaltySettings) { l.SupporterVisits = 400 }), "supporter visits", "366"},
		{"no supporter spend", mod(func(l *LoyaltySettings) { l.SupporterSpend = 0 }), "supporter spend", "500.00"},
		{"earn rate of 0 points", mod(func(l *LoyaltySettings) { l.EarnPoints = 0 }), "earn rate", "at least 1 point"},
		{"earn rate per nothing", mod(func(l *LoyaltySettings) { l.EarnPer = 0 }), "earn rate", "per 1.00"},
		{"a reward with no name", mod(func(l *LoyaltySettings) { l.Rewards[1].Name = "  " }), "reward 2", "no name"},
		{"a reward for 0 points", mod(func(l *LoyaltySettings) { l.Rewards[0].Points = 0 }), `reward "5.00 off"`, "at least 1 point"},
		{"a reward for fewer than 0 points", mod(func(l *LoyaltySettings) { l.Rewards[0].Points = -5 }), `reward "5.00 off"`, "-5"},
		{"two rewards of one name", mod(func(l *LoyaltySettings) { l.Rewards[1].Name = "5.00 OFF" }), `reward "5.00 OFF"`, "listed twice (rewards 1 and 2)"},
		{"a reward name with an escape", mod(func(l *LoyaltySettings) { l.Rewards[0].Name = "gift\x1b[2J" }), "reward 1 name", "control"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.ls.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("error %v; want field %q saying %q", err, tc.field, tc.says)
			}
		})
	}
}

func TestLoyaltySetByName(t *testing.T) {
	usd, _ := LookupCurrency("USD")
	ls := DefaultLoyalty()
	for _, tc := range []struct{ key, value string }{
		{"client_purchases", "4"}, {"supporter-visits", "10"}, {"supporter_spend", "$450"}, {"earn_points", "2"}, {"earn_per", "5.00"},
	} {
		if err := ls.Set(tc.key, tc.value, usd); err != nil {
			t.Fatalf("Set(%s, %s): %v", tc.key, tc.value, err)
		}
	}
	want := LoyaltySettings{ClientPurchases: 4, SupporterVisits: 10, SupporterSpend: 45000, EarnPoints: 2, EarnPer: 500, Rewards: DefaultLoyalty().Rewards}
	if fmt.Sprint(ls) != fmt.Sprint(want) {
		t.Fatalf("after setting: %+v, want %+v", ls, want)
	}
	for _, tc := range []struct{ key, value, says string }{
		{"client_purchases", "three", "not a whole number"},
		{"client_purchases", "99999999999", "not a whole number"},
		{"client_purchases", "12", "supporter visits"}, // would no longer rise
		{"supporter_spend", "-5", "negative"},
		{"earn_points", "0", "at least 1 point"},
		{"bonus", "1", "no loyalty setting"},
	} {
		before := ls
		err := ls.Set(tc.key, tc.value, usd)
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("Set(%s, %s) = %v; want it to say %q", tc.key, tc.value, err, tc.says)
		}
		if fmt.Sprint(ls) != fmt.Sprint(before) {
			t.Errorf("a refused Set(%s, %s) changed the settings", tc.key, tc.value)
		}
	}
}

func TestLoyaltySettingsReadBackOverTheDefaults(t *testing.T) {
	st := DefaultSettings()
	st.Loyalty.Rewards = nil // the owner emptied the catalogue
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	back := DefaultSettings()
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Loyalty.Rewards) != 0 {
		t.Errorf("an emptied catalogue came back as %+v", back.Loyalty.Rewards)
	}
	old := DefaultSettings()
	if err := json.Unmarshal([]byte(`{"shop_name":"Lima","currency":"EUR"}`), &old); err != nil {
		t.Fatal(err)
	}
	if old.Loyalty.Validate() != nil || len(old.Loyalty.Rewards) != 2 {
		t.Errorf("a file without loyalty settings does not get the defaults: %+v", old.Loyalty)
	}
}

func TestRewardsCatalogue(t *testing.T) {
	ls := DefaultLoyalty()
	if r, err := ls.FindReward("  FREE gift wrap "); err != nil || r.Points != 50 {
		t.Errorf("FindReward = %+v, %v", r, err)
	}
	if _, err := ls.FindReward("a car"); err == nil || !strings.Contains(err.Error(), `"free gift wrap" (50 points)`) {
		t.Errorf("an unknown reward: %v", err)
	}
	if got := ls.Affordable(99); len(got) != 1 || got[0].Name != "free gift wrap" {
		t.Errorf("Affordable(99) = %+v", got)
	}
	if r, missing, ok := ls.NextReward(80); !ok || r.Name != "5.00 off" || missing != 20 {
		t.Errorf("NextReward(80) = %+v, %d, %v", r, missing, ok)
	}
	err := error(&NotEnoughPoints{Customer: "Ana Lima", Reward: ls.Rewards[0], Have: 80})
	if !errors.Is(err, ErrNotEnoughPoints) || !strings.Contains(err.Error(), "20 more points") {
		t.Errorf("refusal: %v", err)
	}
}

func TestDaysHoldOnlyLoyaltyFactsInTheirMonths(t *testing.T) {
	s := story{}.buy(on(2025, 7, 31), 1000). // before the DayMonths up to the newest: left out
							buy(on(2025, 8, 1), 1000).               // the first day covered
							add(KindCall, on(2025, 3, 1), 0, 0).     // not a loyalty fact
							add(KindFeedback, on(2025, 3, 2), 0, 4). // neither
							buy(on(2026, 11, 20), 2000).visit(on(2026, 11, 20)).add(KindReturn, on(2026, 11, 20), 500, 0).
							add(KindFeedback, on(2026, 11, 21), 0, 5).add(KindReferral, on(2026, 11, 22), 0, 0)
	got := ComputeStats(s, loyLoc).Days
	want := []DayStats{
		{Day: 20250801, Visit: true, Purchases: 1, Spend: 1000},
		{Day: 20261120, Visit: true, Purchases: 1, Spend: 1500},
		{Day: 20261121, FiveStars: 1},
		{Day: 20261122, Referrals: 1},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Days = %+v\nwant %+v", got, want)
	}
}

// slowRung is the ladder worked out straight from the interactions, written
// apart from the code under test: what happened up to t, in the 12 months
// that end on t's shop day.
func slowRung(list []Interaction, ls LoyaltySettings, t time.Time, loc *time.Location) Rung {
	ty, tm, td := t.In(loc).Date()
	lastOfMonth := time.Date(ty-1, tm+1, 0, 0, 0, 0, 0, time.UTC).Day()
	cut := time.Date(ty-1, tm, min(td, lastOfMonth), 0, 0, 0, 0, time.UTC) // counts only after this day
	purchased := false
	purchases, referrals, fives := 0, 0, 0
	var spend Money
	visitDays := map[time.Time]bool{}
	for _, in := range list {
		if in.At.After(t) {
			continue
		}
		if in.Kind == KindPurchase {
			purchased = true
		}
		y, m, d := in.At.In(loc).Date()
		day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		if !day.After(cut) {
			continue
		}
		switch in.Kind {
		case KindPurchase:
			purchases++
			spend += in.Amount
		case KindReturn:
			spend -= in.Amount
		case KindReferral:
			referrals++
		case KindFeedback:
			if in.Score == 5 {
				fives++
			}
		}
		if in.Kind == KindVisit || in.Kind == KindPurchase || in.Kind == KindReturn {
			visitDays[day] = true
		}
	}
	switch {
	case !purchased:
		return RungProspect
	case (len(visitDays) >= ls.SupporterVisits || spend >= ls.SupporterSpend) && referrals+fives > 0:
		return RungAdvocate
	case len(visitDays) >= ls.SupporterVisits || spend >= ls.SupporterSpend:
		return RungSupporter
	case purchases >= ls.ClientPurchases:
		return RungClient
	}
	return RungCustomer
}

// propBase is the newest moment histories reach in the property tests.
var propBase = time.Date(2026, 6, 15, 18, 0, 0, 0, loyLoc)

// drawHistory draws a customer's interactions over about three years, dense
// enough to cross every threshold of drawSettings.
func drawHistory(rt *rapid.T) []Interaction {
	kinds := []Kind{KindPurchase, KindPurchase, KindVisit, KindVisit, KindReturn, KindReferral, KindFeedback, KindCall}
	n := rapid.IntRange(0, 40).Draw(rt, "n")
	span := rapid.SampledFrom([]int{60, 400, 1100}).Draw(rt, "span") // days
	list := make([]Interaction, n)
	for i := range list {
		k := rapid.SampledFrom(kinds).Draw(rt, "kind")
		in := Interaction{ID: ID(i + 1), Customer: 1, Kind: k,
			At: propBase.Add(-time.Duration(rapid.IntRange(0, span*24*60).Draw(rt, "minutes")) * time.Minute)}
		switch k {
		case KindPurchase, KindReturn:
			in.Amount = Money(rapid.IntRange(1, 30000).Draw(rt, "amount"))
		case KindFeedback:
			in.Score = rapid.IntRange(4, 5).Draw(rt, "score")
		}
		list[i] = in
	}
	return list
}

func drawSettings(rt *rapid.T) LoyaltySettings {
	ls := DefaultLoyalty()
	ls.ClientPurchases = rapid.IntRange(2, 4).Draw(rt, "client")
	ls.SupporterVisits = ls.ClientPurchases + rapid.IntRange(1, 4).Draw(rt, "visits")
	ls.SupporterSpend = Money(rapid.IntRange(1000, 60000).Draw(rt, "spend"))
	return ls
}

func upTo(list []Interaction, t time.Time) []Interaction {
	var out []Interaction
	for _, in := range list {
		if !in.At.After(t) {
			out = append(out, in)
		}
	}
	return out
}

// TestRungFromAggregatesEqualsReplayProperty: the rung read from the record
// (aggregates as of now) equals the slow replay of the whole history, at any
// moment, and the record does not depend on the order the history came in.
func TestRungFromAggregatesEqualsReplayProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ls := drawSettings(rt)
		list := drawHistory(rt)
		now := propBase.Add(time.Duration(rapid.IntRange(-1200*24, 800*24).Draw(rt, "hours")) * time.Hour)
		c := Customer{ID: 1, Stats: ComputeStats(upTo(list, now), loyLoc)}
		want := slowRung(list, ls, now, loyLoc)
		if got := RungOf(c, ls, now, loyLoc); got != want {
			rt.Fatalf("at %s the record says %s, the replay %s", now, got, want)
		}
		shuffled := append([]Interaction(nil), list...)
		rand.New(rand.NewPCG(uint64(len(list)), 7)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		c2 := Customer{ID: 1, Stats: ComputeStats(upTo(shuffled, now), loyLoc)}
		if got := RungOf(c2, ls, now, loyLoc); got != want {
			rt.Fatalf("the same history in another order gives %s, not %s", got, want)
		}
		if s := StandingOf(c, ls, now, loyLoc); s.Rung != want || s.Progress.Rung != want {
			rt.Fatalf("StandingOf says %s / %s, want %s", s.Rung, s.Progress.Rung, want)
		}
		if s := StandingOf(c, ls, now, loyLoc); s.Points < 0 {
			rt.Fatalf("points %d", s.Points)
		}
	})
}

// endOfDay is the last moment of the shop day n days after t's.
func endOfDay(t time.Time, n int) time.Time {
	y, m, d := t.In(loyLoc).Date()
	return StartOfDay(y, m, d+n+1, loyLoc).Add(-time.Nanosecond)
}

// TestRungHistoryMatchesReplayProperty: the history is a chain of changes
// by shop day; at the end of any day, the last change up to then names the
// rung the replay finds; each change is reached at its At and not before the
// day; and the history does not depend on the order the interactions came in.
func TestRungHistoryMatchesReplayProperty(t *testing.T) {
	end := propBase.AddDate(1, 2, 0)
	rapid.Check(t, func(rt *rapid.T) {
		ls := drawSettings(rt)
		list := drawHistory(rt)
		hist := RungHistory(list, ls, end, loyLoc)
		rungAt := func(at time.Time) Rung {
			r := RungProspect
			for _, ch := range hist {
				if !ch.At.After(at) {
					r = ch.To
				}
			}
			return r
		}
		for i, ch := range hist {
			if ch.From == ch.To || ch.At.After(end) || (i > 0 && (ch.From != hist[i-1].To || dayNumber(ch.At, loyLoc) <= dayNumber(hist[i-1].At, loyLoc))) {
				rt.Fatalf("history is not a chain of changes, one a day at most: %+v", hist)
			}
			if (ch.Cause == 0) == (ch.Lapsed == 0) {
				rt.Fatalf("a change needs exactly one interaction behind it: %+v", ch)
			}
			if got := slowRung(list, ls, ch.At, loyLoc); got != ch.To {
				rt.Fatalf("change %+v, but at that moment the replay says %s", ch, got)
			}
			if got := slowRung(list, ls, endOfDay(ch.At, -1), loyLoc); got != ch.From {
				rt.Fatalf("change %+v, but the day before ended on %s", ch, got)
			}
			if got := slowRung(list, ls, endOfDay(ch.At, 0), loyLoc); got != ch.To {
				rt.Fatalf("change %+v, but the day ended on %s", ch, got)
			}
		}
		for range 5 {
			at := endOfDay(propBase, -rapid.IntRange(-400, 1200).Draw(rt, "day"))
			if at.After(end) {
				continue
			}
			if got, want := rungAt(at), slowRung(list, ls, at, loyLoc); got != want {
				rt.Fatalf("at %s the history says %s, the replay %s\nhistory %+v", at, got, want, hist)
			}
		}
		shuffled := append([]Interaction(nil), list...)
		sort.Slice(shuffled, func(i, j int) bool { return shuffled[i].ID > shuffled[j].ID })
		if fmt.Sprint(RungHistory(shuffled, ls, end, loyLoc)) != fmt.Sprint(hist) {
			rt.Fatal("the history depends on the order of the interactions")
		}
	})
}

// TestLastMoveUpMatchesHistoryProperty: the tier-up hook, reading only the
// record, finds the day and rung of the history's latest move up to client
// or above, whenever that move lies in the 12 months before the newest
// interaction.
func TestLastMoveUpMatchesHistoryProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ls := drawSettings(rt)
		list := drawHistory(rt)
		now := propBase.Add(time.Duration(rapid.IntRange(0, 60*24).Draw(rt, "hours")) * time.Hour)
		c := Customer{ID: 1, Stats: ComputeStats(list, loyLoc)}
		hist := RungHistory(list, ls, now, loyLoc)
		var want *RungChange
		for i := range hist {
			if hist[i].Up() && hist[i].To >= RungClient {
				want = &hist[i]
			}
		}
		got, ok := LastMoveUp(c, ls, now, loyLoc)
		if want == nil {
			if ok {
				rt.Fatalf("LastMoveUp found %+v; the history has none: %+v", got, hist)
			}
			return
		}
		day := dayNumber(want.At, loyLoc)
		if windowStart(addDays(day, -1)) < coverStart(c.Stats, loyLoc) { // the day before must be whole in the record
			if ok {
				rt.Fatalf("LastMoveUp found %+v; the history's latest (%+v) is before the record's reach", got, want)
			}
			return
		}
		endOfDay := RungProspect
		for _, ch := range hist {
			if dayNumber(ch.At, loyLoc) <= day {
				endOfDay = ch.To
			}
		}
		if !ok || !got.At.Equal(dayStart(day, loyLoc)) || got.To != endOfDay {
			rt.Fatalf("LastMoveUp = %+v, %v; the history's latest is %+v (ending the day on %s)\n%+v", got, ok, *want, endOfDay, hist)
		}
		if at, ok2 := LastTierUp(c, ls, now, loyLoc); !ok2 || !at.Equal(got.At) {
			rt.Fatalf("LastTierUp = %s, %v", at, ok2)
		}
	})
}

// TestRecordReachesBackMoveUpDaysProperty: whatever the newest interaction's
// day, the record holds the whole window before every day in the
// MoveUpDays before it, so LastMoveUp cannot miss a recent move.
func TestRecordReachesBackMoveUpDaysProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		last := time.Date(2000, 1, 1, 12, 0, 0, 0, loyLoc).AddDate(0, 0, rapid.IntRange(0, 12000).Draw(rt, "day"))
		st := Stats{LastContact: last}
		lastDay := dayNumber(last, loyLoc)
		for k := 0; k <= MoveUpDays; k++ {
			prev := addDays(addDays(lastDay, -k), -1)
			if windowStart(prev) < coverStart(st, loyLoc) {
				rt.Fatalf("newest on %s: a move %d days before is out of the record's reach", fmtDay(lastDay), k)
			}
		}
	})
}

// TestSlippingMatchesReplayProperty: when Slipping names a day, the replay
// (with nothing new) drops on exactly that day; when it names none, the
// rung holds for the whole period.
func TestSlippingMatchesReplayProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ls := drawSettings(rt)
		list := drawHistory(rt)
		now := propBase.Add(time.Duration(rapid.IntRange(0, 400*24).Draw(rt, "hours")) * time.Hour)
		within := rapid.IntRange(1, 60).Draw(rt, "within")
		c := Customer{ID: 1, Stats: ComputeStats(list, loyLoc)}
		cur := slowRung(list, ls, now, loyLoc)
		horizon := endOfDay(now, within)
		sl, ok := Slipping(c, ls, now, loyLoc, within)
		if !ok {
			for n := 1; n <= within; n++ {
				if r := slowRung(list, ls, endOfDay(now, n), loyLoc); r < cur {
					rt.Fatalf("no slip reported, but the replay drops from %s to %s %d days on", cur, r, n)
				}
			}
			return
		}
		for n := 1; endOfDay(now, n).Before(sl.On); n++ {
			if r := slowRung(list, ls, endOfDay(now, n), loyLoc); r < cur {
				rt.Fatalf("slip %+v, but the replay drops to %s already %d days on", sl, r, n)
			}
		}
		if sl.From != cur || sl.On.After(horizon) || !sl.On.After(now) {
			rt.Fatalf("slip %+v from %s within %d days of %s", sl, cur, within, now)
		}
		if r := slowRung(list, ls, sl.On, loyLoc); r != sl.To || r >= cur {
			rt.Fatalf("slip %+v, but on that day the replay says %s", sl, r)
		}
	})
}

// TestPointsNeverNegativeProperty: whatever mix of purchases, returns and
// redemptions (each checked against the balance, as the store does) comes
// in, the balance after every step is never below zero.
func TestPointsNeverNegativeProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ls := drawSettings(rt)
		ls.EarnPoints = int64(rapid.IntRange(1, 5).Draw(rt, "earn"))
		var list []Interaction
		at := propBase.AddDate(-1, 0, 0)
		for i := 0; i < rapid.IntRange(1, 30).Draw(rt, "n"); i++ {
			at = at.Add(time.Duration(rapid.IntRange(0, 72).Draw(rt, "gap")) * time.Hour)
			in := Interaction{ID: ID(i + 1), Customer: 1, At: at}
			switch rapid.IntRange(0, 2).Draw(rt, "what") {
			case 0:
				in.Kind, in.Amount = KindPurchase, Money(rapid.IntRange(1, 20000).Draw(rt, "amount"))
				in.Points = PointsFor(in.Kind, in.Amount, ls)
			case 1:
				in.Kind, in.Amount = KindReturn, Money(rapid.IntRange(1, 40000).Draw(rt, "amount"))
				in.Points = PointsFor(in.Kind, in.Amount, ls)
			case 2:
				r := rapid.SampledFrom(ls.Rewards).Draw(rt, "reward")
				if ComputeStats(list, loyLoc).Points < r.Points {
					continue // refused
				}
				in.Kind, in.Reward, in.Points = KindRedeemed, r.Name, -r.Points
			}
			if in.Points > 0 && in.Kind != KindPurchase || in.Points < 0 && in.Kind == KindPurchase {
				rt.Fatalf("points of the wrong sign: %+v", in)
			}
			list = append(list, in)
			if p := ComputeStats(list, loyLoc).Points; p < 0 {
				rt.Fatalf("balance %d after %+v", p, list)
			}
		}
	})
}

func TestLoyaltyTabLists(t *testing.T) {
	ls := DefaultLoyalty()
	near := story{}.buy(daysBack(1), 100).buy(daysBack(2), 100).customer()                               // 2 of 3 purchases
	rich := story{}.buy(daysBack(1), 12000).customer()                                                   // 120.00 spent
	slipping := story{}.buy(on(2025, 12, 1), 100).buy(daysBack(2), 100).buy(daysBack(3), 100).customer() // client until Dec 1
	prospect := story{}.customer()
	rich.Stats.Points, near.Stats.Points, slipping.Stats.Points = 120, 60, 10
	near.ID, rich.ID, slipping.ID, prospect.ID = 1, 2, 3, 4
	cs := []Customer{near, rich, slipping, prospect}

	counts := CountRungs(cs, ls, loyNow, loyLoc)
	if len(counts) != 6 || counts[RungProspect].Customers != 1 || counts[RungCustomer].Customers != 2 || counts[RungClient].Customers != 1 {
		t.Errorf("CountRungs = %+v", counts)
	}
	if got := CloseToNextRung(cs, ls, loyNow, loyLoc); len(got) != 1 || got[0].Customer.ID != 1 || got[0].Goal.Missing() != 1 {
		t.Errorf("CloseToNextRung = %+v", got)
	}
	ready := RewardsReady(cs, ls)
	if len(ready) != 2 || ready[0].Customer.ID != 2 || len(ready[0].Rewards) != 2 || ready[1].Customer.ID != 1 || len(ready[1].Rewards) != 1 {
		t.Errorf("RewardsReady = %+v", ready)
	}
	sl := SlippingSoon(cs, ls, loyNow, loyLoc, SlipDays)
	if len(sl) != 1 || sl[0].Customer.ID != 3 || sl[0].Slip.To != RungCustomer {
		t.Errorf("SlippingSoon = %+v", sl)
	}
	if hook := TierUpHook(ls, loyLoc); hook == nil {
		t.Error("no hook")
	} else if at, ok := hook(slipping, loyNow); !ok || !at.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, loyLoc)) {
		t.Errorf("the hook says %s, %v; the third purchase on 2026-11-23 made them a client", at, ok)
	}
}

func TestLastMoveUpCases(t *testing.T) {
	ls := DefaultLoyalty()
	monthly := story{}
	for i := 0; i < 40; i++ { // a purchase every month for over three years: a client all along
		monthly = monthly.buy(on(2023, time.Month(8+i), 10), 1000)
	}
	sameDayReturn := story{}.buy(on(2026, 11, 1), 1000).
		buy(on(2026, 11, 20), 60000).add(KindReturn, on(2026, 11, 20).Add(time.Hour), 60000, 0)
	lapsingReturn := story{}.buy(on(2024, 6, 1), 30000).add(KindReturn, on(2025, 1, 10), 20000, 0).buy(on(2025, 6, 1), 55000)
	cases := []struct {
		name string
		s    story
		now  time.Time
		at   time.Time
		to   Rung
	}{
		{"the third purchase makes a client", story{}.buy(on(2026, 10, 1), 100).buy(on(2026, 11, 1), 100).buy(time.Date(2026, 11, 20, 17, 30, 0, 0, loyLoc), 100),
			loyNow, time.Date(2026, 11, 20, 0, 0, 0, 0, loyLoc), RungClient},
		{"a first purchase is no tier-up", story{}.buy(on(2026, 11, 20), 100), loyNow, time.Time{}, 0},
		{"a purchase returned the same day moves nobody", sameDayReturn, loyNow, time.Time{}, 0},
		{"a client for three years has no recent move up", monthly, on(2026, 11, 20), time.Time{}, 0},
		{"a return that stops counting lifts the 12-month spend", lapsingReturn, on(2026, 1, 20), time.Date(2026, 1, 10, 0, 0, 0, 0, loyLoc), RungSupporter},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := LastMoveUp(tc.s.customer(), ls, tc.now, loyLoc)
			if ok != !tc.at.IsZero() || (ok && (!got.At.Equal(tc.at) || got.To != tc.to)) {
				t.Errorf("LastMoveUp = %+v, %v; want %s to %s\nhistory %+v", got, ok, tc.at, tc.to, RungHistory(tc.s, ls, tc.now, loyLoc))
			}
		})
	}
	if h := RungHistory(lapsingReturn, ls, on(2026, 1, 20), loyLoc); len(h) == 0 || h[len(h)-1].Lapsed != 2 || h[len(h)-1].To != RungSupporter {
		t.Errorf("the history does not name the lapsed return: %+v", h)
	}
	partner := story{}.buy(on(2026, 10, 1), 100).buy(on(2026, 11, 1), 100).buy(on(2026, 11, 20), 100).customer()
	partner.Partner = true
	if _, ok := LastMoveUp(partner, ls, loyNow, loyLoc); ok {
		t.Error("a partner was congratulated on an earned rung")
	}
}

// BenchmarkStanding100k works out rung and progress for 100,000 customers,
// each with a dozen interactions over two years (one op = all of them).
func BenchmarkStanding100k(b *testing.B) {
	cs := syntheticCustomers(100_000)
	ls := DefaultLoyalty()
	b.ResetTimer()
	for b.Loop() {
		for i := range cs {
			_ = StandingOf(cs[i], ls, propBase, loyLoc)
		}
	}
}

// BenchmarkLoyaltyTab100k builds the Loyalty tab's four lists for 100,000 customers.
func BenchmarkLoyaltyTab100k(b *testing.B) {
	cs := syntheticCustomers(100_000)
	ls := DefaultLoyalty()
	b.ResetTimer()
	for b.Loop() {
		_ = CountRungs(cs, ls, propBase, loyLoc)
		_ = CloseToNextRung(cs, ls, propBase, loyLoc)
		_ = RewardsReady(cs, ls)
		_ = SlippingSoon(cs, ls, propBase, loyLoc, SlipDays)
	}
}

func syntheticCustomers(n int) []Customer {
	r := rand.New(rand.NewPCG(1, 2))
	ls := DefaultLoyalty()
	cs := make([]Customer, n)
	for i := range cs {
		var list []Interaction
		for j := 0; j < 1+r.IntN(24); j++ {
			in := Interaction{ID: ID(j + 1), Customer: ID(i + 1), At: propBase.Add(-time.Duration(r.IntN(730*24)) * time.Hour)}
			switch r.IntN(4) {
			case 0, 1:
				in.Kind, in.Amount = KindPurchase, Money(500+r.IntN(20000))
				in.Points = PointsFor(in.Kind, in.Amount, ls)
			case 2:
				in.Kind = KindVisit
			default:
				in.Kind, in.Score = KindFeedback, 1+r.IntN(5)
			}
			list = append(list, in)
		}
		cs[i] = Customer{ID: ID(i + 1), Stats: ComputeStats(list, loyLoc)}
	}
	return cs
}

func TestDayCountsStopAtTheirLimitInsteadOfWrapping(t *testing.T) {
	s := story{}.buy(daysBack(1), 50000)
	for range 32770 {
		s = s.add(KindReferral, daysBack(1), 0, 0)
	}
	c := s.customer()
	if d := c.Stats.Days[len(c.Stats.Days)-1]; d.Referrals != 32767 {
		t.Fatalf("referrals on one day: %d", d.Referrals)
	}
	if r := RungOf(c, DefaultLoyalty(), loyNow, loyLoc); r != RungAdvocate {
		t.Fatalf("rung %s", r)
	}
}
