package box

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/call"
)

// SpawnFile is Spawn of a program hood opened, prog, rather than one the
// box finds by name: the child gets prog as fd 3 and runs fexecve(3),
// which glibc makes as execveat(3, "", argv, envp, AT_EMPTY_PATH). So the
// box runs that very file (a copy hood gave file capabilities) even where
// its user cannot search the directories on the file's path, or its mount
// namespace does not show them.
func (b *Box) SpawnFile(prog *os.File, argv, env []string, stdio [3]*os.File, foreground bool) (Spawned, error) {
	flags := int64(spawnFD)
	if foreground {
		flags |= spawnForeground
	}
	s, err := b.spawnFiles(argv, env, append(stdio[:], prog), flags)
	if err != nil || s.Fork.Failed() {
		return s, err
	}
	ex := reply{}
	if s.ExecFails {
		ex = reply{Ret: -1, Errno: s.Exec.Errno}
	}
	s.Exec = sc(fmt.Sprintf("child %d", s.PID), s.PID, "execveat", ex, call.Fd(3, prog.Name()), call.S(""), call.L(argv),
		call.P("envp"), call.F(unix.AT_EMPTY_PATH, "AT_EMPTY_PATH"))
	return s, nil
}
