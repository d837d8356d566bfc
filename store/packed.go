package store

import (
	bolt "go.etcd.io/bbolt"

	"github.com/patron-crm/patron/model"
)

// Packed is a customer's whole record in the compact form the file keeps
// (binary.go), for a caller that holds every customer and reads each only
// now and then: the TUI keeps 100,000 of them in about 40 MB, where the
// decoded records take 150 MB. Unpack gives the record; a Packed is never
// changed once made, so it is safe to share between goroutines.
type Packed []byte

// Pack is c in the compact form.
func Pack(c *model.Customer) Packed { return encodeCustomer(c) }

// Unpack decodes the record. It fails only on bytes that did not come from
// Pack or PackedCustomersPage.
func (p Packed) Unpack() (model.Customer, error) {
	var c model.Customer
	err := decodeCustomerBinary(p, &c)
	return c, err
}

// PackedPage is a page of packed customers in id order; the records share
// one allocation.
type PackedPage struct {
	IDs     []model.ID
	Records []Packed
	More    bool // more customers follow the page
}

// PackedCustomersPage reads up to limit customers with ids above after, in
// id order, packed. Each record is read through once on the way, so a
// damaged one is reported here, as CustomersPage does, and never later;
// one written before schema 5 (JSON) is packed afresh.
func (s *Store) PackedCustomersPage(after model.ID, limit int) (PackedPage, error) {
	var page PackedPage
	err := s.view(func(tx *bolt.Tx) error {
		var buf []byte
		var ends []int
		var scratch model.Customer
		c := tx.Bucket(bCustomers).Cursor()
		for k, v := c.Seek(idKey(after + 1)); k != nil; k, v = c.Next() {
			if len(page.IDs) >= limit {
				page.More = true
				break
			}
			scratch = model.Customer{} // JSON would keep the last one's fields
			if err := decode(v, &scratch); err != nil {
				return err
			}
			if v[0] != valueBinary {
				v = encodeCustomer(&scratch)
			}
			buf = append(buf, v...)
			ends = append(ends, len(buf))
			page.IDs = append(page.IDs, keyID(k))
		}
		// The page is kept for as long as Patron is open: exactly its size.
		held := make([]byte, len(buf))
		copy(held, buf)
		page.Records = make([]Packed, len(ends))
		start := 0
		for i, end := range ends {
			page.Records[i] = Packed(held[start:end:end])
			start = end
		}
		return nil
	})
	return page, err
}
