package ui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// customerForm adds or edits a customer.
type customerForm struct {
	f        *form
	original model.Customer // the record being edited; zero when adding
	adding   bool
	back     screen
}

// probe validates one field by itself: a customer with just that field
// (and a name, which is required) set.
func probe(set func(c *model.Customer, v string)) func(string) error {
	return func(v string) error {
		c := model.Customer{Name: "x"}
		set(&c, v)
		return model.ValidateCustomer(c)
	}
}

func newCustomerForm(st *Styles, c model.Customer, adding bool, back screen) *customerForm {
	title := "New customer"
	if !adding {
		title = "Edit " + clean(c.Name)
	}
	f := newForm(title, st)
	f.addText("name", "Name", "required", c.Name, func(v string) error {
		return model.ValidateCustomer(model.Customer{Name: v})
	})
	f.addText("phone", "Phone", "", c.Phone, model.ValidatePhone)
	f.addText("email", "Email", "name@example.com", c.Email, model.ValidateEmail)
	f.addText("address", "Mailing address", "where cards go", c.Address, probe(func(c *model.Customer, v string) { c.Address = v }))
	f.addText("birthday", "Birthday", "12-24 or 1990-12-24", c.Birthday.String(), func(v string) error {
		_, err := model.ParseBirthday(v)
		return err
	})
	f.addText("tags", "Tags", "comma separated: vip, wedding", strings.Join(c.Tags, ", "), probe(func(c *model.Customer, v string) { c.Tags = model.ParseTags(v) }))
	f.addText("channel", "Preferred channel", "phone, email, text, post…", c.Channel, probe(func(c *model.Customer, v string) { c.Channel = v }))
	f.addToggle("nocontact", "No cards or contact", "opted out: no generated reminders", c.NoContact)
	f.addText("source", "How they found us", "a friend, Instagram, walking by…", c.Source, probe(func(c *model.Customer, v string) { c.Source = v }))
	f.addText("preferences", "Preferences", "what they like, sizes, allergies", c.Preferences, probe(func(c *model.Customer, v string) { c.Preferences = v }))
	f.addText("notes", "Notes", "", c.Notes, probe(func(c *model.Customer, v string) { c.Notes = v }))
	return &customerForm{f: f, original: c, adding: adding, back: back}
}

// customer is the record the form describes, on top of the original so
// fields the form does not show are kept.
func (cf *customerForm) customer() model.Customer {
	c := cf.original
	cf.edits(false)(&c)
	return c
}

// edits captures the form's values as a function that writes them onto a
// customer: all of them, or only those the owner changed, so that saving
// an edit keeps what another window changed meanwhile in other fields.
// The values are copied now, so the function is safe in a tea.Cmd.
func (cf *customerForm) edits(onlyChanged bool) func(c *model.Customer) {
	var sets []func(c *model.Customer)
	field := func(key string, apply func(c *model.Customer, v string)) {
		fl := cf.f.field(key)
		if v := fl.value(); !onlyChanged || v != fl.initial {
			sets = append(sets, func(c *model.Customer) { apply(c, v) })
		}
	}
	field("name", func(c *model.Customer, v string) { c.Name = v })
	field("phone", func(c *model.Customer, v string) { c.Phone = v })
	field("email", func(c *model.Customer, v string) { c.Email = v })
	field("address", func(c *model.Customer, v string) { c.Address = v })
	field("birthday", func(c *model.Customer, v string) { c.Birthday, _ = model.ParseBirthday(v) }) // checked before saving
	field("tags", func(c *model.Customer, v string) { c.Tags = model.ParseTags(v) })
	field("channel", func(c *model.Customer, v string) { c.Channel = v })
	field("nocontact", func(c *model.Customer, v string) { c.NoContact = v == "yes" })
	field("source", func(c *model.Customer, v string) { c.Source = v })
	field("preferences", func(c *model.Customer, v string) { c.Preferences = v })
	field("notes", func(c *model.Customer, v string) { c.Notes = v })
	return func(c *model.Customer) {
		for _, set := range sets {
			set(c)
		}
	}
}

// discardQuestion names what esc or ctrl+c would throw away.
func (cf *customerForm) discardQuestion() string {
	if cf.adding {
		return "Discard the new customer"
	}
	return "Discard your changes to " + clean(cf.original.Name)
}

// contactChanged reports whether the email or phone differ from what was
// stored, the only case worth a duplicate warning.
func (cf *customerForm) contactChanged(c model.Customer) bool {
	return cf.adding ||
		model.NormalizeEmail(c.Email) != model.NormalizeEmail(cf.original.Email) ||
		model.PhoneDigits(c.Phone) != model.PhoneDigits(cf.original.Phone)
}

type (
	customerSavedMsg struct {
		customer model.Customer
		adding   bool
		err      error
	}
	// duplicateMsg says someone else has the email or phone just typed.
	duplicateMsg struct {
		customer model.Customer
		others   []model.Customer
	}
	closeFormMsg struct{}
)

func (v *customersView) openForm(c model.Customer, adding bool, back screen) tea.Cmd {
	v.form = newCustomerForm(v.c.styles, c, adding, back)
	v.form.f.setSize(v.w, v.h-2)
	v.screen = screenForm
	v.dialog = nil
	return v.form.f.start()
}

func (v *customersView) closeForm() {
	if v.form == nil {
		return
	}
	v.screen = v.form.back
	v.form = nil
}

func (v *customersView) formKey(msg tea.KeyPressMsg) tea.Cmd {
	cf := v.form
	switch {
	case key.Matches(msg, v.fkeys.Save):
		return v.saveForm(false)
	case key.Matches(msg, v.fkeys.Cancel):
		if !cf.f.dirty() {
			v.closeForm()
			return nil
		}
		v.dialog = confirmDialog(cf.discardQuestion()+"?", []string{"What you typed will be lost."},
			func() tea.Msg { return closeFormMsg{} }, "discard")
		return nil
	}
	return cf.f.update(msg)
}

// saveForm checks every field, then saves in a tea.Cmd. Unless force, a
// new email or phone already on someone else asks first.
func (v *customersView) saveForm(force bool) tea.Cmd {
	cf := v.form
	if cf == nil {
		return nil
	}
	if reason, cmd := cf.f.checkAll(); reason != "" {
		return tea.Batch(cmd, func() tea.Msg {
			return statusMsg{text: "Not saved yet: " + reason, kind: statusError}
		})
	}
	c := cf.customer()
	adding := cf.adding
	checkDup := !force && cf.contactChanged(c)
	changed := cf.edits(true)
	cf0name := cf.original.Name
	if adding && c.Since.IsZero() {
		c.Since = v.c.now()
	}
	return v.c.do(func(s *store.Store) tea.Msg {
		if checkDup {
			others, err := s.Duplicates(c)
			if err != nil {
				return customerSavedMsg{customer: c, adding: adding, err: err}
			}
			if len(others) > 0 {
				return duplicateMsg{customer: c, others: others}
			}
		}
		var saved model.Customer
		var err error
		if adding {
			saved, err = s.AddCustomer(c)
		} else {
			// Apply the edits to the customer as stored now, not as they
			// were when the form opened.
			fresh, ferr := s.Customer(c.ID)
			if errors.Is(ferr, store.ErrNotFound) {
				ferr = fmt.Errorf("%s was deleted in another window, so the changes could not be saved", model.Sanitize(cf0name))
			}
			if ferr != nil {
				return customerSavedMsg{customer: c, err: ferr}
			}
			changed(&fresh)
			saved, err = s.UpdateCustomer(fresh)
		}
		return customerSavedMsg{customer: saved, adding: adding, err: err}
	})
}

func (v *customersView) askDuplicate(msg duplicateMsg) {
	if v.form == nil {
		return
	}
	other := msg.others[0]
	var names []string
	for i, o := range msg.others {
		if i == 3 {
			names = append(names, plural(len(msg.others)-3, "other", "others"))
			break
		}
		line := "• " + clean(o.Name)
		switch {
		case o.Email != "" && model.NormalizeEmail(o.Email) == model.NormalizeEmail(msg.customer.Email):
			line += " has " + clean(o.Email)
		case o.Phone != "":
			line += " has " + clean(o.Phone)
		}
		names = append(names, line)
	}
	id := other.ID
	open := func() tea.Msg { return openCustomerMsg{id: id} }
	v.dialog = &questionDialog{
		title: "Someone already has this email or phone",
		body:  names,
		choices: []choice{
			{key: "o", label: "open " + clean(other.Name) + " instead", cmd: open},
			{key: "s", label: "save anyway", cmd: v.saveForm(true)},
		},
	}
}

func (v *customersView) gotSaved(msg customerSavedMsg) tea.Cmd {
	if msg.err != nil {
		// The form stays open with everything typed.
		return sayError(msg.err)
	}
	c := msg.customer
	v.put(c)
	v.selectedID = c.ID
	back := screenList
	if v.form != nil {
		back = v.form.back
	}
	v.form = nil
	v.screen = back
	if back == screenDetail {
		v.detail.c = c
	}
	v.patch([]model.ID{c.ID}, false)
	verb := "Saved "
	if msg.adding {
		verb = "Added "
	}
	var reload tea.Cmd
	if back == screenDetail {
		reload = v.loadDetail(c.ID)
	}
	return tea.Batch(say(verb+clean(c.Name)+"."), wrote, reload)
}

func (v *customersView) formView() string {
	st := v.c.styles
	cf := v.form
	lines := []string{st.Title.Render(cf.f.title) + st.Subtle.Render("  ctrl+s saves from any field"), ""}
	cf.f.setSize(v.w, v.h-len(lines))
	return strings.Join(lines, "\n") + "\n" + cf.f.view()
}
