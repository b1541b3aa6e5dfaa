package doctor

import (
	"os"
	"strings"
)

// wsl names Windows' Linux: WSL2 runs a real kernel whose release says
// "microsoft-standard-WSL2"; WSL1 translates syscalls and says "Microsoft".
func (m *Machine) wsl() string {
	v := m.readLine("/proc/version")
	lower := strings.ToLower(v)
	switch {
	case strings.Contains(lower, "wsl2") || (strings.Contains(lower, "microsoft") && strings.Contains(lower, "standard")):
		return "WSL2"
	case strings.Contains(lower, "microsoft"):
		return "WSL1"
	case m.Getenv("WSL_DISTRO_NAME") != "":
		return "WSL2"
	}
	return ""
}

// container names the container hood runs in, "" when none is seen: the
// marker files of Docker and Podman, systemd-detect-virt, init's cgroup
// and an overlay root.
func (m *Machine) container() string {
	switch {
	case m.exists("/.dockerenv"):
		return "docker"
	case m.exists("/run/.containerenv"):
		return "podman"
	}
	if v := m.readLine("/run/systemd/container"); v != "" {
		return v
	}
	if m.Probes.DetectVirt != nil {
		if v := m.Probes.DetectVirt(); v != "" && v != "none" {
			return v
		}
	}
	if b, err := os.ReadFile(m.path("/proc/1/cgroup")); err == nil {
		s := string(b)
		for _, w := range []string{"docker", "kubepods", "lxc", "libpod", "containerd"} {
			if strings.Contains(s, "/"+w) {
				return w
			}
		}
	}
	if b, err := os.ReadFile(m.path("/proc/1/environ")); err == nil && strings.Contains(string(b), "container=") {
		for _, kv := range strings.Split(string(b), "\x00") {
			if v, ok := strings.CutPrefix(kv, "container="); ok && v != "" {
				return v
			}
		}
	}
	if m.overlayRoot() {
		return "container (the root filesystem is overlay)"
	}
	return ""
}

// overlayRoot: / is an overlay mount, as a container image is.
func (m *Machine) overlayRoot() bool {
	b, err := os.ReadFile(m.path("/proc/self/mountinfo"))
	if err != nil {
		return false
	}
	overlay := false // the last mount on / is the one processes see
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 10 || f[4] != "/" {
			continue
		}
		for i, w := range f {
			if w == "-" && i+1 < len(f) {
				overlay = f[i+1] == "overlay"
				break
			}
		}
	}
	return overlay
}
