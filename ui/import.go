package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/store"
	"github.com/patron-crm/patron/store/exchange"
)

// importKey opens the import screen from the Customers list.
func importKey() key.Binding {
	return key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "import"))
}

// flowMsg is a result for the import or merge screen of the Customers tab
// (a file read, a preview, a finished import or merge), routed there by
// customersView.Update.
type flowMsg interface{ forFlow() }

// flowResult hands a result to the screen that asked for it. A result
// whose screen was left (esc) is dropped: nothing was written for it.
func (v *customersView) flowResult(msg flowMsg) tea.Cmd {
	switch d := v.dialog.(type) {
	case *importFlow:
		done, cmd := d.result(msg)
		if done {
			v.dialog = nil
		}
		return cmd
	case *mergeScreen:
		done, cmd := d.result(msg)
		if done {
			v.dialog = nil
		}
		return cmd
	}
	if m, ok := msg.(mergeLoadedMsg); ok && v.dialog == nil && v.screen == screenList {
		return v.openMerge(m)
	}
	return nil
}

// importStep is where the import screen is.
type importStep int

const (
	importAskPath importStep = iota // typing the file's path
	importReading                   // reading the file and working out the preview
	importMapping                   // choosing where each CSV column goes
	importPreview                   // what will happen, with a choice per match
	importWriting                   // the import's one transaction
)

// The import screen's results.
type (
	importReadMsg struct {
		gen     int
		file    *exchange.File
		preview store.ImportPreview
		// A CSV the owner maps first: its header and an example per column.
		header, example []string
		mapFirst        bool
		noName          bool // ReadFile refused it for having no name column
		err             error
	}
	importPathsMsg struct {
		gen     int
		typed   string
		matches []string // completions of what was typed, sorted
	}
	importDoneMsg struct {
		gen  int
		res  store.ImportResult
		name string
		err  error
	}
	importFieldMsg struct {
		gen   int
		col   int
		field exchange.Field
	}
	flowTickMsg struct{ gen int }
)

func (importReadMsg) forFlow()  {}
func (importPathsMsg) forFlow() {}
func (importDoneMsg) forFlow()  {}
func (importFieldMsg) forFlow() {}
func (flowTickMsg) forFlow()    {}

// spinnerFrames turn while a file is read or written.
var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

const spinEvery = 100 * time.Millisecond

// importFlow is the import screen over the Customers list: the file's
// path, the column mapping of a CSV, the preview with a choice per
// matching customer, then one transaction. It writes nothing before the
// owner confirms; esc leaves at any step.
type importFlow struct {
	host *customersView
	c    *common
	step importStep
	gen  int // results of an older request (left with esc) are dropped
	spin int

	// Asking for the path.
	input     textinput.Model
	pathErr   []string // why the last file could not be imported
	completed []string // what tab found for the typed path
	folder    string   // where a relative path starts

	path, name string // the file being imported, and its base name

	// The column mapping of a CSV file.
	header, example []string
	guessed         exchange.Mapping
	mapping         exchange.Mapping
	mapCursor       int
	mapOffset       int
	noName          bool
	mapErr          string
	chooser         *listDialog

	// The preview.
	file    *exchange.File
	preview store.ImportPreview
	choices []store.Action // per match, in the order of preview.Matches
	laid    *previewList   // the list laid out for the window's width
	cursor  int            // the selected entry, among those the cursor can rest on
	offset  int            // the list's first line shown
	failed  string         // why the import did not happen (nothing was written)
}

func (v *customersView) openImport() tea.Cmd {
	in := textinput.New()
	in.Prompt = "> "
	in.Placeholder = "contacts.vcf, ~/Downloads/google.csv"
	in.CharLimit = 4096
	in.SetStyles(v.c.styles.Input)
	fl := &importFlow{host: v, c: v.c, input: in}
	fl.folder, _ = os.Getwd()
	v.dialog = fl
	return fl.input.Focus()
}

// Guard says what quitting would leave behind.
func (fl *importFlow) Guard() string {
	switch fl.step {
	case importWriting:
		return "The import is still being written; quit anyway? (It is all or nothing: nothing half-imported stays.)"
	case importMapping, importPreview:
		return "Leave the import without importing anything and quit?"
	}
	return ""
}

func (fl *importFlow) size() (int, int) { return fl.host.w, fl.host.h }

// update handles a key or a paste; done closes the screen.
func (fl *importFlow) update(msg tea.Msg) (bool, tea.Cmd) {
	if fl.chooser != nil {
		done, cmd := fl.chooser.update(msg)
		if done {
			fl.chooser = nil
		}
		return false, cmd
	}
	k, isKey := msg.(tea.KeyPressMsg)
	if isKey && k.String() == "esc" {
		if fl.step == importWriting {
			return false, sayInfo("The import is being written; it takes a moment.")
		}
		fl.gen++ // a read still on its way is forgotten
		return true, sayInfo("Left the import; nothing was imported.")
	}
	switch fl.step {
	case importAskPath:
		return false, fl.pathUpdate(msg)
	case importMapping:
		if isKey {
			return false, fl.mappingKey(k)
		}
	case importPreview:
		if isKey {
			return false, fl.previewKey(k)
		}
	}
	return false, nil
}

// result takes a store call's answer; done closes the screen.
func (fl *importFlow) result(msg flowMsg) (bool, tea.Cmd) {
	switch msg := msg.(type) {
	case flowTickMsg:
		if msg.gen != fl.gen || (fl.step != importReading && fl.step != importWriting) {
			return false, nil
		}
		fl.spin++
		return false, fl.tick()
	case importPathsMsg:
		if msg.gen == fl.gen && fl.step == importAskPath && msg.typed == fl.input.Value() {
			fl.gotPaths(msg)
		}
	case importFieldMsg:
		if msg.gen == fl.gen && fl.step == importMapping {
			fl.setField(msg.col, msg.field)
		}
	case importReadMsg:
		if msg.gen != fl.gen || fl.step != importReading {
			return false, nil
		}
		return false, fl.gotRead(msg)
	case importDoneMsg:
		if msg.gen != fl.gen || fl.step != importWriting {
			return false, nil
		}
		if msg.err != nil {
			fl.step = importPreview
			fl.failed = "Nothing was imported: " + msg.err.Error()
			return false, nil
		}
		return true, tea.Batch(say(importSentence(msg.name, msg.res)), wrote)
	}
	return false, nil
}

// importSentence says what an import did, for the message line.
func importSentence(name string, r store.ImportResult) string {
	if r.Change == nil {
		return fmt.Sprintf("Nothing new: everyone in %s is already here with these details.", clean(name))
	}
	if r.Restored {
		return fmt.Sprintf("Restored %s: %s, %s, %s. u undoes it.", clean(name),
			plural(r.Added, "customer", "customers"), plural(r.Interactions, "interaction", "interactions"),
			plural(r.Reminders, "reminder", "reminders"))
	}
	s := "Imported " + plural(r.Added, "new customer", "new customers")
	if r.Added == 0 {
		s = "Imported no new customers"
	}
	s += fmt.Sprintf(", merged %s, skipped %s", thousands(r.Merged+r.Unchanged), thousands(r.Skipped))
	if r.Interactions > 0 {
		s += ", with " + plural(r.Interactions, "interaction", "interactions")
	}
	return s + ". u undoes the whole import."
}

func (fl *importFlow) tick() tea.Cmd {
	gen := fl.gen
	return fl.c.after(spinEvery, flowTickMsg{gen: gen})
}

// ---- the path ----

func (fl *importFlow) pathUpdate(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "enter", "ctrl+s":
			return fl.readTyped()
		case "tab":
			return fl.complete()
		}
	}
	before := fl.input.Value()
	var cmd tea.Cmd
	fl.input, cmd = fl.input.Update(msg)
	if fl.input.Value() != before {
		fl.completed = nil
	}
	return cmd
}

// expandPath reads a path as typed or dropped onto the terminal: ~ is the
// home folder, surrounding quotes and backslash-escaped spaces are undone.
func expandPath(p string) string {
	p = strings.TrimSpace(p)
	if len(p) >= 2 && (p[0] == '\'' || p[0] == '"') && p[len(p)-1] == p[0] {
		p = p[1 : len(p)-1]
	} else {
		p = strings.ReplaceAll(p, `\ `, " ")
	}
	if p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`) {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[1:])
		}
	}
	return p
}

func (fl *importFlow) readTyped() tea.Cmd {
	typed := strings.TrimSpace(fl.input.Value())
	if typed == "" {
		fl.pathErr = []string{"Type the path of the file to import, e.g. ~/Downloads/contacts.vcf."}
		return nil
	}
	fl.path = expandPath(typed)
	fl.name = filepath.Base(fl.path)
	fl.pathErr, fl.completed = nil, nil
	fl.mapping, fl.guessed, fl.header, fl.example = nil, nil, nil, nil
	return fl.read(nil)
}

// complete finds the files whose path begins with what was typed, off the
// update loop.
func (fl *importFlow) complete() tea.Cmd {
	if fl.input.Value() == "~" {
		fl.input.SetValue("~/") // the home folder's files, not files named ~...
		fl.input.CursorEnd()
	}
	typed := fl.input.Value()
	gen := fl.gen
	return func() tea.Msg {
		p := expandPath(typed)
		dir, base := filepath.Split(p)
		look := dir
		if look == "" {
			look = "."
		}
		entries, err := os.ReadDir(look)
		if err != nil {
			return importPathsMsg{gen: gen, typed: typed}
		}
		var out []string
		for _, e := range entries {
			n := e.Name()
			if !strings.HasPrefix(n, base) || (strings.HasPrefix(n, ".") && !strings.HasPrefix(base, ".")) {
				continue
			}
			if e.IsDir() {
				n += string(filepath.Separator)
			}
			out = append(out, n)
		}
		sort.Strings(out)
		return importPathsMsg{gen: gen, typed: typed, matches: out}
	}
}

// gotPaths completes the typed path as far as every match agrees, and
// lists the matches when there are several.
func (fl *importFlow) gotPaths(msg importPathsMsg) {
	if len(msg.matches) == 0 {
		fl.completed = []string{"(no file starts with that)"}
		return
	}
	common := msg.matches[0]
	for _, m := range msg.matches[1:] {
		for !strings.HasPrefix(m, common) {
			common = common[:len(common)-1]
		}
	}
	typed := msg.typed
	cut := strings.LastIndexAny(typed, `/\`) + 1
	fl.input.SetValue(typed[:cut] + common)
	fl.input.CursorEnd()
	fl.completed = nil
	if len(msg.matches) > 1 {
		fl.completed = msg.matches
	}
}

// ---- reading ----

// read decodes the file (with the owner's mapping, for a CSV) and works
// out the preview, in a tea.Cmd: a large file takes a moment.
func (fl *importFlow) read(mapping exchange.Mapping) tea.Cmd {
	fl.gen++
	fl.step = importReading
	fl.spin = 0
	gen, path := fl.gen, fl.path
	o := exchange.Options{Now: fl.c.now(), Location: fl.c.settings.Location(), Mapping: mapping}
	mapFirst := mapping == nil
	read := fl.c.do(func(s *store.Store) tea.Msg {
		f, err := exchange.ReadFile(path, o)
		if errors.Is(err, exchange.ErrNoNameColumn) {
			h, ex, herr := exchange.Columns(path)
			if herr != nil {
				return importReadMsg{gen: gen, err: err}
			}
			return importReadMsg{gen: gen, header: h, example: ex, mapFirst: true, noName: true}
		}
		if err != nil {
			return importReadMsg{gen: gen, err: err}
		}
		if f.Format == exchange.FormatCSV && mapFirst {
			// Any other CSV: the owner checks the guessed columns first.
			_, ex, _ := exchange.Columns(path)
			return importReadMsg{gen: gen, file: f, header: f.Header, example: ex, mapFirst: true}
		}
		p, err := s.PreviewImport(f, store.ActionMerge)
		return importReadMsg{gen: gen, file: f, preview: p, err: err}
	})
	return tea.Batch(read, fl.tick())
}

func (fl *importFlow) gotRead(msg importReadMsg) tea.Cmd {
	if msg.err != nil {
		if fl.mapping != nil {
			// The chosen columns did not work: back to choosing them.
			fl.step = importMapping
			fl.mapErr = msg.err.Error()
			return nil
		}
		fl.step = importAskPath
		fl.pathErr = []string{msg.err.Error(), "Nothing was imported. Try another file, or esc to leave."}
		return fl.input.Focus()
	}
	if msg.mapFirst {
		fl.step = importMapping
		fl.file = msg.file
		fl.header = msg.header
		fl.example = msg.example
		fl.noName = msg.noName
		fl.guessed = exchange.GuessMapping(msg.header)
		if msg.file != nil && len(msg.file.Mapping) == len(msg.header) {
			fl.guessed = msg.file.Mapping
		}
		fl.mapping = append(exchange.Mapping(nil), fl.guessed...)
		fl.mapCursor, fl.mapOffset, fl.mapErr = 0, 0, ""
		return nil
	}
	fl.file = msg.file
	fl.preview = msg.preview
	fl.choices = make([]store.Action, len(msg.preview.Matches))
	for i, m := range msg.preview.Matches {
		fl.choices[i] = m.Action
	}
	fl.step = importPreview
	fl.laid = nil
	fl.cursor, fl.offset, fl.failed = 0, 0, ""
	return nil
}

// ---- the column mapping ----

func (fl *importFlow) mappingKey(k tea.KeyPressMsg) tea.Cmd {
	n := len(fl.mapping)
	switch k.String() {
	case "up", "k":
		fl.mapCursor = max(0, fl.mapCursor-1)
	case "down", "j":
		fl.mapCursor = min(n-1, fl.mapCursor+1)
	case "g", "home":
		fl.mapCursor = 0
	case "G", "end":
		fl.mapCursor = n - 1
	case "pgup":
		fl.mapCursor = max(0, fl.mapCursor-fl.mapRows())
	case "pgdown":
		fl.mapCursor = min(n-1, fl.mapCursor+fl.mapRows())
	case "right", "l":
		fl.cycleField(1)
	case "left", "h":
		fl.cycleField(-1)
	case "x", "delete", "backspace":
		fl.setField(fl.mapCursor, exchange.FieldIgnore)
	case "r":
		fl.mapping = append(exchange.Mapping(nil), fl.guessed...)
		fl.mapErr = ""
	case "space":
		fl.openChooser()
	case "enter", "ctrl+s":
		return fl.useMapping()
	}
	return nil
}

func (fl *importFlow) fieldIndex(f exchange.Field) int {
	for i, x := range exchange.Fields {
		if x == f {
			return i
		}
	}
	return 0
}

func (fl *importFlow) cycleField(by int) {
	if fl.mapCursor >= len(fl.mapping) {
		return
	}
	n := len(exchange.Fields)
	i := (fl.fieldIndex(fl.mapping[fl.mapCursor].Field) + by + n) % n
	fl.setField(fl.mapCursor, exchange.Fields[i])
}

// setField sends a column to a field. The guess's group and label (which
// phone goes with which label) stay only when the field is the guessed one.
func (fl *importFlow) setField(col int, f exchange.Field) {
	if col < 0 || col >= len(fl.mapping) {
		return
	}
	if fl.guessed[col].Field == f {
		fl.mapping[col] = fl.guessed[col]
	} else {
		fl.mapping[col] = exchange.Target{Field: f}
	}
	fl.mapErr = ""
}

func (fl *importFlow) openChooser() {
	if fl.mapCursor >= len(fl.mapping) {
		return
	}
	col, gen := fl.mapCursor, fl.gen
	d := &listDialog{title: fmt.Sprintf("Where does %q go?", clean(fl.header[col]))}
	for _, f := range exchange.Fields {
		d.items = append(d.items, f.Label())
	}
	d.cursor = fl.fieldIndex(fl.mapping[col].Field)
	d.onPick = func(i int) tea.Cmd {
		f := exchange.Fields[i]
		return func() tea.Msg { return importFieldMsg{gen: gen, col: col, field: f} }
	}
	fl.chooser = d
}

func (fl *importFlow) useMapping() tea.Cmd {
	if !fl.mapping.HasName() {
		fl.mapErr = "Choose the column with the customer's name first: name, first name, last name or company."
		return nil
	}
	if fl.file != nil && mappingEqual(fl.mapping, fl.file.Mapping) {
		// The file was read with these very columns: only the preview is left.
		fl.gen++
		fl.step = importReading
		gen, f := fl.gen, fl.file
		return tea.Batch(fl.c.do(func(s *store.Store) tea.Msg {
			p, err := s.PreviewImport(f, store.ActionMerge)
			return importReadMsg{gen: gen, file: f, preview: p, err: err}
		}), fl.tick())
	}
	return fl.read(append(exchange.Mapping(nil), fl.mapping...))
}

func mappingEqual(a, b exchange.Mapping) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// targetText is where a column goes, as the owner reads it.
func targetText(t exchange.Target) string {
	s := t.Field.Label()
	if t.Label != "" {
		s += " (" + t.Label + ")"
	}
	if t.Group != "" {
		s += " · " + t.Group
	}
	return s
}

// mapRows is how many columns the mapping screen lists at once.
func (fl *importFlow) mapRows() int {
	_, h := fl.size()
	return max(1, h-6)
}

func (fl *importFlow) mappingView(w, h int) string {
	st := fl.c.styles
	lines := []string{truncate(st.Title.Render("Import "+clean(fl.name))+st.Subtle.Render(" · which column holds what?"), w)}
	intro := "Patron guessed where each column goes. Check it, and change what is wrong."
	if fl.noName {
		intro = "No column is recognised as the customer's name. Choose which column holds it (name, or first and last name)."
	}
	lines = append(lines, wrap(intro, w)...)
	if fl.mapErr != "" {
		for _, l := range wrap("✗ "+clean(fl.mapErr), w) {
			lines = append(lines, st.Error.Render(l))
		}
	} else {
		lines = append(lines, "")
	}
	keys := keyLine(st, w, "↑↓", "column", "←→", "change", "space", "list", "x", "not imported", "r", "as guessed",
		"enter", "use these columns", "esc", "leave")
	avail := max(1, h-len(lines)-1-len(keys))
	colW := min(24, max(8, (w-4)/4))
	exW := min(28, max(6, (w-4)/3))
	toW := max(4, w-2-colW-exW-4)
	lines = append(lines, st.ColumnHead.Render("  "+padRight("Column", colW)+"  "+padRight("Example", exW)+"  "+padRight("Goes to", toW)))
	n := len(fl.mapping)
	fl.mapCursor = max(0, min(fl.mapCursor, n-1))
	if fl.mapCursor < fl.mapOffset {
		fl.mapOffset = fl.mapCursor
	}
	if fl.mapCursor >= fl.mapOffset+avail {
		fl.mapOffset = fl.mapCursor - avail + 1
	}
	fl.mapOffset = max(0, min(fl.mapOffset, n-avail))
	for i := fl.mapOffset; i < n && i < fl.mapOffset+avail; i++ {
		ex := ""
		if i < len(fl.example) {
			ex = oneLine(fl.example[i])
		}
		to := targetText(fl.mapping[i])
		if fl.mapping[i] != fl.guessed[i] {
			to += " *"
		}
		row := padRight(clean(fl.header[i]), colW) + "  " + st.Subtle.Render(padRight(ex, exW)) + "  " + padRight(to, toW)
		if i == fl.mapCursor {
			lines = append(lines, st.Selected.Render("> "+row))
		} else {
			lines = append(lines, "  "+row)
		}
	}
	if n > avail {
		lines = append(lines, st.Subtle.Render(fmt.Sprintf("  column %d of %d", fl.mapCursor+1, n)))
	}
	body := fitBlock(strings.Join(lines, "\n"), w, h-len(keys))
	out := body + "\n" + strings.Join(keys, "\n")
	if fl.chooser != nil {
		out = overlay(out, fl.chooser.view(st, w), w, h)
	}
	return out
}

// oneLine makes a value from a file fit a table cell: safe, on one line.
func oneLine(s string) string {
	return clean(strings.Join(strings.Fields(s), " "))
}

// keyLine writes pairs of key and action as lines of at most w cells.
func keyLine(st *Styles, w int, pairs ...string) []string {
	var lines []string
	cur := ""
	for i := 0; i+1 < len(pairs); i += 2 {
		part := st.Key.Render(pairs[i]) + " " + pairs[i+1]
		switch {
		case cur == "":
			cur = part
		case width(cur)+3+width(part) <= w:
			cur += " · " + part
		default:
			lines = append(lines, truncate(cur, w))
			cur = part
		}
	}
	if cur != "" {
		lines = append(lines, truncate(cur, w))
	}
	return lines
}

// ---- the preview ----

// previewItem is one entry of the preview's list: a heading, a match the
// owner decides on (drawn when shown, since its choice changes), or a row
// that cannot be imported or needs checking (wrapped once per width).
type previewItem struct {
	lines  []string
	match  int // index in preview.Matches, or -1
	choose bool
}

func (it *previewItem) height() int {
	if it.match >= 0 {
		return 1
	}
	return len(it.lines)
}

// previewList is the preview's list laid out for one width, so a file with
// thousands of rows is wrapped once, not at every key.
type previewList struct {
	w           int
	items       []previewItem
	starts      []int // the line each item starts on
	total       int
	choosable   []int // the items the cursor can rest on
	nameW, whoW int
}

// Widths of the match table's fixed columns.
const (
	lineColW = 7
	byColW   = 6
	doColW   = 10
	reasonAt = 11 // where a row's reason starts, after "line 1,234"
)

func actionLabel(a store.Action) string {
	switch a {
	case store.ActionSkip:
		return "skip"
	case store.ActionAdd:
		return "add anyway"
	}
	return "merge in"
}

// counts are what the import will do with the owner's choices.
func (fl *importFlow) counts() (add, merge, skip int) {
	add = fl.preview.New
	for _, a := range fl.choices {
		switch a {
		case store.ActionAdd:
			add++
		case store.ActionSkip:
			skip++
		default:
			merge++
		}
	}
	return add, merge, skip
}

func (fl *importFlow) list(w int) *previewList {
	if fl.laid != nil && fl.laid.w == w {
		return fl.laid
	}
	st := fl.c.styles
	p := fl.preview
	l := &previewList{w: w}
	add := func(it previewItem) {
		if it.choose {
			l.choosable = append(l.choosable, len(l.items))
		}
		l.starts = append(l.starts, l.total)
		l.items = append(l.items, it)
		l.total += it.height()
	}
	head := func(s string) {
		add(previewItem{lines: []string{""}, match: -1})
		add(previewItem{lines: []string{truncate(st.Title.Render(s), w)}, match: -1})
	}
	if len(p.Matches) > 0 {
		head(fmt.Sprintf("Matching someone already here (%s): what to do with each", thousands(len(p.Matches))))
		rest := max(8, w-2-lineColW-byColW-doColW-8)
		l.nameW = rest / 2
		l.whoW = rest - l.nameW
		add(previewItem{match: -1, lines: []string{truncate(st.ColumnHead.Render("  "+padRight("Line", lineColW)+"  "+
			padRight("In the file", l.nameW)+"  "+padRight("Matches", l.whoW)+"  "+padRight("By", byColW)+"  "+padRight("Do", doColW)), w)}})
		for i := range p.Matches {
			add(previewItem{match: i, choose: true})
		}
	}
	problems := func(title string, list []exchange.RowError) {
		if len(list) == 0 {
			return
		}
		head(fmt.Sprintf("%s (%s)", title, thousands(len(list))))
		for _, e := range list {
			prefix := padRight("", reasonAt)
			if e.Line > 0 {
				prefix = padRight("line "+thousands(e.Line), reasonAt)
			}
			text := wrap(oneLine(e.Reason), max(8, w-2-reasonAt))
			lines := []string{prefix + text[0]}
			for _, t := range text[1:] {
				lines = append(lines, strings.Repeat(" ", reasonAt)+t)
			}
			add(previewItem{lines: lines, match: -1, choose: true})
		}
	}
	problems("Cannot be imported", p.Errors)
	problems("Imported, but check", p.Warnings)
	fl.laid = l
	return l
}

// matchRow is a match's line in the table, with the owner's choice.
func (fl *importFlow) matchRow(l *previewList, i int) string {
	m := fl.preview.Matches[i]
	who := fmt.Sprintf("#%d %s", m.Customer, oneLine(m.CustomerName))
	if m.Customer == 0 {
		who = fmt.Sprintf("line %s of the file", thousands(m.EarlierLine))
	}
	return padRight(thousands(m.Line), lineColW) + "  " + padRight(oneLine(m.Name), l.nameW) + "  " + padRight(who, l.whoW) +
		"  " + padRight(m.By, byColW) + "  " + padRight(actionLabel(fl.choices[i]), doColW)
}

func (fl *importFlow) previewKey(k tea.KeyPressMsg) tea.Cmd {
	w, _ := fl.size()
	l := fl.list(w)
	move := func(to int) {
		fl.cursor = max(0, min(len(l.choosable)-1, to))
	}
	cur := -1
	if fl.cursor >= 0 && fl.cursor < len(l.choosable) {
		cur = l.items[l.choosable[fl.cursor]].match
	}
	all := func(a store.Action) tea.Cmd {
		if len(fl.choices) == 0 {
			return nil
		}
		for i := range fl.choices {
			fl.choices[i] = a
		}
		return sayInfo(fmt.Sprintf("Every matching customer: %s.", actionLabel(a)))
	}
	cycle := []store.Action{store.ActionMerge, store.ActionSkip, store.ActionAdd}
	switch k.String() {
	case "up", "k":
		move(fl.cursor - 1)
	case "down", "j":
		move(fl.cursor + 1)
	case "g", "home":
		move(0)
	case "G", "end":
		move(len(l.choosable))
	case "pgup":
		move(fl.cursor - fl.listRows())
	case "pgdown":
		move(fl.cursor + fl.listRows())
	case "m", "s", "a":
		if cur >= 0 {
			fl.choices[cur] = map[string]store.Action{"m": store.ActionMerge, "s": store.ActionSkip, "a": store.ActionAdd}[k.String()]
		}
	case "right", "l", "space", "left", "h":
		if cur >= 0 {
			by := 1
			if k.String() == "left" || k.String() == "h" {
				by = 2
			}
			for i, a := range cycle {
				if a == fl.choices[cur] {
					fl.choices[cur] = cycle[(i+by)%len(cycle)]
					break
				}
			}
		}
	case "M":
		return all(store.ActionMerge)
	case "S":
		return all(store.ActionSkip)
	case "A":
		return all(store.ActionAdd)
	case "c":
		if fl.canMap() {
			return fl.changeColumns()
		}
	case "enter", "ctrl+s":
		return fl.confirm()
	}
	return nil
}

// canMap says whether the file has columns the owner can choose again.
func (fl *importFlow) canMap() bool {
	return fl.file != nil && fl.file.Format.IsCSV() && len(fl.file.Header) > 0
}

// changeColumns goes back from the preview of a CSV to its columns.
func (fl *importFlow) changeColumns() tea.Cmd {
	fl.gen++
	fl.step = importReading
	f, gen, path := fl.file, fl.gen, fl.path
	return tea.Batch(fl.c.do(func(*store.Store) tea.Msg {
		_, ex, _ := exchange.Columns(path)
		return importReadMsg{gen: gen, file: f, header: f.Header, example: ex, mapFirst: true}
	}), fl.tick())
}

func (fl *importFlow) confirm() tea.Cmd {
	p := fl.preview
	if p.Records == 0 && (fl.file == nil || len(fl.file.Settings) == 0) {
		return sayInfo("Nothing in " + clean(fl.name) + " can be imported; esc leaves.")
	}
	per := make(map[int]store.Action, len(p.Matches))
	for i, m := range p.Matches {
		per[m.Record] = fl.choices[i]
	}
	fl.gen++
	fl.step = importWriting
	fl.spin = 0
	fl.failed = ""
	gen, f, name := fl.gen, fl.file, fl.name
	return tea.Batch(fl.c.do(func(s *store.Store) tea.Msg {
		res, err := s.Import(f, store.ImportOptions{OnMatch: store.ActionMerge, PerMatch: per, Source: name})
		return importDoneMsg{gen: gen, res: res, name: name, err: err}
	}), fl.tick())
}

// listRows is how many lines the preview's list has.
func (fl *importFlow) listRows() int {
	w, h := fl.size()
	return max(1, h-len(fl.summary(w))-len(fl.previewKeys(w)))
}

func (fl *importFlow) summary(w int) []string {
	st := fl.c.styles
	p := fl.preview
	title := truncate(st.Title.Render("Import "+clean(fl.name))+st.Subtle.Render(" · "+p.Format.Label()), w)
	lines := []string{title}
	if p.Restore {
		lines = append(lines, wrap(fmt.Sprintf("This file is empty, so the import is a restore: %s, %s and %s keep their ids, and the shop's settings and reminder decisions come too.",
			plural(p.Records, "customer", "customers"), plural(p.Interactions, "interaction", "interactions"),
			plural(p.Reminders, "reminder", "reminders")), w)...)
	} else {
		s := fmt.Sprintf("%s can be imported: %s new, %s matching someone already here.",
			plural(p.Records, "customer", "customers"), thousands(p.New), thousands(p.Matching))
		if p.Interactions > 0 || p.Reminders > 0 {
			s += fmt.Sprintf(" They bring %s and %s.", plural(p.Interactions, "interaction", "interactions"), plural(p.Reminders, "reminder", "reminders"))
		}
		lines = append(lines, wrap(s, w)...)
		add, merge, skip := fl.counts()
		lines = append(lines, st.DialogTitle.Render(truncate(fmt.Sprintf("Will add %s, merge %s, skip %s.", thousands(add), thousands(merge), thousands(skip)), w)))
	}
	if n := len(p.Errors); n > 0 {
		lines = append(lines, st.Warning.Render(truncate(fmt.Sprintf("%s cannot be imported (listed below).", plural(n, "row", "rows")), w)))
	}
	switch {
	case fl.failed != "":
		for _, l := range wrap("✗ "+clean(fl.failed), w) {
			lines = append(lines, st.Error.Render(l))
		}
	case fl.step == importWriting:
		lines = append(lines, truncate(st.Key.Render(spinnerFrames[fl.spin%len(spinnerFrames)])+" Importing… (one change: all of it or nothing)", w))
	}
	return lines
}

func (fl *importFlow) previewKeys(w int) []string {
	var pairs []string
	if len(fl.preview.Matches) > 0 {
		pairs = append(pairs, "↑↓", "move", "m/s/a", "merge in, skip or add this one", "M/S/A", "all")
	} else if len(fl.preview.Errors)+len(fl.preview.Warnings) > 0 {
		pairs = append(pairs, "↑↓", "scroll")
	}
	if fl.canMap() {
		pairs = append(pairs, "c", "columns")
	}
	pairs = append(pairs, "enter", "import", "esc", "leave")
	return keyLine(fl.c.styles, w, pairs...)
}

func (fl *importFlow) previewView(w, h int) string {
	st := fl.c.styles
	lines := fl.summary(w)
	keys := fl.previewKeys(w)
	avail := max(0, h-len(lines)-len(keys))
	l := fl.list(w)
	if len(l.items) == 0 {
		lines = append(lines, "", st.Subtle.Render(truncate("Nothing to choose: enter imports, esc leaves.", w)))
		return fitBlock(strings.Join(lines, "\n"), w, h-len(keys)) + "\n" + strings.Join(keys, "\n")
	}
	sel := -1
	if len(l.choosable) > 0 {
		fl.cursor = max(0, min(fl.cursor, len(l.choosable)-1))
		sel = l.choosable[fl.cursor]
		top := l.starts[sel]
		bottom := top + l.items[sel].height() - 1
		if bottom >= fl.offset+avail {
			fl.offset = bottom - avail + 1
		}
		if top < fl.offset {
			fl.offset = top
		}
		if fl.cursor == 0 {
			fl.offset = 0 // the headings above the first entry stay in view
		}
	}
	fl.offset = max(0, min(fl.offset, l.total-avail))
	first := sort.Search(len(l.items), func(i int) bool { return l.starts[i]+l.items[i].height() > fl.offset })
	shown := 0
	for i := first; i < len(l.items) && shown < avail; i++ {
		it := &l.items[i]
		for j := 0; j < it.height() && shown < avail; j++ {
			if l.starts[i]+j < fl.offset {
				continue
			}
			var line string
			switch {
			case it.match >= 0:
				line = fl.matchRow(l, it.match)
			default:
				line = it.lines[j]
			}
			switch {
			case !it.choose:
			case i == sel && j == 0:
				line = st.Selected.Render("> " + line)
			default:
				line = "  " + line
			}
			lines = append(lines, line)
			shown++
		}
	}
	return fitBlock(strings.Join(lines, "\n"), w, h-len(keys)) + "\n" + strings.Join(keys, "\n")
}

// ---- drawing ----

func (fl *importFlow) view(st *Styles, _ int) string {
	w, h := fl.size()
	if w <= 0 || h <= 0 {
		return ""
	}
	var s string
	switch fl.step {
	case importAskPath:
		s = fl.pathView(w, h)
	case importReading:
		s = fl.readingView(w)
	case importMapping:
		s = fl.mappingView(w, h)
	default:
		s = fl.previewView(w, h)
	}
	return screenBlock(s, w, h)
}

// screenBlock fits a screen drawn as a dialog to the whole view, each line
// padded to the width, so nothing of the list beneath shows through.
func screenBlock(s string, w, h int) string {
	lines := strings.Split(fitBlock(s, w, h), "\n")
	for i, l := range lines {
		lines[i] = padRight(l, w)
	}
	return strings.Join(lines, "\n")
}

func (fl *importFlow) pathView(w, h int) string {
	st := fl.c.styles
	fl.input.SetWidth(max(4, w-4))
	lines := []string{st.Title.Render("Import customers"), ""}
	lines = append(lines, wrap("Which file? vCard (.vcf), CSV from Google Contacts, Outlook, Square, Shopify or any spreadsheet, or a Patron JSON export.", w)...)
	lines = append(lines, "", fl.input.View())
	if fl.folder != "" {
		lines = append(lines, st.Subtle.Render(truncate("  from the folder "+clean(displayPath(fl.folder)), w)))
	}
	for _, e := range fl.pathErr {
		for _, l := range wrap(clean(e), w-2) {
			lines = append(lines, "  "+st.Error.Render(l))
		}
	}
	if len(fl.completed) > 0 {
		lines = append(lines, "")
		room := max(1, h-len(lines)-3)
		for i, m := range fl.completed {
			if i == room-1 && len(fl.completed) > room {
				lines = append(lines, st.Subtle.Render(fmt.Sprintf("  … and %d more", len(fl.completed)-i)))
				break
			}
			lines = append(lines, "  "+truncate(clean(m), w-2))
		}
	}
	lines = append(lines, "")
	lines = append(lines, keyLine(st, w, "enter", "read the file", "tab", "complete the path", "esc", "leave")...)
	lines = append(lines, st.Subtle.Render(truncate("Nothing is written until you have seen what the import will do.", w)))
	return strings.Join(lines, "\n")
}

func (fl *importFlow) readingView(w int) string {
	st := fl.c.styles
	return strings.Join([]string{
		st.Title.Render(truncate("Import "+clean(fl.name), w)), "",
		truncate(st.Key.Render(spinnerFrames[fl.spin%len(spinnerFrames)])+" Reading "+clean(fl.name)+" and comparing it with your customers…", w),
		"", keyLine(st, w, "esc", "leave")[0],
	}, "\n")
}
