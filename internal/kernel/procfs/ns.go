package procfs

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// NSLink is what a /proc/PID/ns link names: a namespace, by type and inode.
type NSLink struct {
	Type  string // "uts"; "pid" for the pid_for_children link too
	Inode uint64 // the namespace's inode on nsfs: the same in two processes means one namespace
}

// String is the link's target as readlink(2) gives it: "uts:[4026531838]".
func (l NSLink) String() string { return l.Type + ":[" + strconv.FormatUint(l.Inode, 10) + "]" }

// NS reads the link /proc/PID/ns/NAME ("uts", "pid_for_children") and
// checks that it names a namespace of NAME's type. A missing link (a
// kernel without that type) or process gives an error wrapping
// os.ErrNotExist.
func (fs FS) NS(pid int, name string) (NSLink, error) {
	if name == "" || strings.ContainsRune(name, '/') || name == "." || name == ".." {
		return NSLink{}, fmt.Errorf("namespace link %q: not a name in /proc/PID/ns", name)
	}
	path := fs.Path(pid, "ns", name)
	target, err := os.Readlink(path)
	if err != nil {
		return NSLink{}, err // os.Readlink already says "readlink PATH: ..."
	}
	l, err := ParseNSLink(target)
	if err != nil {
		return NSLink{}, fmt.Errorf("%s: %w", path, err)
	}
	if want := strings.TrimSuffix(name, "_for_children"); l.Type != want {
		return NSLink{}, fmt.Errorf("%s: link names a %s namespace, want %s", path, l.Type, want)
	}
	return l, nil
}

// ParseNSLink splits the target of a /proc/PID/ns link, as readlink(2)
// returns it, into the namespace type and the namespace's inode number:
//
//	uts:[4026531838]
//	└┬┘ └────┬─────┘
//	 │       └ inode number on nsfs, decimal, in brackets
//	 └ type, as in the link's name ("pid" for pid_for_children)
//
// The kernel builds the text in ns_get_name() (fs/nsfs.c) as "%s:[%u]".
func ParseNSLink(target string) (NSLink, error) {
	colon := strings.Index(target, ":[")
	if colon <= 0 {
		return NSLink{}, fmt.Errorf("parse namespace link %q: want TYPE:[INODE]", target)
	}
	if !strings.HasSuffix(target, "]") {
		return NSLink{}, fmt.Errorf("parse namespace link %q: missing closing ]", target)
	}
	digits := target[colon+2 : len(target)-1]
	inode, err := ParseInode(digits)
	if err != nil {
		return NSLink{}, fmt.Errorf("parse namespace link %q: inode %q: %w", target, digits, err)
	}
	return NSLink{Type: target[:colon], Inode: inode}, nil
}

var errBadInode = errors.New("not a decimal number")

// ParseInode parses plain decimal digits as the kernel's "%u" writes them,
// stricter than strconv.ParseUint (no sign, no empty string, no leading
// zero), and without allocating, so that ns.List can
// use it on every link of every process.
func ParseInode[T string | []byte](digits T) (uint64, error) {
	if len(digits) == 0 || len(digits) > 20 || (len(digits) > 1 && digits[0] == '0') {
		return 0, errBadInode
	}
	var n uint64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, errBadInode
		}
		d := uint64(c - '0')
		if n > (^uint64(0)-d)/10 {
			return 0, strconv.ErrRange
		}
		n = n*10 + d
	}
	return n, nil
}
