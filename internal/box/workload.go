package box

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
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
func (w *Workload) How() string {
	if sig, ok := w.Signal(); ok {
		return "killed by " + SignalName(sig)
	}
	return fmt.Sprintf("exited with status %d", w.Status.ExitStatus())
}

func (w *Workload) intValue(key string) int64 {
	n, _ := strconv.ParseInt(w.Values[key], 10, 64)
	return n
}

func (w *Workload) floatValue(key string) float64 {
	f, _ := strconv.ParseFloat(w.Values[key], 64)
	return f
}

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

// Write is a run of `write`.
type Write struct {
	Workload
	Path    string
	Size    int64
	Direct  bool
	Bytes   int64   // bytes written (all of Size when it finished)
	Elapsed float64 // seconds, the final fsync included
	// Refused says why the workload would not write Path (exit status 3):
	// "/proc/x is under /proc"; Bytes is then 0.
	Refused string
}

// MBps is the rate in megabytes (10^6 bytes) per second, as dd reports it.
func (w *Write) MBps() float64 {
	if w.Elapsed <= 0 {
		return 0
	}
	return float64(w.Bytes) / 1e6 / w.Elapsed
}

// MiBps is the rate in MiB (2^20 bytes) per second, the unit of io.max
// limits written as 2097152 (2 MiB/s).
func (w *Write) MiBps() float64 {
	if w.Elapsed <= 0 {
		return 0
	}
	return float64(w.Bytes) / (1 << 20) / w.Elapsed
}

// ErrSystemPath is returned for a write to a path under /dev, /proc or /sys.
var ErrSystemPath = errors.New("write touches no file under /dev, /proc or /sys")

// Write makes the box write size bytes to path in 1 MiB blocks: with
// O_DIRECT (size then in whole 4 KiB blocks), or through the page cache
// with an fsync(2) at the end. A regular file is overwritten; anything
// else, and any path under /dev, /proc or /sys or in a kernel filesystem
// (proc, sysfs, cgroup...), is refused. path is as the box sees it.
func (b *Box) Write(path string, size int64, direct bool, stdio Stdio) (*Write, error) {
	if err := CheckWritePath(path); err != nil {
		return nil, err
	}
	return b.write(path, "-", size, direct, stdio)
}

// WriteDevice is Write to a block device hood made (a loop device: `loop
// new`), which Write refuses: the workload writes to path only if it is the
// block device major:minor, and only within its size. Nothing else under
// /dev is ever written.
func (b *Box) WriteDevice(path string, major, minor uint32, size int64, direct bool, stdio Stdio) (*Write, error) {
	if major == 0 {
		return nil, fmt.Errorf("write: %s: no block device has major number 0", path)
	}
	return b.write(path, fmt.Sprintf("%d:%d", major, minor), size, direct, stdio)
}

func (b *Box) write(path, dev string, size int64, direct bool, stdio Stdio) (*Write, error) {
	if path == "" || strings.IndexByte(path, 0) >= 0 {
		return nil, fmt.Errorf("write: %q is not a file name", path)
	}
	if size < 1 || size > MaxSize {
		return nil, fmt.Errorf("write: size %d: from 1 byte to 64G", size)
	}
	if direct && size%DirectAlign != 0 {
		return nil, fmt.Errorf("write: with O_DIRECT the size is whole blocks of %d bytes; %d is not", DirectAlign, size)
	}
	d := "0"
	if direct {
		d = "1"
	}
	w, err := b.runWorkload(stdio, "write", path, strconv.FormatInt(size, 10), d, dev)
	if err != nil {
		return nil, err
	}
	r := &Write{Workload: *w, Path: path, Size: size, Direct: direct, Bytes: w.intValue("bytes"), Elapsed: w.floatValue("elapsed")}
	if r.Bytes == 0 {
		r.Bytes = w.intValue("written")
	}
	refused := ""
	if w.Status.Exited() && w.Status.ExitStatus() == exitRefused {
		refused = w.Values["refused"]
	}
	switch refused {
	case "not-regular":
		r.Refused = fmt.Sprintf("%s is a %s, not a regular file", path, strings.ReplaceAll(w.Values["type"], "-", " "))
	case "system-path":
		r.Refused = fmt.Sprintf("%s leads under /dev, /proc or /sys (symbolic links followed, as the box sees them)", path)
	case "not-the-device":
		r.Refused = fmt.Sprintf("%s is not the block device %s", path, dev)
	case "device-too-small":
		r.Refused = fmt.Sprintf("the device %s holds %s bytes, fewer than %d", path, w.Values["device_bytes"], size)
	case "pseudo-fs":
		r.Refused = fmt.Sprintf("%s is in a %s filesystem, whose files are kernel controls, not data", path, w.Values["fs"])
	}
	if r.Failed != nil {
		writeFailed(r.Failed, w, path)
	}
	return r, nil
}

// CheckWritePath refuses, before anything runs, a path that names nothing
// or is under /dev, /proc or /sys (relative paths are taken from hood's
// working directory, which is the box's). The workload checks again as the
// box sees the path, with symbolic links resolved.
func CheckWritePath(path string) error {
	if path == "" || strings.IndexByte(path, 0) >= 0 {
		return fmt.Errorf("write: %q is not a file name", path)
	}
	abs := path
	if !filepath.IsAbs(abs) {
		if wd, err := os.Getwd(); err == nil {
			abs = filepath.Join(wd, abs)
		}
	}
	abs = filepath.Clean(abs)
	for _, dir := range []string{"/dev", "/proc", "/sys"} {
		if abs == dir || strings.HasPrefix(abs, dir+"/") {
			return fmt.Errorf("%w: %s is under %s", ErrSystemPath, abs, dir)
		}
	}
	return nil
}

// who names the workload process for narration: "forkbomb (PID 7 in
// box1's PID namespace, 4321 on the host)".
func (w *Workload) who(b *Box) string {
	if w.NSPID != 0 && w.NSPID != w.PID {
		return fmt.Sprintf("%s (PID %d in %s's PID namespace, %d on the host)", w.Values["name"], w.NSPID, b.Name, w.PID)
	}
	return fmt.Sprintf("%s (PID %d)", w.Values["name"], w.PID)
}

// runWorkload starts hood's binary in the box as the workload args[0],
// reads its result lines while it runs, and waits for it.
func (b *Box) runWorkload(stdio Stdio, args ...string) (*Workload, error) {
	rd, wr, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	var null *os.File
	files := []*os.File{stdio.Stdin, stdio.Stdout, stdio.Stderr, wr}
	for i := range 3 {
		if files[i] != nil {
			continue
		}
		if null == nil {
			if null, err = os.OpenFile(os.DevNull, os.O_RDWR, 0); err != nil {
				wr.Close()
				return nil, err
			}
			defer null.Close()
		}
		files[i] = null
	}
	var flags int64 = spawnSelf
	if stdio.Foreground {
		flags |= spawnForeground
	}
	argv := append([]string{"hood-probe"}, args...)
	sp, err := b.spawnFiles(argv, []string{"HOOD_PROBE=1"}, files, flags)
	wr.Close()
	if err != nil {
		return nil, err
	}
	w := &Workload{Spawned: sp, Values: map[string]string{"name": args[0]}}
	if sp.Fork.Failed() {
		return w, nil
	}
	// Read while it runs: it must never block on a full pipe, and what it
	// said before a SIGKILL is still in the pipe.
	values := map[string]string{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(rd)
		for sc.Scan() {
			rest, ok := strings.CutPrefix(sc.Text(), resultPrefix)
			if !ok {
				continue
			}
			for _, f := range strings.Fields(rest) {
				if k, v, ok := strings.Cut(f, "="); ok {
					values[k] = v
				}
			}
		}
	}()
	st, werr := b.Wait(sp)
	// The pipe closes when the workload is gone, unless something it left
	// holds it: do not wait for that.
	_ = rd.SetReadDeadline(time.Now().Add(2 * time.Second))
	<-done
	w.Values = values
	w.Values["name"] = args[0]
	if sp.ExecFails {
		return w, fmt.Errorf("starting the %s workload in %s failed: %s", args[0], b.Name, sp.Exec.ErrName())
	}
	if werr != nil {
		return w, werr
	}
	w.Status = st
	w.NSPID, _ = strconv.Atoi(values["pid"])
	w.Waitpid = b.WaitCall(sp.PID, w.How())
	code := -1
	if st.Exited() {
		code = st.ExitStatus()
	}
	switch {
	case code == exitFailed && values["failed"] != "":
		e := syscall.Errno(w.intValue("errno"))
		w.Failed = &result.Syscall{Who: w.who(b), PID: w.PID, Name: values["failed"], Ret: -1, Errno: e}
		if e == 0 { // a write(2) that returned 0: no error, no progress
			w.Failed.Ret = w.intValue("ret")
		}
		if values["failed"] == "malloc" || values["failed"] == "realpath" {
			w.Failed.Lib = true
		}
	case code == exitRefused && values["refused"] != "":
	case code == exitBadRequest:
		return w, fmt.Errorf("the %s workload in %s refused its arguments %q", args[0], b.Name, args[1:])
	case code > 0:
		return w, fmt.Errorf("the %s workload in %s %s without saying why", args[0], b.Name, w.How())
	}
	return w, nil
}

// spawnFiles is spawn with a fourth descriptor, which the child gets as
// its fd 3 (boxproto.h, BOX_SPAWN).
func (b *Box) spawnFiles(argv, env []string, files []*os.File, flags int64) (Spawned, error) {
	var payload []byte
	for _, s := range append(append([]string(nil), argv...), env...) {
		if strings.IndexByte(s, 0) >= 0 {
			return Spawned{}, fmt.Errorf("argument %q contains a NUL byte", s)
		}
		payload = append(append(payload, s...), 0)
	}
	fds := make([]int, len(files))
	for i, f := range files {
		fds[i] = int(f.Fd())
	}
	b.forked = true
	r, err := b.c.call(opSpawn, [4]int64{flags, int64(len(argv))}, payload, fds)
	if err != nil {
		return Spawned{}, err
	}
	s := Spawned{fg: flags&spawnForeground != 0}
	s.Fork = b.fork(r)
	if r.Errno != 0 {
		return s, nil
	}
	s.PID = int(r.Ret)
	ex := reply{}
	if e := syscall.Errno(r.Aux[0]); e != 0 {
		ex = reply{Ret: -1, Errno: e}
		s.ExecFails = true
	}
	selfFD := -1
	if flags&spawnSelf != 0 {
		// boxloop.c puts hood's binary just above the error pipe: fd 4,
		// or 5 when the child gets a fourth descriptor.
		selfFD = 4
		if len(files) == 4 {
			selfFD = 5
		}
	}
	// The box looked argv[0] up on the PATH and names the file it ran.
	path := string(r.Data)
	if path == "" {
		path = argv[0]
	}
	s.Exec = execCall(s.PID, path, argv, selfFD, ex)
	return s, nil
}
