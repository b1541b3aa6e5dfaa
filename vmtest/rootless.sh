#!/bin/sh
# The rootless cgroup step of the vmtest VM (plan.sh runs it as root): it
# does by hand what systemd's Delegate= does for user@UID.service or a
# `systemd-run --user --scope -p Delegate=yes` scope, runs hood as an
# ordinary user inside that cgroup, and checks that hood gave back all it
# took. Its status fails the step.
uid=1000 # hoodtest in the VM's /etc/passwd (main.go)
d=/sys/fs/cgroup/user-deleg
home=/tmp/hoodtest
# util-linux's setpriv, by its path: busybox sh runs its own applet of the
# name first, which cannot change uids
setpriv=/usr/bin/setpriv
if [ ! -x $setpriv ]; then
	echo "SKIP: no $setpriv in the VM (the host's util-linux setpriv is copied in when the host has it)"
	exit 0
fi
# the delegation: a child of the root (whose subtree_control init.sh set),
# the directory and the three files a delegate writes chowned to the user
mkdir "$d" || exit 1
chown "$uid:$uid" "$d" "$d/cgroup.procs" "$d/cgroup.subtree_control" "$d/cgroup.threads" || exit 1
echo "delegated $d to uid $uid by hand, as systemd's Delegate= does:"
ls -ld "$d"
ls -l "$d/cgroup.procs" "$d/cgroup.subtree_control" "$d/cgroup.threads"
echo "$d/cgroup.controllers (what its parent hands it): $(cat $d/cgroup.controllers)"
mkdir -p "$home" && chown "$uid:$uid" "$home"

# run CMD... as uid 1000, the only process of $d (a shell moves itself in
# and execs setpriv, which execs hood)
# (asuser_bg: in the background, $! then being hood's PID once it execs;
# outside: as the user, from the root cgroup, as a second terminal would)
asuser() {
	sh -c 'echo $$ >'"$d"'/cgroup.procs && cd '"$home"' && exec '"$setpriv"' --reuid '"$uid"' --regid '"$uid"' --clear-groups env -i HOME='"$home"' PATH=/bin:/usr/bin:/usr/sbin COLUMNS=80 "$@"' sh "$@"
}
asuser_bg() {
	sh -c 'echo $$ >'"$d"'/cgroup.procs && cd '"$home"' && exec '"$setpriv"' --reuid '"$uid"' --regid '"$uid"' --clear-groups env -i HOME='"$home"' PATH=/bin:/usr/bin:/usr/sbin COLUMNS=80 "$@"' sh "$@" &
}
outside() {
	(cd "$home" && exec $setpriv --reuid $uid --regid $uid --clear-groups env -i HOME=$home PATH=/bin:/usr/bin:/usr/sbin COLUMNS=80 "$@")
}
# after each hood: the scope as it was, nothing of hood's left
leftover() {
	bad=0
	for x in "$d"/*/; do
		[ -d "$x" ] && echo "FAIL: hood left the cgroup $x (cgroup.procs: $(cat $x/cgroup.procs | tr '\n' ' '); cgroup.events: $(cat $x/cgroup.events | tr '\n' ' '))" && bad=1
	done
	[ -n "$(cat $d/cgroup.subtree_control)" ] && echo "FAIL: $d/cgroup.subtree_control is still '$(cat $d/cgroup.subtree_control)'" && bad=1
	[ -n "$(cat $d/cgroup.procs)" ] && echo "FAIL: processes left in $d: $(cat $d/cgroup.procs)" && bad=1
	[ $bad = 0 ] && echo "ok: $d has no child cgroup, no controller enabled, no process"
	return $bad
}

rc=0
echo
echo "--- as uid $uid in $d: one box, a memory limit, its group"
asuser hood -c 'box new b1; cgroup set memory.max 50M; cgroup get memory.max; cgroup show; cgroup mode' || rc=1
leftover || rc=1
echo
echo "--- as uid $uid in $d: hood doctor's delegation row and the cgroup labs (its verdicts are not judged here)"
asuser sh -c 'hood doctor; echo "hood doctor: exit status $?"' | grep -E 'delegation|cg-|exit status'
leftover || rc=1
echo
echo "--- as uid $uid in $d: hood killed by SIGKILL holding a group, then hood cleanup"
asuser_bg hood -c 'cgroup set memory.max 50M; run sleep 30' >/tmp/killed.out 2>&1
p=$!
i=0
until [ -d "$d/hood" ] && grep -q . "$d/hood"/*/cgroup.procs 2>/dev/null || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
echo "before the kill: $d/cgroup.subtree_control: $(cat $d/cgroup.subtree_control); its children: $(cd $d && ls -d */ | tr '\n' ' ')"
kill -KILL $p
wait $p 2>/dev/null
outside hood cleanup -v || rc=1
leftover || { rc=1; cat /tmp/killed.out; }
echo
echo "--- as uid $uid in $d: hood lab --check-all"
asuser hood lab --check-all || rc=1
leftover || rc=1
rmdir "$d" || rc=1

# A scope whose parent delegates only memory and pids (systemd's older
# default): hood enables those two, and the cpu lab says cpu is not delegated.
p=/sys/fs/cgroup/user-part
d=$p/deleg
mkdir "$p" && echo "+memory +pids" >"$p/cgroup.subtree_control" && mkdir "$d" || exit 1
chown "$uid:$uid" "$d" "$d/cgroup.procs" "$d/cgroup.subtree_control" "$d/cgroup.threads" || exit 1
echo
echo "--- as uid $uid in $d, whose parent hands it only: $(cat $d/cgroup.controllers)"
asuser hood -c 'cgroup set pids.max 20; cgroup get pids.max' || rc=1
leftover || rc=1
out=$(asuser hood lab --check cg-cpu 2>&1)
echo "$out"
case $out in
*"cpu controller is not delegated"*) ;;
*) echo "FAIL: hood lab --check cg-cpu should say that cpu is not delegated" && rc=1 ;;
esac
leftover || rc=1
rmdir "$d" "$p" || rc=1
exit $rc
