package model

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// noon is noon UTC on a date, a time interactions are logged at.
func noon(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

// rcust builds an active customer whose aggregates come from list, as the
// store would keep them.
func rcust(id ID, list ...Interaction) Customer {
	for i := range list {
		list[i].ID = ID(i + 1)
		list[i].Customer = id
	}
	return Customer{ID: id, Name: fmt.Sprintf("Customer %d", id), Status: StatusActive, Stats: ComputeStats(list, time.UTC)}
}

func rbuy(at time.Time, amount Money) Interaction {
	return Interaction{Kind: KindPurchase, At: at, Amount: amount, Note: "blue scarf"}
}

func rvisit(at time.Time) Interaction { return Interaction{Kind: KindVisit, At: at} }

func rulesUTC() Rules {
	return Rules{Settings: DefaultReminderSettings(), Currency: Currency{Code: "USD", Symbol: "$", Digits: 2}, Loc: time.UTC}
}

// rkeys lists the key and due day of each reminder, as "key@2026-11-25".
func rkeys(list []Reminder) []string {
	var out []string
	for _, r := range list {
		out = append(out, r.Key+"@"+r.Due.In(time.UTC).Format(DayFormat))
	}
	slices.Sort(out)
	return out
}

// ofKind keeps the reminders of one kind.
func ofKind(list []Reminder, k ReminderKind) []Reminder {
	var out []Reminder
	for _, r := range list {
		if r.Kind == k {
			out = append(out, r)
		}
	}
	return out
}

func TestThankYouRule(t *testing.T) {
	nov := func(d int) time.Time { return noon(2026, 11, d) }
	cases := []struct {
		name string
		list []Interaction
		now  time.Time
		want []string
	}{
		{"first purchase: due the day after", []Interaction{rbuy(nov(24), 2000)}, nov(24),
			[]string{"thank-you:1:2026-11-24@2026-11-25"}},
		{"a small second purchase earns no card", []Interaction{rbuy(nov(2), 2000), rbuy(nov(24), 2000)}, nov(24),
			[]string{"thank-you:1:2026-11-02@2026-11-03"}},
		{"a second purchase exactly at the threshold earns one", []Interaction{rbuy(nov(2), 2000), rbuy(nov(24), 10000)}, nov(24),
			[]string{"thank-you:1:2026-11-02@2026-11-03", "thank-you:1:2026-11-24@2026-11-25"}},
		{"a cent below the threshold earns none", []Interaction{rbuy(nov(2), 2000), rbuy(nov(24), 9999)}, nov(24),
			[]string{"thank-you:1:2026-11-02@2026-11-03"}},
		{"a big first purchase is one card, not two", []Interaction{rbuy(nov(24), 50000), rbuy(nov(24).Add(time.Hour), 20000)}, nov(24),
			[]string{"thank-you:1:2026-11-24@2026-11-25"}},
		{"still open 30 days after it fell due", []Interaction{rbuy(noon(2026, 10, 1), 2000)}, noon(2026, 10, 31),
			[]string{"thank-you:1:2026-10-01@2026-10-02"}},
		{"lapsed 31 days after it fell due", []Interaction{rbuy(noon(2026, 10, 1), 2000)}, noon(2026, 11, 2), nil},
		{"a purchase after now is not seen", []Interaction{rbuy(nov(24), 2000)}, nov(20), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := rkeys(ofKind(rulesUTC().Generate(rcust(1, tc.list...), tc.now), ReminderThankYou))
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestThankYouRuleSwitches(t *testing.T) {
	c := rcust(1, rbuy(noon(2026, 11, 2), 2000), rbuy(noon(2026, 11, 24), 20000))
	now := noon(2026, 11, 24)
	r := rulesUTC()
	r.Settings.ThankYou.FirstPurchase = false
	if got := rkeys(ofKind(r.Generate(c, now), ReminderThankYou)); !reflect.DeepEqual(got, []string{"thank-you:1:2026-11-24@2026-11-25"}) {
		t.Fatalf("first-purchase cards off: %v", got)
	}
	r.Settings.ThankYou.Threshold = 0
	if got := ofKind(r.Generate(c, now), ReminderThankYou); len(got) != 0 {
		t.Fatalf("no threshold and no first-purchase cards: %v", rkeys(got))
	}
	r = rulesUTC()
	r.Settings.ThankYou.On = false
	if got := ofKind(r.Generate(c, now), ReminderThankYou); len(got) != 0 {
		t.Fatalf("rule off: %v", rkeys(got))
	}
}

func TestBirthdayRule(t *testing.T) {
	cases := []struct {
		name string
		b    Birthday
		now  time.Time
		want []string
	}{
		{"due a week before", Birthday{Month: 12, Day: 28}, noon(2026, 12, 1), []string{"birthday:1:2026@2026-12-21"}},
		{"a Dec 28 birthday seen on Dec 30 is two days past and still open", Birthday{Month: 12, Day: 28}, noon(2025, 12, 30),
			[]string{"birthday:1:2025@2025-12-21"}},
		{"a Jan 3 birthday seen on Dec 30 is next year's, due this year", Birthday{Month: 1, Day: 3}, noon(2025, 12, 30),
			[]string{"birthday:1:2026@2025-12-27"}},
		{"Feb 29 in a leap year", Birthday{Month: 2, Day: 29}, noon(2028, 2, 1), []string{"birthday:1:2028@2028-02-22"}},
		{"Feb 29 falls on Feb 28 in other years", Birthday{Month: 2, Day: 29}, noon(2027, 2, 1), []string{"birthday:1:2027@2027-02-21"}},
		{"Feb 29 with a known year", Birthday{Year: 1988, Month: 2, Day: 29}, noon(2027, 2, 27), []string{"birthday:1:2027@2027-02-21"}},
		{"missed: still open 14 days after the birthday", Birthday{Month: 3, Day: 10}, noon(2026, 3, 24), []string{"birthday:1:2026@2026-03-03"}},
		{"missed: lapsed 15 days after, next year's waits", Birthday{Month: 3, Day: 10}, noon(2026, 3, 25), []string{"birthday:1:2027@2027-03-03"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := rcust(1)
			c.Birthday = tc.b
			got := rkeys(ofKind(rulesUTC().Generate(c, tc.now), ReminderBirthday))
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	c := rcust(1)
	c.Birthday = Birthday{Year: 1986, Month: 12, Day: 28}
	if got := rulesUTC().Generate(c, noon(2026, 12, 1)); len(got) != 1 || !strings.Contains(got[0].Note, "turns 40") {
		t.Fatalf("note should say the age: %+v", got)
	}
}

func TestAnniversaryRule(t *testing.T) {
	cases := []struct {
		name  string
		first time.Time
		now   time.Time
		want  []string
	}{
		{"none in the first purchase's own year", noon(2026, 3, 1), noon(2026, 11, 1), []string{"anniversary:1:2027@2027-03-01"}},
		{"due on the day", noon(2024, 11, 24), noon(2026, 11, 20), []string{"anniversary:1:2026@2026-11-24"}},
		{"open 14 days after", noon(2024, 11, 24), noon(2026, 12, 8), []string{"anniversary:1:2026@2026-11-24"}},
		{"lapsed after 14 days", noon(2024, 11, 24), noon(2026, 12, 9), []string{"anniversary:1:2027@2027-11-24"}},
		{"Feb 29 falls on Feb 28", noon(2024, 2, 29), noon(2025, 2, 1), []string{"anniversary:1:2025@2025-02-28"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := rkeys(ofKind(rulesUTC().Generate(rcust(1, rbuy(tc.first, 2000)), tc.now), ReminderAnniversary))
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestThinkingOfYouRule(t *testing.T) {
	sep := func(d int) time.Time { return noon(2026, 9, d) }
	cases := []struct {
		name string
		list []Interaction
		want []string
	}{
		{"no interaction, no reminder", nil, nil},
		{"2 visits: after 60 days", []Interaction{rvisit(sep(1)), rvisit(sep(11))}, []string{"thinking-of-you:1:2026-09-11@2026-11-11"}},
		{"3 visits: after twice the median gap", []Interaction{rvisit(sep(1)), rvisit(sep(11)), rvisit(sep(21))},
			[]string{"thinking-of-you:1:2026-09-21@2026-10-12"}},
		{"any interaction restarts the clock", []Interaction{rvisit(sep(1)), rvisit(sep(11)), rvisit(sep(21)), {Kind: KindEmail, At: sep(25)}},
			[]string{"thinking-of-you:1:2026-09-25@2026-10-16"}},
		{"a note restarts it too", []Interaction{rvisit(sep(1)), rvisit(sep(11)), {Kind: KindNote, At: sep(20)}},
			[]string{"thinking-of-you:1:2026-09-20@2026-11-20"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := rkeys(ofKind(rulesUTC().Generate(rcust(1, tc.list...), noon(2026, 11, 25)), ReminderThinkingOfYou))
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestWinBackReplacesThinkingOfYou(t *testing.T) {
	// A regular: three purchases a week apart, last seen Sep 15.
	regular := rcust(1, rbuy(noon(2026, 9, 1), 2000), rbuy(noon(2026, 9, 8), 2000), rbuy(noon(2026, 9, 15), 2000))
	// Before six weeks: thinking-of-you (twice the 7-day gap) and the win-back to come.
	got := rkeys(regular.remindersAt(noon(2026, 10, 26)))
	want := []string{"anniversary:1:2027@2027-09-01",
		"thinking-of-you:1:2026-09-15@2026-09-30", "win-back:1:2026-09-15@2026-10-27"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("before six weeks: got %v, want %v", got, want)
	}
	// From six weeks on, the win-back alone.
	got = rkeys(ofKind(regular.remindersAt(noon(2026, 10, 27)), ReminderThinkingOfYou))
	got = append(got, rkeys(ofKind(regular.remindersAt(noon(2026, 10, 27)), ReminderWinBack))...)
	if want := []string{"win-back:1:2026-09-15@2026-10-27"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after six weeks: got %v, want %v", got, want)
	}
	// A call restarts thinking-of-you but the regular is still not seen.
	called := rcust(1, rbuy(noon(2026, 9, 1), 2000), rbuy(noon(2026, 9, 8), 2000), rbuy(noon(2026, 9, 15), 2000),
		Interaction{Kind: KindCall, At: noon(2026, 10, 30)})
	if got := rkeys(ofKind(called.remindersAt(noon(2026, 11, 2)), ReminderWinBack)); !reflect.DeepEqual(got, []string{"win-back:1:2026-09-15@2026-10-27"}) {
		t.Fatalf("win-back after a call: %v", got)
	}
	// Two purchases do not make a regular: thinking-of-you after 60 days.
	two := rcust(1, rbuy(noon(2026, 9, 8), 2000), rbuy(noon(2026, 9, 15), 2000))
	got = rkeys(append(ofKind(two.remindersAt(noon(2026, 11, 25)), ReminderWinBack), ofKind(two.remindersAt(noon(2026, 11, 25)), ReminderThinkingOfYou)...))
	if want := []string{"thinking-of-you:1:2026-09-15@2026-11-15"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("two purchases: got %v, want %v", got, want)
	}
}

// remindersAt is Generate with the default rules in UTC.
func (c Customer) remindersAt(now time.Time) []Reminder { return rulesUTC().Generate(c, now) }

func TestComplaintFollowUpRule(t *testing.T) {
	complaint := Interaction{Kind: KindComplaint, At: noon(2026, 11, 20), Category: "late delivery"}
	open := rcust(1, complaint)
	got := ofKind(open.remindersAt(noon(2026, 11, 21)), ReminderComplaint)
	if k := rkeys(got); !reflect.DeepEqual(k, []string{"complaint-follow-up:1:1@2026-11-23"}) {
		t.Fatalf("open complaint: %v", k)
	}
	if !strings.Contains(got[0].Note, "late delivery") {
		t.Fatalf("note: %q", got[0].Note)
	}
	complaint.Resolved = true
	resolved := rcust(1, complaint)
	if got := ofKind(resolved.remindersAt(noon(2026, 11, 21)), ReminderComplaint); len(got) != 0 {
		t.Fatalf("a complaint resolved before the follow-up is due: %v", rkeys(got))
	}
}

func TestTierUpRule(t *testing.T) {
	r := rulesUTC()
	r.TierUp = func(c Customer, now time.Time) (time.Time, string, bool) {
		return noon(2026, 11, 20), "supporter", true
	}
	c := rcust(1, Interaction{Kind: KindVisit, At: noon(2026, 11, 20)})
	if got := rkeys(ofKind(r.Generate(c, noon(2026, 12, 4)), ReminderTierUp)); !reflect.DeepEqual(got, []string{"tier-up:1:2026-11-20@2026-11-20"}) {
		t.Fatalf("14 days after: %v", got)
	}
	if got := ofKind(r.Generate(c, noon(2026, 12, 5)), ReminderTierUp); len(got) != 0 {
		t.Fatalf("15 days after: %v", rkeys(got))
	}
	if got := ofKind(rulesUTC().Generate(c, noon(2026, 11, 21)), ReminderTierUp); len(got) != 0 {
		t.Fatalf("no ladder, no tier-up: %v", rkeys(got))
	}
}

func TestOptedOutArchivedAndLostCustomersGetNone(t *testing.T) {
	base := rcust(1, rbuy(noon(2026, 11, 24), 50000), Interaction{Kind: KindComplaint, At: noon(2026, 11, 24)})
	base.Birthday = Birthday{Month: 11, Day: 30}
	if len(base.remindersAt(noon(2026, 11, 25))) == 0 {
		t.Fatal("the customer should have reminders before opting out")
	}
	for name, edit := range map[string]func(*Customer){
		"opted out": func(c *Customer) { c.NoContact = true },
		"archived":  func(c *Customer) { c.Status = StatusArchived },
		"lost":      func(c *Customer) { c.Status = StatusLost },
	} {
		c := base
		edit(&c)
		if got := c.remindersAt(noon(2026, 11, 25)); len(got) != 0 {
			t.Errorf("%s: %v", name, rkeys(got))
		}
	}
}

func TestRulesFollowTheShopsTimeZone(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	// 20:00 UTC on Nov 24 is Nov 25 in Tokyo: the card is due Nov 26 there.
	at := time.Date(2026, 11, 24, 20, 0, 0, 0, time.UTC)
	list := []Interaction{{ID: 1, Customer: 1, Kind: KindPurchase, At: at, Amount: 100}}
	c := Customer{ID: 1, Name: "Ana", Stats: ComputeStats(list, tokyo)}
	r := rulesUTC()
	r.Loc = tokyo
	got := ofKind(r.Generate(c, at), ReminderThankYou)
	if len(got) != 1 || got[0].Key != "thank-you:1:2026-11-25" || !got[0].Due.Equal(time.Date(2026, 11, 26, 0, 0, 0, 0, tokyo)) {
		t.Fatalf("got %+v", got)
	}
}

func TestApplyDecisions(t *testing.T) {
	due := noon(2026, 11, 25)
	gen := []Reminder{{Key: "a", Due: due}, {Key: "b", Due: due}, {Key: "c", Due: due}, {Key: "d", Due: due}, {Key: "e", Due: due}}
	got := ApplyDecisions(gen, map[string]Decision{
		"a": {State: ReminderDone},
		"b": {State: ReminderDismissed},
		"c": {State: ReminderSnoozed, Until: noon(2026, 12, 1)},
		"d": {State: ReminderSnoozed, Until: noon(2026, 11, 1)}, // earlier than due: stays due
	})
	if len(got) != 3 || got[0].Key != "c" || !got[0].Due.Equal(noon(2026, 12, 1)) || !got[0].SnoozedUntil.Equal(noon(2026, 12, 1)) ||
		got[1].Key != "d" || !got[1].Due.Equal(due) || got[2].Key != "e" {
		t.Fatalf("got %+v", got)
	}
	if gen[2].Due != due {
		t.Fatal("ApplyDecisions changed its input")
	}
}

func TestOpenAddsManualRemindersOfActiveCustomersOnly(t *testing.T) {
	ana := rcust(1)
	bo := rcust(2)
	bo.Status = StatusArchived
	ana.NoContact = true // opted out of cards, but what the owner set by hand stays
	manual := []Reminder{
		{ID: 1, Customer: 1, Due: noon(2026, 11, 25), Kind: ReminderFollowUp, Note: "call about the order"},
		{ID: 2, Customer: 2, Due: noon(2026, 11, 25), Kind: ReminderFollowUp},
		{ID: 3, Customer: 9, Due: noon(2026, 11, 25), Kind: ReminderFollowUp}, // no such customer
		{ID: 4, Customer: 1, Due: noon(2026, 11, 20), Kind: ReminderCustom, Note: "x", State: ReminderDone},
		{ID: 5, Customer: 1, Due: noon(2026, 11, 20), Kind: ReminderCustom, Note: "x", SnoozedUntil: noon(2026, 12, 3)},
		{ID: 6, Customer: 1, Due: noon(2026, 11, 26), Kind: ReminderCustom, Note: "x"},
	}
	got := rulesUTC().Open([]Customer{ana, bo}, manual, nil, noon(2026, 11, 25), noon(2026, 11, 25))
	if k := rkeys(got); !reflect.DeepEqual(k, []string{"manual:1@2026-11-25"}) {
		t.Fatalf("got %v", k)
	}
	got = rulesUTC().Open([]Customer{ana, bo}, manual, nil, noon(2026, 11, 25), time.Time{})
	if k := rkeys(got); !reflect.DeepEqual(k, []string{"manual:1@2026-11-25", "manual:5@2026-12-03", "manual:6@2026-11-26"}) {
		t.Fatalf("no limit: got %v", k)
	}
}

func TestGroupRemindersAndBadge(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	at := func(d int) Reminder {
		return Reminder{Key: fmt.Sprint(d), Due: time.Date(2026, 11, 25+d, 0, 0, 0, 0, time.UTC)}
	}
	list := []Reminder{at(-3), at(-1), at(0), at(1), at(7), at(8), at(40)}
	groups := GroupReminders(list, now, time.UTC)
	var got []string
	for _, g := range groups {
		var keys []string
		for _, r := range g.Reminders {
			keys = append(keys, r.Key)
		}
		got = append(got, g.Title+": "+strings.Join(keys, ","))
	}
	want := []string{"Overdue: -3,-1", "Today: 0", "Next 7 days: 1,7", "Later: 8,40"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
	if n := CountDue(list, now, time.UTC); n != 3 {
		t.Fatalf("badge: %d", n)
	}
	for d, want := range map[int]string{-2: "2 days late", -1: "1 day late", 0: "today", 1: "tomorrow", 3: "in 3 days"} {
		if got := DueRelative(at(d).Due, now, time.UTC); got != want {
			t.Errorf("%d: %q, want %q", d, got, want)
		}
	}
}

func TestReminderKeysRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		key      string
		kind     ReminderKind
		customer ID
		manual   ID
	}{
		{"thank-you:12:2026-11-24", ReminderThankYou, 12, 0},
		{"complaint-follow-up:3:77", ReminderComplaint, 3, 0},
		{"manual:5", "", 0, 5},
	} {
		k, c, m, err := ParseReminderKey(tc.key)
		if err != nil || k != tc.kind || c != tc.customer || m != tc.manual {
			t.Errorf("%s: %v %v %v %v", tc.key, k, c, m, err)
		}
	}
	for _, bad := range []string{"", "manual:", "manual:x", "follow-up:1:x", "thank-you:0:2026", "thank-you:1:", "nope"} {
		if _, _, _, err := ParseReminderKey(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

func TestParseRepeat(t *testing.T) {
	for in, want := range map[string]Repeat{
		"": {}, "never": {}, "2w": {2, RepeatWeek}, "every 2 weeks": {2, RepeatWeek}, "1m": {1, RepeatMonth},
		"monthly": {1, RepeatMonth}, "3 days": {3, RepeatDay}, "yearly": {1, RepeatYear}, "1y": {1, RepeatYear},
	} {
		got, err := ParseRepeat(in)
		if err != nil || got != want {
			t.Errorf("%q: %+v %v", in, got, err)
		}
	}
	for _, bad := range []string{"0d", "2 fortnights", "w", "-1d", "99999d", "1000d"} {
		if _, err := ParseRepeat(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
	if s := (Repeat{2, RepeatWeek}).String(); s != "every 2 weeks" {
		t.Errorf("String: %q", s)
	}
}

func TestNextDue(t *testing.T) {
	mid := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		name string
		r    Reminder
		now  time.Time
		want time.Time
	}{
		{"weekly, done on time", Reminder{Due: mid(2026, 11, 25), Repeat: Repeat{1, RepeatWeek}}, noon(2026, 11, 25), mid(2026, 12, 2)},
		{"weekly, done three weeks late keeps its weekday", Reminder{Due: mid(2026, 11, 4), Repeat: Repeat{1, RepeatWeek}}, noon(2026, 11, 25), mid(2026, 12, 2)},
		{"monthly on the 31st keeps the month's end", Reminder{Due: mid(2027, 2, 28), First: mid(2027, 1, 31), Repeat: Repeat{1, RepeatMonth}}, noon(2027, 2, 28), mid(2027, 3, 31)},
		{"yearly", Reminder{Due: mid(2026, 3, 1), Repeat: Repeat{1, RepeatYear}}, noon(2026, 3, 1), mid(2027, 3, 1)},
		{"daily, years overdue", Reminder{Due: mid(2020, 1, 1), Repeat: Repeat{1, RepeatDay}}, noon(2026, 11, 25), mid(2026, 11, 26)},
		{"done early: the step after the due day", Reminder{Due: mid(2026, 12, 10), Repeat: Repeat{2, RepeatWeek}}, noon(2026, 11, 25), mid(2026, 12, 24)},
	}
	for _, tc := range cases {
		got, ok := tc.r.NextDue(tc.now, time.UTC)
		if !ok || !got.Equal(tc.want) {
			t.Errorf("%s: %v %v, want %v", tc.name, got, ok, tc.want)
		}
	}
	if _, ok := (Reminder{Due: noon(2026, 1, 1)}).NextDue(noon(2026, 1, 1), time.UTC); ok {
		t.Error("a reminder that does not repeat has a next one")
	}
}

func TestValidateReminder(t *testing.T) {
	ok := Reminder{Customer: 1, Due: noon(2026, 12, 1), Kind: ReminderFollowUp}
	if err := ValidateReminder(ok); err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]Reminder{
		"no customer":      {Due: ok.Due, Kind: ReminderFollowUp},
		"no due day":       {Customer: 1, Kind: ReminderFollowUp},
		"unknown kind":     {Customer: 1, Due: ok.Due, Kind: "party"},
		"custom, no note":  {Customer: 1, Due: ok.Due, Kind: ReminderCustom, Note: "  "},
		"bad repeat":       {Customer: 1, Due: ok.Due, Kind: ReminderFollowUp, Repeat: Repeat{0, RepeatWeek}},
		"huge note":        {Customer: 1, Due: ok.Due, Kind: ReminderFollowUp, Note: strings.Repeat("x", MaxLong+1)},
		"year out of sane": {Customer: 1, Due: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC), Kind: ReminderFollowUp},
	} {
		err := ValidateReminder(r)
		var fe *FieldError
		if err == nil || !asFieldError(err, &fe) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func asFieldError(err error, fe **FieldError) bool {
	f, ok := err.(*FieldError)
	*fe = f
	return ok
}

func TestReminderSettingsValidate(t *testing.T) {
	if err := DefaultReminderSettings().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for name, edit := range map[string]func(*ReminderSettings){
		"negative threshold":  func(rs *ReminderSettings) { rs.ThankYou.Threshold = -1 },
		"birthday too early":  func(rs *ReminderSettings) { rs.Birthday.DaysBefore = 61 },
		"gap times zero":      func(rs *ReminderSettings) { rs.ThinkingOfYou.GapTimes = 0 },
		"thank-you too long":  func(rs *ReminderSettings) { rs.ThankYou.LapseDays = 61 },
		"card for a call":     func(rs *ReminderSettings) { rs.Cards = map[ReminderKind]string{ReminderFollowUp: "hi"} },
		"card that is broken": func(rs *ReminderSettings) { rs.Cards = map[ReminderKind]string{ReminderBirthday: "Dear {{.Nickname}}"} },
	} {
		rs := DefaultReminderSettings()
		edit(&rs)
		if err := rs.Validate(); err == nil {
			t.Errorf("%s was accepted", name)
		} else if _, ok := err.(*FieldError); !ok {
			t.Errorf("%s: %T %v", name, err, err)
		}
	}
	if !(ReminderSettings{}).IsZero() || DefaultReminderSettings().IsZero() {
		t.Fatal("IsZero")
	}
	if got := (Settings{}).ReminderRules(); got.Birthday != DefaultReminderSettings().Birthday {
		t.Fatalf("settings without rules use the defaults: %+v", got)
	}
}

func TestReminderFactsInStats(t *testing.T) {
	var list []Interaction
	// 25 purchases in 25 days, amounts 1..25: the 20 largest stay.
	for i := 1; i <= 25; i++ {
		list = append(list, rbuy(noon(2026, 10, i), Money(i)))
	}
	list = append(list, Interaction{Kind: KindComplaint, At: noon(2026, 10, 26), Category: "rude"},
		Interaction{Kind: KindComplaint, At: noon(2026, 10, 27), Resolved: true})
	c := rcust(1, list...)
	st := c.Stats
	if len(st.RecentPurchases) != maxRecentPurchases || st.RecentPurchases[0].Amount != 6 || st.RecentPurchases[19].Amount != 25 {
		t.Fatalf("recent purchases: %+v", st.RecentPurchases)
	}
	if st.MedianGapDays != 1 || st.Purchases6m != 25 || st.LastPurchaseAmount != 25 || st.LastPurchaseNote != "blue scarf" {
		t.Fatalf("stats: gap %d, 6m %d, last %d %q", st.MedianGapDays, st.Purchases6m, st.LastPurchaseAmount, st.LastPurchaseNote)
	}
	if len(st.OpenComplaintList) != 1 || st.OpenComplaintList[0].Category != "rude" || st.OpenComplaintList[0].ID != 26 {
		t.Fatalf("open complaints: %+v", st.OpenComplaintList)
	}
	// Old purchases fall out of the recent list; the 6 months count from the last visit.
	c = rcust(1, rbuy(noon(2025, 1, 1), 50000), rbuy(noon(2026, 1, 1), 100), rvisit(noon(2026, 6, 1)), rvisit(noon(2026, 6, 3)))
	if len(c.Stats.RecentPurchases) != 0 || c.Stats.Purchases6m != 1 || c.Stats.MedianGapDays != 151 {
		t.Fatalf("gaps 365, 151, 2: %+v", c.Stats)
	}
}

func TestCivilDays(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(-800000, 3000000).Draw(t, "day")
		y, m, d := civilFromDays(n)
		want := time.Unix(int64(n)*86400, 0).UTC()
		if y != want.Year() || m != want.Month() || d != want.Day() || civilDays(y, m, d) != n {
			t.Fatalf("%d: %d-%d-%d, want %v", n, y, m, d, want)
		}
	})
}

// genCustomers draws a small book of customers with random histories.
func genCustomers(t *rapid.T, start time.Time) []Customer {
	n := rapid.IntRange(1, 8).Draw(t, "customers")
	out := make([]Customer, 0, n)
	kinds := []Kind{KindPurchase, KindVisit, KindCall, KindComplaint, KindNote, KindReturn}
	for id := 1; id <= n; id++ {
		var list []Interaction
		for range rapid.IntRange(0, 12).Draw(t, "interactions") {
			k := rapid.SampledFrom(kinds).Draw(t, "kind")
			in := Interaction{Kind: k, At: start.Add(time.Duration(rapid.IntRange(0, 400*24).Draw(t, "hour")) * time.Hour)}
			if k == KindPurchase || k == KindReturn {
				in.Amount = Money(rapid.IntRange(1, 30000).Draw(t, "amount"))
			}
			if k == KindComplaint {
				in.Resolved = rapid.Bool().Draw(t, "resolved")
			}
			list = append(list, in)
		}
		c := rcust(ID(id), list...)
		if rapid.Bool().Draw(t, "has birthday") {
			c.Birthday = Birthday{Month: rapid.IntRange(1, 12).Draw(t, "month"), Day: rapid.IntRange(1, 28).Draw(t, "bday")}
			if rapid.IntRange(0, 9).Draw(t, "leapling") == 0 {
				c.Birthday = Birthday{Month: 2, Day: 29}
			}
		}
		c.NoContact = rapid.IntRange(0, 9).Draw(t, "opted out") == 0
		if rapid.IntRange(0, 9).Draw(t, "archived") == 0 {
			c.Status = StatusArchived
		}
		out = append(out, c)
	}
	return out
}

func TestRemindersProperties(t *testing.T) {
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	rapid.Check(t, func(t *rapid.T) {
		customers := genCustomers(t, start)
		r := rulesUTC()
		now := start.Add(time.Duration(rapid.IntRange(0, 500*24).Draw(t, "now")) * time.Hour)
		var until time.Time
		if rapid.Bool().Draw(t, "limited") {
			until = now.AddDate(0, 0, rapid.IntRange(0, 60).Draw(t, "horizon"))
		}
		var manual []Reminder
		for i := range rapid.IntRange(0, 4).Draw(t, "manual") {
			manual = append(manual, Reminder{ID: ID(i + 1), Customer: ID(rapid.IntRange(1, 12).Draw(t, "manual customer")),
				Due: now.AddDate(0, 0, rapid.IntRange(-30, 30).Draw(t, "manual due")), Kind: ReminderFollowUp})
		}
		first := r.Open(customers, manual, nil, now, until)
		// Evaluating twice gives the same set.
		if again := r.Open(customers, manual, nil, now, until); !reflect.DeepEqual(first, again) {
			t.Fatalf("two evaluations differ:\n%v\n%v", rkeys(first), rkeys(again))
		}
		byID := map[ID]Customer{}
		for _, c := range customers {
			byID[c.ID] = c
		}
		last := EndOfDay(until, time.UTC)
		keys := map[string]bool{}
		for i, rem := range first {
			// Every reminder refers to an existing, active customer.
			c, ok := byID[rem.Customer]
			if !ok || !c.Active() {
				t.Fatalf("%s refers to customer %d, who is not there or not active", rem.Key, rem.Customer)
			}
			if rem.ID == 0 && c.NoContact {
				t.Fatalf("%s is for a customer who opted out", rem.Key)
			}
			if keys[rem.Key] {
				t.Fatalf("%s twice", rem.Key)
			}
			keys[rem.Key] = true
			if !until.IsZero() && rem.Due.After(last) {
				t.Fatalf("%s due %v after until %v", rem.Key, rem.Due, until)
			}
			if i > 0 && first[i-1].Due.After(rem.Due) {
				t.Fatalf("not sorted by due day at %d", i)
			}
		}
		// Dismiss (or finish) some; they never return, whatever happens later.
		decisions := map[string]Decision{}
		for _, rem := range first {
			if rem.ID == 0 && rapid.Bool().Draw(t, "decide "+rem.Key) {
				decisions[rem.Key] = Decision{State: rapid.SampledFrom([]ReminderState{ReminderDone, ReminderDismissed}).Draw(t, "state")}
			}
		}
		later := now.Add(time.Duration(rapid.IntRange(0, 400*24).Draw(t, "later")) * time.Hour)
		for _, rem := range r.Open(customers, manual, decisions, later, time.Time{}) {
			if _, ok := decisions[rem.Key]; ok {
				t.Fatalf("%s came back after %s", rem.Key, decisions[rem.Key].State)
			}
		}
	})
}

// benchBook is 100,000 customers with realistic histories, built once.
var benchBook = sync.OnceValue(func() []Customer {
	// Three years of history up to the benchmark's now.
	start := time.Date(2023, 11, 25, 9, 0, 0, 0, time.UTC)
	out := make([]Customer, 0, 100_000)
	seed := uint64(1)
	rnd := func(n int) int {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int((seed >> 33) % uint64(n))
	}
	for id := 1; id <= 100_000; id++ {
		var list []Interaction
		for range 1 + rnd(12) {
			at := start.Add(time.Duration(rnd(3*365*24)) * time.Hour)
			switch rnd(10) {
			case 0, 1, 2, 3:
				list = append(list, Interaction{Kind: KindPurchase, At: at, Amount: Money(500 + rnd(20000)), Note: "a gift"})
			case 4, 5, 6:
				list = append(list, Interaction{Kind: KindVisit, At: at})
			case 7:
				// Most complaints get resolved.
				list = append(list, Interaction{Kind: KindComplaint, At: at, Resolved: rnd(10) > 0})
			default:
				list = append(list, Interaction{Kind: KindCall, At: at})
			}
		}
		c := rcust(ID(id), list...)
		if rnd(10) < 7 {
			c.Birthday = Birthday{Month: 1 + rnd(12), Day: 1 + rnd(28)}
		}
		c.NoContact = rnd(50) == 0
		out = append(out, c)
	}
	return out
})

// BenchmarkOpenReminders evaluates every rule for 100,000 customers, as the
// Reminders tab does from memory. Target: under 100 ms.
func BenchmarkOpenReminders(b *testing.B) {
	book := benchBook()
	st := DefaultSettings()
	st.TimeZone = "UTC"
	r := NewRules(st) // with the loyalty ladder's tier-up hook
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	decisions := map[string]Decision{"thank-you:5:2026-11-20": {State: ReminderDone}}
	b.Run("next-7-days", func(b *testing.B) {
		for b.Loop() {
			_ = r.Open(book, nil, decisions, now, now.AddDate(0, 0, 7))
		}
	})
	b.Run("everything", func(b *testing.B) {
		for b.Loop() {
			_ = r.Open(book, nil, decisions, now, time.Time{})
		}
	})
}

func TestSortRemindersMatchesASimpleSort(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 40).Draw(t, "n")
		list := make([]Reminder, n)
		for i := range list {
			list[i] = Reminder{Key: fmt.Sprint(rapid.IntRange(0, 5).Draw(t, "key")), Customer: ID(rapid.IntRange(1, 3).Draw(t, "customer")),
				Due: time.Date(2026, 11, rapid.IntRange(1, 4).Draw(t, "day"), 0, 0, 0, 0, time.UTC), Note: fmt.Sprint(i)}
		}
		want := slices.Clone(list)
		slices.SortStableFunc(want, func(a, b Reminder) int {
			if c := a.Due.Compare(b.Due); c != 0 {
				return c
			}
			if a.Customer != b.Customer {
				return int(a.Customer) - int(b.Customer)
			}
			return strings.Compare(a.Key, b.Key)
		})
		SortReminders(list)
		for i := range list {
			if list[i].Key != want[i].Key || list[i].Customer != want[i].Customer || !list[i].Due.Equal(want[i].Due) {
				t.Fatalf("at %d: %+v, want %+v", i, list[i], want[i])
			}
		}
	})
}

func TestNewRulesCongratulateAMoveUpTheLadder(t *testing.T) {
	st := DefaultSettings()
	st.TimeZone = "UTC"
	// The third purchase in a year makes a client (DefaultLoyalty).
	c := rcust(1, rbuy(noon(2026, 9, 1), 2000), rbuy(noon(2026, 10, 1), 2000), rbuy(noon(2026, 11, 20), 2000))
	got := ofKind(NewRules(st).Generate(c, noon(2026, 11, 25)), ReminderTierUp)
	if len(got) != 1 || got[0].Key != "tier-up:1:2026-11-20" || got[0].Detail != "client" || got[0].Note != "moved up to client" {
		t.Fatalf("got %+v", got)
	}
	if got := ofKind(NewRules(st).Generate(c, noon(2026, 12, 5)), ReminderTierUp); len(got) != 0 {
		t.Fatalf("15 days later: %+v", got)
	}
}

func TestReminderSettingsSetAndGet(t *testing.T) {
	usd, _ := LookupCurrency("USD")
	rs := DefaultReminderSettings()
	for _, kv := range [][2]string{{"birthday.days_before", "10"}, {"thank-you.threshold", "250"}, {"win_back", "off"}, {"THINKING_OF_YOU.days", "90"}} {
		if err := rs.Set(kv[0], kv[1], usd); err != nil {
			t.Fatalf("%s=%s: %v", kv[0], kv[1], err)
		}
	}
	if rs.Birthday.DaysBefore != 10 || rs.ThankYou.Threshold != 25000 || rs.WinBack.On || rs.ThinkingOfYou.Days != 90 {
		t.Fatalf("after set: %+v", rs)
	}
	if rs.Get("thank_you.threshold", usd) != "250.00" || rs.Get("win_back", usd) != "off" || rs.Get("birthday.days_before", usd) != "10" {
		t.Fatal("get does not say what set did")
	}
	before := rs
	for _, kv := range [][2]string{{"birthday.days_before", "61"}, {"birthday.days_before", "a week"}, {"tier_up", "maybe"},
		{"thank_you.threshold", "-5"}, {"nonsense", "1"}} {
		if err := rs.Set(kv[0], kv[1], usd); err == nil {
			t.Errorf("%s=%s was accepted", kv[0], kv[1])
		}
	}
	if !reflect.DeepEqual(rs, before) {
		t.Fatalf("a refused value changed the settings: %+v", rs)
	}
	if len(ReminderKeys()) != len(reminderFields) {
		t.Fatal("keys")
	}
}
