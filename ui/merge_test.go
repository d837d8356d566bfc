package ui

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// dupFile is the shop with Ana Lima in twice: the second time typed in at
// the counter with another email, one purchase and a tag of her own.
func dupFile(t testing.TB) *store.Store {
	t.Helper()
	s := shopFile(t)
	addCustomer(t, s, model.Customer{Name: "Ana Lima", Phone: "912 345 678", Email: "ana.lima@example.pt",
		Tags: []string{"orchids"}, Notes: "Met at the market."}, [2]int{1500, 2})
	return s
}

func (h *harness) mergeScreen() *mergeScreen {
	h.t.Helper()
	ms, ok := h.customers().dialog.(*mergeScreen)
	if !ok {
		h.t.Fatalf("the merge screen is not open:\n%s", h.screen())
	}
	return ms
}

func TestSpaceMarksCustomersVisiblyAndTheFooterCountsThem(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.mustNotShow("✓", " marked")
	h.keys("space")
	if h.selectedName() != "Anabela Sousa" {
		t.Fatalf("marking moves down, on %q", h.selectedName())
	}
	h.keys("space")
	h.mustShow("✓ Ana Lima", "✓ Anabela Sousa", "2 marked", "M merge marked")
	if !strings.Contains(h.status(), "M merges them") {
		t.Fatalf("status %q", h.status())
	}
	// Unmarked names keep their place beside the marked ones.
	h.mustShow("    Diogo Alves")
	h.keys("k", "space")
	h.mustShow("1 marked")
	h.mustNotShow("✓ Anabela Sousa")
	h.keys("k", "k", "space")
	h.mustNotShow("✓", "1 marked", "M merge")
	// esc clears the search, then the filter, then the marks.
	h.keys("space", "space", "/").typeText("bruno").keys("enter")
	h.keys("esc")
	h.mustShow("2 marked")
	h.keys("esc")
	if h.status() != "Marks cleared." {
		t.Fatalf("status %q", h.status())
	}
	h.mustNotShow("✓", " marked")
}

func TestMergeNeedsExactlyTwoMarked(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	before := fileBytes(t, s)
	h.keys("M")
	if !strings.Contains(h.status(), "Mark two customers with space") {
		t.Fatalf("none marked: %q", h.status())
	}
	h.keys("space", "M")
	if !strings.Contains(h.status(), "One customer is marked") {
		t.Fatalf("one marked: %q", h.status())
	}
	h.keys("space", "space", "M")
	if !strings.Contains(h.status(), "3 customers are marked") {
		t.Fatalf("three marked: %q", h.status())
	}
	if h.customers().dialog != nil || !bytes.Equal(before, fileBytes(t, s)) {
		t.Fatal("M with the wrong number marked opened something or wrote")
	}
}

func TestMergeSuggestsWhoStaysAndTheValuesKept(t *testing.T) {
	s := dupFile(t)
	h := newHarness(t, s, 100, 30)
	h.keys("space", "space", "M")
	ms := h.mergeScreen()
	stays, goes := ms.survivor()
	// The first Ana has three purchases, the second one.
	if stays.ID != 1 || goes.ID != 7 || ms.why != "more visits" {
		t.Fatalf("stays #%d, goes #%d (%s)", stays.ID, goes.ID, ms.why)
	}
	h.mustShow("#1 Ana Lima stays (more visits)", "#7 Ana Lima is merged into them", "email", "ana@example.com", "ana.lima@example.pt", "tags")
	// The suggestion keeps the survivor's email and both sets of tags.
	for _, f := range ms.fields {
		switch f.Key {
		case "email":
			if ms.kept(f) != sideA {
				t.Fatal("email: the survivor's should be suggested")
			}
		case "tags":
			if ms.kept(f) != sideBoth {
				t.Fatal("tags: both should be suggested")
			}
		}
	}
	h.mustShow("After the merge: #1 Ana Lima · 4 interactions")
}

func TestMergeWithChosenValuesIsOneChangeThatUndoes(t *testing.T) {
	s := dupFile(t)
	h := newHarness(t, s, 100, 30)
	h.keys("space", "space", "M")
	ms := h.mergeScreen()
	// Keep the second Ana's email: move to it, take the right-hand value.
	for ms.fields[ms.cursor].Key != "email" {
		h.keys("down")
	}
	h.keys("right")
	h.keys("enter")
	if h.customers().dialog != nil {
		t.Fatalf("still open:\n%s", h.screen())
	}
	if h.status() != "Merged Ana Lima (#7) into Ana Lima. u undoes it." {
		t.Fatalf("status %q", h.status())
	}
	if n := customerNames(t, s)["Ana Lima"]; n != 1 {
		t.Fatalf("%d Ana Lima after the merge", n)
	}
	ana, _ := findByName(t, s, "Ana Lima")
	if ana.ID != 1 || ana.Email != "ana.lima@example.pt" || ana.Stats.Purchases != 4 {
		t.Fatalf("merged Ana: #%d %s %d purchases", ana.ID, ana.Email, ana.Stats.Purchases)
	}
	if !ana.HasTag("orchids") || !ana.HasTag("vip") {
		t.Fatalf("tags %v", ana.Tags)
	}
	h.mustNotShow("marked", "✓")
	h.keys("u")
	if !strings.HasPrefix(h.status(), "Undone: merged Ana Lima (#7)") {
		t.Fatalf("status after u: %q", h.status())
	}
	if n := customerNames(t, s)["Ana Lima"]; n != 2 {
		t.Fatalf("%d Ana Lima after undo", n)
	}
	h.mustShow("6 customers")
}

func TestMergeTabSwapsWhoStays(t *testing.T) {
	s := dupFile(t)
	h := newHarness(t, s, 100, 30)
	h.keys("space", "space", "M", "tab")
	ms := h.mergeScreen()
	if stays, _ := ms.survivor(); stays.ID != 7 {
		t.Fatalf("after tab #%d stays", stays.ID)
	}
	h.mustShow("#7 Ana Lima stays (your choice)")
	h.keys("enter")
	all, err := s.AllCustomers(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		if c.ID == 1 {
			t.Fatal("#1 should have been merged into #7")
		}
	}
	ana, _ := findByName(t, s, "Ana Lima")
	// The survivor keeps their own email unless told otherwise.
	if ana.ID != 7 || ana.Email != "ana.lima@example.pt" || ana.Stats.Purchases != 4 {
		t.Fatalf("#%d %s %d", ana.ID, ana.Email, ana.Stats.Purchases)
	}
}

func TestMergePicksMapToTheSurvivorWhicheverStays(t *testing.T) {
	ms := &mergeScreen{side: map[string]int{"email": sideA, "phone": sideB}, fields: []store.MergeField{{Key: "email"}, {Key: "phone"}, {Key: "tags"}}}
	got := fmt.Sprint(ms.picks())
	if got != "map[email:survivor phone:other]" {
		t.Fatalf("a stays: %s", got)
	}
	ms.bStays = true
	if got := fmt.Sprint(ms.picks()); got != "map[email:other phone:survivor]" {
		t.Fatalf("b stays: %s", got)
	}
	ms.side = map[string]int{}
	if len(ms.picks()) != 0 {
		t.Fatal("no picks means the suggestions")
	}
}

func TestMergeEscWritesNothingAndSpaceGoesBackToTheSuggestion(t *testing.T) {
	s := dupFile(t)
	h := newHarness(t, s, 100, 30)
	before := fileBytes(t, s)
	h.keys("space", "space", "M")
	ms := h.mergeScreen()
	h.keys("left")
	if ms.side[ms.fields[0].Key] != sideA {
		t.Fatal("left did not pick the left value")
	}
	h.keys("space")
	if _, ok := ms.side[ms.fields[0].Key]; ok {
		t.Fatal("space did not go back to the suggestion")
	}
	h.keys("esc")
	if h.customers().dialog != nil || h.status() != "Nothing was merged." {
		t.Fatalf("status %q", h.status())
	}
	if !bytes.Equal(before, fileBytes(t, s)) {
		t.Fatal("esc on the merge screen wrote")
	}
	h.mustShow("2 marked") // the marks stay for another try
}

func TestMergeThatCannotBeSavedSaysWhyAndStays(t *testing.T) {
	s := dupFile(t)
	h := newHarness(t, s, 100, 30)
	h.keys("space", "space", "M")
	ms := h.mergeScreen()
	// Another window deletes one of them before the merge is confirmed.
	if err := s.DeleteCustomerForGood(7); err != nil {
		t.Fatal(err)
	}
	h.keys("enter")
	if h.customers().dialog != ms || ms.err == "" {
		t.Fatalf("the merge screen should stay with the reason:\n%s", h.screen())
	}
	h.mustShow("Nothing was merged")
}

func TestSurvivorOfPrefersHistoryThenAgeThenId(t *testing.T) {
	older := model.Customer{ID: 5, Since: days(300)}
	newer := model.Customer{ID: 2, Since: days(30)}
	if a, why := survivorOf(newer, older); a || why != "a customer for longer" {
		t.Fatalf("since: %v %s", a, why)
	}
	busy := model.Customer{ID: 9}
	busy.Stats.Visits = 3
	if a, why := survivorOf(older, busy); a || why != "more visits" {
		t.Fatalf("visits: %v %s", a, why)
	}
	if a, why := survivorOf(model.Customer{ID: 1}, model.Customer{ID: 2}); !a || why != "added first" {
		t.Fatalf("ids: %v %s", a, why)
	}
}

func TestMergeGoldenViews(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("merge_%dx%d", size[0], size[1]), func(t *testing.T) {
			h := newHarness(t, dupFile(t), size[0], size[1])
			h.keys("space", "space", "M", "down", "right")
			golden.RequireEqual(t, h.screen())
		})
		t.Run(fmt.Sprintf("marked_%dx%d", size[0], size[1]), func(t *testing.T) {
			h := newHarness(t, dupFile(t), size[0], size[1])
			h.keys("space", "j", "space")
			golden.RequireEqual(t, h.screen())
		})
	}
}
