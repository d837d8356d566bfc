package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/patron-crm/patron/model"
)

func TestMergeKeepsEveryInteractionAndThePointsSum(t *testing.T) {
	dir := t.TempDir()
	n := 0
	rapid.Check(t, func(rt *rapid.T) {
		n++
		s := openTestStore(t, filepath.Join(dir, fmt.Sprintf("merge%d.db", n)), "w1")
		a, _ := s.AddCustomer(model.Customer{Name: "Ana Lima", Email: "ana@example.com"})
		b, _ := s.AddCustomer(model.Customer{Name: "Ana Lima (old card)", Phone: "555 0101"})
		var ids []model.ID
		points := int64(0)
		for _, who := range []model.ID{a.ID, b.ID} {
			for i, k := 0, rapid.IntRange(0, 6).Draw(rt, "interactions"); i < k; i++ {
				in := model.Interaction{Customer: who, At: testNow.Add(-time.Duration(rapid.IntRange(1, 24*400).Draw(rt, "hours ago")) * time.Hour)}
				switch rapid.IntRange(0, 2).Draw(rt, "kind") {
				case 0:
					in.Kind, in.Amount = model.KindPurchase, model.Money(rapid.Int64Range(100, 50000).Draw(rt, "amount"))
					in.Points = int64(in.Amount / 100)
				case 1:
					in.Kind = model.KindVisit
				default:
					in.Kind = model.KindCall
				}
				saved, err := s.AddInteraction(in)
				if err != nil {
					rt.Fatal(err)
				}
				ids = append(ids, saved.ID)
				points += saved.Points
			}
		}
		merged, err := s.MergeCustomers(a.ID, b.ID, nil)
		if err != nil {
			rt.Fatal(err)
		}
		list, _ := s.Interactions(a.ID)
		var got []model.ID
		for _, in := range list {
			got = append(got, in.ID)
			if in.Customer != a.ID {
				rt.Fatalf("interaction #%d still names #%d", in.ID, in.Customer)
			}
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
		if len(got) != len(ids) {
			rt.Fatalf("interactions %v after merge, want %v", got, ids)
		}
		for i := range ids {
			if got[i] != ids[i] {
				rt.Fatalf("interactions %v after merge, want %v", got, ids)
			}
		}
		if merged.Stats.Points != points || merged.Stats.Interactions != len(ids) {
			rt.Fatalf("points %d (want %d), interactions %d (want %d)", merged.Stats.Points, points, merged.Stats.Interactions, len(ids))
		}
		// Each interaction is still found by its id and in the global log.
		for _, id := range ids {
			if in, err := s.Interaction(id); err != nil || in.Customer != a.ID {
				rt.Fatalf("interaction #%d: %+v %v", id, in, err)
			}
		}
		log, _, _ := s.RecentInteractions(nil, 1000)
		if len(log) != len(ids) {
			rt.Fatalf("the log holds %d, want %d", len(log), len(ids))
		}
		if _, err := s.Customer(b.ID); !errors.Is(err, ErrNotFound) {
			rt.Fatalf("the other customer is still there: %v", err)
		}
		if merged.Phone != "555 0101" || merged.Email != "ana@example.com" {
			rt.Fatalf("merged: %+v", merged)
		}
		if found, err := s.FindCustomer("555 0101"); err != nil || found.ID != a.ID {
			rt.Fatalf("find by the other's phone: %v %v", found.ID, err)
		}
		checkImportIndexes(t, s)
	})
}

func TestMergeMovesRemindersReferralsAndDecisions(t *testing.T) {
	s := newTestStore(t)
	survivor, _ := s.AddCustomer(model.Customer{Name: "Rui Costa", Email: "rui@example.com", Birthday: model.Birthday{Month: 12, Day: 1}})
	other, _ := s.AddCustomer(model.Customer{Name: "R. Costa", Phone: "555 0202", Birthday: model.Birthday{Month: 12, Day: 1}})
	friend, _ := s.AddCustomer(model.Customer{Name: "Bea Reis"})
	sent, _ := s.AddCustomer(model.Customer{Name: "Carla Dias"})
	// The friend referred the other; the other referred Carla.
	if _, err := s.AddInteraction(model.Interaction{Customer: friend.ID, Kind: model.KindReferral, Referred: other.ID, At: testNow.Add(-48 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddInteraction(model.Interaction{Customer: other.ID, Kind: model.KindReferral, Referred: sent.ID, At: testNow.Add(-24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	rem, err := s.AddReminder(model.Reminder{Customer: other.ID, Kind: model.ReminderFollowUp, Due: testNow.Add(48 * time.Hour), Note: "call back"})
	if err != nil {
		t.Fatal(err)
	}
	// A decision on the other's generated birthday card.
	rs, _ := s.Reminders(testNow.AddDate(0, 1, 0))
	var card model.Reminder
	for _, r := range rs {
		if r.Customer == other.ID && r.Kind == model.ReminderBirthday {
			card = r
		}
	}
	if card.Key == "" {
		t.Fatalf("no birthday card for the other in %+v", rs)
	}
	if err := s.Dismiss(card, "they asked for no cards"); err != nil {
		t.Fatal(err)
	}

	merged, err := s.MergeCustomers(survivor.ID, other.ID, map[string]string{"name": "survivor"})
	if err != nil {
		t.Fatal(err)
	}
	if merged.ReferredBy != friend.ID {
		t.Errorf("the survivor should now be referred by the friend: %+v", merged)
	}
	c, _ := s.Customer(sent.ID)
	if c.ReferredBy != survivor.ID {
		t.Errorf("Carla is referred by #%d, want #%d", c.ReferredBy, survivor.ID)
	}
	fl, _ := s.Interactions(friend.ID)
	if len(fl) != 1 || fl[0].Referred != survivor.ID {
		t.Errorf("the friend's referral names %+v", fl)
	}
	r, err := s.Reminder(rem.ID)
	if err != nil || r.Customer != survivor.ID {
		t.Errorf("reminder: %+v %v", r, err)
	}
	decisions, _ := s.Decisions()
	moved := strings.Replace(card.Key, ":"+idString(other.ID)+":", ":"+idString(survivor.ID)+":", 1)
	if d, ok := decisions[moved]; !ok || d.Customer != survivor.ID {
		t.Errorf("decision not moved to %s: %+v", moved, decisions)
	}
	if _, ok := decisions[card.Key]; ok {
		t.Errorf("the other's decision is still under %s", card.Key)
	}
	checkImportIndexes(t, s)
}

func idString(id model.ID) string { return refString(id)[1:] }

func TestMergeIsOneChangeThatUndoes(t *testing.T) {
	s := newTestStore(t)
	a, _ := s.AddCustomer(model.Customer{Name: "Ana Lima", Email: "ana@example.com", Tags: []string{"vip"}, Notes: "white roses"})
	b, _ := s.AddCustomer(model.Customer{Name: "Ana M. Lima", Phone: "555 0101", Tags: []string{"wedding"}, Notes: "pays cash"})
	s.AddInteraction(model.Interaction{Customer: b.ID, Kind: model.KindPurchase, Amount: 1000, Points: 10, At: testNow.Add(-time.Hour)})
	before := snapshot(t, s)
	feed, _ := s.ChangesSince(0)
	merged, err := s.MergeCustomers(a.ID, b.ID, map[string]string{"name": "other"})
	if err != nil {
		t.Fatal(err)
	}
	if merged.Name != "Ana M. Lima" || strings.Join(merged.Tags, ",") != "vip,wedding" || merged.Notes != "white roses\npays cash" || merged.Stats.Points != 10 {
		t.Fatalf("merged: %+v", merged)
	}
	after, _ := s.ChangesSince(feed.Latest)
	if len(after.Changes) != 1 || after.Changes[0].Summary != "Merged Ana M. Lima (#2) into Ana M. Lima" {
		t.Fatalf("changes: %+v", after.Changes)
	}
	if _, err := s.Undo(); err != nil {
		t.Fatal(err)
	}
	if got := snapshot(t, s); got != before {
		t.Fatalf("undo of a merge:\n%s", firstDiff(before, got))
	}
	checkImportIndexes(t, s)
}

func TestMergeChoicesAndRefusals(t *testing.T) {
	s := newTestStore(t)
	a := model.Customer{Name: "Ana Lima", Email: "ana@example.com", Tags: []string{"vip"}, Since: testNow.AddDate(-1, 0, 0)}
	b := model.Customer{Name: "Ana Lima", Phone: "555 0101", Email: "ana@old.example", Tags: []string{"wedding"}, Since: testNow.AddDate(-3, 0, 0), NoContact: true}
	choices := MergeChoices(a, b)
	got := map[string]string{}
	for _, c := range choices {
		got[c.Key] = c.Default
	}
	want := map[string]string{"phone": "other", "email": "survivor", "tags": "both", "since": "other", "no_contact": "other"}
	if len(got) != len(want) {
		t.Fatalf("choices %+v, want %v", choices, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s defaults to %s, want %s", k, got[k], v)
		}
	}
	sa, _ := s.AddCustomer(a)
	sb, _ := s.AddCustomer(b)
	if _, err := s.MergeCustomers(sa.ID, sa.ID, nil); err == nil {
		t.Error("merged a customer with themselves")
	}
	if _, err := s.MergeCustomers(sa.ID, sb.ID, map[string]string{"email": "both"}); err == nil || !strings.Contains(err.Error(), "survivor or other") {
		t.Errorf("a bad pick: %v", err)
	}
	if _, err := s.MergeCustomers(sa.ID, sb.ID, map[string]string{"shoe size": "other"}); err == nil {
		t.Error("an unknown field was accepted")
	}
	if _, err := s.MergeCustomers(sa.ID, 999, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("merging someone missing: %v", err)
	}
	m, err := s.MergeCustomers(sa.ID, sb.ID, map[string]string{"email": "other"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Email != "ana@old.example" || m.Phone != "555 0101" || !m.NoContact || !m.Since.Equal(b.Since) {
		t.Fatalf("%+v", m)
	}
	// The survivor's old email no longer finds anyone; the new one finds the survivor.
	if _, err := s.FindCustomer("ana@example.com"); err == nil {
		t.Error("the dropped email still finds someone")
	}
	if f, err := s.FindCustomer("ana@old.example"); err != nil || f.ID != sa.ID {
		t.Errorf("find by the kept email: %v %v", f.ID, err)
	}
}
