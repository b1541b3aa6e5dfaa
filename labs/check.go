package labs

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"hood/commands"
	"hood/internal/box"
	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/ns"
	"hood/internal/kernel/procfs"
)

// Check is one fact about the live system that a step must bring about.
// Exactly one kind is set. Box fields name a box, or "current" (the current
// box) or "any" (some box): checks look at effects, so a learner who gets
// there another way, in another box, passes too.
type Check struct {
	Say string `yaml:"say"` // what holds when it passes, in the learner's words

	NS        *NSCheck       `yaml:"ns"`         // two namespaces are the same or not
	Hostname  *HostnameCheck `yaml:"hostname"`   // a box's hostname, the host's unchanged
	File      *FileCheck     `yaml:"file"`       // a file, as hood reads it, matches
	BoxFile   *BoxFileCheck  `yaml:"box_file"`   // a file, as the box reads it, matches
	Init      *BoxRef        `yaml:"init"`       // the box has a live PID 1 of its own PID namespace
	ProcsSeen *ProcsCheck    `yaml:"procs_seen"` // how many processes that PID 1's /proc lists
	Event     *EventCheck    `yaml:"event"`      // a syscall made in this step got this answer
	NProcs    *NProcsCheck   `yaml:"nprocs"`     // how many processes share a box's namespace
	Clock     *ClockCheck    `yaml:"clock"`      // a clock inside the box's time namespace is shifted
	Pinned    *PinnedCheck   `yaml:"pinned"`     // a namespace is held by a bind mount
	UID       *UIDCheck      `yaml:"uid"`        // a box's uid as the host sees it and as it sees itself
	Children  *ChildrenCheck `yaml:"children"`   // only the box's children get a new pid/time namespace
	Cgroup    *CgroupCheck   `yaml:"cgroup"`     // a file of a box's cgroup (v2 name), as hood reads it
	Counter   *CounterCheck  `yaml:"counter"`    // a number in a file moves, or stands still
	Gone      *BoxRef        `yaml:"gone"`       // the box is gone
	Measured  *MeasureCheck  `yaml:"measured"`   // what a workload measured in this step
}

// CgroupCheck: the group of Box (or a group made with cgroup new) has File
// (a v2 name; on v1 hood reads the v1 file(s)) matching Match.
type CgroupCheck struct {
	Box   string `yaml:"box"`
	File  string `yaml:"file"`
	Match string `yaml:"match"`
	// Key names a "key value" line (oom_kill in memory.events); Min and
	// Max bound that value, or the file's first number without Key.
	Key string `yaml:"key"`
	Min *int64 `yaml:"min"`
	Max *int64 `yaml:"max"`
}

// CounterCheck reads the first number in Path twice, Wait milliseconds
// apart (default 500), and holds when it moved (Moving) or did not.
type CounterCheck struct {
	Path   string `yaml:"path"`
	Moving bool   `yaml:"moving"`
	Wait   int    `yaml:"wait"`
}

// MeasureCheck: since the step began, a workload reported Key (such as
// burn.cpu_percent) between Min and Max.
type MeasureCheck struct {
	Key string  `yaml:"key"`
	Min float64 `yaml:"min"`
	Max float64 `yaml:"max"`
}

// ChildrenCheck: the box is still in the host's namespace of Type (pid or
// time) while its Type_for_children link points elsewhere: what unshare of
// those two types does.
type ChildrenCheck struct {
	Box  string `yaml:"box"`
	Type string `yaml:"type"`
}

// BoxRef names a box: a name, current or any.
type BoxRef struct {
	Box string `yaml:"box"`
}

// NSCheck compares a namespace link of A with one of B (B defaults to host).
type NSCheck struct {
	A    string `yaml:"a"`
	B    string `yaml:"b"`
	Type string `yaml:"type"`   // uts, ..., or pid_for_children / time_for_children
	BTyp string `yaml:"b_type"` // B's link, when it is not Type
	Same bool   `yaml:"same"`
}

// HostnameCheck: the box's hostname is Is; the host's is what it was when
// the lab started.
type HostnameCheck struct {
	Box string `yaml:"box"`
	Is  string `yaml:"is"`
}

// FileCheck: the file at Path ({box1}, {box1.init}, {hood} expand to PIDs)
// matches the regular expression Match.
type FileCheck struct {
	Path  string `yaml:"path"`
	Match string `yaml:"match"`
}

// BoxFileCheck: the box reads Path and it matches Match; with HostNot, one
// of the matching lines is not in the same file as hood reads it (the host
// may have queues of its own: what counts is one the host lacks).
type BoxFileCheck struct {
	Box     string `yaml:"box"`
	Path    string `yaml:"path"`
	Match   string `yaml:"match"`
	HostNot bool   `yaml:"host_not"`
}

// ProcsCheck bounds the number of processes listed in the /proc seen by the
// box's PID 1.
type ProcsCheck struct {
	Box string `yaml:"box"`
	Max int    `yaml:"max"`
	Min int    `yaml:"min"`
}

// EventCheck: since the step began, a syscall whose text contains Call was
// answered with Errno ("" for success) and, if set, a result containing Ret.
type EventCheck struct {
	Call  string `yaml:"call"`
	Errno string `yaml:"errno"`
	Ret   string `yaml:"ret"`
}

// NProcsCheck: at least Min processes are in the box's namespace of Type.
type NProcsCheck struct {
	Box  string `yaml:"box"`
	Type string `yaml:"type"`
	Min  int    `yaml:"min"`
}

// ClockCheck: a process started in the box reads Clock (monotonic or
// boottime) at least Ahead seconds later than hood does.
type ClockCheck struct {
	Box   string `yaml:"box"`
	Clock string `yaml:"clock"`
	Ahead int    `yaml:"ahead"`
}

// PinnedCheck: a namespace of Type is pinned by ns pin; with Orphan, no
// process is in it any more; with Box, that box is in it.
type PinnedCheck struct {
	Type   string `yaml:"type"`
	Orphan bool   `yaml:"orphan"`
	Box    string `yaml:"box"`
}

// UIDCheck: the box's uid as the host sees it is HostNot0 (not root) and
// as the box sees itself (/proc/self/status, through its user namespace) is
// Inside.
type UIDCheck struct {
	Box    string `yaml:"box"`
	Inside int    `yaml:"inside"`
}

// probes reports whether evaluating the check starts a process in a box.
func (c Check) probes() bool { return c.Clock != nil }

func (c Check) kinds() int {
	n := 0
	for _, set := range []bool{c.NS != nil, c.Hostname != nil, c.File != nil, c.BoxFile != nil, c.Init != nil,
		c.ProcsSeen != nil, c.Event != nil, c.NProcs != nil, c.Clock != nil, c.Pinned != nil, c.UID != nil, c.Children != nil,
		c.Cgroup != nil, c.Counter != nil, c.Gone != nil, c.Measured != nil} {
		if set {
			n++
		}
	}
	return n
}

func (c Check) validate() error {
	if c.kinds() != 1 {
		return errors.New("a check has exactly one kind (ns, hostname, file, box_file, init, procs_seen, event, nprocs, clock, pinned, uid, children, cgroup, counter, gone, measured)")
	}
	if c.Say == "" {
		return errors.New("a check needs say: what holds when it passes")
	}
	nsType := func(t string) error {
		if t == "pid_for_children" || t == "time_for_children" {
			return nil
		}
		if _, ok := ns.Lookup(t); !ok {
			return fmt.Errorf("unknown namespace type %q", t)
		}
		return nil
	}
	switch {
	case c.NS != nil:
		if err := nsType(c.NS.Type); err != nil {
			return err
		}
		if c.NS.A == "" {
			return errors.New("ns: a names a box")
		}
	case c.NProcs != nil:
		if c.NProcs.Min <= 0 {
			return errors.New("nprocs: min must be at least 1")
		}
		return nsType(c.NProcs.Type)
	case c.Children != nil:
		if c.Children.Type != "pid" && c.Children.Type != "time" {
			return errors.New("children: type is pid or time")
		}
	case c.Pinned != nil:
		return nsType(c.Pinned.Type)
	case c.File != nil:
		_, err := regexp.Compile(c.File.Match)
		return err
	case c.BoxFile != nil:
		_, err := regexp.Compile(c.BoxFile.Match)
		return err
	case c.Event != nil:
		if c.Event.Call == "" {
			return errors.New("event: call names the syscall")
		}
	case c.Cgroup != nil:
		if _, ok := cgroup.Specs[c.Cgroup.File]; !ok {
			return fmt.Errorf("cgroup: unknown file %q (a v2 name)", c.Cgroup.File)
		}
		if c.Cgroup.Match == "" && c.Cgroup.Min == nil && c.Cgroup.Max == nil {
			return errors.New("cgroup: give match, or min/max")
		}
		_, err := regexp.Compile(c.Cgroup.Match)
		return err
	case c.Counter != nil:
		if c.Counter.Path == "" {
			return errors.New("counter: path names the file")
		}
	case c.Measured != nil:
		if c.Measured.Key == "" || c.Measured.Max < c.Measured.Min {
			return errors.New("measured: a key and min <= max")
		}
	case c.Clock != nil:
		if c.Clock.Clock != "monotonic" && c.Clock.Clock != "boottime" {
			return errors.New("clock: monotonic or boottime")
		}
		if c.Clock.Ahead <= 0 {
			return errors.New("clock: ahead must be a positive number of seconds (a check that holds without any offset proves nothing)")
		}
	case c.ProcsSeen != nil:
		if c.ProcsSeen.Max == 0 && c.ProcsSeen.Min == 0 {
			return errors.New("procs_seen: give min, max or both")
		}

	}
	return nil
}

// env is what checks look at: the session, where this step's events start,
// and what the host looked like when the lab started.
type env struct {
	s            *commands.Session
	mark         int // where this step's syscall events start
	measureMark  int // where this step's measurements start
	hostHostname string
}

// boxes resolves a box reference to the boxes it stands for.
func (e *env) boxes(ref string) []*box.Box {
	switch ref {
	case "", "current":
		if e.s.Current != nil {
			return []*box.Box{e.s.Current}
		}
		return nil
	case "any":
		return e.s.Boxes
	}
	if b := e.s.Box(ref); b != nil {
		return []*box.Box{b}
	}
	return nil
}

// anyBox passes when f passes for one of the boxes ref stands for.
func (e *env) anyBox(ref string, f func(b *box.Box) (bool, string)) (bool, string) {
	bs := e.boxes(ref)
	if len(bs) == 0 {
		if ref == "" || ref == "current" || ref == "any" {
			return false, "there is no box"
		}
		return false, "there is no box named " + ref
	}
	var why []string
	for _, b := range bs {
		ok, d := f(b)
		if ok {
			return true, d
		}
		why = append(why, d)
	}
	return false, strings.Join(why, "; ")
}

// expand replaces {hood} with hood's PID, {NAME} with box NAME's PID,
// {NAME.init} with the PID of its PID 1 and {pins} with the directory that
// ns pin puts pins in.
func (e *env) expand(s string) string {
	var out strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		j := strings.IndexByte(s[i+1:], '}')
		if i < 0 || j < 0 {
			out.WriteString(s)
			return out.String()
		}
		out.WriteString(s[:i])
		key := s[i+1 : i+1+j]
		s = s[i+2+j:]
		name, field, _ := strings.Cut(key, ".")
		switch {
		case name == "hood":
			out.WriteString(strconv.Itoa(e.s.HoodPID))
		case name == "pins" && e.s.PinDir() != "":
			out.WriteString(e.s.PinDir())
		case name == "loop" && len(e.s.Loops()) > 0:
			d := e.s.Loops()[len(e.s.Loops())-1]
			switch field {
			case "dev":
				out.WriteString(d.Dev())
			case "name":
				out.WriteString(strings.TrimPrefix(d.Path, "/dev/"))
			default:
				out.WriteString(d.Path)
			}
		case e.boxes(name) != nil && field == "":
			out.WriteString(strconv.Itoa(e.boxes(name)[0].PID))
		case e.boxes(name) != nil && field == "init":
			out.WriteString(strconv.Itoa(e.s.LiveInit(e.boxes(name)[0])))
		default:
			out.WriteString("{" + key + "}")
		}
	}
}

func (e *env) link(b *box.Box, typ string) string {
	l, err := e.s.Links(b.PID)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return l[typ]
}

// eval tells whether the check holds now, and what was seen.
func (c Check) eval(e *env) (bool, string) {
	switch {
	case c.NS != nil:
		return c.NS.eval(e)
	case c.Hostname != nil:
		return e.anyBox(c.Hostname.Box, func(b *box.Box) (bool, string) {
			name, err := b.Hostname()
			if err != nil {
				return false, err.Error()
			}
			host, _ := os.Hostname()
			if host != e.hostHostname {
				return false, fmt.Sprintf("the host's hostname changed from %q to %q", e.hostHostname, host)
			}
			return name == c.Hostname.Is, fmt.Sprintf("%s's hostname is %q, the host's still %q", b.Name, name, host)
		})
	case c.File != nil:
		path := e.expand(c.File.Path)
		data, err := os.ReadFile(path)
		if err != nil {
			return false, err.Error()
		}
		if m := regexp.MustCompile(c.File.Match).Find(data); m != nil {
			return true, fmt.Sprintf("%s has %q", path, strings.TrimSpace(string(m)))
		}
		return false, fmt.Sprintf("%s holds %q", path, short(data))
	case c.BoxFile != nil:
		re := regexp.MustCompile(c.BoxFile.Match)
		return e.anyBox(c.BoxFile.Box, func(b *box.Box) (bool, string) {
			data, err := b.ReadFile(c.BoxFile.Path)
			if err != nil {
				return false, err.Error()
			}
			if !re.Match(data) {
				return false, fmt.Sprintf("%s reads %s as %q", b.Name, c.BoxFile.Path, short(data))
			}
			if c.BoxFile.HostNot {
				host, _ := os.ReadFile(c.BoxFile.Path)
				hostLines := map[string]bool{}
				for _, l := range strings.Split(string(host), "\n") {
					hostLines[strings.TrimSpace(l)] = true
				}
				own := false
				for _, m := range re.FindAll(data, -1) {
					line := string(m)
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
				if !own {
					return false, fmt.Sprintf("the host reads the same in %s: %q", c.BoxFile.Path, short(host))
				}
			}
			return true, fmt.Sprintf("%s reads %s as %q", b.Name, c.BoxFile.Path, short(data))
		})
	case c.Init != nil:
		return e.anyBox(c.Init.Box, func(b *box.Box) (bool, string) {
			init := e.s.LiveInit(b)
			if init == 0 {
				return false, b.Name + " has no PID 1 of a namespace of its own (unshare pid --fork makes one)"
			}
			nspid := e.s.NSpid(init)
			return len(nspid) > 1 && nspid[len(nspid)-1] == "1", fmt.Sprintf("%s's PID 1 is %d on the host (NSpid %s)", b.Name, init, strings.Join(nspid, " "))
		})
	case c.ProcsSeen != nil:
		return e.anyBox(c.ProcsSeen.Box, func(b *box.Box) (bool, string) {
			init := e.s.LiveInit(b)
			if init == 0 {
				return false, b.Name + " has no PID 1 of its own"
			}
			n := e.s.ProcsSeen(b)
			ok := n >= c.ProcsSeen.Min && (c.ProcsSeen.Max == 0 || n <= c.ProcsSeen.Max)
			return ok, fmt.Sprintf("the /proc seen from %s's PID namespace lists %d process(es)", b.Name, n)
		})
	case c.Event != nil:
		return c.Event.eval(e)
	case c.NProcs != nil:
		return e.anyBox(c.NProcs.Box, func(b *box.Box) (bool, string) {
			want := e.link(b, c.NProcs.Type)
			n := countIn(e.s.Proc(), c.NProcs.Type, want)
			return n >= c.NProcs.Min, fmt.Sprintf("%d processes are in %s", n, want)
		})
	case c.Clock != nil:
		return e.anyBox(c.Clock.Box, func(b *box.Box) (bool, string) {
			// A probe started while the box's new PID namespace has no
			// PID 1 would become that PID 1 and, exiting, end the
			// namespace: looking must not change what is looked at.
			if strings.Contains(e.link(b, "pid_for_children"), "?") {
				return false, b.Name + "'s new PID namespace has no PID 1 yet, so hood does not start a process there to read its clocks"
			}
			return c.Clock.eval(b)
		})
	case c.Pinned != nil:
		// Any pin of the type may be the one: the learner may have pinned
		// others first.
		var why []string
		for _, p := range e.s.Pins {
			if p.Type != c.Pinned.Type {
				continue
			}
			link := fmt.Sprintf("%s:[%d]", p.Type, p.Inode)
			var ok bool
			var d string
			switch {
			case c.Pinned.Box != "":
				ok, d = e.anyBox(c.Pinned.Box, func(b *box.Box) (bool, string) {
					mine := e.link(b, p.Type)
					return mine == link, fmt.Sprintf("%s is in %s; %s is pinned at %s", b.Name, mine, link, p.Path)
				})
			case c.Pinned.Orphan:
				n := countIn(e.s.Proc(), p.Type, link)
				ok, d = n == 0, fmt.Sprintf("%s, pinned at %s, has %d process(es)", link, p.Path, n)
			default:
				ok, d = true, fmt.Sprintf("%s is pinned at %s", link, p.Path)
			}
			if ok {
				return true, d
			}
			why = append(why, d)
		}
		if len(why) == 0 {
			return false, "no " + c.Pinned.Type + " namespace is pinned (ns pin)"
		}
		return false, strings.Join(why, "; ")
	case c.Children != nil:
		return e.anyBox(c.Children.Box, func(b *box.Box) (bool, string) {
			host, err := e.s.HostLinks()
			if err != nil {
				return false, err.Error()
			}
			t := c.Children.Type
			own, kids := e.link(b, t), e.link(b, t+"_for_children")
			ok := own == host[t] && kids != own
			return ok, fmt.Sprintf("%s is in %s (the host's is %s); its children get %s", b.Name, own, host[t], kids)
		})
	case c.Cgroup != nil:
		re := regexp.MustCompile(c.Cgroup.Match)
		g, label := e.s.GroupOf(c.Cgroup.Box), c.Cgroup.Box
		if c.Cgroup.Box == "" || c.Cgroup.Box == "current" {
			if e.s.Current == nil {
				return false, "there is no box"
			}
			label = e.s.Current.Name
			g = e.s.GroupOf(label)
		}
		if g == nil {
			return false, label + " has no cgroup of its own yet"
		}
		v, _, err := g.Get(c.Cgroup.File)
		if err != nil {
			return false, err.Error()
		}
		if c.Cgroup.Min != nil || c.Cgroup.Max != nil {
			n, ok := int64(0), false
			if c.Cgroup.Key != "" {
				n, ok = cgroup.KV(v)[c.Cgroup.Key]
			} else if f := strings.Fields(v); len(f) > 0 {
				var err error
				n, err = strconv.ParseInt(f[0], 10, 64)
				ok = err == nil
			}
			what := c.Cgroup.File
			if c.Cgroup.Key != "" {
				what += " " + c.Cgroup.Key
			}
			if !ok {
				return false, fmt.Sprintf("%s of %s has no number: %q", what, label, short([]byte(v)))
			}
			inRange := (c.Cgroup.Min == nil || n >= *c.Cgroup.Min) && (c.Cgroup.Max == nil || n <= *c.Cgroup.Max)
			if !inRange || c.Cgroup.Match == "" {
				return inRange, fmt.Sprintf("%s of %s is %d", what, label, n)
			}
		}
		return re.MatchString(v), fmt.Sprintf("%s of %s is %q", c.Cgroup.File, label, short([]byte(v)))
	case c.Counter != nil:
		path := e.expand(c.Counter.Path)
		wait := c.Counter.Wait
		if wait <= 0 {
			wait = 500
		}
		// A counter just started may not have written yet: give it the
		// same time to appear.
		a, err := firstNumber(path)
		for t0 := time.Now(); err != nil && time.Since(t0) < time.Duration(wait)*time.Millisecond; {
			time.Sleep(20 * time.Millisecond)
			a, err = firstNumber(path)
		}
		if err != nil {
			return false, err.Error()
		}
		time.Sleep(time.Duration(wait) * time.Millisecond)
		b, err := firstNumber(path)
		if err != nil {
			return false, err.Error()
		}
		moved := a != b
		return moved == c.Counter.Moving, fmt.Sprintf("%s went from %d to %d in %d ms", path, a, b, wait)
	case c.Gone != nil:
		if b := e.s.Box(c.Gone.Box); b != nil {
			return false, fmt.Sprintf("%s is still there (PID %d)", b.Name, b.PID)
		}
		return true, c.Gone.Box + " is gone"
	case c.Measured != nil:
		if e.measureMark > len(e.s.Measures) {
			e.measureMark = len(e.s.Measures)
		}
		var seen []string
		for _, m := range e.s.Measures[e.measureMark:] {
			if m.Key != c.Measured.Key {
				continue
			}
			seen = append(seen, fmt.Sprintf("%.1f", m.Value))
			if m.Value >= c.Measured.Min && m.Value <= c.Measured.Max {
				return true, fmt.Sprintf("%s measured %.1f", m.Key, m.Value)
			}
		}
		if len(seen) == 0 {
			return false, "no " + c.Measured.Key + " measured in this step yet"
		}
		return false, fmt.Sprintf("%s measured %s; wanted %.0f to %.0f", c.Measured.Key, strings.Join(seen, ", "), c.Measured.Min, c.Measured.Max)
	case c.UID != nil:
		return e.anyBox(c.UID.Box, func(b *box.Box) (bool, string) {
			outside := realUID(e.s.Proc().Status(b.PID))
			data, err := b.ReadFile("/proc/self/status")
			if err != nil {
				return false, err.Error()
			}
			inside := realUID(procfs.ParseStatus(bytes.NewReader(data)))
			ok := outside != "0" && outside != "" && inside == strconv.Itoa(c.UID.Inside)
			return ok, fmt.Sprintf("%s is uid %s to the host and uid %s to itself", b.Name, outside, inside)
		})
	}
	return false, "unknown check"
}

func (c *NSCheck) eval(e *env) (bool, string) {
	btype := c.BTyp
	if btype == "" {
		btype = c.Type
	}
	bRef := c.B
	if bRef == "" {
		bRef = "host"
	}
	return e.anyBox(c.A, func(a *box.Box) (bool, string) {
		la := e.link(a, c.Type)
		var lb, bname string
		if bRef == "host" {
			hl, err := e.s.HostLinks()
			if err != nil {
				return false, err.Error()
			}
			lb, bname = hl[btype], "the host"
		} else {
			bs := e.boxes(bRef)
			if len(bs) == 0 {
				return false, "there is no box named " + bRef
			}
			if bs[0] == a {
				return false, a.Name + " compared with itself"
			}
			lb, bname = e.link(bs[0], btype), bs[0].Name
		}
		same := la == lb && la != "" && !strings.Contains(la, "?")
		rel := "is not"
		if same {
			rel = "is"
		}
		return same == c.Same, fmt.Sprintf("%s's %s %s %s %s's %s %s", a.Name, c.Type, la, rel, bname, btype, lb)
	})
}

func (c *EventCheck) eval(e *env) (bool, string) {
	evs := e.s.Events
	if e.mark > len(evs) {
		e.mark = len(evs)
	}
	var last string
	call := e.expand(c.Call)
	for _, ev := range evs[e.mark:] {
		if !strings.Contains(ev.Text(), call) {
			continue
		}
		last = ev.String()
		if ev.ErrName() == c.Errno && (c.Ret == "" || strings.Contains(ev.Result(), c.Ret)) {
			return true, last
		}
	}
	if last == "" {
		return false, "no " + call + " call in this step yet"
	}
	return false, "last: " + last
}

func (c *ClockCheck) eval(b *box.Box) (bool, string) {
	p, err := b.RunProbe("clock")
	if err != nil {
		return false, err.Error()
	}
	if p.Fork.Failed() {
		return false, "starting a process in " + b.Name + " failed: " + p.Fork.ErrName()
	}
	inside, _ := strconv.ParseFloat(p.Values[c.Clock], 64)
	host := box.HostClock(c.Clock)
	diff := inside - host
	return diff >= float64(c.Ahead)-1, fmt.Sprintf("a process in %s reads %s %.0f s, hood %.0f s (%+.0f s)", b.Name, c.Clock, inside, host, diff)
}

func short(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

// firstNumber reads the first whole number in a file.
func firstNumber(path string) (int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0, fmt.Errorf("%s holds no number", path)
	}
	return strconv.ParseInt(f[0], 10, 64)
}
