#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The man pages (man/, mdoc(7)): `mandoc -Tlint -Wstyle` says nothing about
# any of them; every function that userspace/include/mempool.h declares is
# named in the NAME section of a section-3 page, and every name there is
# such a function (or libmempool); each page is named after its first .Nm
# and its .Dt agrees. Cross-references (.Xr) resolve against our own pages
# and the list of outside pages below, not against whatever this machine
# happens to have installed. Called by tests/lint.sh; runs alone too.
set -euo pipefail
cd "$(dirname "$0")/.."

# Pages of other packages the man pages may refer to.
EXTERNAL="close.2 execve.2 fork.2 ioctl.2 madvise.2 mmap.2 mmap2.2 mprotect.2 mremap.2 munmap.2
	open.2 poll.2 read.2 vmsplice.2 write.2 errno.3 exit.3 pthread_exit.3 strerror.3
	pkg-config.1 modprobe.8 udevadm.8"

command -v mandoc >/dev/null || { echo "mandoc missing: run make setup" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

pages=$(ls man/*.[1-9])
# A manpath that holds exactly our pages, their links and the outside pages.
for p in $pages $EXTERNAL; do
	sec=${p##*.}
	mkdir -p "$tmp/man/man$sec"
	case "$p" in
	man/*) cp "$p" "$tmp/man/man$sec/" ;;
	*) printf '.Dd January 1, 2000\n.Dt %s %s\n.Os\n.Sh NAME\n.Nm %s\n.Nd outside page\n' \
		"${p%.*}" "$sec" "${p%.*}" > "$tmp/man/man$sec/$p" ;;
	esac
done
for p in $pages; do
	sec=${p##*.}
	for n in $(man/names.sh "$p"); do
		[ -e "$tmp/man/man$sec/$n.$sec" ] || ln -s "$(basename "$p")" "$tmp/man/man$sec/$n.$sec"
	done
done
makewhatis "$tmp/man"

out=$(MANPATH="$tmp/man" mandoc -Tlint -Wstyle $pages 2>&1) || true
[ -z "$out" ] || { echo "$out"; fail=1; }

for p in $pages; do
	base=$(basename "$p") sec=${p##*.}
	first=$(man/names.sh "$p" | head -n1)
	[ "$first.$sec" = "$base" ] || { echo "$p: first .Nm is '$first', not ${base%.*}"; fail=1; }
	dt=$(sed -n 's/^\.Dt \([^ ]*\) \([0-9]\).*/\1.\2/p' "$p" | tr '[:upper:]' '[:lower:]')
	[ "$dt" = "$base" ] || { echo "$p: .Dt says '$dt'"; fail=1; }
done

# Functions of the header: declarations start a line with their type.
funcs=$(grep -v '^[#[:space:]/]' userspace/include/mempool.h |
	grep -o '\bmpl_[a-z0-9_]*(' | tr -d '(' | sort -u)
[ -n "$funcs" ] || { echo "no functions found in userspace/include/mempool.h"; fail=1; }
named=$(for p in man/*.3; do man/names.sh "$p"; done | sort)
dups=$(uniq -d <<<"$named")
[ -z "$dups" ] || { echo "named by two pages:" $dups; fail=1; }
missing=$(comm -23 <(echo "$funcs") <(echo "$named" | sort -u))
[ -z "$missing" ] || { echo "declared in mempool.h but in no man page's NAME:" $missing; fail=1; }
extra=$(comm -13 <(echo "$funcs") <(echo "$named" | sort -u) | grep -vx libmempool || true)
[ -z "$extra" ] || { echo "in a man page's NAME but not declared in mempool.h:" $extra; fail=1; }

[ $fail -eq 0 ] && echo "man pages: clean ($(echo $pages | wc -w) pages, $(echo "$funcs" | wc -l) functions)"
exit $fail
