package exchange

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestColumnsGivesTheHeaderAndAnExampleOfEach(t *testing.T) {
	h, ex, err := Columns(filepath.Join("testdata", "own-semicolon.csv"))
	if err != nil {
		t.Fatal(err)
	}
	wantH := []string{"Customer", "Mobile", "E-mail", "Birthday", "Favourite", "Notes", "Spent"}
	if !reflect.DeepEqual(h, wantH) {
		t.Fatalf("header %q, want %q", h, wantH)
	}
	// E-mail and Birthday are empty in the second data row but not the first;
	// Favourite has a value only in the first.
	if ex[0] != "Inês Carvalho" || ex[2] != "ines@example.pt" || ex[4] != "tulips" {
		t.Fatalf("examples %q", ex)
	}
}

func TestColumnsReadsAFileWithNoNameColumn(t *testing.T) {
	path := filepath.Join("testdata", "no-name.csv")
	if _, err := ReadFile(path, testOptions()); !errors.Is(err, ErrNoNameColumn) {
		t.Fatalf("ReadFile: %v, want no name column", err)
	}
	h, ex, err := Columns(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(h, []string{"Phone", "Email", "Spent"}) || ex[1] != "a@example.com" {
		t.Fatalf("header %q examples %q", h, ex)
	}
}

func TestColumnsRefusesWhatIsNotCSV(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"empty.csv":   "",
		"cards.vcf":   "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana\r\nEND:VCARD\r\n",
		"picture.csv": "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, err := Columns(p); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
