#!/usr/bin/env bats
# The container plays the attacker against a lent VF (issue 15, findings 1
# and 4): it renames the VF, changes its MAC, offers a look-alike with the
# VF's name and MAC, and hides the VF in a namespace of its own. cnet must
# never move the look-alike to the host, and must not lift the VF's
# isolation (the PF's VLAN for it) while the container may still hold it.

load ../vm_helper

setup() {
	in_vm
	P1=$(pf 1)
	ip link set "$P1" up
	ensure_vfs "$P1" 2
	export CNET_STATE=$BATS_TEST_TMPDIR/state.json
	NSS=()
	newns hs-c
	newns hs-n
}

teardown() {
	local ns
	for ns in "${NSS[@]}"; do "$CNET_BIN" detach "$ns" >/dev/null 2>&1 || true; done
	for ns in "${NSS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
}

cnet() { "$CNET_BIN" "$@"; }

newns() { # NAME
	ip netns add "$1"
	ip -n "$1" link set lo up
	NSS+=("$1")
}

vlan_of() { # PF I: the VLAN the PF puts VF I on
	ip -j link show "$1" | jq ".[0].vfinfo_list[] | select(.vf == $2) | .vlan_list[0].vlan // 0"
}

vf_pci() { # PF I
	basename "$(readlink "/sys/class/net/$1/device/virtfn$2")"
}

@test "hostile VF: reapply and detach move no look-alike to the host, and the VF comes back by its PCI address" {
	run -0 cnet attach hs-c sriov --pf "$P1" --vf 0 --vlan 100 --mac 02:00:00:77:00:01
	ip -n hs-c link set eth1 down
	ip -n hs-c link set eth1 name stolen0 address 02:00:00:77:66:66
	ip -n hs-c link add eth1 address 02:00:00:77:00:01 type veth peer name fakep
	run cnet reapply
	run cnet detach hs-c
	# the look-alike never left the container
	[ "$(ip -n hs-c -j -d link show fakep | jq -r '.[0].link_netnsid // "here"')" = here ]
	# the VF is on the host again, by its PCI address, and untagged
	retry 50 0.1 compgen -G "/sys/bus/pci/devices/$(vf_pci "$P1" 0)/net/*" >/dev/null
	[ "$(vlan_of "$P1" 0)" = 0 ]
}

@test "hostile VF: hidden in the container's own namespace, detach fails, keeps the record and the PF's VLAN" {
	run -0 cnet attach hs-c sriov --pf "$P1" --vf 0 --vlan 100
	ip -n hs-c link set eth1 netns hs-n
	run -4 cnet detach hs-c
	[ "$(vlan_of "$P1" 0)" = 100 ]
	run cnet reapply
	[ "$status" -ne 0 ]
	[ "$(vlan_of "$P1" 0)" = 100 ]
	# brought back under another name: detach gives it back and lifts the VLAN
	ip -n hs-n link set eth1 netns hs-c
	ip -n hs-c link set eth1 name other0
	run -0 cnet detach hs-c
	[ "$(vlan_of "$P1" 0)" = 0 ]
	retry 50 0.1 compgen -G "/sys/bus/pci/devices/$(vf_pci "$P1" 0)/net/*" >/dev/null
}
