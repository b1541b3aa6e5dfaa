// Package seccomp builds the classic BPF programs hood installs with
// seccomp(2) SECCOMP_SET_MODE_FILTER, and says them back in words.
// See seccomp(2) and Documentation/userspace-api/seccomp_filter.rst.
package seccomp

import (
	"fmt"
	"syscall"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Offsets in struct seccomp_data, what a filter reads.
const (
	offNr   = 0
	offArch = 4
)

// Action is what a filter answers to a syscall it matches.
type Action struct {
	Ret   uint32        // SECCOMP_RET_*, with the errno in the low bits
	Errno syscall.Errno // for SECCOMP_RET_ERRNO
}

// Errno answers the call with -1 and errno e, the call not made.
func Errno(e syscall.Errno) Action {
	return Action{Ret: unix.SECCOMP_RET_ERRNO | uint32(e)&unix.SECCOMP_RET_DATA, Errno: e}
}

var (
	Kill  = Action{Ret: unix.SECCOMP_RET_KILL_PROCESS}
	Log   = Action{Ret: unix.SECCOMP_RET_LOG}
	Trap  = Action{Ret: unix.SECCOMP_RET_TRAP}
	Allow = Action{Ret: unix.SECCOMP_RET_ALLOW}
)

// String says the action in words.
func (a Action) String() string {
	switch a.Ret & unix.SECCOMP_RET_ACTION_FULL {
	case unix.SECCOMP_RET_ERRNO:
		return fmt.Sprintf("fail with %s (SECCOMP_RET_ERRNO)", unix.ErrnoName(syscall.Errno(a.Ret&unix.SECCOMP_RET_DATA)))
	case unix.SECCOMP_RET_KILL_PROCESS:
		return "kill the process with SIGSYS (SECCOMP_RET_KILL_PROCESS)"
	case unix.SECCOMP_RET_KILL_THREAD:
		return "kill the thread with SIGSYS (SECCOMP_RET_KILL_THREAD)"
	case unix.SECCOMP_RET_LOG:
		return "allow and log to the audit log (SECCOMP_RET_LOG)"
	case unix.SECCOMP_RET_TRAP:
		return "send SIGSYS (SECCOMP_RET_TRAP)"
	case unix.SECCOMP_RET_ALLOW:
		return "allow (SECCOMP_RET_ALLOW)"
	}
	return fmt.Sprintf("action %#x", a.Ret)
}

// Rule is one syscall and what the filter does with it.
type Rule struct {
	Syscall string
	Nr      int
	Action  Action
}

// Filter is a program hood built: its rules, in order, and a default.
type Filter struct {
	Rules   []Rule
	Default Action
	Arch    *Arch // nil: Native
}

// Number is the native number of a syscall name (see Arch.Number).
func Number(name string) (int, error) { return Native.Number(name) }

// Name is the native syscall of a number, "" when none.
func Name(nr int) string { return Native.Call(nr) }

// Names are the native system call names, sorted.
func Names() []string { return Native.Names() }

// arch is the ABI the filter is for: Native unless it says otherwise.
func (f Filter) arch() *Arch {
	if f.Arch != nil {
		return f.Arch
	}
	return Native
}

// Instructions are the filter's program: check the architecture (a call
// made through another ABI has other numbers: kill it), load the syscall
// number, one compare and return per rule, then the default.
func (f Filter) Instructions() []bpf.Instruction {
	p := []bpf.Instruction{
		bpf.LoadAbsolute{Off: offArch, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: f.arch().Audit, SkipTrue: 1},
		bpf.RetConstant{Val: unix.SECCOMP_RET_KILL_PROCESS},
		bpf.LoadAbsolute{Off: offNr, Size: 4},
	}
	for _, r := range f.Rules {
		p = append(p,
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(r.Nr), SkipFalse: 1},
			bpf.RetConstant{Val: r.Action.Ret})
	}
	return append(p, bpf.RetConstant{Val: f.Default.Ret})
}

// Program is the filter as struct sock_filter, what seccomp(2) takes.
func (f Filter) Program() ([]unix.SockFilter, error) {
	raw, err := bpf.Assemble(f.Instructions())
	if err != nil {
		return nil, err
	}
	out := make([]unix.SockFilter, len(raw))
	for i, r := range raw {
		out[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	return out, nil
}

// Words are the rules as "mkdir -> fail with EPERM", then the default.
func (f Filter) Words() []string {
	var out []string
	for _, r := range f.Rules {
		out = append(out, fmt.Sprintf("%s (%d) -> %s", r.Syscall, r.Nr, r.Action))
	}
	a := f.arch()
	out = append(out, fmt.Sprintf("any other call on %s -> %s", a.Name, f.Default))
	return append(out, fmt.Sprintf("a call through another ABI (not %s) -> %s", a.AuditName, Kill))
}

// Listing is the program as x/net/bpf writes it, each instruction with
// what its number means: the offset loaded, the syscall compared, the
// action returned.
func (f Filter) Listing() []string {
	var out []string
	for _, in := range f.Instructions() {
		note := ""
		switch in := in.(type) {
		case bpf.LoadAbsolute:
			note = map[uint32]string{offNr: "seccomp_data.nr, the syscall number", offArch: "seccomp_data.arch"}[in.Off]
		case bpf.JumpIf:
			if a := f.arch(); in.Val == a.Audit {
				note = a.AuditName
			} else {
				note = a.Call(int(in.Val))
			}
		case bpf.RetConstant:
			note = fmt.Sprintf("%#x: %s", in.Val, Action{Ret: in.Val})
		}
		out = append(out, fmt.Sprintf("%-16s ; %s", in, note))
	}
	return out
}
