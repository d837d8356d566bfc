package store

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestSnapshotOnlyReadsTheDataFile: a snapshot lands in backups/ with the
// -auto- name, passes the full check, and the data file's bytes and
// modification time do not change.
func TestSnapshotOnlyReadsTheDataFile(t *testing.T) {
	s := makeShopFile(t, 3)
	ageFile(t, s.Path())
	before := stateOf(t, s.Path())
	got, err := s.Snapshot("start")
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(filepath.Dir(s.Path()), "backups", "patron-auto-20261125-150000.db")
	if got != want {
		t.Fatalf("snapshot at %s, want %s", got, want)
	}
	assertUnchanged(t, s.Path(), before, "taking a snapshot")
	wantMode(t, got, 0o600)
	wantMode(t, filepath.Dir(got), 0o700)
	if err := CheckFile(got); err != nil {
		t.Fatal(err)
	}
	if n := len(customerNames(t, got)); n != 3 {
		t.Fatalf("the snapshot holds %d customers", n)
	}
	if NewestBackup(s.Path()) != got {
		t.Errorf("NewestBackup = %q, want the snapshot", NewestBackup(s.Path()))
	}
}

// fabricate creates empty files with the given names in dir, every one
// with the same modification time, so only the names can order them.
func fabricate(t testing.TB, dir string, names ...string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	same := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, n := range names {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, same, same); err != nil {
			t.Fatal(err)
		}
	}
}

func listDir(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestPruneSnapshotsKeepsSevenDailyAndFourWeekly checks the policy on
// fabricated names. now is Wednesday 2026-11-25 (ISO week 48).
func TestPruneSnapshotsKeepsSevenDailyAndFourWeekly(t *testing.T) {
	data := filepath.Join(t.TempDir(), "patron.db")
	dir := BackupDir(data)
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)
	kept := []string{
		"patron-auto-20261125-145900.db", // day 1 (today's newest), week 48
		"patron-auto-20261124-180000.db", // day 2
		"patron-auto-20261122-080000.db", // day 3 (Sunday), week 47's newest
		"patron-auto-20261120-120000.db", // day 4
		"patron-auto-20261118-120000.db", // day 5
		"patron-auto-20261117-120000.db", // day 6
		"patron-auto-20261116-200000.db", // day 7 (Monday of week 47)
		"patron-auto-20261115-110000.db", // week 46's newest (the days are used up)
		"patron-auto-20261105-120000.db", // week 45's newest
		"patron-auto-20261126-090000.db", // after now: a clock that went back; left alone
		// Not automatic snapshots of this file: never touched.
		"patron-20260101-000000.db",
		"patron-20261110-100000.db",
		"shop-auto-20260101-000000.db",
		"patron-auto-garbage.db",
		"patron-auto-20261301-000000.db",
		"patron-auto-20261001-000000.db.txt",
	}
	gone := []string{
		"patron-auto-20261125-090000.db", // earlier the same day
		"patron-auto-20261125-120000.db",
		"patron-auto-20261124-100000.db",
		"patron-auto-20261116-100000.db",
		"patron-auto-20261110-120000.db", // week 46, not its newest
		"patron-auto-20261103-120000.db", // week 45, not its newest
		"patron-auto-20261028-120000.db", // week 44: beyond four weeks
		"patron-auto-20261001-000000.db",
	}
	fabricate(t, dir, append(slices.Clone(kept), gone...)...)

	deleted, err := PruneSnapshots(data, now)
	if err != nil {
		t.Fatal(err)
	}
	var deletedNames []string
	for _, p := range deleted {
		if filepath.Dir(p) != dir {
			t.Errorf("deleted outside the backups folder: %s", p)
		}
		deletedNames = append(deletedNames, filepath.Base(p))
	}
	slices.Sort(deletedNames)
	slices.Sort(gone)
	if !slices.Equal(deletedNames, gone) {
		t.Errorf("deleted %q\nwant    %q", deletedNames, gone)
	}
	left := listDir(t, dir)
	slices.Sort(kept)
	if !slices.Equal(left, kept) {
		t.Errorf("left %q\nwant %q", left, kept)
	}

	// Pruning again deletes nothing more.
	again, err := PruneSnapshots(data, now)
	if err != nil || len(again) != 0 {
		t.Errorf("a second prune deleted %q, %v", again, err)
	}
}

// TestPruneSnapshotsKeepsOldOnesWhenPatronWasNotUsed: the days and weeks
// counted are those that have snapshots, so a shop that closed for two
// months keeps its last ones rather than losing them all.
func TestPruneSnapshotsKeepsOldOnesWhenPatronWasNotUsed(t *testing.T) {
	data := filepath.Join(t.TempDir(), "patron.db")
	names := []string{"patron-auto-20260901-100000.db", "patron-auto-20260902-100000.db", "patron-auto-20260910-100000.db"}
	fabricate(t, BackupDir(data), names...)
	deleted, err := PruneSnapshots(data, time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC))
	if err != nil || len(deleted) != 0 {
		t.Fatalf("deleted %q, %v", deleted, err)
	}
}

// TestSnapshotPrunesAfterItIsTaken: older snapshots of the same day give way
// to the new one; manual backups stay.
func TestSnapshotPrunesAfterItIsTaken(t *testing.T) {
	s := makeShopFile(t, 1)
	dir := BackupDir(s.Path())
	fabricate(t, dir, "patron-auto-20261125-080000.db", "patron-auto-20261124-080000.db", "patron-20261125-070000.db")
	got, err := s.Snapshot("daily")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"patron-20261125-070000.db", "patron-auto-20261124-080000.db", filepath.Base(got)}
	slices.Sort(want)
	if left := listDir(t, dir); !slices.Equal(left, want) {
		t.Fatalf("left %q, want %q", left, want)
	}
}

// TestSnapshotOfADamagedFileKeepsTheOldOnes: a snapshot that cannot be
// taken prunes nothing, so the snapshots from before the damage survive.
func TestSnapshotOfADamagedFileKeepsTheOldOnes(t *testing.T) {
	for _, tc := range damageCases {
		if tc.name != "garbage in both meta pages" && tc.name != "garbage in the header of a deep leaf page" {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			s := makeShopFile(t, tc.customers)
			dir := BackupDir(s.Path())
			old := []string{"patron-auto-20261125-080000.db", "patron-auto-20261125-090000.db"}
			fabricate(t, dir, old...)
			tc.damage(t, s, readFileLayout(t, s.Path()))
			before := stateOf(t, s.Path())
			_, err := s.Snapshot("daily")
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("want ErrDamaged, got %v", err)
			}
			if left := listDir(t, dir); !slices.Equal(left, old) {
				t.Fatalf("after a failed snapshot the folder holds %q, want %q", left, old)
			}
			assertUnchanged(t, s.Path(), before, "a failed snapshot")
		})
	}
}

// TestBackupsListsBothKindsNewestFirst orders by the time in the name, not
// the file's modification time, and skips temporary files.
func TestBackupsListsBothKindsNewestFirst(t *testing.T) {
	data := filepath.Join(t.TempDir(), "patron.db")
	dir := BackupDir(data)
	fabricate(t, dir,
		"patron-20261120-100000.db",
		"patron-auto-20261125-090000.db",
		"patron-20261125-100000.db",
		"patron-auto-20261101-090000.db",
		".patron-20261130-000000.db.tmp-123",
		"other-20261130-000000.db",
	)
	var got []string
	for _, p := range Backups(data) {
		got = append(got, filepath.Base(p))
	}
	want := []string{"patron-20261125-100000.db", "patron-auto-20261125-090000.db", "patron-20261120-100000.db", "patron-auto-20261101-090000.db"}
	if !slices.Equal(got, want) {
		t.Fatalf("Backups = %q, want %q", got, want)
	}
	if NewestBackup(data) != filepath.Join(dir, want[0]) {
		t.Errorf("NewestBackup = %q", NewestBackup(data))
	}
}
