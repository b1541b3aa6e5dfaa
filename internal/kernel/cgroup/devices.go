package cgroup

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The v1 devices controller: a group's device rules, written to
// devices.allow and devices.deny and read from devices.list
// (Documentation/admin-guide/cgroup-v1/devices.rst).

// DeviceRule is one "TYPE MAJOR:MINOR ACCESS" rule. Major or Minor -1 is
// "*" (any); Type 'a' is every device, any number, any access.
type DeviceRule struct {
	Type         byte // 'a', 'b' or 'c'
	Major, Minor int64
	Access       string // some of "rwm", in that order
}

// Any is "*" in a rule's major or minor.
const Any = -1

// String is the rule as the kernel writes it in devices.list.
func (r DeviceRule) String() string {
	num := func(n int64) string {
		if n == Any {
			return "*"
		}
		return strconv.FormatInt(n, 10)
	}
	return fmt.Sprintf("%c %s:%s %s", r.Type, num(r.Major), num(r.Minor), r.Access)
}

// Words says the rule in words: "character device 1:3 (read, write)".
func (r DeviceRule) Words() string {
	kind := map[byte]string{'a': "every device", 'b': "block device", 'c': "character device"}[r.Type]
	if r.Type == 'a' {
		return kind
	}
	var acc []string
	for _, c := range r.Access {
		acc = append(acc, map[rune]string{'r': "read", 'w': "write", 'm': "mknod"}[c])
	}
	num := r.String()[2:]
	num, _, _ = strings.Cut(num, " ")
	return fmt.Sprintf("%s %s (%s)", kind, num, strings.Join(acc, ", "))
}

// deviceRuleForm is what a rule looks like, for error messages.
const deviceRuleForm = `a rule is "TYPE MAJOR:MINOR ACCESS": TYPE a (all), b (block) or c (character), MAJOR and MINOR numbers or *, ACCESS some of r, w, m (such as "c 1:3 rw"); "a" alone is every device`

// ParseDeviceRule reads a rule as devices.allow takes it. "a" alone (or
// "a *:* rwm") is every device. The access letters are returned in rwm
// order whatever order they were given in.
func ParseDeviceRule(s string) (DeviceRule, error) {
	f := strings.Fields(s)
	bad := func(format string, a ...any) (DeviceRule, error) {
		return DeviceRule{}, fmt.Errorf("device rule %q: %s; %s", s, fmt.Sprintf(format, a...), deviceRuleForm)
	}
	if len(f) == 0 {
		return bad("empty")
	}
	if len(f[0]) != 1 || !strings.Contains("abc", f[0]) {
		return bad("type %q is not a, b or c", f[0])
	}
	r := DeviceRule{Type: f[0][0], Major: Any, Minor: Any, Access: "rwm"}
	if r.Type == 'a' {
		if len(f) == 1 || (len(f) == 3 && f[1] == "*:*" && f[2] == "rwm") {
			return r, nil
		}
		return bad(`type a takes no numbers or access (it is every device: "a" or "a *:* rwm")`)
	}
	if len(f) != 3 {
		return bad("want three fields, got %d", len(f))
	}
	maj, min, ok := strings.Cut(f[1], ":")
	if !ok {
		return bad("%q is not MAJOR:MINOR", f[1])
	}
	var err error
	if r.Major, err = devNum(maj); err != nil {
		return bad("major %v", err)
	}
	if r.Minor, err = devNum(min); err != nil {
		return bad("minor %v", err)
	}
	var acc string
	for _, c := range "rwm" {
		if strings.ContainsRune(f[2], c) {
			acc += string(c)
		}
	}
	if len(acc) != len(f[2]) || acc == "" {
		return bad("access %q is not some of r, w, m (each once)", f[2])
	}
	r.Access = acc
	return r, nil
}

// devNum is a major or minor: a number the kernel takes (it reads at most
// ten digits into a u32), or * for any.
func devNum(s string) (int64, error) {
	if s == "*" {
		return Any, nil
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || len(s) > 10 {
		return 0, fmt.Errorf("%q is not a number (0 to 4294967295) or *", s)
	}
	return int64(n), nil
}

// ErrNoDevicesV1 says the group has no v1 devices hierarchy.
var ErrNoDevicesV1 = errors.New("this machine has no v1 devices hierarchy (no cgroup mounted with the devices controller): on cgroup v2 device access is decided by BPF programs of type cgroup_device attached to the group (devices ls --bpf lists them)")

// HasV1Devices reports whether one of hs is a v1 hierarchy with the
// devices controller.
func HasV1Devices(hs []Hierarchy) bool {
	for _, h := range hs {
		if !h.v2 && h.Offers("devices") {
			return true
		}
	}
	return false
}

// DevicesDir is the group's directory in the v1 devices hierarchy.
func (g *Group) DevicesDir() (string, error) {
	i, ok := g.v1At("devices")
	if !ok {
		return "", ErrNoDevicesV1
	}
	return g.Dirs[i], nil
}

// WriteDeviceRule writes the rule to devices.allow (allow) or devices.deny,
// narrated: openat, write, close with the kernel's answers.
func (g *Group) WriteDeviceRule(allow bool, r DeviceRule) ([]Op, error) {
	dir, err := g.DevicesDir()
	if err != nil {
		return nil, err
	}
	file := "devices.deny"
	if allow {
		file = "devices.allow"
	}
	val := r.String()
	if r.Type == 'a' {
		val = "a"
	}
	return WriteFile(dir, file, val)
}

// DeviceList reads and parses the group's devices.list.
func (g *Group) DeviceList() ([]DeviceRule, error) {
	dir, err := g.DevicesDir()
	if err != nil {
		return nil, err
	}
	v, err := ReadFile(dir, "devices.list")
	if err != nil {
		return nil, err
	}
	return ParseDeviceList(v)
}

// ParseDeviceList parses devices.list: one rule a line; an empty list
// denies everything.
func ParseDeviceList(v string) ([]DeviceRule, error) {
	var out []DeviceRule
	for _, line := range strings.Split(v, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		r, err := ParseDeviceRule(line)
		if err != nil {
			return nil, fmt.Errorf("devices.list: %w", err)
		}
		out = append(out, r)
	}
	return out, nil
}

// AllowsAll reports whether a parsed devices.list is the default-allow
// list: the kernel then prints "a *:* rwm" alone and does not list the
// deny exceptions it keeps.
func AllowsAll(rules []DeviceRule) bool {
	return len(rules) == 1 && rules[0].Type == 'a'
}

// V2Dir is the group's directory in the v2 (unified) hierarchy, where
// device programs attach; false when the machine mounts no v2 tree.
func (g *Group) V2Dir() (string, bool) {
	for i, h := range g.Hier {
		if h.v2 {
			return g.Dirs[i], true
		}
	}
	return "", false
}
