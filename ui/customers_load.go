package ui

import (
	"cmp"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// Loading the Customers tab at 100,000 customers, each page its own short
// read of the file: compact summaries in name order (store.CustomerList),
// the first page small so the first frame shows it at once, then pages of
// listPageSize; when all are in, the search index is built in a tea.Cmd,
// and the load is done. The tabs that work from every customer's whole
// record (Reminders, Loyalty, Insights: bookReady waits for the load) read
// the records then, a chunk at a time (eachChunk), and keep only their
// results: no record is held for the list.
//
// While loading, a customer changed in another window is read again at once
// (refresh); a page asked for before that change must not bring back the
// older copy, so every put made by a refresh or a save gets a sequence
// number and a page skips customers put since it was asked for, and
// customers deleted meanwhile (gone).
const (
	firstPageSize = 200
	listPageSize  = 5000
	// indexStale is how many customers may change after the search index
	// was built (they are searched one by one) before it is built again.
	indexStale = 2000
)

type (
	// listPageMsg is a page of the first pass, made into entries off the
	// update loop (one allocation for the page's entries).
	listPageMsg struct {
		gen     int
		first   bool
		reqSeq  int
		entries []entry
		next    store.ListCursor
		err     error
	}
	// countMsg is how many customers the file holds, for the footer.
	countMsg struct {
		gen int
		n   int
	}
	// indexMsg is a search index built from a snapshot of the customers,
	// with the snapshot's entries at the index's places.
	indexMsg struct {
		gen     int
		index   *customerSearch
		entries []atomic.Pointer[entry]
		pos     map[model.ID]int32
	}
	// editReadMsg is a customer read whole to edit from the list.
	editReadMsg struct {
		c   model.Customer
		err error
	}
)

// startLoad reads the list again from the start.
func (v *customersView) startLoad() tea.Cmd {
	v.loadGen++
	gen := v.loadGen
	if v.stopList != nil {
		close(v.stopList) // the previous load's reader
		v.stopList, v.pages = nil, nil
	}
	v.loading, v.listing = true, true
	v.loadErr = ""
	v.gone = map[model.ID]bool{}
	v.index, v.indexed, v.indexPos, v.indexing = nil, nil, nil, false
	v.dirty, v.hits, v.hitsFrom = nil, nil, nil
	// The index grows page by page, changes meanwhile are searched one by
	// one once it is done.
	v.builder, v.nextDirty = newIndexBuilder(firstPageSize), map[model.ID]bool{}
	v.timings.started = time.Now()
	reqSeq, b := int(v.putSeq.Load()), v.builder
	page := v.c.do(func(s *store.Store) tea.Msg {
		page, err := s.CustomerListPage(nil, firstPageSize)
		return listPageMsg{gen: gen, first: true, reqSeq: reqSeq, entries: summaryEntries(&page, b, 0), next: page.Next, err: err}
	})
	count := v.c.do(func(s *store.Store) tea.Msg {
		n, err := s.ListCount()
		if err != nil {
			return nil // the footer does without
		}
		return countMsg{gen: gen, n: n}
	})
	return tea.Batch(page, count)
}

// readList reads the rest of the list after the first page: one goroutine
// reads page after page (each its own short open), makes each into entries
// and adds it to the index, while the update loop merges the one before;
// the pages come back one message at a time (nextPage). A reload stops it.
func (v *customersView) readList(after store.ListCursor) tea.Cmd {
	gen, b, total, seq := v.loadGen, v.builder, v.total, &v.putSeq
	pages, stop := make(chan listPageMsg, 2), make(chan struct{})
	v.pages, v.stopList = pages, stop
	return v.c.do(func(s *store.Store) tea.Msg {
		go func() {
			defer close(pages)
			for after != nil {
				reqSeq := int(seq.Load())
				page, err := s.CustomerListPage(after, listPageSize)
				msg := listPageMsg{gen: gen, reqSeq: reqSeq, next: page.Next, err: err}
				if err == nil {
					msg.entries = summaryEntries(&page, b, total)
				}
				select {
				case pages <- msg:
				case <-stop:
					return
				}
				if err != nil || len(page.Summaries) == 0 {
					return
				}
				after = page.Next
			}
		}()
		return nextPage(pages)()
	})
}

// nextPage waits for the list reader's next page.
func nextPage(pages <-chan listPageMsg) tea.Cmd {
	return func() tea.Msg {
		if msg, ok := <-pages; ok {
			return msg
		}
		return nil
	}
}

// summaryEntries makes a page of summaries into entries, in one slice,
// and adds them to the search index being built (total, when known, sizes
// it once).
func summaryEntries(page *store.ListPage, b *indexBuilder, total int) []entry {
	out := make([]entry, len(page.Summaries))
	docs := make([]searchDoc, len(out))
	for i := range out {
		out[i] = entry{c: listOfSummary(&page.Summaries[i]), sortName: page.SortNames[i]}
		docs[i] = entryDoc(&out[i])
		b.entries = append(b.entries, &out[i])
	}
	b.grow(total)
	b.add(docs)
	return out
}

func (v *customersView) loadFailed(err error) tea.Cmd {
	v.loading, v.listing = false, false
	v.loadErr = err.Error()
	return sayError(err)
}

// fresher reports whether the entry for id was put (or removed) after a
// page asked for at reqSeq, so the page's copy is older.
func (v *customersView) fresher(id model.ID, reqSeq int) bool {
	if v.gone[id] {
		return true
	}
	e := v.byID[id]
	return e != nil && e.seq > reqSeq
}

func (v *customersView) gotListPage(msg listPageMsg) tea.Cmd {
	if msg.gen != v.loadGen {
		return nil // a reload started since
	}
	if msg.err != nil {
		return v.loadFailed(msg.err)
	}
	if msg.first {
		// Customers put since the page was asked for (a change read
		// meanwhile) are newer than the page: they stay.
		var kept []*entry
		for _, e := range v.byID {
			if e.seq > msg.reqSeq {
				kept = append(kept, e)
			}
		}
		v.byID = make(map[model.ID]*entry, max(v.total, len(msg.entries)))
		v.ids = v.ids[:0]
		v.base = nil
		v.active, v.archived, v.lost = 0, 0, 0
		v.loaded = true
		v.rows = v.rows[:0]
		for _, e := range kept {
			v.byID[e.c.ID] = e
			v.tally(&e.c, 1)
			v.ids = append(v.ids, e.c.ID)
		}
		slices.Sort(v.ids)
	} else if len(v.byID) < v.total/4 {
		// The count came after the first page: size the map once now.
		m := make(map[model.ID]*entry, v.total)
		for id, e := range v.byID {
			m[id] = e
		}
		v.byID = m
	}
	// Entries first, then the id list merged once per page: pages come
	// in name order, not id order.
	added := make([]model.ID, 0, len(msg.entries))
	var shown []*entry
	for i := range msg.entries {
		e := &msg.entries[i]
		id := e.c.ID
		if v.byID[id] != nil || v.fresher(id, msg.reqSeq) {
			continue
		}
		v.byID[id] = e
		v.tally(&e.c, 1)
		added = append(added, id)
		if v.filter.passes(&e.c) {
			shown = append(shown, e)
		}
	}
	slices.Sort(added)
	v.ids = mergeIDs(v.ids, added)
	v.dataGen++
	switch {
	case msg.first:
		v.rebuild()
		v.timings.firstPage = time.Now()
	case v.baseOf != (baseKey{v.sort, v.filter}) || v.base == nil:
		v.rebuild()
	default:
		// Merge the page in: in name order it goes at the end.
		order := v.order()
		if v.sort != byName {
			slices.SortFunc(shown, order)
		}
		if n := len(v.base); len(shown) > 0 && (n == 0 || order(v.base[n-1], shown[0]) < 0) {
			v.base = append(v.base, shown...)
		} else {
			v.base = mergeRows(v.base, shown, order)
		}
		v.showRows()
	}
	if msg.next != nil && len(msg.entries) > 0 {
		if msg.first {
			return v.readList(msg.next)
		}
		return nextPage(v.pages)
	}
	// The whole list is in: finish the search index (gotIndex ends the
	// load, and the tabs that read every record start then, so they do not
	// share the second core with it).
	v.listing = false
	v.timings.listed, v.timings.listedRSS = time.Now(), rss()
	return v.finishIndex()
}

// finishIndex finishes the index built while the list loaded, in a tea.Cmd.
func (v *customersView) finishIndex() tea.Cmd {
	b, gen := v.builder, v.loadGen
	v.builder, v.indexing = nil, true
	return func() tea.Msg {
		entries := placeEntries(b.entries)
		idx := b.finish(entryFields(entries))
		pos := make(map[model.ID]int32, len(entries))
		for i, id := range idx.ids {
			pos[id] = int32(i)
		}
		return indexMsg{gen: gen, index: idx, entries: entries, pos: pos}
	}
}

// mergeIDs merges sorted b into sorted a.
func mergeIDs(a, b []model.ID) []model.ID {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 || a[len(a)-1] < b[0] {
		return append(a, b...)
	}
	out := make([]model.ID, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i] < b[j] {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// buildIndex builds the search index in a tea.Cmd from a snapshot of the
// entries, in the list's name order.
func (v *customersView) buildIndex() tea.Cmd {
	if v.indexing {
		return nil
	}
	v.indexing = true
	v.nextDirty = map[model.ID]bool{} // changes from here on are searched one by one
	snapshot := make([]*entry, 0, len(v.byID))
	for _, id := range v.ids {
		snapshot = append(snapshot, v.byID[id])
	}
	gen := v.loadGen
	return func() tea.Msg {
		slices.SortFunc(snapshot, func(a, b *entry) int {
			return cmp.Or(strings.Compare(a.sortName, b.sortName), cmp.Compare(a.c.ID, b.c.ID))
		})
		b := newIndexBuilder(len(snapshot))
		pos := make(map[model.ID]int32, len(snapshot))
		var docs [1]searchDoc
		for i, e := range snapshot {
			docs[0] = entryDoc(e)
			b.add(docs[:])
			pos[e.c.ID] = int32(i)
		}
		entries := placeEntries(snapshot)
		return indexMsg{gen: gen, index: b.finish(entryFields(entries)), entries: entries, pos: pos}
	}
}

// placeEntries are entries by their place in an index, for the index to
// read their text and the view to put a customer's newer entry in (the
// same text, or they are searched one by one: dirty).
func placeEntries(entries []*entry) []atomic.Pointer[entry] {
	out := make([]atomic.Pointer[entry], len(entries))
	for i, e := range entries {
		out[i].Store(e)
	}
	return out
}

// entryFields reads the search's fields of the entries, by place.
func entryFields(entries []atomic.Pointer[entry]) func(p, f int) string {
	return func(p, f int) string {
		e := entries[p].Load()
		if e == nil {
			return "" // removed since: left out of the hits (gone)
		}
		c := &e.c
		switch f {
		case inName:
			return c.Name
		case inPhone:
			return c.Phone
		case inEmail:
			return c.Email
		case inTags:
			return strings.Join(c.Tags, ", ")
		}
		return notesField(c.Preferences, c.Notes)
	}
}

func entryDoc(e *entry) searchDoc {
	c := &e.c
	d := docOf(c.ID, c.Name, c.Phone, c.Email, c.Tags, c.Preferences, c.Notes)
	d.status = c.Status
	return d
}

func (v *customersView) gotIndex(msg indexMsg) tea.Cmd {
	if msg.gen != v.loadGen {
		return nil
	}
	// Changes read meanwhile replaced some of the snapshot's entries.
	for i := range msg.entries {
		e := msg.entries[i].Load()
		if e == nil {
			continue // removed while loading: gone from the search too (dirty)
		}
		if cur := v.byID[e.c.ID]; cur != e {
			msg.entries[i].Store(cur)
		}
	}
	v.index, v.indexed, v.indexPos, v.indexing = msg.index, msg.entries, msg.pos, false
	v.dirty, v.nextDirty = v.nextDirty, nil
	var cmds []tea.Cmd
	if v.timings.indexed.IsZero() {
		v.timings.indexed, v.timings.indexedRSS, v.timings.indexedPeak = time.Now(), rss(), peakRSS()
	}
	if v.loading {
		// The load's first index: the list is whole and searchable.
		v.loading, v.gone = false, nil
		v.dataGen++
		if v.counted != nil {
			v.counted(len(v.byID))
		}
	}
	if v.query != "" {
		cmds = append(cmds, v.runSearch())
	}
	return tea.Batch(cmds...)
}

// changedData notes that a customer changed: views that work from every
// customer see dataGen move, and the search looks at them one by one until
// the index is built again.
func (v *customersView) changedData(id model.ID) {
	v.dataGen++
	if v.dirty != nil {
		v.dirty[id] = true
	}
	if v.nextDirty != nil {
		v.nextDirty[id] = true // an index being built from an older snapshot
	}
}

// ---- search ----

type searchDoneMsg struct {
	gen   int
	hits  []searchHit
	index *customerSearch // the index the hits' places are in
	stale bool            // a newer search started: these hits are partial
}

// runSearch searches in a tea.Cmd, so typing never waits for a large list;
// a newer keystroke makes an older search stop early. Until the index is
// built (the first half second of a large file) the search waits for it.
func (v *customersView) runSearch() tea.Cmd {
	v.searchGen++
	gen, q := v.searchGen, v.query
	if v.index == nil {
		return nil // gotIndex runs it
	}
	var rebuild tea.Cmd
	if len(v.dirty) > indexStale {
		rebuild = v.buildIndex()
	}
	idx, latest := v.index, v.latest
	var extra []searchDoc
	var gone map[model.ID]bool
	if len(v.dirty) > 0 {
		gone = make(map[model.ID]bool, len(v.dirty))
		for id := range v.dirty {
			gone[id] = true
			if e := v.byID[id]; e != nil {
				extra = append(extra, entryDoc(e))
			}
		}
	}
	latest.Store(int64(gen))
	return tea.Batch(rebuild, func() tea.Msg {
		hits, done := idx.find(q, extra, gone, func() bool { return latest.Load() != int64(gen) })
		return searchDoneMsg{gen: gen, hits: hits, index: idx, stale: !done}
	})
}

func (v *customersView) setHits(hits []searchHit, from *customerSearch) {
	if hits == nil {
		hits = []searchHit{} // searched, found nothing
	}
	v.hits, v.hitsFrom = hits, from
	// The best match is what the owner is looking for.
	if len(hits) > 0 {
		v.selectedID, v.cursor = hits[0].id, 0
	}
	v.showRows()
	if v.timings.firstSearch.IsZero() {
		v.timings.firstSearch = time.Now()
	}
}

// rowsFromHits makes the rows from the search's hits, best first, keeping
// those the filter shows. A hit from the current index finds its entry and
// status by its place, without a trip to the entry (a short query can
// match most of 100,000 customers).
func (v *customersView) rowsFromHits() {
	rows := make([]*entry, 0, len(v.hits))
	rowHits := make([]*searchHit, 0, len(v.hits))
	byPlace := v.hitsFrom != nil && v.hitsFrom == v.index
	for i := range v.hits {
		h := &v.hits[i]
		var e *entry
		var st model.Status
		if byPlace && h.pos >= 0 {
			e, st = v.indexed[h.pos].Load(), v.index.statusAt(int(h.pos))
		} else if e = v.byID[h.id]; e != nil {
			st = e.c.Status
		}
		if e == nil || v.filter.tag != "" && !e.c.HasTag(v.filter.tag) {
			continue
		}
		if v.filter.passesStatus(st) {
			rows = append(rows, e)
			rowHits = append(rowHits, h)
		} else {
			v.elsewhere++
		}
	}
	v.rows, v.rowHits = rows, rowHits
}

// passesStatus is the status half of passes.
func (f listFilter) passesStatus(st model.Status) bool {
	switch f.status {
	case "":
		return st == "" || st == model.StatusActive
	case statusAll:
		return true
	}
	return st == f.status
}

// editWhenRead opens the edit form once the customer's whole record is
// read: a list entry may hold only the summary.
func (v *customersView) editWhenRead(id model.ID) tea.Cmd {
	return v.c.do(func(s *store.Store) tea.Msg {
		c, err := s.Customer(id)
		return editReadMsg{c: c, err: err}
	})
}

func (v *customersView) gotEditRead(msg editReadMsg) tea.Cmd {
	if msg.err != nil {
		return sayError(msg.err)
	}
	if v.screen != screenList || v.dialog != nil {
		return nil // the owner moved on
	}
	return v.openForm(msg.c, false, screenList)
}

// loadTimings are the moments the Customers tab reached while loading, for
// `patron --timings`.
type loadTimings struct {
	started, firstPage, listed, indexed, firstSearch time.Time
	listedRSS, indexedRSS                            uint64 // resident memory then
	indexedPeak                                      uint64 // the most resident memory up to search ready
}
