package ui

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/patron-crm/patron/store"
	"github.com/patron-crm/patron/store/exchange"
)

// fixture is a file from the exchange package's test data, as a path the
// owner would type.
func fixture(t testing.TB, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "store", "exchange", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// fileBytes is the data file as it is on disk, to prove a cancel wrote nothing.
func fileBytes(t testing.TB, s *store.Store) []byte {
	t.Helper()
	b, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (h *harness) importFlow() *importFlow {
	h.t.Helper()
	fl, ok := h.customers().dialog.(*importFlow)
	if !ok {
		h.t.Fatalf("the import screen is not open:\n%s", h.screen())
	}
	return fl
}

// startImport opens the import screen and reads path.
func (h *harness) startImport(path string) *harness {
	h.t.Helper()
	h.keys("i").typeText(path).keys("enter")
	return h
}

// chooseField moves the open field chooser to f with the arrow keys and
// picks it.
func (h *harness) chooseField(f exchange.Field) {
	h.t.Helper()
	fl := h.importFlow()
	for range exchange.Fields {
		if fl.chooser == nil {
			h.t.Fatal("the field chooser is not open")
		}
		switch d := fl.fieldIndex(f) - fl.chooser.cursor; {
		case d > 0:
			h.keys("down")
		case d < 0:
			h.keys("up")
		}
	}
	h.keys("enter")
}

func customerNames(t *testing.T, s *store.Store) map[string]int {
	t.Helper()
	all, err := s.AllCustomers(nil)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]int{}
	for _, c := range all {
		names[c.Name]++
	}
	return names
}

func TestImportAsksForTheFileAndEscLeavesWritingNothing(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	before := fileBytes(t, s)
	h.keys("i")
	h.mustShow("Import customers", "Which file?", "enter read the file", "tab complete the path")
	if !h.app.current().(capturer).Capturing() {
		t.Fatal("the path field does not have the keyboard")
	}
	// q, digits and u are typed into the path, not acted on.
	h.typeText("q1u")
	if got := h.importFlow().input.Value(); got != "q1u" {
		t.Fatalf("typed %q", got)
	}
	h.keys("esc")
	if h.customers().dialog != nil {
		t.Fatal("esc did not leave the import")
	}
	if !strings.Contains(h.status(), "nothing was imported") {
		t.Fatalf("status %q", h.status())
	}
	if !bytes.Equal(before, fileBytes(t, s)) {
		t.Fatal("leaving the import changed the file")
	}
}

func TestImportGoogleContactsPreviewConfirmAndUndo(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 100, 30)
	before := fileBytes(t, s)
	h.startImport(fixture(t, "google.csv"))
	fl := h.importFlow()
	if fl.step != importPreview {
		t.Fatalf("step %d after reading, want the preview:\n%s", fl.step, h.screen())
	}
	p := fl.preview
	// Ana Lima is already in the shop, with the same mobile number.
	h.mustShow("Import google.csv", "Google Contacts CSV", "Matching someone already here (1)", "#1 Ana Lima", "phone", "merge in")
	h.mustShow(fmt.Sprintf("%d new, 1 matching", p.New), "Cannot be imported", "Will add")
	if !bytes.Equal(before, fileBytes(t, s)) {
		t.Fatal("the preview wrote to the file")
	}
	h.keys("enter")
	if h.customers().dialog != nil {
		t.Fatalf("the import screen is still open:\n%s", h.screen())
	}
	want := fmt.Sprintf("Imported %d new customers, merged 1, skipped 0. u undoes the whole import.", p.New)
	if h.status() != want {
		t.Fatalf("status %q, want %q", h.status(), want)
	}
	names := customerNames(t, s)
	if names["Grace Brewster Hopper"] != 1 || names["Ana Lima"] != 1 {
		t.Fatalf("after the import: %v", names)
	}
	// The list read the file again.
	h.mustShow("Grace Brewster Hopper", fmt.Sprintf("%d customers", 5+p.New))
	ana, _ := findByName(t, s, "Ana Lima")
	if !strings.Contains(strings.Join(ana.Tags, ","), "Wedding") && !strings.Contains(strings.ToLower(strings.Join(ana.Tags, ",")), "wedding") {
		t.Fatalf("Ana's tags %v", ana.Tags)
	}

	// u right after takes the whole import back.
	h.keys("u")
	if !strings.HasPrefix(h.status(), "Undone: imported google.csv") {
		t.Fatalf("status after u: %q", h.status())
	}
	names = customerNames(t, s)
	if names["Grace Brewster Hopper"] != 0 || len(names) != 6 {
		t.Fatalf("after undo: %v", names)
	}
	h.mustNotShow("Grace Brewster Hopper")
	h.mustShow("5 customers · 1 archived")
}

func TestImportChoicePerMatchAndForAll(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 100, 30)
	h.startImport(fixture(t, "google.csv"))
	fl := h.importFlow()
	add, merge, skip := fl.counts()
	if merge != 1 || skip != 0 {
		t.Fatalf("counts %d %d %d", add, merge, skip)
	}
	h.keys("s")
	h.mustShow("skip", fmt.Sprintf("Will add %d, merge 0, skip 1.", add))
	h.keys("a")
	h.mustShow("add anyway", fmt.Sprintf("Will add %d, merge 0, skip 0.", add+1))
	h.keys("right") // add anyway -> merge in
	if fl.choices[0] != store.ActionMerge {
		t.Fatalf("right after add anyway gives %s", fl.choices[0])
	}
	h.keys("S")
	if fl.choices[0] != store.ActionSkip {
		t.Fatalf("S gives %s", fl.choices[0])
	}
	h.keys("A")
	h.keys("enter")
	if !strings.Contains(h.status(), "merged 0, skipped 0") {
		t.Fatalf("status %q", h.status())
	}
	if n := customerNames(t, s)["Ana Lima"]; n != 2 {
		t.Fatalf("added anyway, yet %d Ana Lima", n)
	}
}

func TestImportSkippedMatchLeavesTheCustomerAlone(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 100, 30)
	anaBefore, _ := findByName(t, s, "Ana Lima")
	h.startImport(fixture(t, "google.csv")).keys("s", "enter")
	if !strings.Contains(h.status(), "skipped 1") {
		t.Fatalf("status %q", h.status())
	}
	anaAfter, _ := findByName(t, s, "Ana Lima")
	if strings.Join(anaAfter.Tags, ",") != strings.Join(anaBefore.Tags, ",") || anaAfter.Updated != anaBefore.Updated {
		t.Fatalf("skipped, yet Ana changed: %v -> %v", anaBefore.Tags, anaAfter.Tags)
	}
}

func TestImportRowsThatCannotBeImportedScrollWithTheirLines(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	h.startImport(fixture(t, "google.csv"))
	fl := h.importFlow()
	if len(fl.preview.Errors) == 0 {
		t.Fatal("google.csv has rows that cannot be imported")
	}
	e := fl.preview.Errors[len(fl.preview.Errors)-1]
	h.keys("G")
	h.mustShow(fmt.Sprintf("line %d", e.Line))
	h.keys("g")
	h.mustShow("Matching someone already here")
}

func TestImportCancelAtEveryStepWritesNothing(t *testing.T) {
	steps := map[string]func(h *harness){
		"while reading": func(h *harness) {
			// The read's answer comes after esc: it is dropped.
			h.keys("i").typeText(fixture(t, "google.csv"))
			fl := h.importFlow()
			cmd := fl.readTyped()
			h.keys("esc")
			h.run(cmd)
		},
		"on the columns": func(h *harness) { h.startImport(fixture(t, "own-semicolon.csv")).keys("esc") },
		"on the preview": func(h *harness) { h.startImport(fixture(t, "google.csv")).keys("a", "M").keys("esc") },
		"after changing columns": func(h *harness) {
			h.startImport(fixture(t, "own-semicolon.csv")).keys("enter", "c", "down", "right", "enter", "esc")
		},
	}
	for name, step := range steps {
		t.Run(name, func(t *testing.T) {
			s := shopFile(t)
			h := newHarness(t, s, 80, 24)
			before := fileBytes(t, s)
			step(h)
			if h.customers().dialog != nil {
				t.Fatalf("esc did not leave:\n%s", h.screen())
			}
			if !bytes.Equal(before, fileBytes(t, s)) {
				t.Fatal("leaving the import changed the file")
			}
			if len(customerNames(t, s)) != 6 {
				t.Fatal("customers were imported")
			}
		})
	}
}

func TestImportBadFilesSayWhyAndChangeNothing(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		path, says string
	}{
		{write("empty.csv", nil), "empty.csv is empty"},
		{write("photo.vcf", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")), "photo.vcf is"},
		{filepath.Join(dir, "missing.vcf"), "does not exist"},
		{dir, "is a folder"},
	}
	s := shopFile(t)
	h := newHarness(t, s, 160, 30)
	before := fileBytes(t, s)
	for _, c := range cases {
		h.startImport(c.path)
		fl := h.importFlow()
		if fl.step != importAskPath {
			t.Fatalf("%s: step %d, want to ask for another file", c.path, fl.step)
		}
		h.mustShow(c.says, "Nothing was imported")
		h.keys("esc")
	}
	if !bytes.Equal(before, fileBytes(t, s)) {
		t.Fatal("a bad file changed the data file")
	}
	// An empty path asks for one.
	h.keys("i", "enter")
	h.mustShow("Type the path of the file")
}

func TestImportExpandsTheHomeFolderAndQuotes(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip("no home folder")
	}
	cases := map[string]string{
		"~/contacts.vcf":            filepath.Join(home, "contacts.vcf"),
		"'/tmp/my contacts.vcf'":    "/tmp/my contacts.vcf",
		`/tmp/my\ contacts.vcf`:     "/tmp/my contacts.vcf",
		"  /tmp/contacts.vcf  ":     "/tmp/contacts.vcf",
		`"/tmp/it's here/x.csv"`:    "/tmp/it's here/x.csv",
		"~":                         home,
		"relative/google.csv":       "relative/google.csv",
		"~someone/not-expanded.vcf": "~someone/not-expanded.vcf",
	}
	for typed, want := range cases {
		if got := expandPath(typed); got != want {
			t.Errorf("expandPath(%q) = %q, want %q", typed, got, want)
		}
	}
}

func TestImportTabCompletesThePath(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"google-contacts.csv", "google-old.csv", "shop.vcf"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("i").typeText(dir + "/sh").keys("tab")
	if got := h.importFlow().input.Value(); got != dir+"/shop.vcf" {
		t.Fatalf("one match completes to %q", got)
	}
	h.importFlow().input.SetValue(dir + "/go")
	h.keys("tab")
	if got := h.importFlow().input.Value(); got != dir+"/google-" {
		t.Fatalf("two matches complete to %q", got)
	}
	h.mustShow("google-contacts.csv", "google-old.csv")
	h.importFlow().input.SetValue(dir + "/s")
	h.keys("tab")
	h.mustShow("shop.vcf", "sub/")
	h.importFlow().input.SetValue(dir + "/zzz")
	h.keys("tab")
	h.mustShow("no file starts with that")
}

func TestImportAnyCSVShowsTheGuessedColumnsToConfirm(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 100, 30)
	h.startImport(fixture(t, "own-semicolon.csv"))
	fl := h.importFlow()
	if fl.step != importMapping {
		t.Fatalf("step %d, want the columns:\n%s", fl.step, h.screen())
	}
	h.mustShow("which column holds what?", "Customer", "Inês Carvalho", "name", "Favourite", "tulips", "(not imported)")
	// Favourite is the fifth column: send it to the preferences with the list.
	h.keys("down", "down", "down", "down")
	if fl.header[fl.mapCursor] != "Favourite" {
		t.Fatalf("on column %q", fl.header[fl.mapCursor])
	}
	h.keys("space")
	h.mustShow(`Where does "Favourite" go?`)
	h.chooseField(exchange.FieldPreferences)
	if fl.mapping[4].Field != exchange.FieldPreferences {
		t.Fatalf("Favourite goes to %q", fl.mapping[4].Field)
	}
	h.mustShow("preferences *")
	h.keys("enter")
	if fl.step != importPreview {
		t.Fatalf("step %d after confirming the columns:\n%s", fl.step, h.screen())
	}
	h.mustShow("c columns")
	h.keys("enter")
	ines, ok := findByName(t, s, "Inês Carvalho")
	if !ok || ines.Preferences != "tulips" {
		t.Fatalf("Inês: %+v", ines)
	}
}

func TestImportColumnsKeys(t *testing.T) {
	h := newHarness(t, shopFile(t), 100, 30)
	h.startImport(fixture(t, "own-semicolon.csv"))
	fl := h.importFlow()
	guessed := fl.mapping[0]
	h.keys("right")
	if fl.mapping[0] == guessed {
		t.Fatal("right did not change the field")
	}
	h.keys("left")
	if fl.mapping[0] != guessed {
		t.Fatalf("left did not go back to %v: %v", guessed, fl.mapping[0])
	}
	h.keys("x")
	if fl.mapping[0].Field != exchange.FieldIgnore {
		t.Fatal("x did not leave the column out")
	}
	// Without a name column the columns cannot be used.
	h.keys("enter")
	h.mustShow("Choose the column with the customer's name first")
	if fl.step != importMapping {
		t.Fatal("went on without a name column")
	}
	h.keys("r")
	if fl.mapping[0] != guessed {
		t.Fatal("r did not bring back the guess")
	}
	h.keys("G")
	if fl.mapCursor != len(fl.mapping)-1 {
		t.Fatal("G did not go to the last column")
	}
	// The chooser's esc closes only the chooser.
	h.keys("space", "esc")
	if fl.chooser != nil || h.customers().dialog == nil {
		t.Fatal("esc in the chooser should close just the chooser")
	}
}

func TestImportFileWithNoNameColumnOffersTheColumns(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	before := fileBytes(t, s)
	h.startImport(fixture(t, "no-name.csv"))
	fl := h.importFlow()
	if fl.step != importMapping || !fl.noName {
		t.Fatalf("step %d, want the columns:\n%s", fl.step, h.screen())
	}
	h.mustShow("No column is recognised as the customer's name", "Phone", "Email", "a@example.com")
	h.keys("enter")
	h.mustShow("Choose the column with the customer's name first")
	// Use the email as the name: down to Email, then the list.
	h.keys("down", "space")
	h.chooseField(exchange.FieldName)
	h.keys("enter")
	if fl.step != importPreview {
		t.Fatalf("step %d:\n%s", fl.step, h.screen())
	}
	h.mustShow("1 customer can be imported")
	if !bytes.Equal(before, fileBytes(t, s)) {
		t.Fatal("choosing columns wrote to the file")
	}
	h.keys("enter")
	if _, ok := findByName(t, s, "a@example.com"); !ok {
		t.Fatalf("not imported; status %q", h.status())
	}
}

func TestImportOfAPatronExportIntoAnEmptyFileIsARestore(t *testing.T) {
	s := newFile(t)
	h := newHarness(t, s, 100, 30)
	h.startImport(fixture(t, "export.json"))
	h.mustShow("Patron export (JSON)", "the import is a restore")
	h.keys("enter")
	if !strings.HasPrefix(h.status(), "Restored export.json:") {
		t.Fatalf("status %q", h.status())
	}
	if len(customerNames(t, s)) == 0 {
		t.Fatal("nothing restored")
	}
}

func TestImportNothingNewSaysSo(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 100, 30)
	h.startImport(fixture(t, "google.csv")).keys("enter")
	h.startImport(fixture(t, "google.csv")).keys("enter")
	if !strings.HasPrefix(h.status(), "Nothing new: everyone in google.csv") {
		t.Fatalf("status %q", h.status())
	}
}

func TestImportWhileWritingEscWaitsAndCtrlCAsks(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.startImport(fixture(t, "google.csv"))
	fl := h.importFlow()
	cmd := fl.confirm() // not run yet: the import is being written
	h.keys("esc")
	if h.customers().dialog == nil {
		t.Fatal("esc left while the import was being written")
	}
	if g := h.customers().Guard(); !strings.Contains(g, "still being written") {
		t.Fatalf("guard %q", g)
	}
	h.run(cmd)
	if h.customers().dialog != nil || !strings.HasPrefix(h.status(), "Imported") {
		t.Fatalf("status %q", h.status())
	}
}

func TestCtrlCOnThePreviewAsksBeforeQuitting(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.startImport(fixture(t, "google.csv")).keys("ctrl+c")
	if h.quit || h.app.dialog == nil {
		t.Fatal("ctrl+c on the preview quit without asking")
	}
	h.mustShow("Leave the import without importing anything and quit?")
	h.keys("n")
	if h.quit || h.importFlow().step != importPreview {
		t.Fatal("n should keep the preview")
	}
	// On the path, nothing is lost: ctrl+c quits at once.
	h2 := newHarness(t, shopFile(t), 80, 24)
	h2.keys("i", "ctrl+c")
	if !h2.quit {
		t.Fatal("ctrl+c on the empty path should quit")
	}
}

func TestImportSentence(t *testing.T) {
	ch := &store.Change{}
	cases := []struct {
		res  store.ImportResult
		want string
	}{
		{store.ImportResult{Change: ch, Added: 120, Merged: 10, Unchanged: 4, Skipped: 3},
			"Imported 120 new customers, merged 14, skipped 3. u undoes the whole import."},
		{store.ImportResult{Change: ch, Added: 1}, "Imported 1 new customer, merged 0, skipped 0. u undoes the whole import."},
		{store.ImportResult{Change: ch, Merged: 2}, "Imported no new customers, merged 2, skipped 0. u undoes the whole import."},
		{store.ImportResult{}, "Nothing new: everyone in c.vcf is already here with these details."},
		{store.ImportResult{Change: ch, Restored: true, Added: 2, Interactions: 5, Reminders: 1},
			"Restored c.vcf: 2 customers, 5 interactions, 1 reminder. u undoes it."},
	}
	for _, c := range cases {
		if got := importSentence("c.vcf", c.res); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

// TestImportGoldenViews pins the column and preview screens.
func TestImportGoldenViews(t *testing.T) {
	cases := []struct {
		name  string
		setup func(h *harness)
	}{
		{"preview", func(h *harness) { h.startImport(fixture(t, "google.csv")) }},
		{"columns", func(h *harness) { h.startImport(fixture(t, "own-semicolon.csv")).keys("down") }},
		{"no_name", func(h *harness) { h.startImport(fixture(t, "no-name.csv")) }},
		{"ask", func(h *harness) { h.keys("i").typeText("~/Downloads/contacts.vcf") }},
	}
	for _, tc := range cases {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", tc.name, size[0], size[1]), func(t *testing.T) {
				h := newHarness(t, shopFile(t), size[0], size[1])
				tc.setup(h)
				// The folder a relative path starts from differs by machine.
				if fl, ok := h.customers().dialog.(*importFlow); ok {
					fl.folder = "/home/maria/shop"
				}
				golden.RequireEqual(t, h.screen())
			})
		}
	}
}

// TestImportAndMergeScreensFitAnySize draws every import and merge screen
// at sizes from tiny to huge: no panic, nothing past the window.
func TestImportAndMergeScreensFitAnySize(t *testing.T) {
	s := dupFile(t)
	states := map[string]func(h *harness){
		"path":      func(h *harness) { h.keys("i").typeText(strings.Repeat("~/very/long/folder/", 8)) },
		"bad file":  func(h *harness) { h.startImport("/no/such/folder/contacts.vcf") },
		"columns":   func(h *harness) { h.startImport(fixture(t, "own-semicolon.csv")) },
		"chooser":   func(h *harness) { h.startImport(fixture(t, "own-semicolon.csv")).keys("G", "space") },
		"no name":   func(h *harness) { h.startImport(fixture(t, "no-name.csv")).keys("enter") },
		"preview":   func(h *harness) { h.startImport(fixture(t, "google.csv")).keys("G") },
		"restore":   func(h *harness) { h.startImport(fixture(t, "export.json")) },
		"merge":     func(h *harness) { h.keys("space", "space", "M", "G") },
		"marked":    func(h *harness) { h.keys("space", "space") },
		"reading":   func(h *harness) { h.keys("i").typeText("x"); h.importFlow().step = importReading },
		"importing": func(h *harness) { h.startImport(fixture(t, "google.csv")); h.importFlow().step = importWriting },
	}
	for name, st := range states {
		h := newHarness(t, s, 80, 24)
		st(h)
		for _, w := range []int{1, 2, 7, 30, 59, 60, 61, 80, 133, 300} {
			for _, hgt := range []int{1, 2, 5, 14, 15, 16, 24, 100} {
				h.app.Update(tea.WindowSizeMsg{Width: w, Height: hgt})
				lines := strings.Split(h.app.View().Content, "\n")
				if len(lines) > hgt {
					t.Fatalf("%s at %dx%d: %d lines", name, w, hgt, len(lines))
				}
				for i, l := range lines {
					if lw := ansi.StringWidth(l); lw > w {
						t.Fatalf("%s at %dx%d: line %d is %d wide: %q", name, w, hgt, i, lw, ansi.Strip(l))
					}
				}
			}
		}
	}
}
