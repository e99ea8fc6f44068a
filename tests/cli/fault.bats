#!/usr/bin/env bats
# bats file_tags=netns
# Fail the N-th netlink request (or state store write) of an attach, for
# every N, with the test build's fault switch: each time, host, container
# and store must be exactly as before (fault_walk, test_helper.bash).

load test_helper

setup() {
	setup_host
	[ -x "$CNET_FI_BIN" ] || fail "no fault-injection build at $CNET_FI_BIN (make build/fi/cnet)"
	# A container that already has a default route, so --gw has one to replace.
	container_with_default_route "$CNS"
}
teardown() { teardown_host; }

walk() { fault_walk nl "$CNS" "$@"; }

@test "a macvlan attach failing at any netlink request leaves nothing behind" {
	walk macvlan --parent up0 --ip 10.70.0.2/24 --ip fd70::2/64 --gw 10.70.0.1 --route 10.71.0.0/16@10.70.0.9 --no-dad
}

@test "a veth attach failing at any netlink request removes the bridge it made" {
	walk veth --bridge brf --create-bridge --ip 10.72.0.2/24 --gw 10.72.0.1
}

@test "a host-device attach failing at any netlink request gives the device back as it was" {
	hostip link add hdf mtu 1400 address 02:00:00:00:0f:01 type veth peer name hdfp
	hostip link set hdfp up
	hostip link set hdf up
	hostip addr add 192.168.78.1/24 dev hdf
	walk host-device --dev hdf --force --ifname lan0 --mtu 1300 --mac 02:00:00:00:0f:02 --ip 10.73.0.2/24 --gw 10.73.0.1
}

@test "the release build has no fault switch" {
	CNET_FAULT_NL=1 CNET_FAULT_STORE=1 CNET_FAULT_SYSFS=1 run -0 cnet attach "$CNS" macvlan --parent up0
}

@test "a dual-gateway attach failing at any netlink request puts both old default routes back" {
	ip -n "$CNS" addr add fd31::2/64 dev old0 nodad
	ip -n "$CNS" -6 route add default via fd31::1 dev old0
	walk macvlan --parent up0 --ip 10.74.0.2/24 --ip fd74::2/64 --gw 10.74.0.1 --gw fd74::1 --no-dad
}

@test "a forced host-device attach failing at any netlink request puts the host's routes back" {
	hostip link add hdg type veth peer name hdgp
	hostip link set hdgp up
	hostip link set hdg up
	hostip addr add 10.75.0.1/24 dev hdg
	hostip route add 10.76.0.0/16 via 10.75.0.9 dev hdg
	walk host-device --dev hdg --force --ip 10.77.0.2/24
}

@test "a macvlan attach failing at any state store write leaves nothing behind" {
	fault_walk store "$CNS" macvlan --parent up0 --ip 10.78.0.2/24 --gw 10.78.0.1
}

@test "a host-device attach failing at any state store write gives the device back as it was" {
	hostip link add hdh mtu 1400 type veth peer name hdhp
	hostip link set hdh up
	fault_walk store "$CNS" host-device --dev hdh --mtu 1300 --ip 10.79.0.2/24
}

@test "a veth attach failing at any state store write removes the bridge it made" {
	fault_walk store "$CNS" veth --bridge brs --create-bridge --ip 10.80.0.2/24
}

@test "a repair failing at any netlink request keeps its record as it was, and the next reapply makes it" {
	local k before out
	cnet attach "netns:$CNS2" macvlan --parent up0 --ip 10.73.0.2/24 --route 10.74.0.0/16@10.73.0.1
	before=$(state_doc | jq -c '.records')
	for ((k = 1; k < 100; k++)); do
		ip netns del "$CNS2"
		ip netns add "$CNS2"
		if out=$(CNET_FAULT_NL=$k ip netns exec "$HOSTNS" "$CNET_FI_BIN" reapply 2>&1); then
			break # the walk is done: this repair had fewer requests
		fi
		[ "$(state_doc | jq -c '.records')" = "$before" ] || fail "request $k: record changed or lost: $out"
		[ "$(ip -n "$CNS2" -j link show | jq -r '.[].ifname')" = lo ] || fail "request $k: left behind"
	done
	((k > 3)) || fail "the walk ended at request $k"
	[ "$(addrs_of "$CNS2" eth1)" = 10.73.0.2/24 ]
}
