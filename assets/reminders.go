package assets

import (
	"embed"
	"strings"
)

// reminderFiles are the built-in card messages, one text/template file per
// kind of card reminder (model.CardData lists the fields they can use).
//
//go:embed reminders/*.tmpl
var reminderFiles embed.FS

// CardTemplates returns the built-in card templates by reminder kind
// ("thank-you", "birthday", ...). The owner can replace each in Settings.
func CardTemplates() map[string]string {
	entries, err := reminderFiles.ReadDir("reminders")
	if err != nil {
		return nil
	}
	out := make(map[string]string, len(entries))
	for _, e := range entries {
		b, err := reminderFiles.ReadFile("reminders/" + e.Name())
		if err != nil {
			continue
		}
		out[strings.TrimSuffix(e.Name(), ".tmpl")] = string(b)
	}
	return out
}
