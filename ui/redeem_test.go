package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// redeemed lists a customer's reward-redeemed interactions.
func redeemed(t *testing.T, s *store.Store, name string) []model.Interaction {
	t.Helper()
	c, ok := findByName(t, s, name)
	if !ok {
		t.Fatalf("no customer %q", name)
	}
	list, err := s.Interactions(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []model.Interaction
	for _, in := range list {
		if in.Kind == model.KindRedeemed {
			out = append(out, in)
		}
	}
	return out
}

func points(t *testing.T, s *store.Store, name string) int64 {
	t.Helper()
	c, _ := findByName(t, s, name)
	return c.Stats.Points
}

// TestRedeemChooserViews pins the chooser, its confirmation and a refusal
// at 80x24 and 120x40.
func TestRedeemChooserViews(t *testing.T) {
	cases := []struct {
		name  string
		setup func(h *harness)
	}{
		{"chooser", func(h *harness) { h.keys("$") }},
		{"confirm", func(h *harness) { h.keys("$", "enter") }},
		{"refused", func(h *harness) { h.keys("j", "j", "j", "j", "$", "G", "enter") }}, // Elena, 76 points
		{"detail", func(h *harness) { h.keys("enter", "$") }},
	}
	for _, tc := range cases {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", tc.name, size[0], size[1]), func(t *testing.T) {
				h := newHarness(t, shopFile(t), size[0], size[1])
				tc.setup(h)
				golden.RequireEqual(t, h.screen())
			})
		}
	}
}

func TestRedeemConfirmDeductsThePointsAndLogsIt(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("$")
	h.mustShow("Redeem a reward for Ana Lima (189 points)", "✓ free gift wrap", "> ✓ 5.00 off")
	h.keys("enter")
	h.mustShow("Redeem 5.00 off for Ana Lima?", "100 points of their 189 points; 89 points left.")
	h.keys("y")
	if got := h.status(); got != "Redeemed 5.00 off for Ana Lima: 100 points, 89 left. u undoes it." {
		t.Fatalf("status = %q", got)
	}
	if p := points(t, h.s, "Ana Lima"); p != 89 {
		t.Fatalf("points after redeeming: %d", p)
	}
	r := redeemed(t, h.s, "Ana Lima")
	if len(r) != 1 || r[0].Reward != "5.00 off" || r[0].Points != -100 {
		t.Fatalf("logged %+v", r)
	}
	h.mustShow("89") // the list's points column
	h.keys("u")
	if !strings.HasPrefix(h.status(), "Undone: redeemed") {
		t.Fatalf("status = %q", h.status())
	}
	if p := points(t, h.s, "Ana Lima"); p != 189 || len(redeemed(t, h.s, "Ana Lima")) != 0 {
		t.Fatalf("undo left %d points", p)
	}
}

func TestRedeemCancelWritesNothing(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("$", "enter", "n")
	h.mustShow("Redeem a reward for Ana Lima") // n goes back to the catalogue
	h.keys("k", "enter", "esc")
	h.mustShow("Redeem a reward for Ana Lima")
	h.keys("esc")
	h.mustNotShow("Redeem a reward")
	if h.customers().dialog != nil {
		t.Fatal("esc did not close the chooser")
	}
	if p := points(t, h.s, "Ana Lima"); p != 189 || len(redeemed(t, h.s, "Ana Lima")) != 0 {
		t.Fatal("cancelling redeemed something")
	}
}

func TestAnUnaffordableRewardIsRefusedWithThePointsMissing(t *testing.T) {
	h := newHarness(t, shopFile(t), 120, 30)
	h.keys("j", "j", "j", "j", "$") // Elena Rossi, 76 points
	h.mustShow("Redeem a reward for Elena Rossi (76 points)", "> ✓ free gift wrap", "5.00 off", "24 more needed")
	h.keys("j", "enter")
	h.mustShow("✗ Elena Rossi has 76 points: 5.00 off needs 24 more points.")
	if d, ok := h.customers().dialog.(*redeemDialog); !ok || d.confirming {
		t.Fatal("an unaffordable reward should stay in the chooser, unconfirmed")
	}
	h.keys("k")
	h.mustNotShow("24 more points.")
	if p := points(t, h.s, "Elena Rossi"); p != 76 || len(redeemed(t, h.s, "Elena Rossi")) != 0 {
		t.Fatal("an unaffordable reward was redeemed")
	}
}

func TestRedeemFromTheDetail(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 40)
	h.keys("enter", "$", "k", "enter", "y") // free gift wrap
	if got := h.status(); got != "Redeemed free gift wrap for Ana Lima: 50 points, 139 left. u undoes it." {
		t.Fatalf("status = %q", got)
	}
	h.mustShow("client · 139 points")
	if h.customers().screen != screenDetail {
		t.Fatal("redeeming left the detail")
	}
}

func TestPointsSpentInAnotherWindowMeanwhileAreRefusedBySaying(t *testing.T) {
	other := shopFile(t)
	h := newHarness(t, other, 80, 24)
	h.keys("$", "enter") // 5.00 off for Ana, who has 189 points here
	ana, _ := findByName(t, other, "Ana Lima")
	if _, err := other.Redeem(ana.ID, "5.00 off"); err != nil {
		t.Fatal(err)
	}
	h.keys("y")
	if h.app.status.kind != statusError || !strings.Contains(h.status(), "Not redeemed: Ana Lima has 89 points") ||
		!strings.Contains(h.status(), "11 more points needed") {
		t.Fatalf("status = %q", h.status())
	}
	if p := points(t, other, "Ana Lima"); p != 89 {
		t.Fatalf("points: %d", p)
	}
}

func TestRedeemWithAnEmptyCatalogueSaysWhereToAddRewards(t *testing.T) {
	s := shopFile(t)
	st, _ := s.Settings()
	ls := st.Loyalty
	ls.Rewards = nil
	if _, err := s.SaveLoyaltySettings(ls); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, s, 80, 24)
	h.keys("$")
	h.mustShow("There are no rewards in the catalogue yet.", "Add them in Settings (,) under Loyalty.")
	h.keys("enter")
	if h.customers().dialog != nil {
		t.Fatal("enter on an empty catalogue should close it")
	}
}

func TestRedeemRefusalWording(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", &model.NotEnoughPoints{Customer: "Rui", Reward: model.Reward{Name: "mug", Points: 30}, Have: 29})
	if got := redeemRefusal(err); got != `Not redeemed: Rui has 29 points and "mug" costs 30: 1 more point needed.` {
		t.Fatalf("got %q", got)
	}
	if got := redeemRefusal(errors.New("the file is busy")); got != "Not redeemed: the file is busy" {
		t.Fatalf("got %q", got)
	}
}
