/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: cnet's command line. The input is a command index and
 * NUL-separated arguments; they go through the option parser of that
 * command (cli_start) and, for attach, through cli_attach_parse: every
 * value into the library's setters and the static checks, as a real
 * attach does before it touches anything. Nothing is attached. Scripts
 * and Ansible feed cnet every kind of argument: none may crash it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	char *argv[64], *buf;
	const struct cli_cmd *cmd;
	size_t n_cmds = 0;
	int argc = 0;

	if (!quiet) {
		/* --help and --json output are not wanted; usage errors on
		 * stderr are (libFuzzer runs it with -close_fd_mask=2), since
		 * sanitizer reports go there too */
		if (!freopen("/dev/null", "w", stdout))
			abort();
		quiet = true;
	}
	if (size < 1)
		return 0;
	while (cli_cmds[n_cmds].name)
		n_cmds++;
	cmd = &cli_cmds[data[0] % n_cmds];
	buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	argv[argc++] = (char *)cmd->name;
	for (char *p = buf; p < buf + size - 1 && argc < 63; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	cli_json = false;
	if (!strcmp(cmd->name, "attach")) {
		struct cnet_attach *att = NULL;
		struct cnet_ctx *ctx = NULL;
		struct cli_args a;
		bool done = false;
		if (cli_attach_parse(cmd, argc, argv, &a, &ctx, &att, &done) == 0 && !done) {
			cnet_attach_free(att);
			cnet_ctx_free(ctx);
		}
	} else {
		struct cli_args a;
		bool done = false;
		(void)cli_start(cmd, argc, argv, &a, &done);
	}
	free(buf);
	return 0;
}
