package store

import (
	"path/filepath"
	"sync"
)

// Windows served by one process (patron serve: one per SSH session) hear of
// each other's writes at once through these subscriptions, instead of at
// their next poll of the change feed. Other processes are still seen by polling.
var (
	subsMu sync.Mutex
	subs   = map[string]map[*subscriber]struct{}{}
)

type subscriber struct {
	ch chan uint64
}

// Subscribe tells the caller of every change this process writes to the
// data file at path: the channel receives the newest change's sequence. It
// never blocks a writer: a subscriber that is slow to read finds only the
// newest sequence waiting. cancel stops the subscription and closes the
// channel, so a reader waiting on it returns; calling it again does nothing.
func Subscribe(path string) (changes <-chan uint64, cancel func()) {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	sub := &subscriber{ch: make(chan uint64, 1)}
	subsMu.Lock()
	if subs[path] == nil {
		subs[path] = map[*subscriber]struct{}{}
	}
	subs[path][sub] = struct{}{}
	subsMu.Unlock()
	var once sync.Once
	return sub.ch, func() {
		once.Do(func() {
			subsMu.Lock()
			defer subsMu.Unlock()
			delete(subs[path], sub)
			if len(subs[path]) == 0 {
				delete(subs, path)
			}
			close(sub.ch) // under the lock, so no send can meet a closed channel
		})
	}
}

// notifyWrote tells the file's subscribers that change seq was committed.
// Writes finish outside the gate in any order, so a waiting sequence is only
// ever replaced by a newer one.
func notifyWrote(path string, seq uint64) {
	subsMu.Lock()
	defer subsMu.Unlock()
	for sub := range subs[path] {
		select {
		case sub.ch <- seq:
			continue
		default:
		}
		select {
		case old := <-sub.ch:
			sub.ch <- max(seq, old) // the buffer was just emptied and only senders hold the lock
		default:
			sub.ch <- seq // the reader took the value in between
		}
	}
}
