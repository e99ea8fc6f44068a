# The state store read back without cnet, for the host and the VM suites
# (tests/cli/test_helper.bash and tests/vm/vm_helper.bash source this file;
# they define `cnet`, the release build run where the suite runs cnet).
#
# A store at P is two files (issue 17): P, the snapshot (one JSON document,
# {"schema":3,"records":[...]}, or an old schema-2 or -1 document that no
# cnet has migrated yet), and P.journal: the line "cnet-journal 1", then one
# entry per line, "CRC JSON": CRC32C of the JSON's bytes as 8 lowercase hex
# digits, one space, {"put":RECORD} or {"del":"ID"}; then NUL bytes up to the
# file's end. Replay: the snapshot's records in order; a put of an id that
# is there replaces it in place, of a new id appends it; a del removes it.
# The journal is read up to its first NUL byte. A torn last entry (no NL, a
# bad CRC, or JSON that does not parse) is ignored; a bad entry with
# another after it is an error.
#
# Everything here is bash, coreutils and jq: an independent reading, so
# that a test does not take cnet's word for what cnet wrote.

# state_doc [P]: print the store at P (default $CNET_STATE) replayed, as one
# JSON document {"schema":3,"records":[...]}; no snapshot and no journal:
# {"schema":3,"records":[]}. Fails (status 1, a message on stderr) if the
# snapshot does not parse or has no record list, or the journal is bad.
# STATE_DOC_TORN is left saying whether a torn last entry was ignored (0/1).
state_doc() {
	local p=${1:-$CNET_STATE} ops out=${_STATE_DOC_OUT:-doc} compact=()
	[ "$out" = doc ] || compact=(-c)
	STATE_DOC_TORN=0
	ops=$(mktemp)
	journal_ops "$p.journal" >"$ops" || { rm -f "$ops"; return 1; }
	{
		if [ -e "$p" ]; then cat "$p"; else echo '{"schema":3,"records":[]}'; fi
		cat "$ops"
		rm -f "$ops"
	} | jq -s "${compact[@]}" --arg out "$out" '
		if (.[0] | type) != "object" or (.[0].records | type) != "array" then
			error("the snapshot has no record list")
		else . end |
		reduce .[1:][] as $op (.[0].records;
			if ($op | keys) == ["put"] and ($op.put.id | type) == "string" then
				($op.put.id) as $id | (map(.id) | index($id)) as $i |
				if $i == null then . + [$op.put] else .[$i] = $op.put end
			elif ($op | keys) == ["del"] and ($op.del | type) == "string" then
				map(select(.id != $op.del))
			else error("not a put or a del: \($op | tojson)") end) |
		if $out == "doc" then {schema: 3, records: .} else . end' || {
		echo "state_doc: $p does not replay" >&2
		return 1
	}
}

# _CRC32C_SUB: perl (perl-base: on every Debian machine), crc(BYTES): their
# CRC32C as 8 lowercase hex digits. Perl, one process a journal: under the
# VM's emulation a loop in bash over a journal's entries took seconds (8 s
# for 200 entries: the bond kill walk's journal, read once a step).
_CRC32C_SUB='
my @t;
for my $n (0 .. 255) { my $c = $n; $c = $c & 1 ? ($c >> 1) ^ 0x82F63B78 : $c >> 1 for 1 .. 8; $t[$n] = $c }
sub crc {
	my $c = 0xFFFFFFFF;
	$c = $t[($c ^ $_) & 255] ^ ($c >> 8) for unpack("C*", $_[0]);
	return sprintf "%08x", $c ^ 0xFFFFFFFF;
}'

# crc32c < BYTES: the CRC32C of stdin (one line of bytes), 8 lowercase hex
# digits. (Check value: printf 123456789 | crc32c prints e3069283.)
crc32c() {
	LC_ALL=C perl -e "$_CRC32C_SUB"' binmode STDIN; local $/; print crc(<STDIN> // ""), "\n";'
}

# journal_text J: the journal's bytes up to its first NUL (or its end). Its
# status is that of read: 0 if a NUL was found, 1 if the file has none.
journal_text() { # J
	local t
	IFS= read -r -d '' t <"$1"
	local s=$?
	printf '%s' "$t"
	return $s
}

# _JOURNAL_OPS_PL: journal_ops's reading, journal on stdin, its path in
# ARGV[0] for messages. Exit 0, 3 (a torn last entry left out) or 1
# (nothing printed).
_JOURNAL_OPS_PL=$_CRC32C_SUB'
binmode STDIN; binmode STDOUT; local $/;
my $j = $ARGV[0];
my $d = <STDIN> // "";
my $z = index($d, "\0");
$d = substr($d, 0, $z) if $z >= 0;
if ($d eq "") { print STDERR "journal_ops: $j: empty before its first NUL\n"; exit 1 }
# the last piece follows the last NL: empty, or an entry without its NL (torn)
my @l = split /\n/, $d, -1;
my $n = $#l;
my $torn = substr($d, -1) eq "\n" ? 0 : 1;
if ($l[0] ne "cnet-journal 1") { print STDERR "journal_ops: $j: its header is '\''$l[0]'\''\n"; exit 1 }
my $out = "";
for my $k (1 .. $n - 1) {
	my $line = $l[$k];
	if ($line =~ /^([0-9a-f]{8}) / && crc(substr($line, 9)) eq $1) {
		$out .= substr($line, 9) . "\n";
	} elsif ($k == $n - 1 && !$torn) {
		$torn = 1; # the last whole line is bad: torn
	} else {
		print STDERR "journal_ops: $j: entry $k is bad and another follows it\n";
		exit 1;
	}
}
print $out;
exit($torn ? 3 : 0);'

# journal_ops J: the JSON of each good entry of journal J (none if there is
# no J), one a line, in order. A torn last entry is left out and sets
# STATE_DOC_TORN=1 (seen by the caller only if it is not run in $(...):
# journal_stat does that). Fails if the header is wrong or an entry before
# the last is bad. The CRCs are computed here, over the bytes on disk.
journal_ops() { # J
	local s=0
	[ -e "$1" ] || return 0
	LC_ALL=C perl -e "$_JOURNAL_OPS_PL" "$1" <"$1" || s=$?
	case $s in
	0) STATE_DOC_TORN=0 ;;
	3) STATE_DOC_TORN=1 ;;
	*) return 1 ;;
	esac
}

# journal_stat J: "ENTRIES PUTS DELETES TORN" of journal J counted here
# (0 0 0 0 if there is none): what `cnet store check` should report.
journal_stat() { # J
	local ops
	STATE_DOC_TORN=0
	[ -e "$1" ] || { echo "0 0 0 0"; return 0; }
	ops=$(mktemp)
	journal_ops "$1" >"$ops" || { rm -f "$ops"; return 1; }
	echo "$(grep -c . "$ops") $(grep -c '^{"put"' "$ops") $(grep -c '^{"del"' "$ops") $STATE_DOC_TORN"
	rm -f "$ops"
}

# state_records [P]: the replayed records, compact, one JSON array (the
# records of world snapshots).
state_records() {
	_STATE_DOC_OUT=records state_doc "$@"
}

# state_edit FILTER [JQ-ARGS...]: edit the records by hand, as the tests
# that plant a bad store do: first fold the journal into the snapshot
# (cnet store compact), then rewrite the snapshot through jq FILTER in
# cnet's layout (one record a line), 0600, with an empty journal left
# as compact left it.
state_edit() { # FILTER [JQ-ARGS...]
	local f=$1 tmp=$CNET_STATE.edit
	shift
	cnet store compact >/dev/null || { echo "state_edit: cnet store compact failed" >&2; return 1; }
	jq "$@" "$f" "$CNET_STATE" | snapshot_layout >"$tmp" || return 1
	chmod 600 "$tmp"
	mv "$tmp" "$CNET_STATE"
}

# snapshot_layout < DOC: a store document in the snapshot's layout:
# {"schema":S,"records":[ NL, one compact record a line, "," ending each
# but the last, NL ]} NL.
snapshot_layout() {
	jq -r '"{\"schema\":\(.schema),\"records\":[",
		(.records | map(tojson) | join(",\n") | select(. != "")),
		"]}"'
}

# The store's files at P as they are on disk: a line per file, its name,
# mode and SHA-256 ("absent" if it is not there). Whether anything wrote.
store_bytes() { # [P]
	local p=${1:-$CNET_STATE} f
	for f in "$p" "$p.journal"; do
		if [ -e "$f" ]; then
			echo "${f##*/} $(stat -c %a "$f") $(sha256sum <"$f")"
		else
			echo "${f##*/} absent"
		fi
	done
}

# state_records_quick [P]: as state_records, in one jq and without checking
# the journal's CRCs (a line that is not JSON is left out): for the VM's
# fault and kill walks, which snapshot the world at every step under
# emulation, where no entry is ever torn (cnet is killed between writes).
state_records_quick() {
	local p=${1:-$CNET_STATE}
	jq -cn --rawfile j <(if [ -e "$p.journal" ]; then journal_text "$p.journal"; fi) \
		--slurpfile s <(if [ -e "$p" ]; then cat "$p"; else echo '{"records":[]}'; fi) '
		reduce ($j | split("\n")[1:][] | select(length > 9) | .[9:] | try fromjson catch empty) as $op
			($s[0].records;
			if $op.put then
				($op.put.id) as $id | (map(.id) | index($id)) as $i |
				if $i == null then . + [$op.put] else .[$i] = $op.put end
			elif $op.del then map(select(.id != $op.del)) else . end)'
}
