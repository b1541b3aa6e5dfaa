package commands

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/moby/sys/mountinfo"

	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/procfs"
	"hood/internal/result"
)

func init() {
	register(&Command{UsageLine: "rootfs compare BOX [NAME]", Short: "a hand-made container (a box) beside the host, and beside the runc container of rootfs NAME",
		Long: `One row per thing a runtime sets up, read from the kernel for each
process: its namespaces (/proc/PID/ns), capabilities, no_new_privs and
seccomp mode (/proc/PID/status), the cgroup limits of its group
(memory.max, pids.max, cpu.max, from /proc/PID/cgroup) and on v1 the
device rules of its devices cgroup (devices.list), its network
devices, its mounts (/proc/PID/mountinfo) and its /dev as it sees it.
With NAME (rootfs runc NAME first), the runc container is a column too,
and hood lists what runc did that the box lacks: each mount the runc
container has at a mount point where the box has none, in words (a
masked path, a read-only path, devpts on /dev/pts), and each /dev entry
the box does not have. All of it observed; nothing is taken from the
bundle.`,
		Args: []Arg{ArgBox, ArgRootfs}, Run: rootfsCompare})
}

// column is one process compared.
type column struct {
	label string
	pid   int
	ms    []*mountinfo.Info
}

func rootfsCompare(s *Session, args []string) (*result.Result, error) {
	const usage = "rootfs compare BOX [NAME]"
	if len(args) < 1 || len(args) > 2 {
		return nil, result.Usagef(usage, "name a box, and the rootfs whose runc container to compare it with")
	}
	b := s.find(args[0])
	if b == nil {
		return nil, &result.UsageError{Msg: fmt.Sprintf("no box %q (the boxes: %s)", args[0], strings.Join(s.BoxNames(), ", "))}
	}
	cols := []*column{{label: b.Name, pid: b.PID}}
	if len(args) == 2 {
		c := s.runcNamed(args[1])
		if c == nil {
			return nil, &result.UsageError{Msg: fmt.Sprintf("no runc container of rootfs %s runs in this hood: rootfs bundle %s, then rootfs runc %s", args[1], args[1], args[1])}
		}
		cols = append(cols, &column{label: "runc " + c.Name, pid: c.PID})
	}
	cols = append(cols, &column{label: "host", pid: s.HoodPID})
	for _, c := range cols {
		ms, err := s.Proc().Mountinfo(c.pid, nil)
		if err != nil {
			return nil, err
		}
		c.ms = ms
	}
	t := &result.Table{Header: []string{""}}
	for _, c := range cols {
		t.Header = append(t.Header, c.label)
	}
	row := func(what string, f func(c *column) string) {
		line := []string{what}
		for _, c := range cols {
			line = append(line, f(c))
		}
		t.Rows = append(t.Rows, line)
	}
	host, err := s.Links(s.HoodPID)
	if err != nil {
		return nil, err
	}
	for _, typ := range []string{"user", "mnt", "uts", "ipc", "pid", "pid_for_children", "net", "cgroup", "time"} {
		row(typ, func(c *column) string {
			l, err := s.Links(c.pid)
			if err != nil {
				return "?"
			}
			if c.pid != s.HoodPID && l[typ] == host[typ] {
				return "host's"
			}
			_, inode, _ := strings.Cut(l[typ], ":")
			return inode
		})
	}
	status := func(f func(st statusView) string) func(c *column) string {
		return func(c *column) string {
			st, err := s.Proc().Status(c.pid)
			if err != nil {
				return "?"
			}
			return f(statusView{st.CapEff, st.CapBnd, st.NoNewPrivs, st.Seccomp, st.SeccompFilters})
		}
	}
	row("CapEff", status(func(v statusView) string { return capsCell(v.eff) }))
	row("CapBnd", status(func(v statusView) string { return capsCell(v.bnd) }))
	row("NoNewPrivs", status(func(v statusView) string { return fmt.Sprint(v.nnp) }))
	row("Seccomp", status(func(v statusView) string {
		return fmt.Sprintf("mode %d, %d filter(s)", v.mode, v.filters)
	}))
	for _, file := range []string{"memory.max", "pids.max", "cpu.max"} {
		row(file, func(c *column) string { return s.limitOf(c.pid, file) })
	}
	row("devices.list", func(c *column) string {
		v := s.limitOf(c.pid, "devices.list")
		if lines := strings.Split(v, "\n"); len(lines) > 1 {
			return fmt.Sprintf("%d rules", len(lines))
		}
		return v
	})
	row("net devices", func(c *column) string {
		ls, err := s.NetLinks(c.pid)
		if err != nil {
			return "?"
		}
		var names []string
		for _, l := range ls {
			names = append(names, l.Name)
		}
		if len(names) > 4 {
			return fmt.Sprintf("%d devices", len(names))
		}
		return strings.Join(names, " ")
	})
	row("mounts", func(c *column) string { return fmt.Sprint(len(c.ms)) })
	for _, at := range []string{"/", "/proc", "/proc/sys", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"} {
		row(at, func(c *column) string {
			if m := procfs.TopAt(c.ms, at); m != nil {
				return mountWords(m)
			}
			return "-"
		})
	}
	row("masked", func(c *column) string { return fmt.Sprint(countKind(c.ms, "masked")) })
	row("read-only", func(c *column) string { return fmt.Sprint(countKind(c.ms, "read-only")) })
	row("/dev", func(c *column) string {
		ns, err := s.Proc().NodesInRoot(c.pid, "/dev")
		if err != nil {
			return "?"
		}
		var names []string
		for _, n := range ns {
			names = append(names, n.Name)
		}
		if all := strings.Join(names, " "); len(all) <= 20 {
			return all
		}
		return fmt.Sprintf("%d entries", len(ns))
	})
	r := &result.Result{Table: t}
	if len(cols) == 3 {
		lacks(s, r, cols[0], cols[1])
	}
	r.Shell = fmt.Sprintf("grep -E 'Cap|NoNewPrivs|Seccomp' /proc/%d/status; cat /proc/%d/mountinfo", b.PID, b.PID)
	r.Meaning = "A container is these rows: namespaces, a root with /proc and /dev, limits, fewer capabilities, no_new_privs and a filter. Where two columns agree, the kernel holds the same state for both; the rows that differ are what one of them did and the other did not."
	return r, nil
}

type statusView struct {
	eff, bnd      uint64
	nnp           bool
	mode, filters int
}

// capsCell is a capability mask as hex and a count.
func capsCell(v uint64) string {
	return fmt.Sprintf("%x (%d)", v, bits.OnesCount64(v))
}

// limitOf reads file of the cgroup pid is in (v2 names; hood translates
// on v1), or says why not.
func (s *Session) limitOf(pid int, file string) string {
	// hood's mounts of each hierarchy (a box after pivot_root has none),
	// with pid's path in it from /proc/PID/cgroup.
	own, err := s.hierarchies()
	if err != nil {
		return "?"
	}
	lines, err := s.Proc().Cgroup(pid)
	if err != nil {
		return "?"
	}
	g := &cgroup.Group{Box: fmt.Sprint(pid)}
	for _, h := range own {
		for _, l := range lines {
			if l.ID == h.ID {
				h.Path = l.Path
				g.Hier = append(g.Hier, h)
				g.Dirs = append(g.Dirs, h.Dir())
			}
		}
	}
	v, _, err := g.Get(file)
	if err != nil {
		return "(no " + file + ")"
	}
	return strings.TrimSpace(v)
}

// mountKind says what a mount is for, from what mountinfo shows: a file
// bound from a null device (runc's masked file), an empty read-only tmpfs
// on a directory of /proc or /sys (a masked directory), a read-only bind
// of a part of proc (a read-only path).
func mountKind(m *mountinfo.Info) string {
	ro := slices.Contains(strings.Split(m.Options, ","), "ro")
	under := strings.HasPrefix(m.Mountpoint, "/proc/") || strings.HasPrefix(m.Mountpoint, "/sys/")
	switch {
	case under && strings.HasSuffix(m.Root, "/null"):
		return "masked"
	case under && ro && m.FSType == "tmpfs" && m.Root == "/":
		return "masked"
	case under && ro && m.Root != "/" && (m.FSType == "proc" || m.FSType == "sysfs"):
		return "read-only"
	}
	return ""
}

// mountWords is a mount in a few words: "proc ro (read-only)".
func mountWords(m *mountinfo.Info) string {
	w := m.FSType
	if slices.Contains(strings.Split(m.Options, ","), "ro") {
		w += " ro"
	}
	if k := mountKind(m); k != "" {
		w += " (" + k + ")"
	}
	return w
}

// kindWords says how runc made a masked or read-only path.
func kindWords(m *mountinfo.Info) string {
	switch mountKind(m) {
	case "masked":
		if strings.HasSuffix(m.Root, "/null") {
			return "masked: " + m.Root + " of the container's /dev (" + m.FSType + ") bound over it, so reading it reads nothing"
		}
		return "masked: an empty read-only tmpfs over it"
	case "read-only":
		return "read-only: a read-only bind mount of itself"
	}
	return mountWords(m)
}

func countKind(ms []*mountinfo.Info, kind string) int {
	n := 0
	for _, m := range ms {
		if mountKind(m) == kind {
			n++
		}
	}
	return n
}

// lacks lists what runc's container has that the box does not: mounts at
// mount points the box has none at, and /dev entries.
func lacks(s *Session, r *result.Result, box, runc *column) {
	have := map[string]bool{}
	for _, m := range box.ms {
		have[m.Mountpoint] = true
	}
	for _, m := range runc.ms {
		if have[m.Mountpoint] || strings.HasPrefix(m.Mountpoint, "/sys/fs/cgroup/") {
			continue
		}
		r.Say("runc only", "%s: %s", m.Mountpoint, kindWords(m))
	}
	if n := len(runc.ms) - len(box.ms); n > 0 {
		r.Say("mounts", "runc's container has %d mounts more than %s", n, box.label)
	}
	if d, mine := s.limitOf(runc.pid, "devices.list"), s.limitOf(box.pid, "devices.list"); d != mine && !strings.HasPrefix(d, "(") {
		r.Say("runc devices", "its devices cgroup allows only %s (%s's: %s)", strings.ReplaceAll(d, "\n", ", "), box.label, mine)
	}
	mine, err1 := s.Proc().NodesInRoot(box.pid, "/dev")
	theirs, err2 := s.Proc().NodesInRoot(runc.pid, "/dev")
	if err1 != nil || err2 != nil {
		return
	}
	got := map[string]bool{}
	for _, n := range mine {
		got[n.Name] = true
	}
	var extra []string
	for _, n := range theirs {
		if !got[n.Name] {
			extra = append(extra, n.String())
		}
	}
	if len(extra) > 0 {
		r.Say("runc /dev", "entries %s lacks: %s", box.label, strings.Join(extra, ", "))
	}
}
