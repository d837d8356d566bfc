package exchange

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/patron-crm/patron/model"
)

// seed adds every fixture whose name ends in one of exts.
func seed(f *testing.F, exts ...string) {
	f.Helper()
	entries, err := os.ReadDir("testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		for _, ext := range exts {
			if strings.HasSuffix(e.Name(), ext) {
				b, err := os.ReadFile(filepath.Join("testdata", e.Name()))
				if err != nil {
					f.Fatal(err)
				}
				f.Add(b)
			}
		}
	}
}

// checkDecoded is what must hold for any input: no panic (the fuzzer
// catches those), and when the file is accepted, every customer is one
// the store would take and every problem names a line of the file.
func checkDecoded(t *testing.T, data []byte) *File {
	f, err := Read(data, testOptions())
	if err != nil {
		if err.Error() == "" || !strings.HasPrefix(err.Error(), "the file ") {
			t.Fatalf("a file-level error is not a sentence about the file: %q", err)
		}
		return nil
	}
	for _, r := range f.Records {
		if err := model.ValidateCustomer(r.Customer); err != nil {
			t.Fatalf("line %d: accepted a customer the store refuses: %v", r.Line, err)
		}
		if r.Line < 1 {
			t.Fatalf("record without a line: %+v", r)
		}
	}
	lines := bytes.Count(data, []byte("\n")) + 1
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		lines = len(data) // UTF-16: count loosely
	}
	for _, e := range append(append([]RowError{}, f.Errors...), f.Warnings...) {
		if e.Reason == "" || e.Line < 1 || e.Line > lines+1 {
			t.Fatalf("problem %+v is outside the file's %d lines", e, lines)
		}
	}
	return f
}

func FuzzReadCSV(f *testing.F) {
	seed(f, ".csv")
	f.Add([]byte("Name;Phone\n\"Ana \"\"A\"\" Lima\";'+1 555\n"))
	f.Add([]byte("sep=,\nName,Birthday\nAna,--0229\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecoded(t, data)
	})
}

func FuzzReadVCard(f *testing.F) {
	seed(f, ".vcf")
	f.Add([]byte("BEGIN:VCARD\nVERSION:2.1\nN;ENCODING=QUOTED-PRINTABLE:=C3=\n=A9;=\nEND:VCARD\n"))
	f.Add([]byte("BEGIN:VCARD\r\nFN:\"a:b\";x\r\n item1.TEL;TYPE=\"a,b\":1\r\nEND:VCARD"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("BEGIN:VCARD")) {
			data = append([]byte("BEGIN:VCARD\r\n"), data...)
		}
		checkDecoded(t, data)
	})
}

func FuzzReadJSON(f *testing.F) {
	seed(f, ".json")
	f.Add([]byte(`{"patron_export":1,"customers":[{"id":1,"name":"A"}],"interactions":[{"id":1,"customer":1,"kind":"visit","at":"2026-01-01T00:00:00Z"}]}`))
	f.Add([]byte(`{"patron_export":1,"customers":null,"reminders":[{"id":1,"customer":1}],"decisions":[{"key":"k","value":1}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got := checkDecoded(t, data)
		if got == nil || got.Format != FormatPatronJSON {
			return
		}
		// What was read writes back and reads the same again.
		var e Everything
		e.Settings, e.Decisions = got.Settings, got.Decisions
		for _, r := range got.Records {
			e.Customers = append(e.Customers, r.Customer)
			e.Interactions = append(e.Interactions, r.Interactions...)
			for _, rem := range r.Reminders {
				e.Reminders = append(e.Reminders, rem.Raw)
			}
		}
		var b bytes.Buffer
		if err := WriteJSON(&b, e); err != nil {
			t.Fatalf("cannot write back what was read: %v", err)
		}
		again, err := Read(b.Bytes(), testOptions())
		if err != nil || len(again.Records) != len(got.Records) || len(again.Errors) != 0 {
			t.Fatalf("written back, it reads differently: %v\n%s", err, b.String())
		}
	})
}
