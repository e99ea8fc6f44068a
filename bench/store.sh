#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The state store, side by side in one run: the old cnet, which rewrites one
# whole JSON document per change (schema 2), against this one, which appends
# to a journal beside a snapshot (schema 3).
#  (a) one macvlan attach, a reapply of that one target (nothing to
#      change) and its detach, into a fresh namespace, with an empty store
#      and with FILL (default 1,000) records already in it (records of
#      namespaces that do not exist, written by hand: these commands only
#      read them); median ms of R rounds, and the ratio filled/empty;
#  (b) reapply over 1,000 and N records (N real namespaces with a macvlan
#      each): nothing to change, and every container restarted (namespace
#      deleted and made again); seconds and peak RSS;
#  (c) C attaches into C namespaces, all at once against one by one.
# Reports only; it fails only if a contestant does.
#
# Usage: bench/store.sh [-n N] [-r R] [-c C] [--json]
#   -n N  records for the large reapply (default 10000)
#   -r R  rounds of (a) (default 20)
#   -c C  attaches of (c) (default 50)
# CNET: the new cnet (default build/cnet). CNET_OLD: the old one; default:
# built once from commit $OLD_REV (ab4acaa, the last whole-document store)
# into build/bench-old-REV/. OLD_TIMEOUT: seconds the old cnet gets for
# one reapply (default 300; the old one repairs 10,000 restarted
# containers in far more). FILL: the records already in the store in (a)
# (default 1000).
#
# Everything happens inside a private "bench host" namespace whose veth
# pair is the uplink, and throwaway container namespaces; nothing else is
# touched.
set -euo pipefail
export LC_ALL=C # $EPOCHREALTIME must use '.' as its decimal point

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
CNET=${CNET:-$TOP/build/cnet}
OLD_REV=${OLD_REV:-ab4acaa}
OLD_TIMEOUT=${OLD_TIMEOUT:-300}
UPLINK=up0
GW=10.0.0.1
FILL=${FILL:-1000} # records already in the store in (a)

N=${N:-10000}
R=${R:-20}
C=${C:-50}
JSON=0

die() {
	echo "store.sh: $*" >&2
	exit 1
}

usage() {
	sed -n '/^# Usage/,/^# CNET:/{/^# CNET:/d;s/^# //p}' "${BASH_SOURCE[0]}"
	exit "${1:-0}"
}

parse_args() {
	while (($#)); do
		case $1 in
		-n) N=${2:?-n needs a number}; shift ;;
		-r) R=${2:?-r needs a number}; shift ;;
		-c) C=${2:?-c needs a number}; shift ;;
		--json) JSON=1 ;;
		-h | --help) usage 0 ;;
		*) usage 2 >&2 ;;
		esac
		shift
	done
	[[ $N =~ ^[1-9][0-9]*$ ]] && ((N <= 60000)) || die "N must be 1..60000, not '$N'"
	[[ $R =~ ^[1-9][0-9]*$ ]] && ((R <= 10000)) || die "R must be 1..10000, not '$R'"
	[[ $C =~ ^[1-9][0-9]*$ ]] && ((C <= 1000)) || die "C must be 1..1000, not '$C'"
	[[ $FILL =~ ^[1-9][0-9]*$ ]] && ((FILL <= 1000000)) || die "FILL must be 1..1000000, not '$FILL'"
}

# ---- helpers (inner part: run inside the bench host namespace) ------------------

now() { echo "${EPOCHREALTIME/./}"; } # microseconds

# The k-th live address (k from 1), in 10.0.0.0/8 beside the gateway.
addr_of() {
	local k=$1
	echo "10.$((k / 62500 + 1)).$((k / 250 % 250)).$((k % 250 + 1))"
}

ns_add() { ip netns add "$1"; }
ns_del() { ip netns del "$1" 2>/dev/null || true; }

# Namespaces being torn down: the kernel does it in the background, holding
# the locks every netlink request needs, so a run right after a mass delete
# would time that too. Wait until the count of live namespace objects is
# back to what it was (others on the machine may move it a little), or
# has stopped falling for 2 s.
netns_objs() {
	awk '$1 == "net_namespace" { print $2 }' /proc/slabinfo 2>/dev/null
}
settle() { # namespace objects there were before
	local want=$(($1 + 20 + REAP_NS / 50)) i cur last=-1 same=0
	if [[ -z $(netns_objs) ]]; then
		sleep $((5 + N / 1000))
		return
	fi
	for ((i = 0; i < 600; i++)); do
		cur=$(netns_objs)
		((cur <= want)) && break
		if ((cur == last)); then
			((++same >= 4)) && break
		else
			same=0
		fi
		last=$cur
		sleep 0.5
	done
	sleep 1
}

# One command with its output kept; fails the bench if it fails.
must() { # what, command...
	local what=$1
	shift
	"$@" >"$WORK/out" 2>&1 || {
		echo "store.sh: $what failed:" >&2
		cat "$WORK/out" >&2
		exit 1
	}
}

attach() { # binary, state, netns, address
	"$1" attach "netns:$3" macvlan --parent "$UPLINK" --ip "$4/8" --gw "$GW" --state "$2"
}

# ---- (a) per attach, empty store against FILL records ------------------------

# FILL records like the one in store $2 (as cnet ls --json shows it), for
# namespaces that do not exist, each with its own id, namespace identity,
# address and MAC: one compact record a line.
fake_records() { # binary, state
	"$1" ls --json --state "$2" | jq -c --argjson n "$FILL" --arg tag "$TAG" '
		def hex2: . as $v | "0123456789abcdef" as $h | $h[($v / 16 | floor):($v / 16 | floor) + 1] + $h[($v % 16):($v % 16) + 1];
		.records[0] | del(.status, .reason) as $t | range($n) as $i | $t
		| .id = "e" + ("0000000" + ($i | tostring))[-7:]
		| .target = "netns:\($tag)-gone-\($i)"
		| .netns.ino = 4026600000 + $i | .netns.cookie = 90000000 + $i
		| .options.ip = ["10.250.\($i / 250 | floor).\($i % 250 + 1)/8"]
		| .link.ifindex = 2
		| .link.mac = "02:ce:00:\($i / 65536 | floor | hex2):\($i / 256 % 256 | floor | hex2):\($i % 256 | hex2)"'
}

# A store of FILL records for each binary, in its own format: schema 2, one
# document, for the old; a schema 3 snapshot (cnet(8), FILES) for the new,
# checked by the new cnet itself.
prefill() { # variant (old|new), state, template-state, binary
	local recs=$WORK/fake.jsonl
	fake_records "$4" "$3" >"$recs"
	[ "$(wc -l <"$recs")" = "$FILL" ] || die "could not make $FILL records"
	rm -f "$2" "$2.journal"
	if [[ $1 == old ]]; then
		jq -s '{schema: 2, records: .}' "$recs" >"$2"
	else
		{
			echo '{"schema":3,"records":['
			sed '$!s/$/,/' "$recs"
			echo ']}'
		} >"$2"
		must "store check of the hand-written snapshot" "$CNET" store check --state "$2"
		grep -q "state store .*: $FILL records" "$WORK/out" ||
			die "the new cnet does not read the hand-written snapshot as $FILL records: $(cat "$WORK/out")"
	fi
	chmod 600 "$2"
}

VARIANTS=(old-0 "old-$FILL" new-0 "new-$FILL")

bin_of() { [[ $1 == old* ]] && echo "$CNET_OLD" || echo "$CNET"; }

# One round: each variant attaches into a fresh namespace, reapplies that
# target and detaches, in an order that rotates with the round. Appends
# "variant op us".
per_attach_round() { # round
	local r=$1 j v b ns t0 t1 t2 t3 st
	for ((j = 0; j < 4; j++)); do
		v=${VARIANTS[(r + j) % 4]}
		b=$(bin_of "$v")
		st=$WORK/a-$v.json
		ns=$TAG-a-$v
		ns_add "$ns"
		t0=$(now)
		must "$v attach (round $r)" attach "$b" "$st" "$ns" "$(addr_of $((r + 2)))"
		t1=$(now)
		must "$v reapply (round $r)" "$b" reapply "netns:$ns" --state "$st"
		t2=$(now)
		grep -q '^ok: ' "$WORK/out" || die "$v reapply of netns:$ns: $(cat "$WORK/out")"
		must "$v detach (round $r)" "$b" detach "netns:$ns" --state "$st"
		t3=$(now)
		ns_del "$ns"
		((r < 0)) || printf '%s attach %d\n%s reapply1 %d\n%s detach %d\n' "$v" $((t1 - t0)) \
			"$v" $((t2 - t1)) "$v" $((t3 - t2)) >>"$WORK/a.times"
	done
}

bench_per_attach() {
	local r v
	# Templates: one real record of each binary, read back by it.
	ns_add "$TAG-tmpl"
	for v in old new; do
		must "$v template attach" attach "$(bin_of $v)" "$WORK/tmpl-$v.json" "$TAG-tmpl" "$(addr_of 1)"
		prefill "$v" "$WORK/a-$v-$FILL.json" "$WORK/tmpl-$v.json" "$(bin_of $v)"
		must "$v template detach" "$(bin_of $v)" detach "netns:$TAG-tmpl" --state "$WORK/tmpl-$v.json"
	done
	ns_del "$TAG-tmpl"
	# Round -1, untimed: makes the empty stores and the new one's journal
	# (preallocated once), migrates nothing: every store is in its format.
	per_attach_round -1
	: >"$WORK/a.times"
	for ((r = 0; r < R; r++)); do
		per_attach_round "$r"
	done
	for v in "${VARIANTS[@]}"; do
		[ "$("$(bin_of "$v")" ls --json --state "$WORK/a-$v.json" | jq '.records | length')" = "${v#*-}" ] ||
			die "$v: the store does not hold ${v#*-} records after the rounds"
	done
}

# ---- (b) reapply over 1,000 and N records ------------------------------------

REAP_NS=0 # namespaces 1..REAP_NS exist, each with a macvlan recorded in new.json

grow_to() { # n: namespaces and attaches up to n, timed ("ms per namespace")
	local n=$1 i t0 t1 t2
	t0=$(now)
	for ((i = REAP_NS + 1; i <= n; i++)); do
		ns_add "$TAG-$i"
	done
	t1=$(now)
	for ((i = REAP_NS + 1; i <= n; i++)); do
		must "setup attach $i" attach "$CNET" "$WORK/new.json" "$TAG-$i" "$(addr_of $((i + 10)))"
	done
	t2=$(now)
	if ((n > REAP_NS)); then
		SETUP_NS_MS=$(awk -v a=$((t1 - t0)) -v n=$((n - REAP_NS)) 'BEGIN { printf "%.2f", a / n / 1000 }')
		SETUP_ATT_MS=$(awk -v a=$((t2 - t1)) -v n=$((n - REAP_NS)) 'BEGIN { printf "%.2f", a / n / 1000 }')
		echo "store.sh: $((n - REAP_NS)) namespaces made in $(((t1 - t0) / 1000)) ms, attached (new cnet) in $(((t2 - t1) / 1000)) ms" >&2
	fi
	REAP_NS=$n
	# Both stores hold the same n records: the new one compacted, the old
	# one the same records as one schema 2 document.
	must "store compact" "$CNET" store compact --state "$WORK/new.json"
	"$CNET" ls --json --state "$WORK/new.json" |
		jq '{schema: 2, records: [.records[] | del(.status, .reason)]}' >"$WORK/old.json"
	chmod 600 "$WORK/old.json"
	[ "$(jq '.records | length' "$WORK/old.json")" = "$n" ] || die "the store does not hold $n records"
}

# One timed reapply: "seconds peak-KiB", or "- -" when it ran out of time.
# timeout runs under time, whose figure is then the larger of the two
# processes' peaks: cnet's.
timed_reapply() { # variant, what-every-line-says
	local b st out t0 t1 limit=0 rc=0
	b=$(bin_of "$1")
	st=$WORK/$1.json
	[[ $1 == old ]] && limit=$OLD_TIMEOUT
	t0=$(now)
	/usr/bin/time -f '%M' -o "$WORK/time" timeout "$limit" "$b" reapply --state "$st" \
		>"$WORK/reapply.out" 2>&1 || rc=$?
	t1=$(now)
	if ((rc == 124)); then
		echo "- -"
		return
	elif ((rc != 0)); then
		echo "store.sh: $1 reapply failed (exit $rc):" >&2
		head -5 "$WORK/reapply.out" >&2
		exit 1
	fi
	out=$(grep -c "^$2: " "$WORK/reapply.out" || true)
	[ "$out" = "$REAP_NS" ] ||
		die "$1 reapply: expected $REAP_NS '$2' lines, got $out: $(head -3 "$WORK/reapply.out")"
	awk -v us=$((t1 - t0)) -v m="$(tail -n 1 "$WORK/time")" 'BEGIN { printf "%.3f %s\n", us / 1e6, m }'
}

restart_all() {
	local i before
	before=$(netns_objs)
	for ((i = 1; i <= REAP_NS; i++)); do
		ip netns del "$TAG-$i"
		ip netns add "$TAG-$i"
	done
	settle "${before:-0}"
}

median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

bench_reapply() { # n: appends "n variant case seconds kib" to reap.times
	local n=$1 v idle
	grow_to "$n"
	for v in old new; do
		idle=()
		for _ in 1 2 3; do idle+=("$(timed_reapply "$v" ok)"); done
		echo "$n $v idle $(median3 "${idle[@]}")" >>"$WORK/reap.times"
	done
	for v in old new; do
		restart_all
		echo "$n $v restarted $(timed_reapply "$v" repaired)" >>"$WORK/reap.times"
		# The old one may have run out of time half way: the new one's
		# restart starts from scratch anyway; bring the old one's store
		# back to a converged state for the next size.
	done
	# What the old reapply left behind is not what the next size expects:
	# its store is made again from the new one's by grow_to.
}

# ---- (c) C attaches, all at once against one by one --------------------------

conc_run() { # variant (old|new), mode (seq|conc), repetition: prints seconds
	local b st i t0 t1 pids=() fail=0
	b=$(bin_of "$1")
	st=$WORK/c-$1-$2-$3.json
	for ((i = 1; i <= C; i++)); do ns_add "$TAG-c-$i"; done
	t0=$(now)
	if [[ $2 == seq ]]; then
		for ((i = 1; i <= C; i++)); do
			attach "$b" "$st" "$TAG-c-$i" "$(addr_of $((i + 20)))" >"$WORK/c.$i.out" 2>&1 || fail=$i
		done
	else
		for ((i = 1; i <= C; i++)); do
			attach "$b" "$st" "$TAG-c-$i" "$(addr_of $((i + 20)))" >"$WORK/c.$i.out" 2>&1 &
			pids+=($!)
		done
		for ((i = 1; i <= C; i++)); do
			wait "${pids[i - 1]}" || fail=$i
		done
	fi
	t1=$(now)
	((fail == 0)) || die "$1 $2 attach $fail failed: $(cat "$WORK/c.$fail.out")"
	[ "$("$b" ls --json --state "$st" | jq '.records | length')" = "$C" ] ||
		die "$1 $2: the store does not hold $C records"
	for ((i = 1; i <= C; i++)); do ns_del "$TAG-c-$i"; done
	awk -v us=$((t1 - t0)) 'BEGIN { printf "%.3f\n", us / 1e6 }'
}

bench_concurrent() {
	local rep v m
	for rep in 1 2 3; do
		for v in old new; do
			for m in seq conc; do
				echo "$v $m $(conc_run "$v" "$m" "$rep")" >>"$WORK/c.times"
			done
		done
	done
}

inner_cleanup() {
	local f
	for f in /run/netns/"$TAG"-*; do
		[[ -e $f ]] && ip netns del "${f##*/}" 2>/dev/null || true
	done
}

inner() {
	trap inner_cleanup EXIT
	trap 'exit 130' INT TERM
	echo "store.sh: (a) per attach, $R rounds" >&2
	bench_per_attach
	echo "store.sh: (b) reapply" >&2
	: >"$WORK/reap.times"
	local before
	before=$(netns_objs)
	SMALL=$((N < 1000 ? N : 1000))
	bench_reapply "$SMALL"
	{ echo "SMALL=$SMALL"; echo "SETUP_SMALL='$SETUP_NS_MS $SETUP_ATT_MS'"; } >"$WORK/vars"
	if ((N > SMALL)); then
		bench_reapply "$N"
		echo "SETUP_LARGE='$SETUP_NS_MS $SETUP_ATT_MS'" >>"$WORK/vars"
	fi
	inner_cleanup
	# (c) must not time the teardown of (b)'s namespaces
	REAP_NS=0
	settle "${before:-0}"
	echo "store.sh: (c) $C attaches at once against one by one" >&2
	: >"$WORK/c.times"
	bench_concurrent
}

# ---- outer part: setup, isolation, report ----------------------------------------

outer_cleanup() {
	local f
	for f in /run/netns/"$TAG"-*; do
		[[ -e $f ]] && ip netns del "${f##*/}" 2>/dev/null || true
	done
	ip netns del "$HOST_NS" 2>/dev/null || true
	rm -rf "$WORK"
}

old_cnet() {
	local dir=$TOP/build/bench-old-$OLD_REV
	if [[ -n ${CNET_OLD:-} ]]; then
		[[ -x $CNET_OLD ]] || die "CNET_OLD=$CNET_OLD is not executable"
		return
	fi
	CNET_OLD=$dir/build/cnet
	[[ -x $CNET_OLD ]] && return
	echo "store.sh: building the old cnet ($OLD_REV) in $dir" >&2
	rm -rf "$dir"
	mkdir -p "$dir"
	git -C "$TOP" archive "$OLD_REV" | tar -x -C "$dir" || die "cannot take $OLD_REV from git"
	make -s -C "$dir" all >&2 || die "cannot build the old cnet"
}

check_prereqs() {
	((EUID == 0)) || die "must run as root"
	[[ -x $CNET ]] || die "no cnet at $CNET (run 'make all')"
	"$CNET" store --help >/dev/null 2>&1 || die "$CNET has no 'store' command: not a journal store"
	command -v jq >/dev/null || die "jq is needed"
	command -v nsenter >/dev/null || die "nsenter (util-linux) is needed"
	[[ -x /usr/bin/time ]] || die "/usr/bin/time is needed (Debian package time)"
}

# Median (ms) of variant/op in a.times
med_a() { # variant op
	awk -v v="$1" -v o="$2" '$1 == v && $2 == o { print $3 }' "$WORK/a.times" | sort -n |
		awk '{ x[NR] = $1 } END { m = NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2; printf "%.2f", m / 1000 }'
}

ratio() { # a b: a/b, or "-" when either is not a number
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'
}

# A field of reap.times: n variant case -> "seconds kib"
reap() { # n variant case
	awk -v n="$1" -v v="$2" -v c="$3" '$1 == n && $2 == v && $3 == c { print $4, $5 }' "$WORK/reap.times"
}

med_c() { # variant mode
	awk -v v="$1" -v m="$2" '$1 == v && $2 == m { print $3 }' "$WORK/c.times" | sort -n | sed -n 2p
}

json_num() { [[ $1 == - ]] && echo null || echo "$1"; }

report() {
	local v op n c s k sizes=("$SMALL") per_old per_new
	((N > SMALL)) && sizes+=("$N")
	if ((JSON)); then
		{
			printf '{"kernel":"%s","nproc":%d,"rounds":%d,"fill":%d,' "$(uname -r)" "$(nproc)" "$R" "$FILL"
			printf '"new":"%s","old":"%s",' "$("$CNET" version)" "$("$CNET_OLD" version) ($OLD_REV)"
			printf '"per_attach_ms":{'
			for v in old new; do
				printf '"%s":{' "$v"
				for op in attach reapply1 detach; do
					printf '"%s":{"empty":%s,"filled":%s,"ratio":%s}' "$op" "$(med_a "$v-0" "$op")" \
						"$(med_a "$v-$FILL" "$op")" "$(ratio "$(med_a "$v-$FILL" "$op")" "$(med_a "$v-0" "$op")")"
					[[ $op == detach ]] || printf ','
				done
				printf '}'
				[[ $v == old ]] && printf ','
			done
			printf '},"reapply":['
			for n in "${sizes[@]}"; do
				[[ $n == "$SMALL" ]] || printf ','
				printf '{"records":%d' "$n"
				for v in old new; do
					for c in idle restarted; do
						read -r s k < <(reap "$n" "$v" "$c")
						printf ',"%s_%s":{"seconds":%s,"peak_kib":%s}' "$v" "$c" "$(json_num "$s")" "$(json_num "$k")"
					done
				done
				printf '}'
			done
			printf '],"attach_%d":{' "$C"
			for v in old new; do
				printf '"%s":{"one_by_one_s":%s,"concurrent_s":%s,"ratio":%s}' "$v" "$(med_c "$v" seq)" \
					"$(med_c "$v" conc)" "$(ratio "$(med_c "$v" conc)" "$(med_c "$v" seq)")"
				[[ $v == old ]] && printf ','
			done
			printf '}}\n'
		} | jq -c .
		return
	fi
	echo "(a) one attach, a reapply of that target, its detach, median of $R rounds (ms)"
	printf '%-28s %9s %9s %9s\n' "" old new new/old
	for op in attach reapply1 detach; do
		for s in 0 "$FILL"; do
			printf '%-28s %9s %9s %9s\n' "${op/reapply1/reapply TARGET}, $s records" "$(med_a "old-$s" "$op")" "$(med_a "new-$s" "$op")" \
				"$(ratio "$(med_a "new-$s" "$op")" "$(med_a "old-$s" "$op")")"
		done
		printf '%-28s %9s %9s\n' "  ratio $FILL records/empty" "$(ratio "$(med_a "old-$FILL" "$op")" "$(med_a old-0 "$op")")" \
			"$(ratio "$(med_a "new-$FILL" "$op")" "$(med_a new-0 "$op")")"
	done
	echo
	echo "(b) reapply (seconds, peak RSS KiB; nothing to change: median of 3)"
	printf '%-34s %9s %9s %9s %9s %9s\n' "" old_s old_KiB new_s new_KiB new/old
	for n in "${sizes[@]}"; do
		for c in idle restarted; do
			read -r s k < <(reap "$n" old "$c")
			read -r v op < <(reap "$n" new "$c")
			printf '%-34s %9s %9s %9s %9s %9s\n' \
				"$n records, $([[ $c == idle ]] && echo "nothing to change" || echo "all restarted")" \
				"$s" "$k" "$v" "$op" "$(ratio "$v" "$s")"
			if [[ $c == restarted ]]; then
				per_old=$(awk -v s="$s" -v n="$n" 'BEGIN { if (s == "-") print "-"; else printf "%.2f", s * 1000 / n }')
				per_new=$(awk -v s="$v" -v n="$n" 'BEGIN { printf "%.2f", s * 1000 / n }')
				printf '%-34s %9s %9s %9s\n' "  ms per repair" "$per_old" "" "$per_new"
			fi
		done
	done
	[[ $(reap "$N" old restarted) == "- -" ]] && echo "  (-: the old cnet did not finish within OLD_TIMEOUT=$OLD_TIMEOUT s)"
	read -r s k <<<"$SETUP_SMALL"
	echo "  setup: ip netns add $s ms per namespace, new cnet attach $k ms each (first $SMALL)"
	if [[ -n ${SETUP_LARGE:-} ]]; then
		read -r s k <<<"$SETUP_LARGE"
		echo "  setup: ip netns add $s ms per namespace, new cnet attach $k ms each (up to $N)"
	fi
	echo
	echo "(c) $C macvlan attaches into $C namespaces, empty store (seconds, median of 3)"
	printf '%-28s %9s %9s\n' "" old new
	printf '%-28s %9s %9s\n' "one by one" "$(med_c old seq)" "$(med_c new seq)"
	printf '%-28s %9s %9s\n' "all at once" "$(med_c old conc)" "$(med_c new conc)"
	printf '%-28s %9s %9s\n' "  ratio at once/one by one" "$(ratio "$(med_c old conc)" "$(med_c old seq)")" \
		"$(ratio "$(med_c new conc)" "$(med_c new seq)")"
	echo
	echo "kernel $(uname -r), nproc $(nproc), new: $("$CNET" version), old: $("$CNET_OLD" version) ($OLD_REV), store on $(df --output=fstype "$WORK" | tail -n 1)"
}

outer() {
	check_prereqs
	old_cnet
	TAG=cnst$$
	HOST_NS=cnsthost$$
	WORK=$(mktemp -d /var/tmp/cnstore.XXXXXX)
	trap outer_cleanup EXIT
	trap 'exit 130' INT TERM
	ip netns add "$HOST_NS"
	ip -n "$HOST_NS" link set lo up
	ip -n "$HOST_NS" link add "$UPLINK" type veth peer name up0p
	ip -n "$HOST_NS" link set "$UPLINK" up
	ip -n "$HOST_NS" link set up0p up
	# nsenter rather than 'ip netns exec', which remounts /sys on every call.
	CNBENCH_INNER=1 TAG=$TAG WORK=$WORK CNET=$CNET CNET_OLD=$CNET_OLD N=$N R=$R C=$C FILL=$FILL \
		OLD_TIMEOUT=$OLD_TIMEOUT nsenter --net="/run/netns/$HOST_NS" bash "${BASH_SOURCE[0]}"
	# shellcheck source=/dev/null
	. "$WORK/vars"
	report
}

parse_args "$@"
if [[ ${CNBENCH_INNER:-} == 1 ]]; then
	inner
else
	outer
fi
