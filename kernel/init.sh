#!/bin/busybox sh
# /init of the replay initramfs (busybox): the scenario's setup (insmod), its
# events and teardown (a write to the module's run file), then two kmemleak
# scans for what is left, and a reboot, which ends qemu (-no-reboot).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
# The setup binds nothing, as the model's does.
echo 0 >/sys/bus/platform/drivers_autoprobe
echo 0 >/sys/bus/i2c/drivers_autoprobe
echo "dsifuzz: insmod"
if insmod /dsifuzz_replay.ko; then
  echo 1 >/sys/bus/platform/drivers_autoprobe
  echo 1 >/sys/bus/i2c/drivers_autoprobe
  echo run >/sys/kernel/debug/dsifuzz_replay/run
  # kmemleak reports an object only once it is 5 s old and has been seen
  # unchanged by two scans.
  leaks=/sys/kernel/debug/kmemleak
  if [ -e $leaks ]; then
    sleep 6
    echo scan >$leaks
    echo scan >$leaks
    echo "dsifuzz: kmemleak report"
    cat $leaks
    echo "dsifuzz: kmemleak end"
  fi
fi
echo "dsifuzz: end of run"
reboot -f
