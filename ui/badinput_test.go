package ui

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// badText are the edge cases every form field is given (the command line
// gets the same in the root package's TestEveryFlagTakesBadInputCalmly).
var badText = []struct{ name, v string }{
	{"empty", ""},
	{"whitespace only", " \t  "},
	{"10,000 characters", strings.Repeat("a", 10000)},
	{"invalid UTF-8", "Ana \xff\xfe Lima"},
	{"emoji", "Ana 🌷 Lima 👩‍👩‍👧"},
	{"right-to-left", "مريم الحسن"},
	{"a right-to-left override", "Ana \u202eamiL"},
	{"zero-width characters", "Ana\u200b\u200dLima\ufeff"},
	{"clear screen", "Ana\x1b[2JLima"},
	{"an OSC title", "Ana\x1b]0;pwned\x07Lima"},
	{"an OSC 52 clipboard write", "Ana\x1b]52;c;cm0gLXJmIH4K\x07Lima"},
	{"BEL", "Ana\x07Lima"},
	{"C1 controls", "Ana\u009b31mLima\u0085x"},
}

// payloads are the pieces of badText a terminal would act on; none may
// appear in what Patron draws (its own styling aside).
var payloads = []string{"\x1b[2J", "\x1b]0;", "\x1b]52;", "\x07", "\u009b", "\u0085", "\u202e", "\xff"}

// mustDrawSafely fails when the window carries a payload or does not fit
// in w x h.
func mustDrawSafely(t *testing.T, h *harness, w, hgt int, what string) {
	t.Helper()
	out := h.app.View().Content
	for _, p := range payloads {
		if strings.Contains(out, p) {
			t.Errorf("%s: the screen carries %q", what, p)
		}
	}
	lines := strings.Split(out, "\n")
	if len(lines) > hgt {
		t.Errorf("%s: %d lines drawn in a window of %d", what, len(lines), hgt)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			t.Errorf("%s: line %d is %d wide in a window of %d: %q", what, i, lw, w, ansi.Strip(l))
		}
	}
}

// customerField is a text field of the customer form: its place (tabs
// from the name) and how it is read back from a saved customer.
type customerField struct {
	key  string
	tabs int
	max  int
	get  func(c model.Customer) string
	// free is set for text kept as typed; others (phone, email, birthday)
	// are parsed and may refuse any of badText.
	free bool
}

var customerFields = []customerField{
	{"name", 0, model.MaxName, func(c model.Customer) string { return c.Name }, true},
	{"phone", 1, model.MaxShort, func(c model.Customer) string { return c.Phone }, false},
	{"email", 2, model.MaxShort, func(c model.Customer) string { return c.Email }, false},
	{"address", 3, model.MaxLong, func(c model.Customer) string { return c.Address }, true},
	{"birthday", 4, 0, func(c model.Customer) string { return c.Birthday.String() }, false},
	{"tags", 5, model.MaxShort, func(c model.Customer) string { return strings.Join(c.Tags, ", ") }, true},
	{"channel", 6, model.MaxShort, func(c model.Customer) string { return c.Channel }, true},
	{"source", 8, model.MaxShort, func(c model.Customer) string { return c.Source }, true},
	{"preferences", 9, model.MaxLong, func(c model.Customer) string { return c.Preferences }, true},
	{"notes", 10, model.MaxLong, func(c model.Customer) string { return c.Notes }, true},
}

// TestEveryFormFieldTakesBadInputCalmly pastes each of badText into each
// field of the customer form (pasting is how escape sequences and other
// text a key cannot type arrive) and saves with ctrl+s. Whatever happens:
// no panic, and the window at 80x24 carries no payload and keeps its
// layout. Text that is too long is refused with the limit beside the field
// and nothing is saved, never cut short and saved; what is saved is what
// the field showed, with no control characters, and text that was valid
// as pasted (emoji, right-to-left, zero-width) is saved exactly.
func TestEveryFormFieldTakesBadInputCalmly(t *testing.T) {
	if testing.Short() {
		t.Skip("opens the form about 130 times")
	}
	for _, cf := range customerFields {
		t.Run(cf.key, func(t *testing.T) {
			s := newFile(t)
			h := newHarness(t, s, 80, 24)
			for _, bt := range badText {
				what := fmt.Sprintf("%s with %s", cf.key, bt.name)
				before, err := s.CountCustomers()
				if err != nil {
					t.Fatal(err)
				}
				h.keys("a")
				if cf.key != "name" {
					h.send(tea.PasteMsg{Content: "Eva Lopes"})
				}
				for range cf.tabs {
					h.keys("tab")
				}
				h.send(tea.PasteMsg{Content: bt.v})
				shown := h.customers().form.f.field(cf.key).value()
				mustDrawSafely(t, h, 80, 24, what+", pasted")
				h.keys("ctrl+s")
				mustDrawSafely(t, h, 80, 24, what+", saved")
				after, err := s.CountCustomers()
				if err != nil {
					t.Fatal(err)
				}
				saved := after > before
				if utf8.RuneCountInString(bt.v) > 5000 || (cf.max > 0 && utf8.RuneCountInString(bt.v) > cf.max) {
					if saved {
						t.Errorf("%s: saved %d characters of %d", what, utf8.RuneCountInString(cf.get(newest(t, s))), utf8.RuneCountInString(bt.v))
					} else if want := fmt.Sprintf("%d characters long: keep it to %d", utf8.RuneCountInString(bt.v), cf.max); cf.max > 0 &&
						!strings.Contains(strings.Join(strings.Fields(h.screen()), " "), want) {
						t.Errorf("%s: refused without saying %q:\n%s", what, want, h.screen())
					}
				}
				if saved {
					got := cf.get(newest(t, s))
					if model.Sanitize(got) != got {
						t.Errorf("%s: saved control characters: %q", what, got)
					}
					if cf.free && got != strings.TrimSpace(shown) && got != strings.Join(strings.Fields(shown), " ") && cf.key != "tags" {
						t.Errorf("%s: the field showed %q, saved %q", what, shown, got)
					}
					if cf.free && cf.key != "tags" && utf8.ValidString(bt.v) && model.Sanitize(bt.v) == bt.v && got != strings.TrimSpace(bt.v) {
						t.Errorf("%s: valid text saved as %q", what, got)
					}
					continue
				}
				if h.customers().screen != screenForm {
					t.Errorf("%s: not saved, yet the form closed", what)
					continue
				}
				// Leave the form without saving.
				h.keys("esc")
				if h.customers().dialog != nil {
					h.keys("y")
				}
				if h.customers().screen == screenForm {
					t.Fatalf("%s: esc and y did not leave the form:\n%s", what, h.screen())
				}
			}
		})
	}
}

func newest(t *testing.T, s *store.Store) model.Customer {
	t.Helper()
	all, err := s.AllCustomers(nil)
	if err != nil || len(all) == 0 {
		t.Fatalf("no customers: %v", err)
	}
	return all[len(all)-1]
}

// badFile is a file whose customers carry every valid piece of badText in
// their names and other fields, as an import from a hostile file would.
func badFile(t testing.TB) *store.Store {
	s := newFile(t)
	for _, bt := range badText {
		if !utf8.ValidString(bt.v) || strings.TrimSpace(bt.v) == "" || len(bt.v) > model.MaxName {
			continue
		}
		addCustomer(t, s, model.Customer{Name: bt.v + " " + bt.name, Notes: bt.v, Tags: []string{bt.name}, Source: bt.v},
			[2]int{1250, 2})
	}
	all := strings.Join([]string{"\x1b[2J", "\x1b]0;pwned\x07", "\x1b]52;c;cm0gLXJmIH4K\x07", "\x07", "\u009b31m", "\u202e", "🌷", "مريم", "\u200b"}, "")
	addCustomer(t, s, model.Customer{Name: "Zé " + all, Phone: "555 0199", Email: "ze@example.com", Address: all + " Rua 1",
		Preferences: all, Notes: all, Channel: all, Source: all, Tags: []string{all}}, [2]int{990, 1})
	return s
}

// TestBadTextGolden pins, at 80x24, the list, a detail and the form
// holding every kind of bad text: sanitised, and the columns where they
// belong. `go test ./ui -run TestBadTextGolden -update` rewrites them after
// a deliberate change to the views.
func TestBadTextGolden(t *testing.T) {
	cases := []struct {
		name  string
		setup func(h *harness)
	}{
		{"list", func(h *harness) {}},
		{"detail", func(h *harness) { h.keys("/").typeText("Zé").keys("enter", "enter") }},
		{"form", func(h *harness) {
			h.keys("a").send(tea.PasteMsg{Content: "Ana\x1b]0;pwned\x07 🌷 Lima"})
			h.keys("tab", "tab", "tab").send(tea.PasteMsg{Content: "\u202eRua\x1b[2J das Flores مريم"})
			h.keys("tab", "tab").send(tea.PasteMsg{Content: "vip, \x07bell, 👩‍👩‍👧"})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, badFile(t), 80, 24)
			tc.setup(h)
			mustDrawSafely(t, h, 80, 24, tc.name)
			golden.RequireEqual(t, h.screen())
		})
	}
}

// TestPastedTextIsCleanedEverywhere: a paste reaches any view's field
// (the search here) without what a terminal would act on, and keeps its
// line breaks for fields of several lines.
func TestPastedTextIsCleanedEverywhere(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("/").send(tea.PasteMsg{Content: "an\u202e\x1b]0;x\x07"})
	mustDrawSafely(t, h, 80, 24, "a paste into the search")
	if got := cleanPaste("Dear Ana,\r\nthank you\x1b[2J\u202e!\nMaria"); got != "Dear Ana,\nthank you!\nMaria" {
		t.Fatalf("cleanPaste gave %q", got)
	}
}
