package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"
	"github.com/adrg/xdg"

	"github.com/patron-crm/patron/assets"
	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store/exchange"
)

// composer writes a card: the message filled from its template, editable
// before it is marked sent; the text is kept with the card-sent
// interaction on the customer's timeline.
type composer struct {
	st      *Styles
	r       model.Reminder
	name    string   // the customer, cleaned
	address []string // mailing address lines, cleaned
	due     string   // "tomorrow", "2 days late"
	area    textarea.Model
	initial string
	err     string
	sending bool // the save is on its way: a second ctrl+s waits
	w, h    int
}

type closeComposerMsg struct{}

// composeSendKey marks the card sent with the text as it stands.
func composeSendKey() key.Binding {
	return key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "mark sent"))
}

// composeBackKey leaves the composer, the reminder still open.
func composeBackKey() key.Binding {
	return key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back"))
}

// newCardArea is a textarea for a card's text: no line numbers, a steady
// cursor, at most as long as a note can be.
func newCardArea(st *Styles, text string) textarea.Model {
	ta := textarea.New()
	ta.ShowLineNumbers = false
	ta.Prompt = "│ "
	ta.CharLimit = model.MaxLong
	s := textarea.DefaultStyles(st.IsDark)
	s.Cursor.Blink = false
	ta.SetStyles(s)
	ta.SetValue(cleanLines(text))
	ta.MoveToBegin()
	return ta
}

// cleanLines sanitises text line by line, keeping its line breaks.
func cleanLines(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = clean(l)
	}
	return strings.Join(lines, "\n")
}

func newComposer(st *Styles, r model.Reminder, c model.Customer, text string, now time.Time, loc *time.Location) *composer {
	m := &composer{st: st, r: r, name: clean(c.Name), due: model.DueRelative(r.Due, now, loc)}
	for _, l := range exchange.AddressLines(c.Address) {
		if l != "" {
			m.address = append(m.address, clean(l))
		}
	}
	m.area = newCardArea(st, text)
	m.initial = m.area.Value()
	return m
}

func (m *composer) focus() tea.Cmd { return m.area.Focus() }

func (m *composer) text() string { return m.area.Value() }

func (m *composer) dirty() bool { return m.area.Value() != m.initial }

func (m *composer) update(msg tea.Msg) tea.Cmd {
	if m.sending {
		return nil // the text being saved stays as it is
	}
	var cmd tea.Cmd
	m.area, cmd = m.area.Update(msg)
	return cmd
}

// head is what is drawn above the message: who, where, when.
func (m *composer) head() []string {
	st := m.st
	label := m.r.Kind.Label()
	title := st.Title.Render(strings.ToUpper(label[:1])+label[1:]+" for "+m.name) + st.Subtle.Render(" · due "+m.due)
	lines := []string{title, ""}
	if len(m.address) == 0 {
		lines = append(lines, st.Warning.Render("No mailing address on file: add one on the customer (enter on the list, then e)."))
	} else {
		lines = append(lines, st.Label.Render("To  ")+m.name)
		for _, l := range m.address {
			lines = append(lines, "    "+l)
		}
	}
	return append(lines, "")
}

// foot is what is drawn below the message: a problem, or what sending does.
func (m *composer) foot(w int) []string {
	st := m.st
	lines := []string{""}
	switch {
	case m.sending:
		lines = append(lines, st.Subtle.Render("Saving…"))
	case m.err != "":
		for _, l := range wrap("✗ "+clean(m.err), max(10, w)) {
			lines = append(lines, st.Error.Render(l))
		}
	default:
		for _, l := range wrap("Once marked sent, the message is kept on "+m.name+"'s timeline. esc leaves the reminder open.", max(10, w)) {
			lines = append(lines, st.Subtle.Render(l))
		}
	}
	return lines
}

// cardWidth is about as wide as a card's line of handwriting.
const cardWidth = 72

func (m *composer) setSize(w, h int) {
	m.w, m.h = w, h
	m.area.SetWidth(max(4, min(cardWidth, w)))
	m.area.SetHeight(max(3, min(16, h-len(m.head())-len(m.foot(w)))))
}

func (m *composer) view() string {
	m.setSize(m.w, m.h) // the foot's height changes with its message
	lines := m.head()
	lines = append(lines, strings.Split(m.area.View(), "\n")...)
	lines = append(lines, m.foot(m.w)...)
	return strings.Join(lines, "\n")
}

// ---- editing a card template (Settings) ----

// templateEditor edits a kind of card's template in a dialog, checking it
// before it is kept; the Settings page saves it with the rest.
type templateEditor struct {
	kind     model.ReminderKind
	area     textarea.Model
	err      string
	height   func() int // the room the dialog has, which changes with the window
	onKeep   func(text string) tea.Cmd
	defaults string
}

func newTemplateEditor(st *Styles, kind model.ReminderKind, text string, height func() int, onKeep func(string) tea.Cmd) *templateEditor {
	d := &templateEditor{kind: kind, height: height, onKeep: onKeep, defaults: assets.CardTemplates()[string(kind)]}
	d.area = newCardArea(st, text)
	d.area.Focus()
	return d
}

func (d *templateEditor) update(msg tea.Msg) (bool, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			return true, nil
		case "ctrl+s":
			text := d.area.Value()
			if err := model.ValidateCardTemplate(text); err != nil {
				d.err = err.Error()
				return false, nil
			}
			return true, d.onKeep(text)
		case "ctrl+r":
			d.area.SetValue(d.defaults)
			d.err = ""
			return false, nil
		}
	}
	var cmd tea.Cmd
	d.area, cmd = d.area.Update(msg)
	return false, cmd
}

func (d *templateEditor) view(st *Styles, w int) string {
	inner := max(1, min(64, w-4))
	h := 24
	if d.height != nil {
		h = d.height()
	}
	var body []string
	if h >= 18 {
		body = append(body, st.Subtle.Render("Fields: {{.FirstName}} {{.Name}} {{.Shop}} {{.LastPurchase}} {{.LastAmount}} {{.CustomerFor}} {{.Tier}} {{.AgeOrdinal}} {{.Years}}"), "")
	}
	var errLines []string
	if d.err != "" {
		for _, l := range wrap("✗ "+clean(d.err), inner) {
			errLines = append(errLines, st.Error.Render(l))
		}
	}
	keys := st.Key.Render("ctrl+s") + " keep  " + st.Key.Render("ctrl+r") + " Patron's own  " + st.Key.Render("esc") + " cancel"
	// Title, blank, blank and keys, two border lines: what the box needs besides the text.
	fixed := 6 + len(errLines) + len(wrap(keys, inner))
	for _, b := range body {
		fixed += len(wrap(b, inner))
	}
	d.area.SetWidth(inner)
	d.area.SetHeight(max(2, min(12, h-fixed)))
	body = append(body, strings.Split(d.area.View(), "\n")...)
	body = append(body, errLines...)
	label := d.kind.Label()
	return boxed(st, w, strings.ToUpper(label[:1])+label[1:]+": the message", body, keys)
}

// ---- the cards CSV ----

// defaultCardsDir is where P writes the cards: the owner's documents
// folder when there is one in their home, else the home folder itself.
func defaultCardsDir() string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "."
	}
	isDir := func(p string) bool {
		st, err := os.Stat(p)
		return err == nil && st.IsDir()
	}
	if docs := xdg.UserDirs.Documents; docs != "" && strings.HasPrefix(docs, home+string(filepath.Separator)) && isDir(docs) {
		return docs
	}
	if docs := filepath.Join(home, "Documents"); isDir(docs) {
		return docs
	}
	return home
}

// writeCardsFile composes the cards due and writes them as
// cards-YYYYMMDD.csv in dir, a private file replaced whole.
func writeCardsFile(dir string, due []model.Reminder, customers map[model.ID]model.Customer, st model.Settings, now, until time.Time) cardsWrittenMsg {
	loc := st.Location()
	out := cardsWrittenMsg{until: until, path: filepath.Join(dir, "cards-"+now.In(loc).Format("20060102")+".csv")}
	cards, err := exchange.Cards(due, func(id model.ID) (model.Customer, bool) { c, ok := customers[id]; return c, ok },
		st, assets.CardTemplates(), now)
	if err != nil {
		out.err = err
		return out
	}
	for _, c := range cards {
		if strings.TrimSpace(c.Customer.Address) == "" {
			out.noAddress++
		}
	}
	out.n = len(cards)
	fail := func(err error) cardsWrittenMsg {
		out.err = fmt.Errorf("the cards could not be written to %s: %w", displayPath(out.path), err)
		return out
	}
	tmp, err := os.CreateTemp(dir, ".cards-*.csv")
	if errors.Is(err, os.ErrNotExist) {
		return fail(errors.New("the folder does not exist"))
	}
	if err != nil {
		return fail(err)
	}
	defer os.Remove(tmp.Name()) // gone after the rename; cleans up after a failure
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := exchange.WriteCardsCSV(tmp, cards, loc); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), out.path); err != nil {
		return fail(err)
	}
	return out
}
