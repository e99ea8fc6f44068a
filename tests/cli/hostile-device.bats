#!/usr/bin/env bats
# The container plays the attacker against what cnet gives back to the host
# and what it removes (issue 15, findings 1, 4, 7 and 13). The container is
# root in its namespace: it renames links, changes MACs, makes look-alikes,
# and hides devices in namespaces of its own (NESTED stands in for one).
# Every outcome is read back from the kernel.

load test_helper

setup() {
	setup_host
	NESTED=$P-n
	CREATED_NS+=("$NESTED")
	ip netns add "$NESTED"
}

teardown() {
	teardown_host
}

# A stand-in NIC lent with --force: a veth hd7 (peer hd7p stays on the host)
# carrying an address and a route, as a host NIC would.
lend_nic() {
	hostip link add hd7 address 02:00:00:00:07:01 type veth peer name hd7p
	hostip link set hd7 up
	hostip link set hd7p up
	hostip addr add 10.70.0.1/24 dev hd7
	hostip route add 10.71.0.0/16 via 10.70.0.9 dev hd7
	run -0 cnet attach "$CNS" host-device --dev hd7 --force --ifname lan0
	NIC=$(ip -n "$CNS" -j link show lan0 | jq -r '.[0].ifindex')
}

# The container hides the real NIC (new name, new MAC) and offers a veth
# of its own named NAME with the NIC's MAC.
plant_lookalike() { # NAME
	ip -n "$CNS" link set lan0 down
	ip -n "$CNS" link set lan0 name stolen0 address 02:00:00:00:66:66
	ip -n "$CNS" link add "$1" address 02:00:00:00:07:01 type veth peer name fakep
	ip -n "$CNS" link set "$1" up
}

# The look-alike's far end: its peer must still be in the container (no
# link_netnsid), i.e. the look-alike was never moved to the host.
assert_lookalike_stayed() {
	run -0 ip -n "$CNS" -j -d link show fakep
	[ "$(jq -r '.[0].link_netnsid // "here"' <<<"$output")" = here ] ||
		fail "the container's look-alike was moved out of the container"
}

@test "finding 1: reapply never gives the host a look-alike with the NIC's name and MAC" {
	lend_nic
	plant_lookalike lan0
	run cnet reapply
	assert_lookalike_stayed
	# whatever the host has under the NIC's name now is the NIC, its peer hd7p
	if hostip link show hd7 >/dev/null 2>&1; then
		[ "$(hostip -j link show hd7 | jq -r '.[0].link')" = hd7p ]
	fi
	# and no route of the host leads into the container's look-alike
	run -0 hostip -j route show 10.71.0.0/16
	if [ "$output" != "[]" ]; then
		[ "$(jq -r '.[0].dev' <<<"$output")" = hd7 ]
		[ "$(hostip -j link show hd7 | jq -r '.[0].link')" = hd7p ]
	fi
}

@test "finding 1: detach takes no look-alike named with the record's temporary name (cn<id>)" {
	lend_nic
	id=$(jq -r '.records[0].id' <(state_doc))
	plant_lookalike "cn$id"
	run cnet detach "$CNS"
	assert_lookalike_stayed
	if hostip link show hd7 >/dev/null 2>&1; then
		[ "$(hostip -j link show hd7 | jq -r '.[0].link')" = hd7p ]
	fi
}

@test "finding 1: detach finds the real NIC by its peer on the host, however renamed, and gives it back whole" {
	lend_nic
	plant_lookalike lan0
	run -0 cnet detach "$CNS"
	# the real NIC is back under its name, with its MAC, address and route
	link=$(link_json "$HOSTNS" hd7)
	[ "$(jq -r .link <<<"$link")" = hd7p ]
	[ "$(jq -r .address <<<"$link")" = 02:00:00:00:07:01 ]
	run -0 addrs_of "$HOSTNS" hd7
	assert_output 10.70.0.1/24
	[ "$(hostip -j route show 10.71.0.0/16 | jq -r '.[0].dev')" = hd7 ]
	assert_lookalike_stayed
}

@test "finding 1: host-device refuses a device with nothing the container cannot forge" {
	hostip link add br7 type bridge
	run -2 --separate-stderr cnet attach "$CNS" host-device --dev br7
	[[ "$stderr" == *"cannot lend 'br7'"* ]]
	[ "$(hostip -j link show br7 | jq -r '.[0].ifname')" = br7 ]
}

@test "finding 4: detach while the container hides the device in a namespace of its own fails and keeps the record" {
	lend_nic
	ip -n "$CNS" link set lan0 netns "$NESTED"
	run -4 --separate-stderr cnet detach "$CNS"
	[[ "$stderr" == *"neither in"* ]]
	run -1 hostip link show hd7
	# once the container brings it back (renamed, new MAC), detach gives it back
	ip -n "$NESTED" link set lan0 netns "$CNS"
	ip -n "$CNS" link set lan0 name x9 address 02:00:00:00:99:99
	run -0 cnet detach "$CNS"
	[ "$(link_json "$HOSTNS" hd7 | jq -r .address)" = 02:00:00:00:07:01 ]
	run -0 addrs_of "$HOSTNS" hd7
	assert_output 10.70.0.1/24
}

@test "finding 7: detach removes a renamed, unmarked macvlan and the macvlans the container stacked on it" {
	run -0 cnet attach "$CNS" macvlan --parent up0 --ip 10.72.0.2/24
	ip -n "$CNS" link set eth1 down
	ip -n "$CNS" link set eth1 name hidden0 alias ""
	ip -n "$CNS" link set hidden0 alias ""
	# stacked on eth1: the kernel puts it on the host NIC itself
	ip -n "$CNS" link add link hidden0 name extra0 type macvlan mode bridge
	run -0 cnet detach "$CNS"
	# nothing in the container rides on the host's up0 any more
	run -0 ip -n "$CNS" -j -d link show
	[ "$(jq '[.[] | select(.linkinfo.info_kind == "macvlan")] | length' <<<"$output")" = 0 ] ||
		fail "macvlans left in the container: $(jq -c '[.[] | select(.linkinfo.info_kind == "macvlan") | .ifname]' <<<"$output")"
}

@test "finding 7: detach of one macvlan leaves another record's macvlan on the same parent alone" {
	run -0 cnet attach "$CNS" macvlan --parent up0 --ifname m1 --ip 10.73.0.2/24
	run -0 cnet attach "$CNS" macvlan --parent up0 --ifname m2 --ip 10.73.0.3/24
	ip -n "$CNS" link set m1 alias ""
	run -0 cnet detach "$CNS" --ifname m1
	run -1 ip -n "$CNS" link show m1
	run -0 ip -n "$CNS" -j link show m2
}

@test "finding 13: a stale veth record is undone before the re-attach: the bridge it made goes at detach" {
	run -0 cnet attach "$CNS" veth --bridge br13 --create-bridge --ip 10.74.0.2/24
	# the container deletes its end (the host end goes with it)
	ip -n "$CNS" link del eth1
	run -0 cnet attach "$CNS" veth --bridge br13 --create-bridge --ip 10.74.0.2/24
	run -0 ip -n "$CNS" -j link show eth1
	run -0 cnet detach "$CNS"
	run -1 hostip link show br13
}

@test "finding 1: a veth whose peer is in another namespace is found by that peer, and one whose peer is in the container is refused" {
	hostip link add hd8 address 02:00:00:00:08:01 type veth peer name hd8p netns "$CNS2"
	run -0 cnet attach "$CNS" host-device --dev hd8 --ifname lan0
	ip -n "$CNS" link set lan0 name stolen0 address 02:00:00:00:66:66
	ip -n "$CNS" link add lan0 address 02:00:00:00:08:01 type veth peer name fakep
	run -0 cnet detach "$CNS"
	assert_lookalike_stayed
	[ "$(link_json "$HOSTNS" hd8 | jq -r .address)" = 02:00:00:00:08:01 ]
	[ "$(ip -n "$CNS2" -j -d link show hd8p | jq -r '.[0].link_netnsid')" != null ]
	# a peer in the container itself: the container could re-pair it
	hostip link add hd9 type veth peer name hd9p netns "$CNS"
	run -2 --separate-stderr cnet attach "$CNS" host-device --dev hd9
	[[ "$stderr" == *"its veth peer is in the container already"* ]]
	[ "$(hostip -j link show hd9 | jq -r '.[0].ifname')" = hd9 ]
}
