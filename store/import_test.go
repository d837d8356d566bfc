package store

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	bolt "go.etcd.io/bbolt"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store/exchange"
)

func readFixture(t *testing.T, name string) *exchange.File {
	t.Helper()
	f, err := exchange.ReadFile(filepath.Join("exchange", "testdata", name), exchange.Options{Now: testNow, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// seedRegulars adds the customers a shop already has before it imports.
func seedRegulars(t *testing.T, s *Store) []model.Customer {
	t.Helper()
	var out []model.Customer
	for _, c := range []model.Customer{
		{Name: "Grace Hopper", Email: "Grace@Example.com", Tags: []string{"regular"}},
		{Name: "Ana Lima", Phone: "912 345 678", Notes: "Comes on Saturdays"},
		{Name: "Bloom & Petal Florists"},
		{Name: "Johnny Appleseed", Email: "johnny@orchard.example", Birthday: model.Birthday{Month: 9, Day: 26}},
		{Name: "Maria G.", Phone: "(555) 010-1010"},
	} {
		saved, err := s.AddCustomer(c)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, saved)
	}
	return out
}

// snapshot is everything a data file holds that an import may change, for
// proving an import or its undo left nothing behind.
func snapshot(t *testing.T, s *Store) string {
	t.Helper()
	var b bytes.Buffer
	if _, err := s.Export(&b, ExportOptions{Format: ExportJSON}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var importFixtures = []string{"google.csv", "google-old.csv", "outlook.csv", "outlook-com.csv", "square.csv",
	"shopify.csv", "shopify-old.csv", "own-semicolon.csv", "apple.vcf", "android21.vcf", "v4.vcf", "export.json"}

func TestImportPreviewsAsGolden(t *testing.T) {
	for _, name := range importFixtures {
		t.Run(name, func(t *testing.T) {
			s := newTestStore(t)
			seedRegulars(t, s)
			before := snapshot(t, s)
			p, err := s.PreviewImport(readFixture(t, name), ActionMerge)
			if err != nil {
				t.Fatal(err)
			}
			if snapshot(t, s) != before {
				t.Fatal("a preview wrote to the file")
			}
			if p.New+p.Matching != p.Records || p.Add+p.Merge+p.Skip != p.Records {
				t.Errorf("counts do not add up: %+v", p)
			}
			golden.RequireEqual(t, p.Text())
		})
	}
}

func TestImportDoesWhatThePreviewSaid(t *testing.T) {
	for _, name := range importFixtures {
		for _, act := range []Action{ActionMerge, ActionSkip, ActionAdd} {
			s := newTestStore(t)
			seedRegulars(t, s)
			f := readFixture(t, name)
			p, err := s.PreviewImport(f, act)
			if err != nil {
				t.Fatal(err)
			}
			n0, _ := s.CountCustomers()
			res, err := s.Import(f, ImportOptions{OnMatch: act, Source: name})
			if err != nil {
				t.Fatalf("%s %s: %v", name, act, err)
			}
			n1, _ := s.CountCustomers()
			if res.Added != p.Add || n1-n0 != p.Add || res.Merged+res.Unchanged != p.Merge || res.Skipped != p.Skip {
				t.Errorf("%s %s: preview %+v, import %+v, customers %d -> %d", name, act, p, res, n0, n1)
			}
			if res.Change != nil && !res.Change.Import {
				t.Errorf("%s: the import's change is not marked as one", name)
			}
			checkImportIndexes(t, s)
		}
	}
}

func TestImportingTheSameFileTwiceAddsNoOne(t *testing.T) {
	for _, name := range importFixtures {
		t.Run(name, func(t *testing.T) {
			s := newTestStore(t)
			seedRegulars(t, s)
			f := readFixture(t, name)
			if _, err := s.Import(f, ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			once := snapshot(t, s)
			res, err := s.Import(readFixture(t, name), ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Added != 0 || res.Merged != 0 || res.Interactions != 0 || res.Reminders != 0 || res.Change != nil {
				t.Fatalf("second import changed something: %+v", res)
			}
			if snapshot(t, s) != once {
				t.Fatal("the file changed on the second import")
			}
		})
	}
}

func TestImportMergesNewDetailsWithoutOverwriting(t *testing.T) {
	s := newTestStore(t)
	regulars := seedRegulars(t, s)
	res, err := s.Import(readFixture(t, "google.csv"), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 2 || res.Merged != 3 {
		t.Fatalf("%+v", res)
	}
	grace, _ := s.Customer(regulars[0].ID)
	if grace.Name != "Grace Hopper" || grace.Email != "Grace@Example.com" || grace.Phone != "+1 555 0199" ||
		grace.Birthday.String() != "1906-12-09" || strings.Join(grace.Tags, ",") != "regular,Navy,VIP" ||
		!strings.Contains(grace.Notes, "Email (work): grace@navy.example") {
		t.Errorf("Grace after merge: %+v", grace)
	}
	ana, _ := s.Customer(regulars[1].ID)
	// Matched by phone (912 345 678 is +351 912 345 678 without the country code).
	if ana.Phone != "912 345 678" || ana.Email != "ana.lima@example.pt" || ana.Birthday.String() != "04-15" ||
		!strings.HasPrefix(ana.Notes, "Comes on Saturdays\n") {
		t.Errorf("Ana after merge: %+v", ana)
	}
	// The new email is indexed: the customer can be found by it.
	if got, err := s.FindCustomer("ana.lima@example.pt"); err != nil || got.ID != ana.ID {
		t.Errorf("find by the merged email: %v %v", got.ID, err)
	}
}

func TestAContactListedTwiceInOneFileBecomesOneCustomer(t *testing.T) {
	s := newTestStore(t)
	f := readFixture(t, "own-semicolon.csv")
	p, err := s.PreviewImport(f, ActionMerge)
	if err != nil {
		t.Fatal(err)
	}
	if p.New != 2 || p.Matching != 1 || p.Matches[0].EarlierLine != 3 || p.Matches[0].By != "phone" {
		t.Fatalf("%s", p.Text())
	}
	if _, err := s.Import(f, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	bruno, err := s.FindCustomer("Bruno Alves")
	if err != nil {
		t.Fatal(err)
	}
	if bruno.Email != "bruno@example.pt" || bruno.Birthday.String() != "05-03" || !strings.Contains(bruno.Notes, "second row") {
		t.Fatalf("%+v", bruno)
	}
}

func TestPerMatchChoicesOverrideTheDefault(t *testing.T) {
	s := newTestStore(t)
	seedRegulars(t, s)
	f := readFixture(t, "google.csv")
	p, _ := s.PreviewImport(f, ActionMerge)
	if len(p.Matches) != 3 || p.Matches[2].By != "name" {
		t.Fatalf("%s", p.Text())
	}
	per := map[int]Action{p.Matches[0].Record: ActionAdd, p.Matches[1].Record: ActionSkip}
	res, err := s.Import(f, ImportOptions{OnMatch: ActionMerge, PerMatch: per})
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 3 || res.Skipped != 1 || res.Merged != 1 {
		t.Fatalf("%+v", res)
	}
	if _, err := s.Import(f, ImportOptions{PerMatch: map[int]Action{0: "maybe"}}); err == nil {
		t.Fatal("an unknown choice was accepted")
	}
}

func TestImportIsAllOrNothing(t *testing.T) {
	s := newTestStore(t)
	seedRegulars(t, s)
	before := snapshot(t, s)
	f := readFixture(t, "v4.vcf")
	// A record made invalid after reading (as a preview screen might).
	f.Records[len(f.Records)-1].Customer.Email = "not an email"
	if _, err := s.Import(f, ImportOptions{}); err == nil || !strings.Contains(err.Error(), "line 23") {
		t.Fatalf("import of a bad record: %v", err)
	}
	if snapshot(t, s) != before {
		t.Fatal("a failed import left part of itself behind")
	}
}

func TestUndoImportTakesTheWholeImportBackFromAnotherWindow(t *testing.T) {
	s := newTestStore(t)
	seedRegulars(t, s)
	before := snapshot(t, s)
	res, err := s.Import(readFixture(t, "google.csv"), ImportOptions{Source: "google.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Change == nil || !res.Change.Import || res.Change.Summary != "Imported google.csv: 2 customers added, 3 merged" {
		t.Fatalf("change: %+v", res.Change)
	}
	// The command line undoes from a window of its own.
	cli := openTestStore(t, s.Path(), "cli-2")
	ch, err := cli.UndoImport()
	if err != nil {
		t.Fatal(err)
	}
	if ch.UndoOf != res.Change.Seq {
		t.Fatalf("undo: %+v", ch)
	}
	if snapshot(t, s) != before {
		t.Fatal("undo did not bring the file back to before the import")
	}
	checkImportIndexes(t, s)
	if _, err := cli.UndoImport(); !errors.Is(err, ErrNoImport) {
		t.Fatalf("a second undo: %v", err)
	}
	// The importing window's own undo does not undo it again.
	if ch, err := s.Undo(); err == nil && ch.UndoOf == res.Change.Seq {
		t.Fatal("the import was undone twice")
	}
}

func TestUndoImportRefusesWhenAnImportedCustomerChangedSince(t *testing.T) {
	s := newTestStore(t)
	if _, err := s.Import(readFixture(t, "apple.vcf"), ImportOptions{Source: "apple.vcf"}); err != nil {
		t.Fatal(err)
	}
	other := openTestStore(t, s.Path(), "w2")
	johnny, err := other.FindCustomer("Johnny Appleseed")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.AddInteraction(model.Interaction{Customer: johnny.ID, Kind: model.KindVisit, At: testNow.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	afterVisit := snapshot(t, s)
	cli := openTestStore(t, s.Path(), "cli")
	_, err = cli.UndoImport()
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "logged visit for johnny appleseed") && !strings.Contains(err.Error(), "Johnny Appleseed") {
		t.Fatalf("undo after a change: %v", err)
	}
	if snapshot(t, s) != afterVisit {
		t.Fatal("a refused undo changed the file")
	}
	// Once that change is undone, the import can go.
	if _, err := other.Undo(); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.UndoImport(); err != nil {
		t.Fatalf("undo once the change was undone: %v", err)
	}
	if n, _ := s.CountCustomers(); n != 0 {
		t.Fatalf("%d customers left", n)
	}
}

func TestUnreadableRowsAreNotImportedAndNothingElseIsLost(t *testing.T) {
	s := newTestStore(t)
	f := readFixture(t, "android21.vcf")
	if len(f.Errors) != 1 {
		t.Fatalf("errors: %v", f.Errors)
	}
	res, err := s.Import(f, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 4 {
		t.Fatalf("%+v", res)
	}
	empty := &exchange.File{Format: exchange.FormatVCard, Errors: f.Errors}
	res, err = s.Import(empty, ImportOptions{})
	if err != nil || res.Change != nil {
		t.Fatalf("an import with nothing in it wrote: %+v %v", res, err)
	}
}

func TestJSONIntoAFileWithCustomersMatchesAndBringsHistory(t *testing.T) {
	s := newTestStore(t)
	ana, _ := s.AddCustomer(model.Customer{Name: "Ana L.", Email: "ana@example.pt"})
	f := readFixture(t, "export.json")
	p, err := s.PreviewImport(f, ActionMerge)
	if err != nil {
		t.Fatal(err)
	}
	if p.Restore || p.Matching != 1 || p.New != 1 {
		t.Fatalf("%s", p.Text())
	}
	res, err := s.Import(f, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 1 || res.Merged != 1 || res.Interactions != 2 || res.Reminders != 1 || res.Restored {
		t.Fatalf("%+v", res)
	}
	checkImportIndexes(t, s)
	got, _ := s.Customer(ana.ID)
	if got.Name != "Ana L." || got.Stats.Spend != 2490 || got.Stats.Points != 24 || got.Phone != "+351 912 000 111" {
		t.Fatalf("Ana: %+v", got)
	}
	rui, err := s.FindCustomer("Rui Costa")
	if err != nil {
		t.Fatal(err)
	}
	// Rui was referred by Ana in the export; in this file Ana is #1, Rui new.
	if rui.ReferredBy != ana.ID || rui.ID == 3 {
		t.Fatalf("Rui: %+v", rui)
	}
	list, _ := s.Interactions(ana.ID)
	var referral model.Interaction
	for _, in := range list {
		if in.Kind == model.KindReferral {
			referral = in
		}
	}
	if referral.Referred != rui.ID {
		t.Fatalf("the referral names #%d, want Rui #%d", referral.Referred, rui.ID)
	}
	rems, _ := s.ManualReminders()
	if len(rems) != 1 || rems[0].Customer != rui.ID {
		t.Fatalf("reminders: %+v", rems)
	}
	// Importing it again brings nothing new: interactions are not doubled.
	res, err = s.Import(readFixture(t, "export.json"), ImportOptions{})
	if err != nil || res.Change != nil {
		t.Fatalf("second import: %+v %v", res, err)
	}
}

func TestJSONExportImportExportIsTheSameJSON(t *testing.T) {
	s := newTestStore(t)
	st, _ := s.Settings()
	st.ShopName, st.Currency, st.TimeZone = "Lima & Daughters", "EUR", "Europe/Lisbon"
	if err := s.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FillDemo(DemoOptions{Customers: 60, Interactions: 500, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	all, _ := s.AllCustomers(nil)
	if _, err := s.AddReminder(model.Reminder{Customer: all[0].ID, Kind: model.ReminderFollowUp, Due: testNow.Add(72 * time.Hour), Note: "ask about the wedding"}); err != nil {
		t.Fatal(err)
	}
	rs, err := s.Reminders(testNow.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	decided := 0
	for _, r := range rs {
		if r.ID == 0 && decided < 3 {
			if err := s.Dismiss(r, "moved away"); err == nil {
				decided++
			}
		}
	}
	if err := s.DeleteCustomerForGood(all[5].ID); err != nil { // ids with a gap survive
		t.Fatal(err)
	}
	first := snapshot(t, s)
	f, err := exchange.Read([]byte(first), exchange.Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Errors) > 0 {
		t.Fatalf("the export does not read back: %v", f.Errors)
	}
	fresh := openTestStore(t, filepath.Join(t.TempDir(), "rebuilt.db"), "w1")
	p, err := fresh.PreviewImport(f, ActionMerge)
	if err != nil || !p.Restore {
		t.Fatalf("preview into an empty file: %+v %v", p, err)
	}
	res, err := fresh.Import(f, ImportOptions{Source: "export.json"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Restored || decided == 0 {
		t.Fatalf("%+v, %d decisions", res, decided)
	}
	checkImportIndexes(t, fresh)
	second := snapshot(t, fresh)
	if first != second {
		t.Fatalf("export -> import -> export differs:\n%s", firstDiff(first, second))
	}
	// New records continue after the restored ids.
	c, err := fresh.AddCustomer(model.Customer{Name: "Someone New"})
	if err != nil || c.ID <= all[len(all)-1].ID {
		t.Fatalf("new id %d after restoring up to %d: %v", c.ID, all[len(all)-1].ID, err)
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(al), len(bl))
}

// checkImportIndexes proves the records and their indexes agree: every email and
// phone is indexed and nothing else is, every interaction is in the global
// log and the id index under its key, and every customer's aggregates are
// what their interactions make.
func checkImportIndexes(t *testing.T, s *Store) {
	t.Helper()
	err := s.view(func(tx *bolt.Tx) error {
		loc := settingsIn(tx).Location()
		emails, phones := 0, 0
		err := tx.Bucket(bCustomers).ForEach(func(k, v []byte) error {
			var c model.Customer
			if err := decode(v, &c); err != nil {
				return err
			}
			if ek := emailKey(c.Email, c.ID); ek != nil {
				emails++
				if tx.Bucket(bEmail).Get(ek) == nil {
					t.Errorf("#%d's email %q is not indexed", c.ID, c.Email)
				}
			}
			if pk := phoneKey(c.Phone, c.ID); pk != nil {
				phones++
				if tx.Bucket(bPhone).Get(pk) == nil {
					t.Errorf("#%d's phone %q is not indexed", c.ID, c.Phone)
				}
			}
			list, err := customerInteractions(tx, c.ID)
			if err != nil {
				return err
			}
			if !statsEqual(c.Stats, model.ComputeStats(list, loc)) {
				t.Errorf("#%d's aggregates do not follow from their %d interactions", c.ID, len(list))
			}
			return nil
		})
		if err != nil {
			return err
		}
		if n := tx.Bucket(bEmail).Stats().KeyN; n != emails {
			t.Errorf("%d email index entries for %d emails", n, emails)
		}
		if n := tx.Bucket(bPhone).Stats().KeyN; n != phones {
			t.Errorf("%d phone index entries for %d phones", n, phones)
		}
		count := 0
		err = tx.Bucket(bInteractions).ForEach(func(k, v []byte) error {
			var in model.Interaction
			if err := decode(v, &in); err != nil {
				return err
			}
			count++
			if keyID(k) != in.Customer || tx.Bucket(bCustomers).Get(idKey(in.Customer)) == nil {
				t.Errorf("interaction #%d is filed under #%d for customer #%d", in.ID, keyID(k), in.Customer)
			}
			if got := tx.Bucket(bByTime).Get(byTimeKey(in.At, in.ID)); !bytes.Equal(got, idKey(in.Customer)) {
				t.Errorf("interaction #%d is not in the log under its customer", in.ID)
			}
			if got := tx.Bucket(bInterIDs).Get(idKey(in.ID)); !bytes.Equal(got, k) {
				t.Errorf("interaction #%d's id does not lead to it", in.ID)
			}
			return nil
		})
		if n := tx.Bucket(bByTime).Stats().KeyN; n != count {
			t.Errorf("%d log entries for %d interactions", n, count)
		}
		if n := tx.Bucket(bInterIDs).Stats().KeyN; n != count {
			t.Errorf("%d id entries for %d interactions", n, count)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
