/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The command line to a described attachment: every value through the
 * library's own validation. 0 with *ctxp and *attp to use and free, or
 * the exit code (everything freed, the error said); *done: --help was
 * answered. Shared with the command-line fuzz target. */
int cli_attach_parse(const struct cli_cmd *cmd, int argc, char **argv, struct cli_args *ap,
		     struct cnet_ctx **ctxp, struct cnet_attach **attp, bool *done)
{
	struct cnet_attach *att = NULL;
	struct cnet_ctx *ctx;
	struct cli_args a;
	unsigned int flags = 0;
	int r, kind;
	unsigned long mtu, n;
	unsigned int min_rate = 0, max_rate = 0;
	bool rates = false;
	char *end;
	const char *v;

	r = cli_start(cmd, argc, argv, &a, done);
	if (*done)
		return r;
	if (a.n_pos < 2)
		return cli_usage_error("attach needs a TARGET and a KIND (see 'cnet attach --help')");
	if (a.n_pos > 2)
		return cli_usage_error("unexpected argument '%s'", a.pos[2]);
	kind = cnet_kind_from_string(a.pos[1]);
	if (kind < 0)
		return cli_usage_error("unknown kind '%s' (macvlan, host-device, veth, sriov, vlan or bond)",
				       a.pos[1]);
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

	r = cli_ctx(cmd, &a, &ctx);
	if (r)
		return r;
	r = cnet_attach_new(ctx, a.pos[0], kind, &att);
	if (r < 0)
		return cli_fail(ctx, r);

	/* Every value goes through the library's own validation, in the order
	 * given, so the first bad one is the one reported. */
	for (int i = 0; i < a.n_vals && r >= 0; i++) {
		const char *name = cmd->opts[a.val_opt[i]].name;
		v = a.vals[i];
		if (!strcmp(name, "ifname"))
			r = cnet_attach_set_ifname(att, v);
		else if (!strcmp(name, "ip"))
			r = cnet_attach_add_ip(att, v);
		else if (!strcmp(name, "gw"))
			r = cnet_attach_add_gateway(att, v);
		else if (!strcmp(name, "route"))
			r = cnet_attach_add_route(att, v);
		else if (!strcmp(name, "mac"))
			r = cnet_attach_set_mac(att, v);
		else if (!strcmp(name, "parent"))
			r = cnet_attach_set_parent(att, v);
		else if (!strcmp(name, "mode") && kind == CNET_KIND_BOND)
			r = cnet_attach_set_bond_option(att, "mode", v);
		else if (!strcmp(name, "mode"))
			r = cnet_attach_set_macvlan_mode(att, v);
		else if (!strcmp(name, "slave"))
			r = cnet_attach_add_bond_slave(att, v);
		else if (!strcmp(name, "hostname"))
			r = cnet_attach_set_hostname(att, v);
		else if (!strcmp(name, "resolv-conf"))
			r = cnet_attach_set_resolv_conf(att, v);
		else if (!strcmp(name, "dhcp-timeout")) {
			unsigned long sec;
			if (cli_uint(v, 3600, &sec) < 0 || !sec) {
				cnet_attach_free(att);
				cnet_ctx_free(ctx);
				return cli_usage_error("invalid --dhcp-timeout '%s' (1-3600 seconds)", v);
			}
			r = cnet_attach_set_dhcp_timeout(att, (unsigned int)sec * 1000);
		} else if (!strcmp(name, "vlan-mode"))
			r = cnet_attach_set_vlan_mode(att, v);
		else if (!strcmp(name, "vlan-ifname"))
			r = cnet_attach_set_vlan_ifname(att, v);
		else if (cmd->opts[a.val_opt[i]].kinds == K_BOND)
			r = cnet_attach_set_bond_option(att, name, v);
		else if (!strcmp(name, "dev"))
			r = cnet_attach_set_device(att, v);
		else if (!strcmp(name, "bridge"))
			r = cnet_attach_set_bridge(att, v, cli_has(cmd, &a, "create-bridge"));
		else if (!strcmp(name, "host-ifname"))
			r = cnet_attach_set_host_ifname(att, v);
		else if (!strcmp(name, "pf"))
			r = cnet_attach_set_pf(att, v);
		else if (!strcmp(name, "vf") || !strcmp(name, "vf-count") || !strcmp(name, "min-rate") ||
			 !strcmp(name, "max-rate")) {
			if (cli_uint(v, UINT32_MAX, &n) < 0) {
				cnet_attach_free(att);
				cnet_ctx_free(ctx);
				return cli_usage_error("invalid --%s '%s' (a whole number)", name, v);
			}
			if (!strcmp(name, "vf"))
				r = cnet_attach_set_vf(att, (unsigned int)n);
			else if (!strcmp(name, "vf-count"))
				r = cnet_attach_set_vf_count(att, (unsigned int)n);
			else if (!strcmp(name, "min-rate"))
				min_rate = (unsigned int)n, rates = true;
			else
				max_rate = (unsigned int)n, rates = true;
		} else if (!strcmp(name, "vlan")) {
			unsigned long vid, qos = 0;
			char buf[32], *colon;
			snprintf(buf, sizeof(buf), "%s", v);
			colon = strchr(buf, ':');
			if (colon)
				*colon = '\0';
			if (strlen(v) >= sizeof(buf) || cli_uint(buf, 4094, &vid) < 0 ||
			    (colon && cli_uint(colon + 1, 7, &qos) < 0)) {
				cnet_attach_free(att);
				cnet_ctx_free(ctx);
				return cli_usage_error("invalid --vlan '%s' (VID 0-4094, optionally :QOS 0-7)", v);
			}
			r = cnet_attach_set_vlan(att, (unsigned int)vid, (unsigned int)qos,
						    cli_get(cmd, &a, "vlan-proto"));
		} else if (!strcmp(name, "spoofchk") || !strcmp(name, "trust")) {
			bool on = !strcmp(v, "on");
			if (!on && strcmp(v, "off")) {
				cnet_attach_free(att);
				cnet_ctx_free(ctx);
				return cli_usage_error("invalid --%s '%s' (on or off)", name, v);
			}
			r = !strcmp(name, "trust") ? cnet_attach_set_vf_trust(att, on)
						   : cnet_attach_set_vf_spoofchk(att, on);
		} else if (!strcmp(name, "link-state"))
			r = cnet_attach_set_vf_link_state(att, v);
		else if (!strcmp(name, "mtu")) {
			mtu = strtoul(v, &end, 10);
			if (!*v || *v == '-' || *v == '+' || *end || mtu > 65535) {
				cnet_attach_free(att);
				cnet_ctx_free(ctx);
				return cli_usage_error("invalid MTU '%s' (68-65535)", v);
			} else
				r = cnet_attach_set_mtu(att, (unsigned int)mtu);
		}
	}
	if (r >= 0 && rates)
		r = cnet_attach_set_vf_rate(att, min_rate, max_rate);
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
	r = cnet_attach_set_flags(att, flags);
	if (r < 0)
		goto fail;
	*ap = a;
	*ctxp = ctx;
	*attp = att;
	return 0;
fail:
	cnet_attach_free(att);
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
	r = cli_report(res, cli_has(cmd, &a, "dry-run"), summary);
	cnet_result_free(res);
	cnet_attach_free(att);
	cnet_ctx_free(ctx);
	return r;
}
