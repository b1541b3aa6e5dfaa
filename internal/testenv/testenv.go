// Package testenv decides whether a test can run here, so that each kind
// of test skips in one place and says why (as the go command's
// internal/testenv does). `go test -short` (make unit) runs only what needs
// nothing but Go and fixture files: it skips every test that needs root,
// the live kernel (boxes, cgroups, namespaces, mounts) or the hood binary.
package testenv

import (
	"net"
	"os"
	"testing"
	"time"
)

// Root is for a test that changes the kernel's state: it creates boxes,
// namespaces, cgroups or mounts, so it needs root.
func Root(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: needs root and the kernel")
	}
	if os.Geteuid() != 0 {
		t.Skip("requires root")
	}
}

// Kernel is for a test that only reads the live kernel's state (this
// process's /proc entries, namespace ioctls): no root, but no fixture
// either, so its answer depends on the machine.
func Kernel(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: needs the kernel")
	}
}

// Binary is for a test that runs hood itself (the test binary started as
// hood), which starts boxes.
func Binary(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: runs the hood binary and its boxes")
	}
}

// CPU holds, until the test ends, the machine-wide lock of the tests that
// measure CPU time (a burner's share, a throttled group's usage): they
// fail when another package's tests, run at the same time by go test, take
// the CPUs they measure. The lock is an abstract unix socket, which the
// kernel frees when the process ends: nothing is left behind. It is a
// lock, not a channel: its reading side is shut, so a datagram sent to it
// is refused (EPIPE), never read.
func CPU(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		l, err := net.ListenPacket("unixgram", "@hood-test-cpu")
		if err == nil {
			t.Cleanup(func() { l.Close() })
			if err := l.(*net.UnixConn).CloseRead(); err != nil {
				t.Fatalf("shut the reading side of @hood-test-cpu: %v", err)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the CPU-measuring tests' lock (@hood-test-cpu) was held for 5 minutes: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
