package procfs

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
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
