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

TEST(test_store_missing_is_empty_and_saves_0600, "a missing store reads as empty; a save writes snapshot and journal 0600")
{
	struct cnet_ctx *ctx = with_store(NULL);
	struct cnet_store st;
	struct stat sb;
	char jpath[160];

	CHECK(cnet_store_open(ctx, &st, false) == 0);
	CHECK(st.n_live == 0);
	CHECK(cnet_store_load_all(&st) == 0 && cJSON_GetArraySize(st.records) == 0);
	cJSON_AddItemToArray(st.records, cJSON_Parse("{\"id\":\"0123abcd\",\"target\":\"x\"}"));
	CHECK(cnet_store_save(ctx, &st) == 0);
	cnet_store_close(&st);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	CHECK(strstr(slurp(path), "\"schema\":3") != NULL);
	snprintf(jpath, sizeof(jpath), "%s.journal", path);
	CHECK(stat(jpath, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	CHECK(!strncmp(slurp(jpath), "cnet-journal 1\n", 15));
	CHECK(strstr(slurp(jpath) + 15, "{\"put\":{\"id\":\"0123abcd\"") != NULL);
	cleanup(ctx);
}

TEST(test_crc32c_vector, "CRC32C of \"123456789\" is e3069283 (RFC 3720)")
{
	CHECK(cnet_crc32c("123456789", 9) == 0xe3069283u);
	CHECK(cnet_crc32c("", 0) == 0);
}

/* A journal entry as cnet writes it. */
static void entry(char *out, const char *json)
{
	sprintf(out + strlen(out), "%08x %s\n", cnet_crc32c(json, strlen(json)), json);
}

TEST(test_journal_replay, "journal over snapshot: put replaces in place or appends, del removes")
{
	struct cnet_ctx *ctx = with_store(NULL);
	struct cnet_store st;
	const char *snap = "{\"schema\":3,\"records\":[\n{\"id\":\"00000001\",\"v\":1},\n"
			   "{\"id\":\"00000002\",\"v\":1}\n]}\n";
	char j[1024] = "cnet-journal 1\n";
	char (*ids)[9];
	int n;

	entry(j, "{\"put\":{\"id\":\"00000001\",\"v\":2}}");
	entry(j, "{\"put\":{\"id\":\"00000003\",\"v\":1}}");
	entry(j, "{\"del\":\"00000002\"}");
	CHECK(cnet_store_init(ctx, &st, true) == 0);
	CHECK(cnet_store_read_bytes(&st, snap, strlen(snap), j, strlen(j) + 1) == 0);
	CHECK(st.n_live == 2 && st.n_entries == 3 && !st.jtorn);
	CHECK(cnet_record_ids(ctx, &st, NULL, NULL, NULL, &ids, &n) == 0);
	CHECK(n == 2 && !strcmp(ids[0], "00000001") && !strcmp(ids[1], "00000003"));
	free(ids);
	/* a needle: only the records whose text holds it are taken */
	CHECK(cnet_record_ids(ctx, &st, "\"v\":1", NULL, NULL, &ids, &n) == 0);
	CHECK(n == 1 && !strcmp(ids[0], "00000003"));
	free(ids);
	CHECK(cnet_json_int(cnet_record_by_id(&st, "00000001"), "v", 0, 9, 0) == 2);
	CHECK(cnet_record_by_id(&st, "00000002") == NULL);
	cnet_store_close(&st);
	cleanup(ctx);
}

TEST(test_journal_torn_tail, "a torn last entry is ignored; a bad one before a good one is a store error")
{
	struct cnet_ctx *ctx = with_store(NULL);
	struct cnet_store st;
	char j[1024] = "cnet-journal 1\n", bad[1024];

	entry(j, "{\"put\":{\"id\":\"00000001\",\"v\":1}}");
	strcpy(bad, j);
	strcat(j, "0000abcd {\"put\":{\"id\":\"0000"); /* cut short */
	CHECK(cnet_store_init(ctx, &st, true) == 0);
	CHECK(cnet_store_read_bytes(&st, NULL, 0, j, strlen(j)) == 0);
	CHECK(st.n_live == 1 && st.jtorn > 0);
	cnet_store_close(&st);
	strcat(bad, "deadbeef {\"del\":\"00000001\"}\n"); /* bad CRC, then a good entry */
	entry(bad, "{\"put\":{\"id\":\"00000002\",\"v\":1}}");
	CHECK(cnet_store_init(ctx, &st, true) == 0);
	CHECK(cnet_store_read_bytes(&st, NULL, 0, bad, strlen(bad)) == -EBADMSG);
	CHECK(cnet_ctx_errclass(ctx) == CNET_ERR_STORE);
	cnet_store_close(&st);
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
