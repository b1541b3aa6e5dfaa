package rootfs

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"regexp"
	"strings"
)

// MissingBusybox is the error when no static busybox is installed.
type MissingBusybox struct{ Found, Why string }

func (e *MissingBusybox) Error() string {
	msg := "rootfs make needs a statically linked busybox, and none is installed"
	if e.Found != "" {
		msg = fmt.Sprintf("rootfs make needs a statically linked busybox: %s %s, so it cannot run inside a root filesystem that has no shared libraries", e.Found, e.Why)
	}
	return msg + ": install it with `apt-get install busybox-static` (Debian, Ubuntu) or `dnf install busybox` (Fedora, whose busybox is static)"
}

// FindBusybox finds a statically linked busybox: on PATH, else /bin/busybox.
func FindBusybox() (string, error) {
	var cands []string
	if p, err := exec.LookPath("busybox"); err == nil {
		cands = append(cands, p)
	}
	cands = append(cands, "/bin/busybox", "/usr/bin/busybox")
	miss := &MissingBusybox{}
	for _, c := range cands {
		why, err := static(c)
		if err != nil {
			continue
		}
		if why == "" {
			return c, nil
		}
		miss.Found, miss.Why = c, why
	}
	return "", miss
}

// static says why the ELF file at p is not static, or "" when it is: a
// dynamically linked program names its loader in a PT_INTERP header.
func static(p string) (string, error) {
	f, err := elf.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			return "is dynamically linked (it needs a program interpreter and shared libraries)", nil
		}
	}
	return "", nil
}

// Made is what Make did, for the narration.
type Made struct {
	Info
	Busybox string // the binary copied
	Version string // "v1.35.0"
	Applets int    // symlinks made
}

var versionRE = regexp.MustCompile(`BusyBox (v[0-9][^ ]*)`)

// Make builds the root filesystem NAME from busybox-static: /bin/busybox,
// a symlink to it for each applet (what `busybox --install -s` makes, made
// here by hood so that nothing is written outside the tree), an os-release,
// passwd and group of its own, and the directories a box mounts on.
func (s Store) Make(name string) (Made, error) {
	if err := CheckName(name); err != nil {
		return Made{}, err
	}
	if _, err := os.Lstat(s.sourceFile(name)); err == nil || exists(s.Dir, name) {
		return Made{}, fmt.Errorf("a root filesystem named %s already exists (rootfs rm %s first, or choose another name)", name, name)
	}
	bb, err := FindBusybox()
	if err != nil {
		return Made{}, err
	}
	// busybox --list-full only prints the applets' install paths.
	out, err := exec.Command(bb, "--list-full").Output()
	if err != nil {
		return Made{}, fmt.Errorf("%s --list-full: %w", bb, err)
	}
	banner, _ := exec.Command(bb).Output() // busybox alone prints its banner and exits 0
	m := Made{Busybox: bb}
	if v := versionRE.FindSubmatch(banner); v != nil {
		m.Version = string(v[1])
	}
	tmp, err := s.partial(name)
	if err != nil {
		return Made{}, err
	}
	m.Applets, err = build(tmp, bb, m.Version, strings.Fields(string(out)))
	src := "made from " + bb
	if m.Version != "" {
		src += " (BusyBox " + m.Version + ")"
	}
	m.Info, err = s.finish(tmp, name, src, err)
	return m, err
}

func exists(dir, name string) bool {
	_, err := os.Lstat(dir + "/" + name)
	return err == nil
}

// build fills dir, through an os.Root so that every write stays in it.
func build(dir, bb, version string, applets []string) (int, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	if err := r.Chmod(".", 0o755); err != nil {
		return 0, err
	}
	for _, d := range []struct {
		name string
		mode os.FileMode
	}{{"bin", 0o755}, {"sbin", 0o755}, {"usr/bin", 0o755}, {"usr/sbin", 0o755}, {"etc", 0o755},
		{"proc", 0o555}, {"sys", 0o555}, {"dev", 0o755}, {"tmp", 0o1777}, {"root", 0o700}, {"var", 0o755}} {
		if err := r.MkdirAll(d.name, 0o755); err != nil {
			return 0, err
		}
		if err := r.Chmod(d.name, d.mode); err != nil {
			return 0, err
		}
	}
	if err := copyInto(r, bb, "bin/busybox"); err != nil {
		return 0, err
	}
	n := 0
	for _, a := range applets {
		a = path.Clean(strings.TrimPrefix(a, "/"))
		if a == "bin/busybox" || strings.HasPrefix(a, "..") || !strings.Contains(a, "/") || strings.Count(a, "/") > 2 {
			continue
		}
		if err := r.MkdirAll(path.Dir(a), 0o755); err != nil {
			return n, err
		}
		if err := r.Symlink("/bin/busybox", a); err != nil && !errors.Is(err, os.ErrExist) {
			return n, fmt.Errorf("symlink %s: %w", a, err)
		}
		n++
	}
	pretty := "hood busybox rootfs"
	if version != "" {
		pretty += " (BusyBox " + version + ")"
	}
	files := map[string]string{
		"etc/os-release": fmt.Sprintf("NAME=\"hood busybox rootfs\"\nID=hood\nVERSION_ID=%q\nPRETTY_NAME=%q\nHOME_URL=\"https://busybox.net/\"\n", strings.TrimPrefix(version, "v"), pretty),
		"etc/passwd":     "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
		"etc/group":      "root:x:0:\nnogroup:x:65534:\n",
		"etc/hostname":   "rootfs\n",
	}
	for name, text := range files {
		if err := r.WriteFile(name, []byte(text), 0o644); err != nil {
			return n, err
		}
	}
	return n, nil
}

// copyInto copies the host file src to name inside r, mode 0755.
func copyInto(r *os.Root, src, name string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	f, err := r.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, bytes.NewReader(data)); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return r.Chmod(name, 0o755)
}
