// Package store keeps Patron's data in one bbolt file that is at rest between
// operations: every call opens the file, runs one short transaction and
// closes it again, so the file can be copied, backed up and shared by several
// Patron windows at any moment they are idle. It is the only package that
// imports bbolt.
package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Errors a caller can test for with errors.Is. Each is wrapped in a sentence
// that names the file.
var (
	ErrNotExist      = errors.New("data file does not exist")
	ErrBusy          = errors.New("another Patron is busy with the file")
	ErrNewerSchema   = errors.New("data file is from a newer Patron")
	ErrDamaged       = errors.New("data file is damaged")
	ErrDiskFull      = errors.New("the disk is full")
	ErrNotFound      = errors.New("not found")
	ErrConflict      = errors.New("changed since by someone else")
	ErrReadOnly      = errors.New("this window only looks and records nothing")
	ErrNothingToUndo = errors.New("there is nothing of this window's to undo")
)

// LockWait is how long a call waits for another process's lock on the file
// before giving up with ErrBusy.
var LockWait = 5 * time.Second

// Options say how a store is opened.
type Options struct {
	// Create makes the file (and its folder) when it does not exist.
	// Commands that only read leave it false.
	Create bool
	// Actor is who writes: recorded with every change.
	Actor Actor
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// ReadOnly refuses every owner action with ErrReadOnly: for a window
	// looking ahead with --now, which must not record the future.
	ReadOnly bool
}

// Store is a handle on one data file. It holds no open file between calls
// and is safe for concurrent use.
type Store struct {
	path   string
	actor  Actor
	now    func() time.Time
	gate   *sync.RWMutex
	fileID string
	// readOnly refuses owner actions (Options.ReadOnly).
	readOnly bool
}

// gates serialises access to each file inside this process: a second bbolt
// open of the same file in one process would wait on its own lock.
var (
	gatesMu sync.Mutex
	gates   = map[string]*sync.RWMutex{}
)

func gateFor(path string) *sync.RWMutex {
	gatesMu.Lock()
	defer gatesMu.Unlock()
	g, ok := gates[path]
	if !ok {
		g = &sync.RWMutex{}
		gates[path] = g
	}
	return g
}

// Open prepares the data file at path: it checks the file's health without
// trusting bbolt with a damaged file, creates it when asked, refuses a file
// from a newer Patron and migrates an older one (after writing a backup
// beside it). The file is closed again when Open returns.
func Open(path string, o Options) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("cannot use %s as a data file: %w", path, err)
	}
	s := &Store{path: abs, actor: o.Actor, now: o.Now, gate: gateFor(abs), readOnly: o.ReadOnly}
	if s.now == nil {
		s.now = time.Now
	}
	if s.actor.Via == "" {
		s.actor = CurrentActor("cli")
	}
	st, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if !o.Create {
			return nil, says(ErrNotExist, err, fmt.Sprintf("%s does not exist; run `patron` to create it, or pass --db to use another file", abs))
		}
		if err := s.create(); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, fmt.Errorf("cannot read %s: %w", abs, err)
	case st.IsDir():
		return nil, fmt.Errorf("%s is a folder, not a Patron data file", abs)
	}
	if err := s.prepare(); err != nil {
		return nil, err
	}
	return s, nil
}

// Path is the absolute path of the data file.
func (s *Store) Path() string { return s.path }

// FileID is the identity made when the file was created; a restore replaces it.
func (s *Store) FileID() string { return s.fileID }

// Actor is who this handle writes as.
func (s *Store) Actor() Actor { return s.actor }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

func (s *Store) create() error {
	dir := filepath.Dir(s.path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("cannot create the folder %s: %w", dir, err)
		}
	}
	s.gate.Lock()
	defer s.gate.Unlock()
	db, err := bolt.Open(s.path, 0o600, &bolt.Options{Timeout: LockWait})
	if err != nil {
		return s.explain(err)
	}
	err = db.Update(func(tx *bolt.Tx) error { return initSchema(tx, s.now()) })
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return s.explain(err)
	}
	return nil
}

// view runs fn in a read-only transaction on a freshly opened file, closing
// it straight after. Long reads must be chunked by the caller.
func (s *Store) view(fn func(tx *bolt.Tx) error) error {
	s.gate.RLock()
	defer s.gate.RUnlock()
	db, _, err := openBolt(s.path, true)
	if err != nil {
		return s.explain(err)
	}
	err = guard(func() error { return db.View(fn) })
	if cerr := db.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return s.explain(err)
}

// rawUpdate runs fn in a write transaction without recording a change. Only
// schema work and the change feed's own bookkeeping use it.
func (s *Store) rawUpdate(fn func(tx *bolt.Tx) error) error {
	s.gate.Lock()
	defer s.gate.Unlock()
	var db *bolt.DB
	for attempt := 0; ; attempt++ {
		var f *os.File
		var err error
		if db, f, err = openBolt(s.path, false); err != nil {
			return s.explain(err)
		}
		// A restore may have renamed another file into place while this
		// waited for the lock; writing to the old one would lose the change.
		if attempt < 3 && replaced(f, s.path) {
			db.Close()
			continue
		}
		break
	}
	err := guard(func() error { return db.Update(fn) })
	if cerr := db.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return s.explain(err)
}

// openBolt opens the file for one short transaction. bbolt reads the meta
// pages and (for writing) the free list as it opens, so this is guarded too,
// and the pre-flight reads them first (checkLayout), holding the lock the
// transaction will hold: one open of the file, and no writer can come
// between the check and the use. The file is never created here (see Open).
// It also returns the open file, to tell whether the path was replaced.
func openBolt(path string, readOnly bool) (db *bolt.DB, f *os.File, err error) {
	open := func(name string, flag int, perm os.FileMode) (*os.File, error) {
		file, err := os.OpenFile(name, flag&^os.O_CREATE, perm)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, says(ErrNotExist, err, fmt.Sprintf("%s does not exist", path))
		}
		if err != nil {
			return nil, err
		}
		// Wait for the lock here, woken when it frees, rather than in
		// bbolt's 50 ms polling, which lets a busy process starve this one.
		if err := waitLock(file, !readOnly, LockWait); err != nil {
			return nil, err // waitLock closes the file, or leaves it to its waiter
		}
		if err := checkOpenFile(file, path); err != nil {
			file.Close()
			return nil, err
		}
		f = file
		return file, nil
	}
	err = guard(func() error {
		db, err = bolt.Open(path, 0o600, &bolt.Options{ReadOnly: readOnly, Timeout: LockWait, OpenFile: open})
		if err == nil {
			// Grow the file 4 MB at a time, not bbolt's 16: a small shop's
			// file stays near its data (issue 9: at most twice its JSON).
			db.AllocSize = 4 << 20
		}
		return err
	})
	return db, f, err
}

// replaced reports whether path no longer names the open file f.
func replaced(f *os.File, path string) bool {
	open, err := f.Stat()
	if err != nil {
		return false
	}
	now, err := os.Stat(path)
	return err == nil && !os.SameFile(open, now)
}

// guard turns bbolt's panics on a damaged page (and memory faults on the
// mapped file) into ErrDamaged instead of a crash.
func guard(fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = fmt.Errorf("%w: a page inside it is unreadable: %w", ErrDamaged, e) // keeps a memory fault's address
			} else {
				err = fmt.Errorf("%w: a page inside it is unreadable: %v", ErrDamaged, r)
			}
		}
	}()
	return fn()
}

// explain turns low-level failures into the errors a shop owner can act on.
func (s *Store) explain(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*ownerError); ok {
		return err
	}
	name := filepath.Base(s.path)
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return says(ErrBusy, err, fmt.Sprintf("%s is being saved by another Patron window; try again in a moment", name))
	case diskFull(err):
		return says(ErrDiskFull, err, fmt.Sprintf("the disk is full; nothing was lost, but the last change to %s was not saved: free some space and try again", name))
	case errors.Is(err, ErrDamaged), errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return damagedError(s.path, err)
	}
	return err
}

// diskFull recognises a full disk or quota, also where bbolt has flattened
// the system error into text ("file resize error: file too large").
func diskFull(err error) bool {
	for _, e := range []syscall.Errno{syscall.ENOSPC, syscall.EFBIG, syscall.EDQUOT} {
		if errors.Is(err, e) || strings.Contains(err.Error(), e.Error()) {
			return true
		}
	}
	return false
}

// damagedError is the sentence for a damaged file: which file, and the way out.
func damagedError(path string, cause error) error {
	if oe, ok := cause.(*ownerError); ok && oe.kind == ErrDamaged {
		return cause
	}
	advice := "restore a backup with `patron restore BACKUP`"
	if b := NewestBackup(path); b != "" {
		advice = fmt.Sprintf("restore the newest backup with `patron restore %s`", b)
	}
	why := strings.TrimPrefix(cause.Error(), ErrDamaged.Error()+": ")
	return says(ErrDamaged, cause, fmt.Sprintf("%s is damaged (%s) and was left untouched; %s", path, why, advice))
}
