package main

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"hood/internal/box"
	"hood/internal/caps"
	"hood/internal/testenv"
)

// TestRefuseSetID makes a set-user-ID-root and a set-group-ID-root copy of
// hood and runs each as nobody: the constructor must refuse before Go
// starts, in every role (hood itself, a box, a probe), with status 126 and
// the reason, and must not have forked a box or started Go.
func TestRefuseSetID(t *testing.T) {
	testenv.Root(t) // to make a root-owned set-ID file and to become nobody
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("requires setpriv (util-linux)")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// Not t.TempDir: nobody must be able to reach the copy, and Go makes
	// the test's temporary directories 0700.
	dir, err := os.MkdirTemp("", "hood-setid-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if nosuid, err := caps.NoSuid(dir); err != nil {
		t.Fatal(err)
	} else if nosuid {
		t.Skipf("%s is on a nosuid mount: execve would ignore the set-ID bits", dir)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	hood := filepath.Join(dir, "hood")
	copyFile(t, exe, hood)
	roles := map[string][]string{
		"hood":  nil,
		"box":   {"HOOD_BOX_FD=0", "HOOD_BOX_PARENT=1"},
		"probe": {"HOOD_PROBE=1"},
	}
	for _, bit := range []struct {
		name string
		mode os.FileMode
		want string
	}{
		{"setuid", 0o755 | os.ModeSetuid, "effective uid 0"},
		{"setgid", 0o755 | os.ModeSetgid, "effective gid 0"},
	} {
		if err := os.Chmod(hood, bit.mode); err != nil {
			t.Fatal(err)
		}
		for role, env := range roles {
			t.Run(bit.name+"/"+role, func(t *testing.T) {
				cmd := exec.Command(setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups", hood, "--version")
				cmd.Env = append([]string{"PATH=/usr/bin:/bin"}, env...)
				if role == "probe" {
					cmd.Args[len(cmd.Args)-1] = "clock"
				}
				out, err := cmd.CombinedOutput()
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.ExitCode() != box.ExitSetID {
					t.Fatalf("exit %v, want status %d; output:\n%s", err, box.ExitSetID, out)
				}
				for _, w := range []string{"refusing to run set-user-ID or set-group-ID", "real uid 65534", bit.want, "AT_SECURE 1", "root's namespaces"} {
					if !strings.Contains(string(out), w) {
						t.Errorf("the refusal does not say %q:\n%s", w, out)
					}
				}
				if strings.Contains(string(out), "hood 0.") {
					t.Errorf("hood ran on after refusing:\n%s", out)
				}
			})
		}
	}
	// The same copy without the bits runs (the refusal is the bit's doing).
	if err := os.Chmod(hood, 0o755); err != nil {
		t.Fatal(err)
	}
	// File capabilities raise privilege with the uids unchanged: only
	// AT_SECURE tells, and hood refuses on it alone.
	t.Run("file-caps", func(t *testing.T) {
		if why := caps.Usable(dir); why != "" {
			t.Skip(why)
		}
		fc, err := caps.ParseFileText("cap_sys_admin=ep")
		if err != nil {
			t.Fatal(err)
		}
		tg, err := caps.OpenTarget(os.Getpid(), hood)
		if err != nil {
			t.Fatal(err)
		}
		c := tg.Set(os.Getpid(), fc)
		tg.Close(os.Getpid())
		if c.Failed() {
			t.Fatalf("setting file capabilities: %s", c)
		}
		defer func() {
			tg, err := caps.OpenTarget(os.Getpid(), hood)
			if err == nil {
				tg.Remove(os.Getpid())
				tg.Close(os.Getpid())
			}
		}()
		cmd := exec.Command(setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups", hood, "--version")
		cmd.Env = []string{"PATH=/usr/bin:/bin"}
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != box.ExitSetID || !strings.Contains(string(out), "real uid 65534, effective uid 65534") || !strings.Contains(string(out), "AT_SECURE 1") {
			t.Fatalf("a copy with cap_sys_admin=ep run as nobody: %v\n%s", err, out)
		}
	})
	cmd := exec.Command(setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups", hood, "--version")
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "hood") {
		t.Fatalf("without the set-ID bits: %v\n%s", err, out)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
