//go:build unix

package main

import (
	"syscall"
	"testing"
)

// clearUmask sets the process's umask to 0 for one test, so a file mode
// that is right only because of the usual 022 umask shows up.
func clearUmask(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
}
