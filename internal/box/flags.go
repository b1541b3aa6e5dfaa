package box

import (
	"fmt"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

var mountFlags = []struct {
	flag uintptr
	name string
}{
	{unix.MS_RDONLY, "MS_RDONLY"},
	{unix.MS_NOSUID, "MS_NOSUID"},
	{unix.MS_NODEV, "MS_NODEV"},
	{unix.MS_NOEXEC, "MS_NOEXEC"},
	{unix.MS_REMOUNT, "MS_REMOUNT"},
	{unix.MS_BIND, "MS_BIND"},
	{unix.MS_MOVE, "MS_MOVE"},
	{unix.MS_REC, "MS_REC"},
	{unix.MS_UNBINDABLE, "MS_UNBINDABLE"},
	{unix.MS_PRIVATE, "MS_PRIVATE"},
	{unix.MS_SLAVE, "MS_SLAVE"},
	{unix.MS_SHARED, "MS_SHARED"},
}

// MountFlagString renders mount(2) flags by name: "MS_REC|MS_PRIVATE".
func MountFlagString(flags uintptr) string {
	var names []string
	rest := flags
	for _, f := range mountFlags {
		if flags&f.flag != 0 {
			names = append(names, f.name)
			rest &^= f.flag
		}
	}
	if rest != 0 || len(names) == 0 {
		names = append(names, fmt.Sprintf("%#x", rest))
	}
	return strings.Join(names, "|")
}

// Propagation flags for mount --make-*.
const (
	MSPrivate = unix.MS_PRIVATE
	MSShared  = unix.MS_SHARED
	MSSlave   = unix.MS_SLAVE
	MSRec     = unix.MS_REC
)

func signalIgnoreTTOU() { signal.Ignore(syscall.SIGTTOU) }

// SignalName is a signal's name: "SIGKILL".
func SignalName(s syscall.Signal) string {
	if n := unix.SignalName(s); n != "" {
		return n
	}
	return fmt.Sprintf("signal %d", int(s))
}
