package journal

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A journal is written line by line, fsynced, 0600; what is removed is
// marked so; End removes the file when nothing is left, keeps it when
// something is, and another reader sees exactly what is pending.
func TestJournal(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("SUDO_USER", "")
	Will(Cgroup, "/nowhere") // before Begin: recorded nowhere
	if err := Begin(); err != nil {
		t.Fatal(err)
	}
	j := current()
	st, err := os.Stat(j.Path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("journal %s: %v, mode %v; want 0600", j.Path, err, st.Mode())
	}
	if want := fmt.Sprintf("hood-%d-%d", os.Getpid(), j.Start); filepath.Base(j.Path) != want {
		t.Fatalf("journal is %s, want %s", j.Path, want)
	}
	Will(Cgroup, "/sys/fs/cgroup/x/hood/box1")
	Will(Veth, "hz0")
	Will(Veth, "hz0") // once is enough
	Will(Netns, "blue")
	Made(Netns, "blue", "4:4026532000")
	Done(Veth, "hz0")
	Done(Veth, "never-made")
	Will("bad\tkind", "x") // a tab would tear the line: not journaled
	data, _ := os.ReadFile(j.Path)
	got, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{{Kind: Cgroup, What: "/sys/fs/cgroup/x/hood/box1"}, {Kind: Netns, What: "blue", ID: "4:4026532000"}}
	if !slices.Equal(got.Pending, want) || got.PID != os.Getpid() || got.Start != j.Start {
		t.Fatalf("parsed %+v from\n%s\nwant pending %v", got, data, want)
	}
	if n := strings.Count(string(data), "\n"); n != 6 {
		t.Fatalf("want a header and 5 lines, got\n%s", data)
	}
	// This hood's own journal is not another's leftover, whatever gone says.
	others, err := Others(func(string) bool { return true })
	if err != nil || len(others) != 0 {
		t.Fatalf("Others = %v, %v; want none (the journal is this hood's)", others, err)
	}
	left := End(func(e Entry) bool { return e.Kind == Cgroup })
	if !slices.Equal(left, want[:1]) {
		t.Fatalf("End left %v, want %v", left, want[:1])
	}
	if _, err := os.Stat(j.Path); err != nil {
		t.Fatalf("with a cgroup left the journal must stay: %v", err)
	}
	// Seen by the next hood: a dead hood's journal, with what is left.
	others, err = Others(func(string) bool { return true })
	if err != nil || len(others) != 1 || !slices.Equal(others[0].Pending, want[:1]) {
		t.Fatalf("Others = %+v, %v", others, err)
	}
	if alive, _ := Others(func(string) bool { return false }); len(alive) != 0 {
		t.Fatalf("a running hood's journal was taken for a dead one's: %+v", alive)
	}
	if err := others[0].Forget(); err != nil {
		t.Fatal(err)
	}
	// Nothing left: the file goes at End.
	if err := Begin(); err != nil {
		t.Fatal(err)
	}
	p := current().Path
	Will(Loop, "/dev/loop9 /x")
	Done(Loop, "/dev/loop9 /x")
	if left := End(func(Entry) bool { return true }); len(left) != 0 {
		t.Fatal(left)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatalf("journal with nothing pending still there after End: %v", err)
	}
}

// A line torn by a power cut is ignored; a bad header is refused.
func TestParseTorn(t *testing.T) {
	j, err := Parse([]byte("hood 12 34 56\n+ cgroup\t/a\n+ veth\thz"))
	if err != nil || !slices.Equal(j.Pending, []Entry{{Kind: Cgroup, What: "/a"}}) {
		t.Fatalf("%+v %v", j, err)
	}
	for _, bad := range []string{"", "hood x 1 2\n", "hood 0 1 2\n", "nothood 1 2 3\n", "hood 1 2\n"} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("hood 12 34 56\n+ cgroup\t/a\n- cgroup\t/a\n+ veth\thz0\n"))
	f.Add([]byte("hood 1 2 3\n+ \t\n-  x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := Parse(data)
		if err != nil {
			return
		}
		if j.PID <= 0 {
			t.Fatalf("accepted PID %d", j.PID)
		}
		for i, e := range j.Pending {
			if e.Kind == "" || e.What == "" || slices.Index(j.Pending, e) != i {
				t.Fatalf("pending %q: empty or twice", j.Pending)
			}
		}
	})
}

// A scratch file is journaled before it exists and done once removed,
// also when it was renamed away first.
func TestCreateTemp(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("SUDO_USER", "")
	if err := Begin(); err != nil {
		t.Fatal(err)
	}
	defer End(func(Entry) bool { return false })
	dir := t.TempDir()
	f, err := CreateTemp(dir, "x-*.out")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if p := Pending(); len(p) != 1 || p[0] != (Entry{Kind: File, What: f.Name(), ID: InodeOf(f.Name())}) || !strings.HasPrefix(filepath.Base(f.Name()), fmt.Sprintf("x-%d-", os.Getpid())) {
		t.Fatalf("pending %v for %s", p, f.Name())
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, "final")); err != nil {
		t.Fatal(err)
	}
	if err := Remove(f.Name()); err != nil || len(Pending()) != 0 {
		t.Fatalf("Remove: %v, pending %v", err, Pending())
	}
	if st, err := os.Stat(filepath.Dir(current().Path)); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("journal directory: %v %v, want 0700", err, st.Mode())
	}
}
