package box

/*
#cgo CFLAGS: -Wall -O2
extern void hood_box_main(int argc, char **argv, char **envp);
extern int hood_prefork_fd(void);
extern int hood_prefork_pid(void);
// Runs before the Go runtime starts, in every process of this binary.
// glibc passes argc, argv and envp to constructors.
static void __attribute__((constructor)) hood_box_ctor(int argc, char **argv, char **envp) { hood_box_main(argc, argv, envp); }
*/
import "C"

import (
	"sync"

	"golang.org/x/sys/unix"
)

var adopt sync.Once

// preforked hands out, once, the box the constructor forked before Go
// started: its PID and hood's end of its socket; -1 when there is none.
func preforked() (pid, fd int) {
	pid, fd = -1, -1
	adopt.Do(func() { pid, fd = int(C.hood_prefork_pid()), int(C.hood_prefork_fd()) })
	return pid, fd
}

// ReleaseUnused kills and reaps the box forked before Go started, if nobody
// adopted it: for runs that start no box (hood --version, helper commands in
// tests), so that it does not linger as a zombie for init to find.
func ReleaseUnused() {
	pid, fd := preforked()
	if pid <= 0 {
		return
	}
	_ = unix.Close(fd) // the box sees EOF and exits
	var ws unix.WaitStatus
	for {
		if _, err := unix.Wait4(pid, &ws, 0, nil); err != unix.EINTR {
			return
		}
	}
}

// PreforkedPID is the PID of the box forked before Go started, adopted or
// not, or 0 when the program asked for none: it lives in hood's cgroup
// from the start, and a hood that leaves its cgroup takes it along.
func PreforkedPID() int {
	if pid := int(C.hood_prefork_pid()); pid > 0 {
		return pid
	}
	return 0
}
