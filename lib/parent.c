/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Links made on a host parent (macvlan, vlan): the parent checked before,
 * and, on detach, every link the container has riding on it swept.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "kind.h"

int cnet_missing(struct cnet_ctx *ctx, int r, const char *what, const char *name, const char *hint)
{
	if (r == -ENODEV)
		return cnet_errc(ctx, CNET_ERR_MISSING, -ENODEV, "%s '%s' does not exist%s", what, name,
				 hint);
	return r;
}

int cnet_check_mtu(struct run *run, unsigned int limit, const char *what, const char *name)
{
	if (run->att->mtu > limit)
		return cnet_errc(run->ctx, CNET_ERR_INVALID, -EINVAL, "MTU %u is above %s %s's MTU %u",
				 run->att->mtu, what, name, limit);
	return 0;
}

int cnet_parent_preflight(struct run *run, const char *name, struct cnet_linkinfo *out)
{
	int r = cnet_link_get(run->hnl, 0, name, out);

	if (r < 0)
		return cnet_missing(run->ctx, r, "parent interface", name, "");
	if (!(out->flags & IFF_UP) && !run->att->raise_parent)
		return cnet_errc(run->ctx, CNET_ERR_MISSING, -ENETDOWN, "parent interface '%s' is down",
				 name);
	return 0;
}

struct sweep {
	struct cnet_undo *u;
	const cJSON *self;
	int parent, nsid, n, removed;
	int del[64];
};

/* Another live record's interface in the same namespace (by ifindex). */
static bool others(struct sweep *s, int ifindex)
{
	const cJSON *rec;

	cJSON_ArrayForEach(rec, s->u->st->records)
	{
		if (rec != s->self && cnet_record_in_netns(rec, s->u->t) &&
		    cnet_json_int(cJSON_GetObjectItemCaseSensitive(rec, "link"), "ifindex", 1, INT32_MAX, 0) ==
			    ifindex)
			return true;
	}
	return false;
}

static int sweep_one(const struct cnet_linkinfo *li, void *arg)
{
	struct sweep *s = arg;

	if (li->link == s->parent && li->link_netnsid == s->nsid && !others(s, li->ifindex) &&
	    s->n < (int)ARRAY_SIZE(s->del))
		s->del[s->n++] = li->ifindex;
	return 0;
}

/* The record's own (renamed, unmarked) and the macvlans the container
 * stacked on it, which the kernel put on the host's parent itself. */
int cnet_parent_sweep(struct cnet_undo *u, const cJSON *rec, const char *parent)
{
	struct sweep s = {.u = u, .self = rec};
	struct cnet_linkinfo pli;
	char what[64];
	int r, self = cnet_self_ns(u->ctx);

	if (self < 0)
		return self;
	r = cnet_link_get(u->hnl, 0, parent, &pli);
	if (r == 0)
		r = cnet_netns_id(u->tnl, self, &s.nsid);
	if (r == -ENODEV) {
		cnet_clear_err(u->ctx);
		return 0; /* the parent is gone: so is all that rode on it */
	}
	if (r < 0)
		return r;
	s.parent = pli.ifindex;
	if (s.nsid < 0)
		return 0; /* the container has no id for the host: nothing rides on it */
	r = cnet_store_load_netns(u->st, u->t); /* the others in this namespace */
	if (r == 0)
		r = cnet_link_each(u->tnl, sweep_one, &s);
	for (int i = 0; r >= 0 && i < s.n; i++) {
		snprintf(what, sizeof(what), "remove interface %d on '%s'", s.del[i], parent);
		r = cnet_link_del(u->tnl, s.del[i], what);
		if (r == -ENODEV) { /* went with one removed before it */
			cnet_clear_err(u->ctx);
			r = 0;
		} else if (r == 0) {
			s.removed++;
		}
	}
	if (r < 0)
		return r;
	if (s.removed)
		cnet_result_add_warning(u->res, "removed %d interface%s in %s riding on host '%s' that the container had renamed, unmarked or stacked",
					s.removed, s.removed > 1 ? "s" : "", cnet_json_str(rec, "target"), parent);
	else if (!u->found)
		cnet_result_add_warning(u->res, "%s %s is not in %s any more (deleted there, or moved where cnet cannot see it)",
					cnet_json_str(rec, "kind"), cnet_json_str(rec, "ifname"),
					cnet_json_str(rec, "target"));
	return 0;
}
