package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/patron-crm/patron/model"
)

// clean makes text that came from the owner or a file safe to draw.
func clean(s string) string { return model.Sanitize(s) }

// width is the number of cells s takes on screen.
func width(s string) int { return ansi.StringWidth(s) }

// truncate cuts s to at most w cells, marking the cut with an ellipsis.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if width(s) <= w {
		return s
	}
	if w == 1 {
		return ansi.Truncate(s, 1, "")
	}
	return ansi.Truncate(s, w, "…")
}

// padRight fits s into exactly w cells: cut with an ellipsis, or padded.
func padRight(s string, w int) string {
	s = truncate(s, w)
	if n := w - width(s); n > 0 {
		s += strings.Repeat(" ", n)
	}
	return s
}

// padLeft fits s into exactly w cells, aligned right.
func padLeft(s string, w int) string {
	s = truncate(s, w)
	if n := w - width(s); n > 0 {
		s = strings.Repeat(" ", n) + s
	}
	return s
}

// joinEnds puts left and right on one line of w cells, right-aligned
// right; the left part gives way when both do not fit.
func joinEnds(left, right string, w int) string {
	rw := width(right)
	if rw >= w {
		return truncate(right, w)
	}
	lw := w - rw - 1
	if lw <= 0 {
		return padLeft(right, w)
	}
	return padRight(left, lw) + " " + right
}

// fitBlock makes s exactly h lines of at most w cells each, so nothing a
// view draws can spill past its area.
func fitBlock(s string, w, h int) string {
	if h <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if width(l) > w {
			lines[i] = ansi.Truncate(l, w, "")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// wrap breaks s into lines of at most w cells, at spaces where it can.
func wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	return strings.Split(ansi.Hardwrap(ansi.Wordwrap(s, w, ""), w, true), "\n")
}

// overlay draws box centred over base (both w x h), for dialogs.
func overlay(base, box string, w, h int) string {
	lines := strings.Split(fitBlock(base, w, h), "\n")
	boxLines := strings.Split(box, "\n")
	bw := 0
	for _, l := range boxLines {
		bw = max(bw, width(l))
	}
	if bw > w {
		bw = w
	}
	top := max(0, (h-len(boxLines))/2)
	left := max(0, (w-bw)/2)
	for i, bl := range boxLines {
		y := top + i
		if y >= len(lines) {
			break
		}
		line := padRight(lines[y], w)
		bl = padRight(bl, bw)
		lines[y] = ansi.Cut(line, 0, left) + bl + ansi.Cut(line, left+bw, w)
	}
	return strings.Join(lines, "\n")
}
