/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store lock (flock on PATH.lock) and the targets' locks (an OFD lock
 * on one byte of it each): the order they are taken in is in store.c. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>

#include "cnet-internal.h"

static int store_err(struct cnet_ctx *ctx, int r, const char *path, const char *what)
{
	return cnet_errc(ctx, CNET_ERR_STORE, r, "state store %s: %s", path, what);
}

int cnet_store_lock(struct cnet_store *st)
{
	struct cnet_ctx *ctx = st->ctx;
	int r;

	if (st->read_only || st->locked)
		return 0;
	r = cnet_flock_wait(st->lock_fd, ctx->lock_timeout_ms, 2);
	if (r == -EBUSY)
		return cnet_errc(ctx, CNET_ERR_BUSY, -EBUSY,
				 "state store %s is locked by another cnet (waited %.1f s)", st->path,
				 ctx->lock_timeout_ms / 1000.0);
	if (r < 0)
		return store_err(ctx, r, st->path, strerror(-r));
	st->locked = true;
	return 0;
}

void cnet_store_unlock(struct cnet_store *st)
{
	if (st->locked)
		flock(st->lock_fd, LOCK_UN);
	st->locked = false;
}

/* One byte of PATH.lock per network namespace. */
static unsigned long long target_offset(const struct cnet_target *t)
{
	uint64_t h = (uint64_t)t->dev * 0x9e3779b97f4a7c15ull ^ (uint64_t)t->ino;

	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 29;
	return 1 + (h & ((1ull << 62) - 1));
}

int cnet_store_lock_target(struct cnet_store *st, const struct cnet_target *t, bool wait)
{
	struct cnet_ctx *ctx = st->ctx;
	unsigned long long off = target_offset(t);
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = (off_t)off, .l_len = 1};
	uint64_t deadline = cnet_now_ms() + ctx->lock_timeout_ms;

	if (st->read_only || st->tlock == off)
		return 0;
	if (st->tlock)
		cnet_store_unlock_target(st);
	while (fcntl(st->lock_fd, F_OFD_SETLK, &fl) < 0) {
		if (errno != EAGAIN && errno != EACCES && errno != EINTR)
			return store_err(ctx, -errno, st->path, strerror(errno));
		if (!wait)
			return 1;
		if (cnet_now_ms() >= deadline)
			return cnet_errc(ctx, CNET_ERR_BUSY, -EBUSY,
					 "%s is busy: another cnet is working on it (waited %.1f s)",
					 t->spec ? t->spec : "the target", ctx->lock_timeout_ms / 1000.0);
		cnet_nap_ms(2);
	}
	st->tlock = off;
	return 0;
}

void cnet_store_unlock_target(struct cnet_store *st)
{
	struct flock fl = {.l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = (off_t)st->tlock, .l_len = 1};

	if (st->tlock)
		fcntl(st->lock_fd, F_OFD_SETLK, &fl);
	st->tlock = 0;
}


bool cnet_store_target_busy(const struct cnet_store *st, const struct cnet_target *t)
{
	unsigned long long off = target_offset(t);
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = (off_t)off, .l_len = 1};

	if (st->lock_fd < 0 || st->tlock == off)
		return false;
	return fcntl(st->lock_fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
}
