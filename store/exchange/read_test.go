package exchange

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/patron-crm/patron/model"
)

var testNow = time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC)

func testOptions() Options {
	return Options{Now: testNow, Location: time.UTC}
}

// dump writes a decoded file the way an owner would check it: each
// customer's fields, then the rows that cannot be imported and the warnings.
func dump(f *File) string {
	var b strings.Builder
	fmt.Fprintf(&b, "format: %s (%s)\n", f.Format, f.Format.Label())
	if f.Header != nil {
		fmt.Fprintf(&b, "delimiter: %q\nmapping:\n", f.Delimiter)
		for i, h := range f.Header {
			t := f.Mapping[i]
			if t.Field == FieldIgnore {
				continue
			}
			fmt.Fprintf(&b, "  %-32s -> %s", h, t.Field)
			if t.Group != "" {
				fmt.Fprintf(&b, " [%s]", t.Group)
			}
			if t.Label != "" {
				fmt.Fprintf(&b, " (%s)", t.Label)
			}
			b.WriteString("\n")
		}
	}
	fmt.Fprintf(&b, "records: %d, errors: %d, warnings: %d\n", len(f.Records), len(f.Errors), len(f.Warnings))
	for _, r := range f.Records {
		c := r.Customer
		fmt.Fprintf(&b, "\nline %d: %s\n", r.Line, c.Name)
		field := func(name, v string) {
			if v != "" {
				fmt.Fprintf(&b, "  %s: %s\n", name, strings.ReplaceAll(v, "\n", " | "))
			}
		}
		if c.ID != 0 {
			field("id", fmt.Sprint(c.ID))
		}
		field("phone", c.Phone)
		field("email", c.Email)
		field("address", c.Address)
		field("birthday", c.Birthday.String())
		if !c.Since.IsZero() {
			field("since", c.Since.Format(time.RFC3339))
		}
		field("tags", strings.Join(c.Tags, ", "))
		field("notes", c.Notes)
		field("preferences", c.Preferences)
		field("status", string(c.Status))
		if len(r.Interactions) > 0 {
			field("interactions", fmt.Sprint(len(r.Interactions)))
		}
		if len(r.Reminders) > 0 {
			field("reminders", fmt.Sprint(len(r.Reminders)))
		}
	}
	if len(f.Errors) > 0 {
		b.WriteString("\ncannot import:\n")
		for _, e := range f.Errors {
			fmt.Fprintf(&b, "  %s\n", e)
		}
	}
	if len(f.Warnings) > 0 {
		b.WriteString("\nwarnings:\n")
		for _, e := range f.Warnings {
			fmt.Fprintf(&b, "  %s\n", e)
		}
	}
	return b.String()
}

var fixtures = []string{"google.csv", "google-old.csv", "outlook.csv", "outlook-com.csv", "square.csv",
	"shopify.csv", "shopify-old.csv", "own-semicolon.csv", "apple.vcf", "android21.vcf", "v4.vcf", "export.json"}

func TestFixturesDecodeAsGolden(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			f, err := ReadFile(filepath.Join("testdata", name), testOptions())
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range f.Records {
				if err := model.ValidateCustomer(r.Customer); err != nil {
					t.Errorf("line %d: decoded customer does not validate: %v", r.Line, err)
				}
			}
			golden.RequireEqual(t, dump(f))
		})
	}
}

func TestFormatIsDetectedFromContent(t *testing.T) {
	want := map[string]Format{"google.csv": FormatGoogle, "google-old.csv": FormatGoogleOld, "outlook.csv": FormatOutlook,
		"outlook-com.csv": FormatOutlook, "square.csv": FormatSquare, "shopify.csv": FormatShopify, "shopify-old.csv": FormatShopify,
		"own-semicolon.csv": FormatCSV, "apple.vcf": FormatVCard, "android21.vcf": FormatVCard, "v4.vcf": FormatVCard,
		"export.json": FormatPatronJSON}
	for name, format := range want {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		f, err := Read(data, testOptions())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if f.Format != format {
			t.Errorf("%s: detected %s, want %s", name, f.Format, format)
		}
	}
}

func TestBadFilesAreRefusedWithASentence(t *testing.T) {
	zip := append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0, 1, 2, 250}, 100)...)
	bolt := make([]byte, 4096)
	copy(bolt[16:], []byte{0xED, 0xDA, 0x0C, 0xED})
	cases := []struct {
		name string
		data []byte
		kind error
		says string
	}{
		{"empty", nil, ErrEmpty, "is empty"},
		{"blank", []byte(" \r\n\t\n"), ErrEmpty, "is empty"},
		{"bom only", []byte{0xEF, 0xBB, 0xBF, '\n'}, ErrEmpty, "is empty"},
		{"binary", []byte{0x00, 0x01, 0x02, 0x03, 0xFF, 0xFE, 0x10, 0x00, 0x00, 0x11, 0x12, 0x13}, ErrBinary, "not a text file"},
		{"xlsx", zip, ErrBinary, "save it as CSV"},
		{"patron data file", bolt, ErrBinary, "Patron data file"},
		{"control characters", bytes.Repeat([]byte("\x01\x02\x03a"), 200), ErrBinary, "not a text file"},
		{"no name column", []byte("Phone,Email,Spent\n555 0101,a@example.com,10\n"), ErrNoNameColumn, `"Phone", "Email", "Spent"`},
		{"vcard without cards", []byte("BEGIN:VCARDS\r\n"), ErrEmpty, "holds no cards"},
		{"json list", []byte(`[{"id":1,"name":"Ana"}]`), ErrNotPatron, "patron export json"},
		{"other json", []byte(`{"contacts":[]}`), ErrNotPatron, "no \"patron_export\""},
		{"broken json", []byte("{\"patron_export\": 1,\n\"customers\": [\n{\"id\": 1,,}]}"), ErrNotPatron, "line 3"},
		{"cut json", []byte(`{"patron_export": 1, "customers": [{"id": 1`), ErrNotPatron, "cut short"},
		{"newer export", []byte(`{"patron_export": 2}`), ErrNewerExport, "newer Patron"},
		{"interaction log", []byte("\uFEFFID,When,Customer ID,Customer,Kind,Referred Customer ID\r\n1,2026-01-01T10:00:00Z,1,Ana,purchase,\r\n"), ErrNotPatron, "interaction log"},
		{"utf-32", []byte{0xFF, 0xFE, 0, 0, 'N', 0, 0, 0}, ErrBinary, "UTF-32"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := Read(c.data, testOptions())
			if err == nil {
				t.Fatalf("accepted: %s", dump(f))
			}
			if !errors.Is(err, c.kind) {
				t.Errorf("error %q is not %v", err, c.kind)
			}
			if !strings.Contains(err.Error(), c.says) {
				t.Errorf("error %q does not say %q", err, c.says)
			}
			if !strings.HasPrefix(err.Error(), "the file ") {
				t.Errorf("error %q does not start with the file", err)
			}
		})
	}
}

func TestFileOverFiftyMegabytesIsRefusedBeforeReading(t *testing.T) {
	card := []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Lima\r\nTEL:555 0101\r\nEND:VCARD\r\n")
	big := bytes.Repeat(card, MaxFileSize/len(card)+1)
	if _, err := Read(big, testOptions()); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "50 MB") {
		t.Fatalf("Read of %d bytes: %v", len(big), err)
	}
	path := filepath.Join(t.TempDir(), "everyone.vcf")
	if err := os.WriteFile(path, big, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(path, testOptions())
	if !errors.Is(err, ErrTooLarge) || !strings.HasPrefix(err.Error(), "everyone.vcf is 50.0 MB") {
		t.Fatalf("ReadFile: %v", err)
	}
	// Exactly at the limit is read (one card with a note far too long).
	head, tail := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana Lima\r\nNOTE:", "\r\nEND:VCARD\r\n"
	atLimit := head + strings.Repeat("a", MaxFileSize-len(head)-len(tail)) + tail
	f, err := Read([]byte(atLimit), testOptions())
	if err != nil || len(f.Errors) != 1 || !strings.Contains(f.Errors[0].Reason, "notes is") {
		t.Fatalf("a file of exactly %d bytes: %v", len(atLimit), err)
	}
}

func TestEncodings(t *testing.T) {
	csv := "Name,Phone\r\nJoão Müller,555 0101\r\n"
	utf16 := func(s string, be bool) []byte {
		var b []byte
		for _, r := range s {
			if be {
				b = append(b, byte(r>>8), byte(r))
			} else {
				b = append(b, byte(r), byte(r>>8))
			}
		}
		return b
	}
	cases := map[string][]byte{
		"utf-8":            []byte(csv),
		"utf-8 bom":        append([]byte{0xEF, 0xBB, 0xBF}, csv...),
		"utf-16le bom":     append([]byte{0xFF, 0xFE}, utf16(csv, false)...),
		"utf-16be bom":     append([]byte{0xFE, 0xFF}, utf16(csv, true)...),
		"utf-16le no bom":  utf16(csv, false),
		"utf-16be no bom":  utf16(csv, true),
		"windows-1252":     []byte("Name,Phone\r\nJo\xe3o M\xfcller,555 0101\r\n"),
		"latin-1 with ’":   []byte("Name,Phone,Notes\r\nJo\xe3o M\xfcller,555 0101,it\x92s\r\n"),
		"semicolons":       []byte("Name;Phone\r\nJoão Müller;555 0101\r\n"),
		"tabs":             []byte("Name\tPhone\nJoão Müller\t555 0101\n"),
		"excel sep hint":   []byte("sep=;\r\nName;Phone\r\nJoão Müller;555 0101\r\n"),
		"lf only, no tail": []byte("Name,Phone\nJoão Müller,555 0101"),
	}
	for name, data := range cases {
		f, err := Read(data, testOptions())
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(f.Records) != 1 || f.Records[0].Customer.Name != "João Müller" || f.Records[0].Customer.Phone != "555 0101" {
			t.Errorf("%s: %s", name, dump(f))
		}
		if f.Records[0].Line != 2+map[bool]int{true: 1}[name == "excel sep hint"] {
			t.Errorf("%s: record on line %d", name, f.Records[0].Line)
		}
	}
	f, _ := Read(cases["latin-1 with ’"], testOptions())
	if got := f.Records[0].Customer.Notes; got != "it’s" {
		t.Errorf("Windows-1252 quote read as %q", got)
	}
}

func TestVCardFoldedInTheMiddleOfACharacter(t *testing.T) {
	// Some writers fold at 75 bytes even inside a UTF-8 character.
	name := []byte("FN:Ana Conceição")
	i := bytes.Index(name, []byte("ç"))
	data := []byte("BEGIN:VCARD\r\nVERSION:4.0\r\n")
	data = append(data, name[:i+1]...)
	data = append(data, "\r\n "...)
	data = append(data, name[i+1:]...)
	data = append(data, "\r\nEND:VCARD\r\n"...)
	f, err := Read(data, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Records) != 1 || f.Records[0].Customer.Name != "Ana Conceição" {
		t.Fatalf("%s", dump(f))
	}
}

func TestRowErrorsCarryTheirLine(t *testing.T) {
	data := "Name,Email,Birthday\n" + // 1
		"Ana Lima,ana@example.com,1990-12-24\n" + // 2
		"\"Rui\nCosta\",rui@example.com,\n" + // 3-4: a quoted name across lines
		",,\n" + // 5: empty, skipped
		",,,\n" + // 6: empty, skipped
		",nobody@,\n" + // 7: an invalid email and no name
		strings.Repeat("x", 201) + ",,\n" // 8: a name too long
	f, err := Read([]byte(data), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, r := range f.Records {
		lines = append(lines, r.Line)
	}
	if fmt.Sprint(lines) != "[2 3]" {
		t.Errorf("records on lines %v\n%s", lines, dump(f))
	}
	if len(f.Errors) != 2 || f.Errors[0].Line != 7 || !strings.Contains(f.Errors[0].Reason, "has no name") ||
		f.Errors[1].Line != 8 || !strings.Contains(f.Errors[1].Reason, "name is 201 characters long") {
		t.Errorf("errors: %v", f.Errors)
	}
	if len(f.Warnings) != 1 || f.Warnings[0].Line != 7 {
		t.Errorf("warnings: %v", f.Warnings)
	}
}

func TestUnclosedQuoteStopsWithTheLine(t *testing.T) {
	f, err := Read([]byte("Name,Notes\nAna,fine\nRui,\"never closed\nBea,lost\n"), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Records) != 1 || len(f.Errors) != 1 || f.Errors[0].Line != 3 {
		t.Fatalf("%s", dump(f))
	}
}

func TestBirthdays(t *testing.T) {
	cases := []struct {
		in     string
		noYear bool
		want   string
		bad    bool
	}{
		{"1990-12-24", false, "1990-12-24", false},
		{"12-24", false, "12-24", false},
		{"--12-24", false, "12-24", false},
		{"--1224", false, "12-24", false},
		{"19901224", false, "1990-12-24", false},
		{"1990-12-24T00:00:00Z", false, "1990-12-24", false},
		{"1604-12-24", false, "12-24", false},
		{"1990-12-24", true, "12-24", false},
		{"12/24/1990", false, "1990-12-24", false},
		{"4/5/1990", false, "1990-04-05", false},
		{"24/12/1990", false, "1990-12-24", false},
		{"24.12.1990", false, "1990-12-24", false},
		{"5.4.", false, "04-05", false},
		{"12/24", false, "12-24", false},
		{"11-02-1985", false, "1985-11-02", false},
		{"12/24/90", false, "1990-12-24", false},
		{"12/24/1990 0:00", false, "1990-12-24", false},
		{"December 24, 1990", false, "1990-12-24", false},
		{"24 Dec 1990", false, "1990-12-24", false},
		{"Dec 24", false, "12-24", false},
		{"0/0/00", false, "", false},
		{"0000-00-00", false, "", false},
		{"--0229", false, "02-29", false},
		{"1990-02-30", false, "", true},
		{"circa 1950", false, "", true},
		{"13/13/1990", false, "", true},
		{"", false, "", false},
	}
	for _, c := range cases {
		b, _, err := parseBirthday(c.in, c.noYear)
		if (err != nil) != c.bad || b.String() != c.want {
			t.Errorf("parseBirthday(%q, %v) = %q, %v; want %q (bad %v)", c.in, c.noYear, b.String(), err, c.want, c.bad)
		}
	}
	if b, dropped, err := parseBirthday("1850-06-01", false); err != nil || dropped != 1850 || b.String() != "06-01" {
		t.Errorf("an implausible year: %v %d %v", b, dropped, err)
	}
}

func TestGuessMappingKnowsTheExportsHeaders(t *testing.T) {
	cases := map[string]Target{
		"E-mail 1 - Value":              {Field: FieldEmail, Group: "email 1"},
		"E-mail 2 - Label":              {Field: FieldEmailLabel, Group: "email 2"},
		"Phone 3 - Type":                {Field: FieldPhoneLabel, Group: "phone 3"},
		"Address 1 - Formatted":         {Field: FieldAddress, Group: "address 1"},
		"Address 2 - Postal Code":       {Field: FieldPostalCode, Group: "address 2"},
		"Organization 1 - Name":         {Field: FieldCompany},
		"Phonetic First Name":           {},
		"Given Name Yomi":               {},
		"Group Membership":              {Field: FieldTags},
		"Labels":                        {Field: FieldTags},
		"Home Street":                   {Field: FieldStreet, Group: "home"},
		"Business Country/Region":       {Field: FieldCountry, Group: "business"},
		"Mobile Phone":                  {Field: FieldPhone, Label: "mobile"},
		"Business Fax":                  {},
		"Assistant's Name":              {},
		"Manager's Name":                {},
		"Telex":                         {},
		"E-mail Display Name":           {},
		"Categories":                    {Field: FieldTags},
		"Email Address":                 {Field: FieldEmail},
		"Phone Number":                  {Field: FieldPhone},
		"Street Address 2":              {Field: FieldStreet2},
		"Memo":                          {Field: FieldNotes},
		"Email Subscription Status":     {},
		"First Visit":                   {Field: FieldSince},
		"Lifetime Spend":                {Field: FieldNoteLine},
		"Accepts Email Marketing":       {},
		"Accepts SMS Marketing":         {},
		"Default Address Address1":      {Field: FieldStreet, Group: "default"},
		"Default Address Province Code": {Field: FieldRegion, Group: "default"},
		"Default Address Zip":           {Field: FieldPostalCode, Group: "default"},
		"Total Spent":                   {Field: FieldNoteLine},
		"Customer ID":                   {},
		"customer_name":                 {Field: FieldName},
		" Full  Name ":                  {Field: FieldName},
		"Customer e-mail":               {Field: FieldEmail},
		"Mobile no.":                    {Field: FieldPhone, Label: "mobile"},
		"Date of Birth":                 {Field: FieldBirthday},
		"Telefone":                      {Field: FieldPhone},
		"Nome":                          {Field: FieldName},
		"Favourite colour":              {},
	}
	for h, want := range cases {
		if got := guessColumn(h); got != want {
			t.Errorf("guessColumn(%q) = %+v, want %+v", h, got, want)
		}
	}
}

func TestAnOwnerMappingReplacesTheGuess(t *testing.T) {
	data := []byte("Who,Digits,Likes\nAna Lima,555 0101,tulips\n")
	if _, err := Read(data, testOptions()); !errors.Is(err, ErrNoNameColumn) {
		t.Fatalf("guessed: %v", err)
	}
	m := Mapping{{Field: FieldName}, {Field: FieldPhone}, {Field: FieldPreferences}}
	f, err := Read(data, Options{Mapping: m})
	if err != nil {
		t.Fatal(err)
	}
	c := f.Records[0].Customer
	if c.Name != "Ana Lima" || c.Phone != "555 0101" || c.Preferences != "tulips" {
		t.Fatalf("%+v", c)
	}
	if _, err := Read(data, Options{Mapping: m[:2]}); !errors.Is(err, ErrBadMapping) {
		t.Fatalf("short mapping: %v", err)
	}
}

func TestAnExportMayBeLargerThanAContactsFile(t *testing.T) {
	pad := strings.Repeat("x", MaxFileSize)
	data := []byte(`{"patron_export": 1, "customers": [{"id": 1, "name": "Ana Lima"}], "from_a_newer_patron": "` + pad + `"}`)
	f, err := Read(data, testOptions())
	if err != nil || len(f.Records) != 1 {
		t.Fatalf("an export of %d MB: %v", len(data)>>20, err)
	}
	path := filepath.Join(t.TempDir(), "everything.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(path, testOptions()); err != nil {
		t.Fatalf("ReadFile: %v", err)
	}
	// The same size is too much for anything that is not an export.
	if _, err := Read(append([]byte("Name\n"), pad...), testOptions()); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("a 50 MB CSV: %v", err)
	}
}

func TestAnOwnersLogLikeSheetIsStillCustomers(t *testing.T) {
	f, err := Read([]byte("Customer,When,Kind\nAna Lima,Mondays,regular\n"), testOptions())
	if err != nil || len(f.Records) != 1 || f.Records[0].Customer.Name != "Ana Lima" {
		t.Fatalf("%v", err)
	}
}
