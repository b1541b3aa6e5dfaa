package devbpf

import (
	"fmt"
	"strings"

	"hood/internal/kernel/cgroup"
)

// Rule is one device rule with its verdict.
type Rule struct {
	cgroup.DeviceRule
	Allow bool
	// Partial: the rule matches a request with any of its access letters;
	// otherwise only a request whose every letter it has. hood's deny rules
	// are partial and its allow rules are not; runc tests every rule the
	// second way. A rule for rwm matches every request either way.
	Partial bool
}

// String is "allow c 1:3 rw" or "deny c 1:3 rw", with a note where the
// access test is not hood's for that verdict.
func (r Rule) String() string {
	s := verdict(r.Allow) + " " + r.DeviceRule.String()
	switch {
	case r.Access == anyAccess || r.Partial != r.Allow:
	case r.Partial:
		s += " (when any access asked is in it)"
	default:
		s += " (only when every access asked is in it)"
	}
	return s
}

func verdict(allow bool) string {
	if allow {
		return "allow"
	}
	return "deny"
}

// Policy is what one program decides: Rules are tried in order and the
// first that matches decides; a request no rule matches gets Default
// (true: allowed). An allow rule matches a request whose every access
// letter it has (open for rw needs both r and w); a deny rule matches a
// request with any letter it has, as the v1 controller's exceptions do.
type Policy struct {
	Rules   []Rule
	Default bool
}

// AllowAll is the policy of a group with no program: every device.
var AllowAll = Policy{Default: true}

// Add is the policy after the user adds r: the newest rule is tried
// first. Type a (every device) sets the default and drops every older
// rule, which it overrides; a rule replaces an older one for the same
// device and access; rules at the end that say what the default says
// change nothing and are dropped.
func (p Policy) Add(allow bool, r cgroup.DeviceRule) Policy {
	if r.Type == 'a' {
		return Policy{Default: allow}
	}
	out := Policy{Default: p.Default, Rules: []Rule{{r, allow, !allow}}}
	for _, old := range p.Rules {
		if old.DeviceRule != r {
			out.Rules = append(out.Rules, old)
		}
	}
	for n := len(out.Rules); n > 0 && out.Rules[n-1].Allow == out.Default; n-- {
		out.Rules = out.Rules[:n-1]
	}
	if len(out.Rules) == 0 {
		out.Rules = nil
	}
	return out
}

// Empty reports whether the policy allows everything with no rule: the
// group then needs no program at all.
func (p Policy) Empty() bool { return len(p.Rules) == 0 && p.Default }

// String is the policy on one line, in the order the kernel tries it:
// "allow c 1:3 rw; else deny".
func (p Policy) String() string {
	var s []string
	for _, r := range p.Rules {
		s = append(s, r.String())
	}
	return strings.Join(append(s, "else "+verdict(p.Default)), "; ")
}

// Allows reports what the policy answers for a request: typ 'b' or 'c',
// acc some of "rwm" (open for reading is "r", mknod is "m").
func (p Policy) Allows(typ byte, major, minor int64, acc string) bool {
	for _, r := range p.Rules {
		if r.Type != typ || (r.Major != cgroup.Any && r.Major != major) || (r.Minor != cgroup.Any && r.Minor != minor) {
			continue
		}
		if r.Partial && overlaps(r.Access, acc) || !r.Partial && covers(r.Access, acc) {
			return r.Allow
		}
	}
	return p.Default
}

func covers(have, want string) bool {
	for _, c := range want {
		if !strings.ContainsRune(have, c) {
			return false
		}
	}
	return true
}

func overlaps(have, want string) bool { return strings.ContainsAny(have, want) }

// accessBits is a rule's access letters as BPF_DEVCG_ACC_* bits.
func accessBits(acc string) int32 {
	var b int32
	for _, c := range acc {
		switch c {
		case 'm':
			b |= accMknod
		case 'r':
			b |= accRead
		case 'w':
			b |= accWrite
		}
	}
	return b
}

// accessLetters is bits as rwm letters, or an error for bits that are none.
func accessLetters(b int64) (string, error) {
	if b&^int64(accAll) != 0 || b == 0 {
		return "", fmt.Errorf("access bits %#x are not some of BPF_DEVCG_ACC_MKNOD|READ|WRITE", b)
	}
	var s string
	for _, x := range []struct {
		bit int64
		c   string
	}{{accRead, "r"}, {accWrite, "w"}, {accMknod, "m"}} {
		if b&x.bit != 0 {
			s += x.c
		}
	}
	return s, nil
}
