package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// markKey marks the selected customer (for a merge); again unmarks.
func markKey() key.Binding {
	return key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "mark"))
}

// mergeKey merges the two marked customers.
func mergeKey() key.Binding {
	return key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "merge marked"))
}

// markWord is the mark beside a marked customer's name: a character, so it
// shows without colour.
const markWord = "✓ "

// toggleMark marks or unmarks a customer and moves down, so marking a few
// in a row is one key each.
func (v *customersView) toggleMark(id model.ID) tea.Cmd {
	if v.marks == nil {
		v.marks = map[model.ID]bool{}
	}
	if v.marks[id] {
		delete(v.marks, id)
	} else {
		v.marks[id] = true
	}
	v.move(1)
	switch n := len(v.markedIDs()); n {
	case 0:
		return sayInfo("No customer is marked.")
	case 2:
		return sayInfo("2 marked: M merges them.")
	default:
		return sayInfo(plural(n, "customer", "customers") + " marked.")
	}
}

// markedIDs are the marked customers still in the file, in id order.
func (v *customersView) markedIDs() []model.ID {
	var ids []model.ID
	for id := range v.marks {
		if _, ok := v.byID[id]; ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// markCell is drawn before a name in the list: the mark, or room for it
// while any customer is marked, so names stay aligned.
func (v *customersView) markCell(id model.ID) string {
	if len(v.marks) == 0 {
		return ""
	}
	if v.marks[id] {
		return v.c.styles.Key.Render(markWord)
	}
	if len(v.markedIDs()) == 0 {
		return ""
	}
	return strings.Repeat(" ", width(markWord))
}

// markStatus is the footer's note on marks: "2 marked".
func (v *customersView) markStatus() string {
	if len(v.marks) == 0 {
		return ""
	}
	if n := len(v.markedIDs()); n > 0 {
		return " · " + thousands(n) + " marked"
	}
	return ""
}

// The merge screen's results.
type (
	mergeLoadedMsg struct {
		a, b model.Customer
		err  error
	}
	mergedMsg struct {
		survivor  model.Customer
		other     model.ID
		otherName string
		err       error
	}
)

func (mergeLoadedMsg) forFlow() {}
func (mergedMsg) forFlow()      {}

// askMerge reads the two marked customers afresh and opens the merge
// screen; with fewer or more marked it says what to do.
func (v *customersView) askMerge() tea.Cmd {
	ids := v.markedIDs()
	switch len(ids) {
	case 0:
		return sayInfo("Mark two customers with space, then M merges them.")
	case 1:
		return sayInfo("One customer is marked: mark the other one with space, then M.")
	case 2:
	default:
		return sayInfo(fmt.Sprintf("%d customers are marked, and M merges two: space on a marked one unmarks it.", len(ids)))
	}
	a, b := ids[0], ids[1]
	return v.c.do(func(s *store.Store) tea.Msg {
		ca, err := s.Customer(a)
		if err != nil {
			return mergeLoadedMsg{err: err}
		}
		cb, err := s.Customer(b)
		return mergeLoadedMsg{a: ca, b: cb, err: err}
	})
}

// Which customer's value a field keeps.
const (
	sideDefault = iota // as MergeChoices suggests
	sideA              // the left column's
	sideB              // the right column's
	sideBoth           // both kept (tags joined, notes one after the other)
)

// mergeScreen asks which of two customers stays and, for each field whose
// values differ, which value is kept; then merges them as one change.
type mergeScreen struct {
	host   *customersView
	c      *common
	a, b   model.Customer // left and right, in id order
	bStays bool
	why    string // why the suggested one stays
	fields []store.MergeField
	side   map[string]int // the owner's picks, by field key
	cursor int
	saving bool
	err    string
}

func (v *customersView) openMerge(m mergeLoadedMsg) tea.Cmd {
	if m.err != nil {
		return sayError(m.err)
	}
	ms := &mergeScreen{host: v, c: v.c, a: m.a, b: m.b, side: map[string]int{}}
	aStays, why := survivorOf(m.a, m.b)
	ms.bStays, ms.why = !aStays, why
	ms.choices()
	v.dialog = ms
	return nil
}

// survivorOf suggests which of two customers stays: the one with more
// history, then the one who has been a customer longer, then the one
// added first.
func survivorOf(a, b model.Customer) (aStays bool, why string) {
	since := func(c model.Customer) int64 {
		if !c.Since.IsZero() {
			return c.Since.Unix()
		}
		return c.Created.Unix()
	}
	switch {
	case a.Stats.Visits != b.Stats.Visits:
		return a.Stats.Visits > b.Stats.Visits, "more visits"
	case a.Stats.Interactions != b.Stats.Interactions:
		return a.Stats.Interactions > b.Stats.Interactions, "more history"
	case since(a) != since(b):
		return since(a) < since(b), "a customer for longer"
	}
	return a.ID < b.ID, "added first"
}

func (ms *mergeScreen) survivor() (stays, goes model.Customer) {
	if ms.bStays {
		return ms.b, ms.a
	}
	return ms.a, ms.b
}

func (ms *mergeScreen) choices() {
	s, o := ms.survivor()
	ms.fields = store.MergeChoices(s, o)
	ms.cursor = max(0, min(ms.cursor, len(ms.fields)-1))
}

// values are a field's two values as the columns show them, left (a) and
// right (b).
func (ms *mergeScreen) values(f store.MergeField) (left, right string) {
	if ms.bStays {
		return f.Other, f.Survivor
	}
	return f.Survivor, f.Other
}

// kept is which side a field keeps: the owner's pick or the suggestion.
func (ms *mergeScreen) kept(f store.MergeField) int {
	if s := ms.side[f.Key]; s != sideDefault {
		return s
	}
	switch {
	case f.Default == "both":
		return sideBoth
	case (f.Default == "other") != ms.bStays:
		return sideB
	}
	return sideA
}

// picks are the owner's choices in MergeCustomers' words.
func (ms *mergeScreen) picks() map[string]string {
	out := map[string]string{}
	for _, f := range ms.fields {
		switch ms.side[f.Key] {
		case sideA:
			out[f.Key] = map[bool]string{false: "survivor", true: "other"}[ms.bStays]
		case sideB:
			out[f.Key] = map[bool]string{false: "other", true: "survivor"}[ms.bStays]
		}
	}
	return out
}

// Guard says what quitting would leave behind.
func (ms *mergeScreen) Guard() string {
	if ms.saving {
		return "The merge is being saved; quit anyway?"
	}
	return ""
}

func (ms *mergeScreen) update(msg tea.Msg) (bool, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false, nil
	}
	if ms.saving {
		if k.String() == "esc" {
			return false, sayInfo("The merge is being saved; it takes a moment.")
		}
		return false, nil
	}
	var f *store.MergeField
	if ms.cursor < len(ms.fields) {
		f = &ms.fields[ms.cursor]
	}
	switch k.String() {
	case "esc":
		return true, sayInfo("Nothing was merged.")
	case "up", "k":
		ms.cursor = max(0, ms.cursor-1)
	case "down", "j":
		ms.cursor = max(0, min(len(ms.fields)-1, ms.cursor+1))
	case "g", "home":
		ms.cursor = 0
	case "G", "end":
		ms.cursor = max(0, len(ms.fields)-1)
	case "left", "h":
		if f != nil {
			ms.side[f.Key] = sideA
		}
	case "right", "l":
		if f != nil {
			ms.side[f.Key] = sideB
		}
	case "space":
		if f != nil {
			delete(ms.side, f.Key)
		}
	case "tab", "shift+tab":
		ms.bStays = !ms.bStays
		ms.why = "your choice"
		ms.choices()
	case "enter", "ctrl+s":
		return false, ms.save()
	}
	return false, nil
}

func (ms *mergeScreen) save() tea.Cmd {
	ms.saving, ms.err = true, ""
	stays, goes := ms.survivor()
	picks := ms.picks()
	return ms.c.do(func(s *store.Store) tea.Msg {
		c, err := s.MergeCustomers(stays.ID, goes.ID, picks)
		return mergedMsg{survivor: c, other: goes.ID, otherName: goes.Name, err: err}
	})
}

func (ms *mergeScreen) result(msg flowMsg) (bool, tea.Cmd) {
	m, ok := msg.(mergedMsg)
	if !ok || !ms.saving {
		return false, nil
	}
	ms.saving = false
	if m.err != nil {
		ms.err = m.err.Error()
		return false, nil
	}
	v := ms.host
	v.remove(m.other)
	v.put(m.survivor)
	v.patch([]model.ID{m.other, m.survivor.ID}, false)
	v.marks = nil
	v.selectedID = m.survivor.ID
	v.restoreCursor()
	return true, tea.Batch(say(fmt.Sprintf("Merged %s (#%d) into %s. u undoes it.", clean(m.otherName), m.other, clean(m.survivor.Name))), wrote)
}

func (ms *mergeScreen) view(st *Styles, _ int) string {
	w, h := ms.host.w, ms.host.h
	if w <= 0 || h <= 0 {
		return ""
	}
	stays, goes := ms.survivor()
	who := func(c model.Customer) string { return fmt.Sprintf("#%d %s", c.ID, oneLine(c.Name)) }
	lines := []string{st.Title.Render(truncate("Merge two customers", w))}
	lines = append(lines, wrap(fmt.Sprintf("%s stays (%s). %s is merged into them and removed: their %s, reminders and points move to #%d.",
		who(stays), ms.why, who(goes), plural(goes.Stats.Interactions, "interaction", "interactions"), stays.ID), w)...)
	if ms.err != "" {
		for _, l := range wrap("✗ Nothing was merged: "+clean(ms.err), w) {
			lines = append(lines, st.Error.Render(l))
		}
	}
	lines = append(lines, "")

	labelW := min(23, max(6, w*3/10)) // "how they found the shop" fits at 80
	valW := max(4, (w-2-labelW-4)/2)
	head := func(c model.Customer) string {
		s := who(c)
		if c.ID == stays.ID {
			s += " (stays)"
		}
		return padRight(s, valW)
	}
	lines = append(lines, st.ColumnHead.Render(truncate("  "+padRight("Field", labelW)+"  "+head(ms.a)+"  "+head(ms.b), w)))
	keys := keyLine(st, w, "↑↓", "field", "←→", "keep this value", "space", "as suggested",
		"tab", "the other one stays", "enter", "merge", "esc", "cancel")
	after := ms.afterLines(w)
	avail := max(1, h-len(lines)-len(after)-len(keys)-1)
	if len(ms.fields) == 0 {
		lines = append(lines, st.Subtle.Render(truncate("  Every field is the same: merging only moves the history over.", w)))
	}
	top := max(0, min(ms.cursor-avail/2, len(ms.fields)-avail))
	for i := top; i < len(ms.fields) && i < top+avail; i++ {
		f := ms.fields[i]
		left, right := ms.values(f)
		k := ms.kept(f)
		cell := func(v string, on bool) string {
			mark := "○ "
			if on {
				mark = "● "
			}
			if v == "" {
				v = "—"
			}
			return padRight(mark+oneLine(v), valW)
		}
		row := padRight(f.Label, labelW) + "  " + cell(left, k == sideA || k == sideBoth) + "  " + cell(right, k == sideB || k == sideBoth)
		if i == ms.cursor {
			row = st.Selected.Render("> " + row)
		} else {
			row = "  " + row
		}
		lines = append(lines, row)
	}
	if len(ms.fields) > avail {
		lines = append(lines, st.Subtle.Render(fmt.Sprintf("  field %d of %d", ms.cursor+1, len(ms.fields))))
	}
	lines = append(lines, "")
	lines = append(lines, after...)
	if ms.saving {
		lines = append(lines, st.Subtle.Render("Merging…"))
	}
	body := fitBlock(strings.Join(lines, "\n"), w, h-len(keys))
	return screenBlock(body+"\n"+strings.Join(keys, "\n"), w, h)
}

// afterLines preview the merged customer: the kept name, and the two
// histories together.
func (ms *mergeScreen) afterLines(w int) []string {
	stays, goes := ms.survivor()
	name := stays.Name
	for _, f := range ms.fields {
		if f.Key == "name" {
			if l, r := ms.values(f); ms.kept(f) == sideA {
				name = l
			} else {
				name = r
			}
		}
	}
	s := fmt.Sprintf("After the merge: #%d %s · %s · %s spent · %s points", stays.ID, oneLine(name),
		plural(stays.Stats.Interactions+goes.Stats.Interactions, "interaction", "interactions"),
		ms.c.money(stays.Stats.Spend+goes.Stats.Spend), thousands(int(stays.Stats.Points+goes.Stats.Points)))
	lines := wrap(s, w)
	for i, l := range lines {
		lines[i] = ms.c.styles.DialogTitle.Render(l)
	}
	return lines
}
