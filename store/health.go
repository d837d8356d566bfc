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
	"path/filepath"
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
	bucketLeafFlag = 0x01
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
func readMeta(r io.ReaderAt, off int64) (boltMeta, error) {
	buf := make([]byte, pageHeaderSize+metaSize)
	if _, err := r.ReadAt(buf, off); err != nil {
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
	if m.root < 2 || m.root >= m.pgid || (m.freelist != pgidNoFreelist && (m.freelist < 2 || m.freelist >= m.pgid)) || m.pgid < 4 {
		return m, errors.New("its header points outside the file")
	}
	return m, nil
}

// preflight reads the file's two meta pages itself and checks that the file
// is long enough for every page they name, and that the pages bbolt reads
// when it opens the file (the freelist, the top-level page and the first
// page of every bucket) are what they should be. It costs a few small reads,
// and keeps bbolt from ever mapping a truncated or garbled file (where it
// can panic, die with SIGBUS, or silently initialise an empty file). It
// reads under a shared lock, so a writer in another process cannot be
// caught half-way and mistaken for damage.
func preflight(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return says(ErrNotExist, err, fmt.Sprintf("%s does not exist", path))
	}
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", path, err)
	}
	defer f.Close()
	unlock, err := lockShared(f, LockWait)
	if err != nil {
		if errors.Is(err, errLockTimeout) {
			return says(ErrBusy, err, fmt.Sprintf("%s is being saved by another Patron window; try again in a moment", filepath.Base(path)))
		}
		return fmt.Errorf("cannot read %s: %w", path, err)
	}
	defer unlock()
	return checkOpenFile(f, path)
}

// checkOpenFile is the pre-flight's check of the open, locked file f at path.
func checkOpenFile(f *os.File, path string) error {
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("cannot read %s: %w", path, err)
	}
	if err := checkLayout(f, st.Size()); err != nil {
		return damagedError(path, fmt.Errorf("%w: %s", ErrDamaged, err.Error()))
	}
	return nil
}

// checkLayout is preflight's reader: it never trusts a length or a page
// number it has not checked against the file, so whatever the bytes, it
// reads a bounded amount and never panics.
func checkLayout(r io.ReaderAt, size int64) error {
	if size == 0 {
		return errors.New("it is empty (0 bytes)")
	}
	if size < 4*minPageSize {
		return fmt.Errorf("it is only %d bytes long", size)
	}
	m0, err := readMeta(r, 0)
	if err != nil {
		return err
	}
	m1, err := readMeta(r, int64(m0.pageSize))
	if err != nil {
		return err
	}
	if m0.pageID != 0 || m1.pageID != 1 || m0.pageSize != m1.pageSize {
		return errors.New("its two header pages disagree")
	}
	for _, m := range []boltMeta{m0, m1} {
		if m.pgid > uint64(size)/m.pageSize {
			return fmt.Errorf("it is cut short: %d bytes where %d are needed", size, m.pgid*m.pageSize)
		}
	}
	// bbolt uses the newer of the two, as here.
	m := m0
	if m1.txid > m0.txid {
		m = m1
	}
	l := layoutReader{r: r, pageSize: m.pageSize, pgid: m.pgid}
	if m.freelist != pgidNoFreelist {
		if err := l.checkFreelist(m.freelist); err != nil {
			return err
		}
	}
	return l.checkRoot(m.root)
}

type layoutReader struct {
	r        io.ReaderAt
	pageSize uint64
	pgid     uint64 // pages at or above this do not exist
}

// maxCheckedSpan bounds how much of one page preflight reads.
const maxCheckedSpan = 1 << 20

// header reads a page's header and checks its id, type and extent.
func (l layoutReader) header(pgid uint64, want ...uint16) (flags uint16, count uint16, overflow uint32, err error) {
	hdr := make([]byte, pageHeaderSize)
	if _, err := l.r.ReadAt(hdr, int64(pgid*l.pageSize)); err != nil {
		return 0, 0, 0, fmt.Errorf("page %d cannot be read", pgid)
	}
	ne := binary.NativeEndian
	if ne.Uint64(hdr[0:]) != pgid {
		return 0, 0, 0, fmt.Errorf("page %d has a garbled header", pgid)
	}
	flags, count, overflow = ne.Uint16(hdr[8:]), ne.Uint16(hdr[10:]), ne.Uint32(hdr[12:])
	if pgid+uint64(overflow) >= l.pgid {
		return 0, 0, 0, fmt.Errorf("page %d runs past the end of the file", pgid)
	}
	for _, w := range want {
		if flags == w {
			return flags, count, overflow, nil
		}
	}
	return 0, 0, 0, fmt.Errorf("page %d has the wrong type", pgid)
}

// checkFreelist checks the list of free pages bbolt loads when it opens the
// file for writing: a wrong count or page number there would make it read
// out of bounds, or hand out a page that is still in use.
func (l layoutReader) checkFreelist(pgid uint64) error {
	_, count, overflow, err := l.header(pgid, flagFreelist)
	if err != nil {
		return err
	}
	span := (uint64(overflow) + 1) * l.pageSize
	off := int64(pgid*l.pageSize) + pageHeaderSize
	n := uint64(count)
	ne := binary.NativeEndian
	if count == 0xFFFF {
		b := make([]byte, 8)
		if _, err := l.r.ReadAt(b, off); err != nil {
			return errors.New("the list of free pages cannot be read")
		}
		n, off = ne.Uint64(b), off+8
	}
	if n > l.pgid || pageHeaderSize+8+8*n > span {
		return errors.New("the list of free pages is garbled")
	}
	buf := make([]byte, 8*min(n, 4096))
	for n > 0 {
		chunk := buf[:8*min(n, 4096)]
		if _, err := l.r.ReadAt(chunk, off); err != nil {
			return errors.New("the list of free pages cannot be read")
		}
		for i := 0; i < len(chunk); i += 8 {
			if id := ne.Uint64(chunk[i:]); id < 2 || id >= l.pgid {
				return errors.New("the list of free pages names a page outside the file")
			}
		}
		n -= uint64(len(chunk) / 8)
		off += int64(len(chunk))
	}
	return nil
}

// checkRoot checks the top-level page, which lists the buckets, and the
// first page of each bucket it names.
func (l layoutReader) checkRoot(pgid uint64) error {
	flags, count, overflow, err := l.header(pgid, flagLeaf, flagBranch)
	if err != nil {
		return err
	}
	span := (uint64(overflow) + 1) * l.pageSize
	if span > maxCheckedSpan {
		return nil // header checked; a page this long is not worth reading here
	}
	page := make([]byte, span)
	if _, err := l.r.ReadAt(page, int64(pgid*l.pageSize)); err != nil {
		return fmt.Errorf("page %d cannot be read", pgid)
	}
	if flags == flagBranch {
		return l.checkBranch(pgid, page, count)
	}
	return l.checkLeaf(pgid, page, count, true)
}

func (l layoutReader) checkBranch(pgid uint64, page []byte, count uint16) error {
	ne := binary.NativeEndian
	for i := 0; i < int(count); i++ {
		at := pageHeaderSize + 16*i
		if at+16 > len(page) {
			return fmt.Errorf("page %d is garbled", pgid)
		}
		pos, ksize, child := uint64(ne.Uint32(page[at:])), uint64(ne.Uint32(page[at+4:])), ne.Uint64(page[at+8:])
		if uint64(at)+pos+ksize > uint64(len(page)) || child < 2 || child >= l.pgid {
			return fmt.Errorf("page %d is garbled", pgid)
		}
	}
	return nil
}

// checkLeaf checks that every entry of a leaf page lies inside it; when
// buckets is set, each bucket entry is followed to its own first page.
func (l layoutReader) checkLeaf(pgid uint64, page []byte, count uint16, buckets bool) error {
	ne := binary.NativeEndian
	garbled := fmt.Errorf("page %d is garbled", pgid)
	for i := 0; i < int(count); i++ {
		at := pageHeaderSize + 16*i
		if at+16 > len(page) {
			return garbled
		}
		flags := ne.Uint32(page[at:])
		pos, ksize, vsize := uint64(ne.Uint32(page[at+4:])), uint64(ne.Uint32(page[at+8:])), uint64(ne.Uint32(page[at+12:]))
		start := uint64(at) + pos
		if start+ksize+vsize > uint64(len(page)) {
			return garbled
		}
		if !buckets || flags&bucketLeafFlag == 0 {
			continue
		}
		v := page[start+ksize : start+ksize+vsize]
		if len(v) < 16 {
			return garbled
		}
		root := ne.Uint64(v)
		if root == 0 {
			// An inline bucket: a small leaf page inside the value.
			inline := v[16:]
			if len(inline) < pageHeaderSize || ne.Uint16(inline[8:]) != flagLeaf {
				return garbled
			}
			if err := l.checkLeaf(pgid, inline, ne.Uint16(inline[10:]), false); err != nil {
				return err
			}
			continue
		}
		if root < 2 || root >= l.pgid {
			return garbled
		}
		if _, _, _, err := l.header(root, flagLeaf, flagBranch); err != nil {
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

// errLockTimeout is a lock that stayed held by another process too long.
var errLockTimeout = errors.New("the file stayed locked by another process")
