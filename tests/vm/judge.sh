#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Judge one VM run: every RESULT line, every kselftest total, KUnit's KTAP
# (through kunit.py parse), and the kernel console for any report.
# Usage: judge.sh KERNEL BUILD_DIR QEMU_EXIT KERNEL_SOURCE
set -uo pipefail
kname=$1 B=$(cd "$2" && pwd) qemu_rc=$3 ksrc=$4
con=$B/console.log res=$B/results.txt
# Serial lines end in CR LF.
tr -d '\r' < "$B/results.log" > "$res"
passed=0 failed=0

verdict() {	# verdict NAME ok|fail [detail]
	if [ "$2" = ok ]; then
		passed=$((passed + 1)); echo "[$kname] ok   $1"
	else
		failed=$((failed + 1)); echo "[$kname] FAIL $1${3:+: $3}"
	fi
}

# The VM must have run to the end: no time-out, no panic, no hang.
if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
	verdict vm-completed fail "time-out"
elif ! grep -q '^GUEST-DONE' "$res"; then
	verdict vm-completed fail "guest did not finish (see $con)"
else
	verdict vm-completed ok
fi

while read -r _ status name; do
	case "$status" in
	ok) verdict "$name" ok ;;
	*) verdict "${name#ok }" fail ;;
	esac
done < <(grep -E '^RESULT (ok|not ok) ' "$res" | sed 's/^RESULT not ok /RESULT fail /')

# kselftest: each binary ends with a "# Totals:" line; one without it crashed.
while read -r _ bin rc; do
	totals=$(awk -v b="$bin" '
		/^# Totals:/ { t = $0 }
		$0 ~ "^KSFT-EXIT " b " " { print t; exit }
		/^KSFT-EXIT / { t = "" }' "$res")
	if [ -z "$totals" ]; then
		verdict "kselftest:$bin" fail "no totals (exit $rc)"
		continue
	fi
	p=$(sed -E 's/.* pass:([0-9]+).*/\1/' <<<"$totals")
	f=$(sed -E 's/.* fail:([0-9]+).*/\1/' <<<"$totals")
	e=$(sed -E 's/.* error:([0-9]+).*/\1/' <<<"$totals")
	passed=$((passed + p))
	failed=$((failed + f + e))
	echo "[$kname] kselftest $bin: $totals"
	if [ "$rc" -ne 0 ] && [ $((f + e)) -eq 0 ]; then
		verdict "kselftest:$bin-exit" fail "exit $rc"
	fi
done < <(grep -E '^KSFT-EXIT ' "$res")
grep -E '^not ok ' "$res" | sed "s/^/[$kname]   /"

# KUnit: kunit.py parse reads the KTAP out of the console log, from where
# init starts (the kernel prints an empty "1..0" plan for built-in suites).
if grep -q 'RESULT .*kunit-load' "$res"; then
	sed -n '/Run \/init as init process/,$p' "$con" > "$B/kunit.log"
	rm -f "$B/kunit.json"
	if python3 "$ksrc/tools/testing/kunit/kunit.py" parse --json="$B/kunit.json" \
		"$B/kunit.log" >"$B/kunit.txt" 2>&1 || [ -s "$B/kunit.json" ]; then
		read -r kp kf ks < <(python3 "$(dirname "$0")/kunit-count.py" "$B/kunit.json")
		passed=$((passed + kp)); failed=$((failed + kf))
		echo "[$kname] kunit: $kp passed, $kf failed, $ks skipped"
		[ "${kp:-0}" -gt 0 ] || verdict kunit-ran fail "no KUnit case passed"
	else
		verdict kunit-parse fail "$(tail -n 3 "$B/kunit.txt")"
	fi
	grep -E '^\s*(# .*(FAIL|Expected|ops/s)|not ok )' "$B/kunit.txt" | head -n 40 | sed "s/^/[$kname]   /"
fi

# Any report from the kernel's checkers fails the run.
splat='BUG:|WARNING:|Oops|Kernel panic|KASAN|UBSAN|KCSAN|kmemleak:.*suspected|possible recursive locking|circular locking|inconsistent lock state|INFO: task .* blocked|Call Trace:|general protection fault'
if grep -qE "$splat" "$con"; then
	verdict kernel-log-clean fail "$(grep -m1 -E "$splat" "$con")"
	grep -m1 -B5 -A40 -E "$splat" "$con" | sed "s/^/[$kname]   /"
else
	verdict kernel-log-clean ok
fi

# Where the VM's time went (guest-check.sh's TIME lines): the slowest five.
awk '$1 == "TIME" { printf "%.0fs %s\n", $4 - $3, $2 }' "$res" | sort -rn | head -n 5 |
	paste -sd, - | sed "s/,/, /g; s/^./[$kname] slowest: &/"

echo "$passed $failed" > "$B/summary"
echo "[$kname] $passed passed, $failed failed"
[ "$failed" -eq 0 ]
