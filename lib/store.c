/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The state store: one JSON document, written atomically (temporary file,
 * fsync, rename, fsync of the directory) under an flock held across the
 * whole read-modify-write. Files are 0600 and never opened through a
 * symlink. A store that does not parse, or comes from a newer schema, is
 * never overwritten. One from an older schema is migrated: its bytes are
 * first kept, durably, in a backup beside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cnet-internal.h"

#define STORE_MAX (64u << 20)

/* Test builds: the next of the ids in $CNET_FAULT_IDS (comma-separated),
 * handed out before random ones, so that a test can make one collide. */
static bool test_id(struct cnet_ctx *ctx, char id[9])
{
#ifdef CNET_FAULT_INJECTION
	const char *p = ctx->fault_ids;
	size_t n = p ? strcspn(p, ",") : 0;

	if (!p || !*p)
		return false;
	ctx->fault_ids = p + n + (p[n] == ',');
	if (n != 8 || strspn(p, "0123456789abcdef") < 8)
		return false;
	memcpy(id, p, 8);
	id[8] = '\0';
	return true;
#else
	(void)ctx;
	(void)id;
	return false;
#endif
}

int cnet_new_id(struct cnet_ctx *ctx, const struct cnet_store *st, char id[9])
{
	/* 32 random bits: a second try is needed once in 4 billion per record. */
	for (int tries = 0; tries < 100; tries++) {
		const cJSON *rec;
		unsigned char b[4];
		bool taken = false;

		if (!test_id(ctx, id)) {
			if (getrandom(b, sizeof(b), 0) != sizeof(b))
				return cnet_err(ctx, -errno, "cannot get random bytes: %s", strerror(errno));
			snprintf(id, 9, "%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
		}
		cJSON_ArrayForEach(rec, st->records) {
			taken |= !strcmp(cnet_json_str(rec, "id"), id) ||
				 !strcmp(cnet_json_str(rec, "slave_of"), id);
		}
		if (!taken)
			return 0;
	}
	return cnet_errc(ctx, CNET_ERR_STORE, -EEXIST, "state store %s: no free record id found",
			 st->path);
}

static int store_err(struct cnet_ctx *ctx, int r, const char *path, const char *what)
{
	return cnet_errc(ctx, CNET_ERR_STORE, r, "state store %s: %s", path, what);
}

static int make_dir(struct cnet_ctx *ctx, const char *path)
{
	char *copy = strdup(path), *dir;
	struct stat st;
	int r = 0;

	if (!copy)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	dir = dirname(copy);
	if (stat(dir, &st) < 0) {
		if (errno != ENOENT || (mkdir(dir, 0700) < 0 && errno != EEXIST))
			r = store_err(ctx, -errno, path, strerror(errno));
	} else if (!S_ISDIR(st.st_mode)) {
		r = store_err(ctx, -ENOTDIR, path, "its directory is not a directory");
	}
	free(copy);
	return r;
}

static int take_lock(struct cnet_ctx *ctx, struct cnet_store *st, bool read_only)
{
	char lock[PATH_MAX];
	int r;

	if ((size_t)snprintf(lock, sizeof(lock), "%s.lock", st->path) >= sizeof(lock))
		return store_err(ctx, -ENAMETOOLONG, st->path, "path too long");
	st->lock_fd = open(lock, O_RDWR | O_NOFOLLOW | O_CLOEXEC | (read_only ? 0 : O_CREAT), 0600);
	if (st->lock_fd < 0 && read_only && errno == ENOENT)
		return 0;
	if (st->lock_fd < 0)
		return store_err(ctx, -errno, lock,
				 errno == ELOOP ? "lock file is a symlink; refusing it" : strerror(errno));
	r = cnet_flock_wait(st->lock_fd, ctx->lock_timeout_ms, 2);
	if (r == -EBUSY)
		return cnet_errc(ctx, CNET_ERR_BUSY, -EBUSY,
				 "state store %s is locked by another cnet (waited %.1f s)", st->path,
				 ctx->lock_timeout_ms / 1000.0);
	if (r < 0)
		return store_err(ctx, r, lock, strerror(-r));
	return 0;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Schema 1 records did not say how their target was found. A prefixed
 * target or a path says it; a bare name stays unsaid, and is looked up as
 * before (namespace, PID, Docker, Podman) until it is attached again. */
static int migrate_1(cJSON *doc)
{
	static const struct {
		const char *prefix, *runtime;
	} known[] = {{"netns:", "netns"}, {"pid:", "pid"},	 {"docker:", "docker"},
		     {"podman:", "podman"}, {"/", "path"}};
	cJSON *rec, *records = cJSON_GetObjectItemCaseSensitive(doc, "records");

	cJSON_ArrayForEach(rec, records) {
		const char *target = cnet_json_str(rec, "target");
		if (cJSON_GetObjectItemCaseSensitive(rec, "runtime"))
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(known); i++)
			if (!strncmp(target, known[i].prefix, strlen(known[i].prefix))) {
				if (!cJSON_AddStringToObject(rec, "runtime", known[i].runtime))
					return -ENOMEM;
				break;
			}
	}
	return 0;
}

/* migrations[N] turns schema N into N + 1. */
static int (*const migrations[CNET_STORE_SCHEMA])(cJSON *doc) = {[1] = migrate_1};

/* The old store's bytes, as read, in PATH.schemaN.TIME.bak (never replacing
 * a file), synced with its directory before the migrated store is written. */
static int backup(struct cnet_ctx *ctx, struct cnet_store *st, const char *buf, size_t len,
		  int schema)
{
	char bak[PATH_MAX], stamp[32], *copy;
	time_t now = time(NULL);
	struct tm tm;
	int fd, dfd, r;

	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime_r(&now, &tm));
	if ((size_t)snprintf(bak, sizeof(bak), "%s.schema%d.%s.bak", st->path, schema, stamp) >=
	    sizeof(bak))
		return store_err(ctx, -ENAMETOOLONG, st->path, "path too long");
	fd = open(bak, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return store_err(ctx, -errno, bak, strerror(errno));
	r = write_all(fd, buf, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0) {
		unlink(bak);
		return store_err(ctx, r, bak, strerror(-r));
	}
	copy = strdup(st->path);
	if (!copy)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* The store's bytes, checked: an object with a known schema and a record
 * list; an older schema is migrated in memory. 0: current; 1: migrated
 * (the caller may write it back); < 0: refused, with why. Every byte is
 * distrusted: this is what the store's fuzz target runs. */
int cnet_store_parse(struct cnet_ctx *ctx, struct cnet_store *st, const char *buf, size_t len)
{
	cJSON *schema;

	st->doc = cJSON_ParseWithLength(buf, len);
	if (!st->doc || !cJSON_IsObject(st->doc))
		return store_err(ctx, -EBADMSG, st->path, "not valid JSON; left untouched (fix or move it)");
	schema = cJSON_GetObjectItemCaseSensitive(st->doc, "schema");
	if (!cJSON_IsNumber(schema))
		return store_err(ctx, -EBADMSG, st->path, "has no schema version; left untouched");
	if (schema->valuedouble > CNET_STORE_SCHEMA)
		return store_err(ctx, -EPROTONOSUPPORT, st->path,
				 "was written by a newer cnet (schema too new); left untouched");
	if (schema->valuedouble < 1 || schema->valuedouble != (int)schema->valuedouble)
		return store_err(ctx, -EBADMSG, st->path, "has an unknown schema version; left untouched");
	st->records = cJSON_GetObjectItemCaseSensitive(st->doc, "records");
	if (!cJSON_IsArray(st->records))
		return store_err(ctx, -EBADMSG, st->path, "has no record list; left untouched");
	st->migrated_from = (int)schema->valuedouble;
	if (st->migrated_from == CNET_STORE_SCHEMA) {
		st->migrated_from = 0;
		return 0;
	}
	/* Older: migrated in memory; kept that way by a read-only command,
	 * written back (after a backup) by any other. */
	for (int v = st->migrated_from; v < CNET_STORE_SCHEMA; v++)
		if (migrations[v](st->doc) < 0)
			return cnet_err(ctx, -ENOMEM, "out of memory");
	cJSON_SetNumberValue(schema, CNET_STORE_SCHEMA);
	return 1;
}

static int load(struct cnet_ctx *ctx, struct cnet_store *st, bool read_only)
{
	struct stat sb;
	char *buf = NULL;
	ssize_t n;
	size_t got = 0;
	int fd, r = 0;

	fd = open(st->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			st->doc = cJSON_CreateObject();
			if (!st->doc || !cJSON_AddNumberToObject(st->doc, "schema", CNET_STORE_SCHEMA) ||
			    !(st->records = cJSON_AddArrayToObject(st->doc, "records")))
				return cnet_err(ctx, -ENOMEM, "out of memory");
			return 0;
		}
		return store_err(ctx, -errno, st->path,
				 errno == ELOOP ? "is a symlink; refusing it" : strerror(errno));
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (size_t)sb.st_size > STORE_MAX) {
		r = store_err(ctx, -EINVAL, st->path, "not a regular file of sane size");
		goto out;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		r = cnet_err(ctx, -ENOMEM, "out of memory");
		goto out;
	}
	while (got < (size_t)sb.st_size && (n = read(fd, buf + got, (size_t)sb.st_size - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	r = cnet_store_parse(ctx, st, buf, got);
	if (r <= 0)
		goto out;
	r = 0;
	if (!read_only) {
		r = backup(ctx, st, buf, got, st->migrated_from);
		if (r == 0)
			r = cnet_store_save(ctx, st);
	}
out:
	free(buf);
	close(fd);
	return r;
}

int cnet_store_open(struct cnet_ctx *ctx, struct cnet_store *st, bool read_only)
{
	int r;

	memset(st, 0, sizeof(*st));
	st->lock_fd = -1;
	st->path = strdup(ctx->state_path);
	if (!st->path)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	if (!read_only) {
		r = make_dir(ctx, st->path);
		if (r < 0)
			return r;
	}
	r = take_lock(ctx, st, read_only);
	if (r < 0)
		return r;
	return load(ctx, st, read_only);
}

int cnet_store_save(struct cnet_ctx *ctx, struct cnet_store *st)
{
	char tmp[PATH_MAX], *text, *copy;
	int fd, dfd, r;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%d", st->path, (int)getpid()) >= sizeof(tmp))
		return store_err(ctx, -ENAMETOOLONG, st->path, "path too long");
	r = cnet_fault_point(ctx, CNET_FAULT_STORE, "write the state store");
	if (r < 0)
		return r;
	text = cJSON_Print(st->doc);
	if (!text)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	unlink(tmp); /* a leftover of a killed cnet with our PID */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = store_err(ctx, -errno, st->path, strerror(errno));
		free(text);
		return r;
	}
	r = write_all(fd, text, strlen(text));
	if (r == 0)
		r = write_all(fd, "\n", 1);
	free(text);
	/* Always: a rename of unsynced data over the store can leave it empty
	 * after a power cut (XFS, ext4 without auto_da_alloc). */
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, st->path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return store_err(ctx, r, st->path, strerror(-r));
	}
	/* The rename is durable only once the directory is; a volatile save
	 * leaves that to the next durable one (old or new store, both whole). */
	copy = st->volatile_write ? NULL : strdup(st->path);
	if (copy) {
		dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		free(copy);
	}
	return 0;
}

void cnet_store_close(struct cnet_store *st)
{
	cJSON_Delete(st->doc);
	st->doc = NULL;
	if (st->lock_fd >= 0)
		close(st->lock_fd); /* releases the flock */
	st->lock_fd = -1;
	free(st->path);
	st->path = NULL;
}

cJSON *cnet_record_by_id(const struct cnet_store *st, const char *id)
{
	cJSON *rec;

	cJSON_ArrayForEach(rec, st->records)
	{
		if (!strcmp(cnet_json_str(rec, "id"), id))
			return rec;
	}
	return NULL;
}

int cnet_record_ids(struct cnet_ctx *ctx, const struct cnet_store *st,
		    bool (*keep)(const cJSON *rec, const void *arg), const void *arg, char (**ids)[9],
		    int *n)
{
	const cJSON *rec;

	*n = 0;
	*ids = calloc((size_t)cJSON_GetArraySize(st->records) + 1, sizeof(**ids));
	if (!*ids)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	cJSON_ArrayForEach(rec, st->records)
	{
		if (!keep || keep(rec, arg))
			snprintf((*ids)[(*n)++], 9, "%s", cnet_json_str(rec, "id"));
	}
	return 0;
}

bool cnet_record_is_child(const struct cnet_store *st, const cJSON *rec)
{
	const char *of = cnet_json_str(rec, "slave_of");

	return *of && cnet_record_by_id(st, of);
}
