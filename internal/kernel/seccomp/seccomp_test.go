package seccomp

import (
	"encoding/binary"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// run is what the filter answers to a call of nr made through arch. The
// kernel loads struct seccomp_data in native order; x/net/bpf's VM loads
// in network order, so the test writes the words big-endian.
func run(t *testing.T, f Filter, nr, arch uint32) uint32 {
	t.Helper()
	vm, err := bpf.NewVM(f.Instructions())
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 64)
	binary.BigEndian.PutUint32(data[offNr:], nr)
	binary.BigEndian.PutUint32(data[offArch:], arch)
	got, err := vm.Run(data)
	if err != nil {
		t.Fatal(err)
	}
	return uint32(got)
}

// The x86_64 numbers, written out: mkdir 83, unshare 272, mkdirat 258.
const (
	x86Mkdir   = 83
	x86Unshare = 272
	x86Mkdirat = 258
)

func TestFilter(t *testing.T) {
	mk, err := X86_64.Number("mkdir")
	if err != nil || mk != x86Mkdir {
		t.Fatalf("Number(mkdir) = %d, %v", mk, err)
	}
	f := Filter{Rules: []Rule{{"mkdir", mk, Errno(syscall.EPERM)}, {"unshare", x86Unshare, Kill}}, Default: Allow, Arch: X86_64}
	for _, c := range []struct {
		nr, arch, want uint32
	}{
		{x86Mkdir, X86_64.Audit, unix.SECCOMP_RET_ERRNO | uint32(syscall.EPERM)},
		{x86Unshare, X86_64.Audit, unix.SECCOMP_RET_KILL_PROCESS},
		{x86Mkdirat, X86_64.Audit, unix.SECCOMP_RET_ALLOW},
		{x86Mkdir, 0x40000003, unix.SECCOMP_RET_KILL_PROCESS},    // i386
		{x86Mkdir, AArch64.Audit, unix.SECCOMP_RET_KILL_PROCESS}, // 83 is fsync on arm64
	} {
		if got := run(t, f, c.nr, c.arch); got != c.want {
			t.Errorf("call %d arch %#x: %#x, want %#x", c.nr, c.arch, got, c.want)
		}
	}
	p, err := f.Program()
	if err != nil || len(p) != 4+2*2+1 {
		t.Fatalf("Program: %d instructions, %v", len(p), err)
	}
	if w := strings.Join(f.Words(), "\n"); !strings.Contains(w, "mkdir (83) -> fail with EPERM") {
		t.Errorf("words:\n%s", w)
	}
}

func TestNumberSuggests(t *testing.T) {
	_, err := X86_64.Number("mkdri")
	if err == nil || !strings.Contains(err.Error(), "did you mean mkdir?") {
		t.Errorf("Number(mkdri): %v", err)
	}
	if _, err := X86_64.Number("zzzzzzzzzzzzzzzz"); err == nil || strings.Contains(err.Error(), "did you mean") {
		t.Errorf("Number(zzz...): %v", err)
	}
}

func TestListing(t *testing.T) {
	f := Filter{Rules: []Rule{{"mkdir", x86Mkdir, Errno(syscall.EPERM)}}, Default: Allow, Arch: X86_64}
	l := strings.Join(f.Listing(), "\n")
	for _, want := range []string{"ld [4]", "AUDIT_ARCH_X86_64", "; mkdir", "0x50001: fail with EPERM"} {
		if !strings.Contains(l, want) {
			t.Errorf("listing lacks %q:\n%s", want, l)
		}
	}
}

// arm64's numbers are the generic table's: mkdirat is 34, unshare 97, and
// a filter for arm64 checks AUDIT_ARCH_AARCH64. The calls arm64 lacks are
// named as such, with the call made instead.
func TestAArch64(t *testing.T) {
	for name, want := range map[string]int{"mkdirat": 34, "unshare": 97, "openat": 56, "seccomp": 277, "newfstatat": 79, "clone3": 435} {
		if got, err := AArch64.Number(name); err != nil || got != want {
			t.Errorf("arm64 %s = %d, %v; want %d", name, got, err, want)
		}
	}
	for name, want := range map[string]string{
		"mkdir":      "arm64 has no mkdir(2); mkdir(1) calls mkdirat(2)",
		"open":       "arm64 has no open(2); glibc's open(3) calls openat(2)",
		"arch_prctl": "arm64 has no arch_prctl(2): it is an x86_64 call",
		"mkdirt":     "did you mean mkdirat?",
	} {
		if _, err := AArch64.Number(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("arm64 %s: %v, want %q", name, err, want)
		}
	}
	// Every call named as replaced exists on arm64, and the replaced one
	// exists on x86_64 and not on arm64.
	for old, g := range generic {
		if _, err := AArch64.Number(g.call); err != nil {
			t.Errorf("%s: arm64 has no %s either: %v", old, g.call, err)
		}
		if _, ok := X86_64.nums[old]; !ok {
			t.Errorf("%s is not an x86_64 call", old)
		}
		if _, ok := AArch64.nums[old]; ok {
			t.Errorf("arm64 has %s", old)
		}
	}
	if AArch64.Called("mkdir") != "mkdirat" || X86_64.Called("mkdir") != "mkdir" || AArch64.Called("unshare") != "unshare" {
		t.Errorf("Called(mkdir): arm64 %s, x86_64 %s", AArch64.Called("mkdir"), X86_64.Called("mkdir"))
	}
	f := Filter{Rules: []Rule{{"mkdirat", 34, Errno(syscall.EPERM)}}, Default: Allow, Arch: AArch64}
	for _, c := range []struct{ nr, arch, want uint32 }{
		{34, AArch64.Audit, unix.SECCOMP_RET_ERRNO | uint32(syscall.EPERM)},
		{35, AArch64.Audit, unix.SECCOMP_RET_ALLOW},
		{34, X86_64.Audit, unix.SECCOMP_RET_KILL_PROCESS},
		{34, 0x40000028, unix.SECCOMP_RET_KILL_PROCESS}, // AUDIT_ARCH_ARM, 32-bit arm
	} {
		if got := run(t, f, c.nr, c.arch); got != c.want {
			t.Errorf("arm64 filter, call %d arch %#x: %#x, want %#x", c.nr, c.arch, got, c.want)
		}
	}
	all := strings.Join(append(f.Words(), f.Listing()...), "\n")
	for _, want := range []string{"mkdirat (34) -> fail with EPERM", "any other call on arm64", "not AUDIT_ARCH_AARCH64", "; AUDIT_ARCH_AARCH64", "; mkdirat"} {
		if !strings.Contains(all, want) {
			t.Errorf("arm64 filter lacks %q:\n%s", want, all)
		}
	}
}

// The native table is the machine's.
func TestNative(t *testing.T) {
	n, err := Number("unshare")
	if err != nil || n != unix.SYS_UNSHARE {
		t.Errorf("Number(unshare) = %d, %v; unix.SYS_UNSHARE is %d", n, err, unix.SYS_UNSHARE)
	}
	if n, err := Number("mkdirat"); err != nil || n != unix.SYS_MKDIRAT || Name(n) != "mkdirat" {
		t.Errorf("Number(mkdirat) = %d, %v", n, err)
	}
}
