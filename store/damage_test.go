package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patron-crm/patron/model"
)

// fileState is what "left byte for byte unchanged" compares.
type fileState struct {
	sum  [32]byte
	size int64
	mod  time.Time
	mode os.FileMode
}

func stateOf(t testing.TB, path string) fileState {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fileState{sha256.Sum256(b), st.Size(), st.ModTime(), st.Mode()}
}

// ageFile moves a file's times into the past, so that any write to it
// shows in its modification time however coarse the file system's clock.
func ageFile(t testing.TB, path string) {
	t.Helper()
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
}

func assertUnchanged(t testing.TB, path string, before fileState, after string) {
	t.Helper()
	if got := stateOf(t, path); got != before {
		t.Fatalf("%s: the file changed (%+v, was %+v)", after, got, before)
	}
}

// longNotes makes each customer record about a third of a page, so a few
// dozen customers spread over several pages under a branch page.
var longNotes = strings.Repeat("Prefers the blue wrapping paper; ask about the garden. ", 25)

// makeShopFile creates a data file in a temp folder with n customers.
func makeShopFile(t testing.TB, n int) *Store {
	t.Helper()
	s := newTestStore(t)
	addCustomers(t, s, n)
	return s
}

func addCustomers(t testing.TB, s *Store, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		_, err := s.AddCustomer(model.Customer{
			Name:  fmt.Sprintf("Customer %03d", i),
			Email: fmt.Sprintf("c%03d@example.com", i),
			Phone: fmt.Sprintf("555 01%03d", i),
			Notes: longNotes,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// fileLayout is where things are in a sound file, found by reading it the
// way bbolt does, so a test can damage one particular page.
type fileLayout struct {
	size          int64
	pageSize      int64
	root          uint64 // the page listing the buckets
	freelist      uint64
	freeCount     int    // pages on the free list
	pgid          uint64 // first page past the end of the data
	customersRoot uint64 // 0 while the bucket is inline
	customersLeaf []uint64
}

func readFileLayout(t testing.TB, path string) fileLayout {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	m0, err := readMeta(f, 0)
	if err != nil {
		t.Fatal(err)
	}
	m1, err := readMeta(f, int64(m0.pageSize))
	if err != nil {
		t.Fatal(err)
	}
	m := m0
	if m1.txid > m0.txid {
		m = m1
	}
	l := fileLayout{size: st.Size(), pageSize: int64(m.pageSize), root: m.root, freelist: m.freelist, pgid: m.pgid}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		l.customersRoot = uint64(tx.Bucket(bCustomers).Root())
		return nil
	})
	if l.freelist != pgidNoFreelist {
		page := readPage(t, f, l, l.freelist)
		l.freeCount = int(binary.NativeEndian.Uint16(page[10:]))
	}
	if l.customersRoot != 0 {
		page := readPage(t, f, l, l.customersRoot)
		if ne := binary.NativeEndian; ne.Uint16(page[8:]) == flagBranch {
			for i := 0; i < int(ne.Uint16(page[10:])); i++ {
				l.customersLeaf = append(l.customersLeaf, ne.Uint64(page[pageHeaderSize+16*i+8:]))
			}
		}
	}
	return l
}

func readPage(t testing.TB, f *os.File, l fileLayout, pgid uint64) []byte {
	t.Helper()
	page := make([]byte, l.pageSize)
	if _, err := f.ReadAt(page, int64(pgid)*l.pageSize); err != nil {
		t.Fatal(err)
	}
	return page
}

// garbage is reproducible junk.
func garbage(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 42))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func writeAt(t testing.TB, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func truncate(t testing.TB, path string, size int64) {
	t.Helper()
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
}

// damageCase is one way a data file arrives damaged.
type damageCase struct {
	name      string
	customers int // how many customers the file holds before the damage
	damage    func(t testing.TB, s *Store, l fileLayout)
	// opens says pre-flight cannot see this damage (it lies deeper than the
	// pages bbolt reads on open), so Open succeeds and the reads that reach
	// it must fail instead.
	opens bool
	// writeSafe says a save does not reach the damaged page, so it may succeed.
	writeSafe bool
}

var damageCases = []damageCase{
	{name: "an existing empty file", customers: 3, damage: func(t testing.TB, s *Store, l fileLayout) {
		truncate(t, s.Path(), 0)
	}},
	{name: "a file under one page", customers: 3, damage: func(t testing.TB, s *Store, l fileLayout) {
		truncate(t, s.Path(), 1000)
	}},
	{name: "a text file", customers: 3, damage: func(t testing.TB, s *Store, l fileLayout) {
		text := bytes.Repeat([]byte("name,phone,email\nAna Lima,555 0101,ana@example.com\n"), 400)
		if err := os.WriteFile(s.Path(), text, 0o600); err != nil {
			t.Fatal(err)
		}
	}},
	{name: "random bytes", customers: 3, damage: func(t testing.TB, s *Store, l fileLayout) {
		if err := os.WriteFile(s.Path(), garbage(1, 64<<10), 0o600); err != nil {
			t.Fatal(err)
		}
	}},
	{name: "cut to half its length", customers: 3, damage: func(t testing.TB, s *Store, l fileLayout) {
		truncate(t, s.Path(), l.size/2)
	}},
	{name: "cut to three quarters of its length", customers: 3, damage: func(t testing.TB, s *Store, l fileLayout) {
		// bbolt grows the file ahead of its data; cutting only that unused
		// tail is harmless, so first fill the file past three quarters.
		for i := 0; l.pgid*uint64(l.pageSize) <= uint64(l.size)*4/5; i++ {
			if i == 200 {
				t.Fatalf("the file never filled up: %+v", l)
			}
			addCustomers(t, s, 1)
			l = readFileLayout(t, s.Path())
		}
		truncate(t, s.Path(), l.size*3/4)
	}},
	{name: "garbage in the first meta page", customers: 3, damage: func(t testing.TB, s *Store, l fileLayout) {
		writeAt(t, s.Path(), pageHeaderSize+8, garbage(2, 48))
	}},
	{name: "garbage in the second meta page", customers: 3, damage: func(t testing.TB, s *Store, l fileLayout) {
		writeAt(t, s.Path(), l.pageSize+pageHeaderSize+8, garbage(3, 48))
	}},
	{name: "garbage in both meta pages", customers: 3, damage: func(t testing.TB, s *Store, l fileLayout) {
		writeAt(t, s.Path(), pageHeaderSize, garbage(4, 64))
		writeAt(t, s.Path(), l.pageSize+pageHeaderSize, garbage(5, 64))
	}},
	{name: "garbage in the header of the page listing the buckets", customers: 3, damage: func(t testing.TB, s *Store, l fileLayout) {
		writeAt(t, s.Path(), int64(l.root)*l.pageSize, garbage(6, pageHeaderSize))
	}},
	{name: "garbage in the entries of the page listing the buckets", customers: 3, damage: func(t testing.TB, s *Store, l fileLayout) {
		writeAt(t, s.Path(), int64(l.root)*l.pageSize+pageHeaderSize, garbage(7, 64))
	}},
	{name: "a zeroed page listing the buckets", customers: 3, damage: func(t testing.TB, s *Store, l fileLayout) {
		writeAt(t, s.Path(), int64(l.root)*l.pageSize, make([]byte, l.pageSize))
	}},
	{name: "garbage in the header of the free-page list", customers: 3, damage: func(t testing.TB, s *Store, l fileLayout) {
		writeAt(t, s.Path(), int64(l.freelist)*l.pageSize, garbage(8, pageHeaderSize))
	}},
	{name: "garbage in the free-page list", customers: 3, damage: func(t testing.TB, s *Store, l fileLayout) {
		if l.freeCount == 0 {
			t.Fatal("the file has no free pages, so garbage in their list would be harmless")
		}
		writeAt(t, s.Path(), int64(l.freelist)*l.pageSize+pageHeaderSize, garbage(9, 64))
	}},
	{name: "garbage in the header of the customers' branch page", customers: 40, damage: func(t testing.TB, s *Store, l fileLayout) {
		if len(l.customersLeaf) < 3 {
			t.Fatalf("want customers spread over several pages under a branch: %+v", l)
		}
		writeAt(t, s.Path(), int64(l.customersRoot)*l.pageSize, garbage(10, pageHeaderSize))
	}},
	{name: "garbage in the header of a deep leaf page", customers: 40, opens: true, damage: func(t testing.TB, s *Store, l fileLayout) {
		if len(l.customersLeaf) < 3 {
			t.Fatalf("want customers spread over several pages under a branch: %+v", l)
		}
		// The last leaf is where a new customer goes, so saves reach it too.
		writeAt(t, s.Path(), int64(l.customersLeaf[len(l.customersLeaf)-1])*l.pageSize, garbage(11, pageHeaderSize))
	}},
	{name: "a zeroed deep leaf page", customers: 40, opens: true, writeSafe: true, damage: func(t testing.TB, s *Store, l fileLayout) {
		writeAt(t, s.Path(), int64(l.customersLeaf[1])*l.pageSize, make([]byte, l.pageSize))
	}},
	{name: "a customer record pointing past the end of the file", customers: 40, opens: true, writeSafe: true, damage: func(t testing.TB, s *Store, l fileLayout) {
		// A file that is not a whole power of two long is mapped beyond its
		// end: reading there is the SIGBUS bbolt can die of. Padding the file
		// is harmless in itself; the first record's key is then aimed into
		// the padding's mapped-but-missing tail.
		pad := l.pageSize
		truncate(t, s.Path(), l.size+pad)
		leaf := int64(l.customersLeaf[0]) * l.pageSize
		elem := leaf + pageHeaderSize
		pos := uint32(l.size + pad + 4*l.pageSize - elem) // well past the end, inside the mapping
		b := make([]byte, 4)
		binary.NativeEndian.PutUint32(b, pos)
		writeAt(t, s.Path(), elem+4, b)
	}},
}

// TestDamagedFilesAreRefusedUntouched is the damaged-file matrix: each file
// is made by Patron, damaged one way, and must then be refused with a
// sentence naming it and the way out, without a panic and without a single
// byte (or its modification time) changing.
func TestDamagedFilesAreRefusedUntouched(t *testing.T) {
	for _, tc := range damageCases {
		t.Run(tc.name, func(t *testing.T) {
			s := makeShopFile(t, tc.customers)
			path := s.Path()
			backup, err := s.Backup("")
			if err != nil {
				t.Fatal(err)
			}
			tc.damage(t, s, readFileLayout(t, path))
			ageFile(t, path)
			before := stateOf(t, path)

			wantDamaged := func(what string, err error) {
				t.Helper()
				if !errors.Is(err, ErrDamaged) {
					t.Fatalf("%s: want ErrDamaged, got %v", what, err)
				}
				msg := err.Error()
				for _, want := range []string{path, "patron restore", backup} {
					if !strings.Contains(msg, want) {
						t.Errorf("%s: the message does not mention %q: %s", what, want, msg)
					}
				}
				assertUnchanged(t, path, before, what)
			}

			opened, err := Open(path, Options{})
			if !tc.opens {
				wantDamaged("Open", err)
				_, err = Open(path, Options{Create: true})
				wantDamaged("Open with Create", err)
			} else {
				if err != nil {
					t.Fatalf("pre-flight should not see this damage, so Open should succeed: %v", err)
				}
				_, err = opened.AllCustomers(nil)
				wantDamaged("AllCustomers", err)
			}
			// A window that had the file open before it was damaged.
			_, err = s.CountCustomers()
			if !tc.opens {
				wantDamaged("CountCustomers", err)
			}
			if !tc.writeSafe {
				_, err = s.AddCustomer(model.Customer{Name: "Late Arrival"})
				wantDamaged("AddCustomer", err)
			}
			_, err = s.Backup(filepath.Join(t.TempDir(), "copy.db"))
			wantDamaged("Backup", err)
			wantDamaged("CheckFile", CheckFile(path))
		})
	}
}

// TestDamagedFileWithoutBackupsSaysHowToRestore covers the message when no
// backup exists yet.
func TestDamagedFileWithoutBackupsSaysHowToRestore(t *testing.T) {
	s := makeShopFile(t, 1)
	truncate(t, s.Path(), 0)
	_, err := Open(s.Path(), Options{})
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "`patron restore BACKUP`") || !strings.Contains(err.Error(), s.Path()) {
		t.Fatalf("got %v", err)
	}
}

// TestGuardRecoversMemoryFaults proves guard turns a fault on mapped memory
// into ErrDamaged: reading the record aimed past the end of the file must
// fault (not merely fail a check) and must still come back as an error.
func TestGuardRecoversMemoryFaults(t *testing.T) {
	var tc damageCase
	for _, c := range damageCases {
		if strings.HasPrefix(c.name, "a customer record pointing past") {
			tc = c
		}
	}
	s := makeShopFile(t, tc.customers)
	tc.damage(t, s, readFileLayout(t, s.Path()))
	_, err := s.Customer(1)
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("want ErrDamaged, got %v", err)
	}
	var fault interface{ Addr() uintptr }
	if !errors.As(err, &fault) {
		t.Fatalf("the read did not fault on memory, so this test proves nothing: %v", err)
	}
}

// TestPreflightAcceptsSoundFiles keeps pre-flight honest the other way: a
// fresh file, a busy one with free pages, and one whose unused tail was cut
// off are all sound.
func TestPreflightAcceptsSoundFiles(t *testing.T) {
	s := newTestStore(t)
	if err := preflight(s.Path()); err != nil {
		t.Fatalf("fresh file: %v", err)
	}
	addCustomers(t, s, 60)
	for i := 1; i <= 60; i += 3 {
		if err := s.DeleteCustomerForGood(model.ID(i)); err != nil {
			t.Fatal(err)
		}
	}
	l := readFileLayout(t, s.Path())
	if l.freeCount == 0 {
		t.Fatal("expected free pages after deletions")
	}
	if err := preflight(s.Path()); err != nil {
		t.Fatalf("file with free pages: %v", err)
	}
	if err := CheckFile(s.Path()); err != nil {
		t.Fatal(err)
	}
	if need := int64(l.pgid+1) * l.pageSize; need < l.size {
		truncate(t, s.Path(), need)
		if err := preflight(s.Path()); err != nil {
			t.Fatalf("file without its unused tail: %v", err)
		}
		if err := CheckFile(s.Path()); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzPreflight feeds arbitrary bytes to the pre-flight reader: it must
// never panic and never read more than the file holds. Each input is also
// tried with its meta checksums made right, so mutations get past them to
// the free list, the bucket list and the bucket pages. Seeds are small
// sound files (512-byte pages) and damaged ones: the fuzzer minimises every
// new input, which takes long on big ones (run it with -fuzzminimizetime=5s).
func FuzzPreflight(f *testing.F) {
	for _, n := range []int{0, 3, 12} {
		sound := smallBoltFile(f, n)
		f.Add(sound)
		f.Add(sound[:len(sound)*3/4])
	}
	f.Add(garbage(1, 4096))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = checkLayout(bytes.NewReader(b), int64(len(b)))
		fixed := withMetaChecksums(b)
		_ = checkLayout(bytes.NewReader(fixed), int64(len(fixed)))
	})
}

// smallBoltFile is a Patron-like file with 512-byte pages and n customers,
// cut to the pages it uses, to keep fuzzing inputs small.
func smallBoltFile(t testing.TB, n int) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "small.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{PageSize: minPageSize})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range schema1Buckets {
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		for i := 0; i < n; i++ {
			if err := tx.Bucket(bCustomers).Put(idKey(model.ID(i+1)), []byte(longNotes[:150])); err != nil {
				return err
			}
		}
		return tx.Bucket(bMeta).Put(kSchema, u64(SchemaVersion))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := readMeta(bytes.NewReader(b), minPageSize)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkLayout(bytes.NewReader(b), int64(len(b))); err != nil {
		t.Fatalf("a sound seed fails pre-flight: %v", err)
	}
	return b[:m.pgid*minPageSize]
}

// withMetaChecksums returns a copy of b with both meta pages' checksums
// recomputed, using the page size the first meta page claims.
func withMetaChecksums(b []byte) []byte {
	b = bytes.Clone(b)
	ne := binary.NativeEndian
	if len(b) < pageHeaderSize+metaSize {
		return b
	}
	ps := int(ne.Uint32(b[pageHeaderSize+8:]))
	for _, off := range []int{0, ps} {
		m := off + pageHeaderSize
		if off < 0 || m+metaSize > len(b) || (off > 0 && off < pageHeaderSize+metaSize) {
			continue
		}
		h := fnv.New64a()
		h.Write(b[m : m+56])
		ne.PutUint64(b[m+56:], h.Sum64())
	}
	return b
}

// BenchmarkPreflight is the cost pre-flight adds to every open.
func BenchmarkPreflight(b *testing.B) {
	s := makeShopFile(b, 200)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := preflight(s.Path()); err != nil {
			b.Fatal(err)
		}
	}
}
