package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/loop"
	"hood/internal/kernel/netdev"
	"hood/internal/kernel/netns"
	"hood/internal/kernel/nft"
)

// soakState is what of the host the soak compares.
type soakState struct {
	hostname string
	mounts   []string // the host's mount table, less other hoods' /run/netns names
	links    []string // devices and routes, less other hoods' marked devices
	ruleset  string
	cgroups  []string // the cgroup tree below this test's cgroups, less hood/
	hoodDirs []string // what is in hood/ below them
	ourThere []string // things that are certainly ours: must be none
}

func soakHost(o *soakOurs) soakState {
	var s soakState
	s.hostname, _ = os.Hostname()
	mi, _ := os.ReadFile("/proc/self/mountinfo")
	for _, l := range strings.Split(strings.TrimSpace(string(mi)), "\n") {
		if strings.Contains(l, " /run/netns") && !strings.Contains(l, "/run/netns/"+o.tag) {
			continue
		}
		s.mounts = append(s.mounts, l)
	}
	if n, err := netdev.Open("/proc", os.Getpid(), "host"); err == nil {
		others := map[string]bool{}
		ls, _ := n.Links()
		for _, l := range ls {
			mine := strings.HasPrefix(l.Name, o.tag) || o.ourMark(l.Alias)
			if mine {
				s.ourThere = append(s.ourThere, "device "+l.Name)
			}
			if !mine && (strings.HasPrefix(l.Alias, netdev.MarkPrefix) || strings.HasPrefix(l.Name, "hz")) {
				others[l.Name] = true // another hood's, or another hood test's
				continue
			}
			s.links = append(s.links, fmt.Sprintf("%s %v %v", l.Name, l.Up, l.Addrs))
		}
		rs, _ := n.Routes()
		for _, r := range rs {
			if !others[r.Dev] {
				s.links = append(s.links, fmt.Sprintf("route %s via %s dev %s", r.Dst, r.Gw, r.Dev))
			}
		}
		n.Close()
	}
	s.ruleset = nft.HostSummary(os.Getpid())
	if ents, err := os.ReadDir(netns.RunDir); err == nil {
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), o.tag) {
				s.ourThere = append(s.ourThere, netns.Path(e.Name()))
			}
		}
	}
	o.mu.Lock()
	for _, e := range o.loops {
		dev, backing, _ := strings.Cut(e.What, " ")
		if b := loop.Backing(dev); b != "" && filepath.Base(b) == filepath.Base(backing) && !loop.Held(dev) {
			s.ourThere = append(s.ourThere, "loop "+e.What)
		}
	}
	o.mu.Unlock()
	hs, _ := cgroup.Hierarchies("/proc", os.Getpid())
	for _, h := range hs {
		_ = filepath.WalkDir(h.Base(), func(p string, d os.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil
			}
			if filepath.Base(filepath.Dir(p)) == "hood" && filepath.Dir(filepath.Dir(p)) == h.Base() {
				s.hoodDirs = append(s.hoodDirs, p)
				if m := cgroup.MarkOf(p); m != "" && slices.Contains(o.tokens, m) {
					s.ourThere = append(s.ourThere, p)
				}
				return filepath.SkipDir
			}
			if p != filepath.Join(h.Base(), "hood") {
				s.cgroups = append(s.cgroups, p)
			}
			return nil
		})
	}
	return s
}

func (a soakState) equal(b soakState) bool {
	return a.hostname == b.hostname && slices.Equal(a.mounts, b.mounts) && slices.Equal(a.links, b.links) &&
		a.ruleset == b.ruleset && slices.Equal(a.cgroups, b.cgroups) && len(b.ourThere) == 0 &&
		!slices.ContainsFunc(b.hoodDirs, func(d string) bool { return !slices.Contains(a.hoodDirs, d) })
}

func (a soakState) what(b soakState) []string {
	var out []string
	if !slices.Equal(a.mounts, b.mounts) {
		out = append(out, "mounts")
	}
	if !slices.Equal(a.links, b.links) {
		out = append(out, "links")
	}
	if !slices.Equal(a.cgroups, b.cgroups) {
		out = append(out, "cgroups")
	}
	if a.ruleset != b.ruleset {
		out = append(out, "ruleset")
	}
	return out
}

func (a soakState) diff(t *testing.T, b soakState) {
	t.Helper()
	if a.hostname != b.hostname {
		t.Errorf("hostname %q -> %q", a.hostname, b.hostname)
	}
	for _, c := range []struct {
		what          string
		before, after []string
	}{{"mount", a.mounts, b.mounts}, {"link or route", a.links, b.links}, {"cgroup", a.cgroups, b.cgroups}} {
		for _, x := range c.after {
			if !slices.Contains(c.before, x) {
				t.Errorf("%s added: %s", c.what, x)
			}
		}
		for _, x := range c.before {
			if !slices.Contains(c.after, x) {
				t.Errorf("%s gone: %s", c.what, x)
			}
		}
	}
	if a.ruleset != b.ruleset {
		t.Errorf("nftables ruleset %s -> %s", a.ruleset, b.ruleset)
	}
	for _, d := range b.hoodDirs {
		if !slices.Contains(a.hoodDirs, d) {
			t.Errorf("cgroup left in hood/: %s", d)
		}
	}
	for _, x := range b.ourThere {
		t.Errorf("left by a soak hood: %s", x)
	}
}
