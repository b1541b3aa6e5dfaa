package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// vm is one boot of the VM: what to boot and how.
type vm struct {
	T              *target
	Kernel, Initrd string
	Console        string // file for the first serial port (kernel messages)
	Accel          string // "kvm" or "tcg"
	CPUs, MemMiB   int
	Timeout        time.Duration
	// BootTimeout is how long the VM may take to start the first step.
	// Past it, a KVM boot counts as not working (see canKVM).
	BootTimeout time.Duration
}

// errNoBoot: the VM never reached its init.
var errNoBoot = errors.New("the VM never started its init")

// kvmUsable reports whether KVM can be tried: /dev/kvm opens read-write
// and the CPU has hardware virtualization (vmx or svm). Some VMs offer a
// /dev/kvm (a paravirtual KVM such as kvm_pvm) that has no such flags and
// cannot run Debian's stock kernel; TCG, QEMU's emulator, always can.
func kvmUsable() (bool, string) {
	f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0)
	if err != nil {
		return false, fmt.Sprintf("no KVM (%v)", err)
	}
	f.Close()
	cpuinfo, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return false, err.Error()
	}
	for line := range strings.Lines(string(cpuinfo)) {
		if name, flags, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "flags" {
			for f := range strings.FieldsSeq(flags) {
				if f == "vmx" || f == "svm" {
					return true, ""
				}
			}
			break
		}
	}
	return false, "/dev/kvm exists but the CPU has no vmx or svm flag (a paravirtual KVM)"
}

func (v *vm) args() []string {
	if v.T != nil && v.T.GOARCH == "arm64" {
		return v.argsArm64()
	}
	cpu := "max"
	if v.Accel == "kvm" {
		cpu = "host"
	}
	accel := v.Accel
	if accel == "tcg" {
		accel = "tcg,thread=multi"
	}
	return []string{
		"-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
		"-machine", "pc", "-accel", accel, "-cpu", cpu,
		"-smp", fmt.Sprint(v.CPUs), "-m", fmt.Sprint(v.MemMiB),
		// An ELF vmlinux boots through its PVH entry point.
		"-kernel", v.Kernel, "-initrd", v.Initrd,
		// panic=-1: a panic (init died) reboots at once, and -no-reboot
		// turns that into QEMU's exit.
		"-append", "console=ttyS0 panic=-1 rdinit=/init quiet",
		"-serial", "file:" + v.Console,
		"-chardev", "stdio,id=out,signal=off", "-serial", "chardev:out",
	}
}

// run boots the VM and hands each line of the second serial port to line
// as it arrives. It returns when QEMU exits; an error says why the run is
// not to be trusted (QEMU failed, the time ran out, the init never began).
func (v *vm) run(ctx context.Context, line func(string)) error {
	ctx, cancel := context.WithTimeout(ctx, v.Timeout)
	defer cancel()
	qemu := "qemu-system-x86_64"
	if v.T != nil {
		qemu = v.T.QEMU
	}
	cmd := exec.CommandContext(ctx, qemu, v.args()...)
	// QEMU dies with us, whatever happens to this process.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	started := make(chan struct{})
	var bootTimedOut atomic.Bool
	go func() {
		select {
		case <-started:
		case <-ctx.Done():
		case <-time.After(v.BootTimeout):
			bootTimedOut.Store(true)
			cancel()
		}
	}()
	sawLine := false
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if !sawLine {
			sawLine = true
			close(started)
		}
		// The tty turns each \n into \r\n (ONLCR).
		line(strings.TrimRight(sc.Text(), "\r"))
	}
	io.Copy(io.Discard, out)
	err = cmd.Wait()
	switch {
	case !sawLine && (bootTimedOut.Load() || ctx.Err() == context.DeadlineExceeded):
		return fmt.Errorf("%w within %v (%s)", errNoBoot, min(v.BootTimeout, v.Timeout), v.Accel)
	case !sawLine && ctx.Err() == nil:
		return fmt.Errorf("%w (%s): %s%s", errNoBoot, v.Accel, qemu, qemuSaid(err, stderr.String()))
	case ctx.Err() == context.DeadlineExceeded:
		return fmt.Errorf("the VM ran out of time after %v and was killed", v.Timeout)
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		return fmt.Errorf("%s%s", qemu, qemuSaid(err, stderr.String()))
	}
	return nil
}

func qemuSaid(err error, stderr string) string {
	s := ""
	if err != nil {
		s = ": " + err.Error()
	}
	if stderr = strings.TrimSpace(stderr); stderr != "" {
		s += "\n" + stderr
	}
	return s
}

// argsArm64 boots the virt machine: the kernel's messages on its PL011
// UART (ttyAMA0), the steps' output on a virtio console (hvc0). Under TCG
// -cpu max with pauth-impdef: QEMU's own pointer-authentication algorithm,
// far faster to emulate than the architected one, the same to the guest.
func (v *vm) argsArm64() []string {
	cpu, accel := "max,pauth-impdef=on", "tcg,thread=multi"
	if v.Accel == "kvm" {
		cpu, accel = "host", "kvm"
	}
	return []string{
		"-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
		"-machine", "virt", "-accel", accel, "-cpu", cpu,
		"-smp", fmt.Sprint(v.CPUs), "-m", fmt.Sprint(v.MemMiB),
		"-kernel", v.Kernel, "-initrd", v.Initrd,
		"-append", "console=" + v.T.Console + " panic=-1 rdinit=/init quiet vmtest_out=" + v.T.Out,
		"-serial", "file:" + v.Console,
		"-device", "virtio-serial-device",
		"-chardev", "stdio,id=out,signal=off", "-device", "virtconsole,chardev=out",
	}
}
