package procfs

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/moby/sys/mountinfo"
)

// seed adds every fixture file called name (good and broken) to f's corpus.
func seed(f *testing.F, name string) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "*", "*", name))
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
}

// The fuzz targets hold every parser to "an error, never a panic", and
// check that what they accept is sane. `make fuzz` runs each for a while.

func FuzzStat(f *testing.F) {
	seed(f, "stat")
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := ParseStat(bytes.NewReader(data))
		if err == nil && (st.PID <= 0 || st.State == 0) {
			t.Errorf("accepted %q as %+v", data, st)
		}
	})
}

func FuzzStatus(f *testing.F) {
	seed(f, "status")
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := ParseStatus(bytes.NewReader(data))
		if err == nil && st.State == 0 {
			t.Errorf("accepted %q without a state", data)
		}
	})
}

func FuzzCgroup(f *testing.F) {
	seed(f, "cgroup")
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, err := ParseCgroup(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, c := range cs {
			if c.ID < 0 || c.Path == "" || c.Path[0] != '/' || c.V2() != (len(c.Controllers) == 0) {
				t.Errorf("accepted %q as %+v", data, c)
			}
		}
	})
}

func FuzzNSLink(f *testing.F) {
	for _, s := range []string{"uts:[4026531838]", "pid:[1]", "garbage", "net:[18446744073709551616]", ":[]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseNSLink(s)
		if err == nil && l.String() != s {
			t.Errorf("ParseNSLink(%q) = %v, which reads back as %q", s, l, l.String())
		}
	})
}

func FuzzMountinfo(f *testing.F) {
	seed(f, "mountinfo")
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, "1"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "1", "mountinfo"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		proc := New(dir)
		ms, err := proc.Mountinfo(1, nil)
		if err != nil {
			return
		}
		if m := MountOf(ms, "/a/b"); m != nil && len(ms) == 0 {
			t.Errorf("MountOf found %+v in an empty table", m)
		}
	})
}

// FuzzPropagation holds the decoding of mountinfo's optional fields to a
// round trip: what it accepts, written back as the kernel writes it, reads
// back the same.
func FuzzPropagation(f *testing.F) {
	for _, s := range []string{"", "shared:1", "master:2 propagate_from:3", "shared:4 master:5", "unbindable", "shared:", "peer:1", "shared:01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePropagation(s)
		if err != nil {
			return
		}
		back := p.String()
		if back == "private" {
			back = ""
		}
		if q, err := ParsePropagation(back); err != nil || q != p {
			t.Errorf("%q decoded as %+v, written back as %q, which reads %+v, %v", s, p, back, q, err)
		}
		if p.Kind() == "" || p.Words() == "" {
			t.Errorf("%q: empty words", s)
		}
	})
}

// FuzzMountDiff diffs whatever table mountinfo accepts: against itself it
// differs in nothing, against an empty table every mount is added.
func FuzzMountDiff(f *testing.F) {
	seed(f, "mountinfo")
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, err := mountinfo.GetMountsFromReader(bytes.NewReader(data), nil)
		if err != nil {
			return
		}
		if d := DiffMounts(ms, ms); len(d) != 0 {
			t.Errorf("a table differs from itself: %+v", d)
		}
		if d := DiffMounts(nil, ms); len(d) != len(ms) {
			t.Errorf("%d mounts against none: %d changes", len(ms), len(d))
		}
		if d := DiffMounts(ms, nil); len(d) != len(ms) {
			t.Errorf("none against %d mounts: %d changes", len(ms), len(d))
		}
	})
}
