#!/usr/bin/env bats
# bats file_tags=netns
# Detach: what attach made goes, what it moved comes back, records go.

load test_helper

setup() { setup_host; }
teardown() { teardown_host; }

@test "detach removes the macvlan and its record" {
	cnet attach "$CNS" macvlan --parent up0 --ip 10.60.0.2/24
	run -0 cnet detach "$CNS"
	assert_output "detached macvlan eth1 from $CNS"
	run -1 ip -n "$CNS" link show eth1
	[ "$(jq '.records | length' "$CNET_STATE")" = 0 ]
}

@test "detach --ifname removes only that interface" {
	cnet attach "$CNS" macvlan --parent up0 --ifname m1
	cnet attach "$CNS" macvlan --parent up0 --ifname m2
	run -0 cnet detach "$CNS" --ifname m1
	run -1 ip -n "$CNS" link show m1
	run -0 ip -n "$CNS" link show m2
	[ "$(jq -r '.records[].ifname' "$CNET_STATE")" = m2 ]
}

@test "detach finds records by namespace identity whatever name the target is given" {
	cnet attach "netns:$CNS" macvlan --parent up0
	run -0 cnet detach "/run/netns/$CNS"
	run -1 ip -n "$CNS" link show eth1
}

@test "detach after the namespace was deleted drops the record and the bridge cnet made" {
	cnet attach "$CNS" veth --bridge brd --create-bridge --host-ifname hvd
	ip netns del "$CNS"
	wait_link_gone "$HOSTNS" hvd
	run -0 cnet detach "$CNS"
	assert_output --partial "detached veth eth1"
	run -1 hostip link show brd
	[ "$(jq '.records | length' "$CNET_STATE")" = 0 ]
}

@test "detach of a host-device destroyed with its namespace warns and drops the record" {
	hostip link add hd1 type veth peer name hd1p
	cnet attach "$CNS" host-device --dev hd1
	ip netns del "$CNS"
	run -0 --separate-stderr cnet detach "$CNS"
	[[ "$stderr" == *"warning: device 'hd1' is gone"* ]]
	[ "$(jq '.records | length' "$CNET_STATE")" = 0 ]
}

@test "a returned device whose name was taken on the host comes back as cnet<ifindex>" {
	hostip link add hd2 type veth peer name hd2p
	ifindex=$(hostip -j link show hd2 | jq .[0].ifindex)
	cnet attach "$CNS" host-device --dev hd2
	hostip link add hd2 type bridge
	run -0 --separate-stderr cnet detach "$CNS"
	[[ "$stderr" == *"device returned as 'cnet$ifindex'"* ]]
	[ "$(link_json "$HOSTNS" "cnet$ifindex" | jq -r .linkinfo.info_kind)" = veth ]
	[ "$(link_json "$HOSTNS" hd2 | jq -r .linkinfo.info_kind)" = bridge ]
}

@test "host-device --force gives the device's addresses back on detach" {
	hostip link add hd3 type veth peer name hd3p
	hostip link set hd3 up
	hostip addr add 192.168.77.1/24 dev hd3
	run -4 cnet attach "$CNS" host-device --dev hd3
	run -0 cnet attach "$CNS" host-device --dev hd3 --force --ip 10.61.0.2/24
	run -1 hostip link show hd3
	run -0 cnet detach "$CNS"
	run -0 addrs_of "$HOSTNS" hd3
	assert_output 192.168.77.1/24
}

@test "detach of a re-created namespace of the same name leaves the new one alone" {
	cnet attach "$CNS" macvlan --parent up0
	ip netns del "$CNS"
	ip netns add "$CNS"
	ip -n "$CNS" link add eth1 type veth peer name eth1p
	run -0 cnet detach "$CNS"
	# the new namespace's own eth1 is not ours: untouched
	run -0 ip -n "$CNS" link show eth1
	[ "$(jq '.records | length' "$CNET_STATE")" = 0 ]
}

@test "detach --dry-run changes nothing" {
	cnet attach "$CNS" macvlan --parent up0 --ip 10.62.0.2/24
	before=$(ns_state "$CNS"; cat "$CNET_STATE")
	run -0 cnet detach "$CNS" --dry-run
	assert_output "would remove macvlan eth1 from $CNS"
	[ "$(ns_state "$CNS"; cat "$CNET_STATE")" = "$before" ]
}

@test "detaching twice is not an error and says nothing changed" {
	cnet attach "$CNS" macvlan --parent up0
	cnet detach "$CNS"
	run -0 cnet detach "$CNS" --json
	[ "$(jq -r .changed <<<"$output")" = false ]
}
