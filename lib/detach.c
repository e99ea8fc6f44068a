/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cnet_detach(): undo what a record says attach did, whether or not the
 * container's namespace still exists. When a namespace dies the kernel
 * deletes the virtual links in it (macvlan, veth pairs) and hands physical
 * devices back to the host's namespace under whatever name they had; what
 * detach needs to find and restore them was recorded at attach time. What
 * only a kind knows is its table's undo (kind.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "attach.h"

struct ctx_detach {
	struct cnet_ctx *ctx;
	struct cnet_result *res;
	struct cnet_store *st;
	struct cnet_target *t;
	struct cnet_nl *hnl, *tnl;
	bool dry_run;
};

/* A link the record made, in its live namespace: by recorded ifindex
 * with its mark, else, after a crash, by the temporary name or the final
 * name with cnet's mark. */
static int find_ours(struct ctx_detach *d, const cJSON *rec, int ifindex, struct cnet_linkinfo *li)
{
	char tmp[IFNAMSIZ];

	if (ifindex > 0 && cnet_link_get(d->tnl, ifindex, NULL, li) == 0 && cnet_record_marks(rec, li))
		return 0;
	cnet_tmp_name(tmp, cnet_json_str(rec, "id"));
	if (cnet_link_get(d->tnl, 0, tmp, li) == 0)
		return 0; /* the temporary name is unique to this record */
	if (cnet_link_get(d->tnl, 0, cnet_json_str(rec, "ifname"), li) == 0 && cnet_record_marks(rec, li))
		return 0;
	cnet_clear_err(d->ctx);
	return -ENODEV;
}

/* Put back the default routes --gw replaced, for each family in which
 * nothing has taken their place meanwhile. */
static void restore_routes(struct ctx_detach *d, const cJSON *rec)
{
	struct cnet_routes saved = {0};
	struct cnet_rt now;
	bool taken[2];

	cnet_routes_from_json(cJSON_GetObjectItemCaseSensitive(rec, "replaced_routes"), &saved);
	if (!saved.n)
		return;
	taken[0] = cnet_route_defaults(d->tnl, AF_INET, &now, 1) != 0;
	taken[1] = cnet_route_defaults(d->tnl, AF_INET6, &now, 1) != 0;
	for (size_t i = 0; i < saved.n; i++) {
		const struct rtmsg *rtm = mnl_nlmsg_get_payload(saved.msg[i]);
		if (taken[rtm->rtm_family == AF_INET6])
			continue;
		cnet_result_warn_failed(d->ctx, d->res,
			    cnet_route_replay(d->tnl, saved.msg[i], true, 0, 0,
					      "restore the old default route"),
			    "restore the previous default route");
	}
	cnet_routes_free(&saved);
}

static int undo(struct ctx_detach *d, cJSON *rec);
static int record_netns(struct cnet_ctx *ctx, const cJSON *rec, struct cnet_target *t,
			struct cnet_nl **tnl);

/* A peer end (rec's "peer"): gone with the link, normally (a veth goes
 * whole, with either namespace); what is left of it removed, by its
 * ifindex and mark, and the default routes its --peer-gw replaced put
 * back, in the peer's namespace if that is still the recorded one. A peer
 * that cannot be looked up is a warning: the link is gone all the same. */
static int undo_peer(struct ctx_detach *d, const cJSON *rec)
{
	const cJSON *peer = cJSON_GetObjectItemCaseSensitive(rec, "peer");
	struct cnet_target pt = {.fd = -1, .proc_fd = -1};
	struct ctx_detach pd = *d;
	struct cnet_linkinfo li;
	int r;

	if (!peer)
		return 0;
	pd.t = &pt;
	pd.tnl = NULL;
	r = record_netns(d->ctx, peer, &pt, &pd.tnl);
	if (r > 0) {
		if (find_ours(&pd, peer,
			      (int)cnet_json_int(cJSON_GetObjectItemCaseSensitive(peer, "link"), "ifindex", 1,
						 INT32_MAX, 0),
			      &li) == 0)
			cnet_result_warn_failed(d->ctx, d->res, cnet_link_del(pd.tnl, li.ifindex, "remove the peer end"),
						"remove the peer end");
		restore_routes(&pd, peer);
	} else if (r < 0) {
		cnet_result_add_warning(d->res, "peer %s: %s", cnet_json_str(peer, "target"), d->ctx->errmsg);
		cnet_clear_err(d->ctx);
	}
	cnet_nl_close(pd.tnl);
	cnet_target_close(&pt);
	return 0;
}

/* A composite's children, once it is gone (their links released): each
 * undone as its record says, and the record dropped. */
static int undo_children(struct ctx_detach *d, const cJSON *parent)
{
	const char *id = cnet_json_str(parent, "id");
	cJSON *rec;
	int r = cnet_store_load_text(d->st, "slave_of", id);

	if (r < 0)
		return r;
again:
	cJSON_ArrayForEach(rec, d->st->records)
	{
		if (strcmp(cnet_json_str(rec, "slave_of"), id))
			continue;
		r = undo(d, rec);
		if (r < 0)
			return r;
		cJSON_Delete(cJSON_DetachItemViaPointer(d->st->records, rec));
		goto again;
	}
	return 0;
}

int cnet_record_clear_old(struct cnet_ctx *ctx, const cJSON *rec)
{
	const struct cnet_kind_ops *ops = cnet_kind_by_name(cnet_json_str(rec, "kind"));
	const cJSON *ns = cJSON_GetObjectItemCaseSensitive(rec, "netns");
	unsigned long long cookie = (unsigned long long)cnet_json_int(ns, "cookie", 1, 1LL << 53, 0);
	struct ctx_detach d = {.ctx = ctx};
	struct cnet_linkinfo li;
	int fd, r = -ENODEV;

	if (!ops || ops->moves || ops->composite || !cookie)
		return 0; /* a device is given back by the undo, as it was lent */
	fd = cnet_netns_open_held((unsigned long long)cnet_json_int(ns, "dev", 0, 1LL << 53, 0),
				  (unsigned long long)cnet_json_int(ns, "ino", 1, 1LL << 53, 0));
	if (fd < 0)
		return 0;
	/* the namespace the record was made in, not one with its inode
	 * number since: the cookie is never reused */
	if (cnet_nl_open(ctx, fd, &d.tnl) == 0 && cnet_nl_netns_cookie(d.tnl) == cookie &&
	    find_ours(&d, rec, (int)cnet_json_int(cJSON_GetObjectItemCaseSensitive(rec, "link"), "ifindex", 1,
						   INT32_MAX, 0),
		      &li) == 0)
		r = cnet_link_del(d.tnl, li.ifindex, "remove the interface from the namespace the container left");
	cnet_nl_close(d.tnl);
	close(fd);
	cnet_clear_err(ctx);
	return r == 0;
}

int cnet_record_undo(struct cnet_ctx *ctx, struct cnet_result *res, struct cnet_store *st,
		     struct cnet_target *t, struct cnet_nl *hnl, struct cnet_nl *tnl, cJSON *rec)
{
	struct ctx_detach d = {.ctx = ctx, .res = res, .st = st, .t = t, .hnl = hnl, .tnl = tnl};

	return undo(&d, rec);
}

/* Its lease let go; what it made in the namespace removed (a lent device
 * is the kind's to give back); the rest as the kind says; its children;
 * the default routes it replaced put back. */
static int undo(struct ctx_detach *d, cJSON *rec)
{
	const struct cnet_kind_ops *ops = cnet_kind_by_name(cnet_json_str(rec, "kind"));
	struct cnet_undo u = {
		.ctx = d->ctx, .res = d->res, .st = d->st, .t = d->t, .hnl = d->hnl, .tnl = d->tnl,
		.alive = d->tnl && cnet_record_in_netns(rec, d->t),
		.ifindex = (int)cnet_json_int(cJSON_GetObjectItemCaseSensitive(rec, "link"), "ifindex", 1,
					      INT32_MAX, 0),
	};
	struct cnet_linkinfo li;
	char what[64];
	int r = 0;

	if (u.alive && cJSON_GetObjectItemCaseSensitive(rec, "dhcp"))
		cnet_lease_release_record(d->ctx, d->t->fd, d->tnl, rec, d->res);
	if (u.alive && !(ops && ops->moves)) {
		u.found = find_ours(d, rec, u.ifindex, &li) == 0;
		if (u.found) {
			snprintf(what, sizeof(what), "remove '%s'", li.name);
			r = cnet_link_del(d->tnl, li.ifindex, what);
		}
	}
	if (r == 0)
		r = cnet_qos_undo(&u, rec, ops && ops->moves);
	if (r == 0 && ops && ops->undo)
		r = ops->undo(&u, rec);
	if (r == 0 && ops && ops->composite)
		r = undo_children(d, rec);
	if (r == 0 && u.alive) {
		cnet_rules_undo(d->tnl, rec, d->res);
		restore_routes(d, rec);
	}
	return r == 0 ? undo_peer(d, rec) : r;
}

/* rec's interface, or its peer end, is IFNAME (NULL: any) in the target. */
static bool matches(const cJSON *rec, const char *target, const struct cnet_target *t,
		    const char *ifname)
{
	const cJSON *peer = cJSON_GetObjectItemCaseSensitive(rec, "peer");

	if ((!ifname || !strcmp(cnet_json_str(rec, "ifname"), ifname)) &&
	    (!strcmp(cnet_json_str(rec, "target"), target) || cnet_record_in_netns(rec, t)))
		return true;
	return peer && (!ifname || !strcmp(cnet_json_str(peer, "ifname"), ifname)) &&
	       (!strcmp(cnet_json_str(peer, "target"), target) || cnet_record_in_netns(peer, t));
}

/* The namespace a record's interface is in, when the target it was named
 * by has not found it: the record's target looked up again through the
 * record's runtime only (a name found through Docker is asked of Docker,
 * never taken for a namespace of that name), as the same process or
 * container. 1: found (t and *tnl are its); 0: gone; < 0. */
static int record_netns(struct cnet_ctx *ctx, const cJSON *rec, struct cnet_target *t,
			struct cnet_nl **tnl)
{
	char why[128];
	int r = cnet_record_target(ctx, rec, t, why, sizeof(why));

	if (r != 0)
		return r < 0 ? r : 0;
	r = cnet_nl_open(ctx, t->fd, tnl);
	if (r < 0)
		return r;
	t->cookie = cnet_nl_netns_cookie(*tnl);
	return cnet_record_in_netns(rec, t);
}

void cnet_record_release_gone(struct cnet_ctx *ctx, const cJSON *rec, struct cnet_result *res)
{
	const struct cnet_kind_ops *ops = cnet_kind_by_name(cnet_json_str(rec, "kind"));
	const char *link = ops && ops->host_link ? ops->host_link(rec) : "";
	const char *ifname = cnet_json_str(rec, "ifname");
	const cJSON *ns = cJSON_GetObjectItemCaseSensitive(rec, "netns");
	bool clean = ctx->errclass == CNET_ERR_NONE;
	struct cnet_lease l;
	int r;

	/* a lease still running, first: the scan below reads every process */
	if (!*link ||
	    cnet_lease_from_json(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "dhcp"),
								  "lease"),
				 &l) < 0 ||
	    cnet_lease_left(&l, l.lease, (int64_t)time(NULL)) <= 0)
		return;
	/* Not found is not gone: a namespace held by a process or a name
	 * elsewhere keeps its interface, and the address with it, which the
	 * server would then give to another. */
	if (cnet_netns_maybe_alive((unsigned long long)cnet_json_int(ns, "dev", 0, 1LL << 53, 0),
				   (unsigned long long)cnet_json_int(ns, "ino", 0, 1LL << 53, 0))) {
		cnet_result_add_warning(res, "the DHCP lease of %s is not released: its namespace may still exist",
					ifname);
		return;
	}
	r = cnet_lease_release_from_host(ctx, link, rec);
	if (r > 0)
		cnet_result_add_action(res, "release the DHCP lease of %s from %s (namespace gone)", ifname,
				       link);
	if (r < 0) {
		cnet_result_add_warning(res, "the DHCP lease of %s could not be released from %s: %s", ifname,
					link, clean ? ctx->errmsg : "");
		if (clean)
			cnet_clear_err(ctx);
	}
}

/* One record: where it is (the target as named, or, matched by name in
 * another namespace than the name's now, where its own target says it
 * is, or gone), said, and undone (not in a dry run). */
static int detach_one(struct ctx_detach *d, cJSON *rec, struct cnet_nl *tnl)
{
	struct cnet_target *t = d->t, rt = {.fd = -1, .proc_fd = -1};
	struct cnet_nl *rtnl = NULL;
	bool alive = tnl && cnet_record_in_netns(rec, t);
	int r = 0;

	d->tnl = tnl;
	if (!alive) {
		r = record_netns(d->ctx, rec, &rt, &rtnl);
		alive = r > 0;
		d->t = alive ? &rt : t;
		d->tnl = alive ? rtnl : NULL;
	}
	if (r >= 0) {
		cnet_result_add_action(d->res, "remove %s %s from %s%s", cnet_json_str(rec, "kind"),
				       cnet_json_str(rec, "ifname"), cnet_json_str(rec, "target"),
				       alive ? "" : " (namespace gone)");
		cnet_result_add_record(d->res, rec);
		d->res->changed = true;
		if (!alive && !d->dry_run)
			cnet_record_release_gone(d->ctx, rec, d->res);
		r = d->dry_run ? 0 : undo(d, rec);
	}
	d->t = t;
	cnet_nl_close(rtnl);
	cnet_target_close(&rt);
	return r;
}

bool cnet_record_owner(const cJSON *rec, char *buf, size_t len)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "cni");

	if (!cJSON_IsObject(o))
		return false;
	snprintf(buf, len, "CNI network %s, container %s", cnet_json_str(o, "network"),
		 cnet_json_str(o, "container"));
	return true;
}

int cnet_record_remove(struct cnet_ctx *ctx, struct cnet_store *st, struct cnet_nl *hnl,
		       const char *id, bool dry, struct cnet_result *res)
{
	struct cnet_target t = {.fd = -1, .proc_fd = -1};
	struct ctx_detach d = {.ctx = ctx, .res = res, .st = st, .t = &t, .hnl = hnl, .dry_run = dry};
	struct cnet_nl *tnl = NULL;
	char why[128];
	cJSON *rec = cnet_record_by_id(st, id);
	int r, c;

	if (!rec)
		return ctx->errclass == CNET_ERR_STORE ? -EBADMSG : 1;
	/* Lock order: the target, then the store. */
	cnet_store_unlock(st);
	c = cnet_record_target(ctx, rec, &t, why, sizeof(why));
	r = c < 0 ? c : 0;
	if (c == 0 && !dry)
		r = cnet_store_lock_target(st, &t, true);
	if (r == 0)
		r = cnet_store_relock(st);
	if (r < 0)
		goto out;
	rec = cnet_store_has(st, id) ? cnet_record_by_id(st, id) : NULL;
	if (!rec) {
		r = ctx->errclass == CNET_ERR_STORE ? -EBADMSG : 1; /* another cnet undid it */
		goto out;
	}
	if (c == 0 && (r = cnet_nl_open(ctx, t.fd, &tnl)) < 0)
		goto out;
	if (tnl)
		t.cookie = cnet_nl_netns_cookie(tnl);
	r = detach_one(&d, rec, tnl);
	if (r == 0 && !dry)
		cJSON_Delete(cJSON_DetachItemViaPointer(st->records, rec));
out:
	cnet_nl_close(tnl);
	cnet_store_unlock_target(st);
	cnet_target_close(&t);
	return r;
}

/* The target found (or gone: then its records must say something) and
 * locked, then the store, and the records that may be its parsed. Lock
 * order (store.c): the target, then the store; an engine's answer is
 * waited for under neither. */
static int load(struct ctx_detach *d, const char *target, const char *ifname)
{
	struct cnet_ctx *ctx = d->ctx;
	struct cnet_target *t = d->t;
	cJSON *rec;
	bool found = false;
	int r = cnet_store_init(ctx, d->st, d->dry_run);

	if (r < 0)
		return r;
	r = cnet_target_resolve(ctx, target, t);
	if (r < 0 && ctx->errclass != CNET_ERR_TARGET)
		return r;
	if (r == 0 && !d->dry_run && (r = cnet_store_lock_target(d->st, t, true)) < 0)
		return r;
	if (r < 0) {
		/* Gone or never there: records still say what to undo. */
		char msg[sizeof(ctx->errmsg)];
		memcpy(msg, ctx->errmsg, sizeof(msg));
		cnet_clear_err(ctx);
		r = cnet_store_relock(d->st);
		if (r == 0)
			r = cnet_store_load_text(d->st, "target", target);
		if (r < 0)
			return r;
		cJSON_ArrayForEach(rec, d->st->records) if (matches(rec, target, t, ifname)) found = true;
		if (!found)
			return cnet_errc(ctx, CNET_ERR_TARGET, -ESRCH, "%s, and nothing is recorded for it", msg);
		if (t->fd >= 0) {
			close(t->fd);
			t->fd = -1;
		}
	}
	r = cnet_store_relock(d->st);
	if (r == 0)
		r = cnet_store_load_text(d->st, "target", target);
	if (r == 0)
		r = cnet_store_load_netns(d->st, t);
	return r;
}

CNET_EXPORT int cnet_detach(struct cnet_ctx *ctx, const char *target, const char *ifname,
			    unsigned int flags, struct cnet_result **out)
{
	struct cnet_target t = {.fd = -1, .proc_fd = -1};
	struct cnet_store st = {.lock_fd = -1, .jfd = -1};
	struct ctx_detach d = {.ctx = ctx, .st = &st, .t = &t, .dry_run = flags & CNET_DETACH_DRY_RUN};
	struct cnet_nl *tnl = NULL;
	cJSON *rec, *next;
	bool found = false, force = flags & CNET_DETACH_FORCE;
	char owner[600] = "";
	int r;

	cnet_clear_err(ctx);
	if (!target || !*target)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "empty target");
	if (ifname && (r = cnet_check_ifname(ctx, ifname)) < 0)
		return r;
	if (flags & ~(CNET_DETACH_DRY_RUN | CNET_DETACH_FORCE))
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "unknown detach flags %#x", flags);
	r = cnet_result_new(ctx, &d.res);
	if (r < 0)
		return r;
	r = load(&d, target, ifname);
	if (r == 0)
		r = cnet_nl_open(ctx, -1, &d.hnl);
	if (r < 0)
		goto out;
	if (t.fd >= 0) {
		r = cnet_nl_open(ctx, t.fd, &tnl);
		if (r < 0)
			goto out;
		t.cookie = cnet_nl_netns_cookie(tnl);
	}

	for (rec = st.records ? st.records->child : NULL; rec; rec = next) {
		next = rec->next;
		if (!matches(rec, target, &t, ifname) || cnet_record_is_child(&st, rec))
			continue;
		if (!force && cnet_record_owner(rec, owner, sizeof(owner))) {
			cnet_result_add_warning(d.res, "%s in %s belongs to %s: left to its runtime (--force removes it)",
						cnet_json_str(rec, "ifname"), target, owner);
			continue;
		}
		found = true;
		r = detach_one(&d, rec, tnl);
		if (r < 0)
			break;
		if (d.dry_run)
			continue;
		cJSON_Delete(cJSON_DetachItemViaPointer(st.records, rec));
		/* A composite took its children's records with it: start over. */
		next = st.records ? st.records->child : NULL;
	}
	if (!found && *owner) {
		r = cnet_errc(ctx, CNET_ERR_BUSY, -EBUSY,
			      "%s%s%s belongs to %s: its runtime removes it (--force to remove it now)",
			      target, ifname ? " " : "", ifname ? ifname : "", owner);
		goto out;
	}
	if (!found)
		cnet_result_add_action(d.res, "nothing recorded for %s%s%s", target, ifname ? " " : "",
				   ifname ? ifname : "");
	if (d.res->changed && !d.dry_run) {
		/* Save what was undone even when a later record failed. */
		int s = cnet_store_save(ctx, &st);
		if (r == 0)
			r = s;
	}
	if (r < 0)
		goto out;
	if (out) {
		*out = d.res;
		d.res = NULL;
	}
out:
	cnet_result_free(d.res);
	cnet_nl_close(tnl);
	cnet_nl_close(d.hnl);
	cnet_target_close(&t);
	cnet_store_close(&st);
	return r;
}
