package netns

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"hood/internal/testenv"
)

func TestValid(t *testing.T) {
	for name, ok := range map[string]bool{"blue": true, "a.b-c_1": true, "": false, ".": false, "..": false,
		"a/b": false, strings.Repeat("x", 255): true, strings.Repeat("x", 256): false} {
		if got := Valid(name) == ""; got != ok {
			t.Errorf("Valid(%q) = %q, want ok %v", name, Valid(name), ok)
		}
	}
}

// runNetns is the host's mount table lines about /run/netns: what a test
// must leave as it found it.
func runNetns(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.Contains(l, " "+RunDir) {
			out = append(out, l)
		}
	}
	return out
}

// A name hood adds is what ip netns sees, and enters; removing it (the
// last one) leaves the mount table and /run as they were.
func TestAddListRemove(t *testing.T) {
	testenv.Root(t)
	ip, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("requires ip (iproute2) to check what it sees")
	}
	mounts := runNetns(t)
	_, statErr := os.Stat(RunDir)
	cmd := exec.Command("sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	var st unix.Stat_t
	if err := unix.Stat(fmt.Sprintf("/proc/%d/ns/net", cmd.Process.Pid), &st); err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("hoodtest%d", os.Getpid())
	calls, err := Add(name, fmt.Sprintf("/proc/%d/ns/net", cmd.Process.Pid), os.Getpid())
	if err != nil {
		t.Fatalf("%v: %v", err, calls)
	}
	defer RemoveOwned(os.Getpid())
	out, err := exec.Command(ip, "netns", "list").CombinedOutput()
	if err != nil || !strings.Contains(string(out), name) {
		t.Errorf("ip netns list: %v\n%s; want %s", err, out, name)
	}
	out, err = exec.Command(ip, "netns", "exec", name, "readlink", "/proc/self/ns/net").CombinedOutput()
	if want := fmt.Sprintf("net:[%d]", st.Ino); err != nil || strings.TrimSpace(string(out)) != want {
		t.Errorf("ip netns exec %s readlink: %v %q; want %s", name, err, out, want)
	}
	es, err := List()
	found := false
	for _, e := range es {
		if e.Name == name {
			found = e.Inode == st.Ino && e.MadeBy(os.Getpid()) && !e.Gone
		}
	}
	if err != nil || !found {
		t.Errorf("List: %+v, %v; want %s, net:[%d], made by this process", es, err, name, st.Ino)
	}
	if _, err := Add(name, fmt.Sprintf("/proc/%d/ns/net", cmd.Process.Pid), os.Getpid()); !errors.Is(err, ErrExists) {
		t.Errorf("adding %s again: %v, want ErrExists", name, err)
	}
	var notOurs *ErrNotOurs
	if _, err := Remove(name, 1); !errors.As(err, &notOurs) || notOurs.Mark == "" {
		t.Errorf("removing as another process: %v, want ErrNotOurs naming this one's mark", err)
	}
	// A name no hood made (as ip netns add would leave it, unmarked).
	plain := name + "plain"
	if err := os.WriteFile(Path(plain), nil, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := Remove(plain, os.Getpid()); !errors.As(err, &notOurs) || notOurs.Mark != "" || !Exists(plain) {
		t.Errorf("removing an unmarked name: %v, want ErrNotOurs and the file kept", err)
	}
	if err := os.Remove(Path(plain)); err != nil {
		t.Fatal(err)
	}
	if calls, err := Remove(name, os.Getpid()); err != nil {
		t.Fatalf("%v: %v", err, calls)
	}
	if Exists(name) {
		t.Errorf("%s is still there", Path(name))
	}
	if got := runNetns(t); len(got) != len(mounts) {
		t.Errorf("mount table lines about %s: before %v, after %v", RunDir, mounts, got)
	}
	if _, err := os.Stat(RunDir); (err == nil) != (statErr == nil) {
		t.Errorf("%s: before %v, after %v", RunDir, statErr, err)
	}
}
