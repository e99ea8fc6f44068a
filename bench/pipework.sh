#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# What pipework's command line costs through cnet: `cnet pipework BRIDGE
# GUEST A/P@GW` (the container found through an engine's API: the fake
# engine the tests use, answering at once), against the same attachment by
# `cnet attach` on the namespace itself, and against the ip commands the
# pipework script runs for that line (veth pair with the bridge's MTU, host
# end on the bridge and up, the peer moved and renamed, the address, link
# up, the default route replaced): pipework's own shell work and its
# `docker inspect` come on top of those. Interleaved, each into a fresh
# namespace, undone after.
#
# Usage: bench/pipework.sh [-n N] [--json]      (N also from the environment)
#
# Everything happens inside a private "bench host" namespace with its own
# bridge; nothing leaves the box. Reports medians and the ratios of cnet's
# two forms to the ip commands; exits non-zero only if a contestant fails.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CNET=${CNET_BIN:-$HERE/../build/cnet}
ENGINE=${FAKE_ENGINE:-$HERE/../build/fake-engine}
CONTESTANTS=(pipework attach ip)
# shellcheck source=bench/args.sh
. "$HERE/args.sh"
bench_args 50 2000 "$@"

# pipework's commands for `pipework pb0 GUEST 10.80.0.2/24@10.80.0.1`
ip_pipework() { # ns
	local l=vpl$TAG g=vpg$TAG
	ip link add name "$l" mtu 1500 type veth peer name "$g" mtu 1500
	ip link set "$l" master pb0
	ip link set "$l" up
	ip link set "$g" netns "$1"
	ip -n "$1" link set "$g" name eth1
	ip -n "$1" -4 addr add 10.80.0.2/24 dev eth1
	ip -n "$1" -4 link set eth1 up
	ip -n "$1" -4 route delete default 2>/dev/null || true
	ip -n "$1" -4 route get 10.80.0.1 >/dev/null
	ip -n "$1" -4 route replace default via 10.80.0.1 dev eth1
}

timed() { # contestant ns
	local t0 t1
	t0=$EPOCHREALTIME
	case $1 in
	pipework) "$CNET" pipework pb0 "g$TAG" 10.80.0.2/24@10.80.0.1 >/dev/null ;;
	attach) "$CNET" attach "$2" veth --bridge pb0 --ip 10.80.0.2/24 --gw 10.80.0.1 >/dev/null ;;
	ip) ip_pipework "$2" ;;
	esac
	t1=$EPOCHREALTIME
	echo "$1 $((${t1/./} - ${t0/./}))" >>"$WORK/times"
	# what each made is there, every tenth round
	if ((R % 10 == 0)); then
		ip -n "$2" -j route show default | jq -e '.[0].gateway == "10.80.0.1"' >/dev/null ||
			die "$1: no default route in $2"
	fi
	case $1 in
	pipework) "$CNET" detach "container:g$TAG" >/dev/null ;;
	attach) "$CNET" detach "$2" >/dev/null ;;
	ip) ip link del "vpl$TAG" ;;
	esac
}

inner() {
	local pid want
	trap 'kill $(jobs -p) 2>/dev/null; for f in /run/netns/cnp-$TAG-*; do [ -e "$f" ] && ip netns del "${f##*/}"; done' EXIT
	ip link add pb0 type bridge
	ip link set pb0 up
	mkdir -p "$WORK/engine"
	"$ENGINE" "$WORK/docker.sock" "$WORK/engine" &
	for _ in $(seq 100); do [ -S "$WORK/docker.sock" ] && break; sleep 0.02; done
	export CNET_DOCKER_SOCK=$WORK/docker.sock CNET_PODMAN_SOCK=$WORK/none.sock
	for ((R = 0; R <= N; R++)); do
		((R != 1)) || : >"$WORK/times" # the warm-up round is not counted
		for ((j = 0; j < 3; j++)); do
			c=${CONTESTANTS[$(((R + j) % 3))]}
			ip netns add "cnp-$TAG-$c"
			if [[ $c == pipework ]]; then
				ip netns exec "cnp-$TAG-$c" sleep 60 &
				pid=$!
				printf '{"Id":"%064d","Name":"/g%s","State":{"Running":true,"Pid":%d}}\n' "$R" "$TAG" "$pid" \
					>"$WORK/engine/g$TAG.json"
				want=$(ip netns exec "cnp-$TAG-$c" readlink /proc/self/ns/net)
				until [ "$(readlink "/proc/$pid/ns/net")" = "$want" ]; do sleep 0.005; done
			fi
			timed "$c" "cnp-$TAG-$c"
			[[ $c != pipework ]] || kill "$pid"
			ip netns del "cnp-$TAG-$c"
		done
	done
}

report() {
	local p a i out
	p=$(bench_median pipework)
	a=$(bench_median attach)
	i=$(bench_median ip)
	out=$(jq -cn --argjson p "$p" --argjson a "$a" --argjson i "$i" --argjson n "$N" --arg k "$(uname -r)" \
		'{cnet_pipework_ms: $p, cnet_attach_ms: $a, ip_commands_ms: $i,
		  ratio_pipework_ip: (($p / $i) * 100 | round / 100), ratio_attach_ip: (($a / $i) * 100 | round / 100),
		  n: $n, kernel: $k}')
	if ((JSON)); then
		echo "$out"
		return
	fi
	jq -r '"bridge line, median: cnet pipework \(.cnet_pipework_ms) ms, cnet attach \(.cnet_attach_ms) ms, pipework'"'"'s ip commands \(.ip_commands_ms) ms",
		"ratios to the ip commands: cnet pipework \(.ratio_pipework_ip), cnet attach \(.ratio_attach_ip)",
		"kernel \(.kernel), N=\(.n)"' <<<"$out"
}

if [[ ${CNPBENCH_INNER:-} == 1 ]]; then
	inner
	exit 0
fi
((EUID == 0)) || die "must run as root"
[[ -x $CNET ]] || die "no cnet at $CNET (make)"
[[ -x $ENGINE ]] || die "no fake engine at $ENGINE (make build/fake-engine)"
TAG=$$
HOST_NS=cnpbench-$TAG
WORK=$(mktemp -d /tmp/cnpbench.XXXXXX)
trap 'ip netns del "$HOST_NS" 2>/dev/null || true; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
ip netns add "$HOST_NS"
CNPBENCH_INNER=1 TAG=$TAG WORK=$WORK N=$N CNET_STATE=$WORK/state.json CNET_LOG=off CNET="$CNET" ENGINE="$ENGINE" \
	nsenter --net="/run/netns/$HOST_NS" bash "${BASH_SOURCE[0]}"
report
