package box

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// ExitSetID is the exit status of a hood that refused to run set-user-ID
// or set-group-ID (HOOD_EXIT_SETID in setid.h).
const ExitSetID = 126

// SetIDRefusal is hood's refusal to run set-user-ID or set-group-ID, or ""
// when the real and effective IDs agree and the kernel did not mark the
// execve secure (AT_SECURE). The C constructor (setid.c) refuses first,
// before Go starts; main asks again, so that a binary built without the
// constructor still refuses.
func SetIDRefusal() string {
	secure := auxv(atSecure)
	ruid, euid, rgid, egid := os.Getuid(), os.Geteuid(), os.Getgid(), os.Getegid()
	if ruid == euid && rgid == egid && secure == 0 {
		return ""
	}
	return fmt.Sprintf("hood: refusing to run set-user-ID or set-group-ID (real uid %d, effective uid %d, real gid %d, effective gid %d, AT_SECURE %d): "+
		"a setuid hood would give every user of this machine root's namespaces, mounts and cgroups. Remove the bit (chmod u-s,g-s %s) and run hood as root or with sudo.",
		ruid, euid, rgid, egid, secure, os.Args[0])
}

// auxv is the value of the auxiliary vector entry key, 0 when absent.
func auxv(key uint64) uint64 {
	v, err := unix.Auxv()
	if err != nil {
		return 0
	}
	for _, kv := range v {
		if uint64(kv[0]) == key {
			return uint64(kv[1])
		}
	}
	return 0
}

// atSecure is AT_SECURE in <linux/auxvec.h>, which x/sys/unix does not name.
const atSecure = 23
