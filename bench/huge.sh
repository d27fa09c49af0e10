#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What PMD-mapped buffers save: random 8-byte reads over 256 MiB of leased
# 2 MiB buffers, from a pool created with MPOOL_CREATE_F_HUGE (one PMD per
# buffer) and from one without (512 PTEs per buffer), measured in turns by
# bench/user/hugebench.c. Debian's stock 6.12 kernel, one vCPU, two boots:
# TCG timed by the guest clock, and TCG with -icount shift=0,sleep=off,
# where the guest clock counts instructions (bench/icount.sh). Writes
# hugebench.csv and hugebench.md to BENCH_OUT/hugebench (default
# bench/results/hugebench).
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../tests/vm/lib.sh"

BENCH_DIR=$TOP_DIR/bench
B=${BENCH_WORK:-$BUILD_DIR/hugebench}
READS=${HUGEBENCH_READS:-4000000}
ROUNDS=${HUGEBENCH_ROUNDS:-5}
mkdir -p "$B"

resolve_kernel 6.12
build_modules 6.12 "$B/src"
root=$B/root
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc,lib/mpool}
cp "$B/src/mempool.ko" "$BENCH_DIR/guest-huge.sh" "$root/lib/mpool/"
cc -O2 -std=gnu11 -Wall -Wextra -Werror -static -I"$TOP_DIR/uapi" \
	-o "$root/bin/mpool-hugebench" "$BENCH_DIR/user/hugebench.c"
cp /bin/busybox "$root/bin/busybox"
cp "$VM_DIR/init" "$root/init"
chmod +x "$root/init"
echo huge >"$root/etc/mpool-mode"
echo "$READS $ROUNDS" >"$root/etc/mpool-hugebench-args"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$B/initramfs.cpio.gz"

csv=$B/hugebench.csv
echo "clock,kernel,vcpus,mode,round,ns_per_read,prefault_faults,pmd_maps" >"$csv"
for clock in tcg icount; do
	icount=()
	[ "$clock" = tcg ] || icount=(-icount "shift=0,sleep=off")
	log "[6.12] hugebench boot, $clock"
	BENCH_VM_TIMEOUT=${HUGEBENCH_VM_TIMEOUT:-900} \
		bench_boot "$B" "$clock" '^HUGEBENCH-ERROR' "" "${icount[@]}"
	sed -n "s/^HUGEBENCH,/$clock,/p" "$B/$clock.results.txt" >>"$csv"
done

OUT=${BENCH_OUT:-$BENCH_DIR/results}/hugebench
mkdir -p "$OUT"
cp "$csv" "$OUT/hugebench.csv"
{
	echo "date: $(date -u +'%F %H:%M UTC')"
	echo "host: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1), $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
	echo "qemu: $(qemu-system-x86_64 --version | head -n 1) (TCG, no KVM), -smp 1 -m 1G"
	echo "reads per round: $READS, rounds: $ROUNDS"
	grep -h '^HUGEBENCH-INFO' "$B"/*.results.txt
} >"$OUT/env.txt"
/usr/bin/python3 "$BENCH_DIR/hugebench_report.py" "$OUT/hugebench.csv" >"$OUT/hugebench.md"
cat "$OUT/hugebench.md"
log "wrote $OUT/hugebench.csv and $OUT/hugebench.md"
