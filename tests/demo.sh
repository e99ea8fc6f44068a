#!/usr/bin/env bash
# make demo: attach into two throwaway namespaces that share a throwaway
# uplink, show what the kernel has, ping across, detach, clean up.
# Touches no interface it did not create; no traffic leaves the machine.
set -euo pipefail

CNET=$(realpath "${1:-build/cnet}")
HOST=cnet-demo-host
C1=cnet-demo-c1
C2=cnet-demo-c2
STATE=

cleanup() {
	for ns in "$C1" "$C2" "$HOST"; do ip netns del "$ns" 2>/dev/null || true; done
	[ -z "$STATE" ] || rm -rf "$STATE"
}
trap cleanup EXIT
cleanup 2>/dev/null || true
STATE=$(mktemp -d)

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
# cnet runs in the demo "host" namespace, where the uplink lives.
on_host() { ip netns exec "$HOST" env CNET_STATE="$STATE/state.json" "$@"; }

ip netns add "$HOST"
ip netns add "$C1"
ip netns add "$C2"
ip -n "$HOST" link add uplink0 type veth peer name switch0
ip -n "$HOST" link set uplink0 up
ip -n "$HOST" link set switch0 up
ip -n "$HOST" addr add 10.123.0.1/16 dev switch0

step cnet attach netns:$C1 macvlan --parent uplink0 --ip 10.123.0.2/16 --gw 10.123.0.1 --ip fd12:3::2/64
on_host "$CNET" attach "netns:$C1" macvlan --parent uplink0 --ip 10.123.0.2/16 --gw 10.123.0.1 --ip fd12:3::2/64
step cnet attach netns:$C2 macvlan --parent uplink0 --ip 10.123.0.3/16 --gw 10.123.0.1 --json
on_host "$CNET" attach "netns:$C2" macvlan --parent uplink0 --ip 10.123.0.3/16 --gw 10.123.0.1 --json

step "ip -n $C1 -br link show eth1; ip -n $C1 -br addr show eth1; ip -n $C1 route"
ip -n "$C1" -br link show eth1
ip -n "$C1" -br addr show eth1
ip -n "$C1" route

step "ip netns exec $C1 ping -c 2 10.123.0.3   # container to container"
ip netns exec "$C1" ping -c 2 -W 1 10.123.0.3
step "ip netns exec $C1 ping -c 1 10.123.0.1   # container to its gateway"
ip netns exec "$C1" ping -c 1 -W 1 10.123.0.1

step "cnet attach netns:$C1 macvlan ... (again: nothing to do)"
on_host "$CNET" attach "netns:$C1" macvlan --parent uplink0 --ip 10.123.0.2/16 --gw 10.123.0.1 --ip fd12:3::2/64

step cnet detach netns:$C1
on_host "$CNET" detach "netns:$C1"
step cnet detach netns:$C2
on_host "$CNET" detach "netns:$C2"
step "ip -n $C1 -br link   # only lo is left"
ip -n "$C1" -br link
printf '\nThe demo namespaces are removed on exit.\n'
