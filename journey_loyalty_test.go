package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// loyaltyRun runs the built binary on db and returns stdout, stderr and the error.
func loyaltyRun(t *testing.T, bin, db string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--db", db}, args...)...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

func loyaltyMust(t *testing.T, bin, db string, args ...string) string {
	t.Helper()
	out, errOut, err := loyaltyRun(t, bin, db, args...)
	if err != nil {
		t.Fatalf("patron %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

func loyaltyOf(t *testing.T, bin, db string, args ...string) loyaltyJSON {
	t.Helper()
	var j loyaltyJSON
	out := loyaltyMust(t, bin, db, append([]string{"loyalty", "--json"}, args...)...)
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatalf("loyalty --json: %v\n%s", err, out)
	}
	return j
}

// TestJourneyLoyalty is issue 6's journey through the real binary: three
// purchases turn a customer into a client (`patron loyalty --json`), points
// follow the purchases, redeeming a reward deducts its points and logs it on
// the timeline, a reward she cannot afford is refused with the points
// missing, --now shows her as she stood before, and the text form reads
// right in a terminal (tmux).
func TestJourneyLoyalty(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	dir := t.TempDir()
	bin := buildPatron(t)
	db := filepath.Join(dir, "data", "patron.db")

	loyaltyMust(t, bin, db, "add", "Ana Lima", "--email", "ana@example.com")
	loyaltyMust(t, bin, db, "log", "Ana Lima", "--kind", "purchase", "--amount", "40.00", "--at=-40d")
	loyaltyMust(t, bin, db, "log", "ana@example.com", "--kind", "purchase", "--amount", "50.00", "--at=-10d")
	if j := loyaltyOf(t, bin, db, "Ana Lima"); j.Rung != "customer" || j.Points != 90 || j.Missing != "1 more purchase" || j.NextRung == nil || *j.NextRung != "client" {
		t.Fatalf("after two purchases: %+v", j)
	}

	loyaltyMust(t, bin, db, "log", "#1", "--kind", "purchase", "--amount", "60.50", "--at=-1d")
	j := loyaltyOf(t, bin, db, "Ana Lima")
	if j.Rung != "client" || j.Points != 150 || j.Last12Months.Purchases != 3 || j.Last12Months.Spend != "150.50" || len(j.RewardsAvailable) != 2 {
		t.Fatalf("after three purchases: %+v", j)
	}
	var counts []model.RungCount
	if err := json.Unmarshal([]byte(loyaltyMust(t, bin, db, "loyalty", "--json")), &counts); err != nil {
		t.Fatal(err)
	}
	if len(counts) != 6 || counts[model.RungClient].Customers != 1 || counts[model.RungCustomer].Customers != 0 {
		t.Fatalf("customers per rung: %+v", counts)
	}

	// Redeem: the points go, the redemption is on her timeline.
	var red struct {
		Reward     string `json:"reward"`
		Points     int64  `json:"points"`
		PointsLeft int64  `json:"points_left"`
	}
	if err := json.Unmarshal([]byte(loyaltyMust(t, bin, db, "redeem", "Ana Lima", "5.00 off", "--json")), &red); err != nil {
		t.Fatal(err)
	}
	if red.Reward != "5.00 off" || red.Points != 100 || red.PointsLeft != 50 {
		t.Fatalf("redeem: %+v", red)
	}
	if j := loyaltyOf(t, bin, db, "#1"); j.Points != 50 {
		t.Fatalf("points after redeeming: %d", j.Points)
	}
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	timeline, err := s.Interactions(1)
	if err != nil || len(timeline) != 4 || timeline[0].Kind != model.KindRedeemed || timeline[0].Points != -100 || timeline[0].Reward != "5.00 off" {
		t.Fatalf("timeline: %+v, %v", timeline, err)
	}

	// One she cannot afford: refused, saying what is missing, nothing written.
	out, errOut, err := loyaltyRun(t, bin, db, "redeem", "Ana Lima", "5.00 off")
	if err == nil || out != "" || !strings.Contains(errOut, "Ana Lima has 50 points") || !strings.Contains(errOut, "50 more points needed") {
		t.Fatalf("redeeming with too few points: %v\nstdout %q\nstderr %q", err, out, errOut)
	}
	if timeline, _ := s.Interactions(1); len(timeline) != 4 {
		t.Fatalf("a refused redemption was logged: %+v", timeline)
	}

	// As of five days ago the third purchase had not happened yet.
	if j := loyaltyOf(t, bin, db, "Ana Lima", "--now=-5d"); j.Rung != "customer" || j.Points != 90 {
		t.Fatalf("as of five days ago: %+v", j)
	}

	// Every customer, and a partner set by hand.
	loyaltyMust(t, bin, db, "add", "Lima Florist")
	loyaltyMust(t, bin, db, "loyalty", "partner", "Lima Florist")
	var rows []loyaltyRowJSON
	if err := json.Unmarshal([]byte(loyaltyMust(t, bin, db, "loyalty", "--all", "--json")), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Name != "Ana Lima" || rows[0].Rung != "client" || rows[0].Points != 50 || rows[1].Rung != "partner" || rows[1].NextRung != nil {
		t.Fatalf("loyalty --all: %+v", rows)
	}

	t.Run("in a terminal", func(t *testing.T) {
		needTmux(t)
		tm := openTerminal(t, "loyalty", dir, db, 120, 30, "TERM=xterm-256color")
		tm.typeText(bin + ` loyalty "Ana Lima"; echo "exit=$?"`)
		tm.keys("Enter")
		tm.waitFor(10*time.Second, "#1 Ana Lima: client, 50 points", "Next: supporter, with 5 more visits or 349.50 more",
			"Rewards available: free gift wrap (50 points)", "exit=0")
		tm.typeText(bin + ` redeem "Ana Lima" "5.00 off"; echo "exit=$?"`)
		tm.keys("Enter")
		tm.waitFor(10*time.Second, "50 more points needed", "exit=1")
	})
}

// TestLoyaltyCommandsRefuseWithSentences: bad input on the loyalty commands
// fails with a sentence and a non-zero exit, and changes nothing.
func TestLoyaltyCommandsRefuseWithSentences(t *testing.T) {
	db := filepath.Join(t.TempDir(), "patron.db")
	if _, _, err := run(t, db, "loyalty"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("loyalty on a missing file: %v", err)
	}
	if _, err := os.Stat(db); err == nil {
		t.Fatal("a read-only command created the file")
	}
	mustRun(t, db, "add", "Ana Lima")
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"loyalty", "Rui"}, "no customer matches"},
		{[]string{"loyalty", "Ana Lima", "--all"}, "--all lists every customer"},
		{[]string{"redeem", "Ana Lima", "a pony"}, `no reward called "a pony"`},
		{[]string{"redeem", "Ana Lima", "free gift wrap"}, "50 more points needed"},
		{[]string{"redeem", "Ana Lima"}, "name the customer and the reward"},
		{[]string{"loyalty", "set", "client_purchases", "1"}, "at least 2"},
		{[]string{"loyalty", "set", "earn_per", "1,5"}, "earn rate"},
		{[]string{"loyalty", "set", "bonus", "3"}, "no loyalty setting"},
		{[]string{"loyalty", "reward", "coffee mug"}, "its points"},
		{[]string{"loyalty", "reward", "coffee mug", "0"}, "at least 1 point"},
		{[]string{"loyalty", "reward", "a pony", "--remove"}, `no reward called "a pony"`},
	} {
		_, _, err := run(t, db, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("patron %s: %v; want it to say %q", strings.Join(tc.args, " "), err, tc.says)
		}
	}
	out := mustRun(t, db, "loyalty", "settings", "--json")
	if !strings.Contains(out, `"client_purchases": 3`) || !strings.Contains(out, `"free gift wrap"`) {
		t.Fatalf("the refusals changed the settings:\n%s", out)
	}
	mustRun(t, db, "loyalty", "set", "supporter_spend", "750")
	mustRun(t, db, "loyalty", "reward", "Free Gift Wrap", "60")
	out = mustRun(t, db, "loyalty", "settings", "--json")
	if !strings.Contains(out, `"supporter_spend": "750.00"`) || !strings.Contains(out, `"name": "free gift wrap",`+"\n      \"points\": 60") {
		t.Fatalf("settings after set and reward:\n%s", out)
	}
}
