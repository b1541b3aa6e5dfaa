package ns

import (
	"fmt"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// Type is one kind of namespace.
type Type struct {
	Name     string // short name as lsns(8) and /proc/PID/ns use it: "uts"
	Flag     uintptr
	FlagName string // "CLONE_NEWUTS"
	Option   string // the unshare(1)/nsenter(1) long option: "--uts"
	// ForChildren is the /proc/PID/ns link that holds the namespace the
	// process's next children will get, for the types where unshare(2) does
	// not move the caller itself (pid, time). Empty for the others.
	ForChildren string
	Isolates    string // what the namespace gives its members their own copy of
}

// Types lists every namespace type in the order nsenter(1) enters them.
var Types = []Type{
	{"user", unix.CLONE_NEWUSER, "CLONE_NEWUSER", "--user", "", "user and group IDs and capabilities"},
	{"cgroup", unix.CLONE_NEWCGROUP, "CLONE_NEWCGROUP", "--cgroup", "", "cgroup root directory"},
	{"ipc", unix.CLONE_NEWIPC, "CLONE_NEWIPC", "--ipc", "", "System V IPC objects and POSIX message queues"},
	{"uts", unix.CLONE_NEWUTS, "CLONE_NEWUTS", "--uts", "", "hostname and NIS domain name"},
	{"net", unix.CLONE_NEWNET, "CLONE_NEWNET", "--net", "", "network devices, addresses, routes, firewall rules, ports"},
	{"pid", unix.CLONE_NEWPID, "CLONE_NEWPID", "--pid", "pid_for_children", "process IDs"},
	{"mnt", unix.CLONE_NEWNS, "CLONE_NEWNS", "--mount", "", "mount table"},
	{"time", unix.CLONE_NEWTIME, "CLONE_NEWTIME", "--time", "time_for_children", "boot-time and monotonic clocks"},
}

// Lookup finds a type by its short name. "mount" is accepted for "mnt".
func Lookup(name string) (Type, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "mount" {
		name = "mnt"
	}
	for _, t := range Types {
		if t.Name == name {
			return t, true
		}
	}
	return Type{}, false
}

// Names lists the short names of all types.
func Names() []string {
	out := make([]string, len(Types))
	for i, t := range Types {
		out[i] = t.Name
	}
	return out
}

// FlagString renders a combination of CLONE_NEW* flags the way strace does,
// with the value in a comment: "CLONE_NEWUTS|CLONE_NEWNET /* 0x44000000 */".
// Bits that are not namespace flags are shown in hex.
func FlagString(flags uintptr) string {
	var names []string
	rest := flags
	sorted := append([]Type(nil), Types...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Flag < sorted[j].Flag })
	for _, t := range sorted {
		if flags&t.Flag != 0 {
			names = append(names, t.FlagName)
			rest &^= t.Flag
		}
	}
	if rest != 0 || len(names) == 0 {
		names = append(names, fmt.Sprintf("%#x", rest))
	}
	return fmt.Sprintf("%s /* %#08x */", strings.Join(names, "|"), flags)
}
