package commands

import (
	"fmt"
	"strings"
	"time"
)

// The fixed parts of an exported script: its opening lesson, the shell
// functions the steps use, and its last lines.

const exportIntro = `# Replay it as root, without hood:  sh %[1]s
# It needs util-linux 2.33 or later (nsenter --all), iproute2 for ip steps.
#
# hood's box was one process that made each call on itself. A running
# process cannot be told from outside to call unshare(2), chroot(2) or
# capset(2), so here a sleeping process stands in for the box ($BOX): a
# step that changed the box itself starts a new stand-in, inside the old
# one's namespaces, root and cgroups (nsenter), with the change applied
# (unshare, chroot, setpriv); every other step acts in the stand-in's
# namespaces with nsenter(1). The box is left running at the end, and the
# script prints how to remove it; if a step fails, or on Ctrl-C, it removes
# everything it made itself. It changes nothing else on the machine.
# What programs did in the box (run, sh) is theirs and stays out, except
# files made in a root of its own (mknod, mkdir, ln, chmod, touch).
set -eu
[ "$(id -u)" = 0 ] || { echo "$0: run me as root" >&2; exit 1; }
HELD=  # the processes this script started
CGS=   # the cgroup directories it made

# hold CMD...: start CMD in the background, away from the terminal.
hold() { "$@" </dev/null >/dev/null 2>&1 & LAST=$!; HELD="$HELD $!"; }

# standin PID: BOX becomes the sleep at the end of PID's children (nsenter
# forks into a PID namespace, unshare --fork forks too): the new stand-in.
standin() {
	p=$1 n=0
	until [ "$(cat /proc/$p/comm 2>/dev/null)" = sleep ]; do
		c=$(cat /proc/$p/task/$p/children 2>/dev/null || :)
		if [ -n "$c" ]; then p=${c%%%% *}; continue; fi
		n=$((n + 1)); [ $n -lt 100 ] || { echo "no stand-in below $1" >&2; return 1; }
		sleep 0.05
	done
	BOX=$p HELD="$HELD $p"
}

cleanup() {
	for d in $CGS; do kill -KILL $(cat "$d/cgroup.procs") 2>/dev/null || :; done
	kill -KILL $HELD 2>/dev/null || :
	for d in $CGS; do
		n=0
		until rmdir "$d" 2>/dev/null || [ ! -d "$d" ] || [ $n -gt 50 ]; do n=$((n + 1)); sleep 0.1; done
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
`

// exportBelow is the function the cgroup steps use.
const exportBelow = `
# below HIERARCHY MOUNT: a directory inside this script's own cgroup in
# that hierarchy (HIERARCHY as in /proc/self/cgroup: pids, cpu,cpuacct, or
# "" for v2), where hood makes its hood/ too: the script makes cgroups only
# below its own. On v2 that cgroup's cgroup.subtree_control must offer the
# controllers the steps write.
below() {
	p=$(awk -F: -v h="$1" '$2 == h { print $3 }' /proc/self/cgroup)
	echo "$2${p%/}/hood-export-$$"
}
`

// exportIncg runs a command in the box's cgroups: the shell that runs it
// (its own PID read from /proc/self, which $$ is not in a subshell) joins
// them, then becomes the command.
const exportIncg = `
# incg CMD...: run CMD in the box's cgroups (the directories in $CGS).
incg() {
	read -r me _ </proc/self/stat
	for d in $CGS; do echo "$me" > "$d/cgroup.procs"; done
	exec "$@"
}
`

const exportEnd = `
trap - EXIT INT TERM
echo "%[1]s is built: its stand-in is PID $BOX."
echo "look inside:  nsenter -t $BOX -a -r -w sh"
if [ -n "$CGS" ]; then
	echo "remove it:    kill -KILL$HELD; sleep 1; rmdir$CGS"
else
	echo "remove it:    kill -KILL$HELD"
fi
`

func exportHead(name, file string, steps int) string {
	return fmt.Sprintf("#!/bin/sh\n# %s, as hood built it in %s (exported %s).\n",
		name, stepCount(steps), time.Now().UTC().Format("2006-01-02 15:04 UTC")) + fmt.Sprintf(exportIntro, sq(file))
}

// sq quotes s for sh when it holds anything but plain word characters.
func sq(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:,=@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func sqAll(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = sq(w)
	}
	return strings.Join(out, " ")
}
