package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"hood/internal/testenv"
)

// fdLine is one line of `ls -l /proc/self/fd`: "... 3 -> /proc/42/fd".
var fdLine = regexp.MustCompile(`\s(\d+) -> (\S+)$`)

// TestProgramsSeeNoHoodFd runs `ls -l /proc/self/fd` in boxes (box1, a
// new box, one in a new PID and network namespace): the program must see
// its stdio and the directory it lists, never hood's control socket or any
// other descriptor of hood or the box (they are close-on-exec).
func TestProgramsSeeNoHoodFd(t *testing.T) {
	testenv.Root(t)
	s := startSession(t)
	defer s.end(t, false)
	for _, step := range []string{"", "box new fdcheck", "unshare pid --fork", "unshare net"} {
		var cmds []string
		if step != "" {
			cmds = append(cmds, step)
		}
		out := s.run(append(cmds, "run ls -l /proc/self/fd")...)
		var fds []string
		for _, l := range strings.Split(out, "\n") {
			if m := fdLine.FindStringSubmatch(l); m != nil {
				fds = append(fds, m[1])
				if strings.HasPrefix(m[2], "socket:") || strings.Contains(m[2], "hood") {
					t.Errorf("after %q the program sees hood's %s -> %s", step, m[1], m[2])
				}
			}
		}
		if strings.Join(fds, " ") != "0 1 2 3" {
			t.Errorf("after %q the program has descriptors %v, want 0 1 2 and 3 (the directory it lists):\n%s", step, fds, out)
		}
	}
}

// TestNoNamedControlSocket looks, while hood runs boxes in the host's and
// in a new network namespace, at every unix socket hood and its boxes
// hold: none has a filesystem path (another user could open that), none
// listens, and the abstract names there are only the lab net locks, which
// take nothing (internal/kernel/netdev TestLabNetSocketTakesNothing). The
// boxes' sockets are the unnamed socketpairs they were started with.
func TestNoNamedControlSocket(t *testing.T) {
	testenv.Root(t)
	s := startSession(t)
	defer s.end(t, false)
	// The net lab's text names its network: hood reserves one (the
	// @hood-labnet-172.22.N lock) to show it.
	s.run("lab start net", "box new sockcheck", "unshare net", "box new sockcheck2")
	unnamed := 0
	var locks []string
	procs := s.tree()
	// A socket is listed in the network namespace it was made in, which
	// for a box that unshared later is not its own: read them all.
	table := unixSockets(t, os.Getpid())
	for _, p := range procs {
		for ino, u := range unixSockets(t, p.PID) {
			table[ino] = u
		}
	}
	for _, p := range procs {
		for _, ino := range socketInodes(p.PID) {
			u, ok := table[ino]
			if !ok {
				continue // not a unix socket (netlink, a raw socket)
			}
			switch {
			case strings.HasPrefix(u.path, "/"):
				t.Errorf("%v holds unix socket %s with the path %s", p, ino, u.path)
			case u.flags&0x10000 != 0: // __SO_ACCEPTCON: listening
				t.Errorf("%v holds a listening unix socket %s %q", p, ino, u.path)
			case strings.HasPrefix(u.path, "@") && !strings.HasPrefix(u.path, "@hood-labnet-"):
				t.Errorf("%v holds an abstract unix socket %s", p, u.path)
			case strings.HasPrefix(u.path, "@"):
				locks = append(locks, u.path)
			case u.path == "":
				unnamed++
			}
		}
	}
	// hood's three boxes each hold their end, and hood its three.
	if unnamed < 6 {
		t.Errorf("found %d unnamed unix sockets in hood and its boxes, want at least 6 (each box's socketpair): the test did not see them", unnamed)
	}
	// The lock takes nothing another process sends it.
	if len(locks) != 1 {
		t.Fatalf("hood holds lab net locks %v, want one", locks)
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Sendto(fd, []byte("box new x"), 0, &unix.SockaddrUnix{Name: locks[0]}); !errors.Is(err, unix.EPIPE) {
		t.Errorf("a datagram sent to hood's %s: %v, want EPIPE", locks[0], err)
	}
}

// socketInodes lists the socket inodes among pid's descriptors.
func socketInodes(pid int) []string {
	dir := fmt.Sprintf("/proc/%d/fd", pid)
	ents, _ := os.ReadDir(dir)
	var out []string
	for _, e := range ents {
		l, err := os.Readlink(dir + "/" + e.Name())
		if ino, ok := strings.CutPrefix(l, "socket:["); err == nil && ok {
			out = append(out, strings.TrimSuffix(ino, "]"))
		}
	}
	sort.Strings(out)
	return out
}

type unixSocket struct {
	flags uint64
	path  string
}

// unixSockets reads /proc/PID/net/unix, the unix sockets of pid's network
// namespace:
//
//	Num       RefCount Protocol Flags    Type St Inode Path
//	0000...:  00000002 00000000 00010000 0001 01 12345 /run/x.sock
func unixSockets(t *testing.T, pid int) map[string]unixSocket {
	t.Helper()
	var data []byte
	var err error
	for try := 0; try < 3; try++ {
		if data, err = os.ReadFile(fmt.Sprintf("/proc/%d/net/unix", pid)); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if errors.Is(err, fs.ErrNotExist) && pid != os.Getpid() {
		return nil // a short-lived process of the session ended meanwhile
	}
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]unixSocket{}
	for _, l := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(l)
		if len(f) < 7 {
			continue
		}
		flags, _ := strconv.ParseUint(f[3], 16, 64)
		u := unixSocket{flags: flags}
		if len(f) > 7 {
			u.path = f[7]
		}
		out[f[6]] = u
	}
	return out
}
