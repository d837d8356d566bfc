package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"pgregory.net/rapid"

	"github.com/patron-crm/patron/model"
)

// statsJSON is a canonical form of aggregates for comparing them.
func statsJSON(s model.Stats) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// checkAggregates compares every customer's stored aggregates with a
// recomputation from their timeline, in the file's own time zone. It reads
// in one transaction, so the property test can afford it after every step.
func checkAggregates(s *Store) error {
	return s.view(func(tx *bolt.Tx) error {
		loc := settingsIn(tx).Location()
		return tx.Bucket(bCustomers).ForEach(func(k, v []byte) error {
			var c model.Customer
			if err := decode(v, &c); err != nil {
				return err
			}
			list, err := customerInteractions(tx, c.ID)
			if err != nil {
				return err
			}
			want := model.ComputeStats(list, loc)
			if got := statsJSON(c.Stats); got != statsJSON(want) {
				return fmt.Errorf("customer #%d's stored aggregates\n   %s\ndiffer from a recomputation\n   %s", c.ID, got, statsJSON(want))
			}
			return nil
		})
	})
}

// checkIndexes checks that every interaction has exactly its by-time and id
// index entries, and every customer's email and phone are indexed, with
// nothing left over: a write is all there or not at all.
func checkIndexes(s *Store) error {
	return s.view(func(tx *bolt.Tx) error {
		count := func(b []byte) int { return tx.Bucket(b).Stats().KeyN }
		n := 0
		err := tx.Bucket(bInteractions).ForEach(func(k, v []byte) error {
			n++
			var in model.Interaction
			if err := decode(v, &in); err != nil {
				return err
			}
			if !bytes.Equal(k, interactionKey(in.Customer, in.At, in.ID)) {
				return fmt.Errorf("interaction #%d is stored under the wrong key", in.ID)
			}
			if !bytes.Equal(tx.Bucket(bInterIDs).Get(idKey(in.ID)), k) {
				return fmt.Errorf("interaction #%d is missing from the id index", in.ID)
			}
			if !bytes.Equal(tx.Bucket(bByTime).Get(byTimeKey(in.At, in.ID)), idKey(in.Customer)) {
				return fmt.Errorf("interaction #%d is missing from the log", in.ID)
			}
			if tx.Bucket(bCustomers).Get(idKey(in.Customer)) == nil {
				return fmt.Errorf("interaction #%d belongs to customer #%d, who does not exist", in.ID, in.Customer)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if count(bInterIDs) != n || count(bByTime) != n {
			return fmt.Errorf("%d interactions, %d in the id index, %d in the log", n, count(bInterIDs), count(bByTime))
		}
		emails, phones := 0, 0
		err = tx.Bucket(bCustomers).ForEach(func(k, v []byte) error {
			var c model.Customer
			if err := decode(v, &c); err != nil {
				return err
			}
			if e := emailKey(c.Email, c.ID); e != nil {
				emails++
				if tx.Bucket(bEmail).Get(e) == nil {
					return fmt.Errorf("customer #%d's email is not indexed", c.ID)
				}
			}
			if p := phoneKey(c.Phone, c.ID); p != nil {
				phones++
				if tx.Bucket(bPhone).Get(p) == nil {
					return fmt.Errorf("customer #%d's phone is not indexed", c.ID)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if count(bEmail) != emails || count(bPhone) != phones {
			return fmt.Errorf("%d emails and %d phones, but %d and %d index entries", emails, phones, count(bEmail), count(bPhone))
		}
		return nil
	})
}

// TestAggregatesEqualARecomputationAfterAnySequence is issue 4's property:
// after any sequence of adds, edits (moving between customers, in time, to
// another kind or amount), deletes and undos, every customer's stored
// aggregates equal model.ComputeStats over their timeline.
func TestAggregatesEqualARecomputationAfterAnySequence(t *testing.T) {
	dir := memTempDir(t)
	kinds := []model.Kind{model.KindPurchase, model.KindVisit, model.KindReturn, model.KindCall,
		model.KindComplaint, model.KindFeedback, model.KindReferral, model.KindNote}
	zones := []string{"", "UTC", "America/New_York", "Pacific/Auckland"}
	rapid.Check(t, func(rt *rapid.T) {
		path := filepath.Join(dir, fmt.Sprintf("agg-%d.db", rapidRun.next()))
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
		if zone := rapid.SampledFrom(zones).Draw(rt, "zone"); zone != "" {
			st, _ := windows[0].Settings()
			st.TimeZone = zone
			if err := windows[0].SaveSettings(st); err != nil {
				rt.Fatal(err)
			}
		}
		var customers []model.ID
		for i := range rapid.IntRange(1, 3).Draw(rt, "customers") {
			c, err := windows[0].AddCustomer(model.Customer{Name: fmt.Sprint("Customer ", i)})
			if err != nil {
				rt.Fatal(err)
			}
			customers = append(customers, c.ID)
		}
		// Times over 15 months, so the 13-month window slides; some share a
		// day and some a second.
		draw := func(label string) model.Interaction {
			in := model.Interaction{
				Customer: rapid.SampledFrom(customers).Draw(rt, label+" customer"),
				Kind:     rapid.SampledFrom(kinds).Draw(rt, label+" kind"),
				At:       testNow.Add(-time.Duration(rapid.IntRange(0, 15*31*24).Draw(rt, label+" hours ago")) * time.Hour),
			}
			if in.Kind.HasAmount() {
				in.Amount = model.Money(rapid.Int64Range(1, 100000).Draw(rt, label+" amount"))
			}
			switch in.Kind {
			case model.KindFeedback:
				in.Score = rapid.IntRange(1, 5).Draw(rt, label+" score")
			case model.KindComplaint:
				in.Resolved = rapid.Bool().Draw(rt, label+" resolved")
			case model.KindReferral:
				if others := without(customers, in.Customer); len(others) > 0 {
					in.Referred = rapid.SampledFrom(others).Draw(rt, label+" referred")
				}
			}
			in.Points = rapid.Int64Range(-50, 100).Draw(rt, label+" points")
			return in
		}
		var logged []model.ID
		for range rapid.IntRange(1, 20).Draw(rt, "steps") {
			w := windows[rapid.IntRange(0, 1).Draw(rt, "window")]
			var err error
			switch op := rapid.IntRange(0, 9).Draw(rt, "op"); {
			case op < 4 || len(logged) == 0:
				var in model.Interaction
				in, err = w.AddInteraction(draw("add"))
				if err == nil {
					logged = append(logged, in.ID)
				}
			case op < 7:
				in := draw("edit")
				in.ID = rapid.SampledFrom(logged).Draw(rt, "edited")
				_, err = w.UpdateInteraction(in)
			case op < 9:
				err = w.DeleteInteraction(rapid.SampledFrom(logged).Draw(rt, "deleted"))
			default:
				_, err = w.Undo()
				if errors.Is(err, ErrConflict) || errors.Is(err, ErrNothingToUndo) {
					err = nil
				}
			}
			// An interaction deleted or undone away cannot be edited again.
			if errors.Is(err, ErrNotFound) {
				err = nil
			}
			if err != nil {
				rt.Fatal(err)
			}
			if err := checkAggregates(w); err != nil {
				rt.Fatal(err)
			}
			if err := checkIndexes(w); err != nil {
				rt.Fatal(err)
			}
		}
	})
}

func without(ids []model.ID, id model.ID) []model.ID {
	var out []model.ID
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

// logKey orders the global log: newest first, and by id within a second.
func logLess(a, b model.Interaction) bool {
	if !a.At.Equal(b.At) {
		return a.At.After(b.At)
	}
	return a.ID > b.ID
}

func readWholeLog(t *testing.T, s *Store, pageSize int) []model.Interaction {
	t.Helper()
	var all []model.Interaction
	var cur LogCursor
	for pages := 0; ; pages++ {
		page, next, err := s.RecentInteractions(cur, pageSize)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > pageSize {
			t.Fatalf("a page of %d holds %d", pageSize, len(page))
		}
		all = append(all, page...)
		if next == nil {
			return all
		}
		if len(page) == 0 || pages > 1000 {
			t.Fatalf("paging does not advance (cursor %x)", next)
		}
		cur = next
	}
}

func TestRecentInteractionsPagesTheWholeLogNewestFirst(t *testing.T) {
	s := newTestStore(t)
	var want []model.Interaction
	for i := range 3 {
		c := mustAddCustomer(t, s, model.Customer{Name: fmt.Sprint("Customer ", i)})
		for j := range 9 {
			// Every third one shares its second with the others of its customer.
			at := testNow.Add(-time.Duration(j/3) * time.Hour).Add(-time.Duration(i) * time.Minute)
			want = append(want, mustLog(t, s, model.Interaction{Customer: c.ID, Kind: model.KindNote, Note: fmt.Sprint(i, "/", j), At: at}))
		}
	}
	// Nine share one second across customers too.
	for i := range 9 {
		want = append(want, mustLog(t, s, model.Interaction{Customer: model.ID(i%3 + 1), Kind: model.KindVisit, At: testNow.Add(-30 * time.Minute)}))
	}
	sort.SliceStable(want, func(i, j int) bool { return logLess(want[i], want[j]) })
	for _, size := range []int{1, 2, 3, 7, 9, len(want) - 1, len(want), len(want) + 5} {
		got := readWholeLog(t, s, size)
		if ids(got) != ids(want) {
			t.Fatalf("pages of %d:\n got %s\nwant %s", size, ids(got), ids(want))
		}
	}
}

func TestRecentInteractionsKeepsItsPlaceWhileTheLogChanges(t *testing.T) {
	s := newTestStore(t)
	c := mustAddCustomer(t, s, model.Customer{Name: "Ana Lima"})
	var list []model.Interaction
	for i := range 12 {
		list = append(list, mustLog(t, s, model.Interaction{Customer: c.ID, Kind: model.KindCall, At: testNow.Add(-time.Duration(i/2) * time.Minute)}))
	}
	sort.SliceStable(list, func(i, j int) bool { return logLess(list[i], list[j]) })
	first, next, err := s.RecentInteractions(nil, 4)
	if err != nil {
		t.Fatal(err)
	}
	// Between pages: something new at the top, and the next page's first
	// entry is deleted. The rest follows on with no gap and no repeat.
	mustLog(t, s, model.Interaction{Customer: c.ID, Kind: model.KindVisit, At: testNow})
	if err := s.DeleteInteraction(list[4].ID); err != nil {
		t.Fatal(err)
	}
	got := first
	cur := next
	for cur != nil {
		var page []model.Interaction
		if page, cur, err = s.RecentInteractions(cur, 4); err != nil {
			t.Fatal(err)
		}
		got = append(got, page...)
	}
	want := append(append([]model.Interaction{}, list[:4]...), list[5:]...)
	if ids(got) != ids(want) {
		t.Fatalf("got %s\nwant %s", ids(got), ids(want))
	}
}

func ids(list []model.Interaction) string {
	var b strings.Builder
	for _, in := range list {
		fmt.Fprintf(&b, "%d ", in.ID)
	}
	return b.String()
}

func TestTimelineIsNewestFirst(t *testing.T) {
	s := newTestStore(t)
	a := mustAddCustomer(t, s, model.Customer{Name: "Ana Lima"})
	b := mustAddCustomer(t, s, model.Customer{Name: "Bruno Costa"})
	var want []model.Interaction
	for i := range 8 {
		want = append(want, mustLog(t, s, model.Interaction{Customer: a.ID, Kind: model.KindNote, At: testNow.Add(-time.Duration(i%3) * time.Hour)}))
		mustLog(t, s, model.Interaction{Customer: b.ID, Kind: model.KindNote, At: testNow.Add(-time.Duration(i) * time.Minute)})
	}
	sort.SliceStable(want, func(i, j int) bool { return logLess(want[i], want[j]) })
	got, err := s.Interactions(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ids(got) != ids(want) {
		t.Fatalf("Ana's timeline %s, want %s", ids(got), ids(want))
	}
	if got, _ := s.Interactions(99); len(got) != 0 {
		t.Fatalf("a customer that does not exist has %d interactions", len(got))
	}
}

// TestRefusedInteractionsWriteNothing: a refusal is an error the owner can
// read, and the file keeps every byte.
func TestRefusedInteractionsWriteNothing(t *testing.T) {
	s := newTestStore(t)
	ana := mustAddCustomer(t, s, model.Customer{Name: "Ana Lima"})
	bruno := mustAddCustomer(t, s, model.Customer{Name: "Bruno Costa"})
	buy := mustLog(t, s, model.Interaction{Customer: ana.ID, Kind: model.KindPurchase, Amount: 2490, At: testNow.Add(-time.Hour)})
	ok := model.Interaction{Customer: ana.ID, Kind: model.KindVisit, At: testNow.Add(-time.Minute)}
	with := func(f func(i *model.Interaction)) model.Interaction {
		i := ok
		f(&i)
		return i
	}
	cases := []struct {
		name  string
		in    model.Interaction
		field string // a validation refusal names the field; "" for the store's own refusals
	}{
		{"unknown kind", with(func(i *model.Interaction) { i.Kind = "haircut" }), "kind"},
		{"no kind", with(func(i *model.Interaction) { i.Kind = "" }), "kind"},
		{"no customer", with(func(i *model.Interaction) { i.Customer = 0 }), "customer"},
		{"no time", with(func(i *model.Interaction) { i.At = time.Time{} }), "when"},
		{"in the future", with(func(i *model.Interaction) { i.At = testNow.Add(time.Hour) }), "when"},
		{"before 1970", with(func(i *model.Interaction) { i.At = time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC) }), "when"},
		{"negative amount", with(func(i *model.Interaction) { i.Kind, i.Amount = model.KindReturn, -100 }), "amount"},
		{"purchase without amount", with(func(i *model.Interaction) { i.Kind = model.KindPurchase }), "amount"},
		{"amount on a call", with(func(i *model.Interaction) { i.Kind, i.Amount = model.KindCall, 100 }), "amount"},
		{"score 0", with(func(i *model.Interaction) { i.Kind = model.KindFeedback }), "score"},
		{"score 6", with(func(i *model.Interaction) { i.Kind, i.Score = model.KindFeedback, 6 }), "score"},
		{"score on a visit", with(func(i *model.Interaction) { i.Score = 3 }), "score"},
		{"referral to themselves", with(func(i *model.Interaction) { i.Kind, i.Referred = model.KindReferral, ana.ID }), "referred customer"},
		{"note too long", with(func(i *model.Interaction) { i.Note = strings.Repeat("x", model.MaxLong+1) }), "note"},
		{"invalid text", with(func(i *model.Interaction) { i.Note = "caf\xe9" }), "note"},
		{"customer that does not exist", with(func(i *model.Interaction) { i.Customer = 404 }), ""},
		{"referral to a customer that does not exist", with(func(i *model.Interaction) { i.Kind, i.Referred = model.KindReferral, 404 }), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			calls := []struct {
				name string
				do   func() error
			}{
				{"add", func() error { _, err := s.AddInteraction(tc.in); return err }},
				{"edit", func() error {
					in := tc.in
					in.ID = buy.ID
					_, err := s.UpdateInteraction(in)
					return err
				}},
			}
			for _, call := range calls {
				before := fileBytes(t, s)
				err := call.do()
				if err == nil {
					t.Fatalf("%s was accepted", call.name)
				}
				var fe *model.FieldError
				if tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field) {
					t.Errorf("%s: %v, want a problem with the %s", call.name, err, tc.field)
				}
				if tc.field == "" && !errors.Is(err, ErrNotFound) {
					t.Errorf("%s: %v, want not found", call.name, err)
				}
				if after := fileBytes(t, s); string(after) != string(before) {
					t.Fatalf("%s was refused (%v) but the file changed", call.name, err)
				}
			}
		})
	}
	before := fileBytes(t, s)
	if err := s.DeleteInteraction(999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleting an interaction that does not exist: %v", err)
	}
	in := ok
	in.ID = 999
	if _, err := s.UpdateInteraction(in); !errors.Is(err, ErrNotFound) {
		t.Fatalf("editing an interaction that does not exist: %v", err)
	}
	if string(fileBytes(t, s)) != string(before) {
		t.Fatal("a refused delete or edit changed the file")
	}
	if got, _ := s.Customer(ana.ID); got.Stats.Interactions != 1 || got.Stats.Spend != 2490 {
		t.Fatalf("Ana's aggregates after refusals: %+v", got.Stats)
	}
	if got, _ := s.Customer(bruno.ID); got.ReferredBy != 0 || got.Stats.Interactions != 0 {
		t.Fatalf("Bruno after refusals: %+v", got)
	}
}

func fileBytes(t *testing.T, s *Store) []byte {
	t.Helper()
	b, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReferralSetsReferredBy(t *testing.T) {
	s := newTestStore(t)
	ana := mustAddCustomer(t, s, model.Customer{Name: "Ana Lima"})
	bruno := mustAddCustomer(t, s, model.Customer{Name: "Bruno Costa"})
	carla := mustAddCustomer(t, s, model.Customer{Name: "Carla Dias"})
	ref := mustLog(t, s, model.Interaction{Customer: ana.ID, Kind: model.KindReferral, Referred: bruno.ID, At: testNow.Add(-2 * time.Hour)})
	if got, _ := s.Customer(bruno.ID); got.ReferredBy != ana.ID {
		t.Fatalf("Bruno is referred by %d, want Ana (%d)", got.ReferredBy, ana.ID)
	}
	if got, _ := s.Customer(ana.ID); len(got.Stats.Months) != 1 || got.Stats.Months[0].Referrals != 1 {
		t.Fatalf("Ana's referral is not counted: %+v", got.Stats)
	}
	// A later referral of the same person keeps the first referrer.
	mustLog(t, s, model.Interaction{Customer: carla.ID, Kind: model.KindReferral, Referred: bruno.ID, At: testNow.Add(-time.Hour)})
	if got, _ := s.Customer(bruno.ID); got.ReferredBy != ana.ID {
		t.Fatalf("a second referral replaced Bruno's referrer with %d", got.ReferredBy)
	}
	// Editing a referral to name someone not yet referred sets theirs.
	dora := mustAddCustomer(t, s, model.Customer{Name: "Dora"})
	ref.Referred = dora.ID
	if _, err := s.UpdateInteraction(ref); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Customer(dora.ID); got.ReferredBy != ana.ID {
		t.Fatalf("Dora is referred by %d after the edit, want Ana", got.ReferredBy)
	}
	if _, err := s.Undo(); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Customer(dora.ID); got.ReferredBy != 0 {
		t.Fatalf("undoing the edit left Dora referred by %d", got.ReferredBy)
	}
}
