#!/usr/bin/env bash
# Builds the replay module of one scenario and boots it under qemu.
#   kernel/run-replay.sh KDIR WORK [TIMEOUT_S]
# KDIR is the kernel build directory that build-kernel.sh printed; WORK holds
# dsifuzz_scenario.h (written by `dsifuzz kernel-replay`). Leaves in WORK the
# module, the initramfs and console.log, the serial console of the boot.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kdir="$1"
work="$(cd "$2" && pwd)"
timeout_s="${3:-120}"

cp "$here/module/dsifuzz_replay.c" "$work/"
echo "obj-m := dsifuzz_replay.o" >"$work/Kbuild"
if ! make -s -C "$kdir" M="$work" modules >"$work/module-build.log" 2>&1; then
  cat "$work/module-build.log" >&2
  exit 1
fi

cat >"$work/initramfs.list" <<LIST
dir /bin 0755 0 0
dir /dev 0755 0 0
dir /proc 0755 0 0
dir /sys 0755 0 0
nod /dev/console 0600 0 0 c 5 1
file /bin/busybox /bin/busybox 0755 0 0
slink /bin/sh busybox 0777 0 0
file /init $here/init.sh 0755 0 0
file /dsifuzz_replay.ko $work/dsifuzz_replay.ko 0644 0 0
LIST
"$kdir/usr/gen_init_cpio" "$work/initramfs.list" | gzip -1 >"$work/initramfs.gz"

# oops=panic: a dead task would keep device locks and hang the shutdown.
# kasan.fault=panic, panic_on_warn=1: only the first report is reliable.
# panic=-1 with -no-reboot ends qemu at once. deferred_probe_timeout=-1:
# no timeout work retries deferred probes behind the scenario's back.
cmdline="console=ttyS0 oops=panic panic=-1 panic_on_warn=1 kasan.fault=panic"
cmdline+=" kmemleak=on printk.time=0 deferred_probe_timeout=-1"
rc=0
timeout "$timeout_s" qemu-system-x86_64 -accel tcg -m 512 -smp 1 \
  -nographic -no-reboot -monitor none -serial "file:$work/console.log" \
  -kernel "$kdir/arch/x86/boot/bzImage" -initrd "$work/initramfs.gz" \
  -append "$cmdline" >/dev/null 2>&1 </dev/null || rc=$?
if ((rc == 124)); then
  echo "dsifuzz: qemu timed out after ${timeout_s} s" >>"$work/console.log"
fi
exit 0
