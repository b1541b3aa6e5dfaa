package commands

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"hood/internal/box"
	"hood/internal/caps"
	"hood/internal/kernel/call"
	"hood/internal/kernel/procfs"
	"hood/internal/result"
)

const (
	capsDropUsage = "caps drop CAP...|all"
	capsKeepUsage = "caps keep CAP..."
)

func init() {
	register(
		&Command{UsageLine: capsDropUsage, Short: "the current box gives up capabilities: bounding set (prctl), ambient, then capset(2)",
			Long: `The box drops each capability named (CAP_NET_ADMIN, or net_admin) from
its bounding set with prctl(PR_CAPBSET_DROP, CAP), one call each, so no
program it runs later can get it back (not root, not a setuid or file-
capability binary); lowers it from the ambient set; then takes it out of
its effective, permitted and inheritable sets with one capset(2). The
bounding drops come first: they need CAP_SETPCAP, which capset may drop.
all drops every capability. hood warns first when a capability its own
next steps in the box need is dropped, and says what stops working.`,
			Args: []Arg{ArgWord}, Words: append([]string{"all"}, caps.Names()...), Run: capsDrop},
		&Command{UsageLine: capsKeepUsage, Short: "the current box drops every capability but the ones named",
			Long: `caps drop of every capability the box holds in any set except CAP...:
the way container runtimes start from a short allow-list (Docker keeps 14).`,
			Args: []Arg{ArgWord}, Words: caps.Names(), Run: capsKeep})
}

func capsDrop(s *Session, args []string) (*result.Result, error) {
	drop, err := parseCaps(capsDropUsage, args, true)
	if err != nil {
		return nil, err
	}
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	return s.capsChange(b, drop, nil)
}

func capsKeep(s *Session, args []string) (*result.Result, error) {
	keep, err := parseCaps(capsKeepUsage, args, false)
	if err != nil {
		return nil, err
	}
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	st, err := s.Proc().Status(b.PID)
	if err != nil {
		return nil, err
	}
	var notes []string
	if lost := keep &^ st.CapBnd; lost != 0 {
		notes = append(notes, fmt.Sprintf("%s not in %s's bounding set: nothing can give it back", strings.Join(caps.Decode(lost), ", "), b.Name))
	}
	return s.capsChange(b, (st.CapEff|st.CapPrm|st.CapInh|st.CapBnd|st.CapAmb)&^keep, notes)
}

// capsChange makes box b drop the set drop from all five of its sets.
func (s *Session) capsChange(b *box.Box, drop uint64, notes []string) (*result.Result, error) {
	st, err := s.Proc().Status(b.PID)
	if err != nil {
		return nil, err
	}
	r := &result.Result{}
	for _, n := range notes {
		r.Say("note", "%s", n)
	}
	for _, need := range capsNeeded {
		n, _ := caps.Parse(need.cap)
		if drop&st.CapEff&(1<<n) != 0 {
			r.Text += fmt.Sprintf("warning: without %s, %s will fail with EPERM\n", need.cap, need.what)
		}
	}
	for n := 0; n < 64; n++ {
		if drop&st.CapBnd&(1<<n) == 0 {
			continue
		}
		c, err := b.Prctl(unix.PR_CAPBSET_DROP, uint64(n), 0, 0, call.F(unix.PR_CAPBSET_DROP, "PR_CAPBSET_DROP"), call.F(int64(n), caps.Name(n)))
		if err != nil {
			return nil, err
		}
		r.Add(c)
		if c.Failed() {
			return r, s.capErr(b, c, "prctl", "CAP_SETPCAP")
		}
	}
	if drop == caps.All {
		c, err := b.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, call.F(unix.PR_CAP_AMBIENT, "PR_CAP_AMBIENT"),
			call.F(unix.PR_CAP_AMBIENT_CLEAR_ALL, "PR_CAP_AMBIENT_CLEAR_ALL"), call.I(0), call.I(0), call.I(0))
		if err != nil {
			return nil, err
		}
		if r.Add(c); c.Failed() {
			return r, kernelErr(c, "prctl")
		}
	}
	eff, perm, inh := st.CapEff&^drop, st.CapPrm&^drop, st.CapInh&^drop
	if eff != st.CapEff || perm != st.CapPrm || inh != st.CapInh {
		c, err := b.Capset(eff, perm, inh)
		if err != nil {
			return nil, err
		}
		if r.Add(c); c.Failed() {
			return r, kernelErr(c, "capset")
		}
	}
	after, err := s.Proc().Status(b.PID)
	if err != nil {
		return r, err
	}
	r.Changes = capChanges(s.Proc().Path(b.PID, "status"), st, after)
	if len(r.Changes) == 0 {
		r.Meaning = fmt.Sprintf("%s held none of them: nothing changed.", b.Name)
		return r, nil
	}
	gone := caps.Decode(drop & (st.CapEff | st.CapPrm | st.CapInh | st.CapBnd | st.CapAmb))
	r.Shell = "capsh --drop=" + strings.ToLower(strings.Join(gone, ",")) + " --   # for a new shell: the box changed itself"
	r.Meaning = fmt.Sprintf("%s no longer has %s in any set. What it runs from now on cannot get %s back: the bounding set caps what execve may grant, even to root.",
		b.Name, wordsOf(gone), map[bool]string{true: "it", false: "them"}[len(gone) == 1])
	return r, nil
}

// wordsOf lists names, or says how many when they are many.
func wordsOf(names []string) string {
	if len(names) > 6 {
		return fmt.Sprintf("%d capabilities", len(names))
	}
	return strings.Join(names, ", ")
}

// capChanges are the status lines that changed, before -> after.
func capChanges(path string, before, after procfs.Status) []result.Change {
	var out []result.Change
	b, a := capSets(before), capSets(after)
	for i := range b {
		if b[i][1] != a[i][1] {
			out = append(out, result.Change{Path: path + " " + b[i][0], Before: b[i][1], After: a[i][1] + " (" + a[i][2] + ")"})
		}
	}
	return out
}

// capErr is the error of call c, which the box made: when the kernel
// answered EPERM and the box's effective set lacks capability want, the
// error says so.
func (s *Session) capErr(b *box.Box, c result.Syscall, key, want string) error {
	err := kernelErr(c, key)
	if c.ErrName() != "EPERM" {
		return err
	}
	n, perr := caps.Parse(want)
	st, serr := s.Proc().Status(b.PID)
	if perr != nil || serr != nil || st.CapEff&(1<<n) != 0 {
		return err
	}
	if ke, ok := err.(*result.KernelError); ok {
		ke.Meaning = fmt.Sprintf("%s has no %s (its CapEff, %016x, lacks bit %d), which %s needs; %s", b.Name, want, st.CapEff, n, c.Name, ke.Meaning)
		ke.Fix = fmt.Sprintf("a box that dropped %s cannot take it back: `box new` starts one with all of them", want)
	}
	return err
}
