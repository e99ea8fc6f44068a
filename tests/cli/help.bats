#!/usr/bin/env bats
# Help, version and usage errors of the command line itself.

load test_helper

setup() { setup_host; }
teardown() { teardown_host; }

ATTACH_OPTS=(ifname ip hostname dhcp-timeout no-gw resolv-conf gw route rule mtu mac egress-rate egress-burst
	ingress-rate ingress-burst no-dad parent mode flags vxlan vxlan-dev vxlan-remote vxlan-group vxlan-port host-access dev force bridge create-bridge
	host-ifname peer peer-ifname peer-ip peer-gw peer-route pf vf vf-count vlan vlan-proto vlan-mode vlan-ifname spoofchk trust link-state min-rate max-rate
	slave miimon updelay downdelay arp-interval arp-ip-target arp-validate arp-all-targets
	primary fail-over-mac xmit-hash-policy lacp-rate min-links
	replace json dry-run state wait help)
DETACH_OPTS=(ifname force json dry-run state wait help)
VF_OPTS=(count json dry-run state wait help)

# The "--name" words of a help text's option list, sorted.
help_options() {
	sed -n 's/^  \(--[a-z-]*\).*/\1/p' <<<"$1" | sort
}

# The options the parser accepts for a command, from the very table it uses.
parser_options() { # COMMAND
	cnet __options | sed -n "s/^$1 //p" | sort
}

@test "--version prints the version and exits 0" {
	run -0 --separate-stderr cnet --version
	assert_output --regexp '^cnet [0-9]+\.[0-9]+\.[0-9]+$'
	assert_equal "$stderr" ""
	want=$(sed -n 's/^VERSION := //p' "$TOP/Makefile")
	assert_output "cnet $want"
}

@test "the version command prints the same as --version" {
	run -0 --separate-stderr cnet --version
	v=$output
	run -0 --separate-stderr cnet version
	assert_output "$v"
}

@test "help lists every command" {
	run -0 --separate-stderr cnet help
	assert_equal "$stderr" ""
	assert_line --index 0 'Usage: cnet COMMAND [ARGS]'
	for c in attach detach help version; do
		assert_line --regexp "^  $c +[a-z]"
	done
	assert_output --partial 'macvlan, host-device, veth, sriov'
}

@test "vf --help lists the vf options; bad vf command lines are usage errors" {
	run -0 --separate-stderr cnet vf --help
	want=$(printf -- '--%s\n' "${VF_OPTS[@]}" | sort)
	assert_equal "$(help_options "$output")" "$want"
	assert_equal "$(help_options "$output")" "$(parser_options vf)"
	run -2 --separate-stderr cnet vf
	run -2 --separate-stderr cnet vf frob
	[ "$stderr" = "cnet: unknown vf command 'frob' (enable, disable or ls)" ]
	run -2 --separate-stderr cnet vf enable
	run -2 --separate-stderr cnet vf enable up0
	[ "$stderr" = "cnet: vf enable needs --count N (1-256)" ]
	run -2 cnet vf enable up0 --count 0
	run -2 cnet vf enable up0 --count 257
	run -2 cnet vf enable up0 --count -1
	run -2 cnet vf disable up0 --count 2
	run -2 cnet vf ls up0 extra
}

@test "--help and -h print the same as help" {
	run -0 --separate-stderr cnet help
	h=$output
	run -0 --separate-stderr cnet --help
	assert_output "$h"
	assert_equal "$stderr" ""
	run -0 --separate-stderr cnet -h
	assert_output "$h"
}

@test "attach --help lists every attach option" {
	run -0 --separate-stderr cnet attach --help
	assert_equal "$stderr" ""
	assert_line --index 0 'Usage: cnet attach TARGET KIND [OPTIONS]'
	want=$(printf -- '--%s\n' "${ATTACH_OPTS[@]}" | sort)
	assert_equal "$(help_options "$output")" "$want"
	assert_equal "$(help_options "$output")" "$(parser_options attach)"
	assert_line --regexp '^  --parent IF +macvlan, ipvlan, vlan: '
	assert_line --regexp '^  --ip ADDR/PLEN\|dhcp +.*repeatable'
}

@test "attach -h is --help, and help attach prints the same" {
	run -0 --separate-stderr cnet attach --help
	h=$output
	run -0 --separate-stderr cnet attach -h
	assert_output "$h"
	run -0 --separate-stderr cnet help attach
	assert_output "$h"
}

@test "attach --help wins over missing arguments and other options" {
	run -0 --separate-stderr cnet attach "netns:$CNS" macvlan --parent up0 --help
	assert_line --index 0 'Usage: cnet attach TARGET KIND [OPTIONS]'
	assert_equal "$stderr" ""
	run -1 ip -n "$CNS" link show eth1
}

@test "detach -h lists the detach options and no attach-only ones" {
	run -0 --separate-stderr cnet detach -h
	assert_equal "$stderr" ""
	assert_line --index 0 'Usage: cnet detach TARGET [--ifname NAME] [OPTIONS]'
	want=$(printf -- '--%s\n' "${DETACH_OPTS[@]}" | sort)
	assert_equal "$(help_options "$output")" "$want"
	assert_equal "$(help_options "$output")" "$(parser_options detach)"
	refute_output --partial -- --parent
}

@test "no arguments is a usage error with the usage on stderr" {
	run -2 --separate-stderr cnet
	assert_output ""
	[[ $stderr == 'Usage: cnet COMMAND [ARGS]'* ]] || fail "no usage on stderr: $stderr"
	[[ $stderr == *attach* && $stderr == *detach* ]] || fail "usage lacks the commands: $stderr"
}

@test "an unknown command is a usage error of one line" {
	run -2 --separate-stderr cnet frobnicate
	assert_output ""
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$stderr" "cnet: unknown command 'frobnicate' (see 'cnet help')"
}

@test "a command is matched exactly, never by prefix" {
	run -2 --separate-stderr cnet att "netns:$CNS" macvlan --parent up0
	assert_equal "$stderr" "cnet: unknown command 'att' (see 'cnet help')"
	run -1 ip -n "$CNS" link show eth1
}

@test "help for an unknown command is a usage error of one line" {
	run -2 --separate-stderr cnet help nope
	assert_output ""
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$stderr" "cnet: unknown command 'nope' (see 'cnet help')"
}

@test "attach without a target or kind is a usage error naming --help" {
	run -2 --separate-stderr cnet attach
	assert_output ""
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "cnet: "*"cnet attach --help"* ]] || fail "unexpected: $stderr"
}

@test "detach without a target is a usage error naming --help" {
	run -2 --separate-stderr cnet detach
	assert_output ""
	assert_equal "${#stderr_lines[@]}" 1
	[[ $stderr == "cnet: "*"cnet detach --help"* ]] || fail "unexpected: $stderr"
}
