/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cnet_detach(): undo what a record says attach did, whether or not the
 * container's namespace still exists. When a namespace dies the kernel
 * deletes the virtual links in it (macvlan, veth pairs) and hands physical
 * devices back to the host's namespace under whatever name they had; what
 * detach needs to find and restore them was recorded at attach time.
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

int cnet_link_del_by_name(struct cnet_nl *nl, const char *name)
{
	struct cnet_linkinfo li;
	char what[64];
	int r = cnet_link_get(nl, 0, name, &li);

	if (r < 0)
		return r == -ENODEV ? 0 : r;
	snprintf(what, sizeof(what), "remove '%s'", name);
	return cnet_link_del(nl, li.ifindex, what);
}

/* Best effort: a failure becomes a warning (detach) or stays in the log
 * (rollback, res NULL, where the first failure's message must survive). */
static void warn_failed(struct cnet_ctx *ctx, struct cnet_result *res, int r, const char *what)
{
	if (r == -EEXIST && res) {
		cnet_clear_err(ctx); /* already there: nothing was lost */
		return;
	}
	if (r >= 0 || !res)
		return;
	cnet_result_add_warning(res, "could not %s: %s", what,
				*ctx->errmsg ? ctx->errmsg : strerror(-r));
	cnet_clear_err(ctx);
}

static void restore_on_host(struct cnet_ctx *ctx, struct cnet_nl *hnl, int old_ifindex, int ifindex,
			    const struct cnet_ip *addrs, size_t n, const struct cnet_routes *routes,
			    struct cnet_result *res)
{
	char buf[CNET_IPSTRLEN], what[CNET_IPSTRLEN + 48];

	for (size_t i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "restore address %s on the host",
			 cnet_ip_str(&addrs[i], true, buf));
		warn_failed(ctx, res, cnet_addr_add(hnl, ifindex, &addrs[i], true), what);
	}
	for (size_t i = 0; routes && i < routes->n; i++)
		warn_failed(ctx, res,
			    cnet_route_replay(hnl, routes->msg[i], true, old_ifindex, ifindex,
					      "restore a route on the host"),
			    "restore a route through the device on the host");
}

int cnet_restore_device(struct cnet_ctx *ctx, struct cnet_nl *from, struct cnet_nl *hnl, int ifindex,
			const struct cnet_linkinfo *orig, const struct cnet_ip *addrs, size_t n_addrs,
			const struct cnet_routes *routes, struct cnet_result *res)
{
	struct cnet_link_change c = {.ifindex = ifindex, .mtu = orig->mtu, .ns_fd = -1, .up = -1};
	char name[IFNAMSIZ], what[64];
	struct cnet_linkinfo li;
	int r;

	snprintf(name, sizeof(name), "%s", orig->name);
	r = cnet_link_get(hnl, 0, orig->name, &li);
	if (r == 0 && !(from == NULL && li.ifindex == ifindex)) {
		/* Predictable, so scripts can find it: cnet<original ifindex>. */
		snprintf(name, sizeof(name), "cnet%d", orig->ifindex);
		if (res)
			cnet_result_add_warning(res, "the host already has an interface named '%s'; device returned as '%s'",
					 orig->name, name);
	} else if (r < 0 && r != -ENODEV) {
		return r;
	}
	if (from) {
		c.ns_fd = cnet_self_ns(ctx);
		if (c.ns_fd < 0)
			return c.ns_fd;
	} else {
		/* Back on the host already: a device must be down to be renamed. */
		struct cnet_link_change down = {.ifindex = ifindex, .ns_fd = -1, .up = 0};
		r = cnet_link_change(hnl, &down, "bring the returned device down");
		if (r < 0)
			return r;
	}
	c.name = name;
	c.mac = orig->has_mac ? orig->mac : NULL;
	/* Move, MAC, MTU and name in one request: the kernel moves first. */
	snprintf(what, sizeof(what), "return '%s' to the host", orig->name);
	r = cnet_link_change(from ? from : hnl, &c, what);
	if (r < 0)
		return r;
	r = cnet_link_get(hnl, 0, name, &li);
	if (r < 0)
		return r == -ENODEV ? cnet_err(ctx, r, "'%s' did not arrive on the host", name) : r;
	if (orig->flags & IFF_UP) {
		struct cnet_link_change up = {.ifindex = li.ifindex, .ns_fd = -1, .up = 1};
		snprintf(what, sizeof(what), "bring '%s' up on the host", name);
		r = cnet_link_change(hnl, &up, what);
		if (r < 0)
			return r;
	}
	restore_on_host(ctx, hnl, orig->ifindex, li.ifindex, addrs, n_addrs, routes, res);
	return 0;
}

struct ctx_detach {
	struct cnet_ctx *ctx;
	struct cnet_result *res;
	struct cnet_store *st;
	struct cnet_target *t;
	struct cnet_nl *hnl, *tnl;
	bool dry_run;
};

static bool alias_is(const struct cnet_linkinfo *li, const cJSON *rec);

static bool is_pending(const cJSON *rec)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "pending"));
}

/* Where a record's interface may be in its namespace: by recorded ifindex
 * (with its mark, or its MAC for a moved device), else, after a crash, by
 * the temporary name or the final name with cnet's mark. */
static int find_ours(struct ctx_detach *d, const cJSON *rec, int ifindex, const unsigned char *mac1,
		     const unsigned char *mac2, struct cnet_linkinfo *li)
{
	bool moved = cnet_kind_moves(cnet_kind_from_string(cnet_json_str(rec, "kind")));
	char tmp[IFNAMSIZ];
#define MINE(l) (moved ? ((l).has_mac && ((mac1 && !memcmp((l).mac, mac1, 6)) || (mac2 && !memcmp((l).mac, mac2, 6)))) \
		       : alias_is(&(l), rec))
	if (ifindex > 0 && cnet_link_get(d->tnl, ifindex, NULL, li) == 0 && MINE(*li))
		return 0;
	snprintf(tmp, sizeof(tmp), "cn%s", cnet_json_str(rec, "id"));
	if (cnet_link_get(d->tnl, 0, tmp, li) == 0)
		return 0; /* the temporary name is unique to this record */
	if (cnet_link_get(d->tnl, 0, cnet_json_str(rec, "ifname"), li) == 0 && MINE(*li))
		return 0;
#undef MINE
	cnet_clear_err(d->ctx);
	return -ENODEV;
}

static bool alias_is(const struct cnet_linkinfo *li, const cJSON *rec)
{
	char alias[32];

	snprintf(alias, sizeof(alias), "cnet:%s", cnet_json_str(rec, "id"));
	return !strcmp(li->alias, alias);
}

/* Another record on the same bridge inherits the duty to remove it, so the
 * bridge goes with whichever of them is detached last. */
static bool bridge_handed_over(struct ctx_detach *d, const cJSON *self, const char *bridge)
{
	cJSON *rec, *host;

	cJSON_ArrayForEach(rec, d->st->records)
	{
		host = cJSON_GetObjectItemCaseSensitive(rec, "host");
		if (rec != self && cJSON_IsObject(host) && !strcmp(cnet_json_str(host, "bridge"), bridge)) {
			const cJSON *self_host = cJSON_GetObjectItemCaseSensitive(self, "host");
			const char *keys[] = {"created_bridge", "bridge_mac", "bridge_ifindex"};
			for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
				cJSON *v = cJSON_Duplicate(
					cJSON_GetObjectItemCaseSensitive(self_host, keys[i]), true);
				cJSON_DeleteItemFromObjectCaseSensitive(host, keys[i]);
				if (v)
					cJSON_AddItemToObject(host, keys[i], v);
			}
			return true;
		}
	}
	return false;
}

static int has_addr(int ifindex, const struct cnet_ip *ip, unsigned int flags, void *arg)
{
	(void)ifindex;
	(void)flags;
	(void)arg;
	return cnet_ip_is_v6_linklocal(ip) ? 0 : 1;
}

static int undo_veth_host(struct ctx_detach *d, cJSON *rec)
{
	const cJSON *host = cJSON_GetObjectItemCaseSensitive(rec, "host");
	const char *bridge = cnet_json_str(host, "bridge");
	unsigned char mac[6];
	struct cnet_linkinfo li;
	char what[64];
	int r;

	/* Normally gone with its peer; remove it if a crash left it behind
	 * (before it was marked, if the record is still pending). */
	r = cnet_link_get(d->hnl, 0, cnet_json_str(host, "ifname"), &li);
	if (r == 0 && (alias_is(&li, rec) || (is_pending(rec) && !li.alias[0] && !strcmp(li.kind, "veth")))) {
		snprintf(what, sizeof(what), "remove '%s'", li.name);
		r = cnet_link_del(d->hnl, li.ifindex, what);
	}
	if (r < 0 && r != -ENODEV)
		return r;
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(host, "created_bridge")) ||
	    bridge_handed_over(d, rec, bridge))
		return 0;
	r = cnet_link_get(d->hnl, 0, bridge, &li);
	if (r == -ENODEV)
		return 0;
	if (r < 0)
		return r;
	/* Only the bridge cnet made: same kind, ifindex and the MAC it was
	 * given, no ports and no addresses. Anything else is someone's. */
	if (strcmp(li.kind, "bridge") ||
	    (cJSON_GetObjectItemCaseSensitive(host, "bridge_ifindex") &&
	     li.ifindex != (int)cnet_json_int(host, "bridge_ifindex", 1, INT32_MAX, -1)) ||
	    cnet_parse_mac(cnet_json_str(host, "bridge_mac"), mac) < 0 || memcmp(mac, li.mac, 6) ||
	    cnet_addr_each(d->hnl, li.ifindex, has_addr, NULL) != 0) {
		cnet_clear_err(d->ctx);
		cnet_result_add_warning(d->res, "bridge '%s' is not the one cnet created, or is in use; left alone",
					bridge);
		return 0;
	}
	r = cnet_link_has_slaves(d->hnl, li.ifindex);
	if (r != 0)
		return r < 0 ? r : 0; /* someone else's ports: leave it */
	snprintf(what, sizeof(what), "remove bridge '%s'", bridge);
	r = cnet_link_del(d->hnl, li.ifindex, what);
	if (r == 0)
		cnet_result_add_action(d->res, "remove bridge %s", bridge);
	return r;
}

/* macvlan --vlan: the host's PARENT.VID goes when cnet made it and nothing
 * uses it any more; another record on it inherits the duty. */
static int undo_vlan_host(struct ctx_detach *d, const cJSON *rec, bool alive)
{
	const cJSON *host = cJSON_GetObjectItemCaseSensitive(rec, "host");
	const char *name = cnet_json_str(host, "vlan_dev");
	long long want = cnet_json_int(host, "vlan_dev_ifindex", 1, INT32_MAX, 0);
	struct cnet_linkinfo li;
	cJSON *other, *oh;
	char what[64];
	int r;

	if (!*name || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(host, "created_vlan_dev")))
		return 0;
	cJSON_ArrayForEach(other, d->st->records)
	{
		oh = cJSON_GetObjectItemCaseSensitive(other, "host");
		if (other != rec && cJSON_IsObject(oh) && !strcmp(cnet_json_str(oh, "vlan_dev"), name)) {
			cJSON_ReplaceItemInObjectCaseSensitive(oh, "created_vlan_dev", cJSON_CreateTrue());
			if (want && !cJSON_GetObjectItemCaseSensitive(oh, "vlan_dev_ifindex"))
				cJSON_AddNumberToObject(oh, "vlan_dev_ifindex", (double)want);
			return 0;
		}
	}
	r = cnet_link_get(d->hnl, 0, name, &li);
	if (r == -ENODEV)
		return 0;
	if (r < 0)
		return r;
	/* Only the one cnet made: a VLAN, cnet's mark (none yet if a crash
	 * came right after it was made), the recorded ifindex. */
	if (strcmp(li.kind, "vlan") || (want && li.ifindex != want) ||
	    (strncmp(li.alias, "cnet:", 5) && !(is_pending(rec) && !li.alias[0]))) {
		cnet_result_add_warning(d->res, "'%s' is not the VLAN subinterface cnet created; left alone",
					name);
		return 0;
	}
	/* A macvlan in a namespace that is gone dies in the background. */
	for (int i = 0; (r = cnet_link_count_uppers(d->hnl, li.ifindex)) > 0 && !alive && i < 150; i++)
		nanosleep(&(struct timespec){0, 20 * 1000000L}, NULL);
	if (r < 0)
		return r;
	if (r > 0) {
		cnet_result_add_warning(d->res, "'%s' still carries other interfaces; left alone", name);
		return 0;
	}
	snprintf(what, sizeof(what), "remove '%s'", name);
	r = cnet_link_del(d->hnl, li.ifindex, what);
	if (r == 0)
		cnet_result_add_action(d->res, "remove VLAN subinterface %s", name);
	return r;
}

static int restore_info(const cJSON *restore, struct cnet_linkinfo *orig, struct cnet_ip *addrs,
			size_t *n, struct cnet_routes *routes)
{
	const cJSON *a;

	memset(orig, 0, sizeof(*orig));
	snprintf(orig->name, sizeof(orig->name), "%s", cnet_json_str(restore, "name"));
	orig->ifindex = (int)cnet_json_int(restore, "ifindex", 1, INT32_MAX, 0);
	orig->mtu = (unsigned int)cnet_json_int(restore, "mtu", 68, 65535, 0);
	cnet_routes_from_json(cJSON_GetObjectItemCaseSensitive(restore, "routes"), routes);
	orig->has_mac = cnet_parse_mac(cnet_json_str(restore, "mac"), orig->mac) == 0;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(restore, "up")))
		orig->flags = IFF_UP;
	*n = 0;
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(restore, "addresses"))
	{
		if (*n < 16 && cJSON_IsString(a) && cnet_parse_ip(a->valuestring, true, &addrs[*n]) == 0)
			(*n)++;
	}
	return cnet_ifname_ok(orig->name) ? 0 : -EINVAL;
}

/* A record from before identities were kept: with the namespace gone the
 * device can only be on the host (where the container makes nothing), so
 * the recorded ifindex and MACs still find it; in a live namespace nothing
 * the container could not forge would, so nothing is taken. */
static int legacy_find(struct ctx_detach *d, const cJSON *rec, bool alive, int ifindex,
		       const struct cnet_linkinfo *orig, struct cnet_linkinfo *li)
{
	const cJSON *link = cJSON_GetObjectItemCaseSensitive(rec, "link");
	unsigned char mac[6];

	if (alive)
		return cnet_errc(d->ctx, CNET_ERR_BUSY, -EPERM,
				 "record %s predates device identities: cnet cannot tell '%s' from a look-alike the container made; stop the container (its device then comes back to the host) and detach again",
				 cnet_json_str(rec, "id"), orig->name);
	if (cnet_parse_mac(cnet_json_str(link, "mac"), mac) < 0 &&
	    cnet_parse_mac(cnet_json_str(cJSON_GetObjectItemCaseSensitive(rec, "options"), "mac"), mac) < 0)
		memcpy(mac, orig->mac, 6);
	if (cnet_link_get(d->hnl, ifindex > 0 ? ifindex : orig->ifindex, NULL, li) == 0 && li->has_mac &&
	    (!memcmp(li->mac, mac, 6) || !memcmp(li->mac, orig->mac, 6)))
		return 0;
	cnet_clear_err(d->ctx);
	return -ENODEV;
}

/* The device still exists away from the host: a veth whose peer is still
 * here (a veth pair dies whole), a device still on its bus (vf_decided: a
 * VF of a dead namespace, for which cnet_sriov_wait_back decided). */
static bool still_away(struct ctx_detach *d, const struct cnet_devid *id, bool vf_decided)
{
	if (id->peer > 0)
		return cnet_devid_peer_exists(d->hnl, id);
	return !vf_decided && cnet_devid_exists(d->ctx, id);
}

static int undo_host_device(struct ctx_detach *d, const cJSON *rec, bool alive, int ifindex)
{
	const cJSON *restore = cJSON_GetObjectItemCaseSensitive(rec, "restore");
	struct cnet_routes routes = {0};
	struct cnet_linkinfo orig, li;
	struct cnet_devid id;
	struct cnet_ip addrs[16];
	bool have_id, here = false;
	size_t n;
	int r;

	if (restore_info(restore, &orig, addrs, &n, &routes) < 0) {
		cnet_routes_free(&routes);
		return cnet_errc(d->ctx, CNET_ERR_STORE, -EBADMSG, "record %s has no usable restore data",
				 cnet_json_str(rec, "id"));
	}
	/* A VF's MAC comes back with its PF settings, after the move. */
	bool keep_mac = !strcmp(cnet_json_str(rec, "kind"), "sriov");
	struct cnet_linkinfo back = orig;
	back.has_mac = back.has_mac && !keep_mac;
	/* Only the device itself goes back, found by its identity: never a
	 * link that merely has its name, MAC or ifindex. */
	have_id = cnet_devid_from_json(restore, &id);
	if (!have_id) {
		r = legacy_find(d, rec, alive, ifindex, &orig, &li);
		here = r == 0;
	} else {
		r = alive ? cnet_devid_find(d->hnl, d->tnl, d->t->fd, &id, &li) : -ENODEV;
		/* On the host already: its namespace died, or a crash came
		 * before (or after) the move. A namespace just deleted is torn
		 * down in the background: its veth goes, its NIC comes back. */
		for (int i = 0; r == -ENODEV; i++) {
			r = cnet_devid_find(d->hnl, d->hnl, -1, &id, &li);
			here = r == 0;
			if (r != -ENODEV || alive || i == 150 || !still_away(d, &id, keep_mac))
				break;
			nanosleep(&(struct timespec){0, 20 * 1000000L}, NULL);
		}
	}
	if (r == 0 && here && is_pending(rec) && !strcmp(li.name, orig.name) && li.mtu == orig.mtu &&
	    !memcmp(li.mac, orig.mac, 6))
		goto out; /* a pending record's device that never left */
	if (r == 0) {
		r = cnet_restore_device(d->ctx, here ? NULL : d->tnl, d->hnl, li.ifindex, &back, addrs, n,
					&routes, d->res);
		goto out;
	}
	if (r != -ENODEV)
		goto out;
	cnet_clear_err(d->ctx);
	/* Not in the namespace, not on the host, but it still exists (a veth
	 * whose peer is still there, a device still on its bus): the container
	 * keeps it somewhere (in a namespace of its own), or something holds
	 * its dead namespace. The record stays, and nothing else of it (a VF's
	 * PF settings) is undone. A device that exists no more is gone. */
	if (have_id && still_away(d, &id, keep_mac && !alive)) {
		cnet_clear_err(d->ctx);
		r = cnet_errc(d->ctx, CNET_ERR_BUSY, -EBUSY,
			      "device '%s' is neither in %s nor back on the host (the container may have moved it into a namespace of its own); record kept, nothing given back",
			      orig.name, cnet_json_str(rec, "target"));
		goto out;
	}
	r = 0;
	cnet_result_add_warning(d->res, "device '%s' is gone (removed, or destroyed with the namespace)",
				orig.name);
out:
	cnet_routes_free(&routes);
	return r;
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
		warn_failed(d->ctx, d->res,
			    cnet_route_replay(d->tnl, saved.msg[i], true, 0, 0,
					      "restore the old default route"),
			    "restore the previous default route");
	}
	cnet_routes_free(&saved);
}

static int undo(struct ctx_detach *d, cJSON *rec);

struct sweep {
	struct ctx_detach *d;
	const cJSON *self;
	int parent, nsid, n, removed;
	int del[64];
};

/* Another live record's interface in the same namespace (by ifindex). */
static bool others(struct sweep *s, int ifindex)
{
	const cJSON *rec;

	cJSON_ArrayForEach(rec, s->d->st->records)
	{
		if (rec != s->self && cnet_record_in_netns(rec, s->d->t) &&
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

/* macvlan, vlan: every link in the container that rides on the recorded
 * parent on the host goes, whatever the container named or marked it: the
 * record's own (renamed, unmarked) and the macvlans it stacked on it, which
 * the kernel put on the host's parent itself. Another record's are kept. */
static int sweep_uppers(struct ctx_detach *d, const cJSON *rec, bool found)
{
	const cJSON *host = cJSON_GetObjectItemCaseSensitive(rec, "host");
	const char *parent = *cnet_json_str(host, "vlan_dev")
				     ? cnet_json_str(host, "vlan_dev")
				     : cnet_json_str(cJSON_GetObjectItemCaseSensitive(rec, "options"), "parent");
	struct sweep s = {.d = d, .self = rec};
	struct cnet_linkinfo pli;
	char what[64];
	int r, self = cnet_self_ns(d->ctx);

	if (self < 0)
		return self;
	r = cnet_link_get(d->hnl, 0, parent, &pli);
	if (r == 0)
		r = cnet_netns_id(d->tnl, self, &s.nsid);
	if (r == -ENODEV) {
		cnet_clear_err(d->ctx);
		return 0; /* the parent is gone: so is all that rode on it */
	}
	if (r < 0)
		return r;
	s.parent = pli.ifindex;
	if (s.nsid < 0)
		return 0; /* the container has no id for the host: nothing rides on it */
	r = cnet_link_each(d->tnl, sweep_one, &s);
	for (int i = 0; r >= 0 && i < s.n; i++) {
		snprintf(what, sizeof(what), "remove interface %d on '%s'", s.del[i], parent);
		r = cnet_link_del(d->tnl, s.del[i], what);
		if (r == -ENODEV) { /* went with one removed before it */
			cnet_clear_err(d->ctx);
			r = 0;
		} else if (r == 0) {
			s.removed++;
		}
	}
	if (r < 0)
		return r;
	if (s.removed)
		cnet_result_add_warning(d->res, "removed %d interface%s in %s riding on host '%s' that the container had renamed, unmarked or stacked",
					s.removed, s.removed > 1 ? "s" : "", cnet_json_str(rec, "target"), parent);
	else if (!found)
		cnet_result_add_warning(d->res, "%s %s is not in %s any more (deleted there, or moved where cnet cannot see it)",
					cnet_json_str(rec, "kind"), cnet_json_str(rec, "ifname"),
					cnet_json_str(rec, "target"));
	return 0;
}

/* A bond's slave, while its bond's record is there: undone with it. */
bool cnet_record_is_bond_slave(const struct cnet_store *st, const cJSON *rec)
{
	const char *of = cnet_json_str(rec, "slave_of");
	const cJSON *r;

	if (!*of)
		return false;
	cJSON_ArrayForEach(r, st->records) if (!strcmp(cnet_json_str(r, "id"), of)) return true;
	return false;
}

/* After the bond is gone (its slaves released), each slave's attachment
 * is undone as its record says, and the record dropped. */
static int undo_bond_slaves(struct ctx_detach *d, const cJSON *bond)
{
	const char *id = cnet_json_str(bond, "id");
	cJSON *rec;
	int r;

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

int cnet_record_undo(struct cnet_ctx *ctx, struct cnet_result *res, struct cnet_store *st,
		     struct cnet_target *t, struct cnet_nl *hnl, struct cnet_nl *tnl, cJSON *rec)
{
	struct ctx_detach d = {.ctx = ctx, .res = res, .st = st, .t = t, .hnl = hnl, .tnl = tnl};

	return undo(&d, rec);
}

static int undo(struct ctx_detach *d, cJSON *rec)
{
	const char *kind = cnet_json_str(rec, "kind");
	int ifindex = (int)cnet_json_int(cJSON_GetObjectItemCaseSensitive(rec, "link"), "ifindex", 1,
					 INT32_MAX, 0);
	bool alive = d->tnl && cnet_record_in_netns(rec, d->t);
	struct cnet_linkinfo li;
	char what[64];
	int r = 0;

	if (alive && cJSON_GetObjectItemCaseSensitive(rec, "dhcp"))
		cnet_lease_release_record(d->ctx, d->t->fd, d->tnl, rec, d->res);
	if (cnet_kind_moves(cnet_kind_from_string(kind))) {
		r = !alive && !strcmp(kind, "sriov") ? cnet_sriov_wait_back(d->ctx, rec) : 0;
		if (r == 0)
			r = undo_host_device(d, rec, alive, ifindex);
		if (r == 0 && !strcmp(kind, "sriov"))
			r = cnet_sriov_undo(d->ctx, d->hnl, rec, d->res);
	} else if (alive) {
		bool found = find_ours(d, rec, ifindex, NULL, NULL, &li) == 0;
		r = 0;
		if (found) {
			snprintf(what, sizeof(what), "remove '%s'", li.name);
			r = cnet_link_del(d->tnl, li.ifindex, what);
		}
		if (r == 0 && (!strcmp(kind, "macvlan") || !strcmp(kind, "vlan")))
			r = sweep_uppers(d, rec, found);
	}
	if (r == 0 && !strcmp(kind, "veth"))
		r = undo_veth_host(d, rec);
	if (r == 0 && !strcmp(kind, "macvlan"))
		r = undo_vlan_host(d, rec, alive);
	if (r == 0 && !strcmp(kind, "bond"))
		r = undo_bond_slaves(d, rec);
	if (r == 0 && alive)
		restore_routes(d, rec);
	return r;
}

static bool matches(const cJSON *rec, const char *target, const struct cnet_target *t,
		    const char *ifname)
{
	if (ifname && strcmp(cnet_json_str(rec, "ifname"), ifname))
		return false;
	return !strcmp(cnet_json_str(rec, "target"), target) || cnet_record_in_netns(rec, t);
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

CNET_EXPORT int cnet_detach(struct cnet_ctx *ctx, const char *target, const char *ifname,
			    unsigned int flags, struct cnet_result **out)
{
	struct cnet_target t = {.fd = -1, .proc_fd = -1};
	struct cnet_store st = {.lock_fd = -1};
	struct ctx_detach d = {.ctx = ctx, .st = &st, .t = &t, .dry_run = flags & CNET_DETACH_DRY_RUN};
	struct cnet_nl *tnl = NULL;
	cJSON *rec, *next;
	bool found = false;
	int r;

	cnet_clear_err(ctx);
	if (!target || !*target)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "empty target");
	if (ifname && (r = cnet_check_ifname(ctx, ifname)) < 0)
		return r;
	if (flags & ~CNET_DETACH_DRY_RUN)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "unknown detach flags %#x", flags);
	r = cnet_result_new(ctx, &d.res);
	if (r < 0)
		return r;
	r = cnet_store_open(ctx, &st, d.dry_run);
	if (r < 0)
		goto out;
	r = cnet_target_resolve(ctx, target, &t);
	if (r < 0 && ctx->errclass != CNET_ERR_TARGET)
		goto out;
	if (r < 0) {
		/* Gone or never there: records still say what to undo. */
		char msg[sizeof(ctx->errmsg)];
		memcpy(msg, ctx->errmsg, sizeof(msg));
		cnet_clear_err(ctx);
		cJSON_ArrayForEach(rec, st.records) if (matches(rec, target, &t, ifname)) found = true;
		if (!found) {
			r = cnet_errc(ctx, CNET_ERR_TARGET, -ESRCH, "%s, and nothing is recorded for it", msg);
			goto out;
		}
		if (t.fd >= 0) {
			close(t.fd);
			t.fd = -1;
		}
	}
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
		struct cnet_target rt = {.fd = -1};
		struct cnet_nl *rtnl = NULL;
		bool alive;

		next = rec->next;
		if (!matches(rec, target, &t, ifname) || cnet_record_is_bond_slave(&st, rec))
			continue;
		found = true;
		r = 0;
		/* Matched by name, in another namespace than the name's now:
		 * where its own target says it is, or gone. */
		d.t = &t;
		d.tnl = tnl;
		alive = tnl && cnet_record_in_netns(rec, &t);
		if (!alive) {
			r = record_netns(ctx, rec, &rt, &rtnl);
			alive = r > 0;
			d.t = alive ? &rt : &t;
			d.tnl = alive ? rtnl : NULL;
		}
		if (r >= 0) {
			cnet_result_add_action(d.res, "remove %s %s from %s%s", cnet_json_str(rec, "kind"),
					       cnet_json_str(rec, "ifname"), cnet_json_str(rec, "target"),
					       alive ? "" : " (namespace gone)");
			cnet_result_add_record(d.res, rec);
			d.res->changed = true;
			r = d.dry_run ? 0 : undo(&d, rec);
		}
		cnet_nl_close(rtnl);
		cnet_target_close(&rt);
		if (r < 0)
			break;
		if (d.dry_run)
			continue;
		cJSON_Delete(cJSON_DetachItemViaPointer(st.records, rec));
		/* A bond took its slaves' records with it: start over. */
		next = st.records ? st.records->child : NULL;
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
