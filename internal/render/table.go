package render

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/fatih/color"
	"github.com/olekukonko/tablewriter"

	"hood/internal/result"
)

const tablePad = 2 // spaces between columns

func (r *Renderer) table(t *result.Table) {
	widths, ok := fitColumns(append([][]string{t.Header}, t.Rows...), r.Width)
	if !ok {
		r.records(t)
		return
	}
	var buf bytes.Buffer
	tbl := tablewriter.NewWriter(&buf)
	tbl.SetAutoFormatHeaders(false)
	tbl.SetAutoWrapText(false) // hood wraps cells itself, to widths that fit
	tbl.SetHeaderAlignment(tablewriter.ALIGN_LEFT)
	tbl.SetAlignment(tablewriter.ALIGN_LEFT)
	tbl.SetBorder(false)
	tbl.SetHeaderLine(false)
	tbl.SetColumnSeparator("")
	tbl.SetCenterSeparator("")
	tbl.SetRowSeparator("")
	tbl.SetNoWhiteSpace(true)
	tbl.SetTablePadding(strings.Repeat(" ", tablePad))
	tbl.SetHeader(r.cells(t.Header, widths, color.Bold))
	for i, row := range t.Rows {
		if i < len(t.Mark) && t.Mark[i] {
			tbl.Append(r.cells(row, widths, color.FgGreen))
		} else {
			tbl.Append(r.cells(row, widths))
		}
	}
	tbl.Render()
	// The last column is padded too: trailing spaces would count
	// against the width and show as a ragged selection.
	for _, l := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		fmt.Fprintln(r.W, strings.TrimRight(l, " "))
	}
}

// cells wraps each cell to its column's width and paints it line by line,
// so that padding between columns is never coloured.
func (r *Renderer) cells(row []string, widths []int, attrs ...color.Attribute) []string {
	out := make([]string, len(row))
	for j, c := range row {
		var lines []string
		for _, l := range strings.Split(c, "\n") { // a cell's own lines wrap one by one
			if j < len(widths) && cols(l) > widths[j] {
				lines = append(lines, wrapCell(l, j, widths[j])...)
			} else {
				lines = append(lines, l)
			}
		}
		if len(attrs) > 0 && c != "" {
			for k, l := range lines {
				lines[k] = r.paint(l, attrs...)
			}
		}
		out[j] = strings.Join(lines, "\n")
	}
	return out
}

// labelHang indents the continuation lines of a wrapped first cell, the
// row's label, so that they do not read as the start of another row.
const labelHang = 2

func wrapCell(c string, col, width int) []string {
	if col > 0 {
		return wrap(c, width, width)
	}
	lines := wrap(c, width, width-labelHang)
	for k := 1; k < len(lines); k++ {
		lines[k] = strings.Repeat(" ", labelHang) + lines[k]
	}
	return lines
}

// fitColumns gives each column its widest cell, then, while the table is
// wider than width (0: any width), narrows one column at a time, in rounds
// that each stop at a floor: a column keeps its longest word and at least
// minValue columns, then its longest piece between soft breaks and
// minValue, then only that piece. Each step narrows the column where the
// fewest cells would have to wrap, so a long meaning wraps before a short
// name and a name breaks before many meanings do. ok is false when even
// that is too wide, or when it leaves a column of sentences narrower than
// minValue: a few words a line reads worse than a row at a time.
func fitColumns(rows [][]string, width int) (widths []int, ok bool) {
	for _, row := range rows {
		for j, c := range row {
			if j >= len(widths) {
				widths = append(widths, 0)
			}
			for _, l := range strings.Split(c, "\n") {
				widths[j] = max(widths[j], cols(l))
			}
		}
	}
	if width <= 0 {
		return widths, true
	}
	natural := slices.Clone(widths)
	over := func() int {
		n := tablePad * (len(widths) - 1)
		for _, w := range widths {
			n += w
		}
		return n - width
	}
	for _, round := range fitRounds {
		floors := make([]int, len(widths))
		for _, row := range rows {
			for j, c := range row {
				floors[j] = max(floors[j], round.floor(j, c, natural[j]))
			}
		}
		for over() > 0 {
			j := cheapest(rows, widths, floors)
			if j < 0 {
				break
			}
			widths[j]--
		}
	}
	for j, w := range widths {
		if w < min(natural[j], minValue) && prose(rows[1:], j) {
			return widths, false
		}
	}
	return widths, over() <= 0
}

// prose reports whether column j holds sentences, not single words.
func prose(rows [][]string, j int) bool {
	for _, row := range rows {
		if j < len(row) && strings.Contains(strings.TrimSpace(row[j]), " ") {
			return true
		}
	}
	return false
}

// fitRounds are the floors fitColumns narrows columns to, in turn.
var fitRounds = []struct {
	floor func(col int, cell string, natural int) int
}{
	{func(col int, c string, natural int) int { return max(longestWord(c), min(natural, minValue)) }},
	{func(col int, c string, natural int) int { return max(piece(col, c), min(natural, minValue)) }},
	{func(col int, c string, natural int) int { return piece(col, c) }},
}

// piece is the narrowest a cell can be with words broken only at soft
// breaks: the first column's continuation lines also need their indent.
func piece(col int, c string) int {
	p := longestPiece(c)
	if col == 0 && p < cols(c) {
		p += labelHang
	}
	return p
}

// cheapest is the column above its floor where narrowing by one column
// makes the fewest cells wrap (the widest on a tie), or -1.
func cheapest(rows [][]string, widths, floors []int) int {
	best, bestCost := -1, 0
	for j := range widths {
		if widths[j] <= floors[j] {
			continue
		}
		cost := 0
		for _, row := range rows {
			if j < len(row) && cols(row[j]) >= widths[j] {
				cost++
			}
		}
		if best < 0 || cost < bestCost || cost == bestCost && widths[j] > widths[best] {
			best, bestCost = j, cost
		}
	}
	return best
}

func longestWord(s string) int {
	n := 0
	for _, w := range strings.Fields(s) {
		n = max(n, cols(w))
	}
	return n
}

// longestPiece is the widest run of a cell that wrap cannot break short of
// breaking mid-word: a word cut after its soft break points.
func longestPiece(s string) int {
	n := 0
	for _, w := range strings.Fields(s) {
		start := 0
		for i := 0; i < len(w); i++ {
			if softBreak(w[i]) {
				n = max(n, cols(w[start:i+1]))
				start = i + 1
			}
		}
		n = max(n, cols(w[start:]))
	}
	return n
}

// records prints a table too wide for the screen one row at a time: the
// first cell as a title, then each other cell under its header's label, as
// narration is, so paths and sentences wrap in a column of their own.
func (r *Renderer) records(t *result.Table) {
	w := 0
	for _, h := range t.Header[min(1, len(t.Header)):] {
		w = max(w, cols(h))
	}
	for i, row := range t.Rows {
		marked := i < len(t.Mark) && t.Mark[i]
		for j, c := range row {
			if marked {
				c = r.paint(c, color.FgGreen)
			}
			if j == 0 {
				r.hang(r.paint(header(t, 0), color.Bold)+" ", cols(header(t, 0))+1, c)
				continue
			}
			h := header(t, j)
			r.hang("  "+r.paint(h, color.Bold)+strings.Repeat(" ", w-cols(h)+2), w+4, c)
		}
	}
}

func header(t *result.Table, j int) string {
	if j < len(t.Header) {
		return t.Header[j]
	}
	return ""
}
