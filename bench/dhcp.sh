#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# From nothing to a bound DHCP address in a fresh namespace: a macvlan made
# and moved in, then a lease from dnsmasq, installed with its default route.
# cnet does it in one command (cnet attach ... --ip dhcp); busybox udhcpc
# and ISC dhclient get the same macvlan from iproute2 first, and a minimal
# script of the same job each (address with the lease's lifetime, route).
# Rounds interleave the contestants; medians and ratios are reported.
#
# Usage: bench/dhcp.sh [-n N]      (N also from the environment; default 20)
#
# Everything lives in private namespaces: a "bench host" with the uplink,
# and the server's, at the far end. dnsmasq runs with --no-ping: its
# address probe (about 3 s per new lease) would otherwise be all that is
# measured. The script only reports; it fails only if a contestant does.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CNET=${CNET:-$HERE/../build/cnet}
N=${N:-20}
[[ ${1:-} == -n ]] && N=${2:?-n needs a number}
[[ $N =~ ^[1-9][0-9]*$ ]] || { echo "dhcp.sh: N must be a positive number" >&2; exit 2; }
for p in dnsmasq dhclient busybox jq; do
	command -v "$p" >/dev/null || PATH=$PATH:/usr/sbin:/sbin
	command -v "$p" >/dev/null || { echo "dhcp.sh: needs $p" >&2; exit 1; }
done
[ -x "$CNET" ] || { echo "dhcp.sh: no $CNET (run make)" >&2; exit 1; }

T=$$
H=dhb-h-$T S=dhb-s-$T
W=$(mktemp -d /tmp/dhbench.XXXXXX)
CONTESTANTS=(cnet udhcpc dhclient)

cleanup() {
	[ -s "$W/dnsmasq.pid" ] && kill "$(cat "$W/dnsmasq.pid")" 2>/dev/null || true
	for ns in $(ip netns list | awk '{print $1}' | grep -E "^dhb-[a-z]-$T(-|$)"); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$H"
ip netns add "$S"
ip -n "$H" link add up0 type veth peer name up0p netns "$S"
ip -n "$H" link set up0 up
ip -n "$S" addr add 10.88.0.1/16 dev up0p
ip -n "$S" link set up0p up
ip netns exec "$S" dnsmasq --conf-file=/dev/null --user=root --port=0 --interface=up0p \
	--bind-interfaces --except-interface=lo --no-ping \
	--dhcp-range=10.88.1.1,10.88.200.250,255.255.0.0,1h --dhcp-leasefile="$W/leases" \
	--dhcp-option=option:router,10.88.0.1 --pid-file="$W/dnsmasq.pid"

# The clients' hook: what cnet does after the lease, no more.
cat >"$W/udhcpc.sh" <<'EOF'
#!/bin/sh
case $1 in bound | renew)
	ip addr add "$ip/$mask" dev "$interface" valid_lft "$lease" preferred_lft "$lease"
	for r in $router; do ip route replace default via "$r" dev "$interface"; break; done ;;
esac
EOF
cat >"$W/dhclient.sh" <<'EOF'
#!/bin/sh
case $reason in BOUND | RENEW | REBOOT)
	p=$(echo "$new_subnet_mask" | awk -F. '{ n = 0; for (i = 1; i <= 4; i++) { b = $i; while (b) { n += b % 2; b = int(b / 2) } } print n }')
	ip addr add "$new_ip_address/$p" dev "$interface" valid_lft "$new_dhcp_lease_time" preferred_lft "$new_dhcp_lease_time"
	for r in $new_routers; do ip route replace default via "$r" dev "$interface"; break; done ;;
esac
EOF
chmod +x "$W/udhcpc.sh" "$W/dhclient.sh"

macvlan_into() { # NS
	ip -n "$H" link add "mv$T" link up0 type macvlan mode bridge
	ip -n "$H" link set "mv$T" netns "$1" name eth1
	ip -n "$1" link set eth1 up
}

run_one() { # CONTESTANT ROUND
	local c=$1 ns=dhb-c-$T-$2-$1 t0 t1
	ip netns add "$ns"
	t0=$EPOCHREALTIME
	case $c in
	cnet)
		ip netns exec "$H" "$CNET" attach "netns:$ns" macvlan --parent up0 --ip dhcp \
			--state "$W/state.json" >/dev/null ;;
	udhcpc)
		macvlan_into "$ns"
		ip netns exec "$ns" busybox udhcpc -i eth1 -f -q -n -t 10 -T 1 -s "$W/udhcpc.sh" >/dev/null 2>&1 ;;
	dhclient)
		macvlan_into "$ns"
		ip netns exec "$ns" dhclient -4 -1 -sf "$W/dhclient.sh" -pf "$W/dhclient-$2.pid" \
			-lf "$W/dhclient-$2.leases" eth1 >/dev/null 2>&1 ;;
	esac
	t1=$EPOCHREALTIME
	ip -n "$ns" -4 -j addr show dev eth1 | jq -e '.[0].addr_info | length == 1' >/dev/null ||
		{ echo "dhcp.sh: $c left no address" >&2; exit 1; }
	echo "$c $(((${t1/./} - ${t0/./}) ))" >>"$W/times"
	[ "$c" = dhclient ] && kill "$(cat "$W/dhclient-$2.pid")" 2>/dev/null || true
	[ "$c" = cnet ] && ip netns exec "$H" "$CNET" detach "netns:$ns" --state "$W/state.json" >/dev/null
	ip netns del "$ns"
}

for ((i = 0; i < N; i++)); do
	for c in "${CONTESTANTS[@]}"; do run_one "$c" "$i"; done
done

median() { # CONTESTANT -> ms
	awk -v c="$1" '$1 == c { print $2 }' "$W/times" | sort -n |
		awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }'
}
declare -A M
printf '%-10s %10s\n' contestant median_ms
for c in "${CONTESTANTS[@]}"; do
	M[$c]=$(median "$c")
	printf '%-10s %10s\n' "$c" "${M[$c]}"
done
awk -v a="${M[cnet]}" -v b="${M[udhcpc]}" -v d="${M[dhclient]}" \
	'BEGIN { printf "ratio cnet/udhcpc: %.3f, cnet/dhclient: %.3f (medians)\n", a / b, a / d }'
echo "N=$N, kernel $(uname -r), $("$CNET" version), dnsmasq --no-ping"
