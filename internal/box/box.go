package box

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
	"hood/internal/kernel/ns"
	"hood/internal/kernel/procfs"
	"hood/internal/result"
)

// Box is one box process and hood's connection to it.
type Box struct {
	Name  string
	PID   int
	Inits []int // PID 1s this box forked (unshare pid --fork), host PIDs
	// forked is set once the box has started any process: only then can
	// there be descendants to find and kill.
	forked bool
	// Started is the execve by which the box became hood-box; it is unset
	// for the box forked before Go started, which made none.
	Started result.Syscall
	c       *conn
	cmd     *exec.Cmd
}

// startReq asks the spawner thread to start a box.
type startReq struct {
	name string
	out  chan startRes
}

type startRes struct {
	b   *Box
	err error
}

var spawner = make(chan startReq)

func init() {
	// Processes below a box that outlive it (a PID 1 it forked, an orphan
	// it had taken in) come to hood rather than to init, so hood can reap
	// them and leave no zombie behind.
	_ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	// One OS thread, locked and never released, starts every box: a box's
	// death signal fires when the thread that forked it exits, and Go may
	// end threads it no longer needs.
	go func() {
		runtime.LockOSThread()
		for r := range spawner {
			b, err := start(r.name)
			r.out <- startRes{b, err}
		}
	}()
}

// Start starts a new box process in hood's own namespaces. The first call
// adopts the box forked before Go started, when the program asked for one.
func Start(name string) (*Box, error) {
	if pid, fd := preforked(); pid > 0 {
		// No round trip to check it: its first request will tell.
		return &Box{Name: name, PID: pid, c: &conn{fd: fd}}, nil
	}
	out := make(chan startRes)
	spawner <- startReq{name, out}
	r := <-out
	return r.b, r.err
}

func start(name string) (*Box, error) {
	mine, theirs, err := newSocketPair()
	if err != nil {
		return nil, err
	}
	defer theirs.Close()
	cmd := &exec.Cmd{
		Path:       "/proc/self/exe",
		Args:       []string{"hood-box", name},
		Env:        []string{"HOOD_BOX_FD=3", "HOOD_BOX_PARENT=" + strconv.Itoa(os.Getpid())},
		ExtraFiles: []*os.File{theirs},
		SysProcAttr: &syscall.SysProcAttr{
			Pdeathsig: syscall.SIGKILL,
		},
	}
	if err := cmd.Start(); err != nil {
		unix.Close(mine)
		return nil, fmt.Errorf("start box %s: %w", name, err)
	}
	b := &Box{Name: name, PID: cmd.Process.Pid, c: &conn{fd: mine}, cmd: cmd}
	b.Started = sc(name, b.PID, "execve", reply{}, call.S(cmd.Path), call.L(cmd.Args), call.P("envp"))
	// A first round trip proves the box is serving before anyone uses it.
	if _, err := b.c.call(opUname, [4]int64{}, nil, nil); err != nil {
		b.Kill()
		return nil, fmt.Errorf("start box %s: %w", name, err)
	}
	return b, nil
}

// sc is the call the box made (who, PID pid) with the kernel's answer r.
func sc(who string, pid int, name string, r reply, args ...call.Arg) result.Syscall {
	c := call.Call{Who: who, PID: pid, Name: name, Args: args, Ret: r.Ret}
	if r.Errno != 0 {
		c.Ret, c.Errno = -1, r.Errno
	}
	return c
}

// my is a call the box itself made.
func (b *Box) my(name string, r reply, args ...call.Arg) result.Syscall {
	return sc(b.Name, b.PID, name, r, args...)
}

// ErrnoName is the symbolic name of an errno: "EPERM".
func ErrnoName(e syscall.Errno) string { return unix.ErrnoName(e) }

// Unshare makes the box call unshare(2) with the given CLONE_NEW* flags.
func (b *Box) Unshare(flags uintptr) (result.Syscall, error) {
	r, err := b.c.call(opUnshare, [4]int64{int64(flags)}, nil, nil)
	if err != nil {
		return result.Syscall{}, err
	}
	return b.my("unshare", r, call.F(int64(flags), ns.FlagString(flags))), nil
}

// Setns opens path (a /proc/PID/ns link or a bind mount of one) in hood,
// passes the descriptor to the box, and makes the box call setns(2) on it.
func (b *Box) Setns(path string, nstype uintptr) (result.Syscall, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return result.Syscall{}, fmt.Errorf("open %s: %w", path, err)
	}
	defer unix.Close(fd)
	r, err := b.c.call(opSetns, [4]int64{int64(nstype)}, nil, []int{fd})
	if err != nil {
		return result.Syscall{}, err
	}
	// The box names the descriptor number it received the file as.
	return b.my("setns", r, call.Fd(int(r.Aux[0]), path), call.F(int64(nstype), ns.FlagString(nstype))), nil
}

// Sethostname makes the box call sethostname(2).
func (b *Box) Sethostname(name string) (result.Syscall, error) {
	r, err := b.c.call(opSethostname, [4]int64{}, []byte(name+"\x00"), nil)
	if err != nil {
		return result.Syscall{}, err
	}
	return b.my("sethostname", r, call.S(name), call.I(int64(len(name)))), nil
}

// Hostname asks the box for uname(2)'s nodename: the hostname of the box's
// UTS namespace, which hood cannot read from outside.
func (b *Box) Hostname() (string, error) {
	r, err := b.c.call(opUname, [4]int64{}, nil, nil)
	if err != nil {
		return "", err
	}
	if r.Errno != 0 {
		return "", fmt.Errorf("uname in box %s: %w", b.Name, r.Errno)
	}
	return string(r.Data), nil
}

// Mount makes the box call mount(2). Empty strings are passed as NULL.
func (b *Box) Mount(source, target, fstype string, flags uintptr, data string) (result.Syscall, error) {
	payload := strings.Join([]string{source, target, fstype, data}, "\x00") + "\x00"
	r, err := b.c.call(opMount, [4]int64{int64(flags)}, []byte(payload), nil)
	if err != nil {
		return result.Syscall{}, err
	}
	return b.my("mount", r, MountArgs(source, target, fstype, flags, data)...), nil
}

// Spawned is a program the box started.
type Spawned struct {
	PID       int // in hood's PID namespace
	Fork      result.Syscall
	Exec      result.Syscall
	fg        bool
	ExecFails bool
}

// Spawn makes the box fork and exec argv with env and the given stdio. With
// foreground set, the child takes the terminal as its own job (stdin must be
// the terminal). The child is not reaped until Wait.
func (b *Box) Spawn(argv, env []string, stdio [3]*os.File, foreground bool) (Spawned, error) {
	var flags int64
	if foreground {
		flags |= spawnForeground
	}
	return b.spawn(argv, env, stdio, flags)
}

func (b *Box) spawn(argv, env []string, stdio [3]*os.File, flags int64) (Spawned, error) {
	return b.spawnFiles(argv, env, stdio[:], flags)
}

// SetFrozen records that the box's cgroup was frozen (or thawed): while
// frozen, every request to the box fails at once with ErrFrozen.
func (b *Box) SetFrozen(frozen bool) { b.c.frozen.Store(frozen) }

// Frozen reports whether the box's cgroup is frozen.
func (b *Box) Frozen() bool { return b.c.frozen.Load() }

// Wait waits for a child of the box to end and returns its wait status and
// the box's call that told it: waitpid(pid, &status, 0), which glibc makes
// as wait4(pid, &status, 0, NULL), with the kernel's own return value.
// When the child ran in the foreground, hood takes the terminal back.
func (b *Box) Wait(s Spawned) (unix.WaitStatus, result.Syscall, error) {
	r, err := b.c.call(opWait, [4]int64{int64(s.PID)}, nil, nil)
	if s.fg {
		// Take the terminal back; SIGTTOU would stop us as a background job.
		signalIgnoreTTOU()
		_ = unix.IoctlSetPointerInt(0, unix.TIOCSPGRP, unix.Getpgrp())
	}
	if err != nil {
		return 0, result.Syscall{}, err
	}
	c := b.my("wait4", reply{Ret: r.Ret, Errno: r.Errno}, call.I(int64(s.PID)), call.P("&status"), call.F(0, "0"), call.NULL())
	if r.Errno != 0 {
		return 0, c, fmt.Errorf("waitpid(%d): %w", s.PID, r.Errno)
	}
	st := unix.WaitStatus(r.Aux[0])
	c.RetNote = "(" + How(st) + ")"
	return st, c, nil
}

// How says how a process ended, as its wait status tells it: "exited with
// status 0", "killed by SIGKILL".
func How(st unix.WaitStatus) string {
	if st.Signaled() {
		return "killed by " + SignalName(st.Signal())
	}
	return fmt.Sprintf("exited with status %d", st.ExitStatus())
}

// ForkInit makes the box fork a child that stays alive as PID 1 of the box's
// pid_for_children namespace, and mount a new /proc from inside it when asked.
func (b *Box) ForkInit(mountProc bool) (pid int, calls []result.Syscall, err error) {
	var flags int64
	if mountProc {
		flags |= initMountProc
	}
	b.forked = true
	r, err := b.c.call(opForkInit, [4]int64{flags}, nil, nil)
	if err != nil {
		return 0, nil, err
	}
	calls = append(calls, b.fork(reply{Ret: r.Ret, Errno: r.Errno}))
	if r.Errno != 0 {
		return 0, calls, nil
	}
	pid = int(r.Ret)
	b.Inits = append(b.Inits, pid)
	if mountProc {
		m := reply{}
		if e := syscall.Errno(r.Aux[0]); e != 0 {
			m = reply{Ret: -1, Errno: e}
		}
		const f = unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC
		calls = append(calls, sc(fmt.Sprintf("%s's PID 1 (%d)", b.Name, pid), pid, "mount", m,
			call.S("proc"), call.S("/proc"), call.S("proc"), call.F(f, MountFlagString(f)), call.NULL()))
	}
	return pid, calls, nil
}

// hasChild asks the box whether any process is below it, so that hood
// scans /proc only when there is something to find. When the box does not
// answer, assume there is.
func (b *Box) hasChild() bool {
	r, err := b.c.tryCall(opHasChild, [4]int64{})
	return err != nil || r.Ret != 0
}

// Kill ends the box and every process below it, by PID, and waits until
// they are dead and the box is reaped.
func (b *Box) Kill() error {
	_, err := b.KillCalls()
	return err
}

// KillCalls is Kill, returning the kill(2) calls hood made.
func (b *Box) KillCalls() ([]result.Syscall, error) {
	// Descendants first, while the box still holds them as a subreaper.
	var procs []int
	var calls []result.Syscall
	kill := func(pid int) {
		err := unix.Kill(pid, unix.SIGKILL)
		calls = append(calls, call.New("hood", os.Getpid(), "kill", 0, err, call.I(int64(pid)), call.F(int64(unix.SIGKILL), "SIGKILL")))
	}
	if b.forked && b.hasChild() {
		procs = procfs.Host.Descendants(b.PID)
		for _, pid := range procs {
			kill(pid)
		}
	}
	kill(b.PID)
	b.c.close()
	done := make(chan error, 1)
	go func() {
		if b.cmd != nil {
			done <- b.cmd.Wait()
			return
		}
		var ws unix.WaitStatus
		for {
			_, err := unix.Wait4(b.PID, &ws, 0, nil)
			if err != unix.EINTR {
				done <- err
				return
			}
		}
	}()
	deadline := time.After(5 * time.Second)
	select {
	case <-done:
	case <-deadline:
		return calls, fmt.Errorf("box %s (pid %d) did not exit after SIGKILL", b.Name, b.PID)
	}
	// SIGKILL is delivered asynchronously: wait until every process that was
	// below the box has really died, so "gone" means gone.
	// Once the box is gone they are orphans, and hood is their subreaper
	// (see init above): reap them too.
	for _, pid := range procs {
		for procfs.Host.Alive(pid) {
			select {
			case <-deadline:
				return calls, fmt.Errorf("process %d of box %s did not exit after SIGKILL", pid, b.Name)
			case <-time.After(time.Millisecond):
			}
		}
		var ws unix.WaitStatus
		_, _ = unix.Wait4(pid, &ws, unix.WNOHANG, nil)
	}
	return calls, nil
}
