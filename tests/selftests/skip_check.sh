#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Without /dev/mempool (mempool.ko not loaded) the kselftests SKIP, the
# kselftest way, instead of failing: build a few of them on the host, whose
# kernel never has the module, run them, and read their totals. Every test
# must report SKIP, none pass, fail or error, and the exit status be 0.
# Run by make check (tests/vm/check.sh); about 2 s.
set -euo pipefail
. "$(dirname "$0")/../vm/lib.sh"

if [ -e /dev/mempool ]; then
	echo "skip_check: /dev/mempool exists here; the skip path cannot be shown"
	exit 0
fi
tests=(info_test pool_test dio_test)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s -C "$TOP_DIR/tests/selftests" KSFT_INC="$(kernel_source)/tools/testing/selftests" \
	OUT="$tmp" "${tests[@]/#/$tmp/}"
fail=0
for t in "${tests[@]}"; do
	rc=0
	"$tmp/$t" > "$tmp/$t.out" 2>&1 || rc=$?
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$tmp/$t.out")
	totals=$(grep '^# Totals:' "$tmp/$t.out" || true)
	echo "$t (exit $rc): $totals"
	if [ "$rc" -ne 0 ] || [ -z "$plan" ] || [ "$plan" -eq 0 ] ||
	   [ "$totals" != "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:$plan error:0" ]; then
		cat "$tmp/$t.out"
		fail=1
	fi
done
exit $fail
