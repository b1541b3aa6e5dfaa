package labs

import (
	"strconv"

	"hood/internal/kernel/procfs"
)

// countIn counts the processes whose typ link is link ("net:[4026532000]"),
// as lsns's NPROCS.
func countIn(proc procfs.FS, typ, link string) int {
	if link == "" {
		return 0
	}
	pids, err := proc.PIDs()
	if err != nil {
		return 0
	}
	n := 0
	for _, pid := range pids {
		if l, err := proc.NS(pid, typ); err == nil && l.String() == link {
			n++
		}
	}
	return n
}

// realUID is the real uid of a status, or "" when it could not be read.
func realUID(st procfs.Status, err error) string {
	if err != nil {
		return ""
	}
	return strconv.Itoa(st.Uid.Real)
}
