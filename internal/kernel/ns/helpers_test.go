package ns

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"hood/internal/testenv"
)

// requireRoot skips under -short, and unless root (testenv.Root).
func requireRoot(t testing.TB) {
	t.Helper()
	testenv.Root(t)
}

func requireLsns(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("lsns"); err != nil {
		t.Skip("requires lsns")
	}
}

// fakeProc builds a fake /proc tree in a temporary directory. Each key is a
// path under the root; a value starting with "->" makes a symlink to the
// rest (as /proc/PID/ns/uts -> "uts:[4026531838]", a target that need not
// exist), a key ending in "/" makes a directory, anything else a file.
func fakeProc(t *testing.T, tree map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range tree {
		path := filepath.Join(root, name)
		dir := path
		if !strings.HasSuffix(name, "/") {
			dir = filepath.Dir(path)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasSuffix(name, "/"):
		case strings.HasPrefix(content, "->"):
			if err := os.Symlink(strings.TrimPrefix(content, "->"), path); err != nil {
				t.Fatal(err)
			}
		default:
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

// nsLinks gives the ten links of one process, for fakeProc, with inodes
// base+0 (user) to base+7 (time) in the order of Types; the
// *_for_children links point elsewhere (base+100), so that a listing that
// counted them would show.
func nsLinks(pid string, base uint64) map[string]string {
	m := make(map[string]string)
	for i, typ := range Types {
		m[pid+"/ns/"+typ.Name] = "->" + typ.Name + ":[" + strconv.FormatUint(base+uint64(i), 10) + "]"
		if typ.ForChildren != "" {
			m[pid+"/ns/"+typ.ForChildren] = "->" + typ.Name + ":[" + strconv.FormatUint(base+100+uint64(i), 10) + "]"
		}
	}
	return m
}

func merge(maps ...map[string]string) map[string]string {
	out := make(map[string]string)
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
