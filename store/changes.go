package store

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patron-crm/patron/model"
)

// Change is one owner action: what it touched, who did it and when, and the
// before-image of every record it touched (until retention strips them).
type Change struct {
	Seq      uint64    `json:"seq"`
	At       time.Time `json:"at"`
	Actor    Actor     `json:"actor"`
	Summary  string    `json:"summary"`            // "Added Ana Lima"
	Customer model.ID  `json:"customer,omitempty"` // the customer it concerns, if one
	Touched  []Touch   `json:"touched"`
	UndoOf   uint64    `json:"undo_of,omitempty"`   // this change undid that one
	UndoneBy uint64    `json:"undone_by,omitempty"` // that change undid this one
	Stripped bool      `json:"stripped,omitempty"`  // before-images removed by retention
	// Purged marks a change that touched a customer since deleted for good:
	// their records were cut out of it, so it can no longer be undone.
	Purged bool `json:"purged,omitempty"`
	// Final marks a change that can never be undone (a delete for good).
	Final bool `json:"final,omitempty"`
	// Import marks the change made by a whole-file import.
	Import bool `json:"import,omitempty"`
}

// Touch is one record a change wrote or deleted, with its value before.
type Touch struct {
	Bucket string `json:"b"`
	Key    []byte `json:"k"`
	Before []byte `json:"v,omitempty"` // nil: the record did not exist
	Absent bool   `json:"a,omitempty"` // the record did not exist before
}

// Retention of before-images: the newest keepChanges changes or keepDays
// days, whichever covers more.
const (
	keepChanges = 1000
	keepDays    = 90
)

// wtx is a write transaction that records the before-image of every record
// it touches, so the whole action becomes one undoable change.
type wtx struct {
	tx      *bolt.Tx
	now     time.Time
	change  *Change
	touched map[string]bool
}

func (w *wtx) bucket(name []byte) *bolt.Bucket { return w.tx.Bucket(name) }

func (w *wtx) remember(bucket, key []byte) {
	id := string(bucket) + "\x00" + string(key)
	if w.touched[id] {
		return
	}
	w.touched[id] = true
	t := Touch{Bucket: string(bucket), Key: append([]byte(nil), key...)}
	// A cursor tells an empty value (index entries) from a missing record.
	if k, old := w.tx.Bucket(bucket).Cursor().Seek(key); k != nil && bytes.Equal(k, key) {
		t.Before = append([]byte{}, old...)
	} else {
		t.Absent = true
	}
	w.change.Touched = append(w.change.Touched, t)
}

func (w *wtx) put(bucket, key, value []byte) error {
	w.remember(bucket, key)
	if err := w.keepList(bucket, key, value); err != nil {
		return err
	}
	return w.tx.Bucket(bucket).Put(key, value)
}

func (w *wtx) del(bucket, key []byte) error {
	w.remember(bucket, key)
	if err := w.keepList(bucket, key, nil); err != nil {
		return err
	}
	return w.tx.Bucket(bucket).Delete(key)
}

func (w *wtx) putJSON(bucket, key []byte, v any) error {
	b, err := encode(v)
	if err != nil {
		return err
	}
	if c := customerOf(bucket, v); c != nil {
		return w.putCustomerRecord(key, b, c) // the list's summary from c, not decoded again
	}
	return w.put(bucket, key, b)
}

// update runs fn as one owner action and records it in the change feed.
// fn fills in the change's summary and customer.
func (s *Store) update(fn func(w *wtx) error) (*Change, error) {
	if err := s.refuseIfReadOnly(); err != nil {
		return nil, err
	}
	var out *Change
	err := s.rawUpdate(func(tx *bolt.Tx) error {
		v, err := schemaVersion(tx)
		if err != nil {
			return err
		}
		if v > SchemaVersion {
			return says(ErrNewerSchema, nil, fmt.Sprintf("%s was replaced by a file from a newer Patron; it was not touched", s.path))
		}
		changes := tx.Bucket(bChanges)
		seq, err := changes.NextSequence()
		if err != nil {
			return err
		}
		now := s.now()
		w := &wtx{tx: tx, now: now, change: &Change{Seq: seq, At: now.UTC().Truncate(time.Millisecond), Actor: s.actor}, touched: map[string]bool{}}
		if err := fn(w); err != nil {
			return err
		}
		if len(w.change.Touched) == 0 {
			return errNoChange // roll back the sequence too: nothing happened
		}
		b, err := encode(w.change)
		if err != nil {
			return err
		}
		if err := changes.Put(u64(seq), b); err != nil {
			return err
		}
		out = w.change
		return pruneBeforeImages(tx, w.now)
	})
	if errors.Is(err, errNoChange) {
		return nil, nil
	}
	if err == nil {
		notifyWrote(s.path, out.Seq) // other windows in this process refresh at once
	}
	return out, err
}

var errNoChange = errors.New("no change")

// pruneBeforeImages strips before-images from changes that are both outside
// the newest keepChanges and older than keepDays. It resumes where it last
// stopped, so each write does a little of the work.
func pruneBeforeImages(tx *bolt.Tx, now time.Time) error {
	changes := tx.Bucket(bChanges)
	meta := tx.Bucket(bMeta)
	latest := changes.Sequence()
	if latest <= keepChanges {
		return nil
	}
	from := uint64(0)
	if v := meta.Get(kPruned); len(v) == 8 {
		from = binary.BigEndian.Uint64(v)
	}
	limit := latest - keepChanges
	cutoff := now.AddDate(0, 0, -keepDays)
	c := changes.Cursor()
	done := from
	n := 0
	for k, v := c.Seek(u64(from + 1)); k != nil && n < 16; k, v = c.Next() {
		seq := binary.BigEndian.Uint64(k)
		if seq > limit {
			break
		}
		var ch Change
		if err := decode(v, &ch); err != nil {
			return err
		}
		if !ch.At.Before(cutoff) {
			break
		}
		if !ch.Stripped {
			for i := range ch.Touched {
				ch.Touched[i].Before = nil
			}
			ch.Stripped = true
			b, err := encode(&ch)
			if err != nil {
				return err
			}
			if err := changes.Put(k, b); err != nil {
				return err
			}
		}
		done = seq
		n++
	}
	if done != from {
		return meta.Put(kPruned, u64(done))
	}
	return nil
}

// Feed is what a window needs to follow other windows' writes.
type Feed struct {
	FileID  string
	Latest  uint64
	Changes []Change // newer than the asked-for sequence, without before-images
}

// ChangesSince returns the changes after seq, oldest first, without their
// before-images. A different FileID or a Latest below seq means the file was
// replaced (a restore) and the caller should reload everything.
func (s *Store) ChangesSince(seq uint64) (Feed, error) {
	var f Feed
	err := s.view(func(tx *bolt.Tx) error {
		f.FileID = string(tx.Bucket(bMeta).Get(kFileID))
		b := tx.Bucket(bChanges)
		f.Latest = b.Sequence()
		c := b.Cursor()
		n := 0
		for k, v := c.Seek(u64(seq + 1)); k != nil; k, v = c.Next() {
			var ch Change
			if err := decode(v, &ch); err != nil {
				return err
			}
			for i := range ch.Touched {
				ch.Touched[i].Before = nil
			}
			f.Changes = append(f.Changes, ch)
			if n++; n >= 5000 {
				break // the caller reloads when it falls this far behind
			}
		}
		return nil
	})
	return f, err
}

// History returns the changes that concern one customer, newest first: the
// ones made for them and the ones that rewrote their record from elsewhere
// (an interaction moved away from them, a referral naming them).
func (s *Store) History(customer model.ID, limit int) ([]Change, error) {
	// Both show in a change's bytes, so most of a long feed is skipped
	// without decoding it.
	named := []byte(fmt.Sprintf(`"customer":%d`, customer))
	record := []byte(`"b":"` + string(bCustomers) + `","k":"` + base64.StdEncoding.EncodeToString(idKey(customer)) + `"`)
	var out []Change
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bChanges).Cursor()
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			if !bytes.Contains(v, named) && !bytes.Contains(v, record) {
				continue
			}
			var ch Change
			if err := decode(v, &ch); err != nil {
				return err
			}
			// A delete for good leaves no history behind it.
			if ch.Customer != customer && (ch.Final || !ch.rewrote(customer)) {
				continue
			}
			out = append(out, ch)
			if limit > 0 && len(out) >= limit {
				break
			}
		}
		return nil
	})
	return out, err
}

// rewrote reports whether the change wrote the customer's record.
func (ch Change) rewrote(customer model.ID) bool {
	for _, t := range ch.Touched {
		if t.Bucket == string(bCustomers) && bytes.Equal(t.Key, idKey(customer)) {
			return true
		}
	}
	return false
}

// CustomerIDs lists the customers whose records a change touched, so a
// window can refresh just those.
func (ch Change) CustomerIDs() []model.ID {
	var ids []model.ID
	seen := map[model.ID]bool{}
	add := func(id model.ID) {
		if id != 0 && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	add(ch.Customer)
	for _, t := range ch.Touched {
		switch t.Bucket {
		case string(bCustomers), string(bInteractions):
			add(keyID(t.Key))
		}
	}
	return ids
}

// TouchesSettings reports whether a change wrote the shop's settings.
func (ch Change) TouchesSettings() bool {
	for _, t := range ch.Touched {
		if t.Bucket == string(bSettings) {
			return true
		}
	}
	return false
}

// TouchesInteractions reports whether a change wrote any interaction.
func (ch Change) TouchesInteractions() bool {
	for _, t := range ch.Touched {
		if t.Bucket == string(bInteractions) {
			return true
		}
	}
	return false
}

// Undo reverts this window's newest change that is not yet undone. It
// refuses when a record it would restore has been changed since by another
// window, or when the change is too old to have its before-images.
func (s *Store) Undo() (*Change, error) {
	ch, err := s.update(func(w *wtx) error {
		changes := w.tx.Bucket(bChanges)
		c := changes.Cursor()
		var target *Change
		// Most of a long feed is other windows': skip those without decoding.
		mine, err := json.Marshal(s.actor.Window)
		if err != nil {
			return err
		}
		mine = append([]byte(`"window":`), mine...)
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			if !bytes.Contains(v, mine) {
				continue
			}
			var x Change
			if err := decode(v, &x); err != nil {
				return err
			}
			if x.Actor.Window != s.actor.Window || x.UndoOf != 0 || x.UndoneBy != 0 {
				continue
			}
			target = &x
			break
		}
		if target == nil {
			return ErrNothingToUndo
		}
		switch {
		case target.Final:
			return says(ErrNothingToUndo, nil, fmt.Sprintf("%q cannot be undone", target.Summary))
		case target.Purged:
			return says(ErrNothingToUndo, nil, fmt.Sprintf("%q cannot be undone any more: a customer it concerned was deleted for good", target.Summary))
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
			if later.Actor.Window == s.actor.Window {
				continue
			}
			for _, t := range later.Touched {
				if keys[t.Bucket+"\x00"+string(t.Key)] {
					return says(ErrConflict, nil, fmt.Sprintf("cannot undo %q: it was changed since by %s at %s",
						target.Summary, later.Actor, later.At.Local().Format("15:04")))
				}
			}
		}
		// Restore in reverse order so a key touched twice ends at its oldest image.
		order := slices.Clone(target.Touched)
		slices.Reverse(order)
		return restoreChange(w, changes, target, order)
	})
	return ch, err
}

// restoreChange puts back the before-images of target's records, in the
// order given, as the change w is making, and marks target undone by it in
// the same transaction, so it is undone once.
func restoreChange(w *wtx, changes *bolt.Bucket, target *Change, order []Touch) error {
	for _, t := range order {
		b := []byte(t.Bucket)
		if w.tx.Bucket(b) == nil {
			return fmt.Errorf("%w: bucket %s is missing", ErrDamaged, t.Bucket)
		}
		var err error
		if t.Absent {
			err = w.del(b, t.Key)
		} else {
			// An index entry's value is empty: it comes back from JSON as nil.
			err = w.put(b, t.Key, append([]byte{}, t.Before...))
		}
		if err != nil {
			return err
		}
	}
	w.change.Summary = "Undone: " + lowerFirst(target.Summary)
	w.change.Customer = target.Customer
	w.change.UndoOf = target.Seq
	target.UndoneBy = w.change.Seq
	enc, err := encode(target)
	if err != nil {
		return err
	}
	return changes.Put(u64(target.Seq), enc)
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return string(bytes.ToLower([]byte(s[:1]))) + s[1:]
}

// refuseIfReadOnly says why a looking-only window cannot record anything.
func (s *Store) refuseIfReadOnly() error {
	if !s.readOnly {
		return nil
	}
	return says(ErrReadOnly, nil, "this window is looking ahead with --now and records nothing; open Patron without --now to make changes")
}
