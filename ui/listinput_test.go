package ui

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

func TestListMouseReadsWheelAndClicks(t *testing.T) {
	const top, offset, rows = 3, 10, 20 // 20 rows, scrolled so that row 10 is drawn on line 3
	cases := []struct {
		name    string
		msg     tea.MouseMsg
		by, row int
	}{
		{"wheel up", tea.MouseWheelMsg{Y: 5, Button: tea.MouseWheelUp}, -3, -1},
		{"wheel down", tea.MouseWheelMsg{Y: 5, Button: tea.MouseWheelDown}, 3, -1},
		{"click on the first row shown", tea.MouseClickMsg{Y: 3, Button: tea.MouseLeft}, 0, 10},
		{"click on the last row there is", tea.MouseClickMsg{Y: 12, Button: tea.MouseLeft}, 0, 19},
		{"click below the last row", tea.MouseClickMsg{Y: 13, Button: tea.MouseLeft}, 0, -1},
		{"click on the heading", tea.MouseClickMsg{Y: 2, Button: tea.MouseLeft}, 0, -1},
		{"right click", tea.MouseClickMsg{Y: 4, Button: tea.MouseRight}, 0, -1},
	}
	for _, c := range cases {
		by, row := listMouse(c.msg, top, offset, rows)
		if by != c.by || row != c.row {
			t.Errorf("%s: moved %d, row %d; want %d, %d", c.name, by, row, c.by, c.row)
		}
	}
}

func TestMovementKeysStepThroughAList(t *testing.T) {
	k := newMoveKeys("first", "last")
	const n, page = 40, 12
	cases := []struct {
		key tea.KeyPressMsg
		by  int
		ok  bool
	}{
		{tea.KeyPressMsg{Code: 'j', Text: "j"}, 1, true},
		{tea.KeyPressMsg{Code: tea.KeyUp}, -1, true},
		{tea.KeyPressMsg{Code: 'g', Text: "g"}, -n, true},
		{tea.KeyPressMsg{Code: 'G', Text: "G", Mod: tea.ModShift}, n, true},
		{tea.KeyPressMsg{Code: tea.KeyPgDown}, page, true},
		{tea.KeyPressMsg{Code: 'b', Mod: tea.ModCtrl}, -page, true},
		{tea.KeyPressMsg{Code: 'x', Text: "x"}, 0, false},
	}
	for _, c := range cases {
		by, ok := k.step(c.key, n, page)
		if by != c.by || ok != c.ok {
			t.Errorf("%q: step %d, %v; want %d, %v", c.key.String(), by, ok, c.by, c.ok)
		}
	}
}
