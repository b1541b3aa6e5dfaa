package doctor

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Facts is what doctor read about the machine. Its JSON is part of
// `hood doctor --json` (docs/doctor.md): add fields, never rename them.
type Facts struct {
	Kernel    string   `json:"kernel"` // /proc/sys/kernel/osrelease
	Arch      string   `json:"arch"`   // /proc/sys/kernel/arch, or the binary's GOARCH
	UID       int      `json:"uid"`    // hood's effective uid
	Root      bool     `json:"root"`   // uid 0
	User      int      `json:"user"`   // the invoking user: SUDO_UID under sudo, else uid
	UserGID   int      `json:"user_gid"`
	Sudo      bool     `json:"sudo"`    // root, started by sudo for User
	CapEff    string   `json:"cap_eff"` // hexadecimal, as /proc/self/status shows it
	Caps      []string `json:"caps"`    // CapEff decoded
	Cgroup    Cgroup   `json:"cgroup"`
	UserNS    UserNS   `json:"userns"`
	Subuid    []Range  `json:"subuid"` // the user's ranges in /etc/subuid
	Subgid    []Range  `json:"subgid"`
	Newuidmap string   `json:"newuidmap"` // its path, "" when not installed
	Newgidmap string   `json:"newgidmap"`
	TimeNS    bool     `json:"time_ns"`
	Seccomp   string   `json:"seccomp"`   // "filter", "strict" (no filter mode), or ""
	BPF       string   `json:"bpf"`       // "" when a device program loads; else why not
	NFTables  string   `json:"nf_tables"` // "" when the kernel has nf_tables; else why not
	Veth      string   `json:"veth"`      // "" when the kernel has veth; else why not
	Tools     []Tool   `json:"tools"`
	WSL       string   `json:"wsl"`       // "WSL2" or "WSL1" when under Windows, else ""
	Container string   `json:"container"` // "docker", "podman", "lxc", ... or ""
	Apparmor  bool     `json:"apparmor"`  // AppArmor is enabled
}

// Cgroup is the cgroup layout and what the invoking user may use.
type Cgroup struct {
	Mode        string   `json:"mode"`         // "v2", "hybrid", "v1" or "none"
	Controllers []string `json:"controllers"`  // available: v1 hierarchies, v2's cgroup.controllers
	V1          []string `json:"v1"`           // those of the v1 hierarchies
	V2          []string `json:"v2"`           // those the v2 tree offers
	DelegatedAt string   `json:"delegated_at"` // the cgroup hood runs in when the user owns it, else the user's systemd cgroup; "" when there is none
	Delegated   []string `json:"delegated"`    // its cgroup.controllers, when the user owns it
}

// UserNS is what restricts user namespaces, and what a real try gave.
type UserNS struct {
	Max               int    `json:"max"`                // user.max_user_namespaces
	UnprivilegedClone int    `json:"unprivileged_clone"` // kernel.unprivileged_userns_clone, -1 when absent
	AppArmorRestrict  int    `json:"apparmor_restrict"`  // kernel.apparmor_restrict_unprivileged_userns, -1 when absent
	Tried             bool   `json:"tried"`              // the probe ran
	Unshare           string `json:"unshare"`            // its errno name, "" when unshare(CLONE_NEWUSER) worked
	UIDMap            string `json:"uid_map"`            // its errno name writing uid_map, "" when it worked
	Usable            bool   `json:"usable"`             // the user can make one and map itself
	Why               string `json:"why"`                // when not usable
}

// Range is one line of /etc/subuid or /etc/subgid.
type Range struct {
	Start int `json:"start"`
	Count int `json:"count"`
}

// Tool is a program the labs run.
type Tool struct {
	Name    string `json:"name"`
	Path    string `json:"path"` // "" when not found
	Package string `json:"package"`
}

// readLine is a file's first line, trimmed; "" when unreadable.
func (m *Machine) readLine(path string) string {
	b, err := os.ReadFile(m.path(path))
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(line)
}

// sysctl is /proc/sys/NAME as a number, -1 when absent or not a number.
func (m *Machine) sysctl(name string) int {
	n, err := strconv.Atoi(m.readLine("/proc/sys/" + strings.ReplaceAll(name, ".", "/")))
	if err != nil {
		return -1
	}
	return n
}

func (m *Machine) path(p string) string { return filepath.Join(m.Root, p) }

func (m *Machine) exists(p string) bool {
	_, err := os.Stat(m.path(p))
	return err == nil
}

// statusField is a field of /proc/self/status ("Uid", "CapEff").
func (m *Machine) statusField(key string) string {
	f, err := os.Open(m.path("/proc/self/status"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && k == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// ranges reads the user's lines of /etc/subuid or /etc/subgid ("name:start:count"
// or "uid:start:count").
func (m *Machine) ranges(file string, uid int, name string) []Range {
	b, err := os.ReadFile(m.path(file))
	if err != nil {
		return nil
	}
	var out []Range
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(strings.TrimSpace(line), ":")
		if len(f) != 3 || (f[0] != strconv.Itoa(uid) && (name == "" || f[0] != name)) {
			continue
		}
		s, err1 := strconv.Atoi(f[1])
		c, err2 := strconv.Atoi(f[2])
		if err1 == nil && err2 == nil {
			out = append(out, Range{s, c})
		}
	}
	return out
}

// userName is uid's name in /etc/passwd, "" when it has none.
func (m *Machine) userName(uid int) string {
	b, err := os.ReadFile(m.path("/etc/passwd"))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, ":")
		if len(f) > 2 && f[2] == strconv.Itoa(uid) {
			return f[0]
		}
	}
	return ""
}
