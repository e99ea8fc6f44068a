#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# From a container's restart to its interface back: a real Podman (runc,
# vfs, its file event logger, storage in a work directory), one container
# with a macvlan and an address attached by cnet, `podman restart -t 0`
# N times for each way, interleaved:
#   timer  cnet-reapply.timer alone: its period is the figure (5 min; a
#          restart waits 150 s on average), not measured;
#   watch  cnet watch on Podman's API service: the time from the start
#          event (its timeNano) to eth1 carrying its address, read from
#          the kernel every few ms once `podman restart` has returned (so
#          an address that was already there counts from the first look);
#   hook   cnet hook at createRuntime: how many times the container's own
#          first command saw its address (N of N is the target), and what
#          the hook adds to `podman restart`: its median time with the hook
#          over its median time with neither (the ratio).
#
# Usage: bench/restart.sh [-n N] [--json]      (N also from the environment)
#
# Everything runs inside a private "bench host" namespace (the macvlan's
# parent is a veth there); nothing leaves the box.
set -euo pipefail
export LC_ALL=C # $EPOCHREALTIME must use '.' as its decimal point

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CNET=${CNET:-$HERE/../build/cnet}
# shellcheck source=bench/args.sh
. "$HERE/args.sh"
bench_args 20 500 "$@"
((EUID == 0)) || die "must run as root"
[[ -x $CNET ]] || die "no cnet at $CNET (make)"
for t in podman runc jq nsenter; do command -v $t >/dev/null || die "needs $t"; done
[[ -x /bin/busybox ]] || die "needs /bin/busybox (apt-get install busybox-static)"

WORK=$(mktemp -d /tmp/rsbench.XXXXXX)
HOST_NS=rsbench-$$
C=rsbench-$$
SERVICE= WATCH=
cleanup() {
	[[ -z $WATCH ]] || kill "$WATCH" 2>/dev/null || true
	podman rm -f -t 0 "$C" >/dev/null 2>&1 || true
	podman rmi -f rsbench-busybox >/dev/null 2>&1 || true
	[[ -z $SERVICE ]] || kill "$SERVICE" 2>/dev/null || true
	ip netns del "$HOST_NS" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Podman of our own: vfs, runc, the file event logger, our hooks.d
export CONTAINERS_CONF=$WORK/containers.conf CONTAINERS_STORAGE_CONF=$WORK/storage.conf
export CNET_PODMAN_SOCK=$WORK/podman.sock CNET_DOCKER_SOCK=$WORK/no-docker.sock
export CNET_STATE=$WORK/state.json CNET_LOG=off
mkdir -p "$WORK/rootfs/bin" "$WORK/hooks.d" "$WORK/seen"
cp /bin/busybox "$WORK/rootfs/bin/"
ln -s busybox "$WORK/rootfs/bin/sh"
ln -s busybox "$WORK/rootfs/bin/sleep"
printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\ntmp_dir = "%s/tmp"\nhooks_dir = ["%s/hooks.d"]\n' \
	"$WORK" "$WORK" >"$CONTAINERS_CONF"
printf '[storage]\ndriver = "vfs"\ngraphroot = "%s/storage"\nrunroot = "%s/run"\n' "$WORK" "$WORK" \
	>"$CONTAINERS_STORAGE_CONF"
jq --arg p "$WORK/hook.sh" '.hook.path = $p' "$HERE/../packaging/oci/cnet.json" >"$WORK/hooks.d/cnet.json"
# the installed hook, run on the bench host namespace; off unless $WORK/hook.on
printf '#!/bin/sh\n[ -e %s/hook.on ] || exit 0\nCNET_STATE=%s CNET_LOG=off exec /usr/bin/ip netns exec %s %s hook\n' \
	"$WORK" "$CNET_STATE" "$HOST_NS" "$CNET" >"$WORK/hook.sh"
chmod +x "$WORK/hook.sh"
tar -C "$WORK/rootfs" -c . | podman import - rsbench-busybox >/dev/null 2>"$WORK/import.log"

ip netns add "$HOST_NS"
ip -n "$HOST_NS" link add up0 type veth peer name up0p
ip -n "$HOST_NS" link set up0 up
ip -n "$HOST_NS" link set up0p up
podman system service --time=0 "unix://$CNET_PODMAN_SOCK" >"$WORK/service.log" 2>&1 &
SERVICE=$!
for _ in $(seq 100); do [[ -S $CNET_PODMAN_SOCK ]] && break; sleep 0.05; done
# the container says what it sees of eth1 as its first act
podman run -d --name "$C" --network none -v "$WORK/seen:/seen" rsbench-busybox /bin/sh -c \
	'/bin/busybox ip -o addr show eth1 >>/seen/log 2>&1; echo --- >>/seen/log; exec /bin/sleep 3600' >/dev/null
ip netns exec "$HOST_NS" "$CNET" attach "podman:$C" macvlan --parent up0 --ip 10.77.0.2/24 >/dev/null
: >"$WORK/seen/log"

restart() { # -> seconds `podman restart` took
	local t0=$EPOCHREALTIME
	podman restart -t 0 "$C" >/dev/null
	awk -v a="$EPOCHREALTIME" -v b="$t0" 'BEGIN { printf "%.6f\n", a - b }'
}

# watch: cnet watch alone
ip netns exec "$HOST_NS" "$CNET" watch --engine podman --json >"$WORK/watch.out" 2>&1 &
WATCH=$!
for _ in $(seq 250); do grep -q '"event":"connected"' "$WORK/watch.out" && break; sleep 0.02; done
: >"$WORK/watch.times" >"$WORK/plain.times" >"$WORK/hook.times"
for ((i = 0; i < N; i++)); do
	starts=$(grep -c '"event":"start"' "$WORK/watch.out" || true)
	restart >/dev/null
	pid=$(podman inspect -f '{{.State.Pid}}' "$C")
	for _ in $(seq 2500); do
		nsenter -t "$pid" -n ip -o addr show eth1 2>/dev/null | grep -q ' 10\.77\.0\.2/24 ' && break
	done
	seen=$EPOCHREALTIME
	for _ in $(seq 250); do
		(($(grep -c '"event":"start"' "$WORK/watch.out" || true) > starts)) && break
		sleep 0.02
	done
	tn=$(grep '"event":"start"' "$WORK/watch.out" | tail -n 1 | jq -r '.time_nano')
	awk -v a="$seen" -v t="$tn" 'BEGIN { printf "%.3f\n", (a - t / 1e9) * 1000 }' >>"$WORK/watch.times"
done
kill "$WATCH"
WATCH=
: >"$WORK/seen/log"
# hook and neither, alternating
for ((i = 0; i < N; i++)); do
	touch "$WORK/hook.on"
	restart >>"$WORK/hook.times"
	rm -f "$WORK/hook.on"
	restart >>"$WORK/plain.times"
done

median() { sort -g "$1" | awk '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f\n", m }'; }
p90() { sort -g "$1" | awk '{ a[NR] = $1 } END { p = int(0.9 * NR); if (p < 0.9 * NR) p++; printf "%.1f\n", a[p] }'; }
ms() { awk '{ printf "%.3f\n", $1 * 1000 }' "$1" >"$1.ms"; }
ms "$WORK/hook.times"
ms "$WORK/plain.times"
# each restart with the hook printed its eth1 once; without it (and the
# watch off) the container has no eth1
seen_first=$(grep -c 'inet 10\.77\.0\.2/24' "$WORK/seen/log" || true)
watch_med=$(median "$WORK/watch.times") watch_p90=$(p90 "$WORK/watch.times")
hook_med=$(median "$WORK/hook.times.ms") plain_med=$(median "$WORK/plain.times.ms")
ratio=$(awk -v a="$hook_med" -v b="$plain_med" 'BEGIN { printf "%.2f\n", a / b }')
if ((JSON)); then
	jq -cn --argjson n "$N" --arg k "$(uname -r)" --argjson wm "$watch_med" --argjson wp "$watch_p90" \
		--argjson hm "$hook_med" --argjson pm "$plain_med" --argjson r "$ratio" --argjson s "$seen_first" \
		'{n: $n, kernel: $k, timer: {period_s: 300}, watch: {after_start_median_ms: $wm, p90_ms: $wp},
		  hook: {first_command_saw_address: $s, restarts: $n, restart_median_ms: $hm,
		         restart_without_median_ms: $pm, ratio: $r}}'
	exit 0
fi
echo "timer: every 300 s: a restarted container waits 150 s on average, 300 s at worst"
echo "watch: interface back ${watch_med} ms after Podman's start event (median; p90 ${watch_p90} ms)"
echo "hook:  the container's first command saw its address in $seen_first of $N restarts with the hook"
echo "hook:  podman restart ${hook_med} ms with it, ${plain_med} ms without: ratio $ratio (median)"
echo "kernel $(uname -r), N=$N, $(podman --version)"
