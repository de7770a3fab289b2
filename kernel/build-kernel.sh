#!/usr/bin/env bash
# Builds (once) the kernel that `dsifuzz kernel-replay` boots: Debian's
# linux-source-6.1 from `make tinyconfig` plus kernel/dsifuzz.config (KASAN,
# kmemleak, the DSI core), in a cache outside the source tree keyed by the
# package version and the config, so only the first run pays the minutes.
# Installs the Debian packages it needs when they are missing. Prints the
# build directory (the one to pass as KDIR to run-replay.sh) on stdout.
#   kernel/build-kernel.sh            cache: $DSIFUZZ_CACHE or ~/.cache/dsifuzz
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${DSIFUZZ_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dsifuzz}"
log() { echo "build-kernel: $*" >&2; }

packages=(linux-source-6.1 qemu-system-x86 busybox-static build-essential bc
          bison flex libelf-dev libssl-dev xz-utils kmod)
missing=()
for p in "${packages[@]}"; do
  # Installed, not merely removed with its config files left.
  [[ "$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null)" == "install ok installed" ]] ||
    missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  sudo=()
  ((EUID == 0)) || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq >&2
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

version="$(dpkg-query -W -f '${Version}' linux-source-6.1)"
key="$( (echo "$version"; cat "$here/dsifuzz.config") | sha256sum | cut -c1-12)"
src="$cache/src/linux-source-6.1_$version"
out="$cache/kernel-6.1_$version-$key"
mkdir -p "$cache/src"

exec 9>"$cache/.lock"
flock 9

if [[ ! -f "$src/Makefile" ]]; then
  log "unpacking linux-source-6.1 $version into $src"
  rm -rf "$src.tmp"
  mkdir -p "$src.tmp"
  tar -xf /usr/src/linux-source-6.1.tar.xz -C "$src.tmp" --strip-components=1
  mv "$src.tmp" "$src"
fi

if [[ ! -f "$out/.dsifuzz-built" ]]; then
  log "configuring $out"
  rm -rf "$out"
  mkdir -p "$out"
  make -s -C "$src" O="$out" ARCH=x86_64 tinyconfig >"$out/config.log" 2>&1
  "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" \
    "$here/dsifuzz.config" >/dev/null
  make -s -C "$src" O="$out" ARCH=x86_64 olddefconfig >>"$out/config.log" 2>&1
  # Every option the fragment asks for must have survived olddefconfig.
  while read -r line; do
    [[ "$line" =~ ^CONFIG_([A-Z0-9_]+)=(.*)$ ]] || continue
    name="${BASH_REMATCH[1]}" want="${BASH_REMATCH[2]}"
    if [[ "$want" == n ]]; then
      grep -qx "CONFIG_$name=[ym]" "$out/.config" || continue
    else
      grep -qx "CONFIG_$name=$want" "$out/.config" && continue
    fi
    log "CONFIG_$name=$want did not survive olddefconfig"
    exit 1
  done <"$here/dsifuzz.config"
  log "building (about 3 minutes with 2 cores; log: $out/build.log)"
  start=$(date +%s)
  if ! make -C "$src" O="$out" ARCH=x86_64 -j"$(nproc)" >"$out/build.log" 2>&1; then
    tail -30 "$out/build.log" >&2
    exit 1
  fi
  log "built in $(($(date +%s) - start)) s"
  touch "$out/.dsifuzz-built"
fi
echo "$out"
