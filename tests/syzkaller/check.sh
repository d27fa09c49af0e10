#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/syzkaller/mempool.txt against uapi/linux/mempool.h (make lint), so
# that the syzkaller description cannot drift from the UAPI unnoticed:
#  - every struct mpool_* of the header is a syzkaller struct of the same
#    name with the same field names in the same order, and no syzkaller
#    struct mpool_* is missing from the header;
#  - every MPOOL_IOC_* command is an ioctl$MPOOL_IOC_* with
#    cmd const[MPOOL_IOC_*] and arg ptr[in|out|inout, <its struct>], the
#    direction the command's _IOW/_IOR/_IOWR says; no other ioctl$MPOOL_IOC_*;
#  - every value of the header's flag and enum sets (MPOOL_ENG_*,
#    MPOOL_ACCESS_*, MPOOL_*_F_*, MPOOL_EVENT_* types) is in a flags set;
#  - each field's width and offset, and each struct's size, as the
#    description implies them (int8..int64, ptr64, resources by their base,
#    fixed arrays and strings), equals the header's: a generated C file of
#    _Static_asserts compiled with gcc -fsyntax-only against the header.
# POSIX awk (mawk is enough) and gcc; no python.
set -euo pipefail
cd "$(dirname "$0")/../.."
hdr=uapi/linux/mempool.h
txt=tests/syzkaller/mempool.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Resources the description uses but other sys/linux files define.
extern_resources="fd_dma_buf=fd"

awk -v hdr="$hdr" -v txt="$txt" -v cfile="$tmp/sizes.c" -v ext="$extern_resources" '
function err(msg) { print "syzkaller check: " msg > "/dev/stderr"; bad = 1 }
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }

# The arguments of "name[a, b[c, d], e]": nargs and args[1..nargs].
function split_args(t,    i, c, depth, cur, inner) {
	nargs = 0
	delete args
	i = index(t, "[")
	if (!i || substr(t, length(t)) != "]")
		return 0
	inner = substr(t, i + 1, length(t) - i - 1)
	depth = 0
	cur = ""
	for (i = 1; i <= length(inner); i++) {
		c = substr(inner, i, 1)
		if (c == "[")
			depth++
		else if (c == "]")
			depth--
		if (c == "," && depth == 0) {
			args[++nargs] = trim(cur)
			cur = ""
		} else
			cur = cur c
	}
	args[++nargs] = trim(cur)
	return nargs
}

# The C expression of a syzkaller type s bytes, or "" (why in werr).
function width(t, depth,    base, n, cnt, w, r) {
	t = trim(t)
	werr = ""
	if (depth > 8) { werr = "resources nest too deep"; return "" }
	if (match(t, /^int(8|16|32|64)(be)?(\[|$)/)) {
		base = substr(t, 4, RLENGTH - 3)
		sub(/[^0-9].*/, "", base)
		return base / 8
	}
	if (t ~ /^(ptr64|ptr|vma64|vma)(\[|$)/)
		return 8
	base = t
	sub(/\[.*/, "", base)
	if (base ~ /^(const|flags|len|bytesize|bitsize|offsetof)$/) {
		n = split_args(t)
		if (n < 2 || args[n] !~ /^int(8|16|32|64)/) {
			werr = base " without an explicit intN width"
			return ""
		}
		return width(args[n], depth + 1)
	}
	if (base == "string") {
		n = split_args(t)
		if (n < 2) { werr = "string of no fixed size"; return "" }
		return "(" args[2] ")"
	}
	if (base == "array") {
		n = split_args(t)
		if (n < 2 || args[2] ~ /:/) { werr = "array of no fixed length"; return "" }
		cnt = args[2]
		w = width(args[1], depth + 1)
		if (w == "")
			return ""
		return "(" cnt ") * " w
	}
	if (t in resbase)
		return width(resbase[t], depth + 1)
	if (t == "fd")
		return 4
	werr = "type \"" t "\" has no known width (nested structs are not supported)"
	return ""
}

BEGIN {
	n = split(ext, e, /[ \t]+/)
	for (i = 1; i <= n; i++)
		if (split(e[i], kv, "=") == 2)
			resbase[kv[1]] = kv[2]
	split("MPOOL_ENG_ MPOOL_ACCESS_ MPOOL_CREATE_F_ MPOOL_LEASE_F_ MPOOL_CONFIG_F_ MPOOL_EXPORT_F_ MPOOL_EVENT_", groups, " ")
}

# ---- the header ----
FILENAME == hdr && incomment {
	if (index($0, "*/")) incomment = 0
	next
}
FILENAME == hdr && /^struct mpool_[a-z0-9_]+ \{/ {
	hs = $2
	nh_structs++
	hstruct_order[nh_structs] = hs
	hstruct[hs] = 1
	hn[hs] = 0
	next
}
FILENAME == hdr && hs != "" {
	line = $0
	if (line ~ /^};/) { hs = ""; next }
	gsub(/\/\*.*\*\//, "", line)
	if (index(line, "/*")) { incomment = 1; sub(/\/\*.*/, "", line) }
	line = trim(line)
	if (line == "")
		next
	if (line !~ /^[A-Za-z_][A-Za-z0-9_ ]* [A-Za-z_][A-Za-z0-9_]*(\[[A-Za-z0-9_ +*]+\])?;$/) {
		err(hdr ": struct " hs ": cannot parse \"" line "\"")
		next
	}
	sub(/;$/, "", line)
	sub(/\[.*/, "", line)
	f = line
	sub(/.* /, "", f)
	hfield[hs, ++hn[hs]] = f
	next
}
FILENAME == hdr && /^#define[ \t]+MPOOL_IOC_[A-Z0-9_]+[ \t]+_IO/ {
	name = $2
	if (!match($0, /_IO(WR|W|R)?\(/)) next
	kind = substr($0, RSTART, RLENGTH - 1)
	dir = kind == "_IOWR" ? "inout" : kind == "_IOW" ? "in" : kind == "_IOR" ? "out" : ""
	st = $0
	if (match(st, /struct [a-z0-9_]+\)/))
		st = substr(st, RSTART + 7, RLENGTH - 8)
	else
		st = ""
	nioc++
	ioc_order[nioc] = name
	ioc_dir[name] = dir
	ioc_struct[name] = st
	next
}
FILENAME == hdr && /^#define[ \t]+MPOOL_[A-Z0-9_]+[ \t]/ {
	name = $2
	for (g in groups)
		if (index(name, groups[g]) == 1 && name !~ /_ALL$/ &&
		    name != "MPOOL_EVENT_QUEUE" && name !~ /_SIZE_VER0$/)
			want_value[name] = 1
	next
}
FILENAME == hdr { next }

# ---- the description ----
{
	line = $0
	sub(/#.*/, "", line)
}
/^resource[ \t]/ {
	r = line
	sub(/^resource[ \t]+/, "", r)
	sub(/:.*/, "", r)
	r = trim(r)
	if (match(r, /\[[^]]*\]$/)) {
		resbase[substr(r, 1, RSTART - 1)] = substr(r, RSTART + 1, RLENGTH - 2)
	}
	next
}
/^ioctl\$MPOOL_IOC_[A-Z0-9_]+\(/ {
	name = line
	sub(/^ioctl\$/, "", name)
	sub(/\(.*/, "", name)
	syz_ioc[name] = line
	next
}
/^[a-z_][a-z0-9_]* = / {
	n = split(line, vals, /[ ,=]+/)
	for (i = 2; i <= n; i++)
		in_set[vals[i]] = 1
	next
}
/^[a-z_][a-z0-9_]* \{/ {
	ss = $1
	if (ss in sn) err(txt ": struct " ss " described twice")
	sn[ss] = 0
	next
}
ss != "" && /^\}/ { ss = ""; next }
ss != "" {
	line = trim(line)
	if (line == "")
		next
	f = line
	sub(/[ \t].*/, "", f)
	t = substr(line, length(f) + 1)
	t = trim(t)
	sub(/\((in|out|inout)\)$/, "", t)
	t = trim(t)
	sfield[ss, ++sn[ss]] = f
	stype[ss, sn[ss]] = t
	sline[ss, sn[ss]] = FNR
	next
}

END {
	# Structs: same names, same order.
	for (k = 1; k <= nh_structs; k++) {
		s = hstruct_order[k]
		if (!(s in sn)) {
			err(txt ": struct " s " of " hdr " is not described")
			continue
		}
		n = hn[s] > sn[s] ? hn[s] : sn[s]
		for (i = 1; i <= n; i++) {
			hf = (s, i) in hfield ? hfield[s, i] : ""
			sf = (s, i) in sfield ? sfield[s, i] : ""
			if (hf == sf)
				continue
			if (sf == "")
				err(txt ": struct " s ": field " i " \"" hf "\" of the header is missing")
			else if (hf == "")
				err(txt ":" sline[s, i] ": struct " s ": field " i " \"" sf "\" is not in the header")
			else
				err(txt ":" sline[s, i] ": struct " s ": field " i " is \"" sf "\", the header has \"" hf "\"")
			break
		}
	}
	for (s in sn)
		if (s ~ /^mpool_/ && !(s in hstruct))
			err(txt ": struct " s " is not a struct of " hdr)

	# Ioctls: every command, its direction and its struct.
	for (k = 1; k <= nioc; k++) {
		name = ioc_order[k]
		if (!(name in syz_ioc)) {
			err(txt ": " name " has no ioctl$" name)
			continue
		}
		l = syz_ioc[name]
		if (index(l, "cmd const[" name "]") == 0)
			err(txt ": ioctl$" name " lacks cmd const[" name "]")
		want = "arg ptr[" ioc_dir[name] ", " ioc_struct[name] "]"
		if (index(l, want) == 0)
			err(txt ": ioctl$" name ": want " want " (the header: " ioc_dir[name] ", struct " ioc_struct[name] ")")
	}
	for (name in syz_ioc)
		if (!(name in ioc_dir))
			err(txt ": ioctl$" name ": no such command in " hdr)

	# Flag and enum values.
	for (v in want_value)
		if (!(v in in_set))
			err(txt ": " v " of " hdr " is in no flags set")

	# Widths, offsets and sizes, for gcc to judge.
	print "#include <stddef.h>" > cfile
	print "#include <linux/mempool.h>" > cfile
	for (k = 1; k <= nh_structs; k++) {
		s = hstruct_order[k]
		if (!(s in sn))
			continue
		off = "0"
		ok = 1
		for (i = 1; i <= sn[s]; i++) {
			f = sfield[s, i]
			w = width(stype[s, i], 0)
			if (w == "") {
				err(txt ":" sline[s, i] ": struct " s " field " f ": " werr)
				ok = 0
				break
			}
			if (!((s, i) in hfield) || hfield[s, i] != f) {
				ok = 0
				break
			}
			printf "_Static_assert(offsetof(struct %s, %s) == %s, \"%s:%d: struct %s field %s: offset differs from the header (a field before it has the wrong width, or is missing)\");\n", s, f, off, txt, sline[s, i], s, f >> cfile
			printf "_Static_assert(sizeof(((struct %s *)0)->%s) == %s, \"%s:%d: struct %s field %s: %s is not the header field width\");\n", s, f, w, txt, sline[s, i], s, f, stype[s, i] >> cfile
			off = off " + " w
		}
		if (ok)
			printf "_Static_assert(sizeof(struct %s) == %s, \"%s: struct %s: size differs from the header\");\n", s, off, txt, s >> cfile
	}
	close(cfile)
	exit bad
}
' "$hdr" "$txt" || exit 1

if ! out=$(gcc -std=gnu11 -I uapi -fsyntax-only -x c "$tmp/sizes.c" 2>&1); then
	printf '%s\n' "$out" | sed -n 's/.*static assertion failed: "\(.*\)"$/syzkaller check: \1/p' >&2
	printf '%s\n' "$out" | grep -q 'static assertion failed' || printf '%s\n' "$out" >&2
	exit 1
fi
echo "syzkaller check: $txt matches $hdr"
