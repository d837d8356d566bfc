package store

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	RunCheckerIfAsked()
	runProcessChildIfAsked()
	os.Exit(m.Run())
}

// testNow is a fixed clock for store tests.
var testNow = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

// newTestStore opens a fresh data file in a temp folder, as window "w1".
func newTestStore(t testing.TB) *Store {
	t.Helper()
	return openTestStore(t, filepath.Join(t.TempDir(), "patron.db"), "w1")
}

func openTestStore(t testing.TB, path, window string) *Store {
	t.Helper()
	a := CurrentActor("test")
	a.Window = window
	s, err := Open(path, Options{Create: true, Actor: a, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
