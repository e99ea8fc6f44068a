#!/usr/bin/env bats
# cnet as a CNI plugin on the VM's emulated SR-IOV NICs, in the pattern
# Multus uses with the SR-IOV device plugin: each sriov network's config
# gets the VF's PCI address injected as "deviceID"; two such attachments
# move two VFs (of two PFs) into the pod as net1 and net2; a bond network
# with "linksInContainer" makes a bond of them. DEL comes in reverse order.
# Everything is read back from the kernel (the PFs' VF tables, the pod's
# links) and from the state store's files.

load ../vm_helper

CNI_BIN=$TOP/build/cnet-cni

setup() {
	in_vm
	[ -x "$CNI_BIN" ] || fail "no $CNI_BIN (make)"
	export CNET_STATE=$BATS_TEST_TMPDIR/state.json
}

teardown() {
	local net
	# reverse order: the bond before the VFs it is made of
	for net in bond-net:bond0 sriov-b:net2 sriov-a:net1; do
		cni DEL c1 "${net#*:}" "" "{\"cniVersion\":\"1.0.0\",\"name\":\"${net%%:*}\"}" >/dev/null 2>&1 || true
	done
	ip -n cpeer link set peer0 netns 1 2>/dev/null || true
	for net in c2:net1 c3:net1 c2:net2; do
		cni DEL "${net%%:*}" "${net#*:}" "" '{"cniVersion":"1.0.0","name":"sriov-a"}' >/dev/null 2>&1 || true
	done
	ip netns del pod 2>/dev/null || true
	ip netns del pod2 2>/dev/null || true
	ip netns del pod3 2>/dev/null || true
	ip netns del cpeer 2>/dev/null || true
}

cni() { # COMMAND CONTAINERID IFNAME NETNS CONFIG
	local env=(CNI_COMMAND="$1" CNI_CONTAINERID="$2" CNI_IFNAME="$3" CNI_PATH=/usr/lib/cni)
	[ -z "$4" ] || env+=(CNI_NETNS="$4")
	env "${env[@]}" "$CNI_BIN" <<<"$5"
}

vf_pci() { basename "$(readlink -f "/sys/class/net/$1/device/virtfn$2")"; } # PF I
# VF I's entry in PF's VF table, as the kernel reports it.
vf_info() { ip -j link show "$1" | jq -c --argjson i "$2" '.[0].vfinfo_list[] | select(.vf == $i) |
	{mac: .address, spoofchk, trust, vlan: (.vlan_list[0].vlan // 0)}'; }

@test "Multus SR-IOV bond: VFs by deviceID as net1 and net2, a bond of them; DEL in reverse gives each VF back as it was" {
	local p1 p2 p3 pci1 pci2 before1 before2 sriov bond
	vf_peer_rig cpeer 10.76.0.254/24
	ip netns add pod
	pci1=$(vf_pci "$p1" 1) pci2=$(vf_pci "$p2" 1)
	before1=$(vf_info "$p1" 1) before2=$(vf_info "$p2" 1)

	# as Multus passes them: deviceID (and pciBusID) at the top level
	sriov='{"cniVersion":"1.1.0","name":"NAME","type":"cnet","kind":"sriov","spoofchk":"off",
		"trust":"on","vlan":0,"deviceID":"PCI","pciBusID":"PCI"}'
	run -0 cni ADD c1 net1 /run/netns/pod "$(sed -e s/NAME/sriov-a/ -e "s/PCI/$pci1/g" <<<"$sriov")"
	[ "$(jq -r '.interfaces[0].pciID' <<<"$output")" = "$pci1" ]
	run -0 cni ADD c1 net2 /run/netns/pod "$(sed -e s/NAME/sriov-b/ -e "s/PCI/$pci2/g" <<<"$sriov")"
	[ "$(ip netns exec pod cat /sys/class/net/net1/device/uevent | sed -n 's/^PCI_SLOT_NAME=//p')" = "$pci1" ]
	[ "$(ip netns exec pod cat /sys/class/net/net2/device/uevent | sed -n 's/^PCI_SLOT_NAME=//p')" = "$pci2" ]
	[ "$(vf_info "$p1" 1 | jq -c '[.spoofchk, .trust]')" = '[false,true]' ]
	[ "$(vf_info "$p2" 1 | jq -c '[.spoofchk, .trust]')" = '[false,true]' ]

	bond='{"cniVersion":"1.0.0","name":"bond-net","type":"cnet","kind":"bond","mode":"active-backup",
		"failOverMac":1,"miimon":"100","linksInContainer":true,
		"links":[{"name":"net1"},{"name":"net2"}],
		"ipam":{"type":"static","addresses":[{"address":"10.76.0.1/24"}]}}'
	run -0 cni ADD c1 bond0 /run/netns/pod "$bond"
	d=$(ip -n pod -d -j link show bond0 | jq -c '.[0].linkinfo.info_data')
	[ "$(jq -r .mode <<<"$d")" = active-backup ]
	[ "$(jq -r .fail_over_mac <<<"$d")" = active ]
	[ "$(jq -r .miimon <<<"$d")" = 100 ]
	[ "$(ip -n pod -j link show net1 | jq -r '.[0].master')" = bond0 ]
	[ "$(ip -n pod -j link show net2 | jq -r '.[0].master')" = bond0 ]
	retry 30 0.5 ip netns exec pod ping -c 1 -W 1 10.76.0.254 >/dev/null
	run -0 cni CHECK c1 bond0 /run/netns/pod "$bond"

	# DEL in reverse order, without the namespace, as runtimes may
	run -0 cni DEL c1 bond0 "" "$bond"
	run ip -n pod link show bond0
	assert_failure
	[ "$(ip -n pod -j link show net1 | jq -r '.[0].master // "none"')" = none ]
	ip -n pod -j link show net1 | jq -e '.[0].flags | index("UP") != null'
	run -0 cni DEL c1 net2 "" "$(sed -e s/NAME/sriov-b/ -e "s/PCI/$pci2/g" <<<"$sriov")"
	run -0 cni DEL c1 net1 "" "$(sed -e s/NAME/sriov-a/ -e "s/PCI/$pci1/g" <<<"$sriov")"
	# each VF on the host again, with its PF's settings as before
	[ -n "$(ls "/sys/bus/pci/devices/$pci1/net/")" ]
	[ -n "$(ls "/sys/bus/pci/devices/$pci2/net/")" ]
	[ "$(vf_info "$p1" 1)" = "$before1" ]
	[ "$(vf_info "$p2" 1)" = "$before2" ]
	[ "$(ip -n pod -j link show | jq length)" = 1 ]
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
	# a repeated DEL finds nothing and succeeds
	run -0 cni DEL c1 net1 "" "$(sed -e s/NAME/sriov-a/ -e "s/PCI/$pci1/g" <<<"$sriov")"
}

@test "CNI sriov: a deviceID that is not a VF, and a bond of links not in the pod, are refused with nothing left" {
	local p1
	p1=$(pf 1)
	ensure_vfs "$p1" 2
	ip netns add pod
	run -1 cni ADD c1 net1 /run/netns/pod \
		"{\"cniVersion\":\"1.0.0\",\"name\":\"s\",\"type\":\"cnet\",\"kind\":\"sriov\",\"deviceID\":\"$(basename "$(readlink -f "/sys/class/net/$p1/device")")\"}"
	[ "$(jq -r .code <<<"$output")" = 11 ]
	run -1 cni ADD c1 bond0 /run/netns/pod '{"cniVersion":"1.0.0","name":"b","type":"cnet","kind":"bond",
		"mode":"active-backup","linksInContainer":true,"links":[{"name":"net1"},{"name":"net2"}]}'
	[ "$(jq -r .code <<<"$output")" = 11 ]
	[ "$(ip -n pod -j link show | jq length)" = 1 ]
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}

@test "CNI sriov: a pod's VF whose DEL is late is not given to another pod; the late DEL gives it back and touches no other pod's VF" {
	local p1 pci1 pci2 before1 conf
	p1=$(pf 1)
	ip link set "$p1" up
	ensure_vfs "$p1" 2
	pci1=$(vf_pci "$p1" 0) pci2=$(vf_pci "$p1" 1)
	before1=$(vf_info "$p1" 0)
	conf() { # PCI VLAN
		echo "{\"cniVersion\":\"1.0.0\",\"name\":\"sriov-a\",\"type\":\"cnet\",\"kind\":\"sriov\",\"deviceID\":\"$1\",\"vlan\":$2}"
	}
	ip netns add pod
	run -0 cni ADD c1 net1 /run/netns/pod "$(conf "$pci1" 100)"
	[ "$(vf_info "$p1" 0 | jq -r .vlan)" = 100 ]
	# the pod is gone (its VF back on the host), its DEL not yet sent
	ip netns del pod
	vf_home() { [ -n "$(ls "/sys/bus/pci/devices/$1/net/" 2>/dev/null)" ]; }
	retry 50 0.1 vf_home "$pci1"
	ip netns add pod2
	run -1 cni ADD c2 net1 /run/netns/pod2 "$(conf "$pci1" 200)"
	[ "$(jq -r .code <<<"$output")" = 11 ]
	[[ "$(jq -r .msg <<<"$output")" == *"attached by cnet"* ]]
	[ "$(vf_info "$p1" 0 | jq -r .vlan)" = 100 ]
	run -0 cni ADD c2 net1 /run/netns/pod2 "$(conf "$pci2" 200)"
	# the late DEL: the old pod's VF back as it was; the other pod's untouched
	run -0 cni DEL c1 net1 "" "$(conf "$pci1" 100)"
	[ "$(vf_info "$p1" 0)" = "$before1" ]
	[ "$(vf_info "$p1" 1 | jq -r .vlan)" = 200 ]
	[ "$(ip netns exec pod2 cat /sys/class/net/net1/device/uevent | sed -n 's/^PCI_SLOT_NAME=//p')" = "$pci2" ]
	# and now the VF can be had
	ip netns add pod3
	run -0 cni ADD c3 net1 /run/netns/pod3 "$(conf "$pci1" 300)"
	[ "$(vf_info "$p1" 0 | jq -r .vlan)" = 300 ]
	run -0 cni DEL c3 net1 "" "$(conf "$pci1" 300)"
	run -0 cni DEL c2 net1 "" "$(conf "$pci2" 200)"
	[ "$(vf_info "$p1" 0)" = "$before1" ]
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}
