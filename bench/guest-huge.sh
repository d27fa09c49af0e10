#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Inside the hugebench VM (bench/huge.sh): two pools of 256 MiB, so the
# caps are raised to fit them.
echo "HUGEBENCH-INFO,$(uname -r),$(nproc) vCPUs,clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource),thp $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
insmod /lib/mpool/mempool.ko max_bytes=$((1 << 30)) max_user_bytes=$((1 << 30)) ||
	{ echo "HUGEBENCH-ERROR,insmod mempool.ko failed"; exit 1; }
# shellcheck disable=SC2046 # READS ROUNDS
mpool-hugebench $(cat /etc/mpool-hugebench-args) || echo "HUGEBENCH-ERROR,mpool-hugebench failed"
dmesg | grep -E 'BUG|Oops|WARNING|Call Trace' | sed 's/^/HUGEBENCH-ERROR,dmesg: /'
rmmod mempool || echo "HUGEBENCH-ERROR,rmmod mempool failed"
echo GUEST-DONE
