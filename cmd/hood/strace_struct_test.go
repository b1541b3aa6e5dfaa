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

// openHowNames are the flag words hood narrates in openat2's struct
// open_how.
var openHowNames = map[string]uint64{
	"O_RDONLY": unix.O_RDONLY, "O_WRONLY": unix.O_WRONLY, "O_CLOEXEC": unix.O_CLOEXEC,
	"O_CREAT": unix.O_CREAT, "O_EXCL": unix.O_EXCL, "O_PATH": unix.O_PATH, "O_DIRECTORY": unix.O_DIRECTORY,
	"RESOLVE_NO_SYMLINKS": unix.RESOLVE_NO_SYMLINKS, "RESOLVE_BENEATH": unix.RESOLVE_BENEATH,
}

// openHowBits reads O_WRONLY|O_CLOEXEC, or strace -X raw's 0x80001.
func openHowBits(v string) (uint64, error) {
	var n uint64
	for _, part := range strings.Split(v, "|") {
		if b, ok := openHowNames[part]; ok {
			n |= b
			continue
		}
		x, err := strconv.ParseUint(part, 0, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is neither a number nor an open_how flag", part)
		}
		n |= x
	}
	return n, nil
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
		case k == "flags" || k == "resolve":
			m, err := openHowBits(v)
			if err != nil {
				return nil, err
			}
			out[k] = m
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
