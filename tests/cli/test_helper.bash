# Shared by every bats suite. Each test gets its own "host" network namespace
# (HOSTNS) with an uplink veth pair up0/up0p, and runs cnet inside it, so a
# test never touches an interface it did not create. Container namespaces are
# named netns (CNS, CNS2, ...). Everything is deleted in teardown.
bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash
source "$(dirname "${BASH_SOURCE[0]}")/../fault_walk.bash"
# The state store read back without cnet: state_doc, state_edit, store_bytes.
source "$(dirname "${BASH_SOURCE[0]}")/../state_doc.bash"

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
CNET_BIN=${CNET_BIN:-$TOP/build/cnet}
CNET_FI_BIN=${CNET_FI_BIN:-$TOP/build/fi/cnet}

# A missing privilege or kernel feature fails under CI; a developer may skip.
need() {
	local why=$1
	if [ "${CI:-}" = true ]; then
		fail "required for this test: $why"
	fi
	skip "$why"
}

need_root() {
	[ "$(id -u)" = 0 ] || need "root (network namespaces)"
}

# Unique per test and per run, so parallel runs never collide.
ns_prefix() {
	echo "cnt${BATS_ROOT_PID:-$$}-${BATS_SUITE_TEST_NUMBER:-$BATS_TEST_NUMBER}"
}

setup_host() {
	need_root
	P=$(ns_prefix)
	HOSTNS=$P-h
	CNS=$P-c
	CNS2=$P-d
	CREATED_NS=("$HOSTNS" "$CNS" "$CNS2")
	ip netns add "$HOSTNS"
	ip netns add "$CNS"
	ip netns add "$CNS2"
	ip -n "$HOSTNS" link set lo up
	ip -n "$HOSTNS" link add up0 type veth peer name up0p
	ip -n "$HOSTNS" link set up0 up
	ip -n "$HOSTNS" link set up0p up
	export CNET_STATE=$BATS_TEST_TMPDIR/state.json
	export CNET_LOG=off # no terminal here: cnet would log to syslog (syslog.bats tests that)
}

teardown_host() {
	local ns
	for ns in "${CREATED_NS[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
}

# cnet as run on "the host" (HOSTNS).
cnet() {
	ip netns exec "$HOSTNS" "$CNET_BIN" "$@"
}

cnet_fi() {
	ip netns exec "$HOSTNS" "$CNET_FI_BIN" "$@"
}

hostip() {
	ip -n "$HOSTNS" "$@"
}

# JSON of one link in a namespace, read from the kernel.
link_json() { # NS IFNAME
	ip -n "$1" -d -j link show dev "$2" | jq '.[0]'
}

# Name, kind, MTU, MAC and admin state of every link in a namespace, sorted:
# a namespace's shape. (Admin state, not operstate, which lags behind.)
links_of() { # NS
	ip -n "$1" -d -j link show | jq -r '.[] | "\(.ifname) \(.linkinfo.info_kind // "-") \(.mtu) \(.address) \(.flags | index("UP") != null) \(.master // "-") \(.ifalias // "-")"' | sort
}

# Links (as links_of), global addresses and main-table routes of a
# namespace: one jq for the four listings (a fault walk reads every
# namespace of its world at each step, and jq's start-up is most of what
# a read costs). A listing ip cannot give (no such namespace) is empty.
ns_state() { # NS
	{
		ip -n "$1" -d -j link show
		ip -n "$1" -j addr show
		ip -n "$1" -4 -j route show
		ip -n "$1" -6 -j route show
	} | jq -rs '
		(.[0] // [] | map("\(.ifname) \(.linkinfo.info_kind // "-") \(.mtu) \(.address) \(.flags | index("UP") != null) \(.master // "-") \(.ifalias // "-")") | sort[]),
		(.[1] // [] | map(.ifname as $i | .addr_info[] | select(.scope != "link") | "\($i) \(.local)/\(.prefixlen)") | sort[]),
		((.[2] // []) + (.[3] // []) | map("\(.dst) \(.gateway // "-") \(.dev // "-") \(.metric // 0)") | sort[])'
}

addrs_of() { # NS IFNAME
	ip -n "$1" -j addr show dev "$2" | jq -r '.[0].addr_info[] | select(.scope != "link") | "\(.local)/\(.prefixlen)"' | sort
}

# Ping from namespace A to an address, retrying a bounded number of times
# (neighbour discovery may need a moment), instead of sleeping.
ping_from() { # NS ADDR
	local i
	for i in 1 2 3 4 5; do
		ip netns exec "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1 && return 0
	done
	return 1
}

# Namespace teardown is asynchronous in the kernel: wait (bounded) until a
# link is gone.
wait_link_gone() { # NS IFNAME
	wait_until 30 link_gone "$@"
}
link_gone() { # NS IFNAME
	! ip -n "$1" link show "$2" >/dev/null 2>&1
}

# A link's JSON on stdin is administratively up and has carrier: the flags
# the kernel sets synchronously (operstate follows later, from linkwatch).
is_up() {
	jq -e '(.flags | index("UP")) != null and (.flags | index("LOWER_UP")) != null' >/dev/null
}

# A container that already has a link and a default route of its own, so
# that --gw has one to replace and detach one to restore.
container_with_default_route() { # NS
	ip -n "$1" link add old0 type veth peer name old0p
	ip -n "$1" link set old0 up
	ip -n "$1" link set old0p up
	ip -n "$1" addr add 172.31.0.2/24 dev old0
	ip -n "$1" route add default via 172.31.0.1
}

# Host, container and the store's records (replayed: state_doc). The
# records, not the files: an attach writes its record pending before
# touching the kernel, so a failed one may leave an empty store where there
# was none.
world_snapshot() {
	ns_state "$HOSTNS"
	echo ---
	ns_state "$CNS"
	echo ---
	state_records
}

# fault_walk MODE NS ATTACH-ARGS...: walk_steps (tests/fault_walk.bash,
# which says what is checked after each step) over the test build's
# "cnet attach NS ATTACH-ARGS..." in the host namespace, for MODE nl, store,
# sysfs (each step fails) or nl:kill, ... (cnet is killed at each step).
# WORLD: host, container and store (world_snapshot), and the output of
# WORLD_EXTRA if set (a command whose output must not change either);
# TARGET: NS. The summary is named after the kind attached, e.g.
# "# macvlan (nl): 12 netlink requests, each rolled back". The walk's
# options (WALK_MIN, ...) pass through.
fault_walk() {
	local mode=$1 ns=$2
	shift 2
	WALK_LABEL=${WALK_LABEL:-"$1 ($mode)"} walk_steps "$mode" host_world "$ns" -- \
		ip netns exec "$HOSTNS" "$CNET_FI_BIN" attach "$ns" "$@"
}
host_world() { world_snapshot; [ -z "${WORLD_EXTRA:-}" ] || $WORLD_EXTRA; }

# tests/fake-engine, answering as Docker's API (or Podman's) on SOCK from
# DIR (made); its PID in FAKE_ENGINE_PID, for teardown to kill. ARGS:
# the engine's (hangup).
fake_engine() { # SOCK DIR [ARGS...]
	mkdir -p "$2"
	"$TOP/build/fake-engine" "$@" 3>&- &
	FAKE_ENGINE_PID=$!
	wait_until 30 test -S "$1" || fail "the fake engine on $1 did not start"
}

# DHCP suites: the uplink's far end up0p moves into a server namespace SRV
# at 10.99.0.1/24, where dnsmasq is to run.
setup_dhcp_server_ns() {
	command -v dnsmasq >/dev/null || need "dnsmasq (Debian package dnsmasq-base)"
	SRV=$P-s
	CREATED_NS+=("$SRV")
	ip netns add "$SRV"
	ip -n "$HOSTNS" link set up0p netns "$SRV"
	ip -n "$SRV" addr add 10.99.0.1/24 dev up0p
	ip -n "$SRV" link set up0p up
}

# The dnsmasq a suite started with --pid-file=$BATS_TEST_TMPDIR/dnsmasq.pid.
stop_server() {
	local f=$BATS_TEST_TMPDIR/dnsmasq.pid
	[ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
	rm -f "$f"
}

# The server's lease for a MAC: "expiry mac address hostname client-id".
lease_of() { # MAC
	grep -i " $1 " "$LEASES" 2>/dev/null || true
}

# wait_until SECS CMD [ARGS...]: CMD run until it succeeds (status 0) or
# SECS seconds have passed (status 1). For "until the kernel (or a peer)
# shows X": a deadline in seconds, not a count of tries, since a try itself
# takes longer on a loaded machine or in the sanitizer build. A success
# returns at once, so the deadline can be generous.
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.02
	done
}

# Two paths are one file (device and inode). For /proc/PID/root and exe:
# readlink prints them relative to the mount namespace they were opened in
# (ip netns exec makes a new one), which is not the reader's in a chroot.
same_file() { # A B
	[ "$(stat -L -c %d:%i "$1" 2>/dev/null)" = "$(stat -L -c %d:%i "$2")" ]
}

# A Podman of the test file's own (podman_conf) with its API service on a
# socket in $PM (podman.bats, podman-restart.bats): podman_usable first in
# setup_file (false: nothing is set up there, and each test's setup fails
# with what to install); podman_service_start in setup_file (again, to
# restart it); podman_setup in setup; podman_service_stop in
# teardown_file (its containers and images too).
podman_usable() {
	[ "$(id -u)" = 0 ] && command -v podman >/dev/null && command -v runc >/dev/null &&
		[ -x /bin/busybox ] && podman_env
}

podman_setup() {
	setup_host
	podman_env
	command -v podman >/dev/null || need "podman (apt-get install podman runc busybox-static)"
	[ -S "$CNET_PODMAN_SOCK" ] || fail "podman API service did not start: $(cat "$PM/service.log")"
}

podman_env() {
	PM=$BATS_FILE_TMPDIR/podman
	export CONTAINERS_CONF=$PM/containers.conf
	export CONTAINERS_STORAGE_CONF=$PM/storage.conf
	export CNET_PODMAN_SOCK=$PM/podman.sock
	export CNET_DOCKER_SOCK=$PM/no-docker.sock
}

podman_service_start() {
	podman system service --time=0 "unix://$CNET_PODMAN_SOCK" >>"$PM/service.log" 2>&1 3>&- &
	echo $! >"$PM/service.pid"
	# (podman_setup, and what the tests see of the service, tell if it did not)
	wait_until 30 test -S "$CNET_PODMAN_SOCK" || true
}

podman_service_stop() {
	[ -n "${PM:-}" ] || podman_env
	[ -e "$PM/service.pid" ] || return 0
	podman rm -a -f -t 0 >/dev/null 2>&1 || true
	kill "$(cat "$PM/service.pid")" 2>/dev/null || true
	podman rmi -a -f >/dev/null 2>&1 || true
}

# podman_conf IMAGE [TOML]: a Podman of the file's own under $PM (its
# CONTAINERS_CONF and CONTAINERS_STORAGE_CONF set by the caller): vfs
# storage and runc, and IMAGE, a busybox-static rootfs imported as a
# tarball, so nothing is downloaded. TOML: sections added to
# containers.conf. This machine's kernel runs cgroup v1 with hard limits
# below Podman's default ulimits: runc and lower limits, as
# ../shared/vm-notes.md says.
podman_conf() {
	mkdir -p "$PM/rootfs/bin"
	cp /bin/busybox "$PM/rootfs/bin/"
	for l in sleep sh; do ln -s busybox "$PM/rootfs/bin/$l"; done
	cat >"$CONTAINERS_CONF" <<-EOF
		[containers]
		default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
		[engine]
		runtime = "runc"
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		tmp_dir = "$PM/tmp"
		${2:-}
	EOF
	cat >"$CONTAINERS_STORAGE_CONF" <<-EOF
		[storage]
		driver = "vfs"
		graphroot = "$PM/storage"
		runroot = "$PM/run"
	EOF
	tar -C "$PM/rootfs" -c . | podman import - "$1" >/dev/null
}
