package commands

import (
	"strings"
	"syscall"

	"hood/internal/box"
	"hood/internal/result"
)

// Built-in workloads (internal/box/workload.go): load for the cgroup labs
// that needs no program from outside. Each runs in the current box as
// `run` runs a program, and hood reads its numbers from a pipe.

const (
	burnUsage     = "burn [THREADS] [--seconds N]"
	allocUsage    = "alloc SIZE [--step S] [--hold N]"
	forkbombUsage = "forkbomb [--max N]"
	writeUsage    = "write FILE SIZE [--direct]"
)

func init() {
	register(
		&Command{UsageLine: burnUsage, Short: "spin THREADS threads (1) on the CPU in the current box and report the share of a CPU they got",
			Long: `Each thread spins for N seconds (5 by default, at most 600; 1 to 64 threads).
At the end the workload reads its own CPU time (getrusage(RUSAGE_SELF): user
plus system, every thread) and hood reports it against the time it ran: about
100% of one CPU per thread on an idle machine, 50% under cpu.max "50000 100000".
Ctrl-C stops it; hood then reports its last second.`,
			Flags: []string{"--seconds"}, Run: burn},
		&Command{UsageLine: allocUsage, Short: "allocate and touch SIZE of memory in the current box, step by step, then hold it",
			Long: `SIZE and S are bytes or a whole number with K, M or G (powers of 1024), at
most 64G; S is 10M by default. Each step is mapped and written to, page by
page, so the memory is really charged to the box's cgroup (memory never
touched costs nothing); then the workload holds it all N seconds (1; at most
600) and exits. When memory.max bites, the kernel's OOM killer ends it with
SIGKILL and hood says how far it got. The workload volunteers as the OOM
killer's first choice (oom_score_adj 1000): when a SIZE too large for the
machine runs it out of memory with no limit set, the OOM killer takes the
workload, not another program.`,
			Flags: []string{"--step", "--hold"}, Run: alloc},
		&Command{UsageLine: forkbombUsage, Short: "fork processes in the current box until N (200) or until fork fails, then kill them all",
			Long: `The workload forks children that only wait, counting, until it has N (at most
10000) or fork(2) fails (EAGAIN when pids.max bites); then it kills every
child with SIGKILL, reaps them and exits. It never grows past N, and its
children die with it (PR_SET_PDEATHSIG) even if it is killed.`,
			Flags: []string{"--max"}, Run: forkbomb},
		&Command{UsageLine: writeUsage, Short: "write SIZE bytes to FILE from the current box and report the rate",
			Long: `The workload writes SIZE (bytes, or with K, M or G; at most 64G) to FILE in
1 MiB blocks: through the page cache with an fsync(2) at the end, or with
--direct using O_DIRECT (SIZE in whole 4K blocks; not every filesystem
allows it). FILE is created, or overwritten when it is a regular file; hood
refuses anything else, and anything under /dev, /proc or /sys or in a kernel
filesystem, but for a loop device made by "loop new" (within its size).
Nothing is removed afterwards: FILE stays for you to look at or delete.
io.max limits the rate of writes that reach the device.`,
			Flags: []string{"--direct"}, Run: write},
	)
}

// stdio is how the workload runs: on the learner's terminal as its
// foreground job when hood has one, as `run` runs a program.
func (s *Session) stdio() box.Stdio {
	return box.Stdio{Stdin: s.Stdin, Stdout: s.Stdout, Stderr: s.Stderr, Foreground: s.Terminal}
}

// narrateWorkload adds what every workload run shows: the box's fork, the
// child's execveat, the calls the workload made that hood narrates (a
// fork or mmap that failed), its PIDs and the box's waitpid. It returns an
// error when the workload could not start.
func (s *Session) narrateWorkload(r *result.Result, b *box.Box, w *box.Workload, inner ...result.Syscall) error {
	r.Add(w.Fork)
	if w.Fork.Failed() {
		return s.forkErr(b, w.Fork)
	}
	r.Add(w.Exec)
	r.Add(inner...)
	if w.NSPID != 0 && w.NSPID != w.PID {
		r.Say("process", "PID %d on the host, PID %d in %s's PID namespace", w.PID, w.NSPID, b.Name)
	} else {
		r.Say("process", "PID %d, in the host's PID namespace", w.PID)
	}
	r.Add(w.Waitpid)
	return nil
}

// groupValue reads a file of b's cgroup, when hood made one for it.
func (s *Session) groupValue(b *box.Box, name string) (string, bool) {
	g := s.GroupOf(b.Name)
	if g == nil {
		return "", false
	}
	v, _, err := g.Get(name)
	return strings.TrimSpace(v), err == nil
}

// stopped describes a workload a signal ended before its end; "" if none did.
func stopped(w *box.Workload) string {
	sig, ok := w.Signal()
	if !ok {
		return ""
	}
	name := box.SignalName(sig)
	if sig == syscall.SIGINT {
		name += " (Ctrl-C)"
	}
	return "by " + name
}

// calls is the failed call c as a list to narrate, empty without one.
func calls(c *result.Syscall) []result.Syscall {
	if c == nil {
		return nil
	}
	return []result.Syscall{*c}
}
