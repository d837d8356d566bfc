package ui

import (
	"bytes"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

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

// How a term matched a field, best first. A search matches every term of
// the query (split at spaces), each in any field:
//   - a whole word, or the start of a word (so "ana li" finds Ana Lima and
//     "lima" finds her by her surname; words split at punctuation and
//     between letters and digits, so "ana" starts ana.lima42@example.com);
//   - from three characters, anywhere inside a word ("sson" finds Johansson);
//   - from five letters, the start of a word with one letter wrong, missing,
//     extra or two swapped ("smtih" finds Smith), in the name, email and tags;
//   - digits, anywhere in the phone number whatever its spaces and dashes
//     ("912345" finds +351 912 345 678).
//
// A term with punctuation in it ("t.aguilar@mail", "555-0123") matches
// where a word starts, as written.
//
// One letter looks only at the starts of names' words and two letters not
// in the notes: a short query wants a name, and would match everyone.
type matchKind uint8

const (
	noMatch matchKind = iota
	typoMatch
	infixMatch
	prefixMatch
	wordMatch
)

var kindWeight = [...]uint8{noMatch: 0, typoMatch: 3, infixMatch: 4, prefixMatch: 10, wordMatch: 12}

// fieldWeight weighs where a term matched: a name beats the same match in
// the notes.
var fieldWeight = [searchFields]uint8{inName: 12, inPhone: 9, inEmail: 8, inTags: 7, inNotes: 4}

// firstWordBonus puts "Ana Lima" before "Maria Ana" for "ana".
const firstWordBonus = 2

// termScore is what one term matching one field scores (at most 26, so a
// query's total fits a byte for up to 9 terms).
func termScore(k matchKind, field int, first bool) uint8 {
	if k == noMatch {
		return 0
	}
	s := kindWeight[k] + fieldWeight[field]
	if first && field == inName {
		s += firstWordBonus
	}
	return s
}

// allowed says which fields a term of n runes may match, and how.
func allowed(k matchKind, field, n int) bool {
	switch {
	case n == 1:
		return field == inName && k >= prefixMatch
	case n == 2 && field == inNotes:
		return false
	case k == infixMatch:
		return n >= 3
	case k == typoMatch:
		return n >= 5 && (field == inName || field == inEmail || field == inTags)
	}
	return true
}

// searchDoc is one customer's searchable text, as written, and whether
// they are active, for the list's status filter.
type searchDoc struct {
	id     model.ID
	fields [searchFields]string
	status model.Status
}

// docOf is what a search looks at in a customer: the notes field holds the
// preferences and the notes.
func docOf(id model.ID, name, phone, email string, tags []string, prefs, notes string) searchDoc {
	return searchDoc{id: id, fields: [searchFields]string{name, phone, email, strings.Join(tags, ", "), notesField(prefs, notes)}}
}

// notesField is the notes field a search looks in: the preferences and
// the notes.
func notesField(prefs, notes string) string {
	if prefs != "" {
		return strings.TrimSpace(prefs + " · " + notes)
	}
	return notes
}

// searchHit is one customer a search found: how well, and the field to show
// beside the name when a term matched outside it.
type searchHit struct {
	id    model.ID
	pos   int32 // place in the index, -1 for a customer changed since it was built
	score uint8
	field uint8
}

// customerSearch is an index over every customer's folded text: the
// distinct words of all fields, sorted, each with the customers it occurs
// in, so a term's candidates are the postings of a range of words (found
// by binary search) or of a few words a scan of the much shorter word list
// picks out; phone numbers are one string of digits scanned as a whole.
// It is built once from a snapshot and never changed, so searches run in
// tea.Cmds while the list moves on; customers changed since come along as
// extra documents, matched one by one. It keeps no copy of the customers'
// text: a term with punctuation in it, checked against whole fields, reads
// them through field from the customers' own (at 100,000 customers a
// folded copy was 10 MB).
type customerSearch struct {
	ids      []model.ID             // place -> customer, in the list's name order
	status   []uint8                // place -> their status when the index was built, into statuses
	statuses []model.Status         // the statuses seen, the first 255 of them
	other    map[int32]model.Status // the status at a place when there were more
	raw      func(p, f int) string  // customer p's field f as written
	words    []string               // distinct folded words, sorted
	start    []uint32               // postings of words[w] are post[start[w]:start[w+1]]
	post     []uint32               // place<<4 | field<<1 | first word of the field
	phone    []byte                 // every phone number's digits, each ending in a 0 byte
	phOff    []uint32               // where customer i's digits start in phone
	pool     sync.Pool              // []uint8 of len(ids), for the searches in flight
}

// statusAt is the status of the customer at place p when the index was built.
func (s *customerSearch) statusAt(p int) model.Status {
	if c := s.status[p]; c < 255 {
		return s.statuses[c]
	}
	return s.other[int32(p)]
}

// foldRune lowers a rune and drops a Latin letter's accent, so "Zoë" is
// found by "zoe" and "ZOE".
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	if f, ok := accentFold[r]; ok {
		return f
	}
	return unicode.ToLower(r)
}

var accentFold = func() map[rune]rune {
	m := map[rune]rune{}
	for base, list := range map[rune]string{
		'a': "àáâãäåāăąÀÁÂÃÄÅĀĂĄ", 'c': "çćĉċčÇĆĈĊČ", 'd': "ďđĎĐ", 'e': "èéêëēĕėęěÈÉÊËĒĔĖĘĚ",
		'g': "ĝğġģĜĞĠĢ", 'h': "ĥħĤĦ", 'i': "ìíîïĩīĭįıÌÍÎÏĨĪĬĮİ", 'j': "ĵĴ", 'k': "ķĶ",
		'l': "ĺļľŀłĹĻĽĿŁ", 'n': "ñńņňÑŃŅŇ", 'o': "òóôõöøōŏőÒÓÔÕÖØŌŎŐ", 'r': "ŕŗřŔŖŘ",
		's': "śŝşšŚŜŞŠ", 't': "ţťŧŢŤŦ", 'u': "ùúûüũūŭůűųÙÚÛÜŨŪŬŮŰŲ", 'w': "ŵŴ",
		'y': "ýÿŷÝŸŶ", 'z': "źżžŹŻŽ",
	} {
		for _, r := range list {
			m[r] = base
		}
	}
	return m
}()

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isDigit(r rune) bool { return '0' <= r && r <= '9' }

// appendFold appends s folded (see foldRune) to b, and, when at is not
// nil, the byte offset in s each folded byte came from.
func appendFold(b []byte, s string, at *[]int) []byte {
	i := 0
	if at == nil {
		// Most text is ASCII: copied whole and lowered in place, up to
		// the first byte that is not.
		from := len(b)
		b = append(b, s...)
		for ; i < len(s); i++ {
			c := b[from+i]
			if c >= utf8.RuneSelf {
				b = b[:from+i]
				break
			}
			b[from+i] = asciiLower[c]
		}
	}
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		f := foldRune(r)
		n := len(b)
		b = utf8.AppendRune(b, f)
		if at != nil {
			for range len(b) - n {
				*at = append(*at, i)
			}
		}
		i += size
	}
	return b
}

// asciiLower and asciiClass are lower case and classOf for ASCII bytes.
var asciiLower, asciiClass = func() (l, c [utf8.RuneSelf]byte) {
	for i := range utf8.RuneSelf {
		l[i], c[i] = byte(foldRune(rune(i))), byte(classOf(rune(i)))
	}
	return
}()

// classOf is 1 for a letter, 2 for a digit and 0 for anything else: a word
// is a run of one class.
func classOf(r rune) int {
	switch {
	case '0' <= r && r <= '9':
		return 2
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
		return 1
	case r < utf8.RuneSelf:
		return 0
	case unicode.IsDigit(r):
		return 2
	case unicode.IsLetter(r):
		return 1
	}
	return 0
}

// wordStart reports whether a word starts at byte i of folded text t: a
// letter or digit after anything else, or the first digit after letters
// (and the first letter after digits).
func wordStart(t []byte, i int) bool {
	r, _ := utf8.DecodeRune(t[i:])
	if !isWordRune(r) {
		return false
	}
	if i == 0 {
		return true
	}
	p, _ := utf8.DecodeLastRune(t[:i])
	return !isWordRune(p) || isDigit(p) != isDigit(r)
}

// eachWord calls fn with every word of folded text t and whether it is the
// first.
func eachWord(t []byte, fn func(w []byte, first bool)) {
	first := true
	start, cls := 0, 0
	for i := 0; i < len(t); {
		c, n := 0, 1
		if b := t[i]; b < utf8.RuneSelf {
			c = int(asciiClass[b])
		} else {
			var r rune
			r, n = utf8.DecodeRune(t[i:])
			c = classOf(r)
		}
		if c != cls {
			if cls != 0 {
				fn(t[start:i], first)
				first = false
			}
			start, cls = i, c
		}
		i += n
	}
	if cls != 0 {
		fn(t[start:], first)
	}
}

// appendDigits appends the digits of s.
func appendDigits(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	return b
}

// newCustomerSearch indexes docs, given in the order that breaks ties
// between hits of the same score (the list's name order).
func newCustomerSearch(docs []searchDoc) *customerSearch {
	b := newIndexBuilder(len(docs))
	b.add(docs)
	return b.finish(func(p, f int) string { return docs[p].fields[f] })
}

// indexBuilder makes a customerSearch a page of customers at a time, so
// the index grows while the list loads and is ready soon after its last
// page. One goroutine at a time may use it.
type indexBuilder struct {
	s     *customerSearch
	dict  map[string]uint32
	last  []uint32 // per word: the last place|field it was seen in, +1
	pairs []uint64 // word id << 32 | posting, in the order seen
	fold  []byte   // one field folded, reused
	// entries are the customers added, when added as entries (addEntries).
	entries []*entry
}

func newIndexBuilder(n int) *indexBuilder {
	return &indexBuilder{
		s: &customerSearch{
			ids:    make([]model.ID, 0, n),
			status: make([]uint8, 0, n),
			phOff:  make([]uint32, 0, n+1),
			phone:  make([]byte, 0, 12*n),
		},
		dict:  map[string]uint32{},
		pairs: make([]uint64, 0, 12*n),
	}
}

// grow makes room for n customers in all, once it knows how many.
func (b *indexBuilder) grow(n int) {
	s := b.s
	if n <= cap(s.ids) {
		return
	}
	s.ids = slices.Grow(s.ids, max(0, n-len(s.ids)))
	s.status = slices.Grow(s.status, max(0, n-len(s.status)))
	s.phOff = slices.Grow(s.phOff, max(0, n+1-len(s.phOff)))
	s.phone = slices.Grow(s.phone, max(0, 12*n-len(s.phone)))
	b.pairs = slices.Grow(b.pairs, max(0, 12*n-len(b.pairs)))
	b.entries = slices.Grow(b.entries, max(0, n-len(b.entries)))
}

// add indexes docs at the next places.
func (b *indexBuilder) add(docs []searchDoc) {
	s := b.s
	for i := range docs {
		d := &docs[i]
		p := len(s.ids)
		s.ids = append(s.ids, d.id)
		s.status = append(s.status, s.statusCode(p, d.status))
		for f := range searchFields {
			if f == inPhone {
				continue // searched as digits, below
			}
			b.fold = appendFold(b.fold[:0], d.fields[f], nil)
			eachWord(b.fold, func(w []byte, first bool) {
				id, ok := b.dict[string(w)]
				if !ok {
					id = uint32(len(b.last))
					b.dict[string(w)] = id
					b.last = append(b.last, 0)
				}
				v := uint32(p)<<4 | uint32(f)<<1
				// A word twice in one field counts once, with its first place.
				if b.last[id] == v>>1+1 {
					return
				}
				b.last[id] = v>>1 + 1
				if first {
					v |= 1
				}
				b.pairs = append(b.pairs, uint64(id)<<32|uint64(v))
			})
		}
		s.phOff = append(s.phOff, uint32(len(s.phone)))
		s.phone = appendDigits(s.phone, d.fields[inPhone])
		s.phone = append(s.phone, 0)
	}
}

// finish sorts the words and counts every word's postings into place; the
// builder is spent. raw gives the fields as written of the customers added,
// by place, for as long as the index is used (it must not change).
func (b *indexBuilder) finish(raw func(p, f int) string) *customerSearch {
	s := b.s
	s.raw = raw
	s.phOff = append(s.phOff, uint32(len(s.phone)))
	s.words = make([]string, 0, len(b.dict))
	for w := range b.dict {
		s.words = append(s.words, w)
	}
	slices.Sort(s.words)
	rank := make([]uint32, len(b.dict)) // word id -> place in words
	for i, w := range s.words {
		rank[b.dict[w]] = uint32(i)
	}
	s.start = make([]uint32, len(s.words)+1)
	for _, pr := range b.pairs {
		s.start[rank[pr>>32]+1]++
	}
	for i := 1; i < len(s.start); i++ {
		s.start[i] += s.start[i-1]
	}
	next := slices.Clone(s.start[:len(s.words)])
	s.post = make([]uint32, len(b.pairs))
	for _, pr := range b.pairs {
		r := rank[pr>>32]
		s.post[next[r]] = uint32(pr)
		next[r]++
	}
	*b = indexBuilder{}
	return s
}

// sortNameOf is the list's sort key of a name.
func sortNameOf(name string) string { return strings.ToLower(clean(name)) }

// statusCode is the code of st in the index, noting it at place p when
// there are already 255 others.
func (s *customerSearch) statusCode(p int, st model.Status) uint8 {
	if i := slices.Index(s.statuses, st); i >= 0 {
		return uint8(i)
	}
	if len(s.statuses) < 255 {
		s.statuses = append(s.statuses, st)
		return uint8(len(s.statuses) - 1)
	}
	if s.other == nil {
		s.other = map[int32]model.Status{}
	}
	s.other[int32(p)] = st
	return 255
}

// searchTerm is one word of the query, folded.
type searchTerm struct {
	text   []byte // folded
	runes  int
	token  []byte   // its first word, what the word list is searched for
	tokens [][]byte // all its words, when it has punctuation in it
	simple bool     // the term is that one word
	digits []byte   // its digits when it looks like (part of) a phone number
}

// parseQuery splits a query into terms; terms without a letter or digit
// (a lone "-") are left out.
func parseQuery(q string) []searchTerm {
	var out []searchTerm
	// A phone number typed with its spaces ("(718) 555-72") is one term.
	if d := appendDigits(nil, q); len(d) > 0 && strings.Trim(q, "0123456789+-(). ") == "" && strings.ContainsAny(strings.TrimSpace(q), " ") {
		return []searchTerm{{text: d, runes: len(d), token: d, tokens: [][]byte{d}, simple: true, digits: d}}
	}
	for _, w := range strings.Fields(q) {
		t := searchTerm{text: appendFold(nil, w, nil)}
		t.runes = utf8.RuneCount(t.text)
		eachWord(t.text, func(tok []byte, first bool) {
			if first {
				t.token = tok
			}
			t.tokens = append(t.tokens, tok)
		})
		if t.token == nil {
			continue
		}
		t.simple = len(t.token) == len(t.text)
		phoneLike := true
		for _, r := range w {
			if !isDigit(r) && !strings.ContainsRune("+-().", r) {
				phoneLike = false
				break
			}
		}
		if phoneLike {
			t.digits = appendDigits(nil, w)
		}
		out = append(out, t)
	}
	return out
}

// matchText is how term t matches folded field text ft (of field f):
// the best kind and whether it matched at the field's first word.
func matchText(ft []byte, t *searchTerm, f int) (matchKind, bool) {
	if f == inPhone {
		return noMatch, false // phones are matched by their digits (matchDigits)
	}
	best, first := noMatch, false
	for i := 0; i <= len(ft)-len(t.text); {
		j := bytes.Index(ft[i:], t.text)
		if j < 0 {
			break
		}
		at := i + j
		k := infixMatch
		if !t.simple && !wordStart(ft, at) {
			k = noMatch // punctuation in the term: where a word starts, as written
		} else if wordStart(ft, at) {
			k = prefixMatch
			end := at + len(t.text)
			if t.simple && (end == len(ft) || !wordContinues(ft, end)) {
				k = wordMatch
			}
		}
		if k > best && allowed(k, f, t.runes) {
			best, first = k, isFirstWord(ft, at)
		}
		if best == wordMatch {
			break
		}
		_, n := utf8.DecodeRune(ft[at:])
		i = at + n
	}
	if best == noMatch && allowed(typoMatch, f, t.runes) && t.simple {
		eachWord(ft, func(w []byte, fw bool) {
			if best == noMatch && typoPrefix(t.text, w) {
				best, first = typoMatch, fw
			}
		})
	}
	return best, first
}

// wordContinues reports whether the word around byte i of t goes on at i.
func wordContinues(t []byte, i int) bool {
	r, _ := utf8.DecodeRune(t[i:])
	p, _ := utf8.DecodeLastRune(t[:i])
	return isWordRune(r) && isDigit(r) == isDigit(p)
}

// isFirstWord reports whether byte i of t is inside t's first word.
func isFirstWord(t []byte, i int) bool {
	seen := false
	for j := 0; j <= i && j < len(t); {
		if wordStart(t, j) {
			if seen {
				return false
			}
			seen = true
		}
		_, n := utf8.DecodeRune(t[j:])
		j += n
	}
	return true
}

// typoPrefix reports whether the start of word w is term t with one letter
// wrong, missing, extra, or two neighbours swapped (and not t itself).
func typoPrefix(t, w []byte) bool {
	n := len(t)
	if len(w) >= n {
		diff := -1
		for i := range n {
			if t[i] != w[i] {
				if diff >= 0 {
					// Two neighbours swapped?
					if i == diff+1 && t[diff] == w[i] && t[i] == w[diff] && bytes.Equal(t[i+1:], w[i+1:n]) {
						return true
					}
					diff = -2
					break
				}
				diff = i
			}
		}
		if diff == -1 {
			return false // t itself: a prefix match, not a typo
		}
		if diff >= 0 {
			return true // one letter wrong
		}
	}
	// One letter too many in t: t without it starts w.
	for i := range n {
		if len(w) >= n-1 && bytes.Equal(t[:i], w[:i]) && bytes.Equal(t[i+1:], w[i:n-1]) {
			return true
		}
		if i < len(w) && t[i] != w[i] {
			break
		}
	}
	// One letter missing from t: w's first n+1 without one of them is t.
	if len(w) >= n+1 {
		for i := 0; i <= n; i++ {
			if bytes.Equal(t[:i], w[:i]) && bytes.Equal(t[i:], w[i+1:n+1]) {
				return true
			}
			if i < n && t[i] != w[i] {
				break
			}
		}
	}
	return false
}

// matchDigits is how a phone-like term of three digits or more matches a
// phone's digits.
func matchDigits(ph []byte, t *searchTerm) matchKind {
	if len(t.digits) < 3 {
		return noMatch
	}
	switch i := bytes.Index(ph, t.digits); {
	case i == 0:
		return prefixMatch
	case i > 0:
		return infixMatch
	}
	return noMatch
}

// docScore is how customer d's folded fields match every term: the total
// (0 when a term does not match) and the field to show.
func docScore(fields *[searchFields][]byte, terms []searchTerm) (uint8, uint8) {
	total, show := 0, uint8(inName)
	for ti := range terms {
		t := &terms[ti]
		best, bestF := uint8(0), 0
		for f := range searchFields {
			var s uint8
			if f == inPhone {
				s = termScore(matchDigits(fields[f], t), f, false)
			} else {
				k, first := matchText(fields[f], t, f)
				s = termScore(k, f, first)
			}
			if s > best {
				best, bestF = s, f
			}
		}
		if best == 0 {
			return 0, 0
		}
		total += int(best)
		if bestF != inName && show == inName {
			show = uint8(bestF)
		}
	}
	return uint8(min(total, 255)), show
}

// foldedDoc folds a document's fields as the index does.
func foldedDoc(d *searchDoc) [searchFields][]byte {
	var out [searchFields][]byte
	for f := range searchFields {
		if f == inPhone {
			out[f] = appendDigits(nil, d.fields[f])
		} else {
			out[f] = appendFold(nil, d.fields[f], nil)
		}
	}
	return out
}

// find returns the customers matching query, best first, ties in name
// order. extra are customers changed since the index was built, searched
// one by one; the index's own copy of them (and of any in gone) is left
// out. It gives up (done false) as soon as stale says a newer search has
// started.
func (s *customerSearch) find(query string, extra []searchDoc, gone map[model.ID]bool, stale func() bool) (hits []searchHit, done bool) {
	terms := parseQuery(query)
	if len(terms) == 0 {
		return nil, true
	}
	n := len(s.ids)
	scores := make([][]uint8, 0, len(terms))
	shows := make([][]uint8, 0, len(terms))
	defer func() {
		for i := range scores {
			s.putBytes(scores[i])
			s.putBytes(shows[i])
		}
	}()
	for ti := range terms {
		if stale != nil && stale() {
			return nil, false
		}
		sc, sh := s.termScores(&terms[ti])
		scores, shows = append(scores, sc), append(shows, sh)
	}
	if stale != nil && stale() {
		return nil, false
	}
	// The total goes in the first term's scores (0 where any term missed);
	// count each total, then place: best first, by place within a score.
	total := scores[0]
	var count [256]int
	for p := range n {
		t := int(total[p])
		if t == 0 {
			continue
		}
		for _, sc := range scores[1:] {
			if sc[p] == 0 {
				t = 0
				break
			}
			t += int(sc[p])
		}
		if t > 0 && len(gone) > 0 && gone[s.ids[p]] {
			t = 0
		}
		t = min(t, 255)
		total[p] = uint8(t)
		count[t]++
	}
	var extraHits []searchHit
	for i := range extra {
		f := foldedDoc(&extra[i])
		if sc, show := docScore(&f, terms); sc > 0 {
			extraHits = append(extraHits, searchHit{id: extra[i].id, pos: -1, score: sc, field: show})
		}
	}
	var at [256]int
	sum := 0
	count[0] = 0
	for sc := 255; sc > 0; sc-- {
		at[sc] = sum
		sum += count[sc]
	}
	hits = make([]searchHit, sum, sum+len(extraHits))
	for p := range n {
		sc := total[p]
		if sc == 0 {
			continue
		}
		show := uint8(inName)
		for ti := range terms {
			if f := shows[ti][p]; f != inName {
				show = f
				break
			}
		}
		hits[at[sc]] = searchHit{id: s.ids[p], pos: int32(p), score: sc, field: show}
		at[sc]++
	}
	if len(extraHits) > 0 {
		hits = append(hits, extraHits...)
		slices.SortStableFunc(hits, func(a, b searchHit) int { return int(b.score) - int(a.score) })
	}
	return hits, true
}

// termScores is every indexed customer's best score for one term, and the
// field it was in, in arrays from the pool (give them back with putBytes).
func (s *customerSearch) termScores(t *searchTerm) (score, show []uint8) {
	n := len(s.ids)
	score, show = s.bytes(), s.bytes()
	put := func(p int, sc uint8, f int) {
		if sc > score[p] {
			score[p], show[p] = sc, uint8(f)
		}
	}
	if !t.simple {
		// Punctuation in the term: the postings of its rarest word, each
		// checked against the field's text.
		if lo, hi, ok := s.rarest(t); ok {
			for w := lo; w < hi; w++ {
				s.postings(w, t, prefixMatch, put)
			}
		}
	} else {
		// Words starting with the term: a range of the sorted words.
		tok := string(t.token)
		lo := sort.SearchStrings(s.words, tok)
		for w := lo; w < len(s.words) && strings.HasPrefix(s.words[w], tok); w++ {
			k := prefixMatch
			if len(s.words[w]) == len(tok) {
				k = wordMatch
			}
			s.postings(w, t, k, put)
		}
		// Inside words, and with a typo: a scan of the word list.
		if t.runes >= 3 {
			typo := allowed(typoMatch, inName, t.runes)
			for w, word := range s.words {
				if w >= lo && strings.HasPrefix(word, tok) {
					continue
				}
				switch {
				case strings.Contains(word, tok):
					s.postings(w, t, infixMatch, put)
				case typo && typoPrefix(t.token, []byte(word)):
					s.postings(w, t, typoMatch, put)
				}
			}
		}
	}
	// Phone numbers, by their digits: one scan of them all (a 0 byte ends
	// each, so no match spans two).
	if len(t.digits) >= 3 {
		p := 0
		for i := 0; i < len(s.phone); {
			j := bytes.Index(s.phone[i:], t.digits)
			if j < 0 {
				break
			}
			at := i + j
			for int(s.phOff[p+1]) <= at {
				p++
			}
			k := infixMatch
			if at == int(s.phOff[p]) {
				k = prefixMatch
			}
			put(p, termScore(k, inPhone, false), inPhone)
			i = at + 1
		}
	}
	_ = n
	return score, show
}

// rarest is the range of words to take a punctuated term's candidates
// from: of its words, the one in the fewest places (a whole word, or the
// last one's start); ok is false when one of them is in no place at all.
func (s *customerSearch) rarest(t *searchTerm) (lo, hi int, ok bool) {
	best := -1
	for i, tok := range t.tokens {
		a := sort.SearchStrings(s.words, string(tok))
		b := a
		last := i == len(t.tokens)-1 && bytes.HasSuffix(t.text, tok)
		for b < len(s.words) && strings.HasPrefix(s.words[b], string(tok)) && (last || len(s.words[b]) == len(tok)) {
			b++
		}
		if !last && b > a && len(s.words[a]) != len(tok) {
			b = a // not the whole word
		}
		n := int(s.start[b] - s.start[a])
		if n == 0 && !(i == 0 && !wordStart(t.text, 0)) {
			return 0, 0, false
		}
		if i == 0 && !wordStart(t.text, 0) {
			continue // "@example": its first word may be any word's end
		}
		if best < 0 || n < best {
			best, lo, hi = n, a, b
		}
	}
	return lo, hi, best >= 0
}

// bytes is an array of one byte per customer, zeroed, from the pool: a
// keystroke at 100,000 customers would otherwise make 200 KB of garbage
// per word typed.
func (s *customerSearch) bytes() []uint8 {
	if b, ok := s.pool.Get().(*[]uint8); ok {
		clear(*b)
		return *b
	}
	return make([]uint8, len(s.ids))
}

func (s *customerSearch) putBytes(b []uint8) { s.pool.Put(&b) }

// postings gives put the customers word w occurs in, scored as kind k of
// term t; a term that is more than one word is checked against the whole
// field text.
func (s *customerSearch) postings(w int, t *searchTerm, k matchKind, put func(p int, sc uint8, f int)) {
	var fold []byte
	for _, v := range s.post[s.start[w]:s.start[w+1]] {
		p, f, first := int(v>>4), int(v>>1&7), v&1 == 1
		if !t.simple {
			fold = appendFold(fold[:0], s.raw(p, f), nil)
			kk, fw := matchText(fold, t, f)
			put(p, termScore(kk, f, fw), f)
			continue
		}
		if allowed(k, f, t.runes) {
			put(p, termScore(k, f, first), f)
		}
	}
}

// matchedIn is where the query's terms match text (a field as drawn), as
// byte offsets into text, for highlighting one row.
func matchedIn(text, query string, f int) []int {
	terms := parseQuery(query)
	if len(terms) == 0 || text == "" {
		return nil
	}
	var at []int
	ft := appendFold(nil, text, &at)
	var out []int
	mark := func(from, to int) {
		for i := from; i < to && i < len(at); i++ {
			if len(out) == 0 || out[len(out)-1] != at[i] {
				out = append(out, at[i])
			}
		}
	}
	for ti := range terms {
		t := &terms[ti]
		if f == inPhone {
			if matchDigits(appendDigits(nil, text), t) == noMatch {
				continue
			}
			// Highlight the digits, skipping the spaces between them.
			for i := 0; i < len(ft); i++ {
				if ft[i] < '0' || ft[i] > '9' {
					continue
				}
				d := appendDigits(nil, string(ft[i:]))
				if bytes.HasPrefix(d, t.digits) {
					left := len(t.digits)
					for j := i; j < len(ft) && left > 0; j++ {
						if '0' <= ft[j] && ft[j] <= '9' {
							mark(j, j+1)
							left--
						}
					}
					break
				}
			}
			continue
		}
		k, _ := matchText(ft, t, f)
		switch k {
		case wordMatch, prefixMatch, infixMatch:
			for i := 0; i <= len(ft)-len(t.text); {
				j := bytes.Index(ft[i:], t.text)
				if j < 0 {
					break
				}
				if k == infixMatch || wordStart(ft, i+j) {
					mark(i+j, i+j+len(t.text))
					break
				}
				i += j + 1
			}
		case typoMatch:
			eachWord(ft, func(w []byte, _ bool) {
				if typoPrefix(t.text, w) && len(out) == 0 {
					from := uintptrDiff(ft, w)
					mark(from, from+min(len(w), len(t.text)))
				}
			})
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// uintptrDiff is where sub, a sub-slice of whole, starts in it.
func uintptrDiff(whole, sub []byte) int {
	return cap(whole) - cap(sub)
}

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
