#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# Ansible module: attach a network interface to a Linux container with cnet,
# or detach it. It runs the cnet binary with --json and reports what cnet
# reports; it holds no logic of its own about interfaces.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cnet_attach
short_description: Attach network interfaces to Linux containers with cnet
description:
  - Puts a network interface (macvlan, host device, veth, SR-IOV VF, VLAN or
    bond) into a container's network namespace and addresses it, by running
    C(cnet attach TARGET KIND ... --json), or removes one attachment with
    C(cnet detach TARGET --ifname IFNAME --json).
  - Idempotent, because cnet is. An attachment already in place with the
    same settings reports C(changed=false). One of that name with other
    settings fails (cnet exit status 4) unless C(replace=true).
  - In check mode the command is run with C(--dry-run), so cnet itself says
    whether anything would change; nothing is changed.
  - Every result (C(changed), records, actions, warnings, the error message
    and exit status) comes from cnet's JSON output, never from guesswork.
version_added: "0.1.0"
author:
  - cnet authors
requirements:
  - cnet on the managed host (the binary named by C(cnet))
  - root on the managed host (cnet changes network namespaces)
options:
  target:
    description:
      - The container, as cnet names it, for example C(netns:blue),
        C(pid:4242), C(docker:web), C(podman:db), a path to a namespace
        file, or a bare name.
    type: str
    required: true
  kind:
    description:
      - Kind of interface. Required when C(state=present); ignored when
        C(state=absent).
    type: str
    choices: [macvlan, host-device, veth, sriov, vlan, bond]
  state:
    description:
      - C(present) attaches the interface (C(cnet attach)); C(absent)
        detaches the attachment named C(ifname) (C(cnet detach)).
    type: str
    choices: [present, absent]
    default: present
  ifname:
    description:
      - Name of the interface inside the container (C(--ifname)).
    type: str
    default: eth1
  ip:
    description:
      - Addresses, each C(ADDR/PLEN) (IPv4 or IPv6) or C(dhcp) (C(--ip),
        repeated).
    type: list
    elements: str
  gw:
    description:
      - Default gateways, at most one per family (C(--gw), repeated). Each
        replaces that family's default route in the container; detach puts
        the old one back.
    type: list
    elements: str
  route:
    description:
      - Routes through the interface, each C(DEST/PLEN) or
        C(DEST/PLEN@VIA) (C(--route), repeated).
    type: list
    elements: str
  mtu:
    description: MTU of the interface (C(--mtu)).
    type: int
  mac:
    description: MAC address of the interface (C(--mac)).
    type: str
  parent:
    description: C(macvlan), C(vlan) - the host interface to sit on (C(--parent)).
    type: str
  mode:
    description:
      - C(macvlan) - C(bridge) (cnet's default), C(private), C(vepa) or
        C(passthru). C(bond) - the bond mode (required for a bond).
        (C(--mode)).
    type: str
  dev:
    description: C(host-device) - the host interface to move in (C(--dev)).
    type: str
  bridge:
    description: C(veth) - the Linux bridge for the host end (C(--bridge)).
    type: str
  create_bridge:
    description: C(veth) - create C(bridge) if it does not exist (C(--create-bridge)).
    type: bool
    default: false
  host_ifname:
    description: C(veth) - name of the host end (C(--host-ifname)).
    type: str
  pf:
    description: C(sriov) - the PF, a host interface or PCI address (C(--pf)).
    type: str
  vf:
    description: C(sriov) - the VF index (C(--vf)); default a free one.
    type: int
  vlan:
    description:
      - C(VID) or C(VID:QOS) (C(--vlan)). C(sriov) - the VLAN the PF tags the
        VF with; C(macvlan) - sit on C(PARENT.VID); C(vlan) - its ID; C(bond)
        - see C(--vlan-mode) (pass it in C(extra_args)).
    type: str
  slave:
    description:
      - C(bond) - its slaves, each C(sriov:PF), C(sriov:PF/VF), C(dev:IF) or
        C(macvlan:PARENT) (C(--slave), repeated).
    type: list
    elements: str
  hostname:
    description: With C(ip=dhcp), the hostname to send the DHCP server (C(--hostname)).
    type: str
  dhcp_timeout:
    description: With C(ip=dhcp), seconds to wait for a lease (C(--dhcp-timeout)).
    type: int
  no_gw:
    description: With C(ip=dhcp), no default route via the server's router (C(--no-gw)).
    type: bool
    default: false
  replace:
    description:
      - Replace an attachment of the same C(ifname) made with other settings
        (C(--replace)). Without it such a request fails.
    type: bool
    default: false
  extra_args:
    description:
      - Any other C(cnet attach) options, passed through as they are, one
        argument per element, for example C(["--no-dad"]) or
        C(["--vlan-mode", "hw", "--miimon", "100"]).
      - Used with C(state=present) only, so that a task can be switched to
        C(state=absent) without editing them out.
    type: list
    elements: str
  state_path:
    description:
      - cnet's state store (C(--state)). Default cnet's own
        (C(/var/lib/cnet/state.json), or C(CNET_STATE) in the environment).
    type: path
  cnet:
    description:
      - The cnet binary. A bare name is looked up in C(PATH) (and the sbin
        directories); a name with a slash is used as it is.
    type: path
    default: cnet
notes:
  - Runs on the managed host, which must be the host whose namespaces the
    containers use (the module changes nothing on the controller).
  - Check mode is supported; it runs cnet with C(--dry-run).
  - Diff mode is not supported.
  - C(state=absent) removes only the attachment named C(ifname). Nothing
    recorded for it is success with C(changed=false).
  - C(cnet detach) of a target that cannot be found and has nothing recorded
    fails (cnet exit status 3), as cnet does.
  - The records, actions, error messages and exit statuses are described in
    cnet(8), sections C(JSON OUTPUT) and C(EXIT STATUS).
"""

EXAMPLES = r"""
- name: A macvlan on eth0 with a static address and default gateway
  cnet_attach:
    target: netns:blue
    kind: macvlan
    parent: eth0
    ip: [192.168.1.50/24]
    gw: [192.168.1.1]

- name: A veth pair onto br0 (created if needed), IPv4 and IPv6, as eth2
  cnet_attach:
    target: docker:web
    kind: veth
    ifname: eth2
    bridge: br0
    create_bridge: true
    ip: [10.10.0.2/24, "fd00:10::2/64"]
    gw: ["fd00:10::1"]
    extra_args: [--no-dad]

- name: A VF of enp5s0f0 on VLAN 100, changing the settings of an existing eth1
  cnet_attach:
    target: pid:4242
    kind: sriov
    pf: enp5s0f0
    vlan: "100"
    mac: "02:00:00:00:01:01"
    ip: [10.20.0.5/24]
    replace: true
    extra_args: [--vf-count, "8", --spoofchk, "on"]

- name: An address by DHCP
  cnet_attach:
    target: podman:db
    kind: macvlan
    parent: eth0
    ip: [dhcp]
    hostname: db
    dhcp_timeout: 20

- name: Detach eth2 from the container
  cnet_attach:
    target: docker:web
    ifname: eth2
    state: absent

- name: A cnet not in PATH and a state store of its own
  cnet_attach:
    target: netns:lab
    kind: macvlan
    parent: eth0
    cnet: /opt/cnet/bin/cnet
    state_path: /srv/lab/cnet-state.json
"""

RETURN = r"""
records:
  description:
    - The records acted on, as cnet stores them (see C(JSON OUTPUT) in
      cnet(8)), for example C(records[0].link.mac). Empty when nothing was
      recorded or on failure.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 10a6f7e3
      target: netns:blue
      runtime: netns
      kind: macvlan
      ifname: eth1
      options: {parent: eth0, mode: bridge, ip: [192.168.1.50/24], gw: [], route: []}
      link: {ifindex: 2, mac: "06:93:6c:71:9d:db", mtu: 1500}
      created: "2025-01-01T00:00:00Z"
actions:
  description: What cnet did (in check mode, would do), one string each.
  returned: always
  type: list
  elements: str
  sample: ["create macvlan eth1 on eth0 (mode bridge) in netns:blue", "add address 192.168.1.50/24 to eth1"]
cnet_warnings:
  description:
    - cnet's warnings, as cnet wrote them. Each is also raised as an
      Ansible warning (prefixed C(cnet:)), so it shows in the play's output
      and in the standard C(warnings) return value.
  returned: always
  type: list
  elements: str
  sample: []
dry_run:
  description: Whether cnet ran with C(--dry-run) (check mode).
  returned: when cnet printed its JSON
  type: bool
  sample: false
cmd:
  description: The command run, one argument per element (no shell).
  returned: always
  type: list
  elements: str
  sample: [/usr/bin/cnet, attach, netns:blue, macvlan, --ifname, eth1, --parent, eth0, --json]
rc:
  description: cnet's exit status (see C(EXIT STATUS) in cnet(8)).
  returned: when cnet was run
  type: int
  sample: 0
stderr:
  description: cnet's standard error.
  returned: when cnet was run
  type: str
  sample: ""
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule

KINDS = ["macvlan", "host-device", "veth", "sriov", "vlan", "bond"]

# Module option -> cnet attach option, for options taking one value.
VALUE_OPTIONS = [
    ("mtu", "--mtu"),
    ("mac", "--mac"),
    ("parent", "--parent"),
    ("mode", "--mode"),
    ("dev", "--dev"),
    ("bridge", "--bridge"),
    ("host_ifname", "--host-ifname"),
    ("pf", "--pf"),
    ("vf", "--vf"),
    ("vlan", "--vlan"),
    ("hostname", "--hostname"),
    ("dhcp_timeout", "--dhcp-timeout"),
]
# Options that may be repeated.
LIST_OPTIONS = [
    ("ip", "--ip"),
    ("gw", "--gw"),
    ("route", "--route"),
    ("slave", "--slave"),
]
# Flags.
BOOL_OPTIONS = [
    ("create_bridge", "--create-bridge"),
    ("no_gw", "--no-gw"),
    ("replace", "--replace"),
]


def argument_spec():
    return dict(
        target=dict(type="str", required=True),
        kind=dict(type="str", choices=KINDS),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        ifname=dict(type="str", default="eth1"),
        ip=dict(type="list", elements="str"),
        gw=dict(type="list", elements="str"),
        route=dict(type="list", elements="str"),
        mtu=dict(type="int"),
        mac=dict(type="str"),
        parent=dict(type="str"),
        mode=dict(type="str"),
        dev=dict(type="str"),
        bridge=dict(type="str"),
        create_bridge=dict(type="bool", default=False),
        host_ifname=dict(type="str"),
        pf=dict(type="str"),
        vf=dict(type="int"),
        vlan=dict(type="str"),
        slave=dict(type="list", elements="str"),
        hostname=dict(type="str"),
        dhcp_timeout=dict(type="int"),
        no_gw=dict(type="bool", default=False),
        replace=dict(type="bool", default=False),
        extra_args=dict(type="list", elements="str"),
        state_path=dict(type="path"),
        cnet=dict(type="path", default="cnet"),
    )


def find_cnet(module):
    name = module.params["cnet"]
    if "/" in name:
        if not (os.path.isfile(name) and os.access(name, os.X_OK)):
            module.fail_json(msg="cnet binary %s is not an executable file" % name,
                             cmd=[name], records=[], actions=[], cnet_warnings=[])
        return name
    path = module.get_bin_path(name)
    if path is None:
        module.fail_json(msg="cnet binary '%s' not found in PATH (set the cnet option "
                             "to its full path)" % name,
                         cmd=[name], records=[], actions=[], cnet_warnings=[])
    return path


def build_argv(module, cnet):
    """The command line, as a list: never handed to a shell."""
    p = module.params
    if p["state"] == "present":
        argv = [cnet, "attach", p["target"], p["kind"], "--ifname", p["ifname"]]
        for name, opt in VALUE_OPTIONS:
            if p[name] is not None:
                argv += [opt, str(p[name])]
        for name, opt in LIST_OPTIONS:
            for value in p[name] or []:
                argv += [opt, value]
        for name, opt in BOOL_OPTIONS:
            if p[name]:
                argv.append(opt)
        argv += p["extra_args"] or []
    else:
        argv = [cnet, "detach", p["target"], "--ifname", p["ifname"]]
    if p["state_path"] is not None:
        argv += ["--state", p["state_path"]]
    argv.append("--json")
    if module.check_mode:
        argv.append("--dry-run")
    return argv


def stderr_message(stderr):
    """cnet's error line on stderr ("cnet: MESSAGE"), without the prefix;
    failing that, the last line of stderr."""
    lines = [line.strip() for line in (stderr or "").splitlines() if line.strip()]
    for line in reversed(lines):
        if line.startswith("cnet: ") and not line.startswith(("cnet: warning:", "cnet: debug:")):
            return line[len("cnet: "):]
    return lines[-1] if lines else None


def parse_output(stdout):
    """cnet's one JSON object, or None if stdout holds none."""
    text = (stdout or "").strip()
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def as_list(value):
    return value if isinstance(value, list) else []


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        required_if=[("state", "present", ("kind",))],
        supports_check_mode=True,
    )

    argv = build_argv(module, find_cnet(module))
    rc, stdout, stderr = module.run_command(argv, check_rc=False)

    data = parse_output(stdout)
    if data is None:
        detail = stderr_message(stderr)
        what = "no output" if not (stdout or "").strip() else "output that is not a JSON object"
        msg = "cnet printed %s on stdout (exit status %d)" % (what, rc)
        if detail:
            msg += ": %s" % detail
        module.fail_json(msg=msg, cmd=argv, rc=rc, stdout=stdout, stderr=stderr,
                         records=[], actions=[], cnet_warnings=[])

    records = as_list(data.get("records"))
    actions = as_list(data.get("actions"))
    warnings = [str(w) for w in as_list(data.get("warnings"))]
    for warning in warnings:
        module.warn("cnet: %s" % warning)

    result = dict(
        changed=bool(data.get("changed")),
        records=records,
        actions=actions,
        cnet_warnings=warnings,
        dry_run=bool(data.get("dry_run")),
        cmd=argv,
        rc=rc,
        stderr=stderr,
    )

    error = data.get("error")
    if rc != 0 or data.get("ok") is not True or error:
        msg = None
        if isinstance(error, dict) and error.get("message"):
            msg = str(error["message"])
        if msg is None:
            msg = stderr_message(stderr)
        if msg is None:
            msg = "cnet failed with exit status %d" % rc
        if rc == 0:
            # ok false (or an error) with exit status 0: report cnet's own code.
            code = error.get("exit_code") if isinstance(error, dict) else None
            rc = code if isinstance(code, int) and code != 0 else 1
        result.update(changed=False, rc=rc, stdout=stdout)
        module.fail_json(msg=msg, **result)

    module.exit_json(**result)


if __name__ == "__main__":
    main()
