package main

import (
	"debug/elf"
	"fmt"
	"regexp"
	"runtime"
	"time"
)

// A target is the architecture of the VM: amd64, the v2 lane, or arm64,
// the lane for the Linux VMs of Apple-silicon laptops. Each has its QEMU,
// its Debian kernel package and its serial ports.
type target struct {
	GOARCH     string
	QEMU, Pkg  string // the QEMU program and the Debian package it is in
	KernelMeta string // the package that depends on the versioned kernel
	KernelPkg  *regexp.Regexp
	KernelFile string // the name of the bootable kernel in the cache
	// Console gets the kernel's messages; Out, the device init.sh writes
	// the steps' output to (its name goes to init as vmtest_out).
	Console, Out string
	// Modules are loaded before the others (the device Out needs).
	Modules []string
	// Pkgs are the packages whose tests run by default; Hood is the
	// default hood binary (make build's, or make dist's for arm64).
	Pkgs, Hood string
	Machine    elf.Machine
	// TestTimeout bounds each test binary, LabTimeout hood lab --check-all
	// (0: unbounded), Timeout the whole VM.
	TestTimeout, LabTimeout, Timeout time.Duration
}

var targets = map[string]*target{
	"amd64": {
		GOARCH: "amd64", QEMU: "qemu-system-x86_64", Pkg: "qemu-system-x86",
		KernelMeta: "linux-image-amd64", KernelPkg: regexp.MustCompile(`^linux-image-6\.[0-9.]+-[0-9]+-amd64(-unsigned)?$`),
		KernelFile: "vmlinux", Console: "ttyS0", Out: "/dev/ttyS1",
		Pkgs: "./internal/kernel/cgroup,./commands,./labs,./cmd/hood", Hood: "./hood", Machine: elf.EM_X86_64,
		TestTimeout: 100 * time.Second, Timeout: 240 * time.Second,
	},
	// Under TCG an arm64 guest runs several times slower than the host:
	// the namespace, cgroup, seccomp, box, commands and labs tests and the
	// labs, each bounded (some two minutes in all on a 2-CPU machine).
	// The virt machine has one PL011 UART (ttyAMA0), so the steps' output
	// goes to a virtio console (hvc0), whose driver Debian builds as modules.
	"arm64": {
		GOARCH: "arm64", QEMU: "qemu-system-aarch64", Pkg: "qemu-system-arm",
		KernelMeta: "linux-image-arm64", KernelPkg: regexp.MustCompile(`^linux-image-6\.[0-9.]+-[0-9]+-arm64(-unsigned)?$`),
		KernelFile: "Image", Console: "ttyAMA0", Out: "/dev/hvc0",
		Modules: []string{"drivers/virtio/virtio_mmio.ko", "drivers/char/virtio_console.ko"},
		Pkgs:    "./internal/kernel/ns,./internal/kernel/cgroup,./internal/kernel/seccomp,./internal/box,./commands,./labs",
		Hood:    "dist/hood-linux-arm64", Machine: elf.EM_AARCH64,
		TestTimeout: 150 * time.Second, LabTimeout: 200 * time.Second, Timeout: 330 * time.Second,
	},
}

// native says whether the target is the machine's own architecture: only
// then can KVM run it and the host's programs run in it.
func (t *target) native() bool { return t.GOARCH == runtime.GOARCH }

// modules are every module the VM loads, in order.
func (t *target) modules() []string { return append(append([]string{}, t.Modules...), modules...) }

// crossEnv is what go test -c needs to build the target's test binaries:
// cgo with Debian's cross compiler when the target is not native.
func (t *target) crossEnv() []string {
	if t.native() {
		return nil
	}
	return []string{"GOOS=linux", "GOARCH=" + t.GOARCH, "CGO_ENABLED=1", "CC=" + crossCC[t.GOARCH]}
}

var crossCC = map[string]string{"arm64": "aarch64-linux-gnu-gcc", "amd64": "x86_64-linux-gnu-gcc"}

// checkBinary says whether the hood binary is there, built for the target
// (an amd64 hood in an arm64 VM could not even start) and static.
func (t *target) checkBinary(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("the hood binary: %w (make build makes ./hood, make dist dist/hood-linux-*)", err)
	}
	defer f.Close()
	if f.Machine != t.Machine {
		return fmt.Errorf("%s is built for %v, and the VM is %s (-hood names the binary; make dist makes dist/hood-linux-%s)", path, f.Machine, t.GOARCH, t.GOARCH)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is linked dynamically, and the VM has no libraries: build it with make or make dist, which link it statically", path)
		}
	}
	return nil
}

func targetNamed(name string) (*target, error) {
	if t, ok := targets[name]; ok {
		return t, nil
	}
	return nil, fmt.Errorf("-arch %q: want amd64 or arm64", name)
}
