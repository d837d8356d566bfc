package ui

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// logAt logs an interaction of a kind daysAgo days before testNow.
func logAt(t testing.TB, s *store.Store, id model.ID, kind model.Kind, daysAgo int, amount model.Money) {
	t.Helper()
	in := model.Interaction{Customer: id, Kind: kind, At: days(daysAgo), Amount: amount}
	if kind == model.KindFeedback {
		in.Score = 5
	}
	if _, err := s.AddInteraction(in); err != nil {
		t.Fatal(err)
	}
}

// loyaltyShop is the small shop with someone on every rung and in every
// list of the Loyalty tab:
//   - prospect: Diogo; customer: Anabela (close to client), Elena;
//   - client: Ana, Fátima (slips to customer on 2026-12-10), Helena (close
//     to supporter: 7 of 8 visit days);
//   - supporter: Bruno; advocate: Inês; partner: Gil.
func loyaltyShop(t testing.TB) *store.Store {
	t.Helper()
	s := shopFile(t)
	addCustomer(t, s, model.Customer{Name: "Fátima Reis"}, [2]int{1000, 350}, [2]int{1000, 100}, [2]int{1000, 20})
	h := addCustomer(t, s, model.Customer{Name: "Helena Duarte"}, [2]int{2000, 90}, [2]int{2000, 60}, [2]int{2000, 30})
	for _, d := range []int{80, 70, 50, 40} {
		logAt(t, s, h.ID, model.KindVisit, d, 0)
	}
	i := addCustomer(t, s, model.Customer{Name: "Inês Carvalho"}, [2]int{60000, 45})
	logAt(t, s, i.ID, model.KindFeedback, 44, 0)
	g := addCustomer(t, s, model.Customer{Name: "Gil Santos", Notes: "sends us the wedding planners"})
	if _, err := s.SetPartner(g.ID, true); err != nil {
		t.Fatal(err)
	}
	return s
}

// loyalty is the Loyalty tab.
func (h *harness) loyalty() *loyaltyView {
	for _, t := range h.app.tabs {
		if v, ok := t.view.(*loyaltyView); ok {
			return v
		}
	}
	h.t.Fatal("there is no Loyalty tab")
	return nil
}

func rowNames(v *loyaltyView, rows []loyaltyRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, v.name(r))
	}
	return out
}

// TestLoyaltyTabViews pins the Loyalty tab, ANSI stripped, at 80x24 and
// 120x40: the ladder chart, the three lists and their empty states.
func TestLoyaltyTabViews(t *testing.T) {
	cases := []struct {
		name  string
		file  func(testing.TB) *store.Store
		setup func(h *harness)
	}{
		{"ladder", loyaltyShop, func(h *harness) { h.keys("4") }},
		{"slipping", loyaltyShop, func(h *harness) { h.keys("4", "shift+tab") }},
		{"empty", newFile, func(h *harness) { h.keys("4") }},
		{"nobody_in_the_lists", func(t testing.TB) *store.Store {
			s := newFile(t)
			addCustomer(t, s, model.Customer{Name: "Diogo Alves"})
			return s
		}, func(h *harness) { h.keys("4") }},
		{"follow_up", loyaltyShop, func(h *harness) { h.keys("4", "shift+tab", "r") }},
	}
	for _, tc := range cases {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", tc.name, size[0], size[1]), func(t *testing.T) {
				h := newHarness(t, tc.file(t), size[0], size[1])
				tc.setup(h)
				golden.RequireEqual(t, h.screen())
			})
		}
	}
}

func TestLoyaltyListsWhoIsWhere(t *testing.T) {
	h := newHarness(t, loyaltyShop(t), 80, 24)
	h.keys("4")
	v := h.loyalty()
	if v.lists == nil {
		t.Fatal("the ladder was not worked out")
	}
	want := [model.RungPartner + 1]int{1, 2, 3, 1, 1, 1}
	if v.lists.counts != want {
		t.Fatalf("rungs %v, want %v", v.lists.counts, want)
	}
	if got := rowNames(v, v.lists.rows[sectionClose]); !slices.Equal(got, []string{"Helena Duarte", "Anabela Sousa"}) {
		t.Errorf("close to the next rung: %q", got)
	}
	if got := rowNames(v, v.lists.rows[sectionRewards]); !slices.Equal(got, []string{"Bruno Costa", "Inês Carvalho", "Ana Lima", "Elena Rossi", "Helena Duarte", "Anabela Sousa"}) {
		t.Errorf("rewards ready (most points first): %q", got)
	}
	if got := rowNames(v, v.lists.rows[sectionSlipping]); !slices.Equal(got, []string{"Fátima Reis"}) {
		t.Errorf("slipping: %q", got)
	}
	h.mustShow("to supporter: 1 more visit", "to client: 1 more purchase",
		"client → customer on 2026-12-10 (in 2 weeks)", "5.00 off, free gift wrap")
}

func TestLoyaltyIsWorkedOutInACommandNotInUpdate(t *testing.T) {
	h := newHarness(t, loyaltyShop(t), 80, 24)
	h.keys("4")
	v := h.loyalty()
	v.lists = nil
	_, cmd := v.Update(settingsMsg{settings: h.app.c.settings})
	if v.lists != nil || cmd == nil {
		t.Fatal("Update worked the ladder out itself instead of in a command")
	}
	h.mustShow("Working out the ladder…")
	h.send(cmd())
	h.mustShow("Close to the next rung (2)")
}

func TestTabMovesBetweenTheListsAndJKWithinThem(t *testing.T) {
	h := newHarness(t, loyaltyShop(t), 80, 24)
	h.keys("4")
	v := h.loyalty()
	if v.focus != sectionClose {
		t.Fatal("the first list should have the focus")
	}
	h.keys("j")
	if r := v.selectedRow(); r == nil || v.name(*r) != "Anabela Sousa" {
		t.Fatalf("j selected %+v", r)
	}
	h.keys("j") // stops at the end
	if r := v.selectedRow(); v.name(*r) != "Anabela Sousa" {
		t.Fatalf("j past the end selected %q", v.name(*r))
	}
	h.keys("tab")
	if v.focus != sectionRewards {
		t.Fatal("tab should move to the rewards list")
	}
	h.mustShow("▸ Rewards ready (6)", "> Bruno Costa")
	h.keys("G")
	if r := v.selectedRow(); v.name(*r) != "Anabela Sousa" {
		t.Fatalf("G selected %q", v.name(*r))
	}
	h.keys("g", "down")
	if r := v.selectedRow(); v.name(*r) != "Inês Carvalho" {
		t.Fatalf("g then down selected %q", v.name(*r))
	}
	h.keys("tab", "tab")
	if v.focus != sectionClose {
		t.Fatal("tab should wrap around to the first list")
	}
	if r := v.selectedRow(); v.name(*r) != "Anabela Sousa" {
		t.Fatalf("each list keeps its own selection; got %q", v.name(*r))
	}
	h.keys("shift+tab")
	if v.focus != sectionSlipping {
		t.Fatal("shift+tab should go back to the last list")
	}
	if h.app.active != slices.IndexFunc(h.app.tabs, func(t tab) bool { return t.num == 4 }) {
		t.Fatal("tab moved to another view")
	}
}

func TestEnterOpensTheSelectedCustomer(t *testing.T) {
	h := newHarness(t, loyaltyShop(t), 80, 40)
	h.keys("4", "shift+tab", "enter")
	if h.app.active != 0 || h.customers().screen != screenDetail {
		t.Fatal("enter should open the customer's detail")
	}
	h.mustShow("Fátima Reis", "Slips to customer on 2026-12-10 (in 2 weeks) unless they come back")
}

func TestRMakesAFollowUpReminderForSomeoneSlipping(t *testing.T) {
	h := newHarness(t, loyaltyShop(t), 120, 30)
	h.keys("4", "shift+tab", "r")
	h.mustShow("Follow up Fátima Reis on which day?", "Due: tomorrow",
		"Invite them back: without a visit they slip from client to", "customer on 2026-12-10.")
	if !h.loyalty().Capturing() {
		t.Fatal("the due date field should have the keyboard")
	}
	h.keys("enter")
	if got := h.status(); got != "Added a follow-up for Fátima Reis on 2026-11-26. u undoes it." {
		t.Fatalf("status = %q", got)
	}
	rs, err := h.s.ManualReminders()
	if err != nil || len(rs) != 1 {
		t.Fatalf("reminders %v, %v", rs, err)
	}
	r := rs[0]
	fatima, _ := findByName(t, h.s, "Fátima Reis")
	if r.Customer != fatima.ID || r.Kind != model.ReminderFollowUp || r.Due.Format(model.DayFormat) != "2026-11-26" ||
		!strings.Contains(r.Note, "slip from client to customer") {
		t.Fatalf("stored %+v", r)
	}
	h.keys("u")
	if rs, _ := h.s.ManualReminders(); len(rs) != 0 {
		t.Fatal("u did not take the reminder back")
	}
}

func TestTheFollowUpDayCanBeTypedAndABadOneIsExplained(t *testing.T) {
	h := newHarness(t, loyaltyShop(t), 120, 30)
	h.keys("4", "shift+tab", "r", "ctrl+u").typeText("yesterday").keys("enter")
	h.mustShow("Follow up Fátima Reis", "counts back in time")
	if rs, _ := h.s.ManualReminders(); len(rs) != 0 {
		t.Fatal("a bad day added a reminder")
	}
	h.keys("ctrl+u").typeText("+2w").keys("enter")
	rs, _ := h.s.ManualReminders()
	if len(rs) != 1 || rs[0].Due.Format(model.DayFormat) != "2026-12-09" {
		t.Fatalf("+2w stored %+v", rs)
	}
	h.keys("r", "esc")
	if h.loyalty().dialog != nil {
		t.Fatal("esc should close the question")
	}
	if rs, _ := h.s.ManualReminders(); len(rs) != 1 {
		t.Fatal("esc added a reminder")
	}
	// From the other lists the note says why to call.
	h.keys("tab", "r")
	h.mustShow("Follow up Helena Duarte", "1 more visit makes them a supporter.")
	h.keys("esc", "tab", "r")
	h.mustShow("Follow up Bruno Costa", "Tell them their 890 points pay for free gift wrap or 5.00 off.")
}

func TestKeysOnAnEmptyListSaySo(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("4", "shift+tab")
	h.mustShow("Nobody drops a rung in the next 30 days.")
	h.keys("r")
	if h.loyalty().dialog != nil {
		t.Fatal("r with nobody selected opened a question")
	}
	if !strings.Contains(h.status(), "Nobody is selected") {
		t.Fatalf("status = %q", h.status())
	}
}

func TestDollarOnTheLoyaltyTabRedeemsForTheSelectedCustomer(t *testing.T) {
	h := newHarness(t, loyaltyShop(t), 80, 24)
	h.keys("4", "tab", "j", "$")
	h.mustShow("Redeem a reward for Inês Carvalho (600 points)")
	h.keys("enter", "y")
	if !strings.HasPrefix(h.status(), "Redeemed 5.00 off for Inês Carvalho: 100 points, 500 left.") {
		t.Fatalf("status = %q", h.status())
	}
	h.mustShow("500 points")
}

// TestTheListsFollowChangesAsAFullRecomputationWould: another window's
// purchase moves Anabela up to client; the tab updates just her rows and
// ends where working everything out again would.
func TestTheListsFollowChangesAsAFullRecomputationWould(t *testing.T) {
	other := loyaltyShop(t)
	h := newHarness(t, other, 80, 24)
	h.keys("4")
	anabela, _ := findByName(t, other, "Anabela Sousa")
	logAt(t, other, anabela.ID, model.KindPurchase, 0, 9000)
	elena, _ := findByName(t, other, "Elena Rossi")
	if _, err := other.SetStatus(elena.ID, model.StatusArchived, "", ""); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	v := h.loyalty()
	if got := rowNames(v, v.lists.rows[sectionClose]); !slices.Equal(got, []string{"Helena Duarte"}) {
		t.Fatalf("close after Anabela's third purchase: %q", got)
	}
	var cs []*model.Customer
	all, _ := other.AllCustomers(nil)
	for i := range all {
		if all[i].Active() {
			cs = append(cs, &all[i])
		}
	}
	st := h.app.c.settings
	full, err := computeLoyalty(nil, entriesOf(cs), st.Loyalty, testNow, st.Location())
	if err != nil {
		t.Fatal(err)
	}
	if v.lists.counts != full.counts {
		t.Fatalf("counts %v, worked out again %v", v.lists.counts, full.counts)
	}
	for s := range loyaltySections {
		if got, want := rowNames(v, v.lists.rows[s]), rowNames(v, full.rows[s]); !slices.Equal(got, want) {
			t.Errorf("%s: %q, worked out again %q", sectionTitles[s], got, want)
		}
	}
	if i := slices.IndexFunc(v.lists.rows[sectionRewards], func(r loyaltyRow) bool { return v.name(r) == "Anabela Sousa" }); i < 0 || v.lists.rows[sectionRewards][i].points != 140 {
		t.Fatalf("Anabela's points after the purchase: %+v", v.lists.rows[sectionRewards])
	}
}

func TestTheLadderIsWorkedOutAgainWhenTheSettingsChange(t *testing.T) {
	other := loyaltyShop(t)
	h := newHarness(t, other, 80, 24)
	h.keys("4")
	st, _ := other.Settings()
	ls := st.Loyalty
	ls.ClientPurchases = 2
	if _, err := other.SaveLoyaltySettings(ls); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	if got := h.loyalty().lists.counts[model.RungClient]; got != 4 {
		t.Fatalf("with clients at 2 purchases, %d clients", got)
	}
	h.mustShow("2+ purchases in 12 months")
}

// TestCustomersSlipAsDaysPassWithoutAWrite: on a later day the tab works
// the ladder out again; Fátima has slipped without anything written.
func TestCustomersSlipAsDaysPassWithoutAWrite(t *testing.T) {
	h := newHarness(t, loyaltyShop(t), 80, 24)
	h.keys("4")
	later := testNow.Add(20 * 24 * time.Hour)
	h.app.c.now = func() time.Time { return later }
	h.keys("j")
	v := h.loyalty()
	if v.lists.day != "2026-12-15" {
		t.Fatalf("worked out for %s", v.lists.day)
	}
	if got := rowNames(v, v.lists.rows[sectionSlipping]); slices.Contains(got, "Fátima Reis") {
		t.Fatalf("Fátima still slipping after the day passed: %q", got)
	}
	if v.lists.counts[model.RungClient] != 2 {
		t.Fatalf("clients on 2026-12-15: %d", v.lists.counts[model.RungClient])
	}
}

func TestTheListShowsRungAndPointsColumns(t *testing.T) {
	h := newHarness(t, loyaltyShop(t), 80, 24)
	h.mustShow("Rung", "Points")
	for _, want := range []string{"Ana Lima", "client", "189", "Gil Santos", "partner", "Inês Carvalho", "advocate"} {
		h.mustShow(want)
	}
	// Narrow windows keep the rung longest.
	cols := visibleColumns(58)
	var titles []string
	for _, c := range cols {
		titles = append(titles, c.title)
	}
	if !slices.Contains(titles, "Rung") || slices.Contains(titles, "Points") {
		t.Fatalf("at 60 columns: %q", titles)
	}
}

func TestTheDetailShowsRungPointsAndProgress(t *testing.T) {
	h := newHarness(t, loyaltyShop(t), 80, 40)
	h.keys("enter") // Ana Lima
	h.mustShow("client · 189 points · 2 rewards ready ($ redeems)", "To supporter  ", "5 more visits or 309.60 more")
	h.keys("esc", "j", "enter") // Anabela Sousa
	h.mustShow("customer · 50 points · 1 reward ready", "To client  ", "1 more purchase")
	h.keys("esc", "j", "j", "j", "enter") // Elena Rossi: 76 points
	h.mustShow("Elena Rossi", "customer · 76 points · 1 reward ready")
	h.keys("esc", "j", "j", "enter") // Gil Santos
	h.mustShow("Gil Santos", "partner (set by hand; p unsets it)")
}

func TestPartnerAsksThenSetsAndUndoes(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("p")
	h.mustShow("Make Ana Lima a partner?")
	h.keys("n")
	if c, _ := findByName(t, h.s, "Ana Lima"); c.Partner {
		t.Fatal("n made her a partner")
	}
	h.keys("p", "y")
	if h.status() != "Ana Lima is a partner now. u undoes it." {
		t.Fatalf("status = %q", h.status())
	}
	if c, _ := findByName(t, h.s, "Ana Lima"); !c.Partner {
		t.Fatal("y did not make her a partner")
	}
	h.mustShow("partner")
	h.keys("u")
	if c, _ := findByName(t, h.s, "Ana Lima"); c.Partner {
		t.Fatal("u did not take it back")
	}
	// From the detail, the question says how to unset.
	h.keys("enter", "p", "y", "p")
	h.mustShow("Ana Lima is a partner. Unset it?")
	h.keys("y")
	if c, _ := findByName(t, h.s, "Ana Lima"); c.Partner {
		t.Fatal("unset from the detail did not save")
	}
}

// settingsField moves the Settings form's cursor to a field by its key.
func (h *harness) settingsField(key string) {
	h.t.Helper()
	f := h.app.settings.f
	i := slices.IndexFunc(f.fields, func(fl *field) bool { return fl.key == key })
	if i < 0 {
		h.t.Fatalf("the settings have no field %q", key)
	}
	for f.focus != i {
		h.keys("tab")
	}
}

func TestLoyaltySettingsAreValidatedSavedAndUndoable(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys(",")
	h.settingsField(keyClientPurchases)
	h.mustShow("Client purchases", "Supporter visits", "Supporter spend")
	h.keys("ctrl+u").typeText("1").keys("tab")
	h.mustShow("✗ client purchases is 1: a customer already has 1 purchase")
	h.keys("ctrl+s")
	if h.app.settings == nil || h.app.status.kind != statusError {
		t.Fatal("a bad threshold saved")
	}
	if fl := h.app.settings.f.fields[h.app.settings.f.focus]; fl.key != keyClientPurchases {
		t.Fatalf("a failed save should put the cursor on the field to fix, not %q", fl.key)
	}
	// The ladder must rise: supporter visits above client purchases.
	h.keys("ctrl+u").typeText("9").keys("ctrl+s")
	if !strings.Contains(h.status(), "supporter visits (8) is not more than the purchases a client needs (9)") {
		t.Fatalf("status = %q", h.status())
	}
	h.settingsField(keySupporterVisits)
	h.keys("ctrl+u").typeText("12")
	h.settingsField(keySupporterSpend)
	h.keys("ctrl+u").typeText("lots").keys("tab")
	h.mustShow("✗ supporter spend")
	h.settingsField(keySupporterSpend)
	h.keys("ctrl+u").typeText("750").keys("tab", "ctrl+u").typeText("2").keys("ctrl+s")
	if h.app.settings != nil {
		t.Fatalf("good settings did not save: %q", h.status())
	}
	st, _ := h.s.Settings()
	ls := st.Loyalty
	if ls.ClientPurchases != 9 || ls.SupporterVisits != 12 || ls.SupporterSpend != 75000 || ls.EarnPoints != 2 || ls.EarnPer != 100 {
		t.Fatalf("stored %+v", ls)
	}
	h.keys("4")
	h.mustShow("9+ purchases in 12 months", "12+ visit days or 750.00")
	h.keys("u")
	if st, _ := h.s.Settings(); st.Loyalty.ClientPurchases != 3 || st.Loyalty.SupporterVisits != 8 {
		t.Fatalf("undo left %+v", st.Loyalty)
	}
	h.mustShow("3+ purchases in 12 months")
}

func TestRewardsCanBeAddedEditedAndRemovedInSettings(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys(",")
	h.settingsField(keyRewardPrefix + "0")
	h.mustShow("Reward 1", "5.00 off: 100 points", "free gift wrap: 50 points", "New reward")
	h.keys("ctrl+u", "tab", "ctrl+u").typeText("free gift wrap: 40").keys("tab").typeText("coffee mug: 300 points")
	h.mustShow("Reward 3", "New reward")
	if n := len(rewardFields(h.app.settings.f)); n != 4 {
		t.Fatalf("typing a new reward should add an empty field after it; %d reward fields", n)
	}
	// A reward without points is explained.
	h.keys("tab").typeText("tea").keys("ctrl+s")
	if !strings.Contains(h.status(), "reward 3 has no points: write its points after a colon") {
		t.Fatalf("status = %q", h.status())
	}
	// So is a name used twice.
	h.keys("ctrl+u").typeText("Coffee Mug: 20").keys("ctrl+s")
	if !strings.Contains(h.status(), `reward "Coffee Mug" is listed twice`) {
		t.Fatalf("status = %q", h.status())
	}
	h.keys("ctrl+u", "ctrl+s")
	if h.app.settings != nil {
		t.Fatalf("the catalogue did not save: %q", h.status())
	}
	st, _ := h.s.Settings()
	want := []model.Reward{{Name: "free gift wrap", Points: 40}, {Name: "coffee mug", Points: 300}}
	if !slices.Equal(st.Loyalty.Rewards, want) {
		t.Fatalf("stored %+v", st.Loyalty.Rewards)
	}
	// Emptying every reward leaves an empty catalogue, and the tab says where to add one.
	h.keys(",")
	h.settingsField(keyRewardPrefix + "0")
	h.keys("ctrl+u", "tab", "ctrl+u", "ctrl+s")
	if st, _ := h.s.Settings(); len(st.Loyalty.Rewards) != 0 {
		t.Fatalf("stored %+v", st.Loyalty.Rewards)
	}
	h.keys("4", "tab")
	h.mustShow("The rewards catalogue is empty: add rewards in Settings (,).")
}

func TestParseRewardReadsNameAndPoints(t *testing.T) {
	cases := []struct {
		in   string
		want model.Reward
		err  string
	}{
		{"coffee: 30", model.Reward{Name: "coffee", Points: 30}, ""},
		{"coffee:30 points", model.Reward{Name: "coffee", Points: 30}, ""},
		{"10:30 tea: 1 point", model.Reward{Name: "10:30 tea", Points: 1}, ""},
		{"coffee", model.Reward{}, "has no points"},
		{"coffee: lots", model.Reward{}, "not a whole number of points"},
	}
	for _, tc := range cases {
		got, err := parseReward(tc.in, 1)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseReward(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseReward(%q) = %+v, %v", tc.in, got, err)
		}
	}
}

func TestRungChangesForTheTimeline(t *testing.T) {
	s := loyaltyShop(t)
	fatima, _ := findByName(t, s, "Fátima Reis")
	list, err := s.Interactions(fatima.ID)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := s.Settings()
	changes := rungChangesFor(list, st, testNow.Add(30*24*time.Hour))
	var got []string
	for _, ch := range changes {
		got = append(got, ch.At.Format(model.DayFormat)+" "+rungChangeText(ch))
	}
	want := []string{
		"2025-12-10 became a customer",
		"2026-11-05 moved up to client (from customer)",
		"2026-12-10 slipped to customer (from client) as 12 months passed",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

// TestLoyaltyKeysWaitForTheDialog: with the due date asked, q, digits and
// ? are typed, not acted on.
func TestLoyaltyKeysWaitForTheDialog(t *testing.T) {
	h := newHarness(t, loyaltyShop(t), 80, 24)
	h.keys("4", "shift+tab", "r", "ctrl+u", "q", "1", "?")
	if h.quit || h.app.showHelp || h.app.tabs[h.app.active].num != 4 {
		t.Fatal("a global key acted while the due date was typed")
	}
	h.mustShow("Due: q1?")
	h.send(tea.PasteMsg{Content: "x"})
	h.mustShow("Due: q1?x")
}

// ladderCustomers makes n customers with a dozen interactions each over
// two years, their aggregates worked out as the store would.
func ladderCustomers(n int) []*model.Customer {
	r := rand.New(rand.NewPCG(3, 4))
	ls := model.DefaultLoyalty()
	out := make([]*model.Customer, n)
	for i := range out {
		var list []model.Interaction
		for j := 0; j < 1+r.IntN(24); j++ {
			in := model.Interaction{ID: model.ID(j + 1), Customer: model.ID(i + 1), At: testNow.Add(-time.Duration(r.IntN(730*24)) * time.Hour)}
			switch r.IntN(4) {
			case 0, 1:
				in.Kind, in.Amount = model.KindPurchase, model.Money(500+r.IntN(20000))
				in.Points = model.PointsFor(in.Kind, in.Amount, ls)
			case 2:
				in.Kind = model.KindVisit
			default:
				in.Kind, in.Score = model.KindFeedback, 1+r.IntN(5)
			}
			list = append(list, in)
		}
		out[i] = &model.Customer{ID: model.ID(i + 1), Name: fmt.Sprintf("Customer %d", i+1), Stats: model.ComputeStats(list, time.UTC)}
	}
	return out
}

// BenchmarkLoyaltyTab100k works the whole tab out for 100,000 customers,
// as the tea.Cmd does once they are loaded (and on a new day).
func BenchmarkLoyaltyTab100k(b *testing.B) {
	cs := entriesOf(ladderCustomers(100_000))
	ls := model.DefaultLoyalty()
	b.ResetTimer()
	for b.Loop() {
		_, _ = computeLoyalty(nil, cs, ls, testNow, time.UTC)
	}
}

// BenchmarkLoyaltyPatch100k updates the tab for one changed customer among
// 100,000, as Update does when the change feed brings them.
func BenchmarkLoyaltyPatch100k(b *testing.B) {
	cs := ladderCustomers(100_000)
	c := &common{now: fixedNow, styles: NewStyles(true), settings: model.DefaultSettings()}
	c.settings.TimeZone = "UTC"
	v := newLoyaltyView(c, newCustomersView(c))
	v.lists, _ = computeLoyalty(nil, entriesOf(cs), c.settings.Loyalty, testNow, time.UTC)
	changed := []model.Customer{*cs[500]}
	ids := []model.ID{changed[0].ID}
	b.ResetTimer()
	for b.Loop() {
		v.patch(ids, changed)
	}
}

func TestTheTimelineShowsMovesOnTheLadder(t *testing.T) {
	h := newHarness(t, loyaltyShop(t), 100, 40)
	h.keys("j", "j", "j", "j", "j", "enter", "tab") // Fátima Reis
	h.mustShow("Fátima Reis", "▲", "moved up to client (from customer)", "became a customer")
	tl := &h.customers().detail.tl
	for range 5 {
		if in := tl.current(); in == nil || in.Kind != model.KindPurchase {
			t.Fatalf("the selection left the interactions: %+v", in)
		}
		h.keys("j")
	}
	// The move up sits just above the purchase that made it.
	scr := h.screen()
	up := strings.Index(scr, "moved up to client")
	nov := strings.Index(scr, "€10,00")
	if up < 0 || nov < 0 || up > nov {
		t.Fatalf("the move up is not above its purchase:\n%s", scr)
	}
}

func TestTheLadderIsWorkedOutAgainWhenTheListIsReadAgain(t *testing.T) {
	h := newHarness(t, loyaltyShop(t), 80, 24)
	h.keys("4")
	v := h.loyalty()
	gen := v.gen
	h.run(h.customers().startLoad()) // what an import in another window brings about
	if v.gen == gen || v.computing || v.lists == nil {
		t.Fatal("reading the customers again did not work the ladder out again")
	}
}

func TestTheRungColumnWaitsForTheWholeRecord(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	summary := &entry{c: listCustomer{ID: 99, Name: "Rui", Stats: listStats{Points: 40}}}
	if got := rungCell(h.customers(), summary); got != "…" {
		t.Fatalf("a summary's rung = %q; its per-day facts are not read yet", got)
	}
	summary.c.Partner = true
	if got := rungCell(h.customers(), summary); got != "partner" {
		t.Fatalf("a partner's summary says %q", got)
	}
}

func TestTheHelpNamesDollarAndP(t *testing.T) {
	h := newHarness(t, shopFile(t), 100, 40)
	h.keys("?")
	h.mustShow("redeem", "partner")
	h.keys("esc", "enter", "?")
	h.mustShow("redeem", "partner")
	h.keys("esc", "4", "?")
	h.mustShow("next list", "follow-up", "redeem")
}

// A ladder whose customers could not be read says why, and is worked out
// again on the next change, not on every message.
func TestALadderThatCannotBeReadIsTriedAgainOnAChange(t *testing.T) {
	s := loyaltyShop(t)
	h := newHarness(t, s, 80, 24)
	h.keys("4")
	v := h.loyalty()
	v.computing, v.gen = true, v.gen+1
	h.send(loyaltyDoneMsg{gen: v.gen, err: errors.New("another Patron is busy with the file")})
	if !strings.Contains(h.status(), "the ladder could not be worked out: another Patron is busy") {
		t.Fatalf("status %q", h.status())
	}
	v.lists = nil // as if it had never been worked out
	if cmd := v.maybeCompute(); cmd != nil {
		t.Fatal("tried again with nothing changed")
	}
	all, _ := s.AllCustomers(nil)
	if _, err := s.AddInteraction(model.Interaction{Customer: all[0].ID, Kind: model.KindVisit, At: testNow.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	if v.lists == nil || v.failed != "" {
		t.Fatalf("the change did not bring the ladder back (failed %q)", v.failed)
	}
}
