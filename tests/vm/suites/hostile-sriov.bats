#!/usr/bin/env bats
# The container plays the attacker against a lent VF (issue 15, findings 1
# and 4): it renames the VF, changes its MAC, offers a look-alike with the
# VF's name and MAC, and hides the VF in a namespace of its own. cnet must
# never move the look-alike to the host, and must not lift the VF's
# isolation (the PF's VLAN for it) while the container may still hold it.

load ../vm_helper

setup() {
	in_vm
	P1=$(pf 1)
	ip link set "$P1" up
	ensure_vfs "$P1" 2
	export CNET_STATE=$BATS_TEST_TMPDIR/state.json
	NSS=()
	newns hs-c
	newns hs-n
}

teardown() {
	drop_nss
}

cnet() { "$CNET_BIN" "$@"; }


vlan_of() { # PF I: the VLAN the PF puts VF I on
	ip -j link show "$1" | jq ".[0].vfinfo_list[] | select(.vf == $2) | .vlan_list[0].vlan // 0"
}

vf_pci() { # PF I
	basename "$(readlink "/sys/class/net/$1/device/virtfn$2")"
}

@test "hostile VF: reapply and detach move no look-alike to the host, and the VF comes back by its PCI address" {
	run -0 cnet attach hs-c sriov --pf "$P1" --vf 0 --vlan 100 --mac 02:00:00:77:00:01
	ip -n hs-c link set eth1 down
	ip -n hs-c link set eth1 name stolen0
	# (igbvf refuses a MAC of the VF's own once the PF has set one)
	ip -n hs-c link set stolen0 address 02:00:00:77:66:66 2>/dev/null || true
	ip -n hs-c link add eth1 address 02:00:00:77:00:01 type veth peer name fakep
	run cnet reapply
	r1=$output
	run cnet detach hs-c
	# the look-alike never left the container
	[ "$(ip -n hs-c -j -d link show fakep | jq -r '.[0].link_netnsid // "here"')" = here ]
	# the VF is on the host again, by its PCI address, and untagged
	retry 50 0.1 compgen -G "/sys/bus/pci/devices/$(vf_pci "$P1" 0)/net/*" >/dev/null ||
		fail "VF 0 not back: reapply: $r1; detach: $output; hs-c: $(ip -n hs-c -br link)"
	[ "$(vlan_of "$P1" 0)" = 0 ]
}

@test "hostile VF: hidden in the container's own namespace, detach fails, keeps the record and the PF's VLAN" {
	run -0 cnet attach hs-c sriov --pf "$P1" --vf 1 --vlan 100
	ip -n hs-c link set eth1 netns hs-n
	run -4 cnet detach hs-c
	[ "$(vlan_of "$P1" 1)" = 100 ]
	run cnet reapply
	[ "$status" -ne 0 ]
	[ "$(vlan_of "$P1" 1)" = 100 ]
	# brought back under another name: detach gives it back and lifts the VLAN
	ip -n hs-n link set eth1 netns hs-c
	ip -n hs-c link set eth1 name other0
	run -0 cnet detach hs-c
	[ "$(vlan_of "$P1" 1)" = 0 ] ||
		fail "VF 1: $(ip -j link show "$P1" | jq -c '.[0].vfinfo_list[1]'); detach: $output"
	retry 50 0.1 compgen -G "/sys/bus/pci/devices/$(vf_pci "$P1" 1)/net/*" >/dev/null
}

# The PF's lock file, as cnet names it beside the store.
pf_lockfile() { # PF
	echo "$CNET_STATE.pf-$(basename "$(readlink -f "/sys/class/net/$1/device")").lock"
}

@test "finding 17: while another cnet holds the PF's lock, a reapply repair touches no VF; then it repairs" {
	P2=$(pf 2)
	ip link set "$P2" up
	ensure_vfs "$P2" 2
	run -0 cnet attach hs-c sriov --pf "$P2" --vf 0 --mtu 1400
	ip -n hs-c link set eth1 mtu 1300
	# -o: the lock goes with flock itself when it is killed
	flock -o "$(pf_lockfile "$P2")" sleep 30 &
	holder=$!
	retry 50 0.05 bash -c "! flock -n '$(pf_lockfile "$P2")' true"
	run cnet reapply
	[ "$status" -ne 0 ]
	# nothing was undone: the VF is still in the container, as the container left it
	[ "$(ip -n hs-c -j link show eth1 | jq '.[0].mtu')" = 1300 ]
	kill "$holder"
	wait "$holder" || true
	run -0 cnet reapply
	echo "$output"
	[ "$(ip -n hs-c -j link show eth1 | jq '.[0].mtu')" = 1400 ]
}

@test "finding 17: vf disable keeps the store locked until the VFs are gone" {
	P3=$(pf 3)
	ip link set "$P3" up
	run -0 cnet attach hs-n sriov --pf "$P1" --vf 0 # a store, and its lock file
	run -0 cnet vf enable "$P3" --count 2
	cnet vf disable "$P3" &
	pid=$!
	# it takes the store's lock (writing sriov_numvfs takes about 2.6 s
	# here), and lets it go only once the VFs are gone
	locked=no
	retry 250 0.02 bash -c "! flock -n '$CNET_STATE.lock' true" && locked=yes
	retry 500 0.02 flock -n "$CNET_STATE.lock" true
	numvfs=$(cat "/sys/class/net/$P3/device/sriov_numvfs")
	wait "$pid"
	[ "$locked" = yes ]
	[ "$numvfs" = 0 ]
	[ "$(cat "/sys/class/net/$P3/device/sriov_numvfs")" = 0 ]
}
