/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A host device lent to the target (host-device, and a VF's netdev): found
 * on the host and refused if moving it could cut the host off, moved in,
 * and given back under its own name, MTU, MAC, state, addresses and routes,
 * found by what the container cannot forge (devid.c), never by a name, MAC
 * or ifindex the container controls.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "kind.h"

static int collect_addr(int ifindex, const struct cnet_ip *ip, unsigned int flags, void *arg)
{
	struct cnet_lend *l = arg;

	(void)ifindex;
	(void)flags;
	if (cnet_ip_is_v6_linklocal(ip))
		return 0;
	if (l->n_addrs < ARRAY_SIZE(l->addrs))
		l->addrs[l->n_addrs] = *ip;
	l->n_addrs++;
	return 0;
}

int cnet_lend_preflight(struct run *run, struct cnet_lend *l)
{
	struct cnet_attach *att = run->att;
	bool force = att->flags & CNET_ATTACH_FORCE;
	struct cnet_linkinfo master;
	char buf[CNET_IPSTRLEN];
	int r;

	r = cnet_link_get(run->hnl, 0, att->dev, &l->dev);
	if (r < 0)
		return cnet_missing(run->ctx, r, "device", att->dev, "");
	if (l->dev.flags & IFF_LOOPBACK)
		return cnet_errc(run->ctx, CNET_ERR_INVALID, -EINVAL, "refusing to move loopback '%s'",
				 att->dev);
	/* What will tell it apart when it is given back (devid.c). */
	r = cnet_devid_read(run->hnl, &l->dev, run->t.fd, &run->devid);
	if (r < 0)
		return r;
	if (l->dev.master && !force) {
		r = cnet_link_get(run->hnl, (int)l->dev.master, NULL, &master);
		return cnet_errc(run->ctx, CNET_ERR_BUSY, -EBUSY,
				 "device '%s' is enslaved to '%s'; moving it could cut the host off (--force moves it anyway)",
				 att->dev, r < 0 ? "?" : master.name);
	}
	r = cnet_addr_each(run->hnl, l->dev.ifindex, collect_addr, l);
	if (r < 0)
		return r;
	if (l->n_addrs && !force)
		return cnet_errc(run->ctx, CNET_ERR_BUSY, -EBUSY,
				 "device '%s' carries address %s; moving it could cut the host off (--force moves it anyway)",
				 att->dev, cnet_ip_str(&l->addrs[0], true, buf));
	if (l->n_addrs > ARRAY_SIZE(l->addrs))
		return cnet_errc(run->ctx, CNET_ERR_INVALID, -E2BIG,
				 "device '%s' carries more addresses than cnet can restore", att->dev);
	/* Links of the host built on it (macvlan, VLAN, ipvlan) would ride on a
	 * device the container controls. */
	r = cnet_link_count_uppers(run->hnl, l->dev.ifindex);
	if (r < 0)
		return r;
	if (r > 0 && !force)
		return cnet_errc(run->ctx, CNET_ERR_BUSY, -EBUSY,
				 "other host interfaces sit on device '%s'; moving it could cut the host off (--force moves it anyway)",
				 att->dev);
	/* Routes through it leave with it: kept whole, to come back with it. */
	r = cnet_routes_save(run->hnl, AF_UNSPEC, l->dev.ifindex, &l->routes);
	if (r < 0)
		return r;
	if (l->routes.n && !force)
		return cnet_errc(run->ctx, CNET_ERR_BUSY, -EBUSY,
				 "routes on the host use device '%s'; moving it could cut the host off (--force moves it anyway)",
				 att->dev);
	return 0;
}

int cnet_lend_move(struct run *run, struct cnet_lend *l)
{
	struct cnet_link_change c = {
		.ifindex = l->dev.ifindex, .name = run->tmp_name, .ns_fd = run->t.fd, .up = -1,
	};
	char what[96];
	int r;

	snprintf(what, sizeof(what), "move '%s' into %s", run->att->dev, run->att->target);
	r = cnet_link_change(run->hnl, &c, what);
	if (r < 0)
		return r;
	run->moved = true;
	/* Found by what the container cannot forge, never by the name it
	 * arrived under: the container may rename it at once. */
	r = cnet_devid_find(run->hnl, run->tnl, run->t.fd, &run->devid, &run->link);
	if (r == -ENODEV)
		return cnet_err(run->ctx, r, "'%s' vanished from %s after the move", run->att->dev,
				run->att->target);
	return r;
}

/* run->link.ifindex: found again by identity (the engine's rollback did). */
void cnet_lend_rollback(struct run *run, struct cnet_lend *l, bool keep_mac)
{
	size_t n = l->n_addrs < ARRAY_SIZE(l->addrs) ? l->n_addrs : ARRAY_SIZE(l->addrs);
	struct cnet_linkinfo dev = l->dev;

	if (!run->moved || run->link.ifindex <= 0)
		return;
	dev.has_mac = dev.has_mac && !keep_mac;
	cnet_restore_device(run->ctx, run->tnl, run->hnl, run->link.ifindex, &dev, l->addrs, n,
			    &l->routes, NULL);
}

void cnet_lend_record(const struct run *run, const struct cnet_lend *l, cJSON *rec)
{
	cJSON *o = cJSON_AddObjectToObject(rec, "restore"), *a;
	char buf[CNET_IPSTRLEN];

	cJSON_AddStringToObject(o, "name", l->dev.name);
	cJSON_AddNumberToObject(o, "ifindex", l->dev.ifindex);
	cJSON_AddNumberToObject(o, "mtu", l->dev.mtu);
	cnet_mac_str(l->dev.mac, buf);
	cJSON_AddStringToObject(o, "mac", buf);
	cJSON_AddBoolToObject(o, "up", (l->dev.flags & IFF_UP) != 0);
	cnet_devid_to_json(&run->devid, o);
	a = cJSON_AddArrayToObject(o, "addresses");
	for (size_t i = 0; a && i < l->n_addrs; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(cnet_ip_str(&l->addrs[i], true, buf)));
	a = cJSON_AddArrayToObject(o, "routes");
	for (size_t i = 0; a && i < l->routes.n; i++)
		cJSON_AddItemToArray(a, cnet_route_to_json(l->routes.msg[i]));
}

void cnet_lend_free(struct cnet_lend *l)
{
	cnet_routes_free(&l->routes);
}

/* ---- given back --------------------------------------------------------- */

static void restore_on_host(struct cnet_ctx *ctx, struct cnet_nl *hnl, int old_ifindex, int ifindex,
			    const struct cnet_ip *addrs, size_t n, const struct cnet_routes *routes,
			    struct cnet_result *res)
{
	char buf[CNET_IPSTRLEN], what[CNET_IPSTRLEN + 48];

	for (size_t i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "restore address %s on the host",
			 cnet_ip_str(&addrs[i], true, buf));
		cnet_result_warn_failed(ctx, res, cnet_addr_add(hnl, ifindex, &addrs[i], true), what);
	}
	for (size_t i = 0; routes && i < routes->n; i++)
		cnet_result_warn_failed(ctx, res,
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
static int legacy_find(struct cnet_undo *d, const cJSON *rec, bool alive, int ifindex,
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
static bool still_away(struct cnet_undo *d, const struct cnet_devid *id, bool vf_decided)
{
	if (id->peer > 0)
		return cnet_devid_peer_exists(d->hnl, id);
	return !vf_decided && cnet_devid_exists(d->ctx, id);
}

int cnet_lend_undo(struct cnet_undo *d, const cJSON *rec, bool keep_mac)
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
	bool alive = d->alive;
	int ifindex = d->ifindex;
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
			cnet_nap_ms(20);
		}
	}
	if (r == 0 && here && cnet_record_pending(rec) && !strcmp(li.name, orig.name) && li.mtu == orig.mtu &&
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

