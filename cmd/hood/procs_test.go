package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// proc is one process, told apart from a later one with the same PID by its
// start time.
type proc struct {
	PID   int
	Start uint64
	Comm  string
}

func (p proc) String() string { return fmt.Sprintf("%d (%s)", p.PID, p.Comm) }

// readStat reads /proc/PID/stat:
//
//	4242 (comm) S 1 ...  field 3 state, 4 ppid, 22 starttime
func readStat(pid int) (state byte, start uint64, comm string, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, "", err
	}
	open, end := bytes.IndexByte(data, '('), bytes.LastIndexByte(data, ')')
	if open < 0 || end < 0 {
		return 0, 0, "", fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	f := strings.Fields(string(data[end+1:]))
	if len(f) < 20 {
		return 0, 0, "", fmt.Errorf("short /proc/%d/stat", pid)
	}
	start, err = strconv.ParseUint(f[19], 10, 64)
	return f[0][0], start, string(data[open+1 : end]), err
}

func procOf(pid int) (proc, bool) {
	_, start, comm, err := readStat(pid)
	if err != nil {
		return proc{}, false
	}
	return proc{pid, start, comm}, true
}

// gone: the process no longer exists and has been reaped. A zombie is not
// gone; a new process with the same PID means the old one is.
func (p proc) gone() bool {
	state, start, _, err := readStat(p.PID)
	return err != nil || start != p.Start || state == 'X'
}

// waitGone polls until every process is gone and returns those that are not.
func waitGone(procs []proc, timeout time.Duration) []proc {
	deadline := time.Now().Add(timeout)
	for {
		var left []proc
		for _, p := range procs {
			if !p.gone() {
				left = append(left, p)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// killLeft kills, by PID, processes this test started that are still there,
// so that a failing test leaves nothing behind.
func killLeft(procs []proc) {
	for _, p := range procs {
		if !p.gone() {
			_ = unix.Kill(p.PID, unix.SIGKILL)
		}
	}
}

// nsLinks reads /proc/PID/ns: link name -> "uts:[4026531838]".
func nsLinks(pid int) map[string]string {
	out := map[string]string{}
	entries, _ := os.ReadDir(fmt.Sprintf("/proc/%d/ns", pid))
	for _, e := range entries {
		if l, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, e.Name())); err == nil {
			out[e.Name()] = l
		}
	}
	return out
}
