package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
	"github.com/patron-crm/patron/store/exchange"
)

func (c *cli) importCmd() *cobra.Command {
	var dryRun, undo bool
	var onMatch string
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Bring customers in from vCard, CSV (Google, Outlook, Square, Shopify, any) or a Patron JSON export",
		Long: `Import customers from a file. The format is told from the content:

  vCard (.vcf) 2.1, 3.0 and 4.0, as phones, Apple Contacts and Google write them
  CSV from Google Contacts, Outlook, Square or Shopify, or any spreadsheet with a
    column for the name (its other columns are guessed from their headers)
  Patron's own JSON export (patron export json)

First it shows what it will do: how many customers are new, which match someone
already in the file (same email or phone number, or the same name when there is
nothing else to compare), and every row that cannot be imported with its line
and the reason. Then it imports, as one change: all of it or nothing.
A matching customer gets the new details merged in (--on-match merge, the
default, so importing the same file twice adds no one); skip leaves them alone,
add adds the row as a new customer anyway. --dry-run shows the preview and writes
nothing; --undo takes the newest import back, unless its customers have been
changed since.

A Patron JSON export imported into an empty file restores it whole: the same
ids, interactions, reminders, settings and reminder decisions.`,
		Example: `  patron import contacts.vcf --dry-run
  patron import google.csv
  patron import square-customers.csv --on-match skip
  patron import --undo
  patron import backup.json --db new.db`,
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case undo && len(args) > 0:
				return errors.New("--undo takes no file: it takes back the newest import")
			case !undo && len(args) != 1:
				return errors.New("import takes one file, e.g. `patron import contacts.vcf` (or --undo)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if undo {
				return c.undoImport()
			}
			act, err := store.ParseAction(onMatch)
			if err != nil {
				return fmt.Errorf("--on-match: %w", err)
			}
			return c.runImport(args[0], act, dryRun)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&dryRun, "dry-run", false, "show what would be imported and write nothing")
	f.StringVar(&onMatch, "on-match", "merge", "for a customer already in the file: merge (fill in new details), skip, or add anyway")
	f.BoolVar(&undo, "undo", false, "take back the newest import")
	return cmd
}

func (c *cli) undoImport() error {
	s, err := c.openRead()
	if err != nil {
		return err
	}
	ch, err := s.UndoImport()
	if err != nil {
		return err
	}
	fmt.Fprintln(c.out, model.Sanitize(ch.Summary))
	return nil
}

func (c *cli) runImport(path string, onMatch store.Action, dryRun bool) error {
	now, err := c.clock()
	if err != nil {
		return err
	}
	// The data file is opened (and created) only once the file to import
	// has been read: a bad file changes nothing, not even by creating one.
	var s *store.Store
	loc := time.Local
	if _, err := os.Stat(c.dbPath()); err == nil {
		if s, err = c.openRead(); err != nil {
			return err
		}
		st, err := s.Settings()
		if err != nil {
			return err
		}
		loc = st.Location()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot read %s: %w", c.dbPath(), err)
	}
	f, err := exchange.ReadFile(path, exchange.Options{Now: now(), Location: loc})
	if err != nil {
		return err
	}
	name := filepath.Base(path)
	if len(f.Records) == 0 && len(f.Settings) == 0 {
		// Say why before anything is created or written.
		for _, e := range f.Errors {
			fmt.Fprintf(c.errOut, "  %s\n", model.Sanitize(e.Error()))
		}
		return fmt.Errorf("no customer in %s can be imported; nothing was written", name)
	}
	if s == nil {
		if dryRun {
			// Preview against an empty file without creating the real one.
			tmp, err := os.MkdirTemp("", "patron-preview-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			if s, err = store.Open(filepath.Join(tmp, "preview.db"), store.Options{Create: true, Actor: store.CurrentActor("cli"), Now: now}); err != nil {
				return err
			}
		} else if s, err = c.openWrite(); err != nil {
			return err
		}
	} else if !dryRun {
		if s, err = c.openWrite(); err != nil {
			return err
		}
	}
	p, err := s.PreviewImport(f, onMatch)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "%s: %s", model.Sanitize(name), p.Text())
	if dryRun {
		fmt.Fprintln(c.out, "Nothing was written (--dry-run).")
		return nil
	}
	res, err := s.Import(f, store.ImportOptions{OnMatch: onMatch, Source: name})
	if err != nil {
		return fmt.Errorf("nothing was imported: %w", err)
	}
	if res.Change == nil {
		fmt.Fprintf(c.out, "Nothing new: everyone in %s is already in the file with these details.\n", model.Sanitize(name))
		return nil
	}
	fmt.Fprintf(c.out, "%s.\nThat is one change; `patron import --undo` takes it back.\n", model.Sanitize(res.Change.Summary))
	return nil
}

// exportCmd is `patron export`: csv, vcard and json here; ics comes from
// the reminders (cli_reminders.go).
func (c *cli) exportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the file's data as CSV, vCard, JSON or iCalendar",
		Long: `Write the file's data for a spreadsheet (csv), an address book (vcard), a
complete copy Patron can import again (json), or a calendar (ics). Output goes
to stdout, or to a file readable only by you with --out.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(c.exportCSVCmd(), c.exportVCardCmd(), c.exportJSONCmd())
	// ics: see cli_reminders.go
	cmd.AddCommand(c.exportICSCmd())
	return cmd
}

func (c *cli) exportCSVCmd() *cobra.Command {
	var out string
	var interactions bool
	cmd := &cobra.Command{
		Use:   "csv",
		Short: "Customers as CSV, one row each with every field (or the interaction log with --interactions)",
		Long: `Write every customer as a CSV row with all their fields, tags joined with
commas, and the figures from their interactions. With --interactions, write the
interaction log instead, oldest first. The file is UTF-8 for spreadsheets; a cell
that a spreadsheet would run as a formula starts with an apostrophe.`,
		Example: `  patron export csv --out customers.csv
  patron export csv --interactions --out log.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := store.ExportCustomersCSV
			if interactions {
				f = store.ExportInteractionsCSV
			}
			return c.runExport(store.ExportOptions{Format: f}, out)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write to this file (0600); without it, or with -, to stdout")
	cmd.Flags().BoolVar(&interactions, "interactions", false, "export the interaction log instead of the customers")
	return cmd
}

func (c *cli) exportVCardCmd() *cobra.Command {
	var out, version string
	cmd := &cobra.Command{
		Use:     "vcard",
		Short:   "Every customer as a vCard (4.0, or 3.0 for older address books)",
		Example: "  patron export vcard --out customers.vcf\n  patron export vcard --vcard-version 3.0 --out customers.vcf",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.runExport(store.ExportOptions{Format: store.ExportVCard, VCardVersion: version}, out)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write to this file (0600); without it, or with -, to stdout")
	cmd.Flags().StringVar(&version, "vcard-version", "4.0", "4.0 or 3.0")
	return cmd
}

func (c *cli) exportJSONCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "json",
		Short: "Everything in the file as JSON, which `patron import` reads back",
		Long: `Write everything in the file: settings, customers, interactions, manual
reminders and decisions on generated reminders, as one JSON object (see the
README). Importing it into an empty file rebuilds the same data.`,
		Example: "  patron export json --out everything.json\n  patron import everything.json --db new.db",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.runExport(store.ExportOptions{Format: store.ExportJSON}, out)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write to this file (0600); without it, or with -, to stdout")
	return cmd
}

// runExport writes an export to out, or stdout. The file is read in short
// chunks so other windows can save meanwhile; when one did, a file export
// is written again (up to three times) so it holds one moment of the data.
func (c *cli) runExport(o store.ExportOptions, out string) error {
	s, err := c.openRead()
	if err != nil {
		return err
	}
	if out == "" || out == "-" {
		res, err := s.Export(c.out, o)
		if err != nil {
			return err
		}
		if res.Changed {
			fmt.Fprintln(c.errOut, "note: another Patron window saved while this export was written, so it may mix before and after; run it again for a copy of one moment")
		}
		return nil
	}
	var res store.ExportResult
	for try := 0; try < 3; try++ {
		err = writeExportFile(out, func(w io.Writer) error {
			var err error
			res, err = s.Export(w, o)
			return err
		})
		if err != nil || !res.Changed {
			break
		}
	}
	if err != nil {
		return err
	}
	what := plural(res.Customers, "customer")
	switch o.Format {
	case store.ExportInteractionsCSV:
		what = plural(res.Interactions, "interaction")
	case store.ExportJSON:
		what = fmt.Sprintf("%s, %s, %s and %s", plural(res.Customers, "customer"), plural(res.Interactions, "interaction"),
			plural(res.Reminders, "reminder"), plural(res.Decisions, "reminder decision"))
	}
	fmt.Fprintf(c.errOut, "Wrote %s to %s\n", what, shown(out))
	if res.Changed {
		fmt.Fprintln(c.errOut, "note: other Patron windows kept saving while this export was written, so it may mix before and after")
	}
	return nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// writeExportFile writes a new 0600 file through a temporary one beside it,
// renamed into place only when complete, so a failure leaves no half file.
func writeExportFile(out string, fn func(io.Writer) error) error {
	if st, err := os.Stat(out); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a folder; give a file name for --out", out)
	}
	dir := filepath.Dir(out)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(out)+".*")
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot write %s: the folder %s does not exist", out, dir)
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", out, err)
	}
	defer os.Remove(tmp.Name()) // gone after the rename; cleans up after a failure
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := fn(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot write %s: %w", out, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", out, err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("cannot write %s: %w", out, err)
	}
	return nil
}
