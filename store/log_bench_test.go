package store_test

import (
	"testing"
	"time"

	"github.com/patron-crm/patron/model"
	"github.com/patron-crm/patron/store"
)

// BenchmarkBigLogPage reads one page of the Log tab at a million
// interactions (the cached demo file of perf_bench_test.go), plain and
// with each filter. A filter that matches little ends its read of the file
// at the scan bound and says where to resume, so no page holds the file
// long, however rare the records asked for:
//
//	go test ./store -run='^$' -bench=BigLogPage -benchtime=20x
func BenchmarkBigLogPage(b *testing.B) {
	s := openBig(b, bigFile(b, 100_000, 1_000_000))
	month := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	filters := []struct {
		name string
		f    store.LogFilter
	}{
		{"all", store.LogFilter{}},
		{"kind=feedback", store.LogFilter{Kind: model.KindFeedback}},
		{"open_complaints", store.LogFilter{OpenComplaints: true}},
		{"last_month", store.LogFilter{From: month, Until: month.AddDate(0, 1, 0)}},
		{"text_name", store.LogFilter{Text: "lima"}},
		{"text_nowhere", store.LogFilter{Text: "zzzz"}},
	}
	// The open complaints filter reads the customers' own lists instead:
	// every one of them, in short reads of the file.
	b.Run("open_complaints_all", func(b *testing.B) {
		var longest time.Duration
		n, reads := 0, 0
		for b.Loop() {
			n, reads = 0, 0
			var after model.ID
			for {
				began := time.Now()
				list, next, err := s.OpenComplaints(after)
				if err != nil {
					b.Fatal(err)
				}
				longest = max(longest, time.Since(began))
				n += len(list)
				reads++
				if next == 0 {
					break
				}
				after = next
			}
		}
		b.ReportMetric(float64(n), "entries")
		b.ReportMetric(float64(reads), "reads")
		b.ReportMetric(float64(longest.Microseconds())/1000, "longest_read_ms")
	})
	for _, tc := range filters {
		b.Run(tc.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				p, err := s.LogPage(tc.f, nil, 100)
				if err != nil {
					b.Fatal(err)
				}
				n = len(p.Entries)
			}
			b.ReportMetric(float64(n), "entries")
		})
	}
}
