// Package statedir is where hood keeps state for the person at the
// keyboard: $XDG_STATE_HOME/hood, ~/.local/state/hood by default, and under
// sudo the invoking user's, not root's (the XDG Base Directory
// Specification's state home). Lab progress and root filesystems live here.
package statedir

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Dir is hood's state directory, and the uid and gid that should own what
// hood creates there (-1: ourselves).
func Dir() (dir string, uid, gid int, err error) {
	dir, _, uid, gid, err = dirs()
	return dir, uid, gid, err
}

// dirs is Dir and its anchor: the directory the person chose or owns
// (their home, or $XDG_STATE_HOME), below which every path of the state
// directory is resolved (safe.go), so that no symbolic link planted there
// takes a write of root's elsewhere.
func dirs() (dir, anchor string, uid, gid int, err error) {
	if os.Geteuid() == 0 && os.Getenv("SUDO_USER") != "" && os.Getenv("SUDO_USER") != "root" {
		home, err := homeOf(os.Getenv("SUDO_USER"))
		if err != nil {
			return "", "", -1, -1, err
		}
		uid, uerr := strconv.Atoi(os.Getenv("SUDO_UID"))
		gid, gerr := strconv.Atoi(os.Getenv("SUDO_GID"))
		if uerr != nil || gerr != nil || uid < 0 || gid < 0 {
			return "", "", -1, -1, fmt.Errorf("SUDO_USER is %s but SUDO_UID %q or SUDO_GID %q is not a number: hood will not guess who owns its state", os.Getenv("SUDO_USER"), os.Getenv("SUDO_UID"), os.Getenv("SUDO_GID"))
		}
		return filepath.Join(home, ".local", "state", "hood"), home, uid, gid, nil
	}
	if x := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "hood"), filepath.Clean(x), -1, -1, nil
	}
	home := os.Getenv("HOME")
	if !filepath.IsAbs(home) {
		return "", "", -1, -1, errors.New("neither XDG_STATE_HOME nor HOME is set to a directory")
	}
	return filepath.Join(home, ".local", "state", "hood"), filepath.Clean(home), -1, -1, nil
}

// PasswdFile is read for the home of the user behind sudo (tests change it).
var PasswdFile = "/etc/passwd"

// homeOf finds a user's home directory in /etc/passwd.
//
//	name:password:UID:GID:GECOS:home:shell
func homeOf(user string) (string, error) {
	f, err := os.Open(PasswdFile)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) >= 7 && fields[0] == user && filepath.IsAbs(fields[5]) {
			return fields[5], nil
		}
	}
	return "", fmt.Errorf("user %s (SUDO_USER) is not in %s", user, PasswdFile)
}
