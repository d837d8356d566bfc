package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patron-crm/patron/model"
)

// ListPage is a page of the Customers list, as CustomerList reads it, with
// every summary's text (names, phones, emails, tags, preferences, notes and
// the sort names) in one string and every tag in one slice: at 100,000
// customers a string each was 600,000 small allocations, rounded up, that
// the garbage collector walked for as long as the list was open.
type ListPage struct {
	Summaries []CustomerSummary
	SortNames []string   // SortName of each summary's name, from the list's keys
	Next      ListCursor // where the next page starts; nil when none follow
}

// CustomerListPage reads up to limit summaries in name order after cursor,
// as CustomerList does, into a ListPage.
func (s *Store) CustomerListPage(after ListCursor, limit int) (ListPage, error) {
	var page ListPage
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bCustomerList)
		if b == nil {
			return fmt.Errorf("%w: it has no customer list (its layout was not updated)", ErrDamaged)
		}
		// First the keys and values (valid until the read ends) and how much
		// text they hold, then the text copied once, then the summaries.
		type kv struct{ k, v []byte }
		kvs := make([]kv, 0, min(limit, 8192))
		size, tags := 0, 0
		c := b.Cursor()
		var k, v []byte
		if after == nil {
			k, v = c.First()
		} else if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
			k, v = c.Next()
		}
		for ; k != nil; k, v = c.Next() {
			if len(kvs) >= limit {
				page.Next = append(ListCursor(nil), kvs[len(kvs)-1].k...)
				break
			}
			id := listKeyID(k)
			n, t, err := summaryText(v, id)
			if err != nil {
				return err
			}
			size += max(0, len(k)-9) + n
			tags += t
			kvs = append(kvs, kv{k, v})
		}
		var text strings.Builder
		text.Grow(size)
		for _, e := range kvs {
			text.Write(e.k[:max(0, len(e.k)-9)])
			walkSummary(e.v, func(tag byte, field []byte) {
				if isSummaryText(tag) {
					text.Write(field)
				}
			})
		}
		arena := text.String()
		tagArena := make([]string, 0, tags)
		page.Summaries = make([]CustomerSummary, len(kvs))
		page.SortNames = make([]string, len(kvs))
		at := 0
		take := func(n int) string {
			s := arena[at : at+n]
			at += n
			return s
		}
		for i, e := range kvs {
			page.SortNames[i] = take(max(0, len(e.k)-9))
			out := &page.Summaries[i]
			*out = CustomerSummary{ID: listKeyID(e.k)}
			from := len(tagArena)
			walkSummary(e.v, func(tag byte, field []byte) {
				if isSummaryText(tag) {
					s := take(len(field))
					switch tag {
					case sumName:
						out.Name = s
					case sumPhone:
						out.Phone = s
					case sumEmail:
						out.Email = s
					case sumTag:
						tagArena = append(tagArena, s)
					case sumPreferences:
						out.Preferences = s
					case sumNotes:
						out.Notes = s
					case sumStatus:
						out.Status = model.Status(s)
					}
					return
				}
				setSummaryNumber(out, tag, field)
			})
			if len(tagArena) > from {
				out.Tags = tagArena[from:len(tagArena):len(tagArena)]
			}
		}
		return nil
	})
	return page, err
}

// isSummaryText reports whether a summary field of this tag is text.
func isSummaryText(tag byte) bool { return tag >= sumName && tag <= sumStatus }

// walkSummary calls fn with each field of a summary known to be whole
// (summaryText said so).
func walkSummary(v []byte, fn func(tag byte, field []byte)) {
	for i := 1; i < len(v); {
		n, w := binary.Uvarint(v[i+1:])
		fn(v[i], v[i+1+w:i+1+w+int(n)])
		i += 1 + w + int(n)
	}
}

// summaryText checks a summary's bytes as decodeSummary does, and says how
// many bytes of text and how many tags it holds.
func summaryText(v []byte, id model.ID) (text, tags int, err error) {
	if len(v) == 0 || v[0] == 0 {
		return 0, 0, fmt.Errorf("%w: the list entry of customer #%d is empty", ErrDamaged, id)
	}
	for i := 1; i < len(v); {
		tag := v[i]
		n, w := binary.Uvarint(v[i+1:])
		if w <= 0 || n > uint64(len(v)-i-1-w) {
			return 0, 0, fmt.Errorf("%w: the list entry of customer #%d cannot be read", ErrDamaged, id)
		}
		field := v[i+1+w : i+1+w+int(n)]
		i += 1 + w + int(n)
		switch {
		case isSummaryText(tag):
			text += len(field)
			if tag == sumTag {
				tags++
			}
		case tag >= sumFlags && tag <= sumLastContact:
			if _, m := binary.Varint(field); m <= 0 {
				return 0, 0, fmt.Errorf("%w: the list entry of customer #%d cannot be read", ErrDamaged, id)
			}
		}
	}
	return text, tags, nil
}

// setSummaryNumber sets the number field of this tag (unknown tags, from a
// later version, are skipped).
func setSummaryNumber(out *CustomerSummary, tag byte, field []byte) {
	if tag < sumFlags || tag > sumLastContact {
		return
	}
	num, _ := binary.Varint(field)
	switch tag {
	case sumFlags:
		out.Partner, out.NoContact = num&1 != 0, num&2 != 0
	case sumInteractions:
		out.Stats.Interactions = int(num)
	case sumVisits:
		out.Stats.Visits = int(num)
	case sumPurchases:
		out.Stats.Purchases = int(num)
	case sumSpend:
		out.Stats.Spend = model.Money(num)
	case sumPoints:
		out.Stats.Points = num
	case sumOpenComplaints:
		out.Stats.OpenComplaints = int(num)
	case sumFirstVisit:
		out.Stats.FirstVisit = time.Unix(num, 0).UTC()
	case sumLastVisit:
		out.Stats.LastVisit = time.Unix(num, 0).UTC()
	case sumLastPurchase:
		out.Stats.LastPurchase = time.Unix(num, 0).UTC()
	case sumLastContact:
		out.Stats.LastContact = time.Unix(num, 0).UTC()
	}
}
