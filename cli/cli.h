/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CNET_CLI_H
#define CNET_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "libcnet.h"

/* Which attach kinds an option applies to (0: every kind, or not attach). */
#define K_MACVLAN (1u << CNET_KIND_MACVLAN)
#define K_HOSTDEV (1u << CNET_KIND_HOST_DEVICE)
#define K_VETH (1u << CNET_KIND_VETH)
#define K_SRIOV (1u << CNET_KIND_SRIOV)
#define K_VLAN (1u << CNET_KIND_VLAN)
#define K_BOND (1u << CNET_KIND_BOND)
#define K_IPVLAN (1u << CNET_KIND_IPVLAN)
#define K_PAIR (1u << CNET_KIND_PAIR)

/* attach: the attachment being described from the command line */
struct attach_parse;

struct cli_opt {
	const char *name; /* without "--" */
	const char *arg;  /* NULL: a flag */
	bool repeat;
	unsigned int kinds;
	/* attach: hands the value to the library (NULL: a flag, or a value
	 * read elsewhere); returns 0, a negative errno with the message in
	 * the context, or the exit code of the usage error it reported */
	int (*set)(struct attach_parse *p, const char *value);
	const char *help;
};

/* The options most commands take, last in their tables. */
#define COMMON_OPTS                                                                          \
	{"json", NULL, false, 0, NULL, "print one JSON object on stdout"},                   \
	{"dry-run", NULL, false, 0, NULL, "change nothing; say what would be done"},         \
	{"state", "PATH", false, 0, NULL, "state store (default /var/lib/cnet/state.json)"}, \
	{"wait", "SEC", false, 0, NULL, "wait this long for the store's lock (default 30)"}, \
	{"help", NULL, false, 0, NULL, "show this help"}

struct cli_cmd {
	const char *name;
	int (*fn)(const struct cli_cmd *cmd, int argc, char **argv);
	const char *usage;
	const char *summary;
	const struct cli_opt *opts;
};

/* A parsed command line: values indexed like the command's option table. */
#define MAX_POS 16
#define MAX_VALS 64
#define MAX_OPTS 128 /* options in one command's table (cmd-attach.c asserts its own) */
struct cli_args {
	const char *pos[MAX_POS];
	int n_pos;
	const char *vals[MAX_VALS]; /* every value, in order */
	int val_opt[MAX_VALS];	    /* which option each value belongs to */
	int n_vals;
	bool set[MAX_OPTS];
};

extern const struct cli_cmd cli_cmds[];
extern const struct cli_opt cli_attach_opts[];
extern bool cli_json;
extern const char *cli_command;
void cli_log_init(void);
void cli_log_result(struct cnet_result *res);
/* One line (already escaped): to syslog when logging, else on stdout
 * (stderr from LOG_WARNING up) unless --json. */
void cli_log_line(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Exit codes: documented in cnet(8); scripts rely on them. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_TARGET = 3,
	EXIT_BUSY = 4,
	EXIT_MISSING = 5,
	EXIT_STORE = 6,
	EXIT_PARTIAL = 7,
};

/* s as it may reach a terminal or the log: every byte outside printable
 * ASCII (escape sequences, newlines) as \xNN. Names and messages carry
 * what a container chose (its interfaces' names, ...). The result lives
 * in one of 16 static buffers used in turn: enough for one printf. */
const char *cli_esc(const char *s);

/* The library's kinds, "macvlan, host-device, ...", with `last` (", " or
 * " or ") before the last one: a new kind needs no edit in cli/. The
 * result lives in a static buffer. */
const char *cli_kinds(const char *last);

int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, struct cli_args *a);
/* Every command's start: parse, and answer --help. *done: return the
 * result now (a usage error, or help printed). */
int cli_start(const struct cli_cmd *cmd, int argc, char **argv, struct cli_args *a, bool *done);
int cli_opt_index(const struct cli_cmd *cmd, const char *name);
const char *cli_get(const struct cli_cmd *cmd, const struct cli_args *a, const char *name);
bool cli_has(const struct cli_cmd *cmd, const struct cli_args *a, const char *name);
void cli_help(const struct cli_cmd *cmd);

/* Report a failure (one line on stderr, or the JSON object) and return the
 * exit code. */
/* A decimal number in [0, max]: digits only, no sign, no blanks. */
int cli_uint(const char *s, unsigned long max, unsigned long *out);
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same with another exit code. */
int cli_usage_error_code(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_fail(struct cnet_ctx *ctx, int r);
int cli_exit_code(struct cnet_ctx *ctx);
/* Print a successful result. */
int cli_report(struct cnet_result *res, bool dry_run, const char *summary);
/* Context with the common options (--state) applied. */
int cli_ctx(const struct cli_cmd *cmd, const struct cli_args *a, struct cnet_ctx **ctx);

int cmd_attach(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_detach(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_reapply(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_ls(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_gc(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_vf(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_dhcp(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_store(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_hook(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_watch(const struct cli_cmd *cmd, int argc, char **argv);
int cmd_pipework(const struct cli_cmd *cmd, int argc, char **argv);
/* pipework --wait ... (argv[0]: "--wait") */
int cli_pipework_wait(int argc, char **argv);
/* pipework route|rule GUEST ..., after n_opts of cnet's options */
int cli_pipework_l3(const struct cli_cmd *cmd, int argc, char **argv, int n_opts);
/* pipework's exit status for cnet's */
int cli_pipework_code(int code);
/* MD5 of data (pipework's U:STRING MACs); -1: out of memory */
int cli_md5(const void *data, size_t len, unsigned char out[16]);
int cli_attach_parse(const struct cli_cmd *cmd, int argc, char **argv, struct cli_args *a,
		     struct cnet_ctx **ctxp, struct cnet_attach **attp, bool *done);
int cmd_show(const struct cli_cmd *cmd, int argc, char **argv);
/* Report a partial failure: the actions on stdout (or the JSON object with
 * them), msg on stderr; returns EXIT_PARTIAL. */
int cli_partial(struct cnet_result *res, const char *msg);
/* The same, the message being "N record(s) could not be <what> (see above)". */
int cli_partial_records(struct cnet_result *res, int n, const char *what);

#endif
