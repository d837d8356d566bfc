package ui

import (
	"fmt"
	"math/rand/v2"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/patron-crm/patron/model"
)

// manyCustomers makes n plausible customers without a file, for the
// in-memory costs of searching and sorting.
func manyCustomers(n int) []*model.Customer {
	first := []string{"Ana", "Bruno", "Carla", "Diogo", "Elena", "Fábio", "Graça", "Hugo", "Inês", "João", "Kátia", "Luís", "Marta", "Nuno", "Olga", "Pedro"}
	last := []string{"Lima", "Costa", "Mendes", "Alves", "Rossi", "Sousa", "Santos", "Ferreira", "Pereira", "Oliveira", "Rodrigues", "Martins"}
	tags := []string{"vip", "wedding", "wholesale", "newsletter", "regular", "corporate"}
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]*model.Customer, n)
	for i := range out {
		f, l := first[r.IntN(len(first))], last[r.IntN(len(last))]
		out[i] = &model.Customer{
			ID:    model.ID(i + 1),
			Name:  f + " " + l,
			Phone: fmt.Sprintf("+351 9%02d %03d %03d", r.IntN(100), r.IntN(1000), r.IntN(1000)),
			Email: fmt.Sprintf("%s.%s%d@example.com", f, l, i),
			Tags:  []string{tags[r.IntN(len(tags))]},
			Notes: "likes tulips and a card for the anniversary",
		}
	}
	return out
}

// BenchmarkSearch100k is one keystroke of a search at 100,000 customers
// (it runs in a tea.Cmd, so typing never waits for it).
func BenchmarkSearch100k(b *testing.B) {
	idx := newCustomerSearch(docsOf(manyCustomers(100_000)))
	b.ResetTimer()
	for b.Loop() {
		idx.find("ana li", nil, nil, nil)
	}
}

// BenchmarkSearchIndex100k is building the search index, done in a
// tea.Cmd once the list is read.
func BenchmarkSearchIndex100k(b *testing.B) {
	list := manyCustomers(100_000)
	for b.Loop() {
		newCustomerSearch(docsOf(list))
	}
}

// BenchmarkRebuild100k is re-filtering and re-sorting the list by name at
// 100,000 customers, as after a change or a loaded chunk.
func BenchmarkRebuild100k(b *testing.B) {
	v := newCustomersView(&common{styles: NewStyles(true), settings: model.DefaultSettings()})
	for _, c := range manyCustomers(100_000) {
		v.byID[c.ID] = newEntry(*c)
		v.ids = append(v.ids, c.ID)
	}
	v.SetSize(80, 20)
	for b.Loop() {
		v.rebuild()
	}
}

// BenchmarkLoadChunk100k is merging one loaded chunk of 2,000 customers
// into a sorted list of 100,000, as happens 50 times while a big file loads.
func BenchmarkLoadChunk100k(b *testing.B) {
	v := newCustomersView(&common{styles: NewStyles(true), settings: model.DefaultSettings()})
	all := manyCustomers(102_000)
	for _, c := range all[:100_000] {
		v.put(*c)
	}
	v.SetSize(80, 20)
	v.rebuild()
	var chunk []model.ID
	for _, c := range all[100_000:] {
		v.put(*c)
		chunk = append(chunk, c.ID)
	}
	rows := v.rows
	for b.Loop() {
		v.rows = rows
		v.patch(chunk, true)
	}
}

// BenchmarkTypingSearch100k types "ana li" and deletes it again at 100,000
// customers: the keys' Update work plus the searches their commands run.
func BenchmarkTypingSearch100k(b *testing.B) {
	v := newCustomersView(&common{styles: NewStyles(true), settings: model.DefaultSettings(), now: fixedNow})
	for _, c := range manyCustomers(100_000) {
		v.put(*c)
	}
	v.loaded = true
	v.SetSize(80, 20)
	v.rebuild()
	v.Update(v.buildIndex()()) // as once the list is read
	v.Update(press("/"))
	var run func(cmd tea.Cmd)
	run = func(cmd tea.Cmd) {
		if cmd == nil {
			return
		}
		switch msg := cmd().(type) {
		case nil:
		case tea.BatchMsg:
			for _, c := range msg {
				run(c)
			}
		default:
			_, next := v.Update(msg)
			run(next)
		}
	}
	for b.Loop() {
		for _, k := range []string{"a", "n", "a", "space", "l", "i", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace"} {
			_, cmd := v.Update(press(k))
			run(cmd)
			_ = v.View()
		}
	}
}

func docsOf(list []*model.Customer) []searchDoc {
	docs := make([]searchDoc, len(list))
	for i, c := range list {
		docs[i] = docOf(c.ID, c.Name, c.Phone, c.Email, c.Tags, c.Preferences, c.Notes)
	}
	return docs
}
