package store

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/patron-crm/patron/model"
)

// Process tests re-run this test binary as child processes; these variables
// tell a child what to be.
const (
	childRoleEnv  = "PATRON_TEST_CHILD"
	childFileEnv  = "PATRON_TEST_CHILD_FILE"
	childCountEnv = "PATRON_TEST_CHILD_WRITES"
)

// runProcessChildIfAsked is called from TestMain: in a child started by a
// process test it does the child's work and exits.
func runProcessChildIfAsked() {
	role := os.Getenv(childRoleEnv)
	if role == "" {
		return
	}
	path := os.Getenv(childFileEnv)
	var err error
	switch role {
	case "writer":
		n, _ := strconv.Atoi(os.Getenv(childCountEnv))
		err = childWriter(path, n)
	case "reader":
		err = childReader(path)
	default:
		err = fmt.Errorf("unknown child role %q", role)
	}
	exitChild(err)
}

// childWriter writes n times (forever when n is 0), alternating new
// customers and interactions for them, and prints each id once the call has
// returned: a printed id is an acknowledged, durable write.
func childWriter(path string, n int) error {
	s, err := Open(path, Options{Actor: CurrentActor("test")})
	if err != nil {
		return err
	}
	var slowest time.Duration
	var last model.ID
	for i := 0; n == 0 || i < n; i++ {
		start := time.Now()
		if i%4 == 0 || last == 0 {
			c, err := s.AddCustomer(model.Customer{Name: fmt.Sprintf("Customer %d of %d", i, os.Getpid()), Email: fmt.Sprintf("c%d.%d@example.com", i, os.Getpid())})
			if err != nil {
				return fmt.Errorf("write %d: %w", i, err)
			}
			last = c.ID
			fmt.Printf("c %d\n", c.ID)
		} else {
			kind, amount := model.KindVisit, model.Money(0)
			if i%2 == 1 {
				kind, amount = model.KindPurchase, model.Money(100*i+1)
			}
			in, err := s.AddInteraction(model.Interaction{Customer: last, Kind: kind, Amount: amount, At: time.Now().Add(-time.Duration(i) * time.Minute)})
			if err != nil {
				return fmt.Errorf("write %d: %w", i, err)
			}
			fmt.Printf("i %d\n", in.ID)
		}
		slowest = max(slowest, time.Since(start))
	}
	fmt.Printf("slowest %d\n", slowest.Microseconds())
	return nil
}

// childReader reads the whole file in short chunks, over and over, until its
// stdin closes. Customers once seen must never go missing.
func childReader(path string) error {
	s, err := Open(path, Options{Actor: CurrentActor("test")})
	if err != nil {
		return err
	}
	stop := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(stop)
	}()
	seen, passes := 0, 0
	for {
		select {
		case <-stop:
			fmt.Printf("passes %d\n", passes)
			return nil
		default:
		}
		all, err := s.AllCustomers(nil)
		if err != nil {
			return fmt.Errorf("reading all customers: %w", err)
		}
		if len(all) < seen {
			return fmt.Errorf("%d customers after %d were seen", len(all), seen)
		}
		seen = len(all)
		// The same in small chunks, as the TUI's background load does.
		var after model.ID
		n := 0
		for {
			page, more, err := s.CustomersPage(after, 50)
			if err != nil {
				return fmt.Errorf("reading a chunk: %w", err)
			}
			n += len(page)
			if !more {
				break
			}
			after = page[len(page)-1].ID
		}
		if n < seen {
			return fmt.Errorf("chunks held %d customers after %d were seen", n, seen)
		}
		var cur LogCursor
		for {
			_, next, err := s.RecentInteractions(cur, 100)
			if err != nil {
				return fmt.Errorf("reading the log: %w", err)
			}
			if next == nil {
				break
			}
			cur = next
		}
		passes++
	}
}

type procChild struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr strings.Builder

	mu    sync.Mutex
	lines []string
	done  chan struct{} // stdout read to the end
}

func startChild(t *testing.T, role, path string, writes int) *procChild {
	t.Helper()
	return startTestChild(t, childRoleEnv+"="+role, childFileEnv+"="+path, childCountEnv+"="+strconv.Itoa(writes))
}

// exitChild ends a child process: status 2 with the error on stderr, or 0.
func exitChild(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	os.Exit(0)
}

// collectWrites waits for each writer and gathers the saves it
// acknowledged; each must have acknowledged all of its writes.
func collectWrites(t *testing.T, writers []*procChild, writes int) (customers, interactions []model.ID) {
	t.Helper()
	for i, w := range writers {
		if err := w.wait(); err != nil {
			t.Fatalf("writer %d: %v", i+1, err)
		}
		cs, is, other := w.acknowledged()
		if len(cs)+len(is) != writes {
			t.Fatalf("writer %d acknowledged %d saves, want %d", i+1, len(cs)+len(is), writes)
		}
		customers = append(customers, cs...)
		interactions = append(interactions, is...)
		t.Logf("writer %d: %v", i+1, other)
	}
	return customers, interactions
}

// startTestChild runs this test binary again, as a child with env added to
// its environment, and collects its output lines as they come; the child
// is killed at the test's end if it is still running.
func startTestChild(t *testing.T, env ...string) *procChild {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := &procChild{cmd: exec.Command(exe, "-test.run=^$"), done: make(chan struct{})}
	c.cmd.Env = append(os.Environ(), env...)
	c.cmd.Stderr = &c.stderr
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(c.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.mu.Lock()
			c.lines = append(c.lines, sc.Text())
			c.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			_ = c.cmd.Process.Kill()
			_ = c.cmd.Wait()
		}
	})
	return c
}

func (c *procChild) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.lines)
}

// wait waits for the child to exit and its output to be read.
func (c *procChild) wait() error {
	<-c.done
	err := c.cmd.Wait()
	if err != nil {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(c.stderr.String()))
	}
	return nil
}

// acknowledged are the ids the child printed, by kind ("c", "i").
func (c *procChild) acknowledged() (customers, interactions []model.ID, other []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range c.lines {
		kind, num, _ := strings.Cut(l, " ")
		id, err := strconv.ParseUint(num, 10, 64)
		switch {
		case err == nil && kind == "c":
			customers = append(customers, model.ID(id))
		case err == nil && kind == "i":
			interactions = append(interactions, model.ID(id))
		default:
			other = append(other, l)
		}
	}
	return customers, interactions, other
}

// checkAcknowledged reopens the file and finds every acknowledged write.
func checkAcknowledged(t *testing.T, path string, customers, interactions []model.ID) *Store {
	t.Helper()
	s, err := Open(path, Options{Actor: CurrentActor("test")})
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	for _, id := range customers {
		if _, err := s.Customer(id); err != nil {
			t.Fatalf("acknowledged customer #%d: %v", id, err)
		}
	}
	for _, id := range interactions {
		if _, err := s.Interaction(id); err != nil {
			t.Fatalf("acknowledged interaction #%d: %v", id, err)
		}
	}
	return s
}

// TestKilledWriterLosesNoAcknowledgedWrite kills a writing process with
// SIGKILL at random moments: every write it acknowledged is in the file, the
// file passes bbolt's full check, and the aggregates are whole.
func TestKilledWriterLosesNoAcknowledgedWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	rounds := 50 // issue 10's count; a soak run goes further
	if os.Getenv("PATRON_SOAK") == "1" {
		rounds = 200
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	path := filepath.Join(t.TempDir(), "patron.db")
	if _, err := Open(path, Options{Create: true}); err != nil {
		t.Fatal(err)
	}
	var customers, interactions []model.ID
	for round := range rounds {
		c := startChild(t, "writer", path, 0)
		// Mostly kill while it is writing; sometimes while it is starting.
		if rng.IntN(5) > 0 {
			deadline := time.Now().Add(10 * time.Second)
			for c.count() == 0 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
		}
		time.Sleep(time.Duration(rng.IntN(80_000)) * time.Microsecond)
		if err := c.cmd.Process.Kill(); err != nil { // SIGKILL
			t.Fatal(err)
		}
		err := c.wait()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: the writer did not die by SIGKILL: %v", round, err)
		}
		cs, is, other := c.acknowledged()
		if len(other) > 0 {
			t.Fatalf("round %d: the writer printed %q", round, other)
		}
		customers = append(customers, cs...)
		interactions = append(interactions, is...)
		if err := CheckFile(path); err != nil {
			t.Fatalf("round %d: after the kill: %v", round, err)
		}
		s := checkAcknowledged(t, path, customers, interactions)
		if err := checkAggregates(s); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if err := checkIndexes(s); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	t.Logf("%d rounds, %d customers and %d interactions acknowledged", rounds, len(customers), len(interactions))
	if len(customers)+len(interactions) == 0 {
		t.Fatal("no write was acknowledged in any round")
	}
}

// TestTwoWritersAndAReaderShareTheFile: two processes write 500 times each
// to one file while a third reads it in chunks over and over. Every write
// lands, none gives up as busy, and the reader never sees a customer vanish.
func TestTwoWritersAndAReaderShareTheFile(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	const writes = 500
	path := filepath.Join(t.TempDir(), "patron.db")
	if _, err := Open(path, Options{Create: true}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	reader := startChild(t, "reader", path, 0)
	writers := []*procChild{startChild(t, "writer", path, writes), startChild(t, "writer", path, writes)}
	customers, interactions := collectWrites(t, writers, writes)
	elapsed := time.Since(start)
	reader.stdin.Close()
	if err := reader.wait(); err != nil {
		t.Fatalf("reader: %v", err)
	}
	_, _, passes := reader.acknowledged()
	t.Logf("%d writes in %v; reader: %v", 2*writes, elapsed.Round(time.Millisecond), passes)
	seen := map[model.ID]bool{}
	for _, id := range customers {
		if seen[id] {
			t.Fatalf("customer id %d was handed out twice", id)
		}
		seen[id] = true
	}
	s := checkAcknowledged(t, path, customers, interactions)
	if n, _ := s.CountCustomers(); n != len(customers) {
		t.Fatalf("%d customers in the file, %d acknowledged", n, len(customers))
	}
	if f, _ := s.ChangesSince(0); f.Latest != 2*writes {
		t.Fatalf("the feed holds %d changes, want %d", f.Latest, 2*writes)
	}
	if err := checkAggregates(s); err != nil {
		t.Fatal(err)
	}
	if err := checkIndexes(s); err != nil {
		t.Fatal(err)
	}
	if err := CheckFile(path); err != nil {
		t.Fatal(err)
	}
}
