package ui

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// redeemDialog is the `$` chooser: the rewards catalogue, cheapest first,
// with what the customer can afford marked. Choosing one they can afford
// asks to confirm; choosing one they cannot says how many points are
// missing and stays open. Redeeming is one undoable change.
type redeemDialog struct {
	c          *common
	id         model.ID
	name       string
	points     int64
	rewards    []model.Reward
	cursor     int
	confirming bool
	refusal    string // why the last choice was refused
}

// newRedeemDialog opens the chooser for a customer as the view knows them.
func newRedeemDialog(c *common, cu model.Customer) *redeemDialog {
	rs := slices.Clone(c.settings.Loyalty.Rewards)
	slices.SortStableFunc(rs, func(a, b model.Reward) int { return cmp.Compare(a.Points, b.Points) })
	d := &redeemDialog{c: c, id: cu.ID, name: cu.Name, points: max(0, cu.Stats.Points), rewards: rs}
	// Start on the best reward they can afford: the dearest within reach.
	for i, r := range rs {
		if r.Points <= d.points {
			d.cursor = i
		}
	}
	return d
}

func (d *redeemDialog) affords(r model.Reward) bool { return r.Points <= d.points }

func (d *redeemDialog) update(msg tea.Msg) (bool, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false, nil
	}
	if d.confirming {
		switch k.String() {
		case "y", "enter":
			return true, d.redeem(d.rewards[d.cursor])
		case "n", "esc":
			d.confirming = false // back to the catalogue
		}
		return false, nil
	}
	switch k.String() {
	case "esc", "q":
		return true, nil
	case "up", "k":
		d.cursor = max(0, d.cursor-1)
		d.refusal = ""
	case "down", "j":
		d.cursor = max(0, min(len(d.rewards)-1, d.cursor+1))
		d.refusal = ""
	case "g", "home":
		d.cursor, d.refusal = 0, ""
	case "G", "end":
		d.cursor, d.refusal = max(0, len(d.rewards)-1), ""
	case "enter", "space":
		if len(d.rewards) == 0 {
			return true, nil
		}
		r := d.rewards[d.cursor]
		if !d.affords(r) {
			d.refusal = fmt.Sprintf("%s has %s: %s needs %s.",
				clean(d.name), pointsText(d.points), clean(r.Name), plural(int(r.Points-d.points), "more point", "more points"))
			return false, nil
		}
		d.refusal = ""
		d.confirming = true
	}
	return false, nil
}

// redeem spends the points in a tea.Cmd and says what happened.
func (d *redeemDialog) redeem(r model.Reward) tea.Cmd {
	id, name := d.id, d.name
	return d.c.do(func(s *store.Store) tea.Msg {
		if _, err := s.Redeem(id, r.Name); err != nil {
			return statusMsg{text: redeemRefusal(err), kind: statusError}
		}
		var left int64
		if after, err := s.Customer(id); err == nil {
			left = after.Stats.Points
		}
		// The message line and the change feed, in one answer.
		return tea.BatchMsg{say(fmt.Sprintf("Redeemed %s for %s: %s, %s left. u undoes it.",
			clean(r.Name), clean(name), pointsText(r.Points), thousands(int(left)))), wrote}
	})
}

// redeemRefusal words the store's refusal; a balance spent meanwhile in
// another window says how many points are missing.
func redeemRefusal(err error) string {
	var short *model.NotEnoughPoints
	if errors.As(err, &short) {
		return "Not redeemed: " + short.Error() + "."
	}
	return "Not redeemed: " + err.Error()
}

func pointsText(n int64) string { return plural(int(n), "point", "points") }

func (d *redeemDialog) view(st *Styles, w int) string {
	name := clean(d.name)
	if d.confirming {
		r := d.rewards[d.cursor]
		return boxed(st, w, fmt.Sprintf("Redeem %s for %s?", clean(r.Name), name),
			[]string{fmt.Sprintf("%s of their %s; %s left.", pointsText(r.Points), pointsText(d.points), pointsText(d.points-r.Points)),
				"It is logged on their timeline; u undoes it."},
			st.Key.Render("y")+" redeem  "+st.Key.Render("n/esc")+" back")
	}
	title := fmt.Sprintf("Redeem a reward for %s (%s)", name, pointsText(d.points))
	if len(d.rewards) == 0 {
		return boxed(st, w, title,
			[]string{"There are no rewards in the catalogue yet.", "Add them in Settings (,) under Loyalty."},
			st.Key.Render("esc")+" close")
	}
	inner := max(1, min(64, w-4))
	pw, nw := 0, 0
	for _, r := range d.rewards {
		pw = max(pw, width(pointsText(r.Points)))
		nw = max(nw, width(clean(r.Name)))
	}
	top := max(0, min(d.cursor-listDialogRows/2, len(d.rewards)-listDialogRows))
	var body []string
	for i := top; i < len(d.rewards) && i < top+listDialogRows; i++ {
		r := d.rewards[i]
		mark, note := "✓ ", ""
		if !d.affords(r) {
			mark, note = "  ", plural(int(r.Points-d.points), "more needed", "more needed")
		}
		right := padLeft(pointsText(r.Points), pw)
		if note != "" {
			right += "  " + note
		}
		nameW := max(4, min(nw, inner-2-2-width(right)-2))
		line := mark + padRight(clean(r.Name), nameW) + "  " + right
		if i == d.cursor {
			body = append(body, st.Selected.Render("> "+line))
		} else if !d.affords(r) {
			body = append(body, "  "+st.Subtle.Render(line))
		} else {
			body = append(body, "  "+line)
		}
	}
	if len(d.rewards) > listDialogRows {
		body = append(body, st.Subtle.Render(fmt.Sprintf("  %d of %d", d.cursor+1, len(d.rewards))))
	}
	if d.refusal != "" {
		body = append(body, "", st.Error.Render("✗ "+d.refusal))
	}
	keys := st.Key.Render("↑↓") + " move  " + st.Key.Render("enter") + " redeem  " + st.Key.Render("esc") + " cancel"
	return boxed(st, w, title, body, keys)
}
