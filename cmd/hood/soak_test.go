package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"hood/internal/journal"
	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/netdev"
	"hood/internal/testenv"
)

var soakN = flag.Int("soak", 24, "sessions in TestSoak (make soak runs 200)")

// TestSoak runs randomised hood sessions (boxes, unshares of every type,
// cgroups with limits, workloads, veths with addresses, mounts, pins, loop
// devices, root filesystems), a third of them ended by SIGKILL at a random
// moment and followed by hood cleanup, the others by Ctrl-D, SIGTERM,
// SIGHUP or SIGINT, two at a time. Afterwards the host is as it was in
// everything that could be these hoods' (other hoods on the machine are
// left out by their marks), no process of theirs is left and their state
// directory holds no journal.
func TestSoak(t *testing.T) {
	requireRoot(t)
	testenv.CPU(t) // it measures nothing, but loads both CPUs
	state := t.TempDir()
	old, had := os.LookupEnv("XDG_STATE_HOME")
	os.Setenv("XDG_STATE_HOME", state)
	defer func() {
		if had {
			os.Setenv("XDG_STATE_HOME", old)
		} else {
			os.Unsetenv("XDG_STATE_HOME")
		}
	}()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d, %d sessions", seed, *soakN)
	tag := fmt.Sprintf("hs%d", os.Getpid()%1000)
	ours := &soakOurs{tag: tag}
	before := soakHost(ours)
	var mu sync.Mutex
	ended := map[string]int{}
	t.Run("sessions", func(t *testing.T) {
		for i := range *soakN {
			rng := rand.New(rand.NewPCG(seed, uint64(i)))
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				t0 := time.Now()
				how := soakSession(t, rng, i, ours)
				t.Logf("ended by %s after %v", how, time.Since(t0).Round(time.Millisecond))
				mu.Lock()
				ended[how]++
				mu.Unlock()
			})
		}
	})
	t.Logf("sessions ended by: %v", ended)
	t0 := time.Now()
	var after soakState
	defer func() { t.Logf("the host settled in %v", time.Since(t0).Round(time.Millisecond)) }()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		after = soakHost(ours)
		if before.equal(after) || time.Now().After(deadline) {
			break
		}
	}
	if !before.equal(after) {
		t.Logf("not settled: %+v", before.what(after))
	}
	before.diff(t, after)
	if ents, _ := os.ReadDir(filepath.Join(state, "hood", "journal")); len(ents) > 0 {
		t.Errorf("journals left in the state directory: %v", ents)
	}
}

// soakOurs is what the soak's hoods are: names with tag, their tokens,
// the loop devices their journals named.
type soakOurs struct {
	tag    string
	mu     sync.Mutex
	tokens []string
	loops  []journal.Entry
}

func (o *soakOurs) add(tok string, loops []journal.Entry) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if tok != "" {
		o.tokens = append(o.tokens, tok)
	}
	o.loops = append(o.loops, loops...)
}

func (o *soakOurs) ourMark(alias string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Contains(o.tokens, netdev.Owner(alias))
}

// soakSession runs one session and says how it ended.
func soakSession(t *testing.T, rng *rand.Rand, i int, ours *soakOurs) string {
	prefix, hold, err := netdev.ReserveLabNet(nil, nil)
	if err != nil {
		t.Skip(err)
	}
	defer hold.Close()
	lines := soakScript(rng, i, ours.tag, prefix)
	t.Logf("%q", lines)
	s := startSession(t)
	tok := cgroup.Token(s.hood.PID)
	ours.add(tok, nil)
	kill := rng.IntN(3) == 0
	marker := fmt.Sprintf("soak-done-%d", i)
	if _, err := io.WriteString(s.stdin, strings.Join(lines, "\n")+"\nrun echo "+marker+"\n"); err != nil {
		t.Fatal(err)
	}
	how := ""
	if kill {
		time.Sleep(time.Duration(rng.IntN(2500)) * time.Millisecond)
		ours.add("", journalLoops(s.hood.PID))
		_ = unix.Kill(s.hood.PID, unix.SIGKILL)
		for t0 := time.Now(); !s.hood.gone() && time.Since(t0) < 5*time.Second; time.Sleep(10 * time.Millisecond) {
		}
		res, err := hoodCommand(t, "hood", "cleanup").CombinedOutput()
		if err != nil {
			t.Errorf("hood cleanup: %v\n%s", err, res)
		}
		how = "SIGKILL"
	} else {
		if !waitLine(s, marker, 60*time.Second) {
			t.Logf("a command failed, hood stopped there: %s", lastLines(s.stderr.String(), 3))
		}
		ours.add("", journalLoops(s.hood.PID))
		switch rng.IntN(4) {
		case 0:
			s.stdin.Close()
			how = "end of input"
		case 1:
			_ = unix.Kill(s.hood.PID, unix.SIGTERM)
			how = "SIGTERM"
		case 2:
			_ = unix.Kill(s.hood.PID, unix.SIGHUP)
			how = "SIGHUP"
		case 3:
			_ = unix.Kill(s.hood.PID, unix.SIGINT)
			how = "SIGINT"
		}
	}
	if _, err := s.wait(20 * time.Second); err != nil {
		t.Errorf("session %d (%q, ended by %s): %v: %v", i, lines, how, err, describe(s.tree()))
	}
	return how
}

// waitLine waits for line on hood's stdout, or for hood to end (a command
// failed: line mode stops there).
func waitLine(s *session, line string, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-s.lines:
			if !ok || l == line {
				return ok
			}
		case <-deadline:
			s.t.Errorf("no %q from hood in %v; stderr:\n%s", line, timeout, s.stderr)
			return false
		}
	}
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(l[max(0, len(l)-n):], " | ")
}

// journalLoops are the loop devices hood pid's journal names now.
func journalLoops(pid int) []journal.Entry {
	dir, err := journal.Dir()
	if err != nil {
		return nil
	}
	paths, _ := filepath.Glob(filepath.Join(dir, fmt.Sprintf("hood-%d-*", pid)))
	var out []journal.Entry
	for _, p := range paths {
		data, _ := os.ReadFile(p)
		if j, err := journal.Parse(data); err == nil {
			for _, e := range j.Pending {
				if e.Kind == journal.Loop {
					out = append(out, e)
				}
			}
		}
	}
	return out
}

// soakScript is one session's commands: a random choice and order of
// pieces, each a few lines that belong together.
func soakScript(rng *rand.Rand, i int, tag, prefix string) []string {
	veth, ns := fmt.Sprintf("%s%d", tag, i), fmt.Sprintf("%sn%d", tag, i)
	pieces := [][]string{
		{"unshare uts", fmt.Sprintf("hostname soak%d", i)},
		{"unshare ipc"},
		{"unshare mnt", "mount -t tmpfs none /mnt"},
		{"unshare cgroup"},
		{"unshare time"},
		{"unshare net", "net veth " + veth + " eth1", "net addr " + veth + " " + prefix + ".1/24 --host",
			"net addr eth1 " + prefix + ".2/24", "net up " + veth + " --host", "net up eth1", "ping " + prefix + ".1 -c 1",
			"net ns add " + ns},
		{"cgroup set pids.max 64", "forkbomb --max 20"},
		{"cgroup set memory.max 64M", "alloc 8M"},
		{"burn 1 --seconds 1"},
		{"ns pin box1 uts"},
		{"loop new"},
		{"box new b2", "unshare uts ipc", "box use box1"},
		{"cgroup new soak", "cgroup set soak pids.max 10"},
	}
	rng.Shuffle(len(pieces), func(a, b int) { pieces[a], pieces[b] = pieces[b], pieces[a] })
	var out []string
	for _, p := range pieces[:3+rng.IntN(len(pieces)-3)] {
		out = append(out, p...)
	}
	if rng.IntN(5) == 0 {
		out = append(out, fmt.Sprintf("rootfs make sk%d", i), fmt.Sprintf("rootfs rm sk%d", i))
	}
	// Types that change what later commands can do go last.
	switch rng.IntN(3) {
	case 0:
		out = append(out, "unshare pid --fork")
	case 1:
		out = append(out, "unshare user --map-root")
	}
	return out
}
