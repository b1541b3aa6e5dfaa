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
