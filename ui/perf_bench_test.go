package ui

// Issue 9's interface targets on the data file `patron demo --customers
// 100000 --interactions 1000000` makes, cached in the temp folder under
// the same name the store's benchmarks give it (built on first use):
//
//	go test ./ui -run='^$' -bench=Big -benchtime=3x
//
// PATRON_BENCH_HUGE=1 adds the 1,000,000-customer file to the start-up one.

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
	"github.com/patron-crm/patron/store/exchange"
)

var benchNow = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

var bigOnce sync.Map // path -> *sync.Once

// bigFile is the cached demo file of that size, with a customer of 2,000
// interactions added, built as store/perf_bench_test.go builds it; it must
// not be written to.
func bigFile(b *testing.B, customers, interactions int) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("patron-bench-v%d-%dc-%di.db", store.SchemaVersion, customers, interactions))
	once, _ := bigOnce.LoadOrStore(path, new(sync.Once))
	var err error
	once.(*sync.Once).Do(func() {
		if _, e := os.Stat(path); e == nil {
			return
		}
		tmp := path + fmt.Sprintf(".building-%d", os.Getpid())
		os.Remove(tmp)
		var s *store.Store
		if s, err = store.Open(tmp, store.Options{Create: true, Actor: store.CurrentActor("bench"), Now: func() time.Time { return benchNow }}); err != nil {
			return
		}
		if _, err = s.FillDemo(store.DemoOptions{Seed: 1, Customers: customers, Interactions: interactions}); err != nil {
			return
		}
		rec := exchange.Record{Customer: model.Customer{Name: "Busy Bee Florists", Email: "orders@busybee.example"}}
		for i := range 2000 {
			rec.Interactions = append(rec.Interactions, model.Interaction{Kind: model.KindPurchase, Amount: model.Money(1000 + i),
				At: benchNow.Add(-time.Duration(i+1) * 5 * time.Hour), Note: "weekly order"})
		}
		if _, err = s.Import(&exchange.File{Format: exchange.FormatPatronJSON, Records: []exchange.Record{rec}}, store.ImportOptions{Source: "bench"}); err != nil {
			return
		}
		err = os.Rename(tmp, path)
	})
	if err != nil {
		b.Fatal(err)
	}
	return path
}

func openBig(b *testing.B, path string) *store.Store {
	b.Helper()
	s, err := store.Open(path, store.Options{Actor: store.CurrentActor("bench"), Now: func() time.Time { return benchNow }})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// driver runs a model as tea.Program does: commands in goroutines, their
// messages back through one loop, Update, and a frame drawn at most every
// 16 ms (and at once when asked).
type driver struct {
	app   *App
	msgs  chan tea.Msg
	stop  chan struct{}
	drawn time.Time
}

func newDriver(app *App) *driver {
	return &driver{app: app, msgs: make(chan tea.Msg, 1024), stop: make(chan struct{})}
}

func (d *driver) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	// Not d itself: a timer's command outlives the run (a day's tick), and
	// must not keep the whole interface alive after it.
	msgs, stop := d.msgs, d.stop
	go func() {
		msg := cmd()
		select {
		case msgs <- msg:
		case <-stop:
		}
	}()
}

func (d *driver) update(msg tea.Msg) {
	switch m := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range m {
			d.exec(c)
		}
	default:
		_, cmd := d.app.Update(m)
		d.exec(cmd)
		if time.Since(d.drawn) >= 16*time.Millisecond || d.app.timings.FirstFrame.IsZero() {
			d.app.View()
			d.drawn = time.Now()
		}
	}
}

// runUntil handles messages until done says so, or fails after limit.
func (d *driver) runUntil(b *testing.B, limit time.Duration, done func() bool) {
	b.Helper()
	deadline := time.After(limit)
	for !done() {
		select {
		case msg := <-d.msgs:
			d.update(msg)
		case <-deadline:
			b.Fatalf("not done after %v: %+v", limit, d.app.Timings())
		}
	}
}

// close stops the run, and the interface's work over every customer, and
// lets go of the messages not handled (a timer's goroutine keeps the
// channel, and so them, for a day), so the next run measures only its own.
func (d *driver) close() {
	close(d.stop)
	d.app.Close()
	for {
		select {
		case <-d.msgs:
		default:
			return
		}
	}
}

// BenchmarkBigStartup is what `patron` does up to the first frame of the
// Customers list (open the file, build the interface, read the first page,
// draw), then on until search looks at every customer and every tab has
// worked out what it shows. It reports each moment from the start.
func BenchmarkBigStartup(b *testing.B) {
	sizes := []struct {
		name                    string
		customers, interactions int
	}{{"100k", 100_000, 1_000_000}}
	if os.Getenv("PATRON_BENCH_HUGE") == "1" {
		sizes = append(sizes, struct {
			name                    string
			customers, interactions int
		}{"1M", 1_000_000, 10_000_000})
	}
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			path := bigFile(b, sz.customers, sz.interactions)
			var first, listed, ready, full []float64
			for b.Loop() {
				start, app, d := startBig(b, path)
				done := func() bool { return !app.Timings().Settled.IsZero() }
				if sz.customers > 100_000 {
					// A million whole records take half a minute and gigabytes.
					done = func() bool { return !app.Timings().SearchReady.IsZero() && !app.Timings().FirstFrame.IsZero() }
				}
				d.runUntil(b, 5*time.Minute, done)
				d.close()
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

// startBig opens the file at path, as Patron starts, and drives the
// interface's first steps: its size, then what Init asks for. The memory
// is governed as `patron` governs it, until the driver is closed.
func startBig(b *testing.B, path string) (time.Time, *App, *driver) {
	start := time.Now()
	s := openBig(b, path)
	stop := make(chan struct{})
	var govern sync.Once
	app := New(s, Options{Now: func() time.Time { return benchNow }, Started: start, Opened: time.Now(),
		Counted: func(n int) { govern.Do(func() { GovernMemory(n, stop) }) }})
	d := newDriver(app)
	d.stop = stop
	d.update(tea.WindowSizeMsg{Width: 100, Height: 30})
	d.exec(app.Init())
	return start, app, d
}

// BenchmarkBigListMemory is the memory of the Customers list at 100,000
// customers once its first page, the whole list and the search index are
// in: heap-MB is the live heap then (after a collection), rss-MB the
// process's resident memory and peak-rss-MB its most since the start
// (Linux; the peak is reset before each start, after the previous one's
// memory was handed back), ms how long it took.
func BenchmarkBigListMemory(b *testing.B) {
	memoryRuns(b, func(app *App) bool { return !app.Timings().SearchReady.IsZero() },
		func(t Timings) (rss, peak uint64) { return t.SearchRSS, t.SearchPeakRSS })
}

// BenchmarkBigSessionMemory is the memory of Patron at 100,000 customers
// once everything a session holds is in: the list and its search, the
// reminders worked out (the list's "next reminder" column), the ladder
// (its rung column) and this month's figures, every tab having read every
// record. This is what an owner sees in ps once Patron has sat open on the
// Customers list for a few seconds (target: peak RSS under 150 MB).
//
//	go test ./ui -run='^$' -bench=BigSessionMemory -benchtime=3x    # on its own
func BenchmarkBigSessionMemory(b *testing.B) {
	memoryRuns(b, func(app *App) bool { return !app.Timings().Settled.IsZero() },
		func(Timings) (uint64, uint64) { return rss(), peakRSS() })
}

// memoryRuns starts the interface on the big file until done says so,
// and reports the live heap then (with what the window holds, once the
// work under way is done and none other may begin), the resident memory
// and its peak (as figures says), and how long it took.
func memoryRuns(b *testing.B, done func(*App) bool, figures func(Timings) (rss, peak uint64)) {
	path := bigFile(b, 100_000, 1_000_000)
	var heap, res, peak, took []float64
	for b.Loop() {
		runtime.GC()
		debug.FreeOSMemory()
		resetPeakRSS()
		start, app, d := startBig(b, path)
		d.runUntil(b, 2*time.Minute, func() bool { return done(app) })
		took = append(took, float64(time.Since(start).Milliseconds()))
		r, p := figures(app.Timings())
		res, peak = append(res, float64(r)/(1<<20)), append(peak, float64(p)/(1<<20))
		app.c.closed.Store(true) // no more work over every customer begins
		app.c.heavy.Lock()       // and the one under way is done
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = append(heap, float64(ms.HeapAlloc)/(1<<20))
		if p := os.Getenv("PATRON_BENCH_HEAPPROFILE"); p != "" {
			writeHeapProfile(b, p)
		}
		app.c.heavy.Unlock()
		d.close()
	}
	b.ReportMetric(median(took), "ms")
	b.ReportMetric(median(heap), "heap-MB")
	b.ReportMetric(median(res), "rss-MB")
	b.ReportMetric(median(peak), "peak-rss-MB")
}

// resetPeakRSS starts the process's peak resident memory afresh from now
// (Linux: writing 5 to clear_refs; elsewhere nothing).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// loadedView is the Customers tab with the whole big file read and its
// search index built.
func loadedView(b *testing.B) *customersView {
	b.Helper()
	s := openBig(b, bigFile(b, 100_000, 1_000_000))
	c := &common{store: s, now: func() time.Time { return benchNow }, styles: NewStyles(true), settings: model.DefaultSettings()}
	v := newCustomersView(c)
	v.SetSize(100, 26)
	// Load as the app does, each message in turn.
	queue := []tea.Cmd{v.startLoad()}
	for len(queue) > 0 {
		cmd := queue[0]
		queue = queue[1:]
		if cmd == nil {
			continue
		}
		switch msg := cmd().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			_, next := v.Update(msg)
			queue = append(queue, next)
		}
	}
	if v.index == nil || v.loading {
		b.Fatal("the list did not load")
	}
	return v
}

// benchQueries are what owners type at the counter, drawn from the file:
// first names, surnames, "first la", phone digits as written and as bare
// digits, emails, and names with a typo.
func benchQueries(v *customersView, n int) []string {
	r := rand.New(rand.NewPCG(9, 9))
	var out []string
	ids := v.ids
	pick := func() *listCustomer {
		for {
			e := v.byID[ids[r.IntN(len(ids))]]
			if e != nil && e.c.Active() {
				return &e.c
			}
		}
	}
	words := func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return !isWordRune(r) })
	}
	for len(out) < n {
		c := pick()
		w := words(c.Name)
		if len(w) == 0 {
			continue
		}
		switch len(out) % 7 {
		case 0: // a first name
			out = append(out, strings.ToLower(w[0]))
		case 1: // a surname
			out = append(out, strings.ToLower(w[len(w)-1]))
		case 2: // first name and the start of the surname
			last := w[len(w)-1]
			out = append(out, strings.ToLower(w[0]+" "+last[:min(len(last), 2)]))
		case 3: // phone digits as written
			if c.Phone != "" {
				out = append(out, c.Phone)
			}
		case 4: // bare digits of the phone's last seven
			if d := model.PhoneDigits(c.Phone); len(d) >= 7 {
				out = append(out, d[len(d)-7:])
			}
		case 5: // an email
			if c.Email != "" {
				out = append(out, c.Email)
			}
		case 6: // a surname with two letters swapped
			last := []rune(strings.ToLower(w[len(w)-1]))
			if len(last) >= 5 {
				i := 1 + r.IntN(len(last)-2)
				last[i], last[i+1] = last[i+1], last[i]
				out = append(out, string(last))
			}
		}
	}
	return out
}

// keystroke types one key into the search field and waits for the frame
// that shows its result: the key's Update, the search (run here, as its
// tea.Cmd would), the result's Update and the drawing of the view.
func keystroke(v *customersView, key tea.KeyPressMsg) {
	_, cmd := v.Update(key)
	for _, msg := range runForSearch(cmd) {
		v.Update(msg)
	}
	_ = v.View()
}

// runForSearch runs the search commands among cmd and returns their
// messages; timers (the cursor's blink) are left alone.
func runForSearch(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	var out []tea.Msg
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case msg := <-ch:
		switch m := msg.(type) {
		case tea.BatchMsg:
			for _, c := range m {
				out = append(out, runForSearch(c)...)
			}
		case searchDoneMsg, indexMsg:
			out = append(out, m)
		}
	case <-time.After(200 * time.Millisecond):
		// A timer: not part of the frame.
	}
	return out
}

func typed(r rune) tea.KeyPressMsg {
	if r == ' ' {
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	return tea.KeyPressMsg{Code: r, Text: string(r)}
}

// BenchmarkBigSearchKeystroke types realistic queries into the search at
// 100,000 customers, one key at a time, and reports the 95th percentile of
// key-to-frame time for each query length 1..8 (target: under 16 ms).
func BenchmarkBigSearchKeystroke(b *testing.B) {
	v := loadedView(b)
	byLen := make([][]float64, 9)
	typeQueries(b, v, func(n int, ms float64) { byLen[n] = append(byLen[n], ms) })
	worst := 0.0
	for n := 1; n <= 8; n++ {
		p := percentile(byLen[n], 0.95)
		worst = max(worst, p)
		b.ReportMetric(p, fmt.Sprintf("p95-len%d-ms", n))
	}
	b.ReportMetric(worst, "p95-worst-ms")
}

// typeQueries opens the search and, for each b.Loop, types realistic
// queries into it a key at a time, up to 8, timing each key to its frame
// (took gets the query's length so far and the milliseconds), then clears
// the field as the owner would, a key at a time.
func typeQueries(b *testing.B, v *customersView, took func(n int, ms float64)) {
	queries := benchQueries(v, 70)
	v.Update(press("/"))
	for b.Loop() {
		for _, q := range queries {
			n := 0
			for _, r := range q {
				if n++; n > 8 {
					break
				}
				t0 := time.Now()
				keystroke(v, typed(r))
				took(n, float64(time.Since(t0).Microseconds())/1000)
			}
			for range min(utf8.RuneCountInString(q), 8) {
				keystroke(v, press("backspace"))
			}
		}
	}
}

// BenchmarkBigSessionKeystroke is BenchmarkBigSearchKeystroke in the
// whole interface once every tab has worked out what it shows, its memory
// governed as `patron` governs it: the collector has less room there, and
// a keystroke must not wait for it (target: under 16 ms at p95).
func BenchmarkBigSessionKeystroke(b *testing.B) {
	_, app, d := startBig(b, bigFile(b, 100_000, 1_000_000))
	defer d.close()
	d.runUntil(b, 2*time.Minute, func() bool { return !app.Timings().Settled.IsZero() })
	var all []float64
	typeQueries(b, app.tabs[0].view.(*customersView), func(_ int, ms float64) { all = append(all, ms) })
	b.ReportMetric(percentile(all, 0.95), "p95-ms")
	b.ReportMetric(percentile(all, 0.99), "p99-ms")
}

// BenchmarkBigSearchIndex builds the search index over the big file's
// customers, as happens once the list is read.
func BenchmarkBigSearchIndex(b *testing.B) {
	v := loadedView(b)
	docs := make([]searchDoc, 0, len(v.ids))
	for _, id := range v.ids {
		docs = append(docs, entryDoc(v.byID[id]))
	}
	b.ResetTimer()
	for b.Loop() {
		newCustomerSearch(docs)
	}
}

// writeHeapProfile writes the heap's profile to path, for
// `go tool pprof -sample_index=inuse_space`.
func writeHeapProfile(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
}
