package store

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patron-crm/patron/model"
)

// The file-safety tests re-run this test binary as a child process (a
// writer in another process, or a process on a full disk). These variables
// tell the child what to be; they differ from the process tests' own.
const (
	safetyChildEnv = "PATRON_TEST_SAFETY_CHILD"
	safetyFileEnv  = "PATRON_TEST_SAFETY_FILE"
)

// init runs before TestMain, so a child does its work and exits before the
// test framework starts.
func init() {
	// The race detector sleeps a second as a process exits; every CheckFile
	// child would pay it.
	if g := os.Getenv("GORACE"); !strings.Contains(g, "atexit_sleep_ms") {
		os.Setenv("GORACE", strings.TrimSpace(g+" atexit_sleep_ms=0"))
	}
	role := os.Getenv(safetyChildEnv)
	if role == "" {
		return
	}
	path := os.Getenv(safetyFileEnv)
	var err error
	switch role {
	case "invariant-writer":
		err = childInvariantWriter(path)
	case "disk-full":
		err = childOnAFullDisk(path)
	default:
		err = fmt.Errorf("unknown child role %q", role)
	}
	exitChild(err)
}

// childInvariantWriter writes until its standard input closes: a new
// customer, then visits for random customers, each its own save. Every
// save keeps the store's own invariant (a customer's Stats.Interactions is
// the number of its interactions). It prints "customer NAME" once a new
// customer's save has returned. After a restore swaps the file, customers it
// knew may be gone; it forgets them and carries on.
func childInvariantWriter(path string) error {
	s, err := Open(path, Options{Actor: CurrentActor("test")})
	if err != nil {
		return err
	}
	stop := make(chan struct{})
	go func() {
		io.Copy(io.Discard, os.Stdin)
		close(stop)
	}()
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	var ids []model.ID
	for i := 0; ; i++ {
		// A breath between saves, as between a person's actions: bbolt polls
		// for its lock, and a loop with no gap would starve every reader.
		select {
		case <-stop:
			return nil
		case <-time.After(time.Millisecond):
		}
		if i%4 == 0 || len(ids) == 0 {
			name := fmt.Sprintf("Writer %06d", i)
			c, err := s.AddCustomer(model.Customer{Name: name})
			if err != nil {
				return err
			}
			ids = append(ids, c.ID)
			fmt.Fprintln(out, "customer", name)
			out.Flush()
			continue
		}
		id := ids[rand.IntN(len(ids))]
		_, err := s.AddInteraction(model.Interaction{Customer: id, Kind: model.KindVisit, At: time.Now().Add(-time.Duration(i) * time.Minute)})
		if errors.Is(err, ErrNotFound) {
			ids = nil // the file was replaced under us
			continue
		}
		if err != nil {
			return err
		}
	}
}

// childOnAFullDisk lowers its own file-size limit to the data file's
// present size, so growing the file fails as on a full disk, and saves
// customers until a save fails. It prints "saved NAME" for every save that
// returned, then "full MESSAGE" for the failure.
func childOnAFullDisk(path string) error {
	s, err := Open(path, Options{Actor: CurrentActor("test")})
	if err != nil {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if err := setFileSizeLimit(uint64(st.Size())); err != nil {
		return err
	}
	for i := 0; i < 10000; i++ {
		name := fmt.Sprintf("Squeezed %04d", i)
		_, err := s.AddCustomer(model.Customer{Name: name, Notes: longNotes})
		if errors.Is(err, ErrDiskFull) {
			fmt.Println("full", err.Error())
			return nil
		}
		if err != nil {
			return err
		}
		fmt.Println("saved", name)
	}
	return errors.New("the disk never filled up")
}

// safetyChild is a running copy of this test binary in one of the roles above.
type safetyChild struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	mu    sync.Mutex
	lines []string
	done  chan struct{}
	seen  chan struct{} // gets a token for every line
}

func startSafetyChild(t *testing.T, role, path string) *safetyChild {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), safetyChildEnv+"="+role, safetyFileEnv+"="+path)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &safetyChild{cmd: cmd, stdin: stdin, done: make(chan struct{}), seen: make(chan struct{}, 1<<20)}
	go func() {
		defer close(c.done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.mu.Lock()
			c.lines = append(c.lines, sc.Text())
			c.mu.Unlock()
			c.seen <- struct{}{}
		}
	}()
	t.Cleanup(func() {
		stdin.Close()
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
		cmd.Wait()
	})
	return c
}

// waitLines waits until the child has printed n more lines.
func (c *safetyChild) waitLines(t *testing.T, n int) {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for i := 0; i < n; i++ {
		select {
		case <-c.seen:
		case <-c.done:
			t.Fatalf("the child stopped early: %v", c.output())
		case <-timeout:
			t.Fatalf("the child printed only %d lines in a minute", i)
		}
	}
}

// stop closes the child's input and waits for it to exit cleanly.
func (c *safetyChild) stop(t *testing.T) []string {
	t.Helper()
	c.stdin.Close()
	<-c.done
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("the child failed: %v", err)
	}
	return c.output()
}

func (c *safetyChild) output() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.lines...)
}
