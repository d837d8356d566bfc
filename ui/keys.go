package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// globalKeys work from any view when no text field or dialog has the keyboard.
type globalKeys struct {
	Quit      key.Binding
	ForceQuit key.Binding
	Help      key.Binding
	Tabs      key.Binding
	Settings  key.Binding
	Undo      key.Binding
}

func newGlobalKeys() globalKeys {
	return globalKeys{
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit from anywhere")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "all keys")),
		Tabs:      key.NewBinding(key.WithKeys("1", "2", "3", "4", "5"), key.WithHelp("1-5", "switch view")),
		Settings:  key.NewBinding(key.WithKeys(","), key.WithHelp(",", "settings")),
		Undo:      key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "undo")),
	}
}

func (k globalKeys) list() []key.Binding {
	return []key.Binding{k.Undo, k.Settings, k.Tabs, k.Help, k.Quit, k.ForceQuit}
}

// listKeys are the Customers list's own keys.
type listKeys struct {
	moveKeys
	Open, Search, ClearFilter  key.Binding
	Add, Edit, Archive, Delete key.Binding
	Sort, Filter, History      key.Binding
	Log                        key.Binding
}

func newListKeys() listKeys {
	return listKeys{
		moveKeys:    newMoveKeys("first", "last"),
		Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Search:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		ClearFilter: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear search")),
		Add:         key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add")),
		Edit:        key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Archive:     key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "archive")),
		Delete:      key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete for good")),
		Sort:        key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort")),
		Filter:      key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "filter")),
		History:     key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "history")),
		Log:         key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "log")),
	}
}

// searchKeys work while the search field is being typed in.
type searchKeys struct {
	Keep, Clear, Up, Down key.Binding
}

func newSearchKeys() searchKeys {
	return searchKeys{
		Keep:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
		Clear: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear")),
		Up:    key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "up")),
		Down:  key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "down")),
	}
}

// detailKeys are the customer detail's keys.
type detailKeys struct {
	Back, Up, Down, Edit, Archive, Delete, History key.Binding
	Log, Focus                                     key.Binding
}

func newDetailKeys() detailKeys {
	return detailKeys{
		Back:    key.NewBinding(key.WithKeys("esc", "backspace"), key.WithHelp("esc", "back")),
		Up:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll")),
		Down:    key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll")),
		Edit:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Archive: key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "archive")),
		Delete:  key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete for good")),
		History: key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "history")),
		Log:     key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "log")),
		Focus:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "timeline")),
	}
}

// formKeys work in every form, whichever field has the cursor.
type formKeys struct {
	Save, Next, Prev, Cancel key.Binding
}

func newFormKeys() formKeys {
	return formKeys{
		Save:   key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save")),
		Next:   key.NewBinding(key.WithKeys("tab", "down", "enter"), key.WithHelp("tab", "next field")),
		Prev:   key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous field")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// backKeys serve the read-only pages (history).
type backKeys struct {
	Back, Up, Down key.Binding
}

func newBackKeys() backKeys {
	return backKeys{
		Back: key.NewBinding(key.WithKeys("esc", "backspace", "h"), key.WithHelp("esc", "back")),
		Up:   key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll")),
		Down: key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll")),
	}
}

// timelineKeys act on the selected interaction while a customer's timeline
// has the focus.
type timelineKeys struct {
	moveKeys
	Edit, Delete, Resolve key.Binding
}

func newTimelineKeys() timelineKeys {
	return timelineKeys{
		moveKeys: newMoveKeys("newest", "oldest"),
		Edit:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Delete:   key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete")),
		Resolve:  key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "resolve")),
	}
}

// logKeys are the Log tab's keys.
type logKeys struct {
	moveKeys
	Open, Search, Kind, Dates, Complaints, Clear key.Binding
}

func newLogKeys() logKeys {
	return logKeys{
		moveKeys:   newMoveKeys("newest", "oldest loaded"),
		Open:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Search:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "text")),
		Kind:       key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "kind")),
		Dates:      key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "dates")),
		Complaints: key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open complaints")),
		Clear:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filters")),
	}
}

// loyaltyKeys are the Loyalty tab's keys.
type loyaltyKeys struct {
	Next, Prev, Up, Down, Top, Bottom key.Binding
	Open, Redeem, Remind              key.Binding
}

func newLoyaltyKeys() loyaltyKeys {
	return loyaltyKeys{
		Next:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next list")),
		Prev:   key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous list")),
		Up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Top:    key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "first")),
		Bottom: key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "last")),
		Open:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Redeem: redeemKey(),
		Remind: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "follow-up")),
	}
}

// redeemKey spends a customer's points on a reward (list, detail, Loyalty tab).
func redeemKey() key.Binding {
	return key.NewBinding(key.WithKeys("$"), key.WithHelp("$", "redeem"))
}

// partnerKey makes a customer a partner on the ladder, or no longer one.
func partnerKey() key.Binding {
	return key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "partner"))
}

// moveKeys are the movement keys every list and page shares, so they read
// and behave the same in every view.
type moveKeys struct {
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
}

// step is how far a movement key moves the cursor in a list of n rows
// that shows page of them at a time; ok is false for any other key.
func (k moveKeys) step(msg tea.KeyPressMsg, n, page int) (by int, ok bool) {
	switch {
	case key.Matches(msg, k.Up):
		return -1, true
	case key.Matches(msg, k.Down):
		return 1, true
	case key.Matches(msg, k.Top):
		return -n, true
	case key.Matches(msg, k.Bottom):
		return n, true
	case key.Matches(msg, k.PageUp):
		return -page, true
	case key.Matches(msg, k.PageDown):
		return page, true
	}
	return 0, false
}

// top and bottom name where g and G go ("first", "newest").
func newMoveKeys(top, bottom string) moveKeys {
	return moveKeys{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", top)),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", bottom)),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
	}
}
