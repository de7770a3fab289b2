#!/bin/sh
# Regenerates the verdict matrix of README.md (between the `matrix:begin`
# and `matrix:end` markers) with `dsifuzz matrix`, after writing to corpus/
# the counterexample of every failing cell the corpus does not hold yet.
#   tools/update-matrix.sh [DSIFUZZ]     (default: build/bin/dsifuzz)
#   tools/update-matrix.sh --check [DSIFUZZ]
# --check writes nothing: it exits 1 when the README's table is not what the
# command prints (the CTest matrix/readme runs this).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
check=0
if [ "${1:-}" = "--check" ]; then
  check=1
  shift
fi
bin=${1:-$root/build/bin/dsifuzz}
cd "$root"
table=$(mktemp)
trap 'rm -f "$table" "$table.readme"' EXIT
if [ "$check" = 1 ]; then
  "$bin" matrix --corpus corpus --format markdown --jobs 2 >"$table" 2>/dev/null
else
  "$bin" matrix --corpus corpus --write corpus --format markdown --jobs 2 \
    >"$table"
fi
awk -v table="$table" '
  /<!-- matrix:begin/ { print; while ((getline line < table) > 0) print line;
                        skip = 1; next }
  /<!-- matrix:end/   { skip = 0 }
  !skip { print }
' README.md >"$table.readme"
if ! grep -q '<!-- matrix:begin' README.md; then
  echo "update-matrix: README.md has no <!-- matrix:begin --> marker" >&2
  exit 2
fi
if [ "$check" = 1 ]; then
  if ! diff -u README.md "$table.readme"; then
    echo "update-matrix: README.md's matrix is stale; run tools/update-matrix.sh" >&2
    exit 1
  fi
  exit 0
fi
cp "$table.readme" README.md
echo "update-matrix: README.md updated"
