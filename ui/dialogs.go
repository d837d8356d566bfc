package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// dialog is a small box that has the keyboard until it closes: a question,
// a chooser. Its own keys are written in it.
type dialog interface {
	// update handles a key; done closes the dialog.
	update(msg tea.Msg) (done bool, cmd tea.Cmd)
	view(st *Styles, w int) string
}

// keyToDialog hands a key to the open dialog *d, and closes it when done.
func keyToDialog(d *dialog, msg tea.KeyPressMsg) tea.Cmd {
	done, cmd := (*d).update(msg)
	if done {
		*d = nil
	}
	return cmd
}

// choice is one answer of a question dialog.
type choice struct {
	key   string // as tea.KeyPressMsg.String() says it
	label string
	cmd   tea.Cmd
}

// questionDialog asks something and takes one key per answer; esc is
// always "no, leave things as they are".
type questionDialog struct {
	title   string
	body    []string
	choices []choice
	cancel  tea.Cmd
}

// confirmDialog asks a yes/no question.
func confirmDialog(title string, body []string, yes tea.Cmd, yesLabel string) *questionDialog {
	return &questionDialog{title: title, body: body, choices: []choice{
		{key: "y", label: yesLabel, cmd: yes},
		{key: "n", label: "no"},
	}}
}

func (d *questionDialog) update(msg tea.Msg) (bool, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false, nil
	}
	if k.String() == "esc" {
		return true, d.cancel
	}
	for _, c := range d.choices {
		if k.String() == c.key {
			if c.key == "n" && c.cmd == nil {
				return true, d.cancel
			}
			return true, c.cmd
		}
	}
	return false, nil
}

func (d *questionDialog) view(st *Styles, w int) string {
	var parts []string
	for _, c := range d.choices {
		parts = append(parts, st.Key.Render(c.key)+" "+c.label)
	}
	parts = append(parts, st.Key.Render("esc")+" cancel")
	return boxed(st, w, d.title, d.body, strings.Join(parts, "  "))
}

// typedDialog asks the owner to type a word (a customer's name) before
// something that cannot be undone.
type typedDialog struct {
	title  string
	body   []string
	want   string
	input  textinput.Model
	onOK   tea.Cmd
	onMiss tea.Cmd
}

func newTypedDialog(st *Styles, title string, body []string, want string, onOK, onMiss tea.Cmd) *typedDialog {
	in := textinput.New()
	in.Prompt = "> "
	in.SetStyles(st.Input)
	in.CharLimit = 400
	in.Focus()
	return &typedDialog{title: title, body: body, want: want, input: in, onOK: onOK, onMiss: onMiss}
}

func (d *typedDialog) update(msg tea.Msg) (bool, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			return true, nil
		case "enter":
			if sameName(d.input.Value(), d.want) {
				return true, d.onOK
			}
			return true, d.onMiss
		}
	}
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	return false, cmd
}

func (d *typedDialog) view(st *Styles, w int) string {
	d.input.SetWidth(max(4, min(40, w-8)))
	body := append(append([]string{}, d.body...), "", d.input.View())
	return boxed(st, w, d.title, body, st.Key.Render("enter")+" confirm  "+st.Key.Render("esc")+" cancel")
}

// sameName compares what was typed with a name, ignoring case and spacing.
func sameName(typed, name string) bool {
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(clean(s)), " ")) }
	return norm(typed) != "" && norm(typed) == norm(name)
}

// listDialog lets the owner pick one line: a filter, a kind.
type listDialog struct {
	title  string
	items  []string
	cursor int
	onPick func(i int) tea.Cmd
}

func (d *listDialog) update(msg tea.Msg) (bool, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false, nil
	}
	switch k.String() {
	case "esc", "q":
		return true, nil
	case "up", "k":
		d.cursor = max(0, d.cursor-1)
	case "down", "j":
		d.cursor = min(len(d.items)-1, d.cursor+1)
	case "g", "home":
		d.cursor = 0
	case "G", "end":
		d.cursor = len(d.items) - 1
	case "enter", "space":
		if len(d.items) == 0 {
			return true, nil
		}
		return true, d.onPick(d.cursor)
	}
	return false, nil
}

// listDialogRows is how many items a chooser shows at once.
const listDialogRows = 8

func (d *listDialog) view(st *Styles, w int) string {
	top := max(0, min(d.cursor-listDialogRows/2, len(d.items)-listDialogRows))
	var body []string
	for i := top; i < len(d.items) && i < top+listDialogRows; i++ {
		line := "  " + d.items[i]
		if i == d.cursor {
			line = st.Selected.Render("> " + d.items[i])
		}
		body = append(body, line)
	}
	if len(d.items) > listDialogRows {
		body = append(body, st.Subtle.Render(fmt.Sprintf("  %d of %d", d.cursor+1, len(d.items))))
	}
	keys := st.Key.Render("↑↓") + " move  " + st.Key.Render("enter") + " choose  " + st.Key.Render("esc") + " cancel"
	return boxed(st, w, d.title, body, keys)
}

// boxed draws a dialog: title, body, a line of keys, in a border no wider
// than w.
func boxed(st *Styles, w int, title string, body []string, keys string) string {
	inner := max(1, min(64, w-4))
	var lines []string
	for _, l := range wrap(title, inner) {
		lines = append(lines, st.DialogTitle.Render(l))
	}
	if len(body) > 0 {
		lines = append(lines, "")
	}
	for _, b := range body {
		if width(b) > inner {
			lines = append(lines, wrap(b, inner)...)
		} else {
			lines = append(lines, b)
		}
	}
	lines = append(lines, "")
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
