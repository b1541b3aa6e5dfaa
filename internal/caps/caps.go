// Package caps names the Linux capabilities and decodes the bit sets
// /proc/PID/status shows (CapInh, CapPrm, CapEff, CapBnd, CapAmb): bit n
// of a set is capability n (capabilities(7)).
package caps

import (
	"fmt"
	"math/bits"
	"strings"

	"hood/internal/spell"
)

// names are the capabilities Linux 5.9 and later know, by number.
var names = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
	"CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
	"CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
	"CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
}

// Count is how many capabilities hood knows by name.
const Count = 41

// All is the set of every capability hood knows.
const All uint64 = 1<<Count - 1

// Name is capability n's name, or "cap_N" for a number hood has no name for.
func Name(n int) string {
	if n >= 0 && n < len(names) {
		return names[n]
	}
	return fmt.Sprintf("cap_%d", n)
}

// Names lists every capability hood knows, by number.
func Names() []string { return append([]string(nil), names...) }

// Parse turns a capability name (CAP_NET_ADMIN, cap_net_admin or
// net_admin) into its number; an unknown name's error suggests the nearest.
func Parse(word string) (int, error) {
	w := strings.ToUpper(word)
	if !strings.HasPrefix(w, "CAP_") {
		w = "CAP_" + w
	}
	for i, n := range names {
		if n == w {
			return i, nil
		}
	}
	best, bestD := "", 1<<30
	for _, n := range names {
		if d := spell.Distance(w, n); d < bestD {
			best, bestD = n, d
		}
	}
	return 0, fmt.Errorf("unknown capability %q: did you mean %s? (`explain capability` lists them; names are as in capabilities(7), with or without CAP_)", word, best)
}

// Decode lists the names of the capabilities in set, lowest first.
func Decode(set uint64) []string {
	var out []string
	for n := 0; n < 64; n++ {
		if set&(1<<n) != 0 {
			out = append(out, Name(n))
		}
	}
	return out
}

// Words says set in a line a person reads: "none", "all 41", "all 41 but
// CAP_NET_ADMIN", or the names.
func Words(set uint64) string {
	switch {
	case set == 0:
		return "none"
	case set == All:
		return fmt.Sprintf("all %d", Count)
	case set&^All == 0 && bits.OnesCount64(All&^set) <= 4:
		return fmt.Sprintf("all %d but %s", Count, strings.Join(Decode(All&^set), ", "))
	}
	return strings.Join(Decode(set), " ")
}

// Strace writes set as strace decodes a capset(2) mask:
// 1<<CAP_CHOWN|1<<CAP_KILL, or 0.
func Strace(set uint64) string {
	if set == 0 {
		return "0"
	}
	d := Decode(set)
	for i := range d {
		d[i] = "1<<" + d[i]
	}
	return strings.Join(d, "|")
}

// ParseStrace reads a mask as Strace writes it (names) or as strace -X raw
// writes it: the low 32 bits, then "|" and the high 32 bits when they are
// not zero (0xfeffffff|0x1ff).
func ParseStrace(s string) (uint64, error) {
	if s == "0" {
		return 0, nil
	}
	parts := strings.Split(s, "|")
	if !strings.HasPrefix(parts[0], "1<<") {
		var lo, hi uint64
		if _, err := fmt.Sscan(parts[0], &lo); err != nil || len(parts) > 2 {
			return 0, fmt.Errorf("capability mask %q: want low|high words", s)
		}
		if len(parts) == 2 {
			if _, err := fmt.Sscan(parts[1], &hi); err != nil {
				return 0, fmt.Errorf("capability mask %q: want low|high words", s)
			}
		}
		return lo | hi<<32, nil
	}
	var set uint64
	for _, p := range parts {
		n, err := Parse(strings.TrimPrefix(p, "1<<"))
		if err != nil || !strings.HasPrefix(p, "1<<") {
			return 0, fmt.Errorf("capability mask %q: %q is not 1<<CAP_NAME", s, p)
		}
		set |= 1 << n
	}
	return set, nil
}
