#!/usr/bin/env bats
# bats file_tags=netns
# --resolv-conf against a hostile container. The "container" is a busybox
# process in $CNS chrooted into its own root ($ROOT), as in dhcp.bats;
# dnsmasq serves DHCP on the far end of the uplink. Each test plays the
# container (a FIFO, a device node, a hard link or a host-owned file at the
# path; exiting so that a host process takes its PID) and reads back what
# cnet did to the files, the device and the store's lock.

load test_helper

setup() {
	setup_host
	command -v dnsmasq >/dev/null || need "dnsmasq (Debian package dnsmasq-base)"
	command -v busybox >/dev/null || need "busybox (Debian package busybox-static)"
	SRV=$P-s
	CREATED_NS+=("$SRV")
	ip netns add "$SRV"
	ip -n "$HOSTNS" link set up0p netns "$SRV"
	ip -n "$SRV" addr add 10.99.0.1/24 dev up0p
	ip -n "$SRV" link set up0p up
	LEASES=$BATS_TEST_TMPDIR/leases
	ROOT=$BATS_TEST_TMPDIR/root
	PIDS=()
	start_server
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	[ -z "${LOOPDEV:-}" ] || losetup -d "$LOOPDEV" || true
	stop_server
	teardown_host
}

# dnsmasq as a DHCP server only, its DNS server 10.99.0.53 (as dhcp.bats).
start_server() {
	ip netns exec "$SRV" dnsmasq --conf-file=/dev/null --user=root --port=0 \
		--interface=up0p --bind-interfaces --except-interface=lo --no-ping \
		--dhcp-range=10.99.0.100,10.99.0.150,255.255.255.0,2m --dhcp-leasefile="$LEASES" \
		--dhcp-option=option:router,10.99.0.1 --dhcp-option=option:dns-server,10.99.0.53 \
		--domain=test.lan --pid-file="$BATS_TEST_TMPDIR/dnsmasq.pid"
}

stop_server() {
	local f=$BATS_TEST_TMPDIR/dnsmasq.pid
	[ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
	rm -f "$f"
}

# The container: busybox sleeping in $CNS, chrooted into $ROOT, its PID in
# CPID. With "userns": in a user namespace of its own that maps its 0-65535
# to the host's 100000-165535 (written from outside, as an engine does).
start_container() { # [userns]
	local i
	mkdir -p "$ROOT/bin" "$ROOT/etc"
	cp "$(command -v busybox)" "$ROOT/bin/busybox"
	echo "nameserver 192.0.2.1" >"$ROOT/etc/resolv.conf"
	if [ "${1:-}" = userns ]; then
		ip netns exec "$CNS" unshare --user --mount --root="$ROOT" /bin/busybox sleep 300 3>&- &
	else
		ip netns exec "$CNS" chroot "$ROOT" /bin/busybox sleep 300 3>&- &
	fi
	CPID=$!
	PIDS+=("$CPID")
	for i in $(seq 100); do
		[ "$(readlink "/proc/$CPID/root")" = "$ROOT" ] && [ "$(readlink "/proc/$CPID/exe")" = /bin/busybox ] && break
		sleep 0.05
	done
	[ "$(readlink "/proc/$CPID/root")" = "$ROOT" ]
	if [ "${1:-}" = userns ]; then
		echo "0 100000 65536" >"/proc/$CPID/uid_map"
		echo "0 100000 65536" >"/proc/$CPID/gid_map"
	fi
}

# cnet attach in the background, bounded: the old code hung here for good.
attach_bg() { # ATTACH-ARGS... -> APID; stderr in $BATS_TEST_TMPDIR/err
	timeout 60 ip netns exec "$HOSTNS" "$CNET_BIN" attach "$@" >/dev/null 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	APID=$!
	PIDS+=("$APID")
}

# Start a host process (not chrooted: its root is the host's) with PID
# want: the kernel hands out PIDs in order after ns_last_pid. Another
# process on the machine may take it first: retried.
take_pid() { # PID -> DECOY
	local want=$1 _
	for _ in $(seq 50); do
		echo "$((want - 1))" >/proc/sys/kernel/ns_last_pid
		sleep 300 3>&- &
		PIDS+=("$!")
		if [ "$!" = "$want" ]; then
			DECOY=$!
			return 0
		fi
		kill "$!"
	done
	return 1
}

@test "resolv-conf: the container exits during the DHCP exchange and a host process takes its PID: no host file is written" {
	[ -w /proc/sys/kernel/ns_last_pid ] || need "a writable /proc/sys/kernel/ns_last_pid"
	start_container
	# the same path on the host: where the old code wrote
	victim=$BATS_TEST_TMPDIR/victim
	echo host-data >"$victim"
	stop_server # no lease until the PID has changed hands
	attach_bg "pid:$CPID" macvlan --parent up0 --ip dhcp --dhcp-timeout 30 --resolv-conf "$victim"
	# the interface is in the container, named: cnet is asking for a lease
	for _ in $(seq 200); do
		ip -n "$CNS" link show eth1 >/dev/null 2>&1 && break
		sleep 0.05
	done
	ip -n "$CNS" link show eth1 >/dev/null
	kill "$CPID"
	wait "$CPID" || true
	take_pid "$CPID" || fail "could not start a process with PID $CPID"
	[ "$(readlink "/proc/$CPID/root")" = / ]
	start_server
	st=0
	wait "$APID" || st=$?
	[ "$(cat "$victim")" = host-data ] || fail "the host file was written: $(cat "$victim")"
	[ "$st" = 3 ] || fail "attach exited $st: $(cat "$BATS_TEST_TMPDIR/err")"
	grep -q "the process with PID $CPID has gone: $victim not written" "$BATS_TEST_TMPDIR/err"
	kill "$DECOY"
	run -1 ip -n "$CNS" link show eth1
}
