/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cnet vf enable PF --count N | vf disable PF | vf ls [PF] */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"

static const char *s(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return v ? v : "";
}

static double n(const cJSON *o, const char *key)
{
	return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static const char *onoff(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsTrue(v) ? "on" : cJSON_IsFalse(v) ? "off" : "-";
}

static void table(struct cnet_result *res)
{
	cJSON *recs = cJSON_Parse(cnet_result_records_json(res)), *r;
	char where[64], vlan[48];

	printf("%-10s %-3s %-13s %-22s %-17s %-10s %-5s %-5s %-7s %-9s %s\n", "PF", "VF", "PCI",
	       "NETDEV", "MAC", "VLAN", "SPOOF", "TRUST", "LINK", "RATE", "DRIVER");
	cJSON_ArrayForEach(r, recs)
	{
		if (*s(r, "target"))
			snprintf(where, sizeof(where), "%s:%s", s(r, "target"), s(r, "ifname"));
		else
			snprintf(where, sizeof(where), "%s", *s(r, "netdev") ? s(r, "netdev") : "-");
		if (n(r, "vlan") > 0)
			snprintf(vlan, sizeof(vlan), "%g:%g%s", n(r, "vlan"), n(r, "qos"),
				 strcmp(s(r, "vlan_proto"), "802.1ad") ? "" : "ad");
		else
			snprintf(vlan, sizeof(vlan), "-");
		printf("%-10s %-3g %-13s %-22s %-17s %-10s %-5s %-5s %-7s %g-%-7g %s\n", cli_esc(s(r, "pf")),
		       n(r, "vf"), cli_esc(s(r, "pci")), cli_esc(where), *s(r, "mac") ? cli_esc(s(r, "mac")) : "-",
		       vlan, onoff(r, "spoofchk"), onoff(r, "trust"),
		       *s(r, "link_state") ? cli_esc(s(r, "link_state")) : "-", n(r, "min_rate"),
		       n(r, "max_rate"), *s(r, "driver") ? cli_esc(s(r, "driver")) : "-");
	}
	cJSON_Delete(recs);
}

int cmd_vf(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct cnet_result *res = NULL;
	struct cnet_ctx *ctx;
	struct cli_args a;
	unsigned long count = 0;
	const char *sub, *v;
	bool done, dry;
	char summary[128];
	int r;

	r = cli_start(cmd, argc, argv, &a, &done);
	if (done)
		return r;
	if (a.n_pos < 1)
		return cli_usage_error("vf needs enable, disable or ls (see 'cnet vf --help')");
	sub = a.pos[0];
	dry = cli_has(cmd, &a, "dry-run");
	if (!strcmp(sub, "ls")) {
		if (a.n_pos > 2)
			return cli_usage_error("unexpected argument '%s'", a.pos[2]);
		if (cli_has(cmd, &a, "count") || dry)
			return cli_usage_error("vf ls takes no --count or --dry-run");
	} else if (!strcmp(sub, "enable") || !strcmp(sub, "disable")) {
		if (a.n_pos < 2)
			return cli_usage_error("vf %s needs a PF (a host interface or PCI address)", sub);
		if (a.n_pos > 2)
			return cli_usage_error("unexpected argument '%s'", a.pos[2]);
		v = cli_get(cmd, &a, "count");
		if (!strcmp(sub, "enable") && (!v || cli_uint(v, 256, &count) < 0 || count == 0))
			return cli_usage_error("vf enable needs --count N (1-256)");
		if (!strcmp(sub, "disable") && v)
			return cli_usage_error("vf disable takes no --count");
	} else {
		return cli_usage_error("unknown vf command '%s' (enable, disable or ls)", sub);
	}
	r = cli_ctx(cmd, &a, &ctx);
	if (r)
		return r;
	if (!strcmp(sub, "ls")) {
		r = cnet_vf_list(ctx, a.n_pos > 1 ? a.pos[1] : NULL, &res);
		if (r < 0)
			return cli_fail(ctx, r);
		if (cli_json) {
			r = cli_report(res, false, "");
		} else {
			table(res);
			r = EXIT_OK;
		}
	} else {
		r = cnet_vf_set_count(ctx, a.pos[1], (unsigned int)count,
				      dry ? CNET_ATTACH_DRY_RUN : 0, &res);
		if (r < 0)
			return cli_fail(ctx, r);
		if (count)
			snprintf(summary, sizeof(summary), "%s has %lu VFs", a.pos[1], count);
		else
			snprintf(summary, sizeof(summary), "%s has no VFs", a.pos[1]);
		r = cli_report(res, dry, summary);
	}
	cnet_result_free(res);
	cnet_ctx_free(ctx);
	return r;
}
