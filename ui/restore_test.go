package ui

import (
	"strings"
	"testing"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// TestRestoreWhileTheWindowIsOpen: `patron restore` of a checked backup
// while the interface is open on the file: the window notices on its next
// poll, shows the restored customers and says so, and its next save goes
// into the restored file.
func TestRestoreWhileTheWindowIsOpen(t *testing.T) {
	s := shopFile(t)
	backup, err := s.Backup("")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, s, 80, 24)
	addCustomer(t, s, model.Customer{Name: "Added After The Backup"})
	h.send(tickMsg{})
	h.mustShow("Added After The Backup")

	if err := store.Restore(s.Path(), backup); err != nil {
		t.Fatal(err)
	}
	h.send(tickMsg{})
	h.mustNotShow("Added After The Backup")
	h.mustShow("Ana Lima")
	if !strings.Contains(h.status(), "replaced") {
		t.Errorf("the window did not say the file was replaced: %q", h.status())
	}

	h.keys("a").typeText("Saved After The Restore").keys("ctrl+s")
	if _, err := s.FindCustomer("Saved After The Restore"); err != nil {
		t.Fatalf("the window's save after the restore: %v", err)
	}
	if _, err := s.FindCustomer("Added After The Backup"); err == nil {
		t.Fatal("the customer added after the backup is still in the restored file")
	}
}
