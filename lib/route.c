/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

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

int cnet_route_build(struct cnet_ctx *ctx, const struct cnet_rt *rt, bool add, struct nl_msg **msg)
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
	rtnl_route_set_table(route, RT_TABLE_MAIN);
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
	r = add ? rtnl_route_build_add_request(route, NLM_F_CREATE | NLM_F_EXCL, msg)
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

static void from_nl(struct nl_addr *a, struct cnet_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = nl_addr_get_family(a);
	if (nl_addr_get_len(a) <= sizeof(ip->a))
		memcpy(ip->a, nl_addr_get_binary_addr(a), nl_addr_get_len(a));
	ip->plen = (unsigned int)nl_addr_get_prefixlen(a);
}

struct route_walk {
	int family, ifindex, max, n;
	struct cnet_rt *out;
};

static int collect_default(struct nl_object *obj, void *arg)
{
	struct rtnl_route *route = (struct rtnl_route *)obj;
	struct route_walk *w = arg;
	struct rtnl_nexthop *nh;
	struct cnet_rt *rt;
	struct nl_addr *a;

	if (rtnl_route_get_table(route) != RT_TABLE_MAIN || rtnl_route_get_type(route) != RTN_UNICAST ||
	    rtnl_route_get_family(route) != w->family)
		return 0;
	a = rtnl_route_get_dst(route);
	if (a && nl_addr_get_prefixlen(a) != 0)
		return 0;
	if (w->n >= w->max)
		return 0;
	rt = &w->out[w->n++];
	memset(rt, 0, sizeof(*rt));
	rt->family = w->family;
	rt->dst.family = w->family;
	rt->metric = rtnl_route_get_priority(route);
	rt->protocol = rtnl_route_get_protocol(route);
	rt->scope = rtnl_route_get_scope(route);
	nh = rtnl_route_nexthop_n(route, 0);
	if (nh) {
		rt->oif = rtnl_route_nh_get_ifindex(nh);
		a = rtnl_route_nh_get_gateway(nh);
		if (a) {
			from_nl(a, &rt->gw);
			rt->has_gw = true;
		}
	}
	return 0;
}

static struct nl_msg *route_dump(int family)
{
	struct rtmsg rtm = {.rtm_family = (unsigned char)family};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_DUMP);

	if (msg && nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

int cnet_route_defaults(struct cnet_nl *nl, int family, struct cnet_rt *out, int max)
{
	struct route_walk w = {.family = family, .max = max, .out = out};
	struct nl_msg *msg = route_dump(family);
	int r;

	if (!msg)
		return cnet_err(cnet_nl_ctx(nl), -ENOMEM, "out of memory");
	r = cnet_nl_query(nl, msg, collect_default, &w, "list routes");
	return r < 0 ? r : w.n;
}

static int count_via(struct nl_object *obj, void *arg)
{
	struct rtnl_route *route = (struct rtnl_route *)obj;
	struct route_walk *w = arg;

	/* Routes the kernel made for the device's own addresses go with it. */
	if (rtnl_route_get_table(route) == RT_TABLE_LOCAL ||
	    rtnl_route_get_protocol(route) == RTPROT_KERNEL)
		return 0;
	for (int i = 0; i < rtnl_route_get_nnexthops(route); i++)
		if (rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(route, i)) == w->ifindex) {
			w->n++;
			break;
		}
	return 0;
}

int cnet_route_count_via(struct cnet_nl *nl, int ifindex)
{
	struct route_walk w = {.ifindex = ifindex};
	struct nl_msg *msg = route_dump(AF_UNSPEC);
	int r;

	if (!msg)
		return cnet_err(cnet_nl_ctx(nl), -ENOMEM, "out of memory");
	r = cnet_nl_query(nl, msg, count_via, &w, "list routes");
	return r < 0 ? r : w.n;
}
