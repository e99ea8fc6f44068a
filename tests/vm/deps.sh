#!/usr/bin/env bash
# Everything the VM rig needs, installed only when missing:
# - qemu-system-x86 >= 8 (the igb device emulates SR-IOV), from this
#   release's backports suite, on the mirror this machine already uses;
# - busybox-static (the initramfs) and kmod (depmod; modprobe in the guest);
# - Debian's kernel package, fetched with apt-get download and unpacked into
#   a cache (installing it would run this host's initramfs and boot hooks).
# Prints the kernel directory on its last line.
set -euo pipefail

CACHE=${CNET_VM_CACHE:-/var/cache/cnet-vm}
export DEBIAN_FRONTEND=noninteractive
codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
updated=

apt_update() {
	[ -n "$updated" ] || apt-get update -qq
	updated=1
}

have_igb() {
	command -v qemu-system-x86_64 >/dev/null &&
		qemu-system-x86_64 -device help 2>/dev/null | grep -q '"igb"'
}

if ! have_igb; then
	src=/etc/apt/sources.list.d/cnet-backports.sources
	if [ ! -e "$src" ]; then
		# The URIs of the stanza that serves this release: never a
		# hard-coded mirror.
		uris=$(awk -v c="$codename" 'BEGIN { RS = ""; FS = "\n" }
			{ u = ""; s = ""
			  for (i = 1; i <= NF; i++) { if ($i ~ /^URIs:/) u = $i; if ($i ~ /^Suites:/) s = $i }
			  if (s ~ ("[ :]" c "( |$)")) { sub(/^URIs:[ \t]*/, "", u); print u; exit } }' \
			/etc/apt/sources.list.d/*.sources 2>/dev/null || true)
		[ -n "$uris" ] || uris=$(awk -v c="$codename" '$1 == "deb" && $3 == c { print $2; exit }' \
			/etc/apt/sources.list 2>/dev/null || true)
		[ -n "$uris" ] || { echo "deps.sh: cannot find this machine's Debian mirror" >&2; exit 1; }
		printf 'Types: deb\nURIs: %s\nSuites: %s-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
			"$uris" "$codename" >"$src"
		updated=
	fi
	apt_update
	apt-get install -y -qq --no-install-recommends -t "$codename-backports" qemu-system-x86 >/dev/null
	have_igb || { echo "deps.sh: the installed QEMU has no igb device" >&2; exit 1; }
fi

missing=
for p in busybox-static kmod; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing+=" $p"
done
if [ -n "$missing" ]; then
	apt_update
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# docker.io: dockerd runs inside the guest only (tests/vm/suites/docker.bats).
# Installing it must not start or enable a Docker daemon on this host: the
# install runs with service starts denied, and the units it enabled are
# disabled again (only when this script installed it).
if ! dpkg-query -W -f='${Status}\n' docker.io 2>/dev/null | grep -q '^install ok installed'; then
	apt_update
	deny=/usr/sbin/policy-rc.d
	placed=
	if [ ! -e "$deny" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$deny"
		chmod 755 "$deny"
		placed=1
	fi
	apt-get install -y -qq --no-install-recommends docker.io >/dev/null || { [ -z "$placed" ] || rm -f "$deny"; exit 1; }
	[ -z "$placed" ] || rm -f "$deny"
	if command -v systemctl >/dev/null; then
		systemctl disable docker.service docker.socket containerd.service >/dev/null 2>&1 || true
	fi
fi

mkdir -p "$CACHE"
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
if [ -z "$pkg" ]; then
	apt_update
	pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
fi
kdir=$CACHE/$pkg
if [ ! -e "$kdir/.ready" ]; then
	rm -rf "$kdir" "$CACHE"/"$pkg"_*.deb
	(cd "$CACHE" && apt-get download "$pkg" 2>/dev/null) ||
		{ apt_update; (cd "$CACHE" && apt-get download "$pkg"); }
	dpkg-deb -x "$CACHE"/"$pkg"_*.deb "$kdir"
	rm -f "$CACHE"/"$pkg"_*.deb
	depmod -b "$kdir" "$(ls "$kdir/lib/modules")"
	touch "$kdir/.ready"
fi
echo "$kdir"
