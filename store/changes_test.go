package store

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"pgregory.net/rapid"

	"github.com/patron-crm/patron/model"
)

// testClock is a clock a test can move, shared by the windows of one file.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// openWindow opens path as another window with the given clock.
func openWindow(t testing.TB, path, window string, clock *testClock) *Store {
	t.Helper()
	a := CurrentActor("test")
	a.Window = window
	s, err := Open(path, Options{Create: true, Actor: a, Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// dumpRecords reads every record of every bucket except the change feed,
// as bucket/hex(key) -> value, so two moments of a file can be compared.
func dumpRecords(t testing.TB, s *Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := s.view(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if bytes.Equal(name, bChanges) {
				return nil
			}
			return b.ForEach(func(k, v []byte) error {
				out[string(name)+"/"+hex.EncodeToString(k)] = string(v)
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// diffRecords describes how two dumps differ, or "" when they are equal.
func diffRecords(want, got map[string]string) string {
	var lines []string
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			lines = append(lines, "missing "+k+" = "+w)
		case g != w:
			lines = append(lines, "changed "+k+":\n   want "+w+"\n    got "+g)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			lines = append(lines, "extra "+k+" = "+g)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// allChanges reads the whole feed with before-images, oldest first.
func allChanges(t testing.TB, s *Store) []Change {
	t.Helper()
	var out []Change
	err := s.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bChanges).ForEach(func(k, v []byte) error {
			var ch Change
			if err := decode(v, &ch); err != nil {
				return err
			}
			out = append(out, ch)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func lastChange(t testing.TB, s *Store) Change {
	t.Helper()
	all := allChanges(t, s)
	if len(all) == 0 {
		t.Fatal("the feed is empty")
	}
	return all[len(all)-1]
}

// touchedBuckets counts a change's touches per bucket.
func touchedBuckets(ch Change) map[string]int {
	m := map[string]int{}
	for _, tc := range ch.Touched {
		m[tc.Bucket]++
	}
	return m
}

func mustAddCustomer(t testing.TB, s *Store, c model.Customer) model.Customer {
	t.Helper()
	c, err := s.AddCustomer(c)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustLog(t testing.TB, s *Store, i model.Interaction) model.Interaction {
	t.Helper()
	i, err := s.AddInteraction(i)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

// shop is a small file with two windows and a few customers with history.
type shop struct {
	w1, w2  *Store
	ana     model.Customer
	bruno   model.Customer
	carla   model.Customer
	anaBuys model.Interaction
}

func newShop(t *testing.T) shop {
	t.Helper()
	path := filepath.Join(t.TempDir(), "patron.db")
	clock := &testClock{t: testNow}
	var sh shop
	sh.w1 = openWindow(t, path, "w1", clock)
	sh.w2 = openWindow(t, path, "w2", clock)
	sh.ana = mustAddCustomer(t, sh.w1, model.Customer{Name: "Ana Lima", Email: "ana@example.com", Phone: "555 0101"})
	sh.bruno = mustAddCustomer(t, sh.w1, model.Customer{Name: "Bruno Costa", Email: "bruno@example.com"})
	sh.carla = mustAddCustomer(t, sh.w2, model.Customer{Name: "Carla Dias"})
	sh.anaBuys = mustLog(t, sh.w1, model.Interaction{Customer: sh.ana.ID, Kind: model.KindPurchase, Amount: 2490, At: testNow.Add(-72 * time.Hour)})
	mustLog(t, sh.w1, model.Interaction{Customer: sh.bruno.ID, Kind: model.KindVisit, At: testNow.Add(-50 * time.Hour)})
	mustLog(t, sh.w2, model.Interaction{Customer: sh.carla.ID, Kind: model.KindCall, At: testNow.Add(-30 * time.Hour)})
	return sh
}

func TestUndoRestoresExactBeforeImagesOfLoggingAReferral(t *testing.T) {
	sh := newShop(t)
	before := dumpRecords(t, sh.w1)
	// A referral touches the interaction, its two indexes, Ana's aggregates
	// and Bruno's "referred by": one change.
	mustLog(t, sh.w1, model.Interaction{Customer: sh.ana.ID, Kind: model.KindReferral, Referred: sh.bruno.ID, At: testNow.Add(-time.Hour)})
	ch := lastChange(t, sh.w1)
	want := map[string]int{string(bInteractions): 1, string(bByTime): 1, string(bInterIDs): 1, string(bCustomers): 2}
	if got := touchedBuckets(ch); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("logging a referral touched %v, want %v", got, want)
	}
	if b, _ := sh.w1.Customer(sh.bruno.ID); b.ReferredBy != sh.ana.ID {
		t.Fatalf("Bruno's referred by is %d, want Ana (%d)", b.ReferredBy, sh.ana.ID)
	}
	undo, err := sh.w1.Undo()
	if err != nil {
		t.Fatal(err)
	}
	if undo == nil || undo.UndoOf != ch.Seq {
		t.Fatalf("undo change %+v does not name change %d", undo, ch.Seq)
	}
	if d := diffRecords(before, dumpRecords(t, sh.w1)); d != "" {
		t.Fatalf("undo did not restore the file exactly:\n%s", d)
	}
}

func TestUndoRestoresExactBeforeImagesOfMovingAnInteraction(t *testing.T) {
	sh := newShop(t)
	before := dumpRecords(t, sh.w1)
	moved := sh.anaBuys
	moved.Customer = sh.bruno.ID
	moved.Kind = model.KindReturn
	moved.Amount = 990
	moved.At = testNow.Add(-24 * time.Hour)
	if _, err := sh.w1.UpdateInteraction(moved); err != nil {
		t.Fatal(err)
	}
	ch := lastChange(t, sh.w1)
	customers := map[model.ID]bool{}
	for _, tc := range ch.Touched {
		if tc.Bucket == string(bCustomers) {
			customers[keyID(tc.Key)] = true
		}
	}
	if !customers[sh.ana.ID] || !customers[sh.bruno.ID] || len(customers) != 2 {
		t.Fatalf("moving an interaction touched customers %v, want Ana and Bruno", customers)
	}
	if ids := ch.CustomerIDs(); len(ids) != 2 {
		t.Fatalf("a window refreshing after the move would reload %v, want both customers", ids)
	}
	if _, err := sh.w1.Undo(); err != nil {
		t.Fatal(err)
	}
	if d := diffRecords(before, dumpRecords(t, sh.w1)); d != "" {
		t.Fatalf("undo did not restore the file exactly:\n%s", d)
	}
}

func TestUndoRestoresExactBeforeImagesOfEditsAndDeletes(t *testing.T) {
	steps := []struct {
		name string
		do   func(t *testing.T, sh shop)
	}{
		{"change email and phone", func(t *testing.T, sh shop) {
			c := sh.ana
			c.Email, c.Phone, c.Notes = "ana.lima@example.org", "", "likes blue"
			if _, err := sh.w1.UpdateCustomer(c); err != nil {
				t.Fatal(err)
			}
		}},
		{"archive", func(t *testing.T, sh shop) {
			if _, err := sh.w1.SetStatus(sh.ana.ID, model.StatusArchived, "", ""); err != nil {
				t.Fatal(err)
			}
		}},
		{"delete an interaction", func(t *testing.T, sh shop) {
			if err := sh.w1.DeleteInteraction(sh.anaBuys.ID); err != nil {
				t.Fatal(err)
			}
		}},
		{"add a customer", func(t *testing.T, sh shop) {
			mustAddCustomer(t, sh.w1, model.Customer{Name: "Dora", Email: "dora@example.com", Phone: "555 0199"})
		}},
		{"settings", func(t *testing.T, sh shop) {
			st, _ := sh.w1.Settings()
			st.ShopName = "Lima Flowers"
			if err := sh.w1.SaveSettings(st); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			sh := newShop(t)
			before := dumpRecords(t, sh.w1)
			step.do(t, sh)
			if d := diffRecords(before, dumpRecords(t, sh.w1)); d == "" {
				t.Fatal("the step changed nothing, so undo proves nothing")
			}
			if _, err := sh.w1.Undo(); err != nil {
				t.Fatal(err)
			}
			if d := diffRecords(before, dumpRecords(t, sh.w1)); d != "" {
				t.Fatalf("undo did not restore the file exactly:\n%s", d)
			}
		})
	}
}

func TestUndoRefusesWhenAnotherWindowChangedATouchedRecord(t *testing.T) {
	cases := []struct {
		name     string
		other    func(t *testing.T, sh shop)
		conflict bool
	}{
		{"other logs for the same customer", func(t *testing.T, sh shop) {
			mustLog(t, sh.w2, model.Interaction{Customer: sh.ana.ID, Kind: model.KindCall, At: testNow.Add(-time.Minute)})
		}, true},
		{"other edits the customer", func(t *testing.T, sh shop) {
			c, _ := sh.w2.Customer(sh.ana.ID)
			c.Notes = "prefers mornings"
			if _, err := sh.w2.UpdateCustomer(c); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"other deletes the logged interaction's neighbour", func(t *testing.T, sh shop) {
			if err := sh.w2.DeleteInteraction(sh.anaBuys.ID); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"other edits an unrelated customer", func(t *testing.T, sh shop) {
			c, _ := sh.w2.Customer(sh.carla.ID)
			c.Notes = "allergic to lilies"
			if _, err := sh.w2.UpdateCustomer(c); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"other logs for an unrelated customer", func(t *testing.T, sh shop) {
			mustLog(t, sh.w2, model.Interaction{Customer: sh.carla.ID, Kind: model.KindVisit, At: testNow.Add(-time.Minute)})
		}, false},
		{"other changes the settings", func(t *testing.T, sh shop) {
			st, _ := sh.w2.Settings()
			st.ShopName = "Elsewhere"
			if err := sh.w2.SaveSettings(st); err != nil {
				t.Fatal(err)
			}
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sh := newShop(t)
			before := dumpRecords(t, sh.w1)
			mustLog(t, sh.w1, model.Interaction{Customer: sh.ana.ID, Kind: model.KindVisit, At: testNow.Add(-2 * time.Hour)})
			mine := dumpRecords(t, sh.w1)
			tc.other(t, sh)
			afterOther := dumpRecords(t, sh.w1)
			_, err := sh.w1.Undo()
			if tc.conflict {
				if !errors.Is(err, ErrConflict) {
					t.Fatalf("undo after another window's change to the same records: %v, want ErrConflict", err)
				}
				if !strings.Contains(err.Error(), "(test)") {
					t.Errorf("the refusal does not say who changed it: %v", err)
				}
				if d := diffRecords(afterOther, dumpRecords(t, sh.w1)); d != "" {
					t.Fatalf("a refused undo changed the file:\n%s", d)
				}
				return
			}
			if err != nil {
				t.Fatalf("undo refused although the other window touched only other records: %v", err)
			}
			// What our change wrote is back as before; the other window's writes stay.
			want := map[string]string{}
			keys := map[string]bool{}
			for _, m := range []map[string]string{before, mine, afterOther} {
				for k := range m {
					keys[k] = true
				}
			}
			for k := range keys {
				v, ok := afterOther[k]
				if !sameRecord(before, mine, k) {
					v, ok = before[k]
				}
				if ok {
					want[k] = v
				}
			}
			if d := diffRecords(want, dumpRecords(t, sh.w1)); d != "" {
				t.Fatalf("after undo:\n%s", d)
			}
		})
	}
}

func TestRepeatedUndoWalksBackOneByOne(t *testing.T) {
	sh := newShop(t)
	var snaps []map[string]string
	actions := []func(){
		func() {
			mustLog(t, sh.w1, model.Interaction{Customer: sh.ana.ID, Kind: model.KindPurchase, Amount: 1000, At: testNow.Add(-3 * time.Hour)})
		},
		func() { setNotes(t, sh.w1, sh.bruno.ID, "wedding in May") },
		func() { mustAddCustomer(t, sh.w1, model.Customer{Name: "Dora", Email: "dora@example.com"}) },
		func() {
			if err := sh.w1.DeleteInteraction(sh.anaBuys.ID); err != nil {
				t.Fatal(err)
			}
		},
		func() {
			moved := sh.anaBuys
			moved.ID = 0
			moved = mustLog(t, sh.w1, moved)
			moved.Customer = sh.bruno.ID
			if _, err := sh.w1.UpdateInteraction(moved); err != nil {
				t.Fatal(err)
			}
		},
	}
	for i, act := range actions {
		snaps = append(snaps, dumpRecords(t, sh.w1))
		act()
		// The other window works on Carla in between.
		mustLog(t, sh.w2, model.Interaction{Customer: sh.carla.ID, Kind: model.KindNote, Note: fmt.Sprint("note ", i), At: testNow.Add(-time.Duration(10-i) * time.Minute)})
	}
	// Undo order: the move, then the log before it (a state not kept), then
	// each earlier action.
	expect := []map[string]string{nil, snaps[4], snaps[3], snaps[2], snaps[1], snaps[0]}
	undone := map[uint64]bool{}
	for n, want := range expect {
		ch, err := sh.w1.Undo()
		if err != nil {
			t.Fatalf("undo %d: %v", n+1, err)
		}
		if undone[ch.UndoOf] {
			t.Fatalf("change %d was undone twice", ch.UndoOf)
		}
		undone[ch.UndoOf] = true
		if want == nil {
			continue
		}
		got := withoutCustomer(dumpRecords(t, sh.w1), sh.carla.ID)
		if d := diffRecords(withoutCustomer(want, sh.carla.ID), got); d != "" {
			t.Fatalf("after undo %d the file is not as it was:\n%s", n+1, d)
		}
	}
	// The setup was done by w1 too (adds and logs): walk through it all.
	for n := 0; ; n++ {
		_, err := sh.w1.Undo()
		if errors.Is(err, ErrNothingToUndo) {
			break
		}
		if err != nil || n > 10 {
			t.Fatalf("undoing the setup: %v", err)
		}
	}
	for _, c := range []model.Customer{sh.ana, sh.bruno} {
		if _, err := sh.w1.Customer(c.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s is still there after undoing everything: %v", c.Name, err)
		}
	}
	if list, _, _ := sh.w1.RecentInteractions(nil, 100); len(list) != 1+len(actions) {
		t.Errorf("the log holds %d interactions, want Carla's %d", len(list), 1+len(actions))
	}
	if d := diffRecords(withoutCustomer(emptyShop(t), 0), withoutCustomer(dumpRecords(t, sh.w1), sh.carla.ID)); d != "" {
		t.Errorf("after undoing all of w1's changes the file differs from a new one (besides Carla):\n%s", d)
	}
}

// sameRecord reports whether key k is the same (present with the same value,
// or absent) in a and b.
func sameRecord(a, b map[string]string, k string) bool {
	va, oka := a[k]
	vb, okb := b[k]
	return oka == okb && va == vb
}

// emptyShop is the records of a new file.
func emptyShop(t *testing.T) map[string]string {
	return dumpRecords(t, newTestStore(t))
}

// withoutCustomer drops one customer's records (and the file's identity,
// which differs between files) from a dump.
func withoutCustomer(dump map[string]string, id model.ID) map[string]string {
	out := map[string]string{}
	for k, v := range dump {
		bucket, key, _ := strings.Cut(k, "/")
		raw, _ := hex.DecodeString(key)
		switch {
		case bucket == string(bMeta):
			continue
		case id == 0:
		case bucket == string(bCustomers) && keyID(raw) == id,
			bucket == string(bInteractions) && keyID(raw) == id,
			bucket == string(bByTime) && keyID([]byte(v)) == id,
			bucket == string(bInterIDs) && keyID([]byte(v)) == id,
			bucket == string(bCustomerList) && listKeyID(raw) == id:
			continue
		}
		out[k] = v
	}
	return out
}

func setNotes(t testing.TB, s *Store, id model.ID, notes string) {
	t.Helper()
	c, err := s.Customer(id)
	if err != nil {
		t.Fatal(err)
	}
	c.Notes = notes
	if _, err := s.UpdateCustomer(c); err != nil {
		t.Fatal(err)
	}
}

func TestUndoOfAnUndoIsNotOffered(t *testing.T) {
	s := newTestStore(t)
	c := mustAddCustomer(t, s, model.Customer{Name: "Ana Lima"})
	undo, err := s.Undo()
	if err != nil {
		t.Fatal(err)
	}
	all := allChanges(t, s)
	if len(all) != 2 {
		t.Fatalf("feed has %d changes, want the add and its undo", len(all))
	}
	if all[0].UndoneBy != undo.Seq || all[1].UndoOf != all[0].Seq {
		t.Fatalf("the add is not marked undone by the undo: %+v / %+v", all[0], all[1])
	}
	if !strings.HasPrefix(all[1].Summary, "Undone: added Ana Lima") {
		t.Errorf("undo summary %q", all[1].Summary)
	}
	if _, err := s.Undo(); !errors.Is(err, ErrNothingToUndo) {
		t.Fatalf("a second undo: %v, want ErrNothingToUndo (the undo itself is not undone)", err)
	}
	if _, err := s.Customer(c.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the undone customer came back: %v", err)
	}
}

func TestNothingToUndo(t *testing.T) {
	s := newTestStore(t)
	if _, err := s.Undo(); !errors.Is(err, ErrNothingToUndo) {
		t.Fatalf("undo on a new file: %v", err)
	}
	other := openTestStore(t, s.Path(), "w2")
	mustAddCustomer(t, other, model.Customer{Name: "Ana Lima"})
	if _, err := s.Undo(); !errors.Is(err, ErrNothingToUndo) {
		t.Fatalf("undo when only another window wrote: %v", err)
	}
	if n, _ := s.CountCustomers(); n != 1 {
		t.Fatalf("undo touched another window's customer: %d customers", n)
	}
}

// TestChangesSinceReturnsExactlyTheNewerChangesProperty: whatever two windows
// do, ChangesSince(k) is exactly the feed after k, oldest first.
func TestChangesSinceReturnsExactlyTheNewerChangesProperty(t *testing.T) {
	dir := memTempDir(t)
	rapid.Check(t, func(rt *rapid.T) {
		path := filepath.Join(dir, fmt.Sprintf("feed-%d.db", rapidRun.next()))
		clock := &testClock{t: testNow}
		var windows []*Store
		for _, name := range []string{"w1", "w2"} {
			a := CurrentActor("test")
			a.Window = name
			w, err := Open(path, Options{Create: true, Actor: a, Now: clock.now})
			if err != nil {
				rt.Fatal(err)
			}
			windows = append(windows, w)
		}
		var made []string // the window of each change, in order
		var customers []model.ID
		n := rapid.IntRange(1, 25).Draw(rt, "actions")
		for range n {
			wi := rapid.IntRange(0, 1).Draw(rt, "window")
			w := windows[wi]
			var err error
			changed := true
			switch action := rapid.IntRange(0, 3).Draw(rt, "action"); {
			case action == 0 || len(customers) == 0:
				var c model.Customer
				c, err = w.AddCustomer(model.Customer{Name: rapid.StringMatching(`[A-Z][a-z]{1,8}`).Draw(rt, "name")})
				customers = append(customers, c.ID)
			case action == 1:
				id := rapid.SampledFrom(customers).Draw(rt, "customer")
				_, err = w.AddInteraction(model.Interaction{Customer: id, Kind: model.KindVisit, At: testNow.Add(-time.Hour)})
			case action == 2:
				id := rapid.SampledFrom(customers).Draw(rt, "customer")
				var c model.Customer
				if c, err = w.Customer(id); err == nil {
					c.Notes = rapid.StringMatching(`[a-z ]{0,12}`).Draw(rt, "notes")
					_, err = w.UpdateCustomer(c)
				}
			default:
				_, err = w.Undo()
				if errors.Is(err, ErrNothingToUndo) || errors.Is(err, ErrConflict) {
					changed, err = false, nil
				}
			}
			if errors.Is(err, ErrNotFound) { // a customer undone away
				changed, err = false, nil
			}
			if err != nil {
				rt.Fatal(err)
			}
			if changed {
				made = append(made, w.Actor().Window)
			}
		}
		k := uint64(rapid.IntRange(0, len(made)+1).Draw(rt, "since"))
		f, err := windows[rapid.IntRange(0, 1).Draw(rt, "reader")].ChangesSince(k)
		if err != nil {
			rt.Fatal(err)
		}
		if f.Latest != uint64(len(made)) {
			rt.Fatalf("latest %d, want %d", f.Latest, len(made))
		}
		var wantSeqs, gotSeqs []uint64
		for seq := k + 1; seq <= uint64(len(made)); seq++ {
			wantSeqs = append(wantSeqs, seq)
		}
		for _, ch := range f.Changes {
			gotSeqs = append(gotSeqs, ch.Seq)
			if ch.Actor.Window != made[ch.Seq-1] {
				rt.Fatalf("change %d is by %s, want %s", ch.Seq, ch.Actor.Window, made[ch.Seq-1])
			}
			for _, tc := range ch.Touched {
				if tc.Before != nil {
					rt.Fatalf("ChangesSince handed out a before-image in change %d", ch.Seq)
				}
			}
		}
		if fmt.Sprint(gotSeqs) != fmt.Sprint(wantSeqs) {
			rt.Fatalf("ChangesSince(%d) = %v, want %v", k, gotSeqs, wantSeqs)
		}
	})
}

// memTempDir is a temp folder in memory where the platform has one: the
// property tests write thousands of small files whose durability they do
// not test, and a shared disk's fsync would make them slow.
func memTempDir(t *testing.T) string {
	t.Helper()
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if dir, err := os.MkdirTemp("/dev/shm", "patron-test-*"); err == nil {
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}

// rapidRun numbers the files of property runs inside one temp folder.
var rapidRun runCounter

type runCounter struct {
	mu sync.Mutex
	n  int
}

func (c *runCounter) next() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return c.n
}

func TestRetentionStripsOldBeforeImagesButKeepsTheNewest1000(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 1,000 changes")
	}
	path := filepath.Join(memTempDir(t), "patron.db")
	clock := &testClock{t: testNow}
	w1 := openWindow(t, path, "w1", clock)
	w2 := openWindow(t, path, "w2", clock)
	mustAddCustomer(t, w1, model.Customer{Name: "Ana Lima"}) // seq 1, w1's only change
	c := mustAddCustomer(t, w2, model.Customer{Name: "Bruno Costa"})
	for i := range 1010 {
		c.Notes = fmt.Sprint("visit ", i)
		if _, err := w2.UpdateCustomer(c); err != nil {
			t.Fatal(err)
		}
	}
	// seq 1..1012 at testNow. 30 days later the oldest are beyond the newest
	// 1,000 but not older than 90 days: they keep their before-images.
	clock.advance(30 * 24 * time.Hour)
	c.Notes = "a month later"
	if _, err := w2.UpdateCustomer(c); err != nil {
		t.Fatal(err)
	}
	for _, ch := range allChanges(t, w1) {
		if ch.Stripped {
			t.Fatalf("change %d was stripped although it is only 30 days old", ch.Seq)
		}
	}
	clock.advance(70 * 24 * time.Hour)
	c.Notes = "100 days later"
	if _, err := w2.UpdateCustomer(c); err != nil {
		t.Fatal(err)
	}
	all := allChanges(t, w1)
	latest := all[len(all)-1].Seq
	limit := latest - keepChanges
	stripped := 0
	for _, ch := range all {
		hasBefore := false
		for _, tc := range ch.Touched {
			hasBefore = hasBefore || tc.Before != nil
		}
		switch {
		case ch.Seq <= limit:
			if !ch.Stripped || hasBefore {
				t.Fatalf("change %d (old, outside the newest 1,000) kept its before-images", ch.Seq)
			}
			stripped++
		case ch.Stripped:
			t.Fatalf("change %d, one of the newest 1,000, was stripped", ch.Seq)
		case ch.Seq > 2 && !hasBefore:
			t.Fatalf("change %d, an edit among the newest 1,000, has no before-image", ch.Seq)
		}
	}
	if stripped == 0 {
		t.Fatal("nothing was stripped")
	}
	_, err := w1.Undo()
	if !errors.Is(err, ErrNothingToUndo) || !strings.Contains(err.Error(), "too old") {
		t.Fatalf("undo of a stripped change: %v, want a 'too old' refusal", err)
	}
	if _, err := w1.Customer(1); err != nil {
		t.Fatalf("the refused undo removed Ana: %v", err)
	}
	// The newest changes can still be undone.
	if _, err := w2.Undo(); err != nil {
		t.Fatal(err)
	}
	if got, _ := w2.Customer(c.ID); got.Notes != "a month later" {
		t.Fatalf("after undo Bruno's notes are %q", got.Notes)
	}
}

func TestDeleteCustomerForGoodLeavesNoTrace(t *testing.T) {
	sh := newShop(t)
	secrets := []string{"Zelda Quixote", "zelda@example.com", "zq.old@example.com", "5550177", "her secret allergy", "555 0177"}
	z := mustAddCustomer(t, sh.w1, model.Customer{Name: secrets[0], Email: secrets[2], Phone: "555 0177", Preferences: secrets[4]})
	// An old email lives on in the feed's index keys and before-images.
	z.Email = secrets[1]
	if _, err := sh.w1.UpdateCustomer(z); err != nil {
		t.Fatal(err)
	}
	buy := mustLog(t, sh.w1, model.Interaction{Customer: z.ID, Kind: model.KindPurchase, Amount: 5000, Note: "for " + secrets[0], At: testNow.Add(-5 * time.Hour)})
	// An interaction that was hers once and moved to Bruno stays Bruno's.
	moved := mustLog(t, sh.w2, model.Interaction{Customer: z.ID, Kind: model.KindVisit, At: testNow.Add(-4 * time.Hour)})
	moved.Customer = sh.bruno.ID
	if _, err := sh.w2.UpdateInteraction(moved); err != nil {
		t.Fatal(err)
	}
	putReminder(t, sh.w1, model.Reminder{ID: 900, Customer: z.ID, Kind: model.ReminderFollowUp, Note: "call " + secrets[0], Due: testNow})
	putReminder(t, sh.w1, model.Reminder{ID: 901, Customer: sh.ana.ID, Kind: model.ReminderFollowUp, Note: "call Ana", Due: testNow})
	// Ana referred her: Ana's referral stays, Zelda's "referred by" goes with
	// her. It is w1's newest change, and it can no longer be undone in full.
	mustLog(t, sh.w1, model.Interaction{Customer: sh.ana.ID, Kind: model.KindReferral, Referred: z.ID, At: testNow.Add(-3 * time.Hour)})
	others := map[model.ID]model.Customer{}
	for _, c := range []model.Customer{sh.ana, sh.bruno, sh.carla} {
		got, _ := sh.w1.Customer(c.ID)
		others[c.ID] = got
	}
	before := dumpRecords(t, sh.w1)

	if err := sh.w2.DeleteCustomerForGood(z.ID); err != nil {
		t.Fatal(err)
	}

	if _, err := sh.w1.Customer(z.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the customer is still there: %v", err)
	}
	if list, _ := sh.w1.Interactions(z.ID); len(list) != 0 {
		t.Fatalf("her timeline still has %d interactions", len(list))
	}
	if _, err := sh.w1.Interaction(buy.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("her purchase is still indexed: %v", err)
	}
	if dups, _ := sh.w1.Duplicates(model.Customer{Email: secrets[1], Phone: "555 0177"}); len(dups) != 0 {
		t.Fatalf("her email or phone is still indexed: %+v", dups)
	}
	after := dumpRecords(t, sh.w1)
	for k, v := range after {
		if strings.HasPrefix(k, string(bReminders)) && strings.Contains(v, secrets[0]) {
			t.Fatalf("her reminder is still there: %s", v)
		}
		for _, sec := range secrets {
			if strings.Contains(v, sec) || strings.Contains(k, hex.EncodeToString([]byte(sec))) {
				t.Fatalf("the file still holds %q in %s", sec, k)
			}
		}
	}
	if _, ok := after[string(bReminders)+"/"+hex.EncodeToString(idKey(901))]; !ok {
		t.Fatal("another customer's reminder went too")
	}
	// Everyone else is exactly as they were (Bruno keeps the moved visit).
	for id, c := range others {
		got, err := sh.w1.Customer(id)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", c) {
			t.Errorf("%s changed:\n%+v\n%+v", c.Name, c, got)
		}
	}
	if _, err := sh.w1.Interaction(moved.ID); err != nil {
		t.Errorf("the visit moved to Bruno went with her: %v", err)
	}
	// Only her records went.
	for k, v := range before {
		if _, ok := after[k]; !ok && !strings.Contains(v, secrets[0]) && !strings.Contains(k, hex.EncodeToString(idKey(z.ID))) &&
			!strings.HasPrefix(k, string(bByTime)) && !strings.HasPrefix(k, string(bInterIDs)) && !strings.HasPrefix(k, string(bEmail)) && !strings.HasPrefix(k, string(bPhone)) {
			t.Errorf("the delete removed %s = %s", k, v)
		}
	}

	// The feed: no change holds her name, emails, phone or notes, raw or
	// decoded (keys and before-images are base64 inside the JSON).
	err := sh.w1.view(func(tx *bolt.Tx) error {
		return tx.Bucket(bChanges).ForEach(func(k, v []byte) error {
			for _, sec := range secrets {
				if bytes.Contains(v, []byte(sec)) {
					return fmt.Errorf("change %x holds %q raw: %s", k, sec, v)
				}
			}
			var ch Change
			if err := decode(v, &ch); err != nil {
				return err
			}
			for _, tc := range ch.Touched {
				for _, sec := range secrets {
					if bytes.Contains(tc.Key, []byte(sec)) || bytes.Contains(tc.Before, []byte(sec)) {
						return fmt.Errorf("change %d (%s) holds %q in a %s record", ch.Seq, ch.Summary, sec, tc.Bucket)
					}
				}
				if tc.Bucket == string(bInteractions) && keyID(tc.Key) == z.ID && tc.Before != nil {
					return fmt.Errorf("change %d (%s) still holds one of her interactions", ch.Seq, ch.Summary)
				}
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := checkIndexes(sh.w1); err != nil {
		t.Fatal(err)
	}
	if err := checkAggregates(sh.w1); err != nil {
		t.Fatal(err)
	}
	if h, err := sh.w1.History(z.ID, 0); err != nil || len(h) != 0 {
		t.Fatalf("her history: %d changes, %v", len(h), err)
	}
	// Ana's history stays, and nothing of Zelda's can be brought back.
	if h, _ := sh.w1.History(sh.ana.ID, 0); len(h) == 0 {
		t.Fatal("Ana's history went too")
	}
	for _, w := range []*Store{sh.w2, sh.w1} {
		beforeUndo := dumpRecords(t, w)
		_, err := w.Undo()
		if !errors.Is(err, ErrNothingToUndo) || !strings.Contains(err.Error(), "cannot be undone") {
			t.Fatalf("undo by %s after the delete for good: %v, want a refusal", w.Actor().Window, err)
		}
		if d := diffRecords(beforeUndo, dumpRecords(t, w)); d != "" {
			t.Fatalf("a refused undo changed the file:\n%s", d)
		}
	}
}

// putReminder stores a manual reminder as the reminders code will.
func putReminder(t testing.TB, s *Store, r model.Reminder) {
	t.Helper()
	_, err := s.update(func(w *wtx) error {
		w.change.Summary = "Added a reminder"
		w.change.Customer = r.Customer
		return w.putJSON(bReminders, idKey(r.ID), r)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestHistoryShowsEveryChangeToACustomer(t *testing.T) {
	sh := newShop(t)
	dora := mustAddCustomer(t, sh.w1, model.Customer{Name: "Dora"})
	moved := sh.anaBuys
	moved.Customer = sh.bruno.ID
	if _, err := sh.w1.UpdateInteraction(moved); err != nil {
		t.Fatal(err)
	}
	setNotes(t, sh.w2, sh.bruno.ID, "wedding in May")
	mustLog(t, sh.w2, model.Interaction{Customer: sh.ana.ID, Kind: model.KindReferral, Referred: dora.ID, At: testNow.Add(-time.Hour)})
	// Twelve customers later, #1's history must not pick up #12's changes.
	for i := range 10 {
		mustAddCustomer(t, sh.w2, model.Customer{Name: fmt.Sprint("Extra ", i)})
	}
	summaries := func(id model.ID, limit int) string {
		h, err := sh.w1.History(id, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, ch := range h {
			out = append(out, ch.Summary)
		}
		return strings.Join(out, "; ")
	}
	cases := []struct {
		who  model.ID
		want string
	}{
		{sh.ana.ID, "Logged referral for Ana Lima; Edited purchase for Bruno Costa; Logged purchase for Ana Lima; Added Ana Lima"},
		{sh.bruno.ID, "Edited Bruno Costa: notes; Edited purchase for Bruno Costa; Logged visit for Bruno Costa; Added Bruno Costa"},
		{dora.ID, "Logged referral for Ana Lima; Added Dora"},
		{sh.carla.ID, "Logged call for Carla Dias; Added Carla Dias"},
		{99, ""},
	}
	for _, tc := range cases {
		if got := summaries(tc.who, 0); got != tc.want {
			t.Errorf("history of #%d:\n got %s\nwant %s", tc.who, got, tc.want)
		}
	}
	if got := summaries(sh.ana.ID, 2); got != "Logged referral for Ana Lima; Edited purchase for Bruno Costa" {
		t.Errorf("the newest two of Ana's: %s", got)
	}
}
