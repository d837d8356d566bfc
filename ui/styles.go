package ui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"

	"github.com/patron-crm/patron/model"
)

// Styles are every look the interface uses, in one place. They are rebuilt
// when the terminal tells us its background colour; Bubble Tea downsamples
// the colours to what the terminal can show (none at all under NO_COLOR), so
// nothing may rely on colour alone: selection also has a marker and bold,
// matches are underlined, errors start with a mark.
type Styles struct {
	IsDark bool

	Header      lipgloss.Style // the bar along the top
	Tab         lipgloss.Style
	ActiveTab   lipgloss.Style
	Badge       lipgloss.Style
	ShopName    lipgloss.Style
	Title       lipgloss.Style // a view's title line
	Subtle      lipgloss.Style // secondary text: hints, file path
	ColumnHead  lipgloss.Style
	Selected    lipgloss.Style // the selected row
	Match       lipgloss.Style // characters a search matched
	Label       lipgloss.Style // a field's name in the detail and forms
	Value       lipgloss.Style
	Error       lipgloss.Style
	Success     lipgloss.Style
	Warning     lipgloss.Style
	Dialog      lipgloss.Style // the box around a dialog
	DialogTitle lipgloss.Style
	Key         lipgloss.Style // a key in help and dialogs
	Archived    lipgloss.Style
	Bar         lipgloss.Style // the filled part of charts and progress bars
	// Kind colours each kind of interaction's mark (kindMarks), so the
	// timeline and the Log tab can be read at a glance.
	Kind map[model.Kind]lipgloss.Style

	Help  help.Styles
	Input textinput.Styles
}

// NewStyles builds the styles for a dark or light terminal background.
func NewStyles(isDark bool) *Styles {
	ld := lipgloss.LightDark(isDark)
	var (
		accent  = ld(lipgloss.Color("#5A3FC0"), lipgloss.Color("#B7A6FF"))
		subtle  = ld(lipgloss.Color("#6B6B6B"), lipgloss.Color("#9A9A9A"))
		barBg   = ld(lipgloss.Color("#E4E0F5"), lipgloss.Color("#2A2540"))
		barFg   = ld(lipgloss.Color("#222222"), lipgloss.Color("#E8E6F0"))
		selBg   = ld(lipgloss.Color("#D9D2FF"), lipgloss.Color("#3D3466"))
		errFg   = ld(lipgloss.Color("#B00020"), lipgloss.Color("#FF6B7A"))
		okFg    = ld(lipgloss.Color("#1B7F3B"), lipgloss.Color("#6BD68A"))
		warnFg  = ld(lipgloss.Color("#9A5B00"), lipgloss.Color("#F2C45A"))
		matchFg = ld(lipgloss.Color("#B3005F"), lipgloss.Color("#FF9BCB"))
	)
	s := &Styles{IsDark: isDark}
	s.Header = lipgloss.NewStyle().Background(barBg).Foreground(barFg)
	s.Tab = lipgloss.NewStyle().Background(barBg).Foreground(barFg).Padding(0, 1)
	s.ActiveTab = lipgloss.NewStyle().Background(accent).Foreground(ld(lipgloss.Color("#FFFFFF"), lipgloss.Color("#1A1530"))).Bold(true).Padding(0, 1)
	s.Badge = lipgloss.NewStyle().Background(barBg).Foreground(warnFg).Bold(true)
	s.ShopName = lipgloss.NewStyle().Background(barBg).Foreground(barFg).Bold(true)
	s.Title = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.Subtle = lipgloss.NewStyle().Foreground(subtle)
	s.ColumnHead = lipgloss.NewStyle().Foreground(subtle).Bold(true)
	s.Selected = lipgloss.NewStyle().Background(selBg).Bold(true)
	s.Match = lipgloss.NewStyle().Foreground(matchFg).Underline(true)
	s.Label = lipgloss.NewStyle().Foreground(subtle)
	s.Value = lipgloss.NewStyle()
	s.Error = lipgloss.NewStyle().Foreground(errFg)
	s.Success = lipgloss.NewStyle().Foreground(okFg)
	s.Warning = lipgloss.NewStyle().Foreground(warnFg)
	s.Dialog = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 1)
	s.DialogTitle = lipgloss.NewStyle().Bold(true)
	s.Key = lipgloss.NewStyle().Foreground(accent).Bold(true)
	s.Archived = lipgloss.NewStyle().Foreground(subtle).Italic(true)
	s.Bar = lipgloss.NewStyle().Foreground(accent)
	var (
		blueFg    = ld(lipgloss.Color("#1F5FAF"), lipgloss.Color("#7FB2FF"))
		magentaFg = ld(lipgloss.Color("#8A2D8F"), lipgloss.Color("#E08AE6"))
	)
	kindFg := map[model.Kind]color.Color{
		model.KindPurchase: okFg, model.KindVisit: accent, model.KindReturn: warnFg,
		model.KindCall: blueFg, model.KindEmail: blueFg, model.KindMessage: blueFg,
		model.KindSocial: magentaFg, model.KindMeeting: accent, model.KindNote: subtle,
		model.KindComplaint: errFg, model.KindFeedback: warnFg, model.KindReferral: okFg,
		model.KindCardSent: magentaFg, model.KindRedeemed: okFg,
	}
	s.Kind = make(map[model.Kind]lipgloss.Style, len(kindFg))
	for k, fg := range kindFg {
		s.Kind[k] = lipgloss.NewStyle().Foreground(fg).Bold(true)
	}

	s.Help = help.DefaultStyles(isDark)
	s.Help.ShortKey = s.Help.ShortKey.Foreground(accent)
	s.Help.FullKey = s.Help.FullKey.Foreground(accent)

	s.Input = textinput.DefaultStyles(isDark)
	s.Input.Cursor.Blink = false // a steady cursor: no timer messages, calm screen
	s.Input.Cursor.Color = accent
	s.Input.Focused.Prompt = lipgloss.NewStyle().Foreground(accent)
	s.Input.Blurred.Prompt = lipgloss.NewStyle().Foreground(subtle)
	return s
}

// kindMarks give each kind of interaction a mark of its own, so kinds stay
// apart without colour too. All are one cell wide and none is an emoji.
var kindMarks = map[model.Kind]string{
	model.KindPurchase: "●", model.KindVisit: "○", model.KindReturn: "↺",
	model.KindCall: "☏", model.KindEmail: "@", model.KindMessage: "»",
	model.KindSocial: "#", model.KindMeeting: "◆", model.KindNote: "≡",
	model.KindComplaint: "!", model.KindFeedback: "★", model.KindReferral: "→",
	model.KindCardSent: "✦", model.KindRedeemed: "¤",
}

// kindMark is a kind's mark in its colour; "·" for a kind this Patron does
// not know (a newer one's).
func (s *Styles) kindMark(k model.Kind) string {
	m, ok := kindMarks[k]
	if !ok {
		return "·"
	}
	return s.Kind[k].Render(m)
}
