#!/usr/bin/env bash
# A failing property in GTest's XML: run the property suite on a kernel
# that breaks host-pairing (pre-attached-flag), and check that the XML's
# failure message holds the shrunk scenario, and that `dsifuzz replay`
# takes that scenario as it is and sees it fail as its expect line says.
#   prop_xml_test.sh PROP_TEST DSIFUZZ
set -euo pipefail
prop=$1
bin=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if DSIFUZZ_PROP_VARIANT=pre-attached-flag RC_PARAMS="seed=1 max_success=200" \
  "$prop" --gtest_filter=Baseline.HostPairingHoldsOnEveryCase \
  --gtest_output="xml:$work/out.xml" >"$work/out.txt" 2>&1; then
  fail "the property held on pre-attached-flag"
fi
python3 - "$work" <<'PY'
import sys, xml.etree.ElementTree as ET
work = sys.argv[1]
failures = ET.parse(f"{work}/out.xml").getroot().findall(".//failure")
assert len(failures) == 1, f"{len(failures)} failures in the XML"
msg = failures[0].get("message")
assert "host-pairing fails: " in msg, msg
scenario = msg[msg.index("# dsifuzz v1\n"):]
scenario = scenario[:scenario.index("\n\n") + 1]
assert "variant pre-attached-flag\n" in scenario and "\nexpect " in scenario, scenario
open(f"{work}/minimal.dsi", "w").write(scenario)
PY
"$bin" replay --quiet "$work/minimal.dsi" >"$work/replay.txt" ||
  fail "the scenario of the XML does not replay as it says: $(cat "$work/replay.txt")"
grep -q ": ok: failed: .*host-pairing" "$work/replay.txt" || fail "$(cat "$work/replay.txt")"
echo "prop xml: $(grep -c . "$work/minimal.dsi") line scenario in the failure, replays"
