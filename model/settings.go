package model

import (
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Settings are the shop's choices, kept inside the data file so that copying
// the file carries them. Later sections (reminder rules, ladder, rewards,
// card templates) are added as fields; an older Patron ignores fields it does
// not know.
type Settings struct {
	ShopName string `json:"shop_name"`
	Currency string `json:"currency"`  // ISO 4217 code
	TimeZone string `json:"time_zone"` // IANA name; empty means the machine's

	Reminders ReminderSettings `json:"reminders,omitzero"` // the reminder rules and card templates
	Loyalty   LoyaltySettings  `json:"loyalty,omitzero"`   // the ladder's thresholds, earn rate and rewards
}

// DefaultSettings are what a new data file starts with.
func DefaultSettings() Settings {
	return Settings{ShopName: "My shop", Currency: "USD", Reminders: DefaultReminderSettings(), Loyalty: DefaultLoyalty()}
}

// Money returns the currency the settings name (USD if it is unknown).
func (s Settings) Money() Currency {
	c, err := LookupCurrency(s.Currency)
	if err != nil {
		c, _ = LookupCurrency("USD")
	}
	return c
}

// Location is the shop's time zone, which decides where days, weeks and
// months begin. An empty or unknown name means the machine's zone.
func (s Settings) Location() *time.Location {
	if s.TimeZone == "" {
		return time.Local
	}
	if loc, ok := zones.Load(s.TimeZone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return time.Local
	}
	zones.Store(s.TimeZone, loc)
	return loc
}

// zones keeps each zone once loaded: time.LoadLocation reads and parses
// the zone file on every call, and every save asks for the shop's zone. A
// Location never changes, so sharing one is safe.
var zones sync.Map

// SettingKeys are the names accepted by `patron settings set`.
var SettingKeys = []string{"shop_name", "currency", "time_zone"}

// Set changes one setting by name, validating the value.
func (s *Settings) Set(key, value string) error {
	value = strings.TrimSpace(value)
	switch strings.ReplaceAll(strings.ToLower(key), "-", "_") {
	case "shop_name", "name":
		if value == "" {
			return &FieldError{Field: "shop name", Problem: "is empty", Fix: "type the name shown on cards"}
		}
		if !utf8.ValidString(value) {
			return &FieldError{Field: "shop name", Problem: "has characters that are not valid text", Fix: "retype it"}
		}
		if n := len([]rune(value)); n > 100 {
			return &FieldError{Field: "shop name", Problem: fmt.Sprintf("is %d characters long", n), Fix: "keep it to 100"}
		}
		s.ShopName = value
	case "currency":
		c, err := LookupCurrency(value)
		if err != nil {
			return &FieldError{Field: "currency", Problem: fmt.Sprintf("%q is not a currency Patron knows", value), Fix: "use an ISO code such as USD, EUR or GBP"}
		}
		s.Currency = c.Code
	case "time_zone", "timezone", "tz":
		if value == "" || strings.EqualFold(value, "local") {
			s.TimeZone = ""
			return nil
		}
		if _, err := time.LoadLocation(value); err != nil || value == "Local" {
			return &FieldError{Field: "time zone", Problem: fmt.Sprintf("%q is not a time zone", value), Fix: "use a name such as Europe/Lisbon or America/New_York"}
		}
		s.TimeZone = value
	default:
		return fmt.Errorf("there is no setting %q; the settings are %s", key, strings.Join(SettingKeys, ", "))
	}
	return nil
}

// FieldError is a validation failure the owner can act on: which field,
// what is wrong with it, and how to put it right.
type FieldError struct {
	Field   string
	Problem string
	Fix     string
}

func (e *FieldError) Error() string {
	s := e.Field + " " + e.Problem
	if e.Fix != "" {
		s += ": " + e.Fix
	}
	return s
}
