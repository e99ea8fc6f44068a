/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An ipvlan's RTM_NEWLINK, with libmnl: libnl-route has its mode but not
 * its flags (bridge, private, vepa). */
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <netlink/msg.h>

#include "cnet-internal.h"

static const struct {
	const char *name;
	int value;
} modes[] = {{"l2", IPVLAN_MODE_L2}, {"l3", IPVLAN_MODE_L3}, {"l3s", IPVLAN_MODE_L3S}},
  flags[] = {{"bridge", 0}, {"private", IPVLAN_F_PRIVATE}, {"vepa", IPVLAN_F_VEPA}};

int cnet_ipvlan_mode_from_string(const char *s)
{
	for (size_t i = 0; s && i < ARRAY_SIZE(modes); i++)
		if (!strcmp(s, modes[i].name))
			return modes[i].value;
	return -EINVAL;
}

const char *cnet_ipvlan_mode_to_string(int mode)
{
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		if (modes[i].value == mode)
			return modes[i].name;
	return "unknown";
}

int cnet_ipvlan_flags_from_string(const char *s)
{
	for (size_t i = 0; s && i < ARRAY_SIZE(flags); i++)
		if (!strcmp(s, flags[i].name))
			return flags[i].value;
	return -EINVAL;
}

const char *cnet_ipvlan_flags_to_string(int f)
{
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		if (flags[i].value == f)
			return flags[i].name;
	return "unknown";
}

/* Created straight in the target (IFLA_NET_NS_FD), IFLA_LINK naming the
 * parent in the sender's namespace. No MAC: the parent's. */
int cnet_link_build_ipvlan(struct cnet_ctx *ctx, const struct cnet_ipvlan_opts *o, struct nl_msg **out)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct nlattr *info, *data;
	struct nlmsghdr *h;
	size_t max;
	bool ok = true;

	*out = NULL;
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
		goto nomem;
	h = nlmsg_hdr(msg);
	max = nlmsg_get_max_size(msg);
#define PUT(fn, ...) (ok = ok && fn(h, max, __VA_ARGS__))
	PUT(mnl_attr_put_strz_check, IFLA_IFNAME, o->name);
	PUT(mnl_attr_put_u32_check, IFLA_LINK, (uint32_t)o->parent);
	if (o->ns_fd >= 0)
		PUT(mnl_attr_put_u32_check, IFLA_NET_NS_FD, (uint32_t)o->ns_fd);
	if (o->mtu)
		PUT(mnl_attr_put_u32_check, IFLA_MTU, o->mtu);
	info = ok ? mnl_attr_nest_start_check(h, max, IFLA_LINKINFO) : NULL;
	ok = ok && info;
	PUT(mnl_attr_put_strz_check, IFLA_INFO_KIND, "ipvlan");
	data = ok ? mnl_attr_nest_start_check(h, max, IFLA_INFO_DATA) : NULL;
	ok = ok && data;
	PUT(mnl_attr_put_u16_check, IFLA_IPVLAN_MODE, (uint16_t)o->mode);
	PUT(mnl_attr_put_u16_check, IFLA_IPVLAN_FLAGS, (uint16_t)o->flags);
#undef PUT
	if (!ok)
		goto nomem;
	mnl_attr_nest_end(h, data);
	mnl_attr_nest_end(h, info);
	*out = msg;
	return 0;
nomem:
	nlmsg_free(msg);
	return cnet_err(ctx, -ENOMEM, "cannot build the ipvlan request");
}
