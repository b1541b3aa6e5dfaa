package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The VM's kernel and busybox come from Debian's packages, downloaded with
// apt-get download and unpacked into the cache, never installed: the host's
// own kernel and /bin stay as they are. Another architecture's packages
// (arm64 on an amd64 host) come through an apt of the cache's own
// (foreignApt), so that the host's dpkg architectures stay as they are.

// modules are the kernel's modules the VM loads, in this order, from the
// package's lib/modules/VERSION/kernel/: loop for loop devices (the io
// controller needs a block device to limit), veth for pairs of network
// devices, and for the net lab's firewall rule nf_tables with what it
// needs: nfnetlink, and libcrc32c, which needs a crc32c algorithm
// (crc32c_generic; the VM has no modprobe to ask for one).
var modules = []string{"drivers/block/loop.ko", "drivers/net/veth.ko", "crypto/crc32c_generic.ko", "lib/libcrc32c.ko",
	"net/netfilter/nfnetlink.ko", "net/netfilter/nf_tables.ko"}

// cached says whether the kernel directory has vmlinux and every module
// (a cache from before a module was added is fetched again).
func cached(t *target, out string) bool {
	if _, err := os.Stat(filepath.Join(out, t.KernelFile)); err != nil {
		return false
	}
	for _, m := range t.modules() {
		if _, err := os.Stat(filepath.Join(out, "modules", filepath.Base(m))); err != nil {
			return false
		}
	}
	return true
}

// kernel returns the cached directory with vmlinux, the ELF kernel (on
// arm64 Image, the kernel's own boot image), and modules/*.ko, fetching
// linux-image-amd64's (linux-image-arm64's) kernel package the first time:
//
//	.cache/vmtest/kernel/vmlinux
//	                    /modules/loop.ko veth.ko nf_tables.ko ...
//	                    /config          the kernel's build configuration
//	                    /package         which package it came from
func kernel(t *target, cache string) (string, error) {
	out := filepath.Join(cache, "kernel")
	if cached(t, out) {
		return out, nil
	}
	os.RemoveAll(out)
	debs := filepath.Join(cache, "debs")
	defer os.RemoveAll(debs)
	meta, err := download(t, cache, debs, t.KernelMeta)
	if err != nil {
		return "", err
	}
	depends, err := run("dpkg-deb", "--field", meta, "Depends")
	if err != nil {
		return "", err
	}
	var pkg string
	for _, alt := range strings.FieldsFunc(depends, func(r rune) bool { return r == ',' || r == '|' }) {
		if name := strings.Fields(alt); len(name) > 0 && t.KernelPkg.MatchString(name[0]) {
			pkg = name[0]
			break
		}
	}
	if pkg == "" {
		return "", fmt.Errorf("%s depends on %q: no linux-image-6.*-%s there", t.KernelMeta, depends, t.GOARCH)
	}
	deb, err := download(t, cache, debs, pkg)
	if err != nil {
		return "", err
	}
	// Unpacked whole (about 400 MB, mostly modules), then all but what is
	// kept goes.
	dir := filepath.Join(cache, pkg)
	defer os.RemoveAll(dir)
	if _, err := run("dpkg-deb", "--extract", deb, dir); err != nil {
		return "", err
	}
	vmlinuz, _ := filepath.Glob(filepath.Join(dir, "boot", "vmlinuz-*"))
	if len(vmlinuz) != 1 {
		return "", fmt.Errorf("%s: want one boot/vmlinuz-*, found %q", deb, vmlinuz)
	}
	version := strings.TrimPrefix(filepath.Base(vmlinuz[0]), "vmlinuz-")
	img, err := os.ReadFile(vmlinuz[0])
	if err != nil {
		return "", err
	}
	boot, err := bootable(t, img)
	if err != nil {
		return "", fmt.Errorf("%s: %w", vmlinuz[0], err)
	}
	tmp := out + ".tmp"
	os.RemoveAll(tmp)
	if err := os.MkdirAll(filepath.Join(tmp, "modules"), 0o755); err != nil {
		return "", err
	}
	for _, m := range t.modules() {
		if err := os.Rename(filepath.Join(dir, "lib", "modules", version, "kernel", m), filepath.Join(tmp, "modules", filepath.Base(m))); err != nil {
			return "", err
		}
	}
	if err := os.Rename(filepath.Join(dir, "boot", "config-"+version), filepath.Join(tmp, "config")); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(tmp, "package"), []byte(filepath.Base(deb)+"\n"), 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(tmp, t.KernelFile), boot, 0o644); err != nil {
		return "", err
	}
	return out, os.Rename(tmp, out)
}

// busybox returns the cached static busybox, from busybox-static.
func busybox(t *target, cache string) (string, error) {
	dir := filepath.Join(cache, "busybox-static")
	out := filepath.Join(dir, "bin", "busybox")
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	deb, err := download(t, cache, filepath.Join(cache, "debs"), "busybox-static")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(filepath.Join(cache, "debs"))
	os.RemoveAll(dir + ".tmp")
	if _, err := run("dpkg-deb", "--extract", deb, dir+".tmp"); err != nil {
		return "", err
	}
	return out, os.Rename(dir+".tmp", dir)
}

// download fetches pkg's .deb into dir with apt-get download and returns
// its path. When apt knows no such package (a fresh machine has no
// package lists), root runs apt-get update once and tries again. A
// foreign target's packages come through foreignApt.
func download(t *target, cache, dir, pkg string) (string, error) {
	if !t.native() {
		return foreignDownload(t, cache, dir, pkg)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	get := func() error {
		fmt.Printf("vmtest: apt-get download %s\n", pkg)
		cmd := exec.Command("apt-get", "download", "-q", pkg)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("apt-get download %s: %w\n%s", pkg, err, out)
		}
		return nil
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		return "", fmt.Errorf("vmtest takes the VM's kernel and busybox from Debian's packages with apt-get download: %w", err)
	}
	err := get()
	if err != nil && os.Geteuid() != 0 {
		return "", fmt.Errorf("%w(a fresh machine needs apt-get update first, as root)", err)
	}
	if err != nil {
		fmt.Println("vmtest: apt-get update")
		if out, uerr := exec.Command("apt-get", "update", "-q").CombinedOutput(); uerr != nil {
			return "", fmt.Errorf("%w\napt-get update: %v\n%s", err, uerr, out)
		}
		err = get()
	}
	if err != nil {
		return "", err
	}
	debs, _ := filepath.Glob(filepath.Join(dir, pkg+"_*.deb"))
	if len(debs) != 1 {
		return "", fmt.Errorf("apt-get download %s: want one %s_*.deb in %s, found %q", pkg, pkg, dir, debs)
	}
	return debs[0], nil
}

// run runs a program and returns its trimmed output; an error carries its
// standard error.
func run(name string, args ...string) (string, error) {
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%s: %w: %s", strings.Join(cmd.Args, " "), err, bytes.TrimSpace(stderr.Bytes()))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}
