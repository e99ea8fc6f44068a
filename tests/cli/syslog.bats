#!/usr/bin/env bats
# bats file_tags=netns
# Without a terminal (cron, timers) cnet logs each action to syslog. The
# test gives cnet a private /dev (in a private mount namespace) whose "log"
# is a datagram socket the test reads, so nothing reaches the host's log.

load test_helper

setup() { setup_host; }
teardown() {
	[ -n "${LISTENER:-}" ] && kill "$LISTENER" 2>/dev/null || true
	teardown_host
}

listen() {
	SOCK=$BATS_TEST_TMPDIR/log.sock
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[1] + ".ready", "w").close()
while True:
    print(s.recv(4096).decode(errors="replace"), flush=True)
' "$SOCK" >"$BATS_TEST_TMPDIR/syslog" &
	LISTENER=$!
	wait_until 30 test -e "$SOCK.ready"
}

# cnet in the test's host namespace, stdin and stderr not terminals, with
# /dev/log the test's socket. CNET_LOG as the caller sets it.
cnet_logged() {
	unshare -m sh -c '
		d=$(mktemp -d) && mount -t tmpfs tmpfs "$d" &&
		for n in null zero urandom; do touch "$d/$n" && mount --bind "/dev/$n" "$d/$n"; done &&
		ln -s "$1" "$d/log" && mount --bind "$d" /dev && shift && exec "$@"
	' sh "$SOCK" ip netns exec "$HOSTNS" "$CNET_BIN" "$@" </dev/null 2>/dev/null
}

@test "without a terminal cnet logs what it did to syslog, one line per action; dry runs, listings and no-ops log nothing" {
	listen
	unset CNET_LOG
	run -0 cnet_logged attach "netns:$CNS" macvlan --parent up0 --ip 10.61.0.2/24 --dry-run
	run -0 cnet_logged ls
	run -0 cnet_logged attach "netns:$CNS" macvlan --parent up0 --ip 10.61.0.2/24
	run -0 cnet_logged attach "netns:$CNS" macvlan --parent up0 --ip 10.61.0.2/24
	run -0 cnet_logged reapply
	run -5 cnet_logged attach "netns:$CNS" macvlan --parent nosuch --ifname eth2
	ip netns del "$CNS"
	ip netns add "$CNS"
	run -0 cnet_logged reapply
	run -0 cnet_logged detach "netns:$CNS"
	CNET_LOG=off run -0 cnet_logged attach "netns:$CNS" macvlan --parent up0
	# a last line of the test's own: once the listener has it, it has
	# every line sent before it
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"end", sys.argv[1])' "$SOCK"
	wait_until 30 grep -qx end "$BATS_TEST_TMPDIR/syslog" || fail "the listener never got the last line"
	got=$(sed 's/^<[0-9]*>//; s/^[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]* //' "$BATS_TEST_TMPDIR/syslog")
	echo "$got" >&2
	# the attach: its actions, at LOG_INFO of LOG_DAEMON (<30>)
	grep -q "^<30>" "$BATS_TEST_TMPDIR/syslog"
	[[ "$got" == *"cnet["*"]: attach: create macvlan eth1 on up0 (mode bridge) in netns:$CNS"* ]]
	[[ "$got" == *"]: attach: add address 10.61.0.2/24 to eth1"* ]]
	# the failure, at LOG_ERR (<27>)
	grep -q "^<27>.*attach: parent interface 'nosuch' does not exist" "$BATS_TEST_TMPDIR/syslog"
	# reapply's repair, not its "ok" lines; detach
	[[ "$got" == *"]: reapply: repaired: macvlan eth1 in netns:$CNS: container restarted"* ]]
	[[ "$got" != *"reapply: ok:"* ]]
	[[ "$got" == *"]: detach: remove macvlan eth1 from netns:$CNS"* ]]
	# nothing from the dry run, ls, the unchanged attach, or CNET_LOG=off
	[[ "$got" != *"ls:"* && "$got" != *"would"* ]]
	[ "$(grep -c "attach: create macvlan" <<<"$got")" = 1 ]
}
