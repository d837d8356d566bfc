package ui

import (
	"sync"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// View is the one contract every tab and page follows. Only the root (App)
// turns views into a tea.View; views tell the root what they need with
// typed messages (statusMsg, openCustomerMsg, wroteMsg), never by reaching
// into each other.
type View interface {
	Update(tea.Msg) (View, tea.Cmd)
	View() string
	SetSize(width, height int)
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
}

// The optional parts of the contract, asked for with a type assertion.
type (
	// titled views name their tab.
	titled interface{ Title() string }
	// capturer views say when a text field or a dialog has the keyboard,
	// so that q, ?, digits and the other global keys wait.
	capturer interface{ Capturing() bool }
	// guarder views say what would be lost by quitting now ("" for
	// nothing), so ctrl+c can ask first.
	guarder interface{ Guard() string }
	// badger views put a short note beside their tab ("3 due").
	badger interface{ Badge() string }
	// statuser views add a note to the footer ("12 customers · 3 shown").
	statuser interface{ Status() string }
)

// common is what every view shares: the store, the clock, the styles and
// the shop's settings. The root owns it and keeps it current.
type common struct {
	store    *store.Store
	now      func() time.Time
	styles   *Styles
	settings model.Settings
	// timers is false in tests, where a tea.Tick would only slow things down;
	// the tests send the tick messages themselves.
	timers bool
	// heavy lets one of the computations over every customer run at a
	// time (the reminders, the ladder, the figures): each unpacks records
	// and builds its results, and at 100,000 customers their working
	// memory together would double Patron's peak.
	heavy sync.Mutex
	// closed: the window is gone (App.Close); heavy work not yet begun
	// is not begun.
	closed atomic.Bool
}

// oneAtATime is do for heavy work: fn runs after any other under way,
// unless the window has closed meanwhile.
func (c *common) oneAtATime(fn func(s *store.Store) tea.Msg) tea.Cmd {
	s := c.store
	return func() tea.Msg {
		c.heavy.Lock()
		defer c.heavy.Unlock()
		if c.closed.Load() {
			return nil
		}
		return fn(s)
	}
}

// do runs one store call off the update loop: the only way views reach the
// store. fn runs in a goroutine and must not touch view state.
func (c *common) do(fn func(s *store.Store) tea.Msg) tea.Cmd {
	s := c.store
	return func() tea.Msg { return fn(s) }
}

// after delivers msg after d, unless timers are off.
func (c *common) after(d time.Duration, msg tea.Msg) tea.Cmd {
	if !c.timers {
		return nil
	}
	return tea.Tick(d, func(time.Time) tea.Msg { return msg })
}

// money shows an amount in the shop's currency.
func (c *common) money(m model.Money) string { return m.Display(c.settings.Money()) }

// relative says "3 days ago" in the shop's calendar.
func (c *common) relative(t time.Time) string {
	return model.FormatRelative(t, c.now(), c.settings.Location())
}

// Messages views send to the root.
type (
	// statusMsg puts a sentence on the footer's message line.
	statusMsg struct {
		text string
		kind statusKind
	}
	// wroteMsg says this window just changed the file, so the root reads
	// the change feed at once instead of at the next tick.
	wroteMsg struct{}
	// openCustomerMsg asks for a customer's detail, from any tab.
	openCustomerMsg struct{ id model.ID }
)

type statusKind int

const (
	statusInfo statusKind = iota
	statusDone
	statusError
)

func say(text string) tea.Cmd {
	return func() tea.Msg { return statusMsg{text: text, kind: statusDone} }
}

func sayInfo(text string) tea.Cmd {
	return func() tea.Msg { return statusMsg{text: text, kind: statusInfo} }
}

func sayError(err error) tea.Cmd {
	return func() tea.Msg { return statusMsg{text: err.Error(), kind: statusError} }
}

func wrote() tea.Msg { return wroteMsg{} }

// Messages the root sends to every view.
type (
	// changesMsg carries other windows' (and this window's) changes read
	// from the feed, so views refresh just the records they touched.
	changesMsg struct{ changes []store.Change }
	// reloadMsg says the file was replaced (a restore): start over.
	reloadMsg struct{}
	// settingsMsg carries the shop's settings after they changed.
	settingsMsg struct{ settings model.Settings }
)
