# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the bench scripts that take [-n N] [--json]: die, and their
# arguments read into N (from the environment, else the default given)
# and JSON.

die() {
	echo "$(basename "$0"): $*" >&2
	exit 1
}

bench_args() { # DEFAULT_N MAX_N ARGS...
	local max=$2
	N=${N:-$1}
	JSON=0
	shift 2
	while (($#)); do
		case $1 in
		-n) N=${2:?-n needs a number}; shift ;;
		--json) JSON=1 ;;
		-h | --help) sed -n '/^# Usage/s/^# //p' "$0"; exit 0 ;;
		*) die "unknown argument '$1'" ;;
		esac
		shift
	done
	[[ $N =~ ^[1-9][0-9]*$ ]] && ((N <= max)) || die "N must be 1..$max, not '$N'"
}

# The median of a contestant's times in $WORK/times ("CONTESTANT MICROSECONDS"
# a line), in ms with two decimals.
bench_median() { # CONTESTANT
	awk -v c="$1" '$1 == c { print $2 }' "$WORK/times" | sort -n |
		awk '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.2f\n", m / 1000 }'
}
