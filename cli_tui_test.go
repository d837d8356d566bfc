package main

import (
	"errors"
	"sync"
	"testing"
	"time"
)

// recorder counts the snapshots a snapshotter asks for.
type recorder struct {
	mu      sync.Mutex
	reasons []string
	fail    bool
}

func (r *recorder) snap(reason string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reasons = append(r.reasons, reason)
	if r.fail {
		return errors.New("disk full")
	}
	return nil
}

func (r *recorder) taken() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.reasons...)
}

func TestTheInterfaceSnapshotsAtStartAndEveryDayWhileOpen(t *testing.T) {
	r := &recorder{}
	sn := &snapshotter{snap: r.snap}
	stop := make(chan struct{})
	sn.start(stop, time.Millisecond, 20*time.Millisecond) // a "day" of 20 ms
	deadline := time.Now().Add(5 * time.Second)
	for len(r.taken()) < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	close(stop)
	sn.wait()
	got := r.taken()
	if len(got) < 3 || got[0] != "start" || got[1] != "daily" || got[2] != "daily" {
		t.Fatalf("snapshots taken: %v, want start then daily ones", got)
	}
	n := len(got)
	time.Sleep(50 * time.Millisecond)
	if len(r.taken()) != n {
		t.Fatal("a snapshot was taken after the window closed")
	}
}

func TestQuittingAtOnceSkipsTheStartSnapshot(t *testing.T) {
	r := &recorder{}
	sn := &snapshotter{snap: r.snap}
	stop := make(chan struct{})
	sn.start(stop, time.Hour, 24*time.Hour)
	close(stop)
	sn.wait()
	if got := r.taken(); len(got) != 0 {
		t.Fatalf("snapshots taken: %v; the quit snapshot alone should cover a window closed at once", got)
	}
}

func TestAFailedSnapshotIsToldAtExit(t *testing.T) {
	r := &recorder{fail: true}
	sn := &snapshotter{snap: r.snap}
	sn.take("quit")
	if len(sn.errs) != 1 {
		t.Fatalf("errors kept: %v", sn.errs)
	}
}
