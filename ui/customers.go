package ui

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync/atomic"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// pageSize is the most customers a refresh reads in one short open.
const pageSize = 2000

// sortOrder is how the list is ordered; s cycles through them.
type sortOrder int

const (
	byName sortOrder = iota
	byLastVisit
	bySpend
	byVisits
	sortOrders
)

var sortNames = [sortOrders]string{"name", "last visit", "spend", "visits"}

// statusAll in a filter shows active, archived and lost customers alike.
const statusAll model.Status = "all"

// listFilter narrows the list by status and tag; the zero value shows the
// active customers with any tag.
type listFilter struct {
	status model.Status // "" for active
	tag    string
}

func (f listFilter) String() string {
	var parts []string
	switch f.status {
	case model.StatusArchived:
		parts = append(parts, "archived")
	case model.StatusLost:
		parts = append(parts, "lost")
	case statusAll:
		parts = append(parts, "everyone")
	}
	if f.tag != "" {
		parts = append(parts, "tag "+clean(f.tag))
	}
	return strings.Join(parts, ", ")
}

func (f listFilter) passes(c *listCustomer) bool {
	switch f.status {
	case "":
		if !c.Active() {
			return false
		}
	case statusAll:
	default:
		if c.Status != f.status {
			return false
		}
	}
	return f.tag == "" || c.HasTag(f.tag)
}

// screen is what the Customers tab is showing.
type screen int

const (
	screenList screen = iota
	screenDetail
	screenHistory
	screenForm
)

// customersView is the Customers tab: the list, a customer's detail and
// history, and the add/edit form, with their dialogs.
type customersView struct {
	c    *common
	w, h int

	keys  listKeys
	skeys searchKeys
	dkeys detailKeys
	bkeys backKeys
	fkeys formKeys

	// Loaded customers, by id and in id order.
	byID map[model.ID]*entry
	ids  []model.ID

	loadGen int
	loading bool // until the whole list is read and searchable (customers_load.go)
	listing bool // until the whole list is read
	total   int  // how many the file held when loading began
	loaded  bool // the first page has arrived
	loadErr string
	putSeq  atomic.Int64      // counts puts by refreshes and saves (read by the list's reader)
	gone    map[model.ID]bool // removed while loading
	timings loadTimings

	// The list as shown.
	rows       []*entry
	base       []*entry // the list without a search, sorted and filtered
	baseOf     baseKey  // the sort and filter base is in
	cursor     int
	offset     int
	selectedID model.ID
	sort       sortOrder
	filter     listFilter

	// Search.
	searching bool // the search field has the keyboard
	input     textinput.Model
	query     string
	searchGen int
	hits      []searchHit             // the last search's answer, best first; nil while none
	rowHits   []*searchHit            // beside rows while a search shows: what each row matched
	index     *customerSearch         // nil until the whole list is read
	indexed   []atomic.Pointer[entry] // the current entry at each place of the index (it reads their text)
	indexPos  map[model.ID]int32
	indexing  bool              // an index is being built
	builder   *indexBuilder     // the index growing while the list loads
	pages     chan listPageMsg  // the list reader's pages (customers_load.go)
	stopList  chan struct{}     // closed to stop the list reader
	dirty     map[model.ID]bool // changed since the index was built
	nextDirty map[model.ID]bool // changed since the snapshot of an index being built
	hitsFrom  *customerSearch   // the index the hits came from
	latest    *atomic.Int64     // the newest search, so older ones stop early
	elsewhere int               // matches hidden by the status filter

	// dataGen counts changes to the loaded customers, so a search index
	// built from an older snapshot is not kept.
	dataGen                int
	active, archived, lost int

	screen  screen
	detail  detailState
	history historyState
	form    *customerForm
	dialog  dialog

	// marks are the customers marked with space, for a merge (merge.go).
	marks map[model.ID]bool

	// reminders is the Reminders tab's latest evaluation, for the list's
	// next-reminder column and the detail; nil shows none.
	reminders *reminderIndex
	// ladder is the Loyalty tab's latest lists, for the list's rung
	// column; nil shows none yet.
	ladder *loyaltyLists
	// counted is Options.Counted.
	counted func(customers int)
}

func newCustomersView(c *common) *customersView {
	v := &customersView{
		c: c, byID: map[model.ID]*entry{}, latest: new(atomic.Int64),
		keys: newListKeys(), skeys: newSearchKeys(), dkeys: newDetailKeys(), bkeys: newBackKeys(), fkeys: newFormKeys(),
	}
	v.input = textinput.New()
	v.input.Prompt = "/ "
	v.input.Placeholder = "name, phone, email, tag or note"
	v.input.CharLimit = 200
	return v
}

// Title names the tab.
func (v *customersView) Title() string { return "Customers" }

// Capturing reports whether a field or a dialog has the keyboard.
func (v *customersView) Capturing() bool {
	return v.dialog != nil || v.searching || v.screen == screenForm
}

// Guard says what quitting now would throw away.
func (v *customersView) Guard() string {
	if g, ok := v.dialog.(guarder); ok && g.Guard() != "" {
		return g.Guard()
	}
	if v.screen == screenForm && v.form != nil && v.form.f.dirty() {
		return v.form.discardQuestion() + " and quit?"
	}
	return ""
}

// Status is the footer's count: "12 customers · 3 shown".
func (v *customersView) Status() string {
	if !v.loaded {
		if v.loadErr != "" {
			return "customers not loaded"
		}
		return "loading customers…"
	}
	n := len(v.byID)
	s := plural(v.active, "customer", "customers")
	if v.archived > 0 {
		s += " · " + thousands(v.archived) + " archived"
	}
	if v.lost > 0 {
		s += " · " + thousands(v.lost) + " lost"
	}
	if v.listing && v.total > n {
		s = fmt.Sprintf("loading %s of %s customers…", thousands(n), thousands(v.total))
	}
	if v.query != "" || v.filter != (listFilter{}) {
		s += " · " + thousands(len(v.rows)) + " shown"
	}
	return s + v.markStatus()
}

func (v *customersView) SetSize(w, h int) {
	v.w, v.h = w, h
	v.input.SetWidth(max(4, w-4))
	if v.form != nil {
		v.form.f.setSize(w, h-2)
	}
	v.clampScroll()
}

// Update routes a message: results of store calls, then keys in the order
// dialog, then whatever the screen shows.
func (v *customersView) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case flowMsg:
		return v, v.flowResult(msg) // the import and merge screens' results
	case reloadMsg:
		return v, v.startLoad()
	case listPageMsg:
		return v, v.gotListPage(msg)
	case countMsg:
		if msg.gen == v.loadGen {
			v.total = msg.n
		}
		return v, nil
	case indexMsg:
		return v, v.gotIndex(msg)
	case editReadMsg:
		return v, v.gotEditRead(msg)
	case changesMsg:
		return v, v.refresh(msg.changes)
	case refreshedMsg:
		return v, v.gotRefresh(msg)
	case searchDoneMsg:
		if msg.gen == v.searchGen && !msg.stale {
			v.setHits(msg.hits, msg.index)
		}
		return v, nil
	case detailLoadedMsg:
		v.gotDetail(msg)
		return v, nil
	case historyLoadedMsg:
		v.gotHistory(msg)
		return v, nil
	case customerSavedMsg:
		return v, v.gotSaved(msg)
	case duplicateMsg:
		v.askDuplicate(msg)
		return v, nil
	case statusSetMsg:
		return v, v.gotStatusSet(msg)
	case deletedMsg:
		return v, v.gotDeleted(msg)
	case openCustomerMsg:
		return v, v.openDetail(msg.id, screenList)
	case closeFormMsg:
		v.closeForm()
		return v, nil
	case logMsg:
		return v, v.gotLogMsg(msg)
	case filterChosenMsg:
		v.filter = msg.filter
		v.rebuild()
		return v, sayInfo(v.filterSentence())
	case tea.KeyPressMsg:
		return v, v.handleKey(msg)
	case tea.PasteMsg:
		return v, v.handlePaste(msg)
	case tea.MouseClickMsg, tea.MouseWheelMsg:
		v.handleMouse(msg.(tea.MouseMsg))
		return v, nil
	}
	return v, nil
}

func (v *customersView) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if v.dialog != nil {
		return keyToDialog(&v.dialog, msg)
	}
	switch v.screen {
	case screenForm:
		return v.formKey(msg)
	case screenDetail:
		return v.detailKey(msg)
	case screenHistory:
		return v.historyKey(msg)
	}
	if v.searching {
		return v.searchKey(msg)
	}
	return v.listKey(msg)
}

func (v *customersView) handlePaste(msg tea.PasteMsg) tea.Cmd {
	switch {
	case v.dialog != nil:
		_, cmd := v.dialog.update(msg)
		return cmd
	case v.screen == screenForm:
		return v.form.f.update(msg)
	case v.searching:
		var cmd tea.Cmd
		v.input, cmd = v.input.Update(msg)
		return tea.Batch(cmd, v.searchChanged())
	}
	return nil
}

func (v *customersView) handleMouse(msg tea.MouseMsg) {
	if v.dialog != nil || v.screen != screenList {
		return
	}
	by, row := listMouse(msg, v.listTop(), v.offset, len(v.rows))
	if by != 0 {
		v.move(by)
	}
	if row >= 0 {
		v.cursor = row
		v.selectedID = v.rows[row].c.ID
	}
}

// ---- following the change feed ----

type refreshedMsg struct {
	ids  []model.ID
	list []model.Customer
	err  error
}

// refresh re-reads just the customers the changes touched.
func (v *customersView) refresh(changes []store.Change) tea.Cmd {
	seen := map[model.ID]bool{}
	var ids []model.ID
	for _, ch := range changes {
		if ch.Import {
			return v.startLoad() // a whole file came in: read the list again, page by page
		}
		for _, id := range ch.CustomerIDs() {
			if seen[id] {
				continue
			}
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	if len(ids) > pageSize {
		return v.startLoad() // an undone import, say: too many to read in one short open
	}
	return v.c.do(func(s *store.Store) tea.Msg {
		list, err := s.CustomersByID(ids)
		return refreshedMsg{ids: ids, list: list, err: err}
	})
}

func (v *customersView) gotRefresh(msg refreshedMsg) tea.Cmd {
	if msg.err != nil {
		return sayError(msg.err)
	}
	found := map[model.ID]bool{}
	for _, c := range msg.list {
		found[c.ID] = true
		v.put(c)
	}
	var cmds []tea.Cmd
	for _, id := range msg.ids {
		if !found[id] {
			v.remove(id)
		}
		if v.screen == screenDetail && v.detail.id == id {
			if found[id] {
				cmds = append(cmds, v.loadDetail(id))
			} else {
				v.screen = screenList
				cmds = append(cmds, sayInfo("That customer was deleted in another window."))
			}
		}
		if v.screen == screenHistory && v.history.id == id && found[id] {
			cmds = append(cmds, v.loadHistory(id))
		}
	}
	v.patch(msg.ids, false)
	if v.query != "" {
		cmds = append(cmds, v.runSearch())
	}
	return tea.Batch(cmds...)
}

// put keeps a customer read from the file. Entries are never changed
// once made (a change makes a new one), so a search may read them from a
// tea.Cmd while the list moves on.
func (v *customersView) put(c model.Customer) {
	if old, ok := v.byID[c.ID]; ok {
		v.tally(&old.c, -1)
	} else if n := len(v.ids); n == 0 || v.ids[n-1] < c.ID {
		v.ids = append(v.ids, c.ID) // the usual case: pages come in id order
	} else {
		i, _ := slices.BinarySearch(v.ids, c.ID)
		v.ids = slices.Insert(v.ids, i, c.ID)
	}
	e := newEntry(c)
	e.seq = int(v.putSeq.Add(1))
	v.byID[c.ID] = e
	v.tally(&e.c, 1)
	if v.detail.id == c.ID {
		v.detail.c = c
	}
	v.changedData(c.ID)
}

func (v *customersView) remove(id model.ID) {
	old, ok := v.byID[id]
	if !ok {
		return
	}
	v.tally(&old.c, -1)
	delete(v.byID, id)
	if i, ok := slices.BinarySearch(v.ids, id); ok {
		v.ids = slices.Delete(v.ids, i, i+1)
	}
	if v.gone != nil {
		v.gone[id] = true // a page read before must not bring them back
	}
	v.changedData(id)
}

// tally keeps the footer's counts as customers come and go.
func (v *customersView) tally(c *listCustomer, d int) {
	switch {
	case c.Active():
		v.active += d
	case c.Status == model.StatusArchived:
		v.archived += d
	default:
		v.lost += d
	}
}

// ---- the list ----

// rebuild recomputes the rows shown from the filter, the search and the
// sort, keeping the selection on the same customer. The list without a
// search (base) is sorted again only when the sort or the filter changed:
// clearing a search at 100,000 customers must not sort them all.
func (v *customersView) rebuild() {
	if v.baseOf != (baseKey{v.sort, v.filter}) || v.base == nil {
		base := make([]*entry, 0, len(v.ids))
		for _, id := range v.ids {
			if e := v.byID[id]; v.filter.passes(&e.c) {
				base = append(base, e)
			}
		}
		slices.SortFunc(base, v.order())
		v.base, v.baseOf = base, baseKey{v.sort, v.filter}
	}
	v.showRows()
}

// baseKey is what the list without a search was sorted and filtered by.
type baseKey struct {
	sort   sortOrder
	filter listFilter
}

// showRows sets the rows from the list without a search, or from the
// search's hits, keeping the selection on the same customer.
func (v *customersView) showRows() {
	v.elsewhere = 0
	switch {
	case v.query == "":
		v.rows, v.rowHits = v.base, nil
	case v.hits != nil:
		v.rowsFromHits()
	default:
		// A search is on its way: keep showing the last rows until it lands.
		var rows []*entry
		var rowHits []*searchHit
		for i, r := range v.rows {
			if e := v.byID[r.c.ID]; e != nil {
				rows = append(rows, e)
				if i < len(v.rowHits) {
					rowHits = append(rowHits, v.rowHits[i])
				}
			}
		}
		v.rows, v.rowHits = rows, rowHits
		if len(v.rowHits) != len(v.rows) {
			v.rowHits = nil
		}
	}
	v.restoreCursor()
}

// patch updates the rows for a few changed customers (or a loaded chunk)
// without sorting everything again: the changed ones are taken out, then
// merged back in order. fresh says none of them was in the list before (a
// loaded chunk), which saves a pass over every row.
func (v *customersView) patch(changed []model.ID, fresh bool) {
	if v.baseOf != (baseKey{v.sort, v.filter}) || v.base == nil {
		v.rebuild()
		return
	}
	set := make(map[model.ID]bool, len(changed))
	for _, id := range changed {
		set[id] = true
	}
	kept := v.base
	if !fresh {
		kept = make([]*entry, 0, len(v.base)+len(changed))
		for _, e := range v.base {
			if !set[e.c.ID] {
				kept = append(kept, e)
			}
		}
	}
	var add []*entry
	for id := range set {
		if e := v.byID[id]; e != nil && v.filter.passes(&e.c) {
			add = append(add, e)
		}
	}
	order := v.order()
	slices.SortFunc(add, order)
	v.base = mergeRows(kept, add, order)
	v.showRows() // a search's order comes from its hits, not from a sort
}

// mergeRows merges b into a, both sorted by order. b is usually small
// (a few changed customers, a loaded chunk) and a large, so each of b's
// places is found by binary search and a is copied in runs.
func mergeRows(a, b []*entry, order func(x, y *entry) int) []*entry {
	if len(b) == 0 {
		return a
	}
	out := make([]*entry, 0, len(a)+len(b))
	i := 0
	for _, e := range b {
		at, _ := slices.BinarySearchFunc(a[i:], e, order)
		out = append(out, a[i:i+at]...)
		out = append(out, e)
		i += at
	}
	return append(out, a[i:]...)
}

// restoreCursor keeps the selection on the same customer after the rows change.
func (v *customersView) restoreCursor() {
	v.cursor = min(v.cursor, max(0, len(v.rows)-1))
	if len(v.rowHits) == len(v.rows) && v.rowHits != nil {
		// The hits sit side by side: no trip to each customer's entry.
		for i, h := range v.rowHits {
			if h.id == v.selectedID {
				v.cursor = i
				break
			}
		}
	} else {
		for i, e := range v.rows {
			if e.c.ID == v.selectedID {
				v.cursor = i
				break
			}
		}
	}
	if len(v.rows) > 0 {
		v.selectedID = v.rows[v.cursor].c.ID
	}
	v.clampScroll()
}

// order is the list's sort as a comparison.
func (v *customersView) order() func(a, b *entry) int {
	byName := func(a, b *entry) int {
		if c := strings.Compare(a.sortName, b.sortName); c != 0 {
			return c
		}
		return cmp.Compare(a.c.ID, b.c.ID)
	}
	var f func(a, b *entry) int
	switch v.sort {
	case byLastVisit: // newest first, never-visited last
		f = func(a, b *entry) int {
			if c := cmp.Compare(b.c.Stats.lastVisit, a.c.Stats.lastVisit); c != 0 {
				return c
			}
			return byName(a, b)
		}
	case bySpend:
		f = func(a, b *entry) int {
			if c := cmp.Compare(b.c.Stats.Spend, a.c.Stats.Spend); c != 0 {
				return c
			}
			return byName(a, b)
		}
	case byVisits:
		f = func(a, b *entry) int {
			if c := cmp.Compare(b.c.Stats.Visits, a.c.Stats.Visits); c != 0 {
				return c
			}
			return byName(a, b)
		}
	default:
		f = byName
	}
	return f
}

func (v *customersView) selected() *entry {
	if v.cursor < 0 || v.cursor >= len(v.rows) {
		return nil
	}
	return v.rows[v.cursor]
}

// listRows is how many customer rows fit under the title and column heads.
func (v *customersView) listRows() int { return max(1, v.h-v.listTop()) }

// listTop is the line the first customer row is drawn on.
func (v *customersView) listTop() int {
	top := 2 // title, column heads
	if v.searching || v.query != "" {
		top++
	}
	return top
}

func (v *customersView) move(by int) {
	if len(v.rows) == 0 {
		return
	}
	v.cursor = max(0, min(len(v.rows)-1, v.cursor+by))
	v.selectedID = v.rows[v.cursor].c.ID
	v.clampScroll()
}

func (v *customersView) clampScroll() {
	n := v.listRows()
	if v.cursor < v.offset {
		v.offset = v.cursor
	}
	if v.cursor >= v.offset+n {
		v.offset = v.cursor - n + 1
	}
	v.offset = max(0, min(v.offset, len(v.rows)-n))
}

func (v *customersView) listKey(msg tea.KeyPressMsg) tea.Cmd {
	k := v.keys
	if by, ok := k.step(msg, len(v.rows), v.listRows()); ok {
		v.move(by)
		return nil
	}
	switch {
	case key.Matches(msg, k.Search):
		v.searching = true
		v.input.SetStyles(v.c.styles.Input)
		v.input.SetValue(v.query)
		v.input.CursorEnd()
		v.clampScroll()
		return v.input.Focus()
	case key.Matches(msg, k.ClearFilter):
		if v.query != "" {
			v.clearSearch()
			return sayInfo("Search cleared.")
		}
		if v.filter != (listFilter{}) {
			v.filter = listFilter{}
			v.rebuild()
			return sayInfo(v.filterSentence())
		}
		if v.markStatus() != "" {
			v.marks = nil
			return sayInfo("Marks cleared.")
		}
	case key.Matches(msg, k.Add):
		return v.openForm(model.Customer{}, true, screenList)
	case key.Matches(msg, k.Sort):
		v.sort = (v.sort + 1) % sortOrders
		v.rebuild()
		if v.query != "" {
			return sayInfo("Sorted by " + sortNames[v.sort] + " once the search is cleared; matches come best first.")
		}
		return sayInfo("Sorted by " + sortNames[v.sort] + ".")
	case key.Matches(msg, k.Filter):
		v.openFilterChooser()
	case key.Matches(msg, importKey()):
		return v.openImport()
	case key.Matches(msg, mergeKey()):
		return v.askMerge()
	}
	e := v.selected()
	if e == nil {
		return nil
	}
	switch {
	case key.Matches(msg, k.Open):
		return v.openDetail(e.c.ID, screenList)
	case key.Matches(msg, k.Edit):
		if !e.whole() {
			return v.editWhenRead(e.c.ID) // the list holds only a summary yet
		}
		return v.openForm(e.customer(), false, screenList)
	case key.Matches(msg, k.Archive):
		v.askArchive(e.customer())
	case key.Matches(msg, k.Delete):
		v.askDelete(e.customer())
	case key.Matches(msg, k.History):
		return v.openHistory(e.customer(), screenList)
	case key.Matches(msg, newReminderKey()):
		id := e.c.ID
		return func() tea.Msg { return newReminderMsg{customer: id} }
	case key.Matches(msg, markKey()):
		return v.toggleMark(e.c.ID)
	case key.Matches(msg, redeemKey()):
		v.askRedeem(e.customer())
	case key.Matches(msg, partnerKey()):
		v.askPartner(e.customer())
	case key.Matches(msg, k.Log):
		return v.openQuickLog(e.customer())
	}
	return nil
}

// ---- search ----

func (v *customersView) searchKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, v.skeys.Keep):
		v.searching = false
		v.input.Blur()
		if strings.TrimSpace(v.query) == "" {
			v.clearSearch()
		}
		v.clampScroll()
		return nil
	case key.Matches(msg, v.skeys.Clear):
		v.clearSearch()
		return nil
	case key.Matches(msg, v.skeys.Up):
		v.move(-1)
		return nil
	case key.Matches(msg, v.skeys.Down):
		v.move(1)
		return nil
	}
	var cmd tea.Cmd
	v.input, cmd = v.input.Update(msg)
	return tea.Batch(cmd, v.searchChanged())
}

func (v *customersView) searchChanged() tea.Cmd {
	if v.input.Value() == v.query {
		return nil
	}
	v.query = v.input.Value()
	if strings.TrimSpace(v.query) == "" {
		v.hits = nil
		v.searchGen++
		v.rebuild()
		return nil
	}
	return v.runSearch()
}

func (v *customersView) clearSearch() {
	v.searching = false
	v.input.Blur()
	v.input.SetValue("")
	v.query = ""
	v.hits = nil
	v.searchGen++
	v.rebuild()
}

// ---- filter ----

type filterChosenMsg struct{ filter listFilter }

func (v *customersView) openFilterChooser() {
	type option struct {
		label  string
		filter listFilter
	}
	cur := v.filter
	opts := []option{
		{"Active customers", listFilter{tag: cur.tag}},
		{"Archived customers", listFilter{status: model.StatusArchived, tag: cur.tag}},
		{"Lost customers", listFilter{status: model.StatusLost, tag: cur.tag}},
		{"Everyone: active, archived and lost", listFilter{status: statusAll, tag: cur.tag}},
	}
	if cur.tag != "" {
		opts = append(opts, option{"Any tag", listFilter{status: cur.status}})
	}
	counts := map[string]int{}
	names := map[string]string{}
	for _, e := range v.byID {
		for _, t := range e.c.Tags {
			lt := strings.ToLower(t)
			counts[lt]++
			if _, ok := names[lt]; !ok {
				names[lt] = t
			}
		}
	}
	tags := make([]string, 0, len(counts))
	for t := range counts {
		tags = append(tags, t)
	}
	sort.Slice(tags, func(i, j int) bool {
		if counts[tags[i]] != counts[tags[j]] {
			return counts[tags[i]] > counts[tags[j]]
		}
		return tags[i] < tags[j]
	})
	for _, t := range tags {
		opts = append(opts, option{fmt.Sprintf("Tag: %s (%d)", clean(names[t]), counts[t]), listFilter{status: cur.status, tag: names[t]}})
	}
	d := &listDialog{title: "Show which customers?"}
	for i, o := range opts {
		d.items = append(d.items, o.label)
		if o.filter == cur {
			d.cursor = i
		}
	}
	d.onPick = func(i int) tea.Cmd {
		f := opts[i].filter
		return func() tea.Msg { return filterChosenMsg{filter: f} }
	}
	v.dialog = d
}

func (v *customersView) filterSentence() string {
	if v.filter == (listFilter{}) {
		return "Showing the active customers."
	}
	return "Showing " + v.filter.String() + "; esc shows the active customers again."
}

// ---- archive, restore, delete ----

type statusSetMsg struct {
	customer model.Customer
	status   model.Status
	err      error
}

type deletedMsg struct {
	id   model.ID
	name string
	err  error
}

func (v *customersView) askArchive(c model.Customer) {
	name := clean(c.Name)
	id := c.ID
	set := func(st model.Status) tea.Cmd {
		return v.c.do(func(s *store.Store) tea.Msg {
			saved, err := s.SetStatus(id, st, "", "")
			return statusSetMsg{customer: saved, status: st, err: err}
		})
	}
	if c.Active() {
		v.dialog = confirmDialog("Archive "+name+"?",
			[]string{"They leave the list and get no reminders. f shows archived customers; u undoes this."},
			set(model.StatusArchived), "archive")
		return
	}
	v.dialog = confirmDialog("Restore "+name+" to the active customers?", nil, set(model.StatusActive), "restore")
}

func (v *customersView) gotStatusSet(msg statusSetMsg) tea.Cmd {
	if msg.err != nil {
		return sayError(msg.err)
	}
	v.put(msg.customer)
	v.patch([]model.ID{msg.customer.ID}, false)
	verb := "Archived "
	if msg.status == model.StatusActive {
		verb = "Restored "
	}
	return tea.Batch(say(verb+clean(msg.customer.Name)+"."), wrote)
}

func (v *customersView) askDelete(c model.Customer) {
	name := clean(c.Name)
	id := c.ID
	del := v.c.do(func(s *store.Store) tea.Msg {
		return deletedMsg{id: id, name: name, err: s.DeleteCustomerForGood(id)}
	})
	v.dialog = newTypedDialog(v.c.styles, "Delete "+name+" for good?",
		[]string{"This removes them, their interactions and every trace in the history. It cannot be undone; d archives instead.",
			"Type their name to confirm:"},
		c.Name, del, sayInfo("The name did not match, so nothing was deleted."))
}

func (v *customersView) gotDeleted(msg deletedMsg) tea.Cmd {
	if msg.err != nil {
		return sayError(msg.err)
	}
	v.remove(msg.id)
	if v.detail.id == msg.id && v.screen != screenList {
		v.screen = screenList
	}
	v.patch([]model.ID{msg.id}, false)
	return tea.Batch(say("Deleted "+msg.name+" for good."), wrote)
}

// ---- help ----

func (v *customersView) ShortHelp() []key.Binding {
	switch {
	case v.dialog != nil:
		return nil // a dialog writes its own keys
	case v.screen == screenForm:
		return []key.Binding{v.fkeys.Save, v.fkeys.Next, v.fkeys.Prev, v.fkeys.Cancel}
	case v.screen == screenDetail:
		return v.detailShortHelp()
	case v.screen == screenHistory:
		return []key.Binding{v.bkeys.Back, v.bkeys.Down, undoKey(), helpKey()}
	case v.searching:
		return []key.Binding{v.skeys.Keep, v.skeys.Clear, v.skeys.Down}
	}
	k := v.keys
	b := []key.Binding{k.Search, k.Open, k.Add, k.Edit, v.archiveKey(k.Archive), k.Sort, k.Filter}
	if v.selected() == nil {
		// Nothing to open, edit or archive: only what can be done.
		b = []key.Binding{k.Add, k.Search, k.Filter}
	}
	if v.query != "" {
		b = append([]key.Binding{k.ClearFilter}, b...)
	}
	if v.markStatus() != "" {
		b = append([]key.Binding{mergeKey()}, b...)
	}
	return append(b, helpKey())
}

func (v *customersView) FullHelp() [][]key.Binding {
	switch v.screen {
	case screenForm:
		return [][]key.Binding{{v.fkeys.Save, v.fkeys.Next, v.fkeys.Prev, v.fkeys.Cancel}}
	case screenDetail:
		return v.detailFullHelp()
	case screenHistory:
		return [][]key.Binding{{v.bkeys.Back, v.bkeys.Up, v.bkeys.Down}}
	}
	k := v.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.PageUp, k.PageDown},
		{k.Open, k.Search, k.ClearFilter, k.Sort, k.Filter},
		{k.Add, k.Edit, v.archiveKey(k.Archive), k.Delete, k.History, k.Log, newReminderKey()},
		{redeemKey(), partnerKey()},
		{importKey(), markKey(), mergeKey()},
	}
}

// archiveKey says "restore" when the customer at hand is archived.
func (v *customersView) archiveKey(b key.Binding) key.Binding {
	active := true
	if v.screen == screenDetail {
		active = v.detail.c.Active()
	} else if e := v.selected(); e != nil {
		active = e.c.Active()
	}
	if !active {
		b.SetHelp(b.Help().Key, "restore")
	}
	return b
}

func undoKey() key.Binding { return newGlobalKeys().Undo }

// helpKey is ? as the footer offers it, short enough for 80 columns.
func helpKey() key.Binding {
	b := newGlobalKeys().Help
	b.SetHelp("?", "more")
	return b
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}

// thousands writes 12345 as 12,345.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
