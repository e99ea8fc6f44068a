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
	local p=${1:-$CNET_STATE} ops
	STATE_DOC_TORN=0
	ops=$(mktemp)
	journal_ops "$p.journal" >"$ops" || { rm -f "$ops"; return 1; }
	{
		if [ -e "$p" ]; then cat "$p"; else echo '{"schema":3,"records":[]}'; fi
		cat "$ops"
		rm -f "$ops"
	} | jq -s '
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
		{schema: 3, records: .}' || {
		echo "state_doc: $p does not replay" >&2
		return 1
	}
}

# The CRC32C (Castagnoli, reflected polynomial 0x82F63B78) table: entry n
# is n run through 8 rounds of c = c & 1 ? (c >> 1) ^ 0x82F63B78 : c >> 1.
_CRC32C_T=(
	0x00000000 0xf26b8303 0xe13b70f7 0x1350f3f4 0xc79a971f 0x35f1141c 0x26a1e7e8 0xd4ca64eb
	0x8ad958cf 0x78b2dbcc 0x6be22838 0x9989ab3b 0x4d43cfd0 0xbf284cd3 0xac78bf27 0x5e133c24
	0x105ec76f 0xe235446c 0xf165b798 0x030e349b 0xd7c45070 0x25afd373 0x36ff2087 0xc494a384
	0x9a879fa0 0x68ec1ca3 0x7bbcef57 0x89d76c54 0x5d1d08bf 0xaf768bbc 0xbc267848 0x4e4dfb4b
	0x20bd8ede 0xd2d60ddd 0xc186fe29 0x33ed7d2a 0xe72719c1 0x154c9ac2 0x061c6936 0xf477ea35
	0xaa64d611 0x580f5512 0x4b5fa6e6 0xb93425e5 0x6dfe410e 0x9f95c20d 0x8cc531f9 0x7eaeb2fa
	0x30e349b1 0xc288cab2 0xd1d83946 0x23b3ba45 0xf779deae 0x05125dad 0x1642ae59 0xe4292d5a
	0xba3a117e 0x4851927d 0x5b016189 0xa96ae28a 0x7da08661 0x8fcb0562 0x9c9bf696 0x6ef07595
	0x417b1dbc 0xb3109ebf 0xa0406d4b 0x522bee48 0x86e18aa3 0x748a09a0 0x67dafa54 0x95b17957
	0xcba24573 0x39c9c670 0x2a993584 0xd8f2b687 0x0c38d26c 0xfe53516f 0xed03a29b 0x1f682198
	0x5125dad3 0xa34e59d0 0xb01eaa24 0x42752927 0x96bf4dcc 0x64d4cecf 0x77843d3b 0x85efbe38
	0xdbfc821c 0x2997011f 0x3ac7f2eb 0xc8ac71e8 0x1c661503 0xee0d9600 0xfd5d65f4 0x0f36e6f7
	0x61c69362 0x93ad1061 0x80fde395 0x72966096 0xa65c047d 0x5437877e 0x4767748a 0xb50cf789
	0xeb1fcbad 0x197448ae 0x0a24bb5a 0xf84f3859 0x2c855cb2 0xdeeedfb1 0xcdbe2c45 0x3fd5af46
	0x7198540d 0x83f3d70e 0x90a324fa 0x62c8a7f9 0xb602c312 0x44694011 0x5739b3e5 0xa55230e6
	0xfb410cc2 0x092a8fc1 0x1a7a7c35 0xe811ff36 0x3cdb9bdd 0xceb018de 0xdde0eb2a 0x2f8b6829
	0x82f63b78 0x709db87b 0x63cd4b8f 0x91a6c88c 0x456cac67 0xb7072f64 0xa457dc90 0x563c5f93
	0x082f63b7 0xfa44e0b4 0xe9141340 0x1b7f9043 0xcfb5f4a8 0x3dde77ab 0x2e8e845f 0xdce5075c
	0x92a8fc17 0x60c37f14 0x73938ce0 0x81f80fe3 0x55326b08 0xa759e80b 0xb4091bff 0x466298fc
	0x1871a4d8 0xea1a27db 0xf94ad42f 0x0b21572c 0xdfeb33c7 0x2d80b0c4 0x3ed04330 0xccbbc033
	0xa24bb5a6 0x502036a5 0x4370c551 0xb11b4652 0x65d122b9 0x97baa1ba 0x84ea524e 0x7681d14d
	0x2892ed69 0xdaf96e6a 0xc9a99d9e 0x3bc21e9d 0xef087a76 0x1d63f975 0x0e330a81 0xfc588982
	0xb21572c9 0x407ef1ca 0x532e023e 0xa145813d 0x758fe5d6 0x87e466d5 0x94b49521 0x66df1622
	0x38cc2a06 0xcaa7a905 0xd9f75af1 0x2b9cd9f2 0xff56bd19 0x0d3d3e1a 0x1e6dcdee 0xec064eed
	0xc38d26c4 0x31e6a5c7 0x22b65633 0xd0ddd530 0x0417b1db 0xf67c32d8 0xe52cc12c 0x1747422f
	0x49547e0b 0xbb3ffd08 0xa86f0efc 0x5a048dff 0x8ecee914 0x7ca56a17 0x6ff599e3 0x9d9e1ae0
	0xd3d3e1ab 0x21b862a8 0x32e8915c 0xc083125f 0x144976b4 0xe622f5b7 0xf5720643 0x07198540
	0x590ab964 0xab613a67 0xb831c993 0x4a5a4a90 0x9e902e7b 0x6cfbad78 0x7fab5e8c 0x8dc0dd8f
	0xe330a81a 0x115b2b19 0x020bd8ed 0xf0605bee 0x24aa3f05 0xd6c1bc06 0xc5914ff2 0x37faccf1
	0x69e9f0d5 0x9b8273d6 0x88d28022 0x7ab90321 0xae7367ca 0x5c18e4c9 0x4f48173d 0xbd23943e
	0xf36e6f75 0x0105ec76 0x12551f82 0xe03e9c81 0x34f4f86a 0xc69f7b69 0xd5cf889d 0x27a40b9e
	0x79b737ba 0x8bdcb4b9 0x988c474d 0x6ae7c44e 0xbe2da0a5 0x4c4623a6 0x5f16d052 0xad7d5351
)

# crc32c < BYTES: the CRC32C of stdin, 8 lowercase hex digits.
# (Check value: printf 123456789 | crc32c prints e3069283.) A subshell
# without bats' DEBUG trap, which would otherwise run at every byte.
crc32c() (
	trap - DEBUG
	set +T
	b=0 c=0xFFFFFFFF
	for b in $(od -An -v -tu1); do
		c=$((_CRC32C_T[(c ^ b) & 255] ^ (c >> 8)))
	done
	printf '%08x\n' $((c ^ 0xFFFFFFFF))
)

# journal_text J: the journal's bytes up to its first NUL (or its end). Its
# status is that of read: 0 if a NUL was found, 1 if the file has none.
journal_text() { # J
	local t
	IFS= read -r -d '' t <"$1"
	local s=$?
	printf '%s' "$t"
	return $s
}

# journal_ops J: the JSON of each good entry of journal J (none if there is
# no J), one a line, in order. A torn last entry is left out and sets
# STATE_DOC_TORN=1 (seen by the caller only if it is not run in $(...):
# journal_stat does that). Fails if the header is wrong or an entry before
# the last is bad. The CRCs are computed here, over the bytes on disk (once
# per distinct entry: a journal may repeat one).
declare -gA _CRC32C_SEEN=()
journal_ops() { # J
	local LC_ALL=C j=$1 text lines n k line crc torn=0 out=""
	[ -e "$j" ] || return 0
	text=$(journal_text "$j"; echo .)
	text=${text%.}
	[ -n "$text" ] || { echo "journal_ops: $j: empty before its first NUL" >&2; return 1; }
	mapfile -t lines <<<"$text"
	# <<< adds a NL: the last element is empty if the text ends in NL, else
	# it is an entry without its NL (torn); either way not a whole line
	n=$((${#lines[@]} - 1))
	[ "${text: -1}" = $'\n' ] || torn=1
	[ "${lines[0]}" = "cnet-journal 1" ] || {
		echo "journal_ops: $j: its header is '${lines[0]}'" >&2
		return 1
	}
	for ((k = 1; k < n; k++)); do
		line=${lines[k]}
		crc=bad
		if [[ "$line" =~ ^[0-9a-f]{8}\  ]]; then
			crc=${_CRC32C_SEEN[$line]:-}
			if [ -z "$crc" ]; then
				crc=$(printf '%s' "${line:9}" | crc32c)
				_CRC32C_SEEN[$line]=$crc
			fi
		fi
		if [ "$crc" = "${line:0:8}" ]; then
			out+=${line:9}$'\n'
		elif [ "$k" = $((n - 1)) ] && [ "$torn" = 0 ]; then
			torn=1 # the last whole line is bad: torn
		else
			echo "journal_ops: $j: entry $k is bad and another follows it" >&2
			return 1
		fi
	done
	STATE_DOC_TORN=$torn
	printf '%s' "$out"
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
	state_doc "$@" | jq -c .records
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
