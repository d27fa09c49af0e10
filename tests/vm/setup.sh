#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what the build and the VM tests need, on a fresh Debian 12 machine,
# unattended; then fetch Debian's stock kernel images matching the installed
# headers into the cache (unpacked, never installed).
# Prints nothing and exits 0 when everything is already there.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PKGS="make gcc libc6-dev git python3 qemu-system-x86 busybox-static cpio kmod sparse
      flex bison bc libelf-dev libssl-dev dwarves rsync xz-utils dkms mandoc
      linux-headers-amd64 linux-headers-6.12-amd64 linux-source-6.12"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done

if [ -n "$missing" ]; then
	cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$missing"
	if [ "$(id -u)" -ne 0 ]; then
		echo "Missing packages:$missing" >&2
		echo "Run as root:  $cmd" >&2
		exit 1
	fi
	log "installing:$missing"
	bash -c "$cmd" >&2
fi

# Stock images: the same Debian version as the headers, or vermagic differs.
fetch_image() {
	local rel ver dir tmp
	rel=$(headers_release "$1") || die "cannot resolve the headers behind $1"
	dir="$MPOOL_CACHE/images/$rel"
	[ -f "$dir/.mpool-unpacked" ] && return 0
	ver=$(pkg_version "linux-headers-$rel")
	if [ "$(id -u)" -ne 0 ] && [ ! -w "$MPOOL_CACHE" ]; then
		die "cannot write $MPOOL_CACHE"
	fi
	log "fetching linux-image-$rel $ver"
	tmp=$(mktemp -d)
	# apt drops to the _apt user to download; let it write there.
	chmod 755 "$tmp"
	(cd "$tmp" && apt-get download -q "linux-image-$rel=$ver" >&2) ||
		die "apt-get download linux-image-$rel=$ver failed"
	rm -rf "$dir" && mkdir -p "$dir"
	dpkg-deb -x "$tmp"/linux-image-*.deb "$dir"
	rm -rf "$tmp"
	[ -f "$dir/boot/vmlinuz-$rel" ] || die "no vmlinuz in linux-image-$rel"
	touch "$dir/.mpool-unpacked"
}

mkdir -p "$MPOOL_CACHE"
fetch_image linux-headers-amd64
fetch_image linux-headers-6.12-amd64
