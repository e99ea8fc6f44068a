#!/usr/bin/env bash
# lib/'s structure (issue 16): each kind is one file (lib/kind-NAME.c)
# behind one operations table, the registry (lib/kinds.c) lists them, and
# the engine names no kind and calls none directly. What it enforces:
#
# 1. CNET_KIND_ appears in no lib/*.c but kinds.c and kind-*.c, and a kind
#    file names only its own value (kind-host-device.c: CNET_KIND_HOST_DEVICE).
# 2. The engine files (ENGINE below) and KIND_BLIND hold no kind's name as
#    a string ("sriov", "bond", "veth", "macvlan", "vlan", "host-device").
# 3. No source file in lib/ (*.c, *.h) is over MAX_FILE lines (the
#    generated ABI baseline, lib/libcnet.abi, is not source).
# 4. No function in lib/*.c is over MAX_FUNC lines, from the line that
#    names it to its closing brace, unless ALLOW_LONG lists it.
# 5. No circle of lib/ files calling each other, directly or through
#    others. Read from the objects: A -> B when A.o leaves undefined a
#    symbol that B.o defines as a global function (nm type T or W). Data is
#    not a call: the registry referring to each kind's const table (nm
#    type R, or D in the -fPIC objects) makes no edge.
# 6. The engine's objects call no function that a kind file defines.
#
# usage: tests/check-layout.sh [BUILD_DIR [LIB_DIR]]
# BUILD_DIR is the Makefile's build directory (default build): libcnet's
# objects are BUILD_DIR/pic/lib/NAME.o (or BUILD_DIR/NAME.o where there is
# no pic/lib), one for each LIB_DIR/NAME.c (default lib). Run `make` first;
# `make check-layout` does. Prints one line per problem and a count (exit
# 1), or one summary line (exit 0); exit 2 if it cannot run (no objects,
# or objects older than their sources).
#
# Function extents assume this code base's style: a function starts at
# column 0 with its return type or name (the parameters may go on over
# more lines), its body's `{` is alone at column 0 and its closing `}` is
# the next line starting with `}` at column 0.
set -uo pipefail
export LC_ALL=C # join and sort agree on the order

MAX_FILE=800
MAX_FUNC=100
# The engine: it drives a kind through its operations table only.
ENGINE=(attach detach reapply gc desc record dhcpcmd)
# Not engine, but generic all the same: no kind's name in them either.
KIND_BLIND=(lease)
# Functions allowed over MAX_FUNC lines, as FILE:FUNCTION (kind-bond.c:put_bond).
# Only linear attribute builders belong here: a body that is one straight
# sequence of attribute puts (nla_put_u32(msg, IFLA_..., ...) one after the
# other, no loop and no branch but each put's error check), which reads no
# better cut in two. Name none without saying why in the commit.
ALLOW_LONG=()

top=$(cd "$(dirname "$0")/.." && pwd)
abs() { # PATH, relative to where the script was started
	case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac
}
build=$(abs "${1:-$top/build}")
lib=$(abs "${2:-$top/lib}")
# how a file is shown: relative to the tree (lib/attach.c) where it is in it
show() {
	local p=${1#"$PWD"/}
	echo "${p#"$top"/}"
}

problems=0
declare -A per_rule=()
problem() { # RULE MESSAGE
	echo "check-layout: $2" >&2
	problems=$((problems + 1))
	per_rule[$1]=$((${per_rule[$1]:-0} + 1))
}
die() {
	echo "check-layout: $*" >&2
	exit 2
}

[ -d "$lib" ] || die "no lib directory $(show "$lib")"
shopt -s nullglob
cfiles=("$lib"/*.c)
hfiles=("$lib"/*.h)
[ ${#cfiles[@]} -gt 0 ] || die "no .c files in $(show "$lib")"

objdir=$build/pic/lib
[ -d "$objdir" ] || objdir=$build
declare -A obj=()
for c in "${cfiles[@]}"; do
	n=$(basename "$c" .c)
	o=$objdir/$n.o
	[ -f "$o" ] || die "no object $(show "$o") for $(show "$c"): build first (make)"
	[ "$c" -nt "$o" ] && die "$(show "$o") is older than $(show "$c"): build first (make)"
	obj[$n]=$o
done

is_kind_file() { [[ $1 == kind-* ]]; }
in_list() { # WORD LIST...
	local w=$1 x
	shift
	for x in "$@"; do [ "$x" = "$w" ] && return 0; done
	return 1
}

# 1. CNET_KIND_ only in kinds.c and kind-*.c, each kind file its own value only
for c in "${cfiles[@]}"; do
	n=$(basename "$c" .c)
	[ "$n" = kinds ] && continue
	own=
	if is_kind_file "$n"; then
		own=${n#kind-}
		own=CNET_KIND_${own^^}
		own=${own//-/_}
	fi
	while IFS=: read -r ln text; do
		names=$(grep -oE 'CNET_KIND_[A-Z0-9_]+' <<<"$text" | sort -u | grep -vxF -- "${own:-CNET_KIND_}" | paste -sd, - | sed 's/,/, /g')
		[ -n "$names" ] || continue
		if [ -n "$own" ]; then
			problem kind-enum "$(show "$c"):$ln: names $names (a kind file names only its own value, $own)"
		else
			problem kind-enum "$(show "$c"):$ln: names $names (only kinds.c and kind-*.c may)"
		fi
	done < <(grep -n 'CNET_KIND_' "$c")
done

# 2. no kind's name as a string in the engine (and KIND_BLIND)
for n in "${ENGINE[@]}" "${KIND_BLIND[@]}"; do
	c=$lib/$n.c
	[ -f "$c" ] || continue
	while IFS=: read -r ln text; do
		names=$(grep -oE '"(sriov|bond|veth|macvlan|vlan|host-device)"' <<<"$text" | sort -u | paste -sd, - | sed 's/,/, /g')
		problem kind-string "$(show "$c"):$ln: names kind $names (a kind's name belongs in its kind file)"
	done < <(grep -nE '"(sriov|bond|veth|macvlan|vlan|host-device)"' "$c")
done

# 3. no file over MAX_FILE lines
for f in "${cfiles[@]}" "${hfiles[@]}"; do
	l=$(wc -l <"$f")
	[ "$l" -le "$MAX_FILE" ] ||
		problem long-file "$(show "$f"): $l lines (over $MAX_FILE: split it)"
done

# 4. no function over MAX_FUNC lines. Prints "LINE NAME LENGTH" per function.
functions() { # FILE
	awk '
	# The name before the parameter list, the last top-level (...) of the
	# header: "static int foo(" or "int(foo)(" (kept from a macro of the
	# same name); "" when the header has none (an initialiser).
	function fname(h,    i, c, d, last, pre) {
		d = 0; last = 0
		for (i = 1; i <= length(h); i++) {
			c = substr(h, i, 1)
			if (c == "(") { if (d == 0) last = i; d++ }
			else if (c == ")" && d > 0) d--
		}
		if (!last) return ""
		pre = substr(h, 1, last - 1)
		sub(/[ \t]+$/, "", pre)
		if (substr(pre, length(pre)) == ")") {
			# "(foo)": the group that closes there
			pre = substr(pre, 1, length(pre) - 1)
			sub(/^.*\(/, "", pre)
			gsub(/[ \t]/, "", pre)
		}
		return match(pre, /[A-Za-z_][A-Za-z0-9_]*$/) ? substr(pre, RSTART) : ""
	}
	# outside a function: the last column-0 declaration and its continuation lines
	!infn && /^[A-Za-z_]/ { hdr = NR; head = $0; next }
	!infn && /^[ \t]+[^ \t]/ { if (hdr) head = head " " $0; next }
	!infn && /^\{/ {
		infn = 1
		name = fname(head)
		start = hdr ? hdr : NR
		next
	}
	!infn { hdr = 0; head = "" }
	infn && /^}/ {
		infn = 0
		if (name != "") print start, name, NR - start + 1
		hdr = 0; head = ""
	}' "$1"
}
nfunc=0
for c in "${cfiles[@]}"; do
	while read -r ln name len; do
		nfunc=$((nfunc + 1))
		[ "$len" -le "$MAX_FUNC" ] && continue
		in_list "$(basename "$c"):$name" "${ALLOW_LONG[@]}" && continue
		problem long-function "$(show "$c"):$ln: $name() is $len lines (over $MAX_FUNC: split it; only a linear attribute builder may be listed in ALLOW_LONG)"
	done < <(functions "$c")
done

# 5 and 6: who calls whom, from the objects.
# defs: "SYMBOL FILE" for every global function; edges: "FROM TO SYMBOL".
defs=$(for n in "${!obj[@]}"; do
	nm --defined-only "${obj[$n]}" | awk -v f="$n" '$2 == "T" || $2 == "W" { print $3, f }'
done | sort -k1,1)
undefs=$(for n in "${!obj[@]}"; do
	nm --undefined-only "${obj[$n]}" | awk -v f="$n" '{ print $NF, f }'
done | sort -k1,1)
edges=$(join <(echo "$undefs") <(echo "$defs") | awk '$2 != $3 { print $2, $3, $1 }' | sort -k1,1 -k2,2 -k3,3)

# 5. strongly connected components of more than one file: each printed as
# one circle through its first file, then every call inside it, one symbol
# per edge (what would have to move to break it).
circles=$(awk '
	!(($1, $2) in sym) { sym[$1, $2] = $3; adj[$1] = adj[$1] " " $2; node[$1]; node[$2] }
	END {
		n = 0
		for (v in node) names[++n] = v
		# sort the names, for a stable output
		for (i = 2; i <= n; i++) for (j = i; j > 1 && names[j - 1] > names[j]; j--) {
			t = names[j]; names[j] = names[j - 1]; names[j - 1] = t
		}
		for (i = 1; i <= n; i++) for (j = 1; j <= n; j++) reach[i, j] = (names[i], names[j]) in sym
		for (k = 1; k <= n; k++) for (i = 1; i <= n; i++) if (reach[i, k])
			for (j = 1; j <= n; j++) if (reach[k, j]) reach[i, j] = 1
		for (i = 1; i <= n; i++) {
			if (done[i]) continue
			m = 0
			for (j = 1; j <= n; j++) if (j == i || (reach[i, j] && reach[j, i])) { comp[++m] = j; done[j] = 1 }
			if (m < 2) continue
			# the shortest circle from names[i] back to it (BFS inside the component)
			delete prev; delete seen; delete inc
			for (k = 1; k <= m; k++) inc[names[comp[k]]] = 1
			q[1] = names[i]; qh = 1; qt = 1; seen[names[i]] = 1; last = ""
			while (qh <= qt && last == "") {
				u = q[qh++]
				split(substr(adj[u], 2), out, " ")
				for (o = 1; (o in out) && last == ""; o++) {
					w = out[o]
					if (!(w in inc)) continue
					if (w == names[i]) { last = u; break }
					if (!(w in seen)) { seen[w] = 1; prev[w] = u; q[++qt] = w }
				}
				delete out
			}
			if (last == "") continue # (cannot be: the component is strongly connected)
			path = names[i]
			for (u = last; u != names[i]; u = prev[u]) path = u " " path
			path = names[i] " " path
			members = ""
			for (k = 1; k <= m; k++) members = members " " names[comp[k]]
			print "C" members " :" " " path
			for (a = 1; a <= m; a++) for (b = 1; b <= m; b++)
				if ((names[comp[a]], names[comp[b]]) in sym)
					print "E", names[comp[a]], names[comp[b]], sym[names[comp[a]], names[comp[b]]]
		}
	}' <<<"$edges")
while read -r tag a b s; do
	case $tag in
	C)
		members='' path='' sep=' '
		for f in $a $b $s; do
			if [ "$f" = : ]; then sep=' -> '; continue; fi
			if [ "$sep" = ' ' ]; then members+="${members:+ }$(show "$lib")/$f.c"
			else path+="${path:+ -> }$(show "$lib")/$f.c"; fi
		done
		problem call-circle "call circle among $members: $path (and every call inside it, below)"
		;;
	E) echo "check-layout:     $(show "$lib")/$a.c -> $(show "$lib")/$b.c: $s" >&2 ;;
	esac
done <<<"$circles"

# 6. the engine calls no kind file's function (in the order of the calls)
while read -r from where s to; do
	problem engine-calls-kind "$(show "$lib")/$from.c:$where: calls $s() of $(show "$lib")/$to.c (the engine goes through the kind's operations table)"
done < <(while read -r from to s; do
	[ -n "$from" ] || continue
	if ! in_list "$from" "${ENGINE[@]}" || ! is_kind_file "$to"; then continue; fi
	# the first call (an indented line), else the first mention
	where=$(grep -nE -m1 -- "^[[:space:]].*\<${s}[[:space:]]*\(" "$lib/$from.c" | cut -d: -f1)
	[ -n "$where" ] || where=$(grep -nw -m1 -- "$s" "$lib/$from.c" | cut -d: -f1)
	echo "$from ${where:-0} $s $to"
done <<<"$edges" | sort -k1,1 -k2,2n)

if [ "$problems" -ne 0 ]; then
	summary=
	for r in kind-enum kind-string long-file long-function call-circle engine-calls-kind; do
		summary+="${summary:+, }$r ${per_rule[$r]:-0}"
	done
	echo "check-layout: $problems problem(s) ($summary)" >&2
	exit 1
fi
echo "check-layout: lib/ keeps its layout (${#cfiles[@]} files, $nfunc functions: kinds named only in kinds.c and kind-*.c, none over $MAX_FILE or $MAX_FUNC lines, no call circle, no engine call into a kind)"
