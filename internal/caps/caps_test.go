package caps

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestNamesAreTheKernels(t *testing.T) {
	for n, want := range map[int]string{unix.CAP_CHOWN: "CAP_CHOWN", unix.CAP_NET_ADMIN: "CAP_NET_ADMIN",
		unix.CAP_SYS_ADMIN: "CAP_SYS_ADMIN", unix.CAP_CHECKPOINT_RESTORE: "CAP_CHECKPOINT_RESTORE", unix.CAP_SYS_RESOURCE: "CAP_SYS_RESOURCE"} {
		if Name(n) != want {
			t.Errorf("Name(%d) = %s, want %s", n, Name(n), want)
		}
	}
	if len(names) != Count || Count != unix.CAP_LAST_CAP+1 {
		t.Errorf("%d names, Count %d, CAP_LAST_CAP %d", len(names), Count, unix.CAP_LAST_CAP)
	}
	if Name(50) != "cap_50" {
		t.Errorf("Name(50) = %s", Name(50))
	}
}

func TestParse(t *testing.T) {
	for _, w := range []string{"CAP_NET_ADMIN", "cap_net_admin", "net_admin", "NET_ADMIN"} {
		if n, err := Parse(w); err != nil || n != unix.CAP_NET_ADMIN {
			t.Errorf("Parse(%q) = %d, %v", w, n, err)
		}
	}
	if _, err := Parse("CAP_NET_ADMN"); err == nil || !strings.Contains(err.Error(), "did you mean CAP_NET_ADMIN?") {
		t.Errorf("misspelt: %v", err)
	}
}

func TestDecode(t *testing.T) {
	// The status line of a root shell: CapEff: 000001ffffffffff.
	if w := Words(0x1ffffffffff); w != "all 41" {
		t.Errorf("full set: %s", w)
	}
	if w := Words(0x1ffffffefff); w != "all 41 but CAP_NET_ADMIN" {
		t.Errorf("all but one: %s", w)
	}
	if w := Words(0x400); w != "CAP_NET_BIND_SERVICE" {
		t.Errorf("ambient 0x400: %s", w)
	}
	if w := Words(0); w != "none" {
		t.Errorf("empty: %s", w)
	}
	if s := Strace(1<<unix.CAP_CHOWN | 1<<unix.CAP_BPF); s != "1<<CAP_CHOWN|1<<CAP_BPF" {
		t.Errorf("Strace: %s", s)
	}
}

func TestParseStrace(t *testing.T) {
	for in, want := range map[string]uint64{"0": 0, "0xfeffffff|0x1ff": 0x1fffeffffff, "0x1": 1,
		"1<<CAP_CHOWN|1<<CAP_BPF": 1<<unix.CAP_CHOWN | 1<<unix.CAP_BPF} {
		if got, err := ParseStrace(in); err != nil || got != want {
			t.Errorf("ParseStrace(%q) = %#x, %v; want %#x", in, got, err, want)
		}
	}
	for _, bad := range []string{"1<<CAP_NOPE", "x|y", "1|2|3", "CAP_CHOWN"} {
		if _, err := ParseStrace(bad); err == nil {
			t.Errorf("ParseStrace(%q) took it", bad)
		}
	}
}
