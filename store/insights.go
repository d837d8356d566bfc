package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"runtime"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/patron-crm/patron/model"
)

// Insights (issue 7) read the interaction log in short chunks and stream it
// through model.ReportBuilder; the figures themselves live in the model.
//
// Measured on a 100,000-customer, 1,000,000-interaction demo file
// (BenchmarkInsightsStore): the by-time index costs a random Get and a full
// JSON decode per interaction, about 5-8 µs each, and a month's report
// reads a year of feedback for its trend, most of the log; one walk of the
// timeline bucket in key order, taking customer and time from the key and
// reading only the few fields the figures need, costs about 0.2 µs each. So
// the report walks the whole timeline bucket, two walkers at once, in about
// 150-240 ms with the customers in memory; InteractionsBetween stays the
// general reader. No roll-ups are kept: nothing can drift from the log.

// insightChunk bounds how many records one open of the file reads for
// InteractionsBetween, and insightWalk how many the report's walk passes
// over; insightBudget bounds how long either holds the file open.
var (
	insightChunk  = 4000
	insightWalk   = 10_000
	insightBudget = 25 * time.Millisecond
	// insightSplit is how many customers make a second walker worth starting.
	insightSplit = 1000
)

// InteractionsBetween reads every interaction with from <= At <= to, oldest
// first, from the by-time index, a few thousand per open of the file, and
// hands each chunk to fn once the file is closed again. An error from fn
// stops the reading and is returned.
func (s *Store) InteractionsBetween(from, to time.Time, fn func([]model.Interaction) error) error {
	if to.Before(from) {
		return nil
	}
	// Times in the log are whole seconds: the first one counted is from's,
	// rounded up.
	first := from.Unix()
	if from.Nanosecond() > 0 {
		first++
	}
	start := byTimeKey(time.Unix(max(first, 0), 0), 0)
	last := to.Unix()
	var resume []byte
	for {
		var chunk []model.Interaction
		done := true
		err := s.view(func(tx *bolt.Tx) error {
			cur := tx.Bucket(bByTime).Cursor()
			inter := tx.Bucket(bInteractions)
			var k, v []byte
			if resume == nil {
				k, v = cur.Seek(start)
			} else if k, v = cur.Seek(resume); k != nil && bytes.Equal(k, resume) {
				k, v = cur.Next()
			}
			began := time.Now()
			var full [24]byte
			for ; k != nil; k, v = cur.Next() {
				if len(k) != 16 || len(v) != 8 {
					continue
				}
				if int64(binary.BigEndian.Uint64(k[:8])) > last {
					return nil
				}
				if len(chunk) >= insightChunk || (len(chunk)%256 == 255 && time.Since(began) > insightBudget) {
					done = false
					return nil
				}
				resume = append(resume[:0], k...)
				copy(full[:8], v)
				copy(full[8:], k)
				raw := inter.Get(full[:])
				if raw == nil {
					continue
				}
				var in model.Interaction
				if err := decode(raw, &in); err != nil {
					return err
				}
				chunk = append(chunk, in)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(chunk) > 0 {
			if err := fn(chunk); err != nil {
				return err
			}
		}
		if done {
			return nil
		}
	}
}

// Insights works out the report for the span of length p that holds at, as
// of the store's clock, reading every customer and the log in short chunks.
// Customers with interactions after the clock (an earlier --now) are
// rewound to it first, so the lapsed figure is the one of that day.
func (s *Store) Insights(p model.Period, at time.Time) (model.Report, error) {
	customers, err := s.AllCustomers(nil)
	if err != nil {
		return model.Report{}, err
	}
	if customers, err = s.AsOf(customers, s.now()); err != nil {
		return model.Report{}, err
	}
	return s.InsightsFor(customers, p, at)
}

// InsightsFor is Insights over customers already in memory (the TUI holds
// them all): it reads only the log. customers must not change until it
// returns; they are taken as they stand at the store's clock.
func (s *Store) InsightsFor(customers []model.Customer, p model.Period, at time.Time) (model.Report, error) {
	return s.InsightsOver(model.Pointers(customers), p, at)
}

// InsightsOver is InsightsFor over customers the caller holds and never
// changes (the TUI's), so no copy of every customer is made.
func (s *Store) InsightsOver(customers []*model.Customer, p model.Period, at time.Time) (model.Report, error) {
	st, err := s.Settings()
	if err != nil {
		return model.Report{}, err
	}
	return s.walkReport(model.NewReportBuilderOver(p, at, s.now(), customers, st))
}

// InsightsFed is InsightsOver for customers the caller hands over a chunk
// at a time (feed calls add with each; about n in all; an error from feed
// is the report's), so a caller that
// holds them packed never unpacks them all at once: the builder keeps only
// what its figures read.
func (s *Store) InsightsFed(p model.Period, at time.Time, n int, feed func(add func([]model.Customer)) error) (model.Report, error) {
	st, err := s.Settings()
	if err != nil {
		return model.Report{}, err
	}
	b := model.NewReportBuilderFor(p, at, s.now(), st, n)
	if err := feed(b.AddCustomers); err != nil {
		return model.Report{}, err
	}
	return s.walkReport(b)
}

// walkReport feeds the builder the interactions its customers' figures
// need and works the report out.
func (s *Store) walkReport(b *model.ReportBuilder) (model.Report, error) {
	// Two walkers over halves of the customers use both cores of a small
	// machine; the builder takes their batches one at a time.
	var mu sync.Mutex
	add := func(list []model.Interaction) {
		mu.Lock()
		defer mu.Unlock()
		b.Add(list)
	}
	parts := splitCustomers(b.IDs(), min(2, runtime.GOMAXPROCS(0)))
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, part := range parts {
		wg.Go(func() { errs[i] = s.walkForInsights(b.From(), b.Through(), part[0], part[1], add) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return model.Report{}, err
	}
	return b.Report(), nil
}

// splitCustomers cuts the timeline bucket's key space into n ranges
// [from, to) holding about as many of the customers each; nil is an open end.
func splitCustomers(customers []model.ID, n int) [][2][]byte {
	if n < 2 || len(customers) < insightSplit {
		return [][2][]byte{{nil, nil}}
	}
	ids := slices.Clone(customers)
	slices.Sort(ids)
	var parts [][2][]byte
	var from []byte
	for i := 1; i < n; i++ {
		cut := idKey(ids[i*len(ids)/n])
		parts = append(parts, [2][]byte{from, cut})
		from = cut
	}
	return append(parts, [2][]byte{from, nil})
}

// walkForInsights walks the timeline bucket (customer|time|id) in key
// order, in chunks, and hands fn what the report needs: the interactions
// from from to through whose kinds count in a figure, and each customer's
// last visit before from.
func (s *Store) walkForInsights(from, through time.Time, lo, hi []byte, fn func([]model.Interaction)) error {
	fromSec, lastSec := from.Unix(), through.Unix()
	var resume []byte
	var batch []model.Interaction
	var before []rawRecord // valid only inside one read
	for {
		batch = batch[:0]
		done := true
		err := s.view(func(tx *bolt.Tx) error {
			cur := tx.Bucket(bInteractions).Cursor()
			var k, v []byte
			switch {
			case resume != nil:
				if k, v = cur.Seek(resume); k != nil && bytes.Equal(k, resume) {
					k, v = cur.Next()
				}
			case lo != nil:
				k, v = cur.Seek(lo)
			default:
				k, v = cur.First()
			}
			began := time.Now()
			// The records before the window of the customer being walked:
			// only the newest visit among them is needed, so they are read
			// back from the newest, usually just one.
			var priorCust uint64
			flush := func() {
				for i := len(before) - 1; i >= 0; i-- {
					if kind, ok := sniffKind(before[i].v); ok && kind.IsVisit() || !ok && visitByDecode(before[i].v) {
						batch = append(batch, model.Interaction{Customer: model.ID(priorCust), At: time.Unix(before[i].sec, 0).UTC(), Kind: model.KindVisit})
						break
					}
				}
				before = before[:0]
			}
			defer flush()
			for n := 0; k != nil && (hi == nil || bytes.Compare(k, hi) < 0); k, v = cur.Next() {
				if n++; n > insightWalk || (n%1024 == 0 && time.Since(began) > insightBudget) {
					done = false
					return nil
				}
				resume = append(resume[:0], k...)
				if len(k) != 24 {
					continue
				}
				cust := binary.BigEndian.Uint64(k[:8])
				sec := int64(binary.BigEndian.Uint64(k[8:16]))
				if len(before) > 0 && cust != priorCust {
					flush()
				}
				if sec > lastSec {
					continue
				}
				if sec < fromSec {
					priorCust = cust
					before = append(before, rawRecord{v: v, sec: sec})
					continue
				}
				flush()
				// Read straight into the batch: a local would escape to the heap, once per record.
				batch = append(batch, model.Interaction{ID: keyID(k[16:]), Customer: model.ID(cust), At: time.Unix(sec, 0).UTC()})
				in := &batch[len(batch)-1]
				if !scanRecord(v, in, skipKind) {
					full, err := decodeInteraction(v)
					if err != nil {
						return err
					}
					*in = full
				}
				if !countsInInsights(in.Kind) {
					batch = batch[:len(batch)-1]
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		fn(batch)
		if done {
			return nil
		}
	}
}

// rawRecord is a stored interaction seen during a walk, not yet read.
type rawRecord struct {
	v   []byte
	sec int64
}

// skipKind stops reading a record whose kind counts in no figure.
func skipKind(k model.Kind) bool { return !countsInInsights(k) }

func anyKind(model.Kind) bool { return true }

// countsInInsights reports whether an interaction of kind k counts in any
// figure; calls, emails, notes and the like do not.
func countsInInsights(k model.Kind) bool {
	switch k {
	case model.KindPurchase, model.KindReturn, model.KindVisit, model.KindComplaint,
		model.KindFeedback, model.KindCardSent, model.KindRedeemed:
		return true
	}
	return false
}

func decodeInteraction(v []byte) (model.Interaction, error) {
	var in model.Interaction
	err := decode(v, &in)
	return in, err
}

func visitByDecode(v []byte) bool {
	in, err := decodeInteraction(v)
	return err == nil && in.Kind.IsVisit()
}

// sniffKind reads only an interaction record's kind; false when the record
// is not in the plain form Patron writes (then the caller decodes it).
func sniffKind(v []byte) (model.Kind, bool) {
	var in model.Interaction
	if !scanRecord(v, &in, anyKind) {
		return "", false
	}
	return in.Kind, in.Kind != ""
}

// scanRecord fills in from a stored interaction record the fields the
// figures read: kind, amount, score, category, resolved and resolved_at
// (customer, time and id come from its key). It stops early, with only the
// kind read, when stop says so. It returns false, leaving the record to
// encoding/json, for anything but the plain form Patron writes: a field it
// does not know (a newer Patron's), an escaped category, a value of an
// unexpected type.
func scanRecord(v []byte, in *model.Interaction, stop func(model.Kind) bool) bool {
	if len(v) > 1 && v[0] == valueBinary {
		return scanBinary(v, in, stop)
	}
	if len(v) < 2 || v[0] != valueVersion {
		return false
	}
	b := v[1:]
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return false // no kind: not a record Patron wrote
	}
	for {
		key, j, ok := plainString(b, i)
		if !ok {
			return false
		}
		if i = skipSpace(b, j); i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		switch string(key) {
		case "kind":
			s, j, ok := plainString(b, i)
			if !ok {
				return false
			}
			k, ok := knownKind(s)
			if !ok {
				return false
			}
			in.Kind, i = k, j
			if stop(k) {
				return true
			}
		case "amount":
			n, j, ok := plainInt(b, i)
			if !ok {
				return false
			}
			in.Amount, i = model.Money(n), j
		case "score":
			n, j, ok := plainInt(b, i)
			if !ok || n < -1<<31 || n > 1<<31-1 {
				return false
			}
			in.Score, i = int(n), j
		case "category":
			s, j, ok := plainString(b, i)
			if !ok {
				return false
			}
			in.Category, i = string(s), j
		case "resolved":
			switch {
			case bytes.HasPrefix(b[i:], []byte("true")):
				in.Resolved, i = true, i+4
			case bytes.HasPrefix(b[i:], []byte("false")):
				in.Resolved, i = false, i+5
			default:
				return false
			}
		case "resolved_at":
			s, j, ok := plainString(b, i)
			if !ok {
				return false
			}
			t, err := time.Parse(time.RFC3339Nano, string(s))
			if err != nil {
				return false
			}
			in.ResolvedAt, i = t, j
		case "id", "customer", "at", "channel", "note", "resolution", "referred", "points", "reward":
			j, ok := skipScalar(b, i)
			if !ok {
				return false
			}
			i = j
		default:
			return false
		}
		if i = skipSpace(b, i); i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return in.Kind != "" && skipSpace(b, i+1) == len(b)
		default:
			return false
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// plainString reads a JSON string without escapes, returning its bytes and
// the index after its closing quote.
func plainString(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, i, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			// Text that is not UTF-8 is never written by Patron, and
			// encoding/json reads it as U+FFFD: leave it to that.
			if !utf8.Valid(b[i+1 : j]) {
				return nil, i, false
			}
			return b[i+1 : j], j + 1, true
		case c == '\\' || c < 0x20:
			return nil, i, false
		}
	}
	return nil, i, false
}

// plainInt reads a JSON integer.
func plainInt(b []byte, i int) (int64, int, bool) {
	j := i
	neg := j < len(b) && b[j] == '-'
	if neg {
		j++
	}
	start := j
	var n int64
	for ; j < len(b) && b[j] >= '0' && b[j] <= '9'; j++ {
		if j-start >= 18 {
			return 0, i, false
		}
		n = n*10 + int64(b[j]-'0')
	}
	if j == start || (j < len(b) && (b[j] == '.' || b[j] == 'e' || b[j] == 'E')) {
		return 0, i, false
	}
	if neg {
		n = -n
	}
	return n, j, true
}

// skipScalar passes over a string (escapes allowed), number, true, false or
// null; anything else is not the plain form.
func skipScalar(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; {
	case c == '"':
		// Find the closing quote: one not escaped by an odd run of backslashes.
		for j := i + 1; j < len(b); {
			q := bytes.IndexByte(b[j:], '"')
			if q < 0 {
				return i, false
			}
			j += q
			n := 0
			for n < j-i-1 && b[j-1-n] == '\\' {
				n++
			}
			if n%2 == 0 {
				return j + 1, true
			}
			j++
		}
		return i, false
	case c == '-' || (c >= '0' && c <= '9'):
		j := i + 1
		for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == '.' || b[j] == 'e' || b[j] == 'E' || b[j] == '+' || b[j] == '-') {
			j++
		}
		return j, true
	}
	for _, lit := range []string{"true", "false", "null"} {
		if bytes.HasPrefix(b[i:], []byte(lit)) {
			return i + len(lit), true
		}
	}
	return i, false
}

// knownKind matches a kind's bytes to the model's own constant, so reading
// a million kinds allocates nothing.
func knownKind(s []byte) (model.Kind, bool) {
	for _, k := range model.Kinds {
		if string(s) == string(k) {
			return k, true
		}
	}
	return "", false
}
