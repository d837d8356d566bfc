package exchange

import (
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/patron-crm/patron/model"
)

// CustomerColumns are the header of Patron's customer CSV: every field,
// then the figures derived from the interaction log.
var CustomerColumns = []string{"ID", "Name", "Phone", "Email", "Address", "Birthday", "Customer Since", "Tags",
	"Preferences", "Preferred Channel", "How They Found The Shop", "Referred By", "Notes", "No Cards Or Contact",
	"Status", "Defection Reason", "Defection Note", "Lost On", "Partner", "Created", "Updated",
	"Visit Count", "Purchase Count", "Total Spend", "Points", "First Visit", "Last Visit", "Last Contact"}

// InteractionColumns are the header of Patron's interaction log CSV.
var InteractionColumns = []string{"ID", "When", "Customer ID", "Customer", "Kind", "Channel", "Amount", "Score",
	"Category", "Resolved", "Resolved At", "Resolution", "Referred Customer ID", "Referred Customer", "Points",
	"Reward", "Note"}

// CSVWriter writes Patron's CSV exports: UTF-8 with a BOM (so spreadsheet
// programs read accents right), CRLF line ends, and every cell that a
// spreadsheet would run as a formula neutralised.
type CSVWriter struct {
	w     *csv.Writer
	cur   model.Currency
	loc   *time.Location
	names func(model.ID) string
}

// NewCustomerCSV starts a customer CSV. names gives a customer's name for
// the "Referred By" column (nil writes ids only).
func NewCustomerCSV(w io.Writer, cur model.Currency, loc *time.Location, names func(model.ID) string) (*CSVWriter, error) {
	return newCSV(w, cur, loc, names, CustomerColumns)
}

// NewInteractionCSV starts an interaction log CSV. names gives the
// customer's name for each row.
func NewInteractionCSV(w io.Writer, cur model.Currency, loc *time.Location, names func(model.ID) string) (*CSVWriter, error) {
	return newCSV(w, cur, loc, names, InteractionColumns)
}

func newCSV(w io.Writer, cur model.Currency, loc *time.Location, names func(model.ID) string, header []string) (*CSVWriter, error) {
	if loc == nil {
		loc = time.Local
	}
	if names == nil {
		names = func(model.ID) string { return "" }
	}
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, err
	}
	c := &CSVWriter{w: csv.NewWriter(w), cur: cur, loc: loc, names: names}
	c.w.UseCRLF = true
	return c, c.row(header)
}

func (c *CSVWriter) row(cells []string) error {
	for i, v := range cells {
		cells[i] = Neutralise(v)
	}
	return c.w.Write(cells)
}

func (c *CSVWriter) date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(c.loc).Format("2006-01-02")
}

func (c *CSVWriter) stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(c.loc).Format(time.RFC3339)
}

func (c *CSVWriter) ref(id model.ID) string {
	if id == 0 {
		return ""
	}
	if n := c.names(id); n != "" {
		return fmt.Sprintf("#%d %s", id, n)
	}
	return fmt.Sprintf("#%d", id)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

// Customer writes one customer row.
func (c *CSVWriter) Customer(cu model.Customer) error {
	status := cu.Status
	if status == "" {
		status = model.StatusActive
	}
	return c.row([]string{
		strconv.FormatUint(uint64(cu.ID), 10), cu.Name, cu.Phone, cu.Email, cu.Address, cu.Birthday.String(),
		c.date(cu.Since), strings.Join(cu.Tags, ", "), cu.Preferences, cu.Channel, cu.Source, c.ref(cu.ReferredBy),
		cu.Notes, yesNo(cu.NoContact), string(status), cu.LostReason, cu.LostNote, c.date(cu.LostAt),
		yesNo(cu.Partner), c.stamp(cu.Created), c.stamp(cu.Updated),
		strconv.Itoa(cu.Stats.Visits), strconv.Itoa(cu.Stats.Purchases), cu.Stats.Spend.Plain(c.cur),
		strconv.FormatInt(cu.Stats.Points, 10), c.date(cu.Stats.FirstVisit), c.date(cu.Stats.LastVisit),
		c.date(cu.Stats.LastContact),
	})
}

// Interaction writes one interaction row.
func (c *CSVWriter) Interaction(in model.Interaction) error {
	amount, score, points, referred := "", "", "", ""
	if in.Kind.HasAmount() || in.Amount != 0 {
		amount = in.Amount.Plain(c.cur)
	}
	if in.Score != 0 {
		score = strconv.Itoa(in.Score)
	}
	if in.Points != 0 {
		points = strconv.FormatInt(in.Points, 10)
	}
	if in.Referred != 0 {
		referred = strconv.FormatUint(uint64(in.Referred), 10)
	}
	resolved := ""
	if in.Kind == model.KindComplaint {
		resolved = "no"
		if in.Resolved {
			resolved = "yes"
		}
	}
	return c.row([]string{
		strconv.FormatUint(uint64(in.ID), 10), c.stamp(in.At), strconv.FormatUint(uint64(in.Customer), 10),
		c.names(in.Customer), in.Kind.Label(), in.Channel, amount, score, in.Category, resolved, c.stamp(in.ResolvedAt),
		in.Resolution, referred, c.names(in.Referred), points, in.Reward, in.Note,
	})
}

// Flush writes what is buffered and reports any error on the way.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

// plainNumber is a cell a spreadsheet reads as a number, never a formula.
var plainNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// Neutralise makes a cell safe to open in a spreadsheet: text starting
// with = + - @ (or a tab or carriage return, which some programs skip
// before looking) could run as a formula, so it gets a leading apostrophe,
// which spreadsheets hide. Plain numbers such as -50 stay numbers.
func Neutralise(v string) string {
	if v == "" || strings.IndexByte("=+-@\t\r", v[0]) < 0 || plainNumber.MatchString(v) {
		return v
	}
	return "'" + v
}
