package ui

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Patron's memory at 100,000 customers: the list and its search take
// about 50 MB, the reminders, the ladder and the figures about 50 more.
// Go's collector lets the heap grow to twice what is live before it
// collects, so the process would sit at twice that. A window on its own
// (patron, not patron serve) asks the collector instead to keep the whole
// process near a soft limit made for the file's size (MemoryLimit), and
// raises it if what is live comes near (NextMemoryLimit), so a file
// larger than the estimate costs collections, never a crawl.

const (
	// memoryBase is what Patron takes whatever the file: the program,
	// the runtime, the interface.
	memoryBase = 48 << 20
	// memoryPerCustomer is what each customer costs once every tab has
	// worked from them (measured: 86 MB live at 100,000, up to 103 while a
	// tab works everything out; BenchmarkBigSessionMemory).
	memoryPerCustomer = 640
)

// MemoryLimit is the soft memory limit for a window on a file of that many
// customers.
func MemoryLimit(customers int) int64 {
	return memoryBase + memoryPerCustomer*int64(max(0, customers))
}

// NextMemoryLimit is the limit to keep, given the file's (base) and what
// is live after the last collection: raised to a quarter more than what
// is live when that comes within a tenth of the limit, so the collector
// never runs without end; back down towards base when what is live falls.
func NextMemoryLimit(base, limit, live int64) int64 {
	switch room := live + live/4; {
	case live > limit-limit/10:
		return room
	case limit > base && room < limit:
		return max(base, room)
	}
	return limit
}

// GovernMemory sets the process's soft memory limit for a file of that
// many customers and, until stop closes, moves it as NextMemoryLimit says
// (checked twice a second); then it puts back the limit there was. A
// limit the owner set (GOMEMLIMIT) is left alone.
func GovernMemory(customers int, stop <-chan struct{}) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	base := MemoryLimit(customers)
	limit := base
	before := debug.SetMemoryLimit(limit)
	go func() {
		defer debug.SetMemoryLimit(before)
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				metrics.Read(live)
				if live[0].Value.Kind() != metrics.KindUint64 {
					continue
				}
				if next := NextMemoryLimit(base, limit, int64(live[0].Value.Uint64())); next != limit {
					limit = next
					debug.SetMemoryLimit(limit)
				}
			}
		}
	}()
}
