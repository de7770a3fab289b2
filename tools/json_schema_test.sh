#!/usr/bin/env bash
# The JSON of fuzz, replay, matrix and explore (and the report.json of
# --report) against docs/dsifuzz-output.schema.json; and documents that
# break the schema are refused, so the check can fail.
#   json_schema_test.sh DSIFUZZ SOURCE_DIR
set -euo pipefail
bin=$1
src=$2
schema=$src/docs/dsifuzz-output.schema.json
validate() { python3 "$src/tools/validate_json.py" "$schema" "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

# Each command, with findings (the baseline fails) and without.
"$bin" fuzz --seed 1 --runs 300 --out f1 --json >fuzz.json 2>/dev/null && fail "fuzz found nothing"
"$bin" fuzz --seed 1 --runs 300 --out f2 --json --coverage \
  --topology "$src/bench/topologies/seed.dsi" >fuzz-cov.json 2>/dev/null || true
"$bin" fuzz --seed 1 --runs 100 --out f3 --json --variant dsifuzz-fix >fuzz-clean.json 2>/dev/null ||
  fail "dsifuzz-fix failed"
"$bin" replay --json "$src/corpus" >replay.json 2>replay.err || fail "replay: a corpus mismatch"
"$bin" matrix --runs 100 --variant upstream-6.11 --variant dsifuzz-fix \
  --corpus "$src/corpus" --json >matrix.json 2>/dev/null
"$bin" explore --topology "$src/bench/topologies/seed.dsi" --depth 4 --out e1 \
  --json >explore.json 2>/dev/null || true
"$bin" explore --topology "$src/bench/topologies/seed.dsi" --depth 3 --out e2 \
  --variant dsifuzz-fix --coverage --json >explore-cov.json 2>/dev/null
"$bin" matrix --runs 50 --variant upstream-6.11 --report rep >/dev/null 2>&1
validate fuzz.json fuzz-cov.json fuzz-clean.json replay.json matrix.json \
  explore.json explore-cov.json rep/report.json

# The documents say what they found.
python3 - <<'PY'
import json
fuzz = json.load(open("fuzz.json"))
assert fuzz["findings"], "fuzz.json: no finding"
assert all(f["scenario"].startswith("# dsifuzz v1\n") for f in fuzz["findings"])
cov = json.load(open("fuzz-cov.json"))["coverage"]
assert cov["reachable_transitions"] > 0 and cov["transitions"], cov
replay = json.load(open("replay.json"))
assert replay["counts"]["mismatches"] == 0 and replay["runs"], replay["counts"]
b1 = [r for r in replay["runs"] if r["file"].endswith("b1-devm-bridge-host-first.dsi")
      and r["variant"] == "upstream-6.11"][0]
assert b1["findings"][0]["title"] == "use-after-free in mipi_dsi_detach", b1["findings"][0]
matrix = json.load(open("matrix.json"))
assert matrix["counts"]["failing"] > 0
explore = json.load(open("explore.json"))
assert any(f["title"] == "use-after-free in mipi_dsi_detach" and f["events"] == 3
           for f in explore["findings"]), explore["findings"]
PY

# Broken documents are refused: a missing field, an unknown one, a wrong type.
python3 - <<'PY'
import json
doc = json.load(open("fuzz.json"))
del doc["findings"]
json.dump(doc, open("bad-missing.json", "w"))
doc = json.load(open("replay.json"))
doc["runs"][0]["extra"] = 1
json.dump(doc, open("bad-extra.json", "w"))
doc = json.load(open("matrix.json"))
doc["cells"][0]["verdict"] = "maybe"
json.dump(doc, open("bad-enum.json", "w"))
doc = json.load(open("explore.json"))
doc["version"] = 2
json.dump(doc, open("bad-version.json", "w"))
PY
for bad in bad-missing bad-extra bad-enum bad-version; do
  if validate "$bad.json" 2>"$bad.err"; then fail "$bad.json was accepted"; fi
  grep -q "$bad.json" "$bad.err" || fail "$bad.json: the error does not name the file"
done
echo "json schema: ok"
