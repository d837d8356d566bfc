// Package model is Patron's domain: customers, interactions, money, dates,
// reminders and the rules over them. It is pure: no I/O, and every rule that
// depends on the clock takes now as an argument.
package model

import (
	"fmt"
	"strings"
	"time"
)

// ID identifies a customer, an interaction or a reminder. IDs come from the
// store's sequences and are never reused within one data file.
type ID uint64

// Status says whether a customer is current, put away, or gone.
type Status string

const (
	StatusActive   Status = "active"
	StatusArchived Status = "archived"
	StatusLost     Status = "lost"
)

// Birthday is a month and day with an optional year (Year 0 means unknown).
// The zero value means no birthday is known.
type Birthday struct {
	Year  int `json:"year,omitempty"`
	Month int `json:"month,omitempty"`
	Day   int `json:"day,omitempty"`
}

// IsZero reports whether no birthday is recorded. Any field set counts, so a
// year or day without a month is refused by Validate, not silently dropped.
func (b Birthday) IsZero() bool { return b == Birthday{} }

// Customer is one person (or business) the shop knows.
type Customer struct {
	ID          ID        `json:"id"`
	Name        string    `json:"name"`
	Phone       string    `json:"phone,omitempty"`
	Email       string    `json:"email,omitempty"`
	Address     string    `json:"address,omitempty"`
	Birthday    Birthday  `json:"birthday,omitzero"`
	Since       time.Time `json:"since,omitzero"`
	Tags        []string  `json:"tags,omitempty"`
	Preferences string    `json:"preferences,omitempty"`
	Channel     string    `json:"channel,omitempty"`
	Source      string    `json:"source,omitempty"`
	ReferredBy  ID        `json:"referred_by,omitempty"`
	Notes       string    `json:"notes,omitempty"`
	NoContact   bool      `json:"no_contact,omitempty"`
	Status      Status    `json:"status,omitempty"`
	LostReason  string    `json:"lost_reason,omitempty"`
	LostNote    string    `json:"lost_note,omitempty"`
	LostAt      time.Time `json:"lost_at,omitzero"`
	Partner     bool      `json:"partner,omitempty"`
	Created     time.Time `json:"created,omitzero"`
	Updated     time.Time `json:"updated,omitzero"`

	// Stats are the aggregates the list and the rules need. The store
	// recomputes them in the same transaction as every interaction change;
	// callers never set them.
	Stats Stats `json:"stats,omitzero"`
}

// Active reports whether the customer shows in the list by default.
func (c Customer) Active() bool { return c.Status == "" || c.Status == StatusActive }

// FirstName is the first word of the name, for card greetings.
func (c Customer) FirstName() string {
	f := strings.Fields(c.Name)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// HasTag reports whether the customer carries tag (case-insensitive).
func (c Customer) HasTag(tag string) bool {
	for _, t := range c.Tags {
		if strings.EqualFold(t, tag) {
			return true
		}
	}
	return false
}

// Stats are a customer's aggregates, derived from their interactions.
type Stats struct {
	Interactions   int       `json:"interactions,omitempty"`
	Visits         int       `json:"visits,omitempty"` // distinct shop days with a visit, purchase or return
	Purchases      int       `json:"purchases,omitempty"`
	Spend          Money     `json:"spend,omitempty"` // purchases less returns
	Points         int64     `json:"points,omitempty"`
	FirstVisit     time.Time `json:"first_visit,omitzero"`
	LastVisit      time.Time `json:"last_visit,omitzero"`
	FirstPurchase  time.Time `json:"first_purchase,omitzero"`
	LastPurchase   time.Time `json:"last_purchase,omitzero"`
	LastContact    time.Time `json:"last_contact,omitzero"` // newest interaction of any kind
	OpenComplaints int       `json:"open_complaints,omitempty"`
	// Months holds per-month figures for the 13 months up to the customer's
	// newest interaction, oldest first, so rolling 12-month rules are a cheap
	// function of the record and now.
	Months []MonthStats `json:"months,omitempty"`
	// Days holds the loyalty facts per shop day for the DayMonths months up
	// to the newest interaction, oldest first (model/loyalty.go).
	Days []DayStats `json:"days,omitempty"`

	// Facts for the reminder rules and card messages (model/reminders.go),
	// so the rules read the record, never the interactions.
	LastPurchaseNote   string          `json:"last_purchase_note,omitempty"`   // what they bought last, cut short
	LastPurchaseAmount Money           `json:"last_purchase_amount,omitempty"` // and for how much
	RecentPurchases    []PurchaseFact  `json:"recent_purchases,omitempty"`     // see RecentPurchaseDays
	OpenComplaintList  []ComplaintFact `json:"open_complaint_list,omitempty"`  // every unresolved complaint
	MedianGapDays      int             `json:"median_gap_days,omitempty"`      // median days between visit days
	Purchases6m        int             `json:"purchases_6m,omitempty"`         // purchases in the 6 months up to the last visit
}

// MonthStats are one calendar month's figures for one customer.
type MonthStats struct {
	Month     int   `json:"m"` // year*100 + month, in the shop's time zone
	Visits    int   `json:"v,omitempty"`
	Purchases int   `json:"p,omitempty"`
	Spend     Money `json:"s,omitempty"`
	Referrals int   `json:"r,omitempty"`
	FiveStars int   `json:"f,omitempty"`
}

// Validate checks that the birthday is a real day (Feb 29 is allowed without
// a year, or in a leap year).
func (b Birthday) Validate() error {
	if b.Month < 1 || b.Month > 12 {
		return &FieldError{Field: "birthday", Problem: fmt.Sprintf("month %d does not exist", b.Month), Fix: "write it as 12-24 or 1990-12-24"}
	}
	y := b.Year
	if y == 0 {
		y = 2000 // a leap year, so Feb 29 is allowed without a year
	}
	if b.Day < 1 || b.Day > daysIn(time.Month(b.Month), y) {
		return &FieldError{Field: "birthday", Problem: fmt.Sprintf("%s has no day %d", time.Month(b.Month), b.Day), Fix: "check the day"}
	}
	if b.Year != 0 && (b.Year < 1900 || b.Year > 2100) {
		return &FieldError{Field: "birthday", Problem: fmt.Sprintf("year %d is not plausible", b.Year), Fix: "leave the year out if it is unknown"}
	}
	return nil
}

// String writes the birthday as 1990-12-24, or 12-24 without a year.
func (b Birthday) String() string {
	if b.IsZero() {
		return ""
	}
	if b.Year == 0 {
		return fmt.Sprintf("%02d-%02d", b.Month, b.Day)
	}
	return fmt.Sprintf("%04d-%02d-%02d", b.Year, b.Month, b.Day)
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
