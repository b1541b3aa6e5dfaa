package labs

import (
	"errors"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// docKinds reads the checks table of docs/labs.md: each kind's key and the
// fields the table lists for it (words in backquotes outside parentheses).
func docKinds(t *testing.T) map[string][]string {
	t.Helper()
	data, err := os.ReadFile("../docs/labs.md")
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("requires hood's source tree next to the test binary (the VM lane runs the binary alone)")
	}
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(data), "### Checks\n")
	if !ok {
		t.Fatal("docs/labs.md has no ### Checks section")
	}
	sec, _, _ = strings.Cut(sec, "\n### ")
	paren := regexp.MustCompile(`\([^)]*\)`)
	quoted := regexp.MustCompile("`([a-z_0-9]+)`")
	out := map[string][]string{}
	for _, line := range strings.Split(sec, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		key := strings.Trim(strings.TrimSpace(cells[1]), "`")
		var fields []string
		for _, m := range quoted.FindAllStringSubmatch(paren.ReplaceAllString(cells[2], ""), -1) {
			fields = append(fields, m[1])
		}
		out[key] = fields
	}
	if len(out) == 0 {
		t.Fatal("no rows found in the checks table of docs/labs.md")
	}
	return out
}

// Every YAML key has a kind of its own, documented with the fields it takes
// and used by a built-in lab, so --check-all runs it against the kernel.
func TestEveryKindIsRegisteredDocumentedAndUsed(t *testing.T) {
	docs := docKinds(t)
	labs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, l := range labs {
		for _, st := range l.Steps {
			for _, c := range st.Checks {
				used[c.Kind] = true
			}
		}
	}
	types := map[reflect.Type]string{}
	for key, mk := range kinds {
		k := mk()
		if k == nil || reflect.ValueOf(k).IsNil() {
			t.Errorf("%s: the constructor makes no kind", key)
			continue
		}
		if other, dup := types[reflect.TypeOf(k)]; dup {
			t.Errorf("%s and %s share the type %T: each key has a kind of its own", key, other, k)
		}
		types[reflect.TypeOf(k)] = key
		fields := fieldNames(k)
		want, ok := docs[key]
		switch {
		case !ok:
			t.Errorf("%s is not in the checks table of docs/labs.md", key)
		case !sameSet(fields, want):
			t.Errorf("%s takes %v; docs/labs.md lists %v", key, fields, want)
		}
		if !used[key] {
			t.Errorf("no built-in lab uses a %s check: nothing tests it against the kernel", key)
		}
	}
	for key := range docs {
		if kinds[key] == nil {
			t.Errorf("docs/labs.md documents a %s check that hood does not have", key)
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

const checkLab = `id: demo
title: Demo
minutes: 1
intro: hi
steps:
  - title: One
    text: do it
    hints: [a hint]
    solution: [unshare uts]
    checks:
      - say: box1 has its own UTS namespace
        ns: {a: box1, type: uts, same: false}
`

const goodCheck = "      - say: box1 has its own UTS namespace\n        ns: {a: box1, type: uts, same: false}\n"

// A bad check block is refused with the file, the step, the check, the
// line and the key named.
func TestParseRefusesBadCheckBlocks(t *testing.T) {
	for name, c := range map[string]struct{ block, want string }{
		"no kind": {"      - say: nothing to look at\n",
			"line 11: a check has exactly one kind (" + kindNames() + "); this one has none"},
		"two kinds": {goodCheck + "        gone: {box: box1}\n",
			"line 13: a check has exactly one kind (" + kindNames() + "); this one has ns and gone"},
		"unknown key": {goodCheck + "        colour: red\n",
			`line 13: unknown key "colour" (a check takes say and one kind: ` + kindNames() + ")"},
		"unknown key in kind": {"      - say: s\n        ns: {a: box1, type: uts, colour: red}\n",
			`line 12: ns: unknown key "colour" (ns takes a, b, type, b_type, same)`},
		"kind not a mapping": {"      - say: s\n        gone: box1\n",
			"line 12: gone takes a mapping of box"},
		"empty kind": {"      - say: s\n        init:\n",
			"line 12: init takes a mapping of box"},
		"say twice": {goodCheck + "        say: again\n",
			`line 13: key "say" given twice`},
		"check not a mapping": {"      - just words\n",
			"line 11: a check is a mapping of say and one kind"},
		"wrong field type": {"      - say: s\n        nprocs: {box: box1, type: uts, min: many}\n",
			"nprocs: yaml: unmarshal errors:\n  line 12: cannot unmarshal !!str `many` into int"},
		"kind's own rule": {"      - say: s\n        nprocs: {box: box1, type: uts, min: 0}\n",
			"nprocs: min must be at least 1"},
		"mount point not absolute": {"      - say: s\n        mount: {box: box1, at: tmp}\n",
			"mount: at is the absolute mount point"},
		"unknown propagation": {"      - say: s\n        mount: {box: box1, at: /tmp, propagation: peer}\n",
			`mount: propagation "peer": expected shared, slave, private or unbindable`},
		"bad regexp": {"      - say: s\n        file: {path: /etc/hostname, match: \"(\"}\n",
			"file: error parsing regexp"},
	} {
		src := strings.Replace(checkLab, goodCheck, c.block, 1)
		_, err := Parse([]byte(src), "demo.yaml")
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		const where = "demo.yaml: lab demo, step 1 (One), check 1: "
		if !strings.HasPrefix(err.Error(), where) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got\n  %v\nwant\n  %s...%s", name, err, where, c.want)
		}
	}
}

// Only the clock, device, answer and exec_caps kinds start a process to look (the runner holds it back
// until the checks before it pass). Builtin has already refused a check
// without a kind, and a check's kind is made by kinds[c.Kind] itself.
func TestOnlyClockProbes(t *testing.T) {
	labs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range labs {
		for i, st := range l.Steps {
			for j, c := range st.Checks {
				if c.probes() != (c.Kind == "clock" || c.Kind == "device" || c.Kind == "answer" || c.Kind == "exec_caps") {
					t.Errorf("lab %s step %d check %d: a %s check probes=%v; only clock, device, answer and exec_caps start a process", l.ID, i+1, j+1, c.Kind, c.probes())
				}
			}
		}
	}
}
