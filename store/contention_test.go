package store

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store/exchange"
)

// The contention test re-runs this test binary as the other users of one
// file: a window following the file, an export, an import. These variables
// tell such a child what to be; they differ from the other process tests'.
const (
	contentionRoleEnv = "PATRON_TEST_CONTENTION_ROLE"
	contentionFileEnv = "PATRON_TEST_CONTENTION_FILE"
)

// init runs before TestMain, so a child does its work and exits before the
// test framework starts (as in childproc_test.go).
func init() {
	role := os.Getenv(contentionRoleEnv)
	if role == "" {
		return
	}
	path := os.Getenv(contentionFileEnv)
	s, err := Open(path, Options{Actor: CurrentActor("test")})
	if err == nil {
		stop := make(chan struct{})
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			close(stop)
		}()
		out := bufio.NewWriter(os.Stdout)
		switch role {
		case "window":
			err = contendAsWindow(s, stop, out)
		case "export":
			err = contendAsExport(s, stop, out)
		case "import":
			err = contendAsImport(s, stop, out)
		default:
			err = fmt.Errorf("unknown role %q", role)
		}
		out.Flush()
	}
	exitChild(err)
}

// slowest keeps the longest a call took.
type slowest struct {
	d    time.Duration
	what string
}

func (sl *slowest) time(what string, fn func() error) error {
	start := time.Now()
	err := fn()
	if d := time.Since(start); d > sl.d {
		sl.d, sl.what = d, what
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// contendAsWindow does what an open Patron window does, only more often:
// it loads the list in chunks (a first page, then big pages), then polls
// the change feed and the settings and reads again the customers each
// change concerns, and loads everything again now and then. It checks that
// the feed never goes back, that no customer it knew goes missing, and,
// after its input closes, prints what it knows: the parent compares it
// with the file.
func contendAsWindow(s *Store, stop <-chan struct{}, out *bufio.Writer) error {
	var sl slowest
	known := map[model.ID]bool{}
	load := func() error {
		var n int
		if err := sl.time("counting customers", func() (err error) { n, err = s.CountCustomers(); return err }); err != nil {
			return err
		}
		var after model.ID
		for size := 200; ; size = 2000 {
			var page []model.Customer
			var more bool
			if err := sl.time("loading a chunk", func() (err error) { page, more, err = s.CustomersPage(after, size); return err }); err != nil {
				return err
			}
			for _, c := range page {
				known[c.ID] = true
			}
			if !more {
				break
			}
			after = page[len(page)-1].ID
		}
		if len(known) < n {
			return fmt.Errorf("the load found %d customers after counting %d", len(known), n)
		}
		return nil
	}
	var seen uint64
	var fileID string
	poll := func() error {
		var f Feed
		if err := sl.time("reading the change feed", func() (err error) { f, err = s.ChangesSince(seen); return err }); err != nil {
			return err
		}
		if fileID != "" && f.FileID != fileID {
			return fmt.Errorf("the file id changed from %s to %s", fileID, f.FileID)
		}
		fileID = f.FileID
		if f.Latest < seen {
			return fmt.Errorf("the feed went back from %d to %d", seen, f.Latest)
		}
		if err := sl.time("reading the settings", func() error { _, err := s.Settings(); return err }); err != nil {
			return err
		}
		var ids []model.ID
		for _, ch := range f.Changes {
			ids = append(ids, ch.CustomerIDs()...)
			seen = ch.Seq
		}
		if len(f.Changes) == 0 {
			seen = f.Latest
		}
		var got []model.Customer
		if err := sl.time("reading changed customers", func() (err error) { got, err = s.CustomersByID(ids); return err }); err != nil {
			return err
		}
		for _, c := range got {
			known[c.ID] = true
		}
		return nil
	}
	if err := load(); err != nil {
		return err
	}
	for i := 0; ; i++ {
		select {
		case <-stop:
			// Catch up once more, as the next poll would.
			for {
				before := seen
				if err := poll(); err != nil {
					return err
				}
				if seen == before {
					break
				}
			}
			fmt.Fprintf(out, "known %d\nlatest %d\nslowest %d %s\n", len(known), seen, sl.d.Microseconds(), sl.what)
			return nil
		case <-time.After(20 * time.Millisecond):
		}
		if err := poll(); err != nil {
			return err
		}
		if i%10 == 9 {
			if err := load(); err != nil {
				return err
			}
		}
	}
}

// contendAsExport exports the whole file as JSON and as CSV over and over,
// checks each JSON export reads back whole, and never sees fewer customers
// than the export before.
func contendAsExport(s *Store, stop <-chan struct{}, out *bufio.Writer) error {
	var sl slowest
	last, rounds := 0, 0
	for {
		select {
		case <-stop:
			fmt.Fprintf(out, "exports %d\nslowest %d %s\n", rounds, sl.d.Microseconds(), sl.what)
			return nil
		default:
		}
		var buf bytes.Buffer
		var res ExportResult
		if err := sl.time("exporting JSON", func() (err error) { res, err = s.Export(&buf, ExportOptions{Format: ExportJSON}); return err }); err != nil {
			return err
		}
		if res.Customers < last {
			return fmt.Errorf("an export held %d customers after one held %d", res.Customers, last)
		}
		last = res.Customers
		f, err := exchange.Read(buf.Bytes(), exchange.Options{})
		if err != nil {
			return fmt.Errorf("the JSON export does not read back: %w", err)
		}
		if len(f.Records) != res.Customers {
			return fmt.Errorf("the JSON export says %d customers and holds %d", res.Customers, len(f.Records))
		}
		if err := sl.time("exporting CSV", func() error {
			_, err := s.Export(io.Discard, ExportOptions{Format: ExportInteractionsCSV})
			return err
		}); err != nil {
			return err
		}
		rounds++
	}
}

// contendAsImport imports a small contacts file of new people every few
// milliseconds and prints each person's name once the import returned.
func contendAsImport(s *Store, stop <-chan struct{}, out *bufio.Writer) error {
	var sl slowest
	for round := 0; ; round++ {
		select {
		case <-stop:
			fmt.Fprintf(out, "slowest %d %s\n", sl.d.Microseconds(), sl.what)
			return nil
		case <-time.After(10 * time.Millisecond):
		}
		var csv strings.Builder
		csv.WriteString("Name,E-mail Address,Notes\n")
		var names []string
		for j := range 10 {
			name := fmt.Sprintf("Imported %d-%d of %d", round, j, os.Getpid())
			names = append(names, name)
			fmt.Fprintf(&csv, "%s,imp.%d.%d.%d@example.com,came with the spring list\n", name, round, j, os.Getpid())
		}
		f, err := exchange.Read([]byte(csv.String()), exchange.Options{})
		if err != nil {
			return err
		}
		if err := sl.time("importing", func() error {
			_, err := s.Import(f, ImportOptions{Source: "spring.csv"})
			return err
		}); err != nil {
			return err
		}
		for _, n := range names {
			fmt.Fprintf(out, "imported %s\n", n)
		}
		out.Flush()
	}
}

// contender is a running child in one of the roles above.
type contender struct {
	*procChild
	role string
}

func startContender(t *testing.T, role, path string) *contender {
	t.Helper()
	return &contender{procChild: startTestChild(t, contentionRoleEnv+"="+role, contentionFileEnv+"="+path), role: role}
}

// finish closes the child's input and waits for it to exit cleanly.
func (c *contender) finish(t *testing.T) []string {
	t.Helper()
	c.stdin.Close()
	<-c.done
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("the %s failed: %v: %s", c.role, err, strings.TrimSpace(c.stderr.String()))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lines
}

// value finds "key VALUE" among lines.
func value(lines []string, key string) string {
	for _, l := range lines {
		if v, ok := strings.CutPrefix(l, key+" "); ok {
			return v
		}
	}
	return ""
}

// TestContention: on one file at once, two processes save 600 times each (5,000 with PATRON_SOAK=1),
// a third imports small contacts files over and over, a fourth exports
// everything again and again, and a fifth follows the file as an open
// window does (chunked loads, the change feed every 20 ms). No save or read
// fails (each waits up to LockWait for the others, as in real use), every
// acknowledged save is in the file, the window following it ends up
// knowing every customer and the newest change, and the file passes the
// full check with its aggregates and indexes whole.
func TestContention(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	writes := 600
	if os.Getenv("PATRON_SOAK") == "1" {
		writes = 5000
	}
	s := makeShopFile(t, 0)
	for i := range 250 {
		if _, err := s.AddCustomer(model.Customer{Name: fmt.Sprintf("Regular %03d", i), Email: fmt.Sprintf("r%03d@example.com", i)}); err != nil {
			t.Fatal(err)
		}
	}
	path := s.Path()
	start := time.Now()
	window := startContender(t, "window", path)
	export := startContender(t, "export", path)
	imports := startContender(t, "import", path)
	writers := []*procChild{startChild(t, "writer", path, writes), startChild(t, "writer", path, writes)}

	customers, interactions := collectWrites(t, writers, writes)
	elapsed := time.Since(start)
	importLines := imports.finish(t)
	exportLines := export.finish(t)
	windowLines := window.finish(t)
	t.Logf("%d saves by the writers in %v; import: slowest %s µs; export: %s rounds, slowest %s µs; window: slowest %s µs",
		2*writes, elapsed.Round(time.Millisecond), value(importLines, "slowest"), value(exportLines, "exports"), value(exportLines, "slowest"), value(windowLines, "slowest"))

	var imported []string
	for _, l := range importLines {
		if n, ok := strings.CutPrefix(l, "imported "); ok {
			imported = append(imported, n)
		}
	}
	if len(imported) == 0 {
		t.Fatal("the import never finished one file while the writers ran, so it proves nothing")
	}
	if n, _ := strconv.Atoi(value(exportLines, "exports")); n == 0 {
		t.Fatal("no export finished while the writers ran, so it proves nothing")
	}

	checked := checkAcknowledged(t, path, customers, interactions)
	all, err := checked.AllCustomers(nil)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, c := range all {
		names[c.Name] = true
	}
	for _, n := range imported {
		if !names[n] {
			t.Errorf("%s was imported but is not in the file", n)
		}
	}
	if want := 250 + len(customers) + len(imported); len(all) != want {
		t.Errorf("%d customers in the file, want 250 + %d saved + %d imported", len(all), len(customers), len(imported))
	}
	feed, err := checked.ChangesSince(0)
	if err != nil {
		t.Fatal(err)
	}
	if want := uint64(250 + 2*writes + len(imported)/10); feed.Latest != want {
		t.Errorf("the feed holds %d changes, want %d", feed.Latest, want)
	}
	if got := value(windowLines, "known"); got != strconv.Itoa(len(all)) {
		t.Errorf("the window knew %s customers at the end, the file holds %d", got, len(all))
	}
	if got := value(windowLines, "latest"); got != strconv.FormatUint(feed.Latest, 10) {
		t.Errorf("the window had seen change %s at the end, the newest is %d", got, feed.Latest)
	}
	if err := checkAggregates(checked); err != nil {
		t.Fatal(err)
	}
	if err := checkIndexes(checked); err != nil {
		t.Fatal(err)
	}
	if err := CheckFile(path); err != nil {
		t.Fatal(err)
	}
	noLeftovers(t, filepath.Dir(path))
}
