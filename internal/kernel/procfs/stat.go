package procfs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Stat is what hood reads of /proc/PID/stat.
type Stat struct {
	PID       int
	Comm      string // the task name, as in comm; may hold spaces and ')'
	State     State
	PPID      int // parent; 0 for init and kthreadd
	PGRP      int // process group
	Session   int
	TTY       int    // controlling terminal's device number, 0 for none
	TPGID     int    // foreground process group of that terminal, -1 for none
	Flags     uint64 // PF_* flags: PF_KTHREAD marks a kernel thread
	Threads   int
	StartTime uint64 // clock ticks after boot: with PID, names a process for good
}

// pfKthread is PF_KTHREAD (include/linux/sched.h).
const pfKthread = 0x00200000

// KernelThread reports whether the process is a kernel thread.
func (s Stat) KernelThread() bool { return s.Flags&pfKthread != 0 }

// State is the one-letter process state of stat and status.
type State byte

// Dead reports whether the process has exited: a zombie (Z), waiting to be
// reaped by its parent, or being reaped (X; "x" on Linux 2.6.33 to 3.13).
// This is the one definition hood uses.
func (s State) Dead() bool { return s == 'Z' || s == 'X' || s == 'x' }

// String is the state as status names it: "S (sleeping)".
func (s State) String() string {
	if n, ok := stateNames[s]; ok {
		return string(s) + " (" + n + ")"
	}
	return string(s)
}

var stateNames = map[State]string{
	'R': "running", 'S': "sleeping", 'D': "disk sleep", 'T': "stopped",
	't': "tracing stop", 'X': "dead", 'x': "dead", 'Z': "zombie",
	'P': "parked", 'I': "idle", 'K': "wakekill", 'W': "waking",
}

// Stat reads and parses /proc/PID/stat.
func (fs FS) Stat(pid int) (Stat, error) { return parse(fs, pid, "stat", ParseStat) }

// Alive reports whether pid exists and has not exited (see State.Dead). A
// stat that cannot be read or parsed counts as not alive.
func (fs FS) Alive(pid int) bool {
	st, err := fs.Stat(pid)
	return err == nil && !st.State.Dead()
}

// maxFile bounds what a parser reads: every file it parses is a few KiB.
const maxFile = 1 << 20

var errNoComm = errors.New("no (comm) after the PID")

// ParseStat parses /proc/PID/stat, one line of space-separated fields
// (proc_pid_stat(5)); only comm, in parentheses, may itself hold spaces
// and parentheses, so it runs from the first '(' to the last ')':
//
//	4242 (my (odd) prog) S 1 4200 4242 34816 4242 4194560 ... 1 0 31107 ...
//	│    │               │ │ │    │    │     │    │           │   └ (22) starttime, in clock ticks after boot
//	│    │               │ │ │    │    │     │    │           └ (20) num_threads
//	│    │               │ │ │    │    │     │    └ (9) flags, PF_*
//	│    │               │ │ │    │    │     └ (8) tpgid
//	│    │               │ │ │    │    └ (7) tty_nr
//	│    │               │ │ │    └ (6) session
//	│    │               │ │ └ (5) pgrp
//	│    │               │ └ (4) ppid
//	│    │               └ (3) state: R S D Z T t X I ...
//	│    └ (2) comm, at most 15 bytes, unescaped
//	└ (1) pid
//
// Fields after starttime (52 in all on Linux 6) are not read.
func ParseStat(r io.Reader) (Stat, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFile))
	if err != nil {
		return Stat{}, err
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	open, end := bytes.IndexByte(data, '('), bytes.LastIndexByte(data, ')')
	if open < 1 || end < open || data[open-1] != ' ' {
		return Stat{}, errNoComm
	}
	var st Stat
	if st.PID, err = strconv.Atoi(string(data[:open-1])); err != nil || st.PID <= 0 {
		return Stat{}, fmt.Errorf("field 1 (pid) %q: not a PID", data[:open-1])
	}
	st.Comm = string(data[open+1 : end])
	rest := bytes.TrimPrefix(data[end+1:], []byte(" "))
	// f[i] is field i+3: the state is field 3.
	f := bytes.Split(rest, []byte(" "))
	if len(rest) == 0 || len(f) < 20 {
		return st, fmt.Errorf("truncated: %d fields after comm, want at least 20 (to starttime)", len(f))
	}
	if len(f[0]) != 1 || !isLetter(f[0][0]) {
		return st, fmt.Errorf("field 3 (state) %q: not one letter", f[0])
	}
	st.State = State(f[0][0])
	ints := []struct {
		field int
		name  string
		v     *int
	}{{4, "ppid", &st.PPID}, {5, "pgrp", &st.PGRP}, {6, "session", &st.Session},
		{7, "tty_nr", &st.TTY}, {8, "tpgid", &st.TPGID}, {20, "num_threads", &st.Threads}}
	for _, i := range ints {
		if *i.v, err = strconv.Atoi(string(f[i.field-3])); err != nil {
			return st, fmt.Errorf("field %d (%s) %q: not a number", i.field, i.name, f[i.field-3])
		}
	}
	if st.Flags, err = strconv.ParseUint(string(f[9-3]), 10, 64); err != nil {
		return st, fmt.Errorf("field 9 (flags) %q: not a number", f[9-3])
	}
	if st.StartTime, err = strconv.ParseUint(string(f[22-3]), 10, 64); err != nil {
		return st, fmt.Errorf("field 22 (starttime) %q: not a number", f[22-3])
	}
	return st, nil
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
