package ui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/patron-crm/patron/store"
)

// TestGoldenViews pins what the owner sees, ANSI stripped, at the size
// Patron is designed for and at a roomy one. `go test ./ui -update`
// rewrites the files after a deliberate change.
func TestGoldenViews(t *testing.T) {
	cases := []struct {
		name  string
		file  func(testing.TB) *store.Store
		setup func(h *harness)
	}{
		{"empty", newFile, func(h *harness) {}},
		{"list", shopFile, func(h *harness) {}},
		{"filtered", shopFile, func(h *harness) { h.keys("/").typeText("ana").keys("enter") }},
		{"detail", shopFile, func(h *harness) { h.keys("enter") }},
		{"form_error", shopFile, func(h *harness) {
			h.keys("a").typeText("Rui Costa").keys("tab").typeText("12").keys("tab").typeText("rui@").keys("tab")
		}},
		{"help", shopFile, func(h *harness) { h.keys("?") }},
		{"settings", shopFile, func(h *harness) { h.keys(",") }},
	}
	for _, tc := range cases {
		for _, size := range [][2]int{{80, 24}, {120, 40}} {
			t.Run(fmt.Sprintf("%s_%dx%d", tc.name, size[0], size[1]), func(t *testing.T) {
				h := newHarness(t, tc.file(t), size[0], size[1])
				tc.setup(h)
				golden.RequireEqual(t, h.screen())
			})
		}
	}
}
