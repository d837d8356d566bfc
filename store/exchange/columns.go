package exchange

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Columns reads a CSV file's header and its first row with values, for the
// import screen where the owner maps columns to fields: it shows each column
// with an example, and works on a file ReadFile refused with
// ErrNoNameColumn, whose header that error does not carry.
func Columns(path string) (header, example []string, err error) {
	name := filepath.Base(path)
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	if st.Size() > MaxFileSize {
		return nil, nil, named(tooLarge(st.Size(), MaxFileSize), name)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	header, example, err = columns(data)
	return header, example, named(err, name)
}

func columns(data []byte) (header, example []string, err error) {
	text, err := decodeText(data)
	if err != nil {
		return nil, nil, err
	}
	if detect(text) != FormatCSV {
		return nil, nil, fileErr(ErrBinary, "is not a CSV file, so it has no columns to choose")
	}
	delim, rest, hinted := excelSepHint(text)
	if hinted {
		text = rest
	} else {
		delim = sniffDelimiter(text)
	}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = delim
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	header, err = r.Read()
	if err != nil {
		return nil, nil, fileErr(ErrBinary, "cannot be read as CSV: its first line is not a row of column names")
	}
	for i := range header {
		header[i] = strings.TrimSpace(strings.TrimPrefix(header[i], "\uFEFF"))
	}
	example = make([]string, len(header))
	// The first few rows fill in the examples, so a column empty in the
	// first row still shows what it holds.
	for n := 0; n < 20; n++ {
		rec, err := r.Read()
		if err == io.EOF || err != nil {
			break
		}
		filled := true
		for i := range example {
			if example[i] == "" && i < len(rec) {
				example[i] = strings.TrimSpace(rec[i])
			}
			filled = filled && example[i] != ""
		}
		if filled {
			break
		}
	}
	return header, example, nil
}
