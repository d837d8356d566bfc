package ui

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

func TestTimingsFollowStartUpInOrder(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.app.timings.Started = time.Now().Add(-time.Second)
	h.app.timings.Opened = h.app.timings.Started.Add(time.Millisecond)
	if !h.app.Timings().FirstFrame.IsZero() {
		t.Fatal("no frame was drawn yet")
	}
	h.app.View()
	tm := h.app.Timings()
	steps := []time.Time{tm.Started, tm.Opened, tm.Listed, tm.SearchReady, tm.FirstFrame}
	for i, at := range steps {
		if at.IsZero() || i > 0 && at.Before(steps[i-1]) {
			t.Fatalf("step %d is %v: %+v", i, at, tm)
		}
	}
	// The tabs work from every record once the list is searchable (here,
	// before the first frame is drawn by hand).
	if tm.Settled.IsZero() || tm.Settled.Before(tm.SearchReady) {
		t.Fatalf("settled at %v: %+v", tm.Settled, tm)
	}
	if _, err := os.Stat("/proc/self/status"); err == nil && (tm.ListedRSS == 0 || tm.SettledRSS == 0 || tm.SearchPeakRSS < tm.SearchRSS) {
		t.Fatalf("no memory figures: %+v", tm)
	}
	var out bytes.Buffer
	h.app.WriteTimings(&out)
	for _, want := range []string{"data file opened", "first page of customers", "whole list read", "search ready", "every tab worked out", " ms"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("the timings do not say %q:\n%s", want, out.String())
		}
	}
	if _, err := os.Stat("/proc/self/status"); err == nil && !strings.Contains(out.String(), "peak memory, list+search") {
		t.Fatalf("the timings do not say the peak up to search ready:\n%s", out.String())
	}
	if strings.Contains(out.String(), "not reached") {
		t.Fatalf("a step is not reached:\n%s", out.String())
	}
}

func TestTimingsSayWhatWasNotReached(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.app.timings.Started = time.Now()
	var out bytes.Buffer
	h.app.WriteTimings(&out) // no frame drawn
	if !strings.Contains(out.String(), "first page of customers   not reached") {
		t.Fatalf("timings:\n%s", out.String())
	}
}
