package commands

import (
	"fmt"
	"slices"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"hood/internal/box"
	"hood/internal/kernel/call"
	"hood/internal/kernel/seccomp"
	"hood/internal/result"
	"hood/internal/spell"
)

const seccompDenyUsage = "seccomp deny SYSCALL... [--errno ERRNO|--kill|--log|--trap]"

func init() {
	register(
		&Command{UsageLine: seccompDenyUsage, Short: "install a seccomp filter on the current box: the syscalls named fail as chosen (EPERM by default)",
			Long: `The box first calls prctl(PR_SET_NO_NEW_PRIVS, 1): without CAP_SYS_ADMIN
the kernel accepts a filter only from a process that can no longer gain
privileges by execve (a setuid program would otherwise run under a
filter its owner never chose). hood does it always, as runc does. Then
the box calls seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog) on itself with a
classic BPF program hood builds: check the architecture is the machine's
(x86_64 or arm64; a call through another ABI is killed), load the syscall number, one compare per
SYSCALL, and allow everything else.
A filter applies to the box and to everything it starts from then on, and
nothing can take it off: a second seccomp deny adds a filter, and the
kernel runs them all, the strictest answer winning.
--errno ERRNO  the call fails with ERRNO, not made (default EPERM)
--kill         the process is killed by SIGSYS (SECCOMP_RET_KILL_PROCESS)
--log          the call is made and logged (SECCOMP_RET_LOG)
--trap         the caller gets SIGSYS (SECCOMP_RET_TRAP)
Names are the machine's (syscalls(2)). On x86_64 glibc's mkdir(3) calls
mkdir(2), and a program that calls mkdirat(2) is not stopped by denying
mkdir. arm64 has only the newer forms (mkdirat, openat, unlinkat, ...):
there hood names the call to deny instead.
hood refuses calls the box needs to answer hood at all (recvmsg, sendto,
close, exit_group, ...) and warns when a call it denies is one hood's own
requests to the box make (clone for run, mount, unshare, setns, wait4).`,
			Flags: []string{"--errno", "--kill", "--log", "--trap"}, Run: seccompDeny},
		&Command{UsageLine: "seccomp show [TARGET] [--bpf] | seccomp show --docker-default", Short: "a process's seccomp mode and filters (/proc/PID/status), and the rules of the filters hood installed",
			Long: `Seccomp: in /proc/PID/status is 0 (off), 1 (strict) or 2 (filter), and
Seccomp_filters: how many filters the process runs. The kernel does not
show a filter's program there; hood prints the rules of the ones it
installed itself, in words, and with --bpf as BPF instructions.
--docker-default summarises Docker's default profile (the data of
github.com/moby/profiles/seccomp) for this machine's architecture: what
it allows always, only with certain arguments or a capability, and what
it fails with EPERM.`,
			Args: []Arg{ArgTarget}, Flags: []string{"--bpf", "--docker-default"}, Run: seccompShow},
		&Command{UsageLine: "seccomp strict", Short: "run a program in strict mode (mode 1) and see the kernel kill it at its first forbidden call",
			Long: `The box starts a probe that calls prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT):
from then on it may only read(2), write(2), _exit(2) and rt_sigreturn(2).
It writes its result, then calls openat(2): the kernel kills it with
SIGKILL before the call runs, as the box's wait4 shows.`,
			Run: seccompStrict},
	)
}

// boxNeeds are the calls the box's request loop makes to answer hood at
// all: denying one leaves a box hood cannot drive or end cleanly.
var boxNeeds = []string{"recvmsg", "sendto", "sendmsg", "close", "exit_group", "exit", "rt_sigreturn", "read", "write"}

// boxUses are calls hood's requests to the box make: denied, those
// commands fail in this box.
var boxUses = map[string]string{
	"clone": "run and every probe (fork)", "clone3": "run and every probe (fork)", "fork": "run (fork)",
	"vfork": "run", "execve": "run", "wait4": "run (waitpid)", "mount": "mount",
	"umount2": "umount", "unshare": "unshare", "setns": "enter", "openat": "reading files as the box",
	"mkdirat": "the box's mkdir", "pivot_root": "pivot_root", "chroot": "chroot", "chdir": "chroot and pivot_root",
	"prctl": "seccomp deny (no_new_privs)", "seccomp": "another seccomp deny",
}

func seccompDeny(s *Session, args []string) (*result.Result, error) {
	action := seccomp.Errno(unix.EPERM)
	var names []string
	chosen := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		pick := func(what string, act seccomp.Action) error {
			if chosen != "" {
				return result.Usagef(seccompDenyUsage, "choose one of --errno, --kill, --log, --trap (got %s and %s)", chosen, what)
			}
			chosen, action = what, act
			return nil
		}
		var err error
		switch a {
		case "--errno":
			if i+1 >= len(args) {
				return nil, result.Usagef(seccompDenyUsage, "--errno needs an errno name, such as --errno EACCES")
			}
			i++
			e, eerr := errnoNamed(args[i])
			if eerr != nil {
				return nil, eerr
			}
			err = pick("--errno", seccomp.Errno(e))
		case "--kill":
			err = pick(a, seccomp.Kill)
		case "--log":
			err = pick(a, seccomp.Log)
		case "--trap":
			err = pick(a, seccomp.Trap)
		default:
			if strings.HasPrefix(a, "-") {
				return nil, result.Usagef(seccompDenyUsage, "unknown option %q", a)
			}
			names = append(names, a)
		}
		if err != nil {
			return nil, err
		}
	}
	if len(names) == 0 {
		return nil, result.Usagef(seccompDenyUsage, "name the syscalls to deny, such as `seccomp deny mkdir`")
	}
	f := seccomp.Filter{Default: seccomp.Allow}
	var warn []string
	for _, n := range names {
		nr, err := seccomp.Number(n)
		if err != nil {
			return nil, &result.UsageError{Msg: err.Error()}
		}
		if slices.Contains(boxNeeds, n) && action != seccomp.Log {
			return nil, &result.UsageError{Msg: fmt.Sprintf("the box calls %s to answer hood's requests (over its socket, or to end): denied, hood could no longer drive it, and a filter cannot be taken off. Deny it in a program the box runs instead", n)}
		}
		if use, ok := boxUses[n]; ok && action != seccomp.Log {
			warn = append(warn, fmt.Sprintf("%s (%s)", n, use))
		}
		f.Rules = append(f.Rules, seccomp.Rule{Syscall: n, Nr: nr, Action: action})
	}
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	before, err := s.Proc().Status(b.PID)
	if err != nil {
		return nil, err
	}
	if before.Seccomp == unix.SECCOMP_MODE_STRICT {
		return nil, &result.UsageError{Msg: fmt.Sprintf("%s is in strict mode (Seccomp: 1): it can make no call but read, write and exit, so it cannot add a filter", b.Name)}
	}
	prog, err := f.Program()
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	c, err := b.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, call.F(unix.PR_SET_NO_NEW_PRIVS, "PR_SET_NO_NEW_PRIVS"), call.I(1), call.I(0), call.I(0), call.I(0))
	if err != nil {
		return nil, err
	}
	r.Add(c)
	if c.Failed() {
		return r, kernelErr(c, "prctl")
	}
	r.Say("why", "without CAP_SYS_ADMIN in its user namespace the kernel takes a filter only from a process with no_new_privs (else seccomp answers EACCES): a filter that fails chosen calls could otherwise trick a set-user-ID program it execs into misusing its privileges")
	c, err = b.Seccomp(0, prog)
	if err != nil {
		return r, err
	}
	r.Add(c)
	if c.Failed() {
		return r, kernelErr(c, "seccomp")
	}
	if s.filters == nil {
		s.filters = map[*box.Box][]seccomp.Filter{}
	}
	s.filters[b] = append(s.filters[b], f)
	after, err := s.Proc().Status(b.PID)
	if err != nil {
		return r, err
	}
	path := s.Proc().Path(b.PID, "status")
	r.Changes = append(r.Changes,
		result.Change{Path: path + " NoNewPrivs", Before: fmt.Sprint(b2i(before.NoNewPrivs)), After: fmt.Sprint(b2i(after.NoNewPrivs))},
		result.Change{Path: path + " Seccomp", Before: fmt.Sprint(before.Seccomp), After: fmt.Sprint(after.Seccomp)},
		result.Change{Path: path + " Seccomp_filters", Before: fmt.Sprint(before.SeccompFilters), After: fmt.Sprint(after.SeccompFilters)})
	for _, w := range f.Words() {
		r.Say("rule", "%s", w)
	}
	if len(warn) > 0 {
		r.Say("warning", "%s: hood's own requests to %s make these calls, so those commands now fail in it too (box kill %s still ends it: hood kills from outside)", strings.Join(warn, ", "), b.Name, b.Name)
	}
	r.Shell = fmt.Sprintf("setpriv --no-new-privs (then a program built with libseccomp: seccomp_rule_add(ctx, %s, SCMP_SYS(%s), 0))", scmpAction(action), strings.Join(names, "), ...SCMP_SYS("))
	r.Meaning = fmt.Sprintf("%s and every process it starts from now on go through this filter (%d instructions) on each system call; no_new_privs stays set and the filter cannot be removed. `run` a program that calls %s to see the answer.", b.Name, len(prog), names[0])
	return r, nil
}

func scmpAction(a seccomp.Action) string {
	switch a.Ret & unix.SECCOMP_RET_ACTION_FULL {
	case unix.SECCOMP_RET_ERRNO:
		return "SCMP_ACT_ERRNO(" + unix.ErrnoName(a.Errno) + ")"
	case unix.SECCOMP_RET_KILL_PROCESS:
		return "SCMP_ACT_KILL_PROCESS"
	case unix.SECCOMP_RET_LOG:
		return "SCMP_ACT_LOG"
	}
	return "SCMP_ACT_TRAP"
}

// errnoNamed is the errno called name ("EPERM"); an unknown name's error
// suggests the nearest.
func errnoNamed(name string) (syscall.Errno, error) {
	best, bd := "", 1<<30
	for e := syscall.Errno(1); e < 134; e++ {
		if n := unix.ErrnoName(e); n != "" {
			if n == strings.ToUpper(name) {
				return e, nil
			}
			if d := spell.Distance(strings.ToUpper(name), n); d < bd {
				best, bd = n, d
			}
		}
	}
	msg := fmt.Sprintf("no errno named %q: give a name such as EPERM, EACCES or ENOSYS", name)
	if bd <= 2 {
		msg += fmt.Sprintf(" (did you mean %s?)", best)
	}
	return 0, &result.UsageError{Msg: msg}
}
