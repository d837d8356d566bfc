package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
)

// fullHelp draws key groups as columns that flow onto new rows when the
// window is narrow, so every key stays readable at 60 columns.
func fullHelp(st *Styles, title string, groups [][]key.Binding, w int) string {
	var blocks []string
	for _, g := range groups {
		kw := 0
		for _, b := range g {
			if b.Enabled() {
				kw = max(kw, width(b.Help().Key))
			}
		}
		var lines []string
		for _, b := range g {
			if !b.Enabled() {
				continue
			}
			lines = append(lines, st.Key.Render(padRight(b.Help().Key, kw))+"  "+b.Help().Desc)
		}
		if len(lines) > 0 {
			blocks = append(blocks, strings.Join(lines, "\n"))
		}
	}
	const gap = "    "
	var rows []string
	var row []string
	rowW := 0
	for _, b := range blocks {
		bw := lipgloss.Width(b)
		if len(row) > 0 && rowW+len(gap)+bw > w {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
			row, rowW = nil, 0
		}
		if len(row) > 0 {
			row = append(row, gap)
			rowW += len(gap)
		}
		row = append(row, b)
		rowW += bw
	}
	if len(row) > 0 {
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	head := st.Title.Render(title) + st.Subtle.Render("  ? or esc closes this")
	return head + "\n\n" + strings.Join(rows, "\n\n")
}
