/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cnet watch: cnet_watch() with its reports printed (--json: each as it
 * comes, one a line; else a line for each thing done) and, run by systemd,
 * logged. SIGTERM and SIGINT stop it between jobs, never within one.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <cjson/cJSON.h>

#include "cli.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *str(const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return s ? s : "";
}

/* "podman start web: repaired: macvlan eth1 in podman:web: ..." */
static void say(const char *report)
{
	cJSON *o = cJSON_Parse(report);
	const cJSON *v;
	const char *engine = str(o, "engine"), *event = str(o, "event"), *name = str(o, "name");
	char head[320];

	snprintf(head, sizeof(head), "%s %s%s%s", engine, event, *name ? " " : "", name);
	if (!strcmp(event, "connected") || !strcmp(event, "disconnected"))
		cli_log_line(*str(o, "error") ? LOG_WARNING : LOG_INFO, "%s%s%s", cli_esc(head),
			     *str(o, "error") ? ": " : "", cli_esc(str(o, "error")));
	else if (*str(o, "error"))
		cli_log_line(LOG_ERR, "%s: %s", cli_esc(head), cli_esc(str(o, "error")));
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(o, "actions"))
	{
		cli_log_line(LOG_INFO, "%s: %s", cli_esc(head), cli_esc(cJSON_GetStringValue(v)));
	}
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(o, "warnings"))
	{
		cli_log_line(LOG_WARNING, "%s: warning: %s", cli_esc(head), cli_esc(cJSON_GetStringValue(v)));
	}
	cJSON_Delete(o);
}

static int on_report(void *userdata, const char *report)
{
	(void)userdata;
	if (report && cli_json) {
		printf("%s\n", report);
		fflush(stdout);
	}
	if (report)
		say(report);
	return stop ? 1 : 0;
}

int cmd_watch(const struct cli_cmd *cmd, int argc, char **argv)
{
	const char *engines[2];
	struct cnet_ctx *ctx;
	struct sigaction sa = {.sa_handler = on_signal};
	struct cli_args a;
	size_t n = 0;
	bool done;
	int r, opt;

	r = cli_start(cmd, argc, argv, &a, &done);
	if (done)
		return r;
	if (a.n_pos)
		return cli_usage_error("watch takes no arguments");
	opt = cli_opt_index(cmd, "engine");
	for (int i = 0; i < a.n_vals; i++) {
		if (a.val_opt[i] != opt)
			continue;
		if (strcmp(a.vals[i], "docker") && strcmp(a.vals[i], "podman"))
			return cli_usage_error("invalid --engine '%s' (docker or podman)", a.vals[i]);
		if (n == 2 || (n == 1 && !strcmp(engines[0], a.vals[i])))
			return cli_usage_error("--engine '%s' given twice", a.vals[i]);
		engines[n++] = a.vals[i];
	}
	r = cli_ctx(cmd, &a, &ctx);
	if (r)
		return r;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	r = cnet_watch(ctx, engines, n, on_report, NULL);
	if (r < 0)
		return cli_fail(ctx, r);
	cnet_ctx_free(ctx);
	return EXIT_OK;
}
