package store

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patron-crm/patron/assets"
	"github.com/patron-crm/patron/model"
)

// DemoOptions say how much sample data FillDemo makes.
type DemoOptions struct {
	// Customers to make; 0 means DefaultDemoCustomers.
	Customers int
	// Interactions in all, spread over the customers as their rhythms say.
	// Taken as given (0 makes none), except that DemoOptions{} as a whole
	// means the default demo of 150 customers and 2,000 interactions.
	Interactions int
	// Seed makes the data: the same seed, clock and settings (time zone,
	// currency, loyalty) give the same data.
	Seed int64
	// Force adds demo customers to a file that already holds customers.
	Force bool
	// Progress, when not nil, is told how many of total records (customers,
	// interactions and their log-index entries) are written so far. It is
	// called every few thousand records, first with 0 and last with total.
	Progress func(done, total int)
}

// DemoResult says what FillDemo added.
type DemoResult struct{ Customers, Interactions int }

// Sizes of the demo: the default is what a small shop sees in a few years;
// the limits keep memory and time within a modest machine's reach.
const (
	DefaultDemoCustomers    = 150
	DefaultDemoInteractions = 2000
	MaxDemoCustomers        = 2_000_000
	MaxDemoInteractions     = 20_000_000
)

const (
	// demoBatch is about how many records one write transaction holds, so
	// another window's reads wait for one batch, not for the whole fill.
	demoBatch = 100_000
	// demoLogBatch is how many log-index entries (24 bytes each) one
	// transaction writes at the end.
	demoLogBatch = 400_000
	// Keys are inserted in ascending order, so pages can be filled full, as
	// bbolt's own compaction does; the default (half) would double the file.
	demoFill = 1.0
)

var errDemoRefused = errors.New("the file already holds customers")

// FillDemo fills the file with realistic sample customers and interactions:
// deterministic for a seed and the store's clock, all in the past, with
// every index and aggregate as the ordinary calls would write them. It
// writes in a few large transactions (not one per record) and records one
// change in the feed at the end, so other windows reload. It refuses a file
// that already holds customers unless o.Force is set.
func (s *Store) FillDemo(o DemoOptions) (DemoResult, error) {
	if err := s.refuseIfReadOnly(); err != nil {
		return DemoResult{}, err
	}
	if o.Customers == 0 && o.Interactions == 0 {
		o.Interactions = DefaultDemoInteractions
	}
	if o.Customers == 0 {
		o.Customers = DefaultDemoCustomers
	}
	switch {
	case o.Customers < 0 || o.Customers > MaxDemoCustomers:
		return DemoResult{}, fmt.Errorf("the demo makes between 1 and %s customers, not %d", groupDigits(MaxDemoCustomers), o.Customers)
	case o.Interactions < 0 || o.Interactions > MaxDemoInteractions:
		return DemoResult{}, fmt.Errorf("the demo makes between 0 and %s interactions, not %d", groupDigits(MaxDemoInteractions), o.Interactions)
	}
	words, err := loadDemoWords()
	if err != nil {
		return DemoResult{}, err
	}
	N, M := o.Customers, o.Interactions

	// Reserve the ids first, so a window that adds a customer while the
	// demo is being written gets an id after the demo's.
	var baseC, baseI uint64
	var held int
	var st model.Settings
	err = s.rawUpdate(func(tx *bolt.Tx) error {
		if v, err := schemaVersion(tx); err != nil {
			return err
		} else if v > SchemaVersion {
			return fmt.Errorf("%s was replaced by a file from a newer Patron; it was not touched: %w", s.path, ErrNewerSchema)
		}
		cb := tx.Bucket(bCustomers)
		if k, _ := cb.Cursor().First(); k != nil && !o.Force {
			held = cb.Stats().KeyN
			return errDemoRefused
		}
		st = settingsIn(tx)
		baseC = max(cb.Sequence(), lastID(cb))
		ib := tx.Bucket(bInteractions)
		baseI = max(ib.Sequence(), lastID(tx.Bucket(bInterIDs)))
		if err := cb.SetSequence(baseC + uint64(N)); err != nil {
			return err
		}
		return ib.SetSequence(baseI + uint64(M))
	})
	if errors.Is(err, errDemoRefused) {
		return DemoResult{}, fmt.Errorf("%s already holds %s; pass --force to add demo customers to it",
			filepath.Base(s.path), plural(held, "customer"))
	}
	if err != nil {
		return DemoResult{}, err
	}

	now := s.now()
	g := newDemoGen(o.Seed, words, now, st, model.ID(baseC), model.ID(baseI))
	g.plan(N, M)

	total := N + 2*M
	done := 0
	next := 0
	report := func(n int) {
		done += n
		if o.Progress != nil && (done >= next || done == total) {
			o.Progress(done, total)
			next = done + 4096
		}
	}
	report(0)

	// One goroutine makes and encodes the records while this one writes
	// them, so a second core shortens the wait. The generator owns g, log
	// and the key lists until it closes the channel.
	log := make([]demoLogEntry, 0, M)
	var emailKeys, phoneKeys [][]byte
	batches := make(chan demoBatchData, 1)
	stop := make(chan struct{})
	go func() {
		defer close(batches)
		// The first batches are small: bbolt copies a transaction's new
		// records each time it enlarges its map of the file, which doubles,
		// so a small file should grow with small transactions.
		target := 4096
		for start := 0; start < N; target = min(2*target, demoBatch) {
			end, recs := start, 0
			for end < N && (end == start || recs < target) {
				recs += 1 + g.plans[end].count
				end++
			}
			b := g.batch(start, end)
			for _, c := range b.customers {
				if k := emailKey(c.Email, c.ID); k != nil {
					emailKeys = append(emailKeys, k)
				}
				if k := phoneKey(c.Phone, c.ID); k != nil {
					phoneKeys = append(phoneKeys, k)
				}
			}
			for _, in := range b.interactions {
				log = append(log, demoLogEntry{at: in.At.Unix(), id: in.ID, customer: in.Customer})
			}
			select {
			case batches <- b:
			case <-stop:
				return
			}
			start = end
		}
		// The global log and the contact indexes are written last, each in
		// key order; until then the new customers are complete but not yet
		// in the Log tab or the duplicate check.
		slices.SortFunc(log, func(a, b demoLogEntry) int {
			return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.id, b.id))
		})
		slices.SortFunc(emailKeys, bytes.Compare)
		slices.SortFunc(phoneKeys, bytes.Compare)
	}()
	written := 0
	for b := range batches {
		err := b.err
		if err == nil {
			err = s.writeDemoBatch(b, report)
		}
		if err != nil {
			close(stop)
			return DemoResult{}, demoStopped(written, err)
		}
		written += len(b.customers)
	}

	for start := 0; start < len(log) || start == 0; start += demoLogBatch {
		end := min(start+demoLogBatch, len(log))
		last := end == len(log)
		err := s.rawUpdate(func(tx *bolt.Tx) error {
			bt := tx.Bucket(bByTime)
			bt.FillPercent = demoFill
			for _, e := range log[start:end] {
				if err := bt.Put(byTimeKey(time.Unix(e.at, 0), e.id), idKey(e.customer)); err != nil {
					return err
				}
				report(1)
			}
			if !last {
				return nil
			}
			for _, idx := range []struct {
				bucket []byte
				keys   [][]byte
			}{{bEmail, emailKeys}, {bPhone, phoneKeys}} {
				b := tx.Bucket(idx.bucket)
				b.FillPercent = demoFill
				for _, k := range idx.keys {
					if err := b.Put(k, []byte{}); err != nil {
						return err
					}
				}
			}
			return s.recordDemoChange(tx, N, M)
		})
		if err != nil {
			return DemoResult{}, demoStopped(written, err)
		}
		if last {
			break
		}
	}
	if o.Progress != nil && done != total {
		o.Progress(total, total)
	}
	return DemoResult{Customers: N, Interactions: M}, nil
}

// writeDemoBatch writes one batch of customers with their timelines, in
// one transaction, each bucket's keys in ascending order.
func (s *Store) writeDemoBatch(b demoBatchData, report func(int)) error {
	return s.rawUpdate(func(tx *bolt.Tx) error {
		cb := tx.Bucket(bCustomers)
		cb.FillPercent = demoFill
		for i, c := range b.customers {
			if err := cb.Put(idKey(c.ID), b.customerValues[i]); err != nil {
				return err
			}
			report(1)
		}
		ib := tx.Bucket(bInteractions)
		ib.FillPercent = demoFill
		for i := range b.interactions {
			if err := ib.Put(b.interactionKeys[i], b.interactionValues[i]); err != nil {
				return err
			}
			report(1)
		}
		// The list entries go in with their customers: a fill stopped
		// half way leaves no customer missing from the list.
		lb := tx.Bucket(bCustomerList)
		for _, e := range b.listEntries {
			if err := lb.Put(e.k, e.v); err != nil {
				return err
			}
		}
		idb := tx.Bucket(bInterIDs)
		idb.FillPercent = demoFill
		for i := range b.interactions {
			if err := idb.Put(idKey(b.interactions[i].ID), b.interactionKeys[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// recordDemoChange writes the one change other windows see for the fill. It
// keeps no before-images (there are none worth keeping: the records are
// new) and names buckets, not keys, so the feed stays small; Import tells a
// window to reload rather than refresh record by record.
func (s *Store) recordDemoChange(tx *bolt.Tx, customers, interactions int) error {
	changes := tx.Bucket(bChanges)
	seq, err := changes.NextSequence()
	if err != nil {
		return err
	}
	now := s.now()
	ch := Change{
		Seq:     seq,
		At:      now.UTC().Truncate(time.Millisecond),
		Actor:   s.actor,
		Summary: fmt.Sprintf("Added demo data: %s, %s", plural(customers, "customer"), plural(interactions, "interaction")),
		Touched: []Touch{
			{Bucket: string(bCustomers)}, {Bucket: string(bInteractions)}, {Bucket: string(bByTime)},
			{Bucket: string(bInterIDs)}, {Bucket: string(bEmail)}, {Bucket: string(bPhone)}, {Bucket: string(bCustomerList)},
		},
		Stripped: true,
		Import:   true,
	}
	v, err := encode(&ch)
	if err != nil {
		return err
	}
	if err := changes.Put(u64(seq), v); err != nil {
		return err
	}
	return pruneBeforeImages(tx, now)
}

func demoStopped(customers int, err error) error {
	if customers == 0 {
		return fmt.Errorf("the demo data was not written: %w", err)
	}
	return fmt.Errorf("the demo stopped after writing %s (they are in the file, some not yet in the log): %w",
		plural(customers, "customer"), err)
}

// lastID is the id of a bucket's highest key, or 0 when it is empty.
func lastID(b *bolt.Bucket) uint64 {
	k, _ := b.Cursor().Last()
	return uint64(keyID(k))
}

// plural writes "1 customer", "2,000 customers".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return groupDigits(n) + " " + noun + "s"
}

// groupDigits writes 1000000 as 1,000,000.
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

type demoLogEntry struct {
	at           int64
	id, customer model.ID
}

// --- word lists ---

type demoTown struct{ name, state, zip, area string }

type demoPair struct{ a, b string }

type demoWords struct {
	first, last, streets, domains, tags, prefs, sources, businesses, custNotes []string
	purchases, returns, visits, calls, emails, messages, social, meetings      []string
	notes, referrals, resolutions, good, poor, cards                           []string
	towns                                                                      []demoTown
	areas                                                                      []string
	complaints, lost                                                           []demoPair
}

func loadDemoWords() (*demoWords, error) {
	w := &demoWords{}
	var missing []string
	list := func(name string) []string {
		l := assets.Lines("demo/" + name + ".txt")
		if len(l) == 0 {
			missing = append(missing, name)
		}
		return l
	}
	pairs := func(name string) []demoPair {
		var out []demoPair
		for _, l := range list(name) {
			a, b, ok := strings.Cut(l, "|")
			if !ok {
				missing = append(missing, name)
				return nil
			}
			out = append(out, demoPair{strings.TrimSpace(a), strings.TrimSpace(b)})
		}
		return out
	}
	w.first, w.last, w.streets = list("first_names"), list("last_names"), list("streets")
	w.domains, w.tags, w.prefs = list("email_domains"), list("tags"), list("preferences")
	w.sources, w.businesses, w.custNotes = list("sources"), list("businesses"), list("customer_notes")
	w.purchases, w.returns, w.visits = list("purchases"), list("returns"), list("notes_visit")
	w.calls, w.emails, w.messages = list("notes_call"), list("notes_email"), list("notes_message")
	w.social, w.meetings, w.notes = list("notes_social"), list("notes_meeting"), list("notes_note")
	w.referrals, w.resolutions, w.cards = list("notes_referral"), list("resolutions"), list("cards")
	w.good, w.poor = list("feedback_good"), list("feedback_poor")
	w.complaints, w.lost = pairs("complaints"), pairs("lost_notes")
	seen := map[string]bool{}
	for _, l := range list("towns") {
		f := strings.Split(l, "|")
		if len(f) != 4 {
			missing = append(missing, "towns")
			break
		}
		t := demoTown{f[0], f[1], f[2], f[3]}
		w.towns = append(w.towns, t)
		if !seen[t.area] {
			seen[t.area] = true
			w.areas = append(w.areas, t.area)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("this Patron was built without its demo word lists (%s); rebuild it from a complete checkout", strings.Join(missing, ", "))
	}
	return w, nil
}

// --- generation ---

// How a customer comes to the shop.
type demoRhythm uint8

const (
	rhythmRegular    demoRhythm = iota // every one to three weeks
	rhythmOccasional                   // every few months
	rhythmLapsed                       // came often, then stopped months ago
	rhythmOnce                         // one visit and a card or two
	rhythmNew                          // joined in the last weeks
)

// demoPlan is what is decided about a customer before their records are
// made: small, so a million of them fit in memory.
type demoPlan struct {
	since      time.Time
	join, end  int64 // unix seconds: their interactions fall in [join, end]
	weight     float64
	basket     float64 // how much they spend, relative to others
	count      int
	referredBy model.ID
	rhythm     demoRhythm
	fixed      bool // count is the rhythm's own, not a share of the total
}

type demoGen struct {
	r      *rand.Rand
	w      *demoWords
	now    time.Time
	nowSec int64
	loc    *time.Location
	unit   int64 // minor units in one whole currency unit
	loyal  model.LoyaltySettings
	baseC  model.ID
	nextI  model.ID
	plans  []demoPlan
	emails map[string]bool
	phones map[string]bool
	shops  int // businesses named so far

	openComplaints int
}

const day = int64(24 * 60 * 60)

func newDemoGen(seed int64, w *demoWords, now time.Time, st model.Settings, baseC, baseI model.ID) *demoGen {
	unit := int64(1)
	for range st.Money().Digits {
		unit *= 10
	}
	return &demoGen{
		r:      rand.New(rand.NewPCG(uint64(seed), 0x70a7_0d3e_5eed)),
		w:      w,
		now:    now,
		nowSec: now.Unix(),
		loc:    st.Location(),
		unit:   unit,
		loyal:  st.Loyalty,
		baseC:  baseC,
		nextI:  baseI,
		emails: map[string]bool{},
		phones: map[string]bool{},
	}
}

// between is a uniform integer in [lo, hi]; lo when the range is empty.
func (g *demoGen) between(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + g.r.Int64N(hi-lo+1)
}

func (g *demoGen) chance(p float64) bool { return g.r.Float64() < p }

func (g *demoGen) pick(l []string) string { return l[g.r.IntN(len(l))] }

// plan decides every customer's rhythm, dates and share of the m
// interactions, and orders them by customer-since, so ids follow the order
// in which customers came.
func (g *demoGen) plan(n, m int) {
	floor := day // 1970-01-02: no time before 1970
	start := max(g.nowSec-3*365*day, floor)
	span := (g.nowSec - start) / day // days of history, about three years
	g.plans = make([]demoPlan, n)
	for i := range g.plans {
		p := &g.plans[i]
		x := g.r.Float64()
		switch {
		case x < 0.18:
			p.rhythm = rhythmRegular
		case x < 0.50:
			p.rhythm = rhythmOccasional
		case x < 0.66:
			p.rhythm = rhythmLapsed
		case x < 0.88:
			p.rhythm = rhythmOnce
		default:
			p.rhythm = rhythmNew
		}
		var joinAgo int64 // days
		switch p.rhythm {
		case rhythmRegular, rhythmOccasional:
			joinAgo = g.between(min(30, span), span)
		case rhythmLapsed:
			joinAgo = g.between(min(240, span), span)
		case rhythmOnce:
			joinAgo = g.between(min(1, span), span)
		case rhythmNew:
			joinAgo = g.between(min(1, span), min(75, span))
		}
		p.join = max(g.nowSec-joinAgo*day, floor)
		p.since = model.DayOf(time.Unix(p.join, 0), g.loc)
		longTime := p.rhythm != rhythmOnce && p.rhythm != rhythmNew && g.chance(0.15)
		if longTime { // a customer from before the shop kept records
			p.since = model.DayOf(time.Unix(max(p.join-g.between(30, 9*365)*day, floor), 0), g.loc)
		}
		if p.since.Unix() < floor {
			p.since = model.DayOf(time.Unix(floor+day, 0), g.loc)
		}
		p.join = max(p.join, p.since.Unix())
		gapDays := int64(1)
		switch p.rhythm {
		case rhythmRegular:
			p.end = g.nowSec - g.between(0, 10)*day
			gapDays = g.between(7, 21)
		case rhythmOccasional:
			p.end = g.nowSec - g.between(0, 45)*day
			gapDays = g.between(40, 120)
		case rhythmLapsed:
			p.end = g.nowSec - g.between(120, max(120, min(540, joinAgo-60)))*day
			gapDays = g.between(10, 60)
		case rhythmOnce:
			p.end = p.join + g.between(0, 2)*day
			p.count = 1 + b2i(g.chance(0.45)) + b2i(g.chance(0.15))
			p.fixed = true
		case rhythmNew:
			p.end = g.nowSec
			p.count = 1 + int(g.between(0, 3))
			p.fixed = true
		}
		p.end = min(max(p.end, p.join), g.nowSec)
		if p.fixed {
			p.weight = float64(p.count)
		} else {
			// Visits at the rhythm, plus the calls, emails and cards between them.
			p.weight = 1.4 * (1 + float64(p.end-p.join)/float64(gapDays*day))
		}
		p.basket = math.Exp(0.35 * g.r.NormFloat64())
	}
	sort.SliceStable(g.plans, func(i, j int) bool {
		a, b := &g.plans[i], &g.plans[j]
		if !a.since.Equal(b.since) {
			return a.since.Before(b.since)
		}
		return a.join < b.join
	})
	g.share(m)
}

// share gives out exactly m interactions: one-timers and newcomers keep
// their own few when there are enough to go round, the rest is shared in
// proportion to each customer's rhythm.
func (g *demoGen) share(m int) {
	fixed, weight := 0, 0.0
	for _, p := range g.plans {
		if p.fixed {
			fixed += p.count
		} else {
			weight += p.weight
		}
	}
	keepFixed := weight > 0 && m >= fixed
	rest := m
	if keepFixed {
		rest = m - fixed
	} else {
		weight = 0
		for _, p := range g.plans {
			weight += p.weight
		}
	}
	acc, given := 0.0, 0
	lastShared := -1
	for i := range g.plans {
		if !(keepFixed && g.plans[i].fixed) {
			lastShared = i
		}
	}
	for i := range g.plans {
		p := &g.plans[i]
		if keepFixed && p.fixed {
			continue
		}
		acc += p.weight
		upto := int(math.Round(acc / weight * float64(rest)))
		if i == lastShared {
			upto = rest
		}
		p.count = upto - given
		given = upto
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// demoBatchData holds one write transaction's records, already encoded.
type demoBatchData struct {
	customers         []model.Customer
	customerValues    [][]byte
	interactions      []model.Interaction
	interactionKeys   [][]byte
	interactionValues [][]byte
	listEntries       []demoListEntry // the Customers list's keys, sorted
	err               error           // a record that would not encode
}

// demoListEntry is one customer's key and summary in the list bucket.
type demoListEntry struct{ k, v []byte }

// batch makes the customers [from, to) with all their interactions.
func (g *demoGen) batch(from, to int) demoBatchData {
	var b demoBatchData
	n := 0
	for i := from; i < to; i++ {
		n += g.plans[i].count
	}
	b.customers = make([]model.Customer, 0, to-from)
	b.interactions = make([]model.Interaction, 0, n)
	for i := from; i < to; i++ {
		c := g.customer(i)
		start := len(b.interactions)
		b.interactions = g.timeline(i, &c, b.interactions)
		g.finish(i, &c, b.interactions[start:])
		b.customers = append(b.customers, c)
	}
	b.customerValues = make([][]byte, len(b.customers))
	for i := range b.customers {
		v, err := encode(&b.customers[i])
		if err != nil {
			b.err = err
			return b
		}
		b.customerValues[i] = v
		sum := SummaryOf(&b.customers[i])
		b.listEntries = append(b.listEntries, demoListEntry{listKey(sum.Name, sum.ID), appendSummary(nil, &sum)})
	}
	slices.SortFunc(b.listEntries, func(x, y demoListEntry) int { return bytes.Compare(x.k, y.k) })
	b.interactionKeys = make([][]byte, len(b.interactions))
	b.interactionValues = make([][]byte, len(b.interactions))
	for i := range b.interactions {
		in := &b.interactions[i]
		v, err := encode(in)
		if err != nil {
			b.err = err
			return b
		}
		b.interactionKeys[i] = interactionKey(in.Customer, in.At, in.ID)
		b.interactionValues[i] = v
	}
	return b
}

func (g *demoGen) id(i int) model.ID { return g.baseC + model.ID(i) + 1 }

// customer makes the profile of the i-th customer.
func (g *demoGen) customer(i int) model.Customer {
	p := &g.plans[i]
	w := g.w
	c := model.Customer{ID: g.id(i), Since: p.since.UTC(), Status: model.StatusActive}
	first, last := g.pick(w.first), g.pick(w.last)
	business := false
	switch x := g.r.Float64(); {
	case x < 0.02 && g.shops < len(w.businesses):
		c.Name = w.businesses[g.shops]
		g.shops++
		business = true
	case x < 0.04:
		c.Name = first + " & " + g.pick(w.first) + " " + last
	case x < 0.08:
		c.Name = first + " " + string(rune('A'+g.r.IntN(26))) + ". " + last
	case x < 0.11:
		c.Name = first + " " + last + "-" + g.pick(w.last)
	default:
		c.Name = first + " " + last
	}
	town := w.towns[int(float64(len(w.towns))*math.Pow(g.r.Float64(), 3))]
	if g.chance(0.88) {
		c.Phone = g.phone(town)
	}
	if g.chance(0.85) || (business && g.chance(0.8)) {
		c.Email = g.email(first, last, business, c.Name)
	}
	if g.chance(0.82) {
		addr := strconv.Itoa(int(1+300*math.Pow(g.r.Float64(), 2))) + " " + g.pick(w.streets)
		if g.chance(0.15) {
			addr += fmt.Sprintf(", Apt %d%c", 1+g.r.IntN(6), 'A'+rune(g.r.IntN(4)))
		}
		c.Address = fmt.Sprintf("%s, %s, %s %s", addr, town.name, town.state, town.zip)
	}
	if !business && (g.chance(0.7) || i == 41 || i == 138) {
		c.Birthday = g.birthday(i == 41 || i == 138)
	}
	if p.rhythm == rhythmRegular && g.chance(0.85) {
		c.Tags = append(c.Tags, "regular")
	}
	if c.Email != "" && g.chance(0.3) {
		c.Tags = append(c.Tags, "newsletter")
	}
	for k := g.r.IntN(3) - b2i(g.chance(0.3)); k > 0; k-- {
		if t := g.pick(w.tags); !slices.Contains(c.Tags, t) {
			c.Tags = append(c.Tags, t)
		}
	}
	switch x := g.r.Float64(); {
	case x < 0.15:
		a, b := g.pick(w.prefs), g.pick(w.prefs)
		if a != b {
			c.Preferences = a + "; " + b
		} else {
			c.Preferences = a
		}
	case x < 0.55:
		c.Preferences = g.pick(w.prefs)
	}
	if g.chance(0.25) {
		c.Notes = g.pick(w.custNotes)
	}
	switch x := g.r.Float64(); {
	case x < 0.35 && c.Email != "":
		c.Channel = "email"
	case x < 0.6 && c.Phone != "":
		c.Channel = "text"
	case x < 0.75 && c.Phone != "":
		c.Channel = "phone"
	case x < 0.85 && c.Address != "":
		c.Channel = "post"
	case x < 0.92:
		c.Channel = "in person"
	}
	if g.chance(0.8) {
		c.Source = g.pick(w.sources)
	}
	c.NoContact = g.chance(0.02)
	c.Partner = p.rhythm == rhythmRegular && g.chance(0.03)
	return c
}

// phone makes a mostly unique number in the fictional 555 exchange, most
// with the customer's town's area code (mobiles keep the one they had).
func (g *demoGen) phone(t demoTown) string {
	var area, num string
	for try := 0; try < 10; try++ {
		area = t.area
		if g.chance(0.45) {
			area = g.pick(g.w.areas)
		}
		num = fmt.Sprintf("%04d", g.r.IntN(10000))
		if !g.phones[area+num] {
			break
		}
	}
	g.phones[area+num] = true
	switch x := g.r.Float64(); {
	case x < 0.5:
		return "(" + area + ") 555-" + num
	case x < 0.8:
		return area + "-555-" + num
	default:
		return "+1 " + area + " 555 " + num
	}
}

// email makes a mostly unique address at a reserved example domain.
func (g *demoGen) email(first, last string, business bool, name string) string {
	f, l := asciiFold(first), asciiFold(last)
	if business {
		f, l = asciiFold(name), ""
	}
	if f == "" {
		f = "customer"
	}
	var local string
	switch x := g.r.Float64(); {
	case business || l == "":
		local = f
	case x < 0.35:
		local = f + "." + l
	case x < 0.5:
		local = f + l
	case x < 0.62:
		local = f[:1] + "." + l
	case x < 0.72:
		local = f + "_" + l
	case x < 0.85:
		local = f + strconv.Itoa(g.r.IntN(90)+10)
	default:
		local = l + "." + f
	}
	for try := 0; ; try++ {
		e := local + "@" + g.pick(g.w.domains)
		if try > 0 {
			e = local + strconv.Itoa(g.r.IntN(9000)+try) + "@" + g.pick(g.w.domains)
		}
		if !g.emails[e] {
			g.emails[e] = true
			return e
		}
	}
}

// asciiFold lowers a name to the letters an email address can hold.
func asciiFold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			if f, ok := foldRunes[r]; ok {
				b.WriteString(f)
			}
		}
	}
	return b.String()
}

var foldRunes = map[rune]string{
	'á': "a", 'à': "a", 'â': "a", 'ä': "a", 'ã': "a", 'å': "a", 'æ': "ae",
	'ç': "c", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'í': "i", 'ì': "i",
	'î': "i", 'ï': "i", 'ñ': "n", 'ó': "o", 'ò': "o", 'ô': "o", 'ö': "o",
	'õ': "o", 'ø': "o", 'ú': "u", 'ù': "u", 'û': "u", 'ü': "u", 'ý': "y",
	'ß': "ss", 'ł': "l", 'ś': "s", 'ğ': "g", 'ş': "s", 'ı': "i", 'ć': "c",
	'ž': "z", 'š': "s", 'č': "c", 'ễ': "e", 'ř': "r", 'ń': "n", 'ź': "z", 'ż': "z",
}

// birthday is a plausible birthday; about half without a year. Some are
// on Feb 29 (always, when leap is set).
func (g *demoGen) birthday(leap bool) model.Birthday {
	b := model.Birthday{Month: 1 + g.r.IntN(12)}
	b.Day = 1 + g.r.IntN(time.Date(2001, time.Month(b.Month)+1, 0, 0, 0, 0, 0, time.UTC).Day())
	if leap || g.r.IntN(1461) == 0 {
		b.Month, b.Day = 2, 29
	}
	if g.chance(0.55) {
		b.Year = g.now.Year() - int(g.between(16, 88))
		if b.Month == 2 && b.Day == 29 {
			b.Year -= b.Year % 4 // a leap year (1900 and 2100 are out of range)
		}
		b.Year = min(max(b.Year, 1904), 2096)
	}
	return b
}

// Kinds after the first contact, with how often each happens.
var demoKinds = []struct {
	kind   model.Kind
	weight float64
}{
	{model.KindPurchase, 36}, {model.KindVisit, 14}, {model.KindReturn, 2.5}, {model.KindCall, 6},
	{model.KindEmail, 7}, {model.KindMessage, 6}, {model.KindSocial, 4}, {model.KindMeeting, 1.5},
	{model.KindNote, 4}, {model.KindComplaint, 1.5}, {model.KindFeedback, 6}, {model.KindReferral, 1.2},
	{model.KindCardSent, 6}, {model.KindRedeemed, 2},
}

var demoKindTotal = func() float64 {
	t := 0.0
	for _, k := range demoKinds {
		t += k.weight
	}
	return t
}()

func (g *demoGen) kind() model.Kind {
	x := g.r.Float64() * demoKindTotal
	for _, k := range demoKinds {
		if x < k.weight {
			return k.kind
		}
		x -= k.weight
	}
	return model.KindPurchase
}

// timeline appends the i-th customer's interactions, oldest first, with
// points, returns, redemptions and referrals that make sense in order.
func (g *demoGen) timeline(i int, c *model.Customer, out []model.Interaction) []model.Interaction {
	p := &g.plans[i]
	n := p.count
	if n == 0 {
		return out
	}
	start := len(out)
	span := p.end - p.join
	secs := make([]int64, n)
	for k := range secs {
		if p.rhythm == rhythmRegular {
			secs[k] = p.join + int64((float64(k)+0.2+0.6*g.r.Float64())*float64(span)/float64(n))
		} else {
			secs[k] = g.between(p.join, p.end)
		}
	}
	secs[0] = p.join
	slices.Sort(secs)
	since := p.since.Unix()
	for _, sec := range secs {
		// Open hours, in the shop's time zone.
		d := model.DayOf(time.Unix(sec, 0), g.loc)
		t := d.Add(time.Duration(8*3600+1800+g.r.IntN(11*3600)) * time.Second).Unix()
		if t >= g.nowSec {
			t = g.nowSec - g.between(60, 3600)
		}
		t = max(t, since, day)
		out = append(out, model.Interaction{Customer: c.ID, At: time.Unix(t, 0).UTC()})
	}
	list := out[start:]
	slices.SortStableFunc(list, func(a, b model.Interaction) int { return a.At.Compare(b.At) })

	w := g.w
	balance := int64(0)
	var bought []model.Money
	for k := range list {
		in := &list[k]
		g.nextI++
		in.ID = g.nextI
		kind := g.kind()
		switch {
		case k == 0:
			kind = model.KindVisit
			if g.chance(0.72) {
				kind = model.KindPurchase
			}
		case p.rhythm == rhythmOnce:
			kind = g.afterOnce()
		case kind == model.KindVisit && model.DayOf(in.At, g.loc).Equal(model.DayOf(list[k-1].At, g.loc)):
			// Already in the shop that day: what follows is something else.
			kind = g.afterOnce()
		}
		if kind == model.KindReturn && len(bought) == 0 {
			kind = model.KindPurchase
		}
		var reward model.Reward
		if kind == model.KindRedeemed {
			if reward = g.reward(balance); reward.Points == 0 {
				kind = model.KindPurchase
			}
		}
		if kind == model.KindReferral {
			if j := g.referral(i, in.At.Unix()); j >= 0 {
				in.Referred = g.id(j)
				g.plans[j].referredBy = c.ID
			} else {
				kind = model.KindSocial
			}
		}
		in.Kind = kind
		switch kind {
		case model.KindPurchase:
			in.Amount = g.amount(p.basket)
			in.Points = model.PointsFor(kind, in.Amount, g.loyal)
			in.Channel = "in person"
			if g.chance(0.12) {
				in.Channel = "online"
			}
			if g.chance(0.85) {
				in.Note = g.pick(w.purchases)
			}
			bought = append(bought, in.Amount)
		case model.KindVisit:
			in.Channel = "in person"
			if g.chance(0.7) {
				in.Note = g.pick(w.visits)
			}
		case model.KindReturn:
			in.Channel = "in person"
			in.Note = g.pick(w.returns)
			if !strings.HasPrefix(in.Note, "repair:") {
				paid := bought[max(0, len(bought)-1-g.r.IntN(min(5, len(bought))))]
				in.Amount = paid
				if g.chance(0.3) {
					in.Amount = max(1, model.Money(float64(paid)*(0.3+0.5*g.r.Float64())))
				}
				in.Points = max(model.PointsFor(kind, in.Amount, g.loyal), -balance)
			}
		case model.KindCall:
			in.Channel = "phone"
			in.Note = g.maybe(0.9, w.calls)
		case model.KindEmail:
			in.Channel = "email"
			in.Note = g.maybe(0.9, w.emails)
		case model.KindMessage:
			in.Channel = "text"
			in.Note = g.maybe(0.9, w.messages)
		case model.KindSocial:
			in.Channel = "social"
			in.Note = g.maybe(0.9, w.social)
		case model.KindMeeting:
			in.Channel = "in person"
			in.Note = g.maybe(0.9, w.meetings)
		case model.KindNote:
			in.Note = g.pick(w.notes)
		case model.KindComplaint:
			cp := w.complaints[g.r.IntN(len(w.complaints))]
			in.Category, in.Note = cp.a, cp.b
			in.Channel = "in person"
			// Most are put right within days; a few stay open, always at
			// least one when there is a complaint from the last two months.
			recent := in.At.Unix() > g.nowSec-14*day
			keepOpen := g.openComplaints == 0 && in.At.Unix() > g.nowSec-60*day
			if !keepOpen && (g.chance(0.88) && !recent || recent && g.chance(0.4)) {
				at := in.At.Unix() + g.between(2*3600, 10*day)
				if at < g.nowSec-60 {
					in.Resolved = true
					in.ResolvedAt = time.Unix(at, 0).UTC()
					in.Resolution = g.pick(w.resolutions)
				}
			}
			if !in.Resolved {
				g.openComplaints++
			}
		case model.KindFeedback:
			switch x := g.r.Float64(); {
			case x < 0.03:
				in.Score = 1
			case x < 0.08:
				in.Score = 2
			case x < 0.2:
				in.Score = 3
			case x < 0.5:
				in.Score = 4
			default:
				in.Score = 5
			}
			in.Channel = "in person"
			if g.chance(0.3) {
				in.Channel = "email"
			}
			if in.Score >= 4 {
				in.Note = g.maybe(0.6, w.good)
			} else {
				in.Note = g.maybe(0.8, w.poor)
			}
		case model.KindReferral:
			in.Channel = "in person"
			in.Note = g.maybe(0.8, w.referrals)
		case model.KindCardSent:
			in.Channel = "post"
			in.Note = g.pick(w.cards)
		case model.KindRedeemed:
			in.Points = -reward.Points
			in.Reward = reward.Name
			in.Channel = "in person"
		}
		balance += in.Points
	}
	return out
}

// reward picks one of the shop's rewards the balance can pay for; none
// (zero points) when it cannot pay for any.
func (g *demoGen) reward(balance int64) model.Reward {
	var can []model.Reward
	for _, r := range g.loyal.Rewards {
		if r.Points > 0 && r.Points <= balance {
			can = append(can, r)
		}
	}
	if len(can) == 0 {
		return model.Reward{}
	}
	return can[g.r.IntN(len(can))]
}

// afterOnce is what follows a single visit: a thank-you card, a word of
// feedback, a message.
func (g *demoGen) afterOnce() model.Kind {
	switch x := g.r.Float64(); {
	case x < 0.4:
		return model.KindCardSent
	case x < 0.6:
		return model.KindEmail
	case x < 0.8:
		return model.KindFeedback
	case x < 0.9:
		return model.KindSocial
	default:
		return model.KindMessage
	}
}

func (g *demoGen) maybe(p float64, l []string) string {
	if g.chance(p) {
		return g.pick(l)
	}
	return ""
}

// referral finds someone who became a customer within four months after at
// and has not been referred yet, among those made after customer i.
func (g *demoGen) referral(i int, at int64) int {
	from := sort.Search(len(g.plans), func(k int) bool { return g.plans[k].since.Unix() > at })
	from = max(from, i+1)
	for j := from; j < len(g.plans) && j < from+64; j++ {
		q := &g.plans[j]
		if q.since.Unix() > at+120*day {
			break
		}
		if q.referredBy == 0 {
			return j
		}
	}
	return -1
}

// amount is a purchase in minor units: log-normal around 22 whole units,
// priced the way shops price things.
func (g *demoGen) amount(basket float64) model.Money {
	major := math.Exp(math.Log(22)+0.75*g.r.NormFloat64()) * basket
	major = min(max(major, 2+3*g.r.Float64()), 1500)
	if g.unit == 1 { // a currency without minor units, such as yen
		return model.Money(max(100, int64(major*100)/10*10))
	}
	ends := []float64{0, 0, 0.5, 0.95, 0.99, 0.49, g.r.Float64()}
	return model.Money(int64(major)*g.unit + int64(ends[g.r.IntN(len(ends))]*float64(g.unit)))
}

// finish sets what depends on the timeline: aggregates, the VIP tag, lost
// or archived status, who referred them, and when the record was made.
func (g *demoGen) finish(i int, c *model.Customer, list []model.Interaction) {
	p := &g.plans[i]
	c.Stats = model.ComputeStats(list, g.loc)
	if c.Stats.Spend >= model.Money(600*g.unit) {
		c.Tags = append(c.Tags, "vip")
	}
	if p.referredBy != 0 {
		c.ReferredBy = p.referredBy
		c.Source = "recommended by a friend"
	}
	c.Created = time.Unix(min(p.since.Unix()+10*3600, g.nowSec-60), 0).UTC()
	if len(list) > 0 {
		c.Created = list[0].At
	}
	c.Updated = c.Created
	switch {
	case p.rhythm == rhythmLapsed && len(list) > 0 && g.chance(0.3):
		reason := g.w.lost[g.r.IntN(len(g.w.lost))]
		c.Status, c.LostReason, c.LostNote = model.StatusLost, reason.a, reason.b
		at := list[len(list)-1].At.Unix() + g.between(14, 90)*day
		c.LostAt = time.Unix(min(at, g.nowSec-3600), 0).UTC()
		c.Updated = c.LostAt
	case p.rhythm == rhythmOnce && g.chance(0.04):
		c.Status = model.StatusArchived
	}
}
