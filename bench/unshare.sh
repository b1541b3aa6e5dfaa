#!/usr/bin/env bash
# Cost of a whole `hood -c 'unshare all'` run (the issue's measure) and of
# `unshare all; run true` against util-linux's unshare
# doing the same: every namespace type, then one process in them.
# Usage: bench/unshare.sh HOOD_BINARY   (as root)
set -euo pipefail
hood=${1:?usage: bench/unshare.sh HOOD_BINARY}
[ "$(id -u)" = 0 ] || { echo "bench/unshare.sh: requires root" >&2; exit 2; }
ref='unshare --user --pid --net --mount --uts --ipc --cgroup --time --fork true'
ours="$hood -c 'unshare all'"
ours_run="$hood -c 'unshare all; run true'"
runs=${RUNS:-200}
if command -v hyperfine >/dev/null; then
  out=$(mktemp)
  trap 'rm -f "$out"' EXIT
  hyperfine -N --warmup 20 --runs "$runs" --export-json "$out" "$ref" "$ours" "$ours_run" >&2
  python3 - "$out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
ref, ours, run = r[0]["mean"], r[1]["mean"], r[2]["mean"]
print(f"unshare(1): {ref*1e3:.2f} ms  hood: {ours*1e3:.2f} ms  hood with run true: {run*1e3:.2f} ms")
print(f"ratio unshare: hood/unshare(1) = {ours/ref:.2f}x (with run true: {run/ref:.2f}x)")
PY
else
  t() { local s e; s=$(date +%s%N); for _ in $(seq "$runs"); do eval "$1" >/dev/null; done; e=$(date +%s%N); echo $(( (e - s) / runs )); }
  a=$(t "$ref"); b=$(t "$ours"); c=$(t "$ours_run")
  echo "unshare(1): $((a/1000)) us  hood: $((b/1000)) us  hood with run true: $((c/1000)) us"
  python3 -c "print(f'ratio unshare: hood/unshare(1) = {$b/$a:.2f}x (with run true: {$c/$a:.2f}x)')"
fi
