package box

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"hood/internal/kernel/netdev"
)

// Probes written in Go. The C constructor (boxloop.c) leaves a probe whose
// argv[1] begins with "go-" to the Go runtime, and this init runs it and
// exits. It runs before main, before TestMain and before the init of every
// package that imports box, so the probe is the same whichever binary hood
// is: hood itself, or a test binary that starts boxes (RunGoProbe starts
// /proc/self/exe). The process is the box's child: its namespaces and
// credentials are the box's.
func init() {
	if os.Getenv("HOOD_PROBE") == "" || len(os.Args) < 2 || !strings.HasPrefix(os.Args[1], "go-") {
		return
	}
	os.Exit(goProbe(os.Args[1], os.Args[2:]))
}

func goProbe(name string, args []string) int {
	switch name {
	case "go-ping": // ADDR COUNT WAIT_MS (commands/ping.go)
		if len(args) == 3 {
			count, err1 := strconv.Atoi(args[1])
			ms, err2 := strconv.Atoi(args[2])
			if err1 == nil && err2 == nil {
				return netdev.PingProbe(args[0], count, time.Duration(ms)*time.Millisecond, os.Stdout)
			}
		}
		fmt.Fprintln(os.Stderr, "hood-probe go-ping: want ADDR COUNT WAIT_MS")
		return 2
	case "go-device": // open PATH | mknod c|b MAJOR MINOR (labs/devicescheck.go)
		return deviceProbe(args, os.Stdout)
	case "go-mkdir": // (labs/seccompcheck.go)
		return mkdirProbe(args, os.Stdout, false)
	case "go-mkdirat": // the same with mkdirat(2), what mkdir(1) calls on arm64
		return mkdirProbe(args, os.Stdout, true)
	}
	fmt.Fprintf(os.Stderr, "hood-probe: unknown probe %s\n", name)
	return 2
}
