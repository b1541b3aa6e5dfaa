package commands

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"hood/internal/box"
	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/loop"
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

// opts splits a workload's words into positional arguments and options;
// valued lists the options that take a value (--step 10M or --step=10M),
// the others are switches. Words that do not start with -- are arguments,
// so that "-1" is a bad THREADS rather than an unknown option.
func opts(usage string, args []string, valued, switches []string) (pos []string, vals map[string]string, err error) {
	vals = map[string]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "--") {
			pos = append(pos, a)
			continue
		}
		name, val, hasVal := strings.Cut(a, "=")
		switch {
		case slices.Contains(valued, name):
			if !hasVal {
				if i+1 == len(args) {
					return nil, nil, result.Usagef(usage, "%s needs a value", name)
				}
				i++
				val = args[i]
			}
			if _, dup := vals[name]; dup {
				return nil, nil, result.Usagef(usage, "%s given twice", name)
			}
			vals[name] = val
		case slices.Contains(switches, name) && !hasVal:
			vals[name] = ""
		default:
			return nil, nil, result.Usagef(usage, "unknown option %q", a)
		}
	}
	return pos, vals, nil
}

// whole reads a whole number from lo to hi for what (a usage error otherwise).
func whole(usage, what, s string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, result.Usagef(usage, "%s %q: give a whole number from %d to %d", what, s, lo, hi)
	}
	return n, nil
}

func size(usage, what, s string) (int64, error) {
	n, err := box.ParseSize(s)
	if err != nil {
		return 0, result.Usagef(usage, "%s: %v", what, err)
	}
	return n, nil
}

func parseBurn(args []string) (threads, seconds int, err error) {
	pos, vals, err := opts(burnUsage, args, []string{"--seconds"}, nil)
	if err != nil {
		return 0, 0, err
	}
	threads, seconds = 1, 5
	switch {
	case len(pos) > 1:
		return 0, 0, result.Usagef(burnUsage, "one THREADS at most, such as `burn 2`")
	case len(pos) == 1:
		if threads, err = whole(burnUsage, "THREADS", pos[0], 1, box.MaxThreads); err != nil {
			return 0, 0, err
		}
	}
	if v, ok := vals["--seconds"]; ok {
		if seconds, err = whole(burnUsage, "--seconds", v, 1, box.MaxSeconds); err != nil {
			return 0, 0, err
		}
	}
	return threads, seconds, nil
}

func parseAlloc(args []string) (total, step int64, hold int, err error) {
	pos, vals, err := opts(allocUsage, args, []string{"--step", "--hold"}, nil)
	if err != nil {
		return 0, 0, 0, err
	}
	if len(pos) != 1 {
		return 0, 0, 0, result.Usagef(allocUsage, "give one SIZE, such as `alloc 100M`")
	}
	if total, err = size(allocUsage, "SIZE", pos[0]); err != nil {
		return 0, 0, 0, err
	}
	step, hold = box.DefaultStep, 1
	if v, ok := vals["--step"]; ok {
		if step, err = size(allocUsage, "--step", v); err != nil {
			return 0, 0, 0, err
		}
		if step < box.MinStep {
			return 0, 0, 0, result.Usagef(allocUsage, "--step %s: at least 4K, one page", v)
		}
	}
	if v, ok := vals["--hold"]; ok {
		if hold, err = whole(allocUsage, "--hold", v, 0, box.MaxSeconds); err != nil {
			return 0, 0, 0, err
		}
	}
	return total, step, hold, nil
}

func parseForkbomb(args []string) (int, error) {
	pos, vals, err := opts(forkbombUsage, args, []string{"--max"}, nil)
	if err != nil {
		return 0, err
	}
	if len(pos) > 0 {
		return 0, result.Usagef(forkbombUsage, "forkbomb takes no arguments; the limit is --max N")
	}
	if v, ok := vals["--max"]; ok {
		return whole(forkbombUsage, "--max", v, 1, box.MaxForks)
	}
	return box.DefaultForks, nil
}

// parseWrite reads write's words; device says whether a path is a block
// device hood made (`loop new`), the one thing under /dev write may write.
func parseWrite(args []string, device func(string) bool) (path string, n int64, direct bool, err error) {
	pos, vals, err := opts(writeUsage, args, nil, []string{"--direct"})
	if err != nil {
		return "", 0, false, err
	}
	if len(pos) != 2 {
		return "", 0, false, result.Usagef(writeUsage, "give FILE and SIZE, such as `write /tmp/hood.data 100M`")
	}
	_, direct = vals["--direct"]
	if pos[0] == "" || !device(pos[0]) {
		if err := box.CheckWritePath(pos[0]); err != nil {
			return "", 0, false, result.Usagef(writeUsage, "%v; name a regular file, such as /tmp/hood.data, or a loop device made by `loop new`", err)
		}
	}
	if n, err = size(writeUsage, "SIZE", pos[1]); err != nil {
		return "", 0, false, err
	}
	if direct && n%box.DirectAlign != 0 {
		return "", 0, false, result.Usagef(writeUsage, "with --direct SIZE is whole 4K blocks (O_DIRECT); %s is not", pos[1])
	}
	return pos[0], n, direct, nil
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

func burn(s *Session, args []string) (*result.Result, error) {
	threads, seconds, err := parseBurn(args)
	if err != nil {
		return nil, err
	}
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	w, err := b.Burn(threads, seconds, s.stdio())
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	if err := s.narrateWorkload(r, b, &w.Workload, calls(w.Failed)...); err != nil {
		return r, err
	}
	if w.Failed != nil {
		return r, kernelErr(*w.Failed, "")
	}
	plural := ""
	if threads > 1 {
		plural = "s"
	}
	got := fmt.Sprintf("%.2f s of CPU in %.2f s: %.0f%% of one CPU (%d thread%s)", w.CPU, w.Wall, w.Percent(), threads, plural)
	if how := stopped(&w.Workload); how != "" {
		r.Say("stopped", "%s; by its last report it had burned %s", how, got)
		return r, nil
	}
	r.Say("burned", "%s", got)
	s.Measure("burn.cpu_percent", w.Percent())
	r.Shell = fmt.Sprintf("timeout %d sh -c 'while :; do :; done'  # once per thread", seconds)
	cpus := runtime.NumCPU()
	r.Meaning = fmt.Sprintf("%d thread%s could have used up to %d%% of one CPU (one CPU each; hood may use %d) and got %.0f%%.", threads, plural, 100*min(threads, cpus), cpus, w.Percent())
	if v, ok := s.groupValue(b, "cpu.max"); ok && v != "" && !strings.HasPrefix(v, "max") {
		if f := strings.Fields(v); len(f) == 2 {
			q, _ := strconv.ParseFloat(f[0], 64)
			p, _ := strconv.ParseFloat(f[1], 64)
			if p > 0 {
				r.Meaning += fmt.Sprintf(" %s's cgroup has cpu.max %q: %s µs of CPU every %s µs, %.0f%% of one CPU, whatever the number of threads.", b.Name, v, f[0], f[1], 100*q/p)
			}
		}
	} else {
		r.Meaning += fmt.Sprintf(" hood has set no cpu.max on %s: other load on the machine is what held it back, if anything. `cgroup set cpu.max 50000` would hold it to 50%%.", b.Name)
	}
	return r, nil
}

func alloc(s *Session, args []string) (*result.Result, error) {
	total, step, hold, err := parseAlloc(args)
	if err != nil {
		return nil, err
	}
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	kills := func() (int64, bool) {
		v, ok := s.groupValue(b, "memory.events")
		n, has := cgroup.KV(v)["oom_kill"]
		return n, ok && has
	}
	before, known := kills()
	w, err := b.Alloc(total, step, hold, s.stdio())
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	if err := s.narrateWorkload(r, b, &w.Workload, calls(w.Failed)...); err != nil {
		return r, err
	}
	touched := box.FormatSize(w.Touched)
	s.Measure("alloc.touched_mib", float64(w.Touched)/(1<<20))
	if w.Failed != nil {
		r.Say("touched", "%s of %s before mmap failed", touched, box.FormatSize(total))
		return r, kernelErr(*w.Failed, "")
	}
	if how := stopped(&w.Workload); how != "" {
		r.Say("killed", "%s after touching %s of %s", how, touched, box.FormatSize(total))
		sig, _ := w.Signal()
		after, _ := kills()
		limit, _ := s.groupValue(b, "memory.max")
		switch {
		case known && after > before:
			r.Meaning = fmt.Sprintf("The kernel's OOM killer ended it: memory.max bites. %s's cgroup may use %s (memory.max); the workload had touched %s when it was killed (memory.events oom_kill %d -> %d).", b.Name, limitSize(limit), touched, before, after)
		case sig == syscall.SIGKILL && limit != "" && limit != "max":
			r.Meaning = fmt.Sprintf("SIGKILL at %s touched, with memory.max %s on %s's cgroup: the kernel's OOM killer, most likely.", touched, limitSize(limit), b.Name)
		case sig == syscall.SIGKILL:
			r.Meaning = "SIGKILL: the kernel's OOM killer if the machine ran out of memory (dmesg says so), or someone's kill -9."
		default:
			r.Meaning = fmt.Sprintf("It had touched %s when %s stopped it.", touched, box.SignalName(sig))
		}
		return r, nil
	}
	r.Say("touched", "%s in steps of %s, held %d s", touched, box.FormatSize(min(step, total)), hold)
	r.Meaning = fmt.Sprintf("Every page was written, so %s was charged to %s's cgroup (memory.current) while it lived: memory that is only mapped, never touched, costs nothing.", touched, b.Name)
	if limit, ok := s.groupValue(b, "memory.max"); ok && limit != "" && limit != "max" {
		r.Meaning += fmt.Sprintf(" It fit under memory.max %s.", limitSize(limit))
	}
	return r, nil
}

func forkbomb(s *Session, args []string) (*result.Result, error) {
	limit, err := parseForkbomb(args)
	if err != nil {
		return nil, err
	}
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	already := map[int]bool{}
	for _, pid := range s.Proc().Descendants(b.PID) {
		already[pid] = true
	}
	w, err := b.Forkbomb(limit, s.stdio())
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	var fork []result.Syscall
	if w.Errno != 0 {
		fork = append(fork, w.FailedFork)
	}
	if err := s.narrateWorkload(r, b, &w.Workload, fork...); err != nil {
		return r, err
	}
	s.Measure("forkbomb.started", float64(w.Started))
	how := stopped(&w.Workload)
	switch {
	case w.Errno != 0:
		r.Say("started", "%d processes, then fork() = -1 %s", w.Started, w.FailedFork.ErrName())
	case how != "":
		r.Say("started", "%d processes before it was stopped %s", w.Started, how)
	default:
		r.Say("started", "%d processes (--max %d); fork never failed", w.Started, limit)
	}
	if _, ok := w.Values["reaped"]; ok {
		r.Say("reaped", "%d: the workload killed every child with SIGKILL and reaped it", w.Reaped)
	}
	var left []string
	for _, pid := range s.Proc().Descendants(b.PID) {
		if !already[pid] {
			left = append(left, strconv.Itoa(pid))
		}
	}
	if len(left) > 0 {
		r.Say("left", "%s (hood kills and reaps them when %s closes)", strings.Join(left, " "), b.Name)
	} else {
		r.Say("left", "nothing")
	}
	pidsMax, _ := s.groupValue(b, "pids.max")
	switch w.FailedFork.ErrName() {
	case "":
		r.Meaning = fmt.Sprintf("All %d forks succeeded: nothing limited %s's number of processes below that.", w.Started, b.Name)
		if how != "" {
			r.Meaning = fmt.Sprintf("Stopped %s after %d forks; its children were killed and reaped on the way out.", how, w.Started)
		}
	case "EAGAIN":
		r.Meaning = fmt.Sprintf("fork failed with EAGAIN after %d processes: a limit on processes bites", w.Started)
		if pidsMax != "" && pidsMax != "max" {
			r.Meaning += fmt.Sprintf(", %s's pids.max %s (the box, the workload and every thread count; pids.events max counts the refusals).", b.Name, pidsMax)
		} else {
			r.Meaning += ": pids.max of a cgroup, RLIMIT_NPROC or kernel.threads-max."
		}
	case "ENOMEM":
		r.Meaning = fmt.Sprintf("fork failed with ENOMEM after %d processes: no memory for another process (memory.max), or the PID namespace's PID 1 has died.", w.Started)
	default:
		r.Meaning = fmt.Sprintf("fork failed with %s after %d processes.", w.FailedFork.ErrName(), w.Started)
	}
	return r, nil
}

// loopDevice is the loop device this session made at path, or nil.
func (s *Session) loopDevice(path string) *loop.Device {
	for _, d := range s.Loops() {
		if d.Path == filepath.Clean(path) {
			return d
		}
	}
	return nil
}

func write(s *Session, args []string) (*result.Result, error) {
	path, n, direct, err := parseWrite(args, func(p string) bool { return s.loopDevice(p) != nil })
	if err != nil {
		return nil, err
	}
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	var w *box.Write
	if d := s.loopDevice(path); d != nil {
		w, err = b.WriteDevice(path, d.Major, d.Minor, n, direct, s.stdio())
	} else {
		w, err = b.Write(path, n, direct, s.stdio())
	}
	if errors.Is(err, box.ErrSystemPath) {
		return nil, result.Usagef(writeUsage, "%v", err)
	}
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	if err := s.narrateWorkload(r, b, &w.Workload, calls(w.Failed)...); err != nil {
		return r, err
	}
	if w.Refused != "" {
		return r, result.Usagef(writeUsage, "the workload refused: %s; write makes or overwrites regular files only", w.Refused)
	}
	mode := "through the page cache, fsync included"
	if direct {
		mode = "with O_DIRECT"
	}
	rate := fmt.Sprintf("%s (%d bytes) in %.2f s: %.1f MB/s (%.1f MiB/s), %s", box.FormatSize(w.Bytes), w.Bytes, w.Elapsed, w.MBps(), w.MiBps(), mode)
	if w.Failed != nil {
		if w.Bytes > 0 {
			r.Say("wrote", "%s; then write(2) failed", rate)
		}
		return r, writeErr(*w.Failed, direct)
	}
	if how := stopped(&w.Workload); how != "" {
		r.Say("stopped", "%s after writing %s by its last report", how, box.FormatSize(w.Bytes))
		return r, nil
	}
	r.Say("wrote", "%s", rate)
	s.Measure("write.mib_per_s", w.MiBps())
	s.Measure("write.mb_per_s", w.MBps())
	if direct {
		r.Shell = fmt.Sprintf("dd if=/dev/zero of=%s bs=1M count=%d oflag=direct", path, (n+box.WriteBlock-1)/box.WriteBlock)
		r.Meaning = "O_DIRECT skipped the page cache: every 1 MiB write went to the device before write(2) returned, so the rate is the device's (and io.max's, when the box's cgroup has one)."
	} else {
		r.Shell = fmt.Sprintf("dd if=/dev/zero of=%s bs=1M count=%d conv=fsync", path, (n+box.WriteBlock-1)/box.WriteBlock)
		r.Meaning = "The writes filled the page cache and fsync(2) waited until the kernel had written it all to the device; the dirty pages were charged to the box's cgroup, and io.max throttles their writeback."
	}
	if s.loopDevice(path) == nil {
		r.Meaning += fmt.Sprintf(" %s stays; hood removes nothing.", path)
	}
	return r, nil
}

// limitSize shows a memory limit read from the cgroup (bytes) in MiB.
func limitSize(v string) string {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return v
	}
	return box.FormatSize(n)
}

// writeErr is the error for the call that stopped a write workload. EINVAL
// there has one cause hood can name only when it asked for O_DIRECT.
func writeErr(c result.Syscall, direct bool) error {
	if direct && c.ErrName() == "EINVAL" {
		return kernelErr(c, "O_DIRECT")
	}
	return kernelErr(c, "file")
}
