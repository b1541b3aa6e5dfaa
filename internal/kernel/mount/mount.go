// Package mount holds the mount(2) flags hood's commands use, their names
// for narration, and mount(8)'s -o options turned into them.
// See mount(2), mount(8) and mount_namespaces(7).
package mount

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

var flags = []struct {
	flag uintptr
	name string
	opt  string // mount(8) -o spelling
}{
	{unix.MS_RDONLY, "MS_RDONLY", "ro"},
	{unix.MS_NOSUID, "MS_NOSUID", "nosuid"},
	{unix.MS_NODEV, "MS_NODEV", "nodev"},
	{unix.MS_NOEXEC, "MS_NOEXEC", "noexec"},
	{unix.MS_REMOUNT, "MS_REMOUNT", "remount"},
	{unix.MS_BIND, "MS_BIND", "bind"},
	{unix.MS_MOVE, "MS_MOVE", "move"},
	{unix.MS_REC, "MS_REC", ""},
	{unix.MS_NOATIME, "MS_NOATIME", "noatime"},
	{unix.MS_RELATIME, "MS_RELATIME", "relatime"},
	{unix.MS_UNBINDABLE, "MS_UNBINDABLE", "unbindable"},
	{unix.MS_PRIVATE, "MS_PRIVATE", "private"},
	{unix.MS_SLAVE, "MS_SLAVE", "slave"},
	{unix.MS_SHARED, "MS_SHARED", "shared"},
}

// The flags hood's commands name directly.
const (
	Bind       = unix.MS_BIND
	Rec        = unix.MS_REC
	Private    = unix.MS_PRIVATE
	Shared     = unix.MS_SHARED
	Slave      = unix.MS_SLAVE
	Unbindable = unix.MS_UNBINDABLE
	NoSuid     = unix.MS_NOSUID
	NoDev      = unix.MS_NODEV
	NoExec     = unix.MS_NOEXEC
	NewNS      = unix.CLONE_NEWNS // for unshare(2): a new mount namespace
)

// FlagString renders mount(2) flags by name: "MS_REC|MS_PRIVATE".
func FlagString(f uintptr) string {
	if f == 0 {
		return "0"
	}
	var names []string
	rest := f
	for _, x := range flags {
		if f&x.flag != 0 {
			names = append(names, x.name)
			rest &^= x.flag
		}
	}
	if rest != 0 {
		names = append(names, fmt.Sprintf("%#x", rest))
	}
	return strings.Join(names, "|")
}

// ParseOptions turns mount(8)'s -o list into mount(2) flags and the data
// string the filesystem gets (what is not a flag: size=10m, mode=755).
// rbind, rprivate, rshared and rslave add MS_REC.
func ParseOptions(opts string) (f uintptr, data string) {
	var rest []string
	for _, o := range strings.Split(opts, ",") {
		if o == "" || o == "rw" || o == "defaults" {
			continue
		}
		rec := false
		name := o
		if strings.HasPrefix(o, "r") && o != "remount" && o != "relatime" && o != "ro" {
			name, rec = o[1:], true
		}
		found := false
		for _, x := range flags {
			if x.opt != "" && x.opt == name && (!rec || x.flag == unix.MS_BIND || x.flag&(unix.MS_PRIVATE|unix.MS_SHARED|unix.MS_SLAVE|unix.MS_UNBINDABLE) != 0) {
				f |= x.flag
				if rec {
					f |= unix.MS_REC
				}
				found = true
			}
		}
		if !found {
			rest = append(rest, o)
		}
	}
	return f, strings.Join(rest, ",")
}

// FlagNames lists the names of the mount flags hood narrates.
func FlagNames() []string {
	var out []string
	for _, f := range flags {
		out = append(out, f.name)
	}
	return out
}
