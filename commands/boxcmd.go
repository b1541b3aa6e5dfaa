package commands

import (
	"fmt"
	"strconv"
	"strings"

	"hood/internal/box"
	"hood/internal/result"
	"hood/internal/rootless"
)

// validBoxName: a letter, then up to 31 letters, digits, - or _.
func validBoxName(name string) bool {
	if len(name) == 0 || len(name) > 32 {
		return false
	}
	for i, c := range name {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '-' || c == '_')) {
			return false
		}
	}
	return true
}

func init() {
	register(
		&Command{UsageLine: "box new [NAME] [--uid UID[:GID]]", Short: "start a new box (a process in the host's namespaces) and make it current",
			Long:  "A box is a process hood keeps running so that your commands can act on it\nstep by step. A new box starts in the same namespaces as hood, the host's;\n`unshare` gives it its own. NAME defaults to box1, box2, ...\nWith --uid the box drops to that user (and group, default the same number)\nwith no capabilities: an ordinary user, for trying what needs no root.",
			Flags: []string{"--uid"}, Run: boxNew},
		&Command{UsageLine: "box ls [--json]", Short: "list the boxes, their PIDs and which namespaces they do not share with the host",
			Flags: []string{"--json"}, Run: boxLs},
		&Command{UsageLine: "box use NAME", Short: "make NAME the current box", Args: []Arg{ArgBox}, Run: boxUse},
		&Command{UsageLine: "box kill NAME", Short: "end a box and every process it started", Args: []Arg{ArgBox}, Run: boxKill},
		&Command{UsageLine: "box show [NAME]", Short: "a box's PID, hostname, namespaces and processes", Args: []Arg{ArgBox}, Run: boxShow},
	)
}

// StartFirst starts a session's first box outside any command (as hood
// starts, or a lab check): its calls are recorded and logged as a
// command's are.
func (s *Session) StartFirst(name string) (*result.Result, error) {
	r, err := s.StartBox(name)
	if r != nil {
		s.rootlessNote(r)
		for _, c := range r.Syscalls {
			s.Events = append(s.Events, Event{Box: name, Syscall: c})
		}
		logCalls(r.Syscalls)
	}
	return r, err
}

// StartBox starts a box, makes it current and narrates it.
func (s *Session) StartBox(name string) (*result.Result, error) {
	if name == "" {
		for i := 1; ; i++ {
			name = "box" + strconv.Itoa(i)
			if s.find(name) == nil {
				break
			}
		}
	}
	if !validBoxName(name) || name == "host" || name == "self" || name == "all" {
		return nil, &result.UsageError{Msg: fmt.Sprintf("%q cannot name a box: use a letter then up to 31 letters, digits, - or _, and not host, self or all", name)}
	}
	if s.find(name) != nil {
		return nil, &result.UsageError{Msg: fmt.Sprintf("there is already a box named %s (`box ls` lists them)", name)}
	}
	r := &result.Result{}
	// Without root, in a delegated cgroup: hood leaves it for a leaf
	// before its first box is born there (cgdeleg.go).
	s.delegateEarly(r)
	b, err := box.Start(name)
	if err != nil {
		return nil, err
	}
	if b.Started.Name != "" {
		r.Add(b.Started)
		r.Say(name, "PID %d, hood's own binary started again as a box", b.PID)
	} else {
		r.Say(name, "PID %d, forked from hood before its Go runtime started", b.PID)
	}
	r.Meaning = fmt.Sprintf("%s is a new process in the same namespaces as hood, the host's. `unshare` gives it its own; `ns compare %s host` shows which.", name, name)
	if rootless.Active() && s.noUserNS == "" {
		err := s.intoUserNS(b, r)
		if err != nil && s.userns != nil {
			_ = b.Kill() // it could not join the session's namespace
			return r, err
		}
		if err != nil {
			// No user namespace for this session: hood still runs, as
			// the plain user it is, in a box that made none.
			if b, err = s.withoutUserNS(b, name, r, err); err != nil {
				return r, err
			}
		}
	}
	if s.userns != nil {
		r.Meaning = fmt.Sprintf("hood runs without root (uid %d), so %s is in the host's namespaces except one: the user namespace %s, where it holds every capability. The namespaces it unshares from here belong to that user namespace, so it may change them; what the host owns stays out of reach.", s.userns.plan.UID, name, s.userns.link)
	}
	s.Boxes = append(s.Boxes, b)
	s.Current = b
	r.Say(name, "now the current box")
	return r, nil
}

func boxNew(s *Session, args []string) (*result.Result, error) {
	const usage = "box new [NAME] [--uid UID[:GID]]"
	name, uid, gid := "", -1, -1
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--uid":
			if i+1 >= len(args) {
				return nil, result.Usagef(usage, "--uid needs a number, such as --uid 1000")
			}
			i++
			u, g, ok := strings.Cut(args[i], ":")
			var err1, err2 error
			uid, err1 = strconv.Atoi(u)
			gid = uid
			if ok {
				gid, err2 = strconv.Atoi(g)
			}
			// (uid_t)-1 means "leave unchanged" to setresuid(2): refused.
			if err1 != nil || err2 != nil || uid < 0 || gid < 0 || uid >= 1<<32-1 || gid >= 1<<32-1 {
				return nil, result.Usagef(usage, "%q is not a uid[:gid]: give numbers, such as 1000 or 1000:1000", args[i])
			}
		case strings.HasPrefix(a, "-"):
			return nil, result.Usagef(usage, "unknown option %q", a)
		case a == "":
			return nil, result.Usagef(usage, "the box name is empty: give a name such as web, or none for the next boxN")
		case name != "":
			return nil, result.Usagef(usage, "box new takes at most one name")
		default:
			name = a
		}
	}
	r, err := s.StartBox(name)
	if err != nil || uid < 0 {
		return r, err
	}
	b := s.Current
	calls, err := b.SetID(uid, gid)
	if err != nil {
		return r, err
	}
	r.Add(calls...)
	if last := calls[len(calls)-1]; last.Failed() {
		if s.userns != nil {
			return r, kernelErr(last, "rootless setid")
		}
		return r, kernelErr(last, "")
	}
	if s.userns != nil {
		hostUID, _ := procIDs(s.Proc(), b.PID)
		r.Say(b.Name, "runs as uid %d, gid %d in hood's user namespace %s (uid %d to the host), no supplementary groups, no capabilities", uid, gid, s.userns.link, hostUID)
		r.Shell = fmt.Sprintf("setpriv --reuid %d --regid %d --clear-groups sh", uid, gid)
		r.Meaning = fmt.Sprintf("%s is an ordinary user inside hood's user namespace: it may create a user namespace of its own (and, inside it, the other types), but nothing that namespace or the host owns.", b.Name)
		return r, nil
	}
	r.Say(b.Name, "runs as uid %d, gid %d, no supplementary groups, no capabilities in the host's user namespace", uid, gid)
	r.Shell = fmt.Sprintf("setpriv --reuid %d --regid %d --clear-groups sh", uid, gid)
	r.Meaning = fmt.Sprintf("%s is an ordinary user to the kernel: it may create a user namespace (and, inside it, the other types), but nothing the host owns.", b.Name)
	return r, nil
}

type boxJSON struct {
	Name       string            `json:"name"`
	PID        int               `json:"pid"`
	Current    bool              `json:"current"`
	Namespaces map[string]uint64 `json:"namespaces"`
	Own        []string          `json:"own"` // links that differ from the host's
}

func boxLs(s *Session, args []string) (*result.Result, error) {
	asJSON, err := onlyJSON("box ls [--json]", args)
	if err != nil {
		return nil, err
	}
	host, err := s.hostLinks()
	if err != nil {
		return nil, err
	}
	var list []boxJSON
	t := &result.Table{Header: []string{"", "NAME", "PID", "OWN NAMESPACES (not the host's)"}}
	for _, b := range s.Boxes {
		l, err := s.links(b.PID)
		if err != nil {
			return nil, fmt.Errorf("box %s (pid %d): %w", b.Name, b.PID, err)
		}
		j := boxJSON{Name: b.Name, PID: b.PID, Current: b == s.Current, Namespaces: map[string]uint64{}, Own: []string{}}
		for _, n := range linkOrder() {
			if v, ok := l[n]; ok {
				j.Namespaces[n] = inodeOf(v)
				if v != host[n] {
					j.Own = append(j.Own, n)
				}
			}
		}
		list = append(list, j)
		cur := ""
		if j.Current {
			cur = "*"
		}
		own := strings.Join(j.Own, " ")
		if own == "" {
			own = "(none: all the host's)"
		}
		t.Rows = append(t.Rows, []string{cur, b.Name, strconv.Itoa(b.PID), own})
		t.Mark = append(t.Mark, j.Current)
	}
	if asJSON {
		if list == nil {
			list = []boxJSON{}
		}
		return &result.Result{JSON: map[string]any{"boxes": list}}, nil
	}
	if len(list) == 0 {
		return &result.Result{Text: "no boxes: start one with `box new`"}, nil
	}
	return &result.Result{Table: t}, nil
}

func inodeOf(link string) uint64 {
	i := strings.Index(link, ":[")
	if i < 0 {
		return 0
	}
	n, _ := strconv.ParseUint(strings.TrimSuffix(link[i+2:], "]"), 10, 64)
	return n
}

func (s *Session) namedBox(usage string, args []string, optional bool) (*box.Box, error) {
	if len(args) == 0 && optional {
		return s.box()
	}
	if len(args) != 1 {
		return nil, result.Usagef(usage, "expected one box name")
	}
	b := s.find(args[0])
	if b == nil {
		names := s.BoxNames()
		if len(names) == 0 {
			return nil, &result.UsageError{Msg: fmt.Sprintf("no box named %q: there are no boxes (start one with `box new`)", args[0])}
		}
		return nil, &result.UsageError{Msg: fmt.Sprintf("no box named %q; the boxes are: %s", args[0], strings.Join(names, ", "))}
	}
	return b, nil
}

func boxUse(s *Session, args []string) (*result.Result, error) {
	b, err := s.namedBox("box use NAME", args, false)
	if err != nil {
		return nil, err
	}
	s.Current = b
	return &result.Result{Lines: []result.Line{{Key: b.Name, Value: fmt.Sprintf("PID %d, now the current box", b.PID)}}}, nil
}

func boxKill(s *Session, args []string) (*result.Result, error) {
	b, err := s.namedBox("box kill NAME", args, false)
	if err != nil {
		return nil, err
	}
	s.thaw(b)
	calls, err := b.KillCalls()
	if err != nil {
		return &result.Result{Syscalls: calls}, err
	}
	s.dropGroup(b.Name)
	for i, x := range s.Boxes {
		if x == b {
			s.Boxes = append(s.Boxes[:i], s.Boxes[i+1:]...)
			break
		}
	}
	r := &result.Result{Syscalls: calls}
	s.netAfterKill(b, r)
	if s.Current == b {
		s.Current = nil
		if len(s.Boxes) > 0 {
			s.Current = s.Boxes[len(s.Boxes)-1]
			r.Say("current", "%s", s.Current.Name)
		} else {
			r.Say("current", "no box left: `box new` starts one")
		}
	}
	r.Shell = fmt.Sprintf("kill -KILL %d", b.PID)
	r.Meaning = fmt.Sprintf("%s and the %d process(es) it started are gone; a namespace that no process (and no bind mount or open file) holds any more is freed by the kernel.", b.Name, len(calls)-1)
	return r, nil
}

func boxShow(s *Session, args []string) (*result.Result, error) {
	b, err := s.namedBox("box show [NAME]", args, true)
	if err != nil {
		return nil, err
	}
	l, host, err := s.linksAndHost(b.PID)
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	r.Say("box", "%s, PID %d", b.Name, b.PID)
	if h, err := b.Hostname(); err == nil {
		r.Say("hostname", "%s", h)
	}
	t := &result.Table{Header: []string{"LINK", "NAMESPACE", "HOST'S"}}
	for _, n := range linkOrder() {
		if v, ok := l[n]; ok {
			same := "same"
			if v != host[n] {
				same = "own: " + host[n]
			}
			t.Rows = append(t.Rows, []string{n, v, same})
			t.Mark = append(t.Mark, v != host[n])
		}
	}
	r.Table = t
	for _, p := range s.Proc().Descendants(b.PID) {
		comm, _ := s.Proc().Comm(p)
		r.Say("process", "%d %s (NSpid %s)", p, comm, strings.Join(s.nspid(p), " "))
	}
	return r, nil
}

func onlyJSON(usage string, args []string) (bool, error) {
	asJSON := false
	for _, a := range args {
		if a == "--json" {
			asJSON = true
			continue
		}
		return false, result.Usagef(usage, "unexpected argument %q", a)
	}
	return asJSON, nil
}
