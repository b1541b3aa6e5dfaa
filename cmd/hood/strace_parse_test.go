package main

import (
	"bufio"
	"hood/internal/kernel/call"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The strace side of the narration test: strace -f -X raw -y output
// parsed into calls, with each thread attributed to its process.
//
//	4242  write(12</sys/fs/cgroup/pids/hood/box1/cgroup.procs>, "4243", 4) = 4
//	4242  clone(child_stack=NULL, flags=0x1200011, child_tidptr=0x7f...) = 4243
//	4250  wait4(4251, <unfinished ...>
//	4250  <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 4251
//	4243  unshare(0x10000000) = -1 EPERM (Operation not permitted)

type traced struct {
	tid   int
	name  string
	args  []string
	ret   int64
	errno string // "EPERM", or "" on success
	line  string
	used  bool
}

var (
	lineRE    = regexp.MustCompile(`^(\d+)\s+(.*)$`)
	resumedRE = regexp.MustCompile(`^<\.\.\. ([a-z0-9_]+) resumed>(.*)$`)
	retRE     = regexp.MustCompile(`^(-?\d+|0x[0-9a-f]+|\?)(<[^>]*>)?(?: ([A-Z][A-Z0-9]+|\d+) \(.*\))?`)
)

// parseStrace reads a trace and returns its completed calls and, for each
// thread, the process (thread group) it belongs to.
func parseStrace(r io.Reader) ([]*traced, map[int]int) {
	var calls []*traced
	pending := map[int]string{}
	parent := map[int]int{} // child TID -> the TID that cloned it
	thread := map[int]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		m := lineRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		tid, _ := strconv.Atoi(m[1])
		rest := m[2]
		if strings.HasPrefix(rest, "---") || strings.HasPrefix(rest, "+++") {
			continue
		}
		if rm := resumedRE.FindStringSubmatch(rest); rm != nil {
			rest = pending[tid] + rm[2]
			delete(pending, tid)
		} else if before, ok := strings.CutSuffix(rest, " <unfinished ...>"); ok {
			pending[tid] = before
			continue
		}
		c := parseCall(rest)
		if c == nil {
			continue
		}
		c.tid = tid
		calls = append(calls, c)
		if (c.name == "clone" || c.name == "clone3" || c.name == "fork" || c.name == "vfork") && c.errno == "" && c.ret > 0 {
			child := int(c.ret)
			parent[child] = tid
			thread[child] = c.name != "fork" && c.name != "vfork" && cloneFlags(c)&0x10000 != 0 // CLONE_THREAD
		}
	}
	tgid := map[int]int{}
	var find func(int) int
	find = func(t int) int {
		if g, ok := tgid[t]; ok {
			return g
		}
		g := t
		if p, ok := parent[t]; ok && thread[t] {
			g = find(p)
		}
		tgid[t] = g
		return g
	}
	for _, c := range calls {
		find(c.tid)
	}
	return calls, tgid
}

// parseCall reads `name(args) = ret [ERRNO (text)]`.
func parseCall(s string) *traced {
	open := strings.IndexByte(s, '(')
	if open <= 0 {
		return nil
	}
	args, n := splitArgs(s[open+1:])
	if n < 0 {
		return nil
	}
	tail := strings.TrimSpace(s[open+1+n+1:])
	tail, ok := strings.CutPrefix(tail, "= ")
	if !ok {
		return nil
	}
	m := retRE.FindStringSubmatch(tail)
	if m == nil {
		return nil
	}
	c := &traced{name: s[:open], args: args, line: s}
	c.ret, _ = strconv.ParseInt(m[1], 0, 64)
	c.errno = m[3]
	return c
}

// splitArgs splits the arguments at top-level commas up to the closing
// parenthesis and returns them with its offset, or -1 when there is none.
func splitArgs(s string) ([]string, int) {
	var args []string
	depth, start := 0, 0
	inStr := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case inStr && ch == '\\':
			i++
		case ch == '"':
			inStr = !inStr
		case inStr:
		case ch == '<' && i+1 < len(s) && s[i+1] == '<':
			i++ // a shift, as strace writes a netlink type: 0xa<<8|0x1
		case ch == '(' || ch == '[' || ch == '{' || ch == '<':
			depth++
		case (ch == ']' || ch == '}' || ch == '>') && depth > 0:
			depth--
		case ch == ')' && depth > 0:
			depth--
		case ch == ')':
			if a := strings.TrimSpace(s[start:i]); a != "" || len(args) > 0 {
				args = append(args, a)
			}
			return args, i
		case ch == ',' && depth == 0:
			args = append(args, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	return nil, -1
}

var flagsRE = regexp.MustCompile(`flags=(0x[0-9a-f]+|\d+)`)

func cloneFlags(c *traced) int64 {
	for _, a := range c.args {
		if m := flagsRE.FindStringSubmatch(a); m != nil {
			n, _ := strconv.ParseInt(m[1], 0, 64)
			return n
		}
	}
	return 0
}

// unC undoes strace's C escapes in a quoted string.
func unC(q string) (string, bool) {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return "", false
	}
	q = q[1 : len(q)-1]
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		if q[i] != '\\' || i+1 >= len(q) {
			b.WriteByte(q[i])
			continue
		}
		i++
		switch q[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'v':
			b.WriteByte('\v')
		case 'f':
			b.WriteByte('\f')
		case 'x':
			if i+2 < len(q) {
				n, err := strconv.ParseUint(q[i+1:i+3], 16, 8)
				if err == nil {
					b.WriteByte(byte(n))
					i += 2
					continue
				}
			}
			b.WriteByte('x')
		default:
			if q[i] >= '0' && q[i] <= '7' {
				j := i
				for j < len(q) && j < i+3 && q[j] >= '0' && q[j] <= '7' {
					j++
				}
				n, _ := strconv.ParseUint(q[i:j], 8, 8)
				b.WriteByte(byte(n))
				i = j - 1
				continue
			}
			b.WriteByte(q[i])
		}
	}
	return b.String(), true
}

// The referee itself: canned strace -f -X raw -y lines, with a thread's
// call split by another's and a child process.
func TestParseStrace(t *testing.T) {
	const trace = `100   clone(child_stack=0x7f00, flags=0x3d0f00, parent_tid=0x7f01, tls=0x7f02, child_tidptr=0x7f03) = 101
100   clone(child_stack=NULL, flags=0x1200000|17, child_tidptr=0x7f04) = 200
101   write(12</sys/fs/cgroup/pids/hood/box1/pids.max>, "20\n\"q\"\x41\101", 2 <unfinished ...>
200   unshare(0x4000000) = -1 EPERM (Operation not permitted)
101   <... write resumed>) = 2
200   +++ exited with 0 +++
`
	calls, tgid := parseStrace(strings.NewReader(trace))
	if len(calls) != 4 {
		t.Fatalf("%d calls, want 4: %+v", len(calls), calls)
	}
	if tgid[101] != 100 || tgid[200] != 200 {
		t.Errorf("thread groups %v: 101 is a thread of 100, 200 a process", tgid)
	}
	un, w := calls[2], calls[3]
	if un.name != "unshare" || un.errno != "EPERM" || un.args[0] != "0x4000000" {
		t.Errorf("unshare parsed as %+v", un)
	}
	if w.name != "write" || w.ret != 2 || len(w.args) != 3 || w.tid != 101 {
		t.Fatalf("resumed write parsed as %+v", w)
	}
	if s, ok := unC(w.args[1]); !ok || s != "20\n\"q\"AA" {
		t.Errorf("string argument %s unquoted as %q", w.args[1], s)
	}
	fd := call.Fd(12, "/sys/fs/cgroup/pids/hood/box1/pids.max")
	if why := argMismatch(fd, w.args[0]); why != "" {
		t.Errorf("fd argument: %s", why)
	}
	if why := argMismatch(call.F(0x1200011, "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD"), strings.TrimPrefix(calls[1].args[1], "flags=")); why != "" {
		t.Errorf("clone flags: %s", why)
	}
	if why := argMismatch(call.I(13), w.args[2]); why == "" {
		t.Error("a different number matched")
	}
}
