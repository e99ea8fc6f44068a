#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# How long does `cnet reapply` take over N records (default 1000) when there
# is nothing to change, and when every container has restarted; and how much
# memory does cnet use at its peak? Reports only; asserts nothing.
#
# Usage: bench/reapply.sh [-n N] [--json]
#
# Everything happens in a private "bench host" namespace (its veth pair is
# the uplink) and N throwaway container namespaces; nothing else is touched.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CNET=${CNET:-$HERE/../build/cnet}
N=${N:-1000}
JSON=0
while (($#)); do
	case $1 in
	-n) N=${2:?-n needs a number}; shift ;;
	--json) JSON=1 ;;
	*) sed -n 's/^# Usage: //p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
	esac
	shift
done
[[ $N =~ ^[1-9][0-9]*$ ]] && ((N <= 60000)) || { echo "reapply.sh: N must be 1..60000" >&2; exit 2; }
[[ -x $CNET ]] || { echo "reapply.sh: no cnet at $CNET (make all)" >&2; exit 1; }

TAG=cnrb$$
HOST_NS=$TAG-h
WORK=$(mktemp -d /tmp/cnrb.XXXXXX)
STATE=$WORK/state.json

cleanup() {
	local i
	for ((i = 1; i <= N; i++)); do ip netns del "$TAG-$i" 2>/dev/null || true; done
	ip netns del "$HOST_NS" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

# nsenter rather than 'ip netns exec', which remounts /sys on every call.
on_host() { nsenter --net="/run/netns/$HOST_NS" "$@"; }

ip netns add "$HOST_NS"
ip -n "$HOST_NS" link add up0 type veth peer name up0p
ip -n "$HOST_NS" link set up0 up
ip -n "$HOST_NS" link set up0p up
for ((i = 1; i <= N; i++)); do
	ip netns add "$TAG-$i"
done
for ((i = 1; i <= N; i++)); do
	on_host "$CNET" attach "netns:$TAG-$i" macvlan --parent up0 \
		--ip "10.$((i / 62500)).$((i / 250 % 250)).$((i % 250 + 1))/8" --gw 10.0.0.1 \
		--state "$STATE" >/dev/null
done

# One timed reapply: "seconds peak-KiB", and its output checked.
timed() { # what-it-must-say
	local out t0 t1
	t0=$EPOCHREALTIME
	out=$(on_host /usr/bin/time -f '%M' -o "$WORK/time" "$CNET" reapply --state "$STATE")
	t1=$EPOCHREALTIME
	[ "$(grep -c "^$1: " <<<"$out")" = "$N" ] ||
		{ echo "reapply.sh: expected $N '$1' lines, got: $(head -3 <<<"$out")" >&2; exit 1; }
	awk -v a="$t0" -v b="$t1" -v m="$(cat "$WORK/time")" 'BEGIN { printf "%.3f %s\n", b - a, m }'
}

idle=()
for run in 1 2 3; do idle+=("$(timed ok)"); done
for ((i = 1; i <= N; i++)); do
	ip netns del "$TAG-$i"
	ip netns add "$TAG-$i"
done
# The kernel tears deleted namespaces down in the background, holding the
# locks every netlink request needs: let it finish, or its work is timed.
sleep 5
restarted=$(timed repaired)
after=$(timed ok)
store_kib=$(($(stat -c %s "$STATE") / 1024))

median_idle=$(printf '%s\n' "${idle[@]}" | sort -n | sed -n 2p)
if ((JSON)); then
	printf '{"records":%d,"store_kib":%d,"nothing_to_change":{"seconds":%s,"peak_kib":%s},' \
		"$N" "$store_kib" ${median_idle}
	printf '"all_restarted":{"seconds":%s,"peak_kib":%s},"after":{"seconds":%s,"peak_kib":%s}}\n' \
		${restarted} ${after}
else
	printf '%-34s %9s %10s\n' "reapply over $N records" seconds peak_KiB
	printf '%-34s %9s %10s\n' "nothing to change (median of 3)" ${median_idle}
	printf '%-34s %9s %10s\n' "every container restarted" ${restarted}
	printf '%-34s %9s %10s\n' "right after (nothing to change)" ${after}
	echo "store: ${store_kib} KiB; kernel $(uname -r), nproc $(nproc), cnet $("$CNET" --version)"
fi
