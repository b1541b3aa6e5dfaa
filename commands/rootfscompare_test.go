package commands

import (
	"testing"

	"github.com/moby/sys/mountinfo"
)

// What runc's container showed in its mountinfo on a 6.18 kernel (runc
// 1.1.5), and a box's own mounts: each is described from its fields alone.
func TestMountKind(t *testing.T) {
	for _, c := range []struct {
		m    mountinfo.Info
		want string
	}{
		{mountinfo.Info{Mountpoint: "/proc/keys", Root: "/null", FSType: "tmpfs", Options: "rw,nosuid"}, "masked"},
		{mountinfo.Info{Mountpoint: "/proc/acpi", Root: "/", FSType: "tmpfs", Options: "ro,relatime"}, "masked"},
		{mountinfo.Info{Mountpoint: "/sys/firmware", Root: "/", FSType: "tmpfs", Options: "ro,relatime"}, "masked"},
		{mountinfo.Info{Mountpoint: "/proc/sys", Root: "/sys", FSType: "proc", Options: "ro,relatime"}, "read-only"},
		{mountinfo.Info{Mountpoint: "/proc", Root: "/", FSType: "proc", Options: "rw,relatime"}, ""},
		{mountinfo.Info{Mountpoint: "/sys", Root: "/", FSType: "sysfs", Options: "ro,nosuid"}, ""},
		{mountinfo.Info{Mountpoint: "/dev", Root: "/", FSType: "tmpfs", Options: "rw,nosuid"}, ""},
		{mountinfo.Info{Mountpoint: "/tmp", Root: "/", FSType: "tmpfs", Options: "ro"}, ""},
	} {
		if got := mountKind(&c.m); got != c.want {
			t.Errorf("%s (%s %s %s): %q, want %q", c.m.Mountpoint, c.m.FSType, c.m.Root, c.m.Options, got, c.want)
		}
	}
}
