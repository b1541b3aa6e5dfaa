package main

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"hood/internal/caps"
)

// structMismatch compares a struct hood narrates as strace decodes it
// ({version=_LINUX_CAPABILITY_VERSION_3, pid=0}, {effective=1<<CAP_CHOWN,
// ...}) with the one strace -X raw shows ({version=0x20080522, pid=0},
// {effective=0x1, ...}), field by field; "" when they agree.
func structMismatch(narrated, got string) string {
	want, err := structFields(narrated)
	if err != nil {
		return "narrated " + narrated + ": " + err.Error()
	}
	have, err := structFields(got)
	if err != nil {
		return "strace shows " + got + ": " + err.Error()
	}
	for k, v := range want {
		if h, ok := have[k]; !ok || h != v {
			return fmt.Sprintf("field %s: strace shows %s, narrated %s", k, got, narrated)
		}
	}
	return ""
}

// structFields reads {key=value, ...}; a value is a number, a capability
// mask (caps.ParseStrace) or _LINUX_CAPABILITY_VERSION_3.
func structFields(s string) (map[string]uint64, error) {
	body, open := strings.CutPrefix(s, "{")
	body, closed := strings.CutSuffix(body, "}")
	if !open || !closed {
		return nil, fmt.Errorf("not a {...} struct")
	}
	out := map[string]uint64{}
	for _, f := range strings.Split(body, ", ") {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("field %q has no =", f)
		}
		switch {
		case v == "_LINUX_CAPABILITY_VERSION_3":
			out[k] = unix.LINUX_CAPABILITY_VERSION_3
		case k == "effective" || k == "permitted" || k == "inheritable":
			m, err := caps.ParseStrace(v)
			if err != nil {
				return nil, err
			}
			out[k] = m
		default:
			n, err := strconv.ParseUint(v, 0, 64)
			if err != nil {
				return nil, fmt.Errorf("field %s=%s is not a number", k, v)
			}
			out[k] = n
		}
	}
	return out, nil
}
