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
	p := unshareParser{o: unshareOpts{propagation: "private"}, seen: map[string]bool{}, args: args}
	for ; p.i < len(args); p.i++ {
		if err := p.word(args[p.i]); err != nil {
			return p.o, err
		}
	}
	err := p.implied() // before p.o is read: implied adds to it
	return p.o, err
}

// unshareParser reads unshare's words left to right. seen keeps each type
// once, in the order first named; i is the word being read.
type unshareParser struct {
	o    unshareOpts
	seen map[string]bool
	args []string
	i    int
}

func (p *unshareParser) add(t ns.Type) {
	if !p.seen[t.Name] {
		p.seen[t.Name] = true
		p.o.types = append(p.o.types, t)
	}
}

func (p *unshareParser) bad(format string, a ...any) error {
	return result.Usagef(unshareUsage, format, a...)
}

// value is the value of the option *a: after its "=" (*a is then the
// option alone) or else the next word.
func (p *unshareParser) value(a *string) (string, error) {
	if k, v, ok := strings.Cut(*a, "="); ok {
		*a = k
		return v, nil
	}
	if p.i+1 >= len(p.args) {
		return "", p.bad("%s needs a value", *a)
	}
	p.i++
	return p.args[p.i], nil
}

// word reads one word: an option (with its value) or a namespace type.
func (p *unshareParser) word(a string) error {
	switch {
	case a == "--map-root" || a == "-r" || a == "--map-root-user":
		p.o.mapRoot = true
	case strings.HasPrefix(a, "--map-users") || strings.HasPrefix(a, "--map-groups"):
		return p.idMap(a)
	case a == "--fork" || a == "-f":
		p.o.fork = true
	case a == "--mount-proc":
		p.o.mountProc, p.o.fork = true, true
	case strings.HasPrefix(a, "--propagation"):
		return p.propagation(a)
	case strings.HasPrefix(a, "--monotonic") || strings.HasPrefix(a, "--boottime"):
		return p.clockOffset(a)
	case a == "all":
		for _, t := range ns.Types {
			p.add(t)
		}
	case strings.HasPrefix(a, "-"):
		return p.bad("unknown option %q", a)
	default:
		t, ok := ns.Lookup(a)
		if !ok {
			return p.bad("unknown namespace type %q: the types are %s, or all", a, strings.Join(ns.Names(), " "))
		}
		p.add(t)
	}
	return nil
}

// idMap reads --map-users or --map-groups INNER:OUTER:COUNT.
func (p *unshareParser) idMap(a string) error {
	v, err := p.value(&a)
	if err != nil {
		return err
	}
	rg, ok := parseIDRange(v)
	if !ok {
		return p.bad("%s takes INNER:OUTER:COUNT, such as 0:10000:2000 (uids 0-1999 inside are 10000-11999 outside), not %q", a, v)
	}
	if a == "--map-users" {
		p.o.mapUsers = &rg
	} else {
		p.o.mapGroups = &rg
	}
	return nil
}

func (p *unshareParser) propagation(a string) error {
	v, err := p.value(&a)
	if err != nil {
		return err
	}
	switch v {
	case "private", "shared", "slave", "unchanged":
		p.o.propagation = v
		return nil
	}
	return p.bad("--propagation takes private, shared, slave or unchanged, not %q", v)
}

// clockOffset reads --monotonic or --boottime SECS.
func (p *unshareParser) clockOffset(a string) error {
	v, err := p.value(&a)
	if err != nil {
		return err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return p.bad("%s takes whole seconds, such as 86400, not %q", a, v)
	}
	if a == "--monotonic" {
		p.o.monotonic = &n
	} else {
		p.o.boottime = &n
	}
	return nil
}

// implied adds the types the options act on, as unshare(1) does, and
// refuses options that do not go together.
func (p *unshareParser) implied() error {
	if p.o.mapRoot || p.o.mapUsers != nil || p.o.mapGroups != nil {
		p.add(mustType("user"))
	}
	if p.o.mapRoot && (p.o.mapUsers != nil || p.o.mapGroups != nil) {
		return p.bad("--map-root maps uid and gid 0 only: use it or --map-users/--map-groups, not both")
	}
	if p.o.mountProc {
		p.add(mustType("mnt"))
	}
	if p.o.monotonic != nil || p.o.boottime != nil {
		p.add(mustType("time"))
	}
	if len(p.o.types) == 0 {
		return p.bad("name at least one namespace type: %s, or all", strings.Join(ns.Names(), " "))
	}
	if p.o.fork && !p.seen["pid"] {
		return p.bad("--fork and --mount-proc go with pid: they keep a PID 1 alive in the new PID namespace")
	}
	return nil
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
