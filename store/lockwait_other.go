//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package store

import (
	"os"
	"time"
)

// waitLock leaves the waiting to bbolt where flock is not available
// (Windows locks byte ranges instead): it polls a held lock every 50 ms
// for up to LockWait.
func waitLock(f *os.File, exclusive bool, wait time.Duration) error { return nil }
