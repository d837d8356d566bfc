package ui

import (
	"strings"

	"github.com/patron-crm/patron/model"
)

// cleanPaste makes pasted text safe to keep in a field and draw: escape
// sequences, control characters and direction overrides go (whole, where
// the inputs would keep parts of them), but line breaks stay for the
// fields that hold several lines (a card's message).
func cleanPaste(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = model.Sanitize(l)
	}
	return strings.Join(lines, "\n")
}
