package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestJourneyServe is issue 11's journey with the real binary and the
// system's ssh client, in tmux: the owner starts `patron serve`, maria
// connects from one counter and adds a customer, joao's counter shows her at
// once and adds another, the history names who did what, and ctrl+c stops
// the server, telling both counters.
func TestJourneyServe(t *testing.T) {
	for _, tool := range []string{"tmux", "ssh", "ssh-keygen"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed, so the SSH journey cannot run; install tmux and openssh-client to run it", tool)
		}
	}
	dir := t.TempDir()
	bin := buildPatron(t)
	shop := filepath.Join(dir, "shop")
	if err := os.MkdirAll(shop, 0o700); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(shop, "patron.db")

	// Each staff member makes a key; the owner adds the public halves.
	var staff strings.Builder
	for _, name := range []string{"maria", "joao"} {
		key := filepath.Join(dir, name)
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
		pub, err := os.ReadFile(key + ".pub")
		if err != nil {
			t.Fatal(err)
		}
		staff.Write(pub)
	}
	if err := os.WriteFile(filepath.Join(shop, "authorized_keys"), []byte(staff.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	// The owner starts the server on a free loopback port.
	server := exec.Command(bin, "serve", "--db", db, "--listen", "127.0.0.1:0")
	server.Env = append(os.Environ(), "HOME="+dir)
	stdout, err := server.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	server.Stderr = &logs
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var exitErr error
	go func() { exitErr = server.Wait(); close(exited) }()
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			_ = server.Process.Kill()
			<-exited
		}
	})
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var port, fingerprint string
	started := regexp.MustCompile(`over SSH on 127\.0\.0\.1:(\d+)`)
	printed := regexp.MustCompile(`Host key fingerprint: (SHA256:\S+)`)
	for port == "" || fingerprint == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("patron serve ended before it said where it listens:\n%s", logs.String())
			}
			if m := started.FindStringSubmatch(l); m != nil {
				port = m[1]
			}
			if m := printed.FindStringSubmatch(l); m != nil {
				fingerprint = m[1]
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("patron serve did not start within 10 s:\n%s", logs.String())
		}
	}
	go func() {
		for range lines { // keep reading so the server never blocks on stdout
		}
	}()

	// The fingerprint printed is the key the server shows clients.
	hostPub, err := exec.Command("ssh-keygen", "-l", "-f", filepath.Join(shop, hostKeyName)).CombinedOutput()
	if err != nil || !strings.Contains(string(hostPub), fingerprint) {
		t.Fatalf("printed %s, ssh-keygen says %s (%v)", fingerprint, hostPub, err)
	}

	tm := &tmuxTerm{t: t, socket: fmt.Sprintf("patron-serve-journey-%d", os.Getpid()), target: "maria"}
	t.Cleanup(tm.close)
	sshTo := func(name string) string {
		return fmt.Sprintf("ssh -F /dev/null -p %s -i %s -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR 127.0.0.1; sleep 30",
			port, filepath.Join(dir, name))
	}
	tm.tmux("-f", "/dev/null", "new-session", "-d", "-x", "100", "-y", "30", "-s", "maria",
		"-e", "TERM=xterm-256color", "-e", "HOME="+dir, sshTo("maria"))
	tm.waitFor(10*time.Second, "1 Customers", "No customers yet")

	// Maria adds a customer at her counter.
	tm.keys("a")
	tm.waitFor(10*time.Second, "New customer")
	tm.typeText("Ana Lima")
	tm.keys("C-s")
	tm.waitFor(10*time.Second, "Added Ana Lima.", "1 customer")

	// Joao's counter, another session on the same server, shows her.
	jo := &tmuxTerm{t: t, socket: tm.socket, target: "joao"}
	jo.tmux("new-session", "-d", "-x", "90", "-y", "26", "-s", "joao",
		"-e", "TERM=xterm-256color", "-e", "HOME="+dir, sshTo("joao"))
	jo.waitFor(10*time.Second, "1 Customers", "Ana Lima", "1 customer")

	// Joao adds one; maria's screen shows it without waiting for a poll.
	jo.keys("a")
	jo.waitFor(10*time.Second, "New customer")
	jo.typeText("Rui Costa")
	jo.keys("C-s")
	jo.waitFor(10*time.Second, "Added Rui Costa.")
	took := tm.waitFor(10*time.Second, "Rui Costa", "2 customers")
	t.Logf("joao's customer showed on maria's counter %v after his said so", took.Round(10*time.Millisecond))

	// Ana's history says maria added her, over SSH.
	jo.keys("/")
	jo.typeText("ana")
	jo.keys("Enter")
	jo.waitFor(10*time.Second, "1 shown")
	jo.keys("Enter")
	jo.waitFor(10*time.Second, "#1")
	jo.keys("h")
	jo.waitFor(10*time.Second, "Added Ana Lima", "by maria@127.0.0.1 (ssh)")

	// ctrl+c stops the server gracefully: both counters are told, and the
	// file keeps both customers.
	if err := server.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
		if exitErr != nil {
			t.Fatalf("patron serve ended with %v:\n%s", exitErr, logs.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("patron serve did not stop within 20 s of ctrl+c:\n%s", logs.String())
	}
	tm.waitFor(10*time.Second, "The Patron server was stopped")
	jo.waitFor(10*time.Second, "The Patron server was stopped")
	for _, want := range []string{"counter connected", "staff=maria", "staff=joao", "from=127.0.0.1", "counter left", "stopped"} {
		if !strings.Contains(logs.String(), want) {
			t.Fatalf("the server's log does not say %q:\n%s", want, logs.String())
		}
	}
	list := mustRun(t, db, "list", "--json")
	if !strings.Contains(list, "Ana Lima") || !strings.Contains(list, "Rui Costa") {
		t.Fatalf("after the stop the file holds:\n%s", list)
	}
}
