#!/usr/bin/env bats
# bats file_tags=netns,podman
# A real Podman (Debian's 4.3, runc, storage in this file's temporary
# directory) with its API service on a socket of our own: cnet finds the
# container through that API, the way it would on a server (podman_conf in
# test_helper.bash: no download).

load test_helper

setup_file() {
	podman_usable || return 0
	podman_conf cnet-test-busybox
	podman_service_start
}

teardown_file() {
	podman_service_stop
}

setup() {
	podman_setup
	NAME=cnet-pm-$(ns_prefix)
}

teardown() {
	podman rm -f -t 0 "$NAME" >/dev/null 2>&1 || true
	teardown_host
}

run_container() {
	podman run -d --name "$NAME" --network none cnet-test-busybox /bin/sleep 600 >/dev/null
}

cpid() { podman inspect -f '{{.State.Pid}}' "$NAME"; }

# ip inside the container's namespace, found from the kernel (its PID).
cip() { nsenter -t "$(cpid)" -n ip "$@"; }

cping() { # ADDR
	local i
	for i in 1 2 3 4 5; do
		nsenter -t "$(cpid)" -n ping -c 1 -W 1 "$1" >/dev/null 2>&1 && return 0
	done
	return 1
}

@test "podman: attach to a real container by name, restart -t 0, reapply restores it" {
	run_container
	hostip addr add 10.98.0.1/24 dev up0p
	run -0 cnet attach "podman:$NAME" macvlan --parent up0 --ip 10.98.0.2/24 \
		--gw 10.98.0.1 --mac 02:00:00:98:00:02
	old_pid=$(cpid)
	[ "$(cip -d -j link show eth1 | jq -r '.[0].linkinfo.info_kind')" = macvlan ]
	[ "$(cip -j route show default | jq -r '.[0].gateway')" = 10.98.0.1 ]
	cping 10.98.0.1

	podman restart -t 0 "$NAME" >/dev/null
	# (a new process in a new namespace; namespace inodes are reused, so
	# only the missing link tells the namespaces apart)
	[ "$(cpid)" != "$old_pid" ]
	run -1 cip link show eth1

	run -0 cnet reapply
	assert_output "repaired: macvlan eth1 in podman:$NAME: container restarted"
	link=$(cip -d -j link show eth1 | jq '.[0]')
	[ "$(jq -r .linkinfo.info_kind <<<"$link")" = macvlan ]
	[ "$(jq -r .address <<<"$link")" = 02:00:00:98:00:02 ]
	run -0 cip -j addr show eth1
	[ "$(jq -r '.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"' <<<"$output")" = 10.98.0.2/24 ]
	[ "$(cip -j route show default | jq -r '.[0].gateway')" = 10.98.0.1 ]
	cping 10.98.0.1

	# nothing left to do: the same link stays (same ifindex), and reapply says so
	ifindex=$(jq -r .ifindex <<<"$link")
	run -0 cnet reapply --json
	[ "$(jq -r '.records[0].status' <<<"$output")" = ok ]
	[ "$(cip -j link show eth1 | jq -r '.[0].ifindex')" = "$ifindex" ]

	run -0 cnet detach "podman:$NAME" --ifname eth1
	run -1 cip link show eth1
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}

@test "podman: a bare name is found through Podman when Docker does not answer" {
	run_container
	run -0 cnet attach "$NAME" macvlan --parent up0 --ip 10.98.1.2/24
	[ "$(cip -d -j link show eth1 | jq -r '.[0].linkinfo.info_kind')" = macvlan ]
	run -0 cip -j addr show eth1
	[[ "$output" == *10.98.1.2* ]]
}

@test "podman: a stopped container is skipped by reapply (exit 0) and refused by attach (exit 3)" {
	run_container
	run -0 cnet attach "podman:$NAME" macvlan --parent up0 --ip 10.98.2.2/24
	podman stop -t 0 "$NAME" >/dev/null
	run -0 cnet reapply
	assert_output "stopped: macvlan eth1 in podman:$NAME: target not running"
	run -3 --separate-stderr cnet attach "podman:$NAME" macvlan --parent up0 --ifname eth2
	[ "$stderr" = "cnet: podman container '$NAME' is not running" ]
	# started again, reapply brings the interface back
	podman start "$NAME" >/dev/null
	run -0 cnet reapply
	assert_output "repaired: macvlan eth1 in podman:$NAME: container restarted"
	run -0 cip -j addr show eth1
	[[ "$output" == *10.98.2.2* ]]
	# removed: gc gives back what it lent and drops the record
	podman rm -f -t 0 "$NAME" >/dev/null
	run -0 cnet gc --yes
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}
