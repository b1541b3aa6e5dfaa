package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// foreignApt are the options that give apt-get a state of its own in the
// cache, for the target's architecture alone: its package lists, its
// empty dpkg status and its download cache live in .cache/vmtest-ARCH/apt,
// and the host's sources (/etc/apt) say where the mirror is. The host's
// dpkg is never asked to add an architecture.
func foreignApt(t *target, cache string) ([]string, error) {
	dir, err := filepath.Abs(filepath.Join(cache, "apt"))
	if err != nil {
		return nil, err
	}
	for _, d := range []string{"lists/partial", "archives/partial"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, err
		}
	}
	status := filepath.Join(dir, "status")
	if _, err := os.Stat(status); err != nil {
		if err := os.WriteFile(status, nil, 0o644); err != nil {
			return nil, err
		}
	}
	return []string{"-q",
		"-o", "Dir::State::Lists=" + filepath.Join(dir, "lists"),
		"-o", "Dir::State::status=" + status,
		"-o", "Dir::Cache=" + dir, "-o", "Dir::Cache::archives=" + filepath.Join(dir, "archives"),
		"-o", "APT::Architecture=" + t.GOARCH, "-o", "APT::Architectures::=" + t.GOARCH,
		// the downloads are made by root into the cache, not by _apt
		"-o", "APT::Sandbox::User=root",
	}, nil
}

// foreignDownload is download for a foreign target: apt-get update into
// the cache's own lists the first time (and again when the package is not
// found: the lists may be old), then apt-get download.
func foreignDownload(t *target, cache, dir, pkg string) (string, error) {
	if _, err := exec.LookPath("apt-get"); err != nil {
		return "", fmt.Errorf("vmtest takes the VM's kernel and busybox from Debian's packages with apt-get download: %w", err)
	}
	opts, err := foreignApt(t, cache)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	aptGet := func(args ...string) error {
		cmd := exec.Command("apt-get", append(append([]string{}, opts...), args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("apt-get %s (for %s): %w\n%s", args[0], t.GOARCH, err, out)
		}
		return nil
	}
	lists, _ := filepath.Glob(filepath.Join(cache, "apt", "lists", "*Packages*"))
	updated := false
	if len(lists) == 0 {
		fmt.Printf("vmtest: apt-get update, %s package lists into %s\n", t.GOARCH, filepath.Join(cache, "apt"))
		if err := aptGet("update"); err != nil {
			return "", err
		}
		updated = true
	}
	fmt.Printf("vmtest: apt-get download %s:%s\n", pkg, t.GOARCH)
	err = aptGet("download", pkg+":"+t.GOARCH)
	if err != nil && !updated {
		fmt.Printf("vmtest: apt-get update (%s), then again\n", t.GOARCH)
		if uerr := aptGet("update"); uerr != nil {
			return "", errors.Join(err, uerr)
		}
		err = aptGet("download", pkg+":"+t.GOARCH)
	}
	if err != nil {
		return "", err
	}
	debs, _ := filepath.Glob(filepath.Join(dir, pkg+"_*_"+t.GOARCH+".deb"))
	if len(debs) != 1 {
		return "", fmt.Errorf("apt-get download %s:%s: want one %s_*.deb in %s, found %q", pkg, t.GOARCH, pkg, dir, debs)
	}
	return debs[0], nil
}

// bootable is the kernel QEMU boots, from the package's vmlinuz: on amd64
// the ELF vmlinux inside the bzImage (vmlinux.go); on arm64 the Image
// itself (Debian ships it uncompressed; a gzipped one is unpacked), checked
// by its header's magic "ARM\x64" at 0x38 (Documentation/arch/arm64/booting.rst).
func bootable(t *target, img []byte) ([]byte, error) {
	if t.GOARCH == "amd64" {
		return extractVmlinux(img)
	}
	if bytes.HasPrefix(img, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(img))
		if err != nil {
			return nil, err
		}
		if img, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("gunzip: %w", err)
		}
	}
	if len(img) < 64 || string(img[0x38:0x3c]) != "ARM\x64" {
		return nil, errors.New("not an arm64 Image: no ARM\\x64 magic at 0x38")
	}
	return img, nil
}
