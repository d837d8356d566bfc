package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/patron-crm/patron/assets"
	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
	"github.com/patron-crm/patron/store/exchange"
)

// TestJourneyReminders is issue 5's command-line journey in tmux with the
// built binary: a first purchase logged today makes a thank-you card due
// tomorrow; it is snoozed, then done (the card's text lands in the
// customer's timeline); a follow-up is dismissed; the cards CSV and the
// iCalendar export are written, and calcurse imports the export with
// nothing skipped.
func TestJourneyReminders(t *testing.T) {
	needTmux(t)
	dir := t.TempDir()
	bin := buildPatron(t)
	db := filepath.Join(dir, "data", "patron.db")
	tm := openTerminal(t, "reminders", dir, db, 200, 50, "TMPDIR="+dir, "NO_COLOR=1")

	step := 0
	// shell types a command line in the pane and waits until it has
	// finished, returning the screen.
	shell := func(line string, want ...string) string {
		t.Helper()
		step++
		tm.tmux("send-keys", "-t", tm.target, "clear", "Enter")
		tm.typeText(line + fmt.Sprintf("; echo STEP-%d-DONE", step))
		tm.keys("Enter")
		tm.waitFor(10*time.Second, append([]string{fmt.Sprintf("STEP-%d-DONE", step)}, want...)...)
		return tm.screen()
	}
	p := bin
	today := time.Now().Format(model.DayFormat)
	key := "thank-you:1:" + today

	// Her birthday is half a year away, so no birthday card is due.
	bday := time.Now().AddDate(0, 6, 0).Format("01-02")
	shell(p+` add "Ana Lima" --address "1 Rua Nova, Lisbon 1100-001" --birthday `+bday, "Added #1 Ana Lima")
	shell(p+` log "Ana Lima" --kind purchase --amount 24.90 --note "blue scarf"`, "Logged purchase")
	shell(p+` reminders`, "Nothing due by "+today)
	shell(p+` reminders --until tomorrow`, "tomorrow", "thank-you card", "blue scarf", key)
	shell(p+` --now tomorrow reminders`, "today", key)

	// Snooze it two days: gone from tomorrow, back on the day after.
	shell(p+` reminders snooze `+key+` +2d`, "Snoozed the thank-you card for #1 Ana Lima")
	shell(p+` reminders --until tomorrow`, "Nothing due by")
	shell(p+` reminders --until +2d`, "in 2 days", key)

	// Done: the card's text, filled from the template, is logged on her timeline.
	shell(p+` reminders done `+key, "Done: thank-you card for #1 Ana Lima; logged card sent")
	shell(p+` reminders --until +2d`, "Nothing due by")
	shell(p+` reminders done `+key, "is already done")

	// A follow-up of the owner's, dismissed.
	shell(p+` reminders add "Ana Lima" --due today --note "ask how the scarf wears"`, "Added a follow-up for #1 Ana Lima", "(manual:1)")
	shell(p+` reminders`, "manual:1", "ask how the scarf wears")
	shell(p+` reminders dismiss manual:1 --reason "she came in"`, "Dismissed the follow-up for #1 Ana Lima")

	// A customer whose name a spreadsheet would run, and their card.
	shell(p+` add "=HYPERLINK(\"http://x\")" --address "2 Rua Velha"`, "Added #2")
	shell(p+` log "#2" --kind purchase --amount 150`, "Logged purchase")
	shell(p+` cards --out cards.csv --until +7d`, "Wrote 1 card(s)")
	shell(p+` export ics --out patron.ics`, "birthday(s) to patron.ics")

	// What the file says.
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	timeline, err := s.Interactions(1)
	if err != nil {
		t.Fatal(err)
	}
	if len(timeline) != 2 || timeline[0].Kind != model.KindCardSent || !strings.HasPrefix(timeline[0].Note, "Dear Ana,") ||
		!strings.Contains(timeline[0].Note, "blue scarf") {
		t.Fatalf("Ana's timeline: %+v", timeline)
	}
	manual, _ := s.ManualReminders()
	if len(manual) != 1 || manual[0].State != model.ReminderDismissed || manual[0].Reason != "she came in" {
		t.Fatalf("manual reminders: %+v", manual)
	}

	// The cards CSV is private, and the name cannot run as a formula.
	csvPath := filepath.Join(dir, "cards.csv")
	if st, err := os.Stat(csvPath); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("cards.csv: %v %v", st, err)
	}
	f, _ := os.Open(csvPath)
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != 2 || rows[1][0] != `'=HYPERLINK("http://x")` || rows[1][1] != "2 Rua Velha" || !strings.Contains(rows[1][7], "Thank you") {
		t.Fatalf("cards.csv: %q %v", rows, err)
	}

	if _, err := exec.LookPath("calcurse"); err != nil {
		t.Log("calcurse is not installed (apt-get install calcurse); skipping its import of the export")
		return
	}
	cal := filepath.Join(dir, "calcurse")
	if err := os.Mkdir(cal, 0o700); err != nil {
		t.Fatal(err)
	}
	scr := shell("calcurse -D "+cal+" -i patron.ics", "skipped")
	if m := regexp.MustCompile(`(\d+) events? / (\d+) todos? / (\d+) skipped`).FindStringSubmatch(scr); m == nil || m[3] != "0" || m[1] != "1" {
		t.Fatalf("calcurse import:\n%s", scr)
	}
}

func TestCardsCSVNeutralisesFormulaCells(t *testing.T) {
	db := filepath.Join(t.TempDir(), "patron.db")
	for i, name := range []string{"=1+1", "+44 friend", "-minus", "@at", "\tTab Person", "Plain Person"} {
		mustRun(t, db, "add", "--address", "-1 Dash Street\n=Formula Town", "--", name)
		mustRun(t, db, "log", fmt.Sprintf("#%d", i+1), "--kind", "purchase", "--amount", "5")
	}
	out := mustRun(t, db, "cards", "--until", "+2d")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 7 || strings.Join(rows[0], ",") != strings.Join(exchange.CardColumns, ",") {
		t.Fatalf("rows: %q", rows)
	}
	for _, row := range rows[1:] {
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("column %s starts with %q: %q", exchange.CardColumns[i], cell[0], cell)
			}
		}
		if row[1] != "'-1 Dash Street" || row[2] != "'=Formula Town" {
			t.Errorf("address lines: %q", row[1:5])
		}
	}
}

func TestRemindersJSONHasTheIssuesKeys(t *testing.T) {
	db := filepath.Join(t.TempDir(), "patron.db")
	mustRun(t, db, "add", "Ana Lima")
	mustRun(t, db, "log", "Ana Lima", "--kind", "purchase", "--amount", "24.90")
	if out := mustRun(t, db, "reminders", "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("nothing is due today, yet: %s", out)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, db, "reminders", "--json", "--until", "tomorrow")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("list: %v", list)
	}
	want := []string{"customer", "customer_id", "due", "key", "kind", "note"}
	var got []string
	for k := range list[0] {
		got = append(got, k)
	}
	sort.Strings(got)
	if strings.Join(got, ",") != strings.Join(want, ",") || list[0]["kind"] != "thank-you" || list[0]["customer"] != "Ana Lima" {
		t.Fatalf("keys %v in %v", got, list[0])
	}
	if _, _, err := run(t, db, "reminders", "--until", "someday"); err == nil || !strings.Contains(err.Error(), "--until") {
		t.Fatalf("a bad --until: %v", err)
	}
	if _, _, err := run(t, db, "reminders", "done", "nonsense"); err == nil || !strings.Contains(err.Error(), "not a reminder key") {
		t.Fatalf("a bad key: %v", err)
	}
}

func TestBuiltInCardTemplatesAreValidAndComplete(t *testing.T) {
	templates := assets.CardTemplates()
	for _, k := range model.CardKinds {
		tmpl, ok := templates[string(k)]
		if !ok {
			t.Errorf("no built-in template for %s", k)
			continue
		}
		if err := model.ValidateCardTemplate(tmpl); err != nil {
			t.Errorf("%s: %v", k, err)
		}
		// With nothing known but a name, the card still reads well.
		msg, err := model.ComposeCard(tmpl, model.CardData{FirstName: "Ana", Shop: "My shop"})
		if err != nil || strings.Contains(msg, "<no value>") || strings.Contains(msg, "  ") || !strings.HasPrefix(msg, "Dear Ana,") {
			t.Errorf("%s with little known: %q %v", k, msg, err)
		}
	}
	if len(templates) != len(model.CardKinds) {
		t.Errorf("templates for %d kinds, want %d", len(templates), len(model.CardKinds))
	}
}

func TestReminderRulesFromTheCommandLine(t *testing.T) {
	db := filepath.Join(t.TempDir(), "patron.db")
	mustRun(t, db, "add", "Ana Lima")
	mustRun(t, db, "log", "Ana Lima", "--kind", "purchase", "--amount", "24.90")
	if out := mustRun(t, db, "reminders", "rules"); !strings.Contains(out, "thank_you.threshold") || !strings.Contains(out, "100.00") {
		t.Fatalf("rules:\n%s", out)
	}
	if out := mustRun(t, db, "reminders", "rules", "set", "thank_you", "off"); !strings.Contains(out, "thank_you is now off") {
		t.Fatalf("set: %s", out)
	}
	if out := mustRun(t, db, "reminders", "--until", "tomorrow"); !strings.Contains(out, "Nothing due") {
		t.Fatalf("with thank-you cards off:\n%s", out)
	}
	if _, _, err := run(t, db, "reminders", "rules", "set", "birthday.days_before", "99"); err == nil || !strings.Contains(err.Error(), "from 0 to 60") {
		t.Fatalf("a number out of range: %v", err)
	}
}
