package ui

import (
	"math"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"pgregory.net/rapid"
)

func TestBarChartScalesToTheLargestValue(t *testing.T) {
	got := barChart([]barItem{
		{label: "prospect", value: 0},
		{label: "customer", value: 4},
		{label: "client", value: 2},
	}, 24)
	// The bar is width - label - value - 2 = 24 - 8 - 1 - 2 = 13 cells.
	want := strings.Join([]string{
		"prospect               0",
		"customer █████████████ 4",
		"client   ██████▌       2",
	}, "\n")
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestBarChartZeroValuesDrawNoBarAndTinyOnesASliver(t *testing.T) {
	got := barChart([]barItem{{label: "a", value: 0}, {label: "b", value: 0}}, 20)
	if strings.ContainsAny(got, "█▏▎▍▌▋▊▉") {
		t.Fatalf("all zero values drew a bar:\n%s", got)
	}
	got = barChart([]barItem{{label: "a", value: 1}, {label: "b", value: 100000}}, 30)
	first := strings.Split(got, "\n")[0]
	if !strings.Contains(first, "▏") {
		t.Fatalf("a value far smaller than the largest vanished: %q", first)
	}
	if !strings.HasSuffix(strings.Split(got, "\n")[1], "100,000") {
		t.Fatalf("values are written with thousands separators: %q", got)
	}
}

func TestBarChartWritesGivenTextAndOddValues(t *testing.T) {
	got := barChart([]barItem{
		{label: "x", value: 2.5},
		{label: "y", value: math.NaN()},
		{label: "z", value: -3},
		{label: "w", value: 5, text: "5 customers"},
	}, 40)
	lines := strings.Split(got, "\n")
	for i, suffix := range []string{"2.5", "—", "-3", "5 customers"} {
		if !strings.HasSuffix(lines[i], suffix) {
			t.Errorf("line %d = %q, want it to end with %q", i, lines[i], suffix)
		}
	}
	if strings.ContainsAny(lines[1]+lines[2], "█▏▎▍▌▋▊▉") {
		t.Errorf("a missing or negative value drew a bar:\n%s", got)
	}
}

func TestBarChartKeepsItsStyleOnTheBarOnly(t *testing.T) {
	st := lipgloss.NewStyle().Foreground(lipgloss.Color("#ff0000"))
	got := barChart([]barItem{{label: "a", value: 3, style: st}}, 20)
	if got == ansi.Strip(got) {
		t.Fatal("the bar's style was not applied")
	}
	if w := ansi.StringWidth(got); w > 20 {
		t.Fatalf("a styled chart is %d wide", w)
	}
	if plain := barChart([]barItem{{label: "a", value: 3}}, 20); plain != ansi.Strip(plain) {
		t.Fatalf("the zero style added escape codes: %q", plain)
	}
}

func TestBarChartNeverDrawsWiderThanAsked(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(0, 8).Draw(rt, "bars")
		items := make([]barItem, n)
		for i := range items {
			items[i] = barItem{
				label: rapid.StringMatching(`[a-zé ]{0,20}`).Draw(rt, "label"),
				value: rapid.Float64Range(-10, 1e9).Draw(rt, "value"),
			}
		}
		w := rapid.IntRange(-2, 120).Draw(rt, "width")
		out := barChart(items, w)
		if n == 0 || w <= 0 {
			if out != "" {
				rt.Fatalf("nothing to draw drew %q", out)
			}
			return
		}
		lines := strings.Split(out, "\n")
		if len(lines) != n {
			rt.Fatalf("%d bars drew %d lines", n, len(lines))
		}
		for _, l := range lines {
			if lw := ansi.StringWidth(l); lw > w {
				rt.Fatalf("a line is %d wide, asked for %d: %q", lw, w, l)
			}
		}
	})
}

func TestProgressBarIsExactlyItsWidth(t *testing.T) {
	cases := []struct {
		frac  float64
		width int
		want  string
	}{
		{0, 10, "░░░░░░░░░░"},
		{1, 10, "██████████"},
		{0.5, 10, "█████░░░░░"},
		{0.25, 6, "█▌░░░░"},
		{2, 4, "████"},          // over 1 is full
		{-1, 4, "░░░░"},         // under 0 is empty
		{math.NaN(), 4, "░░░░"}, // not a number is empty
		{0.5, 0, ""},
		{0.5, -3, ""},
	}
	for _, tc := range cases {
		if got := progressBar(tc.frac, tc.width); got != tc.want {
			t.Errorf("progressBar(%v, %d) = %q, want %q", tc.frac, tc.width, got, tc.want)
		}
	}
	rapid.Check(t, func(rt *rapid.T) {
		f := rapid.Float64().Draw(rt, "frac")
		w := rapid.IntRange(0, 200).Draw(rt, "width")
		if got := ansi.StringWidth(progressBar(f, w)); got != w {
			rt.Fatalf("progressBar(%v, %d) is %d wide", f, w, got)
		}
	})
}

func TestSparklineScalesFromLowestToHighest(t *testing.T) {
	cases := []struct {
		values []float64
		want   string
	}{
		{nil, ""},
		{[]float64{0, 7}, "▁█"},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8}, "▁▂▃▄▅▆▇█"},
		{[]float64{3, 3, 3}, "▁▁▁"},
		{[]float64{0, math.NaN(), 10}, "▁ █"},
		{[]float64{-5, 0, 5}, "▁▅█"},
	}
	for _, tc := range cases {
		if got := sparkline(tc.values); got != tc.want {
			t.Errorf("sparkline(%v) = %q, want %q", tc.values, got, tc.want)
		}
	}
	rapid.Check(t, func(rt *rapid.T) {
		vs := rapid.SliceOf(rapid.Float64()).Draw(rt, "values")
		if got := ansi.StringWidth(sparkline(vs)); got != len(vs) {
			rt.Fatalf("%d values drew %d cells", len(vs), got)
		}
	})
}
