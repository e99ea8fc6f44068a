#!/usr/bin/env bats
# make install honours DESTDIR and PREFIX; the installed library is usable
# through pkg-config; make uninstall takes everything away again.

load test_helper

setup() {
	ROOT=$BATS_TEST_TMPDIR/root
}

@test "install, build a program against the installed libcnet with pkg-config, run it, uninstall" {
	run -0 make -s -C "$TOP" install DESTDIR="$ROOT" PREFIX=/usr
	for f in usr/bin/cnet usr/lib/libcnet.so.0.1.0 usr/lib/libcnet.a usr/include/libcnet.h \
		usr/lib/pkgconfig/libcnet.pc usr/share/man/man8/cnet.8 \
		usr/share/bash-completion/completions/cnet usr/share/zsh/vendor-completions/_cnet \
		usr/share/fish/vendor_completions.d/cnet.fish usr/share/man/man3/libcnet.3 \
		usr/lib/systemd/system/cnet-reapply.service usr/lib/systemd/system/cnet-reapply.timer \
		usr/lib/systemd/system/cnet-boot.service usr/lib/systemd/system/cnet-watch.service \
		usr/share/containers/oci/hooks.d/cnet.json usr/lib/cni/cnet; do
		[ -e "$ROOT/$f" ] || fail "not installed: $f"
	done
	# the CNI plugin, and the link where runtimes look by default
	[ "$(readlink "$ROOT/opt/cni/bin/cnet")" = /usr/lib/cni/cnet ]
	run -0 env CNI_COMMAND=VERSION "$ROOT/usr/lib/cni/cnet" </dev/null
	[ "$(jq -r '.supportedVersions[-1]' <<<"$output")" = 1.1.0 ]
	grep -qx 'prefix=/usr' "$ROOT/usr/lib/pkgconfig/libcnet.pc"
	[ "$(readlink "$ROOT/usr/lib/libcnet.so.0")" = libcnet.so.0.1.0 ]
	[ "$(readlink "$ROOT/usr/lib/libcnet.so")" = libcnet.so.0 ]
	run -0 "$ROOT/usr/bin/cnet" --version
	# the units run the installed cnet, and systemd finds nothing wrong in them
	grep -qx 'ExecStart=/usr/bin/cnet reapply' "$ROOT/usr/lib/systemd/system/cnet-reapply.service"
	command -v systemd-analyze >/dev/null || need "systemd-analyze (Debian package systemd)"
	d=$BATS_TEST_TMPDIR/units
	mkdir -p "$d"
	[ "$(jq -r '.hook.path, .stages[0]' "$ROOT/usr/share/containers/oci/hooks.d/cnet.json")" = \
		"$(printf '/usr/bin/cnet\ncreateRuntime')" ]
	for u in cnet-reapply.service cnet-reapply.timer cnet-boot.service cnet-watch.service; do
		sed "s|/usr/bin/cnet|$ROOT/usr/bin/cnet|" "$ROOT/usr/lib/systemd/system/$u" >"$d/$u"
	done
	run -0 systemd-analyze verify --man=no "$d/cnet-reapply.service" "$d/cnet-reapply.timer" \
		"$d/cnet-boot.service" "$d/cnet-watch.service"
	# and the man pages render without a warning
	run -0 bash -c "MANWIDTH=80 man --warnings -l '$ROOT/usr/share/man/man3/libcnet.3' 2>&1 >/dev/null"
	assert_output ""
	# the soname, and only cnet_* symbols exported
	run -0 bash -c "objdump -p '$ROOT/usr/lib/libcnet.so.0.1.0' | grep SONAME"
	assert_output --partial libcnet.so.0
	run -0 bash -c "nm -D --defined-only '$ROOT/usr/lib/libcnet.so.0.1.0' | awk '\$2 == \"T\" {print \$3}' | grep -v '^cnet_' || true"
	assert_output ""

	cat >"$BATS_TEST_TMPDIR/prog.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <libcnet.h>
int main(void)
{
	struct cnet_ctx *ctx;
	struct cnet_attach *att;
	if (cnet_ctx_new(&ctx) < 0 || cnet_attach_new(ctx, "netns:x", CNET_KIND_MACVLAN, &att) < 0)
		return 1;
	if (cnet_attach_add_ip(att, "10.0.0.300/24") != -EINVAL)
		return 2;
	printf("%s|%d|%s\n", cnet_version(), cnet_ctx_errclass(ctx), cnet_ctx_errmsg(ctx));
	cnet_attach_free(att);
	cnet_ctx_free(ctx);
	return 0;
}
C
	# the .pc is relative to its prefix, so it can be pointed at DESTDIR
	flags=$(PKG_CONFIG_PATH=$ROOT/usr/lib/pkgconfig pkg-config --define-variable=prefix="$ROOT/usr" --cflags --libs libcnet)
	[[ "$flags" == *"-lcnet"* ]]
	run -0 cc -o "$BATS_TEST_TMPDIR/prog" "$BATS_TEST_TMPDIR/prog.c" $flags
	LD_LIBRARY_PATH=$ROOT/usr/lib run -0 "$BATS_TEST_TMPDIR/prog"
	assert_output --regexp '^[0-9]+\.[0-9]+\.[0-9]+\|2\|invalid address .10\.0\.0\.300/24.'

	run -0 make -s -C "$TOP" uninstall DESTDIR="$ROOT" PREFIX=/usr
	run -0 find "$ROOT" -type f -o -type l
	assert_output ""
}
