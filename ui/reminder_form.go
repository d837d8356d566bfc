package ui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/sahilm/fuzzy"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// ---- the new/edit reminder form ----

// reminderForm adds a reminder of the owner's for a customer, or edits one:
// due day (the shared date syntax), kind, note and an optional repeat.
type reminderForm struct {
	f        *form
	original model.Reminder // the reminder being edited; zero ID when adding
	name     string         // the customer's, cleaned
	now      time.Time
	loc      *time.Location
}

type (
	reminderSavedMsg struct {
		r      model.Reminder
		adding bool
		name   string
		err    error
	}
	closeReminderFormMsg struct{}
)

// kindHint lists the kinds a reminder of the owner's can be.
var kindHint = "follow-up, custom, or a card: thank-you, birthday, anniversary…"

func newReminderForm(st *Styles, r model.Reminder, name string, now time.Time, loc *time.Location) *reminderForm {
	title := "New reminder for " + clean(name)
	due := "tomorrow"
	if r.ID != 0 {
		title = "Edit the reminder for " + clean(name)
		shown := r.Due
		if r.SnoozedUntil.After(shown) {
			shown = r.SnoozedUntil
		}
		due = shown.In(loc).Format(model.DayFormat)
	}
	if r.Kind == "" {
		r.Kind = model.ReminderFollowUp
	}
	f := newForm(title, st)
	f.addText("due", "Due", "today, tomorrow, +3d, +2w, friday, 2026-12-01", due, func(s string) error {
		_, err := model.ParseDue(s, now, loc)
		return err
	})
	f.addText("kind", "Kind", kindHint, string(r.Kind), func(s string) error {
		if _, ok := model.ParseReminderKind(s); !ok {
			return &model.FieldError{Field: "kind", Problem: fmt.Sprintf("%q is not a kind of reminder", strings.TrimSpace(s)), Fix: "use " + kindHint}
		}
		return nil
	})
	f.addText("note", "Note", "what to do, e.g. call about the wedding order", r.Note, nil)
	f.addText("repeat", "Repeat", "empty for once, or 3d, 2w, 1m, 1y", r.Repeat.String(), func(s string) error {
		_, err := model.ParseRepeat(s)
		return err
	})
	return &reminderForm{f: f, original: r, name: name, now: now, loc: loc}
}

// reminder is the reminder the form describes, checked as a whole. An
// edit that leaves the day alone keeps the stored day and any snooze.
func (rf *reminderForm) reminder() (model.Reminder, error) {
	r := rf.original
	if due := rf.f.field("due"); r.ID == 0 || strings.TrimSpace(due.value()) != due.initial {
		day, err := model.ParseDue(due.value(), rf.now, rf.loc)
		if err != nil {
			return r, err
		}
		r.Due, r.SnoozedUntil = day, time.Time{}
	}
	k, _ := model.ParseReminderKind(rf.f.get("kind"))
	r.Kind = k
	r.Note = strings.TrimSpace(rf.f.get("note"))
	var err error
	if r.Repeat, err = model.ParseRepeat(rf.f.get("repeat")); err != nil {
		return r, err
	}
	return r, model.ValidateReminder(r)
}

// startNew opens a new reminder: for the customer asked, or after picking one.
func (v *remindersView) startNew(msg newReminderMsg) tea.Cmd {
	v.back = msg.from
	if msg.customer != 0 {
		return v.openNew(msg.customer)
	}
	if !v.book.bookReady() {
		return sayInfo("The customers are still being read; try again in a moment.")
	}
	var active []*listCustomer
	for _, e := range v.book.bookSnapshot() {
		if e.c.Active() {
			active = append(active, &e.c)
		}
	}
	if len(active) == 0 {
		return sayInfo("Add a customer first (1, then a): a reminder is always for someone.")
	}
	v.dialog = newCustomerPicker(v.c.styles, active, v.openNew)
	return v.dialog.(*customerPicker).input.Focus()
}

func (v *remindersView) openNew(id model.ID) tea.Cmd {
	e, ok := v.book.bookEntry(id)
	if !ok {
		return sayInfo("That customer is not loaded yet; try again in a moment.")
	}
	c := &e.c
	if !c.Active() {
		return sayInfo(clean(c.Name) + " is " + string(c.Status) + ", so reminders for them would not show; restore them first.")
	}
	return v.openForm(model.Reminder{Customer: id}, c.Name)
}

// openEdit edits a manual reminder as stored (the list shows it snoozed).
func (v *remindersView) openEdit(r model.Reminder) tea.Cmd {
	for _, m := range v.manual {
		if m.ID == r.ID {
			return v.openForm(m, v.customerName(r.Customer))
		}
	}
	return sayInfo("That reminder is no longer there; another window may have changed it.")
}

func (v *remindersView) openForm(r model.Reminder, name string) tea.Cmd {
	v.form = newReminderForm(v.c.styles, r, name, v.c.now(), v.loc())
	v.form.f.setSize(v.w, v.formRows())
	v.screen = remForm
	return v.form.f.start()
}

func (v *remindersView) closeForm() tea.Cmd {
	v.screen, v.form = remList, nil
	if v.back != 0 {
		num := v.back
		v.back = 0
		return func() tea.Msg { return showTabMsg{num: num} }
	}
	return nil
}

func (v *remindersView) formKey(msg tea.KeyPressMsg) tea.Cmd {
	rf := v.form
	switch {
	case key.Matches(msg, v.fkeys.Save):
		if reason, cmd := rf.f.checkAll(); reason != "" {
			return tea.Batch(cmd, func() tea.Msg { return statusMsg{text: "Not saved yet: " + reason, kind: statusError} })
		}
		r, err := rf.reminder()
		if err != nil {
			return sayError(err)
		}
		adding, name := r.ID == 0, rf.name
		return v.c.do(func(s *store.Store) tea.Msg {
			var saved model.Reminder
			var err error
			if adding {
				saved, err = s.AddReminder(r)
			} else {
				saved, err = s.UpdateReminder(r)
			}
			return reminderSavedMsg{r: saved, adding: adding, name: name, err: err}
		})
	case key.Matches(msg, v.fkeys.Cancel):
		if !rf.f.dirty() {
			return v.closeForm()
		}
		v.dialog = confirmDialog("Discard this reminder?", nil, func() tea.Msg { return closeReminderFormMsg{} }, "discard")
		return nil
	}
	return rf.f.update(msg)
}

func (v *remindersView) gotSaved(msg reminderSavedMsg) tea.Cmd {
	if msg.err != nil {
		return sayError(msg.err) // the form stays, with what was typed
	}
	r := msg.r
	v.selectedKey, v.selectedFor = r.Key, r.Customer
	verb := "Added"
	if !msg.adding {
		verb = "Saved"
	}
	s := fmt.Sprintf("%s the %s for %s, due %s", verb, kindNoun(r.Kind), clean(msg.name), r.Due.In(v.loc()).Format(model.DayFormat))
	if !r.Repeat.IsZero() {
		s += ", " + r.Repeat.String()
	}
	return tea.Batch(v.closeForm(), say(s+"."), wrote)
}

// kindNoun names a kind in a sentence: "the follow-up", "the reminder".
func kindNoun(k model.ReminderKind) string {
	if k == model.ReminderCustom {
		return "reminder"
	}
	return k.Label()
}

// reminderFormHelp says what the fields take, below the form.
var reminderFormHelp = []string{
	"Due: today, tomorrow, +3d, +2w, +1m, a weekday (the next one) or a date such as 2026-12-01.",
	"Kind: follow-up (done logs a call), custom (say what in the note), or a card such as thank-you, birthday or anniversary (done logs the card sent).",
	"Repeat: empty for once, or every 3d, 2w, 1m or 1y; done brings the next one.",
}

// formRows is the room the form's fields have: the title above, the help below.
func (v *remindersView) formRows() int {
	help := 1
	for _, h := range reminderFormHelp {
		help += len(wrap(h, max(10, v.w)))
	}
	return max(1, v.h-2-help)
}

func (v *remindersView) formView() string {
	st := v.c.styles
	lines := []string{st.Title.Render(truncate(v.form.f.title, v.w)), "", v.form.f.view(), ""}
	for _, h := range reminderFormHelp {
		for _, l := range wrap(h, max(10, v.w)) {
			lines = append(lines, st.Subtle.Render(l))
		}
	}
	return strings.Join(lines, "\n")
}

// ---- picking the customer ----

type pickerHitsMsg struct {
	gen  int
	hits []pickHit
}

// pickerShown is how many matches the picker lists.
const pickerShown = 6

// pickHit is a customer the picker found, and in which field.
type pickHit struct {
	id    model.ID
	score int
	field string // "" for the name, else "phone" or "email"
	text  string
}

// pickIndex is the picker's own small fuzzy index (name, phone, email),
// built from a snapshot in a tea.Cmd and never changed after.
type pickIndex struct {
	once sync.Once
	list []*listCustomer
	ids  []model.ID
	text []string // pickFields strings per customer
}

var pickFields = [...]string{"", "phone", "email"}

func (x *pickIndex) build() {
	x.once.Do(func() {
		x.ids = make([]model.ID, len(x.list))
		x.text = make([]string, 0, len(x.list)*len(pickFields))
		for i, c := range x.list {
			x.ids[i] = c.ID
			x.text = append(x.text, clean(c.Name), clean(c.Phone), clean(c.Email))
		}
		x.list = nil
	})
}

// find returns the customers matching q, best first, each once; it gives
// up (nil, false) when stale says a newer search started.
func (x *pickIndex) find(q string, stale func() bool) ([]pickHit, bool) {
	x.build()
	const chunk = 4096 * len(pickFields)
	best := map[int]int{}
	var hits []pickHit
	for start := 0; start < len(x.text); start += chunk {
		if stale() {
			return nil, false
		}
		end := min(start+chunk, len(x.text))
		for _, m := range fuzzy.FindFromNoSort(q, pickSource(x.text[start:end])) {
			i := start + m.Index
			ci, f := i/len(pickFields), i%len(pickFields)
			score := m.Score
			if f == 0 {
				score += 10 // a name beats the same match in an email
			}
			h := pickHit{id: x.ids[ci], score: score, field: pickFields[f], text: m.Str}
			if at, ok := best[ci]; ok {
				if score > hits[at].score {
					hits[at] = h
				}
				continue
			}
			best[ci] = len(hits)
			hits = append(hits, h)
		}
	}
	slices.SortStableFunc(hits, func(a, b pickHit) int { return cmp.Compare(b.score, a.score) })
	return hits, true
}

type pickSource []string

func (s pickSource) String(i int) string { return s[i] }
func (s pickSource) Len() int            { return len(s) }

// customerPicker finds the customer for a new reminder by a fuzzy search
// over the loaded customers, run in a tea.Cmd so typing never waits.
type customerPicker struct {
	input  textinput.Model
	index  *pickIndex
	names  map[model.ID]string
	gen    int
	latest *atomic.Int64
	hits   []pickHit
	cursor int
	onPick func(id model.ID) tea.Cmd
}

func newCustomerPicker(st *Styles, list []*listCustomer, onPick func(model.ID) tea.Cmd) *customerPicker {
	in := textinput.New()
	in.Prompt = "/ "
	in.Placeholder = "name, phone or email"
	in.CharLimit = 200
	in.SetStyles(st.Input)
	names := make(map[model.ID]string, len(list))
	for _, c := range list {
		names[c.ID] = clean(c.Name)
	}
	return &customerPicker{input: in, index: &pickIndex{list: list}, names: names, latest: new(atomic.Int64), onPick: onPick}
}

func (p *customerPicker) search() tea.Cmd {
	p.gen++
	gen, q, index, latest := p.gen, strings.TrimSpace(p.input.Value()), p.index, p.latest
	latest.Store(int64(gen))
	if q == "" {
		p.hits, p.cursor = nil, 0
		return nil
	}
	return func() tea.Msg {
		hits, done := index.find(q, func() bool { return latest.Load() != int64(gen) })
		if !done {
			return nil
		}
		return pickerHitsMsg{gen: gen, hits: hits}
	}
}

func (p *customerPicker) gotHits(msg pickerHitsMsg) {
	if msg.gen != p.gen {
		return
	}
	p.hits, p.cursor = msg.hits, 0
}

func (p *customerPicker) update(msg tea.Msg) (bool, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			return true, nil
		case "up", "ctrl+p":
			p.cursor = max(0, p.cursor-1)
			return false, nil
		case "down", "ctrl+n", "tab":
			p.cursor = max(0, min(min(len(p.hits), pickerShown)-1, p.cursor+1))
			return false, nil
		case "enter":
			if len(p.hits) == 0 {
				return false, nil
			}
			return true, p.onPick(p.hits[p.cursor].id)
		}
	}
	before := p.input.Value()
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	if p.input.Value() != before {
		cmd = tea.Batch(cmd, p.search())
	}
	return false, cmd
}

func (p *customerPicker) view(st *Styles, w int) string {
	inner := max(1, min(64, w-4))
	p.input.SetWidth(max(4, inner-2))
	body := []string{p.input.View(), ""}
	switch {
	case strings.TrimSpace(p.input.Value()) == "":
		body = append(body, st.Subtle.Render("Type part of their name, phone or email."))
	case len(p.hits) == 0:
		body = append(body, st.Subtle.Render("No customer matches yet."))
	}
	for i, h := range p.hits {
		if i >= pickerShown {
			body = append(body, st.Subtle.Render(fmt.Sprintf("  and %d more: type more to narrow", len(p.hits)-pickerShown)))
			break
		}
		line := p.names[h.id]
		if h.field != "" {
			line += st.Subtle.Render("  " + h.field + ": " + h.text)
		}
		if i == p.cursor {
			body = append(body, st.Selected.Render("> "+truncate(line, inner-2)))
		} else {
			body = append(body, "  "+truncate(line, inner-2))
		}
	}
	keys := st.Key.Render("↑↓") + " move  " + st.Key.Render("enter") + " choose  " + st.Key.Render("esc") + " cancel"
	return boxed(st, w, "New reminder: for whom?", body, keys)
}

// ---- snooze ----

// snoozeDialog puts a reminder off: 1 tomorrow, 3 in three days, w a week,
// m a month, p a day typed in the shared date syntax.
type snoozeDialog struct {
	r       model.Reminder
	name    string
	now     time.Time
	loc     *time.Location
	picking bool
	input   textinput.Model
	err     string
	onDay   func(r model.Reminder, day time.Time) tea.Cmd
}

// snoozeChoices are the chooser's keys and the offsets they mean.
var snoozeChoices = []struct{ key, label, offset string }{
	{"1", "tomorrow", "tomorrow"},
	{"3", "in three days", "+3d"},
	{"w", "in a week", "+1w"},
	{"m", "in a month", "+1m"},
}

func newSnoozeDialog(st *Styles, r model.Reminder, name string, now time.Time, loc *time.Location, onDay func(model.Reminder, time.Time) tea.Cmd) *snoozeDialog {
	in := textinput.New()
	in.Prompt = "> "
	in.Placeholder = "friday, +10d, 2026-12-24"
	in.CharLimit = 64
	in.SetStyles(st.Input)
	return &snoozeDialog{r: r, name: name, now: now, loc: loc, input: in, onDay: onDay}
}

func (d *snoozeDialog) update(msg tea.Msg) (bool, tea.Cmd) {
	k, isKey := msg.(tea.KeyPressMsg)
	if d.picking {
		if isKey {
			switch k.String() {
			case "esc":
				return true, nil
			case "enter":
				return d.pick(d.input.Value())
			}
		}
		var cmd tea.Cmd
		d.input, cmd = d.input.Update(msg)
		d.err = ""
		return false, cmd
	}
	if !isKey {
		return false, nil
	}
	switch k.String() {
	case "esc", "n", "q":
		return true, nil
	case "p":
		d.picking = true
		return false, d.input.Focus()
	}
	for _, c := range snoozeChoices {
		if k.String() == c.key {
			return d.pick(c.offset)
		}
	}
	return false, nil
}

// pick snoozes to the day typed, or says what is wrong and waits.
func (d *snoozeDialog) pick(s string) (bool, tea.Cmd) {
	day, err := model.ParseDue(s, d.now, d.loc)
	if err != nil {
		d.err = err.Error()
		return false, nil
	}
	if !day.After(model.DayOf(d.now, d.loc)) {
		d.err = "Snooze to a day after today: tomorrow or later."
		return false, nil
	}
	return true, d.onDay(d.r, day)
}

func (d *snoozeDialog) view(st *Styles, w int) string {
	title := fmt.Sprintf("Snooze the %s for %s until…", d.r.Kind.Label(), d.name)
	var body []string
	var keys string
	if d.picking {
		inner := max(1, min(64, w-4))
		d.input.SetWidth(max(4, min(30, inner-2)))
		body = append(body, "Type the day: tomorrow, +10d, +2w, friday or 2026-12-24.", "", d.input.View())
		keys = st.Key.Render("enter") + " snooze  " + st.Key.Render("esc") + " cancel"
	} else {
		for _, c := range snoozeChoices {
			day, _ := model.ParseDue(c.offset, d.now, d.loc)
			body = append(body, st.Key.Render(c.key)+"  "+padRight(c.label, 14)+st.Subtle.Render(day.Format("Mon 2 Jan")))
		}
		body = append(body, st.Key.Render("p")+"  pick a day")
		keys = st.Key.Render("esc") + " cancel"
	}
	if d.err != "" {
		body = append(body, "", st.Error.Render("✗ "+clean(d.err)))
	}
	return boxed(st, w, title, body, keys)
}

// ---- dismiss ----

// dismissDialog settles a reminder without doing it, with an optional
// reason; enter is the confirmation, esc leaves it open.
type dismissDialog struct {
	r      model.Reminder
	name   string
	input  textinput.Model
	err    string
	onDone func(r model.Reminder, reason string) tea.Cmd
}

func newDismissDialog(st *Styles, r model.Reminder, name string, onDone func(model.Reminder, string) tea.Cmd) *dismissDialog {
	in := textinput.New()
	in.Prompt = "> "
	in.Placeholder = "why (optional): moved away, came in…"
	in.CharLimit = model.MaxLong
	in.SetStyles(st.Input)
	in.Focus()
	return &dismissDialog{r: r, name: name, input: in, onDone: onDone}
}

func (d *dismissDialog) update(msg tea.Msg) (bool, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			return true, nil
		case "enter":
			if err := model.ValidateReason(d.input.Value()); err != nil {
				d.err = err.Error()
				return false, nil
			}
			return true, d.onDone(d.r, d.input.Value())
		}
	}
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	return false, cmd
}

func (d *dismissDialog) view(st *Styles, w int) string {
	inner := max(1, min(64, w-4))
	d.input.SetWidth(max(4, inner-2))
	body := []string{"It will not come back. The reason is kept with it.", "", d.input.View()}
	if d.r.ID != 0 && !d.r.Repeat.IsZero() {
		body[0] = "The whole series ends: it will not come back."
	}
	if d.err != "" {
		body = append(body, "", st.Error.Render("✗ "+clean(d.err)))
	}
	keys := st.Key.Render("enter") + " dismiss  " + st.Key.Render("esc") + " keep it"
	return boxed(st, w, fmt.Sprintf("Dismiss the %s for %s?", d.r.Kind.Label(), d.name), body, keys)
}
