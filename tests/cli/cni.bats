#!/usr/bin/env bats
# bats file_tags=netns,cni
# cnet as a CNI plugin, run directly the way a runtime runs it: CNI_*
# variables, the configuration on stdin, the result or an error object on
# stdout. What each verb did is read back from the kernel and from the
# state store's files, never from the plugin's own answer alone. (The
# real runtimes drive it in cni-podman.bats.)

load test_helper

CNI_BIN=${CNET_CNI_BIN:-$TOP/build/cnet-cni}

setup() {
	setup_host
	[ -x "$CNI_BIN" ] || fail "no plugin at $CNI_BIN (make)"
}

teardown() {
	[ -s "$BATS_TEST_TMPDIR/dnsmasq.pid" ] && kill "$(cat "$BATS_TEST_TMPDIR/dnsmasq.pid")" 2>/dev/null
	teardown_host
}

# cni COMMAND CONTAINERID IFNAME NETNS CONFIG [CNI_ARGS]: run the plugin in
# the host namespace; NETNS "" leaves CNI_NETNS unset.
cni() {
	local env=(CNI_COMMAND="$1" CNI_CONTAINERID="$2" CNI_IFNAME="$3" CNI_PATH=/usr/lib/cni
		CNI_ARGS="${6:-}")
	[ -z "$4" ] || env+=(CNI_NETNS="$4")
	ip netns exec "$HOSTNS" env "${env[@]}" "$CNI_BIN" <<<"$5"
}

# no_lease_in LEASES MAC: dnsmasq's lease file LEASES holds no lease for MAC.
no_lease_in() { ! grep -qi " $2 " "$1"; }

# A macvlan configuration on up0, static addresses; jq filters amend it.
conf() { # [VERSION [JQ-FILTER]]
	jq -c "${2:-.}" <<-EOF
		{"cniVersion":"${1:-1.1.0}","name":"tnet","type":"cnet","kind":"macvlan",
		 "master":"up0","mode":"bridge","capabilities":{"mac":true,"ips":true},"foo":{"bar":1},
		 "ipam":{"type":"static",
		  "addresses":[{"address":"10.18.0.2/24","gateway":"10.18.0.1"},{"address":"fd18::2/64"}],
		  "routes":[{"dst":"0.0.0.0/0"},{"dst":"192.0.2.0/24","gw":"10.18.0.9"}],
		  "dns":{"nameservers":["10.18.0.53"],"search":["example.test"]}}}
	EOF
}

ns() { echo "/run/netns/$1"; }

@test "VERSION looks at nothing but the configuration's version" {
	run cni VERSION "" dummy dummy '{"cniVersion":"0.4.0"}'
	assert_success
	[ "$(jq -r .cniVersion <<<"$output")" = 0.4.0 ]
	[ "$(jq -c .supportedVersions <<<"$output")" = '["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]' ]
	run cni VERSION "" dummy dummy ''
	assert_success
	[ "$(jq -r .cniVersion <<<"$output")" = 1.1.0 ]
}

@test "ADD: the interface, addresses, routes and result, in each version asked" {
	run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf 1.1.0)"
	assert_success
	local mac
	mac=$(ip -n "$CNS" -j link show eth0 | jq -r '.[0].address')
	[ "$(jq -r '.interfaces[0].mac' <<<"$output")" = "$mac" ]
	[ "$(jq -r '.interfaces[0].sandbox' <<<"$output")" = "/run/netns/$CNS" ]
	[ "$(jq -r '.interfaces[0].mtu' <<<"$output")" = "$(ip -n "$CNS" -j link show eth0 | jq '.[0].mtu')" ]
	[ "$(jq -c '[.ips[] | .address, .gateway, .interface]' <<<"$output")" = \
		'["10.18.0.2/24","10.18.0.1",0,"fd18::2/64",null,0]' ]
	[ "$(jq -c .dns <<<"$output")" = '{"nameservers":["10.18.0.53"],"search":["example.test"]}' ]
	# the kernel
	ip -n "$CNS" -j addr show eth0 | jq -e '[.[0].addr_info[] | "\(.local)/\(.prefixlen)"] |
		index("10.18.0.2/24") != null and index("fd18::2/64") != null'
	ip -n "$CNS" -j route show default | jq -e '.[0].gateway == "10.18.0.1" and .[0].dev == "eth0"'
	ip -n "$CNS" -j route show 192.0.2.0/24 | jq -e '.[0].gateway == "10.18.0.9"'
	[ "$(ip -n "$CNS" -d -j link show eth0 | jq -r '.[0].linkinfo.info_kind')" = macvlan ]
	# the record: the runtime's, keyed by network and container
	[ "$(jq -c '[.records[] | .cni, .ifname]' <(state_doc))" = '[{"network":"tnet","container":"c1"},"eth0"]' ]

	# The same ADD again in older versions: no change, the result converted.
	run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf 0.3.1)"
	assert_success
	[ "$(jq -r .cniVersion <<<"$output")" = 0.3.1 ]
	[ "$(jq -c '[.ips[].version]' <<<"$output")" = '["4","6"]' ]
	[ "$(jq '.interfaces[0] | has("mtu")' <<<"$output")" = false ]
	run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf 1.0.0)"
	assert_success
	[ "$(jq '.ips[0] | has("version")' <<<"$output")" = false ]
	[ "$(jq '.interfaces[0] | has("mtu")' <<<"$output")" = false ]
	[ "$(ip -n "$CNS" -j link show eth0 | jq -r '.[0].address')" = "$mac" ]
}

@test "ADD: a static route's CNI 1.1 priority and table are its metric and table" {
	run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf 1.1.0 '.ipam.routes=[{"dst":"192.0.2.0/24","gw":"10.18.0.9","priority":77},{"dst":"198.51.100.0/24","gw":"10.18.0.9","table":120}]')"
	assert_success
	ip -n "$CNS" -j route show 192.0.2.0/24 | jq -e '.[0].gateway == "10.18.0.9" and .[0].metric == 77'
	ip -n "$CNS" -j route show table 120 | jq -e '.[0].dst == "198.51.100.0/24" and .[0].gateway == "10.18.0.9"'
	run ip -n "$CNS" -j route show 198.51.100.0/24
	[ "$output" = "[]" ] || [ -z "$output" ]
	# a table that is no number is refused, nothing made
	run cni ADD c2 eth0 "$(ns "$CNS2")" "$(conf 1.1.0 '.ipam.routes=[{"dst":"192.0.2.0/24","table":0}]')"
	assert_failure
	run ip -n "$CNS2" link show eth0
	assert_failure
}

@test "DEL needs no namespace, and succeeds again and after the namespace is gone" {
	run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf)"
	assert_success
	run cni ADD c2 eth0 "$(ns "$CNS2")" "$(conf 1.1.0 '.ipam.addresses=[{"address":"10.18.0.3/24"}] | .ipam.routes=[]')"
	assert_success
	run cni DEL c1 eth0 "" "$(conf)"
	assert_success
	[ -z "$output" ]
	run ip -n "$CNS" link show eth0
	assert_failure
	[ "$(jq -r '[.records[].cni.container] | join(",")' <(state_doc))" = c2 ]
	run cni DEL c1 eth0 "" "$(conf)"
	assert_success
	# the namespace deleted first, as kubelet and containerd may do
	ip netns del "$CNS2"
	run cni DEL c2 eth0 "/run/netns/$CNS2" "$(conf)"
	assert_success
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
	# DEL for another network's name touches nothing of this one
	run cni ADD c3 eth0 "$(ns "$CNS")" "$(conf)"
	assert_success
	run cni DEL c3 eth0 "" "$(conf 1.1.0 '.name="other"')"
	assert_success
	ip -n "$CNS" link show eth0
}

@test "precedence: runtimeConfig, then args.cni, then CNI_ARGS, then the configuration" {
	local c
	c=$(conf 1.1.0 '.mac="02:00:00:00:00:01"')
	run cni ADD c1 eth0 "$(ns "$CNS")" "$c"
	assert_success
	[ "$(ip -n "$CNS" -j link show eth0 | jq -r '.[0].address')" = 02:00:00:00:00:01 ]
	cni DEL c1 eth0 "" "$c"
	run cni ADD c1 eth0 "$(ns "$CNS")" "$c" "IgnoreUnknown=1;K8S_POD_NAME=p;MAC=02:00:00:00:00:02"
	assert_success
	[ "$(ip -n "$CNS" -j link show eth0 | jq -r '.[0].address')" = 02:00:00:00:00:02 ]
	cni DEL c1 eth0 "" "$c"
	c=$(conf 1.1.0 '.mac="02:00:00:00:00:01" | .args.cni.mac="02:00:00:00:00:03"')
	run cni ADD c1 eth0 "$(ns "$CNS")" "$c" "MAC=02:00:00:00:00:02"
	assert_success
	[ "$(ip -n "$CNS" -j link show eth0 | jq -r '.[0].address')" = 02:00:00:00:00:03 ]
	cni DEL c1 eth0 "" "$c"
	c=$(conf 1.1.0 '.args.cni.mac="02:00:00:00:00:03" | .runtimeConfig.mac="02:00:00:00:00:04"')
	run cni ADD c1 eth0 "$(ns "$CNS")" "$c" "MAC=02:00:00:00:00:02"
	assert_success
	[ "$(ip -n "$CNS" -j link show eth0 | jq -r '.[0].address')" = 02:00:00:00:00:04 ]
}

@test "ips: a bare address takes its configured subnet's prefix; the ips capability replaces the addresses" {
	run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf)" "IP=10.18.0.77"
	assert_success
	[ "$(ip -n "$CNS" -j addr show eth0 | jq -c '[.[0].addr_info[] | select(.scope=="global") | "\(.local)/\(.prefixlen)"]')" = '["10.18.0.77/24"]' ]
	[ "$(jq -r '.ips[0].address' <<<"$output")" = 10.18.0.77/24 ]
	run cni ADD c2 eth0 "$(ns "$CNS2")" "$(conf 1.1.0 '.runtimeConfig.ips=["10.18.0.78","fd18::78","198.51.100.7"]')"
	assert_success
	[ "$(ip -n "$CNS2" -j addr show eth0 | jq -c '[.[0].addr_info[] | select(.scope=="global") | "\(.local)/\(.prefixlen)"] | sort')" = \
		'["10.18.0.78/24","198.51.100.7/32","fd18::78/64"]' ]
}

@test "errors: the specification's codes, one message, nothing made" {
	code() { jq -r .code <<<"$output"; }
	run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf 0.2.0)"
	assert_failure
	[ "$(code)" = 1 ]
	run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf 1.1.0 'del(.kind)')"
	assert_failure
	[ "$(code)" = 7 ]
	[[ "$(jq -r .msg <<<"$output")" == *'"kind"'* ]]
	run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf 1.1.0 '.kind="ipip"')"
	[ "$(code)" = 7 ]
	run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf 1.1.0 '.kind="veth" | .bridge="br0" | .hairpinMode=true')"
	[ "$(code)" = 2 ]
	[[ "$(jq -r .msg <<<"$output")" == *hairpinMode* ]]
	run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf 1.1.0 '.ipam.type="no-such-ipam"')"
	[ "$(code)" = 7 ]
	run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf 1.1.0 '.mode="nonsense"')"
	[ "$(code)" = 7 ]
	[[ "$(jq -r .details <<<"$output")" == *nonsense* ]]
	run cni ADD "" eth0 "$(ns "$CNS")" "$(conf)"
	[ "$(code)" = 4 ]
	run cni ADD "c/1" eth0 "$(ns "$CNS")" "$(conf)"
	[ "$(code)" = 4 ]
	run cni DEL "c 1" eth0 "" "$(conf)"
	[ "$(code)" = 4 ]
	run cni ADD c1 "a/b" "$(ns "$CNS")" "$(conf)"
	[ "$(code)" = 4 ]
	run cni ADD c1 eth0 "" "$(conf)"
	[ "$(code)" = 4 ]
	run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf)" "NOEQUALS"
	[ "$(code)" = 4 ]
	run cni FROB c1 eth0 "$(ns "$CNS")" "$(conf)"
	[ "$(code)" = 4 ]
	run cni ADD c1 eth0 "$(ns "$CNS")" "not json"
	[ "$(code)" = 6 ]
	run cni ADD c1 eth0 /run/netns/nonexistent-cnet-test "$(conf)"
	[ "$(code)" = 3 ]
	run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf 1.1.0 '.master="nosuchdev0"')"
	[ "$(code)" = 11 ]
	# each a one-object answer, exit 1, and nothing in the kernel or the store
	[ "$status" = 1 ]
	[ "$(ip -n "$CNS" -j link show | jq length)" = 1 ]
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}

@test "CHECK: ok while the kernel matches the record, code 101 once it drifts" {
	run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf)"
	assert_success
	run cni CHECK c1 eth0 "$(ns "$CNS")" "$(conf)"
	assert_success
	ip -n "$CNS" addr del 10.18.0.2/24 dev eth0
	run cni CHECK c1 eth0 "$(ns "$CNS")" "$(conf)"
	assert_failure
	[ "$(jq -r .code <<<"$output")" = 101 ]
	run cni CHECK c9 eth0 "$(ns "$CNS")" "$(conf)"
	[ "$(jq -r .code <<<"$output")" = 3 ]
	run cni CHECK c1 eth0 "$(ns "$CNS")" "$(conf 0.3.1)"
	[ "$(jq -r .code <<<"$output")" = 1 ]
}

@test "STATUS: 0 while the parent is up, 50 when it is down or missing; 1.1.0 only" {
	run cni STATUS "" "" "" "$(conf)"
	assert_success
	hostip link set up0 down
	run cni STATUS "" "" "" "$(conf)"
	assert_failure
	[ "$(jq -r .code <<<"$output")" = 50 ]
	run cni STATUS "" "" "" "$(conf 1.1.0 '.master="nosuchdev0"')"
	[ "$(jq -r .code <<<"$output")" = 50 ]
	run cni STATUS "" "" "" "$(conf 1.0.0)"
	[ "$(jq -r .code <<<"$output")" = 1 ]
}

@test "GC removes this network's attachments not listed as valid, and only those" {
	run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf)"
	assert_success
	run cni ADD c2 eth0 "$(ns "$CNS2")" "$(conf 1.1.0 '.ipam.addresses=[{"address":"10.18.0.3/24"}] | .ipam.routes=[]')"
	assert_success
	run cni ADD c2 net1 "$(ns "$CNS2")" "$(conf 1.1.0 '.name="other" | .ipam={}')"
	assert_success
	[ "$(jq -c .ips <<<"$output")" = '[]' ] # "ipam": {}, as Multus users write it: no addresses
	run cni GC "" "" "" "$(conf 1.1.0 '.["cni.dev/valid-attachments"]=[{"containerID":"c1","ifname":"eth0"}]')"
	assert_success
	ip -n "$CNS" link show eth0
	run ip -n "$CNS2" link show eth0
	assert_failure
	ip -n "$CNS2" link show net1 # another network's
	[ "$(jq -c '[.records[] | [.cni.network, .cni.container, .ifname]] | sort' <(state_doc))" = \
		'[["other","c2","net1"],["tnet","c1","eth0"]]' ]
	# the 1.1.0 draft's name for the list
	run cni GC "" "" "" "$(conf 1.1.0 '.["cni.dev/attachments"]=[]')"
	assert_success
	run ip -n "$CNS" link show eth0
	assert_failure
}

@test "cnet detach and gc leave the runtime's attachments to it unless --force" {
	run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf)"
	assert_success
	run -0 cnet ls
	assert_line --regexp "^[0-9a-f]{8} +/run/netns/$CNS +macvlan +eth0 +ok \[CNI network tnet, container c1\]$"
	run cnet detach "netns:$CNS"
	[ "$status" = 4 ]
	ip -n "$CNS" link show eth0
	run cnet detach "netns:$CNS" --force
	assert_success
	run ip -n "$CNS" link show eth0
	assert_failure
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
	# gc: a runtime's record whose namespace is gone stays for the runtime's DEL
	run cni ADD c2 eth0 "$(ns "$CNS2")" "$(conf)"
	assert_success
	ip netns del "$CNS2"
	run cnet gc --yes
	assert_success
	[ "$(jq -r '.records[].cni.container' <(state_doc))" = c2 ]
	run cnet gc --yes --force
	assert_success
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}

@test "20 ADDs at once into 20 containers all succeed, each with its own interface" {
	local i pids=()
	for i in $(seq 20); do
		ip netns add "$P-p$i"
		CREATED_NS+=("$P-p$i")
	done
	for i in $(seq 20); do
		cni ADD "par$i" eth0 "$(ns "$P-p$i")" "$(conf 1.1.0 '.ipam.routes=[]')" "IP=10.18.1.$i" \
			>"$BATS_TEST_TMPDIR/out$i" &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || fail "ADD $((i + 1)) failed: $(cat "$BATS_TEST_TMPDIR/out$((i + 1))")"
	done
	for i in $(seq 20); do
		[ "$(ip -n "$P-p$i" -j addr show eth0 | jq -r '[.[0].addr_info[] | select(.family=="inet") | .local] | join(",")')" = "10.18.1.$i" ]
	done
	[ "$(for i in $(seq 20); do ip -n "$P-p$i" -j link show eth0 | jq -r '.[0].address'; done | sort -u | wc -l)" = 20 ]
	[ "$(jq '.records | length' <(state_doc))" = 20 ]
}

@test "IPAM host-local is delegated: ADD, CHECK, DEL forwarded; a failed ADD gives its address back" {
	local c hl=$BATS_TEST_TMPDIR/hl
	c=$(conf 1.0.0 '.ipam={"type":"host-local","dataDir":"'"$hl"'",
		"ranges":[[{"subnet":"10.19.0.0/24","gateway":"10.19.0.1"}]],"routes":[{"dst":"0.0.0.0/0"}]}')
	run cni ADD c1 eth0 "$(ns "$CNS")" "$c"
	assert_success
	# host-local's own record of the address, and the kernel's
	[[ "$(cat "$hl/tnet/10.19.0.2")" == c1* ]]
	[ "$(ip -n "$CNS" -j addr show eth0 | jq -r '[.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"] | join(",")')" = 10.19.0.2/24 ]
	ip -n "$CNS" -j route show default | jq -e '.[0].gateway == "10.19.0.1"'
	[ "$(jq -c '[.ips[] | .address, .gateway]' <<<"$output")" = '["10.19.0.2/24","10.19.0.1"]' ]
	run cni CHECK c1 eth0 "$(ns "$CNS")" "$c"
	assert_success
	# GC and STATUS (1.1.0) go only to an IPAM plugin that speaks 1.1.0:
	# Debian's host-local (1.0.0) would fail them
	run cni STATUS "" "" "" "$(jq -c '.cniVersion="1.1.0"' <<<"$c")"
	assert_success
	run cni GC "" "" "" "$(jq -c '.cniVersion="1.1.0" | .["cni.dev/valid-attachments"]=[{"containerID":"c1","ifname":"eth0"}]' <<<"$c")"
	assert_success
	ip -n "$CNS" link show eth0
	run cni DEL c1 eth0 "" "$c"
	assert_success
	[ ! -e "$hl/tnet/10.19.0.2" ]
	run ip -n "$CNS" link show eth0
	assert_failure
	# the interface cannot be made: host-local's address is given back
	run cni ADD c2 eth0 "$(ns "$CNS")" "$(jq -c '.master="nosuchdev0"' <<<"$c")"
	[ "$(jq -r .code <<<"$output")" = 11 ]
	[ -z "$(ls "$hl/tnet" | grep -v -e lock -e last_reserved)" ]
	# an IPAM plugin's error comes back as its own
	run cni ADD c2 eth0 "$(ns "$CNS")" "$(jq -c '.ipam.ranges=[]' <<<"$c")"
	assert_failure
	[[ "$(jq -r .msg <<<"$output")" == *"IPAM plugin host-local"* ]]
	run cni ADD c2 eth0 "$(ns "$CNS")" "$(jq -c '.ipam.type="../bin/sh"' <<<"$c")"
	[ "$(jq -r .code <<<"$output")" = 7 ]
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}

# ADD as a runtime runs it (walk_steps runs it with the fault switch set):
# a failed or killed ADD is followed by a DEL, which the fault does not touch; its
# error message goes to stderr, where the walk looks for the injected
# fault. A fault the ADD tolerated (a warning) is undone by DEL here too:
# the walk's "cnet detach" leaves a runtime's record alone.
write_add_then_del() { # PATH
	cat >"$1" <<-'EOF2'
		#!/bin/bash
		out=$("$CNI_FI" <<<"$CNI_CONF" 2>"$CNI_ERR")
		rc=$?
		cat "$CNI_ERR" >&2
		[ "$rc" = 0 ] || jq -r .msg <<<"$out" >&2
		if [ "$rc" != 0 ] || grep -q 'injected fault' "$CNI_ERR"; then
			env -u CNET_FAULT_NL -u CNET_FAULT_STORE -u CNET_FAULT_SYSFS CNI_COMMAND=DEL \
				"$CNI_FI" <<<"$CNI_CONF" >&2 || { echo "DEL after the failed ADD failed" >&2; exit 99; }
		fi
		exit "$rc"
	EOF2
	chmod +x "$1"
}

@test "a CNI ADD failing at any netlink request or store write, or killed at any netlink request, then DEL as runtimes do, leaves nothing behind" {
	local fi=${CNET_CNI_FI_BIN:-$TOP/build/fi/cnet-cni} w=$BATS_TEST_TMPDIR/add-then-del
	[ -x "$fi" ] || fail "no $fi (make build/fi/cnet-cni)"
	write_add_then_del "$w"
	export CNI_FI=$fi CNI_ERR=$BATS_TEST_TMPDIR/stderr
	export CNI_CONF
	CNI_CONF=$(conf 1.1.0 '.mtu=1400 | .noDad=true | .runtimeConfig.mac="02:00:00:00:18:01"')
	WALK_MIN=8 WALK_LABEL="CNI ADD (nl)" walk_steps nl host_world "netns:$CNS" -- \
		ip netns exec "$HOSTNS" env CNI_COMMAND=ADD CNI_CONTAINERID=w1 CNI_IFNAME=eth0 \
		CNI_NETNS="/run/netns/$CNS" "$w"
	[ "$(ip -n "$CNS" -j link show eth0 | jq -r '.[0].address')" = 02:00:00:00:18:01 ]
	[ "$(ip -n "$CNS" -j link show eth0 | jq -r '.[0].mtu')" = 1400 ]
	ip netns exec "$HOSTNS" env CNI_COMMAND=DEL CNI_CONTAINERID=w1 CNI_IFNAME=eth0 "$fi" <<<"$CNI_CONF"
	WALK_MIN=2 WALK_LABEL="CNI ADD (store)" walk_steps store host_world "netns:$CNS" -- \
		ip netns exec "$HOSTNS" env CNI_COMMAND=ADD CNI_CONTAINERID=w2 CNI_IFNAME=eth0 \
		CNI_NETNS="/run/netns/$CNS" "$w"
	ip netns exec "$HOSTNS" env CNI_COMMAND=DEL CNI_CONTAINERID=w2 CNI_IFNAME=eth0 "$fi" <<<"$CNI_CONF"
	# killed at each netlink request (a plugin killed by its runtime's
	# timeout): the runtime's DEL cleans up from the pending record
	WALK_MIN=8 WALK_LABEL="CNI ADD (nl:kill)" walk_steps nl:kill host_world "netns:$CNS" -- \
		ip netns exec "$HOSTNS" env CNI_COMMAND=ADD CNI_CONTAINERID=w3 CNI_IFNAME=eth0 \
		CNI_NETNS="/run/netns/$CNS" "$w"
}

@test "IPAM dhcp is cnet's own: dnsmasq's lease in the kernel and in the result; DEL gives it back" {
	local leases=$BATS_TEST_TMPDIR/leases c addr mac
	setup_dhcp_server_ns
	ip netns exec "$SRV" dnsmasq --conf-file=/dev/null --user=root --port=0 --interface=up0p \
		--bind-interfaces --except-interface=lo --no-ping --dhcp-range=10.99.0.100,10.99.0.150,255.255.255.0,2m \
		--dhcp-leasefile="$leases" --dhcp-option=option:router,10.99.0.1 \
		--dhcp-option=option:dns-server,10.99.0.53 --domain=test.lan \
		--pid-file="$BATS_TEST_TMPDIR/dnsmasq.pid" --log-facility="$BATS_TEST_TMPDIR/dnsmasq.log" --log-dhcp
	c=$(conf 1.1.0 '.ipam={"type":"dhcp"} | .hostname="pod-1"')
	run cni ADD c1 eth0 "$(ns "$CNS")" "$c"
	assert_success
	addr=$(ip -n "$CNS" -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"')
	[[ "$addr" == 10.99.0.1[0-5][0-9]/24 ]]
	mac=$(ip -n "$CNS" -j link show eth0 | jq -r '.[0].address')
	# the server's view: this MAC, this address, the hostname asked
	[ "$(grep -i " $mac " "$leases" | cut -d' ' -f3,4)" = "${addr%/*} pod-1" ]
	ip -n "$CNS" -j route show default | jq -e '.[0].gateway == "10.99.0.1"'
	[ "$(jq -c '[.ips[0].address, .ips[0].gateway, .routes[0].dst, .routes[0].gw]' <<<"$output")" = \
		"[\"$addr\",\"10.99.0.1\",\"0.0.0.0/0\",\"10.99.0.1\"]" ]
	[ "$(jq -c .dns <<<"$output")" = '{"nameservers":["10.99.0.53"],"domain":"test.lan"}' ]
	run cni DEL c1 eth0 "" "$c"
	assert_success
	wait_until 30 no_lease_in "$leases" "$mac"
	run grep -qi " $mac " "$leases"
	assert_failure
	grep -q "DHCPRELEASE(up0p) ${addr%/*}" "$BATS_TEST_TMPDIR/dnsmasq.log"
	# the namespace gone before the DEL (ctr run --rm): let go from the
	# host, on the macvlan's parent
	run cni ADD c2 eth0 "$(ns "$CNS2")" "$c"
	assert_success
	addr=$(ip -n "$CNS2" -j addr show eth0 | jq -r '.[0].addr_info[] | select(.family=="inet") | .local')
	mac=$(ip -n "$CNS2" -j link show eth0 | jq -r '.[0].address')
	grep -qi " $mac $addr " "$leases"
	ip netns del "$CNS2"
	run cni DEL c2 eth0 "" "$c"
	assert_success
	wait_until 30 no_lease_in "$leases" "$mac"
	run grep -qi " $mac " "$leases"
	assert_failure
	grep -qi "DHCPRELEASE(up0p) $addr $mac" "$BATS_TEST_TMPDIR/dnsmasq.log"
}

@test "kinds by their reference plugins' keys: veth on a bridge (bridge), host-device (device, hwaddr)" {
	hostip link add cbr0 type bridge
	hostip link set cbr0 up
	run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf 1.1.0 '.kind="veth" | del(.master, .mode) | .bridge="cbr0" | .mtu=1400')"
	assert_success
	[ "$(ip -n "$CNS" -d -j link show eth0 | jq -r '.[0].linkinfo.info_kind')" = veth ]
	[ "$(ip -n "$CNS" -j link show eth0 | jq -r '.[0].mtu')" = 1400 ]
	[ "$(hostip -j link show master cbr0 | jq length)" = 1 ]
	run cni DEL c1 eth0 "" "$(conf)"
	assert_success
	[ "$(hostip -j link show master cbr0 | jq length)" = 0 ]
	# host-device by name, then by MAC: the same device, moved in and back
	hostip link add hd1 type veth peer name hd1p
	hostip link set hd1 address 02:00:00:00:d1:01
	local c
	c=$(conf 1.1.0 '.kind="host-device" | del(.master, .mode) | .device="hd1"')
	run cni ADD c2 net1 "$(ns "$CNS2")" "$c"
	assert_success
	[ "$(ip -n "$CNS2" -j link show net1 | jq -r '.[0].address')" = 02:00:00:00:d1:01 ]
	run cni DEL c2 net1 "" "$c"
	assert_success
	hostip link show hd1
	c=$(conf 1.1.0 '.kind="host-device" | del(.master, .mode) | .hwaddr="02:00:00:00:d1:01"')
	run cni ADD c3 net1 "$(ns "$CNS2")" "$c"
	assert_success
	[ "$(ip -n "$CNS2" -j link show net1 | jq -r '.[0].address')" = 02:00:00:00:d1:01 ]
	run cni DEL c3 net1 "" "$c"
	hostip link show hd1
	run cni ADD c3 net1 "$(ns "$CNS2")" "$(conf 1.1.0 '.kind="host-device" | del(.master, .mode) | .hwaddr="02:00:00:00:d1:99"')"
	[ "$(jq -r .code <<<"$output")" = 11 ]
	run cni ADD c3 net1 "$(ns "$CNS2")" "$(conf 1.1.0 '.kind="host-device" | del(.master, .mode) | .pciBusID="nonsense"')"
	[ "$(jq -r .code <<<"$output")" = 7 ]
}

@test "reapply leaves a runtime's attachment whose container is gone to the runtime: nothing made, the record kept for its DEL" {
	run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf)"
	assert_success
	ip netns del "$CNS"
	ip netns add "$CNS" # a namespace of that name again: not the container's
	run cnet reapply
	assert_success
	[ "$(ip -n "$CNS" -j link show | jq length)" = 1 ]
	[ "$(jq -r '.records[].cni.container' <(state_doc))" = c1 ]
	run cni DEL c1 eth0 "" "$(conf)"
	assert_success
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}

@test "the configuration's \"state\" names the store, over CNET_STATE: every call of a runtime carries it" {
	local other=$BATS_TEST_TMPDIR/other/state.json c
	c=$(conf 1.1.0 ".state=\"$other\"")
	run cni ADD c1 eth0 "$(ns "$CNS")" "$c"
	assert_success
	[ "$(jq -r '.records[0].cni.container' <(state_doc "$other"))" = c1 ]
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
	# a DEL without it would find nothing; with it, the record and the link go
	run cni DEL c1 eth0 "" "$c"
	assert_success
	[ "$(jq '.records | length' <(state_doc "$other"))" = 0 ]
	run ip -n "$CNS" link show eth0
	assert_failure
	run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf 1.1.0 '.state="relative/state.json"')"
	[ "$(jq -r .code <<<"$output")" = 7 ]
}

@test "ADD with the bandwidth capability: the limits on the interface, read back by tc; DEL removes the ifb" {
	run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf 1.1.0 '.runtimeConfig.bandwidth = {"ingressRate": 30000000,
		"ingressBurst": 524288, "egressRate": 20000000, "egressBurst": 400000}')"
	assert_success
	[ "$(tc -n "$CNS" -j qdisc show dev eth0 | jq -r '.[] | select(.kind == "tbf") | .options.rate')" = 2500000 ]
	ifb=$(tc -n "$CNS" -j filter show dev eth0 ingress | jq -r '[.[] | .options.actions[]? | .to_dev] | first')
	[ "$(tc -n "$CNS" -j qdisc show dev "$ifb" | jq -r '.[] | select(.kind == "tbf") | .options.rate')" = 3750000 ]
	run cni DEL c1 eth0 "$(ns "$CNS")" "$(conf 1.1.0)"
	assert_success
	[ "$(ip -n "$CNS" -j link show | jq length)" = 1 ]
}

# Each kind's keys, refused before anything is touched: one line per case,
# "CODE KEY JQ-FILTER" over the macvlan configuration; the message names KEY.
@test "every kind's keys: bad values refused with their code and key named, nothing made" {
	local code k filter n=0
	while read -r code k filter; do
		[ -n "$code" ] || continue
		run cni ADD c1 eth0 "$(ns "$CNS")" "$(conf 1.1.0 "$filter")"
		[ "$status" = 1 ] || fail "accepted: $filter"
		[ "$(jq -r .code <<<"$output")" = "$code" ] || fail "$filter: $output"
		[[ "$(jq -r .msg <<<"$output")" == *"\"$k\""* ]] || fail "$filter: the message does not name \"$k\": $output"
		n=$((n + 1))
	done <<-'EOF2'
		7 master del(.master)
		7 mtu .mtu=70000
		7 mtu .mtu="big"
		7 mac .mac="zz:00:00:00:00:01"
		7 hostname .hostname="-bad"
		7 addresses .ipam.addresses=[{"address":"10.18.0.2"}]
		7 routes .ipam.routes=[{"gw":"10.18.0.1"}]
		7 routes .ipam.routes=[{"dst":"::/0"}]
		7 ips .runtimeConfig.ips=[1]
		7 master .kind="ipvlan" | del(.master)
		7 mode .kind="ipvlan" | .mode="bridge"
		7 flags .kind="ipvlan" | del(.mode) | .flags="both"
		7 mac .kind="ipvlan" | .mode="l3" | .mac="02:00:00:00:00:01"
		7 vxlan .vxlan=5
		7 vxlan del(.master) | .vxlan={"vni":100}
		7 vxlan.vni del(.master) | .vxlan={"vni":0,"dev":"up0","remotes":["10.0.0.2"]}
		7 vxlan.remotes del(.master) | .vxlan={"vni":1,"dev":"up0","remotes":["224.0.0.1"]}
		7 hostAccess .hostAccess="yes"
		7 bandwidth .runtimeConfig.bandwidth=5
		7 egressRate .runtimeConfig.bandwidth={"egressRate":"fast"}
		7 ingressRate .ingressRate=100
		7 ingressRate .runtimeConfig.bandwidth={"ingressRate":100000,"ingressBurst":80}
		7 vlanId .kind="vlan" | del(.vlanId)
		7 vlanId .kind="vlan" | .vlanId=4095
		7 vlanId .kind="vlan" | .vlanId="x"
		2 isGateway .kind="veth" | .bridge="b0" | .isGateway=true
		2 ipMasq .kind="veth" | .bridge="b0" | .ipMasq=true
		2 vlan .kind="veth" | .bridge="b0" | .vlan=10
		7 device .kind="host-device" | del(.master)
		7 deviceID .kind="host-device" | .deviceID="0000:zz:00.0"
		7 deviceID .kind="sriov" | del(.master)
		7 spoofchk .kind="sriov" | .pf="up0" | .spoofchk="yes"
		7 trust .kind="sriov" | .pf="up0" | .trust=true
		7 vlanQoS .kind="sriov" | .pf="up0" | .vlanQoS=3
		7 vlan .kind="sriov" | .pf="up0" | .vlan=5000
		7 link_state .kind="sriov" | .pf="up0" | .link_state="sometimes"
		7 deviceID .kind="sriov" | .deviceID="nonsense"
		7 failOverMac .kind="bond" | .mode="active-backup" | .failOverMac=3
		7 links .kind="bond" | .mode="active-backup" | .links=[{"nom":"x"}]
		7 mode .kind="bond" | .mode="nonsense" | .links=[{"name":"x"}]
		7 miimon .kind="bond" | .mode="active-backup" | .miimon=[1]
		7 links .kind="bond" | .mode="active-backup"
		7 state .state=7
		7 ipam .ipam={"addresses":[]}
		2 kind .kind="pair"
		2 kind .kind="pair" | .peer="c2"
	EOF2
	[ "$n" = 46 ]
	[ "$(ip -n "$CNS" -j link show | jq length)" = 1 ]
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}
