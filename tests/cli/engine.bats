#!/usr/bin/env bats
# bats file_tags=netns
# docker:NAME, podman:NAME and bare names, through the engines' HTTP APIs on
# their unix sockets. A small fake engine (tests/fake-engine.c) answers
# GET /containers/NAME/json here; the "container" is a process in $CNS.

load test_helper

setup() {
	setup_host
	ENGINE_DIR=$BATS_TEST_TMPDIR/engine
	export CNET_DOCKER_SOCK=$BATS_TEST_TMPDIR/docker.sock
	export CNET_PODMAN_SOCK=$BATS_TEST_TMPDIR/no-podman.sock
	SLEEPERS=()
	fake_engine "$CNET_DOCKER_SOCK" "$ENGINE_DIR"
	DOCKER_PID=$FAKE_ENGINE_PID
}

teardown() {
	kill "$DOCKER_PID" "${SLEEPERS[@]}" 2>/dev/null || true
	teardown_host
}

# A "container": a process in namespace NS, published by the engine as NAME.
# Its Id is made from its name: the same again when it is "restarted" (an
# engine keeps a container's Id across restarts).
container() { # NAME NS [running]
	local pid id
	id=$(printf %s "$1" | sha256sum | cut -c1-64)
	ip netns exec "$2" sleep 300 &
	pid=$!
	SLEEPERS+=("$pid")
	# ip netns exec is in NS only once it has entered it
	wait_until 30 in_ns "$pid" "$2" || fail "$1 (PID $pid) never entered $2"
	printf '{"Id":"%s","Name":"/%s","State":{"Running":%s,"Pid":%d}}\n' \
		"$id" "$1" "${3:-true}" "$pid" >"$ENGINE_DIR/$1.json"
}

# in_ns PID NS: process PID is in namespace NS.
in_ns() { [ "$(readlink "/proc/$1/ns/net")" = "$(ip netns exec "$2" readlink /proc/self/ns/net)" ]; }

# reapply_ok: cnet reapply succeeds (run: its output in $output).
reapply_ok() {
	run cnet reapply
	[ "$status" = 0 ]
}

@test "docker:NAME attaches into the container's namespace, found through the engine's API" {
	container web "$CNS"
	run -0 cnet attach docker:web macvlan --parent up0 --ip 10.96.0.2/24
	[ "$(link_json "$CNS" eth1 | jq -r .linkinfo.info_kind)" = macvlan ]
	[ "$(jq -r '.records[0].target' <(state_doc))" = docker:web ]
}

@test "container:NAME asks the engines only: a name that is a live PID elsewhere is still the container" {
	# the container's name is the PID of a process in another namespace
	local other
	ip netns exec "$CNS2" sleep 300 3>&- &
	other=$!
	SLEEPERS+=("$other")
	container "$other" "$CNS"
	run -0 cnet attach "container:$other" macvlan --parent up0
	[ "$(link_json "$CNS" eth1 | jq -r .linkinfo.info_kind)" = macvlan ]
	run -1 ip -n "$CNS2" link show eth1
	# and a named namespace of that name is never taken for it
	run -3 --separate-stderr cnet attach "container:$CNS2" macvlan --parent up0 --ifname eth2
	[[ "$stderr" == *"no network namespace, Docker or Podman container named '$CNS2'"* ]]
	run -1 ip -n "$CNS2" link show eth2
}

@test "a bare name that is no namespace is looked up in Docker, then Podman" {
	container web2 "$CNS"
	run -0 cnet attach web2 macvlan --parent up0
	[ "$(link_json "$CNS" eth1 | jq -r .linkinfo.info_kind)" = macvlan ]
	run -3 --separate-stderr cnet attach nosuch macvlan --parent up0
	[[ "$stderr" == *"no network namespace, Docker or Podman container named 'nosuch'"* ]]
}

@test "a stopped container, an unknown one and an absent engine are exit 3" {
	container idle "$CNS" false
	run -3 --separate-stderr cnet attach docker:idle macvlan --parent up0
	[[ "$stderr" == *"docker container 'idle' is not running"* ]]
	run -3 --separate-stderr cnet attach docker:ghost macvlan --parent up0
	[[ "$stderr" == *"no docker container named 'ghost'"* ]]
	run -3 --separate-stderr cnet attach podman:web macvlan --parent up0
	[[ "$stderr" == *"no podman engine answers at $CNET_PODMAN_SOCK"* ]]
	run -2 cnet attach 'docker:we b' macvlan --parent up0
	run -2 cnet attach 'docker:../../x' macvlan --parent up0
}

@test "a bare name found in Docker stays Docker's: a namespace later given that name is not it" {
	name=$(ns_prefix)-w
	container "$name" "$CNS"
	run -0 cnet attach "$name" macvlan --parent up0 --ip 10.96.1.2/24
	[ "$(jq -r '.records[0].runtime' <(state_doc))" = docker ]
	# the container stops; a namespace of the same name appears
	printf '{"Id":"%064d","Name":"/%s","State":{"Running":false,"Pid":0}}\n' 1 "$name" \
		>"$ENGINE_DIR/$name.json"
	CREATED_NS+=("$name")
	ip netns add "$name"
	run -0 cnet reapply
	assert_output "stopped: macvlan eth1 in $name: target not running"
	[ "$(ip -n "$name" -j link show | jq length)" = 1 ] # lo only
}

@test "reapply follows a restarted container into its new namespace" {
	container app "$CNS"
	cnet attach docker:app macvlan --parent up0 --ip 10.97.0.2/24 --gw 10.97.0.1
	mac=$(link_json "$CNS" eth1 | jq -r .address)
	# restart: the old process and its namespace go (the kernel tears the
	# namespace down in the background; until then its macvlan still holds
	# the MAC on up0), the engine runs it anew in another namespace
	kill "${SLEEPERS[@]}"
	ip netns del "$CNS"
	container app "$CNS2"
	wait_until 30 reapply_ok || fail "reapply did not converge: $output"
	assert_output --partial "repaired: macvlan eth1 in docker:app: container restarted"
	[ "$(link_json "$CNS2" eth1 | jq -r .address)" = "$mac" ]
	run -0 addrs_of "$CNS2" eth1
	assert_output 10.97.0.2/24
	run -0 cnet reapply
	assert_output "ok: macvlan eth1 in docker:app"
}

@test "a pair between two containers records both identities; a peer whose name another container took is stopped, never joined" {
	container web "$CNS"
	container db "$CNS2"
	db_pid=${SLEEPERS[-1]}
	run -0 cnet attach docker:web pair --peer docker:db --ip 10.97.0.1/30 --peer-ip 10.97.0.2/30
	[ "$(link_json "$CNS" eth1 | jq -r .linkinfo.info_kind)" = veth ]
	[ "$(link_json "$CNS2" eth1 | jq -r .linkinfo.info_kind)" = veth ]
	rec=$(state_doc | jq -c '.records[0]')
	[ "$(jq -r .peer.runtime <<<"$rec")" = docker ]
	[ "$(jq -r .peer.netns.container_id <<<"$rec")" = "$(printf db | sha256sum | cut -c1-64)" ]
	[ "$(jq -r .netns.container_id <<<"$rec")" = "$(printf web | sha256sum | cut -c1-64)" ]
	# db goes; another container takes its name, in a third namespace
	CNS3=$P-e
	CREATED_NS+=("$CNS3")
	ip netns add "$CNS3"
	kill "$db_pid"
	ip netns del "$CNS2"
	wait_link_gone "$CNS" eth1
	container impostor "$CNS3"
	sed 's|"Name":"/impostor"|"Name":"/db"|' "$ENGINE_DIR/impostor.json" >"$ENGINE_DIR/db.json"
	run -0 cnet reapply --json
	[ "$(jq -r '.records[0].status' <<<"$output")" = stopped ] || fail "$output"
	[[ "$(jq -r '.records[0].reason' <<<"$output")" == "peer docker:db: "* ]] || fail "$output"
	[ "$(ip -n "$CNS3" -j link show | jq -r '.[].ifname')" = lo ]
	[ "$(ip -n "$CNS" -j link show | jq -r '.[].ifname')" = lo ]
	# db itself comes back (its Id again, a new namespace): the pair is made there
	ip netns add "$CNS2"
	container db "$CNS2"
	run -0 cnet reapply --json
	[ "$(jq -r '.records[0].status' <<<"$output")" = repaired ] || fail "$output"
	[ "$(addrs_of "$CNS2" eth1)" = 10.97.0.2/30 ]
	[ "$(ip -n "$CNS3" -j link show | jq -r '.[].ifname')" = lo ]
	ping_from "$CNS" 10.97.0.2
}
