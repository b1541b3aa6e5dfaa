package ns

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Link is one entry of /proc/PID/ns: which namespace of one type a process
// is in (or, for a *_for_children link, which one its next children get).
type Link struct {
	Name  string // link name: "uts", "pid_for_children"
	Type  string // namespace type: "pid" for both "pid" and "pid_for_children"
	Inode uint64 // the namespace's inode on nsfs; two processes share a namespace when these match
	Err   error  // set when the link exists but could not be read (EACCES for pid 1, say)
}

// ParseLink splits the target of a /proc/PID/ns link, as readlink(2) returns
// it, into the namespace type and the namespace's inode number:
//
//	uts:[4026531838]
//	└┬┘ └────┬─────┘
//	 │       └ inode number on nsfs, decimal, in brackets
//	 └ type, as in the link's name ("pid" for pid_for_children)
//
// The kernel builds the text in ns_get_name() (fs/nsfs.c) as "%s:[%u]".
func ParseLink(target string) (typ string, inode uint64, err error) {
	colon := strings.Index(target, ":[")
	if colon <= 0 {
		return "", 0, fmt.Errorf("parse namespace link %q: want TYPE:[INODE]", target)
	}
	if !strings.HasSuffix(target, "]") {
		return "", 0, fmt.Errorf("parse namespace link %q: missing closing ]", target)
	}
	digits := target[colon+2 : len(target)-1]
	inode, err = parseInode(digits)
	if err != nil {
		return "", 0, fmt.Errorf("parse namespace link %q: inode %q: %w", target, digits, err)
	}
	return target[:colon], inode, nil
}

var errBadInode = errors.New("not a decimal number")

// parseInode parses plain decimal digits, stricter than strconv.ParseUint
// (no sign, no empty string), and without allocating so List can use it on
// every link of every process.
func parseInode[T string | []byte](digits T) (uint64, error) {
	if len(digits) == 0 || len(digits) > 20 {
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

// linkType is the namespace type a link name refers to: "pid_for_children"
// refers to a pid namespace.
func linkType(link string) string {
	return strings.TrimSuffix(link, "_for_children")
}

// ReadInode reads one link, procRoot/PID/ns/LINK, and returns the inode of
// the namespace it names. procRoot is "/proc" except in tests.
func ReadInode(procRoot string, pid int, link string) (uint64, error) {
	if link == "" || strings.ContainsRune(link, '/') || link == "." || link == ".." {
		return 0, fmt.Errorf("namespace link %q: not a name in /proc/PID/ns", link)
	}
	path := filepath.Join(procRoot, strconv.Itoa(pid), "ns", link)
	target, err := os.Readlink(path)
	if err != nil {
		// os.Readlink already says "readlink PATH: ...".
		return 0, err
	}
	typ, inode, err := ParseLink(target)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	if want := linkType(link); typ != want {
		return 0, fmt.Errorf("%s: link names a %s namespace, want %s", path, typ, want)
	}
	return inode, nil
}

// Show reads every namespace link of one process: each type of Types in
// order, each followed by its *_for_children link if it has one. A link the
// kernel does not have (no time namespaces before Linux 5.6) is left out; a
// link that exists but cannot be read is returned with Err set, because
// "you may not look" is worth showing a learner. If the process does not
// exist the error wraps os.ErrNotExist.
func Show(procRoot string, pid int) ([]Link, error) {
	dir := filepath.Join(procRoot, strconv.Itoa(pid), "ns")
	// Look at the directory first: a missing link and a missing process
	// both read as ENOENT, and only the second is an error.
	if _, err := os.Stat(dir); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("pid %d: no such process: %w", pid, err)
		}
		return nil, fmt.Errorf("pid %d: %w", pid, err)
	}
	links := make([]Link, 0, 2*len(Types))
	missing := 0
	for _, t := range Types {
		for _, name := range []string{t.Name, t.ForChildren} {
			if name == "" {
				continue
			}
			inode, err := ReadInode(procRoot, pid, name)
			if errors.Is(err, unix.ENOENT) {
				missing++
				continue
			}
			links = append(links, Link{Name: name, Type: t.Name, Inode: inode, Err: err})
		}
	}
	if len(links) == 0 && missing > 0 {
		// The process exited and was reaped between the Stat and the
		// links. (A zombie still has its user and pid links.)
		return nil, fmt.Errorf("pid %d: no such process: %w", pid, os.ErrNotExist)
	}
	return links, nil
}
