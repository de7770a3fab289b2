#!/bin/sh
# The explorer's benchmark: states/s and peak memory per depth, as a
# Markdown table (the README's). Each row is one `dsifuzz explore` process,
# so its peak RSS is that depth's alone.
#   bench/explore.sh [DSIFUZZ] [VARIANT]   (default build/bin/dsifuzz, dsifuzz-fix)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/bin/dsifuzz}
variant=${2:-dsifuzz-fix}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "| topology | depth | states | transitions | time | states/s | peak RSS | verdict |"
echo "|---|---|---|---|---|---|---|---|"
run() {  # TOPOLOGY DEPTH
  "$bin" explore --topology "$root/bench/topologies/$1.dsi" --variant "$variant" \
    --depth "$2" --out "$out" >"$out/stdout" 2>"$out/stderr" || true
  states=$(sed -n 's/^\([0-9]*\) states, \([0-9]*\) transitions.*/\1 \2/p' "$out/stdout")
  timing=$(sed -n 's/^explore timing: \([0-9.]*\) s, \([0-9]*\) states\/s.*peak RSS \(.*\)$/\1 s|\2|\3/p' "$out/stderr")
  verdict=$(grep -E '^(no violation|BUG)' "$out/stdout" | head -1)
  set -- "$1" "$2" $states
  echo "| $1 | $2 | $3 | $4 | $(echo "$timing" | cut -d'|' -f1) | $(echo "$timing" | cut -d'|' -f2) | $(echo "$timing" | cut -d'|' -f3) | $verdict |"
}
for d in 4 6 8; do run seed "$d"; done
for d in 3 4 5 6; do run two-hosts-four-peripherals "$d"; done
