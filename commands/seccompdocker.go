package commands

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"syscall"

	profiles "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"hood/internal/kernel/seccomp"
	"hood/internal/result"
)

// dockerDefault summarises Docker's default seccomp profile (moby's
// profiles/seccomp, the data dockerd compiles in) for the native ABI: what it
// allows always, what only with a capability or certain arguments, and
// what it fails.
func dockerDefault() (*result.Result, error) {
	p := profiles.DefaultProfile()
	r := &result.Result{}
	always := map[string]bool{}
	withCap := map[string][]string{} // capability -> names
	var withArgs, other, answered []string
	for _, sc := range p.Syscalls {
		if sc.Includes != nil && len(sc.Includes.Arches) > 0 && !slices.ContainsFunc(sc.Includes.Arches, func(a string) bool { return slices.Contains(seccomp.Native.Docker, a) }) {
			continue // another architecture's rule
		}
		var names []string
		for _, n := range sc.Names {
			if _, err := seccomp.Number(n); err == nil {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			continue
		}
		switch {
		case sc.Action != specs.ActAllow:
			e := ""
			if sc.ErrnoRet != nil {
				e = " " + errnoName(syscall.Errno(*sc.ErrnoRet))
			}
			cond := ""
			if sc.Excludes != nil && len(sc.Excludes.Caps) > 0 {
				cond = " unless " + strings.Join(sc.Excludes.Caps, ", ")
			}
			answered = append(answered, names...)
			other = append(other, fmt.Sprintf("%s: %s%s%s", strings.Join(names, ", "), sc.Action, e, cond))
		case sc.Includes != nil && len(sc.Includes.Caps) > 0:
			for _, c := range sc.Includes.Caps {
				withCap[c] = append(withCap[c], names...)
			}
		case len(sc.Args) > 0:
			withArgs = append(withArgs, names...)
		case sc.Excludes != nil && len(sc.Excludes.Caps) > 0:
			withArgs = append(withArgs, names...) // e.g. clone without CAP_SYS_ADMIN: only without namespace flags
		default:
			for _, n := range names {
				always[n] = true
			}
		}
	}
	var blocked []string
	for _, n := range seccomp.Names() {
		if !always[n] && !slices.Contains(withArgs, n) && !slices.Contains(answered, n) {
			blocked = append(blocked, n)
		}
	}
	r.Say("default", "a call no rule names: %s %s (the profile's defaultAction)", p.DefaultAction, errnoName(syscall.Errno(*p.DefaultErrnoRet)))
	r.Say("allowed", "%d of %s's %d calls, whatever the arguments", len(always), seccomp.Native.Name, len(seccomp.Names()))
	r.Say("arguments", "allowed only with certain arguments: %s", strings.Join(dedup(withArgs), ", "))
	caps := make([]string, 0, len(withCap))
	for c := range withCap {
		caps = append(caps, c)
	}
	sort.Strings(caps)
	for _, c := range caps {
		r.Say("with "+c, "%s", strings.Join(dedup(withCap[c]), ", "))
	}
	for _, o := range other {
		r.Say("answered", "%s", o)
	}
	r.Say("blocked", "%d calls fail with EPERM in a default container (some allowed with a capability above): %s", len(blocked), strings.Join(blocked, ", "))
	var lesson []string
	for _, n := range []string{"mount", "unshare", "setns", "pivot_root", "seccomp"} {
		how := "always allowed"
		switch {
		case slices.Contains(withCap["CAP_SYS_ADMIN"], n):
			how = "only with CAP_SYS_ADMIN"
		case slices.Contains(blocked, n):
			how = "never allowed"
		}
		lesson = append(lesson, n+" "+how)
	}
	r.Say("hood's calls", "%s", strings.Join(lesson, ", "))
	r.Meaning = "Docker applies this profile to every container unless told otherwise (--security-opt seccomp=unconfined). Docker's default capability set has no CAP_SYS_ADMIN, so a default container can make no namespaces or mounts of its own."
	r.Shell = "docker info --format '{{.SecurityOptions}}'   (the profile itself: github.com/moby/profiles/seccomp/default.json)"
	return r, nil
}

func dedup(v []string) []string {
	sort.Strings(v)
	return slices.Compact(v)
}
