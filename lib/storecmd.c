/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cnet store check | compact: the store's files verified, or folded now. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cnet-internal.h"

/* ---- cnet store check | compact -------------------------------------------- */

static void describe(struct cnet_store *st, struct cnet_result *res, size_t snap_records)
{
	cJSON *o = cJSON_CreateObject(), *s, *j;
	char *jpath = cnet_store_journal_path(st);

	if (!o || !jpath)
		goto out;
	s = cJSON_AddObjectToObject(o, "snapshot");
	cJSON_AddStringToObject(s, "path", st->path);
	cJSON_AddNumberToObject(s, "schema", st->migrated_from ? st->migrated_from : CNET_STORE_SCHEMA);
	cJSON_AddNumberToObject(s, "records", (double)snap_records);
	cJSON_AddNumberToObject(s, "bytes", (double)st->snap_file);
	j = cJSON_AddObjectToObject(o, "journal");
	cJSON_AddStringToObject(j, "path", jpath);
	cJSON_AddNumberToObject(j, "entries", st->n_entries);
	cJSON_AddNumberToObject(j, "puts", st->n_puts);
	cJSON_AddNumberToObject(j, "deletes", st->n_dels);
	cJSON_AddNumberToObject(j, "bytes", (double)(st->jino ? st->jend : 0));
	cJSON_AddBoolToObject(j, "torn_tail", st->jtorn > 0);
	cJSON_AddNumberToObject(o, "records", (double)st->n_live);
	cnet_result_add_record(res, o);
out:
	cJSON_Delete(o);
	free(jpath);
}

/* Read as a writer would (everything after the journal's end checked),
 * every record parsed; and the snapshot alone, for its own count. */
static int check_all(struct cnet_store *st, size_t *snap_records)
{
	struct cnet_store snap_only;
	int r;

	r = cnet_store_init(st->ctx, &snap_only, true);
	if (r == 0) {
		r = cnet_store_load_snapshot_only(&snap_only);
	}
	*snap_records = snap_only.n_live;
	cnet_store_close(&snap_only);
	if (r < 0)
		return r;
	st->read_only = false; /* the whole journal is checked, as a writer checks it */
	r = cnet_store_load_files(st);
	st->read_only = true;
	if (r == 0)
		r = cnet_store_load_all(st);
	return r;
}

CNET_EXPORT int cnet_store_check(struct cnet_ctx *ctx, struct cnet_result **out)
{
	struct cnet_store st = {.lock_fd = -1, .jfd = -1};
	struct cnet_result *res = NULL;
	size_t snap_records = 0;
	int r;

	cnet_clear_err(ctx);
	r = cnet_result_new(ctx, &res);
	if (r == 0)
		r = cnet_store_init(ctx, &st, true);
	if (r == 0)
		r = check_all(&st, &snap_records);
	if (r == 0) {
		describe(&st, res, snap_records);
		cnet_result_add_action(res, "state store %s: %zu records (%zu in the snapshot, %u journal entries)",
				       st.path, st.n_live, snap_records, st.n_entries);
		if (st.jtorn)
			cnet_result_add_action(res, "ignored a torn last journal entry (%zu bytes)", st.jtorn);
	}
	cnet_store_close(&st);
	if (r == 0 && out)
		*out = res;
	else
		cnet_result_free(res);
	return r;
}

CNET_EXPORT int cnet_store_compact(struct cnet_ctx *ctx, struct cnet_result **out)
{
	struct cnet_store st = {.lock_fd = -1, .jfd = -1};
	struct cnet_result *res = NULL;
	unsigned int entries = 0;
	int r;

	cnet_clear_err(ctx);
	r = cnet_result_new(ctx, &res);
	if (r == 0)
		r = cnet_store_init(ctx, &st, false);
	if (r == 0 && (r = cnet_store_lock(&st)) == 0 && (r = cnet_store_load_files(&st)) == 0) {
		entries = st.n_entries;
		if (entries || st.jtorn || st.migrated_from || st.snap_whole) {
			r = cnet_store_compact_now(&st);
			res->changed = true;
		}
	}
	if (r == 0) {
		describe(&st, res, st.n_live);
		if (res->changed)
			cnet_result_add_action(res, "folded %u journal entries into %s", entries, st.path);
		else
			cnet_result_add_action(res, "nothing to fold in %s", st.path);
	}
	cnet_store_close(&st);
	if (r == 0 && out)
		*out = res;
	else
		cnet_result_free(res);
	return r;
}
