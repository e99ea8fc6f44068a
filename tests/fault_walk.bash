# The fault and kill walks, shared by the host suites (tests/cli/test_helper.bash,
# whose fault_walk runs one over an attach in the test's own host namespace)
# and the VM suites (tests/vm/vm_helper.bash). Both helpers source this file
# and define `cnet`: the release build, run where the suite runs cnet.
#
# walk_steps MODE WORLD TARGET -- CMD...
#
# Runs CMD, a command of the fault-injection build (build/fi/cnet; run
# through env, so an executable, not a function), once for each N = 1, 2, ...
# with the build's switch set on its N-th step of one kind. MODE is the kind,
# nl (netlink request), sysfs (sysfs write) or store (state store write):
# that step fails (CNET_FAULT_NL=N etc.). MODE:kill (nl:kill, ...) SIGKILLs
# cnet at that step instead (CNET_FAULT_NL=N:kill). The walk ends at the
# first N that CMD does not reach: it succeeds with no fault injected.
#
# WORLD is a command (a function name, no arguments) whose output is the
# state that must come back: it is read before the first step, and after
# each step it must print exactly that again, once the step has been dealt
# with (so it is read once a step: it must only read):
# - a fault (MODE nl, sysfs, store): CMD fails, and its error is the
#   injected fault. A fault that CMD tolerates (it succeeds all the same,
#   CNET_DEBUG=1 saying that the fault fired) is undone by
#   "cnet detach TARGET", then WALK_UNDO; with WALK_TOLERATE=no it fails
#   the walk instead.
# - a kill (MODE ...:kill): CMD dies of SIGKILL (exit 137); the store
#   ($CNET_STATE and its journal, replayed by state_doc, tests/state_doc.bash)
#   still parses and "cnet store check" passes; "cnet reapply" succeeds
#   and converges (a second, --json, finds every record ok), unless
#   WALK_REAPPLY=no; then "cnet detach TARGET" succeeds.
# The step that succeeds is left as it is: what to check of it, and undoing
# it, is the caller's.
#
# Options, as variables (prefixed to the call, they hold for it only; an
# array needs `local` in the caller):
#   WALK_MIN      the fewest steps the walk may take (default 1)
#   WALK_MAX      the step at which a walk that has not ended fails (default 80)
#   WALK_EACH     a command run before each step, after WORLD is read (e.g.
#                 the attach that a walk over detach undoes each time); an
#                 array for a command with arguments; it must succeed
#   WALK_UNDO     run after detaching a tolerated fault: what detach does not
#                 undo by design (a function name)
#   WALK_TOLERATE no: a tolerated fault fails the walk
#   WALK_REAPPLY  no: after a kill, detach only (no reapply)
#   WALK_LABEL    the walk's name in its summary (default "MODE walk")
# The summary goes to fd 3, e.g. "# LABEL: 12 netlink requests, each rolled
# back" or "# LABEL: killed at each of 10 netlink requests, each time
# recovered"; WALK_STEPS is left holding the number of steps walked.
walk_steps() {
	local mode=$1 world=$2 target=$3 kind var what n=1 spec before after why
	local label=${WALK_LABEL:-"$1 walk"} min=${WALK_MIN:-1} max=${WALK_MAX:-80}
	[ "$4" = -- ] || fail "walk_steps: usage: MODE WORLD TARGET -- CMD..."
	shift 4
	kind=${mode%:kill}
	case $kind in
	nl) var=CNET_FAULT_NL what="netlink request" ;;
	sysfs) var=CNET_FAULT_SYSFS what="sysfs write" ;;
	store) var=CNET_FAULT_STORE what="store write" ;;
	*) fail "walk_steps: no such mode '$mode'" ;;
	esac
	# What the world is after a step that passed is what it is before the
	# next one: read once a step (under the VM's emulation each read costs
	# seconds).
	before=$($world)
	while :; do
		if [ -n "${WALK_EACH:-}" ]; then
			"${WALK_EACH[@]}" >/dev/null || fail "$what $n: '${WALK_EACH[*]}' failed"
		fi
		spec=$n
		[ "$kind" = "$mode" ] || spec=$n:kill
		run --separate-stderr env CNET_DEBUG=1 "$var=$spec" "$@"
		if [ "$status" = 0 ] && [[ "$stderr" != *"injected fault at $what $n"* ]]; then
			break
		fi
		if [ "$kind" != "$mode" ]; then # killed
			[ "$status" = 137 ] || fail "$what $n: expected SIGKILL (137), got $status: $stderr$output"
			state_doc >/dev/null || fail "$what $n: the store does not replay"
			run cnet store check
			[ "$status" = 0 ] || fail "$what $n: cnet store check after the kill: $output"
			why="after the kill and detach, something is left"
			if [ "${WALK_REAPPLY:-}" != no ]; then
				run cnet reapply
				[ "$status" = 0 ] || fail "$what $n: reapply after the kill failed: $output"
				run -0 cnet reapply --json
				jq -e 'all(.records[]; .status == "ok")' <<<"$output" >/dev/null ||
					fail "$what $n: reapply did not converge: $output"
				why="after the kill, reapply and detach, something is left"
			fi
			run cnet detach "$target"
			[ "$status" = 0 ] || fail "$what $n: detach after the kill failed: $output"
		elif [ "$status" = 0 ]; then # tolerated: done all the same
			[ "${WALK_TOLERATE:-}" != no ] || fail "$what $n: a tolerated fault where none is expected"
			echo "# $label: $what $n failed and was tolerated" >&3
			run -0 cnet detach "$target"
			[ -z "${WALK_UNDO:-}" ] || $WALK_UNDO
			why="tolerated, but detach left a change"
		else
			[[ "$stderr" == *"injected fault at $what $n"* ]] ||
				fail "$what $n: unexpected failure: $stderr"
			why="the failed step left something changed"
		fi
		after=$($world)
		[ "$after" = "$before" ] || {
			diff <(echo "$before") <(echo "$after") >&2 || : # (diff fails: set -e)
			fail "$what $n: $why"
		}
		n=$((n + 1))
		[ "$n" -lt "$max" ] || fail "the walk did not end"
	done
	WALK_STEPS=$((n - 1))
	if [ "$kind" = "$mode" ]; then
		echo "# $label: $WALK_STEPS ${what}s, each rolled back" >&3
	else
		echo "# $label: killed at each of $WALK_STEPS ${what}s, each time recovered" >&3
	fi
	[ "$WALK_STEPS" -ge "$min" ] || fail "the walk ended after only $WALK_STEPS ${what}s"
}
