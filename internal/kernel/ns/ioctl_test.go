package ns

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"

	"hood/internal/testenv"
)

func TestInspectOwnNamespaces(t *testing.T) {
	testenv.Kernel(t)
	for _, typ := range []string{"net", "uts", "pid", "user"} {
		path := "/proc/self/ns/" + typ
		if _, err := os.Stat(path); err != nil {
			t.Skipf("requires %s (%v)", path, err)
		}
		info, err := Inspect(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Type.Name != typ {
			t.Errorf("%s: NS_GET_NSTYPE says %q (calls %+v)", path, info.Type.Name, info.Calls)
		}
		ino, err := ReadInode("/proc", os.Getpid(), typ)
		if err != nil {
			t.Fatal(err)
		}
		if info.Inode != ino {
			t.Errorf("%s: inode %d, readlink says %d", path, info.Inode, ino)
		}
		if info.Calls[0].Value != uint64(info.Type.Flag) {
			t.Errorf("%s: NSTYPE value %#x, want %#x", path, info.Calls[0].Value, info.Type.Flag)
		}
		// The owner of every namespace of the initial set is the initial
		// user namespace, which has no parent we may see.
		if typ == "user" {
			last := info.Calls[len(info.Calls)-1]
			if last.Call.Errno != 0 || last.Value != uint64(os.Geteuid()) && os.Geteuid() == 0 && last.Value != 0 {
				t.Errorf("NS_GET_OWNER_UID: %+v", last)
			}
			parent := info.Calls[len(info.Calls)-2]
			if parent.Call.Errno != unix.EPERM {
				t.Errorf("NS_GET_PARENT of the initial user namespace: want EPERM, got %+v", parent)
			}
		}
	}
}

func TestInspectNotANamespace(t *testing.T) {
	testenv.Kernel(t)
	info, err := Inspect("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Calls) != 1 || info.Calls[0].Call.Errno == 0 {
		t.Errorf("NS_GET_NSTYPE on a plain file: want an error, got %+v", info.Calls)
	}
}
