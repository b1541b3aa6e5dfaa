package procfs

import (
	"strings"
	"testing"
)

func TestParsePropagation(t *testing.T) {
	for _, c := range []struct {
		in, kind, str, words string
	}{
		{"", "private", "private", "private"},
		{"shared:12", "shared", "shared:12", "shared in group 12"},
		{"master:3", "slave", "master:3", "slave of group 3"},
		{"shared:2 master:1", "shared and slave", "shared:2 master:1", "shared in group 2, slave of group 1"},
		{"master:7 propagate_from:3", "slave", "master:7 propagate_from:3", "slave of group 7, receives from group 3"},
		{"unbindable", "unbindable", "unbindable", "unbindable"},
	} {
		p, err := ParsePropagation(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if p.Kind() != c.kind || p.String() != c.str || p.Words() != c.words {
			t.Errorf("%q: kind %q, string %q, words %q; want %q, %q, %q", c.in, p.Kind(), p, p.Words(), c.kind, c.str, c.words)
		}
	}
	for _, bad := range []string{"shared", "shared:", "shared:0", "shared:-1", "shared:+1", "shared:01", "shared:x", "peer:1", "shared:1 shared:2", "unbindable unbindable", "master:99999999999999999999"} {
		if p, err := ParsePropagation(bad); err == nil {
			t.Errorf("%q accepted as %v", bad, p)
		}
	}
}

// The box's table (testdata/mounts/2), a copy of the host's made private, with mounts of its
// own, against the host's (1): matched by mount point and source, not by ID.
func TestDiffMounts(t *testing.T) {
	fs := New("testdata/mounts") // 1: the host, 2: the box
	hostMs, err := fs.Mountinfo(1, nil)
	if err != nil {
		t.Fatal(err)
	}
	boxMs, err := fs.Mountinfo(2, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range DiffMounts(hostMs, boxMs) {
		got = append(got, c.Kind+" "+c.Mount().Mountpoint+" "+strings.Join(c.What, "; "))
	}
	want := []string{
		"changed / propagation shared:1 -> private",
		"changed /proc propagation shared:12 -> private",
		"changed /sys propagation shared:2 -> private",
		"changed /mnt options rw,relatime -> ro,relatime",
		"added /tmp ",
		"added /tmp/s ",
		"added /tmp/p ",
		"added /tmp/q ",
		"gone /srv ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diff:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s := DiffSummary(DiffMounts(hostMs, boxMs)); s != "4 added, 1 gone, 4 changed" {
		t.Errorf("summary %q", s)
	}
	if s := DiffSummary(DiffMounts(hostMs, hostMs)); s != "no difference" {
		t.Errorf("a table against itself: %q", s)
	}
}
