package ui

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/sahilm/fuzzy"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// logKindKeys are the quick log's chooser: one key per kind, in the order
// shown. Redeeming a reward is logged from the Loyalty tab, not here.
var logKindKeys = []struct {
	key  string
	kind model.Kind
}{
	{"p", model.KindPurchase}, {"v", model.KindVisit}, {"t", model.KindReturn},
	{"c", model.KindCall}, {"e", model.KindEmail}, {"m", model.KindMessage},
	{"s", model.KindSocial}, {"g", model.KindMeeting}, {"n", model.KindNote},
	{"k", model.KindComplaint}, {"f", model.KindFeedback}, {"r", model.KindReferral},
	{"w", model.KindCardSent},
}

func kindForKey(k string) (model.Kind, bool) {
	for _, kk := range logKindKeys {
		if kk.key == k {
			return kk.kind, true
		}
	}
	return "", false
}

// The quick log's fields.
const (
	fieldAmount   = "amount"
	fieldScore    = "score"
	fieldCategory = "category"
	fieldNote     = "note"
	fieldReferred = "referred"
	fieldWhen     = "when"
)

// logFieldsFor lists the fields a kind asks for, in order: only what that
// kind needs, a note for all, and when.
func logFieldsFor(k model.Kind) []string {
	switch k {
	case model.KindPurchase, model.KindReturn:
		return []string{fieldAmount, fieldNote, fieldWhen}
	case model.KindFeedback:
		return []string{fieldScore, fieldNote, fieldWhen}
	case model.KindComplaint:
		return []string{fieldCategory, fieldNote, fieldWhen}
	case model.KindReferral:
		return []string{fieldReferred, fieldNote, fieldWhen}
	}
	return []string{fieldNote, fieldWhen}
}

// logFieldLabel is a field's label and the hint shown while it is empty.
func logFieldLabel(k model.Kind, field string) (string, string) {
	switch field {
	case fieldAmount:
		if k == model.KindReturn {
			return "Amount", "money given back, if any: e.g. 24.90"
		}
		return "Amount", "e.g. 24.90"
	case fieldScore:
		return "Score", "1 to 5"
	case fieldCategory:
		return "Category", "late delivery, damaged item…"
	case fieldReferred:
		return "Who they sent", "type a name: pick a customer or add them"
	case fieldWhen:
		return "When", "now · yesterday · -2h · 2026-11-20 14:30"
	}
	switch k {
	case model.KindFeedback:
		return "Comment", "what they said"
	case model.KindComplaint:
		return "Description", "what went wrong"
	}
	return "Note", ""
}

// logChecker checks and reads the quick log's fields for one kind, with the
// shop's settings and clock. keepWhen is the when field's text as an edit
// opened it: left as it was, the stored time is kept to the second.
type logChecker struct {
	kind     model.Kind
	now      time.Time
	settings model.Settings
	keepWhen string
}

// probe checks one value by itself with the model's own rule.
func (lc logChecker) probe(set func(in *model.Interaction)) error {
	in := model.Interaction{Kind: lc.kind, Customer: 1, At: lc.now}
	if lc.kind == model.KindPurchase {
		in.Amount = 1
	}
	if lc.kind == model.KindFeedback {
		in.Score = 3
	}
	set(&in)
	return model.ValidateInteraction(in, lc.now)
}

// check validates one field as it is left; the referred customer is
// checked by the quick log, which knows who was picked.
func (lc logChecker) check(field, v string) error {
	switch field {
	case fieldAmount:
		m, err := lc.amount(v)
		if err != nil {
			return err
		}
		return lc.probe(func(in *model.Interaction) { in.Amount = m })
	case fieldScore:
		n, err := lc.score(v)
		if err != nil {
			return err
		}
		return lc.probe(func(in *model.Interaction) { in.Score = n })
	case fieldCategory:
		return lc.probe(func(in *model.Interaction) { in.Category = v })
	case fieldNote:
		return lc.probe(func(in *model.Interaction) { in.Note = v })
	case fieldWhen:
		_, err := lc.when(v)
		return err
	}
	return nil
}

func (lc logChecker) amount(v string) (model.Money, error) {
	if strings.TrimSpace(v) == "" {
		if lc.kind == model.KindPurchase {
			return 0, &model.FieldError{Field: "amount", Problem: "is missing", Fix: "a purchase needs an amount such as 24.90"}
		}
		return 0, nil
	}
	m, err := model.ParseMoney(v, lc.settings.Money())
	if err != nil {
		return 0, fmt.Errorf("amount %w", err)
	}
	return m, nil
}

func (lc logChecker) score(v string) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, &model.FieldError{Field: "score", Problem: "is missing", Fix: "give a score from 1 to 5"}
	}
	n, err := strconv.Atoi(strings.TrimSuffix(v, "/5"))
	if err != nil {
		return 0, &model.FieldError{Field: "score", Problem: fmt.Sprintf("%q is not a number", model.Sanitize(v)), Fix: "give a score from 1 to 5"}
	}
	return n, nil
}

func (lc logChecker) when(v string) (time.Time, error) {
	return model.ParseWhen(v, lc.now, lc.settings.Location())
}

// build writes the fields' values onto base (a new interaction, or the
// stored one being edited), keeping what the form does not show.
func (lc logChecker) build(base model.Interaction, get func(string) string) (model.Interaction, error) {
	in := base
	in.Kind = lc.kind
	for _, f := range logFieldsFor(lc.kind) {
		v := get(f)
		if err := lc.check(f, v); err != nil {
			return in, err
		}
		switch f {
		case fieldAmount:
			in.Amount, _ = lc.amount(v)
		case fieldScore:
			in.Score, _ = lc.score(v)
		case fieldCategory:
			in.Category = strings.TrimSpace(v)
		case fieldNote:
			in.Note = strings.TrimSpace(v)
		case fieldWhen:
			if lc.keepWhen != "" && v == lc.keepWhen && !base.At.IsZero() {
				break
			}
			in.At, _ = lc.when(v)
		}
	}
	return in, model.ValidateInteraction(in, lc.now)
}

// whenText is how an edit shows a stored time, in the shop's zone.
func whenText(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02 15:04")
}

// ---- the quick log dialog ----

// person is a customer as the referral field offers them.
type person struct {
	id   model.ID
	name string
}

type people []person

func (p people) String(i int) string { return p[i].name }
func (p people) Len() int            { return len(p) }

// referHits is how many customers the referral field offers at once.
const referHits = 5

// quickLog logs an interaction for a customer, or edits one: first a
// chooser with a key per kind (not when editing), then only the fields that
// kind needs. It stays open until the save is confirmed, so a failed save
// keeps what was typed.
type quickLog struct {
	c        *common
	customer model.Customer
	editing  *model.Interaction // nil for a new interaction
	kind     model.Kind
	f        *form
	lc       logChecker
	height   func() int
	confirm  dialog // the discard question
	saving   bool

	// The referral field.
	everyone func() people // loaded customers, read once when needed
	people   people
	hits     people
	pick     int // index into hits; len(hits) means "add a new customer"
	gen      int
	searched string // the text the hits are for
}

func newQuickLog(c *common, cust model.Customer, everyone func() people, height func() int) *quickLog {
	return &quickLog{c: c, customer: cust, everyone: everyone, height: height}
}

// editLog opens the form of an existing interaction, filled in.
func editLog(c *common, cust model.Customer, in model.Interaction, everyone func() people, height func() int) (*quickLog, tea.Cmd) {
	q := newQuickLog(c, cust, everyone, height)
	q.editing = &in
	return q, q.choose(in.Kind)
}

// choose sets up the form for a kind.
func (q *quickLog) choose(k model.Kind) tea.Cmd {
	q.kind = k
	loc := q.c.settings.Location()
	q.lc = logChecker{kind: k, now: q.c.now(), settings: q.c.settings}
	var in model.Interaction
	if q.editing != nil {
		in = *q.editing
		q.lc.keepWhen = whenText(in.At, loc)
	}
	verb := "Log"
	if q.editing != nil {
		verb = "Edit"
	}
	q.f = newForm(fmt.Sprintf("%s %s %s for %s", verb, article(k), k.Label(), clean(q.customer.Name)), q.c.styles)
	for _, name := range logFieldsFor(k) {
		label, hint := logFieldLabel(k, name)
		value := ""
		switch name {
		case fieldAmount:
			if in.Amount != 0 {
				value = in.Amount.Plain(q.c.settings.Money())
			}
		case fieldScore:
			if in.Score != 0 {
				value = strconv.Itoa(in.Score)
			}
		case fieldCategory:
			value = in.Category
		case fieldNote:
			value = in.Note
		case fieldWhen:
			value = q.lc.keepWhen
		case fieldReferred:
			q.people = q.everyone()
			if in.Referred != 0 {
				value = fmt.Sprintf("#%d", in.Referred)
				if i := slices.IndexFunc(q.people, func(p person) bool { return p.id == in.Referred }); i >= 0 {
					value = q.people[i].name
				}
			}
		}
		check := func(v string) error { return q.lc.check(name, v) }
		if name == fieldReferred {
			check = q.checkReferred
		}
		q.f.addText(name, label, hint, value, check)
	}
	var cmd tea.Cmd
	if k == model.KindReferral {
		cmd = q.search()
	}
	return tea.Batch(q.f.start(), cmd)
}

// article is "a" or "an" before a kind's label.
func article(k model.Kind) string {
	switch k.Label()[0] {
	case 'a', 'e', 'i', 'o', 'u':
		return "an"
	}
	return "a"
}

// Guard says what quitting now would throw away.
func (q *quickLog) Guard() string {
	if q.f != nil && q.f.dirty() {
		return q.discardQuestion() + " and quit?"
	}
	return ""
}

func (q *quickLog) discardQuestion() string {
	if q.editing != nil {
		return "Discard your changes to this " + q.kind.Label()
	}
	return "Discard this " + q.kind.Label()
}

func (q *quickLog) update(msg tea.Msg) (bool, tea.Cmd) {
	if q.confirm != nil {
		done, cmd := q.confirm.update(msg)
		if done {
			q.confirm = nil
		}
		return false, cmd
	}
	if q.f == nil {
		k, ok := msg.(tea.KeyPressMsg)
		if !ok {
			return false, nil
		}
		if k.String() == "esc" {
			return true, nil
		}
		if kind, ok := kindForKey(k.String()); ok {
			return false, q.choose(kind)
		}
		return false, nil
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case isKey(k, "ctrl+s"):
			return false, q.save()
		case isKey(k, "esc"):
			if !q.f.dirty() {
				return true, nil
			}
			q.confirm = confirmDialog(q.discardQuestion()+"?", []string{"What you typed will be lost."},
				func() tea.Msg { return closeQuickLogMsg{} }, "discard")
			return false, nil
		}
		if q.onReferred() && len(q.hits) > 0 {
			switch k.String() {
			case "up":
				q.pick = max(0, q.pick-1)
				return false, nil
			case "down":
				q.pick = min(len(q.hits), q.pick+1)
				return false, nil
			}
		}
	}
	cmd := q.f.update(msg)
	if q.onReferred() || q.kind == model.KindReferral {
		cmd = tea.Batch(cmd, q.search())
	}
	return false, cmd
}

func isKey(k tea.KeyPressMsg, name string) bool { return k.String() == name }

func (q *quickLog) onReferred() bool {
	return q.f != nil && q.f.fields[q.f.focus].key == fieldReferred
}

// ---- the referred customer ----

type referHitsMsg struct {
	gen   int
	query string
	hits  people
}

// search finds the customers the referral field's text names, in a
// tea.Cmd: the list may hold 100,000.
func (q *quickLog) search() tea.Cmd {
	text := strings.TrimSpace(q.f.get(fieldReferred))
	if text == q.searched {
		return nil
	}
	q.gen++
	gen, all, self := q.gen, q.people, q.customer.ID
	if text == "" {
		q.hits, q.searched, q.pick = nil, "", 0
		return nil
	}
	return func() tea.Msg {
		var hits people
		for _, m := range fuzzy.FindFrom(text, all) {
			if p := all[m.Index]; p.id != self {
				hits = append(hits, p)
			}
			if len(hits) == referHits {
				break
			}
		}
		return referHitsMsg{gen: gen, query: text, hits: hits}
	}
}

func (q *quickLog) gotHits(msg referHitsMsg) {
	if msg.gen != q.gen {
		return
	}
	q.hits, q.searched = msg.hits, msg.query
	// A hit is offered first only when it holds what was typed as it is;
	// a loose fuzzy match must not stand in for a new person.
	q.pick = len(q.hits)
	lq := strings.ToLower(msg.query)
	for i, h := range q.hits {
		if strings.Contains(strings.ToLower(h.name), lq) {
			q.pick = i
			break
		}
	}
}

// referral is who the field names: a known customer, or the name of one
// to add. An exact name wins when the hits are not in yet.
func (q *quickLog) referral() (model.ID, string) {
	text := strings.TrimSpace(q.f.get(fieldReferred))
	if text == "" {
		return 0, ""
	}
	if q.searched == text {
		if q.pick < len(q.hits) {
			return q.hits[q.pick].id, q.hits[q.pick].name
		}
		return 0, text
	}
	if q.editing != nil && q.editing.Referred != 0 {
		if i := slices.IndexFunc(q.people, func(p person) bool { return p.id == q.editing.Referred }); i >= 0 && q.people[i].name == text {
			return q.editing.Referred, text
		}
	}
	for _, p := range q.people {
		if p.id != q.customer.ID && sameName(p.name, text) {
			return p.id, p.name
		}
	}
	return 0, text
}

func (q *quickLog) checkReferred(string) error {
	id, name := q.referral()
	switch {
	case name == "":
		return &model.FieldError{Field: "who they sent", Problem: "is missing", Fix: "type the name of the person they sent"}
	case id == q.customer.ID:
		return &model.FieldError{Field: "who they sent", Problem: "is the same customer", Fix: "choose the person they sent"}
	case id == 0:
		return model.ValidateCustomer(model.Customer{Name: name})
	}
	return nil
}

// ---- saving ----

type (
	// interactionSavedMsg says a quick log or an edit was saved (or not).
	interactionSavedMsg struct {
		in       model.Interaction
		customer model.Customer
		others   []model.Customer // a referred customer, added or now referred
		text     string
		err      error
	}
	closeQuickLogMsg struct{}
)

func (q *quickLog) save() tea.Cmd {
	if q.saving {
		return nil
	}
	if reason, cmd := q.f.checkAll(); reason != "" {
		return tea.Batch(cmd, func() tea.Msg {
			return statusMsg{text: "Not saved yet: " + reason, kind: statusError}
		})
	}
	values := map[string]string{}
	for _, fl := range q.f.fields {
		values[fl.key] = fl.value()
	}
	get := func(k string) string { return values[k] }
	lc := q.lc
	var base model.Interaction
	if q.editing == nil {
		base = model.Interaction{Customer: q.customer.ID}
	} else {
		base = *q.editing
	}
	in, err := lc.build(base, get)
	if err != nil {
		return sayError(err)
	}
	refID, refName := q.referral()
	if q.kind == model.KindReferral {
		in.Referred = refID
	}
	editing := q.editing != nil
	custName := q.customer.Name
	now := q.c.now()
	money := q.c.settings.Money()
	q.saving = true
	return q.c.do(func(s *store.Store) tea.Msg {
		var others []model.Customer
		if in.Kind == model.KindReferral && refID == 0 {
			added, err := s.AddCustomer(model.Customer{Name: refName, Since: now})
			if err != nil {
				return interactionSavedMsg{err: err}
			}
			in.Referred = added.ID
		}
		var saved model.Interaction
		var err error
		if editing {
			fresh, ferr := s.Interaction(in.ID)
			if errors.Is(ferr, store.ErrNotFound) {
				ferr = fmt.Errorf("this %s was deleted in another window, so the changes could not be saved", in.Kind.Label())
			}
			if ferr != nil {
				return interactionSavedMsg{err: ferr}
			}
			// The form's fields onto the record as stored now.
			fresh, err = lc.build(fresh, get)
			if err != nil {
				return interactionSavedMsg{err: err}
			}
			if fresh.Kind == model.KindReferral {
				fresh.Referred = in.Referred
			}
			saved, err = s.UpdateInteraction(fresh)
		} else {
			saved, err = s.AddInteraction(in)
		}
		if err != nil {
			return interactionSavedMsg{err: err}
		}
		cust, err := s.Customer(saved.Customer)
		if err != nil {
			return interactionSavedMsg{in: saved, err: err}
		}
		if saved.Referred != 0 {
			if r, err := s.Customer(saved.Referred); err == nil {
				others = append(others, r)
				refName = r.Name
			}
		}
		if cust.Name == "" {
			cust.Name = custName
		}
		return interactionSavedMsg{in: saved, customer: cust, others: others, text: savedText(saved, cust.Name, refName, editing, money)}
	})
}

// savedText is the message line after a save: "Logged purchase of $24.90
// for Ana Lima."
func savedText(in model.Interaction, name, referred string, editing bool, money model.Currency) string {
	if editing {
		return fmt.Sprintf("Saved the %s for %s.", in.Kind.Label(), clean(name))
	}
	what := in.Kind.Label()
	switch {
	case in.Kind.HasAmount() && in.Amount != 0:
		what += " of " + in.Amount.Display(money)
	case in.Kind == model.KindFeedback:
		what += fmt.Sprintf(" (%d/5)", in.Score)
	case in.Kind == model.KindReferral && referred != "":
		what += " of " + clean(referred)
	}
	return fmt.Sprintf("Logged %s for %s.", what, clean(name))
}

// ---- drawing ----

func (q *quickLog) view(st *Styles, w int) string {
	if q.confirm != nil {
		return q.confirm.view(st, w)
	}
	inner := max(1, min(64, w-4))
	if q.f == nil {
		return boxed(st, w, "Log for "+clean(q.customer.Name)+": what happened?", kindGrid(st, inner, nil),
			st.Key.Render("esc")+" cancel")
	}
	keys := st.Key.Render("ctrl+s") + " save  " + st.Key.Render("tab") + " next field  " + st.Key.Render("esc") + " cancel"
	var extra []string
	if q.kind == model.KindReferral {
		extra = q.referLines(st, inner)
	}
	// The box's border, title, blank lines and keys take the rest.
	room := 10
	if q.height != nil {
		room = q.height() - 6 - len(wrap(q.f.title, inner)) - len(wrap(keys, inner)) - len(extra)
	}
	q.f.setSize(inner, max(1, room))
	body := strings.Split(q.f.view(), "\n")
	return boxed(st, w, q.f.title, append(body, extra...), keys)
}

// referLines show whom the referral field names, the pick marked.
func (q *quickLog) referLines(st *Styles, w int) []string {
	text := strings.TrimSpace(q.f.get(fieldReferred))
	if text == "" {
		return nil
	}
	if !q.onReferred() {
		id, name := q.referral()
		if id == 0 {
			return []string{"", st.Subtle.Render(truncate("→ "+clean(name)+" will be added as a new customer", w))}
		}
		return []string{"", st.Subtle.Render(truncate(fmt.Sprintf("→ %s #%d", clean(name), id), w))}
	}
	lines := []string{""}
	row := func(i int, s string) {
		if i == q.pick {
			lines = append(lines, st.Selected.Render(truncate("> "+s, w)))
		} else {
			lines = append(lines, truncate("  "+s, w))
		}
	}
	for i, h := range q.hits {
		row(i, fmt.Sprintf("%s #%d", clean(h.name), h.id))
	}
	row(len(q.hits), "+ add "+strconv.Quote(clean(text))+" as a new customer")
	lines = append(lines, st.Subtle.Render(truncate("↑↓ pick", w)))
	return lines
}

// kindGrid lays the kinds out in columns, each with its key, mark and
// label; extra items (the Log tab's "all kinds") come first.
func kindGrid(st *Styles, w int, extra [][2]string) []string {
	type item struct{ key, text string }
	var items []item
	for _, e := range extra {
		items = append(items, item{e[0], e[1]})
	}
	for _, kk := range logKindKeys {
		items = append(items, item{kk.key, st.kindMark(kk.kind) + " " + kk.kind.Label()})
	}
	const colW = 20
	cols := max(1, min(3, (w+2)/colW))
	rows := (len(items) + cols - 1) / cols
	var lines []string
	for r := range rows {
		var b strings.Builder
		for c := range cols {
			i := c*rows + r
			if i >= len(items) {
				break
			}
			cell := st.Key.Render(items[i].key) + " " + items[i].text
			if c < cols-1 {
				cell = padRight(cell, colW)
			}
			b.WriteString(cell)
		}
		lines = append(lines, truncate(b.String(), w))
	}
	return lines
}

// ---- the Customers view's side ----

// logMsg is every message of the interaction log the Customers view
// handles, so its Update needs one case for them all.
type logMsg interface{ logMsg() }

func (interactionSavedMsg) logMsg()   {}
func (referHitsMsg) logMsg()          {}
func (closeQuickLogMsg) logMsg()      {}
func (interactionDeletedMsg) logMsg() {}
func (complaintResolvedMsg) logMsg()  {}

// openQuickLog starts logging for a customer from the list or the detail.
func (v *customersView) openQuickLog(c model.Customer) tea.Cmd {
	v.dialog = newQuickLog(v.c, c, v.everyone, v.dialogHeight)
	return nil
}

// everyone lists the loaded customers for the referral field.
func (v *customersView) everyone() people {
	out := make(people, 0, len(v.ids))
	for _, id := range v.ids {
		if e := v.byID[id]; e != nil {
			out = append(out, person{id: id, name: clean(e.c.Name)})
		}
	}
	return out
}

func (v *customersView) dialogHeight() int { return v.h }

func (v *customersView) gotLogMsg(msg logMsg) tea.Cmd {
	switch msg := msg.(type) {
	case referHitsMsg:
		if q, ok := v.dialog.(*quickLog); ok {
			q.gotHits(msg)
		}
	case closeQuickLogMsg:
		switch v.dialog.(type) {
		case *quickLog, *resolveDialog:
			v.dialog = nil
		}
	case interactionSavedMsg:
		if q, ok := v.dialog.(*quickLog); ok {
			q.saving = false
			if msg.err == nil {
				v.dialog = nil
			}
		}
		if msg.err != nil {
			return sayError(msg.err) // the form stays open with what was typed
		}
		v.detail.tl.selected = msg.in.ID
		return v.afterLogChange(msg.customer, msg.others, msg.text)
	case interactionDeletedMsg:
		if msg.err != nil {
			return sayError(msg.err)
		}
		return v.afterLogChange(msg.customer, nil, msg.text)
	case complaintResolvedMsg:
		if r, ok := v.dialog.(*resolveDialog); ok {
			r.saving = false
			if msg.err == nil {
				v.dialog = nil
			}
		}
		if msg.err != nil {
			return sayError(msg.err)
		}
		return v.afterLogChange(msg.customer, nil, msg.text)
	}
	return nil
}

// afterLogChange shows a customer's record as it is after a change to
// their interactions at once: the list row, and the detail if it is open.
func (v *customersView) afterLogChange(c model.Customer, others []model.Customer, text string) tea.Cmd {
	ids := []model.ID{c.ID}
	v.put(c)
	for _, o := range others {
		v.put(o)
		ids = append(ids, o.ID)
	}
	v.patch(ids, false)
	var reload tea.Cmd
	if v.screen == screenDetail && v.detail.id == c.ID {
		reload = v.loadDetail(c.ID)
	}
	return tea.Batch(say(text), wrote, reload)
}
