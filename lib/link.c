/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Links: read one, change one, delete one. Kinds build in link-<kind>.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/rtnetlink.h>
#include <netlink/addr.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vlan.h>

#include "cnet-internal.h"

static int fill_info(struct nl_object *obj, void *arg)
{
	struct rtnl_link *l = (struct rtnl_link *)obj;
	struct cnet_linkinfo *li = arg;
	struct nl_addr *a;
	const char *s;

	memset(li, 0, sizeof(*li));
	li->ifindex = rtnl_link_get_ifindex(l);
	snprintf(li->name, sizeof(li->name), "%s", rtnl_link_get_name(l) ?: "");
	s = rtnl_link_get_type(l);
	snprintf(li->kind, sizeof(li->kind), "%s", s ? s : "");
	s = rtnl_link_get_ifalias(l);
	snprintf(li->alias, sizeof(li->alias), "%s", s ? s : "");
	li->mtu = rtnl_link_get_mtu(l);
	li->flags = rtnl_link_get_flags(l);
	li->master = (unsigned int)rtnl_link_get_master(l);
	a = rtnl_link_get_addr(l);
	if (a && nl_addr_get_len(a) == 6) {
		memcpy(li->mac, nl_addr_get_binary_addr(a), 6);
		li->has_mac = true;
	}
	li->link = rtnl_link_get_link(l);
	{
		int32_t nsid;
		li->link_netnsid = rtnl_link_get_link_netnsid(l, &nsid) < 0 ? -1 : nsid;
	}
	li->vlan_id = rtnl_link_is_vlan(l) ? rtnl_link_vlan_get_id(l) : -1;
	li->vlan_proto = rtnl_link_is_vlan(l) ? ntohs((uint16_t)rtnl_link_vlan_get_protocol(l)) : 0;
	return 1;
}

int cnet_link_get(struct cnet_nl *nl, int ifindex, const char *name, struct cnet_linkinfo *out)
{
	struct cnet_ctx *ctx = cnet_nl_ctx(nl);
	struct nl_msg *msg;
	int r;

	if (ifindex <= 0 && (!name || !*name))
		return -ENODEV; /* nothing to look for (a malformed record) */
	r = rtnl_link_build_get_request(ifindex, ifindex > 0 ? NULL : name, &msg);
	if (r < 0)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	out->ifindex = 0;
	r = cnet_nl_query(nl, msg, fill_info, out, "read link");
	if (r == -ENOENT)
		r = -ENODEV;
	if (r < 0)
		return r;
	return out->ifindex > 0 ? 0 : -ENODEV;
}

struct each {
	int (*cb)(const struct cnet_linkinfo *li, void *arg);
	void *arg;
};

static int each_one(struct nl_object *obj, void *arg)
{
	struct each *e = arg;
	struct cnet_linkinfo li;

	fill_info(obj, &li);
	return e->cb(&li, e->arg);
}

int cnet_link_each(struct cnet_nl *nl, int (*cb)(const struct cnet_linkinfo *li, void *arg), void *arg)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);
	struct each e = {cb, arg};

	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return cnet_err(cnet_nl_ctx(nl), -ENOMEM, "out of memory");
	}
	return cnet_nl_query(nl, msg, each_one, &e, "list links");
}

struct uppers {
	int ifindex, n;
};

static int count_upper(struct nl_object *obj, void *arg)
{
	struct rtnl_link *l = (struct rtnl_link *)obj;
	const char *kind = rtnl_link_get_type(l);
	struct uppers *u = arg;

	/* A veth's IFLA_LINK is its peer, not a lower device; an IFLA_LINK in
	 * another namespace (IFLA_LINK_NETNSID) is not this one's. */
	if (rtnl_link_get_link(l) == u->ifindex && !(kind && !strcmp(kind, "veth")) &&
	    rtnl_link_get_ifindex(l) != u->ifindex) {
		int32_t nsid;
		if (rtnl_link_get_link_netnsid(l, &nsid) < 0)
			u->n++;
	}
	return 0;
}

int cnet_link_count_uppers(struct cnet_nl *nl, int ifindex)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);
	struct uppers u = {ifindex, 0};
	int r;

	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return cnet_err(cnet_nl_ctx(nl), -ENOMEM, "out of memory");
	}
	r = cnet_nl_query(nl, msg, count_upper, &u, "list links");
	return r < 0 ? r : u.n;
}

static int is_slave(struct nl_object *obj, void *arg)
{
	int *master = arg;

	return rtnl_link_get_master((struct rtnl_link *)obj) == *master ? 1 : 0;
}

int cnet_link_has_slaves(struct cnet_nl *nl, int master)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);

	/* The kernel filters the dump by IFLA_MASTER itself (strict checking);
	 * the callback checks again for kernels that do not. */
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, IFLA_MASTER, (uint32_t)master) < 0) {
		nlmsg_free(msg);
		return cnet_err(cnet_nl_ctx(nl), -ENOMEM, "out of memory");
	}
	return cnet_nl_query(nl, msg, is_slave, &master, "list bridge ports");
}

int cnet_link_del(struct cnet_nl *nl, int ifindex, const char *what)
{
	struct rtnl_link *l = rtnl_link_alloc();
	struct nl_msg *msg = NULL;
	int r;

	if (!l)
		return cnet_err(cnet_nl_ctx(nl), -ENOMEM, "out of memory");
	rtnl_link_set_ifindex(l, ifindex);
	r = rtnl_link_build_delete_request(l, &msg);
	rtnl_link_put(l);
	if (r < 0)
		return cnet_err(cnet_nl_ctx(nl), -ENOMEM, "out of memory");
	return cnet_nl_talk(nl, msg, what);
}

int cnet_link_build_change(struct cnet_ctx *ctx, const struct cnet_link_change *c,
			   struct nl_msg **msg)
{
	struct rtnl_link *l = rtnl_link_alloc();
	int r;

	if (!l)
		return cnet_err(ctx, -ENOMEM, "out of memory");
	/* RTM_NEWLINK without NLM_F_CREATE on an ifindex changes that link.
	 * The kernel applies a move to another namespace before the rename,
	 * so a device can move and take its final name in one request. */
	rtnl_link_set_ifindex(l, c->ifindex);
	if (c->name)
		rtnl_link_set_name(l, c->name);
	if (c->mtu)
		rtnl_link_set_mtu(l, c->mtu);
	if (c->ns_fd >= 0)
		rtnl_link_set_ns_fd(l, c->ns_fd);
	if (c->alias)
		rtnl_link_set_ifalias(l, c->alias);
	if (c->mac) {
		struct nl_addr *a = nl_addr_build(AF_LLC, c->mac, 6);
		if (!a) {
			rtnl_link_put(l);
			return cnet_err(ctx, -ENOMEM, "out of memory");
		}
		rtnl_link_set_addr(l, a);
		nl_addr_put(a);
	}
	if (c->master > 0)
		rtnl_link_set_master(l, c->master);
	if (c->up == 1)
		rtnl_link_set_flags(l, IFF_UP);
	else if (c->up == 0)
		rtnl_link_unset_flags(l, IFF_UP);
	r = rtnl_link_build_add_request(l, 0, msg);
	rtnl_link_put(l);
	return r < 0 ? cnet_err(ctx, -ENOMEM, "out of memory") : 0;
}

int cnet_link_change(struct cnet_nl *nl, const struct cnet_link_change *c, const char *what)
{
	struct nl_msg *msg;
	int r;

	r = cnet_link_build_change(cnet_nl_ctx(nl), c, &msg);
	if (r < 0)
		return r;
	return cnet_nl_talk(nl, msg, what);
}

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

static int any_addr(int ifindex, const struct cnet_ip *ip, unsigned int flags, void *arg)
{
	(void)ifindex;
	(void)flags;
	if (!cnet_ip_is_v6_linklocal(ip))
		*(bool *)arg = true;
	return 0;
}

int cnet_link_has_global_addr(struct cnet_nl *nl, int ifindex)
{
	bool found = false;
	int r = cnet_addr_each(nl, ifindex, any_addr, &found);

	return r < 0 ? r : found;
}

int cnet_link_create(struct cnet_nl *nl, struct nl_msg *msg, const char *what, bool *made,
		     struct cnet_nl *look, const char *name, struct cnet_linkinfo *out)
{
	int r = cnet_nl_talk(nl, msg, what);

	if (r < 0)
		return r;
	if (made)
		*made = true;
	r = cnet_link_get(look, 0, name, out);
	if (r == -ENODEV)
		return cnet_err(cnet_nl_ctx(look), r, "the new '%s' vanished", name);
	return r;
}
