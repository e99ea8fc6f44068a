#!/usr/bin/env bats
# cnet's sriov kind and vf command on real (emulated igb) VFs. Everything is
# read back from the kernel: the PF's IFLA_VF_* settings (ip -j link show
# PF), sysfs (sriov_numvfs, virtfnN), the VF netdev's namespace, name, MAC
# and parent PCI device, and pings between namespaces.
# PF 1 and PF 2 keep 2 VFs across tests; PF 3 is cnet's to create and
# destroy. cnet runs in the guest's initial namespace, where the PFs are.

load ../vm_helper

setup_file() {
	[ -n "${CNET_VM_SHARE:-}" ] || return 0
	for n in 1 2 3; do ip link set "$(pf $n)" up; done
}

setup() {
	in_vm
	P1=$(pf 1) P2=$(pf 2) P3=$(pf 3)
	ensure_vfs "$P1" 2
	ensure_vfs "$P2" 2
	export CNET_STATE=$BATS_TEST_TMPDIR/state.json
	NSS=()
}

teardown() {
	drop_nss
}

cnet() { "$CNET_BIN" "$@"; }


# The PF's view of VF I, as the kernel reports it.
vfinfo() { # PF I
	ip -j link show "$1" | jq ".[0].vfinfo_list[] | select(.vf == $2)"
}

# The PCI address of VF I of PF, from sysfs.
vf_pci() { # PF I
	basename "$(readlink "/sys/class/net/$1/device/virtfn$2")"
}

# The PCI device behind a netdev in a namespace.
parentdev() { # NS IFNAME
	ip -n "$1" -d -j link show "$2" | jq -r '.[0].parentdev'
}

@test "sriov: VFs of two PFs in two namespaces, addressed, ping each other" {
	newns sr-a
	newns sr-b
	run -0 cnet attach sr-a sriov --pf "$P1" --ip 10.50.0.1/24 --mac 02:00:00:50:00:01
	run -0 cnet attach sr-b sriov --pf "$P2" --ip 10.50.0.2/24
	# each namespace holds a VF of the PF it was given
	pa=$(parentdev sr-a eth1)
	pb=$(parentdev sr-b eth1)
	[ "$pa" = "$(vf_pci "$P1" 0)" ] || [ "$pa" = "$(vf_pci "$P1" 1)" ]
	[ "$pb" = "$(vf_pci "$P2" 0)" ] || [ "$pb" = "$(vf_pci "$P2" 1)" ]
	# the MAC asked for is the netdev's and the PF's, and traffic flows with it
	[ "$(ip -n sr-a -j link show eth1 | jq -r '.[0].address')" = 02:00:00:50:00:01 ]
	retry 30 0.5 ip netns exec sr-a ping -c 1 -W 1 10.50.0.2 >/dev/null
	[ "$(ip -n sr-b -j neigh show 10.50.0.1 | jq -r '.[0].lladdr')" = 02:00:00:50:00:01 ]
}

@test "sriov: VF settings go through the PF and read back; detach restores every one and the name" {
	newns sr-a
	before=$(vfinfo "$P1" 1)
	name=$(vf "$P1" 1)
	mac=$(cat "/sys/class/net/$name/address")
	mtu=$(cat "/sys/class/net/$name/mtu")
	run -0 cnet attach sr-a sriov --pf "$P1" --vf 1 --mac 02:00:00:50:00:11 --vlan 100:3 \
		--spoofchk off --trust on --max-rate 100 --mtu 1400 --ip 10.50.1.1/24
	v=$(vfinfo "$P1" 1)
	[ "$(jq -r .address <<<"$v")" = 02:00:00:50:00:11 ]
	[ "$(jq -r '.vlan_list[0].vlan' <<<"$v")" = 100 ]
	[ "$(jq -r '.vlan_list[0].qos' <<<"$v")" = 3 ]
	[ "$(jq -r .spoofchk <<<"$v")" = false ]
	[ "$(jq -r .trust <<<"$v")" = true ]
	[ "$(jq -r .rate.max_tx <<<"$v")" = 100 ]
	link=$(ip -n sr-a -j link show eth1 | jq '.[0]')
	[ "$(jq -r .address <<<"$link")" = 02:00:00:50:00:11 ]
	[ "$(jq -r .mtu <<<"$link")" = 1400 ]
	[ "$(parentdev sr-a eth1)" = "$(vf_pci "$P1" 1)" ]
	[ ! -e "/sys/class/net/$name" ]

	run -0 cnet detach sr-a
	# the netdev is back in this namespace under its name, MAC and MTU
	retry 20 0.1 test -e "/sys/class/net/$name"
	[ "$(cat "/sys/class/net/$name/address")" = "$mac" ]
	[ "$(cat "/sys/class/net/$name/mtu")" = "$mtu" ]
	# and the PF holds for it what it held before
	after=$(vfinfo "$P1" 1)
	for k in address vlan_list spoofchk trust rate; do
		[ "$(jq -c ".$k" <<<"$after")" = "$(jq -c ".$k" <<<"$before")" ] || fail "$k: $(jq -c ".$k" <<<"$after") != $(jq -c ".$k" <<<"$before")"
	done
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}

@test "sriov: a whole-Mbit/s --egress-rate is the VF's own rate; ingress through an ifb; detach restores the rate" {
	newns sr-a
	before=$(vfinfo "$P1" 1)
	run -0 cnet attach sr-a sriov --pf "$P1" --vf 1 --ip 10.50.9.1/24 --egress-rate 100mbit --ingress-rate 50mbit
	[ "$(jq -r .rate.max_tx <<<"$(vfinfo "$P1" 1)")" = 100 ]
	# no tbf of its own for egress: the PF holds it, out of the container's reach
	[ "$(tc -n sr-a -j qdisc show dev eth1 | jq -r '[.[] | .kind] | index("tbf")')" = null ]
	ifb=$(tc -n sr-a -j filter show dev eth1 ingress | jq -r '[.[] | .options.actions[]? | .to_dev] | first')
	[ "$(tc -n sr-a -j qdisc show dev "$ifb" | jq -r '.[] | select(.kind == "tbf") | .options.rate')" = 6250000 ]
	run -0 cnet detach sr-a
	[ "$(jq -c .rate <<<"$(vfinfo "$P1" 1)")" = "$(jq -c .rate <<<"$before")" ]
	# a rate that is not whole Mbit/s stays a tbf on the VF in the container
	run -0 cnet attach sr-a sriov --pf "$P1" --vf 1 --ip 10.50.9.1/24 --egress-rate 2500kbit
	[ "$(tc -n sr-a -j qdisc show dev eth1 | jq -r '.[] | select(.kind == "tbf") | .options.rate')" = 312500 ]
	run -0 cnet detach sr-a
	name=$(vf "$P1" 1)
	retry 20 0.1 test -e "/sys/class/net/$name"
	[ "$(tc -j qdisc show dev "$name" | jq -r '[.[] | .kind] | index("tbf")')" = null ]
	run -2 --separate-stderr cnet attach sr-a sriov --pf "$P1" --vf 1 --egress-rate 100mbit --max-rate 50
	[[ "$stderr" == *"--egress-rate and --max-rate both set the VF's rate"* ]]
}

@test "sriov: the PF's VLAN isolates VFs: same VLAN pings, another does not" {
	newns sr-a
	newns sr-b
	run -0 cnet attach sr-a sriov --pf "$P1" --vlan 100 --ip 10.50.2.1/24
	run -0 cnet attach sr-b sriov --pf "$P2" --vlan 100 --ip 10.50.2.2/24
	retry 30 0.5 ip netns exec sr-a ping -c 1 -W 1 10.50.2.2 >/dev/null
	run -0 cnet attach sr-b sriov --pf "$P2" --vlan 200 --ip 10.50.2.2/24 --replace
	# the VF now in sr-b, found by its PCI device, is tagged 200 by the PF
	for i in 0 1; do [ "$(vf_pci "$P2" $i)" = "$(parentdev sr-b eth1)" ] && idx=$i; done
	[ "$(vfinfo "$P2" "$idx" | jq '.vlan_list[0].vlan')" = 200 ]
	run -1 ip netns exec sr-a ping -c 3 -i 0.3 -W 1 10.50.2.2
}

@test "sriov: a namespace deleted without detach leaves the VF recoverable; detach restores it" {
	newns sr-a
	name=$(vf "$P2" 0)
	before=$(vfinfo "$P2" 0)
	run -0 cnet attach sr-a sriov --pf "$P2" --vf 0 --vlan 300 --mac 02:00:00:50:00:20 --ifname lan0
	[ "$(ip -n sr-a -j link show lan0 | jq -r '.[0].address')" = 02:00:00:50:00:20 ]
	ino=$(stat -L -c %i /run/netns/sr-a)
	ip netns del sr-a
	# The kernel returns the VF's netdev to the initial namespace once it
	# dismantles the namespace; detach waits for that (10 s at most), and
	# until it has happened refuses (exit 4) and keeps the record.
	for i in 1 2 3 4 5 6; do
		run cnet detach sr-a
		[ "$status" = 4 ] || break
		echo "# $output" >&3
		echo "# namespace net:[$ino] held by: $(find /proc/[0-9]*/ns/net -lname "net:\[$ino\]" 2>/dev/null | tr '\n' ' ')" \
			"mounted in: $(grep -l "net:\[$ino\]" /proc/[0-9]*/mountinfo 2>/dev/null | tr '\n' ' ')" >&3
		[ "$(jq '.records | length' <(state_doc))" = 1 ]
	done
	[ "$status" = 0 ] || fail "detach: $output"
	retry 20 0.1 test -e "/sys/class/net/$name"
	[ "$(jq -c '.vlan_list' <<<"$(vfinfo "$P2" 0)")" = "$(jq -c '.vlan_list' <<<"$before")" ]
	[ "$(jq -r '.address' <<<"$(vfinfo "$P2" 0)")" = "$(jq -r .address <<<"$before")" ]
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}

@test "sriov: settings the emulated NIC refuses (link-state, min-rate, 802.1ad) fail clearly and roll back" {
	newns sr-a
	before=$(vfinfo "$P1" 0)
	name=$(vf "$P1" 0)
	run -1 --separate-stderr cnet attach sr-a sriov --pf "$P1" --vf 0 --vlan 400 --link-state disable
	[[ "$stderr" == *"cannot set the link state of VF 0"*"Operation not supported"* ]]
	run -1 --separate-stderr cnet attach sr-a sriov --pf "$P1" --vf 0 --vlan 400 --min-rate 10 --max-rate 100
	[[ "$stderr" == *"cannot set the rate of VF 0"* ]]
	mac=$(cat "/sys/class/net/$name/address")
	run -1 --separate-stderr cnet attach sr-a sriov --pf "$P1" --vf 0 --mac 02:00:00:50:04:01 \
		--vlan 400 --vlan-proto 802.1ad
	[[ "$stderr" == *"cannot set the VLAN of VF 0"*"Protocol not supported"* ]]
	# what was set before each refusal (VLAN, MAC) is undone; the VF never left
	[ "$(jq -c '{address, vlan_list}' <<<"$(vfinfo "$P1" 0)")" = "$(jq -c '{address, vlan_list}' <<<"$before")" ]
	[ -e "/sys/class/net/$name" ]
	[ "$(cat "/sys/class/net/$name/address")" = "$mac" ]
	[ "$(ip -n sr-a -j link show | jq length)" = 1 ]
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}

@test "sriov: a MAC another VF of the PF has is refused (4), and nothing changes" {
	newns sr-a
	newns sr-b
	run -0 cnet attach sr-a sriov --pf "$P1" --vf 0 --mac 02:00:00:50:06:01
	before=$(vfinfo "$P1" 1)
	run -4 --separate-stderr cnet attach sr-b sriov --pf "$P1" --mac 02:00:00:50:06:01 --vlan 600
	[ "$stderr" = "cnet: MAC 02:00:00:50:06:01 is already VF 0's on $P1" ]
	[ "$(vfinfo "$P1" 1)" = "$before" ]
	[ "$(ip -n sr-b -j link show | jq length)" = 1 ]
	[ "$(jq '.records | length' <(state_doc))" = 1 ]
}

@test "sriov: a VF whose MAC the PF pinned: reapply finds it ok; --mac and detach keep it administrative" {
	newns sr-a
	ip link set "$P2" vf 1 mac 02:00:00:50:07:01
	run -0 cnet attach sr-a sriov --pf "$P2" --vf 1 --ip 10.50.7.1/24
	ifindex=$(ip -n sr-a -j link show eth1 | jq '.[0].ifindex')
	run -0 cnet reapply
	assert_output "ok: sriov eth1 in sr-a"
	run -0 cnet detach sr-a
	# with --mac: the VF may not choose a MAC of its own here, so the
	# original goes back through the PF, still administrative
	run -0 cnet attach sr-a sriov --pf "$P2" --vf 1 --mac 02:00:00:50:07:02 --trust on
	[ "$(vfinfo "$P2" 1 | jq -r .address)" = 02:00:00:50:07:02 ]
	run -0 cnet detach sr-a
	[ "$(vfinfo "$P2" 1 | jq -r .address)" = 02:00:00:50:07:01 ]
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
	ip link set "$P2" vf 1 mac 00:00:00:00:00:00
}

@test "vf enable, ls and disable on a PF, refused while a VF is attached" {
	local dev=/sys/class/net/$P3/device
	[ "$(cat "$dev/sriov_numvfs")" = 0 ] || echo 0 >"$dev/sriov_numvfs"
	# more VFs than the PF has, or a target that is not there: no VF made
	newns sr-a
	run -2 --separate-stderr cnet attach sr-a sriov --pf "$P3" --vf-count 8
	[ "$stderr" = "cnet: PF $P3 supports at most 7 VFs, not 8" ]
	run -3 cnet attach sr-nosuch sriov --pf "$P3" --vf-count 2
	[ "$(cat "$dev/sriov_numvfs")" = 0 ]
	run -0 cnet vf enable "$P3" --count 3
	[ "$(cat "$dev/sriov_numvfs")" = 3 ]
	for i in 0 1 2; do compgen -G "$dev/virtfn$i/net/*" >/dev/null; done
	run -0 cnet vf enable "$P3" --count 3 --json
	[ "$(jq .changed <<<"$output")" = false ]
	run -0 cnet vf ls "$P3" --json
	[ "$(jq -c '[.records[].pci]' <<<"$output")" = "$(for i in 0 1 2; do vf_pci "$P3" $i; done | jq -R . | jq -sc .)" ]
	run -0 cnet attach sr-a sriov --pf "$P3" --vf 1
	run -0 cnet vf ls "$P3" --json
	[ "$(jq -r '.records[1].target' <<<"$output")" = sr-a ]
	run -4 --separate-stderr cnet vf disable "$P3"
	[[ "$stderr" == *"VF 1 of $P3 is attached to sr-a as eth1"* ]]
	[ "$(cat "$dev/sriov_numvfs")" = 3 ]
	run -0 cnet detach sr-a
	run -0 cnet vf disable "$P3"
	[ "$(cat "$dev/sriov_numvfs")" = 0 ]
}

@test "sriov: seven concurrent attaches to one PF get seven distinct VFs; the eighth is busy (4)" {
	local dev=/sys/class/net/$P3/device pids=() i codes=()
	[ "$(cat "$dev/sriov_numvfs")" = 0 ] || echo 0 >"$dev/sriov_numvfs"
	run -0 cnet vf enable "$P3" --count 7
	for i in 1 2 3 4 5 6 7 8; do newns "sr-c$i"; done
	for i in 1 2 3 4 5 6 7 8; do
		cnet attach "sr-c$i" sriov --pf "$P3" >/dev/null 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" && codes+=(0) || codes+=($?)
	done
	[ "$(printf '%s\n' "${codes[@]}" | sort | uniq -c | tr -s ' ' | sed 's/^ //' | paste -sd,)" = "7 0,1 4" ]
	devs=$(for i in 1 2 3 4 5 6 7 8; do ip -n "sr-c$i" -d -j link show eth1 2>/dev/null | jq -r '.[0].parentdev'; done | sort)
	[ "$(wc -l <<<"$devs")" = 7 ]
	[ "$(uniq <<<"$devs" | wc -l)" = 7 ]
	[ "$devs" = "$(for i in 0 1 2 3 4 5 6; do vf_pci "$P3" $i; done | sort)" ]
	for i in 1 2 3 4 5 6 7 8; do cnet detach "sr-c$i" >/dev/null; done
	run -0 cnet vf disable "$P3"
}

@test "sriov: after a 'reboot' (VFs removed behind cnet's back) reapply re-creates the VFs and the attachment" {
	local dev=/sys/class/net/$P3/device
	[ "$(cat "$dev/sriov_numvfs")" = 0 ] || echo 0 >"$dev/sriov_numvfs"
	newns sr-a
	run -0 cnet attach sr-a sriov --pf "$P3" --vf-count 2 --vf 1 --vlan 500 --ip 10.50.5.1/24
	[ "$(cat "$dev/sriov_numvfs")" = 2 ]
	[ "$(parentdev sr-a eth1)" = "$(vf_pci "$P3" 1)" ]
	echo 0 >"$dev/sriov_numvfs"
	retry 50 0.1 bash -c "! ip -n sr-a link show eth1 2>/dev/null"
	run -0 cnet reapply
	assert_output --partial "repaired: sriov eth1 in sr-a"
	[ "$(cat "$dev/sriov_numvfs")" = 2 ]
	[ "$(parentdev sr-a eth1)" = "$(vf_pci "$P3" 1)" ]
	[ "$(vfinfo "$P3" 1 | jq '.vlan_list[0].vlan')" = 500 ]
	[ "$(ip -n sr-a -j addr show eth1 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" = 10.50.5.1 ]
	# drift: the VLAN changed through the PF behind cnet's back
	ip link set "$P3" vf 1 vlan 0
	run -0 cnet reapply
	assert_output --partial "repaired: sriov eth1 in sr-a: VF VLAN differs"
	[ "$(vfinfo "$P3" 1 | jq '.vlan_list[0].vlan')" = 500 ]
	run -0 cnet reapply
	assert_output "ok: sriov eth1 in sr-a"
	run -0 cnet detach sr-a
	run -0 cnet vf disable "$P3"
}

# The VF's whole state as the kernel has it: what the PF holds for it, its
# netdev (by PCI address: name, MAC, MTU, or absent here), plus the
# namespace's links and the store's records.
vf_world() { # PF I NS
	vfinfo "$1" "$2" | jq -c '{address, vlan_list, spoofchk, trust, rate}'
	local d="/sys/class/net/$1/device/virtfn$2/net"
	if compgen -G "$d/*" >/dev/null; then
		local n
		n=$(basename "$(echo "$d"/*)")
		echo "$n $(cat "/sys/class/net/$n/address") $(cat "/sys/class/net/$n/mtu")"
	else
		echo "no netdev here"
	fi
	ip -n "$3" -j link show | jq -c '[.[].ifname]'
	state_records_quick
}

SRIOV_ALL=(--vf 1 --mac 02:00:00:50:09:01 --vlan 900:2 --spoofchk off --trust on --max-rate 200
	--mtu 1400 --ifname lan0 --ip 10.50.9.1/24 --gw 10.50.9.254)

@test "sriov: an attach failing at any netlink request leaves the VF exactly as it was" {
	newns sr-f
	local before fi=$TOP/build/fi/cnet
	[ -x "$fi" ] || fail "no fault-injection build at $fi"
	world() { vf_world "$P1" 1 sr-f; }
	before=$(world)
	# (a tolerated fault: the netdev-side MAC; attached all the same)
	WALK_LABEL=sriov WALK_MIN=8 walk_steps nl world sr-f -- "$fi" attach sr-f sriov --pf "$P1" "${SRIOV_ALL[@]}"
	run -0 cnet detach sr-f
	[ "$(world)" = "$before" ]
}

@test "sriov: an attach killed at any step is recovered by reapply, and detach gives the VF back" {
	newns sr-k
	local before fi=$TOP/build/fi/cnet
	world() { vf_world "$P1" 1 sr-k; }
	before=$(world)
	WALK_LABEL=sriov WALK_MIN=8 walk_steps nl:kill world sr-k -- "$fi" attach sr-k sriov --pf "$P1" "${SRIOV_ALL[@]}"
	run -0 cnet detach sr-k
	[ "$(world)" = "$before" ]
}

@test "completions' free VFs (cnet __complete vfs): an attached VF is left out, and comes back on detach" {
	newns sr-a
	run -0 cnet __complete vfs "$P1"
	assert_output $'0\n1'
	run -0 cnet attach sr-a sriov --pf "$P1" --vf 0
	run -0 cnet __complete vfs "$P1"
	assert_output "1"
	run -0 cnet detach sr-a
	retry 20 0.1 test -e "/sys/class/net/$(vf "$P1" 0)" || true
	run -0 cnet __complete vfs "$P1"
	assert_output $'0\n1'
}

# PF 3 with no VFs; --vf-count makes them. A failure anywhere, down to
# each sysfs write (the VF count, driver autoprobe, each VF's probe),
# leaves the PF without VFs, its autoprobe as it was, nothing attached.
pf3_world() {
	local d=/sys/class/net/$P3/device
	echo "numvfs $(cat "$d/sriov_numvfs") autoprobe $(cat "$d/sriov_drivers_autoprobe")"
	ip -n sr-v -j link show | jq -c '[.[].ifname]'
	state_records_quick
}

@test "sriov --vf-count: an attach failing at any sysfs write removes the VFs it made" {
	local fi=$TOP/build/fi/cnet d=/sys/class/net/$P3/device
	[ -x "$fi" ] || fail "no fault-injection build at $fi"
	[ "$(cat "$d/sriov_numvfs")" = 0 ] || echo 0 >"$d/sriov_numvfs"
	newns sr-v
	# VFs made by an attach that succeeded stay after its detach (the
	# PF's VF count is the host's setting; 'cnet vf disable' removes them)
	no_vfs() { echo 0 >"$d/sriov_numvfs"; }
	WALK_UNDO=no_vfs WALK_MIN=2 walk_steps sysfs pf3_world sr-v -- \
		"$fi" attach sr-v sriov --pf "$P3" --vf-count 1 --ip 10.50.9.1/24
	[ "$(cat "$d/sriov_numvfs")" = 1 ]
	run -0 cnet detach sr-v
	echo 0 >"$d/sriov_numvfs"
	# (its netlink steps: the walk over an sriov attach above; with VF
	# creation each step would cost a PF reset, and the carrier polls
	# while VFs come up are tolerated by design)
}
