#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# CNI ADD and DEL through the CNI protocol, as a runtime runs them: cnet's
# plugin (kind macvlan, IPAM static) against the reference macvlan plugin
# with the reference static IPAM, same configuration otherwise, into a
# fresh namespace each time, interleaved (who goes first alternates).
#
# Usage: bench/cni.sh [-n N] [--json]      (N also from the environment)
#
# Everything happens inside a private "bench host" namespace with a veth
# pair as the macvlans' parent; nothing leaves the box. Reports medians and
# p90 per verb and the ratio cnet/reference; exits non-zero only if a
# contestant fails.
set -euo pipefail
export LC_ALL=C # $EPOCHREALTIME must use '.' as its decimal point

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PLUGIN=${CNET_CNI:-$HERE/../build/cnet-cni}
CNI_DIR=${CNI_PATH:-/usr/lib/cni}
UPLINK=cnc-up
CONTESTANTS=(cnet reference)
# shellcheck source=bench/args.sh
. "$HERE/args.sh"
bench_args 100 5000 "$@"

conf() { # contestant address
	local type=macvlan kind=
	[[ $1 == cnet ]] && type=cnet kind=macvlan
	jq -cn --arg t "$type" --arg k "$kind" --arg up "$UPLINK" --arg a "$2/16" --arg v "$CNI_VERSION" \
		'{cniVersion: $v, name: "cnbench", type: $t, master: $up, mode: "bridge",
		  ipam: {type: "static", addresses: [{address: $a, gateway: "10.78.0.1"}],
		         routes: [{dst: "0.0.0.0/0"}]}} + (if $k != "" then {kind: $k} else {} end)'
}

plugin_of() { [[ $1 == cnet ]] && echo "$PLUGIN" || echo "$CNI_DIR/macvlan"; }

# One verb; appends "contestant verb microseconds" to the times file.
timed() { # contestant verb netns conf
	local t0 t1 p
	p=$(plugin_of "$1")
	t0=$EPOCHREALTIME
	CNI_COMMAND=$2 CNI_CONTAINERID="cnc-$3" CNI_NETNS="/run/netns/$3" CNI_IFNAME=eth0 \
		CNI_PATH="$CNI_DIR" "$p" <<<"$4" >"$WORK/out" 2>&1 || {
		echo "cni.sh: $1 $2 into $3 failed:" >&2
		cat "$WORK/out" >&2
		exit 1
	}
	t1=$EPOCHREALTIME
	echo "$1 $2 $((${t1/./} - ${t0/./}))" >>"$WORK/times"
}

round() { # r
	local r=$1 j c ns addr cf
	for j in 0 1; do
		c=${CONTESTANTS[$(((r + j) % 2))]}
		ns=cnc-$TAG-$c
		addr=10.78.$((1 + (r % 200))).$((10 + j))
		cf=$(conf "$c" "$addr")
		ip netns add "$ns"
		timed "$c" ADD "$ns" "$cf"
		if ((r % 10 == 0)); then # the kernel has it
			ip -n "$ns" -j addr show eth0 | jq -e --arg a "$addr" \
				'any(.[0].addr_info[]; .local == $a)' >/dev/null || die "$c: no $addr in $ns"
		fi
		timed "$c" DEL "$ns" "$cf"
		ip netns del "$ns"
	done
}

inner() {
	trap 'for f in /run/netns/cnc-$TAG-*; do [ -e "$f" ] && ip netns del "${f##*/}"; done' EXIT
	round 0
	: >"$WORK/times" # the warm-up round is not counted
	for ((r = 1; r <= N; r++)); do round "$r"; done
}

stats() { # contestant verb: median p90 in ms
	awk -v c="$1" -v v="$2" '$1 == c && $2 == v { print $3 }' "$WORK/times" | sort -n |
		awk '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
			p = int(0.9 * NR); if (p < 0.9 * NR) p++; printf "%.2f %.2f\n", m / 1000, a[p] / 1000 }'
}

report() {
	local v c m p out='{}'
	for v in ADD DEL; do
		for c in "${CONTESTANTS[@]}"; do
			read -r m p < <(stats "$c" "$v")
			out=$(jq -c --arg c "$c" --arg v "$v" --argjson m "$m" --argjson p "$p" \
				'.[$v][$c] = {median_ms: $m, p90_ms: $p}' <<<"$out")
		done
		out=$(jq -c --arg v "$v" '.[$v].ratio = ((.[$v].cnet.median_ms / .[$v].reference.median_ms) * 100 | round / 100)' <<<"$out")
	done
	out=$(jq -c --arg k "$(uname -r)" --argjson n "$N" --arg cv "$CNI_VERSION" \
		'. + {kernel: $k, n: $n, cni_version: $cv}' <<<"$out")
	if ((JSON)); then
		echo "$out"
		return
	fi
	printf '%-5s %-10s %10s %8s\n' verb contestant median_ms p90_ms
	for v in ADD DEL; do
		for c in "${CONTESTANTS[@]}"; do
			jq -r --arg v "$v" --arg c "$c" '"\($v)   \($c)   \(.[$v][$c].median_ms)   \(.[$v][$c].p90_ms)"' <<<"$out" |
				awk '{ printf "%-5s %-10s %10s %8s\n", $1, $2, $3, $4 }'
		done
		echo "ratio cnet/reference $v: $(jq -r --arg v "$v" '.[$v].ratio' <<<"$out") (median)"
	done
	echo "kernel $(uname -r), N=$N, CNI spec $CNI_VERSION, reference: $CNI_DIR/macvlan + static"
}

if [[ ${CNCBENCH_INNER:-} == 1 ]]; then
	inner
	exit 0
fi
((EUID == 0)) || die "must run as root"
[[ -x $PLUGIN ]] || die "no plugin at $PLUGIN (make)"
[[ -x $CNI_DIR/macvlan && -x $CNI_DIR/static ]] ||
	die "no reference macvlan/static plugins in $CNI_DIR (apt-get install containernetworking-plugins)"
# the newest version all three speak
CNI_VERSION=$(for p in "$CNI_DIR/macvlan" "$CNI_DIR/static" "$PLUGIN"; do
	CNI_COMMAND=VERSION "$p" </dev/null | jq -r '.supportedVersions[]'; done | sort -V | uniq -c |
	awk '$1 == 3 { print $2 }' | tail -n 1)
[[ -n $CNI_VERSION ]] || die "no CNI version all plugins speak"
TAG=$$
HOST_NS=cncbench-$TAG
WORK=$(mktemp -d /tmp/cncbench.XXXXXX)
trap 'ip netns del "$HOST_NS" 2>/dev/null || true; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
ip netns add "$HOST_NS"
ip -n "$HOST_NS" link add "$UPLINK" type veth peer name cnc-peer
ip -n "$HOST_NS" link set "$UPLINK" up
ip -n "$HOST_NS" link set cnc-peer up
# In the bench host namespace, so no contestant pays for entering it;
# cnet's store in the work directory.
CNCBENCH_INNER=1 TAG=$TAG WORK=$WORK CNI_VERSION=$CNI_VERSION N=$N CNET_STATE=$WORK/state.json \
	CNET_LOG=off nsenter --net="/run/netns/$HOST_NS" bash "${BASH_SOURCE[0]}"
report
