package box

import (
	"fmt"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
	"hood/internal/result"
)

// Burn is a run of `burn`: Threads threads spinning on the CPU.
type Burn struct {
	Workload
	Threads, Seconds int
	CPU, Wall        float64 // seconds: its CPU time (user+system, all threads) and the time it ran
}

// Percent is the CPU it got as a percentage of one CPU: 50 under
// cpu.max "50000 100000", about 100 per thread on an idle machine.
func (b *Burn) Percent() float64 {
	if b.Wall <= 0 {
		return 0
	}
	return 100 * b.CPU / b.Wall
}

// Burn makes the box run threads threads that spin for seconds (1 to 64,
// 1 to 600). When it is stopped early, CPU and Wall are those of its last
// report, made every second.
func (b *Box) Burn(threads, seconds int, stdio Stdio) (*Burn, error) {
	if threads < 1 || threads > MaxThreads {
		return nil, fmt.Errorf("burn: %d threads: from 1 to %d", threads, MaxThreads)
	}
	if seconds < 1 || seconds > MaxSeconds {
		return nil, fmt.Errorf("burn: %d seconds: from 1 to %d", seconds, MaxSeconds)
	}
	w, err := b.runWorkload(stdio, "burn", strconv.Itoa(threads), strconv.Itoa(seconds))
	if err != nil {
		return nil, err
	}
	r := &Burn{Workload: *w, Threads: threads, Seconds: seconds, CPU: w.floatValue("cpu"), Wall: w.floatValue("wall")}
	if r.Failed != nil {
		// pthread_create(3) returns the error; glibc made it with clone3.
		r.Failed.Name, r.Failed.Lib = "pthread_create", true
		r.Failed.Args = []call.Arg{call.P("&thread"), call.P("&attr"), call.P("spin"), call.NULL()}
	}
	return r, nil
}

// Alloc is a run of `alloc`.
type Alloc struct {
	Workload
	Size, Step int64
	Hold       int
	Touched    int64 // bytes it had written to when it ended, step by step
}

// Alloc makes the box map size bytes step bytes at a time, write to every
// page of each step, then hold it all hold seconds. Touched says how far it
// got when it ended, also when the OOM killer ended it.
func (b *Box) Alloc(size, step int64, hold int, stdio Stdio) (*Alloc, error) {
	if size < 1 || size > MaxSize {
		return nil, fmt.Errorf("alloc: size %d: from 1 byte to 64G", size)
	}
	if step < MinStep || step > MaxSize {
		return nil, fmt.Errorf("alloc: step %d: from 4K to 64G", step)
	}
	if hold < 0 || hold > MaxSeconds {
		return nil, fmt.Errorf("alloc: hold %d s: from 0 to %d", hold, MaxSeconds)
	}
	w, err := b.runWorkload(stdio, "alloc", strconv.FormatInt(size, 10), strconv.FormatInt(step, 10), strconv.Itoa(hold))
	if err != nil {
		return nil, err
	}
	r := &Alloc{Workload: *w, Size: size, Step: step, Hold: hold, Touched: w.intValue("touched")}
	if r.Failed != nil && r.Failed.Name == "mmap" {
		const prot, flags = unix.PROT_READ | unix.PROT_WRITE, unix.MAP_PRIVATE | unix.MAP_ANONYMOUS
		r.Failed.Args = []call.Arg{call.NULL(), call.I(w.intValue("len")), call.F(prot, "PROT_READ|PROT_WRITE"),
			call.F(flags, "MAP_PRIVATE|MAP_ANONYMOUS"), call.I(-1), call.I(0)}
	}
	return r, nil
}

// Forkbomb is a run of `forkbomb`.
type Forkbomb struct {
	Workload
	Max     int
	Started int           // children it forked
	Errno   syscall.Errno // why fork stopped it before Max (EAGAIN: pids.max), or 0
	// FailedFork is the workload's fork(2) that failed, when one did.
	FailedFork result.Syscall
	Reaped     int // children it killed and reaped at the end
}

// Forkbomb makes the box run a process that forks children that only
// wait, up to limit (1 to 10000) or until fork fails, then kills and reaps
// them all.
func (b *Box) Forkbomb(limit int, stdio Stdio) (*Forkbomb, error) {
	if limit < 1 || limit > MaxForks {
		return nil, fmt.Errorf("forkbomb: max %d: from 1 to %d", limit, MaxForks)
	}
	w, err := b.runWorkload(stdio, "forkbomb", strconv.Itoa(limit))
	if err != nil {
		return nil, err
	}
	r := &Forkbomb{Workload: *w, Max: limit, Started: int(w.intValue("started")), Errno: syscall.Errno(w.intValue("errno")), Reaped: int(w.intValue("reaped"))}
	if r.Errno != 0 {
		r.FailedFork = forkCall(w.who(b), w.PID, reply{Ret: -1, Errno: r.Errno})
	}
	return r, nil
}
