package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// hostPrograms are taken from the host into the VM, at the same paths:
// runc for the container lab's runc steps, and util-linux's unshare,
// nsenter and setpriv and the shell dash, which box export's scripts need
// (the export replay tests; busybox sh runs its own nsenter applet), and
// strace, the referee of the delegated-cgroup path's narration. A program the host lacks (CI installs them) is left out, and the
// tests and steps that need it skip with their reason.
var hostPrograms = []string{"runc", "unshare", "nsenter", "setpriv", "dash", "strace"}

// addHostPrograms adds each of hostPrograms the host has, with the shared
// libraries it loads (ldd's list), and says what it added.
func addHostPrograms(im image) (string, error) {
	var got, missing []string
	for _, name := range hostPrograms {
		bin, err := exec.LookPath(name)
		if err != nil {
			for _, dir := range []string{"/usr/sbin", "/usr/bin", "/sbin"} {
				if _, e := exec.LookPath(filepath.Join(dir, name)); e == nil {
					bin, err = filepath.Join(dir, name), nil
					break
				}
			}
		}
		if err != nil {
			missing = append(missing, name)
			continue
		}
		n, err := addHostProgram(im, bin)
		if err != nil {
			return "", err
		}
		got = append(got, fmt.Sprintf("%s (%d libraries)", bin, n))
	}
	note := "from the host: " + strings.Join(got, ", ")
	if len(missing) > 0 {
		note += "; not on the host, so not in the VM: " + strings.Join(missing, ", ")
	}
	return note, nil
}

// addHostProgram adds bin and the libraries ldd lists for it.
func addHostProgram(im image, bin string) (int, error) {
	bin, _ = filepath.Abs(bin)
	out, err := exec.Command("ldd", bin).Output()
	if err != nil && !strings.Contains(string(out), "statically linked") {
		return 0, fmt.Errorf("ldd %s: %v", bin, err)
	}
	if err := im.file(bin, bin); err != nil {
		return 0, err
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
			return 0, fmt.Errorf("ldd %s names %s: %v", bin, p, err)
		}
		if err := im.file(p, real); err != nil {
			return 0, err
		}
		libs++
	}
	return libs, nil
}
