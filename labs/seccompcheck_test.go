package labs

import (
	"testing"

	"hood/internal/kernel/seccomp"
	"hood/internal/testenv"
)

// answer: mkdir(2) in a box without a filter makes the directory; after
// seccomp deny mkdir the kernel answers EPERM, and only then does the
// check hold.
func TestAnswerCheck(t *testing.T) {
	testenv.Root(t)
	if _, err := seccomp.Number("mkdir"); err != nil {
		t.Skipf("the check probes mkdir(2), and %v", err)
	}
	s, e := labSession(t)
	denied := &AnswerCheck{Box: "box1", Call: "mkdir", Errno: "EPERM"}
	allowed := &AnswerCheck{Box: "box1", Call: "mkdir"}
	for _, c := range []*AnswerCheck{denied, allowed} {
		if err := c.validate(); err != nil {
			t.Fatal(err)
		}
	}
	if ok, detail := denied.eval(e); ok {
		t.Errorf("EPERM holds before any filter: %s", detail)
	}
	if ok, detail := allowed.eval(e); !ok {
		t.Errorf("mkdir(2) without a filter: %s", detail)
	}
	do(t, s, "seccomp", "deny", "mkdir")
	if ok, detail := denied.eval(e); !ok {
		t.Errorf("after seccomp deny mkdir: %s", detail)
	}
	if ok, _ := allowed.eval(e); ok {
		t.Error("mkdir(2) still allowed after seccomp deny mkdir")
	}
	if err := (&AnswerCheck{Call: "open"}).validate(); err == nil {
		t.Error("call open validated")
	}
}

// mkdirat(2), what mkdir(1) calls on arm64, probed the same way on every
// machine: made without a filter, EPERM after seccomp deny mkdirat.
func TestAnswerCheckMkdirat(t *testing.T) {
	testenv.Root(t)
	s, e := labSession(t)
	denied := &AnswerCheck{Box: "box1", Call: "mkdirat", Errno: "EPERM"}
	if err := denied.validate(); err != nil {
		t.Fatal(err)
	}
	if ok, detail := denied.eval(e); ok {
		t.Errorf("EPERM holds before any filter: %s", detail)
	}
	do(t, s, "seccomp", "deny", "mkdirat")
	if ok, detail := denied.eval(e); !ok {
		t.Errorf("after seccomp deny mkdirat: %s", detail)
	}
}

// syscall:mkdir holds where the machine has mkdir(2) (x86_64), and
// no-syscall:mkdir exactly where it has not (arm64), saying why.
func TestSyscallRequirement(t *testing.T) {
	_, err := seccomp.Number("mkdir")
	has, lacks := requirementOK(t, "syscall:mkdir"), requirementOK(t, "no-syscall:mkdir")
	if has != (err == nil) || lacks == has {
		t.Errorf("syscall:mkdir %v, no-syscall:mkdir %v, seccomp.Number(mkdir): %v", has, lacks, err)
	}
	if !requirementOK(t, "syscall:unshare") || requirementOK(t, "no-syscall:unshare") {
		t.Error("unshare: every machine has it")
	}
}

func requirementOK(t *testing.T, name string) bool {
	t.Helper()
	f, err := requirement(name)
	if err != nil {
		t.Fatal(err)
	}
	ok, missing := f()
	if ok != (missing == "") {
		t.Errorf("%s: ok %v but missing %q", name, ok, missing)
	}
	return ok
}
