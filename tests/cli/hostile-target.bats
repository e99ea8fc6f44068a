#!/usr/bin/env bats
# bats file_tags=netns
# What a container and its engine can do to the name cnet knows it by: its
# process exits and another takes its PID, a new container takes a removed
# one's name, a namespace takes a container's name, the engine answers
# nonsense or hangs up. cnet must never act on the newcomer instead, nor
# lose track of the interface it gave. The engine is tests/fake-engine.c
# (as in engine.bats); the "containers" are processes in $CNS and $CNS2.

load test_helper

setup() {
	setup_host
	ENGINE_DIR=$BATS_TEST_TMPDIR/engine
	mkdir -p "$ENGINE_DIR"
	export CNET_DOCKER_SOCK=$BATS_TEST_TMPDIR/docker.sock
	export CNET_PODMAN_SOCK=$BATS_TEST_TMPDIR/no-podman.sock
	SLEEPERS=()
	DOCKER_PID=
}

teardown() {
	kill ${DOCKER_PID:+"$DOCKER_PID"} "${SLEEPERS[@]}" 2>/dev/null || true
	teardown_host
}

engine() { # [hangup]: the fake Docker, on $CNET_DOCKER_SOCK
	fake_engine "$CNET_DOCKER_SOCK" "$ENGINE_DIR" "$@"
	DOCKER_PID=$FAKE_ENGINE_PID
}

# Wait until process PID is in namespace NS.
wait_in_ns() { # PID NS
	local want
	want=$(stat -L -c %i "/run/netns/$2")
	wait_until 30 ns_inode_is "$1" "$want" || fail "process $1 did not enter $2"
}
# ns_inode_is PID INODE: process PID's network namespace is inode INODE.
ns_inode_is() { [ "$(stat -L -c %i "/proc/$1/ns/net" 2>/dev/null)" = "$2" ]; }

# A process in namespace NS; its PID in $PID.
start_in() { # NS
	ip netns exec "$1" sleep 300 </dev/null >/dev/null 2>&1 &
	PID=$!
	SLEEPERS+=("$PID")
	wait_in_ns "$PID" "$1"
}

# The same, under a given PID (of a process that has exited): the kernel's
# last PID set just below it, then a fork. Another process on the machine
# may take it first: tried again, a bounded number of times.
start_in_as() { # NS PID
	for _ in $(seq 100); do
		echo $(($2 - 1)) >/proc/sys/kernel/ns_last_pid
		ip netns exec "$1" sleep 300 </dev/null >/dev/null 2>&1 &
		if [ "$!" = "$2" ]; then
			PID=$!
			SLEEPERS+=("$PID")
			wait_in_ns "$PID" "$1"
			return 0
		fi
		kill "$!"
		wait "$!" 2>/dev/null || true
	done
	fail "PID $2 could not be had again"
}

# cnet reapply, once it succeeds: the kernel tears a namespace down in the
# background, and until then its macvlan holds its MAC on the parent (an
# attach elsewhere with that MAC would fail). Its output in $REAPPLY.
reapply_settled() {
	wait_until 30 reapply_ok || fail "reapply did not settle: $output"
	REAPPLY=$output
}
# reapply_ok: cnet reapply succeeds (run: its output in $output).
reapply_ok() {
	run cnet reapply
	[ "$status" = 0 ]
}

# A container named NAME with Id ID (by default one made from the name)
# running as a process in NS, as the engine publishes it.
container() { # NAME NS [ID]
	local id=${3-$(printf %s "$1" | sha256sum | cut -c1-64)}
	start_in "$2"
	printf '{"Id":"%s","Name":"/%s","State":{"Running":true,"Pid":%d}}\n' "$id" "$1" "$PID" \
		>"$ENGINE_DIR/$1.json"
}

# The newcomer in $CNS2 got nothing: it has only its lo.
newcomer_untouched() {
	run -0 ip -n "$CNS2" -j link show
	[ "$(jq -r '[.[].ifname] | join(" ")' <<<"$output")" = lo ]
}

# The newcomer plants a look-alike of record ID's interface (name, mark).
plant_lookalike() { # ID
	ip -n "$CNS2" link add eth1 type veth peer name eth1p
	ip -n "$CNS2" link set eth1 alias "cnet:$1"
}

@test "/proc/PID/ns/net: a process that took the PID of the one attached to is another target (19: start time read through the same /proc/PID)" {
	start_in "$CNS"
	old=$PID
	run -0 cnet attach "/proc/$old/ns/net" macvlan --parent up0 --ip 10.98.0.2/24
	[ "$(link_json "$CNS" eth1 | jq -r .linkinfo.info_kind)" = macvlan ]
	start=$(sed 's/.*) //' "/proc/$old/stat" | cut -d' ' -f20)
	id=$(jq -r '.records[0].id' <(state_doc))
	# the process exits, its namespace with it; another process, in
	# another namespace, gets its PID
	kill "$old"
	wait "$old" 2>/dev/null || true
	ip netns del "$CNS"
	start_in_as "$CNS2" "$old"
	reapply_settled
	newcomer_untouched
	[ "$(jq -c '.records[0].netns | [.pid, .pid_start]' <(state_doc))" = "[$old,$start]" ]
	assert_equal "$REAPPLY" "stopped: macvlan eth1 in /proc/$old/ns/net: process gone (its PID now belongs to another)"
	# the newcomer plants a look-alike of the interface: detach by the
	# path drops the record without reaching into its namespace
	plant_lookalike "$id"
	run -0 cnet detach "/proc/$old/ns/net"
	[ "$(link_json "$CNS2" eth1 | jq -r .ifalias)" = "cnet:$id" ]
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
}

@test "docker: a container that takes a removed container's name (another Id) is another container" {
	engine
	container web "$CNS" "$(printf 'a%.0s' {1..64})"
	run -0 cnet attach docker:web macvlan --parent up0 --ip 10.98.1.2/24
	id=$(jq -r '.records[0].id' <(state_doc))
	# web is removed (its namespace with it); a new container named web
	# runs in another namespace
	kill "${SLEEPERS[@]}"
	ip netns del "$CNS"
	container web "$CNS2" "$(printf 'b%.0s' {1..64})"
	reapply_settled
	newcomer_untouched
	[ "$(jq -r '.records[0].netns.container_id' <(state_doc))" = "$(printf 'a%.0s' {1..64})" ]
	assert_equal "$REAPPLY" "stopped: macvlan eth1 in docker:web: container gone (its name now belongs to another)"
	# the newcomer plants a look-alike of the interface: detach by the
	# name drops the record without reaching into its namespace
	plant_lookalike "$id"
	run -0 cnet detach docker:web
	[ "$(link_json "$CNS2" eth1 | jq -r .ifalias)" = "cnet:$id" ]
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
	# an answer without an Id cannot tell one container from another
	container anon "$CNS2" ""
	run -1 --separate-stderr cnet attach docker:anon macvlan --parent up0
	assert_equal "$stderr" "cnet: docker answered about container 'anon' without a valid Id"
	[ "$(link_json "$CNS2" eth1 | jq -r .ifalias)" = "cnet:$id" ]
	[ "$(ip -n "$CNS2" -j link show | jq length)" = 3 ] # lo and the look-alike veth pair
}

@test "detach NAME of a record found through Docker asks Docker only: a namespace named NAME does not count" {
	engine
	name=$(ns_prefix)-x
	container "$name" "$CNS"
	run -0 cnet attach "$name" macvlan --parent up0 --ip 10.98.2.2/24
	[ "$(jq -r '.records[0].runtime' <(state_doc))" = docker ]
	id=$(jq -r '.records[0].id' <(state_doc))
	# a namespace takes the name, with a look-alike of the interface
	CREATED_NS+=("$name")
	ip netns add "$name"
	ip -n "$name" link add eth1 type veth peer name eth1p
	ip -n "$name" link set eth1 alias "cnet:$id"
	run -0 cnet detach "$name"
	run -1 ip -n "$CNS" link show eth1 # the container's interface went with the record
	[ "$(jq '.records | length' <(state_doc))" = 0 ]
	[ "$(link_json "$name" eth1 | jq -r .ifalias)" = "cnet:$id" ] # the namespace's stayed
}

@test "an engine answering a negative HTTP status is an error, not \"no engine\" (and leaks nothing under ASan)" {
	engine
	container web "$CNS"
	for st in -2 -111 -500; do
		printf 'HTTP/1.0 %s Oops\r\nContent-Type: application/json\r\n\r\n{}\n' "$st" >"$ENGINE_DIR/web.http"
		run -1 --separate-stderr cnet attach docker:web macvlan --parent up0
		assert_equal "$stderr" "cnet: docker at $CNET_DOCKER_SOCK sent an invalid HTTP status line"
		# a bare name is not passed on to Podman as if Docker were not there
		run -1 --separate-stderr cnet attach web macvlan --parent up0
		assert_equal "$stderr" "cnet: docker at $CNET_DOCKER_SOCK sent an invalid HTTP status line"
	done
	run -0 ip -n "$CNS" -j link show
	[ "$(jq -r '[.[].ifname] | join(" ")' <<<"$output")" = lo ]
}

@test "an engine that hangs up before reading the request is an error, not death by SIGPIPE" {
	# The engine runs real-time on the CPU cnet runs on: woken by cnet's
	# connect, it closes the connection before cnet can send its request.
	"$TOP/build/fake-engine" "$CNET_DOCKER_SOCK" "$ENGINE_DIR" hangup &
	DOCKER_PID=$!
	wait_until 30 test -S "$CNET_DOCKER_SOCK" || fail "the fake engine did not start"
	taskset -p -c 0 "$DOCKER_PID" >/dev/null
	chrt -f -p 50 "$DOCKER_PID"
	container web "$CNS"
	for _ in 1 2 3; do
		run -1 --separate-stderr taskset -c 0 ip netns exec "$HOSTNS" "$CNET_BIN" attach docker:web macvlan --parent up0
		assert_equal "$stderr" "cnet: cannot ask docker at $CNET_DOCKER_SOCK: Broken pipe"
	done
	run -0 ip -n "$CNS" -j link show
	[ "$(jq -r '[.[].ifname] | join(" ")' <<<"$output")" = lo ]
}
