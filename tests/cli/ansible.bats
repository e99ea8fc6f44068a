#!/usr/bin/env bats
# bats file_tags=netns
# The Ansible module (packaging/ansible/library/cnet_attach.py), run by
# ansible-playbook on "the host" (HOSTNS) against a container namespace.
# What it did is read back from the kernel; what Ansible says is read from
# the play's recap and its failure message.

load test_helper

setup() {
	setup_host
	command -v ansible-playbook >/dev/null || need "ansible-core (Debian package ansible-core)"
	PB=$BATS_TEST_TMPDIR/play.yml
	# Ansible writes nothing outside the test's directory, reads no config
	# but an empty one, and prints plain text.
	ANS=$BATS_TEST_TMPDIR/ansible
	mkdir -p "$ANS/home" "$ANS/local" "$ANS/remote"
	: >"$ANS/ansible.cfg"
}

teardown() { teardown_host; }

# ansible-playbook on the host, with the module from the source tree.
playbook() { # PLAYBOOK [ansible-playbook options...]
	ip netns exec "$HOSTNS" env \
		HOME="$ANS/home" ANSIBLE_HOME="$ANS/home/.ansible" \
		ANSIBLE_CONFIG="$ANS/ansible.cfg" \
		ANSIBLE_LOCAL_TEMP="$ANS/local" ANSIBLE_REMOTE_TEMP="$ANS/remote" \
		ANSIBLE_LIBRARY="$TOP/packaging/ansible/library" \
		ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 \
		ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_STDOUT_CALLBACK=default \
		ANSIBLE_RETRY_FILES_ENABLED=0 \
		ansible-playbook -i localhost, "$@"
}

# A play of one cnet_attach task: cnet (PLAY_CNET, default the one built)
# and its store are the test's, the other arguments are the YAML lines given.
write_play() { # ARG-LINE...
	local line
	{
		cat <<-EOF
		- hosts: localhost
		  connection: local
		  gather_facts: false
		  tasks:
		    - name: cnet attach
		      cnet_attach:
		        cnet: "${PLAY_CNET:-$CNET_BIN}"
		        state_path: "$CNET_STATE"
		EOF
		for line in "$@"; do
			printf '        %s\n' "$line"
		done
	} >"$PB"
}

# One counter (ok, changed, failed...) of the PLAY RECAP line in $output.
recap() { # NAME
	sed -n -E "s/^localhost +:.* $1=([0-9]+)( .*)?\$/\1/p" <<<"$output"
}

# The failed task's result, as JSON ("fatal: [localhost]: FAILED! => {...}").
failure() {
	sed -n 's/^fatal: \[localhost\]: FAILED! => //p' <<<"$output"
}

ifindex_of() { # NS IFNAME
	ip -n "$1" -j link show dev "$2" | jq .[0].ifindex
}

@test "ansible: present creates the macvlan once, a second run changes nothing" {
	write_play "target: $CNS" "kind: macvlan" "parent: up0" "ip: [10.70.0.2/24]"
	run -0 playbook "$PB"
	[ "$(recap changed)" = 1 ]
	[ "$(recap failed)" = 0 ]
	link=$(link_json "$CNS" eth1)
	[ "$(jq -r .linkinfo.info_kind <<<"$link")" = macvlan ]
	[ "$(jq -r .link_index <<<"$link")" = "$(ifindex_of "$HOSTNS" up0)" ]
	run -0 addrs_of "$CNS" eth1
	assert_output 10.70.0.2/24
	ifindex=$(ifindex_of "$CNS" eth1)
	before=$(world_snapshot)

	run -0 playbook "$PB"
	[ "$(recap changed)" = 0 ]
	[ "$(recap ok)" = 1 ]
	[ "$(recap failed)" = 0 ]
	[ "$(ifindex_of "$CNS" eth1)" = "$ifindex" ]
	[ "$(world_snapshot)" = "$before" ]
}

@test "ansible: check mode reports the change and makes none" {
	write_play "target: $CNS" "kind: macvlan" "parent: up0" "ip: [10.71.0.2/24]"
	run -0 playbook "$PB"
	[ "$(recap changed)" = 1 ]
	before=$(world_snapshot)

	# a second interface: would be created, is not
	write_play "target: $CNS" "kind: macvlan" "parent: up0" "ifname: eth2" "ip: [10.71.0.3/24]"
	run -0 playbook "$PB" --check
	[ "$(recap changed)" = 1 ]
	[ "$(recap failed)" = 0 ]
	run -1 ip -n "$CNS" link show dev eth2
	[ "$(world_snapshot)" = "$before" ]

	# the one in place: nothing to do
	write_play "target: $CNS" "kind: macvlan" "parent: up0" "ip: [10.71.0.2/24]"
	run -0 playbook "$PB" --check
	[ "$(recap changed)" = 0 ]
	[ "$(world_snapshot)" = "$before" ]

	# removing it: would be removed, is not
	write_play "target: $CNS" "state: absent"
	run -0 playbook "$PB" --check
	[ "$(recap changed)" = 1 ]
	run -0 ip -n "$CNS" link show dev eth1
	[ "$(world_snapshot)" = "$before" ]
}

@test "ansible: absent removes the attachment, a second absent changes nothing" {
	write_play "target: $CNS" "kind: macvlan" "parent: up0" "ip: [10.72.0.2/24]"
	run -0 playbook "$PB"
	[ "$(recap changed)" = 1 ]
	run -0 ip -n "$CNS" link show dev eth1

	# kind and the other settings may stay in the task: absent ignores them
	write_play "target: $CNS" "kind: macvlan" "parent: up0" "ip: [10.72.0.2/24]" "state: absent"
	run -0 playbook "$PB"
	[ "$(recap changed)" = 1 ]
	[ "$(recap failed)" = 0 ]
	run -1 ip -n "$CNS" link show dev eth1
	[ "$(ip -n "$CNS" -j link show | jq length)" = 1 ] # lo only
	before=$(world_snapshot)

	run -0 playbook "$PB"
	[ "$(recap changed)" = 0 ]
	[ "$(recap failed)" = 0 ]
	[ "$(world_snapshot)" = "$before" ]
}

@test "ansible: every option reaches the kernel, and replace changes an attachment" {
	write_play "target: netns:$CNS" "kind: macvlan" "parent: up0" "mode: private" "ifname: net5" \
		"ip: [10.73.0.2/24, 'fd73::2/64']" "gw: [10.73.0.1]" "route: [192.168.73.0/24@10.73.0.9]" \
		"mtu: 1400" "mac: '02:00:00:73:00:02'" "extra_args: [--no-dad]"
	run -0 playbook "$PB"
	[ "$(recap changed)" = 1 ]
	link=$(link_json "$CNS" net5)
	[ "$(jq -r .linkinfo.info_data.mode <<<"$link")" = private ]
	[ "$(jq -r .mtu <<<"$link")" = 1400 ]
	[ "$(jq -r .address <<<"$link")" = 02:00:00:73:00:02 ]
	run -0 addrs_of "$CNS" net5
	assert_output "$(printf '10.73.0.2/24\nfd73::2/64')"
	run -0 ip -n "$CNS" -j addr show dev net5
	[ "$(jq -r '.[0].addr_info[] | select(.local=="fd73::2") | .tentative // false' <<<"$output")" = false ]
	run -0 ip -n "$CNS" -j route show default
	[ "$(jq -r '.[0].gateway' <<<"$output")" = 10.73.0.1 ]
	run -0 ip -n "$CNS" -j route show 192.168.73.0/24
	[ "$(jq -r '.[0].gateway' <<<"$output")" = 10.73.0.9 ]

	# other settings for net5: refused (cnet's exit status 4) ...
	write_play "target: netns:$CNS" "kind: macvlan" "parent: up0" "ifname: net5" "ip: [10.73.0.5/24]"
	run -2 playbook "$PB"
	[ "$(recap failed)" = 1 ]
	[ "$(failure | jq .rc)" = 4 ]
	[[ "$(failure | jq -r .msg)" == *"already attached with other settings"* ]]
	run -0 addrs_of "$CNS" net5
	assert_output "$(printf '10.73.0.2/24\nfd73::2/64')"

	# ... unless replace
	write_play "target: netns:$CNS" "kind: macvlan" "parent: up0" "ifname: net5" "ip: [10.73.0.5/24]" "replace: true"
	run -0 playbook "$PB"
	[ "$(recap changed)" = 1 ]
	run -0 addrs_of "$CNS" net5
	assert_output 10.73.0.5/24
	[ "$(link_json "$CNS" net5 | jq -r .linkinfo.info_data.mode)" = bridge ]
}

@test "ansible: a failing attach fails the task with cnet's message and creates nothing" {
	before=$(world_snapshot)
	write_play "target: $CNS" "kind: macvlan" "parent: nosuch" "ip: [10.74.0.2/24]"
	run -2 playbook "$PB"
	[ "$(recap failed)" = 1 ]
	[ "$(recap changed)" = 0 ]
	assert_output --partial "parent interface 'nosuch' does not exist"
	[ "$(failure | jq -r .msg)" = "parent interface 'nosuch' does not exist" ]
	[ "$(failure | jq .rc)" = 5 ]
	run -1 ip -n "$CNS" link show dev eth1
	[ "$(world_snapshot)" = "$before" ]
}

@test "ansible: kind is required to attach; no cnet, or no JSON from it, is a clear failure" {
	write_play "target: $CNS" "parent: up0"
	run -2 playbook "$PB"
	assert_output --partial "missing: kind"

	PLAY_CNET=$BATS_TEST_TMPDIR/nosuch/cnet
	write_play "target: $CNS" "kind: macvlan" "parent: up0"
	run -2 playbook "$PB"
	[ "$(failure | jq -r .msg)" = "cnet binary $PLAY_CNET is not an executable file" ]

	# a cnet that prints no JSON (here: an old one, or something else)
	PLAY_CNET=$BATS_TEST_TMPDIR/fake-cnet
	printf '#!/bin/sh\necho "attached macvlan eth1"\n' >"$PLAY_CNET"
	chmod +x "$PLAY_CNET"
	write_play "target: $CNS" "kind: macvlan" "parent: up0"
	run -2 playbook "$PB"
	[[ "$(failure | jq -r .msg)" == "cnet printed output that is not a JSON object"* ]]
	[ "$(failure | jq .rc)" = 0 ]
	printf '#!/bin/sh\nexit 0\n' >"$PLAY_CNET"
	run -2 playbook "$PB"
	[[ "$(failure | jq -r .msg)" == "cnet printed no output"* ]]
	[ "$(ip -n "$CNS" -j link show | jq length)" = 1 ] # lo only
}
