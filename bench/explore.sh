#!/bin/sh
# The explorer's benchmark: states/s and peak memory per depth, as a
# Markdown table (the README's). Each row is its own `dsifuzz explore`
# processes, so its peak RSS is that row's alone; a bounded row is run
# three times and shows the run of median time (wall clock on a shared VM
# moves by tens of percent within minutes), a fixed point once. About 6
# minutes on one core, most of it the fixed points of the four-bridge
# topology without folding (about 70 s and 3.1 GiB; capped at 15 minutes
# and 12 GiB) and of the larger topology (about 25 s; capped at 10 minutes
# and 8 GiB), and the depth-12 rows.
#   bench/explore.sh [DSIFUZZ] [VARIANT]   (default build/bin/dsifuzz, dsifuzz-fix)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/bin/dsifuzz}
variant=${2:-dsifuzz-fix}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "| topology | options | states | transitions | reused | left out | time | states/s | peak RSS | verdict |"
echo "|---|---|---|---|---|---|---|---|---|---|"
run() {  # RUNS TOPOLOGY OPTIONS...
  runs=$1
  topo=$2
  shift 2
  i=1
  : >"$out/times"
  while [ "$i" -le "$runs" ]; do
    "$bin" explore --topology "$root/bench/topologies/$topo.dsi" --variant "$variant" \
      --out "$out/findings" "$@" >"$out/stdout.$i" 2>"$out/stderr.$i" || true
    t=$(sed -n 's/^explore timing: \([0-9.]*\) s.*/\1/p' "$out/stderr.$i")
    echo "${t:-0} $i" >>"$out/times"
    i=$((i + 1))
  done
  # The run of median time.
  m=$(sort -n "$out/times" | sed -n "$(((runs + 1) / 2))p" | cut -d' ' -f2)
  counts=$(sed -n 's/^\([0-9]*\) states, \([0-9]*\) transitions, [0-9]* reached a known state, \([0-9]*\) reused.*, \([0-9]*\) left out.*/\1|\2|\3|\4/p' "$out/stdout.$m")
  timing=$(sed -n 's/^explore timing: \([0-9.]*\) s, \([0-9]*\) states\/s.*peak RSS \(.*\)$/\1 s|\2|\3/p' "$out/stderr.$m")
  verdict=$(grep -E '^(no violation|BUG)' "$out/stdout.$m" | head -1)
  echo "| $topo | ${*:-(to a fixed point)} | $(echo "$counts" | cut -d'|' -f1) | $(echo "$counts" | cut -d'|' -f2) | $(echo "$counts" | cut -d'|' -f3) | $(echo "$counts" | cut -d'|' -f4) | $(echo "$timing" | cut -d'|' -f1) | $(echo "$timing" | cut -d'|' -f2) | $(echo "$timing" | cut -d'|' -f3) | $verdict |"
}
for d in 6 8 10 12; do run 3 seed --depth "$d"; done
run 3 seed
for d in 6 8 10 12; do run 3 four-devm-bridges --depth "$d"; done
run 3 four-devm-bridges --depth 8 --symmetry
run 3 four-devm-bridges --symmetry
run 1 four-devm-bridges --max-seconds 900 --max-memory 12000
for d in 4 6 8 10 12; do run 3 two-hosts-four-peripherals --depth "$d"; done
run 1 two-hosts-four-peripherals --max-seconds 600 --max-memory 8192
