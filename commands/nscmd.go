package commands

import (
	"fmt"
	"strconv"
	"strings"

	"hood/internal/kernel/ns"
	"hood/internal/result"
)

func init() {
	register(
		&Command{UsageLine: "ns ls [--json]", Short: "every namespace on the host: type, inode, number of processes, lowest PID, command (like lsns)",
			Long:  "Reads /proc/PID/ns of every process. --json prints lsns --json's fields\n(ns, type, nprocs, pid, user, command) so the two can be compared.",
			Flags: []string{"--json"}, Run: nsLs},
		&Command{UsageLine: "ns show [TARGET] [--json]", Short: "the /proc/PID/ns links of a box or PID, decoded",
			Args: []Arg{ArgTarget}, Flags: []string{"--json"}, Run: nsShow},
		&Command{UsageLine: "ns compare A B [--json]", Short: "compare the namespaces of two boxes or PIDs (or host, self), one row per type",
			Args: []Arg{ArgTarget, ArgTarget}, Flags: []string{"--json"}, Run: nsCompare},
	)
}

func nsLs(s *Session, args []string) (*result.Result, error) {
	asJSON, err := onlyJSON("ns ls [--json]", args)
	if err != nil {
		return nil, err
	}
	list, err := ns.List(s.ProcRoot)
	if err != nil {
		return nil, err
	}
	if asJSON {
		if list == nil {
			list = []ns.Namespace{}
		}
		return &result.Result{JSON: map[string]any{"namespaces": list}}, nil
	}
	mine := map[string]string{} // "uts:[N]" -> box names holding it
	for _, b := range s.Boxes {
		l, err := s.links(b.PID)
		if err != nil {
			continue
		}
		for _, t := range ns.Types {
			mine[l[t.Name]] += " " + b.Name
		}
	}
	host, _ := s.hostLinks()
	hostSet := map[string]bool{}
	for _, v := range host {
		hostSet[v] = true
	}
	t := &result.Table{Header: []string{"NS", "TYPE", "NPROCS", "PID", "USER", "COMMAND", "BOXES"}}
	for _, n := range list {
		key := fmt.Sprintf("%s:[%d]", n.Type, n.Inode)
		boxes := strings.TrimSpace(mine[key])
		t.Rows = append(t.Rows, []string{strconv.FormatUint(n.Inode, 10), n.Type, strconv.Itoa(n.NProcs), strconv.Itoa(n.PID), n.User, clip(n.Command, 50), boxes})
		// Highlight what the boxes made: namespaces that are not the host's.
		t.Mark = append(t.Mark, boxes != "" && !hostSet[key])
	}
	return &result.Result{Table: t}, nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

type linkJSON struct {
	Link  string `json:"link"`
	Type  string `json:"type"`
	Inode uint64 `json:"inode"`
	Host  bool   `json:"host"` // the same namespace as hood's (the host's)
}

func nsShow(s *Session, args []string) (*result.Result, error) {
	const usage = "ns show [TARGET] [--json]"
	asJSON, words := cutJSON(args)
	tg, err := s.optionalTarget(usage, words)
	if err != nil {
		return nil, err
	}
	ls, err := ns.Show(s.ProcRoot, tg.PID)
	if err != nil {
		return nil, err
	}
	host, err := s.hostLinks()
	if err != nil {
		return nil, err
	}
	var out []linkJSON
	t := &result.Table{Header: []string{"LINK", "TYPE", "INODE", "", "MEANING"}}
	for _, l := range ls {
		if l.Err != nil {
			t.Rows = append(t.Rows, []string{l.Name, l.Type, "?", "", "unreadable: " + l.Err.Error()})
			t.Mark = append(t.Mark, false)
			continue
		}
		v := fmt.Sprintf("%s:[%d]", l.Type, l.Inode)
		same := v == host[l.Name]
		out = append(out, linkJSON{l.Name, l.Type, l.Inode, same})
		where := "host's"
		if !same {
			where = "own"
		}
		tt, _ := ns.Lookup(l.Type)
		meaning := tt.Isolates
		if strings.HasSuffix(l.Name, "_for_children") {
			meaning = "where its next children go"
		}
		t.Rows = append(t.Rows, []string{l.Name, l.Type, strconv.FormatUint(l.Inode, 10), where, meaning})
		t.Mark = append(t.Mark, !same)
	}
	if asJSON {
		return &result.Result{JSON: map[string]any{"target": tg.Label, "pid": tg.PID, "namespaces": out}}, nil
	}
	r := &result.Result{Table: t}
	r.Say(tg.Label, "PID %d: readlink /proc/%d/ns/*", tg.PID, tg.PID)
	r.Shell = fmt.Sprintf("ls -l /proc/%d/ns", tg.PID)
	return r, nil
}

type compareJSON struct {
	Link string `json:"link"`
	A    uint64 `json:"a"`
	B    uint64 `json:"b"`
	Same bool   `json:"same"`
}

func nsCompare(s *Session, args []string) (*result.Result, error) {
	const usage = "ns compare A B [--json]"
	asJSON, words := cutJSON(args)
	if len(words) != 2 {
		return nil, result.Usagef(usage, "name two targets: boxes, PIDs, host or self")
	}
	a, err := s.resolve(words[0])
	if err != nil {
		return nil, err
	}
	b, err := s.resolve(words[1])
	if err != nil {
		return nil, err
	}
	la, err := s.links(a.PID)
	if err != nil {
		return nil, err
	}
	lb, err := s.links(b.PID)
	if err != nil {
		return nil, err
	}
	var out []compareJSON
	t := &result.Table{Header: []string{"LINK", a.Label + " (" + strconv.Itoa(a.PID) + ")", b.Label + " (" + strconv.Itoa(b.PID) + ")", ""}}
	var differ []string
	for _, n := range linkOrder() {
		va, vb := la[n], lb[n]
		if va == "" && vb == "" {
			continue
		}
		same := va == vb
		out = append(out, compareJSON{n, inodeOf(va), inodeOf(vb), same})
		mark := "same"
		if !same {
			mark = "DIFFERENT"
			differ = append(differ, n)
		}
		t.Rows = append(t.Rows, []string{n, va, vb, mark})
		t.Mark = append(t.Mark, !same)
	}
	if asJSON {
		return &result.Result{JSON: map[string]any{"a": map[string]any{"target": a.Label, "pid": a.PID}, "b": map[string]any{"target": b.Label, "pid": b.PID}, "namespaces": out}}, nil
	}
	r := &result.Result{Table: t}
	r.Shell = fmt.Sprintf("for t in %s; do echo $t $(readlink /proc/%d/ns/$t) $(readlink /proc/%d/ns/$t); done", strings.Join(linkOrder(), " "), a.PID, b.PID)
	if len(differ) == 0 {
		r.Meaning = fmt.Sprintf("%s and %s share every namespace: same inodes.", a.Label, b.Label)
	} else {
		r.Meaning = fmt.Sprintf("Different inode, different namespace: %s and %s differ in %s.", a.Label, b.Label, strings.Join(differ, ", "))
	}
	return r, nil
}

// cutJSON takes --json out of the arguments.
func cutJSON(args []string) (asJSON bool, words []string) {
	for _, a := range args {
		if a == "--json" {
			asJSON = true
		} else {
			words = append(words, a)
		}
	}
	return asJSON, words
}
