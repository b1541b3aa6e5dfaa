#!/usr/bin/env bash
# nsls.sh HOOD_BINARY: time `hood -c 'ns ls --json'` against `lsns -J` on a
# host loaded with many namespaces, check that both list the same ones, and
# print "ratio nsls: X.Yx" (lsns time / hood time).
#
# The load is NSLS_GROUPS (default 500) groups, each made by
#   unshare --uts --ipc --net sh -c 'sleep 600 & sleep 600 & sleep 600 & exec sleep 600'
# so 4 processes in 3 new namespaces per group: 2,000 processes in 1,500
# namespaces by default. Every PID the script starts is recorded and only
# those are killed on exit, by PID: the machine may be shared.
#
# Needs root, lsns (util-linux), unshare and python3. Uses hyperfine when it
# is installed (apt-get install -y hyperfine), else a loop of NSLS_RUNS runs
# timed with date +%s%N (also when NSLS_NO_HYPERFINE is set).
set -euo pipefail

usage() { echo "usage: $0 HOOD_BINARY" >&2; exit 2; }
[[ $# -eq 1 ]] || usage
hood=$1
[[ -x $hood ]] || { echo "$0: $hood: not an executable" >&2; exit 2; }
[[ $EUID -eq 0 ]] || { echo "$0: needs root (unshare --net, and lsns sees every process only as root)" >&2; exit 2; }
for tool in lsns unshare python3; do
	command -v "$tool" >/dev/null || { echo "$0: $tool not found" >&2; exit 2; }
done

ngroups=${NSLS_GROUPS:-500}
runs=${NSLS_RUNS:-10}
tmp=$(mktemp -d)
pidfile=$tmp/pids  # one line per group: "LEADER SLEEP SLEEP SLEEP"
leaders=()         # the PIDs bash started, one per group

# state PID: the state letter in /proc/PID/stat (R, S, T, Z...), or X when
# the process is gone. Only used on this script's own processes, whose
# names (comm) have no spaces.
state() {
	local s
	read -r _ _ s _ 2>/dev/null <"/proc/$1/stat" || s=X
	echo "$s"
}
running() { [[ $(state "$1") != [ZX] ]]; }

# stop_all PID...: SIGSTOP the processes and wait until they have stopped:
# kill returns before the signal is taken, and a process may still fork.
stop_all() {
	local p i
	kill -STOP "$@" 2>/dev/null || true
	for p in "$@"; do
		for ((i = 0; i < 100; i++)); do
			[[ $(state "$p") == [TtZX] ]] && break
			sleep 0.01
		done
	done
}

# cleanup kills exactly the processes this script started: the leaders
# (bash's own children, whose PIDs cannot be reused before bash reaps them)
# and the sleeps each leader forked, found in the pid file and in the
# leader's /proc children list. Leaders are stopped while their children are
# read so that none forks meanwhile (SIGTERM to a stopped process waits for
# the SIGCONT). A leader caught between bash's fork and its exec may lose
# the signal to bash's own trap, so rounds repeat until every leader is dead.
cleanup() {
	local status=$? pids=() kids=() left=() alive=() l p line round
	trap - EXIT
	trap '' INT TERM
	if ((${#leaders[@]})); then
		alive=("${leaders[@]}")
		for round in $(seq 20); do
			stop_all "${alive[@]}"
			for l in "${alive[@]}"; do
				if [[ -r /proc/$l/task/$l/children ]]; then
					read -r -a kids <"/proc/$l/task/$l/children" || true
					pids+=("${kids[@]}")
				fi
			done
			if [[ -f $pidfile ]]; then
				while read -r -a line; do pids+=("${line[@]}"); done <"$pidfile"
			fi
			mapfile -t pids < <(printf '%s\n' "${leaders[@]}" "${pids[@]}" | sort -un)
			kill -TERM "${pids[@]}" 2>/dev/null || true
			kill -CONT "${alive[@]}" 2>/dev/null || true
			sleep 0.1
			left=()
			for l in "${alive[@]}"; do
				running "$l" && left+=("$l")
			done
			((${#left[@]})) || break
			alive=("${left[@]}")
		done
		if ((${#left[@]})); then
			echo "nsls: ${#left[@]} of our processes ignored SIGTERM, sending SIGKILL" >&2
			kill -KILL "${left[@]}" 2>/dev/null || true
		fi
		wait "${leaders[@]}" 2>/dev/null || true
		# The sleeps are not our children: wait for whoever reaps them, then
		# make sure, by PID and name, that none is left.
		for _ in $(seq 50); do
			left=()
			for p in "${pids[@]}"; do
				[[ $(cat "/proc/$p/comm" 2>/dev/null) == sleep ]] && running "$p" && left+=("$p")
			done
			((${#left[@]})) || break
			sleep 0.1
		done
		if ((${#left[@]})); then
			echo "nsls: ${#left[@]} sleep processes survived SIGTERM, sending SIGKILL" >&2
			kill -KILL "${left[@]}" 2>/dev/null || true
		fi
		echo "nsls: stopped ${#pids[@]} processes" >&2
	fi
	rm -rf "$tmp"
	exit "$status"
}
trap cleanup EXIT

# While starting the load, a signal only sets a flag, checked once the PID
# of the group just started is recorded: a trap running between `&` and
# `leaders+=` would otherwise miss that group.
stop=
trap 'stop=130' INT
trap 'stop=143' TERM

before=$(lsns -n | wc -l)
: >"$pidfile"
echo "nsls: starting $ngroups groups of 4 processes in new uts, ipc and net namespaces" >&2
for ((i = 0; i < ngroups; i++)); do
	unshare --uts --ipc --net sh -c \
		'sleep 600 & a=$!; sleep 600 & b=$!; sleep 600 & echo "$$ $a $b $!" >>"$1"; exec sleep 600' \
		nsls "$pidfile" </dev/null &
	leaders+=("$!")
	[[ -z $stop ]] || exit "$stop"
done
for _ in $(seq 600); do
	ready=$(wc -l <"$pidfile")
	((ready >= ngroups)) && break
	[[ -z $stop ]] || exit "$stop"
	sleep 0.1
done
trap 'exit 130' INT
trap 'exit 143' TERM
[[ -z $stop ]] || exit "$stop"
((ready >= ngroups)) || { echo "nsls: only $ready of $ngroups groups started" >&2; exit 1; }
loaded=$(lsns -n | wc -l)
nprocs=$(ls -d /proc/[0-9]* | wc -l)
echo "nsls: $nprocs processes; lsns lines: $before before, $loaded loaded (+$((loaded - before)))" >&2

# nspairs FILE: the sorted "NS TYPE" pairs of an lsns-style JSON listing.
# lsns nests namespaces under "children" in its default tree; flatten it.
nspairs() {
	python3 -c '
import json, sys
def walk(nodes):
    for n in nodes:
        yield n
        yield from walk(n.get("children") or [])
for n in walk(json.load(open(sys.argv[1]))["namespaces"]):
    print(n["ns"], n["type"])
' "$1" | sort
}

# Both tools must see the same namespaces. Other processes on the host may
# come and go between the two runs, so try a few times before failing.
same=no
for attempt in 1 2 3; do
	lsns -J >"$tmp/lsns.json"
	"$hood" -c 'ns ls --json' >"$tmp/hood.json"
	nspairs "$tmp/lsns.json" >"$tmp/lsns.pairs"
	nspairs "$tmp/hood.json" >"$tmp/hood.pairs"
	if cmp -s "$tmp/lsns.pairs" "$tmp/hood.pairs"; then
		same=yes
		break
	fi
	echo "nsls: attempt $attempt: listings differ (< lsns, > hood):" >&2
	diff "$tmp/lsns.pairs" "$tmp/hood.pairs" | grep '^[<>]' | head -10 >&2 || true
done
[[ $same == yes ]] || { echo "nsls: hood and lsns list different namespaces" >&2; exit 1; }
echo "nsls: both list the same $(wc -l <"$tmp/hood.pairs") namespaces" >&2

hood_cmd="$(printf '%q' "$hood") -c 'ns ls --json' >/dev/null"
lsns_cmd="lsns -J >/dev/null"

# mean_loop N CMD: mean wall time of CMD in seconds over N runs, after one
# warm-up run.
mean_loop() {
	local n=$1 cmd=$2 t0 t1 total=0 i
	eval "$cmd"
	for ((i = 0; i < n; i++)); do
		t0=$(date +%s%N)
		eval "$cmd"
		t1=$(date +%s%N)
		total=$((total + t1 - t0))
	done
	python3 -c 'import sys; print(int(sys.argv[1]) / int(sys.argv[2]) / 1e9)' "$total" "$n"
}

if [[ -z ${NSLS_NO_HYPERFINE:-} ]] && command -v hyperfine >/dev/null; then
	hyperfine --warmup 2 --runs "$runs" --export-json "$tmp/hf.json" "$lsns_cmd" "$hood_cmd" >&2
	read -r lsns_s hood_s < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(r[0]["mean"], r[1]["mean"])' "$tmp/hf.json")
else
	echo "nsls: timing $runs runs of each with date +%s%N (no hyperfine)" >&2
	lsns_s=$(mean_loop "$runs" "$lsns_cmd")
	hood_s=$(mean_loop "$runs" "$hood_cmd")
fi
python3 -c '
import sys
l, h = float(sys.argv[1]), float(sys.argv[2])
print(f"lsns -J:            {l*1000:8.1f} ms")
print(f"hood ns ls --json:  {h*1000:8.1f} ms")
print(f"ratio nsls: {l/h:.1f}x")' "$lsns_s" "$hood_s"
