package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestJourneyTimings is issue 9's way for anyone to see the real binary's
// start-up cost: open the demo file with --timings, wait for the list's
// rung and next-reminder columns to fill (every tab has worked from every
// record), quit, and read how long each step took and the memory on
// stderr, every step reached.
func TestJourneyTimings(t *testing.T) {
	needTmux(t)
	dir := t.TempDir()
	bin := buildPatron(t)
	db := filepath.Join(dir, "data", "patron.db")
	patronCLI(t, bin, dir, db)("demo", "--customers", "1500", "--interactions", "12000")

	tm := openTerminal(t, "timings", dir, db, 160, 30, "TERM=xterm-256color")
	tm.typeText(bin + " --timings 2>timings.txt")
	tm.keys("Enter")
	tm.waitFor(10*time.Second, "1 Customers", "Rung", "Next reminder")
	// The rung column shows … until the ladder is worked out, then rungs.
	start := time.Now()
	for !regexp.MustCompile(`(customer|client|supporter|advocate|prospect|partner) +[0-9,]+ +(in |[0-9,]+ days? late|today|tomorrow|—)`).MatchString(tm.screen()) {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("the rung and next-reminder columns did not fill:\n%s", tm.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
	tm.keys("q")
	tm.waitGone(5*time.Second, "1 Customers")

	var out string
	for deadline := time.Now().Add(5 * time.Second); ; {
		b, _ := os.ReadFile(filepath.Join(dir, "timings.txt"))
		if out = string(b); strings.Contains(out, "peak memory (RSS)") || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if strings.Contains(out, "not reached") {
		t.Fatalf("a step was not reached:\n%s", out)
	}
	at := map[string]float64{}
	for _, step := range []string{"data file opened", "first page of customers", "whole list read", "search ready", "every tab worked out"} {
		m := regexp.MustCompile(regexp.QuoteMeta(step) + ` +([0-9.]+) ms`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("the timings do not say %q:\n%s", step, out)
		}
		at[step], _ = strconv.ParseFloat(m[1], 64)
	}
	// In this order (the first frame may come before or after the rest of
	// a small list).
	for _, pair := range [][2]string{{"data file opened", "first page of customers"}, {"data file opened", "whole list read"},
		{"whole list read", "search ready"}, {"search ready", "every tab worked out"}} {
		if at[pair[1]] < at[pair[0]] {
			t.Fatalf("%q comes before %q:\n%s", pair[1], pair[0], out)
		}
	}
	if _, err := os.Stat("/proc/self/status"); err == nil && !regexp.MustCompile(`peak memory \(RSS\) +[0-9]+ MB`).MatchString(out) {
		t.Fatalf("the timings do not say the peak memory:\n%s", out)
	}
}
