/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The records a CNI runtime owns, found by what the runtime names them by
 * (network, container ID, ifname) rather than by a namespace: a runtime's
 * DEL may come with the namespace gone or not named at all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "attach.h"

struct cni_key {
	const char *network, *container, *ifname;
	const char *const *valid; /* GC: "CONTAINER/IFNAME" kept */
	size_t n_valid;
};

static bool owned_by(const cJSON *rec, const struct cni_key *k)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "cni");

	return cJSON_IsObject(o) && !*cnet_json_str(rec, "slave_of") &&
	       !strcmp(cnet_json_str(o, "network"), k->network);
}

static bool del_keep(const cJSON *rec, const void *arg)
{
	const struct cni_key *k = arg;

	return owned_by(rec, k) &&
	       !strcmp(cnet_json_str(cJSON_GetObjectItemCaseSensitive(rec, "cni"), "container"),
		       k->container) &&
	       (!k->ifname || !strcmp(cnet_json_str(rec, "ifname"), k->ifname));
}

static bool gc_keep(const cJSON *rec, const void *arg)
{
	const struct cni_key *k = arg;
	const char *c = cnet_json_str(cJSON_GetObjectItemCaseSensitive(rec, "cni"), "container");
	const char *ifname = cnet_json_str(rec, "ifname");
	size_t n = strlen(c);

	if (!owned_by(rec, k))
		return false;
	for (size_t i = 0; i < k->n_valid; i++)
		if (k->valid[i] && !strncmp(k->valid[i], c, n) && k->valid[i][n] == '/' &&
		    !strcmp(k->valid[i] + n + 1, ifname))
			return false;
	return true;
}

/* A needle the text of every record keep() picks holds (cnet_store_load_text's
 * form; CNI names need no escaping): most records are never parsed. */
static void cni_needle(char *buf, size_t size, const char *key, const char *value)
{
	snprintf(buf, size, "\"%s\":\"%s\"", key, value);
}

/* Each record keep() picks, undone and dropped one at a time. */
static int remove_each(struct cnet_ctx *ctx, bool (*keep)(const cJSON *, const void *),
		       const struct cni_key *k, bool dry, bool gc, struct cnet_result **out)
{
	struct cnet_walk w;
	struct cnet_result *res = NULL;
	char needle[CNET_CNI_NAME_MAX + 16];
	int r, failed = 0;

	if (k->container)
		cni_needle(needle, sizeof(needle), "container", k->container);
	else
		cni_needle(needle, sizeof(needle), "network", k->network);
	r = cnet_result_new(ctx, &res);
	if (r < 0)
		return r;
	r = cnet_walk_open(ctx, &w, dry);
	if (r == 0)
		r = cnet_record_ids(ctx, &w.st, needle, keep, k, &w.ids, &w.n);
	for (int i = 0; r >= 0 && i < w.n; i++) {
		cnet_clear_err(ctx);
		r = cnet_record_remove(ctx, &w.st, w.hnl, w.ids[i], dry, res);
		if (r < 0 && gc && ctx->errclass != CNET_ERR_STORE) {
			/* GC goes on; the record stays, said failed */
			cJSON *rec = cnet_record_by_id(&w.st, w.ids[i]);
			if (rec)
				cnet_report_record(res, rec, "failed", ctx->errmsg);
			cnet_clear_err(ctx);
			failed++;
			r = 0;
		}
		if (r >= 0 && !dry && res->changed)
			r = cnet_store_save(ctx, &w.st);
		cnet_store_drop_view(&w.st);
	}
	if (r >= 0 && !w.n)
		cnet_result_add_action(res, "nothing recorded for CNI network %s%s%s", k->network,
				       k->container ? ", container " : "", k->container ? k->container : "");
	if (r >= 0 && out) {
		*out = res;
		res = NULL;
	}
	cnet_walk_close(&w);
	cnet_result_free(res);
	return r < 0 ? r : failed;
}

CNET_EXPORT int cnet_cni_del(struct cnet_ctx *ctx, const char *network, const char *container_id,
			     const char *ifname, unsigned int flags, struct cnet_result **res)
{
	struct cni_key k = {.network = network, .container = container_id, .ifname = ifname};
	int r;

	cnet_clear_err(ctx);
	if (!cnet_cni_name_ok(network))
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "invalid CNI network name '%s'",
				 network ? network : "");
	if (!cnet_cni_name_ok(container_id))
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "invalid CNI container ID '%s'",
				 container_id ? container_id : "");
	if (ifname && (r = cnet_check_ifname(ctx, ifname)) < 0)
		return r;
	if (flags & ~CNET_DETACH_DRY_RUN)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "unknown flags %#x", flags);
	return remove_each(ctx, del_keep, &k, flags & CNET_DETACH_DRY_RUN, false, res);
}

CNET_EXPORT int cnet_cni_gc(struct cnet_ctx *ctx, const char *network, const char *const *valid,
			    size_t n_valid, unsigned int flags, struct cnet_result **res)
{
	struct cni_key k = {.network = network, .valid = valid, .n_valid = n_valid};

	cnet_clear_err(ctx);
	if (!cnet_cni_name_ok(network))
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "invalid CNI network name '%s'",
				 network ? network : "");
	if (n_valid && !valid)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "no list of valid attachments");
	if (flags & ~CNET_GC_DRY_RUN)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "unknown gc flags %#x", flags);
	return remove_each(ctx, gc_keep, &k, flags & CNET_GC_DRY_RUN, true, res);
}
