package ui

import (
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"pgregory.net/rapid"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

func TestQQuitsFromTheList(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("q")
	if !h.quit {
		t.Fatal("q should quit from the list")
	}
}

func TestCtrlCQuitsFromTheListAndTheDetail(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("ctrl+c")
	if !h.quit {
		t.Fatal("ctrl+c should quit from the list")
	}
	h = newHarness(t, shopFile(t), 80, 24)
	h.keys("enter", "ctrl+c")
	if !h.quit {
		t.Fatal("ctrl+c should quit from the detail")
	}
}

func TestQuestionMarkTogglesAllTheKeys(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("?")
	h.mustShow("Keys", "delete for good", "switch view", "quit from anywhere")
	h.keys("?")
	h.mustNotShow("quit from anywhere")
	h.keys("?", "esc")
	h.mustNotShow("quit from anywhere")
	// The detail has its own keys in the help.
	h.keys("enter", "?")
	h.mustShow("Keys", "back", "history")
	h.mustNotShow("clear search")
}

func TestHelpScrollsOnASmallWindow(t *testing.T) {
	h := newHarness(t, shopFile(t), 60, 15)
	h.keys("?")
	h.mustNotShow("quit from anywhere")
	for i := 0; i < 10; i++ {
		h.keys("j")
	}
	h.mustShow("quit from anywhere")
	if h.quit {
		t.Fatal("scrolling the help quit")
	}
	h.keys("k", "esc")
	h.mustShow("Ana Lima")
}

func TestDigitsSwitchOnlyToTabsThatExist(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	for _, d := range []string{"2", "3", "4", "5"} {
		n := int(d[0] - '0')
		exists := false
		for _, tb := range h.app.tabs {
			exists = exists || tb.num == n
		}
		h.keys("1", d)
		if got := h.app.tabs[h.app.active].num; exists && got != n || !exists && got != 1 {
			t.Fatalf("%s shows tab %d", d, got)
		}
	}
	h.keys("1")
	h.mustShow("1 Customers")
	h.keys("1")
	if h.app.active != 0 {
		t.Fatal("1 should show Customers")
	}
}

func TestMouseClickSelectsATabAndARow(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.send(tea.MouseClickMsg{X: 3, Y: 0, Button: tea.MouseLeft})
	if h.app.active != 0 {
		t.Fatal("a click on the tab should show it")
	}
	// Row 3 of the window: header, title, column heads, then customers.
	h.send(tea.MouseClickMsg{X: 5, Y: 4, Button: tea.MouseLeft})
	if h.selectedName() != "Anabela Sousa" {
		t.Fatalf("a click on the second customer selected %q", h.selectedName())
	}
	h.send(tea.MouseWheelMsg{X: 5, Y: 6, Button: tea.MouseWheelDown})
	if h.selectedName() != "Elena Rossi" {
		t.Fatalf("the wheel moved to %q", h.selectedName())
	}
}

func TestSettingsAreValidatedSavedAndUndoable(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	h.keys(",")
	if h.app.settings == nil {
		t.Fatal(", should open the settings")
	}
	h.mustShow("Shop name", "Currency", "Time zone")
	h.keys("tab", "ctrl+u").typeText("XYZ").keys("tab")
	h.mustShow(`✗ currency "XYZ" is not a currency Patron knows`)
	h.keys("ctrl+s")
	if h.app.settings == nil || h.app.status.kind != statusError {
		t.Fatal("a bad currency should not save")
	}
	if h.app.settings.f.focus != 1 {
		t.Fatal("a failed save should put the cursor in the field to fix")
	}
	h.keys("ctrl+u").typeText("usd").keys("tab", "ctrl+u").typeText("Mars/Base").keys("ctrl+s")
	h.mustShow(`✗ time zone "Mars/Base" is not a time zone`)
	h.keys("ctrl+u").typeText("Europe/Lisbon").keys("shift+tab", "shift+tab", "ctrl+u").typeText("Casa Ana").keys("ctrl+s")
	if h.app.settings != nil {
		t.Fatalf("a good save should close the settings; status %q", h.status())
	}
	if h.status() != "Saved the settings." {
		t.Fatalf("status = %q", h.status())
	}
	st, _ := s.Settings()
	if st.ShopName != "Casa Ana" || st.Currency != "USD" || st.TimeZone != "Europe/Lisbon" {
		t.Fatalf("stored %+v", st)
	}
	h.mustShow("Casa Ana", "$190.40")
	h.keys("u")
	if h.status() != "Undone: changed the settings." {
		t.Fatalf("status = %q", h.status())
	}
	if h.app.c.settings.ShopName != "Flores & Filhos" {
		t.Fatalf("after undo the window still shows %q", h.app.c.settings.ShopName)
	}
	h.mustShow("Flores & Filhos", "€190,40")
}

func TestSettingsEscAsksOnlyWhenEdited(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys(",", "esc")
	if h.app.settings != nil {
		t.Fatal("esc on untouched settings should close them")
	}
	h.keys(",").typeText("!").keys("esc")
	h.mustShow("Discard your changes to the settings?")
	h.keys("n")
	if h.app.settings == nil {
		t.Fatal("n should keep the settings open")
	}
	h.keys("ctrl+c")
	h.mustShow("Discard your changes to the settings and quit?")
	h.keys("n", "esc", "y")
	if h.app.settings != nil || h.quit {
		t.Fatal("y should discard and close, not quit")
	}
	st, _ := h.s.Settings()
	if st.ShopName != "Flores & Filhos" {
		t.Fatal("discarding saved")
	}
}

func TestAnotherWindowsWritesShowOnTheNextPoll(t *testing.T) {
	other := shopFile(t)
	h := newHarness(t, other, 80, 24)
	rui := addCustomer(t, other, model.Customer{Name: "Rui Patrício"})
	ana, _ := findByName(t, other, "Ana Lima")
	if _, err := other.AddInteraction(model.Interaction{Customer: ana.ID, Kind: model.KindPurchase, At: days(0), Amount: 1000}); err != nil {
		t.Fatal(err)
	}
	h.mustNotShow("Rui Patrício")
	h.send(tickMsg{})
	h.mustShow("Rui Patrício", "€200,40", "today")
	cv := h.customers()
	if cv.byID[rui.ID] == nil {
		t.Fatal("the new customer is not in the list")
	}
	// Only the touched customers were read again: the others are the same entries.
	before := cv.byID[rui.ID-1]
	if err := other.SaveSettings(model.Settings{ShopName: "Loja Nova", Currency: "EUR", TimeZone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	if cv.byID[rui.ID-1] != before {
		t.Fatal("a settings change re-read the customers")
	}
	h.mustShow("Loja Nova")
}

func TestAReplacedFileIsReadAgain(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	// A restore puts another file in its place: a new file id.
	other := filepath.Join(filepath.Dir(s.Path()), "other.db")
	o, err := store.Open(other, store.Options{Create: true, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	addCustomer(t, o, model.Customer{Name: "Zé Novo"})
	if err := os.Rename(other, s.Path()); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	h.mustShow("Zé Novo", "1 customer")
	h.mustNotShow("Ana Lima")
	if !strings.Contains(h.status(), "replaced") {
		t.Fatalf("status = %q", h.status())
	}
}

func TestUndoWithNothingToUndoSaysSo(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("u")
	if h.app.status.kind != statusError || !strings.Contains(h.status(), "nothing") {
		t.Fatalf("status = %q", h.status())
	}
	// Another window's changes are not this window's to undo.
	if c, _ := findByName(t, h.s, "Elena Rossi"); c.ID == 0 {
		t.Fatal("undo removed another window's customer")
	}
}

func TestUndoGoesBackOneChangeAtATime(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.keys("a").typeText("Rui").keys("ctrl+s")
	h.keys("e", "end").typeText(" Costa").keys("ctrl+s")
	h.keys("u")
	if h.status() != "Undone: edited Rui Costa: name." {
		t.Fatalf("status = %q", h.status())
	}
	if h.selectedName() != "Rui" {
		t.Fatalf("after undoing the edit the list shows %q", h.selectedName())
	}
	h.keys("u")
	if h.status() != "Undone: added Rui." {
		t.Fatalf("status = %q", h.status())
	}
	if _, ok := findByName(t, h.s, "Rui"); ok {
		t.Fatal("undoing the add left the customer")
	}
	if len(h.customers().rows) != 5 {
		t.Fatal("undoing the add left the customer in the list")
	}
}

func TestStatusMessagesClearOnlyTheirOwnTimer(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.send(statusMsg{text: "first"})
	id := h.app.statusID
	h.send(statusMsg{text: "second"})
	h.send(clearStatusMsg{id: id})
	if h.status() != "second" {
		t.Fatal("an old timer cleared a newer message")
	}
	h.send(clearStatusMsg{id: h.app.statusID})
	if h.status() != "" {
		t.Fatal("the message did not clear")
	}
}

func TestBackgroundColourRebuildsTheStyles(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.send(tea.BackgroundColorMsg{Color: color.White})
	if h.app.c.styles.IsDark {
		t.Fatal("a white background should give the light styles")
	}
	h.send(tea.BackgroundColorMsg{Color: color.Black})
	if !h.app.c.styles.IsDark {
		t.Fatal("a black background should give the dark styles")
	}
}

func TestTheRootViewUsesTheAltScreenAndNamesTheWindow(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	v := h.app.View()
	if !v.AltScreen || v.WindowTitle != "Patron · Flores & Filhos" {
		t.Fatalf("alt screen %v, title %q", v.AltScreen, v.WindowTitle)
	}
}

func TestSelectionIsVisibleWithoutColour(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	// ANSI stripped is what a NO_COLOR terminal can rely on.
	h.mustShow("> Ana Lima")
	h.keys("a")
	h.mustShow("> Name")
}

func TestATooSmallWindowAsksToBeLarger(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	h.send(tea.WindowSizeMsg{Width: 59, Height: 15})
	h.mustShow("Make the window larger", "60x15")
	h.keys("a")
	if h.customers().screen != screenList {
		t.Fatal("keys should not act on a screen the owner cannot see")
	}
	h.send(tea.WindowSizeMsg{Width: 60, Height: 15})
	h.mustNotShow("Make the window larger")
	h.mustShow("Ana Lima")
	h.send(tea.WindowSizeMsg{Width: 60, Height: 14})
	h.keys("q")
	if !h.quit {
		t.Fatal("q should still quit from the notice")
	}
}

func TestTextFromTheFileCannotReachTheTerminal(t *testing.T) {
	s := newFile(t)
	addCustomer(t, s, model.Customer{Name: "Evil\x1b]0;pwned\x07 \x1b[31mRed\u202e", Notes: "\x1b[2Jgone"})
	h := newHarness(t, s, 80, 24)
	out := h.app.render()
	for _, bad := range []string{"\x1b]0;pwned", "\x1b[2J", "\u202e", "\x07"} {
		if strings.Contains(out, bad) {
			t.Fatalf("the screen carries %q", bad)
		}
	}
	h.keys("enter")
	if out := h.app.render(); strings.Contains(out, "\x1b[2J") || strings.Contains(out, "\u202e") {
		t.Fatal("the detail carries escape sequences from the file")
	}
}

// TestAnySizeRendersInsideTheWindow: from 1x1 to 300x100, in every screen,
// nothing panics, no line is wider than the window and no more lines than
// it has are drawn.
func TestAnySizeRendersInsideTheWindow(t *testing.T) {
	s := logFile(t)
	states := []func(h *harness){
		func(h *harness) {},
		func(h *harness) { h.keys("/").typeText("an") },
		func(h *harness) { h.keys("enter") },
		func(h *harness) { h.keys("enter", "h") },
		func(h *harness) { h.keys("a").typeText("x").keys("tab").typeText("1").keys("tab") },
		func(h *harness) { h.keys("?") },
		func(h *harness) { h.keys(",") },
		func(h *harness) { h.keys("d") },
		func(h *harness) { h.keys("D") },
		func(h *harness) { h.keys("f") },
		func(h *harness) { h.keys("a").typeText("x").keys("ctrl+c") },
		// Import and merge: the path, the columns with their chooser, the
		// preview, the merge screen.
		func(h *harness) { h.keys("i").typeText("~/contacts.vcf") },
		func(h *harness) { h.startImport(fixture(t, "own-semicolon.csv")).keys("space") },
		func(h *harness) { h.startImport(fixture(t, "google.csv")) },
		func(h *harness) { h.keys("space", "space", "M") },
		// The Reminders tab: the list, its choosers, the composer, the form.
		func(h *harness) { h.keys("3") },
		func(h *harness) { h.keys("3", "s") },
		func(h *harness) { h.keys("3", "s", "p").typeText("someday").keys("enter") },
		func(h *harness) { h.keys("3", "d") },
		func(h *harness) { h.keys("3", "c") },
		func(h *harness) { h.keys("3", "r").typeText("an") },
		func(h *harness) { h.keys("3", "r").typeText("ana").keys("enter", "tab").typeText("zz").keys("tab") },
		func(h *harness) { h.keys(",", "shift+tab", "enter") },
		// The interaction log: the quick log, the timeline, the Log tab.
		func(h *harness) { h.keys("l") },
		func(h *harness) { h.keys("l", "r").typeText("an") },
		func(h *harness) { h.keys("l", "p").typeText("x").keys("tab") },
		func(h *harness) { h.keys("enter", "tab", "j") },
		func(h *harness) { h.keys("enter", "tab", "e") },
		func(h *harness) { h.keys("enter", "tab", "d") },
		func(h *harness) { h.keys("2", "j") },
		func(h *harness) { h.keys("2", "f") },
		func(h *harness) { h.keys("2", "d").typeText("soon").keys("enter") },
		func(h *harness) { h.keys("2", "o") },
		// Loyalty: the tab, its lists, the follow-up question, the redeem
		// chooser and its confirmation, the partner question.
		func(h *harness) { h.keys("4") },
		func(h *harness) { h.keys("4", "tab", "j") },
		func(h *harness) { h.keys("4", "tab", "r") },
		func(h *harness) { h.keys("4", "tab", "$") },
		func(h *harness) { h.keys("$") },
		func(h *harness) { h.keys("$", "enter") },
		func(h *harness) { h.keys("enter", "p") },
		// Insights: the figures, the charts, the customers behind a figure;
		// the lost chooser and its question.
		func(h *harness) { h.keys("5") },
		func(h *harness) { h.keys("5", "G") },
		func(h *harness) { h.keys("5", "enter") },
		func(h *harness) { h.keys("enter", "L") },
		func(h *harness) { h.keys("enter", "L", "tab", "enter") },
	}
	apps := make([]*harness, len(states))
	for i, st := range states {
		apps[i] = newHarness(t, s, 80, 24)
		st(apps[i])
	}
	empty := newHarness(t, newFile(t), 80, 24)
	apps = append(apps, empty)
	rapid.Check(t, func(rt *rapid.T) {
		w := rapid.IntRange(1, 300).Draw(rt, "width")
		hgt := rapid.IntRange(1, 100).Draw(rt, "height")
		h := apps[rapid.IntRange(0, len(apps)-1).Draw(rt, "screen")]
		h.app.Update(tea.WindowSizeMsg{Width: w, Height: hgt})
		out := h.app.View().Content
		lines := strings.Split(out, "\n")
		if len(lines) > hgt {
			rt.Fatalf("%dx%d: %d lines drawn", w, hgt, len(lines))
		}
		for i, l := range lines {
			if lw := ansi.StringWidth(l); lw > w {
				rt.Fatalf("%dx%d: line %d is %d wide: %q", w, hgt, i, lw, ansi.Strip(l))
			}
		}
	})
}
