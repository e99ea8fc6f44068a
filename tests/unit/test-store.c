/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store: what it refuses to read, and that it never overwrites it. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cnet-internal.h"
#include "unit.h"

static char dir[64], path[128];

static struct cnet_ctx *with_store(const char *content)
{
	struct cnet_ctx *ctx;
	FILE *f;

	strcpy(dir, "/tmp/cnet-unit-XXXXXX");
	if (!mkdtemp(dir))
		return NULL;
	snprintf(path, sizeof(path), "%s/state.json", dir);
	if (content) {
		f = fopen(path, "w");
		fputs(content, f);
		fclose(f);
	}
	cnet_ctx_new(&ctx);
	cnet_ctx_set_state_path(ctx, path);
	return ctx;
}

static void cleanup(struct cnet_ctx *ctx)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup of %s failed\n", dir);
	cnet_ctx_free(ctx);
}

static char *slurp(const char *p)
{
	static char buf[4096];
	FILE *f = fopen(p, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

TEST(test_store_missing_is_empty_and_saves_0600, "a missing store reads as empty and is written 0600")
{
	struct cnet_ctx *ctx = with_store(NULL);
	struct cnet_store st;
	struct stat sb;

	CHECK(cnet_store_open(ctx, &st, false) == 0);
	CHECK(cJSON_GetArraySize(st.records) == 0);
	CHECK(cnet_store_save(ctx, &st) == 0);
	cnet_store_close(&st);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	CHECK(strstr(slurp(path), "\"schema\"") != NULL);
	cleanup(ctx);
}

TEST(test_store_corrupt_is_refused_and_kept, "a store that is not JSON is a store error and stays as it was")
{
	struct cnet_ctx *ctx = with_store("{\"schema\": 1, \"records\": [");
	struct cnet_store st;

	CHECK(cnet_store_open(ctx, &st, false) == -EBADMSG);
	cnet_store_close(&st);
	CHECK(cnet_ctx_errclass(ctx) == CNET_ERR_STORE);
	CHECK(!strcmp(slurp(path), "{\"schema\": 1, \"records\": ["));
	cleanup(ctx);
}

TEST(test_store_newer_schema_is_refused, "a store from a newer cnet is refused, not rewritten")
{
	struct cnet_ctx *ctx = with_store("{\"schema\": 99, \"records\": []}");
	struct cnet_store st;

	CHECK(cnet_store_open(ctx, &st, false) == -EPROTONOSUPPORT);
	cnet_store_close(&st);
	CHECK(cnet_ctx_errclass(ctx) == CNET_ERR_STORE);
	CHECK(strstr(cnet_ctx_errmsg(ctx), "newer") != NULL);
	cleanup(ctx);
}

TEST(test_store_symlink_is_refused, "a store path that is a symlink is never followed")
{
	struct cnet_ctx *ctx = with_store(NULL);
	struct cnet_store st;
	char target[160];

	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	CHECK(symlink(target, path) == 0);
	CHECK(cnet_store_open(ctx, &st, false) == -ELOOP);
	cnet_store_close(&st);
	CHECK(cnet_ctx_errclass(ctx) == CNET_ERR_STORE);
	CHECK(access(target, F_OK) != 0);
	cleanup(ctx);
}

TEST(test_store_no_record_list_is_refused, "a store without a record list is refused")
{
	struct cnet_ctx *ctx = with_store("{\"schema\": 1}");
	struct cnet_store st;

	CHECK(cnet_store_open(ctx, &st, false) == -EBADMSG);
	cnet_store_close(&st);
	cleanup(ctx);
}
