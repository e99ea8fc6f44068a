/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pipework route|rule GUEST ARGS: pipework ran "ip route ARGS" and "ip
 * rule ARGS" in the container. cnet runs no other program: the words ip
 * takes for the common forms are read here, and the route or rule is kept
 * with the attachment it goes through (cnet_route_change,
 * cnet_rule_change), so that reapply puts it back.
 *
 *   route add|append|replace|change|del|delete [to] DEST [via GW] [dev IF]
 *         [metric|priority|preference N] [table N]
 *   rule  add|del|delete [from PREFIX|all] [to PREFIX|all]
 *         table|lookup N [priority|preference|pref|order N]
 *   tc    qdisc add|replace|change dev IF root tbf rate R burst B [latency L]
 *         qdisc del dev IF root
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

struct l3 {
	const char *op_word;
	int op;
	char spec[256];
	const char *dev;
};

static const struct {
	const char *word;
	int op;
} ops[] = {
	{"add", CNET_CHANGE_ADD},	  {"append", CNET_CHANGE_ADD}, {"replace", CNET_CHANGE_REPLACE},
	{"change", CNET_CHANGE_REPLACE}, {"del", CNET_CHANGE_DEL},    {"delete", CNET_CHANGE_DEL},
};

/* An address without a prefix is a host, as ip reads it. */
static void prefix(char *dst, size_t len, const char *s)
{
	snprintf(dst, len, "%s%s", s, strchr(s, '/') || !strcmp(s, "default") ? "" : strchr(s, ':') ? "/128" : "/32");
}

static int append(struct l3 *l, const char *fmt, const char *v)
{
	size_t n = strlen(l->spec);

	if ((size_t)snprintf(l->spec + n, sizeof(l->spec) - n, fmt, v) >= sizeof(l->spec) - n)
		return cli_usage_error_code(1, "pipework: '%s' is too long", cli_esc(v));
	return 0;
}

/* ip route's words into DEST[@VIA][,metric=N][,table=N] */
static int route_words(struct l3 *l, int argc, char **argv)
{
	char dest[128] = "", via[128] = "", metric[32] = "", table[32] = "";
	int r;

	for (int i = 0; i < argc && argv[i]; i++) {
		const char *w = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *slot = !strcmp(w, "via") ? via
			     : !strcmp(w, "metric") || !strcmp(w, "priority") || !strcmp(w, "preference") ? metric
			     : !strcmp(w, "table") ? table
			     : NULL;
		if (!strcmp(w, "dev") && v) {
			l->dev = v;
			i++;
		} else if (slot && v) {
			snprintf(slot, slot == via ? sizeof(via) : sizeof(metric), "%s", v);
			i++;
		} else if (!*dest && (strcmp(w, "to") || !v)) {
			prefix(dest, sizeof(dest), w);
		} else if (!*dest) {
			prefix(dest, sizeof(dest), v);
			i++;
		} else {
			return cli_usage_error_code(1, "pipework route: '%s' is not taken (cnet takes a destination, via, dev, metric and table)",
						    cli_esc(w));
		}
	}
	if (!*dest)
		return cli_usage_error_code(1, "pipework route %s: no destination", l->op_word);
	if (!strcmp(dest, "default") && !*via)
		snprintf(dest, sizeof(dest), "0.0.0.0/0"); /* ip's default is IPv4's without -6 */
	r = append(l, "%s", dest);
	if (r == 0 && *via)
		r = append(l, "@%s", via);
	if (r == 0 && *metric)
		r = append(l, ",metric=%s", metric);
	if (r == 0 && *table)
		r = append(l, ",table=%s", table);
	return r;
}

/* ip rule's words into from=P,to=P,table=N,priority=N */
static int rule_words(struct l3 *l, int argc, char **argv)
{
	static const struct {
		const char *word, *key;
	} keys[] = {
		{"from", "from="}, {"to", "to="}, {"table", "table="}, {"lookup", "table="},
		{"priority", "priority="}, {"preference", "priority="}, {"pref", "priority="}, {"order", "priority="},
	};
	char buf[128];
	int r = 0;

	for (int i = 0; i < argc && r == 0; i += 2) {
		size_t k = 0;
		while (k < sizeof(keys) / sizeof(keys[0]) && strcmp(argv[i], keys[k].word))
			k++;
		if (k == sizeof(keys) / sizeof(keys[0]) || i + 1 >= argc)
			return cli_usage_error_code(1, "pipework rule: '%s' is not taken (cnet takes from, to, table and priority)",
						    cli_esc(argv[i]));
		if (!strcmp(argv[i + 1], "all") && (!strcmp(keys[k].key, "from=") || !strcmp(keys[k].key, "to=")))
			continue; /* from all, to all: no selector */
		if (!strcmp(keys[k].key, "from=") || !strcmp(keys[k].key, "to="))
			prefix(buf, sizeof(buf), argv[i + 1]);
		else
			snprintf(buf, sizeof(buf), "%s", argv[i + 1]);
		r = append(l, *l->spec ? ",%s" : "%s", keys[k].key);
		if (r == 0)
			r = append(l, "%s", buf);
	}
	return r;
}

/* tc's size units (get_size): bytes, k/kb/m/mb of 1024, and bits */
static int tc_size(const char *s, char *out, size_t len)
{
	static const struct {
		const char *unit;
		unsigned long long mul, div;
	} units[] = {{"", 1, 1},	 {"b", 1, 1},	   {"k", 1024, 1},    {"kb", 1024, 1},
		     {"m", 1048576, 1}, {"mb", 1048576, 1}, {"bit", 1, 8},    {"kbit", 1024, 8},
		     {"mbit", 1048576, 8}};
	unsigned long long n;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	n = strtoull(s, &end, 10);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcasecmp(end, units[i].unit) && n < (1ULL << 40)) {
			snprintf(out, len, "%llu", n * units[i].mul / units[i].div);
			return 0;
		}
	return -1;
}

/* tc qdisc add|replace|change dev IF root tbf rate R burst B [latency L]
 * [limit N]: the attachment's egress limit; tc qdisc del dev IF root: none.
 * The rest of tc is not cnet's. */
static int tc_words(int argc, char **argv, const char **dev, const char **rate, char burst[32], bool *del)
{
	int i = 2;

	*del = argc >= 2 && (!strcmp(argv[1], "del") || !strcmp(argv[1], "delete"));
	if (argc < 5 || strcmp(argv[0], "qdisc") ||
	    (!*del && strcmp(argv[1], "add") && strcmp(argv[1], "replace") && strcmp(argv[1], "change")) ||
	    strcmp(argv[2], "dev") || strcmp(argv[4], "root"))
		return -1;
	*dev = argv[3];
	i = 5;
	if (*del)
		return i == argc || (i + 1 == argc && !strcmp(argv[i], "tbf")) ? 0 : -1;
	if (i >= argc || strcmp(argv[i++], "tbf"))
		return -1;
	for (; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "rate"))
			*rate = argv[i + 1];
		else if ((!strcmp(argv[i], "burst") || !strcmp(argv[i], "buffer") || !strcmp(argv[i], "maxburst")) &&
			 tc_size(argv[i + 1], burst, 32) == 0)
			;
		else if (strcmp(argv[i], "latency") && strcmp(argv[i], "limit"))
			return -1; /* peakrate, mtu, ...: not cnet's tbf */
	}
	return i == argc && *rate && *burst ? 0 : -1;
}

/* What a line asks of the library: a route, a rule, or (tc) an egress limit. */
struct call {
	enum { CALL_ROUTE, CALL_RULE, CALL_TC } what;
	int op;
	const char *dev, *spec, *rate, *burst;
};

/* cnet's options before pipework's words, the library's change, its
 * report: pipework's exit code. */
static int run_call(const struct cli_cmd *cmd, char **argv, int n_opts, const char *target, const struct call *c)
{
	struct cnet_result *res = NULL;
	struct cnet_ctx *ctx = NULL;
	struct cli_args a;
	unsigned int flags;
	int r = cli_parse(cmd, n_opts + 1, argv, &a);

	if (r == 0)
		r = cli_ctx(cmd, &a, &ctx);
	if (r)
		return r == EXIT_USAGE ? 1 : 2;
	flags = cli_has(cmd, &a, "dry-run") ? CNET_CHANGE_DRY_RUN : 0;
	r = c->what == CALL_TC ? cnet_limit_change(ctx, target, c->dev, CNET_LIMIT_EGRESS, c->rate, c->burst, flags, &res)
	    : c->what == CALL_RULE ? cnet_rule_change(ctx, target, c->dev, c->op, c->spec, flags, &res)
				   : cnet_route_change(ctx, target, c->dev, c->op, c->spec, flags, &res);
	if (r < 0)
		return cli_pipework_code(cli_fail(ctx, r));
	r = cli_report(res, flags != 0, cnet_result_n_actions(res) ? cnet_result_action(res, 0) : "");
	cnet_result_free(res);
	cnet_ctx_free(ctx);
	return cli_pipework_code(r);
}

/* The words of `pipework route|rule GUEST ...`, cnet's options before
 * them in opts (argv[0] the command's name). */
int cli_pipework_l3(const struct cli_cmd *cmd, int argc, char **argv, int n_opts)
{
	struct l3 l = {0};
	bool rule = !strcmp(argv[n_opts + 1], "rule");
	const char *guest = n_opts + 2 < argc ? argv[n_opts + 2] : NULL;
	struct call c = {.what = rule ? CALL_RULE : CALL_ROUTE};
	char target[300], burst[32] = "";
	bool del;
	int r, i = n_opts + 3;

	if (!guest || i >= argc)
		return cli_usage_error_code(1, "pipework %s GUEST ...: give the container and the %s's words",
					    argv[n_opts + 1], argv[n_opts + 1]);
	snprintf(target, sizeof(target), "container:%s", guest);
	if (!strcmp(argv[n_opts + 1], "tc")) {
		if (tc_words(argc - i, argv + i, &c.dev, &c.rate, burst, &del) < 0)
			return cli_usage_error_code(1, "pipework tc: cnet takes 'qdisc add|replace dev IF root tbf rate R burst B [latency L]' and 'qdisc del dev IF root' (the attachment's --egress-rate); not netem, htb, filters or the rest of tc");
		c.what = CALL_TC;
		c.rate = del ? NULL : c.rate;
		c.burst = del ? NULL : burst;
		return run_call(cmd, argv, n_opts, target, &c);
	}
	l.op_word = argv[i];
	for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		if (!strcmp(l.op_word, ops[k].word))
			l.op = ops[k].op;
	if (!l.op)
		return cli_usage_error_code(1, "pipework %s: '%s' is not taken (add, replace or del)", argv[n_opts + 1],
					    cli_esc(l.op_word));
	r = rule ? rule_words(&l, argc - i - 1, argv + i + 1) : route_words(&l, argc - i - 1, argv + i + 1);
	if (r)
		return r;
	c.op = l.op;
	c.dev = l.dev;
	c.spec = l.spec;
	return run_call(cmd, argv, n_opts, target, &c);
}
