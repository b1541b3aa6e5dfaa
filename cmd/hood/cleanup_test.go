package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/procfs"
	"hood/internal/testenv"
)

// These tests check that nothing a hood session started outlives it: boxes,
// their PID 1s, the programs they ran (daemons included), and so the
// namespaces those processes held.
//
// hood runs under hood-reaper, a child subreaper standing in for init: after
// hood dies its orphans are reparented to the reaper, which reaps them, so a
// zombie means "dead but not yet reaped", never "init does not reap" (PID 1
// of a container often does not). The reaper exits once it has no child
// left, that is once everything hood started is gone and reaped.

// requireRoot skips under -short, and unless root (testenv.Root).
func requireRoot(t *testing.T) {
	t.Helper()
	testenv.Root(t)
}

// hoodCommand runs this test binary as hood (TestMain dispatches on
// argv[0]), or as another of the commands TestMain knows.
func hoodCommand(t *testing.T, name string, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "NO_COLOR=") || strings.HasPrefix(kv, "HOOD_")
	})
	return &exec.Cmd{Path: exe, Args: append([]string{name}, args...), Env: env}
}

// reaperMain is hood-reaper: it becomes a child subreaper, starts hood with
// its own arguments and stdio, writes hood's PID on fd 3, reaps every child
// it gets until none is left and exits with hood's status (128+N for a
// signal, as a shell reports it).
func reaperMain() {
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "hood-reaper:", err)
		os.Exit(99)
	}
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		fail(err)
	}
	unix.CloseOnExec(3)
	// internal/box's constructor forked a first box in this process too,
	// as it does in every process of a binary that sets hood_prefork
	// (cmd/hood). The reaper has no use for it and would wait for it
	// forever: end it, and reap it, before hood starts.
	for _, pid := range procfs.Host.Descendants(os.Getpid()) {
		_ = unix.Kill(pid, unix.SIGKILL)
	}
	for {
		if _, err := unix.Wait4(-1, nil, 0, nil); err != nil && err != unix.EINTR {
			break
		}
	}
	exe, err := os.Executable()
	if err != nil {
		fail(err)
	}
	p, err := os.StartProcess(exe, append([]string{"hood"}, os.Args[1:]...),
		&os.ProcAttr{Files: []*os.File{os.Stdin, os.Stdout, os.Stderr}})
	if err != nil {
		fail(err)
	}
	fd3 := os.NewFile(3, "pidpipe")
	fmt.Fprintln(fd3, p.Pid)
	fd3.Close()
	status := 99
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil { // ECHILD: everything is reaped
			break
		}
		if pid == p.Pid {
			switch {
			case ws.Exited():
				status = ws.ExitStatus()
			case ws.Signaled():
				status = 128 + int(ws.Signal())
			}
		}
	}
	os.Exit(status)
}

// proc is one process, told apart from a later one with the same PID by its
// start time.
type proc struct {
	PID   int
	Start uint64
	Comm  string
}

func (p proc) String() string { return fmt.Sprintf("%d (%s)", p.PID, p.Comm) }

// readStat reads /proc/PID/stat:
//
//	4242 (comm) S 1 ...  field 3 state, 4 ppid, 22 starttime
func readStat(pid int) (state byte, start uint64, comm string, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, "", err
	}
	open, end := bytes.IndexByte(data, '('), bytes.LastIndexByte(data, ')')
	if open < 0 || end < 0 {
		return 0, 0, "", fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	f := strings.Fields(string(data[end+1:]))
	if len(f) < 20 {
		return 0, 0, "", fmt.Errorf("short /proc/%d/stat", pid)
	}
	start, err = strconv.ParseUint(f[19], 10, 64)
	return f[0][0], start, string(data[open+1 : end]), err
}

func procOf(pid int) (proc, bool) {
	_, start, comm, err := readStat(pid)
	if err != nil {
		return proc{}, false
	}
	return proc{pid, start, comm}, true
}

// gone: the process no longer exists and has been reaped. A zombie is not
// gone; a new process with the same PID means the old one is.
func (p proc) gone() bool {
	state, start, _, err := readStat(p.PID)
	return err != nil || start != p.Start || state == 'X'
}

// waitGone polls until every process is gone and returns those that are not.
func waitGone(procs []proc, timeout time.Duration) []proc {
	deadline := time.Now().Add(timeout)
	for {
		var left []proc
		for _, p := range procs {
			if !p.gone() {
				left = append(left, p)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// killLeft kills, by PID, processes this test started that are still there,
// so that a failing test leaves nothing behind.
func killLeft(procs []proc) {
	for _, p := range procs {
		if !p.gone() {
			_ = unix.Kill(p.PID, unix.SIGKILL)
		}
	}
}

// nsLinks reads /proc/PID/ns: link name -> "uts:[4026531838]".
func nsLinks(pid int) map[string]string {
	out := map[string]string{}
	entries, _ := os.ReadDir(fmt.Sprintf("/proc/%d/ns", pid))
	for _, e := range entries {
		if l, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, e.Name())); err == nil {
			out[e.Name()] = l
		}
	}
	return out
}

// session is hood under hood-reaper, driven through a pipe.
type session struct {
	t       *testing.T
	reaper  *exec.Cmd
	hood    proc
	stdin   io.WriteCloser
	lines   chan string
	out     []string // every stdout line so far
	stderr  *syncBuffer
	done    chan struct{} // closed when the reaper has exited
	started []proc        // everything below the reaper, for cleanup
}

// syncBuffer is hood's stderr, written by os/exec's copying goroutine
// while the test may read it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func startSession(t *testing.T) *session {
	t.Helper()
	s := &session{t: t, lines: make(chan string, 1024), stderr: &syncBuffer{}, done: make(chan struct{})}
	s.reaper = hoodCommand(t, "hood-reaper")
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	s.reaper.ExtraFiles = []*os.File{pw}
	s.reaper.Stderr = s.stderr
	if s.stdin, err = s.reaper.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := s.reaper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.reaper.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	go func() {
		_ = s.reaper.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		// Whatever happened, leave nothing behind: kill by PID what
		// this test started and is still there, then the reaper.
		killLeft(s.started)
		if s.hood.PID != 0 {
			killLeft([]proc{s.hood})
		}
		select {
		case <-s.done:
		default:
			_ = s.reaper.Process.Kill()
			<-s.done
		}
	})
	var pid int
	if _, err := fmt.Fscan(pr, &pid); err != nil {
		t.Fatalf("reading hood's PID from hood-reaper: %v (stderr: %s)", err, s.stderr)
	}
	pr.Close()
	p, ok := procOf(pid)
	if !ok {
		t.Fatalf("hood (PID %d) is not running; stderr: %s", pid, s.stderr)
	}
	s.hood = p
	return s
}

// run sends command lines to hood and returns its stdout up to a marker
// line echoed after them, so that every command has completed.
func (s *session) run(cmds ...string) string {
	s.t.Helper()
	marker := fmt.Sprintf("hood-test-marker-%d", len(s.out))
	in := strings.Join(cmds, "\n") + "\nrun echo " + marker + "\n"
	if _, err := io.WriteString(s.stdin, in); err != nil {
		s.t.Fatalf("writing to hood: %v", err)
	}
	var got []string
	timeout := time.After(15 * time.Second)
	for {
		select {
		case l, ok := <-s.lines:
			if !ok {
				s.t.Fatalf("hood's output ended before %s; stdout:\n%s\nstderr:\n%s", marker, strings.Join(got, "\n"), s.stderr)
			}
			s.out = append(s.out, l)
			if l == marker {
				return strings.Join(got, "\n")
			}
			got = append(got, l)
		case <-timeout:
			s.t.Fatalf("no %s from hood; stdout:\n%s\nstderr:\n%s", marker, strings.Join(got, "\n"), s.stderr)
		}
	}
}

// tree lists every process below hood-reaper now (hood first), and
// remembers them for cleanup.
func (s *session) tree() []proc {
	var out []proc
	for _, pid := range procfs.Host.Descendants(s.reaper.Process.Pid) {
		if p, ok := procOf(pid); ok {
			out = append(out, p)
		}
	}
	s.started = append(s.started, out...)
	return out
}

// wait waits for hood-reaper to exit: hood is gone and so is everything it
// started, reaped. It returns hood's exit status.
func (s *session) wait(timeout time.Duration) (int, error) {
	select {
	case <-s.done:
		return s.reaper.ProcessState.ExitCode(), nil
	case <-time.After(timeout):
		return -1, fmt.Errorf("hood-reaper still has children %v after hood was told to end", timeout)
	}
}

var (
	pid1Line  = regexp.MustCompile(`(?m)^  PID 1 +(\d+) on the host is 1 in the new namespace`)
	daemonCmd = `run sh -c "sleep 987654 > /dev/null 2>&1 < /dev/null &"`
)

// boxPIDs parses the JSON that box ls --json printed at the end of out.
func boxPIDs(t *testing.T, out string) map[string]int {
	t.Helper()
	out = "\n" + out
	i := strings.LastIndex(out, "\n{\n")
	if i < 0 {
		t.Fatalf("no JSON in:\n%s", out)
	}
	var v struct {
		Boxes []struct {
			Name string `json:"name"`
			PID  int    `json:"pid"`
		} `json:"boxes"`
	}
	if err := json.Unmarshal([]byte(out[i:]), &v); err != nil {
		t.Fatalf("box ls --json: %v in:\n%s", err, out[i:])
	}
	m := map[string]int{}
	for _, b := range v.Boxes {
		m[b.Name] = b.PID
	}
	return m
}

func TestCleanupOnExit(t *testing.T) {
	requireRoot(t)
	for _, mode := range []struct {
		name   string
		sig    unix.Signal // 0: close hood's stdin
		status int         // hood's exit status
		daemon bool
	}{
		// A daemon in the host's PID namespace is killed by hood when it
		// closes the box; after a SIGKILL of hood nothing can (doc.go), so
		// that case leaves it out.
		{"stdin EOF", 0, 0, true},
		{"SIGTERM", unix.SIGTERM, 128 + int(unix.SIGTERM), true},
		{"SIGINT", unix.SIGINT, 128 + int(unix.SIGINT), true},
		{"SIGHUP", unix.SIGHUP, 128 + int(unix.SIGHUP), true},
		{"SIGKILL", unix.SIGKILL, 128 + int(unix.SIGKILL), false},
	} {
		t.Run(mode.name, func(t *testing.T) {
			s := startSession(t)
			var cmds []string
			if mode.daemon {
				cmds = append(cmds, daemonCmd) // box1, host PID namespace
			}
			cmds = append(cmds,
				"box new box2",
				"unshare uts net ipc",
				"unshare pid --fork",
				daemonCmd, // under box2's PID 1
				"box ls --json")
			out := s.run(cmds...)
			boxes := boxPIDs(t, out)
			m := pid1Line.FindStringSubmatch(out)
			if len(boxes) != 2 || boxes["box1"] == 0 || boxes["box2"] == 0 || m == nil {
				t.Fatalf("want box1, box2 and box2's PID 1; got boxes %v in:\n%s", boxes, out)
			}
			pid1, _ := strconv.Atoi(m[1])
			show := s.run("box show box2")
			if !strings.Contains(show, fmt.Sprintf("  process  %d ", pid1)) {
				t.Errorf("box show box2 does not list its PID 1 %d:\n%s", pid1, show)
			}

			procs := s.tree()
			byPID := map[int]proc{}
			sleeps := 0
			for _, p := range procs {
				byPID[p.PID] = p
				if p.Comm == "sleep" {
					sleeps++
				}
			}
			for _, pid := range []int{s.hood.PID, boxes["box1"], boxes["box2"], pid1} {
				if _, ok := byPID[pid]; !ok {
					t.Fatalf("PID %d is not below hood-reaper: %v", pid, procs)
				}
			}
			wantSleeps := 1
			if mode.daemon {
				wantSleeps = 2
			}
			if sleeps != wantSleeps {
				t.Fatalf("%d daemons (sleep) below hood, want %d: %v", sleeps, wantSleeps, procs)
			}

			// The namespaces the session made: those its processes hold
			// that this test process (in the host's) does not.
			mine := map[string]bool{}
			for _, l := range nsLinks(os.Getpid()) {
				mine[l] = true
			}
			created := map[string]bool{}
			for _, p := range procs {
				for _, l := range nsLinks(p.PID) {
					if !mine[l] {
						created[l] = true
					}
				}
			}
			for _, typ := range []string{"uts", "net", "ipc", "pid"} {
				found := false
				for l := range created {
					found = found || strings.HasPrefix(l, typ+":[")
				}
				if !found {
					t.Fatalf("no %s namespace of the session's found; have %v", typ, created)
				}
			}

			var err error
			if mode.sig == 0 {
				err = s.stdin.Close() // EOF: line mode ends
			} else {
				err = unix.Kill(s.hood.PID, mode.sig)
			}
			if err != nil {
				t.Fatal(err)
			}

			status, werr := s.wait(5 * time.Second)
			if left := waitGone(procs, time.Second); len(left) > 0 {
				t.Errorf("still there (or not reaped) after hood ended: %v", describe(left))
			}
			if werr != nil {
				t.Fatal(werr)
			}
			if status != mode.status {
				t.Errorf("hood exited with status %d, want %d; stderr:\n%s", status, mode.status, s.stderr)
			}
			if mode.sig != 0 && mode.sig != unix.SIGKILL {
				if !strings.Contains(s.stderr.String(), "boxes killed, exiting") {
					t.Errorf("stderr does not say the boxes were killed:\n%s", s.stderr)
				}
			}
			if held := holders(created, s.hood); len(held) > 0 {
				t.Errorf("namespaces of the session still held after hood ended: %v", held)
			}
		})
	}
}

// TestRunChildDiesWithHood: a program hood is waiting for (`run sleep`)
// does not outlive hood, even when hood is killed with SIGKILL and cannot
// clean up.
func TestRunChildDiesWithHood(t *testing.T) {
	requireRoot(t)
	for _, tc := range []struct {
		name  string
		setup []string
		sig   unix.Signal
	}{
		{"SIGKILL", nil, unix.SIGKILL},
		{"SIGKILL in a PID namespace", []string{"unshare pid --fork"}, unix.SIGKILL},
		{"SIGTERM", nil, unix.SIGTERM},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startSession(t)
			out := s.run(append(tc.setup, "box ls --json")...)
			box1 := boxPIDs(t, out)["box1"]
			if box1 == 0 {
				t.Fatalf("no box1 in:\n%s", out)
			}
			if _, err := io.WriteString(s.stdin, "run sleep 1000\n"); err != nil {
				t.Fatal(err)
			}
			// hood prints nothing until sleep ends: find it under box1.
			var sleep proc
			deadline := time.Now().Add(5 * time.Second)
			for sleep.PID == 0 && time.Now().Before(deadline) {
				for _, pid := range procfs.Host.Descendants(box1) {
					if p, ok := procOf(pid); ok && p.Comm == "sleep" {
						sleep = p
					}
				}
				time.Sleep(10 * time.Millisecond)
			}
			procs := s.tree()
			if sleep.PID == 0 {
				t.Fatalf("no sleep below box1 (PID %d): %v", box1, procs)
			}
			if err := unix.Kill(s.hood.PID, tc.sig); err != nil {
				t.Fatal(err)
			}
			_, werr := s.wait(5 * time.Second)
			if left := waitGone([]proc{sleep}, time.Second); len(left) > 0 {
				t.Errorf("run's sleep %v outlived hood", describe(left))
			}
			if left := waitGone(procs, time.Second); len(left) > 0 {
				t.Errorf("still there after hood ended: %v", describe(left))
			}
			if werr != nil {
				t.Error(werr)
			}
		})
	}
}

// holders lists the processes that still hold one of the namespaces, as
// lsns finds them: by reading every /proc/PID/ns link. The kernel hands a
// freed namespace's inode number to the next new namespace, and this
// machine is shared, so a holder counts only if it cannot be someone
// else's: it runs this test binary or is one of our sleeps, and started
// after hood did.
func holders(namespaces map[string]bool, hood proc) []string {
	exe, _ := os.Executable()
	var out []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		for _, l := range nsLinks(pid) {
			if !namespaces[l] {
				continue
			}
			p, ok := procOf(pid)
			if !ok || p.Start < hood.Start {
				continue
			}
			pexe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
			cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			if pexe == exe || bytes.Contains(cmdline, []byte("987654")) {
				out = append(out, fmt.Sprintf("%s held by %s", l, describe([]proc{p})))
			}
		}
	}
	return out
}

func describe(ps []proc) string {
	var out []string
	for _, p := range ps {
		state, _, _, err := readStat(p.PID)
		st := "gone"
		if err == nil {
			st = "state " + string(state)
		}
		out = append(out, fmt.Sprintf("%s %s", p, st))
	}
	return strings.Join(out, ", ")
}
