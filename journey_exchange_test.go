package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patron-crm/patron/store/exchange"
)

// fixture copies one of the exchange fixtures into dir.
func exchangeFixture(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("store", "exchange", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func fileSum(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		return "missing"
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

// TestJourneyExchange is issue 8's command-line journey in tmux with the
// built binary: a dry run writes nothing, a vCard comes in, the same file
// again adds no one, a Google CSV merges into those customers and is taken
// back whole, the exports are written 0600, and a JSON export rebuilds an
// empty file that exports the very same JSON.
func TestJourneyExchange(t *testing.T) {
	needTmux(t)
	dir := t.TempDir()
	bin := buildPatron(t)
	exchangeFixture(t, dir, "apple.vcf")
	exchangeFixture(t, dir, "google.csv")
	db := filepath.Join(dir, "data", "patron.db")
	tm := openTerminal(t, "exchange", dir, db, 200, 50, "TMPDIR="+dir, "NO_COLOR=1")
	step := 0
	shell := func(line string, want ...string) string {
		t.Helper()
		step++
		tm.tmux("send-keys", "-t", tm.target, "clear", "Enter")
		tm.typeText(line + fmt.Sprintf("; echo STEP-%d-DONE-$?", step))
		tm.keys("Enter")
		tm.waitFor(20*time.Second, append([]string{fmt.Sprintf("STEP-%d-DONE", step)}, want...)...)
		return tm.screen()
	}
	p := bin

	shell(p+` import apple.vcf --dry-run`, "3 new", "Nothing was written (--dry-run).", fmt.Sprintf("STEP-%d-DONE-0", step+1))
	if _, err := os.Stat(db); err == nil {
		t.Fatal("a dry run created the data file")
	}
	shell(p+` import apple.vcf`, "Imported apple.vcf: 3 customers added.", "patron import --undo")
	shell(p+` import apple.vcf`, "3 matching someone", "Nothing new")
	shell(p+` list`, "Johnny Appleseed", "Sofía Rivera", "Greenhouse Co.")

	shell(p+` import google.csv --on-match merge`, "line 9: this row has no name, email or phone number", "Imported google.csv: 5 customers added")
	shell(p+` list`, "Grace Brewster Hopper", "Zoë Ångström")
	shell(p+` import --undo`, "Undone: imported google.csv")
	scr := shell(p+` list`, "Johnny Appleseed")
	if strings.Contains(scr, "Grace") {
		t.Fatalf("the undone import is still listed:\n%s", scr)
	}
	shell(p+` import --undo`, "Undone: imported apple.vcf")
	shell(p+` import --undo`, "there is no import to undo", fmt.Sprintf("STEP-%d-DONE-1", step+1))
	// Ids are never reused, so Johnny comes back as someone new to this file.
	shell(p+` import apple.vcf`, "Imported apple.vcf")

	// Exports: files only the owner can read; stdout without --out.
	shell(p+` export vcard --out c.vcf`, "Wrote 3 customers to c.vcf")
	shell(p+` export vcard --vcard-version 3.0 --out c3.vcf`, "Wrote 3 customers")
	shell(p+` export csv --out c.csv`, "Wrote 3 customers to c.csv")
	shell(p+` export csv --interactions --out log.csv`, "Wrote 0 interactions to log.csv")
	shell(p+` export json --out all.json`, "Wrote 3 customers, 0 interactions")
	shell(p+` export csv | head -2 | tail -1 | cut -c1-40`, ",Johnny Appleseed,'+1 (555) 010-7777")
	for _, f := range []string{"c.vcf", "c3.vcf", "c.csv", "log.csv", "all.json"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", f, st.Mode(), err)
		}
	}
	c3, _ := os.ReadFile(filepath.Join(dir, "c3.vcf"))
	if !bytes.Contains(c3, []byte("VERSION:3.0\r\n")) || !bytes.Contains(c3, []byte("BDAY;X-APPLE-OMIT-YEAR=1604:1604-09-26")) {
		t.Errorf("vCard 3.0 export:\n%s", c3)
	}

	// The JSON export rebuilds an empty file, which exports the same JSON.
	shell(p+` --db rebuilt.db import all.json`, "this is a restore", "Restored all.json")
	shell(p+` --db rebuilt.db export json --out again.json && cmp all.json again.json && echo SAME-JSON`, "SAME-JSON")
	// And the vCard export reads back into another file as the same people.
	shell(p+` --db other.db import c.vcf`, "Imported c.vcf: 3 customers added")
	shell(p+` --db other.db import apple.vcf`, "Nothing new")
}

// TestBadFilesGetASentenceAndChangeNothing: a binary file, an empty file,
// a CSV without a name column and a vCard over 50 MB are refused with a
// sentence on stderr and a failing exit, and neither create nor change the
// data file.
func TestBadFilesGetASentenceAndChangeNothing(t *testing.T) {
	dir := t.TempDir()
	bad := map[string][]byte{
		"photo.vcf":    append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), bytes.Repeat([]byte{0, 7, 200}, 300)...),
		"random.bin":   bytes.Repeat([]byte{0, 1, 2, 3, 0xfe, 0x80, 0x10}, 200),
		"empty.csv":    nil,
		"noname.csv":   []byte("Phone,Email,Spent\n555 0101,a@example.com,10\n"),
		"notjson.json": []byte(`{"contacts": []}`),
	}
	card := []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Lima\r\nTEL:555 0101\r\nEND:VCARD\r\n")
	bad["huge.vcf"] = bytes.Repeat(card, exchange.MaxFileSize/len(card)+1)
	want := map[string]string{
		"photo.vcf": "is a picture", "random.bin": "not a text file", "empty.csv": "is empty",
		"noname.csv": "no column Patron recognises as the customer's name", "notjson.json": "not a Patron export",
		"huge.vcf": "up to 50 MB",
	}
	missing := filepath.Join(dir, "never.db")
	existing := filepath.Join(dir, "patron.db")
	mustRun(t, existing, "add", "Ana Lima", "--phone", "555 0101")
	sum := fileSum(t, existing)
	for name, data := range bad {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, db := range []string{missing, existing} {
			for _, extra := range [][]string{nil, {"--dry-run"}} {
				out, _, err := run(t, db, append([]string{"import", path}, extra...)...)
				if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), want[name]) {
					t.Errorf("import %s %v: %v (stdout %q)", name, extra, err, out)
				}
			}
		}
		if _, err := os.Stat(missing); err == nil {
			t.Fatalf("importing %s created the data file", name)
		}
		if fileSum(t, existing) != sum {
			t.Fatalf("importing %s changed the data file", name)
		}
	}
	if _, _, err := run(t, existing, "import", filepath.Join(dir, "nowhere.vcf")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("a missing file: %v", err)
	}
	if _, _, err := run(t, existing, "import", "a.vcf", "--on-match", "replace"); err == nil || !strings.Contains(err.Error(), "merge") {
		t.Errorf("a bad --on-match: %v", err)
	}
	if _, _, err := run(t, missing, "export", "json"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("export of a missing file: %v", err)
	}
	if _, _, err := run(t, existing, "export", "vcard", "--vcard-version", "2.1"); err == nil || !strings.Contains(err.Error(), "3.0") {
		t.Errorf("vCard 2.1: %v", err)
	}
	if _, _, err := run(t, existing, "export", "csv", "--out", filepath.Join(dir, "no", "such", "folder.csv")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("export into a missing folder: %v", err)
	}
}

func TestExportToStdoutAndImportSameFileTwice(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "patron.db")
	for _, name := range []string{"google-old.csv", "outlook.csv", "square.csv", "shopify.csv", "android21.vcf", "v4.vcf"} {
		path := exchangeFixture(t, dir, name)
		first := mustRun(t, db, "import", path)
		if !strings.Contains(first, "That is one change") {
			t.Fatalf("%s: %s", name, first)
		}
		again := mustRun(t, db, "import", path)
		if !strings.Contains(again, "Nothing new") || !strings.Contains(again, "0 new") {
			t.Fatalf("%s imported twice:\n%s", name, again)
		}
	}
	out := mustRun(t, db, "export", "json")
	f, err := exchange.Read([]byte(out), exchange.Options{})
	if err != nil || len(f.Records) != 3+3+3+3+4+3 {
		t.Fatalf("json to stdout: %v, %d customers", err, len(f.Records))
	}
	vcf := mustRun(t, db, "export", "vcard", "--out", "-")
	if strings.Count(vcf, "BEGIN:VCARD") != len(f.Records) {
		t.Fatalf("vCard to stdout has %d cards", strings.Count(vcf, "BEGIN:VCARD"))
	}
}
