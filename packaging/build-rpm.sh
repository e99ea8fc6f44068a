#!/bin/bash
# build-rpm.sh OUTDIR: build the RPMs cnet, libcnet0 and libcnet-devel (and
# the source RPM) with rpmbuild from a tarball of the working tree as it is
# now (uncommitted changes included, build/ never). The .rpm files land in
# OUTDIR. `make rpm` runs this.
#
# rpmbuild runs with --nodeps: on Debian, rpm's database knows none of the
# installed packages, so Fedora's BuildRequires (kept in the spec) cannot be
# checked; the Debian build dependencies must be installed instead.
set -euo pipefail

usage() { echo "usage: $0 OUTDIR" >&2; exit 2; }
[ $# -eq 1 ] || usage
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)

command -v rpmbuild >/dev/null ||
	{ echo "build-rpm.sh: rpmbuild not found (apt-get install rpm)" >&2; exit 1; }

spec=$top/packaging/rpm/cnet.spec
version=$(sed -n 's/^VERSION := *//p' "$top/Makefile")
spec_version=$(sed -n 's/^Version: *//p' "$spec")
if [ "$version" != "$spec_version" ]; then
	echo "build-rpm.sh: Makefile says $version, $spec $spec_version" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/cnet-rpm.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{BUILD,BUILDROOT,RPMS,SOURCES,SPECS,SRPMS}
"$top/packaging/copy-tree.sh" "$top" "$work/cnet-$version"
tar -C "$work" --owner=0 --group=0 -czf "$work/SOURCES/cnet-$version.tar.gz" "cnet-$version"
cp "$work/cnet-$version/packaging/rpm/cnet.spec" "$work/SPECS/"

rpmbuild --nodeps -ba --define "_topdir $work" "$work/SPECS/cnet.spec"

shopt -s nullglob
files=("$work"/RPMS/*/*.rpm "$work"/SRPMS/*.rpm)
[ ${#files[@]} -gt 0 ] || { echo "build-rpm.sh: rpmbuild made nothing" >&2; exit 1; }
cp -f "${files[@]}" "$out"/
printf 'built: %s\n' "${files[@]##*/}"
