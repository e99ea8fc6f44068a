#!/usr/bin/env bats
# A real Docker (Debian's docker.io) in the guest: dockerd cannot run on the
# host machines, so it runs here, on a tmpfs, with no iptables and no
# bridge. cnet finds the container through dockerd's API socket, the way it
# would on a server. The image is a busybox-static rootfs imported as a
# tarball, so nothing is downloaded.

load ../vm_helper
load ../../cli/test_helper

DOCK=/run/cnet-docker

dockerd_start() {
	dockerd --host "unix://$DOCK/docker.sock" --iptables=false --ip6tables=false \
		--bridge=none --storage-driver=overlay2 --exec-root $DOCK/exec \
		--pidfile $DOCK/dockerd.pid >>$DOCK/dockerd.log 2>&1 3>&- &
	retry 600 0.1 docker -H "unix://$DOCK/docker.sock" version >/dev/null 2>&1
}

setup_file() {
	[ -n "${CNET_VM_SHARE:-}" ] || return 0
	command -v dockerd >/dev/null || return 0 # setup fails each test (apt-get install docker.io)
	mkdir -p $DOCK/rootfs/bin /var/lib/docker /sys/fs/cgroup
	mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup
	mount -t tmpfs tmpfs /var/lib/docker
	cp /bin/busybox $DOCK/rootfs/bin/
	ln -s busybox $DOCK/rootfs/bin/sleep
	dockerd_start || return 0
	tar -C $DOCK/rootfs -c . | docker -H "unix://$DOCK/docker.sock" import - cnet-test-busybox >/dev/null
}

teardown_file() {
	[ -e $DOCK/dockerd.pid ] || return 0
	docker -H "unix://$DOCK/docker.sock" rm -f cnet-dk >/dev/null 2>&1 || true
	kill "$(cat $DOCK/dockerd.pid)" 2>/dev/null || true
}

setup() {
	in_vm
	command -v dockerd >/dev/null || fail "no dockerd (apt-get install docker.io)"
	docker -H "unix://$DOCK/docker.sock" version >/dev/null 2>&1 ||
		fail "dockerd did not start: $(tail -5 $DOCK/dockerd.log)"
	setup_host
	export CNET_DOCKER_SOCK=$DOCK/docker.sock CNET_PODMAN_SOCK=$DOCK/no-podman.sock
}

teardown() {
	[ -z "${WATCH_PID:-}" ] || kill "$WATCH_PID" 2>/dev/null || true
	dk rm -f cnet-dk >/dev/null 2>&1 || true
	teardown_host
}

dk() { docker -H "unix://$DOCK/docker.sock" "$@"; }
cpid() { dk inspect -f '{{.State.Pid}}' cnet-dk; }
cip() { nsenter -t "$(cpid)" -n ip "$@"; }

@test "docker: attach to a real container by name, restart -t 0, reapply restores it" {
	dk run -d --name cnet-dk --network none cnet-test-busybox /bin/sleep 600 >/dev/null
	hostip addr add 10.99.0.1/24 dev up0p
	run -0 cnet attach docker:cnet-dk macvlan --parent up0 --ip 10.99.0.2/24 \
		--gw 10.99.0.1 --mac 02:00:00:99:00:02
	[ "$(cip -d -j link show eth1 | jq -r '.[0].linkinfo.info_kind')" = macvlan ]
	retry 10 0.2 nsenter -t "$(cpid)" -n ping -c 1 -W 1 10.99.0.1 >/dev/null
	old_pid=$(cpid)

	dk restart -t 0 cnet-dk >/dev/null
	[ "$(cpid)" != "$old_pid" ]
	run -1 cip link show eth1

	run -0 cnet reapply
	assert_output "repaired: macvlan eth1 in docker:cnet-dk: container restarted"
	link=$(cip -d -j link show eth1 | jq '.[0]')
	[ "$(jq -r .linkinfo.info_kind <<<"$link")" = macvlan ]
	[ "$(jq -r .address <<<"$link")" = 02:00:00:99:00:02 ]
	[ "$(cip -j route show default | jq -r '.[0].gateway')" = 10.99.0.1 ]
	retry 10 0.2 nsenter -t "$(cpid)" -n ping -c 1 -W 1 10.99.0.1 >/dev/null
	run -0 cnet reapply
	assert_output "ok: macvlan eth1 in docker:cnet-dk"

	# a bare name finds the same container
	run -0 cnet detach cnet-dk
	run -1 cip link show eth1
}

has_addr() { cip -o addr show eth1 2>/dev/null | grep -q " $1 "; }
connected_twice() { [ "$(grep -c '"event":"connected"' "$OUT")" -ge 2 ]; }

@test "docker watch: restart -t 0 brought back at once without a reapply; dockerd restarted under it" {
	dk run -d --name cnet-dk --network none cnet-test-busybox /bin/sleep 600 >/dev/null
	run -0 cnet attach docker:cnet-dk macvlan --parent up0 --ip 10.99.5.2/24
	OUT=$BATS_TEST_TMPDIR/watch.out
	ip netns exec "$HOSTNS" "$CNET_BIN" watch --engine docker --json >"$OUT" 2>&1 &
	WATCH_PID=$!
	retry 250 0.02 grep -q '"event":"connected"' "$OUT" || fail "not connected: $(cat "$OUT")"
	dk restart -t 0 cnet-dk >/dev/null
	retry 250 0.02 has_addr 10.99.5.2/24 || fail "not back: $(cip -o addr)"
	# dockerd goes (its containers with it) and comes back: the watch
	# opens the stream again, and the container's next start is caught
	kill "$(cat $DOCK/dockerd.pid)"
	retry 300 0.1 grep -q '"event":"disconnected"' "$OUT" || fail "no disconnection: $(cat "$OUT")"
	dockerd_start || fail "dockerd did not start again: $(tail -5 $DOCK/dockerd.log)"
	retry 250 0.04 connected_twice || fail "not again: $(cat "$OUT")"
	dk start cnet-dk >/dev/null
	retry 250 0.02 has_addr 10.99.5.2/24 ||
		fail "not back after dockerd's restart: $(cip -o addr; cat "$OUT"; tail -20 $DOCK/dockerd.log)"
}

@test "docker: pipework lines on a real container: IF@VID a macvlan on IF.VID, --direct-phys IF@VID that VLAN itself; detach removes IF.VID" {
	dk run -d --name cnet-dk --network none cnet-test-busybox /bin/sleep 600 >/dev/null
	hostip link add link up0p name up0p.100 type vlan id 100
	hostip addr add 10.98.0.1/24 dev up0p.100
	hostip link set up0p.100 up
	run -0 cnet pipework up0 cnet-dk 10.98.0.2/24 @100
	vlan=$(hostip -d -j link show up0.100 | jq '.[0]')
	[ "$(jq -r .linkinfo.info_kind <<<"$vlan")" = vlan ]
	[ "$(jq -r .linkinfo.info_data.id <<<"$vlan")" = 100 ]
	link=$(cip -d -j link show eth1 | jq '.[0]')
	[ "$(jq -r .linkinfo.info_kind <<<"$link")" = macvlan ]
	[ "$(jq -r .linkinfo.info_data.mode <<<"$link")" = bridge ]
	[ "$(jq -r .link_index <<<"$link")" = "$(jq -r .ifindex <<<"$vlan")" ]
	retry 10 0.2 nsenter -t "$(cpid)" -n ping -c 1 -W 1 10.98.0.1 >/dev/null
	# the same line again changes nothing
	run -0 cnet pipework up0 cnet-dk 10.98.0.2/24 @100
	[ "$(cip -d -j link show eth1 | jq -r '.[0].ifindex')" = "$(jq -r .ifindex <<<"$link")" ]

	run -0 cnet pipework --direct-phys up0 -i eth2 cnet-dk 10.98.2.2/24 @200
	link=$(cip -d -j link show eth2 | jq '.[0]')
	[ "$(jq -r .linkinfo.info_kind <<<"$link")" = vlan ]
	[ "$(jq -r .linkinfo.info_data.id <<<"$link")" = 200 ]
	run -1 hostip link show up0.200

	run -0 cnet detach container:cnet-dk
	run -1 cip link show eth1
	run -1 cip link show eth2
	run -1 hostip link show up0.100
}
