#!/usr/bin/env bats
# tests/check-deps.sh, run by make check: it must fail on a tree whose tests
# name or probe a package that make deps does not install, and pass once
# the package is listed. Each case is a small tree of its own.

load test_helper

# made-up package names, kept out of this file's own hints (which the
# checker and the workplace's before-stop hook read)
PA=cnet-pkg-a PB=cnet-pkg-b PV=cnet-pkg-vm

# A tree with one test file holding LINE (and its own copy of the checker).
tree_with() { # LINE...
	T=$BATS_TEST_TMPDIR/tree
	mkdir -p "$T/tests/cli" "$T/tests/vm"
	cp "$TOP/tests/check-deps.sh" "$T/tests/"
	printf '%s\n' "$@" >"$T/tests/cli/x.bats"
	: >"$T/tests/vm/deps.sh"
}

@test "check-deps: a hint naming a package make deps lacks fails, and passes once listed" {
	tree_with "command -v cnet-no-such-prog >/dev/null || need \"it (Debian package $PA)\""
	CNET_DEB_PKGS="jq" run -1 "$T/tests/check-deps.sh" "$T"
	assert_output --partial "tests/cli/x.bats:1 names package 'cnet-pkg-a'"
	CNET_DEB_PKGS="jq cnet-pkg-a" run -0 "$T/tests/check-deps.sh" "$T"
}

@test "check-deps: 'apt-get install' hints count too, every package of them" {
	tree_with "fail \"no tool (apt-get install $PA $PB)\""
	CNET_DEB_PKGS="cnet-pkg-a" run -1 "$T/tests/check-deps.sh" "$T"
	assert_output --partial "'cnet-pkg-b'"
	refute_output --partial "'cnet-pkg-a'"
}

@test "check-deps: a probed program installed here counts by its owning package (dpkg -S)" {
	# jq is installed by make deps, so it is on this machine
	tree_with 'command -v jq >/dev/null || skip'
	CNET_DEB_PKGS="bats" run -1 "$T/tests/check-deps.sh" "$T"
	assert_output --partial "probes 'jq', from package 'jq'"
	CNET_DEB_PKGS="bats jq" run -0 "$T/tests/check-deps.sh" "$T"
	# a program of a 'required' package (in every minimal root) passes unlisted
	tree_with 'command -v mount >/dev/null || skip'
	CNET_DEB_PKGS="" run -0 "$T/tests/check-deps.sh" "$T"
}

@test "check-deps: a probe of a program not on this machine must name its package" {
	tree_with 'command -v cnet-no-such-prog >/dev/null || return 0'
	CNET_DEB_PKGS="jq" run -1 "$T/tests/check-deps.sh" "$T"
	assert_output --partial "probes 'cnet-no-such-prog', which is not installed here, and names no package"
	# the hint may stand on the next line
	tree_with 'command -v cnet-no-such-prog >/dev/null ||' '	fail "missing (Debian package jq)"'
	CNET_DEB_PKGS="jq" run -0 "$T/tests/check-deps.sh" "$T"
}

@test "check-deps: a package the VM rig's deps.sh installs itself passes" {
	tree_with "fail \"no dockerd (apt-get install $PV)\""
	echo 'apt-get install -y cnet-pkg-vm' >"$T/tests/vm/deps.sh"
	CNET_DEB_PKGS="" run -0 "$T/tests/check-deps.sh" "$T"
}

@test "check-deps: this tree passes, with the packages make deps really installs" {
	run -0 "$TOP/tests/check-deps.sh" "$TOP"
}
