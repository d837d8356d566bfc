package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// BackupDir is the folder beside a data file where backups and automatic
// snapshots go.
func BackupDir(dataFile string) string { return filepath.Join(filepath.Dir(dataFile), "backups") }

func baseName(dataFile string) string {
	return strings.TrimSuffix(filepath.Base(dataFile), filepath.Ext(dataFile))
}

// DefaultBackupPath names a manual backup: backups/<name>-YYYYMMDD-HHMMSS.db.
func DefaultBackupPath(dataFile string, now time.Time) string {
	return filepath.Join(BackupDir(dataFile), fmt.Sprintf("%s-%s.db", baseName(dataFile), now.Format("20060102-150405")))
}

// Backup writes a consistent copy of the file to dest (a file, or a folder
// to put it in; empty means the default). It reads inside one transaction,
// writes a temporary file beside dest, syncs it, renames it into place,
// syncs the folder, and then checks the copy. It never writes to the data file.
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
		return "", fmt.Errorf("cannot create the backup folder %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("cannot write a backup in %s: %w", dir, s.explainIO(err))
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
	if err != nil {
		return "", fmt.Errorf("the backup to %s failed: %w", dest, s.explainIO(err))
	}
	if err := tmp.Sync(); err != nil {
		return "", fmt.Errorf("the backup to %s failed: %w", dest, s.explainIO(err))
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("the backup to %s failed: %w", dest, s.explainIO(err))
	}
	if err := os.Rename(tmpName, dest); err != nil {
		return "", fmt.Errorf("the backup to %s failed: %w", dest, err)
	}
	ok = true
	syncDir(dir)
	if err := CheckFile(dest); err != nil {
		return dest, fmt.Errorf("the backup at %s did not pass its check: %w", dest, err)
	}
	return dest, nil
}

func (s *Store) explainIO(err error) error { return s.explain(err) }

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

// Backups lists the backups and snapshots of a data file, newest first.
func Backups(dataFile string) []string {
	dir := BackupDir(dataFile)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	prefix := baseName(dataFile) + "-"
	type f struct {
		path string
		mod  time.Time
	}
	var list []f
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasPrefix(n, prefix) || !strings.HasSuffix(n, ".db") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		list = append(list, f{filepath.Join(dir, n), info.ModTime()})
	}
	sort.Slice(list, func(i, j int) bool {
		if !list[i].mod.Equal(list[j].mod) {
			return list[i].mod.After(list[j].mod)
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
// old one or the new one. The backup itself is left where it was.
func Restore(dataFile, backup string) error {
	dataFile, _ = filepath.Abs(dataFile)
	backup, _ = filepath.Abs(backup)
	if dataFile == backup {
		return errors.New("the backup and the data file are the same file")
	}
	if _, err := os.Stat(backup); err != nil {
		return fmt.Errorf("cannot read the backup %s: %w", backup, err)
	}
	if err := CheckFile(backup); err != nil {
		return fmt.Errorf("the backup %s is not sound, so nothing was restored: %w", backup, err)
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
		return fmt.Errorf("cannot copy the backup beside %s: %w", dataFile, err)
	}
	if _, err := os.Stat(dataFile); err == nil {
		keep := dataFile + ".before-restore"
		if err := copyFile(dataFile, keep); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("cannot keep the current file as %s, so nothing was restored: %w", keep, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, dataFile); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cannot put the backup in place of %s: %w", dataFile, err)
	}
	syncDir(dir)
	return nil
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
		if _, err = out.ReadFrom(in); err == nil {
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
