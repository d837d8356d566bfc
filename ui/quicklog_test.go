package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// logFile is shopFile with a varied log: a call, feedback, an open
// complaint and a resolved one, a referral and a note, on fixed days.
func logFile(t testing.TB) *store.Store {
	t.Helper()
	s := shopFile(t)
	add := func(in model.Interaction) {
		t.Helper()
		if _, err := s.AddInteraction(in); err != nil {
			t.Fatal(err)
		}
	}
	add(model.Interaction{Customer: 1, Kind: model.KindCall, At: days(1).Add(-2 * time.Hour), Note: "asked about the wedding flowers"})
	add(model.Interaction{Customer: 1, Kind: model.KindFeedback, At: days(5), Score: 5, Note: "loved the bouquet"})
	add(model.Interaction{Customer: 1, Kind: model.KindComplaint, At: days(50), Category: "late delivery", Note: "the roses came a day late"})
	add(model.Interaction{Customer: 1, Kind: model.KindComplaint, At: days(60), Category: "damaged item", Note: "a broken vase",
		Resolved: true, ResolvedAt: days(58), Resolution: "sent a new vase"})
	add(model.Interaction{Customer: 1, Kind: model.KindReferral, At: days(10), Referred: 2, Note: "her cousin"})
	add(model.Interaction{Customer: 1, Kind: model.KindReturn, At: days(2), Amount: 990, Note: "wilted tulips"})
	add(model.Interaction{Customer: 2, Kind: model.KindNote, At: days(4), Note: "pays by invoice"})
	add(model.Interaction{Customer: 5, Kind: model.KindCardSent, At: days(6), Note: "thank-you card"})
	return s
}

func TestQuickLogValidation(t *testing.T) {
	st := model.DefaultSettings()
	st.Currency, st.TimeZone = "USD", "UTC"
	base := model.Interaction{Customer: 1}
	stored := model.Interaction{ID: 7, Customer: 1, At: testNow.Add(-49*time.Hour - 17*time.Second), Amount: 1000, Points: 10}
	cases := []struct {
		name   string
		kind   model.Kind
		values map[string]string
		base   model.Interaction
		keep   string
		want   string // a piece of the error; "" when it saves
		check  func(in model.Interaction) bool
	}{
		{"purchase", model.KindPurchase, map[string]string{"amount": "24.90", "note": " blue scarf "}, base, "", "",
			func(in model.Interaction) bool {
				return in.Amount == 2490 && in.Note == "blue scarf" && in.At.Equal(testNow)
			}},
		{"purchase with a symbol and grouping", model.KindPurchase, map[string]string{"amount": "$1,234.50"}, base, "", "",
			func(in model.Interaction) bool { return in.Amount == 123450 }},
		{"purchase without an amount", model.KindPurchase, map[string]string{}, base, "", "amount is missing: a purchase needs an amount", nil},
		{"purchase of nothing", model.KindPurchase, map[string]string{"amount": "0"}, base, "", "amount is missing", nil},
		{"negative amount", model.KindPurchase, map[string]string{"amount": "-5"}, base, "", "amounts cannot be negative", nil},
		{"too many decimals", model.KindPurchase, map[string]string{"amount": "24.999"}, base, "", "at most 2 decimal places", nil},
		{"not a number", model.KindPurchase, map[string]string{"amount": "lots"}, base, "", "not an amount", nil},
		{"return without an amount", model.KindReturn, map[string]string{"note": "a repair"}, base, "", "",
			func(in model.Interaction) bool { return in.Amount == 0 && in.Kind == model.KindReturn }},
		{"return", model.KindReturn, map[string]string{"amount": "10"}, base, "", "",
			func(in model.Interaction) bool { return in.Amount == 1000 }},
		{"feedback", model.KindFeedback, map[string]string{"score": "5", "note": "lovely"}, base, "", "",
			func(in model.Interaction) bool { return in.Score == 5 && in.Note == "lovely" }},
		{"feedback as 4/5", model.KindFeedback, map[string]string{"score": "4/5"}, base, "", "",
			func(in model.Interaction) bool { return in.Score == 4 }},
		{"feedback without a score", model.KindFeedback, map[string]string{}, base, "", "score is missing", nil},
		{"feedback of 6", model.KindFeedback, map[string]string{"score": "6"}, base, "", "6 is outside 1-5", nil},
		{"feedback of 0", model.KindFeedback, map[string]string{"score": "0"}, base, "", "0 is outside 1-5", nil},
		{"feedback in words", model.KindFeedback, map[string]string{"score": "great"}, base, "", `"great" is not a number`, nil},
		{"complaint", model.KindComplaint, map[string]string{"category": "late delivery", "note": "a day late"}, base, "", "",
			func(in model.Interaction) bool {
				return in.Category == "late delivery" && in.Note == "a day late" && in.OpenComplaint()
			}},
		{"a call yesterday", model.KindCall, map[string]string{"when": "yesterday"}, base, "", "",
			func(in model.Interaction) bool { return in.At.Equal(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)) }},
		{"a visit two hours ago", model.KindVisit, map[string]string{"when": "-2h"}, base, "", "",
			func(in model.Interaction) bool { return in.At.Equal(testNow.Add(-2 * time.Hour)) }},
		{"a day and time", model.KindEmail, map[string]string{"when": "2026-11-20 14:30"}, base, "", "",
			func(in model.Interaction) bool { return in.At.Equal(time.Date(2026, 11, 20, 14, 30, 0, 0, time.UTC)) }},
		{"tomorrow", model.KindVisit, map[string]string{"when": "tomorrow"}, base, "", "is in the future", nil},
		{"an hour ahead", model.KindVisit, map[string]string{"when": "2026-11-25 16:00"}, base, "", "is in the future", nil},
		{"not a date", model.KindVisit, map[string]string{"when": "soonish"}, base, "", "not a date", nil},
		{"a note too long", model.KindNote, map[string]string{"note": strings.Repeat("x", model.MaxLong+1)}, base, "", "note", nil},
		{"an edit keeps the stored second", model.KindPurchase, map[string]string{"amount": "12", "when": "2026-11-23 13:59"}, stored, "2026-11-23 13:59", "",
			func(in model.Interaction) bool {
				return in.At.Equal(stored.At) && in.Amount == 1200 && in.ID == 7 && in.Points == 10
			}},
		{"an edit moved in time", model.KindPurchase, map[string]string{"amount": "10", "when": "yesterday"}, stored, "2026-11-23 13:59", "",
			func(in model.Interaction) bool { return in.At.Equal(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lc := logChecker{kind: tc.kind, now: testNow, settings: st, keepWhen: tc.keep}
			in, err := lc.build(tc.base, func(k string) string { return tc.values[k] })
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("err = %v, want %q", err, tc.want)
				}
				// The same reason shows beside the field when it is left.
				for f, v := range tc.values {
					if e := lc.check(f, v); e != nil && !strings.Contains(e.Error(), tc.want) {
						t.Fatalf("the %s field says %q", f, e)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(in) {
				t.Fatalf("built %+v", in)
			}
		})
	}
}

func TestLogFieldsAreOnlyWhatTheKindNeeds(t *testing.T) {
	for _, kk := range logKindKeys {
		fields := logFieldsFor(kk.kind)
		has := func(f string) bool {
			for _, x := range fields {
				if x == f {
					return true
				}
			}
			return false
		}
		if !has(fieldNote) || fields[len(fields)-1] != fieldWhen {
			t.Errorf("%s: %v should have a note and end with when", kk.kind, fields)
		}
		if has(fieldAmount) != kk.kind.HasAmount() || has(fieldScore) != (kk.kind == model.KindFeedback) ||
			has(fieldCategory) != (kk.kind == model.KindComplaint) || has(fieldReferred) != (kk.kind == model.KindReferral) {
			t.Errorf("%s asks for %v", kk.kind, fields)
		}
	}
}

func TestLKeyOpensTheChooserWithEveryKind(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("l")
	if _, ok := h.customers().dialog.(*quickLog); !ok {
		t.Fatal("l did not open the quick log")
	}
	h.mustShow("Log for Ana Lima: what happened?", "esc cancel")
	scr := h.screen()
	for _, kk := range logKindKeys {
		if !strings.Contains(scr, kk.key+" "+kindMarks[kk.kind]+" "+kk.kind.Label()) {
			t.Errorf("the chooser does not offer %s on %s:\n%s", kk.kind, kk.key, scr)
		}
	}
	h.keys("x") // not a kind: nothing happens
	h.mustShow("what happened?")
	h.keys("esc")
	if h.customers().dialog != nil {
		t.Fatal("esc did not close the chooser")
	}
}

func TestEachChooserKeyAsksForItsFields(t *testing.T) {
	h := newHarness(t, shopFile(t), 120, 40)
	for _, kk := range logKindKeys {
		h.keys("l", kk.key)
		q, ok := h.customers().dialog.(*quickLog)
		if !ok || q.kind != kk.kind {
			t.Fatalf("%s did not choose %s", kk.key, kk.kind)
		}
		var keys []string
		for _, f := range q.f.fields {
			keys = append(keys, f.key)
			label, _ := logFieldLabel(kk.kind, f.key)
			h.mustShow(label)
		}
		if strings.Join(keys, ",") != strings.Join(logFieldsFor(kk.kind), ",") {
			t.Fatalf("%s asks for %v", kk.kind, keys)
		}
		h.mustShow("Log " + article(kk.kind) + " " + kk.kind.Label() + " for Ana Lima")
		h.keys("esc")
		if h.customers().dialog != nil {
			t.Fatalf("esc on an untouched %s form did not close it", kk.kind)
		}
	}
}

func TestLoggingAPurchaseUpdatesTheListAtOnce(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("j", "j") // Bruno Costa: last visit 12 days ago, €890,00
	h.mustShow("12 days ago", "€890,00")
	h.keys("l", "p").typeText("24.90").keys("tab").typeText("red roses").keys("ctrl+s")
	if h.status() != "Logged purchase of €24,90 for Bruno Costa." {
		t.Fatalf("status = %q", h.status())
	}
	if h.customers().dialog != nil {
		t.Fatal("the quick log stayed open after saving")
	}
	h.mustShow("€914,90", "today")
	e := h.customers().selected()
	if e.c.Name != "Bruno Costa" || e.c.Stats.Visits != 2 || e.c.Stats.Spend != 91490 {
		t.Fatalf("the row holds %s with %+v", e.c.Name, e.c.Stats)
	}
	list, err := h.s.Interactions(e.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := list[0]
	st, _ := h.s.Settings()
	if got.Kind != model.KindPurchase || got.Amount != 2490 || got.Note != "red roses" || !got.At.Equal(testNow) ||
		got.Points != model.PointsFor(model.KindPurchase, 2490, st.Loyalty) {
		t.Fatalf("stored %+v", got)
	}
}

func TestQuickLogChecksFieldsAsTheyAreLeftAndKeepsWhatWasTyped(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("l", "p").typeText("12a").keys("tab")
	h.mustShow(`✗ amount "12a" is not an amount`)
	h.typeText("tulips").keys("tab").typeText("tomorrow").keys("ctrl+s")
	if !strings.HasPrefix(h.status(), "Not saved yet: amount") {
		t.Fatalf("status = %q", h.status())
	}
	q := h.customers().dialog.(*quickLog)
	if q.f.get("amount") != "12a" || q.f.get("note") != "tulips" || q.f.get("when") != "tomorrow" || q.f.fields[q.f.focus].key != "amount" {
		t.Fatal("a refused save lost what was typed or left the cursor elsewhere")
	}
	h.mustShow("is in the future")
	if list, _ := h.s.Interactions(1); len(list) != 3 {
		t.Fatal("a refused quick log was saved")
	}
}

func TestQuickLogEscAsksOnlyWhenSomethingWasTyped(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("l", "v", "esc")
	if h.customers().dialog != nil {
		t.Fatal("esc on an untouched form asked")
	}
	h.keys("l", "v").typeText("came in for ribbons").keys("esc")
	h.mustShow("Discard this visit?")
	h.keys("n")
	h.mustShow("came in for ribbons")
	h.keys("esc", "y")
	if h.customers().dialog != nil {
		t.Fatal("discarding left the form open")
	}
	if list, _ := h.s.Interactions(1); len(list) != 3 {
		t.Fatal("a discarded quick log was saved")
	}
}

func TestCtrlCInAQuickLogAsksBeforeQuitting(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("l", "n").typeText("q?1").keys("ctrl+c")
	if h.quit {
		t.Fatal("ctrl+c quit with a note typed")
	}
	h.mustShow("Discard this note and quit?")
	h.keys("y")
	if !h.quit {
		t.Fatal("confirming did not quit")
	}
}

func TestFeedbackAndComplaintKeepTheirFields(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("l", "f").typeText("4").keys("tab").typeText("nice ribbon").keys("ctrl+s")
	if h.status() != "Logged feedback (4/5) for Ana Lima." {
		t.Fatalf("status = %q", h.status())
	}
	h.keys("l", "k").typeText("late delivery").keys("tab").typeText("a day late").keys("tab").typeText("yesterday").keys("ctrl+s")
	list, err := h.s.Interactions(1)
	if err != nil {
		t.Fatal(err)
	}
	var fb, co *model.Interaction
	for i := range list {
		switch list[i].Kind {
		case model.KindFeedback:
			fb = &list[i]
		case model.KindComplaint:
			co = &list[i]
		}
	}
	if fb == nil || fb.Score != 4 || fb.Note != "nice ribbon" {
		t.Fatalf("feedback %+v", fb)
	}
	if co == nil || co.Category != "late delivery" || co.Note != "a day late" || co.Resolved ||
		!co.At.Equal(time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("complaint %+v", co)
	}
	if c, _ := h.s.Customer(1); c.Stats.OpenComplaints != 1 {
		t.Fatalf("%d open complaints", c.Stats.OpenComplaints)
	}
}

func TestQuickLogFromTheDetailShowsInTheTimeline(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("enter", "l", "v").typeText("picked up an order").keys("ctrl+s")
	if h.customers().screen != screenDetail {
		t.Fatal("logging left the detail")
	}
	h.mustShow("Logged visit for Ana Lima.", "○ Wed 25  visit", "picked up an order", "4 interactions")
}

func TestReferralPicksAnExistingCustomer(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("l", "r").typeText("bruno")
	h.mustShow("> Bruno Costa #2", `+ add "bruno" as a new customer`)
	h.keys("tab")
	h.mustShow("→ Bruno Costa #2")
	h.keys("ctrl+s")
	if h.status() != "Logged referral of Bruno Costa for Ana Lima." {
		t.Fatalf("status = %q", h.status())
	}
	bruno, _ := h.s.Customer(2)
	if bruno.ReferredBy != 1 {
		t.Fatalf("Bruno is referred by #%d", bruno.ReferredBy)
	}
	if e := h.customers().byID[2]; !e.whole() || e.customer().ReferredBy != 1 {
		t.Fatal("the loaded Bruno does not know who referred him")
	}
	list, _ := h.s.Interactions(1)
	if list[0].Kind != model.KindReferral || list[0].Referred != 2 {
		t.Fatalf("stored %+v", list[0])
	}
}

func TestReferralAddsANewCustomerByName(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("l", "r").typeText("Rui Patrício")
	h.mustShow(`> + add "Rui Patrício" as a new customer`)
	h.keys("ctrl+s")
	rui, ok := findByName(t, h.s, "Rui Patrício")
	if !ok || rui.ReferredBy != 1 || !rui.Since.Equal(testNow) {
		t.Fatalf("Rui is %+v", rui)
	}
	if h.customers().byID[rui.ID] == nil {
		t.Fatal("the new customer is not in the list")
	}
	if h.status() != "Logged referral of Rui Patrício for Ana Lima." {
		t.Fatalf("status = %q", h.status())
	}
}

func TestReferralArrowsPickAnotherMatchOrANewPerson(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("j", "j", "l", "r").typeText("an") // from Bruno: Ana Lima, Anabela Sousa…
	q := h.customers().dialog.(*quickLog)
	if len(q.hits) < 2 || q.pick != 0 {
		t.Fatalf("hits %v, pick %d", q.hits, q.pick)
	}
	second := q.hits[1]
	h.keys("down")
	if id, _ := q.referral(); id != second.id {
		t.Fatalf("down picked #%d, want %s", id, second.name)
	}
	for range len(q.hits) {
		h.keys("down")
	}
	if id, name := q.referral(); id != 0 || name != "an" {
		t.Fatalf("the last line should add %q, got #%d %q", "an", id, name)
	}
	for _, p := range q.hits {
		if p.id == 2 {
			t.Fatal("a customer is offered as their own referral")
		}
	}
	last := q.hits[len(q.hits)-1]
	h.keys("up", "ctrl+s")
	list, _ := h.s.Interactions(2)
	if list[0].Referred != last.id {
		t.Fatalf("saved a referral of #%d, want #%d", list[0].Referred, last.id)
	}
}

func TestReferralNeedsAPerson(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("l", "r", "ctrl+s")
	if !strings.Contains(h.status(), "who they sent is missing") {
		t.Fatalf("status = %q", h.status())
	}
}
