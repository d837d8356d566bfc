package store

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/patron-crm/patron/model"
)

// TestFullDiskLosesNothing runs a saving process whose file-size limit is
// the data file's size, so the save that needs the file to grow fails as on
// a full disk. That save must say so plainly, and afterwards the file must
// be sound, hold every save that returned, and take saves again once there
// is room.
func TestFullDiskLosesNothing(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("a full disk is simulated with RLIMIT_FSIZE, which this test only sets up on Linux")
	}
	s := makeShopFile(t, 3)
	before, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	c := startSafetyChild(t, "disk-full", s.Path())
	lines := c.stop(t)

	var saved []string
	full := ""
	for _, l := range lines {
		if name, ok := strings.CutPrefix(l, "saved "); ok {
			saved = append(saved, name)
		} else if msg, ok := strings.CutPrefix(l, "full "); ok {
			full = msg
		}
	}
	if full == "" {
		t.Fatalf("the child never ran out of room: %q", lines)
	}
	if !strings.Contains(full, "the disk is full; nothing was lost") {
		t.Errorf("the full-disk message does not say nothing was lost: %s", full)
	}
	if len(saved) == 0 {
		t.Log("no save fitted before the disk filled up; the test still checks the file is intact")
	}
	after, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if after.Size() != before.Size() {
		t.Fatalf("the file grew past its limit: %d -> %d bytes", before.Size(), after.Size())
	}
	if err := CheckFile(s.Path()); err != nil {
		t.Fatal(err)
	}
	reopened, err := Open(s.Path(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	all, err := reopened.AllCustomers(nil)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, c := range all {
		have[c.Name] = true
	}
	for _, name := range append([]string{"Customer 000", "Customer 001", "Customer 002"}, saved...) {
		if !have[name] {
			t.Errorf("%s was saved before the disk filled up but is missing", name)
		}
	}
	if len(all) != 3+len(saved) {
		t.Errorf("%d customers, want %d: the failed save left something behind", len(all), 3+len(saved))
	}
	// With room again, saving works.
	if _, err := reopened.AddCustomer(model.Customer{Name: "After The Cleanup", Notes: longNotes}); err != nil {
		t.Fatal(err)
	}
	if err := CheckFile(s.Path()); err != nil {
		t.Fatal(err)
	}
}

// TestDiskFullIsRecognisedWhereBboltFlattensTheError covers bbolt's
// "file resize error: file too large", which no longer wraps the errno.
func TestDiskFullIsRecognisedWhereBboltFlattensTheError(t *testing.T) {
	s := newTestStore(t)
	for _, err := range []error{
		errors.New("file resize error: file too large"),
		errors.New("write /x/patron.db: no space left on device"),
		&os.PathError{Op: "write", Path: "x", Err: errDiskFullErrno},
	} {
		got := s.explain(err)
		if !errors.Is(got, ErrDiskFull) || !strings.Contains(got.Error(), "the disk is full; nothing was lost") {
			t.Errorf("%v -> %v", err, got)
		}
	}
}
