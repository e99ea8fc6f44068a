/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"

/* reapply and ls share everything but their flags and how they print. */
static int run(const struct cli_cmd *cmd, int argc, char **argv, bool list)
{
	struct cnet_result *res = NULL;
	struct cnet_ctx *ctx;
	struct cli_args a;
	bool dry;
	int r;

	r = cli_parse(cmd, argc, argv, &a);
	if (r)
		return r;
	if (cli_has(cmd, &a, "help")) {
		cli_help(cmd);
		return EXIT_OK;
	}
	r = cli_ctx(cmd, &a, &ctx);
	if (r)
		return r;
	dry = list || cli_has(cmd, &a, "dry-run");
	r = cnet_reapply(ctx, a.pos, (size_t)a.n_pos, dry ? CNET_REAPPLY_DRY_RUN : 0, &res);
	if (r < 0)
		return cli_fail(ctx, r);
	if (r > 0) {
		char msg[64];
		snprintf(msg, sizeof(msg), "%d record%s could not be brought back (see above)", r,
			 r == 1 ? "" : "s");
		r = cli_partial(res, msg);
	} else if (list && !cli_json) {
		cJSON *recs = cJSON_Parse(cnet_result_records_json(res)), *rec;
		printf("%-8s  %-24s  %-11s  %-15s  %s\n", "ID", "TARGET", "KIND", "IFNAME", "STATE");
		cJSON_ArrayForEach(rec, recs)
		{
			const char *reason =
				cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "reason"));
			printf("%-8s  %-24s  %-11s  %-15s  %s",
			       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "id")),
			       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "target")),
			       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "kind")),
			       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "ifname")),
			       cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "status")));
			if (reason && *reason)
				printf(" (%s)", reason);
			putchar('\n');
		}
		cJSON_Delete(recs);
		r = EXIT_OK;
	} else if (!cli_json) {
		for (size_t i = 0; i < cnet_result_n_warnings(res); i++)
			fprintf(stderr, "cnet: warning: %s\n", cnet_result_warning(res, i));
		for (size_t i = 0; i < cnet_result_n_actions(res); i++)
			printf("%s%s\n", dry && strncmp(cnet_result_action(res, i), "ok:", 3) ? "would repair: " : "",
			       cnet_result_action(res, i));
		r = EXIT_OK;
	} else {
		r = cli_report(res, dry, "");
	}
	cnet_result_free(res);
	cnet_ctx_free(ctx);
	return r;
}

int cmd_reapply(const struct cli_cmd *cmd, int argc, char **argv)
{
	return run(cmd, argc, argv, false);
}

int cmd_ls(const struct cli_cmd *cmd, int argc, char **argv)
{
	return run(cmd, argc, argv, true);
}

int cmd_gc(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct cnet_result *res = NULL;
	struct cnet_ctx *ctx;
	struct cli_args a;
	bool dry;
	int r;

	r = cli_parse(cmd, argc, argv, &a);
	if (r)
		return r;
	if (cli_has(cmd, &a, "help")) {
		cli_help(cmd);
		return EXIT_OK;
	}
	if (a.n_pos)
		return cli_usage_error("unexpected argument '%s'", a.pos[0]);
	dry = cli_has(cmd, &a, "dry-run");
	if (!dry && !cli_has(cmd, &a, "yes"))
		return cli_usage_error("gc removes records: confirm with --yes, or list them with --dry-run");
	r = cli_ctx(cmd, &a, &ctx);
	if (r)
		return r;
	r = cnet_gc(ctx, dry ? CNET_GC_DRY_RUN : 0, &res);
	if (r < 0)
		return cli_fail(ctx, r);
	if (r > 0) {
		char msg[64];
		snprintf(msg, sizeof(msg), "%d record%s could not be cleaned up (see above)", r,
			 r == 1 ? "" : "s");
		r = cli_partial(res, msg);
	} else if (!cli_json) {
		for (size_t i = 0; i < cnet_result_n_warnings(res); i++)
			fprintf(stderr, "cnet: warning: %s\n", cnet_result_warning(res, i));
		for (size_t i = 0; i < cnet_result_n_actions(res); i++)
			printf("%s%s\n", dry ? "would remove: " : "", cnet_result_action(res, i));
		r = EXIT_OK;
	} else {
		r = cli_report(res, dry, "");
	}
	cnet_result_free(res);
	cnet_ctx_free(ctx);
	return r;
}
