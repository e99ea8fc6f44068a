/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"

static void print_detached(struct cnet_result *res)
{
	cJSON *recs = cJSON_Parse(cnet_result_records_json(res)), *rec;

	cJSON_ArrayForEach(rec, recs)
	{
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(rec, "kind");
		const cJSON *i = cJSON_GetObjectItemCaseSensitive(rec, "ifname");
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(rec, "target");
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(rec, "peer");
		printf("detached %s %s from %s", cli_esc(cJSON_GetStringValue(k) ?: "?"),
		       cli_esc(cJSON_GetStringValue(i) ?: "?"), cli_esc(cJSON_GetStringValue(t) ?: "?"));
		if (cJSON_IsObject(p))
			printf(", %s from %s",
			       cli_esc(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "ifname")) ?: "?"),
			       cli_esc(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "target")) ?: "?"));
		putchar('\n');
	}
	cJSON_Delete(recs);
}

int cmd_detach(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct cnet_result *res = NULL;
	struct cnet_ctx *ctx;
	struct cli_args a;
	bool done;
	const char *ifname;
	bool dry;
	int r;

	r = cli_start(cmd, argc, argv, &a, &done);
	if (done)
		return r;
	if (a.n_pos != 1)
		return a.n_pos ? cli_usage_error("unexpected argument '%s'", a.pos[1])
			       : cli_usage_error("detach needs a TARGET (see 'cnet detach --help')");
	r = cli_ctx(cmd, &a, &ctx);
	if (r)
		return r;
	ifname = cli_get(cmd, &a, "ifname");
	dry = cli_has(cmd, &a, "dry-run");
	r = cnet_detach(ctx, a.pos[0], ifname,
			(dry ? CNET_DETACH_DRY_RUN : 0) | (cli_has(cmd, &a, "force") ? CNET_DETACH_FORCE : 0),
			&res);
	if (r < 0)
		return cli_fail(ctx, r);
	if (!cli_json && !dry && cnet_result_changed(res))
		print_detached(res);
	r = cli_report(res, dry, "");
	cnet_result_free(res);
	cnet_ctx_free(ctx);
	return r;
}

int cmd_dhcp(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct cnet_result *res = NULL;
	struct cnet_ctx *ctx;
	struct cli_args a;
	bool done;
	int r, op;

	r = cli_start(cmd, argc, argv, &a, &done);
	if (done)
		return r;
	if (a.n_pos < 1 || (strcmp(a.pos[0], "renew") && strcmp(a.pos[0], "release")))
		return cli_usage_error("dhcp needs renew or release, then a TARGET (see 'cnet dhcp --help')");
	if (a.n_pos != 2)
		return a.n_pos > 2 ? cli_usage_error("unexpected argument '%s'", a.pos[2])
				   : cli_usage_error("dhcp %s needs a TARGET", a.pos[0]);
	op = !strcmp(a.pos[0], "renew") ? CNET_DHCP_RENEW : CNET_DHCP_RELEASE;
	r = cli_ctx(cmd, &a, &ctx);
	if (r)
		return r;
	r = cnet_dhcp(ctx, a.pos[1], cli_get(cmd, &a, "ifname"), op, &res);
	if (r < 0)
		return cli_fail(ctx, r);
	if (r > 0) {
		r = cli_partial_records(res, r, op == CNET_DHCP_RENEW ? "renewed" : "released");
	} else if (!cli_json) {
		for (size_t i = 0; i < cnet_result_n_warnings(res); i++)
			fprintf(stderr, "cnet: warning: %s\n", cli_esc(cnet_result_warning(res, i)));
		for (size_t i = 0; i < cnet_result_n_actions(res); i++)
			printf("%s\n", cli_esc(cnet_result_action(res, i)));
		cli_log_result(res);
		r = EXIT_OK;
	} else {
		r = cli_report(res, false, "");
	}
	cnet_result_free(res);
	cnet_ctx_free(ctx);
	return r;
}
