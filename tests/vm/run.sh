#!/usr/bin/env bash
# Boot the test VM and run the guest suites in it; exit 0 only if every
# expected test ran and passed. Usage:
#   tests/vm/run.sh [SUITE.bats|DIR ...]
#   (default: tests/vm/suites, tests/cli/attach.bats, tests/cli/detach.bats)
# VM_TIMEOUT (seconds, default 3600) bounds the whole guest run; a hang fails.
# VM_SHELL=1 boots the same guest to a root shell on this terminal instead
# (power off with 'poweroff -f' or Ctrl-A X); VM_KEEP=1 keeps the run
# directory (console log, TAP output) after a successful run too.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$TOP"
suites=("$@")
# By default the rig's own suites, and cnet's attach and detach suites on
# Debian's kernel (the host runs a newer one). The fault walks stay on the
# host: under emulation each takes about a minute.
[ ${#suites[@]} -gt 0 ] || suites=(tests/vm/suites tests/cli/attach.bats tests/cli/detach.bats)

KDIR=$(tests/vm/deps.sh | tail -n 1)
KVER=$(ls "$KDIR/lib/modules")
B=$TOP/build/vm
mkdir -p "$B"
RUN=$(mktemp -d "$B/run.XXXXXX")
mkdir -p "$RUN/share"
cc -O2 -Wall -o "$B/qmp" tests/vm/qmp.c

# The initramfs: static busybox, /init, and the modules needed to reach the
# host's root over 9p and overlay it.
stage=$RUN/initramfs
mkdir -p "$stage"/{bin,modules,proc,sys,dev}
cp /bin/busybox "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
cp tests/vm/init "$stage/init"
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache \
	9pnet 9pnet_virtio 9p overlay; do
	f=$(find "$KDIR/lib/modules/$KVER/kernel" -name "$m.ko" | head -n 1)
	[ -z "$f" ] || cp "$f" "$stage/modules/"
done
(cd "$stage" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$RUN/initramfs.gz"

# Expected tests: a guest that ran fewer (or skipped any) fails the run.
files=()
for s in "${suites[@]}"; do
	if [ -d "$s" ]; then files+=("$s"/*.bats); else files+=("$s"); fi
done
expected=$(cat "${files[@]}" | grep -c '^@test ' || true)
list=$(IFS=,; echo "${files[*]}")

# Link cuts: a guest test writes "cut N" or "restore N" to link.req in the
# results share; this turns it into QMP set_link on netdev pfN and answers in
# link.ack. Nothing else is accepted.
watch_links() {
	local req
	while :; do
		if [ -f "$RUN/share/link.req" ]; then
			req=$(cat "$RUN/share/link.req")
			rm -f "$RUN/share/link.req"
			if [[ $req =~ ^(cut|restore)\ ([1-3])$ ]]; then
				state=up
				[ "${BASH_REMATCH[1]}" = cut ] && state=down
				if "$B/qmp" "$RUN/qmp.sock" "pf${BASH_REMATCH[2]}" "$state" 2>>"$RUN/qmp.log"; then
					echo "ok $req" >"$RUN/share/link.ack.tmp"
				else
					echo "failed $req" >"$RUN/share/link.ack.tmp"
				fi
			else
				echo "refused" >"$RUN/share/link.ack.tmp"
			fi
			mv "$RUN/share/link.ack.tmp" "$RUN/share/link.ack"
		fi
		sleep 0.05
	done
}

nics=()
for i in 1 2 3; do
	nics+=(-netdev "hubport,id=pf$i,hubid=0"
		-device "pcie-root-port,id=rp$i,chassis=$i,slot=$i"
		-device "igb,bus=rp$i,netdev=pf$i,mac=52:54:00:c0:00:0$i")
done
append="console=ttyS0 panic=-1 quiet cnet.top=$TOP cnet.kdir=$KDIR cnet.suites=$list"
qemu=(qemu-system-x86_64 -machine q35 -accel tcg,thread=multi -smp 2 -m 2048
	-no-reboot -display none -monitor none
	-kernel "$KDIR/boot/vmlinuz-$KVER" -initrd "$RUN/initramfs.gz"
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on
	-virtfs "local,path=$RUN/share,mount_tag=results,security_model=none"
	-qmp "unix:$RUN/qmp.sock,server=on,wait=off" "${nics[@]}")

if [ "${VM_SHELL:-}" = 1 ]; then
	watch_links &
	"${qemu[@]}" -serial mon:stdio -append "$append cnet.shell=1"
	kill %1 2>/dev/null || true
	exit 0
fi

watch_links &
watcher=$!
trap 'kill $watcher 2>/dev/null || true' EXIT
start=$EPOCHREALTIME
rc=0
timeout --kill-after=10 "${VM_TIMEOUT:-3600}" "${qemu[@]}" -serial "file:$RUN/console.log" \
	-append "$append" || rc=$?
secs=$(awk "BEGIN { printf \"%.1f\", $EPOCHREALTIME - $start }")

cat "$RUN/share/tap.txt" 2>/dev/null || true
cat "$RUN/share/guest.log" 2>/dev/null | sed 's/^/# /' || true
status=$(cat "$RUN/share/status" 2>/dev/null || echo none)
count() { grep -cE "$1" "$RUN/share/tap.txt" 2>/dev/null || true; }
ran=$(count '^(not )?ok ')
failed=$(count '^not ok ')
skipped=$(count '^ok .* # skip')
: "${ran:=0}" "${failed:=0}" "${skipped:=0}"
echo "# vm: ${secs}s, expected $expected, ran $ran, failed $failed, skipped $skipped (run dir $RUN)"

verdict=0
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "vm: the guest did not finish within ${VM_TIMEOUT:-3600} s (console: $RUN/console.log)" >&2
	verdict=1
elif [ "$status" = none ]; then
	echo "vm: the guest left no result (console: $RUN/console.log)" >&2
	tail -n 20 "$RUN/console.log" >&2 || true
	verdict=1
elif [ "$status" != 0 ] || [ "$failed" != 0 ]; then
	[ "$ran" != 0 ] || echo "vm: no guest test ran (bats exit status $status; see above)" >&2
	verdict=1
elif [ "$ran" != "$expected" ] || [ "$skipped" != 0 ]; then
	echo "vm: expected $expected tests to run and pass, $ran ran, $skipped skipped" >&2
	verdict=1
fi
echo "$((ran - failed)) passed, $failed failed"
[ "$verdict" != 0 ] || [ -n "${VM_KEEP:-}" ] || rm -rf "$RUN"
exit "$verdict"
