package ui

import (
	"fmt"
	"io"
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
	FullLoad    time.Time // every customer's record was read (Loyalty, Reminders)
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

// Timings says how far start-up got, and when.
func (a *App) Timings() Timings {
	t := a.timings
	if cv, ok := a.tabs[0].view.(*customersView); ok {
		t.Listed, t.SearchReady, t.FullLoad = cv.timings.listed, cv.timings.indexed, cv.timings.full
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
	fmt.Fprintf(w, "patron timings, from start:\n")
	fmt.Fprintf(w, "  data file opened          %s\n", since(t.Opened))
	fmt.Fprintf(w, "  first page of customers   %s\n", since(t.FirstFrame))
	fmt.Fprintf(w, "  whole list read           %s\n", since(t.Listed))
	fmt.Fprintf(w, "  search ready              %s\n", since(t.SearchReady))
	fmt.Fprintf(w, "  every record read         %s\n", since(t.FullLoad))
}
