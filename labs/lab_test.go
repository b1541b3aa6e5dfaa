package labs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hood/commands"
	"hood/internal/statedir"
	"hood/internal/testenv"
)

func TestBuiltinLabsAreComplete(t *testing.T) {
	labs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"uts", "ns-inodes", "pid", "user", "mnt", "net", "ipc", "time", "cgroupns", "rootfs", "ns-api",
		"cg-tour", "cg-cpu", "cg-memory", "cg-pids", "cg-cpuset", "cg-io", "cg-freeze", "cg-psi", "devices", "caps", "seccomp", "container"}
	var got []string
	for _, l := range labs {
		got = append(got, l.ID)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("labs in catalogue order: got %v, want %v", got, want)
	}
	for _, l := range labs {
		if _, err := Find(labs, l.Next); err != nil {
			t.Errorf("lab %s: next %q: %v", l.ID, l.Next, err)
		}
		for i, st := range l.Steps {
			// Every command a step suggests or solves with must exist.
			for _, line := range append(append([]string(nil), st.Try...), st.Solution...) {
				cmds, err := commands.Split(line)
				if err != nil {
					t.Errorf("lab %s step %d: %q: %v", l.ID, i+1, line, err)
					continue
				}
				for _, words := range cmds {
					if c, _ := commands.Lookup(words); c == nil {
						t.Errorf("lab %s step %d: %q is not a hood command", l.ID, i+1, line)
					}
				}
			}
		}
	}
}

func TestParseRefusesIncompleteLabs(t *testing.T) {
	ok := checkLab
	if _, err := Parse([]byte(ok), "demo.yaml"); err != nil {
		t.Fatalf("a complete lab is refused: %v", err)
	}
	for name, c := range map[string]struct{ from, to, want string }{
		"unknown field":   {"minutes: 1", "minutes: 1\ncolour: red", "field colour not found"},
		"no hint":         {"hints: [a hint]", "hints: []", "step 1 (One): a step needs at least one hint"},
		"no solution":     {"solution: [unshare uts]", "solution: []", "reference solution"},
		"two kinds":       {"ns: {a: box1, type: uts, same: false}", "ns: {a: box1, type: uts}\n        init: {box: box1}", "exactly one kind"},
		"bad type":        {"type: uts", "type: utz", `unknown namespace type "utz"`},
		"bad requirement": {"minutes: 1", "minutes: 1\nneeds: [wings]", `unknown requirement "wings"`},
		"bad id":          {"id: demo", "id: Demo Lab", `id "Demo Lab"`},
		"not yaml":        {"steps:", "steps: [", "demo.yaml"},
		"no say":          {"- say: box1 has its own UTS namespace\n        ns:", "- ns:", "needs say"},
		"lab in solution": {"solution: [unshare uts]", "solution: [unshare uts, lab start demo]", "may not be lab or exit"},
		"clock ahead 0":   {"ns: {a: box1, type: uts, same: false}", "clock: {box: box1, clock: boottime, ahead: 0}", "ahead must be a positive"},
	} {
		src := strings.Replace(ok, c.from, c.to, 1)
		_, err := Parse([]byte(src), "demo.yaml")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got error %v, want one containing %q", name, err, c.want)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "demo.yaml") {
			t.Errorf("%s: the error does not name the file: %v", name, err)
		}
	}
}

func TestProgressRoundTripAndCorruptFile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", dir)
	t.Setenv("SUDO_USER", "")
	p, note := LoadProgress()
	if note != "" || p.Path() != filepath.Join(dir, "hood", "progress.json") {
		t.Fatalf("fresh progress: path %q note %q", p.Path(), note)
	}
	p.Set("pid", &LabProgress{Step: 2, Skipped: []int{1}})
	if err := p.Save(); err != nil {
		t.Fatal(err)
	}
	q, note := LoadProgress()
	if note != "" || q.Get("pid").Step != 2 || len(q.Get("pid").Skipped) != 1 {
		t.Fatalf("reloaded: %+v note %q", q.Get("pid"), note)
	}

	if err := os.WriteFile(p.Path(), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, note := LoadProgress()
	if !strings.Contains(note, "was unreadable") || !strings.Contains(note, "moved to") {
		t.Fatalf("corrupt file: note %q", note)
	}
	if r.Get("pid").Step != 0 {
		t.Errorf("corrupt file: progress should start afresh, got %+v", r.Get("pid"))
	}
	aside, _ := filepath.Glob(p.Path() + ".corrupt-*")
	if len(aside) != 1 {
		t.Errorf("the corrupt file was not set aside: %v", aside)
	}
	if _, err := os.Stat(p.Path()); !os.IsNotExist(err) {
		t.Errorf("the corrupt file is still in place: %v", err)
	}
}

func TestProgressUnderSudoIsTheInvokingUsers(t *testing.T) {
	testenv.Root(t) // the sudo case is root with SUDO_USER set
	home := t.TempDir()
	pw := filepath.Join(t.TempDir(), "passwd")
	os.WriteFile(pw, []byte("root:x:0:0:root:/root:/bin/bash\nalice:x:4321:4322::"+home+":/bin/sh\n"), 0o644)
	old := statedir.PasswdFile
	statedir.PasswdFile = pw
	t.Cleanup(func() { statedir.PasswdFile = old })
	t.Setenv("SUDO_USER", "alice")
	t.Setenv("SUDO_UID", "4321")
	t.Setenv("SUDO_GID", "4322")
	t.Setenv("XDG_STATE_HOME", "/should/not/be/used")
	p, _ := LoadProgress()
	if want := filepath.Join(home, ".local", "state", "hood", "progress.json"); p.Path() != want {
		t.Fatalf("path %q, want %q", p.Path(), want)
	}
	p.Set("uts", &LabProgress{Step: 1})
	if err := p.Save(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{p.Path(), filepath.Dir(p.Path()), filepath.Join(home, ".local")} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if uid := statUID(st); uid != 4321 {
			t.Errorf("%s is owned by uid %d, want 4321 (the invoking user)", f, uid)
		}
		want := os.FileMode(0o700)
		if f == p.Path() {
			want = 0o600
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", f, st.Mode().Perm(), want)
		}
	}
}

func TestDriverListsLabsForCompletion(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	d := NewDriver()
	var ids []string
	for _, l := range d.List() {
		ids = append(ids, l[0])
		if l[1] == "" {
			t.Errorf("lab %s has no title for completion", l[0])
		}
	}
	all, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != len(all) || len(ids) < 16 || ids[2] != "pid" {
		t.Errorf("completion offers %v", ids)
	}
}
