package store

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patron-crm/patron/model"
)

// demoData is a file's customers and each one's timeline, newest first.
type demoData struct {
	Customers []model.Customer
	Timelines [][]model.Interaction
}

func fillDemo(t testing.TB, s *Store, o DemoOptions) DemoResult {
	t.Helper()
	res, err := s.FillDemo(o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func readDemo(t testing.TB, s *Store) demoData {
	t.Helper()
	var d demoData
	var err error
	if d.Customers, err = s.AllCustomers(nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range d.Customers {
		list, err := s.Interactions(c.ID)
		if err != nil {
			t.Fatal(err)
		}
		d.Timelines = append(d.Timelines, list)
	}
	return d
}

func (d demoData) interactions() []model.Interaction {
	var all []model.Interaction
	for _, l := range d.Timelines {
		all = append(all, l...)
	}
	return all
}

func asJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFillDemoIsDeterministicForASeed(t *testing.T) {
	a, b, c := newTestStore(t), newTestStore(t), newTestStore(t)
	fillDemo(t, a, DemoOptions{Seed: 7})
	fillDemo(t, b, DemoOptions{Seed: 7})
	fillDemo(t, c, DemoOptions{Seed: 8})
	da, db, dc := asJSON(t, readDemo(t, a)), asJSON(t, readDemo(t, b)), asJSON(t, readDemo(t, c))
	if da != db {
		t.Fatal("two fills with the same seed and clock made different data")
	}
	if da == dc {
		t.Fatal("two fills with different seeds made the same data")
	}
}

func TestFillDemoCoversEveryKindAtTheDefaultSize(t *testing.T) {
	for seed := int64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			s := newTestStore(t)
			res := fillDemo(t, s, DemoOptions{Seed: seed})
			if res != (DemoResult{Customers: DefaultDemoCustomers, Interactions: DefaultDemoInteractions}) {
				t.Fatalf("result %+v", res)
			}
			d := readDemo(t, s)
			all := d.interactions()
			if len(d.Customers) != DefaultDemoCustomers || len(all) != DefaultDemoInteractions {
				t.Fatalf("file holds %d customers and %d interactions", len(d.Customers), len(all))
			}
			kinds := map[model.Kind]int{}
			open, resolved, highScores, scores := 0, 0, 0, 0
			byID := map[model.ID]model.Customer{}
			for _, c := range d.Customers {
				byID[c.ID] = c
			}
			for _, in := range all {
				kinds[in.Kind]++
				if err := model.ValidateInteraction(in, testNow); err != nil {
					t.Errorf("interaction %+v is invalid: %v", in, err)
				}
				switch in.Kind {
				case model.KindComplaint:
					if in.Resolved {
						resolved++
						if in.Resolution == "" || in.Category == "" {
							t.Errorf("resolved complaint without resolution or category: %+v", in)
						}
					} else {
						open++
					}
				case model.KindFeedback:
					scores++
					if in.Score >= 4 {
						highScores++
					}
				case model.KindReferral:
					r, ok := byID[in.Referred]
					if !ok || r.ReferredBy != in.Customer {
						t.Errorf("referral %+v: referred customer %+v does not name the referrer", in, r)
					}
					if !r.Since.After(in.At) {
						t.Errorf("referral at %v of a customer since %v", in.At, r.Since)
					}
				}
			}
			for _, k := range model.Kinds {
				if kinds[k] == 0 {
					t.Errorf("no %s in the demo data (kinds: %v)", k, kinds)
				}
			}
			if open == 0 || resolved == 0 {
				t.Errorf("complaints: %d open, %d resolved; want some of each", open, resolved)
			}
			if highScores*10 < scores*6 {
				t.Errorf("only %d of %d feedback scores are 4 or 5", highScores, scores)
			}

			var feb29, noYear, noEmail, noPhone, referred, lost, tagged, winBack, regular, once int
			emails := map[string]bool{}
			for i, c := range d.Customers {
				if err := model.ValidateCustomer(c); err != nil {
					t.Errorf("customer %+v is invalid: %v", c, err)
				}
				if clean := model.CleanCustomer(c); asJSON(t, clean) != asJSON(t, c) {
					t.Errorf("customer is not as a form would save it:\n%+v\n%+v", c, clean)
				}
				if c.ID != model.ID(i+1) {
					t.Errorf("customer %d has id %d", i, c.ID)
				}
				if c.Birthday.Month == 2 && c.Birthday.Day == 29 {
					feb29++
				}
				if !c.Birthday.IsZero() && c.Birthday.Year == 0 {
					noYear++
				}
				if c.Email == "" {
					noEmail++
				} else if emails[strings.ToLower(c.Email)] {
					t.Errorf("email %s given twice", c.Email)
				} else {
					emails[strings.ToLower(c.Email)] = true
				}
				if c.Phone == "" {
					noPhone++
				}
				if c.ReferredBy != 0 {
					referred++
				}
				if c.Status == model.StatusLost {
					lost++
					if !model.IsDefectionReason(c.LostReason) {
						t.Errorf("lost customer with reason %q", c.LostReason)
					}
				}
				if len(c.Tags) > 0 {
					tagged++
				}
				st := c.Stats
				ago := testNow.Sub(st.LastVisit)
				switch {
				case st.Visits >= 4 && ago > 120*24*time.Hour:
					winBack++
				case st.Visits >= 10 && ago < 30*24*time.Hour:
					regular++
				case st.Visits == 1:
					once++
				}
			}
			for name, n := range map[string]int{"Feb 29 birthdays": feb29, "birthdays without a year": noYear,
				"customers without email": noEmail, "customers without phone": noPhone, "referred customers": referred,
				"lost customers": lost, "tagged customers": tagged, "lapsed regulars": winBack, "regulars": regular, "one-timers": once} {
				if n == 0 {
					t.Errorf("no %s", name)
				}
			}
		})
	}
}

func TestFillDemoPutsEveryTimeInThePast(t *testing.T) {
	s := newTestStore(t)
	fillDemo(t, s, DemoOptions{Seed: 3, Customers: 400, Interactions: 6000})
	d := readDemo(t, s)
	epoch := time.Unix(0, 0)
	past := func(what string, at time.Time) {
		if !at.IsZero() && (!at.Before(testNow) || at.Before(epoch)) {
			t.Errorf("%s at %v is not between 1970 and now (%v)", what, at, testNow)
		}
	}
	oldest := testNow
	for _, c := range d.Customers {
		past("customer since", c.Since)
		past("customer created", c.Created)
		past("customer updated", c.Updated)
		past("customer lost", c.LostAt)
		past("last visit", c.Stats.LastVisit)
	}
	for _, in := range d.interactions() {
		past("interaction", in.At)
		past("resolution", in.ResolvedAt)
		if in.Resolved && !in.ResolvedAt.After(in.At) {
			t.Errorf("complaint resolved at %v, before it was made at %v", in.ResolvedAt, in.At)
		}
		if in.At.Before(oldest) {
			oldest = in.At
		}
	}
	if testNow.Sub(oldest) < 2*365*24*time.Hour {
		t.Errorf("the oldest interaction is from %v; want about three years of history", oldest)
	}
}

func TestFillDemoAggregatesMatchARecount(t *testing.T) {
	s := newTestStore(t)
	fillDemo(t, s, DemoOptions{Seed: 11})
	st, err := s.Settings()
	if err != nil {
		t.Fatal(err)
	}
	d := readDemo(t, s)
	for i, c := range d.Customers {
		list := d.Timelines[i]
		if got, want := asJSON(t, c.Stats), asJSON(t, model.ComputeStats(list, st.Location())); got != want {
			t.Errorf("customer #%d stats\n got %s\nwant %s", c.ID, got, want)
		}
		balance := int64(0)
		for k := len(list) - 1; k >= 0; k-- { // oldest first
			in := list[k]
			switch in.Kind {
			case model.KindPurchase:
				if want := model.PointsFor(in.Kind, in.Amount, st.Loyalty); in.Points != want || want <= 0 {
					t.Errorf("purchase of %d earned %d points; want %d", in.Amount, in.Points, want)
				}
			case model.KindRedeemed:
				r, err := st.Loyalty.FindReward(in.Reward)
				if err != nil || in.Points != -r.Points {
					t.Errorf("redemption %+v is not from the catalogue %+v (%v)", in, st.Loyalty.Rewards, err)
				}
			case model.KindReturn:
				if in.Points > 0 || in.Points < model.PointsFor(in.Kind, in.Amount, st.Loyalty) {
					t.Errorf("return %+v takes back more points than it earned", in)
				}
			default:
				if in.Points != 0 {
					t.Errorf("%s with points: %+v", in.Kind, in)
				}
			}
			balance += in.Points
			if balance < 0 {
				t.Errorf("customer #%d's points go below zero at %+v", c.ID, in)
			}
		}
		// The contact indexes find them.
		if c.Email != "" {
			if got, err := s.FindCustomer(strings.ToUpper(c.Email)); err != nil || got.ID != c.ID {
				t.Errorf("FindCustomer(%q) = #%d, %v", c.Email, got.ID, err)
			}
		}
	}
	// The global log holds every interaction once, newest first, and each
	// one is found by its id.
	var cursor LogCursor
	seen := map[model.ID]bool{}
	last := time.Time{}
	for {
		page, next, err := s.RecentInteractions(cursor, 500)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range page {
			if seen[in.ID] {
				t.Fatalf("interaction #%d twice in the log", in.ID)
			}
			seen[in.ID] = true
			if !last.IsZero() && in.At.After(last) {
				t.Fatalf("log out of order at #%d", in.ID)
			}
			last = in.At
		}
		if next == nil {
			break
		}
		cursor = next
	}
	if len(seen) != DefaultDemoInteractions {
		t.Fatalf("the log holds %d interactions", len(seen))
	}
	for _, in := range d.Timelines[len(d.Timelines)/2] {
		got, err := s.Interaction(in.ID)
		if err != nil || asJSON(t, got) != asJSON(t, in) {
			t.Errorf("Interaction(#%d) = %+v, %v", in.ID, got, err)
		}
	}
}

func TestFillDemoLeavesRoomForNewRecords(t *testing.T) {
	s := newTestStore(t)
	fillDemo(t, s, DemoOptions{Seed: 5, Customers: 20, Interactions: 300})
	c, err := s.AddCustomer(model.Customer{Name: "Ana Lima"})
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != 21 {
		t.Fatalf("a customer added after the demo got id %d; want 21", c.ID)
	}
	before, err := s.Interaction(300)
	if err != nil {
		t.Fatal(err)
	}
	in, err := s.AddInteraction(model.Interaction{Customer: 1, Kind: model.KindVisit, At: testNow.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if in.ID != 301 {
		t.Fatalf("an interaction added after the demo got id %d; want 301", in.ID)
	}
	after, err := s.Interaction(300)
	if err != nil || asJSON(t, after) != asJSON(t, before) {
		t.Fatalf("interaction #300 changed: %+v -> %+v (%v)", before, after, err)
	}
}

func TestFillDemoRefusesAFileThatHoldsCustomers(t *testing.T) {
	s := newTestStore(t)
	ana, err := s.AddCustomer(model.Customer{Name: "Ana Lima", Email: "ana@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	feed, _ := s.ChangesSince(0)
	_, err = s.FillDemo(DemoOptions{})
	if err == nil || !strings.Contains(err.Error(), "patron.db already holds 1 customer; pass --force") {
		t.Fatalf("fill of a file with a customer: %v", err)
	}
	if n, _ := s.CountCustomers(); n != 1 {
		t.Fatalf("a refused fill left %d customers", n)
	}
	if f, _ := s.ChangesSince(feed.Latest); len(f.Changes) != 0 {
		t.Fatalf("a refused fill recorded %+v", f.Changes)
	}

	fillDemo(t, s, DemoOptions{Seed: 2, Force: true})
	d := readDemo(t, s)
	if len(d.Customers) != DefaultDemoCustomers+1 {
		t.Fatalf("after a forced fill the file holds %d customers", len(d.Customers))
	}
	if got := d.Customers[0]; got.ID != ana.ID || got.Name != "Ana Lima" || got.Stats.Interactions != 0 {
		t.Fatalf("the owner's customer changed: %+v", got)
	}
	if d.Customers[1].ID != ana.ID+1 {
		t.Fatalf("the first demo customer has id %d", d.Customers[1].ID)
	}
	if got, err := s.FindCustomer("ana@example.com"); err != nil || got.ID != ana.ID {
		t.Fatalf("the owner's customer is no longer found by email: %v, %v", got.ID, err)
	}
}

func TestFillDemoReportsProgressUpToTheTotal(t *testing.T) {
	s := newTestStore(t)
	var calls [][2]int
	fillDemo(t, s, DemoOptions{Seed: 1, Customers: 300, Interactions: 9000, Progress: func(done, total int) {
		calls = append(calls, [2]int{done, total})
	}})
	total := 300 + 2*9000
	if len(calls) < 4 {
		t.Fatalf("progress was called %d times: %v", len(calls), calls)
	}
	if calls[0] != [2]int{0, total} || calls[len(calls)-1] != [2]int{total, total} {
		t.Fatalf("progress went from %v to %v; want 0 to %d", calls[0], calls[len(calls)-1], total)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] || calls[i][1] != total {
			t.Fatalf("progress went back or changed its total: %v then %v", calls[i-1], calls[i])
		}
	}
}

func TestFillDemoRecordsOneChange(t *testing.T) {
	s := newTestStore(t)
	f0, _ := s.ChangesSince(0)
	fillDemo(t, s, DemoOptions{})
	f, err := s.ChangesSince(f0.Latest)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Changes) != 1 {
		t.Fatalf("the fill recorded %d changes", len(f.Changes))
	}
	ch := f.Changes[0]
	if ch.Summary != "Added demo data: 150 customers, 2,000 interactions" || !ch.Stripped || !ch.TouchesInteractions() {
		t.Fatalf("change %+v", ch)
	}
	for _, tc := range ch.Touched {
		if tc.Before != nil {
			t.Fatalf("the demo change keeps a before-image: %+v", tc)
		}
	}
	if _, err := s.Undo(); err == nil {
		t.Fatal("undo of another window's demo fill worked") // it belongs to the CLI's window
	}
}

func TestFillDemoMakesExactlyTheAskedSizes(t *testing.T) {
	for _, tc := range []struct{ customers, interactions int }{
		{1, 0}, {1, 1}, {3, 2}, {2, 40}, {10, 500}, {40, 40}, {25, 10},
	} {
		s := newTestStore(t)
		res := fillDemo(t, s, DemoOptions{Seed: 9, Customers: tc.customers, Interactions: tc.interactions})
		d := readDemo(t, s)
		if res.Customers != tc.customers || res.Interactions != tc.interactions ||
			len(d.Customers) != tc.customers || len(d.interactions()) != tc.interactions {
			t.Errorf("asked %+v: result %+v, file holds %d and %d", tc, res, len(d.Customers), len(d.interactions()))
		}
	}
}

func TestFillDemoRefusesImpossibleSizes(t *testing.T) {
	s := newTestStore(t)
	for _, o := range []DemoOptions{{Customers: -1}, {Interactions: -5}, {Customers: MaxDemoCustomers + 1}} {
		if _, err := s.FillDemo(o); err == nil {
			t.Errorf("FillDemo(%+v) worked", o)
		}
	}
	if n, _ := s.CountCustomers(); n != 0 {
		t.Fatalf("refused fills left %d customers", n)
	}
}

// BenchmarkFillDemo builds the issue-9 data set (100,000 customers and a
// million interactions) and a tenth of it, and compares the file with a
// JSON dump of the same records. Run with -bench=FillDemo -benchtime=1x.
func BenchmarkFillDemo(b *testing.B) {
	for _, size := range []struct {
		name                    string
		customers, interactions int
	}{{"10k", 10_000, 100_000}, {"100k", 100_000, 1_000_000}} {
		b.Run(size.name, func(b *testing.B) {
			var path string
			for b.Loop() {
				b.StopTimer()
				path = filepath.Join(b.TempDir(), "patron.db")
				s := openTestStore(b, path, "bench")
				b.StartTimer()
				fillDemo(b, s, DemoOptions{Seed: 1, Customers: size.customers, Interactions: size.interactions})
			}
			b.StopTimer()
			s := openTestStore(b, path, "bench")
			fi, err := os.Stat(path)
			if err != nil {
				b.Fatal(err)
			}
			jsonSize := demoJSONSize(b, s)
			b.ReportMetric(float64(fi.Size())/1e6, "file-MB")
			b.ReportMetric(float64(jsonSize)/1e6, "json-MB")
			b.ReportMetric(float64(fi.Size())/float64(jsonSize), "file/json")
			logBucketFill(b, path)
		})
	}
}

// demoJSONSize is the length of the customers and the interactions
// marshalled with encoding/json, one array each, read back in chunks; it
// adds up each record's length as json.Marshal of the whole array would
// write it ("[" records joined by "," "]"), so no array is held in memory.
func demoJSONSize(b *testing.B, s *Store) int {
	size := 0
	var customers, interactions int
	var after model.ID
	for {
		page, more, err := s.CustomersPage(after, 5000)
		if err != nil {
			b.Fatal(err)
		}
		for i := range page {
			size += len(asJSON(b, page[i]))
		}
		customers += len(page)
		if !more || len(page) == 0 {
			break
		}
		after = page[len(page)-1].ID
	}
	customerBytes := size
	var cursor LogCursor
	for {
		page, next, err := s.RecentInteractions(cursor, 5000)
		if err != nil {
			b.Fatal(err)
		}
		for i := range page {
			size += len(asJSON(b, page[i]))
		}
		interactions += len(page)
		if next == nil {
			break
		}
		cursor = next
	}
	// Brackets, and the commas between records.
	size += 2 + max(customers-1, 0) + 2 + max(interactions-1, 0)
	b.Logf("JSON: customers %.1f MB (%d), interactions %.1f MB (%d)", float64(customerBytes)/1e6, customers,
		float64(size-customerBytes)/1e6, interactions)
	return size
}

// logBucketFill logs how full each bucket's pages are, for the size note.
func logBucketFill(b *testing.B, path string) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		b.Logf("file %.1f MB, %d pages of %d bytes, %d free", float64(tx.Size())/1e6, tx.Size()/int64(db.Info().PageSize), db.Info().PageSize, db.Stats().FreePageN)
		return tx.ForEach(func(name []byte, bk *bolt.Bucket) error {
			st := bk.Stats()
			alloc := st.LeafAlloc + st.BranchAlloc
			if alloc == 0 {
				return nil
			}
			b.Logf("%-22s %9d keys %8.1f MB allocated, %3.0f%% in use", name, st.KeyN, float64(alloc)/1e6,
				100*float64(st.LeafInuse+st.BranchInuse)/float64(alloc))
			return nil
		})
	})
}
