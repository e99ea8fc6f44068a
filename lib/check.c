/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Is a record's interface as it was asked? Its link (by ifindex, name and
 * mark, or a lent device's identity), MTU and MAC; every asked address,
 * route, default route and rule; what only its kind sees; its bandwidth
 * limits. Reapply's question, asked of the record's target and, for a
 * kind with a peer end, of that end in the peer's namespace.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

#include <cjson/cJSON.h>

#include "attach.h"

/* The link's addresses, read once for every address a record asks (a
 * link with more than the room holds is read again for each). */
struct addrs {
	struct cnet_ip ip[32];
	int n;
	bool read, more;
	const struct cnet_ip *want; /* reading again: the one asked */
	bool found;
};

static bool same_ip(const struct cnet_ip *a, const struct cnet_ip *b)
{
	return a->family == b->family && a->plen == b->plen && !memcmp(a->a, b->a, 16);
}

static int addr_keep(int ifindex, const struct cnet_ip *ip, unsigned int flags, void *arg)
{
	struct addrs *as = arg;

	(void)ifindex;
	(void)flags;
	if (as->want)
		as->found = as->found || same_ip(ip, as->want);
	else if (as->n < (int)ARRAY_SIZE(as->ip))
		as->ip[as->n++] = *ip;
	else
		as->more = true;
	return 0;
}

/* Is ip on link l3? -errno if the addresses cannot be read. */
static int addr_present(struct cnet_nl *tnl, int l3, struct addrs *as, const struct cnet_ip *ip)
{
	int r;

	if (!as->read) {
		r = cnet_addr_each(tnl, l3, addr_keep, as);
		if (r < 0)
			return r;
		as->read = true;
	}
	for (int i = 0; i < as->n; i++)
		if (same_ip(&as->ip[i], ip))
			return 1;
	if (!as->more)
		return 0;
	as->want = ip;
	as->found = false;
	r = cnet_addr_each(tnl, l3, addr_keep, as);
	as->want = NULL;
	return r < 0 ? r : as->found;
}

/* The record's routes and default routes of one family, each marked as
 * the kernel's dump of routes through the link streams past: no cap on
 * how many routes the namespace has. */
struct want_rt {
	struct cnet_route r;
	const char *text;
	bool gw, found;
};
struct want_rts {
	struct want_rt *w;
	int n, oif;
	bool tables; /* one asked in a table other than main */
};

static void mark_route(const struct cnet_rt *rt, void *arg)
{
	struct want_rts *ws = arg;

	if (rt->oif != ws->oif)
		return;
	for (int i = 0; i < ws->n; i++) {
		const struct cnet_route *want = &ws->w[i].r;
		if (rt->dst.plen != want->dst.plen || memcmp(rt->dst.a, want->dst.a, 16) ||
		    rt->has_gw != want->has_via || (want->metric && rt->metric != want->metric) ||
		    rt->table != (want->table ? want->table : 254 /* main */))
			continue;
		if (!want->has_via || !memcmp(rt->gw.a, want->via.a, 16))
			ws->w[i].found = true;
	}
}

/* The link: there, by ifindex and name and (created ones) mark, or
 * (lent ones) identity; its MTU and MAC; the link that carries the
 * addresses (*l3). */
int cnet_record_check_link(struct cnet_nl *hnl, struct cnet_nl *tnl, int ns_fd, const cJSON *rec,
			   int *l3, char *reason, size_t len)
{
	const cJSON *link = cJSON_GetObjectItemCaseSensitive(rec, "link"), *vl;
	const struct cnet_kind_ops *ops = cnet_kind_by_name(cnet_json_str(rec, "kind"));
	int ifindex = (int)cnet_json_int(link, "ifindex", 1, INT32_MAX, 0);
	struct cnet_linkinfo li;
	unsigned char mac[6];
	char alias[16];
	int r;

	r = cnet_link_get(tnl, ifindex, NULL, &li);
	cnet_mark_name(alias, cnet_json_str(rec, "id"));
	if (r == -ENODEV || (r == 0 && (strcmp(li.name, cnet_json_str(rec, "ifname")) ||
					(!(ops && ops->moves) && strcmp(li.alias, alias))))) {
		snprintf(reason, len, "interface missing");
		return 1;
	}
	if (r < 0)
		return r;
	{
		/* A moved device is the one whose identity it has, whatever
		 * else has its name and ifindex (old records have none). */
		struct cnet_devid id;
		struct cnet_linkinfo real;
		if (cnet_devid_from_json(cJSON_GetObjectItemCaseSensitive(rec, "restore"), &id)) {
			r = cnet_devid_find(hnl, tnl, ns_fd, &id, &real);
			if (r == -ENODEV || (r == 0 && real.ifindex != li.ifindex)) {
				snprintf(reason, len, "interface missing");
				return 1;
			}
			if (r < 0)
				return r;
		}
	}
	if (li.mtu != (unsigned int)cnet_json_int(link, "mtu", 0, 65535, 0)) {
		snprintf(reason, len, "MTU is %u, not %lld", li.mtu, cnet_json_int(link, "mtu", 0, 65535, 0));
		return 2;
	}
	*l3 = li.ifindex;
	if ((vl = cJSON_GetObjectItemCaseSensitive(rec, "vlan_link"))) {
		/* a link of its own carries the addresses and routes */
		struct cnet_linkinfo vli;
		r = cnet_link_get(tnl, (int)cnet_json_int(vl, "ifindex", 1, INT32_MAX, 0), NULL, &vli);
		if (r == -ENODEV || (r == 0 && (strcmp(vli.name, cnet_json_str(vl, "ifname")) ||
						strcmp(vli.alias, alias)))) {
			snprintf(reason, len, "VLAN interface %s missing", cnet_json_str(vl, "ifname"));
			return 2;
		}
		if (r < 0)
			return r;
		*l3 = vli.ifindex;
	}
	/* A composite's MAC may be its children's business (a bond's). */
	if (!(ops && ops->mac_follows) &&
	    cnet_parse_mac(cnet_json_str(link, "mac"), mac) == 0 && memcmp(mac, li.mac, 6)) {
		snprintf(reason, len, "MAC address changed");
		return 2;
	}
	return 0;
}

/* The record's asked routes ("route") and default routes ("gw") of a
 * family into ws (malloc'd; n 0: none asked). */
static int want_routes(const cJSON *o, int family, struct want_rts *ws)
{
	const cJSON *route = cJSON_GetObjectItemCaseSensitive(o, "route");
	const cJSON *gw = cJSON_GetObjectItemCaseSensitive(o, "gw"), *v;
	int cap = cJSON_GetArraySize(route) + cJSON_GetArraySize(gw);

	ws->n = 0;
	ws->w = NULL;
	if (cap <= 0)
		return 0;
	ws->w = calloc((size_t)cap, sizeof(*ws->w));
	if (!ws->w)
		return -ENOMEM;
	cJSON_ArrayForEach(v, route)
	{
		struct want_rt *w = &ws->w[ws->n];
		if (cJSON_IsString(v) && cnet_parse_route(v->valuestring, &w->r) == 0 &&
		    w->r.dst.family == family) {
			w->text = v->valuestring;
			ws->tables |= w->r.table != 0;
			ws->n++;
		}
	}
	cJSON_ArrayForEach(v, gw)
	{
		struct want_rt *w = &ws->w[ws->n];
		w->r = (struct cnet_route){.has_via = true};
		if (cJSON_IsString(v) && cnet_parse_ip(v->valuestring, false, &w->r.via) == 0 &&
		    w->r.via.family == family) {
			w->r.dst.family = family;
			w->text = v->valuestring;
			w->gw = true;
			ws->n++;
		}
	}
	return 0;
}

/* Every asked route and default route of one family. */
static int check_routes(struct cnet_nl *tnl, const cJSON *o, int family, int l3, char *reason,
			size_t len)
{
	struct want_rts ws = {.oif = l3};
	int r = want_routes(o, family, &ws);

	if (r == 0 && ws.n > 0) /* nothing asked: nothing to read */
		r = (ws.tables ? cnet_route_each_table : cnet_route_each)(tnl, family, l3, mark_route, &ws);
	for (int i = 0; r == 0 && i < ws.n; i++)
		if (!ws.w[i].found) {
			snprintf(reason, len, ws.w[i].gw ? "default route via %s missing" : "route %s missing",
				 ws.w[i].text);
			r = 2;
		}
	free(ws.w);
	return r == -ENOMEM ? cnet_err(cnet_nl_ctx(tnl), r, "out of memory") : r;
}

/* Every asked address (and a running lease's), route, default route and rule. */
static int check_l3(struct cnet_nl *tnl, const cJSON *rec, int l3, char *reason, size_t len)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "options"), *v;
	struct addrs as = {.n = 0};
	int r;

	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(o, "ip"))
	{
		struct cnet_ip ip;
		if (!cJSON_IsString(v) || cnet_parse_ip(v->valuestring, true, &ip) < 0)
			continue;
		r = addr_present(tnl, l3, &as, &ip);
		if (r < 0)
			return r;
		if (!r) {
			snprintf(reason, len, "address %s missing", v->valuestring);
			return 2;
		}
	}
	{
		/* A lease still running: its address is there (once it has
		 * ended, the kernel has dropped it, and maintenance starts over). */
		const cJSON *lj = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "dhcp"),
								   "lease");
		struct cnet_lease l;
		if (cnet_lease_from_json(lj, &l) == 0 && cnet_lease_left(&l, l.lease, (int64_t)time(NULL)) > 1) {
			struct cnet_ip ip = {.family = AF_INET, .plen = l.plen};
			char a[INET_ADDRSTRLEN];
			memcpy(ip.a, &l.addr, 4);
			r = addr_present(tnl, l3, &as, &ip);
			if (r < 0)
				return r;
			if (!r) {
				snprintf(reason, len, "leased address %s missing",
					 inet_ntop(AF_INET, &l.addr, a, sizeof(a)));
				return 2;
			}
		}
	}
	r = check_routes(tnl, o, AF_INET, l3, reason, len);
	if (r == 0)
		r = check_routes(tnl, o, AF_INET6, l3, reason, len);
	if (r == 0)
		r = cnet_rules_check(tnl, o, reason, len);
	return r == 1 ? 2 : r;
}

/* Does the live interface match the record? If not, say why in reason:
 * 1 missing, 2 drifted; 0 all as asked; < 0. */
int cnet_record_check(struct cnet_ctx *ctx, struct cnet_nl *hnl, struct cnet_nl *tnl, int ns_fd,
		      const cJSON *rec, char *reason, size_t len)
{
	const struct cnet_kind_ops *ops = cnet_kind_by_name(cnet_json_str(rec, "kind"));
	int l3 = 0, r = cnet_record_check_link(hnl, tnl, ns_fd, rec, &l3, reason, len);

	if (r == 0)
		r = check_l3(tnl, rec, l3, reason, len);
	/* What only the kind sees (what the PF holds for a VF drifts apart
	 * from the netdev): a repair moves it out and in again. */
	if (r == 0 && ops && ops->check) {
		r = ops->check(ctx, hnl, rec, reason, len);
		r = r > 0 ? 2 : r;
	}
	if (r == 0) {
		r = cnet_qos_check(hnl, tnl, rec, reason, len);
		r = r > 0 ? 2 : r;
	}
	return r;
}
