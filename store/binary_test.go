package store

import (
	"encoding/binary"
	"errors"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"pgregory.net/rapid"

	"github.com/patron-crm/patron/model"
)

func drawTime(t *rapid.T, label string) time.Time {
	if rapid.Bool().Draw(t, label+" set") {
		return time.Time{}
	}
	sec := rapid.Int64Range(-1e10, 1e10).Draw(t, label)
	ns := int64(0)
	if rapid.Bool().Draw(t, label+" has ns") {
		ns = rapid.Int64Range(0, 1e9-1).Draw(t, label+" ns")
	}
	return time.Unix(sec, ns).UTC() // the store writes every time in UTC
}

func drawInteraction(t *rapid.T) model.Interaction {
	return model.Interaction{
		ID: model.ID(rapid.Uint64().Draw(t, "id")), Customer: model.ID(rapid.Uint64().Draw(t, "customer")),
		At: drawTime(t, "at"), Kind: model.Kind(rapid.OneOf(rapid.SampledFrom(kindNames()), rapid.String()).Draw(t, "kind")),
		Channel: rapid.String().Draw(t, "channel"), Note: rapid.String().Draw(t, "note"),
		Amount: model.Money(rapid.Int64().Draw(t, "amount")), Score: rapid.Int().Draw(t, "score"),
		Category: rapid.String().Draw(t, "category"), Resolved: rapid.Bool().Draw(t, "resolved"),
		ResolvedAt: drawTime(t, "resolved at"), Resolution: rapid.String().Draw(t, "resolution"),
		Referred: model.ID(rapid.Uint64().Draw(t, "referred")), Points: rapid.Int64().Draw(t, "points"),
		Reward: rapid.String().Draw(t, "reward"),
	}
}

func kindNames() []string {
	var out []string
	for _, k := range model.Kinds {
		out = append(out, string(k))
	}
	return out
}

func drawCustomer(t *rapid.T) model.Customer {
	c := model.Customer{
		ID: model.ID(rapid.Uint64().Draw(t, "id")), Name: rapid.String().Draw(t, "name"),
		Phone: rapid.String().Draw(t, "phone"), Email: rapid.String().Draw(t, "email"), Address: rapid.String().Draw(t, "address"),
		Birthday: model.Birthday{Year: rapid.IntRange(-3000, 3000).Draw(t, "year"), Month: rapid.IntRange(-1, 13).Draw(t, "month"), Day: rapid.IntRange(-1, 40).Draw(t, "day")},
		Since:    drawTime(t, "since"), Tags: rapid.SliceOfN(rapid.String(), 0, 4).Draw(t, "tags"),
		Preferences: rapid.String().Draw(t, "preferences"), Channel: rapid.String().Draw(t, "channel"), Source: rapid.String().Draw(t, "source"),
		ReferredBy: model.ID(rapid.Uint64().Draw(t, "referred by")), Notes: rapid.String().Draw(t, "notes"),
		NoContact: rapid.Bool().Draw(t, "no contact"), Status: model.Status(rapid.String().Draw(t, "status")),
		LostReason: rapid.String().Draw(t, "lost reason"), LostNote: rapid.String().Draw(t, "lost note"), LostAt: drawTime(t, "lost at"),
		Partner: rapid.Bool().Draw(t, "partner"), Created: drawTime(t, "created"), Updated: drawTime(t, "updated"),
	}
	if len(c.Tags) == 0 {
		c.Tags = nil // JSON leaves an empty list out, so it reads back as none
	}
	s := &c.Stats
	s.Interactions, s.Visits, s.Purchases = rapid.Int().Draw(t, "n"), rapid.Int().Draw(t, "visits"), rapid.Int().Draw(t, "purchases")
	s.Spend, s.Points = model.Money(rapid.Int64().Draw(t, "spend")), rapid.Int64().Draw(t, "points")
	s.FirstVisit, s.LastVisit = drawTime(t, "first visit"), drawTime(t, "last visit")
	s.FirstPurchase, s.LastPurchase, s.LastContact = drawTime(t, "first purchase"), drawTime(t, "last purchase"), drawTime(t, "last contact")
	s.OpenComplaints = rapid.Int().Draw(t, "open complaints")
	for i := range rapid.IntRange(0, 14).Draw(t, "months") {
		s.Months = append(s.Months, model.MonthStats{Month: rapid.Int().Draw(t, "m"), Visits: rapid.Int().Draw(t, "mv"),
			Purchases: rapid.Int().Draw(t, "mp"), Spend: model.Money(rapid.Int64().Draw(t, "ms")),
			Referrals: rapid.Int().Draw(t, "mr"), FiveStars: rapid.IntRange(0, i+1).Draw(t, "mf")})
	}
	for range rapid.IntRange(0, 40).Draw(t, "days") {
		s.Days = append(s.Days, model.DayStats{Day: rapid.Int32().Draw(t, "d"), Purchases: rapid.Int32().Draw(t, "dp"),
			Spend: model.Money(rapid.Int64().Draw(t, "ds")), Referrals: rapid.Int16().Draw(t, "dr"),
			FiveStars: rapid.Int16().Draw(t, "df"), Visit: rapid.Bool().Draw(t, "dv")})
	}
	s.LastPurchaseNote, s.LastPurchaseAmount = rapid.String().Draw(t, "note"), model.Money(rapid.Int64().Draw(t, "amount"))
	for range rapid.IntRange(0, 5).Draw(t, "recent") {
		s.RecentPurchases = append(s.RecentPurchases, model.PurchaseFact{At: drawTime(t, "rt"), Amount: model.Money(rapid.Int64().Draw(t, "ra")), Note: rapid.String().Draw(t, "rn")})
	}
	for range rapid.IntRange(0, 3).Draw(t, "complaints") {
		s.OpenComplaintList = append(s.OpenComplaintList, model.ComplaintFact{ID: model.ID(rapid.Uint64().Draw(t, "cid")), At: drawTime(t, "ct"), Category: rapid.String().Draw(t, "cc")})
	}
	s.MedianGapDays, s.Purchases6m = rapid.Int().Draw(t, "gap"), rapid.Int().Draw(t, "6m")
	return c
}

// The compact form reads back exactly what the JSON form does, for any
// record, so a file may hold both and nothing reads differently.
func TestTheCompactFormReadsBackAsJSONDoes(t *testing.T) {
	t.Run("customer", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) {
			c := drawCustomer(t)
			compareForms(t, c, new(model.Customer), new(model.Customer))
		})
	})
	t.Run("interaction", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) {
			in := drawInteraction(t)
			compareForms(t, in, new(model.Interaction), new(model.Interaction))
		})
	})
}

func compareForms(t *rapid.T, v, viaJSON, viaBinary any) {
	j, err := encodeJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	b, err := encode(v)
	if err != nil {
		t.Fatal(err)
	}
	if b[0] != valueBinary {
		t.Fatalf("%T was not written compactly", v)
	}
	if err := decode(j, viaJSON); err != nil {
		t.Fatal(err)
	}
	if err := decode(b, viaBinary); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(viaJSON, viaBinary) {
		t.Fatalf("JSON read %+v\ncompact read %+v", viaJSON, viaBinary)
	}
	// A field from a newer Patron, of either wire type, is passed over.
	newer := append(append([]byte{}, b...), 0xF8, 0x7F, 0x05) // tag 2047, a varint
	newer = binary.AppendUvarint(newer, 2047<<3|wireBytes)
	newer = append(newer, 3, 'n', 'e', 'w')
	again := reflect.New(reflect.TypeOf(viaBinary).Elem()).Interface()
	if err := decode(newer, again); err != nil {
		t.Fatalf("a record with a newer field: %v", err)
	}
	if !reflect.DeepEqual(again, viaBinary) {
		t.Fatalf("a newer field changed what was read: %+v", again)
	}
	// Cut short anywhere, it reads as something or says it is damaged.
	cut := rapid.IntRange(0, len(b)-1).Draw(t, "cut")
	if err := decode(b[:cut], reflect.New(reflect.TypeOf(viaBinary).Elem()).Interface()); err != nil && !errors.Is(err, ErrDamaged) {
		t.Fatalf("a record cut at %d: %v", cut, err)
	}
}

func TestACustomerRecordIsAFractionOfItsJSON(t *testing.T) {
	c := model.Customer{ID: 4211, Name: "Amir Wiśniewski", Phone: "802-555-1589", Address: "130 Chestnut Street, Burlington, VT 05401",
		Since: testNow.AddDate(-3, 0, 0), Tags: []string{"corporate", "vip"}, Status: model.StatusActive, Created: testNow, Updated: testNow}
	var list []model.Interaction
	for i := range 110 {
		in := model.Interaction{ID: model.ID(i + 1), Customer: c.ID, At: testNow.AddDate(0, 0, -9*i), Kind: model.KindPurchase, Amount: model.Money(1000 + 37*i), Points: int64(10 + i%7)}
		if i%3 == 0 {
			in.Kind, in.Amount, in.Points = model.KindVisit, 0, 0
		}
		list = append(list, in)
	}
	c.Stats = model.ComputeStats(list, time.UTC)
	j, _ := encodeJSON(c)
	b, _ := encode(c)
	if len(b)*10 > len(j)*4 {
		t.Errorf("the compact record is %d bytes against %d in JSON; want at most 40 %%", len(b), len(j))
	}
	in := list[1]
	in.Note, in.Channel = "yarn for a sweater", "in person"
	j, _ = encodeJSON(in)
	b, _ = encode(in)
	if len(b)*2 > len(j) {
		t.Errorf("the compact interaction is %d bytes against %d in JSON; want at most half", len(b), len(j))
	}
}

// A reader wanting a few fields of a compact record gets them.
func TestAPartialReadOfACompactRecord(t *testing.T) {
	b, _ := encode(&model.Customer{ID: 3, Name: "Ana \"Lima\"", Stats: model.Stats{Points: 40}})
	var part struct {
		Name  string `json:"name"`
		Stats struct {
			Points int64 `json:"points"`
		} `json:"stats"`
	}
	if err := decode(b, &part); err != nil || part.Name != `Ana "Lima"` || part.Stats.Points != 40 {
		t.Fatalf("read %+v, %v", part, err)
	}
	var in model.Interaction
	if err := decode(b, &in); !errors.Is(err, ErrDamaged) {
		t.Fatalf("a customer read as an interaction: %v", err)
	}
	if name, err := nameOfRecord(b); err != nil || name != `Ana "Lima"` {
		t.Fatalf("nameOfRecord = %q, %v", name, err)
	}
	if customerName(b) != `Ana "Lima"` {
		t.Fatal("customerName did not read the compact record")
	}
	if _, err := nameOfRecord(b[:6]); !errors.Is(err, ErrDamaged) {
		t.Fatalf("a record cut in its name: %v", err)
	}
}

// Compacting a file from before schema 5 rewrites its customers and
// interactions compactly, and everything reads as before.
func TestCompactRewritesOldRecordsCompactly(t *testing.T) {
	s := newTestStore(t)
	c, err := s.AddCustomer(model.Customer{Name: "Old Record", Email: "old@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		if _, err := s.AddInteraction(model.Interaction{Customer: c.ID, Kind: model.KindPurchase, Amount: model.Money(100 * (i + 1)), At: testNow.AddDate(0, 0, -i-1), Note: "tea"}); err != nil {
			t.Fatal(err)
		}
	}
	wantC, err := s.Customer(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantT, err := s.Interactions(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Write them back as JSON, as a file of schema 4 holds them.
	db, err := bolt.Open(s.Path(), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bCustomers, bInteractions} {
			b := tx.Bucket(name)
			type kv struct{ k, v []byte }
			var all []kv
			b.ForEach(func(k, v []byte) error {
				var x any = new(model.Customer)
				if string(name) == string(bInteractions) {
					x = new(model.Interaction)
				}
				if err := decode(v, x); err != nil {
					return err
				}
				j, err := encodeJSON(x)
				all = append(all, kv{append([]byte{}, k...), j})
				return err
			})
			for _, e := range all {
				if err := b.Put(e.k, e.v); err != nil {
					return err
				}
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Compact(); err != nil {
		t.Fatal(err)
	}
	raw := rawFile(t, s.Path())
	for _, name := range []string{string(bCustomers), string(bInteractions)} {
		for k, v := range raw[name] {
			if v[0] != valueBinary {
				t.Fatalf("%s/%x is still JSON after compacting", name, k)
			}
		}
	}
	gotC, err := s.Customer(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	gotT, err := s.Interactions(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotC, wantC) || !reflect.DeepEqual(gotT, wantT) {
		t.Fatalf("compacting changed what reads back:\n%+v\n%+v", gotC, wantC)
	}
	if _, err := s.AddInteraction(model.Interaction{Customer: c.ID, Kind: model.KindVisit, At: testNow}); err != nil {
		t.Fatalf("after compacting, a save: %v", err)
	}
}

// Compacting says how far it has got, from nothing to every record.
func TestCompactReportsProgress(t *testing.T) {
	s := newTestStore(t)
	if _, err := s.FillDemo(DemoOptions{Seed: 3, Customers: 300, Interactions: 6000}); err != nil {
		t.Fatal(err)
	}
	var calls [][2]int
	if _, err := s.CompactWith(func(done, total int) { calls = append(calls, [2]int{done, total}) }); err != nil {
		t.Fatal(err)
	}
	if len(calls) < 3 {
		t.Fatalf("progress was told %d times: %v", len(calls), calls)
	}
	first, last := calls[0], calls[len(calls)-1]
	if first[0] != 0 || last[0] != last[1] || last[1] < 6300 {
		t.Fatalf("progress went from %v to %v; want from nothing to every record", first, last)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] || calls[i][1] != first[1] || calls[i][0] > calls[i][1] {
			t.Fatalf("progress went back or past its total: %v", calls)
		}
	}
}
