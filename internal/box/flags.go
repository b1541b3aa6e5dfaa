package box

import (
	"fmt"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/mount"
)

// MountFlagString renders mount(2) flags by name: "MS_REC|MS_PRIVATE".
func MountFlagString(flags uintptr) string { return mount.FlagString(flags) }

// Propagation flags for mount --make-*.
const (
	MSPrivate = mount.Private
	MSShared  = mount.Shared
	MSSlave   = mount.Slave
	MSRec     = mount.Rec
)

func signalIgnoreTTOU() { signal.Ignore(syscall.SIGTTOU) }

// SignalNum is the number of a signal given as KILL, SIGKILL or 9.
func SignalNum(name string) (syscall.Signal, bool) {
	if n, err := strconv.Atoi(name); err == nil {
		if n >= 0 && n < 65 {
			return syscall.Signal(n), true
		}
		return 0, false
	}
	name = strings.ToUpper(name)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	s := unix.SignalNum(name)
	return s, s != 0
}

// SignalName is a signal's name: "SIGKILL".
func SignalName(s syscall.Signal) string {
	if n := unix.SignalName(s); n != "" {
		return n
	}
	return fmt.Sprintf("signal %d", int(s))
}
