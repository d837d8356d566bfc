package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// tmuxTerm drives the real binary in a tmux pane, as a shop owner would.
type tmuxTerm struct {
	t      *testing.T
	socket string
	target string
}

func (tm *tmuxTerm) tmux(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// keys sends tmux key names (Enter, Tab, C-s, or a letter).
func (tm *tmuxTerm) keys(names ...string) {
	tm.t.Helper()
	for _, k := range names {
		tm.tmux("send-keys", "-t", tm.target, k)
	}
}

// typeText types text literally, one string.
func (tm *tmuxTerm) typeText(text string) {
	tm.t.Helper()
	tm.tmux("send-keys", "-t", tm.target, "-l", text)
}

func (tm *tmuxTerm) screen() string { return tm.tmux("capture-pane", "-p", "-t", tm.target) }

// waitFor waits until every text is on the screen, failing after within.
// waitGone waits until text has left the screen (the interface closed).
func (tm *tmuxTerm) waitGone(within time.Duration, text string) {
	tm.t.Helper()
	start := time.Now()
	for strings.Contains(tm.screen(), text) {
		if time.Since(start) > within {
			tm.t.Fatalf("after %v the screen still shows %q:\n%s", within, text, tm.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (tm *tmuxTerm) waitFor(within time.Duration, texts ...string) time.Duration {
	tm.t.Helper()
	start := time.Now()
	for {
		scr := tm.screen()
		missing := ""
		for _, s := range texts {
			if !strings.Contains(scr, s) {
				missing = s
				break
			}
		}
		if missing == "" {
			return time.Since(start)
		}
		if time.Since(start) > within {
			tm.t.Fatalf("after %v the screen does not show %q:\n%s", within, missing, scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestJourneyCustomers is issue 3's journey on a fresh file: add Ana Lima
// with a birthday and a tag, find her, open her, edit her phone, archive
// and undo, quit, start again and find everything as left; then a
// `patron add` from another terminal appears in the running list within 2 s.
func TestJourneyCustomers(t *testing.T) {
	needTmux(t)
	dir := t.TempDir()
	bin := buildPatron(t)
	db := filepath.Join(dir, "data", "patron.db")

	tm := openTerminal(t, "journey", dir, db, 100, 30, "TERM=xterm-256color")
	start := func() {
		tm.typeText(bin)
		tm.keys("Enter")
		tm.waitFor(10*time.Second, "1 Customers")
	}

	start()
	tm.waitFor(5*time.Second, "No customers yet")

	// Add Ana Lima: name, then the birthday (fifth field) and the tag.
	tm.keys("a")
	tm.waitFor(2*time.Second, "New customer")
	tm.typeText("Ana Lima")
	tm.keys("Tab", "Tab", "Tab", "Tab")
	tm.typeText("1988-04-15")
	tm.keys("Tab")
	tm.typeText("vip")
	tm.keys("C-s")
	tm.waitFor(3*time.Second, "Added Ana Lima.", "1 customer")

	// Find her, open her.
	tm.keys("/")
	tm.typeText("ana")
	tm.keys("Enter")
	tm.waitFor(2*time.Second, "1 shown")
	tm.keys("Enter")
	tm.waitFor(2*time.Second, "15 April 1988", "vip", "#1 · active")

	// Edit her phone.
	tm.keys("e")
	tm.waitFor(2*time.Second, "Edit Ana Lima")
	tm.keys("Tab")
	tm.typeText("555 0101")
	tm.keys("C-s")
	tm.waitFor(3*time.Second, "Saved Ana Lima.", "555 0101")

	// Archive (asks), then undo.
	tm.keys("d")
	tm.waitFor(2*time.Second, "Archive Ana Lima?")
	tm.keys("y")
	tm.waitFor(3*time.Second, "Archived Ana Lima.", "#1 · archived")
	tm.keys("u")
	tm.waitFor(3*time.Second, "Undone: archived Ana Lima.", "#1 · active")

	// Quit, and the file holds what was left.
	tm.keys("q")
	tm.waitGone(5*time.Second, "1 Customers")
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.AllCustomers(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 {
		t.Fatalf("the file holds %d customers, want 1", len(all))
	}
	ana := all[0]
	if ana.Name != "Ana Lima" || ana.Phone != "555 0101" || ana.Birthday != (model.Birthday{Year: 1988, Month: 4, Day: 15}) ||
		strings.Join(ana.Tags, ",") != "vip" || !ana.Active() {
		t.Fatalf("stored %+v", ana)
	}

	// Start again: everything as left.
	tm.tmux("send-keys", "-t", tm.target, "clear", "Enter")
	start()
	tm.waitFor(5*time.Second, "Ana Lima", "1 customer")
	tm.keys("Enter")
	tm.waitFor(2*time.Second, "555 0101", "15 April 1988", "vip", "#1 · active")
	tm.keys("Escape")
	tm.waitFor(2*time.Second, "Customers · sorted by name")

	// Another terminal adds a customer: the running list shows them within 2 s.
	add := exec.Command(bin, "add", "Rui Costa", "--phone", "555 0202", "--tag", "wedding")
	add.Env = append(os.Environ(), "PATRON_DB="+db, "HOME="+dir)
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("patron add: %v\n%s", err, out)
	}
	took := tm.waitFor(2*time.Second, "Rui Costa", "2 customers")
	t.Logf("the other terminal's customer appeared after %v", took.Round(10*time.Millisecond))
	tm.keys("q")
}
