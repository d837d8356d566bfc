package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"github.com/patron-crm/patron/model"
)

// The Log tab reads the global log newest first from the by-time index. A
// filter can skip most records, so one open of the file stops after
// logScanMax records or logBudget, whichever comes first, and hands back
// where to resume: no open of the file lasts longer than DESIGN allows,
// however rare the records asked for.
var (
	logScanMax = 20_000
	logBudget  = 15 * time.Millisecond
)

// LogFilter narrows the global log. The zero value passes everything.
type LogFilter struct {
	Kind           model.Kind // "" for every kind
	OpenComplaints bool       // only complaints not yet resolved
	From, Until    time.Time  // From <= At < Until; a zero time leaves that end open
	Text           string     // in the note, category, resolution, kind or customer's name, any case
}

// IsZero reports whether the filter passes every interaction.
func (f LogFilter) IsZero() bool {
	return f.Kind == "" && !f.OpenComplaints && f.From.IsZero() && f.Until.IsZero() && strings.TrimSpace(f.Text) == ""
}

// LogEntry is one interaction of the global log with its customer's name.
type LogEntry struct {
	model.Interaction
	Name         string `json:"name"`
	ReferredName string `json:"referred_name,omitempty"` // a referral's person
}

// Matches reports whether an entry passes the filter, as LogPage decides.
func (f LogFilter) Matches(e LogEntry) bool {
	if f.Kind != "" && e.Kind != f.Kind {
		return false
	}
	if f.OpenComplaints && !e.OpenComplaint() {
		return false
	}
	sec := e.At.Unix()
	if !f.From.IsZero() && sec < ceilSec(f.From) {
		return false
	}
	if !f.Until.IsZero() && sec >= ceilSec(f.Until) {
		return false
	}
	q := strings.ToLower(strings.TrimSpace(f.Text))
	if q == "" {
		return true
	}
	for _, s := range []string{e.Note, e.Category, e.Resolution, e.Name, e.Kind.Label()} {
		if strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return false
}

// ceilSec is t in whole seconds rounded up: times in the log are whole
// seconds, so this is the first one at or after t.
func ceilSec(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// LogPage is one read of the global log.
type LogPage struct {
	Entries []LogEntry
	// Next is where the following page starts; nil when nothing older passes.
	Next LogCursor
	// Reached is the time of the oldest record this read looked at, so a
	// filtered read that found little can say how far back it got.
	Reached time.Time
}

// LogPage reads up to limit interactions that pass f, newest first, starting
// at cursor (nil: the newest, or the filter's Until). It may return fewer
// than limit with a Next cursor when the filter skipped many records: one
// open reads a bounded number of records and resumes from Next.
func (s *Store) LogPage(f LogFilter, cursor LogCursor, limit int) (LogPage, error) {
	var p LogPage
	if limit <= 0 {
		limit = 1
	}
	q := strings.ToLower(strings.TrimSpace(f.Text))
	// The raw record can rule a text out before decoding when the text is
	// plain ASCII that JSON writes as it is.
	rawQ := q != "" && plainASCII(q)
	var fromSec int64 = -1
	if !f.From.IsZero() {
		fromSec = ceilSec(f.From)
	}
	err := s.view(func(tx *bolt.Tx) error {
		cur := tx.Bucket(bByTime).Cursor()
		inter := tx.Bucket(bInteractions)
		names := nameCache{b: tx.Bucket(bCustomers), m: map[model.ID]string{}}
		var k, v []byte
		switch {
		case cursor != nil:
			if k, v = cur.Seek(cursor); k == nil {
				k, v = cur.Last()
			} else if !bytes.Equal(k, cursor) {
				k, v = cur.Prev()
			}
		case !f.Until.IsZero():
			// The first key at or after Until, then one back.
			if k, _ = cur.Seek(byTimeKey(time.Unix(max(ceilSec(f.Until), 0), 0), 0)); k == nil {
				k, v = cur.Last()
			} else {
				k, v = cur.Prev()
			}
		default:
			k, v = cur.Last()
		}
		began := time.Now()
		var full [24]byte
		for scanned := 0; k != nil; k, v = cur.Prev() {
			if len(k) != 16 || len(v) != 8 {
				continue
			}
			sec := int64(binary.BigEndian.Uint64(k[:8]))
			if sec < fromSec {
				return nil // older than the range: the end
			}
			if len(p.Entries) >= limit || scanned >= logScanMax || (scanned%32 == 31 && time.Since(began) > logBudget) {
				p.Next = append(LogCursor(nil), k...)
				return nil
			}
			scanned++
			p.Reached = time.Unix(sec, 0).UTC()
			copy(full[:8], v)
			copy(full[8:], k)
			raw := inter.Get(full[:])
			if raw == nil {
				continue
			}
			if f.Kind != "" || f.OpenComplaints {
				if kind, ok := rawKind(raw); ok {
					if f.Kind != "" && kind != f.Kind || f.OpenComplaints && kind != model.KindComplaint {
						continue
					}
				}
			}
			cust := keyID(v)
			if rawQ && !containsFold(raw, q) && !strings.Contains(strings.ToLower(names.get(cust)), q) && !kindLabelHas(raw, q) {
				continue
			}
			var e LogEntry
			if err := decode(raw, &e.Interaction); err != nil {
				return err
			}
			e.Name = names.get(cust)
			if e.Referred != 0 {
				e.ReferredName = names.get(e.Referred)
			}
			if !f.Matches(e) {
				continue
			}
			p.Entries = append(p.Entries, e)
		}
		return nil
	})
	return p, err
}

// OpenComplaints reads the complaints not yet resolved, from each
// customer's own list of them: the log holds a few among a million, and a
// walk of the customers finds them all in a fraction of what a walk of the
// log costs. One call reads customers after `after` until it has spent
// logBudget; next is where to resume, 0 when every customer was read.
// The entries come in customer order, not time order.
func (s *Store) OpenComplaints(after model.ID) (entries []LogEntry, next model.ID, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		cur := tx.Bucket(bCustomers).Cursor()
		began := time.Now()
		n := 0
		for k, v := cur.Seek(idKey(after + 1)); k != nil; k, v = cur.Next() {
			if n++; n%32 == 0 && time.Since(began) > logBudget {
				next = keyID(k) - 1
				return nil
			}
			// The list is left out of records without one.
			if !mayHaveOpenComplaints(v) {
				continue
			}
			var c model.Customer
			if err := decode(v, &c); err != nil {
				return err
			}
			for _, f := range c.Stats.OpenComplaintList {
				if f.ID == 0 {
					continue
				}
				in, err := getInteraction(tx, f.ID)
				if errors.Is(err, ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				if in.OpenComplaint() {
					entries = append(entries, LogEntry{Interaction: *in, Name: c.Name})
				}
			}
		}
		return nil
	})
	return entries, next, err
}

// LogEntries reads the interactions with these ids and their customers'
// names, for a window refreshing what another window changed. Ids not
// found (deleted since) are left out.
func (s *Store) LogEntries(ids []model.ID) ([]LogEntry, error) {
	var out []LogEntry
	err := s.view(func(tx *bolt.Tx) error {
		names := nameCache{b: tx.Bucket(bCustomers), m: map[model.ID]string{}}
		for _, id := range ids {
			in, err := getInteraction(tx, id)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			e := LogEntry{Interaction: *in, Name: names.get(in.Customer)}
			if in.Referred != 0 {
				e.ReferredName = names.get(in.Referred)
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// ResolveComplaint records that a complaint was resolved: what was done and
// when (zero: now). An already resolved complaint gets the new text and
// date. Aggregates (open complaints) follow in the same transaction.
func (s *Store) ResolveComplaint(id model.ID, resolution string, at time.Time) (model.Interaction, error) {
	now := s.now()
	if at.IsZero() {
		at = now
	}
	if at.After(now.Add(time.Minute)) {
		return model.Interaction{}, &model.FieldError{Field: "resolved on", Problem: "is in the future", Fix: "record it once it has happened"}
	}
	var out model.Interaction
	_, err := s.update(func(w *wtx) error {
		in, err := getInteraction(w.tx, id)
		if err != nil {
			return err
		}
		if in.Kind != model.KindComplaint {
			return fmt.Errorf("only a complaint can be resolved; this is a %s", in.Kind.Label())
		}
		loc := settingsIn(w.tx).Location()
		if at.Unix() < in.At.Unix() {
			return &model.FieldError{Field: "resolved on", Problem: "is before the complaint (" + in.At.In(loc).Format("2006-01-02 15:04") + ")",
				Fix: "give the day it was put right"}
		}
		in.Resolved, in.ResolvedAt, in.Resolution = true, at, strings.TrimSpace(resolution)
		if err := model.ValidateInteraction(*in, now); err != nil {
			return err
		}
		normalizeInteraction(in)
		if err := w.putJSON(bInteractions, interactionKey(in.Customer, in.At, in.ID), in); err != nil {
			return err
		}
		c, err := recomputeStats(w, in.Customer, loc)
		if err != nil {
			return err
		}
		w.change.Summary = "Resolved complaint for " + c.Name
		w.change.Customer = c.ID
		out = *in
		return nil
	})
	return out, err
}

// InteractionIDs lists the interactions a change wrote or deleted, so a
// window showing the log can read just those again.
func (ch Change) InteractionIDs() []model.ID {
	var ids []model.ID
	seen := map[model.ID]bool{}
	for _, t := range ch.Touched {
		var id model.ID
		switch {
		case t.Bucket == string(bInterIDs) && len(t.Key) == 8:
			id = keyID(t.Key)
		case t.Bucket == string(bInteractions) && len(t.Key) == 24:
			id = keyID(t.Key[16:])
		}
		if id != 0 && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// nameCache reads customers' names once per open of the file.
type nameCache struct {
	b *bolt.Bucket
	m map[model.ID]string
}

func (n nameCache) get(id model.ID) string {
	if name, ok := n.m[id]; ok {
		return name
	}
	name := customerName(n.b.Get(idKey(id)))
	n.m[id] = name
	return name
}

// customerName reads only the name of a stored customer: the records are
// long (a year of day facts) and the log needs just this.
func customerName(raw []byte) string {
	if len(raw) < 2 {
		return ""
	}
	if raw[0] == valueBinary {
		name, _ := nameOfBinary(raw)
		return name
	}
	if i := bytes.Index(raw, []byte(`"name":"`)); i >= 0 {
		start := i + len(`"name":`)
		for j := start + 1; j < len(raw); j++ {
			switch raw[j] {
			case '\\':
				j++
			case '"':
				var name string
				if json.Unmarshal(raw[start:j+1], &name) == nil {
					return name
				}
				j = len(raw)
			}
		}
	}
	var c struct {
		Name string `json:"name"`
	}
	_ = decode(raw, &c)
	return c.Name
}

// rawKind reads a stored interaction's kind without decoding it. In the
// JSON Patron writes, `"kind":"` can only be the key: a quote inside a
// text is escaped. false when the record is not in that form.
func rawKind(raw []byte) (model.Kind, bool) {
	if len(raw) > 1 && raw[0] == valueBinary {
		if raw[1] != recInteraction {
			return "", false
		}
		r, ok := binaryField(raw, tiKind)
		return model.Kind(r.str()), ok && r.wire == wireBytes
	}
	i := bytes.Index(raw, []byte(`"kind":"`))
	if i < 0 {
		return "", false
	}
	rest := raw[i+len(`"kind":"`):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 || bytes.IndexByte(rest[:j], '\\') >= 0 {
		return "", false
	}
	return model.Kind(rest[:j]), true
}

// kindLabelHas reports whether the kind's label, as the owner reads it
// ("return/repair"), holds q; the record only has its name ("return").
func kindLabelHas(raw []byte, q string) bool {
	k, ok := rawKind(raw)
	return !ok || strings.Contains(k.Label(), q)
}

// plainASCII reports whether JSON writes s byte for byte (printable ASCII
// without the characters it escapes), so it can be looked for in a record.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// containsFold reports whether b contains the lower-case ASCII q, in any case.
func containsFold(b []byte, q string) bool {
	n := len(q)
	if n == 0 {
		return true
	}
	first := q[0]
	for i := 0; i+n <= len(b); i++ {
		if lower(b[i]) != first {
			continue
		}
		j := 1
		for j < n && lower(b[i+j]) == q[j] {
			j++
		}
		if j == n {
			return true
		}
	}
	return false
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
