package commands

import (
	"errors"
	"syscall"

	"hood/explain"
	"hood/internal/box"
	"hood/internal/result"
)

// The why and fix of every kernel error come from one place, the explain
// knowledge base (explain/why/why.yaml), keyed by the call (or the family
// of files it acted on) and the errno's name.

// kernelErr turns a failed call into the error that says what its errno
// means for that call; key is the call's name in the knowledge base when
// it differs from the narrated one (a family: "procfile", "file").
func kernelErr(c result.Syscall, key string) error {
	if key == "" {
		key = c.Name
	}
	return withWhy(&result.KernelError{Call: c.Text(), Errno: c.Errno, ErrName: c.ErrName()}, key)
}

// errnoErr is kernelErr for an error that names what was done and wraps
// the errno (the cgroup package's "write 5 to .../pids.max: EINVAL"); an
// error without an errno is returned as it is.
func errnoErr(err error, key string) error {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err
	}
	return withWhy(&result.KernelError{What: err.Error(), Errno: errno, ErrName: errnoName(errno)}, key)
}

// callsErr is the error of a step that made calls: kernelErr for the call
// the kernel refused, or err itself when none was refused (a short write).
func callsErr(calls []result.Syscall, err error, key string) error {
	for _, c := range calls {
		if c.Failed() {
			return kernelErr(c, key)
		}
	}
	return err
}

func withWhy(e *result.KernelError, key string) error {
	if w, ok := explain.WhyOf(key, e.ErrName); ok {
		e.Meaning, e.Fix = w.Why, w.Fix
	}
	return e
}

// forkErr is the error for a fork (clone) of box b that failed. ENOMEM has
// two causes, and hood looks before it says which: when the PID namespace
// the box's children are born in has lost its PID 1, the kernel takes no
// new process there; otherwise the kernel was out of memory.
func (s *Session) forkErr(b *box.Box, c result.Syscall) error {
	if c.ErrName() == "ENOMEM" {
		if mine, err := s.links(b.PID); err == nil && mine["pid_for_children"] != mine["pid"] &&
			mine["pid_for_children"] != "" && s.Proc().InitOf(mine["pid_for_children"]) == 0 {
			return kernelErr(c, "clone after PID 1 exited")
		}
	}
	return kernelErr(c, "clone")
}
