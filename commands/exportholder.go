package commands

import (
	"slices"
	"strings"
)

// nsenterNeeds are the capabilities nsenter(1) needs to enter a box that
// has no user namespace of its own: setns(2), -r and the ptrace check on
// /proc/PID/ns of a process with more capabilities than itself.
var nsenterNeeds = []string{"sys_admin", "sys_chroot", "sys_ptrace"}

// replace starts a new stand-in running cmd (then sleep) where the box is
// now, with the privileges the box has, and moves it into the box's
// cgroups. enter are nsenter options that override where the box is.
func (x *script) replace(enter, cmd []string) {
	var words []string
	// In a rootfs the new stand-in starts from busybox, whose setpriv has
	// no --bounding-set: drop it out here, and carry what nsenter needs
	// through execve as inheritable and ambient capabilities, which
	// busybox's setpriv clears inside.
	carry := x.held && x.rooted && len(x.bset) > 0 && !x.own["user"]
	if carry && x.lent {
		x.note("setpriv lends nsenter what it needs to enter and busybox's setpriv takes it back, as before, so the bounding set stays the box's.")
	} else if carry {
		x.note("The box's root is its rootfs, where busybox's setpriv cannot drop a bounding set: setpriv drops it out here, and lends nsenter the capabilities it needs to enter (%s) as inheritable and ambient ones; busybox's setpriv takes them back inside, so sleep gets the bounding set alone.", strings.Join(nsenterNeeds, ", "))
	}
	if carry {
		x.lent = true
		lend := capList("+", nsenterNeeds)
		words = append(words, "setpriv", "--inh-caps="+lend, "--ambient-caps="+lend, "setpriv", "--bounding-set="+strings.Join(x.bset, ","))
	}
	if x.held {
		words = append(words, "nsenter", "-t", `"$BOX"`, "-a")
		if !strings.Contains(strings.Join(enter, " "), "--mount=") {
			words = append(words, "-r", "-w") // the box's root and working directory
		}
		words = append(words, enter...)
	}
	if opts := x.setpriv(carry); len(opts) > 0 {
		words = append(append(words, "setpriv"), opts...)
	}
	words = append(append(words, cmd...), hold)
	if len(x.cg) > 0 && slices.Contains(cmd, "--cgroup") {
		// A new cgroup namespace is rooted where its maker is: join first.
		x.note("The new stand-in joins the box's cgroups before unshare(1) runs, so that its cgroup namespace is rooted there, as the box's was.")
		x.printf("hold incg %s\nstandin $LAST\n", strings.Join(words, " "))
		x.incg = true
	} else {
		x.printf("hold %s\nstandin $LAST\n", strings.Join(words, " "))
	}
	if len(x.cg) > 0 {
		x.printf("for d in $CGS; do echo \"$BOX\" > \"$d/cgroup.procs\"; done  # the box's cgroups\n")
	}
	x.held = true
}

// setpriv are the options of the setpriv that starts a new stand-in, in
// the box's root; carried: the capabilities lent to nsenter to clear.
func (x *script) setpriv(carried bool) []string {
	var o []string
	if !x.own["user"] {
		o = append(o, x.uid...)
	}
	if carried {
		back := capList("-", nsenterNeeds)
		o = append(o, "--ambient-caps="+back, "--inh-caps="+back)
	}
	o = append(o, x.priv...)
	switch {
	case len(x.bset) == 0 || carried:
	case x.rooted:
		x.note("The box dropped capabilities before; this stand-in starts in the rootfs after entering the box's user namespace, which gives it every capability there, and busybox's setpriv cannot drop them: it has them all again.")
	default:
		o = append(o, "--bounding-set="+strings.Join(x.bset, ","))
	}
	return o
}

// capList is caps as setpriv lists them, each with sign: +sys_admin,+sys_chroot.
func capList(sign string, caps []string) string {
	out := make([]string, len(caps))
	for i, c := range caps {
		out[i] = sign + c
	}
	return strings.Join(out, ",")
}
