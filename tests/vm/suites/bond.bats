#!/usr/bin/env bats
# Bonds: libcnet's bond request (link-bond.c, built with libmnl) sent to
# the real kernel by the test-only build/bond-probe and read back; then
# cnet attach ... bond with host-device and VF slaves: options read back,
# failover measured across a link cut, rollback, detach.

load ../vm_helper

setup() {
	in_vm
	PROBE=$TOP/build/bond-probe
	[ -x "$PROBE" ] || fail "no $PROBE (make build/bond-probe)"
	ip netns add bd
}

teardown() {
	ip netns del bd 2>/dev/null || true
	cleanup_bond_rig
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

# ---- cnet attach ... bond --------------------------------------------------

# Two veth pairs from this namespace to a peer namespace whose ends sit on
# a bridge carrying the peer's address: a bond of hv1 and hv2 reaches it
# over either. (On the hub the emulated NICs share, the peer sees every
# frame twice; veths keep the active-backup proof clean.)
peer_on_bridge() { # ADDR/PLEN
	ip netns add bpeer
	ip -n bpeer link add name pbr type bridge
	ip -n bpeer addr add "$1" dev pbr
	ip -n bpeer link set pbr up
	for i in 1 2; do
		ip link add "hv$i" type veth peer name "pv$i" netns bpeer
		ip -n bpeer link set "pv$i" master pbr up
	done
}

cleanup_bond_rig() {
	local ns
	# a server still running would keep its namespace (and a VF) alive
	[ -s "$BATS_TEST_TMPDIR/dnsmasq.pid" ] && kill "$(cat "$BATS_TEST_TMPDIR/dnsmasq.pid")" 2>/dev/null
	rm -f "$BATS_TEST_TMPDIR/dnsmasq.pid"
	for ns in bc bva bvb bvc bq bpeer; do "$CNET_BIN" detach "$ns" >/dev/null 2>&1 || true; done
	for ns in bc bva bvb bvc bq bpeer; do ip netns del "$ns" 2>/dev/null || true; done
	for i in 1 2; do ip link del "hv$i" 2>/dev/null || true; done
	for c in a b c; do for i in 1 2; do ip link del "h$c$i" 2>/dev/null || true; done; done
	ip link del vbr 2>/dev/null || true
}

# Lost pings out of COUNT at 10/s while CMD runs after 1 s (a link cut).
lost_during() { # NS ADDR COUNT CMD...
	local ns=$1 addr=$2 count=$3 out
	shift 3
	ip netns exec "$ns" ping -q -i 0.1 -W 1 -c "$count" "$addr" >"$BATS_TEST_TMPDIR/ping" 2>&1 &
	local p=$!
	sleep 1
	"$@"
	wait "$p" || true
	out=$(grep -o '[0-9]* received' "$BATS_TEST_TMPDIR/ping" | cut -d' ' -f1)
	echo $((count - ${out:-0}))
}

@test "bond: active-backup of two host devices: built in the container, fails over, detach gives both back" {
	export CNET_STATE=$BATS_TEST_TMPDIR/state.json
	peer_on_bridge 10.70.0.254/24
	ip link set hv2 mtu 1400
	m1=$(cat /sys/class/net/hv1/address)
	ip netns add bc
	run -0 "$CNET_BIN" attach bc bond --mode active-backup --slave dev:hv1 --slave dev:hv2 \
		--primary eth1s0 --ip 10.70.0.1/24
	d=$(ip -n bc -d -j link show eth1 | jq -c '.[0].linkinfo.info_data')
	[ "$(jq -r .mode <<<"$d")" = active-backup ]
	[ "$(jq -r .miimon <<<"$d")" = 100 ]
	[ "$(jq -r .primary <<<"$d")" = eth1s0 ]
	[ "$(ip -n bc -j link show eth1s0 | jq -r '.[0].master')" = eth1 ]
	[ "$(ip -n bc -j link show eth1s1 | jq -r '.[0].master')" = eth1 ]
	retry 20 0.3 ip netns exec bc ping -c 1 -W 1 10.70.0.254 >/dev/null
	[ "$(ip -n bc -d -j link show eth1 | jq -r '.[0].linkinfo.info_data.active_slave')" = eth1s0 ]
	lost=$(lost_during bc 10.70.0.254 60 ip -n bpeer link set pv1 down)
	echo "# active-backup over veths: $lost of 60 pings lost across the cut" >&3
	[ "$lost" -lt 20 ]
	[ "$(ip -n bc -d -j link show eth1 | jq -r '.[0].linkinfo.info_data.active_slave')" = eth1s1 ]
	run -0 "$CNET_BIN" detach bc
	run -1 ip -n bc link show eth1
	[ "$(cat /sys/class/net/hv1/address)" = "$m1" ]
	[ "$(cat /sys/class/net/hv2/mtu)" = 1400 ]
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
	cleanup_bond_rig
}

@test "bond: 802.3ad against a Linux bond peer (LACP), survives a slave cut" {
	export CNET_STATE=$BATS_TEST_TMPDIR/state.json
	ip netns add bpeer
	ip -n bpeer link add pb type bond mode 802.3ad miimon 100 lacp_rate fast
	for i in 1 2; do
		ip link add "hv$i" type veth peer name "pv$i" netns bpeer
		ip -n bpeer link set "pv$i" master pb
	done
	ip -n bpeer addr add 10.72.0.254/24 dev pb
	ip -n bpeer link set pb up
	ip netns add bc
	run -0 "$CNET_BIN" attach bc bond --mode 802.3ad --lacp-rate fast --xmit-hash-policy layer3+4 \
		--slave dev:hv1 --slave dev:hv2 --ip 10.72.0.1/24
	d=$(ip -n bc -d -j link show eth1 | jq -c '.[0].linkinfo.info_data')
	[ "$(jq -r .mode <<<"$d")" = 802.3ad ]
	[ "$(jq -r .ad_lacp_rate <<<"$d")" = fast ]
	[ "$(jq -r .xmit_hash_policy <<<"$d")" = layer3+4 ]
	retry 40 0.5 ip netns exec bc ping -c 1 -W 1 10.72.0.254 >/dev/null
	ip -n bpeer link set pv1 down
	retry 40 0.5 ip netns exec bc ping -c 1 -W 1 10.72.0.254 >/dev/null
	run -0 "$CNET_BIN" detach bc
	[ -e /sys/class/net/hv1 ] && [ -e /sys/class/net/hv2 ]
	cleanup_bond_rig
}

@test "bond: balance-xor and broadcast against a Linux bond peer of the same mode, survive a slave cut" {
	export CNET_STATE=$BATS_TEST_TMPDIR/state.json
	for mode in balance-xor broadcast; do
		ip netns add bpeer
		ip -n bpeer link add pb type bond mode "$mode" miimon 100
		for i in 1 2; do
			ip link add "hv$i" type veth peer name "pv$i" netns bpeer
			ip -n bpeer link set "pv$i" master pb
		done
		ip -n bpeer addr add 10.78.0.254/24 dev pb
		ip -n bpeer link set pb up
		ip netns add bc
		extra=()
		[ "$mode" = balance-xor ] && extra=(--xmit-hash-policy layer2+3)
		run -0 "$CNET_BIN" attach bc bond --mode "$mode" "${extra[@]}" --slave dev:hv1 --slave dev:hv2 \
			--ip 10.78.0.1/24
		d=$(ip -n bc -d -j link show eth1 | jq -c '.[0].linkinfo.info_data')
		[ "$(jq -r .mode <<<"$d")" = "$mode" ]
		[ "$(jq -r .miimon <<<"$d")" = 100 ]
		[ "$mode" = broadcast ] || [ "$(jq -r .xmit_hash_policy <<<"$d")" = layer2+3 ]
		[ "$(ip -n bc -j link show eth1s0 | jq -r '.[0].master')" = eth1 ]
		[ "$(ip -n bc -j link show eth1s1 | jq -r '.[0].master')" = eth1 ]
		retry 30 0.3 ip netns exec bc ping -c 1 -W 1 10.78.0.254 >/dev/null
		# the peer sees the bond's traffic on both of its slaves
		ip netns exec bc ping -q -c 20 -i 0.05 -W 1 10.78.0.254 >/dev/null || true
		ip netns exec bc ping -q -c 20 -i 0.05 -W 1 -I eth1 10.78.0.254 >/dev/null || true
		rx1=$(ip -n bpeer -s -j link show pv1 | jq '.[0].stats64.rx.packets')
		rx2=$(ip -n bpeer -s -j link show pv2 | jq '.[0].stats64.rx.packets')
		echo "# $mode: the peer's slaves received $rx1 and $rx2 frames" >&3
		if [ "$mode" = broadcast ]; then
			[ "$rx1" -ge 40 ] && [ "$rx2" -ge 40 ]
		else
			[ $((rx1 + rx2)) -ge 40 ]
		fi
		# cut one slave's wire: the bonds drop it, traffic goes on
		ip -n bpeer link set pv1 down
		retry 30 0.3 ip netns exec bc ping -c 1 -W 1 10.78.0.254 >/dev/null
		lost=$(lost_during bc 10.78.0.254 30 true)
		echo "# $mode with one slave cut: $lost of 30 pings lost" >&3
		[ "$lost" -lt 3 ]
		run -0 "$CNET_BIN" detach bc
		[ -e /sys/class/net/hv1 ] && [ -e /sys/class/net/hv2 ]
		cleanup_bond_rig
	done
}

# Three containers, each with a bond of two veths whose other ends sit on
# one VLAN-unaware bridge (it forwards tagged frames as they are).
bond_vlan_rig() {
	ip link add name vbr type bridge
	ip link set vbr up
	for c in a b c; do
		ip netns add "bv$c"
		for i in 1 2; do
			ip link add "h$c$i" type veth peer name "q$c$i"
			ip link set "q$c$i" master vbr up
		done
	done
}

@test "bond --vlan (sw): a VLAN interface on the bond takes the addresses; VLAN 100 reaches 100, not 200" {
	export CNET_STATE=$BATS_TEST_TMPDIR/state.json
	bond_vlan_rig
	run -0 "$CNET_BIN" attach bva bond --mode active-backup --slave dev:ha1 --slave dev:ha2 \
		--vlan 100 --mtu 1400 --ip 10.76.0.1/24 --gw 10.76.0.254
	run -0 "$CNET_BIN" attach bvb bond --mode active-backup --slave dev:hb1 --slave dev:hb2 \
		--vlan 100 --vlan-ifname vl100 --ip 10.76.0.2/24
	run -0 "$CNET_BIN" attach bvc bond --mode active-backup --slave dev:hc1 --slave dev:hc2 \
		--vlan 200 --ip 10.76.0.3/24
	v=$(ip -n bva -d -j link show eth1.100 | jq '.[0]')
	[ "$(jq -r .linkinfo.info_kind <<<"$v")" = vlan ]
	[ "$(jq -r .linkinfo.info_data.id <<<"$v")" = 100 ]
	[ "$(jq -r .link <<<"$v")" = eth1 ]
	[ "$(jq -r .mtu <<<"$v")" = 1400 ]
	[ "$(ip -n bva -j link show eth1 | jq -r '.[0].mtu')" = 1400 ]
	[ "$(ip -n bva -d -j link show eth1 | jq -r '.[0].linkinfo.info_kind')" = bond ]
	[ "$(ip -n bva -j addr show eth1.100 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" = 10.76.0.1 ]
	[ "$(ip -n bva -j addr show eth1 | jq '[.[0].addr_info[] | select(.family == "inet")] | length')" = 0 ]
	[ "$(ip -n bva -j route show default | jq -r '.[0].dev')" = eth1.100 ]
	[ "$(ip -n bvb -d -j link show vl100 | jq -r '.[0].linkinfo.info_data.id')" = 100 ]
	[ "$(ip -n bvc -d -j link show eth1.200 | jq -r '.[0].linkinfo.info_data.id')" = 200 ]
	retry 30 0.3 ip netns exec bva ping -c 1 -W 1 10.76.0.2 >/dev/null
	run -1 ip netns exec bva ping -c 3 -i 0.3 -W 1 10.76.0.3
	# drift: the VLAN interface removed behind cnet's back is rebuilt
	ip -n bva link del eth1.100
	run -0 "$CNET_BIN" reapply
	assert_line "repaired: bond eth1 in bva: VLAN interface eth1.100 missing"
	[ "$(ip -n bva -j addr show eth1.100 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" = 10.76.0.1 ]
	retry 30 0.3 ip netns exec bva ping -c 1 -W 1 10.76.0.2 >/dev/null
	run -0 "$CNET_BIN" reapply
	assert_line "ok: bond eth1 in bva"
	run -0 "$CNET_BIN" detach bva
	run -1 ip -n bva link show eth1.100
	run -1 ip -n bva link show eth1
	[ "$(cat /sys/class/net/ha1/mtu)" = 1500 ] && [ "$(cat /sys/class/net/ha2/mtu)" = 1500 ]
	cleanup_bond_rig
}

@test "bond --vlan-mode hw: each VF slave's PF tags it, with the VF settings; isolated by VLAN; detach restores both VFs" {
	export CNET_STATE=$BATS_TEST_TMPDIR/state.json
	local p1 p2 p3
	p1=$(pf 1) p2=$(pf 2) p3=$(pf 3)
	for p in "$p1" "$p2" "$p3"; do ip link set "$p" up; done
	ensure_vfs "$p1" 2
	ensure_vfs "$p2" 2
	ensure_vfs "$p3" 2
	vfs() { ip -j link show "$1" | jq -c '[.[0].vfinfo_list[] | {vf, address, vlan_list, spoofchk, trust}]'; }
	b1=$(vfs "$p1") b2=$(vfs "$p2")
	ip netns add bpeer
	ip netns add bq
	ip netns add bc
	run -0 "$CNET_BIN" attach bpeer sriov --pf "$p3" --vf 0 --vlan 100 --ip 10.77.0.254/24
	run -0 "$CNET_BIN" attach bq sriov --pf "$p3" --vf 1 --vlan 200 --ip 10.77.0.253/24
	run -0 "$CNET_BIN" attach bc bond --mode active-backup --slave "sriov:$p1" --slave "sriov:$p2" \
		--vlan 100 --vlan-mode hw --spoofchk off --trust on --ip 10.77.0.1/24 --gw 10.77.0.254
	for s in eth1s0 eth1s1; do
		pci=$(ip -n bc -d -j link show "$s" | jq -r '.[0].parentdev')
		for p in "$p1" "$p2"; do for i in 0 1; do
			[ "$(basename "$(readlink "/sys/class/net/$p/device/virtfn$i")")" = "$pci" ] && { pp=$p; idx=$i; }
		done; done
		v=$(ip -j link show "$pp" | jq ".[0].vfinfo_list[] | select(.vf == $idx)")
		[ "$(jq -r '.vlan_list[0].vlan' <<<"$v")" = 100 ]
		[ "$(jq -r .spoofchk <<<"$v")" = false ]
		[ "$(jq -r .trust <<<"$v")" = true ]
	done
	# no VLAN interface in the container: the addresses are on the bond
	[ "$(ip -n bc -j addr show eth1 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" = 10.77.0.1 ]
	[ "$(ip -n bc -d -j link show | jq '[.[] | select(.linkinfo.info_kind == "vlan")] | length')" = 0 ]
	retry 30 0.5 ip netns exec bc ping -c 1 -W 1 10.77.0.254 >/dev/null
	run -1 ip netns exec bc ping -c 3 -i 0.3 -W 1 10.77.0.253
	run -0 "$CNET_BIN" detach bc
	[ "$(vfs "$p1")" = "$b1" ] && [ "$(vfs "$p2")" = "$b2" ]
	# a bond MTU above a VF slave's PF MTU is refused (cnet never raises a PF's)
	run -2 --separate-stderr "$CNET_BIN" attach bc bond --mode active-backup --slave "sriov:$p1" \
		--slave "sriov:$p2" --mtu 9000 --ip 10.77.0.1/24
	[[ "$stderr" == *"MTU 9000 is above PF $p1's MTU 1500"* ]]
	# and a PF that is down is exit 5
	ip link set "$p2" down
	run -5 --separate-stderr "$CNET_BIN" attach bc bond --mode active-backup --slave "sriov:$p1" \
		--slave "sriov:$p2" --ip 10.77.0.1/24
	ip link set "$p2" up
	[[ "$stderr" == *"PF '$p2' is down"* ]]
	[ "$(ip -n bc -j link show | jq length)" = 1 ]
	[ "$(vfs "$p1")" = "$b1" ] && [ "$(vfs "$p2")" = "$b2" ]
	[ "$(jq '[.records[] | select(.target == "bc")] | length' <(state_doc))" = 0 ]
	retry 100 0.1 has_carrier "$p2"
	cleanup_bond_rig
}

@test "bond of VFs with --ip dhcp: miimon until the lease, then the lease's router ARP-monitored" {
	export CNET_STATE=$BATS_TEST_TMPDIR/state.json
	vf_peer_rig bpeer 10.79.0.1/24
	ip netns exec bpeer /usr/sbin/dnsmasq --conf-file=/dev/null --user=root --port=0 --interface=peer0 \
		--bind-interfaces --except-interface=lo --no-ping --dhcp-range=10.79.0.100,10.79.0.150,2m \
		--dhcp-option=option:router,10.79.0.1 --dhcp-leasefile="$BATS_TEST_TMPDIR/leases" \
		--pid-file="$BATS_TEST_TMPDIR/dnsmasq.pid"
	ip netns add bc
	run -0 --separate-stderr "$CNET_BIN" attach bc bond --mode active-backup --slave "sriov:$p1" \
		--slave "sriov:$p2" --ip dhcp --dhcp-timeout 30
	[[ "$stderr" != *warning* ]] || fail "unexpected: $stderr"
	d=$(ip -n bc -d -j link show eth1 | jq -c '.[0].linkinfo.info_data')
	[ "$(jq -r .arp_interval <<<"$d")" = 100 ]
	[ "$(jq -c .arp_ip_target <<<"$d")" = '["10.79.0.1"]' ]
	[ "$(jq -r .miimon <<<"$d")" = 0 ]
	a=$(ip -n bc -j addr show eth1 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')
	[[ "$a" == 10.79.0.1[0-5][0-9] ]]
	[ "$(ip -n bc -j route show default | jq -r '.[0].gateway')" = 10.79.0.1 ]
	retry 30 0.5 ip netns exec bc ping -c 1 -W 1 10.79.0.1 >/dev/null
	run -0 "$CNET_BIN" detach bc
	ip -n bpeer link set peer0 netns 1 2>/dev/null || true
	cleanup_bond_rig
}

@test "bond: a slave that cannot be attached undoes the others and the bond" {
	export CNET_STATE=$BATS_TEST_TMPDIR/state.json
	peer_on_bridge 10.73.0.254/24
	ip netns add bc
	before=$(ip -j link show | jq -c '[.[] | .ifname] | sort')
	run -5 --separate-stderr "$CNET_BIN" attach bc bond --mode active-backup --slave dev:hv1 \
		--slave dev:nosuch --ip 10.73.0.1/24
	[[ "$stderr" == *"nosuch"* ]]
	[ "$(ip -j link show | jq -c '[.[] | .ifname] | sort')" = "$before" ]
	[ "$(ip -n bc -j link show | jq length)" = 1 ]
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
	cleanup_bond_rig
}

@test "bond: active-backup of VFs of two PFs, ARP-monitoring the gateway by default, fails over on a PF link cut" {
	export CNET_STATE=$BATS_TEST_TMPDIR/state.json
	vf_peer_rig bpeer 10.74.0.254/24
	ip netns add bc
	run -0 "$CNET_BIN" attach bc bond --mode active-backup --slave "sriov:$p1" --slave "sriov:$p2" \
		--ip 10.74.0.1/24 --gw 10.74.0.254
	d=$(ip -n bc -d -j link show eth1 | jq -c '.[0].linkinfo.info_data')
	[ "$(jq -r .arp_interval <<<"$d")" = 100 ]
	[ "$(jq -c .arp_ip_target <<<"$d")" = '["10.74.0.254"]' ]
	[ "$(jq -r .fail_over_mac <<<"$d")" = active ]
	retry 30 0.5 ip netns exec bc ping -c 1 -W 1 10.74.0.254 >/dev/null
	act=$(ip -n bc -d -j link show eth1 | jq -r '.[0].linkinfo.info_data.active_slave')
	[ "$act" = eth1s0 ] && n=1 || n=2
	lost=$(lost_during bc 10.74.0.254 100 vm_link cut "$n")
	echo "# active-backup over VFs, PF $n cut: $lost of 100 pings lost" >&3
	[ "$lost" -lt 20 ]
	[ "$(ip -n bc -d -j link show eth1 | jq -r '.[0].linkinfo.info_data.active_slave')" != "$act" ]
	vm_link restore "$n"
	# without a gateway, miimon it is, which cannot see a PF link loss: said
	ip netns add bx
	run -0 --separate-stderr "$CNET_BIN" attach bx bond --mode active-backup --slave "sriov:$p1" \
		--slave "sriov:$p2" --ip 10.74.1.1/24 --dry-run
	[[ "$stderr" == *"warning: with VF slaves, miimon cannot see a PF losing its link"* ]]
	run -0 --separate-stderr "$CNET_BIN" attach bx bond --mode active-backup --slave "sriov:$p1" \
		--slave "sriov:$p2" --ip 10.74.1.1/24 --arp-interval 200 --arp-ip-target 10.74.1.254 --dry-run
	[[ "$stderr" != *warning* ]]
	ip netns del bx
	# a container restart: the namespace goes (its VFs return to the host)
	# and comes back empty; reapply rebuilds the bond with both VF slaves
	ip netns del bc
	ip netns add bc
	run -0 "$CNET_BIN" reapply
	assert_output "repaired: bond eth1 in bc: container restarted"
	d=$(ip -n bc -d -j link show eth1 | jq -c '.[0].linkinfo.info_data')
	[ "$(jq -r .mode <<<"$d")" = active-backup ]
	[ "$(ip -n bc -j link show eth1s0 | jq -r '.[0].master')" = eth1 ]
	[ "$(ip -n bc -j link show eth1s1 | jq -r '.[0].master')" = eth1 ]
	retry 30 0.5 ip netns exec bc ping -c 1 -W 1 10.74.0.254 >/dev/null
	run -0 "$CNET_BIN" reapply
	assert_output "ok: bond eth1 in bc"
	run -0 "$CNET_BIN" detach bc
	[ -n "$(ls "/sys/class/net/$p1/device/virtfn0/net/")" ]
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
	ip -n bpeer link set peer0 netns 1 2>/dev/null || true
	ip netns del bc; ip netns del bpeer
}

@test "bond: an attach failing at any netlink request, or killed at any step, leaves nothing behind" {
	export CNET_STATE=$BATS_TEST_TMPDIR/state.json
	local fi=$TOP/build/fi/cnet before
	peer_on_bridge 10.75.0.254/24
	ip link set hv1 mtu 1450
	ip netns add bc
	world() {
		ip -d -j link show | jq -c '[.[] | {ifname, mtu, address, k: .linkinfo.info_kind}] | sort_by(.ifname)'
		ip -n bc -j link show | jq -c '[.[].ifname]'
		state_records_quick
	}
	args=(attach bc bond --mode active-backup --slave dev:hv1 --slave dev:hv2 --primary eth1s1
		--mtu 1400 --ip 10.75.0.1/24 --gw 10.75.0.254)
	before=$(world)
	WALK_LABEL=bond WALK_TOLERATE=no WALK_MIN=20 WALK_MAX=120 walk_steps nl world bc -- "$fi" "${args[@]}"
	run -0 "$CNET_BIN" detach bc
	[ "$(world)" = "$before" ]
	# killed: detach alone must recover
	WALK_LABEL=bond WALK_REAPPLY=no WALK_MAX=120 walk_steps nl:kill world bc -- "$fi" "${args[@]}"
	run -0 "$CNET_BIN" detach bc
	[ "$(world)" = "$before" ]
	cleanup_bond_rig
}
