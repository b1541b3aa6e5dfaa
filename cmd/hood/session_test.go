package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/procfs"
	"hood/internal/testenv"
)

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

// end ends hood, by SIGKILL or (kill false) by closing its input as a
// learner's Ctrl-D does, and waits until it and all it started are gone.
func (s *session) end(t *testing.T, kill bool) {
	t.Helper()
	if kill {
		_ = unix.Kill(s.hood.PID, unix.SIGKILL)
	} else {
		s.stdin.Close()
	}
	if _, err := s.wait(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}
