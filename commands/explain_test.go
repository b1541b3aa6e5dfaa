package commands

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"hood/explain"
	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/mount"
	"hood/internal/kernel/ns"
)

// Every word hood narrates can be followed by `explain WORD`: these tests
// fail when a command, a syscall, a flag, a file or an errno that a code
// path shows has no entry.

func kb(t *testing.T) *explain.KB {
	t.Helper()
	k, err := explain.Load()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// has reports whether word finds an entry of exactly that name or alias.
func has(k *explain.KB, word string) bool {
	a := k.Find(word)
	if a.Entry == nil {
		return false
	}
	if strings.EqualFold(a.Entry.Name, word) {
		return true
	}
	for _, al := range a.Entry.Aliases {
		if strings.EqualFold(al, word) {
			return true
		}
	}
	return false
}

func TestEveryCommandHasAnEntry(t *testing.T) {
	k := kb(t)
	for _, c := range Table() {
		if !has(k, c.Name()) {
			t.Errorf("command %q has no explain entry", c.Name())
		}
	}
}

func TestEveryNamespaceWordHasAnEntry(t *testing.T) {
	k := kb(t)
	for _, ty := range ns.Types {
		for _, w := range []string{ty.FlagName, ty.Name} {
			if !has(k, w) {
				t.Errorf("%q has no explain entry", w)
			}
		}
		if ty.ForChildren != "" && !has(k, ty.ForChildren) {
			t.Errorf("%q has no explain entry", ty.ForChildren)
		}
	}
	for _, f := range mount.FlagNames() {
		if !has(k, f) {
			t.Errorf("mount flag %s has no explain entry", f)
		}
	}
}

func TestEveryCgroupFileHasAnEntry(t *testing.T) {
	k := kb(t)
	for _, n := range cgroup.Names() {
		if !has(k, n) {
			t.Errorf("cgroup file %s has no explain entry", n)
		}
		for _, v1 := range cgroup.Lookup(n).V1 {
			if !has(k, v1) {
				t.Errorf("v1 cgroup file %s (for %s) has no explain entry", v1, n)
			}
		}
	}
}

func TestEveryErrnoHoodExplainsHasAnEntry(t *testing.T) {
	k := kb(t)
	whys, err := explain.Whys("")
	if err != nil {
		t.Fatal(err)
	}
	if len(whys) < 30 {
		t.Fatalf("only %d why entries", len(whys))
	}
	// A family's entry is the word that names it.
	family := map[string]string{"procfile": "uid_map", "file": "write", "cgroup": "cgroup",
		"O_DIRECT": "O_DIRECT", "clone after PID 1 exited": "clone", "mount of a mount namespace": "mount"}
	for _, w := range whys {
		name := w.Call
		if f, ok := family[name]; ok {
			name = f
		}
		if !has(k, name) {
			t.Errorf("the call %s has no explain entry", name)
		}
		if !has(k, w.Errno) {
			t.Errorf("%s (for %s) has no explain entry", w.Errno, w.Call)
		}
	}
}

// Every key a handler looks a why up by is in the knowledge base.
var whyKey = regexp.MustCompile(`(?:kernelErr|errnoErr)\([^()]*(?:\([^()]*\))?[^()]*, "([^"]+)"\)`)

func TestEveryWhyKeyIsKnown(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	if len(files) == 0 {
		t.Skip("requires hood's source next to the test binary")
	}
	n := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range whyKey.FindAllStringSubmatch(string(src), -1) {
			n++
			if ws, _ := explain.Whys(""); !slices.ContainsFunc(ws, func(w explain.Why) bool { return w.Call == m[1] }) {
				t.Errorf("%s looks up why %q, which explain/why/why.yaml does not have", f, m[1])
			}
		}
	}
	if n < 10 {
		t.Fatalf("found only %d lookups: the pattern no longer matches the source", n)
	}
}

// narrators are the functions that make a narrated call, each with the
// position of the call's name among its arguments: call.New(who, pid,
// "kill", ...), the box's sc(who, pid, "clone", ...) and b.my("unshare",
// ...), a probe's p.Made(who, "kill", ...), and the loop package's
// add("ioctl", ...) (elsewhere an add is not a narrator), and netdev's
// netlink messages n.msg("RTM_NEWLINK", ...).
var narrators = map[string]int{"New": 2, "sc": 2, "my": 0, "Made": 1, "add": 0, "msg": 0}

// narrated finds, in the Go file f, the names of the calls it narrates: a
// string given as the name to a narrator, or set as a call's Name
// (c.Name = "openat"). found counts the names each narrator gave, and
// "Name" the names set.
func narrated(t *testing.T, f string, found map[string]int) []string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	name := func(e ast.Expr, by string) {
		if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if n, err := strconv.Unquote(lit.Value); err == nil {
				names = append(names, n)
				found[by]++
			}
		}
	}
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			fn := ""
			switch f := n.Fun.(type) {
			case *ast.Ident:
				fn = f.Name
			case *ast.SelectorExpr:
				if x, ok := f.X.(*ast.Ident); !ok || f.Sel.Name != "New" || x.Name == "call" {
					fn = f.Sel.Name // call.New, b.my, p.Made; not errors.New
				}
			}
			if fn == "add" && file.Name.Name != "loop" {
				break
			}
			if i, ok := narrators[fn]; ok && i < len(n.Args) {
				name(n.Args[i], fn)
			}
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				if sel, ok := lhs.(*ast.SelectorExpr); ok && sel.Sel.Name == "Name" && i < len(n.Rhs) {
					name(n.Rhs[i], "Name")
				}
			}
		}
		return true
	})
	return names
}

func TestEveryNarratedSyscallHasAnEntry(t *testing.T) {
	k := kb(t)
	var files []string
	for _, pat := range []string{"*.go", "../internal/*/*.go", "../internal/kernel/*/*.go"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("requires hood's source next to the test binary (the VM lane runs the binary alone)")
	}
	seen := map[string]bool{}
	found := map[string]int{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		for _, n := range narrated(t, f, found) {
			seen[n] = true
		}
	}
	// A narrator that gives no name means the source moved away from
	// what this test reads: the test would pass without looking.
	for fn := range narrators {
		if found[fn] == 0 {
			t.Errorf("no call narrated through %s(...) found: the test no longer sees that path", fn)
		}
	}
	if found["Name"] == 0 {
		t.Errorf("no call's Name set to a string found: the test no longer sees that path")
	}
	// Narrated through helpers the test does not see.
	for _, n := range []string{"clone", "execve", "execveat", "uname"} {
		seen[n] = true
	}
	for name := range seen {
		if !has(k, name) {
			t.Errorf("hood narrates %s(...) but explain has no entry %q", name, name)
		}
	}
}

func TestExplainCommand(t *testing.T) {
	s := NewSession()
	r, err := s.Exec([]string{"explain", "0x04000000"})
	if err != nil || !strings.Contains(r.Text, "CLONE_NEWUTS") {
		t.Errorf("explain 0x04000000: %v %+v", err, r)
	}
	if _, err := s.Exec([]string{"explain", "CLONE_NEWUTZ"}); err == nil || !strings.Contains(err.Error(), "did you mean CLONE_NEWUTS") {
		t.Errorf("explain CLONE_NEWUTZ: %v", err)
	}
	r, err = s.Exec([]string{"explain"})
	if err != nil || !strings.Contains(r.Text, "capabilities") {
		t.Errorf("explain: %v, want the topics by group", err)
	}
}

func TestExplainShortWord(t *testing.T) {
	_, err := NewSession().Exec([]string{"explain", "ps"})
	if err == nil || !strings.Contains(err.Error(), `no entry "ps"; did you mean`) {
		t.Errorf("explain ps: %v, want no entry and the nearest names", err)
	}
}

// The command group of the knowledge base holds only what the table does
// not: every entry there names a command of the table, and explain shows
// the table's usage line and summary for it.
func TestCommandEntriesFollowTheTable(t *testing.T) {
	k := kb(t)
	for _, f := range k.Files {
		if f.Group != explain.CommandGroup {
			continue
		}
		for _, e := range f.Entries {
			if commandNamed(e.Name) == nil {
				t.Errorf("explain entry %q (%s) names no command of the table", e.Name, f.Group)
			}
		}
	}
	for _, c := range Table() {
		r, err := Explain(c.Name(), false)
		if err != nil {
			t.Errorf("explain %s: %v", c.Name(), err)
			continue
		}
		shown := r.Text
		for _, l := range r.Lines {
			shown += "\n" + l.Value
		}
		if !strings.Contains(shown, c.Short) {
			t.Errorf("explain %s does not show the table's summary %q:\n%s", c.Name(), c.Short, shown)
		}
	}
}
