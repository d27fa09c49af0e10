#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build mempool.ko and the tests for one kernel, boot it in QEMU (software
# emulation, 4 vCPUs), run the suites, and judge everything the VM printed.
# Usage: run.sh KERNEL [MODE]   KERNEL: 6.1 | 6.12 | debug | kcsan
#                                MODE:   check (default) | pressure | demo | shell
# pressure: the shrinker under real memory pressure (guest-pressure.sh), in
# a guest of 256M and 2 vCPUs, one NUMA node.
# Every other mode boots two NUMA nodes, the vCPUs and the RAM split evenly
# between them (vCPUs 0-1 on node 0, 2-3 on node 1), so that placement and
# node-aware recycling are tested on every kernel.
# Environment: MPOOL_MEM (guest RAM, default 2G; 256M for pressure),
# MPOOL_SMP (vCPUs, default 4; 2 for pressure), MPOOL_NODES (NUMA nodes,
# default 2; 1 for pressure; must divide MPOOL_SMP); for pressure also
# MPOOL_PRESSURE_ARGS and MPOOL_PRESSURE_VMSCAN (see below).
# Writes build/KERNEL/summary ("passed failed") and exits non-zero on any
# failure. Logs: build/KERNEL/{console,results}.log (build/KERNEL-pressure/
# for the pressure mode).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kname=${1:?usage: run.sh 6.1|6.12|debug|kcsan [check|pressure|demo|shell]}
mode=${2:-check}
resolve_kernel "$kname"
ksrc=$(kernel_source)

# Every mode builds in the kernel's own copy of the tree (SRC): a pressure
# run after a check run, as make check does them, rebuilds nothing.
SRC=$BUILD_DIR/$kname/src
GUEST_BIN=$BUILD_DIR/guest-bin
case "$mode" in
pressure)
	B=$BUILD_DIR/$kname-pressure
	mem=${MPOOL_MEM:-256M} smp=${MPOOL_SMP:-2} nodes=${MPOOL_NODES:-1}
	;;
*)
	B=$BUILD_DIR/$kname
	mem=${MPOOL_MEM:-2G} smp=${MPOOL_SMP:-4} nodes=${MPOOL_NODES:-2}
	;;
esac
if [ "$nodes" -lt 1 ] || [ $((smp % nodes)) -ne 0 ]; then
	die "MPOOL_NODES=$nodes does not divide MPOOL_SMP=$smp"
fi
rm -rf "$B/root" "$B/summary"
mkdir -p "$SRC" "$B/root"/{bin,dev,proc,sys,tmp,etc,tests,lib/mpool}

build_modules "$kname" "$SRC"
cp "$SRC/mempool.ko" "$B/root/lib/mpool/"
if [ "$mode" = pressure ]; then
	build_extra_module "$kname" "$SRC" tests/pressure
	cp "$SRC/tests/pressure/mempool_pressure.ko" "$B/root/lib/mpool/"
	cc -O2 -std=gnu11 -Wall -Wextra -Werror -static \
		-o "$B/root/bin/mpool-hog" "$TOP_DIR/tests/pressure/hog.c"
else
	[ ! -f "$SRC/mempool_kunit.ko" ] || cp "$SRC/mempool_kunit.ko" "$B/root/lib/mpool/"
	# The examples build beside the selftests: the module one against
	# this kernel's mempool.ko (its Module.symvers), the others static.
	# What runs in userspace does not depend on the kernel: built once
	# into GUEST_BIN for every run of this tree, then copied.
	build_extra_module "$kname" "$SRC" examples/kmod & kmod_example=$!
	make -s -C "$TOP_DIR/examples" OUT="$GUEST_BIN/examples" STATIC=1 >&2 & examples=$!
	make -s -j"$(nproc)" -C "$TOP_DIR/tests/selftests" KSFT_INC="$ksrc/tools/testing/selftests" \
		OUT="$GUEST_BIN/tests" >&2
	wait $examples
	wait $kmod_example
	cp "$SRC/examples/kmod/mpool_example.ko" "$B/root/lib/mpool/"
	# A foreign dma-buf importer, a ram disk and a file system for it.
	stock_modules "$kname" "$B/root/lib/mpool/stock" vgem brd ext4
	cp -a "$GUEST_BIN/tests/." "$B/root/tests/"
	cp -a "$GUEST_BIN/examples" "$B/root/examples"
fi
make -s -C "$TOP_DIR/userspace" OUT="$GUEST_BIN/bin" STATIC=1 >&2
cp -a "$GUEST_BIN/bin/." "$B/root/bin/"

cp /bin/busybox "$B/root/bin/busybox"
cp "$VM_DIR/init" "$B/root/init"
cp "$VM_DIR"/guest-*.sh "$B/root/lib/mpool/"
chmod +x "$B/root/init"
echo "$mode" > "$B/root/etc/mpool-mode"
echo "$smp" > "$B/root/etc/mpool-vcpus"
echo "$nodes" > "$B/root/etc/mpool-nodes"
echo "${MPOOL_KUNIT_ARGS:-}" > "$B/root/etc/mpool-kunit-args"
# mempool_pressure.ko parameters, e.g. MPOOL_PRESSURE_ARGS="hold_every=1":
# every arena pinned, nothing to free, the hog meets the OOM killer.
echo "${MPOOL_PRESSURE_ARGS:-}" > "$B/root/etc/mpool-pressure-args"
# MPOOL_PRESSURE_VMSCAN=1: also print the reclaim trace (guest-pressure.sh).
echo "${MPOOL_PRESSURE_VMSCAN:-}" > "$B/root/etc/mpool-pressure-vmscan"
# Replay a fuzzer run: MPOOL_FUZZ_SEED=<seed printed by fuzz_test> run.sh ...
# Iterate on a few suites: MPOOL_ONLY='export*' runs only the kselftests
# whose names match, without the examples and KUnit (never in make check).
: > "$B/root/etc/mpool-env"
for v in MPOOL_FUZZ_SEED MPOOL_FUZZ_CALLS MPOOL_ONLY; do
	[ -z "${!v:-}" ] || echo "export $v=${!v}" >> "$B/root/etc/mpool-env"
done
(cd "$B/root" && find . | cpio -o -H newc --quiet | gzip -1) > "$B/initramfs.cpio.gz"

# Debug kernels run KASAN + lockdep under emulation: give them time.
case "$kname" in
6.1 | 6.12) limit=${MPOOL_VM_TIMEOUT:-300} extra= ;;
*) limit=${MPOOL_VM_TIMEOUT:-2400} extra="kunit.enable=1" ;;
esac
cmdline="console=ttyS0 panic_on_warn=1 oops=panic panic=-1 $extra ${MPOOL_CMDLINE:-}"
# One socket per vCPU: a kernel without ACPI reads SeaBIOS's MP table,
# which lists only the first CPU of each socket.
qemu=(qemu-system-x86_64 -machine pc -cpu max -smp "$smp,sockets=$smp" -m "$mem"
      -no-reboot -display none -monitor none
      -kernel "$IMAGE" -initrd "$B/initramfs.cpio.gz" -append "$cmdline")
mapfile -t -O "${#qemu[@]}" qemu < <(numa_args "$mem" "$smp" "$nodes")

case "$mode" in
shell) exec "${qemu[@]}" -serial mon:stdio -serial null ;;
demo)
	# A guest that printed nothing never reached the demo's first line
	# (before insmod): the boot failed, not the module. That, and only
	# that, gets one more boot; both say why on stderr.
	for attempt in 1 2; do
		rm -f "$B/console.log" "$B/demo.txt"
		set +o pipefail
		timeout -k 10 "$limit" "${qemu[@]}" -serial "file:$B/console.log" \
			-serial stdio </dev/null | tr -d '\r' | tee "$B/demo.txt"
		rc=${PIPESTATUS[0]}
		set -o pipefail
		# QEMU exits 0 whatever the guest did: the demo's last word decides.
		grep -q '^DEMO OK' "$B/demo.txt" && exit 0
		lines=$(wc -l < "$B/demo.txt")
		echo "demo: no DEMO OK (boot $attempt, qemu exit $rc, $lines lines from" \
			"the guest); the kernel console ($B/console.log) ends:" >&2
		tail -n 40 "$B/console.log" 2>/dev/null | tr -d '\r' >&2
		df -h "$B" >&2
		[ "$lines" -eq 0 ] || exit 1
	done
	exit 1
	;;
esac

# The guest's first words on ttyS1 come before insmod: a guest that said
# nothing there failed to boot, and gets one more boot (as the demo does),
# its kernel console shown; anything later is judged as it is.
for attempt in 1 2; do
	log "[$kname] booting $(basename "$IMAGE") ($mode) with $smp vCPUs, $mem (limit ${limit}s)"
	rm -f "$B/console.log" "$B/results.log"
	start=$(date +%s)
	rc=0
	timeout -k 10 "$limit" "${qemu[@]}" -serial "file:$B/console.log" \
		-serial "file:$B/results.log" </dev/null || rc=$?
	log "[$kname] VM finished in $(( $(date +%s) - start ))s (qemu exit $rc)"
	touch "$B/console.log" "$B/results.log"
	[ "$attempt" = 1 ] && [ ! -s "$B/results.log" ] || break
	log "[$kname] the guest printed no result (boot failed?); its kernel console ends:"
	tail -n 40 "$B/console.log" | tr -d '\r' >&2
done

label=$kname
[ "$mode" = check ] || label+="-$mode"
exec "$VM_DIR/judge.sh" "$label" "$B" "$rc" "$ksrc"
