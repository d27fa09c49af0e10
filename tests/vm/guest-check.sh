#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Inside the VM: load, test and unload mempool.ko. Prints "RESULT ok|not ok
# NAME" lines and kselftest TAP; the host judges them.
. /lib/mpool/guest-lib.sh

. /etc/mpool-env
kmemleak_clear
# Two nodes turn on automatic NUMA balancing, whose hinting faults on a
# test's own stack and heap (never on a pool's VM_MIXEDMAP mappings, which
# it skips) would count in the minor faults that huge_test and
# export_test measure around a touch of a buffer.
[ ! -w /proc/sys/kernel/numa_balancing ] || echo 0 > /proc/sys/kernel/numa_balancing

# Per-CPU and lock-free code means nothing on one CPU: insist on them all.
[ "$(nproc)" = "$(cat /etc/mpool-vcpus)" ]
result "vcpus-online-$(nproc)" $?
# And the NUMA nodes run.sh asked for, each with its share of them: the
# placement and recycling tests need a second node to mean anything.
nodes=$(cat /etc/mpool-nodes)
per=$(($(cat /etc/mpool-vcpus) / nodes))
n=0
for d in /sys/devices/system/node/node[0-9]*; do
	[ -d "$d" ] || continue
	set -- "$d"/cpu[0-9]*
	[ -e "$1" ] && [ $# = "$per" ] || n=-1000
	n=$((n + 1))
done
[ "$n" = "$nodes" ]
result "numa-nodes-$nodes-of-$per-vcpus" $?

insmod /lib/mpool/mempool.ko
result module-load $?
[ "$(stat -c %a /dev/mempool 2>/dev/null)" = 600 ]
result devnode-mode-0600 $?
[ -d /sys/kernel/debug/mempool ]
result debugfs-dir $?
# vgem (a dma-buf importer), a ram disk, ext2 on it: modules or built in.
load_stock && [ -c /dev/dri/card0 ] && [ -b /dev/ram0 ] && grep -qw ext2 /proc/filesystems
result stock-drivers $?

# Seconds since boot, for the time each suite takes (judge.sh lists them).
uptime_s() { cut -d' ' -f1 /proc/uptime; }

for t in /tests/${MPOOL_ONLY:-*}_test; do
	[ -x "$t" ] || continue
	t0=$(uptime_s)
	"$t"
	echo "KSFT-EXIT ${t##*/} $?"
	echo "TIME ${t##*/} $t0 $(uptime_s)"
done

# --- examples/: each runs as documented and says it passed.
if [ -z "${MPOOL_ONLY:-}" ]; then
/examples/lease-and-fill
result example-lease-and-fill $?
mempoolctl create ex-attach -n 8 >/dev/null &&
	/examples/lease-and-fill ex-attach &&
	mempoolctl destroy ex-attach
result example-lease-and-fill-attach $?
timeout 60 /examples/consumer /tmp/pc.sock &
consumer=$!
timeout 60 /examples/producer /tmp/pc.sock
producer=$?
wait $consumer
[ $? -eq 0 ] && [ "$producer" -eq 0 ]
result example-producer-consumer $?
timeout 60 /examples/dmabuf-consumer /tmp/db.sock &
consumer=$!
timeout 60 /examples/dmabuf-producer /tmp/db.sock
producer=$?
wait $consumer
[ $? -eq 0 ] && [ "$producer" -eq 0 ]
result example-dmabuf-producer-consumer $?
insmod /lib/mpool/mpool_example.ko
result example-kmod-load $?
dmesg | grep -q 'mpool_example: pass: '
result example-kmod-pass-line $?
rmmod mpool_example && dmesg | grep -q 'mpool_example: unloaded'
result example-kmod-unload $?
# --- end examples

if [ -f /lib/mpool/mempool_kunit.ko ]; then
	t0=$(uptime_s)
	insmod /lib/mpool/mempool_kunit.ko $(cat /etc/mpool-kunit-args 2>/dev/null)
	result kunit-load $?
	echo "TIME kunit $t0 $(uptime_s)"
	rmmod mempool_kunit
	result kunit-unload $?
fi
fi

# An open session pins the module.
exec 3</dev/mempool
! rmmod mempool 2>/dev/null
result unload-refused-while-open $?
exec 3<&-

rmmod mempool
result module-unload $?

# --- userspace (libmempool, mempoolctl): with the module gone, the tool
# says so in one line and exits 1.
out=$(mempoolctl info 2>&1)
rc=$?
[ "$rc" -eq 1 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] &&
	echo "$out" | grep -q 'is mempool.ko loaded?'
result mempoolctl-says-module-not-loaded $?
# --- end userspace

kmemleak_check kmemleak-clean
echo GUEST-DONE
