package commands

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"hood/internal/kernel/cgroup"
	"hood/internal/kernel/devbpf"
	"hood/internal/result"
)

// devices on cgroup v2: hood's device program on a group's v2 directory
// (internal/kernel/devbpf). A group's rules are hood's program from its
// first --bpf rule on (or from the first rule where there is no v1
// devices controller, or where HOOD_DEVICES=bpf).

// devProg is hood's program on one group: the policy it says and the
// kernel's id for it (0: hood has none attached).
type devProg struct {
	policy devbpf.Policy
	id     uint32
}

// devicesBPF reports whether a rule for the group goes to a program: asked
// with --bpf, forced by HOOD_DEVICES=bpf, the group already has hood's
// program, or there is no v1 devices controller to write. err says why
// the program path cannot be taken (no v2 tree).
func (s *Session) devicesBPF(hs []cgroup.Hierarchy, g *cgroup.Group, flag bool) (bool, error) {
	bpf := flag || slices.Contains(s.Env, "HOOD_DEVICES=bpf") || !cgroup.HasV1Devices(hs) ||
		(g != nil && s.devprogs[g] != nil)
	if bpf && !slices.ContainsFunc(hs, func(h cgroup.Hierarchy) bool { return h.Version() == 2 }) {
		return true, errors.New("device programs attach to a cgroup v2 directory, and this machine mounts no cgroup v2 tree (cgroup mode shows what is mounted)")
	}
	return bpf, nil
}

// DevicePolicy is hood's program policy for the group, for lab checks:
// false when the group's rules are not a program of hood's.
func (s *Session) DevicePolicy(g *cgroup.Group) (devbpf.Policy, bool) {
	if p := s.devprogs[g]; p != nil {
		return p.policy, true
	}
	return devbpf.Policy{}, false
}

// devicesProgram adds the rule to hood's policy for the group and replaces
// its program to say it: load the new, attach it, detach the old.
func (s *Session) devicesProgram(r *result.Result, g *cgroup.Group, label string, allow bool, rule cgroup.DeviceRule) error {
	dir, _ := g.V2Dir()
	st := s.devprogs[g]
	if st == nil {
		st = &devProg{policy: devbpf.AllowAll}
	}
	next := st.policy.Add(allow, rule)
	id, calls, err := devbpf.Replace(dir, next, st.id)
	r.Add(calls...)
	if err != nil {
		return callsErr(calls, err, "bpf")
	}
	before := st.policy
	st.policy, st.id = next, id
	if s.devprogs == nil {
		s.devprogs = map[*cgroup.Group]*devProg{}
	}
	s.devprogs[g] = st
	r.Changes = append(r.Changes, result.Change{Path: "hood's device program on " + dir, Before: policyLine(before), After: policyLine(next)})
	r.Shell = fmt.Sprintf("bpftool cgroup tree %s  # to see it; no shell tool builds a device program from rules", dir)
	r.Meaning = programMeaning(label, allow, rule, next, id, before.Empty())
	return nil
}

// policyLine is a policy for Changes: "(no program: every device)" for none.
func policyLine(p devbpf.Policy) string {
	if p.Empty() {
		return "(no program of hood's: every device allowed)"
	}
	return p.String()
}

// programMeaning says what the new program does, in the order it decides.
func programMeaning(label string, allow bool, rule cgroup.DeviceRule, p devbpf.Policy, id uint32, first bool) string {
	how := "hood loaded a program for the whole rule list, attached it beside its old one (BPF_F_ALLOW_MULTI: while both were attached both had to allow) and detached the old one."
	if first {
		how = "hood loaded it and attached it to the group's v2 directory with BPF_F_ALLOW_MULTI, so other programs may sit beside it; until now the group allowed every device."
	}
	if id == 0 {
		return fmt.Sprintf("No rule is left that changes anything, so hood detached its program: %s's group has none of hood's, and a group without a device program allows every device (as far as the programs of its parents allow).", label)
	}
	var now string
	switch {
	case !allow && rule.Type == 'a':
		now = fmt.Sprintf("%s's processes now get EPERM at every open and mknod of a device node; only what you allow from now on gets through.", label)
	case !allow:
		now = fmt.Sprintf("%s's processes now get EPERM for %s: %s.", label, rule.String(), accessWords(rule.Access))
	default:
		now = fmt.Sprintf("%s's processes may now use a %s, as far as every other program on the group and its parents allows.", label, rule.Words())
	}
	return fmt.Sprintf("%s Program id %d says: %s (the first rule that matches decides). %s", now, id, p, how)
}

// devicesPrograms is `devices ls` for a group's v2 directory: every device
// program attached there, decoded.
func (s *Session) devicesPrograms(r *result.Result, g *cgroup.Group, label string) error {
	dir, _ := g.V2Dir()
	progs, calls, err := devbpf.List(dir)
	r.Add(calls...)
	if err != nil {
		return callsErr(calls, err, "bpf")
	}
	mine := uint32(0)
	if st := s.devprogs[g]; st != nil {
		mine = st.id
	}
	t := &result.Table{Header: []string{"program", "rule", "allows"}}
	for _, p := range progs {
		who := fmt.Sprintf("id %d %q", p.ID, p.Name)
		switch {
		case p.ID == mine:
			who += " (hood's)"
		case p.Inherited:
			who += " (a parent's)"
		}
		if p.Err != nil {
			t.Rows = append(t.Rows, []string{who, "(not decoded)", "see its instructions below"})
			t.Mark = append(t.Mark, true)
			r.Say("program", "id %d is not of the shape hood and runc build (%v); its %d instructions, as the kernel holds them:\n%s", p.ID, p.Err, len(p.Insns), p.Insns)
			continue
		}
		for _, rule := range p.Policy.Rules {
			t.Rows = append(t.Rows, []string{who, rule.String(), ruleWords(rule)})
			t.Mark = append(t.Mark, false)
		}
		t.Rows = append(t.Rows, []string{who, "else " + map[bool]string{true: "allow", false: "deny"}[p.Policy.Default], "any other device: " + map[bool]string{true: "allowed", false: "EPERM"}[p.Policy.Default]})
		t.Mark = append(t.Mark, false)
	}
	if len(t.Rows) > 0 {
		r.Table = t
	}
	r.Say("from", "BPF_PROG_QUERY on %s (its own programs, then with BPF_F_QUERY_EFFECTIVE every one that applies), then each program's instructions (BPF_OBJ_GET_INFO_BY_FD), decoded", dir)
	if rules, err := g.DeviceList(); err == nil {
		r.Say("v1", "devices.list of the group applies too, asked after the programs: %s", listLine(rules))
	}
	switch len(progs) {
	case 0:
		r.Meaning = fmt.Sprintf("No device program applies to %s's v2 group, neither its own nor a parent's: it allows every device (the default). cgroup v2 has no devices.list: this is read from the kernel's programs.", label)
	default:
		r.Meaning = fmt.Sprintf("%d device program(s) apply to %s's v2 group (its own, then any of its parents'); the kernel runs them at each open and mknod of a device node. Each program's rules are tried top down and the first that matches decides; with several programs (BPF_F_ALLOW_MULTI) every one must allow, one deny is EPERM. cgroup v2 has no devices.list: these rules are decoded from the instructions.", len(progs), label)
	}
	return nil
}

// ruleWords says what a rule does: "character device 1:3 (read, write): EPERM".
func ruleWords(r devbpf.Rule) string {
	if r.Allow {
		return r.Words() + ": allowed"
	}
	return r.Words() + ": EPERM"
}

// cutFlag takes a flag out of args, wherever it is.
func cutFlag(args []string, flag string) ([]string, bool) {
	out := slices.DeleteFunc(slices.Clone(args), func(a string) bool { return a == flag })
	return out, len(out) != len(args)
}

// joinRule is a rule given quoted (one word) or as its words.
func joinRule(args []string) string { return strings.Join(args, " ") }
