/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/msg.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

#include "cnet-internal.h"

static struct nl_addr *to_nl(const struct cnet_ip *ip, unsigned int plen)
{
	struct nl_addr *a = nl_addr_build(ip->family, ip->a, ip->family == AF_INET ? 4 : 16);

	if (a)
		nl_addr_set_prefixlen(a, (int)plen);
	return a;
}

/* add: 1 (excl), 2 (replace or create); 0: delete */
static int build(struct cnet_ctx *ctx, const struct cnet_rt *rt, int add, struct nl_msg **msg)
{
	struct rtnl_route *route = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *dst = NULL, *gw = NULL;
	int r = -ENOMEM;

	if (!route || !nh)
		goto out;
	dst = to_nl(&rt->dst, rt->dst.plen);
	if (!dst)
		goto out;
	rtnl_route_set_family(route, (uint8_t)rt->family);
	rtnl_route_set_table(route, rt->table ? rt->table : RT_TABLE_MAIN);
	rtnl_route_set_type(route, RTN_UNICAST);
	rtnl_route_set_protocol(route, rt->protocol ? rt->protocol : RTPROT_STATIC);
	rtnl_route_set_scope(route, rt->scope ? rt->scope
				: rt->has_gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	if (rt->metric)
		rtnl_route_set_priority(route, rt->metric);
	if (rtnl_route_set_dst(route, dst) < 0)
		goto out;
	if (rt->oif > 0)
		rtnl_route_nh_set_ifindex(nh, rt->oif);
	if (rt->has_gw) {
		gw = to_nl(&rt->gw, rt->gw.family == AF_INET ? 32 : 128);
		if (!gw)
			goto out;
		rtnl_route_nh_set_gateway(nh, gw);
	}
	rtnl_route_add_nexthop(route, nh);
	nh = NULL; /* owned by route now */
	r = add ? rtnl_route_build_add_request(route, NLM_F_CREATE | (add == 2 ? NLM_F_REPLACE : NLM_F_EXCL), msg)
		: rtnl_route_build_del_request(route, 0, msg);
	r = r < 0 ? -ENOMEM : 0;
out:
	if (nh)
		rtnl_route_nh_free(nh);
	nl_addr_put(dst);
	nl_addr_put(gw);
	rtnl_route_put(route);
	return r < 0 ? cnet_err(ctx, r, "cannot build the route request") : 0;
}

int cnet_route_build(struct cnet_ctx *ctx, const struct cnet_rt *rt, bool add, struct nl_msg **msg)
{
	return build(ctx, rt, add ? 1 : 0, msg);
}

int cnet_route_replace(struct cnet_nl *nl, const struct cnet_rt *rt, const char *what)
{
	struct nl_msg *msg;
	int r = build(cnet_nl_ctx(nl), rt, 2, &msg);

	return r < 0 ? r : cnet_nl_talk(nl, msg, what);
}

int cnet_route_add(struct cnet_nl *nl, const struct cnet_rt *rt, const char *what)
{
	struct nl_msg *msg;
	int r = cnet_route_build(cnet_nl_ctx(nl), rt, true, &msg);

	return r < 0 ? r : cnet_nl_talk(nl, msg, what);
}

int cnet_route_del(struct cnet_nl *nl, const struct cnet_rt *rt, const char *what)
{
	struct nl_msg *msg;
	int r = cnet_route_build(cnet_nl_ctx(nl), rt, false, &msg);

	return r < 0 ? r : cnet_nl_talk(nl, msg, what);
}

struct route_walk {
	int family;
	unsigned int table; /* 0: every table */
	bool all;
	cnet_rt_cb cb;
	void *arg;
};

static void attr_ip(const struct nlattr *a, int family, unsigned int plen, struct cnet_ip *ip)
{
	size_t len = mnl_attr_get_payload_len(a);

	memset(ip, 0, sizeof(*ip));
	ip->family = family;
	ip->plen = plen;
	if ((family == AF_INET && len == 4) || (family == AF_INET6 && len == 16))
		memcpy(ip->a, mnl_attr_get_payload(a), len);
}

static unsigned int route_table(const struct nlmsghdr *h);

/* A unicast route of the main table (the first nexthop of a multipath
 * one), read as the kernel sent it. */
static int collect_default(const struct nlmsghdr *h, void *arg)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(h);
	struct route_walk *w = arg;
	const struct nlattr *a;
	struct cnet_rt one = {0}, *rt = &one;

	if (h->nlmsg_type != RTM_NEWROUTE || h->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)) ||
	    rtm->rtm_family != w->family || rtm->rtm_type != RTN_UNICAST ||
	    (w->table && route_table(h) != w->table) || (!w->all && rtm->rtm_dst_len != 0))
		return 0;
	rt->family = rt->dst.family = w->family;
	rt->table = route_table(h);
	rt->dst.plen = rtm->rtm_dst_len;
	rt->protocol = rtm->rtm_protocol;
	rt->scope = rtm->rtm_scope;
	mnl_attr_for_each(a, h, sizeof(*rtm))
	{
		switch (mnl_attr_get_type(a)) {
		case RTA_DST:
			attr_ip(a, w->family, rtm->rtm_dst_len, &rt->dst);
			break;
		case RTA_PRIORITY:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				rt->metric = mnl_attr_get_u32(a);
			break;
		case RTA_OIF:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				rt->oif = (int)mnl_attr_get_u32(a);
			break;
		case RTA_GATEWAY:
			attr_ip(a, w->family, 0, &rt->gw);
			rt->has_gw = true;
			break;
		case RTA_MULTIPATH: {
			const struct rtnexthop *nh = mnl_attr_get_payload(a);
			int len = (int)mnl_attr_get_payload_len(a);
			const struct nlattr *b;
			if (len < (int)sizeof(*nh) || nh->rtnh_len < sizeof(*nh) || nh->rtnh_len > len)
				break;
			rt->oif = nh->rtnh_ifindex;
			for (b = (const struct nlattr *)RTNH_DATA(nh);
			     mnl_attr_ok(b, (int)((const char *)nh + nh->rtnh_len - (const char *)b));
			     b = mnl_attr_next(b))
				if (mnl_attr_get_type(b) == RTA_GATEWAY) {
					attr_ip(b, w->family, 0, &rt->gw);
					rt->has_gw = true;
				}
			break;
		}
		default:
			break;
		}
	}
	w->cb(rt, w->arg);
	return 0;
}

/* table 0: every table; oif > 0: only routes through it (a multipath one
 * if any nexthop is), filtered by the kernel under strict checking */
static struct nl_msg *route_dump(int family, unsigned char table, int oif)
{
	/* The kernel filters by table when strict checking is on: a
	 * namespace's local table is most of its routes. */
	struct rtmsg rtm = {.rtm_family = (unsigned char)family, .rtm_table = table};
	struct nl_msg *msg = nlmsg_alloc_size(256);

	if (msg && (!nlmsg_put(msg, 0, 0, RTM_GETROUTE, 0, NLM_F_DUMP) ||
		    nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
		    (oif > 0 && nla_put_u32(msg, RTA_OIF, (uint32_t)oif) < 0))) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static int route_walk(struct cnet_nl *nl, int family, unsigned int table, bool defaults_only, int oif,
		      cnet_rt_cb cb, void *arg)
{
	struct route_walk w = {.family = family, .table = table, .all = !defaults_only, .cb = cb, .arg = arg};
	struct nl_msg *msg = route_dump(family, table < 256 ? (unsigned char)table : 0, oif);
	int r;

	if (!msg)
		return cnet_err(cnet_nl_ctx(nl), -ENOMEM, "out of memory");
	r = cnet_nl_query_raw(nl, msg, collect_default, &w, "list routes");
	if (r == -ENOENT) {
		/* a namespace with no IPv4 route has no main table yet */
		cnet_clear_err(cnet_nl_ctx(nl));
		return 0;
	}
	return r;
}

int cnet_route_each(struct cnet_nl *nl, int family, int oif, cnet_rt_cb cb, void *arg)
{
	return route_walk(nl, family, RT_TABLE_MAIN, false, oif, cb, arg);
}

int cnet_route_each_table(struct cnet_nl *nl, int family, int oif, cnet_rt_cb cb, void *arg)
{
	return route_walk(nl, family, 0, false, oif, cb, arg);
}

struct rt_array {
	struct cnet_rt *out;
	int n, max;
};

static void keep_rt(const struct cnet_rt *rt, void *arg)
{
	struct rt_array *a = arg;

	if (a->n < a->max)
		a->out[a->n++] = *rt;
}

int cnet_route_defaults(struct cnet_nl *nl, int family, struct cnet_rt *out, int max)
{
	struct rt_array a = {.out = out, .max = max};
	int r = route_walk(nl, family, RT_TABLE_MAIN, true, 0, keep_rt, &a);

	return r < 0 ? r : a.n;
}

/* ---- routes kept whole: saved as the kernel sent them, replayed later ----
 * Rebuilding a route from a few fields loses what they do not hold (onlink,
 * source address, metrics, every nexthop of a multipath route), so the
 * routes cnet removes and must put back are kept as netlink messages. */

static bool route_uses(const struct nlmsghdr *h, int oif)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, h, sizeof(struct rtmsg))
	{
		if (mnl_attr_get_type(a) == RTA_OIF && mnl_attr_validate(a, MNL_TYPE_U32) == 0 &&
		    (int)mnl_attr_get_u32(a) == oif)
			return true;
		if (mnl_attr_get_type(a) == RTA_MULTIPATH) {
			const struct rtnexthop *nh = mnl_attr_get_payload(a);
			int len = (int)mnl_attr_get_payload_len(a);
			while (len >= (int)sizeof(*nh) && nh->rtnh_len >= sizeof(*nh) &&
			       nh->rtnh_len <= len) {
				if (nh->rtnh_ifindex == oif)
					return true;
				len -= (int)RTNH_ALIGN(nh->rtnh_len);
				nh = RTNH_NEXT(nh);
			}
		}
	}
	return false;
}

static unsigned int route_table(const struct nlmsghdr *h)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(h);
	const struct nlattr *a;

	mnl_attr_for_each(a, h, sizeof(*rtm))
	{
		if (mnl_attr_get_type(a) == RTA_TABLE && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			return mnl_attr_get_u32(a);
	}
	return rtm->rtm_table;
}

struct save_walk {
	struct cnet_routes *out;
	int family, oif;
};

static int save_one(const struct nlmsghdr *h, void *arg)
{
	struct save_walk *w = arg;
	const struct rtmsg *rtm;
	unsigned char *copy;

	if (h->nlmsg_type != RTM_NEWROUTE || h->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)))
		return 0;
	rtm = mnl_nlmsg_get_payload(h);
	if (w->oif) {
		/* Routes through a device, apart from those the kernel makes
		 * for its addresses (they come back with the addresses). */
		if (route_table(h) == RT_TABLE_LOCAL || rtm->rtm_protocol == RTPROT_KERNEL ||
		    !route_uses(h, w->oif))
			return 0;
	} else if (rtm->rtm_family != w->family || route_table(h) != RT_TABLE_MAIN ||
		   rtm->rtm_dst_len != 0 || rtm->rtm_type != RTN_UNICAST) {
		return 0; /* defaults of one family only */
	}
	if (w->out->n == ARRAY_SIZE(w->out->msg))
		return -E2BIG;
	copy = malloc(h->nlmsg_len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, h, h->nlmsg_len);
	w->out->msg[w->out->n++] = (struct nlmsghdr *)copy;
	return 0;
}

int cnet_routes_save(struct cnet_nl *nl, int family, int oif, struct cnet_routes *out)
{
	struct save_walk w = {.out = out, .family = family, .oif = oif};
	struct nl_msg *msg = route_dump(oif ? AF_UNSPEC : family, oif ? 0 : RT_TABLE_MAIN, 0);
	int r;

	if (!msg)
		return cnet_err(cnet_nl_ctx(nl), -ENOMEM, "out of memory");
	r = cnet_nl_query_raw(nl, msg, save_one, &w, "list routes");
	if (r == -ENOENT && !oif) {
		cnet_clear_err(cnet_nl_ctx(nl)); /* no main table: no default route */
		return 0;
	}
	if (r == -E2BIG)
		return cnet_err(cnet_nl_ctx(nl), r, "too many routes to keep (at most %zu)",
				ARRAY_SIZE(out->msg));
	return r;
}

void cnet_routes_free(struct cnet_routes *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->msg[i]);
	rs->n = 0;
}

/* A copy of a saved route as a request: RTM_NEWROUTE (create) or
 * RTM_DELROUTE, output-only attributes dropped, ifindex old_oif renamed to
 * new_oif (a device returned to the host may come back with another). */
static int route_request(struct cnet_ctx *ctx, const struct nlmsghdr *saved, bool add, int old_oif,
			 int new_oif, struct nl_msg **out)
{
	char buf[8192];
	struct nlmsghdr *h;
	const struct nlattr *a;
	struct nl_msg *msg;

	if (saved->nlmsg_len > sizeof(buf) || saved->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
		return cnet_err(ctx, -EINVAL, "a saved route is malformed");
	h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	h->nlmsg_flags = add ? NLM_F_CREATE | NLM_F_EXCL : 0;
	memcpy(mnl_nlmsg_put_extra_header(h, sizeof(struct rtmsg)), mnl_nlmsg_get_payload(saved),
	       sizeof(struct rtmsg));
	mnl_attr_for_each(a, saved, sizeof(struct rtmsg))
	{
		uint16_t type = mnl_attr_get_type(a);
		if (type == RTA_CACHEINFO)
			continue;
		if (type == RTA_OIF && mnl_attr_validate(a, MNL_TYPE_U32) == 0 && old_oif &&
		    (int)mnl_attr_get_u32(a) == old_oif) {
			mnl_attr_put_u32(h, RTA_OIF, (uint32_t)new_oif);
			continue;
		}
		mnl_attr_put(h, type, mnl_attr_get_payload_len(a), mnl_attr_get_payload(a));
		if (type == RTA_MULTIPATH && old_oif) {
			struct nlattr *put = (struct nlattr *)((char *)h + h->nlmsg_len -
							       NLA_ALIGN(a->nla_len));
			struct rtnexthop *nh = mnl_attr_get_payload(put);
			int len = (int)mnl_attr_get_payload_len(put);
			while (len >= (int)sizeof(*nh) && nh->rtnh_len >= sizeof(*nh) &&
			       nh->rtnh_len <= len) {
				if (nh->rtnh_ifindex == old_oif)
					nh->rtnh_ifindex = new_oif;
				len -= (int)RTNH_ALIGN(nh->rtnh_len);
				nh = RTNH_NEXT(nh);
			}
		}
	}
	msg = nlmsg_convert(h);
	if (!msg)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	*out = msg;
	return 0;
}

int cnet_route_replay(struct cnet_nl *nl, const struct nlmsghdr *saved, bool add, int old_oif,
		      int new_oif, const char *what)
{
	struct nl_msg *msg;
	int r = route_request(cnet_nl_ctx(nl), saved, add, old_oif, new_oif, &msg);

	return r < 0 ? r : cnet_nl_talk(nl, msg, what);
}
