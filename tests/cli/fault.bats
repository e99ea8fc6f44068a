#!/usr/bin/env bats
# bats file_tags=netns
# Fail the N-th netlink request of an attach, for every N, with the test
# build's fault switch: each time, host, container and store must be exactly
# as before. The walk ends when an attach succeeds with no fault injected
# (CNET_DEBUG shows whether it fired: a step whose failure cnet tolerates
# may succeed with one; then that attach is detached, and the walk goes on).

load test_helper

setup() {
	setup_host
	[ -x "$CNET_FI_BIN" ] || fail "no fault-injection build at $CNET_FI_BIN (make build/fi/cnet)"
	# A container that already has a default route, so --gw has one to replace.
	container_with_default_route "$CNS"
}
teardown() { teardown_host; }

walk() {
	local n=1 before
	while :; do
		before=$(world_snapshot)
		CNET_DEBUG=1 CNET_FAULT_NL=$n run --separate-stderr cnet_fi attach "$CNS" "$@"
		if [ "$status" = 0 ] && [[ "$stderr" != *"injected fault at netlink request $n"* ]]; then
			[ "$n" -gt 3 ] || fail "the walk ended after only $n requests"
			echo "# $1: $((n - 1)) requests, each rolled back" >&3
			return 0
		fi
		if [ "$status" = 0 ]; then # tolerated: attached all the same
			run -0 cnet detach "$CNS"
			[ "$(world_snapshot)" = "$before" ] || fail "request $n: tolerated, but detach left a change"
			n=$((n + 1))
			continue
		fi
		[[ "$stderr" == *"injected fault at netlink request $n"* ]] ||
			fail "request $n: unexpected failure: $stderr"
		[ "$(world_snapshot)" = "$before" ] || {
			diff <(echo "$before") <(world_snapshot) >&2
			fail "request $n: the failed attach left something changed"
		}
		n=$((n + 1))
		[ "$n" -lt 80 ] || fail "the walk did not end"
	done
}

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
	CNET_FAULT_NL=1 run -0 cnet attach "$CNS" macvlan --parent up0
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
