#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# What bandwidth limits cost an attach: a veth attach with
# --egress-rate and --ingress-rate (host end tbf, ifb, ingress qdisc, u32
# mirred filter, ifb tbf: all netlink), against the same attach without
# them, and against that attach followed by the same limits set by tc and
# ip commands, as a script would; interleaved, each into a fresh
# namespace, detached after (the tc contestant's ifb deleted too).
#
# Usage: bench/qos.sh [-n N] [--json]      (N also from the environment)
#
# Everything happens inside a private "bench host" namespace with its own
# bridge; nothing leaves the box. Reports the medians and the time the
# limits add (median with limits less median without) for cnet and for tc,
# and their ratio; exits non-zero only if a contestant fails.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CNET=${CNET_BIN:-$HERE/../build/cnet}
CONTESTANTS=(plain cnet tc)
# shellcheck source=bench/args.sh
. "$HERE/args.sh"
bench_args 50 2000 "$@"

LIMITS=(--egress-rate 20mbit --ingress-rate 30mbit)

# The limits of LIMITS by tc on the host end HOST (the container's
# ingress as its egress; its egress through an ifb).
tc_limits() { # host-end ifb
	ip link add "$2" type ifb
	ip link set "$2" up
	tc qdisc add dev "$1" root handle 1: tbf rate 30mbit burst 37500 limit 225000
	tc qdisc add dev "$2" root handle 1: tbf rate 20mbit burst 25000 limit 150000
	tc qdisc add dev "$1" handle ffff: ingress
	tc filter add dev "$1" parent ffff: protocol all prio 1 u32 match u32 0 0 \
		action mirred egress redirect dev "$2"
}

timed() { # contestant ns
	local t0 t1 h
	t0=$EPOCHREALTIME
	case $1 in
	plain) "$CNET" attach "$2" veth --bridge qb0 --ip 10.79.0.2/24 >/dev/null ;;
	cnet) "$CNET" attach "$2" veth --bridge qb0 --ip 10.79.0.2/24 "${LIMITS[@]}" >/dev/null ;;
	tc)
		"$CNET" attach "$2" veth --bridge qb0 --ip 10.79.0.2/24 >/dev/null
		h=$(ip -j link show master qb0 | jq -r '.[0].ifname')
		tc_limits "$h" "qifb$TAG"
		;;
	esac
	t1=$EPOCHREALTIME
	echo "$1 $((${t1/./} - ${t0/./}))" >>"$WORK/times"
	# the limits are there, every tenth round
	if ((R % 10 == 0)) && [[ $1 != plain ]]; then
		h=$(ip -j link show master qb0 | jq -r '.[0].ifname')
		tc -j qdisc show dev "$h" | jq -e 'any(.[]; .kind == "tbf")' >/dev/null || die "$1: no tbf on $h"
	fi
	"$CNET" detach "$2" >/dev/null
	[[ $1 != tc ]] || ip link del "qifb$TAG"
}

inner() {
	trap 'for f in /run/netns/cnq-$TAG-*; do [ -e "$f" ] && ip netns del "${f##*/}"; done' EXIT
	ip link add qb0 type bridge
	ip link set qb0 up
	for ((R = 0; R <= N; R++)); do
		((R != 1)) || : >"$WORK/times" # the warm-up round is not counted
		for ((j = 0; j < 3; j++)); do
			c=${CONTESTANTS[$(((R + j) % 3))]}
			ip netns add "cnq-$TAG-$c"
			timed "$c" "cnq-$TAG-$c"
			ip netns del "cnq-$TAG-$c"
		done
	done
}

report() {
	local p c t out
	p=$(bench_median plain)
	c=$(bench_median cnet)
	t=$(bench_median tc)
	out=$(jq -cn --argjson p "$p" --argjson c "$c" --argjson t "$t" --argjson n "$N" --arg k "$(uname -r)" \
		'{plain_ms: $p, cnet_ms: $c, tc_ms: $t, cnet_added_ms: (($c - $p) * 100 | round / 100),
		  tc_added_ms: (($t - $p) * 100 | round / 100),
		  ratio_added_cnet_tc: ((($c - $p) / ($t - $p)) * 100 | round / 100), n: $n, kernel: $k}')
	if ((JSON)); then
		echo "$out"
		return
	fi
	jq -r '"veth attach, median: plain \(.plain_ms) ms, cnet with limits \(.cnet_ms) ms, plain + tc \(.tc_ms) ms",
		"limits add: cnet \(.cnet_added_ms) ms, tc commands \(.tc_added_ms) ms; ratio cnet/tc \(.ratio_added_cnet_tc)",
		"kernel \(.kernel), N=\(.n)"' <<<"$out"
}

if [[ ${CNQBENCH_INNER:-} == 1 ]]; then
	inner
	exit 0
fi
((EUID == 0)) || die "must run as root"
[[ -x $CNET ]] || die "no cnet at $CNET (make)"
command -v tc >/dev/null || die "no tc (apt-get install iproute2)"
TAG=$$
HOST_NS=cnqbench-$TAG
WORK=$(mktemp -d /tmp/cnqbench.XXXXXX)
trap 'ip netns del "$HOST_NS" 2>/dev/null || true; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
ip netns add "$HOST_NS"
CNQBENCH_INNER=1 TAG=$TAG WORK=$WORK N=$N CNET_STATE=$WORK/state.json CNET_LOG=off CNET="$CNET" \
	nsenter --net="/run/netns/$HOST_NS" bash "${BASH_SOURCE[0]}"
report
