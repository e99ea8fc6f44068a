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
	command -v busybox >/dev/null || need "busybox (Debian package busybox-static)"
	setup_dhcp_server_ns
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

# The container: busybox sleeping in $CNS, chrooted into $ROOT, its PID in
# CPID. With "userns": in a user namespace of its own that maps its 0-65535
# to the host's 100000-165535 (written from outside, as an engine does).
start_container() { # [userns]
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
	wait_until 30 in_root "$CPID" "$ROOT"
	same_file "/proc/$CPID/root" "$ROOT"
	if [ "${1:-}" = userns ]; then
		echo "0 100000 65536" >"/proc/$CPID/uid_map"
		echo "0 100000 65536" >"/proc/$CPID/gid_map"
	fi
}

# in_root PID ROOT: process PID runs ROOT's busybox, chrooted into ROOT.
in_root() { same_file "/proc/$1/root" "$2" && same_file "/proc/$1/exe" "$2/bin/busybox"; }

# cnet attach in the background, bounded: the old code hung here for good.
attach_bg() { # ATTACH-ARGS... -> APID; stderr in $BATS_TEST_TMPDIR/err
	timeout 60 ip netns exec "$HOSTNS" "$CNET_BIN" attach "$@" >/dev/null 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	APID=$!
	PIDS+=("$APID")
}

# While the background attach has its lease (it writes the file next), or
# once it has finished, another cnet command gets the store (exit 4: still
# locked after 2 s).
store_not_locked() {
	wait_until 30 leased_or_ended "$APID" ||
		fail "the attach neither got a lease nor ended: $(cat "$BATS_TEST_TMPDIR/err")"
	sleep 0.5
	run -0 cnet ls --wait 2
}
# leased_or_ended APID: the server has handed out a lease, or the attach
# (process APID) has ended.
leased_or_ended() { [ -s "$LEASES" ] || ! kill -0 "$1" 2>/dev/null; }

# The background attach ends at once with a usage error (exit 2) saying
# MSG, within 20 s (not 60 s later, killed by its timeout).
attach_refused() { # MSG
	local st=0
	wait "$APID" || st=$?
	[ "$st" = 2 ] || fail "attach exited $st (124: killed by timeout after 60 s): $(cat "$BATS_TEST_TMPDIR/err")"
	[ "$SECONDS" -lt 20 ]
	grep -qF "$1" "$BATS_TEST_TMPDIR/err" || fail "no '$1' in: $(cat "$BATS_TEST_TMPDIR/err")"
}

@test "resolv-conf: a FIFO planted at the path is refused at once; the store's lock is not held waiting for a reader" {
	start_container
	rm "$ROOT/etc/resolv.conf"
	mkfifo "$ROOT/etc/resolv.conf"
	SECONDS=0
	attach_bg "pid:$CPID" macvlan --parent up0 --ip dhcp --resolv-conf /etc/resolv.conf
	store_not_locked
	attach_refused "refusing to write /etc/resolv.conf in /proc/$CPID/root: it is a FIFO, not a regular file"
	[ -p "$ROOT/etc/resolv.conf" ]
	# the attach was rolled back
	run -1 ip -n "$CNS" link show eth1
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}

@test "resolv-conf: a lease the container holds on the file does not make cnet wait for it to be broken" {
	start_container
	# (the container's process, played by one outside its root: a read
	# lease, SIGIO ignored, so that an open for writing would wait
	# fs.lease-break-time, 45 s by default)
	perl -e 'use Fcntl; $SIG{IO} = "IGNORE"; open(my $f, "<", $ARGV[0]) or die "$!";
		fcntl($f, 1024, F_RDLCK) or die "F_SETLEASE: $!"; print "held\n"; STDOUT->flush; sleep 300' \
		"$ROOT/etc/resolv.conf" >"$BATS_TEST_TMPDIR/lease" 3>&- &
	PIDS+=("$!")
	wait_until 30 grep -q held "$BATS_TEST_TMPDIR/lease"
	grep -q held "$BATS_TEST_TMPDIR/lease"
	SECONDS=0
	attach_bg "pid:$CPID" macvlan --parent up0 --ip dhcp --resolv-conf /etc/resolv.conf
	store_not_locked
	attach_refused "cannot write /etc/resolv.conf in /proc/$CPID/root: Resource temporarily unavailable"
	[ "$(cat "$ROOT/etc/resolv.conf")" = "nameserver 192.0.2.1" ]
	run -1 ip -n "$CNS" link show eth1
}

@test "resolv-conf: a block device node planted at the path (CAP_MKNOD) is refused; nothing reaches the device" {
	losetup -f >/dev/null 2>&1 || need "a free loop device (losetup -f)"
	start_container
	truncate -s 1M "$BATS_TEST_TMPDIR/disk"
	LOOPDEV=$(losetup -f --show "$BATS_TEST_TMPDIR/disk")
	read -r maj min < <(stat -c '%t %T' "$LOOPDEV")
	rm "$ROOT/etc/resolv.conf"
	mknod "$ROOT/etc/resolv.conf" b "$((16#$maj))" "$((16#$min))"
	run --separate-stderr timeout 60 ip netns exec "$HOSTNS" "$CNET_BIN" attach "pid:$CPID" macvlan \
		--parent up0 --ip dhcp --resolv-conf /etc/resolv.conf
	# the device, read back: still all zeros (the old code wrote the
	# resolv.conf text at its start)
	[ "$(head -c 1M "$LOOPDEV" | tr -d '\0' | wc -c)" = 0 ] ||
		fail "written to $LOOPDEV: $(head -c 200 "$LOOPDEV" | tr -d '\0')"
	[ "$status" = 2 ]
	[[ "$stderr" == *"refusing to write /etc/resolv.conf in /proc/$CPID/root: it is a block device, not a regular file"* ]]
	[ -b "$ROOT/etc/resolv.conf" ]
	run -1 ip -n "$CNS" link show eth1
}

@test "resolv-conf: a hard link to a host file planted at the path is refused; the host file is untouched" {
	start_container
	victim=$BATS_TEST_TMPDIR/victim
	echo host-data >"$victim"
	# what a container with CAP_DAC_READ_SEARCH gets with
	# open_by_handle_at and linkat: a second name for a host file
	rm "$ROOT/etc/resolv.conf"
	ln "$victim" "$ROOT/etc/resolv.conf"
	run --separate-stderr cnet attach "pid:$CPID" macvlan --parent up0 --ip dhcp --resolv-conf /etc/resolv.conf
	[ "$(cat "$victim")" = host-data ] || fail "the host file was written: $(cat "$victim")"
	[ "$status" = 2 ]
	[[ "$stderr" == *"refusing to write /etc/resolv.conf in /proc/$CPID/root: it has 2 hard links"* ]]
	run -1 ip -n "$CNS" link show eth1
}

@test "resolv-conf: in a user namespace, a file of the container's users is written, a host-owned one it sees is not" {
	start_container userns
	chown 100000:100000 "$ROOT/etc/resolv.conf"
	run -0 cnet attach "pid:$CPID" macvlan --parent up0 --ip dhcp --resolv-conf /etc/resolv.conf
	grep -qx "nameserver 10.99.0.53" "$ROOT/etc/resolv.conf"
	run -0 cnet detach "pid:$CPID"
	# a host directory mounted into the container (a volume), its file
	# owned by the host's root, which the container cannot write itself:
	# it points its resolv.conf there
	mkdir "$ROOT/vol"
	echo host-data >"$ROOT/vol/data"
	rm "$ROOT/etc/resolv.conf"
	ln -s /vol/data "$ROOT/etc/resolv.conf"
	run --separate-stderr cnet attach "pid:$CPID" macvlan --parent up0 --ip dhcp --resolv-conf /etc/resolv.conf
	[ "$(cat "$ROOT/vol/data")" = host-data ] || fail "the host-owned file was written: $(cat "$ROOT/vol/data")"
	[ "$status" = 2 ]
	[[ "$stderr" == *"refusing to write /etc/resolv.conf in /proc/$CPID/root: its owner (uid 0) is not a user of the container"* ]]
	run -1 ip -n "$CNS" link show eth1
	# one cnet creates is the container root's, as if it had made it
	rm "$ROOT/etc/resolv.conf"
	run -0 cnet attach "pid:$CPID" macvlan --parent up0 --ip dhcp --resolv-conf /etc/resolv.conf
	[ "$(stat -c %u:%g "$ROOT/etc/resolv.conf")" = 100000:100000 ]
	grep -qx "nameserver 10.99.0.53" "$ROOT/etc/resolv.conf"
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

# has_eth1 NS: an eth1 is in namespace NS.
has_eth1() { ip -n "$1" link show eth1 >/dev/null 2>&1; }

@test "resolv-conf: the container exits during the DHCP exchange and a host process takes its PID: no host file is written" {
	[ -w /proc/sys/kernel/ns_last_pid ] || need "a writable /proc/sys/kernel/ns_last_pid"
	start_container
	# the same path on the host: where the old code wrote
	victim=$BATS_TEST_TMPDIR/victim
	echo host-data >"$victim"
	stop_server # no lease until the PID has changed hands
	attach_bg "pid:$CPID" macvlan --parent up0 --ip dhcp --dhcp-timeout 30 --resolv-conf "$victim"
	# the interface is in the container, named: cnet is asking for a lease
	wait_until 30 has_eth1 "$CNS"
	ip -n "$CNS" link show eth1 >/dev/null
	kill "$CPID"
	wait "$CPID" || true
	take_pid "$CPID" || fail "could not start a process with PID $CPID"
	same_file "/proc/$CPID/root" /
	start_server
	st=0
	wait "$APID" || st=$?
	[ "$(cat "$victim")" = host-data ] || fail "the host file was written: $(cat "$victim")"
	[ "$st" = 3 ] || fail "attach exited $st: $(cat "$BATS_TEST_TMPDIR/err")"
	grep -q "the process with PID $CPID has gone: $victim not written" "$BATS_TEST_TMPDIR/err"
	kill "$DECOY"
	run -1 ip -n "$CNS" link show eth1
}
