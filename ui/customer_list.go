package ui

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// column is one column of the Customers list. The name column takes what
// the others leave; on a narrow screen the columns with the highest drop
// give way first. Later features (tier, points, next reminder) add theirs
// to listColumns.
type column struct {
	title string
	width int // cells; 0 for the name column
	right bool
	drop  int
	// wide is the window width below which the column is not shown at
	// all: extras that only help when there is room.
	wide int
	cell func(v *customersView, e *entry) string
}

// nameMin is the narrowest the name column gets before others give way.
const nameMin = 16

// listColumns are the list's columns after the name, left to right.
var listColumns = []column{
	{title: "Last visit", width: 13, drop: 4, cell: func(v *customersView, e *entry) string {
		if e.c.Stats.lastVisit == 0 {
			return "—"
		}
		return v.c.relative(e.c.Stats.LastVisit())
	}},
	{title: "Visits", width: 6, right: true, drop: 2, cell: func(v *customersView, e *entry) string {
		return thousands(int(e.c.Stats.Visits))
	}},
	{title: "Spend", width: 12, right: true, drop: 3, cell: func(v *customersView, e *entry) string {
		return v.c.money(e.c.Stats.Spend)
	}},
	{title: "Phone", width: 16, drop: 5, wide: 100, cell: func(v *customersView, e *entry) string {
		return clean(e.c.Phone)
	}},
	{title: "Tags", width: 20, drop: 6, wide: 120, cell: func(v *customersView, e *entry) string {
		return clean(strings.Join(e.c.Tags, ", "))
	}},
	// The rung gives way last, the points among the first (loyalty.go).
	{title: "Rung", width: 9, drop: 1, cell: rungCell},
	{title: "Points", width: 6, right: true, drop: 5, cell: func(v *customersView, e *entry) string {
		return thousands(int(e.c.Stats.Points))
	}},
	// The soonest open reminder gives way before all but the tags (reminders.go).
	{title: "Next reminder", width: 13, drop: 6, cell: nextReminderCell},
}

// visibleColumns picks the columns that fit in w cells beside the name.
func visibleColumns(w int) []column {
	var cols []column
	for _, c := range listColumns {
		if w+2 >= c.wide {
			cols = append(cols, c)
		}
	}
	need := func() int {
		n := nameMin
		for _, c := range cols {
			n += 2 + c.width
		}
		return n
	}
	for len(cols) > 0 && need() > w {
		drop := 0
		for i, c := range cols {
			if c.drop > cols[drop].drop {
				drop = i
			}
		}
		cols = append(cols[:drop], cols[drop+1:]...)
	}
	return cols
}

// View draws whichever screen the tab is on, with an open dialog on top.
func (v *customersView) View() string {
	if v.w <= 0 || v.h <= 0 {
		return ""
	}
	var s string
	switch v.screen {
	case screenDetail:
		s = v.detailView()
	case screenHistory:
		s = v.historyView()
	case screenForm:
		s = v.formView()
	default:
		s = v.listView()
	}
	s = fitBlock(s, v.w, v.h)
	if v.dialog != nil {
		s = overlay(s, v.dialog.view(v.c.styles, v.w), v.w, v.h)
	}
	return s
}

func (v *customersView) listView() string {
	st := v.c.styles
	title := st.Title.Render("Customers") + st.Subtle.Render(" · sorted by "+sortNames[v.sort])
	if v.query != "" {
		title = st.Title.Render("Customers") + st.Subtle.Render(" · best matches first")
	}
	if f := v.filter.String(); f != "" {
		title += st.Subtle.Render(" · showing " + f)
	}
	lines := []string{truncate(title, v.w)}
	if v.searching {
		lines = append(lines, v.input.View())
	} else if v.query != "" {
		lines = append(lines, "/ "+st.Match.Render(clean(v.query))+st.Subtle.Render("   esc clears the search"))
	}
	switch {
	case !v.loaded && v.loadErr != "":
		lines = append(lines, "", st.Error.Render("The customers could not be read:"))
		lines = append(lines, wrap(clean(v.loadErr), v.w)...)
		return strings.Join(lines, "\n")
	case !v.loaded:
		return strings.Join(append(lines, "", st.Subtle.Render("Reading the customers…")), "\n")
	case len(v.byID) == 0 && !v.loading:
		return strings.Join(append(lines, v.emptyView()...), "\n")
	}

	cols := visibleColumns(v.w - 2)
	nameW := v.w - 2
	for _, c := range cols {
		nameW -= 2 + c.width
	}
	head := "  " + padRight("Name", nameW)
	for _, c := range cols {
		if c.right {
			head += "  " + padLeft(c.title, c.width)
		} else {
			head += "  " + padRight(c.title, c.width)
		}
	}
	lines = append(lines, st.ColumnHead.Render(head))

	if len(v.rows) == 0 {
		lines = append(lines, "")
		lines = append(lines, v.noRowsView()...)
		return strings.Join(lines, "\n")
	}
	n := v.listRows()
	for i := v.offset; i < len(v.rows) && i < v.offset+n; i++ {
		e := v.rows[i]
		mark := v.markCell(e.c.ID)
		row := padRight(mark+v.nameCell(i, nameW-width(mark)), nameW)
		for _, c := range cols {
			cell := c.cell(v, e)
			if c.right {
				row += "  " + padLeft(cell, c.width)
			} else {
				row += "  " + padRight(cell, c.width)
			}
		}
		if i == v.cursor {
			row = st.Selected.Render("> " + row)
		} else {
			row = "  " + row
		}
		lines = append(lines, row)
	}
	return strings.Join(lines, "\n")
}

// nameCell is the customer's name, with what a search matched highlighted;
// a match in another field is shown after the name.
func (v *customersView) nameCell(row, w int) string {
	st := v.c.styles
	e := v.rows[row]
	name := clean(e.c.Name)
	var h searchHit
	hit := v.query != "" && row < len(v.rowHits)
	if hit {
		h = *v.rowHits[row]
	}
	out := name
	if hit {
		// Only the visible rows are matched again for their highlights.
		out = highlight(st, name, matchedIn(name, v.query, inName))
	}
	if !e.c.Active() {
		out += st.Archived.Render(" (" + string(e.c.Status) + ")")
	}
	if f := int(h.field); hit && f != inName {
		text := clean(entryDoc(e).fields[f])
		room := w - width(out) - 2 - len(searchFieldNames[f]) - 2
		text, matched := snippet(text, matchedIn(text, v.query, f), room)
		out += "  " + st.Subtle.Render(searchFieldNames[f]+": ") + highlight(st, text, matched)
	}
	return out
}

// snippet cuts a long field so its first matched character shows within
// room cells, shifting the match offsets to the cut text.
func snippet(text string, matched []int, room int) (string, []int) {
	if len(matched) == 0 || room <= 0 || width(text) <= room {
		return text, matched
	}
	start := matched[0]
	if width(text[:start]) < room/2 {
		return text, matched
	}
	// Start a few characters before the first match, on a character boundary.
	start = max(0, start-8)
	for start > 0 && !utf8.RuneStart(text[start]) {
		start--
	}
	out := "…" + text[start:]
	shift := len("…") - start
	moved := make([]int, 0, len(matched))
	for _, m := range matched {
		if m >= start {
			moved = append(moved, m+shift)
		}
	}
	return out, moved
}

func (v *customersView) emptyView() []string {
	st := v.c.styles
	k := func(s string) string { return st.Key.Render(padRight(s, 16)) }
	return []string{
		"",
		"No customers yet. To begin:",
		"",
		"  " + k("a") + "add your first customer",
		"  " + k("patron demo") + "fill the file with sample customers to look around",
		"  " + strings.Repeat(" ", 16) + st.Subtle.Render("(in another terminal: they appear here)"),
		"  " + k("patron import") + "bring customers in from a CSV or vCard file",
		"",
		st.Subtle.Render("  ? shows every key; q quits."),
	}
}

func (v *customersView) noRowsView() []string {
	st := v.c.styles
	var out []string
	switch {
	case v.query != "" && v.hits == nil:
		out = append(out, st.Subtle.Render("  Searching…"))
	case v.query != "":
		out = append(out, fmt.Sprintf("  No customer matches %q.", clean(v.query)))
		if v.elsewhere > 0 {
			out = append(out, st.Subtle.Render(fmt.Sprintf("  %s not shown by the filter; f shows them.", plural(v.elsewhere, "match is", "matches are"))))
		}
	default:
		out = append(out, "  No customers are "+strings.TrimPrefix(v.filter.String(), "tag ")+".")
		if v.filter.tag != "" {
			out[0] = fmt.Sprintf("  No %s customers with the tag %s.", statusWord(v.filter), clean(v.filter.tag))
		}
		out = append(out, st.Subtle.Render("  esc shows the active customers; f picks another filter."))
	}
	return out
}

func statusWord(f listFilter) string {
	switch f.status {
	case "":
		return "active"
	case statusAll:
		return "known"
	}
	return string(f.status)
}
