package labs

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"hood/internal/box"
	"hood/internal/caps"
	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/devbpf"
	"hood/internal/kernel/nft"
	"hood/internal/kernel/procfs"
	"hood/internal/kernel/seccomp"
	"hood/internal/oci"
	"hood/internal/rootfs"
	"hood/internal/rootless"
	"hood/internal/statedir"
)

// A requirement is something a lab or step needs from the machine. Each
// says exactly what is missing and what to do about it.
type requirementFunc func() (ok bool, missing string)

func requirement(name string) (requirementFunc, error) {
	if cmd, ok := strings.CutPrefix(name, "command:"); ok {
		return func() (bool, string) {
			if _, err := exec.LookPath(cmd); err != nil {
				return false, fmt.Sprintf("the program %s is not installed (on Debian and Ubuntu it comes with util-linux or procps: apt-get install util-linux procps)", cmd)
			}
			return true, ""
		}, nil
	}
	if sc, ok := strings.CutPrefix(name, "syscall:"); ok {
		// arm64 has no mkdir(2): a step whose filter names it cannot run there.
		return func() (bool, string) {
			if _, err := seccomp.Number(sc); err != nil {
				return false, err.Error()
			}
			return true, ""
		}, nil
	}
	if sc, ok := strings.CutPrefix(name, "no-syscall:"); ok {
		// the same step for arm64, whose mkdir(1) calls mkdirat(2)
		return func() (bool, string) {
			if _, err := seccomp.Number(sc); err == nil {
				return false, fmt.Sprintf("this is the step for a machine without %s(2), such as arm64; %s has it, and the steps before are this machine's", sc, seccomp.Native.Name)
			}
			return true, ""
		}, nil
	}
	if ns, ok := strings.CutPrefix(name, "ns:"); ok {
		return func() (bool, string) {
			if _, err := os.Stat("/proc/self/ns/" + ns); err != nil {
				return false, fmt.Sprintf("this kernel has no %s namespaces (/proc/self/ns/%s is missing; %s needs a newer kernel or CONFIG_%s_NS)", ns, ns, ns, strings.ToUpper(ns))
			}
			return true, ""
		}, nil
	}
	if ctl, ok := strings.CutPrefix(name, "controller:"); ok {
		return func() (bool, string) {
			if rootless.Active() {
				return rootless.CgroupDelegated(ctl)
			}
			hs, err := cgroup.Hierarchies("/proc", os.Getpid())
			if err != nil || len(hs) == 0 {
				return false, "no cgroup hierarchy is mounted"
			}
			for _, h := range hs {
				if h.Offers(ctl) {
					return true, ""
				}
			}
			return false, fmt.Sprintf("the %s controller is neither mounted as a v1 hierarchy nor enabled in v2 where hood can use it (cgroup mode shows what is where)", ctl)
		}, nil
	}
	switch name {
	case "cgroup-v2", "cgroup-v1":
		return func() (bool, string) {
			m := cgroup.Detect("/sys/fs/cgroup")
			if name == "cgroup-v2" && m != cgroup.Unified {
				return false, fmt.Sprintf("this step is about cgroup v2, and this machine is %s", m)
			}
			if name == "cgroup-v1" && m != cgroup.Legacy && m != cgroup.Hybrid {
				return false, fmt.Sprintf("this step is about cgroup v1, and this machine is %s", m)
			}
			return true, ""
		}, nil
	case "psi":
		return func() (bool, string) {
			for _, p := range []string{"/sys/fs/cgroup/cpu.pressure", "/sys/fs/cgroup/unified/cpu.pressure"} {
				if _, err := os.Stat(p); err == nil {
					return true, ""
				}
			}
			return false, "no pressure stall information per cgroup: PSI needs a v2 hierarchy and a kernel with CONFIG_PSI (and, on some distributions, psi=1 on the kernel command line)"
		}, nil
	case "nf_tables":
		return func() (bool, string) {
			c, err := nft.OpenHost(os.Getpid())
			if err == nil {
				_, _, err = c.Ruleset() // the first request says whether the subsystem is there
				c.Close()
			}
			if err != nil {
				return false, err.Error()
			}
			return true, ""
		}, nil
	case "root":
		return func() (bool, string) {
			if rootless.Active() {
				return false, fmt.Sprintf("this needs real root (capabilities in the host's user namespace), and hood runs as uid %d, whose boxes hold capabilities only in a user namespace of their own: start hood with sudo", os.Geteuid())
			}
			return true, ""
		}, nil
	case "userns-ids":
		// More than one uid in the boxes' user namespace (box new --uid).
		return func() (bool, string) {
			if !rootless.Active() {
				return true, ""
			}
			if p := rootless.MakePlan(); p.SubUID == nil {
				return false, fmt.Sprintf("this step starts a box as another uid, and hood's user namespace maps only yours (as uid 0): %s", p.Why)
			}
			return true, ""
		}, nil
	case "ns-caps":
		// Capabilities over the namespaces the boxes make: real root, or
		// without root the user namespace hood makes for its boxes.
		return func() (bool, string) {
			if !rootless.Active() {
				return true, ""
			}
			if ok, why := userNSOK(); !ok {
				return false, "hood runs without root, and its boxes cannot have a user namespace of their own: " + why + " (or start hood with sudo)"
			}
			return true, ""
		}, nil
	case "userns":
		return func() (bool, string) {
			if v := readInt("/proc/sys/user/max_user_namespaces"); v == 0 {
				return false, "user namespaces are switched off: /proc/sys/user/max_user_namespaces is 0 (sudo sysctl user.max_user_namespaces=15000 turns them on)"
			}
			return true, ""
		}, nil
	case "userns-unprivileged":
		return userNSOK, nil
	case "busybox-static":
		return func() (bool, string) {
			if _, err := rootfs.FindBusybox(); err != nil {
				return false, err.Error()
			}
			return true, ""
		}, nil
	case "static-hood":
		return func() (bool, string) {
			if !box.SelfStatic() {
				return false, "this hood is dynamically linked, so its helpers cannot start inside a rootfs that has no dynamic loader (mount from inside a PID namespace uses one): build it with make, which links it statically"
			}
			return true, ""
		}, nil
	case "devices-v1":
		return func() (bool, string) {
			if hs, err := cgroup.Hierarchies("/proc", os.Getpid()); err == nil && cgroup.HasV1Devices(hs) {
				return true, ""
			}
			return false, "this machine has no v1 devices hierarchy (pure cgroup v2: device access there is a BPF program of type cgroup_device attached to the group), so there is no devices.allow, devices.deny or devices.list"
		}, nil
	case "devices":
		return func() (bool, string) {
			if rootless.Active() {
				return false, fmt.Sprintf("device rules need real root, and hood runs as uid %d: on cgroup v1 they are the devices controller's files, which belong to root, and on v2 a BPF program of type cgroup_device, whose loading takes CAP_BPF or CAP_SYS_ADMIN in the host's user namespace; a user namespace gives neither. Inside one, mknod(2) of a device is refused anyway (EPERM), and the devices a box can open are those its uid may: the devices lab runs with sudo hood", os.Geteuid())
			}
			hs, err := cgroup.Hierarchies("/proc", os.Getpid())
			if err == nil && cgroup.HasV1Devices(hs) {
				return true, ""
			}
			for _, h := range hs {
				if h.Version() != 2 {
					continue
				}
				// device programs attach to any v2 group, given real root
				if err := devbpf.CanLoad(); err != nil {
					return false, fmt.Sprintf("on cgroup v2 device rules are a BPF program, and loading one failed here (bpf BPF_PROG_LOAD: %v): device programs need real root, CAP_SYS_ADMIN or CAP_BPF in the initial user namespace, which a container or a user namespace does not give", err)
				}
				return true, ""
			}
			return false, "this machine mounts neither a v1 devices hierarchy nor a cgroup v2 tree, so no group can be given device rules"
		}, nil
	case "seccomp-strict":
		return func() (bool, string) {
			st, err := procfs.New("/proc").Status(os.Getpid())
			if err == nil && st.Seccomp == 2 {
				return false, fmt.Sprintf("hood itself runs under %d seccomp filter(s) (Seccomp: 2 in /proc/%d/status: strace --seccomp-bpf or a container's profile puts one there), and the kernel lets a process in filter mode enter no other mode: prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) would fail with EINVAL", st.SeccompFilters, os.Getpid())
			}
			return true, ""
		}, nil
	case "runc":
		return func() (bool, string) {
			if _, err := oci.Find(); err != nil {
				return false, err.Error()
			}
			if hs, err := cgroup.Hierarchies("/proc", os.Getpid()); err == nil {
				if gaps := cgroup.SubtreeGaps(hs); len(gaps) > 0 {
					return false, "on cgroup v2 runc would enable controllers in cgroup.subtree_control of cgroups hood did not make (" + strings.Join(gaps, "; ") + ")"
				}
			}
			return true, ""
		}, nil
	case "file-caps":
		return func() (bool, string) {
			dir, uid, gid, err := statedir.Dir()
			if err != nil {
				return false, err.Error()
			}
			if st, err := procfs.New("/proc").Status(os.Getpid()); err == nil && st.NoNewPrivs {
				return false, fmt.Sprintf("hood runs with no_new_privs (NoNewPrivs: 1 in /proc/%d/status: strace --seccomp-bpf or a container sets it), so execve ignores file capabilities for it and every box", os.Getpid())
			}
			if err := statedir.MkdirOwned(filepath.Join(dir, "capfile"), uid, gid); err != nil {
				return false, err.Error()
			}
			why := caps.Usable(filepath.Join(dir, "capfile"))
			return why == "", why
		}, nil
	case "cgroup":
		return func() (bool, string) {
			if rootless.Active() {
				return rootless.CgroupDelegated("")
			}
			if _, err := os.Stat("/sys/fs/cgroup/cgroup.procs"); err == nil {
				return true, ""
			}
			ents, err := os.ReadDir("/sys/fs/cgroup")
			if err != nil || len(ents) == 0 {
				return false, "no cgroup filesystem is mounted at /sys/fs/cgroup"
			}
			return true, ""
		}, nil
	}
	return nil, fmt.Errorf("unknown requirement %q (known: root, ns-caps, userns-ids, runc, seccomp-strict, busybox-static, static-hood, file-caps, userns, userns-unprivileged, cgroup, cgroup-v1, cgroup-v2, devices-v1, devices, psi, nf_tables, controller:NAME, ns:TYPE, command:NAME, syscall:NAME, no-syscall:NAME)", name)
}

// userNSOK says whether an unprivileged user may create a user namespace
// and use its capabilities here.
func userNSOK() (bool, string) {
	if v := readInt("/proc/sys/user/max_user_namespaces"); v == 0 {
		return false, "user namespaces are switched off: /proc/sys/user/max_user_namespaces is 0 (sudo sysctl user.max_user_namespaces=15000 turns them on)"
	}
	if readInt("/proc/sys/kernel/unprivileged_userns_clone") == 0 {
		return false, "this kernel lets only root create user namespaces: kernel.unprivileged_userns_clone is 0 (sudo sysctl kernel.unprivileged_userns_clone=1 allows it)"
	}
	if readInt("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1 {
		return false, "AppArmor stops unprivileged users from creating user namespaces (kernel.apparmor_restrict_unprivileged_userns=1, the Ubuntu 24.04 default); for the workshop: sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0, and set it back to 1 afterwards"
	}
	return true, ""
}

// readInt reads a number from a sysctl file; -1 when the file is missing
// (the knob does not exist on this kernel, so it restricts nothing).
func readInt(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return -1
	}
	var n int
	if _, err := fmt.Sscan(strings.TrimSpace(string(data)), &n); err != nil {
		return -1
	}
	return n
}

// missing lists what the machine lacks for needs, one line each. When real
// root is what lacks, why (a step's or lab's rootless text) says what root
// is needed for and what works without it.
func missing(needs []string, why ...string) []string {
	var out []string
	for _, n := range needs {
		f, err := requirement(n)
		if err != nil {
			out = append(out, err.Error())
			continue
		}
		if ok, miss := f(); !ok {
			if n == "root" && len(why) > 0 && why[0] != "" {
				miss = fmt.Sprintf("this needs real root, and hood runs as uid %d: %s", os.Geteuid(), strings.TrimSpace(why[0]))
			}
			out = append(out, miss)
		}
	}
	return out
}

// missingNames lists the names of the needs the machine lacks.
func missingNames(needs []string) []string {
	var out []string
	for _, n := range needs {
		if f, err := requirement(n); err != nil {
			out = append(out, n)
		} else if ok, _ := f(); !ok {
			out = append(out, n)
		}
	}
	return out
}
