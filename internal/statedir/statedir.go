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
	if os.Geteuid() == 0 && os.Getenv("SUDO_USER") != "" && os.Getenv("SUDO_USER") != "root" {
		home, err := homeOf(os.Getenv("SUDO_USER"))
		if err != nil {
			return "", -1, -1, err
		}
		uid, _ := strconv.Atoi(os.Getenv("SUDO_UID"))
		gid, _ := strconv.Atoi(os.Getenv("SUDO_GID"))
		return filepath.Join(home, ".local", "state", "hood"), uid, gid, nil
	}
	if x := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "hood"), -1, -1, nil
	}
	home := os.Getenv("HOME")
	if !filepath.IsAbs(home) {
		return "", -1, -1, errors.New("neither XDG_STATE_HOME nor HOME is set to a directory")
	}
	return filepath.Join(home, ".local", "state", "hood"), -1, -1, nil
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

// MkdirOwned makes dir and its missing parents, mode 0755, each owned by
// uid and gid when uid is not -1: under sudo, what hood creates in the
// invoking user's state directory stays theirs.
func MkdirOwned(dir string, uid, gid int) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := MkdirOwned(parent, uid, gid); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	if uid >= 0 {
		return os.Lchown(dir, uid, gid)
	}
	return nil
}
