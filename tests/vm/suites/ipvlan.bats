#!/usr/bin/env bats
# ipvlan in the guest (this host's kernel has none): containers on one
# uplink, a veth whose other end sits in a "peer" namespace (the network
# beyond the NIC). l2 and l3 modes, the slaves' MAC (the parent's), a
# restart brought back by reapply, and walks over every netlink request of
# an attach, failing and killed. Outcomes are read from the kernel.

load ../vm_helper

setup() {
	in_vm
	export CNET_STATE=$BATS_TEST_TMPDIR/state.json
	NSS=()
	newns ipeer
	ip link add ipu type veth peer name ipp netns ipeer
	ip link set ipu up
	ip -n ipeer link set ipp up
}

teardown() {
	local ns
	for ns in "${NSS[@]}"; do "$CNET_BIN" detach "$ns" >/dev/null 2>&1 || true; done
	for ns in "${NSS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
	ip link del ipu 2>/dev/null || true
	ip link del ivu 2>/dev/null || true
	ip link del vx77 2>/dev/null || true
}

cnet() { "$CNET_BIN" "$@"; }

newns() {
	ip netns add "$1"
	ip -n "$1" link set lo up
	NSS+=("$1")
}

pings() { ip netns exec "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1; }
eth1() { ip -n "$1" -d -j link show eth1 | jq -r ".[0]$2"; }

@test "ipvlan l2: containers and the uplink's peer reach each other; the slaves have the parent's MAC" {
	newns ia
	newns ib
	ip -n ipeer addr add 10.66.0.1/24 dev ipp
	run -0 cnet attach ia ipvlan --parent ipu --ip 10.66.0.2/24
	run -0 cnet attach ib ipvlan --parent ipu --ip 10.66.0.3/24 --mtu 1400 --flags private
	[ "$(eth1 ia .linkinfo.info_kind)" = ipvlan ]
	[ "$(eth1 ia .linkinfo.info_data.mode)" = l2 ]
	[ "$(eth1 ia .address)" = "$(ip -j link show ipu | jq -r '.[0].address')" ]
	[ "$(eth1 ib .address)" = "$(ip -j link show ipu | jq -r '.[0].address')" ]
	[ "$(eth1 ib .mtu)" = 1400 ]
	[ "$(eth1 ib .linkinfo.info_data.private)" = true ]
	retry 10 0.3 pings ia 10.66.0.1
	retry 10 0.3 pings ipeer 10.66.0.3
	# private: slaves do not reach each other, the uplink they do
	run -1 pings ib 10.66.0.2
	# a third in bridge mode reaches the first
	newns ic
	run -0 cnet attach ic ipvlan --parent ipu --ip 10.66.0.4/24
	retry 10 0.3 pings ic 10.66.0.2
	run -2 --separate-stderr cnet attach ic ipvlan --parent ipu --ifname eth2 --mac 02:00:00:00:66:01
	[[ "$stderr" == *"ipvlan takes no --mac"* ]]
	run -2 --separate-stderr cnet attach ic ipvlan --parent ipu --ifname eth2 --mode l3 --ip dhcp
	[[ "$stderr" == *"--ip dhcp needs ipvlan mode l2"* ]]
	run -0 cnet detach ia
	run -1 ip -n ia link show eth1
}

@test "ipvlan l3: the peer reaches the container through a route to its subnet" {
	newns il
	ip addr add 10.67.0.1/24 dev ipu
	ip -n ipeer addr add 10.67.0.2/24 dev ipp
	ip -n ipeer route add 10.68.0.0/24 via 10.67.0.1
	run -0 cnet attach il ipvlan --parent ipu --mode l3 --ip 10.68.0.2/24 --route 10.67.0.0/24
	[ "$(eth1 il .linkinfo.info_data.mode)" = l3 ]
	retry 10 0.3 pings il 10.67.0.2
	retry 10 0.3 pings ipeer 10.68.0.2
}

@test "ipvlan: a restarted container gets it back from reapply; --vlan rides on PARENT.VID" {
	newns ir
	run -0 cnet attach ir ipvlan --parent ipu --vlan 330 --ip 10.69.0.2/24
	[ "$(ip -d -j link show ipu.330 | jq -r '.[0].linkinfo.info_data.id')" = 330 ]
	ip netns del ir
	ip netns add ir
	run -0 cnet reapply
	assert_output --partial "repaired: ipvlan eth1 in ir: container restarted"
	[ "$(eth1 ir .linkinfo.info_kind)" = ipvlan ]
	[ "$(ip -n ir -j addr show eth1 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" = 10.69.0.2 ]
	run -0 cnet reapply
	refute_output --partial repaired
	run -0 cnet detach ir
	run -1 ip link show ipu.330
}

@test "ipvlan: an attach failing, or killed, at any netlink request leaves nothing behind, or nothing reapply cannot finish" {
	newns iw
	local fi=$TOP/build/fi/cnet
	world() { ip -d -j link show | jq -c '[.[] | {ifname, k: .linkinfo.info_kind}]'; ip -n iw -j link show | jq -c '[.[].ifname]'; state_records_quick; }
	WALK_LABEL="ipvlan --vlan" WALK_TOLERATE=no WALK_MIN=4 WALK_MAX=60 \
		walk_steps nl world iw -- "$fi" attach iw ipvlan --parent ipu --vlan 340 --ip 10.69.1.2/24
	run -0 cnet detach iw
	world() { ip -d -j link show | jq -c '[.[] | {ifname, k: .linkinfo.info_kind}]'; ip -n iw -j link show | jq -c '[.[].ifname]'; }
	WALK_LABEL="ipvlan (kill)" WALK_MIN=4 WALK_MAX=60 \
		walk_steps nl:kill world iw -- "$fi" attach iw ipvlan --parent ipu --ip 10.69.2.2/24
}

@test "ipvlan on a VXLAN segment: containers on two hosts reach each other; the last detach removes the device" {
	# host B: a namespace with its own store, joined to this one by a veth underlay
	newns ivb
	newns ia
	newns ib
	ip link add ivu type veth peer name ivu netns ivb
	ip addr add 192.168.79.1/24 dev ivu
	ip link set ivu up
	ip -n ivb addr add 192.168.79.2/24 dev ivu
	ip -n ivb link set ivu up
	run -0 cnet attach ia ipvlan --vxlan 77 --vxlan-dev ivu --vxlan-remote 192.168.79.2 --ip 10.67.0.2/24
	CNET_STATE=$BATS_TEST_TMPDIR/state-b.json ip netns exec ivb "$CNET_BIN" attach ib ipvlan --vxlan 77 \
		--vxlan-dev ivu --vxlan-remote 192.168.79.1 --ip 10.67.0.3/24
	[ "$(eth1 ia .linkinfo.info_kind)" = ipvlan ]
	[ "$(eth1 ia .address)" = "$(ip -j link show vx77 | jq -r '.[0].address')" ]
	[ "$(eth1 ia .mtu)" = 1450 ]
	[ "$(ip -d -j link show vx77 | jq -r '.[0].linkinfo.info_data.id')" = 77 ]
	retry 10 0.3 pings ia 10.67.0.3
	run -0 cnet detach ia
	run -1 ip link show vx77
	ip -n ivb link show vx77 >/dev/null
}
