package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/patron-crm/patron/model"
)

// logShop is a file with a few customers and a varied log: every kind,
// notes in several cases and scripts, complaints open and resolved, and
// several interactions in the same second.
func logShop(t *testing.T) (*Store, []LogEntry) {
	t.Helper()
	s := openTestStore(t, filepath.Join(memTempDir(t), "patron.db"), "w1")
	names := []string{"Ana Lima", "Bruno \"Bru\" Costa", "Çelik Yılmaz", "Dora <Shop> & Co"}
	var ids []model.ID
	for _, n := range names {
		c, err := s.AddCustomer(model.Customer{Name: n})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	notes := []string{"Blue scarf", "asked about TULIPS", "café au lait", "", "late <delivery> & broken", "gift for \"Mum\""}
	kinds := []model.Kind{model.KindPurchase, model.KindVisit, model.KindComplaint, model.KindCall, model.KindFeedback, model.KindNote, model.KindComplaint, model.KindReturn}
	var all []LogEntry
	for i := range 120 {
		k := kinds[i%len(kinds)]
		in := model.Interaction{Customer: ids[i%len(ids)], Kind: k, Note: notes[i%len(notes)],
			At: testNow.Add(-time.Duration(i/2) * 7 * time.Hour)} // pairs share a second
		switch k {
		case model.KindPurchase, model.KindReturn:
			in.Amount = model.Money(100 + i)
		case model.KindFeedback:
			in.Score = 1 + i%5
		case model.KindComplaint:
			in.Category = []string{"late delivery", "damaged item"}[(i/8)%2]
			if i%3 == 0 {
				in.Resolved, in.ResolvedAt, in.Resolution = true, in.At.Add(time.Hour), "Sent a new one"
			}
		}
		saved, err := s.AddInteraction(in)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, LogEntry{Interaction: saved, Name: names[i%len(names)]})
	}
	// Newest first, as the by-time index orders them: time, then id.
	slices.SortFunc(all, func(a, b LogEntry) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return int(b.ID) - int(a.ID)
	})
	return s, all
}

// readAll pages through the log with f until the end.
func readAll(t testing.TB, s *Store, f LogFilter, limit int) ([]LogEntry, int) {
	t.Helper()
	var out []LogEntry
	var cur LogCursor
	reads := 0
	for {
		p, err := s.LogPage(f, cur, limit)
		if err != nil {
			t.Fatal(err)
		}
		reads++
		if len(p.Entries) > limit {
			t.Fatalf("a page of %d entries for a limit of %d", len(p.Entries), limit)
		}
		out = append(out, p.Entries...)
		if p.Next == nil {
			return out, reads
		}
		if reads > 10_000 {
			t.Fatal("the pages never end")
		}
		cur = p.Next
	}
}

func entryIDs(list []LogEntry) []model.ID {
	out := make([]model.ID, len(list))
	for i, e := range list {
		out[i] = e.ID
	}
	return out
}

func TestLogPageReadsEverythingNewestFirstWithNames(t *testing.T) {
	s, all := logShop(t)
	got, _ := readAll(t, s, LogFilter{}, 7)
	if fmt.Sprint(entryIDs(got)) != fmt.Sprint(entryIDs(all)) {
		t.Fatalf("paged log\n %v\nwant\n %v", entryIDs(got), entryIDs(all))
	}
	for i, e := range got {
		if e.Name != all[i].Name {
			t.Fatalf("entry #%d is named %q, want %q", e.ID, e.Name, all[i].Name)
		}
	}
	// The same order as RecentInteractions, the Log tab's plain first page.
	recent, _, err := s.RecentInteractions(nil, 50)
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.LogPage(LogFilter{}, nil, 50)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recent {
		if recent[i].ID != first.Entries[i].ID {
			t.Fatalf("entry %d: LogPage has #%d, RecentInteractions #%d", i, first.Entries[i].ID, recent[i].ID)
		}
	}
}

func TestLogPageFilters(t *testing.T) {
	s, all := logShop(t)
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	cases := []struct {
		name string
		f    LogFilter
		want func(e LogEntry) bool
	}{
		{"kind", LogFilter{Kind: model.KindFeedback}, func(e LogEntry) bool { return e.Kind == model.KindFeedback }},
		{"open complaints", LogFilter{OpenComplaints: true}, func(e LogEntry) bool { return e.Kind == model.KindComplaint && !e.Resolved }},
		{"range", LogFilter{From: day(20), Until: day(23)}, func(e LogEntry) bool { return !e.At.Before(day(20)) && e.At.Before(day(23)) }},
		{"since", LogFilter{From: day(24)}, func(e LogEntry) bool { return !e.At.Before(day(24)) }},
		{"until", LogFilter{Until: day(10)}, func(e LogEntry) bool { return e.At.Before(day(10)) }},
		{"text in a note, any case", LogFilter{Text: "tulips"}, func(e LogEntry) bool { return e.Note == "asked about TULIPS" }},
		{"text in a name", LogFilter{Text: "ana li"}, func(e LogEntry) bool { return e.Name == "Ana Lima" }},
		{"text JSON escapes", LogFilter{Text: "<delivery> &"}, func(e LogEntry) bool { return strings.Contains(e.Note, "<delivery> &") }},
		{"text with a quote", LogFilter{Text: `"mum"`}, func(e LogEntry) bool { return strings.Contains(e.Note, `"Mum"`) }},
		{"text beyond ASCII", LogFilter{Text: "ÇELİK"}, func(e LogEntry) bool { return e.Name == "Çelik Yılmaz" }},
		{"text in a category", LogFilter{Text: "damaged"}, func(e LogEntry) bool { return e.Category == "damaged item" }},
		{"text in a kind", LogFilter{Text: "return/rep"}, func(e LogEntry) bool { return e.Kind == model.KindReturn }},
		{"everything at once", LogFilter{Kind: model.KindComplaint, From: day(15), Text: "late"},
			func(e LogEntry) bool {
				return e.Kind == model.KindComplaint && !e.At.Before(day(15)) &&
					(e.Category == "late delivery" || strings.Contains(e.Note, "late"))
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var want []model.ID
			for _, e := range all {
				if tc.want(e) {
					want = append(want, e.ID)
				}
			}
			if len(want) == 0 && tc.name != "text beyond ASCII" {
				t.Fatal("the case selects nothing: it would prove nothing")
			}
			got, _ := readAll(t, s, tc.f, 5)
			if fmt.Sprint(entryIDs(got)) != fmt.Sprint(want) {
				t.Fatalf("got  %v\nwant %v", entryIDs(got), want)
			}
		})
	}
}

// A filter that skips most records still keeps each open of the file
// short: it reads a bounded number of records and says where to resume.
func TestLogPageStopsAfterABoundedScanAndResumes(t *testing.T) {
	s, all := logShop(t)
	defer func(n int) { logScanMax = n }(logScanMax)
	logScanMax = 10
	var want []model.ID
	for _, e := range all {
		if e.Kind == model.KindFeedback {
			want = append(want, e.ID)
		}
	}
	p, err := s.LogPage(LogFilter{Kind: model.KindFeedback}, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	if p.Next == nil || len(p.Entries) >= len(want) {
		t.Fatalf("one read of at most 10 records returned %d of %d feedbacks and next %v", len(p.Entries), len(want), p.Next)
	}
	if p.Reached.IsZero() || !p.Reached.Before(testNow) {
		t.Fatalf("reached %v: it should say how far back it looked", p.Reached)
	}
	got, reads := readAll(t, s, LogFilter{Kind: model.KindFeedback}, 100)
	if fmt.Sprint(entryIDs(got)) != fmt.Sprint(want) {
		t.Fatalf("got  %v\nwant %v", entryIDs(got), want)
	}
	if reads < len(all)/10 {
		t.Fatalf("%d reads for %d records at 10 a read", reads, len(all))
	}
}

// Whatever the filter, page size and scan bound, paging yields exactly the
// entries Matches passes, newest first, each once.
func TestLogPagingEqualsFilteringEverything(t *testing.T) {
	s, all := logShop(t)
	defer func(n int) { logScanMax = n }(logScanMax)
	kinds := append([]model.Kind{""}, model.Kinds...)
	texts := []string{"", "a", "TULIP", "lima", "ç", "\"", "late", "zzz"}
	rapid.Check(t, func(rt *rapid.T) {
		f := LogFilter{
			Kind:           rapid.SampledFrom(kinds).Draw(rt, "kind"),
			OpenComplaints: rapid.Bool().Draw(rt, "open"),
			Text:           rapid.SampledFrom(texts).Draw(rt, "text"),
		}
		if rapid.Bool().Draw(rt, "from") {
			f.From = testNow.Add(-time.Duration(rapid.IntRange(0, 500).Draw(rt, "fromH")) * time.Hour)
		}
		if rapid.Bool().Draw(rt, "until") {
			f.Until = testNow.Add(-time.Duration(rapid.IntRange(-10, 500).Draw(rt, "untilH")) * time.Hour)
		}
		logScanMax = rapid.IntRange(1, 200).Draw(rt, "scan")
		var want []model.ID
		for _, e := range all {
			if f.Matches(e) {
				want = append(want, e.ID)
			}
		}
		got, _ := readAll(t, s, f, rapid.IntRange(1, 60).Draw(rt, "limit"))
		if fmt.Sprint(entryIDs(got)) != fmt.Sprint(want) {
			rt.Fatalf("%+v:\ngot  %v\nwant %v", f, entryIDs(got), want)
		}
	})
}

func TestLogEntriesLeavesOutTheDeleted(t *testing.T) {
	s, all := logShop(t)
	if err := s.DeleteInteraction(all[1].ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.LogEntries([]model.ID{all[0].ID, all[1].ID, all[2].ID, 99999})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(entryIDs(got)) != fmt.Sprint([]model.ID{all[0].ID, all[2].ID}) || got[0].Name != all[0].Name {
		t.Fatalf("got %+v", got)
	}
}

func TestResolveComplaint(t *testing.T) {
	s := newTestStore(t)
	c, err := s.AddCustomer(model.Customer{Name: "Ana Lima"})
	if err != nil {
		t.Fatal(err)
	}
	add := func(in model.Interaction) model.Interaction {
		in.Customer = c.ID
		saved, err := s.AddInteraction(in)
		if err != nil {
			t.Fatal(err)
		}
		return saved
	}
	complaint := add(model.Interaction{Kind: model.KindComplaint, Category: "late delivery", At: testNow.Add(-72 * time.Hour)})
	call := add(model.Interaction{Kind: model.KindCall, At: testNow.Add(-time.Hour)})
	open := func() int {
		got, err := s.Customer(c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Stats.OpenComplaints
	}
	if open() != 1 {
		t.Fatalf("%d open complaints before", open())
	}

	refusals := []struct {
		name string
		id   model.ID
		at   time.Time
		want string
	}{
		{"not a complaint", call.ID, time.Time{}, "only a complaint can be resolved"},
		{"in the future", complaint.ID, testNow.Add(48 * time.Hour), "resolved on is in the future"},
		{"before the complaint", complaint.ID, testNow.Add(-96 * time.Hour), "is before the complaint (2026-11-22 15:00)"},
		{"missing", 999, time.Time{}, "interaction #999"},
	}
	for _, r := range refusals {
		if _, err := s.ResolveComplaint(r.id, "x", r.at); err == nil || !strings.Contains(err.Error(), r.want) {
			t.Errorf("%s: err = %v, want %q", r.name, err, r.want)
		}
	}
	if _, err := s.ResolveComplaint(complaint.ID, strings.Repeat("x", model.MaxLong+1), time.Time{}); err == nil {
		t.Error("a resolution longer than a note may be was saved")
	}
	if open() != 1 {
		t.Fatal("a refused resolution changed the aggregates")
	}

	at := testNow.Add(-24 * time.Hour)
	got, err := s.ResolveComplaint(complaint.ID, "  Sent a new bouquet ", at)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Resolved || !got.ResolvedAt.Equal(at) || got.Resolution != "Sent a new bouquet" {
		t.Fatalf("resolved as %+v", got)
	}
	stored, err := s.Interaction(complaint.ID)
	if err != nil || !stored.Resolved || stored.Resolution != "Sent a new bouquet" {
		t.Fatalf("stored %+v, %v", stored, err)
	}
	if open() != 0 {
		t.Fatalf("%d open complaints after resolving", open())
	}
	if err := checkAggregates(s); err != nil {
		t.Fatal(err)
	}
	f, err := s.ChangesSince(0)
	if err != nil {
		t.Fatal(err)
	}
	last := f.Changes[len(f.Changes)-1]
	if last.Summary != "Resolved complaint for Ana Lima" || !last.TouchesInteractions() || last.Customer != c.ID {
		t.Fatalf("the change reads %+v", last)
	}

	// Undo reopens it.
	if _, err := s.Undo(); err != nil {
		t.Fatal(err)
	}
	if open() != 1 {
		t.Fatal("undo did not reopen the complaint")
	}
	// No date means now.
	got, err = s.ResolveComplaint(complaint.ID, "", time.Time{})
	if err != nil || !got.ResolvedAt.Equal(testNow) {
		t.Fatalf("resolved at %v, %v", got.ResolvedAt, err)
	}
}

func TestCustomerNameReadsOnlyTheName(t *testing.T) {
	for _, name := range []string{"Ana Lima", `Bruno "Bru" Costa`, "Dora <Shop> & Co", "back\\slash", "Çelik", ""} {
		raw, err := encode(model.Customer{ID: 3, Name: name, Notes: `"name":"not this"`})
		if err != nil {
			t.Fatal(err)
		}
		if got := customerName(raw); got != name {
			t.Errorf("customerName = %q, want %q", got, name)
		}
	}
	if got := customerName(nil); got != "" {
		t.Errorf("a missing customer is named %q", got)
	}
}

func TestRawKindOnlyReadsTheKey(t *testing.T) {
	raw, _ := encode(model.Interaction{ID: 1, Customer: 2, At: testNow, Kind: model.KindCall, Note: `"kind":"purchase"`})
	if k, ok := rawKind(raw); !ok || k != model.KindCall {
		t.Fatalf("rawKind = %q, %v", k, ok)
	}
	if _, ok := rawKind([]byte{1, '{', '}'}); ok {
		t.Fatal("a record without a kind has one")
	}
}

// BenchmarkLogPageFiltered reads the Log tab's open complaints from the
// newest, the rarest filter: one bounded open of the file.
func BenchmarkLogPageFiltered(b *testing.B) {
	sh := newBenchShop(b, 0)
	b.ResetTimer()
	for range b.N {
		if _, err := sh.s.LogPage(LogFilter{OpenComplaints: true}, nil, 100); err != nil && !errors.Is(err, ErrNotFound) {
			b.Fatal(err)
		}
	}
}

func TestChangeInteractionIDsNamesWhatWasWritten(t *testing.T) {
	s := newTestStore(t)
	c, err := s.AddCustomer(model.Customer{Name: "Ana Lima"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.AddCustomer(model.Customer{Name: "Rui Costa"})
	if err != nil {
		t.Fatal(err)
	}
	in, err := s.AddInteraction(model.Interaction{Customer: c.ID, Kind: model.KindReferral, Referred: r.ID, At: testNow})
	if err != nil {
		t.Fatal(err)
	}
	in.At = testNow.Add(-time.Hour) // moves its keys
	if _, err := s.UpdateInteraction(in); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteInteraction(in.ID); err != nil {
		t.Fatal(err)
	}
	f, err := s.ChangesSince(0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ch := range f.Changes {
		got = append(got, fmt.Sprint(ch.InteractionIDs()))
	}
	want := fmt.Sprint([]model.ID{in.ID})
	if strings.Join(got, " ") != "[] [] "+want+" "+want+" "+want {
		t.Fatalf("InteractionIDs per change: %v", got)
	}
}

func TestLogEntriesNameTheReferredCustomer(t *testing.T) {
	s := newTestStore(t)
	c, _ := s.AddCustomer(model.Customer{Name: "Ana Lima"})
	r, _ := s.AddCustomer(model.Customer{Name: "Rui Costa"})
	in, err := s.AddInteraction(model.Interaction{Customer: c.ID, Kind: model.KindReferral, Referred: r.ID, At: testNow})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.LogPage(LogFilter{}, nil, 10)
	if err != nil || len(p.Entries) != 1 || p.Entries[0].Name != "Ana Lima" || p.Entries[0].ReferredName != "Rui Costa" {
		t.Fatalf("page %+v, %v", p.Entries, err)
	}
	got, err := s.LogEntries([]model.ID{in.ID})
	if err != nil || len(got) != 1 || got[0].ReferredName != "Rui Costa" {
		t.Fatalf("entries %+v, %v", got, err)
	}
}

func TestOpenComplaintsComeFromTheCustomersLists(t *testing.T) {
	s, all := logShop(t)
	var want []model.ID
	for _, e := range all {
		if e.OpenComplaint() {
			want = append(want, e.ID)
		}
	}
	got, next, err := s.OpenComplaints(0)
	if err != nil || next != 0 {
		t.Fatalf("next %d, %v", next, err)
	}
	slices.SortFunc(got, func(a, b LogEntry) int { return int(b.ID) - int(a.ID) })
	slices.Sort(want)
	slices.Reverse(want)
	if fmt.Sprint(entryIDs(got)) != fmt.Sprint(want) {
		t.Fatalf("got  %v\nwant %v", entryIDs(got), want)
	}
	for _, e := range got {
		if e.Name == "" || !e.OpenComplaint() {
			t.Fatalf("entry %+v", e)
		}
	}
}

// However many customers, each read stops at the budget and resumes.
func TestOpenComplaintsResumeAfterTheBudget(t *testing.T) {
	s := openTestStore(t, filepath.Join(memTempDir(t), "patron.db"), "w1")
	var want []model.ID
	for i := range 600 {
		c, err := s.AddCustomer(model.Customer{Name: fmt.Sprint("Customer ", i)})
		if err != nil {
			t.Fatal(err)
		}
		if i%97 == 5 {
			in, err := s.AddInteraction(model.Interaction{Customer: c.ID, Kind: model.KindComplaint, At: testNow})
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, in.ID)
		}
	}
	defer func(d time.Duration) { logBudget = d }(logBudget)
	logBudget = 0
	var got []model.ID
	var after model.ID
	reads := 0
	for {
		list, next, err := s.OpenComplaints(after)
		if err != nil {
			t.Fatal(err)
		}
		reads++
		got = append(got, entryIDs(list)...)
		if next == 0 {
			break
		}
		if next <= after {
			t.Fatalf("next %d does not move on from %d", next, after)
		}
		after = next
	}
	if fmt.Sprint(got) != fmt.Sprint(want) || reads < 3 {
		t.Fatalf("%d reads found %v, want %v", reads, got, want)
	}
}
