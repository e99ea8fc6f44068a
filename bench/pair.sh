#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The fastest path between two containers on one host: Docker's bridge path
# (each container a veth pair whose host end is a port of one Linux bridge,
# all at MTU 1500) against `cnet attach A pair --peer B` (one veth whose two
# ends are made directly in A and B, MTU 65535: no bridge to cross, no
# host-side hop, a TCP segment 43 times larger). For each: the TCP
# throughput iperf3 measures from A to B, and the median round trip of many
# 64-byte UDP request/response exchanges (bench/udp-rr.c, one in flight at
# a time). Interleaved rounds, the order alternating, each
# contestant set up fresh and torn down after, so drift hits both alike.
#
# Usage: bench/pair.sh [-n N] [--json]      (N also from the environment)
#
# Everything happens inside a private "bench host" namespace (the bridge
# and its ports too); nothing leaves the box. The bridge path is only the
# data path: Docker's iptables rules and its userland proxy are not there.
# BENCH_PAIR_SECS (default 3) is iperf3's duration, BENCH_PAIR_RR (default
# 20000) the number of timed exchanges; BENCH_PAIR_FAKE=1 makes the pair
# with ip instead of cnet (the same veth, for a cnet without the pair kind).
# The clients run on the first CPU the script may use, the servers on the
# second (whether they share a CPU or not moved the figures here by up to
# half); BENCH_PAIR_PIN=0, or a single CPU, leaves that to the scheduler.
# Reports each round, the medians, and the ratios pair/bridge (throughput:
# higher is better; round trip: lower is better); builds build/udp-rr if it
# is missing or older than bench/udp-rr.c; exits non-zero only if a
# contestant fails.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CNET=${CNET_BIN:-$HERE/../build/cnet}
UDP_RR=${UDP_RR_BIN:-$HERE/../build/udp-rr}
SECS=${BENCH_PAIR_SECS:-3}
RR_COUNT=${BENCH_PAIR_RR:-20000}
FAKE=${BENCH_PAIR_FAKE:-0}
PIN=${BENCH_PAIR_PIN:-1}
CONTESTANTS=(bridge pair)
# shellcheck source=bench/args.sh disable=SC1091 # (followed with -x)
. "$HERE/args.sh"
bench_args 3 20 "$@"
[[ $SECS =~ ^[1-9][0-9]?$ ]] || die "BENCH_PAIR_SECS must be 1..99, not '$SECS'"
[[ $RR_COUNT =~ ^[1-9][0-9]{0,6}$ ]] || die "BENCH_PAIR_RR must be 1..9999999, not '$RR_COUNT'"

# CLIENT and SERVER: the prefixes pinning the clients and the servers.
CLIENT=() SERVER=() CPUS=()
if [[ $PIN != 0 ]]; then
	IFS=, read -ra ranges < <(awk '/^Cpus_allowed_list:/ { print $2 }' /proc/self/status) || true
	for r in "${ranges[@]}"; do
		for ((c = ${r%-*}; c <= ${r#*-} && ${#CPUS[@]} < 2; c++)); do CPUS+=("$c"); done
	done
	if ((${#CPUS[@]} == 2)); then
		command -v taskset >/dev/null || die "no taskset (apt-get install util-linux)"
		CLIENT=(taskset -c "${CPUS[0]}")
		SERVER=(taskset -c "${CPUS[1]}")
	else
		CPUS=()
	fi
fi

# Kill what runs in the container namespaces (the servers), delete them.
drop_ns() {
	local ns
	for ns in "cnpair-$TAG-a" "cnpair-$TAG-b"; do
		[ -e "/run/netns/$ns" ] || continue
		ip netns pids "$ns" | xargs -r kill 2>/dev/null || true
		ip netns del "$ns"
	done
}

# Contestant C between namespaces A and B; PEER becomes B's address.
setup() { # contestant a b
	local ns
	case $1 in
	bridge)
		ip link add br0 mtu 1500 type bridge
		ip link set br0 up
		for ns in "$2" "$3"; do
			ip link add "vh${ns##*-}" mtu 1500 type veth peer name eth1 mtu 1500 netns "$ns"
			ip link set "vh${ns##*-}" master br0 up
		done
		ip -n "$2" addr add 10.81.0.1/24 dev eth1
		ip -n "$3" addr add 10.81.0.2/24 dev eth1
		ip -n "$2" link set eth1 up
		ip -n "$3" link set eth1 up
		PEER=10.81.0.2
		;;
	pair)
		if [[ $FAKE == 1 ]]; then
			ip -n "$2" link add eth1 mtu 65535 type veth peer name eth1 mtu 65535 netns "$3"
			ip -n "$2" addr add 10.82.0.1/30 dev eth1
			ip -n "$3" addr add 10.82.0.2/30 dev eth1
			ip -n "$2" link set eth1 up
			ip -n "$3" link set eth1 up
		else
			"$CNET" attach "$2" pair --peer "$3" --ip 10.82.0.1/30 --peer-ip 10.82.0.2/30 >/dev/null ||
				die "pair: cnet attach failed"
		fi
		PEER=10.82.0.2
		;;
	esac
}

teardown() { # contestant a b
	local left
	case $1 in
	bridge) ip link del br0 ;;
	pair)
		if [[ $FAKE != 1 ]]; then
			"$CNET" detach "$2" >/dev/null || die "pair: cnet detach failed"
			left=$(ip -n "$3" -o link show | awk -F': ' '$2 != "lo" { print $2 }')
			[[ -z $left ]] || die "pair: after cnet detach $3 still has $left"
		fi
		;;
	esac
	drop_ns
}

# B's TCP port listening, within 5 s.
wait_listen() { # ns port
	local i
	for ((i = 0; i < 500; i++)); do
		[[ -z $(ip netns exec "$1" ss -Hltn "sport = :$2") ]] || return 0
		sleep 0.01
	done
	return 1
}

# One round of contestant C: "R C MBIT_PER_S RR_NS MTU" into $WORK/rounds,
# the throughput and the round trip into $WORK/times for bench_median.
measure() { # contestant a b
	local spid dev mtu mbps rr err
	dev=$(ip -n "$2" route get "$PEER" | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }')
	mtu=$(ip -n "$2" -o link show dev "$dev" | awk '{ for (i = 1; i < NF; i++) if ($i == "mtu") print $(i + 1) }')
	ip netns exec "$3" "${SERVER[@]}" iperf3 -s -1 -B "$PEER" >/dev/null 2>&1 &
	spid=$!
	wait_listen "$3" 5201 || die "$1: no iperf3 server in $3"
	if ! timeout $((SECS + 30)) ip netns exec "$2" "${CLIENT[@]}" iperf3 -c "$PEER" -t "$SECS" -J >"$WORK/iperf.json"; then
		err=$(sed -n 's/^[[:space:]]*"error":[[:space:]]*"\(.*\)".*/\1/p' "$WORK/iperf.json")
		die "$1: iperf3 failed${err:+: $err}"
	fi
	kill "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	# end.sum_received.bits_per_second, in Mbit/s
	mbps=$(awk '/"sum_received":/ { f = 1 }
		f && /"bits_per_second":/ { sub(/.*"bits_per_second":[[:space:]]*/, ""); sub(/[,}].*/, ""); printf "%.0f\n", $0 / 1e6; exit }' \
		"$WORK/iperf.json")
	[[ $mbps =~ ^[0-9]+$ ]] || die "$1: no end.sum_received.bits_per_second in iperf3's report"
	ip netns exec "$3" "${SERVER[@]}" "$UDP_RR" -s -p 5300 &
	spid=$!
	rr=$(timeout 60 ip netns exec "$2" "${CLIENT[@]}" "$UDP_RR" -c "$PEER" -p 5300 -n "$RR_COUNT" -l 64) || die "$1: udp-rr failed"
	kill "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	echo "$R $1 $mbps $rr $mtu" >>"$WORK/rounds"
	printf '%s-tcp %s\n%s-rr %s\n' "$1" "$mbps" "$1" "$rr" >>"$WORK/times"
}

inner() {
	local c j a=cnpair-$TAG-a b=cnpair-$TAG-b
	trap 'drop_ns; ip link del br0 2>/dev/null || true' EXIT
	trap 'exit 130' INT TERM
	: >"$WORK/times"
	: >"$WORK/rounds"
	for ((R = 1; R <= N; R++)); do
		for ((j = 0; j < 2; j++)); do
			c=${CONTESTANTS[$(((R + 1 + j) % 2))]}
			ip netns add "$a"
			ip netns add "$b"
			ip -n "$a" link set lo up
			ip -n "$b" link set lo up
			setup "$c" "$a" "$b"
			measure "$c" "$a" "$b"
			teardown "$c" "$a" "$b"
		done
	done
}

report() {
	local bt pt br pr bm pm rt rr pin kind=cnet
	bt=$(bench_median bridge-tcp)
	pt=$(bench_median pair-tcp)
	br=$(bench_median bridge-rr)
	pr=$(bench_median pair-rr)
	bm=$(awk '$2 == "bridge" { print $5; exit }' "$WORK/rounds")
	pm=$(awk '$2 == "pair" { print $5; exit }' "$WORK/rounds")
	rt=$(awk -v p="$pt" -v b="$bt" 'BEGIN { printf "%.2f\n", p / b }')
	rr=$(awk -v p="$pr" -v b="$br" 'BEGIN { printf "%.2f\n", p / b }')
	[[ $FAKE != 1 ]] || kind=ip
	if ((JSON)); then
		printf '{"bridge_gbit_s":%s,"pair_gbit_s":%s,"bridge_rr_us":%s,"pair_rr_us":%s,' "$bt" "$pt" "$br" "$pr"
		printf '"ratio_gbit_s_pair_bridge":%s,"ratio_rr_pair_bridge":%s,"bridge_mtu":%s,"pair_mtu":%s,' "$rt" "$rr" "$bm" "$pm"
		printf '"pair_made_by":"%s","iperf3_s":%s,"rr_exchanges":%s,"client_cpu":%s,"server_cpu":%s,' \
			"$kind" "$SECS" "$RR_COUNT" "${CPUS[0]:-null}" "${CPUS[1]:-null}"
		printf '"n":%s,"kernel":"%s","rounds":[' "$N" "$(uname -r)"
		awk '{ printf "%s{\"round\":%d,\"contestant\":\"%s\",\"gbit_s\":%.2f,\"rr_us\":%.2f}",
			(NR > 1 ? "," : ""), $1, $2, $3 / 1000, $4 / 1000 }' "$WORK/rounds"
		echo ']}'
		return
	fi
	awk '{ printf "round %d: %-6s %7.2f Gbit/s, round trip %6.2f us (mtu %s)\n", $1, $2, $3 / 1000, $4 / 1000, $5 }' \
		"$WORK/rounds"
	echo "container to container, median: bridge (mtu $bm) $bt Gbit/s, $br us; pair (mtu $pm, by $kind) $pt Gbit/s, $pr us"
	echo "ratios pair/bridge: throughput $rt, round trip $rr"
	pin="clients on CPU ${CPUS[0]:-}, servers on CPU ${CPUS[1]:-}"
	((${#CPUS[@]})) || pin="clients and servers unpinned"
	echo "iperf3 TCP ${SECS} s, UDP request/response 64 bytes x $RR_COUNT; $pin; kernel $(uname -r), N=$N"
}

if [[ ${CNPAIRBENCH_INNER:-} == 1 ]]; then
	inner
	exit 0
fi
((EUID == 0)) || die "must run as root"
[[ $FAKE == 1 || -x $CNET ]] || die "no cnet at $CNET (make)"
command -v iperf3 >/dev/null || die "no iperf3 (apt-get install iperf3)"
command -v ss >/dev/null || die "no ss (apt-get install iproute2)"
if [[ -z ${UDP_RR_BIN:-} && $HERE/udp-rr.c -nt $UDP_RR ]]; then
	mkdir -p "$(dirname "$UDP_RR")"
	"${CC:-cc}" -O2 -Wall -o "$UDP_RR" "$HERE/udp-rr.c" || die "cannot build $UDP_RR"
fi
[[ -x $UDP_RR ]] || die "no udp-rr at $UDP_RR"
TAG=$$
HOST_NS=cnpairbench-$TAG
WORK=$(mktemp -d /tmp/cnpairbench.XXXXXX)
trap 'drop_ns; ip netns del "$HOST_NS" 2>/dev/null || true; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
ip netns add "$HOST_NS"
env CNPAIRBENCH_INNER=1 TAG="$TAG" WORK="$WORK" N="$N" CNET_STATE="$WORK/state.json" CNET_LOG=off \
	BENCH_PAIR_SECS="$SECS" BENCH_PAIR_RR="$RR_COUNT" BENCH_PAIR_FAKE="$FAKE" BENCH_PAIR_PIN="$PIN" \
	nsenter --net="/run/netns/$HOST_NS" bash "${BASH_SOURCE[0]}"
report
