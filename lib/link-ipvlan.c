/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An ipvlan's RTM_NEWLINK, with libmnl: libnl-route has its mode but not
 * its flags (bridge, private, vepa). */
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <netlink/msg.h>

#include "nlbuild.h"

static const struct cnet_named modes[] = {{"l2", IPVLAN_MODE_L2}, {"l3", IPVLAN_MODE_L3},
					     {"l3s", IPVLAN_MODE_L3S}},
				flags[] = {{"bridge", 0}, {"private", IPVLAN_F_PRIVATE}, {"vepa", IPVLAN_F_VEPA}};

int cnet_ipvlan_mode_from_string(const char *s)
{
	return cnet_named_value(modes, ARRAY_SIZE(modes), s);
}

const char *cnet_ipvlan_mode_to_string(int mode)
{
	return cnet_named_name(modes, ARRAY_SIZE(modes), mode);
}

int cnet_ipvlan_flags_from_string(const char *s)
{
	return cnet_named_value(flags, ARRAY_SIZE(flags), s);
}

const char *cnet_ipvlan_flags_to_string(int f)
{
	return cnet_named_name(flags, ARRAY_SIZE(flags), f);
}

/* Created straight in the target (IFLA_NET_NS_FD), IFLA_LINK naming the
 * parent in the sender's namespace. No MAC: the parent's. */
int cnet_link_build_ipvlan(struct cnet_ctx *ctx, const struct cnet_ipvlan_opts *o, struct nl_msg **out)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct nlattr *info, *data;
	struct cnet_mnl m;

	cnet_mnl_start(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
	CNET_MNL_PUT(&m, mnl_attr_put_strz_check, IFLA_IFNAME, o->name);
	CNET_MNL_PUT(&m, mnl_attr_put_u32_check, IFLA_LINK, (uint32_t)o->parent);
	if (o->ns_fd >= 0)
		CNET_MNL_PUT(&m, mnl_attr_put_u32_check, IFLA_NET_NS_FD, (uint32_t)o->ns_fd);
	if (o->mtu)
		CNET_MNL_PUT(&m, mnl_attr_put_u32_check, IFLA_MTU, o->mtu);
	info = cnet_mnl_nest(&m, IFLA_LINKINFO);
	CNET_MNL_PUT(&m, mnl_attr_put_strz_check, IFLA_INFO_KIND, "ipvlan");
	data = cnet_mnl_nest(&m, IFLA_INFO_DATA);
	CNET_MNL_PUT(&m, mnl_attr_put_u16_check, IFLA_IPVLAN_MODE, (uint16_t)o->mode);
	CNET_MNL_PUT(&m, mnl_attr_put_u16_check, IFLA_IPVLAN_FLAGS, (uint16_t)o->flags);
	cnet_mnl_nest_end(&m, data);
	cnet_mnl_nest_end(&m, info);
	return cnet_mnl_end(ctx, &m, "ipvlan", out);
}
