package commands

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"hood/internal/kernel/lsm"
	"hood/internal/result"
)

func init() {
	register(&Command{UsageLine: "lsm [TARGET]", Short: "which security modules (AppArmor, SELinux, ...) the kernel runs, and a box's labels",
		Long: `Reads /sys/kernel/security/lsm (the LSMs the kernel runs, in order), whether
AppArmor (/sys/module/apparmor/parameters/enabled) and SELinux
(/sys/fs/selinux/enforce) are on, and the target's labels in
/proc/PID/attr/current and /proc/PID/attr/apparmor/current (the box by
default). hood only reads: it mounts nothing, loads no policy. On a machine
with no LSM that confines processes it says so, and what the same commands
show on Ubuntu (AppArmor) or Fedora (SELinux), and what Docker's default
AppArmor profile would deny a container.`,
		Args: []Arg{ArgTarget}, Run: lsmCmd})
}

func lsmCmd(s *Session, args []string) (*result.Result, error) {
	tg, err := s.optionalTarget("lsm [TARGET]", args)
	if err != nil {
		return nil, err
	}
	roots := lsm.Roots{Sys: "/sys", Proc: s.ProcRoot}
	k := roots.ReadKernel()
	r := &result.Result{}
	switch {
	case k.List != nil:
		r.Say("lsm", "%s (/sys/kernel/security/lsm, in the order the kernel calls them)", strings.Join(k.List, ", "))
	case !k.Securityfs:
		r.Say("lsm", "unknown: securityfs is not mounted at /sys/kernel/security, so its lsm file is not there to read (mount -t securityfs securityfs /sys/kernel/security would mount it; hood does not change the host's mounts)")
	default:
		r.Say("lsm", "unreadable: %v", k.ListErr)
	}
	r.Say("AppArmor", "%s", onOff(k.AppArmor, "on (/sys/module/apparmor/parameters/enabled is Y)", "off or not built in (no /sys/module/apparmor/parameters/enabled reading Y)"))
	switch {
	case k.SELinux && k.Enforcing:
		r.Say("SELinux", "on, enforcing (/sys/fs/selinux/enforce is 1)")
	case k.SELinux:
		r.Say("SELinux", "on, permissive: it logs denials but refuses nothing (/sys/fs/selinux/enforce is 0)")
	default:
		r.Say("SELinux", "off or not built in (no /sys/fs/selinux)")
	}
	confined := false
	for _, l := range roots.Labels(tg.PID) {
		path := fmt.Sprintf("/proc/%d/%s", tg.PID, l.File)
		switch {
		case l.Err == nil && l.Value != "":
			r.Say("label", "%s: %s", path, l.Value)
			if l.Value != "unconfined" && !strings.HasPrefix(l.Value, "unconfined") {
				confined = true
			}
		case lsm.NoLSM(l.Err):
			answer := "reading it answers EINVAL"
			if errors.Is(l.Err, fs.ErrNotExist) {
				answer = "there is no such file"
			}
			r.Say("label", "%s: none (%s: no security module gives %s a label there)", path, answer, tg.Label)
		default:
			r.Say("label", "%s: unreadable (%v)", path, l.Err)
		}
	}
	r.Shell = fmt.Sprintf("cat /sys/kernel/security/lsm; cat /proc/%d/attr/current; aa-status; getenforce", tg.PID)
	switch {
	case confined:
		r.Meaning = fmt.Sprintf("%s runs under a security module's policy: besides namespaces, capabilities and seccomp, the policy decides which files, mounts and signals it may use.", tg.Label)
	case !k.AppArmor && !k.SELinux:
		r.Meaning = fmt.Sprintf("No AppArmor or SELinux confines %s here: what limits it is only namespaces, cgroups, capabilities and seccomp. On Ubuntu, AppArmor is on and a Docker container's label is docker-default (enforce); on Fedora, SELinux is enforcing and a container runs as system_u:system_r:container_t:s0:cN,cM. Docker's default AppArmor profile denies a container mount(2), writes to most of /proc/sys and /sys, /proc/sysrq-trigger and /proc/kcore, and ptrace of processes outside it.", tg.Label)
	default:
		r.Meaning = fmt.Sprintf("A security module is on, but %s is unconfined: its policy puts no limits on it.", tg.Label)
	}
	return r, nil
}

func onOff(on bool, yes, no string) string {
	if on {
		return yes
	}
	return no
}
