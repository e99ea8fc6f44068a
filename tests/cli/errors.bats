#!/usr/bin/env bats
# Every refusal: the exit status, one line on stderr starting with "cnet: "
# that names the problem, nothing on stdout, and nothing changed: the host's
# and the container's links, addresses and routes as the kernel reports
# them, and the state store (absent stays absent, anything else stays
# byte for byte what it was).

load test_helper

setup() { setup_host; }
teardown() { teardown_host; }

# Wait (bounded) until the kernel's operstate agrees with each link's
# carrier, so that a before/after comparison is not racing linkwatch.
settle() { # NS
	wait_until 30 settled "$1" || fail "links in $1 did not settle"
}
settled() { # NS
	[ -z "$(ip -n "$1" -j link show | jq -r '.[] | select(((.flags | index("LOWER_UP")) != null) != (.operstate == "UP" or .operstate == "UNKNOWN")) | .ifname')" ]
}

# A namespace as the kernel sees it: links (helper), non-link-local
# addresses, and main-table routes apart from the link-local ones.
shape() { # NS
	links_of "$1"
	ip -n "$1" -j addr show | jq -r '.[] | .ifname as $n | .addr_info[] | select(.scope != "link") | "addr \($n) \(.local)/\(.prefixlen)"' | sort
	ip -n "$1" -4 route show | sed 's/^/route4 /'
	ip -n "$1" -6 -j route show | jq -r '.[] | select(.dst | startswith("fe80") | not) | "route6 \(.dst) \(.dev)"' | sort
}

store_sig() {
	if [ -L "$CNET_STATE" ]; then
		echo "symlink -> $(readlink "$CNET_STATE")"
	elif [ -d "$CNET_STATE" ]; then
		echo "directory: $(ls -A "$CNET_STATE" | tr '\n' ' ')"
	elif [ -e "$CNET_STATE" ]; then
		echo "file $(stat -c %a "$CNET_STATE") $(sha256sum <"$CNET_STATE")"
	else
		echo absent
	fi
	if [ -e "$CNET_STATE.journal" ]; then
		echo "journal $(stat -c %a "$CNET_STATE.journal") $(sha256sum <"$CNET_STATE.journal")"
	else
		echo "no journal"
	fi
}

snapshot() {
	settle "$HOSTNS"
	settle "$CNS"
	SNAP_H=$(shape "$HOSTNS")
	SNAP_C=$(shape "$CNS")
	SNAP_S=$(store_sig)
	[ -n "$SNAP_H" ] || fail "empty snapshot of $HOSTNS"
}

assert_unchanged() {
	settle "$HOSTNS"
	settle "$CNS"
	assert_equal "$(shape "$HOSTNS")" "$SNAP_H"
	assert_equal "$(shape "$CNS")" "$SNAP_C"
	assert_equal "$(store_sig)" "$SNAP_S"
}

# One error line on stderr, starting with "cnet: " and holding every given
# string; nothing on stdout.
assert_error() { # SUBSTRING...
	local s
	assert_equal "$output" ""
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "cnet: "* ]] || fail "stderr does not start with 'cnet: ': $stderr"
	for s in "$@"; do
		[[ $stderr == *"$s"* ]] || fail "stderr does not name '$s': $stderr"
	done
}

# Refused with STATUS, naming SUBSTRINGs, changing nothing.
refused() { # STATUS "SUBSTRING..." -- CNET-ARGS...
	local status_want=$1 subs=()
	shift
	while [ "$1" != -- ]; do
		subs+=("$1")
		shift
	done
	shift
	snapshot
	run "-$status_want" --separate-stderr cnet "$@"
	assert_error "${subs[@]}"
	assert_unchanged
}

# ---- invalid values (2) --------------------------------------------------

@test "attach refuses an address without a prefix length" {
	refused 2 "10.0.0.1" "invalid address" -- attach "netns:$CNS" macvlan --parent up0 --ip 10.0.0.1
	[ ! -e "$CNET_STATE" ]
	[ ! -e "$CNET_STATE.journal" ]
}

@test "attach refuses an IPv4 prefix length above 32" {
	refused 2 "10.0.0.1/33" -- attach "netns:$CNS" macvlan --parent up0 --ip 10.0.0.1/33
}

@test "attach refuses an IPv4 address with an octet above 255" {
	refused 2 "300.1.1.1/8" -- attach "netns:$CNS" macvlan --parent up0 --ip 300.1.1.1/8
}

@test "attach refuses a bad address even after a good one" {
	refused 2 "10.0.0.300/24" -- attach "netns:$CNS" macvlan --parent up0 --ip 10.0.0.2/24 --ip 10.0.0.300/24
}

@test "attach refuses an interface name of 16 bytes" {
	refused 2 "abcdefghijklmnop" "interface name" -- attach "netns:$CNS" macvlan --parent up0 --ifname abcdefghijklmnop
}

@test "attach accepts an interface name of 15 bytes" {
	run -0 --separate-stderr cnet attach "netns:$CNS" macvlan --parent up0 --ifname abcdefghijklmno
	assert_equal "$(link_json "$CNS" abcdefghijklmno | jq -r .linkinfo.info_kind)" macvlan
}

@test "attach refuses an unknown kind" {
	refused 2 "unknown kind 'ipvtap'" -- attach "netns:$CNS" ipvtap --parent up0
}

# This host's kernel has no ipvlan (tests/vm/suites/ipvlan.bats tests it
# where there is one): what a user of such a kernel sees.
@test "ipvlan on a kernel without it: exit 5, saying so, nothing made or recorded" {
	if ip -n "$HOSTNS" link add ipvprobe link up0 type ipvlan 2>/dev/null; then
		ip -n "$HOSTNS" link del ipvprobe
		skip "this kernel has ipvlan: tests/vm/suites/ipvlan.bats tests it"
	fi
	# refused by the kernel, after the pending record: rolled back, the
	# store left without records
	snapshot
	run -5 --separate-stderr cnet attach "netns:$CNS" ipvlan --parent up0 --ip 10.65.0.2/24
	assert_error "this kernel has no ipvlan"
	assert_equal "$(shape "$HOSTNS")" "$SNAP_H"
	assert_equal "$(shape "$CNS")" "$SNAP_C"
	assert_equal "$(state_doc | jq '.records | length')" 0
	refused 2 "ipvlan takes no --mac" -- attach "netns:$CNS" ipvlan --parent up0 --mac 02:00:00:00:65:01
	refused 2 "--ip dhcp needs ipvlan mode l2" -- attach "netns:$CNS" ipvlan --parent up0 --mode l3s --ip dhcp
	refused 2 "invalid ipvlan mode 'l4'" -- attach "netns:$CNS" ipvlan --parent up0 --mode l4
	refused 2 "invalid ipvlan flags 'both'" -- attach "netns:$CNS" ipvlan --parent up0 --flags both
	refused 2 "--flags does not apply to macvlan" -- attach "netns:$CNS" macvlan --parent up0 --flags vepa
}

# sriov: what can be refused without SR-IOV hardware (tests/vm/suites/
# sriov.bats has the rest). up0 is a veth: no PCI device behind it.
@test "sriov: bad values and missing or unsuitable PFs are refused, nothing made" {
	refused 2 "sriov needs --pf PF" -- attach "netns:$CNS" sriov
	refused 2 "invalid --vlan '4095'" -- attach "netns:$CNS" sriov --pf up0 --vlan 4095
	refused 2 "invalid --vlan '10:8'" -- attach "netns:$CNS" sriov --pf up0 --vlan 10:8
	refused 2 "invalid --vlan '10:'" -- attach "netns:$CNS" sriov --pf up0 --vlan 10:
	refused 2 "invalid VLAN protocol '802.1x'" -- attach "netns:$CNS" sriov --pf up0 --vlan 5 --vlan-proto 802.1x
	refused 2 "--vlan-proto needs --vlan VID" -- attach "netns:$CNS" sriov --pf up0 --vlan-proto 802.1ad
	refused 2 "invalid --spoofchk 'maybe' (on or off)" -- attach "netns:$CNS" sriov --pf up0 --spoofchk maybe
	refused 2 "invalid link state 'up'" -- attach "netns:$CNS" sriov --pf up0 --link-state up
	refused 2 "--min-rate 100 is above --max-rate 10" -- attach "netns:$CNS" sriov --pf up0 --min-rate 100 --max-rate 10
	refused 2 "invalid VF index 300" -- attach "netns:$CNS" sriov --pf up0 --vf 300
	refused 2 "invalid --vf '-1'" -- attach "netns:$CNS" sriov --pf up0 --vf -1
	refused 2 "invalid VF count 0" -- attach "netns:$CNS" sriov --pf up0 --vf-count 0
	refused 2 "--pf does not apply to macvlan" -- attach "netns:$CNS" macvlan --parent up0 --pf up0
	refused 2 "--parent does not apply to sriov" -- attach "netns:$CNS" sriov --pf up0 --parent up0
	refused 2 "'up0' is not a PCI network device, so it has no SR-IOV" -- attach "netns:$CNS" sriov --pf up0
	refused 2 "'lo' is not a PCI network device" -- vf enable lo --count 2
	refused 5 "PF 'nosuch' does not exist on the host" -- attach "netns:$CNS" sriov --pf nosuch
	refused 5 "no PCI device 0000:7f:00.0" -- attach "netns:$CNS" sriov --pf 0000:7f:00.0
	refused 5 "PF 'nosuch' does not exist" -- vf ls nosuch
	[ ! -e "$CNET_STATE" ]
	[ ! -e "$CNET_STATE.journal" ]
}

@test "bond: contradictory or incomplete requests are refused before anything is made" {
	refused 2 "bond needs --mode" -- attach "netns:$CNS" bond --slave dev:up0
	refused 2 "bond needs at least one --slave" -- attach "netns:$CNS" bond --mode active-backup
	refused 2 "invalid --slave 'up0'" -- attach "netns:$CNS" bond --mode active-backup --slave up0
	refused 2 "invalid --mode 'hot-standby'" -- attach "netns:$CNS" bond --mode hot-standby --slave dev:up0
	refused 2 "exclude each other" -- attach "netns:$CNS" bond --mode active-backup --slave dev:up0 \
		--miimon 100 --arp-interval 100 --arp-ip-target 10.0.0.1
	refused 2 "does not work in 802.3ad mode" -- attach "netns:$CNS" bond --mode 802.3ad --slave dev:up0 \
		--arp-interval 100 --arp-ip-target 10.0.0.1
	refused 2 "--primary 'eth9s0' is none of the bond's slaves" -- attach "netns:$CNS" bond \
		--mode active-backup --slave dev:up0 --primary eth9s0
	refused 2 "--lacp-rate applies to 802.3ad" -- attach "netns:$CNS" bond --mode balance-xor \
		--slave dev:up0 --lacp-rate fast
	refused 2 "--slave does not apply to macvlan" -- attach "netns:$CNS" macvlan --parent up0 --slave dev:up0p
	refused 2 "too long to name its slaves" -- attach "netns:$CNS" bond --mode broadcast --slave dev:up0 \
		--ifname bond-with-name
	# a dry run asks each slave, so it says what a real attach would meet
	refused 5 "device 'nosuch'" -- attach "netns:$CNS" bond --mode broadcast --slave dev:up0p \
		--slave dev:nosuch --dry-run
	[ ! -e "$CNET_STATE" ]
	[ ! -e "$CNET_STATE.journal" ]
	[ "$(hostip -j link show up0 | jq -r '.[0].ifname')" = up0 ]
}

@test "bond --vlan and VF settings: misplaced or contradictory values are refused, nothing made" {
	b=(attach "netns:$CNS" bond --mode active-backup)
	refused 2 "--vlan-mode needs --vlan VID" -- "${b[@]}" --slave dev:up0 --vlan-mode hw
	refused 2 "--vlan-ifname needs --vlan VID" -- "${b[@]}" --slave dev:up0 --vlan-ifname v5
	refused 2 "invalid --vlan-mode 'both' (sw or hw)" -- "${b[@]}" --slave dev:up0 --vlan 5 --vlan-mode both
	refused 2 "invalid interface name 'a/b'" -- "${b[@]}" --slave dev:up0 --vlan 5 --vlan-ifname a/b
	refused 2 "VLAN interface name 'bondtwelve12.100' is longer than 15 bytes (name it with --vlan-ifname)" -- \
		"${b[@]}" --slave dev:up0 --ifname bondtwelve12 --vlan 100
	refused 2 "a VLAN priority (--vlan VID:QOS) needs --vlan-mode hw" -- "${b[@]}" --slave dev:up0 --vlan 5:3
	refused 2 "--vlan-mode hw needs every slave to be a VF" -- "${b[@]}" --slave dev:up0 --vlan 5 --vlan-mode hw
	refused 2 "--vlan-ifname applies to --vlan-mode sw" -- "${b[@]}" --slave sriov:up0 --vlan 5 \
		--vlan-mode hw --vlan-ifname v5
	refused 2 "--vlan-ifname 'eth1' is the bond's own name" -- "${b[@]}" --slave dev:up0 --vlan 5 --vlan-ifname eth1
	refused 2 "VF settings (--spoofchk, --trust, --link-state, rates) need a VF slave" -- "${b[@]}" \
		--slave dev:up0 --trust on
	refused 2 "--vlan-mode does not apply to sriov" -- attach "netns:$CNS" sriov --pf up0 --vlan 5 --vlan-mode hw
	refused 2 "--spoofchk does not apply to macvlan" -- attach "netns:$CNS" macvlan --parent up0 --spoofchk on
	# a bond MTU above a macvlan slave's parent's is refused by that slave
	refused 2 "MTU 9000 is above parent up0's MTU 1500" -- "${b[@]}" --slave macvlan:up0 --mtu 9000 --dry-run
	[ ! -e "$CNET_STATE" ]
	[ ! -e "$CNET_STATE.journal" ]
	[ "$(hostip -j link show up0 | jq -r '.[0].ifname')" = up0 ]
}

@test "vlan and --vlan: missing or misplaced values are refused, nothing made" {
	refused 2 "vlan needs --parent IF and --vlan VID" -- attach "netns:$CNS" vlan --parent up0
	refused 2 "vlan needs --parent IF and --vlan VID" -- attach "netns:$CNS" vlan --vlan 5
	refused 2 "invalid VLAN ID 0 (1-4094)" -- attach "netns:$CNS" macvlan --parent up0 --vlan 0
	refused 2 "a VLAN priority (QoS) applies to sriov and bond --vlan-mode hw only" -- attach "netns:$CNS" macvlan --parent up0 --vlan 5:1
	refused 2 "--vlan does not apply to veth" -- attach "netns:$CNS" veth --bridge br0 --vlan 5
	refused 2 "--vlan does not apply to host-device" -- attach "netns:$CNS" host-device --dev up0p --vlan 5
	refused 2 "--mode does not apply to vlan" -- attach "netns:$CNS" vlan --parent up0 --vlan 5 --mode bridge
	refused 2 "would be longer than 15 bytes" -- attach "netns:$CNS" macvlan --parent up0abcdefghijk --vlan 100
	[ ! -e "$CNET_STATE" ]
	[ ! -e "$CNET_STATE.journal" ]
}

@test "attach refuses an unknown option" {
	refused 2 "--bogus" -- attach "netns:$CNS" macvlan --parent up0 --bogus
}

@test "attach refuses an abbreviation of an option" {
	refused 2 "--par" "unknown option" -- attach "netns:$CNS" macvlan --par up0
}

@test "attach refuses a single-dash option" {
	refused 2 "unknown option '-p'" -- attach "netns:$CNS" macvlan -p up0
}

@test "attach refuses an option given twice" {
	refused 2 "--mtu given twice" -- attach "netns:$CNS" macvlan --parent up0 --mtu 1400 --mtu 1400
}

@test "attach refuses a repeated option even in the --name=value form" {
	refused 2 "--parent given twice" -- attach "netns:$CNS" macvlan --parent=up0 --parent=up0
}

@test "attach refuses an option of another kind" {
	refused 2 "--bridge" "macvlan" -- attach "netns:$CNS" macvlan --parent up0 --bridge br0
}

@test "attach refuses --force for a kind other than host-device" {
	refused 2 "--force" -- attach "netns:$CNS" macvlan --parent up0 --force
}

@test "attach refuses a value given to a flag" {
	refused 2 "--dry-run takes no value" -- attach "netns:$CNS" macvlan --parent up0 --dry-run=yes
}

@test "attach refuses an option missing its value" {
	refused 2 "--parent needs a value" -- attach "netns:$CNS" macvlan --parent
}

@test "attach refuses macvlan without --parent" {
	refused 2 "--parent" -- attach "netns:$CNS" macvlan --ip 10.0.0.2/24
}

@test "attach refuses host-device without --dev" {
	refused 2 "--dev" -- attach "netns:$CNS" host-device
}

@test "attach refuses veth without --bridge" {
	refused 2 "--bridge" -- attach "netns:$CNS" veth
}

@test "attach refuses --create-bridge without --bridge" {
	refused 2 "--create-bridge" -- attach "netns:$CNS" veth --create-bridge
}

@test "attach refuses a missing kind" {
	refused 2 "TARGET and a KIND" -- attach "netns:$CNS"
}

@test "attach refuses an extra argument" {
	refused 2 "unexpected argument 'extra'" -- attach "netns:$CNS" macvlan extra --parent up0
}

@test "attach refuses an MTU of 0" {
	refused 2 "invalid MTU" "68-65535" -- attach "netns:$CNS" macvlan --parent up0 --mtu 0
}

@test "attach refuses an MTU of 67, just below IPv4's minimum" {
	refused 2 "invalid MTU 67" -- attach "netns:$CNS" macvlan --parent up0 --mtu 67
}

@test "attach refuses an MTU of 70000 and names it" {
	refused 2 "invalid MTU" "70000" -- attach "netns:$CNS" macvlan --parent up0 --mtu 70000
}

@test "attach refuses a non-numeric MTU and names it" {
	refused 2 "invalid MTU" "abc" -- attach "netns:$CNS" macvlan --parent up0 --mtu abc
}

@test "attach refuses an MTU below 1280 with an IPv6 address" {
	refused 2 "1280" -- attach "netns:$CNS" macvlan --parent up0 --mtu 1000 --ip 2001:db8::2/64
}

@test "attach refuses a multicast MAC address" {
	refused 2 "01:00:5e:00:00:01" "multicast" -- attach "netns:$CNS" macvlan --parent up0 --mac 01:00:5e:00:00:01
}

@test "attach refuses an all-zero MAC address" {
	refused 2 "00:00:00:00:00:00" -- attach "netns:$CNS" macvlan --parent up0 --mac 00:00:00:00:00:00
}

@test "attach refuses a malformed MAC address" {
	refused 2 "02:00:00:00:00" "invalid MAC" -- attach "netns:$CNS" macvlan --parent up0 --mac 02:00:00:00:00
}

@test "attach refuses a MAC address with non-hex digits" {
	refused 2 "zz:00:00:00:00:01" -- attach "netns:$CNS" macvlan --parent up0 --mac zz:00:00:00:00:01
}

@test "attach refuses a gateway outside the subnet" {
	refused 2 "gateway 10.0.1.1" -- attach "netns:$CNS" macvlan --parent up0 --ip 10.0.0.2/24 --gw 10.0.1.1
}

@test "attach refuses a second gateway of the same family" {
	refused 2 "10.0.0.254" -- attach "netns:$CNS" macvlan --parent up0 --ip 10.0.0.2/24 --gw 10.0.0.1 --gw 10.0.0.254
}

@test "attach refuses a route via a gateway it cannot reach" {
	refused 2 "192.0.2.1" -- attach "netns:$CNS" macvlan --parent up0 --ip 10.0.0.2/24 --route 198.51.100.0/24@192.0.2.1
}

@test "attach refuses an unknown macvlan mode" {
	refused 2 "mode 'loud'" -- attach "netns:$CNS" macvlan --parent up0 --mode loud
}

@test "attach refuses an unknown target type" {
	refused 2 "lxc:web" -- attach lxc:web macvlan --parent up0
}

# ---- missing resources (5) ----------------------------------------------

@test "attach fails when the parent does not exist" {
	refused 5 "parent interface 'nope0' does not exist" -- attach "netns:$CNS" macvlan --parent nope0 --ip 10.0.0.2/24
	[ ! -e "$CNET_STATE" ]
	[ ! -e "$CNET_STATE.journal" ]
}

@test "attach fails when the parent is down" {
	hostip link set up0 down
	refused 5 "'up0' is down" -- attach "netns:$CNS" macvlan --parent up0 --ip 10.0.0.2/24
}

@test "attach fails when the bridge is missing and --create-bridge is not given" {
	refused 5 "bridge 'br9' does not exist" -- attach "netns:$CNS" veth --bridge br9
	run -1 ip -n "$HOSTNS" link show br9
}

@test "attach fails when the bridge is down" {
	hostip link add br9 type bridge
	refused 5 "bridge 'br9' is down" -- attach "netns:$CNS" veth --bridge br9
}

@test "attach fails when the host device does not exist" {
	refused 5 "'nope0' does not exist" -- attach "netns:$CNS" host-device --dev nope0
}

@test "attach refuses a bridge that is not a bridge" {
	refused 2 "'up0' is not a Linux bridge" -- attach "netns:$CNS" veth --bridge up0
}

@test "attach refuses an MTU above the parent's" {
	refused 2 "MTU 9000" "up0" -- attach "netns:$CNS" macvlan --parent up0 --mtu 9000
}

@test "attach refuses an MTU above the bridge's" {
	hostip link add br9 type bridge
	hostip link set br9 up
	refused 2 "MTU 1600" "br9" -- attach "netns:$CNS" veth --bridge br9 --mtu 1600
}

@test "attach refuses to move the loopback device" {
	refused 2 "loopback" -- attach "netns:$CNS" host-device --dev lo
}

# ---- busy (4) -------------------------------------------------------------

@test "attach refuses an address already in use in the target" {
	ip -n "$CNS" addr add 10.0.0.2/32 dev lo
	refused 4 "10.0.0.2" "already in use" -- attach "netns:$CNS" macvlan --parent up0 --ip 10.0.0.2/24
	[ ! -e "$CNET_STATE" ]
	[ ! -e "$CNET_STATE.journal" ]
}

@test "attach refuses an address already in use on another link of the target" {
	ip -n "$CNS" link add d0 type veth peer name d0p
	ip -n "$CNS" addr add 2001:db8::2/64 dev d0
	refused 4 "2001:db8::2" -- attach "netns:$CNS" macvlan --parent up0 --ip 10.0.0.2/24 --ip 2001:db8::2/64 --no-dad
}

@test "attach refuses an interface name that exists in the target" {
	ip -n "$CNS" link add eth1 type veth peer name eth1p
	refused 4 "'eth1' already exists" -- attach "netns:$CNS" macvlan --parent up0
}

@test "attach refuses a veth host name that exists on the host" {
	hostip link add br9 type bridge
	hostip link set br9 up
	refused 4 "'up0p' already exists" -- attach "netns:$CNS" veth --bridge br9 --host-ifname up0p
}

@test "attach refuses the same interface again with other settings" {
	run -0 --separate-stderr cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.0.0.2/24
	refused 4 "eth1" "other settings" -- attach "netns:$CNS" macvlan --parent up0 --ip 10.0.0.3/24
	assert_equal "$(addrs_of "$CNS" eth1 | grep -v '^fe80')" "10.0.0.2/24"
}

@test "attach refuses a host device that carries an address, and --force moves it" {
	hostip link add hd0 type veth peer name hd0p
	hostip addr add 192.0.2.1/24 dev hd0
	mac=$(link_json "$HOSTNS" hd0 | jq -r .address)
	refused 4 "'hd0'" "192.0.2.1/24" "--force" -- attach "netns:$CNS" host-device --dev hd0
	assert_equal "$(addrs_of "$HOSTNS" hd0)" "192.0.2.1/24"

	run -0 --separate-stderr cnet attach "netns:$CNS" host-device --dev hd0 --force
	run -1 ip -n "$HOSTNS" link show hd0
	assert_equal "$(link_json "$CNS" eth1 | jq -r .address)" "$mac"
}

@test "attach refuses a host device that carries a route" {
	hostip link add hd0 type veth peer name hd0p
	hostip link set hd0 up
	hostip route add 198.51.100.0/24 dev hd0
	refused 4 "routes on the host use device 'hd0'" -- attach "netns:$CNS" host-device --dev hd0
}

@test "attach refuses a host device enslaved to a bridge" {
	hostip link add br9 type bridge
	hostip link add hd0 type veth peer name hd0p
	hostip link set hd0 master br9
	refused 4 "'hd0'" "br9" -- attach "netns:$CNS" host-device --dev hd0
}

# ---- targets (3) ----------------------------------------------------------

@test "attach fails when the named namespace does not exist" {
	refused 3 "nope" -- attach netns:nope macvlan --parent up0
	[ ! -e "$CNET_STATE" ]
	[ ! -e "$CNET_STATE.journal" ]
}

@test "attach fails when the pid is not running" {
	sleep 0 &
	pid=$!
	wait "$pid"
	[ ! -e "/proc/$pid" ]
	refused 3 "PID $pid" -- attach "pid:$pid" macvlan --parent up0
}

@test "attach fails when a bare name is neither a namespace nor a pid" {
	refused 3 "nope" -- attach nope macvlan --parent up0
}

@test "attach fails when a path is no namespace file" {
	refused 3 "/run/netns/nope" -- attach /run/netns/nope macvlan --parent up0
}

@test "attach refuses a file that is not a network namespace" {
	refused 3 "not a network namespace" -- attach /proc/self/ns/uts macvlan --parent up0
}

@test "attach refuses the host's own namespace given as a path" {
	refused 3 "host's own network namespace" -- attach "/run/netns/$HOSTNS" macvlan --parent up0
	[ ! -e "$CNET_STATE" ]
	[ ! -e "$CNET_STATE.journal" ]
}

@test "attach refuses the host's own namespace given by name" {
	refused 3 "host's own network namespace" -- attach "netns:$HOSTNS" macvlan --parent up0
}

# ---- the state store (6) ----------------------------------------------------

@test "attach refuses a state store that is not valid JSON and leaves it alone" {
	printf '{"schema":1,"records":[' >"$CNET_STATE"
	cp "$CNET_STATE" "$BATS_TEST_TMPDIR/before"
	refused 6 "$CNET_STATE" "not valid JSON" -- attach "netns:$CNS" macvlan --parent up0 --ip 10.0.0.2/24
	cmp "$CNET_STATE" "$BATS_TEST_TMPDIR/before"
}

@test "attach refuses a state store of a newer schema and leaves it alone" {
	printf '{"schema":99,"records":[]}\n' >"$CNET_STATE"
	cp "$CNET_STATE" "$BATS_TEST_TMPDIR/before"
	refused 6 "newer" -- attach "netns:$CNS" macvlan --parent up0 --ip 10.0.0.2/24
	cmp "$CNET_STATE" "$BATS_TEST_TMPDIR/before"
}

@test "attach refuses a state store without a record list and leaves it alone" {
	printf '{"schema":1}\n' >"$CNET_STATE"
	cp "$CNET_STATE" "$BATS_TEST_TMPDIR/before"
	refused 6 "record list" -- attach "netns:$CNS" macvlan --parent up0
	cmp "$CNET_STATE" "$BATS_TEST_TMPDIR/before"
}

@test "attach refuses a state store that is a symlink and leaves both ends alone" {
	printf '{"schema":1,"records":[]}\n' >"$BATS_TEST_TMPDIR/real.json"
	cp "$BATS_TEST_TMPDIR/real.json" "$BATS_TEST_TMPDIR/before"
	ln -s "$BATS_TEST_TMPDIR/real.json" "$CNET_STATE"
	refused 6 "symlink" -- attach "netns:$CNS" macvlan --parent up0
	[ -L "$CNET_STATE" ]
	cmp "$BATS_TEST_TMPDIR/real.json" "$BATS_TEST_TMPDIR/before"
}

@test "attach refuses a directory in place of the state store" {
	mkdir "$CNET_STATE"
	refused 6 "$CNET_STATE" -- attach "netns:$CNS" macvlan --parent up0
	[ -d "$CNET_STATE" ]
	[ -z "$(ls -A "$CNET_STATE")" ]
}

@test "a state store of an unknown old schema (0, 1.5) is refused and left alone" {
	for v in 0 1.5; do
		printf '{"schema":%s,"records":[]}\n' "$v" >"$CNET_STATE"
		cp "$CNET_STATE" "$BATS_TEST_TMPDIR/before"
		refused 6 "unknown schema" -- attach "netns:$CNS" macvlan --parent up0
		cmp "$CNET_STATE" "$BATS_TEST_TMPDIR/before"
	done
	[ -z "$(compgen -G "$CNET_STATE.schema*")" ]
}

@test "a schema 1 store is migrated by the first writer, its old bytes kept in a backup" {
	cnet attach "$CNS" macvlan --parent up0 --ip 10.0.0.2/24
	cnet attach "netns:$CNS2" macvlan --parent up0 --ip 10.0.1.2/24
	ifindex=$(link_json "$CNS" eth1 | jq .ifindex)
	# what cnet 0.1 wrote: schema 1, no runtime in the records, one
	# document and no journal
	jq '.schema = 1 | .records |= map(del(.runtime))' <(state_doc) >"$BATS_TEST_TMPDIR/v1"
	cp "$BATS_TEST_TMPDIR/v1" "$CNET_STATE"
	rm -f "$CNET_STATE.journal"
	# read-only commands migrate in memory and write nothing
	run -0 cnet ls
	run -0 cnet reapply --dry-run
	cmp "$CNET_STATE" "$BATS_TEST_TMPDIR/v1"
	[ ! -e "$CNET_STATE.journal" ]
	[ -z "$(compgen -G "$CNET_STATE.schema*")" ]
	# the first writer keeps the old bytes, then writes a schema 3 snapshot
	# and a journal
	run -0 cnet reapply
	bak=$(compgen -G "$CNET_STATE.schema1.*.bak")
	cmp "$bak" "$BATS_TEST_TMPDIR/v1"
	[ "$(stat -c %a "$bak")" = 600 ]
	[ "$(jq .schema "$CNET_STATE")" = 3 ]
	[ "$(stat -c %a "$CNET_STATE.journal")" = 600 ]
	# a bare name stays unsaid; a prefixed one gets its runtime
	[ "$(jq -c '[.records[] | .runtime]' <(state_doc))" = '[null,"netns"]' ]
	# the setups were found and left alone
	[ "$(link_json "$CNS" eth1 | jq .ifindex)" = "$ifindex" ]
	[ "$(addrs_of "$CNS2" eth1)" = 10.0.1.2/24 ]
	run -0 cnet detach "$CNS"
	run -0 cnet detach "netns:$CNS2"
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}

@test "detach refuses a state store that is not valid JSON and leaves it alone" {
	printf 'not json\n' >"$CNET_STATE"
	cp "$CNET_STATE" "$BATS_TEST_TMPDIR/before"
	refused 6 "not valid JSON" -- detach "netns:$CNS"
	cmp "$CNET_STATE" "$BATS_TEST_TMPDIR/before"
}

# ---- detach -------------------------------------------------------------------

@test "detach fails for a target that does not exist and has no record" {
	refused 3 "nope" "nothing is recorded" -- detach netns:nope
	[ ! -e "$CNET_STATE" ]
	[ ! -e "$CNET_STATE.journal" ]
}

@test "detach with nothing recorded for an existing target succeeds and changes nothing" {
	snapshot
	run -0 --separate-stderr cnet detach "netns:$CNS" --json
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '[.ok, .changed]' <<<"$output")" '[true,false]'
	assert_unchanged
	[ ! -e "$CNET_STATE" ]
	[ ! -e "$CNET_STATE.journal" ]
}

@test "detach refuses an unknown option" {
	refused 2 "--parent" -- detach "netns:$CNS" --parent up0
}

@test "detach refuses a second target" {
	refused 2 "unexpected argument" -- detach "netns:$CNS" "netns:$CNS2"
}

@test "detach refuses an invalid interface name" {
	refused 2 "invalid interface name" -- detach "netns:$CNS" --ifname a/b
}

@test "a FIFO named as the target is refused at once, not waited on" {
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	run -3 --separate-stderr timeout 10 "$CNET_BIN" attach "$BATS_TEST_TMPDIR/fifo" macvlan --parent up0
	[[ "$stderr" == *"not a network namespace"* ]]
}

@test "an option's value that reads --json is a value, not the flag" {
	run -5 --separate-stderr cnet attach "$CNS" macvlan --parent --json
	[[ "$stderr" == *"parent interface '--json' does not exist"* ]]
	[ -z "$output" ]
}
