package ui

import (
	"cmp"
	"slices"
	"strings"

	"github.com/sahilm/fuzzy"

	"github.com/patron-crm/patron/model"
)

// The fields a search looks in, in the order a tie is broken.
const (
	inName = iota
	inPhone
	inEmail
	inTags
	inNotes
	searchFields
)

var searchFieldNames = [searchFields]string{"name", "phone", "email", "tags", "notes"}

// searchHit is one customer a search found: where, how well, and which
// characters matched (byte offsets into the field's text).
type searchHit struct {
	id      model.ID
	at      int // the customer's place in the index, to break ties the same way every time
	score   int
	field   int
	text    string // the field's text as drawn
	matched []int
}

// customerSearch finds customers by a fuzzy query over their name, phone,
// email, tags, notes and preferences. It is built once from a snapshot and
// never changed, so a search can run in a tea.Cmd while the list moves on;
// a faster index can replace it behind the same two functions.
type customerSearch struct {
	ids  []model.ID
	text []string // searchFields strings per customer, flattened
}

func newCustomerSearch(list []*model.Customer) *customerSearch {
	s := &customerSearch{ids: make([]model.ID, len(list)), text: make([]string, 0, len(list)*searchFields)}
	for i, c := range list {
		s.ids[i] = c.ID
		notes := c.Notes
		if c.Preferences != "" {
			notes = strings.TrimSpace(c.Preferences + " · " + notes)
		}
		s.text = append(s.text, clean(c.Name), clean(c.Phone), clean(c.Email),
			clean(strings.Join(c.Tags, ", ")), clean(notes))
	}
	return s
}

// searchChunk is how many customers are searched between checks that
// the search is still wanted.
const searchChunk = 4096

// find returns the customers matching query, best first; each customer
// once, with the field that matched best. It gives up (done false) as soon
// as stale says a newer search has started.
func (s *customerSearch) find(query string, stale func() bool) (hits []searchHit, done bool) {
	query = strings.TrimSpace(query)
	if query == "" || len(s.ids) == 0 {
		return nil, true
	}
	best := map[int]int{} // customer index -> position in hits
	step := searchChunk * searchFields
	for start := 0; start < len(s.text); start += step {
		if stale != nil && stale() {
			return nil, false
		}
		end := min(start+step, len(s.text))
		for _, m := range fuzzy.FindFromNoSort(query, stringsSource(s.text[start:end])) {
			i := start + m.Index
			ci, f := i/searchFields, i%searchFields
			score := m.Score
			if f == inName {
				score += 10 // a name match beats the same match in the notes
			}
			h := searchHit{id: s.ids[ci], at: ci, score: score, field: f, text: m.Str, matched: m.MatchedIndexes}
			if at, ok := best[ci]; ok {
				if score > hits[at].score {
					hits[at] = h
				}
				continue
			}
			best[ci] = len(hits)
			hits = append(hits, h)
		}
	}
	slices.SortFunc(hits, func(a, b searchHit) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.at, b.at)
	})
	return hits, true
}

type stringsSource []string

func (s stringsSource) String(i int) string { return s[i] }
func (s stringsSource) Len() int            { return len(s) }

// highlight draws text with the matched bytes in the match style.
func highlight(st *Styles, text string, matched []int) string {
	if len(matched) == 0 {
		return text
	}
	set := make(map[int]bool, len(matched))
	for _, i := range matched {
		set[i] = true
	}
	var b strings.Builder
	var run strings.Builder
	inRun := false
	flush := func() {
		if run.Len() == 0 {
			return
		}
		if inRun {
			b.WriteString(st.Match.Render(run.String()))
		} else {
			b.WriteString(run.String())
		}
		run.Reset()
	}
	for i, r := range text {
		if set[i] != inRun {
			flush()
			inRun = set[i]
		}
		run.WriteRune(r)
	}
	flush()
	return b.String()
}
