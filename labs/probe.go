package labs

import (
	"fmt"
	"strings"

	"hood/internal/box"
)

// errnoProbe starts a Go probe (internal/box goprobe.go) in b that prints
// errno=NAME, and returns NAME ("0" when the kernel allowed the call), or
// why no answer came.
func (e *env) errnoProbe(b *box.Box, args ...string) (string, error) {
	// A probe in a new PID namespace without its PID 1 would become
	// that PID 1 and end the namespace on exit.
	if strings.Contains(e.link(b, "pid_for_children"), "?") {
		return "", fmt.Errorf("%s's new PID namespace has no PID 1 yet, so hood does not start a process there", b.Name)
	}
	p, out, err := b.RunGoProbe(args...)
	if err != nil {
		return "", err
	}
	if p.Fork.Failed() {
		return "", fmt.Errorf("starting a process in %s failed: %s", b.Name, p.Fork.ErrName())
	}
	got, ok := strings.CutPrefix(strings.TrimSpace(string(out)), "errno=")
	if !ok {
		return "", fmt.Errorf("the probe in %s said %q", b.Name, short(out))
	}
	return got, nil
}
