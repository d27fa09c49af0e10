# SPDX-License-Identifier: GPL-2.0
# Sourced by the guest-*.sh scripts inside the VM: how they report results
# ("RESULT ok|not ok NAME", which the host's judge.sh reads) and the
# kmemleak check they end with. Never run on its own.

KMEMLEAK=/sys/kernel/debug/kmemleak

result() {
	if [ "$2" -eq 0 ]; then echo "RESULT ok $1"; else echo "RESULT not ok $1"; fi
}

# Forget what kmemleak saw before the test (debug kernels only).
kmemleak_clear() {
	[ ! -e $KMEMLEAK ] || echo clear > $KMEMLEAK
}

# kmemleak_check NAME: RESULT NAME from a kmemleak scan, after the unloads.
kmemleak_check() {
	[ -e $KMEMLEAK ] || return 0
	# kmemleak ignores objects younger than 5 s (MSECS_MIN_AGE): let
	# anything freed-or-leaked at unload age past that before scanning.
	sleep 6
	echo scan > $KMEMLEAK
	echo scan > $KMEMLEAK
	leaks=$(cat $KMEMLEAK)
	[ -z "$leaks" ]
	result "$1" $?
	[ -z "$leaks" ] || echo "$leaks"
}

# load_stock: insmod the stock drivers run.sh copied (stock_modules), in
# order; on a kernel that has them built in there are none.
load_stock() {
	[ -s /lib/mpool/stock/order ] || return 0
	while read -r m; do
		insmod "/lib/mpool/stock/$m" || return 1
	done < /lib/mpool/stock/order
}
