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
	// ReminderSnoozed is only a decision's state: the reminder stays open,
	// due again on the day it was snoozed to.
	ReminderSnoozed ReminderState = "snoozed"
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

	// Manual reminders only.
	First   time.Time `json:"first,omitzero"`   // the first due day of a repeating one, so its series keeps its day
	Created time.Time `json:"created,omitzero"` // when the owner made it
	DoneAt  time.Time `json:"done_at,omitzero"` // when it was done or dismissed
	Reason  string    `json:"reason,omitempty"` // why it was dismissed

	// Generated reminders only: what the reminder is about, for its card
	// and its note (a purchase's time, amount and description; a tier's name).
	Occurred time.Time `json:"occurred,omitzero"`
	Amount   Money     `json:"amount,omitempty"`
	Detail   string    `json:"detail,omitempty"`
}
