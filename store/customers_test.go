package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

func TestUpdateCustomerKeepsTheIndexesInStep(t *testing.T) {
	s := newTestStore(t)
	ana := mustAddCustomer(t, s, model.Customer{Name: "Ana Lima", Email: "ana@example.com", Phone: "555 0101"})
	ana.Email, ana.Phone = "Ana.Lima@Example.org", "+1 555 0202"
	if _, err := s.UpdateCustomer(ana); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"ana.lima@example.org", "15550202"} {
		if got, err := s.FindCustomer(q); err != nil || got.ID != ana.ID {
			t.Errorf("FindCustomer(%q) after the edit = #%d, %v", q, got.ID, err)
		}
	}
	if dups, _ := s.Duplicates(model.Customer{Email: "ana@example.com", Phone: "555 0101"}); len(dups) != 0 {
		t.Errorf("the old email or phone still finds %+v", dups)
	}
	ana.Email, ana.Phone = "", ""
	if _, err := s.UpdateCustomer(ana); err != nil {
		t.Fatal(err)
	}
	for k := range dumpRecords(t, s) {
		if strings.HasPrefix(k, string(bEmail)+"/") || strings.HasPrefix(k, string(bPhone)+"/") {
			t.Errorf("an index entry is left after clearing email and phone: %s", k)
		}
	}
}

func TestDuplicatesFindsSharedEmailOrPhone(t *testing.T) {
	s := newTestStore(t)
	a := mustAddCustomer(t, s, model.Customer{Name: "Ana Lima", Email: "family@example.com", Phone: "555 0101"})
	b := mustAddCustomer(t, s, model.Customer{Name: "Bruno Lima", Email: "FAMILY@example.com"})
	c := mustAddCustomer(t, s, model.Customer{Name: "Carla Lima", Phone: "(555) 0101"})
	mustAddCustomer(t, s, model.Customer{Name: "Dora", Email: "dora@example.com"})
	dups, err := s.Duplicates(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(dups) != 2 || dups[0].ID != b.ID || dups[1].ID != c.ID {
		t.Fatalf("duplicates of Ana: %+v, want Bruno and Carla", dups)
	}
	if _, err := s.FindCustomer("555 0101"); err == nil || !strings.Contains(err.Error(), "#1") || !strings.Contains(err.Error(), "#3") {
		t.Fatalf("a phone shared by two customers: %v, want both listed", err)
	}
}

func TestUpdateCustomerKeepsAggregatesAndCreated(t *testing.T) {
	s := newTestStore(t)
	ana := mustAddCustomer(t, s, model.Customer{Name: "Ana Lima", Stats: model.Stats{Visits: 99}})
	if ana.Stats.Visits != 0 {
		t.Fatalf("AddCustomer took aggregates from the form: %+v", ana.Stats)
	}
	mustLog(t, s, model.Interaction{Customer: ana.ID, Kind: model.KindPurchase, Amount: 1000, At: testNow.Add(-time.Hour)})
	stale := ana // as a form that was opened before the purchase
	stale.Notes = "likes tulips"
	stale.Stats = model.Stats{Spend: 1}
	stale.Created = time.Time{}
	got, err := s.UpdateCustomer(stale)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := s.Customer(ana.ID)
	if stored.Stats.Spend != 1000 || stored.Stats.Visits != 1 || got.Stats.Spend != 1000 {
		t.Fatalf("the edit overwrote the aggregates: %+v", stored.Stats)
	}
	if !stored.Created.Equal(ana.Created) || stored.Notes != "likes tulips" {
		t.Fatalf("after the edit: %+v", stored)
	}
	if err := checkAggregates(s); err != nil {
		t.Fatal(err)
	}
}

func TestRefusedCustomerEditsWriteNothing(t *testing.T) {
	s := newTestStore(t)
	ana := mustAddCustomer(t, s, model.Customer{Name: "Ana Lima"})
	cases := []struct {
		name  string
		do    func() error
		field string
	}{
		{"add without a name", func() error { _, err := s.AddCustomer(model.Customer{Name: "  "}); return err }, "name"},
		{"add with a bad email", func() error { _, err := s.AddCustomer(model.Customer{Name: "X", Email: "x@"}); return err }, "email"},
		{"edit with a bad phone", func() error {
			c := ana
			c.Phone = "call me"
			_, err := s.UpdateCustomer(c)
			return err
		}, "phone"},
		{"edit with a bad status", func() error {
			c := ana
			c.Status = "gone"
			_, err := s.UpdateCustomer(c)
			return err
		}, "status"},
		{"edit someone who does not exist", func() error {
			c := ana
			c.ID = 404
			_, err := s.UpdateCustomer(c)
			return err
		}, ""},
		{"status of someone who does not exist", func() error { _, err := s.SetStatus(404, model.StatusArchived, "", ""); return err }, ""},
		{"delete for good someone who does not exist", func() error { return s.DeleteCustomerForGood(404) }, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := fileBytes(t, s)
			err := tc.do()
			var fe *model.FieldError
			switch {
			case err == nil:
				t.Fatal("accepted")
			case tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field):
				t.Fatalf("%v, want a problem with the %s", err, tc.field)
			case tc.field == "" && !errors.Is(err, ErrNotFound):
				t.Fatalf("%v, want not found", err)
			}
			if string(fileBytes(t, s)) != string(before) {
				t.Fatal("refused, but the file changed")
			}
		})
	}
}

func TestSetStatusLostAndBack(t *testing.T) {
	s := newTestStore(t)
	ana := mustAddCustomer(t, s, model.Customer{Name: "Ana Lima"})
	got, err := s.SetStatus(ana.ID, model.StatusLost, "price", "went to the mall")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != model.StatusLost || got.LostReason != "price" || !got.LostAt.Equal(testNow) {
		t.Fatalf("lost: %+v", got)
	}
	if h, _ := s.History(ana.ID, 1); len(h) != 1 || h[0].Summary != "Marked Ana Lima as lost" {
		t.Fatalf("history: %+v", h)
	}
	if _, err := s.SetStatus(ana.ID, model.StatusLost, "weather", ""); err == nil {
		t.Fatal("an unknown defection reason was accepted")
	}
	got, err = s.SetStatus(ana.ID, model.StatusActive, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != model.StatusActive || got.LostReason != "" || !got.LostAt.IsZero() {
		t.Fatalf("restored: %+v", got)
	}
}

func TestFindCustomerRefusals(t *testing.T) {
	s := newTestStore(t)
	mustAddCustomer(t, s, model.Customer{Name: "Ana Lima"})
	archived := mustAddCustomer(t, s, model.Customer{Name: "Old Friend", Status: model.StatusArchived})
	if got, err := s.FindCustomer("old friend"); err != nil || got.ID != archived.ID {
		t.Errorf("an archived customer by name: #%d, %v", got.ID, err)
	}
	for q, want := range map[string]string{
		"":         "name a customer",
		"#abc":     "not a customer id",
		"#99":      "no customer #99",
		"Zed":      "no customer matches",
		"an":       "did you mean",
		"nobody@x": "no customer matches",
	} {
		if _, err := s.FindCustomer(q); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("FindCustomer(%q) = %v, want %q", q, err, want)
		}
	}
}

func TestCustomersPagesAndAllCustomers(t *testing.T) {
	s := openTestStore(t, filepath.Join(memTempDir(t), "patron.db"), "w1")
	n := 7
	if !testing.Short() {
		n = chunkSize + 3 // crosses a chunk of AllCustomers
	}
	for i := range n {
		mustAddCustomer(t, s, model.Customer{Name: fmt.Sprint("Customer ", i)})
	}
	var seen []model.ID
	var after model.ID
	for {
		page, more, err := s.CustomersPage(after, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			seen = append(seen, c.ID)
		}
		if !more {
			break
		}
		after = page[len(page)-1].ID
	}
	calls := 0
	all, err := s.AllCustomers(func(int) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != n || len(all) != n {
		t.Fatalf("paged %d and read %d of %d customers", len(seen), len(all), n)
	}
	for i := range all {
		if all[i].ID != model.ID(i+1) || seen[i] != model.ID(i+1) {
			t.Fatalf("customer %d out of order: %d / %d", i, all[i].ID, seen[i])
		}
	}
	if want := (n + chunkSize - 1) / chunkSize; calls != want {
		t.Errorf("progress was told %d times, want once per chunk (%d)", calls, want)
	}
	if count, _ := s.CountCustomers(); count != n {
		t.Errorf("CountCustomers = %d, want %d", count, n)
	}
}

func TestAReadOnlyWindowRecordsNothing(t *testing.T) {
	s := newTestStore(t)
	c, err := s.AddCustomer(model.Customer{Name: "Ana Lima"})
	if err != nil {
		t.Fatal(err)
	}
	ro, err := Open(s.Path(), Options{ReadOnly: true, Now: func() time.Time { return testNow.AddDate(0, 0, 1) }})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(s.Path())
	if _, err := ro.AddInteraction(model.Interaction{Customer: c.ID, Kind: model.KindVisit, At: testNow}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("a read-only window logged an interaction: %v", err)
	}
	if _, err := ro.FillDemo(DemoOptions{Force: true}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("a read-only window filled demo data: %v", err)
	}
	if got, err := ro.Customer(c.ID); err != nil || got.Name != "Ana Lima" {
		t.Fatalf("a read-only window cannot read: %v", err)
	}
	after, _ := os.ReadFile(s.Path())
	if !bytes.Equal(before, after) {
		t.Fatal("the file changed")
	}
}
