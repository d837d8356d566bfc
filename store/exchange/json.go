package exchange

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/patron-crm/patron/model"
)

// ExportVersion is the "patron_export" number this Patron writes. A file
// with a higher number is refused; one with a lower number is read.
const ExportVersion = 1

// The JSON export is one object, written in this order:
//
//	{
//	  "patron_export": 1,
//	  "settings": { ...the shop's settings... },
//	  "customers": [ { "id": 1, "name": "Ana Lima", ... }, ... ],
//	  "interactions": [ { "id": 1, "customer": 1, "at": "...", "kind": "purchase", "amount": 2490, ... }, ... ],
//	  "reminders": [ { "id": 1, "customer": 1, "due": "...", "kind": "follow-up", ... }, ... ],
//	  "decisions": [ { "key": "...", "value": { ... } }, ... ]
//	}
//
// Each record is one line. Records use the same field names as Patron's
// data file; amounts are in the currency's minor units (2490 is 24.90 in
// settings.currency), times are RFC 3339. A customer's aggregates (visits,
// spend, points) are not written: they follow from the interactions and
// are worked out again on import. Unknown fields are ignored, so a newer
// Patron can add fields without breaking an older one; only a higher
// "patron_export" is refused.

// Reminder is a manual reminder as stored, kept as raw JSON so fields added
// by the reminder rules survive an export and import unchanged.
type Reminder struct {
	Line     int
	ID       model.ID
	Customer model.ID
	Raw      json.RawMessage
}

// Decision is the owner's decision on a generated reminder (done, snoozed,
// dismissed), keyed by the reminder's deterministic key.
type Decision struct {
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// JSONWriter streams a JSON export: the settings first, then customers,
// interactions, reminders and decisions, each in that order. Close ends
// the object, writing the sections nobody wrote as empty lists.
type JSONWriter struct {
	w       io.Writer
	section int // index into jsonSections of the open section, -1 before the first
	n       int // items written in the open section
	err     error
}

var jsonSections = []string{"customers", "interactions", "reminders", "decisions"}

// NewJSONWriter starts an export with the shop's settings (raw JSON; nil
// writes an empty object).
func NewJSONWriter(w io.Writer, settings []byte) *JSONWriter {
	j := &JSONWriter{w: w, section: -1}
	var ind bytes.Buffer
	if len(bytes.TrimSpace(settings)) == 0 {
		settings = []byte("{}")
	}
	if err := json.Indent(&ind, settings, "  ", "  "); err != nil {
		j.err = fmt.Errorf("the settings are not valid JSON: %w", err)
		return j
	}
	j.write(fmt.Sprintf("{\n  \"patron_export\": %d,\n  \"settings\": %s", ExportVersion, ind.String()))
	return j
}

func (j *JSONWriter) write(s string) {
	if j.err == nil {
		_, j.err = io.WriteString(j.w, s)
	}
}

// open moves to section i, closing the sections before it.
func (j *JSONWriter) open(i int) {
	if i < j.section {
		j.err = fmt.Errorf("export: %s written after %s", jsonSections[i], jsonSections[j.section])
		return
	}
	for j.section < i {
		if j.section >= 0 {
			if j.n > 0 {
				j.write("\n  ]")
			} else {
				j.write("]")
			}
		}
		j.section++
		j.n = 0
		j.write(",\n  \"" + jsonSections[j.section] + "\": [")
	}
}

func (j *JSONWriter) item(section int, v any) error {
	j.open(section)
	if j.err != nil {
		return j.err
	}
	// One record a line: compact, and still easy to read, grep and diff.
	b, err := json.Marshal(v)
	if err != nil {
		j.err = err
		return err
	}
	if j.n > 0 {
		j.write(",")
	}
	j.write("\n    " + string(b))
	j.n++
	return j.err
}

// Customer writes one customer, without the aggregates: they are worked
// out from the interactions, on import as everywhere else.
func (j *JSONWriter) Customer(c model.Customer) error {
	c.Stats = model.Stats{}
	return j.item(0, c)
}

// Interaction writes one interaction.
func (j *JSONWriter) Interaction(i model.Interaction) error { return j.item(1, i) }

// Reminder writes one stored manual reminder (raw JSON).
func (j *JSONWriter) Reminder(raw []byte) error { return j.item(2, json.RawMessage(raw)) }

// Decision writes one decision on a generated reminder.
func (j *JSONWriter) Decision(key string, raw []byte) error {
	return j.item(3, Decision{Key: key, Value: json.RawMessage(raw)})
}

// Close writes the remaining empty sections and ends the object.
func (j *JSONWriter) Close() error {
	j.open(len(jsonSections) - 1)
	if j.n > 0 {
		j.write("\n  ]")
	} else {
		j.write("]")
	}
	j.write("\n}\n")
	return j.err
}

// Everything is the whole of a data file as the JSON export holds it.
type Everything struct {
	Settings     []byte
	Customers    []model.Customer
	Interactions []model.Interaction
	Reminders    [][]byte
	Decisions    []Decision
}

// WriteJSON writes a whole export at once.
func WriteJSON(w io.Writer, e Everything) error {
	j := NewJSONWriter(w, e.Settings)
	for _, c := range e.Customers {
		j.Customer(c)
	}
	for _, i := range e.Interactions {
		j.Interaction(i)
	}
	for _, r := range e.Reminders {
		j.Reminder(r)
	}
	for _, d := range e.Decisions {
		j.Decision(d.Key, d.Value)
	}
	return j.Close()
}

// lineCounter turns byte offsets into line numbers, moving forward only.
type lineCounter struct {
	text string
	pos  int
	line int
}

func (l *lineCounter) at(off int64) int {
	o := int(off)
	// The decoder's offset is before the separator: skip to the value.
	for o < len(l.text) && strings.IndexByte(" \t\r\n,", l.text[o]) >= 0 {
		o++
	}
	if o < l.pos {
		return l.line
	}
	l.line += strings.Count(l.text[l.pos:o], "\n")
	l.pos = o
	return l.line
}

// readJSON reads Patron's JSON export. Objects that cannot be read are
// reported with their line; a file that is not JSON, or not Patron's, is
// refused as a whole.
func readJSON(text string, o Options) (*File, error) {
	f := &File{Format: FormatPatronJSON}
	dec := json.NewDecoder(strings.NewReader(text))
	lc := &lineCounter{text: text, line: 1}
	notJSON := func(err error) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fileErr(ErrNotPatron, "is not valid JSON (line %d: %s); if you edited the export, check the commas and brackets there", lc.at(se.Offset), se.Error())
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return fileErr(ErrNotPatron, "ends in the middle of the JSON; it may have been cut short while copying")
		}
		return fileErr(ErrNotPatron, "is not valid JSON: %v", err)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, notJSON(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fileErr(ErrNotPatron, "is JSON but not a Patron export (Patron's export is one object starting with \"patron_export\"); the output of `patron list --json` cannot be imported, use `patron export json`")
	}
	version := -1
	var in jsonItems
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, notJSON(err)
		}
		key, _ := tok.(string)
		switch key {
		case "patron_export":
			if err := dec.Decode(&version); err != nil {
				return nil, fileErr(ErrNotPatron, "has a \"patron_export\" that is not a version number")
			}
			if version > ExportVersion {
				return nil, fileErr(ErrNewerExport, "was exported by a newer Patron (export version %d; this Patron reads up to %d): update Patron to import it", version, ExportVersion)
			}
		case "settings":
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, notJSON(err)
			}
			var b bytes.Buffer
			if err := json.Compact(&b, raw); err == nil && b.String() != "null" {
				f.Settings = b.Bytes()
			}
		case "customers", "interactions", "reminders", "decisions":
			if err := eachItem(dec, func() error { return in.read(dec, key, lc.at(dec.InputOffset()), f) }); err != nil {
				return nil, notJSON(err)
			}
		default:
			var skip json.RawMessage // a section from a newer Patron
			if err := dec.Decode(&skip); err != nil {
				return nil, notJSON(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, notJSON(err)
	}
	if version < 0 {
		return nil, fileErr(ErrNotPatron, "is JSON but not a Patron export (it has no \"patron_export\" field); Patron imports its own JSON export, vCard and CSV files")
	}
	in.attach(f, o)
	return f, nil
}

// jsonItems holds what readJSON found before the parts are tied together.
type jsonItems struct {
	customers    []Record
	interactions []lined[model.Interaction]
	reminders    []Reminder
}

type lined[T any] struct {
	line int
	v    T
}

// eachItem walks a JSON list (null counts as empty), calling fn before
// each element; fn decodes it.
func eachItem(dec *json.Decoder, fn func() error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("a list was expected")
	}
	for dec.More() {
		if err := fn(); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}

// read decodes one element of a section. A value of the wrong shape is a
// row error; broken JSON stops the whole file.
func (in *jsonItems) read(dec *json.Decoder, section string, line int, f *File) error {
	bad := func(what string, err error) error {
		var se *json.SyntaxError
		if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return err
		}
		f.Errors = append(f.Errors, RowError{Line: line, Reason: "this " + what + " cannot be read: " + jsonReason(err)})
		return nil
	}
	switch section {
	case "customers":
		var c model.Customer
		if err := dec.Decode(&c); err != nil {
			return bad("customer", err)
		}
		in.customers = append(in.customers, Record{Line: line, Customer: c})
	case "interactions":
		var i model.Interaction
		if err := dec.Decode(&i); err != nil {
			return bad("interaction", err)
		}
		in.interactions = append(in.interactions, lined[model.Interaction]{line, i})
	case "reminders":
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return bad("reminder", err)
		}
		var head struct {
			ID       model.ID `json:"id"`
			Customer model.ID `json:"customer"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return bad("reminder", err)
		}
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return bad("reminder", err)
		}
		in.reminders = append(in.reminders, Reminder{Line: line, ID: head.ID, Customer: head.Customer, Raw: b.Bytes()})
	case "decisions":
		var d Decision
		if err := dec.Decode(&d); err != nil {
			return bad("reminder decision", err)
		}
		var b bytes.Buffer
		if d.Key == "" || len(d.Value) == 0 || json.Compact(&b, d.Value) != nil {
			f.Errors = append(f.Errors, RowError{Line: line, Reason: "this reminder decision has no key or no value"})
			return nil
		}
		d.Value = b.Bytes()
		f.Decisions = append(f.Decisions, d)
	}
	return nil
}

func jsonReason(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Sprintf("%q should be %s, not %s", te.Field, te.Type.String(), te.Value)
		}
		return fmt.Sprintf("it should be %s, not %s", te.Type.String(), te.Value)
	}
	return err.Error()
}

// attach checks each customer and gives it its interactions and reminders;
// those of a customer who is not in the file are row errors.
func (in *jsonItems) attach(f *File, o Options) {
	now := o.Now
	if now.IsZero() {
		now = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) // no clock: nothing counts as the future
	}
	index := map[model.ID]int{}
	for _, r := range in.customers {
		c := r.Customer
		name := model.Sanitize(clipText(c.Name, 40))
		switch _, dup := index[c.ID]; {
		case c.ID == 0:
			f.Errors = append(f.Errors, RowError{Line: r.Line, Reason: fmt.Sprintf("the customer %q has no id", name)})
			continue
		case dup:
			f.Errors = append(f.Errors, RowError{Line: r.Line, Reason: fmt.Sprintf("customer #%d appears twice in the file; the second (%s) is left out", c.ID, name)})
			continue
		}
		if err := model.ValidateCustomer(c); err != nil {
			who := fmt.Sprintf("customer #%d", c.ID)
			if name != "" {
				who += " " + name
			}
			f.Errors = append(f.Errors, RowError{Line: r.Line, Reason: fmt.Sprintf("%s: %v", who, err)})
			continue
		}
		index[c.ID] = len(f.Records)
		f.Records = append(f.Records, r)
	}
	seen := map[model.ID]bool{}
	for _, x := range in.interactions {
		i := x.v
		k, ok := index[i.Customer]
		switch {
		case i.ID == 0:
			f.Errors = append(f.Errors, RowError{Line: x.line, Reason: "this interaction has no id"})
		case seen[i.ID]:
			f.Errors = append(f.Errors, RowError{Line: x.line, Reason: fmt.Sprintf("interaction #%d appears twice in the file; the second is left out", i.ID)})
		case !ok:
			f.Errors = append(f.Errors, RowError{Line: x.line, Reason: fmt.Sprintf("interaction #%d belongs to customer #%d, who is not in the file or cannot be imported", i.ID, i.Customer)})
		default:
			if err := model.ValidateInteraction(i, now); err != nil {
				f.Errors = append(f.Errors, RowError{Line: x.line, Reason: fmt.Sprintf("interaction #%d (%s): %v", i.ID, i.Kind.Label(), err)})
				continue
			}
			seen[i.ID] = true
			f.Records[k].Interactions = append(f.Records[k].Interactions, i)
		}
	}
	rseen := map[model.ID]bool{}
	for _, r := range in.reminders {
		k, ok := index[r.Customer]
		switch {
		case r.ID == 0:
			f.Errors = append(f.Errors, RowError{Line: r.Line, Reason: "this reminder has no id"})
		case rseen[r.ID]:
			f.Errors = append(f.Errors, RowError{Line: r.Line, Reason: fmt.Sprintf("reminder #%d appears twice in the file; the second is left out", r.ID)})
		case !ok:
			f.Errors = append(f.Errors, RowError{Line: r.Line, Reason: fmt.Sprintf("reminder #%d belongs to customer #%d, who is not in the file or cannot be imported", r.ID, r.Customer)})
		default:
			rseen[r.ID] = true
			f.Records[k].Reminders = append(f.Records[k].Reminders, r)
		}
	}
}
