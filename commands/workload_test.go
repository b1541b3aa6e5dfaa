package commands

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hood/internal/kernel/procfs"
	"hood/internal/result"
	"hood/internal/testenv"
)

func TestParseBurn(t *testing.T) {
	for _, c := range []struct {
		args             string
		threads, seconds int
	}{
		{"", 1, 5}, {"2", 2, 5}, {"--seconds 1", 1, 1}, {"64 --seconds=600", 64, 600}, {"--seconds 3 4", 4, 3},
	} {
		th, sec, err := parseBurn(strings.Fields(c.args))
		if err != nil || th != c.threads || sec != c.seconds {
			t.Errorf("parseBurn(%q) = %d, %d, %v; want %d, %d", c.args, th, sec, err, c.threads, c.seconds)
		}
	}
	for _, bad := range []string{"0", "65", "-1", "x", "1 2", "--seconds", "--seconds 0", "--seconds 601", "--seconds 1.5",
		"--seconds 1 --seconds 2", "--threads 2", "--seconds=", "1e3"} {
		if _, _, err := parseBurn(strings.Fields(bad)); !isUsage(err) {
			t.Errorf("parseBurn(%q): %v, want a usage error", bad, err)
		}
	}
}

func TestParseAlloc(t *testing.T) {
	for _, c := range []struct {
		args        string
		size, step  int64
		holdSeconds int
	}{
		{"100M", 100 << 20, 10 << 20, 1}, {"1G --step 100M --hold 0", 1 << 30, 100 << 20, 0},
		{"20m --step=4k", 20 << 20, 4 << 10, 1}, {"64G --hold 600", 64 << 30, 10 << 20, 600}, {"5M", 5 << 20, 10 << 20, 1},
	} {
		size, step, hold, err := parseAlloc(strings.Fields(c.args))
		if err != nil || size != c.size || step != c.step || hold != c.holdSeconds {
			t.Errorf("parseAlloc(%q) = %d, %d, %d, %v", c.args, size, step, hold, err)
		}
	}
	for _, bad := range []string{"", "0", "65G", "10T", "1.5G", "100M 200M", "100M --step 1K", "100M --step 65G",
		"100M --hold -1", "100M --hold 601", "100M --step", "-5M", "100M --size 1"} {
		if _, _, _, err := parseAlloc(strings.Fields(bad)); !isUsage(err) {
			t.Errorf("parseAlloc(%q): %v, want a usage error", bad, err)
		}
	}
}

func TestParseForkbomb(t *testing.T) {
	for args, want := range map[string]int{"": 200, "--max 20": 20, "--max=10000": 10000, "--max 1": 1} {
		if n, err := parseForkbomb(strings.Fields(args)); err != nil || n != want {
			t.Errorf("parseForkbomb(%q) = %d, %v; want %d", args, n, err, want)
		}
	}
	for _, bad := range []string{"20", "--max 0", "--max 10001", "--max -1", "--max lots", "--max", "--hard"} {
		if _, err := parseForkbomb(strings.Fields(bad)); !isUsage(err) {
			t.Errorf("parseForkbomb(%q): %v, want a usage error", bad, err)
		}
	}
}

func TestParseWrite(t *testing.T) {
	none := func(string) bool { return false }
	path, n, direct, err := parseWrite([]string{"/tmp/x", "8M", "--direct"}, none)
	if err != nil || path != "/tmp/x" || n != 8<<20 || !direct {
		t.Errorf("parseWrite = %q, %d, %v, %v", path, n, direct, err)
	}
	if _, n, direct, err := parseWrite([]string{"out", "100"}, none); err != nil || n != 100 || direct {
		t.Errorf("parseWrite(out 100) = %d, %v, %v", n, direct, err)
	}
	for _, bad := range [][]string{{}, {"/tmp/x"}, {"/tmp/x", "0"}, {"/tmp/x", "65G"}, {"/dev/sda", "1M"}, {"/proc/sys/vm/drop_caches", "1"},
		{"/sys/kernel/x", "1M"}, {"/tmp/x", "1000", "--direct"}, {"/tmp/x", "1M", "--direct=1"}, {"/tmp/x", "1M", "extra"}, {"", "1M"}} {
		if _, _, _, err := parseWrite(bad, none); !isUsage(err) {
			t.Errorf("parseWrite(%q): %v, want a usage error", bad, err)
		}
	}
	// A loop device hood made is the one thing under /dev write takes.
	loop := func(p string) bool { return p == "/dev/loop7" }
	if path, _, _, err := parseWrite([]string{"/dev/loop7", "4M", "--direct"}, loop); err != nil || path != "/dev/loop7" {
		t.Errorf("parseWrite of hood's loop device: %q %v", path, err)
	}
	if _, _, _, err := parseWrite([]string{"/dev/loop6", "4M"}, loop); !isUsage(err) {
		t.Errorf("parseWrite of another device: %v", err)
	}
}

func isUsage(err error) bool {
	var u *result.UsageError
	return errors.As(err, &u)
}

// Usage errors come before anything needs a box.
func TestWorkloadUsageWithoutBox(t *testing.T) {
	s := NewSession()
	for _, line := range []string{"burn 0", "alloc", "forkbomb --max 0", "write /dev/null 1M"} {
		words, _ := Split(line)
		if _, err := s.Exec(words[0]); !isUsage(err) {
			t.Errorf("%s: %v, want a usage error", line, err)
		}
	}
}

// workloadSession starts box1 with the workloads' output going nowhere.
func workloadSession(t *testing.T) *Session {
	t.Helper()
	requireRoot(t)
	s := NewSession()
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	s.Stdin, s.Stdout, s.Stderr = null, null, null
	if _, err := s.StartBox("box1"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		null.Close()
	})
	return s
}

func run1(t *testing.T, s *Session, line string) *result.Result {
	t.Helper()
	words, err := Split(line)
	if err != nil || len(words) != 1 {
		t.Fatalf("split %q: %v", line, err)
	}
	r, err := s.Exec(words[0])
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return r
}

func lineOf(r *result.Result, key string) string {
	for _, l := range r.Lines {
		if l.Key == key {
			return l.Value
		}
	}
	return ""
}

// waited checks the box's waitpid is narrated and the workload exited 0.
func waited(t *testing.T, r *result.Result) {
	t.Helper()
	for _, c := range r.Syscalls {
		if strings.HasPrefix(c.Text(), "wait4(") {
			if !strings.Contains(c.Result(), "exited with status 0") {
				t.Errorf("wait4 = %s", c.Result())
			}
			return
		}
	}
	t.Errorf("no waitpid narrated: %+v", r.Syscalls)
}

func TestBurnCommand(t *testing.T) {
	s := workloadSession(t)
	testenv.CPU(t)
	// A shared 2-CPU machine: one of five runs must land in range.
	var got []string
	for range 5 {
		r := run1(t, s, "burn 1 --seconds 1")
		waited(t, r)
		line := lineOf(r, "burned")
		var cpu, wall, pct float64
		if _, err := fmt.Sscanf(line, "%f s of CPU in %f s: %f%% of one CPU", &cpu, &wall, &pct); err != nil {
			t.Fatalf("burned line %q: %v", line, err)
		}
		if wall < 0.95 || wall > 1.5 {
			t.Errorf("wall %.2f s for --seconds 1", wall)
		}
		if pct >= 80 && pct <= 110 {
			return
		}
		got = append(got, line)
	}
	t.Errorf("burn 1 thread never got 80-110%% of a CPU: %q", got)
}

func TestAllocCommand(t *testing.T) {
	s := workloadSession(t)
	r := run1(t, s, "alloc 20M --step 5M --hold 0")
	waited(t, r)
	if got := lineOf(r, "touched"); !strings.HasPrefix(got, "20 MiB in steps of 5 MiB") {
		t.Errorf("touched %q", got)
	}
}

func TestForkbombCommand(t *testing.T) {
	s := workloadSession(t)
	r := run1(t, s, "forkbomb --max 20")
	waited(t, r)
	if got := lineOf(r, "started"); !strings.HasPrefix(got, "20 processes") {
		t.Errorf("started %q", got)
	}
	if got := lineOf(r, "left"); got != "nothing" {
		t.Errorf("left %q", got)
	}
	if left := procfs.Host.Descendants(s.Current.PID); len(left) != 0 {
		t.Errorf("processes below the box after forkbomb: %v", left)
	}
}

func TestWriteCommand(t *testing.T) {
	s := workloadSession(t)
	path := filepath.Join(t.TempDir(), "hood.data")
	r := run1(t, s, "write "+path+" 8M")
	waited(t, r)
	if got := lineOf(r, "wrote"); !strings.HasPrefix(got, "8 MiB (8388608 bytes) in ") || !strings.Contains(got, "MB/s") {
		t.Errorf("wrote %q", got)
	}
	if st, err := os.Stat(path); err != nil || st.Size() != 8<<20 {
		t.Errorf("%s after write: %v %v", path, st, err)
	}
	// A directory is not a regular file: refused, with the workload's reason.
	words, _ := Split("write " + filepath.Dir(path) + " 1M")
	if _, err := s.Exec(words[0]); !isUsage(err) || !strings.Contains(err.Error(), "directory") {
		t.Errorf("write to a directory: %v", err)
	}
	// A directory that does not exist: the kernel's ENOENT, explained.
	words, _ = Split("write " + filepath.Join(path+".d", "x") + " 1M")
	_, err := s.Exec(words[0])
	var ke *result.KernelError
	if !errors.As(err, &ke) || ke.ErrName != "ENOENT" || !strings.HasPrefix(ke.Call, "realpath(") {
		t.Errorf("write into a missing directory: %v", err)
	}
}

func TestWriteLoopDeviceCommand(t *testing.T) {
	s := workloadSession(t)
	words, _ := Split("loop new 16M")
	if _, err := s.Exec(words[0]); err != nil {
		t.Skipf("loop new: %v", err)
	}
	dev := s.Loops()[0].Path
	// Small: the device's backing file lives in a small tmpfs.
	r := run1(t, s, "write "+dev+" 512K --direct")
	waited(t, r)
	if got := lineOf(r, "wrote"); !strings.HasPrefix(got, "512 KiB (524288 bytes)") {
		t.Errorf("wrote %q", got)
	}
	var found bool
	for _, m := range s.Measures {
		if m.Key == "write.mib_per_s" && m.Value > 0 && m.Box == "box1" {
			found = true
		}
	}
	if !found {
		t.Errorf("no write.mib_per_s measured: %+v", s.Measures)
	}
	// Any other device stays out of reach.
	words, _ = Split("write /dev/loop-control 4K")
	if _, err := s.Exec(words[0]); !isUsage(err) {
		t.Errorf("write /dev/loop-control: %v", err)
	}
}
