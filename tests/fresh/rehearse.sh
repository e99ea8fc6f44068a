#!/usr/bin/env bash
# The fresh-machine rehearsal (make check-fresh): README's two commands, as a
# new user runs them, in a minimal Debian root that has never had anything
# installed by hand. Packages installed on this machine cannot hide a missing
# install step there.
#
# 1. mmdebstrap --variant=minbase builds a root of this machine's release
#    from this machine's own apt sources (no mirror is named here), plus
#    the two packages a user needs before README's commands: git (to
#    clone) and make (to run them);
# 2. the working tree (uncommitted changes and new files too) is copied in;
# 3. inside it, in a private mount namespace with /proc, /sys and /dev bound
#    in and a tmpfs on /run (ip netns exec remounts / and /sys, which a
#    plain chroot refuses), made its root with pivot_root (the kernel
#    refuses a user namespace to a chrooted process, and a test makes one),
#    as root with CI=true (a skip is a failure): `make demo`, then
#    `make check-host` (all of make check but the VM).
#
# usage: tests/fresh/rehearse.sh [MAKE-TARGET...]   (default: demo check-host)
# CNET_FRESH_DIR: where the root is built (default /var/tmp/cnet-fresh; it
# is removed first, and again at the end unless CNET_FRESH_KEEP=1).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${CNET_FRESH_DIR:-/var/tmp/cnet-fresh}
root=$dir/root
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(demo check-host)

die() { echo "rehearse: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (it builds a root and makes namespaces)"
command -v mmdebstrap >/dev/null || die "mmdebstrap is needed (apt-get install mmdebstrap)"
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || die "cannot tell this machine's release from /etc/os-release"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", b - a }'; }

cleanup() {
	# the mounts lived in the private namespace; only files are left
	[ "${CNET_FRESH_KEEP:-}" = 1 ] || rm -rf "$dir"
}
rm -rf "$dir"
mkdir -p "$dir"
trap cleanup EXIT

# This machine's own deb822 and one-line sources, less the VM rig's
# backports stanza (tests/vm/deps.sh adds it; a fresh machine has none).
sources=$dir/sources
: >"$sources"
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] && [ "${f##*/}" != cnet-backports.sources ] && { cat "$f"; echo; } >>"$sources"
done
[ -s "$sources" ] || grep -hE '^deb ' /etc/apt/sources.list >"$sources" 2>/dev/null ||
	die "no apt sources on this machine"

t0=$(now)
# The mirrors here may be snapshots whose Release files are past Valid-Until;
# the same two options this machine's apt uses carry into the root.
mmdebstrap --quiet --variant=minbase --include=git,make \
	--aptopt='Acquire::Check-Valid-Until "false"' --aptopt='Acquire::Check-Date "false"' \
	"$codename" "$root" "$sources" || die "mmdebstrap failed"
t1=$(now)
base=$(chroot "$root" dpkg-query -W -f='${Status}\n' | grep -c 'install ok installed')
echo "rehearse: minimal $codename root with git and make, $base packages, $(du -sm "$root" | cut -f1) MB, in $(secs "$t0" "$t1") s"

"$top/packaging/copy-tree.sh" "$top" "$root/src"
# A throwaway root: package scripts may not start services in it.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"

status=0
unshare -m --propagation private env ROOT="$root" TARGETS="${targets[*]}" bash -euc '
	mount --bind "$ROOT" "$ROOT"
	for d in proc sys dev; do mount --rbind "/$d" "$ROOT/$d"; done
	mount -t tmpfs -o mode=755 tmpfs "$ROOT/run"
	mount -t tmpfs -o mode=1777 tmpfs "$ROOT/tmp"
	cd "$ROOT"
	mkdir -p .oldroot
	pivot_root . .oldroot
	exec /usr/bin/env -i CI=true HOME=/root LANG=C.UTF-8 TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		bash -ec "umount -l /.oldroot; rmdir /.oldroot; cd /src; for t in $TARGETS; do \
			echo \"rehearse: make \$t\"; s=\$(date +%s); make \$t; \
			echo \"rehearse: make \$t took \$((\$(date +%s) - s)) s\"; done"
' || status=$?
t2=$(now)
after=$(chroot "$root" dpkg-query -W -f='${Status}\n' | grep -c 'install ok installed')
echo "rehearse: make deps installed $((after - base)) packages; root now $(du -sm "$root" | cut -f1) MB"
if [ "$status" -eq 0 ]; then
	echo "rehearse: PASSED (make ${targets[*]}) in $(secs "$t0" "$t2") s"
else
	echo "rehearse: FAILED (make ${targets[*]}, exit $status) after $(secs "$t0" "$t2") s"
fi
exit "$status"
