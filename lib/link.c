/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Links: read one, change one, delete one. Kinds build in link-<kind>.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>
#include <netlink/addr.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vlan.h>

#include "cnet-internal.h"

static void fill_linkinfo(const struct nlattr *info, struct cnet_linkinfo *li)
{
	const struct nlattr *a, *d = NULL;

	mnl_attr_for_each_nested(a, info) {
		if (mnl_attr_get_type(a) == IFLA_INFO_KIND)
			cnet_attr_str(li->kind, sizeof(li->kind), a);
		else if (mnl_attr_get_type(a) == IFLA_INFO_DATA)
			d = a;
	}
	if (d && !strcmp(li->kind, "vxlan")) {
		mnl_attr_for_each_nested(a, d) {
			if (mnl_attr_get_type(a) == IFLA_VXLAN_ID && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				li->vni = mnl_attr_get_u32(a);
			else if (mnl_attr_get_type(a) == IFLA_VXLAN_LINK && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				li->vxlan_link = (int)mnl_attr_get_u32(a);
			else if (mnl_attr_get_type(a) == IFLA_VXLAN_PORT && mnl_attr_validate(a, MNL_TYPE_U16) == 0)
				li->vxlan_port = ntohs(mnl_attr_get_u16(a));
		}
	}
	if (!d || strcmp(li->kind, "vlan"))
		return;
	li->vlan_proto = ETH_P_8021Q;
	mnl_attr_for_each_nested(a, d) {
		if (mnl_attr_get_type(a) == IFLA_VLAN_ID && mnl_attr_validate(a, MNL_TYPE_U16) == 0)
			li->vlan_id = mnl_attr_get_u16(a);
		else if (mnl_attr_get_type(a) == IFLA_VLAN_PROTOCOL && mnl_attr_validate(a, MNL_TYPE_U16) == 0)
			li->vlan_proto = ntohs(mnl_attr_get_u16(a));
	}
}

/* A link as the kernel sent it (RTM_NEWLINK), read without libnl's
 * objects: a reapply reads one per record. */
static int fill_raw(const struct nlmsghdr *h, void *arg)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
	struct cnet_linkinfo *li = arg;
	const struct nlattr *a;

	if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return 0;
	memset(li, 0, sizeof(*li));
	li->ifindex = ifi->ifi_index;
	li->flags = ifi->ifi_flags;
	li->type = ifi->ifi_type;
	li->link_netnsid = -1;
	li->vlan_id = -1;
	li->vni = -1;
	mnl_attr_for_each(a, h, sizeof(*ifi)) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_IFNAME:
			cnet_attr_str(li->name, sizeof(li->name), a);
			break;
		case IFLA_IFALIAS:
			cnet_attr_str(li->alias, sizeof(li->alias), a);
			break;
		case IFLA_MTU:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				li->mtu = mnl_attr_get_u32(a);
			break;
		case IFLA_MASTER:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				li->master = mnl_attr_get_u32(a);
			break;
		case IFLA_LINK:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				li->link = (int)mnl_attr_get_u32(a);
			break;
		case IFLA_LINK_NETNSID:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				li->link_netnsid = (int)mnl_attr_get_u32(a);
			break;
		case IFLA_ADDRESS:
			if (mnl_attr_get_payload_len(a) == 6) {
				memcpy(li->mac, mnl_attr_get_payload(a), 6);
				li->has_mac = true;
			}
			break;
		case IFLA_LINKINFO:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) == 0)
				fill_linkinfo(a, li);
			break;
		case IFLA_TSO_MAX_SIZE:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				li->tso_max = mnl_attr_get_u32(a);
			break;
		default:
			break;
		}
	}
	if (li->vlan_id < 0)
		li->vlan_proto = 0;
	return 1;
}

int cnet_link_get(struct cnet_nl *nl, int ifindex, const char *name, struct cnet_linkinfo *out)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex > 0 ? ifindex : 0};
	struct nl_msg *msg;
	int r;

	if (ifindex <= 0 && (!name || !*name))
		return -ENODEV; /* nothing to look for (a malformed record) */
	msg = nlmsg_alloc_size(256);
	if (!msg || !nlmsg_put(msg, 0, 0, RTM_GETLINK, 0, 0) || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    (ifindex <= 0 && nla_put_string(msg, IFLA_IFNAME, name) < 0) ||
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0) {
		nlmsg_free(msg);
		return cnet_err(cnet_nl_ctx(nl), -ENOMEM, "out of memory");
	}
	out->ifindex = 0;
	r = cnet_nl_query_raw(nl, msg, fill_raw, out, "read link");
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

static int each_one(const struct nlmsghdr *h, void *arg)
{
	struct each *e = arg;
	struct cnet_linkinfo li;

	return fill_raw(h, &li) == 1 ? e->cb(&li, e->arg) : 0;
}

int cnet_link_each(struct cnet_nl *nl, int (*cb)(const struct cnet_linkinfo *li, void *arg), void *arg)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);
	struct each e = {cb, arg};

	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0) {
		nlmsg_free(msg);
		return cnet_err(cnet_nl_ctx(nl), -ENOMEM, "out of memory");
	}
	return cnet_nl_query_raw(nl, msg, each_one, &e, "list links");
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
