package store

import (
	"errors"
	"testing"
	"time"

	"github.com/patron-crm/patron/model"
)

func TestAddThenReadCustomer(t *testing.T) {
	s := newTestStore(t)
	c, err := s.AddCustomer(model.Customer{Name: "  Ana   Lima ", Email: "ana@example.com", Tags: []string{"vip", " VIP", "wedding"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Customer(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Ana Lima" || len(got.Tags) != 2 || got.Status != model.StatusActive {
		t.Fatalf("got %+v", got)
	}
}

func TestInteractionUpdatesAggregatesAndUndoRestoresThem(t *testing.T) {
	s := newTestStore(t)
	c, _ := s.AddCustomer(model.Customer{Name: "Ana Lima"})
	day := testNow.Add(-48 * time.Hour)
	if _, err := s.AddInteraction(model.Interaction{Customer: c.ID, Kind: model.KindPurchase, Amount: 2490, At: day}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddInteraction(model.Interaction{Customer: c.ID, Kind: model.KindVisit, At: day.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Customer(c.ID)
	if got.Stats.Visits != 1 || got.Stats.Spend != 2490 || got.Stats.Purchases != 1 || got.Stats.Interactions != 2 {
		t.Fatalf("stats after two interactions on one day: %+v", got.Stats)
	}
	ch, err := s.Undo()
	if err != nil {
		t.Fatal(err)
	}
	if ch.UndoOf == 0 {
		t.Fatalf("undo change does not say what it undid: %+v", ch)
	}
	got, _ = s.Customer(c.ID)
	if got.Stats.Interactions != 1 {
		t.Fatalf("after undo: %+v", got.Stats)
	}
	list, _ := s.Interactions(c.ID)
	if len(list) != 1 || list[0].Kind != model.KindPurchase {
		t.Fatalf("timeline after undo: %+v", list)
	}
}

func TestUndoRefusesAfterAnotherWindowChangedTheRecord(t *testing.T) {
	s := newTestStore(t)
	other := openTestStore(t, s.Path(), "w2")
	c, _ := s.AddCustomer(model.Customer{Name: "Ana Lima"})
	c.Phone = "555 0101"
	if _, err := other.UpdateCustomer(c); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Undo(); !errors.Is(err, ErrConflict) {
		t.Fatalf("undo after someone else's edit: %v", err)
	}
	// The other window can undo its own edit.
	if _, err := other.Undo(); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Customer(c.ID)
	if got.Phone != "" {
		t.Fatalf("phone after other's undo: %q", got.Phone)
	}
}

func TestChangesSinceReturnsExactlyTheNewerChanges(t *testing.T) {
	s := newTestStore(t)
	f0, _ := s.ChangesSince(0)
	for _, n := range []string{"A", "B", "C"} {
		if _, err := s.AddCustomer(model.Customer{Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	f, err := s.ChangesSince(f0.Latest + 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Changes) != 2 || f.Changes[0].Summary != "Added B" || f.Changes[1].Summary != "Added C" {
		t.Fatalf("changes: %+v", f.Changes)
	}
	if f.FileID == "" || f.FileID != s.FileID() {
		t.Fatalf("file id %q vs %q", f.FileID, s.FileID())
	}
}

func TestFindCustomerByIdEmailPhoneAndName(t *testing.T) {
	s := newTestStore(t)
	a, _ := s.AddCustomer(model.Customer{Name: "Ana Lima", Email: "Ana@Example.com", Phone: "+1 (555) 010-1010"})
	s.AddCustomer(model.Customer{Name: "Ana Silva"})
	for _, q := range []string{"#1", "ana@example.com", "15550101010", "ana lima"} {
		got, err := s.FindCustomer(q)
		if err != nil || got.ID != a.ID {
			t.Errorf("FindCustomer(%q) = %v, %v", q, got.ID, err)
		}
	}
	if _, err := s.FindCustomer("ana"); err == nil {
		t.Error("an ambiguous partial name was accepted")
	}
}
