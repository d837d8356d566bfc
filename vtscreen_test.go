package main

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// vtScreen is a small terminal for the SSH tests: it applies what Patron
// writes (text, cursor moves, erases, scrolls) to a grid of cells, so a test
// reads the screen a person would see rather than the diff the renderer sent.
// Colours, modes and queries are ignored.
type vtScreen struct {
	mu       sync.Mutex
	w, h     int
	cells    [][]string // "" is the right half of a wide character
	x, y     int
	savedX   int
	savedY   int
	top, bot int // the scrolling region, rows top..bot
	wrapNext bool
	last     string
	state    byte
	parser   *ansi.Parser
	pending  []byte // an incomplete sequence or character from the last write
}

func newVTScreen(w, h int) *vtScreen {
	v := &vtScreen{parser: ansi.NewParser()}
	v.parser.SetParamsSize(32)
	v.parser.SetDataSize(4096)
	v.resize(w, h)
	return v
}

func (v *vtScreen) blankRow() []string {
	row := make([]string, v.w)
	for i := range row {
		row[i] = " "
	}
	return row
}

// Resize keeps what fits, as a terminal does when its window changes.
func (v *vtScreen) Resize(w, h int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.resize(w, h)
}

func (v *vtScreen) resize(w, h int) {
	old := v.cells
	v.w, v.h = w, h
	v.cells = make([][]string, h)
	for y := range v.cells {
		v.cells[y] = v.blankRow()
		if y < len(old) {
			copy(v.cells[y], old[y])
		}
	}
	v.top, v.bot = 0, h-1
	v.x, v.y = min(v.x, w-1), min(v.y, h-1)
}

// Write takes the program's output; sequences split across writes are kept
// until the rest arrives.
func (v *vtScreen) Write(p []byte) (int, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	b := append(v.pending, p...)
	v.pending = nil
	for len(b) > 0 {
		if b[0] >= 0x80 && !utf8.FullRune(b) {
			v.pending = append([]byte(nil), b...) // a character split between writes
			break
		}
		seq, width, n, newState := ansi.DecodeSequence(b, v.state, v.parser)
		if n == 0 || (newState != ansi.NormalState && n == len(b)) {
			// The rest of a sequence is still on its way.
			v.pending = append([]byte(nil), b...)
			break
		}
		v.state = newState
		v.apply(seq, width)
		b = b[n:]
	}
	return len(p), nil
}

func (v *vtScreen) apply(seq []byte, width int) {
	switch {
	case width > 0:
		v.print(string(seq), width)
	case len(seq) == 1 && seq[0] < 0x20:
		v.control(seq[0])
	case len(seq) == 1 && seq[0] == 0x7f:
	case ansi.HasCsiPrefix(seq):
		v.csi()
	case len(seq) == 2 && seq[0] == ansi.ESC:
		v.esc(seq[1])
	}
}

func (v *vtScreen) print(g string, width int) {
	if v.wrapNext {
		v.x, v.wrapNext = 0, false
		v.lineFeed()
	}
	if v.x+width > v.w {
		v.x = 0
		v.lineFeed()
	}
	v.cells[v.y][v.x] = g
	for i := 1; i < width; i++ {
		v.cells[v.y][v.x+i] = ""
	}
	v.last = g
	if v.x+width >= v.w {
		v.x, v.wrapNext = v.w-1, true
	} else {
		v.x += width
	}
}

func (v *vtScreen) control(c byte) {
	switch c {
	case '\r':
		v.x, v.wrapNext = 0, false
	case '\n', '\v', '\f':
		v.wrapNext = false
		v.lineFeed()
	case '\b':
		v.x, v.wrapNext = max(0, v.x-1), false
	case '\t':
		v.x = min(v.w-1, (v.x/8+1)*8)
	}
}

func (v *vtScreen) lineFeed() {
	if v.y == v.bot {
		v.scrollUp(1)
		return
	}
	v.y = min(v.h-1, v.y+1)
}

func (v *vtScreen) scrollUp(n int) {
	for range n {
		copy(v.cells[v.top:v.bot], v.cells[v.top+1:v.bot+1])
		v.cells[v.bot] = v.blankRow()
	}
}

func (v *vtScreen) scrollDown(n int) {
	for range n {
		copy(v.cells[v.top+1:v.bot+1], v.cells[v.top:v.bot])
		v.cells[v.top] = v.blankRow()
	}
}

func (v *vtScreen) esc(c byte) {
	switch c {
	case '7':
		v.savedX, v.savedY = v.x, v.y
	case '8':
		v.x, v.y = v.savedX, v.savedY
	case 'D':
		v.lineFeed()
	case 'E':
		v.x = 0
		v.lineFeed()
	case 'M':
		if v.y == v.top {
			v.scrollDown(1)
		} else {
			v.y = max(0, v.y-1)
		}
	case 'c':
		v.resize(v.w, v.h)
		v.erase(0, 0, v.w, v.h)
	}
}

func (v *vtScreen) erase(x0, y0, x1, y1 int) {
	for y := max(0, y0); y < min(v.h, y1); y++ {
		for x := max(0, x0); x < min(v.w, x1); x++ {
			v.cells[y][x] = " "
		}
	}
}

func (v *vtScreen) csi() {
	cmd := ansi.Cmd(v.parser.Command())
	params := v.parser.Params()
	arg := func(i, def int) int {
		n, _, ok := params.Param(i, def)
		if !ok || n == 0 {
			return def
		}
		return n
	}
	if cmd.Prefix() != 0 || cmd.Intermediate() != 0 {
		// Private modes: entering the alternate screen starts it blank.
		if cmd.Prefix() == '?' && cmd.Final() == 'h' {
			for i := range params {
				if params[i].Param(0) == 1049 {
					v.erase(0, 0, v.w, v.h)
				}
			}
		}
		return
	}
	v.wrapNext = false
	switch cmd.Final() {
	case 'H', 'f':
		v.y, v.x = min(v.h-1, arg(0, 1)-1), min(v.w-1, arg(1, 1)-1)
	case 'A':
		v.y = max(0, v.y-arg(0, 1))
	case 'B', 'e':
		v.y = min(v.h-1, v.y+arg(0, 1))
	case 'C', 'a':
		v.x = min(v.w-1, v.x+arg(0, 1))
	case 'D':
		v.x = max(0, v.x-arg(0, 1))
	case 'E':
		v.x, v.y = 0, min(v.h-1, v.y+arg(0, 1))
	case 'F':
		v.x, v.y = 0, max(0, v.y-arg(0, 1))
	case 'G', '`':
		v.x = min(v.w-1, arg(0, 1)-1)
	case 'd':
		v.y = min(v.h-1, arg(0, 1)-1)
	case 'I':
		for range arg(0, 1) {
			v.x = min(v.w-1, (v.x/8+1)*8)
		}
	case 'Z':
		for range arg(0, 1) {
			v.x = max(0, (v.x-1)/8*8)
		}
	case 'K':
		switch n, _, _ := params.Param(0, 0); n {
		case 0:
			v.erase(v.x, v.y, v.w, v.y+1)
		case 1:
			v.erase(0, v.y, v.x+1, v.y+1)
		case 2:
			v.erase(0, v.y, v.w, v.y+1)
		}
	case 'J':
		switch n, _, _ := params.Param(0, 0); n {
		case 0:
			v.erase(v.x, v.y, v.w, v.y+1)
			v.erase(0, v.y+1, v.w, v.h)
		case 1:
			v.erase(0, 0, v.w, v.y)
			v.erase(0, v.y, v.x+1, v.y+1)
		case 2, 3:
			v.erase(0, 0, v.w, v.h)
		}
	case 'X':
		v.erase(v.x, v.y, v.x+arg(0, 1), v.y+1)
	case 'b':
		for range arg(0, 1) {
			v.print(v.last, max(1, ansi.StringWidth(v.last)))
		}
	case 'P':
		n := min(arg(0, 1), v.w-v.x)
		row := v.cells[v.y]
		copy(row[v.x:], row[v.x+n:])
		for i := v.w - n; i < v.w; i++ {
			row[i] = " "
		}
	case '@':
		n := min(arg(0, 1), v.w-v.x)
		row := v.cells[v.y]
		copy(row[v.x+n:], row[v.x:v.w-n])
		for i := v.x; i < v.x+n; i++ {
			row[i] = " "
		}
	case 'L', 'M':
		if v.y < v.top || v.y > v.bot {
			return
		}
		top := v.top
		v.top = v.y
		if cmd.Final() == 'L' {
			v.scrollDown(arg(0, 1))
		} else {
			v.scrollUp(arg(0, 1))
		}
		v.top = top
	case 'S':
		v.scrollUp(arg(0, 1))
	case 'T':
		v.scrollDown(arg(0, 1))
	case 'r':
		top, bot := arg(0, 1)-1, arg(1, v.h)-1
		if top < bot && bot < v.h {
			v.top, v.bot = top, bot
		} else {
			v.top, v.bot = 0, v.h-1
		}
		v.x, v.y = 0, 0
	}
}

// Lines is the screen as text, one string a row, trailing spaces trimmed.
func (v *vtScreen) Lines() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make([]string, v.h)
	for y, row := range v.cells {
		out[y] = strings.TrimRight(strings.Join(row, ""), " ")
	}
	return out
}

func (v *vtScreen) String() string { return strings.Join(v.Lines(), "\n") }
