package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// Marking a customer lost (issue 7), from the customer detail: the seeds'
// retention programme says "interview the former customers", so the
// chooser asks why they left (the six kinds of defector) and what they
// said. It is one undoable change (u); d restores a lost customer to the
// active ones, clearing the reason.

// lostKey opens the chooser on the customer detail.
func lostKey() key.Binding {
	return key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "mark lost"))
}

// reasonHints explain the six reasons in a shop's words.
var reasonHints = map[string]string{
	"price":          "found it cheaper elsewhere",
	"product":        "found a better product elsewhere",
	"service":        "unhappy with how they were served",
	"market":         "moved away, or no longer needs it",
	"technology":     "buys another way now (online…)",
	"organisational": "their firm or family decided",
}

// lostDialog asks why a customer left and what they said, then asks to
// confirm before anything is written.
type lostDialog struct {
	c          *common
	cu         model.Customer
	already    bool // lost before: this changes the reason and keeps the day
	cursor     int
	onNote     bool // the note field has the keyboard
	note       textinput.Model
	initial    string
	err        string
	confirming bool
	height     func() int
}

func newLostDialog(c *common, cu model.Customer, height func() int) *lostDialog {
	in := textinput.New()
	in.Prompt = "> "
	in.Placeholder = "what they said when you asked"
	in.CharLimit = model.MaxLong
	in.SetStyles(c.styles.Input)
	d := &lostDialog{c: c, cu: cu, note: in, height: height}
	if cu.Status == model.StatusLost {
		d.already = true
		for i, r := range model.DefectionReasons {
			if r == cu.LostReason {
				d.cursor = i
			}
		}
		in.SetValue(clean(cu.LostNote))
		d.note = in
	}
	d.initial = d.note.Value()
	return d
}

// askLost opens the chooser for a customer as the view knows them.
func (v *customersView) askLost(c model.Customer) {
	v.dialog = newLostDialog(v.c, c, v.dialogHeight)
}

func (d *lostDialog) reason() string { return model.DefectionReasons[d.cursor] }

// Guard keeps a typed exit-interview note from being lost by quitting.
func (d *lostDialog) Guard() string {
	if d.note.Value() != d.initial {
		return "Discard what they said and quit?"
	}
	return ""
}

func (d *lostDialog) update(msg tea.Msg) (bool, tea.Cmd) {
	if p, ok := msg.(tea.PasteMsg); ok {
		if d.onNote && !d.confirming {
			var cmd tea.Cmd
			d.note, cmd = d.note.Update(p)
			return false, cmd
		}
		return false, nil
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false, nil
	}
	if d.confirming {
		switch k.String() {
		case "y", "enter":
			return true, d.save()
		case "n", "esc":
			d.confirming = false
		}
		return false, nil
	}
	switch k.String() {
	case "esc":
		return true, sayInfo("Nothing was changed.")
	case "enter":
		if err := d.check(); err != "" {
			d.err = err
			return false, nil
		}
		d.err = ""
		d.confirming = true
		return false, nil
	case "tab", "shift+tab":
		d.onNote = !d.onNote
		if d.onNote {
			return false, d.note.Focus()
		}
		d.note.Blur()
		return false, nil
	}
	if d.onNote {
		var cmd tea.Cmd
		d.note, cmd = d.note.Update(msg)
		return false, cmd
	}
	n := len(model.DefectionReasons)
	switch s := k.String(); s {
	case "up", "k":
		d.cursor = max(0, d.cursor-1)
	case "down", "j":
		d.cursor = min(n-1, d.cursor+1)
	case "g", "home":
		d.cursor = 0
	case "G", "end":
		d.cursor = n - 1
	default:
		if len(s) == 1 && s[0] >= '1' && int(s[0]-'0') <= n {
			d.cursor = int(s[0] - '1')
		}
	}
	return false, nil
}

// check refuses a note the file would refuse, before asking to confirm.
func (d *lostDialog) check() string {
	probe := d.cu
	probe.Status, probe.LostReason, probe.LostNote = model.StatusLost, d.reason(), d.note.Value()
	var fe *model.FieldError
	if err := model.ValidateCustomer(probe); errors.As(err, &fe) && fe.Field == "defection note" {
		return err.Error()
	}
	return ""
}

// save writes the change in a tea.Cmd; the change feed then refreshes the
// list and the detail. A refusal repeats what they said, so nothing typed
// is lost.
func (d *lostDialog) save() tea.Cmd {
	id, name, reason, note, already := d.cu.ID, clean(d.cu.Name), d.reason(), d.note.Value(), d.already
	loc := d.c.settings.Location()
	return d.c.do(func(s *store.Store) tea.Msg {
		var err error
		var saved model.Customer
		if already {
			saved, err = s.Customer(id)
			if err == nil && saved.Status == model.StatusLost && !saved.LostAt.IsZero() {
				// Keep the day they were marked lost: Insights counts them in that period.
				saved.LostReason, saved.LostNote = reason, note
				saved, err = s.UpdateCustomer(saved)
			} else if err == nil {
				saved, err = s.SetStatus(id, model.StatusLost, reason, note)
			}
		} else {
			saved, err = s.SetStatus(id, model.StatusLost, reason, note)
		}
		if err != nil {
			text := "Not marked lost: " + err.Error()
			if strings.TrimSpace(note) != "" {
				text += " What they said: " + clean(note)
			}
			return statusMsg{text: text, kind: statusError}
		}
		text := fmt.Sprintf("Marked %s as lost (%s). u undoes it; d restores them.", name, reason)
		if already {
			text = fmt.Sprintf("%s has been lost since %s; the reason is now %s.", name, saved.LostAt.In(loc).Format(model.DayFormat), reason)
		}
		return tea.BatchMsg{say(text), wrote}
	})
}

func (d *lostDialog) view(st *Styles, w int) string {
	name := clean(d.cu.Name)
	inner := max(1, min(64, w-4))
	if d.confirming {
		title := fmt.Sprintf("Mark %s as lost (%s)?", name, d.reason())
		body := []string{"They leave the list and the reminders; Insights counts them as lost, by reason.",
			"u undoes it; later, d on their page restores them."}
		if d.already {
			title = fmt.Sprintf("Change why %s left to %s?", name, d.reason())
			body = []string{"They stay lost since " + d.cu.LostAt.In(d.c.settings.Location()).Format(model.DayFormat) + "; u undoes the change."}
		}
		if n := strings.TrimSpace(d.note.Value()); n != "" {
			body = append(body, "", "What they said: "+truncate(clean(n), max(1, 3*inner-16)))
		}
		yes := " mark lost  "
		if d.already {
			yes = " change  "
		}
		return boxed(st, w, title, body, st.Key.Render("y")+yes+st.Key.Render("n")+" back  "+st.Key.Render("esc")+" back")
	}
	title := "Mark " + name + " as lost"
	if d.already {
		title = "Why " + name + " left (lost since " + d.cu.LostAt.In(d.c.settings.Location()).Format(model.DayFormat) + ")"
	}
	keys := st.Key.Render("↑↓") + " reason  " + st.Key.Render("tab") + " note  " + st.Key.Render("enter") + " mark lost  " + st.Key.Render("esc") + " cancel"
	if d.already {
		keys = st.Key.Render("↑↓") + " reason  " + st.Key.Render("tab") + " note  " + st.Key.Render("enter") + " save  " + st.Key.Render("esc") + " cancel"
	}
	// Fit the window: the blank lines go first, then reasons beyond the cursor's.
	room := 20
	if d.height != nil {
		room = d.height()
	}
	fixed := 2 + len(wrap(title, inner)) + 1 + 2 + len(wrap(keys, inner))
	if d.err != "" {
		fixed += len(wrap(d.err, inner))
	}
	rows, blanks := len(model.DefectionReasons), 3
	if fixed+rows+blanks > room {
		blanks = 0
	}
	if fixed+rows > room {
		rows = max(1, room-fixed)
	}
	top := max(0, min(d.cursor-rows/2, len(model.DefectionReasons)-rows))
	var body []string
	question := "Why did they leave?"
	if d.onNote {
		question = st.Subtle.Render(question)
	}
	body = append(body, question)
	rw := 0
	for _, r := range model.DefectionReasons {
		rw = max(rw, width(r))
	}
	for i := top; i < top+rows && i < len(model.DefectionReasons); i++ {
		r := model.DefectionReasons[i]
		line := fmt.Sprintf("%d %s  %s", i+1, padRight(r, rw), reasonHints[r])
		if i == d.cursor {
			line = truncate("> "+line, inner)
			if d.onNote {
				body = append(body, st.Key.Render(line))
			} else {
				body = append(body, st.Selected.Render(line))
			}
		} else {
			body = append(body, truncate("  "+line, inner))
		}
	}
	if blanks > 0 {
		body = append(body, "")
	}
	d.note.SetWidth(max(4, inner-3))
	label := "What did they say? (the exit interview, optional)"
	if !d.onNote {
		label = st.Subtle.Render(label)
	}
	body = append(body, truncate(label, inner), d.note.View())
	if d.err != "" {
		body = append(body, st.Error.Render("✗ "+d.err))
	}
	if blanks == 0 {
		return boxedTight(st, w, title, body, keys)
	}
	return boxed(st, w, title, body, keys)
}

// boxedTight is boxed without its blank lines, for a short window.
func boxedTight(st *Styles, w int, title string, body []string, keys string) string {
	inner := max(1, min(64, w-4))
	var lines []string
	for _, l := range wrap(title, inner) {
		lines = append(lines, st.DialogTitle.Render(l))
	}
	for _, b := range body {
		lines = append(lines, wrap(b, inner)...)
	}
	lines = append(lines, wrap(keys, inner)...)
	bw := 0
	for _, l := range lines {
		bw = max(bw, width(l))
	}
	if w < 6 {
		return fitBlock(strings.Join(lines, "\n"), w, len(lines))
	}
	return st.Dialog.Width(bw + 4).Render(strings.Join(lines, "\n"))
}

// lostText is how the detail writes why a lost customer left.
func lostText(c model.Customer, loc *time.Location) string {
	s := c.LostReason
	if s == "" {
		s = "no reason given"
	}
	if !c.LostAt.IsZero() {
		s += ", since " + c.LostAt.In(loc).Format(model.DayFormat)
	}
	if n := strings.TrimSpace(c.LostNote); n != "" {
		s += ": “" + n + "”"
	}
	return s
}
