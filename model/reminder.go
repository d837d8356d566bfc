package model

import "time"

// ReminderKind is what a reminder asks the owner to do.
type ReminderKind string

// The kinds of reminder, as they appear in JSON output.
const (
	ReminderThankYou      ReminderKind = "thank-you"
	ReminderBirthday      ReminderKind = "birthday"
	ReminderAnniversary   ReminderKind = "anniversary"
	ReminderThinkingOfYou ReminderKind = "thinking-of-you"
	ReminderWinBack       ReminderKind = "win-back"
	ReminderComplaint     ReminderKind = "complaint-follow-up"
	ReminderTierUp        ReminderKind = "tier-up"
	ReminderFollowUp      ReminderKind = "follow-up"
	ReminderCustom        ReminderKind = "custom"
)

// ReminderState is where a reminder stands.
type ReminderState string

const (
	ReminderOpen      ReminderState = "open"
	ReminderDone      ReminderState = "done"
	ReminderDismissed ReminderState = "dismissed"
)

// Repeat is a recurrence: every N days, weeks, months or years.
type Repeat struct {
	Every int    `json:"every,omitempty"`
	Unit  string `json:"unit,omitempty"` // day, week, month, year
}

// Reminder is something to do for a customer on or after a day. Manual
// reminders are stored; generated ones are derived by rules and only the
// owner's decisions about them are stored.
type Reminder struct {
	ID           ID            `json:"id,omitempty"`
	Key          string        `json:"key,omitempty"` // deterministic for generated reminders
	Customer     ID            `json:"customer"`
	Due          time.Time     `json:"due"`
	Kind         ReminderKind  `json:"kind"`
	Note         string        `json:"note,omitempty"`
	Repeat       Repeat        `json:"repeat,omitzero"`
	State        ReminderState `json:"state,omitempty"`
	SnoozedUntil time.Time     `json:"snoozed_until,omitzero"`
	Rule         string        `json:"rule,omitempty"`
}
