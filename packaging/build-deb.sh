#!/bin/bash
# build-deb.sh OUTDIR: build the Debian packages cnet, libcnet0 and
# libcnet-dev (and their -dbgsym) from the working tree as it is now
# (uncommitted changes included, build/ never), in a copy under $TMPDIR,
# with packaging/debian as ./debian. The .deb, .buildinfo and .changes files
# land in OUTDIR. `make deb` runs this.
set -euo pipefail

usage() { echo "usage: $0 OUTDIR" >&2; exit 2; }
[ $# -eq 1 ] || usage
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)

for tool in dpkg-buildpackage dpkg-checkbuilddeps dh; do
	command -v "$tool" >/dev/null ||
		{ echo "build-deb.sh: $tool not found (apt-get install dpkg-dev debhelper)" >&2; exit 1; }
done

version=$(sed -n 's/^VERSION := *//p' "$top/Makefile")
deb_version=$(dpkg-parsechangelog -l "$top/packaging/debian/changelog" -S Version)
if [ "$version" != "$deb_version" ]; then
	echo "build-deb.sh: Makefile says $version, packaging/debian/changelog $deb_version" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/cnet-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/cnet-$version
"$top/packaging/copy-tree.sh" "$top" "$src"
cp -a "$src/packaging/debian" "$src/debian"

# dpkg-buildpackage checks the build dependencies itself, and fails
# (exit 3) naming those missing.
(cd "$src" && dpkg-buildpackage -us -uc -b -J"$(nproc)")

shopt -s nullglob
files=("$work"/*.deb "$work"/*.ddeb "$work"/*.buildinfo "$work"/*.changes)
[ ${#files[@]} -gt 0 ] || { echo "build-deb.sh: dpkg-buildpackage made nothing" >&2; exit 1; }
cp -f "${files[@]}" "$out"/
printf 'built: %s\n' "${files[@]##*/}"
