/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VF settings held by the PF (IFLA_VFINFO_LIST): read one VF's settings
 * from an RTM_GETLINK of the PF, and change them one attribute per request,
 * so that a refusal names exactly the setting the driver refused and
 * rollback knows what did change.
 */
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/route/link.h>

#include "cnet-internal.h"

struct vf_find {
	unsigned int index;
	struct cnet_vfinfo *out;
	bool found;
	const unsigned char *mac; /* instead: the first other VF with this MAC */
	int holder;
};

static void parse_vf(const struct nlattr *info, struct vf_find *f)
{
	struct cnet_vfinfo v = {.spoofchk = -1, .trust = -1, .link_state = -1, .proto = 0x8100};
	const struct nlattr *a, *b;
	bool have_index = false;

	mnl_attr_for_each_nested(a, info) {
		const void *p = mnl_attr_get_payload(a);
		size_t len = mnl_attr_get_payload_len(a);
		switch (mnl_attr_get_type(a)) {
		case IFLA_VF_MAC:
			if (len >= sizeof(struct ifla_vf_mac)) {
				const struct ifla_vf_mac *m = p;
				v.index = m->vf;
				have_index = true;
				memcpy(v.mac, m->mac, 6);
			}
			break;
		case IFLA_VF_VLAN:
			if (len >= sizeof(struct ifla_vf_vlan)) {
				const struct ifla_vf_vlan *m = p;
				v.vlan = m->vlan;
				v.qos = m->qos;
			}
			break;
		case IFLA_VF_VLAN_LIST:
			mnl_attr_for_each_nested(b, a) {
				const struct ifla_vf_vlan_info *m = mnl_attr_get_payload(b);
				if (mnl_attr_get_type(b) == IFLA_VF_VLAN_INFO &&
				    mnl_attr_get_payload_len(b) >= sizeof(*m)) {
					v.vlan = m->vlan;
					v.qos = m->qos;
					v.proto = ntohs(m->vlan_proto);
					break;
				}
			}
			break;
		case IFLA_VF_RATE:
			if (len >= sizeof(struct ifla_vf_rate)) {
				const struct ifla_vf_rate *m = p;
				v.min_rate = m->min_tx_rate;
				v.max_rate = m->max_tx_rate;
			}
			break;
		case IFLA_VF_SPOOFCHK:
			/* (u32)-1: the driver does not report it */
			if (len >= sizeof(struct ifla_vf_spoofchk) &&
			    ((const struct ifla_vf_spoofchk *)p)->setting != (__u32)-1)
				v.spoofchk = ((const struct ifla_vf_spoofchk *)p)->setting == 1;
			break;
		case IFLA_VF_TRUST:
			if (len >= sizeof(struct ifla_vf_trust) &&
			    ((const struct ifla_vf_trust *)p)->setting != (__u32)-1)
				v.trust = ((const struct ifla_vf_trust *)p)->setting == 1;
			break;
		case IFLA_VF_LINK_STATE:
			if (len >= sizeof(struct ifla_vf_link_state))
				v.link_state = (int)((const struct ifla_vf_link_state *)p)->link_state;
			break;
		}
	}
	if (f->mac) {
		if (have_index && v.index != f->index && f->holder < 0 && !memcmp(v.mac, f->mac, 6))
			f->holder = (int)v.index;
		return;
	}
	if (have_index && v.index == f->index) {
		*f->out = v;
		f->found = true;
	}
}

static int vf_cb(const struct nlmsghdr *h, void *arg)
{
	struct vf_find *f = arg;
	const struct nlattr *a, *info;

	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;
	mnl_attr_for_each(a, h, sizeof(struct ifinfomsg)) {
		if (mnl_attr_get_type(a) != IFLA_VFINFO_LIST)
			continue;
		mnl_attr_for_each_nested(info, a)
			if (mnl_attr_get_type(info) == IFLA_VF_INFO)
				parse_vf(info, f);
	}
	return 0;
}

/* One RTM_GETLINK of the PF with its VF list (no stats: ~210 bytes a VF). */
static int query_vfs(struct cnet_nl *nl, int pf_ifindex, struct vf_find *f)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = pf_ifindex};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, 0);

	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS) < 0) {
		nlmsg_free(msg);
		return cnet_err(cnet_nl_ctx(nl), -ENOMEM, "out of memory");
	}
	return cnet_nl_query_raw(nl, msg, vf_cb, f, "read the PF's VF settings");
}

int cnet_vfinfo_get(struct cnet_nl *nl, int pf_ifindex, unsigned int index, struct cnet_vfinfo *out)
{
	struct vf_find f = {.index = index, .out = out};
	struct cnet_ctx *ctx = cnet_nl_ctx(nl);
	int r = query_vfs(nl, pf_ifindex, &f);

	if (r < 0)
		return r;
	if (!f.found)
		return cnet_errc(ctx, CNET_ERR_MISSING, -ENODEV, "the PF reports no settings for VF %u",
				 index);
	return 0;
}

int cnet_vf_mac_holder(struct cnet_nl *nl, int pf_ifindex, unsigned int except,
		       const unsigned char mac[6], int *holder)
{
	struct vf_find f = {.index = except, .mac = mac, .holder = -1};
	int r = query_vfs(nl, pf_ifindex, &f);

	*holder = f.holder;
	return r;
}

int cnet_vf_build_set(struct cnet_ctx *ctx, int pf_ifindex, const struct cnet_vfinfo *v,
		      enum cnet_vf_field field, struct nl_msg **out)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = pf_ifindex};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_SETLINK, 0);
	struct nlattr *list, *info, *vl;
	int r = 0;

	*out = NULL;
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
		goto nomem;
	list = nla_nest_start(msg, IFLA_VFINFO_LIST);
	info = list ? nla_nest_start(msg, IFLA_VF_INFO) : NULL;
	if (!info)
		goto nomem;
	switch (field) {
	case CNET_VF_MAC: {
		struct ifla_vf_mac m = {.vf = v->index};
		memcpy(m.mac, v->mac, 6);
		r = nla_put(msg, IFLA_VF_MAC, sizeof(m), &m);
		break;
	}
	case CNET_VF_VLAN:
		if (v->proto == 0x8100) {
			struct ifla_vf_vlan m = {.vf = v->index, .vlan = v->vlan, .qos = v->qos};
			r = nla_put(msg, IFLA_VF_VLAN, sizeof(m), &m);
		} else {
			struct ifla_vf_vlan_info m = {.vf = v->index, .vlan = v->vlan, .qos = v->qos,
						      .vlan_proto = htons(v->proto)};
			vl = nla_nest_start(msg, IFLA_VF_VLAN_LIST);
			if (!vl)
				goto nomem;
			r = nla_put(msg, IFLA_VF_VLAN_INFO, sizeof(m), &m);
			nla_nest_end(msg, vl);
		}
		break;
	case CNET_VF_SPOOFCHK: {
		struct ifla_vf_spoofchk m = {.vf = v->index, .setting = v->spoofchk == 1};
		r = nla_put(msg, IFLA_VF_SPOOFCHK, sizeof(m), &m);
		break;
	}
	case CNET_VF_TRUST: {
		struct ifla_vf_trust m = {.vf = v->index, .setting = v->trust == 1};
		r = nla_put(msg, IFLA_VF_TRUST, sizeof(m), &m);
		break;
	}
	case CNET_VF_LINK_STATE: {
		struct ifla_vf_link_state m = {.vf = v->index, .link_state = (__u32)v->link_state};
		r = nla_put(msg, IFLA_VF_LINK_STATE, sizeof(m), &m);
		break;
	}
	case CNET_VF_RATE: {
		struct ifla_vf_rate m = {.vf = v->index, .min_tx_rate = v->min_rate,
					 .max_tx_rate = v->max_rate};
		r = nla_put(msg, IFLA_VF_RATE, sizeof(m), &m);
		break;
	}
	default:
		nlmsg_free(msg);
		return cnet_err(ctx, -EINVAL, "unknown VF setting %d", (int)field);
	}
	if (r < 0)
		goto nomem;
	nla_nest_end(msg, info);
	nla_nest_end(msg, list);
	*out = msg;
	return 0;
nomem:
	nlmsg_free(msg);
	return cnet_err(ctx, -ENOMEM, "out of memory");
}

static const char *const field_names[] = {
	[CNET_VF_MAC] = "MAC",		[CNET_VF_VLAN] = "VLAN",  [CNET_VF_SPOOFCHK] = "spoofchk",
	[CNET_VF_TRUST] = "trust",	[CNET_VF_LINK_STATE] = "link state",
	[CNET_VF_RATE] = "rate",
};

const char *cnet_vf_field_name(enum cnet_vf_field f)
{
	return f < ARRAY_SIZE(field_names) && field_names[f] ? field_names[f] : "?";
}

int cnet_vf_set(struct cnet_nl *nl, int pf_ifindex, const struct cnet_vfinfo *v, enum cnet_vf_field field)
{
	struct cnet_ctx *ctx = cnet_nl_ctx(nl);
	struct nl_msg *msg;
	char what[64];
	int r = cnet_vf_build_set(ctx, pf_ifindex, v, field, &msg);

	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "set the %s of VF %u", cnet_vf_field_name(field), v->index);
	return cnet_nl_talk(nl, msg, what);
}

bool cnet_vfinfo_equal(const struct cnet_vfinfo *a, const struct cnet_vfinfo *b, enum cnet_vf_field f)
{
	switch (f) {
	case CNET_VF_MAC:
		return !memcmp(a->mac, b->mac, 6);
	case CNET_VF_VLAN:
		return a->vlan == b->vlan && a->qos == b->qos && (!a->vlan || a->proto == b->proto);
	case CNET_VF_SPOOFCHK:
		return a->spoofchk == b->spoofchk;
	case CNET_VF_TRUST:
		return a->trust == b->trust;
	case CNET_VF_LINK_STATE:
		return a->link_state == b->link_state;
	case CNET_VF_RATE:
		return a->min_rate == b->min_rate && a->max_rate == b->max_rate;
	case CNET_VF_NFIELDS:
		break;
	}
	return false;
}
