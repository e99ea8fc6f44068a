/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store with two cnets at once: what one only read is never written
 * back over what the other did meanwhile; a pending delete survives the
 * other's compaction; lookups by text find records after a longer put. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cnet-internal.h"
#include "unit.h"

static char dir[64], path[128];

static struct cnet_ctx *new_ctx(void)
{
	struct cnet_ctx *ctx;

	cnet_ctx_new(&ctx);
	cnet_ctx_set_state_path(ctx, path);
	return ctx;
}

static void make_dir(void)
{
	strcpy(dir, "/tmp/cnet-unit-XXXXXX");
	if (mkdtemp(dir))
		snprintf(path, sizeof(path), "%s/state.json", dir);
}

static void remove_dir(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup of %s failed\n", dir);
}

/* A store holding these records (one save of a fresh store). */
static int seed(const char *const *recs, size_t n)
{
	struct cnet_ctx *ctx = new_ctx();
	struct cnet_store st;
	int r = cnet_store_open(ctx, &st, false);

	if (r == 0)
		r = cnet_store_load_all(&st);
	for (size_t i = 0; r == 0 && i < n; i++)
		cJSON_AddItemToArray(st.records, cJSON_Parse(recs[i]));
	if (r == 0)
		r = cnet_store_save(ctx, &st);
	cnet_store_close(&st);
	cnet_ctx_free(ctx);
	return r;
}

/* The ids a fresh reader sees, joined by spaces. */
static const char *ids_now(void)
{
	static char out[256];
	struct cnet_ctx *ctx = new_ctx();
	struct cnet_store st;
	char (*ids)[9] = NULL;
	int n = 0;

	out[0] = '\0';
	if (cnet_store_open(ctx, &st, true) == 0 && cnet_record_ids(ctx, &st, NULL, NULL, NULL, &ids, &n) == 0)
		for (int i = 0; i < n; i++)
			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? " " : "", ids[i]);
	free(ids);
	cnet_store_close(&st);
	cnet_ctx_free(ctx);
	return out;
}

static const char *const two[] = {"{\"id\":\"0000000a\",\"target\":\"netns:a\",\"v\":1}",
				  "{\"id\":\"0000000b\",\"target\":\"netns:b\",\"v\":1}"};

TEST(test_view_read_only_not_written_back,
     "a record one cnet only read and another deleted or changed meanwhile is not written back")
{
	struct cnet_ctx *ca, *cb;
	struct cnet_store a, b;
	cJSON *rb;

	make_dir();
	CHECK(seed(two, 2) == 0);
	ca = new_ctx();
	cb = new_ctx();
	/* A reads b's record (as an sriov attach reads the record of a VF's
	 * holder), changes its own, and lets the store go (DHCP) */
	CHECK(cnet_store_open(ca, &a, false) == 0);
	CHECK(cnet_record_by_id(&a, "0000000b") != NULL);
	cJSON_ReplaceItemInObject(cnet_record_by_id(&a, "0000000a"), "v", cJSON_CreateNumber(2));
	cnet_store_unlock(&a);
	/* B deletes b's record */
	CHECK(cnet_store_open(cb, &b, false) == 0);
	CHECK(cnet_store_load_all(&b) == 0);
	rb = cnet_record_by_id(&b, "0000000b");
	CHECK(rb != NULL);
	cJSON_Delete(cJSON_DetachItemViaPointer(b.records, rb));
	CHECK(cnet_store_save(cb, &b) == 0);
	cnet_store_close(&b);
	/* A takes the store again and saves what it did */
	CHECK(cnet_store_relock(&a) == 0);
	CHECK(cnet_store_save(ca, &a) == 0);
	cnet_store_close(&a);
	CHECK(!strcmp(ids_now(), "0000000a"));
	cnet_ctx_free(ca);
	cnet_ctx_free(cb);
	remove_dir();
}

TEST(test_view_delete_survives_compaction,
     "a delete pending in one cnet's view is written after another cnet compacted the store")
{
	struct cnet_ctx *ca, *cb;
	struct cnet_store a, b;

	make_dir();
	CHECK(seed(two, 2) == 0);
	ca = new_ctx();
	cb = new_ctx();
	CHECK(cnet_store_open(ca, &a, false) == 0);
	cJSON_Delete(cJSON_DetachItemViaPointer(a.records, cnet_record_by_id(&a, "0000000a")));
	cnet_store_unlock(&a);
	CHECK(cnet_store_open(cb, &b, false) == 0);
	CHECK(cnet_store_compact_now(&b) == 0);
	cnet_store_close(&b);
	CHECK(cnet_store_relock(&a) == 0);
	CHECK(cnet_store_save(ca, &a) == 0);
	cnet_store_close(&a);
	CHECK(!strcmp(ids_now(), "0000000b"));
	cnet_ctx_free(ca);
	cnet_ctx_free(cb);
	remove_dir();
}

TEST(test_text_lookup_after_longer_put,
     "a lookup by text finds a snapshot record that follows one the journal made longer")
{
	static const char *const three[] = {"{\"id\":\"00000001\",\"target\":\"netns:x\"}",
					    "{\"id\":\"00000002\",\"target\":\"netns:y\"}",
					    "{\"id\":\"00000003\",\"target\":\"netns:web\"}"};
	struct cnet_ctx *ctx;
	struct cnet_store st;
	cJSON *r2;

	make_dir();
	CHECK(seed(three, 3) == 0);
	ctx = new_ctx();
	CHECK(cnet_store_open(ctx, &st, false) == 0);
	CHECK(cnet_store_compact_now(&st) == 0); /* all three in the snapshot */
	cnet_store_close(&st);
	CHECK(cnet_store_open(ctx, &st, false) == 0);
	r2 = cnet_record_by_id(&st, "00000002");
	CHECK(r2 != NULL);
	cJSON_AddStringToObject(r2, "note", "a good deal longer than it was in the snapshot");
	CHECK(cnet_store_save(ctx, &st) == 0);
	cnet_store_close(&st);
	CHECK(cnet_store_open(ctx, &st, true) == 0);
	CHECK(cnet_store_load_text(&st, "target", "netns:web") == 0);
	CHECK(cJSON_GetArraySize(st.records) == 1);
	cnet_store_close(&st);
	cnet_ctx_free(ctx);
	remove_dir();
}

/* A journal entry as cnet writes it. */
static void entry(char *out, const char *json)
{
	sprintf(out + strlen(out), "%08x %s\n", cnet_crc32c(json, strlen(json)), json);
}

TEST(test_journal_lost_page_is_torn,
     "a power cut's lost page (NULs, then the rest of an entry and later entries) ends the journal; garbage does not")
{
	struct cnet_ctx *ctx;
	struct cnet_store st;
	char j[1024] = "cnet-journal 1\n", *gap;
	size_t n;

	make_dir();
	ctx = new_ctx();
	entry(j, "{\"put\":{\"id\":\"00000001\",\"v\":1}}");
	gap = j + strlen(j);
	entry(j, "{\"put\":{\"id\":\"00000002\",\"v\":1}}");
	entry(j, "{\"put\":{\"id\":\"00000003\",\"v\":1}}");
	n = strlen(j);
	memset(gap, 0, 20); /* the second entry's start never reached the disk */
	CHECK(cnet_store_init(ctx, &st, true) == 0);
	CHECK(cnet_store_read_bytes(&st, NULL, 0, j, n) == 0);
	CHECK(st.n_live == 1 && st.jtorn > 0);
	cnet_store_close(&st);
	memset(gap, 'x', 20); /* the same bytes as garbage: damage */
	CHECK(cnet_store_init(ctx, &st, true) == 0);
	CHECK(cnet_store_read_bytes(&st, NULL, 0, j, n) == -EBADMSG);
	cnet_store_close(&st);
	cnet_ctx_free(ctx);
	remove_dir();
}
