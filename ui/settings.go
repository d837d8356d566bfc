package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// settingsView is the Settings page that `,` opens over any tab: the
// shop's name, currency and time zone (later features add their sections
// as more fields). Saving is one undoable change.
type settingsView struct {
	c      *common
	w, h   int
	f      *form
	dialog dialog
	keys   formKeys
	rem    *remSettings // the Reminders section's card messages
}

type (
	settingsSavedMsg struct {
		settings model.Settings
		err      error
	}
	closeSettingsMsg struct{}
)

// settingField checks one value with the same rule `patron settings set` uses.
func settingField(name string) func(string) error {
	return func(v string) error {
		var s model.Settings
		return s.Set(name, v)
	}
}

func newSettingsView(c *common) *settingsView {
	f := newForm("Settings", c.styles)
	st := c.settings
	f.addText("shop_name", "Shop name", "the name on your cards", st.ShopName, settingField("shop_name"))
	f.addText("currency", "Currency", "an ISO code: USD, EUR, GBP…", st.Currency, settingField("currency"))
	f.addText("time_zone", "Time zone", "empty for this computer's, or e.g. Europe/Lisbon", st.TimeZone, settingField("time_zone"))
	addLoyaltyFields(f, c) // thresholds, earn rate, rewards (loyalty.go)
	rem := addReminderSettings(f, st)
	return &settingsView{c: c, f: f, keys: newFormKeys(), rem: rem}
}

func (v *settingsView) Init() tea.Cmd { return v.f.start() }

func (v *settingsView) Capturing() bool { return true }

func (v *settingsView) Guard() string {
	if v.f.dirty() {
		return "Discard your changes to the settings and quit?"
	}
	return ""
}

func (v *settingsView) SetSize(w, h int) {
	v.w, v.h = w, h
	v.f.setSize(w, max(1, h-4))
}

func (v *settingsView) Update(msg tea.Msg) (View, tea.Cmd) {
	if cmd, ok := v.reminderMsg(msg); ok {
		return v, cmd
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if v.dialog != nil {
			return v, keyToDialog(&v.dialog, msg)
		}
		switch {
		case key.Matches(msg, v.keys.Save):
			return v, v.save()
		case key.Matches(msg, v.keys.Cancel):
			if !v.f.dirty() {
				return v, func() tea.Msg { return closeSettingsMsg{} }
			}
			v.dialog = confirmDialog("Discard your changes to the settings?", nil,
				func() tea.Msg { return closeSettingsMsg{} }, "discard")
			return v, nil
		}
		return v, growRewards(v.f, v.c, v.f.update(msg))
	case tea.PasteMsg:
		if v.dialog == nil {
			return v, growRewards(v.f, v.c, v.f.update(msg))
		}
	}
	return v, nil
}

func (v *settingsView) save() tea.Cmd {
	if reason, cmd := v.f.checkAll(); reason != "" {
		return tea.Batch(cmd, func() tea.Msg { return statusMsg{text: "Not saved yet: " + reason, kind: statusError} })
	}
	st := v.c.settings
	for _, k := range []string{"shop_name", "currency", "time_zone"} {
		if err := st.Set(k, v.f.get(k)); err != nil {
			return sayError(err) // checked above; kept for safety
		}
	}
	if err := v.rem.apply(v.f, &st); err != nil {
		return sayError(err)
	}
	if cmd := saveLoyaltyInto(v.f, v.c, &st); cmd != nil {
		return cmd
	}
	return v.c.do(func(s *store.Store) tea.Msg {
		return settingsSavedMsg{settings: st, err: s.SaveSettings(st)}
	})
}

func (v *settingsView) View() string {
	if v.w <= 0 || v.h <= 0 {
		return ""
	}
	st := v.c.styles
	lines := []string{
		st.Title.Render("Settings") + st.Subtle.Render("  kept in the data file, so a copy of it carries them"),
		"",
		v.f.view(),
		"",
		st.Subtle.Render(truncate("Days, weeks and months begin in the shop's time zone. Once saved, u undoes it.", v.w)),
	}
	s := fitBlock(strings.Join(lines, "\n"), v.w, v.h)
	if v.dialog != nil {
		s = overlay(s, v.dialog.view(st, v.w), v.w, v.h)
	}
	return s
}

func (v *settingsView) ShortHelp() []key.Binding {
	return []key.Binding{v.keys.Save, v.keys.Next, v.keys.Prev, v.keys.Cancel}
}

func (v *settingsView) FullHelp() [][]key.Binding {
	return [][]key.Binding{{v.keys.Save, v.keys.Next, v.keys.Prev, v.keys.Cancel}}
}
