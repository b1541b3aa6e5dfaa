package box

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// mkdirProbe makes a directory under /tmp with mkdir(2) itself, the call
// mkdir(1) makes, and prints errno=NAME (errno=0 when the kernel made it,
// and then removes it), so a lab can see what a seccomp filter answers to
// that very call. Go's own os.Mkdir calls mkdirat(2), another call a
// filter may treat differently. Architectures without mkdir(2) (arm64)
// print errno=ENOSYS. With at, the call is mkdirat(AT_FDCWD, ...), the one
// mkdir(1) makes on arm64.
func mkdirProbe(args []string, out io.Writer, at bool) int {
	if len(args) != 0 {
		fmt.Fprintln(os.Stderr, "hood-probe go-mkdir: takes no arguments")
		return 2
	}
	path := fmt.Sprintf("/tmp/hood-mkdir-probe-%d", os.Getpid())
	mkdir := rawMkdir
	if at {
		mkdir = func(p string, mode uint32) error { return unix.Mkdirat(unix.AT_FDCWD, p, mode) }
	}
	err := mkdir(path, 0o700)
	name := "0"
	if err == nil {
		unix.Rmdir(path)
	} else if errno, ok := err.(unix.Errno); ok {
		name = unix.ErrnoName(errno)
	} else {
		fmt.Fprintf(os.Stderr, "hood-probe go-mkdir: %v\n", err)
		return 1
	}
	fmt.Fprintf(out, "errno=%s\n", name)
	return 0
}
