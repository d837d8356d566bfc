package store

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/patron-crm/patron/model"
)

// Reminders in the file are facts only (DESIGN "Only the owner's actions
// write"): manual reminders in bucket reminders (id -> reminder) and the
// owner's decisions on generated ones in bucket decisions (key -> decision).
// What is due is derived when read, by model.Rules, so reading reminders
// never writes.

func getReminder(tx *bolt.Tx, id model.ID) (*model.Reminder, error) {
	v := tx.Bucket(bReminders).Get(idKey(id))
	if v == nil {
		return nil, fmt.Errorf("reminder #%d: %w", id, ErrNotFound)
	}
	var r model.Reminder
	if err := decode(v, &r); err != nil {
		return nil, err
	}
	r.ID = id
	r.Key = model.ManualKey(id)
	return &r, nil
}

func manualReminders(tx *bolt.Tx) ([]model.Reminder, error) {
	var out []model.Reminder
	err := tx.Bucket(bReminders).ForEach(func(k, v []byte) error {
		var r model.Reminder
		if err := decode(v, &r); err != nil {
			return err
		}
		r.ID = keyID(k)
		r.Key = model.ManualKey(r.ID)
		out = append(out, r)
		return nil
	})
	return out, err
}

func decisionsIn(tx *bolt.Tx) (map[string]model.Decision, error) {
	out := map[string]model.Decision{}
	err := tx.Bucket(bDecisions).ForEach(func(k, v []byte) error {
		var d model.Decision
		if err := decode(v, &d); err != nil {
			return err
		}
		out[string(k)] = d
		return nil
	})
	return out, err
}

// ManualReminders reads every reminder the owner made, whatever its state.
func (s *Store) ManualReminders() ([]model.Reminder, error) {
	var out []model.Reminder
	err := s.view(func(tx *bolt.Tx) (err error) {
		out, err = manualReminders(tx)
		return err
	})
	return out, err
}

// Reminder reads one manual reminder.
func (s *Store) Reminder(id model.ID) (model.Reminder, error) {
	var out model.Reminder
	err := s.view(func(tx *bolt.Tx) error {
		r, err := getReminder(tx, id)
		if err == nil {
			out = *r
		}
		return err
	})
	return out, err
}

// Decisions reads the owner's decisions on generated reminders, by key.
func (s *Store) Decisions() (map[string]model.Decision, error) {
	var out map[string]model.Decision
	err := s.view(func(tx *bolt.Tx) (err error) {
		out, err = decisionsIn(tx)
		return err
	})
	return out, err
}

// ReminderInputs is what the Reminders tab needs besides the customers it
// already holds, in one short read: with them, model.NewRules(st).Open
// lists what is due without reading every customer again.
func (s *Store) ReminderInputs() (manual []model.Reminder, decisions map[string]model.Decision, st model.Settings, err error) {
	err = s.view(func(tx *bolt.Tx) error {
		st = settingsIn(tx)
		if manual, err = manualReminders(tx); err != nil {
			return err
		}
		decisions, err = decisionsIn(tx)
		return err
	})
	return manual, decisions, st, err
}

// Agenda is the open reminders due by a day, with the customers they
// concern and the settings they were evaluated with.
type Agenda struct {
	Reminders []model.Reminder
	Customers map[model.ID]model.Customer
	Settings  model.Settings
	Now       time.Time
}

// Agenda evaluates every rule for every customer (read in short chunks, as
// of the store's clock) and adds the open manual reminders: the open
// reminders due by until's whole day (zero: every one), sorted by due day.
func (s *Store) Agenda(until time.Time) (Agenda, error) {
	manual, decisions, st, err := s.ReminderInputs()
	if err != nil {
		return Agenda{}, err
	}
	a := Agenda{Settings: st, Now: s.now(), Customers: map[model.ID]model.Customer{}}
	rules := model.NewRules(st)
	wanted := map[model.ID]bool{} // customers of manual reminders, and whether they are active
	for _, m := range manual {
		wanted[m.Customer] = false
	}
	var after model.ID
	for {
		page, more, err := s.CustomersPage(after, chunkSize)
		if err != nil {
			return Agenda{}, err
		}
		if len(page) == 0 {
			break
		}
		after = page[len(page)-1].ID
		// --now in the past sees each customer as they stood then.
		if page, err = s.AsOf(page, a.Now); err != nil {
			return Agenda{}, err
		}
		n := len(a.Reminders)
		a.Reminders = rules.AppendOpen(a.Reminders, page, decisions, a.Now, until)
		for _, r := range a.Reminders[n:] {
			if c, ok := findInPage(page, r.Customer); ok {
				a.Customers[c.ID] = c
			}
		}
		for _, c := range page {
			if _, ok := wanted[c.ID]; ok && c.Active() {
				wanted[c.ID] = true
				a.Customers[c.ID] = c
			}
		}
		if !more {
			break
		}
	}
	a.Reminders = model.AppendOpenManual(a.Reminders, manual, func(id model.ID) bool { return wanted[id] }, until, st.Location())
	model.SortReminders(a.Reminders)
	return a, nil
}

// findInPage finds a customer in a page read in id order.
func findInPage(page []model.Customer, id model.ID) (model.Customer, bool) {
	i := sort.Search(len(page), func(i int) bool { return page[i].ID >= id })
	if i < len(page) && page[i].ID == id {
		return page[i], true
	}
	return model.Customer{}, false
}

// Reminders is the open reminders due by until's whole day (zero: every
// one), sorted by due day. See Agenda.
func (s *Store) Reminders(until time.Time) ([]model.Reminder, error) {
	a, err := s.Agenda(until)
	return a.Reminders, err
}

// FindReminder finds an open reminder by its key (as `patron reminders`
// lists it), with its customer. It says plainly when the key is done,
// dismissed, or no longer due for anyone.
func (s *Store) FindReminder(key string) (model.Reminder, model.Customer, error) {
	key = strings.TrimSpace(key)
	_, customer, manualID, err := model.ParseReminderKey(key)
	if err != nil {
		return model.Reminder{}, model.Customer{}, err
	}
	now := s.now()
	if manualID != 0 {
		r, err := s.Reminder(manualID)
		if errors.Is(err, ErrNotFound) {
			return r, model.Customer{}, fmt.Errorf("there is no reminder %s; see `patron reminders`", key)
		}
		if err != nil {
			return r, model.Customer{}, err
		}
		if r.State != "" && r.State != model.ReminderOpen {
			return r, model.Customer{}, fmt.Errorf("reminder %s is already %s", key, r.State)
		}
		c, err := s.Customer(r.Customer)
		if err != nil {
			return r, c, err
		}
		if r.SnoozedUntil.After(r.Due) {
			r.Due = r.SnoozedUntil
		}
		r.State = model.ReminderOpen
		return r, c, nil
	}
	c, err := s.Customer(customer)
	if errors.Is(err, ErrNotFound) {
		return model.Reminder{}, c, fmt.Errorf("reminder %s is for customer #%d, who is not in the file", key, customer)
	}
	if err != nil {
		return model.Reminder{}, c, err
	}
	_, decisions, st, err := s.ReminderInputs()
	if err != nil {
		return model.Reminder{}, c, err
	}
	if d, ok := decisions[key]; ok && (d.State == model.ReminderDone || d.State == model.ReminderDismissed) {
		return model.Reminder{}, c, fmt.Errorf("reminder %s is already %s", key, d.State)
	}
	asOf, err := s.AsOf([]model.Customer{c}, now)
	if err != nil {
		return model.Reminder{}, c, err
	}
	for _, r := range model.ApplyDecisions(model.NewRules(st).Generate(asOf[0], now), decisions) {
		if r.Key == key {
			return r, c, nil
		}
	}
	return model.Reminder{}, c, fmt.Errorf("reminder %s is not open: it may have lapsed, or what it was about has changed; see `patron reminders`", key)
}

// cleanReminder puts a manual reminder's days at the start of their day in
// the shop's zone.
func cleanReminder(r *model.Reminder, loc *time.Location) {
	r.Note = strings.TrimSpace(r.Note)
	r.Due = model.DayOf(r.Due, loc)
	if !r.SnoozedUntil.IsZero() {
		r.SnoozedUntil = model.DayOf(r.SnoozedUntil, loc)
	}
	if r.Repeat.IsZero() {
		r.Repeat, r.First = model.Repeat{}, time.Time{}
	} else if r.First.IsZero() {
		r.First = r.Due
	}
	r.Key, r.Rule = "", ""
	r.Occurred, r.Amount, r.Detail = time.Time{}, 0, ""
}

// AddReminder saves a reminder the owner made for a customer: a follow-up,
// something custom, or a card; due on a day, optionally repeating.
func (s *Store) AddReminder(r model.Reminder) (model.Reminder, error) {
	if err := model.ValidateReminder(r); err != nil {
		return r, err
	}
	now := s.now()
	_, err := s.update(func(w *wtx) error {
		c, err := getCustomer(w.tx, r.Customer)
		if err != nil {
			return err
		}
		loc := settingsIn(w.tx).Location()
		seq, err := w.bucket(bReminders).NextSequence()
		if err != nil {
			return err
		}
		r.ID = model.ID(seq)
		cleanReminder(&r, loc)
		r.State = model.ReminderOpen
		r.Created = now.UTC().Truncate(time.Second)
		r.DoneAt, r.Reason = time.Time{}, ""
		w.change.Summary = fmt.Sprintf("Added a %s for %s on %s", r.Kind.Label(), c.Name, r.Due.In(loc).Format(model.DayFormat))
		w.change.Customer = c.ID
		return w.putJSON(bReminders, idKey(r.ID), r)
	})
	r.Key = model.ManualKey(r.ID)
	return r, err
}

// UpdateReminder saves the owner's edits to a manual reminder (due day,
// kind, note, repeat, customer).
func (s *Store) UpdateReminder(r model.Reminder) (model.Reminder, error) {
	if err := model.ValidateReminder(r); err != nil {
		return r, err
	}
	_, err := s.update(func(w *wtx) error {
		old, err := getReminder(w.tx, r.ID)
		if err != nil {
			return err
		}
		c, err := getCustomer(w.tx, r.Customer)
		if err != nil {
			return err
		}
		loc := settingsIn(w.tx).Location()
		if !r.Due.Equal(old.Due) || r.Repeat != old.Repeat {
			r.First = time.Time{} // a new schedule starts from the new day
		}
		cleanReminder(&r, loc)
		r.Created = old.Created
		if r.State == "" {
			r.State = old.State
		}
		w.change.Summary = fmt.Sprintf("Edited the %s for %s", r.Kind.Label(), c.Name)
		w.change.Customer = c.ID
		return w.putJSON(bReminders, idKey(r.ID), r)
	})
	r.Key = model.ManualKey(r.ID)
	return r, err
}

// DeleteReminder removes a manual reminder.
func (s *Store) DeleteReminder(id model.ID) error {
	_, err := s.update(func(w *wtx) error {
		r, err := getReminder(w.tx, id)
		if err != nil {
			return err
		}
		name := fmt.Sprintf("customer #%d", r.Customer)
		if c, err := getCustomer(w.tx, r.Customer); err == nil {
			name = c.Name
		}
		w.change.Summary = fmt.Sprintf("Deleted the %s for %s", r.Kind.Label(), name)
		w.change.Customer = r.Customer
		return w.del(bReminders, idKey(id))
	})
	return err
}

// settle loads what a decision on r needs inside a write: the customer, and
// for a manual reminder its stored record; it refuses a reminder that is
// already done or dismissed.
func settle(w *wtx, r model.Reminder) (*model.Customer, *model.Reminder, error) {
	if r.ID != 0 {
		m, err := getReminder(w.tx, r.ID)
		if err != nil {
			return nil, nil, err
		}
		if m.State != "" && m.State != model.ReminderOpen {
			return nil, nil, fmt.Errorf("this %s is already %s", m.Kind.Label(), m.State)
		}
		c, err := getCustomer(w.tx, m.Customer)
		return c, m, err
	}
	kind, customer, _, err := model.ParseReminderKey(r.Key)
	if err != nil {
		return nil, nil, err
	}
	if customer != r.Customer || kind != r.Kind {
		return nil, nil, fmt.Errorf("reminder %s does not match its customer and kind", r.Key)
	}
	if v := w.tx.Bucket(bDecisions).Get([]byte(r.Key)); v != nil {
		var d model.Decision
		if err := decode(v, &d); err != nil {
			return nil, nil, err
		}
		if d.State == model.ReminderDone || d.State == model.ReminderDismissed {
			return nil, nil, fmt.Errorf("this %s is already %s", r.Kind.Label(), d.State)
		}
	}
	c, err := getCustomer(w.tx, customer)
	return c, nil, err
}

func putDecision(w *wtx, key string, d model.Decision) error {
	return w.putJSON(bDecisions, []byte(key), d)
}

// MarkDone settles a reminder as one change: it logs the matching
// interaction on the customer (a card sent, with text as its note, for a
// card; a call for a follow-up; a note otherwise), records the decision
// (or, for a manual reminder, its state) and, for a repeating one,
// schedules the next. Undo takes back all of it. An empty text gets a short
// note naming the reminder.
func (s *Store) MarkDone(r model.Reminder, text string) (model.Interaction, error) {
	now := s.now()
	text = strings.TrimSpace(text)
	if text == "" {
		text = doneNote(r)
	}
	in := model.Interaction{Customer: r.Customer, At: now, Kind: r.Kind.DoneKind(), Note: text}
	if in.Kind == model.KindCardSent {
		in.Channel = "mail"
	}
	if err := model.ValidateInteraction(in, now); err != nil {
		return in, err
	}
	normalizeInteraction(&in)
	_, err := s.update(func(w *wtx) error {
		c, m, err := settle(w, r)
		if err != nil {
			return err
		}
		loc := settingsIn(w.tx).Location()
		in.Customer = c.ID
		seq, err := w.bucket(bInteractions).NextSequence()
		if err != nil {
			return err
		}
		in.ID = model.ID(seq)
		if err := putInteraction(w, &in); err != nil {
			return err
		}
		if _, err := recomputeStats(w, c.ID, loc); err != nil {
			return err
		}
		w.change.Customer = c.ID
		w.change.Summary = doneSummary(r.Kind, c.Name)
		if m == nil {
			return putDecision(w, r.Key, model.Decision{State: model.ReminderDone, At: in.At, Customer: c.ID, Kind: r.Kind, Interaction: in.ID})
		}
		if next, ok := m.NextDue(now, loc); ok {
			m.Due, m.SnoozedUntil = next, time.Time{}
			w.change.Summary += fmt.Sprintf("; next on %s", next.In(loc).Format(model.DayFormat))
		} else {
			m.State, m.DoneAt = model.ReminderDone, in.At
		}
		return w.putJSON(bReminders, idKey(m.ID), m)
	})
	return in, err
}

// doneNote is what the timeline says when a reminder is done without words.
func doneNote(r model.Reminder) string {
	label := r.Kind.Label()
	s := strings.ToUpper(label[:1]) + label[1:]
	if r.ID != 0 && r.Note != "" {
		return s + ": " + r.Note
	}
	return s
}

func doneSummary(k model.ReminderKind, name string) string {
	if k.IsCard() {
		return fmt.Sprintf("Sent a %s to %s", k.Label(), name)
	}
	return fmt.Sprintf("Done: %s for %s", k.Label(), name)
}

// Snooze puts a reminder off until a later day (the whole day: it is due
// again on it).
func (s *Store) Snooze(r model.Reminder, until time.Time) error {
	now := s.now()
	_, err := s.update(func(w *wtx) error {
		c, m, err := settle(w, r)
		if err != nil {
			return err
		}
		loc := settingsIn(w.tx).Location()
		day := model.DayOf(until, loc)
		if !day.After(model.DayOf(now, loc)) {
			return &model.FieldError{Field: "snooze", Problem: "is not after today", Fix: "pick tomorrow or a later day"}
		}
		w.change.Customer = c.ID
		w.change.Summary = fmt.Sprintf("Snoozed the %s for %s until %s", r.Kind.Label(), c.Name, day.Format(model.DayFormat))
		if m == nil {
			return putDecision(w, r.Key, model.Decision{State: model.ReminderSnoozed, At: now.UTC().Truncate(time.Second), Until: day, Customer: c.ID, Kind: r.Kind})
		}
		m.SnoozedUntil = day
		return w.putJSON(bReminders, idKey(m.ID), m)
	})
	return err
}

// Dismiss settles a reminder without doing it; a generated one never comes
// back. The reason is optional.
func (s *Store) Dismiss(r model.Reminder, reason string) error {
	now := s.now()
	reason = strings.TrimSpace(reason)
	if err := model.ValidateReason(reason); err != nil {
		return err
	}
	_, err := s.update(func(w *wtx) error {
		c, m, err := settle(w, r)
		if err != nil {
			return err
		}
		w.change.Customer = c.ID
		w.change.Summary = fmt.Sprintf("Dismissed the %s for %s", r.Kind.Label(), c.Name)
		at := now.UTC().Truncate(time.Second)
		if m == nil {
			return putDecision(w, r.Key, model.Decision{State: model.ReminderDismissed, At: at, Reason: reason, Customer: c.ID, Kind: r.Kind})
		}
		m.State, m.DoneAt, m.Reason = model.ReminderDismissed, at, reason
		return w.putJSON(bReminders, idKey(m.ID), m)
	})
	return err
}

// TouchesReminderFacts reports whether a change wrote a manual reminder or
// a decision, so a window holding ReminderInputs reads them again. (What
// the rules derive from customers follows the customers it touched, see
// CustomerIDs; a settings change can change every rule.)
func (ch Change) TouchesReminderFacts() bool {
	for _, t := range ch.Touched {
		if t.Bucket == string(bReminders) || t.Bucket == string(bDecisions) {
			return true
		}
	}
	return false
}
