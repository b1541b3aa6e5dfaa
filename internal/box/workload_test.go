package box

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/loop"
	"hood/internal/kernel/procfs"
	"hood/internal/testenv"
)

func TestParseSize(t *testing.T) {
	good := map[string]int64{
		"1": 1, "4096": 4096, "4K": 4 << 10, "4k": 4 << 10, "100M": 100 << 20, "1G": 1 << 30, "64G": 64 << 30, " 20M ": 20 << 20,
	}
	for in, want := range good {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "M", "0", "-1", "+5M", "1.5G", "65G", "68719476737", "10T", "10MB", "1e6", "9223372036854775807G"} {
		if n, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", bad, n)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{
		100: "100 bytes", 4096: "4 KiB", 20 << 20: "20 MiB", 3 << 29: "1.5 GiB", 1<<20 + 1: "1.0 MiB", 64 << 30: "64 GiB",
	} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestCheckWritePath(t *testing.T) {
	for _, bad := range []string{"/dev/sda", "/dev", "/proc/sys/vm/drop_caches", "/sys/fs/cgroup/x", "/tmp/../proc/x", "/dev/shm/x", ""} {
		if err := CheckWritePath(bad); err == nil {
			t.Errorf("CheckWritePath(%q) accepted", bad)
		}
	}
	if err := CheckWritePath("/proc/1"); !errors.Is(err, ErrSystemPath) {
		t.Errorf("CheckWritePath(/proc/1) = %v, want ErrSystemPath", err)
	}
	for _, ok := range []string{"/tmp/x", "/device", "/procfile", "out.bin", "/var/tmp/sys"} {
		if err := CheckWritePath(ok); err != nil {
			t.Errorf("CheckWritePath(%q) = %v", ok, err)
		}
	}
}

func TestWorkloadBounds(t *testing.T) {
	b := &Box{Name: "none", c: &conn{fd: -1}} // never reached: the bounds are checked first
	if _, err := b.Burn(0, 1, Stdio{}); err == nil {
		t.Error("burn 0 threads accepted")
	}
	if _, err := b.Burn(65, 1, Stdio{}); err == nil {
		t.Error("burn 65 threads accepted")
	}
	if _, err := b.Burn(1, 601, Stdio{}); err == nil {
		t.Error("burn 601 s accepted")
	}
	if _, err := b.Alloc(MaxSize+1, DefaultStep, 1, Stdio{}); err == nil {
		t.Error("alloc above 64G accepted")
	}
	if _, err := b.Alloc(1<<20, 100, 1, Stdio{}); err == nil {
		t.Error("alloc step below a page accepted")
	}
	if _, err := b.Forkbomb(MaxForks+1, Stdio{}); err == nil {
		t.Error("forkbomb above the hard cap accepted")
	}
	if _, err := b.Write("/tmp/x", 1000, true, Stdio{}); err == nil {
		t.Error("O_DIRECT write of a partial block accepted")
	}
	if _, err := b.Write("/proc/sys/vm/drop_caches", 4096, false, Stdio{}); !errors.Is(err, ErrSystemPath) {
		t.Errorf("write to /proc: %v", err)
	}
}

func startBox(t *testing.T, name string) *Box {
	t.Helper()
	requireRoot(t)
	b, err := Start(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Kill() })
	return b
}

func TestBurnKernel(t *testing.T) {
	b := startBox(t, "wburn")
	testenv.CPU(t) // it measures the share of a CPU it got
	r, err := b.Burn(1, 1, Stdio{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Finished() || r.Fork.Failed() || r.ExecFails {
		t.Fatalf("burn did not finish: %s %+v", r.How(), r.Values)
	}
	if r.Wall < 0.95 || r.Wall > 1.5 {
		t.Errorf("wall %.3f s, want about 1", r.Wall)
	}
	// A shared 2-CPU machine: tolerant bounds.
	if p := r.Percent(); p < 50 || p > 110 {
		t.Errorf("burn 1 thread got %.0f%% of a CPU, want about 100", p)
	}
	if r.NSPID != r.PID {
		t.Errorf("in the host's PID namespace NSPID %d should be PID %d", r.NSPID, r.PID)
	}
	if !strings.Contains(r.Waitpid.Result(), "exited with status 0") {
		t.Errorf("waitpid %+v", r.Waitpid)
	}
}

func TestAllocKernel(t *testing.T) {
	b := startBox(t, "walloc")
	out, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	r, err := b.Alloc(20<<20, 4<<20, 0, Stdio{Stdout: out})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Finished() || r.Touched != 20<<20 {
		t.Fatalf("alloc 20M: %s, touched %d", r.How(), r.Touched)
	}
	text, _ := os.ReadFile(out.Name())
	// 4+4+4+4+4: five steps, each reported to the learner.
	if got := strings.Count(string(text), "touched "); got != 5 || !strings.Contains(string(text), "touched 20 MiB") {
		t.Errorf("progress on stdout:\n%s", text)
	}
}

func TestAllocKilledReportsProgress(t *testing.T) {
	b := startBox(t, "wkill")
	// Kill it from outside once it has touched something: what it said
	// before the SIGKILL must still reach hood.
	done := make(chan struct{})
	go func() {
		defer close(done)
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			for _, pid := range procfs.Host.Descendants(b.PID) {
				cmd, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
				if strings.Contains(string(cmd), "alloc") {
					time.Sleep(300 * time.Millisecond)
					unix.Kill(pid, unix.SIGKILL)
					return
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	r, err := b.Alloc(8<<20, 4<<20, 30, Stdio{})
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if sig, ok := r.Signal(); !ok || sig != unix.SIGKILL {
		t.Fatalf("alloc ended %s, want killed by SIGKILL", r.How())
	}
	if r.Touched != 8<<20 {
		t.Errorf("touched %d before the kill, want %d", r.Touched, 8<<20)
	}
}

func TestForkbombKernel(t *testing.T) {
	b := startBox(t, "wbomb")
	r, err := b.Forkbomb(20, Stdio{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Finished() || r.Started != 20 || r.Reaped != 20 || r.Errno != 0 {
		t.Fatalf("forkbomb 20: %s, %+v", r.How(), r.Values)
	}
	if left := procfs.Host.Descendants(b.PID); len(left) != 0 {
		t.Errorf("processes left below the box: %v", left)
	}
}

func TestWriteKernel(t *testing.T) {
	b := startBox(t, "wwrite")
	path := filepath.Join(t.TempDir(), "data")
	r, err := b.Write(path, 8<<20, false, Stdio{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Finished() || r.Bytes != 8<<20 || r.Elapsed <= 0 || r.MBps() <= 0 {
		t.Fatalf("write 8M: %s, %+v", r.How(), r.Values)
	}
	if st, err := os.Stat(path); err != nil || st.Size() != 8<<20 {
		t.Fatalf("file after write: %v %v", st, err)
	}
	// Overwriting a regular file is allowed, a directory is refused.
	if r, err := b.Write(path, 1<<20, false, Stdio{}); err != nil || !r.Finished() || r.Bytes != 1<<20 {
		t.Fatalf("overwrite: %v %+v", err, r)
	}
	r, err = b.Write(filepath.Dir(path), 1<<20, false, Stdio{})
	if err != nil || r.Refused == "" || r.Bytes != 0 {
		t.Fatalf("write to a directory: %v %+v", err, r)
	}
	// Through a symbolic link into /proc: refused by the workload itself.
	link := filepath.Join(t.TempDir(), "p")
	if err := os.Symlink("/proc/self", link); err != nil {
		t.Fatal(err)
	}
	r, err = b.Write(filepath.Join(link, "comm"), 4096, false, Stdio{})
	if err != nil || !strings.Contains(r.Refused, "/proc") {
		t.Fatalf("write through a link into /proc: %v %+v", err, r)
	}
	// A dangling link is not followed to create its target.
	dangling := filepath.Join(filepath.Dir(link), "dangling")
	target := filepath.Join(filepath.Dir(link), "target")
	if err := os.Symlink(target, dangling); err != nil {
		t.Fatal(err)
	}
	r, err = b.Write(dangling, 4096, false, Stdio{})
	if err != nil || r.Failed == nil || r.Failed.ErrName() != "EEXIST" || !strings.Contains(r.Failed.Text(), "O_EXCL") {
		t.Fatalf("write through a dangling link: %v %+v", err, r)
	}
	if _, err := os.Lstat(target); err == nil {
		t.Fatalf("write created the dangling link's target %s", target)
	}
	r, err = b.Write(filepath.Join(t.TempDir(), "nodir", "x"), 4096, false, Stdio{})
	if err != nil || r.Failed == nil || r.Failed.ErrName() != "ENOENT" {
		t.Fatalf("write into a missing directory: %v %+v", err, r)
	}
}

func TestWriteDirectKernel(t *testing.T) {
	b := startBox(t, "wdirect")
	path := filepath.Join(t.TempDir(), "data")
	r, err := b.Write(path, 4<<20, true, Stdio{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Failed != nil && r.Failed.ErrName() == "EINVAL" {
		t.Skipf("%s does not do O_DIRECT: %s", filepath.Dir(path), r.Failed.Text())
	}
	if !r.Finished() || r.Bytes != 4<<20 {
		t.Fatalf("write --direct 4M: %s %+v", r.How(), r.Values)
	}
}

func TestWriteDeviceKernel(t *testing.T) {
	b := startBox(t, "wdev")
	d, _, err := loop.Attach(filepath.Join(t.TempDir(), "disk.img"), 16<<20)
	if err != nil {
		t.Skipf("no loop device: %v", err)
	}
	defer d.Close()
	if _, err := b.Write(d.Path, 4<<20, true, Stdio{}); !errors.Is(err, ErrSystemPath) {
		t.Fatalf("Write to %s: %v, want ErrSystemPath (only WriteDevice writes devices)", d.Path, err)
	}
	r, err := b.WriteDevice(d.Path, d.Major, d.Minor, 4<<20, true, Stdio{})
	if err != nil || !r.Finished() || r.Bytes != 4<<20 {
		t.Fatalf("WriteDevice 4M: %v %+v", err, r)
	}
	// Another device number, or more than the device holds: refused.
	if r, err := b.WriteDevice(d.Path, d.Major, d.Minor+1000, 4<<20, true, Stdio{}); err != nil || r.Refused == "" || r.Bytes != 0 {
		t.Fatalf("WriteDevice with the wrong MAJ:MIN: %v %+v", err, r)
	}
	if r, err := b.WriteDevice(d.Path, d.Major, d.Minor, 32<<20, false, Stdio{}); err != nil || !strings.Contains(r.Refused, "fewer than") {
		t.Fatalf("WriteDevice past the device's end: %v %+v", err, r)
	}
}
