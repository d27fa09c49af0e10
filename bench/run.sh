#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mempool.ko against the kernel's own pools: `make bench`.
#
# On the host: the userspace harness's native throughput (tests/harness) and
# callgrind instruction counts of the same algorithms. In QEMU (software
# emulation, as everywhere in this project), for each kernel, vCPU count and
# init_on_alloc setting: mempool_bench.ko (bench/kmod) and mpool-ubench
# (bench/user). Then bench/report.py turns the CSVs into tables and plots.
#
# Writes BENCH_OUT (default bench/results/): bench.csv (VM), host.csv
# (host), boots.csv (each boot's time and host load), env.txt, README.md and
# *.png. Logs and the raw console output of every boot go to BENCH_WORK
# (default build/bench/).
#
# Settings (environment):
#   BENCH_KERNELS   kernels to boot, default "6.12" (add 6.1: "6.12 6.1")
#   BENCH_SMP       vCPU counts, default "1 2 4"
#   BENCH_IOA0_SMP  vCPU counts booted a second time with init_on_alloc=0,
#                   default "1 2 4"
#   BENCH_REPS      timed runs per figure (median reported), default 9
#   BENCH_OPS       get+put pairs per thread per run, default 100000
#   BENCH_UOPS      userspace buffers per run, default 1000
#   BENCH_WORKLOADS mempool_bench.ko workloads, default "hot bulk16 prodcons
#                   miss"; "none" for the userspace figures only
#   BENCH_USER      userspace benchmarks, default "ubench handoff"
#   BENCH_ICLOCK=1  boot with an instruction-counting clock (QEMU -icount,
#                   as bench/icount.sh): ns are instructions, the host's
#                   load does not matter; use with BENCH_SMP=1
#   BENCH_IDLE_WAIT seconds to wait before each boot for the host to go
#                   quiet (other VMs, builds), default 60
#   BENCH_WORK      work folder (builds, logs), default build/bench
#   BENCH_HOST=0    skip the host part (harness, callgrind)
#   BENCH_ICOUNT=0  skip the instruction counts (bench/icount.sh)
#   BENCH_WORKLOADS mempool_bench.ko workloads, default all of them:
#                   "hot bulk16 prodcons miss node_local node_remote"
#   BENCH_NUMA_SMP  vCPU counts booted as two NUMA nodes (half the vCPUs and
#                   half the RAM each), for the node_local and node_remote
#                   workloads, default "4"
#   BENCH_QUICK=1   smoke test: 6.12, 2 vCPUs, 1 rep, few ops, no host part;
#                   results go to build/bench/quick/ unless BENCH_OUT is set
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../tests/vm/lib.sh"

BENCH_DIR=$TOP_DIR/bench
B=${BENCH_WORK:-$TOP_DIR/build/bench}
PY=/usr/bin/python3

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	: "${BENCH_KERNELS:=6.12}" "${BENCH_SMP:=2}" "${BENCH_IOA0_SMP:=}"
	: "${BENCH_REPS:=1}" "${BENCH_OPS:=2000}" "${BENCH_UOPS:=50}"
	: "${BENCH_OUT:=$B/quick}" "${BENCH_HOST:=0}"
fi
KERNELS=${BENCH_KERNELS:-6.12}
SMPS=${BENCH_SMP:-1 2 4}
IOA0_SMPS=${BENCH_IOA0_SMP-1 2 4}
REPS=${BENCH_REPS:-9}
OPS=${BENCH_OPS:-100000}
UOPS=${BENCH_UOPS:-1000}
OUT=${BENCH_OUT:-$BENCH_DIR/results}
mkdir -p "$B" "$OUT"

# What the report needs beyond tests/vm/setup.sh: plots and instruction
# counts. Missing ones are installed as root, else named; the run goes on
# without them (no PNGs, no instruction counts).
need=()
"$PY" -c 'import matplotlib' 2>/dev/null || need+=(python3-matplotlib)
command -v valgrind >/dev/null || need+=(valgrind)
if [ ${#need[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		log "installing ${need[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			"${need[@]}" >"$B/apt.log" 2>&1 ||
			log "apt-get failed (log: $B/apt.log); going on without ${need[*]}"
	else
		log "missing ${need[*]}; as root run: apt-get install -y --no-install-recommends ${need[*]}"
	fi
fi

# vCPUs are host threads: anything else running on this host (another VM,
# a build) takes their time and, worse, serialises them, so that 2 vCPUs on
# a host with one core free run one after the other. Wait a while for the
# host to be quiet, judged by the runnable tasks (the 1-minute load average
# lags by minutes); record what we got either way.
host_busy() {
	local n max=0
	for _ in 1 2 3 4 5; do
		n=$(awk '/^procs_running/ { print $2 }' /proc/stat)
		[ "$n" -le "$max" ] || max=$n
		sleep 0.2
	done
	# This shell's own awk is one of them.
	[ "$max" -gt 1 ]
}

wait_idle() {
	local limit=${BENCH_IDLE_WAIT:-60}
	waited=0
	while [ "$waited" -lt "$limit" ] && host_busy; do
		[ "$waited" != 0 ] || log "host busy; waiting up to ${limit}s for it to quiet down"
		sleep 4
		waited=$((waited + 5))
	done
	others=$(pgrep -cx qemu-system-x86 || true)
}

# ---- Host: native harness throughput and instruction counts -------------
host_csv=$B/host.csv
echo "kind,subject,threads,batch,value" >"$host_csv"
if [ "${BENCH_HOST:-1}" = 1 ]; then
	wait_idle
	log "host: tests/harness bench (native, $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
	make -s -C "$TOP_DIR/tests/harness" bench >"$B/harness.txt" 2>&1 ||
		{ cat "$B/harness.txt" >&2; die "harness bench failed"; }
	# Rows are "name (what)   Mops(1) Mops(2) Mops(4)", after a "threads:" header.
	awk '/^threads:/ { n = NF - 1; for (i = 2; i <= NF; i++) t[i - 1] = $i; next }
	     n && NF > n { split($1, w, " "); for (i = 1; i <= n; i++)
		printf "native_mops,%s,%s,8,%s\n", w[1], t[i], $(NF - n + i) }' \
		"$B/harness.txt" >>"$host_csv"

	if command -v valgrind >/dev/null; then
		log "host: callgrind instruction counts"
		cc -O2 -g -Wall -Wextra -Wno-unused-parameter -pthread \
			-I"$TOP_DIR/tests/harness/shim" -I"$TOP_DIR/kmod/include" \
			-o "$B/icount" "$BENCH_DIR/user/icount.c"
		iops=20000
		for alg in ring lfstack magazine mutex; do
			for batch in 1 64; do
				ir=$(valgrind --tool=callgrind --toggle-collect=icount_loop \
					--callgrind-out-file=/dev/null "$B/icount" "$alg" "$batch" "$iops" 2>&1 |
					sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
				[ -n "$ir" ] || die "callgrind gave no count for $alg"
				# One op is one take or one give: 2 * batch ops per round.
				echo "icount,$alg,1,$batch,$(awk -v ir="$ir" -v n=$((2 * batch * iops)) \
					'BEGIN { printf "%.1f", ir / n }')" >>"$host_csv"
			done
		done
	fi
fi

# ---- Guest: one initramfs per kernel, one boot per vCPUs x init_on_alloc --
csv=$B/bench.csv
{
	echo "date: $(date -u +'%F %H:%M UTC')"
	echo "host: $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1), $(nproc) CPUs, Linux $(uname -r)"
	echo "qemu: $(qemu-system-x86_64 --version | head -n 1) (TCG, no KVM)"
	echo "kernels: $KERNELS"
	echo "vcpus: $SMPS"
	echo "two NUMA nodes: ${BENCH_NUMA_SMP-4} vCPUs"
	echo "init_on_alloc=0 boots: ${IOA0_SMPS:-none}"
	echo "reps: $REPS"
	echo "ops: $OPS"
	echo "uops: $UOPS"
	echo "workloads: ${BENCH_WORKLOADS:-default}"
	echo "userspace: ${BENCH_USER:-ubench handoff}"
	echo "clock: $([ "${BENCH_ICLOCK:-0}" = 1 ] && echo "instructions (-icount shift=0,sleep=off)" || echo "real time")"
} >"$B/env.txt"
echo "kernel,vcpus,init_on_alloc,workload,subject,size,ns_per_pair,mops,threads,reps,fails" >"$csv"
failed=0
boots=$B/boots.csv
echo "boot,date,seconds,load1_before,load1_after,waited_s,other_qemus" >"$boots"

boot() {
	local kname=$1 smp=$2 ioa=$3 tag rc=0 start
	tag=$kname-smp$smp-ioa$ioa
	local cmdline="console=ttyS0 loglevel=4 panic_on_warn=1 oops=panic panic=-1"
	[ "$ioa" = 1 ] || cmdline+=" init_on_alloc=0"
	local waited others load0 nodes=1 numa topo=$smp
	# One socket per node: cores sharing a cache across nodes make the
	# guest kernel warn (topology_sane()), which panic_on_warn turns fatal.
	case " ${BENCH_NUMA_SMP-4} " in *" $smp "*) nodes=2 topo=$smp,sockets=2 ;; esac
	mapfile -t numa < <(numa_args 2G "$smp" "$nodes")
	# BENCH_ICLOCK=1: the guest clock counts instructions (see bench/icount.sh),
	# so a figure no longer depends on what else the host runs; one vCPU.
	local accel=(-accel "tcg,thread=multi")
	[ "${BENCH_ICLOCK:-0}" != 1 ] || accel=(-accel tcg -icount "shift=0,sleep=off")
	wait_idle
	load0=$(cut -d' ' -f1 /proc/loadavg)
	log "[$tag] booting $(basename "$IMAGE") (load $load0)"
	start=$(date +%s)
	rm -f "$B/$tag.console.log" "$B/$tag.results.log"
	timeout -k 10 "${BENCH_VM_TIMEOUT:-900}" \
		qemu-system-x86_64 -machine pc "${accel[@]}" -cpu max \
		-smp "$topo" -m 2G "${numa[@]}" \
		-no-reboot -display none -monitor none \
		-kernel "$IMAGE" -initrd "$KB/initramfs.cpio.gz" -append "$cmdline" \
		-serial "file:$B/$tag.console.log" -serial "file:$B/$tag.results.log" \
		</dev/null || rc=$?
	touch "$B/$tag.results.log"
	tr -d '\r' <"$B/$tag.results.log" >"$B/$tag.results.txt"
	sed -n 's/^BENCH,//p' "$B/$tag.results.txt" >>"$csv"
	log "[$tag] $(grep -c '^BENCH,' "$B/$tag.results.txt") figures in $(($(date +%s) - start))s (qemu exit $rc)"
	echo "$tag,$(date -u -d "@$start" +%FT%TZ),$(($(date +%s) - start)),$load0,$(cut -d' ' -f1 /proc/loadavg),$waited,$others" >>"$boots"
	if [ "$rc" != 0 ] || ! grep -q '^GUEST-DONE' "$B/$tag.results.txt" ||
		grep -qE '^BENCH-(ERROR|DMESG)' "$B/$tag.results.txt"; then
		grep -E '^BENCH-(ERROR|DMESG)' "$B/$tag.results.txt" >&2 || true
		log "[$tag] FAILED (logs: $B/$tag.{console,results}.log)"
		failed=$((failed + 1))
	fi
}

for kname in $KERNELS; do
	resolve_kernel "$kname"
	KB=$B/$kname
	rm -rf "$KB/root"
	mkdir -p "$KB/root"/{bin,dev,proc,sys,tmp,etc,lib/mpool}
	build_modules "$kname" "$KB/src"
	# The benchmark module links against mempool.ko's exports, from the copy
	# build_modules made (bench/kmod finds kmod/include two levels up).
	log "[$kname] building mempool_bench.ko"
	make -C "$KDIR" M="$KB/src/bench/kmod" W=1 \
		KBUILD_EXTRA_SYMBOLS="$KB/src/Module.symvers" modules >"$KB/bench-kmod.log" 2>&1 ||
		{ cat "$KB/bench-kmod.log" >&2; die "[$kname] mempool_bench.ko build failed"; }
	if grep -qE 'warning:|error:' "$KB/bench-kmod.log"; then
		grep -E 'warning:|error:' "$KB/bench-kmod.log" >&2
		die "[$kname] mempool_bench.ko build has warnings"
	fi
	cp "$KB/src/mempool.ko" "$KB/src/bench/kmod/mempool_bench.ko" "$KB/root/lib/mpool/"
	# libmempool is linked in statically, built by its Makefile (which
	# passes the version) where no other build looks.
	make -s -C "$TOP_DIR/userspace" OBJDIR="$KB/lib" "$KB/lib/libmempool.a"
	for u in ubench handoff; do
		cc -O2 -std=gnu11 -Wall -Wextra -Werror -pthread -static \
			-I"$TOP_DIR/userspace/include" -I"$TOP_DIR/uapi" \
			-o "$KB/root/bin/mpool-$u" "$BENCH_DIR/user/$u.c" "$KB/lib/libmempool.a" -lm
	done
	cp /bin/busybox "$KB/root/bin/busybox"
	cp "$VM_DIR/init" "$KB/root/init"
	cp "$BENCH_DIR/guest-bench.sh" "$KB/root/lib/mpool/"
	chmod +x "$KB/root/init"
	echo bench >"$KB/root/etc/mpool-mode"
	echo "reps=$REPS ops=$OPS" >"$KB/root/etc/mpool-bench-args"
	# mempool.ko parameters, e.g. BENCH_MPOOL_PARAMS="stats=0" to price the statistics.
	echo "${BENCH_MPOOL_PARAMS:-}" >"$KB/root/etc/mpool-bench-mparams"
	echo "$UOPS" >"$KB/root/etc/mpool-bench-uops"
	echo "${BENCH_WORKLOADS:-}" >"$KB/root/etc/mpool-bench-workloads"
	echo "${BENCH_USER:-}" >"$KB/root/etc/mpool-bench-user"
	(cd "$KB/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$KB/initramfs.cpio.gz"

	for smp in $SMPS; do
		boot "$kname" "$smp" 1
		case " $IOA0_SMPS " in *" $smp "*) boot "$kname" "$smp" 0 ;; esac
	done
done

cp "$csv" "$OUT/bench.csv"
cp "$host_csv" "$OUT/host.csv"
cp "$boots" "$OUT/boots.csv"
cp "$B/env.txt" "$OUT/env.txt"
log "report: $OUT"
"$PY" "$BENCH_DIR/report.py" "$OUT" || die "report.py failed"
# Path lengths, counted: icount.csv and icount.md (bench/icount.sh).
if [ "${BENCH_ICOUNT:-1}" = 1 ] && [ "${BENCH_QUICK:-0}" != 1 ]; then
	BENCH_OUT=$OUT "$BENCH_DIR/icount.sh" || failed=$((failed + 1))
fi
[ "$failed" = 0 ] || die "$failed boot(s) failed; see above"
