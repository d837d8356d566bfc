package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patron-crm/patron/model"
)

func wantMode(t testing.TB, path string, want os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != want {
		t.Errorf("%s has mode %v, want %v", path, st.Mode().Perm(), want)
	}
}

// noLeftovers fails when a temporary file was left in dir.
func noLeftovers(t testing.TB, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("a temporary file was left behind: %s", filepath.Join(dir, e.Name()))
		}
	}
}

func customerNames(t testing.TB, path string) []string {
	t.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.AllCustomers(nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range all {
		names = append(names, c.Name)
	}
	return names
}

// TestBackupDefaultNameAndPermissions: `patron backup` with no destination
// writes backups/<name>-YYYYMMDD-HHMMSS.db beside the file, 0600 in a 0700
// folder, and the copy passes the full check and holds the data.
func TestBackupDefaultNameAndPermissions(t *testing.T) {
	s := makeShopFile(t, 3)
	dest, err := s.Backup("")
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(filepath.Dir(s.Path()), "backups", "patron-20261125-150000.db")
	if dest != want {
		t.Fatalf("backup written to %s, want %s", dest, want)
	}
	wantMode(t, dest, 0o600)
	wantMode(t, filepath.Dir(dest), 0o700)
	if err := CheckFile(dest); err != nil {
		t.Fatal(err)
	}
	if got := customerNames(t, dest); len(got) != 3 || got[0] != "Customer 000" {
		t.Fatalf("the backup holds %q", got)
	}
	noLeftovers(t, filepath.Dir(dest))
	if NewestBackup(s.Path()) != dest {
		t.Errorf("NewestBackup = %q, want %q", NewestBackup(s.Path()), dest)
	}
}

// TestBackupIntoAFolderOrAFile: a folder gets the default name inside it;
// a file name is used as given; the data file itself is refused.
func TestBackupIntoAFolderOrAFile(t *testing.T) {
	s := makeShopFile(t, 1)
	folder := t.TempDir()
	dest, err := s.Backup(folder)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(folder, "patron-20261125-150000.db"); dest != want {
		t.Fatalf("backup into a folder went to %s, want %s", dest, want)
	}
	named := filepath.Join(t.TempDir(), "new", "friday.db")
	if dest, err = s.Backup(named); err != nil || dest != named {
		t.Fatalf("backup to a file name: %s, %v", dest, err)
	}
	wantMode(t, named, 0o600)
	wantMode(t, filepath.Dir(named), 0o700)
	if err := CheckFile(named); err != nil {
		t.Fatal(err)
	}
	before := stateOf(t, s.Path())
	if _, err := s.Backup(s.Path()); err == nil {
		t.Fatal("a backup over the data file itself was accepted")
	}
	assertUnchanged(t, s.Path(), before, "a backup onto itself")
}

// checkInvariant verifies, in one read of a file, what every save keeps
// true: each customer's Stats.Interactions is the number of its
// interactions, and the global log and the id index hold each interaction
// once. It returns the number of customers.
func checkInvariant(t testing.TB, path string) int {
	t.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	customers := 0
	err = s.view(func(tx *bolt.Tx) error {
		counted := map[model.ID]int{}
		total := 0
		err := tx.Bucket(bInteractions).ForEach(func(k, v []byte) error {
			counted[keyID(k)]++
			total++
			return nil
		})
		if err != nil {
			return err
		}
		if n := tx.Bucket(bByTime).Stats().KeyN; n != total {
			return fmt.Errorf("%d interactions but %d in the global log", total, n)
		}
		if n := tx.Bucket(bInterIDs).Stats().KeyN; n != total {
			return fmt.Errorf("%d interactions but %d in the id index", total, n)
		}
		return tx.Bucket(bCustomers).ForEach(func(k, v []byte) error {
			var c model.Customer
			if err := decode(v, &c); err != nil {
				return err
			}
			customers++
			if c.Stats.Interactions != counted[c.ID] {
				return fmt.Errorf("%s: Stats.Interactions %d, but %d interactions", c.Name, c.Stats.Interactions, counted[c.ID])
			}
			return nil
		})
	})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return customers
}

// TestBackupsWhileAnotherProcessWrites takes backups while a child process
// saves as fast as it can: each must pass the full check and hold the
// writer's invariant, and together they must show the writer progressing.
func TestBackupsWhileAnotherProcessWrites(t *testing.T) {
	rounds := 50
	if testing.Short() {
		rounds = 10
	}
	s := makeShopFile(t, 0)
	w := startSafetyChild(t, "invariant-writer", s.Path())
	w.waitLines(t, 3)
	dir := t.TempDir()
	var counts []int
	for i := 0; i < rounds; i++ {
		dest, err := s.Backup(filepath.Join(dir, fmt.Sprintf("while-writing-%02d.db", i)))
		if err != nil {
			t.Fatalf("backup %d: %v", i, err)
		}
		counts = append(counts, checkInvariant(t, dest))
	}
	lines := w.stop(t)
	if counts[len(counts)-1] <= counts[0] {
		t.Fatalf("the writer made no progress during the backups (%v), so they prove nothing", counts)
	}
	for i := 1; i < len(counts); i++ {
		if counts[i] < counts[i-1] {
			t.Fatalf("a later backup holds fewer customers: %v", counts)
		}
	}
	final := checkInvariant(t, s.Path())
	if final != len(lines) {
		t.Errorf("the file holds %d customers, the writer acknowledged %d", final, len(lines))
	}
	noLeftovers(t, dir)
}

// TestRestoreRefusesADamagedBackup: nothing changes, nothing is kept aside.
func TestRestoreRefusesADamagedBackup(t *testing.T) {
	s := makeShopFile(t, 2)
	backup, err := s.Backup("")
	if err != nil {
		t.Fatal(err)
	}
	truncate(t, backup, 8192)
	ageFile(t, s.Path())
	before := stateOf(t, s.Path())
	backupBefore := stateOf(t, backup)
	err = Restore(s.Path(), backup)
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "nothing was restored") || !strings.Contains(err.Error(), backup) {
		t.Fatalf("restore of a damaged backup: %v", err)
	}
	assertUnchanged(t, s.Path(), before, "a refused restore")
	assertUnchanged(t, backup, backupBefore, "a refused restore (the backup)")
	if _, err := os.Stat(s.Path() + ".before-restore"); !errors.Is(err, os.ErrNotExist) {
		t.Error("a refused restore kept a copy aside anyway")
	}
	noLeftovers(t, filepath.Dir(s.Path()))
}

// TestRestoreKeepsTheCurrentFileAndSwapsInTheBackup restores a backup made
// from another file: the data file becomes that file (a different FileID,
// so a running TUI knows to reload), the old one is kept beside it, and the
// backup is left where it was.
func TestRestoreKeepsTheCurrentFileAndSwapsInTheBackup(t *testing.T) {
	mine := makeShopFile(t, 2)
	other := makeShopFile(t, 0)
	if _, err := other.AddCustomer(model.Customer{Name: "From The Other Shop"}); err != nil {
		t.Fatal(err)
	}
	backup, err := other.Backup("")
	if err != nil {
		t.Fatal(err)
	}
	backupBefore := stateOf(t, backup)
	oldID := mine.FileID()
	oldBytes, err := os.ReadFile(mine.Path())
	if err != nil {
		t.Fatal(err)
	}

	if err := Restore(mine.Path(), backup); err != nil {
		t.Fatal(err)
	}
	reopened, err := Open(mine.Path(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if reopened.FileID() == oldID || reopened.FileID() != other.FileID() {
		t.Errorf("FileID after restore %q; replaced file's %q, backup's %q", reopened.FileID(), oldID, other.FileID())
	}
	if got := customerNames(t, mine.Path()); len(got) != 1 || got[0] != "From The Other Shop" {
		t.Errorf("after restore the file holds %q", got)
	}
	wantMode(t, mine.Path(), 0o600)

	kept := mine.Path() + ".before-restore"
	if err := CheckFile(kept); err != nil {
		t.Fatal(err)
	}
	wantMode(t, kept, 0o600)
	if got := customerNames(t, kept); len(got) != 2 {
		t.Errorf("the kept file holds %q", got)
	}
	// A sound file is kept through a transaction: the same data, and in
	// this quiet case the very same bytes up to bbolt's used length.
	keptBytes, _ := os.ReadFile(kept)
	meta := 2 * int(readFileLayout(t, kept).pageSize) // both meta pages are written afresh
	if len(keptBytes) > len(oldBytes) || !bytes.Equal(keptBytes[meta:], oldBytes[meta:len(keptBytes)]) {
		t.Error("the kept file's pages differ from the file it replaced")
	}
	assertUnchanged(t, backup, backupBefore, "restoring from it")
	noLeftovers(t, filepath.Dir(mine.Path()))

	// A window that was open before the restore saves into the restored file.
	if _, err := mine.AddCustomer(model.Customer{Name: "After The Restore"}); err != nil {
		t.Fatal(err)
	}
	if got := customerNames(t, mine.Path()); len(got) != 2 || got[1] != "After The Restore" {
		t.Errorf("after a save the restored file holds %q", got)
	}
}

// TestRestoreKeepsADamagedFileByteForByte: when the current file is the
// damaged one, it is kept exactly as it was for whoever wants to look.
func TestRestoreKeepsADamagedFileByteForByte(t *testing.T) {
	s := makeShopFile(t, 2)
	backup, err := s.Backup("")
	if err != nil {
		t.Fatal(err)
	}
	writeAt(t, s.Path(), pageHeaderSize, garbage(12, 64))
	writeAt(t, s.Path(), 4096+pageHeaderSize, garbage(13, 64))
	damaged, _ := os.ReadFile(s.Path())
	if err := Restore(s.Path(), backup); err != nil {
		t.Fatal(err)
	}
	kept, _ := os.ReadFile(s.Path() + ".before-restore")
	if !bytes.Equal(kept, damaged) {
		t.Fatal("the damaged file was not kept byte for byte")
	}
	if err := CheckFile(s.Path()); err != nil {
		t.Fatal(err)
	}
	if got := customerNames(t, s.Path()); len(got) != 2 {
		t.Fatalf("after restore: %q", got)
	}
}

// TestRestoreWhileAnotherProcessWrites restores while a child saves as fast
// as it can. Every customer the writer was told was saved must be either in
// the kept file (saved before the swap) or in the restored one (saved after
// it): none may fall between the copy and the swap. Both must pass the full
// check and hold the writer's invariant.
func TestRestoreWhileAnotherProcessWrites(t *testing.T) {
	s := makeShopFile(t, 0)
	if _, err := s.AddCustomer(model.Customer{Name: "Before Everything"}); err != nil {
		t.Fatal(err)
	}
	backup, err := s.Backup("")
	if err != nil {
		t.Fatal(err)
	}
	w := startSafetyChild(t, "invariant-writer", s.Path())
	w.waitLines(t, 20)
	if err := Restore(s.Path(), backup); err != nil {
		t.Fatal(err)
	}
	w.waitLines(t, 20)
	lines := w.stop(t)

	kept := s.Path() + ".before-restore"
	for _, f := range []string{kept, s.Path()} {
		if err := CheckFile(f); err != nil {
			t.Fatal(err)
		}
		checkInvariant(t, f)
	}
	have := map[string]int{}
	for _, f := range []string{kept, s.Path()} {
		for _, n := range customerNames(t, f) {
			have[n]++
		}
	}
	for _, l := range lines {
		name := strings.TrimPrefix(l, "customer ")
		if have[name] != 1 {
			t.Errorf("%s was acknowledged but is in %d of the two files", name, have[name])
		}
	}
	if have["Before Everything"] != 2 {
		t.Error("the customer from before the backup should be in both files")
	}
	restored := customerNames(t, s.Path())
	if len(restored) < 2 {
		t.Errorf("the writer saved nothing into the restored file: %q", restored)
	}
}

// TestWriteWaitingDuringARestoreGoesToTheRestoredFile: a save that was
// waiting for the lock on the old file when it was swapped must notice and
// save into the new one, not into the replaced file.
func TestWriteWaitingDuringARestoreGoesToTheRestoredFile(t *testing.T) {
	s := makeShopFile(t, 1)
	other := makeShopFile(t, 0)
	backup, err := other.Backup("")
	if err != nil {
		t.Fatal(err)
	}
	// A reader in another process holds the file: the save passes its
	// pre-flight (a shared lock) and then waits inside bbolt for the
	// writers' lock on the file that is about to be replaced.
	holder, err := bolt.Open(s.Path(), 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	saved := make(chan error, 1)
	go func() {
		_, err := s.AddCustomer(model.Customer{Name: "Waited Patiently"})
		saved <- err
	}()
	time.Sleep(200 * time.Millisecond) // the save is now waiting for the lock
	tmp, err := copyToTemp(backup, filepath.Dir(s.Path()))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, s.Path()); err != nil {
		t.Fatal(err)
	}
	holder.Close()
	if err := <-saved; err != nil {
		t.Fatal(err)
	}
	if got := customerNames(t, s.Path()); len(got) != 1 || got[0] != "Waited Patiently" {
		t.Fatalf("the save did not land in the new file: %q", got)
	}
}

func TestRestoreOfAMissingBackupSaysSoPlainly(t *testing.T) {
	s := newTestStore(t)
	err := Restore(s.Path(), filepath.Join(t.TempDir(), "nope.db"))
	if !errors.Is(err, ErrNotExist) || !strings.Contains(err.Error(), "there is no backup at") || strings.Contains(err.Error(), "stat ") {
		t.Fatalf("restore of a missing backup: %v", err)
	}
}
