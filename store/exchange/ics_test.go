package exchange

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/patron-crm/patron/model"
)

var icsNow = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

// trickyCalendar has names and notes with everything that breaks a careless
// calendar file: commas, semicolons, backslashes, newlines, control
// characters, long text with multi-byte characters, and a Feb 29 birthday.
func trickyCalendar() Calendar {
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	customers := map[model.ID]model.Customer{
		1: {ID: 1, Name: "Lima, Ana; \"Nana\""},
		2: {ID: 2, Name: `Costa\Rui`},
		3: {ID: 3, Name: "Zoë Ångström-Øster\x1b[31m"},
	}
	return Calendar{
		Shop: "Lima & Daughters, Ltd.",
		Reminders: []model.Reminder{
			{Key: "thank-you:1:2026-11-25", Customer: 1, Due: day(11, 26), Kind: model.ReminderThankYou, Note: "first purchase of $24.90: blue scarf, size M; gift"},
			{Key: "manual:1", Customer: 2, Due: day(11, 27), Kind: model.ReminderFollowUp, Note: "call back\nabout the order,\r\nthen; note\\path"},
			{Key: "complaint-follow-up:3:9", Customer: 3, Due: day(11, 28), Kind: model.ReminderComplaint, Note: strings.Repeat("ção, ", 60)},
		},
		Customers: customers,
		Birthdays: []model.Customer{
			{ID: 1, Name: customers[1].Name, Birthday: model.Birthday{Month: 2, Day: 29}},
			{ID: 2, Name: customers[2].Name, Birthday: model.Birthday{Year: 1990, Month: 12, Day: 24}},
			{ID: 4, Name: "No birthday"},
		},
		Now: icsNow,
		Loc: time.UTC,
	}
}

func TestICSWritesEscapedFoldedItemsThatReadBack(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteICS(&buf, trickyCalendar()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
	for i, line := range lines {
		if len(line) > icsLineOctets {
			t.Errorf("line %d is %d octets: %q", i+1, len(line), line)
		}
		if strings.HasSuffix(line, "\\") && strings.HasPrefix(lines[i+1], " ") {
			t.Errorf("line %d is folded inside an escape: %q", i+1, line)
		}
		if strings.ContainsAny(line, "\n\r\x1b") {
			t.Errorf("line %d holds a raw control character: %q", i+1, line)
		}
	}
	for _, want := range []string{
		"DUE;VALUE=DATE:20261126\r\n",
		"SUMMARY:Thank-you card: Lima\\, Ana\\; \"Nana\"\r\n",
		"DTSTART;VALUE=DATE:20260228\r\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1\r\n",
		"DTSTART;VALUE=DATE:20261224\r\nRRULE:FREQ=YEARLY\r\n",
		"UID:birthday:1@patron\r\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	// Another reader gets the same text back.
	cal, err := ical.NewDecoder(strings.NewReader(out)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	var todos, events int
	for _, c := range cal.Children {
		switch c.Name {
		case ical.CompToDo:
			todos++
		case ical.CompEvent:
			events++
		}
	}
	if todos != 3 || events != 2 {
		t.Fatalf("%d to-dos and %d events, want 3 and 2", todos, events)
	}
	note, err := cal.Children[1].Props.Text(ical.PropDescription)
	if err != nil || note != "call back\nabout the order,\nthen; note\\path" {
		t.Fatalf("note read back as %q (%v)", note, err)
	}
	long, _ := cal.Children[2].Props.Text(ical.PropDescription)
	if long != strings.TrimSpace(strings.Repeat("ção, ", 60)) {
		t.Fatalf("folded note read back as %q", long)
	}
	name, _ := cal.Children[2].Props.Text(ical.PropSummary)
	if name != "Complaint follow-up: Zoë Ångström-Øster" {
		t.Fatalf("summary with an escape sequence: %q", name)
	}
}

func TestICSWithNothingIsStillACalendar(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteICS(&buf, Calendar{Now: icsNow}); err != nil {
		t.Fatal(err)
	}
	if _, err := ical.NewDecoder(&buf).Decode(); err != nil {
		t.Fatalf("an empty export does not read back: %v", err)
	}
}

// TestCalcurseImportsEveryItem runs the export through calcurse, which
// skips items it cannot read (an unescaped comma is enough).
func TestCalcurseImportsEveryItem(t *testing.T) {
	if _, err := exec.LookPath("calcurse"); err != nil {
		t.Skip("calcurse is not installed (apt-get install calcurse); skipping the calcurse import check")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "patron.ics")
	var buf bytes.Buffer
	if err := WriteICS(&buf, trickyCalendar()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "calcurse")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	calcurse := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("calcurse", append([]string{"-D", data}, args...)...)
		cmd.Env = append(os.Environ(), "TMPDIR="+dir, "HOME="+dir) // its import log goes to TMPDIR
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("calcurse %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	report := calcurse("-i", file)
	m := regexp.MustCompile(`(\d+) apps? / (\d+) events? / (\d+) todos? / (\d+) skipped`).FindStringSubmatch(report)
	if m == nil || m[2] != "2" || m[3] != "3" || m[4] != "0" {
		t.Fatalf("calcurse did not import every item:\n%s\n%s", report, buf.String())
	}
	// The Feb 29 birthday falls on Feb 28 in 2027 and Feb 29 in 2028.
	for _, day := range []string{"02/28/2027", "02/29/2028"} {
		if out := calcurse("-Q", "--from", day); !strings.Contains(out, "Birthday: Lima, Ana") {
			t.Errorf("on %s calcurse shows:\n%s", day, out)
		}
	}
	if out := calcurse("-Q", "--from", "02/28/2028"); strings.Contains(out, "Birthday: Lima, Ana") {
		t.Errorf("in a leap year the birthday is on the 29th, not the 28th:\n%s", out)
	}
}
