// Package rootless says whether hood runs without real root, and finds what
// a user namespace of its own may map: the invoking user's uid and gid, and
// the subordinate ranges /etc/subuid and /etc/subgid give them, which only
// the setuid helpers newuidmap and newgidmap (package uidmap) may write.
//
// Without root, hood's first box unshares a user namespace and hood writes
// its maps from outside; every later box joins it with setns(2), so all the
// boxes of a session are in one user namespace, which owns every namespace
// they make and lets them join each other's (user_namespaces(7)).
package rootless

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"strings"

	"hood/internal/kernel/procfs"
)

// capSysAdmin is CAP_SYS_ADMIN's bit number (capability(7)).
const capSysAdmin = 21

// Active reports whether hood runs without real root: not uid 0, or uid 0
// without CAP_SYS_ADMIN in its effective set (a container that dropped it).
// HOOD_ROOTLESS=0 turns the mode off (for tests that want the plain
// unprivileged behaviour).
func Active() bool {
	if os.Getenv("HOOD_ROOTLESS") == "0" {
		return false
	}
	if os.Geteuid() != 0 {
		return true
	}
	st, err := procfs.New("/proc").Status(os.Getpid())
	return err == nil && st.CapEff&(1<<capSysAdmin) == 0
}

// Range is one subordinate range: Count IDs from Start.
type Range struct{ Start, Count uint32 }

// SubUIDFile and SubGIDFile are read for the subordinate ranges (tests
// change them).
var SubUIDFile, SubGIDFile = "/etc/subuid", "/etc/subgid"

// SubIDs is the first range file gives the user (by name or by number), or
// ok false when there is none. Lines are NAME_OR_ID:START:COUNT
// (subuid(5)).
func SubIDs(file string, uid int) (r Range, ok bool) {
	f, err := os.Open(file)
	if err != nil {
		return Range{}, false
	}
	defer f.Close()
	names := map[string]bool{strconv.Itoa(uid): true}
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		names[u.Username] = true
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := strings.Split(strings.TrimSpace(sc.Text()), ":")
		if len(p) != 3 || !names[p[0]] {
			continue
		}
		start, err1 := strconv.ParseUint(p[1], 10, 32)
		count, err2 := strconv.ParseUint(p[2], 10, 32)
		if err1 == nil && err2 == nil && count > 0 {
			return Range{uint32(start), uint32(count)}, true
		}
	}
	return Range{}, false
}

// Helpers are the paths of newuidmap and newgidmap, or why they cannot be
// used.
func Helpers() (uidmap, gidmap string, err error) {
	uidmap, err1 := exec.LookPath("newuidmap")
	gidmap, err2 := exec.LookPath("newgidmap")
	if err1 != nil || err2 != nil {
		return "", "", fmt.Errorf("newuidmap and newgidmap are not installed (apt-get install uidmap)")
	}
	return uidmap, gidmap, nil
}

// Plan is how hood will map its user namespace: the user's own uid and gid
// to 0, and where a subordinate range exists and the helpers are
// installed, that range from 1 up.
type Plan struct {
	UID, GID       int
	SubUID, SubGID *Range
	NewUIDMap      string // the helpers' paths, when the ranges are used
	NewGIDMap      string
	Why            string // why the ranges are not used, when they are not
}

// MakePlan reads the ranges and looks for the helpers.
func MakePlan() Plan {
	p := Plan{UID: os.Geteuid(), GID: os.Getegid()}
	su, ok1 := SubIDs(SubUIDFile, p.UID)
	sg, ok2 := SubIDs(SubGIDFile, p.UID)
	if !ok1 || !ok2 {
		p.Why = fmt.Sprintf("uid %d has no range in %s and %s (sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 USER gives one), so only uid 0 exists inside", p.UID, SubUIDFile, SubGIDFile)
		return p
	}
	um, gm, err := Helpers()
	if err != nil {
		p.Why = err.Error() + ", so only uid 0 exists inside, although " + SubUIDFile + " gives a range"
		return p
	}
	p.SubUID, p.SubGID, p.NewUIDMap, p.NewGIDMap = &su, &sg, um, gm
	return p
}

// Args are the arguments of newuidmap (or newgidmap) PID for own and the
// subordinate range r: "0 OWN 1 1 START COUNT".
func Args(pid, own int, r Range) []string {
	return []string{strconv.Itoa(pid), "0", strconv.Itoa(own), "1", "1", strconv.FormatUint(uint64(r.Start), 10), strconv.FormatUint(uint64(r.Count), 10)}
}
