#!/usr/bin/env bats
# bats file_tags=netns
# cnet watch against a fake engine (tests/fake-engine.c) that streams the
# lines a test appends to $ENGINE_DIR/events, as Docker's GET /events does,
# and logs every request it is sent. A "container" is a process in a
# namespace; its "restart" is a new process in another namespace with the
# same Id. What the watch did is read from the kernel and from the engine's
# request log, never from its reports (those only say when to look).

load test_helper

setup() {
	setup_host
	ENGINE_DIR=$BATS_TEST_TMPDIR/engine
	mkdir -p "$ENGINE_DIR"
	: >"$ENGINE_DIR/events"
	export CNET_DOCKER_SOCK=$BATS_TEST_TMPDIR/docker.sock
	export CNET_PODMAN_SOCK=$BATS_TEST_TMPDIR/no-podman.sock
	SLEEPERS=()
	WATCH_PID=
	engine_start
}

teardown() {
	kill $WATCH_PID "$ENGINE_PID" "${SLEEPERS[@]}" 2>/dev/null || true
	wait 2>/dev/null || true
	teardown_host
}

engine_start() {
	"$TOP/build/fake-engine" "$CNET_DOCKER_SOCK" "$ENGINE_DIR" &
	ENGINE_PID=$!
	wait_until 30 test -S "$CNET_DOCKER_SOCK" || fail "the fake engine did not start"
}

id_of() { printf %s "$1" | sha256sum | cut -c1-64; }

# container NAME NS: NAME runs as a process in NS.
container() {
	local pid
	ip netns exec "$2" sleep 300 &
	pid=$!
	SLEEPERS+=("$pid")
	eval "PID_$1=$pid"
	# ip netns exec is in NS only once it has entered it
	wait_until 30 in_ns "$pid" "$2" || fail "$1 (PID $pid) never entered $2"
	printf '{"Id":"%s","Name":"/%s","State":{"Running":true,"Pid":%d}}\n' \
		"$(id_of "$1")" "$1" "$pid" >"$ENGINE_DIR/$1.json"
}

in_ns() { [ "$(readlink "/proc/$1/ns/net")" = "$(ip netns exec "$2" readlink /proc/self/ns/net)" ]; }

# restart NAME OLDNS NEWNS: as an engine restarts a container: its
# process and namespace (with what was in it) gone, a new process in a
# new namespace, the same Id.
restart() {
	local v=PID_$1
	kill "${!v}"
	ip netns del "$2"
	container "$1" "$3"
}

# event ACTION NAME [ID] [EXTRA-ATTRIBUTES]: appended to the stream.
NANO=1700000000000000000
event() {
	NANO=$((NANO + 1000))
	printf '{"Type":"container","Action":"%s","Actor":{"ID":"%s","Attributes":{"name":"%s"%s}},"time":%d,"timeNano":%d}\n' \
		"$1" "${3:-$(id_of "$2")}" "$2" "${4:-}" $((NANO / 1000000000)) "$NANO" >>"$ENGINE_DIR/events"
}

watch_start() {
	OUT=$BATS_TEST_TMPDIR/watch.out
	ip netns exec "$HOSTNS" "$CNET_BIN" watch --engine docker --json "$@" >"$OUT" 2>"$OUT.err" &
	WATCH_PID=$!
}

# wait_for N TEXT: until the watch's reports hold TEXT N times (a cue only).
wait_for() {
	wait_until 30 seen "$@" || fail "watch: no '$2' x$1 in: $(cat "$OUT" "$OUT.err")"
}
seen() { [ "$(grep -c -- "$2" "$OUT" 2>/dev/null)" -ge "$1" ]; }

gone() { ! kill -0 "$1" 2>/dev/null; }

# wait_addr NS ADDR: until eth1 in NS carries ADDR, as the kernel says.
wait_addr() {
	wait_until 30 has_addr "$@" || fail "no $2 on eth1 in $1: $(ip -n "$1" -o addr 2>&1)"
}
has_addr() { addrs_of "$1" eth1 2>/dev/null | grep -qx "$2"; }

gw_is() { [ "$(ip -n "$CNS2" -j route show 10.97.0.0/16 | jq -r '.[0].gateway')" = "$1" ]; }

@test "watch: a container's start brings its interface back at once, in its new namespace" {
	container web "$CNS"
	run -0 cnet attach docker:web macvlan --parent up0 --ip 10.96.5.2/24 --route 10.97.0.0/16@10.96.5.1
	watch_start
	wait_for 1 '"event":"connected"'
	restart web "$CNS" "$CNS2"
	event start web
	wait_addr "$CNS2" 10.96.5.2/24
	wait_until 30 gw_is 10.96.5.1
	[ "$(ip -n "$CNS2" -j route show 10.97.0.0/16 | jq -r '.[0].gateway')" = 10.96.5.1 ]
	[ "$(link_json "$CNS2" eth1 | jq -r .linkinfo.info_kind)" = macvlan ]
	# the event's time as a whole number of ns (a double holds it to a
	# few hundred), never with an exponent
	wait_for 1 '"event":"start"'
	line=$(grep '"event":"start"' "$OUT" | head -1)
	[[ $line =~ \"time_nano\":([0-9]+), ]] || fail "time_nano not an integer: $line"
	diff=$((BASH_REMATCH[1] - NANO))
	[ "${diff#-}" -lt 1000 ]
}

@test "watch: a lost stream is opened again, asking for what it missed, and everything is reconciled" {
	ip netns add "$P-e"
	CREATED_NS+=("$P-e")
	container db "$CNS"
	run -0 cnet attach docker:db macvlan --parent up0 --ip 10.96.6.3/24
	watch_start
	wait_for 1 '"event":"connected"'
	event start other # a start the stream told of: its time is asked for again
	wait_for 1 '"event":"start"'
	# the engine goes (its stream with it) and stays gone until db has
	# restarted: no event tells of that restart, and no reconciliation
	# can run before it
	kill "$ENGINE_PID"
	wait "$ENGINE_PID" 2>/dev/null || true
	rm -f "$CNET_DOCKER_SOCK"
	wait_for 1 '"event":"disconnected"'
	restart db "$CNS" "$P-e"
	engine_start
	wait_for 2 '"event":"connected"'
	wait_addr "$P-e" 10.96.6.3/24
	grep -q '^GET /events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D&since=1700000000 HTTP/1.0$' \
		"$ENGINE_DIR/requests"
}

@test "watch: an engine absent at first is waited for, then everything is reconciled" {
	container db "$CNS"
	run -0 cnet attach docker:db macvlan --parent up0 --ip 10.96.6.4/24
	kill "$ENGINE_PID"
	wait "$ENGINE_PID" 2>/dev/null || true
	rm -f "$CNET_DOCKER_SOCK"
	watch_start
	wait_for 1 '"event":"disconnected"'
	restart db "$CNS" "$CNS2"
	sleep 0.5 # a few tries fail meanwhile
	engine_start
	wait_addr "$CNS2" 10.96.6.4/24
}

@test "watch: an engine that hangs up at once, again and again, is not asked ten times a second" {
	touch "$ENGINE_DIR/events.hangup"
	watch_start
	sleep 2
	# 100, 200, 400, 800 ms apart: about 5 in 2 s (20 if the wait
	# started over at each connection)
	n=$(grep -c '^GET /events' "$ENGINE_DIR/requests")
	[ "$n" -le 7 ] || fail "$n connections in 2 s"
	[ "$n" -ge 3 ]
}

@test "watch: a replayed start is acted on once" {
	ip netns add "$P-e"
	CREATED_NS+=("$P-e")
	container web "$CNS"
	container db "$CNS2"
	run -0 cnet attach docker:web macvlan --parent up0 --ip 10.96.7.2/24
	run -0 cnet attach docker:db macvlan --parent up0 --ip 10.96.7.3/24
	watch_start
	wait_for 1 '"event":"connected"'
	event start web # no restart: its records are only looked at
	wait_for 1 '"name":"web"'
	n0=$(grep -c "GET /containers/web/json" "$ENGINE_DIR/requests")
	touch "$ENGINE_DIR/events.end"
	wait_for 2 '"event":"connected"'
	# the stream is sent again from its start: web's start, then db's
	restart db "$CNS2" "$P-e"
	event start db
	wait_addr "$P-e" 10.96.7.3/24
	# web was looked at by the reconciliation alone (one answer from the
	# engine), not for its start again
	n=$(($(grep -c "GET /containers/web/json" "$ENGINE_DIR/requests") - n0))
	[ "$n" -eq 1 ] || fail "web asked about $n times since the stream was lost"
}

@test "watch: a renamed container's records follow its name" {
	container web "$CNS"
	run -0 cnet attach docker:web macvlan --parent up0 --ip 10.96.8.2/24
	watch_start
	wait_for 1 '"event":"connected"'
	# renamed: the engine knows it only by its new name now
	mv "$ENGINE_DIR/web.json" "$ENGINE_DIR/front.json"
	event rename front "$(id_of web)" ',"oldName":"/web"'
	wait_for 1 '"event":"rename"'
	restart web "$CNS" "$CNS2"
	jq ".Name = \"/front\"" "$ENGINE_DIR/web.json" >"$ENGINE_DIR/front.json"
	rm "$ENGINE_DIR/web.json"
	event start front "$(id_of web)"
	wait_addr "$CNS2" 10.96.8.2/24
	# and a plain reapply finds it by that name too
	ip netns add "$P-e"
	CREATED_NS+=("$P-e")
	restart web "$CNS2" "$P-e"
	jq ".Name = \"/front\"" "$ENGINE_DIR/web.json" >"$ENGINE_DIR/front.json"
	rm "$ENGINE_DIR/web.json"
	run -0 cnet reapply
	[ "$(addrs_of "$P-e" eth1)" = 10.96.8.2/24 ]
}

@test "watch: hostile lines from the engine's socket are skipped, and the stream read on" {
	container web "$CNS"
	run -0 cnet attach docker:web macvlan --parent up0 --ip 10.96.9.2/24
	watch_start
	wait_for 1 '"event":"connected"'
	{
		head -c 200000 /dev/zero | tr '\0' x # no line is that long
		echo
		echo '{"Type":"container","Action":"start","Actor":{"ID":"../../etc"}}'
		echo '{"Type":"container","Action":"start","Actor":{"ID":"'"$(id_of web)"'","Attributes":{"name":"a\nb"}}}'
		echo '{"Type":"network","Action":"start","Actor":{"ID":"'"$(id_of web)"'"}}'
		echo '["not", "an", "object"]'
		printf '\x00\xff{{{\n'
		echo '{"Type":"container","Action":"rename","Actor":{"ID":"'"$(id_of web)"'","Attributes":{"name":"../x"}}}'
	} >>"$ENGINE_DIR/events"
	restart web "$CNS" "$CNS2"
	event start web
	wait_addr "$CNS2" 10.96.9.2/24
	# the hostile rename changed nothing: the record still finds web
	[ "$(jq -r '.records[0].target' <(state_doc))" = docker:web ]
	kill -0 "$WATCH_PID"
}

@test "watch: SIGTERM stops it; a bad --engine is a usage error" {
	watch_start
	wait_for 1 '"event":"connected"'
	kill -TERM "$WATCH_PID"
	wait_until 30 gone "$WATCH_PID"
	run -0 wait "$WATCH_PID"
	run -2 cnet watch --engine lxc
	run -2 cnet watch --engine docker --engine docker
	run -2 cnet watch docker
}

# hook NAME [PID]: the OCI state a runtime writes to its hook, on stdin
hook_state() {
	local v=PID_$1
	printf '{"ociVersion":"1.0.2","id":"%s","status":"creating","pid":%d,"bundle":"/nonexistent","annotations":{"cnet.attach":"macvlan --parent up0"}}' \
		"$(id_of "$1")" "${2:-${!v}}"
}

@test "hook: the container's records are brought back into the PID's namespace; no engine is asked" {
	container web "$CNS"
	run -0 cnet attach docker:web macvlan --parent up0 --ip 10.96.10.2/24
	kill "$ENGINE_PID" # the runtime holds the container's lock: no answers
	restart web "$CNS" "$CNS2"
	run -0 --separate-stderr ip netns exec "$HOSTNS" "$CNET_BIN" hook < <(hook_state web)
	[ "$(addrs_of "$CNS2" eth1)" = 10.96.10.2/24 ]
	[ "$(link_json "$CNS2" eth1 | jq -r .linkinfo.info_kind)" = macvlan ]
}

@test "hook: never fails a container: none recorded, another's PID, the host's PID, bad state" {
	container web "$CNS"
	container db "$CNS2"
	run -0 cnet attach docker:web macvlan --parent up0 --ip 10.96.11.2/24
	# nothing recorded for db: nothing done, at once
	run -0 ip netns exec "$HOSTNS" "$CNET_BIN" hook < <(hook_state db)
	assert_output ""
	[ "$(ip -n "$CNS2" -j link show | jq -r '.[].ifname')" = lo ]
	# a host where cnet keeps no store: nothing made, not even the store
	CNET_STATE=$BATS_TEST_TMPDIR/none/state.json run -0 ip netns exec "$HOSTNS" "$CNET_BIN" hook \
		< <(hook_state web)
	[ ! -e "$BATS_TEST_TMPDIR/none" ]
	# web's Id with a PID of the host's: nothing comes to the host
	ip netns exec "$HOSTNS" sleep 30 &
	SLEEPERS+=($!)
	host_pid=$!
	wait_until 30 in_ns "$host_pid" "$HOSTNS" || fail "PID $host_pid never entered $HOSTNS"
	before=$(ip -n "$HOSTNS" -o link | wc -l)
	run -0 --separate-stderr ip netns exec "$HOSTNS" "$CNET_BIN" hook < <(hook_state web "$host_pid")
	[ "$(ip -n "$HOSTNS" -o link | wc -l)" -eq "$before" ]
	[ "$(addrs_of "$CNS" eth1)" = 10.96.11.2/24 ] # web's own is untouched
	# not a state: said, exit 0
	run -0 --separate-stderr ip netns exec "$HOSTNS" "$CNET_BIN" hook <<<'not json'
	[[ "$stderr" == *"stdin is not a container state"* ]]
	run -0 --separate-stderr ip netns exec "$HOSTNS" "$CNET_BIN" hook <<<'{"id":"x","pid":"1"}'
	run -0 --separate-stderr ip netns exec "$HOSTNS" "$CNET_BIN" hook </dev/null
	run -2 cnet hook extra-argument
}
