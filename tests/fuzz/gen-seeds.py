#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Seed corpora of the store and command-line fuzz targets.
Usage: gen-seeds.py BASE-STORE.json OUTDIR
BASE-STORE is a real store (macvlan, veth and host-device records made by
cnet); the sriov, bond, vlan and dhcp records are modelled on what cnet
writes for them. The command-line seeds are a command index byte, then
NUL-separated arguments (tests/fuzz/fuzz-cli.c)."""
import copy, json, os, sys

base = json.load(open(sys.argv[1]))
out = sys.argv[2]
os.makedirs(out + '/store', exist_ok=True)
os.makedirs(out + '/cli', exist_ok=True)

def put(name, doc):
    with open(f'{out}/store/{name}', 'w') as f:
        f.write(doc if isinstance(doc, str) else json.dumps(doc, indent=1))

recs = base['records']
ns = recs[0]['netns']
common = dict(target='docker:web', runtime='docker', netns=ns, created='2026-11-23T00:00:00Z')
sriov = dict(id='5r10v000', kind='sriov', ifname='eth1', **common,
             options=dict(pf='enp5s0f0', vf=1, vlan=100, qos=3, vlan_proto='802.1Q', spoofchk=False,
                          trust=True, min_rate=0, max_rate=100, ip=['10.5.0.2/24'], gw=[], route=[], mtu=1400),
             link=dict(ifindex=7, mac='02:00:00:50:00:11', mtu=1400),
             vf=dict(pf_pci='0000:01:00.0', pf_name='enp5s0f0', pf_numvfs=2, index=1, pci='0000:01:10.2',
                     driver='igbvf', changed=63, orig=dict(vf_mac='00:00:00:00:00:00', vlan=0, qos=0,
                     vlan_proto='802.1Q', spoofchk=True, trust=False, min_rate=0, max_rate=0)),
             restore=dict(name='enp5s0f0v1', ifindex=9, mtu=1500, mac='6a:1c:00:00:00:01', up=False,
                          addresses=[], routes=[]))
slave0 = copy.deepcopy(sriov); slave0.update(id='51a7e000', ifname='eth1s0', slave_of='b0nd0000')
slave1 = copy.deepcopy(sriov); slave1.update(id='51a7e001', ifname='eth1s1', slave_of='b0nd0000')
bond = dict(id='b0nd0000', kind='bond', ifname='eth1', **common,
            options=dict(mode='active-backup', slaves=['sriov:enp5s0f0', 'sriov:enp6s0f0'],
                         bond_options=['miimon=100', 'primary=eth1s0', 'fail-over-mac=active'], vlan=100,
                         vlan_mode='sw', vlan_ifname='eth1.100', spoofchk=False, ip=['dhcp'], gw=[], route=[],
                         hostname='web-1', dhcp_timeout_ms=3000),
            link=dict(ifindex=12, mac='02:00:00:00:00:22', mtu=1500), slaves=['51a7e000', '51a7e001'],
            vlan_link=dict(ifname='eth1.100', ifindex=13),
            dhcp=dict(client_id='ff0102030400040102030405060708090a0b0c0d0e0f10',
                      lease=dict(address='10.9.0.7/24', server='10.9.0.1', router='10.9.0.1', dns=['10.9.0.53'],
                                 domain='test.lan', lease=120, t1=60, t2=105, obtained=1795000000)))
vlan = dict(id='71a40000', kind='vlan', ifname='eth3', **common,
            options=dict(parent='eth0', vlan=200, vlan_proto='802.1ad', ip=['10.6.0.2/24'], gw=[], route=[]),
            link=dict(ifindex=14, mac='02:00:00:00:00:33', mtu=1500))
mvlan = copy.deepcopy(recs[0]); mvlan.update(id='77777777')
mvlan['options']['vlan'] = 300
mvlan['host'] = dict(vlan_dev='up0.300', created_vlan_dev=True, vlan_dev_ifindex=15)
pending = copy.deepcopy(recs[0]); pending.update(id='99999999', pending=True); pending.pop('link')

put('real', base)
put('all-kinds', dict(schema=2, records=recs + [sriov, bond, slave0, slave1, vlan, mvlan, pending]))
put('bond-dhcp', dict(schema=2, records=[bond, slave0, slave1]))
old = copy.deepcopy(base)
old['schema'] = 1
for r in old['records']:
    r.pop('runtime', None)
put('schema1', old)
put('empty', dict(schema=2, records=[]))
put('newer', dict(schema=3, records=[]))
put('no-records', dict(schema=2))
put('not-json', '{"schema": 2, "records": [')
weird = copy.deepcopy(bond)
weird['options'].update(ip=['dhcp', 'dhcp', 7, '300.1.1.1/8'], slaves=[None, 'sriov:'], bond_options=['x', '=', 'mode='])
weird['dhcp']['lease'].update(address='10.9.0.7/99', server='no', lease=-1)
put('weird-values', dict(schema=2, records=[weird, dict(kind='bond', slaves=['b0nd0000'])]))

cmds = ['attach', 'detach', 'reapply', 'ls', 'show', 'gc', 'vf', 'dhcp', 'help', 'version']
def cli(name, cmd, *args):
    with open(f'{out}/cli/{name}', 'wb') as f:
        f.write(bytes([cmds.index(cmd)]) + b'\0'.join(a.encode() for a in args))
cli('macvlan', 'attach', 'netns:blue', 'macvlan', '--parent', 'eth0', '--ip', '10.0.0.2/24', '--gw', '10.0.0.1',
    '--route', '10.1.0.0/16@10.0.0.9', '--mtu', '1400', '--mac', '02:00:00:00:00:01', '--dry-run')
cli('sriov', 'attach', 'docker:web', 'sriov', '--pf', 'enp5s0f0', '--vf', '3', '--vlan', '100:3', '--vlan-proto',
    '802.1ad', '--spoofchk', 'off', '--trust=on', '--min-rate', '10', '--max-rate', '100', '--json')
cli('bond', 'attach', 'x', 'bond', '--mode', 'active-backup', '--slave', 'sriov:a', '--slave', 'dev:b',
    '--primary', 'eth1s0', '--arp-interval', '100', '--arp-ip-target', '10.0.0.1', '--vlan', '5',
    '--vlan-ifname', 'v5', '--ip', 'dhcp', '--hostname', 'h-1', '--dhcp-timeout', '3')
cli('veth', 'attach', '/run/netns/x', 'veth', '--bridge', 'br0', '--create-bridge', '--host-ifname', 'vx',
    '--ip', 'fd00::2/64', '--no-dad', '--', '--x')
cli('detach', 'detach', 'pid:1', '--ifname', 'eth1', '--json', '--state', '/tmp/s.json', '--wait', '0')
cli('vf', 'vf', 'enable', 'enp5s0f0', '--count', '8', '--dry-run')
cli('dhcp', 'dhcp', 'renew', 'docker:web', '--ifname', 'eth1')
cli('help', 'attach', '--help')
