/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* What an option's setter works on. */
struct attach_parse {
	const struct cli_cmd *cmd;
	const struct cli_args *a; /* for the options that read another one */
	const struct cli_opt *opt; /* the option whose value is being set */
	struct cnet_attach *att;
	int kind;
	/* --min-rate and --max-rate go to the library together, after the rest */
	unsigned int min_rate, max_rate;
	bool rates;
	/* the bandwidth limits, [egress, ingress][rate, burst], given together */
	const char *qos[2][2];
};

/* Options whose value goes to the library's setter as given. */
#define AS_GIVEN(name, setter)                                 \
	static int name(struct attach_parse *p, const char *v) \
	{                                                      \
		return (setter)(p->att, v);                    \
	}

AS_GIVEN(set_ifname, cnet_attach_set_ifname)
AS_GIVEN(add_ip, cnet_attach_add_ip)
AS_GIVEN(add_gateway, cnet_attach_add_gateway)
AS_GIVEN(add_route, cnet_attach_add_route)
AS_GIVEN(add_rule, cnet_attach_add_rule)
AS_GIVEN(set_mac, cnet_attach_set_mac)
AS_GIVEN(set_hostname, cnet_attach_set_hostname)
AS_GIVEN(set_resolv_conf, cnet_attach_set_resolv_conf)
AS_GIVEN(set_parent, cnet_attach_set_parent)
AS_GIVEN(set_device, cnet_attach_set_device)
AS_GIVEN(set_host_ifname, cnet_attach_set_host_ifname)
AS_GIVEN(set_pf, cnet_attach_set_pf)
AS_GIVEN(set_vlan_mode, cnet_attach_set_vlan_mode)
AS_GIVEN(set_vlan_ifname, cnet_attach_set_vlan_ifname)
AS_GIVEN(set_vf_link_state, cnet_attach_set_vf_link_state)
AS_GIVEN(add_bond_slave, cnet_attach_add_bond_slave)
AS_GIVEN(set_vxlan_dev, cnet_attach_set_vxlan_dev)
AS_GIVEN(add_vxlan_remote, cnet_attach_add_vxlan_remote)
AS_GIVEN(set_vxlan_group, cnet_attach_set_vxlan_group)

/* The bond's options go by their command-line names. */
static int set_bond_option(struct attach_parse *p, const char *v)
{
	return cnet_attach_set_bond_option(p->att, p->opt->name, v);
}

/* --mode is the macvlan's, the ipvlan's, or one of the bond's options. */
static int set_mode(struct attach_parse *p, const char *v)
{
	if (p->kind == CNET_KIND_BOND)
		return set_bond_option(p, v);
	if (p->kind == CNET_KIND_IPVLAN)
		return cnet_attach_set_ipvlan_mode(p->att, v);
	return cnet_attach_set_macvlan_mode(p->att, v);
}

AS_GIVEN(set_ipvlan_flags, cnet_attach_set_ipvlan_flags)

/* --peer-*: the peer end's own description (--peer, set first) */
#define TO_PEER(name, setter)                                  \
	static int name(struct attach_parse *p, const char *v) \
	{                                                      \
		return (setter)(cnet_attach_peer(p->att), v);  \
	}

TO_PEER(set_peer_ifname, cnet_attach_set_ifname)
TO_PEER(add_peer_ip, cnet_attach_add_ip)
TO_PEER(add_peer_gateway, cnet_attach_add_gateway)
TO_PEER(add_peer_route, cnet_attach_add_route)

static int set_bridge(struct attach_parse *p, const char *v)
{
	return cnet_attach_set_bridge(p->att, v, cli_has(p->cmd, p->a, "create-bridge"));
}

static int set_mtu(struct attach_parse *p, const char *v)
{
	unsigned long mtu;
	char *end;

	mtu = strtoul(v, &end, 10);
	if (!*v || *v == '-' || *v == '+' || *end || mtu > 65535)
		return cli_usage_error("invalid MTU '%s' (68-65535)", v);
	return cnet_attach_set_mtu(p->att, (unsigned int)mtu);
}

static int set_dhcp_timeout(struct attach_parse *p, const char *v)
{
	unsigned long sec;

	if (cli_uint(v, 3600, &sec) < 0 || !sec)
		return cli_usage_error("invalid --dhcp-timeout '%s' (1-3600 seconds)", v);
	return cnet_attach_set_dhcp_timeout(p->att, (unsigned int)sec * 1000);
}

/* A whole number (--vf, --vf-count, the rates); 0 or the usage error's code. */
static int whole(struct attach_parse *p, const char *v, unsigned int *n)
{
	unsigned long l;

	if (cli_uint(v, UINT32_MAX, &l) < 0)
		return cli_usage_error("invalid --%s '%s' (a whole number)", p->opt->name, v);
	*n = (unsigned int)l;
	return 0;
}

static int set_vxlan(struct attach_parse *p, const char *v)
{
	unsigned long vni;

	if (cli_uint(v, 16777215, &vni) < 0 || !vni)
		return cli_usage_error("invalid --vxlan '%s' (a VNI, 1-16777215)", v);
	return cnet_attach_set_vxlan(p->att, (unsigned int)vni);
}

static int set_vxlan_port(struct attach_parse *p, const char *v)
{
	unsigned long port;

	if (cli_uint(v, 65535, &port) < 0 || !port)
		return cli_usage_error("invalid --vxlan-port '%s' (1-65535)", v);
	return cnet_attach_set_vxlan_port(p->att, (unsigned int)port);
}

static int set_vf(struct attach_parse *p, const char *v)
{
	unsigned int n = 0;
	int r = whole(p, v, &n);

	return r ? r : cnet_attach_set_vf(p->att, n);
}

static int set_vf_count(struct attach_parse *p, const char *v)
{
	unsigned int n = 0;
	int r = whole(p, v, &n);

	return r ? r : cnet_attach_set_vf_count(p->att, n);
}

static int set_min_rate(struct attach_parse *p, const char *v)
{
	p->rates = true;
	return whole(p, v, &p->min_rate);
}

static int set_max_rate(struct attach_parse *p, const char *v)
{
	p->rates = true;
	return whole(p, v, &p->max_rate);
}

/* --egress-rate, --egress-burst, --ingress-rate, --ingress-burst */
static int set_qos(struct attach_parse *p, const char *v)
{
	const char *n = p->opt->name;

	p->qos[n[0] == 'i'][strstr(n, "burst") != NULL] = v;
	return 0;
}

/* The limits to the library, each rate with its burst. */
static int apply_qos(struct attach_parse *p)
{
	static const char *const dir[2] = {"egress", "ingress"};
	int r = 0;

	for (int d = 0; d < 2 && !r; d++) {
		if (p->qos[d][1] && !p->qos[d][0])
			return cli_usage_error("--%s-burst needs --%s-rate", dir[d], dir[d]);
		if (p->qos[d][0])
			r = (d ? cnet_attach_set_ingress : cnet_attach_set_egress)(p->att, p->qos[d][0], p->qos[d][1]);
	}
	return r;
}

/* --vlan VID[:QOS], in the protocol of --vlan-proto */
static int set_vlan(struct attach_parse *p, const char *v)
{
	unsigned long vid, qos = 0;
	char buf[32], *colon;

	snprintf(buf, sizeof(buf), "%s", v);
	colon = strchr(buf, ':');
	if (colon)
		*colon = '\0';
	if (strlen(v) >= sizeof(buf) || cli_uint(buf, 4094, &vid) < 0 ||
	    (colon && cli_uint(colon + 1, 7, &qos) < 0))
		return cli_usage_error("invalid --vlan '%s' (VID 0-4094, optionally :QOS 0-7)", v);
	return cnet_attach_set_vlan(p->att, (unsigned int)vid, (unsigned int)qos,
				    cli_get(p->cmd, p->a, "vlan-proto"));
}

/* on or off; 0 or the usage error's code */
static int on_off(struct attach_parse *p, const char *v, bool *on)
{
	*on = !strcmp(v, "on");
	if (!*on && strcmp(v, "off"))
		return cli_usage_error("invalid --%s '%s' (on or off)", p->opt->name, v);
	return 0;
}

static int set_vf_spoofchk(struct attach_parse *p, const char *v)
{
	bool on = false;
	int r = on_off(p, v, &on);

	return r ? r : cnet_attach_set_vf_spoofchk(p->att, on);
}

static int set_vf_trust(struct attach_parse *p, const char *v)
{
	bool on = false;
	int r = on_off(p, v, &on);

	return r ? r : cnet_attach_set_vf_trust(p->att, on);
}

/* Each value goes to the library through its option's setter. */
const struct cli_opt cli_attach_opts[] = {
	{"ifname", "NAME", false, 0, set_ifname, "name inside the container (default eth1)"},
	{"ip", "ADDR/PLEN|dhcp", true, 0, add_ip,
	 "add an IPv4 or IPv6 address (repeatable), or lease one by DHCP"},
	{"gw", "ADDR", true, 0, add_gateway,
	 "default route via ADDR, replacing that family's (one per family)"},
	{"route", "DEST/PLEN[@VIA][,metric=N][,table=N]", true, 0, add_route,
	 "add a route through the interface (repeatable)"},
	{"rule", "SPEC", true, 0, add_rule,
	 "a policy routing rule: [from=PREFIX,][to=PREFIX,]table=N[,priority=N] (repeatable)"},
	{"mtu", "N", false, 0, set_mtu, "MTU of the interface"},
	{"mac", "MAC", false, 0, set_mac, "MAC address of the interface"},
	{"egress-rate", "RATE", false, 0, set_qos,
	 "limit what the container sends (20mbit, 1gbit...: tc's units)"},
	{"egress-burst", "SIZE", false, 0, set_qos,
	 "--egress-rate: bucket size in bytes (32k, 1m; default 10 ms of the rate)"},
	{"ingress-rate", "RATE", false, 0, set_qos, "limit what the container receives"},
	{"ingress-burst", "SIZE", false, 0, set_qos, "--ingress-rate: bucket size in bytes"},
	{"no-dad", NULL, false, 0, NULL,
	 "IPv6 addresses usable at once, without duplicate detection"},
	{"hostname", "NAME", false, 0, set_hostname, "--ip dhcp: the hostname to send the server"},
	{"dhcp-timeout", "SEC", false, 0, set_dhcp_timeout,
	 "--ip dhcp: how long to wait for a lease (default 10)"},
	{"no-gw", NULL, false, 0, NULL, "--ip dhcp: no default route via the server's router"},
	{"resolv-conf", "PATH", false, 0, set_resolv_conf,
	 "--ip dhcp: write the lease's DNS servers to PATH in the container"},
	{"parent", "IF", false, K_MACVLAN | K_VLAN | K_IPVLAN, set_parent,
	 "macvlan, ipvlan, vlan: host interface to sit on"},
	{"mode", "MODE", false, K_MACVLAN | K_IPVLAN | K_BOND, set_mode,
	 "macvlan: bridge (default), private, vepa or passthru; ipvlan: l2 (default), l3 or l3s; "
	 "bond: its mode (required)"},
	{"flags", "FLAGS", false, K_IPVLAN, set_ipvlan_flags, "ipvlan: bridge (default), private or vepa"},
	{"vxlan", "VNI", false, K_MACVLAN | K_IPVLAN | K_VETH, set_vxlan,
	 "macvlan, ipvlan: sit on the host's VXLAN device vxVNI instead of a --parent; veth: put it on the bridge"},
	{"vxlan-dev", "IF", false, K_MACVLAN | K_IPVLAN | K_VETH, set_vxlan_dev,
	 "--vxlan: the underlay interface the segment runs over"},
	{"vxlan-remote", "ADDR", true, K_MACVLAN | K_IPVLAN | K_VETH, add_vxlan_remote,
	 "--vxlan: a host on the segment, sent its broadcasts (repeatable)"},
	{"vxlan-group", "ADDR", false, K_MACVLAN | K_IPVLAN | K_VETH, set_vxlan_group,
	 "--vxlan: a multicast group instead of remotes"},
	{"vxlan-port", "PORT", false, K_MACVLAN | K_IPVLAN | K_VETH, set_vxlan_port,
	 "--vxlan: UDP port (default 4789)"},
	{"host-access", NULL, false, K_MACVLAN, NULL,
	 "macvlan: the host reaches its addresses, through a host-side shim and host routes"},
	{"dev", "IF", false, K_HOSTDEV, set_device, "host-device: the host interface to move in"},
	{"force", NULL, false, K_HOSTDEV, NULL,
	 "host-device: move it even if it carries addresses, routes or a master"},
	{"bridge", "BR", false, K_VETH, set_bridge, "veth: Linux bridge for the host end"},
	{"create-bridge", NULL, false, K_VETH, NULL,
	 "veth: create the bridge if it does not exist"},
	{"host-ifname", "NAME", false, K_VETH, set_host_ifname,
	 "veth: name of the host end (default vethID)"},
	{"peer", "TARGET", false, K_PAIR, NULL,
	 "pair: the container the other end is created in (as TARGET is named)"},
	{"peer-ifname", "NAME", false, K_PAIR, set_peer_ifname,
	 "pair: name of the other end (default eth1)"},
	{"peer-ip", "ADDR/PLEN", true, K_PAIR, add_peer_ip,
	 "pair: add an address to the other end (repeatable)"},
	{"peer-gw", "ADDR", true, K_PAIR, add_peer_gateway,
	 "pair: default route via ADDR for the peer, replacing that family's"},
	{"peer-route", "DEST/PLEN[@VIA][,metric=N][,table=N]", true, K_PAIR, add_peer_route,
	 "pair: add a route through the other end (repeatable)"},
	{"pf", "PF", false, K_SRIOV, set_pf, "sriov: the PF, a host interface or PCI address"},
	{"vf", "N", false, K_SRIOV, set_vf, "sriov: this VF index (default: a free one)"},
	{"vf-count", "N", false, K_SRIOV, set_vf_count,
	 "sriov: create N VFs first if the PF has none"},
	{"vlan", "VID[:QOS]", false, K_SRIOV | K_MACVLAN | K_IPVLAN | K_VLAN | K_BOND, set_vlan,
	 "sriov: VLAN (and priority) the PF tags the VF with; macvlan, ipvlan: sit on PARENT.VID; "
	 "vlan: its ID; bond: see --vlan-mode"},
	{"vlan-proto", "PROTO", false, K_SRIOV | K_MACVLAN | K_IPVLAN | K_VLAN | K_BOND, NULL,
	 "802.1Q (default) or 802.1ad"},
	{"vlan-mode", "sw|hw", false, K_BOND, set_vlan_mode,
	 "bond: sw (default): a VLAN interface on the bond takes the addresses; hw: the PF tags each VF slave"},
	{"vlan-ifname", "NAME", false, K_BOND, set_vlan_ifname,
	 "bond, --vlan-mode sw: the VLAN interface's name (default IFNAME.VID)"},
	{"spoofchk", "on|off", false, K_SRIOV | K_BOND, set_vf_spoofchk,
	 "sriov, bond's VF slaves: MAC spoof checking"},
	{"trust", "on|off", false, K_SRIOV | K_BOND, set_vf_trust,
	 "sriov, bond's VF slaves: let the VF change its MAC and promiscuity"},
	{"link-state", "STATE", false, K_SRIOV | K_BOND, set_vf_link_state,
	 "sriov, bond's VF slaves: auto, enable or disable"},
	{"min-rate", "MBPS", false, K_SRIOV | K_BOND, set_min_rate,
	 "sriov, bond's VF slaves: minimum TX rate, Mbit/s"},
	{"max-rate", "MBPS", false, K_SRIOV | K_BOND, set_max_rate,
	 "sriov, bond's VF slaves: maximum TX rate, Mbit/s (0: no limit)"},
	{"slave", "SPEC", true, K_BOND, add_bond_slave,
	 "bond: sriov:PF, sriov:PF/VF, dev:IF, macvlan:PARENT or in:IF (repeatable)"},
	{"miimon", "MS", false, K_BOND, set_bond_option, "bond: MII link monitoring interval"},
	{"updelay", "MS", false, K_BOND, set_bond_option,
	 "bond: wait before using a slave whose link came up"},
	{"downdelay", "MS", false, K_BOND, set_bond_option,
	 "bond: wait before dropping a slave whose link went down"},
	{"arp-interval", "MS", false, K_BOND, set_bond_option, "bond: ARP monitoring interval"},
	{"arp-ip-target", "ADDR", true, K_BOND, set_bond_option,
	 "bond: IPv4 address ARP monitoring asks (repeatable)"},
	{"arp-validate", "WHAT", false, K_BOND, set_bond_option,
	 "bond: none, active, backup, all, filter..."},
	{"arp-all-targets", "any|all", false, K_BOND, set_bond_option,
	 "bond: a slave is up when any or all targets answer"},
	{"primary", "SLAVE", false, K_BOND, set_bond_option,
	 "bond: the preferred slave, by its name IFNAMEsN"},
	{"fail-over-mac", "POLICY", false, K_BOND, set_bond_option, "bond: none, active or follow"},
	{"xmit-hash-policy", "POLICY", false, K_BOND, set_bond_option,
	 "bond: layer2, layer3+4, layer2+3, encap2+3..."},
	{"lacp-rate", "slow|fast", false, K_BOND, set_bond_option, "bond: 802.3ad LACPDU rate"},
	{"min-links", "N", false, K_BOND, set_bond_option,
	 "bond: 802.3ad: slaves needed for carrier"},
	{"replace", NULL, false, 0, NULL,
	 "replace an attachment of that name made with other settings"},
	COMMON_OPTS,
	{0},
};

/* cli_args.set holds a flag per option: the table must fit (with its end). */
_Static_assert(sizeof(cli_attach_opts) / sizeof(cli_attach_opts[0]) <= MAX_OPTS + 1,
	       "attach's options outgrew MAX_OPTS (cli.h)");

/* The command line to a described attachment: every value through the
 * library's own validation. 0 with *ctxp and *attp to use and free, or
 * the exit code (everything freed, the error said); *done: --help was
 * answered. Shared with the command-line fuzz target. */
int cli_attach_parse(const struct cli_cmd *cmd, int argc, char **argv, struct cli_args *ap,
		     struct cnet_ctx **ctxp, struct cnet_attach **attp, bool *done)
{
	struct attach_parse p = {.cmd = cmd};
	struct cnet_ctx *ctx;
	struct cli_args a;
	unsigned int flags = 0;
	int r, kind;

	r = cli_start(cmd, argc, argv, &a, done);
	if (*done)
		return r;
	if (a.n_pos < 2)
		return cli_usage_error("attach needs a TARGET and a KIND (see 'cnet attach --help')");
	if (a.n_pos > 2)
		return cli_usage_error("unexpected argument '%s'", a.pos[2]);
	kind = cnet_kind_from_string(a.pos[1]);
	if (kind < 0)
		return cli_usage_error("unknown kind '%s' (%s)", a.pos[1], cli_kinds(" or "));
	for (int i = 0; cmd->opts[i].name; i++)
		if (a.set[i] && cmd->opts[i].kinds && !(cmd->opts[i].kinds & (1u << kind)))
			return cli_usage_error("--%s does not apply to %s", cmd->opts[i].name, a.pos[1]);
	if (cli_has(cmd, &a, "create-bridge") && !cli_has(cmd, &a, "bridge"))
		return cli_usage_error("--create-bridge needs --bridge BR");
	if (cli_has(cmd, &a, "vlan-proto") && !cli_has(cmd, &a, "vlan"))
		return cli_usage_error("--vlan-proto needs --vlan VID");
	if (cli_has(cmd, &a, "vlan-mode") && !cli_has(cmd, &a, "vlan"))
		return cli_usage_error("--vlan-mode needs --vlan VID");
	if (cli_has(cmd, &a, "vlan-ifname") && !cli_has(cmd, &a, "vlan"))
		return cli_usage_error("--vlan-ifname needs --vlan VID");
	for (int i = 0; cmd->opts[i].name; i++)
		if (a.set[i] && !strncmp(cmd->opts[i].name, "peer-", 5) && !cli_has(cmd, &a, "peer"))
			return cli_usage_error("--%s needs --peer TARGET", cmd->opts[i].name);

	r = cli_ctx(cmd, &a, &ctx);
	if (r)
		return r;
	r = cnet_attach_new(ctx, a.pos[0], kind, &p.att);
	if (r < 0)
		return cli_fail(ctx, r);

	/* Every value goes through the library's own validation, in the order
	 * given, so the first bad one is the one reported. */
	p.a = &a;
	p.kind = kind;
	if (cli_has(cmd, &a, "peer"))
		r = cnet_attach_set_peer(p.att, cli_get(cmd, &a, "peer"));
	for (int i = 0; i < a.n_vals && !r; i++) {
		p.opt = &cmd->opts[a.val_opt[i]];
		if (p.opt->set)
			r = p.opt->set(&p, a.vals[i]);
	}
	if (!r && p.rates)
		r = cnet_attach_set_vf_rate(p.att, p.min_rate, p.max_rate);
	if (!r)
		r = apply_qos(&p);
	if (!r && cli_has(cmd, &a, "host-access"))
		r = cnet_attach_set_host_access(p.att, true);
	if (r > 0) { /* a usage error, already reported */
		cnet_attach_free(p.att);
		cnet_ctx_free(ctx);
		return r;
	}
	if (r < 0)
		goto fail;
	if (cli_has(cmd, &a, "dry-run"))
		flags |= CNET_ATTACH_DRY_RUN;
	if (cli_has(cmd, &a, "no-dad"))
		flags |= CNET_ATTACH_NO_DAD;
	if (cli_has(cmd, &a, "force"))
		flags |= CNET_ATTACH_FORCE;
	if (cli_has(cmd, &a, "replace"))
		flags |= CNET_ATTACH_REPLACE;
	if (cli_has(cmd, &a, "no-gw"))
		flags |= CNET_ATTACH_NO_GW;
	r = cnet_attach_set_flags(p.att, flags);
	if (r < 0)
		goto fail;
	*ap = a;
	*ctxp = ctx;
	*attp = p.att;
	return 0;
fail:
	cnet_attach_free(p.att);
	return cli_fail(ctx, r);
}

int cmd_attach(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct cnet_attach *att = NULL;
	struct cnet_result *res = NULL;
	struct cnet_ctx *ctx = NULL;
	struct cli_args a;
	char summary[256];
	const char *v;
	bool done;
	int r = cli_attach_parse(cmd, argc, argv, &a, &ctx, &att, &done);

	if (r || done)
		return r;
	r = cnet_attach(ctx, att, &res);
	if (r < 0) {
		cnet_attach_free(att);
		return cli_fail(ctx, r);
	}
	v = cli_get(cmd, &a, "ifname");
	snprintf(summary, sizeof(summary), "attached %s %s to %s", a.pos[1], v ? v : "eth1", a.pos[0]);
	if (cli_has(cmd, &a, "peer")) {
		const char *pv = cli_get(cmd, &a, "peer-ifname");
		size_t n = strlen(summary);
		snprintf(summary + n, sizeof(summary) - n, ", %s to %s", pv ? pv : "eth1",
			 cli_get(cmd, &a, "peer"));
	}
	r = cli_report(res, cli_has(cmd, &a, "dry-run"), summary);
	cnet_result_free(res);
	cnet_attach_free(att);
	cnet_ctx_free(ctx);
	return r;
}
