/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cnet store check | store compact: the state store itself (snapshot and
 * journal). check reads without a lock and writes nothing; compact folds the
 * journal into a new snapshot under the store's lock. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_store(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct cnet_result *res = NULL;
	struct cnet_ctx *ctx;
	struct cli_args a;
	bool done, compact;
	int r;

	r = cli_start(cmd, argc, argv, &a, &done);
	if (done)
		return r;
	if (a.n_pos < 1)
		return cli_usage_error("store needs check or compact (see 'cnet store --help')");
	if (strcmp(a.pos[0], "check") && strcmp(a.pos[0], "compact"))
		return cli_usage_error("unknown store command '%s' (check or compact)", a.pos[0]);
	if (a.n_pos > 1)
		return cli_usage_error("unexpected argument '%s'", a.pos[1]);
	compact = !strcmp(a.pos[0], "compact");
	r = cli_ctx(cmd, &a, &ctx);
	if (r)
		return r;
	r = compact ? cnet_store_compact(ctx, &res) : cnet_store_check(ctx, &res);
	if (r < 0)
		return cli_fail(ctx, r);
	if (cli_json) {
		r = cli_report(res, false, "");
	} else {
		/* Every action a line, as gc prints them: check's summary (and
		 * the torn tail it ignored), compact's "folded ..." or "nothing
		 * to fold". */
		for (size_t i = 0; i < cnet_result_n_warnings(res); i++)
			fprintf(stderr, "cnet: warning: %s\n", cli_esc(cnet_result_warning(res, i)));
		for (size_t i = 0; i < cnet_result_n_actions(res); i++)
			printf("%s\n", cli_esc(cnet_result_action(res, i)));
		if (cnet_result_changed(res))
			cli_log_result(res);
		r = EXIT_OK;
	}
	cnet_result_free(res);
	cnet_ctx_free(ctx);
	return r;
}
