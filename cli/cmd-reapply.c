/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"

static const char *str(const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return s ? s : "";
}

/* What the record made or uses on the host: its names, and which it made
 * (ifindexes and MACs left to --json). */
static void print_host(const cJSON *host)
{
	const cJSON *v, *e;

	if (!cJSON_IsObject(host))
		return;
	printf("%-9s", "host");
	cJSON_ArrayForEach(v, host)
	{
		if (cJSON_IsString(v) && !strstr(v->string, "mac"))
			printf(" %s=%s", cli_esc(v->string), cli_esc(v->valuestring));
		else if (cJSON_IsBool(v))
			printf(" %s=%s", cli_esc(v->string), cJSON_IsTrue(v) ? "yes" : "no");
		else if (cJSON_IsArray(v))
			cJSON_ArrayForEach(e, v) if (cJSON_IsString(e)) printf(" %s=%s", cli_esc(v->string), cli_esc(e->valuestring));
	}
	putchar('\n');
}

/* A pair's other end: where, its name, what it was asked, its link. */
static void print_peer(const cJSON *peer)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(peer, "options"), *v, *e;
	const cJSON *link = cJSON_GetObjectItemCaseSensitive(peer, "link");

	if (!cJSON_IsObject(peer))
		return;
	printf("%-9s %s in %s", "peer", cli_esc(str(peer, "ifname")), cli_esc(str(peer, "target")));
	cJSON_ArrayForEach(v, o) if (cJSON_IsArray(v)) cJSON_ArrayForEach(e, v) if (cJSON_IsString(e))
		printf(" %s=%s", cli_esc(v->string), cli_esc(e->valuestring));
	if (link)
		printf(", ifindex %g, mac %s, mtu %g",
		       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(link, "ifindex")),
		       cli_esc(str(link, "mac")), cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(link, "mtu")));
	putchar('\n');
}

/* show: one record, a field a line. */
static void show_record(const cJSON *rec)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "options"), *v, *link;
	const char *reason = str(rec, "reason");

	printf("%-9s %s\n%-9s %s\n%-9s %s\n%-9s %s\n%-9s %s%s%s%s\n", "id", cli_esc(str(rec, "id")),
	       "target", cli_esc(str(rec, "target")), "kind", cli_esc(str(rec, "kind")), "ifname",
	       cli_esc(str(rec, "ifname")), "state", cli_esc(str(rec, "status")), *reason ? " (" : "",
	       cli_esc(reason), *reason ? ")" : "");
	printf("%-9s", "options");
	cJSON_ArrayForEach(v, o)
	{
		if (cJSON_IsString(v))
			printf(" %s=%s", cli_esc(v->string), cli_esc(v->valuestring));
		else if (cJSON_IsNumber(v))
			printf(" %s=%.15g", cli_esc(v->string), v->valuedouble);
		else if (cJSON_IsBool(v))
			printf(" %s=%s", cli_esc(v->string), cJSON_IsTrue(v) ? "on" : "off");
		else if (cJSON_IsArray(v)) {
			const cJSON *e;
			cJSON_ArrayForEach(e, v) if (cJSON_IsString(e)) printf(" %s=%s", cli_esc(v->string), cli_esc(e->valuestring));
		}
	}
	putchar('\n');
	print_host(cJSON_GetObjectItemCaseSensitive(rec, "host"));
	print_peer(cJSON_GetObjectItemCaseSensitive(rec, "peer"));
	link = cJSON_GetObjectItemCaseSensitive(rec, "link");
	if (link)
		printf("%-9s ifindex %g, mac %s, mtu %g\n", "link",
		       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(link, "ifindex")), cli_esc(str(link, "mac")),
		       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(link, "mtu")));
	{
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "dhcp"),
								  "lease");
		double left = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(l, "remaining"));
		if (l) {
			printf("%-9s %s from %s", "lease", cli_esc(str(l, "address")), cli_esc(str(l, "server")));
			if (*str(l, "router"))
				printf(", router %s", cli_esc(str(l, "router")));
			if (left < 0)
				printf(", never ends\n");
			else
				printf(", %.0f s of %.0f left\n", left,
				       cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(l, "lease")));
		} else if (cJSON_GetObjectItemCaseSensitive(rec, "dhcp")) {
			printf("%-9s none (released)\n", "lease");
		}
	}
	printf("%-9s %s\n", "created", cli_esc(str(rec, "created")));
}

/* reapply, ls and show share everything but their flags and how they print. */
static int run(const struct cli_cmd *cmd, int argc, char **argv, bool list)
{
	struct cnet_result *res = NULL;
	struct cnet_ctx *ctx;
	struct cli_args a;
	bool done;
	bool dry;
	int r;

	r = cli_start(cmd, argc, argv, &a, &done);
	if (done)
		return r;
	r = cli_ctx(cmd, &a, &ctx);
	if (r)
		return r;
	dry = list || cli_has(cmd, &a, "dry-run");
	r = cnet_reapply(ctx, a.pos, (size_t)a.n_pos, dry ? CNET_REAPPLY_DRY_RUN : 0, &res);
	if (r < 0)
		return cli_fail(ctx, r);
	if (r > 0) {
		r = cli_partial_records(res, r, "brought back");
	} else if (list && !strcmp(cmd->name, "show")) {
		cJSON *recs = cJSON_Parse(cnet_result_records_json(res)), *rec;
		if (cJSON_GetArraySize(recs) == 0) {
			cJSON_Delete(recs);
			cnet_result_free(res);
			cnet_ctx_free(ctx);
			return cli_usage_error_code(EXIT_TARGET, "nothing is recorded for '%s'", a.pos[0]);
		}
		if (cli_json) {
			r = cli_report(res, true, "");
		} else {
			cJSON_ArrayForEach(rec, recs)
			{
				show_record(rec);
				if (rec->next)
					putchar('\n');
			}
			r = EXIT_OK;
		}
		cJSON_Delete(recs);
	} else if (list && !cli_json) {
		cJSON *recs = cJSON_Parse(cnet_result_records_json(res)), *rec;
		printf("%-8s  %-24s  %-11s  %-15s  %s\n", "ID", "TARGET", "KIND", "IFNAME", "STATE");
		cJSON_ArrayForEach(rec, recs)
		{
			const char *reason =
				cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "reason"));
			printf("%-8s  %-24s  %-11s  %-15s  %s", cli_esc(str(rec, "id")),
			       cli_esc(str(rec, "target")), cli_esc(str(rec, "kind")),
			       cli_esc(str(rec, "ifname")), cli_esc(str(rec, "status")));
			if (reason && *reason)
				printf(" (%s)", cli_esc(reason));
			if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(rec, "peer")))
				printf(" [peer %s in %s]",
				       cli_esc(str(cJSON_GetObjectItemCaseSensitive(rec, "peer"), "ifname")),
				       cli_esc(str(cJSON_GetObjectItemCaseSensitive(rec, "peer"), "target")));
			if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(rec, "cni")))
				printf(" [CNI network %s, container %s]",
				       cli_esc(str(cJSON_GetObjectItemCaseSensitive(rec, "cni"), "network")),
				       cli_esc(str(cJSON_GetObjectItemCaseSensitive(rec, "cni"), "container")));
			putchar('\n');
		}
		cJSON_Delete(recs);
		r = EXIT_OK;
	} else if (!cli_json) {
		for (size_t i = 0; i < cnet_result_n_warnings(res); i++)
			fprintf(stderr, "cnet: warning: %s\n", cli_esc(cnet_result_warning(res, i)));
		for (size_t i = 0; i < cnet_result_n_actions(res); i++)
			printf("%s%s\n", dry && strncmp(cnet_result_action(res, i), "ok:", 3) ? "would repair: " : "",
			       cli_esc(cnet_result_action(res, i)));
		if (!dry)
			cli_log_result(res);
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

int cmd_show(const struct cli_cmd *cmd, int argc, char **argv)
{
	int n = 0;

	/* Exactly one target (help aside): count the positionals first. */
	for (int i = 1; i < argc; i++) {
		int idx = strncmp(argv[i], "--", 2) ? -1 : cli_opt_index(cmd, argv[i] + 2);
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return run(cmd, argc, argv, true);
		if (argv[i][0] != '-')
			n++;
		else if (idx >= 0 && cmd->opts[idx].arg)
			i++;
	}
	if (n != 1)
		return cli_usage_error("show needs exactly one TARGET (see 'cnet show --help')");
	return run(cmd, argc, argv, true);
}

int cmd_gc(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct cnet_result *res = NULL;
	struct cnet_ctx *ctx;
	struct cli_args a;
	bool done;
	bool dry;
	int r;

	r = cli_start(cmd, argc, argv, &a, &done);
	if (done)
		return r;
	if (a.n_pos)
		return cli_usage_error("unexpected argument '%s'", a.pos[0]);
	dry = cli_has(cmd, &a, "dry-run");
	if (!dry && !cli_has(cmd, &a, "yes"))
		return cli_usage_error("gc removes records: confirm with --yes, or list them with --dry-run");
	r = cli_ctx(cmd, &a, &ctx);
	if (r)
		return r;
	r = cnet_gc(ctx, (dry ? CNET_GC_DRY_RUN : 0) | (cli_has(cmd, &a, "force") ? CNET_GC_FORCE : 0),
		    &res);
	if (r < 0)
		return cli_fail(ctx, r);
	if (r > 0) {
		r = cli_partial_records(res, r, "cleaned up");
	} else if (!cli_json) {
		for (size_t i = 0; i < cnet_result_n_warnings(res); i++)
			fprintf(stderr, "cnet: warning: %s\n", cli_esc(cnet_result_warning(res, i)));
		for (size_t i = 0; i < cnet_result_n_actions(res); i++)
			printf("%s%s\n", dry ? "would remove: " : "", cli_esc(cnet_result_action(res, i)));
		if (!dry)
			cli_log_result(res);
		r = EXIT_OK;
	} else {
		r = cli_report(res, dry, "");
	}
	cnet_result_free(res);
	cnet_ctx_free(ctx);
	return r;
}
