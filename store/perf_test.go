package store

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"pgregory.net/rapid"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store/exchange"
)

// mustMatchList fails when the list bucket disagrees with the customers.
func mustMatchList(t *testing.T, s *Store, after string) {
	t.Helper()
	if err := s.view(checkList); err != nil {
		t.Fatalf("after %s: %v", after, err)
	}
}

// listNames reads the whole list in pages of two, checking that the
// pages join up.
func listNames(t *testing.T, s *Store) []string {
	t.Helper()
	var names []string
	var cursor ListCursor
	seen := map[model.ID]bool{}
	for {
		page, next, err := s.CustomerList(cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			if seen[c.ID] {
				t.Fatalf("%s (#%d) came twice", c.Name, c.ID)
			}
			seen[c.ID] = true
			names = append(names, c.Name)
		}
		if next == nil {
			return names
		}
		if len(page) != 2 {
			t.Fatalf("a page of %d before the end", len(page))
		}
		cursor = next
	}
}

func TestCustomerListFollowsEveryWayACustomerIsWritten(t *testing.T) {
	s := newTestStore(t)
	other := openTestStore(t, s.Path(), "w2")
	add := func(c model.Customer) model.Customer {
		t.Helper()
		saved, err := s.AddCustomer(c)
		if err != nil {
			t.Fatal(err)
		}
		return saved
	}
	zoe := add(model.Customer{Name: "Zoë Brandt", Email: "zoe@example.com", Tags: []string{"vip"}, Notes: "likes tulips"})
	ana := add(model.Customer{Name: "ana lima", Phone: "912 345 678"})
	bruno := add(model.Customer{Name: "Bruno Costa", Preferences: "size M"})
	mustMatchList(t, s, "adding")
	if got := strings.Join(listNames(t, s), ","); got != "ana lima,Bruno Costa,Zoë Brandt" {
		t.Fatalf("the list is %s, want names in order whatever their case", got)
	}

	zoe.Name = "Abigail Brandt"
	if _, err := s.UpdateCustomer(zoe); err != nil {
		t.Fatal(err)
	}
	mustMatchList(t, s, "a rename")
	if got := listNames(t, s)[0]; got != "Abigail Brandt" {
		t.Fatalf("after the rename the list starts with %s", got)
	}
	if _, err := s.AddInteraction(model.Interaction{Customer: ana.ID, Kind: model.KindPurchase, Amount: 2490, At: testNow.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	mustMatchList(t, s, "a purchase")
	page, _, err := s.CustomerList(nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range page {
		if c.ID == ana.ID && (c.Stats.Spend != 2490 || c.Stats.Visits != 1 || !c.Stats.LastVisit.Equal(testNow.Add(-time.Hour))) {
			t.Fatalf("the list's aggregates of %s are %+v", c.Name, c.Stats)
		}
	}
	if _, err := s.SetStatus(bruno.ID, model.StatusArchived, "", ""); err != nil {
		t.Fatal(err)
	}
	mustMatchList(t, s, "archiving")

	// Undo brings back the record, and the record its list entry.
	for range 3 {
		if _, err := s.Undo(); err != nil {
			t.Fatal(err)
		}
		mustMatchList(t, s, "an undo")
	}
	if got := strings.Join(listNames(t, s), ","); got != "ana lima,Bruno Costa,Zoë Brandt" {
		t.Fatalf("after undoing the rename the list is %s", got)
	}

	// Another window's writes keep it too.
	dup := model.Customer{Name: "Ana Lima", Phone: "912345678"}
	dup, err = other.AddCustomer(dup)
	if err != nil {
		t.Fatal(err)
	}
	mustMatchList(t, s, "another window's add")
	if _, err := s.MergeCustomers(ana.ID, dup.ID, nil); err != nil {
		t.Fatal(err)
	}
	mustMatchList(t, s, "a merge")
	if err := s.DeleteCustomerForGood(bruno.ID); err != nil {
		t.Fatal(err)
	}
	mustMatchList(t, s, "a delete for good")
	if got := strings.Join(listNames(t, s), ","); got != "ana lima,Zoë Brandt" {
		t.Fatalf("after the merge and the delete the list is %s", got)
	}

	f, err := exchange.ReadFile("exchange/testdata/google.csv", exchange.Options{Now: testNow, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(f, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	mustMatchList(t, s, "an import")
	if _, err := s.Undo(); err != nil {
		t.Fatal(err)
	}
	mustMatchList(t, s, "undoing the import")
}

func TestCustomerListAfterADemoFill(t *testing.T) {
	s := newTestStore(t)
	if _, err := s.FillDemo(DemoOptions{Seed: 3, Customers: 300, Interactions: 3000}); err != nil {
		t.Fatal(err)
	}
	mustMatchList(t, s, "a demo fill")
	names := listNames(t, s)
	if len(names) != 300 {
		t.Fatalf("the list has %d of 300 demo customers", len(names))
	}
	if !slices.IsSortedFunc(names, func(a, b string) int { return strings.Compare(SortName(a), SortName(b)) }) {
		t.Fatal("the list is not in name order")
	}
	if n, err := s.ListCount(); err != nil || n != 300 {
		t.Fatalf("ListCount = %d, %v", n, err)
	}
}

func TestMigrationBuildsTheCustomerList(t *testing.T) {
	path := copyFixture(t, schema1Fixture)
	s := openTestStore(t, path, "w1")
	mustMatchList(t, s, "migrating a schema-1 file")
	if len(listNames(t, s)) == 0 {
		t.Fatal("the migrated list is empty")
	}
	// The step may run again on a file it already changed.
	if err := s.rawUpdate(migrateCustomerList); err != nil {
		t.Fatal(err)
	}
	mustMatchList(t, s, "running the step again")
}

func TestCustomerSummariesReadTheRecords(t *testing.T) {
	s := newTestStore(t)
	a, err := s.AddCustomer(model.Customer{Name: "Ana Lima", Address: "1 Rua Nova", Tags: []string{"vip", "wedding"}, Partner: true})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.CustomerSummaries([]model.ID{a.ID, 999})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != a.ID || got[0].Name != "Ana Lima" || !got[0].Partner || !got[0].HasTag("VIP") {
		t.Fatalf("summaries = %+v", got)
	}
	if c := got[0].Customer(); c.Address != "" || c.Name != "Ana Lima" {
		t.Fatalf("a summary's customer carries %+v", c)
	}
}

func TestSummaryRoundTripsAndNeverPanics(t *testing.T) {
	when := func(t *rapid.T, label string) time.Time {
		if rapid.Bool().Draw(t, label+"?") {
			return time.Time{}
		}
		return time.Unix(rapid.Int64Range(0, 4e9).Draw(t, label), 0).UTC()
	}
	rapid.Check(t, func(t *rapid.T) {
		str := rapid.String()
		c := CustomerSummary{
			ID: model.ID(rapid.Uint64Range(1, 1<<40).Draw(t, "id")), Name: str.Draw(t, "name"), Phone: str.Draw(t, "phone"),
			Email: str.Draw(t, "email"), Preferences: str.Draw(t, "prefs"), Notes: str.Draw(t, "notes"),
			Status:  model.Status(rapid.SampledFrom([]string{"", "active", "archived", "lost"}).Draw(t, "status")),
			Partner: rapid.Bool().Draw(t, "partner"), NoContact: rapid.Bool().Draw(t, "nocontact"),
			Stats: SummaryStats{
				Interactions: rapid.IntRange(0, 1e6).Draw(t, "n"), Visits: rapid.IntRange(0, 1e5).Draw(t, "v"),
				Purchases: rapid.IntRange(0, 1e5).Draw(t, "p"), Spend: model.Money(rapid.Int64().Draw(t, "spend")),
				Points: rapid.Int64().Draw(t, "points"), OpenComplaints: rapid.IntRange(0, 99).Draw(t, "oc"),
				FirstVisit: when(t, "fv"), LastVisit: when(t, "lv"), LastPurchase: when(t, "lp"), LastContact: when(t, "lc"),
			},
		}
		c.Tags = append(c.Tags, rapid.SliceOfN(rapid.StringN(1, 20, -1), 0, 4).Draw(t, "tags")...)
		var back CustomerSummary
		if err := decodeSummary(appendSummary(nil, &c), c.ID, &back); err != nil {
			t.Fatal(err)
		}
		if a, b := SummaryOf(ptr(c.Customer())), SummaryOf(ptr(back.Customer())); !summariesEqual(a, b) {
			t.Fatalf("round trip\n got %+v\nwant %+v", b, a)
		}
		// Damaged bytes are an error, never a panic.
		junk := rapid.SliceOf(rapid.Byte()).Draw(t, "junk")
		_ = decodeSummary(junk, 1, &back)
	})
}

func ptr[T any](v T) *T { return &v }

func summariesEqual(a, b CustomerSummary) bool {
	if len(a.Tags) == 0 && len(b.Tags) == 0 {
		a.Tags, b.Tags = nil, nil
	}
	return a.ID == b.ID && a.Name == b.Name && a.Phone == b.Phone && a.Email == b.Email &&
		slices.Equal(a.Tags, b.Tags) && a.Preferences == b.Preferences && a.Notes == b.Notes &&
		a.Status == b.Status && a.Partner == b.Partner && a.NoContact == b.NoContact && a.Stats == b.Stats
}

func TestNameOfRecordReadsEscapedNames(t *testing.T) {
	for _, name := range []string{"Ana Lima", `Ana "the florist" Lima`, "Bloom & Petal <shop>", "Zoë", ""} {
		v, err := encode(&model.Customer{ID: 7, Name: name, Email: "x@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := nameOfRecord(v)
		if err != nil || got != name {
			t.Fatalf("nameOfRecord = %q, %v; want %q", got, err, name)
		}
	}
	if _, err := nameOfRecord([]byte{1, '{'}); err == nil {
		t.Fatal("a cut record should not give a name")
	}
}

// A list entry written by hand is found by the check, so the tests above
// can fail.
func TestCheckListFindsAStrayEntry(t *testing.T) {
	s := newTestStore(t)
	if _, err := s.AddCustomer(model.Customer{Name: "Ana Lima"}); err != nil {
		t.Fatal(err)
	}
	err := s.rawUpdate(func(tx *bolt.Tx) error {
		return tx.Bucket(bCustomerList).Put(listKey("ghost", 99), appendSummary(nil, &CustomerSummary{Name: "ghost"}))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.view(checkList); err == nil || !bytes.Contains([]byte(err.Error()), []byte("ghost")) {
		t.Fatalf("checkList = %v, want it to name the stray entry", err)
	}
}
