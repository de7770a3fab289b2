#!/bin/sh
# `dsifuzz kernel-replay --random`: the same seed writes the same files,
# each with 3 to 14 events, every file replays on the model, a directory
# that holds scenarios already is refused, and bad uses are refused. With
# `kernel`, the files are then replayed on the real kernel too, which must
# agree with the model.
#   kernel/random_scenarios_test.sh DSIFUZZ WORK [kernel]
set -eu
bin=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
fail() {
  echo "random_scenarios_test: $*" >&2
  exit 1
}
count=6
[ "${3:-}" = kernel ] && count=10
"$bin" kernel-replay --random "$count" --seed 7 --out "$work/a" --plan >"$work/plan.a"
"$bin" kernel-replay --random "$count" --seed 7 --out "$work/b" --plan >/dev/null
diff -r "$work/a" "$work/b" || fail "the same seed wrote other files"
[ "$(ls "$work/a" | wc -l)" -eq "$count" ] || fail "not $count files"
[ "$(grep -c '^#define DFZ_SCENARIO' "$work/plan.a")" -eq "$count" ] ||
  fail "--plan did not print a header per file"
for f in "$work/a"/*.dsi; do
  n=$(grep -cvE '^(#|device |variant )' "$f")
  [ "$n" -ge 3 ] && [ "$n" -le 14 ] || fail "$f: $n events"
done
"$bin" kernel-replay --random "$count" --seed 8 --out "$work/c" --plan >/dev/null
diff -r "$work/a" "$work/c" >/dev/null && fail "another seed wrote the same files"
# 0 or 1 (a property failed); 2 is a file or event the model refuses.
status=0
"$bin" replay --quiet "$work/a" >"$work/replay.out" 2>&1 || status=$?
[ "$status" -le 1 ] || { cat "$work/replay.out" >&2; fail "a file does not replay"; }
refused() {  # WHAT EXPECTED_MESSAGE ARGS...
  what=$1
  message=$2
  shift 2
  if "$bin" kernel-replay "$@" >/dev/null 2>"$work/err"; then
    fail "$what was accepted"
  fi
  grep -q -e "$message" "$work/err" || { cat "$work/err" >&2; fail "$what: no reason given"; }
}
refused "a second fill" "holds scenarios already" --random 1 --out "$work/a" --plan
refused "--random 0" "--random=0: expected a number from 1" --random 0 --out "$work/d" --plan
refused "--random with files" "takes no FILE" --random 1 --out "$work/d" "$work/a"
refused "--seed without --random" "go with --random" --seed 3 --plan "$work/a"
refused "--max-events 2" "--max-events=2: expected a number from 3" --random 1 --max-events 2 --out "$work/d" --plan
"$bin" kernel-replay --random 2 --max-events 24 --out "$work/long" --plan >/dev/null
grep -q "^# dsifuzz kernel-replay --random: scenario 0 of seed 1, --max-events 24$" "$work/long/r000.dsi" ||
  fail "a --max-events file does not say so"
if [ "${3:-}" = kernel ]; then
  "$bin" kernel-replay --work "$work/kernel" "$work/a" | tee "$work/kernel.out"
  grep -q "^kernel-replay: $count scenarios: $count agree, 0 disagree" "$work/kernel.out" ||
    fail "no tally of $count agreeing scenarios"
fi
echo "random_scenarios_test: ok"
