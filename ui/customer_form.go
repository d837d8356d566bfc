package ui

import (
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
	f := cf.f
	c.Name = f.get("name")
	c.Phone = f.get("phone")
	c.Email = f.get("email")
	c.Address = f.get("address")
	c.Birthday, _ = model.ParseBirthday(f.get("birthday")) // checked before saving
	c.Tags = model.ParseTags(f.get("tags"))
	c.Channel = f.get("channel")
	c.NoContact = f.get("nocontact") == "yes"
	c.Source = f.get("source")
	c.Preferences = f.get("preferences")
	c.Notes = f.get("notes")
	return c
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
			saved, err = s.UpdateCustomer(c)
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
