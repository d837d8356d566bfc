package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// TestJourneyLoyaltyInTheInterface is issue 6's journey as a shop owner
// takes it, with the real binary in tmux: Rosa is a prospect; three
// purchases logged from another terminal make her a client in the running
// list and in her detail and raise a tier-up reminder; `$` redeems the
// free gift wrap, which takes 50 of her 90 points and is logged on her
// timeline; the Loyalty tab counts her as a client.
func TestJourneyLoyaltyInTheInterface(t *testing.T) {
	needTmux(t)
	dir := t.TempDir()
	bin := buildPatron(t)
	db := filepath.Join(dir, "data", "patron.db")
	patron := patronCLI(t, bin, dir, db)
	patron("add", "Rosa Matos", "--phone", "555 0303")

	tm := openTerminal(t, "loyaltyui", dir, db, 100, 30, "TERM=xterm-256color")
	tm.typeText(bin)
	tm.keys("Enter")
	tm.waitFor(10*time.Second, "1 Customers", "Rosa Matos", "Rung", "prospect")

	// Three purchases from another terminal: she climbs to client in the running list.
	for _, at := range []string{"-2d", "-1d", "-1h"} {
		patron("log", "Rosa Matos", "--kind", "purchase", "--amount", "30.00", "--at", at, "--note", "tulips")
	}
	tm.waitFor(3*time.Second, "client", "90")
	if strings.Contains(tm.screen(), "prospect") {
		t.Fatalf("the list still shows her as a prospect:\n%s", tm.screen())
	}

	// Her detail shows the rung, the points and the way to supporter.
	tm.keys("Enter")
	tm.waitFor(2*time.Second, "client · 90 points", "1 reward ready ($ redeems)", "To supporter")

	// Moving up raised a tier-up reminder.
	var due []struct {
		Customer string `json:"customer"`
		Kind     string `json:"kind"`
	}
	if err := json.Unmarshal([]byte(patron("reminders", "--json", "--until", "+14d")), &due); err != nil {
		t.Fatal(err)
	}
	tierUp := false
	for _, r := range due {
		tierUp = tierUp || (r.Customer == "Rosa Matos" && r.Kind == string(model.ReminderTierUp))
	}
	if !tierUp {
		t.Fatalf("no tier-up reminder for Rosa in %+v", due)
	}

	// $ redeems the free gift wrap: 50 of her 90 points.
	tm.keys("$")
	tm.waitFor(2*time.Second, "Redeem a reward for Rosa Matos (90 points)", "free gift wrap", "10 more needed")
	tm.keys("Enter")
	tm.waitFor(2*time.Second, "Redeem free gift wrap for Rosa Matos?")
	tm.keys("y")
	tm.waitFor(3*time.Second, "Redeemed free gift wrap for Rosa Matos: 50 points, 40 left.", "client · 40 points")

	var loyalty struct {
		Points int64  `json:"points"`
		Rung   string `json:"rung"`
	}
	if err := json.Unmarshal([]byte(patron("loyalty", "Rosa Matos", "--json")), &loyalty); err != nil {
		t.Fatal(err)
	}
	if loyalty.Points != 40 || loyalty.Rung != "client" {
		t.Fatalf("patron loyalty says %+v", loyalty)
	}

	// The Loyalty tab counts her among the clients.
	tm.keys("4")
	tm.waitFor(2*time.Second, "Loyalty · the 12 months to", "3+ purchases in 12 months", "Close to the next rung")
	tm.keys("q")
	tm.waitGone(5*time.Second, "1 Customers")

	// The redemption is on her timeline.
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rosa, err := s.FindCustomer("Rosa Matos")
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.Interactions(rosa.ID)
	if err != nil {
		t.Fatal(err)
	}
	logged := false
	for _, in := range list {
		logged = logged || (in.Kind == model.KindRedeemed && in.Reward == "free gift wrap" && in.Points == -50)
	}
	if !logged || rosa.Stats.Points != 40 {
		t.Fatalf("points %d, timeline %+v", rosa.Stats.Points, list)
	}
}
