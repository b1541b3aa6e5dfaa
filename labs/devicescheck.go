package labs

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"hood/internal/box"
	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/devbpf"
)

// The device checks: device (a process in the box tries a device) and
// device_list (the group's devices.list, or its decoded device programs).

// DeviceCheck: a process started in the box gets Errno ("" for success)
// when it opens Path read-only (Op open) or makes a node of Dev, "c 1:3",
// in a fresh directory under the box's /tmp (Op mknod; removed at once).
type DeviceCheck struct {
	Box   string `yaml:"box"`
	Op    string `yaml:"op"`
	Path  string `yaml:"path"`
	Dev   string `yaml:"dev"`
	Errno string `yaml:"errno"`
	args  []string
}

func (c *DeviceCheck) validate() error {
	switch c.Op {
	case "open":
		if !strings.HasPrefix(c.Path, "/") {
			return errors.New("op open needs an absolute path")
		}
		c.args = []string{"go-device", "open", c.Path}
	case "mknod":
		r, err := cgroup.ParseDeviceRule(c.Dev + " m")
		if err != nil || r.Major == cgroup.Any || r.Minor == cgroup.Any || r.Type == 'a' {
			return fmt.Errorf(`dev %q is not "c MAJOR:MINOR" or "b MAJOR:MINOR"`, c.Dev)
		}
		c.args = []string{"go-device", "mknod", string(r.Type), fmt.Sprint(r.Major), fmt.Sprint(r.Minor)}
	default:
		return errors.New("op is open or mknod")
	}
	return nil
}

// startsProcess: the access is tried by a probe process started in the box.
func (c *DeviceCheck) startsProcess() {}

func (c *DeviceCheck) eval(e *env) (bool, string) {
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		got, err := e.errnoProbe(b, c.args...)
		if err != nil {
			return false, err.Error()
		}
		what := c.Op + " " + c.Path + c.Dev
		if got == "0" {
			return c.Errno == "", fmt.Sprintf("%s in %s: allowed", what, b.Name)
		}
		return got == c.Errno, fmt.Sprintf("%s in %s: %s", what, b.Name, got)
	})
}

// DeviceListCheck: the device rules of Box's group, read from the
// kernel: where the group's rules are hood's device program (cgroup v2,
// or --bpf), every program attached to its v2 directory, decoded, one
// policy a line ("allow c 1:3 rw; else deny"), must match BPF; otherwise
// its v1 devices.list must match Match. Both are regexps, multi-line: ^
// and $ are each line's.
type DeviceListCheck struct {
	Box    string `yaml:"box"`
	Match  string `yaml:"match"`
	BPF    string `yaml:"bpf"`
	re, bp *regexp.Regexp
}

func (c *DeviceListCheck) validate() (err error) {
	if c.Match == "" || c.BPF == "" {
		return errors.New("match is a regexp for devices.list (v1), bpf one for the decoded device programs (v2): a step runs in both")
	}
	if c.re, err = regexp.Compile("(?m)" + c.Match); err != nil {
		return err
	}
	c.bp, err = regexp.Compile("(?m)" + c.BPF)
	return err
}

func (c *DeviceListCheck) eval(e *env) (bool, string) {
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		g := e.s.GroupOf(b.Name)
		if g == nil {
			return false, b.Name + " has no cgroup of its own yet"
		}
		if _, ok := e.s.DevicePolicy(g); ok {
			return c.programs(b.Name, g)
		}
		rules, err := g.DeviceList()
		if err != nil {
			return false, err.Error()
		}
		var lines []string
		for _, r := range rules {
			lines = append(lines, r.String())
		}
		list := strings.Join(lines, "\n")
		return c.re.MatchString(list), fmt.Sprintf("devices.list of %s: %q", b.Name, list)
	})
}

// programs matches the device programs attached to the group's v2
// directory, as the kernel gives them back.
func (c *DeviceListCheck) programs(name string, g *cgroup.Group) (bool, string) {
	dir, _ := g.V2Dir()
	progs, _, err := devbpf.List(dir)
	if err != nil {
		return false, err.Error()
	}
	var lines []string
	for _, p := range progs {
		if p.Inherited {
			continue // a parent's: not the box's group's rules
		}
		if p.Err != nil {
			lines = append(lines, "(not decoded: "+p.Err.Error()+")")
			continue
		}
		lines = append(lines, p.Policy.String())
	}
	list := strings.Join(lines, "\n")
	return c.bp.MatchString(list), fmt.Sprintf("device programs on %s's v2 group %s: %q", name, dir, list)
}
