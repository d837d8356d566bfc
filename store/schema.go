package store

import (
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patron-crm/patron/model"
)

// Bucket names. Indexes are written in the same transaction as their record.
var (
	bMeta         = []byte("meta")
	bCustomers    = []byte("customers")
	bInteractions = []byte("interactions")         // customer|time|id -> interaction
	bByTime       = []byte("interactions_by_time") // time|id -> customer
	bInterIDs     = []byte("interaction_ids")      // id -> interactions key
	bEmail        = []byte("idx_email")            // lower(email)\x00id -> nothing
	bPhone        = []byte("idx_phone")            // digits\x00id -> nothing
	bReminders    = []byte("reminders")            // id -> manual reminder
	bDecisions    = []byte("decisions")            // rule key -> owner's decision
	bSettings     = []byte("settings")
	bChanges      = []byte("changes") // seq -> change
)

var (
	kSchema   = []byte("schema_version")
	kFileID   = []byte("file_id")
	kCreated  = []byte("created")
	kPruned   = []byte("pruned_upto")
	kSettings = []byte("main")
)

// SchemaVersion is the layout this Patron writes.
const SchemaVersion = 5

// schema1Buckets are the buckets of the first layout; later steps add theirs.
var schema1Buckets = [][]byte{bMeta, bCustomers, bInteractions, bByTime, bInterIDs, bReminders, bDecisions, bSettings, bChanges}

// A migration moves a file one schema version up, inside one transaction.
// Each step must be safe to run again on a file it already changed.
type migration struct {
	to   uint64
	name string
	run  func(tx *bolt.Tx) error
}

// migrations are applied in order, one transaction each.
var migrations = []migration{
	{to: 2, name: "index customers by email and phone", run: migrateIndexContacts},
	{to: 3, name: "work out every customer's aggregates again", run: migrateRecomputeStats},
	// A step after this one that rewrites customer records outside a wtx
	// must rebuild the list too (migrateCustomerList, store/perf.go).
	{to: 4, name: "list customers by name with a compact summary", run: migrateCustomerList},
	// Customers and interactions are written in the compact form from now
	// on (binary.go), which an older Patron cannot read: the version tells
	// it so. Records already written stay JSON until they next change, or
	// until `patron compact` rewrites them all: rewriting here would grow
	// the file by a copy of itself, as bbolt never gives space back.
	{to: 5, name: "write customers and interactions in a compact form", run: func(*bolt.Tx) error { return nil }},
}

func initSchema(tx *bolt.Tx, now time.Time) error {
	for _, b := range schema1Buckets {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	for _, m := range migrations {
		if err := m.run(tx); err != nil {
			return err
		}
	}
	meta := tx.Bucket(bMeta)
	if err := meta.Put(kSchema, u64(SchemaVersion)); err != nil {
		return err
	}
	if err := meta.Put(kFileID, []byte(newUUID())); err != nil {
		return err
	}
	if err := meta.Put(kCreated, []byte(now.UTC().Format(time.RFC3339))); err != nil {
		return err
	}
	v, err := encode(model.DefaultSettings())
	if err != nil {
		return err
	}
	return tx.Bucket(bSettings).Put(kSettings, v)
}

func schemaVersion(tx *bolt.Tx) (uint64, error) {
	meta := tx.Bucket(bMeta)
	if meta == nil {
		return 0, fmt.Errorf("%w: it has no meta bucket (is it a Patron file?)", ErrDamaged)
	}
	v := meta.Get(kSchema)
	if len(v) != 8 {
		return 0, fmt.Errorf("%w: its schema version is unreadable", ErrDamaged)
	}
	return binary.BigEndian.Uint64(v), nil
}

// prepare reads the file's identity and schema, refusing a newer one and
// migrating an older one.
func (s *Store) prepare() error {
	var version uint64
	err := s.view(func(tx *bolt.Tx) error {
		v, err := schemaVersion(tx)
		if err != nil {
			return err
		}
		version = v
		s.fileID = string(tx.Bucket(bMeta).Get(kFileID))
		return nil
	})
	if err != nil {
		return err
	}
	if version > SchemaVersion {
		return says(ErrNewerSchema, nil, fmt.Sprintf("%s was written by a newer Patron (file version %d, this Patron knows up to %d); it was not touched: update Patron to open it",
			s.path, version, SchemaVersion))
	}
	if version == SchemaVersion {
		return nil
	}
	backup := strings.TrimSuffix(s.path, filepath.Ext(s.path)) + fmt.Sprintf("-before-v%d%s", SchemaVersion, filepath.Ext(s.path))
	if _, err := s.Backup(backup); err != nil {
		return fmt.Errorf("cannot write a backup of %s before updating its layout, so it was left as it was: %w", s.path, err)
	}
	for _, m := range migrations {
		if m.to <= version {
			continue
		}
		err := s.rawUpdate(func(tx *bolt.Tx) error {
			cur, err := schemaVersion(tx)
			if err != nil {
				return err
			}
			if cur >= m.to {
				return nil
			}
			if err := m.run(tx); err != nil {
				return err
			}
			return tx.Bucket(bMeta).Put(kSchema, u64(m.to))
		})
		if err != nil {
			return fmt.Errorf("updating %s to version %d (%s) failed; the file is still at version %d and a backup is at %s: %w",
				s.path, m.to, m.name, version, backup, err)
		}
		version = m.to
	}
	return nil
}

func migrateIndexContacts(tx *bolt.Tx) error {
	email, err := tx.CreateBucketIfNotExists(bEmail)
	if err != nil {
		return err
	}
	phone, err := tx.CreateBucketIfNotExists(bPhone)
	if err != nil {
		return err
	}
	return tx.Bucket(bCustomers).ForEach(func(k, v []byte) error {
		var c model.Customer
		if err := decode(v, &c); err != nil {
			return err
		}
		if e := emailKey(c.Email, c.ID); e != nil {
			if err := email.Put(e, []byte{}); err != nil {
				return err
			}
		}
		if p := phoneKey(c.Phone, c.ID); p != nil {
			return phone.Put(p, []byte{})
		}
		return nil
	})
}

// migrateRecomputeStats rebuilds every customer's aggregates from their
// interactions, so figures added to model.Stats since the file was written
// (loyalty days, reminder facts) are there for the rules from the first read.
// Safe to run again: it only derives.
func migrateRecomputeStats(tx *bolt.Tx) error {
	loc := settingsIn(tx).Location()
	customers := tx.Bucket(bCustomers)
	var ids []model.ID
	if err := customers.ForEach(func(k, _ []byte) error {
		ids = append(ids, keyID(k))
		return nil
	}); err != nil {
		return err
	}
	for _, id := range ids {
		c, err := getCustomer(tx, id)
		if err != nil {
			return err
		}
		list, err := customerInteractions(tx, id)
		if err != nil {
			return err
		}
		c.Stats = model.ComputeStats(list, loc)
		v, err := encode(c)
		if err != nil {
			return err
		}
		if err := customers.Put(idKey(id), v); err != nil {
			return err
		}
	}
	return nil
}
