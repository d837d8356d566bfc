// Package exchange reads and writes the files a shop owner brings in and
// takes out: vCard (2.1, 3.0, 4.0), CSV (Google Contacts, Outlook, Square,
// Shopify, or any other through a column mapping) and Patron's own JSON
// export. It is pure: bytes in, model values out (and back), with no store
// and no clock. Applying a decoded file to a data file is a store call.
package exchange

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/patron-crm/patron/model"
)

// MaxFileSize is the largest contacts file Patron imports: a phone's whole
// address book is a few megabytes, so anything bigger is very likely not
// contacts.
const MaxFileSize = 50 << 20

// MaxExportSize is the largest Patron JSON export Patron imports. An export
// grows with the interaction log (100,000 customers with a million
// interactions make about 200 MB), so it has a limit of its own.
const MaxExportSize = 1 << 30

// looksLikeExport tells a Patron export from its first bytes: Patron writes
// "patron_export" first.
func looksLikeExport(head []byte) bool {
	if len(head) > 64 {
		head = head[:64]
	}
	t := bytes.TrimLeft(head, " \t\r\n")
	return bytes.HasPrefix(t, []byte("{")) && bytes.Contains(t, []byte(`"patron_export"`))
}

// limitFor is the size limit for a file that starts with head.
func limitFor(head []byte) int64 {
	if looksLikeExport(head) {
		return MaxExportSize
	}
	return MaxFileSize
}

// Format names a file layout Patron can read.
type Format string

// The formats detected from a file's content.
const (
	FormatVCard      Format = "vcard"
	FormatGoogle     Format = "google-csv"     // Google Contacts, current layout
	FormatGoogleOld  Format = "google-csv-old" // Google Contacts, older layout (UTF-16)
	FormatOutlook    Format = "outlook-csv"
	FormatSquare     Format = "square-csv"
	FormatShopify    Format = "shopify-csv"
	FormatPatronCSV  Format = "patron-csv" // Patron's own customer CSV export
	FormatCSV        Format = "csv"        // any other CSV, through a guessed mapping
	FormatPatronJSON Format = "patron-json"
)

// Label is the format's name as the owner knows it.
func (f Format) Label() string {
	switch f {
	case FormatVCard:
		return "vCard contacts"
	case FormatGoogle:
		return "Google Contacts CSV"
	case FormatGoogleOld:
		return "Google Contacts CSV (older layout)"
	case FormatOutlook:
		return "Outlook CSV"
	case FormatSquare:
		return "Square customer export"
	case FormatShopify:
		return "Shopify customer export"
	case FormatPatronCSV:
		return "Patron customer CSV"
	case FormatCSV:
		return "CSV"
	case FormatPatronJSON:
		return "Patron export (JSON)"
	}
	return string(f)
}

// IsCSV reports whether the format is one of the CSV flavours.
func (f Format) IsCSV() bool {
	switch f {
	case FormatGoogle, FormatGoogleOld, FormatOutlook, FormatSquare, FormatShopify, FormatPatronCSV, FormatCSV:
		return true
	}
	return false
}

// Record is one customer read from a file, with the line it starts on.
// Records from a Patron JSON export also carry the customer's interactions
// and manual reminders, with the ids they had in the exporting file.
type Record struct {
	Line         int
	Customer     model.Customer
	Interactions []model.Interaction
	Reminders    []Reminder
}

// RowError is a row (or card, or JSON object) that cannot be imported, or a
// warning about one that can: the line it starts on and why, in words.
type RowError struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

func (e RowError) Error() string {
	if e.Line <= 0 {
		return e.Reason
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
}

// File is a decoded file: its format, the records that can be imported,
// the rows that cannot, and warnings about rows imported with a change
// (an unreadable birthday kept in the notes, say).
type File struct {
	Format   Format
	Records  []Record
	Errors   []RowError
	Warnings []RowError

	// CSV only: the header row, the delimiter and the mapping applied, so
	// the owner can see and change which column went where.
	Header    []string
	Delimiter rune
	Mapping   Mapping

	// Patron JSON only: the parts of the file that are not customers.
	Settings  []byte     // the shop's settings, raw JSON
	Decisions []Decision // the owner's decisions on generated reminders
}

// Options steer reading.
type Options struct {
	// Now is the time the import happens, for checking that imported
	// interactions are not in the future. Zero skips that check.
	Now time.Time
	// Location is the shop's time zone: dates without a time (customer
	// since) are placed at noon there. Nil means time.Local.
	Location *time.Location
	// Mapping replaces the guessed column mapping of a CSV file (the owner
	// confirmed or changed it). Its length must match the header.
	Mapping Mapping
}

func (o Options) loc() *time.Location {
	if o.Location == nil {
		return time.Local
	}
	return o.Location
}

// Kinds of file-level failure, for errors.Is. Each is wrapped in a
// sentence the owner can act on.
var (
	ErrEmpty        = errors.New("file is empty")
	ErrTooLarge     = errors.New("file is too large")
	ErrBinary       = errors.New("file is not text")
	ErrNoNameColumn = errors.New("no name column")
	ErrNotPatron    = errors.New("not a Patron export")
	ErrNewerExport  = errors.New("export from a newer Patron")
	ErrBadMapping   = errors.New("mapping does not fit the file")
)

// FileError is a file Patron cannot import at all. Its message is a
// sentence about the file, named when the name is known.
type FileError struct {
	Name string // the file's base name, or "" for "the file"
	Kind error
	// Problem continues the sentence after the file's name: "is empty".
	Problem string
}

func (e *FileError) Error() string {
	name := e.Name
	if name == "" {
		name = "the file"
	}
	return name + " " + e.Problem
}

func (e *FileError) Is(target error) bool { return target == e.Kind }

func fileErr(kind error, format string, args ...any) error {
	return &FileError{Kind: kind, Problem: fmt.Sprintf(format, args...)}
}

// ReadFile reads and decodes the file at path. It refuses a file over
// MaxFileSize before reading it.
func ReadFile(path string, o Options) (*File, error) {
	name := filepath.Base(path)
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s does not exist", path)
		}
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s is a folder; give the contacts file inside it", path)
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	defer fh.Close()
	head := make([]byte, 64)
	n, _ := io.ReadFull(fh, head)
	limit := limitFor(head[:n])
	if st.Size() > limit {
		return nil, named(tooLarge(st.Size(), limit), name)
	}
	if _, err := fh.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	// Read one byte past the limit so a file that grew since Stat is caught.
	data, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	f, err := Read(data, o)
	return f, named(err, name)
}

func named(err error, name string) error {
	var fe *FileError
	if errors.As(err, &fe) {
		fe.Name = name
	}
	return err
}

func tooLarge(size, limit int64) error {
	if limit == MaxExportSize {
		return fileErr(ErrTooLarge, "is %.1f MB, and Patron imports exports up to %d MB", float64(size)/(1<<20), MaxExportSize>>20)
	}
	return fileErr(ErrTooLarge, "is %.1f MB, and Patron imports contacts files up to %d MB; a contacts file is rarely over a few MB, so check it is the right file, or split it and import the parts one after another",
		float64(size)/(1<<20), MaxFileSize>>20)
}

// Read decodes a whole file, detecting its format from the content.
func Read(data []byte, o Options) (*File, error) {
	if limit := limitFor(data); int64(len(data)) > limit {
		return nil, tooLarge(int64(len(data)), limit)
	}
	text, err := decodeText(data)
	if err != nil {
		return nil, err
	}
	var f *File
	switch detect(text) {
	case FormatVCard:
		f, err = readVCard(text, o)
	case FormatPatronJSON:
		f, err = readJSON(text, o)
	default:
		f, err = readCSV(text, o)
	}
	if err != nil {
		return nil, err
	}
	byLine := func(list []RowError) {
		sort.SliceStable(list, func(i, j int) bool { return list[i].Line < list[j].Line })
	}
	byLine(f.Errors)
	byLine(f.Warnings)
	return f, nil
}

// detect tells vCard and JSON from CSV by the first thing in the file.
func detect(text string) Format {
	t := strings.TrimLeft(text, " \t\r\n")
	switch {
	case len(t) >= 11 && strings.EqualFold(t[:11], "BEGIN:VCARD"):
		return FormatVCard
	case strings.HasPrefix(t, "{") || strings.HasPrefix(t, "["):
		return FormatPatronJSON
	}
	return FormatCSV
}
