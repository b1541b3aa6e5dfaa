package procfs

import (
	"fmt"
	"strings"

	"github.com/moby/sys/mountinfo"
)

// MountChange is one difference between two mount tables: a mount only in
// the second (Added), only in the first (Gone), or in both with other
// propagation or options (Changed, with What saying which).
type MountChange struct {
	Kind string          // "added", "gone", "changed"
	Old  *mountinfo.Info // in the first table (nil when added)
	New  *mountinfo.Info // in the second table (nil when gone)
	What []string        // for changed: "propagation shared:1 -> private", ...
}

// Mount is the mount the change is about: New, or Old when gone.
func (c MountChange) Mount() *mountinfo.Info {
	if c.New != nil {
		return c.New
	}
	return c.Old
}

// mountKey is what identifies one mount across two mount namespaces: the
// IDs differ (a copied namespace gets new mount IDs, and peer group IDs
// change with propagation), so a mount is matched by where it is and what
// it shows: mount point, source, filesystem type, root within the
// filesystem and device. Mounts stacked on one mount point with the same
// key are matched in the kernel's order.
type mountKey struct {
	point, source, fstype, root string
	major, minor                int
}

func keyOf(m *mountinfo.Info) mountKey {
	return mountKey{m.Mountpoint, m.Source, m.FSType, m.Root, m.Major, m.Minor}
}

// DiffMounts says what differs from table a to table b (each as Mountinfo
// reads it, in the kernel's order): b's mounts that a lacks are added, a's
// that b lacks are gone, and those in both whose propagation or per-mount
// options differ are changed. The changes come in b's order, then the gone
// ones in a's.
func DiffMounts(a, b []*mountinfo.Info) []MountChange {
	olds := map[mountKey][]*mountinfo.Info{}
	for _, m := range a {
		olds[keyOf(m)] = append(olds[keyOf(m)], m)
	}
	matched := map[*mountinfo.Info]bool{}
	var out []MountChange
	for _, m := range b {
		k := keyOf(m)
		q := olds[k]
		if len(q) == 0 {
			out = append(out, MountChange{Kind: "added", New: m})
			continue
		}
		old := q[0]
		olds[k] = q[1:]
		matched[old] = true
		if what := mountDelta(old, m); len(what) > 0 {
			out = append(out, MountChange{Kind: "changed", Old: old, New: m, What: what})
		}
	}
	for _, m := range a {
		if !matched[m] {
			out = append(out, MountChange{Kind: "gone", Old: m})
		}
	}
	return out
}

// mountDelta says how one mount differs between two tables. Peer group
// IDs are compared as IDs: the same group in two namespaces has the same
// ID, since groups are global.
func mountDelta(a, b *mountinfo.Info) []string {
	var what []string
	pa, _ := ParsePropagation(a.Optional)
	pb, _ := ParsePropagation(b.Optional)
	if pa != pb {
		what = append(what, fmt.Sprintf("propagation %s -> %s", pa, pb))
	}
	if a.Options != b.Options {
		what = append(what, fmt.Sprintf("options %s -> %s", a.Options, b.Options))
	}
	return what
}

// DiffSummary counts changes by kind: "2 added, 1 gone, 30 changed".
func DiffSummary(cs []MountChange) string {
	n := map[string]int{}
	for _, c := range cs {
		n[c.Kind]++
	}
	var parts []string
	for _, k := range []string{"added", "gone", "changed"} {
		if n[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[k], k))
		}
	}
	if len(parts) == 0 {
		return "no difference"
	}
	return strings.Join(parts, ", ")
}
