package ui

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// The Log tab reads the global log a page at a time from the by-time
// index, and the next page when the selection nears the end of what is
// loaded, so it opens at once however long the log is.
const (
	logPageSize = 100
	logAhead    = 40 // rows left below the selection that ask for the next page
)

// What the Log tab's one text field is being used for.
const (
	logTyping = iota + 1 // the text filter
	logDating            // the date range
)

// logView is the Log tab: every interaction across customers, newest first.
type logView struct {
	c    *common
	w, h int
	keys logKeys

	filter    store.LogFilter
	rangeText string // the date range as typed, for the filter line

	rows     []store.LogEntry
	have     map[model.ID]bool
	next     store.LogCursor
	more     bool // the log goes on past what is loaded
	loading  bool
	gen      int // a new filter or reload starts a new generation; older pages are dropped
	loaded   bool
	err      string
	reached  time.Time // how far back the reading got (filters that find little)
	cursor   int
	offset   int
	selected model.ID

	input   textinput.Model
	editing int // logTyping, logDating or 0
	editErr string
	dialog  dialog
}

func newLogView(c *common) *logView {
	v := &logView{c: c, keys: newLogKeys(), have: map[model.ID]bool{}}
	v.input = textinput.New()
	v.input.CharLimit = 200
	return v
}

// addLogTab puts the Log tab in its place, 2, among the others.
func (a *App) addLogTab() {
	i := 0
	for i < len(a.tabs) && a.tabs[i].num < 2 {
		i++
	}
	a.tabs = slices.Insert(a.tabs, i, tab{num: 2, view: newLogView(a.c)})
}

func (v *logView) Title() string { return "Log" }

func (v *logView) Capturing() bool { return v.dialog != nil || v.editing != 0 }

func (v *logView) Status() string {
	switch {
	case v.err != "" && !v.loaded:
		return "log not read"
	case !v.loaded:
		return "reading the log…"
	}
	n := plural(len(v.rows), "interaction", "interactions")
	if v.more {
		n += " loaded"
	}
	if !v.filter.IsZero() {
		n += " shown"
	}
	return n
}

func (v *logView) SetSize(w, h int) {
	v.w, v.h = w, h
	v.input.SetWidth(max(4, w-12))
	v.clamp()
}

// ---- reading ----

type (
	logPageMsg struct {
		gen  int
		page store.LogPage
		err  error
	}
	// logComplaintsMsg is one read of the open complaints, from the
	// customers' lists (store.OpenComplaints), in customer order.
	logComplaintsMsg struct {
		gen     int
		entries []store.LogEntry
		next    model.ID
		err     error
	}
	logRefreshMsg struct {
		ids     []model.ID // interactions to show as they are now
		entries []store.LogEntry
		names   map[model.ID]string // customers as they are now (renamed)
		gone    []model.ID          // customers deleted for good
		err     error
	}
)

func (v *logView) reload() tea.Cmd {
	v.gen++
	v.rows, v.have, v.next, v.more, v.reached = nil, map[model.ID]bool{}, nil, false, time.Time{}
	v.cursor, v.offset = 0, 0
	if v.filter.OpenComplaints {
		return v.fetchComplaints(0)
	}
	return v.fetch(nil)
}

// fetchComplaints reads the open complaints from the customers' own
// lists: a few among a million interactions would take a walk of the
// whole log to find by time.
func (v *logView) fetchComplaints(after model.ID) tea.Cmd {
	v.loading = true
	gen := v.gen
	return v.c.do(func(s *store.Store) tea.Msg {
		list, next, err := s.OpenComplaints(after)
		return logComplaintsMsg{gen: gen, entries: list, next: next, err: err}
	})
}

func (v *logView) gotComplaints(msg logComplaintsMsg) tea.Cmd {
	if msg.gen != v.gen {
		return nil
	}
	v.loading = false
	if msg.err != nil {
		v.err = msg.err.Error()
		return sayError(msg.err)
	}
	v.loaded, v.err = true, ""
	for _, e := range msg.entries {
		if !v.have[e.ID] && v.filter.Matches(e) {
			v.insert(e)
		}
	}
	v.more = msg.next != 0
	v.restore()
	if v.more {
		// They come in customer order: read on to the end to show them by time.
		return v.fetchComplaints(msg.next)
	}
	return nil
}

func (v *logView) fetch(cursor store.LogCursor) tea.Cmd {
	v.loading = true
	gen, f := v.gen, v.filter
	return v.c.do(func(s *store.Store) tea.Msg {
		p, err := s.LogPage(f, cursor, logPageSize)
		return logPageMsg{gen: gen, page: p, err: err}
	})
}

func (v *logView) gotPage(msg logPageMsg) tea.Cmd {
	if msg.gen != v.gen {
		return nil // a newer filter or reload is on its way
	}
	v.loading = false
	if msg.err != nil {
		v.err = msg.err.Error()
		return sayError(msg.err)
	}
	v.loaded, v.err = true, ""
	for _, e := range msg.page.Entries {
		if !v.have[e.ID] {
			v.have[e.ID] = true
			v.rows = append(v.rows, e)
		}
	}
	v.next, v.more = msg.page.Next, msg.page.Next != nil
	if !msg.page.Reached.IsZero() {
		v.reached = msg.page.Reached
	}
	v.restore()
	return v.moreIfNear()
}

// moreIfNear asks for the next page when the selection is near the end
// of what is loaded (or a filter found too little to fill the screen).
func (v *logView) moreIfNear() tea.Cmd {
	if !v.more || v.loading || v.filter.OpenComplaints || v.cursor+max(logAhead, v.h) < len(v.rows) {
		return nil
	}
	return v.fetch(v.next)
}

// refresh reads again the interactions and customers other windows (and
// this one) changed; an import or the demo reads everything again.
func (v *logView) refresh(changes []store.Change) tea.Cmd {
	var ids, custs []model.ID
	for _, ch := range changes {
		if ch.Import {
			return v.reload()
		}
		ids = append(ids, ch.InteractionIDs()...)
		for _, id := range ch.CustomerIDs() {
			if v.showsCustomer(id) {
				custs = append(custs, id)
			}
		}
	}
	if len(ids) == 0 && len(custs) == 0 {
		return nil
	}
	return v.c.do(func(s *store.Store) tea.Msg {
		entries, err := s.LogEntries(ids)
		if err != nil {
			return logRefreshMsg{err: err}
		}
		msg := logRefreshMsg{ids: ids, entries: entries, names: map[model.ID]string{}}
		list, err := s.CustomersByID(custs)
		if err != nil {
			return logRefreshMsg{err: err}
		}
		for _, c := range list {
			msg.names[c.ID] = c.Name
		}
		for _, id := range custs {
			if _, ok := msg.names[id]; !ok {
				msg.gone = append(msg.gone, id)
			}
		}
		return msg
	})
}

func (v *logView) showsCustomer(id model.ID) bool {
	for _, e := range v.rows {
		if e.Customer == id {
			return true
		}
	}
	return false
}

func (v *logView) gotRefresh(msg logRefreshMsg) tea.Cmd {
	if msg.err != nil {
		return sayError(msg.err)
	}
	for _, id := range msg.ids {
		v.drop(func(e store.LogEntry) bool { return e.ID == id })
	}
	for _, id := range msg.gone {
		v.drop(func(e store.LogEntry) bool { return e.Customer == id })
	}
	for i := range v.rows {
		if name, ok := msg.names[v.rows[i].Customer]; ok {
			v.rows[i].Name = name
		}
	}
	v.show(msg.entries...)
	return nil
}

// show puts entries in their places; a selection on the newest row stays
// on the newest, so new interactions come into view at the top.
func (v *logView) show(entries ...store.LogEntry) {
	atTop := v.cursor == 0
	for _, e := range entries {
		v.upsert(e)
	}
	if atTop && len(v.rows) > 0 {
		v.selected = v.rows[0].ID
	}
	v.restore()
}

func (v *logView) drop(gone func(store.LogEntry) bool) {
	v.rows = slices.DeleteFunc(v.rows, func(e store.LogEntry) bool {
		if gone(e) {
			delete(v.have, e.ID)
			return true
		}
		return false
	})
}

// newer orders the log as the by-time index does: time, then id.
func newer(a, b *store.LogEntry) bool {
	if as, bs := a.At.Unix(), b.At.Unix(); as != bs {
		return as > bs
	}
	return a.ID > b.ID
}

// upsert shows an entry as it is now, in its place, if the filter passes
// it; one older than everything loaded waits for its page.
func (v *logView) upsert(e store.LogEntry) {
	v.drop(func(r store.LogEntry) bool { return r.ID == e.ID })
	if !v.loaded || !v.filter.Matches(e) {
		return
	}
	if n := len(v.rows); v.more && !v.filter.OpenComplaints && n > 0 && newer(&v.rows[n-1], &e) {
		return
	}
	v.insert(e)
}

// insert puts an entry in its place by time.
func (v *logView) insert(e store.LogEntry) {
	i, _ := slices.BinarySearchFunc(v.rows, e, func(r, e store.LogEntry) int {
		if newer(&r, &e) {
			return -1
		}
		return 1
	})
	v.rows = slices.Insert(v.rows, i, e)
	v.have[e.ID] = true
}

// restore keeps the selection on the same interaction as rows come and go.
func (v *logView) restore() {
	if i := slices.IndexFunc(v.rows, func(e store.LogEntry) bool { return e.ID == v.selected }); i >= 0 {
		v.cursor = i
	}
	v.clamp()
}

func (v *logView) clamp() {
	v.cursor = max(0, min(v.cursor, len(v.rows)-1))
	if len(v.rows) > 0 {
		v.selected = v.rows[v.cursor].ID
	}
	n := v.listRows()
	if v.cursor < v.offset {
		v.offset = v.cursor
	}
	if v.cursor >= v.offset+n {
		v.offset = v.cursor - n + 1
	}
	v.offset = max(0, min(v.offset, len(v.rows)-n))
}

// listTop is the first line rows are drawn on: title, filter line and
// column heads, and the field being typed in.
func (v *logView) listTop() int {
	top := 2
	if v.editing != 0 {
		top++
		if v.editErr != "" {
			top++
		}
	}
	return top
}

func (v *logView) listRows() int { return max(1, v.h-v.listTop()-1) }

// ---- keys ----

func (v *logView) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case reloadMsg:
		return v, v.reload()
	case logPageMsg:
		return v, v.gotPage(msg)
	case changesMsg:
		return v, v.refresh(msg.changes)
	case logRefreshMsg:
		return v, v.gotRefresh(msg)
	case logComplaintsMsg:
		return v, v.gotComplaints(msg)
	case interactionSavedMsg:
		// This window's own log shows at once, before the feed brings it.
		if msg.err == nil && msg.in.ID != 0 {
			e := store.LogEntry{Interaction: msg.in, Name: msg.customer.Name}
			for _, o := range msg.others {
				if o.ID == msg.in.Referred {
					e.ReferredName = o.Name
				}
			}
			v.show(e)
		}
	case complaintResolvedMsg:
		if msg.err == nil && msg.in.ID != 0 {
			v.show(store.LogEntry{Interaction: msg.in, Name: msg.customer.Name})
		}
	case interactionDeletedMsg:
		if msg.err == nil {
			v.drop(func(e store.LogEntry) bool { return e.ID == msg.id })
			v.restore()
		}
	case tea.KeyPressMsg:
		return v, v.handleKey(msg)
	case tea.PasteMsg:
		if v.editing != 0 {
			var cmd tea.Cmd
			v.input, cmd = v.input.Update(msg)
			return v, tea.Batch(cmd, v.typed())
		}
	case tea.MouseWheelMsg, tea.MouseClickMsg:
		by, row := listMouse(msg.(tea.MouseMsg), v.listTop(), v.offset, len(v.rows))
		if by != 0 {
			return v, v.move(by)
		}
		if row >= 0 && v.dialog == nil {
			v.cursor = row
			v.clamp()
		}
	}
	return v, nil
}

func (v *logView) move(by int) tea.Cmd {
	v.cursor += by
	v.clamp()
	return v.moreIfNear()
}

func (v *logView) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if v.dialog != nil {
		return keyToDialog(&v.dialog, msg)
	}
	if v.editing != 0 {
		return v.editKey(msg)
	}
	k := v.keys
	if by, ok := k.step(msg, len(v.rows), v.listRows()); ok {
		return v.move(by)
	}
	switch {
	case key.Matches(msg, k.Open):
		if v.cursor < len(v.rows) {
			id := v.rows[v.cursor].Customer
			return func() tea.Msg { return openCustomerMsg{id: id} }
		}
	case key.Matches(msg, k.Search):
		return v.startEdit(logTyping, v.filter.Text)
	case key.Matches(msg, k.Dates):
		return v.startEdit(logDating, v.rangeText)
	case key.Matches(msg, k.Kind):
		v.dialog = &kindFilterDialog{v: v}
	case key.Matches(msg, k.Complaints):
		v.filter.OpenComplaints = !v.filter.OpenComplaints
		if v.filter.OpenComplaints {
			v.filter.Kind = ""
			return tea.Batch(v.reload(), sayInfo("Showing the open complaints; o shows everything again."))
		}
		return tea.Batch(v.reload(), sayInfo("Showing every kind again."))
	case key.Matches(msg, k.Clear):
		if !v.filter.IsZero() {
			v.filter, v.rangeText = store.LogFilter{}, ""
			return tea.Batch(v.reload(), sayInfo("Filters cleared: the whole log, newest first."))
		}
	}
	return nil
}

func (v *logView) startEdit(what int, value string) tea.Cmd {
	v.editing, v.editErr = what, ""
	v.input.SetStyles(v.c.styles.Input)
	if what == logTyping {
		v.input.Prompt = "/ "
		v.input.Placeholder = "a note, a name, a category…"
	} else {
		v.input.Prompt = "Dates: "
		v.input.Placeholder = "this week, last month, 2026-11-01, 2026-11-01..2026-11-15"
	}
	v.input.SetValue(value)
	v.input.CursorEnd()
	v.clamp()
	return v.input.Focus()
}

func (v *logView) stopEdit() {
	v.editing, v.editErr = 0, ""
	v.input.Blur()
	v.clamp()
}

func (v *logView) editKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "enter":
		if v.editing == logDating {
			return v.applyDates(v.input.Value())
		}
		v.stopEdit()
		return nil
	case "esc":
		if v.editing == logTyping && v.filter.Text != "" {
			v.filter.Text = ""
			v.stopEdit()
			return v.reload()
		}
		v.stopEdit()
		return nil
	case "up":
		return v.move(-1)
	case "down":
		return v.move(1)
	}
	var cmd tea.Cmd
	v.input, cmd = v.input.Update(msg)
	return tea.Batch(cmd, v.typed())
}

// typed filters by the text as it is typed.
func (v *logView) typed() tea.Cmd {
	if v.editing != logTyping || v.input.Value() == v.filter.Text {
		return nil
	}
	v.filter.Text = v.input.Value()
	return v.reload()
}

func (v *logView) applyDates(text string) tea.Cmd {
	from, until, err := parseRange(text, v.c.now(), v.c.settings.Location())
	if err != nil {
		v.editErr = err.Error()
		v.clamp()
		return nil
	}
	v.filter.From, v.filter.Until, v.rangeText = from, until, strings.TrimSpace(text)
	v.stopEdit()
	return v.reload()
}

// kindFilterDialog picks the kind the Log tab shows, with the quick
// log's keys, or all kinds, or the open complaints.
type kindFilterDialog struct{ v *logView }

func (d *kindFilterDialog) update(msg tea.Msg) (bool, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false, nil
	}
	v := d.v
	switch s := k.String(); s {
	case "esc", "q":
		return true, nil
	case "a":
		v.filter.Kind, v.filter.OpenComplaints = "", false
	case "o":
		v.filter.Kind, v.filter.OpenComplaints = "", true
	default:
		kind, ok := kindForKey(s)
		if !ok {
			return false, nil
		}
		v.filter.Kind, v.filter.OpenComplaints = kind, false
	}
	return true, v.reload()
}

func (d *kindFilterDialog) view(st *Styles, w int) string {
	inner := max(1, min(64, w-4))
	grid := kindGrid(st, inner, [][2]string{{"a", "all kinds"}, {"o", st.Warning.Render("!") + " open complaints"}})
	return boxed(st, w, "Show which kind?", grid, st.Key.Render("esc")+" cancel")
}

// ---- date ranges ----

var monthRE = regexp.MustCompile(`^(\d{4})-(\d{1,2})$`)

// parseRange reads the dates the Log tab shows, as the owner types them:
// today, yesterday, this or last week, month or year, a day (any form
// model.ParseDay reads), a month (2026-11), "since DAY", "until DAY" or
// DAY..DAY. Weeks start on Monday. The range is [from, until); a zero end
// is open.
func parseRange(s string, now time.Time, loc *time.Location) (from, until time.Time, err error) {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	if loc == nil {
		loc = time.Local
	}
	n := now.In(loc)
	y, m, d := n.Date()
	day := func(y int, m time.Month, d int) time.Time { return model.StartOfDay(y, m, d, loc) }
	monday := d - (int(n.Weekday())+6)%7
	switch s {
	case "":
		return time.Time{}, time.Time{}, nil
	case "today":
		return day(y, m, d), day(y, m, d+1), nil
	case "yesterday":
		return day(y, m, d-1), day(y, m, d), nil
	case "this week", "week":
		return day(y, m, monday), day(y, m, monday+7), nil
	case "last week":
		return day(y, m, monday-7), day(y, m, monday), nil
	case "this month", "month":
		return day(y, m, 1), day(y, m+1, 1), nil
	case "last month":
		return day(y, m-1, 1), day(y, m, 1), nil
	case "this year", "year":
		return day(y, 1, 1), day(y+1, 1, 1), nil
	case "last year":
		return day(y-1, 1, 1), day(y, 1, 1), nil
	}
	if mm := monthRE.FindStringSubmatch(s); mm != nil {
		var yy, mo int
		fmt.Sscan(mm[1], &yy)
		fmt.Sscan(mm[2], &mo)
		if mo >= 1 && mo <= 12 && yy >= 1970 {
			return day(yy, time.Month(mo), 1), day(yy, time.Month(mo+1), 1), nil
		}
	}
	one := func(text string) (time.Time, time.Time, error) {
		t, err := model.ParseDay(strings.TrimSpace(text), now, loc)
		if err != nil {
			return t, t, err
		}
		ty, tm, td := t.In(loc).Date()
		return t, day(ty, tm, td+1), nil
	}
	after := func(text string) (time.Time, error) { t, _, err := one(text); return t, err }
	through := func(text string) (time.Time, error) { _, t, err := one(text); return t, err }
	switch {
	case strings.HasPrefix(s, "since "), strings.HasPrefix(s, "from "):
		_, rest, _ := strings.Cut(s, " ")
		from, err = after(rest)
		return from, time.Time{}, err
	case strings.HasPrefix(s, "until "), strings.HasPrefix(s, "through "):
		_, rest, _ := strings.Cut(s, " ")
		until, err = through(rest)
		return time.Time{}, until, err
	case strings.Contains(s, ".."):
		a, b, _ := strings.Cut(s, "..")
		if strings.TrimSpace(a) != "" {
			if from, err = after(a); err != nil {
				return
			}
		}
		if strings.TrimSpace(b) != "" {
			if until, err = through(b); err != nil {
				return
			}
		}
		if !from.IsZero() && !until.IsZero() && !from.Before(until) {
			return from, until, &model.FieldError{Field: "dates", Problem: "end before they begin", Fix: "put the earlier day first, as in 2026-11-01..2026-11-15"}
		}
		return from, until, nil
	}
	from, until, err = one(s)
	if err != nil {
		return from, until, &model.FieldError{Field: "dates", Problem: fmt.Sprintf("%q are not understood", s),
			Fix: "use this week, last month, a day such as 2026-11-20, a month such as 2026-11, since 2026-11-01 or 2026-11-01..2026-11-15"}
	}
	return from, until, nil
}

// ---- drawing ----

func (v *logView) View() string {
	if v.w <= 0 || v.h <= 0 {
		return ""
	}
	st := v.c.styles
	title := st.Title.Render("Log") + st.Subtle.Render(" · everything, newest first")
	lines := []string{truncate(title, v.w), v.filterLine()}
	if v.editing != 0 {
		lines = append(lines, v.input.View())
		if v.editErr != "" {
			lines = append(lines, st.Error.Render(truncate("✗ "+clean(v.editErr), v.w)))
		}
	}
	switch {
	case !v.loaded && v.err != "":
		lines = append(lines, "", st.Error.Render("The log could not be read:"))
		lines = append(lines, wrap(clean(v.err), v.w)...)
	case !v.loaded:
		lines = append(lines, st.Subtle.Render("Reading the log…"))
	case len(v.rows) == 0:
		lines = append(lines, v.emptyLines()...)
	default:
		n := v.listRows()
		for i := v.offset; i < len(v.rows) && i < v.offset+n; i++ {
			row := v.row(&v.rows[i], v.w-2)
			if i == v.cursor {
				row = st.Selected.Render("> " + padRight(row, v.w-2))
			} else {
				row = "  " + row
			}
			lines = append(lines, row)
		}
		if v.offset+n >= len(v.rows) {
			lines = append(lines, v.endLine())
		}
	}
	s := fitBlock(strings.Join(lines, "\n"), v.w, v.h)
	if v.dialog != nil {
		s = overlay(s, v.dialog.view(st, v.w), v.w, v.h)
	}
	return s
}

// filterLine says what is shown and the keys that change it.
func (v *logView) filterLine() string {
	st := v.c.styles
	var parts []string
	f := v.filter
	switch {
	case f.OpenComplaints:
		parts = append(parts, st.Warning.Render("open complaints"))
	case f.Kind != "":
		parts = append(parts, st.kindMark(f.Kind)+" "+f.Kind.Label())
	}
	if v.rangeText != "" {
		parts = append(parts, clean(v.rangeText))
	}
	if strings.TrimSpace(f.Text) != "" {
		parts = append(parts, "“"+st.Match.Render(clean(f.Text))+"”")
	}
	if len(parts) == 0 {
		return truncate(st.Subtle.Render("All kinds, all dates · f kind · o open complaints · d dates · / text"), v.w)
	}
	return truncate("Showing "+strings.Join(parts, " · ")+st.Subtle.Render("   esc shows everything"), v.w)
}

// row is one interaction: when, mark and kind, customer, figure, note.
func (v *logView) row(e *store.LogEntry, w int) string {
	st := v.c.styles
	loc := v.c.settings.Location()
	when := e.At.In(loc).Format("2006-01-02 15:04")
	if w < 90 {
		when = e.At.In(loc).Format("02 Jan 15:04")
		if e.At.In(loc).Year() != v.c.now().In(loc).Year() {
			when = e.At.In(loc).Format("02 Jan 2006 ") // an older year says so
		}
	}
	nameW := max(8, min(22, w/4))
	figure := ""
	switch {
	case e.Kind.HasAmount() && e.Amount != 0:
		figure = v.c.money(e.Amount)
		if e.Kind == model.KindReturn {
			figure = "−" + figure
		}
	case e.Kind == model.KindFeedback:
		figure = fmt.Sprintf("%d/5", e.Score)
	}
	note := clean(e.Note)
	if e.Kind == model.KindReferral && e.ReferredName != "" {
		note = strings.TrimSuffix("sent "+clean(e.ReferredName)+" · "+note, " · ")
	}
	if e.Kind == model.KindComplaint {
		if e.Category != "" {
			note = strings.TrimSuffix(clean(e.Category)+": "+note, ": ")
		}
		if !e.Resolved {
			note = st.Warning.Render("open") + " " + note
		} else {
			note += st.Subtle.Render(" · resolved")
		}
	}
	kind := st.kindMark(e.Kind) + " "
	if w >= 76 { // on a narrow window the mark alone says the kind, and the note gets the room
		kind += padRight(e.Kind.Label(), 13) + "  "
	}
	line := when + "  " + kind + padRight(clean(e.Name), nameW) + padLeft(figure, 10) + "  " + note
	return truncate(line, w)
}

func (v *logView) endLine() string {
	st := v.c.styles
	switch {
	case v.loading && v.filter.OpenComplaints:
		return st.Subtle.Render("  Looking for open complaints…")
	case v.loading && !v.reached.IsZero():
		return st.Subtle.Render(truncate("  Looking further back… ("+v.reached.In(v.c.settings.Location()).Format(model.DayFormat)+")", v.w))
	case v.loading || v.more:
		return st.Subtle.Render("  Reading more…")
	}
	return st.Subtle.Render("  End of the log.")
}

func (v *logView) emptyLines() []string {
	st := v.c.styles
	switch {
	case v.loading || v.more:
		return []string{"", st.Subtle.Render(v.endLine())}
	case v.filter.IsZero():
		return []string{"", "  Nothing is logged yet.",
			st.Subtle.Render("  In Customers, l on a customer logs a visit, a purchase, a call…")}
	}
	return []string{"", "  Nothing logged matches these filters.", st.Subtle.Render("  esc shows the whole log.")}
}

// ---- help ----

func (v *logView) ShortHelp() []key.Binding {
	k := v.keys
	switch {
	case v.dialog != nil:
		return nil
	case v.editing == logDating:
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "show these dates")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))}
	case v.editing == logTyping:
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear")),
			key.NewBinding(key.WithKeys("down"), key.WithHelp("↑↓", "move"))}
	}
	b := []key.Binding{k.Open, k.Kind, k.Complaints, k.Dates, k.Search}
	if !v.filter.IsZero() {
		b = append([]key.Binding{k.Clear}, b...)
	}
	return append(b, helpKey())
}

func (v *logView) FullHelp() [][]key.Binding {
	k := v.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown},
		{k.Open, k.Kind, k.Complaints, k.Dates, k.Search, k.Clear},
	}
}
