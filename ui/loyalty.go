package ui

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// The Loyalty tab: the ladder at a glance, and three lists to act on:
// customers close to the next rung, customers whose points pay for a
// reward, and customers about to slip down a rung. It works over the
// customers the Customers tab lists: the whole ladder is worked out in a
// tea.Cmd once they are loaded, their records read a chunk at a time (and
// again when the settings or the day change); a change to a few customers
// updates just their rows.

// loyaltySection is one of the tab's lists.
type loyaltySection int

const (
	sectionClose loyaltySection = iota
	sectionRewards
	sectionSlipping
	loyaltySections
)

var sectionTitles = [loyaltySections]string{"Close to the next rung", "Rewards ready", "Slipping in the next 30 days"}

// loyaltyRow is one customer in a section, with what that section shows.
type loyaltyRow struct {
	id       model.ID // the name is the Customers tab's (name)
	points   int64
	progress model.Progress
	goal     model.Goal     // close: the goal they are close on
	rewards  []model.Reward // rewards: what they can afford, cheapest first
	slip     model.Slip     // slipping: the drop ahead
}

// loyaltyLists is what the tab shows, worked out for one shop day.
type loyaltyLists struct {
	day    string // the shop day it was worked out for
	counts [model.RungPartner + 1]int
	rungs  map[model.ID]model.Rung // every active customer's rung, to keep counts as they change
	others map[model.ID]model.Rung // the rest's (archived, lost), for the Customers list's column
	rows   [loyaltySections][]loyaltyRow
}

// rung is where a customer stands, as worked out for the lists' day.
func (l *loyaltyLists) rung(id model.ID) (model.Rung, bool) {
	if l == nil {
		return 0, false
	}
	if r, ok := l.rungs[id]; ok {
		return r, true
	}
	r, ok := l.others[id]
	return r, ok
}

// loyaltyView is the Loyalty tab.
type loyaltyView struct {
	c    *common
	src  *customersView // the customers listed
	w, h int
	keys loyaltyKeys

	lists     *loyaltyLists
	computing bool
	again     bool   // asked to work it out again while a computation was out
	failed    string // why the last computation failed, if it did
	failedGen int    // the Customers tab's dataGen it failed on
	stale     bool   // the settings changed or the file was read again
	gen       int
	loadGen   int // the Customers tab's load the lists were worked out from

	focus    loyaltySection
	cursor   [loyaltySections]int
	offset   [loyaltySections]int
	shown    [loyaltySections]int // rows each section had room for when last drawn
	selected [loyaltySections]model.ID
	dialog   dialog
}

func newLoyaltyView(c *common, src *customersView) *loyaltyView {
	return &loyaltyView{c: c, src: src, keys: newLoyaltyKeys()}
}

// Title names the tab.
func (v *loyaltyView) Title() string { return "Loyalty" }

// Capturing: a dialog (the redeem chooser, a due date) has the keyboard.
func (v *loyaltyView) Capturing() bool { return v.dialog != nil }

// Status is the footer's note.
func (v *loyaltyView) Status() string {
	if v.lists == nil {
		return ""
	}
	return plural(len(v.lists.rungs), "customer on the ladder", "customers on the ladder")
}

func (v *loyaltyView) SetSize(w, h int) {
	v.w, v.h = w, h
	for s := range loyaltySections {
		v.clamp(s)
	}
}

// loyaltyDoneMsg carries a computed ladder back to the view.
type loyaltyDoneMsg struct {
	gen   int
	lists *loyaltyLists
	err   error // the customers could not be read
}

func (v *loyaltyView) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case settingsMsg, reloadMsg:
		v.stale = true
	case loyaltyDoneMsg:
		if msg.gen != v.gen {
			break
		}
		v.computing = false
		if msg.err != nil {
			// Tried again when the customers, the day or the settings change.
			v.failed, v.failedGen = msg.err.Error(), v.src.dataGen
			return v, sayError(fmt.Errorf("the ladder could not be worked out: %w", msg.err))
		}
		v.failed = ""
		v.lists = msg.lists
		v.src.ladder = msg.lists
		for s := range loyaltySections {
			v.restore(s)
		}
	case refreshedMsg:
		// The Customers tab has read these customers again (this window's
		// change or another's): update just their rows.
		if v.lists != nil && !v.computing && msg.err == nil {
			v.patch(msg.ids, msg.list)
		} else {
			v.again = true
		}
	case tea.KeyPressMsg:
		return v, tea.Batch(v.handleKey(msg), v.maybeCompute())
	case tea.PasteMsg:
		if v.dialog != nil {
			_, cmd := v.dialog.update(msg)
			return v, cmd
		}
	}
	return v, v.maybeCompute()
}

// maybeCompute starts working out the whole ladder when there is none yet,
// when the settings or the day changed, or when changes came in while a
// computation was out, once the Customers tab has finished loading.
func (v *loyaltyView) maybeCompute() tea.Cmd {
	src := v.src
	if v.computing || !src.loaded || src.loading || src.loadErr != "" {
		return nil
	}
	st := v.c.settings
	now := v.c.now()
	loc := st.Location()
	day := now.In(loc).Format(model.DayFormat)
	if v.lists != nil && !v.stale && !v.again && v.lists.day == day && v.loadGen == src.loadGen {
		return nil // (an import makes the Customers tab read everyone again)
	}
	if v.failed != "" && v.failedGen == src.dataGen && !v.stale {
		return nil // it failed on these very customers: wait for a change
	}
	v.stale, v.again, v.loadGen = false, false, src.loadGen
	v.computing = true
	v.gen++
	gen := v.gen
	// A snapshot of the entries: they are never changed once made, so the
	// computation may read them while the list moves on.
	snapshot := make([]*entry, 0, len(src.ids))
	for _, id := range src.ids {
		if e := src.byID[id]; e != nil {
			snapshot = append(snapshot, e)
		}
	}
	ls := st.Loyalty
	return v.c.oneAtATime(func(s *store.Store) tea.Msg {
		lists, err := computeLoyalty(s, snapshot, ls, now, loc)
		return loyaltyDoneMsg{gen: gen, lists: lists, err: err}
	})
}

// loyaltyChunk bounds the customers unpacked at a time for the model's
// lists to work over.
const loyaltyChunk = 4096

// computeLoyalty works out the ladder, in id order: the active customers'
// rungs and sections, and the others' rungs for the Customers list.
func computeLoyalty(s *store.Store, cs []*entry, ls model.LoyaltySettings, now time.Time, loc *time.Location) (*loyaltyLists, error) {
	out := &loyaltyLists{day: now.In(loc).Format(model.DayFormat), rungs: make(map[model.ID]model.Rung, len(cs)), others: map[model.ID]model.Rung{}}
	err := eachChunk(s, cs, loyaltyChunk, func(chunk []model.Customer) { out.add(chunk, ls, now, loc) })
	if err != nil {
		return nil, err
	}
	for s := range loyaltySections {
		slices.SortStableFunc(out.rows[s], rowOrder(s))
	}
	return out, nil
}

// add works out the rows of some customers and appends them, unsorted;
// cs is the caller's to reorder (the active ones go first).
func (l *loyaltyLists) add(cs []model.Customer, ls model.LoyaltySettings, now time.Time, loc *time.Location) {
	for i := range cs {
		if !cs[i].Active() {
			l.others[cs[i].ID] = model.RungOf(cs[i], ls, now, loc)
		}
	}
	cs = slices.DeleteFunc(cs, func(c model.Customer) bool { return !c.Active() })
	for i := range cs {
		r := model.RungOf(cs[i], ls, now, loc)
		l.rungs[cs[i].ID] = r
		l.counts[r]++
	}
	for _, n := range model.CloseToNextRung(cs, ls, now, loc) {
		l.rows[sectionClose] = append(l.rows[sectionClose], loyaltyRow{id: n.Customer.ID,
			points: n.Customer.Stats.Points, progress: n.Progress, goal: n.Goal})
	}
	for _, r := range model.RewardsReady(cs, ls) {
		l.rows[sectionRewards] = append(l.rows[sectionRewards], loyaltyRow{id: r.Customer.ID,
			points: r.Points, rewards: r.Rewards})
	}
	for _, s := range model.SlippingSoon(cs, ls, now, loc, model.SlipDays) {
		l.rows[sectionSlipping] = append(l.rows[sectionSlipping], loyaltyRow{id: s.Customer.ID,
			points: s.Customer.Stats.Points, slip: s.Slip})
	}
}

// rowOrder is each section's order, as the model sorts it, ties by id:
// the closest first, the most points first, the soonest drop first.
func rowOrder(s loyaltySection) func(a, b loyaltyRow) int {
	switch s {
	case sectionClose:
		return func(a, b loyaltyRow) int {
			return cmp.Or(cmp.Compare(b.goal.Fraction(), a.goal.Fraction()), cmp.Compare(a.id, b.id))
		}
	case sectionRewards:
		return func(a, b loyaltyRow) int { return cmp.Or(cmp.Compare(b.points, a.points), cmp.Compare(a.id, b.id)) }
	}
	return func(a, b loyaltyRow) int { return cmp.Or(a.slip.On.Compare(b.slip.On), cmp.Compare(a.id, b.id)) }
}

// patch takes the changed customers out of the lists and puts back the
// ones that are still active, as they are now.
func (v *loyaltyView) patch(ids []model.ID, list []model.Customer) {
	l := v.lists
	gone := make(map[model.ID]bool, len(ids))
	for _, id := range ids {
		gone[id] = true
		if r, ok := l.rungs[id]; ok {
			l.counts[r]--
			delete(l.rungs, id)
		}
		delete(l.others, id)
	}
	for s := range loyaltySections {
		l.rows[s] = slices.DeleteFunc(l.rows[s], func(r loyaltyRow) bool { return gone[r.id] })
	}
	fresh := &loyaltyLists{rungs: map[model.ID]model.Rung{}, others: map[model.ID]model.Rung{}}
	fresh.add(slices.Clone(list), v.c.settings.Loyalty, v.c.now(), v.c.settings.Location())
	if l.others == nil {
		l.others = map[model.ID]model.Rung{}
	}
	for id, r := range fresh.others {
		l.others[id] = r
	}
	for id, r := range fresh.rungs {
		l.rungs[id] = r
		l.counts[r]++
	}
	for s := range loyaltySections {
		order := rowOrder(s)
		for _, row := range fresh.rows[s] {
			at, _ := slices.BinarySearchFunc(l.rows[s], row, order)
			l.rows[s] = slices.Insert(l.rows[s], at, row)
		}
		v.restore(s)
	}
}

// ---- keys ----

func (v *loyaltyView) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if v.dialog != nil {
		return keyToDialog(&v.dialog, msg)
	}
	k := v.keys
	switch {
	case key.Matches(msg, k.Next):
		v.focus = (v.focus + 1) % loyaltySections
		return nil
	case key.Matches(msg, k.Prev):
		v.focus = (v.focus + loyaltySections - 1) % loyaltySections
		return nil
	case key.Matches(msg, k.Up):
		v.move(-1)
	case key.Matches(msg, k.Down):
		v.move(1)
	case key.Matches(msg, k.Top):
		v.move(-1 << 30)
	case key.Matches(msg, k.Bottom):
		v.move(1 << 30)
	}
	row := v.selectedRow()
	if row == nil {
		if key.Matches(msg, k.Open, k.Redeem, k.Remind) {
			return sayInfo("Nobody is selected: " + v.emptyText(v.focus))
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Open):
		id := row.id
		return func() tea.Msg { return openCustomerMsg{id: id} }
	case key.Matches(msg, k.Redeem):
		v.dialog = newRedeemDialog(v.c, v.customer(*row))
	case key.Matches(msg, k.Remind):
		v.askReminder(*row)
	}
	return nil
}

// customer is the selected row's customer as the Customers tab holds them.
func (v *loyaltyView) customer(row loyaltyRow) model.Customer {
	if e := v.src.byID[row.id]; e != nil {
		return e.customer()
	}
	return model.Customer{ID: row.id, Name: v.name(row), Stats: model.Stats{Points: row.points}}
}

// name is the row's customer's name, as the Customers tab lists it.
func (v *loyaltyView) name(row loyaltyRow) string {
	if e := v.src.byID[row.id]; e != nil {
		return e.c.Name
	}
	return fmt.Sprintf("#%d", row.id)
}

func (v *loyaltyView) rows(s loyaltySection) []loyaltyRow {
	if v.lists == nil {
		return nil
	}
	return v.lists.rows[s]
}

func (v *loyaltyView) selectedRow() *loyaltyRow {
	rows := v.rows(v.focus)
	i := v.cursor[v.focus]
	if i < 0 || i >= len(rows) {
		return nil
	}
	return &rows[i]
}

func (v *loyaltyView) move(by int) {
	s := v.focus
	rows := v.rows(s)
	if len(rows) == 0 {
		return
	}
	v.cursor[s] = max(0, min(len(rows)-1, v.cursor[s]+by))
	v.selected[s] = rows[v.cursor[s]].id
	v.clamp(s)
}

// restore keeps each section's selection on the same customer after its
// rows change.
func (v *loyaltyView) restore(s loyaltySection) {
	rows := v.rows(s)
	v.cursor[s] = max(0, min(v.cursor[s], len(rows)-1))
	for i, r := range rows {
		if r.id == v.selected[s] {
			v.cursor[s] = i
			break
		}
	}
	if len(rows) > 0 {
		v.selected[s] = rows[v.cursor[s]].id
	}
	v.clamp(s)
}

// clamp keeps the cursor inside the rows the section last had room for.
func (v *loyaltyView) clamp(s loyaltySection) {
	n := max(1, v.shown[s])
	if v.cursor[s] < v.offset[s] {
		v.offset[s] = v.cursor[s]
	}
	if v.cursor[s] >= v.offset[s]+n {
		v.offset[s] = v.cursor[s] - n + 1
	}
	v.offset[s] = max(0, min(v.offset[s], len(v.rows(s))-n))
}

// ---- the follow-up reminder ----

// askReminder asks when to follow the selected customer up, tomorrow
// unless the owner types another day.
func (v *loyaltyView) askReminder(row loyaltyRow) {
	cur := v.c.settings.Money()
	loc := v.c.settings.Location()
	var note string
	switch v.focus {
	case sectionSlipping:
		note = fmt.Sprintf("Invite them back: without a visit they slip from %s to %s on %s.",
			row.slip.From, row.slip.To, row.slip.On.In(loc).Format(model.DayFormat))
	case sectionClose:
		note = fmt.Sprintf("%s makes them a %s.", capitalize(row.goal.Describe(cur)), row.progress.Next)
	default:
		names := make([]string, len(row.rewards))
		for i, r := range row.rewards {
			names[i] = r.Name
		}
		note = fmt.Sprintf("Tell them their %s pay for %s.", pointsText(row.points), strings.Join(names, " or "))
	}
	id, name := row.id, v.name(row)
	v.dialog = newDueDialog(v.c, "Follow up "+clean(name)+" on which day?",
		[]string{clean(note)}, func(due time.Time) tea.Cmd {
			return v.c.do(func(s *store.Store) tea.Msg {
				r, err := s.AddReminder(model.Reminder{Customer: id, Due: due, Kind: model.ReminderFollowUp, Note: note})
				if err != nil {
					return statusMsg{text: "The reminder was not added: " + err.Error(), kind: statusError}
				}
				return tea.BatchMsg{say(fmt.Sprintf("Added a follow-up for %s on %s. u undoes it.",
					clean(name), r.Due.In(loc).Format(model.DayFormat))), wrote}
			})
		})
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// dueDialog asks for a due day in any form the date parser reads, with
// tomorrow filled in; a day it cannot read is explained and kept.
type dueDialog struct {
	c     *common
	title string
	body  []string
	input textinput.Model
	err   string
	onDue func(time.Time) tea.Cmd
}

func newDueDialog(c *common, title string, body []string, onDue func(time.Time) tea.Cmd) *dueDialog {
	in := textinput.New()
	in.Prompt = "Due: "
	in.SetStyles(c.styles.Input)
	in.CharLimit = 40
	in.SetValue("tomorrow")
	in.CursorEnd()
	in.Focus()
	return &dueDialog{c: c, title: title, body: body, input: in, onDue: onDue}
}

func (d *dueDialog) update(msg tea.Msg) (bool, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			return true, nil
		case "enter":
			due, err := model.ParseDue(d.input.Value(), d.c.now(), d.c.settings.Location())
			if err != nil {
				d.err = err.Error()
				return false, nil
			}
			return true, d.onDue(due)
		}
	}
	d.err = ""
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	return false, cmd
}

func (d *dueDialog) view(st *Styles, w int) string {
	d.input.SetWidth(max(4, min(40, w-14)))
	body := append(append([]string{}, d.body...), "", d.input.View(),
		st.Subtle.Render("tomorrow, friday, +2w, 2026-12-01…"))
	if d.err != "" {
		body = append(body, st.Error.Render("✗ "+clean(d.err)))
	}
	return boxed(st, w, d.title, body, st.Key.Render("enter")+" add  "+st.Key.Render("esc")+" cancel")
}

// ---- drawing ----

// rungRules say in a few words what puts a customer on each rung.
func rungRule(r model.Rung, ls model.LoyaltySettings, cur model.Currency) string {
	switch r {
	case model.RungProspect:
		return "known, not bought yet"
	case model.RungCustomer:
		return "has bought"
	case model.RungClient:
		return fmt.Sprintf("%d+ purchases in 12 months", ls.ClientPurchases)
	case model.RungSupporter:
		return fmt.Sprintf("%d+ visit days or %s in 12 months", ls.SupporterVisits, ls.SupporterSpend.Plain(cur))
	case model.RungAdvocate:
		return "a supporter with a referral or 5 stars"
	}
	return "set by hand (p on a customer)"
}

func (v *loyaltyView) View() string {
	if v.w <= 0 || v.h <= 0 {
		return ""
	}
	s := fitBlock(v.render(), v.w, v.h)
	if v.dialog != nil {
		s = overlay(s, v.dialog.view(v.c.styles, v.w), v.w, v.h)
	}
	return s
}

func (v *loyaltyView) render() string {
	st := v.c.styles
	l := v.lists
	title := st.Title.Render("Loyalty")
	if l != nil {
		title += st.Subtle.Render(" · the 12 months to " + l.day)
	}
	lines := []string{truncate(title, v.w), ""}
	src := v.src
	switch {
	case src.loadErr != "":
		return strings.Join(append(lines, st.Error.Render("The customers could not be read:"), clean(src.loadErr)), "\n")
	case l == nil:
		return strings.Join(append(lines, st.Subtle.Render("Working out the ladder…")), "\n")
	case len(l.rungs) == 0:
		return strings.Join(append(lines,
			"No active customers yet, so nobody is on the ladder.",
			"",
			st.Subtle.Render("Add customers in 1 Customers (a) or try `patron demo`; as they buy and"),
			st.Subtle.Render("visit they climb: prospect, customer, client, supporter, advocate.")), "\n")
	}

	// The ladder: a chart with each rung's rule beside it, or one line of
	// counts when the window is short.
	if v.h >= 17 {
		lines = append(lines, v.ladderChart()...)
	} else {
		var parts []string
		for _, r := range model.Rungs {
			parts = append(parts, r.String()+"\u00a0"+thousands(l.counts[r])) // kept together when wrapped
		}
		lines = append(lines, wrap(strings.Join(parts, " · "), v.w)...)
	}
	lines = append(lines, "")

	// The sections share what is left; the focused one gets the most.
	room := v.h - len(lines) - 2*int(loyaltySections) + 1
	alloc := v.allocate(room)
	for s := range loyaltySections {
		if s > 0 {
			lines = append(lines, "")
		}
		lines = append(lines, v.sectionLines(s, alloc[s])...)
	}
	return strings.Join(lines, "\n")
}

func (v *loyaltyView) ladderChart() []string {
	st := v.c.styles
	l := v.lists
	cur := v.c.settings.Money()
	chartW := v.w
	withRules := v.w >= 70
	if withRules {
		chartW = min(48, v.w/2)
	}
	items := make([]barItem, len(model.Rungs))
	for i, r := range model.Rungs {
		items[i] = barItem{label: r.String(), value: float64(l.counts[r]), style: st.Bar}
	}
	chart := strings.Split(barChart(items, chartW), "\n")
	if withRules {
		for i, r := range model.Rungs {
			chart[i] = padRight(chart[i], chartW) + "  " + st.Subtle.Render(truncate(rungRule(r, v.c.settings.Loyalty, cur), v.w-chartW-2))
		}
	}
	return chart
}

// allocate shares room lines of rows among the sections: the others a few
// each (none when there is little room), the focused one the rest.
func (v *loyaltyView) allocate(room int) [loyaltySections]int {
	var want, got [loyaltySections]int
	for s := range loyaltySections {
		want[s] = max(1, len(v.rows(s))) // an empty section says so in a line
	}
	others := 0
	switch {
	case room >= 12:
		others = max(1, room/5)
	case room >= 5:
		others = 1
	}
	left := max(0, room)
	for s := range loyaltySections {
		if s != v.focus {
			got[s] = min(want[s], others, left)
			left -= got[s]
		}
	}
	got[v.focus] = min(want[v.focus], left)
	left -= got[v.focus]
	for s := range loyaltySections { // room to spare goes to the others
		if extra := min(want[s]-got[s], left); extra > 0 && s != v.focus {
			got[s] += extra
			left -= extra
		}
	}
	if got[v.focus] == 0 {
		got[v.focus] = 1 // the focused section always shows something
	}
	return got
}

func (v *loyaltyView) sectionLines(s loyaltySection, n int) []string {
	st := v.c.styles
	rows := v.rows(s)
	head := fmt.Sprintf("%s (%s)", sectionTitles[s], thousands(len(rows)))
	if s == v.focus {
		head = st.Title.Render("▸ " + head)
	} else {
		head = st.Label.Render("  " + head)
	}
	lines := []string{truncate(head, v.w)}
	v.shown[s] = n
	v.clamp(s)
	if n <= 0 {
		return lines
	}
	if len(rows) == 0 {
		return append(lines, st.Subtle.Render(truncate("  "+v.emptyText(s), v.w)))
	}
	for i := v.offset[s]; i < len(rows) && i < v.offset[s]+n; i++ {
		line := v.rowText(s, rows[i], v.w-2)
		if s == v.focus && i == v.cursor[s] {
			lines = append(lines, st.Selected.Render("> "+line))
		} else {
			lines = append(lines, "  "+line)
		}
	}
	return lines
}

func (v *loyaltyView) emptyText(s loyaltySection) string {
	ls := v.c.settings.Loyalty
	switch s {
	case sectionClose:
		return fmt.Sprintf("Nobody is within %d%% of the next rung.", model.ClosePercent)
	case sectionRewards:
		if len(ls.Rewards) == 0 {
			return "The rewards catalogue is empty: add rewards in Settings (,)."
		}
		cheapest := slices.MinFunc(ls.Rewards, func(a, b model.Reward) int { return cmp.Compare(a.Points, b.Points) })
		return fmt.Sprintf("Nobody has enough points yet: the cheapest reward, %s, costs %d.", clean(cheapest.Name), cheapest.Points)
	}
	return fmt.Sprintf("Nobody drops a rung in the next %d days.", model.SlipDays)
}

// rowText is one customer's line in a section, w cells wide at most.
func (v *loyaltyView) rowText(s loyaltySection, r loyaltyRow, w int) string {
	st := v.c.styles
	cur := v.c.settings.Money()
	loc := v.c.settings.Location()
	nameW := min(22, max(12, w/4))
	line := padRight(clean(v.name(r)), nameW) + "  "
	switch s {
	case sectionClose:
		barW := 10
		if w >= 100 {
			barW = 16
		}
		line += st.Bar.Render(progressBar(r.goal.Fraction(), barW)) + "  " +
			fmt.Sprintf("to %s: %s", r.progress.Next, r.goal.Describe(cur))
	case sectionRewards:
		names := make([]string, len(r.rewards))
		for i, rw := range r.rewards {
			names[len(r.rewards)-1-i] = clean(rw.Name) // the dearest first
		}
		line += padLeft(pointsText(r.points), 11) + "  " + strings.Join(names, ", ")
	default:
		on := r.slip.On.In(loc)
		line += fmt.Sprintf("%s → %s on %s (%s)", r.slip.From, r.slip.To, on.Format(model.DayFormat),
			model.FormatRelative(on, v.c.now(), loc))
	}
	return truncate(line, w)
}

// ---- help ----

func (v *loyaltyView) ShortHelp() []key.Binding {
	if v.dialog != nil {
		return nil // a dialog writes its own keys
	}
	if v.lists == nil || len(v.lists.rungs) == 0 {
		return []key.Binding{undoKey(), helpKey()} // nothing to move through yet
	}
	k := v.keys
	return []key.Binding{k.Next, k.Down, k.Open, k.Redeem, k.Remind, undoKey(), helpKey()}
}

func (v *loyaltyView) FullHelp() [][]key.Binding {
	k := v.keys
	return [][]key.Binding{{k.Next, k.Prev, k.Up, k.Down, k.Top, k.Bottom}, {k.Open, k.Redeem, k.Remind}}
}

// ---- the customer detail and the timeline ----

// loyaltyLines are the detail's loyalty summary: the rung, the points and
// what they pay for, and the progress to the next rung with a bar.
func (v *customersView) loyaltyLines(c model.Customer) []string {
	st := v.c.styles
	set := v.c.settings
	cur, loc, now := set.Money(), set.Location(), v.c.now()
	sd := model.StandingOf(c, set.Loyalty, now, loc)
	rung := sd.Rung.String()
	if c.Partner {
		rung += " (set by hand; p unsets it)"
	}
	first := "  " + st.Title.Render(rung) + " · " + pointsText(sd.Points)
	if rs := set.Loyalty.Affordable(sd.Points); len(rs) > 0 {
		first += st.Subtle.Render(fmt.Sprintf(" · %s ready ($ redeems)", plural(len(rs), "reward", "rewards")))
	} else if r, missing, ok := set.Loyalty.NextReward(sd.Points); ok {
		first += st.Subtle.Render(fmt.Sprintf(" · %s more for %s", pointsText(missing), clean(r.Name)))
	}
	lines := []string{truncate(first, v.w)}
	p := sd.Progress
	switch {
	case p.Top && c.Partner:
	case p.Top:
		lines = append(lines, "  "+st.Subtle.Render("The top of the ladder a customer can earn."))
	default:
		line := "  To " + p.Next.String() + "  "
		if g, ok := p.Nearest(); ok && g.Threshold() {
			line += st.Bar.Render(progressBar(g.Fraction(), 16)) + "  "
		}
		lines = append(lines, truncate(line+p.Describe(cur), v.w))
	}
	if slip, ok := model.Slipping(c, set.Loyalty, now, loc, model.SlipDays); ok {
		on := slip.On.In(loc)
		lines = append(lines, truncate("  "+st.Warning.Render(fmt.Sprintf("Slips to %s on %s (%s) unless they come back",
			slip.To, on.Format(model.DayFormat), model.FormatRelative(on, now, loc))), v.w))
	}
	return lines
}

// rungChangesFor is a customer's moves on the ladder up to now, from their
// interactions (any order), for the timeline.
func rungChangesFor(list []model.Interaction, st model.Settings, now time.Time) []model.RungChange {
	return model.RungHistory(list, st.Loyalty, now, st.Location())
}

// rungChangeText words a move on the ladder for the timeline.
func rungChangeText(ch model.RungChange) string {
	switch {
	case ch.Up() && ch.From == model.RungProspect:
		return "became a " + ch.To.String()
	case ch.Up():
		return fmt.Sprintf("moved up to %s (from %s)", ch.To, ch.From)
	case ch.Lapsed != 0:
		return fmt.Sprintf("slipped to %s (from %s) as 12 months passed", ch.To, ch.From)
	}
	return fmt.Sprintf("moved down to %s (from %s)", ch.To, ch.From)
}

// ---- `$` and `p` on the Customers tab ----

// askRedeem opens the redeem chooser for a customer.
func (v *customersView) askRedeem(c model.Customer) {
	v.dialog = newRedeemDialog(v.c, c)
}

// askPartner asks before making a customer a partner, or no longer one.
func (v *customersView) askPartner(c model.Customer) {
	name := clean(c.Name)
	id, on := c.ID, !c.Partner
	set := v.c.do(func(s *store.Store) tea.Msg {
		saved, err := s.SetPartner(id, on)
		if err != nil {
			return statusMsg{text: err.Error(), kind: statusError}
		}
		text := clean(saved.Name) + " is a partner now. u undoes it."
		if !on {
			text = clean(saved.Name) + " is no longer a partner: their rung is earned again. u undoes it."
		}
		return tea.BatchMsg{say(text), wrote}
	})
	if on {
		v.dialog = confirmDialog("Make "+name+" a partner?",
			[]string{"A partner (a business that sends you customers, say) stands at the top of the ladder until you unset it."},
			set, "make partner")
		return
	}
	v.dialog = confirmDialog(name+" is a partner. Unset it?",
		[]string{"Their rung is then earned from their visits and purchases again."}, set, "unset")
}

// addLoyaltyTab puts the Loyalty tab in its place (4) among the tabs, over
// the Customers tab's customers.
func (a *App) addLoyaltyTab() {
	cv, ok := a.tabs[0].view.(*customersView)
	if !ok {
		return
	}
	t := tab{num: 4, view: newLoyaltyView(a.c, cv)}
	at := len(a.tabs)
	for i, x := range a.tabs {
		if x.num > t.num {
			at = i
			break
		}
	}
	a.tabs = slices.Insert(a.tabs, at, t)
}

// rungCell is the Customers list's rung column: where the customer stands
// today, as the Loyalty tab worked it out from their record.
func rungCell(v *customersView, e *entry) string {
	if r, ok := v.ladder.rung(e.c.ID); ok {
		return r.String()
	}
	if e.c.Partner {
		return model.RungPartner.String()
	}
	return "…" // the ladder is being worked out: the rung needs the record
}

// ---- the Loyalty section of Settings ----

// The section's fields: the thresholds and the earn rate by the names
// `patron loyalty set` takes, then one field per reward ("name: points"),
// ending with an empty one that adds a reward. Emptying a reward's field
// takes it out of the catalogue.
const (
	keyClientPurchases = "loyalty_client_purchases"
	keySupporterVisits = "loyalty_supporter_visits"
	keySupporterSpend  = "loyalty_supporter_spend"
	keyEarnPoints      = "loyalty_earn_points"
	keyEarnPer         = "loyalty_earn_per"
	keyRewardPrefix    = "loyalty_reward_"
	maxRewardFields    = 100
)

// addLoyaltyFields adds the Loyalty section to the Settings form.
func addLoyaltyFields(f *form, c *common) {
	ls, cur := c.settings.Loyalty, c.settings.Money()
	check := func(key string) func(string) error {
		return func(string) error { return loyaltyFieldError(f, c, key) }
	}
	f.addText(keyClientPurchases, "Client purchases", "purchases in 12 months that make a client, e.g. 3", strconv.Itoa(ls.ClientPurchases), check(keyClientPurchases))
	f.addText(keySupporterVisits, "Supporter visits", "visit days in 12 months that make a supporter, e.g. 8", strconv.Itoa(ls.SupporterVisits), check(keySupporterVisits))
	f.addText(keySupporterSpend, "Supporter spend", "or this much spent in 12 months, e.g. 500.00", ls.SupporterSpend.Plain(cur), check(keySupporterSpend))
	f.addText(keyEarnPoints, "Earn points", "points earned for every amount below, e.g. 1", strconv.FormatInt(ls.EarnPoints, 10), check(keyEarnPoints))
	f.addText(keyEarnPer, "Earn per", "spent, e.g. 1.00 (rounded down per purchase)", ls.EarnPer.Plain(cur), check(keyEarnPer))
	for i, r := range ls.Rewards {
		addRewardField(f, c, i, fmt.Sprintf("%s: %d points", r.Name, r.Points))
	}
	addRewardField(f, c, len(ls.Rewards), "")
	relabelRewards(f)
}

func addRewardField(f *form, c *common, i int, value string) *field {
	key := keyRewardPrefix + strconv.Itoa(i)
	return f.addText(key, "Reward", "name: points, e.g. free coffee: 30 (empty removes it)", value,
		func(string) error { return loyaltyFieldError(f, c, key) })
}

// rewardFields are the form's reward fields, in order.
func rewardFields(f *form) []*field {
	var out []*field
	for _, fl := range f.fields {
		if strings.HasPrefix(fl.key, keyRewardPrefix) {
			out = append(out, fl)
		}
	}
	return out
}

// relabelRewards numbers the reward fields; the empty last one adds a reward.
func relabelRewards(f *form) {
	rs := rewardFields(f)
	for i, fl := range rs {
		fl.label = fmt.Sprintf("Reward %d", i+1)
		if i == len(rs)-1 && strings.TrimSpace(fl.value()) == "" {
			fl.label = "New reward"
		}
	}
}

// growRewards keeps an empty reward field at the end of the catalogue once
// the last one is typed in, so any number of rewards can be added. It
// passes cmd through, to sit around the form's own update.
func growRewards(f *form, c *common, cmd tea.Cmd) tea.Cmd {
	rs := rewardFields(f)
	if len(rs) == 0 || len(rs) >= maxRewardFields || strings.TrimSpace(rs[len(rs)-1].value()) == "" {
		relabelRewards(f)
		return cmd
	}
	last := slices.Index(f.fields, rs[len(rs)-1])
	n := 0
	for _, fl := range rs {
		i, _ := strconv.Atoi(strings.TrimPrefix(fl.key, keyRewardPrefix))
		n = max(n, i+1)
	}
	fl := addRewardField(f, c, n, "")
	f.fields = slices.Insert(f.fields[:len(f.fields)-1], last+1, fl) // right after the last reward
	if f.focus > last {
		f.focus++
	}
	f.setSize(f.w, f.h)
	relabelRewards(f)
	return cmd
}

// loyaltyFromForm reads the section back, checked as a whole; on error it
// names the field to fix.
func loyaltyFromForm(f *form, c *common) (model.LoyaltySettings, string, error) {
	ls := c.settings.Loyalty
	cur := c.settings.Money()
	if f.field("currency") != nil {
		if s := c.settings; s.Set("currency", f.get("currency")) == nil {
			cur = s.Money() // amounts as the currency being saved writes them
		}
	}
	whole := func(key, name string, to *int64) error {
		n, err := strconv.ParseInt(strings.TrimSpace(f.get(key)), 10, 64)
		if err != nil || n < -1e9 || n > 1e9 {
			return &model.FieldError{Field: name, Problem: fmt.Sprintf("%q is not a whole number", strings.TrimSpace(f.get(key))), Fix: "give a number such as 3"}
		}
		*to = n
		return nil
	}
	amount := func(key, name, example string, to *model.Money) error {
		m, err := model.ParseMoney(f.get(key), cur)
		if err != nil {
			return &model.FieldError{Field: name, Problem: err.Error(), Fix: "give an amount such as " + example}
		}
		*to = m
		return nil
	}
	var client, visits int64
	if err := whole(keyClientPurchases, "client purchases", &client); err != nil {
		return ls, keyClientPurchases, err
	}
	if err := whole(keySupporterVisits, "supporter visits", &visits); err != nil {
		return ls, keySupporterVisits, err
	}
	ls.ClientPurchases, ls.SupporterVisits = int(client), int(visits)
	if err := amount(keySupporterSpend, "supporter spend", "500.00", &ls.SupporterSpend); err != nil {
		return ls, keySupporterSpend, err
	}
	if err := whole(keyEarnPoints, "earn points", &ls.EarnPoints); err != nil {
		return ls, keyEarnPoints, err
	}
	if err := amount(keyEarnPer, "earn per", "1.00", &ls.EarnPer); err != nil {
		return ls, keyEarnPer, err
	}
	ls.Rewards = []model.Reward{}
	var keys []string // the field of each reward in ls.Rewards
	for _, fl := range rewardFields(f) {
		text := strings.TrimSpace(fl.value())
		if text == "" {
			continue
		}
		r, err := parseReward(text, len(ls.Rewards)+1)
		if err != nil {
			return ls, fl.key, err
		}
		ls.Rewards = append(ls.Rewards, r)
		keys = append(keys, fl.key)
	}
	ls = ls.Clean()
	if err := ls.Validate(); err != nil {
		return ls, loyaltyErrorField(err, ls, keys), err
	}
	return ls, "", nil
}

// parseReward reads "free coffee: 30" (or "30 points") as a reward.
func parseReward(text string, n int) (model.Reward, error) {
	field := fmt.Sprintf("reward %d", n)
	i := strings.LastIndex(text, ":")
	if i < 0 {
		return model.Reward{}, &model.FieldError{Field: field, Problem: "has no points", Fix: "write its points after a colon, e.g. free coffee: 30"}
	}
	name, pts := strings.TrimSpace(text[:i]), strings.ToLower(strings.TrimSpace(text[i+1:]))
	for _, unit := range []string{"points", "point", "pts"} {
		if rest, ok := strings.CutSuffix(pts, unit); ok {
			pts = strings.TrimSpace(rest)
			break
		}
	}
	p, err := strconv.ParseInt(pts, 10, 64)
	if err != nil {
		return model.Reward{}, &model.FieldError{Field: field, Problem: fmt.Sprintf("costs %q, which is not a whole number of points", strings.TrimSpace(text[i+1:])), Fix: "write e.g. free coffee: 30"}
	}
	return model.Reward{Name: name, Points: p}, nil
}

// loyaltyErrorField says which field a validation error is about.
func loyaltyErrorField(err error, ls model.LoyaltySettings, keys []string) string {
	var fe *model.FieldError
	if !errors.As(err, &fe) {
		return ""
	}
	switch {
	case fe.Field == "client purchases":
		return keyClientPurchases
	case fe.Field == "supporter visits":
		return keySupporterVisits
	case fe.Field == "supporter spend":
		return keySupporterSpend
	case fe.Field == "earn rate" && strings.HasPrefix(fe.Problem, "gives"):
		return keyEarnPoints
	case fe.Field == "earn rate":
		return keyEarnPer
	case fe.Field == "rewards" && len(keys) > 0:
		return keys[len(keys)-1]
	}
	var n int
	if _, e := fmt.Sscanf(fe.Field, "reward %d", &n); e == nil && n >= 1 && n <= len(keys) {
		return keys[n-1]
	}
	if name, ok := strings.CutPrefix(fe.Field, "reward "); ok {
		if uq, e := strconv.Unquote(name); e == nil {
			last := strings.Contains(fe.Problem, "twice") // a repeat: the second one is the one to fix
			found := ""
			for i, r := range ls.Rewards {
				if strings.EqualFold(r.Name, uq) && i < len(keys) {
					found = keys[i]
					if !last {
						break
					}
				}
			}
			return found
		}
	}
	return ""
}

// loyaltyFieldError is a field's check: the section's first problem, when
// it is this field's.
func loyaltyFieldError(f *form, c *common, key string) error {
	if _, k, err := loyaltyFromForm(f, c); err != nil && k == key {
		return err
	}
	return nil
}

// saveLoyaltyInto puts the section into the settings being saved; when it
// cannot, it returns what to show and moves the cursor to the field.
func saveLoyaltyInto(f *form, c *common, st *model.Settings) tea.Cmd {
	ls, k, err := loyaltyFromForm(f, c)
	if err != nil {
		var focus tea.Cmd
		if fl := f.field(k); fl != nil {
			fl.err = err.Error()
			focus = f.focusOn(slices.Index(f.fields, fl))
		}
		return tea.Batch(focus, func() tea.Msg { return statusMsg{text: "Not saved yet: " + err.Error(), kind: statusError} })
	}
	st.Loyalty = ls
	return nil
}

// addRungChanges puts the customer's moves on the ladder into the
// timeline, each as a line of its own in its month (above the interaction
// that moved them), never selectable: the keys act on interactions.
func (t *timeline) addRungChanges(changes []model.RungChange, loc *time.Location) {
	if len(changes) == 0 {
		return
	}
	loc = orUTC(loc)
	newest := slices.Clone(changes)
	slices.Reverse(newest) // the timeline runs newest first
	// The open complaints stay on top; the months are laid out again.
	var rows []tlRow
	r := 0
	for ; r < len(t.rows); r++ {
		if row := t.rows[r]; row.heading != "" && row.heading != "Open complaints" {
			break
		}
		rows = append(rows, t.rows[r])
	}
	month := -1
	head := func(at time.Time) {
		if m := model.MonthOf(at, loc); m != month {
			month = m
			rows = append(rows, tlRow{heading: at.In(loc).Format("January 2006")})
		}
	}
	c := 0
	emit := func(upTo time.Time, all bool) {
		for ; c < len(newest) && (all || !newest[c].At.Before(upTo)); c++ {
			head(newest[c].At)
			rows = append(rows, tlRow{heading: rungChangeLine(newest[c], loc)})
		}
	}
	for ; r < len(t.rows); r++ {
		row := t.rows[r]
		if row.heading != "" {
			continue // months are written again as they come
		}
		at := t.list[row.i].At
		emit(at, false)
		head(at)
		rows = append(rows, row)
	}
	emit(time.Time{}, true)
	t.rows = rows
	t.items = t.items[:0]
	for i, row := range rows {
		if row.heading == "" {
			t.items = append(t.items, i)
		}
	}
	t.pos = min(t.pos, max(0, len(t.items)-1))
}

// rungChangeLine is a move on the ladder as a timeline line: "▲ Sun 22
// moved up to client (from customer)".
func rungChangeLine(ch model.RungChange, loc *time.Location) string {
	mark := "▼"
	if ch.Up() {
		mark = "▲"
	}
	return mark + " " + ch.At.In(loc).Format("Mon 02") + "  " + rungChangeText(ch)
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}
