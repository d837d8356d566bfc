package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Automatic snapshots keep the newest snapshot of each of the last
// snapshotDays days that have one, and the newest of each of the last
// snapshotWeeks ISO weeks that have one. Manual backups are never pruned.
const (
	snapshotDays  = 7
	snapshotWeeks = 4
)

// SnapshotPath names an automatic snapshot: backups/<name>-auto-YYYYMMDD-HHMMSS.db.
func SnapshotPath(dataFile string, now time.Time) string {
	return filepath.Join(BackupDir(dataFile), fmt.Sprintf("%s-auto-%s.db", baseName(dataFile), now.Format(stampLayout)))
}

// Snapshot takes an automatic snapshot into the backups folder (when the
// TUI starts, when it quits, once a day while it stays open: reason says
// which, for the owner) and then prunes older snapshots. Like Backup it only
// reads the data file. A snapshot that fails its check is not kept, and
// nothing is pruned then. When pruning fails the snapshot is still returned,
// with the error.
func (s *Store) Snapshot(reason string) (string, error) {
	now := s.now()
	path, err := s.Backup(SnapshotPath(s.path, now))
	if err != nil {
		return "", fmt.Errorf("the automatic snapshot (%s) was not taken: %w", reason, err)
	}
	if _, err := PruneSnapshots(s.path, now); err != nil {
		return path, fmt.Errorf("the automatic snapshot (%s) was taken, but old ones could not be tidied away: %w", reason, err)
	}
	return path, nil
}

// PruneSnapshots deletes the automatic snapshots of dataFile that the policy
// no longer keeps and returns their paths. Only names of the form
// <name>-auto-YYYYMMDD-HHMMSS.db are considered, and their time is read from
// the name (in now's zone), not from the file: copying a folder of backups
// must not change which are kept. Snapshots named after now (a clock that
// went back) are left alone.
func PruneSnapshots(dataFile string, now time.Time) ([]string, error) {
	dir := BackupDir(dataFile)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	type snap struct {
		path string
		at   time.Time
	}
	var snaps []snap
	for _, e := range entries {
		at, auto, ok := backupStamp(dataFile, e.Name(), now.Location())
		if !ok || !auto || e.IsDir() || at.After(now) {
			continue
		}
		snaps = append(snaps, snap{filepath.Join(dir, e.Name()), at})
	}
	sort.Slice(snaps, func(i, j int) bool {
		if !snaps[i].at.Equal(snaps[j].at) {
			return snaps[i].at.After(snaps[j].at)
		}
		return snaps[i].path > snaps[j].path
	})
	days := map[string]bool{}
	weeks := map[[2]int]bool{}
	var gone []string
	var firstErr error
	for _, sn := range snaps {
		keep := false
		if day := sn.at.Format("20060102"); !days[day] && len(days) < snapshotDays {
			days[day], keep = true, true
		}
		y, w := sn.at.ISOWeek()
		if week := [2]int{y, w}; !weeks[week] && len(weeks) < snapshotWeeks {
			weeks[week], keep = true, true
		}
		if keep {
			continue
		}
		if err := os.Remove(sn.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		gone = append(gone, sn.path)
	}
	return gone, firstErr
}
