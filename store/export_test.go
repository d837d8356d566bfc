package store

import (
	"bytes"
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store/exchange"
)

func TestExportReadsEveryoneAcrossChunks(t *testing.T) {
	s := newTestStore(t)
	n := chunkSize + 37
	if _, err := s.FillDemo(DemoOptions{Customers: n, Interactions: chunkSize + 11, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	interactions := 0
	for after := model.ID(0); ; {
		page, more, err := s.CustomersPage(after, chunkSize)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			interactions += c.Stats.Interactions
		}
		if !more {
			break
		}
		after = page[len(page)-1].ID
	}
	var b bytes.Buffer
	res, err := s.Export(&b, ExportOptions{Format: ExportCustomersCSV})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if res.Customers != n || len(rows) != n+1 || res.Changed {
		t.Fatalf("customers CSV: %+v, %d rows", res, len(rows))
	}
	b.Reset()
	res, err = s.Export(&b, ExportOptions{Format: ExportInteractionsCSV})
	if err != nil {
		t.Fatal(err)
	}
	rows, _ = csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\uFEFF"))).ReadAll()
	if res.Interactions != interactions || len(rows) != interactions+1 {
		t.Fatalf("interactions CSV: %+v, %d rows, want %d", res, len(rows), interactions)
	}
	// Oldest first.
	for i := 2; i < len(rows); i++ {
		if rows[i][1] < rows[i-1][1] && len(rows[i][1]) == len(rows[i-1][1]) {
			t.Fatalf("row %d (%s) is before row %d (%s)", i, rows[i][1], i-1, rows[i-1][1])
		}
	}
	b.Reset()
	res, err = s.Export(&b, ExportOptions{Format: ExportVCard, VCardVersion: "3.0"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Customers != n || strings.Count(b.String(), "BEGIN:VCARD\r\n") != n || !strings.Contains(b.String(), "VERSION:3.0\r\n") {
		t.Fatalf("vCard: %+v", res)
	}
	b.Reset()
	res, err = s.Export(&b, ExportOptions{Format: ExportJSON})
	if err != nil {
		t.Fatal(err)
	}
	f, err := exchange.Read(b.Bytes(), exchange.Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	for _, r := range f.Records {
		got += len(r.Interactions)
	}
	if res.Customers != n || len(f.Records) != n || got != interactions || len(f.Errors) != 0 {
		t.Fatalf("JSON: %+v, %d records, %d interactions, errors %v", res, len(f.Records), got, f.Errors)
	}
}

// hook is a writer that does something the first time it is written to.
type hook struct {
	bytes.Buffer
	once func()
}

func (h *hook) Write(p []byte) (int, error) {
	if h.once != nil {
		h.once()
		h.once = nil
	}
	return h.Buffer.Write(p)
}

func (h *hook) WriteString(s string) (int, error) { return h.Write([]byte(s)) }

func TestExportSaysWhenAnotherWindowSavedMeanwhile(t *testing.T) {
	s := newTestStore(t)
	s.AddCustomer(model.Customer{Name: "Ana Lima"})
	other := openTestStore(t, s.Path(), "w2")
	w := &hook{once: func() {
		if _, err := other.AddCustomer(model.Customer{Name: "Rui Costa"}); err != nil {
			t.Error(err)
		}
	}}
	res, err := s.Export(w, ExportOptions{Format: ExportJSON})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed {
		t.Fatal("a save during the export went unnoticed")
	}
	res, err = s.Export(&bytes.Buffer{}, ExportOptions{Format: ExportJSON})
	if err != nil || res.Changed {
		t.Fatalf("a quiet export: %+v %v", res, err)
	}
}

func TestExportRefusesWhatItDoesNotKnow(t *testing.T) {
	s := newTestStore(t)
	if _, err := s.Export(&bytes.Buffer{}, ExportOptions{Format: "xlsx"}); err == nil || !strings.Contains(err.Error(), "use csv, vcard or json") {
		t.Errorf("unknown format: %v", err)
	}
	if _, err := s.Export(&bytes.Buffer{}, ExportOptions{Format: ExportVCard, VCardVersion: "2.1"}); err == nil {
		t.Error("vCard 2.1 export was accepted")
	}
}

func TestVCardExportImportsIntoAnotherFileAsTheSameCustomers(t *testing.T) {
	s := newTestStore(t)
	want := []model.Customer{
		{Name: "Ana Lima", Phone: "+351 912 000 111", Email: "ana@example.pt", Address: "Rua das Flores 12\n1200-195 Lisboa",
			Birthday: model.Birthday{Month: 4, Day: 15}, Tags: []string{"vip", "wedding"}, Notes: "white roses; never red",
			Preferences: "size M", Channel: "phone", Source: "walked by", Since: time.Date(2024, 3, 2, 12, 0, 0, 0, time.UTC)},
		{Name: "Rui Costa", Status: model.StatusLost, LostReason: "price", NoContact: true},
	}
	for _, c := range want {
		if _, err := s.AddCustomer(c); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if _, err := s.Export(&b, ExportOptions{Format: ExportVCard}); err != nil {
		t.Fatal(err)
	}
	f, err := exchange.Read(b.Bytes(), exchange.Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	other := openTestStore(t, filepath.Join(t.TempDir(), "other.db"), "w1")
	if _, err := other.Import(f, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	got, _ := other.AllCustomers(nil)
	if len(got) != len(want) {
		t.Fatalf("%d customers", len(got))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Name != w.Name || g.Phone != w.Phone || g.Email != w.Email || g.Address != w.Address || g.Birthday != w.Birthday ||
			strings.Join(g.Tags, ",") != strings.Join(w.Tags, ",") || g.Notes != w.Notes || g.Preferences != w.Preferences ||
			g.Channel != w.Channel || g.Source != w.Source || !g.Since.Equal(w.Since) || g.NoContact != w.NoContact ||
			g.LostReason != w.LostReason || (g.Status != w.Status && w.Status != "") {
			t.Errorf("customer %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}
