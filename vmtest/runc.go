package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// addRunc puts the host's runc, and the shared libraries it loads (ldd's
// list), at the same paths in the VM, so that the container lab's runc
// steps run under pure cgroup v2 too. Without runc on the host (CI
// installs it) the VM has none and those steps skip with their reason.
func addRunc(im image) (string, error) {
	bin, err := exec.LookPath("runc")
	if err != nil {
		for _, p := range []string{"/usr/sbin/runc", "/usr/bin/runc"} {
			if _, e := exec.LookPath(p); e == nil {
				bin, err = p, nil
				break
			}
		}
	}
	if err != nil {
		return "no runc on this host: the VM's runc steps skip", nil
	}
	bin, _ = filepath.Abs(bin)
	out, err := exec.Command("ldd", bin).Output()
	if err != nil && !strings.Contains(string(out), "statically linked") {
		return "", fmt.Errorf("ldd %s: %v", bin, err)
	}
	if err := im.file(bin, bin); err != nil {
		return "", err
	}
	libs := 0
	for _, line := range strings.Split(string(out), "\n") {
		// "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or
		// "/lib64/ld-linux-x86-64.so.2 (0x...)"; the vdso has no file.
		f := strings.Fields(line)
		var p string
		switch {
		case len(f) >= 3 && f[1] == "=>":
			p = f[2]
		case len(f) >= 1 && strings.HasPrefix(f[0], "/"):
			p = f[0]
		}
		if p == "" {
			continue
		}
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			return "", fmt.Errorf("ldd %s names %s: %v", bin, p, err)
		}
		if err := im.file(p, real); err != nil {
			return "", err
		}
		libs++
	}
	return fmt.Sprintf("runc: %s and %d libraries from the host", bin, libs), nil
}
