package render

import (
	"bytes"
	"strings"
	"testing"

	"hood/internal/result"
)

// A cell's own lines (doctor's "fix:" line) each start a line of their
// own and wrap one by one; the column is as wide as the widest line, not
// as the whole cell.
func TestTableCellLines(t *testing.T) {
	var b bytes.Buffer
	cell := "found it\nfix: " + strings.Repeat("word ", 20)
	(&Renderer{W: &b, Width: 40}).Result(&result.Result{Table: &result.Table{Header: []string{"check", "what"},
		Rows: [][]string{{"a", cell}, {"b", "short"}}}}, result.NarrateFull)
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) < 5 || strings.TrimSpace(lines[1]) != "a      found it" || !strings.HasPrefix(strings.TrimSpace(lines[2]), "fix: word") {
		t.Fatalf("table:\n%s", b.String())
	}
	for _, l := range lines {
		if len(l) > 40 {
			t.Errorf("wider than 40: %q", l)
		}
	}
	b.Reset()
	(&Renderer{W: &b}).Result(&result.Result{Table: &result.Table{Header: []string{"c", "w"},
		Rows: [][]string{{"ab", "one\ntwo"}, {"b", "x"}}}}, result.NarrateFull)
	if want := "ab  one\n    two\nb   x"; !strings.Contains(b.String(), want) {
		t.Errorf("table without a width:\n%s\nwant %q", b.String(), want)
	}
}
