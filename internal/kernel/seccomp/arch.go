package seccomp

import (
	"fmt"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"hood/internal/spell"
)

// An Arch is a system call ABI a filter can be written for: its numbers,
// and the AUDIT_ARCH_ value the kernel puts in seccomp_data.arch for a call
// made through it.
type Arch struct {
	Name      string // as Debian and Go call it: x86_64, arm64
	Audit     uint32
	AuditName string
	Docker    []string // the names moby's seccomp profile gives it
	nums      map[string]int
}

var (
	X86_64  = &Arch{Name: "x86_64", Audit: unix.AUDIT_ARCH_X86_64, AuditName: "AUDIT_ARCH_X86_64", Docker: []string{"amd64", "x86_64"}, nums: sysnumsX86_64}
	AArch64 = &Arch{Name: "arm64", Audit: unix.AUDIT_ARCH_AARCH64, AuditName: "AUDIT_ARCH_AARCH64", Docker: []string{"arm64", "aarch64"}, nums: sysnumsAArch64}
)

// generic are calls x86_64 has and arm64 does not: arm64 takes the
// kernel's generic table (asm-generic/unistd.h), which keeps only the *at
// and newer forms. Each says what makes the call there instead.
var generic = map[string]struct{ caller, call string }{
	"mkdir": {"mkdir(1)", "mkdirat"}, "open": {"glibc's open(3)", "openat"}, "creat": {"glibc's creat(3)", "openat"},
	"rmdir": {"rmdir(1)", "unlinkat"}, "unlink": {"glibc's unlink(3)", "unlinkat"}, "rename": {"glibc's rename(3)", "renameat"},
	"link": {"glibc's link(3)", "linkat"}, "symlink": {"glibc's symlink(3)", "symlinkat"}, "readlink": {"glibc's readlink(3)", "readlinkat"},
	"chmod": {"glibc's chmod(3)", "fchmodat"}, "chown": {"glibc's chown(3)", "fchownat"}, "lchown": {"glibc's lchown(3)", "fchownat"},
	"mknod": {"glibc's mknod(3)", "mknodat"}, "access": {"glibc's access(3)", "faccessat"}, "stat": {"glibc's stat(3)", "newfstatat"},
	"lstat": {"glibc's lstat(3)", "newfstatat"}, "pipe": {"glibc's pipe(3)", "pipe2"}, "dup2": {"glibc's dup2(3)", "dup3"},
	"poll": {"glibc's poll(3)", "ppoll"}, "select": {"glibc's select(3)", "pselect6"}, "fork": {"glibc's fork(3)", "clone"},
	"vfork": {"glibc's vfork(3)", "clone"}, "epoll_create": {"glibc's epoll_create(3)", "epoll_create1"},
	"epoll_wait": {"glibc's epoll_wait(3)", "epoll_pwait"}, "inotify_init": {"glibc's inotify_init(3)", "inotify_init1"},
	"eventfd": {"glibc's eventfd(3)", "eventfd2"}, "signalfd": {"glibc's signalfd(3)", "signalfd4"},
	"getdents": {"readdir(3)", "getdents64"}, "utimes": {"glibc's utimes(3)", "utimensat"}, "futimesat": {"glibc's futimesat(3)", "utimensat"},
}

// Number is the number of a syscall name on a; an unknown name's error
// says when the call exists on x86_64 only (and what arm64 calls
// instead), else suggests the nearest known name.
func (a *Arch) Number(name string) (int, error) {
	if len(a.nums) == 0 {
		return 0, fmt.Errorf("hood writes seccomp filters for x86_64 and arm64 only, not for %s", a.Name)
	}
	if n, ok := a.nums[name]; ok {
		return n, nil
	}
	if _, ok := X86_64.nums[name]; ok && a != X86_64 {
		if g, ok := generic[name]; ok {
			return 0, fmt.Errorf("%s has no %s(2); %s calls %s(2): deny %s", a.Name, name, g.caller, g.call, g.call)
		}
		return 0, fmt.Errorf("%s has no %s(2): it is an x86_64 call, and %s takes the kernel's generic table, with no such number", a.Name, name, a.Name)
	}
	best, bd := "", 1<<30
	for k := range a.nums {
		if d := spell.Distance(name, k); d < bd || (d == bd && k < best) {
			best, bd = k, d
		}
	}
	if bd <= 3 {
		return 0, fmt.Errorf("no system call named %q on %s (did you mean %s?)", name, a.Name, best)
	}
	return 0, fmt.Errorf("no system call named %q on %s (names as in syscalls(2): %s)", name, a.Name, a.examples())
}

func (a *Arch) examples() string {
	if _, ok := a.nums["mkdir"]; ok {
		return "mkdir, openat, unshare, ..."
	}
	return "mkdirat, openat, unshare, ..."
}

// Called is the call a makes for name: name itself where a has it, else
// the newer form that replaces it (mkdirat for mkdir on arm64).
func (a *Arch) Called(name string) string {
	if _, ok := a.nums[name]; !ok {
		if g, ok := generic[name]; ok {
			return g.call
		}
	}
	return name
}

// Call is the syscall of a number on a, "" when none (names that share
// a number are joined with /).
func (a *Arch) Call(nr int) string {
	var names []string
	for k, v := range a.nums {
		if v == nr {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return strings.Join(names, "/")
}

// Names are a's system call names, sorted.
func (a *Arch) Names() []string {
	out := make([]string, 0, len(a.nums))
	for k := range a.nums {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
