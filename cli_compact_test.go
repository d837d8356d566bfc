package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompactKeepsTheCustomersAndTheOldFile: patron compact says the sizes,
// keeps the file as it was beside it (0600), and lists the same customers.
func TestCompactKeepsTheCustomersAndTheOldFile(t *testing.T) {
	db := filepath.Join(t.TempDir(), "patron.db")
	for _, name := range []string{"Ana Lima", "Rui Costa", "Eva Sousa"} {
		mustRun(t, db, "add", name, "--notes", strings.Repeat("likes tulips ", 50))
	}
	before := mustRun(t, db, "list", "--json")
	out := mustRun(t, db, "compact")
	if !strings.Contains(out, "Compacted "+db+" from ") || !strings.Contains(out, "kept as "+db+".before-compact") {
		t.Fatalf("patron compact said %q", out)
	}
	if after := mustRun(t, db, "list", "--json"); after != before {
		t.Fatalf("the list changed:\n%s\n%s", before, after)
	}
	st, err := os.Stat(db + ".before-compact")
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("the kept file: %v %v", st, err)
	}
	mustRun(t, db, "check", db+".before-compact")
	if _, _, err := run(t, filepath.Join(t.TempDir(), "missing.db"), "compact"); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("compacting a missing file: %v", err)
	}
}
