package doctor

import "fmt"

// userNS reads the three sysctls and, where the probe is there, tries for
// real as the invoking user.
func (m *Machine) userNS(f Facts) UserNS {
	u := UserNS{
		Max:               m.sysctl("user.max_user_namespaces"),
		UnprivilegedClone: m.sysctl("kernel.unprivileged_userns_clone"),
		AppArmorRestrict:  m.sysctl("kernel.apparmor_restrict_unprivileged_userns"),
	}
	switch {
	case !m.exists("/proc/self/ns/user"):
		u.Why = "this kernel has no user namespaces (/proc/self/ns/user is missing: CONFIG_USER_NS)"
	case u.Max == 0:
		u.Why = "user namespaces are switched off: user.max_user_namespaces is 0"
	case u.UnprivilegedClone == 0:
		u.Why = "only root may create user namespaces: kernel.unprivileged_userns_clone is 0"
	case u.AppArmorRestrict == 1:
		u.Why = "AppArmor denies an unprivileged user's new user namespace its capabilities: kernel.apparmor_restrict_unprivileged_userns is 1"
	}
	if m.Probes.UserNS != nil {
		un, um, err := m.Probes.UserNS(f.User, f.UserGID)
		if err == nil {
			u.Tried, u.Unshare, u.UIDMap = true, un, um
			switch {
			case un != "":
				u.Why = fmt.Sprintf("unshare(CLONE_NEWUSER) as uid %d failed with %s", f.User, un)
				if u.Max != 0 && u.UnprivilegedClone != 0 && u.AppArmorRestrict != 1 {
					u.Why += " (no sysctl here forbids it: a seccomp filter, a container's profile or an LSM does)"
				}
			case um != "":
				u.Why = fmt.Sprintf("unshare(CLONE_NEWUSER) as uid %d worked, but writing its uid_map failed with %s", f.User, um)
				if u.AppArmorRestrict == 1 {
					u.Why += ": AppArmor's restriction (kernel.apparmor_restrict_unprivileged_userns is 1) denies the new namespace its capabilities"
				}
			default:
				u.Why = "" // it worked: the sysctls said nothing that stops it
			}
		}
	}
	u.Usable = u.Why == ""
	return u
}
