package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"hood/internal/journal"
)

// One sentence per dead hood: groups counted by name (a box's group is a
// directory in every hierarchy), the rest by kind, the last joined by "and".
func TestParagraph(t *testing.T) {
	j := &journal.Journal{PID: 1234, Began: time.Now()}
	cg := func(p string) journal.Entry { return journal.Entry{Kind: journal.Cgroup, What: p} }
	left := []journal.Entry{
		cg("/sys/fs/cgroup/pids/hood/box1"), cg("/sys/fs/cgroup/cpu/hood/box1"), cg("/sys/fs/cgroup/pids/hood/b2"),
		{Kind: journal.Veth, What: "hz0"}, {Kind: journal.Netns, What: "blue"},
	}
	want := "hood 1234 (started " + j.Began.Format("15:04") + ", gone) left 2 cgroups, 1 veth end and a /run/netns name; removed."
	if got := paragraph(j, left, false, nil); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	want = "hood 1234 (started " + j.Began.Format("15:04") + ", gone) left 2 veth ends; not removed (--dry-run): `hood cleanup` removes them."
	if got := paragraph(j, []journal.Entry{{Kind: journal.Veth, What: "a"}, {Kind: journal.Veth, What: "b"}}, true, nil); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	j.Began = time.Now().Add(-48 * time.Hour)
	got := paragraph(j, left[3:4], false, []string{"rmdir x: EBUSY"})
	want = "hood 1234 (started " + j.Began.Format("Jan 2 15:04") + ", gone) left 1 veth end; could not remove all: rmdir x: EBUSY (hood cleanup tries again)."
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// A leftover whose path now holds another thing (another inode) than the
// one the dead hood made is not its to remove.
func TestThereChecksTheInode(t *testing.T) {
	j := &journal.Journal{PID: 4321, Start: 1}
	dir := filepath.Join(t.TempDir(), ".partial-r-4321-1")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	e := journal.Entry{Kind: journal.Rootfs, What: dir, ID: journal.InodeOf(dir)}
	if !there(j, e) {
		t.Fatalf("%v: the very directory made is not taken for it", e)
	}
	os.Remove(dir)
	other := filepath.Join(filepath.Dir(dir), "other")
	os.Mkdir(other, 0o700) // holds the old inode number away
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if journal.InodeOf(dir) == e.ID {
		t.Skip("the new directory got the old inode number back")
	}
	if there(j, e) {
		t.Errorf("%v: a directory made since, at the same path, is taken for the dead hood's", e)
	}
	if e.ID = ""; !there(j, e) {
		t.Errorf("without an ID (killed before Made), the name and PID decide")
	}
}
