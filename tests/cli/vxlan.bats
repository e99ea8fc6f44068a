#!/usr/bin/env bats
# bats file_tags=netns
# --vxlan: containers on two "hosts" (the test's host namespace A and a
# second one, B, each with its own store), joined by a veth underlay u0,
# share one L2 segment through each host's VXLAN device vx<VNI>.
# Everything is read back from the kernel: links, FDB, pings.

load test_helper

setup() {
	setup_host
	HB=$P-b
	CNS3=$P-e
	CREATED_NS+=("$HB" "$CNS3")
	ip netns add "$HB"
	ip netns add "$CNS3"
	hostip link add u0 type veth peer name u0 netns "$HB"
	hostip addr add 192.168.77.1/24 dev u0
	hostip link set u0 up
	ip -n "$HB" addr add 192.168.77.2/24 dev u0
	ip -n "$HB" link set u0 up
}
teardown() { teardown_host; }

# cnet on host B, with B's own store.
cnetb() { CNET_STATE=$BATS_TEST_TMPDIR/state-b.json ip netns exec "$HB" "$CNET_BIN" "$@"; }

# attach on A (cnet) or B (cnetb): NS VNI ADDR [more options]
on_a() { cnet attach "$1" macvlan --vxlan "$2" --vxlan-dev u0 --vxlan-remote 192.168.77.2 --ip "$3" "${@:4}"; }
on_b() { cnetb attach "$1" macvlan --vxlan "$2" --vxlan-dev u0 --vxlan-remote 192.168.77.1 --ip "$3" "${@:4}"; }

# One ping, no retries: for what must not answer.
no_ping() { ! ip netns exec "$1" ping -c 2 -W 1 "$2" >/dev/null 2>&1; }

# "VNI UNDERLAY PORT ALIAS-PREFIX" of a VXLAN device, from the kernel.
vx_of() { # NS DEV
	ip -n "$1" -d -j link show dev "$2" |
		jq -r '.[0] | "\(.linkinfo.info_data.id) \(.linkinfo.info_data.link) \(.linkinfo.info_data.port) \(.ifalias // "-" | .[0:5])"'
}

@test "containers on two hosts share a VXLAN segment; another VNI does not" {
	run on_a "$CNS" 100 10.50.0.1/24
	assert_success
	run on_b "$CNS2" 100 10.50.0.2/24
	assert_success
	run on_b "$CNS3" 200 10.50.0.3/24
	assert_success
	[ "$(vx_of "$HOSTNS" vx100)" = "100 u0 4789 cnet:" ]
	[ "$(vx_of "$HB" vx100)" = "100 u0 4789 cnet:" ]
	[ "$(vx_of "$HB" vx200)" = "200 u0 4789 cnet:" ]
	# head-end replication: the all-zero entry to the other host
	run bridge -n "$HOSTNS" -j fdb show dev vx100
	[ "$(jq -r '.[] | select(.mac == "00:00:00:00:00:00") | .dst' <<<"$output")" = 192.168.77.2 ]
	# the container's MTU is the underlay's less 50
	[ "$(link_json "$CNS" eth1 | jq .mtu)" = 1450 ]
	[ "$(link_json "$CNS" eth1 | jq -r .link_netnsid)" != null ]
	ping_from "$CNS" 10.50.0.2
	ping_from "$CNS2" 10.50.0.1
	no_ping "$CNS" 10.50.0.3
}

@test "the same VXLAN segment over IPv6 remotes, and over a multicast group" {
	hostip addr add fd77::1/64 dev u0 nodad
	ip -n "$HB" addr add fd77::2/64 dev u0 nodad
	cnet attach "$CNS" macvlan --vxlan 300 --vxlan-dev u0 --vxlan-remote fd77::2 --ip 10.51.0.1/24
	cnetb attach "$CNS2" macvlan --vxlan 300 --vxlan-dev u0 --vxlan-remote fd77::1 --ip 10.51.0.2/24
	[ "$(link_json "$CNS" eth1 | jq .mtu)" = 1430 ] # 70 bytes over IPv6
	ping_from "$CNS" 10.51.0.2
	cnet attach "$CNS" macvlan --ifname eth2 --vxlan 400 --vxlan-dev u0 --vxlan-group 239.1.1.4 --ip 10.52.0.1/24
	cnetb attach "$CNS2" macvlan --ifname eth2 --vxlan 400 --vxlan-dev u0 --vxlan-group 239.1.1.4 --ip 10.52.0.2/24
	[ "$(ip -n "$HOSTNS" -d -j link show vx400 | jq -r '.[0].linkinfo.info_data.group')" = 239.1.1.4 ]
	ping_from "$CNS" 10.52.0.2
}

@test "the last record on a host removes its VXLAN device there, and only there" {
	on_a "$CNS" 100 10.50.0.1/24
	on_b "$CNS2" 100 10.50.0.2/24
	on_b "$CNS3" 100 10.50.0.3/24
	run cnetb detach "$CNS2"
	assert_success
	[ "$(vx_of "$HB" vx100)" = "100 u0 4789 cnet:" ] # CNS3 still rides on it
	ping_from "$CNS" 10.50.0.3
	run cnetb detach "$CNS3"
	assert_success
	run ip -n "$HB" link show vx100
	assert_failure
	[ "$(vx_of "$HOSTNS" vx100)" = "100 u0 4789 cnet:" ]
	run cnet detach "$CNS"
	assert_success
	run hostip link show vx100
	assert_failure
}

@test "reapply re-creates a VXLAN device deleted under its records" {
	on_a "$CNS" 100 10.50.0.1/24
	on_b "$CNS2" 100 10.50.0.2/24
	hostip link del vx100 # its macvlan in CNS goes with it
	wait_link_gone "$CNS" eth1
	run cnet reapply
	assert_success
	[ "$(vx_of "$HOSTNS" vx100)" = "100 u0 4789 cnet:" ]
	run bridge -n "$HOSTNS" -j fdb show dev vx100
	[ "$(jq -r '.[] | select(.mac == "00:00:00:00:00:00") | .dst' <<<"$output")" = 192.168.77.2 ]
	ping_from "$CNS" 10.50.0.2
	# and its detach still removes it
	cnet detach "$CNS"
	run hostip link show vx100
	assert_failure
}

@test "a VXLAN device the host had is used and left; one that is not that VNI is refused" {
	hostip link add vx100 type vxlan id 100 dev u0 dstport 4789
	hostip link set vx100 up
	on_a "$CNS" 100 10.50.0.1/24
	on_b "$CNS2" 100 10.50.0.2/24
	ping_from "$CNS" 10.50.0.2
	cnet detach "$CNS"
	[ "$(vx_of "$HOSTNS" vx100)" = "100 u0 4789 -" ]
	# another VNI under the name cnet would use: busy, nothing made
	hostip link add vx300 type vxlan id 7 dev u0 dstport 4789
	hostip link set vx300 up
	run -4 on_a "$CNS" 300 10.50.0.1/24
	assert_output --partial "'vx300' exists and is not VXLAN 300 on 'u0'"
	[ "$(ip -n "$CNS" -j link show | jq length)" = 1 ]
	[ "$(vx_of "$HOSTNS" vx300)" = "7 u0 4789 -" ]
}

@test "--mtu above the segment's is refused before anything is made" {
	run -2 on_a "$CNS" 100 10.50.0.1/24 --mtu 1451
	assert_output --partial "MTU 1451 is above VXLAN device vx100's MTU 1450"
	run hostip link show vx100
	assert_failure
	hostip link set u0 mtu 9000
	on_a "$CNS" 100 10.50.0.1/24 --mtu 8950
	[ "$(link_json "$CNS" eth1 | jq .mtu)" = 8950 ]
	[ "$(link_json "$HOSTNS" vx100 | jq .mtu)" = 8950 ]
}

@test "veth --vxlan: the bridge's VXLAN port puts its containers on the other host's segment" {
	run cnet attach "$CNS" veth --bridge brx --create-bridge --vxlan 100 --vxlan-dev u0 \
		--vxlan-remote 192.168.77.2 --ip 10.50.0.1/24
	assert_success
	on_b "$CNS2" 100 10.50.0.2/24
	[ "$(vx_of "$HOSTNS" vx100)" = "100 u0 4789 cnet:" ]
	[ "$(link_json "$HOSTNS" vx100 | jq -r .master)" = brx ]
	[ "$(link_json "$CNS" eth1 | jq .mtu)" = 1450 ]
	ping_from "$CNS" 10.50.0.2
	# a second container on the bridge shares it
	cnet attach "$CNS3" veth --bridge brx --vxlan 100 --vxlan-dev u0 --vxlan-remote 192.168.77.2 --ip 10.50.0.3/24
	ping_from "$CNS2" 10.50.0.3
	cnet detach "$CNS"
	[ "$(link_json "$HOSTNS" vx100 | jq -r .master)" = brx ]
	cnet detach "$CNS3"
	run hostip link show vx100
	assert_failure
	run hostip link show brx
	assert_failure
	# one the host has off the bridge is not taken
	hostip link add vx100 type vxlan id 100 dev u0 dstport 4789
	hostip link set vx100 up
	run -4 cnet attach "$CNS" veth --bridge brx --create-bridge --vxlan 100 --vxlan-dev u0 \
		--vxlan-remote 192.168.77.2 --ip 10.50.0.1/24
	assert_output --partial "'vx100' exists and is not a port of bridge 'brx'"
	run hostip link show brx
	assert_failure
}

@test "a veth --vxlan attach failing at any netlink request leaves nothing behind" {
	WALK_MIN=6 WALK_LABEL="veth --vxlan (nl)" fault_walk nl "$CNS" veth --bridge brx --create-bridge \
		--vxlan 100 --vxlan-dev u0 --vxlan-remote 192.168.77.2 --ip 10.50.0.1/24
}

@test "--vxlan usage errors: exit 2, nothing made" {
	run -2 cnet attach "$CNS" macvlan --vxlan 100 --vxlan-dev u0 --vxlan-remote 192.168.77.2 --parent up0
	assert_output --partial "not --parent"
	run -2 cnet attach "$CNS" macvlan --vxlan 100 --vxlan-remote 192.168.77.2
	assert_output --partial "--vxlan needs --vxlan-dev"
	run -2 cnet attach "$CNS" macvlan --vxlan 100 --vxlan-dev u0
	assert_output --partial "--vxlan-remote ADDR (repeatable) or --vxlan-group ADDR"
	run -2 cnet attach "$CNS" macvlan --vxlan 100 --vxlan-dev u0 --vxlan-remote 192.168.77.2 --vxlan-group 239.1.1.1
	run -2 cnet attach "$CNS" macvlan --parent up0 --vxlan-dev u0
	assert_output --partial "need --vxlan VNI"
	run -2 cnet attach "$CNS" macvlan --vxlan 16777216 --vxlan-dev u0 --vxlan-remote 192.168.77.2
	run -2 cnet attach "$CNS" macvlan --vxlan 100 --vxlan-dev u0 --vxlan-remote 239.1.1.1
	assert_output --partial "invalid --vxlan-remote '239.1.1.1'"
	run -2 cnet attach "$CNS" macvlan --vxlan 100 --vxlan-dev u0 --vxlan-group 10.0.0.1
	run -2 cnet attach "$CNS" macvlan --vxlan 100 --vxlan-dev u0 --vxlan-remote 192.168.77.2 --vxlan-remote fd77::2
	assert_output --partial "one family"
	run -2 cnet attach "$CNS" host-device --dev up0 --vxlan 100
	assert_output --partial "--vxlan does not apply to host-device"
	run -5 cnet attach "$CNS" macvlan --vxlan 100 --vxlan-dev nosuch0 --vxlan-remote 192.168.77.2
	assert_output --partial "underlay interface 'nosuch0' does not exist"
	[ "$(hostip -j link show | jq '[.[] | select(.ifname | startswith("vx"))] | length')" = 0 ]
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}

@test "a VXLAN attach failing at any netlink request leaves nothing behind" {
	WALK_MIN=6 WALK_LABEL="macvlan --vxlan (nl)" fault_walk nl "$CNS" macvlan --vxlan 100 --vxlan-dev u0 --vxlan-remote 192.168.77.2 \
		--vxlan-remote 192.168.77.3 --ip 10.50.0.1/24
	run hostip link show vx100
	assert_success
}

@test "a VXLAN attach killed at any netlink request is recovered by reapply" {
	WALK_MIN=6 WALK_LABEL="macvlan --vxlan (nl:kill)" fault_walk nl:kill "$CNS" macvlan --vxlan 100 --vxlan-dev u0 --vxlan-remote 192.168.77.2 \
		--ip 10.50.0.1/24
}
