#!/usr/bin/env bats
# bats file_tags=netns
# --host-access: the host namespace reaches its own macvlan containers
# through a shim on the parent. Read back from the kernel: links, host
# routes, pings from the host.

load test_helper

setup() {
	setup_host
	hostip addr add 10.60.0.1/24 dev up0
}
teardown() { teardown_host; }

# The host-access shims on the host: "NAME KIND MODE PARENT".
shims() {
	hostip -d -j link show | jq -r '.[] | select(.ifname | startswith("cnha")) |
		"\(.ifname) \(.linkinfo.info_kind) \(.linkinfo.info_data.mode) \(.link)"'
}

# The host's /32 routes: "DST DEV".
host_routes() {
	hostip -4 -j route show | jq -r '.[] | select(.dst | test("/") | not) | select(.dst != "default") | "\(.dst) \(.dev)"' | sort
}

no_ping() { ! ip netns exec "$1" ping -c 2 -W 1 "$2" >/dev/null 2>&1; }

@test "without --host-access the host cannot reach its macvlan container; with it, it can, until detach" {
	cnet attach "$CNS2" macvlan --parent up0 --ip 10.60.0.7/24
	no_ping "$HOSTNS" 10.60.0.7 # the kernel does not hairpin: what the option is for
	run cnet attach "$CNS" macvlan --parent up0 --ip 10.60.0.5/24 --host-access
	assert_success
	ping_from "$HOSTNS" 10.60.0.5
	[ "$(shims | wc -l)" = 1 ]
	read -r shim kind mode parent <<<"$(shims)"
	[ "$kind $mode $parent" = "macvlan bridge up0" ]
	[ "$(host_routes)" = "10.60.0.5 $shim" ]
	run cnet detach "$CNS"
	assert_success
	no_ping "$HOSTNS" 10.60.0.5
	[ -z "$(shims)" ]
	[ -z "$(host_routes)" ]
}

@test "a second container on the parent shares the shim; the last one removes it" {
	cnet attach "$CNS" macvlan --parent up0 --ip 10.60.0.5/24 --host-access
	cnet attach "$CNS2" macvlan --parent up0 --ip 10.60.0.6/24 --ip fd60::6/64 --no-dad --host-access
	[ "$(shims | wc -l)" = 1 ]
	shim=$(shims | cut -d' ' -f1)
	[ "$(host_routes)" = "10.60.0.5 $shim
10.60.0.6 $shim" ]
	[ "$(hostip -6 -j route show dev "$shim" | jq -r '.[] | select(.dst == "fd60::6") | .dst')" = fd60::6 ]
	ping_from "$HOSTNS" 10.60.0.5
	ping_from "$HOSTNS" 10.60.0.6
	cnet detach "$CNS" # the first, which made it
	[ "$(shims | cut -d' ' -f1)" = "$shim" ]
	[ "$(host_routes)" = "10.60.0.6 $shim" ]
	no_ping "$HOSTNS" 10.60.0.5
	ping_from "$HOSTNS" 10.60.0.6
	cnet detach "$CNS2"
	[ -z "$(shims)" ]
	[ -z "$(hostip -6 -j route show | jq -r '.[] | select(.dst == "fd60::6") | .dst')" ]
}

@test "reapply puts back a shim and a host route deleted under the record" {
	cnet attach "$CNS" macvlan --parent up0 --ip 10.60.0.5/24 --host-access
	shim=$(shims | cut -d' ' -f1)
	hostip route del 10.60.0.5 dev "$shim"
	run cnet reapply
	assert_success
	[ "$(host_routes)" = "10.60.0.5 $shim" ]
	hostip link del "$shim"
	run cnet reapply
	assert_success
	[ "$(shims | cut -d' ' -f1)" = "$shim" ]
	ping_from "$HOSTNS" 10.60.0.5
	cnet detach "$CNS"
	[ -z "$(shims)" ]
	[ -z "$(host_routes)" ]
}

@test "--host-access over a VXLAN segment's device" {
	hostip link add u1 type veth peer name u1p
	hostip addr add 192.168.78.1/24 dev u1
	hostip link set u1 up
	hostip link set u1p up
	# the host's source address is then on u1 (the only one): the
	# container needs a route back to it
	hostip addr del 10.60.0.1/24 dev up0
	cnet attach "$CNS" macvlan --vxlan 42 --vxlan-dev u1 --vxlan-remote 192.168.78.2 --ip 10.61.0.5/24 \
		--route 192.168.78.0/24 --host-access
	read -r shim kind mode parent <<<"$(shims)"
	[ "$parent" = vx42 ]
	ping_from "$HOSTNS" 10.61.0.5
	cnet detach "$CNS"
	[ -z "$(shims)" ]
	run hostip link show vx42
	assert_failure
}

@test "--host-access refusals: exit 2 or 4, nothing made" {
	run -2 cnet attach "$CNS" macvlan --parent up0 --ip dhcp --host-access
	assert_output --partial "--host-access needs static addresses"
	run -2 cnet attach "$CNS" macvlan --parent up0 --host-access
	assert_output --partial "--host-access needs --ip"
	run -2 cnet attach "$CNS" macvlan --parent up0 --mode private --ip 10.60.0.5/24 --host-access
	assert_output --partial "--mode bridge"
	run -2 cnet attach "$CNS" ipvlan --parent up0 --ip 10.60.0.5/24 --host-access
	assert_output --partial "--host-access does not apply to ipvlan"
	# a host interface under the shim's name that is not cnet's shim
	cnet attach "$CNS" macvlan --parent up0 --ip 10.60.0.5/24 --host-access --dry-run --json >"$BATS_TEST_TMPDIR/plan"
	cnet attach "$CNS" macvlan --parent up0 --ip 10.60.0.5/24 --host-access
	shim=$(shims | cut -d' ' -f1)
	cnet detach "$CNS"
	hostip link add "$shim" link up0 type macvlan mode bridge
	run -4 cnet attach "$CNS" macvlan --parent up0 --ip 10.60.0.5/24 --host-access
	assert_output --partial "'$shim' exists and is not cnet's host-access shim"
	[ "$(ip -n "$CNS" -j link show | jq length)" = 1 ]
	[ -z "$(host_routes)" ]
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}

@test "a --host-access attach failing at any netlink request leaves nothing behind" {
	WALK_MIN=6 WALK_LABEL="macvlan --host-access (nl)" fault_walk nl "$CNS" macvlan --parent up0 \
		--ip 10.60.0.5/24 --ip fd60::5/64 --no-dad --host-access
}

@test "a --host-access attach killed at any netlink request is recovered by reapply" {
	WALK_MIN=6 WALK_LABEL="macvlan --host-access (nl:kill)" fault_walk nl:kill "$CNS" macvlan --parent up0 \
		--ip 10.60.0.5/24 --host-access
}
