package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// built is the patron binary the journeys drive, built once per test run.
var built struct {
	once sync.Once
	dir  string
	path string
	err  error
	out  []byte
}

// buildPatron builds the binary once and returns its path; every journey
// runs the same build, as a shop owner would run one installed Patron.
func buildPatron(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "patron-journeys-")
		if built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "patron")
		built.out, built.err = exec.Command("go", "build", "-o", built.path, ".").CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("building patron: %v\n%s", built.err, built.out)
	}
	return built.path
}

// removeBuilt deletes the journeys' binary once the tests are done.
func removeBuilt() {
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
}
