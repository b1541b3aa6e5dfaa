package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/procfs"
)

// These tests check that nothing a hood session started outlives it: boxes,
// their PID 1s, the programs they ran (daemons included), and so the
// namespaces those processes held.

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
