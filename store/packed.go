package store

import (
	"encoding/binary"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/patron-crm/patron/model"
)

// Packed is a customer's whole record in the compact form the file keeps
// (binary.go), for a caller that holds records and reads each only now and
// then: the TUI holds those of the customers changed since it read the
// list, at 400 bytes where a decoded one is 1,500. Unpack gives the record;
// a Packed is never changed once made, so it is safe to share between
// goroutines.
type Packed []byte

// Pack is c in the compact form.
func Pack(c *model.Customer) Packed { return encodeCustomer(c) }

// Unpack decodes the record. It fails only on bytes that did not come from
// Pack.
func (p Packed) Unpack() (model.Customer, error) {
	var c model.Customer
	err := decodeCustomerBinary(p, &c)
	return c, err
}

// An open reminder, packed: the Reminders tab holds every open one (a
// quarter of a million at 100,000 customers), 100 bytes each where a
// model.Reminder is 300 and its text more. Held in memory only, never
// written to a file; the tags are binary.go's manner, record type 'r'.
const recReminder = 'r'

const (
	trID = iota + 1
	trKey
	trCustomer
	trDue
	trKind
	trNote
	trRepeatEvery
	trRepeatUnit
	trState
	trSnoozedUntil
	trRule // only when not the kind, as a generated reminder's is
	trFirst
	trCreated
	trDoneAt
	trReason
	trOccurred
	trAmount
	trDetail
	trNoRule   // a reminder with no rule: a manual one
	trKindCode // a kind of remKinds, by its place
	trKeyRest  // the key after "kind:customer:", which most keys begin with
	trNoState  // a reminder with no state (most are open, which is not written)
	trNoteCode // the note with the rules' phrases written as one byte each (notePhrases)
)

// notePhrases are what the reminder rules' notes are mostly made of; a
// packed note writes each as the byte of its place (a note that holds such
// a byte is written as it is). The table may change with the rules' words:
// it is never written to a file.
var notePhrases = []string{1: "no contact since ", 2: " (usually every ", 3: " days)", 4: "a regular, last seen ",
	5: "birthday on ", 6: " years since their first purchase on ", 7: " year since their first purchase on ",
	8: "complaint of ", 9: " (turns ", 10: "moved up to "}

var noteCoder, noteDecoder = func() (*strings.Replacer, *strings.Replacer) {
	var enc, dec []string
	for i, p := range notePhrases {
		if p != "" {
			enc, dec = append(enc, p, string(rune(i))), append(dec, string(rune(i)), p)
		}
	}
	return strings.NewReplacer(enc...), strings.NewReplacer(dec...)
}()

// noteCodes are the bytes a coded note uses.
var noteCodes = func() string {
	var b []byte
	for i := 1; i < len(notePhrases); i++ {
		b = append(b, byte(i))
	}
	return string(b)
}()

// remKinds are the kinds a packed reminder names by a number.
var remKinds = []model.ReminderKind{model.ReminderThankYou, model.ReminderBirthday, model.ReminderAnniversary,
	model.ReminderThinkingOfYou, model.ReminderWinBack, model.ReminderComplaint, model.ReminderTierUp,
	model.ReminderFollowUp, model.ReminderCustom}

// PackReminder appends r, packed, to dst.
func PackReminder(dst []byte, r *model.Reminder) []byte {
	w := binWriter{b: append(dst, valueBinary, recReminder)}
	w.uint(trID, uint64(r.ID))
	w.uint(trCustomer, uint64(r.Customer))
	if rest, ok := strings.CutPrefix(r.Key, keyHead(r)); ok {
		w.key(trKeyRest, wireBytes) // written even when empty
		w.b = binary.AppendUvarint(w.b, uint64(len(rest)))
		w.b = append(w.b, rest...)
	} else {
		w.str(trKey, r.Key)
	}
	w.time(trDue, r.Due)
	if code := slices.Index(remKinds, r.Kind); code >= 0 {
		w.key(trKindCode, wireVarint) // written even when 0
		w.b = binary.AppendUvarint(w.b, uint64(code))
	} else {
		w.str(trKind, string(r.Kind))
	}
	if strings.ContainsAny(r.Note, noteCodes) {
		w.str(trNote, r.Note)
	} else if coded := noteCoder.Replace(r.Note); len(coded) < len(r.Note) {
		w.str(trNoteCode, coded)
	} else {
		w.str(trNote, r.Note)
	}
	w.int(trRepeatEvery, int64(r.Repeat.Every))
	w.str(trRepeatUnit, r.Repeat.Unit)
	switch r.State {
	case model.ReminderOpen:
	case "":
		w.bool(trNoState, true)
	default:
		w.str(trState, string(r.State))
	}
	w.time(trSnoozedUntil, r.SnoozedUntil)
	switch r.Rule {
	case string(r.Kind):
	case "":
		w.bool(trNoRule, true)
	default:
		w.str(trRule, r.Rule)
	}
	w.time(trFirst, r.First)
	w.time(trCreated, r.Created)
	w.time(trDoneAt, r.DoneAt)
	w.str(trReason, r.Reason)
	w.time(trOccurred, r.Occurred)
	w.int(trAmount, int64(r.Amount))
	w.str(trDetail, r.Detail)
	return w.b
}

// UnpackReminder reads a reminder PackReminder packed, its times in loc.
func UnpackReminder(b []byte, loc *time.Location) (model.Reminder, error) {
	var r model.Reminder
	body, err := binaryBody(b, recReminder)
	if err != nil {
		return r, err
	}
	in := func(t time.Time) time.Time {
		if t.IsZero() {
			return t
		}
		return t.In(loc)
	}
	rule, noRule := "", false
	keyRest, hasRest, noState := "", false, false
	r.State = model.ReminderOpen
	br := binReader{b: body}
	for br.next() {
		switch br.tag {
		case trID:
			r.ID = model.ID(br.uint())
		case trKey:
			r.Key = br.str()
		case trKeyRest:
			keyRest, hasRest = br.str(), true
		case trKindCode:
			if code := br.uint(); code < uint64(len(remKinds)) {
				r.Kind = remKinds[code]
			} else {
				br.err = true
			}
		case trNoState:
			noState = br.uint() != 0
		case trNoteCode:
			r.Note = noteDecoder.Replace(br.str())
		case trCustomer:
			r.Customer = model.ID(br.uint())
		case trDue:
			r.Due = in(br.time())
		case trKind:
			r.Kind = model.ReminderKind(br.str())
		case trNote:
			r.Note = br.str()
		case trRepeatEvery:
			r.Repeat.Every = int(br.int())
		case trRepeatUnit:
			r.Repeat.Unit = br.str()
		case trState:
			r.State = model.ReminderState(br.str())
		case trSnoozedUntil:
			r.SnoozedUntil = in(br.time())
		case trRule:
			rule = br.str()
		case trNoRule:
			noRule = br.uint() != 0
		case trFirst:
			r.First = in(br.time())
		case trCreated:
			r.Created = in(br.time())
		case trDoneAt:
			r.DoneAt = in(br.time())
		case trReason:
			r.Reason = br.str()
		case trOccurred:
			r.Occurred = in(br.time())
		case trAmount:
			r.Amount = model.Money(br.int())
		case trDetail:
			r.Detail = br.str()
		}
	}
	if br.err {
		return model.Reminder{}, errBinaryRecord
	}
	if hasRest {
		r.Key = keyHead(&r) + keyRest
	}
	if noState {
		r.State = ""
	}
	switch {
	case noRule:
	case rule != "":
		r.Rule = rule
	default:
		r.Rule = string(r.Kind)
	}
	return r, nil
}

// keyHead is how a generated reminder's key begins: "kind:customer:".
func keyHead(r *model.Reminder) string {
	return string(r.Kind) + ":" + strconv.FormatUint(uint64(r.Customer), 10) + ":"
}
