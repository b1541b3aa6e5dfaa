package box

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// UserNSTry is what the userns probe (usernsprobe.c) saw: whether a
// process of that uid could unshare(CLONE_NEWUSER), and then write its own
// uid_map.
type UserNSTry struct {
	UID          int
	Unshare      syscall.Errno // 0: the namespace was made
	UIDMap       syscall.Errno // 0: uid_map was written (meaningless when Unshare failed)
	Dropped      bool          // false: root could not become UID first
	DroppedErrno syscall.Errno
}

// TryUserNS starts hood's own binary as the userns probe, a process of its
// own outside every box (a box is in namespaces hood made). Run as root, the
// probe becomes uid and gid first.
func TryUserNS(uid, gid int) (UserNSTry, error) {
	cmd := exec.Command("/proc/self/exe", "userns", strconv.Itoa(uid), strconv.Itoa(gid))
	cmd.Args[0] = "hood-probe"
	cmd.Env = []string{"HOOD_PROBE=1"}
	out, err := cmd.Output()
	t := UserNSTry{UID: uid, Dropped: true}
	vals := map[string]int{}
	for _, f := range strings.Fields(string(out)) {
		if k, v, ok := strings.Cut(f, "="); ok {
			n, _ := strconv.Atoi(v)
			vals[k] = n
		}
	}
	if _, ok := vals["drop"]; ok {
		t.Dropped, t.DroppedErrno = false, syscall.Errno(vals["drop_errno"])
		return t, nil
	}
	if _, ok := vals["unshare"]; !ok {
		if err == nil {
			err = fmt.Errorf("no answer")
		}
		return t, fmt.Errorf("the userns probe (%s): %v: %q", os.Args[0], err, out)
	}
	t.Unshare, t.UIDMap = syscall.Errno(vals["unshare_errno"]), syscall.Errno(vals["uid_map_errno"])
	return t, nil
}

// Errnos names the probe's failures as doctor reports them: the errno of
// unshare (or of becoming uid), or of the uid_map write; "" for success.
func (t UserNSTry) Errnos() (unshare, uidMap string) {
	switch {
	case !t.Dropped:
		return "setuid " + unix.ErrnoName(t.DroppedErrno), ""
	case t.Unshare != 0:
		return unix.ErrnoName(t.Unshare), ""
	case t.UIDMap != 0:
		return "", unix.ErrnoName(t.UIDMap)
	}
	return "", ""
}
