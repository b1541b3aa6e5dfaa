package commands

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"hood/internal/kernel/procfs"
	"hood/internal/result"
)

// capsOf reads a box's status file directly, not through hood's commands.
func capsOf(t *testing.T, pid int) procfs.Status {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	st, err := procfs.ParseStatus(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestCapsDropAndKeep(t *testing.T) {
	s := newSession(t)
	b := s.Current
	const netAdmin = 1 << unix.CAP_NET_ADMIN
	r := exec(t, s, "caps drop net_admin")
	st := capsOf(t, b.PID)
	for name, set := range map[string]uint64{"CapEff": st.CapEff, "CapPrm": st.CapPrm, "CapBnd": st.CapBnd} {
		if set&netAdmin != 0 || set == 0 {
			t.Errorf("%s %016x after caps drop net_admin", name, set)
		}
	}
	if !strings.Contains(r.Text, "warning: without CAP_NET_ADMIN") {
		t.Errorf("no warning first: %q", r.Text)
	}
	if len(r.Syscalls) != 2 || r.Syscalls[0].Text() != "prctl(PR_CAPBSET_DROP, CAP_NET_ADMIN)" || r.Syscalls[1].Name != "capset" {
		t.Errorf("calls: %v", r.Syscalls)
	}
	// A second drop of the same finds nothing to do, and calls nothing.
	if r := exec(t, s, "caps drop CAP_NET_ADMIN"); len(r.Syscalls) != 0 {
		t.Errorf("second drop made calls: %v", r.Syscalls)
	}
	exec(t, s, "caps keep CAP_CHOWN CAP_KILL")
	st = capsOf(t, b.PID)
	const keep = 1<<unix.CAP_CHOWN | 1<<unix.CAP_KILL
	if st.CapEff != keep || st.CapPrm != keep || st.CapBnd != keep || st.CapInh != 0 || st.CapAmb != 0 {
		t.Errorf("after caps keep: %+v", st)
	}
	// Without CAP_SETPCAP the bounding set cannot shrink: the kernel's
	// EPERM comes back naming the capability.
	_, err := s.Exec([]string{"caps", "drop", "CAP_KILL"})
	var ke *result.KernelError
	if !errors.As(err, &ke) || ke.ErrName != "EPERM" || !strings.Contains(ke.Meaning, "no CAP_SETPCAP") {
		t.Errorf("drop without CAP_SETPCAP: %v", err)
	}
	if capsOf(t, b.PID).CapBnd != keep {
		t.Errorf("bounding set changed by a refused drop")
	}
}

func TestCapsShowAndBadNames(t *testing.T) {
	s := newSession(t)
	r := exec(t, s, "caps")
	st := capsOf(t, s.Current.PID)
	if r.Table == nil || len(r.Table.Rows) != 5 || r.Table.Rows[0][1] != fmt.Sprintf("%016x", st.CapEff) {
		t.Fatalf("caps table: %+v (CapEff %016x)", r.Table, st.CapEff)
	}
	for _, bad := range [][]string{{"caps", "drop", "CAP_NET_ADMN"}, {"caps", "drop"}, {"caps", "keep", "all"}, {"caps", "drop", "CAP_CHOWN", "bogus"}} {
		_, err := s.Exec(bad)
		var ue *result.UsageError
		if !errors.As(err, &ue) {
			t.Errorf("%v: %v", bad, err)
		}
	}
	if _, err := s.Exec([]string{"caps", "drop", "CAP_NET_ADMN"}); err == nil || !strings.Contains(err.Error(), "did you mean CAP_NET_ADMIN?") {
		t.Errorf("no suggestion: %v", err)
	}
	if capsOf(t, s.Current.PID).CapEff != st.CapEff {
		t.Errorf("bad input changed the sets")
	}
}
