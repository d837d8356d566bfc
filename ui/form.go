package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/model"
)

// field is one line of a form: a text field, or a yes/no toggle.
type field struct {
	key      string
	label    string
	hint     string // shown in an empty field
	toggle   bool   // a yes/no choice instead of text
	onText   string // what a toggle says when on
	input    textinput.Model
	on       bool
	initial  string
	validate func(string) error
	err      string
}

func (f *field) value() string {
	if f.toggle {
		if f.on {
			return "yes"
		}
		return "no"
	}
	return f.input.Value()
}

// check runs the field's validation and keeps the reason to show beside it.
func (f *field) check() bool {
	f.err = ""
	if f.validate == nil {
		return true
	}
	if err := f.validate(f.value()); err != nil {
		f.err = err.Error()
		return false
	}
	return true
}

// form is the one way Patron asks for several values: tab and shift+tab
// move between fields, each field is checked as it is left, and the owner
// of the form decides what ctrl+s and esc do. Every printable key goes into
// the focused field.
type form struct {
	title  string
	fields []*field
	focus  int
	styles *Styles
	keys   formKeys
	w, h   int
}

func newForm(title string, st *Styles) *form {
	return &form{title: title, styles: st, keys: newFormKeys()}
}

// addText adds a text field holding value.
func (f *form) addText(key, label, hint, value string, validate func(string) error) *field {
	in := textinput.New()
	in.Prompt = ""
	// Far above every field's limit, so text too long is refused with the
	// limit beside the field, never cut short and saved.
	in.CharLimit = 100_000
	in.SetStyles(f.styles.Input)
	in.SetValue(clean(value))
	in.CursorEnd()
	fl := &field{key: key, label: label, hint: hint, input: in, initial: in.Value(), validate: validate}
	f.fields = append(f.fields, fl)
	return fl
}

// addToggle adds a yes/no field.
func (f *form) addToggle(key, label, onText string, on bool) *field {
	fl := &field{key: key, label: label, toggle: true, onText: onText, on: on}
	fl.initial = fl.value()
	f.fields = append(f.fields, fl)
	return fl
}

// start puts the cursor in the first field.
func (f *form) start() tea.Cmd { return f.focusOn(0) }

func (f *form) focusOn(i int) tea.Cmd {
	if len(f.fields) == 0 {
		return nil
	}
	i = max(0, min(i, len(f.fields)-1))
	for j, fl := range f.fields {
		if j != i && !fl.toggle {
			fl.input.Blur()
			// Hints only in the field being typed in: without colour a
			// hint would read like a value.
			fl.input.Placeholder = ""
		}
	}
	f.focus = i
	if fl := f.fields[i]; !fl.toggle {
		fl.input.Placeholder = fl.hint
		return fl.input.Focus()
	}
	return nil
}

// move leaves the focused field, checking it, and enters the next one.
func (f *form) move(by int) tea.Cmd {
	f.fields[f.focus].check()
	next := (f.focus + by + len(f.fields)) % len(f.fields)
	return f.focusOn(next)
}

// get returns a field's value by key.
func (f *form) get(key string) string {
	for _, fl := range f.fields {
		if fl.key == key {
			return fl.value()
		}
	}
	return ""
}

func (f *form) field(key string) *field {
	for _, fl := range f.fields {
		if fl.key == key {
			return fl
		}
	}
	return nil
}

// checkAll validates every field and moves the cursor to the first one
// that needs fixing, returning its reason ("" when all are fine).
func (f *form) checkAll() (string, tea.Cmd) {
	first := -1
	for i, fl := range f.fields {
		if !fl.check() && first < 0 {
			first = i
		}
	}
	if first < 0 {
		return "", nil
	}
	return f.fields[first].err, f.focusOn(first)
}

// dirty reports whether anything was typed since the form opened.
func (f *form) dirty() bool {
	for _, fl := range f.fields {
		if fl.value() != fl.initial {
			return true
		}
	}
	return false
}

func (f *form) setSize(w, h int) {
	f.w, f.h = w, h
	iw := max(4, w-f.labelWidth()-4)
	for _, fl := range f.fields {
		if !fl.toggle {
			fl.input.SetWidth(iw)
		}
	}
}

func (f *form) labelWidth() int {
	lw := 0
	for _, fl := range f.fields {
		lw = max(lw, width(fl.label))
	}
	// On a narrow screen the labels give way to the values.
	return min(lw+2, max(8, f.w/3))
}

// update handles moving between fields and typing into them. The form's
// owner handles save and cancel before calling it.
func (f *form) update(msg tea.Msg) tea.Cmd {
	if len(f.fields) == 0 {
		return nil
	}
	fl := f.fields[f.focus]
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, f.keys.Next):
			return f.move(1)
		case key.Matches(msg, f.keys.Prev):
			return f.move(-1)
		}
		if fl.toggle {
			switch msg.String() {
			case "space", "x":
				fl.on = !fl.on
			case "y":
				fl.on = true
			case "n":
				fl.on = false
			}
			return nil
		}
		var cmd tea.Cmd
		fl.input, cmd = fl.input.Update(msg)
		return cmd
	case tea.PasteMsg:
		if fl.toggle {
			return nil
		}
		// Pasted text may carry whole escape sequences and direction
		// overrides, which the input would keep in part.
		msg.Content = model.Sanitize(msg.Content)
		var cmd tea.Cmd
		fl.input, cmd = fl.input.Update(msg)
		return cmd
	}
	return nil
}

// view draws the fields, scrolled so the focused one is visible, in h lines.
func (f *form) view() string {
	st := f.styles
	lw := f.labelWidth()
	var lines []string
	focusTop, focusBottom := 0, 0
	for i, fl := range f.fields {
		marker := "  "
		label := st.Label.Render(padRight(fl.label, lw))
		if i == f.focus {
			marker = st.Key.Render("> ")
			label = st.Title.Render(padRight(fl.label, lw))
			focusTop = len(lines)
		}
		var value string
		if fl.toggle {
			box := "[ ] no"
			if fl.on {
				box = "[x] yes, " + fl.onText
			}
			if i == f.focus {
				box += st.Subtle.Render("  (space to change)")
			}
			value = box
		} else {
			value = fl.input.View()
		}
		lines = append(lines, marker+label+value)
		if fl.err != "" {
			indent := strings.Repeat(" ", 2+lw)
			for _, l := range wrap("✗ "+clean(fl.err), max(10, f.w-2-lw)) {
				lines = append(lines, indent+st.Error.Render(l))
			}
		}
		if i == f.focus {
			focusBottom = len(lines) - 1
		}
	}
	h := f.h
	if h <= 0 || len(lines) <= h {
		return strings.Join(lines, "\n")
	}
	// Keep the focused field (and its reason) in view, with a line of
	// context around it when there is room.
	top := 0
	if focusBottom+1 >= h {
		top = focusBottom + 2 - h
	}
	if focusTop < top {
		top = focusTop
	}
	top = max(0, min(top, len(lines)-h))
	return strings.Join(lines[top:top+h], "\n")
}
