package store

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patron-crm/patron/model"
)

func emailKey(email string, id model.ID) []byte {
	e := model.NormalizeEmail(email)
	if e == "" {
		return nil
	}
	return append(append([]byte(e), 0), idKey(id)...)
}

func phoneKey(phone string, id model.ID) []byte {
	d := model.PhoneDigits(phone)
	if d == "" {
		return nil
	}
	return append(append([]byte(d), 0), idKey(id)...)
}

// AddCustomer validates and saves a new customer, returning it with its id.
func (s *Store) AddCustomer(c model.Customer) (model.Customer, error) {
	now := s.now()
	if err := model.ValidateCustomer(c); err != nil {
		return c, err
	}
	c = model.CleanCustomer(c)
	_, err := s.update(func(w *wtx) error {
		seq, err := w.bucket(bCustomers).NextSequence()
		if err != nil {
			return err
		}
		c.ID = model.ID(seq)
		c.Created, c.Updated = now.UTC(), now.UTC()
		if c.Status == "" {
			c.Status = model.StatusActive
		}
		c.Stats = model.Stats{}
		w.change.Summary = "Added " + c.Name
		w.change.Customer = c.ID
		return putCustomer(w, nil, &c)
	})
	return c, err
}

// putCustomer writes c and keeps its indexes in step with old (nil when new).
func putCustomer(w *wtx, old, c *model.Customer) error {
	if old != nil {
		if k := emailKey(old.Email, old.ID); k != nil && !bytes.Equal(k, emailKey(c.Email, c.ID)) {
			if err := w.del(bEmail, k); err != nil {
				return err
			}
		}
		if k := phoneKey(old.Phone, old.ID); k != nil && !bytes.Equal(k, phoneKey(c.Phone, c.ID)) {
			if err := w.del(bPhone, k); err != nil {
				return err
			}
		}
	}
	if k := emailKey(c.Email, c.ID); k != nil && (old == nil || !bytes.Equal(k, emailKey(old.Email, old.ID))) {
		if err := w.put(bEmail, k, []byte{}); err != nil {
			return err
		}
	}
	if k := phoneKey(c.Phone, c.ID); k != nil && (old == nil || !bytes.Equal(k, phoneKey(old.Phone, old.ID))) {
		if err := w.put(bPhone, k, []byte{}); err != nil {
			return err
		}
	}
	return w.putJSON(bCustomers, idKey(c.ID), c)
}

func getCustomer(tx *bolt.Tx, id model.ID) (*model.Customer, error) {
	v := tx.Bucket(bCustomers).Get(idKey(id))
	if v == nil {
		return nil, fmt.Errorf("customer #%d: %w", id, ErrNotFound)
	}
	var c model.Customer
	if err := decode(v, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// UpdateCustomer saves the owner's edits to a customer. The aggregates are
// kept from the stored record: they follow the interactions, not the form.
func (s *Store) UpdateCustomer(c model.Customer) (model.Customer, error) {
	if err := model.ValidateCustomer(c); err != nil {
		return c, err
	}
	c = model.CleanCustomer(c)
	now := s.now()
	_, err := s.update(func(w *wtx) error {
		old, err := getCustomer(w.tx, c.ID)
		if err != nil {
			return err
		}
		c.Stats = old.Stats
		c.Created = old.Created
		c.Updated = now.UTC()
		if c.Status == "" {
			c.Status = model.StatusActive
		}
		w.change.Summary = describeEdit(old, &c)
		w.change.Customer = c.ID
		return putCustomer(w, old, &c)
	})
	return c, err
}

// describeEdit names an edit the way the owner will read it in the history.
func describeEdit(old, c *model.Customer) string {
	switch {
	case old.Status != c.Status && c.Status == model.StatusArchived:
		return "Archived " + c.Name
	case old.Status != c.Status && c.Status == model.StatusLost:
		return "Marked " + c.Name + " as lost"
	case old.Status != c.Status && c.Status == model.StatusActive:
		return "Restored " + c.Name
	}
	var fields []string
	add := func(changed bool, name string) {
		if changed {
			fields = append(fields, name)
		}
	}
	add(old.Name != c.Name, "name")
	add(old.Phone != c.Phone, "phone")
	add(old.Email != c.Email, "email")
	add(old.Address != c.Address, "address")
	add(old.Birthday != c.Birthday, "birthday")
	add(strings.Join(old.Tags, ",") != strings.Join(c.Tags, ","), "tags")
	add(old.Preferences != c.Preferences, "preferences")
	add(old.Notes != c.Notes, "notes")
	add(old.Channel != c.Channel, "channel")
	add(old.Source != c.Source, "how they found the shop")
	add(old.ReferredBy != c.ReferredBy, "referred by")
	add(old.NoContact != c.NoContact, "no cards or contact")
	add(old.Partner != c.Partner, "partner")
	if len(fields) == 0 {
		return "Saved " + c.Name
	}
	return "Edited " + c.Name + ": " + strings.Join(fields, ", ")
}

// SetStatus archives, restores or marks a customer lost, as one change.
func (s *Store) SetStatus(id model.ID, status model.Status, reason, note string) (model.Customer, error) {
	c, err := s.Customer(id)
	if err != nil {
		return c, err
	}
	c.Status = status
	if status == model.StatusLost {
		c.LostReason, c.LostNote, c.LostAt = reason, note, s.now().UTC()
	} else {
		c.LostReason, c.LostNote, c.LostAt = "", "", time.Time{}
	}
	return s.UpdateCustomer(c)
}

// Customer reads one customer.
func (s *Store) Customer(id model.ID) (model.Customer, error) {
	var out model.Customer
	err := s.view(func(tx *bolt.Tx) error {
		c, err := getCustomer(tx, id)
		if err != nil {
			return err
		}
		out = *c
		return nil
	})
	return out, err
}

// CustomersByID reads the given customers; missing ones are left out.
func (s *Store) CustomersByID(ids []model.ID) ([]model.Customer, error) {
	return s.AppendCustomers(make([]model.Customer, 0, len(ids)), ids)
}

// AppendCustomers is CustomersByID appending to dst, each record decoded
// in its place there (a caller reading every customer a chunk at a time
// reuses one buffer); in one short read. On an error dst is returned as
// it came.
func (s *Store) AppendCustomers(dst []model.Customer, ids []model.ID) ([]model.Customer, error) {
	out := slices.Grow(dst, len(ids))
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bCustomers)
		for _, id := range ids {
			v := b.Get(idKey(id))
			if v == nil {
				continue
			}
			out = append(out, model.Customer{})
			if err := decode(v, &out[len(out)-1]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return dst, err
	}
	return out, nil
}

// chunkSize bounds how many records one short read decodes, so no open of
// the file lasts long even at 100,000 customers.
const chunkSize = 2000

// CustomersPage reads up to limit customers with ids above after, in id
// order, and says whether more follow.
func (s *Store) CustomersPage(after model.ID, limit int) ([]model.Customer, bool, error) {
	var out []model.Customer
	more := false
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bCustomers).Cursor()
		for k, v := c.Seek(idKey(after + 1)); k != nil; k, v = c.Next() {
			if len(out) >= limit {
				more = true
				break
			}
			var cu model.Customer
			if err := decode(v, &cu); err != nil {
				return err
			}
			out = append(out, cu)
		}
		return nil
	})
	return out, more, err
}

// AllCustomers reads every customer in short chunks, each its own open.
// progress, when not nil, is told how many were read so far.
func (s *Store) AllCustomers(progress func(n int)) ([]model.Customer, error) {
	var all []model.Customer
	var after model.ID
	for {
		page, more, err := s.CustomersPage(after, chunkSize)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if progress != nil {
			progress(len(all))
		}
		if !more || len(page) == 0 {
			return all, nil
		}
		after = page[len(page)-1].ID
	}
}

// CountCustomers says how many customers the file holds.
func (s *Store) CountCustomers() (int, error) {
	n := 0
	err := s.view(func(tx *bolt.Tx) error {
		n = tx.Bucket(bCustomers).Stats().KeyN
		return nil
	})
	return n, err
}

// Duplicates lists other customers who share c's email or phone.
func (s *Store) Duplicates(c model.Customer) ([]model.Customer, error) {
	ids := map[model.ID]bool{}
	err := s.view(func(tx *bolt.Tx) error {
		scan := func(bucket []byte, norm string) {
			if norm == "" {
				return
			}
			prefix := append([]byte(norm), 0)
			cur := tx.Bucket(bucket).Cursor()
			for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
				if id := keyID(k[len(prefix):]); id != c.ID {
					ids[id] = true
				}
			}
		}
		scan(bEmail, model.NormalizeEmail(c.Email))
		scan(bPhone, model.PhoneDigits(c.Phone))
		return nil
	})
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	list := make([]model.ID, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	sort.Slice(list, func(i, j int) bool { return list[i] < list[j] })
	return s.CustomersByID(list)
}

// FindCustomer resolves a customer as named on the command line: "#12", an
// exact email, an exact phone number (compared by digits), or a name that
// matches exactly one customer, ignoring case. Archived customers count.
func (s *Store) FindCustomer(q string) (model.Customer, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return model.Customer{}, errors.New("name a customer: #ID, an email, a phone number or their name")
	}
	if strings.HasPrefix(q, "#") {
		n, err := strconv.ParseUint(q[1:], 10, 64)
		if err != nil {
			return model.Customer{}, fmt.Errorf("%q is not a customer id; ids look like #12", q)
		}
		c, err := s.Customer(model.ID(n))
		if errors.Is(err, ErrNotFound) {
			return c, fmt.Errorf("there is no customer #%d", n)
		}
		return c, err
	}
	probe := model.Customer{}
	if strings.Contains(q, "@") {
		probe.Email = q
	} else if d := model.PhoneDigits(q); len(d) >= 5 && len(d)*2 >= len(strings.ReplaceAll(q, " ", "")) {
		probe.Phone = q
	}
	if probe.Email != "" || probe.Phone != "" {
		found, err := s.Duplicates(probe)
		if err != nil {
			return model.Customer{}, err
		}
		if len(found) == 1 {
			return found[0], nil
		}
		if len(found) > 1 {
			return model.Customer{}, ambiguous(q, found)
		}
	}
	var exact, partial []model.Customer
	lq := strings.ToLower(q)
	all, err := s.AllCustomers(nil)
	if err != nil {
		return model.Customer{}, err
	}
	for _, c := range all {
		ln := strings.ToLower(c.Name)
		switch {
		case ln == lq:
			exact = append(exact, c)
		case strings.Contains(ln, lq):
			partial = append(partial, c)
		}
	}
	switch {
	case len(exact) == 1:
		return exact[0], nil
	case len(exact) > 1:
		return model.Customer{}, ambiguous(q, exact)
	case len(partial) > 0:
		return model.Customer{}, fmt.Errorf("no customer is called exactly %q; did you mean %s", q, candidates(partial))
	}
	return model.Customer{}, fmt.Errorf("no customer matches %q; use #ID, an email, a phone number or the exact name (see `patron list`)", q)
}

func ambiguous(q string, found []model.Customer) error {
	return fmt.Errorf("%q matches %d customers; name one by id: %s", q, len(found), candidates(found))
}

func candidates(cs []model.Customer) string {
	var parts []string
	for i, c := range cs {
		if i == 10 {
			parts = append(parts, fmt.Sprintf("and %d more", len(cs)-10))
			break
		}
		p := fmt.Sprintf("#%d %s", c.ID, model.Sanitize(c.Name))
		if c.Email != "" {
			p += " <" + model.Sanitize(c.Email) + ">"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

// DeleteCustomerForGood removes a customer, their interactions and every
// trace of them in the change feed. It cannot be undone.
func (s *Store) DeleteCustomerForGood(id model.ID) error {
	_, err := s.update(func(w *wtx) error {
		c, err := getCustomer(w.tx, id)
		if err != nil {
			return err
		}
		gone := map[string]bool{}
		del := func(b, k []byte) error {
			gone[string(b)+"\x00"+string(k)] = true
			return w.del(b, k)
		}
		if k := emailKey(c.Email, c.ID); k != nil {
			if err := del(bEmail, k); err != nil {
				return err
			}
		}
		if k := phoneKey(c.Phone, c.ID); k != nil {
			if err := del(bPhone, k); err != nil {
				return err
			}
		}
		prefix := idKey(id)
		var keys [][]byte
		cur := w.tx.Bucket(bInteractions).Cursor()
		for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
			keys = append(keys, append([]byte(nil), k...))
		}
		for _, k := range keys {
			if err := del(bInteractions, k); err != nil {
				return err
			}
			if err := del(bByTime, k[8:]); err != nil {
				return err
			}
			if err := del(bInterIDs, k[16:]); err != nil {
				return err
			}
		}
		if err := del(bCustomers, idKey(id)); err != nil {
			return err
		}
		// Manual reminders and decisions on generated ones go too.
		for _, bucket := range [][]byte{bReminders, bDecisions} {
			b := w.tx.Bucket(bucket)
			if b == nil {
				continue
			}
			var keys [][]byte
			err := b.ForEach(func(k, v []byte) error {
				if concernsCustomer(v, id) {
					keys = append(keys, append([]byte(nil), k...))
				}
				return nil
			})
			if err != nil {
				return err
			}
			for _, k := range keys {
				if err := del(bucket, k); err != nil {
					return err
				}
			}
		}
		if err := purgeFromFeed(w.tx, id, gone); err != nil {
			return err
		}
		// This change keeps no before-images and no name: the customer is
		// gone. Index keys hold their email and phone, so those go too.
		kept := w.change.Touched[:0]
		for _, t := range w.change.Touched {
			if t.Bucket == string(bEmail) || t.Bucket == string(bPhone) {
				continue
			}
			t.Before = nil
			kept = append(kept, t)
		}
		w.change.Touched = kept
		w.change.Stripped = true
		w.change.Final = true
		w.change.Summary = fmt.Sprintf("Deleted customer #%d for good", id)
		return nil
	})
	return err
}

// concernsCustomer reports whether a stored reminder or decision (JSON with
// a "customer" field) belongs to the customer.
func concernsCustomer(v []byte, id model.ID) bool {
	var r struct {
		Customer model.ID `json:"customer"`
	}
	return len(v) > 0 && decode(v, &r) == nil && r.Customer == id
}

// touchConcerns reports whether a recorded touch holds the customer's data:
// their record, their interactions and their index entries (whose keys hold
// their email and phone), reminders and decisions.
func touchConcerns(t Touch, id model.ID) bool {
	suffix := append([]byte{0}, idKey(id)...)
	switch t.Bucket {
	case string(bCustomers), string(bInteractions):
		return keyID(t.Key) == id
	case string(bByTime):
		return len(t.Before) == 8 && keyID(t.Before) == id
	case string(bInterIDs):
		return len(t.Before) >= 8 && keyID(t.Before) == id
	case string(bEmail), string(bPhone):
		return bytes.HasSuffix(t.Key, suffix)
	case string(bReminders), string(bDecisions):
		return concernsCustomer(t.Before, id)
	}
	return false
}

// purgeFromFeed removes a deleted customer from the change feed: every
// before-image and key that holds their data goes, changes that concerned
// them lose their summary, and changes that lost anything are marked Purged
// so that undo cannot bring back half of one.
func purgeFromFeed(tx *bolt.Tx, id model.ID, gone map[string]bool) error {
	b := tx.Bucket(bChanges)
	type upd struct {
		k []byte
		v []byte
	}
	var puts []upd
	err := b.ForEach(func(k, v []byte) error {
		var ch Change
		if err := decode(v, &ch); err != nil {
			return err
		}
		changed := false
		kept := ch.Touched[:0]
		for _, t := range ch.Touched {
			if gone[t.Bucket+"\x00"+string(t.Key)] || touchConcerns(t, id) {
				changed = true
				continue
			}
			kept = append(kept, t)
		}
		ch.Touched = kept
		if ch.Customer == id {
			ch.Summary = "A change to a customer since deleted"
			ch.Customer = 0
			changed = true
		}
		if !changed {
			return nil
		}
		ch.Purged = true
		enc, err := encode(&ch)
		if err != nil {
			return err
		}
		puts = append(puts, upd{append([]byte(nil), k...), enc})
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range puts {
		if err := b.Put(p.k, p.v); err != nil {
			return err
		}
	}
	return nil
}
