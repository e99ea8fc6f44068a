#!/usr/bin/env bash
# Every Debian package the tests and scripts name, and every program they
# probe with `command -v`, must be installed by `make deps` (or, for the VM
# rig, by tests/vm/deps.sh). A package installed by hand on this machine
# would otherwise hide a missing install step until a fresh machine fails.
#
# usage: tests/check-deps.sh [TREE]
# The packages `make deps` installs are read from $CNET_DEB_PKGS if set,
# else asked of TREE's Makefile (make print-deb-pkgs).
#
# What it reads, in tests/, bench/ and packaging/*.sh:
# - hints "(Debian package X)" and "(apt-get install X Y)": each package;
# - "command -v PROG": the package that owns PROG on this machine (dpkg -S),
#   or, where PROG is not installed here, the hint on the same line or the
#   next (a probe of a missing program with no hint is an error: a fresh
#   machine would not have it either, and nothing says where it comes from).
# Packages of priority "required" (in every minimal Debian root) pass.
set -uo pipefail

tree=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$tree" || exit 2
pkgs=${CNET_DEB_PKGS-$(make -s --no-print-directory print-deb-pkgs)}
# Scripts that install their own packages; their probes decide what to install.
installers=(tests/vm/deps.sh)

errors=0
err() {
	echo "check-deps: $*" >&2
	errors=$((errors + 1))
}

installed_by_deps() { # PKG
	local p=$1 f
	grep -qxF -- "$p" <<<"$(tr -s ' \t' '\n\n' <<<"$pkgs")" && return 0
	for f in "${installers[@]}"; do
		[ -f "$f" ] && grep -qw -- "$p" "$f" && return 0
	done
	# in every minimal root (mmdebstrap --variant=minbase: Essential and required)
	[ "$(dpkg-query -W -f='${Priority}' "$p" 2>/dev/null)" = required ]
}

# The package that owns PROG here, or nothing.
owner_of() { # PROG
	local d path
	for d in /usr/sbin /usr/bin /sbin /bin; do
		[ -x "$d/$1" ] || continue
		# usrmerge: dpkg knows a file by the path its package shipped
		for path in "$d/$1" "/usr${d#/usr}/$1" "${d#/usr}/$1" "$(readlink -f "$d/$1")"; do
			dpkg -S "$path" 2>/dev/null | awk -F': ' '!/^diversion/ { sub(/:.*/, "", $1); print $1; exit }' |
				grep . && return 0
		done
	done
	return 1
}

hint_pkgs() { # LINE: the package names in its hints
	grep -oE '\((Debian package|apt-get install) [^)]*\)' <<<"$1" |
		sed -E 's/^\((Debian package|apt-get install) //; s/\)$//' | tr ' ' '\n' |
		grep -E '^[a-z0-9][a-z0-9.+-]+$'
}

# (the checker and its own tests, whose fixtures name made-up packages, are not read)
mapfile -t files < <(
	{ find tests bench -type f \( -name '*.sh' -o -name '*.bats' -o -name '*.bash' -o -name '*.zsh' \
		-o -name run -o -name init \) ! -path tests/check-deps.sh ! -path tests/cli/check-deps.bats; ls packaging/*.sh; } 2>/dev/null | sort -u)

for f in "${files[@]}"; do
	skip_probes=
	for i in "${installers[@]}"; do [ "$f" = "$i" ] && skip_probes=1; done
	while IFS= read -r hit; do
		n=${hit%%:*}
		line=${hit#*:}
		for p in $(hint_pkgs "$line"); do
			installed_by_deps "$p" ||
				err "$f:$n names package '$p', which 'make deps' does not install (add it to DEB_PKGS)"
		done
		[ -n "$skip_probes" ] && continue
		for prog in $(grep -oE 'command -v [A-Za-z0-9_.+-]+' <<<"$line" | awk '{ print $3 }'); do
			if owner=$(owner_of "$prog"); then
				installed_by_deps "$owner" ||
					err "$f:$n probes '$prog', from package '$owner', which 'make deps' does not install (add it to DEB_PKGS)"
			elif [ -z "$(hint_pkgs "$line"; hint_pkgs "$(sed -n "$((n + 1))p" "$f")")" ]; then
				err "$f:$n probes '$prog', which is not installed here, and names no package: add '(Debian package X)'"
			fi
		done
	done < <(grep -nE 'command -v|\((Debian package|apt-get install) ' "$f")
done

if [ "$errors" -ne 0 ]; then
	echo "check-deps: $errors problem(s): a fresh machine would fail where this one passes" >&2
	exit 1
fi
echo "check-deps: every package the tests name or probe is installed by make deps"
