package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/patron-crm/patron/model"
)

// CompactResult says what a compaction did.
type CompactResult struct {
	Before, After int64  // the data file's size in bytes, before and after
	Kept          string // the file as it was, kept beside it
	// Held is true when other windows kept saving, so the work was done
	// holding the writers' lock and their saves waited for it.
	Held bool
}

// compactTxSize is how much one transaction of the copy writes before it
// commits: large enough that commits are few, small enough that a big file
// is never held in memory at once.
const compactTxSize = 16 << 20

// compactTries is how often Compact copies the file without blocking other
// windows before it does the work while holding the writers' lock.
var compactTries = 3

// compactBeforeLock, when set by a test, runs between copying the file
// and taking the lock to swap it, where another window could save.
var compactBeforeLock func()

// KeptBeforeCompact names the copy Compact keeps of the file it replaces.
func KeptBeforeCompact(dataFile string) string { return dataFile + ".before-compact" }

// Compact writes a compacted copy of the data file (bbolt's file never
// shrinks by itself when records are deleted), checks it, keeps the file as
// it was as <file>.before-compact and swaps the copy in with one rename.
// It first works on a checked backup, outside the writers' lock, and swaps
// only when no window saved meanwhile (the file's transaction id is the
// backup's); when other windows keep saving, it does the work holding the
// lock instead, so they wait. Either way no saved change can fall between
// the copy and the swap, and a window waiting for the lock saves into the
// compacted file (see rawUpdate).
func (s *Store) Compact() (CompactResult, error) { return s.CompactWith(nil) }

// CompactWith is Compact telling progress how many of the file's records
// are copied so far, out of total, as it goes (a large file takes seconds).
func (s *Store) CompactWith(progress func(done, total int)) (CompactResult, error) {
	if progress == nil {
		progress = func(int, int) {}
	}
	keep := KeptBeforeCompact(s.path)
	if err := preflight(s.path); err != nil {
		return CompactResult{}, err
	}
	for attempt := 0; ; attempt++ {
		res, swapped, err := s.compactOnce(keep, attempt >= compactTries, progress)
		if err != nil || swapped {
			return res, err
		}
	}
}

// compactOnce makes one attempt. Without hold it copies and compacts
// outside the lock and reports swapped false when the file changed
// meanwhile; with hold it does everything under the lock.
func (s *Store) compactOnce(keep string, hold bool, progress func(done, total int)) (res CompactResult, swapped bool, err error) {
	res.Kept, res.Held = keep, hold
	var txid uint64
	if !hold {
		// A checked backup is both what compaction reads and, when nothing
		// changes before the swap, the file as it was.
		if _, err := s.Backup(keep); err != nil {
			return res, false, s.notCompacted(err)
		}
		if txid, err = fileTxID(keep); err != nil {
			return res, false, s.notCompacted(err)
		}
	}
	dir := filepath.Dir(s.path)
	var tmp string
	defer func() {
		if tmp != "" {
			os.Remove(tmp) // gone already after a successful swap
		}
	}()
	if !hold {
		if tmp, err = compactFile(keep, dir, progress); err != nil {
			return res, false, s.notCompacted(err)
		}
		if err := CheckFile(tmp); err != nil {
			return res, false, s.copyNotSound(err)
		}
	}

	if compactBeforeLock != nil {
		compactBeforeLock()
	}
	s.gate.Lock()
	defer s.gate.Unlock()
	db, f, err := openBolt(s.path, false)
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return res, false, says(ErrBusy, err, fmt.Sprintf("%s is being saved by another Patron window, so it was not compacted; try again in a moment", filepath.Base(s.path)))
		}
		return res, false, s.explain(err)
	}
	closed := false
	defer func() {
		if !closed {
			db.Close()
		}
	}()
	if replaced(f, s.path) {
		return res, false, nil // a restore swapped the file meanwhile: start again
	}
	st, err := f.Stat()
	if err != nil {
		return res, false, err
	}
	res.Before = st.Size()
	if !hold {
		var now uint64
		if err := guard(func() error {
			return db.View(func(tx *bolt.Tx) error { now = uint64(tx.ID()); return nil })
		}); err != nil {
			return res, false, s.explain(err)
		}
		if now != txid {
			return res, false, nil // another window saved meanwhile
		}
	} else {
		// Nothing can change the file while the lock is held, so its bytes
		// are a consistent copy of it.
		if err := copyFile(s.path, keep); err != nil {
			return res, false, s.notCompacted(err)
		}
		if tmp, err = compactOpen(db, dir, progress); err != nil {
			return res, false, s.notCompacted(err)
		}
		if err := CheckFile(tmp); err != nil {
			return res, false, s.copyNotSound(err)
		}
	}
	if info, err := os.Stat(tmp); err == nil {
		res.After = info.Size()
	}
	// Windows cannot rename over an open file; elsewhere the lock is held
	// until the compacted file is in place.
	if runtime.GOOS == "windows" {
		closed = true
		db.Close()
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return res, false, fmt.Errorf("cannot put the compacted copy in place of %s, which is as it was: %w", s.path, err)
	}
	tmp = ""
	syncDir(dir)
	return res, true, nil
}

// compactFile compacts the file at src into a new temporary file in dir.
func compactFile(src, dir string, progress func(done, total int)) (string, error) {
	db, _, err := openBolt(src, true)
	if err != nil {
		return "", err
	}
	defer db.Close()
	return compactOpen(db, dir, progress)
}

// compactOpen copies the open database src, with full pages and no free
// ones, into a new temporary 0600 file in dir, synced to disk.
func compactOpen(src *bolt.DB, dir string, progress func(done, total int)) (name string, err error) {
	f, err := os.CreateTemp(dir, ".compact-*")
	if err != nil {
		return "", err
	}
	name = f.Name()
	err = f.Chmod(0o600)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	// Syncing each intermediate commit buys nothing: the copy counts only
	// once it is synced whole and checked.
	dst, err := bolt.Open(name, 0o600, &bolt.Options{NoSync: true})
	if err == nil {
		err = guard(func() error { return compactCopy(dst, src, compactTxSize, progress) })
		if err == nil {
			err = dst.Sync()
		}
		if cerr := dst.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// fileTxID is the id of the newest transaction in a file at rest, read from
// its header pages.
func fileTxID(path string) (uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	m0, err0 := readMeta(f, 0)
	var best uint64
	if err0 == nil {
		best = m0.txid
	}
	m1, err1 := readMeta(f, int64(m0.pageSize))
	if err0 != nil {
		// The second header sits one page in; without the first, try the
		// usual page size.
		m1, err1 = readMeta(f, int64(os.Getpagesize()))
	}
	if err1 == nil && m1.txid > best {
		best = m1.txid
	}
	if err0 != nil && err1 != nil {
		return 0, fmt.Errorf("%w: %v", ErrDamaged, err0)
	}
	return best, nil
}

// notCompacted says a compaction failed and the file is as it was.
func (s *Store) notCompacted(err error) error {
	if _, ok := err.(*ownerError); ok {
		return fmt.Errorf("%s was not compacted: %w", filepath.Base(s.path), err)
	}
	if diskFull(err) {
		return says(ErrDiskFull, err, fmt.Sprintf("the disk is full, so %s was not compacted and is as it was; free some space and try again (compacting needs room for two more copies of the file)", filepath.Base(s.path)))
	}
	return fmt.Errorf("%s was not compacted and is as it was: %w", filepath.Base(s.path), err)
}

// copyNotSound says the compacted copy failed its check, so it was not used.
func (s *Store) copyNotSound(err error) error {
	return says(ErrDamaged, err, fmt.Sprintf("the compacted copy of %s did not pass its check (%s), so it was thrown away and %s is as it was; run `patron check` on it",
		s.path, damageReason(err), filepath.Base(s.path)))
}

// compactCopy is bolt.Compact (full pages, every bucket's sequence kept,
// a commit every txMaxSize bytes) that also rewrites customers and
// interactions stored as JSON before schema 5 in the compact form, which
// is what makes an older file shrink to its new size.
func compactCopy(dst, src *bolt.DB, txMaxSize int64, progress func(done, total int)) error {
	tx, err := dst.Begin(true)
	if err != nil {
		return err
	}
	defer func() { tx.Rollback() }()
	var size int64
	done, total := 0, 0
	put := func(path [][]byte, k, v []byte, seq uint64) error {
		if done++; done%progressEvery == 0 {
			progress(min(done, total), total)
		}
		if size += int64(len(k) + len(v)); size > txMaxSize {
			if err := tx.Commit(); err != nil {
				return err
			}
			if tx, err = dst.Begin(true); err != nil {
				return err
			}
			size = int64(len(k) + len(v))
		}
		if len(path) == 0 {
			b, err := tx.CreateBucket(k)
			if err != nil {
				return err
			}
			return b.SetSequence(seq)
		}
		b := tx.Bucket(path[0])
		for _, p := range path[1:] {
			b = b.Bucket(p)
		}
		b.FillPercent = 1.0
		if v == nil {
			nb, err := b.CreateBucket(k)
			if err != nil {
				return err
			}
			return nb.SetSequence(seq)
		}
		if len(path) == 1 && len(v) > 1 && v[0] == valueVersion {
			v = compactRecord(path[0], v)
		}
		return b.Put(k, v)
	}
	var walk func(b *bolt.Bucket, path [][]byte) error
	walk = func(b *bolt.Bucket, path [][]byte) error {
		return b.ForEach(func(k, v []byte) error {
			if v != nil {
				return put(path, k, v, 0)
			}
			child := b.Bucket(k)
			if err := put(path, k, nil, child.Sequence()); err != nil {
				return err
			}
			return walk(child, append(path[:len(path):len(path)], k))
		})
	}
	err = src.View(func(stx *bolt.Tx) error {
		// Counting walks the pages once (a tenth of the copy's time) for a
		// progress figure the owner can trust.
		if err := stx.ForEach(func(_ []byte, b *bolt.Bucket) error {
			total += b.Stats().KeyN + 1
			return nil
		}); err != nil {
			return err
		}
		progress(0, total)
		return stx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if err := put(nil, name, nil, b.Sequence()); err != nil {
				return err
			}
			return walk(b, [][]byte{name})
		})
	})
	if err != nil {
		return err
	}
	progress(total, total)
	return tx.Commit()
}

// progressEvery is how many records are copied between progress reports.
const progressEvery = 5000

// compactRecord is a JSON customer or interaction in the compact form; any
// other record, or one that does not read, is kept as it is.
func compactRecord(bucket, v []byte) []byte {
	switch {
	case bytes.Equal(bucket, bCustomers):
		var c model.Customer
		if decode(v, &c) == nil {
			return encodeCustomer(&c)
		}
	case bytes.Equal(bucket, bInteractions):
		var in model.Interaction
		if decode(v, &in) == nil {
			return encodeInteraction(&in)
		}
	}
	return v
}
