package exchange

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"github.com/patron-crm/patron/model"
)

// Calendar is what an iCalendar export holds: the open reminders as
// to-dos, and the customers whose birthdays become yearly events.
type Calendar struct {
	Shop      string
	Reminders []model.Reminder
	Customers map[model.ID]model.Customer // the reminders' customers, for their names
	Birthdays []model.Customer            // active customers who may be contacted
	Now       time.Time                   // the export's timestamp (DTSTAMP)
	Loc       *time.Location              // the shop's days
}

// icsLineOctets is RFC 5545's longest line; longer ones are folded.
const icsLineOctets = 75

// WriteICS writes the calendar: each reminder a VTODO due on its day
// (DUE;VALUE=DATE), each birthday an all-day VEVENT repeating every year
// (a Feb 29 birthday on the last day of February). Text has its commas,
// semicolons, backslashes and newlines escaped and long lines are folded,
// so phone calendars and calcurse import every item.
func WriteICS(w io.Writer, c Calendar) error {
	loc := c.Loc
	if loc == nil {
		loc = time.Local
	}
	stamp := c.Now.UTC()
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, "-//Patron//Patron reminders//EN")
	if shop := icsText(model.Sanitize(c.Shop)); shop != "" {
		cal.Props.SetText("X-WR-CALNAME", shop+" reminders")
	}
	for _, r := range c.Reminders {
		todo := ical.NewComponent(ical.CompToDo)
		todo.Props.SetText(ical.PropUID, uid(r.Key))
		todo.Props.SetDateTime(ical.PropDateTimeStamp, stamp)
		y, m, d := r.Due.In(loc).Date()
		todo.Props.SetDate(ical.PropDue, time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
		label := r.Kind.Label()
		summary := strings.ToUpper(label[:1]) + label[1:]
		if cu, ok := c.Customers[r.Customer]; ok {
			summary += ": " + cu.Name
		}
		todo.Props.SetText(ical.PropSummary, icsText(model.Sanitize(summary)))
		if note := icsText(r.Note); note != "" {
			todo.Props.SetText(ical.PropDescription, note)
		}
		todo.Props.SetText(ical.PropStatus, "NEEDS-ACTION")
		cal.Children = append(cal.Children, todo)
	}
	year := c.Now.In(loc).Year()
	for _, cu := range c.Birthdays {
		b := cu.Birthday
		if b.IsZero() || b.Validate() != nil {
			continue
		}
		ev := ical.NewComponent(ical.CompEvent)
		ev.Props.SetText(ical.PropUID, uid("birthday:"+strconv.FormatUint(uint64(cu.ID), 10)))
		ev.Props.SetDateTime(ical.PropDateTimeStamp, stamp)
		rule := "FREQ=YEARLY"
		start := time.Date(year, time.Month(b.Month), b.Day, 0, 0, 0, 0, time.UTC)
		if b.Month == 2 && b.Day == 29 {
			// The last day of February: the 29th in leap years, the 28th otherwise.
			rule = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1"
			start = time.Date(year, time.March, 0, 0, 0, 0, 0, time.UTC)
		}
		ev.Props.SetDate(ical.PropDateTimeStart, start)
		p := ical.NewProp(ical.PropRecurrenceRule)
		p.SetValueType(ical.ValueRecurrence)
		p.Value = rule
		ev.Props.Set(p)
		ev.Props.SetText(ical.PropSummary, icsText(model.Sanitize("Birthday: "+cu.Name)))
		ev.Props.SetText(ical.PropTransparency, "TRANSPARENT")
		cal.Children = append(cal.Children, ev)
	}
	var buf bytes.Buffer
	if len(cal.Children) == 0 {
		// go-ical refuses an empty calendar; an empty export is still a file.
		buf.WriteString("BEGIN:VCALENDAR\r\nPRODID:-//Patron//Patron reminders//EN\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
	} else if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return err
	}
	_, err := w.Write(foldICS(buf.Bytes()))
	return err
}

// uid makes a reminder key a calendar UID: the same reminder exported twice
// updates the same item.
func uid(key string) string { return key + "@patron" }

// icsText keeps text a calendar can hold: newlines (escaped later), no
// other control characters, valid UTF-8.
func icsText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case unicode.IsControl(r), r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			return -1
		}
		return r
	}, s))
}

// foldICS folds every CRLF line longer than 75 octets into continuation
// lines beginning with a space.
func foldICS(data []byte) []byte {
	var out bytes.Buffer
	for len(data) > 0 {
		end := bytes.Index(data, []byte("\r\n"))
		if end < 0 {
			end = len(data)
		}
		line := data[:end]
		limit := icsLineOctets
		for len(line) > limit {
			cut := limit
			// Never inside a character, nor between a backslash and what it
			// escapes (allowed, but some readers stumble on it).
			for cut > 1 && (!utf8.RuneStart(line[cut]) || line[cut-1] == '\\') {
				cut--
			}
			out.Write(line[:cut])
			out.WriteString("\r\n ")
			line = line[cut:]
			limit = icsLineOctets - 1 // the leading space counts
		}
		out.Write(line)
		out.WriteString("\r\n")
		data = data[min(end+2, len(data)):]
	}
	return out.Bytes()
}
