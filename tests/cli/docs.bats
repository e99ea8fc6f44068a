#!/usr/bin/env bats
# Every option the parser accepts is documented and completed. The list comes
# from the parser's own table (cnet __options), never from --help text.

load test_helper

setup() {
	run -0 "$CNET_BIN" __options
	OPTIONS=$output
	[ "$(wc -l <<<"$OPTIONS")" -ge 10 ] || fail "the option table looks empty"
}

each_option() { # FILE: fail naming every option absent from FILE
	local missing=() cmd opt
	while read -r cmd opt; do
		grep -qE -- "(^|[^a-z-])${opt}([^a-z-]|$)" "$1" || missing+=("$cmd $opt")
	done <<<"$OPTIONS"
	[ ${#missing[@]} = 0 ] || fail "not in $1: ${missing[*]}"
}

@test "every option appears in its command's --help" {
	local missing=() cmd opt
	while read -r cmd opt; do
		"$CNET_BIN" "$cmd" --help | grep -qE -- "${opt}([^a-z-]|$)" || missing+=("$cmd $opt")
	done <<<"$OPTIONS"
	[ ${#missing[@]} = 0 ] || fail "not in --help: ${missing[*]}"
}

@test "every option appears in the man page" {
	each_option "$TOP/man/cnet.8.scd"
	[ -f "$TOP/build/cnet.8" ] && each_option "$TOP/build/cnet.8"
}

@test "every option appears in the bash completion" {
	each_option "$TOP/completions/cnet.bash"
}

@test "every option appears in the zsh completion" {
	each_option "$TOP/completions/_cnet"
}

@test "every option appears in the fish completion" {
	each_option "$TOP/completions/cnet.fish"
}

@test "every command appears in the man page and the completions" {
	local f c
	for f in man/cnet.8.scd completions/cnet.bash completions/_cnet completions/cnet.fish; do
		for c in $("$CNET_BIN" __options | cut -d' ' -f1 | sort -u); do
			grep -qw -- "$c" "$TOP/$f" || fail "command $c not in $f"
		done
	done
}

@test "bash completion offers kind-specific options only after that kind" {
	source "$TOP/completions/cnet.bash"
	COMP_WORDS=(cnet attach x macvlan --p)
	COMP_CWORD=4
	_cnet
	[[ " ${COMPREPLY[*]} " == *" --parent "* ]]
	COMP_WORDS=(cnet attach x veth --p)
	_cnet
	[[ " ${COMPREPLY[*]} " != *" --parent "* ]]
	COMP_WORDS=(cnet attach x sriov --v)
	_cnet
	[ "${COMPREPLY[*]}" = "--vf --vf-count --vlan --vlan-proto" ]
	COMP_WORDS=(cnet attach x sriov --spoofchk "")
	COMP_CWORD=5
	_cnet
	[ "${COMPREPLY[*]}" = "on off" ]
	COMP_WORDS=(cnet attach x bond --mode "")
	COMP_CWORD=5
	_cnet
	[ "${COMPREPLY[*]}" = "active-backup balance-rr balance-xor broadcast 802.3ad balance-tlb balance-alb" ]
	COMP_WORDS=(cnet attach x macvlan --mode "")
	_cnet
	[ "${COMPREPLY[*]}" = "bridge private vepa passthru" ]
	COMP_WORDS=(cnet vf "")
	COMP_CWORD=2
	_cnet
	[ "${COMPREPLY[*]}" = "enable disable ls" ]
}

# Live values: targets the store has records for, the free VFs of a PF
# (tests/vm has the VF case on real VFs), interfaces, subcommands.
@test "bash completion offers live values: recorded targets, interfaces, dhcp subcommands" {
	source "$TOP/completions/cnet.bash"
	PATH=$TOP/build:$PATH
	st=$BATS_TEST_TMPDIR/state.json
	echo '{"schema":2,"records":[{"id":"a1","target":"docker:web","ifname":"eth1"},
		{"id":"a2","target":"podman:db","ifname":"eth1"}]}' >"$st"
	COMP_WORDS=(cnet detach "")
	COMP_CWORD=2
	CNET_STATE=$st _cnet
	[[ " ${COMPREPLY[*]} " == *" docker:web "* && " ${COMPREPLY[*]} " == *" podman:db "* ]]
	COMP_WORDS=(cnet show --state "$st" d)
	COMP_CWORD=4
	CNET_STATE=/nonexistent _cnet
	[[ " ${COMPREPLY[*]} " == *" docker:web "* ]] && [[ " ${COMPREPLY[*]} " != *" podman:db "* ]]
	COMP_WORDS=(cnet attach x macvlan --parent "")
	COMP_CWORD=5
	_cnet
	[[ " ${COMPREPLY[*]} " == *" lo "* ]]
	COMP_WORDS=(cnet dhcp "")
	COMP_CWORD=2
	_cnet
	[ "${COMPREPLY[*]}" = "renew release" ]
	COMP_WORDS=(cnet attach x macvlan --ip "")
	COMP_CWORD=5
	_cnet
	[ "${COMPREPLY[*]}" = "dhcp" ]
}

@test "fish completion, driven by fish itself: subcommands, kinds, kind options, recorded targets" {
	command -v fish >/dev/null || need "fish (Debian package fish)"
	st=$BATS_TEST_TMPDIR/state.json
	echo '{"schema":2,"records":[{"id":"a1","target":"docker:web","ifname":"eth1"}]}' >"$st"
	comp() { PATH=$TOP/build:$PATH CNET_STATE=$st fish --no-config -c "source $TOP/completions/cnet.fish; complete -C '$1'" | cut -f1; }
	run -0 comp "cnet "
	assert_line attach
	assert_line dhcp
	run -0 comp "cnet attach x "
	assert_line macvlan
	assert_line bond
	run -0 comp "cnet attach x bond --vlan-m"
	assert_output "--vlan-mode"
	run -0 comp "cnet attach x macvlan --vlan-m"
	assert_output ""
	run -0 comp "cnet detach "
	assert_line docker:web
}

@test "zsh completion, driven by an interactive zsh: subcommands, kind options, dhcp, recorded targets" {
	command -v zsh >/dev/null || need "zsh (Debian package zsh)"
	st=$BATS_TEST_TMPDIR/state.json
	echo '{"schema":2,"records":[{"id":"a1","target":"docker:web","ifname":"eth1"}]}' >"$st"
	comp() {
		rm -f "$BATS_TEST_TMPDIR/z"
		PATH=$TOP/build:$PATH CNET_STATE=$st zsh -f "$TOP/tests/cli/zcomp.zsh" "$TOP/completions" \
			"$BATS_TEST_TMPDIR/z" "$1"
		sort -u "$BATS_TEST_TMPDIR/z" | grep -v '^$' || true
	}
	run -0 comp "cnet "
	assert_line attach
	assert_line dhcp
	assert_line vf
	run -0 comp "cnet attach x bond --vlan-m"
	assert_output -- "--vlan-mode"
	run -0 comp "cnet attach x macvlan --vlan-m"
	assert_output ""
	run -0 comp "cnet dhcp "
	assert_output $'release\nrenew'
	run -0 comp "cnet detach "
	assert_line docker:web
}

@test "every symbol libcnet exports is documented in libcnet(3)" {
	syms=$(sed -n 's/^[[:space:]]*\(cnet_[a-z0-9_]*\);$/\1/p' "$TOP/lib/libcnet.sym")
	[ "$(wc -l <<<"$syms")" -ge 40 ] || fail "the symbol list looks short"
	missing=()
	for s in $syms; do
		grep -q -- "$s" "$TOP/man/libcnet.3.scd" || missing+=("$s")
	done
	[ ${#missing[@]} = 0 ] || fail "not in libcnet(3): ${missing[*]}"
	# and every header declaration is exported (nothing documented is missing)
	for f in $(grep -o '^[a-z].* \**cnet_[a-z0-9_]*(' "$TOP/lib/libcnet.h" | grep -o 'cnet_[a-z0-9_]*(' | tr -d '('); do
		grep -q "^[[:space:]]*$f;" "$TOP/lib/libcnet.sym" || fail "declared but not exported: $f"
	done
}

@test "every environment variable cnet reads is documented under ENVIRONMENT" {
	env=$(sed -n '/^# ENVIRONMENT/,/^# EXAMPLES/p' "$TOP/man/cnet.8.scd")
	# test builds' fault switches are not for users (and not in release builds)
	vars=$(grep -rho 'getenv("[A-Z_]*")' "$TOP/lib" "$TOP/cli" | grep -o 'CNET_[A-Z_]*' | sort -u |
		grep -v '^CNET_FAULT_')
	[ -n "$vars" ]
	for v in $vars; do
		grep -q -- "$v" <<<"$env" || fail "$v is not under ENVIRONMENT"
	done
}

@test "every exit code the CLI defines is documented under EXIT STATUS" {
	codes=$(grep -oE 'EXIT_[A-Z]+ = [0-9]+' "$TOP/cli/cli.h" | awk '{print $3}')
	[ "$(wc -w <<<"$codes")" -ge 7 ]
	section=$(sed -n '/^# EXIT STATUS/,/^# /p' "$TOP/man/cnet.8.scd")
	for code in $codes; do
		grep -qx "\*$code\*" <<<"$section" || fail "exit code $code not documented"
	done
}
