package ui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// waitMsg runs a command that may block (listen) with a generous bound.
func waitMsg(t *testing.T, cmd tea.Cmd) tea.Msg {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command to wait for")
	}
	got := make(chan tea.Msg, 1)
	go func() { got <- cmd() }()
	select {
	case msg := <-got:
		return msg
	case <-time.After(5 * time.Second):
		t.Fatal("the command did not return within 5 s")
	}
	return nil
}

func TestAWriteInThisProcessShowsWithoutWaitingForThePoll(t *testing.T) {
	other := shopFile(t)
	h := newHarness(t, other, 80, 24)
	ch, cancel := store.Subscribe(other.Path())
	defer cancel()
	h.app.notify = ch

	addCustomer(t, other, model.Customer{Name: "Rui Patrício"})
	h.mustNotShow("Rui Patrício")
	msg := waitMsg(t, h.app.listen())
	n, ok := msg.(notifiedMsg)
	if !ok || n.seq <= h.app.seen {
		t.Fatalf("listen returned %#v, want news of a change after %d", msg, h.app.seen)
	}
	cancel() // the harness runs commands in line: the next listen must not wait
	h.send(msg)
	h.mustShow("Rui Patrício")
}

func TestNewsOfAChangeAlreadySeenReadsNothing(t *testing.T) {
	s := shopFile(t)
	h := newHarness(t, s, 80, 24)
	ch, cancel := store.Subscribe(s.Path())
	h.app.notify = ch
	cancel()
	_, cmd := h.app.Update(notifiedMsg{seq: h.app.seen})
	if h.app.polling {
		t.Fatal("a change this window has already read started a read of the feed")
	}
	if msg := waitMsg(t, cmd); msg != nil {
		t.Fatalf("after the subscription ended, listening returned %#v", msg)
	}
}

func TestWithoutASubscriptionNothingListens(t *testing.T) {
	h := newHarness(t, shopFile(t), 80, 24)
	if h.app.listen() != nil {
		t.Fatal("a window without Options.Notify waits on a channel")
	}
}
