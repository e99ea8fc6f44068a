/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parsing, help and output shared by every subcommand. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"

#define JSON_SCHEMA 1

bool cli_json;
bool cli_dry_run;
const char *cli_command = "cnet";

int cli_opt_index(const struct cli_cmd *cmd, const char *name)
{
	for (int i = 0; cmd->opts[i].name; i++)
		if (!strcmp(cmd->opts[i].name, name))
			return i;
	return -1;
}

int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, struct cli_args *a)
{
	bool opts_done = false;

	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i], *eq, *val = NULL;
		const struct cli_opt *o;
		char name[64];
		int idx;

		if (!opts_done && !strcmp(s, "--")) {
			opts_done = true;
			continue;
		}
		if (opts_done || s[0] != '-' || !s[1]) {
			if (a->n_pos == MAX_POS)
				return cli_usage_error("unexpected argument '%s'", s);
			a->pos[a->n_pos++] = s;
			continue;
		}
		if (!strcmp(s, "-h"))
			s = "--help";
		if (s[1] != '-')
			return cli_usage_error("unknown option '%s' (options are spelled --name)", s);
		eq = strchr(s + 2, '=');
		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - s - 2) : (int)strlen(s + 2), s + 2);
		/* Exact names only: an abbreviation that works today breaks the
		 * day an option with the same prefix is added. */
		idx = cli_opt_index(cmd, name);
		if (idx < 0)
			return cli_usage_error("unknown option '--%s' for '%s' (see 'cnet %s --help')", name,
					       cmd->name, cmd->name);
		if (idx >= MAX_OPTS)
			return cli_usage_error("--%s: the option table outgrew MAX_OPTS", name);
		o = &cmd->opts[idx];
		if (o->arg) {
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return cli_usage_error("--%s needs a value (%s)", o->name, o->arg);
		} else if (eq) {
			return cli_usage_error("--%s takes no value", o->name);
		}
		if (a->set[idx] && !o->repeat)
			return cli_usage_error("--%s given twice", o->name);
		a->set[idx] = true;
		if (val) {
			if (a->n_vals == MAX_VALS)
				return cli_usage_error("too many options");
			a->val_opt[a->n_vals] = idx;
			a->vals[a->n_vals++] = val;
		}
		if (!strcmp(o->name, "dry-run"))
			cli_dry_run = true;
	}
	return 0;
}

int cli_start(const struct cli_cmd *cmd, int argc, char **argv, struct cli_args *a, bool *done)
{
	int r = cli_parse(cmd, argc, argv, a);

	*done = true;
	if (r)
		return r;
	if (cli_has(cmd, a, "help")) {
		cli_help(cmd);
		return EXIT_OK;
	}
	*done = false;
	return 0;
}

const char *cli_get(const struct cli_cmd *cmd, const struct cli_args *a, const char *name)
{
	int idx = cli_opt_index(cmd, name);

	for (int i = a->n_vals - 1; idx >= 0 && i >= 0; i--)
		if (a->val_opt[i] == idx)
			return a->vals[i];
	return NULL;
}

bool cli_has(const struct cli_cmd *cmd, const struct cli_args *a, const char *name)
{
	int idx = cli_opt_index(cmd, name);

	return idx >= 0 && idx < MAX_OPTS && a->set[idx];
}

const char *cli_kinds(const char *last)
{
	static char buf[256];
	const char *name, *sep;
	size_t n = 0;

	buf[0] = '\0';
	for (int k = 1; (name = cnet_kind_to_string(k)); k++) {
		sep = k == 1 ? "" : cnet_kind_to_string(k + 1) ? ", " : last;
		if (n < sizeof(buf))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", sep, name);
	}
	return buf;
}

void cli_help(const struct cli_cmd *cmd)
{
	printf("Usage: cnet %s\n\n%s\n\nOptions:\n", cmd->usage, cmd->summary);
	for (const struct cli_opt *o = cmd->opts; o->name; o++) {
		char left[48];
		snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		printf("  %-24s %s\n", left, o->help);
	}
}

const char *cli_esc(const char *s)
{
	static char bufs[16][4096];
	static unsigned int turn;
	char *out = bufs[turn++ % (sizeof(bufs) / sizeof(bufs[0]))];
	size_t n = 0;

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (n + 4 + sizeof("...") > sizeof(bufs[0])) { /* room for \xNN, else "..." */
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		if (c >= 0x20 && c < 0x7f)
			out[n++] = (char)c;
		else
			n += (size_t)snprintf(out + n, 5, "\\x%02x", c);
	}
	out[n] = '\0';
	return out;
}

static void json_print(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);

	if (s) {
		puts(s);
		free(s);
	}
	cJSON_Delete(o);
}

static cJSON *envelope(bool ok, bool changed)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "schema", JSON_SCHEMA);
	cJSON_AddStringToObject(o, "command", cli_command);
	cJSON_AddBoolToObject(o, "ok", ok);
	cJSON_AddBoolToObject(o, "changed", changed);
	cJSON_AddBoolToObject(o, "dry_run", cli_dry_run);
	return o;
}

/* Run from cron or a timer (no terminal on stdin or stderr), cnet says
 * what it did, one line per action, to syslog (the journal takes it from
 * there). CNET_LOG=syslog forces it, CNET_LOG=off stops it. */
static bool log_on;

void cli_log_init(void)
{
	const char *e = getenv("CNET_LOG");

	if (e && (!strcmp(e, "off") || !strcmp(e, "0")))
		return;
	if ((e && !strcmp(e, "syslog")) || (!isatty(STDIN_FILENO) && !isatty(STDERR_FILENO))) {
		openlog("cnet", LOG_PID, LOG_DAEMON);
		log_on = true;
	}
}

/* What a command changed: its actions (reapply's "ok" ones are no news)
 * and warnings. Dry runs and listings log nothing. */
void cli_log_result(struct cnet_result *res)
{
	if (!log_on)
		return;
	for (size_t i = 0; i < cnet_result_n_actions(res); i++)
		if (strncmp(cnet_result_action(res, i), "ok: ", 4))
			syslog(LOG_INFO, "%s: %s", cli_command, cli_esc(cnet_result_action(res, i)));
	for (size_t i = 0; i < cnet_result_n_warnings(res); i++)
		syslog(LOG_WARNING, "%s: warning: %s", cli_command, cli_esc(cnet_result_warning(res, i)));
}

void cli_log_line(int prio, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): started just above */
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* under systemd both would reach the journal: syslog alone */
	if (log_on)
		syslog(prio, "%s: %s", cli_command, line);
	else if (!cli_json)
		fprintf(prio <= LOG_WARNING ? stderr : stdout, "%s\n", line);
	fflush(stdout);
}

static int report_error(const char *msg, int code)
{
	fprintf(stderr, "cnet: %s\n", cli_esc(msg));
	if (log_on)
		syslog(LOG_ERR, "%s: %s", cli_command, cli_esc(msg));
	if (cli_json) {
		cJSON *o = envelope(false, false), *e;
		cJSON_AddArrayToObject(o, "records");
		cJSON_AddArrayToObject(o, "actions");
		cJSON_AddArrayToObject(o, "warnings");
		e = cJSON_AddObjectToObject(o, "error");
		cJSON_AddStringToObject(e, "message", msg);
		cJSON_AddNumberToObject(e, "exit_code", code);
		json_print(o);
	}
	return code;
}

static int verror(int code, const char *fmt, va_list ap)
{
	char msg[512];

	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): the caller started ap */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	return report_error(msg, code);
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = verror(EXIT_USAGE, fmt, ap);
	va_end(ap);
	return r;
}

int cli_usage_error_code(int code, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = verror(code, fmt, ap);
	va_end(ap);
	return r;
}

int cli_exit_code(struct cnet_ctx *ctx)
{
	switch (cnet_ctx_errclass(ctx)) {
	case CNET_ERR_INVALID:
		return EXIT_USAGE;
	case CNET_ERR_TARGET:
		return EXIT_TARGET;
	case CNET_ERR_BUSY:
		return EXIT_BUSY;
	case CNET_ERR_MISSING:
		return EXIT_MISSING;
	case CNET_ERR_STORE:
		return EXIT_STORE;
	default:
		return EXIT_FAIL;
	}
}

int cli_fail(struct cnet_ctx *ctx, int r)
{
	const char *msg = ctx ? cnet_ctx_errmsg(ctx) : "";
	int code = ctx ? cli_exit_code(ctx) : EXIT_FAIL;

	if (!*msg)
		msg = strerror(-r);
	code = report_error(msg, code);
	cnet_ctx_free(ctx);
	return code;
}

/* Warnings on stderr; with --json, the one object for a result: error is
 * NULL on success, else the message of a partial failure (EXIT_PARTIAL). */
static void result_out(struct cnet_result *res, const char *error)
{
	cJSON *o, *a, *e, *recs;

	for (size_t i = 0; i < cnet_result_n_warnings(res); i++)
		fprintf(stderr, "cnet: warning: %s\n", cli_esc(cnet_result_warning(res, i)));
	if (!cli_json)
		return;
	o = envelope(!error, cnet_result_changed(res));
	recs = cJSON_Parse(cnet_result_records_json(res));
	cJSON_AddItemToObject(o, "records", recs ? recs : cJSON_CreateArray());
	a = cJSON_AddArrayToObject(o, "actions");
	for (size_t i = 0; i < cnet_result_n_actions(res); i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(cnet_result_action(res, i)));
	a = cJSON_AddArrayToObject(o, "warnings");
	for (size_t i = 0; i < cnet_result_n_warnings(res); i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(cnet_result_warning(res, i)));
	if (error) {
		e = cJSON_AddObjectToObject(o, "error");
		cJSON_AddStringToObject(e, "message", error);
		cJSON_AddNumberToObject(e, "exit_code", EXIT_PARTIAL);
	} else {
		cJSON_AddNullToObject(o, "error");
	}
	json_print(o);
}

int cli_report(struct cnet_result *res, bool dry_run, const char *summary)
{
	size_t n = cnet_result_n_actions(res);

	result_out(res, NULL);
	if (!dry_run && cnet_result_changed(res))
		cli_log_result(res);
	if (cli_json) {
	} else if (dry_run) {
		for (size_t i = 0; i < n; i++)
			printf("would %s\n", cli_esc(cnet_result_action(res, i)));
		if (!cnet_result_changed(res))
			printf("nothing to do: %s\n", n ? cli_esc(cnet_result_action(res, 0)) : "no change");
	} else if (!cnet_result_changed(res)) {
		printf("unchanged: %s\n", n ? cli_esc(cnet_result_action(res, 0)) : "nothing to do");
	} else if (*summary) {
		printf("%s\n", cli_esc(summary));
	}
	return EXIT_OK;
}

static void debug_log(void *userdata, const char *line)
{
	(void)userdata;
	fprintf(stderr, "cnet: debug: %s\n", cli_esc(line));
}

int cli_partial_records(struct cnet_result *res, int n, const char *what)
{
	char msg[96];

	snprintf(msg, sizeof(msg), "%d record%s could not be %s (see above)", n, n == 1 ? "" : "s",
		 what);
	return cli_partial(res, msg);
}

int cli_partial(struct cnet_result *res, const char *msg)
{
	result_out(res, msg);
	cli_log_result(res);
	for (size_t i = 0; !cli_json && i < cnet_result_n_actions(res); i++)
		printf("%s\n", cli_esc(cnet_result_action(res, i)));
	fprintf(stderr, "cnet: %s\n", cli_esc(msg));
	return EXIT_PARTIAL;
}

int cli_ctx(const struct cli_cmd *cmd, const struct cli_args *a, struct cnet_ctx **ctx)
{
	const char *state = cli_get(cmd, a, "state");
	const char *wait = cli_get(cmd, a, "wait");
	unsigned long secs;
	char *end;
	int r;

	r = cnet_ctx_new(ctx);
	if (r < 0) {
		*ctx = NULL;
		return cli_fail(NULL, r);
	}
	if (getenv("CNET_DEBUG"))
		cnet_ctx_set_log_fn(*ctx, debug_log, NULL);
	if (state && (r = cnet_ctx_set_state_path(*ctx, state)) < 0)
		return cli_fail(*ctx, r);
	if (wait) {
		secs = strtoul(wait, &end, 10);
		if (!*wait || *wait == '-' || *wait == '+' || *end || secs > 86400) {
			cnet_ctx_free(*ctx);
			*ctx = NULL;
			return cli_usage_error("invalid --wait '%s' (whole seconds, 0-86400)", wait);
		}
		cnet_ctx_set_lock_timeout(*ctx, (unsigned int)secs * 1000);
	}
	return 0;
}

int cli_uint(const char *s, unsigned long max, unsigned long *out)
{
	/* 64 bits on every build: ten digits never wrap it (an unsigned long
	 * of 32 bits turned 4294967297 into 1) */
	unsigned long long v = 0;

	if (!s || !*s || strlen(s) > 10)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long long)(*s - '0');
	}
	if (v > max)
		return -ERANGE;
	*out = (unsigned long)v;
	return 0;
}
