package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// nobody is the unprivileged user the rootless tests run hood as.
const nobody = 65534

// rootlessHood is a command running a copy of this test binary as hood, as
// uid and gid 65534 with no supplementary groups: a copy, because the test
// binary's own directory is root's alone. It skips where an unprivileged
// user may not create a user namespace.
func rootlessHood(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	bin, home := rootlessCopy(t)
	return &exec.Cmd{Path: bin, Args: append([]string{"hood"}, args...), Dir: home,
		Env:         []string{"HOME=" + home, "PATH=/usr/local/bin:/usr/bin:/bin", "NO_COLOR=1"},
		SysProcAttr: &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}}}}
}

// rootlessCopy copies this test binary where uid 65534 can run it, and
// makes that user a home directory beside it.
func rootlessCopy(t *testing.T) (bin, home string) {
	t.Helper()
	requireRoot(t)
	if b, _ := os.ReadFile("/proc/sys/user/max_user_namespaces"); strings.TrimSpace(string(b)) == "0" {
		t.Skip("user.max_user_namespaces is 0")
	}
	if b, _ := os.ReadFile("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"); strings.TrimSpace(string(b)) == "1" {
		t.Skip("AppArmor restricts unprivileged user namespaces")
	}
	dir, err := os.MkdirTemp("", "hood-rootless-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	home = filepath.Join(dir, "home")
	for _, err := range []error{os.Chmod(dir, 0o755), os.Mkdir(home, 0o700), os.Chown(home, nobody, nobody)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	exe, _ := os.Executable()
	src, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	bin = filepath.Join(dir, "hood")
	dst, err := os.OpenFile(bin, os.O_WRONLY|os.O_CREATE, 0o755)
	if err == nil {
		_, err = io.Copy(dst, src)
		dst.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return bin, home
}

type lsOut struct {
	Boxes []struct {
		Name       string            `json:"name"`
		Namespaces map[string]uint64 `json:"namespaces"`
	} `json:"boxes"`
}

// TestRootlessSession runs hood as an ordinary user: every box is in one
// user namespace hood made, which maps uid 0 to the user, and the
// namespaces the boxes make work inside it, while the host's stay out of
// reach.
func TestRootlessSession(t *testing.T) {
	cmd := rootlessHood(t, "-c", "run cat /proc/self/uid_map; unshare uts; hostname rootless-inside; box new b2; unshare net; box ls --json; box use box1; unshare user --map-root; run id -u")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("hood as uid %d: %v\n%s", nobody, err, out)
	}
	text := string(out)
	if !strings.Contains(text, "0      65534          1") && !strings.Contains(text, "0 65534 1") {
		t.Errorf("box1's uid_map, read inside, does not map 0 to %d:\n%s", nobody, text)
	}
	if h, _ := os.Hostname(); h == "rootless-inside" {
		t.Errorf("the host's hostname changed")
	}
	var ls lsOut
	if i := strings.Index(text, "{\n"); i >= 0 {
		if err := json.NewDecoder(strings.NewReader(text[i:])).Decode(&ls); err != nil {
			t.Fatal(err)
		}
	}
	var host syscall.Stat_t
	if err := syscall.Stat("/proc/self/ns/user", &host); err != nil {
		t.Fatal(err)
	}
	if len(ls.Boxes) != 2 {
		t.Fatalf("box ls --json: want box1 and b2, got %+v\n%s", ls, text)
	}
	u1, u2 := ls.Boxes[0].Namespaces["user"], ls.Boxes[1].Namespaces["user"]
	if u1 == 0 || u1 != u2 || u1 == host.Ino {
		t.Errorf("box1 and b2 are not in one user namespace of hood's own: user %d and %d, the host's %d", u1, u2, host.Ino)
	}
	if ls.Boxes[1].Namespaces["net"] == ls.Boxes[0].Namespaces["net"] {
		t.Errorf("b2's unshare net made no network namespace")
	}
	for _, want := range []string{
		"succeeded with CAP_SYS_ADMIN in box1's user namespace",
		`write(5</proc/self/uid_map>, "0 0 1", 5) = 5`,
		"setns(", "CLONE_NEWUSER",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the narration lacks %q:\n%s", want, text)
		}
	}
}

// TestRootlessRefusals: what the host owns stays refused to a rootless
// hood, with the kernel's own errno, and a lab step that needs real root
// says so and is skipped.
func TestRootlessRefusals(t *testing.T) {
	out, err := rootlessHood(t, "-c", "hostname pwned --host").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "EPERM") {
		t.Errorf("hostname --host as uid %d: want EPERM, got %v:\n%s", nobody, err, out)
	}
	out, err = rootlessHood(t, "-c", "unshare net; ns pin box1 net; box kill box1; box new b2").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "pinned   net:[") {
		t.Errorf("ns pin, then enter the pin, as uid %d: want both to work in the pin holder's mount namespace, got %v:\n%s", nobody, err, out)
	}
	out, err = rootlessHood(t, "-c", "unshare net; net veth rl0 rl1").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "join two boxes instead") {
		t.Errorf("net veth as uid %d: want the netlink refusal explained, got %v:\n%s", nobody, err, out)
	}
	out, err = rootlessHood(t, "-c", "cgroup set pids.max 20").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "systemd-run --user --scope -p Delegate=yes") {
		t.Errorf("cgroup set as uid %d outside a delegated subtree: want a refusal with the fix, got %v:\n%s", nobody, err, out)
	}
	out, err = rootlessHood(t, "lab", "--check", "net").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "this needs real root") || !strings.Contains(string(out), "ok    net step 14") {
		t.Errorf("lab --check net as uid %d: want the host-end steps skipped as needing real root and the two-box step run, got %v:\n%s", nobody, err, out)
	}
}

// TestRootlessNarrationMatchesStrace holds a rootless session's narration
// to strace -f, as TestNarrationMatchesStrace does as root: the user
// namespace hood makes (unshare, the setgroups, uid_map and gid_map
// writes, the descriptor it holds), the setns of a second box, and the
// maps a box writes for a user namespace of its own.
func TestRootlessNarrationMatchesStrace(t *testing.T) {
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("requires strace (apt-get install strace)")
	}
	bin, home := rootlessCopy(t)
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("requires setpriv (apt-get install util-linux)")
	}
	for i, script := range []string{
		"unshare uts; hostname rl; unshare mnt; mount -t tmpfs none /mnt; ns pin box1 uts; unshare time --boottime 100; box new b2; unshare ipc; box new b3 --uid 1000",
		"unshare user --map-root; unshare uts; hostname deeper; run id -u; unshare pid --fork --mount-proc",
		"unshare net; net up lo; box new b2; unshare net; net veth r0 l0 --peer box1; net addr r0 10.98.0.2/24; net up r0; box use box1; net addr l0 10.98.0.1/24; net up l0; net show; ping 10.98.0.2 -c 1",
	} {
		dir := t.TempDir()
		logFile := filepath.Join(home, fmt.Sprintf("calls%d", i))
		traceFile := filepath.Join(dir, "trace")
		cmd := exec.Command(strace, []string{"-f", "-qq", "--seccomp-bpf", "-X", "raw", "-y", "-s", "65536",
			"-o", traceFile, "-e", "trace=" + strings.Join(traceSet, ","),
			setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups", bin, "-c", script}...)
		cmd.Dir = home
		cmd.Env = []string{"HOME=" + home, "PATH=/usr/local/bin:/usr/bin:/bin", "NO_COLOR=1", "HOOD_CALL_LOG=" + logFile}
		out, _ := cmd.CombinedOutput()
		checkTraced(t, logFile, traceFile, out)
	}
}

// TestRootlessTwoBoxVeth: without root two boxes are joined by a veth and
// ping each other, hood reaching each namespace through a socket the box
// opened there; the host's namespace is untouched.
func TestRootlessTwoBoxVeth(t *testing.T) {
	before, err := os.ReadFile("/proc/net/dev")
	if err != nil {
		t.Fatal(err)
	}
	cmd := rootlessHood(t, "-c", "unshare net; box new b2; unshare net; net veth rv0 rv1 --peer box1; net addr rv0 10.97.0.2/24; net up rv0; box use box1; net addr rv1 10.97.0.1/24; net up rv1; ping 10.97.0.2 -c 1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("two boxes and a veth as uid %d: %v\n%s", nobody, err, out)
	}
	for _, want := range []string{"1 sent, 1 received", "hood's netlink socket was opened by b2"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the session lacks %q:\n%s", want, out)
		}
	}
	after, _ := os.ReadFile("/proc/net/dev")
	for _, dev := range []string{"rv0", "rv1"} {
		if strings.Contains(string(after), dev+":") && !strings.Contains(string(before), dev+":") {
			t.Errorf("%s appeared in the host's network namespace", dev)
		}
	}
}

// checkTraced holds the calls a session narrated (its HOOD_CALL_LOG) to
// what strace saw (traceFile) and says how many it checked.
func checkTraced(t *testing.T, logFile, traceFile string, out []byte) {
	t.Helper()
	narrated := readCallLog(t, logFile)
	if len(narrated) == 0 {
		t.Fatalf("no call narrated; output:\n%s", out)
	}
	f, err := os.Open(traceFile)
	if err != nil {
		t.Fatal(err)
	}
	seen, tgid := parseStrace(f)
	f.Close()
	checkNarration(t, narrated, seen, tgid)
	t.Logf("%d narrated calls checked against %d traced", len(narrated), len(seen))
}
