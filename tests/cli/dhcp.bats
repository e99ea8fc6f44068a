#!/usr/bin/env bats
# bats file_tags=netns
# --ip dhcp against a real DHCP server: Debian's dnsmasq, in a namespace of
# its own on the far end of the uplink (up0p). The address, mask, lifetime
# and default route are read back from the kernel; dnsmasq's lease file
# says what the server thinks.

load test_helper

setup() {
	setup_host
	setup_dhcp_server_ns
	LEASES=$BATS_TEST_TMPDIR/leases
	start_server 10.99.0.100,10.99.0.150
}

teardown() {
	stop_server
	teardown_host
}

# dnsmasq as a DHCP server only (port 0: no DNS), 2-minute leases (its
# minimum), T1 and T2 as given, its router and DNS server the uplink.
start_server() { # RANGE [T1 T2] [extra dnsmasq options...]
	local range=$1 t1=${2:-60} t2=${3:-105}
	shift 3 2>/dev/null || shift $#
	ip netns exec "$SRV" dnsmasq --conf-file=/dev/null --user=root --port=0 \
		--interface=up0p --bind-interfaces --except-interface=lo --no-ping \
		--dhcp-range="$range,255.255.255.0,2m" --dhcp-leasefile="$LEASES" \
		--dhcp-option=option:router,10.99.0.1 --dhcp-option=option:dns-server,10.99.0.53 \
		--dhcp-option=option:T1,"$t1" --dhcp-option=option:T2,"$t2" --domain=test.lan \
		--pid-file="$BATS_TEST_TMPDIR/dnsmasq.pid" --log-dhcp \
		--log-facility="$BATS_TEST_TMPDIR/dnsmasq.log" "$@"
}

inet_of() { # NS IFNAME
	ip -n "$1" -j addr show dev "$2" | jq -c '[.[0].addr_info[] | select(.family == "inet")][0]'
}

# no_lease MAC: the server holds no lease for MAC.
no_lease() { [ -z "$(lease_of "$1")" ]; }

# in_ns PID NS: process PID is in the namespace named NS.
in_ns() { [ "$(ip netns identify "$1" 2>/dev/null)" = "$2" ]; }

# joins_bridge DEV BRIDGE: DEV in the host namespace is put on BRIDGE.
joins_bridge() { hostip link set "$1" master "$2" 2>/dev/null; }

@test "dhcp: a lease from dnsmasq: address, mask, lifetime and default route in the kernel; the server knows the client" {
	run -0 cnet attach "netns:$CNS" macvlan --parent up0 --ip dhcp --hostname web-1
	a=$(inet_of "$CNS" eth1)
	addr=$(jq -r .local <<<"$a")
	[[ "$addr" == 10.99.0.1[0-4][0-9] || "$addr" == 10.99.0.150 ]]
	[ "$(jq -r .prefixlen <<<"$a")" = 24 ]
	# the kernel drops it at the lease's end unless it is renewed
	lft=$(jq -r .valid_life_time <<<"$a")
	[ "$lft" -le 120 ] && [ "$lft" -ge 110 ]
	[ "$(jq -r .preferred_life_time <<<"$a")" -le 120 ]
	[ "$(jq -r .dynamic <<<"$a")" = true ]
	[ "$(ip -n "$CNS" -j route show default | jq -r '.[0].gateway')" = 10.99.0.1 ]
	ping_from "$CNS" 10.99.0.1
	mac=$(link_json "$CNS" eth1 | jq -r .address)
	l=$(lease_of "$mac")
	[ "$(cut -d' ' -f3 <<<"$l")" = "$addr" ]
	[ "$(cut -d' ' -f4 <<<"$l")" = web-1 ]
	# the client identifier (RFC 4361: ff, IAID, DUID-UUID) is the stored one
	cid=$(jq -r '.records[0].dhcp.client_id' <(state_doc))
	[ "$(cut -d' ' -f5 <<<"$l" | tr -d :)" = "$cid" ]
	[[ "$cid" == ff????????0004* ]]
	[ "$(jq -r '.records[0].dhcp.lease.address' <(state_doc))" = "$addr/24" ]
	[ "$(jq -r '.records[0].dhcp.lease.dns[0]' <(state_doc))" = 10.99.0.53 ]
	[ "$(jq -r '.records[0].dhcp.lease.domain' <(state_doc))" = test.lan ]
	# the same attach again changes nothing
	run -0 cnet attach "netns:$CNS" macvlan --parent up0 --ip dhcp --hostname web-1 --json
	[ "$(jq -r .changed <<<"$output")" = false ]
	# ls --json: the lease and the time it has left
	run -0 cnet ls --json
	left=$(jq -r '.records[0].dhcp.lease.remaining' <<<"$output")
	[ "$left" -gt 100 ] && [ "$left" -le 120 ]
	# detach sends DHCPRELEASE: the server forgets the lease
	run -0 cnet detach "netns:$CNS"
	wait_until 30 no_lease "$mac"
	grep -q "DHCPRELEASE(up0p) $addr" "$BATS_TEST_TMPDIR/dnsmasq.log"
}

@test "dhcp: after a container restart reapply asks for the same address first (INIT-REBOOT) and gets it" {
	cnet attach "netns:$CNS" macvlan --parent up0 --ip dhcp --ip fd99::5/64 --no-dad
	addr=$(inet_of "$CNS" eth1 | jq -r .local)
	ip netns del "$CNS"
	ip netns add "$CNS"
	run -0 cnet reapply
	assert_output "repaired: macvlan eth1 in netns:$CNS: container restarted"
	[ "$(inet_of "$CNS" eth1 | jq -r .local)" = "$addr" ]
	[ "$(addrs_of "$CNS" eth1 | grep fd99)" = fd99::5/64 ]
	[ "$(ip -n "$CNS" -j route show default | jq -r '.[0].gateway')" = 10.99.0.1 ]
	# a REQUEST for the old address with no DISCOVER before it
	[ "$(grep -c DHCPDISCOVER "$BATS_TEST_TMPDIR/dnsmasq.log")" = 1 ]
	[ "$(grep -c "DHCPREQUEST(up0p) $addr" "$BATS_TEST_TMPDIR/dnsmasq.log")" = 2 ]
	run -0 cnet reapply
	assert_output "ok: macvlan eth1 in netns:$CNS"
}

@test "dhcp: past T1 reapply renews the lease: the server's lease end and the kernel's lifetime move forward" {
	stop_server
	start_server 10.99.0.100,10.99.0.150 3 7
	cnet attach "netns:$CNS" macvlan --parent up0 --ip dhcp --no-gw --dhcp-timeout 2
	mac=$(link_json "$CNS" eth1 | jq -r .address)
	end1=$(lease_of "$mac" | cut -d' ' -f1)
	[ -z "$(ip -n "$CNS" -j route show default | jq -r '.[0].gateway // empty')" ]
	run -0 cnet reapply
	assert_output "ok: macvlan eth1 in netns:$CNS"
	sleep 4
	run -0 cnet reapply
	assert_output "renewed: macvlan eth1 in netns:$CNS: lease renewed for 120 s"
	end2=$(lease_of "$mac" | cut -d' ' -f1)
	[ "$end2" -gt "$end1" ]
	[ "$(inet_of "$CNS" eth1 | jq -r .valid_life_time)" -ge 118 ]
	# past T2, with the server gone: the rebind fails, reported; the
	# address stays until the lease ends
	stop_server
	sleep 8
	run -7 --separate-stderr cnet reapply
	[[ "$output" == *"failed: macvlan eth1 in netns:$CNS: no DHCP server answered the rebind on eth1"* ]]
	[ -n "$(inet_of "$CNS" eth1 | jq -r '.local // empty')" ]
	# by hand, with the server back
	start_server 10.99.0.100,10.99.0.150 60 105
	run -0 cnet dhcp renew "netns:$CNS"
	assert_output "renewed: macvlan eth1 in netns:$CNS: lease rebound for 120 s"
	run -0 cnet dhcp release "netns:$CNS"
	assert_output "released: macvlan eth1 in netns:$CNS"
	[ "$(inet_of "$CNS" eth1)" = null ]
	wait_until 30 no_lease "$mac"
	[ -z "$(lease_of "$mac")" ]
	run -0 cnet reapply
	assert_output "ok: macvlan eth1 in netns:$CNS"
	run -0 cnet dhcp renew "netns:$CNS"
	assert_output "renewed: macvlan eth1 in netns:$CNS: a new lease"
	[ -n "$(inet_of "$CNS" eth1 | jq -r '.local // empty')" ]
}

@test "dhcp: a server that renumbered says NAK to the old address: the client starts over and gets a new one" {
	cnet attach "netns:$CNS" macvlan --parent up0 --ip dhcp
	old=$(inet_of "$CNS" eth1 | jq -r .local)
	stop_server
	start_server 10.99.0.200,10.99.0.210 60 105 --dhcp-authoritative
	ip netns del "$CNS"
	ip netns add "$CNS"
	run -0 cnet reapply
	new=$(inet_of "$CNS" eth1 | jq -r .local)
	[ "$new" != "$old" ]
	[[ "$new" == 10.99.0.2[01][0-9] ]]
	grep -q "DHCPNAK(up0p) $old" "$BATS_TEST_TMPDIR/dnsmasq.log"
}

@test "dhcp: no server: a clear error within the timeout, and nothing left behind" {
	stop_server
	before=$(world_snapshot)
	SECONDS=0
	run -1 --separate-stderr cnet attach "netns:$CNS" macvlan --parent up0 --ip dhcp --dhcp-timeout 2
	[ "$SECONDS" -le 7 ] # 2 s, and a loaded machine's start-up; the default would be 10 s
	assert_equal "$stderr" "cnet: no DHCP server answered on eth1 within 2.0 s"
	[ "$(world_snapshot)" = "$before" ]
}

@test "dhcp: bad or contradictory requests are refused before anything is made" {
	refused() { # CODE TEXT -- ARGS
		local code=$1 text=$2
		shift 3
		run "-$code" --separate-stderr cnet "$@"
		[[ "$stderr" == *"$text"* ]] || fail "stderr: $stderr"
	}
	a=(attach "netns:$CNS" macvlan --parent up0)
	refused 2 "an IPv4 --gw does not go with --ip dhcp" -- "${a[@]}" --ip dhcp --gw 10.99.0.1
	refused 2 "--no-gw applies to --ip dhcp" -- "${a[@]}" --ip 10.99.0.9/24 --no-gw
	refused 2 "--hostname applies to --ip dhcp" -- "${a[@]}" --ip 10.99.0.9/24 --hostname x
	refused 2 "--dhcp-timeout applies to --ip dhcp" -- "${a[@]}" --ip 10.99.0.9/24 --dhcp-timeout 3
	refused 2 "invalid hostname 'a b'" -- "${a[@]}" --ip dhcp --hostname 'a b'
	refused 2 "invalid --dhcp-timeout '0'" -- "${a[@]}" --ip dhcp --dhcp-timeout 0
	refused 2 "address 'dhcp' given twice" -- "${a[@]}" --ip dhcp --ip dhcp
	refused 2 "dhcp needs renew or release" -- dhcp "netns:$CNS"
	refused 3 "no --ip dhcp attachment is recorded for netns:$CNS" -- dhcp renew "netns:$CNS"
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
	[ -z "$(ip -n "$CNS" -j link show | jq -r '.[] | select(.ifname != "lo") | .ifname')" ]
}

@test "dhcp: on a veth and on a moved host device, both on a bridge to the server; detach releases both" {
	hostip link add name swd0 type bridge
	hostip link set up0 master swd0
	hostip link set swd0 up
	hostip link add hd0 type veth peer name hd0p
	hostip link set hd0p master swd0 up
	run -0 cnet attach "netns:$CNS" veth --bridge swd0 --ip dhcp --hostname v-1
	run -0 cnet attach "netns:$CNS2" host-device --dev hd0 --ip dhcp --hostname h-1
	a1=$(inet_of "$CNS" eth1 | jq -r .local)
	a2=$(inet_of "$CNS2" eth1 | jq -r .local)
	[[ "$a1" == 10.99.0.* && "$a2" == 10.99.0.* && "$a1" != "$a2" ]]
	[ "$(awk '$4 == "v-1" { print $3 }' "$LEASES")" = "$a1" ]
	[ "$(awk '$4 == "h-1" { print $3 }' "$LEASES")" = "$a2" ]
	ping_from "$CNS" "$a2"
	run -0 cnet detach "netns:$CNS"
	run -0 cnet detach "netns:$CNS2"
	wait_until 30 test ! -s "$LEASES"
	[ ! -s "$LEASES" ]
	# the device is back on the host without the leased address
	[ "$(hostip -j addr show dev hd0 | jq '[.[0].addr_info[] | select(.family == "inet")] | length')" = 0 ]
}

@test "dhcp: the namespace gone before detach or gc: the lease is let go from the host, on a macvlan's parent and on a veth's bridge" {
	local m a
	run -0 cnet attach "netns:$CNS" macvlan --parent up0 --ip dhcp --hostname m-1
	m=$(ip -n "$CNS" -j link show eth1 | jq -r '.[0].address')
	a=$(inet_of "$CNS" eth1 | jq -r .local)
	[ "$(lease_of "$m" | cut -d' ' -f3)" = "$a" ]
	ip netns del "$CNS"
	run -0 cnet detach "netns:$CNS"
	wait_until 30 no_lease "$m"
	[ -z "$(lease_of "$m")" ]
	grep -qi "DHCPRELEASE(up0p) $a $m" "$BATS_TEST_TMPDIR/dnsmasq.log"
	# a veth's host end dies with the namespace: the bridge it was on
	hostip link add name swd0 type bridge
	hostip link set swd0 up
	# (the macvlan on up0 goes in the background)
	wait_until 30 joins_bridge up0 swd0
	hostip link set up0 master swd0
	run -0 cnet attach "netns:$CNS2" veth --bridge swd0 --ip dhcp --hostname v-1
	m=$(ip -n "$CNS2" -j link show eth1 | jq -r '.[0].address')
	a=$(inet_of "$CNS2" eth1 | jq -r .local)
	[ "$(lease_of "$m" | cut -d' ' -f3)" = "$a" ]
	ip netns del "$CNS2"
	run -0 cnet gc --yes
	wait_until 30 no_lease "$m"
	[ -z "$(lease_of "$m")" ]
	grep -qi "DHCPRELEASE(up0p) $a $m" "$BATS_TEST_TMPDIR/dnsmasq.log"
}

@test "dhcp: a namespace that lost its name but lives on (a process in it) keeps its lease at detach" {
	local m holder
	run -0 cnet attach "netns:$CNS" macvlan --parent up0 --ip dhcp --hostname k-1
	m=$(ip -n "$CNS" -j link show eth1 | jq -r '.[0].address')
	[ -n "$(lease_of "$m")" ]
	# the container's part: something of it keeps the namespace alive
	ip netns exec "$CNS" sleep 30 &
	holder=$!
	wait_until 30 in_ns "$holder" "$CNS"
	[ "$(ip netns identify "$holder")" = "$CNS" ]
	ip netns del "$CNS"
	run -0 --separate-stderr cnet detach "netns:$CNS"
	sleep 0.5
	[ -n "$(lease_of "$m")" ]
	[[ "$stderr" == *"not released"* ]]
	# the interface still holds the address: it must not be given away
	kill "$holder"
	wait "$holder" || true
	run grep -qi "DHCPRELEASE(up0p) .* $m" "$BATS_TEST_TMPDIR/dnsmasq.log"
	assert_failure
}

# The server's leases, without their end times (a renewal moves those).
leases_held() { cut -d' ' -f2- "$LEASES" 2>/dev/null | sort; }

@test "dhcp: an attach failing at any netlink request or store write leaves nothing, and gives back a lease it got" {
	[ -x "$CNET_FI_BIN" ] || fail "no fault-injection build at $CNET_FI_BIN"
	WORLD_EXTRA=leases_held
	fault_walk nl "$CNS" macvlan --parent up0 --ip dhcp --dhcp-timeout 3
	run -0 cnet detach "$CNS"
	fault_walk store "$CNS" macvlan --parent up0 --ip dhcp --dhcp-timeout 3
	grep -q DHCPRELEASE "$BATS_TEST_TMPDIR/dnsmasq.log"
}

@test "dhcp --resolv-conf: the DNS servers go into the container's own root; a planted symlink cannot lead out of it" {
	# a "container": a process in $CNS chrooted into its own root
	root=$BATS_TEST_TMPDIR/root
	mkdir -p "$root/bin" "$root/etc" "$root/tmp"
	cp "$(command -v busybox)" "$root/bin/busybox" # (Debian package busybox-static)
	ip netns exec "$CNS" chroot "$root" /bin/busybox sleep 300 &
	pid=$!
	wait_until 30 same_file "/proc/$pid/root" "$root"
	same_file "/proc/$pid/root" "$root"
	run -0 cnet attach "pid:$pid" macvlan --parent up0 --ip dhcp --resolv-conf /etc/resolv.conf
	run -0 cat "$root/etc/resolv.conf"
	assert_line "search test.lan"
	assert_line "nameserver 10.99.0.53"
	run -0 cnet detach "pid:$pid"
	# the container points its resolv.conf at a host path: cnet writes
	# inside the root (here: $root/tmp/victim), never the host's file
	victim=$BATS_TEST_TMPDIR/victim
	echo host-data >"$victim"
	rm "$root/etc/resolv.conf"
	ln -s "$victim" "$root/etc/resolv.conf"
	ln -s "../../../../../../../..$victim" "$root/etc/up"
	# where that leads inside the root does not exist: refused, nothing made
	run -2 --separate-stderr cnet attach "pid:$pid" macvlan --parent up0 --ip dhcp --resolv-conf /etc/resolv.conf
	[[ "$stderr" == *"cannot write /etc/resolv.conf in /proc/$pid/root"* ]]
	[ "$(cat "$victim")" = host-data ]
	run -1 ip -n "$CNS" link show eth1
	# once it exists inside the root, that is where cnet writes
	mkdir -p "$root$(dirname "$victim")"
	run -0 cnet attach "pid:$pid" macvlan --parent up0 --ip dhcp --resolv-conf /etc/resolv.conf
	[ "$(cat "$victim")" = host-data ]
	grep -qx "nameserver 10.99.0.53" "$root$victim"
	run -0 cnet detach "pid:$pid"
	rm "$root$victim"
	run -0 cnet attach "pid:$pid" macvlan --parent up0 --ip dhcp --resolv-conf /etc/up
	[ "$(cat "$victim")" = host-data ]
	grep -qx "nameserver 10.99.0.53" "$root$victim"
	run -0 cnet detach "pid:$pid"
	# a target without a process has no root to write in
	run -2 --separate-stderr cnet attach "netns:$CNS" macvlan --parent up0 --ip dhcp --resolv-conf /etc/r
	[[ "$stderr" == *"--resolv-conf needs a target with a root to write in"* ]]
	kill "$pid"
}
