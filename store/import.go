package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store/exchange"
)

// Action is what an import does with a record that matches a customer
// already in the file (or an earlier record of the same file).
type Action string

// The choices for a matching record. Merge is the default, so importing
// the same file twice adds no one.
const (
	ActionMerge Action = "merge" // fill in what the customer lacks, add new tags and notes
	ActionSkip  Action = "skip"  // leave the customer as they are
	ActionAdd   Action = "add"   // add the record as a new customer anyway
)

// ParseAction reads --on-match.
func ParseAction(s string) (Action, error) {
	switch a := Action(strings.ToLower(strings.TrimSpace(s))); a {
	case ActionMerge, ActionSkip, ActionAdd:
		return a, nil
	case "":
		return ActionMerge, nil
	}
	return "", fmt.Errorf("%q is not a choice for matching customers; use merge (fill in what is missing), skip, or add", s)
}

// ImportMatch is a record that matches someone: a customer already in the
// file, or an earlier record of the same file (a contact listed twice).
type ImportMatch struct {
	Record        int      // index in the file's records
	Line          int      // where the record starts in the file
	Name          string   // the record's name
	Customer      model.ID // the customer it matches; 0 when it matches an earlier record
	CustomerName  string
	EarlierRecord int    // the earlier record it matches, or -1
	EarlierLine   int    // the line that record starts on
	By            string // "email", "phone" or "name"
	Action        Action // what the import will do with it
}

// ImportPreview says what an import would do, before anything is written.
type ImportPreview struct {
	Format                  exchange.Format
	Records                 int                 // customers the file holds that can be imported
	New                     int                 // of those, who match no one
	Matching                int                 // of those, who match a customer (or an earlier record)
	Matches                 []ImportMatch       // one per matching record, in file order
	Errors                  []exchange.RowError // rows that cannot be imported
	Warnings                []exchange.RowError // rows imported with a change
	Restore                 bool                // a Patron export into an empty file: ids, settings and reminder decisions come too
	Interactions, Reminders int                 // what a Patron export brings besides customers
	Add, Merge, Skip        int                 // what the import will do with the records, given the choices
}

// ImportOptions steer an import.
type ImportOptions struct {
	// OnMatch is what to do with a matching record; empty means merge.
	OnMatch Action
	// PerMatch overrides OnMatch for single records, by record index (the
	// owner's choices in the TUI).
	PerMatch map[int]Action
	// Source names the file in the change's summary ("contacts.vcf").
	Source string
}

// ImportResult says what an import did.
type ImportResult struct {
	Change                  *Change // nil when there was nothing to write
	Added, Merged, Skipped  int
	Unchanged               int // matched and merged, but had nothing new
	Interactions, Reminders int
	Restored                bool // ids, settings and decisions came from the export
}

// PreviewImport works out what Import would do with the file, reading the
// customers in short chunks and writing nothing.
func (s *Store) PreviewImport(f *exchange.File, onMatch Action) (ImportPreview, error) {
	p := ImportPreview{Format: f.Format, Records: len(f.Records), Errors: f.Errors, Warnings: f.Warnings}
	if onMatch == "" {
		onMatch = ActionMerge
	}
	var empty bool
	err := s.view(func(tx *bolt.Tx) error {
		empty = fileIsEmpty(tx)
		return nil
	})
	if err != nil {
		return p, err
	}
	for _, r := range f.Records {
		p.Interactions += len(r.Interactions)
		p.Reminders += len(r.Reminders)
	}
	if f.Format == exchange.FormatPatronJSON && empty {
		p.Restore, p.New, p.Add = true, len(f.Records), len(f.Records)
		return p, nil
	}
	all, err := s.AllCustomers(nil)
	if err != nil {
		return p, err
	}
	m := newMatcher()
	for i := range all {
		m.addExisting(&all[i])
	}
	plan := m.plan(f.Records, onMatch, nil)
	for i, pl := range plan {
		switch pl.action {
		case planNew:
			p.New++
			p.Add++
			continue
		case planAdd:
			p.Add++
		case planMerge:
			p.Merge++
		case planSkip:
			p.Skip++
		}
		p.Matching++
		mt := ImportMatch{Record: i, Line: f.Records[i].Line, Name: f.Records[i].Customer.Name, EarlierRecord: -1, By: pl.by, Action: pl.chosen}
		if pl.ref.existing != nil {
			mt.Customer, mt.CustomerName = pl.ref.existing.ID, pl.ref.existing.Name
		} else {
			mt.EarlierRecord, mt.EarlierLine = pl.ref.record, f.Records[pl.ref.record].Line
		}
		p.Matches = append(p.Matches, mt)
	}
	return p, nil
}

// Text is the preview in sentences, as the command line prints it: the
// counts, each match and what will happen to it, and every row that cannot
// be imported, with its line.
func (p ImportPreview) Text() string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("%s: %s", p.Format.Label(), plural(p.Records, "customer")+" can be imported")
	if p.Restore {
		line("  the file is empty, so this is a restore: every customer, interaction and reminder keeps its id,")
		line("  and the shop's settings and reminder decisions come too")
		line("  %s, %s, %s", plural(p.Records, "customer"), plural(p.Interactions, "interaction"), plural(p.Reminders, "reminder"))
	} else {
		line("  %d new", p.New)
		line("  %d matching someone", p.Matching)
		if p.Interactions > 0 || p.Reminders > 0 {
			line("  with %s and %s", plural(p.Interactions, "interaction"), plural(p.Reminders, "reminder"))
		}
		for _, m := range p.Matches {
			who := fmt.Sprintf("#%d %s", m.Customer, model.Sanitize(m.CustomerName))
			if m.Customer == 0 {
				who = fmt.Sprintf("the one on line %d", m.EarlierLine)
			}
			line("    line %d: %s matches %s by %s: %s", m.Line, model.Sanitize(m.Name), who, m.By, actionWords(m.Action))
		}
		line("  will add %d, merge %d, skip %d", p.Add, p.Merge, p.Skip)
	}
	if len(p.Errors) > 0 {
		line("%s cannot be imported:", plural(len(p.Errors), "row"))
		for _, e := range p.Errors {
			line("  %s", model.Sanitize(e.Error()))
		}
	}
	if len(p.Warnings) > 0 {
		line("%s to check:", plural(len(p.Warnings), "note"))
		for _, e := range p.Warnings {
			line("  %s", model.Sanitize(e.Error()))
		}
	}
	return b.String()
}

func actionWords(a Action) string {
	switch a {
	case ActionSkip:
		return "skipped"
	case ActionAdd:
		return "added anyway"
	}
	return "new details merged in"
}

// fileIsEmpty reports a file with no customers, interactions or reminders:
// a Patron export imported into it is a restore.
func fileIsEmpty(tx *bolt.Tx) bool {
	for _, b := range [][]byte{bCustomers, bInteractions, bReminders} {
		if k, _ := tx.Bucket(b).Cursor().First(); k != nil {
			return false
		}
	}
	return true
}

// matching ------------------------------------------------------------------

// ref is someone a record can match: a customer in the file, or an earlier
// record of the import (which will be a customer by then).
type ref struct {
	existing *model.Customer
	record   int
}

type planKind int

const (
	planNew   planKind = iota // matches no one: added
	planAdd                   // matches someone, added anyway
	planMerge                 // matches someone: details merged in
	planSkip                  // matches someone: left alone
)

type recordPlan struct {
	action planKind
	chosen Action
	ref    ref
	by     string
}

// matcher finds who a record matches: the same email, else the same phone
// number, else the same name when one side has neither to compare (a
// contact without details, or a customer typed in with only a name).
type matcher struct {
	email map[string]ref
	phone map[string][]phoneRef // by the number's last 7 digits
	name  map[string]nameRef
}

type nameRef struct {
	ref     ref
	contact bool // it has an email or a phone to be matched by
}

type phoneRef struct {
	digits string
	ref    ref
}

func newMatcher() *matcher {
	return &matcher{email: map[string]ref{}, phone: map[string][]phoneRef{}, name: map[string]nameRef{}}
}

// phoneKey is the significant digits of a number: without leading zeros
// (a trunk prefix), so "0912 345 678" and "+351 912 345 678" can meet.
func phoneSignificant(p string) string {
	return strings.TrimLeft(model.PhoneDigits(p), "0")
}

func nameKey(n string) string { return strings.ToLower(strings.Join(strings.Fields(n), " ")) }

// samePhone says whether two numbers are the same line: equal, or one is
// the other with a country code in front, comparing at least 7 digits.
func samePhone(a, b string) bool {
	if a == b {
		return len(a) >= 5
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	return len(a) >= 7 && len(b)-len(a) <= 4 && strings.HasSuffix(b, a)
}

func tail7(d string) string {
	if len(d) > 7 {
		return d[len(d)-7:]
	}
	return d
}

func (m *matcher) add(c *model.Customer, r ref) {
	if e := model.NormalizeEmail(c.Email); e != "" {
		if _, ok := m.email[e]; !ok {
			m.email[e] = r
		}
	}
	if d := phoneSignificant(c.Phone); len(d) >= 5 {
		m.phone[tail7(d)] = append(m.phone[tail7(d)], phoneRef{digits: d, ref: r})
	}
	if n := nameKey(c.Name); n != "" {
		if _, ok := m.name[n]; !ok {
			m.name[n] = nameRef{ref: r, contact: c.Email != "" || c.Phone != ""}
		}
	}
}

func (m *matcher) addExisting(c *model.Customer) { m.add(c, ref{existing: c, record: -1}) }

func (m *matcher) find(c *model.Customer) (ref, string, bool) {
	if e := model.NormalizeEmail(c.Email); e != "" {
		if r, ok := m.email[e]; ok {
			return r, "email", true
		}
	}
	if d := phoneSignificant(c.Phone); len(d) >= 5 {
		for _, p := range m.phone[tail7(d)] {
			if samePhone(p.digits, d) {
				return p.ref, "phone", true
			}
		}
	}
	if r, ok := m.name[nameKey(c.Name)]; ok && (!r.contact || c.Email == "" && c.Phone == "") {
		return r.ref, "name", true
	}
	return ref{}, "", false
}

// plan decides, record by record, what the import does. A record that
// matches an earlier record of the file that was merged into a customer
// matches that customer.
func (m *matcher) plan(records []exchange.Record, onMatch Action, perMatch map[int]Action) []recordPlan {
	out := make([]recordPlan, len(records))
	for i := range records {
		c := &records[i].Customer
		r, by, ok := m.find(c)
		if !ok {
			out[i] = recordPlan{action: planNew}
			m.add(c, ref{record: i})
			continue
		}
		if r.existing == nil && r.record >= 0 {
			// An earlier record: follow it to the customer it became part of.
			if prev := out[r.record]; prev.action != planNew && prev.action != planAdd {
				r = prev.ref
			}
		}
		act := onMatch
		if a, ok := perMatch[i]; ok {
			act = a
		}
		pl := recordPlan{chosen: act, ref: r, by: by}
		switch act {
		case ActionAdd:
			pl.action = planAdd
			m.add(c, ref{record: i})
		case ActionSkip:
			pl.action = planSkip
		default:
			pl.action, pl.chosen = planMerge, ActionMerge
			m.add(c, r) // its other details now lead to the same customer
		}
		out[i] = pl
	}
	return out
}

// merging a record into a customer -------------------------------------------

// mergeDetails fills in what c lacks from the record and adds its new
// tags and notes; the owner's own values are never overwritten. Values
// that differ are kept as lines in the notes. It reports whether c changed.
func mergeDetails(c *model.Customer, r model.Customer) bool {
	before, _ := json.Marshal(c)
	var lines []string
	fill := func(dst *string, v, label string) {
		v = strings.TrimSpace(v)
		switch {
		case v == "":
		case *dst == "":
			*dst = v
		case label != "" && !sameValue(label, *dst, v):
			lines = append(lines, label+": "+strings.ReplaceAll(v, "\n", ", "))
		}
	}
	fill(&c.Phone, r.Phone, "Phone")
	fill(&c.Email, r.Email, "Email")
	fill(&c.Address, r.Address, "Address")
	fill(&c.Preferences, r.Preferences, "")
	fill(&c.Channel, r.Channel, "")
	fill(&c.Source, r.Source, "")
	switch {
	case c.Birthday.IsZero():
		c.Birthday = r.Birthday
	case c.Birthday.Year == 0 && r.Birthday.Year != 0 && c.Birthday.Month == r.Birthday.Month && c.Birthday.Day == r.Birthday.Day:
		c.Birthday.Year = r.Birthday.Year
	}
	if !r.Since.IsZero() && (c.Since.IsZero() || r.Since.Before(c.Since)) {
		c.Since = r.Since
	}
	if len(c.Tags) < model.MaxTags {
		c.Tags = model.ParseTags(strings.Join(append(append([]string{}, c.Tags...), r.Tags...), ","))
		if len(c.Tags) > model.MaxTags {
			c.Tags = c.Tags[:model.MaxTags]
		}
	}
	c.NoContact = c.NoContact || r.NoContact // a wish not to be contacted is kept from either side
	c.Notes = appendNoteLines(c.Notes, append(strings.Split(r.Notes, "\n"), lines...))
	after, _ := json.Marshal(c)
	return !bytes.Equal(before, after)
}

func sameValue(label, a, b string) bool {
	switch label {
	case "Phone":
		return samePhone(phoneSignificant(a), phoneSignificant(b))
	case "Email":
		return model.NormalizeEmail(a) == model.NormalizeEmail(b)
	}
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// appendNoteLines adds the lines the notes do not hold yet, as long as the
// notes stay within their limit.
func appendNoteLines(notes string, add []string) string {
	have := map[string]bool{}
	for _, l := range strings.Split(notes, "\n") {
		have[strings.TrimSpace(l)] = true
	}
	for _, l := range add {
		l = strings.TrimSpace(l)
		if l == "" || have[l] {
			continue
		}
		next := l
		if notes != "" {
			next = notes + "\n" + l
		}
		if len([]rune(next)) > model.MaxLong {
			break
		}
		notes, have[l] = next, true
	}
	return notes
}

// applying ---------------------------------------------------------------------

// Import applies a decoded file as one transaction and one change (all or
// nothing), which `patron import --undo` or undo in the window takes back
// whole. Rows the file could not read are not imported (PreviewImport
// lists them).
//
// A Patron JSON export imported into an empty file is a restore: customers,
// interactions and reminders keep their ids, and the settings and the
// decisions on generated reminders come too, so exporting again gives the
// same JSON. Into a file that has customers, records are matched like any
// other import and get new ids; the interactions and reminders of an added
// customer come with them, a merged customer gains those it lacks, and the
// file's settings stay as they are.
func (s *Store) Import(f *exchange.File, o ImportOptions) (ImportResult, error) {
	var res ImportResult
	if o.OnMatch == "" {
		o.OnMatch = ActionMerge
	}
	for i, a := range o.PerMatch {
		if _, err := ParseAction(string(a)); err != nil || a == "" {
			return res, fmt.Errorf("record %d: %w", i, err)
		}
	}
	now := s.now()
	ch, err := s.update(func(w *wtx) error {
		res = ImportResult{}
		im := &importer{w: w, now: now, res: &res, custMap: map[model.ID]model.ID{}, added: map[model.ID]model.ID{}, interMap: map[model.ID]model.ID{}, touched: map[model.ID]bool{}}
		if f.Format == exchange.FormatPatronJSON && fileIsEmpty(w.tx) {
			if err := im.restore(f); err != nil {
				return err
			}
		} else if err := im.merge(f, o); err != nil {
			return err
		}
		if err := im.finish(); err != nil {
			return err
		}
		w.change.Import = true
		w.change.Summary = importSummary(o.Source, &res)
		if len(im.touched) == 1 {
			for id := range im.touched {
				w.change.Customer = id
			}
		}
		return nil
	})
	res.Change = ch
	return res, err
}

func importSummary(source string, r *ImportResult) string {
	var parts []string
	if r.Added > 0 {
		parts = append(parts, plural(r.Added, "customer")+" added")
	}
	if r.Merged > 0 {
		parts = append(parts, fmt.Sprintf("%d merged", r.Merged))
	}
	if r.Interactions > 0 {
		parts = append(parts, plural(r.Interactions, "interaction"))
	}
	if r.Reminders > 0 {
		parts = append(parts, plural(r.Reminders, "reminder"))
	}
	what := "Imported"
	if r.Restored {
		what = "Restored"
	}
	if source != "" {
		what += " " + source
	}
	if len(parts) == 0 {
		return what
	}
	return what + ": " + strings.Join(parts, ", ")
}

// importer carries one import's state inside its transaction.
type importer struct {
	w        *wtx
	now      time.Time
	res      *ImportResult
	loc      *time.Location
	custMap  map[model.ID]model.ID // export id -> id in this file
	added    map[model.ID]model.ID // export id -> id, for customers the import added
	interMap map[model.ID]model.ID
	touched  map[model.ID]bool // customers whose aggregates need working out again
	pending  []pendingRecord
}

type pendingRecord struct {
	rec    exchange.Record
	target model.ID // the customer it went to; 0 when skipped
	added  bool
}

// restore writes a Patron export into an empty file, keeping every id.
// Its records are written bucket by bucket in key order: bbolt grows one
// node per bucket inside a transaction and inserting out of order moves
// the node's tail every time, which makes a large restore take minutes
// instead of seconds. The records and index entries are the ones
// putCustomer and putInteraction write for a new customer and interaction.
func (im *importer) restore(f *exchange.File) error {
	w := im.w
	im.res.Restored = true
	if len(f.Settings) > 0 {
		if err := w.put(bSettings, kSettings, append([]byte{valueVersion}, f.Settings...)); err != nil {
			return err
		}
	}
	im.loc = settingsIn(w.tx).Location()
	staged := map[string][]kv{}
	stage := func(b, k, v []byte) { staged[string(b)] = append(staged[string(b)], kv{k, v}) }
	stageJSON := func(b, k []byte, v any) error {
		enc, err := encode(v)
		if err == nil {
			stage(b, k, enc)
		}
		return err
	}
	var maxC, maxI, maxR uint64
	for _, r := range f.Records {
		c := model.CleanCustomer(r.Customer)
		if c.Status == "" {
			c.Status = model.StatusActive
		}
		if err := model.ValidateCustomer(c); err != nil || c.ID == 0 {
			return fmt.Errorf("line %d: customer #%d %s: %v", r.Line, c.ID, model.Sanitize(c.Name), err)
		}
		c.Stats = model.ComputeStats(r.Interactions, im.loc)
		if err := stageJSON(bCustomers, idKey(c.ID), c); err != nil {
			return err
		}
		if k := emailKey(c.Email, c.ID); k != nil {
			stage(bEmail, k, []byte{})
		}
		if k := phoneKey(c.Phone, c.ID); k != nil {
			stage(bPhone, k, []byte{})
		}
		im.custMap[c.ID] = c.ID
		im.res.Added++
		maxC = max(maxC, uint64(c.ID))
		for _, in := range r.Interactions {
			normalizeInteraction(&in)
			k := interactionKey(in.Customer, in.At, in.ID)
			if err := stageJSON(bInteractions, k, in); err != nil {
				return err
			}
			stage(bByTime, byTimeKey(in.At, in.ID), idKey(in.Customer))
			stage(bInterIDs, idKey(in.ID), k)
			im.res.Interactions++
			maxI = max(maxI, uint64(in.ID))
		}
		for _, rem := range r.Reminders {
			stage(bReminders, idKey(rem.ID), append([]byte{valueVersion}, rem.Raw...))
			im.res.Reminders++
			maxR = max(maxR, uint64(rem.ID))
		}
	}
	for _, d := range f.Decisions {
		stage(bDecisions, []byte(d.Key), append([]byte{valueVersion}, d.Value...))
	}
	for _, b := range [][]byte{bCustomers, bEmail, bPhone, bInteractions, bByTime, bInterIDs, bReminders, bDecisions} {
		list := staged[string(b)]
		sort.Slice(list, func(i, j int) bool { return bytes.Compare(list[i].k, list[j].k) < 0 })
		for _, x := range list {
			if err := w.put(b, x.k, x.v); err != nil {
				return err
			}
		}
	}
	// New ids continue after the restored ones.
	for _, s := range []struct {
		b   []byte
		max uint64
	}{{bCustomers, maxC}, {bInteractions, maxI}, {bReminders, maxR}} {
		b := w.tx.Bucket(s.b)
		if b.Sequence() < s.max {
			if err := b.SetSequence(s.max); err != nil {
				return err
			}
		}
	}
	return nil
}

type kv struct{ k, v []byte }

// merge matches each record against the file and adds, merges or skips it.
func (im *importer) merge(f *exchange.File, o ImportOptions) error {
	w := im.w
	im.loc = settingsIn(w.tx).Location()
	m := newMatcher()
	err := w.tx.Bucket(bCustomers).ForEach(func(k, v []byte) error {
		var c model.Customer
		if err := decode(v, &c); err != nil {
			return err
		}
		m.addExisting(&c)
		return nil
	})
	if err != nil {
		return err
	}
	plan := m.plan(f.Records, o.OnMatch, o.PerMatch)
	final := make([]model.ID, len(f.Records)) // the customer each record became or went into
	for i, pl := range plan {
		rec := f.Records[i]
		c := model.CleanCustomer(rec.Customer)
		switch pl.action {
		case planNew, planAdd:
			// A file decoded elsewhere (or edited in a preview) is checked
			// again: one bad record fails the whole import, which writes nothing.
			if err := model.ValidateCustomer(c); err != nil {
				return fmt.Errorf("line %d: %s: %w", rec.Line, model.Sanitize(c.Name), err)
			}
			seq, err := w.bucket(bCustomers).NextSequence()
			if err != nil {
				return err
			}
			orig := c.ID
			c.ID = model.ID(seq)
			c.ReferredBy = 0 // linked below, once every record has its id
			c.Created, c.Updated = im.now.UTC(), im.now.UTC()
			c.Stats = model.Stats{}
			if c.Status == "" {
				c.Status = model.StatusActive
			}
			if err := putCustomer(w, nil, &c); err != nil {
				return err
			}
			final[i] = c.ID
			if orig != 0 {
				im.custMap[orig] = c.ID
				im.added[orig] = c.ID
			}
			im.touched[c.ID] = true
			im.res.Added++
			im.pending = append(im.pending, pendingRecord{rec: rec, target: c.ID, added: true})
		case planMerge, planSkip:
			target := model.ID(0)
			if pl.ref.existing != nil {
				target = pl.ref.existing.ID
			} else {
				target = final[pl.ref.record]
			}
			final[i] = target
			if rec.Customer.ID != 0 {
				im.custMap[rec.Customer.ID] = target
			}
			if pl.action == planSkip {
				im.res.Skipped++
				continue
			}
			old, err := getCustomer(w.tx, target)
			if err != nil {
				return err
			}
			nc := *old
			if mergeDetails(&nc, c) {
				nc = model.CleanCustomer(nc)
				if err := model.ValidateCustomer(nc); err != nil {
					return fmt.Errorf("line %d: merging %s into #%d %s: %w", rec.Line, c.Name, old.ID, old.Name, err)
				}
				nc.Updated = im.now.UTC()
				if err := putCustomer(w, old, &nc); err != nil {
					return err
				}
				im.res.Merged++
			} else {
				im.res.Unchanged++
			}
			im.pending = append(im.pending, pendingRecord{rec: rec, target: target})
		}
	}
	// Links between customers of the export, now that everyone has an id.
	for _, p := range im.pending {
		if !p.added || p.rec.Customer.ReferredBy == 0 {
			continue
		}
		if by, ok := im.custMap[p.rec.Customer.ReferredBy]; ok && by != p.target {
			c, err := getCustomer(w.tx, p.target)
			if err != nil {
				return err
			}
			nc := *c
			nc.ReferredBy = by
			if err := putCustomer(w, c, &nc); err != nil {
				return err
			}
		}
	}
	for _, p := range im.pending {
		if err := im.bringHistory(p); err != nil {
			return err
		}
	}
	for _, d := range f.Decisions {
		if err := im.bringDecision(d); err != nil {
			return err
		}
	}
	return nil
}

// interactionSig identifies an interaction for not adding it twice.
func interactionSig(i model.Interaction) string {
	return fmt.Sprintf("%s|%d|%d|%d|%s", i.Kind, i.At.Unix(), i.Amount, i.Points, strings.TrimSpace(i.Note))
}

// bringHistory adds a record's interactions and reminders (from a Patron
// export) to the customer it became or went into, leaving out those the
// customer already has.
func (im *importer) bringHistory(p pendingRecord) error {
	if len(p.rec.Interactions) == 0 && len(p.rec.Reminders) == 0 {
		return nil
	}
	w := im.w
	have := map[string]bool{}
	if !p.added {
		list, err := customerInteractions(w.tx, p.target)
		if err != nil {
			return err
		}
		for _, in := range list {
			have[interactionSig(in)] = true
		}
	}
	for _, in := range p.rec.Interactions {
		orig := in.ID
		in.Customer = p.target
		normalizeInteraction(&in)
		if have[interactionSig(in)] {
			continue
		}
		have[interactionSig(in)] = true
		if in.Referred != 0 {
			in.Referred = im.custMap[in.Referred] // 0 when the referred customer is not in the export
			if in.Referred == in.Customer {
				in.Referred = 0
			}
		}
		seq, err := w.bucket(bInteractions).NextSequence()
		if err != nil {
			return err
		}
		in.ID = model.ID(seq)
		im.interMap[orig] = in.ID
		if err := putInteraction(w, &in); err != nil {
			return err
		}
		im.touched[p.target] = true
		im.res.Interactions++
	}
	if len(p.rec.Reminders) == 0 {
		return nil
	}
	haveR := map[string]bool{}
	if !p.added {
		all, err := manualReminders(w.tx)
		if err != nil {
			return err
		}
		for _, r := range all {
			if r.Customer == p.target {
				haveR[reminderSig(r)] = true
			}
		}
	}
	for _, raw := range p.rec.Reminders {
		var r model.Reminder
		if err := json.Unmarshal(raw.Raw, &r); err != nil {
			return fmt.Errorf("line %d: %w", raw.Line, err)
		}
		r.Customer = p.target
		if haveR[reminderSig(r)] {
			continue
		}
		haveR[reminderSig(r)] = true
		seq, err := w.bucket(bReminders).NextSequence()
		if err != nil {
			return err
		}
		r.ID, r.Key = model.ID(seq), ""
		if err := w.putJSON(bReminders, idKey(r.ID), r); err != nil {
			return err
		}
		im.res.Reminders++
	}
	return nil
}

func reminderSig(r model.Reminder) string {
	return fmt.Sprintf("%s|%d|%s", r.Kind, r.Due.Unix(), strings.TrimSpace(r.Note))
}

// bringDecision carries a decision on a generated reminder over to an
// added customer's new id; the file's own decisions win.
func (im *importer) bringDecision(d exchange.Decision) error {
	key, ok := rekey(d.Key, im.added)
	if !ok || im.w.tx.Bucket(bDecisions).Get([]byte(key)) != nil {
		return nil
	}
	var dec model.Decision
	if err := json.Unmarshal(d.Value, &dec); err != nil {
		return nil // a decision this Patron cannot read is left out, not fatal
	}
	dec.Customer = im.custMap[dec.Customer]
	dec.Interaction = im.interMap[dec.Interaction]
	return im.w.putJSON(bDecisions, []byte(key), dec)
}

// rekey moves a generated reminder's key ("birthday:12:2026") to the
// customer's new id; ok is false for keys of customers not moved.
func rekey(key string, ids map[model.ID]model.ID) (string, bool) {
	kind, customer, _, err := model.ParseReminderKey(key)
	if err != nil || customer == 0 {
		return "", false
	}
	to, ok := ids[customer]
	if !ok {
		return "", false
	}
	parts := strings.SplitN(strings.TrimSpace(key), ":", 3)
	return model.ReminderKey(kind, to, parts[2]), true
}

// finish works out the aggregates of every customer the import touched.
func (im *importer) finish() error {
	ids := make([]model.ID, 0, len(im.touched))
	for id := range im.touched {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		c, err := getCustomer(im.w.tx, id)
		if err != nil {
			return err
		}
		list, err := customerInteractions(im.w.tx, id)
		if err != nil {
			return err
		}
		stats := model.ComputeStats(list, im.loc)
		if statsEqual(c.Stats, stats) {
			continue
		}
		c.Stats = stats
		if err := im.w.putJSON(bCustomers, idKey(id), c); err != nil {
			return err
		}
	}
	return nil
}

func statsEqual(a, b model.Stats) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// undo -------------------------------------------------------------------------

// ErrNoImport says there is no import left to undo.
var ErrNoImport = errors.New("there is no import to undo")

// UndoImport takes back the newest import that is not undone yet, from
// whichever window made it (an import from the command line is undone by
// the next command). It refuses when a record the import wrote has been
// changed since, saying by whom, so nothing anyone did after it is lost.
func (s *Store) UndoImport() (*Change, error) {
	return s.update(func(w *wtx) error {
		changes := w.tx.Bucket(bChanges)
		c := changes.Cursor()
		var target *Change
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			var x Change
			if err := decode(v, &x); err != nil {
				return err
			}
			if x.Import && x.UndoneBy == 0 {
				target = &x
				break
			}
		}
		if target == nil {
			return says(ErrNoImport, nil, "there is no import to undo")
		}
		switch {
		case target.Final, target.Purged:
			return says(ErrNothingToUndo, nil, fmt.Sprintf("%q cannot be undone any more: a customer it brought in was deleted for good since", target.Summary))
		case target.Stripped:
			return says(ErrNothingToUndo, nil, fmt.Sprintf("%q is too old to undo", target.Summary))
		}
		keys := map[string]bool{}
		for _, t := range target.Touched {
			keys[t.Bucket+"\x00"+string(t.Key)] = true
		}
		for k, v := c.Seek(u64(target.Seq + 1)); k != nil; k, v = c.Next() {
			var later Change
			if err := decode(v, &later); err != nil {
				return err
			}
			// A change undone since, and the undo of a change made after the
			// import, cancel out: the records are as the import left them.
			if later.UndoneBy != 0 || later.UndoOf > target.Seq {
				continue
			}
			for _, t := range later.Touched {
				if keys[t.Bucket+"\x00"+string(t.Key)] {
					what := "it"
					if later.Summary != "" {
						what = fmt.Sprintf("%q", lowerFirst(later.Summary))
					}
					return says(ErrConflict, nil, fmt.Sprintf("cannot undo %q: customers it brought in were changed since (%s, by %s at %s); undo that first, or change them by hand",
						target.Summary, what, later.Actor, later.At.Local().Format("2006-01-02 15:04")))
				}
			}
		}
		// Each record appears once in a change, so the order is free: the
		// back of each bucket first, which is cheapest for bbolt.
		touched := append([]Touch(nil), target.Touched...)
		sort.SliceStable(touched, func(i, j int) bool {
			if touched[i].Bucket != touched[j].Bucket {
				return touched[i].Bucket < touched[j].Bucket
			}
			return bytes.Compare(touched[i].Key, touched[j].Key) > 0
		})
		return restoreChange(w, changes, target, touched)
	})
}
