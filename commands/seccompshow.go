package commands

import (
	"fmt"

	"golang.org/x/sys/unix"

	"hood/internal/box"
	"hood/internal/result"
)

func seccompShow(s *Session, args []string) (*result.Result, error) {
	const usage = "seccomp show [TARGET] [--bpf] | seccomp show --docker-default"
	if len(args) == 1 && args[0] == "--docker-default" {
		return dockerDefault()
	}
	word, bpf := "self", false
	n := 0
	for _, a := range args {
		switch {
		case a == "--bpf":
			bpf = true
		case len(a) > 0 && a[0] == '-':
			return nil, result.Usagef(usage, "unknown option %q", a)
		default:
			word = a
			n++
		}
	}
	if n > 1 {
		return nil, result.Usagef(usage, "give one TARGET: a box, host, self or a PID")
	}
	t, err := s.resolve(word)
	if err != nil {
		return nil, err
	}
	st, err := s.Proc().Status(t.PID)
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	path := s.Proc().Path(t.PID, "status")
	modes := map[int]string{0: "0 (SECCOMP_MODE_DISABLED: no filter)", 1: "1 (SECCOMP_MODE_STRICT: read, write, _exit and rt_sigreturn only)", 2: "2 (SECCOMP_MODE_FILTER: every call goes through the filters)"}
	r.Say("Seccomp", "%s (%s)", modes[st.Seccomp], path)
	r.Say("Seccomp_filters", "%d", st.SeccompFilters)
	r.Say("NoNewPrivs", "%d", b2i(st.NoNewPrivs))
	var mine *box.Box
	for _, b := range s.Boxes {
		if b.PID == t.PID {
			mine = b
		}
	}
	fs := s.filters[mine]
	for i, f := range fs {
		for _, w := range f.Words() {
			r.Say(fmt.Sprintf("filter %d", i+1), "%s", w)
		}
		if bpf {
			for j, in := range f.Listing() {
				r.Say(fmt.Sprintf("filter %d bpf", i+1), "%2d  %s", j, in)
			}
		}
	}
	switch other := st.SeccompFilters - len(fs); {
	case st.Seccomp == unix.SECCOMP_MODE_FILTER && other > 0:
		r.Meaning = fmt.Sprintf("%d of %s's filters were not installed by hood in this session: inherited from the process that started it (hood's own, if hood runs under one: strace --seccomp-bpf installs one) or installed by the program itself. The kernel keeps their programs; reading one back takes ptrace(PTRACE_SECCOMP_GET_FILTER).", other, t.Label)
	case st.Seccomp == 0:
		r.Meaning = fmt.Sprintf("%s runs with no seccomp filter: every system call reaches the kernel's own checks (capabilities, permissions) only.", t.Label)
	default:
		r.Meaning = fmt.Sprintf("every filter %s runs is one hood installed; a filter is inherited by every process started afterwards.", t.Label)
	}
	r.Shell = "grep -E 'Seccomp|NoNewPrivs' " + path
	return r, nil
}

func seccompStrict(s *Session, args []string) (*result.Result, error) {
	if len(args) > 0 {
		return nil, result.Usagef("seccomp strict", "seccomp strict takes no arguments")
	}
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	st, err := s.Proc().Status(b.PID)
	if err != nil {
		return nil, err
	}
	p, err := b.RunStrict()
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	if st.Seccomp == unix.SECCOMP_MODE_FILTER {
		r.Say("note", "%s runs in filter mode (Seccomp: 2, %d filters), and the probe it starts inherits that: the kernel lets no process leave filter mode for strict", b.Name, st.SeccompFilters)
	}
	r.Add(p.Fork)
	if p.Fork.Failed() {
		return r, s.forkErr(b, p.Fork)
	}
	if p.Prctl.Name == "" {
		r.Add(p.Wait)
		return r, fmt.Errorf("the strict probe in %s reported nothing (%s)", b.Name, box.How(p.Status))
	}
	r.Add(p.Prctl)
	if p.Prctl.Failed() {
		r.Add(p.Wait)
		return r, kernelErr(p.Prctl, "prctl")
	}
	r.Say("then", "the probe (PID %d) wrote its result with write(2), allowed, and called openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY), which mode 1 does not allow", p.HostPID)
	r.Add(p.Wait)
	switch {
	case p.Status.Signaled():
		r.Say("killed", "by %s (signal %d), before openat ran: the box's wait4 says so", box.SignalName(p.Status.Signal()), int(p.Status.Signal()))
	case p.Survived:
		return r, fmt.Errorf("the probe's openat was not stopped: strict mode did not take effect (%s)", box.How(p.Status))
	default:
		r.Say("ended", "%s", box.How(p.Status))
	}
	r.Shell = "a C program: prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT); open(...)  (no util-linux tool enters strict mode)"
	r.Meaning = "Strict mode (mode 1, Linux 2.6.12) allows read, write, _exit and rt_sigreturn and nothing else: any other call gets SIGKILL, which cannot be caught. It has no rules and no way out; filters (mode 2) replaced it for containers."
	return r, nil
}
