package doctor

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"

	"hood/internal/caps"
)

// Machine is where doctor looks: a root directory and the probes that need
// the live kernel.
type Machine struct {
	Root   string              // "/" on the live machine
	Exe    string              // hood's path, for the fixes that name it
	Getenv func(string) string // SUDO_UID, WSL_DISTRO_NAME
	Probes Probes
}

// Probes are the checks that cannot be read from files.
type Probes struct {
	LookPath func(name string) (string, error)
	// UserNS tries unshare(CLONE_NEWUSER) and writing uid_map as uid:
	// the errno names of both ("" when they worked).
	UserNS func(uid, gid int) (unshare, uidMap string, err error)
	// BPF loads a cgroup device program: nil when it loads.
	BPF func() error
	// NFTables asks the kernel for the ruleset: nil when nf_tables answers.
	NFTables func() error
	// DetectVirt is systemd-detect-virt --container's answer, "" for none.
	DetectVirt func() string
	// Owner is a file's uid (nil: stat it).
	Owner func(path string) int
}

// Read gathers the facts.
func (m *Machine) Read() Facts {
	f := Facts{Kernel: m.readLine("/proc/sys/kernel/osrelease"), Arch: m.readLine("/proc/sys/kernel/arch")}
	if f.Arch == "" {
		f.Arch = runtime.GOARCH
	}
	m.identity(&f)
	f.Cgroup = m.cgroup(f.User)
	f.UserNS = m.userNS(f)
	name := m.userName(f.User)
	f.Subuid = m.ranges("/etc/subuid", f.User, name)
	f.Subgid = m.ranges("/etc/subgid", f.User, name)
	f.Newuidmap, _ = m.look("newuidmap")
	f.Newgidmap, _ = m.look("newgidmap")
	f.TimeNS = m.exists("/proc/self/ns/time")
	f.Seccomp = m.seccomp()
	f.BPF = m.bpf(f)
	f.NFTables, f.Veth = m.netFeatures(f)
	f.Tools = m.tools()
	f.WSL = m.wsl()
	f.Container = m.container()
	f.Apparmor = m.readLine("/sys/module/apparmor/parameters/enabled") == "Y"
	// Lists are lists in the JSON, [] when empty; only cgroup.delegated is
	// null, for "nothing is delegated" (docs/doctor.md).
	for _, l := range []*[]string{&f.Caps, &f.Cgroup.Controllers, &f.Cgroup.V1, &f.Cgroup.V2} {
		if *l == nil {
			*l = []string{}
		}
	}
	for _, r := range []*[]Range{&f.Subuid, &f.Subgid} {
		if *r == nil {
			*r = []Range{}
		}
	}
	return f
}

// identity: hood's uid and capabilities, and the user behind sudo.
func (m *Machine) identity(f *Facts) {
	ids := strings.Fields(m.statusField("Uid"))
	if len(ids) > 1 {
		f.UID, _ = strconv.Atoi(ids[1])
	} else {
		f.UID = os.Geteuid()
	}
	gids := strings.Fields(m.statusField("Gid"))
	if len(gids) > 1 {
		f.UserGID, _ = strconv.Atoi(gids[1])
	}
	f.Root, f.User = f.UID == 0, f.UID
	if f.Root {
		if u, err := strconv.Atoi(m.Getenv("SUDO_UID")); err == nil && u > 0 {
			f.User, f.Sudo = u, true
			f.UserGID, _ = strconv.Atoi(m.Getenv("SUDO_GID"))
		}
	}
	f.CapEff = m.statusField("CapEff")
	if set, err := strconv.ParseUint(f.CapEff, 16, 64); err == nil {
		f.Caps = caps.Decode(set)
	}
}

func (m *Machine) look(name string) (string, error) {
	if m.Probes.LookPath == nil {
		return "", exec.ErrNotFound
	}
	return m.Probes.LookPath(name)
}

// seccomp: /proc/self/status has a Seccomp line when the kernel has
// CONFIG_SECCOMP; the actions file exists when it has filter mode.
func (m *Machine) seccomp() string {
	switch {
	case m.exists("/proc/sys/kernel/seccomp/actions_avail"):
		return "filter"
	case m.statusField("Seccomp") != "":
		return "strict"
	}
	return ""
}
