package doctor

import (
	"os"
	"sort"
	"strings"
)

// packager is how this distribution installs a program's package.
type packager struct {
	cmd  string            // "apt-get install", "dnf install"
	pkgs map[string]string // program -> package
}

var debian = map[string]string{"busybox": "busybox-static", "ip": "iproute2", "runc": "runc", "ipcmk": "util-linux", "ipcs": "util-linux",
	"getcap": "libcap2-bin", "unshare": "util-linux", "nsenter": "util-linux", "setpriv": "util-linux", "newuidmap": "uidmap", "newgidmap": "uidmap"}

var fedora = map[string]string{"busybox": "busybox", "ip": "iproute", "runc": "runc", "ipcmk": "util-linux", "ipcs": "util-linux",
	"getcap": "libcap", "unshare": "util-linux", "nsenter": "util-linux", "setpriv": "util-linux", "newuidmap": "shadow-utils", "newgidmap": "shadow-utils"}

// packager reads ID and ID_LIKE of /etc/os-release.
func (m *Machine) packager() packager {
	b, _ := os.ReadFile(m.path("/etc/os-release"))
	ids := ""
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "ID="); ok {
			ids += " " + strings.Trim(v, `"`)
		}
		if v, ok := strings.CutPrefix(line, "ID_LIKE="); ok {
			ids += " " + strings.Trim(v, `"`)
		}
	}
	for _, id := range strings.Fields(ids) {
		switch id {
		case "fedora", "rhel", "centos":
			return packager{"sudo dnf install", fedora}
		}
	}
	return packager{"sudo apt-get install", debian}
}

// install is the one command that installs programs' packages.
func (p packager) install(programs ...string) string {
	set := map[string]bool{}
	for _, prog := range programs {
		if pkg := p.pkgs[prog]; pkg != "" {
			set[pkg] = true
		}
	}
	var pkgs []string
	for k := range set {
		pkgs = append(pkgs, k)
	}
	sort.Strings(pkgs)
	return p.cmd + " " + strings.Join(pkgs, " ")
}

// exe is hood's installed path, for the commands that name it.
func (m *Machine) exe() string {
	if m.Exe != "" {
		return m.Exe
	}
	return "hood"
}
