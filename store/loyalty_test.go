package store

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patron-crm/patron/model"
)

// buy logs a purchase with the points the file's earn rate gives it.
func buy(t *testing.T, s *Store, c model.ID, amount model.Money, at time.Time) {
	t.Helper()
	st, err := s.Settings()
	if err != nil {
		t.Fatal(err)
	}
	in := model.Interaction{Customer: c, Kind: model.KindPurchase, Amount: amount, At: at}
	in.Points = model.PointsFor(in.Kind, in.Amount, st.Loyalty)
	if _, err := s.AddInteraction(in); err != nil {
		t.Fatal(err)
	}
}

func points(t *testing.T, s *Store, id model.ID) int64 {
	t.Helper()
	c, err := s.Customer(id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Stats.Points
}

func TestRedeemDeductsPointsAndLogsIt(t *testing.T) {
	s := newTestStore(t)
	c, _ := s.AddCustomer(model.Customer{Name: "Ana Lima"})
	buy(t, s, c.ID, 15090, testNow.Add(-48*time.Hour)) // 150.90 earns 150
	if got := points(t, s, c.ID); got != 150 {
		t.Fatalf("points after 150.90: %d", got)
	}
	in, err := s.Redeem(c.ID, " 5.00 OFF ")
	if err != nil {
		t.Fatal(err)
	}
	if in.Kind != model.KindRedeemed || in.Points != -100 || in.Reward != "5.00 off" || in.ID == 0 || !in.At.Equal(testNow) {
		t.Fatalf("logged %+v", in)
	}
	if got := points(t, s, c.ID); got != 50 {
		t.Fatalf("points after redeeming 100: %d", got)
	}
	list, _ := s.Interactions(c.ID)
	if len(list) != 2 || list[0].ID != in.ID {
		t.Fatalf("timeline: %+v", list)
	}
	f, _ := s.ChangesSince(0)
	last := f.Changes[len(f.Changes)-1]
	if last.Summary != `Redeemed "5.00 off" for Ana Lima (100 points)` || last.Customer != c.ID {
		t.Fatalf("change: %+v", last)
	}
}

func TestRedeemRefusesWithTheMissingPointsAndWritesNothing(t *testing.T) {
	s := newTestStore(t)
	c, _ := s.AddCustomer(model.Customer{Name: "Ana Lima"})
	buy(t, s, c.ID, 8000, testNow.Add(-time.Hour))
	before, _ := s.ChangesSince(0)
	_, err := s.Redeem(c.ID, "5.00 off")
	var short *model.NotEnoughPoints
	if !errors.As(err, &short) || short.Missing() != 20 || !errors.Is(err, model.ErrNotEnoughPoints) {
		t.Fatalf("redeeming 100 with 80 points: %v", err)
	}
	if !strings.Contains(err.Error(), "Ana Lima has 80 points") || !strings.Contains(err.Error(), "20 more points") {
		t.Errorf("the refusal does not say what is missing: %v", err)
	}
	if _, err := s.Redeem(c.ID, "a pony"); err == nil || !strings.Contains(err.Error(), `"free gift wrap" (50 points)`) {
		t.Errorf("an unknown reward: %v", err)
	}
	if _, err := s.Redeem(999, "5.00 off"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an unknown customer: %v", err)
	}
	after, _ := s.ChangesSince(0)
	if after.Latest != before.Latest || points(t, s, c.ID) != 80 {
		t.Fatalf("a refused redemption wrote: changes %d -> %d, points %d", before.Latest, after.Latest, points(t, s, c.ID))
	}
}

func TestUndoOfARedemptionGivesThePointsBack(t *testing.T) {
	s := newTestStore(t)
	c, _ := s.AddCustomer(model.Customer{Name: "Ana Lima"})
	buy(t, s, c.ID, 15000, testNow.Add(-time.Hour))
	if _, err := s.Redeem(c.ID, "free gift wrap"); err != nil {
		t.Fatal(err)
	}
	if got := points(t, s, c.ID); got != 100 {
		t.Fatalf("after redeeming 50: %d", got)
	}
	ch, err := s.Undo()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ch.Summary, "free gift wrap") {
		t.Errorf("undo summary %q", ch.Summary)
	}
	if got := points(t, s, c.ID); got != 150 {
		t.Fatalf("after undo: %d points, want 150", got)
	}
	if list, _ := s.Interactions(c.ID); len(list) != 1 {
		t.Fatalf("the redemption is still in the timeline: %+v", list)
	}
}

// TestRedeemTwiceAtOnceSpendsTheBalanceOnce: two windows redeeming at the
// same moment cannot both spend the same points.
func TestRedeemTwiceAtOnceSpendsTheBalanceOnce(t *testing.T) {
	s := newTestStore(t)
	other := openTestStore(t, s.Path(), "w2")
	c, _ := s.AddCustomer(model.Customer{Name: "Ana Lima"})
	buy(t, s, c.ID, 15000, testNow.Add(-time.Hour))
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, w := range []*Store{s, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = w.Redeem(c.ID, "5.00 off")
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if !errors.Is(err, model.ErrNotEnoughPoints) {
			t.Fatalf("unexpected: %v", err)
		}
	}
	if ok != 1 || points(t, s, c.ID) != 50 {
		t.Fatalf("%d redemptions went through, %d points left", ok, points(t, s, c.ID))
	}
}

// TestRedeemWithTheClockSetBack: with --now before later interactions, the
// balance is the one at that moment, not the stored newest one.
func TestRedeemWithTheClockSetBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "patron.db")
	s := openTestStore(t, path, "w1")
	c, _ := s.AddCustomer(model.Customer{Name: "Ana Lima"})
	buy(t, s, c.ID, 15000, testNow.Add(-72*time.Hour))
	ret := model.Interaction{Customer: c.ID, Kind: model.KindReturn, Amount: 15000, At: testNow.Add(-time.Hour)}
	ret.Points = -150
	if _, err := s.AddInteraction(ret); err != nil {
		t.Fatal(err)
	}
	if points(t, s, c.ID) != 0 {
		t.Fatal("the return did not take the points back")
	}
	if _, err := s.Redeem(c.ID, "5.00 off"); !errors.Is(err, model.ErrNotEnoughPoints) {
		t.Fatalf("redeeming with 0 points: %v", err)
	}
	a := CurrentActor("test")
	a.Window = "past"
	past, err := Open(path, Options{Actor: a, Now: func() time.Time { return testNow.Add(-48 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := past.Redeem(c.ID, "5.00 off"); err != nil {
		t.Fatalf("two days ago Ana had 150 points: %v", err)
	}
}

func TestSetPartnerIsOneUndoableChange(t *testing.T) {
	s := newTestStore(t)
	c, _ := s.AddCustomer(model.Customer{Name: "Lima Florist"})
	got, err := s.SetPartner(c.ID, true)
	if err != nil || !got.Partner {
		t.Fatalf("SetPartner: %+v, %v", got, err)
	}
	st, _ := s.Settings()
	if r := model.RungOf(got, st.Loyalty, testNow, st.Location()); r != model.RungPartner {
		t.Fatalf("rung %s", r)
	}
	before, _ := s.ChangesSince(0)
	if _, err := s.SetPartner(c.ID, true); err != nil {
		t.Fatal(err)
	}
	if after, _ := s.ChangesSince(0); after.Latest != before.Latest {
		t.Error("setting what was already set wrote a change")
	}
	if _, err := s.Undo(); err != nil {
		t.Fatal(err)
	}
	if back, _ := s.Customer(c.ID); back.Partner {
		t.Fatal("undo left the partner flag")
	}
	if _, err := s.SetPartner(42, true); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown customer: %v", err)
	}
}

func TestSaveLoyaltySettingsValidatesAndUndoes(t *testing.T) {
	s := newTestStore(t)
	st, _ := s.Settings()
	if st.Loyalty.ClientPurchases != 3 || len(st.Loyalty.Rewards) != 2 {
		t.Fatalf("a new file's loyalty settings: %+v", st.Loyalty)
	}
	bad := st.Loyalty
	bad.SupporterVisits = 2
	before, _ := s.ChangesSince(0)
	var fe *model.FieldError
	if _, err := s.SaveLoyaltySettings(bad); !errors.As(err, &fe) || fe.Field != "supporter visits" {
		t.Fatalf("thresholds that do not rise: %v", err)
	}
	if after, _ := s.ChangesSince(0); after.Latest != before.Latest {
		t.Fatal("refused settings were written")
	}
	good := st.Loyalty
	good.ClientPurchases = 4
	good.Rewards = append(good.Rewards, model.Reward{Name: "  coffee   mug ", Points: 300})
	saved, err := s.SaveLoyaltySettings(good)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Rewards[2].Name != "coffee mug" {
		t.Errorf("reward name not tidied: %q", saved.Rewards[2].Name)
	}
	st2, _ := s.Settings()
	if st2.Loyalty.ClientPurchases != 4 || len(st2.Loyalty.Rewards) != 3 || st2.ShopName != st.ShopName {
		t.Fatalf("read back: %+v", st2)
	}
	if _, err := s.Undo(); err != nil {
		t.Fatal(err)
	}
	if st3, _ := s.Settings(); st3.Loyalty.ClientPurchases != 3 || len(st3.Loyalty.Rewards) != 2 {
		t.Fatalf("after undo: %+v", st3.Loyalty)
	}
	none := st.Loyalty
	none.Rewards = nil
	if _, err := s.SaveLoyaltySettings(none); err != nil {
		t.Fatal(err)
	}
	if st4, _ := s.Settings(); len(st4.Loyalty.Rewards) != 0 {
		t.Fatalf("an emptied catalogue came back: %+v", st4.Loyalty.Rewards)
	}
}

// TestThreePurchasesMakeAClientAndTheRecordKnowsWhen: the ladder read from
// the stored record follows the interactions, and the history and the
// tier-up hook agree on the day.
func TestThreePurchasesMakeAClientAndTheRecordKnowsWhen(t *testing.T) {
	s := newTestStore(t)
	c, _ := s.AddCustomer(model.Customer{Name: "Ana Lima"})
	st, _ := s.Settings()
	for i, days := range []int{40, 10, 1} {
		buy(t, s, c.ID, 2000, testNow.AddDate(0, 0, -days))
		got, _ := s.Customer(c.ID)
		want := []model.Rung{model.RungCustomer, model.RungCustomer, model.RungClient}[i]
		if r := model.RungOf(got, st.Loyalty, testNow, st.Location()); r != want {
			t.Fatalf("after purchase %d: %s, want %s", i+1, r, want)
		}
	}
	got, _ := s.Customer(c.ID)
	at, ok := model.LastTierUp(got, st.Loyalty, testNow, st.Location())
	hist, err := s.LoyaltyHistory(c.ID, testNow)
	if err != nil || len(hist) != 2 || hist[1].To != model.RungClient {
		t.Fatalf("history %+v, %v", hist, err)
	}
	if !ok || model.DayOf(at, st.Location()) != model.DayOf(hist[1].At, st.Location()) {
		t.Fatalf("tier-up hook %s, %v; history %s", at, ok, hist[1].At)
	}
}

func TestAsOfRewindsOnlyCustomersWithLaterInteractions(t *testing.T) {
	s := newTestStore(t)
	ana, _ := s.AddCustomer(model.Customer{Name: "Ana Lima"})
	rui, _ := s.AddCustomer(model.Customer{Name: "Rui Costa"})
	buy(t, s, ana.ID, 1000, testNow.AddDate(0, 0, -30))
	buy(t, s, ana.ID, 2000, testNow.AddDate(0, 0, -2))
	buy(t, s, rui.ID, 500, testNow.AddDate(0, 0, -30))
	all, _ := s.AllCustomers(nil)
	then := testNow.AddDate(0, 0, -10)
	past, err := s.AsOf(all, then)
	if err != nil {
		t.Fatal(err)
	}
	if past[0].Stats.Purchases != 1 || past[0].Stats.Points != 10 || past[0].Stats.Spend != 1000 {
		t.Errorf("Ana ten days ago: %+v", past[0].Stats)
	}
	if statsJSON(past[1].Stats) != statsJSON(all[1].Stats) {
		t.Errorf("Rui changed though nothing happened after: %+v", past[1].Stats)
	}
	if all[0].Stats.Purchases != 2 {
		t.Error("AsOf changed the slice it was given")
	}
}
