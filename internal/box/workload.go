package box

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"hood/internal/result"
)

// Built-in workloads: probes (probe.c) that load a box's CPU, memory,
// process count or disk, so that cgroup labs need no program from outside.
// Each runs in the box as `run` runs a program: forked by the box, in its
// namespaces and cgroup, on the learner's terminal. It reports to hood on
// its fd 3, a pipe, in lines of KEY=VALUE fields after "hood-probe: ".

// What hood accepts for the workloads (probe.c checks the same bounds).
const (
	MaxThreads     = 64
	MaxSeconds     = 600      // burn --seconds, alloc --hold
	MaxSize        = 64 << 30 // alloc SIZE and --step, write SIZE
	MinStep        = 4 << 10  // one page
	DefaultStep    = 10 << 20
	MaxForks       = 10000
	DefaultForks   = 200
	WriteBlock     = 1 << 20 // write's block size
	DirectAlign    = 4096    // O_DIRECT sizes are whole blocks of this
	resultPrefix   = "hood-probe: "
	exitFailed     = 1 // a call failed; the "failed=" line says which
	exitBadRequest = 2
	exitRefused    = 3
)

// ParseSize reads a workload size: bytes, or a whole number with K, M or G
// (powers of 1024, as the kernel's memparse reads them): 100M, 1G. It
// accepts 1 byte to 64G.
func ParseSize(s string) (int64, error) {
	v := strings.TrimSpace(s)
	mult := int64(1)
	if v != "" {
		switch v[len(v)-1] {
		case 'k', 'K':
			mult = 1 << 10
		case 'm', 'M':
			mult = 1 << 20
		case 'g', 'G':
			mult = 1 << 30
		}
		if mult > 1 {
			v = v[:len(v)-1]
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || v == "" || v[0] == '+' || v[0] == '-' {
		return 0, fmt.Errorf("%q is not a size: give bytes, or a whole number with K, M or G (100M, 1G)", s)
	}
	if n < 1 || n > MaxSize/mult {
		return 0, fmt.Errorf("size %s is out of range: from 1 byte to 64G", s)
	}
	return n * mult, nil
}

// FormatSize writes bytes as a learner reads them: "40 MiB", "12 KiB",
// "1.5 GiB", "100 bytes".
func FormatSize(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if n >= u.size {
			if n%u.size == 0 {
				return fmt.Sprintf("%d %s", n/u.size, u.name)
			}
			return fmt.Sprintf("%.1f %s", float64(n)/float64(u.size), u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// Stdio is where a workload's standard streams go. Nil files are
// /dev/null (what a lab check wants). With Foreground the workload takes
// the terminal as its own job, as `run` does, so Ctrl-C stops it; Stdin
// must then be the terminal.
type Stdio struct {
	Stdin, Stdout, Stderr *os.File
	Foreground            bool
}

// Workload is how one run of a built-in workload went.
type Workload struct {
	Spawned     // the box's fork and the child's execveat, the host PID
	NSPID   int // its PID as it saw itself, in the box's PID namespace
	Status  unix.WaitStatus
	Waitpid result.Syscall    // the box's waitpid(2) and how the workload ended
	Values  map[string]string // the last value of each key it reported
	// Failed is the call that stopped the workload (exit status 1), as the
	// workload made it, with the kernel's errno; nil otherwise.
	Failed *result.Syscall
}

// Finished reports whether the workload ran to its end (exit status 0).
func (w *Workload) Finished() bool {
	return !w.Fork.Failed() && w.Status.Exited() && w.Status.ExitStatus() == 0
}

// Signal is the signal that killed the workload, if one did.
func (w *Workload) Signal() (syscall.Signal, bool) {
	if w.Fork.Failed() || !w.Status.Signaled() {
		return 0, false
	}
	return w.Status.Signal(), true
}

// How says how the workload ended, as waitpid told it: "exited with
// status 0", "killed by SIGKILL".
func (w *Workload) How() string { return How(w.Status) }

func (w *Workload) intValue(key string) int64 {
	n, _ := strconv.ParseInt(w.Values[key], 10, 64)
	return n
}

func (w *Workload) floatValue(key string) float64 {
	f, _ := strconv.ParseFloat(w.Values[key], 64)
	return f
}

// who names the workload process for narration: "forkbomb (PID 7 in
// box1's PID namespace, 4321 on the host)".
func (w *Workload) who(b *Box) string {
	if w.NSPID != 0 && w.NSPID != w.PID {
		return fmt.Sprintf("%s (PID %d in %s's PID namespace, %d on the host)", w.Values["name"], w.NSPID, b.Name, w.PID)
	}
	return fmt.Sprintf("%s (PID %d)", w.Values["name"], w.PID)
}
