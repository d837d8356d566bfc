package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/patron-crm/patron/model"
)

// withCompactTries sets how often Compact tries without the lock, for one test.
func withCompactTries(t *testing.T, n int) {
	old := compactTries
	compactTries = n
	t.Cleanup(func() { compactTries = old })
}

func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// TestCompactShrinksAFileWithHalfItsCustomersDeleted: after half the
// customers are deleted for good the file keeps its size; compacting it
// gives a smaller file that passes the full check and holds exactly what it
// held, hands out new ids after the old ones, and keeps the old file beside
// it. Both ways of working (beside the writers, holding their lock) do.
func TestCompactShrinksAFileWithHalfItsCustomersDeleted(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tries int
	}{{"beside the writers", 3}, {"holding the lock", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			withCompactTries(t, tc.tries)
			s := makeShopFile(t, 120)
			all, err := s.AllCustomers(nil)
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range all {
				if _, err := s.AddInteraction(model.Interaction{Customer: c.ID, Kind: model.KindPurchase, Amount: model.Money(100 + i), At: testNow.Add(-time.Duration(i) * time.Hour), Note: longNotes[:200]}); err != nil {
					t.Fatal(err)
				}
			}
			for _, c := range all[:len(all)/2] {
				if err := s.DeleteCustomerForGood(c.ID); err != nil {
					t.Fatal(err)
				}
			}
			wantCustomers, err := s.AllCustomers(nil)
			if err != nil {
				t.Fatal(err)
			}
			wantFeed, err := s.ChangesSince(0)
			if err != nil {
				t.Fatal(err)
			}
			wantInteractions, err := s.Interactions(wantCustomers[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			before := fileSize(t, s.Path())

			res, err := s.Compact()
			if err != nil {
				t.Fatal(err)
			}
			after := fileSize(t, s.Path())
			t.Logf("%d bytes before, %d after", before, after)
			if res.Before != before || res.After != after {
				t.Errorf("Compact said %d -> %d, the file went %d -> %d", res.Before, res.After, before, after)
			}
			if after > before*3/4 {
				t.Errorf("compacting a file with half its customers deleted left %d of %d bytes", after, before)
			}
			if err := CheckFile(s.Path()); err != nil {
				t.Fatal(err)
			}
			wantMode(t, s.Path(), 0o600)
			wantMode(t, res.Kept, 0o600)
			noLeftovers(t, filepath.Dir(s.Path()))

			reopened := openTestStore(t, s.Path(), "w2")
			if reopened.FileID() != s.FileID() {
				t.Error("compacting gave the file a new identity: open windows would reload")
			}
			gotCustomers, err := reopened.AllCustomers(nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(gotCustomers, wantCustomers) {
				t.Fatal("the customers differ after compacting")
			}
			gotInteractions, err := reopened.Interactions(wantCustomers[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(gotInteractions, wantInteractions) {
				t.Fatal("a customer's interactions differ after compacting")
			}
			if feed, err := reopened.ChangesSince(0); err != nil || feed.Latest != wantFeed.Latest || len(feed.Changes) != len(wantFeed.Changes) {
				t.Fatalf("the change feed differs after compacting: %v, latest %d of %d", err, feed.Latest, wantFeed.Latest)
			}
			if err := checkAggregates(reopened); err != nil {
				t.Fatal(err)
			}
			if err := checkIndexes(reopened); err != nil {
				t.Fatal(err)
			}
			// The id counters travel with the buckets: a new customer never
			// takes a deleted one's id.
			c, err := reopened.AddCustomer(model.Customer{Name: "After Compacting"})
			if err != nil {
				t.Fatal(err)
			}
			if c.ID <= all[len(all)-1].ID {
				t.Fatalf("a new customer got id %d, at or below the last one before (%d)", c.ID, all[len(all)-1].ID)
			}
			// The kept file is the one from before, whole.
			if err := CheckFile(res.Kept); err != nil {
				t.Fatal(err)
			}
			if got := customerNames(t, res.Kept); len(got) != len(wantCustomers) {
				t.Fatalf("the kept file holds %d customers, want %d", len(got), len(wantCustomers))
			}
			if fileSize(t, res.Kept) < after {
				t.Error("the kept file is smaller than the compacted one")
			}
		})
	}
}

// TestCompactWhileAnotherProcessWrites compacts while a child saves as fast
// as it can: every customer the writer was told was saved is in the
// compacted file (a save waiting for the lock goes into the new file, none
// is lost with the old one), and the file passes the full check and holds
// the writer's invariant.
func TestCompactWhileAnotherProcessWrites(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tries int
	}{{"beside the writer", 3}, {"holding the lock", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			withCompactTries(t, tc.tries)
			s := makeShopFile(t, 40)
			w := startSafetyChild(t, "invariant-writer", s.Path())
			w.waitLines(t, 20)
			res, err := s.Compact()
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("held the writers' lock: %v", res.Held)
			w.waitLines(t, 20)
			lines := w.stop(t)
			if err := CheckFile(s.Path()); err != nil {
				t.Fatal(err)
			}
			checkInvariant(t, s.Path())
			have := map[string]bool{}
			for _, n := range customerNames(t, s.Path()) {
				have[n] = true
			}
			for _, l := range lines {
				if name := strings.TrimPrefix(l, "customer "); !have[name] {
					t.Errorf("%s was acknowledged but is not in the compacted file", name)
				}
			}
			if len(have) != 40+len(lines) {
				t.Errorf("the file holds %d customers, want the 40 from before and the writer's %d", len(have), len(lines))
			}
		})
	}
}

// TestASaveDuringCompactionIsKept: a save that lands after the copy was
// taken and before the swap makes Compact copy again, so the save is in the
// compacted file, and the lock was never held for long.
func TestASaveDuringCompactionIsKept(t *testing.T) {
	s := makeShopFile(t, 10)
	other := openTestStore(t, s.Path(), "w2")
	saves := 0
	compactBeforeLock = func() {
		if saves++; saves == 1 {
			if _, err := other.AddCustomer(model.Customer{Name: "Saved Meanwhile"}); err != nil {
				t.Error(err)
			}
		}
	}
	t.Cleanup(func() { compactBeforeLock = nil })
	res, err := s.Compact()
	if err != nil {
		t.Fatal(err)
	}
	if res.Held || saves != 2 {
		t.Fatalf("held %v after %d copies: want a second copy beside the writers", res.Held, saves)
	}
	if got := customerNames(t, s.Path()); len(got) != 11 || !slices.Contains(got, "Saved Meanwhile") {
		t.Fatalf("the compacted file holds %q", got)
	}
	if got := customerNames(t, res.Kept); len(got) != 11 {
		t.Fatalf("the kept file holds %d customers, want 11", len(got))
	}
}

// TestCompactRefusesADamagedFileUntouched: pre-flight stops it before any
// copy is made.
func TestCompactRefusesADamagedFileUntouched(t *testing.T) {
	s := makeShopFile(t, 30)
	truncate(t, s.Path(), fileSize(t, s.Path())/2)
	before := stateOf(t, s.Path())
	_, err := s.Compact()
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("compacting a damaged file: %v", err)
	}
	assertUnchanged(t, s.Path(), before, "a refused compaction")
	noLeftovers(t, filepath.Dir(s.Path()))
}

// TestCompactTwiceInARow: a compacted file compacts again to the same data,
// and the second .before-compact replaces the first.
func TestCompactTwiceInARow(t *testing.T) {
	s := makeShopFile(t, 10)
	for i := range 2 {
		if _, err := s.Compact(); err != nil {
			t.Fatalf("compaction %d: %v", i+1, err)
		}
		if _, err := s.AddCustomer(model.Customer{Name: fmt.Sprintf("Between %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if got := customerNames(t, s.Path()); len(got) != 12 {
		t.Fatalf("after two compactions: %d customers", len(got))
	}
	if got := customerNames(t, KeptBeforeCompact(s.Path())); len(got) != 11 {
		t.Fatalf("the kept file holds %d customers, want the 11 from before the second compaction", len(got))
	}
}
