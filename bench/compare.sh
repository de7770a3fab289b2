#!/bin/sh
# Two dsifuzz builds compared on the explorer's benchmark, in interleaved
# runs: on a VM whose speed moves by tens of percent within minutes, runs
# of one build after the other's compare the minutes, not the builds. For
# each depth, RUNS rounds of one run of each build; prints the median and
# fastest time of each, and its new states/s (four devm bridges,
# dsifuzz-fix, one core; the README's table of the profile-guided build).
#   bench/compare.sh OLD NEW [DEPTH:RUNS]...   (default 6:15 8:9 10:5 12:3)
#   bench/compare.sh build/bin/dsifuzz build-pgo/bin/dsifuzz 8:9
set -eu
if [ $# -lt 2 ]; then
  echo "usage: bench/compare.sh OLD NEW [DEPTH:RUNS]..." >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
old=$1
new=$2
shift 2
[ $# -gt 0 ] || set -- 6:15 8:9 10:5 12:3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
topo="$root/bench/topologies/four-devm-bridges.dsi"

# One run: its time and new states, from the timing line and the summary.
run() {  # BIN DEPTH TAG
  "$1" explore --topology "$topo" --variant dsifuzz-fix --depth "$2" \
    --out "$out/findings" >"$out/stdout" 2>"$out/stderr" || {
    echo "compare: $1 failed at depth $2" >&2
    exit 1
  }
  sed -n 's/^explore timing: \([0-9.]*\) s.*/\1/p' "$out/stderr" >>"$out/$3"
  sed -n 's/^\([0-9]*\) states, .*/\1/p' "$out/stdout" >"$out/$3.states"
}
# MEDIAN FASTEST of the times in FILE.
stats() {
  sort -n "$1" | awk '{t[NR] = $1} END {print t[int((NR + 1) / 2)], t[1]}'
}

echo "| depth | runs | $old: median, fastest | $new: median, fastest | change of medians | new states/s ($new, median) |"
echo "|---|---|---|---|---|---|"
for spec in "$@"; do
  depth=${spec%%:*}
  runs=${spec#*:}
  : >"$out/old"
  : >"$out/new"
  i=1
  while [ "$i" -le "$runs" ]; do
    run "$old" "$depth" old
    run "$new" "$depth" new
    i=$((i + 1))
  done
  if ! cmp -s "$out/old.states" "$out/new.states"; then
    echo "compare: the two builds found different state counts at depth $depth" >&2
    exit 1
  fi
  awk -v d="$depth" -v r="$runs" -v o="$(stats "$out/old")" \
    -v n="$(stats "$out/new")" -v s="$(cat "$out/new.states")" 'BEGIN {
      split(o, a, " "); split(n, b, " ")
      printf "| %s | %s | %.3f s, %.3f s | %.3f s, %.3f s | %+.0f%% | %.0f thousand |\n",
        d, r, a[1], a[2], b[1], b[2], 100 * (b[1] - a[1]) / a[1], s / b[1] / 1000 }'
done
