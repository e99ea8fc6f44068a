#!/usr/bin/env bats
# bats file_tags=netns,podman,cni
# Real runtimes driving cnet as a CNI plugin: Podman 4.3 with its CNI
# backend, and containerd 1.6 through `ctr run --cni`, each with its state,
# storage and configuration in this file's temporary directory. What they
# made is read from the kernel (the container's namespace, found by its
# PID), from host-local's files and from the state store's files; traffic
# goes between the container and a namespace of the test's own.
#
# Podman keeps its CNI cache in /var/lib/cni and its netns mounts in its
# mount namespace, and ctr reads only /etc/cni/net.d and /opt/cni/bin:
# each scenario runs in one `unshare -m` with those paths replaced.

load test_helper

podman_env() {
	PM=$BATS_FILE_TMPDIR/podman
	export CONTAINERS_CONF=$PM/containers.conf
	export CONTAINERS_STORAGE_CONF=$PM/storage.conf
}

setup_file() {
	[ "$(id -u)" = 0 ] || return 0
	command -v podman >/dev/null && command -v runc >/dev/null && [ -x /bin/busybox ] ||
		return 0 # each test's setup then fails
	podman_env
	mkdir -p "$PM/net.d" "$PM/bin"
	# the plugin under the name a configuration's "type" gives, beside
	# Debian's plugins (host-local, the IPAM the tests delegate to)
	# what each call the runtime made carried, logged, then the plugin
	cat >"$PM/bin/cnet" <<-EOF
		#!/bin/sh
		echo "\$CNI_COMMAND \$CNI_CONTAINERID \$CNI_NETNS state=\${CNET_STATE:-} conf=\${CONTAINERS_CONF:-}" >>"$PM/calls.log"
		exec "${CNET_CNI_BIN:-$TOP/build/cnet-cni}"
	EOF
	chmod +x "$PM/bin/cnet"
	ln -s /usr/lib/cni/host-local "$PM/bin/host-local"
	podman_conf cnet-cni-busybox "[network]
network_backend = \"cni\"
network_config_dir = \"$PM/net.d\"
cni_plugin_dirs = [\"$PM/bin\"]"
}

teardown_file() {
	[ -n "${PM:-}" ] || podman_env
	[ -d "$PM/storage" ] || return 0
	unshare -m --propagation private bash -c 'mkdir -p /var/lib/cni; mount -t tmpfs t /var/lib/cni;
		podman rm -a -f -t 0; podman rmi -a -f' >/dev/null 2>&1 || true
}

setup() {
	setup_host
	command -v podman >/dev/null || need "podman (apt-get install podman runc)"
	[ -x "${CNET_CNI_BIN:-$TOP/build/cnet-cni}" ] || fail "no plugin (make)"
	podman_env
	# the macvlans' parent, in the host namespace where runtimes run
	# plugins; its peer in CNS, the far end of the container's traffic
	UP=${P}a
	ip link add "$UP" type veth peer name pp netns "$CNS"
	ip link set "$UP" up
	ip -n "$CNS" addr add 10.61.0.1/24 dev pp
	ip -n "$CNS" link set pp up
	HL=$BATS_TEST_TMPDIR/hl
	NAME=cnet-cni-$(ns_prefix)
}

teardown() {
	ip link del "$UP" 2>/dev/null || true
	teardown_host
}

# The network "cnettest": a cnet macvlan on UP, host-local addresses, the
# test's own store named in the configuration: Podman runs the DEL after a
# container exits from conmon, without the environment it was given.
write_net() { # DIR
	cat >"$1/cnettest.conflist" <<-EOF
		{"cniVersion": "1.0.0", "name": "cnettest",
		 "plugins": [{"type": "cnet", "kind": "macvlan", "master": "$UP", "mode": "bridge",
		   "state": "$CNET_STATE",
		   "capabilities": {"mac": true, "ips": true},
		   "ipam": {"type": "host-local", "dataDir": "$HL",
		            "ranges": [[{"subnet": "10.61.0.0/24", "gateway": "10.61.0.1",
		                         "rangeStart": "10.61.0.10", "rangeEnd": "10.61.0.20"}]],
		            "routes": [{"dst": "0.0.0.0/0"}]}}]}
	EOF
}

# In the scenario's mount namespace: the container's PID, and its view.
in_pm() { unshare -m --propagation private bash -c "mkdir -p /var/lib/cni; mount -t tmpfs t /var/lib/cni; $1"; }

@test "podman: run gets the interface and an address, traffic flows, restart restores it, rm removes it and the record" {
	write_net "$PM/net.d"
	# one mount namespace for the whole life of the container; the
	# kernel's view written out at each stage, asserted below
	run in_pm "
		set -e
		v() { nsenter -t \$(podman inspect -f '{{.State.Pid}}' $NAME) -n ip -d -j addr show eth0 >$BATS_TEST_TMPDIR/\$1; }
		podman run -d --name $NAME --network cnettest cnet-cni-busybox sleep 600 >/dev/null
		v run
		ip netns exec $CNS ping -c 1 -W 2 \$(jq -r '.[0].addr_info[] | select(.family==\"inet\") | .local' $BATS_TEST_TMPDIR/run) >/dev/null
		podman inspect -f '{{.State.Pid}}' $NAME >$BATS_TEST_TMPDIR/pid1
		podman restart -t 0 $NAME >/dev/null
		v restart
		podman inspect -f '{{.State.Pid}}' $NAME >$BATS_TEST_TMPDIR/pid2
		cp $CNET_STATE.journal $BATS_TEST_TMPDIR/running.journal 2>/dev/null || true
		podman rm -f -t 0 $NAME >/dev/null
		podman run -d --name $NAME --network cnettest --mac-address 02:00:00:61:00:05 --ip 10.61.0.15 cnet-cni-busybox sleep 600 >/dev/null
		v asked
		podman rm -f -t 0 $NAME >/dev/null
	"
	assert_success
	local f
	for f in run restart; do
		[ "$(jq -r '.[0].linkinfo.info_kind' "$BATS_TEST_TMPDIR/$f")" = macvlan ]
		[[ "$(jq -r '.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"' "$BATS_TEST_TMPDIR/$f")" == 10.61.0.1[0-9]/24 ]]
	done
	[ "$(cat "$BATS_TEST_TMPDIR/pid1")" != "$(cat "$BATS_TEST_TMPDIR/pid2")" ]
	[ "$(jq -r '.[0].address' "$BATS_TEST_TMPDIR/asked")" = 02:00:00:61:00:05 ]
	[ "$(jq -r '.[0].addr_info[] | select(.family=="inet") | "\(.local)/\(.prefixlen)"' "$BATS_TEST_TMPDIR/asked")" = 10.61.0.15/24 ]
	# the records were the runtime's, keyed by its container ID; all gone
	grep -q '"cni":{"network":"cnettest","container":"[0-9a-f]\{64\}"}' "$BATS_TEST_TMPDIR/running.journal"
	state_doc >&2
	cat "$PM/calls.log" >&2
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
	# host-local gave every address back on DEL
	[ -z "$(ls "$HL/cnettest" | grep -v -e lock -e last_reserved)" ]
	# and nothing of it is left on the host side
	[ "$(ip -j link show | jq --arg up "$UP" '[.[] | select(.link == $up)] | length')" = 0 ]
}

@test "containerd: ctr run --cni: ADD with a /proc/PID/ns/net path, DEL with no namespace" {
	command -v containerd >/dev/null && command -v ctr >/dev/null || need "containerd (apt-get install containerd)"
	local C=$BATS_TEST_TMPDIR/ctd
	mkdir -p "$C/net.d" "$C/bin" "$C/root" "$C/state" "$C/rootfs/bin"
	cp /bin/busybox "$C/rootfs/bin/"
	for l in sleep sh; do ln -s busybox "$C/rootfs/bin/$l"; done
	ln -s "${CNET_CNI_BIN:-$TOP/build/cnet-cni}" "$C/bin/cnet"
	ln -s /usr/lib/cni/host-local "$C/bin/host-local"
	write_net "$C/net.d"
	cat >"$C/config.toml" <<-EOF
		version = 2
		root = "$C/root"
		state = "$C/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$C/ctd.sock"
		[ttrpc]
		  address = "$C/ctd.ttrpc"
		[debug]
		  address = ""
		[metrics]
		  address = ""
	EOF
	run in_pm "
		set -e
		mkdir -p /etc/cni/net.d /opt/cni/bin /run/containerd
		mount --bind $C/net.d /etc/cni/net.d
		mount --bind $C/bin /opt/cni/bin
		mount -t tmpfs t /run/containerd
		containerd --config $C/config.toml >$C/containerd.log 2>&1 &
		d=\$!
		trap 'kill \$d; wait \$d' EXIT
		for i in \$(seq 100); do [ -S $C/ctd.sock ] && break; sleep 0.05; done
		ctr -a $C/ctd.sock -n cnettest run --rm --cni --rootfs $C/rootfs $NAME /bin/sleep 3 &
		t=\$!
		for i in \$(seq 100); do
			pid=\$(ctr -a $C/ctd.sock -n cnettest task ls 2>/dev/null | awk -v n=$NAME '\$1 == n {print \$2}')
			[ -n \"\$pid\" ] && [ \"\$pid\" != 0 ] && break; sleep 0.05
		done
		for i in \$(seq 50); do nsenter -t \$pid -n ip link show eth0 >/dev/null 2>&1 && break; sleep 0.1; done
		nsenter -t \$pid -n ip -d -j addr show eth0 >$BATS_TEST_TMPDIR/ctr
		cp $CNET_STATE.journal $BATS_TEST_TMPDIR/ctr.journal
		ip netns exec $CNS ping -c 1 -W 2 \$(jq -r '.[0].addr_info[] | select(.family==\"inet\") | .local' $BATS_TEST_TMPDIR/ctr) >/dev/null
		wait \$t
	"
	assert_success
	[ "$(jq -r '.[0].linkinfo.info_kind' "$BATS_TEST_TMPDIR/ctr")" = macvlan ]
	# recorded with the namespace path containerd gave: /proc/PID/ns/net
	grep -q '"target":"/proc/[0-9]*/ns/net"' "$BATS_TEST_TMPDIR/ctr.journal"
	grep -q '"cni":{"network":"cnettest","container":"cnettest-'"$NAME"'"}' "$BATS_TEST_TMPDIR/ctr.journal"
	# --rm: DEL after the task exited, CNI_NETNS empty; all gone
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
	[ -z "$(ls "$HL/cnettest" | grep -v -e lock -e last_reserved)" ]
}
