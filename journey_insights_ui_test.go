package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// TestJourneyInsightsTab is issue 7's tab as a shop owner meets it, in the
// built binary under tmux: demo data, tab 5 shows the month's figures as
// `patron report` works them out; [ and ] move between months; a customer
// marked lost with L (service, with what they said) is counted in the
// lost-by-reason figure once the tab comes back to it.
func TestJourneyInsightsTab(t *testing.T) {
	needTmux(t)
	dir := t.TempDir()
	bin := buildPatron(t)
	db := filepath.Join(dir, "data", "patron.db")
	cli := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"--db", db}, args...)...)
		cmd.Env = append(os.Environ(), "NO_COLOR=1", "PATRON_DB=")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("patron %v: %v\n%s", args, err, out)
		}
		return out
	}
	type period struct {
		Label            string         `json:"label"`
		Retained         int            `json:"retained_customers"`
		PreviousBuyers   int            `json:"previous_period_buyers"`
		LostCustomers    int            `json:"lost_customers"`
		LostByReason     map[string]int `json:"lost_by_reason"`
		NewCustomers     int            `json:"new_customers"`
		ReturningBuyers  int            `json:"returning_customers"`
		ComplaintsPeriod int            `json:"complaints"`
	}
	report := func() (cur, prev period) {
		t.Helper()
		var r struct {
			period
			Previous period `json:"previous"`
		}
		if err := json.Unmarshal(cli("report", "--json"), &r); err != nil {
			t.Fatal(err)
		}
		return r.period, r.Previous
	}
	cli("demo", "--seed", "7", "--customers", "60", "--interactions", "900")
	cur, prev := report()

	tm := openTerminal(t, "insights", dir, db, 100, 45, "TERM=xterm-256color")
	tm.typeText(bin)
	tm.keys("Enter")
	tm.waitFor(10*time.Second, "1 Customers", "5 Insights")

	// The month so far beside the one before, as `patron report` has it.
	tm.keys("5")
	tm.waitFor(10*time.Second, "Insights · "+cur.Label, "vs "+prev.Label, "Retention rate", "Repeat-purchase rate",
		"New customers", "Lost customers", "Complaints", "Average satisfaction", "Rewards redeemed")
	if cur.PreviousBuyers > 0 {
		tm.waitFor(2*time.Second, fmt.Sprintf("(%d of %d)", cur.Retained, cur.PreviousBuyers))
	}

	// [ shows the month before, ] comes back.
	tm.keys("[")
	tm.waitFor(5*time.Second, "Insights · "+prev.Label, "Showing "+prev.Label)
	tm.keys("]")
	tm.waitFor(5*time.Second, "Insights · "+cur.Label, "Showing "+cur.Label)

	// Mark the first customer of the list lost, over service, with what they said.
	tm.keys("1")
	tm.waitFor(2*time.Second, "sorted by")
	tm.keys("Enter")
	tm.waitFor(3*time.Second, "· active")
	tm.keys("L")
	tm.waitFor(2*time.Second, "Why did they leave?", "organisational")
	tm.keys("3", "Tab")
	tm.typeText("the queue was too long")
	tm.keys("Enter")
	tm.waitFor(2*time.Second, "as lost (service)?", "What they said: the queue was too long")
	tm.keys("y")
	tm.waitFor(3*time.Second, "as lost (service).", "· lost")

	// The tab counts them: one more lost customer, one more over service.
	want := cur.LostByReason["service"] + 1
	tm.keys("5")
	row := regexp.MustCompile(`(?m)^[ >]\s+service\s+(\d+)`)
	lost := regexp.MustCompile(`(?m)^[ >]\s+Lost customers\s+(\d+)`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		scr := tm.screen()
		m, l := row.FindStringSubmatch(scr), lost.FindStringSubmatch(scr)
		if m != nil && l != nil && m[1] == strconv.Itoa(want) && l[1] == strconv.Itoa(cur.LostCustomers+1) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the tab does not count the lost customer (want service %d, lost %d):\n%s", want, cur.LostCustomers+1, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if after, _ := report(); after.LostByReason["service"] != want {
		t.Fatalf("patron report counts %d lost over service, the tab %d", after.LostByReason["service"], want)
	}

	tm.keys("q")
	tm.waitGone(5*time.Second, "5 Insights")
}
