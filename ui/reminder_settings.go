package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/assets"
	"github.com/patron-crm/patron/model"
)

// The Settings page's Reminders section: each rule on or off with its
// numbers (by the names `patron reminders rules set` uses), and each card's
// message, edited in a dialog and checked before it is kept.

// reminderSetting is how one rule setting shows on the Settings page.
type reminderSetting struct {
	label  string
	onText string // toggles: what on means
	hint   string // numbers
}

var reminderSettings = map[string]reminderSetting{
	"thank_you":                  {label: "Thank-you cards", onText: "a card after purchases"},
	"thank_you.first_purchase":   {label: "  first purchase", onText: "every first purchase earns one"},
	"thank_you.threshold":        {label: "  from amount", hint: "a purchase this big earns one too, e.g. 100.00; 0 for first purchases only"},
	"thank_you.days_after":       {label: "  days after", hint: "days after the purchase; 1 is the next day"},
	"thank_you.lapse_days":       {label: "  lapse (days)", hint: "unattended, it goes this long after falling due"},
	"birthday":                   {label: "Birthday cards", onText: "a card before each birthday"},
	"birthday.days_before":       {label: "  days before", hint: "days before the birthday, to reach them by post"},
	"birthday.lapse_days":        {label: "  lapse (days)", hint: "days after the birthday"},
	"anniversary":                {label: "Anniversaries", onText: "a card a year after the first purchase"},
	"anniversary.days_before":    {label: "  days before", hint: "0 is on the day"},
	"anniversary.lapse_days":     {label: "  lapse (days)", hint: "days after the anniversary"},
	"thinking_of_you":            {label: "Thinking of you", onText: "a card when it has been a while"},
	"thinking_of_you.gap_times":  {label: "  gap times", hint: "times their usual gap between visits, e.g. 2"},
	"thinking_of_you.days":       {label: "  or days", hint: "days without contact, for customers with few visits"},
	"thinking_of_you.min_visits": {label: "  visits for gap", hint: "fewer visits than this: the days above"},
	"win_back":                   {label: "Win-back", onText: "a card when a regular stops coming"},
	"win_back.purchases":         {label: "  regular buys", hint: "purchases in 6 months that make a regular"},
	"win_back.weeks":             {label: "  weeks away", hint: "weeks not seen before the reminder"},
	"complaint_follow_up":        {label: "Complaints", onText: "a follow-up call while one is open"},
	"complaint_follow_up.days":   {label: "  days after", hint: "days after the complaint"},
	"tier_up":                    {label: "Tier-up cards", onText: "congratulations on moving up"},
	"tier_up.days":               {label: "  within days", hint: "days after moving up the ladder"},
}

// cardLabels name each kind of card's message on the Settings page (at
// most 16 cells, so the section does not widen the labels).
var cardLabels = map[model.ReminderKind]string{
	model.ReminderThankYou: "Thank-you text", model.ReminderBirthday: "Birthday text",
	model.ReminderAnniversary: "Anniversary text", model.ReminderThinkingOfYou: "Thinking text",
	model.ReminderWinBack: "Win-back text", model.ReminderTierUp: "Tier-up text",
}

// cardField is the form key of a kind of card's message.
func cardField(k model.ReminderKind) string { return "card:" + string(k) }

// remSettings holds the Reminders section's card messages while the
// Settings page is open: the owner's, by kind; a kind not there uses
// Patron's own.
type remSettings struct {
	cards    map[model.ReminderKind]string
	defaults map[string]string
	cur      model.Currency
}

// addReminderSettings adds the Reminders section's fields to the Settings form.
func addReminderSettings(f *form, st model.Settings) *remSettings {
	rs := st.ReminderRules()
	cur := st.Money()
	for _, k := range model.ReminderKeys() {
		k := k
		s, ok := reminderSettings[k]
		if !ok {
			s = reminderSetting{label: k}
		}
		if v := rs.Get(k, cur); v == "on" || v == "off" {
			f.addToggle("rem:"+k, s.label, s.onText, v == "on")
			continue
		}
		f.addText("rem:"+k, s.label, s.hint, rs.Get(k, cur), func(v string) error {
			probe := model.DefaultReminderSettings()
			return probe.Set(k, v, cur)
		})
	}
	r := &remSettings{cards: map[model.ReminderKind]string{}, defaults: assets.CardTemplates(), cur: cur}
	for k, text := range rs.Cards {
		if strings.TrimSpace(text) != "" {
			r.cards[k] = text
		}
	}
	for _, k := range model.CardKinds {
		label, ok := cardLabels[k]
		if !ok {
			label = string(k)
		}
		f.addText(cardField(k), label, "", r.summary(k), nil)
	}
	return r
}

// summary is a card message's line in the form: whose it is, and how it
// goes on after the greeting, short enough to show whole.
func (r *remSettings) summary(k model.ReminderKind) string {
	text, own := r.cards[k]
	whose := "Patron's"
	if own {
		whose = "yours"
	} else {
		text = r.defaults[string(k)]
	}
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) > 1 && strings.HasPrefix(strings.TrimSpace(lines[0]), "Dear ") {
		lines = lines[1:]
	}
	words := []rune(strings.Join(strings.Fields(strings.Join(lines, " ")), " "))
	if len(words) > 28 {
		words = append(words[:27], '…')
	}
	return whose + " (enter edits): " + string(words)
}

// apply writes the section's values onto st; on a bad value st is unchanged.
func (r *remSettings) apply(f *form, st *model.Settings) error {
	rs := st.ReminderRules()
	for _, k := range model.ReminderKeys() {
		if err := rs.Set(k, f.get("rem:"+k), st.Money()); err != nil {
			return err
		}
	}
	rs.Cards = nil
	for k, text := range r.cards {
		if rs.Cards == nil {
			rs.Cards = map[model.ReminderKind]string{}
		}
		rs.Cards[k] = text
	}
	if err := rs.Validate(); err != nil {
		return err
	}
	st.Reminders = rs
	return nil
}

// reminderMsg handles what the Reminders section needs before the form
// sees a message: on a card's field, any typing opens the message's
// editor. ok says the message was handled.
func (v *settingsView) reminderMsg(msg tea.Msg) (tea.Cmd, bool) {
	if v.dialog != nil || v.rem == nil || len(v.f.fields) == 0 {
		return nil, false
	}
	fl := v.f.fields[v.f.focus]
	kind, isCard := strings.CutPrefix(fl.key, "card:")
	if !isCard {
		return nil, false
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch msg.String() {
		case "tab", "shift+tab", "up", "down", "ctrl+s", "esc", "ctrl+c":
			return nil, false
		}
	case tea.PasteMsg:
	default:
		return nil, false
	}
	k := model.ReminderKind(kind)
	text, own := v.rem.cards[k]
	if !own {
		text = v.rem.defaults[kind]
	}
	v.dialog = newTemplateEditor(v.c.styles, k, text, func() int { return v.h }, func(text string) tea.Cmd {
		before, had := v.rem.cards[k]
		if strings.TrimSpace(text) == strings.TrimSpace(v.rem.defaults[kind]) {
			delete(v.rem.cards, k)
		} else {
			v.rem.cards[k] = text
		}
		if after, has := v.rem.cards[k]; after != before || has != had {
			fl.input.SetValue(v.rem.summary(k))
			fl.initial = "\x00" // changed: esc asks before throwing it away
		}
		return nil
	})
	return nil, true
}
