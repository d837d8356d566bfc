package main

import (
	"errors"
	"fmt"
	"os"
	"sync"
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
	c.inShopZone(s)
	stop := make(chan struct{})
	// The soft memory limit for the file's size (ui.GovernMemory), once the
	// interface has counted the customers: this process is this one window.
	var govern sync.Once
	counted := func(n int) { govern.Do(func() { ui.GovernMemory(n, stop) }) }
	snaps := &snapshotter{snap: func(reason string) error { _, err := s.Snapshot(reason); return err }}
	snaps.start(stop, startSnapshotDelay, 24*time.Hour)
	app := ui.New(s, ui.Options{Now: now, Version: versionString(), Started: processStart, Opened: time.Now(), Counted: counted})
	_, runErr := tea.NewProgram(app).Run()
	if c.timings {
		app.WriteTimings(c.errOut)
	}
	close(stop)
	snaps.wait()
	snaps.take("quit")
	for _, e := range snaps.errs {
		fmt.Fprintf(c.errOut, "patron: the automatic snapshot failed: %v\n", e)
	}
	return runErr
}

// startSnapshotDelay lets the first frame and the search index have the disk
// before the start snapshot copies the whole file.
var startSnapshotDelay = 3 * time.Second

// snapshotter takes the interface's automatic snapshots: one shortly after
// it starts and one a day while it stays open. A snapshot only reads the
// data file; failures are told when Patron exits.
type snapshotter struct {
	snap func(reason string) error
	mu   sync.Mutex
	errs []error
	done sync.WaitGroup
}

func (sn *snapshotter) start(stop <-chan struct{}, first, every time.Duration) {
	sn.done.Add(1)
	go sn.run(stop, first, every)
}

func (sn *snapshotter) run(stop <-chan struct{}, first, every time.Duration) {
	defer sn.done.Done()
	select {
	case <-stop:
		return // quitting this soon: the quit snapshot covers it
	case <-time.After(first):
	}
	sn.take("start")
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			sn.take("daily")
		}
	}
}

func (sn *snapshotter) take(reason string) {
	if err := sn.snap(reason); err != nil {
		sn.mu.Lock()
		sn.errs = append(sn.errs, err)
		sn.mu.Unlock()
	}
}

// wait returns once a snapshot under way has finished.
func (sn *snapshotter) wait() { sn.done.Wait() }
