package commands

import (
	"os"
	"slices"
	"strings"
	"testing"

	"hood/internal/box"
)

// fixtureSession reads the procfs package's fixture tree instead of /proc,
// so these tests show that the handlers read Session.ProcRoot.
func fixtureSession(t *testing.T) *Session {
	const root = "../internal/kernel/procfs/testdata/proc"
	if _, err := os.Stat(root); err != nil {
		t.Skip("requires hood's source tree next to the test binary (the VM lane runs the binary alone)")
	}
	s := NewSession()
	s.ProcRoot = root
	return s
}

// A PID 1 that is a zombie (Z) or being reaped (X) is not live: both are
// dead, as everywhere else in hood.
func TestLiveInitSkipsDead(t *testing.T) {
	s := fixtureSession(t)
	for _, tc := range []struct {
		inits []int
		want  int
	}{
		{[]int{4251, 4261}, 4251}, // the newest is X: the older one is live
		{[]int{4251, 4243}, 4251}, // the newest is a zombie
		{[]int{4243, 4261}, 0},
		{[]int{9999}, 0},
	} {
		if got := s.LiveInit(&box.Box{Inits: tc.inits}); got != tc.want {
			t.Errorf("LiveInit(%v) = %d; want %d", tc.inits, got, tc.want)
		}
	}
	if got := s.NSpid(4251); !slices.Equal(got, []string{"4251", "1"}) {
		t.Errorf("NSpid(4251) = %v", got)
	}
}

func TestCgroupShowReadsProcRoot(t *testing.T) {
	s := fixtureSession(t)
	r, err := cgroupShow(s, []string{"4242"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Table.Rows) != 10 {
		t.Fatalf("%d rows; want the fixture's 10 hierarchies", len(r.Table.Rows))
	}
	if got := strings.Join(r.Table.Rows[0], " "); got != "9 name=systemd /user.slice/user-1000.slice/session-2.scope" {
		t.Errorf("first row %q", got)
	}
	if got := strings.Join(r.Table.Rows[9], " "); got != "0 (v2) /user.slice/user-1000.slice/session-2.scope" {
		t.Errorf("v2 row %q", got)
	}
	if _, err := cgroupShow(s, []string{"4252"}); err == nil || !strings.Contains(err.Error(), "cgroup") {
		t.Errorf("a process without a cgroup file: error %v", err)
	}
}
