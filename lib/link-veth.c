/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include <netlink/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "cnet-internal.h"

/* Linux 6.3's; older headers lack them, older kernels ignore them. */
#ifndef IFLA_GSO_IPV4_MAX_SIZE
#define IFLA_GSO_IPV4_MAX_SIZE 63
#define IFLA_GRO_IPV4_MAX_SIZE 64
#endif

static int set_mac(struct rtnl_link *l, const unsigned char *mac)
{
	struct nl_addr *a;

	if (!mac)
		return 0;
	a = nl_addr_build(AF_LLC, mac, 6);
	if (!a)
		return -ENOMEM;
	rtnl_link_set_addr(l, a);
	nl_addr_put(a);
	return 0;
}

/* Both ends in one request: the host end up on its bridge, the peer created
 * directly in the target namespace (VETH_INFO_PEER carries its own
 * IFLA_NET_NS_FD), so no device ever moves. */
int cnet_link_build_veth(struct cnet_ctx *ctx, const struct cnet_veth_opts *o, struct nl_msg **msg)
{
	struct rtnl_link *l = rtnl_link_veth_alloc(), *peer;
	int r = -ENOMEM;

	if (!l)
		goto out;
	peer = rtnl_link_veth_get_peer(l);
	rtnl_link_set_name(l, o->host_name);
	if (!o->down)
		rtnl_link_set_flags(l, IFF_UP);
	if (o->master > 0)
		rtnl_link_set_master(l, o->master);
	if (o->host_mtu)
		rtnl_link_set_mtu(l, o->host_mtu);
	if (o->alias) {
		rtnl_link_set_ifalias(l, o->alias);
		rtnl_link_set_ifalias(peer, o->alias);
	}
	rtnl_link_set_name(peer, o->peer_name);
	if (o->peer_ns_fd >= 0)
		rtnl_link_set_ns_fd(peer, o->peer_ns_fd);
	if (o->peer_mtu)
		rtnl_link_set_mtu(peer, o->peer_mtu);
	if (set_mac(l, o->host_mac) < 0 || set_mac(peer, o->peer_mac) < 0) {
		rtnl_link_put(peer);
		goto out;
	}
	rtnl_link_put(peer);
	r = rtnl_link_build_add_request(l, NLM_F_CREATE | NLM_F_EXCL, msg) < 0 ? -ENOMEM : 0;
out:
	rtnl_link_put(l);
	return r < 0 ? cnet_err(ctx, r, "cannot build the veth request") : 0;
}

/* An explicitly set MAC is never recomputed from the ports, so the bridge's
 * address stays put as containers come and go. */
int cnet_link_build_bridge(struct cnet_ctx *ctx, const char *name, const unsigned char mac[6],
			   struct nl_msg **msg)
{
	struct rtnl_link *l = rtnl_link_alloc();
	int r = -ENOMEM;

	if (!l || rtnl_link_set_type(l, "bridge") < 0 || set_mac(l, mac) < 0)
		goto out;
	rtnl_link_set_name(l, name);
	rtnl_link_set_flags(l, IFF_UP);
	r = rtnl_link_build_add_request(l, NLM_F_CREATE | NLM_F_EXCL, msg) < 0 ? -ENOMEM : 0;
out:
	rtnl_link_put(l);
	return r < 0 ? cnet_err(ctx, r, "cannot build the bridge request") : 0;
}

int cnet_link_set_gso_max(struct cnet_nl *nl, int ifindex, unsigned int size, const char *what)
{
	static const int attrs[] = {IFLA_GSO_MAX_SIZE, IFLA_GRO_MAX_SIZE, IFLA_GSO_IPV4_MAX_SIZE,
				    IFLA_GRO_IPV4_MAX_SIZE};
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);
	int r = msg && nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) == 0 ? 0 : -ENOMEM;

	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(attrs); i++)
		r = nla_put_u32(msg, attrs[i], size) < 0 ? -ENOMEM : 0;
	if (r < 0) {
		nlmsg_free(msg);
		return cnet_err(cnet_nl_ctx(nl), r, "out of memory");
	}
	return cnet_nl_talk(nl, msg, what);
}
