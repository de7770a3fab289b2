#!/usr/bin/env bash
# Checks that every C++ source of the project is clang-formatted.
#   tools/check-format.sh         report offending files, exit 1 if any
#   tools/check-format.sh --fix   rewrite them in place
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

fix=0
case "${1:-}" in
  "") ;;
  --fix) fix=1 ;;
  *) echo "usage: $0 [--fix]" >&2; exit 2 ;;
esac

files=()
while IFS= read -r f; do
  [[ -f "$f" ]] && files+=("$f")  # skip tracked files deleted in the tree
done < <(git ls-files -co --exclude-standard -- \
  model properties shrinkers tools bench | grep -E '\.(cc|h)$' | sort -u)

if ((${#files[@]} == 0)); then
  echo "format ok"
  exit 0
fi

if ((fix)); then
  clang-format -i -- "${files[@]}"
  echo "formatted ${#files[@]} files"
  exit 0
fi

bad=()
for f in "${files[@]}"; do
  if ! clang-format --dry-run -Werror -- "$f" >/dev/null 2>&1; then
    bad+=("$f")
  fi
done

if ((${#bad[@]})); then
  echo "not clang-formatted (run tools/check-format.sh --fix):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
echo "format ok"
