#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# How long does an sriov attach (VF picked, its settings recorded, moved in,
# brought up) take, against the bare kernel move `ip link set VF netns NS`?
# Runs in the VM rig (emulated igb): bench/sriov.sh boots it. Interleaved,
# N=20, one run, medians; it reports and asserts nothing about speed.

load ../tests/vm/vm_helper
CNET_BIN=$(cd "$BATS_TEST_DIRNAME/.." && pwd)/build/cnet

@test "bench: sriov attach against ip link set VF netns" {
	in_vm
	local n=20 i t0 t1 p c=() k=() u=() vfn
	export CNET_STATE=$BATS_TEST_TMPDIR/state.json
	p=$(pf 1)
	ip link set "$p" up
	ensure_vfs "$p" 2
	ip netns add bn
	for ((i = 0; i < n; i++)); do
		t0=$EPOCHREALTIME
		"$CNET_BIN" attach bn sriov --pf "$p" --vf 0 >/dev/null
		t1=$EPOCHREALTIME
		c+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) * 1000 }')")
		"$CNET_BIN" detach bn >/dev/null
		vfn=$(vf "$p" 0)
		t0=$EPOCHREALTIME
		ip link set "$vfn" netns bn
		t1=$EPOCHREALTIME
		k+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) * 1000 }')")
		ip -n bn link set "$vfn" netns 1
		# the same move, plus bringing it up (which cnet does)
		t0=$EPOCHREALTIME
		ip link set "$vfn" netns bn
		ip -n bn link set "$vfn" up
		t1=$EPOCHREALTIME
		u+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) * 1000 }')")
		ip -n bn link set "$vfn" down
		ip -n bn link set "$vfn" netns 1
	done
	ip netns del bn
	med() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
	mc=$(med "${c[@]}") mk=$(med "${k[@]}") mu=$(med "${u[@]}")
	printf '# sriov attach, N=%d, medians: cnet %.1f ms; ip link set netns %.1f ms (cnet/ip %.2f); the move plus link up %.1f ms (cnet/that %.2f)\n' \
		"$n" "$mc" "$mk" "$(awk -v a="$mc" -v b="$mk" 'BEGIN { print a / b }')" \
		"$mu" "$(awk -v a="$mc" -v b="$mu" 'BEGIN { print a / b }')" >&3
}
