package exchange

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/patron-crm/patron/model"
)

// Generators of valid, already-clean customers, as the store keeps them.

var wordRunes = []rune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789áçéñøüßÆŁ日本語-'.&/()!?#\"\\;:,")

func word(t *rapid.T, label string) string {
	return rapid.StringOfN(rapid.SampledFrom(wordRunes), 1, 12, -1).Draw(t, label)
}

func words(t *rapid.T, label string, max int) string {
	n := rapid.IntRange(1, max).Draw(t, label+" words")
	w := make([]string, n)
	for i := range w {
		w[i] = word(t, label)
	}
	return strings.Join(w, " ")
}

func lines(t *rapid.T, label string, max int) string {
	n := rapid.IntRange(1, max).Draw(t, label+" lines")
	l := make([]string, n)
	for i := range l {
		l[i] = words(t, label, 6)
	}
	return strings.Join(l, "\n")
}

func maybe(t *rapid.T, label string, gen func() string) string {
	if rapid.Bool().Draw(t, label+"?") {
		return gen()
	}
	return ""
}

func genCustomer(t *rapid.T, id model.ID) model.Customer {
	c := model.Customer{ID: id, Name: words(t, "name", 4)}
	c.Phone = maybe(t, "phone", func() string {
		return rapid.SampledFrom([]string{"+", ""}).Draw(t, "plus") + rapid.StringMatching(`[1-9][0-9]{2}( [0-9]{3}){1,3}`).Draw(t, "digits")
	})
	c.Email = maybe(t, "email", func() string {
		return rapid.StringMatching(`[a-z][a-z0-9]{0,10}(\.[a-z0-9]{1,5})?@[a-z]{1,8}\.(com|pt|co\.uk)`).Draw(t, "email")
	})
	c.Address = maybe(t, "address", func() string { return lines(t, "address", 4) })
	if rapid.Bool().Draw(t, "birthday?") {
		m := rapid.IntRange(1, 12).Draw(t, "month")
		d := rapid.IntRange(1, time.Date(2000, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()).Draw(t, "day")
		y := rapid.SampledFrom([]int{0, 1950, 1988, 2004}).Draw(t, "year")
		if y == 1950 && m == 2 && d == 29 {
			d = 28
		}
		c.Birthday = model.Birthday{Year: y, Month: m, Day: d}
	}
	if rapid.Bool().Draw(t, "since?") {
		c.Since = time.Unix(rapid.Int64Range(0, 2e9).Draw(t, "since"), 0).UTC()
	}
	for i, n := 0, rapid.IntRange(0, 4).Draw(t, "tags"); i < n; i++ {
		c.Tags = append(c.Tags, words(t, "tag", 2))
	}
	c.Preferences = maybe(t, "preferences", func() string { return lines(t, "preferences", 3) })
	c.Channel = maybe(t, "channel", func() string { return words(t, "channel", 2) })
	c.Source = maybe(t, "source", func() string { return words(t, "source", 3) })
	c.Notes = maybe(t, "notes", func() string { return lines(t, "notes", 5) })
	if rapid.Bool().Draw(t, "note phone?") {
		// Lines an import keeps for a second phone must survive too.
		c.Notes = strings.TrimSpace(c.Notes + "\nPhone (work): +1 555 0102\nEmail: other@example.com")
	}
	c.NoContact = rapid.Bool().Draw(t, "no contact")
	c.Partner = rapid.Bool().Draw(t, "partner")
	c.Status = rapid.SampledFrom([]model.Status{model.StatusActive, model.StatusArchived, model.StatusLost}).Draw(t, "status")
	if c.Status == model.StatusLost {
		c.LostReason = rapid.SampledFrom(model.DefectionReasons).Draw(t, "reason")
		c.LostNote = maybe(t, "lost note", func() string { return words(t, "lost note", 5) })
		c.LostAt = time.Unix(rapid.Int64Range(0, 2e9).Draw(t, "lost at"), 0).UTC()
	}
	c = model.CleanCustomer(c)
	if err := model.ValidateCustomer(c); err != nil {
		t.Fatalf("generator made an invalid customer: %v", err)
	}
	return c
}

// ownerFields is what a vCard can carry back: everything the owner typed,
// without the id, the links to other customers and the derived figures.
func ownerFields(c model.Customer) model.Customer {
	c.ID, c.ReferredBy, c.Created, c.Updated, c.Stats = 0, 0, time.Time{}, time.Time{}, model.Stats{}
	if c.Status == model.StatusActive {
		c.Status = ""
	}
	return c
}

func sameCustomer(a, b model.Customer) string {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		return fmt.Sprintf("\nwant %s\n got %s", ja, jb)
	}
	return ""
}

func TestCustomersSurviveVCardAndBack(t *testing.T) {
	for _, version := range []string{"4.0", "3.0"} {
		t.Run(version, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				n := rapid.IntRange(1, 5).Draw(t, "customers")
				var in []model.Customer
				for i := 0; i < n; i++ {
					in = append(in, genCustomer(t, model.ID(i+1)))
				}
				var buf bytes.Buffer
				if err := WriteVCards(&buf, version, in); err != nil {
					t.Fatal(err)
				}
				for _, l := range strings.Split(strings.TrimSuffix(buf.String(), "\r\n"), "\r\n") {
					if len(l) > 75 {
						t.Fatalf("line of %d octets: %q", len(l), l)
					}
				}
				f, err := Read(buf.Bytes(), testOptions())
				if err != nil {
					t.Fatal(err)
				}
				if len(f.Errors) > 0 || len(f.Warnings) > 0 || len(f.Records) != n {
					t.Fatalf("%s\n%s", buf.String(), dump(f))
				}
				for i, r := range f.Records {
					if d := sameCustomer(ownerFields(in[i]), ownerFields(r.Customer)); d != "" {
						t.Fatalf("customer %d changed through vCard %s:%s\n%s", i, version, d, buf.String())
					}
				}
			})
		})
	}
}

func TestVCardExportIsWhatOtherAddressBooksRead(t *testing.T) {
	c := model.Customer{Name: "Ana Lima", Phone: "+351 912 000 111", Email: "ana@example.pt",
		Address: "Rua das Flores 12\n1200-195 Lisboa", Birthday: model.Birthday{Month: 4, Day: 15},
		Tags: []string{"vip", "wed;ding"}, Notes: "Likes white roses, not red\nPhone (work): +351 210 000 111\nPhone (Shop): 555 0303"}
	want4 := "BEGIN:VCARD\r\nVERSION:4.0\r\nPRODID:-//Patron//Patron customer book//EN\r\nFN:Ana Lima\r\nN:Lima;Ana;;;\r\n" +
		"TEL;PREF=1:+351 912 000 111\r\nEMAIL;PREF=1:ana@example.pt\r\n" +
		"TEL;X-PATRON-FROM=notes;TYPE=work:+351 210 000 111\r\nitem1.TEL;X-PATRON-FROM=notes:555 0303\r\nitem1.X-ABLabel:Shop\r\n" +
		"ADR:;;Rua das Flores 12\\n1200-195 Lisboa;;;;\r\nBDAY:--0415\r\nCATEGORIES:vip,wed\\;ding\r\n" +
		"NOTE:Likes white roses\\, not red\\nPhone (work): +351 210 000 111\\nPhone (Sh\r\n op): 555 0303\r\nEND:VCARD\r\n"
	var b bytes.Buffer
	if err := WriteVCards(&b, "4.0", []model.Customer{c}); err != nil {
		t.Fatal(err)
	}
	if b.String() != want4 {
		t.Errorf("vCard 4.0:\n%q\nwant\n%q", b.String(), want4)
	}
	b.Reset()
	c.Notes = ""
	if err := WriteVCards(&b, "3.0", []model.Customer{c}); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"VERSION:3.0\r\n", "TEL;TYPE=VOICE,PREF:+351 912 000 111\r\n", "EMAIL;TYPE=INTERNET,PREF:ana@example.pt\r\n",
		"BDAY;X-APPLE-OMIT-YEAR=1604:1604-04-15\r\n"} {
		if !strings.Contains(b.String(), line) {
			t.Errorf("vCard 3.0 lacks %q:\n%s", line, b.String())
		}
	}
	if _, err := NewVCardWriter(&b, "2.1"); err == nil {
		t.Error("vCard 2.1 export was accepted")
	}
}

func TestEverythingSurvivesJSONAndBack(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var e Everything
		e.Settings = []byte(`{"shop_name":"Lima \u0026 Daughters","currency":"EUR","time_zone":"Europe/Lisbon","ladder":[1,2,3]}`)
		n := rapid.IntRange(0, 4).Draw(t, "customers")
		nextI := model.ID(1)
		for i := 0; i < n; i++ {
			c := genCustomer(t, model.ID(3*i+1))
			c.Created = time.Unix(rapid.Int64Range(0, 2e9).Draw(t, "created"), 0).UTC()
			c.Updated = c.Created
			if i > 0 && rapid.Bool().Draw(t, "referred?") {
				c.ReferredBy = e.Customers[0].ID
			}
			e.Customers = append(e.Customers, c)
			for k, m := 0, rapid.IntRange(0, 3).Draw(t, "interactions"); k < m; k++ {
				in := model.Interaction{ID: nextI, Customer: c.ID, Kind: model.KindPurchase, Amount: model.Money(rapid.Int64Range(1, 1e6).Draw(t, "amount")),
					At: time.Unix(rapid.Int64Range(0, testNow.Unix()).Draw(t, "at"), 0).UTC(), Note: maybe(t, "note", func() string { return lines(t, "note", 2) })}
				in.Points = int64(in.Amount / 100)
				e.Interactions = append(e.Interactions, in)
				nextI++
			}
			if rapid.Bool().Draw(t, "reminder?") {
				e.Reminders = append(e.Reminders, []byte(fmt.Sprintf(`{"id":%d,"customer":%d,"due":"2026-12-01T09:00:00Z","kind":"follow-up","note":%q,"new_field":[1,{"a":null}]}`, len(e.Reminders)+1, c.ID, words(t, "reminder", 3))))
			}
		}
		for i, k := 0, rapid.IntRange(0, 3).Draw(t, "decisions"); i < k; i++ {
			e.Decisions = append(e.Decisions, Decision{Key: fmt.Sprintf("thank-you/%d/%d", i, i*7), Value: json.RawMessage(`{"state":"dismissed","at":"2026-11-01T10:00:00Z"}`)})
		}
		var first bytes.Buffer
		if err := WriteJSON(&first, e); err != nil {
			t.Fatal(err)
		}
		if !json.Valid(first.Bytes()) {
			t.Fatalf("not valid JSON:\n%s", first.String())
		}
		f, err := Read(first.Bytes(), testOptions())
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Errors) > 0 || len(f.Warnings) > 0 {
			t.Fatalf("%s", dump(f))
		}
		back := Everything{Settings: f.Settings, Decisions: f.Decisions}
		for _, r := range f.Records {
			back.Customers = append(back.Customers, r.Customer)
			back.Interactions = append(back.Interactions, r.Interactions...)
			for _, rem := range r.Reminders {
				back.Reminders = append(back.Reminders, rem.Raw)
			}
		}
		var second bytes.Buffer
		if err := WriteJSON(&second, back); err != nil {
			t.Fatal(err)
		}
		if first.String() != second.String() {
			t.Fatalf("export, read, export differ:\n%s\n---\n%s", first.String(), second.String())
		}
	})
}

func TestCSVCellsNeverRunAsFormulas(t *testing.T) {
	cases := map[string]string{
		"=1+1": "'=1+1", "+1 555 0101": "'+1 555 0101", "-x": "'-x", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx",
		"-50": "-50", "-12.50": "-12.50", "12": "12", "Ana": "Ana", "": "", "a=b": "a=b",
	}
	for in, want := range cases {
		if got := Neutralise(in); got != want {
			t.Errorf("Neutralise(%q) = %q, want %q", in, got, want)
		}
	}
	c := model.Customer{ID: 7, Name: "=HYPERLINK(\"http://evil.example\")", Phone: "+1 555 0101", Notes: "@risk\nsecond line",
		Tags: []string{"-vip", "ok"}, Stats: model.Stats{Points: 12, Spend: -1250}}
	var b bytes.Buffer
	w, err := NewCustomerCSV(&b, model.Currency{Code: "USD", Digits: 2}, time.UTC, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Customer(c); err != nil || w.Flush() != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("\uFEFFID,Name,")) || !strings.Contains(b.String(), "\r\n") {
		t.Fatalf("no BOM or CRLF: %q", b.String())
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, cell := range rows[1] {
		if cell != "" && strings.IndexByte("=+-@\t\r", cell[0]) >= 0 && !plainNumber.MatchString(cell) {
			t.Errorf("cell %q would run as a formula", cell)
		}
	}
	// Reading Patron's own CSV back takes the quotes off again.
	f, err := Read(b.Bytes(), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	got := f.Records[0].Customer
	if f.Format != FormatPatronCSV || got.Name != c.Name || got.Phone != c.Phone || got.Notes != c.Notes || strings.Join(got.Tags, ",") != "-vip,ok" {
		t.Fatalf("%s", dump(f))
	}
}

func TestPatronCSVComesBackAsTheSameCustomers(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genCustomer(t, 1)
		// The CSV holds days, not times, for these.
		if !c.Since.IsZero() {
			c.Since = time.Date(c.Since.Year(), c.Since.Month(), c.Since.Day(), 12, 0, 0, 0, time.UTC)
		}
		if !c.LostAt.IsZero() {
			c.LostAt = time.Date(c.LostAt.Year(), c.LostAt.Month(), c.LostAt.Day(), 12, 0, 0, 0, time.UTC)
		}
		var b bytes.Buffer
		w, _ := NewCustomerCSV(&b, model.Currency{Code: "EUR", Digits: 2}, time.UTC, nil)
		if err := w.Customer(c); err != nil || w.Flush() != nil {
			t.Fatal(err)
		}
		f, err := Read(b.Bytes(), testOptions())
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Records) != 1 || len(f.Errors) > 0 || len(f.Warnings) > 0 {
			t.Fatalf("%s\n%s", b.String(), dump(f))
		}
		if d := sameCustomer(ownerFields(c), ownerFields(f.Records[0].Customer)); d != "" {
			t.Fatalf("through Patron CSV:%s\n%s", d, b.String())
		}
	})
}

func TestInteractionCSVSaysWhoAndWhat(t *testing.T) {
	var b bytes.Buffer
	names := map[model.ID]string{1: "Ana Lima", 2: "Rui Costa"}
	w, err := NewInteractionCSV(&b, model.Currency{Code: "EUR", Digits: 2}, time.UTC, func(id model.ID) string { return names[id] })
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 10, 1, 10, 30, 0, 0, time.UTC)
	w.Interaction(model.Interaction{ID: 3, Customer: 1, At: at, Kind: model.KindPurchase, Amount: 2490, Points: 24, Note: "scarf"})
	w.Interaction(model.Interaction{ID: 4, Customer: 1, At: at, Kind: model.KindReferral, Referred: 2})
	w.Interaction(model.Interaction{ID: 5, Customer: 2, At: at, Kind: model.KindRedeemed, Points: -50, Reward: "=free coffee"})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "\uFEFFID,When,Customer ID,Customer,Kind,Channel,Amount,Score,Category,Resolved,Resolved At,Resolution,Referred Customer ID,Referred Customer,Points,Reward,Note\r\n" +
		"3,2026-10-01T10:30:00Z,1,Ana Lima,purchase,,24.90,,,,,,,,24,,scarf\r\n" +
		"4,2026-10-01T10:30:00Z,1,Ana Lima,referral,,,,,,,,2,Rui Costa,,,\r\n" +
		"5,2026-10-01T10:30:00Z,2,Rui Costa,reward redeemed,,,,,,,,,,-50,'=free coffee,\r\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
	if _, err := Read(b.Bytes(), testOptions()); err == nil || !strings.Contains(err.Error(), "interaction log") {
		t.Errorf("importing the interaction log: %v", err)
	}
}
