/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The request builders, checked attribute by attribute; no root needed. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <netlink/msg.h>

#include "cnet-internal.h"
#include "unit.h"

static const struct nlattr *find(const void *start, size_t len, int type)
{
	const struct nlattr *attr;

	mnl_attr_for_each_payload(start, len)
	{
		if (mnl_attr_get_type(attr) == type)
			return attr;
	}
	return NULL;
}

static const struct nlattr *link_attr(struct nl_msg *m, int type)
{
	struct nlmsghdr *h = nlmsg_hdr(m);
	size_t off = NLMSG_ALIGN(sizeof(struct ifinfomsg));

	return find((char *)mnl_nlmsg_get_payload(h) + off, mnl_nlmsg_get_payload_len(h) - off, type);
}

static const struct nlattr *nested(const struct nlattr *a, int type)
{
	return a ? find(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a), type) : NULL;
}

TEST(test_link_build_macvlan_in_target_ns, "macvlan: created in the target netns, on the parent, in its mode")
{
	struct cnet_ctx *ctx;
	struct nl_msg *m;
	unsigned char mac[6] = {2, 0, 0, 0, 0, 9};
	struct cnet_macvlan_opts o = {.name = "cnabcd", .parent = 7, .mode = MACVLAN_MODE_PRIVATE,
				      .ns_fd = 42, .mtu = 1400, .mac = mac};
	const struct nlattr *li;

	CHECK(cnet_ctx_new(&ctx) == 0);
	CHECK(cnet_link_build_macvlan(ctx, &o, &m) == 0);
	CHECK(nlmsg_hdr(m)->nlmsg_type == RTM_NEWLINK);
	CHECK(nlmsg_hdr(m)->nlmsg_flags & NLM_F_CREATE);
	CHECK(nlmsg_hdr(m)->nlmsg_flags & NLM_F_EXCL);
	CHECK(!strcmp(mnl_attr_get_str(link_attr(m, IFLA_IFNAME)), "cnabcd"));
	CHECK(mnl_attr_get_u32(link_attr(m, IFLA_LINK)) == 7);
	CHECK(mnl_attr_get_u32(link_attr(m, IFLA_NET_NS_FD)) == 42);
	CHECK(mnl_attr_get_u32(link_attr(m, IFLA_MTU)) == 1400);
	CHECK(!memcmp(mnl_attr_get_payload(link_attr(m, IFLA_ADDRESS)), mac, 6));
	li = link_attr(m, IFLA_LINKINFO);
	CHECK(!strcmp(mnl_attr_get_str(nested(li, IFLA_INFO_KIND)), "macvlan"));
	CHECK(mnl_attr_get_u32(nested(nested(li, IFLA_INFO_DATA), IFLA_MACVLAN_MODE)) ==
	      MACVLAN_MODE_PRIVATE);
	nlmsg_free(m);
	cnet_ctx_free(ctx);
}

TEST(test_link_build_veth_sets_peer_ns_and_name, "veth: host end up on its bridge, peer born in the target")
{
	struct cnet_ctx *ctx;
	struct nl_msg *m;
	unsigned char hmac[6] = {0xfe, 1, 2, 3, 4, 5};
	struct cnet_veth_opts o = {.host_name = "vethX", .peer_name = "cnX", .master = 5,
				   .peer_ns_fd = 9, .host_mtu = 1500, .peer_mtu = 1400, .host_mac = hmac};
	const struct nlattr *peer;
	struct ifinfomsg *ifi;

	CHECK(cnet_ctx_new(&ctx) == 0);
	CHECK(cnet_link_build_veth(ctx, &o, &m) == 0);
	ifi = mnl_nlmsg_get_payload(nlmsg_hdr(m));
	CHECK(ifi->ifi_flags & IFF_UP);
	CHECK(!strcmp(mnl_attr_get_str(link_attr(m, IFLA_IFNAME)), "vethX"));
	CHECK(mnl_attr_get_u32(link_attr(m, IFLA_MASTER)) == 5);
	CHECK(link_attr(m, IFLA_NET_NS_FD) == NULL);
	CHECK(((unsigned char *)mnl_attr_get_payload(link_attr(m, IFLA_ADDRESS)))[0] == 0xfe);
	peer = nested(nested(link_attr(m, IFLA_LINKINFO), IFLA_INFO_DATA), VETH_INFO_PEER);
	CHECK(peer != NULL);
	{
		const char *p = (const char *)mnl_attr_get_payload(peer) + sizeof(struct ifinfomsg);
		size_t len = mnl_attr_get_payload_len(peer) - sizeof(struct ifinfomsg);
		CHECK(!strcmp(mnl_attr_get_str(find(p, len, IFLA_IFNAME)), "cnX"));
		CHECK(mnl_attr_get_u32(find(p, len, IFLA_NET_NS_FD)) == 9);
		CHECK(mnl_attr_get_u32(find(p, len, IFLA_MTU)) == 1400);
	}
	nlmsg_free(m);
	cnet_ctx_free(ctx);
}

TEST(test_link_build_change_rename_and_up, "a change names, marks and raises a link by ifindex, creating nothing")
{
	struct cnet_ctx *ctx;
	struct nl_msg *m;
	struct cnet_link_change c = {.ifindex = 12, .name = "eth1", .ns_fd = -1, .up = 1,
				     .alias = "cnet:0011aabb"};
	struct ifinfomsg *ifi;

	CHECK(cnet_ctx_new(&ctx) == 0);
	CHECK(cnet_link_build_change(ctx, &c, &m) == 0);
	ifi = mnl_nlmsg_get_payload(nlmsg_hdr(m));
	CHECK(ifi->ifi_index == 12);
	CHECK((ifi->ifi_flags & IFF_UP) && (ifi->ifi_change & IFF_UP));
	CHECK(!(nlmsg_hdr(m)->nlmsg_flags & NLM_F_CREATE));
	CHECK(!strcmp(mnl_attr_get_str(link_attr(m, IFLA_IFNAME)), "eth1"));
	CHECK(!strcmp(mnl_attr_get_str(link_attr(m, IFLA_IFALIAS)), "cnet:0011aabb"));
	CHECK(link_attr(m, IFLA_NET_NS_FD) == NULL);
	CHECK(link_attr(m, IFLA_LINKINFO) == NULL);
	nlmsg_free(m);
	cnet_ctx_free(ctx);
}

TEST(test_link_build_change_move_restores_settings, "returning a device moves, renames and restores MTU and MAC in one request")
{
	struct cnet_ctx *ctx;
	struct nl_msg *m;
	unsigned char mac[6] = {2, 3, 4, 5, 6, 7};
	struct cnet_link_change c = {.ifindex = 3, .name = "enp1s0", .mtu = 9000, .mac = mac,
				     .ns_fd = 4, .up = -1};
	struct ifinfomsg *ifi;

	CHECK(cnet_ctx_new(&ctx) == 0);
	CHECK(cnet_link_build_change(ctx, &c, &m) == 0);
	ifi = mnl_nlmsg_get_payload(nlmsg_hdr(m));
	CHECK(ifi->ifi_change == 0);
	CHECK(mnl_attr_get_u32(link_attr(m, IFLA_NET_NS_FD)) == 4);
	CHECK(mnl_attr_get_u32(link_attr(m, IFLA_MTU)) == 9000);
	CHECK(!memcmp(mnl_attr_get_payload(link_attr(m, IFLA_ADDRESS)), mac, 6));
	CHECK(!strcmp(mnl_attr_get_str(link_attr(m, IFLA_IFNAME)), "enp1s0"));
	nlmsg_free(m);
	cnet_ctx_free(ctx);
}

TEST(test_addr_build_v6_nodad, "an IPv6 address asked without DAD carries IFA_F_NODAD")
{
	struct cnet_ctx *ctx;
	struct nl_msg *m;
	struct cnet_ip ip;
	struct ifaddrmsg *ifa;
	const struct nlattr *fl;
	size_t off = NLMSG_ALIGN(sizeof(*ifa));

	CHECK(cnet_ctx_new(&ctx) == 0);
	CHECK(cnet_parse_ip("fd00::5/64", true, &ip) == 0);
	CHECK(cnet_addr_build(ctx, 4, &ip, true, true, &m) == 0);
	CHECK(nlmsg_hdr(m)->nlmsg_type == RTM_NEWADDR);
	ifa = mnl_nlmsg_get_payload(nlmsg_hdr(m));
	CHECK(ifa->ifa_family == AF_INET6 && ifa->ifa_prefixlen == 64 && ifa->ifa_index == 4);
	fl = find((char *)ifa + off, mnl_nlmsg_get_payload_len(nlmsg_hdr(m)) - off, IFA_FLAGS);
	CHECK((ifa->ifa_flags & IFA_F_NODAD) || (fl && (mnl_attr_get_u32(fl) & IFA_F_NODAD)));
	CHECK(!memcmp(mnl_attr_get_payload(find((char *)ifa + off,
						 mnl_nlmsg_get_payload_len(nlmsg_hdr(m)) - off,
						 IFA_LOCAL)),
		      ip.a, 16));
	nlmsg_free(m);
	cnet_ctx_free(ctx);
}

TEST(test_route_build_default_via_gateway, "a default route: main table, /0, gateway and output device")
{
	struct cnet_ctx *ctx;
	struct nl_msg *m;
	struct cnet_rt rt = {.family = AF_INET, .has_gw = true, .oif = 6};
	struct rtmsg *rtm;
	size_t off = NLMSG_ALIGN(sizeof(*rtm)), len;

	CHECK(cnet_ctx_new(&ctx) == 0);
	rt.dst.family = AF_INET;
	CHECK(cnet_parse_ip("10.0.0.1", false, &rt.gw) == 0);
	CHECK(cnet_route_build(ctx, &rt, true, &m) == 0);
	rtm = mnl_nlmsg_get_payload(nlmsg_hdr(m));
	len = mnl_nlmsg_get_payload_len(nlmsg_hdr(m)) - off;
	CHECK(nlmsg_hdr(m)->nlmsg_type == RTM_NEWROUTE);
	CHECK(rtm->rtm_dst_len == 0 && rtm->rtm_family == AF_INET);
	CHECK(rtm->rtm_table == RT_TABLE_MAIN && rtm->rtm_scope == RT_SCOPE_UNIVERSE);
	CHECK(rtm->rtm_protocol == RTPROT_STATIC);
	CHECK(mnl_attr_get_u32(find((char *)rtm + off, len, RTA_GATEWAY)) == htonl(0x0a000001));
	CHECK(mnl_attr_get_u32(find((char *)rtm + off, len, RTA_OIF)) == 6);
	nlmsg_free(m);
	cnet_ctx_free(ctx);
}

TEST(test_link_build_vlan_in_target_ns, "vlan: created in the target netns on its parent, ID and protocol in network order")
{
	struct cnet_ctx *ctx;
	struct nl_msg *m;
	struct cnet_vlan_opts o = {.name = "cnv", .parent = 3, .vid = 100, .proto = 0x88a8,
				   .ns_fd = 8, .mtu = 1496};
	const struct nlattr *data;

	CHECK(cnet_ctx_new(&ctx) == 0);
	CHECK(cnet_link_build_vlan(ctx, &o, &m) == 0);
	CHECK(nlmsg_hdr(m)->nlmsg_flags & NLM_F_EXCL);
	CHECK(mnl_attr_get_u32(link_attr(m, IFLA_LINK)) == 3);
	CHECK(mnl_attr_get_u32(link_attr(m, IFLA_NET_NS_FD)) == 8);
	CHECK(mnl_attr_get_u32(link_attr(m, IFLA_MTU)) == 1496);
	CHECK(!strcmp(mnl_attr_get_str(nested(link_attr(m, IFLA_LINKINFO), IFLA_INFO_KIND)), "vlan"));
	data = nested(link_attr(m, IFLA_LINKINFO), IFLA_INFO_DATA);
	CHECK(mnl_attr_get_u16(nested(data, IFLA_VLAN_ID)) == 100);
	CHECK(mnl_attr_get_u16(nested(data, IFLA_VLAN_PROTOCOL)) == htons(0x88a8));
	nlmsg_free(m);
	cnet_ctx_free(ctx);
}

/* One VF setting per request, nested as the kernel wants it: VFINFO_LIST >
 * VF_INFO > the setting, which names the VF. */
static const void *vf_setting(struct nl_msg *m, int type)
{
	const struct nlattr *a = nested(nested(link_attr(m, IFLA_VFINFO_LIST), IFLA_VF_INFO), type);

	return a ? mnl_attr_get_payload(a) : NULL;
}

TEST(test_vf_build_set_one_setting_per_request, "VF settings: one per request, on the PF, naming the VF")
{
	struct cnet_vfinfo v = {.index = 3, .mac = {2, 0, 0, 0, 0, 7}, .vlan = 100, .qos = 5,
				.proto = 0x8100, .spoofchk = 0, .trust = 1, .link_state = 2,
				.min_rate = 10, .max_rate = 200};
	const struct ifla_vf_vlan *vl;
	const struct ifla_vf_vlan_info *vi;
	const struct ifla_vf_rate *rt;
	const struct ifla_vf_mac *mac;
	struct cnet_ctx *ctx;
	struct nl_msg *m;

	CHECK(cnet_ctx_new(&ctx) == 0);
	CHECK(cnet_vf_build_set(ctx, 11, &v, CNET_VF_MAC, &m) == 0);
	CHECK(nlmsg_hdr(m)->nlmsg_type == RTM_SETLINK);
	CHECK(((struct ifinfomsg *)mnl_nlmsg_get_payload(nlmsg_hdr(m)))->ifi_index == 11);
	CHECK((mac = vf_setting(m, IFLA_VF_MAC)) && mac->vf == 3 && !memcmp(mac->mac, v.mac, 6));
	CHECK(!vf_setting(m, IFLA_VF_VLAN) && !vf_setting(m, IFLA_VF_TRUST));
	nlmsg_free(m);
	CHECK(cnet_vf_build_set(ctx, 11, &v, CNET_VF_VLAN, &m) == 0);
	CHECK((vl = vf_setting(m, IFLA_VF_VLAN)) && vl->vf == 3 && vl->vlan == 100 && vl->qos == 5);
	nlmsg_free(m);
	v.proto = 0x88a8; /* 802.1ad needs the list form */
	CHECK(cnet_vf_build_set(ctx, 11, &v, CNET_VF_VLAN, &m) == 0);
	CHECK(!vf_setting(m, IFLA_VF_VLAN));
	vi = mnl_attr_get_payload(nested(nested(nested(link_attr(m, IFLA_VFINFO_LIST), IFLA_VF_INFO),
						IFLA_VF_VLAN_LIST), IFLA_VF_VLAN_INFO));
	CHECK(vi->vf == 3 && vi->vlan == 100 && vi->vlan_proto == htons(0x88a8));
	nlmsg_free(m);
	CHECK(cnet_vf_build_set(ctx, 11, &v, CNET_VF_RATE, &m) == 0);
	CHECK((rt = vf_setting(m, IFLA_VF_RATE)) && rt->vf == 3 && rt->min_tx_rate == 10 &&
	      rt->max_tx_rate == 200);
	nlmsg_free(m);
	CHECK(cnet_vf_build_set(ctx, 11, &v, CNET_VF_TRUST, &m) == 0);
	CHECK(((const struct ifla_vf_trust *)vf_setting(m, IFLA_VF_TRUST))->setting == 1);
	nlmsg_free(m);
	CHECK(cnet_vf_build_set(ctx, 11, &v, CNET_VF_SPOOFCHK, &m) == 0);
	CHECK(((const struct ifla_vf_spoofchk *)vf_setting(m, IFLA_VF_SPOOFCHK))->setting == 0);
	nlmsg_free(m);
	CHECK(cnet_vf_build_set(ctx, 11, &v, CNET_VF_LINK_STATE, &m) == 0);
	CHECK(((const struct ifla_vf_link_state *)vf_setting(m, IFLA_VF_LINK_STATE))->link_state == 2);
	nlmsg_free(m);
	cnet_ctx_free(ctx);
}
