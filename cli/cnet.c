/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cnet: the command table, help, and dispatch. Exact names only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"

static const struct cli_opt detach_opts[] = {
	{"ifname", "NAME", false, 0, NULL, "only this interface (default: every one recorded)"},
	{"force", NULL, false, 0, NULL, "also what a CNI runtime owns (left to the runtime without it)"},
	COMMON_OPTS,
	{0},
};

static const struct cli_opt dhcp_opts[] = {
	{"ifname", "NAME", false, 0, NULL, "only this interface (default: every --ip dhcp one recorded)"},
	{"json", NULL, false, 0, NULL, "print one JSON object on stdout"},
	{"state", "PATH", false, 0, NULL, "state store (default /var/lib/cnet/state.json)"},
	{"wait", "SEC", false, 0, NULL, "wait this long for the store's lock (default 30)"},
	{"help", NULL, false, 0, NULL, "show this help"},
	{0},
};

static const struct cli_opt reapply_opts[] = {
	COMMON_OPTS,
	{0},
};

static const struct cli_opt ls_opts[] = {
	{"json", NULL, false, 0, NULL, "print one JSON object on stdout"},
	{"state", "PATH", false, 0, NULL, "state store (default /var/lib/cnet/state.json)"},
	{"wait", "SEC", false, 0, NULL, "wait this long for the store's lock (default 30)"},
	{"help", NULL, false, 0, NULL, "show this help"},
	{0},
};

static const struct cli_opt gc_opts[] = {
	{"yes", NULL, false, 0, NULL, "really remove them (gc refuses without --yes or --dry-run)"},
	{"force", NULL, false, 0, NULL, "also what a CNI runtime owns (left to the runtime without it)"},
	COMMON_OPTS,
	{0},
};

static const struct cli_opt vf_opts[] = {
	{"count", "N", false, 0, NULL, "enable: how many VFs the PF gets"},
	COMMON_OPTS,
	{0},
};

/* No --dry-run: check is the look without writing. check takes no lock, so
 * --wait only matters to compact. */
static const struct cli_opt store_opts[] = {
	{"json", NULL, false, 0, NULL, "print one JSON object on stdout"},
	{"state", "PATH", false, 0, NULL, "state store (default /var/lib/cnet/state.json)"},
	{"wait", "SEC", false, 0, NULL, "compact: wait this long for the store's lock (default 30)"},
	{"help", NULL, false, 0, NULL, "show this help"},
	{0},
};

static const struct cli_opt hook_opts[] = {
	{"json", NULL, false, 0, NULL, "print one JSON object on stdout"},
	{"state", "PATH", false, 0, NULL, "state store (default /var/lib/cnet/state.json)"},
	{"wait", "SEC", false, 0, NULL, "wait this long for the store's lock (default 5)"},
	{"help", NULL, false, 0, NULL, "show this help"},
	{0},
};

static const struct cli_opt watch_opts[] = {
	{"engine", "NAME", true, 0, NULL, "docker or podman (default: both; repeat)"},
	{"json", NULL, false, 0, NULL, "print one JSON object a line for each action"},
	{"state", "PATH", false, 0, NULL, "state store (default /var/lib/cnet/state.json)"},
	{"wait", "SEC", false, 0, NULL, "wait this long for the store's lock (default 30)"},
	{"help", NULL, false, 0, NULL, "show this help"},
	{0},
};

static const struct cli_opt pipework_opts[] = {
	{"direct-phys", NULL, false, 0, NULL, "move HOSTIF itself into the container (first word only)"},
	{"timeout", "SEC", false, 0, NULL, "--wait: give up after SEC seconds (default: wait on)"},
	{"json", NULL, false, 0, NULL, "print one JSON object on stdout (before pipework's words)"},
	{"dry-run", NULL, false, 0, NULL, "change nothing; say what would be done (before pipework's words)"},
	{"state", "PATH", false, 0, NULL, "state store (default /var/lib/cnet/state.json)"},
	{"help", NULL, false, 0, NULL, "show this help"},
	{0},
};

static const struct cli_opt no_opts[] = {{0}};

static int cmd_help(const struct cli_cmd *cmd, int argc, char **argv);
static int cmd_version(const struct cli_cmd *cmd, int argc, char **argv);

const struct cli_cmd cli_cmds[] = {
	{"attach", cmd_attach, "attach TARGET KIND [OPTIONS]",
	 "put an interface into a container's network namespace and address it", cli_attach_opts},
	{"detach", cmd_detach, "detach TARGET [--ifname NAME] [OPTIONS]",
	 "undo attachments and give the host back what it lent", detach_opts},
	{"reapply", cmd_reapply, "reapply [TARGET...] [OPTIONS]",
	 "bring recorded attachments back after restarts, reboots or drift", reapply_opts},
	{"ls", cmd_ls, "ls [TARGET...] [OPTIONS]", "list recorded attachments and their live state",
	 ls_opts},
	{"show", cmd_show, "show TARGET [OPTIONS]",
	 "show what is recorded for one target, and its live state", ls_opts},
	{"gc", cmd_gc, "gc --yes|--dry-run [OPTIONS]",
	 "undo and drop the records of containers that no longer exist", gc_opts},
	{"vf", cmd_vf, "vf enable PF --count N | vf disable PF | vf ls [PF] [OPTIONS]",
	 "SR-IOV: set a PF's VF count, or list VFs and their settings", vf_opts},
	{"dhcp", cmd_dhcp, "dhcp renew|release TARGET [--ifname NAME] [OPTIONS]",
	 "renew or release the DHCP leases of a target's attachments now", dhcp_opts},
	{"store", cmd_store, "store check|compact [OPTIONS]",
	 "verify the state store, or fold its journal into the snapshot now", store_opts},
	{"watch", cmd_watch, "watch [--engine NAME]... [OPTIONS]",
	 "follow Docker's and Podman's events: a restarted container gets its interfaces back at once",
	 watch_opts},
	{"hook", cmd_hook, "hook [OPTIONS] < STATE",
	 "OCI hook (createRuntime): bring a container's interfaces back before it starts", hook_opts},
	{"pipework", cmd_pipework,
	 "pipework [--direct-phys] HOSTIF [-i CIF] [-l LIF] [-a 4|6] GUEST IPSPEC [MAC][@VID]\n"
	 "       cnet pipework --wait [-i CIF] [--timeout SEC]",
	 "pipework's command lines, each a recorded attachment (also run as 'pipework'; cnet-pipework(8))",
	 pipework_opts},
	{"help", cmd_help, "help [COMMAND]", "show help for cnet or one command", no_opts},
	{"version", cmd_version, "version", "show the version", no_opts},
	{0},
};

static const struct cli_cmd *find_cmd(const char *name)
{
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: cnet COMMAND [ARGS]\n\nCommands:\n");
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->summary);
	fprintf(f, "\nTargets: pid:PID, netns:NAME, docker:NAME, podman:NAME, container:NAME, /path/to/netns,\n"
		   "  or NAME (a named netns, a PID, or a container)\n"
		   "Kinds: %s\n"
		   "'cnet COMMAND --help' shows a command's options; cnet(8) has the rest.\n",
		   cli_kinds(", "));
}

static int cmd_help(const struct cli_cmd *cmd, int argc, char **argv)
{
	const struct cli_cmd *c;

	(void)cmd;
	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	c = find_cmd(argv[1]);
	if (!c)
		return cli_usage_error("unknown command '%s' (see 'cnet help')", argv[1]);
	cli_help(c);
	return EXIT_OK;
}

static int cmd_version(const struct cli_cmd *cmd, int argc, char **argv)
{
	(void)cmd;
	if (argc > 1)
		return cli_usage_error("unexpected argument '%s'", argv[1]);
	printf("cnet %s\n", cnet_version());
	return EXIT_OK;
}

#ifndef CNET_NO_MAIN /* the command-line fuzz target has its own main */
/* For tests and completions: every option of every command, from the very
 * table the parser uses. Not for people; output format: "COMMAND --OPTION". */
static int list_options(void)
{
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		for (const struct cli_opt *o = c->opts; o->name; o++)
			printf("%s --%s\n", c->name, o->name);
	return EXIT_OK;
}

/* The rest of f, NUL-terminated (at most 256 MiB), or NULL; closes f. */
static char *slurp(FILE *f)
{
	size_t n = 0, cap = 1 << 16;
	char *buf = f ? malloc(cap) : NULL, *p;

	while (buf) {
		n += fread(buf + n, 1, cap - n - 1, f);
		buf[n] = '\0';
		if (n < cap - 1 || cap >= 1u << 28)
			break;
		p = realloc(buf, cap * 2);
		if (!p) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = p;
		cap *= 2;
	}
	if (f)
		fclose(f);
	return buf;
}

/* The store's records for completions, without the library's checks: the
 * snapshot's, with the journal's puts and deletes replayed over them
 * (cnet(8), FILES). The journal is opened first, as the library's readers
 * do: a compaction in between then only replays entries already folded.
 * Best effort: the first journal line that does not parse ends the replay,
 * as a torn tail would; the CRCs are not checked. */
static cJSON *store_records(const char *path)
{
	char jpath[4096], *buf, *jbuf, *line, *nl;
	FILE *jf = (size_t)snprintf(jpath, sizeof(jpath), "%s.journal", path) < sizeof(jpath)
			   ? fopen(jpath, "re")
			   : NULL;
	cJSON *st, *recs;

	buf = slurp(fopen(path, "re"));
	jbuf = slurp(jf); /* a string: it ends at the first NUL, the preallocated rest */
	st = buf ? cJSON_Parse(buf) : NULL;
	recs = cJSON_GetObjectItemCaseSensitive(st, "records");
	free(buf);
	line = cJSON_IsArray(recs) && jbuf && !strncmp(jbuf, "cnet-journal 1\n", 15) ? jbuf + 15 : NULL;
	for (; line && (nl = strchr(line, '\n')) && nl - line > 9 && line[8] == ' '; line = nl + 1) {
		cJSON *e, *put, *r;
		const char *id;
		int i = 0;

		*nl = '\0';
		e = cJSON_Parse(line + 9);
		if (!e)
			break;
		put = cJSON_DetachItemFromObjectCaseSensitive(e, "put");
		id = cJSON_GetStringValue(put ? cJSON_GetObjectItemCaseSensitive(put, "id")
					      : cJSON_GetObjectItemCaseSensitive(e, "del"));
		cJSON_ArrayForEach(r, recs)
		{
			const char *rid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "id"));
			if (id && rid && !strcmp(id, rid))
				break;
			i++;
		}
		if (put && r)
			cJSON_ReplaceItemInArray(recs, i, put);
		else if (put)
			cJSON_AddItemToArray(recs, put);
		else if (r)
			cJSON_DeleteItemFromArray(recs, i);
		cJSON_Delete(e);
	}
	free(jbuf);
	return st;
}

/* For completions: live values, one a line, nothing on any error.
 *   targets [STATE]: the targets the store has records for
 *   vfs PF: the VFs of PF that are free (not attached, with an interface
 *           here, not bound to a userspace driver) */
static int complete_values(int argc, char **argv)
{
	struct cnet_ctx *ctx = NULL;
	struct cnet_result *res = NULL;
	cJSON *recs = NULL, *r;

	if (argc >= 3 && !strcmp(argv[2], "targets")) {
		const char *path = argc > 3 ? argv[3] : getenv("CNET_STATE");
		cJSON *st = store_records(path && *path ? path : "/var/lib/cnet/state.json");
		cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(st, "records"))
		{
			const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "target"));
			if (t && !cJSON_GetObjectItemCaseSensitive(r, "slave_of"))
				printf("%s\n", t);
		}
		cJSON_Delete(st);
	} else if (argc == 4 && !strcmp(argv[2], "vfs") && cnet_ctx_new(&ctx) == 0 &&
		   cnet_vf_list(ctx, argv[3], &res) == 0) {
		recs = cJSON_Parse(cnet_result_records_json(res));
		cJSON_ArrayForEach(r, recs)
		{
			const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "target"));
			const char *d = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "netdev"));
			const char *drv = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "driver"));
			if ((!t || !*t) && d && *d && (!drv || (strcmp(drv, "vfio-pci") && strncmp(drv, "uio", 3))))
				printf("%g\n", cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "vf")));
		}
	}
	cJSON_Delete(recs);
	cnet_result_free(res);
	cnet_ctx_free(ctx);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *c;

	/* --json is known before parsing, so that even a usage error comes out
	 * as one JSON object; a value of an option is not the flag. */
	c = argc > 1 ? find_cmd(argv[1]) : NULL;
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		int idx = c && !strncmp(argv[i], "--", 2) && !strchr(argv[i], '=')
				  ? cli_opt_index(c, argv[i] + 2)
				  : -1;
		if (!strcmp(argv[i], "--json"))
			cli_json = true;
		else if (idx >= 0 && c->opts[idx].arg)
			i++;
	}
	/* run by the name "pipework" (a link to cnet): that command */
	if (argc > 0 && !strcmp(strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0], "pipework")) {
		cli_command = "pipework";
		cli_log_init();
		return cmd_pipework(find_cmd("pipework"), argc, argv);
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(NULL, 0, NULL);
	if (!strcmp(argv[1], "__options"))
		return list_options();
	if (!strcmp(argv[1], "__complete"))
		return complete_values(argc, argv);
	c = find_cmd(argv[1]);
	if (!c)
		return cli_usage_error("unknown command '%s' (see 'cnet help')", argv[1]);
	cli_command = c->name;
	cli_log_init();
	return c->fn(c, argc - 1, argv + 1);
}
#endif
