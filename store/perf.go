package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/patron-crm/patron/model"
)

// The Customers list reads a compact summary of every customer, in name
// order, from its own bucket: decoding 100,000 full records (about a
// kilobyte of JSON each, most of it per-day loyalty facts) took seconds,
// the summaries take a fraction of that, and the first page by name is the
// first few keys. The bucket is derived from the customers bucket: every
// write of a customer record through a wtx keeps it in step (keepList), in
// the same transaction, without recording it in the change feed (undo
// restores the record, and the record brings its summary back).
var bCustomerList = []byte("customer_list") // SortName(name) \x00 id -> summary

// CustomerSummary is what the Customers list and its search need of a
// customer. Its fields are named as model.Customer's, so code that draws a
// row reads the same either way; the rest of the record (address,
// birthday, the per-month and per-day facts) is read when a customer is
// opened.
type CustomerSummary struct {
	ID          model.ID
	Name        string
	Phone       string
	Email       string
	Tags        []string
	Preferences string
	Notes       string
	Status      model.Status
	Partner     bool
	NoContact   bool
	Stats       SummaryStats
}

// SummaryStats are the aggregates a list row shows or sorts by.
type SummaryStats struct {
	Interactions   int
	Visits         int
	Purchases      int
	Spend          model.Money
	Points         int64
	OpenComplaints int
	FirstVisit     time.Time
	LastVisit      time.Time
	LastPurchase   time.Time
	LastContact    time.Time
}

// Active reports whether the customer shows in the list by default.
func (c *CustomerSummary) Active() bool { return c.Status == "" || c.Status == model.StatusActive }

// HasTag reports whether the customer carries tag (case-insensitive).
func (c *CustomerSummary) HasTag(tag string) bool {
	for _, t := range c.Tags {
		if strings.EqualFold(t, tag) {
			return true
		}
	}
	return false
}

// Customer is the summary as a model.Customer with only the summary's
// fields filled: enough to name, archive or delete them, never to edit
// them (read the whole record for that).
func (c *CustomerSummary) Customer() model.Customer {
	return model.Customer{
		ID: c.ID, Name: c.Name, Phone: c.Phone, Email: c.Email, Tags: c.Tags,
		Preferences: c.Preferences, Notes: c.Notes, Status: c.Status, Partner: c.Partner, NoContact: c.NoContact,
		Stats: model.Stats{
			Interactions: c.Stats.Interactions, Visits: c.Stats.Visits, Purchases: c.Stats.Purchases,
			Spend: c.Stats.Spend, Points: c.Stats.Points, OpenComplaints: c.Stats.OpenComplaints,
			FirstVisit: c.Stats.FirstVisit, LastVisit: c.Stats.LastVisit,
			LastPurchase: c.Stats.LastPurchase, LastContact: c.Stats.LastContact,
		},
	}
}

// SummaryOf is the summary of a whole customer record.
func SummaryOf(c *model.Customer) CustomerSummary {
	return CustomerSummary{
		ID: c.ID, Name: c.Name, Phone: c.Phone, Email: c.Email, Tags: c.Tags,
		Preferences: c.Preferences, Notes: c.Notes, Status: c.Status, Partner: c.Partner, NoContact: c.NoContact,
		Stats: SummaryStats{
			Interactions: c.Stats.Interactions, Visits: c.Stats.Visits, Purchases: c.Stats.Purchases,
			Spend: c.Stats.Spend, Points: c.Stats.Points, OpenComplaints: c.Stats.OpenComplaints,
			FirstVisit: c.Stats.FirstVisit, LastVisit: c.Stats.LastVisit,
			LastPurchase: c.Stats.LastPurchase, LastContact: c.Stats.LastContact,
		},
	}
}

// SortName is the key the list sorts names by: what is drawn, lower case.
// The list bucket's keys start with it, so both orders agree.
func SortName(name string) string { return strings.ToLower(model.Sanitize(name)) }

// listKey is SortName \x00 id: names in order, the same name by id.
func listKey(name string, id model.ID) []byte {
	n := SortName(name)
	k := make([]byte, 0, len(n)+9)
	k = append(k, n...)
	k = append(k, 0)
	return append(k, idKey(id)...)
}

// listKeyID is the id at the end of a list key.
func listKeyID(k []byte) model.ID {
	if len(k) < 9 {
		return 0
	}
	return keyID(k[len(k)-8:])
}

// A summary is a version byte and then fields, each a tag byte, a length
// and the bytes: a field added later is skipped by an older reader, and
// reading one costs no reflection. Numbers are varints, times unix seconds.
const summaryVersion = 1

const (
	sumName byte = iota + 1
	sumPhone
	sumEmail
	sumTag // once per tag
	sumPreferences
	sumNotes
	sumStatus
	sumFlags // bit 0 partner, bit 1 no contact
	sumInteractions
	sumVisits
	sumPurchases
	sumSpend
	sumPoints
	sumOpenComplaints
	sumFirstVisit
	sumLastVisit
	sumLastPurchase
	sumLastContact
)

func appendSummary(b []byte, c *CustomerSummary) []byte {
	b = append(b, summaryVersion)
	str := func(tag byte, s string) {
		if s == "" {
			return
		}
		b = append(b, tag)
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	put := func(tag byte, n int64) {
		var tmp [binary.MaxVarintLen64]byte
		m := binary.PutVarint(tmp[:], n)
		b = append(b, tag, byte(m))
		b = append(b, tmp[:m]...)
	}
	num := func(tag byte, n int64) {
		if n != 0 {
			put(tag, n)
		}
	}
	when := func(tag byte, t time.Time) {
		if !t.IsZero() {
			put(tag, t.Unix()) // the epoch itself too: only the zero time is left out
		}
	}
	str(sumName, c.Name)
	str(sumPhone, c.Phone)
	str(sumEmail, c.Email)
	for _, t := range c.Tags {
		str(sumTag, t)
	}
	str(sumPreferences, c.Preferences)
	str(sumNotes, c.Notes)
	str(sumStatus, string(c.Status))
	var flags int64
	if c.Partner {
		flags |= 1
	}
	if c.NoContact {
		flags |= 2
	}
	num(sumFlags, flags)
	num(sumInteractions, int64(c.Stats.Interactions))
	num(sumVisits, int64(c.Stats.Visits))
	num(sumPurchases, int64(c.Stats.Purchases))
	num(sumSpend, int64(c.Stats.Spend))
	num(sumPoints, c.Stats.Points)
	num(sumOpenComplaints, int64(c.Stats.OpenComplaints))
	when(sumFirstVisit, c.Stats.FirstVisit)
	when(sumLastVisit, c.Stats.LastVisit)
	when(sumLastPurchase, c.Stats.LastPurchase)
	when(sumLastContact, c.Stats.LastContact)
	return b
}

// decodeSummary reads a summary written by appendSummary (or a later one).
// It never panics on damaged bytes: it says the record cannot be read.
func decodeSummary(v []byte, id model.ID, out *CustomerSummary) error {
	*out = CustomerSummary{ID: id}
	if len(v) == 0 || v[0] == 0 {
		return fmt.Errorf("%w: the list entry of customer #%d is empty", ErrDamaged, id)
	}
	bad := func() error { return fmt.Errorf("%w: the list entry of customer #%d cannot be read", ErrDamaged, id) }
	for i := 1; i < len(v); {
		tag := v[i]
		n, w := binary.Uvarint(v[i+1:])
		if w <= 0 || n > uint64(len(v)-i-1-w) {
			return bad()
		}
		field := v[i+1+w : i+1+w+int(n)]
		i += 1 + w + int(n)
		if tag >= sumFlags && tag <= sumLastContact {
			if _, m := binary.Varint(field); m <= 0 {
				return bad()
			}
		}
		switch tag {
		case sumName:
			out.Name = string(field)
		case sumPhone:
			out.Phone = string(field)
		case sumEmail:
			out.Email = string(field)
		case sumTag:
			out.Tags = append(out.Tags, string(field))
		case sumPreferences:
			out.Preferences = string(field)
		case sumNotes:
			out.Notes = string(field)
		case sumStatus:
			out.Status = model.Status(field)
		default:
			setSummaryNumber(out, tag, field)
		}
	}
	return nil
}

// summaryFields is what a summary needs of a stored customer record; JSON
// skips the rest (the per-month and per-day facts) without building it.
type summaryFields struct {
	ID          model.ID     `json:"id"`
	Name        string       `json:"name"`
	Phone       string       `json:"phone"`
	Email       string       `json:"email"`
	Tags        []string     `json:"tags"`
	Preferences string       `json:"preferences"`
	Notes       string       `json:"notes"`
	Status      model.Status `json:"status"`
	Partner     bool         `json:"partner"`
	NoContact   bool         `json:"no_contact"`
	Stats       struct {
		Interactions   int         `json:"interactions"`
		Visits         int         `json:"visits"`
		Purchases      int         `json:"purchases"`
		Spend          model.Money `json:"spend"`
		Points         int64       `json:"points"`
		OpenComplaints int         `json:"open_complaints"`
		FirstVisit     time.Time   `json:"first_visit"`
		LastVisit      time.Time   `json:"last_visit"`
		LastPurchase   time.Time   `json:"last_purchase"`
		LastContact    time.Time   `json:"last_contact"`
	} `json:"stats"`
}

// summaryFromRecord reads the summary of a stored customer record.
func summaryFromRecord(v []byte) (CustomerSummary, error) {
	if len(v) < 2 || v[0] == 0 {
		return CustomerSummary{}, fmt.Errorf("%w: a record is empty or unreadable", ErrDamaged)
	}
	if v[0] == valueBinary {
		return summaryFromBinary(v)
	}
	var f summaryFields
	if err := json.Unmarshal(v[1:], &f); err != nil {
		return CustomerSummary{}, fmt.Errorf("%w: a record cannot be read: %v", ErrDamaged, err)
	}
	s := f.Stats
	return CustomerSummary{
		ID: f.ID, Name: f.Name, Phone: f.Phone, Email: f.Email, Tags: f.Tags,
		Preferences: f.Preferences, Notes: f.Notes, Status: f.Status, Partner: f.Partner, NoContact: f.NoContact,
		Stats: SummaryStats{
			Interactions: s.Interactions, Visits: s.Visits, Purchases: s.Purchases, Spend: s.Spend,
			Points: s.Points, OpenComplaints: s.OpenComplaints, FirstVisit: s.FirstVisit,
			LastVisit: s.LastVisit, LastPurchase: s.LastPurchase, LastContact: s.LastContact,
		},
	}, nil
}

// nameOfRecord is the name in a stored customer record, for finding its
// list key; the name is near the start, so only that much is read.
func nameOfRecord(v []byte) (string, error) {
	if len(v) > 1 && v[0] == valueBinary {
		return nameOfBinary(v)
	}
	const lead = `{"id":`
	if len(v) > 1 && bytes.HasPrefix(v[1:], []byte(lead)) {
		// {"id":123,"name":"..." : read just the name when it is plain.
		rest := v[1+len(lead):]
		if i := bytes.IndexByte(rest, ','); i > 0 {
			rest = rest[i+1:]
			if s, ok := bytes.CutPrefix(rest, []byte(`"name":"`)); ok {
				if j := bytes.IndexByte(s, '"'); j >= 0 && bytes.IndexByte(s[:j], '\\') < 0 {
					return string(s[:j]), nil
				}
			}
		}
	}
	var f struct {
		Name string `json:"name"`
	}
	if len(v) < 2 || v[0] == 0 {
		return "", fmt.Errorf("%w: a record is empty or unreadable", ErrDamaged)
	}
	if err := json.Unmarshal(v[1:], &f); err != nil {
		return "", fmt.Errorf("%w: a record cannot be read: %v", ErrDamaged, err)
	}
	return f.Name, nil
}

// keepList keeps the list bucket in step with a write to the customers
// bucket: value is the record about to be stored under key, nil when it is
// being deleted. Writes to other buckets pass through untouched.
func (w *wtx) keepList(bucket, key, value []byte) error {
	if !bytes.Equal(bucket, bCustomers) {
		return nil
	}
	list := w.tx.Bucket(bCustomerList)
	if list == nil {
		return nil // a file before the list existed: its migration builds it
	}
	id := keyID(key)
	if old := w.tx.Bucket(bCustomers).Get(key); old != nil {
		name, err := nameOfRecord(old)
		if err != nil {
			return err
		}
		if err := list.Delete(listKey(name, id)); err != nil {
			return err
		}
	}
	if value == nil {
		return nil
	}
	sum, err := summaryFromRecord(value)
	if err != nil {
		return err
	}
	sum.ID = id
	return list.Put(listKey(sum.Name, id), appendSummary(nil, &sum))
}

// customerOf is v as a customer record when it is one being written to
// the customers bucket, else nil.
func customerOf(bucket []byte, v any) *model.Customer {
	if !bytes.Equal(bucket, bCustomers) {
		return nil
	}
	switch c := v.(type) {
	case *model.Customer:
		return c
	case model.Customer:
		return &c
	}
	return nil
}

// putCustomerRecord is put for a customer record whose decoded form c is at
// hand: the list's summary is made from c instead of decoding value again
// (a save's customer record is a kilobyte or more of JSON).
func (w *wtx) putCustomerRecord(key, value []byte, c *model.Customer) error {
	w.remember(bCustomers, key)
	if list := w.tx.Bucket(bCustomerList); list != nil {
		id := keyID(key)
		if old := w.tx.Bucket(bCustomers).Get(key); old != nil {
			name, err := nameOfRecord(old)
			if err != nil {
				return err
			}
			if err := list.Delete(listKey(name, id)); err != nil {
				return err
			}
		}
		sum := SummaryOf(c)
		sum.ID = id
		if err := list.Put(listKey(sum.Name, id), appendSummary(nil, &sum)); err != nil {
			return err
		}
	}
	return w.tx.Bucket(bCustomers).Put(key, value)
}

// migrateCustomerList builds the list bucket from the customers, sorted
// first so the pages are filled whole.
func migrateCustomerList(tx *bolt.Tx) error {
	if err := tx.DeleteBucket(bCustomerList); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
		return err
	}
	list, err := tx.CreateBucket(bCustomerList)
	if err != nil {
		return err
	}
	type kv struct{ k, v []byte }
	var all []kv
	err = tx.Bucket(bCustomers).ForEach(func(k, v []byte) error {
		sum, err := summaryFromRecord(v)
		if err != nil {
			return err
		}
		sum.ID = keyID(k)
		all = append(all, kv{listKey(sum.Name, sum.ID), appendSummary(nil, &sum)})
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(all, func(a, b kv) int { return bytes.Compare(a.k, b.k) })
	list.FillPercent = 1.0
	for _, e := range all {
		if err := list.Put(e.k, e.v); err != nil {
			return err
		}
	}
	return nil
}

// ListCursor marks a place in the Customers list's name order; nil is the
// start.
type ListCursor []byte

// CustomerList reads up to limit customer summaries in name order after
// cursor, and the cursor for the next page (nil when none follow). A page
// of 5,000 is one short read of the file.
func (s *Store) CustomerList(after ListCursor, limit int) ([]CustomerSummary, ListCursor, error) {
	var out []CustomerSummary
	var next ListCursor
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bCustomerList)
		if b == nil {
			return fmt.Errorf("%w: it has no customer list (its layout was not updated)", ErrDamaged)
		}
		out = make([]CustomerSummary, 0, min(limit, 8192))
		c := b.Cursor()
		var k, v []byte
		if after == nil {
			k, v = c.First()
		} else if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
			k, v = c.Next()
		}
		var last []byte
		for ; k != nil; k, v = c.Next() {
			if len(out) >= limit {
				next = append(ListCursor(nil), last...) // more follow: the next page starts after this one's last
				break
			}
			last = k
			out = append(out, CustomerSummary{})
			if err := decodeSummary(v, listKeyID(k), &out[len(out)-1]); err != nil {
				return err
			}
		}
		return nil
	})
	return out, next, err
}

// ListCount says how many customers the list holds, counting keys on the
// list's pages (a few milliseconds at 100,000) instead of walking the
// customers bucket's large records.
func (s *Store) ListCount() (int, error) {
	n := 0
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bCustomerList)
		if b == nil {
			return fmt.Errorf("%w: it has no customer list (its layout was not updated)", ErrDamaged)
		}
		n = b.Stats().KeyN
		return nil
	})
	return n, err
}

// CustomerSummaries reads the summaries of the given customers (from
// their records, which are up to date even mid-change); missing ones are
// left out.
func (s *Store) CustomerSummaries(ids []model.ID) ([]CustomerSummary, error) {
	var out []CustomerSummary
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bCustomers)
		for _, id := range ids {
			v := b.Get(idKey(id))
			if v == nil {
				continue
			}
			sum, err := summaryFromRecord(v)
			if err != nil {
				return err
			}
			sum.ID = id
			out = append(out, sum)
		}
		return nil
	})
	return out, err
}

// checkList compares the list bucket with what the customers bucket says
// it should hold, and says what differs (nil when they agree).
func checkList(tx *bolt.Tx) error {
	want := map[string][]byte{}
	err := tx.Bucket(bCustomers).ForEach(func(k, v []byte) error {
		sum, err := summaryFromRecord(v)
		if err != nil {
			return err
		}
		sum.ID = keyID(k)
		want[string(listKey(sum.Name, sum.ID))] = appendSummary(nil, &sum)
		return nil
	})
	if err != nil {
		return err
	}
	b := tx.Bucket(bCustomerList)
	if b == nil {
		return fmt.Errorf("no customer list")
	}
	n := 0
	err = b.ForEach(func(k, v []byte) error {
		n++
		w, ok := want[string(k)]
		switch {
		case !ok:
			return fmt.Errorf("the list has %q, which no customer is", k)
		case !bytes.Equal(w, v):
			return fmt.Errorf("the list entry %q is out of date", k)
		}
		return nil
	})
	if err == nil && n != len(want) {
		err = fmt.Errorf("the list has %d entries for %d customers", n, len(want))
	}
	return err
}
