#!/usr/bin/env bats
# bats file_tags=netns
# Bandwidth limits: every qdisc, filter and ifb read back with tc -j and
# ip -j, and the rates measured with iperf3 between namespaces (as a
# ratio to an unshaped run in the same test, so the machine's speed does
# not matter).

load test_helper

setup() {
	setup_host
	command -v iperf3 >/dev/null || need "iperf3 (Debian package iperf3)"
	hostip addr add 10.73.0.1/24 dev up0
}
teardown() {
	[ ! -s "$BATS_TEST_TMPDIR/iperf.pid" ] || kill "$(cat "$BATS_TEST_TMPDIR/iperf.pid")" 2>/dev/null || true
	teardown_host
}

# "KIND RATE-IN-BYTES/S" of a link's root qdisc, and "ingress" if it has one.
qdiscs() { # NS DEV
	tc -n "$1" -j qdisc show dev "$2" |
		jq -r '.[] | select(.kind == "tbf" or .kind == "ingress") | "\(.kind) \(.options.rate // "-")"' | sort
}

# The ifb its ingress filter redirects to (mirred), by name.
redirect_of() { # NS DEV
	tc -n "$1" -j filter show dev "$2" ingress |
		jq -r '[.[] | .options.actions[]? | select(.kind == "mirred") | .to_dev] | first // "-"'
}

host_end() { hostip -j link show | jq -r '.[] | select(.ifname | startswith("veth")) | .ifname'; }

# Mbit/s of one iperf3 run from NS-A to a server in NS-B at ADDR (-R: the
# server sends). One server run per measure.
mbits() { # FROM-NS TO-NS ADDR [-R]
	# a daemon, its pid kept for teardown, without bats' fd 3
	ip netns exec "$2" iperf3 -s -1 -D -p 5201 -I "$BATS_TEST_TMPDIR/iperf.pid" >/dev/null 3>&-
	wait_until 30 listening "$2" || fail "no iperf3 server listening in $2"
	ip netns exec "$1" iperf3 -c "$3" -p 5201 -t 3 -O 1 -J ${4:-} | jq '.end.sum_received.bits_per_second / 1e6 | floor'
}

# listening NS: a server listens on TCP port 5201 in NS.
listening() { ip netns exec "$1" ss -ltn | grep -q ':5201 '; }

within() { # MEASURED LIMIT PERCENT
	local lo=$(($2 * (100 - $3) / 100)) hi=$(($2 * (100 + $3) / 100))
	[ "$1" -ge "$lo" ] && [ "$1" -le "$hi" ] || fail "$1 Mbit/s is not within $3% of $2"
}

@test "veth: shaped on the host end, out of the container's reach; ifb for its egress; detach removes the ifb" {
	run cnet attach "$CNS" veth --bridge brq --create-bridge --ip 10.74.0.2/24 --egress-rate 20mbit \
		--ingress-rate 30mbit --ingress-burst 64k
	assert_success
	h=$(host_end)
	ifb=ifb${h#veth}
	# the container's ingress is the host end's egress: 30mbit = 3750000 B/s
	[ "$(qdiscs "$HOSTNS" "$h")" = "ingress -
tbf 3750000" ]
	[ "$(tc -n "$HOSTNS" -j qdisc show dev "$h" | jq -r '.[] | select(.kind == "tbf") | .options.burst')" = 65536 ] ||
		[ "$(tc -n "$HOSTNS" -j qdisc show dev "$h" | jq -r '.[] | select(.kind == "tbf") | .options.burst')" -ge 65000 ]
	[ "$(redirect_of "$HOSTNS" "$h")" = "$ifb" ]
	[ "$(qdiscs "$HOSTNS" "$ifb")" = "tbf 2500000" ]
	[ "$(link_json "$HOSTNS" "$ifb" | jq -r .linkinfo.info_kind)" = ifb ]
	# nothing in the container for it to remove
	[ -z "$(qdiscs "$CNS" eth1)" ]
	run cnet detach "$CNS"
	assert_success
	run hostip link show "$ifb"
	assert_failure
}

@test "macvlan: shaped inside the container, its ifb there too; reapply puts back a removed limit" {
	cnet attach "$CNS" macvlan --parent up0 --ip 10.73.0.2/24 --egress-rate 20mbit --ingress-rate 10mbit
	ifb=$(redirect_of "$CNS" eth1)
	[[ $ifb == ifb* ]]
	[ "$(qdiscs "$CNS" eth1)" = "ingress -
tbf 2500000" ]
	[ "$(qdiscs "$CNS" "$ifb")" = "tbf 1250000" ]
	# the container (NET_ADMIN) removes one: reapply sees it and repairs
	tc -n "$CNS" qdisc del dev eth1 root
	run cnet reapply
	assert_success
	[ "$(qdiscs "$CNS" eth1)" = "ingress -
tbf 2500000" ]
	ifb=$(redirect_of "$CNS" eth1)
	tc -n "$CNS" qdisc del dev "$ifb" root
	run cnet reapply
	assert_success
	ifb=$(redirect_of "$CNS" eth1)
	[ "$(qdiscs "$CNS" "$ifb")" = "tbf 1250000" ]
	# and its filter alone: the ingress would pass unshaped
	tc -n "$CNS" filter del dev eth1 ingress
	[ "$(redirect_of "$CNS" eth1)" = - ]
	run cnet reapply
	assert_success
	assert_output --partial "repaired"
	[[ $(redirect_of "$CNS" eth1) == ifb* ]]
	cnet detach "$CNS"
	[ "$(ip -n "$CNS" -j link show | jq length)" = 1 ]
}

@test "host-device: the device goes back to the host without the container's qdiscs" {
	hostip link add hdq type veth peer name hdqp
	hostip link set hdqp up
	cnet attach "$CNS" host-device --dev hdq --ip 10.75.0.2/24 --egress-rate 10mbit --ingress-rate 10mbit
	[ "$(qdiscs "$CNS" eth1)" = "ingress -
tbf 1250000" ]
	cnet detach "$CNS"
	[ -z "$(qdiscs "$HOSTNS" hdq)" ]
	[ "$(ip -n "$CNS" -j link show | jq length)" = 1 ]
}

@test "iperf3: 20 and 100 Mbit/s limits hold within 15% both ways; unshaped is at least 3x faster" {
	cnet attach "$CNS" veth --bridge brq --create-bridge --ip 10.74.0.2/24
	hostip addr add 10.74.0.1/24 dev brq
	free_in=$(mbits "$HOSTNS" "$CNS" 10.74.0.2)
	cnet detach "$CNS"
	for limit in 20 100; do
		cnet attach "$CNS" veth --bridge brq --ip 10.74.0.2/24 --egress-rate "${limit}mbit" --ingress-rate "${limit}mbit"
		in=$(mbits "$HOSTNS" "$CNS" 10.74.0.2)     # host sends: the container's ingress
		out=$(mbits "$HOSTNS" "$CNS" 10.74.0.2 -R) # the container sends
		echo "# ${limit} Mbit/s limit: ingress $in, egress $out; unshaped $free_in Mbit/s" >&3
		within "$in" "$limit" 15
		within "$out" "$limit" 15
		cnet detach "$CNS"
	done
	[ "$free_in" -ge 300 ] # 3x the largest limit
	# shaped in the container's namespace (macvlan), measured from another
	# macvlan on the same parent
	cnet attach "$CNS" macvlan --parent up0 --ip 10.73.0.4/24
	cnet attach "$CNS2" macvlan --parent up0 --ip 10.73.0.3/24 --egress-rate 20mbit --ingress-rate 20mbit
	in=$(mbits "$CNS" "$CNS2" 10.73.0.3)
	out=$(mbits "$CNS" "$CNS2" 10.73.0.3 -R)
	echo "# macvlan, 20 Mbit/s limit: ingress $in, egress $out Mbit/s" >&3
	within "$in" 20 15
	within "$out" 20 15
}

@test "bad limits: exit 2, nothing made" {
	run -2 cnet attach "$CNS" macvlan --parent up0 --egress-rate 20mbits
	assert_output --partial "invalid --egress-rate '20mbits'"
	run -2 cnet attach "$CNS" macvlan --parent up0 --egress-rate 17gbit
	run -2 cnet attach "$CNS" macvlan --parent up0 --ingress-rate 1kbit
	run -2 cnet attach "$CNS" macvlan --parent up0 --ingress-rate 10mbit --ingress-burst 1k
	assert_output --partial "invalid --ingress-burst '1k'"
	run -2 cnet attach "$CNS" macvlan --parent up0 --egress-burst 32k
	assert_output --partial "--egress-burst needs --egress-rate"
	[ "$(ip -n "$CNS" -j link show | jq length)" = 1 ]
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}

@test "a shaped attach failing at any netlink request leaves nothing behind" {
	WALK_MIN=8 WALK_LABEL="veth with limits (nl)" fault_walk nl "$CNS" veth --bridge brq --create-bridge \
		--ip 10.74.0.2/24 --egress-rate 20mbit --ingress-rate 30mbit
	cnet detach "$CNS"
	hostip link add hdq type veth peer name hdqp
	hostip link set hdqp up
	hostip link set hdq up # carrier (and its peer's link-local route) from the start
	WALK_MIN=8 WALK_LABEL="host-device with limits (nl)" fault_walk nl "$CNS" host-device --dev hdq \
		--ip 10.73.0.2/24 --egress-rate 20mbit --ingress-rate 30mbit
}

@test "a shaped attach killed at any netlink request is recovered by reapply" {
	WALK_MIN=8 WALK_LABEL="macvlan with limits (nl:kill)" fault_walk nl:kill "$CNS" macvlan --parent up0 \
		--ip 10.73.0.2/24 --egress-rate 20mbit --ingress-rate 30mbit
	cnet detach "$CNS"
	WALK_MIN=8 WALK_LABEL="veth with limits (nl:kill)" fault_walk nl:kill "$CNS" veth --bridge brq \
		--create-bridge --ip 10.74.0.2/24 --egress-rate 20mbit --ingress-rate 30mbit
}

@test "a burst asked below the default's 16k is the tbf's burst, as asked" {
	run -0 cnet attach "$CNS" macvlan --parent up0 --egress-rate 1mbit --egress-burst 4k
	[ "$(tc -n "$CNS" -j qdisc show dev eth1 | jq -r '.[] | select(.kind == "tbf") | .options.burst')" = 4096 ]
}
