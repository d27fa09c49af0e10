#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (once) a debug kernel from Debian's linux-source-6.12 with the config
# fragments kept beside this script, into a cache outside the tree.
# Usage: build-kernel.sh debug|kcsan   (prints the build directory)
# Rebuilds only when a fragment or the source package version changes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:?usage: build-kernel.sh debug|kcsan}
frag="$VM_DIR/$variant.config"
[ -f "$frag" ] || die "no config fragment $frag"

srcver=$(pkg_version linux-source-6.12)
[ -n "$srcver" ] || die "linux-source-6.12 is not installed (run tests/vm/setup.sh)"
key=$( (echo "$srcver"; cat "$VM_DIR/guest.config" "$frag") | sha256sum | cut -c1-12)
out="$MPOOL_CACHE/kernel-$variant-$key"

# One build at a time per variant: a second caller (another tree of this
# project) waits, then finds the kernel built, or builds the key it needs.
mkdir -p "$MPOOL_CACHE"
exec 9>"$MPOOL_CACHE/.build-$variant.lock"
flock 9

if [ -f "$out/.mpool-built" ]; then
	echo "$out"
	exit 0
fi

src=$(kernel_source)

# Older builds of this variant are stale by definition: free their space.
rm -rf "$MPOOL_CACHE"/kernel-"$variant"-* 2>/dev/null || true
mkdir -p "$out"
cat "$VM_DIR/guest.config" "$frag" > "$out/fragment.config"

log "configuring $variant kernel in $out"
make -s -C "$src" O="$out" KCONFIG_ALLCONFIG="$out/fragment.config" allnoconfig

# allnoconfig silently drops a symbol whose dependencies are unmet: refuse
# to build a "debug" kernel that lacks one of its checkers.
missing=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qxF "$line" "$out/.config" || { echo "missing: $line" >&2; missing=1; } ;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }; sym=${sym%% *}
		! grep -q "^$sym=" "$out/.config" || { echo "unexpectedly set: $sym" >&2; missing=1; } ;;
	esac
done < "$out/fragment.config"
[ $missing -eq 0 ] || die "kernel config does not honour $frag"

log "building $variant kernel ($(nproc) jobs; 3 to 5 minutes on 2 cores)"
start=$(date +%s)
make -s -C "$src" O="$out" -j"$(nproc)" bzImage modules >"$out/build.log" 2>&1 ||
	{ tail -n 40 "$out/build.log" >&2; die "kernel build failed (log: $out/build.log)"; }
log "$variant kernel built in $(( $(date +%s) - start )) s"
touch "$out/.mpool-built"
echo "$out"
