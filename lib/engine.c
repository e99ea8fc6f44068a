/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Container engines: ask Docker, or Podman's Docker-compatible API, over its
 * unix socket which PID a container runs as. No docker or podman command is
 * run: one HTTP/1.0 GET, one JSON answer.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cnet-internal.h"

#define ANSWER_MAX (1u << 20)

/* Docker and Podman names: [a-zA-Z0-9][a-zA-Z0-9_.-]*, or an ID: nothing
 * that could change the request line. */
static bool name_ok(const char *s)
{
	if (!isalnum((unsigned char)*s) || strlen(s) > 255)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

/* GET /containers/NAME/json: 0 with the HTTP status in *status and the body
 * (malloc'd) in *body, or < 0 (with a message, except for a connect that
 * finds no engine: the caller says what that means). */
static int ask(struct cnet_ctx *ctx, const char *engine, const char *sock, const char *name,
	       int *status, char **body)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 10};
	char req[512], *buf = NULL, *p;
	size_t len = 0, sent = 0, reqlen;
	ssize_t n;
	int fd, r;

	if (strlen(sock) >= sizeof(sa.sun_path))
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "%s socket path too long", engine);
	strcpy(sa.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cnet_err(ctx, -errno, "cannot make a socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		close(fd);
		return r; /* no engine there: the caller decides what that means */
	}
	reqlen = (size_t)snprintf(req, sizeof(req),
				  "GET /containers/%s/json HTTP/1.0\r\nHost: localhost\r\n\r\n", name);
	/* MSG_NOSIGNAL: an engine that hung up is an error, not a SIGPIPE
	 * that kills cnet (or the program libcnet runs in). */
	while (sent < reqlen) {
		n = send(fd, req + sent, reqlen - sent, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = cnet_err(ctx, n < 0 ? -errno : -EIO, "cannot ask %s at %s: %s", engine, sock,
				     n < 0 ? strerror(errno) : "nothing sent");
			goto out;
		}
		sent += (size_t)n;
	}
	buf = malloc(ANSWER_MAX + 1);
	if (!buf) {
		r = cnet_err(ctx, -ENOMEM, "out of memory");
		goto out;
	}
	/* HTTP/1.0: the engine closes the connection after its answer. */
	while (len < ANSWER_MAX && (n = read(fd, buf + len, ANSWER_MAX - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	if (len < 12 || strncmp(buf, "HTTP/1.", 7) || !isdigit((unsigned char)buf[7]) ||
	    buf[8] != ' ') {
		r = cnet_err(ctx, -EPROTO, "%s at %s did not answer in HTTP", engine, sock);
		goto out;
	}
	/* "HTTP/1.x NNN ...": three digits, 100 to 599, nothing else */
	if (buf[9] < '1' || buf[9] > '5' || !isdigit((unsigned char)buf[10]) ||
	    !isdigit((unsigned char)buf[11]) || (buf[12] != ' ' && buf[12] != '\r')) {
		r = cnet_err(ctx, -EPROTO, "%s at %s sent an invalid HTTP status line", engine, sock);
		goto out;
	}
	*status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	p = strstr(buf, "\r\n\r\n");
	if (!p) {
		r = cnet_err(ctx, -EPROTO, "%s at %s sent no body", engine, sock);
		goto out;
	}
	memmove(buf, p + 4, strlen(p + 4) + 1);
	*body = buf;
	buf = NULL;
	r = 0;
out:
	free(buf);
	close(fd);
	return r;
}

/* A container's Id: 64 hexadecimal digits for Docker and Podman; up to
 * that many taken from others. */
static bool id_ok(const cJSON *id)
{
	const char *s = cJSON_IsString(id) ? id->valuestring : NULL;
	size_t n = s ? strlen(s) : 0;

	if (!n || n > 64)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

int cnet_engine_pid(struct cnet_ctx *ctx, const char *engine, const char *name, pid_t *pid,
		    char id[65])
{
	const char *sock = !strcmp(engine, "docker") ? ctx->docker_sock : ctx->podman_sock;
	const cJSON *state, *running, *p, *cid;
	char *body = NULL;
	cJSON *doc;
	int status = 0, r;

	if (!name_ok(name))
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "invalid %s container name '%s'", engine,
				 name);
	if (ctx->pin_pid > 0) {
		/* only the pinned container's records are walked then */
		*pid = ctx->pin_pid;
		memcpy(id, ctx->pin_id, 65);
		return 0;
	}
	r = ask(ctx, engine, sock, name, &status, &body);
	if (r == -ENOENT || r == -ECONNREFUSED)
		return cnet_errc(ctx, CNET_ERR_TARGET, -ENXIO, "no %s engine answers at %s", engine, sock);
	if (r < 0)
		return ctx->errclass ? r
				     : cnet_err(ctx, r, "cannot reach %s at %s: %s", engine, sock,
						strerror(-r));
	if (status == 404) {
		free(body);
		return cnet_errc(ctx, CNET_ERR_TARGET, -ENOENT, "no %s container named '%s'", engine, name);
	}
	doc = cJSON_Parse(body);
	free(body);
	if (status != 200 || !doc) {
		cJSON_Delete(doc);
		return cnet_err(ctx, -EPROTO, "%s answered %d about container '%s'", engine, status, name);
	}
	state = cJSON_GetObjectItemCaseSensitive(doc, "State");
	running = cJSON_GetObjectItemCaseSensitive(state, "Running");
	p = cJSON_GetObjectItemCaseSensitive(state, "Pid");
	cid = cJSON_GetObjectItemCaseSensitive(doc, "Id");
	if (!cJSON_IsTrue(running) || !cJSON_IsNumber(p) || p->valuedouble < 1 ||
	    p->valuedouble > 4194304) {
		r = cnet_errc(ctx, CNET_ERR_TARGET, -ESRCH, "%s container '%s' is not running", engine, name);
	} else if (!id_ok(cid)) {
		/* the Id tells this container from a later one of that name */
		r = cnet_err(ctx, -EPROTO, "%s answered about container '%s' without a valid Id", engine,
			     name);
	} else {
		*pid = (pid_t)p->valuedouble;
		snprintf(id, 65, "%s", cid->valuestring);
		r = 0;
	}
	cJSON_Delete(doc);
	return r;
}
