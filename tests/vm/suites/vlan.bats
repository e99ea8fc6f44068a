#!/usr/bin/env bats
# 802.1Q in the guest (this host's kernel has no 8021q): the vlan kind, and
# macvlan --vlan on the host's PARENT.VID. Three uplinks (vu1..vu3) are
# veth pairs whose other ends sit on one plain bridge in a "switch"
# namespace, which forwards tagged frames as they are: what is on VLAN 100
# reaches VLAN 100 only. Outcomes are read from the kernel (ip -d -j, pings).

load ../vm_helper

setup() {
	in_vm
	export CNET_STATE=$BATS_TEST_TMPDIR/state.json
	NSS=()
	TEARDOWN_LINKS=()
	newns vsw
	ip -n vsw link add br0 type bridge
	ip -n vsw link set br0 up
	for i in 1 2 3; do
		ip link add "vu$i" type veth peer name "vs$i" netns vsw
		ip -n vsw link set "vs$i" master br0 up
		ip link set "vu$i" up
	done
}

teardown() {
	local ns
	for ns in "${NSS[@]}"; do "$CNET_BIN" detach "$ns" >/dev/null 2>&1 || true; done
	for ns in "${NSS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
	for i in 1 2 3; do ip link del "vu$i" 2>/dev/null || true; done
	for i in "${TEARDOWN_LINKS[@]}"; do ip link del "$i" 2>/dev/null || true; done
}

cnet() { "$CNET_BIN" "$@"; }

newns() {
	ip netns add "$1"
	ip -n "$1" link set lo up
	NSS+=("$1")
}

# Names and kinds of the host's links built on IF (its VLANs), sorted.
uppers_of() { # IF
	ip -d -j link show | jq -r --arg p "$1" '.[] | select(.link == $p) | "\(.ifname) \(.linkinfo.info_kind) \(.linkinfo.info_data.id // "-")"' | sort
}

pings() { ip netns exec "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1; }

@test "vlan: 802.1Q subinterfaces in containers; VLAN 100 reaches VLAN 100 only" {
	newns va
	newns vb
	newns vc
	run -0 cnet attach va vlan --parent vu1 --vlan 100 --ip 10.60.0.1/24
	run -0 cnet attach vb vlan --parent vu2 --vlan 100 --ip 10.60.0.2/24 --mtu 1400
	run -0 cnet attach vc vlan --parent vu3 --vlan 200 --ip 10.60.0.3/24
	l=$(ip -n va -d -j link show eth1 | jq '.[0]')
	[ "$(jq -r .linkinfo.info_kind <<<"$l")" = vlan ]
	[ "$(jq -r .linkinfo.info_data.id <<<"$l")" = 100 ]
	[ "$(jq -r .linkinfo.info_data.protocol <<<"$l")" = 802.1Q ]
	[ "$(ip -n vb -j link show eth1 | jq '.[0].mtu')" = 1400 ]
	retry 10 0.3 pings va 10.60.0.2
	run -1 ip netns exec va ping -c 2 -i 0.3 -W 1 10.60.0.3
	# one subinterface per VLAN ID and parent, wherever it lives
	newns vd
	run -4 --separate-stderr cnet attach vd vlan --parent vu1 --vlan 100
	[ "$stderr" = "cnet: 'vu1' already has a VLAN 100 subinterface (here or in another namespace)" ]
	[ "$(ip -n vd -j link show | jq length)" = 1 ]
	run -0 cnet detach va
	run -1 ip -n va link show eth1
}

@test "vlan: bad requests are refused before anything is made" {
	newns va
	run -2 --separate-stderr cnet attach va vlan --parent vu1
	[ "$stderr" = "cnet: vlan needs --parent IF and --vlan VID" ]
	run -2 --separate-stderr cnet attach va vlan --parent vu1 --vlan 0
	run -2 --separate-stderr cnet attach va vlan --parent vu1 --vlan 10:3
	[ "$stderr" = "cnet: a VLAN priority (QoS) applies to sriov and bond --vlan-mode hw only" ]
	run -2 cnet attach va veth --bridge br0 --vlan 10
	run -2 cnet attach va host-device --dev vu2 --vlan 10
	run -2 --separate-stderr cnet attach va macvlan --parent vu1abcdefghij --vlan 100
	[ "$stderr" = "cnet: the VLAN subinterface vu1abcdefghij.100 would be longer than 15 bytes" ]
	ip link set vu3 down
	run -5 cnet attach va vlan --parent vu3 --vlan 10
	[ "$(ip -n va -j link show | jq length)" = 1 ]
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}

@test "macvlan --vlan: sits on PARENT.VID, made once and removed with its last user; isolated by VLAN" {
	newns ma
	newns mb
	newns mc
	run -0 cnet attach ma macvlan --parent vu1 --vlan 100 --ip 10.61.0.1/24
	run -0 cnet attach mb macvlan --parent vu1 --vlan 100 --ip 10.61.0.2/24
	run -0 cnet attach mc macvlan --parent vu1 --vlan 200 --ip 10.61.0.3/24
	[ "$(uppers_of vu1)" = "$(printf 'vu1.100 vlan 100\nvu1.200 vlan 200')" ]
	[ "$(ip -d -j link show vu1.100 | jq -r '.[0].flags | index("UP") != null')" = true ]
	# the macvlans sit on the VLAN subinterfaces
	[ "$(ip -n ma -d -j link show eth1 | jq -r '.[0].linkinfo.info_kind')" = macvlan ]
	[ "$(ip -n ma -j link show eth1 | jq -r '.[0].link_index')" = "$(ip -j link show vu1.100 | jq '.[0].ifindex')" ]
	retry 10 0.3 pings ma 10.61.0.2
	run -1 ip netns exec ma ping -c 2 -i 0.3 -W 1 10.61.0.3
	# the first detach leaves vu1.100 to its other user; the last removes it
	run -0 cnet detach ma
	[ "$(uppers_of vu1)" = "$(printf 'vu1.100 vlan 100\nvu1.200 vlan 200')" ]
	run -0 cnet detach mb
	run -0 cnet detach mc
	[ -z "$(uppers_of vu1)" ]
}

@test "macvlan --vlan: a PARENT.VID the host had stays; a wrong one is refused (4)" {
	newns ma
	ip link add link vu2 name vu2.300 type vlan id 300
	ip link set vu2.300 up
	ip link add vu2.400 type veth peer name vu2x
	# (cleanup first: a failure below must not leave them to later tests)
	TEARDOWN_LINKS=(vu2.300 vu2.400)
	run -0 cnet attach ma macvlan --parent vu2 --vlan 300 --ip 10.62.0.1/24
	run -4 --separate-stderr cnet attach ma macvlan --parent vu2 --vlan 400 --ifname eth2
	[ "$stderr" = "cnet: host interface 'vu2.400' exists and is not VLAN 400 of 'vu2'" ]
	run -0 cnet detach ma
	[ "$(uppers_of vu2)" = "vu2.300 vlan 300" ]
	ip link del vu2.300
	ip link del vu2.400
}

@test "macvlan --vlan: an attach failing at any netlink request leaves host and container as they were" {
	newns mf
	local fi=$TOP/build/fi/cnet
	world() { ip -d -j link show | jq -c '[.[] | {ifname, k: .linkinfo.info_kind}]'; ip -n mf -j link show | jq -c '[.[].ifname]'; state_records_quick; }
	WALK_LABEL="macvlan --vlan" WALK_TOLERATE=no WALK_MIN=5 WALK_MAX=60 \
		walk_steps nl world mf -- "$fi" attach mf macvlan --parent vu3 --vlan 700 --ip 10.63.0.1/24
	run -0 cnet detach mf
	[ -z "$(uppers_of vu3)" ]
}

@test "vlan, macvlan --vlan: killed at any step, reapply and detach recover; a restarted container gets both back" {
	newns mk
	local fi=$TOP/build/fi/cnet
	world() { ip -d -j link show | jq -c '[.[] | {ifname, k: .linkinfo.info_kind}]'; ip -n mk -j link show | jq -c '[.[].ifname]'; }
	WALK_LABEL="macvlan --vlan" WALK_MIN=5 WALK_MAX=60 \
		walk_steps nl:kill world mk -- "$fi" attach mk macvlan --parent vu3 --vlan 710 --ip 10.64.0.1/24
	# restart: both namespaces go and come back empty; reapply rebuilds
	newns va
	run -0 cnet attach va vlan --parent vu1 --vlan 120 --ip 10.64.1.1/24
	for ns in mk va; do ip netns del "$ns"; ip netns add "$ns"; done
	run -0 cnet reapply
	[ "$(ip -n mk -d -j link show eth1 | jq -r '.[0].linkinfo.info_kind')" = macvlan ]
	[ "$(ip -n va -d -j link show eth1 | jq -r '.[0].linkinfo.info_data.id')" = 120 ]
	[ "$(uppers_of vu3)" = "vu3.710 vlan 710" ]
	[ "$(ip -n mk -j addr show eth1 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" = 10.64.0.1 ]
	run -0 cnet reapply
	refute_output --partial repaired
}
