#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Quality gates (make lint): W=1 + sparse builds against the 6.1 and 6.12
# headers, checkpatch --strict, kernel-doc on exported functions, and the
# uapi header compiled standalone in a userspace program, and the man pages
# (tests/man_lint.sh: mandoc -Tlint -Wstyle, every libmempool function named),
# and tests/syzkaller/mempool.txt against the uapi header (tests/syzkaller/check.sh).
set -euo pipefail
. "$(dirname "$0")/vm/lib.sh"
cd "$TOP_DIR"
ksrc=$(kernel_source)
fail=0

# In the tree copy run.sh builds in too: sparse changes no object, so the
# VM runs of make check that follow rebuild nothing.
for k in 6.1 6.12; do
	resolve_kernel "$k"
	(build_modules "$k" "$BUILD_DIR/$k/src" C=1 &&
	 build_extra_module "$k" "$BUILD_DIR/$k/src" tests/pressure C=1 &&
	 build_extra_module "$k" "$BUILD_DIR/$k/src" examples/kmod C=1) || fail=1
done

kernel_files=$(ls kmod/*.[ch] kmod/include/linux/mpool/*.h kmod/include/linux/*.h uapi/linux/*.h \
	tests/kunit/*.[ch] tests/pressure/main.c bench/kmod/*.[ch] examples/kmod/*.c 2>/dev/null)
log "checkpatch --strict"
checkpatch() {
	"$ksrc/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types "$@"
}
# Re-creates <kunit/visibility.h>'s fallback for 6.1, whose empty
# EXPORT_SYMBOL_IF_KUNIT() checkpatch takes for a misplaced export.
checkpatch --ignore EXPORT_SYMBOL,MACRO_ARG_UNUSED -f kmod/compat.h || fail=1
# The rest a few files per run, on every core: checkpatch is slow perl.
printf '%s\n' $kernel_files | grep -vx kmod/compat.h |
	xargs -P "$(nproc)" -n 6 "$ksrc/scripts/checkpatch.pl" --strict --no-tree --quiet \
		--show-types -f || fail=1

log "kernel-doc on exported functions"
exporting=$(grep -l 'EXPORT_SYMBOL' kmod/*.c 2>/dev/null || true)
if [ -n "$exporting" ]; then
	out=$("$ksrc/scripts/kernel-doc" -none -Wall -export $exporting 2>&1) || fail=1
	[ -z "$out" ] || { echo "$out"; fail=1; }
fi

log "uapi header standalone (-Wall -Wpadded)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for h in uapi/linux/*.h; do
	printf '#include <%s>\nint main(void) { return 0; }\n' "${h#uapi/}" > "$tmp/t.c"
	gcc -std=gnu99 -Wall -Wextra -Wpadded -Werror -I uapi -c "$tmp/t.c" -o "$tmp/t.o" || fail=1
done

log "man pages (mandoc -Tlint -Wstyle, every function documented)"
tests/man_lint.sh || fail=1

log "syzkaller description against the uapi header"
tests/syzkaller/check.sh || fail=1

[ $fail -eq 0 ] && log "lint: clean"
exit $fail
