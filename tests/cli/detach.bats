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
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}

@test "detach --ifname removes only that interface" {
	cnet attach "$CNS" macvlan --parent up0 --ifname m1
	cnet attach "$CNS" macvlan --parent up0 --ifname m2
	run -0 cnet detach "$CNS" --ifname m1
	run -1 ip -n "$CNS" link show m1
	run -0 ip -n "$CNS" link show m2
	[ "$(jq -r '.records[].ifname' <(state_doc))" = m2 ]
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
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}

@test "detach of a host-device destroyed with its namespace warns and drops the record" {
	hostip link add hd1 type veth peer name hd1p
	cnet attach "$CNS" host-device --dev hd1
	ip netns del "$CNS"
	run -0 --separate-stderr cnet detach "$CNS"
	[[ "$stderr" == *"warning: device 'hd1' is gone"* ]]
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
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
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}

@test "detach --dry-run changes nothing" {
	cnet attach "$CNS" macvlan --parent up0 --ip 10.62.0.2/24
	before=$(ns_state "$CNS"; state_doc; store_bytes)
	run -0 cnet detach "$CNS" --dry-run
	assert_output "would remove macvlan eth1 from $CNS"
	[ "$(ns_state "$CNS"; state_doc; store_bytes)" = "$before" ]
}

@test "detaching twice is not an error and says nothing changed" {
	cnet attach "$CNS" macvlan --parent up0
	cnet detach "$CNS"
	run -0 cnet detach "$CNS" --json
	[ "$(jq -r .changed <<<"$output")" = false ]
}

@test "detach leaves alone a bridge of the same name that cnet did not create" {
	cnet attach "$CNS" veth --bridge br9 --create-bridge --host-ifname hv9
	ip netns del "$CNS"
	wait_link_gone "$HOSTNS" hv9
	hostip link del br9
	hostip link add br9 type bridge
	hostip addr add 10.63.0.1/24 dev br9
	run -0 --separate-stderr cnet detach "$CNS"
	[[ "$stderr" == *"bridge 'br9' is not the one cnet created"* ]]
	run -0 addrs_of "$HOSTNS" br9
	assert_output 10.63.0.1/24
}

@test "--force host-device gives back the host's routes through the device" {
	hostip link add hd6 type veth peer name hd6p
	hostip link set hd6 up
	hostip link set hd6p up
	hostip addr add 10.50.0.1/24 dev hd6
	hostip route add 10.51.0.0/16 via 10.50.0.9 dev hd6 metric 7
	before=$(ns_state "$HOSTNS")
	run -0 cnet attach "$CNS" host-device --dev hd6 --force
	run -0 hostip -j route show 10.51.0.0/16
	[ "$output" = "[]" ]
	run -0 cnet detach "$CNS"
	[ "$(ns_state "$HOSTNS")" = "$before" ]
}

@test "the default routes --gw replaced come back whole: onlink and multipath" {
	ip -n "$CNS" link add o1 type veth peer name o1p
	ip -n "$CNS" link add o2 type veth peer name o2p
	for l in o1 o1p o2 o2p; do ip -n "$CNS" link set "$l" up; done
	ip -n "$CNS" addr add 172.30.1.2/24 dev o1
	ip -n "$CNS" addr add 172.30.2.2/24 dev o2
	ip -n "$CNS" route add default nexthop via 172.30.1.1 dev o1 nexthop via 172.30.2.1 dev o2
	ip -n "$CNS" route add default via 169.254.1.1 dev o1 onlink metric 300
	before=$(ip -n "$CNS" -j route show default)
	run -0 cnet attach "$CNS" macvlan --parent up0 --ip 10.64.0.2/24 --gw 10.64.0.1
	[ "$(ip -n "$CNS" -j route show default | jq length)" = 1 ]
	run -0 cnet detach "$CNS"
	[ "$(ip -n "$CNS" -j route show default)" = "$before" ]
}

@test "detach does not crash on a hand-edited record with fields of the wrong type" {
	cnet attach "$CNS" host-device --dev up0p --force
	state_edit '.records[0].link = "oops" | .records[0].restore.ifindex = 1e300'
	run cnet detach "$CNS"
	[ "$status" -lt 128 ] || fail "cnet died with status $status"
}

# Found alive, a record's second lookup is skipped: its empty target
# holder must close nothing (it closed fd 0, cnet's standard input, or
# whatever reused that number: a netlink socket, the store's lock).
@test "detach of a live record closes no descriptor it did not open (not fd 0)" {
	command -v strace >/dev/null || need "strace (Debian package strace)"
	cnet attach "$CNS" macvlan --parent up0 --ip 10.60.0.2/24
	# (LeakSanitizer cannot run under ptrace: an ASan build's leak check is off here.)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 run -0 \
		ip netns exec "$HOSTNS" strace -f -qq -e trace=close -o "$BATS_TEST_TMPDIR/trace" \
		"$CNET_BIN" detach "$CNS"
	run -1 ip -n "$CNS" link show eth1
	run grep -E '^([0-9]+ +)?close\(0\)' "$BATS_TEST_TMPDIR/trace"
	[ "$status" = 1 ] || fail "detach closed fd 0: $output"
}
