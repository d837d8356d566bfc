package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bbolt's on-disk layout, read here without bbolt so that a damaged file is
// refused before bbolt can panic or fault on it.
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	pageHeaderSize = 16
	metaSize       = 64
	flagBranch     = 0x01
	flagLeaf       = 0x02
	flagMeta       = 0x04
	flagFreelist   = 0x10
	pgidNoFreelist = 0xffffffffffffffff
	minPageSize    = 512
	maxPageSize    = 1 << 16
)

type boltMeta struct {
	pageID, pageSize, root, freelist, pgid, txid uint64
	pageFlags                                    uint16
}

// readMeta decodes the meta page found at off and checks it as bbolt would:
// page flags, magic, version and checksum.
func readMeta(f *os.File, off int64) (boltMeta, error) {
	buf := make([]byte, pageHeaderSize+metaSize)
	if _, err := f.ReadAt(buf, off); err != nil {
		return boltMeta{}, fmt.Errorf("its header page at %d cannot be read (%v)", off, err)
	}
	ne := binary.NativeEndian
	m := boltMeta{pageID: ne.Uint64(buf[0:]), pageFlags: ne.Uint16(buf[8:])}
	b := buf[pageHeaderSize:]
	if ne.Uint32(b[0:]) != boltMagic {
		return m, errors.New("it is not a Patron data file (no database header)")
	}
	if ne.Uint32(b[4:]) != boltVersion {
		return m, fmt.Errorf("its database format version %d is unknown", ne.Uint32(b[4:]))
	}
	h := fnv.New64a()
	h.Write(b[:56])
	if h.Sum64() != ne.Uint64(b[56:]) {
		return m, errors.New("a header page has a bad checksum")
	}
	if m.pageFlags != flagMeta {
		return m, errors.New("a header page is marked with the wrong type")
	}
	m.pageSize = uint64(ne.Uint32(b[8:]))
	m.root = ne.Uint64(b[16:])
	m.freelist = ne.Uint64(b[32:])
	m.pgid = ne.Uint64(b[40:])
	m.txid = ne.Uint64(b[48:])
	if m.pageSize < minPageSize || m.pageSize > maxPageSize || m.pageSize&(m.pageSize-1) != 0 {
		return m, fmt.Errorf("its page size %d is impossible", m.pageSize)
	}
	if m.root >= m.pgid || (m.freelist != pgidNoFreelist && m.freelist >= m.pgid) || m.pgid < 4 {
		return m, errors.New("its header points outside the file")
	}
	return m, nil
}

// preflight reads the file's two meta pages itself and checks that the file
// is long enough for every page they name, and that the pages they point at
// look like what they should be. It costs two small reads, and keeps bbolt
// from ever mapping a truncated or garbled file (where it can panic, or die
// with SIGBUS, or silently initialise an empty file).
func preflight(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return says(ErrNotExist, err, fmt.Sprintf("%s does not exist", path))
	}
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", path, err)
	}
	size := st.Size()
	bad := func(why string) error {
		return damagedError(path, fmt.Errorf("%w: %s", ErrDamaged, why))
	}
	if size == 0 {
		return bad("it is empty (0 bytes)")
	}
	if size < 4*minPageSize {
		return bad(fmt.Sprintf("it is only %d bytes long", size))
	}
	m0, err := readMeta(f, 0)
	if err != nil {
		return bad(err.Error())
	}
	m1, err := readMeta(f, int64(m0.pageSize))
	if err != nil {
		return bad(err.Error())
	}
	if m0.pageID != 0 || m1.pageID != 1 || m0.pageSize != m1.pageSize {
		return bad("its two header pages disagree")
	}
	for _, m := range []boltMeta{m0, m1} {
		if int64(m.pgid*m.pageSize) > size {
			return bad(fmt.Sprintf("it is cut short: %d bytes where %d are needed", size, m.pgid*m.pageSize))
		}
	}
	m := m0
	if m1.txid > m0.txid {
		m = m1
	}
	hdr := make([]byte, pageHeaderSize)
	checkPage := func(pgid uint64, want ...uint16) error {
		if _, err := f.ReadAt(hdr, int64(pgid*m.pageSize)); err != nil && !errors.Is(err, io.EOF) {
			return bad(fmt.Sprintf("page %d cannot be read", pgid))
		}
		ne := binary.NativeEndian
		if ne.Uint64(hdr[0:]) != pgid {
			return bad(fmt.Sprintf("page %d has a garbled header", pgid))
		}
		flags := ne.Uint16(hdr[8:])
		for _, w := range want {
			if flags == w {
				return nil
			}
		}
		return bad(fmt.Sprintf("page %d has the wrong type", pgid))
	}
	if err := checkPage(m.root, flagLeaf, flagBranch); err != nil {
		return err
	}
	if m.freelist != pgidNoFreelist {
		if err := checkPage(m.freelist, flagFreelist); err != nil {
			return err
		}
	}
	return nil
}

// checkEnv asks a Patron process to act as the checker of one file.
const checkEnv = "PATRON_INTERNAL_CHECK_FILE"

// RunCheckerIfAsked must be called first thing in main (and in TestMain of
// packages whose tests check files): when this process was started as the
// checker of a file, it runs bbolt's full consistency check, prints the
// result and exits. bbolt's check can crash on a damaged file in a goroutine
// no recover can reach, so it runs in a child process that may die.
func RunCheckerIfAsked() {
	path := os.Getenv(checkEnv)
	if path == "" {
		return
	}
	problems := fullCheck(path)
	if len(problems) == 0 {
		fmt.Println("ok")
		os.Exit(0)
	}
	for i, p := range problems {
		if i == 10 {
			fmt.Printf("... and %d more\n", len(problems)-10)
			break
		}
		fmt.Println(p)
	}
	os.Exit(3)
}

func fullCheck(path string) []string {
	if err := preflight(path); err != nil {
		return []string{err.Error()}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: LockWait})
	if err != nil {
		return []string{err.Error()}
	}
	defer db.Close()
	var problems []string
	err = db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			problems = append(problems, err.Error())
		}
		if len(problems) > 0 {
			return nil
		}
		// The file is sound as bbolt sees it; now check it is Patron's.
		if _, err := schemaVersion(tx); err != nil {
			problems = append(problems, err.Error())
			return nil
		}
		for _, b := range schema1Buckets {
			if tx.Bucket(b) == nil {
				problems = append(problems, fmt.Sprintf("the %s part is missing", b))
			}
		}
		return nil
	})
	if err != nil {
		problems = append(problems, err.Error())
	}
	return problems
}

// CheckFile runs the full consistency check of a data file or a backup in a
// child process, so a crash inside bbolt is reported instead of suffered.
// It returns nil only when the file is sound.
func CheckFile(path string) error {
	if err := preflight(path); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("cannot start the checker: %w", err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), checkEnv+"="+path)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cannot start the checker: %w", err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(10 * time.Minute):
		_ = cmd.Process.Kill()
		err = <-done
	}
	text := strings.TrimSpace(out.String())
	if err == nil && text == "ok" {
		return nil
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 3 {
		return damagedError(path, fmt.Errorf("%w: %s", ErrDamaged, firstLine(text)))
	}
	return damagedError(path, fmt.Errorf("%w: the check crashed on it (%v) %s", ErrDamaged, err, firstLine(text)))
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}
