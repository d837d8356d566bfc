package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// pane is which half of the customer detail has the keys.
type pane int

const (
	paneProfile pane = iota
	paneTimeline
)

// timeline is a customer's whole timeline in the detail: open complaints
// first, then everything else newest first, grouped by month.
type timeline struct {
	list     []model.Interaction // newest first, as read
	rows     []tlRow
	items    []int // the rows that are interactions, in order
	pos      int   // the selected one, an index into items
	offset   int   // the first row drawn
	selected model.ID
	open     int
}

// tlRow is a heading (a month, "Open complaints") or an interaction.
type tlRow struct {
	heading string
	i       int // into list, for an interaction
}

// set shows a freshly read timeline, keeping the selection on the same
// interaction when it is still there.
func (t *timeline) set(list []model.Interaction, loc *time.Location) {
	t.list = list
	t.rows, t.items, t.open = t.rows[:0], t.items[:0], 0
	add := func(i int) {
		t.items = append(t.items, len(t.rows))
		t.rows = append(t.rows, tlRow{i: i})
	}
	for i := range list {
		if list[i].OpenComplaint() {
			if t.open == 0 {
				t.rows = append(t.rows, tlRow{heading: "Open complaints"})
			}
			t.open++
			add(i)
		}
	}
	month := -1
	for i := range list {
		if list[i].OpenComplaint() {
			continue
		}
		if m := model.MonthOf(list[i].At, loc); m != month {
			month = m
			t.rows = append(t.rows, tlRow{heading: list[i].At.In(loc).Format("January 2006")})
		}
		add(i)
	}
	t.pos = min(t.pos, max(0, len(t.items)-1))
	for p, r := range t.items {
		if t.list[t.rows[r].i].ID == t.selected {
			t.pos = p
			break
		}
	}
	t.remember()
}

func (t *timeline) remember() {
	if in := t.current(); in != nil {
		t.selected = in.ID
	}
}

// current is the selected interaction, nil when there is none.
func (t *timeline) current() *model.Interaction {
	if t.pos < 0 || t.pos >= len(t.items) {
		return nil
	}
	return &t.list[t.rows[t.items[t.pos]].i]
}

func (t *timeline) move(by int) {
	if len(t.items) == 0 {
		return
	}
	t.pos = max(0, min(len(t.items)-1, t.pos+by))
	t.remember()
}

// lines draws the timeline in w x h: a title line, then the rows scrolled
// so the selection shows (with its month's heading when it fits).
func (v *customersView) timelineLines(w, h int, focused, loaded bool) []string {
	if h <= 0 {
		return nil
	}
	st := v.c.styles
	t := &v.detail.tl
	title := "  Timeline"
	hint := "tab: timeline"
	if focused {
		title = "> Timeline"
		hint = "tab: profile"
	}
	facts := ""
	if loaded {
		facts = " · " + plural(len(t.list), "interaction", "interactions")
		if t.open > 0 {
			facts += " · " + plural(t.open, "open complaint", "open complaints")
		}
	}
	lines := []string{joinEnds(st.Title.Render(title)+st.Subtle.Render(facts), st.Subtle.Render(hint), w)}
	room := h - 1
	switch {
	case room <= 0:
		return lines
	case !loaded:
		return append(lines, st.Subtle.Render("  Reading…"))
	case len(t.list) == 0:
		return append(lines, st.Subtle.Render("  Nothing logged yet: l logs a visit, a purchase, a call…"))
	}
	cur := -1
	if len(t.items) > 0 {
		cur = t.items[t.pos]
	}
	// Keep the selected row in view, and its heading with it at the top.
	if cur >= 0 {
		top := cur
		if cur > 0 && t.rows[cur-1].heading != "" {
			top = cur - 1
		}
		if top < t.offset {
			t.offset = top
		}
		if cur >= t.offset+room {
			t.offset = cur - room + 1
		}
	}
	t.offset = max(0, min(t.offset, len(t.rows)-room))
	for r := t.offset; r < len(t.rows) && r < t.offset+room; r++ {
		row := t.rows[r]
		if row.heading != "" {
			head := row.heading
			if head == "Open complaints" {
				head = st.Warning.Render(head)
			} else {
				head = st.ColumnHead.Render(head)
			}
			lines = append(lines, truncate("  "+head, w))
			continue
		}
		in := &t.list[row.i]
		text := v.timelineRow(in, w-2, in.OpenComplaint())
		if focused && r == cur {
			lines = append(lines, st.Selected.Render("> "+padRight(text, w-2)))
		} else {
			lines = append(lines, "  "+text)
		}
	}
	return lines
}

// timelineRow is one interaction: mark, day, kind, amount or score, and
// what was noted. withYear dates it fully (open complaints span months).
func (v *customersView) timelineRow(in *model.Interaction, w int, withYear bool) string {
	st := v.c.styles
	loc := v.c.settings.Location()
	day := in.At.In(loc).Format("Mon 02")
	if withYear {
		// As wide as the others, so the columns stay in line.
		day = in.At.In(loc).Format("02 Jan")
		if in.At.In(loc).Year() != v.c.now().In(loc).Year() {
			day = in.At.In(loc).Format("Jan'06")
		}
	}
	line := st.kindMark(in.Kind) + " " + day + "  " + padRight(in.Kind.Label(), 15) + padLeft(v.figure(in), 10) + "  "
	return truncate(line+v.interactionText(in), w)
}

// figure is an interaction's amount or score, as the owner reads it.
func (v *customersView) figure(in *model.Interaction) string {
	switch {
	case in.Kind.HasAmount() && in.Amount != 0:
		if in.Kind == model.KindReturn {
			return "−" + v.c.money(in.Amount)
		}
		return v.c.money(in.Amount)
	case in.Kind == model.KindFeedback:
		return fmt.Sprintf("%d/5", in.Score)
	}
	return ""
}

// interactionText is what was noted, with what the kind adds: a
// complaint's category and state, a referral's person.
func (v *customersView) interactionText(in *model.Interaction) string {
	st := v.c.styles
	note := clean(in.Note)
	switch in.Kind {
	case model.KindComplaint:
		if in.Category != "" {
			note = strings.TrimSuffix(clean(in.Category)+": "+note, ": ")
		}
		if !in.Resolved {
			return st.Warning.Render("open") + " " + note
		}
		res := "resolved " + in.ResolvedAt.In(v.c.settings.Location()).Format("02 Jan")
		if in.Resolution != "" {
			res += ": " + clean(in.Resolution)
		}
		return strings.TrimSpace(note + " " + st.Subtle.Render("· "+res))
	case model.KindReferral:
		who := fmt.Sprintf("#%d", in.Referred)
		if e := v.byID[in.Referred]; e != nil {
			who = clean(e.c.Name)
		}
		if in.Referred == 0 {
			return note
		}
		return strings.TrimSuffix("sent "+who+" · "+note, " · ")
	}
	return note
}

// detailPanes lays out the detail: the name, the profile, and the
// timeline under it. The pane without the focus keeps a quarter of the
// room (at least a few lines), the focused one takes the rest.
func (v *customersView) detailPanes(lines []string) string {
	d := &v.detail
	profile := lines[1:]
	bodyH := max(1, v.h-1)
	t := &d.tl
	tlNeed := 2
	if d.loaded {
		tlNeed = 1 + max(1, len(t.rows))
	}
	quarter := max(4, bodyH/4)
	var profH int
	if d.focus == paneTimeline {
		profH = max(min(len(profile), quarter), bodyH-tlNeed)
	} else {
		profH = bodyH - min(tlNeed, quarter)
	}
	profH = max(0, min(profH, len(profile), bodyH))
	tlH := bodyH - profH
	d.offset = max(0, min(d.offset, len(profile)-profH))
	out := append([]string{lines[0]}, profile[d.offset:d.offset+profH]...)
	if profH == len(profile) && tlH > tlNeed {
		out, tlH = append(out, ""), tlH-1 // room to set the panes apart
	}
	out = append(out, v.timelineLines(v.w, tlH, d.focus == paneTimeline, d.loaded)...)
	return strings.Join(out, "\n")
}

// ---- keys ----

// paneKey handles the detail's keys that depend on the focus: tab, l, and
// with the timeline focused, moving and acting on an interaction. false
// leaves the key to the detail's other keys (esc, h, D).
func (v *customersView) paneKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	d := &v.detail
	switch {
	case key.Matches(msg, v.dkeys.Focus):
		if d.focus == paneTimeline {
			d.focus = paneProfile
		} else {
			d.focus = paneTimeline
		}
		return nil, true
	case key.Matches(msg, v.dkeys.Log):
		if d.c.ID == 0 {
			return nil, true
		}
		return v.openQuickLog(d.c), true
	}
	if d.focus != paneTimeline {
		return nil, false
	}
	t := &d.tl
	tk := newTimelineKeys()
	page := max(1, v.h/2)
	switch {
	case key.Matches(msg, tk.Up):
		t.move(-1)
	case key.Matches(msg, tk.Down):
		t.move(1)
	case key.Matches(msg, tk.Top):
		t.move(-len(t.items))
	case key.Matches(msg, tk.Bottom):
		t.move(len(t.items))
	case key.Matches(msg, tk.PageUp):
		t.move(-page)
	case key.Matches(msg, tk.PageDown):
		t.move(page)
	case key.Matches(msg, tk.Edit), key.Matches(msg, tk.Delete), key.Matches(msg, tk.Resolve):
		in := t.current()
		if in == nil {
			return sayInfo("Nothing is logged for " + clean(d.c.Name) + " yet; l logs something."), true
		}
		switch {
		case key.Matches(msg, tk.Edit):
			q, cmd := editLog(v.c, d.c, *in, v.everyone, v.dialogHeight)
			v.dialog = q
			return cmd, true
		case key.Matches(msg, tk.Delete):
			v.askDeleteInteraction(d.c, *in)
		default:
			if in.Kind != model.KindComplaint {
				return sayInfo("R resolves a complaint; this is a " + in.Kind.Label() + "."), true
			}
			r, cmd := newResolveDialog(v.c, d.c, *in, v.dialogHeight)
			v.dialog = r
			return cmd, true
		}
	default:
		return nil, false
	}
	return nil, true
}

// describe names an interaction in a question: "purchase of €24.90 on 22 Nov 2026".
func (v *customersView) describe(in model.Interaction) string {
	s := in.Kind.Label()
	if f := v.figure(&in); f != "" && in.Kind.HasAmount() {
		s += " of " + f
	}
	return s + " on " + in.At.In(v.c.settings.Location()).Format("2 Jan 2006")
}

type interactionDeletedMsg struct {
	id       model.ID
	customer model.Customer
	text     string
	err      error
}

func (v *customersView) askDeleteInteraction(c model.Customer, in model.Interaction) {
	name := clean(c.Name)
	id, cust, label := in.ID, in.Customer, in.Kind.Label()
	del := v.c.do(func(s *store.Store) tea.Msg {
		if err := s.DeleteInteraction(id); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				err = fmt.Errorf("this %s was already deleted in another window", label)
			}
			return interactionDeletedMsg{id: id, err: err}
		}
		fresh, err := s.Customer(cust)
		return interactionDeletedMsg{id: id, customer: fresh, text: "Deleted the " + label + " for " + name + ".", err: err}
	})
	v.dialog = confirmDialog("Delete this "+v.describe(in)+"?",
		[]string{name + "'s visits, spend and points follow. u undoes it."}, del, "delete")
}

// ---- help ----

func (v *customersView) detailShortHelp() []key.Binding {
	d := v.detail
	focus := func(k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys("tab"), key.WithHelp(k, desc))
	}
	if d.focus == paneTimeline {
		tk := newTimelineKeys()
		b := []key.Binding{focus("timeline", "focused"), focus("tab", "profile"), tk.Edit, tk.Delete}
		if in := d.tl.current(); in != nil && in.Kind == model.KindComplaint {
			b = append(b, tk.Resolve)
		}
		return append(b, v.dkeys.Log, helpKey())
	}
	return []key.Binding{focus("profile", "focused"), focus("tab", "timeline"), v.dkeys.Back, v.dkeys.Edit,
		v.archiveKey(v.dkeys.Archive), v.dkeys.Log, helpKey()}
}

func (v *customersView) detailFullHelp() [][]key.Binding {
	d := v.dkeys
	tk := newTimelineKeys()
	focus := key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "profile ↔ timeline"))
	profile := [][]key.Binding{{d.Back, d.Up, d.Down, focus, d.Log}, {d.Edit, v.archiveKey(d.Archive), d.Delete, d.History, lostKey()}, {redeemKey(), partnerKey()}}
	if v.detail.focus != paneTimeline {
		return profile
	}
	return [][]key.Binding{{d.Back, focus, d.Log, tk.Up, tk.Down, tk.Top, tk.Bottom}, {tk.PageUp, tk.PageDown, tk.Edit, tk.Delete, tk.Resolve}}
}

// ---- resolving a complaint ----

type complaintResolvedMsg struct {
	in       model.Interaction
	customer model.Customer
	text     string
	err      error
}

// resolveDialog records what was done about a complaint and when.
type resolveDialog struct {
	c       *common
	in      model.Interaction
	name    string
	f       *form
	keep    string // the date field's text as opened
	height  func() int
	confirm dialog
	saving  bool
}

func newResolveDialog(c *common, cust model.Customer, in model.Interaction, height func() int) (*resolveDialog, tea.Cmd) {
	loc := c.settings.Location()
	r := &resolveDialog{c: c, in: in, name: cust.Name, height: height}
	title := "Resolve the complaint of " + in.At.In(loc).Format("2 Jan 2006")
	if in.Category != "" {
		title += ": " + clean(in.Category)
	}
	r.f = newForm(title, c.styles)
	r.f.addText("resolution", "What was done", "a new bouquet sent, a refund…", in.Resolution, func(v string) error {
		probe := in
		probe.Resolution = v
		return model.ValidateInteraction(probe, c.now())
	})
	if in.Resolved {
		r.keep = whenText(in.ResolvedAt, loc)
	}
	r.f.addText("at", "Resolved on", "now · yesterday · 2026-11-24", r.keep, func(v string) error {
		_, err := r.when(v)
		return err
	})
	return r, r.f.start()
}

// when reads the date field: the stored date while unchanged, else the
// shared syntax, never before the complaint.
func (r *resolveDialog) when(v string) (time.Time, error) {
	if r.keep != "" && v == r.keep {
		return r.in.ResolvedAt, nil
	}
	loc := r.c.settings.Location()
	at, err := model.ParseWhen(v, r.c.now(), loc)
	if err != nil {
		return at, err
	}
	if at.Unix() < r.in.At.Unix() {
		// A day without a time is noon: the complaint's own day is fine.
		if h, m, sec := at.In(loc).Clock(); h == 12 && m == 0 && sec == 0 && model.DayOf(at, loc).Equal(model.DayOf(r.in.At, loc)) {
			return r.in.At, nil
		}
		return at, &model.FieldError{Field: "resolved on", Problem: "is before the complaint (" + whenText(r.in.At, loc) + ")", Fix: "give the day it was put right"}
	}
	return at, nil
}

func (r *resolveDialog) Guard() string {
	if r.f.dirty() {
		return "Discard the resolution and quit?"
	}
	return ""
}

func (r *resolveDialog) update(msg tea.Msg) (bool, tea.Cmd) {
	if r.confirm != nil {
		done, cmd := r.confirm.update(msg)
		if done {
			r.confirm = nil
		}
		return false, cmd
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "ctrl+s":
			return false, r.save()
		case "esc":
			if !r.f.dirty() {
				return true, nil
			}
			r.confirm = confirmDialog("Discard the resolution?", []string{"What you typed will be lost."},
				func() tea.Msg { return closeQuickLogMsg{} }, "discard")
			return false, nil
		}
	}
	return false, r.f.update(msg)
}

func (r *resolveDialog) save() tea.Cmd {
	if r.saving {
		return nil
	}
	if reason, cmd := r.f.checkAll(); reason != "" {
		return tea.Batch(cmd, func() tea.Msg {
			return statusMsg{text: "Not saved yet: " + reason, kind: statusError}
		})
	}
	at, _ := r.when(r.f.get("at"))
	text := r.f.get("resolution")
	id, cust, name := r.in.ID, r.in.Customer, r.name
	r.saving = true
	return r.c.do(func(s *store.Store) tea.Msg {
		in, err := s.ResolveComplaint(id, text, at)
		if err != nil {
			return complaintResolvedMsg{err: err}
		}
		c, err := s.Customer(cust)
		return complaintResolvedMsg{in: in, customer: c, text: "Resolved the complaint for " + clean(name) + ".", err: err}
	})
}

func (r *resolveDialog) view(st *Styles, w int) string {
	if r.confirm != nil {
		return r.confirm.view(st, w)
	}
	inner := max(1, min(64, w-4))
	keys := st.Key.Render("ctrl+s") + " save  " + st.Key.Render("tab") + " next field  " + st.Key.Render("esc") + " cancel"
	room := 10
	if r.height != nil {
		room = r.height() - 6 - len(wrap(r.f.title, inner)) - len(wrap(keys, inner))
	}
	r.f.setSize(inner, max(1, room))
	return boxed(st, w, r.f.title, strings.Split(r.f.view(), "\n"), keys)
}
