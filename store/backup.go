package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// BackupDir is the folder beside a data file where backups and automatic
// snapshots go.
func BackupDir(dataFile string) string { return filepath.Join(filepath.Dir(dataFile), "backups") }

func baseName(dataFile string) string {
	return strings.TrimSuffix(filepath.Base(dataFile), filepath.Ext(dataFile))
}

// DefaultBackupPath names a manual backup: backups/<name>-YYYYMMDD-HHMMSS.db.
func DefaultBackupPath(dataFile string, now time.Time) string {
	return filepath.Join(BackupDir(dataFile), fmt.Sprintf("%s-%s.db", baseName(dataFile), now.Format(stampLayout)))
}

// Backup writes a consistent copy of the file to dest (a file, or a folder
// to put it in; empty means the default). It reads inside one transaction,
// writes a temporary file beside dest, syncs it, checks it in a child
// process, and only then renames it into place and syncs the folder, so dest
// never holds a copy that did not pass the check. It never writes to the
// data file.
func (s *Store) Backup(dest string) (string, error) {
	if dest == "" {
		dest = DefaultBackupPath(s.path, s.now())
	} else if st, err := os.Stat(dest); err == nil && st.IsDir() {
		dest = filepath.Join(dest, filepath.Base(DefaultBackupPath(s.path, s.now())))
	}
	dest, err := filepath.Abs(dest)
	if err != nil {
		return "", err
	}
	if dest == s.path {
		return "", errors.New("a backup cannot overwrite the data file itself; choose another name")
	}
	dir := filepath.Dir(dest)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("cannot create the backup folder %s: %w", dir, s.explain(err))
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".tmp-*")
	if err != nil {
		return "", s.backupFailed(dest, err)
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return "", err
	}
	err = s.view(func(tx *bolt.Tx) error {
		_, err := tx.WriteTo(tmp)
		return err
	})
	if err == nil {
		err = tmp.Sync()
	}
	if err == nil {
		err = tmp.Close()
	}
	if err != nil {
		return "", s.backupFailed(dest, err)
	}
	if err := CheckFile(tmpName); err != nil {
		return "", says(ErrDamaged, err, fmt.Sprintf("%s is damaged: a copy of it did not pass its check (%s), so no backup was written to %s and the file was left untouched; %s",
			s.path, damageReason(err), dest, restoreAdvice(s.path)))
	}
	if err := os.Rename(tmpName, dest); err != nil {
		return "", s.backupFailed(dest, err)
	}
	ok = true
	syncDir(dir)
	return dest, nil
}

// backupFailed says why a backup was not written; the data file is never
// at risk from a failed backup, and the sentence says so.
func (s *Store) backupFailed(dest string, err error) error {
	if diskFull(err) {
		return says(ErrDiskFull, err, fmt.Sprintf("the disk is full, so no backup was written to %s (%s is untouched); free some space and try again", dest, filepath.Base(s.path)))
	}
	if _, ok := err.(*ownerError); ok {
		return err
	}
	return fmt.Errorf("the backup to %s failed (%s is untouched): %w", dest, filepath.Base(s.path), err)
}

// restoreAdvice points the owner at the newest backup of a data file.
func restoreAdvice(dataFile string) string {
	if b := NewestBackup(dataFile); b != "" {
		return fmt.Sprintf("restore the newest backup with `patron restore %s`", b)
	}
	return "restore a backup with `patron restore BACKUP`"
}

// damageReason is the why of a damaged-file error, without its advice.
func damageReason(err error) string {
	var oe *ownerError
	if errors.As(err, &oe) && oe.cause != nil {
		err = oe.cause
	}
	return strings.TrimPrefix(err.Error(), ErrDamaged.Error()+": ")
}

// syncDir makes a rename durable. Windows cannot sync a folder; there the
// rename is as durable as the platform makes it.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// stampLayout is the time in backup and snapshot names.
const stampLayout = "20060102-150405"

// backupStamp reads the time from a name like patron-20261125-150000.db or
// patron-auto-20261125-150000.db; ok is false for any other name.
func backupStamp(dataFile, name string, loc *time.Location) (t time.Time, auto, ok bool) {
	rest, found := strings.CutPrefix(name, baseName(dataFile)+"-")
	if !found {
		return time.Time{}, false, false
	}
	rest, auto = strings.CutPrefix(rest, "auto-")
	rest, found = strings.CutSuffix(rest, ".db")
	if !found || len(rest) != len(stampLayout) {
		return time.Time{}, false, false
	}
	t, err := time.ParseInLocation(stampLayout, rest, loc)
	return t, auto, err == nil
}

// Backups lists the backups and automatic snapshots of a data file in its
// backups folder, newest first: by the time in the name when it has one,
// else by the file's modification time.
func Backups(dataFile string) []string {
	dir := BackupDir(dataFile)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	prefix := baseName(dataFile) + "-"
	type f struct {
		path string
		when time.Time
	}
	var list []f
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasPrefix(n, prefix) || !strings.HasSuffix(n, ".db") {
			continue
		}
		when, _, ok := backupStamp(dataFile, n, time.Local)
		if !ok {
			info, err := e.Info()
			if err != nil {
				continue
			}
			when = info.ModTime()
		}
		list = append(list, f{filepath.Join(dir, n), when})
	}
	sort.Slice(list, func(i, j int) bool {
		if !list[i].when.Equal(list[j].when) {
			return list[i].when.After(list[j].when)
		}
		return list[i].path > list[j].path
	})
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = x.path
	}
	return out
}

// NewestBackup is the newest backup of a data file, or "" when there is none.
func NewestBackup(dataFile string) string {
	if b := Backups(dataFile); len(b) > 0 {
		return b[0]
	}
	return ""
}

// Restore checks backup, keeps the current file as <file>.before-restore and
// swaps the backup in with a rename, so the data file is always either the
// old one or the new one. The kept copy of a sound file is read through a
// transaction while Restore holds the writers' lock, so it is consistent and
// no other window's save falls between the copy and the swap (a window
// waiting for the lock notices the file was replaced and saves into the
// restored one). A damaged current file is kept byte for byte. The backup
// itself is left where it was.
func Restore(dataFile, backup string) error {
	dataFile, _ = filepath.Abs(dataFile)
	backup, _ = filepath.Abs(backup)
	if dataFile == backup {
		return errors.New("the backup and the data file are the same file")
	}
	if _, err := os.Stat(backup); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return says(ErrNotExist, err, fmt.Sprintf("there is no backup at %s; the backups/ folder beside the data file holds Patron's (ls it to choose one), and nothing was restored", backup))
		}
		return fmt.Errorf("cannot read the backup %s (%v); nothing was restored", backup, errors.Unwrap(err))
	}
	if err := CheckFile(backup); err != nil {
		return says(ErrDamaged, err, fmt.Sprintf("the backup %s is not sound (%s), so nothing was restored and %s is as it was; choose another backup", backup, damageReason(err), dataFile))
	}
	g := gateFor(dataFile)
	g.Lock()
	defer g.Unlock()
	dir := filepath.Dir(dataFile)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	// Copy the backup beside the data file first, so the swap is one rename.
	tmp, err := copyToTemp(backup, dir)
	if err != nil {
		return fmt.Errorf("cannot copy the backup beside %s, so nothing was restored: %w", dataFile, err)
	}
	defer os.Remove(tmp) // gone already after a successful swap
	swap := func() error {
		if err := os.Rename(tmp, dataFile); err != nil {
			return fmt.Errorf("cannot put the backup in place of %s, which is as it was: %w", dataFile, err)
		}
		syncDir(dir)
		return nil
	}
	if _, err := os.Stat(dataFile); errors.Is(err, fs.ErrNotExist) {
		return swap()
	} else if err != nil {
		return err
	}
	keep := dataFile + ".before-restore"
	if preflight(dataFile) == nil {
		err := keepThenSwap(dataFile, keep, swap)
		if !errors.Is(err, ErrDamaged) {
			return err
		}
		// Damage preflight could not see: keep the file as it is instead.
	}
	if err := copyFile(dataFile, keep); err != nil {
		return fmt.Errorf("cannot keep the current file as %s, so nothing was restored: %w", keep, err)
	}
	return swap()
}

// keepThenSwap copies the sound data file to keep through a read
// transaction and runs swap, holding the writers' lock throughout (on
// Windows, where an open file cannot be renamed over, up to the swap).
func keepThenSwap(dataFile, keep string, swap func() error) error {
	db, _, err := openBolt(dataFile, false)
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return says(ErrBusy, err, fmt.Sprintf("%s is being saved by another Patron window, so nothing was restored; try again in a moment", filepath.Base(dataFile)))
		}
		return err
	}
	closed := false
	defer func() {
		if !closed {
			db.Close()
		}
	}()
	dir := filepath.Dir(keep)
	out, err := os.CreateTemp(dir, ".before-restore-*")
	if err != nil {
		return fmt.Errorf("cannot keep the current file as %s, so nothing was restored: %w", keep, err)
	}
	name := out.Name()
	defer os.Remove(name) // gone already once renamed
	err = out.Chmod(0o600)
	if err == nil {
		err = guard(func() error {
			return db.View(func(tx *bolt.Tx) error {
				_, err := tx.WriteTo(out)
				return err
			})
		})
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, keep)
	}
	if err != nil {
		if errors.Is(err, ErrDamaged) {
			return err
		}
		return fmt.Errorf("cannot keep the current file as %s, so nothing was restored: %w", keep, err)
	}
	syncDir(dir)
	if runtime.GOOS == "windows" {
		closed = true
		db.Close()
	}
	return swap()
}

func copyToTemp(src, dir string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.CreateTemp(dir, ".restore-*")
	if err != nil {
		return "", err
	}
	name := out.Name()
	if err := out.Chmod(0o600); err == nil {
		if _, err = io.Copy(out, in); err == nil {
			err = out.Sync()
		}
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			return name, nil
		}
	}
	out.Close()
	os.Remove(name)
	return "", err
}

// copyFile copies src to dst durably (temp file, sync, rename).
func copyFile(src, dst string) error {
	tmp, err := copyToTemp(src, filepath.Dir(dst))
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return err
	}
	syncDir(filepath.Dir(dst))
	return nil
}
