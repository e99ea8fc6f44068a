#!/usr/bin/env bats
# bats file_tags=netns
# kill -9 at every step of an attach (the test build's CNET_FAULT_NL=N:kill
# SIGKILLs cnet at its N-th netlink request, so every step is hit, not a
# random few). After each kill: the store parses; reapply converges (a
# second reapply finds everything ok); detach then leaves host, container
# and records exactly as they were before the attach.

load test_helper

setup() {
	setup_host
	[ -x "$CNET_FI_BIN" ] || fail "no fault-injection build at $CNET_FI_BIN (make build/fi/cnet)"
	container_with_default_route "$CNS"
}
teardown() { teardown_host; }

crash_walk() { WALK_MIN=3 fault_walk nl:kill "$CNS" "$@"; }

@test "a macvlan attach killed at any step is recovered by reapply, and detach leaves nothing" {
	crash_walk macvlan --parent up0 --ip 10.93.0.2/24 --gw 10.93.0.1 --no-dad
}

@test "a veth attach killed at any step is recovered, bridge and all" {
	crash_walk veth --bridge brc --create-bridge --ip 10.94.0.2/24
}

@test "a host-device attach killed at any step is recovered, and the device comes back as it was" {
	hostip link add hdc mtu 1400 address 02:00:00:00:0c:01 type veth peer name hdcp
	hostip link set hdcp up
	hostip link set hdc up
	crash_walk host-device --dev hdc --ifname lan0 --mtu 1300 --ip 10.95.0.2/24
}

# Kill detach at every step instead, attaching again before each: a
# second detach (no reapply) must finish the job. The detach that is not
# killed must leave things as they were before the attach, too.
detach_crash_walk() {
	local before WALK_EACH=(cnet attach "$CNS" "$@")
	before=$(world_snapshot)
	WALK_LABEL="detach of $1 (nl:kill)" WALK_MIN=2 WALK_REAPPLY=no \
		walk_steps nl:kill world_snapshot "$CNS" -- ip netns exec "$HOSTNS" "$CNET_FI_BIN" detach "$CNS"
	[ "$(world_snapshot)" = "$before" ] || fail "the unkilled detach left something"
}

@test "a detach killed at any step is finished by the next detach (veth with its bridge, --gw)" {
	detach_crash_walk veth --bridge brd --create-bridge --ip 10.99.1.2/24 --gw 10.99.1.1
}

@test "a detach of a moved device killed at any step is finished by the next detach" {
	hostip link add hdd mtu 1400 address 02:00:00:00:0d:0d type veth peer name hddp
	hostip link set hddp up
	hostip link set hdd up
	hostip addr add 192.168.79.1/24 dev hdd
	detach_crash_walk host-device --dev hdd --force --ifname lan0 --mtu 1300 --ip 10.99.2.2/24
}
