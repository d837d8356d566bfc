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
// due time and customer beside it for grouping, and an index by customer.
// At 100,000 customers a quarter of a million are open; as model.Reminders
// they took 117 MB, packed about 27. An openList is never changed once
// made, so a tea.Cmd may read it while the tab moves on; the packed bytes
// are in parts that lists made from it share (merged adds a part, it
// copies none).
type openList struct {
	loc   *time.Location
	parts [][]byte // the packed reminders
	due   []int64  // unix seconds
	cust  []model.ID
	part  []uint16 // which part holds each one, from start to end
	start []uint32
	end   []uint32

	// The index by customer: each customer with a reminder, ascending;
	// where their places begin in places (and the next one's, last: the
	// end); their places in the list, soonest first.
	custs  []model.ID
	first  []int32
	places []int32
}

// Len is how many there are (a nil list has none).
func (l *openList) Len() int {
	if l == nil {
		return 0
	}
	return len(l.due)
}

func (l *openList) bytes(i int) []byte { return l.parts[l.part[i]][l.start[i]:l.end[i]] }

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

// of is a customer's places in the list, soonest first.
func (l *openList) of(id model.ID) []int32 {
	if l == nil {
		return nil
	}
	k, ok := slices.BinarySearch(l.custs, id)
	if !ok {
		return nil
	}
	return l.places[l.first[k]:l.first[k+1]]
}

// index makes the index by customer: the places sorted by customer, each
// customer's kept in the list's order.
func (l *openList) index() {
	l.places = make([]int32, len(l.due))
	maxID := model.ID(0)
	for _, c := range l.cust {
		maxID = max(maxID, c)
	}
	if uint64(maxID) <= uint64(4*len(l.cust)+1024) {
		// Ids are dense, as NextSequence makes them: a counting sort.
		at := make([]int32, maxID+2)
		for _, c := range l.cust {
			at[c+1]++
		}
		for i := 1; i < len(at); i++ {
			at[i] += at[i-1]
		}
		for i, c := range l.cust {
			l.places[at[c]] = int32(i)
			at[c]++
		}
	} else {
		for i := range l.places {
			l.places[i] = int32(i)
		}
		slices.SortStableFunc(l.places, func(a, b int32) int { return cmp.Compare(l.cust[a], l.cust[b]) })
	}
	l.custs, l.first = nil, nil
	for j, p := range l.places {
		if c := l.cust[p]; j == 0 || c != l.custs[len(l.custs)-1] {
			l.custs = append(l.custs, c)
			l.first = append(l.first, int32(j))
		}
	}
	l.first = append(l.first, int32(len(l.places)))
	l.custs, l.first = slices.Clip(l.custs), slices.Clip(l.first)
}

// openBuilder gathers reminders in any order, packed; openListOf makes
// an openList of several builders' reminders, in order.
type openBuilder struct {
	due  []int64
	cust []model.ID
	end  []uint32
	data []byte
}

// newOpenBuilder is a builder for about n reminders.
func newOpenBuilder(n int) *openBuilder {
	return &openBuilder{due: make([]int64, 0, n), cust: make([]model.ID, 0, n), end: make([]uint32, 0, n), data: make([]byte, 0, n*packedReminderSize)}
}

// packedReminderSize is about what a packed reminder takes, to size a
// builder once.
const packedReminderSize = 80

func (b *openBuilder) add(rs []model.Reminder) {
	for i := range rs {
		r := &rs[i]
		b.due = append(b.due, r.Due.Unix())
		b.cust = append(b.cust, r.Customer)
		b.data = store.PackReminder(b.data, r)
		b.end = append(b.end, uint32(len(b.data)))
	}
}

func (b *openBuilder) startOf(i int32) uint32 {
	if i > 0 {
		return b.end[i-1]
	}
	return 0
}

// key unpacks the i-th reminder's key, to order a tie.
func (b *openBuilder) key(i int32) string {
	r, _ := store.UnpackReminder(b.data[b.startOf(i):b.end[i]], time.UTC)
	return r.Key
}

// openListOf sorts what the builders gathered into a list; each builder's
// bytes become a part of it as they are (copied only to drop much room
// to spare).
func openListOf(loc *time.Location, builders ...*openBuilder) *openList {
	type place struct {
		due  int64
		cust model.ID
		part uint16
		i    int32
	}
	n := 0
	for _, b := range builders {
		n += len(b.due)
	}
	order := make([]place, 0, n)
	for p, b := range builders {
		for i := range b.due {
			order = append(order, place{b.due[i], b.cust[i], uint16(p), int32(i)})
		}
	}
	slices.SortFunc(order, func(x, y place) int {
		if x.due != y.due {
			return cmp.Compare(x.due, y.due)
		}
		if x.cust != y.cust {
			return cmp.Compare(x.cust, y.cust)
		}
		return strings.Compare(builders[x.part].key(x.i), builders[y.part].key(y.i))
	})
	l := &openList{loc: loc, due: make([]int64, n), cust: make([]model.ID, n), part: make([]uint16, n), start: make([]uint32, n), end: make([]uint32, n)}
	for _, b := range builders {
		data := b.data
		if cap(data) > len(data)+len(data)/4 {
			data = slices.Clone(data)
		}
		l.parts = append(l.parts, data)
	}
	for j, p := range order {
		b := builders[p.part]
		l.due[j], l.cust[j], l.part[j], l.start[j], l.end[j] = p.due, p.cust, p.part, b.startOf(p.i), b.end[p.i]
	}
	l.index()
	return l
}

// maxParts is how many parts a list made by merging may have before the
// next merge copies its reminders into one.
const maxParts = 32

// merged is l less the reminders skip names (by place), with fresh
// (sorted as model.SortReminders sorts) merged in at their places: what a
// change to a few customers makes of the list, without sorting it again
// or copying what it keeps.
func (l *openList) merged(skip func(i int) bool, fresh []model.Reminder, loc *time.Location) *openList {
	if l != nil && len(l.parts) >= maxParts {
		l = l.compacted()
	}
	n := l.Len() + len(fresh)
	out := &openList{loc: loc, due: make([]int64, 0, n), cust: make([]model.ID, 0, n), part: make([]uint16, 0, n),
		start: make([]uint32, 0, n), end: make([]uint32, 0, n)}
	if l != nil {
		out.parts = slices.Clone(l.parts)
	}
	var mine []byte
	mp := uint16(len(out.parts))
	put := func(due int64, cust model.ID, part uint16, start, end uint32) {
		out.due, out.cust, out.part = append(out.due, due), append(out.cust, cust), append(out.part, part)
		out.start, out.end = append(out.start, start), append(out.end, end)
	}
	j := 0
	putFresh := func() {
		r := &fresh[j]
		at := uint32(len(mine))
		mine = store.PackReminder(mine, r)
		put(r.Due.Unix(), r.Customer, mp, at, uint32(len(mine)))
		j++
	}
	for i := range l.Len() {
		if skip(i) {
			continue
		}
		for j < len(fresh) && freshFirst(&fresh[j], l, i) {
			putFresh()
		}
		put(l.due[i], l.cust[i], l.part[i], l.start[i], l.end[i])
	}
	for j < len(fresh) {
		putFresh()
	}
	if len(mine) > 0 {
		out.parts = append(out.parts, mine)
	}
	out.index()
	return out
}

// compacted is l with every reminder's bytes in one part.
func (l *openList) compacted() *openList {
	b := newOpenBuilder(0)
	for i := range l.Len() {
		b.data = append(b.data, l.bytes(i)...)
		b.end = append(b.end, uint32(len(b.data)))
	}
	out := &openList{loc: l.loc, parts: [][]byte{b.data}, due: l.due, cust: l.cust, part: make([]uint16, l.Len()),
		start: make([]uint32, l.Len()), end: b.end, custs: l.custs, first: l.first, places: l.places}
	for i := range out.start {
		out.start[i] = b.startOf(int32(i))
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
