package ui

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// openList is the open reminders as the Reminders tab holds them, in
// model.SortReminders' order (due, customer, key): each packed, with its
// due time and customer beside it for grouping and the customers' index.
// At 100,000 customers a quarter of a million are open; as model.Reminders
// they took 117 MB, packed about 30. A openList is never changed once made,
// so a tea.Cmd may read it while the tab moves on.
type openList struct {
	loc  *time.Location
	due  []int64 // unix seconds
	cust []model.ID
	end  []uint32 // where each one's packed bytes end in data
	data []byte
}

// Len is how many there are (a nil list has none).
func (l *openList) Len() int {
	if l == nil {
		return 0
	}
	return len(l.due)
}

func (l *openList) bytes(i int) []byte {
	start := uint32(0)
	if i > 0 {
		start = l.end[i-1]
	}
	return l.data[start:l.end[i]]
}

// At unpacks the i-th reminder.
func (l *openList) At(i int) model.Reminder {
	r, err := store.UnpackReminder(l.bytes(i), l.loc)
	if err != nil {
		// Only this file packs them, from reminders the rules made: a
		// failure here is a bug, shown as what is known.
		return model.Reminder{Customer: l.cust[i], Due: l.Due(i)}
	}
	return r
}

// Due is the i-th reminder's due time.
func (l *openList) Due(i int) time.Time { return time.Unix(l.due[i], 0).In(l.loc) }

// Key is the i-th reminder's key.
func (l *openList) Key(i int) string { return l.At(i).Key }

// openBuilder gathers reminders in any order, packed; openListOf makes
// an openList of several builders' reminders, in order.
type openBuilder struct {
	loc  *time.Location
	due  []int64
	cust []model.ID
	end  []uint32
	data []byte
}

func newOpenBuilder(loc *time.Location, n int) *openBuilder {
	return &openBuilder{loc: loc, due: make([]int64, 0, n), cust: make([]model.ID, 0, n), end: make([]uint32, 0, n)}
}

func (b *openBuilder) add(rs []model.Reminder) {
	for i := range rs {
		r := &rs[i]
		b.due = append(b.due, r.Due.Unix())
		b.cust = append(b.cust, r.Customer)
		b.data = store.PackReminder(b.data, r)
		b.end = append(b.end, uint32(len(b.data)))
	}
}

func (b *openBuilder) bytes(i int32) []byte {
	start := uint32(0)
	if i > 0 {
		start = b.end[i-1]
	}
	return b.data[start:b.end[i]]
}

// key unpacks the i-th reminder's key, to order a tie.
func (b *openBuilder) key(i int32) string {
	r, _ := store.UnpackReminder(b.bytes(i), time.UTC)
	return r.Key
}

// openListOf sorts what the builders gathered and lays it out afresh in
// that order, in allocations of exactly its size.
func openListOf(loc *time.Location, parts ...*openBuilder) *openList {
	type place struct {
		due  int64
		cust model.ID
		part int32
		i    int32
	}
	n, size := 0, 0
	for _, b := range parts {
		n, size = n+len(b.due), size+len(b.data)
	}
	order := make([]place, 0, n)
	for p, b := range parts {
		for i := range b.due {
			order = append(order, place{b.due[i], b.cust[i], int32(p), int32(i)})
		}
	}
	slices.SortFunc(order, func(x, y place) int {
		if x.due != y.due {
			return cmp.Compare(x.due, y.due)
		}
		if x.cust != y.cust {
			return cmp.Compare(x.cust, y.cust)
		}
		return strings.Compare(parts[x.part].key(x.i), parts[y.part].key(y.i))
	})
	l := &openList{loc: loc, due: make([]int64, n), cust: make([]model.ID, n), end: make([]uint32, n), data: make([]byte, size)}
	at := uint32(0)
	for j, p := range order {
		at += uint32(copy(l.data[at:], parts[p.part].bytes(p.i)))
		l.due[j], l.cust[j], l.end[j] = p.due, p.cust, at
	}
	return l
}

// merged is l less the reminders skip names (by place), with fresh
// (sorted as model.SortReminders sorts) merged in at their places: what a
// change to a few customers makes of the list, without sorting it again.
func (l *openList) merged(skip func(i int) bool, fresh []model.Reminder, loc *time.Location) *openList {
	n := l.Len() + len(fresh)
	out := &openList{loc: loc, due: make([]int64, 0, n), cust: make([]model.ID, 0, n), end: make([]uint32, 0, n)}
	if l != nil {
		out.data = make([]byte, 0, len(l.data)+128*len(fresh))
	}
	put := func(due int64, cust model.ID, packed []byte) {
		out.data = append(out.data, packed...)
		out.due, out.cust, out.end = append(out.due, due), append(out.cust, cust), append(out.end, uint32(len(out.data)))
	}
	j := 0
	var buf []byte
	putFresh := func() {
		r := &fresh[j]
		buf = store.PackReminder(buf[:0], r)
		put(r.Due.Unix(), r.Customer, buf)
		j++
	}
	for i := range l.Len() {
		if skip(i) {
			continue
		}
		for j < len(fresh) && freshFirst(&fresh[j], l, i) {
			putFresh()
		}
		put(l.due[i], l.cust[i], l.bytes(i))
	}
	for j < len(fresh) {
		putFresh()
	}
	return out
}

// freshFirst reports whether r comes before l's i-th reminder in
// model.SortReminders' order (due, customer, key); the key is unpacked only
// for a tie.
func freshFirst(r *model.Reminder, l *openList, i int) bool {
	if c := cmp.Compare(r.Due.Unix(), l.due[i]); c != 0 {
		return c < 0
	}
	if r.Customer != l.cust[i] {
		return r.Customer < l.cust[i]
	}
	return r.Key < l.Key(i)
}

// byCustomer indexes the list by customer: each one's reminders by their
// place, soonest first.
func (l *openList) byCustomer() map[model.ID][]int32 {
	index := make(map[model.ID][]int32)
	for i := range l.Len() {
		index[l.cust[i]] = append(index[l.cust[i]], int32(i))
	}
	return index
}
