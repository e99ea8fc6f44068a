/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cnet_dhcp(): renew or release by hand, on a target's --ip dhcp records. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <netlink/msg.h>

#include "attach.h"

struct dhcp_cmd {
	struct cnet_ctx *ctx;
	struct cnet_store *st;
	struct cnet_target *t;
	struct cnet_nl *hnl, *tnl;
	struct cnet_result *res;
};

/* Renewed in place, or, when a new lease is needed, attached anew. */
static int renew(struct dhcp_cmd *c, cJSON *rec)
{
	char reason[1100] = "";
	int r, l;

	cnet_store_unlock(c->st); /* across the DHCP exchange; the target stays locked */
	r = cnet_lease_maintain(c->ctx, c->t->fd, c->tnl, rec, true, reason, sizeof(reason));
	if ((l = cnet_store_relock(c->st)) < 0 && r >= 0)
		r = l;

	if (r == 2 && (r = cnet_record_repair(c->ctx, c->st, c->hnl, c->t, c->tnl, rec, c->res)) == 0) {
		cnet_report_record(c->res,
				   cJSON_GetArrayItem(c->st->records, cJSON_GetArraySize(c->st->records) - 1),
				   "renewed", "a new lease");
		c->res->changed = true;
	} else if (r == 1) {
		cnet_report_record(c->res, rec, "renewed", reason);
		c->res->changed = true;
		r = 0;
	}
	return r;
}

/* DHCPRELEASE, the leased address removed, the lease dropped from the record. */
static int release(struct dhcp_cmd *c, cJSON *rec)
{
	cJSON *d = cJSON_GetObjectItemCaseSensitive(rec, "dhcp");
	struct cnet_linkinfo li;
	struct cnet_lease l;
	struct nl_msg *msg;
	int r;

	if (cnet_lease_from_json(cJSON_GetObjectItemCaseSensitive(d, "lease"), &l) < 0) {
		cnet_report_record(c->res, rec, "ok", "no lease to release");
		return 0;
	}
	struct cnet_ip ip = {.family = AF_INET, .plen = l.plen};
	memcpy(ip.a, &l.addr, 4);
	cnet_lease_release_record(c->ctx, c->t->fd, c->tnl, rec, NULL);
	r = cnet_record_l3(c->tnl, rec, &li);
	if (r == 0)
		r = cnet_addr_build(c->ctx, li.ifindex, &ip, false, false, &msg);
	if (r == 0)
		r = cnet_nl_talk(c->tnl, msg, "remove the leased address");
	if (r == 0 || r == -EADDRNOTAVAIL) {
		cJSON_DeleteItemFromObjectCaseSensitive(d, "lease");
		cnet_report_record(c->res, rec, "released", "");
		c->res->changed = true;
		r = 0;
		cnet_clear_err(c->ctx);
	}
	return r;
}

struct wanted {
	const struct cnet_target *t;
	const char *ifname;
};

static bool wanted(const cJSON *rec, const void *arg)
{
	const struct wanted *w = arg;

	return cnet_record_in_netns(rec, w->t) && cJSON_GetObjectItemCaseSensitive(rec, "dhcp") &&
	       (!w->ifname || !strcmp(cnet_json_str(rec, "ifname"), w->ifname));
}

CNET_EXPORT int cnet_dhcp(struct cnet_ctx *ctx, const char *target, const char *ifname, int op,
			  struct cnet_result **out)
{
	struct cnet_store st = {.lock_fd = -1, .jfd = -1};
	struct cnet_target t = {.fd = -1, .proc_fd = -1};
	struct dhcp_cmd c = {.ctx = ctx, .st = &st, .t = &t};
	struct wanted w = {.t = &t, .ifname = ifname};
	char (*ids)[9] = NULL;
	int r, n = 0, failed = 0, matched = 0;

	cnet_clear_err(ctx);
	if (!target || !*target)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "empty target");
	if (op != CNET_DHCP_RENEW && op != CNET_DHCP_RELEASE)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "unknown DHCP operation %d", op);
	if (ifname && (r = cnet_check_ifname(ctx, ifname)) < 0)
		return r;
	r = cnet_result_new(ctx, &c.res);
	if (r < 0)
		return r;
	/* Lock order (store.c): the target, then the store. */
	r = cnet_store_init(ctx, &st, false);
	if (r == 0)
		r = cnet_target_resolve(ctx, target, &t);
	if (r == 0)
		r = cnet_store_lock_target(&st, &t, true);
	if (r == 0)
		r = cnet_store_relock(&st);
	if (r == 0)
		r = cnet_store_load_netns(&st, &t);
	if (r == 0)
		r = cnet_nl_open(ctx, -1, &c.hnl);
	if (r == 0)
		r = cnet_nl_open(ctx, t.fd, &c.tnl);
	if (r < 0)
		goto out;
	t.cookie = cnet_nl_netns_cookie(c.tnl);
	/* this target's records are the ones parsed */
	ids = calloc((size_t)cJSON_GetArraySize(st.records) + 1, sizeof(*ids));
	if (!ids) {
		r = cnet_err(ctx, -ENOMEM, "out of memory");
		goto out;
	}
	{
		cJSON *rec;
		cJSON_ArrayForEach(rec, st.records)
		{
			if (wanted(rec, &w))
				snprintf(ids[n++], 9, "%s", cnet_json_str(rec, "id"));
		}
	}
	for (int i = 0; i < n; i++) {
		cJSON *rec = cnet_record_by_id(&st, ids[i]);
		if (!rec)
			continue;
		matched++;
		r = op == CNET_DHCP_RENEW ? renew(&c, rec) : release(&c, rec);
		if (r < 0) {
			char reason[1100];
			snprintf(reason, sizeof(reason), "%s", *ctx->errmsg ? ctx->errmsg : strerror(-r));
			cnet_clear_err(ctx);
			cnet_report_record(c.res, rec, "failed", reason);
			failed++;
		}
	}
	if (!matched) {
		r = cnet_errc(ctx, CNET_ERR_TARGET, -ENOENT, "no --ip dhcp attachment%s%s is recorded for %s",
			      ifname ? " " : "", ifname ? ifname : "", target);
		goto out;
	}
	if (c.res->changed) {
		r = cnet_store_save(ctx, &st);
		if (r < 0)
			goto out;
	}
	r = failed;
	if (out) {
		*out = c.res;
		c.res = NULL;
	}
out:
	free(ids);
	cnet_nl_close(c.tnl);
	cnet_nl_close(c.hnl);
	cnet_target_close(&t);
	cnet_store_close(&st);
	cnet_result_free(c.res);
	return r;
}
