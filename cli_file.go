package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"charm.land/bubbles/v2/progress"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/patron-crm/patron/store"
)

func (c *cli) backupCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "backup [DEST]",
		Short: "Write a checked copy of the data file (safe while Patron is open)",
		Long: `Write a consistent copy of the data file, also while Patron windows are open on
it, then check the copy. DEST may be a file or a folder; by default the copy
goes to backups/<name>-YYYYMMDD-HHMMSS.db beside the data file.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := c.openRead()
			if err != nil {
				return err
			}
			dest := ""
			if len(args) == 1 {
				dest = args[0]
			}
			path, err := s.Backup(dest)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.out, "Backed up %s to %s (checked: sound)\n", shown(s.Path()), shown(path))
			return nil
		},
	}
}

func (c *cli) checkCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check [FILE]",
		Short: "Say whether a data file or a backup is sound (exit 0 only when it is)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := c.dbPath()
			if len(args) == 1 {
				path = args[0]
			}
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("%s does not exist", path)
			}
			if err := store.CheckFile(path); err != nil {
				return err
			}
			abs, _ := filepath.Abs(path)
			fmt.Fprintf(c.out, "%s is sound\n", shown(abs))
			return nil
		},
	}
}

func (c *cli) restoreCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "restore BACKUP",
		Short: "Check a backup, keep the current file as <file>.before-restore, and put the backup in its place",
		Long: `Check the backup first; when it is sound, keep the current data file as
<file>.before-restore and swap the backup in with one atomic rename. Open
Patron windows notice the restored file and reload.`,
		Args: exactArgs(1, "give the backup file to restore; `ls` the backups/ folder beside the data file to find one"),
		RunE: func(cmd *cobra.Command, args []string) error {
			dest := c.dbPath()
			if err := store.Restore(dest, args[0]); err != nil {
				return err
			}
			abs, _ := filepath.Abs(dest)
			fmt.Fprintf(c.out, "Restored %s from %s; the file it replaced is kept as %s.before-restore\n", shown(abs), shown(args[0]), shown(abs))
			return nil
		},
	}
}

func (c *cli) demoCmd() *cobra.Command {
	var o store.DemoOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Fill a data file with realistic sample customers and interactions to try Patron",
		Example: `  patron demo
  patron demo --db /tmp/try.db --customers 1000 --interactions 15000 --seed 7`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Customers < 1 || o.Interactions < 0 {
				return errors.New("--customers must be at least 1 and --interactions at least 0")
			}
			s, err := c.openWrite()
			if err != nil {
				return err
			}
			bar := newProgressLine(c.errOut)
			o.Progress = bar.update
			res, err := s.FillDemo(o)
			bar.done()
			if err != nil {
				return err
			}
			fmt.Fprintf(c.out, "Added %d demo customers and %d interactions to %s\nOpen it with: patron --db %q\n",
				res.Customers, res.Interactions, shown(s.Path()), s.Path())
			return nil
		},
	}
	cmd.Flags().IntVar(&o.Customers, "customers", 150, "how many customers")
	cmd.Flags().IntVar(&o.Interactions, "interactions", 2000, "about how many interactions in all")
	cmd.Flags().Int64Var(&o.Seed, "seed", 1, "the same seed gives the same data")
	cmd.Flags().BoolVar(&o.Force, "force", false, "add to a file that already holds customers")
	return cmd
}

// progressLine draws a progress bar on a terminal's stderr, redrawn in place,
// once the job has run for more than a moment; elsewhere it stays silent.
type progressLine struct {
	w       *os.File
	bar     progress.Model
	tty     bool
	shown   bool
	calls   int
	lastPct int
}

func newProgressLine(w any) *progressLine {
	p := &progressLine{bar: progress.New(progress.WithWidth(40), progress.WithDefaultBlend()), lastPct: -1}
	if f, ok := w.(*os.File); ok && term.IsTerminal(f.Fd()) && os.Getenv("NO_COLOR") == "" {
		p.w, p.tty = f, true
	} else if ok && term.IsTerminal(f.Fd()) {
		p.w, p.tty = f, true
		p.bar = progress.New(progress.WithWidth(40), progress.WithFillCharacters('#', '.'), progress.WithColors())
	}
	return p
}

func (p *progressLine) update(done, total int) {
	if !p.tty || total <= 0 {
		return
	}
	p.calls++
	pct := done * 100 / total
	if pct == p.lastPct || (p.calls < 3 && pct > 50) {
		return // finished in a moment: no bar needed
	}
	p.lastPct = pct
	p.shown = true
	fmt.Fprintf(p.w, "\r%s %d/%d", p.bar.ViewAs(float64(done)/float64(total)), done, total)
}

func (p *progressLine) done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[2K")
	}
}
