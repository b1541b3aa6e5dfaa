package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"hood/internal/cast"
	"hood/internal/statedir"
)

// createCast makes the file a recording goes to, mode 0600 and, under
// sudo, owned by the invoking user (as hood's state files are). It is
// always a new file, never one opened through a symbolic link: an
// existing one is refused, or with --overwrite removed first (a regular
// file only, and under sudo only one of the invoking user's).
func createCast(path string, overwrite bool) (*os.File, error) {
	_, uid, gid, err := statedir.Dir()
	if err != nil && os.Geteuid() == 0 && os.Getenv("SUDO_USER") != "" {
		return nil, fmt.Errorf("%s: who should own it: %v", path, err)
	}
	if st, lerr := os.Lstat(path); lerr == nil && overwrite {
		owner := int(st.Sys().(*syscall.Stat_t).Uid)
		switch {
		case !st.Mode().IsRegular():
			what := "not a regular file"
			switch {
			case st.Mode()&fs.ModeSymlink != 0:
				what = "a symbolic link"
			case st.IsDir():
				what = "a directory"
			}
			return nil, fmt.Errorf("%s exists and is %s: hood does not write through it, give another name", path, what)
		case uid >= 0 && owner != uid:
			return nil, fmt.Errorf("%s belongs to uid %d, not to you (uid %d): hood will not replace it", path, owner, uid)
		}
		if err := os.Remove(path); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%s exists: give --overwrite to replace it, or another name", path)
	}
	if err != nil {
		return nil, err
	}
	if uid >= 0 {
		if err := f.Chown(uid, gid); err != nil {
			f.Close()
			os.Remove(path)
			return nil, err
		}
	}
	return f, nil
}

// castMarks, in the hood that hood --record runs, writes a mark before
// each command line, where the recording puts its marker; next (if any)
// runs after it. Anywhere else it is next.
func castMarks(next func(string)) func(string) {
	if !castMarksAsked() {
		return next
	}
	return func(line string) {
		// -c's lines end in the ';' that joined them (run.go).
		_, _ = os.Stdout.Write(cast.Mark(strings.TrimRight(line, "; ")))
		if next != nil {
			next(line)
		}
	}
}
