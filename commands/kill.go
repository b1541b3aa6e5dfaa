package commands

import (
	"fmt"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"hood/internal/box"
	"hood/internal/kernel/call"
	"hood/internal/kernel/procfs"
	"hood/internal/result"
)

const killUsage = "kill PID [SIGNAL]"

func init() {
	register(&Command{UsageLine: killUsage, Short: "send a signal from inside the current box's PID namespace",
		Long: `A helper process that the box starts inside its new PID namespace calls
kill(2), so PID means what it means there: a host process that is not in the
namespace does not exist for it (ESRCH). SIGNAL is a name (TERM, SIGKILL) or a
number, TERM by default; 0 only asks whether the process exists. hood sends
signals only from a box with its own PID namespace and a PID 1 in it
(unshare pid --fork), never from the host's.`,
		Run: kill})
}

func kill(s *Session, args []string) (*result.Result, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, result.Usagef(killUsage, "name a PID, and optionally a signal")
	}
	pid, err := strconv.Atoi(args[0])
	if err != nil || pid <= 0 {
		return nil, result.Usagef(killUsage, "%q is not a PID: PIDs are positive numbers", args[0])
	}
	sig, name := 15, "SIGTERM"
	if len(args) == 2 {
		n, ok := box.SignalNum(args[1])
		if !ok {
			return nil, result.Usagef(killUsage, "unknown signal %q: use a name such as TERM, KILL, HUP, or a number", args[1])
		}
		sig, name = int(n), box.SignalName(n)
		if n == 0 {
			name = "0"
		}
	}
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	mine, host, err := s.linksAndHost(b.PID)
	if err != nil {
		return nil, err
	}
	init := s.childInit(b, mine)
	if mine["pid_for_children"] == host["pid"] || init == 0 {
		return nil, &result.UsageError{Msg: fmt.Sprintf("%s has no PID namespace of its own with a PID 1 in it, so a signal from it could reach the host's processes; hood sends none. Run `unshare pid --fork` first.", b.Name)}
	}
	p, err := b.RunProbe("kill", strconv.Itoa(pid), strconv.Itoa(sig))
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	r.Add(p.Fork)
	if p.Fork.Failed() {
		return r, s.forkErr(b, p.Fork)
	}
	c := p.Made(fmt.Sprintf("a helper in %s's PID namespace (PID %d there, %d on the host)", b.Name, p.PID, p.HostPID),
		"kill", call.I(int64(pid)), call.F(int64(sig), name))
	r.Add(c)
	r.Shell = fmt.Sprintf("kill -%d %d  # run inside the namespace", sig, pid)
	if c.Failed() {
		return r, kernelErr(c, "kill")
	}
	r.Meaning = s.killMeaning(pid, init, sig, name, b.Name)
	return r, nil
}

// killMeaning says what became of a signal kill(2) accepted, after looking:
// the kernel does not deliver to a PID namespace's init, from inside that
// namespace, a signal the init has no handler for (SIGKILL and SIGSTOP
// can have none), and kill still returns 0.
func (s *Session) killMeaning(pid, init, sig int, name, boxName string) string {
	switch {
	case sig == 0:
		return fmt.Sprintf("kill(2) with signal 0 sends nothing: it returned 0, so PID %d exists in %s's PID namespace and may be signalled.", pid, boxName)
	case pid != 1:
		return fmt.Sprintf("kill(2) returned 0: PID %d exists in %s's PID namespace and the signal was sent to it.", pid, boxName)
	}
	for i := 0; i < 20 && s.Proc().Alive(init); i++ {
		time.Sleep(5 * time.Millisecond)
	}
	if !s.Proc().Alive(init) {
		return fmt.Sprintf("kill(2) returned 0 and PID 1 of %s's PID namespace (%d on the host) is gone: with its init gone the namespace takes no new process.", boxName, init)
	}
	if sig != int(unix.SIGKILL) && sig != int(unix.SIGSTOP) && catches(s.Proc(), init, sig) {
		return fmt.Sprintf("kill(2) returned 0 and PID 1 of %s's PID namespace (%d on the host) is still alive: it has a handler for %s (SigCgt in /proc/%d/status), so the kernel delivered the signal to it, and the handler did not end it.", boxName, init, name, init)
	}
	why := fmt.Sprintf("%s can have no handler", name)
	if sig != int(unix.SIGKILL) && sig != int(unix.SIGSTOP) {
		why = fmt.Sprintf("it has no handler for %s (SigCgt in /proc/%d/status)", name, init)
	}
	return fmt.Sprintf("kill(2) returned 0, but PID 1 of %s's PID namespace (%d on the host) is still alive: sent from inside its own namespace, a signal its init has no handler for is dropped by the kernel; %s.", boxName, init, why)
}

// catches reports whether pid has a handler for sig (SigCgt of its status).
func catches(proc procfs.FS, pid, sig int) bool {
	st, err := proc.Status(pid)
	return err == nil && st.Catches(sig)
}
