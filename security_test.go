package main

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/patron-crm/patron/store"
)

func init() {
	// The race detector sleeps a second as a process exits; every child
	// Patron starts to check a file (backup, restore, compact) would pay it.
	if g := os.Getenv("GORACE"); !strings.Contains(g, "atexit_sleep_ms") {
		os.Setenv("GORACE", strings.TrimSpace(g+" atexit_sleep_ms=0"))
	}
}

// TestEveryFilePatronWritesIsPrivate runs every command that writes a file
// (the data file, backups, a snapshot, exports, cards, a compaction, a
// restore, an import, a migration and the demo) into a fresh folder, with
// the umask cleared so no mode comes from it, then walks the folder: every
// file must be 0600 and every folder 0700, and no temporary file is left.
func TestEveryFilePatronWritesIsPrivate(t *testing.T) {
	clearUmask(t)
	root := t.TempDir()
	if err := os.Chmod(root, 0o700); err != nil {
		t.Fatal(err)
	}
	mkdir := func(parts ...string) string {
		dir := filepath.Join(append([]string{root}, parts...)...)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	// Folders Patron must create itself: the data file's (two deep) and the
	// backups folder beside it, and a backup's destination folder.
	db := filepath.Join(root, "shop", "data", "patron.db")
	mustRun(t, db, "add", "Ana Lima", "--email", "ana@example.com", "--birthday", "1988-12-01", "--address", "Rua das Flores 12")
	mustRun(t, db, "log", "ana@example.com", "--kind", "purchase", "--amount", "120", "--at", "-2d")
	mustRun(t, db, "backup")
	backup := filepath.Join(root, "shop", "copies", "deep", "copy.db")
	mustRun(t, db, "backup", backup)

	exports := mkdir("exports")
	for _, args := range [][]string{
		{"export", "csv", "--out", filepath.Join(exports, "customers.csv")},
		{"export", "csv", "--interactions", "--out", filepath.Join(exports, "log.csv")},
		{"export", "vcard", "--out", filepath.Join(exports, "customers.vcf")},
		{"export", "json", "--out", filepath.Join(exports, "everything.json")},
		{"export", "ics", "--out", filepath.Join(exports, "reminders.ics")},
		{"cards", "--until", "+1y", "--out", filepath.Join(exports, "cards.csv")},
	} {
		mustRun(t, db, args...)
	}
	mustRun(t, db, "compact")
	mustRun(t, db, "restore", backup)
	mustRun(t, filepath.Join(root, "imported", "patron.db"), "import", filepath.Join(exports, "everything.json"))
	mustRun(t, filepath.Join(root, "demo", "patron.db"), "demo", "--customers", "20", "--interactions", "200")

	// The interface's automatic snapshot, taken through the store as the
	// interface takes it.
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Snapshot("test"); err != nil {
		t.Fatal(err)
	}
	// A file from an older Patron is migrated after a backup beside it.
	old := filepath.Join(mkdir("old"), "patron.db")
	fixture, err := os.ReadFile(filepath.Join("store", "testdata", "schema1.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(old, fixture, 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, old, "list")

	var files []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		switch {
		case d.IsDir():
			if info.Mode().Perm() != 0o700 {
				t.Errorf("folder %s has mode %v, want 0700", rel, info.Mode().Perm())
			}
		case info.Mode().IsRegular():
			files = append(files, rel)
			if info.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %v, want 0600", rel, info.Mode().Perm())
			}
			if strings.HasPrefix(d.Name(), ".") {
				t.Errorf("a temporary file was left behind: %s", rel)
			}
		default:
			t.Errorf("%s is neither a file nor a folder (%v)", rel, info.Mode())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Make sure the walk saw what each command should have written.
	want := []string{"shop/data/patron.db", "shop/data/patron.db.before-compact", "shop/data/patron.db.before-restore",
		"shop/copies/deep/copy.db", "exports/cards.csv", "exports/reminders.ics", "imported/patron.db", "demo/patron.db",
		"old/patron.db", fmt.Sprintf("old/patron-before-v%d.db", store.SchemaVersion)}
	have := map[string]bool{}
	backups, snapshots := 0, 0
	for _, f := range files {
		have[filepath.ToSlash(f)] = true
		if strings.HasPrefix(filepath.ToSlash(f), "shop/data/backups/patron-") {
			backups++
			if strings.Contains(f, "-auto-") {
				snapshots++
			}
		}
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("%s was not written; the files are %q", w, files)
		}
	}
	if backups != 2 || snapshots != 1 {
		t.Errorf("want a backup and a snapshot in shop/data/backups, have %q", files)
	}
	t.Logf("%d files checked", len(files))
}

// networkPackages can send or receive over a network.
var networkPackages = map[string]bool{"net": true, "net/http": true, "crypto/tls": true, "net/rpc": true, "net/smtp": true,
	"golang.org/x/net/http2": true, "golang.org/x/crypto/ssh": true, "charm.land/ssh": true, "charm.land/wish/v2": true}

// TestNothingCanReachTheNetwork reads the build's dependency graph. The
// packages that hold and show the owner's data (model, store, the file
// formats, the interface) may not reach a network package at all, except
// net itself through the packages that use it only to parse text (pflag's
// IP flags, net/mail's addresses and their textproto headers), none of
// which dials. Only `patron serve` (issue 11) listens, and only there may
// network packages be imported; no file of ours dials out.
func TestNothingCanReachTheNetwork(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	golist := func(args ...string) []string {
		t.Helper()
		out, err := exec.Command(goTool, append([]string{"list"}, args...)...).Output()
		if err != nil {
			t.Fatalf("go list %v: %v", args, err)
		}
		return strings.Split(strings.TrimSpace(string(out)), "\n")
	}
	textOnlyNetUsers := map[string]bool{"net/mail": true, "net/textproto": true, "github.com/spf13/pflag": true}
	deps := golist("-deps", "-f", "{{.ImportPath}} {{join .Imports \",\"}}", "./model", "./store/...", "./ui")
	if len(deps) < 20 {
		t.Fatalf("go list gave only %d packages", len(deps))
	}
	for _, l := range deps {
		pkg, imports, _ := strings.Cut(l, " ")
		if networkPackages[pkg] && pkg != "net" {
			t.Errorf("the data and interface packages reach %s", pkg)
		}
		for _, imp := range strings.Split(imports, ",") {
			if imp == "net" && !textOnlyNetUsers[pkg] && !strings.HasPrefix(pkg, "net/") {
				t.Errorf("%s imports net: check it never dials, then allow it here", pkg)
			}
		}
	}
	// Our own files: network imports only in the server's, and no dialling.
	files := golist("-f", "{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}\n{{end}}", "./...")
	for _, f := range files {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if networkPackages[path] && !strings.Contains(filepath.Base(f), "serve") {
				t.Errorf("%s imports %s; only `patron serve` may use the network", f, path)
			}
		}
		for _, call := range []string{"Dial(", "DialContext(", "DialTimeout(", "http.Get(", "http.Post("} {
			if strings.Contains(string(src), call) {
				t.Errorf("%s calls %s: Patron never connects out", f, call)
			}
		}
	}
}
