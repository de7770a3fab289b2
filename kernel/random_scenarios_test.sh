#!/bin/sh
# kernel/random-scenarios.py: the same seed writes the same files, each
# with 3 to 14 events, every file replays on the model, and a directory
# that holds scenarios already is refused. With `kernel`, the files are
# then replayed on the real kernel too, which must agree with the model.
#   kernel/random_scenarios_test.sh DSIFUZZ WORK [kernel]
set -eu
bin=$1
work=$2
script=$(cd "$(dirname "$0")" && pwd)/random-scenarios.py
rm -rf "$work"
mkdir -p "$work"
fail() {
  echo "random_scenarios_test: $*" >&2
  exit 1
}
count=6
[ "${3:-}" = kernel ] && count=10
"$script" --dsifuzz "$bin" --seed 7 --count "$count" "$work/a"
"$script" --dsifuzz "$bin" --seed 7 --count "$count" "$work/b"
diff -r "$work/a" "$work/b" || fail "the same seed wrote other files"
[ "$(ls "$work/a" | wc -l)" -eq "$count" ] || fail "not $count files"
for f in "$work/a"/*.dsi; do
  n=$(grep -cvE '^(#|device )' "$f")
  [ "$n" -ge 3 ] && [ "$n" -le 14 ] || fail "$f: $n events"
done
# 0 or 1 (a property failed); 2 is a file or event the model refuses.
status=0
"$bin" replay --quiet "$work/a" >"$work/replay.out" 2>&1 || status=$?
[ "$status" -le 1 ] || { cat "$work/replay.out" >&2; fail "a file does not replay"; }
if "$script" --dsifuzz "$bin" --count 1 "$work/a" 2>"$work/err"; then
  fail "a directory with scenarios was filled again"
fi
grep -q "already holds scenarios" "$work/err" || fail "no reason given"
if [ "${3:-}" = kernel ]; then
  "$bin" kernel-replay --work "$work/kernel" "$work/a"
fi
echo "random_scenarios_test: ok"
