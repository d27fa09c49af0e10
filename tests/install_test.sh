#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make install, staged: from a copy of the tree, `make` then
# `make install DESTDIR=... PREFIX=/usr` for the 6.12 headers; checks the
# layout, that a program builds against the staged library through
# pkg-config (shared, static, C++), that every libmempool function has its
# man page (a page, or a link to its family's), that `man` finds one through
# a link, that the shared library exports only the mpl_ API, that examples/
# build against it, that uninstall removes it all, and that the DKMS source
# tree builds with dkms (for 6.12, when dkms is installed).
# Prints "ok|FAIL <what>" lines; exits non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/vm/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() {	# check WHAT COMMAND...
	if "${@:2}" >"$tmp/out" 2>&1; then
		echo "ok   $1"
	else
		echo "FAIL $1"; tail -n 20 "$tmp/out"; fail=1
	fi
}

resolve_kernel 6.12
kdir=$KDIR krel=$(headers_release linux-headers-6.12-amd64)
src=$tmp/src stage=$tmp/stage
rsync -a --exclude=/build/ --exclude=.git/ --exclude='*.o' "$TOP_DIR/" "$src/"
make -s -C "$src/userspace" clean >/dev/null

# Every build here on every core: kbuild and dkms's make take -j from
# MAKEFLAGS (dkms runs dkms.conf's MAKE[0] as it is).
export MAKEFLAGS="-j$(nproc)"
check "make (module and userspace)" make -s -C "$src" KDIR="$kdir"
check "make install DESTDIR PREFIX=/usr" \
	make -s -C "$src" KDIR="$kdir" install DESTDIR="$stage" PREFIX=/usr

ver=$(cat "$src/VERSION")
expect="etc/udev/rules.d/60-mempool.rules
lib/modules/$krel/updates/mempool.ko
usr/bin/mempoolctl
usr/include/mempool.h
usr/include/mempool/linux/mempool.h
usr/lib/libmempool.a
usr/lib/libmempool.so
usr/lib/libmempool.so.1
usr/lib/libmempool.so.$ver
usr/lib/pkgconfig/mempool.pc
usr/share/bash-completion/completions/mempoolctl
$(cd "$src/kmod/include" && find linux -name '*.h' | sed "s|^|usr/src/mempool-$ver-devel/include/|")
usr/src/mempool-$ver-devel/$krel/Module.symvers
usr/share/man/man3/libmempool.3
$(grep -v '^[#[:space:]/]' "$src/userspace/include/mempool.h" | grep -o '\bmpl_[a-z0-9_]*(' |
  sort -u | sed 's|^\(.*\)($|usr/share/man/man3/\1.3|')
usr/share/man/man4/mempool.4
usr/share/man/man8/mempoolctl.8"
expect=$(sort <<<"$expect")
# Kernels that compress modules install mempool.ko.xz (or .zst, .gz).
got=$(cd "$stage" && find . -type f -o -type l | sed 's|^\./||; s|\.ko\..*|.ko|' | sort)
check "installed files" [ "$got" = "$expect" ]
[ "$got" = "$expect" ] || diff <(echo "$expect") <(echo "$got")
if command -v man >/dev/null; then
	check "man mpl_put: mpl_get(3), through its link" sh -c \
		"MANPAGER=cat man -M '$stage/usr/share/man' 3 mpl_put 2>/dev/null | grep -q mpl_put"
fi

cat > "$tmp/consumer.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <mempool.h>
int main(void)
{
	struct mpl_dev *dev;

	/* Linked and callable: a missing device is a clean -ENOENT. */
	return mpl_open("/nonexistent/mempool", &dev) == -ENOENT ? 0 : 1;
}
C
export PKG_CONFIG_SYSROOT_DIR=$stage PKG_CONFIG_LIBDIR=$stage/usr/lib/pkgconfig
cflags=$(pkg-config --cflags mempool) libs=$(pkg-config --libs mempool)
slibs=$(pkg-config --static --libs mempool)
check "pkg-config: shared" sh -c "gcc -Wall -Wextra -Werror -std=c11 -pedantic $cflags \
	'$tmp/consumer.c' $libs -o '$tmp/c1' && LD_LIBRARY_PATH='$stage/usr/lib' '$tmp/c1'"
check "pkg-config: static" sh -c "gcc -Wall -Werror -static $cflags '$tmp/consumer.c' \
	$slibs -o '$tmp/c2' && '$tmp/c2'"
cp "$tmp/consumer.c" "$tmp/consumer.cc"
check "header: C++" g++ -Wall -Wextra -Werror $cflags -c "$tmp/consumer.cc" -o "$tmp/c3.o"
check "soname libmempool.so.1" sh -c \
	"objdump -p '$stage/usr/lib/libmempool.so.$ver' | grep -q 'SONAME *libmempool.so.1$'"
check "one version: module, pkg-config" sh -c \
	"modinfo -F version '$src/mempool.ko' | grep -qx '$ver' &&
	 grep -qx 'Version: $ver' '$stage/usr/lib/pkgconfig/mempool.pc'"
check "mempoolctl uses libmempool.so.1" sh -c \
	"objdump -p '$stage/usr/bin/mempoolctl' | grep -q 'NEEDED *libmempool.so.1$'"
check "mempoolctl --version says $ver, of the staged library too" sh -c \
	"LD_LIBRARY_PATH='$stage/usr/lib' '$stage/usr/bin/mempoolctl' --version |
	 grep -qx 'mempoolctl $ver (libmempool $ver)'"
# The completion offers every command 'mempoolctl help' lists, and the
# global options after one.
complete_words() {	# complete_words WORD...: what completing the last word offers
	COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) COMPREPLY=()
	_mempoolctl mempoolctl "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
	printf '%s\n' "${COMPREPLY[@]}"
}
completion_ok() {
	. "$stage/usr/share/bash-completion/completions/mempoolctl" || return 1
	local cmds c
	cmds=$(LD_LIBRARY_PATH="$stage/usr/lib" "$stage/usr/bin/mempoolctl" help |
	       sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
	[ -n "$cmds" ] || return 1
	for c in $cmds; do
		complete_words mempoolctl "$c" | grep -qx "$c" || { echo "no $c"; return 1; }
		complete_words mempoolctl -j "${c:0:3}" | grep -qx "$c" || { echo "no $c after -j"; return 1; }
	done
	complete_words mempoolctl stats --js | grep -qx -- --json &&
	complete_words mempoolctl create x -e "" | grep -qx ring &&
	complete_words mempoolctl set x --access "" | grep -qx group
}
check "bash completion: every command, options, values" completion_ok
exports=$(nm -D --defined-only "$stage/usr/lib/libmempool.so.$ver" | awk '{print $3}' |
	  grep -v '^LIBMEMPOOL_1\(\.[0-9]*\)\?$' | grep -vc '^mpl_')
check "exports: mpl_ only" [ "$exports" = 0 ]
# examples/ build against the install as their Makefiles say: the programs
# through pkg-config, the module against /usr/src/mempool-VERSION-devel.
check "examples: against the installed libmempool" \
	make -s -C "$src/examples" INSTALLED=1 OUT="$tmp/examples"
check "examples/kmod: against the installed -devel tree" \
	make -s -C "$src/examples/kmod" KDIR="$kdir" KRELEASE="$krel" \
	MPOOL_DEVEL="$stage/usr/src/mempool-$ver-devel"

# Debian's 6.1 headers name their release wrongly (kernel.release): the
# module must still land under the running kernel's release. install-module
# installs under KRELEASE (the 6.12 install above proves it), so asking
# install.mk what KRELEASE it finds for those headers is enough, without
# building the module for 6.1 once more.
resolve_kernel 6.1
rel61=$(headers_release linux-headers-amd64)
krelease_of() {	# krelease_of KDIR: the release install-module would use
	make -s -C "$src" KDIR="$1" --eval='mpool-krelease: ; @echo $(KRELEASE)' mpool-krelease
}
check "install-module for Debian's 6.1 headers: $rel61" \
	[ "$(krelease_of "/lib/modules/$rel61/build")" = "$rel61" ]

check "make uninstall" make -s -C "$src" KDIR="$kdir" uninstall DESTDIR="$stage" PREFIX=/usr
left=$(find "$stage" -type f -o -type l)
check "nothing left" [ -z "$left" ]
[ -z "$left" ] || echo "$left"

check "make dkms-install DESTDIR" make -s -C "$src" dkms-install DESTDIR="$stage"
check "dkms.conf says $ver" grep -qx "PACKAGE_VERSION=\"$ver\"" "$stage/usr/src/mempool-$ver/dkms.conf"
# One kernel proves the DKMS tree complete (what it holds does not depend
# on the kernel); the 6.1 build above proved the sources build there.
if command -v dkms >/dev/null; then
	mkdir -p "$tmp/dkms"
	check "dkms build for $krel" dkms build -m mempool -v "$ver" -k "$krel" \
		--dkmstree "$tmp/dkms" --sourcetree "$stage/usr/src"
else
	echo "skip dkms build (dkms not installed)"
fi
exit $fail
