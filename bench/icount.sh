#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Instructions per get+put pair, counted rather than timed: QEMU with
# -icount shift=0,sleep=off and one vCPU advances the guest clock one
# nanosecond per executed instruction (the stock 6.12 guest runs its tsc
# clocksource at 1 GHz), so mempool_bench.ko's ns_per_pair is an instruction
# count, the same from boot to boot whatever else the host runs.
#
#   bench/icount.sh             every subject, 64 B and 4 KiB, init_on_alloc
#                               0 and 1, ICOUNT_BOOTS boots of each (default
#                               2, to show the boot-to-boot spread); the mpool
#                               engines once more with MPOOL_F_ZERO. Writes
#                               icount.csv and icount.md to BENCH_OUT (default
#                               bench/results/).
#   bench/icount.sh --budget N  make check: one boot, the engines at 64 B,
#                               init_on_alloc=0; fails if the percpu engine's
#                               pair costs more than N instructions.
#   bench/icount.sh --numa      remote-node against local-node recycling:
#                               one boot of 4 vCPUs as two nodes, the
#                               node_local and node_remote workloads (their
#                               two sides take turns, so one vCPU runs at a
#                               time and the count is still instructions),
#                               64 B, init_on_alloc=0. Writes
#                               icount-numa.csv to BENCH_OUT.
#
# Debian's stock 6.12 kernel, booted with slab_nomerge so that the benchmark's
# kmem_cache is a cache of its own, not an alias of kmalloc-64.
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../tests/vm/lib.sh"

BENCH_DIR=$TOP_DIR/bench
B=${BENCH_WORK:-$BUILD_DIR/icount}
budget='' numa=''
if [ "${1:-}" = --budget ]; then
	budget=${2:?--budget needs a number of instructions}
	B=$B-budget
elif [ "${1:-}" = --numa ]; then
	numa=1
	B=$B-numa
fi
mkdir -p "$B"

resolve_kernel 6.12
build_modules 6.12 "$B/src"
log "[6.12] building mempool_bench.ko"
make -C "$KDIR" M="$B/src/bench/kmod" W=1 \
	KBUILD_EXTRA_SYMBOLS="$B/src/Module.symvers" modules >"$B/bench-kmod.log" 2>&1 ||
	{ cat "$B/bench-kmod.log" >&2; die "mempool_bench.ko build failed"; }
! grep -E 'warning:|error:' "$B/bench-kmod.log" >&2 || die "mempool_bench.ko build has warnings"

root=$B/root
rm -rf "$root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc,lib/mpool}
cp "$B/src/mempool.ko" "$B/src/bench/kmod/mempool_bench.ko" "$BENCH_DIR/guest-icount.sh" \
	"$root/lib/mpool/"
cp /bin/busybox "$root/bin/busybox"
cp "$VM_DIR/init" "$root/init"
chmod +x "$root/init"
echo icount >"$root/etc/mpool-mode"
if [ -n "$budget" ]; then
	echo "subjects=percpu,ring,lockfree sizes=64 reps=3 ops=20000" >"$root/etc/mpool-bench-args"
	ioas="0" boots=1
elif [ -n "$numa" ]; then
	echo "subjects=percpu,ring,lockfree,kmem_cache,spinlock sizes=64 reps=3 ops=8192" \
		>"$root/etc/mpool-bench-args"
	echo "node_local,node_remote" >"$root/etc/mpool-bench-workloads"
	ioas="0" boots=1
	mapfile -t BENCH_MACHINE < <(echo -smp; echo 4,sockets=2; echo -m; echo 2G; numa_args 2G 4 2)
else
	echo "sizes=64,4096 reps=${ICOUNT_REPS:-5} ops=${ICOUNT_OPS:-20000}" >"$root/etc/mpool-bench-args"
	echo "percpu,ring,lockfree" >"$root/etc/mpool-bench-zero"
	ioas="0 1" boots=${ICOUNT_BOOTS:-2}
fi
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$B/initramfs.cpio.gz"

csv=$B/icount.csv
echo "boot,init_on_alloc,${numa:+workload,}subject,size,instructions_per_pair" >"$csv"
for ioa in $ioas; do
	for boot in $(seq "$boots"); do
		tag=ioa$ioa-boot$boot
		log "[6.12] icount boot $tag"
		BENCH_VM_TIMEOUT=${ICOUNT_VM_TIMEOUT:-600} bench_boot "$B" "$tag" '^BENCH-(ERROR|DMESG)' \
			"slab_nomerge init_on_alloc=$ioa" -icount shift=0,sleep=off
		# Several vCPUs (--numa): the kernel finds their TSCs unsynchronized
		# and takes the HPET, which QEMU drives from the same counted clock
		# (10 ns steps, over batches of 256 pairs).
		grep -qE "^BENCH-INFO,.*clocksource (tsc${numa:+|hpet})" "$B/$tag.results.txt" ||
			die "icount boot $tag: the guest clock is not the tsc, so ns are not instructions"
		# BENCH,kernel,vcpus,ioa,workload,subject,size,ns_per_pair,...
		awk -F, -v boot="$boot" -v wl="$numa" '$1 == "BENCH" {
			print boot "," $4 "," (wl ? $5 "," : "") $6 "," $7 "," $8 }' \
			"$B/$tag.results.txt" >>"$csv"
	done
done

if [ -n "$budget" ]; then
	cat "$csv" >&2
	got=$(awk -F, '$3 == "percpu" && $4 == 64 { print $5 }' "$csv")
	[ -n "$got" ] || die "no percpu figure"
	if awk -v g="$got" -v b="$budget" 'BEGIN { exit !(g <= b) }'; then
		log "percpu get+put: $got instructions, budget $budget"
	else
		die "percpu get+put: $got instructions, over the budget of $budget"
	fi
	exit 0
fi

OUT=${BENCH_OUT:-$BENCH_DIR/results}
mkdir -p "$OUT"
if [ -n "$numa" ]; then
	cp "$csv" "$OUT/icount-numa.csv"
	grep -h '^BENCH-INFO' "$B"/ioa*-boot1.results.txt >"$OUT/icount-numa-env.txt"
	log "wrote $OUT/icount-numa.csv"
	exit 0
fi
cp "$csv" "$OUT/icount.csv"
grep -h '^BENCH-INFO' "$B"/ioa*-boot1.results.txt >"$OUT/icount-env.txt"
/usr/bin/python3 "$BENCH_DIR/icount_report.py" "$OUT/icount.csv" >"$OUT/icount.md"
log "wrote $OUT/icount.csv and $OUT/icount.md"
