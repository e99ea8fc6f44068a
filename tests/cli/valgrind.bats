#!/usr/bin/env bats
# bats file_tags=netns
# valgrind memcheck on a representative run of every command: zero errors,
# zero definitely lost blocks (--errors-for-leak-kinds=definite makes a
# definite leak an error, and --error-exitcode turns any into exit 99).
# The kernel outcome is checked too, so a run that did nothing cannot pass.

load test_helper

setup() {
	setup_host
	command -v valgrind >/dev/null || need "valgrind (Debian package valgrind)"
	VG=$BATS_TEST_TMPDIR/vg
	# cnet as the helpers run it (cnet ARGS... inside the host namespace)
	cat >"$VG" <<SH
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \\
	--show-leak-kinds=definite --log-file="$BATS_TEST_TMPDIR/vg.%p.log" "$TOP/build/cnet" "\$@"
SH
	chmod +x "$VG"
	CNET_BIN=$VG
}
teardown() { teardown_host; }

# Every log empty, but for valgrind's note that it does not know the
# namespace ioctl (NS_GET_NSTYPE, 0xb703), which is not an error.
vg_clean() {
	local f left
	for f in "$BATS_TEST_TMPDIR"/vg.*.log; do
		[ -e "$f" ] || continue
		left=$(grep -v -e 'unhandled ioctl 0xb703' -e 'could cause spurious value errors' \
			-e 'README_MISSING_SYSCALL_OR_IOCTL' "$f" || true)
		[ -z "$left" ] || { cat "$f" >&2; fail "valgrind reported: $f"; }
	done
	ls "$BATS_TEST_TMPDIR"/vg.*.log >/dev/null || fail "valgrind never ran"
}

@test "memcheck: attach (addresses, routes, gateway), ls, show, reapply after a restart, detach, gc" {
	container_with_default_route "$CNS"
	run -0 cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.90.0.2/24 --ip fd90::2/64 --no-dad \
		--gw 10.90.0.1 --route 10.91.0.0/16@10.90.0.9 --mtu 1400 --json
	[ "$(link_json "$CNS" eth1 | jq -r .linkinfo.info_kind)" = macvlan ]
	run -0 cnet attach "netns:$CNS2" veth --bridge brv --create-bridge --ip 10.92.0.2/24
	run -0 cnet ls --json
	run -0 cnet show "netns:$CNS"
	ip netns del "$CNS2"
	ip netns add "$CNS2"
	run -0 cnet reapply
	assert_line --partial "repaired: veth eth1 in netns:$CNS2"
	[ "$(addrs_of "$CNS2" eth1)" = 10.92.0.2/24 ]
	run -0 cnet detach "netns:$CNS"
	run -1 ip -n "$CNS" link show eth1
	ip netns del "$CNS2"
	run -0 cnet gc --yes
	vg_clean
}

@test "memcheck: --vxlan, --host-access and bandwidth limits: attach, show, a repair, detach" {
	hostip addr add 10.93.0.1/24 dev up0
	run -0 cnet attach "netns:$CNS" macvlan --vxlan 93 --vxlan-dev up0 --vxlan-remote 10.93.0.9 \
		--ip 10.94.0.2/24 --host-access --egress-rate 20mbit --ingress-rate 30mbit --ingress-burst 64k
	[ "$(link_json "$HOSTNS" vx93 | jq -r .linkinfo.info_kind)" = vxlan ]
	run -0 cnet attach "netns:$CNS2" veth --bridge brv --create-bridge --ip 10.92.0.2/24 --egress-rate 10mbit \
		--ingress-rate 10mbit
	run -0 cnet show "netns:$CNS"
	tc -n "$CNS" qdisc del dev eth1 root
	run -0 cnet reapply
	assert_line --partial "repaired: macvlan eth1 in netns:$CNS"
	[ "$(tc -n "$CNS" -j qdisc show dev eth1 | jq -r '.[] | select(.kind == "tbf") | .options.rate')" = 2500000 ]
	run -0 cnet detach "netns:$CNS"
	run -0 cnet detach "netns:$CNS2"
	run -1 hostip link show vx93
	vg_clean
}

@test "memcheck: refusals and failures (usage errors, a missing parent, a corrupt store)" {
	run -2 cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.0.0.300/24
	run -2 cnet attach "netns:$CNS" bond --mode active-backup --slave dev:x --vlan 5 --vlan-mode hw
	run -5 cnet attach "netns:$CNS" macvlan --parent nosuch
	run -3 cnet detach netns:nosuch
	echo '{"schema": 2, "records": [' >"$CNET_STATE"
	run -6 cnet ls
	run -0 cnet help attach
	vg_clean
}

@test "memcheck: the store's journal: a torn last entry read and cleared, check, compact, a schema-2 migration, a bad entry refused" {
	J=$CNET_STATE.journal
	run -0 cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.93.0.2/24
	run -0 cnet attach "netns:$CNS2" macvlan --parent up0 --ip 10.93.0.3/24
	# the last entry cut in half
	t=$(journal_text "$J"; echo .)
	t=${t%.}
	last=${t%$'\n'}
	last=${last##*$'\n'}
	truncate -s $((${#t} - ${#last} / 2)) "$J"
	run -0 cnet ls --json
	run -0 cnet store check --json
	[ "$(jq '.records[0].journal.torn_tail' <<<"$output")" = true ]
	run -0 cnet reapply
	run -0 cnet store compact --json
	[ "$(jq '.records[0].records' <<<"$output")" = 2 ]
	# the same records as a schema-2 document, migrated by a writer
	state_doc | jq --tab '.schema = 2' >"$BATS_TEST_TMPDIR/v2"
	rm "$J"
	cp "$BATS_TEST_TMPDIR/v2" "$CNET_STATE"
	run -0 cnet ls
	run -0 cnet detach "netns:$CNS2"
	[ -n "$(compgen -G "$CNET_STATE.schema2.*.bak")" ]
	run -1 ip -n "$CNS2" link show eth1
	# a bad entry before a good one: refused
	run -0 cnet attach "netns:$CNS2" macvlan --parent up0 --ip 10.93.0.3/24
	printf x | dd of="$J" bs=1 seek=15 conv=notrunc status=none
	run -6 cnet ls
	run -6 cnet store check
	run -6 cnet detach "netns:$CNS"
	vg_clean
}
