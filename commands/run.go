package commands

import (
	"errors"
	"fmt"
	hostpkg "hood/internal/kernel/host"
	"os"
	"strings"

	"hood/internal/box"
	"hood/internal/result"
)

func init() {
	register(
		&Command{UsageLine: "run CMD [ARGS...]", Short: "run a program inside the current box and show how it ended",
			Long: "The box forks and the child execs CMD, so the program gets everything the box\nhas: its namespaces (and pid_for_children), root, capabilities and later its\ncgroup. Output goes to your terminal; the exit status or signal is shown.\nThe PATH used is hood's. On a terminal the program is the foreground job:\nCtrl-C ends it; Ctrl-Z does nothing (it ignores SIGTSTP), since hood has no\njob control to resume a stopped program.",
			Run:  run},
		&Command{UsageLine: "sh", Short: "open an interactive shell inside the current box; exit it to come back to hood",
			Run: shell},
		&Command{UsageLine: "hostname [NAME] [--host]", Short: "show the box's and the host's hostname, or set the box's",
			Long:  "Without NAME: the hostname in the box's UTS namespace and in the host's.\nWith NAME: the box calls sethostname(2). While the box shares the host's UTS\nnamespace that would rename the machine, so hood refuses unless you add --host.",
			Flags: []string{"--host"}, Run: hostname},
	)
}

// ExitError is a program that ended with a non-zero status or a signal.
type ExitError struct{ Desc string }

func (e *ExitError) Error() string { return e.Desc }

func run(s *Session, args []string) (*result.Result, error) {
	if len(args) == 0 {
		return nil, result.Usagef("run CMD [ARGS...]", "name the program to run, such as `run ps -ef`")
	}
	return s.spawn(args, s.Env)
}

func shell(s *Session, args []string) (*result.Result, error) {
	if len(args) > 0 {
		return nil, result.Usagef("sh", "sh takes no arguments; use `run sh -c '...'` to run a command line")
	}
	if !s.Terminal {
		return nil, &result.UsageError{Msg: "sh needs a terminal; in a script use `run CMD` instead"}
	}
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	env := append(append([]string(nil), s.Env...), "PS1=["+b.Name+"] \\u@\\h:\\w\\$ ")
	argv := []string{"/bin/sh", "-i"}
	// bash if the box's root has one (after chroot or pivot_root, a
	// busybox rootfs has only sh).
	if _, ok := s.Proc().IsDirInRoot(b.PID, "/bin/bash"); ok {
		argv = []string{"/bin/bash", "--norc", "-i"}
	}
	// How an interactive shell ends is the learner's business, not an error.
	r, err := s.spawn(argv, env)
	var ee *ExitError
	if errors.As(err, &ee) {
		err = nil
	}
	return r, err
}

func (s *Session) spawn(argv, env []string) (*result.Result, error) {
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	return s.spawnWith(b, argv, func(stdio [3]*os.File, fg bool) (box.Spawned, error) {
		return b.Spawn(argv, env, stdio, fg)
	}, nil)
}

// spawnWith runs a program in box b, started by start with the session's
// stdio, and narrates it to its end; started, when set, is called with
// the child's PID once it runs, before it is reaped.
func (s *Session) spawnWith(b *box.Box, argv []string, start func(stdio [3]*os.File, fg bool) (box.Spawned, error), started func(pid int)) (*result.Result, error) {
	sp, err := start([3]*os.File{s.Stdin, s.Stdout, s.Stderr}, s.Terminal)
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	r.Add(sp.Fork)
	if sp.Fork.Failed() {
		return r, s.forkErr(b, sp.Fork)
	}
	if started != nil && !sp.ExecFails {
		started(sp.PID)
	}
	nspid := s.nspid(sp.PID)
	st, waited, werr := b.Wait(sp)
	r.Add(sp.Exec)
	if sp.ExecFails {
		return r, s.copyExecErr(argv[0], kernelErr(sp.Exec, sp.Exec.Name))
	}
	if werr != nil {
		return r, werr
	}
	if len(nspid) > 1 {
		r.Say("process", "PID %d on the host, PID %s in %s's PID namespace (NSpid: %s)", sp.PID, last(nspid), b.Name, strings.Join(nspid, " "))
	} else {
		r.Say("process", "PID %d, in the host's PID namespace", sp.PID)
	}
	// The box's waitpid(2) is how the end of the program is known: its
	// status is an event a lab can check ("killed by SIGKILL").
	r.Add(waited)
	switch {
	case st.Exited():
		r.Say("exit", "%d", st.ExitStatus())
		if st.ExitStatus() != 0 {
			return r, &ExitError{fmt.Sprintf("%s exited with status %d", argv[0], st.ExitStatus())}
		}
	case st.Signaled():
		name := box.SignalName(st.Signal())
		r.Say("killed", "by %s (signal %d)", name, int(st.Signal()))
		return r, &ExitError{fmt.Sprintf("%s was killed by %s", argv[0], name)}
	}
	return r, nil
}

func hostname(s *Session, args []string) (*result.Result, error) {
	const usage = "hostname [NAME] [--host]"
	var name string
	force := false
	for _, a := range args {
		switch {
		case a == "--host":
			force = true
		case strings.HasPrefix(a, "-"):
			return nil, result.Usagef(usage, "unknown option %q", a)
		case name != "":
			return nil, result.Usagef(usage, "one name at a time")
		default:
			name = a
		}
	}
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	host, err := hostpkg.Hostname()
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	if name == "" {
		h, err := b.Hostname()
		if err != nil {
			return nil, err
		}
		r.Say(b.Name, "%s", h)
		r.Say("host", "%s", host)
		return r, nil
	}
	if len(name) > 64 {
		return nil, result.Usagef(usage, "a hostname is at most 64 bytes; %q has %d", name, len(name))
	}
	l, hl, err := s.linksAndHost(b.PID)
	if err != nil {
		return nil, err
	}
	shared := l["uts"] == hl["uts"]
	if shared && force && s.Lab != nil && s.Lab.Active() != "" && l["user"] == hl["user"] {
		if uid, _ := procIDs(s.Proc(), b.PID); uid == 0 {
			return nil, &result.UsageError{Msg: fmt.Sprintf("%s is root in the host's user namespace, so this would really rename the machine; during a lab hood does not do that. Try it from a box that is an ordinary user or has its own user namespace (`box use alice`).", b.Name)}
		}
	}
	if shared && !force {
		return nil, &result.UsageError{Msg: fmt.Sprintf("%s shares the host's UTS namespace (%s): setting its hostname would rename this machine.\n  Run `unshare uts` first to give %s its own hostname, or add --host if you really mean to rename the host.", b.Name, l["uts"], b.Name)}
	}
	call, err := b.Sethostname(name)
	if err != nil {
		return nil, err
	}
	r.Add(call)
	if call.Failed() {
		return r, kernelErr(call, "sethostname")
	}
	now, err := b.Hostname()
	if err != nil {
		return r, err
	}
	hostNow, _ := hostpkg.Hostname()
	r.Say(b.Name, "%s", now)
	if shared {
		r.Say("host", "%s (changed: %s shares the host's UTS namespace)", hostNow, b.Name)
		r.Shell = "hostname " + name
		r.Meaning = "The host itself was renamed, because you asked with --host."
		return r, nil
	}
	r.Say("host", "%s (unchanged: %s is in another UTS namespace)", hostNow, b.Name)
	r.Shell = fmt.Sprintf("nsenter --target %d --uts hostname %s", b.PID, name)
	r.Meaning = fmt.Sprintf("The name lives in %s's UTS namespace (%s); only processes in it see it.", b.Name, l["uts"])
	return r, nil
}
