package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// fakeImage is the header of an arm64 Image: its magic "ARM\x64" at 0x38.
func fakeImage() []byte {
	img := make([]byte, 4096)
	copy(img[0x38:], "ARM\x64")
	return img
}

func TestBootableArm64(t *testing.T) {
	arm := targets["arm64"]
	img := fakeImage()
	if got, err := bootable(arm, img); err != nil || !bytes.Equal(got, img) {
		t.Fatalf("plain Image: %d bytes, %v", len(got), err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(img)
	zw.Close()
	if got, err := bootable(arm, gz.Bytes()); err != nil || !bytes.Equal(got, img) {
		t.Fatalf("Image.gz: %d bytes, %v", len(got), err)
	}
	if _, err := bootable(arm, make([]byte, 4096)); err == nil || !strings.Contains(err.Error(), "not an arm64 Image") {
		t.Errorf("no magic: %v", err)
	}
	if _, err := bootable(arm, bzImage(fakeELF(), 4)); err == nil {
		t.Error("an x86 bzImage was taken for an arm64 Image")
	}
}

// The arm64 VM: virt under TCG, the kernel's messages on ttyAMA0, the
// steps' output on the virtio console whose name init gets.
func TestArgsArm64(t *testing.T) {
	v := &vm{T: targets["arm64"], Kernel: "K", Initrd: "I", Console: "C", Accel: "tcg", CPUs: 2, MemMiB: 1024}
	args := strings.Join(v.args(), " ")
	for _, want := range []string{"-machine virt", "-accel tcg,thread=multi", "-cpu max,pauth-impdef=on", "-kernel K", "-initrd I",
		"console=ttyAMA0 panic=-1 rdinit=/init quiet vmtest_out=/dev/hvc0", "-serial file:C", "-device virtio-serial-device",
		"-chardev stdio,id=out,signal=off -device virtconsole,chardev=out"} {
		if !strings.Contains(args, want) {
			t.Errorf("arm64 args lack %q:\n%s", want, args)
		}
	}
	// amd64's are as they were: the PVH vmlinux, two serial ports.
	v = &vm{T: targets["amd64"], Kernel: "K", Initrd: "I", Console: "C", Accel: "tcg", CPUs: 2, MemMiB: 1024}
	args = strings.Join(v.args(), " ")
	for _, want := range []string{"-machine pc", "console=ttyS0 panic=-1 rdinit=/init quiet", "-serial file:C -chardev stdio,id=out,signal=off -serial chardev:out"} {
		if !strings.Contains(args, want) {
			t.Errorf("amd64 args lack %q:\n%s", want, args)
		}
	}
	if strings.Contains(args, "vmtest_out") || strings.Contains(args, "virtconsole") {
		t.Errorf("amd64 args changed: %s", args)
	}
}

// The virtio console's modules come first (init.sh opens hvc0 after
// loading the modules); the others in amd64's order.
func TestModulesArm64(t *testing.T) {
	got := targets["arm64"].modules()
	if len(got) != len(modules)+2 || got[0] != "drivers/virtio/virtio_mmio.ko" || got[1] != "drivers/char/virtio_console.ko" || !slices.Equal(got[2:], modules) {
		t.Errorf("arm64 modules %q", got)
	}
	if got := targets["amd64"].modules(); !slices.Equal(got, modules) {
		t.Errorf("amd64 modules %q", got)
	}
	if env := targets["arm64"].crossEnv(); !slices.Contains(env, "GOARCH=arm64") || !slices.Contains(env, "CC=aarch64-linux-gnu-gcc") {
		t.Errorf("cross env %q", env)
	}
}

// The foreign apt keeps its state in the cache and asks for arm64 alone.
func TestForeignApt(t *testing.T) {
	cache := t.TempDir()
	opts, err := foreignApt(targets["arm64"], cache)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(opts, " ")
	for _, want := range []string{"Dir::State::Lists=" + cache + "/apt/lists", "Dir::State::status=" + cache + "/apt/status", "APT::Architecture=arm64", "APT::Architectures::=arm64"} {
		if !strings.Contains(all, want) {
			t.Errorf("options lack %q: %s", want, all)
		}
	}
	if strings.Contains(all, "/var/lib/dpkg") {
		t.Errorf("the host's dpkg state is named: %s", all)
	}
}

func TestTargetNamed(t *testing.T) {
	if _, err := targetNamed("riscv64"); err == nil || !strings.Contains(err.Error(), "want amd64 or arm64") {
		t.Errorf("riscv64: %v", err)
	}
}

// An amd64 hood is refused for the arm64 VM, and the other way round.
func TestCheckBinary(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	native, other := targets[runtime.GOARCH], targets["arm64"]
	if runtime.GOARCH == "arm64" {
		other = targets["amd64"]
	}
	if native != nil {
		if err := native.checkBinary(self); err != nil {
			t.Errorf("the test binary for its own architecture: %v", err)
		}
	}
	if err := other.checkBinary(self); err == nil || !strings.Contains(err.Error(), "make dist makes dist/hood-linux-"+other.GOARCH) {
		t.Errorf("a %s binary for the %s VM: %v", runtime.GOARCH, other.GOARCH, err)
	}
	if err := other.checkBinary(filepath.Join(t.TempDir(), "nohood")); err == nil {
		t.Error("a missing binary passed")
	}
	// make dist's binaries, where they are built: each for its own machine, static.
	for arch, tg := range targets {
		bin := filepath.Join("..", "dist", "hood-linux-"+arch)
		if _, err := os.Stat(bin); err != nil {
			continue
		}
		if err := tg.checkBinary(bin); err != nil {
			t.Errorf("make dist: %v", err)
		}
	}
}
