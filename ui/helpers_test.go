package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

func TestMain(m *testing.M) {
	store.RunCheckerIfAsked()
	os.Exit(m.Run())
}

// testNow is the fixed clock of every UI test, so goldens never move.
var testNow = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return testNow }

// newFile makes an empty data file in a fresh home folder (so the footer
// shows ~/patron.db whatever the temp path) with the shop in UTC. It
// returns a handle of a different window than the app's, for "another
// terminal" writes.
func newFile(t testing.TB) *store.Store {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	a := store.CurrentActor("cli")
	a.User, a.Host, a.Window = "maria", "counter", "other-window"
	s, err := store.Open(filepath.Join(home, "patron.db"), store.Options{Create: true, Actor: a, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Settings()
	if err != nil {
		t.Fatal(err)
	}
	st.ShopName, st.Currency, st.TimeZone = "Flores & Filhos", "EUR", "UTC"
	if err := s.SaveSettings(st); err != nil {
		t.Fatal(err)
	}
	return s
}

// days is a time n days before testNow.
func days(n int) time.Time { return testNow.Add(-time.Duration(n) * 24 * time.Hour) }

// addCustomer adds c through the store, with purchases of the given
// amounts (in cents) on the given days ago.
func addCustomer(t testing.TB, s *store.Store, c model.Customer, purchases ...[2]int) model.Customer {
	t.Helper()
	saved, err := s.AddCustomer(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range purchases {
		_, err := s.AddInteraction(model.Interaction{Customer: saved.ID, Kind: model.KindPurchase, At: days(p[1]), Amount: model.Money(p[0]), Note: "flowers"})
		if err != nil {
			t.Fatal(err)
		}
	}
	saved, err = s.Customer(saved.ID)
	if err != nil {
		t.Fatal(err)
	}
	return saved
}

// shopFile is a small, fixed shop: the content of the golden views.
func shopFile(t testing.TB) *store.Store {
	t.Helper()
	s := newFile(t)
	addCustomer(t, s, model.Customer{Name: "Ana Lima", Phone: "+351 912 345 678", Email: "ana@example.com",
		Address: "Rua das Flores 12, Lisboa", Birthday: model.Birthday{Year: 1988, Month: 4, Day: 15},
		Tags: []string{"vip", "wedding"}, Channel: "email", Source: "a friend",
		Preferences: "white roses, no lilies", Notes: "Always asks for the ribbon in blue.", Since: days(400)},
		[2]int{2490, 3}, [2]int{12000, 40}, [2]int{4550, 200})
	addCustomer(t, s, model.Customer{Name: "Bruno Costa", Phone: "555 0102", Tags: []string{"wholesale"}}, [2]int{89000, 12})
	addCustomer(t, s, model.Customer{Name: "Carla Mendes", Email: "carla@example.com", Status: model.StatusArchived}, [2]int{1500, 500})
	addCustomer(t, s, model.Customer{Name: "Diogo Alves", Email: "diogo@example.com", Notes: "prefers bananas and orchids"})
	addCustomer(t, s, model.Customer{Name: "Anabela Sousa", Phone: "555 0105", Tags: []string{"vip"}}, [2]int{3200, 1}, [2]int{1800, 30})
	addCustomer(t, s, model.Customer{Name: "Elena Rossi", Email: "elena@example.com"}, [2]int{7600, 70})
	return s
}

// harness drives an App the way Bubble Tea would, running every command a
// message returns (store calls included) until there are none left.
type harness struct {
	t     testing.TB
	app   *App
	s     *store.Store
	quit  bool
	steps int
}

// newHarness opens the TUI over the file s names, as its own window, at
// w x h, and waits until the list has loaded.
func newHarness(t testing.TB, s *store.Store, width, height int) *harness {
	t.Helper()
	a := store.CurrentActor("tui")
	a.User, a.Host, a.Window = "maria", "counter", "tui-window"
	tui, err := store.Open(s.Path(), store.Options{Actor: a, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	app := New(tui, Options{Now: fixedNow, Version: "test"})
	app.c.timers = false
	h := &harness{t: t, app: app, s: tui}
	h.send(tea.WindowSizeMsg{Width: width, Height: height})
	h.run(app.Init())
	return h
}

// send delivers messages one by one, running what they return.
func (h *harness) send(msgs ...tea.Msg) *harness {
	h.t.Helper()
	for _, m := range msgs {
		_, cmd := h.app.Update(m)
		h.run(cmd)
	}
	return h
}

// run executes cmd and everything it leads to.
func (h *harness) run(cmd tea.Cmd) {
	h.t.Helper()
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		if h.steps++; h.steps > 100000 {
			h.t.Fatal("the app keeps sending itself messages")
		}
		msg := c()
		switch msg := msg.(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			h.quit = true
		default:
			_, next := h.app.Update(msg)
			queue = append(queue, next)
		}
	}
}

// keys presses each key in turn: "a", "enter", "ctrl+s", "shift+tab".
func (h *harness) keys(names ...string) *harness {
	h.t.Helper()
	for _, n := range names {
		h.send(press(n))
	}
	return h
}

// typeText types s one character at a time, as a person would.
func (h *harness) typeText(s string) *harness {
	h.t.Helper()
	for _, r := range s {
		if r == ' ' {
			h.send(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
			continue
		}
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return h
}

// screen is the whole window as text.
func (h *harness) screen() string { return ansi.Strip(h.app.render()) }

func (h *harness) mustShow(want ...string) {
	h.t.Helper()
	scr := h.screen()
	for _, w := range want {
		if !strings.Contains(scr, w) {
			h.t.Fatalf("the screen does not show %q:\n%s", w, scr)
		}
	}
}

func (h *harness) mustNotShow(unwanted ...string) {
	h.t.Helper()
	scr := h.screen()
	for _, w := range unwanted {
		if strings.Contains(scr, w) {
			h.t.Fatalf("the screen shows %q but should not:\n%s", w, scr)
		}
	}
}

// customers is the Customers tab.
func (h *harness) customers() *customersView { return h.app.tabs[0].view.(*customersView) }

// status is the footer's message line.
func (h *harness) status() string { return h.app.status.text }

func (h *harness) selectedName() string {
	e := h.customers().selected()
	if e == nil {
		return ""
	}
	return e.c.Name
}

// press builds the key message Bubble Tea would send for a key name.
func press(name string) tea.KeyPressMsg {
	special := map[string]tea.KeyPressMsg{
		"enter":     {Code: tea.KeyEnter},
		"esc":       {Code: tea.KeyEscape},
		"tab":       {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
		"up":        {Code: tea.KeyUp},
		"down":      {Code: tea.KeyDown},
		"left":      {Code: tea.KeyLeft},
		"right":     {Code: tea.KeyRight},
		"home":      {Code: tea.KeyHome},
		"end":       {Code: tea.KeyEnd},
		"pgup":      {Code: tea.KeyPgUp},
		"pgdown":    {Code: tea.KeyPgDown},
		"backspace": {Code: tea.KeyBackspace},
		"space":     {Code: tea.KeySpace, Text: " "},
	}
	if k, ok := special[name]; ok {
		return k
	}
	if rest, ok := strings.CutPrefix(name, "ctrl+"); ok {
		return tea.KeyPressMsg{Code: []rune(rest)[0], Mod: tea.ModCtrl}
	}
	r := []rune(name)[0]
	return tea.KeyPressMsg{Code: r, Text: name}
}
