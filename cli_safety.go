package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/patron-crm/patron/model"
)

// errorLine is how an error reaches the terminal: one sentence, with no
// escape sequences, and an absurdly long value (a pasted page, 10,000
// characters) shortened rather than echoed back whole.
func errorLine(err error) string {
	return "patron: " + shown(err.Error())
}

// shown makes text the owner gave (a file name, a value) safe and short
// enough to repeat in a message.
func shown(s string) string {
	s = model.Sanitize(s)
	if len(s) <= longWord {
		return s
	}
	words := strings.Split(s, " ")
	for i, w := range words {
		if utf8.RuneCountInString(w) > longWord {
			r := []rune(w)
			words[i] = string(r[:longWord/2]) + "…" + string(r[len(r)-10:])
		}
	}
	return strings.Join(words, " ")
}

// longWord is the longest run without a space that a message repeats
// whole: a long path fits, a pasted page does not.
const longWord = 160

// flagError turns pflag's message for a value it cannot read
// (`invalid argument "x" for "--score" flag: strconv.ParseInt: ...`) into
// a sentence.
func flagError(_ *cobra.Command, err error) error {
	var bad *pflag.InvalidValueError
	if !errors.As(err, &bad) {
		return err
	}
	name := "--" + bad.GetFlag().Name
	switch bad.GetFlag().Value.Type() {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return fmt.Errorf("%s: %q is not a whole number; give one such as 5", name, bad.GetValue())
	}
	return fmt.Errorf("%s: %q cannot be read", name, bad.GetValue())
}

// jsonForTerminal escapes, inside JSON text, the characters that are
// valid in a JSON string but that a terminal would act on or that would
// reorder the screen: C1 controls and bidirectional controls. The JSON
// means exactly the same to a script; only a terminal sees a difference.
// (encoding/json already escapes the C0 controls, ESC among them.)
func jsonForTerminal(b []byte) []byte {
	if !bytes.ContainsFunc(b, needsEscape) {
		return b
	}
	var out bytes.Buffer
	for _, r := range string(b) {
		if needsEscape(r) {
			fmt.Fprintf(&out, `\u%04x`, r)
			continue
		}
		out.WriteRune(r)
	}
	return out.Bytes()
}

func needsEscape(r rune) bool {
	return (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) ||
		r == 0x200e || r == 0x200f || r == 0x061c
}
