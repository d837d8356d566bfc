package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patron-crm/patron/store"
)

func TestMain(m *testing.M) {
	store.RunCheckerIfAsked()
	code := m.Run()
	removeBuilt()
	os.Exit(code)
}

// run executes the command line against db and returns stdout, stderr and the error.
func run(t *testing.T, db string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRoot(&out, &errOut)
	root.SetArgs(append([]string{"--db", db}, args...))
	err := root.Execute()
	return out.String(), errOut.String(), err
}

func mustRun(t *testing.T, db string, args ...string) string {
	t.Helper()
	out, _, err := run(t, db, args...)
	if err != nil {
		t.Fatalf("patron %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func TestReadOnlyCommandsOnAMissingFileCreateNothing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "sub", "patron.db")
	for _, args := range [][]string{{"list"}, {"settings"}, {"backup"}, {"check"}, {"list", "--json"}} {
		_, _, err := run(t, db, args...)
		if err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("%v on a missing file: %v", args, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "sub")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a read-only command created something: %v", err)
	}
}

func TestAddCreatesPrivateFileAndListShowsJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "data", "patron.db")
	mustRun(t, db, "add", "Ana Lima", "--phone", "555 0101", "--email", "ana@example.com", "--birthday", "1988-04-15", "--tag", "vip,wedding")
	mustRun(t, db, "add", "Rui Costa")
	mustRun(t, db, "log", "ana@example.com", "--kind", "purchase", "--amount", "24.90", "--at", "-1h")
	st, _ := os.Stat(db)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("data file mode %v, want 0600", st.Mode().Perm())
	}
	dst, _ := os.Stat(filepath.Dir(db))
	if dst.Mode().Perm() != 0o700 {
		t.Errorf("data folder mode %v, want 0700", dst.Mode().Perm())
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, db, "list", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0]["name"] != "Ana Lima" || list[0]["spend"] != "24.90" || list[0]["birthday"] != "1988-04-15" {
		t.Fatalf("list --json: %v", list)
	}
	if list[0]["visits"].(float64) != 1 || len(list[0]["last_visit"].(string)) != len("2006-01-02") {
		t.Fatalf("aggregates in list --json: %v", list[0])
	}
}

func TestListHidesArchivedUnlessAll(t *testing.T) {
	db := filepath.Join(t.TempDir(), "patron.db")
	mustRun(t, db, "add", "Ana Lima")
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetStatus(1, "archived", "", ""); err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, db, "list"); strings.Contains(out, "Ana") {
		t.Errorf("archived customer listed: %s", out)
	}
	if out := mustRun(t, db, "list", "--all"); !strings.Contains(out, "Ana Lima (archived)") {
		t.Errorf("--all did not list the archived customer: %s", out)
	}
}

func TestLogRefusesBadInputWithASentence(t *testing.T) {
	db := filepath.Join(t.TempDir(), "patron.db")
	mustRun(t, db, "add", "Ana Lima")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"log", "Ana Lima", "--kind", "dance"}, "not a kind"},
		{[]string{"log", "Ana Lima", "--kind", "purchase"}, "needs --amount"},
		{[]string{"log", "Ana Lima", "--kind", "purchase", "--amount", "-5"}, "negative"},
		{[]string{"log", "Ana Lima", "--kind", "purchase", "--amount", "12.505"}, "decimal places"},
		{[]string{"log", "Ana Lima", "--kind", "purchase", "--amount", "abc"}, "not an amount"},
		{[]string{"log", "Ana Lima", "--kind", "visit", "--at", "tomorrow"}, "future"},
		{[]string{"log", "Ana Lima", "--kind", "feedback", "--score", "6"}, "1-5"},
		{[]string{"log", "Ana Lima", "--kind", "feedback"}, "needs --score"},
		{[]string{"log", "Nobody", "--kind", "visit"}, "no customer matches"},
	}
	before, _ := os.ReadFile(db)
	for _, c := range cases {
		_, _, err := run(t, db, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want an error containing %q", c.args, err, c.want)
		}
	}
	after, _ := os.ReadFile(db)
	if !bytes.Equal(before, after) {
		t.Error("a refused log changed the data file")
	}
}

func TestSettingsSetValidates(t *testing.T) {
	db := filepath.Join(t.TempDir(), "patron.db")
	mustRun(t, db, "add", "Ana Lima")
	if _, _, err := run(t, db, "settings", "set", "currency", "XYZ"); err == nil {
		t.Error("an unknown currency was accepted")
	}
	if _, _, err := run(t, db, "settings", "set", "time_zone", "Mars/Base"); err == nil {
		t.Error("an unknown time zone was accepted")
	}
	mustRun(t, db, "settings", "set", "currency", "eur")
	mustRun(t, db, "settings", "set", "time_zone", "Europe/Lisbon")
	out := mustRun(t, db, "settings")
	if !strings.Contains(out, "EUR") || !strings.Contains(out, "Europe/Lisbon") || !strings.Contains(out, "€1.234,50") {
		t.Errorf("settings after set: %s", out)
	}
}

func TestBackupCheckRestoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "patron.db")
	mustRun(t, db, "add", "Ana Lima")
	out := mustRun(t, db, "backup")
	backup := strings.Fields(strings.TrimSpace(out[strings.Index(out, " to ")+4:]))[0]
	if !strings.HasPrefix(backup, filepath.Join(dir, "backups", "patron-")) {
		t.Fatalf("backup went to %q", backup)
	}
	mustRun(t, db, "check", backup)
	mustRun(t, db, "add", "Rui Costa")
	mustRun(t, db, "restore", backup)
	if out := mustRun(t, db, "list"); strings.Contains(out, "Rui") || !strings.Contains(out, "Ana") {
		t.Errorf("after restore: %s", out)
	}
	if _, err := os.Stat(db + ".before-restore"); err != nil {
		t.Errorf("the replaced file was not kept: %v", err)
	}
}

func TestCheckFailsOnADamagedFile(t *testing.T) {
	db := filepath.Join(t.TempDir(), "patron.db")
	mustRun(t, db, "add", "Ana Lima")
	b, _ := os.ReadFile(db)
	os.WriteFile(db, b[:len(b)/2], 0o600)
	_, _, err := run(t, db, "check")
	if err == nil || !strings.Contains(err.Error(), "patron restore") {
		t.Fatalf("check of a truncated file: %v", err)
	}
	if _, _, err := run(t, db, "list"); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("list of a truncated file: %v", err)
	}
}

func TestWritesRefuseAFutureNow(t *testing.T) {
	db := filepath.Join(t.TempDir(), "patron.db")
	if _, _, err := run(t, db, "--now", "+1y", "add", "Ana"); err == nil || !strings.Contains(err.Error(), "future") {
		t.Fatalf("add with --now in the future: %v", err)
	}
}

// --now names the shop's day, whatever the machine's clock and zone: the
// shop's zone is chosen here so that, at this moment, the shop's day and
// the machine's differ (the journey that found this failed only in the
// small hours of UTC, its shop being in New York).
func TestNowIsTheShopsDayWhateverTheMachinesZone(t *testing.T) {
	db := filepath.Join(t.TempDir(), "patron.db")
	mustRun(t, db, "add", "Ana Lima")
	now := time.Now()
	_, offset := now.Zone()
	hour := now.Hour()
	// A zone whose day is not the machine's now: behind it early in the
	// machine's day, ahead of it late.
	var zone string
	if hour < 12 {
		zone = fmt.Sprintf("Etc/GMT+%d", min(12, hour+1-offset/3600)) // UTC-(hour+1) from the machine's
	} else {
		zone = fmt.Sprintf("Etc/GMT-%d", min(14, 24-hour+offset/3600))
	}
	if _, err := time.LoadLocation(zone); err != nil {
		t.Skipf("no time zone database here: %v", err)
	}
	mustRun(t, db, "settings", "set", "time_zone", zone)
	out := mustRun(t, db, "--now", "2025-06-18", "log", "Ana Lima", "--kind", "visit")
	if !strings.Contains(out, "2025-06-18") {
		t.Fatalf("logged with --now 2025-06-18 in %s: %q", zone, out)
	}
}
