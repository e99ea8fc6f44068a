#!/usr/bin/env bats
# bats file_tags=netns
# pair: one veth whose ends are made straight in two containers, A (CNS,
# the target) and B (CNS2, --peer), with nothing in the host namespace at
# any moment; one record covers both ends. Outcomes are read back from the
# kernel of each namespace; cnet's output only where the output is what is
# tested (ls, show, --json of reapply and --dry-run).

load test_helper

setup() {
	setup_host
	BG=()
}

teardown() {
	[ "${#BG[@]}" = 0 ] || kill "${BG[@]}" 2>/dev/null || true
	teardown_host
}

# Host, A, store, and B: everything a pair may touch.
world() {
	world_snapshot
	echo ---
	ns_state "$CNS2"
}

records() { state_doc | jq '.records | length'; }

# The namespace has no link but lo.
only_lo() { # NS
	[ "$(ip -n "$1" -j link show | jq -r '.[].ifname')" = lo ] || fail "left in $1: $(ip -n "$1" -br link)"
}

# The links of a namespace, sorted names.
names_of() { # NS
	ip -n "$1" -j link show | jq -r '.[].ifname' | sort | paste -sd' '
}

# The name of the namespace that NSID means, seen from namespace NS.
nsid_name() { # NS NSID
	ip -n "$1" -j netns list-id | jq -r --argjson id "$2" '.[] | select(.nsid == $id) | .name'
}

# Both ends as the kernel has them: links, addresses, routes of A and B;
# the mark (alias cnet:ID) as the record's ID, which a repair renews.
ends() {
	local id
	id=$(state_doc | jq -r '.records[0].id // "-"')
	{
		ns_state "$CNS"
		echo ---
		ns_state "$CNS2"
	} | sed "s/ cnet:$id\$/ cnet:ID/"
}

# The MAC of IFNAME in NS.
mac_of() { # NS IFNAME
	link_json "$1" "$2" | jq -r .address
}

attach_pair() { # [MORE-ARGS...]
	cnet attach "netns:$CNS" pair --peer "netns:$CNS2" "$@"
}

# A third namespace, for a peer that is not B or a target with nothing.
third_ns() {
	CNS3=$P-e
	CREATED_NS+=("$CNS3")
	ip netns add "$CNS3"
}

# A veth NAME/NAMEp made and deleted in the host namespace, over and over
# until the link monitor writing to $MON has reported its deletion: the
# monitor is listening, and has reported everything before it.
sentinel() { # NAME
	wait_until 30 sentinel_reported "$1" || fail "ip monitor did not report $1: $(cat "$MON")"
}
# sentinel_reported NAME: NAME made and deleted once; the monitor has
# reported a deletion of NAME.
sentinel_reported() {
	hostip link add "$1" type veth peer name "$1p"
	hostip link del "$1"
	grep -q "^Deleted [0-9]*: $1@" "$MON"
}

# in_ns PID NS: process PID is in namespace NS.
in_ns() { [ "$(stat -L -c %i "/proc/$1/ns/net" 2>/dev/null)" = "$(stat -L -c %i "/run/netns/$2")" ]; }

@test "pair attach makes one veth with an end in each container, up, addressed, MTU 65535, and nothing on the host even for a moment" {
	host_links() { hostip -j link show | jq -c '[.[] | {ifindex, ifname, address, mtu, flags}]'; }
	before=$(host_links)
	MON=$BATS_TEST_TMPDIR/monitor
	hostip monitor link >"$MON" 2>&1 3>&- &
	BG+=("$!")
	sentinel mk0
	run -0 attach_pair --ip 10.60.0.1/30 --peer-ip 10.60.0.2/30
	sentinel mk1
	# the host namespace saw no new link, only the sentinels come and go
	# (and maybe news of the links it had: IPv6 settling on up0, up0p)
	known=$(jq -r '[.[].ifindex] | join("|")' <<<"$before")
	run grep -Ev "^ |^(Deleted )?[0-9]+: mk[01]p?@|^($known): " "$MON"
	[ -z "$output" ] || fail "the host namespace saw a link during the attach: $output"
	[ "$(host_links)" = "$before" ]
	[ "$(names_of "$CNS")" = "eth1 lo" ]
	[ "$(names_of "$CNS2")" = "eth1 lo" ]
	a=$(link_json "$CNS" eth1)
	b=$(link_json "$CNS2" eth1)
	for l in "$a" "$b"; do
		[ "$(jq -r .linkinfo.info_kind <<<"$l")" = veth ]
		[ "$(jq -r .mtu <<<"$l")" = 65535 ]
		is_up <<<"$l" || fail "not up: $l"
		# BIG TCP where the kernel has it: GSO and GRO as large as the
		# device takes (iproute2 6.1 does not show IPv4's sizes)
		tso=$(jq -r '.tso_max_size // 0' <<<"$l")
		if [ "$tso" -gt 65536 ]; then
			[ "$(jq -r .gso_max_size <<<"$l")" = "$tso" ] || fail "gso_max_size: $l"
			[ "$(jq -r .gro_max_size <<<"$l")" = "$tso" ] || fail "gro_max_size: $l"
		fi
	done
	# each end's peer is the other: its ifindex, in the other's namespace
	[ "$(jq -r .link_index <<<"$a")" = "$(jq -r .ifindex <<<"$b")" ]
	[ "$(jq -r .link_index <<<"$b")" = "$(jq -r .ifindex <<<"$a")" ]
	[ "$(nsid_name "$CNS" "$(jq .link_netnsid <<<"$a")")" = "$CNS2" ]
	[ "$(nsid_name "$CNS2" "$(jq .link_netnsid <<<"$b")")" = "$CNS" ]
	[ "$(addrs_of "$CNS" eth1)" = 10.60.0.1/30 ]
	[ "$(addrs_of "$CNS2" eth1)" = 10.60.0.2/30 ]
	ping_from "$CNS" 10.60.0.2
	ping_from "$CNS2" 10.60.0.1
}

# has_fields JSON PATH=VALUE...: each jq PATH of JSON is VALUE (-r).
has_fields() {
	local j=$1 f
	shift
	for f in "$@"; do
		[ "$(jq -r ".${f%%=*}" <<<"$j")" = "${f#*=}" ] || fail ".${f%%=*} is $(jq -c ".${f%%=*}" <<<"$j"), not ${f#*=}"
	done
}

@test "the pair's record describes A's end at the top and B's end under .peer, as the kernel has them" {
	run -0 attach_pair --ip 10.60.1.1/30 --peer-ip 10.60.1.2/30 --peer-ifname p0
	[ "$(records)" = 1 ]
	rec=$(state_doc | jq -c '.records[0]')
	a=$(link_json "$CNS" eth1)
	b=$(link_json "$CNS2" p0)
	has_fields "$rec" kind=pair "target=netns:$CNS" ifname=eth1 \
		"netns.ino=$(stat -L -c %i "/run/netns/$CNS")" \
		"link.ifindex=$(jq -r .ifindex <<<"$a")" "link.mac=$(jq -r .address <<<"$a")" link.mtu=65535 \
		'options.ip|@json=["10.60.1.1/30"]' \
		"options.peer.target=netns:$CNS2" 'options.peer.ip|@json=["10.60.1.2/30"]'
	has_fields "$(jq -c .peer <<<"$rec")" "id=$(jq -r .id <<<"$rec")" kind=pair \
		"target=netns:$CNS2" runtime=netns ifname=p0 \
		"netns.ino=$(stat -L -c %i "/run/netns/$CNS2")" \
		"link.ifindex=$(jq -r .ifindex <<<"$b")" "link.mac=$(jq -r .address <<<"$b")" link.mtu=65535 \
		'options.ip|@json=["10.60.1.2/30"]' options.ifname=p0
}

# README: "IPv6 addresses are usable when attach returns (it waits,
# bounded, for DAD)".
# (A's end has carrier only once B's is up too: both ends' waits come after
# both are configured.)
@test "IPv6 addresses on both ends are usable (not tentative) when attach returns" {
	tentative() { # NS: the global addresses of eth1 in NS that are tentative
		ip -n "$1" -j addr show dev eth1 |
			jq -r '.[0].addr_info[] | select(.scope == "global" and .tentative) | .local'
	}
	run -0 --separate-stderr attach_pair --ip fd60::1/64 --peer-ip 10.60.2.2/30
	[ -z "$(tentative "$CNS")" ] || fail "tentative in A when attach returned: $(tentative "$CNS"); stderr: $stderr"
	run -0 cnet detach "netns:$CNS"
	run -0 --separate-stderr attach_pair --ip 10.60.2.1/30 --peer-ip fd60::2/64
	[ -z "$(tentative "$CNS2")" ] || fail "tentative in B when attach returned: $(tentative "$CNS2"); stderr: $stderr"
	run -0 cnet detach "netns:$CNS"
	run -0 --separate-stderr attach_pair --ip fd60::1/64 --peer-ip fd60::2/64
	[ -z "$(tentative "$CNS")$(tentative "$CNS2")" ] ||
		fail "tentative when attach returned: A: $(tentative "$CNS"), B: $(tentative "$CNS2"); stderr: $stderr"
	ping_from "$CNS" fd60::2
	ping_from "$CNS2" fd60::1
}

@test "--no-dad holds for both ends' IPv6 addresses" {
	nodad() { # NS ADDR: the address carries the kernel's nodad flag
		ip -n "$1" -j addr show dev eth1 | jq -e --arg a "$2" '.[0].addr_info[] | select(.local == $a) | .nodad == true' >/dev/null
	}
	run -0 attach_pair --ip fd61::1/64 --peer-ip fd61::2/64 --no-dad
	nodad "$CNS" fd61::1 || fail "A: $(ip -n "$CNS" addr show dev eth1)"
	nodad "$CNS2" fd61::2 || fail "B: $(ip -n "$CNS2" addr show dev eth1)"
	run -0 cnet detach "netns:$CNS"
	# and without it, neither has the flag: the check above can fail
	run -0 attach_pair --ip fd61::1/64 --peer-ip fd61::2/64
	! nodad "$CNS" fd61::1
	! nodad "$CNS2" fd61::2
}

@test "--mtu sets both ends; an MTU above 65535 is a usage error and nothing is made" {
	before=$(world)
	run -2 attach_pair --mtu 70000
	assert_equal "$(world)" "$before"
	[ "$(store_bytes)" = "$(printf '%s\n' 'state.json absent' 'state.json.journal absent')" ]
	run -0 attach_pair --mtu 9000 --ip 10.61.0.1/30 --peer-ip 10.61.0.2/30
	[ "$(link_json "$CNS" eth1 | jq -r .mtu)" = 9000 ]
	[ "$(link_json "$CNS2" eth1 | jq -r .mtu)" = 9000 ]
	# a full 9000-byte packet goes through unfragmented
	ip netns exec "$CNS" ping -c 1 -W 2 -M do -s 8972 10.61.0.2 >/dev/null
}

@test "--ifname/--peer-ifname name the ends; --gw/--route apply in A, --peer-gw/--peer-route in B; detach puts both old default routes back" {
	container_with_default_route "$CNS"
	container_with_default_route "$CNS2"
	before=$(ends)
	run -0 attach_pair --ifname a0 --peer-ifname b0 --ip 10.62.0.1/30 --peer-ip 10.62.0.2/30 \
		--gw 10.62.0.2 --route 10.63.0.0/16@10.62.0.2 \
		--peer-gw 10.62.0.1 --peer-route 10.64.0.0/16@10.62.0.1 --peer-route 10.65.0.0/16
	[ "$(names_of "$CNS")" = "a0 lo old0 old0p" ]
	[ "$(names_of "$CNS2")" = "b0 lo old0 old0p" ]
	[ "$(addrs_of "$CNS" a0)" = 10.62.0.1/30 ]
	[ "$(addrs_of "$CNS2" b0)" = 10.62.0.2/30 ]
	# A: the one default route is via B's end
	run -0 ip -n "$CNS" -4 -j route show default
	[ "$(jq -c '[.[] | [.gateway, .dev]]' <<<"$output")" = '[["10.62.0.2","a0"]]' ]
	run -0 ip -n "$CNS" -j route show 10.63.0.0/16
	[ "$(jq -c '[.[] | [.gateway, .dev]]' <<<"$output")" = '[["10.62.0.2","a0"]]' ]
	# B: the one default route is via A's end, and its two routes
	run -0 ip -n "$CNS2" -4 -j route show default
	[ "$(jq -c '[.[] | [.gateway, .dev]]' <<<"$output")" = '[["10.62.0.1","b0"]]' ]
	run -0 ip -n "$CNS2" -j route show 10.64.0.0/16
	[ "$(jq -c '[.[] | [.gateway, .dev]]' <<<"$output")" = '[["10.62.0.1","b0"]]' ]
	run -0 ip -n "$CNS2" -j route show 10.65.0.0/16
	[ "$(jq -c '[.[] | [.gateway // "-", .dev, .scope]]' <<<"$output")" = '[["-","b0","link"]]' ]
	# none of B's routes leaked into A, nor A's into B
	[ "$(ip -n "$CNS" -j route show 10.64.0.0/16)" = "[]" ]
	[ "$(ip -n "$CNS2" -j route show 10.63.0.0/16)" = "[]" ]
	ping_from "$CNS" 10.62.0.2
	run -0 cnet detach "netns:$CNS2" --ifname b0
	assert_equal "$(ends)" "$before"
	[ "$(records)" = 0 ]
}

@test "the same pair attach again changes nothing; other settings for A's interface are refused (exit 4)" {
	third_ns
	run -0 attach_pair --ip 10.66.0.1/30 --peer-ip 10.66.0.2/30
	ia=$(link_json "$CNS" eth1 | jq .ifindex)
	ib=$(link_json "$CNS2" eth1 | jq .ifindex)
	before=$(world)
	rec=$(state_records)
	run -0 --separate-stderr attach_pair --ip 10.66.0.1/30 --peer-ip 10.66.0.2/30 --json
	[ "$(jq -r .changed <<<"$output")" = false ]
	assert_equal "$(world)" "$before"
	[ "$(link_json "$CNS" eth1 | jq .ifindex)" = "$ia" ]
	[ "$(link_json "$CNS2" eth1 | jq .ifindex)" = "$ib" ]
	# another peer address
	run -4 attach_pair --ip 10.66.0.1/30 --peer-ip 10.66.0.3/30
	assert_equal "$(world)" "$before"
	[ "$(state_records)" = "$rec" ]
	# another peer
	run -4 cnet attach "netns:$CNS" pair --peer "netns:$CNS3" --ip 10.66.0.1/30 --peer-ip 10.66.0.2/30
	assert_equal "$(world)" "$before"
	only_lo "$CNS3"
	[ "$(state_records)" = "$rec" ]
}

@test "detach by A, by B, or by B and the peer's name removes the whole pair and its record" {
	run -0 attach_pair --ip 10.67.0.1/30 --peer-ip 10.67.0.2/30
	run -0 cnet detach "netns:$CNS"
	only_lo "$CNS"
	only_lo "$CNS2"
	[ "$(records)" = 0 ]

	run -0 attach_pair --ip 10.67.0.1/30 --peer-ip 10.67.0.2/30
	run -0 cnet detach "netns:$CNS2"
	only_lo "$CNS"
	only_lo "$CNS2"
	[ "$(records)" = 0 ]

	run -0 attach_pair --ifname a0 --peer-ifname b0 --ip 10.67.0.1/30 --peer-ip 10.67.0.2/30
	# a0 is A's name, not an interface in B: nothing to detach there
	run -0 cnet detach "netns:$CNS2" --ifname a0
	[ "$(names_of "$CNS")" = "a0 lo" ]
	[ "$(names_of "$CNS2")" = "b0 lo" ]
	[ "$(records)" = 1 ]
	run -0 cnet detach "netns:$CNS2" --ifname b0
	only_lo "$CNS"
	only_lo "$CNS2"
	[ "$(records)" = 0 ]
}

@test "detach after one container is gone removes the record and puts the other's default route back" {
	container_with_default_route "$CNS"
	container_with_default_route "$CNS2"
	before2=$(ns_state "$CNS2")
	run -0 attach_pair --ip 10.68.0.1/30 --peer-ip 10.68.0.2/30 --gw 10.68.0.2 --peer-gw 10.68.0.1
	# A goes: its end and B's with it, and B's default route via it
	ip netns del "$CNS"
	wait_link_gone "$CNS2" eth1
	[ "$(ip -n "$CNS2" -4 -j route show default)" = "[]" ]
	run -0 cnet detach "netns:$CNS2"
	[ "$(ns_state "$CNS2")" = "$before2" ]
	[ "$(records)" = 0 ]

	# the other way round: B goes, detach by A
	ip netns add "$CNS"
	container_with_default_route "$CNS"
	before=$(ns_state "$CNS")
	run -0 attach_pair --ip 10.68.0.1/30 --peer-ip 10.68.0.2/30 --gw 10.68.0.2 --peer-gw 10.68.0.1
	ip netns del "$CNS2"
	wait_link_gone "$CNS" eth1
	run -0 cnet detach "netns:$CNS"
	[ "$(ns_state "$CNS")" = "$before" ]
	[ "$(records)" = 0 ]
}

@test "ls and show list the pair under A and under B, and not under another target" {
	third_ns
	run -0 attach_pair --ip 10.69.0.1/30 --peer-ip 10.69.0.2/30 --peer-ifname p0
	id=$(state_doc | jq -r '.records[0].id')
	line="^$id +netns:$CNS +pair +eth1 +ok \[peer p0 in netns:$CNS2\]$"
	run -0 cnet ls "netns:$CNS"
	assert_line --regexp "$line"
	run -0 cnet ls "netns:$CNS2"
	assert_line --regexp "$line"
	[ "${#lines[@]}" = 2 ] # the header and the pair
	run -0 cnet ls "netns:$CNS3"
	refute_output --partial "$id"
	run -0 --separate-stderr cnet ls --json "netns:$CNS2"
	[ "$(jq -c '[.records[] | [.id, .status, .peer.ifname]]' <<<"$output")" = "[[\"$id\",\"ok\",\"p0\"]]" ]
	run -0 cnet show "netns:$CNS2"
	assert_line --regexp "^id +$id$"
	assert_line --regexp "^target +netns:$CNS$"
	assert_line --regexp "^peer +p0 in netns:$CNS2 ip=10\.69\.0\.2/30, ifindex $(link_json "$CNS2" p0 | jq .ifindex), mac $(mac_of "$CNS2" p0), mtu 65535$"
	run -0 cnet show "netns:$CNS"
	assert_line --regexp "^peer +p0 in netns:$CNS2 "
	run cnet show "netns:$CNS3"
	refute_output --partial "$id"
}

@test "reapply repairs a pair whose B or A restarted (same MACs), reports it stopped while B is gone, and puts back an address taken from B (reapply B)" {
	run -0 attach_pair --ip 10.70.0.1/30 --peer-ip 10.70.0.2/30 --peer-route 10.71.0.0/16@10.70.0.1
	before=$(ends)
	ma=$(mac_of "$CNS" eth1)
	mb=$(mac_of "$CNS2" eth1)
	status_of() { jq -r '.records[0].status' <<<"$1"; }

	# NS restarts (deleted, made again): reapply makes the pair as it was
	restarted_repaired() { # NS
		ip netns del "$1"
		ip netns add "$1"
		run -0 --separate-stderr cnet reapply --json
		[ "$(status_of "$output")" = repaired ] || fail "$output"
		assert_equal "$(ends)" "$before"
		[ "$(mac_of "$CNS" eth1)" = "$ma" ]
		[ "$(mac_of "$CNS2" eth1)" = "$mb" ]
		ping_from "$CNS" 10.70.0.2
		ping_from "$CNS2" 10.70.0.1
	}
	restarted_repaired "$CNS2"

	# B is gone: A's end went with it; the record is stopped, nothing is made
	ip netns del "$CNS2"
	wait_link_gone "$CNS" eth1
	run -0 --separate-stderr cnet reapply --json
	[ "$(status_of "$output")" = stopped ] || fail "$output"
	[[ "$(jq -r '.records[0].reason' <<<"$output")" == *"peer netns:$CNS2: target not running"* ]] || fail "$output"
	only_lo "$CNS"
	[ "$(records)" = 1 ]

	# B is back
	ip netns add "$CNS2"
	run -0 --separate-stderr cnet reapply --json
	[ "$(status_of "$output")" = repaired ] || fail "$output"
	assert_equal "$(ends)" "$before"
	ping_from "$CNS2" 10.70.0.1

	restarted_repaired "$CNS"

	# B's address is taken away: a reapply of another target leaves it
	# so, one of B's (the pair is B's too) puts it back
	ip -n "$CNS2" addr del 10.70.0.2/30 dev eth1
	third_ns
	run -0 --separate-stderr cnet reapply --json "netns:$CNS3"
	[ "$(jq '.records | length' <<<"$output")" = 0 ] || fail "$output"
	[ -z "$(addrs_of "$CNS2" eth1)" ]
	run -0 --separate-stderr cnet reapply --json "netns:$CNS2"
	[ "$(status_of "$output")" = repaired ] || fail "$output"
	assert_equal "$(ends)" "$before"
	ping_from "$CNS" 10.70.0.2

	# and then all is well
	run -0 --separate-stderr cnet reapply --json
	[ "$(status_of "$output")" = ok ] || fail "$output"
	[ "$(jq -r .changed <<<"$output")" = false ]
	assert_equal "$(ends)" "$before"
}

# refused CODE -- ARGS...: "cnet ARGS" exits CODE with a message and
# changes nothing. After each: the links and global addresses of host, A
# and B are as they were at the test's first refused (read quickly);
# refused_end, at the test's end, compares the whole world (routes and the
# store's records, none, too).
quick_world() {
	local ns
	for ns in "$HOSTNS" "$CNS" "$CNS2"; do
		echo "$ns"
		ip -n "$ns" -o link show | awk '{print $2}'
		ip -n "$ns" -o addr show scope global | awk '{print $2, $4}'
	done
}
refused() {
	local code=$1
	shift 2
	if [ -z "${REFUSED_WORLD:-}" ]; then
		[ "$(records)" = 0 ] || fail "refused: records before the test"
		REFUSED_WORLD=$(world)
		REFUSED_QUICK=$(quick_world)
	fi
	run --separate-stderr cnet "$@"
	[ "$status" = "$code" ] || fail "cnet $*: exit $status, not $code: $stderr"
	[ -n "$stderr" ] || fail "cnet $*: no error message"
	assert_equal "$(quick_world)" "$REFUSED_QUICK"
}
# At the end of a test of refusals: the world, store too, as at the first.
refused_end() {
	assert_equal "$(world)" "$REFUSED_WORLD"
	[ "$(records)" = 0 ]
}

@test "pair usage errors are exit 2 and make nothing: no --peer, --peer-* without --peer, --peer on another kind, a bad peer name" {
	a=(attach "netns:$CNS")
	refused 2 -- "${a[@]}" pair --ip 10.72.0.1/30
	refused 2 -- "${a[@]}" pair --peer-ip 10.72.0.2/30
	refused 2 -- "${a[@]}" pair --peer-ifname p0
	refused 2 -- "${a[@]}" pair --peer-gw 10.72.0.1
	refused 2 -- "${a[@]}" pair --peer-route 10.73.0.0/16
	refused 2 -- "${a[@]}" macvlan --parent up0 --peer-ip 10.72.0.2/30
	refused 2 -- "${a[@]}" macvlan --parent up0 --peer "netns:$CNS2"
	refused 2 -- "${a[@]}" veth --bridge br0 --create-bridge --peer "netns:$CNS2"
	refused 2 -- "${a[@]}" pair --peer "netns:$CNS2" --peer-ifname this-is-too-long
	refused 2 -- "${a[@]}" pair --peer "netns:$CNS2" --peer-ip 10.72.0.2/33
	refused 2 -- "${a[@]}" pair --peer "netns:$CNS2" --peer-ip 10.72.0.2/30 --peer-gw 10.74.0.1
	refused 2 -- "${a[@]}" pair --peer "netns:$CNS2" --peer-ip 10.72.0.2/30 --peer-route 10.73.0.0/16@10.74.0.1
	# still nothing anywhere, and the store never written
	refused_end
	only_lo "$CNS"
	only_lo "$CNS2"
	[ "$(store_bytes)" = "$(printf '%s\n' 'state.json absent' 'state.json.journal absent')" ]
}

@test "a peer that is A itself is refused (exit 2), one that does not exist (exit 3), nothing made in A" {
	refused 2 -- attach "netns:$CNS" pair --peer "netns:$CNS" --ip 10.72.0.1/30
	# the same namespace by another name
	refused 2 -- attach "netns:$CNS" pair --peer "/run/netns/$CNS" --ip 10.72.0.1/30
	refused 2 -- attach "/run/netns/$CNS" pair --peer "$CNS"
	refused 3 -- attach "netns:$CNS" pair --peer "netns:$P-nosuch" --ip 10.72.0.1/30
	refused 3 -- attach "netns:$CNS" pair --peer "/run/netns/$P-nosuch"
	refused_end
	only_lo "$CNS"
	only_lo "$CNS2"
}

@test "a peer whose name is taken in B is refused (exit 4): nothing is left in A or B, and no record" {
	ip -n "$CNS2" link add p0 type veth peer name p0x
	refused 4 -- attach "netns:$CNS" pair --peer "netns:$CNS2" --peer-ifname p0 --ip 10.72.0.1/30 --peer-ip 10.72.0.2/30
	refused_end
	only_lo "$CNS"
	[ "$(names_of "$CNS2")" = "lo p0 p0x" ]
	# A's name taken in A
	ip -n "$CNS" link add eth1 type veth peer name eth1x
	REFUSED_WORLD=
	refused 4 -- attach "netns:$CNS" pair --peer "netns:$CNS2" --ip 10.72.0.1/30
	refused_end
	[ "$(names_of "$CNS")" = "eth1 eth1x lo" ]
	[ "$(names_of "$CNS2")" = "lo p0 p0x" ]
}

@test "the host's own namespace as the peer (or as A) is refused, in each form a target takes, and nothing is made anywhere" {
	# a process of the host (HOSTNS, where cnet runs), for the PID forms
	ip netns exec "$HOSTNS" sleep 60 3>&- &
	BG+=("$!")
	hpid=$!
	wait_until 30 in_ns "$hpid" "$HOSTNS"
	[ "$(stat -L -c %i "/proc/$hpid/ns/net")" = "$(stat -L -c %i "/run/netns/$HOSTNS")" ]
	for peer in "netns:$HOSTNS" "/run/netns/$HOSTNS" "pid:$hpid" "/proc/$hpid/ns/net" "$hpid"; do
		refused 3 -- attach "netns:$CNS" pair --peer "$peer" --ip 10.72.0.1/30 --peer-ip 10.72.0.2/30
	done
	refused 3 -- attach "netns:$HOSTNS" pair --peer "netns:$CNS2" --ip 10.72.0.1/30 --peer-ip 10.72.0.2/30
	refused_end
	only_lo "$CNS"
	only_lo "$CNS2"
}

@test "a dry run changes nothing in either container or the store, and its plan names both" {
	before=$(world)
	run -0 --separate-stderr attach_pair --ip 10.74.0.1/30 --peer-ip 10.74.0.2/30 --peer-ifname p0 --dry-run --json
	[ "$(jq -r '.dry_run, .changed' <<<"$output" | paste -sd' ')" = "true true" ]
	acts=$(jq -r '.actions[]' <<<"$output")
	[[ "$acts" == *"eth1 in netns:$CNS,"* ]] || fail "$acts"
	[[ "$acts" == *"p0 in netns:$CNS2"* ]] || fail "$acts"
	[[ "$acts" == *10.74.0.2/30*"netns:$CNS2"* ]] || fail "$acts"
	assert_equal "$(world)" "$before"
	[ "$(store_bytes)" = "$(printf '%s\n' 'state.json absent' 'state.json.journal absent')" ]
	# and once it is there, a dry run of the same says nothing would change
	run -0 attach_pair --ip 10.74.0.1/30 --peer-ip 10.74.0.2/30 --peer-ifname p0
	before=$(world)
	bytes=$(store_bytes)
	run -0 --separate-stderr attach_pair --ip 10.74.0.1/30 --peer-ip 10.74.0.2/30 --peer-ifname p0 --dry-run --json
	[ "$(jq -r '.dry_run, .changed' <<<"$output" | paste -sd' ')" = "true false" ]
	assert_equal "$(world)" "$before"
	[ "$(store_bytes)" = "$bytes" ]
}

# B plays the container: root in its own namespace, it does what it likes
# with its links.
in_b() { ip netns exec "$CNS2" "$@"; }

@test "hostile B: an interface B made under the peer's name first gets the attach refused (exit 4), nothing left in A" {
	in_b ip link add eth1 type veth peer name e1x
	in_b ip link set eth1 alias "cnet:$RANDOM$RANDOM"
	in_b ip link set eth1 up
	b=$(links_of "$CNS2")
	refused 4 -- attach "netns:$CNS" pair --peer "netns:$CNS2" --ip 10.75.0.1/30 --peer-ip 10.75.0.2/30
	refused_end
	only_lo "$CNS"
	[ "$(links_of "$CNS2")" = "$b" ]
	[ "$(addrs_of "$CNS2" eth1)" = "" ]
}

@test "hostile B: its end renamed and its alias changed, detach by A still removes the whole pair and leaves the host alone" {
	host=$(ns_state "$HOSTNS")
	run -0 attach_pair --ip 10.76.0.1/30 --peer-ip 10.76.0.2/30
	in_b ip link set eth1 down
	in_b ip link set eth1 name zz9
	in_b ip link set zz9 alias "x$RANDOM$RANDOM"
	in_b ip link set zz9 up
	run -0 cnet detach "netns:$CNS"
	only_lo "$CNS"
	only_lo "$CNS2"
	[ "$(records)" = 0 ]
	[ "$(ns_state "$HOSTNS")" = "$host" ]
}

@test "hostile B: its end renamed and its alias changed, reapply makes the peer end again under its name" {
	run -0 attach_pair --ip 10.77.0.1/30 --peer-ip 10.77.0.2/30
	before=$(ends)
	in_b ip link set eth1 down
	in_b ip link set eth1 name zz9
	in_b ip link set zz9 alias "x$RANDOM$RANDOM"
	in_b ip link set zz9 up
	run -0 --separate-stderr cnet reapply --json
	[ "$(jq -r '.records[0].status' <<<"$output")" = repaired ] || fail "$output"
	# the renamed end went with the old pair: one pair, named as asked
	assert_equal "$(ends)" "$before"
	ping_from "$CNS" 10.77.0.2
	# B renames its end again and puts an interface of its own under the
	# name: reapply cannot make the end, says so (exit 7), and leaves B's
	# own interface alone
	in_b ip link set eth1 down
	in_b ip link set eth1 name zz9
	in_b ip link add eth1 type veth peer name e1x
	b=$(links_of "$CNS2" | grep -v zz9)
	run -7 --separate-stderr cnet reapply --json
	[ "$(jq -r '.records[0].status' <<<"$output")" = failed ] || fail "$output"
	[ "$(links_of "$CNS2" | grep -v zz9)" = "$b" ]
	run -0 cnet detach "netns:$CNS2"
	only_lo "$CNS"
	[ "$(names_of "$CNS2")" = "e1x eth1 lo" ]
	[ "$(records)" = 0 ]
}

# The fault and kill walks (tests/fault_walk.bash), over a pair whose
# --gw and --peer-gw replace a default route in each container, so that
# putting them back is walked too; B (WORLD_EXTRA) must come back exactly.
pair_args=(pair --ip 10.78.0.1/30 --peer-ip 10.78.0.2/30 --gw 10.78.0.2 --peer-gw 10.78.0.1
	--peer-route 10.79.0.0/16@10.78.0.1 --route 10.80.0.0/16@10.78.0.2)

walk_setup() {
	[ -x "$CNET_FI_BIN" ] || fail "no fault-injection build at $CNET_FI_BIN (make build/fi/cnet)"
	container_with_default_route "$CNS"
	container_with_default_route "$CNS2"
	WORLD_EXTRA="ns_state $CNS2"
	BEFORE=$(world)
}

# What the walk's last attach (the one that was not failed) made, then
# detach, which must leave the world as it was.
walk_done() {
	[ "$(ip -n "$CNS2" -4 -j route show default | jq -c '[.[] | [.gateway, .dev]]')" = '[["10.78.0.1","eth1"]]' ]
	[ "$(ip -n "$CNS" -4 -j route show default | jq -c '[.[] | [.gateway, .dev]]')" = '[["10.78.0.2","eth1"]]' ]
	ping_from "$CNS2" 10.78.0.1
	run -0 cnet detach "$CNS"
	assert_equal "$(world)" "$BEFORE"
}

@test "a pair attach failing at any netlink request leaves host, A, B and store as they were" {
	walk_setup
	WALK_MIN=8 fault_walk nl "$CNS" "${pair_args[@]}" --peer "$CNS2"
	walk_done
}

@test "a pair attach failing at any state store write leaves host, A, B and store as they were" {
	walk_setup
	WALK_MIN=2 fault_walk store "$CNS" "${pair_args[@]}" --peer "$CNS2"
	walk_done
}

@test "a pair attach killed at any netlink request is recovered by reapply, and detach leaves nothing" {
	walk_setup
	WALK_MIN=8 fault_walk nl:kill "$CNS" "${pair_args[@]}" --peer "$CNS2"
	walk_done
}
