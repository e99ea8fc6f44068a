#!/usr/bin/env bats
# bats file_tags=netns
# Attach, read back from the kernel.

load test_helper

setup() { setup_host; }
teardown() { teardown_host; }

# in_ns PID NS: process PID is in namespace NS (a process ip netns exec
# runs is only once it has entered it).
in_ns() { [ "$(readlink "/proc/$1/ns/net")" = "$(ip netns exec "$2" readlink /proc/self/ns/net)" ]; }

# neigh_is ADDR MAC: the host's neighbour entry on up0p for ADDR has MAC.
neigh_is() { [ "$(hostip -j neigh show dev up0p "$1" | jq -r '.[0].lladdr')" = "$2" ]; }

@test "macvlan attach creates a macvlan on the parent inside the target with addresses and a default route" {
	run -0 cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.40.0.2/16 --gw 10.40.0.1 --mtu 1400 --mac 02:00:00:aa:bb:01
	link=$(link_json "$CNS" eth1)
	[ "$(jq -r .linkinfo.info_kind <<<"$link")" = macvlan ]
	[ "$(jq -r .linkinfo.info_data.mode <<<"$link")" = bridge ]
	[ "$(jq -r .mtu <<<"$link")" = 1400 ]
	[ "$(jq -r .address <<<"$link")" = 02:00:00:aa:bb:01 ]
	is_up <<<"$link"
	# its parent is up0 in the host namespace
	parent=$(hostip -j link show dev up0 | jq .[0].ifindex)
	[ "$(jq -r .link_index <<<"$link")" = "$parent" ]
	run -0 addrs_of "$CNS" eth1
	assert_line 10.40.0.2/16
	run -0 ip -n "$CNS" -j route show default
	[ "$(jq -r '.[0].gateway' <<<"$output")" = 10.40.0.1 ]
	[ "$(jq -r '.[0].dev' <<<"$output")" = eth1 ]
	# the kernel announces the address when the link comes up (gratuitous
	# ARP), set on this link only
	[ "$(ip netns exec "$CNS" cat /proc/sys/net/ipv4/conf/eth1/arp_notify)" = 1 ]
	[ "$(ip netns exec "$CNS" cat /proc/sys/net/ipv4/conf/default/arp_notify)" = 0 ]
	# nothing left behind on the host under the temporary name
	run -0 hostip -br link
	refute_output --partial macvlan
	[ "$(hostip -j link | jq length)" = 3 ]
}

@test "macvlan mode, ifname and extra routes are applied as asked" {
	run -0 cnet attach "$CNS" macvlan --parent up0 --mode private --ifname net7 --ip 10.41.0.2/24 --route 192.168.50.0/24@10.41.0.9 --route 10.99.0.0/16
	[ "$(link_json "$CNS" net7 | jq -r .linkinfo.info_data.mode)" = private ]
	run -0 ip -n "$CNS" -j route show 192.168.50.0/24
	[ "$(jq -r '.[0].gateway' <<<"$output")" = 10.41.0.9 ]
	run -0 ip -n "$CNS" -j route show 10.99.0.0/16
	[ "$(jq -r '.[0].dev' <<<"$output")" = net7 ]
	[ "$(jq -r '.[0].scope' <<<"$output")" = link ]
}

@test "two containers on one parent reach each other through their macvlans" {
	cnet attach "$CNS" macvlan --parent up0 --ip 10.42.0.2/24
	cnet attach "$CNS2" macvlan --parent up0 --ip 10.42.0.3/24
	ping_from "$CNS" 10.42.0.3
	ping_from "$CNS2" 10.42.0.2
}

@test "IPv6 addresses are usable when attach returns, even if the container disabled IPv6" {
	ip netns exec "$CNS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	run -0 cnet attach "$CNS" macvlan --parent up0 --ip fd42::2/64 --ip 10.43.0.2/24
	run -0 ip -n "$CNS" -j addr show dev eth1
	[ "$(jq -r '.[0].addr_info[] | select(.local=="fd42::2") | .tentative // false' <<<"$output")" = false ]
	[ "$(jq -r '.[0].addr_info[] | select(.local=="fd42::2") | .prefixlen' <<<"$output")" = 64 ]
	cnet attach "$CNS2" macvlan --parent up0 --ip fd42::3/64 --no-dad
	ping_from "$CNS2" fd42::2
}

@test "--no-dad makes the IPv6 address non-tentative at once" {
	run -0 cnet attach "$CNS" macvlan --parent up0 --ip fd43::2/64 --no-dad
	run -0 ip -n "$CNS" -j addr show dev eth1
	[ "$(jq -r '.[0].addr_info[] | select(.local=="fd43::2") | .tentative // false' <<<"$output")" = false ]
}

@test "an IPv6 gateway replaces the v6 default route" {
	ip -n "$CNS" link set lo up
	run -0 cnet attach "$CNS" macvlan --parent up0 --ip fd44::2/64 --gw fd44::1 --no-dad
	run -0 ip -n "$CNS" -6 -j route show default
	[ "$(jq -r '.[0].gateway' <<<"$output")" = fd44::1 ]
	[ "$(jq length <<<"$output")" = 1 ]
}

@test "--gw replaces an existing default route and detach restores it" {
	ip -n "$CNS" link add old0 type veth peer name old0p
	ip -n "$CNS" link set old0 up
	ip -n "$CNS" link set old0p up
	ip -n "$CNS" addr add 172.31.0.2/24 dev old0
	ip -n "$CNS" route add default via 172.31.0.1 metric 50
	run -0 cnet attach "$CNS" macvlan --parent up0 --ip 10.45.0.2/24 --gw 10.45.0.1
	run -0 ip -n "$CNS" -j route show default
	[ "$(jq length <<<"$output")" = 1 ]
	[ "$(jq -r '.[0].gateway' <<<"$output")" = 10.45.0.1 ]
	run -0 cnet detach "$CNS"
	run -0 ip -n "$CNS" -j route show default
	[ "$(jq -r '.[0].gateway' <<<"$output")" = 172.31.0.1 ]
	[ "$(jq -r '.[0].dev' <<<"$output")" = old0 ]
	[ "$(jq -r '.[0].metric' <<<"$output")" = 50 ]
}

@test "veth attach puts the host end on the bridge with the bridge's MTU and a fe: MAC" {
	hostip link add br7 mtu 1450 type bridge
	hostip link set br7 up
	run -0 cnet attach "$CNS" veth --bridge br7 --host-ifname hv7 --ip 10.46.0.2/24
	host=$(link_json "$HOSTNS" hv7)
	[ "$(jq -r .linkinfo.info_kind <<<"$host")" = veth ]
	[ "$(jq -r .master <<<"$host")" = br7 ]
	[ "$(jq -r .mtu <<<"$host")" = 1450 ]
	[[ "$(jq -r .address <<<"$host")" == fe:* ]]
	is_up <<<"$host"
	peer=$(link_json "$CNS" eth1)
	[ "$(jq -r .linkinfo.info_kind <<<"$peer")" = veth ]
	[ "$(jq -r .mtu <<<"$peer")" = 1450 ]
	run -0 addrs_of "$CNS" eth1
	assert_line 10.46.0.2/24
}

@test "veth attach with --create-bridge makes the bridge; containers on it ping each other" {
	run -0 cnet attach "$CNS" veth --bridge br8 --create-bridge --ip 10.47.0.2/24
	run -0 cnet attach "$CNS2" veth --bridge br8 --ip 10.47.0.3/24
	[ "$(link_json "$HOSTNS" br8 | jq -r .linkinfo.info_kind)" = bridge ]
	[ "$(hostip -j link show master br8 | jq length)" = 2 ]
	ping_from "$CNS" 10.47.0.3
	# the bridge has the address cnet gave it (recorded), never a port's,
	# and keeps it as containers come and go
	brmac=$(link_json "$HOSTNS" br8 | jq -r .address)
	[ "$brmac" = "$(jq -r '.records[0].host.bridge_mac' <(state_doc))" ]
	[[ "$brmac" != fe:* ]]
	run -0 cnet detach "$CNS"
	[ "$(link_json "$HOSTNS" br8 | jq -r .linkinfo.info_kind)" = bridge ]
	[ "$(link_json "$HOSTNS" br8 | jq -r .address)" = "$brmac" ]
	run -0 cnet detach "$CNS2"
	run -1 hostip link show br8
}

@test "host-device moves the device in and detach gives it back with name, MTU, MAC and state" {
	hostip link add hd0 mtu 1300 address 02:00:00:00:0d:01 type veth peer name hd0p
	hostip link set hd0p up
	hostip link set hd0 up
	run -0 cnet attach "$CNS" host-device --dev hd0 --ifname lan0 --mtu 1280 --mac 02:00:00:00:0d:99 --ip 10.48.0.2/24
	run -1 hostip link show hd0
	link=$(link_json "$CNS" lan0)
	[ "$(jq -r .mtu <<<"$link")" = 1280 ]
	[ "$(jq -r .address <<<"$link")" = 02:00:00:00:0d:99 ]
	run -0 addrs_of "$CNS" lan0
	assert_line 10.48.0.2/24
	run -0 cnet detach "$CNS" --ifname lan0
	link=$(link_json "$HOSTNS" hd0)
	[ "$(jq -r .mtu <<<"$link")" = 1300 ]
	[ "$(jq -r .address <<<"$link")" = 02:00:00:00:0d:01 ]
	is_up <<<"$link"
	run -1 ip -n "$CNS" link show lan0
}

@test "targets can be named by pid:, a bare PID, and a namespace path" {
	ip netns exec "$CNS" sleep 60 &
	pid=$!
	# wait until the sleeper is inside the namespace
	wait_until 30 in_ns "$pid" "$CNS" || fail "the sleeper (PID $pid) never entered $CNS"
	run -0 cnet attach "pid:$pid" macvlan --parent up0 --ifname a1
	run -0 cnet attach "$pid" macvlan --parent up0 --ifname a2
	run -0 cnet attach "/run/netns/$CNS" macvlan --parent up0 --ifname a3
	run -0 cnet attach "/proc/$pid/ns/net" macvlan --parent up0 --ifname a4
	for i in a1 a2 a3 a4; do
		[ "$(link_json "$CNS" $i | jq -r .linkinfo.info_kind)" = macvlan ]
	done
	kill $pid
}

@test "the same attach twice changes nothing the second time" {
	run -0 cnet attach "$CNS" macvlan --parent up0 --ip 10.49.0.2/24 --json
	[ "$(jq -r .changed <<<"$output")" = true ]
	before=$(links_of "$CNS"; ip -n "$CNS" -j link show eth1 | jq .[0].ifindex)
	run -0 cnet attach "$CNS" macvlan --parent up0 --ip 10.49.0.2/24 --json
	[ "$(jq -r .changed <<<"$output")" = false ]
	after=$(links_of "$CNS"; ip -n "$CNS" -j link show eth1 | jq .[0].ifindex)
	[ "$before" = "$after" ]
	run -0 addrs_of "$CNS" eth1
	assert_output 10.49.0.2/24
}

@test "the same target and ifname with other settings is refused as busy" {
	cnet attach "$CNS" macvlan --parent up0 --ip 10.50.0.2/24
	before=$(links_of "$CNS")
	run -4 --separate-stderr cnet attach "$CNS" macvlan --parent up0 --ip 10.50.0.3/24
	[[ "$stderr" == "cnet: "*"other settings"* ]]
	[ "$(links_of "$CNS")" = "$before" ]
	run -0 addrs_of "$CNS" eth1
	assert_output 10.50.0.2/24
}

@test "a dry run changes nothing and writes no store" {
	before=$(links_of "$CNS"; links_of "$HOSTNS")
	run -0 cnet attach "$CNS" veth --bridge brx --create-bridge --ip 10.51.0.2/24 --dry-run
	assert_line --partial "would create bridge brx"
	[ "$(links_of "$CNS"; links_of "$HOSTNS")" = "$before" ]
	[ ! -e "$CNET_STATE" ]
	[ ! -e "$CNET_STATE.journal" ]
	[ ! -e "$CNET_STATE.lock" ]
}

@test "the store files are 0600 and record what detach needs" {
	cnet attach "$CNS" macvlan --parent up0 --ip 10.52.0.2/24
	[ "$(stat -c %a "$CNET_STATE")" = 600 ]
	[ "$(stat -c %a "$CNET_STATE.journal")" = 600 ]
	ifindex=$(ip -n "$CNS" -j link show eth1 | jq .[0].ifindex)
	[ "$(jq '.records[0].link.ifindex' <(state_doc))" = "$ifindex" ]
	[ "$(jq -r '.records[0].kind' <(state_doc))" = macvlan ]
	# cnet marks what it created, so a leftover can always be told apart
	id=$(jq -r '.records[0].id' <(state_doc))
	[ "$(link_json "$CNS" eth1 | jq -r .ifalias)" = "cnet:$id" ]
}

@test "neighbours learn the new address at once from a gratuitous ARP, without any traffic" {
	hostip addr add 10.53.0.1/24 dev up0p
	ip netns exec "$HOSTNS" sysctl -qw net.ipv4.conf.up0p.arp_accept=1
	run -0 cnet attach "$CNS" macvlan --parent up0 --ip 10.53.0.2/24
	mac=$(link_json "$CNS" eth1 | jq -r .address)
	wait_until 30 neigh_is 10.53.0.2 "$mac"
	[ "$(hostip -j neigh show dev up0p 10.53.0.2 | jq -r '.[0].lladdr')" = "$mac" ]
}

@test "a namespace re-created under the same name is not blocked by the dead one's record" {
	cnet attach "$CNS" macvlan --parent up0 --ip 10.54.0.2/24
	ip netns del "$CNS"
	ip netns add "$CNS"
	run -0 cnet attach "$CNS" macvlan --parent up0 --ip 10.54.0.3/24
	run -0 addrs_of "$CNS" eth1
	assert_output 10.54.0.3/24
	run -0 cnet detach "$CNS"
	run -1 ip -n "$CNS" link show eth1
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}

@test "--route default@VIA adds a default route" {
	run -0 cnet attach "$CNS" macvlan --parent up0 --ip 10.55.0.2/24 --route default@10.55.0.1
	run -0 ip -n "$CNS" -j route show default
	[ "$(jq -r '.[0].gateway' <<<"$output")" = 10.55.0.1 ]
}

@test "host-device refuses a device that other host interfaces sit on, unless --force" {
	hostip link add hd5 type veth peer name hd5p
	hostip link add mv5 link hd5 type macvlan
	hostip addr add 10.98.0.1/24 dev mv5
	before=$(ns_state "$HOSTNS")
	run -4 --separate-stderr cnet attach "$CNS" host-device --dev hd5
	[[ "$stderr" == *"other host interfaces sit on device 'hd5'"* ]]
	[ "$(ns_state "$HOSTNS")" = "$before" ]
	run -0 cnet attach "$CNS" host-device --dev hd5 --force
	run -0 ip -n "$CNS" link show eth1
}

@test "a destination with host bits set is refused before anything is touched" {
	before=$(ns_state "$CNS")
	run -2 --separate-stderr cnet attach "$CNS" macvlan --parent up0 --ip 10.56.0.2/24 --route 10.57.0.5/16
	[[ "$stderr" == *"host bits"* ]]
	[ "$(ns_state "$CNS")" = "$before" ]
}

@test "--replace re-attaches with other settings in place of the old ones" {
	cnet attach "$CNS" macvlan --parent up0 --ip 10.58.0.2/24
	run -0 cnet attach "$CNS" macvlan --parent up0 --ip 10.58.0.3/24 --mtu 1400 --replace
	run -0 addrs_of "$CNS" eth1
	assert_output 10.58.0.3/24
	[ "$(link_json "$CNS" eth1 | jq .mtu)" = 1400 ]
	[ "$(jq '.records | length' <(state_doc))" = 1 ]
}

@test "a --replace that fails puts the old attachment back" {
	cnet attach "$CNS" macvlan --parent up0 --ip 10.59.0.2/24
	before=$(ns_state "$CNS")
	# a second parent that is down: the new attach must fail after the old was undone
	hostip link add up9 type veth peer name up9p
	run -5 cnet attach "$CNS" macvlan --parent up9 --ip 10.59.0.3/24 --replace
	run -0 addrs_of "$CNS" eth1
	assert_output 10.59.0.2/24
	[ "$(jq '.records | length' <(state_doc))" = 1 ]
}

@test "--wait bounds how long a command waits for the store's lock" {
	touch "$CNET_STATE.lock"
	exec {fd}>"$CNET_STATE.lock"
	flock "$fd"
	before=$(ns_state "$CNS")
	start=$EPOCHREALTIME
	run -4 --separate-stderr cnet attach "$CNS" macvlan --parent up0 --wait 1
	[[ "$stderr" == *"locked by another cnet"* ]]
	awk -v s="$start" -v e="$EPOCHREALTIME" 'BEGIN { exit !(e - s >= 0.9 && e - s < 10) }'
	exec {fd}>&-
	[ "$(ns_state "$CNS")" = "$before" ]
	run -2 cnet attach "$CNS" macvlan --parent up0 --wait soon
}

@test "a stale host-device record is given back before the same attach is made anew" {
	hostip link add hdx mtu 1400 address 02:00:00:00:0d:01 type veth peer name hdxp
	run -0 cnet attach "$CNS" host-device --dev hdx --ifname lan0 --mtu 1300
	# by hand, the device leaves the container under another name: the
	# record is stale, and only it knows how the device was
	ip -n "$CNS" link set lan0 netns "$HOSTNS"
	hostip link set lan0 name weird
	run -0 cnet attach "$CNS" host-device --dev hdx --ifname lan0 --mtu 1300
	[ "$(link_json "$CNS" lan0 | jq .mtu)" = 1300 ]
	[ "$(jq '.records | length' <(state_doc))" = 1 ]
	run -0 cnet detach "$CNS"
	[ "$(link_json "$HOSTNS" hdx | jq -r '"\(.mtu) \(.address)"')" = "1400 02:00:00:00:0d:01" ]
	run -1 hostip link show weird
}
