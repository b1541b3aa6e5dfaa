package doctor

import (
	"fmt"
	"slices"
	"strings"

	"hood/internal/caps"
)

// want are the controllers the cgroup labs use, and the Delegate= line
// that gives them to every user's systemd.
var want = []string{"cpu", "cpuset", "io", "memory", "pids"}

const delegateFix = `mkdir -p /etc/systemd/system/user@.service.d && printf '[Service]\nDelegate=cpu cpuset io memory pids\n' > /etc/systemd/system/user@.service.d/delegate.conf && systemctl daemon-reload`

// checks turns the facts into rows, each failed one with its fix.
func checks(m *Machine, f Facts) []Check {
	pm := m.packager()
	var out []Check
	add := func(id, status, value, fix string) {
		out = append(out, Check{ID: id, Status: status, Value: value, Fix: fix})
	}
	add("kernel", "ok", f.Kernel+" "+f.Arch, "")

	who := fmt.Sprintf("uid %d, not root", f.UID)
	if n := m.userName(f.UID); n != "" {
		who = fmt.Sprintf("uid %d (%s), not root", f.UID, n)
	}
	switch {
	case f.Sudo:
		add("user", "ok", fmt.Sprintf("root, by sudo for uid %d", f.User), "")
	case f.Root:
		add("user", "ok", "root", "")
	default:
		add("user", "info", who+": labs run rootless where they can", "sudo "+m.exe()+" doctor: the labs that need root")
	}
	capsCheck(add, f)
	cgroupCheck(add, f)
	delegationCheck(add, f)
	usernsCheck(m, add, f)
	subidCheck(m, add, f, pm)
	if f.TimeNS {
		add("time-ns", "ok", "yes (/proc/self/ns/time)", "")
	} else {
		add("time-ns", "fail", "no time namespaces (Linux 5.6 and later, CONFIG_TIME_NS)", "a kernel 5.6 or later built with CONFIG_TIME_NS: without it the time lab cannot run")
	}
	switch f.Seccomp {
	case "filter":
		v := "filter mode (SECCOMP_MODE_FILTER)"
		if m.statusField("Seccomp") == "2" {
			v += "; hood itself runs under a filter (Seccomp: 2 in /proc/self/status), so the seccomp lab's strict-mode step skips"
		}
		add("seccomp", "ok", v, "")
	case "strict":
		add("seccomp", "fail", "strict mode only: no filter mode (CONFIG_SECCOMP_FILTER)", "a kernel built with CONFIG_SECCOMP_FILTER")
	default:
		add("seccomp", "fail", "no seccomp (CONFIG_SECCOMP)", "a kernel built with CONFIG_SECCOMP_FILTER")
	}
	switch {
	case f.BPF == "":
		add("bpf", "ok", "a cgroup_device program loads (v2 device rules)", "")
	case !f.Root:
		add("bpf", "info", f.BPF, "sudo "+m.exe()+" doctor tries it")
	default:
		add("bpf", "fail", f.BPF, "a kernel with CONFIG_BPF_SYSCALL and CONFIG_CGROUP_BPF, outside a container")
	}
	if f.NFTables == "" {
		add("nf_tables", "ok", "yes", "")
	} else {
		add("nf_tables", "fail", f.NFTables, "sudo modprobe nf_tables")
	}
	if f.Veth == "" {
		add("veth", "ok", "yes", "")
	} else {
		add("veth", "fail", f.Veth, "sudo modprobe veth")
	}
	toolsCheck(add, f, pm)
	switch f.WSL {
	case "WSL2":
		add("wsl", "info", "WSL2: a real Linux kernel in a VM; its cgroups are often hybrid", "")
	case "WSL1":
		add("wsl", "fail", "WSL1 translates syscalls and has no namespaces or cgroups", "wsl --set-version DISTRO 2 (in Windows)")
	default:
		add("wsl", "ok", "no", "")
	}
	if f.Container != "" {
		add("container", "info", "inside "+f.Container+": the container's seccomp profile, capabilities and cgroup decide what works, not the host's", "run hood on the host or in a VM (or the container --privileged)")
	} else {
		add("container", "ok", "none seen", "")
	}
	return out
}

type addFunc func(id, status, value, fix string)

func capsCheck(add addFunc, f Facts) {
	set, _ := parseHex(f.CapEff)
	switch {
	case f.Root && set&caps.All == caps.All:
		add("caps", "ok", "CapEff: "+caps.Words(set), "")
	case f.Root:
		add("caps", "fail", "root without every capability: CapEff "+caps.Words(set), "run hood outside the container, or start it with every capability (--privileged)")
	default:
		add("caps", "info", "CapEff: "+caps.Words(set)+" (an unprivileged user's)", "")
	}
}

func parseHex(s string) (uint64, error) {
	var n uint64
	_, err := fmt.Sscanf(s, "%x", &n)
	return n, err
}

func cgroupCheck(add addFunc, f Facts) {
	c := f.Cgroup
	ctl := strings.Join(c.Controllers, " ")
	switch c.Mode {
	case "v2":
		add("cgroup", "ok", "v2: "+ctl, "")
	case "hybrid":
		v2 := strings.Join(c.V2, " ")
		if v2 == "" {
			v2 = "none"
		}
		add("cgroup", "ok", fmt.Sprintf("hybrid: v1 %s; v2 controllers: %s", strings.Join(c.V1, " "), v2), "")
	case "v1":
		add("cgroup", "ok", "v1: "+ctl, "")
	default:
		add("cgroup", "fail", "no cgroup filesystem in /proc/self/mountinfo", "mount -t cgroup2 none /sys/fs/cgroup")
	}
}

func delegationCheck(add addFunc, f Facts) {
	c := f.Cgroup
	unified := "boot with systemd.unified_cgroup_hierarchy=1 (cgroup v2) for rootless cgroups"
	if f.WSL == "WSL2" {
		unified = `cgroup v2 in WSL2: kernelCommandLine = cgroup_no_v1=all under [wsl2] in %UserProfile%\.wslconfig, systemd=true under [boot] in /etc/wsl.conf, then wsl --shutdown`
	}
	switch {
	case f.User == 0:
		add("delegation", "info", "hood runs as root, which needs none", "")
	case c.Mode == "v1":
		add("delegation", "fail", "cgroup v1: nothing can be delegated to uid "+fmt.Sprint(f.User), unified)
	case c.DelegatedAt == "":
		fix := "log in through systemd (ssh or a desktop session, not su): user@UID.service is the user's cgroup"
		if c.Mode == "hybrid" {
			fix = unified
		}
		add("delegation", "fail", fmt.Sprintf("no cgroup of uid %d's systemd (user@%d.service)", f.User, f.User), fix)
	case c.Delegated == nil:
		add("delegation", "fail", c.DelegatedAt+" is not owned by uid "+fmt.Sprint(f.User), "sudo "+delegateFix)
	default:
		var lack []string
		for _, w := range want {
			if !slices.Contains(c.Delegated, w) {
				lack = append(lack, w)
			}
		}
		got := strings.Join(c.Delegated, " ")
		if got == "" {
			got = "none"
		}
		if len(lack) == 0 {
			add("delegation", "ok", "uid "+fmt.Sprint(f.User)+": "+got, "")
		} else {
			add("delegation", "fail", fmt.Sprintf("uid %d: %s; not %s", f.User, got, strings.Join(lack, " ")), "sudo sh -c '"+strings.ReplaceAll(delegateFix, "'", `'\''`)+"' and log in again")
		}
	}
}

func usernsCheck(m *Machine, add addFunc, f Facts) {
	u := f.UserNS
	if u.Usable {
		how := "allowed by the sysctls"
		if u.Tried {
			how = fmt.Sprintf("uid %d: unshare(CLONE_NEWUSER) and uid_map worked", f.User)
		}
		add("userns", "ok", how, "")
		return
	}
	fix := ""
	switch {
	case u.Max == 0:
		fix = "sudo sysctl -w user.max_user_namespaces=15000"
	case u.UnprivilegedClone == 0:
		fix = "sudo sysctl -w kernel.unprivileged_userns_clone=1"
	case u.AppArmorRestrict == 1:
		fix = apparmorFix(m.exe()) + " (or, for the workshop only: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0)"
	case f.Container != "":
		fix = "the container forbids it: run hood on the host or in a VM"
	default:
		fix = "no sysctl forbids it, so a security module or a seccomp filter does: hood's lsm command shows the modules, and Seccomp: 2 in /proc/self/status a filter"
	}
	add("userns", "fail", u.Why, fix)
}

// apparmorFix is the profile that lets hood's binary make user namespaces
// when Ubuntu restricts them, as Ubuntu ships for its own programs.
func apparmorFix(exe string) string {
	return fmt.Sprintf(`printf 'abi <abi/4.0>,\ninclude <tunables/global>\nprofile hood %s flags=(unconfined) {\n  userns,\n}\n' | sudo tee /etc/apparmor.d/hood && sudo apparmor_parser -r /etc/apparmor.d/hood`, exe)
}

func subidCheck(m *Machine, add addFunc, f Facts, pm packager) {
	if f.User == 0 {
		add("subuid", "info", "root maps any uid: no /etc/subuid range needed", "")
	} else if len(f.Subuid) == 0 || len(f.Subgid) == 0 {
		name := m.userName(f.User)
		if name == "" {
			name = fmt.Sprint(f.User)
		}
		add("subuid", "fail", fmt.Sprintf("uid %d has no range in /etc/subuid and /etc/subgid: a box maps only the user's own uid", f.User),
			fmt.Sprintf("sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %s", name))
	} else {
		add("subuid", "ok", fmt.Sprintf("uid %d: subuid %s, subgid %s", f.User, rangesText(f.Subuid), rangesText(f.Subgid)), "")
	}
	switch {
	case f.Newuidmap != "" && f.Newgidmap != "":
		add("newuidmap", "ok", f.Newuidmap+", "+f.Newgidmap, "")
	case f.User == 0:
		add("newuidmap", "info", "not installed; root needs neither", "")
	default:
		add("newuidmap", "fail", "newuidmap or newgidmap is not installed: the subuid range cannot be mapped", pm.install("newuidmap"))
	}
}

func rangesText(rs []Range) string {
	var s []string
	for _, r := range rs {
		s = append(s, fmt.Sprintf("%d-%d", r.Start, r.Start+r.Count-1))
	}
	return strings.Join(s, " ")
}

func toolsCheck(add addFunc, f Facts, pm packager) {
	var have, lack []string
	for _, t := range f.Tools {
		if t.Name == "newuidmap" || t.Name == "newgidmap" {
			continue // their own row
		}
		if t.Path != "" {
			have = append(have, t.Name)
		} else {
			lack = append(lack, t.Name)
		}
	}
	if len(lack) == 0 {
		add("programs", "ok", strings.Join(have, " "), "")
		return
	}
	add("programs", "fail", "missing: "+strings.Join(lack, " "), pm.install(lack...))
}
