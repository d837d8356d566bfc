package main

// Start-up as `patron` does it (open the file, build the interface, run
// the Bubble Tea program with its renderer) on the data file `patron demo
// --customers 100000 --interactions 1000000` makes, cached in the temp
// folder under the name the store and ui benchmarks give it:
//
//	go test . -run='^$' -bench=Startup -benchtime=3x
//
// PATRON_BENCH_HUGE=1 adds the 1,000,000-customer file (slow to build).

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
	"github.com/patron-crm/patron/store/exchange"
	"github.com/patron-crm/patron/ui"
)

var startupNow = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

// startupFile is the cached demo file, with the customer of 2,000
// interactions the store's benchmarks add, built when missing.
func startupFile(b *testing.B, customers, interactions int) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("patron-bench-v%d-%dc-%di.db", store.SchemaVersion, customers, interactions))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp := path + fmt.Sprintf(".building-%d", os.Getpid())
	os.Remove(tmp)
	s, err := store.Open(tmp, store.Options{Create: true, Actor: store.CurrentActor("bench"), Now: func() time.Time { return startupNow }})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.FillDemo(store.DemoOptions{Seed: 1, Customers: customers, Interactions: interactions}); err != nil {
		b.Fatal(err)
	}
	rec := exchange.Record{Customer: model.Customer{Name: "Busy Bee Florists", Email: "orders@busybee.example"}}
	for i := range 2000 {
		rec.Interactions = append(rec.Interactions, model.Interaction{Kind: model.KindPurchase, Amount: model.Money(1000 + i),
			At: startupNow.Add(-time.Duration(i+1) * 5 * time.Hour), Note: "weekly order"})
	}
	if _, err := s.Import(&exchange.File{Format: exchange.FormatPatronJSON, Records: []exchange.Record{rec}}, store.ImportOptions{Source: "bench"}); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// probe runs the app unchanged and quits once done says so, so the
// benchmark reads the app's timings from the program's own goroutine.
type probe struct {
	app  *ui.App
	done func(ui.Timings) bool
}

func (p probe) Init() tea.Cmd { return p.app.Init() }

func (p probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := p.app.Update(msg)
	if p.done(p.app.Timings()) {
		return p, tea.Quit
	}
	return p, cmd
}

func (p probe) View() tea.View { return p.app.View() }

// BenchmarkStartup reports, from the start, the first frame that shows the
// Customers list, the whole list read, search ready and every tab worked
// out from every record (at a million customers it stops at search ready:
// working out every tab for a million takes half a minute).
func BenchmarkStartup(b *testing.B) {
	sizes := []struct {
		name                    string
		customers, interactions int
	}{{"100k", 100_000, 1_000_000}}
	untilFull := func(t ui.Timings) bool { return !t.Settled.IsZero() }
	untilSearch := func(t ui.Timings) bool { return !t.SearchReady.IsZero() && !t.FirstFrame.IsZero() }
	if os.Getenv("PATRON_BENCH_HUGE") == "1" {
		sizes = append(sizes, struct {
			name                    string
			customers, interactions int
		}{"1M", 1_000_000, 10_000_000})
	}
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			path := startupFile(b, sz.customers, sz.interactions)
			var first, listed, ready, full []float64
			for b.Loop() {
				start := time.Now()
				s, err := store.Open(path, store.Options{Actor: store.CurrentActor("tui"), Now: func() time.Time { return startupNow }})
				if err != nil {
					b.Fatal(err)
				}
				stop := make(chan struct{}) // as runTUI governs the memory
				var govern sync.Once
				app := ui.New(s, ui.Options{Now: func() time.Time { return startupNow }, Version: "bench", Started: start, Opened: time.Now(),
					Counted: func(n int) { govern.Do(func() { ui.GovernMemory(n, stop) }) }})
				until := untilFull
				if sz.customers > 100_000 {
					until = untilSearch
				}
				p := tea.NewProgram(probe{app, until}, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithWindowSize(100, 30),
					tea.WithColorProfile(colorprofile.ANSI256), tea.WithoutSignalHandler())
				_, err = p.Run()
				close(stop)
				app.Close() // its work over every customer stops: the next run measures only its own
				if err != nil {
					b.Fatal(err)
				}
				t := app.Timings()
				ms := func(at time.Time) float64 { return float64(at.Sub(start).Microseconds()) / 1000 }
				first, listed = append(first, ms(t.FirstFrame)), append(listed, ms(t.Listed))
				ready, full = append(ready, ms(t.SearchReady)), append(full, ms(t.Settled))
			}
			b.ReportMetric(median(first), "first-frame-ms")
			b.ReportMetric(median(listed), "list-read-ms")
			b.ReportMetric(median(ready), "search-ready-ms")
			if sz.customers <= 100_000 {
				b.ReportMetric(median(full), "tabs-settled-ms")
			}
		})
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
