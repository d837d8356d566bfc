package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestJourneyImportAndMergeInTheWindow is issue 8's journey in the TUI: a
// shop with Ana Lima imports its Google contacts with i, sees the preview,
// confirms, finds the new customers in the list, undoes the import with u,
// imports again, then marks the two Ana Limas with space and merges them
// with M into one customer.
func TestJourneyImportAndMergeInTheWindow(t *testing.T) {
	needTmux(t)
	dir := t.TempDir()
	bin := buildPatron(t)
	google, err := filepath.Abs(filepath.Join("store", "exchange", "testdata", "google.csv"))
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "data", "patron.db")
	patron := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"--db", db}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("patron %v: %v\n%s", args, err, out)
		}
		return out
	}
	// Ana is in the shop with her old email only: the import brings her in again.
	patron("add", "Ana Lima", "--email", "ana@example.com", "--tag", "vip")

	tm := openTerminal(t, "import", dir, db, 100, 30, "TERM=xterm-256color")
	tm.typeText(bin)
	tm.keys("Enter")
	tm.waitFor(10*time.Second, "1 Customers", "1 customer")

	importGoogle := func() {
		tm.keys("i")
		tm.waitFor(2*time.Second, "Import customers", "Which file?")
		tm.typeText(google)
		tm.keys("Enter")
		tm.waitFor(5*time.Second, "Import google.csv", "Google Contacts CSV", "Will add 5, merge 0, skip 0.",
			"Cannot be imported (1)", "line 9")
	}
	importGoogle()
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "Imported 5 new customers, merged 0, skipped 0.", "Grace Brewster Hopper", "6 customers")

	// u right after takes the whole import back.
	tm.keys("u")
	tm.waitFor(5*time.Second, "Undone: imported google.csv", "1 customer")
	tm.waitGone(3*time.Second, "Grace Brewster Hopper")

	// Again, to keep it this time.
	importGoogle()
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "Imported 5 new customers", "Grace Brewster Hopper", "6 customers")

	// The two Ana Limas come first by name: mark both, merge.
	tm.keys("g", "Space", "Space")
	tm.waitFor(2*time.Second, "✓ Ana Lima", "2 marked")
	tm.keys("M")
	tm.waitFor(3*time.Second, "Merge two customers", "ana@example.com", "ana.lima@example.pt", "After the merge")
	tm.keys("Enter")
	tm.waitFor(5*time.Second, "Merged Ana Lima", "5 customers")
	tm.waitGone(2*time.Second, "2 marked")
	tm.keys("q")
	tm.waitGone(5*time.Second, "1 Customers")

	var list []struct {
		Name  string   `json:"name"`
		Email string   `json:"email"`
		Tags  []string `json:"tags"`
	}
	if err := json.Unmarshal(patron("list", "--json"), &list); err != nil {
		t.Fatal(err)
	}
	anas := 0
	for _, c := range list {
		if c.Name == "Ana Lima" {
			anas++
			if c.Email != "ana@example.com" || len(c.Tags) < 2 {
				t.Errorf("merged Ana: %+v", c)
			}
		}
	}
	if anas != 1 || len(list) != 5 {
		t.Fatalf("after the merge %d customers, %d Ana Lima: %+v", len(list), anas, list)
	}
}
