package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/patron-crm/patron/model"
)

// MergeField is one customer field whose values differ between the two
// customers being merged, for the owner to choose from. Key is what
// MergeCustomers' picks name; the values are as the owner reads them.
type MergeField struct {
	Key      string
	Label    string
	Survivor string
	Other    string
	// Default is what MergeCustomers keeps when the owner does not choose:
	// "survivor", "other", or "both" (tags joined, notes one after the other).
	Default string
}

// mergeFields are the fields an owner can choose between, in form order.
var mergeFields = []struct {
	key, label string
	show       func(c model.Customer) string
}{
	{"name", "name", func(c model.Customer) string { return c.Name }},
	{"phone", "phone", func(c model.Customer) string { return c.Phone }},
	{"email", "email", func(c model.Customer) string { return c.Email }},
	{"address", "address", func(c model.Customer) string { return c.Address }},
	{"birthday", "birthday", func(c model.Customer) string { return c.Birthday.String() }},
	{"since", "customer since", func(c model.Customer) string { return dayString(c.Since) }},
	{"tags", "tags", func(c model.Customer) string { return strings.Join(c.Tags, ", ") }},
	{"preferences", "preferences", func(c model.Customer) string { return c.Preferences }},
	{"channel", "preferred channel", func(c model.Customer) string { return c.Channel }},
	{"source", "how they found the shop", func(c model.Customer) string { return c.Source }},
	{"referred_by", "referred by", func(c model.Customer) string { return refString(c.ReferredBy) }},
	{"notes", "notes", func(c model.Customer) string { return c.Notes }},
	{"no_contact", "no cards or contact", func(c model.Customer) string { return yesNo(c.NoContact) }},
	{"status", "status", func(c model.Customer) string { return statusString(c) }},
	{"partner", "partner", func(c model.Customer) string { return yesNo(c.Partner) }},
}

func dayString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func refString(id model.ID) string {
	if id == 0 {
		return ""
	}
	return "#" + strconv.FormatUint(uint64(id), 10)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func statusString(c model.Customer) string {
	s := string(c.Status)
	if s == "" {
		s = string(model.StatusActive)
	}
	if c.Status == model.StatusLost && c.LostReason != "" {
		s += " (" + c.LostReason + ")"
	}
	return s
}

// MergeChoices lists the fields whose values differ between the two
// customers, with what MergeCustomers keeps when the owner does not choose.
func MergeChoices(survivor, other model.Customer) []MergeField {
	var out []MergeField
	merged := mergeCustomer(survivor, other, nil)
	for _, f := range mergeFields {
		a, b := f.show(survivor), f.show(other)
		if a == b {
			continue
		}
		def := "survivor"
		switch m := f.show(merged); {
		case m == b && m != a:
			def = "other"
		case m != a:
			def = "both"
		}
		out = append(out, MergeField{Key: f.key, Label: f.label, Survivor: a, Other: b, Default: def})
	}
	return out
}

// mergeCustomer is the survivor as the merge leaves it. A field the owner
// picked takes that side's value; otherwise the survivor's value stays
// unless it is empty, tags are joined, notes follow one another, the
// earlier "customer since" wins, and a wish not to be contacted or a
// partner flag from either side is kept.
func mergeCustomer(s, o model.Customer, picks map[string]string) model.Customer {
	m := s
	takeOther := func(key string, empty bool) bool {
		switch picks[key] {
		case "other":
			return true
		case "survivor":
			return false
		}
		return empty
	}
	if takeOther("name", s.Name == "") {
		m.Name = o.Name
	}
	if takeOther("phone", s.Phone == "") {
		m.Phone = o.Phone
	}
	if takeOther("email", s.Email == "") {
		m.Email = o.Email
	}
	if takeOther("address", s.Address == "") {
		m.Address = o.Address
	}
	if takeOther("birthday", s.Birthday.IsZero() || (s.Birthday.Year == 0 && o.Birthday.Year != 0 && s.Birthday.Month == o.Birthday.Month && s.Birthday.Day == o.Birthday.Day)) {
		m.Birthday = o.Birthday
	}
	if takeOther("since", s.Since.IsZero() || (!o.Since.IsZero() && o.Since.Before(s.Since))) {
		m.Since = o.Since
	}
	switch picks["tags"] {
	case "other":
		m.Tags = o.Tags
	case "survivor":
	default:
		m.Tags = model.ParseTags(strings.Join(append(append([]string{}, s.Tags...), o.Tags...), ","))
		if len(m.Tags) > model.MaxTags {
			m.Tags = m.Tags[:model.MaxTags]
		}
	}
	if takeOther("preferences", s.Preferences == "") {
		m.Preferences = o.Preferences
	}
	if takeOther("channel", s.Channel == "") {
		m.Channel = o.Channel
	}
	if takeOther("source", s.Source == "") {
		m.Source = o.Source
	}
	if takeOther("referred_by", s.ReferredBy == 0) {
		m.ReferredBy = o.ReferredBy
	}
	switch picks["notes"] {
	case "other":
		m.Notes = o.Notes
	case "survivor":
	default:
		switch {
		case strings.TrimSpace(o.Notes) == "" || strings.Contains(s.Notes, strings.TrimSpace(o.Notes)):
		case strings.TrimSpace(s.Notes) == "":
			m.Notes = o.Notes
		default:
			m.Notes = s.Notes + "\n" + o.Notes
		}
	}
	switch picks["no_contact"] {
	case "other":
		m.NoContact = o.NoContact
	case "survivor":
	default:
		m.NoContact = s.NoContact || o.NoContact
	}
	if picks["status"] == "other" {
		m.Status, m.LostReason, m.LostNote, m.LostAt = o.Status, o.LostReason, o.LostNote, o.LostAt
	}
	switch picks["partner"] {
	case "other":
		m.Partner = o.Partner
	case "survivor":
	default:
		m.Partner = s.Partner || o.Partner
	}
	if o.Created.Before(s.Created) && !o.Created.IsZero() {
		m.Created = o.Created
	}
	return m
}

// MergeCustomers makes two customers one, as one undoable change: the
// survivor keeps its id and takes the other's value for each field picked
// "other" (see MergeChoices for the rest); the other's interactions, manual
// reminders and decisions on generated reminders move to the survivor (and
// with them their points and visits, worked out again); customers the other
// referred, and referral interactions naming the other, now name the
// survivor; then the other is deleted.
func (s *Store) MergeCustomers(survivor, other model.ID, picks map[string]string) (model.Customer, error) {
	var out model.Customer
	if survivor == other {
		return out, fmt.Errorf("a customer cannot be merged with themselves; choose two different customers")
	}
	for k, v := range picks {
		known := false
		for _, f := range mergeFields {
			known = known || f.key == k
		}
		if !known || (v != "survivor" && v != "other") {
			return out, fmt.Errorf("cannot merge by %s=%s: choose survivor or other for one of %s", k, v, mergeFieldKeys())
		}
	}
	now := s.now()
	_, err := s.update(func(w *wtx) error {
		sc, err := getCustomer(w.tx, survivor)
		if err != nil {
			return err
		}
		oc, err := getCustomer(w.tx, other)
		if err != nil {
			return err
		}
		m := mergeCustomer(*sc, *oc, picks)
		if m.ReferredBy == other || m.ReferredBy == survivor {
			m.ReferredBy = 0 // no one refers themselves
		}
		m = model.CleanCustomer(m)
		if err := model.ValidateCustomer(m); err != nil {
			return fmt.Errorf("the merged customer cannot be saved: %w; choose one side's value for that field", err)
		}
		m.Updated = now.UTC()

		// The other's timeline moves to the survivor: new keys, same ids.
		moved, err := customerInteractions(w.tx, other)
		if err != nil {
			return err
		}
		for i := range moved {
			in := moved[i]
			if err := deleteInteractionKeys(w, &in); err != nil {
				return err
			}
			in.Customer = survivor
			if in.Referred == survivor {
				in.Referred = 0
			}
			if err := putInteraction(w, &in); err != nil {
				return err
			}
		}
		// Referral interactions anywhere that name the other now name the survivor.
		needle := []byte(`"referred":` + strconv.FormatUint(uint64(other), 10))
		var referrals []model.Interaction
		err = w.tx.Bucket(bInteractions).ForEach(func(k, v []byte) error {
			if !mayName(v, needle, tiReferred, other) {
				return nil
			}
			var in model.Interaction
			if err := decode(v, &in); err != nil {
				return err
			}
			if in.Referred == other {
				referrals = append(referrals, in)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, in := range referrals {
			in.Referred = survivor
			if in.Customer == survivor {
				in.Referred = 0
			}
			if err := putInteraction(w, &in); err != nil {
				return err
			}
		}
		// Customers the other referred were referred by the survivor.
		needle = []byte(`"referred_by":` + strconv.FormatUint(uint64(other), 10))
		var referred []model.Customer
		err = w.tx.Bucket(bCustomers).ForEach(func(k, v []byte) error {
			if !mayName(v, needle, tcReferredBy, other) {
				return nil
			}
			var c model.Customer
			if err := decode(v, &c); err != nil {
				return err
			}
			if c.ReferredBy == other && c.ID != survivor && c.ID != other {
				referred = append(referred, c)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, c := range referred {
			old := c
			c.ReferredBy = survivor
			if err := putCustomer(w, &old, &c); err != nil {
				return err
			}
		}
		if err := moveReminders(w, other, survivor); err != nil {
			return err
		}
		// The other goes, with its index entries; the survivor takes its place.
		if k := emailKey(oc.Email, oc.ID); k != nil {
			if err := w.del(bEmail, k); err != nil {
				return err
			}
		}
		if k := phoneKey(oc.Phone, oc.ID); k != nil {
			if err := w.del(bPhone, k); err != nil {
				return err
			}
		}
		if err := w.del(bCustomers, idKey(other)); err != nil {
			return err
		}
		if err := putCustomer(w, sc, &m); err != nil {
			return err
		}
		c, err := recomputeStats(w, survivor, settingsIn(w.tx).Location())
		if err != nil {
			return err
		}
		out = *c
		w.change.Summary = fmt.Sprintf("Merged %s (#%d) into %s", oc.Name, oc.ID, c.Name)
		w.change.Customer = survivor
		return nil
	})
	return out, err
}

// moveReminders gives the other's manual reminders and decisions on
// generated reminders to the survivor. A decision the survivor already has
// for the same occurrence is kept over the other's.
func moveReminders(w *wtx, other, survivor model.ID) error {
	rems, err := manualReminders(w.tx)
	if err != nil {
		return err
	}
	for _, r := range rems {
		if r.Customer != other {
			continue
		}
		r.Customer = survivor
		r.Key = ""
		if err := w.putJSON(bReminders, idKey(r.ID), r); err != nil {
			return err
		}
	}
	decisions, err := decisionsIn(w.tx)
	if err != nil {
		return err
	}
	for key, d := range decisions {
		to, ok := rekey(key, map[model.ID]model.ID{other: survivor})
		if !ok {
			continue
		}
		if err := w.del(bDecisions, []byte(key)); err != nil {
			return err
		}
		if _, mine := decisions[to]; mine {
			continue
		}
		d.Customer = survivor
		if err := w.putJSON(bDecisions, []byte(to), d); err != nil {
			return err
		}
	}
	return nil
}

func mergeFieldKeys() string {
	var k []string
	for _, f := range mergeFields {
		k = append(k, f.key)
	}
	return strings.Join(k, ", ")
}
