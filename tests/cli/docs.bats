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

@test "every exit code the CLI defines is documented under EXIT STATUS" {
	codes=$(grep -oE 'EXIT_[A-Z]+ = [0-9]+' "$TOP/cli/cli.h" | awk '{print $3}')
	[ "$(wc -w <<<"$codes")" -ge 7 ]
	section=$(sed -n '/^# EXIT STATUS/,/^# /p' "$TOP/man/cnet.8.scd")
	for code in $codes; do
		grep -qx "\*$code\*" <<<"$section" || fail "exit code $code not documented"
	done
}
