#!/usr/bin/env bash
# End-to-end test of the dsifuzz command line: exit codes and messages of
# bad usage, a fuzz run that finds the seed use-after-free, findings never
# replaced on a second run, findings that replay as expected, a file
# naming several variants and replay --variant, JSON output, a clean run,
# the matrix, the explorer and kernel-replay's checks that need no kernel.
#
#   tools/cli_test.sh path/to/dsifuzz SCRATCH_DIR
set -uo pipefail

if (($# != 2)); then
  echo "usage: $0 DSIFUZZ SCRATCH_DIR" >&2
  exit 2
fi
dsifuzz=$(realpath -- "$1")
scratch=$2
if [[ ! -x $dsifuzz ]]; then
  echo "$0: $1 is not an executable" >&2
  exit 2
fi
rm -rf -- "$scratch"
mkdir -p -- "$scratch"
cd -- "$scratch" || exit 2

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# run NAME CMD...: runs CMD with stdout to NAME.out and stderr to NAME.err;
# its exit status is left in $rc.
rc=0
run() {
  local name=$1
  shift
  "$@" >"$name.out" 2>"$name.err"
  rc=$?
}

expect_rc() {  # NAME WANT
  if ((rc != $2)); then
    fail "$1: exit status $rc, expected $2"
    sed 's/^/  stdout: /' "$1.out" >&2
    sed 's/^/  stderr: /' "$1.err" >&2
  fi
}

expect_grep() {  # NAME FILE PATTERN
  if ! grep -q -- "$3" "$2"; then
    fail "$1: no line matching '$3' in $2"
    sed 's/^/  /' "$2" >&2
  fi
}

cat >seed.dsi <<'EOF'
# dsifuzz v1
device host0 dsi-controller
device bridge0 i2c-bridge host=host0 style=devm-probe
EOF
cat >alone.dsi <<'EOF'
# dsifuzz v1
device host0 dsi-controller
EOF

# Bad usage: exit 2, with a message on stderr.
run bogus "$dsifuzz" fuzz --bogus
expect_rc bogus 2
expect_grep bogus bogus.err "--bogus"

run runs-abc "$dsifuzz" fuzz --runs=abc
expect_rc runs-abc 2
expect_grep runs-abc runs-abc.err "--runs"

run runs-missing "$dsifuzz" fuzz --runs
expect_rc runs-missing 2
expect_grep runs-missing runs-missing.err "--runs"

run property "$dsifuzz" fuzz --property nope
expect_rc property 2
expect_grep property property.err "--property"

run variant "$dsifuzz" fuzz --variant nope
expect_rc variant 2

run no-topology "$dsifuzz" fuzz --topology does-not-exist.dsi
expect_rc no-topology 2

run replay-none "$dsifuzz" replay
expect_rc replay-none 2

run replay-missing "$dsifuzz" replay does-not-exist.dsi
expect_rc replay-missing 2

run no-command "$dsifuzz"
expect_rc no-command 2

# None of these wrote findings to the default directory.
[[ -e findings ]] && fail "bad usage wrote ./findings"

# The seed topology: the use-after-free is found and shrunk.
run fuzz1 "$dsifuzz" fuzz --seed 3 --runs 300 --topology seed.dsi --out out
expect_rc fuzz1 1
if ! head -n 1 fuzz1.out | grep -q "seed 3"; then
  fail "fuzz1: the first line does not name seed 3"
  head -n 1 fuzz1.out >&2
fi
expect_grep fuzz1 fuzz1.out "^BUG: use-after-free in mipi_dsi_detach "
uaf=out/use-after-free-in-mipi_dsi_detach.dsi
[[ -f $uaf ]] || fail "fuzz1: $uaf was not written"
shopt -s nullglob
first=(out/*.dsi)
((${#first[@]} >= 1)) || fail "fuzz1: no findings written"
rm -rf snapshot && cp -r out snapshot

# A second run into the same directory replaces nothing.
run fuzz2 "$dsifuzz" fuzz --seed 3 --runs 300 --topology seed.dsi --out out
expect_rc fuzz2 1
for f in "${first[@]}"; do
  name=$(basename "$f" .dsi)
  cmp -s "$f" "snapshot/$name.dsi" || fail "fuzz2: $f was changed"
  [[ -f out/$name-2.dsi ]] || fail "fuzz2: out/$name-2.dsi was not written"
  expect_grep fuzz2 fuzz2.out "out/$name-2.dsi"
  # The same finding, but for the path it names.
  if ! diff <(grep -v '^# replay:' "$f") \
            <(grep -v '^# replay:' "out/$name-2.dsi") >/dev/null; then
    fail "fuzz2: out/$name-2.dsi differs from $f"
  fi
done
second=(out/*.dsi)
((${#second[@]} == 2 * ${#first[@]})) ||
  fail "fuzz2: ${#second[@]} files, expected $((2 * ${#first[@]}))"
if compgen -G 'out/.*' >/dev/null; then
  fail "temporary files left in out/: $(ls -A out)"
fi

# Every finding replays as its expect lines say.
run replay "$dsifuzz" replay out
expect_rc replay 0
expect_grep replay replay.out "^BUG: use-after-free in mipi_dsi_detach$"
expect_grep replay replay.out "$uaf: ok: "
if grep -q MISMATCH replay.out; then fail "replay: a mismatch"; fi

run replay-quiet "$dsifuzz" replay --quiet "$uaf"
expect_rc replay-quiet 0
if (($(wc -l <replay-quiet.out) != 1)); then
  fail "replay --quiet: expected one line"
  cat replay-quiet.out >&2
fi

# The replay command line the finding names works as printed.
cmdline=$(sed -n 's/^# replay: dsifuzz //p' "$uaf")
[[ -n $cmdline ]] || fail "no '# replay:' line in $uaf"
# shellcheck disable=SC2086
run replay-named "$dsifuzz" $cmdline
expect_rc replay-named 0

# A finding whose expect lines do not match: exit 1.
sed 's/^expect .*/expect clean/' "$uaf" >mismatch.dsi
run mismatch "$dsifuzz" replay mismatch.dsi
expect_rc mismatch 1
expect_grep mismatch mismatch.out "MISMATCH"

# A file naming two variants: the events run once per variant, in file
# order, each with its header and outcome line; exit 0 only if both match.
cat >multi.dsi <<'EOF'
# dsifuzz v1
variant upstream-6.11
variant tomi-v1
device host0 dsi-controller
device bridge0 i2c-bridge host=host0 style=devm-probe
bind host0
bind bridge0
unbind host0
unbind bridge0
expect upstream-6.11: use-after-free single-release no-warn refcount-balance
expect tomi-v1: clean
EOF
run multi "$dsifuzz" replay multi.dsi
expect_rc multi 0
expect_grep multi multi.out "^== multi.dsi (variant upstream-6.11, 4 events)$"
expect_grep multi multi.out "^== multi.dsi (variant tomi-v1, 4 events)$"
expect_grep multi multi.out "^BUG: use-after-free in mipi_dsi_detach$"
expect_grep multi multi.out "^multi.dsi \[upstream-6.11\]: ok: "
expect_grep multi multi.out "^multi.dsi \[tomi-v1\]: ok: failed: clean; "
if [[ $(grep -c ': ok: ' multi.out) != 2 ]]; then
  fail "multi: expected two outcome lines"
fi
order=$(grep -o '^== multi.dsi (variant [^,]*' multi.out | cut -d' ' -f4 |
  tr '\n' ' ')
[[ $order == "upstream-6.11 tomi-v1 " ]] ||
  fail "multi: variants replayed in the order '$order'"

run multi-quiet "$dsifuzz" replay --quiet multi.dsi
expect_rc multi-quiet 0
if [[ $(head -n 1 multi-quiet.out) != "multi.dsi [upstream-6.11]: ok: "* ||
  $(sed -n 2p multi-quiet.out) != "multi.dsi [tomi-v1]: ok: "* ||
  $(wc -l <multi-quiet.out) != 2 ]]; then
  fail "multi --quiet: expected the two outcome lines alone"
  cat multi-quiet.out >&2
fi

# One variant's outcome does not match: exit 1, and only that line says so.
sed 's/^expect tomi-v1: .*/expect tomi-v1: use-after-free/' multi.dsi \
  >multi-mismatch.dsi
run multi-mismatch "$dsifuzz" replay --quiet multi-mismatch.dsi
expect_rc multi-mismatch 1
expect_grep multi-mismatch multi-mismatch.out \
  "^multi-mismatch.dsi \[upstream-6.11\]: ok: "
expect_grep multi-mismatch multi-mismatch.out \
  "^multi-mismatch.dsi \[tomi-v1\]: MISMATCH: failed: clean; expected: use-after-free$"

# An unqualified expect with two variants: bad input, exit 2, FILE:LINE.
sed 's/^expect tomi-v1: .*/expect clean/' multi.dsi >multi-bad.dsi
run multi-bad "$dsifuzz" replay multi-bad.dsi multi.dsi
expect_rc multi-bad 2
expect_grep multi-bad multi-bad.err "^dsifuzz: multi-bad.dsi:11: an unqualified expect"
expect_grep multi-bad multi-bad.out "^multi.dsi \[tomi-v1\]: ok: "

# --variant V: every file on V alone. A variant the file names is compared
# with its expect line; another one is only reported.
run on-tomi "$dsifuzz" replay --quiet --variant tomi-v1 multi-mismatch.dsi
expect_rc on-tomi 1
expect_grep on-tomi on-tomi.out "^multi-mismatch.dsi \[tomi-v1\]: MISMATCH: "
if (($(wc -l <on-tomi.out) != 1)); then
  fail "replay --variant: expected one outcome line"
  cat on-tomi.out >&2
fi
run on-maxime "$dsifuzz" replay --quiet --variant=maxime multi-mismatch.dsi \
  "$uaf"
expect_rc on-maxime 0
expect_grep on-maxime on-maxime.out \
  "^multi-mismatch.dsi \[maxime\]: ok: .*(not compared: "
expect_grep on-maxime on-maxime.out "^$uaf \[maxime\]: ok: "

run variant-bad "$dsifuzz" replay --variant nope multi.dsi
expect_rc variant-bad 2
expect_grep variant-bad variant-bad.err "--variant=nope: expected one of"
run variant-none "$dsifuzz" replay multi.dsi --variant
expect_rc variant-none 2
expect_grep variant-none variant-none.err "--variant needs a value"

# JSON on stdout, the log on stderr.
run json "$dsifuzz" fuzz --json --seed 3 --runs 300 --topology seed.dsi \
  --out out-json
expect_rc json 1
if ! python3 -m json.tool json.out >/dev/null 2>json-tool.err; then
  fail "json: python3 -m json.tool rejects stdout"
  cat json-tool.err json.out >&2
fi
if ! python3 - json.out <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert "findings" in j, "no findings key"
titles = [f["title"] for f in j["findings"]]
assert "use-after-free in mipi_dsi_detach" in titles, titles
assert j["seed"] == 3, j["seed"]
for f in j["findings"]:
    assert open(f["file"]).read() == f["scenario"], f["file"]
EOF
then
  fail "json: unexpected contents"
fi
expect_grep json json.err "seed 3"

# Nothing can fail on a lone controller: exit 0, nothing written.
run clean "$dsifuzz" fuzz --seed 1 --runs 200 --topology alone.dsi \
  --property use-after-free --out out-clean
expect_rc clean 0
expect_grep clean clean.out "no property failed"
clean_files=(out-clean/*.dsi)
((${#clean_files[@]} == 0)) || fail "clean: findings written"

# Ctrl-C: a long campaign stopped by SIGINT still shrinks and writes what
# it found, says it was interrupted, and exits 1 for the failure.
"$dsifuzz" fuzz --seed 5 --runs 1000000000 --out out-int >int.out 2>int.err &
pid=$!
for _ in $(seq 50); do
  grep -q "^found:" int.out 2>/dev/null && break
  sleep 0.1
done
kill -INT "$pid"
wait "$pid"
rc=$?
((rc == 1)) || fail "sigint: exit $rc, want 1"
expect_grep sigint int.out "(interrupted)"
int_files=(out-int/*.dsi)
[[ -f ${int_files[0]} ]] || fail "sigint: no finding written"

# matrix: bad usage, then a small table in each format and --write.
run matrix-format "$dsifuzz" matrix --format html
expect_rc matrix-format 2
expect_grep matrix-format matrix-format.err "--format"
run matrix-variant "$dsifuzz" matrix --variant nope
expect_rc matrix-variant 2
run matrix-corpus "$dsifuzz" matrix --runs 10 --corpus does-not-exist.dsi
expect_rc matrix-corpus 2
expect_grep matrix-corpus matrix-corpus.err "does-not-exist.dsi"
small=(matrix --variant upstream-6.11 --variant dsifuzz-fix
       --property use-after-free --runs 2000 --seed 3)
run matrix-md "$dsifuzz" "${small[@]}" --format markdown
expect_rc matrix-md 0
expect_grep matrix-md matrix-md.out "^| \`upstream-6.11\` | use-after-free in mipi_dsi_detach (3) |"
expect_grep matrix-md matrix-md.out "^| \`dsifuzz-fix\` | ok |"
run matrix-json "$dsifuzz" "${small[@]}" --format json
expect_rc matrix-json 0
expect_grep matrix-json matrix-json.out '"verdict": "fail"'
run matrix-write "$dsifuzz" "${small[@]}" --write cells
expect_rc matrix-write 0
cells=(cells/*.dsi)
if [[ -f ${cells[0]} ]]; then
  run matrix-replay "$dsifuzz" replay --quiet cells
  expect_rc matrix-replay 0
  expect_grep matrix-replay matrix-replay.out "\[dsifuzz-fix\]: ok: failed: clean"
  # The written file now holds the cell.
  run matrix-again "$dsifuzz" "${small[@]}" --corpus cells --format markdown
  expect_grep matrix-again matrix-again.out "(\[3\](cells/"
else
  fail "matrix --write wrote no file"
fi

# explore: bad flags, a fixed point, the seed use-after-free written and
# replayed, symmetry, JSON.
printf '# dsifuzz v1\ndevice host0 dsi-controller\ndevice bridge0 i2c-bridge host=host0 style=devm-probe\n' >seed.dsi
run explore-notopo "$dsifuzz" explore
expect_rc explore-notopo 2
expect_grep explore-notopo explore-notopo.err "needs --topology"
run explore-depth "$dsifuzz" explore --topology seed.dsi --depth x
expect_rc explore-depth 2
expect_grep explore-depth explore-depth.err "--depth"
run explore-mem "$dsifuzz" explore --topology seed.dsi --max-memory 0
expect_rc explore-mem 2
expect_grep explore-mem explore-mem.err "--max-memory"
run explore-fix "$dsifuzz" explore --topology seed.dsi --variant dsifuzz-fix --out found
expect_rc explore-fix 0
expect_grep explore-fix explore-fix.out "^no violation at any depth (fixed point at depth [0-9]*)$"
expect_grep explore-fix explore-fix.err "^explore: depth 1 done"
run explore-bug "$dsifuzz" explore --topology seed.dsi --property use-after-free --out found
expect_rc explore-bug 1
expect_grep explore-bug explore-bug.out "^BUG: use-after-free in mipi_dsi_detach  \[use-after-free\] 3 events: found/"
run explore-replay "$dsifuzz" replay --quiet found
expect_rc explore-replay 0
run explore-sym "$dsifuzz" explore --topology seed.dsi --variant dsifuzz-fix --symmetry --json
expect_rc explore-sym 0
expect_grep explore-sym explore-sym.out '"fixed_point": true'
expect_grep explore-sym explore-sym.out '"symmetric_classes": 0'

# kernel-replay without a kernel: bad usage, a malformed file, the plan of
# the seed scenario, and a scenario the kernel cannot express (neither
# boots qemu).
run kr-none "$dsifuzz" kernel-replay
expect_rc kr-none 2
expect_grep kr-none kr-none.err "needs at least one FILE"
run kr-flag "$dsifuzz" kernel-replay --jobs 2 seed.dsi
expect_rc kr-flag 2
expect_grep kr-flag kr-flag.err "unknown flag '--jobs' for kernel-replay"
run kr-novalue "$dsifuzz" kernel-replay --plan --work
expect_rc kr-novalue 2
expect_grep kr-novalue kr-novalue.err "--work needs a value"
run kr-timeout "$dsifuzz" kernel-replay --timeout 1 seed.dsi
expect_rc kr-timeout 2
expect_grep kr-timeout kr-timeout.err "--timeout=1: expected a number from 10"
printf '# dsifuzz v1\ndevice host0 dsi-controller\nbind host1\n' >kr-bad.dsi
run kr-bad "$dsifuzz" kernel-replay --plan kr-bad.dsi
expect_rc kr-bad 2
expect_grep kr-bad kr-bad.err "^dsifuzz: kr-bad.dsi:3: "
printf 'bind host0\nbind bridge0\nunbind host0\nunbind bridge0\n' >>seed.dsi
run kr-plan "$dsifuzz" kernel-replay --plan seed.dsi
expect_rc kr-plan 0
expect_grep kr-plan kr-plan.out '{ DFZ_UNBIND, 1, "unbind bridge0" },'
expect_grep kr-plan kr-plan.out '{ DFZ_REMOVE, 0, "teardown: remove host0" },'
printf '# dsifuzz v1\ndevice host0 dsi-controller\ndevice bridge0 i2c-bridge host=host0\nbind host0\nfail kzalloc\nbind bridge0\n' >kr-fault.dsi
run kr-fault "$dsifuzz" kernel-replay --kdir /nonexistent kr-fault.dsi
expect_rc kr-fault 0
expect_grep kr-fault kr-fault.out "^not expressible: fail kzalloc: "
expect_grep kr-fault kr-fault.out "^kr-fault.dsi: not expressible on the kernel$"

# render: bad usage, and the seed bug's timeline.
run render-none "$dsifuzz" render --svg x.svg
expect_rc render-none 2
expect_grep render-none render-none.err "render needs a FILE"
run render-novalue "$dsifuzz" render seed.dsi --svg
expect_rc render-novalue 2
expect_grep render-novalue render-novalue.err "--svg needs a value"
run render-b1 "$dsifuzz" render seed.dsi --svg seed.svg
expect_rc render-b1 0
expect_grep render-b1 seed.svg 'class="bad-access" data-object="struct mipi_dsi_device#1 (host0.0)" data-event="4"'

# Coverage and the HTML report: bad usage, the table on a fixed topology,
# and a report that cannot be written loses no finding.
printf '# dsifuzz v1\ndevice host0 dsi-controller\ndevice bridge0 i2c-bridge host=host0\n' >seedtopo.dsi
run cov-depth "$dsifuzz" fuzz --coverage-depth 99
expect_rc cov-depth 2
expect_grep cov-depth cov-depth.err "--coverage-depth=99: expected a number from 0 to 12"
run cov-sym "$dsifuzz" explore --topology seedtopo.dsi --coverage --symmetry
expect_rc cov-sym 2
expect_grep cov-sym cov-sym.err "not with --symmetry"
run cov "$dsifuzz" fuzz --seed 1 --runs 3000 --topology seedtopo.dsi --out cov-f --coverage
expect_rc cov 1
expect_grep cov cov.out "^coverage: [0-9]* of [0-9]* (state, event) transitions"
expect_grep cov cov.out "bridge (devm-probe)  *bound; dsi freed, host freed  *unbind  *[1-9]"
touch not-a-dir
run rep-bad "$dsifuzz" fuzz --seed 1 --runs 300 --topology seedtopo.dsi --out rep-f --report not-a-dir/rep
expect_rc rep-bad 2
expect_grep rep-bad rep-bad.err "^dsifuzz: cannot create not-a-dir/rep"
[[ -s rep-f/use-after-free-in-mipi_dsi_detach.dsi ]] || fail "rep-bad: the finding was not written"
run rep "$dsifuzz" explore --topology seedtopo.dsi --depth 4 --out rep-e --report rep-e/html
expect_rc rep 1
expect_grep rep rep.out "^report: rep-e/html/index.html"
expect_grep rep rep-e/html/index.html 'data-title="use-after-free in mipi_dsi_detach"'
# The same run writes the same report, byte for byte.
mkdir -p rep-d1 rep-d2
(cd rep-d1 && "$dsifuzz" fuzz --seed 5 --runs 500 --out f --report r >/dev/null 2>&1)
(cd rep-d2 && "$dsifuzz" fuzz --seed 5 --runs 500 --out f --report r >/dev/null 2>&1)
cmp -s rep-d1/r/index.html rep-d2/r/index.html || fail "rep: two runs wrote different pages"
cmp -s rep-d1/r/report.json rep-d2/r/report.json || fail "rep: two runs wrote different report.json"
grep -q '<article class="finding"' rep-d1/r/index.html || fail "rep: seed 5 found nothing to show"
run replay-json-bad "$dsifuzz" replay --json alone.dsi kr-bad.dsi
expect_rc replay-json-bad 2
expect_grep replay-json-bad replay-json-bad.out '"errors": 1'
expect_grep replay-json-bad replay-json-bad.err "^dsifuzz: kr-bad.dsi:3: "

if ((failures)); then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "cli e2e: all checks passed"
