package commands

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"hood/internal/caps"
	"hood/internal/statedir"
)

// TestStateFilesModesUnderSudo runs, as root under a fake sudo (SUDO_USER
// alice, uid 4321, gid 4322, her home a temporary directory), every
// command that writes to hood's state directory, then walks the directory:
// each directory is 0700, each file 0600 (a copy given file capabilities
// is a program, 0755, in a directory only root enters), and each is
// alice's except what must stay root's (the copies, runc's root, the
// trees of root filesystems).
func TestStateFilesModesUnderSudo(t *testing.T) {
	home := t.TempDir()
	pw := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(pw, []byte("alice:x:4321:4322::"+home+":/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := statedir.PasswdFile
	statedir.PasswdFile = pw
	t.Cleanup(func() { statedir.PasswdFile = old })
	t.Setenv("SUDO_USER", "alice")
	t.Setenv("SUDO_UID", "4321")
	t.Setenv("SUDO_GID", "4322")
	s := newSession(t)
	t.Cleanup(s.removeCapCopies)
	state := filepath.Join(home, ".local", "state", "hood")
	want := []string{"rootfs", "bundles", "runc"}
	if err := statedir.MkdirOwned(filepath.Join(state, "capfile"), 4321, 4322); err != nil {
		t.Fatal(err)
	}
	if why := caps.Usable(filepath.Join(state, "capfile")); why != "" {
		t.Logf("no capability copy: %s", why) // the copies' modes are not tried here
	} else {
		exec(t, s, "caps file cat cap_net_raw=ep")
		want = append(want, "capfile")
	}
	exec(t, s, "rootfs make sec")
	exec(t, s, "rootfs bundle sec")
	if _, err := s.runcRoot(); err != nil {
		t.Fatal(err)
	}
	rootfs := filepath.Join(state, "rootfs", "sec")
	seen := map[string]bool{}
	err := filepath.WalkDir(filepath.Join(home, ".local"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		var st syscall.Stat_t
		if err := syscall.Lstat(p, &st); err != nil {
			return err
		}
		rel, _ := filepath.Rel(state, p)
		kind := strings.SplitN(rel, "/", 3)
		if len(kind) > 1 || d.IsDir() {
			seen[kind[0]] = seen[kind[0]] || len(kind) > 1 // something made inside it
		}
		wantMode, wantUID := uint32(0o600), uint32(4321)
		if d.IsDir() {
			wantMode = 0o700
		}
		switch {
		case p == rootfs: // a root filesystem's / is root's, 0755, as any is
			wantUID, wantMode = 0, 0o755
		case kind[0] == "capfile" && len(kind) > 1:
			wantUID = 0 // capfile/hood-PID-START and the copies in it
			if !d.IsDir() {
				wantMode = 0o755
			}
		case kind[0] == "runc" && len(kind) > 1:
			wantUID = 0 // runc's --root
		}
		if st.Mode&0o7777 != wantMode || st.Uid != wantUID || (wantUID != 0 && st.Gid != 4322) {
			t.Errorf("%s: mode %o owner %d:%d; want mode %o owner %d", p, st.Mode&0o7777, st.Uid, st.Gid, wantMode, wantUID)
		}
		if p == rootfs {
			return filepath.SkipDir
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range want {
		if !seen[k] {
			t.Errorf("no %s in the state directory: %v", k, seen)
		}
	}
	exec(t, s, "rootfs rm sec")
}
