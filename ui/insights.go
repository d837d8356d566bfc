package ui

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// The Insights tab (issue 7): is the shop keeping its customers? A month,
// quarter or year of figures beside the one before, each change marked up
// or down. The figures are worked out in a tea.Cmd over the customers the
// Customers tab lists, their records read a chunk at a time, and the log:
// when the
// period moves, and a moment after the data last changed, so a burst of
// saves costs one walk of the log and an idle window costs nothing.

// insightsSettle is how long the data must stay still before the figures
// are worked out again.
const insightsSettle = 1500 * time.Millisecond

// insightsWide is the width from which the charts stand beside the figures
// instead of under the rows they belong to.
const insightsWide = 110

// insightsKeys are the Insights tab's keys.
type insightsKeys struct {
	moveKeys
	Open, Earlier, Later, Length, Back key.Binding
}

func newInsightsKeys() insightsKeys {
	return insightsKeys{
		moveKeys: newMoveKeys("first", "last"),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "who")),
		Earlier:  key.NewBinding(key.WithKeys("["), key.WithHelp("[", "earlier")),
		Later:    key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "later")),
		Length:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "month/quarter/year")),
		Back:     key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back")),
	}
}

// insightsBasis is what the figures rest on besides their span: the
// customers as loaded, the shop day and the settings. A report worked out
// on another basis is out of date.
type insightsBasis struct {
	data     int // customersView.dataGen
	load     int // customersView.loadGen
	day      string
	settings int
}

// spanKey names one report: the length of its period and its first day.
type spanKey struct {
	period model.Period
	start  int64
}

func keyOf(s model.Span) spanKey { return spanKey{s.Period, s.Start.Unix()} }

// insightsResult is one worked-out report, or why there is none.
type insightsResult struct {
	report *model.Report
	empty  bool // nothing is logged yet
	err    string
}

type (
	insightsDoneMsg struct {
		gen   int
		key   spanKey
		basis insightsBasis
		res   insightsResult
	}
	// insightsSettleMsg says the data has had time to settle.
	insightsSettleMsg struct{}
)

// insightsView is the Insights tab.
type insightsView struct {
	c    *common
	src  *customersView // the customers listed
	w, h int
	keys insightsKeys

	period model.Period
	at     time.Time // a moment in the span shown; zero follows today

	basis     insightsBasis // what the cache was worked out on
	cache     map[spanKey]insightsResult
	settings  int // counts settings changes and reloads
	computing bool
	gen       int
	waiting   bool // a settle tick is out
	settled   bool // the settle tick came: work it out now
	spin      spinner.Model
	spinning  bool

	zone     *time.Location
	zoneName string

	cursor int
	offset int // the first line of the figures shown
	behind *behindList
}

func newInsightsView(c *common, src *customersView) *insightsView {
	return &insightsView{c: c, src: src, keys: newInsightsKeys(), period: model.PeriodMonth,
		cache: map[spanKey]insightsResult{}, spin: spinner.New(spinner.WithSpinner(spinner.MiniDot))}
}

// addInsightsTab puts the Insights tab in its place, number 5.
func (a *App) addInsightsTab() {
	cv, ok := a.tabs[0].view.(*customersView)
	if !ok {
		return
	}
	t := tab{num: 5, view: newInsightsView(a.c, cv)}
	at := len(a.tabs)
	for i, x := range a.tabs {
		if x.num > t.num {
			at = i
			break
		}
	}
	a.tabs = slices.Insert(a.tabs, at, t)
}

// Title names the tab.
func (v *insightsView) Title() string { return "Insights" }

// Status is the footer's note.
func (v *insightsView) Status() string {
	if v.computing {
		return "working out the figures…"
	}
	return ""
}

func (v *insightsView) SetSize(w, h int) {
	v.w, v.h = w, h
	if v.behind != nil {
		v.behind.clamp(v.behindRows())
	}
}

// loc is the shop's time zone, read once per setting rather than per draw.
func (v *insightsView) loc() *time.Location {
	if v.zone == nil || v.zoneName != v.c.settings.TimeZone {
		v.zone, v.zoneName = v.c.settings.Location(), v.c.settings.TimeZone
	}
	return v.zone
}

// span is the span the owner asked for.
func (v *insightsView) span() model.Span {
	at := v.at
	if at.IsZero() {
		at = v.c.now()
	}
	return model.SpanOf(v.period, at, v.loc())
}

// shown is the report for the span asked for, when it has been worked out.
func (v *insightsView) shown() (insightsResult, bool) {
	r, ok := v.cache[keyOf(v.span())]
	return r, ok
}

func (v *insightsView) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case settingsMsg, reloadMsg:
		v.settings++
	case lostReasonsMsg:
		if msg.list == v.behind { // still open
			v.behind.reasons = msg.reasons
		}
		return v, nil
	case insightsDoneMsg:
		if msg.gen != v.gen {
			return v, nil
		}
		v.computing = false
		if msg.basis != v.basis {
			v.cache = map[spanKey]insightsResult{}
			v.basis = msg.basis
		}
		v.cache[msg.key] = msg.res
		v.clampCursor()
	case insightsSettleMsg:
		v.waiting, v.settled = false, true
	case spinner.TickMsg:
		if msg.ID != v.spin.ID() {
			return v, nil
		}
		if !v.computing {
			v.spinning = false
			return v, nil
		}
		var cmd tea.Cmd
		v.spin, cmd = v.spin.Update(msg)
		return v, cmd
	case tea.KeyPressMsg:
		return v, tea.Batch(v.handleKey(msg), v.maybeCompute())
	case tea.MouseWheelMsg:
		if m := msg.Mouse(); m.Button == tea.MouseWheelUp {
			v.scroll(-3)
		} else if m.Button == tea.MouseWheelDown {
			v.scroll(3)
		}
	}
	return v, v.maybeCompute()
}

// currentBasis is what the figures would rest on now.
func (v *insightsView) currentBasis() insightsBasis {
	return insightsBasis{data: v.src.dataGen, load: v.src.loadGen, settings: v.settings,
		day: v.c.now().In(v.loc()).Format(model.DayFormat)}
}

// maybeCompute works out the span asked for when it has not been yet, and
// again when the customers, the day or the settings changed; a change to
// the customers alone waits until they settle while older figures show.
func (v *insightsView) maybeCompute() tea.Cmd {
	src := v.src
	if v.computing || !src.loaded || src.loading || src.loadErr != "" {
		return nil
	}
	cur := v.currentBasis()
	want := keyOf(v.span())
	if v.basis == cur {
		if _, ok := v.cache[want]; ok {
			return nil
		}
		return v.compute(want, cur)
	}
	onlyData := v.basis.day == cur.day && v.basis.settings == cur.settings && v.basis.load == cur.load
	if _, ok := v.cache[want]; ok && onlyData && !v.settled && v.c.timers {
		if v.waiting {
			return nil
		}
		v.waiting = true
		return v.c.after(insightsSettle, insightsSettleMsg{})
	}
	return v.compute(want, cur)
}

// compute works out one report in a tea.Cmd, over a snapshot of the
// listed customers (entries are never changed once made, so the tea.Cmd
// may read them while the list moves on), their records read into the
// report's builder a chunk at a time.
func (v *insightsView) compute(want spanKey, basis insightsBasis) tea.Cmd {
	v.settled = false
	v.computing = true
	v.gen++
	gen := v.gen
	snapshot := snapshotCustomers(v.src)
	p, at := want.period, time.Unix(want.start, 0)
	work := v.c.oneAtATime(func(s *store.Store) tea.Msg {
		empty := true
		r, err := s.InsightsFed(p, at, len(snapshot), func(add func([]model.Customer)) error {
			return eachChunk(s, snapshot, insightsChunk, func(chunk []model.Customer) {
				empty = empty && nobodyLogged(chunk)
				add(chunk)
			})
		})
		res := insightsResult{empty: empty}
		if err != nil {
			res.err = err.Error()
		} else {
			res.report = &r
		}
		return insightsDoneMsg{gen: gen, key: want, basis: basis, res: res}
	})
	if v.spinning || !v.c.timers {
		return work
	}
	v.spinning = true
	return tea.Batch(work, v.spin.Tick)
}

// snapshotCustomers takes every loaded customer's entry, on the update
// loop; entries are never changed once made.
func snapshotCustomers(src *customersView) []*entry {
	out := make([]*entry, 0, len(src.ids))
	for _, id := range src.ids {
		if e := src.byID[id]; e != nil {
			out = append(out, e)
		}
	}
	return out
}

// insightsChunk is how many customers are unpacked for the report at a
// time; the report keeps about 40 bytes of each.
const insightsChunk = 2048

// nobodyLogged says nothing has been logged for anyone yet.
func nobodyLogged(customers []model.Customer) bool {
	for i := range customers {
		if customers[i].Stats.Interactions > 0 {
			return false
		}
	}
	return true
}

func (v *insightsView) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if r, ok := v.shown(); ok && r.err != "" {
		delete(v.cache, keyOf(v.span())) // try again
	}
	if v.behind != nil {
		return v.behindKey(msg)
	}
	k := v.keys
	rows := v.rows()
	if by, ok := k.step(msg, len(rows), max(1, v.h/2)); ok {
		v.cursor = max(0, min(len(rows)-1, v.cursor+by))
		if v.cursor == 0 {
			v.offset = 0
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Earlier):
		v.at = v.span().Previous().Start
		return sayInfo(v.periodSentence())
	case key.Matches(msg, k.Later):
		next := v.span().Next()
		if next.Start.After(v.c.now()) {
			return sayInfo(v.span().Label() + " is the current " + string(v.period) + "; there is no later one yet.")
		}
		v.at = next.Start
		if next.Contains(v.c.now()) {
			v.at = time.Time{} // back to today: follow it as days pass
		}
		return sayInfo(v.periodSentence())
	case key.Matches(msg, k.Length):
		s := v.span()
		v.period = v.period.Next()
		if !v.at.IsZero() && !model.SpanOf(v.period, v.at, s.Start.Location()).Contains(v.c.now()) {
			v.at = s.Start
		} else {
			v.at = time.Time{}
		}
		return sayInfo(v.periodSentence())
	case key.Matches(msg, k.Open):
		return v.openBehind()
	}
	return nil
}

// periodSentence says which span is shown after [, ] or p.
func (v *insightsView) periodSentence() string {
	s := v.span()
	return "Showing " + s.Label() + " beside " + s.Previous().Label() + "."
}

// ---- the rows ----

// insightRow is one line of figures: a figure, or a part of one (a
// reason, a category) indented under it.
type insightRow struct {
	fig   model.Figure
	part  string // a lost reason, a complaint category, "win-back"...; "" for the whole figure
	label string
	short string // the label on a narrow window
	sub   bool
	cur   string
	prev  string
	// curShort and prevShort are cur and prev without their explanation
	// ("62%" for "62% (12,345 of 19,900)"), when those do not fit.
	curShort, prevShort string
	dir                 int // +1 up, -1 down, 0 the same or unknown
	change              string
	better              int
	ids                 []model.ID // the customers behind the current span's figure
	what                string     // who they are, for the list's title
	chart               insightChart
}

// insightChart names a chart drawn as a row of its own under the figures
// on a narrow window (beside them on a wide one).
type insightChart int

const (
	noChart insightChart = iota
	chartVisits
	chartRevenue
	chartSatisfaction
)

// The parts of the lapsed figure, as rows.
const (
	partWinBack  = "win-back"
	partThinking = "thinking-of-you"
)

// shortLabels fit the figures' names in a narrow column.
var shortLabels = map[model.Figure]string{
	model.FigureRepeat:         "Repeat purchases",
	model.FigureReturningShare: "Revenue, returning",
	model.FigureLapsed:         "Lapsed (today)",
	model.FigureAverageGap:     "Average visit gap",
	model.FigureMedianGap:      "Median visit gap",
	model.FigureResolveDays:    "Days to resolve",
	model.FigureSatisfaction:   "Satisfaction",
}

// rows are the figures of the report shown, with their parts.
func (v *insightsView) rows() []insightRow {
	res, ok := v.shown()
	if !ok || res.report == nil || res.empty {
		return nil
	}
	r := res.report
	cur, prev := r.Current, r.Previous
	money := v.c.settings.Money()
	cs, ps := cur.Span.Label(), prev.Span.Label()
	var rows []insightRow
	count := func(fig model.Figure, part, label, what string, better int, ids []model.ID, a, b int, hasB bool) insightRow {
		row := insightRow{fig: fig, part: part, label: label, short: label, sub: true, cur: thousands(a), prev: "—",
			better: better, ids: ids, what: what}
		if hasB {
			row.prev = thousands(b)
			row.dir, row.change = countChange(a, b)
		}
		return row
	}
	for _, fi := range model.FigureList {
		row := insightRow{fig: fi.Figure, label: fi.Label, short: fi.Label, better: fi.Better,
			cur: cur.Display(fi.Figure, money), prev: prev.Display(fi.Figure, money),
			curShort: cur.DisplayShort(fi.Figure, money), prevShort: prev.DisplayShort(fi.Figure, money),
			ids: cur.CustomersBehind(fi.Figure, ""), what: behindWhat(fi.Figure, "", cs, ps, v.current())}
		if s, ok := shortLabels[fi.Figure]; ok {
			row.short = s
		}
		if fi.Figure == model.FigureLapsed {
			row.label = "Lapsed customers (today)"
		}
		row.dir, row.change = model.Change(fi.Figure, cur, prev, money)
		rows = append(rows, row)
		switch fi.Figure {
		case model.FigureRetention:
			if prev.Retention.Whole > 0 || cur.Retention.Whole > 0 {
				a, b := cur.CustomersBehind(model.FigureNotRetained, ""), prev.CustomersBehind(model.FigureNotRetained, "")
				rows = append(rows, count(model.FigureNotRetained, "", "not back yet", behindWhat(model.FigureNotRetained, "", cs, ps, v.current()),
					-1, a, len(a), len(b), true))
			}
		case model.FigureLapsed:
			if l := cur.Lapsed; l != nil {
				rows = append(rows,
					count(model.FigureLapsed, partWinBack, "win-back", behindWhat(model.FigureLapsed, partWinBack, cs, ps, true), -1, l.WinBack, len(l.WinBack), 0, false),
					count(model.FigureLapsed, partThinking, "thinking of you", behindWhat(model.FigureLapsed, partThinking, cs, ps, true), -1, l.ThinkingOfYou, len(l.ThinkingOfYou), 0, false))
			}
		case model.FigureLost:
			for _, c := range cur.LostByReason {
				b := countOf(prev.LostByReason, c.Name)
				if c.N == 0 && b == 0 {
					continue
				}
				label := c.Name
				if label == model.NoReason {
					label = "no reason given"
				}
				rows = append(rows, count(model.FigureLost, c.Name, label, behindWhat(model.FigureLost, label, cs, ps, true), -1,
					cur.CustomersBehind(model.FigureLost, c.Name), c.N, b, true))
			}
			for _, c := range prev.LostByReason {
				if c.N > 0 && c.Name == model.NoReason && countOf(cur.LostByReason, c.Name) == 0 {
					rows = append(rows, count(model.FigureLost, c.Name, "no reason given", "", -1, nil, 0, c.N, true))
				}
			}
		case model.FigureComplaints:
			seen := map[string]bool{}
			add := func(name string) {
				if seen[name] {
					return
				}
				seen[name] = true
				label := clean(name)
				if name == model.NoReason {
					label = "no category"
				}
				rows = append(rows, count(model.FigureComplaints, name, label, behindWhat(model.FigureComplaints, label, cs, ps, true), -1,
					cur.CustomersBehind(model.FigureComplaints, name), countOf(cur.ComplaintsByCategory, name), countOf(prev.ComplaintsByCategory, name), true))
			}
			for _, c := range cur.ComplaintsByCategory {
				add(c.Name)
			}
			for _, c := range prev.ComplaintsByCategory {
				add(c.Name)
			}
		}
	}
	if !v.wide() {
		// The charts follow the figures, each a row enter opens like its figure's.
		for _, ch := range []struct {
			chart insightChart
			fig   model.Figure
		}{{chartVisits, model.FigureVisits}, {chartRevenue, model.FigureRevenue}, {chartSatisfaction, model.FigureSatisfaction}} {
			info, _ := model.InfoOf(ch.fig)
			rows = append(rows, insightRow{fig: ch.fig, label: info.Label, chart: ch.chart,
				ids: cur.CustomersBehind(ch.fig, ""), what: behindWhat(ch.fig, "", cs, ps, v.current())})
		}
	}
	return rows
}

// current says whether the span shown is the one still running.
func (v *insightsView) current() bool { return v.span().Contains(v.c.now()) }

func countOf(list []model.Count, name string) int {
	for _, c := range list {
		if c.Name == name {
			return c.N
		}
	}
	return 0
}

// countChange compares two counts as model.Change does.
func countChange(a, b int) (int, string) {
	switch d := a - b; {
	case d > 0:
		return 1, "+" + model.GroupDigits(d)
	case d < 0:
		return -1, model.GroupDigits(d)
	}
	return 0, "no change"
}

// behindWhat says who the customers behind a figure are, after "12
// customers who": cur and prev name the spans; running says the current
// one is still going.
func behindWhat(fig model.Figure, part, cur, prev string, running bool) string {
	switch fig {
	case model.FigureRetention:
		return "bought in " + prev + " and again in " + cur
	case model.FigureNotRetained:
		if running {
			return "bought in " + prev + " but not yet in " + cur
		}
		return "bought in " + prev + " but not in " + cur
	case model.FigureRepeat:
		return "bought in " + cur + " and had bought before, or bought on two or more days"
	case model.FigureNewCustomers:
		return "made their first purchase in " + cur
	case model.FigureReturning, model.FigureReturningShare:
		return "bought in " + cur + " and had bought before it"
	case model.FigureRevenue:
		return "bought in " + cur
	case model.FigureLapsed:
		switch part {
		case partWinBack:
			return "are regulars who have lapsed: a win-back reminder is due"
		case partThinking:
			return "have had no contact for longer than usual: a thinking-of-you reminder is due"
		}
		return "are due a win-back or thinking-of-you reminder today"
	case model.FigureVisits:
		return "came to the shop in " + cur
	case model.FigureAverageGap, model.FigureMedianGap:
		return "came back in " + cur + " after an earlier visit"
	case model.FigureLost:
		if part != "" {
			return "were marked lost in " + cur + " (" + part + ")"
		}
		return "were marked lost in " + cur
	case model.FigureComplaints:
		if part != "" {
			return "complained in " + cur + " (" + part + ")"
		}
		return "complained in " + cur
	case model.FigureOpenComplaints:
		return "complained in " + cur + " and are still waiting"
	case model.FigureResolveDays:
		return "had a complaint from " + cur + " resolved"
	case model.FigureSatisfaction:
		return "gave feedback in " + cur
	case model.FigureCardsSent:
		return "were sent a card in " + cur
	case model.FigureRewardsRedeemed:
		return "redeemed a reward in " + cur
	}
	return "are behind this figure"
}

func (v *insightsView) clampCursor() {
	n := len(v.rows())
	v.cursor = max(0, min(v.cursor, n-1))
}

// scroll answers the mouse wheel: it moves the selection (and the window
// with it) by n rows, or through the open list.
func (v *insightsView) scroll(n int) {
	if v.behind != nil {
		v.behind.move(n, v.behindRows())
		return
	}
	v.cursor = max(0, min(len(v.rows())-1, v.cursor+n))
}

// ---- drawing ----

// insightCols are the widths of the figures' columns.
type insightCols struct {
	label, value, change int
	prev, short          bool
}

// insightColumns fits the columns into w cells: full labels when there is
// room, then short ones, and at last without the previous period.
func insightColumns(w int) insightCols {
	avail := w - 2 // the selection marker
	c := insightCols{label: 26, value: 15, prev: true}
	if c.change = avail - c.label - 2*(c.value+1) - 1; c.change >= 10 {
		return c
	}
	c = insightCols{label: 22, value: 14, prev: true, short: true}
	if c.change = avail - c.label - 2*(c.value+1) - 1; c.change >= 1 {
		return c
	}
	c.prev = false
	c.change = avail - c.label - (c.value + 1) - 1
	if c.change < 1 {
		c.label = max(1, c.label+c.change-1)
		c.change = 1
	}
	return c
}

// insightsLayout is the figures as lines, each row's first and last line
// (end is one past it), and how many lines the window has room for.
type insightsLayout struct {
	lines      []string
	start, end []int
	room       int
	wide       bool
	cols       insightCols
}

// wide says whether the charts stand beside the figures.
func (v *insightsView) wide() bool { return v.w >= insightsWide && v.h >= 24 }

// tableWidth is how wide the figures are drawn.
func (v *insightsView) tableWidth() int {
	if v.wide() {
		return min(80, v.w-36)
	}
	return v.w
}

func (v *insightsView) layout() insightsLayout {
	tw := v.tableWidth()
	lay := insightsLayout{room: max(1, v.h-2), wide: v.wide(), cols: insightColumns(tw)}
	res, ok := v.shown()
	if !ok || res.report == nil {
		return lay
	}
	r := res.report
	for i, row := range v.rows() {
		lay.start = append(lay.start, len(lay.lines))
		if row.chart == noChart {
			lay.lines = append(lay.lines, v.rowLine(row, i == v.cursor, lay.cols, tw))
		} else {
			lay.lines = append(lay.lines, "")
			lay.lines = append(lay.lines, v.chartLines(r, row.chart, i == v.cursor, tw, lay.room-2)...)
		}
		lay.end = append(lay.end, len(lay.lines))
	}
	return lay
}

// rowLine draws one row of figures in tw cells.
func (v *insightsView) rowLine(row insightRow, selected bool, c insightCols, tw int) string {
	st := v.c.styles
	label := row.label
	if c.short {
		label = row.short
	}
	if row.sub {
		label = "  " + label
	}
	fit := func(full, short string) string {
		if width(full) > c.value && short != "" {
			return short
		}
		return full
	}
	line := padRight(label, c.label) + " " + padLeft(fit(row.cur, row.curShort), c.value)
	if c.prev {
		line += " " + padLeft(fit(row.prev, row.prevShort), c.value)
	}
	arrow, text := changeParts(row.dir, row.change)
	cell := ""
	switch {
	case text == "":
	case arrow == "" && width(text) > c.change:
		cell = "=" // no change, in a narrow column
	case arrow == "":
		cell = text
	case width(arrow+" "+text) <= c.change:
		cell = arrow + " " + text
	case arrow != "":
		cell = arrow
	}
	if selected {
		return st.Selected.Render(padRight("> "+line+" "+cell, tw))
	}
	if cell != "" && arrow != "" {
		switch good := row.dir * row.better; {
		case good > 0:
			cell = st.Success.Render(cell)
		case good < 0:
			cell = st.Error.Render(cell)
		default:
			cell = st.Subtle.Render(cell)
		}
	} else if cell != "" {
		cell = st.Subtle.Render(cell)
	}
	if cell == "" {
		return "  " + line
	}
	return "  " + line + " " + cell
}

// changeParts splits a change into its arrow and its size: ▲ for up and
// ▼ for down, so the direction shows without colour too.
func changeParts(dir int, text string) (string, string) {
	switch dir {
	case 1:
		return "▲", strings.TrimPrefix(text, "+")
	case -1:
		return "▼", strings.TrimPrefix(text, "-")
	}
	return "", text
}

// chartLines draws a chart as a row: its title line takes the selection,
// the chart itself is indented under it.
func (v *insightsView) chartLines(r *model.Report, ch insightChart, selected bool, w, tall int) []string {
	var lines []string
	cw := max(1, w-4)
	switch ch {
	case chartVisits:
		lines = v.visitsChart(r, cw)
	case chartRevenue:
		lines = v.revenueChart(r, cw, tall)
	case chartSatisfaction:
		lines = v.satisfactionChart(r, cw)
	}
	if len(lines) == 0 {
		return nil
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = "    " + l
	}
	if selected {
		out[0] = v.c.styles.Selected.Render(padRight("> "+ansi.Strip(lines[0]), w))
	} else {
		out[0] = "  " + lines[0]
	}
	return out
}

// stretch repeats every cell of a sparkline n times, so 12 weeks are
// wider than 12 cells.
func stretch(s string, n int) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteString(strings.Repeat(string(r), n))
	}
	return b.String()
}

// ends writes two labels at the ends of w cells.
func ends(left, right string, w int) string {
	if width(left)+1+width(right) > w {
		return truncate(left, w)
	}
	return left + strings.Repeat(" ", w-width(left)-width(right)) + right
}

// visitsChart is the visits per week of the last 12 weeks, as a sparkline.
func (v *insightsView) visitsChart(r *model.Report, w int) []string {
	st := v.c.styles
	if len(r.Weeks) == 0 {
		return nil
	}
	loc := v.loc()
	vals := make([]float64, len(r.Weeks))
	lo, hi := r.Weeks[0].Visits, r.Weeks[0].Visits
	for i, wk := range r.Weeks {
		vals[i] = float64(wk.Visits)
		lo, hi = min(lo, wk.Visits), max(hi, wk.Visits)
	}
	per := max(1, min(4, w/len(vals)))
	last := r.Weeks[len(r.Weeks)-1]
	latest := "in the last week"
	if r.Current.Through.Equal(r.Now) {
		latest = "this week so far"
	}
	return []string{
		st.Title.Render(truncate(fmt.Sprintf("Visits per week, last %d weeks", len(r.Weeks)), w)),
		st.Bar.Render(truncate(stretch(sparkline(vals), per), w)),
		st.Subtle.Render(ends(r.Weeks[0].Start.In(loc).Format("2 Jan"), last.Start.In(loc).Format("2 Jan"), min(w, per*len(vals)))),
		truncate(fmt.Sprintf("%s to %s a week; %s %s", thousands(lo), thousands(hi), thousands(last.Visits), latest), w),
	}
}

// revenueChart is the revenue of the last 12 months, as bars, in at most
// tall lines: a short window shows the latest months.
func (v *insightsView) revenueChart(r *model.Report, w, tall int) []string {
	st := v.c.styles
	loc := v.loc()
	months := r.Months[max(0, len(r.Months)-max(1, tall-1)):]
	items := make([]barItem, len(months))
	for i, m := range months {
		items[i] = barItem{label: m.Start.In(loc).Format("Jan 2006"), value: float64(m.Revenue), text: v.c.money(m.Revenue), style: st.Bar}
	}
	title := "Revenue per month"
	if len(months) < len(r.Months) {
		title = fmt.Sprintf("Revenue per month, last %d", len(months))
	}
	out := []string{st.Title.Render(truncate(title, w))}
	return append(out, strings.Split(barChart(items, w), "\n")...)
}

// satisfactionChart is the average feedback score of the last 12 months,
// on the fixed scale of 1 to 5 so a small wobble stays small.
func (v *insightsView) satisfactionChart(r *model.Report, w int) []string {
	st := v.c.styles
	if len(r.Months) == 0 {
		return nil
	}
	loc := v.loc()
	var b strings.Builder
	latest, latestAt, gaps := 0.0, "", false
	for _, m := range r.Months {
		s, ok := m.AverageSatisfaction()
		if !ok {
			b.WriteRune('·')
			gaps = true
			continue
		}
		i := int(math.Round((s - 1) / 4 * float64(len(sparks)-1)))
		b.WriteRune(sparks[max(0, min(len(sparks)-1, i))])
		latest, latestAt = s, m.Start.In(loc).Format("Jan")
	}
	per := max(1, min(4, w/len(r.Months)))
	note := "no feedback in these 12 months"
	if latestAt != "" {
		note = fmt.Sprintf("latest %.1f (%s)", latest, latestAt)
		if gaps {
			note += "; · no feedback"
		}
	}
	return []string{
		st.Title.Render(truncate("Satisfaction per month, 1 to 5", w)),
		st.Bar.Render(truncate(stretch(b.String(), per), w)),
		st.Subtle.Render(ends(r.Months[0].Start.In(loc).Format("Jan 2006"), r.Months[len(r.Months)-1].Start.In(loc).Format("Jan 2006"), min(w, per*len(r.Months)))),
		truncate(note, w),
	}
}

// View draws the tab: the title, then the figures (or what is happening
// instead), with the charts beside them on a wide window, and the list of
// customers behind a figure on top when it is open.
func (v *insightsView) View() string {
	if v.w <= 0 || v.h <= 0 {
		return ""
	}
	st := v.c.styles
	s := v.span()
	res, ok := v.shown()
	title := st.Title.Render("Insights") + " · " + s.Label()
	if ok && res.report != nil && !res.empty {
		cur := res.report.Current
		if cur.Through.Before(cur.Span.End.Add(-time.Nanosecond)) {
			title += st.Subtle.Render(" to " + cur.Through.In(v.loc()).Format("2 Jan"))
		}
	}
	right := st.Subtle.Render("vs " + s.Previous().Label())
	if v.computing {
		right = v.spin.View() + " " + right
	}
	lines := []string{joinEnds(title, right, v.w)}
	switch {
	case !v.src.loaded && v.src.loadErr != "":
		lines = append(lines, "", st.Error.Render("The customers could not be read, so there is nothing to measure."))
	case !ok && (!v.src.loaded || v.src.loading):
		lines = append(lines, "", st.Subtle.Render("Reading the customers…"))
	case !ok:
		lines = append(lines, "", v.spin.View()+" Working out the figures for "+s.Label()+"…")
	case res.err != "":
		lines = append(lines, "", st.Error.Render("✗ The figures could not be worked out:"))
		lines = append(lines, wrap(clean(res.err), v.w)...)
		lines = append(lines, st.Subtle.Render("They are tried again when something changes or a key is pressed."))
	case res.empty:
		lines = append(lines, "")
		lines = append(lines, v.emptyLines()...)
	default:
		lines = append(lines, v.figuresLines(res.report)...)
	}
	out := fitBlock(strings.Join(lines, "\n"), v.w, v.h)
	if v.behind != nil {
		out = overlay(out, v.behindView(), v.w, v.h)
	}
	return out
}

// emptyLines say what the tab will show once something is logged.
func (v *insightsView) emptyLines() []string {
	st := v.c.styles
	w := max(10, v.w)
	var out []string
	for _, p := range []string{
		"Nothing to measure yet: no visit, purchase, complaint or card has been logged.",
		"Once interactions are logged (l on a customer, or patron log), this tab shows each month, quarter or year beside the one before:",
	} {
		out = append(out, wrap(p, w)...)
	}
	out = append(out, "")
	for _, b := range []string{
		"retention and repeat-purchase rates, new and returning customers",
		"revenue, and the share of it from returning customers",
		"lapsed customers (win-back, thinking of you) and lost ones by reason",
		"the gap between visits, with visits per week",
		"complaints by category, open ones and how fast they were resolved",
		"satisfaction and its trend, cards sent, rewards redeemed",
	} {
		for i, l := range wrap(b, w-4) {
			if i == 0 {
				out = append(out, "  · "+l)
			} else {
				out = append(out, "    "+l)
			}
		}
	}
	return append(out, "", st.Subtle.Render(truncate("L on a customer marks them lost, with why they left.", w)))
}

// figuresLines are the column heads and the rows that fit, scrolled to the
// selection, with the charts beside them on a wide window.
func (v *insightsView) figuresLines(r *model.Report) []string {
	st := v.c.styles
	lay := v.layout()
	tw := v.tableWidth()
	c := lay.cols
	head := strings.Repeat(" ", 2+c.label) + " " + padLeft(r.Current.Span.Short(), c.value)
	if c.prev {
		head += " " + padLeft(r.Previous.Span.Short(), c.value)
	}
	if c.change >= 6 {
		head += " change"
	}
	// Keep the selected row, and the chart under it, in the window; a
	// last line says which way the rest is when it does not all fit.
	room := lay.room
	if len(lay.lines) > room {
		room = max(1, room-1)
	}
	if len(lay.start) > 0 {
		i := max(0, min(v.cursor, len(lay.start)-1))
		if lay.start[i] < v.offset {
			v.offset = lay.start[i]
		}
		if lay.end[i] > v.offset+room {
			v.offset = min(lay.start[i], lay.end[i]-room) // a block taller than the window shows its top
		}
	}
	v.offset = max(0, min(v.offset, len(lay.lines)-room))
	body := slices.Clone(lay.lines[v.offset:min(len(lay.lines), v.offset+room)])
	switch {
	case len(lay.lines) <= lay.room:
	case v.offset+room < len(lay.lines):
		body = append(body, st.Subtle.Render(padLeft("↓ more below", tw-1)))
	default:
		body = append(body, st.Subtle.Render(padLeft("↑ more above", tw-1)))
	}
	table := append([]string{st.ColumnHead.Render(truncate(head, tw))}, body...)
	if !lay.wide {
		return table
	}
	pw := v.w - tw - 3
	var panel []string
	panel = append(panel, v.visitsChart(r, pw)...)
	panel = append(panel, "")
	panel = append(panel, v.revenueChart(r, pw, len(r.Months)+1)...)
	panel = append(panel, "")
	panel = append(panel, v.satisfactionChart(r, pw)...)
	out := make([]string, max(len(table), len(panel)))
	for i := range out {
		left, right := "", ""
		if i < len(table) {
			left = table[i]
		}
		if i < len(panel) {
			right = panel[i]
		}
		out[i] = padRight(left, tw) + "   " + right
	}
	return out
}

// ---- the customers behind a figure ----

// behindList is the list `enter` opens over the tab: the customers a
// figure counts. enter opens one (the list stays for the next), esc closes.
type behindList struct {
	title   string
	ids     []model.ID
	cursor  int
	offset  int
	reasons map[model.ID]string // why the lost ones among them were lost, once read
}

// lostReasonsMsg is why the lost customers behind a figure were lost,
// read from their records for the list.
type lostReasonsMsg struct {
	list    *behindList
	reasons map[model.ID]string
}

func (v *insightsView) openBehind() tea.Cmd {
	rows := v.rows()
	if v.cursor < 0 || v.cursor >= len(rows) {
		return nil
	}
	row := rows[v.cursor]
	if len(row.ids) == 0 {
		return sayInfo("No customer is behind " + strings.TrimSpace(row.label) + " in " + v.span().Label() + ".")
	}
	// By name, as the owner looks for someone.
	ids := slices.Clone(row.ids)
	name := func(id model.ID) string {
		if e := v.src.byID[id]; e != nil {
			return e.sortName
		}
		return ""
	}
	slices.SortStableFunc(ids, func(a, b model.ID) int { return strings.Compare(name(a), name(b)) })
	v.behind = &behindList{ids: ids,
		title: fmt.Sprintf("%s who %s", plural(len(row.ids), "customer", "customers"), row.what)}
	// The list holds no customer's whole record: the lost ones' reasons
	// are read for it (there are few).
	var lost []model.ID
	for _, id := range ids {
		if e := v.src.byID[id]; e != nil && e.c.Status == model.StatusLost {
			lost = append(lost, id)
		}
	}
	if len(lost) == 0 {
		return nil
	}
	slices.Sort(lost)
	list := v.behind
	return v.c.do(func(s *store.Store) tea.Msg {
		read, err := s.CustomersByID(lost)
		if err != nil {
			return nil // the list says "lost" without the reason
		}
		reasons := make(map[model.ID]string, len(read))
		for _, c := range read {
			reasons[c.ID] = c.LostReason
		}
		return lostReasonsMsg{list: list, reasons: reasons}
	})
}

// behindRows is how many customers the list shows at once: the tab's
// height less the border, the title (two lines at most), a blank and the keys.
func (v *insightsView) behindRows() int { return max(1, v.h-7) }

func (b *behindList) move(n, rows int) {
	b.cursor = max(0, min(len(b.ids)-1, b.cursor+n))
	b.clamp(rows)
}

func (b *behindList) clamp(rows int) {
	b.cursor = max(0, min(len(b.ids)-1, b.cursor))
	if b.cursor < b.offset {
		b.offset = b.cursor
	}
	if b.cursor >= b.offset+rows {
		b.offset = b.cursor - rows + 1
	}
	b.offset = max(0, min(b.offset, len(b.ids)-rows))
}

func (v *insightsView) behindKey(msg tea.KeyPressMsg) tea.Cmd {
	k, b, rows := v.keys, v.behind, v.behindRows()
	if by, ok := k.step(msg, len(b.ids), rows); ok {
		b.move(by, rows)
		return nil
	}
	switch {
	case key.Matches(msg, k.Back):
		v.behind = nil
	case key.Matches(msg, k.Open):
		id := b.ids[b.cursor]
		if v.src.byID[id] == nil {
			return sayInfo(fmt.Sprintf("Customer #%d is no longer in the file.", id))
		}
		return func() tea.Msg { return openCustomerMsg{id: id} }
	}
	return nil
}

// behindView draws the list in a box over the tab.
func (v *insightsView) behindView() string {
	st := v.c.styles
	b := v.behind
	bw := min(v.w, 78)
	inner := max(1, bw-4)
	rows := v.behindRows()
	b.clamp(rows)
	titleLines := wrap(b.title, inner)
	if len(titleLines) > 2 {
		titleLines = append(titleLines[:1], truncate(strings.Join(titleLines[1:], " "), inner))
	}
	var lines []string
	for _, l := range titleLines {
		lines = append(lines, st.DialogTitle.Render(l))
	}
	for i := b.offset; i < len(b.ids) && i < b.offset+rows; i++ {
		lines = append(lines, v.behindLine(b.ids[i], i == b.cursor, inner))
	}
	keys := st.Key.Render("↑↓") + " move  " + st.Key.Render("enter") + " open  " + st.Key.Render("esc") + " back"
	if len(b.ids) > rows {
		keys += st.Subtle.Render(fmt.Sprintf("  %d of %d", b.cursor+1, len(b.ids)))
	}
	lines = append(lines, "", truncate(keys, inner))
	if bw < 6 {
		return fitBlock(strings.Join(lines, "\n"), v.w, v.h)
	}
	return st.Dialog.Width(bw).Render(strings.Join(lines, "\n"))
}

// behindLine is one customer in the list: the name, and where they stand.
func (v *insightsView) behindLine(id model.ID, selected bool, w int) string {
	st := v.c.styles
	e := v.src.byID[id]
	name, note := fmt.Sprintf("#%d", id), "no longer in the file"
	if e != nil {
		c := &e.c
		name = clean(c.Name)
		switch {
		case c.Status == model.StatusLost:
			note = "lost"
			if r := v.behind.reasons[id]; r != "" {
				note += ": " + clean(r)
			}
		case c.Status == model.StatusArchived:
			note = "archived"
		case c.Stats.lastVisit != 0:
			note = "last visit " + v.c.relative(c.Stats.LastVisit()) + " · " + v.c.money(c.Stats.Spend)
		default:
			note = "no visit yet"
		}
	}
	if selected {
		return st.Selected.Render(padRight(joinEnds("> "+name, note, w), w))
	}
	return joinEnds("  "+name, st.Subtle.Render(note), w)
}

// ---- help ----

func (v *insightsView) ShortHelp() []key.Binding {
	k := v.keys
	if v.behind != nil {
		open := k.Open
		open.SetHelp("enter", "open customer")
		return []key.Binding{k.Down, open, k.Back, helpKey()}
	}
	if len(v.rows()) == 0 {
		return []key.Binding{k.Earlier, k.Later, k.Length, helpKey()}
	}
	return []key.Binding{k.Down, k.Open, k.Earlier, k.Later, k.Length, helpKey()}
}

func (v *insightsView) FullHelp() [][]key.Binding {
	k := v.keys
	if v.behind != nil {
		return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown}, {k.Open, k.Back}}
	}
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown},
		{k.Open, k.Earlier, k.Later, k.Length},
	}
}
