package doctor

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// bpf: a cgroup device program loads (v2 device rules are one). Without
// root the kernel refuses it, and the probe is not run.
func (m *Machine) bpf(f Facts) string {
	if !f.Root {
		return "not tried: loading a device program needs root (CAP_SYS_ADMIN or CAP_BPF in the initial user namespace)"
	}
	if m.Probes.BPF == nil {
		return "not tried"
	}
	if err := m.Probes.BPF(); err != nil {
		return fmt.Sprintf("bpf(BPF_PROG_LOAD) of a cgroup_device program failed: %v", err)
	}
	return ""
}

// netFeatures: whether the kernel has nf_tables and veth. As root the
// netlink request answers for nf_tables; otherwise (and for veth) the
// kernel's symbols, loaded modules and module list do.
func (m *Machine) netFeatures(f Facts) (nft, veth string) {
	syms := m.symbols("nf_tables_init_net", "veth_setup")
	mod := func(name, sym string) bool {
		return syms[sym] || m.exists("/sys/module/"+name) || m.moduleFile(f.Kernel, name)
	}
	if f.Root && m.Probes.NFTables != nil {
		if err := m.Probes.NFTables(); err != nil {
			nft = err.Error()
		}
	} else if !mod("nf_tables", "nf_tables_init_net") {
		nft = "the kernel has no nf_tables: not built in, not loaded, and no nf_tables module in /lib/modules/" + f.Kernel
	}
	if !mod("veth", "veth_setup") {
		veth = "the kernel has no veth: not built in, not loaded, and no veth module in /lib/modules/" + f.Kernel
	}
	return nft, veth
}

// symbols looks for names in /proc/kallsyms (names are readable by every
// user; only the addresses are hidden).
func (m *Machine) symbols(names ...string) map[string]bool {
	found := map[string]bool{}
	file, err := os.Open(m.path("/proc/kallsyms"))
	if err != nil {
		return found
	}
	defer file.Close()
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	sc := bufio.NewScanner(file)
	for sc.Scan() && len(found) < len(want) {
		f := strings.Fields(sc.Text())
		if len(f) >= 3 && want[f[2]] {
			found[f[2]] = true
		}
	}
	return found
}

// moduleFile: modules.builtin or modules.dep of the running kernel names
// the module (a module the kernel loads on first use).
func (m *Machine) moduleFile(release, name string) bool {
	for _, list := range []string{"modules.builtin", "modules.dep"} {
		b, err := os.ReadFile(m.path("/lib/modules/" + release + "/" + list))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			p, _, _ := strings.Cut(line, ":")
			base := p[strings.LastIndex(p, "/")+1:]
			if strings.HasPrefix(base, name+".ko") {
				return true
			}
		}
	}
	return false
}

// tools are the programs labs and steps run, and the Debian package of each.
var tools = []Tool{
	{Name: "busybox", Package: "busybox-static"}, // a static one: the labs copy it into a rootfs
	{Name: "ip", Package: "iproute2"},
	{Name: "runc", Package: "runc"},
	{Name: "ipcmk", Package: "util-linux"},
	{Name: "ipcs", Package: "util-linux"},
	{Name: "getcap", Package: "libcap2-bin"},
	{Name: "unshare", Package: "util-linux"},
	{Name: "nsenter", Package: "util-linux"},
	{Name: "setpriv", Package: "util-linux"},
	{Name: "newuidmap", Package: "uidmap"},
	{Name: "newgidmap", Package: "uidmap"},
}

func (m *Machine) tools() []Tool {
	out := make([]Tool, len(tools))
	for i, t := range tools {
		out[i] = t
		out[i].Path, _ = m.look(t.Name)
	}
	return out
}
