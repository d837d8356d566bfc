package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
	"github.com/patron-crm/patron/ui"
)

// The SSH tests start `patron serve` in this process on a loopback port with
// a fresh data file, and connect as counters with golang.org/x/crypto/ssh.

// syncBuffer collects the server's log while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type testServer struct {
	t     *testing.T
	sv    *patronServer
	db    string
	staff map[string]gossh.Signer // by name, as in the authorized keys file
	logs  *syncBuffer
	stop  func() error
}

// newStaffKey makes an ed25519 key pair for a counter.
func newStaffKey(t *testing.T) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// authorizedLine is the line a staff member's key takes in authorized_keys.
func authorizedLine(s gossh.Signer, name string) string {
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey()))) + " " + name + "\n"
}

// writeStaff writes an authorized keys file for the named staff, 0600.
func writeStaff(t *testing.T, path string, staff map[string]gossh.Signer, names ...string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# Patron's counters\n")
	for _, n := range names {
		b.WriteString(authorizedLine(staff[n], n))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// startServer serves a fresh data file to maria and joao (and to nobody
// else) on 127.0.0.1, until the test ends.
func startServer(t *testing.T, maxSessions int, setup ...func(*patronServer)) *testServer {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "shop", "patron.db")
	if err := os.MkdirAll(filepath.Dir(db), 0o700); err != nil {
		t.Fatal(err)
	}
	ts := &testServer{t: t, db: db, logs: &syncBuffer{}, staff: map[string]gossh.Signer{
		"maria": newStaffKey(t), "joao": newStaffKey(t),
	}}
	writeStaff(t, filepath.Join(filepath.Dir(db), "authorized_keys"), ts.staff, "maria", "joao")
	logger := log.NewWithOptions(ts.logs, log.Options{ReportTimestamp: true})
	sv, err := newPatronServer(serveConfig{db: db, listen: "127.0.0.1:0", maxSessions: maxSessions, version: "test"}, logger)
	if err != nil {
		t.Fatal(err)
	}
	ts.sv = sv
	for _, f := range setup {
		f(sv)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sv.run(ctx) }()
	var once sync.Once
	var stopErr error
	ts.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(shutdownWait + 10*time.Second):
				stopErr = errors.New("the server did not stop")
			}
		})
		return stopErr
	}
	t.Cleanup(func() {
		if err := ts.stop(); err != nil {
			t.Error(err)
		}
	})
	return ts
}

// dial connects to the server, checking it is the one whose fingerprint was printed.
func (ts *testServer) dial(auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", ts.sv.Addr(), &gossh.ClientConfig{
		User: "counter",
		Auth: auth,
		HostKeyCallback: func(_ string, _ net.Addr, key gossh.PublicKey) error {
			if got := gossh.FingerprintSHA256(key); got != ts.sv.fingerprint {
				return fmt.Errorf("the server's key is %s, not the printed %s", got, ts.sv.fingerprint)
			}
			return nil
		},
		Timeout: 5 * time.Second,
	})
}

// connect logs in with a staff member's key.
func (ts *testServer) connect(name string) *gossh.Client {
	ts.t.Helper()
	c, err := ts.dial(gossh.PublicKeys(ts.staff[name]))
	if err != nil {
		ts.t.Fatalf("%s cannot connect: %v", name, err)
	}
	ts.t.Cleanup(func() { _ = c.Close() })
	return c
}

// counter is one SSH session running Patron, seen through a small terminal.
type counter struct {
	t      *testing.T
	client *gossh.Client
	sess   *gossh.Session
	in     io.WriteCloser
	screen *vtScreen
	raw    *syncBuffer
	ended  chan error
}

// open starts Patron in a w x h terminal as the staff member name.
func (ts *testServer) open(name string, w, h int) *counter {
	ts.t.Helper()
	return ts.openOn(ts.connect(name), w, h)
}

func (ts *testServer) openOn(client *gossh.Client, w, h int) *counter {
	ts.t.Helper()
	sess, err := client.NewSession()
	if err != nil {
		ts.t.Fatal(err)
	}
	c := &counter{t: ts.t, client: client, sess: sess, screen: newVTScreen(w, h), raw: &syncBuffer{}, ended: make(chan error, 1)}
	sess.Stdout = io.MultiWriter(c.screen, c.raw)
	sess.Stderr = c.raw
	if c.in, err = sess.StdinPipe(); err != nil {
		ts.t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		ts.t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		ts.t.Fatal(err)
	}
	go func() { c.ended <- sess.Wait() }()
	return c
}

// waitFor waits until every text is on the screen, failing after 10 s.
func (c *counter) waitFor(texts ...string) string {
	c.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		scr := c.screen.String()
		missing := ""
		for _, s := range texts {
			if !strings.Contains(scr, s) {
				missing = s
				break
			}
		}
		if missing == "" {
			return scr
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("after 10 s the counter's screen does not show %q:\n%s", missing, scr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// press sends keys as a terminal does: letters as themselves, ctrl+s as 0x13.
func (c *counter) press(keys ...string) {
	c.t.Helper()
	for _, k := range keys {
		b := k
		switch k {
		case "ctrl+s":
			b = "\x13"
		case "enter":
			b = "\r"
		case "esc":
			b = "\x1b"
		}
		if _, err := io.WriteString(c.in, b); err != nil {
			c.t.Fatalf("typing %q: %v", k, err)
		}
	}
}

// typeText types text in one go, as a quick typist or a paste would.
func (c *counter) typeText(text string) { c.press(text) }

// waitEnded waits for the server to end the session and returns how.
func (c *counter) waitEnded() error {
	c.t.Helper()
	select {
	case err := <-c.ended:
		return err
	case <-time.After(10 * time.Second):
		c.t.Fatalf("the session is still open after 10 s:\n%s", c.raw.String())
	}
	return nil
}

// exitStatus is the session's exit code (0 for a clean end).
func exitStatus(err error) int {
	var ee *gossh.ExitError
	if errors.As(err, &ee) {
		return ee.ExitStatus()
	}
	if err != nil {
		return -1
	}
	return 0
}

// lastColumn is the column of the last drawn character on a row.
func lastColumn(line string) int { return len([]rune(line)) - 1 }

// feedBy lists the changes in the file, oldest first.
func feedOf(t *testing.T, db string) []store.Change {
	t.Helper()
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.ChangesSince(0)
	if err != nil {
		t.Fatal(err)
	}
	return f.Changes
}

func TestServeLetsAStaffKeyInAtItsWindowSize(t *testing.T) {
	ts := startServer(t, defaultMaxSessions)
	c := ts.open("maria", 100, 30)
	scr := c.waitFor("Customers", "No customers yet", "0 customers")
	lines := c.screen.Lines()
	// The first frame fills the 100 columns asked for: the shop name ends
	// the header by the right edge, the customer count ends the footer.
	if got := lastColumn(lines[0]); got < 97 || got > 99 {
		t.Fatalf("the header ends at column %d of a 100-column terminal:\n%s", got, scr)
	}
	if !strings.HasSuffix(lines[29], "0 customers") || lastColumn(lines[29]) != 99 {
		t.Fatalf("the footer is not on the last of 30 rows, ending at column 99:\n%s", scr)
	}
	if !strings.Contains(ts.logs.String(), "counter connected") || !strings.Contains(ts.logs.String(), "staff=maria") ||
		!strings.Contains(ts.logs.String(), "from=127.0.0.1") {
		t.Fatalf("the connection is not logged with who and from where:\n%s", ts.logs)
	}

	// A window made larger and smaller is drawn again at its new size.
	if err := c.sess.WindowChange(40, 120); err != nil {
		t.Fatal(err)
	}
	c.screen.Resize(120, 40)
	deadline := time.Now().Add(10 * time.Second)
	for lastColumn(c.screen.Lines()[39]) != 119 || !strings.HasSuffix(c.screen.Lines()[39], "0 customers") {
		if time.Now().After(deadline) {
			t.Fatalf("after a change to 120x40 the footer is not at the bottom right:\n%s", c.screen)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := c.sess.WindowChange(24, 70); err != nil {
		t.Fatal(err)
	}
	c.screen.Resize(70, 24)
	deadline = time.Now().Add(10 * time.Second)
	for lastColumn(c.screen.Lines()[0]) < 67 || lastColumn(c.screen.Lines()[0]) > 69 || !strings.HasSuffix(c.screen.Lines()[23], "0 customers") {
		if time.Now().After(deadline) {
			t.Fatalf("after a change to 70x24 the screen is not redrawn to fit:\n%s", c.screen)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// q quits: the session ends cleanly and its end is logged.
	c.press("q")
	if err := c.waitEnded(); exitStatus(err) != 0 {
		t.Fatalf("quitting ended the session with %v", err)
	}
	deadline = time.Now().Add(5 * time.Second)
	for !strings.Contains(ts.logs.String(), "counter left") {
		if time.Now().After(deadline) {
			t.Fatalf("the end of the session is not logged:\n%s", ts.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServeRefusesUnknownKeysPasswordsAndAnonymousLogins(t *testing.T) {
	ts := startServer(t, defaultMaxSessions)
	stranger := newStaffKey(t)
	attempts := []struct {
		name string
		auth []gossh.AuthMethod
	}{
		{"a key not in the staff list", []gossh.AuthMethod{gossh.PublicKeys(stranger)}},
		{"a password", []gossh.AuthMethod{gossh.Password("maria")}},
		{"keyboard-interactive", []gossh.AuthMethod{gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
			return []string{"maria"}, nil
		})}},
		{"no credentials at all", nil},
	}
	for _, a := range attempts {
		c, err := ts.dial(a.auth...)
		if err == nil {
			c.Close()
			t.Fatalf("%s got in", a.name)
		}
		if !strings.Contains(err.Error(), "unable to authenticate") {
			t.Fatalf("%s: refused with %v, want an authentication failure", a.name, err)
		}
	}
	logs := ts.logs.String()
	if !strings.Contains(logs, "refused a key that is not in the staff list") || !strings.Contains(logs, gossh.FingerprintSHA256(stranger.PublicKey())) {
		t.Fatalf("the unknown key is not logged with its fingerprint (so the owner can tell whose it was):\n%s", logs)
	}
	// The right key still gets in after all that.
	ts.open("joao", 80, 24).waitFor("Customers")
}

func TestServeReadsTheStaffKeysAtEachLogin(t *testing.T) {
	ts := startServer(t, defaultMaxSessions)
	keys := filepath.Join(filepath.Dir(ts.db), "authorized_keys")
	ana := newStaffKey(t)
	ts.staff["ana"] = ana
	if _, err := ts.dial(gossh.PublicKeys(ana)); err == nil {
		t.Fatal("ana got in before her key was added")
	}
	writeStaff(t, keys, ts.staff, "maria", "ana") // joao leaves, ana joins: no restart
	ts.open("ana", 80, 24).waitFor("Customers")
	if _, err := ts.dial(gossh.PublicKeys(ts.staff["joao"])); err == nil {
		t.Fatal("joao still gets in after his key was removed")
	}
}

// addCustomer adds a customer by name through the form, and waits for the saved line.
func (c *counter) addCustomer(name string) {
	c.t.Helper()
	c.press("a")
	c.waitFor("New customer")
	c.typeText(name)
	c.press("ctrl+s")
	c.waitFor("Added " + name + ".")
}

func TestServeTwoCountersSaveAtOnceEachAsThemselves(t *testing.T) {
	ts := startServer(t, defaultMaxSessions)
	s, err := store.Open(ts.db, store.Options{Actor: store.CurrentActor("cli")})
	if err != nil {
		t.Fatal(err)
	}
	ana, err := s.AddCustomer(model.Customer{Name: "Ana Lima"})
	if err != nil {
		t.Fatal(err)
	}
	maria := ts.open("maria", 100, 30)
	joao := ts.open("joao", 90, 28)
	maria.waitFor("Ana Lima")
	joao.waitFor("Ana Lima")

	// Both counters log a purchase for Ana, their saves sent together.
	for _, c := range []*counter{maria, joao} {
		c.press("l")
		c.waitFor("what happened?")
		c.press("p")
		c.waitFor("Log a purchase for Ana Lima")
	}
	maria.typeText("12.50")
	joao.typeText("30.00")
	maria.press("ctrl+s")
	joao.press("ctrl+s")
	maria.waitFor("Logged purchase of $12.50 for Ana Lima.")
	joao.waitFor("Logged purchase of $30.00 for Ana Lima.")

	// Each counter adds a customer; the other one shows them at once (the
	// in-process notice, well inside the poll's 1.5 s).
	maria.addCustomer("Rui Costa")
	start := time.Now()
	joao.waitFor("Rui Costa")
	t.Logf("maria's new customer showed on joao's counter %v after hers said so", time.Since(start).Round(time.Millisecond))

	got, err := s.Customer(ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Stats.Spend != 4250 || got.Stats.Purchases != 2 {
		t.Fatalf("Ana's purchases: %+v, want both (42.50 in 2)", got.Stats)
	}
	// The change feed names who logged what, each counter its own window.
	windows := map[string]string{}
	purchases := map[string]int{}
	for _, ch := range feedOf(t, ts.db) {
		if ch.Actor.Via != "ssh" {
			continue
		}
		if ch.Actor.Host != "127.0.0.1" || ch.Actor.PID != os.Getpid() || ch.Actor.Window == "" {
			t.Fatalf("a counter's change has actor %+v", ch.Actor)
		}
		if w, ok := windows[ch.Actor.User]; ok && w != ch.Actor.Window {
			t.Fatalf("%s's changes come from two windows", ch.Actor.User)
		}
		windows[ch.Actor.User] = ch.Actor.Window
		if strings.Contains(strings.ToLower(ch.Summary), "purchase") {
			purchases[ch.Actor.User]++
		}
	}
	if purchases["maria"] != 1 || purchases["joao"] != 1 || windows["maria"] == windows["joao"] {
		t.Fatalf("purchases by counter %v, windows %v: want one each, from two windows", purchases, windows)
	}
	// Ana's history shows both names.
	hist, err := s.History(ana.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	who := map[string]bool{}
	for _, ch := range hist {
		who[ch.Actor.User] = true
	}
	if !who["maria"] || !who["joao"] {
		t.Fatalf("Ana's history names %v, want maria and joao", who)
	}

	// Undo is per counter: joao's u takes back his newest change, and
	// maria's newer customer stays.
	joao.addCustomer("Zé Neto")
	maria.addCustomer("Bea Santos")
	joao.press("u")
	joao.waitFor("Undone")
	if _, err := s.FindCustomer("Zé Neto"); err == nil {
		t.Fatal("joao's undo did not take back his own customer")
	}
	for _, name := range []string{"Rui Costa", "Bea Santos"} {
		if _, err := s.FindCustomer(name); err != nil {
			t.Fatalf("joao's undo took back maria's %s: %v", name, err)
		}
	}
}

func TestServeKillingACounterMidSaveLosesNothingAcknowledged(t *testing.T) {
	ts := startServer(t, defaultMaxSessions)
	var acknowledged []string
	for round := range 4 {
		c := ts.open("maria", 90, 28)
		c.waitFor("Customers")
		// One save acknowledged on screen...
		name := fmt.Sprintf("Kept Customer %d", round)
		c.addCustomer(name)
		acknowledged = append(acknowledged, name)
		// ...then another, with the connection cut as it is sent, a little
		// later each round.
		c.press("a")
		c.waitFor("New customer")
		c.typeText(fmt.Sprintf("Maybe Customer %d", round))
		c.press("ctrl+s")
		time.Sleep(time.Duration(round) * 3 * time.Millisecond)
		_ = c.client.Close()
		c.waitEnded()
	}
	s, err := store.Open(ts.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range acknowledged {
		if _, err := s.FindCustomer(name); err != nil {
			t.Fatalf("%s was acknowledged, then lost when the connection dropped: %v", name, err)
		}
	}
	// Whatever landed landed whole: every record matches its indexes.
	if err := store.CheckFile(ts.db); err != nil {
		t.Fatalf("the file after dropped connections: %v", err)
	}
	// The server goes on: a new counter sees everything acknowledged.
	c := ts.open("joao", 100, 40)
	c.waitFor(acknowledged...)
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(ts.logs.String(), "counter left") < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("the dropped sessions did not all end:\n%s", ts.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestServeTellsTheCounterPastTheMostToWait(t *testing.T) {
	ts := startServer(t, 2)
	first := ts.open("maria", 80, 24)
	first.waitFor("Customers")
	ts.open("joao", 80, 24).waitFor("Customers")

	third := ts.open("maria", 80, 24)
	err := third.waitEnded()
	if exitStatus(err) != 1 || !strings.Contains(third.raw.String(), "already serving 2 counters") || !strings.Contains(third.raw.String(), "wait") {
		t.Fatalf("the third counter got %v and:\n%s", err, third.raw)
	}
	// When one leaves, the next one gets in.
	first.press("q")
	first.waitEnded()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c := ts.open("maria", 80, 24)
		select {
		case <-c.ended:
			if time.Now().After(deadline) {
				t.Fatalf("no counter got in after one left:\n%s", c.raw)
			}
			time.Sleep(50 * time.Millisecond)
			continue
		case <-time.After(300 * time.Millisecond):
		}
		c.waitFor("Customers")
		break
	}
}

func TestServeRefusesEverythingButATerminal(t *testing.T) {
	ts := startServer(t, defaultMaxSessions)
	client := ts.connect("maria")

	// A shell without a terminal is told plainly and closed.
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	sess.Stdout, sess.Stderr = out, out
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	err = sess.Wait()
	if exitStatus(err) != 1 || !strings.Contains(out.String(), "Patron needs a terminal") {
		t.Fatalf("a session without a terminal got %v and %q", err, out.String())
	}

	// A command is not run.
	sess, _ = client.NewSession()
	out = &syncBuffer{}
	sess.Stdout, sess.Stderr = out, out
	err = sess.Run("cat /etc/passwd")
	if exitStatus(err) != 1 || !strings.Contains(out.String(), "runs no commands") || strings.Contains(out.String(), "root:") {
		t.Fatalf("a command got %v and %q", err, out.String())
	}

	// No subsystem (sftp), no forwarding either way.
	sess, _ = client.NewSession()
	if err := sess.RequestSubsystem("sftp"); err == nil {
		t.Fatal("the sftp subsystem was accepted")
	}
	sess.Close()
	if conn, err := client.Dial("tcp", ts.sv.Addr()); err == nil {
		conn.Close()
		t.Fatal("a forwarded connection (ssh -L) was opened")
	}
	if ln, err := client.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
		t.Fatal("a remote forward (ssh -R) was opened")
	}
	// The same connection still opens Patron in a terminal.
	ts.openOn(client, 80, 24).waitFor("Customers")
}

// panicOnBang stands for a bug: "!" makes the interface panic.
type panicOnBang struct{ tea.Model }

func (p panicOnBang) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.Text == "!" {
		panic("a bug in one counter's session")
	}
	m, cmd := p.Model.Update(msg)
	return panicOnBang{m}, cmd
}

func TestServeAPanicEndsOnlyThatSession(t *testing.T) {
	ts := startServer(t, defaultMaxSessions, func(sv *patronServer) {
		sv.model = func(s *store.Store, o ui.Options) tea.Model { return panicOnBang{ui.New(s, o)} }
	})
	other := ts.open("joao", 80, 24)
	other.waitFor("Customers")
	buggy := ts.open("maria", 80, 24)
	buggy.waitFor("Customers")
	buggy.press("!")
	buggy.waitEnded()
	if !strings.Contains(buggy.raw.String(), "Patron hit a problem and closed this session") {
		t.Fatalf("the counter was not told why its session ended:\n%s", buggy.raw)
	}
	if !strings.Contains(ts.logs.String(), "a bug ended one counter's session") {
		t.Fatalf("the panic is not logged:\n%s", ts.logs)
	}
	// The other counter carries on and saves; a new one still gets in.
	other.addCustomer("Bea Santos")
	ts.open("maria", 80, 24).waitFor("Bea Santos")
}

func TestServeStopsGracefullyKeepingWhatWasSaved(t *testing.T) {
	ts := startServer(t, defaultMaxSessions)
	c := ts.open("maria", 80, 24)
	c.waitFor("Customers")
	c.addCustomer("Rui Costa")
	idle := ts.open("joao", 80, 24) // stays open: the stop must close it
	idle.waitFor("Rui Costa")

	start := time.Now()
	if err := ts.stop(); err != nil {
		t.Fatal(err)
	}
	t.Logf("stopped with two counters connected in %v", time.Since(start).Round(time.Millisecond))
	for _, s := range []*counter{c, idle} {
		s.waitEnded()
		if !strings.Contains(s.raw.String(), "The Patron server was stopped; everything saved is kept.") {
			t.Fatalf("a counter was not told the server stopped:\n%s", s.raw)
		}
	}
	if _, err := ts.dial(gossh.PublicKeys(ts.staff["maria"])); err == nil {
		t.Fatal("the server still takes connections after stopping")
	}
	s, err := store.Open(ts.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.FindCustomer("Rui Costa"); err != nil {
		t.Fatal(err)
	}
	// The snapshot taken as it stopped holds the last save, as a window's does.
	snaps, _ := filepath.Glob(filepath.Join(store.BackupDir(ts.db), "*-auto-*.db"))
	if len(snaps) == 0 {
		t.Fatal("no automatic snapshot was taken")
	}
	snap, err := store.Open(snaps[len(snaps)-1], store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := snap.FindCustomer("Rui Costa"); err != nil {
		t.Fatalf("the snapshot taken at the stop: %v", err)
	}
	if logs := ts.logs.String(); !strings.Contains(logs, "stopping") || !strings.Contains(logs, "stopped") {
		t.Fatalf("the stop is not logged:\n%s", logs)
	}
}

func TestServeRefusesToStartWithoutUsableStaffKeys(t *testing.T) {
	key := newStaffKey(t)
	good := authorizedLine(key, "maria")
	cases := []struct {
		name, file string
		mode       os.FileMode
		want       string
	}{
		{"missing", "", 0, "does not exist"},
		{"empty", "\n# nobody yet\n", 0o600, "holds no staff key"},
		{"a key without a name", strings.TrimSuffix(good, " maria\n") + "\n", 0o600, "holds no staff key"},
		{"a key with options", `from="10.0.0.1" ` + good, 0o600, "holds no staff key"},
		{"not a key", "maria's key\n", 0o600, "holds no staff key"},
		{"writable by others", good, 0o666, "chmod 600"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "patron.db")
			if tc.mode != 0 {
				keys := filepath.Join(dir, "authorized_keys")
				if err := os.WriteFile(keys, []byte(tc.file), tc.mode); err != nil {
					t.Fatal(err)
				}
				os.Chmod(keys, tc.mode) // past the umask
			}
			_, errOut, err := run(t, db, "serve", "--listen", "127.0.0.1:0")
			if err == nil {
				t.Fatal("the server started")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || !strings.Contains(msg, "authorized_keys") {
				t.Fatalf("refused with %q, want it to say %q and name the file", msg, tc.want)
			}
			if tc.want != "chmod 600" && !strings.Contains(msg, "ssh-ed25519 AAAA... maria") {
				t.Fatalf("the refusal does not show how to add a key: %q", msg)
			}
			if _, err := os.Stat(filepath.Join(dir, hostKeyName)); err == nil {
				t.Fatal("a host key was made for a server that did not start")
			}
			if tc.name == "a key without a name" && !strings.Contains(errOut, "has no name after the key") {
				t.Fatalf("the skipped line is not explained: %q", errOut)
			}
		})
	}
}

func TestReadStaffKeysNamesEachLineItSkips(t *testing.T) {
	dir := t.TempDir()
	maria, joao := newStaffKey(t), newStaffKey(t)
	path := filepath.Join(dir, "authorized_keys")
	file := "# counters\n\n" + authorizedLine(maria, "maria") + "nonsense\n" +
		strings.TrimSuffix(authorizedLine(joao, "x"), " x\n") + "\n" +
		"restrict " + authorizedLine(joao, "joao") + authorizedLine(joao, "João Silva\x1b[31m")
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	keys, problems, err := readStaffKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0].name != "maria" || !strings.HasPrefix(keys[1].name, "João Silva") || strings.Contains(keys[1].name, "\x1b") {
		t.Fatalf("keys %+v", keys)
	}
	want := []string{"line 4 is not a public key", "line 5 has no name", "line 6 starts with options (restrict)"}
	if len(problems) != len(want) {
		t.Fatalf("problems %q, want %d", problems, len(want))
	}
	for i, w := range want {
		if !strings.Contains(problems[i], w) {
			t.Fatalf("problem %d is %q, want %q", i, problems[i], w)
		}
	}
}

func TestServeMakesItsHostKeyOnceAndKeepsItPrivate(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "patron.db")
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), []byte(authorizedLine(newStaffKey(t), "maria")), 0o600); err != nil {
		t.Fatal(err)
	}
	start := func() (*patronServer, string) {
		var out syncBuffer
		sv, err := newPatronServer(serveConfig{db: db, listen: "127.0.0.1:0", maxSessions: 2}, log.New(&out))
		if err != nil {
			t.Fatal(err)
		}
		var printed bytes.Buffer
		sv.printStart(&cli{out: &printed, errOut: &out})
		sv.ln.Close()
		return sv, printed.String() + out.String()
	}
	first, printed := start()
	st, err := os.Stat(filepath.Join(dir, hostKeyName))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("the host key is %v, want 0600", st.Mode().Perm())
	}
	if !strings.HasPrefix(first.fingerprint, "SHA256:") || !strings.Contains(printed, "Host key fingerprint: "+first.fingerprint) ||
		!strings.Contains(printed, "Made the server's host key") || !strings.Contains(printed, "maria") {
		t.Fatalf("the start does not say what it made and which fingerprint:\n%s", printed)
	}
	if strings.Contains(printed, "beyond this computer") {
		t.Fatalf("a loopback server warns:\n%s", printed)
	}
	second, printed := start()
	if second.fingerprint != first.fingerprint || strings.Contains(printed, "Made the server's host key") {
		t.Fatalf("the second start made a new host key: %s then %s", first.fingerprint, second.fingerprint)
	}
	// A host key others can read is refused.
	if err := os.Chmod(filepath.Join(dir, hostKeyName), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := newPatronServer(serveConfig{db: db, listen: "127.0.0.1:0", maxSessions: 2}, log.New(io.Discard)); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a readable host key: %v", err)
	}
}

func TestServeWarnsWhenListeningBeyondThisComputer(t *testing.T) {
	for addr, loop := range map[string]bool{
		"127.0.0.1:2323": true, "localhost:2323": true, "[::1]:2323": true, "127.0.0.2:22": true,
		":2323": false, "0.0.0.0:2323": false, "192.0.2.10:2323": false, "[::]:2323": false, "nonsense": false,
	} {
		if got := isLoopback(addr); got != loop {
			t.Errorf("isLoopback(%q) = %v, want %v", addr, got, loop)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), []byte(authorizedLine(newStaffKey(t), "maria")), 0o600); err != nil {
		t.Fatal(err)
	}
	var printed, logs syncBuffer
	sv, err := newPatronServer(serveConfig{db: filepath.Join(dir, "patron.db"), listen: "127.0.0.1:0", maxSessions: 2}, log.New(&logs))
	if err != nil {
		t.Fatal(err)
	}
	defer sv.ln.Close()
	// As if asked for every address (the test itself only listens on loopback).
	sv.cfg.listen = "0.0.0.0:2323"
	sv.printStart(&cli{out: &printed, errOut: &logs})
	if !strings.Contains(logs.String(), "listening beyond this computer") || !strings.Contains(logs.String(), "authorized_keys") {
		t.Fatalf("no warning for a server open to the network:\n%s%s", printed.String(), logs.String())
	}
}
