package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// badValues are the edge cases every flag and argument of the command line
// is given (dates and amounts have their own tables in model's tests:
// TestParseWhenRefuses, TestParseDueRefuses, TestParseBirthday,
// TestParseMoneyRefuses).
var badValues = []struct{ name, v string }{
	{"empty", ""},
	{"whitespace only", " \t  "},
	{"10,000 characters", strings.Repeat("a", 10000)},
	{"10,000 digits", strings.Repeat("9", 10000)},
	{"invalid UTF-8", "Ana \xff\xfe Lima"},
	{"an 8-bit CSI", "Ana \x9b31m Lima"},
	{"emoji", "Ana 🌷 Lima 👩‍👩‍👧"},
	{"right-to-left", "مريم الحسن"},
	{"a right-to-left override", "Ana \u202eamiL"},
	{"zero-width characters", "Ana\u200b\u200dLima\ufeff"},
	{"clear screen", "Ana\x1b[2JLima"},
	{"an OSC title", "Ana\x1b]0;pwned\x07Lima"},
	{"an OSC 52 clipboard write", "Ana\x1b]52;c;cm0gLXJmIH4K\x07Lima"},
	{"BEL", "Ana\x07Lima"},
	{"C1 controls", "Ana\u009b31mLima\u0085x"},
}

// textSpec describes free text the file keeps as given.
type textSpec struct {
	max      int  // the limit a refusal names
	required bool // empty or whitespace only is refused
	// clean is what the store keeps of a valid value (trimmed, say).
	clean func(string) string
	// stored reads the value back from the file.
	stored func(t *testing.T, s *store.Store) string
}

// argCase is one flag or argument, with the rest of a command line that
// would otherwise succeed.
type argCase struct {
	name string
	args func(v string) []string
	text *textSpec
	// path marks a file name: it may create files, in the case's own folder.
	path bool
}

func trimmed(v string) string   { return strings.TrimSpace(v) }
func collapsed(v string) string { return strings.Join(strings.Fields(v), " ") }
func asGiven(v string) string   { return v }

func newestCustomer(t *testing.T, s *store.Store) model.Customer {
	all, err := s.AllCustomers(nil)
	if err != nil {
		t.Fatal(err)
	}
	return all[len(all)-1]
}

func newestInteraction(t *testing.T, s *store.Store, id model.ID) model.Interaction {
	list, err := s.Interactions(id)
	if err != nil || len(list) == 0 {
		t.Fatalf("no interactions: %v", err)
	}
	newest := list[0]
	for _, in := range list {
		if in.ID > newest.ID {
			newest = in
		}
	}
	return newest
}

func customer(t *testing.T, s *store.Store, id model.ID) model.Customer {
	c, err := s.Customer(id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// argCases lists every flag and argument that takes a value. The key of
// the template's manual reminder is manual:1.
func argCases() []argCase {
	text := func(max int, required bool, clean func(string) string, stored func(t *testing.T, s *store.Store) string) *textSpec {
		return &textSpec{max: max, required: required, clean: clean, stored: stored}
	}
	in1 := func(f func(model.Interaction) string) func(t *testing.T, s *store.Store) string {
		return func(t *testing.T, s *store.Store) string { return f(newestInteraction(t, s, 1)) }
	}
	return []argCase{
		{name: "add NAME", args: func(v string) []string { return []string{"add", v} },
			text: text(model.MaxName, true, collapsed, func(t *testing.T, s *store.Store) string { return newestCustomer(t, s).Name })},
		{name: "add --phone", args: func(v string) []string { return []string{"add", "Eva", "--phone", v} }},
		{name: "add --email", args: func(v string) []string { return []string{"add", "Eva", "--email", v} }},
		{name: "add --birthday", args: func(v string) []string { return []string{"add", "Eva", "--birthday", v} }},
		{name: "add --address", args: func(v string) []string { return []string{"add", "Eva", "--address", v} },
			text: text(model.MaxLong, false, trimmed, func(t *testing.T, s *store.Store) string { return newestCustomer(t, s).Address })},
		{name: "add --notes", args: func(v string) []string { return []string{"add", "Eva", "--notes", v} },
			text: text(model.MaxLong, false, trimmed, func(t *testing.T, s *store.Store) string { return newestCustomer(t, s).Notes })},
		{name: "add --tag", args: func(v string) []string { return []string{"add", "Eva", "--tag", v} },
			text: text(model.MaxShort, false, func(v string) string { return strings.Join(model.ParseTags(v), ",") },
				func(t *testing.T, s *store.Store) string { return strings.Join(newestCustomer(t, s).Tags, ",") })},

		{name: "log CUSTOMER", args: func(v string) []string { return []string{"log", v, "--kind", "visit"} }},
		{name: "log --kind", args: func(v string) []string { return []string{"log", "#1", "--kind", v} }},
		{name: "log --amount", args: func(v string) []string { return []string{"log", "#1", "--kind", "purchase", "--amount", v} }},
		{name: "log --at", args: func(v string) []string { return []string{"log", "#1", "--kind", "visit", "--at", v} }},
		{name: "log --note", args: func(v string) []string { return []string{"log", "#1", "--kind", "visit", "--note", v} },
			text: text(model.MaxLong, false, asGiven, in1(func(in model.Interaction) string { return in.Note }))},
		{name: "log --category", args: func(v string) []string { return []string{"log", "#1", "--kind", "complaint", "--category", v} },
			text: text(model.MaxLong, false, asGiven, in1(func(in model.Interaction) string { return in.Category }))},
		{name: "log --channel", args: func(v string) []string { return []string{"log", "#1", "--kind", "visit", "--channel", v} }},
		{name: "log --referred", args: func(v string) []string { return []string{"log", "#1", "--kind", "referral", "--referred", v} }},
		{name: "log --score", args: func(v string) []string { return []string{"log", "#1", "--kind", "feedback", "--score", v} }},

		{name: "lost CUSTOMER", args: func(v string) []string { return []string{"lost", v, "--reason", "price"} }},
		{name: "lost --reason", args: func(v string) []string { return []string{"lost", "#2", "--reason", v} }},
		{name: "lost --note", args: func(v string) []string { return []string{"lost", "#2", "--reason", "price", "--note", v} },
			text: text(model.MaxLong, false, asGiven, func(t *testing.T, s *store.Store) string { return customer(t, s, 2).LostNote })},

		{name: "settings set KEY", args: func(v string) []string { return []string{"settings", "set", v, "x"} }},
		{name: "settings set shop_name", args: func(v string) []string { return []string{"settings", "set", "shop_name", v} },
			text: text(100, true, trimmed, func(t *testing.T, s *store.Store) string {
				st, err := s.Settings()
				if err != nil {
					t.Fatal(err)
				}
				return st.ShopName
			})},
		{name: "settings set currency", args: func(v string) []string { return []string{"settings", "set", "currency", v} }},
		{name: "settings set time_zone", args: func(v string) []string { return []string{"settings", "set", "time_zone", v} }},

		{name: "loyalty CUSTOMER", args: func(v string) []string { return []string{"loyalty", v} }},
		{name: "loyalty partner CUSTOMER", args: func(v string) []string { return []string{"loyalty", "partner", v} }},
		{name: "loyalty set KEY", args: func(v string) []string { return []string{"loyalty", "set", v, "4"} }},
		{name: "loyalty set VALUE", args: func(v string) []string { return []string{"loyalty", "set", "client_purchases", v} }},
		{name: "loyalty reward NAME", args: func(v string) []string { return []string{"loyalty", "reward", v, "300"} }},
		{name: "loyalty reward POINTS", args: func(v string) []string { return []string{"loyalty", "reward", "coffee mug", v} }},
		{name: "redeem CUSTOMER", args: func(v string) []string { return []string{"redeem", v, "coffee mug"} }},
		{name: "redeem REWARD", args: func(v string) []string { return []string{"redeem", "#1", v} }},

		{name: "reminders --until", args: func(v string) []string { return []string{"reminders", "--until", v} }},
		{name: "reminders add CUSTOMER", args: func(v string) []string { return []string{"reminders", "add", v, "--note", "call"} }},
		{name: "reminders add --due", args: func(v string) []string { return []string{"reminders", "add", "#1", "--note", "call", "--due", v} }},
		{name: "reminders add --kind", args: func(v string) []string { return []string{"reminders", "add", "#1", "--note", "call", "--kind", v} }},
		{name: "reminders add --repeat", args: func(v string) []string { return []string{"reminders", "add", "#1", "--note", "call", "--repeat", v} }},
		{name: "reminders add --note", args: func(v string) []string { return []string{"reminders", "add", "#1", "--note", v} }},
		{name: "reminders done KEY", args: func(v string) []string { return []string{"reminders", "done", v} }},
		{name: "reminders done --text", args: func(v string) []string { return []string{"reminders", "done", "manual:1", "--text", v} }},
		{name: "reminders dismiss KEY", args: func(v string) []string { return []string{"reminders", "dismiss", v} }},
		{name: "reminders dismiss --reason", args: func(v string) []string { return []string{"reminders", "dismiss", "manual:1", "--reason", v} }},
		{name: "reminders snooze KEY", args: func(v string) []string { return []string{"reminders", "snooze", v, "+3d"} }},
		{name: "reminders snooze DAY", args: func(v string) []string { return []string{"reminders", "snooze", "manual:1", v} }},
		{name: "reminders rules set KEY", args: func(v string) []string { return []string{"reminders", "rules", "set", v, "3"} }},
		{name: "reminders rules set VALUE", args: func(v string) []string { return []string{"reminders", "rules", "set", "complaint_days", v} }},
		{name: "cards --until", args: func(v string) []string { return []string{"cards", "--until", v} }},
		{name: "report --at", args: func(v string) []string { return []string{"report", "--at", v} }},
		{name: "report --period", args: func(v string) []string { return []string{"report", "--period", v} }},
		{name: "export vcard --vcard-version", args: func(v string) []string { return []string{"export", "vcard", "--vcard-version", v} }},
		{name: "import --on-match", args: func(v string) []string { return []string{"import", "contacts.csv", "--on-match", v} }},
		{name: "demo --customers", args: func(v string) []string { return []string{"demo", "--force", "--customers", v} }},
		{name: "demo --interactions", args: func(v string) []string { return []string{"demo", "--force", "--interactions", v} }},
		{name: "demo --seed", args: func(v string) []string { return []string{"demo", "--force", "--seed", v} }},
		{name: "--now", args: func(v string) []string { return []string{"list", "--now", v} }},

		// File names: whatever the owner types, Patron says what it did
		// with it without echoing control characters to the terminal.
		{name: "--db", path: true, args: func(v string) []string { return []string{"add", "Eva", "--db", v} }},
		{name: "backup DEST", path: true, args: func(v string) []string { return []string{"backup", v} }},
		{name: "check FILE", path: true, args: func(v string) []string { return []string{"check", v} }},
		{name: "restore BACKUP", path: true, args: func(v string) []string { return []string{"restore", v} }},
		{name: "import FILE", path: true, args: func(v string) []string { return []string{"import", v} }},
		{name: "export csv --out", path: true, args: func(v string) []string { return []string{"export", "csv", "--out", v} }},
		{name: "export vcard --out", path: true, args: func(v string) []string { return []string{"export", "vcard", "--out", v} }},
		{name: "export json --out", path: true, args: func(v string) []string { return []string{"export", "json", "--out", v} }},
		{name: "export ics --out", path: true, args: func(v string) []string { return []string{"export", "ics", "--out", v} }},
		{name: "cards --out", path: true, args: func(v string) []string { return []string{"cards", "--until", "+1y", "--out", v} }},
	}
}

// unsafeForTerminal finds what must never reach a terminal: escape and
// control characters (but newline and tab), C1 controls, bidirectional
// overrides and bytes that are not UTF-8.
func unsafeForTerminal(s string) (string, bool) {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			return fmt.Sprintf("byte %#x at %d", s[i], i), true
		case r == '\r' && strings.HasPrefix(s[i:], "\r\n"): // a line end in CRLF
		case r < 0x20 && r != '\n' && r != '\t', r == 0x7f, r >= 0x80 && r <= 0x9f:
			return fmt.Sprintf("control %U at %d", r, i), true
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			return fmt.Sprintf("direction control %U at %d", r, i), true
		}
	}
	return "", false
}

// badInputTemplate is a small shop every case starts from: Ana Lima (#1)
// with a purchase and a reminder (manual:1), Rui Costa (#2), a reward and
// a contacts file to import.
func badInputTemplate(t *testing.T) []byte {
	t.Helper()
	db := filepath.Join(t.TempDir(), "patron.db")
	mustRun(t, db, "add", "Ana Lima", "--email", "ana@example.com", "--phone", "555 0101", "--address", "Rua das Flores 12, Lisboa")
	mustRun(t, db, "add", "Rui Costa")
	mustRun(t, db, "log", "#1", "--kind", "purchase", "--amount", "240", "--at", "-2d")
	mustRun(t, db, "loyalty", "reward", "coffee mug", "10")
	mustRun(t, db, "reminders", "add", "#1", "--note", "call about the order", "--due", "tomorrow")
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m, err := s.ManualReminders(); err != nil || len(m) != 1 || m[0].Key != "manual:1" {
		t.Fatalf("the template's reminder: %v %v", m, err)
	}
	data, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestEveryFlagTakesBadInputCalmly gives every flag and argument that
// takes a value each of badValues. Whatever happens: no panic; nothing on
// stdout or stderr that a terminal would act on; a refusal is a short
// sentence and leaves the file byte for byte as it was. Free text is
// stored exactly as given (trimmed) when valid, refused naming the limit
// when too long and refused when it is not UTF-8; the list, the JSON and
// the other views then show it without control characters.
func TestEveryFlagTakesBadInputCalmly(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command line about a thousand times")
	}
	template := badInputTemplate(t)
	for _, ac := range argCases() {
		t.Run(ac.name, func(t *testing.T) {
			for _, bv := range badValues {
				dir := t.TempDir()
				db := filepath.Join(dir, "patron.db")
				if err := os.WriteFile(db, template, 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "contacts.csv"), []byte("Name,Email\nEva Lopes,eva@example.com\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				t.Chdir(dir) // relative file names land in the case's folder
				t.Setenv("PATRON_DB", db)
				args := ac.args(bv.v)
				out, errOut, err := runSafely(t, db, args...)
				what := fmt.Sprintf("%s with %s", ac.name, bv.name)
				streams := []struct{ name, text string }{{"stdout", out}, {"stderr", errOut}}
				if dataToStdout(args) {
					streams = streams[1:]
				}
				for _, o := range streams {
					if where, bad := unsafeForTerminal(o.text); bad {
						t.Errorf("%s: %s carries a %s: %q", what, o.name, where, short(o.text))
					}
				}
				after, _ := os.ReadFile(db)
				if err != nil {
					msg := err.Error()
					if strings.Contains(msg, "panic") || strings.Contains(msg, "runtime error") || strings.Contains(msg, "%!") {
						t.Errorf("%s: %s", what, short(msg))
					}
					if printed := errorLine(err); len(printed) > 600 {
						t.Errorf("%s: the error is %d bytes long, not a sentence: %q", what, len(printed), short(printed))
					}
					if !bytes.Equal(after, template) {
						t.Errorf("%s was refused (%s) but the file changed", what, short(msg))
					}
				}
				if ac.text != nil {
					checkText(t, what, ac.text, bv.v, db, err)
				}
				if len(bv.v) >= 10000 && err == nil && !bytes.Equal(after, template) && !ac.path {
					t.Errorf("%s was accepted and written", what)
				}
			}
		})
	}
}

// checkText holds free text to its rules, and shows it through the views.
func checkText(t *testing.T, what string, spec *textSpec, v, db string, err error) {
	t.Helper()
	clean := spec.clean(v)
	switch {
	case !utf8.ValidString(v):
		if err == nil {
			t.Errorf("%s: text that is not UTF-8 was accepted", what)
		} else if !strings.Contains(err.Error(), "not valid text") {
			t.Errorf("%s: refused, but not as invalid text: %s", what, short(err.Error()))
		}
		return
	case utf8.RuneCountInString(v) > spec.max:
		if err == nil {
			t.Errorf("%s: %d characters accepted, over the limit of %d", what, utf8.RuneCountInString(v), spec.max)
		} else if want := fmt.Sprintf("keep it to %d", spec.max); !strings.Contains(err.Error(), want) {
			t.Errorf("%s: refused without naming the limit (%q): %s", what, want, short(err.Error()))
		}
		return
	case spec.required && clean == "":
		if err == nil {
			t.Errorf("%s: an empty value was accepted", what)
		}
		return
	}
	if err != nil {
		t.Errorf("%s: valid text was refused: %s", what, short(err.Error()))
		return
	}
	s, oerr := store.Open(db, store.Options{})
	if oerr != nil {
		t.Fatal(oerr)
	}
	if got := spec.stored(t, s); got != clean {
		t.Errorf("%s: stored %q, want %q", what, short(got), short(clean))
	}
	// Every view of it on the command line is safe to print.
	// (Exports and cards to stdout are data, kept exact: see dataToStdout.)
	for _, args := range [][]string{{"list", "--all"}, {"list", "--all", "--json"}, {"settings"}, {"loyalty", "#1"},
		{"reminders", "--until", "+1y"}} {
		out, errOut, err := runSafely(t, db, args...)
		if err != nil {
			t.Errorf("%s, then %v: %v", what, args, err)
		}
		streams := []string{out, errOut}
		if dataToStdout(args) {
			streams = streams[1:]
		}
		for _, o := range streams {
			if where, bad := unsafeForTerminal(o); bad {
				t.Errorf("%s, then %v: the output carries a %s: %q", what, args, where, short(o))
			}
		}
		if args[len(args)-1] == "--json" && !json.Valid([]byte(out)) {
			t.Errorf("%s, then %v: not JSON", what, args)
		}
	}
}

// dataToStdout reports whether the command writes a file's content (an
// export, the cards for a mail merge) to stdout: that is data for another
// program, kept exact (CSV formulas are neutralised:
// TestCSVCellsNeverRunAsFormulas), not a message for the screen.
func dataToStdout(args []string) bool {
	if args[0] != "export" && args[0] != "cards" {
		return false
	}
	i := slices.Index(args, "--out")
	return i < 0 || args[i+1] == "" || args[i+1] == "-"
}

// runSafely runs the command line, turning a panic into a test failure
// that names the command.
func runSafely(t *testing.T, db string, args ...string) (out, errOut string, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("patron %q panicked: %v", args, r)
		}
	}()
	return run(t, db, args...)
}

func short(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// TestEveryFlagIsInTheBadInputMatrix keeps the matrix whole: a flag or an
// argument added to the command line must be added to argCases (or here,
// with the reason it needs no case).
func TestEveryFlagIsInTheBadInputMatrix(t *testing.T) {
	noValue := map[string]string{
		"--db":                    "a path: covered by its own case",
		"--help":                  "no value",
		"--version":               "no value",
		"completion":              "cobra's own",
		"help":                    "cobra's own",
		"serve --listen":          "issue 11's server: tested there",
		"serve --authorized-keys": "issue 11's server: tested there",
		"serve --max-sessions":    "issue 11's server: tested there",
	}
	covered := map[string]bool{}
	for _, ac := range argCases() {
		covered[ac.name] = true
	}
	var missing []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		path := strings.TrimPrefix(strings.TrimPrefix(c.CommandPath(), "patron"), " ")
		if _, ok := noValue[path]; ok && path != "" {
			return
		}
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			name := strings.TrimSpace(path + " --" + f.Name)
			if f.Value.Type() == "bool" || covered[name] || covered["--"+f.Name] {
				return
			}
			if _, ok := noValue[name]; !ok {
				missing = append(missing, name)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRoot(&bytes.Buffer{}, &bytes.Buffer{}))
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("flags without bad-input cases: %v", missing)
	}
}
