package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/patron-crm/patron/model"
)

// valueVersion is the first byte of a stored JSON record, so a field added
// by a newer Patron is ignored by an older one. Customers and interactions
// are written in the compact form (valueBinary, binary.go) since schema 5;
// records written before are read as they are.
const valueVersion = 1

func encode(v any) ([]byte, error) {
	switch t := v.(type) {
	case *model.Customer:
		return encodeCustomer(t), nil
	case model.Customer:
		return encodeCustomer(&t), nil
	case *model.Interaction:
		return encodeInteraction(t), nil
	case model.Interaction:
		return encodeInteraction(&t), nil
	}
	return encodeJSON(v)
}

// encodeJSON writes any record as JSON, the form of everything but
// customers and interactions.
func encodeJSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append([]byte{valueVersion}, b...), nil
}

func decode(b []byte, v any) error {
	if len(b) < 2 || b[0] == 0 {
		return fmt.Errorf("%w: a record is empty or unreadable", ErrDamaged)
	}
	if b[0] == valueBinary {
		return decodeBinary(b, v)
	}
	if err := json.Unmarshal(b[1:], v); err != nil {
		return fmt.Errorf("%w: a record cannot be read: %v", ErrDamaged, err)
	}
	return nil
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func idKey(id model.ID) []byte { return u64(uint64(id)) }

func keyID(b []byte) model.ID {
	if len(b) < 8 {
		return 0
	}
	return model.ID(binary.BigEndian.Uint64(b[:8]))
}

// timeKey is big-endian unix seconds: times before 1970 are not interaction times.
func timeKey(t time.Time) []byte {
	sec := t.Unix()
	if sec < 0 {
		sec = 0
	}
	return u64(uint64(sec))
}

// interactionKey is customer|time|id, so one customer's timeline is a prefix scan.
func interactionKey(c model.ID, at time.Time, id model.ID) []byte {
	k := make([]byte, 0, 24)
	k = append(k, idKey(c)...)
	k = append(k, timeKey(at)...)
	return append(k, idKey(id)...)
}

// byTimeKey is time|id for the global log.
func byTimeKey(at time.Time, id model.ID) []byte {
	return append(timeKey(at), idKey(id)...)
}
