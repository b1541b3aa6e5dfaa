package result

import (
	"fmt"
	"strings"
	"syscall"
)

// UsageError means the words typed do not fit the command: the REPL shows
// the message and the usage line.
type UsageError struct {
	Usage string
	Msg   string
}

func (e *UsageError) Error() string {
	if e.Usage == "" {
		return e.Msg
	}
	return fmt.Sprintf("%s\nusage: %s", e.Msg, e.Usage)
}

// Usagef builds a UsageError.
func Usagef(usage, format string, args ...any) error {
	return &UsageError{Usage: usage, Msg: fmt.Sprintf(format, args...)}
}

// KernelError is a syscall the kernel refused, with what the errno means in
// this context and what would fix it.
type KernelError struct {
	Call    string // "unshare(CLONE_NEWUSER)"
	What    string // instead of Call: what was done, with the errno ("write \"5\" to .../pids.max: invalid argument (EINVAL)")
	Errno   syscall.Errno
	ErrName string
	Meaning string
	Fix     string
}

func (e *KernelError) Error() string {
	var b strings.Builder
	if e.Call != "" {
		fmt.Fprintf(&b, "%s failed: %s (%s)", e.Call, e.ErrName, e.Errno.Error())
	} else {
		b.WriteString(e.What)
	}
	if e.Meaning != "" {
		fmt.Fprintf(&b, "\n  why: %s", e.Meaning)
	}
	if e.Fix != "" {
		fmt.Fprintf(&b, "\n  fix: %s", e.Fix)
	}
	return b.String()
}

func (e *KernelError) Unwrap() error { return e.Errno }
