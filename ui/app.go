// Package ui is Patron's terminal interface, built on Bubble Tea v2: a root
// model (App) with tabs, each tab a View; store calls run only in tea.Cmds.
package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// Options configure the interface.
type Options struct {
	Now     func() time.Time // the clock (the CLI's --now pins it); nil means time.Now
	Version string
	// Notify receives the sequence of every change written by this process
	// (store.Subscribe): windows served side by side refresh at once.
	Notify <-chan uint64
	// Started and Opened are when Patron started and when it had opened the
	// data file, for App.Timings (`patron --timings`).
	Started, Opened time.Time
	// Counted, when set, is told how many customers the list holds each
	// time it has been read and is searchable (a window on its own governs
	// its memory by it from then: GovernMemory; the list's own load, the
	// first frame and search, never wait on the collector for it).
	Counted func(customers int)
}

// The smallest window Patron draws in, and how often it reads the change feed.
const (
	minWidth     = 60
	minHeight    = 15
	pollEvery    = 1500 * time.Millisecond // other windows' writes show within 2 s
	statusLasts  = 8 * time.Second
	errorLasts   = 20 * time.Second
	headerHeight = 1
	footerHeight = 3
)

// noChanges is a sequence past any real one: asking for the changes after
// it reads the file id and the latest sequence without reading a change.
const noChanges = 1 << 62

// tab is one of the numbered views along the top.
type tab struct {
	num  int // the key that switches to it, 1-5
	view View
}

// App is the root model: tabs, header, footer and message line, the global
// keys, the Settings page and the change feed that keeps every view current.
type App struct {
	c       *common
	tabs    []tab
	active  int
	version string

	settings   *settingsView // open over the tabs when not nil
	showHelp   bool
	helpOffset int    // the help page scrolls on a small window
	dialog     dialog // the root's own question (quit with unsaved typing)

	w, h     int
	keys     globalKeys
	help     help.Model
	status   statusMsg
	statusID int

	// The change feed.
	started   bool
	starting  bool
	fileID    string
	seen      uint64
	polling   bool
	pollAgain bool
	feedErr   string
	notify    <-chan uint64

	timings Timings // start-up's moments (timings.go)
}

// New builds the interface over an opened store.
func New(s *store.Store, o Options) *App {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	c := &common{store: s, now: now, styles: NewStyles(true), settings: model.DefaultSettings(), timers: true}
	a := &App{c: c, version: o.Version, keys: newGlobalKeys(), help: help.New(), notify: o.Notify}
	a.help.Styles = c.styles.Help
	a.help.ShortSeparator = " · "
	a.timings.Started, a.timings.Opened = o.Started, o.Opened
	cv := newCustomersView(c)
	cv.counted = o.Counted
	a.tabs = []tab{{num: 1, view: cv}}
	a.addRemindersTab()
	a.addLogTab()
	a.addLoyaltyTab()
	a.addInsightsTab()
	return a
}

// Init asks for the background colour, reads where the feed stands, and
// starts the clock that polls it.
func (a *App) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, a.start(), a.tick(), a.listen())
}

type (
	startMsg struct {
		fileID   string
		latest   uint64
		settings model.Settings
		err      error
	}
	tickMsg struct{}
	feedMsg struct {
		feed store.Feed
		err  error
	}
	undoneMsg struct {
		change *store.Change
		err    error
	}
	clearStatusMsg struct{ id int }
)

// start reads the feed's position before any customer, so no change made
// while the list loads can slip between the two.
func (a *App) start() tea.Cmd {
	a.starting = true
	return a.c.do(func(s *store.Store) tea.Msg {
		f, err := s.ChangesSince(noChanges)
		if err != nil {
			return startMsg{err: err}
		}
		st, err := s.Settings()
		return startMsg{fileID: f.FileID, latest: f.Latest, settings: st, err: err}
	})
}

func (a *App) tick() tea.Cmd { return a.c.after(pollEvery, tickMsg{}) }

func (a *App) poll() tea.Cmd {
	if a.polling {
		a.pollAgain = true
		return nil
	}
	a.polling = true
	seen := a.seen
	return a.c.do(func(s *store.Store) tea.Msg {
		f, err := s.ChangesSince(seen)
		return feedMsg{feed: f, err: err}
	})
}

func (a *App) loadSettings() tea.Cmd {
	return a.c.do(func(s *store.Store) tea.Msg {
		st, err := s.Settings()
		if err != nil {
			return statusMsg{text: err.Error(), kind: statusError}
		}
		return settingsMsg{settings: st}
	})
}

// broadcast gives a message to every view, the open Settings page included.
func (a *App) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for i := range a.tabs {
		var cmd tea.Cmd
		a.tabs[i].view, cmd = a.tabs[i].view.Update(msg)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

func (a *App) current() View {
	if a.settings != nil {
		return a.settings
	}
	return a.tabs[a.active].view
}

// Close says the window is gone: the work over every customer that has
// not begun never will, Close returns once the one under way is done, and
// the window lets go of what it held (patron serve closes each counter's
// window as it leaves; a timer of the finished program's may keep the App
// itself for a day, and must not keep 100 MB with it). A closed App draws
// nothing and takes no message.
func (a *App) Close() {
	a.c.closed.Store(true)
	a.c.heavy.Lock()        // the work under way is done once this is ours
	a.timings = a.Timings() // kept for WriteTimings
	a.c.heavy.Unlock()
	a.tabs, a.settings, a.dialog = nil, nil, nil
}

// Update handles a message and notes when start-up settled.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if a.tabs == nil {
		return a, nil // closed
	}
	m, cmd := a.update(msg)
	a.noteSettled()
	return m, cmd
}

func (a *App) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.w, a.h = msg.Width, msg.Height
		a.resize()
		return a, nil
	case tea.BackgroundColorMsg:
		a.c.styles = NewStyles(msg.IsDark())
		a.help.Styles = a.c.styles.Help
		return a, nil
	case startMsg:
		a.starting = false
		if msg.err != nil {
			return a, a.setStatus(statusMsg{text: msg.err.Error(), kind: statusError})
		}
		a.started = true
		a.fileID, a.seen = msg.fileID, msg.latest
		a.c.settings = msg.settings
		return a, tea.Batch(a.broadcast(settingsMsg{settings: msg.settings}), a.broadcast(reloadMsg{}))
	case tickMsg:
		cmds := []tea.Cmd{a.tick()}
		switch {
		case a.started:
			cmds = append(cmds, a.poll())
		case !a.starting:
			cmds = append(cmds, a.start()) // the file could not be read at start: try again
		}
		return a, tea.Batch(cmds...)
	case notifiedMsg:
		return a, a.notified(msg)
	case wroteMsg:
		if !a.started {
			return a, nil
		}
		return a, a.poll()
	case feedMsg:
		return a, a.gotFeed(msg)
	case settingsMsg:
		a.c.settings = msg.settings
		return a, a.broadcast(msg)
	case settingsSavedMsg:
		if msg.err != nil {
			return a, a.setStatus(statusMsg{text: msg.err.Error(), kind: statusError})
		}
		a.settings = nil
		a.c.settings = msg.settings
		return a, tea.Batch(a.setStatus(statusMsg{text: "Saved the settings.", kind: statusDone}),
			a.broadcast(settingsMsg{settings: msg.settings}), wrote)
	case closeSettingsMsg:
		a.settings = nil
		return a, nil
	case undoneMsg:
		if msg.err != nil {
			return a, a.setStatus(statusMsg{text: msg.err.Error(), kind: statusError})
		}
		return a, tea.Batch(a.setStatus(statusMsg{text: clean(msg.change.Summary) + ".", kind: statusDone}), wrote)
	case statusMsg:
		return a, a.setStatus(msg)
	case clearStatusMsg:
		if msg.id == a.statusID {
			a.status = statusMsg{}
		}
		return a, nil
	case newReminderMsg, showTabMsg:
		return a, a.routeReminder(msg)
	case openCustomerMsg:
		a.settings = nil
		a.active = 0
		var cmd tea.Cmd
		a.tabs[0].view, cmd = a.tabs[0].view.Update(msg)
		return a, cmd
	case tea.KeyPressMsg:
		return a, a.handleKey(msg)
	case tea.MouseClickMsg:
		if msg.Y < headerHeight {
			a.clickHeader(msg.X)
			return a, nil
		}
		msg.Y -= headerHeight
		return a, a.toView(msg)
	case tea.MouseWheelMsg:
		msg.Y -= headerHeight
		return a, a.toView(msg)
	case tea.PasteMsg:
		msg.Content = cleanPaste(msg.Content)
		return a, a.toView(msg)
	}
	// Everything else (store results) goes to the views.
	return a, a.broadcast(msg)
}

func (a *App) toView(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	if a.settings != nil {
		var v View
		v, cmd = a.settings.Update(msg)
		a.settings = v.(*settingsView)
		return cmd
	}
	a.tabs[a.active].view, cmd = a.tabs[a.active].view.Update(msg)
	return cmd
}

// handleKey applies DESIGN's order: the root's own question, ctrl+c, the
// help page, then a view whose field or dialog has the keyboard, then the
// global keys, and last the view's own keys.
func (a *App) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if a.dialog != nil {
		done, cmd := a.dialog.update(msg)
		if done {
			a.dialog = nil
		}
		return cmd
	}
	if key.Matches(msg, a.keys.ForceQuit) {
		return a.quit()
	}
	if a.tooSmall() {
		if key.Matches(msg, a.keys.Quit) {
			return a.quit()
		}
		return nil
	}
	if a.showHelp {
		switch {
		case key.Matches(msg, a.keys.Help), msg.String() == "esc":
			a.showHelp = false
		case key.Matches(msg, a.keys.Quit):
			return a.quit()
		case msg.String() == "down" || msg.String() == "j":
			a.helpOffset++
		case msg.String() == "up" || msg.String() == "k":
			a.helpOffset = max(0, a.helpOffset-1)
		}
		return nil
	}
	v := a.current()
	if cp, ok := v.(capturer); ok && cp.Capturing() {
		return a.toView(msg)
	}
	switch {
	case key.Matches(msg, a.keys.Quit):
		return a.quit()
	case key.Matches(msg, a.keys.Help):
		a.showHelp, a.helpOffset = true, 0
		return nil
	case key.Matches(msg, a.keys.Tabs):
		n := int(msg.Code - '0')
		for i, t := range a.tabs {
			if t.num == n {
				a.active = i
			}
		}
		return nil
	case key.Matches(msg, a.keys.Settings):
		a.settings = newSettingsView(a.c)
		a.resize()
		return a.settings.Init()
	case key.Matches(msg, a.keys.Undo):
		return a.c.do(func(s *store.Store) tea.Msg {
			ch, err := s.Undo()
			if err == nil && ch == nil {
				err = store.ErrNothingToUndo
			}
			return undoneMsg{change: ch, err: err}
		})
	}
	return a.toView(msg)
}

// quit leaves at once unless a view would lose what was typed.
func (a *App) quit() tea.Cmd {
	if g, ok := a.current().(guarder); ok {
		if q := g.Guard(); q != "" {
			a.dialog = confirmDialog(q, []string{"What you typed has not been saved."}, tea.Quit, "quit")
			return nil
		}
	}
	return tea.Quit
}

func (a *App) gotFeed(msg feedMsg) tea.Cmd {
	a.polling = false
	var cmds []tea.Cmd
	if a.pollAgain {
		// This window wrote while the poll was out: read again at once.
		a.pollAgain = false
		cmds = append(cmds, func() tea.Msg { return wroteMsg{} })
	}
	if msg.err != nil {
		// A busy file is normal (another window saving): try at the next tick.
		if !errors.Is(msg.err, store.ErrBusy) && msg.err.Error() != a.feedErr {
			a.feedErr = msg.err.Error()
			cmds = append(cmds, a.setStatus(statusMsg{text: msg.err.Error(), kind: statusError}))
		}
		return tea.Batch(cmds...)
	}
	a.feedErr = ""
	f := msg.feed
	switch {
	case f.FileID != a.fileID || f.Latest < a.seen:
		// The file was replaced (a restore): read everything again.
		a.fileID, a.seen = f.FileID, f.Latest
		cmds = append(cmds, a.loadSettings(), a.broadcast(reloadMsg{}),
			a.setStatus(statusMsg{text: "The data file was replaced (restored?), so everything was read again.", kind: statusInfo}))
	case len(f.Changes) >= 5000:
		// Too far behind to follow change by change.
		a.seen = f.Latest
		cmds = append(cmds, a.loadSettings(), a.broadcast(reloadMsg{}))
	case len(f.Changes) > 0:
		a.seen = f.Changes[len(f.Changes)-1].Seq
		for _, ch := range f.Changes {
			if ch.TouchesSettings() {
				cmds = append(cmds, a.loadSettings())
				break
			}
		}
		cmds = append(cmds, a.broadcast(changesMsg{changes: f.Changes}))
	}
	return tea.Batch(cmds...)
}

func (a *App) setStatus(m statusMsg) tea.Cmd {
	a.status = m
	a.statusID++
	lasts := statusLasts
	if m.kind == statusError {
		lasts = errorLasts
	}
	return a.c.after(lasts, clearStatusMsg{id: a.statusID})
}

func (a *App) tooSmall() bool { return a.w < minWidth || a.h < minHeight }

func (a *App) resize() {
	bodyH := max(1, a.h-headerHeight-footerHeight)
	for _, t := range a.tabs {
		t.view.SetSize(a.w, bodyH)
	}
	if a.settings != nil {
		a.settings.SetSize(a.w, bodyH)
	}
	a.help.SetWidth(a.w)
}

// tabLabel is how a tab is written in the header: "1 Customers".
func (a *App) tabLabel(t tab) string {
	name := "?"
	if tt, ok := t.view.(titled); ok {
		name = tt.Title()
	}
	label := fmt.Sprintf("%d %s", t.num, name)
	if b, ok := t.view.(badger); ok && b.Badge() != "" {
		label += " (" + b.Badge() + ")"
	}
	return label
}

func (a *App) clickHeader(x int) {
	pos := 0
	for i, t := range a.tabs {
		w := width(a.tabLabel(t)) + 2 // the tab's padding
		if x >= pos && x < pos+w {
			a.active = i
			a.showHelp = false
			return
		}
		pos += w
	}
}

// View draws the header, the current view (or help, or the Settings page)
// and the footer, exactly the window's size.
func (a *App) View() tea.View {
	if a.tabs == nil {
		return tea.NewView("") // closed
	}
	a.noteFrame()
	v := tea.NewView(a.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "Patron · " + clean(a.c.settings.ShopName)
	return v
}

func (a *App) render() string {
	if a.w <= 0 || a.h <= 0 {
		return ""
	}
	if a.tooSmall() {
		return a.smallNotice()
	}
	st := a.c.styles
	bodyH := a.h - headerHeight - footerHeight
	var body string
	cur := a.current()
	if a.showHelp {
		groups := append(cur.FullHelp(), a.keys.list())
		lines := strings.Split(fullHelp(st, "Keys", groups, a.w), "\n")
		a.helpOffset = max(0, min(a.helpOffset, len(lines)-bodyH))
		body = fitBlock(strings.Join(lines[a.helpOffset:], "\n"), a.w, bodyH)
	} else {
		body = fitBlock(cur.View(), a.w, bodyH)
	}
	if a.dialog != nil {
		body = overlay(body, a.dialog.view(st, a.w), a.w, bodyH)
	}
	return strings.Join([]string{a.header(), body, a.footer()}, "\n")
}

func (a *App) header() string {
	st := a.c.styles
	var b strings.Builder
	for i, t := range a.tabs {
		label := a.tabLabel(t)
		if i == a.active && a.settings == nil {
			b.WriteString(st.ActiveTab.Render(label))
		} else {
			b.WriteString(st.Tab.Render(label))
		}
	}
	if a.settings != nil {
		b.WriteString(st.ActiveTab.Render("Settings"))
	}
	left := b.String()
	right := st.ShopName.Render(clean(a.c.settings.ShopName) + " ")
	gap := a.w - width(left) - width(right)
	if gap < 1 {
		return truncate(left, a.w)
	}
	return left + st.Header.Render(strings.Repeat(" ", gap)) + right
}

func (a *App) footer() string {
	st := a.c.styles
	cur := a.current()
	var msg string
	switch a.status.kind {
	case statusError:
		msg = st.Error.Render("✗ " + clean(a.status.text))
	case statusDone:
		msg = st.Success.Render(clean(a.status.text))
	default:
		msg = clean(a.status.text)
	}
	if a.status.text == "" {
		msg = ""
	}
	var helpLine string
	if a.showHelp {
		helpLine = a.help.ShortHelpView([]key.Binding{
			key.NewBinding(key.WithKeys("?"), key.WithHelp("?/esc", "close help")),
			key.NewBinding(key.WithKeys("down"), key.WithHelp("↑↓", "scroll")), a.keys.Quit})
	} else if a.dialog == nil {
		helpLine = a.help.ShortHelpView(cur.ShortHelp())
	}
	file := "File " + clean(displayPath(a.c.store.Path()))
	var right string
	if s, ok := a.tabs[a.active].view.(statuser); ok {
		right = s.Status()
	}
	fileW := a.w - width(right) - 2
	if width(file) > fileW && fileW > 8 {
		file = "File …" + ansiTail(file, fileW-6)
	}
	return strings.Join([]string{
		truncate(msg, a.w),
		truncate(helpLine, a.w),
		joinEnds(st.Subtle.Render(file), st.Subtle.Render(right), a.w),
	}, "\n")
}

// displayPath writes a path under the home folder as ~/..., as people do.
func displayPath(p string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" || home == "/" {
		return p
	}
	if rest, ok := strings.CutPrefix(p, home+string(filepath.Separator)); ok {
		return "~" + string(filepath.Separator) + rest
	}
	return p
}

// ansiTail keeps the last n cells of a plain string (a long file path).
func ansiTail(s string, n int) string {
	r := []rune(s)
	for len(r) > 0 && width(string(r)) > n {
		r = r[1:]
	}
	return string(r)
}

// smallNotice fills a too-small window with a plain request to enlarge it.
func (a *App) smallNotice() string {
	text := fmt.Sprintf("Make the window larger: Patron needs at least %dx%d (it is %dx%d). q quits.", minWidth, minHeight, a.w, a.h)
	lines := wrap(text, a.w)
	return fitBlock(strings.Join(lines, "\n"), a.w, a.h)
}
