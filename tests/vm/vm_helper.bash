# Shared by the guest suites (tests/vm/suites). They run inside the test VM
# as root, with CI=true, on Debian's full kernel and three emulated igb NICs
# (pf1..pf3, MACs 52:54:00:c0:00:0N) on one QEMU hub.
bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash
# The fault and kill walks: walk_steps MODE WORLD TARGET -- CMD...
source "$(dirname "${BASH_SOURCE[0]}")/../fault_walk.bash"
# The state store read back without cnet: state_doc, state_edit, store_bytes.
source "$(dirname "${BASH_SOURCE[0]}")/../state_doc.bash"

TOP=$(cd "$BATS_TEST_DIRNAME/../../.." && pwd)
CNET_BIN=$TOP/build/cnet

# The release build (walk_steps detaches and reapplies with it).
cnet() { "$CNET_BIN" "$@"; }

in_vm() {
	[ -n "${CNET_VM_SHARE:-}" ] || fail "not in the test VM (run tests/vm/run.sh)"
}

# The netdev of PF N, found by the MAC the rig gave it.
pf() { # N
	local d
	for d in /sys/class/net/*; do
		[ -d "$d" ] && [ "$(cat "$d/address")" = "52:54:00:c0:00:0$1" ] && { basename "$d"; return 0; }
	done
	return 1
}

# Poll CMD until it succeeds, at most TRIES times DELAY seconds.
retry() { # TRIES DELAY CMD...
	local n=$1 d=$2 i
	shift 2
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep "$d"
	done
	return 1
}

has_carrier() { [ "$(cat "/sys/class/net/$1/carrier" 2>/dev/null)" = 1 ]; }

# Ask the host to cut or restore PF N's link (QMP set_link): the guest
# cannot reach QEMU's monitor itself.
vm_link() { # cut|restore N
	local share=$CNET_VM_SHARE
	rm -f "$share/link.ack"
	echo "$1 $2" >"$share/link.req.tmp"
	mv "$share/link.req.tmp" "$share/link.req"
	retry 200 0.05 test -f "$share/link.ack" || fail "the host did not answer '$1 $2'"
	[ "$(cat "$share/link.ack")" = "ok $1 $2" ] || fail "the host refused '$1 $2': $(cat "$share/link.ack")"
	rm -f "$share/link.ack"
}

# Create COUNT VFs on a PF once per boot. Writing sriov_numvfs resets the
# PF; letting igbvf probe the VFs only after the PF has its carrier back
# saves igbvf's own 10 s reset delay (vm-notes: 12-13 s down to ~4 s).
ensure_vfs() { # PF COUNT
	local dev=/sys/class/net/$1/device v
	[ "$(cat "$dev/sriov_numvfs")" -ge "$2" ] && return 0
	[ "$(cat "$dev/sriov_numvfs")" = 0 ] || echo 0 >"$dev/sriov_numvfs"
	echo 0 >"$dev/sriov_drivers_autoprobe"
	echo "$2" >"$dev/sriov_numvfs"
	retry 100 0.1 has_carrier "$1" || fail "$1 has no carrier after creating VFs"
	echo 1 >"$dev/sriov_drivers_autoprobe"
	for v in "$dev"/virtfn*; do
		basename "$(readlink -f "$v")" >/sys/bus/pci/drivers_probe
	done
	for v in "$dev"/virtfn*; do
		retry 100 0.05 compgen -G "$v/net/*" >/dev/null || fail "no netdev for $(basename "$v")"
	done
}

# The netdev of VF I of PF.
vf() { # PF I
	basename "$(echo /sys/class/net/"$1"/device/virtfn"$2"/net/*)"
}

# Two VFs each of PFs 1 and 2 for a test to use ($p1, $p2), and the far end
# of their traffic: VF 0 of PF 3 as peer0 in namespace NS, addressed ADDR.
vf_peer_rig() { # NS ADDR
	p1=$(pf 1) p2=$(pf 2) p3=$(pf 3)
	for p in "$p1" "$p2" "$p3"; do ip link set "$p" up; done
	ensure_vfs "$p1" 2
	ensure_vfs "$p2" 2
	ensure_vfs "$p3" 1
	ip netns add "$1"
	ip link set "$(vf "$p3" 0)" netns "$1" name peer0
	ip -n "$1" addr add "$2" dev peer0
	ip -n "$1" link set peer0 up
}

# Namespaces a test makes (newns), detached (giving lent VFs back) and
# deleted by drop_nss in its teardown.
newns() { # NAME
	ip netns add "$1"
	ip -n "$1" link set lo up
	NSS+=("$1")
}

drop_nss() {
	local ns
	for ns in "${NSS[@]}"; do "$CNET_BIN" detach "$ns" >/dev/null 2>&1 || true; done
	for ns in "${NSS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
}
