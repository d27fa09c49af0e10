#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Inside the benchmark VM (tests/vm/init runs this with stdout on ttyS1):
# load mempool.ko, run mempool_bench.ko once per workload and copy its BENCH
# lines out of the kernel log, then time the userspace buffer paths. The host
# (bench/run.sh) keeps the lines that start with BENCH.
args=$(cat /etc/mpool-bench-args 2>/dev/null)
workloads=$(cat /etc/mpool-bench-workloads 2>/dev/null)
uops=$(cat /etc/mpool-bench-uops 2>/dev/null)
users=$(cat /etc/mpool-bench-user 2>/dev/null)
mparams=$(cat /etc/mpool-bench-mparams 2>/dev/null)

echo "BENCH-INFO,kernel $(uname -r),$(nproc) vCPUs,cmdline $(cat /proc/cmdline)"
# shellcheck disable=SC2086 # a list of module parameters
insmod /lib/mpool/mempool.ko $mparams || { echo "BENCH-ERROR,insmod mempool.ko failed"; exit 1; }
dmesg -c >/dev/null

# "none": the userspace figures only.
case "$workloads" in
"") workloads="hot bulk16 prodcons miss node_local node_remote" ;;
none) workloads= ;;
esac
for wl in $workloads; do
	# shellcheck disable=SC2086 # $args is a list of module parameters
	if ! insmod /lib/mpool/mempool_bench.ko workloads="$wl" $args; then
		echo "BENCH-ERROR,insmod mempool_bench.ko workloads=$wl failed"
		dmesg | tail -n 5 | sed 's/^/BENCH-DMESG,/'
	fi
	dmesg -c >/tmp/dmesg.txt
	sed -n 's/.*\(BENCH[-A-Z]*,.*\)/\1/p' /tmp/dmesg.txt | tee /tmp/kernel.csv
	# A splat that did not panic the VM (panic_on_warn catches WARN()s) still
	# makes the run suspect: pass it on for the host to judge.
	grep -E 'BUG|Oops|WARNING|Call Trace' /tmp/dmesg.txt | sed 's/^/BENCH-DMESG,/'
	rmmod mempool_bench 2>/dev/null
	# The userspace figures reuse the init_on_alloc setting the module saw.
	[ -n "$ioa" ] || ioa=$(sed -n 's/^BENCH,[^,]*,[^,]*,\([01]\),.*/\1/p' /tmp/kernel.csv | head -n 1)
done

# Without the kernel workloads, the command line says how pages are zeroed.
if [ -z "$ioa" ]; then
	case " $(cat /proc/cmdline) " in *" init_on_alloc=0 "*) ioa=0 ;; *) ioa=1 ;; esac
fi
# Userspace: buffers handed out (ubench), and passed between processes
# (handoff).
for u in ${users:-ubench handoff}; do
	[ -x "/bin/mpool-$u" ] || continue
	"mpool-$u" "$(uname -r)" "$ioa" ${uops:+"$uops"} ||
		echo "BENCH-ERROR,mpool-$u exited $?"
done

rmmod mempool || echo "BENCH-ERROR,rmmod mempool failed"
dmesg -c | grep -E 'BUG|Oops|WARNING|Call Trace' | sed 's/^/BENCH-DMESG,/'
echo GUEST-DONE
