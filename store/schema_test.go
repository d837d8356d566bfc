package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patron-crm/patron/model"
)

// schema1Fixture is a data file in the first layout, committed so that
// every later Patron proves it can still migrate it.
const schema1Fixture = "testdata/schema1.db"

// schema1Customers are the fixture's customers.
var schema1Customers = []model.Customer{
	{Name: "Ana Lima", Email: "Ana@Example.com", Phone: "+1 (555) 010-1010", Tags: []string{"vip"}},
	{Name: "Bruno Costa", Email: "bruno@example.com"},
	{Name: "Carla Dias", Phone: "555 0303"},
	{Name: "Dora Reis"},
}

// makeSchema1 builds, with bbolt directly, a file as the first Patron wrote
// it: the schema-1 buckets, schema_version 1, customers with emails and
// phones, and no email or phone index.
func makeSchema1(t testing.TB, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	created := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range schema1Buckets {
			if _, err := tx.CreateBucket(b); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bMeta)
		for k, v := range map[string][]byte{
			string(kSchema):  u64(1),
			string(kFileID):  []byte("5c1e0001-0000-4000-8000-000000000001"),
			string(kCreated): []byte(created.Format(time.RFC3339)),
		} {
			if err := meta.Put([]byte(k), v); err != nil {
				return err
			}
		}
		v, err := encode(model.DefaultSettings())
		if err != nil {
			return err
		}
		if err := tx.Bucket(bSettings).Put(kSettings, v); err != nil {
			return err
		}
		customers := tx.Bucket(bCustomers)
		for _, c := range schema1Customers {
			seq, err := customers.NextSequence()
			if err != nil {
				return err
			}
			c.ID = model.ID(seq)
			c.Status = model.StatusActive
			c.Created, c.Updated = created, created
			v, err := encode(c)
			if err != nil {
				return err
			}
			if err := customers.Put(idKey(c.ID), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRegenerateSchema1Fixture rewrites testdata/schema1.db when asked:
// PATRON_UPDATE_FIXTURES=1 go test ./store/ -run Fixture
func TestRegenerateSchema1Fixture(t *testing.T) {
	if os.Getenv("PATRON_UPDATE_FIXTURES") != "1" {
		t.Skip("set PATRON_UPDATE_FIXTURES=1 to rewrite " + schema1Fixture)
	}
	tmp := filepath.Join(t.TempDir(), "schema1.db")
	makeSchema1(t, tmp)
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(schema1Fixture, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// copyFixture copies a committed file into a fresh temp folder as patron.db.
func copyFixture(t testing.TB, fixture string) string {
	t.Helper()
	in, err := os.Open(fixture)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	path := filepath.Join(t.TempDir(), "patron.db")
	out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// rawFile is everything in a file, read with bbolt directly: bucket names
// to their keys and values (meta included).
func rawFile(t testing.TB, path string) map[string]map[string]string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string]map[string]string{}
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			m := map[string]string{}
			out[string(name)] = m
			return b.ForEach(func(k, v []byte) error {
				m[string(k)] = string(v)
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func rawSchemaVersion(t testing.TB, raw map[string]map[string]string) uint64 {
	t.Helper()
	v := raw[string(bMeta)][string(kSchema)]
	if len(v) != 8 {
		t.Fatalf("schema_version is %q", v)
	}
	return binary.BigEndian.Uint64([]byte(v))
}

// TestSchema1FixtureMigratesToCurrent opens the committed schema-1 file:
// it must be brought to SchemaVersion after a backup is written beside it,
// and the new email and phone indexes must find its customers.
func TestSchema1FixtureMigratesToCurrent(t *testing.T) {
	path := copyFixture(t, schema1Fixture)
	raw := rawFile(t, path)
	if v := rawSchemaVersion(t, raw); v != 1 {
		t.Fatalf("the fixture is at version %d, not 1; regenerate it", v)
	}
	if _, ok := raw[string(bEmail)]; ok {
		t.Fatal("the fixture already has an email index; it is not a schema-1 file")
	}

	s, err := Open(path, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	migrated := rawFile(t, path)
	if v := rawSchemaVersion(t, migrated); v != SchemaVersion {
		t.Fatalf("after opening, the file is at version %d, want %d", v, SchemaVersion)
	}
	if s.FileID() != "5c1e0001-0000-4000-8000-000000000001" {
		t.Errorf("the migration changed the file's identity to %q", s.FileID())
	}
	for name, records := range raw {
		for k, v := range records {
			if name == string(bMeta) && k == string(kSchema) {
				continue
			}
			if migrated[name][k] != v && !sameStoredRecord(t, name, v, migrated[name][k]) {
				t.Errorf("the migration changed %s/%q", name, k)
			}
		}
	}

	backup := filepath.Join(filepath.Dir(path), fmt.Sprintf("patron-before-v%d.db", SchemaVersion))
	st, err := os.Stat(backup)
	if err != nil {
		t.Fatalf("no backup beside the file: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", st.Mode().Perm())
	}
	if v := rawSchemaVersion(t, rawFile(t, backup)); v != 1 {
		t.Errorf("the backup is at version %d; it should be the file as it was", v)
	}
	if err := CheckFile(backup); err != nil {
		t.Error(err)
	}
	if err := CheckFile(path); err != nil {
		t.Error(err)
	}

	for q, want := range map[string]string{
		"ana@example.com":   "Ana Lima",
		"BRUNO@example.com": "Bruno Costa",
		"15550101010":       "Ana Lima",
		"555-0303":          "Carla Dias",
	} {
		c, err := s.FindCustomer(q)
		if err != nil || c.Name != want {
			t.Errorf("FindCustomer(%q) = %q, %v; want %s", q, c.Name, err, want)
		}
	}
	dups, err := s.Duplicates(model.Customer{Email: "ana@example.com"})
	if err != nil || len(dups) != 1 || dups[0].Name != "Ana Lima" {
		t.Errorf("Duplicates by email after migration: %v, %v", dups, err)
	}

	// Opening a current file again writes nothing.
	ageFile(t, path)
	before := stateOf(t, path)
	if _, err := Open(path, Options{}); err != nil {
		t.Fatal(err)
	}
	assertUnchanged(t, path, before, "opening a migrated file again")
}

// TestFailingMigrationLeavesTheOldVersion injects a step that writes and
// then fails half-way: the file must stay exactly at version 1 with its
// data as it was, and a later Patron with a working step must migrate it.
func TestFailingMigrationLeavesTheOldVersion(t *testing.T) {
	path := copyFixture(t, schema1Fixture)
	before := rawFile(t, path)

	gremlins := errors.New("gremlins in step 2")
	saved := migrations
	t.Cleanup(func() { migrations = saved })
	migrations = []migration{{to: 2, name: "a step that fails half-way", run: func(tx *bolt.Tx) error {
		if err := migrateIndexContacts(tx); err != nil {
			return err
		}
		if err := tx.Bucket(bCustomers).Delete(idKey(1)); err != nil {
			return err
		}
		if err := tx.Bucket(bMeta).Put(kSchema, u64(2)); err != nil {
			return err
		}
		return gremlins
	}}}

	_, err := Open(path, Options{Now: func() time.Time { return testNow }})
	if !errors.Is(err, gremlins) {
		t.Fatalf("want the step's error, got %v", err)
	}
	backup := filepath.Join(filepath.Dir(path), fmt.Sprintf("patron-before-v%d.db", SchemaVersion))
	for _, want := range []string{"still at version 1", backup} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the message does not say %q: %v", want, err)
		}
	}
	after := rawFile(t, path)
	if v := rawSchemaVersion(t, after); v != 1 {
		t.Fatalf("schema_version is %d after a failed step, want 1", v)
	}
	if !sameRaw(before, after) {
		t.Fatal("the failed step left changes in the file")
	}
	if err := CheckFile(path); err != nil {
		t.Fatal(err)
	}

	migrations = saved
	s, err := Open(path, Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatalf("a working step could not migrate the file after a failed one: %v", err)
	}
	if c, err := s.FindCustomer("ana@example.com"); err != nil || c.ID != 1 {
		t.Fatalf("after the retry: %v, %v", c, err)
	}
}

func sameRaw(a, b map[string]map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for name, ra := range a {
		rb, ok := b[name]
		if !ok || len(ra) != len(rb) {
			return false
		}
		for k, v := range ra {
			if w, ok := rb[k]; !ok || !bytes.Equal([]byte(v), []byte(w)) {
				return false
			}
		}
	}
	return true
}

// TestNewerSchemaIsRefusedUntouched: a file from a newer Patron is refused
// with a sentence saying so, and neither its bytes nor its size nor its
// modification time change; no backup is written for it either.
func TestNewerSchemaIsRefusedUntouched(t *testing.T) {
	s := makeShopFile(t, 2)
	path := s.Path()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put(kSchema, u64(SchemaVersion+1)) })
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	ageFile(t, path)
	before := stateOf(t, path)

	for _, o := range []Options{{}, {Create: true}} {
		_, err := Open(path, o)
		if !errors.Is(err, ErrNewerSchema) {
			t.Fatalf("want ErrNewerSchema, got %v", err)
		}
		for _, want := range []string{path, "newer Patron", "not touched"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("the message does not say %q: %v", want, err)
			}
		}
		assertUnchanged(t, path, before, "Open")
	}
	// A window that had it open before it was replaced must not save into it.
	if _, err := s.AddCustomer(model.Customer{Name: "Late Arrival"}); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("a save into a newer file: %v", err)
	}
	assertUnchanged(t, path, before, "AddCustomer")
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("something was written beside the newer file: %v", entries)
	}
}

// TestMigrationFailingAtALaterStepKeepsTheEarlierOnes: steps are one
// transaction each, so when the last step fails the file stays exactly at
// the version the step before it reached, and a retry finishes the job.
func TestMigrationFailingAtALaterStepKeepsTheEarlierOnes(t *testing.T) {
	if SchemaVersion < 3 {
		t.Skip("needs at least two migration steps")
	}
	path := copyFixture(t, schema1Fixture)
	gremlins := errors.New("gremlins in the last step")
	saved := migrations
	t.Cleanup(func() { migrations = saved })
	migrations = slices.Clone(saved)
	last := &migrations[len(migrations)-1]
	last.run = func(tx *bolt.Tx) error {
		if err := tx.Bucket(bCustomers).Delete(idKey(2)); err != nil {
			return err
		}
		return gremlins
	}
	_, err := Open(path, Options{Now: func() time.Time { return testNow }})
	if !errors.Is(err, gremlins) {
		t.Fatalf("want the step's error, got %v", err)
	}
	reached := last.to - 1
	if want := fmt.Sprintf("still at version %d", reached); !strings.Contains(err.Error(), want) {
		t.Errorf("the message does not say %q: %v", want, err)
	}
	raw := rawFile(t, path)
	if v := rawSchemaVersion(t, raw); v != reached {
		t.Fatalf("schema_version is %d, want %d (the last good step)", v, reached)
	}
	if _, ok := raw[string(bCustomers)][string(idKey(2))]; !ok {
		t.Fatal("the failed step's delete was kept")
	}
	if err := CheckFile(path); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(filepath.Dir(path), fmt.Sprintf("patron-before-v%d.db", SchemaVersion))
	if v := rawSchemaVersion(t, rawFile(t, backup)); v != 1 {
		t.Errorf("the backup is at version %d; it should be the file before any step", v)
	}

	migrations = saved
	if _, err := Open(path, Options{Now: func() time.Time { return testNow }}); err != nil {
		t.Fatal(err)
	}
	if v := rawSchemaVersion(t, rawFile(t, path)); v != SchemaVersion {
		t.Fatalf("after the retry the file is at %d", v)
	}
}

// sameStoredRecord reports whether two stored customers or interactions hold the
// same record, in whichever encoding: migrations may rewrite one compactly.
func sameStoredRecord(t *testing.T, bucket, a, b string) bool {
	t.Helper()
	var x, y any
	switch bucket {
	case string(bCustomers):
		x, y = new(model.Customer), new(model.Customer)
	case string(bInteractions):
		x, y = new(model.Interaction), new(model.Interaction)
	default:
		return false
	}
	if decode([]byte(a), x) != nil || decode([]byte(b), y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
