#!/usr/bin/env bats
# bats file_tags=netns
# Netlink as a container can play it: replies forged by a task of the
# container's namespace to cnet's sockets there, and dumps the kernel
# flags interrupted because links come and go.

load test_helper

setup() {
	setup_host
	FORGER= CHURN=
}

teardown() {
	[ -z "$FORGER" ] || { kill "$FORGER" 2>/dev/null; wait "$FORGER" 2>/dev/null; } || true
	[ -z "$CHURN" ] || { kill "$CHURN" 2>/dev/null; wait "$CHURN" 2>/dev/null; } || true
	teardown_host
}

# The container's forger (tests/nl-forge.c) in CNS, watching for cnet's
# netlink sockets there; returns once it watches.
start_forger() { # ERROR
	[ -x "$TOP/build/nl-forge" ] || fail "build/nl-forge is missing: make build/nl-forge"
	ip netns exec "$CNS" "$TOP/build/nl-forge" 50 "$1" >"$BATS_TEST_TMPDIR/forger" 2>&1 3>&- &
	FORGER=$!
	wait_until 30 grep -qx ready "$BATS_TEST_TMPDIR/forger" ||
		fail "the forger did not start: $(cat "$BATS_TEST_TMPDIR/forger")"
}

# Stops the forger; fails if it never saw a socket to forge replies to.
stop_forger() {
	kill "$FORGER"
	wait "$FORGER"
	FORGER=
	local summary
	summary=$(tail -n 1 "$BATS_TEST_TMPDIR/forger")
	echo "# forger: $summary" >&3
	[[ "$summary" =~ ^sockets\ ([0-9]+)\  ]] && [ "${BASH_REMATCH[1]}" -ge 1 ] ||
		fail "the forger saw no netlink socket of cnet's in the container: $summary"
}

# Attach and detach a macvlan into CNS while the forger answers cnet's
# requests there with error ERROR; both must succeed, read back from the
# kernel. The IPv6 address keeps the attach asking the container's kernel
# whether DAD is over for about a second, so the forger cannot come late.
forged_attach_detach() { # ERROR
	start_forger "$1"
	run --separate-stderr cnet attach "$CNS" macvlan --parent up0 --ip 10.60.0.2/24 --ip fd60::2/64
	stop_forger
	[ "$status" = 0 ] || fail "attach failed under forged replies ($status): $stderr"
	[ "$(link_json "$CNS" eth1 | jq -r .linkinfo.info_kind)" = macvlan ]
	run -0 addrs_of "$CNS" eth1
	assert_output "$(printf '%s\n' 10.60.0.2/24 fd60::2/64)"

	start_forger "$1"
	run --separate-stderr cnet detach "$CNS"
	stop_forger
	[ "$status" = 0 ] || fail "detach failed under forged replies ($status): $stderr"
	run -1 ip -n "$CNS" link show eth1
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}

@test "replies forged by the container to cnet's netlink socket (error -EPERM) are not taken for the kernel's" {
	forged_attach_detach -1
}

@test "a forged netlink error of INT_MIN is not taken for the kernel's either" {
	forged_attach_detach -2147483648
}

@test "dumps interrupted by links coming and going on the host are asked again: every attach and detach succeeds" {
	# 2000 links in the host, and one added and removed over and over: the
	# kernel flags a link dump NLM_F_DUMP_INTR when the list changed under it.
	seq 1000 | sed 's/.*/link add v& type veth peer name w&/' | hostip -batch -
	hostip link add hd0 type veth peer name hd0p
	(while :; do
		hostip link add churn0 type veth peer name churn0p
		hostip link del churn0
	done) >/dev/null 2>&1 3>&- &
	CHURN=$!
	local i failed=0 log=$BATS_TEST_TMPDIR/log
	# at least 20 cycles, and on until a dump has been interrupted (how
	# soon depends on the machine's load), at most 200
	for ((i = 1; i <= 200; i++)); do
		[ "$i" -gt 20 ] && grep -q 'dump interrupted' "$log" 2>/dev/null && break
		if ! CNET_DEBUG=1 cnet attach "$CNS" host-device --dev hd0 >/dev/null 2>>"$log"; then
			failed=$((failed + 1))
			continue
		fi
		ip -n "$CNS" link show eth1 >/dev/null || fail "attach $i succeeded but hd0 is not in the container"
		CNET_DEBUG=1 cnet detach "$CNS" >/dev/null 2>>"$log" || failed=$((failed + 1))
	done
	kill "$CHURN"
	wait "$CHURN" || true
	CHURN=
	[ "$failed" = 0 ] ||
		fail "$failed of $((i - 1)) attaches or detaches failed under link churn: $(grep -v 'debug:' "$log" | sort | uniq -c)"
	# the churn did interrupt dumps, which were asked again
	echo "# $(grep -c 'dump interrupted' "$log") interrupted dumps asked again" >&3
	grep -q 'dump interrupted' "$log" || fail "no dump was interrupted: the test did not test retries"
	hostip link show hd0 >/dev/null
	run -1 ip -n "$CNS" link show eth1
}
