package explain

import (
	"errors"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"hood/internal/testenv"
)

// TestCapsetRulesAgainstTheKernel holds the capset entry's rules to what
// the kernel does, on a thread of its own that is thrown away after
// (capabilities are per thread; a goroutine that stays locked to its
// thread when it ends takes the thread with it).
func TestCapsetRulesAgainstTheKernel(t *testing.T) {
	testenv.Root(t)
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with this goroutine
		done <- capsetRules()
	}()
	if err := <-done; err != nil {
		t.Error(err)
	}
}

type capSets struct{ eff, perm, inh uint32 }

func capget() (capSets, error) {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var d [2]unix.CapUserData
	err := unix.Capget(&hdr, &d[0])
	return capSets{d[0].Effective, d[0].Permitted, d[0].Inheritable}, err
}

func capset(s capSets) error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	d := [2]unix.CapUserData{{Effective: s.eff, Permitted: s.perm, Inheritable: s.inh}}
	return unix.Capset(&hdr, &d[0])
}

const (
	setpcap = 1 << unix.CAP_SETPCAP
	sysTime = 1 << unix.CAP_SYS_TIME // dropped from permitted
	sysBoot = 1 << unix.CAP_SYS_BOOT // dropped from the bounding set
)

// capsetRules tries each rule of the entry once each way; the low 32
// capabilities are enough.
func capsetRules() error {
	s, err := capget()
	if err != nil {
		return err
	}
	if s.perm&(setpcap|sysTime|sysBoot) != setpcap|sysTime|sysBoot {
		return errors.New("root lacks CAP_SETPCAP, CAP_SYS_TIME or CAP_SYS_BOOT here")
	}
	if err := unix.Prctl(unix.PR_CAPBSET_DROP, unix.CAP_SYS_BOOT, 0, 0, 0); err != nil {
		return err
	}
	s = capSets{eff: s.eff &^ sysTime, perm: s.perm &^ sysTime, inh: 0}
	for _, step := range []struct {
		what string
		set  capSets
		want error
	}{
		{"CAP_SYS_TIME out of permitted", s, nil},
		{"permitted beyond the old permitted", capSets{s.eff, s.perm | sysTime, 0}, unix.EPERM},
		{"effective beyond the new permitted", capSets{s.eff | sysTime, s.perm, 0}, unix.EPERM},
		{"inheritable beyond old I|P, with CAP_SETPCAP", capSets{s.eff, s.perm, sysTime}, nil},
		{"inheritable back to none", s, nil},
		{"inheritable beyond old I|bounding, with CAP_SETPCAP", capSets{s.eff, s.perm, sysBoot}, unix.EPERM},
		{"CAP_SETPCAP out of effective", capSets{s.eff &^ setpcap, s.perm, 0}, nil},
		{"inheritable beyond old I|P, without CAP_SETPCAP", capSets{s.eff &^ setpcap, s.perm, sysTime}, unix.EPERM},
	} {
		if err := capset(step.set); !errors.Is(err, step.want) {
			return errors.New("capset " + step.what + ": got " + errText(err) + ", want " + errText(step.want))
		}
	}
	return nil
}

func errText(err error) string {
	if err == nil {
		return "success"
	}
	return err.Error()
}
