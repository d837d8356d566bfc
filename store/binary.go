package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/patron-crm/patron/model"
)

// The compact encoding of the two records there are many of: customers and
// interactions. JSON spent about 1.1 KB on a customer (the per-day loyalty
// facts alone were 40 bytes a day) and 140 bytes on an interaction, which
// made the file 2.5 times its JSON export (issue 9: at most twice). This is
// a tagged encoding in the manner of protocol buffers: every field is its tag
// and wire type, then a varint or a length and bytes; a field left at its
// zero value is not written; a field a reader does not know is skipped, so a
// field added by a newer Patron is ignored by an older one, as with JSON.
//
//	value  = valueBinary, record type ('c' or 'i'), field*
//	field  = uvarint(tag<<3 | wire), then uvarint (wire 0) or uvarint length and bytes (wire 2)
//
// Signed numbers are zigzag varints; a time is a length-prefixed varint of
// unix seconds, then a uvarint of nanoseconds when there are any; a nested
// record (a birthday, a month's figures) is length-prefixed fields; a list
// repeats its tag.
const (
	valueBinary = 2

	recCustomer    = 'c'
	recInteraction = 'i'

	wireVarint = 0
	wireBytes  = 2
)

// Tags. Never reuse or renumber one: files keep them for ever.
const (
	tiID = iota + 1
	tiCustomer
	tiAt
	tiKind
	tiChannel
	tiNote
	tiAmount
	tiScore
	tiCategory
	tiResolved
	tiResolvedAt
	tiResolution
	tiReferred
	tiPoints
	tiReward
)

const (
	tcID = iota + 1
	tcName
	tcPhone
	tcEmail
	tcAddress
	tcBirthday
	tcSince
	tcTags
	tcPreferences
	tcChannel
	tcSource
	tcReferredBy
	tcNotes
	tcNoContact
	tcStatus
	tcLostReason
	tcLostNote
	tcLostAt
	tcPartner
	tcCreated
	tcUpdated
	tcStats
)

const (
	tsInteractions = iota + 1
	tsVisits
	tsPurchases
	tsSpend
	tsPoints
	tsFirstVisit
	tsLastVisit
	tsFirstPurchase
	tsLastPurchase
	tsLastContact
	tsOpenComplaints
	tsMonths
	tsDays
	tsLastPurchaseNote
	tsLastPurchaseAmount
	tsRecentPurchases
	tsOpenComplaintList
	tsMedianGapDays
	tsPurchases6m
)

// binWriter appends fields to a record.
type binWriter struct{ b []byte }

func (w *binWriter) key(tag, wire int) {
	w.b = binary.AppendUvarint(w.b, uint64(tag)<<3|uint64(wire))
}

func (w *binWriter) uint(tag int, v uint64) {
	if v != 0 {
		w.key(tag, wireVarint)
		w.b = binary.AppendUvarint(w.b, v)
	}
}

func (w *binWriter) int(tag int, v int64) {
	if v != 0 {
		w.key(tag, wireVarint)
		w.b = binary.AppendVarint(w.b, v)
	}
}

func (w *binWriter) bool(tag int, v bool) {
	if v {
		w.uint(tag, 1)
	}
}

func (w *binWriter) str(tag int, s string) {
	if s != "" {
		w.key(tag, wireBytes)
		w.b = binary.AppendUvarint(w.b, uint64(len(s)))
		w.b = append(w.b, s...)
	}
}

func (w *binWriter) time(tag int, t time.Time) {
	if t.IsZero() {
		return
	}
	var buf [binary.MaxVarintLen64 * 2]byte
	n := binary.PutVarint(buf[:], t.Unix())
	if ns := t.Nanosecond(); ns != 0 {
		n += binary.PutUvarint(buf[n:], uint64(ns))
	}
	w.key(tag, wireBytes)
	w.b = binary.AppendUvarint(w.b, uint64(n))
	w.b = append(w.b, buf[:n]...)
}

// nested writes a record inside this one; fill writes its fields. An empty
// nested record is still written, so a list keeps its length.
func (w *binWriter) nested(tag int, fill func(*binWriter)) {
	w.key(tag, wireBytes)
	at := len(w.b)
	w.b = append(w.b, 0) // most nested records are under 128 bytes: one length byte
	fill(w)
	n := len(w.b) - at - 1
	if n < 0x80 {
		w.b[at] = byte(n)
		return
	}
	var lb [binary.MaxVarintLen64]byte
	ln := binary.PutUvarint(lb[:], uint64(n))
	w.b = append(w.b, lb[:ln-1]...) // room for the longer length
	copy(w.b[at+ln:], w.b[at+1:at+1+n])
	copy(w.b[at:], lb[:ln])
}

func encodeInteraction(in *model.Interaction) []byte {
	w := binWriter{b: make([]byte, 0, 64+len(in.Note)+len(in.Resolution))}
	w.b = append(w.b, valueBinary, recInteraction)
	w.uint(tiID, uint64(in.ID))
	w.uint(tiCustomer, uint64(in.Customer))
	w.time(tiAt, in.At)
	w.str(tiKind, string(in.Kind))
	w.str(tiChannel, in.Channel)
	w.str(tiNote, in.Note)
	w.int(tiAmount, int64(in.Amount))
	w.int(tiScore, int64(in.Score))
	w.str(tiCategory, in.Category)
	w.bool(tiResolved, in.Resolved)
	w.time(tiResolvedAt, in.ResolvedAt)
	w.str(tiResolution, in.Resolution)
	w.uint(tiReferred, uint64(in.Referred))
	w.int(tiPoints, in.Points)
	w.str(tiReward, in.Reward)
	return w.b
}

func encodeCustomer(c *model.Customer) []byte {
	w := binWriter{b: make([]byte, 0, 256+16*len(c.Stats.Days))}
	w.b = append(w.b, valueBinary, recCustomer)
	w.uint(tcID, uint64(c.ID))
	w.str(tcName, c.Name)
	w.str(tcPhone, c.Phone)
	w.str(tcEmail, c.Email)
	w.str(tcAddress, c.Address)
	if !c.Birthday.IsZero() {
		w.nested(tcBirthday, func(w *binWriter) {
			w.int(1, int64(c.Birthday.Year))
			w.int(2, int64(c.Birthday.Month))
			w.int(3, int64(c.Birthday.Day))
		})
	}
	w.time(tcSince, c.Since)
	for _, t := range c.Tags {
		w.key(tcTags, wireBytes) // every tag, even an empty one, keeps its place
		w.b = binary.AppendUvarint(w.b, uint64(len(t)))
		w.b = append(w.b, t...)
	}
	w.str(tcPreferences, c.Preferences)
	w.str(tcChannel, c.Channel)
	w.str(tcSource, c.Source)
	w.uint(tcReferredBy, uint64(c.ReferredBy))
	w.str(tcNotes, c.Notes)
	w.bool(tcNoContact, c.NoContact)
	w.str(tcStatus, string(c.Status))
	w.str(tcLostReason, c.LostReason)
	w.str(tcLostNote, c.LostNote)
	w.time(tcLostAt, c.LostAt)
	w.bool(tcPartner, c.Partner)
	w.time(tcCreated, c.Created)
	w.time(tcUpdated, c.Updated)
	if !isZeroStats(&c.Stats) {
		w.nested(tcStats, func(w *binWriter) { writeStats(w, &c.Stats) })
	}
	return w.b
}

func isZeroStats(s *model.Stats) bool {
	return s.Interactions == 0 && s.Visits == 0 && s.Purchases == 0 && s.Spend == 0 && s.Points == 0 &&
		s.FirstVisit.IsZero() && s.LastVisit.IsZero() && s.FirstPurchase.IsZero() && s.LastPurchase.IsZero() &&
		s.LastContact.IsZero() && s.OpenComplaints == 0 && s.Months == nil && s.Days == nil &&
		s.LastPurchaseNote == "" && s.LastPurchaseAmount == 0 && s.RecentPurchases == nil &&
		s.OpenComplaintList == nil && s.MedianGapDays == 0 && s.Purchases6m == 0
}

func writeStats(w *binWriter, s *model.Stats) {
	w.int(tsInteractions, int64(s.Interactions))
	w.int(tsVisits, int64(s.Visits))
	w.int(tsPurchases, int64(s.Purchases))
	w.int(tsSpend, int64(s.Spend))
	w.int(tsPoints, s.Points)
	w.time(tsFirstVisit, s.FirstVisit)
	w.time(tsLastVisit, s.LastVisit)
	w.time(tsFirstPurchase, s.FirstPurchase)
	w.time(tsLastPurchase, s.LastPurchase)
	w.time(tsLastContact, s.LastContact)
	w.int(tsOpenComplaints, int64(s.OpenComplaints))
	for i := range s.Months {
		m := &s.Months[i]
		w.nested(tsMonths, func(w *binWriter) {
			w.int(1, int64(m.Month))
			w.int(2, int64(m.Visits))
			w.int(3, int64(m.Purchases))
			w.int(4, int64(m.Spend))
			w.int(5, int64(m.Referrals))
			w.int(6, int64(m.FiveStars))
		})
	}
	for i := range s.Days {
		d := &s.Days[i]
		w.nested(tsDays, func(w *binWriter) {
			w.int(1, int64(d.Day))
			w.int(2, int64(d.Purchases))
			w.int(3, int64(d.Spend))
			w.int(4, int64(d.Referrals))
			w.int(5, int64(d.FiveStars))
			w.bool(6, d.Visit)
		})
	}
	w.str(tsLastPurchaseNote, s.LastPurchaseNote)
	w.int(tsLastPurchaseAmount, int64(s.LastPurchaseAmount))
	for i := range s.RecentPurchases {
		p := &s.RecentPurchases[i]
		w.nested(tsRecentPurchases, func(w *binWriter) {
			w.time(1, p.At)
			w.int(2, int64(p.Amount))
			w.str(3, p.Note)
		})
	}
	for i := range s.OpenComplaintList {
		f := &s.OpenComplaintList[i]
		w.nested(tsOpenComplaintList, func(w *binWriter) {
			w.uint(1, uint64(f.ID))
			w.time(2, f.At)
			w.str(3, f.Category)
		})
	}
	w.int(tsMedianGapDays, int64(s.MedianGapDays))
	w.int(tsPurchases6m, int64(s.Purchases6m))
}

// binReader walks the fields of one record.
type binReader struct {
	b   []byte
	err bool
	// The field just read.
	tag  int
	wire int
	num  uint64 // wire 0
	data []byte // wire 2
}

// next reads the next field; false at the end or on damage (then err).
func (r *binReader) next() bool {
	if len(r.b) == 0 || r.err {
		return false
	}
	k, n := binary.Uvarint(r.b)
	if n <= 0 || k>>3 == 0 || k>>3 > 1<<20 {
		r.err = true
		return false
	}
	r.b = r.b[n:]
	r.tag, r.wire = int(k>>3), int(k&7)
	switch r.wire {
	case wireVarint:
		v, n := binary.Uvarint(r.b)
		if n <= 0 {
			r.err = true
			return false
		}
		r.num, r.b = v, r.b[n:]
	case wireBytes:
		l, n := binary.Uvarint(r.b)
		if n <= 0 || l > uint64(len(r.b)-n) {
			r.err = true
			return false
		}
		r.data, r.b = r.b[n:n+int(l)], r.b[n+int(l):]
	default:
		r.err = true // a wire type no Patron writes: the record is damaged
		return false
	}
	return true
}

// The readers below return the zero value when the field has another wire
// type than expected; a newer Patron never changes a tag's type.
func (r *binReader) uint() uint64 {
	if r.wire != wireVarint {
		return 0
	}
	return r.num
}

func (r *binReader) int() int64 {
	if r.wire != wireVarint {
		return 0
	}
	return int64(r.num>>1) ^ -int64(r.num&1)
}

func (r *binReader) str() string {
	if r.wire != wireBytes {
		return ""
	}
	return string(r.data)
}

func (r *binReader) time() time.Time {
	if r.wire != wireBytes {
		return time.Time{}
	}
	sec, n := binary.Varint(r.data)
	if n <= 0 {
		r.err = true
		return time.Time{}
	}
	var ns uint64
	if n < len(r.data) {
		v, m := binary.Uvarint(r.data[n:])
		if m <= 0 || v >= 1e9 {
			r.err = true
			return time.Time{}
		}
		ns = v
	}
	return time.Unix(sec, int64(ns)).UTC()
}

// sub is a reader of the nested record just read.
func (r *binReader) sub() binReader {
	if r.wire != wireBytes {
		return binReader{}
	}
	return binReader{b: r.data}
}

var errBinaryRecord = fmt.Errorf("%w: a record cannot be read", ErrDamaged)

// binaryBody checks the head of a compact record and returns its fields.
func binaryBody(v []byte, rec byte) ([]byte, error) {
	if len(v) < 2 || v[0] != valueBinary {
		return nil, errBinaryRecord
	}
	if v[1] != rec {
		return nil, fmt.Errorf("%w: a record of another kind is where a %s should be", ErrDamaged, recName(rec))
	}
	return v[2:], nil
}

func recName(rec byte) string {
	switch rec {
	case recCustomer:
		return "customer"
	case recReminder:
		return "reminder"
	}
	return "interaction"
}

func decodeInteractionBinary(v []byte, in *model.Interaction) error {
	body, err := binaryBody(v, recInteraction)
	if err != nil {
		return err
	}
	*in = model.Interaction{}
	r := binReader{b: body}
	for r.next() {
		switch r.tag {
		case tiID:
			in.ID = model.ID(r.uint())
		case tiCustomer:
			in.Customer = model.ID(r.uint())
		case tiAt:
			in.At = r.time()
		case tiKind:
			in.Kind = model.Kind(r.str())
		case tiChannel:
			in.Channel = r.str()
		case tiNote:
			in.Note = r.str()
		case tiAmount:
			in.Amount = model.Money(r.int())
		case tiScore:
			in.Score = int(r.int())
		case tiCategory:
			in.Category = r.str()
		case tiResolved:
			in.Resolved = r.uint() != 0
		case tiResolvedAt:
			in.ResolvedAt = r.time()
		case tiResolution:
			in.Resolution = r.str()
		case tiReferred:
			in.Referred = model.ID(r.uint())
		case tiPoints:
			in.Points = r.int()
		case tiReward:
			in.Reward = r.str()
		}
	}
	if r.err {
		return errBinaryRecord
	}
	return nil
}

func decodeCustomerBinary(v []byte, c *model.Customer) error {
	body, err := binaryBody(v, recCustomer)
	if err != nil {
		return err
	}
	*c = model.Customer{}
	r := binReader{b: body}
	for r.next() {
		switch r.tag {
		case tcID:
			c.ID = model.ID(r.uint())
		case tcName:
			c.Name = r.str()
		case tcPhone:
			c.Phone = r.str()
		case tcEmail:
			c.Email = r.str()
		case tcAddress:
			c.Address = r.str()
		case tcBirthday:
			s := r.sub()
			for s.next() {
				switch s.tag {
				case 1:
					c.Birthday.Year = int(s.int())
				case 2:
					c.Birthday.Month = int(s.int())
				case 3:
					c.Birthday.Day = int(s.int())
				}
			}
			r.err = r.err || s.err
		case tcSince:
			c.Since = r.time()
		case tcTags:
			c.Tags = append(c.Tags, r.str())
		case tcPreferences:
			c.Preferences = r.str()
		case tcChannel:
			c.Channel = r.str()
		case tcSource:
			c.Source = r.str()
		case tcReferredBy:
			c.ReferredBy = model.ID(r.uint())
		case tcNotes:
			c.Notes = r.str()
		case tcNoContact:
			c.NoContact = r.uint() != 0
		case tcStatus:
			c.Status = model.Status(r.str())
		case tcLostReason:
			c.LostReason = r.str()
		case tcLostNote:
			c.LostNote = r.str()
		case tcLostAt:
			c.LostAt = r.time()
		case tcPartner:
			c.Partner = r.uint() != 0
		case tcCreated:
			c.Created = r.time()
		case tcUpdated:
			c.Updated = r.time()
		case tcStats:
			s := r.sub()
			readStats(&s, &c.Stats)
			r.err = r.err || s.err
		}
	}
	if r.err {
		return errBinaryRecord
	}
	return nil
}

func readStats(r *binReader, s *model.Stats) {
	// Each list made at its size: grown by append, a year of day facts
	// holds a third more than it uses, for as long as the record is kept
	// (the TUI keeps every customer's).
	var months, days, recent, complaints int
	for c := (binReader{b: r.b}); c.next(); {
		switch c.tag {
		case tsMonths:
			months++
		case tsDays:
			days++
		case tsRecentPurchases:
			recent++
		case tsOpenComplaintList:
			complaints++
		}
	}
	if months > 0 {
		s.Months = make([]model.MonthStats, 0, months)
	}
	if days > 0 {
		s.Days = make([]model.DayStats, 0, days)
	}
	if recent > 0 {
		s.RecentPurchases = make([]model.PurchaseFact, 0, recent)
	}
	if complaints > 0 {
		s.OpenComplaintList = make([]model.ComplaintFact, 0, complaints)
	}
	for r.next() {
		switch r.tag {
		case tsInteractions:
			s.Interactions = int(r.int())
		case tsVisits:
			s.Visits = int(r.int())
		case tsPurchases:
			s.Purchases = int(r.int())
		case tsSpend:
			s.Spend = model.Money(r.int())
		case tsPoints:
			s.Points = r.int()
		case tsFirstVisit:
			s.FirstVisit = r.time()
		case tsLastVisit:
			s.LastVisit = r.time()
		case tsFirstPurchase:
			s.FirstPurchase = r.time()
		case tsLastPurchase:
			s.LastPurchase = r.time()
		case tsLastContact:
			s.LastContact = r.time()
		case tsOpenComplaints:
			s.OpenComplaints = int(r.int())
		case tsMonths:
			var m model.MonthStats
			f := r.sub()
			for f.next() {
				switch f.tag {
				case 1:
					m.Month = int(f.int())
				case 2:
					m.Visits = int(f.int())
				case 3:
					m.Purchases = int(f.int())
				case 4:
					m.Spend = model.Money(f.int())
				case 5:
					m.Referrals = int(f.int())
				case 6:
					m.FiveStars = int(f.int())
				}
			}
			r.err = r.err || f.err
			s.Months = append(s.Months, m)
		case tsDays:
			var d model.DayStats
			f := r.sub()
			for f.next() {
				switch f.tag {
				case 1:
					d.Day = int32(f.int())
				case 2:
					d.Purchases = int32(f.int())
				case 3:
					d.Spend = model.Money(f.int())
				case 4:
					d.Referrals = int16(f.int())
				case 5:
					d.FiveStars = int16(f.int())
				case 6:
					d.Visit = f.uint() != 0
				}
			}
			r.err = r.err || f.err
			s.Days = append(s.Days, d)
		case tsLastPurchaseNote:
			s.LastPurchaseNote = r.str()
		case tsLastPurchaseAmount:
			s.LastPurchaseAmount = model.Money(r.int())
		case tsRecentPurchases:
			var p model.PurchaseFact
			f := r.sub()
			for f.next() {
				switch f.tag {
				case 1:
					p.At = f.time()
				case 2:
					p.Amount = model.Money(f.int())
				case 3:
					p.Note = f.str()
				}
			}
			r.err = r.err || f.err
			s.RecentPurchases = append(s.RecentPurchases, p)
		case tsOpenComplaintList:
			var cf model.ComplaintFact
			f := r.sub()
			for f.next() {
				switch f.tag {
				case 1:
					cf.ID = model.ID(f.uint())
				case 2:
					cf.At = f.time()
				case 3:
					cf.Category = f.str()
				}
			}
			r.err = r.err || f.err
			s.OpenComplaintList = append(s.OpenComplaintList, cf)
		case tsMedianGapDays:
			s.MedianGapDays = int(r.int())
		case tsPurchases6m:
			s.Purchases6m = int(r.int())
		}
	}
}

// decodeBinary reads a compact record into v: a customer or an interaction,
// or any other type the record's JSON would fill (a reader wanting only a
// few fields), by way of the full record.
func decodeBinary(b []byte, v any) error {
	switch t := v.(type) {
	case *model.Interaction:
		return decodeInteractionBinary(b, t)
	case *model.Customer:
		return decodeCustomerBinary(b, t)
	}
	var full any
	switch b[1] {
	case recCustomer:
		var c model.Customer
		if err := decodeCustomerBinary(b, &c); err != nil {
			return err
		}
		full = c
	case recInteraction:
		var in model.Interaction
		if err := decodeInteractionBinary(b, &in); err != nil {
			return err
		}
		full = in
	default:
		return errBinaryRecord
	}
	j, err := json.Marshal(full)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(j, v); err != nil {
		return fmt.Errorf("%w: a record cannot be read: %v", ErrDamaged, err)
	}
	return nil
}

// binaryField finds a top-level field of a compact record without decoding
// the rest: for the log's and the merge's quick looks at a million records.
func binaryField(v []byte, tag int) (binReader, bool) {
	if len(v) < 2 || v[0] != valueBinary {
		return binReader{}, false
	}
	r := binReader{b: v[2:]}
	for r.next() {
		if r.tag == tag {
			return r, true
		}
	}
	return binReader{err: r.err}, false
}

// summaryFromBinary is summaryFromRecord for a compact record.
func summaryFromBinary(v []byte) (CustomerSummary, error) {
	var c model.Customer
	if err := decodeCustomerBinary(v, &c); err != nil {
		return CustomerSummary{}, err
	}
	s := c.Stats
	return CustomerSummary{
		ID: c.ID, Name: c.Name, Phone: c.Phone, Email: c.Email, Tags: c.Tags,
		Preferences: c.Preferences, Notes: c.Notes, Status: c.Status, Partner: c.Partner, NoContact: c.NoContact,
		Stats: SummaryStats{
			Interactions: s.Interactions, Visits: s.Visits, Purchases: s.Purchases, Spend: s.Spend,
			Points: s.Points, OpenComplaints: s.OpenComplaints, FirstVisit: s.FirstVisit,
			LastVisit: s.LastVisit, LastPurchase: s.LastPurchase, LastContact: s.LastContact,
		},
	}, nil
}

// nameOfBinary is the name in a compact customer record.
func nameOfBinary(v []byte) (string, error) {
	if _, err := binaryBody(v, recCustomer); err != nil {
		return "", err
	}
	r, _ := binaryField(v, tcName)
	if r.err {
		return "", errBinaryRecord
	}
	return r.str(), nil
}

// mayHaveOpenComplaints is false only for a customer record sure to have no
// open complaint in its list: the log's walk of every customer skips them
// without decoding.
func mayHaveOpenComplaints(v []byte) bool {
	if len(v) < 2 {
		return false
	}
	if v[0] != valueBinary {
		return bytes.Contains(v, []byte(`"open_complaint_list":`))
	}
	st, ok := binaryField(v, tcStats)
	if !ok {
		return st.err // damage: let the decoder say so
	}
	r := st.sub()
	for r.next() {
		if r.tag == tsOpenComplaintList {
			return true
		}
	}
	return r.err
}

// mayName is false only for a record sure not to hold id in the field tag
// (JSON records: not to hold needle at all), so a merge reads few records.
func mayName(v, needle []byte, tag int, id model.ID) bool {
	if len(v) < 2 || v[0] != valueBinary {
		return bytes.Contains(v, needle)
	}
	r, ok := binaryField(v, tag)
	return r.err || ok && model.ID(r.uint()) == id
}

// scanBinary is scanRecord for a compact record: it fills the fields the
// figures read and stops after the kind when stop says so. It returns false
// for a damaged record, which the caller then decodes to report.
func scanBinary(v []byte, in *model.Interaction, stop func(model.Kind) bool) bool {
	if v[1] != recInteraction {
		return false
	}
	r := binReader{b: v[2:]}
	kind := false
	for r.next() {
		switch r.tag {
		case tiKind:
			in.Kind = model.Kind(r.str())
			kind = in.Kind != ""
			if stop(in.Kind) {
				return true
			}
		case tiAmount:
			in.Amount = model.Money(r.int())
		case tiScore:
			in.Score = int(r.int())
		case tiCategory:
			in.Category = r.str()
		case tiResolved:
			in.Resolved = r.uint() != 0
		case tiResolvedAt:
			in.ResolvedAt = r.time()
		}
	}
	return kind && !r.err
}
