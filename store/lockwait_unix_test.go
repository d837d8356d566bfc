//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package store

import (
	"errors"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/patron-crm/patron/model"
)

// holdLock takes a lock on path as another process would (a separate open
// file carries its own flock), until the returned func is called.
func holdLock(t *testing.T, path string, how int) func() {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release := func() { once.Do(func() { f.Close() }) }
	t.Cleanup(release)
	return release
}

func TestSaveWaitsForAReaderThenSaysTheFileIsBusy(t *testing.T) {
	s := newTestStore(t)
	old := LockWait
	LockWait = 300 * time.Millisecond
	defer func() { LockWait = old }()
	release := holdLock(t, s.Path(), syscall.LOCK_SH)
	before := fileBytes(t, s)
	start := time.Now()
	_, err := s.AddCustomer(model.Customer{Name: "Ana Lima"})
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "another Patron") {
		t.Fatalf("a save while another process held the file: %v, want a busy sentence", err)
	}
	if waited := time.Since(start); waited < LockWait {
		t.Fatalf("gave up after %v, before LockWait (%v)", waited, LockWait)
	}
	if string(fileBytes(t, s)) != string(before) {
		t.Fatal("a save that gave up changed the file")
	}
	// Reads share the lock and go on meanwhile.
	if _, err := s.CountCustomers(); err != nil {
		t.Fatalf("a read beside another reader: %v", err)
	}
	release()
	if _, err := s.AddCustomer(model.Customer{Name: "Ana Lima"}); err != nil {
		t.Fatalf("saving once the file is free: %v", err)
	}
}

func TestSaveThatMeetsALockWaitsForIt(t *testing.T) {
	s := newTestStore(t)
	release := holdLock(t, s.Path(), syscall.LOCK_SH)
	go func() {
		time.Sleep(100 * time.Millisecond)
		release()
	}()
	// LockWait is 5 s: the save waits for the lock to go and then saves.
	if _, err := s.AddCustomer(model.Customer{Name: "Ana Lima"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountCustomers(); n != 1 {
		t.Fatalf("%d customers", n)
	}
}
