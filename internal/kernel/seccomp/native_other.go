//go:build !amd64 && !arm64

package seccomp

import "runtime"

// Native is the ABI of the machine hood runs on. hood has no table of
// this one's numbers: Number refuses every name, saying so.
var Native = &Arch{Name: runtime.GOARCH, AuditName: "AUDIT_ARCH of " + runtime.GOARCH}
