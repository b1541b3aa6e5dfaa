package procfs

import (
	"fmt"
	"strconv"
	"strings"
)

// Propagation is what field (7) of a mountinfo line, the optional fields,
// says about a mount's propagation (proc_pid_mountinfo(5),
// mount_namespaces(7), Documentation/filesystems/sharedsubtree.rst):
//
//	shared:X          the mount is in peer group X: mount and unmount
//	                  events under it reach every mount of the group
//	master:X          the mount is a slave of peer group X: it receives
//	                  the group's events but sends none back
//	propagate_from:X  (a slave) the nearest dominant peer group this
//	                  namespace can see, when its master is out of view
//	unbindable        the mount cannot be the source of a bind mount
//
// No field at all is a private mount. A mount can be shared and a slave at
// once ("shared:2 master:1": it receives from group 1 and propagates in
// group 2).
type Propagation struct {
	Shared        int // peer group ID, 0 when not shared
	Master        int // the peer group it is a slave of, 0 when none
	PropagateFrom int // propagate_from:X, 0 when absent
	Unbindable    bool
}

// ParsePropagation decodes the optional fields of a mountinfo line (as
// moby/sys/mountinfo leaves them in Info.Optional). A field it does not
// know, a repeated one, or an ID that is not a positive number is an
// error: the kernel writes only these.
func ParsePropagation(optional string) (Propagation, error) {
	var p Propagation
	for _, f := range strings.Fields(optional) {
		if f == "unbindable" {
			if p.Unbindable {
				return Propagation{}, fmt.Errorf("optional field %q repeated", f)
			}
			p.Unbindable = true
			continue
		}
		tag, num, ok := strings.Cut(f, ":")
		var dst *int
		switch tag {
		case "shared":
			dst = &p.Shared
		case "master":
			dst = &p.Master
		case "propagate_from":
			dst = &p.PropagateFrom
		}
		if !ok || dst == nil {
			return Propagation{}, fmt.Errorf("unknown optional field %q (expected shared:N, master:N, propagate_from:N or unbindable)", f)
		}
		n, err := strconv.Atoi(num)
		if err != nil || n <= 0 || num[0] == '+' || num[0] == '0' {
			return Propagation{}, fmt.Errorf("optional field %q: the peer group ID is not a positive number", f)
		}
		if *dst != 0 {
			return Propagation{}, fmt.Errorf("optional field %q repeated", f)
		}
		*dst = n
	}
	return p, nil
}

// Private tells whether the mount neither sends nor receives events.
func (p Propagation) Private() bool { return p.Shared == 0 && p.Master == 0 }

// Kind is the propagation type in mount(8)'s words: shared, slave,
// "shared and slave", unbindable or private.
func (p Propagation) Kind() string {
	switch {
	case p.Shared != 0 && p.Master != 0:
		return "shared and slave"
	case p.Shared != 0:
		return "shared"
	case p.Master != 0:
		return "slave"
	case p.Unbindable:
		return "unbindable"
	}
	return "private"
}

// String is the optional fields as the kernel writes them ("shared:3
// master:1"), or "private" for none.
func (p Propagation) String() string {
	var f []string
	if p.Shared != 0 {
		f = append(f, "shared:"+strconv.Itoa(p.Shared))
	}
	if p.Master != 0 {
		f = append(f, "master:"+strconv.Itoa(p.Master))
	}
	if p.PropagateFrom != 0 {
		f = append(f, "propagate_from:"+strconv.Itoa(p.PropagateFrom))
	}
	if p.Unbindable {
		f = append(f, "unbindable")
	}
	if len(f) == 0 {
		return "private"
	}
	return strings.Join(f, " ")
}

// Words says it in a short phrase: "shared, peer group 3", "slave of
// group 1", "private".
func (p Propagation) Words() string {
	var w []string
	if p.Shared != 0 {
		w = append(w, fmt.Sprintf("shared in group %d", p.Shared))
	}
	if p.Master != 0 {
		w = append(w, fmt.Sprintf("slave of group %d", p.Master))
	}
	if p.PropagateFrom != 0 {
		w = append(w, fmt.Sprintf("receives from group %d", p.PropagateFrom))
	}
	if p.Unbindable {
		w = append(w, "unbindable")
	}
	if len(w) == 0 {
		return "private"
	}
	return strings.Join(w, ", ")
}
