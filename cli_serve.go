package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/bubbletea"
	"charm.land/wish/v2/recover"
	"github.com/spf13/cobra"
	gossh "golang.org/x/crypto/ssh"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
	"github.com/patron-crm/patron/ui"
)

// The names of the server's files beside the data file, and its defaults.
const (
	hostKeyName        = "patron_host_ed25519"
	authorizedKeysName = "authorized_keys"
	defaultListen      = "127.0.0.1:2323"
	defaultMaxSessions = 16
	shutdownWait       = 10 * time.Second
	handshakeWait      = 30 * time.Second
)

// serveConfig is what `patron serve` was asked for.
type serveConfig struct {
	db             string // the data file
	listen         string // host:port
	authorizedKeys string // "" means beside the data file
	maxSessions    int
	now            func() time.Time
	version        string
}

func (c *cli) serveCmd() *cobra.Command {
	cfg := serveConfig{listen: defaultListen, maxSessions: defaultMaxSessions}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Let several counters use this data file at once, each over SSH with its own Patron",
		Long: `Serve Patron over SSH: every staff member whose public key is in the
authorized keys file connects with an ordinary ssh client and gets their own
Patron screen on this data file. What one counter saves shows on the others at
once, and the customer history names who did what.

Only keys get in (no passwords); the staff member's name is the comment at the
end of their key's line. The server listens on this computer only (127.0.0.1)
unless --listen names another address. Stop it with ctrl+c.`,
		Example: `  patron serve
  ssh -p 2323 127.0.0.1      # from each counter, once its key is added`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			now, err := c.clock()
			if err != nil {
				return err
			}
			cfg.db, cfg.now, cfg.version = c.dbPath(), now, versionString()
			logger := log.NewWithOptions(c.errOut, log.Options{ReportTimestamp: true, TimeFormat: time.DateTime, Prefix: "patron serve"})
			sv, err := newPatronServer(cfg, logger)
			if err != nil {
				return err
			}
			sv.printStart(c)
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return sv.run(ctx)
		},
	}
	cmd.Flags().StringVar(&cfg.listen, "listen", cfg.listen, "address and port to listen on; anything but 127.0.0.1 lets other machines try to connect")
	cmd.Flags().StringVar(&cfg.authorizedKeys, "authorized-keys", "", "the staff's public keys, one a line with their name at the end (default: authorized_keys beside the data file)")
	cmd.Flags().IntVar(&cfg.maxSessions, "max-sessions", cfg.maxSessions, "how many counters may be connected at once")
	return cmd
}

// patronServer serves one data file to SSH sessions, each its own Patron
// window in this process.
type patronServer struct {
	cfg         serveConfig
	path        string // the data file, absolute
	keysPath    string
	hostKeyPath string
	fingerprint string
	made        bool // the host key was made on this start
	staff       []string
	log         *log.Logger
	ssh         *ssh.Server
	ln          net.Listener
	slots       chan struct{} // one per running session
	// model builds a session's interface; tests swap it.
	model func(*store.Store, ui.Options) tea.Model

	mu       sync.Mutex
	stopping bool
	programs map[*tea.Program]bool
	sessions sync.WaitGroup
}

func newPatronServer(cfg serveConfig, logger *log.Logger) (*patronServer, error) {
	if cfg.maxSessions < 1 {
		return nil, errors.New("--max-sessions must be at least 1")
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	path, err := filepath.Abs(cfg.db)
	if err != nil {
		return nil, fmt.Errorf("cannot use %s as a data file: %w", cfg.db, err)
	}
	sv := &patronServer{
		cfg: cfg, path: path, log: logger,
		keysPath:    cfg.authorizedKeys,
		hostKeyPath: filepath.Join(filepath.Dir(path), hostKeyName),
		slots:       make(chan struct{}, cfg.maxSessions),
		programs:    map[*tea.Program]bool{},
		model:       func(s *store.Store, o ui.Options) tea.Model { return ui.New(s, o) },
	}
	if sv.keysPath == "" {
		sv.keysPath = filepath.Join(filepath.Dir(path), authorizedKeysName)
	}
	// Open the file once now, so a missing folder, a damaged file or one
	// from a newer Patron is said before anyone connects.
	if _, err := store.Open(path, store.Options{Create: true, Actor: store.CurrentActor("ssh"), Now: cfg.now}); err != nil {
		return nil, err
	}
	keys, problems, err := readStaffKeys(sv.keysPath)
	for _, p := range problems {
		logger.Warn(p)
	}
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		sv.staff = append(sv.staff, k.name)
	}
	signer, made, err := hostKey(sv.hostKeyPath)
	if err != nil {
		return nil, err
	}
	sv.made = made
	sv.fingerprint = gossh.FingerprintSHA256(signer.PublicKey())

	srv, err := wish.NewServer(
		func(s *ssh.Server) error { s.AddHostKey(signer); return nil },
		wish.WithVersion("Patron"),
		// Only keys: with no password or keyboard-interactive handler, the
		// server offers no other way in and refuses anonymous sessions.
		wish.WithPublicKeyAuth(sv.allowKey),
		func(s *ssh.Server) error {
			s.HandshakeTimeout = handshakeWait
			s.ConnectionFailedCallback = sv.connectionFailed
			// Only sessions: no port forwarding, no other channels or requests.
			s.ChannelHandlers = map[string]ssh.ChannelHandler{"session": ssh.DefaultSessionHandler}
			s.RequestHandlers = map[string]ssh.RequestHandler{}
			s.SubsystemHandlers = map[string]ssh.SubsystemHandler{}
			return nil
		},
		// A panic in one session ends that session only, and is logged.
		wish.WithMiddleware(recover.MiddlewareWithLogger(logger, sv.serveSession)),
	)
	if err != nil {
		return nil, fmt.Errorf("cannot set up the SSH server: %w", err)
	}
	sv.ssh = srv
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w (is another patron serve running? pick another port with --listen)", cfg.listen, err)
	}
	sv.ln = ln
	return sv, nil
}

// Addr is where the server listens (the port is known after listening on :0).
func (sv *patronServer) Addr() string { return sv.ln.Addr().String() }

// printStart tells the owner what is served, where, and how to check the host key.
func (sv *patronServer) printStart(c *cli) {
	out := c.out
	if sv.made {
		fmt.Fprintf(out, "Made the server's host key %s (keep it: counters recognise the server by it).\n", sv.hostKeyPath)
	}
	fmt.Fprintf(out, "Serving %s over SSH on %s, at most %d counters at once.\n", sv.path, sv.Addr(), sv.cfg.maxSessions)
	fmt.Fprintf(out, "Host key fingerprint: %s (ssh shows it on a counter's first connection: it should match)\n", sv.fingerprint)
	fmt.Fprintf(out, "Staff who can connect (%s): %s\n", sv.keysPath, strings.Join(sv.staff, ", "))
	host, port, _ := net.SplitHostPort(sv.Addr())
	if !isLoopback(sv.cfg.listen) {
		sv.log.Warn("listening beyond this computer: anyone who can reach " + sv.Addr() + " can try to connect; only the keys in " + sv.keysPath + " get in")
		if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
			host = "THIS-COMPUTER"
		}
	}
	fmt.Fprintf(out, "Connect with: ssh -p %s %s\nStop with ctrl+c.\n", port, host)
}

// run serves until ctx ends (ctrl+c), then stops gracefully: no new
// connections, every session told and closed, saves in flight finished.
func (sv *patronServer) run(ctx context.Context) error {
	served := make(chan error, 1)
	go func() { served <- sv.ssh.Serve(sv.ln) }()
	// Snapshots as a Patron window takes them: when it starts (in the
	// background, so nobody waits) and when it stops.
	snapped := make(chan struct{})
	go func() { sv.snapshot("start"); close(snapped) }()
	select {
	case err := <-served:
		<-snapped
		return fmt.Errorf("the SSH server stopped: %w", err)
	case <-ctx.Done():
	}
	sv.log.Info("stopping: closing every session; saves already made are kept")
	sv.mu.Lock()
	sv.stopping = true
	for p := range sv.programs {
		p.Quit()
	}
	sv.mu.Unlock()
	wait, cancel := context.WithTimeout(context.Background(), shutdownWait)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- sv.ssh.Shutdown(wait) }() // no new connections from here on
	ended := make(chan struct{})
	go func() { sv.sessions.Wait(); close(ended) }()
	select {
	case <-ended:
	case <-wait.Done():
		sv.log.Warn("some sessions did not close in time; closing their connections")
	}
	// No session is left, so a connection still open holds nothing worth
	// waiting for beyond a moment (a client that keeps it for reuse).
	select {
	case <-shut:
	case <-time.After(time.Second):
		_ = sv.ssh.Close()
		<-shut
	}
	<-served
	// A save a counter started just before the end holds the file's gate;
	// a read through the gate waits for it to finish.
	if s, err := store.Open(sv.path, store.Options{Actor: store.CurrentActor("ssh"), Now: sv.cfg.now}); err == nil {
		_, _ = s.ChangesSince(1 << 62)
	}
	<-snapped
	sv.snapshot("quit")
	sv.log.Info("stopped")
	return nil
}

// snapshot copies the data file into the backups folder beside it.
func (sv *patronServer) snapshot(reason string) {
	s, err := store.Open(sv.path, store.Options{Actor: store.CurrentActor("ssh"), Now: sv.cfg.now})
	if err == nil {
		_, err = s.Snapshot(reason)
	}
	if err != nil {
		sv.log.Error("the automatic snapshot failed", "when", reason, "err", err)
	}
}

// allowKey lets in only keys in the authorized keys file, read again at
// every attempt so a key added or removed counts without a restart.
func (sv *patronServer) allowKey(ctx ssh.Context, key ssh.PublicKey) bool {
	if _, ok := sv.staffFor(key); ok {
		return true
	}
	sv.log.Info("refused a key that is not in the staff list", "from", ctx.RemoteAddr(), "key", gossh.FingerprintSHA256(key))
	return false
}

// staffFor names the staff member whose key this is.
func (sv *patronServer) staffFor(key ssh.PublicKey) (string, bool) {
	if key == nil {
		return "", false
	}
	keys, _, err := readStaffKeys(sv.keysPath)
	if err != nil {
		sv.log.Error("cannot read the staff keys, so nobody gets in", "err", err)
		return "", false
	}
	for _, k := range keys {
		if ssh.KeysEqual(k.key, key) {
			return k.name, true
		}
	}
	return "", false
}

func (sv *patronServer) connectionFailed(conn net.Conn, err error) {
	sv.log.Info("refused a connection", "from", conn.RemoteAddr(), "why", err)
}

// serveSession runs one counter: the checks, then a Patron window on the
// data file as the staff member, until they quit or the connection drops.
func (sv *patronServer) serveSession(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		defer next(sess)
		from := remoteHost(sess.RemoteAddr())
		// The key that authenticated this connection (not merely one the
		// client asked about) decides who this is.
		who, ok := sv.staffFor(sess.PublicKey())
		if !ok {
			sv.refuse(sess, "Your key is no longer in the staff list of this Patron, so the session was closed.")
			return
		}
		if sess.RawCommand() != "" || sess.Subsystem() != "" {
			sv.log.Info("refused a command", "staff", who, "from", from, "command", model.Sanitize(sess.RawCommand()+sess.Subsystem()))
			_, port, _ := net.SplitHostPort(sv.Addr())
			sv.refuse(sess, "This server only opens Patron's screen; it runs no commands. Connect without one: ssh -p "+port+" HOST")
			return
		}
		pty, winch, hasPty := sess.Pty()
		if !hasPty {
			sv.log.Info("refused a session without a terminal", "staff", who, "from", from)
			sv.refuse(sess, "Patron needs a terminal, and this session asked for none: connect with ssh -t (and without -T).")
			return
		}
		select {
		case sv.slots <- struct{}{}:
			defer func() { <-sv.slots }()
		default:
			sv.log.Warn("refused a counter: all sessions in use", "staff", who, "from", from, "max", sv.cfg.maxSessions)
			sv.refuse(sess, fmt.Sprintf("Patron is already serving %d counters, the most it serves at once. Please wait for one to close, then connect again.", sv.cfg.maxSessions))
			return
		}
		actor := store.Actor{User: who, Host: from, Via: "ssh", PID: os.Getpid(), Window: newWindowID()}
		s, err := store.Open(sv.path, store.Options{Create: true, Actor: actor, Now: sv.cfg.now})
		if err != nil {
			sv.log.Error("cannot open the data file for a counter", "staff", who, "err", err)
			sv.refuse(sess, "Patron cannot open its data file: "+err.Error())
			return
		}
		changes, stopListening := store.Subscribe(s.Path())
		defer stopListening() // ends the window's wait for news of other counters
		opts := append(bubbletea.MakeOptions(sess), tea.WithoutSignalHandler())
		window := sv.model(s, ui.Options{Now: sv.cfg.now, Version: sv.cfg.version, Notify: changes})
		program := tea.NewProgram(window, opts...)
		if !sv.track(program) {
			sv.refuse(sess, "The Patron server is stopping; connect again once it is back.")
			return
		}
		defer sv.untrack(program)
		sv.log.Info("counter connected", "staff", who, "from", from, "window", actor.Window, "size", fmt.Sprintf("%dx%d", pty.Window.Width, pty.Window.Height))
		start := time.Now()
		err = sv.runProgram(sess, program, winch)
		if w, ok := window.(interface{ Close() }); ok {
			w.Close() // the window's work over every customer stops
		}
		sv.log.Info("counter left", "staff", who, "from", from, "window", actor.Window, "after", time.Since(start).Round(time.Second))
		switch {
		case errors.Is(err, tea.ErrProgramPanic):
			// Bubble Tea printed the panic and its stack to the server's stderr.
			sv.log.Error("a bug ended one counter's session; the others go on", "staff", who, "window", actor.Window)
			wish.Println(sess, "Patron hit a problem and closed this session; everything saved is kept. Please tell whoever looks after Patron.\r")
		case err != nil && !errors.Is(err, tea.ErrProgramKilled):
			sv.log.Error("a counter's session ended on an error", "staff", who, "window", actor.Window, "err", err)
		case sv.isStopping():
			wish.Println(sess, "The Patron server was stopped; everything saved is kept. Connect again once it is back.\r")
		}
	}
}

// runProgram runs a counter's Patron on the session until they quit or the
// connection drops, passing on every change of the window's size.
func (sv *patronServer) runProgram(sess ssh.Session, program *tea.Program, winch <-chan ssh.Window) error {
	ctx, cancel := context.WithCancel(sess.Context())
	defer cancel()
	go func() {
		for {
			select {
			case <-ctx.Done(): // the connection dropped, or the program ended
				program.Quit()
				return
			case w, ok := <-winch:
				if !ok { // the session's channel closed: nobody is there any more
					program.Quit()
					return
				}
				program.Send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
			}
		}
	}()
	_, err := program.Run()
	program.Kill() // restores the session's terminal if the program did not
	return err
}

// track registers a running program so a stop can close it; false when the
// server is already stopping.
func (sv *patronServer) track(p *tea.Program) bool {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	if sv.stopping {
		return false
	}
	sv.programs[p] = true
	sv.sessions.Add(1)
	return true
}

func (sv *patronServer) isStopping() bool {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	return sv.stopping
}

func (sv *patronServer) untrack(p *tea.Program) {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	delete(sv.programs, p)
	sv.sessions.Done()
}

// refuse tells the person why in a sentence and ends the session.
func (sv *patronServer) refuse(sess ssh.Session, why string) {
	wish.Errorln(sess, why+"\r")
	_ = sess.Exit(1)
}

// staffKey is one line of the authorized keys file.
type staffKey struct {
	key  gossh.PublicKey
	name string
}

// readStaffKeys reads an OpenSSH authorized keys file whose comments name
// the staff. Lines it cannot use are skipped and described; a missing,
// empty or unsafe file is refused with what to do.
func readStaffKeys(path string) ([]staffKey, []string, error) {
	howTo := fmt.Sprintf("put each staff member's public key in it, one a line ending with their name, e.g. `ssh-ed25519 AAAA... maria` (their key is the one line in ~/.ssh/id_ed25519.pub on their computer; `ssh-keygen -t ed25519` makes one), then `chmod 600 %s`", path)
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("nobody could connect: %s does not exist; %s", path, howTo)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read the staff keys in %s: %w", path, err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o022 != 0 {
		return nil, nil, fmt.Errorf("%s can be changed by other users of this computer, who could add their own key; run `chmod 600 %s`", path, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read the staff keys in %s: %w", path, err)
	}
	var keys []staffKey
	var problems []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, comment, options, _, err := gossh.ParseAuthorizedKey([]byte(line))
		name := strings.TrimSpace(model.Sanitize(comment))
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s line %d is not a public key, so it lets nobody in", path, n))
		case len(options) > 0:
			problems = append(problems, fmt.Sprintf("%s line %d starts with options (%s) that Patron does not apply, so it lets nobody in: remove them", path, n, strings.Join(options, ",")))
		case name == "":
			problems = append(problems, fmt.Sprintf("%s line %d has no name after the key, so it lets nobody in: add the staff member's name at the end", path, n))
		default:
			keys = append(keys, staffKey{key: key, name: name})
		}
	}
	if len(keys) == 0 {
		return nil, problems, fmt.Errorf("nobody could connect: %s holds no staff key; %s", path, howTo)
	}
	return keys, problems, nil
}

// hostKey reads the server's ed25519 key, making it (0600) on first run.
// A key others can read is refused: with it they could pose as this server.
func hostKey(path string) (gossh.Signer, bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, false, fmt.Errorf("cannot make a host key: %w", err)
		}
		block, err := gossh.MarshalPrivateKey(priv, "patron serve host key")
		if err != nil {
			return nil, false, fmt.Errorf("cannot make a host key: %w", err)
		}
		data = pem.EncodeToMemory(block)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, false, fmt.Errorf("cannot write the host key %s: %w", path, err)
		}
		_, err = f.Write(data)
		if serr := f.Sync(); err == nil {
			err = serr
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(path)
			return nil, false, fmt.Errorf("cannot write the host key %s: %w", path, err)
		}
		signer, err := gossh.NewSignerFromKey(priv)
		return signer, true, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("cannot read the host key %s: %w", path, err)
	}
	if st, err := os.Stat(path); err == nil && runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, false, fmt.Errorf("the host key %s can be read by other users of this computer, who could pose as this server; run `chmod 600 %s`", path, path)
	}
	signer, err := gossh.ParsePrivateKey(data)
	if err != nil {
		return nil, false, fmt.Errorf("%s is not a usable host key (%v); move it away and Patron makes a new one, then tell the counters the new fingerprint", path, err)
	}
	return signer, false, nil
}

// isLoopback says whether a listen address only accepts this computer.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// remoteHost is the address a counter connects from, without its port.
func remoteHost(addr net.Addr) string {
	if addr == nil {
		return "unknown"
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	return host
}

// newWindowID is a fresh random id: undo acts on one session's changes.
func newWindowID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
