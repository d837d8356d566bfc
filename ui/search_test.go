package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/patron-crm/patron/model"
)

// bruteFind is the search done the slow way, one customer at a time: what
// the index must agree with.
func bruteFind(docs []searchDoc, query string) []searchHit {
	terms := parseQuery(query)
	if len(terms) == 0 {
		return nil
	}
	var hits []searchHit
	for i := range docs {
		f := foldedDoc(&docs[i])
		if sc, show := docScore(&f, terms); sc > 0 {
			hits = append(hits, searchHit{id: docs[i].id, pos: int32(i), score: sc, field: show})
		}
	}
	slices.SortStableFunc(hits, func(a, b searchHit) int { return int(b.score) - int(a.score) })
	return hits
}

func fixedDocs() []searchDoc {
	people := []struct{ name, phone, email, tags, prefs, notes string }{
		{"Ana Lima", "+351 912 345 678", "ana.lima42@example.com", "vip", "size M", "likes tulips"},
		{"Maria Ana Costa", "", "maria@example.com", "", "", "comes on Saturdays"},
		{"John Smith", "(718) 555-7287", "jsmith@mail.example.net", "wholesale", "", ""},
		{"Zoë Johansson", "555 0199", "zoe@example.org", "wedding, vip", "", "anniversary in May"},
		{"Elena Rossi", "", "elena@example.com", "", "", "orchids for the shop window"},
		{"Bruno Costa", "912 000 111", "", "regular", "", ""},
	}
	var docs []searchDoc
	for i, p := range people {
		docs = append(docs, docOf(model.ID(i+1), p.name, p.phone, p.email, strings.Split(p.tags, ", "), p.prefs, p.notes))
	}
	// In the list's order, as the app indexes them.
	slices.SortFunc(docs, func(a, b searchDoc) int {
		return strings.Compare(sortNameOf(a.fields[inName]), sortNameOf(b.fields[inName]))
	})
	return docs
}

func TestSearchFindsWhatOwnersType(t *testing.T) {
	docs := fixedDocs()
	idx := newCustomerSearch(docs)
	cases := []struct {
		query string
		first string // the best match's name
		field int    // the field shown beside it
		n     int    // how many match; -1 for any
	}{
		{"ana li", "Ana Lima", inName, 1},
		{"ana", "Ana Lima", inName, 2}, // her first name beats Maria Ana's second
		{"lima", "Ana Lima", inName, 1},
		{"costa", "Bruno Costa", inName, 2},
		{"smtih", "John Smith", inName, 1}, // two letters swapped
		{"smiht", "John Smith", inName, 1},
		{"912345", "Ana Lima", inPhone, 1},
		{"(718) 555-72", "John Smith", inPhone, 1},
		{"555", "Zoë Johansson", inPhone, 2}, // where the number starts beats inside it
		{"elena@", "Elena Rossi", inEmail, 1},
		{"sson", "Zoë Johansson", inName, 1},
		{"zoe", "Zoë Johansson", inName, 1},
		{"ZOË", "Zoë Johansson", inName, 1},
		{"orchids", "Elena Rossi", inNotes, 1},
		{"size", "Ana Lima", inNotes, 1},
		{"size m", "", 0, 0}, // one letter looks only at names
		{"wholesale", "John Smith", inTags, 1},
		{"j", "John Smith", inName, 2}, // a letter: only where a name's word starts
		{"q", "", 0, 0},
		{"sa", "", 0, 0}, // two letters do not look in the notes ("Saturdays")
		{"t.aguilar", "", 0, 0},
		{"-", "", 0, 0},
	}
	for _, c := range cases {
		hits, done := idx.find(c.query, nil, nil, nil)
		if !done {
			t.Fatalf("%q: not done", c.query)
		}
		if c.n >= 0 && len(hits) != c.n {
			t.Errorf("%q: %d hits, want %d: %v", c.query, len(hits), c.n, hits)
			continue
		}
		if len(hits) == 0 {
			continue
		}
		if got := docs[hits[0].pos].fields[inName]; got != c.first || int(hits[0].field) != c.field {
			t.Errorf("%q: first is %q (field %s), want %q (%s)", c.query, got, searchFieldNames[hits[0].field], c.first, searchFieldNames[c.field])
		}
	}
}

func TestSearchIndexAgreesWithMatchingOneByOne(t *testing.T) {
	vocab := []string{"ana", "anabela", "lima", "costa", "zoë", "johansson", "jonas", "smith", "smyth", "o'neil", "björk",
		"maria", "mar", "orchids", "tulips", "size", "m", "vip", "wedding", "x", "ab12", "12ab"}
	word := rapid.SampledFrom(vocab)
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 30).Draw(t, "n")
		docs := make([]searchDoc, n)
		for i := range docs {
			words := func(label string, max int) string {
				return strings.Join(rapid.SliceOfN(word, 0, max).Draw(t, label), rapid.SampledFrom([]string{" ", ".", "-", ", "}).Draw(t, label+"sep"))
			}
			phone := ""
			if rapid.Bool().Draw(t, "hasphone") {
				phone = fmt.Sprintf("+1 %03d %03d-%04d", rapid.IntRange(0, 999).Draw(t, "a"), rapid.IntRange(0, 999).Draw(t, "b"), rapid.IntRange(0, 9999).Draw(t, "c"))
			}
			docs[i] = docOf(model.ID(i+1), words("name", 3), phone, words("email", 3)+"@example.com",
				rapid.SliceOfN(word, 0, 2).Draw(t, "tags"), words("prefs", 2), words("notes", 4))
		}
		// Queries: a word's start, a whole word, a piece of one, a typo,
		// digits, several words, punctuation.
		w := []rune(word.Draw(t, "qword"))
		cut := rapid.IntRange(1, len(w)).Draw(t, "cut")
		q := string(w[:cut])
		switch rapid.IntRange(0, 5).Draw(t, "kind") {
		case 1:
			q += " " + word.Draw(t, "second")
		case 2:
			if len(w) > 2 {
				w[0], w[1] = w[1], w[0]
				q = string(w)
			}
		case 3:
			q = fmt.Sprint(rapid.IntRange(0, 99999).Draw(t, "digits"))
		case 4:
			q = string(w[len(w)/2:])
		case 5:
			q = q + rapid.SampledFrom([]string{".", "@", "-"}).Draw(t, "punct") + word.Draw(t, "after")
		}
		idx := newCustomerSearch(docs)
		got, _ := idx.find(q, nil, nil, nil)
		want := bruteFind(docs, q)
		if len(got) != len(want) {
			t.Fatalf("%q: index found %v, one by one %v", q, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%q: hit %d is %+v, one by one %+v", q, i, got[i], want[i])
			}
		}
	})
}

func TestSearchLeavesOutChangedCustomersAndMatchesTheirNewText(t *testing.T) {
	docs := fixedDocs()
	idx := newCustomerSearch(docs)
	// Ana Lima became Ana Pereira; Elena was deleted.
	changed := docOf(1, "Ana Pereira", "", "", nil, "", "")
	gone := map[model.ID]bool{1: true, 5: true}
	hits, _ := idx.find("lima", []searchDoc{changed}, gone, nil)
	if len(hits) != 0 {
		t.Fatalf("the old name still matches: %v", hits)
	}
	hits, _ = idx.find("pereira", []searchDoc{changed}, gone, nil)
	if len(hits) != 1 || hits[0].id != 1 || hits[0].pos != -1 {
		t.Fatalf("the new name does not match: %v", hits)
	}
	if hits, _ = idx.find("elena", nil, gone, nil); len(hits) != 0 {
		t.Fatalf("a deleted customer matches: %v", hits)
	}
	// A newer search stops an older one.
	if _, done := idx.find("ana", nil, nil, func() bool { return true }); done {
		t.Fatal("a stale search ran to the end")
	}
}

func TestMatchedInMarksWhatTheTermsMatched(t *testing.T) {
	cases := []struct {
		text, query string
		field       int
		want        string // the marked characters
	}{
		{"Ana Lima", "ana li", inName, "AnaLi"},
		{"Maria Ana Costa", "ana", inName, "Ana"},
		{"Zoë Johansson", "zoe", inName, "Zoë"},
		{"Zoë Johansson", "sson", inName, "sson"},
		{"John Smith", "smtih", inName, "Smith"},
		{"+351 912 345 678", "912345", inPhone, "912345"},
		{"(718) 555-7287", "(718) 555-72", inPhone, "71855572"},
		{"elena@example.com", "elena@", inEmail, "elena@"},
		{"Ana Lima", "xyz", inName, ""},
	}
	for _, c := range cases {
		var got strings.Builder
		for _, i := range matchedIn(c.text, c.query, c.field) {
			r := []rune(c.text[i:])[0]
			got.WriteRune(r)
		}
		if got.String() != c.want {
			t.Errorf("matchedIn(%q, %q) marks %q, want %q", c.text, c.query, got.String(), c.want)
		}
	}
}

func TestTypoPrefix(t *testing.T) {
	cases := []struct {
		term, word string
		want       bool
	}{
		{"smtih", "smith", true},     // swapped
		{"smiht", "smith", true},     // swapped at the end
		{"smoth", "smith", true},     // one wrong
		{"smth", "smith", true},      // one missing
		{"smiith", "smith", true},    // one extra
		{"smit", "smithson", false},  // no typo: the start itself
		{"smtihs", "smithson", true}, // a typo in the start of a longer word
		{"snoth", "smith", false},    // two wrong
		{"htims", "smith", false},
		{"jonas", "jo", false},
	}
	for _, c := range cases {
		if got := typoPrefix([]byte(c.term), []byte(c.word)); got != c.want {
			t.Errorf("typoPrefix(%q, %q) = %v, want %v", c.term, c.word, got, c.want)
		}
	}
}
