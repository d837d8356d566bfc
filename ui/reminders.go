package ui

import (
	"cmp"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/assets"
	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// The Reminders tab (issue 5): the open reminders, grouped Overdue, Today,
// Next 7 days and Later, and what the owner does with each. The rules run
// over the customers the Customers tab lists, in a tea.Cmd, their records
// read a chunk at a time (eachChunk); the tab's other read is
// ReminderInputs (manual reminders, decisions, settings), one short
// transaction. Nothing here writes unless the owner acts: the midnight
// tick only derives the list again.

// customerBook is the customers the Customers tab lists: which ones there
// are, and which changed since the rules last ran.
type customerBook interface {
	bookGen() int                         // changes whenever a loaded customer changes
	bookReady() bool                      // every customer is listed
	bookErr() string                      // why the customers could not be read
	bookSnapshot() []*entry               // never changed once made: safe in a tea.Cmd
	bookEntry(id model.ID) (*entry, bool) // nil, false when not loaded
	bookName(id model.ID) (string, bool)
}

func (v *customersView) bookGen() int    { return v.dataGen }
func (v *customersView) bookReady() bool { return v.loaded && !v.loading }
func (v *customersView) bookErr() string { return v.loadErr }

func (v *customersView) bookSnapshot() []*entry {
	out := make([]*entry, 0, len(v.ids))
	for _, id := range v.ids {
		out = append(out, v.byID[id])
	}
	return out
}

func (v *customersView) bookName(id model.ID) (string, bool) {
	if e := v.byID[id]; e != nil {
		return e.c.Name, true
	}
	return "", false
}

func (v *customersView) bookEntry(id model.ID) (*entry, bool) {
	e := v.byID[id]
	return e, e != nil
}

// reminderIndex is the latest evaluation by customer, for the Customers
// list's "next reminder" column and the customer detail. The Reminders tab
// fills it; a nil index shows nothing.
type reminderIndex struct {
	ready   bool
	list    *openList
	dropped map[int32]bool // places acted on since list was made: out of it at once
}

// places are a customer's open reminders' places in the list, soonest first.
func (x *reminderIndex) places(id model.ID) []int32 {
	if x == nil {
		return nil
	}
	var out []int32
	for _, i := range x.list.of(id) {
		if !x.dropped[i] {
			out = append(out, i)
		}
	}
	return out
}

// of is a customer's open reminders, soonest first.
func (x *reminderIndex) of(id model.ID) []model.Reminder {
	var out []model.Reminder
	for _, i := range x.places(id) {
		out = append(out, x.list.At(int(i)))
	}
	return out
}

// nextDue is when a customer's soonest open reminder is due.
func (x *reminderIndex) nextDue(id model.ID) (time.Time, bool) {
	p := x.places(id)
	if len(p) == 0 {
		return time.Time{}, false
	}
	return x.list.Due(int(p[0])), true
}

// reminderKeys are the Reminders tab's own keys.
type reminderKeys struct {
	moveKeys
	Open, Done, Snooze, Dismiss, Edit, New key.Binding
	Compose, Cards                         key.Binding
}

func newReminderKeys() reminderKeys {
	return reminderKeys{
		moveKeys: newMoveKeys("first", "last"),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "customer")),
		Done:     key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "done")),
		Snooze:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "snooze")),
		Dismiss:  key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "dismiss")),
		Edit:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		New:      newReminderKey(),
		Compose:  key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "write card")),
		Cards:    key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "cards CSV")),
	}
}

// newReminderKey is r, "new reminder", wherever it is offered.
func newReminderKey() key.Binding {
	return key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "new reminder"))
}

// Messages about reminders.
type (
	// newReminderMsg asks the Reminders tab for a new reminder for a
	// customer (0: pick one); from is the tab to go back to afterwards.
	newReminderMsg struct {
		customer model.ID
		from     int
	}
	// showTabMsg asks the root to show a tab by its number.
	showTabMsg struct{ num int }
	inputsMsg  struct {
		manual    []model.Reminder
		decisions map[string]model.Decision
		settings  model.Settings
		err       error
	}
	evalMsg struct {
		seq  int
		list *openList
		// partial: only the customers changed since were worked out again.
		partial bool
		now     time.Time
		err     error // the customers could not be read
	}
	// dayTickMsg comes at the shop's midnight: the list is derived again.
	dayTickMsg       struct{}
	reminderActedMsg struct {
		r      model.Reminder
		text   string // what the status line says
		logged bool   // an interaction was logged (done)
		err    error
	}
	cardsWrittenMsg struct {
		path      string
		n         int
		noAddress int
		until     time.Time
		err       error
	}
)

// remScreen is what the Reminders tab shows.
type remScreen int

const (
	remList remScreen = iota
	remForm
	remCompose
)

// remRow is one line of the list: a group's heading (at < 0: group -at-1,
// with count) or a reminder (its place in the list). Eight bytes: a row a
// reminder, a quarter of a million at 100,000 customers.
type remRow struct {
	at    int32
	count int32
}

func (r remRow) isHeading() bool { return r.at < 0 }

// remGroups are the groups' headings, soonest first.
var remGroups = [...]string{model.GroupOverdue, model.GroupToday, model.GroupWeek, model.GroupLater}

// remindersView is the Reminders tab.
type remindersView struct {
	c     *common
	w, h  int
	keys  reminderKeys
	fkeys formKeys
	book  customerBook
	index *reminderIndex

	// The facts besides the customers, from ReminderInputs.
	manual       []model.Reminder
	decisions    map[string]model.Decision
	rules        model.Settings
	inputsLoaded bool
	inputsGen    int
	reading      bool
	readAgain    bool
	inputsErr    string

	// The latest evaluation and what it was made from.
	evaluated  bool
	evaluating bool
	evalSeq    int
	evalBook   int
	evalInputs int
	evalDay    int
	evalSnap   []*entry  // the book the list was worked out from
	partial    bool      // the last evaluation kept the unchanged customers' reminders
	evalErr    string    // why the last evaluation failed, if it did
	list       *openList // sorted by due day, so each group is a run of it (v.index.list too)
	due        int       // how many are due today or overdue: the badge
	now        time.Time
	dayTimer   bool

	rows        []remRow
	cursor      int // a row holding a reminder, when there is one
	offset      int
	selectedKey string
	selectedFor model.ID // whose reminder selectedKey is

	screen  remScreen
	dialog  dialog
	form    *reminderForm
	compose *composer
	back    int // the tab a new reminder asked from elsewhere returns to

	// cardsDir is the folder P writes the cards CSV to.
	cardsDir func() string
}

func newRemindersView(c *common, book customerBook) *remindersView {
	return &remindersView{c: c, book: book, index: &reminderIndex{}, keys: newReminderKeys(), fkeys: newFormKeys(),
		cardsDir: defaultCardsDir}
}

// Title names the tab.
func (v *remindersView) Title() string { return "Reminders" }

// Badge is how many reminders are due today or overdue.
func (v *remindersView) Badge() string {
	if !v.evaluated {
		return ""
	}
	if v.due > 0 {
		return thousands(v.due)
	}
	return ""
}

// open is how many reminders are open.
func (v *remindersView) open() int { return v.list.Len() - len(v.index.dropped) }

// Status is the footer's count.
func (v *remindersView) Status() string {
	if !v.evaluated {
		return "reading reminders…"
	}
	s := plural(v.open(), "open reminder", "open reminders")
	if v.due > 0 {
		s += " · " + thousands(v.due) + " due"
	}
	return s
}

// Capturing reports whether a field or a dialog has the keyboard.
func (v *remindersView) Capturing() bool { return v.dialog != nil || v.screen != remList }

// Guard says what quitting now would throw away.
func (v *remindersView) Guard() string {
	switch {
	case v.screen == remCompose && v.compose != nil && v.compose.dirty():
		return "Discard the card you are writing and quit?"
	case v.screen == remForm && v.form != nil && v.form.f.dirty():
		return "Discard this reminder and quit?"
	}
	return ""
}

func (v *remindersView) loc() *time.Location { return v.c.settings.Location() }

func (v *remindersView) SetSize(w, h int) {
	v.w, v.h = w, h
	if v.form != nil {
		v.form.f.setSize(w, v.formRows())
	}
	if v.compose != nil {
		v.compose.setSize(w, h)
	}
	v.clampScroll()
}

func (v *remindersView) Update(msg tea.Msg) (View, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case reloadMsg:
		cmd = v.readInputs()
	case settingsMsg:
		if v.inputsLoaded {
			cmd = v.readInputs() // the rules may have changed
		}
	case changesMsg:
		for _, ch := range msg.changes {
			if ch.TouchesReminderFacts() {
				cmd = v.readInputs()
				break
			}
		}
	case inputsMsg:
		cmd = v.gotInputs(msg)
	case evalMsg:
		cmd = v.gotEval(msg)
	case dayTickMsg:
		v.dayTimer = false
		cmd = v.armDayTimer()
	case composerReadMsg:
		return v, v.gotComposerRead(msg)
	case reminderActedMsg:
		cmd = v.gotActed(msg)
	case reminderSavedMsg:
		cmd = v.gotSaved(msg)
	case cardsWrittenMsg:
		cmd = v.gotCards(msg)
	case pickerHitsMsg:
		if p, ok := v.dialog.(*customerPicker); ok {
			p.gotHits(msg)
		}
	case newReminderMsg:
		cmd = v.startNew(msg)
	case closeComposerMsg:
		v.screen, v.compose = remList, nil
	case closeReminderFormMsg:
		cmd = v.closeForm()
	case tea.KeyPressMsg:
		cmd = v.handleKey(msg)
	case tea.PasteMsg:
		cmd = v.handlePaste(msg)
	case tea.MouseClickMsg, tea.MouseWheelMsg:
		v.handleMouse(msg.(tea.MouseMsg))
	}
	return v, tea.Batch(cmd, v.maybeEvaluate())
}

// ---- reading and evaluating ----

func (v *remindersView) readInputs() tea.Cmd {
	if v.reading {
		v.readAgain = true
		return nil
	}
	v.reading = true
	return v.c.do(func(s *store.Store) tea.Msg {
		manual, decisions, st, err := s.ReminderInputs()
		return inputsMsg{manual: manual, decisions: decisions, settings: st, err: err}
	})
}

func (v *remindersView) gotInputs(msg inputsMsg) tea.Cmd {
	v.reading = false
	var again tea.Cmd
	if v.readAgain {
		v.readAgain = false
		again = v.readInputs()
	}
	if msg.err != nil {
		v.inputsErr = msg.err.Error()
		return tea.Batch(again, sayError(msg.err))
	}
	v.manual, v.decisions, v.rules = msg.manual, msg.decisions, msg.settings
	v.inputsLoaded, v.inputsErr = true, ""
	v.inputsGen++
	return again
}

// shopDay numbers the shop's day of t, to notice midnight.
func shopDayNum(t time.Time, loc *time.Location) int {
	y, m, d := t.In(loc).Date()
	return y*10000 + int(m)*100 + d
}

// maybeEvaluate starts an evaluation when the customers, the inputs or
// the day changed since the last one (one at a time; the next starts when
// it lands).
func (v *remindersView) maybeEvaluate() tea.Cmd {
	if !v.inputsLoaded || !v.book.bookReady() || v.evaluating {
		return nil
	}
	today := shopDayNum(v.c.now(), v.rules.Location())
	same := v.evalBook == v.book.bookGen() && v.evalInputs == v.inputsGen && v.evalDay == today
	if same && (v.evaluated || v.evalErr != "") {
		return nil // (after a failure: until something changes)
	}
	// Only customers changed since the last evaluation (same inputs, same
	// day): work out theirs and keep the rest, instead of every rule for
	// every customer again.
	var prevBook []*entry
	var prevList *openList
	prevLen := v.list.Len()
	var prevDropped map[int32]bool
	if v.evaluated && v.evalInputs == v.inputsGen && v.evalDay == today {
		prevBook, prevList, prevDropped = v.evalSnap, v.list, v.index.dropped
	}
	v.evaluating = true
	v.evalSeq++
	v.evalBook, v.evalInputs, v.evalDay = v.book.bookGen(), v.inputsGen, today
	seq, now := v.evalSeq, v.c.now()
	book, manual, decisions, st := v.book.bookSnapshot(), v.manual, v.decisions, v.rules
	v.evalSnap = book
	return v.c.oneAtATime(func(s *store.Store) tea.Msg {
		var list *openList
		var err error
		changed, partial := changedCustomers(prevBook, book)
		if partial {
			list, err = updateReminders(s, prevList, prevDropped, changed, manual, decisions, st, now)
		} else {
			list, err = openReminders(s, book, manual, decisions, st, now, prevLen)
		}
		if err != nil {
			return evalMsg{seq: seq, err: err}
		}
		return evalMsg{seq: seq, list: list, now: now, partial: partial}
	})
}

// changedCustomers compares two snapshots of the book (entries are never
// changed once made, so a changed customer is a different pointer): the
// customers added or changed, and the ids of those gone (nil). ok is false
// when so many changed that working everything out again is as quick.
func changedCustomers(prev, cur []*entry) (map[model.ID]*entry, bool) {
	if prev == nil {
		return nil, false
	}
	before := make(map[model.ID]*entry, len(prev))
	for _, e := range prev {
		before[e.c.ID] = e
	}
	changed := map[model.ID]*entry{}
	for _, e := range cur {
		if before[e.c.ID] != e {
			changed[e.c.ID] = e
		}
		delete(before, e.c.ID)
	}
	for id := range before {
		changed[id] = nil
	}
	return changed, len(changed) <= max(16, len(cur)/8)
}

// updateReminders is prev (open reminders, sorted; those at the places in
// dropped were acted on) with the reminders of the changed customers
// worked out again: theirs taken out, their rules and manual reminders
// evaluated, and merged back in order.
func updateReminders(s *store.Store, prev *openList, dropped map[int32]bool, changed map[model.ID]*entry, manual []model.Reminder, decisions map[string]model.Decision, st model.Settings, now time.Time) (*openList, error) {
	var book []*entry
	for _, e := range changed {
		if e != nil {
			book = append(book, e)
		}
	}
	var mine []model.Reminder
	for _, m := range manual {
		if _, ok := changed[m.Customer]; ok {
			mine = append(mine, m)
		}
	}
	fresh, err := openRemindersOf(s, book, mine, decisions, st, now)
	if err != nil {
		return nil, err
	}
	return prev.merged(func(i int) bool {
		_, ok := changed[prev.cust[i]]
		return ok || dropped[int32(i)]
	}, fresh, st.Location()), nil
}

// evalChunk is how many customers are unpacked for the rules at a time,
// so evaluating a large book never holds it all unpacked.
const evalChunk = 1024

// openReminders is model.Rules.Open over the book's entries: every open
// reminder, generated and manual, sorted by due day and packed; a chunk of
// customers' reminders is made at a time, so they are never all held
// unpacked.
func openReminders(s *store.Store, book []*entry, manual []model.Reminder, decisions map[string]model.Decision, st model.Settings, now time.Time, expect int) (*openList, error) {
	rules := model.NewRules(st)
	// Two halves of the book on the two cores of a small machine: the
	// records are unpacked as the rules go, which is most of the work.
	parts := 1
	if len(book) >= 4*evalChunk {
		parts = min(2, runtime.GOMAXPROCS(0))
	}
	builders := make([]*openBuilder, parts)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for p := range parts {
		half := book[p*len(book)/parts : (p+1)*len(book)/parts]
		// About as many as last time, else two and a half a customer.
		b := newOpenBuilder(cmp.Or(expect*len(half)/max(1, len(book)), len(half)*5/2))
		builders[p] = b
		wg.Go(func() {
			var out []model.Reminder
			errs[p] = eachChunk(s, half, evalChunk, func(chunk []model.Customer) {
				out = rules.AppendOpen(out[:0], chunk, decisions, now, time.Time{})
				b.add(out)
			})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	mine := newOpenBuilder(len(manual))
	mine.add(openManual(book, manual, rules))
	return openListOf(st.Location(), append(builders, mine)...), nil
}

// openRemindersOf is every open reminder of a few customers, unpacked and
// sorted as model.SortReminders sorts.
func openRemindersOf(s *store.Store, book []*entry, manual []model.Reminder, decisions map[string]model.Decision, st model.Settings, now time.Time) ([]model.Reminder, error) {
	rules := model.NewRules(st)
	var out []model.Reminder
	err := eachChunk(s, book, evalChunk, func(chunk []model.Customer) {
		out = rules.AppendOpen(out, chunk, decisions, now, time.Time{})
	})
	if err != nil {
		return nil, err
	}
	out = append(out, openManual(book, manual, rules)...)
	model.SortReminders(out)
	return out, nil
}

// openManual is the open ones of the manual reminders of customers in book
// who are active.
func openManual(book []*entry, manual []model.Reminder, rules model.Rules) []model.Reminder {
	var out []model.Reminder
	if len(manual) > 0 {
		active := make(map[model.ID]bool, len(manual))
		for _, m := range manual {
			active[m.Customer] = false
		}
		for _, e := range book {
			if _, ok := active[e.c.ID]; ok && e.c.Active() {
				active[e.c.ID] = true
			}
		}
		out = model.AppendOpenManual(out, manual, func(id model.ID) bool { return active[id] }, time.Time{}, rules.Loc)
	}
	model.SortReminders(out)
	return out
}

func (v *remindersView) gotEval(msg evalMsg) tea.Cmd {
	if msg.seq != v.evalSeq {
		return nil
	}
	v.evaluating = false
	if msg.err != nil {
		// Worked out again when the customers, the inputs or the day
		// change; what was shown stays.
		v.evalErr = msg.err.Error()
		v.evalSnap = nil // the next one does everyone
		return sayError(fmt.Errorf("the reminders could not be worked out: %w", msg.err))
	}
	v.evalErr = ""
	v.evaluated = true
	v.list, v.now, v.partial = msg.list, msg.now, msg.partial
	v.index.list, v.index.dropped, v.index.ready = msg.list, nil, true
	v.rebuild()
	return v.armDayTimer()
}

// armDayTimer asks for a tick just after the shop's next midnight.
func (v *remindersView) armDayTimer() tea.Cmd {
	if v.dayTimer {
		return nil
	}
	loc := v.rules.Location()
	now := v.c.now()
	y, m, d := now.In(loc).Date()
	next := model.StartOfDay(y, m, d+1, loc)
	cmd := v.c.after(next.Sub(now)+time.Second, dayTickMsg{})
	v.dayTimer = cmd != nil
	return cmd
}

// ---- the list ----

// rebuild lays the evaluated list out under its headings, keeping the
// selection on the same reminder (or its neighbour while it is away).
func (v *remindersView) rebuild() {
	now, loc := v.c.now(), v.loc()
	// The list is sorted by due time, so a group is a run of it, found by
	// a binary search on the day each group starts: Overdue before today,
	// Today, the next 7 days, Later.
	n := v.list.Len()
	days := [3]int{0, 1, 8}
	var bounds [5]int
	for g, d := range days {
		bounds[g+1] = sort.Search(n, func(i int) bool { return model.DaysBetween(now, v.list.Due(i), loc) >= d })
	}
	bounds[4] = n
	dropped := v.index.dropped
	v.rows = slices.Grow(v.rows[:0], n+len(bounds))
	v.due = 0
	for g := range 4 {
		i, j := bounds[g], bounds[g+1]
		count := j - i
		for k := range dropped {
			if int(k) >= i && int(k) < j {
				count--
			}
		}
		if count > 0 {
			if g <= 1 {
				v.due += count
			}
			v.rows = append(v.rows, remRow{at: int32(-g - 1), count: int32(count)})
			for k := i; k < j; k++ {
				if !dropped[int32(k)] {
					v.rows = append(v.rows, remRow{at: int32(k)})
				}
			}
		}
	}
	found := false
	if v.selectedKey != "" {
		for _, at := range v.index.places(v.selectedFor) {
			if v.list.Key(int(at)) != v.selectedKey {
				continue
			}
			for i, row := range v.rows {
				if row.at == at {
					v.cursor, found = i, true
					break
				}
			}
			break
		}
	}
	if !found {
		// Keep the key: a reminder being added (or undone) comes back with
		// a later evaluation and takes the selection then.
		v.cursor = min(v.cursor, len(v.rows)-1)
		v.settle(1)
	}
	v.clampScroll()
}

// settle moves the cursor off a heading, in direction dir first.
func (v *remindersView) settle(dir int) {
	if len(v.rows) == 0 {
		v.cursor = 0
		return
	}
	v.cursor = max(0, min(v.cursor, len(v.rows)-1))
	for _, d := range []int{dir, -dir} {
		for i := v.cursor; i >= 0 && i < len(v.rows); i += d {
			if !v.rows[i].isHeading() {
				v.cursor = i
				return
			}
		}
	}
}

func (v *remindersView) remember() {
	if r := v.selected(); r != nil {
		v.selectedKey, v.selectedFor = r.Key, r.Customer
	}
}

// selected is the reminder under the cursor, unpacked (nil on none).
func (v *remindersView) selected() *model.Reminder {
	if v.cursor < 0 || v.cursor >= len(v.rows) || v.rows[v.cursor].isHeading() || int(v.rows[v.cursor].at) >= v.list.Len() {
		return nil
	}
	r := v.list.At(int(v.rows[v.cursor].at))
	return &r
}

func (v *remindersView) move(by int) {
	if len(v.rows) == 0 {
		return
	}
	dir := 1
	if by < 0 {
		dir = -1
	}
	v.cursor = max(0, min(len(v.rows)-1, v.cursor+by))
	v.settle(dir)
	v.remember()
	v.clampScroll()
}

// listTop is the line the first row is drawn on: title, column heads.
const remListTop = 2

func (v *remindersView) listRows() int { return max(1, v.h-remListTop) }

func (v *remindersView) clampScroll() {
	n := v.listRows()
	// Keep a reminder's heading in view with it when it is the first.
	top := v.cursor
	if top > 0 && v.rows[top-1].isHeading() {
		top--
	}
	if top < v.offset {
		v.offset = top
	}
	if v.cursor >= v.offset+n {
		v.offset = v.cursor - n + 1
	}
	v.offset = max(0, min(v.offset, len(v.rows)-n))
}

// customerName is the name the list shows for a reminder's customer.
func (v *remindersView) customerName(id model.ID) string {
	if name, ok := v.book.bookName(id); ok {
		return clean(name)
	}
	return fmt.Sprintf("#%d", id)
}

func (v *remindersView) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if v.dialog != nil {
		return keyToDialog(&v.dialog, msg)
	}
	switch v.screen {
	case remForm:
		return v.formKey(msg)
	case remCompose:
		return v.composeKey(msg)
	}
	return v.listKey(msg)
}

func (v *remindersView) handlePaste(msg tea.PasteMsg) tea.Cmd {
	switch {
	case v.dialog != nil:
		_, cmd := v.dialog.update(msg)
		return cmd
	case v.screen == remForm:
		return v.form.f.update(msg)
	case v.screen == remCompose:
		return v.compose.update(msg)
	}
	return nil
}

func (v *remindersView) handleMouse(msg tea.MouseMsg) {
	if v.dialog != nil || v.screen != remList {
		return
	}
	by, row := listMouse(msg, remListTop, v.offset, len(v.rows))
	if by != 0 {
		v.move(by)
	}
	if row >= 0 && !v.rows[row].isHeading() { // not a section's heading
		v.cursor = row
		v.remember()
	}
}

func (v *remindersView) listKey(msg tea.KeyPressMsg) tea.Cmd {
	k := v.keys
	if by, ok := k.step(msg, len(v.rows), v.listRows()); ok {
		v.move(by)
		return nil
	}
	switch {
	case key.Matches(msg, k.New):
		return v.startNew(newReminderMsg{})
	case key.Matches(msg, k.Cards):
		return v.writeCards()
	}
	r := v.selected()
	if r == nil {
		return nil
	}
	switch {
	case key.Matches(msg, k.Open):
		id := r.Customer
		return func() tea.Msg { return openCustomerMsg{id: id} }
	case key.Matches(msg, k.Done):
		if r.Kind.IsCard() {
			return v.openComposer(*r)
		}
		return v.markDone(*r, "")
	case key.Matches(msg, k.Compose):
		if !r.Kind.IsCard() {
			return sayInfo("A " + r.Kind.Label() + " is not a card; x marks it done.")
		}
		return v.openComposer(*r)
	case key.Matches(msg, k.Snooze):
		v.dialog = newSnoozeDialog(v.c.styles, *r, v.customerName(r.Customer), v.c.now(), v.loc(), v.snooze)
	case key.Matches(msg, k.Dismiss):
		v.dialog = newDismissDialog(v.c.styles, *r, v.customerName(r.Customer), v.dismiss)
	case key.Matches(msg, k.Edit):
		if r.ID == 0 {
			return sayInfo("The rules made this " + r.Kind.Label() + ", so it cannot be edited: s snoozes it, d dismisses it, and Settings (,) changes the rule.")
		}
		return v.openEdit(*r)
	}
	return nil
}

// ---- acting on a reminder ----

// markDone settles a reminder, logging the matching interaction (text is
// the card's message, or empty for the store's short note).
func (v *remindersView) markDone(r model.Reminder, text string) tea.Cmd {
	name := v.customerName(r.Customer)
	return v.c.do(func(s *store.Store) tea.Msg {
		in, err := s.MarkDone(r, text)
		if err != nil {
			return reminderActedMsg{r: r, err: err}
		}
		say := fmt.Sprintf("Done: %s for %s; logged a %s.", r.Kind.Label(), name, in.Kind.Label())
		if r.Kind.IsCard() {
			say = fmt.Sprintf("Sent the %s to %s; the message is on their timeline.", r.Kind.Label(), name)
		}
		return reminderActedMsg{r: r, text: say + " u undoes it.", logged: true}
	})
}

func (v *remindersView) snooze(r model.Reminder, day time.Time) tea.Cmd {
	name := v.customerName(r.Customer)
	loc := v.loc()
	return v.c.do(func(s *store.Store) tea.Msg {
		if err := s.Snooze(r, day); err != nil {
			return reminderActedMsg{r: r, err: err}
		}
		return reminderActedMsg{r: r, text: fmt.Sprintf("Snoozed the %s for %s until %s.", r.Kind.Label(), name, day.In(loc).Format(model.DayFormat))}
	})
}

func (v *remindersView) dismiss(r model.Reminder, reason string) tea.Cmd {
	name := v.customerName(r.Customer)
	return v.c.do(func(s *store.Store) tea.Msg {
		if err := s.Dismiss(r, reason); err != nil {
			return reminderActedMsg{r: r, err: err}
		}
		return reminderActedMsg{r: r, text: fmt.Sprintf("Dismissed the %s for %s. u undoes it.", r.Kind.Label(), name)}
	})
}

func (v *remindersView) gotActed(msg reminderActedMsg) tea.Cmd {
	if msg.err != nil {
		if v.compose != nil {
			v.compose.sending = false // what was typed stays, to try again
		}
		return sayError(msg.err)
	}
	if v.screen == remCompose {
		v.screen, v.compose = remList, nil
	}
	// Out of the list at once; the change feed brings the rest (a snoozed
	// one back on its day, a repeating one's next) within a moment.
	// The places dropped are a new set each time: an evaluation under way
	// reads the one it was given.
	for _, at := range v.index.places(msg.r.Customer) {
		if v.list.Key(int(at)) == msg.r.Key {
			dropped := make(map[int32]bool, len(v.index.dropped)+1)
			for k := range v.index.dropped {
				dropped[k] = true
			}
			dropped[at] = true
			v.index.dropped = dropped
			break
		}
	}
	v.rebuild()
	return tea.Batch(say(msg.text), wrote)
}

// ---- composing a card ----

// composerReadMsg is a card's customer, read whole to write the card.
type composerReadMsg struct {
	r   model.Reminder
	c   model.Customer
	err error
}

// openComposer reads the customer's whole record (their last purchase,
// their address), then opens the card.
func (v *remindersView) openComposer(r model.Reminder) tea.Cmd {
	return v.c.do(func(s *store.Store) tea.Msg {
		c, err := s.Customer(r.Customer)
		return composerReadMsg{r: r, c: c, err: err}
	})
}

func (v *remindersView) gotComposerRead(msg composerReadMsg) tea.Cmd {
	if msg.err != nil {
		return sayError(msg.err)
	}
	if v.screen != remList || v.dialog != nil {
		return nil // the owner moved on meanwhile
	}
	r, c := msg.r, msg.c
	text, err := model.ComposeCardFor(r, c, v.rules, assets.CardTemplates(), v.c.now())
	if err != nil {
		// A broken template still lets the owner write the card by hand.
		text = ""
	}
	v.compose = newComposer(v.c.styles, r, c, text, v.c.now(), v.loc())
	if err != nil {
		v.compose.err = "The card template could not be filled (" + err.Error() + "); write the message here, or fix the template in Settings (,)."
	}
	v.compose.setSize(v.w, v.h)
	v.screen = remCompose
	return v.compose.focus()
}

func (v *remindersView) composeKey(msg tea.KeyPressMsg) tea.Cmd {
	m := v.compose
	switch {
	case key.Matches(msg, composeSendKey()):
		if m.sending {
			return nil
		}
		if err := model.ValidateInteraction(model.Interaction{Customer: m.r.Customer, At: v.c.now(), Kind: model.KindCardSent, Note: m.text()}, v.c.now()); err != nil {
			m.err = err.Error()
			return nil
		}
		m.sending, m.err = true, ""
		return v.markDone(m.r, m.text())
	case key.Matches(msg, v.fkeys.Cancel):
		if !m.dirty() {
			v.screen, v.compose = remList, nil
			return nil
		}
		v.dialog = confirmDialog("Discard the card you are writing?", []string{"The reminder stays open."},
			func() tea.Msg { return closeComposerMsg{} }, "discard")
		return nil
	}
	return m.update(msg)
}

// ---- the cards CSV ----

// writeCards writes the cards due within a week (overdue ones too) with
// addresses and messages to a CSV in the owner's documents folder.
func (v *remindersView) writeCards() tea.Cmd {
	if !v.evaluated {
		return sayInfo("The reminders are still being worked out; try again in a moment.")
	}
	now, loc := v.c.now(), v.loc()
	until, _ := model.ParseDue("+7d", now, loc)
	list, dropped := v.list, v.index.dropped
	st, dir := v.rules, v.cardsDir()
	// The cards are unpacked and their customers read whole (addresses)
	// in the tea.Cmd: overdue ones can be many.
	return v.c.do(func(s *store.Store) tea.Msg {
		var due []model.Reminder
		var ids []model.ID
		seen := map[model.ID]bool{}
		for i := 0; i < list.Len() && !list.Due(i).After(until); i++ {
			if dropped[int32(i)] {
				continue
			}
			r := list.At(i)
			if !r.Kind.IsCard() {
				continue
			}
			due = append(due, r)
			if !seen[r.Customer] {
				seen[r.Customer] = true
				ids = append(ids, r.Customer)
			}
		}
		slices.Sort(ids)
		read, err := s.CustomersByID(ids)
		if err != nil {
			return cardsWrittenMsg{err: err}
		}
		customers := make(map[model.ID]model.Customer, len(read))
		for _, c := range read {
			customers[c.ID] = c
		}
		due = slices.DeleteFunc(due, func(r model.Reminder) bool { _, ok := customers[r.Customer]; return !ok })
		if len(due) == 0 {
			return statusMsg{text: "No cards are due this week, so no file was written.", kind: statusInfo}
		}
		return writeCardsFile(dir, due, customers, st, now, until)
	})
}

func (v *remindersView) gotCards(msg cardsWrittenMsg) tea.Cmd {
	if msg.err != nil {
		return sayError(msg.err)
	}
	s := fmt.Sprintf("Wrote %s due by %s to %s.", plural(msg.n, "card", "cards"), msg.until.Format(model.DayFormat), displayPath(msg.path))
	switch {
	case msg.noAddress == 0:
	case msg.n == 1:
		s += " It has no mailing address."
	case msg.noAddress == 1:
		s += " One of them has no mailing address."
	default:
		s += fmt.Sprintf(" %d of them have no mailing address.", msg.noAddress)
	}
	return say(s)
}

// ---- help ----

func (v *remindersView) ShortHelp() []key.Binding {
	k := v.keys
	switch {
	case v.dialog != nil:
		return nil
	case v.screen == remForm:
		return []key.Binding{v.fkeys.Save, v.fkeys.Next, v.fkeys.Prev, v.fkeys.Cancel}
	case v.screen == remCompose:
		return []key.Binding{composeSendKey(), composeBackKey()}
	}
	r := v.selected()
	if r == nil {
		return []key.Binding{k.New, helpKey()}
	}
	b := []key.Binding{k.Done, k.Snooze, k.Dismiss, k.Open}
	if r.Kind.IsCard() {
		b = append(b, k.Compose)
	} else if r.ID != 0 {
		b = append(b, k.Edit)
	}
	return append(b, k.New, k.Cards, helpKey())
}

func (v *remindersView) FullHelp() [][]key.Binding {
	k := v.keys
	switch v.screen {
	case remForm:
		return [][]key.Binding{{v.fkeys.Save, v.fkeys.Next, v.fkeys.Prev, v.fkeys.Cancel}}
	case remCompose:
		return [][]key.Binding{{composeSendKey(), composeBackKey()}}
	}
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown},
		{k.Done, k.Compose, k.Snooze, k.Dismiss, k.Open},
		{k.New, k.Edit, k.Cards},
	}
}

// ---- drawing ----

func (v *remindersView) View() string {
	if v.w <= 0 || v.h <= 0 {
		return ""
	}
	var s string
	switch v.screen {
	case remForm:
		s = v.formView()
	case remCompose:
		s = v.compose.view()
	default:
		s = v.listView()
	}
	s = fitBlock(s, v.w, v.h)
	if v.dialog != nil {
		s = overlay(s, v.dialog.view(v.c.styles, v.w), v.w, v.h)
	}
	return s
}

// remColumns are the list's widths at w cells: when, customer, kind and
// note; the note gives way first, then the kind narrows.
func remColumns(w int) (when, name, kind, note int) {
	avail := w - 2 // the selection marker
	when, kind = 14, 14
	switch {
	case avail >= 96:
		kind = 23
	case avail >= 70:
		kind = 20
	}
	name = max(10, min(24, (avail-when-kind-6)/2))
	note = avail - when - name - kind - 6
	if note < 8 {
		name += max(0, note+2)
		note = 0
	}
	return when, name, kind, note
}

func (v *remindersView) listView() string {
	st := v.c.styles
	title := st.Title.Render("Reminders")
	if v.evaluated && v.open() > 0 {
		title += st.Subtle.Render(" · " + v.Status())
	}
	lines := []string{truncate(title, v.w)}
	switch {
	case v.inputsErr != "" && !v.inputsLoaded:
		lines = append(lines, "", st.Error.Render("The reminders could not be read:"))
		return strings.Join(append(lines, wrap(clean(v.inputsErr), v.w)...), "\n")
	case v.book.bookErr() != "" && !v.evaluated:
		lines = append(lines, "", st.Error.Render("The customers could not be read, so neither can their reminders:"))
		return strings.Join(append(lines, wrap(clean(v.book.bookErr()), v.w)...), "\n")
	case v.evalErr != "" && !v.evaluated:
		lines = append(lines, "", st.Error.Render("The customers could not be read, so neither can their reminders:"))
		return strings.Join(append(lines, wrap(clean(v.evalErr), v.w)...), "\n")
	case !v.evaluated:
		return strings.Join(append(lines, "", st.Subtle.Render("Working out what is due…")), "\n")
	case v.open() == 0:
		return strings.Join(append(lines, v.emptyView()...), "\n")
	}
	whenW, nameW, kindW, noteW := remColumns(v.w)
	head := "  " + padRight("When", whenW) + "  " + padRight("Customer", nameW) + "  " + padRight("Kind", kindW)
	if noteW > 0 {
		head += "  " + padRight("Note", noteW)
	}
	lines = append(lines, st.ColumnHead.Render(truncate(head, v.w)))
	now, loc := v.c.now(), v.loc()
	for i := v.offset; i < len(v.rows) && i < v.offset+v.listRows(); i++ {
		row := v.rows[i]
		if row.isHeading() {
			lines = append(lines, truncate(st.Title.Render(remGroups[-row.at-1])+st.Subtle.Render(" ("+thousands(int(row.count))+")"), v.w))
			continue
		}
		r := v.list.At(int(row.at))
		when := padRight(model.DueRelative(r.Due, now, loc), whenW)
		line := when + "  " + padRight(v.customerName(r.Customer), nameW) + "  " + padRight(r.Kind.Label(), kindW)
		if noteW > 0 {
			note := r.Note
			if !r.Repeat.IsZero() {
				note = strings.TrimSpace(note + " (" + r.Repeat.String() + ")")
			}
			if !r.SnoozedUntil.IsZero() {
				note = strings.TrimSpace("snoozed · " + note)
			}
			line += "  " + padRight(clean(note), noteW)
		}
		switch {
		case i == v.cursor:
			line = st.Selected.Render("> " + line)
		case r.Due.Before(model.DayOf(now, loc)):
			line = "  " + st.Warning.Render(when) + strings.TrimPrefix(line, when)
		default:
			line = "  " + line
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func (v *remindersView) emptyView() []string {
	st := v.c.styles
	text := []string{
		"Nothing to do: no reminders are open.",
		"",
		"Reminders are how the shop keeps its customers: a thank-you card the day after a first purchase (or a big one), birthday and anniversary cards, a note to someone not seen for a while, a call after a complaint.",
		"",
		"Patron makes them from what you log, so there is nothing to set up: log a purchase and its thank-you card is due the next day. Press r to add one of your own (a follow-up call, anything, repeating if you like). Settings (,) turns each rule on or off.",
	}
	out := []string{""}
	for _, t := range text {
		for _, l := range wrap(t, max(10, v.w-2)) {
			out = append(out, "  "+l)
		}
	}
	out[1] = "  " + st.Title.Render(strings.TrimPrefix(out[1], "  "))
	return out
}

// ---- wiring into the root ----

// addRemindersTab puts the Reminders tab in place (key 3), reading the
// customers the Customers tab holds and lending it its evaluation.
func (a *App) addRemindersTab() {
	cv, ok := a.tabs[0].view.(*customersView)
	if !ok {
		return
	}
	rv := newRemindersView(a.c, cv)
	cv.reminders = rv.index
	i := 0
	for i < len(a.tabs) && a.tabs[i].num < 3 {
		i++
	}
	a.tabs = append(a.tabs[:i], append([]tab{{num: 3, view: rv}}, a.tabs[i:]...)...)
}

// routeReminder shows a tab a view asked for, or takes a new reminder
// asked from another tab to the Reminders tab, remembering where it came from.
func (a *App) routeReminder(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case showTabMsg:
		for i, t := range a.tabs {
			if t.num == msg.num {
				a.active = i
			}
		}
	case newReminderMsg:
		for i, t := range a.tabs {
			if _, ok := t.view.(*remindersView); !ok {
				continue
			}
			if msg.from == 0 && i != a.active {
				msg.from = a.tabs[a.active].num
			}
			a.settings, a.active = nil, i
			var cmd tea.Cmd
			a.tabs[i].view, cmd = t.view.Update(msg)
			return cmd
		}
	}
	return nil
}

// nextReminderCell is the Customers list's "next reminder" column: when
// the customer's soonest open reminder is due.
func nextReminderCell(v *customersView, e *entry) string {
	due, ok := v.reminders.nextDue(e.c.ID)
	if !ok {
		if v.reminders == nil || !v.reminders.ready {
			return ""
		}
		return "—"
	}
	return model.DueRelative(due, v.c.now(), v.c.settings.Location())
}

// How many of a customer's open reminders and cards sent the detail
// lists: the rest are a key away, and the timeline needs the room.
const (
	detailShown = 3
	cardsShown  = 3
)

// detailReminderLines are the customer detail's Reminders section: their
// open reminders, soonest first, and the cards they were sent, newest first.
func (v *customersView) detailReminderLines(id model.ID) []string {
	st := v.c.styles
	lines := []string{"", st.Title.Render("Reminders")}
	open := v.reminders.of(id)
	switch {
	case v.reminders == nil || !v.reminders.ready:
		lines = append(lines, st.Subtle.Render("  Working them out…"))
	case len(open) == 0:
		lines = append(lines, st.Subtle.Render("  None open. r on the list adds one."))
	}
	now, loc := v.c.now(), v.c.settings.Location()
	for i, r := range open {
		if i == detailShown {
			lines = append(lines, st.Subtle.Render(fmt.Sprintf("  and %s later, on the Reminders tab (3)", plural(len(open)-detailShown, "more", "more"))))
			break
		}
		line := padRight(model.DueRelative(r.Due, now, loc), 13) + "  " + r.Kind.Label()
		if r.Note != "" {
			line += st.Subtle.Render(" · " + clean(r.Note))
		}
		lines = append(lines, truncate("  "+line, v.w))
	}
	var cards []model.Interaction
	for _, in := range v.detail.latest {
		if in.Kind == model.KindCardSent {
			cards = append(cards, in)
		}
	}
	if len(cards) == 0 {
		return lines
	}
	lines = append(lines, "", st.Title.Render("Cards sent")+st.Subtle.Render(" · "+thousands(len(cards))))
	for i, in := range cards {
		if i == cardsShown {
			lines = append(lines, st.Subtle.Render(fmt.Sprintf("  and %s earlier, in the timeline", plural(len(cards)-cardsShown, "card", "cards"))))
			break
		}
		text := strings.Join(strings.Fields(clean(strings.ReplaceAll(in.Note, "\n", " "))), " ")
		lines = append(lines, truncate("  "+in.At.In(loc).Format(model.DayFormat)+"  "+text, v.w))
	}
	return lines
}
