package commands

import (
	"fmt"
	"strings"

	"hood/internal/caps"
	"hood/internal/kernel/procfs"
	"hood/internal/result"
)

func init() {
	register(&Command{UsageLine: "caps [TARGET]", Short: "the five capability sets of a box (or host, or PID), by name, with no_new_privs",
		Long: `Reads CapPrm, CapEff, CapInh, CapBnd and CapAmb from /proc/TARGET/status
(the current box's by default) and decodes each hex mask into capability
names: bit N is capability N (explain CAP_NET_ADMIN says what one unlocks).
Also NoNewPrivs. When TARGET is in a user namespace of its own, its
capabilities count in that namespace only: full powers over what the
namespace owns, none over the host's. The securebits flags are not in
/proc (only prctl(PR_GET_SECUREBITS) by the process itself reads them), so
hood does not show them.`,
		Args: []Arg{ArgTarget}, Run: capsShow})
}

// capSets are the five sets of a status file, in the order caps shows them.
func capSets(st procfs.Status) [][3]string {
	row := func(name, field string, v uint64, what string) [3]string {
		return [3]string{name + " (" + field + ")", fmt.Sprintf("%016x", v), caps.Words(v) + what}
	}
	return [][3]string{
		row("effective", "CapEff", st.CapEff, ""),
		row("permitted", "CapPrm", st.CapPrm, ""),
		row("inheritable", "CapInh", st.CapInh, ""),
		row("bounding", "CapBnd", st.CapBnd, ""),
		row("ambient", "CapAmb", st.CapAmb, ""),
	}
}

func capsShow(s *Session, args []string) (*result.Result, error) {
	tg, err := s.optionalTarget("caps [TARGET]", args)
	if err != nil {
		return nil, err
	}
	st, err := s.Proc().Status(tg.PID)
	if err != nil {
		return nil, err
	}
	r := &result.Result{Table: &result.Table{Header: []string{"set", "hex", "capabilities"}}}
	for _, row := range capSets(st) {
		r.Table.Rows = append(r.Table.Rows, row[:])
	}
	r.Say("no_new_privs", "%v (NoNewPrivs: %d)", st.NoNewPrivs, b2i(st.NoNewPrivs))
	r.Say("securebits", "not shown: /proc has no field for them, and prctl(PR_GET_SECUREBITS) reads only the caller's own")
	mine, host, err := s.linksAndHost(tg.PID)
	if err == nil && mine["user"] != host["user"] {
		r.Say("counted in", "%s, %s's own user namespace (the host's is %s): they act on what that namespace owns (its namespaces, files of IDs mapped into it) and give nothing over the host's", mine["user"], tg.Label, host["user"])
	} else if err == nil {
		r.Say("counted in", "%s, the host's user namespace: they act on the whole machine", mine["user"])
	}
	r.Shell = fmt.Sprintf("grep -E 'Cap|NoNewPrivs' /proc/%d/status; capsh --decode=%016x", tg.PID, st.CapEff)
	r.Meaning = fmt.Sprintf("%s may use %s now (effective).", tg.Label, caps.Words(st.CapEff))
	return r, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// parseCaps reads CAP... (or "all" when all is true) into a set.
func parseCaps(usage string, args []string, all bool) (uint64, error) {
	if len(args) == 0 {
		return 0, result.Usagef(usage, "name one or more capabilities, such as CAP_NET_ADMIN")
	}
	if all && len(args) == 1 && strings.EqualFold(args[0], "all") {
		return caps.All, nil
	}
	var set uint64
	for _, a := range args {
		n, err := caps.Parse(a)
		if err != nil {
			return 0, &result.UsageError{Msg: err.Error()}
		}
		set |= 1 << n
	}
	return set, nil
}

// capsNeeded are the capabilities hood's own next steps in a box need,
// and what stops working without them.
var capsNeeded = []struct {
	cap  string
	what string
}{
	{"CAP_SYS_ADMIN", "unshare (all but user), mount, umount, pivot_root, hostname and enter (setns) in this box"},
	{"CAP_SETUID", "running programs as another user (setresuid) and box users"},
	{"CAP_SETGID", "setgroups and setresgid for box users"},
	{"CAP_NET_ADMIN", "interface, address and route changes the box makes itself (run ip ...)"},
	{"CAP_SYS_CHROOT", "chroot and chroot --escape"},
	{"CAP_SETPCAP", "further caps drop/keep (PR_CAPBSET_DROP needs it)"},
	{"CAP_MKNOD", "mknod of device nodes in this box (run mknod, the devices lab's checks)"},
}
