#!/usr/bin/env bats
# The rig itself: the guest kernel has what this host's lacks, SR-IOV VFs
# come up and pass traffic across PFs, and a link cut from outside is seen.

load ../vm_helper

setup_file() {
	[ -n "${CNET_VM_SHARE:-}" ] || return 0
	for n in 1 2 3; do ip link set "$(pf $n)" up; done
}

setup() {
	in_vm
}

teardown() {
	ip netns del rig-a 2>/dev/null || true
	ip netns del rig-b 2>/dev/null || true
	ip link del rig-bond 2>/dev/null || true
	ip link del rig-dummy 2>/dev/null || true
}

@test "bonding, 802.1Q, ipvlan and dummy links can be created" {
	ip link add rig-dummy type dummy
	ip link add rig-bond type bond mode active-backup
	ip link add link rig-dummy name rig-dummy.100 type vlan id 100
	ip link add link rig-dummy name rig-ipvl type ipvlan mode l2
	[ "$(ip -d -j link show rig-bond | jq -r '.[0].linkinfo.info_kind')" = bond ]
	[ "$(ip -d -j link show rig-dummy.100 | jq -r '.[0].linkinfo.info_data.id')" = 100 ]
	[ "$(ip -d -j link show rig-ipvl | jq -r '.[0].linkinfo.info_kind')" = ipvlan ]
}

@test "each igb PF offers 7 VFs, and VFs come up with netdevs" {
	for n in 1 2 3; do
		p=$(pf $n)
		[ "$(cat /sys/class/net/$p/device/sriov_totalvfs)" = 7 ]
	done
	ensure_vfs "$(pf 1)" 2
	ensure_vfs "$(pf 2)" 2
	[ -d "/sys/class/net/$(vf "$(pf 1)" 0)" ]
	[ -d "/sys/class/net/$(vf "$(pf 2)" 1)" ]
	[ "$(readlink -f /sys/class/net/$(vf "$(pf 1)" 0)/device/physfn)" = "$(readlink -f /sys/class/net/$(pf 1)/device)" ]
}

@test "a VF of PF 1 and a VF of PF 2 in two namespaces ping each other" {
	ensure_vfs "$(pf 1)" 2
	ensure_vfs "$(pf 2)" 2
	a=$(vf "$(pf 1)" 0)
	b=$(vf "$(pf 2)" 0)
	ip netns add rig-a
	ip netns add rig-b
	ip link set "$a" netns rig-a
	ip link set "$b" netns rig-b
	ip -n rig-a addr add 10.99.0.1/24 dev "$a"
	ip -n rig-b addr add 10.99.0.2/24 dev "$b"
	ip -n rig-a link set "$a" up
	ip -n rig-b link set "$b" up
	retry 100 0.2 ip netns exec rig-a ping -c 1 -W 1 10.99.0.2 >/dev/null
}

@test "a link cut from outside drops the PF's carrier, and a restore brings it back" {
	p=$(pf 3)
	retry 50 0.1 has_carrier "$p"
	vm_link cut 3
	retry 50 0.1 bash -c "! grep -q 1 /sys/class/net/$p/carrier"
	vm_link restore 3
	retry 100 0.1 has_carrier "$p"
}
