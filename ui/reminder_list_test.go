package ui

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/patron-crm/patron/model"
)

func drawOpen(t *rapid.T, label string, seq *int, base model.ID) model.Reminder {
	*seq++
	kind := rapid.SampledFrom([]model.ReminderKind{model.ReminderBirthday, model.ReminderThankYou, model.ReminderFollowUp}).Draw(t, label+" kind")
	c := base + model.ID(rapid.IntRange(1, 6).Draw(t, label+" customer"))
	day := rapid.IntRange(0, 5).Draw(t, label+" day")
	return model.Reminder{
		Key: fmt.Sprintf("%s:%d:%03d", kind, c, *seq), Customer: c, Kind: kind, Rule: string(kind), State: model.ReminderOpen,
		Due:  time.Date(2026, 11, 20+day, 0, 0, 0, 0, time.UTC),
		Note: rapid.SampledFrom([]string{"", "a note", "birthday on 2027-04-26"}).Draw(t, label+" note"),
	}
}

// listed is what a list holds, unpacked, in its order.
func listed(l *openList) []model.Reminder {
	var out []model.Reminder
	for i := range l.Len() {
		out = append(out, l.At(i))
	}
	return out
}

// The open reminders, packed in parts from any number of builders and
// merged change after change (past the point where the parts are copied
// into one), are always what sorting them all gives; each customer's
// places in the index are theirs, soonest first.
func TestTheOpenListIsAlwaysTheSortedReminders(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		seq := 0
		// Ids as NextSequence makes them, or far apart (the index's two ways).
		base := rapid.SampledFrom([]model.ID{0, 1 << 40}).Draw(t, "ids from")
		all := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) model.Reminder { return drawOpen(t, "r", &seq, base) }), 0, 30).Draw(t, "all")
		parts := rapid.IntRange(1, 3).Draw(t, "builders")
		builders := make([]*openBuilder, parts)
		for i := range builders {
			builders[i] = newOpenBuilder(0)
		}
		for i := range all {
			builders[rapid.IntRange(0, parts-1).Draw(t, "builder")].add(all[i : i+1])
		}
		l := openListOf(time.UTC, builders...)
		check := func(step string) {
			want := slices.Clone(all)
			model.SortReminders(want)
			if got := listed(l); !slices.EqualFunc(got, want, func(a, b model.Reminder) bool { return a.Key == b.Key && a.Due.Equal(b.Due) && a.Note == b.Note }) {
				t.Fatalf("%s: list %v, want %v", step, keysOf(got), keysOf(want))
			}
			for c := base + 1; c <= base+6; c++ {
				var mine []string
				for _, r := range want {
					if r.Customer == c {
						mine = append(mine, r.Key)
					}
				}
				var got []string
				for _, p := range l.of(c) {
					got = append(got, l.Key(int(p)))
				}
				if !slices.Equal(got, mine) {
					t.Fatalf("%s: customer %d's places give %v, want %v", step, c, got, mine)
				}
			}
		}
		check("built")
		for step := range rapid.IntRange(0, 40).Draw(t, "changes") {
			changed := base + model.ID(rapid.IntRange(1, 6).Draw(t, "changed"))
			all = slices.DeleteFunc(all, func(r model.Reminder) bool { return r.Customer == changed })
			var fresh []model.Reminder
			for range rapid.IntRange(0, 3).Draw(t, "fresh") {
				r := drawOpen(t, "fresh", &seq, base)
				r.Key = fmt.Sprintf("%s:%d:%03d", r.Kind, changed, seq)
				r.Customer = changed
				fresh = append(fresh, r)
			}
			all = append(all, fresh...)
			model.SortReminders(fresh)
			prev := l
			l = l.merged(func(i int) bool { return prev.cust[i] == changed }, fresh, time.UTC)
			if len(l.parts) > maxParts {
				t.Fatalf("%d parts after merging", len(l.parts))
			}
			check(fmt.Sprintf("change %d", step))
		}
	})
}

func keysOf(rs []model.Reminder) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Key)
	}
	return out
}
