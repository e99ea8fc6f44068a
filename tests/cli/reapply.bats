#!/usr/bin/env bats
# bats file_tags=netns
# reapply brings recorded attachments back; ls reports their live state.
# Outcomes are read from the kernel; the store is read only for record ids.

load test_helper

setup() { setup_host; }
teardown() {
	[ -z "${HELD:-}" ] || umount "$HELD" 2>/dev/null || true
	teardown_host
}

# What a container looks like from the inside, for before/after comparisons.
inside() { # NS
	link_json "$1" eth1 | jq -r '"\(.linkinfo.info_kind) \(.mtu) \(.address)"'
	addrs_of "$1" eth1
	ip -n "$1" -j route show | jq -r '.[] | "\(.dst) \(.gateway // "-") \(.dev)"' | sort
}

@test "after a container restart reapply restores the identical setup, and a second reapply changes nothing" {
	cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.82.0.2/24 --ip fd82::2/64 --no-dad \
		--gw 10.82.0.1 --route 10.83.0.0/16@10.82.0.9 --mtu 1400
	before=$(inside "$CNS")
	ip netns del "$CNS"
	ip netns add "$CNS"
	run -0 cnet reapply
	assert_output --partial "repaired: macvlan eth1 in netns:$CNS: container restarted"
	[ "$(inside "$CNS")" = "$before" ]
	run -0 cnet reapply --json
	[ "$(jq -r .changed <<<"$output")" = false ]
	[ "$(jq -r '.records[0].status' <<<"$output")" = ok ]
	[ "$(inside "$CNS")" = "$before" ]
}

# A restart whose old namespace outlives its name for 3 s, its links in
# it, as on a busy host: HOLDER keeps it by an open file only, so that
# nothing (no mount, no process in it) leads cnet to it.
restart_held() { # NS
	sleep 3 3<"/run/netns/$1" &
	HOLDER=$!
	wait_until 30 holds_ns "$HOLDER" "$1"
	[ "$(stat -L -c %i "/proc/$HOLDER/fd/3")" = "$(stat -L -c %i "/run/netns/$1")" ]
	ip netns del "$1"
	ip netns add "$1"
}
# holds_ns PID NS: process PID's fd 3 is namespace NS (until its redirection
# is done, the fd 3 it has is the one it inherited from bats).
holds_ns() { [ "$(stat -L -c %i "/proc/$1/fd/3" 2>/dev/null)" = "$(stat -L -c %i "/run/netns/$2")" ]; }

@test "reapply clears the old namespace a bind mount still holds (as Docker keeps a sandbox's), and repairs at once" {
	local held=$BATS_TEST_TMPDIR/sandbox
	cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.82.3.2/24
	touch "$held"
	mount --bind "/run/netns/$CNS" "$held"
	HELD=$held
	ip netns del "$CNS"
	ip netns add "$CNS"
	# the old one still has its eth1, holding the MAC on the parent
	[ -n "$(nsenter --net="$held" ip -o link show eth1)" ]
	run -0 cnet reapply
	[ "$(nsenter --net="$held" ip -j link show | jq -r '.[].ifname')" = lo ]
	run -0 addrs_of "$CNS" eth1
	assert_output 10.82.3.2/24
}

@test "reapply waits while the old namespace still holds a restarted container's MAC (asked with --mac, then kept)" {
	local m2
	cnet attach "netns:$CNS" macvlan --parent up0 --mac 02:00:00:00:82:31 --ip 10.82.1.2/24
	restart_held "$CNS"
	run -0 cnet reapply
	wait "$HOLDER"
	[ "$(link_json "$CNS" eth1 | jq -r .address)" = 02:00:00:00:82:31 ]
	run -0 addrs_of "$CNS" eth1
	assert_output 10.82.1.2/24
	# the MAC the kernel chose, kept by the record
	cnet detach "netns:$CNS"
	cnet attach "netns:$CNS" macvlan --parent up0 --ifname eth2 --ip 10.82.2.2/24
	m2=$(link_json "$CNS" eth2 | jq -r .address)
	restart_held "$CNS"
	run -0 cnet reapply
	wait "$HOLDER"
	[ "$(link_json "$CNS" eth2 | jq -r .address)" = "$m2" ]
	run -0 addrs_of "$CNS" eth2
	assert_output 10.82.2.2/24
}

@test "reapply repairs drift: an MTU changed and an address deleted by hand" {
	cnet attach "$CNS" macvlan --parent up0 --ip 10.84.0.2/24 --gw 10.84.0.1
	before=$(inside "$CNS")
	ip -n "$CNS" link set eth1 mtu 1300
	run -0 cnet reapply
	assert_output --partial "MTU is 1300, not 1500"
	[ "$(inside "$CNS")" = "$before" ]
	ip -n "$CNS" addr del 10.84.0.2/24 dev eth1
	run -0 cnet reapply
	assert_output --partial "address 10.84.0.2/24 missing"
	[ "$(inside "$CNS")" = "$before" ]
}

@test "reapply finds its route among a hundred others, and leaves them alone" {
	# 100 routes through the link that the kernel's dump gives before the
	# record's: reapply once read 64 routes at most and found it missing
	cnet attach "$CNS" macvlan --parent up0 --ip 10.89.0.2/16 --route 10.250.0.0/24@10.89.0.1 \
		--gw 10.89.0.1
	for i in $(seq 1 100); do
		ip -n "$CNS" route add "10.1.$i.0/24" via 10.89.0.1 dev eth1
	done
	before=$(link_json "$CNS" eth1 | jq .ifindex)
	run -0 cnet reapply --json
	[ "$(jq -r '.records[0].status' <<<"$output")" = ok ]
	[ "$(link_json "$CNS" eth1 | jq .ifindex)" = "$before" ]
	[ "$(ip -n "$CNS" -j route show dev eth1 | jq '[.[] | select(.dst | startswith("10.1."))] | length')" = 100 ]
	# and one that is gone is still found missing, and put back
	ip -n "$CNS" route del 10.250.0.0/24
	run -0 cnet reapply
	assert_output --partial "route 10.250.0.0/24@10.89.0.1 missing"
	[ "$(ip -n "$CNS" -j route show 10.250.0.0/24 | jq -r '.[0].gateway')" = 10.89.0.1 ]
}

@test "reapply finds an address among many others as asked, and leaves the link alone" {
	# the record's IPv6 address comes after 40 IPv4 ones in the kernel's
	# dump: past what reapply keeps of one read, so it reads again
	cnet attach "$CNS" macvlan --parent up0 --ip fd87::2/64 --no-dad
	for i in $(seq 1 40); do
		ip -n "$CNS" addr add "10.87.$i.1/24" dev eth1
	done
	before=$(link_json "$CNS" eth1 | jq .ifindex)
	run -0 cnet reapply --json
	[ "$(jq -r '.records[0].status' <<<"$output")" = ok ]
	[ "$(link_json "$CNS" eth1 | jq .ifindex)" = "$before" ]
	[ "$(ip -n "$CNS" -j addr show dev eth1 | jq '[.[0].addr_info[] | select(.family == "inet")] | length')" = 40 ]
	# and one that is gone is still found missing
	ip -n "$CNS" addr del fd87::2/64 dev eth1
	run -0 cnet reapply
	assert_output --partial "address fd87::2/64 missing"
	run -0 addrs_of "$CNS" eth1
	assert_line fd87::2/64
}

@test "reapply restores a veth on its bridge after the namespace was re-created" {
	cnet attach "$CNS" veth --bridge br7 --create-bridge --ip 10.85.0.2/24
	ip netns del "$CNS"
	wait_link_gone "$HOSTNS" "$(jq -r '.records[0].host.ifname' <(state_doc))"
	ip netns add "$CNS"
	run -0 cnet reapply
	[ "$(link_json "$CNS" eth1 | jq -r .linkinfo.info_kind)" = veth ]
	[ "$(hostip -j link show master br7 | jq length)" = 1 ]
	run -0 addrs_of "$CNS" eth1
	assert_output 10.85.0.2/24
}

@test "reapply repairs a moved device that drifted, keeping it in the container" {
	hostip link add hd7 mtu 1400 type veth peer name hd7p
	hostip link set hd7p up
	cnet attach "$CNS" host-device --dev hd7 --ifname lan0 --ip 10.86.0.2/24
	ip -n "$CNS" addr flush dev lan0
	run -0 cnet reapply
	assert_output --partial "address 10.86.0.2/24 missing"
	run -0 addrs_of "$CNS" lan0
	assert_output 10.86.0.2/24
	run -1 hostip link show hd7
	# and detach still gives it back as it was
	run -0 cnet detach "$CNS"
	[ "$(link_json "$HOSTNS" hd7 | jq .mtu)" = 1400 ]
}

@test "a stopped container is reported and skipped, not a failure" {
	cnet attach "$CNS" macvlan --parent up0
	ip netns del "$CNS"
	run -0 cnet reapply --json
	[ "$(jq -r '.records[0].status' <<<"$output")" = stopped ]
	[ "$(jq -r .ok <<<"$output")" = true ]
	[ "$(jq '.records | length' <(state_doc))" = 1 ]
}

@test "a record that cannot be brought back fails reapply with exit 7, naming it, and is kept" {
	cnet attach "$CNS" macvlan --parent up0 --ip 10.87.0.2/24
	ip netns del "$CNS"
	ip netns add "$CNS"
	hostip link set up0 down
	run -7 --separate-stderr cnet reapply
	assert_output --partial "failed: macvlan eth1 in $CNS"
	[[ "$stderr" == *"1 record could not be brought back"* ]]
	[ "$(jq '.records | length' <(state_doc))" = 1 ]
	hostip link set up0 up
	run -0 cnet reapply
	[ "$(link_json "$CNS" eth1 | jq -r .linkinfo.info_kind)" = macvlan ]
}

@test "reapply TARGET touches only that target's records" {
	cnet attach "$CNS" macvlan --parent up0 --ip 10.88.0.2/24
	cnet attach "$CNS2" macvlan --parent up0 --ip 10.88.0.3/24
	ip -n "$CNS" link set eth1 mtu 1280
	ip -n "$CNS2" link set eth1 mtu 1280
	run -0 cnet reapply "$CNS2"
	[ "$(link_json "$CNS2" eth1 | jq .mtu)" = 1500 ]
	[ "$(link_json "$CNS" eth1 | jq .mtu)" = 1280 ]
}

@test "ls and reapply --dry-run report drift without changing anything" {
	cnet attach "$CNS" macvlan --parent up0 --ip 10.89.0.2/24
	ip -n "$CNS" link set eth1 mtu 1280
	before=$(ns_state "$CNS"; state_doc; store_bytes)
	run -0 cnet ls
	assert_line --regexp "^[0-9a-f]{8} +$CNS +macvlan +eth1 +drifted \\(MTU is 1280, not 1500\\)$"
	run -0 cnet reapply --dry-run
	assert_output --partial "would repair: drifted: macvlan eth1 in $CNS"
	[ "$(ns_state "$CNS"; state_doc; store_bytes)" = "$before" ]
}

@test "a reapply that finds another one running leaves at once, quietly" {
	cnet attach "$CNS" macvlan --parent up0
	ip -n "$CNS" link set eth1 mtu 1280
	exec {fd}>"$CNET_STATE.reapply"
	flock "$fd"
	run -0 cnet reapply
	assert_output ""
	exec {fd}>&-
	[ "$(link_json "$CNS" eth1 | jq .mtu)" = 1280 ]
}

# in_ns PID NS: process PID is in namespace NS.
in_ns() { [ "$(readlink "/proc/$1/ns/net")" = "$(ip netns exec "$2" readlink /proc/self/ns/net)" ]; }

@test "a pid: record whose PID now belongs to another process is treated as gone, never acted on" {
	ip netns exec "$CNS" sleep 60 &
	pid=$!
	wait_until 30 in_ns "$pid" "$CNS" || fail "the sleeper (PID $pid) never entered $CNS"
	cnet attach "pid:$pid" macvlan --parent up0 --ip 10.91.0.2/24
	# as if the PID had been reused: the recorded start time no longer matches
	state_edit '.records[0].netns.pid_start += 1'
	ip -n "$CNS" link set eth1 mtu 1280
	before=$(ns_state "$CNS")
	run -0 cnet reapply --json
	[ "$(jq -r '.records[0].status' <<<"$output")" = stopped ]
	[[ "$(jq -r '.records[0].reason' <<<"$output")" == *"PID now belongs to another"* ]]
	run -0 cnet gc --yes
	[ "$(ns_state "$CNS")" = "$before" ]
	kill "$pid"
}

@test "gc: --dry-run lists records of containers that are gone; --yes cleans up and drops them" {
	cnet attach "$CNS" veth --bridge brg --create-bridge --ip 10.92.0.2/24
	cnet attach "$CNS2" macvlan --parent up0 --ip 10.92.0.3/24
	ip netns del "$CNS"
	wait_link_gone "$HOSTNS" "$(jq -r '.records[0].host.ifname' <(state_doc))"
	run -2 cnet gc
	run -0 cnet gc --dry-run
	assert_output --partial "would remove: gone: veth eth1 in $CNS"
	[ "$(jq '.records | length' <(state_doc))" = 2 ]
	run -0 hostip link show brg
	run -0 cnet gc --yes
	assert_output --partial "removed: veth eth1 in $CNS"
	refute_output --partial "$CNS2"
	[ "$(jq -r '[.records[].target] | join(" ")' <(state_doc))" = "$CNS2" ]
	run -1 hostip link show brg
	[ "$(link_json "$CNS2" eth1 | jq -r .linkinfo.info_kind)" = macvlan ]
}

@test "show prints one target's records with their live state, and refuses nonsense" {
	cnet attach "$CNS" macvlan --parent up0 --ip 10.98.0.2/24 --gw 10.98.0.1
	ip -n "$CNS" link set eth1 mtu 1280
	ifindex=$(link_json "$CNS" eth1 | jq .ifindex)
	run -0 cnet show "$CNS"
	assert_line "target    $CNS"
	assert_line "state     drifted (MTU is 1280, not 1500)"
	assert_line "options   parent=up0 mode=bridge ip=10.98.0.2/24 gw=10.98.0.1"
	assert_line --regexp "^link      ifindex $ifindex, mac ..:..:..:..:..:.., mtu 1500$"
	run -0 cnet show "$CNS" --json
	[ "$(jq -r '.records[0].status' <<<"$output")" = drifted ]
	[ "$(link_json "$CNS" eth1 | jq .mtu)" = 1280 ]
	run -3 cnet show "$CNS2"
	run -2 cnet show
	run -2 cnet show "$CNS" "$CNS2"
}
