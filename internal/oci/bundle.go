package oci

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"hood/internal/journal"
)

// DockerCaps are the 14 capabilities Docker leaves a container by default
// (moby's oci/caps/defaults.go).
var DockerCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// Limits are the cgroup limits of a bundle.
type Limits struct {
	MemoryBytes int64 // memory.max
	Pids        int64 // pids.max
	CPUQuota    int64 // cpu.max "QUOTA PERIOD", in microseconds
	CPUPeriod   uint64
}

// Config is what hood puts in a bundle's config.json.
type Config struct {
	Rootfs     string   // the root filesystem, an absolute path
	Hostname   string   //
	Args       []string // the container's process
	Namespaces []specs.LinuxNamespaceType
	Limits     Limits
	CgroupPath string   // linux.cgroupsPath
	Caps       []string // bounding, effective and permitted
	Deny       []string // syscalls the seccomp profile fails with EPERM
}

// MaskedPaths and ReadonlyPaths are what `runc spec` writes, and what
// Docker applies: files of /proc and /sys a container may not read (runc
// bind-mounts /dev/null on a file, an empty read-only tmpfs on a
// directory), and directories it may only read (a read-only bind of
// itself).
var (
	MaskedPaths = []string{"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
		"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
		"/sys/firmware", "/proc/scsi"}
	ReadonlyPaths = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}
)

// Spec is the runtime-spec configuration for c: runc spec's defaults
// (mounts, masked and read-only paths, a device cgroup that denies all but
// runc's defaults) with c's namespaces, hostname, limits, capabilities,
// no_new_privs and seccomp profile.
func Spec(c Config) *specs.Spec {
	var nss []specs.LinuxNamespace
	for _, t := range c.Namespaces {
		nss = append(nss, specs.LinuxNamespace{Type: t})
	}
	period := c.Limits.CPUPeriod
	quota := c.Limits.CPUQuota
	sp := &specs.Spec{
		Version:  specs.Version,
		Root:     &specs.Root{Path: c.Rootfs},
		Hostname: c.Hostname,
		Process: &specs.Process{
			User: specs.User{UID: 0, GID: 0},
			Args: c.Args,
			Env:  []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root"},
			Cwd:  "/",
			Capabilities: &specs.LinuxCapabilities{
				Bounding: c.Caps, Effective: c.Caps, Permitted: c.Caps,
			},
			NoNewPrivileges: true,
		},
		Mounts: []specs.Mount{
			{Destination: "/proc", Type: "proc", Source: "proc"},
			{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
			{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
			{Destination: "/dev/shm", Type: "tmpfs", Source: "shm", Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
			{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}},
			{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: []string{"nosuid", "noexec", "nodev", "ro"}},
		},
		Linux: &specs.Linux{
			Namespaces:  nss,
			CgroupsPath: c.CgroupPath,
			Resources: &specs.LinuxResources{
				Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}},
				Memory:  &specs.LinuxMemory{Limit: &c.Limits.MemoryBytes},
				Pids:    &specs.LinuxPids{Limit: c.Limits.Pids},
				CPU:     &specs.LinuxCPU{Quota: &quota, Period: &period},
			},
			MaskedPaths:   MaskedPaths,
			ReadonlyPaths: ReadonlyPaths,
		},
	}
	if len(c.Deny) > 0 {
		eperm := uint(1)
		sp.Linux.Seccomp = &specs.LinuxSeccomp{
			DefaultAction: specs.ActAllow,
			Architectures: []specs.Arch{specs.ArchX86_64},
			Syscalls:      []specs.LinuxSyscall{{Names: c.Deny, Action: specs.ActErrno, ErrnoRet: &eperm}},
		}
	}
	return sp
}

// Write writes sp as dir/config.json (dir is made when missing), through a
// file beside it renamed into place, so that a bundle is whole or absent.
func Write(dir string, sp *specs.Spec) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	data, err := json.MarshalIndent(sp, "", "\t")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "config.json")
	tmp, err := journal.CreateTemp(dir, ".config-*.json")
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(append(data, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	_ = journal.Remove(tmp.Name()) // renamed away (ENOENT), or failed
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, nil
}

// Load reads dir/config.json.
func Load(dir string) (*specs.Spec, error) {
	data, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return nil, err
	}
	var sp specs.Spec
	if err := json.Unmarshal(data, &sp); err != nil {
		return nil, fmt.Errorf("%s/config.json: %w", dir, err)
	}
	return &sp, nil
}

// BundleDir is where hood keeps the bundle of rootfs name, under its
// state directory stateDir.
func BundleDir(stateDir, name string) string { return filepath.Join(stateDir, "bundles", name) }
