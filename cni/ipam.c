/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPAM other than static and dhcp (host-local, whereabouts...): delegated
 * to that plugin exactly as the specification says: found in CNI_PATH,
 * run with this invocation's environment and the whole configuration on
 * its stdin, its result (or error) read from its stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cni.h"

#define OUT_MAX (1u << 20)

extern char **environ;

const char *cni_ipam_delegate(const struct cni *c)
{
	const char *type = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c->conf, "ipam"), "type"));

	if (!type || !strcmp(type, "static") || !strcmp(type, "dhcp"))
		return NULL;
	return type;
}

/* The plugin's file in CNI_PATH (colon-separated), by its bare name. */
static int find_plugin(struct cni *c, const char *type, char path[PATH_MAX])
{
	const char *p = c->path;

	if (!*type || strchr(type, '/') || type[0] == '.')
		return cni_fail(c, CNI_ERR_CONFIG, NULL, "\"ipam\": type '%s' is not a plugin name", type);
	if (!p || !*p)
		return cni_fail(c, CNI_ERR_ENV, NULL, "CNI_PATH is not set: cannot find IPAM plugin '%s'", type);
	while (*p) {
		size_t n = strcspn(p, ":");
		if (n && n < PATH_MAX - strlen(type) - 2) {
			snprintf(path, PATH_MAX, "%.*s/%s", (int)n, p, type);
			if (access(path, X_OK) == 0)
				return 0;
		}
		p += n + (p[n] == ':');
	}
	return cni_fail(c, CNI_ERR_CONFIG, NULL, "\"ipam\": plugin '%s' is not in CNI_PATH (%s)", type, c->path);
}

/* Write all of in to fd w while reading fd r into a buffer, then wait. */
static int exchange(int w, int r, const char *in, size_t len, char **out, size_t *n)
{
	struct pollfd p[2] = {{.fd = w, .events = POLLOUT}, {.fd = r, .events = POLLIN}};
	size_t off = 0, cap = 4096;
	char *buf = malloc(cap + 1);

	*n = 0;
	while (buf && (p[0].fd >= 0 || p[1].fd >= 0)) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].fd >= 0 && p[0].revents) {
			ssize_t k = write(w, in + off, len - off);
			if (k > 0)
				off += (size_t)k;
			if (k < 0 || off == len) {
				close(w);
				p[0].fd = -1;
			}
		}
		if (p[1].fd >= 0 && p[1].revents) {
			ssize_t k;
			if (*n == cap) {
				char *nb = cap < OUT_MAX ? realloc(buf, 2 * cap + 1) : NULL;
				if (!nb)
					break;
				buf = nb;
				cap *= 2;
			}
			k = read(r, buf + *n, cap - *n);
			if (k <= 0) {
				p[1].fd = -1;
				continue;
			}
			*n += (size_t)k;
		}
	}
	if (p[0].fd >= 0)
		close(w);
	if (!buf || p[1].fd >= 0) {
		free(buf);
		return -1;
	}
	buf[*n] = '\0';
	*out = buf;
	return 0;
}

/* Run the IPAM plugin for command (the environment as it is, CNI_COMMAND
 * as given): 0 and its stdout parsed (NULL if empty), or an error: its
 * own error object passed on, or why it could not be run. */
int cni_ipam_exec(struct cni *c, const char *command, cJSON **result)
{
	const char *type = cni_ipam_delegate(c);
	char path[PATH_MAX], *out = NULL;
	int in[2], outp[2], status = 0;
	size_t n = 0;
	pid_t pid;
	int r;

	*result = NULL;
	if (find_plugin(c, type, path) < 0)
		return -1;
	if (pipe2(in, O_CLOEXEC) < 0)
		return cni_fail(c, CNI_ERR_IO, strerror(errno), "cannot run IPAM plugin %s", type);
	if (pipe2(outp, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return cni_fail(c, CNI_ERR_IO, strerror(errno), "cannot run IPAM plugin %s", type);
	}
	pid = fork();
	if (pid == 0) {
		if (dup2(in[0], 0) < 0 || dup2(outp[1], 1) < 0 || setenv("CNI_COMMAND", command, 1) < 0)
			_exit(127);
		execle(path, type, (char *)NULL, environ);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	if (pid < 0) {
		close(in[1]);
		close(outp[0]);
		return cni_fail(c, CNI_ERR_IO, strerror(errno), "cannot run IPAM plugin %s", type);
	}
	signal(SIGPIPE, SIG_IGN);
	r = exchange(in[1], outp[0], c->raw, c->raw_len, &out, &n);
	close(outp[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return cni_fail(c, CNI_ERR_IO, NULL, "IPAM plugin %s: cannot read its answer", type);
	*result = n ? cJSON_ParseWithLength(out, n) : NULL;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(*result, "code");
		const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(*result, "msg"));
		const char *det = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(*result, "details"));
		r = cni_fail(c, cJSON_IsNumber(code) ? code->valueint : CNI_ERR_FAILED, det,
			     "IPAM plugin %s (%s): %s", type, command, msg ? msg : "failed");
		cJSON_Delete(*result);
		*result = NULL;
	} else if (n && !*result) {
		r = cni_fail(c, CNI_ERR_DECODE, NULL, "IPAM plugin %s (%s): its answer is not JSON", type, command);
	}
	free(out);
	return r;
}

/* GC and STATUS (1.1.0) are passed on only to an IPAM plugin that speaks
 * 1.1.0: older ones (Debian's host-local is 1.0.0) fail any verb they do
 * not know, and have nothing to collect or report. 1: it does; 0: not. */
int cni_ipam_speaks_1_1(struct cni *c)
{
	static const char ask[] = "{\"cniVersion\":\"1.1.0\"}";
	char *raw = c->raw;
	size_t raw_len = c->raw_len;
	const cJSON *v;
	cJSON *out = NULL;
	int r, yes = 0;

	c->raw = (char *)ask;
	c->raw_len = sizeof(ask) - 1;
	r = cni_ipam_exec(c, "VERSION", &out);
	c->raw = raw;
	c->raw_len = raw_len;
	if (r < 0)
		return -1;
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(out, "supportedVersions"))
		if (cJSON_IsString(v) && !strcmp(v->valuestring, "1.1.0"))
			yes = 1;
	cJSON_Delete(out);
	return yes;
}
