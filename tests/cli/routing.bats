#!/usr/bin/env bats
# bats file_tags=netns
# cnet attach --route DEST/PLEN[@VIA][,metric=N][,table=N] and --rule
# [from=PREFIX,][to=PREFIX,]table=N[,priority=N]: routes in other tables
# and policy routing rules in the container's namespace, kept with the
# attachment (reapply checks and repairs them, detach takes the rules
# away). What is made is read back from the kernel (ip -j route/rule,
# traffic); the store only for the record count and, in one test, the
# format of the specs it keeps.
# (No test uses $i: bats's run -N leaves a global i behind.)

load test_helper

setup() {
	setup_host
	BG=()
}

teardown() {
	[ "${#BG[@]}" = 0 ] || kill "${BG[@]}" 2>/dev/null || true
	teardown_host
}

# The policy routing rules of a namespace, both families, as ip prints them.
rules_of() { # NS
	ip -n "$1" -4 rule show
	echo --
	ip -n "$1" -6 rule show
}

# Every route of a namespace, in every table, both families.
all_routes() { # NS
	ip -n "$1" -4 route show table all
	echo --
	ip -n "$1" -6 route show table all
}

# One IPv4 rule of a namespace by its priority (JSON, "null" if none).
rule_at() { # NS PRIORITY
	ip -n "$1" -4 -j rule show | jq -c --argjson p "$2" '[.[] | select(.priority == $p)] | .[0]'
}

# The priorities of a namespace's IPv4 rules, one JSON array.
rule_prios_of() { # NS
	ip -n "$1" -4 -j rule show | jq -c '[.[].priority]'
}

# Host, container, store records, the container's rules and all of its
# routes: what a refused attach must leave as it was.
world() {
	world_snapshot
	echo ---
	rules_of "$CNS"
	echo ---
	all_routes "$CNS"
}

records() {
	state_doc | jq '.records | length'
}

# ll_settled NS IFNAME: IFNAME has an IPv6 link-local address past DAD.
ll_settled() {
	ip -n "$1" -6 -j addr show dev "$2" |
		jq -e '[.[0].addr_info[] | select(.scope == "link" and (.tentative | not))] | length > 0' >/dev/null
}

# A second uplink up1/up1p in the host namespace, as setup_host makes up0.
second_uplink() {
	hostip link add up1 type veth peer name up1p
	hostip link set up1 up
	hostip link set up1p up
}

# Ping ADDR from namespace NS with source address SRC (bounded retries,
# for neighbour discovery).
ping_src() { # NS SRC ADDR
	for _ in 1 2 3; do
		ip netns exec "$1" ping -c 1 -W 1 -I "$2" "$3" >/dev/null 2>&1 && return 0
	done
	return 1
}

# One ping, no retry: for "does not get through".
ping_once() { # NS SRC ADDR
	ip netns exec "$1" ping -c 1 -W 1 -I "$2" "$3" >/dev/null 2>&1
}

@test "--route metric= and table= land in the kernel as asked; table=main is the main table" {
	run -0 cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.61.0.2/24 --ip fd61::2/64 --no-dad \
		--route 10.70.0.0/16@10.61.0.1,metric=50 \
		--route 10.72.0.0/16@10.61.0.9,table=100,metric=60 \
		--route default@10.61.0.1,table=100 \
		--route 10.71.0.0/16@10.61.0.1,table=main \
		--route fd70::/64@fd61::1,metric=300,table=100
	# main: the metric one, and the table=main one without a metric
	run -0 ip -n "$CNS" -j route show table main 10.70.0.0/16
	[ "$(jq -r '.[] | "\(.gateway) \(.dev) \(.metric)"' <<<"$output")" = "10.61.0.1 eth1 50" ]
	run -0 ip -n "$CNS" -j route show table main 10.71.0.0/16
	[ "$(jq -r '.[] | "\(.gateway) \(.dev) \(.metric // 0)"' <<<"$output")" = "10.61.0.1 eth1 0" ]
	# table 100: the default route and the metric one, nothing else
	run -0 ip -n "$CNS" -4 -j route show table 100
	[ "$(jq -r '.[] | "\(.dst) \(.gateway) \(.dev) \(.metric // 0)"' <<<"$output" | sort)" = \
		"$(printf '%s\n' "10.72.0.0/16 10.61.0.9 eth1 60" "default 10.61.0.1 eth1 0")" ]
	run -0 ip -n "$CNS" -6 -j route show table 100
	[ "$(jq -r '.[] | "\(.dst) \(.gateway) \(.dev) \(.metric)"' <<<"$output")" = "fd70::/64 fd61::1 eth1 300" ]
	# each in its table only: by destination across all tables
	run -0 ip -n "$CNS" -4 -j route show table all
	[ "$(jq -r '[.[] | select(.dst == "10.70.0.0/16" or .dst == "10.71.0.0/16") | .table // "main"] | join(" ")' <<<"$output")" = "main main" ]
	[ "$(jq -r '[.[] | select(.dst == "10.72.0.0/16" or .dst == "default") | .table] | join(" ")' <<<"$output")" = "100 100" ]
	# the main table has no default route: table=100's stayed in table 100
	run -0 ip -n "$CNS" -4 -j route show table main default
	assert_output "[]"
}

@test "--rule from=, to=, neither, and IPv6 rules land as ip rule shows them" {
	run -0 cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.61.0.2/24 --ip fd61::2/64 --no-dad \
		--rule from=10.61.0.0/24,table=100,priority=1000 \
		--rule to=10.62.0.0/16,table=200 \
		--rule table=300,priority=1500 \
		--rule from=fd61::/64,to=2001:db8:1::/48,table=100,priority=1001 \
		--rule to=fd62::/64,table=main,priority=1002
	run -0 ip -n "$CNS" -4 -j rule show
	v4=$output
	[ "$(jq -r '.[] | select(.priority == 1000) | "\(.src)/\(.srclen) \(.dst // "-") \(.table)"' <<<"$v4")" = "10.61.0.0/24 - 100" ]
	[ "$(jq -r '.[] | select(.priority == 1500) | "\(.src) \(.dst // "-") \(.table)"' <<<"$v4")" = "all - 300" ]
	# no priority asked: the kernel picked one, below main's
	to=$(jq -c '[.[] | select(.dst == "10.62.0.0")]' <<<"$v4")
	[ "$(jq -r '.[] | "\(.src) \(.dst)/\(.dstlen) \(.table)"' <<<"$to")" = "all 10.62.0.0/16 200" ]
	[ "$(jq -r '.[0].priority' <<<"$to")" -lt 32766 ]
	# the three of the kernel's own, and the three asked
	[ "$(jq length <<<"$v4")" = 6 ]
	run -0 ip -n "$CNS" -6 -j rule show
	v6=$output
	[ "$(jq -r '.[] | select(.priority == 1001) | "\(.src)/\(.srclen) \(.dst)/\(.dstlen) \(.table)"' <<<"$v6")" = \
		"fd61::/64 2001:db8:1::/48 100" ]
	[ "$(jq -r '.[] | select(.priority == 1002) | "\(.src) \(.dst)/\(.dstlen) \(.table)"' <<<"$v6")" = "all fd62::/64 main" ]
	[ "$(jq length <<<"$v6")" = 4 ]
}

@test "policy routing end to end: traffic from one source goes by table 100 through the second uplink" {
	second_uplink
	# the far end of up1: a server namespace where 10.200.0.1 lives,
	# reachable from the container only through 10.62.0.1
	SRV=$P-s
	CREATED_NS+=("$SRV")
	ip netns add "$SRV"
	hostip link set up1p netns "$SRV"
	ip -n "$SRV" link set lo up
	ip -n "$SRV" addr add 10.62.0.1/24 dev up1p
	ip -n "$SRV" addr add 10.200.0.1/32 dev lo
	ip -n "$SRV" link set up1p up
	# the host end of up0 is 10.61.0.1 and routes nothing further
	hostip addr add 10.61.0.1/24 dev up0p
	# main: default via the host; table 100: default via the server,
	# used by what is sent from 10.62.0.2
	run -0 cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.61.0.2/24 --gw 10.61.0.1
	run -0 cnet attach "netns:$CNS" macvlan --parent up1 --ifname eth2 --ip 10.62.0.2/24 \
		--route default@10.62.0.1,table=100 --rule from=10.62.0.2/32,table=100,priority=1000
	# both sides answer on their own subnets
	ping_src "$CNS" 10.61.0.2 10.61.0.1
	ping_src "$CNS" 10.62.0.2 10.62.0.1
	# 10.200.0.1: from 10.62.0.2 (table 100, through eth2) it answers
	ping_src "$CNS" 10.62.0.2 10.200.0.1
	run -0 ip -n "$CNS" -j route get 10.200.0.1 from 10.62.0.2
	[ "$(jq -r '.[0] | "\(.gateway) \(.dev) \(.table)"' <<<"$output")" = "10.62.0.1 eth2 100" ]
	# from 10.61.0.2 (main, through the host) it does not
	run ! ping_once "$CNS" 10.61.0.2 10.200.0.1
	run -0 ip -n "$CNS" -j route get 10.200.0.1 from 10.61.0.2
	[ "$(jq -r '.[0] | "\(.gateway) \(.dev)"' <<<"$output")" = "10.61.0.1 eth1" ]
	# it is the rule that does it: without it, 10.62.0.2's traffic goes
	# the main way, and gets nowhere
	ip -n "$CNS" rule del pref 1000
	run ! ping_once "$CNS" 10.62.0.2 10.200.0.1
	# reapply puts the rule back, and the traffic through again
	run -0 cnet reapply
	assert_line --partial "repaired: macvlan eth2 in netns:$CNS"
	ping_src "$CNS" 10.62.0.2 10.200.0.1
	# eth2's detach takes its rule and its table with it
	run -0 cnet detach "netns:$CNS" --ifname eth2
	[ "$(rule_at "$CNS" 1000)" = null ]
	run -0 ip -n "$CNS" -4 -j route show table 100
	assert_output "[]"
	run ! ping_once "$CNS" 10.62.0.2 10.200.0.1
	ping_src "$CNS" 10.61.0.2 10.61.0.1
}

@test "reapply: a rule or a table route deleted under the record is drift, repaired; nothing deleted is ok" {
	run -0 cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.61.0.2/24 --ip fd61::2/64 --no-dad \
		--route default@10.61.0.1,table=100 --route 10.73.0.0/16@10.61.0.1,metric=20 \
		--rule from=10.61.0.0/24,table=100,priority=1000 --rule to=10.62.0.0/16,table=200 \
		--rule from=fd61::/64,table=100,priority=1001
	rules=$(rules_of "$CNS")
	routes=$(all_routes "$CNS")
	idx=$(link_json "$CNS" eth1 | jq .ifindex)
	# nothing changed: ok, the link left alone
	run -0 cnet reapply
	[[ "${lines[0]}" == "ok: macvlan eth1 in netns:$CNS"* ]] || fail "reapply: $output"
	[ "$(link_json "$CNS" eth1 | jq .ifindex)" = "$idx" ]
	# a rule with a priority
	ip -n "$CNS" rule del pref 1000
	[ "$(rule_at "$CNS" 1000)" = null ]
	run -0 cnet reapply
	[[ "${lines[0]}" == repaired:* ]] || fail "reapply: $output"
	[ "$(rule_at "$CNS" 1000 | jq -r '"\(.src)/\(.srclen) \(.table)"')" = "10.61.0.0/24 100" ]
	assert_equal "$(rules_of "$CNS")" "$rules"
	# a rule whose priority the kernel picked
	ip -n "$CNS" rule del to 10.62.0.0/16 table 200
	run -0 cnet reapply
	[[ "${lines[0]}" == repaired:* ]] || fail "reapply: $output"
	assert_equal "$(rules_of "$CNS")" "$rules"
	# an IPv6 one
	ip -n "$CNS" -6 rule del pref 1001
	run -0 cnet reapply
	[[ "${lines[0]}" == repaired:* ]] || fail "reapply: $output"
	assert_equal "$(rules_of "$CNS")" "$rules"
	# the route in table 100
	ip -n "$CNS" route del default table 100
	run -0 ip -n "$CNS" -j route show table 100
	assert_output "[]"
	run -0 cnet reapply
	[[ "${lines[0]}" == repaired:* ]] || fail "reapply: $output"
	run -0 ip -n "$CNS" -j route show table 100
	[ "$(jq -r '.[] | "\(.dst) \(.gateway) \(.dev)"' <<<"$output")" = "default 10.61.0.1 eth1" ]
	# the metric one in main
	ip -n "$CNS" route del 10.73.0.0/16 metric 20
	run -0 cnet reapply
	[[ "${lines[0]}" == repaired:* ]] || fail "reapply: $output"
	run -0 ip -n "$CNS" -j route show 10.73.0.0/16
	[ "$(jq -r '.[] | "\(.gateway) \(.metric)"' <<<"$output")" = "10.61.0.1 20" ]
	# all as it was, and a rule of the container's own is no drift
	assert_equal "$(rules_of "$CNS")" "$rules"
	assert_equal "$(all_routes "$CNS" | grep -v 'proto kernel')" "$(grep -v 'proto kernel' <<<"$routes")"
	ip -n "$CNS" rule add from 10.99.0.0/24 table 300 pref 500
	idx=$(link_json "$CNS" eth1 | jq .ifindex)
	run -0 cnet reapply
	[[ "${lines[0]}" == "ok: macvlan eth1 in netns:$CNS"* ]] || fail "reapply: $output"
	[ "$(link_json "$CNS" eth1 | jq .ifindex)" = "$idx" ]
	# the route with another metric is not the one asked
	ip -n "$CNS" route del 10.73.0.0/16 metric 20
	ip -n "$CNS" route add 10.73.0.0/16 via 10.61.0.1 dev eth1 metric 21
	run -0 cnet reapply
	[[ "${lines[0]}" == repaired:* ]] || fail "reapply: $output"
	run -0 ip -n "$CNS" -j route show 10.73.0.0/16 metric 20
	[ "$(jq -r '.[] | .gateway' <<<"$output")" = 10.61.0.1 ]
	# the repair left the container's own rule alone
	[ "$(rule_at "$CNS" 500 | jq -r .table)" = 300 ]
	[ "$(ip -n "$CNS" -4 -j rule show | jq length)" = 6 ]
}

@test "detach removes the attachment's rules, and only those; its routes go with the link" {
	ip -n "$CNS" rule add from 10.99.0.0/24 table 300 pref 500
	ip -n "$CNS" link add own0 type veth peer name own0p
	ip -n "$CNS" link set own0 up
	ip -n "$CNS" link set own0p up
	ip -n "$CNS" route add 10.98.0.0/16 dev own0 table 100
	before=$(rules_of "$CNS")
	routes_before=$(all_routes "$CNS" | grep -v 'proto kernel')
	run -0 cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.61.0.2/24 --ip fd61::2/64 --no-dad \
		--route default@10.61.0.1,table=100 --route fd70::/64@fd61::1,table=100 \
		--rule from=10.61.0.0/24,table=100,priority=1000 --rule to=10.62.0.0/16,table=200 \
		--rule from=fd61::/64,table=100,priority=1001
	[ "$(ip -n "$CNS" -4 -j rule show | jq length)" = 6 ]
	[ "$(ip -n "$CNS" -6 -j rule show | jq length)" = 3 ]
	[ "$(ip -n "$CNS" -4 -j route show table 100 | jq length)" = 2 ]
	run -0 cnet detach "netns:$CNS"
	run -1 ip -n "$CNS" link show eth1
	assert_equal "$(rules_of "$CNS")" "$before"
	# the kernel's own three (two for IPv6) and the container's
	[ "$(ip -n "$CNS" -4 -j rule show | jq -c '[.[].priority]')" = "[0,500,32766,32767]" ]
	[ "$(ip -n "$CNS" -6 -j rule show | jq -c '[.[].priority]')" = "[0,32766]" ]
	assert_equal "$(all_routes "$CNS" | grep -v 'proto kernel')" "$routes_before"
	run -0 ip -n "$CNS" -j route show table 100
	[ "$(jq -r '.[] | "\(.dst) \(.dev)"' <<<"$output")" = "10.98.0.0/16 own0" ]
	[ "$(records)" = 0 ]
}

@test "detach takes away its rules without a priority, not rules the container added later in the same table" {
	run -0 cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.61.0.2/24 \
		--rule table=300 --rule from=10.61.0.0/24,table=100
	ours=$(ip -n "$CNS" -4 -j rule show | jq -c '[.[] | select(.table == "100" or .table == "300") | .priority]')
	[ "$(jq length <<<"$ours")" = 2 ]
	# the container's own, ahead of cnet's: one of all traffic's table,
	# one with cnet's source and a destination too
	ip -n "$CNS" rule add from 10.99.0.0/24 table 300 pref 500
	ip -n "$CNS" rule add from 10.61.0.0/24 to 10.5.0.0/16 table 100 pref 600
	run -0 cnet detach "netns:$CNS"
	[ "$(rule_prios_of "$CNS")" = "[0,500,600,32766,32767]" ] ||
		fail "after the detach: $(ip -n "$CNS" rule show)"
}

@test "a rule the container had before the attach asked for it is the container's: detach leaves it, reapply still checks it" {
	# the container's own rule, exactly as the attach will ask for it
	ip -n "$CNS" rule add from 10.61.0.0/24 table 100 pref 1000
	run -0 cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.61.0.2/24 \
		--rule from=10.61.0.0/24,table=100,priority=1000 --rule to=10.62.0.0/16,table=200,priority=1100
	[ "$(rule_prios_of "$CNS")" = "[0,1000,1100,32766,32767]" ]
	# it is part of what the attachment needs: gone, reapply puts it back
	ip -n "$CNS" rule del pref 1000
	run -0 cnet reapply
	[[ "$output" == repaired:* ]] || fail "reapply: $output"
	[ "$(rule_prios_of "$CNS")" = "[0,1000,1100,32766,32767]" ]
	run -0 cnet detach "netns:$CNS"
	# ... then that one was cnet's, so it goes; a second attach over the
	# container's own rule, then detach: the container's stays
	[ "$(rule_prios_of "$CNS")" = "[0,32766,32767]" ] || fail "after the detach: $(ip -n "$CNS" rule show)"
	ip -n "$CNS" rule add from 10.61.0.0/24 table 100 pref 1000
	run -0 cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.61.0.2/24 \
		--rule from=10.61.0.0/24,table=100,priority=1000 --rule to=10.62.0.0/16,table=200,priority=1100
	run -0 cnet detach "netns:$CNS"
	[ "$(rule_prios_of "$CNS")" = "[0,1000,32766,32767]" ] || fail "after the detach: $(ip -n "$CNS" rule show)"
	[ "$(ip -n "$CNS" -4 -j rule show | jq -r '.[] | select(.priority == 1000) | "\(.src)/\(.srclen) \(.table)"')" = \
		"10.61.0.0/24 100" ]
}

# rule_reported NS MON: a rule added to NS and deleted again; the monitor
# writing to MON has reported a deletion of such a rule.
rule_reported() {
	ip -n "$1" rule add from 192.0.2.7 table 7 pref 7
	ip -n "$1" rule del pref 7
	grep -q "^Deleted 7:" "$2"
}

# both_deleted MON: the monitor writing to MON has reported the deletion of
# rules 1000 and 1001.
both_deleted() { grep -q "^Deleted 1000:" "$1" && grep -q "^Deleted 1001:" "$1"; }

@test "an attach that fails after its rules were added (IPv6 DAD) takes them away again" {
	# the uplink's far end has the address the container asks: DAD fails,
	# after the routes and the rules
	hostip addr add fd61::2/64 dev up0p nodad
	before=$(world)
	mon=$BATS_TEST_TMPDIR/monitor
	ip -n "$CNS" monitor rule >"$mon" 2>&1 3>&- &
	BG+=("$!")
	# the monitor is listening once it has seen a rule come and go
	wait_until 30 rule_reported "$CNS" "$mon" || fail "ip monitor saw nothing: $(cat "$mon")"
	run --separate-stderr cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.61.0.2/24 --ip fd61::2/64 \
		--route default@10.61.0.1,table=100 \
		--rule from=10.61.0.0/24,table=100,priority=1000 --rule from=fd61::/64,table=100,priority=1001
	[ "$status" -ne 0 ] || fail "the attach succeeded: $output"
	[[ "$stderr" == *fd61::2* ]] || fail "stderr: $stderr"
	# they were there, and went (what is missing, if anything, is told below)
	wait_until 30 both_deleted "$mon" || true
	grep -q "^1000:.*from 10.61.0.0/24 lookup 100" "$mon" || fail "rule 1000 never added: $(cat "$mon")"
	grep -q "^1001:.*from fd61::/64 lookup 100" "$mon" || fail "rule 1001 never added: $(cat "$mon")"
	grep -q "^Deleted 1000:" "$mon" || fail "rule 1000 not deleted: $(cat "$mon")"
	grep -q "^Deleted 1001:" "$mon" || fail "rule 1001 not deleted: $(cat "$mon")"
	assert_equal "$(world)" "$before"
	[ "$(records)" = 0 ]
}

@test "an attach with rules failing at any netlink request or store write leaves no rule behind" {
	[ -x "$CNET_FI_BIN" ] || fail "no fault-injection build at $CNET_FI_BIN (make build/fi/cnet)"
	local base=(macvlan --parent up0 --ip 10.61.0.2/24 --ip fd61::2/64 --no-dad --route default@10.61.0.1,table=100)
	local rules=(--rule from=10.61.0.0/24,table=100,priority=1000 --rule to=fd62::/64,table=200)
	WORLD_EXTRA="rules_of $CNS"
	# the steps without the rules, to know that the walk went through theirs
	WALK_LABEL="without rules (nl)" fault_walk nl "$CNS" "${base[@]}"
	plain=$WALK_STEPS
	run -0 cnet detach "$CNS"
	WALK_LABEL="with two rules (nl)" fault_walk nl "$CNS" "${base[@]}" "${rules[@]}"
	[ "$WALK_STEPS" -ge $((plain + 2)) ] || fail "$WALK_STEPS steps with the rules, $plain without"
	[ "$(rule_at "$CNS" 1000 | jq -r .table)" = 100 ]
	run -0 cnet detach "$CNS"
	# the last store write comes after the rules
	WALK_LABEL="with two rules (store)" fault_walk store "$CNS" "${base[@]}" "${rules[@]}"
	[ "$(rule_at "$CNS" 1000 | jq -r .table)" = 100 ]
	[ "$(ip -n "$CNS" -6 -j rule show | jq -r '.[] | select(.dst == "fd62::") | .table')" = 200 ]
}

@test "invalid --rule and --route specs are usage errors (exit 2), nothing made; 8 rules are allowed, 9 not" {
	before=$(world)
	store_before=$(store_bytes)
	a=(attach "netns:$CNS" macvlan --parent up0 --ip 10.61.0.2/24)
	nine=()
	for n in 1 2 3 4 5 6 7 8 9; do nine+=(--rule "table=$((100 + n))"); done
	refused() { # WORD-IN-STDERR -- ARGS...
		local text=$1
		shift 2
		run -2 --separate-stderr cnet "${a[@]}" "$@"
		[[ "$stderr" == *"$text"* ]] || fail "$*: stderr: $stderr"
		assert_equal "$(world)" "$before"
		assert_equal "$(store_bytes)" "$store_before"
	}
	refused from=10.61.0.0/24 -- --rule from=10.61.0.0/24
	refused table=0 -- --rule table=0
	refused table=x -- --rule table=x
	refused 2001:db8::/32 -- --rule from=10.0.0.0/8,to=2001:db8::/32,table=1
	refused from=10.1.0.0/16 -- --rule from=10.1.0.0/16,from=10.2.0.0/16,table=1
	refused table=2 -- --rule table=1,table=2
	refused priority=0 -- --rule table=1,priority=0
	refused priority=main -- --rule table=1,priority=main
	refused colour=red -- --rule table=1,colour=red
	refused from=10.1.0.0 -- --rule from=10.1.0.0,table=1
	refused "table=109" -- "${nine[@]}"
	refused metric=0 -- --route 10.0.0.0/8,metric=0
	refused table=x -- --route 10.0.0.0/8,table=x
	refused table=0 -- --route 10.0.0.0/8,table=0
	refused colour=red -- --route 10.0.0.0/8,colour=red
	refused metric=6 -- --route 10.0.0.0/8,metric=5,metric=6
	refused table=2 -- --route 10.0.0.0/8,table=1,table=2
	refused metric= -- --route 10.0.0.0/8,metric=
	# a good spec beside a bad one: nothing made either
	refused colour=red -- --rule table=100,priority=1000 --route 10.0.0.0/8,colour=red
	refused table=0 -- --route default@10.61.0.1,table=100 --rule table=0
	[ ! -e "$CNET_STATE" ]
	[ "$(records)" = 0 ]
	# eight are as many as may be
	run -0 cnet "${a[@]}" "${nine[@]:0:16}"
	[ "$(ip -n "$CNS" -4 -j rule show | jq '[.[] | select(.table | test("^10[1-8]$"))] | length')" = 8 ]
	[ "$(records)" = 1 ]
}

@test "--dry-run with --rule and table routes changes nothing" {
	before=$(world)
	run -0 cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.61.0.2/24 --dry-run \
		--route default@10.61.0.1,table=100 --route 10.70.0.0/16@10.61.0.1,metric=5 \
		--rule from=10.61.0.0/24,table=100,priority=1000 --rule to=fd62::/64,table=200
	assert_equal "$(world)" "$before"
	[ ! -e "$CNET_STATE" ]
	[ ! -e "$CNET_STATE.journal" ]
	# and with a record there already (the same attachment, made for real)
	run -0 cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.61.0.2/24
	# (the kernel adds eth1's link-local address's local route once its
	# DAD is done, after the attach has returned)
	wait_until 30 ll_settled "$CNS" eth1 || fail "eth1's link-local address stayed tentative"
	before=$(world)
	store_before=$(store_bytes)
	run -0 cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.61.0.3/24 --ifname eth2 --dry-run \
		--route default@10.61.0.1,table=100 --rule from=10.61.0.0/24,table=100,priority=1000
	assert_equal "$(world)" "$before"
	assert_equal "$(store_bytes)" "$store_before"
}

@test "the record keeps the route and rule specs, in their canonical form" {
	run -0 cnet attach "netns:$CNS" macvlan --parent up0 --ip 10.61.0.2/24 --ip fd61::2/64 --no-dad \
		--route 10.70.0.0/16@10.61.0.1,metric=50 \
		--route 10.72.0.0/16,table=100,metric=60 \
		--route default@10.61.0.1,table=100 \
		--route 10.71.0.0/16@10.61.0.1,table=main \
		--rule priority=1000,table=100,from=10.61.0.0/24 \
		--rule to=10.62.0.0/16,table=200 \
		--rule from=fd61::/64,table=main
	doc=$(state_doc)
	[ "$(jq '.records | length' <<<"$doc")" = 1 ]
	[ "$(jq -c .records[0].options.route <<<"$doc")" = \
		'["10.70.0.0/16@10.61.0.1,metric=50","10.72.0.0/16,metric=60,table=100","0.0.0.0/0@10.61.0.1,table=100","10.71.0.0/16@10.61.0.1"]' ]
	[ "$(jq -c .records[0].options.rule <<<"$doc")" = \
		'["from=10.61.0.0/24,table=100,priority=1000","to=10.62.0.0/16,table=200","from=fd61::/64,table=main"]' ]
}
