#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Inside an instruction-counting VM (QEMU -icount shift=0,sleep=off, one
# vCPU, or several that take turns: bench/icount.sh --numa): the guest clock
# advances one nanosecond per instruction, so the ns_per_pair that
# mempool_bench.ko prints is instructions per get+put pair.
# Waits for the guest's own start-up work to end first: it would be counted.
args=$(cat /etc/mpool-bench-args 2>/dev/null)
zero_subjects=$(cat /etc/mpool-bench-zero 2>/dev/null)
workloads=$(cat /etc/mpool-bench-workloads 2>/dev/null)

echo "BENCH-INFO,kernel $(uname -r),$(nproc) vCPUs,clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource),cmdline $(cat /proc/cmdline)"
insmod /lib/mpool/mempool.ko || { echo "BENCH-ERROR,insmod mempool.ko failed"; exit 1; }

# Busy and total jiffies of all the CPUs, from /proc/stat.
cpu_times() {
	read -r _ user nice sys idle iowait irq softirq steal _ </proc/stat
	echo "$((user + nice + sys + irq + softirq + steal)) $((user + nice + sys + idle + iowait + irq + softirq + steal))"
}
while [ "$(cut -d. -f1 /proc/uptime)" -lt 8 ]; do sleep 1; done
quiet=0
for _ in $(seq 30); do
	set -- $(cpu_times)
	b0=$1 t0=$2
	sleep 1
	set -- $(cpu_times)
	# At least 95 % idle over that second.
	if [ $(( ($1 - b0) * 100 )) -le $(( ($2 - t0) * 5 )) ]; then
		quiet=1
		break
	fi
done
[ "$quiet" = 1 ] || echo "BENCH-ERROR,the guest never went quiet"
dmesg -c >/dev/null

run() {
	# shellcheck disable=SC2086 # lists of module parameters
	if ! insmod /lib/mpool/mempool_bench.ko workloads="${workloads:-hot}" $args "$@"; then
		echo "BENCH-ERROR,insmod mempool_bench.ko $* failed"
		dmesg | tail -n 5 | sed 's/^/BENCH-DMESG,/'
	fi
	dmesg -c >/tmp/dmesg.txt
	sed -n 's/.*\(BENCH[-A-Z]*,.*\)/\1/p' /tmp/dmesg.txt
	grep -E 'BUG|Oops|WARNING|Call Trace' /tmp/dmesg.txt | sed 's/^/BENCH-DMESG,/'
	rmmod mempool_bench 2>/dev/null
}
run
[ -z "$zero_subjects" ] || run zero=1 subjects="$zero_subjects"

rmmod mempool || echo "BENCH-ERROR,rmmod mempool failed"
echo GUEST-DONE
