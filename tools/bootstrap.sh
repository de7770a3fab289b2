#!/usr/bin/env bash
# Installs the missing Debian 12 packages dsifuzz needs, then configures and
# builds it.
#   tools/bootstrap.sh [CMAKE_ARGS...]      build into $BUILD_DIR (./build)
#   BUILD_DIR=build-asan tools/bootstrap.sh -DDSIFUZZ_SANITIZE=ON
#   TARGETS=dsifuzz tools/bootstrap.sh      only those targets (all by default)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"

PACKAGES=(build-essential cmake g++ librapidcheck-dev libgtest-dev libabsl-dev
          libbenchmark-dev nlohmann-json3-dev libxxhash-dev pkg-config
          clang-format python3-jsonschema)

missing=()
for pkg in "${PACKAGES[@]}"; do
  # Installed, not merely removed with its config files left (dpkg -s
  # succeeds for those too).
  [[ "$(dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null)" == "install ok installed" ]] ||
    missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}"
  sudo=()
  if ((EUID != 0)); then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "bootstrap: need root or sudo to install: ${missing[*]}" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
targets=()
for t in ${TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$BUILD_DIR" -j"$(nproc)" "${targets[@]}"
