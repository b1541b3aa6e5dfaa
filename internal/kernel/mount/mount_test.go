package mount

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseOptions(t *testing.T) {
	for _, c := range []struct {
		in   string
		f    uintptr
		data string
	}{
		{"", 0, ""},
		{"ro,nosuid", unix.MS_RDONLY | unix.MS_NOSUID, ""},
		{"rbind", unix.MS_BIND | unix.MS_REC, ""},
		{"rprivate", unix.MS_PRIVATE | unix.MS_REC, ""},
		{"size=10m,mode=755,noexec", unix.MS_NOEXEC, "size=10m,mode=755"},
		{"remount,ro", unix.MS_REMOUNT | unix.MS_RDONLY, ""},
		{"relatime,rw", unix.MS_RELATIME, ""},
		{"rsize=8192", 0, "rsize=8192"},
	} {
		f, data := ParseOptions(c.in)
		if f != c.f || data != c.data {
			t.Errorf("ParseOptions(%q) = %s, %q; want %s, %q", c.in, FlagString(f), data, FlagString(c.f), c.data)
		}
	}
}

func TestFlagString(t *testing.T) {
	if got := FlagString(unix.MS_REC | unix.MS_PRIVATE); got != "MS_REC|MS_PRIVATE" {
		t.Errorf("got %q", got)
	}
	if got := FlagString(0); got != "0" {
		t.Errorf("got %q", got)
	}
}

func TestUnknownCgroupOptions(t *testing.T) {
	known := Controllers(strings.NewReader("#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t2\t1\t1\nnet_cls\t5\t1\t1\nrdma\t0\t1\t0\n"))
	if strings.Join(known, ",") != "cpu,net_cls" {
		t.Fatalf("controllers %v", known)
	}
	for data, want := range map[string]string{"net": "net", "cpu": "", "net_cls,xattr": "", "name=x,none": "", "rdma,bogus": "rdma,bogus"} {
		if got := strings.Join(UnknownCgroupOptions(data, known), ","); got != want {
			t.Errorf("%q: unknown %q, want %q", data, got, want)
		}
	}
}

func TestUnknownFSOptions(t *testing.T) {
	for _, c := range []struct {
		fstype, data, bad string
		known             bool
	}{
		{"tmpfs", "size=1m,mode=755", "", true},
		{"tmpfs", "size=1m,bogus,nosiud", "bogus,nosiud", true},
		{"proc", "hidepid=2", "", true},
		{"sysfs", "x", "x", true},
		{"ext4", "errors=remount-ro", "", false},
	} {
		bad, known := UnknownFSOptions(c.fstype, c.data)
		if strings.Join(bad, ",") != c.bad || known != c.known {
			t.Errorf("%s %q: %v %v, want %q %v", c.fstype, c.data, bad, known, c.bad, c.known)
		}
	}
}
