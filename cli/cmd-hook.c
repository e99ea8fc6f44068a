/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cnet hook: an OCI hook (createRuntime, or prestart). The runtime writes
 * the container's state on stdin: {"id": ..., "pid": ..., ...}. The
 * container's records are brought back into the namespace of that PID
 * before its process starts; its engine is not asked (Podman holds the
 * container's lock while hooks run). A container is never failed here:
 * what cannot be brought back is said on stderr and in the log, and exit
 * is 0; the watch and the timer try again. Annotations are not read: whoever
 * writes a pod or a container's spec sets them, and the host's interfaces
 * are not theirs to ask for.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"

#define STATE_MAX (1u << 20) /* annotations can be long; the state is not */

/* The state on stdin; 0 with *doc, or a message on stderr. */
static int read_state(cJSON **doc)
{
	static char buf[STATE_MAX + 1];
	size_t len = 0;
	ssize_t n;

	while (len < STATE_MAX && ((n = read(0, buf + len, STATE_MAX - len)) > 0 || (n < 0 && errno == EINTR)))
		len += n > 0 ? (size_t)n : 0;
	if (len == STATE_MAX) {
		fprintf(stderr, "cnet: hook: the container state on stdin is over %u bytes\n", STATE_MAX);
		return -1;
	}
	*doc = cJSON_ParseWithLength(buf, len);
	if (!*doc) {
		fprintf(stderr, "cnet: hook: stdin is not a container state (JSON)\n");
		return -1;
	}
	return 0;
}

int cmd_hook(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct cnet_result *res = NULL;
	struct cnet_ctx *ctx;
	const cJSON *id, *pid;
	struct cli_args a;
	cJSON *doc = NULL;
	bool done;
	int r;

	r = cli_start(cmd, argc, argv, &a, &done);
	if (done)
		return r;
	if (a.n_pos)
		return cli_usage_error("hook takes no arguments: the runtime writes the state on stdin");
	r = cli_ctx(cmd, &a, &ctx);
	if (r)
		return r;
	if (!cli_has(cmd, &a, "wait"))
		cnet_ctx_set_lock_timeout(ctx, 5000); /* it delays the container's start */
	if (read_state(&doc) < 0) {
		cnet_ctx_free(ctx);
		return EXIT_OK; /* never a container's failure */
	}
	id = cJSON_GetObjectItemCaseSensitive(doc, "id");
	pid = cJSON_GetObjectItemCaseSensitive(doc, "pid");
	if (!cJSON_IsString(id) || !cJSON_IsNumber(pid) || pid->valuedouble < 1 ||
	    pid->valuedouble > 4194304 || pid->valuedouble != (double)(int)pid->valuedouble) {
		fprintf(stderr, "cnet: hook: the state has no container id and pid\n");
		r = EXIT_OK;
		goto out;
	}
	/* Ids of other lengths (not Docker's or Podman's) have no records. */
	if (strlen(id->valuestring) != 64) {
		r = EXIT_OK;
		goto out;
	}
	r = cnet_reapply_container(ctx, id->valuestring, (int)pid->valuedouble, 0, &res);
	if (r < 0) {
		cli_fail(ctx, r); /* said, and logged; frees ctx */
		ctx = NULL;
	} else if (r > 0) {
		cli_partial_records(res, r, "brought back");
	} else if (cli_json) {
		cli_report(res, false, "");
	} else {
		for (size_t i = 0; i < cnet_result_n_actions(res); i++)
			if (strncmp(cnet_result_action(res, i), "ok:", 3))
				printf("%s\n", cli_esc(cnet_result_action(res, i)));
		cli_log_result(res);
	}
	r = EXIT_OK;
out:
	cJSON_Delete(doc);
	cnet_result_free(res);
	cnet_ctx_free(ctx);
	return r;
}
