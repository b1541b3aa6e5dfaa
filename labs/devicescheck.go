package labs

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"hood/internal/box"
	"hood/internal/kernel/cgroup"
)

// The device checks: device (a process in the box tries a device) and
// device_list (the group's devices.list).

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

// DeviceListCheck: the v1 devices.list of Box's group matches Match (a
// regexp, multi-line: ^ and $ are each line's).
type DeviceListCheck struct {
	Box   string `yaml:"box"`
	Match string `yaml:"match"`
	re    *regexp.Regexp
}

func (c *DeviceListCheck) validate() (err error) {
	if c.Match == "" {
		return errors.New("match is a regexp for devices.list")
	}
	c.re, err = regexp.Compile("(?m)" + c.Match)
	return err
}

func (c *DeviceListCheck) eval(e *env) (bool, string) {
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		g := e.s.GroupOf(b.Name)
		if g == nil {
			return false, b.Name + " has no cgroup of its own yet"
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
