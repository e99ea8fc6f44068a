/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A VXLAN device's RTM_NEWLINK and its all-zero FDB entries, with libmnl
 * (nlbuild.c): libnl-route has no FDB requests. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>

#include "nlbuild.h"

/* Made here, down, learning as the kernel's default. The kernel sizes
 * its MTU to the underlay's less the encapsulation. */
int cnet_link_build_vxlan(struct cnet_ctx *ctx, const struct cnet_vxlan_opts *o, struct nl_msg **out)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	static const unsigned char any6[16];
	struct cnet_mnl m;
	struct nlattr *info, *data;

	cnet_mnl_start(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
	CNET_MNL_PUT(&m, mnl_attr_put_strz_check, IFLA_IFNAME, o->name);
	info = cnet_mnl_nest(&m, IFLA_LINKINFO);
	CNET_MNL_PUT(&m, mnl_attr_put_strz_check, IFLA_INFO_KIND, "vxlan");
	data = cnet_mnl_nest(&m, IFLA_INFO_DATA);
	CNET_MNL_PUT(&m, mnl_attr_put_u32_check, IFLA_VXLAN_ID, o->vni);
	CNET_MNL_PUT(&m, mnl_attr_put_u32_check, IFLA_VXLAN_LINK, (uint32_t)o->underlay);
	CNET_MNL_PUT(&m, mnl_attr_put_u16_check, IFLA_VXLAN_PORT, htons((uint16_t)o->port));
	if (o->group.family == AF_INET)
		CNET_MNL_PUT(&m, mnl_attr_put_check, IFLA_VXLAN_GROUP, 4, o->group.a);
	else if (o->group.family == AF_INET6)
		CNET_MNL_PUT(&m, mnl_attr_put_check, IFLA_VXLAN_GROUP6, 16, o->group.a);
	else if (o->v6) /* no default remote, but an IPv6 socket */
		CNET_MNL_PUT(&m, mnl_attr_put_check, IFLA_VXLAN_GROUP6, 16, any6);
	cnet_mnl_nest_end(&m, data);
	cnet_mnl_nest_end(&m, info);
	return cnet_mnl_end(ctx, &m, "VXLAN", out);
}

/* `bridge fdb append 00:00:00:00:00:00 dev VXLAN dst REMOTE` */
int cnet_fdb_append(struct cnet_nl *nl, int ifindex, const struct cnet_ip *remote, const char *what)
{
	struct ndmsg ndm = {.ndm_family = AF_BRIDGE, .ndm_ifindex = ifindex,
			    .ndm_state = NUD_NOARP | NUD_PERMANENT, .ndm_flags = NTF_SELF};
	static const unsigned char zero[6];
	struct cnet_mnl m;
	struct nl_msg *msg;
	int r;

	cnet_mnl_start(&m, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_APPEND, &ndm, sizeof(ndm));
	CNET_MNL_PUT(&m, mnl_attr_put_check, NDA_LLADDR, sizeof(zero), zero);
	CNET_MNL_PUT(&m, mnl_attr_put_check, NDA_DST, remote->family == AF_INET ? 4 : 16, remote->a);
	r = cnet_mnl_end(cnet_nl_ctx(nl), &m, "FDB", &msg);
	return r < 0 ? r : cnet_nl_talk(nl, msg, what);
}
