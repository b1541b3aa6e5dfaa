package devbpf

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/cgroup"
	"hood/internal/testenv"
)

// v2Group makes hood/<name> (with hood's owner mark) in every hierarchy of
// this process and returns its v2 directory; removed when the test ends.
func v2Group(t *testing.T) string {
	testenv.Root(t)
	hs, err := cgroup.Hierarchies("/proc", os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	g, _, err := cgroup.NewGroup(hs, fmt.Sprintf("devbpf-test-%d", os.Getpid()), os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := g.Remove(); err != nil {
			t.Error(err)
		}
	})
	dir, ok := g.V2Dir()
	if !ok {
		t.Skip("requires a cgroup v2 tree (none is mounted)")
	}
	if err := CanLoad(); errors.Is(err, unix.EPERM) {
		t.Skip("device programs need CAP_SYS_ADMIN in the initial user namespace (BPF_PROG_LOAD: EPERM)")
	}
	return dir
}

// openIn opens path ("<PATH" to read, ">PATH" to write) from a process born in the cgroup dir
// (clone3 CLONE_INTO_CGROUP): nil, or the errno.
func openIn(t *testing.T, dir, path string) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	cmd := exec.Command("sh", "-c", "exec 3"+path)
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: fd}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return fmt.Errorf("%s", out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return nil
}

func TestKernelReplaceList(t *testing.T) {
	dir := v2Group(t)
	if err := openIn(t, dir, "</dev/null"); err != nil {
		t.Fatalf("before any program: %v", err)
	}
	deny := AllowAll.Add(false, rule(t, "c 1:3 rw"))
	id, calls, err := Replace(dir, deny, 0)
	if err != nil {
		t.Fatalf("%v\n%v", err, calls)
	}
	if err := openIn(t, dir, "</dev/null"); err == nil {
		t.Errorf("open /dev/null allowed after %s", deny)
	}
	if err := openIn(t, dir, "</dev/zero"); err != nil {
		t.Errorf("open /dev/zero after %s: %v", deny, err)
	}
	progs, calls, err := List(dir)
	if err != nil || len(progs) != 1 {
		t.Fatalf("List: %v, %d programs\n%v", err, len(progs), calls)
	}
	if p := progs[0]; p.ID != id || p.Name != ProgName || p.Err != nil || !reflect.DeepEqual(p.Policy, deny) {
		t.Errorf("attached: id %d name %q policy %s err %v; want id %d %s", p.ID, p.Name, p.Policy, p.Err, id, deny)
	}
	// Replace: the new program is attached, the old one detached.
	only := deny.Add(false, rule(t, "a")).Add(true, rule(t, "c 1:3 rw"))
	id2, calls, err := Replace(dir, only, id)
	if err != nil {
		t.Fatalf("%v\n%v", err, calls)
	}
	progs, _, _ = List(dir)
	if len(progs) != 1 || progs[0].ID != id2 || progs[0].Policy.String() != "allow c 1:3 rw; else deny" {
		t.Fatalf("after replace: %+v", progs)
	}
	if err := openIn(t, dir, "</dev/zero"); err == nil {
		t.Error("open /dev/zero allowed under " + only.String())
	}
	// Back to nothing: no program of hood's is left.
	if _, calls, err := Replace(dir, AllowAll, id2); err != nil {
		t.Fatalf("%v\n%v", err, calls)
	}
	if progs, _, _ = List(dir); len(progs) != 0 {
		t.Errorf("%d programs left", len(progs))
	}
	if err := openIn(t, dir, "</dev/null"); err != nil {
		t.Errorf("after the last detach: %v", err)
	}
}

// A detach of a program that is not attached there is refused, and the
// new program attached before it is taken off again.
func TestKernelReplaceUndo(t *testing.T) {
	dir := v2Group(t)
	_, calls, err := Replace(dir, AllowAll.Add(false, rule(t, "c 1:3 rw")), 1<<31)
	if err == nil {
		t.Fatalf("replace of a program that does not exist succeeded\n%v", calls)
	}
	if progs, _, _ := List(dir); len(progs) != 0 {
		t.Errorf("%d programs left after a failed replace", len(progs))
	}
}

// List from fresh goroutines at many stack depths, so that the stack
// grows (and Go moves it) somewhere during the calls: an attr that held
// the address of stack memory would have the kernel write to the old
// place, and the program's info would read back empty.
func TestKernelListMovedStacks(t *testing.T) {
	dir := v2Group(t)
	p := AllowAll.Add(false, rule(t, "c 1:3 rw"))
	id, calls, err := Replace(dir, p, 0)
	if err != nil {
		t.Fatalf("%v\n%v", err, calls)
	}
	defer Replace(dir, AllowAll, id)
	for depth := 0; depth < 300; depth += 3 {
		done := make(chan string)
		go deep(depth, func() {
			progs, _, err := List(dir)
			switch {
			case err != nil:
				done <- err.Error()
			case len(progs) != 1 || progs[0].ID != id || progs[0].Err != nil:
				done <- fmt.Sprintf("%+v", progs)
			default:
				done <- ""
			}
		})
		if why := <-done; why != "" {
			t.Fatalf("at depth %d: %s", depth, why)
		}
	}
}

// deep calls f n frames down, each frame using some stack.
//
//go:noinline
func deep(n int, f func()) int {
	var pad [8]int
	pad[n%8] = n
	if n > 0 {
		pad[0] += deep(n-1, f)
	} else {
		f()
	}
	return pad[n%8]
}

// The kernel running each built program answers as Policy.Allows says,
// for reads and writes of three character devices.
func TestKernelAgreesWithAllows(t *testing.T) {
	dir := v2Group(t)
	devs := []struct {
		path  string
		minor int64
	}{{"/dev/null", 3}, {"/dev/zero", 5}, {"/dev/full", 7}}
	var id uint32
	for _, lines := range [][]string{
		{"deny c 1:3 rw"},
		{"deny c 1:3 w"},
		{"deny a", "allow c 1:3 rw", "allow c 1:5 r"},
		{"deny a", "allow c 1:* rw", "deny c 1:7 r"},
	} {
		p := policyOf(t, lines...)
		next, calls, err := Replace(dir, p, id)
		if err != nil {
			t.Fatalf("%s: %v\n%v", p, err, calls)
		}
		id = next
		for _, d := range devs {
			for _, acc := range []string{"r", "w"} {
				redirect := map[string]string{"r": "<", "w": ">"}[acc]
				got := openIn(t, dir, redirect+" "+d.path) == nil
				if want := p.Allows('c', 1, d.minor, acc); got != want {
					t.Errorf("%s: %s of %s allowed %v, Allows says %v", p, acc, d.path, got, want)
				}
			}
		}
	}
	if _, _, err := Replace(dir, AllowAll, id); err != nil {
		t.Fatal(err)
	}
}

// Root in a new user namespace has every capability there, but loading a
// device program needs them in the initial one: EPERM.
func TestKernelLoadInUserNamespace(t *testing.T) {
	if os.Getenv("DEVBPF_LOAD_CHILD") == "1" {
		raw, _ := Encode(prologue)
		raw2, _ := Encode(ret(true))
		_, c, err := Load(append(raw, raw2...))
		fmt.Printf("load: %s (%v)\n", c.Result(), err)
		return
	}
	testenv.Root(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestKernelLoadInUserNamespace$")
	cmd.Env = append(os.Environ(), "DEVBPF_LOAD_CHILD=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	t.Logf("%s", out)
	if !strings.Contains(string(out), "load: -1 EPERM") {
		t.Errorf("BPF_PROG_LOAD from root in a user namespace: %s", out)
	}
}

// A program on a group applies to the groups below it: List of a child
// shows it as inherited, and the child's processes get its answer.
func TestKernelListInherited(t *testing.T) {
	dir := v2Group(t)
	child := dir + "/child"
	if err := os.Mkdir(child, 0o755); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(child)
	p := AllowAll.Add(false, rule(t, "c 1:3 rw"))
	id, calls, err := Replace(dir, p, 0)
	if err != nil {
		t.Fatalf("%v\n%v", err, calls)
	}
	defer Replace(dir, AllowAll, id)
	progs, calls, err := List(child)
	if err != nil || len(progs) != 1 || progs[0].ID != id || !progs[0].Inherited || progs[0].Policy.String() != p.String() {
		t.Fatalf("List of the child: %+v, %v\n%v", progs, err, calls)
	}
	if own, _, _ := List(dir); len(own) != 1 || own[0].Inherited {
		t.Errorf("List of the group itself: %+v", own)
	}
	if err := openIn(t, child, "</dev/null"); err == nil {
		t.Error("the child group's process opened /dev/null under its parent's deny")
	}
}
