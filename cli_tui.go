package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"github.com/patron-crm/patron/store"
	"github.com/patron-crm/patron/ui"
)

// runTUI opens the interface on the data file, creating it on first run.
// Automatic snapshots are taken when it starts (in the background, so the
// first frame is not kept waiting) and when it quits.
func (c *cli) runTUI(cmd *cobra.Command) error {
	if !term.IsTerminal(os.Stdin.Fd()) || !term.IsTerminal(os.Stdout.Fd()) {
		return errors.New("the Patron interface needs a terminal; for scripts use the subcommands (see `patron --help`)")
	}
	now, err := c.clock()
	if err != nil {
		return err
	}
	// Looking ahead with --now shows what will be due; it must not record
	// anything dated in the future, so such a window only looks.
	ahead := now().After(time.Now().Add(time.Minute))
	s, err := store.Open(c.dbPath(), store.Options{Create: true, Actor: store.CurrentActor("tui"), Now: now, ReadOnly: ahead})
	if err != nil {
		return err
	}
	started := make(chan error, 1)
	go func() {
		_, err := s.Snapshot("start")
		started <- err
	}()
	app := ui.New(s, ui.Options{Now: now, Version: versionString(), Started: processStart, Opened: time.Now()})
	_, runErr := tea.NewProgram(app).Run()
	if c.timings {
		app.WriteTimings(c.errOut)
	}
	var snapErrs []error
	if err := <-started; err != nil {
		snapErrs = append(snapErrs, err)
	}
	if _, err := s.Snapshot("quit"); err != nil {
		snapErrs = append(snapErrs, err)
	}
	for _, e := range snapErrs {
		fmt.Fprintf(c.errOut, "patron: the automatic snapshot failed: %v\n", e)
	}
	return runErr
}
