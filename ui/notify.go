package ui

import tea "charm.land/bubbletea/v2"

// notifiedMsg says a window in this process wrote change seq to the file.
type notifiedMsg struct{ seq uint64 }

// listen waits for the next write in this process (Options.Notify). When the
// subscription is cancelled the channel closes and the wait ends quietly.
func (a *App) listen() tea.Cmd {
	ch := a.notify
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		seq, ok := <-ch
		if !ok {
			return nil
		}
		return notifiedMsg{seq: seq}
	}
}

// notified reads the change feed now, unless this window has already seen
// that change (its own write, read back after saving), and listens again.
func (a *App) notified(msg notifiedMsg) tea.Cmd {
	if !a.started || msg.seq <= a.seen {
		return a.listen()
	}
	return tea.Batch(a.listen(), a.poll())
}
