#!/usr/bin/env bats
# Bonds, so far: libcnet's bond request (link-bond.c, built with libmnl)
# sent to the real kernel by the test-only build/bond-probe, and what the
# kernel made of it read back with ip -d -j. The attach command for bonds
# is not there yet (issue 6).

load ../vm_helper

setup() {
	in_vm
	PROBE=$TOP/build/bond-probe
	[ -x "$PROBE" ] || fail "no $PROBE (make build/bond-probe)"
	ip netns add bd
}

teardown() {
	ip netns del bd 2>/dev/null || true
}

info() { ip -n bd -d -j link show "$1" | jq -c '.[0].linkinfo.info_data'; }

@test "bond request: active-backup with ARP monitoring, read back from the kernel" {
	run -0 "$PROBE" /run/netns/bd create b0 mode active-backup arp-interval 100 \
		arp-ip-target 10.0.0.1 arp-ip-target 10.0.0.2 arp-validate all arp-all-targets all \
		fail-over-mac active
	d=$(info b0)
	[ "$(jq -r .mode <<<"$d")" = active-backup ]
	[ "$(jq -r .arp_interval <<<"$d")" = 100 ]
	[ "$(jq -c .arp_ip_target <<<"$d")" = '["10.0.0.1","10.0.0.2"]' ]
	[ "$(jq -r .arp_validate <<<"$d")" = all ]
	[ "$(jq -r .arp_all_targets <<<"$d")" = all ]
	[ "$(jq -r .fail_over_mac <<<"$d")" = active ]
	[ "$(jq -r .miimon <<<"$d")" = 0 ]
	# primary needs a slave: set on the bond once it has one
	ip -n bd link add s0 type dummy
	ip -n bd link add s1 type dummy
	ip -n bd link set s0 master b0
	ip -n bd link set s1 master b0
	run -0 "$PROBE" /run/netns/bd primary b0 s1
	[ "$(info b0 | jq -r .primary)" = s1 ]
}

@test "bond request: 802.3ad and balance-xor options, read back; a refused option combination never reaches the kernel" {
	run -0 "$PROBE" /run/netns/bd create b1 mode 802.3ad miimon 100 updelay 200 downdelay 100 \
		lacp-rate fast xmit-hash-policy layer3+4 min-links 1
	d=$(info b1)
	[ "$(jq -r .mode <<<"$d")" = 802.3ad ]
	[ "$(jq -r .miimon <<<"$d")" = 100 ]
	[ "$(jq -r .updelay <<<"$d")" = 200 ]
	[ "$(jq -r .downdelay <<<"$d")" = 100 ]
	[ "$(jq -r .ad_lacp_rate <<<"$d")" = fast ]
	[ "$(jq -r .xmit_hash_policy <<<"$d")" = layer3+4 ]
	[ "$(jq -r .min_links <<<"$d")" = 1 ]
	run -0 "$PROBE" /run/netns/bd create b2 mode balance-xor xmit-hash-policy layer2+3
	[ "$(info b2 | jq -r .mode)" = balance-xor ]
	[ "$(info b2 | jq -r .xmit_hash_policy)" = layer2+3 ]
	run -1 --separate-stderr "$PROBE" /run/netns/bd create b3 mode 802.3ad arp-interval 100 arp-ip-target 10.0.0.1
	[[ "$stderr" == *"ARP monitoring does not work in 802.3ad mode"* ]]
	run -1 ip -n bd link show b3
}
