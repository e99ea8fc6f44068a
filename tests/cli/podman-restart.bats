#!/usr/bin/env bats
# bats file_tags=netns,podman
# Restarts with a real Podman (as podman.bats runs it): cnet watch on its
# API service's event stream, and cnet hook as its OCI hook (a hooks.d
# file in this suite's containers.conf). What came back is read from the
# kernel, or from what the container's own first command printed.

load test_helper

setup_file() {
	podman_usable || return 0
	mkdir -p "$PM/hooks.d"
	# the hooks.d file cnet installs, its command a wrapper (written by
	# each test) that runs cnet on the test's "host" namespace: runc runs
	# hooks with no PATH and only the hook's env
	jq --arg p "$PM/hook.sh" '.hook.path = $p' "$TOP/packaging/oci/cnet.json" >"$PM/hooks.d/cnet.json"
	podman_conf cnet-test-busybox "hooks_dir = [\"$PM/hooks.d\"]"
	podman_service_start
}

teardown_file() {
	podman_service_stop
}

setup() {
	podman_setup
	NAME=cnet-pr-$(ns_prefix)
	WATCH_PID=
	# the hook, as installed, but on this test's host namespace and store;
	# $PM/hook.off turns it off (tests of the watch alone)
	cat >"$PM/hook.sh" <<-EOF
		#!/bin/sh
		[ -e "$PM/hook.off" ] && exit 0
		CNET_STATE=$CNET_STATE exec /usr/bin/ip netns exec "$HOSTNS" "$CNET_BIN" hook 2>>"$PM/hook.log"
	EOF
	chmod +x "$PM/hook.sh"
	rm -f "$PM/hook.off"
}

teardown() {
	[ -z "$WATCH_PID" ] || kill "$WATCH_PID" 2>/dev/null || true
	podman rm -f -t 0 "$NAME" "$NAME-2" >/dev/null 2>&1 || true
	teardown_host
}

cpid() { podman inspect -f '{{.State.Pid}}' "${1:-$NAME}"; }

# wait_addr ADDR [NAME]: until eth1 in the container carries ADDR (kernel).
wait_addr() {
	wait_until 30 has_addr "$1" "${2:-$NAME}" ||
		fail "no $1 on eth1 in ${2:-$NAME}: $(nsenter -t "$(cpid "${2:-$NAME}")" -n ip -o addr 2>&1)"
}
# has_addr ADDR NAME: eth1 in container NAME carries ADDR.
has_addr() { nsenter -t "$(cpid "$2")" -n ip -o addr show eth1 2>/dev/null | grep -q " $1 "; }

watch_start() {
	OUT=$BATS_TEST_TMPDIR/watch.out
	ip netns exec "$HOSTNS" "$CNET_BIN" watch --engine podman --json >"$OUT" 2>&1 &
	WATCH_PID=$!
	wait_until 30 seen "${1:-1}" '"event":"connected"' || fail "the watch did not connect: $(cat "$OUT")"
}
# seen N TEXT: the watch's reports hold TEXT N times.
seen() { [ "$(grep -c -- "$2" "$OUT" 2>/dev/null)" -ge "$1" ]; }

@test "podman hook: after restart -t 0 the container's first command sees its eth1 address" {
	# the container prints its eth1 as its first act, then sleeps
	podman run -d --name "$NAME" --network none cnet-test-busybox \
		/bin/sh -c '/bin/busybox ip -o addr show eth1; exec /bin/sleep 600' >/dev/null
	run -0 cnet attach "podman:$NAME" macvlan --parent up0 --ip 10.98.20.2/24
	podman restart -t 0 "$NAME" >/dev/null
	run -0 podman logs "$NAME"
	# the first run had none (stderr); the second one saw it
	assert_output --regexp "eth1 +inet 10\.98\.20\.2/24"
	run -0 nsenter -t "$(cpid)" -n ip -o addr show eth1
	assert_output --partial "inet 10.98.20.2/24"
}

@test "podman watch: after restart -t 0 the interface is back without a reapply" {
	touch "$PM/hook.off"
	podman run -d --name "$NAME" --network none cnet-test-busybox /bin/sleep 600 >/dev/null
	run -0 cnet attach "podman:$NAME" macvlan --parent up0 --ip 10.98.21.2/24
	watch_start
	podman restart -t 0 "$NAME" >/dev/null
	wait_addr 10.98.21.2/24
}

@test "podman watch: the engine restarted under it; a container removed and another made with its name" {
	touch "$PM/hook.off"
	podman run -d --name "$NAME" --network none cnet-test-busybox /bin/sleep 600 >/dev/null
	podman run -d --name "$NAME-2" --network none cnet-test-busybox /bin/sleep 600 >/dev/null
	run -0 cnet attach "podman:$NAME" macvlan --parent up0 --ip 10.98.22.2/24
	run -0 cnet attach "podman:$NAME-2" macvlan --parent up0 --ip 10.98.22.3/24
	watch_start
	# the API service goes away; the container restarts meanwhile
	kill "$(cat "$PM/service.pid")"
	wait_until 30 seen 1 '"event":"disconnected"' || fail "the watch did not report the service gone: $(cat "$OUT")"
	podman restart -t 0 "$NAME" >/dev/null
	podman_service_start
	wait_addr 10.98.22.2/24
	# removed and made again under the same name: not the recorded one
	podman rm -f -t 0 "$NAME" >/dev/null
	podman run -d --name "$NAME" --network none cnet-test-busybox /bin/sleep 600 >/dev/null
	# a later restart's repair says the new one's start was handled
	podman restart -t 0 "$NAME-2" >/dev/null
	wait_addr 10.98.22.3/24 "$NAME-2"
	run -0 nsenter -t "$(cpid)" -n ip -o link show
	refute_output --partial eth1
}
