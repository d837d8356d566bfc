//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package store

import (
	"errors"
	"os"
	"sync"
	"syscall"
	"time"

	berrors "go.etcd.io/bbolt/errors"
)

// waitLock takes on f the lock bbolt is about to ask for (exclusive to
// write, shared to read), so that bbolt's own attempt then succeeds at once.
// bbolt retries a held lock only every 50 ms, and a process that writes or
// reads in a loop re-takes the lock within microseconds of letting it go, so
// polling can starve a save for seconds. Waiting in the kernel wakes this
// process as soon as the lock is free. After wait it gives up with
// berrors.ErrTimeout; the waiting goroutine then closes f once the lock comes.
// On any error f is closed.
func waitLock(f *os.File, exclusive bool, wait time.Duration) error {
	fd := int(f.Fd())
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	err := syscall.Flock(fd, how|syscall.LOCK_NB)
	if err == nil {
		return nil
	}
	if !errors.Is(err, syscall.EWOULDBLOCK) {
		f.Close()
		return err
	}
	var mu sync.Mutex
	abandoned := false
	got := make(chan error, 1)
	go func() {
		var err error
		for {
			if err = syscall.Flock(fd, how); !errors.Is(err, syscall.EINTR) {
				break
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if abandoned {
			f.Close() // releases the lock just taken
			return
		}
		got <- err
	}()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case err = <-got:
	case <-timer.C:
		mu.Lock()
		select {
		case err = <-got: // it came just in time
		default:
			abandoned = true
			err = berrors.ErrTimeout
			mu.Unlock()
			return err
		}
		mu.Unlock()
	}
	if err != nil {
		f.Close()
	}
	return err
}
