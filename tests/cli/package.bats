#!/usr/bin/env bats
# The Debian and RPM packages (packaging/build-deb.sh, packaging/build-rpm.sh):
# built from the working tree, each file in the package it belongs to; the
# .debs installed on this machine, used (command, library through
# pkg-config, man pages, systemd units) and purged without a trace.

load test_helper

PKGS=(cnet libcnet0 libcnet-dev cnet-pipework)
ANSIBLE_SRC=packaging/ansible/library/cnet_attach.py
ANSIBLE_DST=usr/share/ansible/plugins/modules/cnet_attach.py
WANTS=(/etc/systemd/system/timers.target.wants/cnet-reapply.timer
	/etc/systemd/system/multi-user.target.wants/cnet-boot.service
	/etc/systemd/system/multi-user.target.wants/cnet-watch.service)

setup() {
	INSTALLED=
}

teardown() {
	# Only what this test installed: never a cnet that was here before.
	if [ -n "$INSTALLED" ]; then
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${PKGS[@]}" >/dev/null 2>&1 ||
			dpkg --purge "${PKGS[@]}" >/dev/null 2>&1 || true
	fi
}

need_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null || need "$t"
	done
}

# The paths (files and symlinks, not directories) in a .deb, without "./".
deb_paths() { # DEB
	dpkg-deb -c "$1" | awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $6 }'
}

# Every PATH is in the list on stdin, given as a file name in $BATS_TEST_TMPDIR.
assert_listed() { # LISTFILE PATH...
	local list=$1 p
	shift
	for p in "$@"; do
		grep -qxF "$p" "$list" || fail "$(basename "$list"): no $p in: $(tr '\n' ' ' <"$list")"
	done
}

assert_not_listed() { # LISTFILE PATH...
	local list=$1 p
	shift
	for p in "$@"; do
		! grep -qxF "$p" "$list" || fail "$(basename "$list"): $p should not be in it"
	done
}

@test "deb: build, contents, lintian, install, use (command, library, man, units), purge" {
	[ "$(id -u)" = 0 ] || need "root (installs packages with apt-get)"
	need_tools dpkg-buildpackage dpkg-checkbuilddeps dh dpkg-deb apt-get lintian \
		systemd-analyze man pkg-config cc
	dpkg-checkbuilddeps "$TOP/packaging/debian/control" 2>/dev/null ||
		need "build dependencies: $(dpkg-checkbuilddeps "$TOP/packaging/debian/control" 2>&1)"
	local p
	for p in "${PKGS[@]}"; do
		if dpkg -s "$p" >/dev/null 2>&1; then
			fail "package $p is already on this machine ($(dpkg-query -W -f='${Version} ${db:Status-Abbrev}' "$p")): this test installs and purges its own; remove it first (apt-get purge ${PKGS[*]})"
		fi
	done
	for p in "${WANTS[@]}"; do
		[ ! -e "$p" ] && [ ! -L "$p" ] || fail "$p is already there (from an earlier install?): remove it first"
	done

	local out=$BATS_TEST_TMPDIR/deb ma
	ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
	run -0 "$TOP/packaging/build-deb.sh" "$out"
	for p in "${PKGS[@]}"; do
		local arch=$(dpkg --print-architecture)
		[ "$p" != cnet-pipework ] || arch=all
		[ -f "$out/${p}_0.1.0_$arch.deb" ] || fail "not built: $p ($(ls "$out"))"
		deb_paths "$out/${p}_0.1.0_"*.deb >"$BATS_TEST_TMPDIR/$p.list"
	done
	ls "$out"/cnet_0.1.0_*.changes "$out"/cnet_0.1.0_*.buildinfo >/dev/null

	assert_listed "$BATS_TEST_TMPDIR/cnet.list" usr/bin/cnet usr/share/man/man8/cnet.8.gz \
		usr/share/bash-completion/completions/cnet usr/share/zsh/vendor-completions/_cnet \
		usr/share/fish/vendor_completions.d/cnet.fish lib/systemd/system/cnet-reapply.service \
		lib/systemd/system/cnet-reapply.timer lib/systemd/system/cnet-boot.service \
		lib/systemd/system/cnet-watch.service usr/share/containers/oci/hooks.d/cnet.json \
		usr/share/doc/cnet/copyright usr/lib/cni/cnet usr/share/man/man8/cnet-pipework.8.gz
	assert_not_listed "$BATS_TEST_TMPDIR/cnet.list" usr/bin/pipework
	# the command pipework, apart: it takes another package's name
	assert_listed "$BATS_TEST_TMPDIR/cnet-pipework.list" usr/bin/pipework usr/share/man/man8/pipework.8.gz
	run -0 dpkg-deb -f "$out"/cnet-pipework_0.1.0_all.deb Conflicts Provides
	assert_output "$(printf 'Conflicts: pipework\nProvides: pipework')"
	if [ -f "$TOP/$ANSIBLE_SRC" ]; then
		assert_listed "$BATS_TEST_TMPDIR/cnet.list" "$ANSIBLE_DST"
	fi
	assert_not_listed "$BATS_TEST_TMPDIR/cnet.list" "usr/lib/$ma/libcnet.so.0.1.0" usr/include/libcnet.h
	assert_listed "$BATS_TEST_TMPDIR/libcnet0.list" "usr/lib/$ma/libcnet.so.0.1.0" "usr/lib/$ma/libcnet.so.0"
	assert_not_listed "$BATS_TEST_TMPDIR/libcnet0.list" "usr/lib/$ma/libcnet.so" "usr/lib/$ma/libcnet.a"
	assert_listed "$BATS_TEST_TMPDIR/libcnet-dev.list" usr/include/libcnet.h "usr/lib/$ma/libcnet.so" \
		"usr/lib/$ma/libcnet.a" "usr/lib/$ma/pkgconfig/libcnet.pc" usr/share/man/man3/libcnet.3.gz
	# the packaged plugin links libnl as a shared library (libnl's
	# security updates reach it; a build from source links it in)
	dpkg-deb -x "$out"/cnet_0.1.0_*.deb "$BATS_TEST_TMPDIR/cnet-deb"
	run -0 readelf -d "$BATS_TEST_TMPDIR/cnet-deb/usr/lib/cni/cnet"
	assert_output --partial '[libnl-route-3.so.200]'
	run -0 dpkg-deb -f "$out"/libcnet0_0.1.0_*.deb Multi-Arch
	assert_output same
	run -0 dpkg-deb -f "$out"/libcnet-dev_0.1.0_*.deb Depends
	assert_output --partial "libcnet0 (= 0.1.0)"
	# packaging/debian/libcnet0.symbols names exactly what the library
	# exports (a symbol added to lib/libcnet.sym must be added there too)
	dpkg-deb -x "$out"/libcnet0_0.1.0_*.deb "$BATS_TEST_TMPDIR/libcnet0"
	local exported listed
	exported=$(nm -D --defined-only "$BATS_TEST_TMPDIR/libcnet0/usr/lib/$ma/libcnet.so.0.1.0" |
		awk '{ sub(/@.*/, "", $3); print $3 }' | sort)
	listed=$(sed -n 's/^ \([^@]*\)@LIBCNET_0[.0-9]* .*/\1/p' "$TOP/packaging/debian/libcnet0.symbols" | sort)
	[ "$(wc -l <<<"$exported")" -gt 50 ] || fail "only these exported: $exported"
	[ "$exported" = "$listed" ] ||
		fail "packaging/debian/libcnet0.symbols (<) is not what libcnet exports (>): $(diff <(echo "$listed") <(echo "$exported"))"
	run -0 bash -c "dpkg-deb --ctrl-tarfile '$out'/libcnet0_0.1.0_*.deb | tar -xOf - ./symbols"
	assert_line ' cnet_version@LIBCNET_0 0.1.0'

	# lintian: no errors and no warnings (packaging/README.md explains the rest)
	run -0 lintian --fail-on error,warning "$out"/cnet_0.1.0_*.changes

	# Nothing of the packages may be on the machine already: dpkg would
	# overwrite such files without a word, and purge would delete them.
	local f
	for f in $(cat "$BATS_TEST_TMPDIR"/{cnet,libcnet0,libcnet-dev,cnet-pipework}.list); do
		[ ! -e "/$f" ] && [ ! -L "/$f" ] || fail "/$f is already there, from no package of this test: remove it first"
	done

	INSTALLED=1
	run -0 bash -c "cd '$out' && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		./cnet_0.1.0_*.deb ./libcnet0_0.1.0_*.deb ./libcnet-dev_0.1.0_*.deb ./cnet-pipework_0.1.0_all.deb"
	for p in "${PKGS[@]}"; do
		run -0 dpkg-query -W -f='${Version} ${db:Status-Abbrev}' "$p"
		assert_output "0.1.0 ii "
	done

	run -0 /usr/bin/cnet --version
	assert_output "cnet 0.1.0"
	# pipework is cnet pipework: its usage text, exit 1, as pipework's
	run -1 /usr/bin/pipework
	assert_line --index 0 "Syntax:"
	[ "$(readlink -f /usr/bin/pipework)" = /usr/bin/cnet ]

	# The library through pkg-config, from the system's directories only (not
	# a make install under /usr/local).
	local pc_dirs=/usr/lib/$ma/pkgconfig:/usr/lib/pkgconfig:/usr/share/pkgconfig
	run -0 env PKG_CONFIG_LIBDIR=$pc_dirs pkg-config --modversion libcnet
	assert_output 0.1.0
	run -0 env PKG_CONFIG_LIBDIR=$pc_dirs pkg-config --variable=libdir libcnet
	assert_output "/usr/lib/$ma"
	cat >"$BATS_TEST_TMPDIR/prog.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <libcnet.h>
int main(void)
{
	struct cnet_ctx *ctx;
	if (cnet_ctx_new(&ctx) < 0)
		return 1;
	if (cnet_ctx_set_state_path(ctx, "/nonexistent/cnet-pkg-test.json") != 0 ||
	    strcmp(cnet_ctx_get_state_path(ctx), "/nonexistent/cnet-pkg-test.json") != 0)
		return 2;
	if (cnet_ctx_set_lock_timeout(ctx, 0) != 0)
		return 3;
	printf("%s|%s\n", cnet_version(), cnet_ctx_get_state_path(ctx));
	cnet_ctx_free(ctx);
	return 0;
}
C
	local flags
	flags=$(PKG_CONFIG_LIBDIR=$pc_dirs pkg-config --cflags --libs libcnet)
	run -0 cc -I/usr/include -o "$BATS_TEST_TMPDIR/prog" "$BATS_TEST_TMPDIR/prog.c" $flags
	run -0 bash -c "ldd '$BATS_TEST_TMPDIR/prog' | grep libcnet"
	assert_output --regexp "libcnet\.so\.0 => /(usr/)?lib/$ma/libcnet\.so\.0 "
	run -0 "$BATS_TEST_TMPDIR/prog"
	assert_output "0.1.0|/nonexistent/cnet-pkg-test.json"

	# The units: installed with the command's path, valid, enabled (not started).
	local units=(/lib/systemd/system/cnet-reapply.service /lib/systemd/system/cnet-reapply.timer
		/lib/systemd/system/cnet-boot.service /lib/systemd/system/cnet-watch.service)
	run -0 grep -h '^ExecStart=' "${units[0]}" "${units[2]}" "${units[3]}"
	assert_output "$(printf 'ExecStart=/usr/bin/cnet reapply\nExecStart=/usr/bin/cnet reapply\nExecStart=/usr/bin/cnet watch')"
	# the OCI hook names the installed command
	[ "$(jq -r .hook.path /usr/share/containers/oci/hooks.d/cnet.json)" = /usr/bin/cnet ]
	run -0 systemd-analyze verify --man=no "${units[@]}"
	for p in "${WANTS[@]}"; do
		[ -L "$p" ] || fail "not enabled: no $p"
		[ "$(readlink "$p")" = "/lib/systemd/system/$(basename "$p")" ] || fail "$p -> $(readlink "$p")"
	done
	[ ! -e /etc/systemd/system/multi-user.target.wants/cnet-reapply.service ] ||
		fail "cnet-reapply.service is enabled: its timer should start it"

	run -0 man -w -a cnet
	assert_line /usr/share/man/man8/cnet.8.gz
	run -0 man -w -a 3 libcnet
	assert_line /usr/share/man/man3/libcnet.3.gz
	run -0 man -w pipework
	assert_line /usr/share/man/man8/cnet-pipework.8.gz
	[ "$(readlink -f /usr/share/man/man8/pipework.8.gz)" = /usr/share/man/man8/cnet-pipework.8.gz ]
	run -0 man -w cnet-pipework
	assert_line /usr/share/man/man8/cnet-pipework.8.gz

	run -0 env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${PKGS[@]}"
	INSTALLED=
	for p in "${PKGS[@]}"; do
		! dpkg -s "$p" >/dev/null 2>&1 || fail "$p still known to dpkg after purge: $(dpkg -s "$p" | grep Status)"
	done
	for f in $(cat "$BATS_TEST_TMPDIR"/{cnet,libcnet0,libcnet-dev,cnet-pipework}.list); do
		[ ! -e "/$f" ] && [ ! -L "/$f" ] || fail "left after purge: /$f"
	done
	for p in "${WANTS[@]}"; do
		[ ! -e "$p" ] && [ ! -L "$p" ] || fail "left after purge: $p"
	done
	# deb-systemd-helper's records of what it enabled
	run -0 find /etc/systemd/system /var/lib/systemd -name 'cnet*'
	assert_output ""
}

@test "rpm: build, each file in its package, dependencies, installable into an empty root" {
	need_tools rpmbuild rpm pkg-config cc scdoc
	pkg-config --exists libnl-3.0 libnl-route-3.0 libmnl libcjson ||
		need "libnl-3-dev libnl-route-3-dev libmnl-dev libcjson-dev"

	local out=$BATS_TEST_TMPDIR/rpm arch
	arch=$(rpm --eval '%{_arch}')
	run -0 "$TOP/packaging/build-rpm.sh" "$out"
	local cnet=$out/cnet-0.1.0-1.$arch.rpm lib=$out/libcnet0-0.1.0-1.$arch.rpm
	local dev=$out/libcnet-devel-0.1.0-1.$arch.rpm pw=$out/cnet-pipework-0.1.0-1.noarch.rpm
	for f in "$cnet" "$lib" "$dev" "$pw" "$out/cnet-0.1.0-1.src.rpm"; do
		[ -f "$f" ] || fail "not built: $(basename "$f") ($(ls "$out"))"
	done
	rpm -qlp "$cnet" 2>/dev/null >"$BATS_TEST_TMPDIR/cnet.rlist"
	rpm -qlp "$lib" 2>/dev/null >"$BATS_TEST_TMPDIR/libcnet0.rlist"
	rpm -qlp "$dev" 2>/dev/null >"$BATS_TEST_TMPDIR/libcnet-devel.rlist"

	assert_listed "$BATS_TEST_TMPDIR/cnet.rlist" /usr/bin/cnet \
		/usr/lib/systemd/system/cnet-reapply.service /usr/lib/systemd/system/cnet-reapply.timer \
		/usr/lib/systemd/system/cnet-boot.service /usr/lib/systemd/system-preset/50-cnet.preset \
		/usr/lib/systemd/system/cnet-watch.service /usr/share/containers/oci/hooks.d/cnet.json \
		/usr/share/bash-completion/completions/cnet /usr/share/zsh/site-functions/_cnet \
		/usr/share/fish/vendor_completions.d/cnet.fish /usr/libexec/cni/cnet
	grep -qE '^/usr/share/man/man8/cnet\.8(\.gz)?$' "$BATS_TEST_TMPDIR/cnet.rlist" || fail "no cnet.8 in cnet"
	grep -qE '^/usr/share/man/man8/cnet-pipework\.8(\.gz)?$' "$BATS_TEST_TMPDIR/cnet.rlist" ||
		fail "no cnet-pipework.8 in cnet"
	rpm -qlp "$pw" 2>/dev/null >"$BATS_TEST_TMPDIR/cnet-pipework.rlist"
	assert_listed "$BATS_TEST_TMPDIR/cnet-pipework.rlist" /usr/bin/pipework
	assert_not_listed "$BATS_TEST_TMPDIR/cnet.rlist" /usr/bin/pipework
	run -0 rpm -qp --conflicts "$pw"
	assert_output pipework
	if [ -f "$TOP/$ANSIBLE_SRC" ]; then
		assert_listed "$BATS_TEST_TMPDIR/cnet.rlist" "/$ANSIBLE_DST"
	fi
	assert_not_listed "$BATS_TEST_TMPDIR/cnet.rlist" /usr/lib64/libcnet.so.0.1.0 /usr/include/libcnet.h
	assert_listed "$BATS_TEST_TMPDIR/libcnet0.rlist" /usr/lib64/libcnet.so.0.1.0 /usr/lib64/libcnet.so.0
	assert_not_listed "$BATS_TEST_TMPDIR/libcnet0.rlist" /usr/lib64/libcnet.so /usr/lib64/libcnet.a
	assert_listed "$BATS_TEST_TMPDIR/libcnet-devel.rlist" /usr/include/libcnet.h /usr/lib64/libcnet.so \
		/usr/lib64/libcnet.a /usr/lib64/pkgconfig/libcnet.pc
	grep -qE '^/usr/share/man/man3/libcnet\.3(\.gz)?$' "$BATS_TEST_TMPDIR/libcnet-devel.rlist" ||
		fail "no libcnet.3 in libcnet-devel"

	# Dependencies: the -devel package names the library package at this
	# exact version; the library provides its soname with the symbol version.
	# The command links libcnet statically (Makefile): it needs libnl, libmnl
	# and cJSON, and not libcnet0.
	run -0 rpm -qp --requires "$dev"
	assert_line --regexp "^libcnet0(\($arch\)|\(x86-64\))? = 0\.1\.0-1$"
	assert_line 'pkgconfig(libnl-route-3.0)'
	run -0 rpm -qp --provides "$lib"
	assert_line --partial 'libcnet.so.0(LIBCNET_0)'
	run -0 rpm -qp --requires "$cnet"
	assert_line --partial 'libnl-route-3.so.200'
	assert_line --partial 'libcjson.so.1'
	refute_line --partial 'libcnet'
	# enabled at installation (preset), not started
	run -0 rpm -qp --scripts "$cnet"
	assert_output --partial 'cnet-reapply.timer cnet-boot.service cnet-watch.service'
	refute_output --partial 'systemctl start'
	run -0 rpm -qp --qf '%{LICENSE}' "$lib"
	assert_output LGPL-2.1-or-later

	# All three together into an empty root (no scriptlets): no file
	# conflicts, the units name the installed command, the .pc its libdir,
	# and the command runs.
	local root=$BATS_TEST_TMPDIR/root
	mkdir -p "$root"
	run -0 rpm --root "$root" --initdb
	run -0 rpm --root "$root" -i --nodeps --noscripts --notriggers "$cnet" "$lib" "$dev" "$pw"
	[ "$(readlink "$root/usr/bin/pipework")" = cnet ]
	run -0 grep -h '^ExecStart=' "$root/usr/lib/systemd/system/cnet-boot.service" \
		"$root/usr/lib/systemd/system/cnet-reapply.service"
	assert_output "$(printf 'ExecStart=/usr/bin/cnet reapply\nExecStart=/usr/bin/cnet reapply')"
	run -0 grep -x 'libdir=${prefix}/lib64' "$root/usr/lib64/pkgconfig/libcnet.pc"
	run -0 grep -x 'prefix=/usr' "$root/usr/lib64/pkgconfig/libcnet.pc"
	run -0 "$root/usr/bin/cnet" --version
	assert_output "cnet 0.1.0"
}
