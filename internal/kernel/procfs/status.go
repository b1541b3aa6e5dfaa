package procfs

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Status is what hood reads of /proc/PID/status. A line the kernel does
// not write (Seccomp_filters before Linux 5.9, NSpid before 4.1) leaves
// its field zero, or nil for the NS lists.
type Status struct {
	Name  string // the task name, with \ and newline escaped by the kernel
	State State
	Tgid  int // thread group: the process's PID
	PID   int // this thread's ID
	PPid  int
	Uid   IDs
	Gid   IDs

	// The process's IDs in each PID namespace it is in, from the proc's
	// namespace down to its own: "NSpid: 4251 1" is PID 1 of a namespace.
	NStgid, NSpid, NSpgid, NSsid []int

	CapInh, CapPrm, CapEff, CapBnd, CapAmb uint64 // capability sets, bit n is capability n

	SigCgt uint64 // signals with a handler: bit n-1 is signal n

	NoNewPrivs     bool
	Seccomp        int // 0 off, 1 strict, 2 filter (SECCOMP_MODE_*)
	SeccompFilters int // filters attached
}

// Catches reports whether the process has a handler for signal sig.
func (st Status) Catches(sig int) bool {
	return sig >= 1 && sig <= 64 && st.SigCgt&(1<<(sig-1)) != 0
}

// IDs are the four IDs of a Uid: or Gid: line.
type IDs struct {
	Real, Effective, Saved, FS int
}

// Status reads and parses /proc/PID/status.
func (fs FS) Status(pid int) (Status, error) { return parse(fs, pid, "status", ParseStatus) }

// required are the lines every status has since Linux 2.6.
var required = []string{"Name", "State", "Tgid", "Pid", "PPid", "Uid", "Gid"}

// ParseStatus parses /proc/PID/status (proc_pid_status(5)), one "Key:"
// line per field, the key and its values separated by tabs:
//
//	Name:	bash                      the task name
//	State:	S (sleeping)              letter, then its name
//	Tgid:	4242                      decimal
//	Uid:	1000	1000	1000	1000   real, effective, saved, filesystem
//	NSpid:	4242	1                 one per PID namespace, outermost first
//	CapEff:	000001ffffffffff          hexadecimal bit set
//	SigCgt:	0000000000010000          signals caught, bit n-1 for signal n
//	NoNewPrivs:	0
//
// Lines hood does not read are skipped, but each must still be "Key:".
func ParseStatus(r io.Reader) (Status, error) {
	var st Status
	seen := map[string]bool{}
	sc := bufio.NewScanner(io.LimitReader(r, maxFile))
	for n := 1; sc.Scan(); n++ {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || key == "" || strings.ContainsAny(key, " \t") {
			return st, fmt.Errorf("line %d %q: want Key:\tvalue", n, sc.Text())
		}
		seen[key] = true
		if err := st.set(key, strings.TrimLeft(val, " \t")); err != nil {
			return st, fmt.Errorf("line %d %q: %s: %w", n, sc.Text(), key, err)
		}
	}
	if err := sc.Err(); err != nil {
		return st, err
	}
	for _, k := range required {
		if !seen[k] {
			return st, fmt.Errorf("no %s: line", k)
		}
	}
	return st, nil
}

// set stores one line's value, if hood reads that key.
func (st *Status) set(key, val string) error {
	var err error
	switch key {
	case "Name":
		st.Name = val
	case "State":
		if len(val) == 0 || !isLetter(val[0]) || (len(val) > 1 && val[1] != ' ') {
			return fmt.Errorf("%q: want a letter and its name", val)
		}
		st.State = State(val[0])
	case "Tgid":
		st.Tgid, err = atoi(val)
	case "Pid":
		st.PID, err = atoi(val)
	case "PPid":
		st.PPid, err = atoi(val)
	case "Uid":
		st.Uid, err = parseIDs(val)
	case "Gid":
		st.Gid, err = parseIDs(val)
	case "NStgid":
		st.NStgid, err = atois(val)
	case "NSpid":
		st.NSpid, err = atois(val)
	case "NSpgid":
		st.NSpgid, err = atois(val)
	case "NSsid":
		st.NSsid, err = atois(val)
	case "CapInh":
		st.CapInh, err = parseHex(val)
	case "CapPrm":
		st.CapPrm, err = parseHex(val)
	case "CapEff":
		st.CapEff, err = parseHex(val)
	case "CapBnd":
		st.CapBnd, err = parseHex(val)
	case "CapAmb":
		st.CapAmb, err = parseHex(val)
	case "SigCgt":
		st.SigCgt, err = parseHex(val)
	case "NoNewPrivs":
		var v int
		v, err = atoi(val)
		st.NoNewPrivs = v != 0
	case "Seccomp":
		st.Seccomp, err = atoi(val)
	case "Seccomp_filters":
		st.SeccompFilters, err = atoi(val)
	}
	return err
}

func atoi(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q: not a number", s)
	}
	return n, nil
}

// atois parses a tab-separated list of numbers.
func atois(s string) ([]int, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return nil, fmt.Errorf("no numbers")
	}
	out := make([]int, len(f))
	for i, w := range f {
		n, err := atoi(w)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

func parseIDs(s string) (IDs, error) {
	n, err := atois(s)
	if err != nil {
		return IDs{}, err
	}
	if len(n) != 4 {
		return IDs{}, fmt.Errorf("%q: want real, effective, saved and filesystem IDs", s)
	}
	return IDs{n[0], n[1], n[2], n[3]}, nil
}

// parseHex parses a capability set: 16 hexadecimal digits (ParseUint with
// base 16 takes no sign, prefix or underscore).
func parseHex(s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("%q: want up to 16 hexadecimal digits", s)
	}
	return n, nil
}
