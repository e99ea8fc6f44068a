#!/usr/bin/env bats
# tests/check-layout.sh, run by make check: it must fail on a lib/ tree that
# breaks any rule of issue 16's layout and pass on one that keeps them. Each
# case is a tiny fake lib/ of its own, compiled with cc -c into a fake
# build directory (BUILD/pic/lib/NAME.o, as the Makefile lays out libcnet's).

load test_helper

# A clean tree: a registry (kinds.c) pointing at one kind's const table, a
# kind file (kind-veth.c) naming its own value there, an engine file
# (attach.c) reaching the kind through the registry only, and a helper
# (util.c) both call.
setup() {
	T=$BATS_TEST_TMPDIR/t
	L=$T/lib
	mkdir -p "$L" "$T/build/pic/lib"
	cat >"$L/kinds.h" <<-'EOF'
		enum { CNET_KIND_VETH = 3, CNET_KIND_SRIOV = 4 };
		struct kind_ops {
		    int kind;
		    int (*create)(int n);
		};
		extern const struct kind_ops kind_veth_ops;
		const struct kind_ops *kind_find(int kind);
		int util_double(int n);
		int attach(int kind);
	EOF
	src kinds <<-'EOF'
		#include <stddef.h>
		#include "kinds.h"

		static const struct kind_ops *const kinds[] = { &kind_veth_ops };

		const struct kind_ops *kind_find(int kind)
		{
		    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		        if (kinds[i]->kind == kind)
		            return kinds[i];
		    return NULL;
		}
	EOF
	src kind-veth <<-'EOF'
		#include "kinds.h"

		static int veth_create(int n)
		{
		    return util_double(n);
		}

		const struct kind_ops kind_veth_ops = { CNET_KIND_VETH, veth_create };
	EOF
	src attach <<-'EOF'
		#include "kinds.h"

		int attach(int kind)
		{
		    const struct kind_ops *ops = kind_find(kind);

		    return ops ? ops->create(util_double(kind)) : -1;
		}
	EOF
	src util <<-'EOF'
		#include "kinds.h"

		int util_double(int n)
		{
		    return 2 * n;
		}
	EOF
}

src() { # NAME, its text on stdin: lib/NAME.c
	cat >"$L/$1.c"
}

# lib/NAME.c's functions, each of LINES lines from its name to its closing brace
long_fn() { # NAME LINES
	local i
	printf 'int %s(void);\n\nint %s(void)\n{\n\tint n = 0;\n' "$1" "$1"
	for ((i = 0; i < $2 - 5; i++)); do printf '\tn++;\n'; done
	printf '\treturn n;\n}\n'
}

# cc -c every lib/*.c, then the checker on the tree (or on CHECKER)
check_tree() {
	local c
	for c in "$L"/*.c; do
		cc -std=c11 -c -o "$T/build/pic/lib/$(basename "$c" .c).o" "$c" || return 1
	done
	run bash "${CHECKER:-$TOP/tests/check-layout.sh}" "$T/build" "$L"
}

@test "check-layout: a clean tiny tree passes (a registry's pointer to a kind's table is data, not a call)" {
	check_tree
	assert_success
	assert_output --regexp '^check-layout: lib/ keeps its layout \(4 files, [0-9]+ functions'
	# every rule looked at something: the kind file names its own value
	grep -q CNET_KIND_VETH "$L/kind-veth.c"
}

@test "check-layout: CNET_KIND_ in an engine file, or another kind's in a kind file, fails" {
	src attach <<-'EOF'
		#include "kinds.h"

		int attach(int kind)
		{
		    if (kind == CNET_KIND_SRIOV)
		        return -1;
		    return kind_find(kind)->create(kind);
		}
	EOF
	check_tree
	assert_failure 1
	assert_output --partial "/lib/attach.c:5: names CNET_KIND_SRIOV (only kinds.c and kind-*.c may)"
	assert_output --partial "check-layout: 1 problem(s) (kind-enum 1,"

	setup
	sed -i 's/CNET_KIND_VETH, veth_create/CNET_KIND_VETH + CNET_KIND_SRIOV - 4, veth_create/' "$L/kind-veth.c"
	check_tree
	assert_failure 1
	assert_output --partial "/lib/kind-veth.c:8: names CNET_KIND_SRIOV (a kind file names only its own value, CNET_KIND_VETH)"
	refute_output --partial "names CNET_KIND_VETH"
}

@test "check-layout: a kind's name as a string in an engine file fails" {
	src detach <<-'EOF'
		const char *detach_kind(void);

		const char *detach_kind(void)
		{
		    return "host-device";
		}
	EOF
	check_tree
	assert_failure 1
	assert_output --partial '/lib/detach.c:5: names kind "host-device"'
	# the same in a file that is not engine is no problem
	mv "$L/detach.c" "$L/kind-host-device.c"
	rm "$T/build/pic/lib/detach.o"
	check_tree
	assert_success
}

@test "check-layout: a file of 801 lines fails, 800 passes" {
	long_fn padded 6 >"$L/pad.c"
	while [ "$(wc -l <"$L/pad.c")" -lt 800 ]; do echo "/* padding */" >>"$L/pad.c"; done
	check_tree
	assert_success
	echo "/* one more */" >>"$L/pad.c"
	check_tree
	assert_failure 1
	assert_output --partial "/lib/pad.c: 801 lines (over 800: split it)"
	assert_output --partial "(kind-enum 0, kind-string 0, long-file 1, long-function 0, call-circle 0, engine-calls-kind 0)"
}

@test "check-layout: a function of 101 lines fails, 100 passes, ALLOW_LONG lets one through" {
	long_fn long_one 100 >"$L/long.c"
	check_tree
	assert_success
	long_fn long_one 101 >"$L/long.c"
	check_tree
	assert_failure 1
	assert_output --partial "/lib/long.c:3: long_one() is 101 lines (over 100"
	# a function whose parameters go on over more lines counts from its name
	{ printf 'int split_args(int a,\n\t       int b);\n\nint split_args(int a,\n\t       int b)\n{\n'
		for ((i = 0; i < 96; i++)); do printf '\ta += b;\n'; done
		printf '\treturn a;\n}\n'; } >"$L/long.c"
	check_tree
	assert_failure 1
	assert_output --partial "/lib/long.c:4: split_args() is 101 lines"
	# the allowlist, in a copy of the checker
	CHECKER=$T/check-layout.sh
	sed 's/^ALLOW_LONG=()$/ALLOW_LONG=(long.c:split_args)/' "$TOP/tests/check-layout.sh" >"$CHECKER"
	grep -q '^ALLOW_LONG=(long.c:split_args)$' "$CHECKER"
	check_tree
	assert_success
}

@test "check-layout: two files calling each other fail, with each call's symbol" {
	src x <<-'EOF'
		int x_fn(int n);
		int y_fn(int n);

		int x_fn(int n)
		{
		    return n > 0 ? y_fn(n - 1) : 0;
		}
	EOF
	src y <<-'EOF'
		int x_fn(int n);
		int y_fn(int n);

		int y_fn(int n)
		{
		    return n > 0 ? x_fn(n - 1) : 1;
		}
	EOF
	check_tree
	assert_failure 1
	assert_output --regexp 'call circle among [^ ]*/lib/x\.c [^ ]*/lib/y\.c: [^ ]*/lib/x\.c -> [^ ]*/lib/y\.c -> [^ ]*/lib/x\.c'
	assert_output --regexp '/lib/x\.c -> [^ ]*/lib/y\.c: y_fn'
	assert_output --regexp '/lib/y\.c -> [^ ]*/lib/x\.c: x_fn'
	assert_output --partial "call-circle 1,"
}

@test "check-layout: a circle through a third file fails too; one way calls do not" {
	# attach.c -> kinds.c -> util.c -> attach.c
	sed -i 's/ops->create(util_double(kind))/ops->create(kind)/' "$L/attach.c"
	src util <<-'EOF'
		#include "kinds.h"

		int util_double(int n)
		{
		    return n > 9 ? attach(n) : 2 * n;
		}
	EOF
	sed -i 's/return NULL;/return util_double(kind) ? NULL : NULL;/' "$L/kinds.c"
	check_tree
	assert_failure 1
	assert_output --regexp 'call circle among [^ ]*/lib/attach\.c [^ ]*/lib/kinds\.c [^ ]*/lib/util\.c: [^ ]*/lib/attach\.c -> [^ ]*/lib/kinds\.c -> [^ ]*/lib/util\.c -> [^ ]*/lib/attach\.c'
	assert_output --regexp '/lib/util\.c -> [^ ]*/lib/attach\.c: attach'
	# kind-veth.c calls into the circle, but nothing calls back into it
	refute_output --regexp 'kind-veth\.c -> '
	# a kind calling the registry, which only points at its table: no circle
	setup
	sed -i 's/return util_double(n);/return kind_find(n) ? util_double(n) : 0;/' "$L/kind-veth.c"
	check_tree
	assert_success
}

@test "check-layout: an engine file calling a kind file's function fails" {
	src kind-veth <<-'EOF'
		#include "kinds.h"

		int kind_veth_create(int n);

		int kind_veth_create(int n)
		{
		    return util_double(n);
		}

		const struct kind_ops kind_veth_ops = { CNET_KIND_VETH, kind_veth_create };
	EOF
	src attach <<-'EOF'
		#include "kinds.h"

		int kind_veth_create(int n);

		int attach(int kind)
		{
		    return kind == 3 ? kind_veth_create(kind) : kind_find(kind)->create(kind);
		}
	EOF
	check_tree
	assert_failure 1
	assert_output --partial "/lib/attach.c:7: calls kind_veth_create() of "
	assert_output --partial "/lib/kind-veth.c (the engine goes through the kind's operations table)"
	assert_output --partial "engine-calls-kind 1)"
	# the same call from a file that is not engine is no problem
	mv "$L/attach.c" "$L/other.c"
	rm "$T/build/pic/lib/attach.o"
	check_tree
	assert_success
}

@test "check-layout: a missing or stale object stops it (exit 2), it does not guess" {
	check_tree
	assert_success
	rm "$T/build/pic/lib/util.o"
	run bash "$TOP/tests/check-layout.sh" "$T/build" "$L"
	assert_failure 2
	assert_output --partial "no object"
	check_tree
	touch -d '+1 minute' "$L/util.c"
	run bash "$TOP/tests/check-layout.sh" "$T/build" "$L"
	assert_failure 2
	assert_output --partial "is older than"
}
