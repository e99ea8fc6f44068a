#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# How long does one macvlan attach (static /16 address + default route) into
# a fresh network namespace take with cnet, with the CNI reference macvlan
# plugin (static IPAM), and with the fastest plain iproute2 form?
#
# Usage: bench/attach.sh [-n N] [--json]      (N also from the environment)
#
# Everything happens inside a private "bench host" namespace whose veth pair
# is the uplink, so no host interface is touched and nothing leaves the box.
# The script only reports; it exits non-zero only if a contestant fails.
set -euo pipefail
export LC_ALL=C # $EPOCHREALTIME must use '.' as its decimal point

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CNET=${CNET:-$HERE/../build/cnet}
CNI_DIR=${CNI_PATH:-/usr/lib/cni}
UPLINK=cnb-up
GW=10.77.0.1
CONTESTANTS=(cnet cni-macvlan iproute2)

N=${N:-100}
JSON=0

die() {
	echo "attach.sh: $*" >&2
	exit 1
}

usage() {
	sed -n '/^# Usage/s/^# //p' "${BASH_SOURCE[0]}"
	exit "${1:-0}"
}

parse_args() {
	while (($#)); do
		case $1 in
		-n) N=${2:?-n needs a number}; shift ;;
		--json) JSON=1 ;;
		-h | --help) usage 0 ;;
		*) usage 2 >&2 ;;
		esac
		shift
	done
	if ! [[ $N =~ ^[1-9][0-9]*$ ]] || ((N > 20000)); then
		die "N must be 1..20000, not '$N'"
	fi
}

# ---- addresses and namespaces ------------------------------------------------

# The k-th attach's address; k starts at 0, never yields the gateway.
addr_of() {
	echo "10.77.$((1 + $1 / 250)).$((1 + $1 % 250))"
}

ns_name() { # round, contestant index
	echo "cnb-$TAG-$1-$2"
}

# ---- the contestants (argument: netns name, address) ---------------------------

run_cnet() {
	"$CNET" attach "netns:$1" macvlan --parent "$UPLINK" --ip "$2/16" --gw "$GW" \
		--state "$WORK/state.json"
}

cni_config() { # address
	jq -cn --arg v "$CNI_VERSION" --arg up "$UPLINK" --arg a "$1/16" --arg gw "$GW" \
		'{cniVersion: $v, name: "bench", type: "macvlan", master: $up, mode: "bridge",
		  ipam: {type: "static", addresses: [{address: $a, gateway: $gw}],
		         routes: [{dst: "0.0.0.0/0"}]}}'
}

# The config is built by the caller, outside the timed part.
run_cni-macvlan() {
	CNI_COMMAND=ADD CNI_CONTAINERID="cnbench-$1" CNI_NETNS="/run/netns/$1" \
		CNI_IFNAME=eth1 CNI_PATH="$CNI_DIR" "$CNI_DIR/macvlan" <<<"$CNI_CONF"
}

run_iproute2() {
	ip link add cnbtmp link "$UPLINK" netns "$1" type macvlan mode bridge &&
		ip -n "$1" -batch - <<<"link set cnbtmp name eth1 up
addr add $2/16 dev eth1
route add default via $GW"
}

# ---- inner part: runs inside the bench host namespace --------------------------

INNER_NS=()

inner_cleanup() {
	local ns
	for ns in "${INNER_NS[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
}

new_ns() {
	ip netns add "$1"
	INNER_NS+=("$1")
}

verify() { # netns, address
	ip -n "$1" -j addr show dev eth1 |
		jq -se --arg a "$2" 'any(.[][].addr_info[]; .local == $a and .prefixlen == 16)' >/dev/null ||
		die "no $2/16 on eth1 in $1"
	ip -n "$1" route show default | grep -q "via $GW dev eth1" ||
		die "no default route via $GW on eth1 in $1"
}

# One attach; appends "contestant microseconds" to the results file.
attach_one() { # contestant, netns, address
	local t0 t1 log=$WORK/last.log
	[[ $1 != cni-macvlan ]] || CNI_CONF=$(cni_config "$3")
	t0=$EPOCHREALTIME
	if ! "run_$1" "$2" "$3" >"$log" 2>&1; then
		echo "attach.sh: $1 failed attaching $3 into $2:" >&2
		cat "$log" >&2
		exit 1
	fi
	t1=$EPOCHREALTIME
	echo "$1 $((${t1/./} - ${t0/./}))" >>"$WORK/times"
}

# Detaching keeps cnet's store at its steady size; deleting the namespace
# alone would leave a stale record per round behind.
end_round() { # round
	local c
	"$CNET" detach "netns:$(ns_name "$1" 0)" --state "$WORK/state.json" >/dev/null
	for c in 0 1 2; do
		ip netns del "$(ns_name "$1" "$c")"
	done
	INNER_NS=()
}

# Round r: every contestant attaches once, starting with contestant r % 3.
# Round -1 is the untimed smoke test.
round() { # round
	local r=$1 j c ns k
	for c in 0 1 2; do
		new_ns "$(ns_name "$r" "$c")"
	done
	for j in 0 1 2; do
		c=$(((r + 3 + j) % 3))
		ns=$(ns_name "$r" "$c")
		k=$((3 * (r + 1) + c))
		attach_one "${CONTESTANTS[c]}" "$ns" "$(addr_of "$k")"
	done
	if ((r < 0 || r % 10 == 0 || r == N - 1)); then
		for c in 0 1 2; do
			verify "$(ns_name "$r" "$c")" "$(addr_of $((3 * (r + 1) + c)))"
		done
	fi
	end_round "$r"
}

inner() {
	local r
	trap inner_cleanup EXIT
	trap 'exit 130' INT TERM
	round -1
	: >"$WORK/times" # the smoke round is not counted
	for ((r = 0; r < N; r++)); do
		round "$r"
	done
}

# ---- outer part: setup, isolation, report ----------------------------------------

outer_cleanup() {
	local f
	# Leftovers of an inner shell that died too hard to clean up after itself.
	for f in /run/netns/cnb-"$TAG"-*; do
		[[ -e $f ]] && ip netns del "${f##*/}"
	done
	ip netns del "$HOST_NS" 2>/dev/null || true
	rm -rf "$WORK"
}

check_prereqs() {
	((EUID == 0)) || die "must run as root"
	[[ -x $CNET ]] || die "no cnet at $CNET (run 'make all')"
	[[ -x $CNI_DIR/macvlan && -x $CNI_DIR/static ]] ||
		die "no CNI macvlan/static plugins in $CNI_DIR (apt-get install containernetworking-plugins)"
	command -v jq >/dev/null || die "jq is needed"
	command -v nsenter >/dev/null || die "nsenter (util-linux) is needed"
}

# The newest CNI spec version both macvlan and static support.
pick_cni_version() {
	local p
	for p in macvlan static; do
		CNI_COMMAND=VERSION "$CNI_DIR/$p" </dev/null | jq -r '.supportedVersions[]'
	done | sort -V | uniq -d | tail -n 1
}

make_host_ns() {
	ip netns add "$HOST_NS"
	ip -n "$HOST_NS" link set lo up
	ip -n "$HOST_NS" link add "$UPLINK" type veth peer name cnb-peer
	ip -n "$HOST_NS" link set "$UPLINK" up
	ip -n "$HOST_NS" link set cnb-peer up
}

# Median and p90 (nearest rank) in ms of one contestant's samples.
stats() { # contestant
	awk -v c="$1" '$1 == c { print $2 }' "$WORK/times" | sort -n |
		awk '{ v[NR] = $1 }
		     END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		           p = int(0.9 * NR); if (p < 0.9 * NR) p++
		           printf "%.2f %.2f\n", m / 1000, v[p] / 1000 }'
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

report() {
	local c kernel cpus med p90
	local -A MED P90
	kernel=$(uname -r) cpus=$(nproc)
	for c in "${CONTESTANTS[@]}"; do
		read -r med p90 < <(stats "$c")
		MED[$c]=$med P90[$c]=$p90
	done
	local r_cni r_ip
	r_cni=$(ratio "${MED[cnet]}" "${MED[cni-macvlan]}")
	r_ip=$(ratio "${MED[cnet]}" "${MED[iproute2]}")
	if ((JSON)); then
		jq -cn --arg k "$kernel" --argjson p "$cpus" --argjson n "$N" --arg v "$CNI_VERSION" \
			--argjson cm "${MED[cnet]}" --argjson cp "${P90[cnet]}" \
			--argjson nm "${MED[cni-macvlan]}" --argjson np "${P90[cni-macvlan]}" \
			--argjson im "${MED[iproute2]}" --argjson ip "${P90[iproute2]}" \
			--argjson rc "$r_cni" --argjson ri "$r_ip" \
			'{kernel: $k, nproc: $p, n: $n, cni_version: $v,
			  cnet: {median_ms: $cm, p90_ms: $cp},
			  "cni-macvlan": {median_ms: $nm, p90_ms: $np},
			  iproute2: {median_ms: $im, p90_ms: $ip},
			  ratio_median: {"cnet/cni": $rc, "cnet/iproute2": $ri}}'
		return
	fi
	printf '%-12s %10s %8s\n' contestant median_ms p90_ms
	for c in "${CONTESTANTS[@]}"; do
		printf '%-12s %10s %8s\n' "$c" "${MED[$c]}" "${P90[$c]}"
	done
	echo "ratio cnet/cni: $r_cni (median), cnet/iproute2: $r_ip (median)"
	echo "kernel $kernel, nproc $cpus, N=$N, CNI spec $CNI_VERSION, $("$CNET" version)"
}

outer() {
	check_prereqs
	CNI_VERSION=$(pick_cni_version)
	[[ -n $CNI_VERSION ]] || die "cannot tell which CNI version the plugins support"
	TAG=$$
	HOST_NS=cnbench-host-$TAG
	WORK=$(mktemp -d /tmp/cnbench.XXXXXX)
	trap outer_cleanup EXIT
	trap 'exit 130' INT TERM
	make_host_ns
	# The whole loop runs in the bench host namespace, so no contestant pays
	# for entering it. nsenter rather than 'ip netns exec': the latter's
	# private mount namespace would hide the container namespaces' mounts,
	# leaving bare files in /run/netns that confuse 'ip netns list'.
	CNBENCH_INNER=1 TAG=$TAG WORK=$WORK CNI_VERSION=$CNI_VERSION N=$N \
		nsenter --net="/run/netns/$HOST_NS" bash "${BASH_SOURCE[0]}"
	report
}

parse_args "$@"
if [[ ${CNBENCH_INNER:-} == 1 ]]; then
	inner
else
	outer
fi
