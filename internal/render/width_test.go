package render

import (
	"bytes"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"hood/internal/kernel/call"
	"hood/internal/result"
)

var widths = []int{60, 80, 120}

var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

// fits fails the test for any line of out wider than width, escape codes
// not counted, and returns the lines with the escape codes taken out.
func fits(t *testing.T, out string, width int) []string {
	t.Helper()
	lines := strings.Split(strings.TrimRight(sgr.ReplaceAllString(out, ""), "\n"), "\n")
	for _, l := range lines {
		if n := len([]rune(l)); n > width {
			t.Errorf("line of %d columns at width %d: %q", n, width, l)
		}
	}
	return lines
}

const meaning = "box1 now sits in a cgroup of its own, in every hierarchy; what it starts is born there. Its namespaces did not change: a cgroup is where the kernel accounts and limits, not what a process can see."

func TestLabelledLinesWrapWithHangingIndent(t *testing.T) {
	for _, w := range widths {
		for _, colour := range []bool{false, true} {
			var b bytes.Buffer
			(&Renderer{W: &b, Width: w, Color: colour}).Result(&result.Result{Meaning: meaning}, result.NarrateFull)
			lines := fits(t, b.String(), w)
			if len(lines) < 2 {
				t.Fatalf("width %d: %d columns of meaning on one line: %q", w, len(meaning), lines)
			}
			if !strings.HasPrefix(lines[0], "  meaning  box1 now") {
				t.Errorf("width %d: first line %q", w, lines[0])
			}
			var words []string
			for i, l := range lines {
				if i > 0 && (!strings.HasPrefix(l, strings.Repeat(" ", 11)) || l[11] == ' ') {
					t.Errorf("width %d: line %d does not hang under the value column: %q", w, i, l)
				}
				words = append(words, strings.Fields(l)...)
			}
			// No word is split: the words are the sentence's, in order.
			if got, want := strings.Join(words[1:], " "), meaning; got != want {
				t.Errorf("width %d: words changed:\n got %s\nwant %s", w, got, want)
			}
		}
	}
}

func TestNoWrapWithoutWidth(t *testing.T) {
	var b bytes.Buffer
	(&Renderer{W: &b}).Result(&result.Result{Meaning: meaning}, result.NarrateFull)
	if b.String() != "  meaning  "+meaning+"\n" {
		t.Errorf("width 0 wrapped: %q", b.String())
	}
}

func TestLongWordBrokenOnlyWhenLongerThanTheLine(t *testing.T) {
	const file = "/sys/fs/cgroup/memory/process_api/303eb60e9e7c6433f8b41c0fbaf34728/hood/box1/cgroup.procs"
	c := result.Syscall{Who: "hood", Name: "write", Args: []call.Arg{call.Fd(12, file), call.S("9912"), call.I(4)}, Ret: 4}
	path := c.Text()
	for _, w := range widths {
		var b bytes.Buffer
		(&Renderer{W: &b, Width: w}).Result(&result.Result{Syscalls: []result.Syscall{c}}, result.NarrateFull)
		lines := fits(t, b.String(), w)
		var joined strings.Builder
		for i, l := range lines {
			l = strings.TrimPrefix(l, "  syscall  ")
			piece := strings.TrimLeft(l, " ")
			if i < len(lines)-1 && !strings.Contains(piece, " ") && !softBreak(piece[len(piece)-1]) {
				t.Errorf("width %d: %q broken where there is no soft break", w, piece)
			}
			if joined.Len() > 0 && !strings.HasSuffix(joined.String(), "/") && !strings.HasSuffix(joined.String(), ",") {
				joined.WriteString(" ")
			}
			joined.WriteString(piece)
		}
		if want := path + " = 4   [hood]"; strings.Join(strings.Fields(joined.String()), "") != strings.Join(strings.Fields(want), "") {
			t.Errorf("width %d: pieces do not make the call again:\n%s", w, b.String())
		}
	}
	// A word that fits on a line of its own is moved, not broken.
	if got := wrap("aaaa bbbbbbbb", 8, 8); strings.Join(got, "|") != "aaaa|bbbbbbbb" {
		t.Errorf("wrap moved nothing: %q", got)
	}
}

func TestBriefFolds(t *testing.T) {
	mkdir := func(dir string, errno syscall.Errno) result.Syscall {
		s := result.Syscall{Who: "hood", Name: "mkdirat", Args: []call.Arg{call.Cwd(), call.S(dir), call.M(0o755)}}
		if errno != 0 {
			s.Ret, s.Errno = -1, errno
		}
		return s
	}
	res := &result.Result{}
	res.Add(result.Syscall{Who: "box1", Name: "unshare", Args: []call.Arg{call.F(0x04000000, "CLONE_NEWUTS")}})
	from := len(res.Syscalls)
	res.Add(mkdir("/a/hood/box1", 0), mkdir("/b/hood/box1", 0), mkdir("/c/hood/box1", 0))
	res.Fold(from, "mkdir hood/box1 in 3 hierarchies")
	render := func(mode result.Narration) string {
		var b bytes.Buffer
		(&Renderer{W: &b}).Result(res, mode)
		return b.String()
	}
	if got, want := render(result.NarrateBrief), "  syscall  unshare(CLONE_NEWUTS) = 0   [box1]\n  syscalls mkdir hood/box1 in 3 hierarchies\n"; got != want {
		t.Errorf("brief:\n%s\nwant\n%s", got, want)
	}
	if got := render(result.NarrateFull); strings.Count(got, "mkdirat(") != 3 || strings.Contains(got, "3 hierarchies") {
		t.Errorf("full does not show each call:\n%s", got)
	}
	if got := render(result.NarrateOff); got != "" {
		t.Errorf("off printed %q", got)
	}
	res.Syscalls[2] = mkdir("/b/hood/box1", syscall.EACCES)
	if got := render(result.NarrateBrief); !strings.Contains(got, "EACCES") || strings.Count(got, "mkdirat(") != 3 {
		t.Errorf("brief folded a refused call away:\n%s", got)
	}
}

// compare is ns compare's table: each row's mark must stay on its row.
func compare() *result.Table {
	t := &result.Table{Header: []string{"LINK", "box1 (9912)", "host (9909)", ""}}
	for _, n := range []string{"user", "cgroup", "ipc", "uts", "net", "pid", "pid_for_children", "mnt", "time", "time_for_children"} {
		ty := strings.TrimSuffix(n, "_for_children")
		a, b, mark := ty+":[4026531837]", ty+":[4026531837]", "same"
		if n == "uts" {
			b, mark = ty+":[4026531838]", "DIFFERENT"
		}
		t.Rows = append(t.Rows, []string{n, a, b, mark})
		t.Mark = append(t.Mark, mark != "same")
	}
	return t
}

func TestTablesFitTheWidth(t *testing.T) {
	for _, w := range widths {
		for _, colour := range []bool{false, true} {
			var b bytes.Buffer
			tbl := compare()
			(&Renderer{W: &b, Width: w, Color: colour}).Result(&result.Result{Table: tbl}, result.NarrateFull)
			lines := fits(t, b.String(), w)
			// A row starts at a line that does not begin with a space.
			var starts []string
			for _, l := range lines[1:] {
				if !strings.HasPrefix(l, " ") {
					starts = append(starts, l)
				}
			}
			if len(starts) != len(tbl.Rows) {
				t.Fatalf("width %d: %d rows, want %d:\n%s", w, len(starts), len(tbl.Rows), b.String())
			}
			for i, row := range tbl.Rows {
				if l := starts[i]; !strings.HasPrefix(row[0], strings.Fields(l)[0]) || !strings.HasSuffix(l, "  "+row[3]) {
					t.Errorf("width %d: %s's %s is not on its row:\n%s", w, row[0], row[3], b.String())
				}
			}
			if w >= 80 && len(lines) != len(tbl.Rows)+1 {
				t.Errorf("width %d: a table that fits was wrapped:\n%s", w, b.String())
			}
		}
	}
}

func TestTableWrapsTheLongColumnAtWords(t *testing.T) {
	tbl := &result.Table{Header: []string{"LINK", "TYPE", "MEANING"},
		Rows: [][]string{{"uts", "uts", "hostname and NIS domain name"}, {"mnt", "mnt", "the mount table: what is mounted where, and how mounts propagate"}}}
	var b bytes.Buffer
	(&Renderer{W: &b, Width: 40}).Result(&result.Result{Table: tbl}, result.NarrateFull)
	lines := fits(t, b.String(), 40)
	var words []string
	for _, l := range lines[3:] {
		if !strings.HasPrefix(l, strings.Repeat(" ", 10)) {
			t.Errorf("continuation %q is not in the MEANING column", l)
		}
		words = append(words, strings.Fields(l)...)
	}
	if got := strings.Join(words, " "); !strings.HasSuffix(tbl.Rows[1][2], got) {
		t.Errorf("MEANING split mid-word:\n%s", b.String())
	}
}

func TestTextHangsUnderItsValue(t *testing.T) {
	help := "Commands (help CMD for more):\n  cgroup attach                give the current box a cgroup of its own, or move a box into another box's group, in every hierarchy"
	for _, w := range widths {
		var b bytes.Buffer
		(&Renderer{W: &b, Width: w}).Result(&result.Result{Text: help}, result.NarrateFull)
		lines := fits(t, b.String(), w)
		for _, l := range lines[2:] {
			if !strings.HasPrefix(l, strings.Repeat(" ", 31)) || l[31] == ' ' {
				t.Errorf("width %d: %q does not hang under the summary", w, l)
			}
		}
	}
}

func TestErrorsWrap(t *testing.T) {
	var b bytes.Buffer
	(&Renderer{W: &b, Width: 60}).Error(&result.KernelError{Call: "unshare(CLONE_NEWUSER)", Errno: syscall.EPERM, ErrName: "EPERM",
		Meaning: "creating a user namespace needs no privilege, but this kernel restricts it to CAP_SYS_ADMIN (sysctl kernel.unprivileged_userns_clone=0)"})
	lines := fits(t, b.String(), 60)
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "error: ") || !strings.HasPrefix(lines[1], "       ") || !strings.HasPrefix(lines[2], "  why: ") || !strings.HasPrefix(lines[3], "       ") {
		t.Errorf("error at 60 columns:\n%s", b.String())
	}
}

func TestReturnValueKeepsItsEquals(t *testing.T) {
	if got := wrap(`mkdir("/sys/fs/cgroup/pids/hood/box1", 0755) = 0   [hood]`, 47, 47); strings.Join(got, "|") != `mkdir("/sys/fs/cgroup/pids/hood/box1", 0755)|= 0   [hood]` {
		t.Errorf("wrap split = from its value: %q", got)
	}
}

func TestTableTooWideForColumnsGoesRowByRow(t *testing.T) {
	tbl := &result.Table{Header: []string{"hierarchy", "mounted at", "hood's cgroup", "hood's groups go under"}}
	for _, h := range []string{"memory", "pids"} {
		tbl.Rows = append(tbl.Rows, []string{h, "/sys/fs/cgroup/" + h, "/process_api/303eb60e9e7c6433f8b41c0fbaf34728", "/sys/fs/cgroup/" + h + "/process_api/303eb60e9e7c6433f8b41c0fbaf34728/hood"})
	}
	for _, w := range widths[:2] {
		var b bytes.Buffer
		(&Renderer{W: &b, Width: w}).Result(&result.Result{Table: tbl}, result.NarrateFull)
		lines := fits(t, b.String(), w)
		if lines[0] != "hierarchy memory" || lines[1] != "  mounted at              /sys/fs/cgroup/memory" {
			t.Errorf("width %d: not one row at a time:\n%s", w, b.String())
		}
	}
}

func TestTextReflowsParagraphsOnlyWhenTooWide(t *testing.T) {
	text := "title\n\nFormat \"$MAX $PERIOD\", both in microseconds; default \"max 100000\" (no\ncap, a 100 ms period). All processes of the group together may run for\n$MAX in every $PERIOD.\n  see also  cpu.stat"
	var b bytes.Buffer
	(&Renderer{W: &b, Width: 120}).Result(&result.Result{Text: text}, result.NarrateFull)
	if b.String() != text+"\n" {
		t.Errorf("text that fits was changed:\n%s", b.String())
	}
	for _, w := range widths[:2] {
		b.Reset()
		(&Renderer{W: &b, Width: w}).Result(&result.Result{Text: text}, result.NarrateFull)
		lines := fits(t, b.String(), w)
		if lines[1] != "" || !strings.HasPrefix(lines[2], "Format") || lines[len(lines)-1] != "  see also  cpu.stat" {
			t.Errorf("width %d: paragraphs not kept apart:\n%s", w, b.String())
		}
		// Reflowed: every line but the paragraph's last is filled.
		for _, l := range lines[2 : len(lines)-2] {
			if len(l) < w-12 {
				t.Errorf("width %d: ragged line %q:\n%s", w, l, b.String())
			}
		}
	}
}

func TestBriefLeavesOutQuietCalls(t *testing.T) {
	open := result.Syscall{Who: "hood", Name: "openat", Args: []call.Arg{call.Cwd(), call.S("/f")}, Ret: 5, Quiet: true}
	write := result.Syscall{Who: "hood", Name: "write", Args: []call.Arg{call.Fd(5, "/f"), call.S("1"), call.I(1)}, Ret: 1}
	res := &result.Result{Syscalls: []result.Syscall{open, write}}
	var b bytes.Buffer
	(&Renderer{W: &b}).Result(res, result.NarrateBrief)
	if strings.Contains(b.String(), "openat") || !strings.Contains(b.String(), "write(5</f>") {
		t.Errorf("brief:\n%s", b.String())
	}
	b.Reset()
	(&Renderer{W: &b}).Result(res, result.NarrateFull)
	if !strings.Contains(b.String(), "openat") {
		t.Errorf("full left out the openat:\n%s", b.String())
	}
	res.Syscalls[0].Ret, res.Syscalls[0].Errno = -1, syscall.EACCES
	b.Reset()
	(&Renderer{W: &b}).Result(res, result.NarrateBrief)
	if !strings.Contains(b.String(), "EACCES") {
		t.Errorf("brief left out a failed quiet call:\n%s", b.String())
	}
}
