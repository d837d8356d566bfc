package store

import (
	"testing"
	"time"

	"github.com/patron-crm/patron/model"
)

// Fuzz targets for the decoding of stored values: a record in the file may
// come from a newer Patron, a damaged page that still passed its checksum,
// or a hand-edited copy. Reading one must give the record or ErrDamaged,
// never a panic, and what the rules and the list then do with a decoded
// record must not panic either. Run one with
//
//	go test ./store -run '^$' -fuzz '^FuzzDecodeCustomer$' -fuzztime 30s

var fuzzNow = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

// storedSeeds are records as Patron writes them, so the fuzzer starts from
// the real shape of the file.
func storedSeeds(f *testing.F, values ...any) {
	for _, v := range values {
		b, err := encode(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		// and as files from before schema 5 hold them
		if b, err = encodeJSON(v); err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Add([]byte{valueVersion})
	f.Add([]byte{0, '{', '}'})
	f.Add([]byte{valueVersion, '{', '}'})
	f.Add([]byte{valueVersion + 1, '{', '"', 'x', '"', ':', '1', '}'})
	f.Add([]byte("\x01null"))
	f.Add([]byte("\x01[1,2]"))
}

func FuzzDecodeCustomer(f *testing.F) {
	lisbon, _ := time.LoadLocation("Europe/Lisbon")
	full := model.Customer{ID: 7, Name: "Ana Lima", Phone: "+351 912 345 678", Email: "ana@example.com",
		Birthday: model.Birthday{Year: 1988, Month: 2, Day: 29}, Tags: []string{"vip"}, Since: fuzzNow.AddDate(-2, 0, 0),
		Status: model.StatusLost, LostReason: "price", Partner: true,
		Stats: model.Stats{Interactions: 3, Visits: 2, Purchases: 2, Spend: 4990, Points: 49,
			FirstVisit: fuzzNow.AddDate(0, -14, 0), LastVisit: fuzzNow.AddDate(0, 0, -3), LastPurchase: fuzzNow.AddDate(0, 0, -3),
			LastContact: fuzzNow.AddDate(0, 0, -1), OpenComplaints: 1, MedianGapDays: 30, Purchases6m: 2,
			Months:           []model.MonthStats{{Month: 202510, Visits: 1, Purchases: 1, Spend: 2490}, {Month: 202611, Visits: 1, Purchases: 1, Spend: 2500, Referrals: 1, FiveStars: 1}},
			LastPurchaseNote: "roses", LastPurchaseAmount: 2500,
		}}
	storedSeeds(f, full, model.Customer{Name: "B"}, model.Customer{ID: 1, Name: "C", Stats: model.Stats{Months: []model.MonthStats{{Month: -1}, {Month: 999999}}}})
	f.Add([]byte(`{"name":"x","stats":{"months":[{"m":0},{"m":202613}],"days":[{},{}],"median_gap_days":-5}}`))
	f.Add([]byte("\x01" + `{"name":"x","birthday":{"month":13,"day":40},"stats":{"last_visit":"0001-01-01T00:00:00Z","points":-9223372036854775808}}`))

	st := model.DefaultSettings()
	rules := model.NewRules(st)
	f.Fuzz(func(t *testing.T, b []byte) {
		var c model.Customer
		if err := decode(b, &c); err != nil {
			return // refused as damaged: fine
		}
		// What the list, the detail, the ladder and the rules read from a
		// customer record as the file hands it over.
		for _, loc := range []*time.Location{time.UTC, lisbon} {
			model.RungOf(c, st.Loyalty, fuzzNow, loc)
			model.ProgressOf(c, st.Loyalty, fuzzNow, loc)
			model.StandingOf(c, st.Loyalty, fuzzNow, loc)
			model.Slipping(c, st.Loyalty, fuzzNow, loc, 30)
			model.LastTierUp(c, st.Loyalty, fuzzNow, loc)
			model.CustomerFor(c, fuzzNow, loc)
		}
		rules.Generate(c, fuzzNow)
		model.RewardsReady([]model.Customer{c}, st.Loyalty)
		_ = model.ValidateCustomer(c)
		_ = c.Birthday.String()
		_ = c.FirstName()
	})
}

// FuzzDecodeInteraction checks both readers of an interaction record: the
// general decoder and the fast scanner Insights uses. Whenever both accept a
// record they must read the same figures from it, or Insights would count
// what every other view sees differently. (The scanner is laxer than the
// decoder on records Patron never writes: it skips a field such as note
// whatever its type, and sniffKind stops at the first of two "kind" keys
// where the decoder keeps the last; the seeds below hold both cases.)
func FuzzDecodeInteraction(f *testing.F) {
	at := fuzzNow.Add(-time.Hour)
	storedSeeds(f,
		model.Interaction{ID: 3, Customer: 7, At: at, Kind: model.KindPurchase, Amount: 2490, Note: "roses", Channel: "in person"},
		model.Interaction{ID: 4, Customer: 7, At: at, Kind: model.KindComplaint, Category: "service", Resolved: true, ResolvedAt: fuzzNow},
		model.Interaction{ID: 5, Customer: 7, At: at, Kind: model.KindFeedback, Score: 5},
		model.Interaction{ID: 6, Customer: 7, At: at, Kind: model.KindReferral, Referred: 9},
		model.Interaction{ID: 8, Customer: 7, At: at, Kind: model.KindReturn, Amount: -500},
	)
	f.Add([]byte("\x01" + `{"kind":"purchase","amount":-9223372036854775808,"score":99999999999}`))
	f.Add([]byte("\x01" + `{"kind":"complaint","category":"a\"b","resolved":true,"resolved_at":"2026-11-25T15:00:00Z"}`))
	f.Add([]byte("\x01" + `{"kind":"visit","note":5}`))
	f.Add([]byte("\x01" + `{"kind":"visit","kind":"purchase","amount":1}`))
	f.Add([]byte("\x01" + `{"Kind":"visit"}`))
	f.Add([]byte("\x01 { \"kind\" : \"visit\" } "))

	f.Fuzz(func(t *testing.T, b []byte) {
		var in model.Interaction
		decoded := decode(b, &in) == nil
		var scanned model.Interaction
		if scanRecord(b, &scanned, func(model.Kind) bool { return false }) && decoded {
			if scanned.Kind != in.Kind || scanned.Amount != in.Amount || scanned.Score != in.Score ||
				scanned.Category != in.Category || scanned.Resolved != in.Resolved || !scanned.ResolvedAt.Equal(in.ResolvedAt) {
				t.Fatalf("from %q the scanner read %+v but the decoder %+v", b, scanned, in)
			}
		}
		sniffKind(b)
		if !decoded {
			return
		}
		// What the aggregates and the ladder's history do with it.
		model.ComputeStats([]model.Interaction{in}, time.UTC)
		model.RungHistory([]model.Interaction{in}, model.DefaultLoyalty(), fuzzNow, time.UTC)
		_ = model.ValidateInteraction(in, fuzzNow)
	})
}
