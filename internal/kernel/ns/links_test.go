package ns

import (
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"testing"

	"hood/internal/testenv"
)

func TestReadInode(t *testing.T) {
	root := fakeProc(t, map[string]string{
		"7/ns/uts":              "->uts:[4026531838]",
		"7/ns/pid_for_children": "->pid:[4026532000]",
		"7/ns/ipc":              "->uts:[4026531839]", // names the wrong type
		"7/ns/net":              "->garbage",
	})
	for link, want := range map[string]uint64{"uts": 4026531838, "pid_for_children": 4026532000} {
		got, err := ReadInode(root, 7, link)
		if err != nil || got != want {
			t.Errorf("ReadInode(%s) = %d, %v; want %d", link, got, err, want)
		}
	}
	for link, want := range map[string]string{
		"ipc":         "names a uts namespace, want ipc",
		"net":         `"garbage"`,
		"mnt":         "no such file",
		"time":        "readlink " + root + "/7/ns/time",
		"../7/ns/uts": "not a name in /proc/PID/ns",
		"":            "not a name in /proc/PID/ns",
	} {
		_, err := ReadInode(root, 7, link)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadInode(%s) error %v; want one saying %q", link, err, want)
		}
	}
}

// linkNamesOf lists Show's answer as "name=inode" or "name=error".
func linkNamesOf(links []Link) string {
	var parts []string
	for _, l := range links {
		if l.Err != nil {
			parts = append(parts, l.Name+"=error")
			continue
		}
		parts = append(parts, l.Name+"="+strconv.FormatUint(l.Inode, 10))
	}
	return strings.Join(parts, " ")
}

func TestShowOrder(t *testing.T) {
	root := fakeProc(t, nsLinks("42", 1000))
	links, err := Show(root, 42)
	if err != nil {
		t.Fatal(err)
	}
	want := "user=1000 cgroup=1001 ipc=1002 uts=1003 net=1004 pid=1005 pid_for_children=1105 mnt=1006 time=1007 time_for_children=1107"
	if got := linkNamesOf(links); got != want {
		t.Errorf("Show:\n got %s\nwant %s", got, want)
	}
	for _, l := range links {
		if l.Type != linkType(l.Name) {
			t.Errorf("link %s has type %q", l.Name, l.Type)
		}
	}
}

func TestShowMissingLinks(t *testing.T) {
	// A kernel before 5.6 has no time namespaces, and so no time links.
	tree := nsLinks("42", 1000)
	delete(tree, "42/ns/time")
	delete(tree, "42/ns/time_for_children")
	links, err := Show(fakeProc(t, tree), 42)
	if err != nil {
		t.Fatal(err)
	}
	want := "user=1000 cgroup=1001 ipc=1002 uts=1003 net=1004 pid=1005 pid_for_children=1105 mnt=1006"
	if got := linkNamesOf(links); got != want {
		t.Errorf("Show:\n got %s\nwant %s", got, want)
	}
}

func TestShowUnreadable(t *testing.T) {
	tree := nsLinks("42", 1000)
	tree["42/ns/net"] = "->net:[oops]"   // malformed target
	tree["42/ns/mnt"] = "a regular file" // not a link: readlink gives EINVAL
	links, err := Show(fakeProc(t, tree), 42)
	if err != nil {
		t.Fatal(err)
	}
	want := "user=1000 cgroup=1001 ipc=1002 uts=1003 net=error pid=1005 pid_for_children=1105 mnt=error time=1007 time_for_children=1107"
	if got := linkNamesOf(links); got != want {
		t.Errorf("Show:\n got %s\nwant %s", got, want)
	}
	for _, l := range links {
		if l.Err != nil && l.Type != linkType(l.Name) {
			t.Errorf("unreadable link %s has type %q", l.Name, l.Type)
		}
	}
}

// TestShowPermissionDenied makes links unreadable with file permissions,
// which only bind a user that is not root.
func TestShowPermissionDenied(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("requires a user other than root: root reads past file permissions")
	}
	root := fakeProc(t, nsLinks("42", 1000))
	if err := os.Chmod(root+"/42/ns", 0o444); err != nil { // readable, not searchable
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(root+"/42/ns", 0o755) })
	links, err := Show(root, 42)
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 10 {
		t.Fatalf("Show gave %d links, want all 10 with errors: %s", len(links), linkNamesOf(links))
	}
	for _, l := range links {
		if !errors.Is(l.Err, fs.ErrPermission) {
			t.Errorf("link %s: err %v, want permission denied", l.Name, l.Err)
		}
	}
}

func TestShowNoProcess(t *testing.T) {
	root := fakeProc(t, merge(nsLinks("42", 1000), map[string]string{"43/": ""}))
	for _, pid := range []int{41, 43} { // no directory; a directory without ns/
		_, err := Show(root, pid)
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Show(%d) error %v; want one wrapping os.ErrNotExist", pid, err)
		}
		if err != nil && !strings.Contains(err.Error(), "pid "+strconv.Itoa(pid)) {
			t.Errorf("Show(%d) error %q does not name the pid", pid, err)
		}
	}
}

// TestShowSelf reads the test's own links from the real /proc.
func TestShowSelf(t *testing.T) {
	testenv.Kernel(t)
	links, err := Show("/proc", os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if len(links) < 7 {
		t.Fatalf("Show(self) gave only %s", linkNamesOf(links))
	}
	for _, l := range links {
		if l.Err != nil {
			t.Errorf("link %s: %v", l.Name, l.Err)
			continue
		}
		target, err := os.Readlink("/proc/self/ns/" + l.Name)
		if err != nil {
			t.Fatal(err)
		}
		if want := l.Type + ":[" + strconv.FormatUint(l.Inode, 10) + "]"; target != want {
			t.Errorf("link %s: Show says %s, readlink says %s", l.Name, want, target)
		}
	}
}

// TestShowPID1 checks the unreadable case on a real kernel where it
// happens: in some sandboxes pid 1's links are EACCES even for root.
func TestShowPID1(t *testing.T) {
	testenv.Kernel(t)
	if _, err := os.Readlink("/proc/1/ns/uts"); !errors.Is(err, fs.ErrPermission) {
		t.Skipf("pid 1's links are readable here (readlink: %v)", err)
	}
	links, err := Show("/proc", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(links) == 0 {
		t.Fatal("Show(1) left out the unreadable links")
	}
	for _, l := range links {
		if !errors.Is(l.Err, fs.ErrPermission) || l.Inode != 0 {
			t.Errorf("link %s: inode %d, err %v; want permission denied", l.Name, l.Inode, l.Err)
		}
	}
}

// linkType is the namespace type a link name refers to: "pid_for_children"
// refers to a pid namespace.
func linkType(link string) string {
	return strings.TrimSuffix(link, "_for_children")
}
