#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: set-up, lint, the userspace harness, then every kernel in QEMU.
# Ends with one line "N passed, N failed" over everything it ran.
# Usage: check.sh [KERNEL...]   (default: 6.1 6.12 debug)
# MPOOL_PRESSURE_KERNELS: which of them also get the memory-pressure boot
# (run.sh KERNEL pressure), default "6.12"; "" for none.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(6.1 6.12 debug)
passed=0 failed=0
start=$(date +%s)

step() {	# step NAME COMMAND...: one pass/fail over a whole command
	if "${@:2}"; then
		passed=$((passed + 1)); echo "ok   $1"
	else
		failed=$((failed + 1)); echo "FAIL $1"
	fi
}

quietly() {	# quietly LOG COMMAND...: keep a log, show its tail on failure
	local log=$1
	shift
	mkdir -p "$(dirname "$log")"
	"$@" >"$log" 2>&1 || { tail -n 60 "$log"; return 1; }
}

"$VM_DIR/setup.sh" || die "set-up failed"
step lint "$TOP_DIR/tests/lint.sh"
step judge-selftest "$VM_DIR/judge_test.sh" "$(kernel_source)"
step harness-tsan quietly "$BUILD_DIR/harness.log" make -s -C "$TOP_DIR/tests/harness" check
step libmempool-tsan quietly "$BUILD_DIR/libmempool-tsan.log" \
	make -s -C "$TOP_DIR/tests/libmempool" check
step install-staged quietly "$BUILD_DIR/install.log" "$TOP_DIR/tests/install_test.sh"
# The host has no /dev/mempool: kselftests there must SKIP, not fail.
step selftests-skip-without-module quietly "$BUILD_DIR/skip-check.log" \
	"$TOP_DIR/tests/selftests/skip_check.sh"

vm() {	# vm KERNEL MODE: one run.sh boot, its verdicts added to the totals
	local dir=$BUILD_DIR/$1
	[ "$2" = check ] || dir+=-$2
	rm -f "$dir/summary"
	"$VM_DIR/run.sh" "$1" "$2"
	if [ -f "$dir/summary" ]; then
		read -r p f < "$dir/summary"
		passed=$((passed + p)) failed=$((failed + f))
	else
		failed=$((failed + 1)); echo "FAIL [$1 $2] run did not complete"
	fi
}

# The shrinker under real memory pressure (guest-pressure.sh) is one more,
# short boot with little RAM: on the kernels in MPOOL_PRESSURE_KERNELS.
pressure_kernels=${MPOOL_PRESSURE_KERNELS-6.12}
for k in "${kernels[@]}"; do
	vm "$k" check
	case " $pressure_kernels " in
	*" $k "*) vm "$k" pressure ;;
	esac
done

# The main job must keep working: the narrated demo ends in "DEMO OK".
# And the hit path must stay short: instructions are counted, not timed
# (bench/icount.sh), so a budget just above today's count catches any
# regression. Raise it only with a reason in the commit message.
MPOOL_ICOUNT_BUDGET=${MPOOL_ICOUNT_BUDGET:-101}
case " ${kernels[*]} " in
*" 6.12 "*)
	step demo quietly "$BUILD_DIR/demo.log" "$VM_DIR/run.sh" 6.12 demo
	# A boot that failed before the demo began is retried once (run.sh):
	# say so, with what its kernel printed, even when the retry passed.
	sed -n '/^demo: /,/^Filesystem/p' "$BUILD_DIR/demo.log"
	step "icount-budget (percpu get+put <= $MPOOL_ICOUNT_BUDGET instructions)" \
		quietly "$BUILD_DIR/icount-budget.log" \
		"$TOP_DIR/bench/icount.sh" --budget "$MPOOL_ICOUNT_BUDGET"
	;;
esac

echo "check took $(( $(date +%s) - start ))s on ${kernels[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
