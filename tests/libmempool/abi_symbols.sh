#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: abi_symbols.sh HEADER MAP LIBRARY
# Every function mempool.h declares is named in libmempool.map, in exactly
# one version node, without wildcards; libmempool.so exports exactly those,
# each with its node's version; the 1.0 node is what 1.0 shipped.
set -uo pipefail
header=$1 map=$2 lib=$3
fail=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; fail=1; }

declared=$(grep -oE '^[a-z][a-z0-9_ *]*[ *]\(?mpl_[a-z0-9_]+\)?\(' "$header" |
	   grep -oE 'mpl_[a-z0-9_]+' | sort -u)
# "name;" lines of each node, as "node name".
mapped=$(awk '/^LIBMEMPOOL_[0-9.]+ *\{/ { node = $1 }
	      /^\t\tmpl_[a-z0-9_]+;$/ { gsub(/[\t;]/, ""); print node, $0 }' "$map")
names=$(awk '{ print $2 }' <<<"$mapped" | sort)

if grep -qE '^\s*mpl_[a-z0-9_]*\*' "$map"; then bad "no wildcard in $map"; else ok "no wildcard"; fi
[ -z "$(uniq -d <<<"$names")" ] && ok "each symbol in one node" || bad "symbols in two nodes: $(uniq -d <<<"$names")"
diff <(echo "$declared") <(echo "$names") >/tmp/abi_symbols.$$ &&
	ok "the map names every function of mempool.h and nothing else" ||
	{ bad "mempool.h (<) and the map (>) differ:"; cat /tmp/abi_symbols.$$; }
rm -f /tmp/abi_symbols.$$

exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sed 's/@@*/ /' |
	   awk '{ print $2, $1 }' | sort)
[ "$exported" = "$(sort <<<"$mapped")" ] && ok "the library exports the map, versioned" ||
	{ bad "exports differ from the map:"; diff <(sort <<<"$mapped") <(echo "$exported"); }

# libmempool 1.0's functions (git show 6bc2d13:userspace/include/mempool.h),
# and mpl_pool_list, which the wildcard node exported before 1.1 began.
v10="mpl_batch mpl_buf mpl_buf_id mpl_close mpl_engine_name mpl_engine_parse mpl_fd
mpl_flush mpl_get mpl_info mpl_lease mpl_map mpl_open mpl_pool_attach mpl_pool_buf_count
mpl_pool_buf_size mpl_pool_counters mpl_pool_create mpl_pool_destroy mpl_pool_engine
mpl_pool_list mpl_pool_name mpl_pool_stats mpl_put mpl_release mpl_set_batch mpl_strerror
mpl_unmap"
[ "$(awk '$1 == "LIBMEMPOOL_1.0" { print $2 }' <<<"$mapped")" = "$(tr -s ' \n' '\n\n' <<<"$v10" | sort)" ] &&
	ok "LIBMEMPOOL_1.0 is 1.0's symbols" || bad "LIBMEMPOOL_1.0 is not 1.0's symbols"
exit $fail
