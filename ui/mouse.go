package ui

import tea "charm.land/bubbletea/v2"

// listMouse reads the mouse over a list whose first row is drawn on line
// top, scrolled by offset, with rows rows: by is how far a wheel turn
// moves the cursor, and row the row a left click landed on (-1 for none).
func listMouse(msg tea.MouseMsg, top, offset, rows int) (by, row int) {
	m := msg.Mouse()
	row = -1
	switch msg.(type) {
	case tea.MouseWheelMsg:
		switch m.Button {
		case tea.MouseWheelUp:
			by = -3
		case tea.MouseWheelDown:
			by = 3
		}
	case tea.MouseClickMsg:
		if r := m.Y - top + offset; m.Button == tea.MouseLeft && m.Y >= top && r >= 0 && r < rows {
			row = r
		}
	}
	return by, row
}
