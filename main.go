// Command patron is a keyboard-driven customer book for small shops: who the
// customers are, what happened with each of them, which thank-you cards and
// follow-ups are due, and how loyal each one is, in one file that is safe to copy.
//
// With no arguments it opens the terminal interface; the subcommands are thin
// wrappers over the model and store packages for scripts.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"charm.land/fang/v2"
	"github.com/adrg/xdg"
	"github.com/spf13/cobra"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// version is set by the release build (-ldflags "-X main.version=...").
var version = ""

// processStart is as close to the start of the process as Go code gets,
// for --timings.
var processStart = time.Now()

func main() {
	// A Patron started as the checker of a file does only that (see store.CheckFile).
	store.RunCheckerIfAsked()
	root := newRoot(os.Stdout, os.Stderr)
	if err := fang.Execute(context.Background(), root, fang.WithVersion(versionString()), fang.WithErrorHandler(printError)); err != nil {
		os.Exit(1)
	}
}

// printError writes an error as the sentence it is, on stderr.
func printError(w io.Writer, _ fang.Styles, err error) {
	fmt.Fprintln(w, errorLine(err))
}

func versionString() string {
	if version != "" {
		return version
	}
	return "dev"
}

// cli holds the global flags shared by every subcommand.
type cli struct {
	db      string
	nowFlag string
	pinned  *time.Time // --now's moment, once worked out (clock)
	timings bool       // --timings: how long start-up took, on stderr at exit
	out     io.Writer
	errOut  io.Writer
}

func newRoot(out, errOut io.Writer) *cobra.Command {
	c := &cli{out: out, errOut: errOut}
	root := &cobra.Command{
		Use:   "patron",
		Short: "Keep your customers: a customer book, interaction log, card reminders and loyalty in one file",
		Long: `Patron keeps a shop's customers in one file: who they are, every visit, purchase
and call, the thank-you cards and follow-ups that are due, and how loyal each
customer is. Run it without arguments to open the interface; the subcommands
are for scripts and never ask questions.`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.runTUI(cmd)
		},
	}
	root.SetOut(out)
	root.SetErr(errOut)
	root.SetFlagErrorFunc(flagError)
	root.PersistentFlags().StringVar(&c.db, "db", "", "data file to use (default $PATRON_DB, else "+defaultDBPath()+")")
	root.Flags().BoolVar(&c.timings, "timings", false, "when Patron exits, write to stderr how long opening the file, the first page, search and every tab took, and the memory")
	root.PersistentFlags().StringVar(&c.nowFlag, "now", "", "evaluate as of this day (2026-12-01, yesterday, -1m, ...): what is due, which tier")
	root.AddCommand(
		c.demoCmd(), c.addCmd(), c.listCmd(), c.settingsCmd(),
		c.logCmd(), c.backupCmd(), c.checkCmd(), c.restoreCmd(), c.versionCmd(),
		c.loyaltyCmd(), c.redeemCmd(),
		c.remindersCmd(), c.cardsCmd(), c.exportCmd(), c.importCmd(),
		c.reportCmd(), c.lostCmd(), c.compactCmd(),
		c.serveCmd(),
	)
	return root
}

// defaultDBPath is the platform's data folder: ~/.local/share/patron/patron.db on Linux.
func defaultDBPath() string {
	return filepath.Join(xdg.DataHome, "patron", "patron.db")
}

// dbPath is --db, then $PATRON_DB, then the platform default.
func (c *cli) dbPath() string {
	if c.db != "" {
		return c.db
	}
	if env := os.Getenv("PATRON_DB"); env != "" {
		return env
	}
	return defaultDBPath()
}

// clock returns the time commands evaluate at: the real time, or --now:
// that day at the current time of day, read in the machine's time zone
// until the data file is open and then in the shop's (inShopZone), so that
// it is the shop's day wherever the machine's clock is set.
func (c *cli) clock() (func() time.Time, error) {
	if c.nowFlag == "" {
		return time.Now, nil
	}
	if c.pinned == nil {
		t, err := pinDay(c.nowFlag, time.Local)
		if err != nil {
			return nil, fmt.Errorf("--now: %w", err)
		}
		c.pinned = &t
	}
	return func() time.Time { return *c.pinned }, nil
}

// pinDay is the day flag names, at the current time of day, in loc.
func pinDay(flag string, loc *time.Location) (time.Time, error) {
	real := time.Now().In(loc)
	day, err := model.ParseDay(flag, real, loc)
	if err != nil {
		return time.Time{}, err
	}
	y, m, d := day.Date()
	return time.Date(y, m, d, real.Hour(), real.Minute(), real.Second(), 0, loc), nil
}

// inShopZone reads --now's day again in the shop's time zone, once the
// data file is open and before anything runs on it. Without it, a machine
// on UTC in the small hours would log "--now 2025-06-18" in New York on
// the 17th.
func (c *cli) inShopZone(s *store.Store) {
	if c.pinned == nil {
		return
	}
	st, err := s.Settings()
	if err != nil {
		return // the command meets the error itself
	}
	if t, err := pinDay(c.nowFlag, st.Location()); err == nil {
		*c.pinned = t
	}
}

// openRead opens an existing data file for a command that only reads: a
// missing file is an error, never created.
func (c *cli) openRead() (*store.Store, error) {
	now, err := c.clock()
	if err != nil {
		return nil, err
	}
	s, err := store.Open(c.dbPath(), store.Options{Actor: store.CurrentActor("cli"), Now: now})
	if err != nil {
		return nil, err
	}
	c.inShopZone(s)
	return s, nil
}

// openWrite opens (creating when needed) a data file for a command that
// records something. --now may move the clock back, never forward: Patron
// does not record the future.
func (c *cli) openWrite() (*store.Store, error) {
	now, err := c.clock()
	if err != nil {
		return nil, err
	}
	if now().After(time.Now().Add(time.Minute)) {
		return nil, errors.New("--now is in the future, and Patron only records what has happened; drop --now or give a past day")
	}
	s, err := store.Open(c.dbPath(), store.Options{Create: true, Actor: store.CurrentActor("cli"), Now: now})
	if err != nil {
		return nil, err
	}
	c.inShopZone(s)
	return s, nil
}

// openReadSettings is openRead and the shop's settings, which most
// commands need to write money, days and rules.
func (c *cli) openReadSettings() (*store.Store, model.Settings, error) {
	s, err := c.openRead()
	if err != nil {
		return nil, model.Settings{}, err
	}
	st, err := s.Settings()
	return s, st, err
}

// openWriteSettings is openWrite and the shop's settings.
func (c *cli) openWriteSettings() (*store.Store, model.Settings, error) {
	s, err := c.openWrite()
	if err != nil {
		return nil, model.Settings{}, err
	}
	st, err := s.Settings()
	return s, st, err
}

func (c *cli) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print Patron's version and the data file layout it writes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(c.out, "patron %s (data file version %d)\n", versionString(), store.SchemaVersion)
			return nil
		},
	}
}
