package ui

import (
	"bytes"
	"os"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

func TestTheMemoryLimitFollowsTheFileAndMakesRoom(t *testing.T) {
	if MemoryLimit(0) != memoryBase || MemoryLimit(-5) != memoryBase {
		t.Fatal("an empty file's limit is the base")
	}
	if got := MemoryLimit(100_000); got < 100<<20 || got > 120<<20 {
		t.Fatalf("at 100,000 customers the limit is %d MB", got>>20)
	}
	if MemoryLimit(1_000_000) <= 5*MemoryLimit(100_000) {
		t.Fatal("the limit does not grow with the customers")
	}
	const mb = 1 << 20
	for _, c := range []struct{ limit, live, want int64 }{
		{100 * mb, 50 * mb, 100 * mb},  // room to spare: kept
		{100 * mb, 90 * mb, 100 * mb},  // at nine tenths: kept
		{100 * mb, 92 * mb, 115 * mb},  // nearer: a quarter more than live
		{100 * mb, 160 * mb, 200 * mb}, // past it
		{200 * mb, 120 * mb, 150 * mb}, // raised, and live fell: back down
		{200 * mb, 40 * mb, 100 * mb},  // but never below the file's
		{200 * mb, 170 * mb, 200 * mb}, // raised, live still near: kept
	} {
		if got := NextMemoryLimit(100*mb, c.limit, c.live); got != c.want {
			t.Errorf("NextMemoryLimit(100 MB, %d MB, %d MB) = %d MB, want %d MB", c.limit/mb, c.live/mb, got/mb, c.want/mb)
		}
	}
}

// A window is told how many customers its list holds once it is read and
// searchable (and again when it is read again), to govern its memory by.
func TestTheWindowSaysHowManyCustomersItHolds(t *testing.T) {
	s := shopFile(t)
	var counts []int
	app := New(s, Options{Now: fixedNow, Version: "test", Counted: func(n int) { counts = append(counts, n) }})
	app.c.timers = false
	h := &harness{t: t, app: app, s: s}
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.run(app.Init())
	want, err := s.ListCount()
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 1 || counts[0] != want || want == 0 {
		t.Fatalf("told %v, the file holds %d", counts, want)
	}
	h.run(h.customers().startLoad())
	if len(counts) != 2 || counts[1] != want {
		t.Fatalf("after reading the list again: told %v", counts)
	}
}

// GovernMemory sets the limit for the file and puts back the one there
// was when it stops; a limit the owner set is theirs.
func TestGovernMemorySetsTheLimitAndPutsItBack(t *testing.T) {
	if os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOMEMLIMIT is set: GovernMemory leaves it alone")
	}
	before := debug.SetMemoryLimit(-1)
	stop := make(chan struct{})
	GovernMemory(100_000, stop)
	if got := debug.SetMemoryLimit(-1); got != MemoryLimit(100_000) {
		t.Fatalf("limit %d, want %d", got, MemoryLimit(100_000))
	}
	close(stop)
	deadline := time.Now().Add(5 * time.Second)
	for debug.SetMemoryLimit(-1) != before {
		if time.Now().After(deadline) {
			t.Fatalf("the limit is still %d after stopping, was %d", debug.SetMemoryLimit(-1), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Setenv("GOMEMLIMIT", "1GiB")
	stop = make(chan struct{})
	defer close(stop)
	GovernMemory(100_000, stop)
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Fatalf("with GOMEMLIMIT set the limit became %d", got)
	}
}

// A closed window lets go of what it held, draws nothing, takes no
// message, and still says how start-up went.
func TestAClosedWindowLetsGoAndKeepsItsTimings(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.app.View()
	before := h.app.Timings()
	h.app.Close()
	if h.app.tabs != nil {
		t.Fatal("a closed window still holds its tabs")
	}
	if got := h.app.Timings(); got.FirstFrame != before.FirstFrame || got.SearchReady != before.SearchReady || got.SearchReady.IsZero() {
		t.Fatalf("timings after closing: %+v, before %+v", got, before)
	}
	if _, cmd := h.app.Update(tickMsg{}); cmd != nil {
		t.Fatal("a closed window answered a message")
	}
	if v := h.app.View(); v.Content != "" {
		t.Fatalf("a closed window drew %q", v.Content)
	}
	var out bytes.Buffer
	h.app.WriteTimings(&out)
	if !strings.Contains(out.String(), "search ready") {
		t.Fatalf("timings after closing:\n%s", out.String())
	}
}
