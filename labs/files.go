package labs

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"hood/internal/box"
)

// The file checks: file, box_file, hostname.

// FileCheck: the file at Path ({box1}, {box1.init}, {hood} expand to PIDs)
// matches the regular expression Match.
type FileCheck struct {
	Path  string `yaml:"path"`
	Match string `yaml:"match"`
	re    *regexp.Regexp
}

func (c *FileCheck) validate() (err error) {
	c.re, err = regexp.Compile(c.Match)
	return err
}

func (c *FileCheck) eval(e *env) (bool, string) {
	path := e.expand(c.Path)
	data, err := os.ReadFile(path)
	if err != nil {
		return false, err.Error()
	}
	if m := c.re.Find(data); m != nil {
		return true, fmt.Sprintf("%s has %q", path, strings.TrimSpace(string(m)))
	}
	return false, fmt.Sprintf("%s holds %q", path, short(data))
}

// BoxFileCheck: the box reads Path and it matches Match; with HostNot, one
// of the matching lines is not in the same file as hood reads it (the host
// may have queues of its own: what counts is one the host lacks).
type BoxFileCheck struct {
	Box     string `yaml:"box"`
	Path    string `yaml:"path"`
	Match   string `yaml:"match"`
	HostNot bool   `yaml:"host_not"`
	re      *regexp.Regexp
}

func (c *BoxFileCheck) validate() (err error) {
	c.re, err = regexp.Compile(c.Match)
	return err
}

func (c *BoxFileCheck) eval(e *env) (bool, string) {
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		data, err := b.ReadFile(c.Path)
		if err != nil {
			return false, err.Error()
		}
		if !c.re.Match(data) {
			return false, fmt.Sprintf("%s reads %s as %q", b.Name, c.Path, short(data))
		}
		if c.HostNot {
			host, _ := os.ReadFile(c.Path)
			if !c.hostLacks(data, host) {
				return false, fmt.Sprintf("the host reads the same in %s: %q", c.Path, short(host))
			}
		}
		return true, fmt.Sprintf("%s reads %s as %q", b.Name, c.Path, short(data))
	})
}

// hostLacks tells whether a line of data that matches is missing from host.
func (c *BoxFileCheck) hostLacks(data, host []byte) bool {
	hostLines := map[string]bool{}
	for _, l := range strings.Split(string(host), "\n") {
		hostLines[strings.TrimSpace(l)] = true
	}
	own := false
	for _, m := range c.re.FindAll(data, -1) {
		line := string(m)
		// From where the match first occurs to the end of its line.
		if i := strings.Index(string(data), line); i >= 0 {
			end := strings.IndexByte(string(data[i:]), '\n')
			if end < 0 {
				end = len(data) - i
			}
			line = string(data[i : i+end])
		}
		if !hostLines[strings.TrimSpace(line)] {
			own = true
		}
	}
	return own
}

// HostnameCheck: the box's hostname is Is; the host's is what it was when
// the lab started.
type HostnameCheck struct {
	Box string `yaml:"box"`
	Is  string `yaml:"is"`
}

func (c *HostnameCheck) validate() error { return nil }

func (c *HostnameCheck) eval(e *env) (bool, string) {
	return e.anyBox(c.Box, func(b *box.Box) (bool, string) {
		name, err := b.Hostname()
		if err != nil {
			return false, err.Error()
		}
		host, _ := os.Hostname()
		if host != e.hostHostname {
			return false, fmt.Sprintf("the host's hostname changed from %q to %q", e.hostHostname, host)
		}
		return name == c.Is, fmt.Sprintf("%s's hostname is %q, the host's still %q", b.Name, name, host)
	})
}
