package model

import (
	"fmt"
	"strings"
	"time"
)

// Kind is what sort of interaction happened.
type Kind string

// The kinds of interaction, with the names used on the command line and in JSON.
const (
	KindVisit     Kind = "visit"
	KindPurchase  Kind = "purchase"
	KindReturn    Kind = "return"
	KindCall      Kind = "call"
	KindEmail     Kind = "email"
	KindMessage   Kind = "message"
	KindSocial    Kind = "social"
	KindMeeting   Kind = "meeting"
	KindNote      Kind = "note"
	KindComplaint Kind = "complaint"
	KindFeedback  Kind = "feedback"
	KindReferral  Kind = "referral"
	KindCardSent  Kind = "card-sent"
	KindRedeemed  Kind = "reward-redeemed"
)

// Kinds lists every kind in the order they are offered to the owner.
var Kinds = []Kind{KindPurchase, KindVisit, KindReturn, KindCall, KindEmail, KindMessage,
	KindSocial, KindMeeting, KindNote, KindComplaint, KindFeedback, KindReferral, KindCardSent, KindRedeemed}

// ParseKind reads a kind name as typed on the command line.
func ParseKind(s string) (Kind, bool) {
	switch s {
	case "repair", "return-repair":
		return KindReturn, true
	case "card", "card_sent":
		return KindCardSent, true
	case "redeem", "reward", "reward_redeemed":
		return KindRedeemed, true
	}
	for _, k := range Kinds {
		if string(k) == s {
			return k, true
		}
	}
	return "", false
}

// IsVisit reports whether an interaction of this kind means the customer was
// in the shop that day.
func (k Kind) IsVisit() bool { return k == KindVisit || k == KindPurchase || k == KindReturn }

// HasAmount reports whether this kind carries money.
func (k Kind) HasAmount() bool { return k == KindPurchase || k == KindReturn }

// Label is the kind's name as shown to the owner.
func (k Kind) Label() string {
	switch k {
	case KindReturn:
		return "return/repair"
	case KindCardSent:
		return "card sent"
	case KindRedeemed:
		return "reward redeemed"
	}
	return string(k)
}

// Interaction is one thing that happened between the shop and a customer.
type Interaction struct {
	ID         ID        `json:"id"`
	Customer   ID        `json:"customer"`
	At         time.Time `json:"at"`
	Kind       Kind      `json:"kind"`
	Channel    string    `json:"channel,omitempty"`
	Note       string    `json:"note,omitempty"`
	Amount     Money     `json:"amount,omitempty"`   // purchase, return
	Score      int       `json:"score,omitempty"`    // feedback, 1-5
	Category   string    `json:"category,omitempty"` // complaint
	Resolved   bool      `json:"resolved,omitempty"` // complaint
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
	Resolution string    `json:"resolution,omitempty"`
	Referred   ID        `json:"referred,omitempty"` // referral: the customer they sent
	Points     int64     `json:"points,omitempty"`   // points earned (+) or spent (-)
	Reward     string    `json:"reward,omitempty"`   // reward redeemed
}

// OpenComplaint reports whether this is a complaint not yet resolved.
func (i Interaction) OpenComplaint() bool { return i.Kind == KindComplaint && !i.Resolved }

// ValidateInteraction checks an interaction before it is saved: a known
// kind, the fields its kind needs, and a time that is neither in the future
// nor before 1970.
func ValidateInteraction(i Interaction, now time.Time) error {
	if k, ok := ParseKind(string(i.Kind)); !ok || k != i.Kind { // an alias such as "repair" must be stored as its kind
		return &FieldError{Field: "kind", Problem: fmt.Sprintf("%q is not a kind of interaction", i.Kind), Fix: "use one of " + kindNames()}
	}
	if i.Customer == 0 {
		return &FieldError{Field: "customer", Problem: "is missing", Fix: "choose the customer"}
	}
	if i.At.IsZero() {
		return &FieldError{Field: "when", Problem: "is missing", Fix: "use now, a date such as 2026-12-01, or -2h"}
	}
	if i.At.Unix() < 0 {
		return &FieldError{Field: "when", Problem: "is before 1970", Fix: "check the year"}
	}
	if i.At.After(now.Add(time.Minute)) {
		return &FieldError{Field: "when", Problem: "is in the future", Fix: "log things once they have happened"}
	}
	if i.Amount < 0 {
		return &FieldError{Field: "amount", Problem: "is negative", Fix: "log money given back as a return"}
	}
	if i.Kind == KindPurchase && i.Amount == 0 {
		return &FieldError{Field: "amount", Problem: "is missing", Fix: "a purchase needs an amount such as 24.90"}
	}
	if !i.Kind.HasAmount() && i.Amount != 0 {
		return &FieldError{Field: "amount", Problem: "is only for purchases and returns", Fix: "leave it empty"}
	}
	if i.Kind == KindFeedback && (i.Score < 1 || i.Score > 5) {
		return &FieldError{Field: "score", Problem: fmt.Sprintf("%d is outside 1-5", i.Score), Fix: "give a score from 1 to 5"}
	}
	if i.Kind != KindFeedback && i.Score != 0 {
		return &FieldError{Field: "score", Problem: "is only for feedback", Fix: "leave it empty"}
	}
	if i.Kind == KindReferral && i.Referred == i.Customer {
		return &FieldError{Field: "referred customer", Problem: "is the same customer", Fix: "choose the person they sent"}
	}
	for _, f := range []struct{ name, v string }{{"note", i.Note}, {"category", i.Category}, {"resolution", i.Resolution}, {"channel", i.Channel}} {
		if err := checkText(f.name, f.v, MaxLong); err != nil {
			return err
		}
	}
	return nil
}

func kindNames() string {
	var s []string
	for _, k := range Kinds {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

// PointsFor is the loyalty points an amount earns (a purchase, positive) or
// takes back (a return, negative) at the shop's earn rate: EarnPoints for
// every whole EarnPer, rounded down per interaction. A return takes back what
// the same amount would have earned; the balance never goes below zero
// (ComputeStats).
func PointsFor(k Kind, amount Money, ls LoyaltySettings) int64 {
	if ls.EarnPer <= 0 || ls.EarnPoints <= 0 || amount <= 0 {
		return 0
	}
	earned := int64(amount) / int64(ls.EarnPer) * ls.EarnPoints
	switch k {
	case KindPurchase:
		return earned
	case KindReturn:
		return -earned
	}
	return 0
}
