// Command hood is a shell for driving the Linux kernel's container
// primitives by hand, one real syscall at a time: boxes (processes hood
// drives), their namespaces (unshare, enter, ns ls/show/compare/info/pin),
// mounts, cgroups v1 and v2 (cgroup set/get/stat/watch/tree/freeze/kill),
// built-in workloads for the limits to bite on, explain for every word it
// prints, and guided labs checked against the live kernel.
//
// Every call it narrates is a value of one type (internal/kernel/call):
// the arguments as passed and the kernel's own return value and errno; a
// test runs the labs and transcripts under strace -f and holds the
// narration to it (strace_test.go). HOOD_CALL_LOG=FILE writes those calls
// as JSON lines.
//
// The same binary is also every box: a C constructor in internal/box runs
// before the Go runtime, forks box1 and serves as the box in processes
// started again from /proc/self/exe (see internal/box/doc.go). Importing
// that package is what does it. The go:debug lines skip the runtime's
// cgroup probing for GOMAXPROCS, which hood's start-up does not need.
//
//go:debug containermaxprocs=0
//go:debug updatemaxprocs=0
package main

/*
// Ask internal/box's constructor to fork the first box before Go starts.
int hood_prefork = 1;
*/
import "C"

import (
	"fmt"
	"os"

	"hood/internal/box"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	// The constructor has refused already (internal/box/setid.c); this is
	// for a binary whose constructor did not run.
	if why := box.SetIDRefusal(); why != "" {
		fmt.Fprintln(os.Stderr, why)
		os.Exit(box.ExitSetID)
	}
	_ = box.ErrGone // the box package must be linked in: its constructor serves boxes
	os.Exit(Main(os.Args[1:]))
}
