#!/usr/bin/env bats
# bats file_tags=netns
# cnet pipework: the old pipework script's command lines, each turned into
# one of cnet's recorded attachments. The "containers" are processes in the
# test's namespaces, published by a fake engine (tests/fake-engine.c) as
# engine.bats does; the host is $HOSTNS. What a line made is read back from
# the kernel (ip, sysfs, traffic) and from dnsmasq's lease file; the store
# (state_doc) only to count its records, e.g. none after a refusal.
# (No test uses $i: bats's run -N leaves a global i behind.)

load test_helper

setup() {
	setup_host
	ENGINE_DIR=$BATS_TEST_TMPDIR/engine
	export CNET_DOCKER_SOCK=$BATS_TEST_TMPDIR/docker.sock
	export CNET_PODMAN_SOCK=$BATS_TEST_TMPDIR/no-podman.sock
	BG=()
	fake_engine "$CNET_DOCKER_SOCK" "$ENGINE_DIR"
	BG+=("$FAKE_ENGINE_PID")
}

teardown() {
	stop_server
	kill "${BG[@]}" 2>/dev/null || true
	teardown_host
}

# A "container": a process in namespace NS, published by the engine whose
# directory is DIR as NAME (its Id made from its name: the same again when
# it is "restarted"). Its PID is left in CPID.
container_in() { # DIR NAME NS [running]
	local id
	id=$(printf %s "$2" | sha256sum | cut -c1-64)
	ip netns exec "$3" sleep 300 3>&- &
	CPID=$!
	BG+=("$CPID")
	wait_until 30 in_ns "$CPID" "$3" || fail "the container process did not enter $3"
	printf '{"Id":"%s","Name":"/%s","State":{"Running":%s,"Pid":%d}}\n' \
		"$id" "$2" "${4:-true}" "$CPID" >"$1/$2.json"
}

container() { # NAME NS [running]
	container_in "$ENGINE_DIR" "$@"
}

# in_ns PID NS: process PID is in namespace NS.
in_ns() { [ "$(readlink "/proc/$1/ns/net")" = "$(ip netns exec "$2" readlink /proc/self/ns/net)" ]; }

# reapply_ok: cnet reapply succeeds (run: its output in $output).
reapply_ok() {
	run cnet reapply
	[ "$status" = 0 ]
}

# A second engine, Podman's, on a socket of its own.
start_podman() {
	PODMAN_DIR=$BATS_TEST_TMPDIR/podman
	export CNET_PODMAN_SOCK=$BATS_TEST_TMPDIR/podman.sock
	fake_engine "$CNET_PODMAN_SOCK" "$PODMAN_DIR"
	BG+=("$FAKE_ENGINE_PID")
}

# "up" or "down": a link's administrative state, from the kernel.
admin() { # NS IFNAME
	ip -n "$1" -j link show dev "$2" | jq -r 'if (.[0].flags | index("UP")) != null then "up" else "down" end'
}

ifindex() { # NS IFNAME
	ip -n "$1" -j link show dev "$2" | jq -r '.[0].ifindex'
}

# The names of a bridge's ports.
ports_of() { # NS BRIDGE
	ip -n "$1" -j link show master "$2" | jq -r '.[].ifname'
}

# IPv4 addresses of an interface (any scope), "A/P" a line.
inet4_of() { # NS IFNAME
	ip -n "$1" -4 -j addr show dev "$2" | jq -r '.[0].addr_info[]? | "\(.local)/\(.prefixlen)"'
}

default_via() { # NS
	ip -n "$1" -j route show default | jq -r '.[] | "\(.gateway) \(.dev)"'
}

records() {
	state_doc | jq '.records | length'
}

# What pipework computed for U:STRING: the first five bytes of the MD5 of
# `echo $STRING` (unquoted: the shell squeezed its blanks), after 02:.
pipework_mac() { # STRING
	local h
	# shellcheck disable=SC2086 # unquoted on purpose: as pipework did
	h=$(echo $1 | md5sum)
	echo "02:${h:0:2}:${h:2:2}:${h:4:2}:${h:6:2}:${h:8:2}"
}

# dnsmasq as in dhcp.bats: DHCP only, on the far end of the uplink (SRV).
start_server() {
	setup_dhcp_server_ns
	LEASES=$BATS_TEST_TMPDIR/leases
	ip netns exec "$SRV" dnsmasq --conf-file=/dev/null --user=root --port=0 \
		--interface=up0p --bind-interfaces --except-interface=lo --no-ping \
		--dhcp-range=10.99.0.100,10.99.0.150,255.255.255.0,2m --dhcp-leasefile="$LEASES" \
		--dhcp-option=option:router,10.99.0.1 \
		--pid-file="$BATS_TEST_TMPDIR/dnsmasq.pid" --log-dhcp \
		--log-facility="$BATS_TEST_TMPDIR/dnsmasq.log" 3>&-
}

@test "pipework BRIDGE: a veth on the bridge; the container end has the address, the bridge's MTU, the default route; detach keeps the bridge" {
	container web "$CNS"
	hostip link add br0 type bridge
	hostip link set br0 mtu 9000
	hostip addr add 10.6.0.1/24 dev br0
	hostip link set br0 up
	run -0 cnet pipework br0 web 10.6.0.2/24@10.6.0.1
	e=$(link_json "$CNS" eth1)
	[ "$(jq -r .linkinfo.info_kind <<<"$e")" = veth ]
	[ "$(jq -r .mtu <<<"$e")" = 9000 ]
	run -0 addrs_of "$CNS" eth1
	assert_output 10.6.0.2/24
	run -0 default_via "$CNS"
	assert_output "10.6.0.1 eth1"
	# the host end: the bridge's one port, the peer of eth1
	host_end=$(ports_of "$HOSTNS" br0)
	[ -n "$host_end" ]
	[ "$(wc -l <<<"$host_end")" = 1 ]
	[ "$(ifindex "$HOSTNS" "$host_end")" = "$(jq -r .link_index <<<"$e")" ]
	[ "$(link_json "$HOSTNS" "$host_end" | jq -r '"\(.linkinfo.info_kind) \(.mtu)"')" = "veth 9000" ]
	[ "$(basename "$(ip netns exec "$HOSTNS" readlink "/sys/class/net/$host_end/master")")" = br0 ]
	ping_from "$CNS" 10.6.0.1
	run -0 cnet detach container:web
	wait_link_gone "$HOSTNS" "$host_end"
	run -1 ip -n "$CNS" link show eth1
	[ "$(link_json "$HOSTNS" br0 | jq -r '"\(.linkinfo.info_kind) \(.mtu)"')" = "bridge 9000" ]
	run -0 addrs_of "$HOSTNS" br0
	assert_output 10.6.0.1/24
	[ "$(records)" = 0 ]
}

@test "pipework br*: a missing bridge is made and up; the same line again changes nothing; detach removes the bridge" {
	container web "$CNS"
	run -1 ip -n "$HOSTNS" link show brnew0
	run -0 cnet pipework brnew0 web 10.5.0.2/24
	[ "$(link_json "$HOSTNS" brnew0 | jq -r .linkinfo.info_kind)" = bridge ]
	[ "$(admin "$HOSTNS" brnew0)" = up ]
	host_end=$(ports_of "$HOSTNS" brnew0)
	[ -n "$host_end" ]
	[ "$(wc -l <<<"$host_end")" = 1 ]
	[ "$(ifindex "$HOSTNS" "$host_end")" = "$(link_json "$CNS" eth1 | jq -r .link_index)" ]
	run -0 addrs_of "$CNS" eth1
	assert_output 10.5.0.2/24
	host=$(ns_state "$HOSTNS")
	ctr=$(ns_state "$CNS")
	run -0 cnet pipework brnew0 web 10.5.0.2/24
	assert_equal "$(ns_state "$HOSTNS")" "$host"
	assert_equal "$(ns_state "$CNS")" "$ctr"
	[ "$(records)" = 1 ]
	run -0 cnet detach container:web
	wait_link_gone "$HOSTNS" brnew0
	run -1 ip -n "$HOSTNS" link show "$host_end"
	run -1 ip -n "$CNS" link show eth1
	[ "$(records)" = 0 ]
}

@test "pipework IF (no bridge): a macvlan in bridge mode on IF, traffic through it; IF stays up after detach" {
	container web "$CNS"
	hostip addr add 10.4.0.1/24 dev up0p
	run -0 cnet pipework up0 web 10.4.0.2/24
	e=$(link_json "$CNS" eth1)
	[ "$(jq -r .linkinfo.info_kind <<<"$e")" = macvlan ]
	[ "$(jq -r .linkinfo.info_data.mode <<<"$e")" = bridge ]
	[ "$(jq -r .link_index <<<"$e")" = "$(ifindex "$HOSTNS" up0)" ]
	run -0 addrs_of "$CNS" eth1
	assert_output 10.4.0.2/24
	ping_from "$CNS" 10.4.0.1
	run -0 cnet detach container:web
	run -1 ip -n "$CNS" link show eth1
	# it was up before: cnet did not bring it up, and leaves it up
	[ "$(admin "$HOSTNS" up0)" = up ]
}

@test "a parent that is down is brought up, and down again by the detach of the last record on it" {
	container web "$CNS"
	hostip link set up0 down
	run -0 cnet pipework up0 web 10.4.0.2/24
	[ "$(admin "$HOSTNS" up0)" = up ]
	[ "$(link_json "$CNS" eth1 | jq -r .link_index)" = "$(ifindex "$HOSTNS" up0)" ]
	run -0 cnet detach container:web
	[ "$(admin "$HOSTNS" up0)" = down ]
	# two on it; the one that raised it goes first: the other keeps it up
	run -0 cnet pipework up0 -i eth1 web 10.4.0.2/24
	run -0 cnet pipework up0 -i eth2 web 10.4.0.3/24
	[ "$(admin "$HOSTNS" up0)" = up ]
	run -0 cnet detach container:web --ifname eth1
	run -1 ip -n "$CNS" link show eth1
	[ "$(admin "$HOSTNS" up0)" = up ]
	run -0 cnet detach container:web --ifname eth2
	run -1 ip -n "$CNS" link show eth2
	[ "$(admin "$HOSTNS" up0)" = down ]
	# the other order: the later one goes first
	run -0 cnet pipework up0 -i eth1 web 10.4.0.2/24
	run -0 cnet pipework up0 -i eth2 web 10.4.0.3/24
	run -0 cnet detach container:web --ifname eth2
	[ "$(admin "$HOSTNS" up0)" = up ]
	run -0 cnet detach container:web --ifname eth1
	[ "$(admin "$HOSTNS" up0)" = down ]
	[ "$(records)" = 0 ]
}

@test "pipework --direct-phys IF: IF itself moves into the container as eth1, and detach gives it back" {
	container web "$CNS"
	hostip link add pw0 type veth peer name pw0p
	hostip addr add 10.8.0.1/24 dev pw0p
	hostip link set pw0p up
	mac=$(link_json "$HOSTNS" pw0 | jq -r .address)
	run -0 cnet pipework --direct-phys pw0 web 10.8.0.2/24
	run -1 ip -n "$HOSTNS" link show pw0
	e=$(link_json "$CNS" eth1)
	[ "$(jq -r .address <<<"$e")" = "$mac" ]
	[ "$(jq -r .linkinfo.info_kind <<<"$e")" = veth ]
	# the same device: pw0p's peer
	[ "$(link_json "$HOSTNS" pw0p | jq -r .link_index)" = "$(jq -r .ifindex <<<"$e")" ]
	run -0 addrs_of "$CNS" eth1
	assert_output 10.8.0.2/24
	ping_from "$CNS" 10.8.0.1
	run -0 cnet detach container:web
	run -1 ip -n "$CNS" link show eth1
	[ "$(link_json "$HOSTNS" pw0 | jq -r .address)" = "$mac" ]
	[ "$(link_json "$HOSTNS" pw0p | jq -r .link)" = pw0 ] # its peer, in its namespace
	run -0 inet4_of "$HOSTNS" pw0
	assert_output ""
	[ "$(records)" = 0 ]
}

@test "-i names the container's interface, -l the bridge's host end; -l on a macvlan is ignored with a warning" {
	container web "$CNS"
	hostip link add br1 type bridge
	hostip link set br1 up
	run -0 cnet pipework br1 -i net0 -l hostend0 web 10.9.0.2/24
	run -1 ip -n "$CNS" link show eth1
	e=$(link_json "$CNS" net0)
	[ "$(jq -r .linkinfo.info_kind <<<"$e")" = veth ]
	[ "$(link_json "$HOSTNS" hostend0 | jq -r .master)" = br1 ]
	[ "$(ifindex "$HOSTNS" hostend0)" = "$(jq -r .link_index <<<"$e")" ]
	[ "$(ports_of "$HOSTNS" br1)" = hostend0 ]
	run -0 addrs_of "$CNS" net0
	assert_output 10.9.0.2/24
	run -0 --separate-stderr cnet pipework up0 -i net1 -l hostend1 web 10.4.0.2/24
	[[ "$stderr" == *warning* && "$stderr" == *-l* ]] || fail "no warning about -l: $stderr"
	run -1 ip -n "$HOSTNS" link show hostend1
	[ "$(link_json "$CNS" net1 | jq -r .linkinfo.info_kind)" = macvlan ]
	[ "$(link_json "$CNS" net1 | jq -r .link_index)" = "$(ifindex "$HOSTNS" up0)" ]
	run -0 addrs_of "$CNS" net1
	assert_output 10.4.0.2/24
	run -0 cnet detach container:web --ifname net0
	run -1 ip -n "$HOSTNS" link show hostend0
	[ "$(link_json "$HOSTNS" br1 | jq -r .linkinfo.info_kind)" = bridge ]
}

@test "-a 6 with an IPv6 address works; -a that does not match the address, or -a 6 with DHCP, is exit 1 and makes nothing" {
	container web "$CNS"
	run -0 cnet pipework up0 -a 6 web 2001:db8::5/64
	run -0 addrs_of "$CNS" eth1
	assert_output 2001:db8::5/64
	[ "$(link_json "$CNS" eth1 | jq -r .linkinfo.info_kind)" = macvlan ]
	before=$(world_snapshot)
	run -1 --separate-stderr cnet pipework up0 -i eth2 -a 6 web 10.4.0.2/24
	[[ "$stderr" == *10.4.0.2/24* ]] || fail "stderr: $stderr"
	run -1 --separate-stderr cnet pipework up0 -i eth2 -a 4 web 2001:db8::6/64
	[[ "$stderr" == *2001:db8::6/64* ]] || fail "stderr: $stderr"
	run -1 cnet pipework up0 -i eth2 -a 6 web dhcp
	run -1 cnet pipework up0 -i eth2 -a 5 web 10.4.0.2/24
	run -1 cnet pipework brnew0 -i eth2 -a 6 web 10.4.0.2/24
	assert_equal "$(world_snapshot)" "$before"
	[ "$(records)" = 1 ]
	# -a 4 with an IPv4 address
	run -0 cnet pipework up0 -i eth2 -a 4 web 10.4.0.2/24
	run -0 addrs_of "$CNS" eth2
	assert_output 10.4.0.2/24
}

@test "0/0: the interface is up with no IPv4 address and no default route" {
	container web "$CNS"
	run -0 cnet pipework up0 web 0/0
	[ "$(link_json "$CNS" eth1 | jq -r .linkinfo.info_kind)" = macvlan ]
	[ "$(admin "$CNS" eth1)" = up ]
	run -0 inet4_of "$CNS" eth1
	assert_output ""
	run -0 default_via "$CNS"
	assert_output ""
	[ "$(records)" = 1 ]
}

@test "MACs: U:STRING is 02: and the MD5 of 'echo STRING' (blanks squeezed); a plain MAC is set as given" {
	container web "$CNS"
	# the test's own formula against pipework's known value
	[ "$(pipework_mac myhost.foo.com)" = 02:72:6c:cd:9b:8d ]
	run -0 cnet pipework up0 web 0/0 U:myhost.foo.com
	[ "$(link_json "$CNS" eth1 | jq -r .address)" = 02:72:6c:cd:9b:8d ]
	n=2
	for s in web-2.example.org "a  b   c" "  lead and trail  " $'tab\there' x; do
		run -0 cnet pipework up0 -i "eth$n" web 0/0 "U:$s"
		[ "$(link_json "$CNS" "eth$n" | jq -r .address)" = "$(pipework_mac "$s")" ] ||
			fail "U:$s: $(link_json "$CNS" "eth$n" | jq -r .address), not $(pipework_mac "$s")"
		n=$((n + 1))
	done
	# the blanks count as pipework's shell counted them: "a  b   c" is "a b c"
	[ "$(link_json "$CNS" eth3 | jq -r .address)" = "$(printf 'a b c\n' | md5sum | sed -E 's/^(..)(..)(..)(..)(..).*/02:\1:\2:\3:\4:\5/')" ]
	run -0 cnet pipework up0 -i eth9 web 0/0 02:AB:cd:00:11:22
	[ "$(link_json "$CNS" eth9 | jq -r .address)" = 02:ab:cd:00:11:22 ]
	# U: on a bridge's veth as well
	hostip link add br0 type bridge
	hostip link set br0 up
	run -0 cnet pipework br0 -i eth10 web 0/0 U:myhost.foo.com
	[ "$(link_json "$CNS" eth10 | jq -r '"\(.linkinfo.info_kind) \(.address)"')" = "veth 02:72:6c:cd:9b:8d" ]
}

@test "mac:ADDR names the host interface by its MAC; an unknown MAC is exit 1 and makes nothing" {
	container web "$CNS"
	mac=$(link_json "$HOSTNS" up0 | jq -r .address)
	run -0 cnet pipework "mac:${mac^^}" web 10.4.0.2/24
	e=$(link_json "$CNS" eth1)
	[ "$(jq -r .linkinfo.info_kind <<<"$e")" = macvlan ]
	[ "$(jq -r .link_index <<<"$e")" = "$(ifindex "$HOSTNS" up0)" ]
	run -0 addrs_of "$CNS" eth1
	assert_output 10.4.0.2/24
	before=$(world_snapshot)
	run -1 --separate-stderr cnet pipework mac:02:00:00:00:00:99 -i eth2 web 10.4.0.3/24
	[[ "$stderr" == *02:00:00:00:00:99* ]] || fail "stderr: $stderr"
	assert_equal "$(world_snapshot)" "$before"
	[ "$(records)" = 1 ]
}

@test "an address without a netmask is exit 1 with pipework's hint; no IPSPEC prints the usage on stdout, exit 1; nothing made" {
	container web "$CNS"
	before=$(world_snapshot)
	run -1 --separate-stderr cnet pipework up0 web 10.4.0.2
	[[ "$stderr" == *"The IP address should include a netmask. Maybe you meant 10.4.0.2/24 ?"* ]] ||
		fail "stderr: $stderr"
	run -1 --separate-stderr cnet pipework brnew0 web 10.5.0.2@10.5.0.1
	[[ "$stderr" == *"Maybe you meant 10.5.0.2/24 ?"* ]] || fail "stderr: $stderr"
	run -1 --separate-stderr cnet pipework brnew0 web
	[[ "${lines[0]}" == Syntax:* ]] || fail "stdout: $output"
	[[ "$output" == *"pipework <hostinterface> [-i containerinterface]"* ]]
	[[ "$output" == *"pipework --wait"* ]]
	[[ "$stderr" != *Syntax:* ]]
	usage=$output
	run -1 --separate-stderr cnet pipework
	assert_equal "$output" "$usage"
	run -1 --separate-stderr cnet pipework up0 -i eth2
	assert_equal "$output" "$usage"
	assert_equal "$(world_snapshot)" "$before"
	[ "$(records)" = 0 ]
}

@test "DHCP: dhcp leases from the server with GUEST as hostname; udhcpc:-x hostname:NAME sends NAME and warns of what it ignores" {
	command -v dnsmasq >/dev/null || need "dnsmasq (Debian package dnsmasq-base)"
	start_server
	container web "$CNS"
	run -0 --separate-stderr cnet pipework up0 web dhcp
	[[ "$stderr" != *warning* ]] || fail "stderr: $stderr"
	addr=$(inet4_of "$CNS" eth1)
	[[ "$addr" == 10.99.0.1[0-5][0-9]/24 ]] || fail "address: $addr"
	run -0 default_via "$CNS"
	assert_output "10.99.0.1 eth1"
	mac=$(link_json "$CNS" eth1 | jq -r .address)
	l=$(lease_of "$mac")
	[ "$(cut -d' ' -f3 <<<"$l")" = "${addr%/24}" ]
	[ "$(cut -d' ' -f4 <<<"$l")" = web ]
	ping_from "$CNS" 10.99.0.1
	run -0 --separate-stderr cnet pipework up0 -i eth2 web "udhcpc:-x hostname:other -q"
	[[ "$stderr" == *warning* && "$stderr" == *-q* ]] || fail "stderr: $stderr"
	[[ "$stderr" != *hostname:other* ]] || fail "stderr: $stderr"
	addr2=$(inet4_of "$CNS" eth2)
	[[ "$addr2" == 10.99.0.1[0-5][0-9]/24 && "$addr2" != "$addr" ]] || fail "address: $addr2"
	mac2=$(link_json "$CNS" eth2 | jq -r .address)
	l=$(lease_of "$mac2")
	[ "$(cut -d' ' -f3 <<<"$l")" = "${addr2%/24}" ]
	[ "$(cut -d' ' -f4 <<<"$l")" = other ]
	run -0 cnet pipework up0 -i eth3 web "dhclient-f:-H third"
	mac3=$(link_json "$CNS" eth3 | jq -r .address)
	[ "$(lease_of "$mac3" | cut -d' ' -f4)" = third ]
	# detach lets the leases go
	run -0 cnet detach container:web
	wait_until 30 test ! -s "$LEASES"
	[ ! -s "$LEASES" ]
}

@test "GUEST is a container's name, never a PID or a named namespace, even all digits; an unknown one is exit 1" {
	# a process in CNS2 whose PID is the container's name
	ip netns exec "$CNS2" sleep 300 3>&- &
	other=$!
	BG+=("$other")
	wait_until 30 in_ns "$other" "$CNS2"
	[ "$(ip netns identify "$other")" = "$CNS2" ]
	container "$other" "$CNS"
	run -0 cnet pipework up0 "$other" 10.4.0.2/24
	[ "$(link_json "$CNS" eth1 | jq -r .linkinfo.info_kind)" = macvlan ]
	run -1 ip -n "$CNS2" link show eth1
	# a container named as a namespace: the container
	container "$CNS2" "$CNS"
	run -0 cnet pipework up0 -i eth2 "$CNS2" 10.4.0.3/24
	[ "$(link_json "$CNS" eth2 | jq -r .linkinfo.info_kind)" = macvlan ]
	run -1 ip -n "$CNS2" link show eth2
	before=$(world_snapshot)
	before2=$(ns_state "$CNS2")
	# an unknown name; a PID (in CNS2) no engine knows; a namespace's name
	ip netns exec "$CNS2" sleep 300 3>&- &
	pid2=$!
	BG+=("$pid2")
	wait_until 30 in_ns "$pid2" "$CNS2" || fail "the process $pid2 never entered $CNS2"
	rm "$ENGINE_DIR/$CNS2.json"
	run -1 --separate-stderr cnet pipework up0 -i eth3 ghost 10.4.0.4/24
	[[ "$stderr" == *ghost* ]] || fail "stderr: $stderr"
	run -1 cnet pipework up0 -i eth3 "$pid2" 10.4.0.4/24
	run -1 cnet pipework up0 -i eth3 "$CNS2" 10.4.0.4/24
	run -1 cnet pipework brnew0 -i eth3 ghost 10.4.0.4/24
	assert_equal "$(world_snapshot)" "$before"
	assert_equal "$(ns_state "$CNS2")" "$before2"
	[ "$(records)" = 2 ]
}

@test "a GUEST only Podman knows is found through Podman's API; one both engines know is Docker's" {
	start_podman
	container_in "$PODMAN_DIR" pm "$CNS"
	# Docker is not there at all
	DOCKER_SOCK=$CNET_DOCKER_SOCK
	export CNET_DOCKER_SOCK=$BATS_TEST_TMPDIR/no-docker.sock
	run -0 cnet pipework up0 pm 10.4.0.2/24
	[ "$(link_json "$CNS" eth1 | jq -r .linkinfo.info_kind)" = macvlan ]
	run -0 addrs_of "$CNS" eth1
	assert_output 10.4.0.2/24
	grep -q "/containers/pm/json" "$PODMAN_DIR/requests"
	# Docker there, not knowing it: Podman's still
	export CNET_DOCKER_SOCK=$DOCKER_SOCK
	run -0 cnet pipework up0 -i eth2 pm 10.4.0.3/24
	[ "$(link_json "$CNS" eth2 | jq -r .linkinfo.info_kind)" = macvlan ]
	grep -q "/containers/pm/json" "$ENGINE_DIR/requests"
	# both know "both": Docker is asked first
	container both "$CNS2"
	container_in "$PODMAN_DIR" both "$CNS"
	run -0 cnet pipework up0 -i eth3 both 10.4.0.4/24
	[ "$(link_json "$CNS2" eth3 | jq -r .linkinfo.info_kind)" = macvlan ]
	run -1 ip -n "$CNS" link show eth3
	run -0 cnet detach container:pm
	run -1 ip -n "$CNS" link show eth1
	run -1 ip -n "$CNS" link show eth2
}

@test "a --net=host container (its process in the host's namespace) is refused, exit 1, nothing made" {
	container hostnet "$HOSTNS"
	container web "$CNS"
	before=$(world_snapshot)
	run -1 --separate-stderr cnet pipework up0 hostnet 10.4.0.2/24
	[[ "$stderr" == *hostnet* ]] || fail "stderr: $stderr"
	run -1 cnet pipework brnew0 hostnet 10.5.0.2/24
	assert_equal "$(world_snapshot)" "$before"
	# a parent that is down stays down
	hostip link set up0 down
	before=$(world_snapshot)
	run -1 cnet pipework up0 -i eth5 hostnet 10.4.0.2/24
	assert_equal "$(world_snapshot)" "$before"
	[ "$(admin "$HOSTNS" up0)" = down ]
	run -1 ip -n "$HOSTNS" link show eth5
	run -1 ip -n "$HOSTNS" link show eth1
	[ "$(records)" = 0 ]
}

@test "refused, exit 1, nothing made: missing ovs* and dummy*, an unknown name, @VID on a bridge, a long -i or HOSTIF" {
	container web "$CNS"
	hostip link add br0 type bridge
	hostip link set br0 up
	before=$(world_snapshot)
	refused() { # WORD-IN-STDERR -- PIPEWORK-ARGS...
		local text=$1
		shift 2
		run -1 --separate-stderr cnet pipework "$@"
		[[ "$stderr" == *"$text"* ]] || fail "pipework $*: stderr: $stderr"
		assert_equal "$(world_snapshot)" "$before"
	}
	refused ovsbr0 -- ovsbr0 web 10.4.0.2/24
	refused dummy0 -- dummy0 web 10.4.0.2/24
	refused foo9 -- foo9 web 10.4.0.2/24
	refused foo9 -- foo9 web dhcp
	refused @5 -- br0 web 10.6.0.2/24 @5
	refused @5 -- br0 web 10.6.0.2/24 02:00:00:00:00:05@5
	refused @5 -- brnew0 web 10.6.0.2/24 @5
	refused abcdefghijklmnop -- up0 -i abcdefghijklmnop web 10.4.0.2/24
	refused abcdefghijklmnop -- brnew0 -i abcdefghijklmnop web 10.4.0.2/24
	refused abcdefghijklmnop -- abcdefghijklmnop web 10.4.0.2/24
	[ "$(records)" = 0 ]
}

@test "run as 'pipework' (a link to cnet) it is cnet pipework" {
	container web "$CNS"
	ln -s "$CNET_BIN" "$BATS_TEST_TMPDIR/pipework"
	run -0 ip netns exec "$HOSTNS" "$BATS_TEST_TMPDIR/pipework" up0 web 10.4.0.2/24@10.4.0.1
	e=$(link_json "$CNS" eth1)
	[ "$(jq -r '"\(.linkinfo.info_kind) \(.linkinfo.info_data.mode)"' <<<"$e")" = "macvlan bridge" ]
	[ "$(jq -r .link_index <<<"$e")" = "$(ifindex "$HOSTNS" up0)" ]
	run -0 addrs_of "$CNS" eth1
	assert_output 10.4.0.2/24
	run -0 default_via "$CNS"
	assert_output "10.4.0.1 eth1"
	# the same line through cnet pipework is the same attachment
	run -0 cnet pipework up0 web 10.4.0.2/24@10.4.0.1
	[ "$(records)" = 1 ]
	# pipework's usage, and its exit code
	run -1 --separate-stderr ip netns exec "$HOSTNS" "$BATS_TEST_TMPDIR/pipework" up0 web
	[[ "${lines[0]}" == Syntax:* ]] || fail "stdout: $output"
	usage=$output
	run -1 --separate-stderr cnet pipework up0 web
	assert_equal "$output" "$usage"
	# recorded: detach undoes it
	run -0 cnet detach container:web
	run -1 ip -n "$CNS" link show eth1
	[ "$(records)" = 0 ]
}

@test "pipework --wait in the container returns once the interface exists and is up; --timeout gives up with exit 1" {
	container web "$CNS"
	ip netns exec "$CNS" "$CNET_BIN" pipework --wait -i eth3 --timeout 20 3>&- &
	w=$!
	BG+=("$w")
	sleep 0.5
	kill -0 "$w" || fail "--wait exited before eth3 existed"
	run -0 cnet pipework up0 -i eth3 web 10.4.0.2/24
	rc=0
	wait "$w" || rc=$?
	[ "$rc" = 0 ]
	# not there: exit 1 after about a second
	t0=$(date +%s%N)
	run -1 --separate-stderr ip netns exec "$CNS" "$CNET_BIN" pipework --wait -i nope0 --timeout 1
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$ms" -ge 900 ] && [ "$ms" -lt 5000 ] || fail "took $ms ms"
	[[ "$stderr" == *nope0* ]] || fail "stderr: $stderr"
	# there, but down: not yet
	ip -n "$CNS" link add eth4 type veth peer name eth4p
	run -1 ip netns exec "$CNS" "$CNET_BIN" pipework --wait -i eth4 --timeout 1
	ip netns exec "$CNS" "$CNET_BIN" pipework --wait -i eth4 --timeout 20 3>&- &
	w=$!
	BG+=("$w")
	ip -n "$CNS" link set eth4p up
	sleep 0.5
	kill -0 "$w" || fail "--wait exited while eth4 was down"
	ip -n "$CNS" link set eth4 up
	rc=0
	wait "$w" || rc=$?
	[ "$rc" = 0 ]
	# up already: at once
	t0=$(date +%s%N)
	run -0 ip netns exec "$CNS" "$CNET_BIN" pipework --wait -i eth4 --timeout 10
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$ms" -lt 2500 ] || fail "took $ms ms" # (a loaded machine's start-up, not a wait)
}

@test "reapply puts a pipework macvlan back into the restarted container, and raises its parent the host set down" {
	container app "$CNS"
	run -0 cnet pipework up0 app 10.97.0.2/24@10.97.0.1
	mac=$(link_json "$CNS" eth1 | jq -r .address)
	# the container restarts: a new process in a new namespace, the same Id
	kill "$CPID"
	ip netns del "$CNS"
	container app "$CNS2"
	hostip link set up0 down
	wait_until 30 reapply_ok || fail "reapply did not converge: $output"
	e=$(link_json "$CNS2" eth1)
	[ "$(jq -r .linkinfo.info_kind <<<"$e")" = macvlan ]
	[ "$(jq -r .link_index <<<"$e")" = "$(ifindex "$HOSTNS" up0)" ]
	[ "$(jq -r .address <<<"$e")" = "$mac" ]
	run -0 addrs_of "$CNS2" eth1
	assert_output 10.97.0.2/24
	run -0 default_via "$CNS2"
	assert_output "10.97.0.1 eth1"
	[ "$(admin "$HOSTNS" up0)" = up ]
	# cnet brought it up this time: its detach brings it down again
	run -0 cnet detach container:app
	run -1 ip -n "$CNS2" link show eth1
	[ "$(admin "$HOSTNS" up0)" = down ]
	[ "$(records)" = 0 ]
}

@test "reapply raises a parent the host set down under a running container; a plain attach's parent it leaves alone" {
	container app "$CNS"
	run -0 cnet pipework up0 app 10.97.0.2/24
	hostip link add up1 type veth peer name up1p
	hostip link set up1 up
	run -0 cnet attach "netns:$CNS" macvlan --parent up1 --ifname eth2
	hostip link set up0 down
	hostip link set up1 down
	run -0 cnet reapply
	[ "$(admin "$HOSTNS" up0)" = up ]
	[ "$(admin "$HOSTNS" up1)" = down ]
	run -0 addrs_of "$CNS" eth1
	assert_output 10.97.0.2/24
	# and it is the last detach on it that brings it down again
	run -0 cnet detach container:app
	[ "$(admin "$HOSTNS" up0)" = down ]
}

@test "a failure that is not pipework's own is exit 2: eth1 already in the container, left as it was" {
	container web "$CNS"
	ip -n "$CNS" link add eth1 type veth peer name eth1p
	ip -n "$CNS" addr add 192.0.2.9/24 dev eth1
	eth1="veth eth1p $(link_json "$CNS" eth1 | jq -r .address)"
	hostip link set up0 down
	before=$(world_snapshot)
	run -2 --separate-stderr cnet pipework up0 web 10.4.0.2/24
	[[ "$stderr" == *eth1* ]] || fail "stderr: $stderr"
	assert_equal "$(world_snapshot)" "$before"
	run -2 cnet pipework brnew0 web 10.5.0.2/24
	assert_equal "$(world_snapshot)" "$before"
	[ "$(admin "$HOSTNS" up0)" = down ]
	[ "$(link_json "$CNS" eth1 | jq -r '"\(.linkinfo.info_kind) \(.link) \(.address)"')" = "$eth1" ]
	run -0 addrs_of "$CNS" eth1
	assert_output 192.0.2.9/24
	[ "$(records)" = 0 ]
}

@test "--dry-run before the words changes nothing; --json prints one JSON object; --state names the store" {
	container web "$CNS"
	hostip link set up0 down
	before=$(world_snapshot)
	store_before=$(store_bytes)
	run -0 cnet pipework --dry-run up0 web 10.4.0.2/24
	run -0 cnet pipework --dry-run brnew0 web 10.5.0.2/24
	run -0 cnet pipework --dry-run --json brnew0 -i eth2 web 10.5.0.2/24
	jq -e '.ok == true and .dry_run == true' <<<"$output" >/dev/null
	assert_equal "$(world_snapshot)" "$before"
	assert_equal "$(store_bytes)" "$store_before"
	[ "$(admin "$HOSTNS" up0)" = down ]
	run -0 --separate-stderr cnet pipework --json up0 web 10.4.0.2/24
	jq -e '.ok == true' <<<"$output" >/dev/null || fail "stdout: $output"
	[ "$(jq -s length <<<"$output")" = 1 ]
	[ "$(link_json "$CNS" eth1 | jq -r .linkinfo.info_kind)" = macvlan ]
	[ "$(admin "$HOSTNS" up0)" = up ]
	other=$BATS_TEST_TMPDIR/other.json
	run -0 cnet pipework --state "$other" up0 -i eth2 web 10.4.0.3/24
	run -0 addrs_of "$CNS" eth2
	assert_output 10.4.0.3/24
	[ "$(state_doc "$other" | jq -r '[.records[].ifname] | join(" ")')" = eth2 ]
	[ "$(state_doc | jq -r '[.records[].ifname] | join(" ")')" = eth1 ]
}

# ---- pipework route|rule GUEST ...: changed in place, kept in the record ----

# The routes to DEST in table TABLE (main if not given) of namespace NS:
# "GATEWAY DEV METRIC" a line ("-" for no gateway, 0 for no metric).
routes_to() { # NS DEST [TABLE]
	ip -n "$1" -j route show table "${3:-main}" "$2" | jq -r '.[] | "\(.gateway // "-") \(.dev) \(.metric // 0)"'
}

# The priorities of a namespace's IPv4 rules, as one JSON array.
rule_prios() { # NS
	ip -n "$1" -4 -j rule show | jq -c '[.[].priority]'
}

# The container's side as a route or rule change may touch it: world_snapshot
# and the container's rules and the routes it was given, in every table.
l3_world() {
	world_snapshot
	echo ---
	ip -n "$CNS" rule show
	ip -n "$CNS" -6 rule show
	# (not the kernel's own: a link-local address's comes when it is ready)
	ip -n "$CNS" route show table all | { grep -v "proto kernel" || true; }
}

# The routes the record of the container's IFNAME keeps.
recorded_routes() { # IFNAME
	state_doc | jq -c --arg i "$1" '[.records[] | select(.ifname == $i)] | .[0].options.route'
}

@test "pipework route add: in the kernel with its metric via GW on eth1, kept in the record, eth1 not made again; again is unchanged, another gateway exit 2" {
	container web "$CNS"
	run -0 cnet pipework up0 web 10.78.0.2/24@10.78.0.1
	idx=$(ifindex "$CNS" eth1)
	run -0 cnet pipework route web add 10.9.0.0/16 via 10.78.0.1 metric 10
	run -0 routes_to "$CNS" 10.9.0.0/16
	assert_output "10.78.0.1 eth1 10"
	[ "$(ifindex "$CNS" eth1)" = "$idx" ]
	[ "$(recorded_routes eth1)" = '["10.9.0.0/16@10.78.0.1,metric=10"]' ]
	# the record and the kernel agree: reapply finds nothing to do
	run -0 cnet reapply
	[[ "${lines[0]}" == ok:* ]] || fail "reapply: $output"
	[ "$(ifindex "$CNS" eth1)" = "$idx" ]
	before=$(l3_world)
	# the same line again, and as append: unchanged
	run -0 cnet pipework route web add 10.9.0.0/16 via 10.78.0.1 metric 10
	assert_equal "$(l3_world)" "$before"
	run -0 cnet pipework route web append to 10.9.0.0/16 via 10.78.0.1 metric 10
	assert_equal "$(l3_world)" "$before"
	# another gateway for that destination and metric: the kernel's File exists
	run -2 --separate-stderr cnet pipework route web add 10.9.0.0/16 via 10.78.0.9 metric 10
	[[ "$stderr" == *10.9.0.0/16* ]] || fail "stderr: $stderr"
	assert_equal "$(l3_world)" "$before"
	# a gateway the kernel refuses (not on any link): exit 2, nothing kept
	run -2 --separate-stderr cnet pipework route web add 10.11.0.0/16 via 192.0.2.1 dev eth1
	[[ "$stderr" == *10.11.0.0/16* ]] || fail "stderr: $stderr"
	assert_equal "$(l3_world)" "$before"
	# another metric is another route
	run -0 cnet pipework route web add 10.9.0.0/16 via 10.78.0.9 metric 20
	run -0 routes_to "$CNS" 10.9.0.0/16
	assert_output "$(printf '%s\n' "10.78.0.1 eth1 10" "10.78.0.9 eth1 20")"
	run -0 cnet pipework route web delete 10.9.0.0/16 metric 20
	assert_equal "$(l3_world)" "$before"
	# replace: the new gateway, in the kernel and the record
	run -0 cnet pipework route web replace 10.9.0.0/16 via 10.78.0.9 metric 10
	run -0 routes_to "$CNS" 10.9.0.0/16
	assert_output "10.78.0.9 eth1 10"
	[ "$(recorded_routes eth1)" = '["10.9.0.0/16@10.78.0.9,metric=10"]' ]
	run -0 cnet reapply
	[[ "${lines[0]}" == ok:* ]] || fail "reapply: $output"
	# del: gone from both
	run -0 cnet pipework route web del 10.9.0.0/16 metric 10
	run -0 routes_to "$CNS" 10.9.0.0/16
	assert_output ""
	[ "$(recorded_routes eth1)" = '[]' ]
	[ "$(ifindex "$CNS" eth1)" = "$idx" ]
	run -0 default_via "$CNS"
	assert_output "10.78.0.1 eth1"
	# again: not recorded, exit 1; nor is a route the container added itself
	ip -n "$CNS" route add 10.10.0.0/16 via 10.78.0.1 dev eth1
	before=$(l3_world)
	run -1 --separate-stderr cnet pipework route web del 10.9.0.0/16 metric 10
	[[ "$stderr" == *10.9.0.0/16* ]] || fail "stderr: $stderr"
	run -1 cnet pipework route web del 10.10.0.0/16
	assert_equal "$(l3_world)" "$before"
	[ "$(records)" = 1 ]
}

@test "pipework route replace of the attachment's default route: taken (or refused, changing nothing), and reapply keeps the interface" {
	container web "$CNS"
	run -0 cnet pipework up0 web 10.78.0.2/24@10.78.0.1
	run cnet pipework route web replace default via 10.78.0.9
	if [ "$status" = 0 ]; then
		gw=10.78.0.9
	else
		[ "$status" = 1 ] || [ "$status" = 2 ] || fail "replace: exit $status: $output"
		gw=10.78.0.1
	fi
	run -0 default_via "$CNS"
	assert_output "$gw eth1"
	# a reapply finds the record and the kernel agreeing, or repairs
	run cnet reapply
	[ "$status" = 0 ] || fail "reapply: exit $status: $output"
	run -0 addrs_of "$CNS" eth1
	assert_output 10.78.0.2/24
	run -0 default_via "$CNS"
	assert_output "$gw eth1"
	# and after a restart
	kill "$CPID"
	ip netns del "$CNS"
	container web "$CNS2"
	wait_until 30 reapply_ok || fail "reapply after the restart: exit $status: $output"
	run -0 addrs_of "$CNS2" eth1
	assert_output 10.78.0.2/24
	run -0 default_via "$CNS2"
	assert_output "$gw eth1"
}

@test "pipework route in table 100 and a rule: kept across a container restart by reapply; detach removes the rule" {
	container web "$CNS"
	run -0 cnet pipework up0 web 10.78.0.2/24@10.78.0.1
	idx=$(ifindex "$CNS" eth1)
	run -0 cnet pipework route web add default via 10.78.0.1 table 100
	run -0 cnet pipework rule web add from 10.78.0.0/24 table 100 priority 100
	run -0 routes_to "$CNS" default 100
	assert_output "10.78.0.1 eth1 0"
	[ "$(ip -n "$CNS" -4 -j rule show | jq -r '.[] | select(.priority == 100) | "\(.src)/\(.srclen) \(.table)"')" = \
		"10.78.0.0/24 100" ]
	[ "$(rule_prios "$CNS")" = "[0,100,32766,32767]" ]
	[ "$(ifindex "$CNS" eth1)" = "$idx" ]
	# the main table's default route is still the attachment's
	run -0 default_via "$CNS"
	assert_output "10.78.0.1 eth1"
	# the container restarts: a new process in a new namespace, the same Id
	kill "$CPID"
	ip netns del "$CNS"
	container web "$CNS2"
	wait_until 30 reapply_ok || fail "reapply did not converge: $output"
	run -0 addrs_of "$CNS2" eth1
	assert_output 10.78.0.2/24
	run -0 routes_to "$CNS2" default 100
	assert_output "10.78.0.1 eth1 0"
	[ "$(ip -n "$CNS2" -4 -j rule show | jq -r '.[] | select(.priority == 100) | "\(.src)/\(.srclen) \(.table)"')" = \
		"10.78.0.0/24 100" ]
	[ "$(rule_prios "$CNS2")" = "[0,100,32766,32767]" ]
	# detach takes the rule away (the namespace is still there to look)
	run -0 cnet detach container:web
	run -1 ip -n "$CNS2" link show eth1
	[ "$(rule_prios "$CNS2")" = "[0,32766,32767]" ]
	[ "$(records)" = 0 ]
}

@test "pipework rule: from all lookup N, to with pref, a host source; del takes each away" {
	container web "$CNS"
	run -0 cnet pipework up0 web 10.78.0.2/24@10.78.0.1
	idx=$(ifindex "$CNS" eth1)
	run -0 cnet pipework rule web add from all lookup 100
	run -0 ip -n "$CNS" -4 -j rule show
	[ "$(jq -c '[.[] | select(.table == "100") | {src, dst, srclen, dstlen}]' <<<"$output")" = \
		'[{"src":"all","dst":null,"srclen":null,"dstlen":null}]' ]
	run -0 ip -n "$CNS" rule show table 100
	[[ "$output" == *"from all lookup 100"* ]] || fail "ip rule: $output"
	[ "$(ip -n "$CNS" -4 -j rule show | jq length)" = 4 ]
	run -0 cnet pipework rule web del from all lookup 100
	[ "$(rule_prios "$CNS")" = "[0,32766,32767]" ]
	# not recorded (any more): exit 1
	run -1 cnet pipework rule web del from all lookup 100
	[ "$(rule_prios "$CNS")" = "[0,32766,32767]" ]
	# ip's other words: to, lookup, pref, preference, order; a source
	# without a prefix is a host
	run -0 cnet pipework rule web add to 10.50.0.0/16 lookup 200 pref 300
	[ "$(ip -n "$CNS" -4 -j rule show | jq -r '.[] | select(.priority == 300) | "\(.src) \(.dst)/\(.dstlen) \(.table)"')" = \
		"all 10.50.0.0/16 200" ]
	run -0 cnet pipework rule web add from 10.78.0.5 table 100 preference 150
	[ "$(ip -n "$CNS" -4 -j rule show | jq -r '.[] | select(.priority == 150) | "\(.src)/\(.srclen // 32) \(.table)"')" = \
		"10.78.0.5/32 100" ]
	[ "$(rule_prios "$CNS")" = "[0,150,300,32766,32767]" ]
	run -0 cnet pipework rule web delete to 10.50.0.0/16 table 200 order 300
	[ "$(rule_prios "$CNS")" = "[0,150,32766,32767]" ]
	run -0 cnet pipework rule web del from 10.78.0.5 lookup 100
	[ "$(rule_prios "$CNS")" = "[0,32766,32767]" ]
	[ "$(ifindex "$CNS" eth1)" = "$idx" ]
	[ "$(state_doc | jq -c '.records[0].options.rule // []')" = "[]" ]
}

@test "pipework rule add of a rule the container has already: recorded, and left to the container by detach" {
	container web "$CNS"
	run -0 cnet pipework up0 web 10.78.0.2/24@10.78.0.1
	ip -n "$CNS" rule add from 10.78.0.0/24 table 100 pref 400
	run -0 cnet pipework rule web add from 10.78.0.0/24 table 100 pref 400
	run -0 cnet pipework rule web add to 10.50.0.0/16 table 200 pref 300
	[ "$(rule_prios "$CNS")" = "[0,300,400,32766,32767]" ]
	run -0 cnet detach container:web
	[ "$(rule_prios "$CNS")" = "[0,400,32766,32767]" ] || fail "after the detach: $(ip -n "$CNS" rule show)"
	# asked to take it away, cnet does, whoever made it
	run -0 cnet pipework up0 web 10.78.0.2/24@10.78.0.1
	run -0 cnet pipework rule web add from 10.78.0.0/24 table 100 pref 400
	run -0 cnet pipework rule web del from 10.78.0.0/24 table 100 pref 400
	[ "$(rule_prios "$CNS")" = "[0,32766,32767]" ]
	run -0 cnet pipework rule web add from 10.78.0.0/24 table 100 pref 400
	run -0 cnet detach container:web
	[ "$(rule_prios "$CNS")" = "[0,32766,32767]" ] || fail "after the detach: $(ip -n "$CNS" rule show)"
}

@test "pipework rule del from all lookup N takes that rule away, not another rule of table N" {
	container web "$CNS"
	run -0 cnet pipework up0 web 10.78.0.2/24@10.78.0.1
	run -0 cnet pipework rule web add from all lookup 100
	all=$(ip -n "$CNS" -4 -j rule show | jq '.[] | select(.table == "100") | .priority')
	run -0 cnet pipework rule web add from 10.78.0.5 table 100 preference 150
	[ "$(rule_prios "$CNS")" = "[0,150,$all,32766,32767]" ]
	run -0 cnet pipework rule web del from all lookup 100
	[ "$(rule_prios "$CNS")" = "[0,150,32766,32767]" ] ||
		fail "after del from all lookup 100: $(ip -n "$CNS" rule show)"
	[ "$(ip -n "$CNS" -4 -j rule show | jq -r '.[] | select(.priority == 150) | .src')" = 10.78.0.5 ]
	# the record and the kernel agree
	run -0 cnet reapply
	[[ "${lines[0]}" == ok:* ]] || fail "reapply: $output"
}

@test "pipework route|rule refusals are exit 1 and change nothing: unknown words, rule replace, tc, an unknown container, no such interface" {
	container web "$CNS"
	run -0 cnet pipework up0 web 10.78.0.2/24@10.78.0.1
	before=$(l3_world)
	store_before=$(store_bytes)
	refused() { # WORD-IN-STDERR -- PIPEWORK-ARGS...
		local text=$1
		shift 2
		run -1 --separate-stderr cnet pipework "$@"
		[[ "$stderr" == *"$text"* ]] || fail "pipework $*: stderr: $stderr"
		assert_equal "$(l3_world)" "$before"
		assert_equal "$(store_bytes)" "$store_before"
	}
	refused proto -- route web add 10.10.0.0/16 via 10.78.0.1 proto static
	refused frobnicate -- route web frobnicate 10.10.0.0/16 via 10.78.0.1
	refused replace -- rule web replace from 10.78.0.0/24 table 100
	refused tc -- tc web qdisc add dev eth1 root netem loss 30%
	refused nosuch -- route nosuch add 10.10.0.0/16 via 10.78.0.1
	refused nosuch -- rule nosuch add from 10.78.0.0/24 table 100
	refused eth7 -- route web add 10.10.0.0/16 via 10.78.0.1 dev eth7
	refused fwmark -- rule web add fwmark 1 table 100
	refused "no destination" -- route web add via 10.78.0.1
	refused from=10.78.0.0/24 -- rule web add from 10.78.0.0/24
	refused 10.10.0.1/16 -- route web add 10.10.0.1/16 via 10.78.0.1
	refused 2001:db8::1 -- route web add 10.10.0.0/16 via 2001:db8::1
	[ "$(records)" = 1 ]
}

@test "pipework route with two attachments: no dev and no matching gateway is exit 1; dev IF or a gateway in its subnet picks it" {
	container web "$CNS"
	run -0 cnet pipework up0 -i eth1 web 10.78.0.2/24
	run -0 cnet pipework up0 -i eth2 web 10.79.0.2/24
	idx1=$(ifindex "$CNS" eth1)
	idx2=$(ifindex "$CNS" eth2)
	before=$(l3_world)
	store_before=$(store_bytes)
	run -1 --separate-stderr cnet pipework route web add 10.12.0.0/16
	[[ "$stderr" == *dev* ]] || fail "stderr: $stderr"
	run -1 cnet pipework route web add 10.12.0.0/16 via 10.80.0.1
	run -1 cnet pipework rule web add from 10.80.0.0/24 table 100
	assert_equal "$(l3_world)" "$before"
	assert_equal "$(store_bytes)" "$store_before"
	# dev eth2
	run -0 cnet pipework route web add 10.12.0.0/16 dev eth2
	run -0 routes_to "$CNS" 10.12.0.0/16
	assert_output "- eth2 0"
	# a gateway in eth2's subnet, then in eth1's
	run -0 cnet pipework route web add 10.13.0.0/16 via 10.79.0.1
	run -0 routes_to "$CNS" 10.13.0.0/16
	assert_output "10.79.0.1 eth2 0"
	run -0 cnet pipework route web add 10.14.0.0/16 via 10.78.0.1
	run -0 routes_to "$CNS" 10.14.0.0/16
	assert_output "10.78.0.1 eth1 0"
	# a rule goes with the attachment whose subnet holds its source; one
	# without a source with the first attachment
	run -0 cnet pipework rule web add from 10.79.0.0/24 table 100 pref 200
	run -0 cnet pipework rule web add from all table 100 pref 300
	[ "$(ifindex "$CNS" eth1)" = "$idx1" ]
	[ "$(ifindex "$CNS" eth2)" = "$idx2" ]
	# eth2's detach takes its rule; eth1's route stays
	run -0 cnet detach container:web --ifname eth2
	run -1 ip -n "$CNS" link show eth2
	[ "$(ip -n "$CNS" -4 -j rule show | jq '[.[] | select(.priority == 200)] | length')" = 0 ]
	[ "$(ip -n "$CNS" -4 -j rule show | jq '[.[] | select(.priority == 300)] | length')" = 1 ]
	run -0 routes_to "$CNS" 10.14.0.0/16
	assert_output "10.78.0.1 eth1 0"
	# one attachment left: it is the one, with no dev and no gateway
	run -0 cnet pipework route web add 10.15.0.0/16
	run -0 routes_to "$CNS" 10.15.0.0/16
	assert_output "- eth1 0"
	run -0 cnet detach container:web --ifname eth1
	[ "$(ip -n "$CNS" -4 -j rule show | jq '[.[] | select(.priority == 300)] | length')" = 0 ]
}

@test "pipework --dry-run route|rule changes nothing" {
	container web "$CNS"
	run -0 cnet pipework up0 web 10.78.0.2/24@10.78.0.1
	run -0 cnet pipework route web add 10.9.0.0/16 via 10.78.0.1 metric 10
	before=$(l3_world)
	store_before=$(store_bytes)
	run -0 cnet pipework --dry-run route web add 10.10.0.0/16 via 10.78.0.1 metric 10
	run -0 cnet pipework --dry-run route web add default via 10.78.0.1 table 100
	run -0 cnet pipework --dry-run route web replace 10.9.0.0/16 via 10.78.0.9 metric 10
	run -0 cnet pipework --dry-run route web del 10.9.0.0/16 metric 10
	run -0 cnet pipework --dry-run rule web add from 10.78.0.0/24 table 100 priority 100
	assert_equal "$(l3_world)" "$before"
	assert_equal "$(store_bytes)" "$store_before"
	run -0 routes_to "$CNS" 10.9.0.0/16
	assert_output "10.78.0.1 eth1 10"
}

@test "pipework route|rule on a container only Podman knows" {
	start_podman
	container_in "$PODMAN_DIR" pm "$CNS"
	export CNET_DOCKER_SOCK=$BATS_TEST_TMPDIR/no-docker.sock
	run -0 cnet pipework up0 pm 10.78.0.2/24@10.78.0.1
	run -0 cnet pipework route pm add 10.9.0.0/16 via 10.78.0.1 table 100
	run -0 cnet pipework rule pm add to 10.9.0.0/16 table 100 priority 100
	run -0 routes_to "$CNS" 10.9.0.0/16 100
	assert_output "10.78.0.1 eth1 0"
	[ "$(rule_prios "$CNS")" = "[0,100,32766,32767]" ]
	run -0 cnet detach container:pm
	[ "$(rule_prios "$CNS")" = "[0,32766,32767]" ]
}

# The tbf on a link: "RATE-BYTES/s BURST-BYTES", or "" without one.
tbf_of() { # NS IFNAME
	tc -n "$1" -j qdisc show dev "$2" | jq -r '.[] | select(.kind == "tbf") | "\(.options.rate) \(.options.burst)"'
}

@test "pipework tc qdisc add dev IF root tbf: the attachment's egress limit, recorded; del takes it away" {
	container web "$CNS"
	run -0 cnet pipework up0 web 10.78.0.2/24@10.78.0.1 02:00:00:78:00:02
	run -0 cnet pipework tc web qdisc add dev eth1 root tbf rate 1mbit burst 32kbit latency 400ms
	# 1mbit = 125000 bytes/s; tc's 32kbit is 4096 bytes
	[ "$(tbf_of "$CNS" eth1)" = "125000 4096" ]
	# made again with its name, MAC, address and default route
	[ "$(link_json "$CNS" eth1 | jq -r .address)" = 02:00:00:78:00:02 ]
	run -0 addrs_of "$CNS" eth1
	assert_output 10.78.0.2/24
	run -0 default_via "$CNS"
	assert_output "10.78.0.1 eth1"
	idx=$(ifindex "$CNS" eth1)
	# the same line again changes nothing; reapply finds it as asked
	run -0 cnet pipework tc web qdisc add dev eth1 root tbf rate 1mbit burst 32kbit latency 400ms
	[ "$(ifindex "$CNS" eth1)" = "$idx" ]
	run -0 cnet reapply
	[ "$(ifindex "$CNS" eth1)" = "$idx" ]
	# taken away by the container: reapply puts it back
	tc -n "$CNS" qdisc del dev eth1 root
	run -0 cnet reapply
	[ "$(tbf_of "$CNS" eth1)" = "125000 4096" ]
	run -0 cnet pipework tc web qdisc replace dev eth1 root tbf rate 2mbit burst 8kb latency 50ms
	[ "$(tbf_of "$CNS" eth1)" = "250000 8192" ]
	run -0 cnet pipework tc web qdisc del dev eth1 root
	[ -z "$(tbf_of "$CNS" eth1)" ]
	run -0 cnet reapply
	[ -z "$(tbf_of "$CNS" eth1)" ]
}

@test "pipework tc: the rest of tc is refused, exit 1, nothing changed" {
	container web "$CNS"
	run -0 cnet pipework up0 web 10.78.0.2/24
	before=$(l3_world)
	store_before=$(store_bytes)
	for line in "qdisc add dev eth1 root netem loss 30%" "qdisc add dev eth1 root htb default 1" \
		"qdisc add dev eth1 root tbf rate 1mbit burst 32k peakrate 2mbit mtu 1500" \
		"qdisc add dev eth1 root tbf rate 1mbit" "qdisc add dev eth1 ingress" \
		"filter add dev eth1 parent 1: u32 match ip dst 0/0 flowid 1:1" "qdisc show dev eth1"; do
		run -1 --separate-stderr cnet pipework tc web $line
		[[ "$stderr" == *"pipework tc"* ]] || fail "$line: $stderr"
	done
	run -1 cnet pipework tc web qdisc add dev eth7 root tbf rate 1mbit burst 32k latency 50ms
	run -1 cnet pipework tc web qdisc add dev eth1 root tbf rate fast burst 32k latency 50ms
	assert_equal "$(l3_world)" "$before"
	assert_equal "$(store_bytes)" "$store_before"
	[ -z "$(tbf_of "$CNS" eth1)" ]
}

# pipework's README (jpetazzo/pipework), line by line: its host interfaces
# (eth1, eth2, eth4, made here in the test's host namespace) and names.
@test "pipework's README lines, as written there" {
	local n
	for n in eth1 eth2 eth4; do
		hostip link add "$n" type veth peer name "${n}p"
		hostip link set "$n" up
		hostip link set "${n}p" up
	done
	container web1 "$CNS"
	container web2 "$CNS2"
	run -0 cnet pipework br1 web1 192.168.12.23/24
	[ "$(link_json "$HOSTNS" br1 | jq -r .linkinfo.info_kind)" = bridge ]
	run -0 addrs_of "$CNS" eth1
	assert_output 192.168.12.23/24
	run -0 cnet pipework br1 -i eth2 web1 192.168.4.25/20@192.168.4.1
	run -0 addrs_of "$CNS" eth2
	assert_output 192.168.4.25/20
	run -0 default_via "$CNS"
	assert_output "192.168.4.1 eth2"
	run -0 cnet pipework br1 -i eth3 -l hostapp1 web1 0/0
	[ "$(link_json "$HOSTNS" hostapp1 | jq -r .master)" = br1 ]
	run -0 cnet pipework eth2 web2 50.19.169.157/24
	[ "$(jq -r .link_index <<<"$(link_json "$CNS2" eth1)")" = "$(ifindex "$HOSTNS" eth2)" ]
	run -0 cnet pipework --direct-phys eth1 -i container0 web2 0/0
	run -1 hostip link show eth1
	is_up "$CNS2" container0
	run -0 cnet pipework eth4 -i eth5 web2 10.1.1.234/24@10.1.1.254 26:2e:71:98:60:8f
	[ "$(link_json "$CNS2" eth5 | jq -r .address)" = 26:2e:71:98:60:8f ]
	run -0 cnet pipework --dry-run eth2 -i eth6 web2 dhcp:-f U:some_string
	run -1 ip -n "$CNS2" link show eth6
	# route: the README's 10.0.5.6/24 has host bits set, which ip refused too
	run -1 cnet pipework route web2 add 10.0.5.6/24 via 50.19.169.1
	run -0 cnet pipework route web2 add 10.0.5.0/24 via 50.19.169.1
	run -0 routes_to "$CNS2" 10.0.5.0/24
	assert_output "50.19.169.1 eth1 0"
	run -1 cnet pipework route web2 replace default via 10.2.3.5.78
	run -0 cnet pipework route web2 replace default via 10.1.1.253
	run -0 default_via "$CNS2"
	assert_output "10.1.1.253 eth5"
	run -0 cnet pipework rule web2 add from 50.19.169.157/32 table 1
	run -0 cnet pipework rule web2 add to 10.1.1.0/24 table 1
	[ "$(ip -n "$CNS2" -4 -j rule show | jq -c '[.[] | select(.table == "1") | .dst // .src] | sort')" = '["10.1.1.0","50.19.169.157"]' ]
	# the README's lines cnet refuses: netem, dummy, Open vSwitch, IPoIB
	before=$(world_snapshot)
	run -1 cnet pipework tc web2 qdisc add dev eth1 root netem loss 30%
	run -1 cnet pipework dummy web2 192.168.21.101/24@192.168.21.1
	run -1 cnet pipework ovsbr0 web2 dhcp @10
	run -1 cnet pipework ib0 web2 10.10.10.10/24 @8001
	assert_equal "$(world_snapshot)" "$before"
	# all of it undone by two detaches
	run -0 cnet detach container:web1
	run -0 cnet detach container:web2
	run -1 hostip link show br1
	[ "$(link_json "$HOSTNS" eth1 | jq -r .ifname)" = eth1 ]
	[ "$(ip -n "$CNS2" -4 -j rule show | jq '[.[] | select(.table == "1")] | length')" = 0 ]
	[ "$(records)" = 0 ]
}

@test "HOSTIF is told apart in cnet's own namespace, not by a sysfs another namespace mounted (nsenter --net)" {
	container web "$CNS"
	hostip link add lanx type bridge
	hostip link set lanx up
	# nsenter keeps this mount namespace: its /sys is the test host's, where lanx is not
	run -0 nsenter --net="/run/netns/$HOSTNS" "$CNET_BIN" pipework lanx web 10.81.0.2/24
	[ "$(ip -n "$HOSTNS" -j link show master lanx | jq -r '.[0].ifname')" != null ]
	[ "$(link_json "$CNS" eth1 | jq -r .linkinfo.info_kind)" = veth ]
	run -0 nsenter --net="/run/netns/$HOSTNS" "$CNET_BIN" pipework "mac:$(link_json "$HOSTNS" up0 | jq -r .address)" -i eth2 web 10.82.0.2/24
	[ "$(link_json "$CNS" eth2 | jq -r .link_index)" = "$(ifindex "$HOSTNS" up0)" ]
}

@test "pipework --wait asks the namespace it runs in, not a sysfs another one mounted (nsenter --net)" {
	ip -n "$CNS" link add eth3 type veth peer name eth3p
	ip -n "$CNS" link set eth3p up
	run -1 nsenter --net="/run/netns/$CNS" "$CNET_BIN" pipework --wait -i eth3 --timeout 1
	ip -n "$CNS" link set eth3 up
	run -0 nsenter --net="/run/netns/$CNS" "$CNET_BIN" pipework --wait -i eth3 --timeout 5
}
