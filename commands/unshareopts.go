package commands

import (
	"fmt"
	"strconv"
	"strings"

	"hood/internal/kernel/ns"
	"hood/internal/result"
)

type unshareOpts struct {
	types       []ns.Type
	mapRoot     bool
	mapUsers    *ns.IDRange // --map-users INNER:OUTER:COUNT
	mapGroups   *ns.IDRange
	fork        bool
	mountProc   bool
	propagation string
	monotonic   *int64
	boottime    *int64
}

func parseUnshare(args []string) (unshareOpts, error) {
	o := unshareOpts{propagation: "private"}
	seen := map[string]bool{}
	add := func(t ns.Type) {
		if !seen[t.Name] {
			seen[t.Name] = true
			o.types = append(o.types, t)
		}
	}
	bad := func(format string, a ...any) error { return result.Usagef(unshareUsage, format, a...) }
	for i := 0; i < len(args); i++ {
		a := args[i]
		value := func() (string, error) {
			if k, v, ok := strings.Cut(a, "="); ok {
				a = k
				return v, nil
			}
			if i+1 >= len(args) {
				return "", bad("%s needs a value", a)
			}
			i++
			return args[i], nil
		}
		switch {
		case a == "--map-root" || a == "-r" || a == "--map-root-user":
			o.mapRoot = true
		case strings.HasPrefix(a, "--map-users") || strings.HasPrefix(a, "--map-groups"):
			v, err := value()
			if err != nil {
				return o, err
			}
			rg, ok := parseIDRange(v)
			if !ok {
				return o, bad("%s takes INNER:OUTER:COUNT, such as 0:10000:2000 (uids 0-1999 inside are 10000-11999 outside), not %q", a, v)
			}
			if a == "--map-users" {
				o.mapUsers = &rg
			} else {
				o.mapGroups = &rg
			}
		case a == "--fork" || a == "-f":
			o.fork = true
		case a == "--mount-proc":
			o.mountProc, o.fork = true, true
		case strings.HasPrefix(a, "--propagation"):
			v, err := value()
			if err != nil {
				return o, err
			}
			switch v {
			case "private", "shared", "slave", "unchanged":
				o.propagation = v
			default:
				return o, bad("--propagation takes private, shared, slave or unchanged, not %q", v)
			}
		case strings.HasPrefix(a, "--monotonic") || strings.HasPrefix(a, "--boottime"):
			v, err := value()
			if err != nil {
				return o, err
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return o, bad("%s takes whole seconds, such as 86400, not %q", a, v)
			}
			if a == "--monotonic" {
				o.monotonic = &n
			} else {
				o.boottime = &n
			}
		case a == "all":
			for _, t := range ns.Types {
				add(t)
			}
		case strings.HasPrefix(a, "-"):
			return o, bad("unknown option %q", a)
		default:
			t, ok := ns.Lookup(a)
			if !ok {
				return o, bad("unknown namespace type %q: the types are %s, or all", a, strings.Join(ns.Names(), " "))
			}
			add(t)
		}
	}
	// Options imply the types they act on, as in unshare(1).
	if o.mapRoot || o.mapUsers != nil || o.mapGroups != nil {
		add(mustType("user"))
	}
	if o.mapRoot && (o.mapUsers != nil || o.mapGroups != nil) {
		return o, bad("--map-root maps uid and gid 0 only: use it or --map-users/--map-groups, not both")
	}
	if o.mountProc {
		add(mustType("mnt"))
	}
	if o.monotonic != nil || o.boottime != nil {
		add(mustType("time"))
	}
	if len(o.types) == 0 {
		return o, bad("name at least one namespace type: %s, or all", strings.Join(ns.Names(), " "))
	}
	if o.fork && !seen["pid"] {
		return o, bad("--fork and --mount-proc go with pid: they keep a PID 1 alive in the new PID namespace")
	}
	return o, nil
}

func mustType(name string) ns.Type {
	t, _ := ns.Lookup(name)
	return t
}

// parseIDRange reads INNER:OUTER:COUNT.
func parseIDRange(v string) (ns.IDRange, bool) {
	f := strings.Split(v, ":")
	if len(f) != 3 {
		return ns.IDRange{}, false
	}
	var n [3]uint32
	for i, x := range f {
		u, err := strconv.ParseUint(x, 10, 32)
		if err != nil {
			return ns.IDRange{}, false
		}
		n[i] = uint32(u)
	}
	if n[2] == 0 || uint64(n[0])+uint64(n[2]) > 1<<32-1 || uint64(n[1])+uint64(n[2]) > 1<<32-1 {
		return ns.IDRange{}, false
	}
	return ns.IDRange{Inside: n[0], Outside: n[1], Count: n[2]}, true
}

type idWrite struct{ file, content string }

// idWrites are the files to write, in the order the kernel needs: setgroups
// before gid_map (an unprivileged writer must deny setgroups first).
func idWrites(o unshareOpts, uid, gid int) []idWrite {
	if o.mapRoot {
		return []idWrite{{"setgroups", "deny"}, {"uid_map", fmt.Sprintf("0 %d 1", uid)}, {"gid_map", fmt.Sprintf("0 %d 1", gid)}}
	}
	var w []idWrite
	if o.mapUsers != nil {
		w = append(w, idWrite{"uid_map", ns.MapLines([]ns.IDRange{*o.mapUsers})})
	}
	if o.mapGroups != nil {
		w = append(w, idWrite{"gid_map", ns.MapLines([]ns.IDRange{*o.mapGroups})})
	}
	return w
}
