package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// detailState is the customer detail: the profile, a loyalty summary and
// the latest interactions. The interaction-log feature adds the full
// timeline as a second pane here.
type detailState struct {
	id       model.ID
	c        model.Customer
	latest   []model.Interaction
	total    int // all their interactions
	referrer string
	loaded   bool
	err      string
	offset   int
	back     screen
	focus    pane     // profile or timeline: which one the keys act on
	tl       timeline // all their interactions (timeline.go)
}

type detailLoadedMsg struct {
	id       model.ID
	c        model.Customer
	latest   []model.Interaction
	total    int
	referrer string
	err      error
}

func (v *customersView) openDetail(id model.ID, back screen) tea.Cmd {
	d := detailState{id: id, back: back}
	if e := v.byID[id]; e != nil && e.whole() {
		d.c = e.customer() // a summary would let e edit before the record is read
	}
	v.detail = d
	v.screen = screenDetail
	v.dialog = nil
	v.form = nil // "open the other customer instead" leaves the form
	return v.loadDetail(id)
}

func (v *customersView) loadDetail(id model.ID) tea.Cmd {
	return v.c.do(func(s *store.Store) tea.Msg {
		c, err := s.Customer(id)
		if err != nil {
			return detailLoadedMsg{id: id, err: err}
		}
		list, err := s.Interactions(id)
		if err != nil {
			return detailLoadedMsg{id: id, err: err}
		}
		msg := detailLoadedMsg{id: id, c: c, total: len(list), latest: list}
		if c.ReferredBy != 0 {
			if r, err := s.Customer(c.ReferredBy); err == nil {
				msg.referrer = r.Name
			}
		}
		return msg
	})
}

func (v *customersView) gotDetail(msg detailLoadedMsg) {
	if msg.id != v.detail.id {
		return
	}
	if msg.err != nil {
		v.detail.err = msg.err.Error()
		return
	}
	v.detail.c, v.detail.latest, v.detail.total, v.detail.referrer = msg.c, msg.latest, msg.total, msg.referrer
	v.detail.loaded, v.detail.err = true, ""
	v.detail.tl.set(msg.latest, v.c.settings.Location())
	v.detail.tl.addRungChanges(rungChangesFor(msg.latest, v.c.settings, v.c.now()), v.c.settings.Location()) // loyalty.go
}

func (v *customersView) detailKey(msg tea.KeyPressMsg) tea.Cmd {
	k := v.dkeys
	d := &v.detail
	if cmd, ok := v.paneKey(msg); ok {
		return cmd
	}
	switch {
	case key.Matches(msg, k.Back):
		v.screen = d.back
		v.clampScroll()
	case key.Matches(msg, k.Up):
		d.offset = max(0, d.offset-1)
	case key.Matches(msg, k.Down):
		d.offset++
	case d.c.ID == 0:
		// Not read yet: nothing to act on.
	case key.Matches(msg, k.Edit):
		return v.openForm(d.c, false, screenDetail)
	case key.Matches(msg, k.Archive):
		v.askArchive(d.c)
	case key.Matches(msg, k.Delete):
		v.askDelete(d.c)
	case key.Matches(msg, k.History):
		return v.openHistory(d.c, screenDetail)
	case key.Matches(msg, redeemKey()):
		v.askRedeem(d.c)
	case key.Matches(msg, partnerKey()):
		v.askPartner(d.c)
	case key.Matches(msg, lostKey()):
		v.askLost(d.c) // lost.go
	}
	return nil
}

func (v *customersView) detailView() string {
	st := v.c.styles
	d := &v.detail
	c := d.c
	if c.ID == 0 {
		if d.err != "" {
			return st.Error.Render("This customer could not be read:") + "\n" + strings.Join(wrap(clean(d.err), v.w), "\n")
		}
		return st.Subtle.Render("Reading…")
	}
	right := fmt.Sprintf("#%d · %s", c.ID, statusText(c))
	lines := []string{joinEnds(st.Title.Render(clean(c.Name)), st.Subtle.Render(right), v.w), ""}
	if d.err != "" {
		lines = append(lines, st.Error.Render(truncate(clean(d.err), v.w)), "")
	}

	dash := st.Subtle.Render("—")
	or := func(s string) string {
		if strings.TrimSpace(s) == "" {
			return dash
		}
		return clean(s)
	}
	loc := v.c.settings.Location()
	birthday := dash
	if !c.Birthday.IsZero() {
		birthday = birthdayText(c.Birthday)
	}
	since := dash
	if !c.Since.IsZero() {
		since = c.Since.In(loc).Format(model.DayFormat)
	}
	referrer := dash
	if c.ReferredBy != 0 {
		referrer = fmt.Sprintf("#%d", c.ReferredBy)
		if d.referrer != "" {
			referrer = clean(d.referrer) + " " + st.Subtle.Render(referrer)
		}
	}
	optedOut := "no"
	if c.NoContact {
		optedOut = st.Warning.Render("yes: no cards or contact")
	}
	// Short values side by side when there is room; the rest full width.
	pairs := [][2]string{
		{"Phone", or(c.Phone)}, {"Birthday", birthday},
		{"Channel", or(c.Channel)}, {"Customer since", since},
		{"Referred by", referrer}, {"Found us via", or(c.Source)},
	}
	const lw = 15
	label := func(s string) string { return st.Label.Render(padRight(s, lw)) }
	if v.w >= 76 {
		half := v.w / 2
		for i := 0; i < len(pairs); i += 2 {
			left := padRight(label(pairs[i][0])+pairs[i][1], half-1)
			lines = append(lines, left+" "+label(pairs[i+1][0])+pairs[i+1][1])
		}
	} else {
		for _, p := range pairs {
			lines = append(lines, label(p[0])+p[1])
		}
	}
	long := func(name, text string) {
		if strings.TrimSpace(text) == "" {
			lines = append(lines, label(name)+dash)
			return
		}
		for i, l := range wrap(clean(text), max(10, v.w-lw)) {
			if i == 0 {
				lines = append(lines, label(name)+l)
			} else {
				lines = append(lines, strings.Repeat(" ", lw)+l)
			}
		}
	}
	lines = append(lines, label("Email")+or(c.Email), label("Opted out")+optedOut)
	long("Address", c.Address)
	tags := ""
	if len(c.Tags) > 0 {
		tags = strings.Join(c.Tags, ", ")
	}
	long("Tags", tags)
	long("Preferences", c.Preferences)
	long("Notes", c.Notes)
	if c.Status == model.StatusLost {
		long("Lost", lostText(c, loc)) // lost.go
	}

	lines = append(lines, "", st.Title.Render("Loyalty"))
	lines = append(lines, v.loyaltyLines(c)...) // rung, points, progress (loyalty.go)
	s := c.Stats
	lines = append(lines, "  "+fmt.Sprintf("%s · %s · %s spent",
		plural(s.Visits, "visit", "visits"), plural(s.Purchases, "purchase", "purchases"), v.c.money(s.Spend)))
	if !s.FirstVisit.IsZero() {
		lines = append(lines, "  "+fmt.Sprintf("First visit %s · last visit %s",
			s.FirstVisit.In(loc).Format(model.DayFormat), v.c.relative(s.LastVisit)))
	}
	if s.OpenComplaints > 0 {
		lines = append(lines, "  "+st.Warning.Render(plural(s.OpenComplaints, "open complaint", "open complaints")))
	}

	lines = append(lines, v.detailReminderLines(c.ID)...) // open reminders, cards sent (reminders.go)
	return v.detailPanes(lines)
}

func statusText(c model.Customer) string {
	if c.Status == "" {
		return string(model.StatusActive)
	}
	return string(c.Status)
}

// birthdayText writes a birthday for people: "15 April 1988", "24 December".
func birthdayText(b model.Birthday) string {
	s := fmt.Sprintf("%d %s", b.Day, time.Month(b.Month))
	if b.Year != 0 {
		s += fmt.Sprintf(" %d", b.Year)
	}
	return s
}

// ---- history ----

// historyState is a customer's history from the change feed.
type historyState struct {
	id      model.ID
	name    string
	changes []store.Change
	loaded  bool
	err     string
	offset  int
	back    screen
}

type historyLoadedMsg struct {
	id      model.ID
	changes []store.Change
	err     error
}

// historyLimit bounds how far back the history page reads.
const historyLimit = 500

func (v *customersView) openHistory(c model.Customer, back screen) tea.Cmd {
	v.history = historyState{id: c.ID, name: c.Name, back: back}
	v.screen = screenHistory
	return v.loadHistory(c.ID)
}

func (v *customersView) loadHistory(id model.ID) tea.Cmd {
	return v.c.do(func(s *store.Store) tea.Msg {
		list, err := s.History(id, historyLimit)
		return historyLoadedMsg{id: id, changes: list, err: err}
	})
}

func (v *customersView) gotHistory(msg historyLoadedMsg) {
	if msg.id != v.history.id {
		return
	}
	if msg.err != nil {
		v.history.err = msg.err.Error()
		return
	}
	v.history.changes, v.history.loaded, v.history.err = msg.changes, true, ""
}

func (v *customersView) historyKey(msg tea.KeyPressMsg) tea.Cmd {
	h := &v.history
	switch {
	case key.Matches(msg, v.bkeys.Back):
		v.screen = h.back
		if h.back == screenDetail {
			return v.loadDetail(v.detail.id)
		}
		v.clampScroll()
	case key.Matches(msg, v.bkeys.Up): // a change is two lines: move by one change
		h.offset = max(0, h.offset-2)
	case key.Matches(msg, v.bkeys.Down):
		h.offset += 2
	}
	return nil
}

func (v *customersView) historyView() string {
	st := v.c.styles
	h := &v.history
	lines := []string{st.Title.Render("History of "+clean(h.name)) + st.Subtle.Render(" · newest first"), ""}
	switch {
	case h.err != "":
		lines = append(lines, st.Error.Render("The history could not be read:"))
		lines = append(lines, wrap(clean(h.err), v.w)...)
	case !h.loaded:
		lines = append(lines, st.Subtle.Render("Reading…"))
	case len(h.changes) == 0:
		lines = append(lines, st.Subtle.Render("No changes are recorded for this customer."))
	}
	loc := v.c.settings.Location()
	var body []string
	for _, ch := range h.changes {
		when := ch.At.In(loc).Format("2006-01-02 15:04")
		summary := clean(ch.Summary)
		if ch.UndoneBy != 0 {
			summary += st.Subtle.Render(" (undone)")
		}
		body = append(body, truncate(when+"  "+summary, v.w))
		body = append(body, truncate(strings.Repeat(" ", 18)+st.Subtle.Render("by "+clean(ch.Actor.String())+", "+v.c.relative(ch.At)), v.w))
	}
	room := max(1, v.h-len(lines))
	h.offset = max(0, min(h.offset, len(body)-room))
	if h.offset > 0 && h.offset%2 == 1 {
		h.offset-- // keep each change's two lines together
	}
	if len(body) > 0 {
		lines = append(lines, body[h.offset:]...)
	}
	return strings.Join(lines, "\n")
}
