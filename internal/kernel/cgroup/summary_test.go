package cgroup

import (
	"strings"
	"testing"
)

// With no group to look at, the core files come from the kernel release,
// named on one line.
func TestCoreFromTheKernelRelease(t *testing.T) {
	files, from, seen := core(t.TempDir())
	if seen || !strings.HasPrefix(from, "Linux ") || strings.ContainsAny(from, "\n\r") {
		t.Fatalf("core of an empty tree: %v from %q (seen %v)", files, from, seen)
	}
	if len(files) < 2 || files[0] != "cgroup.procs" {
		t.Errorf("core files %v", files)
	}
}
