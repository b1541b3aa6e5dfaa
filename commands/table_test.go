package commands

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	cases := []struct {
		in   string
		want [][]string
	}{
		{"unshare uts", [][]string{{"unshare", "uts"}}},
		{"  unshare uts ;hostname x;; ", [][]string{{"unshare", "uts"}, {"hostname", "x"}}},
		{`run sh -c 'echo a; echo b'`, [][]string{{"run", "sh", "-c", "echo a; echo b"}}},
		{`run echo "a \"b\" \$x" c\ d`, [][]string{{"run", "echo", `a "b" $x`, "c d"}}},
		{"box ls # a comment; not a command", [][]string{{"box", "ls"}}},
		{"run echo a#b", [][]string{{"run", "echo", "a#b"}}},
		{`run echo ""`, [][]string{{"run", "echo", ""}}},
		{"", nil},
	}
	for _, c := range cases {
		got, err := Split(c.in)
		if err != nil {
			t.Errorf("Split(%q): %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Split(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, bad := range []string{`run echo 'x`, `run echo "x`} {
		if _, err := Split(bad); err == nil {
			t.Errorf("Split(%q) accepted an unterminated quote", bad)
		}
	}
}

func TestTable(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	for _, c := range Table() {
		name := c.Name()
		if name == "" {
			t.Errorf("command with usage %q has no name", c.UsageLine)
		}
		if seen[name] {
			t.Errorf("command %q twice", name)
		}
		seen[name] = true
		if name < prev {
			t.Errorf("table not sorted: %q after %q", name, prev)
		}
		prev = name
		if c.Short == "" || c.Run == nil {
			t.Errorf("%q: needs a summary and a handler", name)
		}
		// Every option the table offers for completion is in the usage line.
		for _, f := range c.Flags {
			if !strings.Contains(c.UsageLine, f) {
				t.Errorf("%q: flag %s not in usage line %q", name, f, c.UsageLine)
			}
		}
		// Argument kinds match the usage line's placeholders.
		words := strings.Fields(c.UsageLine)[len(strings.Fields(name)):]
		var args int
		for _, w := range words {
			if !strings.HasPrefix(strings.Trim(w, "[]"), "-") {
				args++
			}
		}
		if len(c.Args) > args {
			t.Errorf("%q: %d completions for %d arguments in %q", name, len(c.Args), args, c.UsageLine)
		}
	}
	for _, want := range []string{"box new", "box ls", "box use", "box kill", "box show", "unshare", "enter", "run", "sh", "hostname", "ns ls", "ns show", "ns compare", "help", "exit", "narrate"} {
		if !seen[want] {
			t.Errorf("command %q missing", want)
		}
	}
}

func TestLookupAndNearest(t *testing.T) {
	c, rest := Lookup([]string{"ns", "compare", "a", "b"})
	if c == nil || c.Name() != "ns compare" || !reflect.DeepEqual(rest, []string{"a", "b"}) {
		t.Fatalf("Lookup ns compare: %v %q", c, rest)
	}
	if c, _ := Lookup([]string{"nope"}); c != nil {
		t.Fatalf("Lookup(nope) = %s", c.Name())
	}
	near := Nearest("unshar", 3)
	if len(near) == 0 || near[0] != "unshare" {
		t.Fatalf("Nearest(unshar) = %q", near)
	}
	if near := Nearest("zzzzzzzz", 3); len(near) != 0 {
		t.Fatalf("Nearest(zzzzzzzz) = %q, want nothing", near)
	}
}

func TestCompleteCommandNames(t *testing.T) {
	s := NewSession()
	has := func(list []Suggestion, text string) bool {
		for _, x := range list {
			if x.Text == text {
				return true
			}
		}
		return false
	}
	if got := s.Complete("uns"); !has(got, "unshare") {
		t.Errorf("Complete(uns) = %v", got)
	}
	if got := s.Complete("ns c"); !has(got, "compare") {
		t.Errorf("Complete(ns c) = %v", got)
	}
	if got := s.Complete("unshare u"); !has(got, "uts") || !has(got, "user") {
		t.Errorf("Complete(unshare u) = %v", got)
	}
	if got := s.Complete("unshare --m"); !has(got, "--map-root") || !has(got, "--mount-proc") {
		t.Errorf("Complete(unshare --m) = %v", got)
	}
	if got := s.Complete("ns compare h"); !has(got, "host") {
		t.Errorf("Complete(ns compare h) = %v", got)
	}
}

func TestParseUnshareErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"bogus"}, {"uts", "--fork"}, {"time", "--monotonic", "x"}, {"mnt", "--propagation", "weird"}, {"--what"}} {
		if _, err := parseUnshare(args); err == nil {
			t.Errorf("parseUnshare(%q) accepted bad input", args)
		}
	}
	o, err := parseUnshare([]string{"--mount-proc"})
	if err == nil {
		t.Errorf("--mount-proc without pid accepted: %+v", o)
	}
	o, err = parseUnshare([]string{"pid", "--mount-proc", "-r"})
	if err != nil || !o.fork || !seenType(o.types, "mnt") || !seenType(o.types, "user") {
		t.Errorf("implied types: %+v %v", o, err)
	}
}

// A sized hugetlb name is a file hood knows, as cgroup.Lookup says.
func TestKnownFileTakesSizedNames(t *testing.T) {
	s := NewSession()
	if err := s.knownFile("hugetlb.2MB.max"); err != nil {
		t.Errorf("knownFile(hugetlb.2MB.max) = %v", err)
	}
}
