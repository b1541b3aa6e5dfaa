package box

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"hood/internal/testenv"
)

// requireRoot skips under -short, and unless root (testenv.Root).
func requireRoot(t *testing.T) {
	t.Helper()
	testenv.Root(t)
}

func link(t *testing.T, pid int, name string) string {
	t.Helper()
	s, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/ns/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestUnshareUTSOnSamePID(t *testing.T) {
	requireRoot(t)
	b, err := Start("t1")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Kill()
	before := link(t, b.PID, "uts")
	if before != link(t, os.Getpid(), "uts") {
		t.Fatalf("new box is not in hood's uts namespace")
	}
	s, err := b.Unshare(unix.CLONE_NEWUTS)
	if err != nil || s.Failed() {
		t.Fatalf("unshare: %v %v", err, s)
	}
	after := link(t, b.PID, "uts")
	if after == before {
		t.Fatalf("uts inode did not change: %s", after)
	}
	if s, err := b.Sethostname("tupperware"); err != nil || s.Failed() {
		t.Fatalf("sethostname: %v %+v", err, s)
	}
	h, err := b.Hostname()
	if err != nil || h != "tupperware" {
		t.Fatalf("hostname in box = %q, %v", h, err)
	}
	var u unix.Utsname
	unix.Uname(&u)
	if unix.ByteSliceToString(u.Nodename[:]) == "tupperware" {
		t.Fatal("host hostname changed")
	}
}

func TestUnshareUserAndMountSameProcess(t *testing.T) {
	requireRoot(t)
	b, err := Start("t2")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Kill()
	for _, f := range []uintptr{unix.CLONE_NEWUSER, unix.CLONE_NEWNS} {
		before := ""
		name := map[uintptr]string{unix.CLONE_NEWUSER: "user", unix.CLONE_NEWNS: "mnt"}[f]
		before = link(t, b.PID, name)
		s, err := b.Unshare(f)
		if err != nil || s.Failed() {
			t.Fatalf("unshare %s: %v %+v", name, err, s)
		}
		if link(t, b.PID, name) == before {
			t.Fatalf("%s inode unchanged", name)
		}
	}
}

func TestSpawnAndWait(t *testing.T) {
	requireRoot(t)
	b, err := Start("t3")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Kill()
	r, w, _ := os.Pipe()
	sp, err := b.Spawn([]string{"sh", "-c", "echo hi; exit 3"}, []string{"PATH=/usr/bin:/bin"}, [3]*os.File{os.Stdin, w, os.Stderr}, false)
	w.Close()
	if err != nil || sp.Fork.Failed() || sp.ExecFails {
		t.Fatalf("spawn: %v %+v", err, sp)
	}
	st, waited, err := b.Wait(sp)
	if err != nil {
		t.Fatal(err)
	}
	if waited.Name != "wait4" || waited.Ret != int64(sp.PID) || waited.Result() != fmt.Sprintf("%d (exited with status 3)", sp.PID) {
		t.Errorf("the box's wait narrated %s, want wait4 answering %d (exited with status 3)", waited, sp.PID)
	}
	buf := make([]byte, 10)
	n, _ := r.Read(buf)
	if string(buf[:n]) != "hi\n" || st.ExitStatus() != 3 {
		t.Fatalf("output %q status %d", buf[:n], st.ExitStatus())
	}
	sp, err = b.Spawn([]string{"/nonexistent/prog"}, nil, [3]*os.File{os.Stdin, os.Stdout, os.Stderr}, false)
	if err != nil || !sp.ExecFails || sp.Exec.ErrName() != "ENOENT" {
		t.Fatalf("exec of missing program: %v %+v", err, sp)
	}
	b.Wait(sp)
}
