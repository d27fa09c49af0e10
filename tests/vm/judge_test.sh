#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The judge must fail a run for each kind of bad news it exists to catch;
# a judge that passes everything would make every other test meaningless.
set -uo pipefail
VM_DIR=$(cd "$(dirname "$0")" && pwd)
ksrc=${1:?usage: judge_test.sh KERNEL_SOURCE}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=0

good_results='RESULT ok module-load
# Totals: pass:3 fail:0 xfail:0 xpass:0 skip:0 error:0
KSFT-EXIT info_test 0
RESULT ok module-unload
GUEST-DONE'

# expect NAME WANT_RC WANT_PASSED WANT_FAILED QEMU_RC RESULTS CONSOLE
expect() {
	local d="$tmp/$1" rc
	mkdir -p "$d"
	printf '%s\n' "$6" > "$d/results.log"
	printf '%s\n' "$7" > "$d/console.log"
	"$VM_DIR/judge.sh" t "$d" "$5" "$ksrc" > "$d/out" 2>&1
	rc=$?
	read -r p f < "$d/summary"
	if [ $(( rc != 0 )) -ne "$2" ] || [ "$p" != "$3" ] || [ "$f" != "$4" ]; then
		echo "judge_test $1: rc=$rc passed=$p failed=$f, want fail=$2 $3/$4"
		cat "$d/out"
		bad=1
	fi
}

expect clean-run         0 7 0 0   "$good_results" "Run /init as init process"
expect warning           1 6 1 0   "$good_results" "WARNING: CPU: 1 PID: 7 at kmod/pool.c:1"
expect kasan             1 6 1 0   "$good_results" "BUG: KASAN: slab-use-after-free in x"
expect lockdep           1 6 1 0   "$good_results" "WARNING: possible circular locking dependency detected"
expect timeout           1 6 1 124 "${good_results%GUEST-DONE}" ""
expect failed-step       1 6 1 0   "${good_results/ok module-unload/not ok module-unload}" ""
expect failed-kselftest  1 7 2 0   "${good_results/fail:0/fail:2}" ""
expect crashed-kselftest 1 4 1 0   "RESULT ok module-load
KSFT-EXIT info_test 139
RESULT ok module-unload
GUEST-DONE" ""
expect kunit-failure     1 9 1 0   "$good_results
RESULT ok kunit-load" "Run /init as init process
KTAP version 1
1..1
    KTAP version 1
    # Subtest: s
    1..2
    ok 1 a
    not ok 2 b
not ok 1 s"

[ $bad -eq 0 ] && echo "judge_test: all cases judged as expected"
exit $bad
