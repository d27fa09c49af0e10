# SPDX-License-Identifier: GPL-2.0
# Shared settings of the VM scripts: where the caches live and which kernels
# the project tests. Sourced, never run.

MPOOL_CACHE=${MPOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mempool-ko}
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP_DIR=$(cd "$VM_DIR/../.." && pwd)
# Per-kernel build trees and VM logs; separate ones let runs go side by side.
BUILD_DIR=${MPOOL_BUILD_DIR:-$TOP_DIR/build}

die() { echo "error: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

# Debian package version of a package, installed or not.
pkg_version() {
	dpkg-query -W -f='${Version}' "$1" 2>/dev/null ||
		apt-cache policy "$1" | awk '/Candidate:/ {print $2}'
}

# The kernel release ("6.1.0-56-amd64") whose headers a metapackage pulls in.
headers_release() {
	local dep
	dep=$(apt-cache depends --installed "$1" 2>/dev/null |
	      awk '/Depends: linux-headers-[0-9]/ {print $2; exit}')
	[ -n "$dep" ] || return 1
	echo "${dep#linux-headers-}"
}

# numa_args MEM VCPUS NODES: QEMU's arguments, one a line, for NODES NUMA
# nodes (the ACPI SRAT tells the guest), each with an equal share of the
# vCPUs (node 0 the first ones) and of the RAM; none for one node.
numa_args() {
	local mem=$1 smp=$2 nodes=$3 n per mib
	[ "$nodes" -gt 1 ] || return 0
	mib=$(( $(numfmt --from=iec "$mem") / nodes >> 20 ))
	per=$((smp / nodes))
	for ((n = 0; n < nodes; n++)); do
		printf '%s\n' -object "memory-backend-ram,id=m$n,size=${mib}M" \
			-numa "node,nodeid=$n,cpus=$((n * per))-$((n * per + per - 1)),memdev=m$n"
	done
}

# Resolve a kernel name (6.1, 6.12, debug, kcsan) to KDIR (build tree for
# external modules) and IMAGE (bootable bzImage).
resolve_kernel() {
	local rel out
	case "$1" in
	6.1 | 6.12)
		if [ "$1" = 6.1 ]; then
			rel=$(headers_release linux-headers-amd64)
		else
			rel=$(headers_release linux-headers-6.12-amd64)
		fi
		[ -n "$rel" ] || die "headers for $1 not installed (run tests/vm/setup.sh)"
		KDIR=/usr/src/linux-headers-$rel
		IMAGE=$MPOOL_CACHE/images/$rel/boot/vmlinuz-$rel
		;;
	debug | kcsan)
		out=$("$VM_DIR/build-kernel.sh" "$1") || die "cannot build the $1 kernel"
		KDIR=$out
		IMAGE=$out/arch/x86/boot/bzImage
		;;
	*)
		die "unknown kernel '$1' (6.1, 6.12, debug, kcsan)"
		;;
	esac
	[ -d "$KDIR" ] || die "no kernel build tree $KDIR"
	[ -f "$IMAGE" ] || die "no kernel image $IMAGE (run tests/vm/setup.sh)"
}

# The unpacked kernel source (kselftest_harness.h, kunit.py, checkpatch.pl).
kernel_source() {
	local src="$MPOOL_CACHE/linux-source-$(pkg_version linux-source-6.12)"
	if [ ! -f "$src/.mpool-unpacked" ]; then
		rm -rf "$src" && mkdir -p "$src"
		tar -xf /usr/src/linux-source-6.12.tar.xz -C "$src" --strip-components=1 ||
			die "cannot unpack linux-source-6.12"
		touch "$src/.mpool-unpacked"
	fi
	echo "$src"
}

# build_modules KNAME DIR [MAKE ARGS...]: build the modules for the resolved
# KDIR in DIR, W=1, failing on any warning. Kbuild writes objects beside the
# sources, so each kernel builds from its own copy: kernels (and a
# developer's in-tree build) never share objects.
build_modules() {
	local kname=$1 dir=$2
	shift 2
	mkdir -p "$dir"
	rsync -a --delete --prune-empty-dirs --exclude='/build/' --exclude='.git/' \
		--include='*/' --include='Kbuild' --include='/VERSION' --include='*.c' --include='*.h' \
		--exclude='*' "$TOP_DIR/" "$dir/"
	log "[$kname] building modules against $KDIR $*"
	make -j"$(nproc)" -C "$KDIR" M="$dir" W=1 "$@" modules >"$dir.log" 2>&1 ||
		{ cat "$dir.log" >&2; die "[$kname] module build failed"; }
	if grep -qE 'warning:|error:' "$dir.log"; then
		grep -E 'warning:|error:' "$dir.log" >&2
		die "[$kname] module build has warnings (log: $dir.log)"
	fi
}

# build_extra_module KNAME DIR SUBDIR [MAKE ARGS...]: build the module whose
# Kbuild is in DIR/SUBDIR, after build_modules KNAME DIR, linking it against
# mempool.ko's exports (DIR/Module.symvers); W=1, failing on any warning.
build_extra_module() {
	local kname=$1 dir=$2 sub=$3 out
	shift 3
	out=$dir-${sub//\//-}.log
	log "[$kname] building $sub against $KDIR $*"
	make -j"$(nproc)" -C "$KDIR" M="$dir/$sub" W=1 KBUILD_EXTRA_SYMBOLS="$dir/Module.symvers" \
		"$@" modules >"$out" 2>&1 ||
		{ cat "$out" >&2; die "[$kname] $sub build failed"; }
	if grep -qE 'warning:|error:' "$out"; then
		grep -E 'warning:|error:' "$out" >&2
		die "[$kname] $sub build has warnings (log: $out)"
	fi
}

# stock_modules KNAME DEST MODULE...: copy the modules of the stock image
# behind KNAME (after resolve_kernel) that MODULE... need, dependencies
# first and decompressed, into DEST, listed in load order in DEST/order
# (guest-lib.sh's load_stock). The kernels the project builds have these
# drivers built in: DEST/order stays empty.
stock_modules() {
	local kname=$1 dest=$2 rel root path
	shift 2
	mkdir -p "$dest"
	: > "$dest/order"
	case "$kname" in 6.1 | 6.12) ;; *) return 0 ;; esac
	rel=${IMAGE##*/vmlinuz-}
	root=$MPOOL_CACHE/images/$rel
	# dpkg-deb -x runs no depmod: once per image, one tree at a time.
	(
		flock 9
		[ -s "$root/lib/modules/$rel/modules.dep" ] || depmod -b "$root" "$rel"
	) 9>"$MPOOL_CACHE/.depmod.lock"
	for m in "$@"; do
		modprobe -d "$root" -S "$rel" --show-depends "$m" ||
			die "no module $m in $root"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r path; do
		case "$path" in
		*.xz) xz -dc "$path" > "$dest/$(basename "${path%.xz}")" ;;
		*) cp "$path" "$dest/" ;;
		esac
		basename "${path%.xz}" >> "$dest/order"
	done
}

# bench_boot DIR TAG ERR_RE APPEND [QEMU_OPTION...]: boot IMAGE (after
# resolve_kernel) under TCG with DIR/initramfs.cpio.gz, one vCPU and 1 GiB
# unless the array BENCH_MACHINE holds other -smp/-m/-numa options, the
# kernel command line APPEND after the usual panic options. The guest's
# ttyS1 lands in DIR/TAG.results.txt; fails unless the guest said
# GUEST-DONE and no line matched ERR_RE. Timeout: BENCH_VM_TIMEOUT (600 s).
bench_boot() {
	local dir=$1 tag=$2 err=$3 append=$4 rc=0 machine=(-smp 1 -m 1G)
	shift 4
	[ -z "${BENCH_MACHINE[*]:-}" ] || machine=("${BENCH_MACHINE[@]}")
	timeout -k 10 "${BENCH_VM_TIMEOUT:-600}" \
		qemu-system-x86_64 -machine pc -accel tcg "$@" -cpu max "${machine[@]}" \
		-no-reboot -display none -monitor none \
		-kernel "$IMAGE" -initrd "$dir/initramfs.cpio.gz" \
		-append "console=ttyS0 loglevel=4 panic_on_warn=1 oops=panic panic=-1 $append" \
		-serial "file:$dir/$tag.console.log" -serial "file:$dir/$tag.results.log" \
		</dev/null || rc=$?
	tr -d '\r' <"$dir/$tag.results.log" >"$dir/$tag.results.txt"
	if [ "$rc" != 0 ] || ! grep -q '^GUEST-DONE' "$dir/$tag.results.txt" ||
		grep -qE "$err" "$dir/$tag.results.txt"; then
		grep -E "$err" "$dir/$tag.results.txt" >&2 || true
		die "boot $tag failed (qemu exit $rc; logs: $dir/$tag.*.log)"
	fi
}
