/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Store schemas: a whole document checked (what a store of an older
 * schema, or one edited by hand, is read as) and migrated in memory; the
 * backup of an old store's bytes, kept before it is rewritten; and files
 * written whole (a snapshot, a new journal).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cnet-internal.h"

static int store_err(struct cnet_ctx *ctx, int r, const char *path, const char *what)
{
	return cnet_errc(ctx, CNET_ERR_STORE, r, "state store %s: %s", path, what);
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

static void sync_dir(const char *path)
{
	char *copy = strdup(path);
	int dfd;

	if (!copy)
		return;
	dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
}

/* path, whole: a temporary file (a, then zeros bytes of NUL), fsync,
 * rename, fsync of the directory. */
int cnet_store_write_whole(struct cnet_ctx *ctx, const char *path, const char *a, size_t alen,
		       const char *b, size_t blen, size_t zeros)
{
	char tmp[PATH_MAX];
	int fd, r;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= sizeof(tmp))
		return store_err(ctx, -ENAMETOOLONG, path, "path too long");
	unlink(tmp); /* a leftover of a killed cnet with our PID */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return store_err(ctx, -errno, path, strerror(errno));
	r = write_all(fd, a, alen);
	if (r == 0 && blen)
		r = write_all(fd, b, blen);
	if (r == 0 && zeros) {
		char *z = calloc(1, zeros);
		r = z ? write_all(fd, z, zeros) : -ENOMEM;
		free(z);
	}
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return store_err(ctx, r, path, strerror(-r));
	}
	sync_dir(path);
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

static int migrate_none(cJSON *doc)
{
	(void)doc;
	return 0;
}

/* migrations[N] turns schema N into N + 1 (2 to 3 changes only the files). */
static int (*const migrations[CNET_STORE_SCHEMA])(cJSON *doc) = {[1] = migrate_1, [2] = migrate_none};

/* The old store's bytes, as read, in PATH.schemaN.TIME.bak (never replacing
 * a file), synced with its directory before the migrated store is written. */
int cnet_store_backup(struct cnet_ctx *ctx, struct cnet_store *st, const char *buf, size_t len,
		  int schema)
{
	char bak[PATH_MAX], stamp[32], *copy;
	time_t now = time(NULL);
	struct tm tm;
	int fd, dfd, r;

	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime_r(&now, &tm));
	/* a migration killed before it finished may have left one this second */
	for (int n = 0;; n++) {
		char nth[16] = "";
		if (n)
			snprintf(nth, sizeof(nth), ".%d", n);
		if ((size_t)snprintf(bak, sizeof(bak), "%s.schema%d.%s%s.bak", st->path, schema, stamp,
				     nth) >= sizeof(bak))
			return store_err(ctx, -ENAMETOOLONG, st->path, "path too long");
		fd = open(bak, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST || n == 99)
			break;
	}
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


