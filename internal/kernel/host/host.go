// Package host describes the machine hood runs on, in one line: kernel,
// cgroup mode, whether user namespaces are allowed, and who is running hood.
// It reads a handful of files once, at start.
package host

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/cgroup"
)

// Info is what the start-up line says.
type Info struct {
	Kernel string
	Cgroup cgroup.Mode
	UserNS string // "allowed", or why not
	Root   bool
}

// Read gathers Info.
func Read() Info {
	var u unix.Utsname
	_ = unix.Uname(&u)
	return Info{
		Kernel: unix.ByteSliceToString(u.Release[:]),
		Cgroup: cgroup.Detect("/sys/fs/cgroup"),
		UserNS: userNS(),
		Root:   os.Geteuid() == 0,
	}
}

// sysctl reads /proc/sys/NAME, without its newline.
func sysctl(name string) (string, error) {
	b, err := os.ReadFile("/proc/sys/" + name)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// userNS says whether an unprivileged user may create a user namespace:
// the limit, Debian's old switch, and Ubuntu's AppArmor restriction.
func userNS() string {
	if v, err := sysctl("user/max_user_namespaces"); err == nil && v == "0" {
		return "disabled (user.max_user_namespaces = 0)"
	}
	if v, err := sysctl("kernel/unprivileged_userns_clone"); err == nil && v == "0" {
		return "root only (kernel.unprivileged_userns_clone = 0)"
	}
	if v, err := sysctl("kernel/apparmor_restrict_unprivileged_userns"); err == nil && v == "1" {
		return "restricted for unprivileged users by AppArmor (kernel.apparmor_restrict_unprivileged_userns = 1)"
	}
	if _, err := os.Stat("/proc/self/ns/user"); err != nil {
		return "not supported by this kernel"
	}
	return "allowed"
}

func (i Info) String() string {
	who := fmt.Sprintf("uid %d, rootless: the boxes hold their capabilities in a user namespace hood made (`explain rootless`)", os.Geteuid())
	if i.Root {
		who = "root"
	}
	return fmt.Sprintf("Linux %s · cgroups %s · user namespaces %s · running as %s", i.Kernel, i.Cgroup, i.UserNS, who)
}

// Hostname is the hostname of hood's own UTS namespace, the host's, as
// /proc/sys/kernel/hostname shows it.
func Hostname() (string, error) { return sysctl("kernel/hostname") }
