package commands

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"hood/internal/box"
	"hood/internal/kernel/cgroup"
	"hood/internal/result"
)

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
	s.sayLeft(r, b, already)
	pidsMax, _ := s.groupValue(b, "pids.max")
	r.Meaning = forkbombMeaning(w, b.Name, how, pidsMax)
	return r, nil
}

// sayLeft names the processes of b the workload left behind: those not
// among already, b's descendants before it ran.
func (s *Session) sayLeft(r *result.Result, b *box.Box, already map[int]bool) {
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
}

// forkbombMeaning says what ended the forks, from the errno of the fork
// that failed: how is how a signal stopped it, pidsMax the box's pids.max.
func forkbombMeaning(w *box.Forkbomb, name, how, pidsMax string) string {
	switch w.FailedFork.ErrName() {
	case "":
		if how != "" {
			return fmt.Sprintf("Stopped %s after %d forks; its children were killed and reaped on the way out.", how, w.Started)
		}
		return fmt.Sprintf("All %d forks succeeded: nothing limited %s's number of processes below that.", w.Started, name)
	case "EAGAIN":
		m := fmt.Sprintf("fork failed with EAGAIN after %d processes: a limit on processes bites", w.Started)
		if pidsMax != "" && pidsMax != "max" {
			return m + fmt.Sprintf(", %s's pids.max %s (the box, the workload and every thread count; pids.events max counts the refusals).", name, pidsMax)
		}
		return m + ": pids.max of a cgroup, RLIMIT_NPROC or kernel.threads-max."
	case "ENOMEM":
		return fmt.Sprintf("fork failed with ENOMEM after %d processes: no memory for another process (memory.max), or the PID namespace's PID 1 has died.", w.Started)
	}
	return fmt.Sprintf("fork failed with %s after %d processes.", w.FailedFork.ErrName(), w.Started)
}

// limitSize shows a memory limit read from the cgroup (bytes) in MiB.
func limitSize(v string) string {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return v
	}
	return box.FormatSize(n)
}
