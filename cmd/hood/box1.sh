#!/bin/sh
# box1, as hood built it in 1 step (exported 2026-12-02 01:37 UTC).
# Replay it as root, without hood:  sh box1.sh
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
		if [ -n "$c" ]; then p=${c%% *}; continue; fi
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

# 1. hood: unshare uts
# unshare(1) makes the new namespaces (uts) and runs the new stand-in in them.
hold unshare --uts sleep 1000000000
standin $LAST

trap - EXIT INT TERM
echo "box1 is built: its stand-in is PID $BOX."
echo "look inside:  nsenter -t $BOX -a -r -w sh"
if [ -n "$CGS" ]; then
	echo "remove it:    kill -KILL$HELD; sleep 1; rmdir$CGS"
else
	echo "remove it:    kill -KILL$HELD"
fi
