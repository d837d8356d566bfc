package ui

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// Timings are the moments start-up reached, for `patron --timings` and the
// start-up benchmarks; a zero time was not reached.
type Timings struct {
	Started     time.Time // Patron started (Options.Started)
	Opened      time.Time // the data file was opened (Options.Opened)
	FirstFrame  time.Time // the first frame that showed the Customers list
	Listed      time.Time // the whole list was read
	SearchReady time.Time // search looked at every customer
	// Settled: every tab has worked out what it shows from every record
	// (the reminders, the ladder, this month's figures), so the list's
	// next-reminder and rung columns are filled.
	Settled time.Time

	// The process's resident memory (bytes) when the list and search were
	// in and when the tabs settled, where the system says (Linux; else 0).
	ListedRSS, SearchRSS, SettledRSS uint64
	// The most resident memory up to search ready: the list and its
	// search, before the tabs work from the records.
	SearchPeakRSS uint64
}

// rss is the process's resident memory now; peakRSS its highest so far.
func rss() uint64     { return procStatus("VmRSS:") }
func peakRSS() uint64 { return procStatus("VmHWM:") }

// procStatus reads a kB figure of /proc/self/status, in bytes (0 where
// there is none).
func procStatus(field string) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// timingsOf notes the first frame that shows the Customers list; View
// calls it, as the frame is drawn.
func (a *App) noteFrame() {
	if !a.timings.FirstFrame.IsZero() {
		return
	}
	if cv, ok := a.tabs[0].view.(*customersView); ok && cv.loaded && a.active == 0 && a.w > 0 {
		a.timings.FirstFrame = time.Now()
	}
}

// noteSettled notes when every tab first had what it shows; Update calls
// it after each message.
func (a *App) noteSettled() {
	if !a.timings.Settled.IsZero() {
		return
	}
	for _, t := range a.tabs {
		switch v := t.view.(type) {
		case *customersView:
			if !v.loaded || v.loading {
				return
			}
		case *remindersView:
			if !v.evaluated {
				return
			}
		case *loyaltyView:
			if v.lists == nil || v.computing {
				return
			}
		case *insightsView:
			if len(v.cache) == 0 || v.computing {
				return
			}
		}
	}
	a.timings.Settled, a.timings.SettledRSS = time.Now(), rss()
}

// Timings says how far start-up got, and when.
func (a *App) Timings() Timings {
	t := a.timings
	if len(a.tabs) == 0 {
		return t // closed: Close kept them
	}
	if cv, ok := a.tabs[0].view.(*customersView); ok {
		t.Listed, t.SearchReady = cv.timings.listed, cv.timings.indexed
		t.ListedRSS, t.SearchRSS = cv.timings.listedRSS, cv.timings.indexedRSS
		t.SearchPeakRSS = cv.timings.indexedPeak
	}
	return t
}

// WriteTimings writes how long each step of start-up took, from Started,
// one line each, as `patron --timings` prints them when Patron exits.
func (a *App) WriteTimings(w io.Writer) {
	t := a.Timings()
	since := func(at time.Time) string {
		if at.IsZero() || t.Started.IsZero() {
			return "not reached"
		}
		return fmt.Sprintf("%.1f ms", float64(at.Sub(t.Started).Microseconds())/1000)
	}
	heap := func(n uint64) string {
		if n == 0 {
			return ""
		}
		return fmt.Sprintf("   (memory %d MB)", n>>20)
	}
	fmt.Fprintf(w, "patron timings, from start:\n")
	fmt.Fprintf(w, "  data file opened          %s\n", since(t.Opened))
	fmt.Fprintf(w, "  first page of customers   %s\n", since(t.FirstFrame))
	fmt.Fprintf(w, "  whole list read           %s%s\n", since(t.Listed), heap(t.ListedRSS))
	fmt.Fprintf(w, "  search ready              %s%s\n", since(t.SearchReady), heap(t.SearchRSS))
	if t.SearchPeakRSS > 0 {
		fmt.Fprintf(w, "  peak memory, list+search  %d MB\n", t.SearchPeakRSS>>20)
	}
	fmt.Fprintf(w, "  every tab worked out      %s%s\n", since(t.Settled), heap(t.SettledRSS))
	if rss := peakRSS(); rss > 0 {
		fmt.Fprintf(w, "  peak memory (RSS)         %d MB\n", rss>>20)
	}
}
