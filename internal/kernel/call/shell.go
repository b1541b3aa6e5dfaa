package call

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Shell is the shell command that makes the same change as the call, built
// from its arguments: `echo 50000 > /sys/fs/cgroup/...`, `mkdir DIR`,
// `rmdir DIR`, `kill -KILL PID`. It is "" for calls a shell has no plain
// word for, and for calls that failed.
func (c Call) Shell() string {
	if c.Failed() {
		return ""
	}
	switch {
	case c.Name == "write" && len(c.Args) >= 2 && c.Args[0].Kind == FD && c.Args[0].Str != "":
		return "echo " + shellQuote(c.Args[1].Str) + " > " + shellQuote(c.Args[0].Str)
	case c.Name == "mkdirat" && len(c.Args) >= 2:
		return "mkdir " + shellQuote(c.AtPath())
	case c.Name == "unlinkat" && len(c.Args) >= 3 && c.Args[2].Int&unix.AT_REMOVEDIR != 0:
		return "rmdir " + shellQuote(c.AtPath())
	case c.Name == "kill" && len(c.Args) == 2:
		sig := unix.SignalName(unix.Signal(c.Args[1].Int))
		return fmt.Sprintf("kill -%s %d", strings.TrimPrefix(sig, "SIG"), c.Args[0].Int)
	}
	return ""
}

// AtPath is the path a *at call (mkdirat, unlinkat, openat2) names: its
// second argument, joined to the directory its first is a descriptor of
// when it is relative.
func (c Call) AtPath() string {
	if len(c.Args) < 2 {
		return ""
	}
	dir, name := c.Args[0], c.Args[1].Str
	if dir.Kind == FD && dir.Int != unix.AT_FDCWD && dir.Str != "" && !strings.HasPrefix(name, "/") {
		return dir.Str + "/" + name
	}
	return name
}

// Shells joins the shell equivalents of calls that have one.
func Shells(calls []Call) string {
	var out []string
	for _, c := range calls {
		if s := c.Shell(); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, "; ")
}

// shellQuote quotes s for sh when it holds anything but plain word
// characters.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:,=@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func quote(s string) string { return strconv.Quote(s) }
