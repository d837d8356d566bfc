package store

import (
	"bytes"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patron-crm/patron/model"
)

func settingsIn(tx *bolt.Tx) model.Settings {
	st := model.DefaultSettings()
	if v := tx.Bucket(bSettings).Get(kSettings); v != nil {
		_ = decode(v, &st)
	}
	return st
}

// recomputeStats refreshes a customer's aggregates from their interactions,
// inside the transaction that changed them.
func recomputeStats(w *wtx, id model.ID, loc *time.Location) (*model.Customer, error) {
	c, err := getCustomer(w.tx, id)
	if err != nil {
		return nil, err
	}
	list, err := customerInteractions(w.tx, id)
	if err != nil {
		return nil, err
	}
	c.Stats = model.ComputeStats(list, loc)
	return c, w.putJSON(bCustomers, idKey(id), c)
}

func customerInteractions(tx *bolt.Tx, id model.ID) ([]model.Interaction, error) {
	prefix := idKey(id)
	var out []model.Interaction
	cur := tx.Bucket(bInteractions).Cursor()
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		var in model.Interaction
		if err := decode(v, &in); err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}

func normalizeInteraction(i *model.Interaction) {
	i.At = i.At.UTC().Truncate(time.Second)
	if !i.ResolvedAt.IsZero() {
		i.ResolvedAt = i.ResolvedAt.UTC().Truncate(time.Second)
	}
}

func putInteraction(w *wtx, i *model.Interaction) error {
	k := interactionKey(i.Customer, i.At, i.ID)
	if err := w.putJSON(bInteractions, k, i); err != nil {
		return err
	}
	if err := w.put(bByTime, byTimeKey(i.At, i.ID), idKey(i.Customer)); err != nil {
		return err
	}
	return w.put(bInterIDs, idKey(i.ID), k)
}

func deleteInteractionKeys(w *wtx, i *model.Interaction) error {
	if err := w.del(bInteractions, interactionKey(i.Customer, i.At, i.ID)); err != nil {
		return err
	}
	if err := w.del(bByTime, byTimeKey(i.At, i.ID)); err != nil {
		return err
	}
	return w.del(bInterIDs, idKey(i.ID))
}

func getInteraction(tx *bolt.Tx, id model.ID) (*model.Interaction, error) {
	k := tx.Bucket(bInterIDs).Get(idKey(id))
	if k == nil {
		return nil, fmt.Errorf("interaction #%d: %w", id, ErrNotFound)
	}
	v := tx.Bucket(bInteractions).Get(k)
	if v == nil {
		return nil, fmt.Errorf("%w: interaction #%d is indexed but missing", ErrDamaged, id)
	}
	var in model.Interaction
	if err := decode(v, &in); err != nil {
		return nil, err
	}
	return &in, nil
}

// applyReferral sets the referred customer's "referred by" when a referral
// names someone not yet referred by anyone. The referred customer must exist.
func applyReferral(w *wtx, i *model.Interaction) error {
	if i.Kind != model.KindReferral || i.Referred == 0 {
		return nil
	}
	r, err := getCustomer(w.tx, i.Referred)
	if err != nil {
		return fmt.Errorf("the referred customer: %w", err)
	}
	if r.ReferredBy != 0 {
		return nil
	}
	r.ReferredBy = i.Customer
	return w.putJSON(bCustomers, idKey(r.ID), r)
}

// AddInteraction logs an interaction and updates the customer's aggregates
// in the same transaction. A referral also sets the referred customer's
// "referred by" when it is empty.
func (s *Store) AddInteraction(i model.Interaction) (model.Interaction, error) {
	if err := model.ValidateInteraction(i, s.now()); err != nil {
		return i, err
	}
	normalizeInteraction(&i)
	_, err := s.update(func(w *wtx) error {
		seq, err := w.bucket(bInteractions).NextSequence()
		if err != nil {
			return err
		}
		i.ID = model.ID(seq)
		st := settingsIn(w.tx) // read once: decoding the settings is a good part of a save's own work
		// Points follow the shop's earn rate at the moment of saving, decided
		// here so that every way in (TUI, CLI, import) earns the same.
		if i.Kind.HasAmount() {
			i.Points = model.PointsFor(i.Kind, i.Amount, st.Loyalty)
		}
		if err := putInteraction(w, &i); err != nil {
			return err
		}
		// This also finds that the customer exists; a failure rolls back.
		c, err := recomputeStats(w, i.Customer, st.Location())
		if err != nil {
			return err
		}
		if err := applyReferral(w, &i); err != nil {
			return err
		}
		w.change.Summary = fmt.Sprintf("Logged %s for %s", i.Kind.Label(), c.Name)
		w.change.Customer = c.ID
		return nil
	})
	return i, err
}

// UpdateInteraction saves an edited interaction; it may move in time or to
// another customer, and both customers' aggregates follow.
func (s *Store) UpdateInteraction(i model.Interaction) (model.Interaction, error) {
	if err := model.ValidateInteraction(i, s.now()); err != nil {
		return i, err
	}
	normalizeInteraction(&i)
	_, err := s.update(func(w *wtx) error {
		old, err := getInteraction(w.tx, i.ID)
		if err != nil {
			return err
		}
		if err := deleteInteractionKeys(w, old); err != nil {
			return err
		}
		st := settingsIn(w.tx)
		switch {
		case i.Kind.HasAmount() && (i.Kind != old.Kind || i.Amount != old.Amount):
			i.Points = model.PointsFor(i.Kind, i.Amount, st.Loyalty)
		case i.Kind == old.Kind:
			i.Points = old.Points // an edited note keeps what was earned at the time
		}
		if err := putInteraction(w, &i); err != nil {
			return err
		}
		loc := st.Location()
		c, err := recomputeStats(w, i.Customer, loc)
		if err != nil {
			return err
		}
		if old.Customer != i.Customer {
			if _, err := recomputeStats(w, old.Customer, loc); err != nil {
				return err
			}
		}
		if err := applyReferral(w, &i); err != nil {
			return err
		}
		w.change.Summary = fmt.Sprintf("Edited %s for %s", i.Kind.Label(), c.Name)
		w.change.Customer = c.ID
		return nil
	})
	return i, err
}

// DeleteInteraction removes an interaction; the customer's aggregates follow.
func (s *Store) DeleteInteraction(id model.ID) error {
	_, err := s.update(func(w *wtx) error {
		old, err := getInteraction(w.tx, id)
		if err != nil {
			return err
		}
		if err := deleteInteractionKeys(w, old); err != nil {
			return err
		}
		c, err := recomputeStats(w, old.Customer, settingsIn(w.tx).Location())
		if err != nil {
			return err
		}
		w.change.Summary = fmt.Sprintf("Deleted %s for %s", old.Kind.Label(), c.Name)
		w.change.Customer = c.ID
		return nil
	})
	return err
}

// Interaction reads one interaction.
func (s *Store) Interaction(id model.ID) (model.Interaction, error) {
	var out model.Interaction
	err := s.view(func(tx *bolt.Tx) error {
		in, err := getInteraction(tx, id)
		if err != nil {
			return err
		}
		out = *in
		return nil
	})
	return out, err
}

// Interactions reads one customer's whole timeline, newest first.
func (s *Store) Interactions(customer model.ID) ([]model.Interaction, error) {
	var out []model.Interaction
	err := s.view(func(tx *bolt.Tx) error {
		prefix := idKey(customer)
		cur := tx.Bucket(bInteractions).Cursor()
		// Seek past the prefix and walk back: newest first without a sort.
		var v []byte
		k, _ := cur.Seek(idKey(customer + 1))
		if k == nil {
			k, v = cur.Last()
		} else {
			k, v = cur.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Prev() {
			var in model.Interaction
			if err := decode(v, &in); err != nil {
				return err
			}
			out = append(out, in)
		}
		return nil
	})
	return out, err
}

// LogCursor marks a place in the global log, newest first.
type LogCursor []byte

// RecentInteractions reads up to limit interactions across all customers,
// newest first, starting below cursor (nil: the newest). It returns the
// cursor to pass for the next page, nil at the end.
func (s *Store) RecentInteractions(cursor LogCursor, limit int) ([]model.Interaction, LogCursor, error) {
	var out []model.Interaction
	var next LogCursor
	err := s.view(func(tx *bolt.Tx) error {
		cur := tx.Bucket(bByTime).Cursor()
		var k, v []byte
		if cursor == nil {
			k, v = cur.Last()
		} else if k, v = cur.Seek(cursor); k == nil {
			k, v = cur.Last()
		} else if !bytes.Equal(k, cursor) {
			k, v = cur.Prev()
		}
		inter := tx.Bucket(bInteractions)
		for ; k != nil; k, v = cur.Prev() {
			if len(out) >= limit {
				next = append(LogCursor(nil), k...) // the next page starts here
				break
			}
			full := append(append([]byte{}, v...), k...)
			raw := inter.Get(full)
			if raw == nil {
				continue
			}
			var in model.Interaction
			if err := decode(raw, &in); err != nil {
				return err
			}
			out = append(out, in)
		}
		return nil
	})
	return out, next, err
}
