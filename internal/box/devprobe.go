package box

import (
	"fmt"
	"io"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// deviceProbe tries one device access from inside the box and prints
// errno=NAME (errno=0 when the kernel allowed it): "open PATH" opens the
// node read-only; "mknod c|b MAJOR MINOR" makes a node in a fresh
// directory under /tmp and removes it at once, so nothing stays.
func deviceProbe(args []string, out io.Writer) int {
	report := func(err error) int {
		name := "0"
		if errno, ok := err.(unix.Errno); ok {
			name = unix.ErrnoName(errno)
		} else if err != nil {
			fmt.Fprintf(os.Stderr, "hood-probe go-device: %v\n", err)
			return 1
		}
		fmt.Fprintf(out, "errno=%s\n", name)
		return 0
	}
	switch {
	case len(args) == 2 && args[0] == "open":
		fd, err := unix.Open(args[1], unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err == nil {
			unix.Close(fd)
		}
		return report(err)
	case len(args) == 4 && args[0] == "mknod" && (args[1] == "c" || args[1] == "b"):
		maj, err1 := strconv.ParseUint(args[2], 10, 32)
		min, err2 := strconv.ParseUint(args[3], 10, 32)
		if err1 != nil || err2 != nil {
			break
		}
		dir, err := os.MkdirTemp("/tmp", "hood-mknod-")
		if err != nil {
			fmt.Fprintf(os.Stderr, "hood-probe go-device: %v\n", err)
			return 1
		}
		defer os.RemoveAll(dir)
		mode := uint32(unix.S_IFCHR)
		if args[1] == "b" {
			mode = unix.S_IFBLK
		}
		path := dir + "/node"
		err = unix.Mknod(path, mode|0o600, int(unix.Mkdev(uint32(maj), uint32(min))))
		return report(err)
	}
	fmt.Fprintln(os.Stderr, "hood-probe go-device: want open PATH, or mknod c|b MAJOR MINOR")
	return 2
}
