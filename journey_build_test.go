package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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

// needTmux skips a journey where tmux is missing; CI installs it.
func needTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed, so the end-to-end journey cannot run; install tmux to run it")
	}
}

// openTerminal starts a w×h terminal in tmux named name, running sh in
// dir with the journey's data file and home (and env added), and closes
// it when the test ends.
func openTerminal(t *testing.T, name, dir, db string, w, h int, env ...string) *tmuxTerm {
	t.Helper()
	tm := &tmuxTerm{t: t, socket: fmt.Sprintf("patron-%s-%d", name, os.Getpid()), target: name}
	args := []string{"-f", "/dev/null", "new-session", "-d", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), "-s", name, "-c", dir,
		"-e", "PATRON_DB=" + db, "-e", "HOME=" + dir}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	tm.tmux(append(args, "sh")...)
	t.Cleanup(tm.close)
	return tm
}

// patronCLI is a way to run the built binary from the command line on the
// journey's data file and home, failing the test when it fails; it gives
// what it printed.
func patronCLI(t *testing.T, bin, dir, db string) func(args ...string) string {
	return func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "PATRON_DB="+db, "HOME="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("patron %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
}
