package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A shop owner's journey through `patron lost` and `patron report`, run on
// the built binary as a script would run it: a small New York shop in the
// spring of 2025 (--now 2025-06-18), its figures worked out by hand.
func TestJourneyInsights(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to build patron with")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "patron")
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	db := filepath.Join(dir, "shop", "patron.db")
	run := func(args ...string) (string, string, error) {
		cmd := exec.Command(bin, append([]string{"--db", db, "--now", "2025-06-18"}, args...)...)
		cmd.Env = append(os.Environ(), "PATRON_DB=", "NO_COLOR=1")
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		return out.String(), errOut.String(), err
	}
	must := func(args ...string) string {
		t.Helper()
		out, errOut, err := run(args...)
		if err != nil {
			t.Fatalf("patron %s: %v\n%s", strings.Join(args, " "), err, errOut)
		}
		return out
	}

	// Nothing to report on before the file exists, and nothing is created.
	if _, errOut, err := run("report"); err == nil || !strings.Contains(errOut, "does not exist") {
		t.Fatalf("report on a missing file: %v %q", err, errOut)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Fatal("report created the data file")
	}

	must("add", "Ana Lima", "--email", "ana@example.com")
	must("add", "Ben Ode")
	must("add", "Cai Wu")
	must("settings", "set", "time_zone", "America/New_York")
	// May: Ana and Ben buy. June: Ana comes back, Cai is new; Ben complains
	// and leaves for a cheaper shop.
	for _, l := range [][]string{
		{"Ana Lima", "--kind", "purchase", "--amount", "20.00", "--at", "2025-05-05 12:00"},
		{"Ben Ode", "--kind", "purchase", "--amount", "50.00", "--at", "2025-05-12 12:00"},
		{"Ana Lima", "--kind", "purchase", "--amount", "30.00", "--at", "2025-06-03 12:00"},
		{"Ana Lima", "--kind", "feedback", "--score", "5", "--at", "2025-06-03 12:05"},
		{"Ben Ode", "--kind", "complaint", "--category", "Late delivery", "--at", "2025-06-04 09:00"},
		{"Cai Wu", "--kind", "purchase", "--amount", "40.00", "--at", "2025-06-10 12:00"},
		{"Cai Wu", "--kind", "card-sent", "--at", "2025-06-11 12:00"},
	} {
		must(append([]string{"log"}, l...)...)
	}

	// A reason that is not one of the six is refused, naming them.
	_, errOut, err := run("lost", "Ben Ode", "--reason", "cost")
	if err == nil || !strings.Contains(errOut, "price, product, service, market, technology, organisational") {
		t.Fatalf("lost --reason cost: %v %q", err, errOut)
	}
	if _, errOut, err = run("lost", "Ben Ode"); err == nil || !strings.Contains(errOut, "--reason") {
		t.Fatalf("lost without a reason: %v %q", err, errOut)
	}
	if out := must("lost", "Ben Ode", "--reason", "price", "--dry-run"); !strings.Contains(out, "Would mark #2 Ben Ode as lost (price)") {
		t.Fatalf("lost --dry-run: %q", out)
	}
	if out := must("lost", "Ben Ode", "--reason", "Price", "--note", "cheaper online"); out != "Marked #2 Ben Ode as lost on 2025-06-18 (price): cheaper online\n" {
		t.Fatalf("lost: %q", out)
	}
	if out := must("lost", "#2", "--reason", "service"); !strings.Contains(out, "lost since 2025-06-18; the reason is now service") {
		t.Fatalf("lost again: %q", out)
	}

	var r map[string]any
	if err := json.Unmarshal([]byte(must("report", "--json")), &r); err != nil {
		t.Fatal(err)
	}
	prev, _ := r["previous"].(map[string]any)
	// June to date: May's buyers were Ana and Ben; Ana came back: 0.5. Cai
	// is new, Ana returning; revenue $70, $30 of it Ana's: 0.4286.
	for key, want := range map[string]any{
		"period": "month", "label": "June 2025", "from": "2025-06-01", "to": "2025-06-18", "complete": false,
		"retention_rate": 0.5, "new_customers": 1.0, "returning_customers": 1.0, "repeat_purchase_rate": 0.5,
		"revenue": "70.00", "revenue_from_returning_share": 0.4286, "lost_customers": 1.0, "complaints": 1.0,
		"open_complaints": 1.0, "median_days_to_resolve": nil, "average_satisfaction": 5.0, "cards_sent": 1.0,
		"rewards_redeemed": 0.0, "visits": 2.0, "average_gap_days": 29.0,
	} {
		if got := r[key]; got != want {
			t.Errorf("%s: %v, want %v", key, got, want)
		}
	}
	if lost, _ := r["lost_by_reason"].(map[string]any); lost["service"] != 1.0 || lost["price"] != 0.0 {
		t.Errorf("lost_by_reason: %v", r["lost_by_reason"])
	}
	if c, _ := r["complaints_by_category"].(map[string]any); len(c) != 1 || c["late delivery"] != 1.0 {
		t.Errorf("complaints_by_category: %v", r["complaints_by_category"])
	}
	// May: both buyers are new; April had no buyers, so no retention rate;
	// lapsed customers are a figure of today only.
	for key, want := range map[string]any{
		"label": "May 2025", "complete": true, "retention_rate": nil, "new_customers": 2.0, "revenue": "70.00",
		"repeat_purchase_rate": 0.0, "lapsed_customers": nil,
	} {
		if got := prev[key]; got != want {
			t.Errorf("previous %s: %v, want %v", key, got, want)
		}
	}
	if n, ok := r["lapsed_customers"].(float64); !ok || n != 0 {
		t.Errorf("lapsed_customers: %v", r["lapsed_customers"])
	}
	if w, _ := r["visits_per_week"].([]any); len(w) != 12 {
		t.Errorf("visits_per_week: %v", r["visits_per_week"])
	}

	out := must("report", "--period", "quarter", "--at", "2025-05-01")
	for _, want := range []string{"Q2 2025 (to date, Wed 18 Jun 2025), compared with Q1 2025", "Retention rate", "New customers",
		"Lost in Q2 2025, by reason: service 1", "Complaints in Q2 2025, by category: late delivery 1", "Jun 2025"} {
		if !strings.Contains(out, want) {
			t.Errorf("quarter report lacks %q:\n%s", want, out)
		}
	}
	// $70 in June to date against $70 in May.
	revenueLine := ""
	out = must("report")
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "Revenue  ") {
			revenueLine = strings.Join(strings.Fields(line), " ")
		}
	}
	if revenueLine != "Revenue $70.00 $70.00 no change" {
		t.Errorf("revenue line %q in:\n%s", revenueLine, out)
	}
	if _, errOut, err := run("report", "--period", "week"); err == nil || !strings.Contains(errOut, "use month, quarter or year") {
		t.Errorf("--period week: %v %q", err, errOut)
	}
	if _, errOut, err := run("report", "--at", "tomorrow"); err == nil || !strings.Contains(errOut, "future") {
		t.Errorf("--at tomorrow: %v %q", err, errOut)
	}
}
