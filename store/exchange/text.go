package exchange

import (
	"bytes"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeText turns a file's bytes into text: UTF-8 with or without a BOM,
// UTF-16 LE or BE (with a BOM, or recognised by its zero bytes), and
// otherwise Windows-1252, which is what Outlook writes on most machines. It
// refuses empty and binary files with a sentence saying what the file
// seems to be.
func decodeText(data []byte) (string, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return "", fileErr(ErrEmpty, "is empty: there is nothing to import")
	}
	if what := knownBinary(data); what != "" {
		return "", fileErr(ErrBinary, "is %s, not a contacts file", what)
	}
	var text string
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		text = string(data[3:])
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE, 0, 0}), bytes.HasPrefix(data, []byte{0, 0, 0xFE, 0xFF}):
		return "", fileErr(ErrBinary, "is written in UTF-32, which Patron does not read; save it as UTF-8 or UTF-16")
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		text = fromUTF16(data[2:], false)
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		text = fromUTF16(data[2:], true)
	default:
		if be, ok := looksUTF16(data); ok {
			text = fromUTF16(data, be)
		} else if utf8.Valid(data) {
			text = string(data)
		} else if u := unfoldBytes(data); u != nil {
			text = string(u)
		} else if bytes.IndexByte(data, 0) >= 0 {
			return "", fileErr(ErrBinary, "is not a text file (it holds binary data); export your contacts as vCard (.vcf) or CSV and import that")
		} else {
			text = fromWindows1252(data)
		}
	}
	text = strings.TrimPrefix(text, "\uFEFF")
	if strings.TrimSpace(text) == "" {
		return "", fileErr(ErrEmpty, "is empty: there is nothing to import")
	}
	if binaryText(text) {
		return "", fileErr(ErrBinary, "is not a text file (it holds binary data); export your contacts as vCard (.vcf) or CSV and import that")
	}
	return text, nil
}

// unfoldBytes rescues a vCard 3.0 or 4.0 whose writer folded lines in the
// middle of a UTF-8 character: unfolding first (dropping each line break and
// the space after it, as the reader would anyway) makes it valid UTF-8.
func unfoldBytes(data []byte) []byte {
	t := bytes.TrimLeft(data, " \t\r\n")
	if len(t) < 11 || !bytes.EqualFold(t[:11], []byte("BEGIN:VCARD")) {
		return nil
	}
	u := bytes.ReplaceAll(data, []byte("\r\n "), nil)
	u = bytes.ReplaceAll(u, []byte("\r\n\t"), nil)
	u = bytes.ReplaceAll(u, []byte("\n "), nil)
	u = bytes.ReplaceAll(u, []byte("\n\t"), nil)
	if !utf8.Valid(u) {
		return nil
	}
	return u
}

// knownBinary names file types owners mistake for contacts files.
func knownBinary(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return "a zip archive or an Excel workbook (.xlsx); in the spreadsheet, save it as CSV and import that"
	case bytes.HasPrefix(b, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return "an Excel 97 workbook (.xls); in the spreadsheet, save it as CSV and import that"
	case bytes.HasPrefix(b, []byte("%PDF")):
		return "a PDF document"
	case bytes.HasPrefix(b, []byte("SQLite format 3\x00")):
		return "an SQLite database"
	case len(b) >= 20 && bytes.Equal(b[16:20], []byte{0xED, 0xDA, 0x0C, 0xED}):
		return "a Patron data file; to use it, pass it with --db, or put it back with `patron restore`"
	case bytes.HasPrefix(b, []byte{0x1F, 0x8B}):
		return "a compressed (gzip) file; unpack it first"
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}), bytes.HasPrefix(b, []byte("\x89PNG")), bytes.HasPrefix(b, []byte("GIF8")):
		return "a picture"
	}
	return ""
}

// looksUTF16 recognises UTF-16 without a BOM by the zero high bytes of
// ASCII text: zeros at odd offsets are little-endian, at even big-endian.
func looksUTF16(b []byte) (bigEndian, ok bool) {
	n := min(len(b), 1024) &^ 1
	if n < 8 {
		return false, false
	}
	var even, odd int
	for i := 0; i < n; i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	pairs := n / 2
	switch {
	case odd*10 >= pairs*7 && even*10 < pairs:
		return false, true
	case even*10 >= pairs*7 && odd*10 < pairs:
		return true, true
	}
	return false, false
}

func fromUTF16(b []byte, bigEndian bool) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		if bigEndian {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		} else {
			u = append(u, uint16(b[i+1])<<8|uint16(b[i]))
		}
	}
	return string(utf16.Decode(u))
}

// cp1252 maps the bytes 0x80-0x9F where Windows-1252 differs from Latin-1.
var cp1252 = [32]rune{
	'€', '\uFFFD', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\uFFFD', 'Ž', '\uFFFD',
	'\uFFFD', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\uFFFD', 'ž', 'Ÿ',
}

func fromWindows1252(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/8)
	for _, c := range b {
		switch {
		case c < 0x80:
			sb.WriteByte(c)
		case c < 0xA0:
			sb.WriteRune(cp1252[c-0x80])
		default:
			sb.WriteRune(rune(c))
		}
	}
	return sb.String()
}

// fromLatin1 reads ISO-8859-1 bytes (a vCard 2.1 CHARSET that is not UTF-8).
func fromLatin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// binaryText reports text that is mostly control characters or NULs: a
// binary file that happened to decode.
func binaryText(s string) bool {
	if len(s) > 8192 {
		s = s[:8192]
	}
	var ctl, n int
	for _, r := range s {
		n++
		if r == 0 || (r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f') || r == utf8.RuneError {
			ctl++
		}
	}
	return n > 0 && (ctl*20 > n || strings.ContainsRune(s, 0))
}
