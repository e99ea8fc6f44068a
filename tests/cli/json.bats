#!/usr/bin/env bats
# --json: exactly one JSON object on stdout, on one line, whatever happens.
# Golden files in golden/ pin the shape; volatile values (namespace names,
# the state path, record ids, ifindexes, MACs cnet chose, netns dev/ino,
# times) are normalised first. UPDATE_GOLDEN=1 rewrites them: review the
# diff before committing it.

load test_helper

setup() { setup_host; }
teardown() {
	if [ -n "${SLEEPER:-}" ]; then
		kill "$SLEEPER" 2>/dev/null || true
		wait "$SLEEPER" 2>/dev/null || true
	fi
	teardown_host
}

GOLDEN=$BATS_TEST_DIRNAME/golden

ERROR_KEYS='["actions","changed","command","dry_run","error","ok","records","schema","warnings"]'
OK_KEYS='["actions","changed","command","dry_run","error","ok","records","schema","warnings"]'

# $output (stdout of run --separate-stderr) is exactly one JSON object on
# one line.
assert_one_object() {
	assert_equal "${#lines[@]}" 1
	assert_equal "$(jq -s 'length' <<<"$output")" 1
	assert_equal "$(jq -r 'type' <<<"$output")" object
	assert_equal "$(jq -c '.schema' <<<"$output")" 1
}

# A failure reported as JSON agrees with the exit status and the stderr line.
assert_json_error() { # EXIT-STATUS COMMAND
	assert_one_object
	assert_equal "$(jq -c 'keys' <<<"$output")" "$ERROR_KEYS"
	assert_equal "$(jq -c '[.ok, .changed, .records]' <<<"$output")" '[false,false,[]]'
	assert_equal "$(jq -r '.command' <<<"$output")" "$2"
	assert_equal "$(jq -r '.error.exit_code' <<<"$output")" "$1"
	assert_equal "$status" "$1"
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "cnet: "* ]] || fail "stderr does not start with 'cnet: ': $stderr"
	assert_equal "$(jq -r '.error.message' <<<"$output")" "${stderr#cnet: }"
}

assert_json_ok() {
	assert_one_object
	assert_equal "$(jq -c 'keys' <<<"$output")" "$OK_KEYS"
	assert_equal "$(jq -c '[.ok, .error]' <<<"$output")" '[true,null]'
}

# Replace what differs between runs by fixed words, drop what is random.
normalise() {
	jq --arg st "$CNET_STATE" --arg ns "$CNS" '
		walk(if type == "string" then (split($st) | join("STATE") | split($ns) | join("NS")) else . end)
		| del(.records[]?.id, .records[]?.netns.dev, .records[]?.netns.ino, .records[]?.netns.cookie, .records[]?.created,
		      .records[]?.link.ifindex, .records[]?.link.mac, .records[]?.host.vlan_dev_ifindex,
		      .records[]?.host.vxlan_dev_ifindex, .records[]?.host.shim_ifindex)'
}

assert_golden() { # NAME  (compares normalised $output)
	local want=$GOLDEN/$1.json got
	got=$(normalise <<<"$output")
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		mkdir -p "$GOLDEN"
		printf '%s\n' "$got" >"$want"
	fi
	[ -f "$want" ] || fail "no golden file $want (UPDATE_GOLDEN=1 creates it)"
	diff -u "$want" <(printf '%s\n' "$got") || fail "output differs from $want"
}

ifindex_of() { # NS IFNAME
	ip -n "$1" -j link show dev "$2" | jq -r '.[0].ifindex'
}

# ---- golden shapes ---------------------------------------------------------

@test "a dry run of a macvlan attach prints the golden object" {
	run -0 --separate-stderr cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.0.0.2/24 \
		--gw 10.0.0.1 --mtu 1400 --mac 02:00:00:00:00:42 --dry-run --json
	assert_equal "$stderr" ""
	assert_json_ok
	assert_golden attach-dry-run-macvlan
}

@test "a usage error prints the golden object" {
	run -2 --separate-stderr cnet attach "netns:$CNS" macvlan --par up0 --json
	assert_json_error 2 attach
	assert_golden attach-usage-error
}

@test "a missing parent prints the golden object" {
	run -5 --separate-stderr cnet attach "netns:$CNS" macvlan --parent nope0 --ip 10.0.0.2/24 --json
	assert_json_error 5 attach
	assert_golden attach-parent-missing
}

@test "a macvlan attach prints the golden object and its record matches the kernel" {
	run -0 --separate-stderr cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.0.0.2/24 \
		--gw 10.0.0.1 --mtu 1400 --json
	assert_equal "$stderr" ""
	assert_json_ok
	assert_golden attach-macvlan
	link=$(link_json "$CNS" eth1)
	assert_equal "$(jq -r '.records[0].link.ifindex' <<<"$output")" "$(jq -r .ifindex <<<"$link")"
	assert_equal "$(jq -r '.records[0].link.mac' <<<"$output")" "$(jq -r .address <<<"$link")"
	assert_equal "$(jq -r .mtu <<<"$link")" 1400
	assert_equal "$(ip -n "$CNS" -j route show default | jq -c '[.[] | [.gateway, .dev]]')" '[["10.0.0.1","eth1"]]'
	assert_equal "$(jq -r '.records[0].id' <<<"$output" | grep -cE '^[0-9a-f]{8}$')" 1
	assert_equal "$(jq -r '.records[0].created' <<<"$output" | grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$')" 1
	ino=$(stat -L -c %i "/run/netns/$CNS")
	assert_equal "$(jq -r '.records[0].netns.ino' <<<"$output")" "$ino"
}

@test "a macvlan on a VXLAN segment with host access prints the golden object, matching the kernel" {
	hostip addr add 192.0.2.1/24 dev up0
	run -0 --separate-stderr cnet attach "netns:$CNS" macvlan --vxlan 4242 --vxlan-dev up0 \
		--vxlan-remote 192.0.2.2 --vxlan-remote 192.0.2.3 --ip 10.0.0.2/24 --host-access --json
	assert_equal "$stderr" ""
	assert_json_ok
	assert_golden attach-macvlan-vxlan
	assert_equal "$(jq -r '.records[0].host.vxlan_dev_ifindex' <<<"$output")" "$(ifindex_of "$HOSTNS" vx4242)"
	shim=$(jq -r '.records[0].host.shim' <<<"$output")
	assert_equal "$(jq -r '.records[0].host.shim_ifindex' <<<"$output")" "$(ifindex_of "$HOSTNS" "$shim")"
	assert_equal "$(hostip -j route show 10.0.0.2 | jq -r '.[0].dev')" "$shim"
}

@test "a detach prints the record it undid, and the kernel no longer has the link" {
	run -0 --separate-stderr cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.0.0.2/24 --json
	id=$(jq -r '.records[0].id' <<<"$output")
	run -0 --separate-stderr cnet detach "netns:$CNS" --json
	assert_json_ok
	assert_equal "$(jq -c '[.changed, .dry_run, (.records | length), .records[0].id]' <<<"$output")" "[true,false,1,\"$id\"]"
	run -1 ip -n "$CNS" link show eth1
}

# ns_inode_is PID INODE: process PID's network namespace is inode INODE.
ns_inode_is() { [ "$(stat -L -c %i "/proc/$1/ns/net" 2>/dev/null)" = "$2" ]; }

@test "a pid target's record names the pid and its start time" {
	ip netns exec "$CNS" sleep 300 </dev/null >/dev/null 2>&1 &
	SLEEPER=$!
	want=$(stat -L -c %i "/run/netns/$CNS")
	wait_until 30 ns_inode_is "$SLEEPER" "$want"
	# Never go on with the process still in the caller's namespace.
	assert_equal "$(stat -L -c %i "/proc/$SLEEPER/ns/net")" "$want"
	run -0 --separate-stderr cnet attach "pid:$SLEEPER" macvlan --parent up0 --json
	assert_json_ok
	start=$(sed 's/.*) //' "/proc/$SLEEPER/stat" | cut -d' ' -f20)
	assert_equal "$(jq -c '.records[0].netns | [.pid, .pid_start, .ino]' <<<"$output")" "[$SLEEPER,$start,$want]"
	assert_equal "$(jq -r '.records[0].link.ifindex' <<<"$output")" "$(ifindex_of "$CNS" eth1)"
}

# ---- every failure is one object that agrees with stderr and the status -------

@test "an unknown option with --json is one error object" {
	run -2 --separate-stderr cnet attach "netns:$CNS" macvlan --parent up0 --bogus --json
	assert_json_error 2 attach
}

@test "an invalid value with --json is one error object" {
	run -2 --separate-stderr cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.0.0.1/33 --json
	assert_json_error 2 attach
}

@test "--json before the command still gives one error object for an unknown command" {
	run -2 --separate-stderr cnet --json nope
	assert_json_error 2 cnet
}

@test "a missing target with --json is one error object" {
	run -3 --separate-stderr cnet attach netns:nope macvlan --parent up0 --json
	assert_json_error 3 attach
}

@test "a busy interface name with --json is one error object" {
	ip -n "$CNS" link add eth1 type veth peer name eth1p
	run -4 --separate-stderr cnet attach "netns:$CNS" macvlan --parent up0 --json
	assert_json_error 4 attach
}

@test "a corrupt state store with --json is one error object" {
	printf 'garbage' >"$CNET_STATE"
	run -6 --separate-stderr cnet attach "netns:$CNS" macvlan --parent up0 --json
	assert_json_error 6 attach
	assert_equal "$(cat "$CNET_STATE")" garbage
	[ ! -e "$CNET_STATE.journal" ]
}

@test "a detach of an unknown target with --json is one error object" {
	run -3 --separate-stderr cnet detach netns:nope --json
	assert_json_error 3 detach
}

@test "a usage error after --dry-run says dry_run true" {
	run -2 --separate-stderr cnet attach "netns:$CNS" macvlan --dry-run --parent up0 --mtu 1 --json
	assert_json_error 2 attach
	assert_equal "$(jq -c .dry_run <<<"$output")" true
}

# ---- idempotence and dry runs, read back from the kernel ----------------------

@test "the same attach twice changes once, and the kernel keeps one eth1 with the same ifindex" {
	run -0 --separate-stderr cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.0.0.2/24 --json
	assert_json_ok
	assert_equal "$(jq -c .changed <<<"$output")" true
	first=$(ifindex_of "$CNS" eth1)
	[ "$first" -gt 0 ]

	run -0 --separate-stderr cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.0.0.2/24 --json
	assert_json_ok
	assert_equal "$(jq -c '[.changed, (.records | length)]' <<<"$output")" '[false,1]'
	assert_equal "$(jq -r '.records[0].link.ifindex' <<<"$output")" "$first"

	assert_equal "$(ifindex_of "$CNS" eth1)" "$first"
	assert_equal "$(links_of "$CNS" | grep -c '^eth1 ')" 1
	assert_equal "$(links_of "$CNS" | grep -c ' macvlan ')" 1
	assert_equal "$(addrs_of "$CNS" eth1 | grep -v '^fe80')" "10.0.0.2/24"
}

@test "a dry run changes nothing in the kernel and creates no store, yet says changed" {
	before_h=$(links_of "$HOSTNS")
	before_c=$(links_of "$CNS")
	run -0 --separate-stderr cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.0.0.2/24 --dry-run --json
	assert_json_ok
	assert_equal "$(jq -c '[.changed, .dry_run, .records]' <<<"$output")" '[true,true,[]]'
	[ "$(jq '.actions | length' <<<"$output")" -gt 0 ]
	assert_equal "$(links_of "$HOSTNS")" "$before_h"
	assert_equal "$(links_of "$CNS")" "$before_c"
	assert_equal "$(ip -n "$CNS" -j addr show | jq '[.[].addr_info[]] | length')" 0
	[ ! -e "$CNET_STATE" ]
	[ ! -e "$CNET_STATE.journal" ]
}

@test "a dry run of an attach already done says unchanged" {
	run -0 --separate-stderr cnet attach "netns:$CNS" macvlan --parent up0 --json
	doc=$(state_doc)
	bytes=$(store_bytes)
	run -0 --separate-stderr cnet attach "netns:$CNS" macvlan --parent up0 --dry-run --json
	assert_json_ok
	assert_equal "$(jq -c '[.changed, .dry_run]' <<<"$output")" '[false,true]'
	assert_equal "$(state_doc)" "$doc"
	assert_equal "$(store_bytes)" "$bytes"
}

@test "a warning is in the JSON object and on stderr" {
	# The peer stays down: no carrier, so IPv6 DAD cannot run.
	hostip link add hd0 type veth peer name hd0p
	run -0 --separate-stderr cnet attach "netns:$CNS" host-device --dev hd0 --ip 2001:db8::2/64 --json
	assert_json_ok
	assert_equal "$(jq '.warnings | length' <<<"$output")" 1
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$stderr" "cnet: warning: $(jq -r '.warnings[0]' <<<"$output")"
	assert_equal "$(ip -n "$CNS" -j addr show dev eth1 | jq -r '.[0].addr_info[] | select(.scope == "global") | .local')" 2001:db8::2
}
