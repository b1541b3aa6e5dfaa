package cgroup

import (
	"os/exec"
	"testing"
	"time"

	"hood/internal/kernel/procfs"
	"hood/internal/testenv"
)

// A hood killed but not reaped (a zombie: its parent, or an init that
// does not reap, has not waited for it) is gone: what it made is stale.
func TestGoneZombie(t *testing.T) {
	testenv.Kernel(t)
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Wait() }()
	mark := Token(cmd.Process.Pid)
	if mark == "" || Gone(mark) {
		t.Fatalf("a running process: mark %q, gone %v", mark, Gone(mark))
	}
	_ = cmd.Process.Kill()
	for i := 0; i < 100; i++ {
		if st, err := procfs.Host.Stat(cmd.Process.Pid); err == nil && st.State.Dead() {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !Gone(mark) {
		t.Errorf("a zombie (killed, not reaped) is not gone")
	}
	if !Gone("notapid:1") {
		t.Errorf("a mark that names no PID is not gone")
	}
}
