/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cnet_gc(): the records whose target is gone, undone as detach would and
 * dropped. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "attach.h"

/* A record whose target is gone: undone (dry: listed) and dropped. 0, or
 * 1 when it failed (reported). */
static int collect(struct cnet_ctx *ctx, struct cnet_store *st, struct cnet_nl *hnl, cJSON *rec,
		   unsigned int flags, struct cnet_result *res)
{
	struct cnet_target t = {.fd = -1, .proc_fd = -1};
	bool dry = flags & CNET_GC_DRY_RUN;
	char why[128] = "", id[9], owner[600];
	int c;

	/* Asked without the store lock (an engine's answer can take long);
	 * then, locked again, the record must still be there as it was. */
	snprintf(id, sizeof(id), "%s", cnet_json_str(rec, "id"));
	cnet_store_unlock(st);
	c = cnet_record_target(ctx, rec, &t, why, sizeof(why));
	if (c >= 0 && !dry) {
		int r = cnet_store_relock(st);
		if (r < 0) {
			cnet_target_close(&t);
			return r;
		}
		rec = cnet_store_has(st, id) ? cnet_record_by_id(st, id) : NULL;
		if (!rec) {
			cnet_target_close(&t);
			return 0; /* undone by another cnet meanwhile */
		}
	}
	if (c == 0) {
		cnet_target_close(&t);
		return 0; /* still there: reapply's business, not gc's */
	}
	if (c > 0 && !(flags & CNET_GC_FORCE) && cnet_record_owner(rec, owner, sizeof(owner))) {
		cnet_report_record(res, rec, "owned", owner);
	} else if (c > 0) {
		res->changed = true;
		if (dry) {
			cnet_report_record(res, rec, "gone", why);
		} else {
			cnet_record_release_gone(ctx, rec, res);
			c = cnet_record_undo(ctx, res, st, &t, hnl, NULL, rec);
			if (c == 0) {
				cnet_report_record(res, rec, "removed", why);
				cJSON_Delete(cJSON_DetachItemViaPointer(st->records, rec));
			}
		}
	}
	cnet_target_close(&t);
	if (c >= 0)
		return 0;
	cnet_report_record(res, rec, "failed", *ctx->errmsg ? ctx->errmsg : strerror(-c));
	cnet_clear_err(ctx);
	return 1;
}

CNET_EXPORT int cnet_gc(struct cnet_ctx *ctx, unsigned int flags, struct cnet_result **out)
{
	struct cnet_walk w = {.st = {.lock_fd = -1, .jfd = -1}};
	struct cnet_result *res = NULL;
	bool dry = flags & CNET_GC_DRY_RUN;
	int r, failed = 0;

	cnet_clear_err(ctx);
	if (flags & ~(CNET_GC_DRY_RUN | CNET_GC_FORCE))
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "unknown gc flags %#x", flags);
	r = cnet_result_new(ctx, &res);
	if (r < 0)
		return r;
	r = cnet_walk_open(ctx, &w, dry);
	/* By id: undoing a composite removes its children's records too. */
	if (r == 0)
		r = cnet_record_ids(ctx, &w.st, NULL, NULL, NULL, &w.ids, &w.n);
	if (r < 0)
		goto out;
	/* One record at a time in memory; each undo appended as it is done,
	 * synced once at the end. */
	w.st.volatile_write = true;
	for (int i = 0; i < w.n; i++) {
		cJSON *rec;
		cnet_clear_err(ctx);
		rec = cnet_record_by_id(&w.st, w.ids[i]);
		if (!rec && ctx->errclass == CNET_ERR_STORE) {
			r = -EBADMSG; /* a record that does not parse: said, not skipped */
			goto out;
		}
		/* gone with its parent, or its parent's undo takes it */
		if (rec && !cnet_record_is_child(&w.st, rec)) {
			int c = collect(ctx, &w.st, w.hnl, rec, flags, res);
			if (c < 0) {
				r = c;
				goto out;
			}
			failed += c;
		}
		if (!dry && (r = cnet_store_save(ctx, &w.st)) < 0)
			goto out;
		cnet_store_drop_view(&w.st);
	}
	if (res->changed && !dry) {
		r = cnet_store_sync(&w.st);
		if (r < 0)
			goto out;
	}
	r = failed;
	if (out) {
		*out = res;
		res = NULL;
	}
out:
	cnet_walk_close(&w);
	cnet_result_free(res);
	return r;
}
