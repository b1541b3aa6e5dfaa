package commands

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"hood/internal/kernel/cgroup"
	"hood/internal/oci"
	"hood/internal/result"
	"hood/internal/statedir"
)

func init() {
	register(&Command{UsageLine: "rootfs bundle NAME", Short: "write an OCI bundle (config.json) for the root filesystem NAME, with the capstone container's settings",
		Long: `hood writes STATEDIR/bundles/NAME/config.json, the runtime-spec
configuration runc reads (github.com/opencontainers/runtime-spec specs-go),
with root.path the root filesystem NAME and what the container lab builds
by hand: new pid, ipc, uts, net, mnt and cgroup namespaces, the hostname
NAME, memory.max 64M, pids.max 64, cpu.max "50000 100000", Docker's 14
default capabilities (bounding, effective, permitted), no_new_privs, and a
seccomp profile that fails keyctl, add_key and request_key with EPERM.
Around that, what runc spec writes and a runtime always does: /proc,
a tmpfs /dev with devpts, shm and mqueue, a read-only /sys, the masked
and read-only paths, and a device cgroup that denies every device but
runc's defaults. The process is sleep, so that there is something to
look at. Nothing is written when NAME is not a root filesystem of hood's.
Then: rootfs runc NAME.`,
		Args: []Arg{ArgRootfs}, Run: rootfsBundle})
}

// The capstone's settings: the container lab sets the same by hand.
var (
	bundleLimits = oci.Limits{MemoryBytes: 64 << 20, Pids: 64, CPUQuota: 50000, CPUPeriod: 100000}
	bundleDeny   = []string{"keyctl", "add_key", "request_key"}
	bundleNS     = []specs.LinuxNamespaceType{specs.PIDNamespace, specs.IPCNamespace, specs.UTSNamespace, specs.NetworkNamespace, specs.MountNamespace, specs.CgroupNamespace}
)

// bundleDir is where the bundle of rootfs name lives.
func bundleDir(name string) (string, error) {
	dir, _, _, err := statedir.Dir()
	if err != nil {
		return "", err
	}
	return oci.BundleDir(dir, name), nil
}

// rootfsDir is the root filesystem name, which must hold a /bin/sh.
func (s *Session) rootfsDir(usage, name string) (string, error) {
	if name == "" || strings.HasPrefix(name, "-") {
		return "", result.Usagef(usage, "name the root filesystem (rootfs ls lists them)")
	}
	st, err := s.store()
	if err != nil {
		return "", err
	}
	p, err := st.Path(name)
	if err != nil {
		return "", usageOr(usage, err)
	}
	if _, err := os.Lstat(filepath.Join(p, "bin", "sh")); err != nil {
		return "", &result.UsageError{Msg: fmt.Sprintf("there is no root filesystem %s (no %s/bin/sh): `rootfs make %s` builds one; nothing was written", name, p, name)}
	}
	return p, nil
}

// runcCgroup is linux.cgroupsPath for rootfs name: hood/runc-PID-NAME
// next to the boxes' groups. On v1 runc takes a relative path below its
// own cgroup in each hierarchy, which is hood's (runc is hood's child); on
// v2 below its cgroup's parent, so hood gives the path from the root.
func (s *Session) runcCgroup(name string) string {
	leaf := fmt.Sprintf("hood/runc-%d-%s", s.HoodPID, name)
	hs, err := s.hierarchies()
	if err != nil || cgroup.Detect("/sys/fs/cgroup") != cgroup.Unified {
		return leaf
	}
	for _, h := range hs {
		if h.Version() == 2 {
			rel, err := filepath.Rel(h.Mount, h.Base())
			if err == nil {
				return filepath.Join("/", rel, leaf)
			}
		}
	}
	return leaf
}

func rootfsBundle(s *Session, args []string) (*result.Result, error) {
	const usage = "rootfs bundle NAME"
	if len(args) != 1 {
		return nil, result.Usagef(usage, "name one root filesystem")
	}
	name := args[0]
	root, err := s.rootfsDir(usage, name)
	if err != nil {
		return nil, err
	}
	dir, err := bundleDir(name)
	if err != nil {
		return nil, err
	}
	c := oci.Config{Rootfs: root, Hostname: name, Args: []string{"/bin/sleep", "86400"},
		Namespaces: bundleNS, Limits: bundleLimits, CgroupPath: s.runcCgroup(name),
		Caps: oci.DockerCaps, Deny: bundleDeny}
	_, uid, gid, err := statedir.Dir()
	if err != nil {
		return nil, err
	}
	path, err := oci.Write(dir, oci.Spec(c), uid, gid)
	if err != nil {
		return nil, err
	}
	var nss []string
	for _, t := range bundleNS {
		nss = append(nss, string(t))
	}
	r := &result.Result{}
	r.Say("wrote", "%s (ociVersion %s)", path, specs.Version)
	r.Say("root", "%s", root)
	r.Say("namespaces", "%s (linux.namespaces)", strings.Join(nss, " "))
	r.Say("hostname", "%s", name)
	r.Say("cgroup", "%s (linux.cgroupsPath): memory.max %d, pids.max %d, cpu.max \"%d %d\"", c.CgroupPath, c.Limits.MemoryBytes, c.Limits.Pids, c.Limits.CPUQuota, c.Limits.CPUPeriod)
	r.Say("capabilities", "%s (process.capabilities: bounding, effective, permitted)", strings.Join(c.Caps, " "))
	r.Say("no_new_privs", "true (process.noNewPrivileges)")
	r.Say("seccomp", "%s -> SCMP_ACT_ERRNO (EPERM); every other call SCMP_ACT_ALLOW", strings.Join(c.Deny, " "))
	r.Say("masked", "%s (linux.maskedPaths)", strings.Join(oci.MaskedPaths, " "))
	r.Say("read-only", "%s (linux.readonlyPaths)", strings.Join(oci.ReadonlyPaths, " "))
	r.Say("process", "%s", strings.Join(c.Args, " "))
	r.Shell = fmt.Sprintf("mkdir -p %s && runc spec --bundle %s   # then set root.path to %s, and the rest as above, in its config.json", dir, dir, root)
	r.Meaning = "A bundle is only a directory with a config.json: every step the container lab makes by hand is a field there, and the runtime makes the same system calls from it. `rootfs runc " + name + "` starts it."
	return r, nil
}

// removeBundle removes the bundle of rootfs name, if it has one: it
// names a root filesystem that is gone.
func (s *Session) removeBundle(r *result.Result, name string) {
	dir, err := bundleDir(name)
	if err != nil {
		return
	}
	if _, err := os.Stat(dir); err != nil {
		return
	}
	if err := os.RemoveAll(dir); err != nil {
		r.Say("bundle", "%s could not be removed: %v", dir, err)
		return
	}
	r.Say("removed", "%s (its bundle)", dir)
}
