/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One route or policy rule of an attachment added, removed or replaced in
 * place (pipework's "route" and "rule" lines): in the container's
 * namespace and in the record's options, as if the attachment had been
 * made with it, so that reapply puts it back and detach takes it away.
 * The interface itself is not touched. Its bandwidth limits (pipework's
 * "tc" lines) change in the record, and the attachment is made again
 * from it, as reapply's repair does.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "attach.h"

struct change {
	struct cnet_ctx *ctx;
	struct cnet_store st;
	struct cnet_target t;
	struct cnet_nl *hnl, *tnl;
	struct cnet_result *res;
	bool dry;
	cJSON *rec;		 /* the attachment's record */
	struct cnet_attach *att; /* ... as a description */
	int l3;			 /* the link its addresses and routes are on */
	bool gw_changed;	 /* its --gw, not one of its --route */
};

static int open_target(struct change *c, const char *target)
{
	int r = cnet_store_init(c->ctx, &c->st, c->dry);

	if (r == 0)
		r = cnet_target_resolve(c->ctx, target, &c->t);
	if (r == 0 && !c->dry)
		r = cnet_store_lock_target(&c->st, &c->t, true);
	if (r == 0)
		r = cnet_store_relock(&c->st);
	if (r == 0)
		r = cnet_store_load_text(&c->st, "target", target);
	if (r == 0)
		r = cnet_store_load_netns(&c->st, &c->t);
	if (r == 0)
		r = cnet_nl_open(c->ctx, c->t.fd, &c->tnl);
	if (r == 0)
		r = cnet_nl_open(c->ctx, -1, &c->hnl);
	if (r == 0)
		c->t.cookie = cnet_nl_netns_cookie(c->tnl);
	return r;
}

/* Does one of the record's static addresses hold ip (its subnet)? */
static bool reaches(const cJSON *rec, const struct cnet_ip *ip)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "options"), "ip"))
	{
		struct cnet_ip a;
		if (cJSON_IsString(v) && cnet_parse_ip(v->valuestring, true, &a) == 0 && cnet_ip_in_prefix(ip, &a))
			return true;
	}
	return false;
}

/* The attachment: by IFNAME, else the one whose addresses hold hint (a
 * gateway, a rule's source), else the target's only one (any: its first). */
static int find(struct change *c, const char *target, const char *ifname, const struct cnet_ip *hint,
		bool any)
{
	cJSON *rec, *only = NULL, *by_hint = NULL, *first = NULL;
	int n = 0, n_hint = 0;
	char owner[600];

	cJSON_ArrayForEach(rec, c->st.records)
	{
		if (cnet_record_is_child(&c->st, rec) ||
		    (strcmp(cnet_json_str(rec, "target"), target) && !cnet_record_in_netns(rec, &c->t)) ||
		    (ifname && strcmp(cnet_json_str(rec, "ifname"), ifname)))
			continue;
		only = rec;
		first = first ? first : rec;
		n++;
		if (hint && hint->family && reaches(rec, hint)) {
			by_hint = rec;
			n_hint++;
		}
	}
	/* a rule without a source: the target's first attachment */
	c->rec = n == 1 ? only : n_hint == 1 ? by_hint : any && !(hint && hint->family) ? first : NULL;
	if (!n)
		return cnet_errc(c->ctx, CNET_ERR_MISSING, -ENOENT, "nothing recorded for %s%s%s", target,
				 ifname ? " " : "", ifname ? ifname : "");
	if (!c->rec)
		return cnet_errc(c->ctx, CNET_ERR_INVALID, -EINVAL,
				 "%s has %d attachments: name the interface (dev IFNAME)", target, n);
	if (cnet_record_owner(c->rec, owner, sizeof(owner)))
		return cnet_errc(c->ctx, CNET_ERR_BUSY, -EBUSY, "%s in %s belongs to %s: left to its runtime",
				 cnet_json_str(c->rec, "ifname"), target, owner);
	c->att = cnet_attach_from_record(c->ctx, c->rec);
	return c->att ? 0 : -EBADMSG;
}

/* The link must be as recorded: what is changed goes through it. */
static int check_link(struct change *c)
{
	char reason[128] = "";
	int r = cnet_record_check_link(c->hnl, c->tnl, c->t.fd, c->rec, &c->l3, reason, sizeof(reason));

	if (r > 0)
		return cnet_errc(c->ctx, CNET_ERR_MISSING, -ENODEV, "%s in %s: %s (cnet reapply first)",
				 cnet_json_str(c->rec, "ifname"), cnet_json_str(c->rec, "target"), reason);
	return r;
}

static void close_change(struct change *c)
{
	cnet_attach_free(c->att);
	cnet_nl_close(c->tnl);
	cnet_nl_close(c->hnl);
	cnet_target_close(&c->t);
	cnet_store_close(&c->st);
}

/* The record's options.KEY, made again from the description. */
static int rewrite(struct change *c, const char *key)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(c->rec, "options"), *a = cJSON_CreateArray();
	char buf[CNET_ROUTESTRLEN];
	bool routes = !strcmp(key, "route");
	size_t n = routes ? c->att->n_routes : c->att->n_rules;

	if (!a || !cJSON_IsObject(o)) {
		cJSON_Delete(a);
		return cnet_err(c->ctx, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(routes ? cnet_route_str(&c->att->routes[i], buf)
								   : cnet_rule_str(&c->att->rules[i], buf)));
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	if (n || routes)
		cJSON_AddItemToObject(o, key, a);
	else
		cJSON_Delete(a);
	return 0;
}

static int rewrite_gw(struct change *c)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(c->rec, "options"), *a = cJSON_CreateArray();
	char buf[CNET_IPSTRLEN];

	if (!a || !cJSON_IsObject(o)) {
		cJSON_Delete(a);
		return cnet_err(c->ctx, -ENOMEM, "out of memory");
	}
	if (c->att->has_gw4)
		cJSON_AddItemToArray(a, cJSON_CreateString(cnet_ip_str(&c->att->gw4, false, buf)));
	if (c->att->has_gw6)
		cJSON_AddItemToArray(a, cJSON_CreateString(cnet_ip_str(&c->att->gw6, false, buf)));
	cJSON_DeleteItemFromObjectCaseSensitive(o, "gw");
	cJSON_AddItemToObject(o, "gw", a);
	return 0;
}

static bool same_dest(const struct cnet_route *a, const struct cnet_route *b)
{
	return a->dst.family == b->dst.family && a->dst.plen == b->dst.plen && !memcmp(a->dst.a, b->dst.a, 16) &&
	       a->metric == b->metric && a->table == b->table;
}

static bool same_via(const struct cnet_route *a, const struct cnet_route *b)
{
	return a->has_via == b->has_via && (!a->has_via || !memcmp(a->via.a, b->via.a, 16));
}

static void drop_route(struct cnet_attach *att, int k)
{
	memmove(&att->routes[k], &att->routes[k + 1], (att->n_routes - (size_t)k - 1) * sizeof(att->routes[0]));
	att->n_routes--;
}

/* The default route of the attachment's --gw (the record's "gw"): the
 * same route, so it is that which changes. */
static int gw_op(struct change *c, int op, const struct cnet_route *want, struct cnet_rt *rt)
{
	struct cnet_attach *att = c->att;
	struct cnet_ip *gw = want->dst.family == AF_INET ? &att->gw4 : &att->gw6;
	char buf[CNET_IPSTRLEN];
	int r = 0;

	if (op == CNET_CHANGE_ADD && !memcmp(gw->a, want->via.a, 16))
		return 0;
	if (op == CNET_CHANGE_ADD)
		return cnet_errc(c->ctx, CNET_ERR_BUSY, -EEXIST,
				 "%s's default route is via %s already (replace it)", att->ifname, cnet_ip_str(gw, false, buf));
	rt->gw = op == CNET_CHANGE_DEL ? *gw : want->via;
	if (!c->dry)
		r = op == CNET_CHANGE_DEL ? cnet_route_del(c->tnl, rt, "remove the default route")
					  : cnet_route_replace(c->tnl, rt, "replace the default route");
	if (r == -ESRCH || (op == CNET_CHANGE_DEL && r == -ENOENT)) {
		cnet_clear_err(c->ctx);
		r = 0;
	}
	if (r < 0)
		return r;
	if (op == CNET_CHANGE_DEL)
		*(want->dst.family == AF_INET ? &att->has_gw4 : &att->has_gw6) = false;
	else
		*gw = want->via;
	c->gw_changed = true;
	return 1;
}

/* 1: changed, 0: as asked already, < 0 */
static int route_op(struct change *c, int op, const struct cnet_route *want)
{
	struct cnet_attach *att = c->att;
	struct cnet_rt rt = {.family = want->dst.family, .dst = want->dst, .has_gw = want->has_via,
			     .gw = want->via, .oif = c->l3, .metric = want->metric, .table = want->table};
	char buf[CNET_ROUTESTRLEN], what[CNET_ROUTESTRLEN + 32];
	int k = -1, r;

	for (size_t i = 0; i < att->n_routes; i++) {
		struct cnet_route any = *want;
		any.metric = op == CNET_CHANGE_DEL && !want->metric ? att->routes[i].metric : want->metric;
		if (same_dest(&att->routes[i], &any))
			k = (int)i;
	}
	if (!want->dst.plen && !want->table && !want->metric && (want->has_via || op == CNET_CHANGE_DEL) &&
	    (want->dst.family == AF_INET ? att->has_gw4 : att->has_gw6))
		return gw_op(c, op, want, &rt);
	cnet_route_str(want, buf);
	if (op == CNET_CHANGE_ADD && k >= 0 && same_via(&att->routes[k], want))
		return 0;
	if (op == CNET_CHANGE_ADD && k >= 0)
		return cnet_errc(c->ctx, CNET_ERR_BUSY, -EEXIST,
				 "a route to that destination is recorded already: %s (replace it)",
				 cnet_route_str(&att->routes[k], buf));
	if (op == CNET_CHANGE_DEL && k < 0)
		return cnet_errc(c->ctx, CNET_ERR_MISSING, -ENOENT, "no route %s is recorded for %s in %s", buf,
				 att->ifname, att->target);
	if (k >= 0 && op == CNET_CHANGE_DEL) {
		/* the kernel's route is the recorded one, gateway and all */
		rt.has_gw = att->routes[k].has_via;
		rt.gw = att->routes[k].via;
		rt.metric = att->routes[k].metric;
	}
	if (k >= 0)
		drop_route(att, k);
	if (op != CNET_CHANGE_DEL && att->n_routes == ARRAY_SIZE(att->routes))
		return cnet_errc(c->ctx, CNET_ERR_INVALID, -EINVAL, "too many routes (at most 32)");
	if (op != CNET_CHANGE_DEL)
		att->routes[att->n_routes++] = *want;
	snprintf(what, sizeof(what), "%s route %s", op == CNET_CHANGE_DEL ? "remove" : "add", buf);
	if (c->dry)
		return 1;
	r = op == CNET_CHANGE_ADD ? cnet_route_add(c->tnl, &rt, what)
	    : op == CNET_CHANGE_REPLACE ? cnet_route_replace(c->tnl, &rt, what)
					: cnet_route_del(c->tnl, &rt, what);
	if (op == CNET_CHANGE_DEL && (r == -ESRCH || r == -ENOENT)) {
		cnet_clear_err(c->ctx); /* gone already: the record follows */
		r = 0;
	}
	return r < 0 ? r : 1;
}

static bool same_rule(const struct cnet_rule *a, const struct cnet_rule *b)
{
	return a->family == b->family && a->table == b->table && (!b->prio || a->prio == b->prio) &&
	       a->src.family == b->src.family && a->src.plen == b->src.plen && !memcmp(a->src.a, b->src.a, 16) &&
	       a->dst.family == b->dst.family && a->dst.plen == b->dst.plen && !memcmp(a->dst.a, b->dst.a, 16);
}

static int rule_op(struct change *c, int op, const struct cnet_rule *want)
{
	struct cnet_attach *att = c->att;
	char buf[CNET_ROUTESTRLEN];
	int k = -1, r;

	if (op == CNET_CHANGE_REPLACE)
		return cnet_errc(c->ctx, CNET_ERR_INVALID, -EINVAL, "a rule is added or deleted, not replaced");
	for (size_t i = 0; i < att->n_rules; i++)
		if (same_rule(&att->rules[i], want))
			k = (int)i;
	if (op == CNET_CHANGE_ADD && k >= 0)
		return 0;
	if (op == CNET_CHANGE_DEL && k < 0)
		return cnet_errc(c->ctx, CNET_ERR_MISSING, -ENOENT, "no rule %s is recorded for %s in %s",
				 cnet_rule_str(want, buf), att->ifname, att->target);
	if (op == CNET_CHANGE_ADD && att->n_rules == CNET_MAX_RULES)
		return cnet_errc(c->ctx, CNET_ERR_INVALID, -EINVAL, "too many rules (at most 8)");
	if (op == CNET_CHANGE_ADD) {
		att->rules[att->n_rules++] = *want;
		r = c->dry ? 1 : cnet_rule_add(c->tnl, want);
		if (r == 0) /* the namespace's own: detach leaves it */
			cnet_rule_note_found(c->rec, want, true);
	} else {
		r = c->dry ? 0 : cnet_rule_del(c->tnl, &att->rules[k]);
		cnet_rule_note_found(c->rec, &att->rules[k], false);
		memmove(&att->rules[k], &att->rules[k + 1], (att->n_rules - (size_t)k - 1) * sizeof(att->rules[0]));
		att->n_rules--;
	}
	return r < 0 ? r : 1;
}

static int change(struct cnet_ctx *ctx, const char *target, const char *ifname, int op, const char *spec,
		  bool is_rule, unsigned int flags, struct cnet_result **out)
{
	struct change c = {.ctx = ctx, .st = {.lock_fd = -1, .jfd = -1}, .t = {.fd = -1, .proc_fd = -1},
			   .dry = flags & CNET_CHANGE_DRY_RUN};
	struct cnet_route route;
	struct cnet_rule rule;
	const struct cnet_ip *hint;
	char buf[CNET_ROUTESTRLEN];
	int r;

	cnet_clear_err(ctx);
	if (!target || !*target || !spec)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "no target or no %s", is_rule ? "rule" : "route");
	if (op < CNET_CHANGE_ADD || op > CNET_CHANGE_REPLACE || (flags & ~CNET_CHANGE_DRY_RUN))
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "unknown operation %d or flags %#x", op, flags);
	if (ifname && (r = cnet_check_ifname(ctx, ifname)) < 0)
		return r;
	if (is_rule ? cnet_parse_rule(spec, &rule) < 0 : cnet_parse_route(spec, &route) < 0)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "invalid %s '%s'", is_rule ? "rule" : "route", spec);
	if (!is_rule) {
		struct cnet_ip net = route.dst;
		cnet_ip_mask(&net);
		if (memcmp(net.a, route.dst.a, sizeof(net.a)))
			return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
					 "route '%s' has host bits set in its destination", spec);
	}
	hint = is_rule ? &rule.src : &route.via;
	r = cnet_result_new(ctx, &c.res);
	if (r == 0)
		r = open_target(&c, target);
	if (r == 0)
		r = find(&c, target, ifname, hint, is_rule);
	if (r == 0)
		r = check_link(&c);
	if (r == 0)
		r = is_rule ? rule_op(&c, op, &rule) : route_op(&c, op, &route);
	if (r > 0) {
		cnet_result_add_action(c.res, "%s %s %s %s %s in %s",
				       op == CNET_CHANGE_DEL ? "remove" : op == CNET_CHANGE_ADD ? "add" : "replace",
				       is_rule ? "rule" : "route",
				       is_rule ? cnet_rule_str(&rule, buf) : cnet_route_str(&route, buf),
				       op == CNET_CHANGE_DEL ? "of" : "with", c.att->ifname, c.att->target);
		c.res->changed = true;
		r = c.gw_changed ? rewrite_gw(&c) : rewrite(&c, is_rule ? "rule" : "route");
		if (r == 0 && !c.dry)
			r = cnet_store_save(ctx, &c.st);
	}
	else if (r == 0)
		cnet_result_add_action(c.res, "%s %s is recorded with %s in %s already", is_rule ? "rule" : "route",
				       is_rule ? cnet_rule_str(&rule, buf) : cnet_route_str(&route, buf), c.att->ifname,
				       c.att->target);
	if (r == 0 && c.rec)
		r = cnet_result_add_record(c.res, c.rec);
	if (r == 0 && out) {
		*out = c.res;
		c.res = NULL;
	}
	cnet_result_free(c.res);
	close_change(&c);
	return r;
}

/* The new limits into the record, and the attachment made again from
 * it; if that fails, made again as it was. */
static int remake(struct change *c)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(c->rec, "options");
	static const char *const keys[] = {"egress_rate", "egress_burst", "ingress_rate", "ingress_burst"};
	cJSON *was = cJSON_Duplicate(o, true);
	char id[16];
	int r;

	if (!was || !cJSON_IsObject(o)) {
		cJSON_Delete(was);
		return cnet_err(c->ctx, -ENOMEM, "out of memory");
	}
	snprintf(id, sizeof(id), "%s", cnet_json_str(c->rec, "id"));
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		cJSON_DeleteItemFromObjectCaseSensitive(o, keys[i]);
	cnet_qos_json(c->att, o);
	r = cnet_record_repair(c->ctx, &c->st, c->hnl, &c->t, c->tnl, c->rec, c->res);
	if (r < 0) {
		struct cnet_err_saved first;
		cJSON *back = cnet_record_by_id(&c->st, id);
		cnet_err_save(c->ctx, &first);
		if (back && cJSON_ReplaceItemInObjectCaseSensitive(back, "options", was)) {
			was = NULL;
			cnet_record_repair(c->ctx, &c->st, c->hnl, &c->t, c->tnl, back, c->res);
		}
		cnet_err_restore(c->ctx, &first);
	}
	cJSON_Delete(was);
	c->rec = r < 0 ? NULL : cnet_record_by_id(&c->st, id);
	return r;
}

CNET_EXPORT int cnet_limit_change(struct cnet_ctx *ctx, const char *target, const char *ifname, int dir,
				  const char *rate, const char *burst, unsigned int flags,
				  struct cnet_result **out)
{
	struct change c = {.ctx = ctx, .st = {.lock_fd = -1, .jfd = -1}, .t = {.fd = -1, .proc_fd = -1},
			   .dry = flags & CNET_CHANGE_DRY_RUN};
	struct cnet_qos was;
	int r;

	cnet_clear_err(ctx);
	if (!target || !*target || (dir != CNET_LIMIT_EGRESS && dir != CNET_LIMIT_INGRESS) ||
	    (flags & ~CNET_CHANGE_DRY_RUN) || (!rate && burst))
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "no target, or an unknown direction or flags");
	if (ifname && (r = cnet_check_ifname(ctx, ifname)) < 0)
		return r;
	r = cnet_result_new(ctx, &c.res);
	if (r == 0)
		r = open_target(&c, target);
	if (r == 0)
		r = find(&c, target, ifname, NULL, false);
	if (r == 0)
		r = check_link(&c);
	if (r < 0)
		goto out;
	was = c.att->qos;
	if (rate) {
		r = dir == CNET_LIMIT_EGRESS ? cnet_attach_set_egress(c.att, rate, burst)
					     : cnet_attach_set_ingress(c.att, rate, burst);
	} else {
		c.att->qos.rate[dir] = 0;
		c.att->qos.burst[dir] = 0;
	}
	if (r < 0)
		goto out;
	if (!memcmp(&was, &c.att->qos, sizeof(was))) {
		cnet_result_add_action(c.res, "%s's %s limit is as asked already", c.att->ifname,
				       dir == CNET_LIMIT_EGRESS ? "egress" : "ingress");
	} else {
		cnet_result_add_action(c.res, "%s the %s limit of %s in %s%s%s (the interface made again)",
				       rate ? "set" : "remove", dir == CNET_LIMIT_EGRESS ? "egress" : "ingress",
				       c.att->ifname, c.att->target, rate ? " to " : "", rate ? rate : "");
		c.res->changed = true;
		if (!c.dry)
			r = remake(&c);
		if (r == 0 && !c.dry)
			r = cnet_store_save(ctx, &c.st);
	}
	if (r == 0 && c.rec)
		r = cnet_result_add_record(c.res, c.rec);
	if (r == 0 && out) {
		*out = c.res;
		c.res = NULL;
	}
out:
	cnet_result_free(c.res);
	close_change(&c);
	return r;
}

CNET_EXPORT int cnet_route_change(struct cnet_ctx *ctx, const char *target, const char *ifname, int op,
				  const char *route, unsigned int flags, struct cnet_result **res)
{
	return change(ctx, target, ifname, op, route, false, flags, res);
}

CNET_EXPORT int cnet_rule_change(struct cnet_ctx *ctx, const char *target, const char *ifname, int op,
				 const char *rule, unsigned int flags, struct cnet_result **res)
{
	return change(ctx, target, ifname, op, rule, true, flags, res);
}
