//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package store

import (
	"os"
	"time"
)

// lockShared is a no-op where flock is not available (Windows locks byte
// ranges instead); there a pre-flight read can, rarely, race a writer.
func lockShared(f *os.File, timeout time.Duration) (func(), error) {
	return func() {}, nil
}
