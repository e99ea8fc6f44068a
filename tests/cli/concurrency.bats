#!/usr/bin/env bats
# bats file_tags=netns
# Many cnet commands at once: the store lock serialises them; nothing is
# lost, nothing leaks.

load test_helper

setup() {
	setup_host
	N=50
	for i in $(seq $N); do
		ip netns add "$P-n$i"
		CREATED_NS+=("$P-n$i")
	done
}
teardown() { teardown_host; }

@test "50 attaches at once with reapply looping: 50 records, 50 links; then 50 detaches leave none" {
	( for _ in $(seq 40); do cnet reapply >/dev/null 2>&1 || true; done ) &
	looper=$!
	pids=()
	for i in $(seq $N); do
		cnet attach "$P-n$i" macvlan --parent up0 --ip "10.90.$((i / 250)).$((i % 250 + 1))/16" \
			>"$BATS_TEST_TMPDIR/a$i.log" 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || fail "an attach failed: $(cat "$BATS_TEST_TMPDIR"/a*.log | grep cnet: | head -3)"; done
	wait "$looper"
	run -0 jq '.records | length' <(state_doc)
	[ "$output" = "$N" ]
	links=0
	for i in $(seq $N); do
		[ "$(link_json "$P-n$i" eth1 | jq -r .linkinfo.info_kind)" = macvlan ] && links=$((links + 1))
	done
	[ "$links" = "$N" ]
	# nothing left over in the host namespace under a temporary name
	[ "$(hostip -j link | jq '[.[] | select(.ifname | startswith("cn"))] | length')" = 0 ]

	pids=()
	for i in $(seq $N); do
		cnet detach "$P-n$i" >/dev/null 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || fail "a detach failed"; done
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
	for i in $(seq $N); do
		run -1 ip -n "$P-n$i" link show eth1
	done
}
