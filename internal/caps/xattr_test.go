package caps

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"hood/internal/testenv"
)

// TestFileCapsAgreeWithGetcap writes file capabilities as caps file does
// and reads them back with getcap(8) and with ReadFile.
func TestFileCapsAgreeWithGetcap(t *testing.T) {
	testenv.Root(t)
	getcap, err := exec.LookPath("getcap")
	if err != nil {
		t.Skip("getcap is not installed (Debian: libcap2-bin)")
	}
	dir := t.TempDir()
	if why := Usable(dir); why != "" {
		t.Skip(why)
	}
	c := CopiesDir(dir, "1:2", -1, -1)
	path, err := c.Make("/proc/self/exe", "prog")
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(c.Dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("copies directory: %v %v, want mode 0700", st.Mode(), err)
	}
	if _, call := ReadFile(os.Getpid(), path); !IsNoData(call) {
		t.Fatalf("a fresh copy: %s, want ENODATA", call)
	}
	for _, text := range []string{"cap_net_raw=ep", "cap_chown,cap_dac_read_search=eip", "cap_bpf=p"} {
		fc, _ := ParseFileText(text)
		tg, err := OpenTarget(os.Getpid(), path)
		if err != nil {
			t.Fatal(err)
		}
		if c := tg.Set(os.Getpid(), fc); c.Failed() {
			t.Fatalf("%s: %s", text, c)
		}
		tg.Close(os.Getpid())
		out, err := exec.Command(getcap, path).Output()
		if err != nil || strings.TrimSpace(string(out)) != path+" "+text {
			t.Errorf("getcap: %q %v, want %s %s", out, err, path, text)
		}
		raw, call := ReadFile(os.Getpid(), path)
		got, err := DecodeFile(raw)
		if call.Failed() || err != nil || got.Text() != text || call.Ret != Size2 {
			t.Errorf("ReadFile: %s %v: %q", call, err, got.Text())
		}
	}
	tg, _ := OpenTarget(os.Getpid(), path)
	if c := tg.Remove(os.Getpid()); c.Failed() {
		t.Fatal(c)
	}
	tg.Close(os.Getpid())
	if out, _ := exec.Command(getcap, path).Output(); len(out) != 0 {
		t.Errorf("after fremovexattr getcap says %q", out)
	}
	// A second name for the inode is refused.
	if err := os.Link(path, filepath.Join(dir, "link")); err == nil {
		if _, err := OpenTarget(os.Getpid(), path); err == nil || !strings.Contains(err.Error(), "2 names") {
			t.Errorf("hard-linked file: %v, want a refusal", err)
		}
	}
	if got := Sweep(dir, func(tok string) bool { return tok == "1:2" }); len(got) != 1 || got[0] != c.Dir {
		t.Errorf("Sweep removed %v, want %s", got, c.Dir)
	}
}

// TestNoSuid compares NoSuid with the options /proc/self/mounts lists for
// the mounts at / and /proc.
func TestNoSuid(t *testing.T) {
	testenv.Kernel(t)
	data, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		t.Skip(err)
	}
	opts := map[string]string{}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 4 {
			opts[f[1]] = f[3] // the last mount at a point is the one seen
		}
	}
	for _, p := range []string{"/", "/proc"} {
		o, ok := opts[p]
		if !ok {
			continue
		}
		want := strings.Contains(","+o+",", ",nosuid,")
		if got, err := NoSuid(p); err != nil || got != want {
			t.Errorf("NoSuid(%s) = %v, %v; its options are %s", p, got, err, o)
		}
	}
}

// TestKernelWritesRevision3: setcap run by root of a user namespace whose
// root is host uid 100000 makes the kernel store revision 3 with that
// rootid, which DecodeFile reads as getcap -n shows it.
func TestKernelWritesRevision3(t *testing.T) {
	testenv.Root(t)
	setcap, err := exec.LookPath("setcap")
	if err != nil {
		t.Skip("setcap is not installed (Debian: libcap2-bin)")
	}
	dir := t.TempDir()
	if why := Usable(dir); why != "" {
		t.Skip(why)
	}
	// The namespace's root owns nothing on the way but the file: the
	// directories must be searchable by anyone.
	for d := dir; d != filepath.Dir(os.TempDir()) && d != "/"; d = filepath.Dir(d) {
		if strings.HasPrefix(d, os.TempDir()+"/") {
			os.Chmod(d, 0o755)
		}
	}
	path, err := CopiesDir(dir, "1:2", -1, -1).Make("/proc/self/exe", "prog")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Dir(path), 0o755)
	if err := os.Chown(path, 100000, 100000); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(setcap, "cap_net_raw=ep", path)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 1}},
		// uid 0 inside, host uid 100000: hood's own uid 0 is not mapped.
		Credential: &syscall.Credential{Uid: 0, Gid: 0, NoSetGroups: true},
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("setcap in a user namespace: %v: %s", err, out)
	}
	raw, call := ReadFile(os.Getpid(), path)
	fc, err := DecodeFile(raw)
	if call.Failed() || err != nil || fc.Revision != 3 || fc.RootID != 100000 || fc.Text() != "cap_net_raw=ep" || call.Ret != Size3 {
		t.Fatalf("%s: %+v %v; want revision 3, rootid 100000", call, fc, err)
	}
	if out, _ := exec.Command("getcap", "-n", path).Output(); strings.TrimSpace(string(out)) != path+" cap_net_raw=ep [rootid=100000]" {
		t.Errorf("getcap -n: %q", out)
	}
}
