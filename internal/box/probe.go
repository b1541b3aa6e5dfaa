package box

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
	"hood/internal/result"
)

// ReadFile reads path as the box sees it: through its mount namespace, and
// for files such as /proc/self/cgroup or /proc/sysvipc/msg through its
// cgroup and IPC namespaces. At most 64 KiB are returned.
func (b *Box) ReadFile(path string) ([]byte, error) {
	if strings.IndexByte(path, 0) >= 0 {
		return nil, fmt.Errorf("path %q contains a NUL byte", path)
	}
	r, err := b.c.call(opReadFile, [4]int64{}, append([]byte(path), 0), nil)
	if err != nil {
		return nil, err
	}
	if r.Errno != 0 {
		return nil, &os.PathError{Op: "open (in " + b.Name + ")", Path: path, Err: r.Errno}
	}
	return r.Data, nil
}

// WriteFile makes the box write data to path, as `echo DATA > PATH` in
// the box would: openat(2), one write(2), close(2), each with the kernel's
// answer. A box writes its own uid_map this way when hood, outside the
// box's parent user namespace, may not (user_namespaces(7)).
func (b *Box) WriteFile(path, data string) ([]result.Syscall, error) {
	if strings.IndexByte(path, 0) >= 0 || strings.IndexByte(data, 0) >= 0 {
		return nil, fmt.Errorf("path %q or its content contains a NUL byte", path)
	}
	r, err := b.c.call(opWriteFile, [4]int64{}, []byte(path+"\x00"+data+"\x00"), nil)
	if err != nil {
		return nil, err
	}
	const flags = unix.O_WRONLY | unix.O_CLOEXEC
	if r.Aux[0] < 0 {
		c := b.my("openat", r, call.Cwd(), call.S(path), call.F(flags, "O_WRONLY|O_CLOEXEC"))
		return []result.Syscall{c}, nil
	}
	fd := int(r.Aux[0])
	open := b.my("openat", reply{Ret: int64(fd)}, call.Cwd(), call.S(path), call.F(flags, "O_WRONLY|O_CLOEXEC"))
	open.Quiet = true
	w := b.my("write", r, call.Fd(fd, path), call.S(data), call.I(int64(len(data))))
	cl := b.my("close", reply{Errno: syscall.Errno(r.Aux[1])}, call.Fd(fd, path))
	cl.Quiet = true
	return []result.Syscall{open, w, cl}, nil
}

// SetID drops the box to uid and gid with no supplementary groups: what a
// box started for an ordinary user is.
func (b *Box) SetID(uid, gid int) ([]result.Syscall, error) {
	r, err := b.c.call(opSetID, [4]int64{int64(uid), int64(gid)}, nil, nil)
	if err != nil {
		return nil, err
	}
	// The box made the three calls in turn and stopped at the first that
	// failed; Aux[0] says how many it made.
	all := []result.Syscall{
		b.my("setgroups", reply{}, call.I(0), call.NULL()),
		b.my("setresgid", reply{}, call.I(int64(gid)), call.I(int64(gid)), call.I(int64(gid))),
		b.my("setresuid", reply{}, call.I(int64(uid)), call.I(int64(uid)), call.I(int64(uid))),
	}
	made := int(max(1, min(r.Aux[0], 3)))
	calls := all[:made]
	if r.Errno != 0 {
		calls[made-1].Ret, calls[made-1].Errno = -1, r.Errno
	}
	return calls, nil
}

// Probe is what a probe process reported: its PID as it sees itself, and
// its named values (ret, errno, monotonic, ...).
type Probe struct {
	HostPID int // the probe's PID in hood's namespace
	PID     int // the probe's PID in its own PID namespace
	Values  map[string]string
	Fork    result.Syscall
}

// Errno is the probe's errno value, 0 when the call succeeded.
func (p Probe) Errno() syscall.Errno {
	n, _ := strconv.Atoi(p.Values["errno"])
	return syscall.Errno(n)
}

// RunProbe makes the box start hood's own binary as a probe (see probe.c)
// with args, so that the call comes from a process inside the box's
// pid_for_children and time_for_children namespaces.
func (b *Box) RunProbe(args ...string) (Probe, error) {
	p, out, err := b.runProbe(4096, nil, args)
	if err != nil || p.Fork.Failed() {
		return p, err
	}
	for _, f := range strings.Fields(string(out)) {
		if k, v, ok := strings.Cut(f, "="); ok {
			p.Values[k] = v
		}
	}
	p.PID, _ = strconv.Atoi(p.Values["pid"])
	return p, nil
}

// RunGoProbe is RunProbe for a probe written in Go (argv[1] "go-...", see
// goprobe.go): it returns what the probe wrote on stdout, up to 256 KiB,
// for the caller to decode.
func (b *Box) RunGoProbe(args ...string) (Probe, []byte, error) {
	return b.runProbe(256<<10, nil, args)
}

// RunGoProbeOn is RunGoProbe with the probe as the terminal's foreground
// job (tty is hood's terminal), as `run` starts a program: Ctrl-C then
// interrupts the probe, not hood.
func (b *Box) RunGoProbeOn(tty *os.File, args ...string) (Probe, []byte, error) {
	return b.runProbe(256<<10, tty, args)
}

func (b *Box) runProbe(limit int64, tty *os.File, args []string) (Probe, []byte, error) {
	rd, wr, err := os.Pipe()
	if err != nil {
		return Probe{}, nil, err
	}
	defer rd.Close()
	null, err := os.Open(os.DevNull)
	if err != nil {
		wr.Close()
		return Probe{}, nil, err
	}
	defer null.Close()
	argv := append([]string{"hood-probe"}, args...)
	stdio, flags := [3]*os.File{null, wr, wr}, int64(spawnSelf)
	if tty != nil {
		stdio[0], flags = tty, spawnSelf|spawnForeground
	}
	sp, err := b.spawn(argv, []string{"HOOD_PROBE=1"}, stdio, flags)
	wr.Close()
	if err != nil {
		return Probe{}, nil, err
	}
	p := Probe{Fork: sp.Fork, HostPID: sp.PID, Values: map[string]string{}}
	if sp.Fork.Failed() {
		return p, nil, nil
	}
	out, _ := io.ReadAll(io.LimitReader(rd, limit))
	st, _, err := b.Wait(sp)
	if err != nil {
		return p, out, err
	}
	if sp.ExecFails {
		if sp.Exec.ErrName() == "ENOENT" && !SelfStatic() {
			return p, out, fmt.Errorf("starting the probe in %s failed: ENOENT: hood's binary is dynamically linked, and its loader is not in %s's root (after chroot or pivot_root); build hood statically (make does) to run its helpers inside a rootfs", b.Name, b.Name)
		}
		return p, out, fmt.Errorf("starting the probe in %s failed: %s", b.Name, sp.Exec.ErrName())
	}
	if !st.Exited() || st.ExitStatus() != 0 {
		return p, out, fmt.Errorf("the probe in %s failed (%s): %s", b.Name, describe(st), strings.TrimSpace(string(out)))
	}
	return p, out, nil
}

func describe(st unix.WaitStatus) string {
	if st.Signaled() {
		return "killed by " + SignalName(st.Signal())
	}
	return "exit status " + strconv.Itoa(st.ExitStatus())
}

// HostClock reads clock ("monotonic" or "boottime") in hood's own time
// namespace, in seconds, to compare with what a probe in a box reads.
func HostClock(clock string) float64 {
	id := unix.CLOCK_MONOTONIC
	if clock == "boottime" {
		id = unix.CLOCK_BOOTTIME
	}
	var ts unix.Timespec
	if err := unix.ClockGettime(int32(id), &ts); err != nil {
		return 0
	}
	return float64(ts.Sec) + float64(ts.Nsec)/1e9
}
