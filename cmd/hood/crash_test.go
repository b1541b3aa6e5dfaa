package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"hood/internal/journal"
	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/loop"
	"hood/internal/kernel/netdev"
	"hood/internal/kernel/netns"
)

// stillThere says whether a journaled thing is on the host, whoever's it
// is now (the shared hood/ cgroup parents are not counted: other hoods'
// groups may be in them).
func stillThere(e journal.Entry) bool {
	switch e.Kind {
	case journal.Cgroup:
		// The same directory, not another hood's box1 made there since
		// (tests of other packages run hoods at the same time).
		id := journal.InodeOf(e.What)
		return id != "" && (e.ID == "" || id == e.ID) && !isParent(e)
	case journal.Veth:
		_, ok := netdev.HostAlias("/proc", e.What)
		return ok
	case journal.Netns:
		_, err := os.Lstat(netns.Path(e.What))
		return err == nil
	case journal.Loop:
		dev, backing, _ := strings.Cut(e.What, " ")
		b := loop.Backing(dev)
		return b != "" && filepath.Base(b) == filepath.Base(backing)
	case journal.Runc:
		root, id, _ := strings.Cut(e.What, " ")
		_, err := os.Lstat(filepath.Join(root, id))
		return err == nil
	case journal.Pins:
		return !cgroup.Gone(e.What)
	default:
		_, err := os.Lstat(e.What)
		return err == nil
	}
}

// readJournal is the journal of the running hood pid under state, with
// what it has made so far.
func readJournal(t *testing.T, state string, pid int) *journal.Journal {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(state, "hood", "journal", fmt.Sprintf("hood-%d-*", pid)))
	if len(paths) != 1 {
		t.Fatalf("want one journal of hood %d under %s, found %v", pid, state, paths)
	}
	data, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	j, err := journal.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// leftAfter waits a moment for what hood made to go (a loop device
// detaches when its last holder closes it) and returns what is still there.
func leftAfter(made []journal.Entry) []journal.Entry {
	var left []journal.Entry
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		left = left[:0]
		for _, e := range made {
			if stillThere(e) {
				left = append(left, e)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
	}
}

// However hood is left, on a terminal (exit, Ctrl-D, SIGTERM, the
// terminal closed: SIGHUP, Ctrl-C in a script), everything its journal
// names is gone from the host afterwards, and so is the journal.
func TestLeavingLeavesNothing(t *testing.T) {
	requireRoot(t)
	tag := os.Getpid() % 10000
	for i, leave := range []struct {
		name   string
		script bool   // hood -c on the terminal (cooked), not the prompt
		keys   string // typed to leave
		sig    syscall.Signal
		hangup bool // the terminal is closed
	}{
		{name: "exit", keys: "exit\r"},
		{name: "Ctrl-D", keys: "\x04"},
		{name: "SIGTERM", sig: syscall.SIGTERM},
		{name: "SIGHUP, terminal closed", hangup: true},
		{name: "Ctrl-C in a script", script: true, keys: "\x03"},
	} {
		t.Run(leave.name, func(t *testing.T) {
			state := t.TempDir()
			veth, ns := fmt.Sprintf("hzc%d%d", tag, i), fmt.Sprintf("hood-crash-%d-%d", tag, i)
			makes := []string{"cgroup set pids.max 20", "unshare net", "net veth " + veth + " eth1", "net ns add " + ns, "loop new", "ns pin box1 uts"}
			ptmx, tty, err := pty.Open()
			if err != nil {
				t.Skipf("no pseudo-terminal: %v", err)
			}
			// pty.Open made ptmx blocking (its Fd() for the ioctls); a
			// reader blocked in read(2) would hold the terminal open and
			// closing it would hang nothing up. A non-blocking copy goes
			// through Go's poller, whose Close ends the read.
			fd, err := unix.FcntlInt(ptmx.Fd(), unix.F_DUPFD_CLOEXEC, 0)
			if err != nil {
				t.Fatal(err)
			}
			ptmx.Close()
			if err := unix.SetNonblock(fd, true); err != nil {
				t.Fatal(err)
			}
			ptmx = os.NewFile(uintptr(fd), "/dev/ptmx")
			defer ptmx.Close()
			// The size is set through tty: ptmx.Fd() would make ptmx
			// blocking, and closing it (the hangup) would then wait for
			// the reader's read to end, for ever.
			if err := pty.Setsize(tty, &pty.Winsize{Rows: 50, Cols: 200}); err != nil {
				t.Fatal(err)
			}
			var args []string
			if leave.script {
				args = []string{"-c", strings.Join(append(makes, "run sleep 30"), "; ")}
			}
			cmd := hoodCommand(t, "hood", args...)
			cmd.Env = append(cmd.Env, "TERM=xterm", "XDG_STATE_HOME="+state, "SUDO_USER=")
			cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			tty.Close()
			exited := make(chan struct{})
			go func() { _ = cmd.Wait(); close(exited) }()
			t.Cleanup(func() {
				select {
				case <-exited:
				default:
					_ = cmd.Process.Kill()
					<-exited
				}
			})
			c := &console{t: t, ptmx: ptmx}
			go c.read()
			if leave.script {
				c.expect(`LOOP_SET_STATUS64`)
				time.Sleep(time.Second) // run sleep 30 is running

			} else {
				c.expect(promptRE)
				for _, line := range makes {
					c.type_(line, "\r")
					c.expect(promptRE)
				}
			}
			j := readJournal(t, state, cmd.Process.Pid)
			kinds := map[string]bool{}
			var made []journal.Entry
			for _, e := range j.Pending {
				kinds[e.Kind] = true
				if !isParent(e) {
					made = append(made, e)
				}
			}
			for _, k := range []string{journal.Cgroup, journal.Veth, journal.Netns, journal.Loop, journal.Pins} {
				if !kinds[k] {
					t.Fatalf("the journal names no %s after %q:\n%+v\nthe terminal shows:\n%s", k, makes, j.Pending, c)
				}
			}
			if left := leftAfter(made); len(left) != len(made) {
				t.Fatalf("journaled but not there while hood runs: %v; there: %v", made, left)
			}
			switch {
			case leave.keys != "":
				c.type_(leave.keys)
			case leave.sig != 0:
				_ = cmd.Process.Signal(leave.sig)
			case leave.hangup:
				ptmx.Close()
			}
			select {
			case <-exited:
			case <-time.After(15 * time.Second):
				t.Fatalf("hood did not exit; the terminal shows:\n%s", c)
			}
			if left := leftAfter(made); len(left) > 0 {
				t.Errorf("left on the host after %s: %v", leave.name, left)
			}
			if ents, _ := os.ReadDir(filepath.Join(state, "hood", "journal")); len(ents) > 0 {
				t.Errorf("the journal is still there after %s: %v", leave.name, ents)
			}
		})
	}
}

// After a SIGKILL what hood made stays; hood cleanup --dry-run names it in
// one paragraph and removes nothing; the next hood's start names it again
// and removes it, and the dead hood's journal with it.
func TestSIGKILLLeftoversNamedAndRemoved(t *testing.T) {
	requireRoot(t)
	state := t.TempDir()
	tag := os.Getpid() % 10000
	veth, ns := fmt.Sprintf("hzk%d", tag), fmt.Sprintf("hood-kill-%d", tag)
	env := []string{"XDG_STATE_HOME=" + state, "SUDO_USER="}
	cmd := hoodCommand(t, "hood")
	cmd.Env = append(cmd.Env, env...)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	fmt.Fprintf(in, "box new b2\ncgroup set pids.max 20\nunshare net\nnet veth %s eth1\nnet ns add %s\nrun echo ready-%d\n", veth, ns, tag)
	for deadline := time.Now().Add(15 * time.Second); !strings.Contains(out.String(), fmt.Sprintf("ready-%d\n", tag)); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("hood did not get through the commands:\n%s", out)
		}
	}
	j := readJournal(t, state, cmd.Process.Pid)
	var made []journal.Entry
	for _, e := range j.Pending {
		if !isParent(e) {
			made = append(made, e)
		}
	}
	// While hood runs, cleanup leaves all of it alone and names none of it.
	live := hoodCommand(t, "hood", "cleanup")
	live.Env = append(live.Env, env...)
	if res, err := live.CombinedOutput(); err != nil || strings.Contains(string(res), fmt.Sprint(cmd.Process.Pid)) {
		t.Fatalf("hood cleanup beside a running hood: %v\n%s", err, res)
	}
	if left := leftAfter(made); len(left) != len(made) {
		t.Fatalf("hood cleanup took a running hood's things: %v of %v left", left, made)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	for _, e := range made {
		if e.Kind != journal.Loop && !stillThere(e) {
			t.Fatalf("%v went with hood's SIGKILL: the test proves nothing", e)
		}
	}
	para := fmt.Sprintf(`hood %d \(started \d\d:\d\d, gone\) left 1 cgroup, 1 veth end and a /run/netns name; `, cmd.Process.Pid)
	dry := hoodCommand(t, "hood", "cleanup", "--dry-run")
	dry.Env = append(dry.Env, env...)
	res, err := dry.CombinedOutput()
	if err != nil || !regexp.MustCompile(`(?m)^`+para+`not removed \(--dry-run\)`).Match(res) {
		t.Fatalf("hood cleanup --dry-run: %v\n%s\nwant a line matching %s", err, res, para)
	}
	if left := leftAfter(made); len(left) != len(made) {
		t.Fatalf("--dry-run removed something: %v of %v left", left, made)
	}
	next := hoodCommand(t, "hood", "-c", "box ls")
	next.Env = append(next.Env, env...)
	res, err = next.CombinedOutput()
	if err != nil || !regexp.MustCompile(`(?m)^hood: `+para+`removed\.$`).Match(res) {
		t.Fatalf("the next hood: %v\n%s\nwant a line matching %s", err, res, para)
	}
	if left := leftAfter(made); len(left) > 0 {
		t.Errorf("left after the next start: %v", left)
	}
	if ents, _ := os.ReadDir(filepath.Join(state, "hood", "journal")); len(ents) > 0 {
		t.Errorf("journals left: %v", ents)
	}
}
