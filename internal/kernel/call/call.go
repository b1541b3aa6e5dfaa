// Package call is the one narrated-call type: a system call as hood (or a
// box, or a process in a box) made it, with its arguments as values and the
// kernel's answer. Its narration (String) and its shell equivalent (Shell)
// are derived from those values, never parsed back from text, so what hood
// shows is what strace(1) shows for the same process.
//
// Man pages: syscalls(2), errno(3), strace(1).
package call

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Kind says what an argument is, and so how it is shown and compared.
type Kind uint8

// The kinds of argument.
const (
	Int   Kind = iota // a number, shown in decimal
	Flags             // a number shown by the names of its bits (Text) and its value
	Mode              // a file mode, shown in octal
	Str               // a C string, shown quoted
	FD                // a file descriptor: Int is its number, Str what it refers to
	Null              // a NULL pointer
	Ptr               // a pointer to memory hood cannot show as a value (&status)
	List              // an array of C strings (argv)
)

// Arg is one argument as passed.
type Arg struct {
	Kind Kind
	Name string // for calls strace shows with named arguments: "flags" in clone
	Int  int64
	Str  string
	List []string
	Text string // Flags: the symbolic names; Ptr: what it points to
}

// Call is one system call as made, with the kernel's answer.
type Call struct {
	Who     string // which process made it: "box1", "hood", "box1's PID 1 (4251)"
	PID     int    // that process's PID in hood's PID namespace; 0 when unknown
	Name    string // the syscall's name as strace shows it: "unshare", "openat"
	Args    []Arg
	Ret     int64         // the return value; -1 when Errno is set
	RetNote string        // what the value means: "(CLONE_NEWNET)", "(exited 0)"
	Errno   syscall.Errno // 0 when the call succeeded
	// Quiet marks a step around the lesson (the openat and close around a
	// write): brief narration leaves it out unless it failed.
	Quiet bool
	// Lib marks a C library call, not a system call (pthread_create,
	// malloc, realpath): it returns its error itself, and strace shows the
	// system calls it made instead.
	Lib bool
	// Netlink, when set, marks a netlink message, not a system call: its
	// nlmsg_type (NFT_MSG_NEWTABLE is 0xa00). The message travels inside the
	// sendmsg(2) of its batch or request on a netlink socket, and its answer
	// is the kernel's reply (an ack, an error, or the objects of a dump).
	Netlink uint16
}

// Failed reports whether the kernel refused the call.
func (c Call) Failed() bool { return c.Errno != 0 }

// ErrName is the errno's symbolic name: "EPERM"; "" when the call succeeded.
func (c Call) ErrName() string {
	if c.Errno == 0 {
		return ""
	}
	return unix.ErrnoName(c.Errno)
}

// Text is the call without its answer: `unshare(CLONE_NEWUTS /* 0x4000000 */)`.
func (c Call) Text() string {
	parts := make([]string, len(c.Args))
	for i, a := range c.Args {
		parts[i] = a.String()
	}
	return c.Name + "(" + strings.Join(parts, ", ") + ")"
}

// Result is the kernel's answer as narrated: "0", "4251 (exited 0)",
// "-1 EPERM (Operation not permitted)".
func (c Call) Result() string {
	if c.Failed() && (c.Lib || c.Netlink != 0) {
		return c.ErrName() + " (" + c.Errno.Error() + ")"
	}
	if c.Failed() {
		return "-1 " + c.ErrName() + " (" + c.Errno.Error() + ")"
	}
	s := strconv.FormatInt(c.Ret, 10)
	if c.RetNote != "" {
		s += " " + c.RetNote
	}
	return s
}

// String is the whole narration: `write(5</sys/fs/cgroup/...>, "50000", 5) = 5`.
func (c Call) String() string { return c.Text() + " = " + c.Result() }

func (a Arg) String() string {
	var s string
	switch a.Kind {
	case Int:
		s = strconv.FormatInt(a.Int, 10)
	case Flags:
		s = a.Text
		if s == "" {
			s = fmt.Sprintf("%#x", a.Int)
		}
	case Mode:
		s = fmt.Sprintf("0%o", a.Int)
	case Str:
		s = strconv.Quote(a.Str)
	case FD:
		switch {
		case a.Int == unix.AT_FDCWD:
			s = "AT_FDCWD"
		case a.Str != "":
			s = fmt.Sprintf("%d<%s>", a.Int, a.Str)
		default:
			s = strconv.FormatInt(a.Int, 10)
		}
	case Null:
		s = "NULL"
	case Ptr:
		s = a.Text
	case List:
		q := make([]string, len(a.List))
		for i, v := range a.List {
			q[i] = strconv.Quote(v)
		}
		s = "[" + strings.Join(q, ", ") + "]"
	}
	if a.Name != "" {
		return a.Name + "=" + s
	}
	return s
}

// Argument constructors, so that a call reads like the C it stands for.

// I is a number.
func I(n int64) Arg { return Arg{Kind: Int, Int: n} }

// F is a flag word with its symbolic names.
func F(n int64, names string) Arg { return Arg{Kind: Flags, Int: n, Text: names} }

// M is a file mode.
func M(mode uint32) Arg { return Arg{Kind: Mode, Int: int64(mode)} }

// S is a C string; the empty string is a valid one, not NULL.
func S(s string) Arg { return Arg{Kind: Str, Str: s} }

// SOrNull is S, or NULL for the empty string (mount's optional strings).
func SOrNull(s string) Arg {
	if s == "" {
		return Arg{Kind: Null}
	}
	return S(s)
}

// Fd is a file descriptor and what it refers to.
func Fd(fd int, what string) Arg { return Arg{Kind: FD, Int: int64(fd), Str: what} }

// Cwd is AT_FDCWD, the *at calls' "relative to the working directory".
func Cwd() Arg { return Arg{Kind: FD, Int: unix.AT_FDCWD} }

// P is a pointer shown by what it points to.
func P(text string) Arg { return Arg{Kind: Ptr, Text: text} }

// NULL is a NULL pointer.
func NULL() Arg { return Arg{Kind: Null} }

// L is an array of strings.
func L(v []string) Arg { return Arg{Kind: List, List: append([]string(nil), v...)} }

// Named gives an argument the name strace shows it by.
func Named(name string, a Arg) Arg { a.Name = name; return a }

// New is a call by who (PID pid) with its answer: ret as the kernel
// returned it and err the error it came with (a syscall.Errno, or nil).
func New(who string, pid int, name string, ret int64, err error, args ...Arg) Call {
	c := Call{Who: who, PID: pid, Name: name, Args: args, Ret: ret}
	if err != nil {
		c.Ret = -1
		c.Errno = ErrnoOf(err)
	}
	return c
}

// ErrnoOf is the errno inside err, or 0 when it carries none.
func ErrnoOf(err error) syscall.Errno {
	var e syscall.Errno
	if errors.As(err, &e) {
		return e
	}
	return 0
}
