/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cnet-internal.h"

#define DEFAULT_STATE_PATH "/var/lib/cnet/state.json"

CNET_EXPORT const char *cnet_version(void)
{
	return CNET_VERSION;
}

CNET_EXPORT int cnet_ctx_new(struct cnet_ctx **out)
{
	struct cnet_ctx *ctx;
	const char *p;

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->self_ns_fd = -1;
	ctx->lock_timeout_ms = 30000;
	p = getenv("CNET_STATE");
	ctx->state_path = strdup(p && *p ? p : DEFAULT_STATE_PATH);
	p = getenv("CNET_DOCKER_SOCK");
	ctx->docker_sock = strdup(p && *p ? p : "/var/run/docker.sock");
	p = getenv("CNET_PODMAN_SOCK");
	ctx->podman_sock = strdup(p && *p ? p : "/run/podman/podman.sock");
	p = getenv("CNET_SYSFS_ROOT");
	ctx->sysfs_root = strdup(p && *p ? p : "/sys");
	if (!ctx->state_path || !ctx->docker_sock || !ctx->podman_sock || !ctx->sysfs_root) {
		cnet_ctx_free(ctx);
		return -ENOMEM;
	}
#ifdef CNET_FAULT_INJECTION
	/* Test builds only: CNET_FAULT_NL=N[:ERRNO] fails the N-th netlink
	 * request (_SYSFS: sysfs write, _STORE: state store write), so tests
	 * can prove that every step rolls back. */
	for (int k = 0; k < 3; k++) {
		static const char *const env[] = {"CNET_FAULT_NL", "CNET_FAULT_SYSFS", "CNET_FAULT_STORE"};
		char *end;
		p = getenv(env[k]);
		if (!p)
			continue;
		/* N:kill SIGKILLs cnet there instead: a crash at that step. */
		ctx->fault_at[k] = strtoul(p, &end, 10);
		ctx->fault_errno[k] = *end != ':' ? EIO : !strcmp(end + 1, "kill") ? -1 : atoi(end + 1);
	}
	/* CNET_FAULT_IDS=ID[,ID...]: the record ids to try first (store.c). */
	ctx->fault_ids = getenv("CNET_FAULT_IDS");
	/* CNET_FAULT_COMPACT=BYTES: fold the journal once it is past BYTES
	 * (1: at every write), so that tests reach each compaction step. */
	if ((p = getenv("CNET_FAULT_COMPACT")))
		ctx->compact_bytes = strtoul(p, NULL, 10);
	/* CNET_FAULT_JCAP=BYTES: the journal's limit, so that tests reach it. */
	if ((p = getenv("CNET_FAULT_JCAP")))
		ctx->journal_cap = strtoul(p, NULL, 10);
#endif
	*out = ctx;
	return 0;
}

CNET_EXPORT void cnet_ctx_free(struct cnet_ctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->self_ns_fd >= 0)
		close(ctx->self_ns_fd);
	free(ctx->state_path);
	free(ctx->docker_sock);
	free(ctx->podman_sock);
	free(ctx->sysfs_root);
	free(ctx);
}

CNET_EXPORT const char *cnet_ctx_errmsg(const struct cnet_ctx *ctx)
{
	return ctx->errmsg;
}

CNET_EXPORT int cnet_ctx_errclass(const struct cnet_ctx *ctx)
{
	return ctx->errclass;
}

CNET_EXPORT int cnet_ctx_set_state_path(struct cnet_ctx *ctx, const char *path)
{
	char *p;

	if (!path || !*path)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "empty state store path");
	p = strdup(path);
	if (!p)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	free(ctx->state_path);
	ctx->state_path = p;
	return 0;
}

CNET_EXPORT const char *cnet_ctx_get_state_path(const struct cnet_ctx *ctx)
{
	return ctx->state_path;
}

CNET_EXPORT int cnet_ctx_set_lock_timeout(struct cnet_ctx *ctx, unsigned int ms)
{
	ctx->lock_timeout_ms = ms;
	return 0;
}

CNET_EXPORT int cnet_ctx_set_sysfs_root(struct cnet_ctx *ctx, const char *path)
{
	char *p;

	if (!path || path[0] != '/')
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "the sysfs root must be an absolute path");
	p = strdup(path);
	if (!p)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	free(ctx->sysfs_root);
	ctx->sysfs_root = p;
	return 0;
}

CNET_EXPORT int cnet_ctx_set_engine_socket(struct cnet_ctx *ctx, const char *engine,
					   const char *path)
{
	char **slot = engine && !strcmp(engine, "docker")   ? &ctx->docker_sock
		      : engine && !strcmp(engine, "podman") ? &ctx->podman_sock
							    : NULL;
	char *p;

	if (!slot || !path || !*path)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "unknown engine or empty socket path");
	p = strdup(path);
	if (!p)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	free(*slot);
	*slot = p;
	return 0;
}

CNET_EXPORT void cnet_ctx_set_log_fn(struct cnet_ctx *ctx, cnet_log_fn fn, void *userdata)
{
	ctx->log_fn = fn;
	ctx->log_data = userdata;
}

void cnet_clear_err(struct cnet_ctx *ctx)
{
	ctx->errmsg[0] = '\0';
	ctx->errclass = CNET_ERR_NONE;
}

void cnet_err_save(struct cnet_ctx *ctx, struct cnet_err_saved *saved)
{
	memcpy(saved->msg, ctx->errmsg, sizeof(saved->msg));
	saved->errclass = ctx->errclass;
	cnet_clear_err(ctx);
}

void cnet_err_restore(struct cnet_ctx *ctx, const struct cnet_err_saved *saved)
{
	memcpy(ctx->errmsg, saved->msg, sizeof(ctx->errmsg));
	ctx->errclass = saved->errclass;
}

static int verr(struct cnet_ctx *ctx, int errclass, int r, const char *fmt, va_list ap)
{
	/* Keep the first message: a rollback step failing after the real
	 * failure must not hide it. */
	if (ctx->errclass != CNET_ERR_NONE)
		return r;
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): the caller started ap */
	vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
	ctx->errclass = errclass;
	cnet_dbg(ctx, "error: %s", ctx->errmsg);
	return r;
}

int(cnet_err)(struct cnet_ctx *ctx, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(ctx, CNET_ERR_FAILED, r, fmt, ap);
	va_end(ap);
	return r;
}

int(cnet_errc)(struct cnet_ctx *ctx, int errclass, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(ctx, errclass, r, fmt, ap);
	va_end(ap);
	return r;
}

void cnet_dbg(struct cnet_ctx *ctx, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!ctx->log_fn)
		return;
	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): started just above */
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ctx->log_fn(ctx->log_data, line);
}

int cnet_fault_point(struct cnet_ctx *ctx, int kind, const char *what)
{
	static const char *const name[] = {"netlink request", "sysfs write", "store write"};
	unsigned long n = ++ctx->fault_count[kind];

	if (kind == CNET_FAULT_NL)
		ctx->nl_requests = n;
#ifdef CNET_FAULT_INJECTION
	if (ctx->fault_at[kind] && n == ctx->fault_at[kind]) {
		if (ctx->fault_errno[kind] < 0)
			kill(getpid(), SIGKILL);
		return cnet_err(ctx, -ctx->fault_errno[kind], "cannot %s: %s (injected fault at %s %lu)",
				what, strerror(ctx->fault_errno[kind]), name[kind], n);
	}
#else
	(void)what;
	(void)name;
#endif
	return 0;
}

/* Test builds: with $CNET_FAULT_PAUSE=PATH, create PATH.ready and wait
 * (at most 30 s) until PATH exists, so that a test can act between two
 * steps of a command. Release builds: nothing. */
void cnet_fault_pause(void)
{
#ifdef CNET_FAULT_INJECTION
	const char *p = getenv("CNET_FAULT_PAUSE");
	char ready[PATH_MAX];
	int fd;

	if (!p || snprintf(ready, sizeof(ready), "%s.ready", p) >= (int)sizeof(ready))
		return;
	fd = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	for (int i = 0; i < 3000 && access(p, F_OK) != 0; i++)
		usleep(10000);
#endif
}
