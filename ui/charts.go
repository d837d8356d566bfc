package ui

import (
	"math"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
)

// Small charts drawn with block characters, for the Loyalty and Insights
// tabs. Each fits the width it is given exactly or less, so a view can put
// it anywhere; colour comes from the caller's style, never needed to read it.

// barItem is one bar of a barChart: a label, a value and how to write it.
type barItem struct {
	label string
	value float64
	text  string         // the value as written after the bar; "" writes the number
	style lipgloss.Style // the bar's look (the zero style draws it plain)
}

// eighths are the partial blocks, from one eighth of a cell to seven.
var eighths = [...]string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}

// blocks draws a bar of frac*cells cells, to an eighth of a cell, and pads
// it with spaces to exactly cells.
func blocks(frac float64, cells int) string {
	if cells <= 0 {
		return ""
	}
	if math.IsNaN(frac) || frac < 0 {
		frac = 0
	}
	frac = min(frac, 1)
	n := int(math.Round(frac * float64(cells) * 8))
	full, part := n/8, n%8
	s := strings.Repeat("█", full) + eighths[part]
	used := full
	if part > 0 {
		used++
	}
	return s + strings.Repeat(" ", cells-used)
}

// barChart draws one line per item: the label, a bar scaled to the largest
// value, and the value. No line is wider than w; on a narrow width the
// bar shrinks first, then the labels. A zero or negative value draws no
// bar, but a positive one always shows at least a sliver.
func barChart(items []barItem, w int) string {
	if len(items) == 0 || w <= 0 {
		return ""
	}
	labelW, textW := 0, 0
	top := 0.0
	texts := make([]string, len(items))
	for i, it := range items {
		labelW = max(labelW, width(clean(it.label)))
		texts[i] = it.text
		if texts[i] == "" {
			texts[i] = formatNumber(it.value)
		}
		textW = max(textW, width(texts[i]))
		if v := it.value; !math.IsNaN(v) && !math.IsInf(v, 0) && v > top {
			top = v
		}
	}
	// label, a space, the bar, a space, the value.
	barW := w - labelW - textW - 2
	if barW < 4 {
		// Too narrow for a useful bar: give the labels less room, then none.
		labelW = max(0, min(labelW, w-textW-2-4))
		barW = w - labelW - textW - 2
	}
	lines := make([]string, len(items))
	for i, it := range items {
		var b strings.Builder
		if labelW > 0 {
			b.WriteString(padRight(clean(it.label), labelW))
			b.WriteString(" ")
		}
		if barW > 0 {
			frac := 0.0
			if top > 0 && it.value > 0 && !math.IsInf(it.value, 0) {
				frac = it.value / top
			}
			bar := blocks(frac, barW)
			if frac > 0 && strings.TrimSpace(bar) == "" {
				bar = "▏" + bar[1:] // a positive value is never invisible
			}
			trimmed := strings.TrimRight(bar, " ")
			b.WriteString(it.style.Render(trimmed))
			b.WriteString(strings.Repeat(" ", barW-width(trimmed)))
			b.WriteString(" ")
		}
		b.WriteString(padLeft(texts[i], textW))
		lines[i] = truncate(b.String(), w)
	}
	return strings.Join(lines, "\n")
}

// formatNumber writes a chart value: whole numbers with thousands
// separators, others with one decimal.
func formatNumber(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "—"
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return thousands(int(v))
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// sparks are the eight heights of a sparkline, lowest first.
var sparks = []rune("▁▂▃▄▅▆▇█")

// sparkline draws one cell per value, scaled from the smallest to the
// largest: a quick shape of a series (visits per month). Equal values draw
// a flat line at the bottom; values that are not numbers draw a space.
func sparkline(values []float64) string {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	var b strings.Builder
	for _, v := range values {
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			b.WriteByte(' ')
		case hi <= lo:
			b.WriteRune(sparks[0])
		default:
			i := int(math.Round((v - lo) / (hi - lo) * float64(len(sparks)-1)))
			b.WriteRune(sparks[max(0, min(len(sparks)-1, i))])
		}
	}
	return b.String()
}

// progressBar draws frac (0 to 1) of w cells filled, to an eighth of a
// cell, the rest shaded: exactly w cells.
func progressBar(frac float64, w int) string {
	if w <= 0 {
		return ""
	}
	bar := strings.TrimRight(blocks(frac, w), " ")
	return bar + strings.Repeat("░", w-width(bar))
}
