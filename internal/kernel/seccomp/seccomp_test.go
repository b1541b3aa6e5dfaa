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

func TestFilter(t *testing.T) {
	mk, err := Number("mkdir")
	if err != nil || mk != unix.SYS_MKDIR {
		t.Fatalf("Number(mkdir) = %d, %v", mk, err)
	}
	f := Filter{Rules: []Rule{{"mkdir", mk, Errno(syscall.EPERM)}, {"unshare", unix.SYS_UNSHARE, Kill}}, Default: Allow}
	for _, c := range []struct {
		nr, arch, want uint32
	}{
		{unix.SYS_MKDIR, AuditArch, unix.SECCOMP_RET_ERRNO | uint32(syscall.EPERM)},
		{unix.SYS_UNSHARE, AuditArch, unix.SECCOMP_RET_KILL_PROCESS},
		{unix.SYS_MKDIRAT, AuditArch, unix.SECCOMP_RET_ALLOW},
		{unix.SYS_MKDIR, 0x40000003, unix.SECCOMP_RET_KILL_PROCESS}, // i386
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
	_, err := Number("mkdri")
	if err == nil || !strings.Contains(err.Error(), "did you mean mkdir?") {
		t.Errorf("Number(mkdri): %v", err)
	}
	if _, err := Number("zzzzzzzzzzzzzzzz"); err == nil || strings.Contains(err.Error(), "did you mean") {
		t.Errorf("Number(zzz...): %v", err)
	}
}

func TestListing(t *testing.T) {
	f := Filter{Rules: []Rule{{"mkdir", unix.SYS_MKDIR, Errno(syscall.EPERM)}}, Default: Allow}
	l := strings.Join(f.Listing(), "\n")
	for _, want := range []string{"ld [4]", "AUDIT_ARCH_X86_64", "; mkdir", "0x50001: fail with EPERM"} {
		if !strings.Contains(l, want) {
			t.Errorf("listing lacks %q:\n%s", want, l)
		}
	}
}
