package commands

import (
	"errors"
	"fmt"
	"strings"

	"hood/internal/kernel/call"
	"hood/internal/kernel/cgroup"
	"hood/internal/result"
)

// devices: the v1 devices controller of the current box's group.

func init() {
	const rules = `RULE is "TYPE MAJOR:MINOR ACCESS": TYPE c (character), b (block) or a
(every device), MAJOR and MINOR numbers or *, ACCESS some of r (read),
w (write), m (mknod). Quote it, as in devices deny 'c 1:3 rw' (/dev/null is
c 1:3). The rule is checked before anything is written; the box's group is
made on first use, as every cgroup command does.

Where the machine has a v1 devices controller, hood writes devices.allow
and devices.deny (and reads devices.list). cgroup v2 has no such files: a
BPF program of type BPF_PROG_TYPE_CGROUP_DEVICE attached to the group
decides, run by the kernel at every open and mknod of a device node. There
(and with --bpf on a machine that has both, or HOOD_DEVICES=bpf) hood keeps
an ordered rule list for the group, newest first, where the first rule that
matches decides (an allow rule when it has every access asked, a deny rule
when it has any) and the default is to allow (until a deny a): each rule you
add makes hood load a new program for the whole list (bpf BPF_PROG_LOAD),
attach it to the group's v2 directory beside the old one (BPF_PROG_ATTACH,
BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI) and detach the old one
(BPF_PROG_DETACH). On a hybrid machine the v2 directory is the box's
hood/BOX in the v2 tree (/sys/fs/cgroup/unified), made with the others.
From a group's first program on, its rules are that program. Device programs need real root: CAP_SYS_ADMIN (or CAP_BPF) in the
initial user namespace.`
	register(
		&Command{UsageLine: "devices deny [--bpf] RULE", Short: "take a device away from the current box's group: devices.deny (v1) or hood's device program (v2)",
			Long: rules + `

A group starts allowing every device (devices.list: a *:* rwm), and a deny
then adds an exception the kernel keeps but does not list. devices deny a
switches the group to deny-everything with an empty list, as container
runtimes do first; what is allowed after that is listed. On v2, deny a
makes the program's default deny and drops the older rules it overrides.`,
			Flags: []string{"--bpf"}, Run: devicesDeny},
		&Command{UsageLine: "devices allow [--bpf] RULE", Short: "give a device back to the current box's group: devices.allow (v1) or hood's device program (v2)",
			Long: rules + `

A v1 group can never allow more than its parent allows: the kernel answers
EPERM. On v2 a parent's programs run too, and each must allow.`,
			Flags: []string{"--bpf"}, Run: devicesAllow},
		&Command{UsageLine: "devices ls [--bpf] [GROUP]", Short: "the device rules of a group, from devices.list (v1) or decoded from its device programs (v2), in words",
			Long: `On v1, devices.list in words. On v2 (or with --bpf, or once the group has
a program of hood's) hood asks the kernel which device programs are
attached to the group's v2 directory (BPF_PROG_QUERY), opens each by id
(BPF_PROG_GET_FD_BY_ID), reads its instructions as the kernel holds them
(BPF_OBJ_GET_INFO_BY_FD) and decodes them back into rules. Programs of the
shape hood and runc build decode; any other is shown as instructions.`,
			Flags: []string{"--bpf"}, Args: []Arg{ArgBox}, Run: devicesList},
	)
}

func devicesDeny(s *Session, args []string) (*result.Result, error) {
	return devicesWrite(s, "devices deny [--bpf] RULE", args, false)
}

func devicesAllow(s *Session, args []string) (*result.Result, error) {
	return devicesWrite(s, "devices allow [--bpf] RULE", args, true)
}

// devicesWrite checks the rule, then writes it to the group's
// devices.allow or devices.deny.
func devicesWrite(s *Session, usage string, args []string, allow bool) (*result.Result, error) {
	args, flag := cutFlag(args, "--bpf")
	if len(args) == 0 {
		return nil, result.Usagef(usage, "name a rule, such as 'c 1:3 rw' (/dev/null)")
	}
	// The rule may come quoted (one word) or as its three words.
	rule, err := cgroup.ParseDeviceRule(joinRule(args))
	if err != nil {
		return nil, &result.UsageError{Msg: err.Error()}
	}
	// Refuse before the group is made where there is nothing to write.
	hs, err := s.hierarchies()
	if err != nil {
		return nil, err
	}
	b, err := s.box()
	if err != nil {
		return nil, err
	}
	bpf, err := s.devicesBPF(hs, s.groups[b.Name], flag)
	if err != nil {
		return nil, err
	}
	r, g, label, err := s.groupResult("")
	if err != nil {
		return r, err
	}
	if bpf {
		return r, s.devicesProgram(r, g, label, allow, rule)
	}
	before, _ := g.DeviceList()
	from := len(r.Syscalls)
	ops, err := g.WriteDeviceRule(allow, rule)
	r.Add(ops...)
	if err != nil {
		return r, errnoErr(err, "devices")
	}
	after, err := g.DeviceList()
	if err != nil {
		return r, errnoErr(err, "devices")
	}
	r.Changes = append(r.Changes, result.Change{Path: "devices.list of " + label, Before: listLine(before), After: listLine(after)})
	r.Shell = call.Shells(r.Syscalls[from:])
	r.Meaning = devicesMeaning(label, allow, rule, after)
	return r, nil
}

// devicesMeaning says what the write did, from what the kernel now lists.
func devicesMeaning(label string, allow bool, rule cgroup.DeviceRule, after []cgroup.DeviceRule) string {
	switch {
	case !allow && rule.Type == 'a':
		return fmt.Sprintf("%s's group now denies every device, and its list is empty: only what you allow from now on is listed. Processes already holding a device open keep it; the check is made at open and mknod.", label)
	case !allow && cgroup.AllowsAll(after):
		return fmt.Sprintf("The kernel took the rule: the processes of %s now get EPERM for %s: %s. devices.list still says a *:* rwm: in allow-everything mode the kernel lists no exceptions (after `devices deny a` it lists what is allowed).", label, rule.String(), accessWords(rule.Access))
	case !allow:
		return fmt.Sprintf("The kernel took the rule: any allow entry covering it was removed or narrowed, so %s's processes get EPERM for %s: %s.", label, rule.String(), accessWords(rule.Access))
	}
	return fmt.Sprintf("The kernel took the rule: %s's processes may now use a %s, as far as the parent allows (devices.list shows what is allowed).", label, rule.Words())
}

// accessWords says what a rule's access letters stop: "rw" is opening
// the device for reading or writing, "m" making a node with mknod.
func accessWords(acc string) string {
	var open []string
	for _, c := range acc {
		switch c {
		case 'r':
			open = append(open, "reading")
		case 'w':
			open = append(open, "writing")
		}
	}
	var w []string
	if len(open) > 0 {
		w = append(w, "opening the device for "+strings.Join(open, " or "))
	}
	if strings.Contains(acc, "m") {
		w = append(w, "making a node for it with mknod")
	}
	return strings.Join(w, ", and ")
}

// listLine is a devices.list on one line; "(empty)" denies everything.
func listLine(rules []cgroup.DeviceRule) string {
	if len(rules) == 0 {
		return "(empty: every device denied)"
	}
	var s []string
	for _, r := range rules {
		s = append(s, r.String())
	}
	return strings.Join(s, " | ")
}

func devicesList(s *Session, args []string) (*result.Result, error) {
	args, flag := cutFlag(args, "--bpf")
	name, err := optionalGroup("devices ls [--bpf] [GROUP]", args)
	if err != nil {
		return nil, err
	}
	hs, err := s.hierarchies()
	if err != nil {
		return nil, err
	}
	r, g, label, err := s.groupResult(name)
	if err != nil {
		return r, err
	}
	if bpf, err := s.devicesBPF(hs, g, flag); err != nil {
		return r, err
	} else if bpf {
		return r, s.devicesPrograms(r, g, label)
	}
	rules, err := g.DeviceList()
	if errors.Is(err, cgroup.ErrNoDevicesV1) {
		return r, err
	}
	if err != nil {
		return r, errnoErr(err, "devices")
	}
	dir, _ := g.DevicesDir()
	t := &result.Table{Header: []string{"rule", "allows"}}
	for _, d := range rules {
		t.Rows = append(t.Rows, []string{d.String(), d.Words()})
		t.Mark = append(t.Mark, false)
	}
	r.Table = t
	r.Say("from", "%s/devices.list", dir)
	if v2, ok := g.V2Dir(); ok {
		r.Say("v2", "device programs attached to %s run too, before this list is asked, and each must allow: `devices ls --bpf` lists them", v2)
	}
	switch {
	case len(rules) == 0:
		r.Meaning = fmt.Sprintf("%s's group allows no device at all: every open or mknod of a device node fails with EPERM.", label)
	case cgroup.AllowsAll(rules):
		r.Meaning = fmt.Sprintf("%s's group is in allow-everything mode. Deny rules written since are exceptions the kernel enforces but does not list here; `devices deny a` switches to deny-everything, where this list is the whole truth.", label)
	default:
		r.Meaning = fmt.Sprintf("%s's group denies every device except these.", label)
	}
	return r, nil
}
