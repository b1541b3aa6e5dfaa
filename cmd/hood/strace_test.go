package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"hood/internal/kernel/call"
	"hood/internal/kernel/netdev"
	"hood/internal/testenv"
)

// The narration is the kernel's own answer: hood runs under strace -f, every
// call it narrates (HOOD_CALL_LOG) must be among the calls strace saw the
// process it names make, with the same arguments and return value. Every
// lab's reference solution runs, then sessions of the commands the labs do
// not reach. A command added later is held to this by adding it here.

// traceSet is what strace traces: every call hood narrates, and the clones
// that say which thread belongs to which process.
var traceSet = []string{"getxattr", "fsetxattr", "fremovexattr", "clone", "clone3", "fork", "vfork", "execve", "execveat", "unshare", "setns",
	"sethostname", "mount", "umount2", "openat", "write", "close", "mkdirat", "unlinkat", "kill", "ioctl",
	"wait4", "setgroups", "setresuid", "setresgid", "ftruncate", "mmap", "fsync",
	"open_tree", "move_mount", "pidfd_open", "pidfd_getfd", "socket", "sendmsg", "sendto",
	"chroot", "chdir", "fchdir", "pivot_root",
	"capset", "prctl",
	// ping's raw socket; the acks of rtnetlink requests (strace_rtnetlink_test.go)
	"setsockopt", "recvfrom", "recvmsg",
	"prctl", "seccomp",
	"bpf",
	// the paths hood writes in its own directories (internal/kernel/call/own.go)
	"openat2"}

// straceSessions are hood runs beyond the labs.
var straceSessions = [][]string{
	{"lab", "--check-all"},
	{"-c", "box new web --uid 1000; box kill web; box new b2; unshare user --map-users 0:10000:2000 --map-groups 0:10000:2000; run id -u; box kill b2"},
	{"-c", "unshare uts; hostname strace; unshare mnt; mount -t tmpfs none /mnt; ns pin box1 uts; ns unpin box1 uts; ns info box1 uts"},
	{"-c", "cgroup set pids.max 20; cgroup get pids.max; loop new; cgroup new web; cgroup rm web"},
	{"-c", "unshare mnt; mount -o ro --bind /etc /mnt; umount /mnt"},
	{"-c", "devices deny 'c 1:3 rw'; devices ls; devices allow 'c 1:3 rw'; devices deny a; devices allow c 1:3 rw; devices ls; run cat /dev/null"},
	{"-c", "unshare pid --fork --mount-proc; kill 1 KILL; kill 1 TERM; run /nonexistent/program"},
	{"-c", "unshare net; ping 172.22.9.1 -c 1"},
	{"-c", "unshare net; net veth hzs0 veth1; net rename veth1 eth0; net addr hzs0 172.22.9.1/24 --host; net addr eth0 172.22.9.2/24; net up hzs0 --host; net up eth0; net route default via 172.22.9.1; net route add 172.22.8.0/24 dev eth0; ping 172.22.9.1 -c 2; net down eth0; box kill box1"},
	{"-c", "unshare net; net route default via 172.22.9.1"},
	{"-c", "unshare net; net rule drop icmp; net rule ls; net rule ls host; net rule rm"},
	// -c ends at the first error: each refused pivot_root ends a session.
	{"-c", "rootfs make sa; rootfs ls; unshare mnt; chroot sa; run true; chroot --escape; pivot_root sa --no-bind"},
	{"-c", "rootfs make sb; unshare mnt; pivot_root sb --put-old /proc"},
	{"-c", "rootfs make sc; unshare mnt; pivot_root sc; run cat /etc/os-release; chroot --escape; box kill box1; rootfs rm sc"},
	// strace --seccomp-bpf puts hood in filter mode: strict mode then answers EINVAL.
	{"-c", "seccomp show --docker-default; box new sf; seccomp deny mkdir --errno EACCES; seccomp deny unshare --kill; seccomp show sf --bpf; run true; seccomp strict"},
	{"-c", "caps; caps keep CAP_CHOWN CAP_SYS_ADMIN CAP_SETPCAP; caps drop CAP_CHOWN; caps drop all; caps drop CAP_KILL"},
	// runc is a program hood runs, not a narrated call: what is narrated
	// around it must still be what strace sees, with runc traced too.
	{"-c", "unshare uts mnt; hostname sd; rootfs make sd; rootfs bundle sd; rootfs runc sd; caps runc; seccomp show runc; rootfs compare box1 sd; rootfs runc sd --delete; rootfs rm sd"},
}

// transcriptSessions are the hood -c lines of the hand-written transcripts
// (testdata/script/*.txtar).
func transcriptSessions(t *testing.T) [][]string {
	files, _ := filepath.Glob("testdata/script/*.txtar")
	var out [][]string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			m := transcriptLine.FindStringSubmatch(line)
			if m != nil {
				out = append(out, []string{"-c", strings.ReplaceAll(m[1], "''", "'")})
			}
		}
	}
	if len(out) < 20 {
		t.Fatalf("found only %d hood -c lines in the transcripts", len(out))
	}
	return out
}

var transcriptLine = regexp.MustCompile(`^!? ?exec hood -c '(.*)'$`)

func TestNarrationMatchesStrace(t *testing.T) {
	requireRoot(t)
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("requires strace (apt-get install strace)")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// argv[0] must be hood for TestMain to run hood.
	hood := filepath.Join(dir, "hood")
	if err := os.Symlink(exe, hood); err != nil {
		t.Fatal(err)
	}
	for i, args := range append(straceSessions, transcriptSessions(t)...) {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			if i == 0 {
				testenv.CPU(t) // lab --check-all: the cgroup labs measure CPU time
			}
			traceFile := filepath.Join(dir, fmt.Sprintf("trace%d", i))
			logFile := filepath.Join(dir, fmt.Sprintf("calls%d", i))
			cmd := exec.Command(strace, append([]string{"-f", "-qq", "--seccomp-bpf", "-X", "raw", "-y", "-s", "65536",
				"-o", traceFile, "-e", "trace=" + strings.Join(traceSet, ","), hood}, args...)...)
			cmd.Env = append(os.Environ(), "HOOD_CALL_LOG="+logFile, "NO_COLOR=1", "XDG_STATE_HOME="+filepath.Join(dir, "state"))
			out, _ := cmd.CombinedOutput() // a session may end on a refused call: that is narrated too
			narrated := readCallLog(t, logFile)
			if len(narrated) == 0 && i < len(straceSessions) {
				t.Fatalf("no call narrated; output:\n%s", out)
			}
			f, err := os.Open(traceFile)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			seen, tgid := parseStrace(f)
			checkNarration(t, narrated, seen, tgid)
		})
	}
}

func readCallLog(t *testing.T, path string) []call.Call {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // a session that narrated no call (help, ns ls)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var calls []call.Call
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var c call.Call
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("call log: %v", err)
		}
		calls = append(calls, c)
	}
	return calls
}

func checkNarration(t *testing.T, narrated []call.Call, seen []*traced, tgid map[int]int) {
	socks := netfilterSockets(seen, tgid)
	sent := map[*traced]map[uint16]int{}
	traced := map[string]bool{}
	for _, n := range traceSet {
		traced[n] = true
	}
	for _, c := range narrated {
		if c.Lib {
			continue // a C library call: strace shows the system calls it made
		}
		if c.Netlink != 0 { // a message inside a sendmsg or sendto
			if _, route := netdev.MsgTypes[c.Name]; route {
				checkRouteNetlink(t, c, seen, tgid) // strace_rtnetlink_test.go
			} else if why := netlinkSent(c, seen, tgid, socks, sent); why != "" {
				t.Error(why) // strace_netlink_test.go
			}
			continue
		}
		if !traced[c.Name] {
			t.Errorf("hood narrates %s, which this test does not trace: add it to traceSet", c)
			continue
		}
		if c.PID == 0 {
			t.Errorf("%s [%s] names no PID", c, c.Who)
			continue
		}
		var near []string
		found := false
		for _, s := range seen {
			if s.used || s.name != c.Name || tgid[s.tid] != c.PID {
				continue
			}
			if why := mismatch(c, s); why != "" {
				near = append(near, s.line+"   ("+why+")")
				continue
			}
			s.used, found = true, true
			break
		}
		if !found {
			if len(near) > 4 {
				near = near[len(near)-4:]
			}
			t.Errorf("hood narrated %s [%s, PID %d], which strace did not see that process make; its %s calls:\n  %s",
				c, c.Who, c.PID, c.Name, strings.Join(near, "\n  "))
		}
	}
}

// mismatch says how a traced call differs from the narrated one, "" when
// it is the same call with the same answer.
func mismatch(c call.Call, s *traced) string {
	if c.Failed() != (s.errno != "") || (c.Failed() && c.ErrName() != s.errno) {
		return fmt.Sprintf("answer %q, narrated %s", s.errno, c.Result())
	}
	if !c.Failed() && c.Ret != s.ret {
		return fmt.Sprintf("returned %d, narrated %d", s.ret, c.Ret)
	}
	if len(s.args) < len(c.Args) {
		return fmt.Sprintf("%d arguments, narrated %d", len(s.args), len(c.Args))
	}
	for i, a := range c.Args {
		if why := argMismatch(a, s.args[i]); why != "" {
			return fmt.Sprintf("argument %d: %s", i+1, why)
		}
	}
	return ""
}

func argMismatch(a call.Arg, got string) string {
	if a.Name != "" {
		got = strings.TrimPrefix(got, a.Name+"=")
	}
	num := func() (int64, bool) {
		v := got
		if i := strings.IndexByte(v, '<'); i > 0 {
			v = v[:i] // an fd's decoration: 12</path>
		}
		// -X raw still joins a clone's exit signal on: 0x1200000|17.
		var n int64
		for _, part := range strings.Split(v, "|") {
			x, err := strconv.ParseInt(part, 0, 64)
			if err != nil {
				u, uerr := strconv.ParseUint(part, 0, 64)
				if uerr != nil {
					return 0, false
				}
				x = int64(u)
			}
			n |= x
		}
		return n, true
	}
	switch a.Kind {
	case call.Ptr:
		if why, ok := bpfAttrMismatch(a.Text, got); ok {
			return why // strace_bpf_test.go
		}
		if strings.HasPrefix(a.Text, "{version=") || strings.HasPrefix(a.Text, "{effective=") || strings.HasPrefix(a.Text, "{flags=") {
			return structMismatch(a.Text, got) // capset's header and data
		}
		return ""
	case call.Null:
		if got != "NULL" {
			return "strace shows " + got + ", narrated NULL"
		}
	case call.Str:
		s, ok := unC(got)
		if !ok || s != a.Str {
			return fmt.Sprintf("strace shows %s, narrated %q", got, a.Str)
		}
	case call.List:
		want := "[" + strings.Join(quoteAll(a.List), ", ") + "]"
		if got != want {
			return "strace shows " + got + ", narrated " + want
		}
	default: // Int, Flags, Mode, FD
		n, ok := num()
		if !ok || n != a.Int {
			return fmt.Sprintf("strace shows %s, narrated %d", got, a.Int)
		}
	}
	return ""
}

func quoteAll(v []string) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = strconv.Quote(s)
	}
	return out
}
