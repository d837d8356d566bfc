package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store/exchange"
)

// ExportFormat is a kind of file Export writes.
type ExportFormat string

// The exports.
const (
	ExportCustomersCSV    ExportFormat = "csv"              // customers, one row each, all fields
	ExportInteractionsCSV ExportFormat = "csv-interactions" // the interaction log, oldest first
	ExportVCard           ExportFormat = "vcard"            // every customer as a vCard
	ExportJSON            ExportFormat = "json"             // everything in the file
)

// ExportOptions say what to export.
type ExportOptions struct {
	Format       ExportFormat
	VCardVersion string // "4.0" (default) or "3.0"
}

// ExportResult counts what was written. Changed says another window
// saved something while the export read the file chunk by chunk, so the
// export may mix the moments before and after; run it again for a copy of
// one moment.
type ExportResult struct {
	Customers, Interactions, Reminders, Decisions int
	Changed                                       bool
}

// Export writes the file's data to w. It reads in short chunks, each its
// own open of the file, so other windows can save in between.
func (s *Store) Export(w io.Writer, o ExportOptions) (ExportResult, error) {
	var res ExportResult
	st, err := s.Settings()
	if err != nil {
		return res, err
	}
	before, err := s.latestSeq()
	if err != nil {
		return res, err
	}
	switch o.Format {
	case ExportCustomersCSV:
		err = s.exportCustomersCSV(w, st, &res)
	case ExportInteractionsCSV:
		err = s.exportInteractionsCSV(w, st, &res)
	case ExportVCard:
		err = s.exportVCard(w, o.VCardVersion, &res)
	case ExportJSON:
		err = s.exportJSON(w, &res)
	default:
		err = fmt.Errorf("there is no export called %q; use csv, vcard or json", o.Format)
	}
	if err != nil {
		return res, err
	}
	after, err := s.latestSeq()
	res.Changed = after != before
	return res, err
}

func (s *Store) latestSeq() (uint64, error) {
	var seq uint64
	err := s.view(func(tx *bolt.Tx) error {
		seq = tx.Bucket(bChanges).Sequence()
		return nil
	})
	return seq, err
}

// eachCustomer calls fn for every customer in id order, a chunk at a time.
func (s *Store) eachCustomer(fn func(model.Customer) error) error {
	var after model.ID
	for {
		page, more, err := s.CustomersPage(after, chunkSize)
		if err != nil {
			return err
		}
		for _, c := range page {
			if err := fn(c); err != nil {
				return err
			}
		}
		if !more || len(page) == 0 {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

// rawPage reads up to limit records of a bucket after the key after (nil:
// from the start), with their values without the version byte.
func (s *Store) rawPage(bucket, after []byte, limit int, strip bool) (keys, values [][]byte, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		var k, v []byte
		if after == nil {
			k, v = c.First()
		} else if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
			k, v = c.Next()
		}
		for ; k != nil && len(keys) < limit; k, v = c.Next() {
			if len(v) < 2 {
				return fmt.Errorf("%w: a record in %s is empty", ErrDamaged, bucket)
			}
			keys = append(keys, append([]byte(nil), k...))
			if strip {
				v = v[1:]
			}
			values = append(values, append([]byte(nil), v...))
		}
		return nil
	})
	return keys, values, err
}

// eachRaw calls fn for every record of a bucket in key order, a chunk at a
// time, with the JSON after the version byte.
func (s *Store) eachRaw(bucket []byte, fn func(k, v []byte) error) error {
	return s.eachValue(bucket, true, fn)
}

// eachRecord is eachRaw with whole stored values, whatever their encoding.
func (s *Store) eachRecord(bucket []byte, fn func(k, v []byte) error) error {
	return s.eachValue(bucket, false, fn)
}

func (s *Store) eachValue(bucket []byte, strip bool, fn func(k, v []byte) error) error {
	var after []byte
	for {
		keys, values, err := s.rawPage(bucket, after, chunkSize, strip)
		if err != nil {
			return err
		}
		for i := range keys {
			if err := fn(keys[i], values[i]); err != nil {
				return err
			}
		}
		if len(keys) < chunkSize {
			return nil
		}
		after = keys[len(keys)-1]
	}
}

// eachInteractionByTime calls fn for every interaction, oldest first.
func (s *Store) eachInteractionByTime(fn func(model.Interaction) error) error {
	var after []byte
	for {
		var page []model.Interaction
		var last []byte
		err := s.view(func(tx *bolt.Tx) error {
			c := tx.Bucket(bByTime).Cursor()
			inter := tx.Bucket(bInteractions)
			var k, v []byte
			if after == nil {
				k, v = c.First()
			} else if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
				k, v = c.Next()
			}
			for ; k != nil && len(page) < chunkSize; k, v = c.Next() {
				last = append(last[:0], k...)
				raw := inter.Get(append(append([]byte{}, v...), k...))
				if raw == nil {
					continue
				}
				var in model.Interaction
				if err := decode(raw, &in); err != nil {
					return err
				}
				page = append(page, in)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, in := range page {
			if err := fn(in); err != nil {
				return err
			}
		}
		if len(page) < chunkSize {
			return nil
		}
		after = append([]byte(nil), last...)
	}
}

func (s *Store) customerNames() (map[model.ID]string, error) {
	names := map[model.ID]string{}
	err := s.eachCustomer(func(c model.Customer) error {
		names[c.ID] = c.Name
		return nil
	})
	return names, err
}

func (s *Store) exportCustomersCSV(w io.Writer, st model.Settings, res *ExportResult) error {
	names, err := s.customerNames()
	if err != nil {
		return err
	}
	cw, err := exchange.NewCustomerCSV(w, st.Money(), st.Location(), func(id model.ID) string { return names[id] })
	if err != nil {
		return err
	}
	err = s.eachCustomer(func(c model.Customer) error {
		res.Customers++
		return cw.Customer(c)
	})
	if err != nil {
		return err
	}
	return cw.Flush()
}

func (s *Store) exportInteractionsCSV(w io.Writer, st model.Settings, res *ExportResult) error {
	names, err := s.customerNames()
	if err != nil {
		return err
	}
	cw, err := exchange.NewInteractionCSV(w, st.Money(), st.Location(), func(id model.ID) string { return names[id] })
	if err != nil {
		return err
	}
	err = s.eachInteractionByTime(func(in model.Interaction) error {
		res.Interactions++
		return cw.Interaction(in)
	})
	if err != nil {
		return err
	}
	return cw.Flush()
}

func (s *Store) exportVCard(w io.Writer, version string, res *ExportResult) error {
	vw, err := exchange.NewVCardWriter(w, version)
	if err != nil {
		return err
	}
	return s.eachCustomer(func(c model.Customer) error {
		res.Customers++
		return vw.Write(c)
	})
}

// exportJSON writes everything: settings, customers, interactions (by
// customer, then time), manual reminders and decisions, as stored.
func (s *Store) exportJSON(w io.Writer, res *ExportResult) error {
	var settings []byte
	err := s.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bSettings).Get(kSettings); len(v) > 1 {
			settings = append([]byte(nil), v[1:]...)
		}
		return nil
	})
	if err != nil {
		return err
	}
	jw := exchange.NewJSONWriter(w, settings)
	err = s.eachCustomer(func(c model.Customer) error {
		res.Customers++
		return jw.Customer(c)
	})
	if err != nil {
		return err
	}
	err = s.eachRecord(bInteractions, func(_, v []byte) error {
		var in model.Interaction
		if err := decode(v, &in); err != nil {
			return err
		}
		res.Interactions++
		return jw.Interaction(in)
	})
	if err != nil {
		return err
	}
	err = s.eachRaw(bReminders, func(k, v []byte) error {
		var head struct {
			ID model.ID `json:"id"`
		}
		if json.Unmarshal(v, &head) != nil || head.ID != keyID(k) {
			// A reminder stored without its id gets it from its key.
			var r model.Reminder
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("%w: a reminder cannot be read: %v", ErrDamaged, err)
			}
			r.ID = keyID(k)
			b, err := json.Marshal(r)
			if err != nil {
				return err
			}
			v = b
		}
		res.Reminders++
		return jw.Reminder(v)
	})
	if err != nil {
		return err
	}
	err = s.eachRaw(bDecisions, func(k, v []byte) error {
		res.Decisions++
		return jw.Decision(string(k), v)
	})
	if err != nil {
		return err
	}
	return jw.Close()
}
