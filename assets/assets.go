// Package assets holds the files built into Patron: the demo data's word
// lists (demo/), and whatever defaults and templates other packages embed.
package assets

import (
	"embed"
	"strings"
)

// FS holds every embedded file, by its path under assets/.
//
//go:embed demo/*.txt
var FS embed.FS

// Lines returns the lines of an embedded text file such as
// "demo/first_names.txt", trimmed, without blank lines or "#" comments.
// A missing file gives nil: callers check that what they need is there.
func Lines(name string) []string {
	b, err := FS.ReadFile(name)
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, l)
	}
	return out
}
