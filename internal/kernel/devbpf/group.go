package devbpf

import (
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
)

// A cgroup's device programs are reached through an fd of its directory.

func openDir(dir string) (int, call.Call, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	c := call.New("hood", os.Getpid(), "openat", int64(fd), err, call.Cwd(), call.S(dir),
		call.F(unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, "O_RDONLY|O_DIRECTORY|O_CLOEXEC"))
	c.Quiet = true
	return fd, c, err
}

func closeFD(fd int, what string) call.Call {
	c := call.New("hood", os.Getpid(), "close", 0, unix.Close(fd), call.Fd(fd, what))
	c.Quiet = true
	return c
}

const progFile = "anon_inode:bpf-prog"

// Replace makes p the policy hood's program gives the cgroup directory
// dir: it loads p's program and attaches it, then detaches hood's old
// program (id old; 0 for none). An empty policy loads nothing: the old
// program is detached and the group has none of hood's. It returns the
// new program's id (0 for none). On failure nothing is left changed: a
// new program attached before the failure is detached again.
func Replace(dir string, p Policy, old uint32) (uint32, []call.Call, error) {
	insns, err := Build(p)
	if err != nil {
		return 0, nil, err
	}
	raw, err := Encode(insns)
	if err != nil {
		return 0, nil, err
	}
	cg, c, err := openDir(dir)
	if err != nil {
		return 0, []call.Call{c}, err
	}
	id, calls, err := replace(cg, raw, p.Empty(), old)
	calls = append([]call.Call{c}, calls...)
	return id, append(calls, closeFD(cg, dir)), err
}

// replace is Replace on the open cgroup directory cg.
func replace(cg int, raw []byte, empty bool, old uint32) (uint32, []call.Call, error) {
	var calls []call.Call
	var c call.Call
	var err error
	var id uint32
	var prog int
	if !empty {
		if prog, c, err = Load(raw); err != nil {
			if c.Name == "" {
				return 0, calls, err // refused before any call
			}
			return 0, append(calls, c), err
		}
		calls = append(calls, c)
		info, cs, err := ProgInfo(prog, false)
		calls = append(calls, cs...)
		if err == nil {
			c, err = Attach(cg, prog)
			calls = append(calls, c)
		}
		if err != nil {
			calls = append(calls, closeFD(prog, progFile))
			return 0, calls, err
		}
		id = info.ID
	}
	if old != 0 {
		cs, err := detachID(cg, old)
		calls = append(calls, cs...)
		if err != nil && id != 0 {
			c, _ := Detach(cg, prog) // undo: the old program stays the group's
			calls = append(calls, c)
		}
		if err != nil {
			if id != 0 {
				calls = append(calls, closeFD(prog, progFile))
			}
			return 0, calls, err
		}
	}
	if id != 0 {
		calls = append(calls, closeFD(prog, progFile)) // the cgroup holds the program now
	}
	return id, calls, nil
}

// detachID detaches the program with this id from the cgroup cg.
func detachID(cg int, id uint32) ([]call.Call, error) {
	fd, c, err := FDByID(id)
	calls := []call.Call{c}
	if err != nil {
		return calls, err
	}
	c, err = Detach(cg, fd)
	return append(calls, c, closeFD(fd, progFile)), err
}

// Attached is one program attached to a cgroup, decoded where hood can.
type Attached struct {
	Info
	Insns     asm.Instructions
	Policy    Policy
	Err       error // why the program could not be decoded; nil when Policy holds
	Inherited bool  // attached to a parent group, not to this one
}

// List reads every device program that applies to the cgroup directory
// dir, its own then its parents', and decodes each.
func List(dir string) ([]Attached, []call.Call, error) {
	cg, c, err := openDir(dir)
	if err != nil {
		return nil, []call.Call{c}, err
	}
	out, calls, err := list(cg)
	calls = append([]call.Call{c}, calls...)
	return out, append(calls, closeFD(cg, dir)), err
}

// list is List on the open cgroup directory cg.
func list(cg int) ([]Attached, []call.Call, error) {
	own, calls, err := Query(cg, false)
	if err != nil {
		return nil, calls, err
	}
	all, cs, err := Query(cg, true)
	calls = append(calls, cs...)
	if err != nil {
		return nil, calls, err
	}
	ids := own
	for _, id := range all {
		if !slices.Contains(own, id) {
			ids = append(ids, id)
		}
	}
	var out []Attached
	for _, id := range ids {
		fd, c, err := FDByID(id)
		calls = append(calls, c)
		if errors.Is(err, unix.ENOENT) {
			continue // detached and freed since the query
		}
		if err != nil {
			return out, calls, err
		}
		info, cs, err := ProgInfo(fd, true)
		calls = append(calls, cs...)
		calls = append(calls, closeFD(fd, progFile))
		if err != nil {
			return out, calls, err
		}
		a := Attached{Info: info, Inherited: !slices.Contains(own, id)}
		if a.Insns, a.Err = Parse(info.Xlated); a.Err == nil {
			a.Policy, a.Err = Decode(a.Insns)
		}
		if len(info.Xlated) == 0 {
			a.Err = fmt.Errorf("the kernel gave no instructions (xlated_prog_len 0: kernel.kptr_restrict or missing CAP_SYS_ADMIN hide them)")
		}
		out = append(out, a)
	}
	return out, calls, nil
}

// CanLoad loads a program that allows everything and closes it again,
// attached nowhere: nil when this process may use device programs. Its
// EPERM is the kernel saying hood lacks CAP_SYS_ADMIN (or CAP_BPF) in the
// initial user namespace, as in a container or a user namespace.
func CanLoad() error {
	raw, err := Encode(append(append(asm.Instructions(nil), prologue...), ret(true)...))
	if err != nil {
		return err
	}
	fd, _, err := Load(raw)
	if err != nil {
		return err
	}
	return unix.Close(fd)
}
