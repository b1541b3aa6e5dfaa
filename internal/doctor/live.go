package doctor

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"hood/internal/box"
	"hood/internal/kernel/devbpf"
	"hood/internal/kernel/nft"
	"hood/internal/rootfs"
)

// Live is this machine, with the real probes.
func Live() *Machine {
	exe, _ := os.Executable()
	if p, err := filepath.EvalSymlinks(exe); err == nil {
		exe = p
	}
	return &Machine{Root: "/", Exe: exe, Getenv: os.Getenv, Probes: Probes{
		LookPath: func(name string) (string, error) {
			if name == "busybox" {
				return rootfs.FindBusybox() // the labs copy it into a rootfs: it must be static
			}
			return exec.LookPath(name)
		},
		UserNS: func(uid, gid int) (string, string, error) {
			t, err := box.TryUserNS(uid, gid)
			if err != nil {
				return "", "", err
			}
			un, um := t.Errnos()
			return un, um, nil
		},
		BPF: devbpf.CanLoad,
		NFTables: func() error {
			c, err := nft.OpenHost(os.Getpid())
			if err != nil {
				return err
			}
			defer c.Close()
			_, _, err = c.Ruleset()
			return err
		},
		DetectVirt: func() string {
			p, err := exec.LookPath("systemd-detect-virt")
			if err != nil {
				return ""
			}
			out, _ := exec.Command(p, "--container").Output()
			return strings.TrimSpace(string(out))
		},
	}}
}
