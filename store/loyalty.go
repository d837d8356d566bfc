package store

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patron-crm/patron/model"
)

// Redeem spends a customer's points on a reward from the catalogue. In one
// transaction it reads the balance, refuses with a *model.NotEnoughPoints
// (saying how many points are missing) when it is short, and otherwise logs
// a reward-redeemed interaction worth -cost points, which the aggregates
// deduct. Undo gives the points back.
func (s *Store) Redeem(customerID model.ID, rewardName string) (model.Interaction, error) {
	now := s.now()
	var out model.Interaction
	_, err := s.update(func(w *wtx) error {
		st := settingsIn(w.tx)
		reward, err := st.Loyalty.FindReward(rewardName)
		if err != nil {
			return err
		}
		c, err := getCustomer(w.tx, customerID)
		if err != nil {
			return err
		}
		have, err := pointsAt(w.tx, c, now, st.Location())
		if err != nil {
			return err
		}
		if have < reward.Points {
			return &model.NotEnoughPoints{Customer: c.Name, Reward: reward, Have: have}
		}
		in := model.Interaction{Customer: c.ID, At: now, Kind: model.KindRedeemed, Reward: reward.Name, Points: -reward.Points}
		if err := model.ValidateInteraction(in, now); err != nil {
			return err
		}
		normalizeInteraction(&in)
		seq, err := w.bucket(bInteractions).NextSequence()
		if err != nil {
			return err
		}
		in.ID = model.ID(seq)
		if err := putInteraction(w, &in); err != nil {
			return err
		}
		if _, err := recomputeStats(w, c.ID, st.Location()); err != nil {
			return err
		}
		w.change.Summary = fmt.Sprintf("Redeemed %q for %s (%d points)", reward.Name, c.Name, reward.Points)
		w.change.Customer = c.ID
		out = in
		return nil
	})
	return out, err
}

// pointsAt is the customer's balance at now: the stored aggregate, unless
// the clock was set back behind later interactions (--now), when it is
// worked out from the timeline up to now.
func pointsAt(tx *bolt.Tx, c *model.Customer, now time.Time, loc *time.Location) (int64, error) {
	if !c.Stats.LastContact.After(now) {
		return c.Stats.Points, nil
	}
	list, err := customerInteractions(tx, c.ID)
	if err != nil {
		return 0, err
	}
	return model.ComputeStats(upTo(list, now), loc).Points, nil
}

func upTo(list []model.Interaction, now time.Time) []model.Interaction {
	out := list[:0:0]
	for _, in := range list {
		if !in.At.After(now) {
			out = append(out, in)
		}
	}
	return out
}

// SetPartner makes a customer a partner on the ladder, or no longer one, as
// one undoable change. Partner is the owner's decision and stays until unset.
func (s *Store) SetPartner(id model.ID, partner bool) (model.Customer, error) {
	now := s.now()
	var out model.Customer
	_, err := s.update(func(w *wtx) error {
		c, err := getCustomer(w.tx, id)
		if err != nil {
			return err
		}
		out = *c
		if c.Partner == partner {
			return nil // nothing to write, nothing to undo
		}
		old := *c
		c.Partner, c.Updated = partner, now.UTC()
		if partner {
			w.change.Summary = "Made " + c.Name + " a partner"
		} else {
			w.change.Summary = c.Name + " is no longer a partner"
		}
		w.change.Customer = c.ID
		out = *c
		return putCustomer(w, &old, c)
	})
	return out, err
}

// SaveLoyaltySettings validates the ladder's thresholds, the earn rate and
// the rewards catalogue, and saves them as one undoable change. Invalid
// settings are refused with a *model.FieldError and nothing is written.
func (s *Store) SaveLoyaltySettings(ls model.LoyaltySettings) (model.LoyaltySettings, error) {
	ls = ls.Clean()
	if err := ls.Validate(); err != nil {
		return ls, err
	}
	_, err := s.update(func(w *wtx) error {
		st := settingsIn(w.tx)
		st.Loyalty = ls
		w.change.Summary = "Changed the loyalty settings"
		return w.putJSON(bSettings, kSettings, st)
	})
	return ls, err
}

// asOfChunk bounds how many timelines one short read replays.
const asOfChunk = 200

// AsOf returns the customers as they stood at now: those with interactions
// after now get their aggregates worked out again from their timeline up to
// now (in short reads), so the ladder and points evaluated "as of" an
// earlier day (--now) are right. The others are returned as they are; cs
// itself is never changed, and is returned when nobody needs rewinding.
func (s *Store) AsOf(cs []model.Customer, now time.Time) ([]model.Customer, error) {
	var todo []int
	for i := range cs {
		if cs[i].Stats.LastContact.After(now) {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return cs, nil
	}
	out := append([]model.Customer(nil), cs...)
	for start := 0; start < len(todo); start += asOfChunk {
		part := todo[start:min(start+asOfChunk, len(todo))]
		err := s.view(func(tx *bolt.Tx) error {
			loc := settingsIn(tx).Location()
			for _, i := range part {
				list, err := customerInteractions(tx, out[i].ID)
				if err != nil {
					return err
				}
				out[i].Stats = model.ComputeStats(upTo(list, now), loc)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// LoyaltyHistory is a customer's moves on the ladder up to now, oldest
// first, replayed from their timeline with the file's settings.
func (s *Store) LoyaltyHistory(id model.ID, now time.Time) ([]model.RungChange, error) {
	var out []model.RungChange
	err := s.view(func(tx *bolt.Tx) error {
		if _, err := getCustomer(tx, id); err != nil {
			return err
		}
		st := settingsIn(tx)
		list, err := customerInteractions(tx, id)
		if err != nil {
			return err
		}
		out = model.RungHistory(list, st.Loyalty, now, st.Location())
		return nil
	})
	return out, err
}
