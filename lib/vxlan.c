/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --vxlan: links made on a parent (macvlan, ipvlan) ride on the host's
 * VXLAN device for a VNI instead, vx<VNI> on an underlay interface, so
 * that containers on different hosts share one L2 segment with no
 * controller: remotes by head-end replication (all-zero FDB entries), or
 * a multicast group. The device is made by the first record that needs
 * it and removed by the last (lower.c), never if the host had it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <netlink/msg.h>

#include "kind.h"
#include "nlbuild.h"

#define VXLAN_PORT 4789

/* A number in 1..max for --vxlan's options into *out. */
static int set_number(struct cnet_attach *att, const char *opt, unsigned int v, unsigned int max,
		      unsigned int *out)
{
	int r = cnet_kind_accepts(att, CNET_OPT_VXLAN, opt);
	char buf[64];

	if (r < 0)
		return r;
	snprintf(buf, sizeof(buf), "%s '%u' (1-%u)", opt, v, max);
	if (v < 1 || v > max)
		return cnet_attach_invalid(att, "invalid %s", buf);
	*out = v;
	return 0;
}

CNET_EXPORT int cnet_attach_set_vxlan(struct cnet_attach *att, unsigned int vni)
{
	return set_number(att, "--vxlan", vni, 0xffffff, &att->vx.vni);
}

CNET_EXPORT int cnet_attach_set_vxlan_dev(struct cnet_attach *att, const char *underlay)
{
	int r = cnet_kind_accepts(att, CNET_OPT_VXLAN, "--vxlan-dev");

	return r < 0 ? r : cnet_attach_copy_name(att, att->vx.dev, underlay);
}

static bool multicast(const struct cnet_ip *ip)
{
	return ip->family == AF_INET ? (ip->a[0] & 0xf0) == 0xe0 : ip->a[0] == 0xff;
}

static bool unspecified(const struct cnet_ip *ip)
{
	static const unsigned char zero[16];

	return !memcmp(ip->a, zero, ip->family == AF_INET ? 4 : 16);
}

CNET_EXPORT int cnet_attach_add_vxlan_remote(struct cnet_attach *att, const char *addr)
{
	struct cnet_vxlan *vx = &att->vx;
	struct cnet_ip ip;
	int r = cnet_kind_accepts(att, CNET_OPT_VXLAN, "--vxlan-remote");

	if (r < 0)
		return r;
	if (!addr || cnet_parse_ip(addr, false, &ip) < 0 || multicast(&ip) || unspecified(&ip))
		return cnet_attach_invalid(att, "invalid --vxlan-remote '%s' (a unicast address)",
					   addr ? addr : "");
	if (vx->n_remotes && vx->remotes[0].family != ip.family)
		return cnet_attach_invalid(att, "--vxlan-remote '%s': remotes of one family only", addr);
	for (size_t i = 0; i < vx->n_remotes; i++)
		if (!memcmp(vx->remotes[i].a, ip.a, sizeof(ip.a)))
			return 0;
	if (vx->n_remotes == ARRAY_SIZE(vx->remotes))
		return cnet_attach_invalid(att, "too many VXLAN remotes at '%s' (at most 16)", addr);
	vx->remotes[vx->n_remotes++] = ip;
	return 0;
}

CNET_EXPORT int cnet_attach_set_vxlan_group(struct cnet_attach *att, const char *addr)
{
	struct cnet_ip ip;
	int r = cnet_kind_accepts(att, CNET_OPT_VXLAN, "--vxlan-group");

	if (r < 0)
		return r;
	if (!addr || cnet_parse_ip(addr, false, &ip) < 0 || !multicast(&ip))
		return cnet_attach_invalid(att, "invalid --vxlan-group '%s' (a multicast address)",
					   addr ? addr : "");
	att->vx.group = ip;
	return 0;
}

CNET_EXPORT int cnet_attach_set_vxlan_port(struct cnet_attach *att, unsigned int port)
{
	return set_number(att, "--vxlan-port", port, 65535, &att->vx.port);
}

static unsigned int port_of(const struct cnet_vxlan *vx)
{
	return vx->port ? vx->port : VXLAN_PORT;
}

/* What the encapsulation takes of the underlay's MTU. */
static unsigned int overhead(const struct cnet_vxlan *vx)
{
	int family = vx->group.family ? vx->group.family : vx->remotes[0].family;

	return family == AF_INET6 ? 70 : 50;
}

int cnet_vxlan_verify(struct cnet_attach *att)
{
	const struct cnet_vxlan *vx = &att->vx;
	struct cnet_ctx *ctx = att->ctx;

	if (!vx->vni)
		return vx->dev[0] || vx->n_remotes || vx->group.family || vx->port
			       ? cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "the --vxlan-* options need --vxlan VNI")
			       : 0;
	if (att->parent[0])
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
				 "--vxlan makes the parent (vx%u): name the underlay with --vxlan-dev, not --parent",
				 vx->vni);
	if (att->vlan)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "--vlan and --vxlan do not go together");
	if (!vx->dev[0])
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "--vxlan needs --vxlan-dev UNDERLAY");
	if (!vx->n_remotes == !vx->group.family)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
				 "--vxlan needs --vxlan-remote ADDR (repeatable) or --vxlan-group ADDR, not both");
	return 0;
}

/* Into a record's options as the command line has them. */
void cnet_vxlan_json(const struct cnet_attach *att, cJSON *o)
{
	const struct cnet_vxlan *vx = &att->vx;
	char buf[CNET_IPSTRLEN];
	cJSON *a;

	if (!vx->vni)
		return;
	cJSON_AddNumberToObject(o, "vxlan", vx->vni);
	cJSON_AddStringToObject(o, "vxlan_dev", vx->dev);
	if (vx->n_remotes) {
		a = cJSON_AddArrayToObject(o, "vxlan_remote");
		for (size_t i = 0; i < vx->n_remotes; i++)
			cJSON_AddItemToArray(a, cJSON_CreateString(cnet_ip_str(&vx->remotes[i], false, buf)));
	}
	if (vx->group.family)
		cJSON_AddStringToObject(o, "vxlan_group", cnet_ip_str(&vx->group, false, buf));
	cJSON_AddNumberToObject(o, "vxlan_port", port_of(vx));
}

int cnet_vxlan_from_json(struct cnet_attach *att, const cJSON *o)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "vxlan_remote");
	cJSON *it;
	int r = cnet_attach_set_vxlan(att, (unsigned int)cnet_json_int(o, "vxlan", 1, 0xffffff, 0));

	if (r == 0)
		r = cnet_attach_set_vxlan_dev(att, cnet_json_str(o, "vxlan_dev"));
	if (!cJSON_IsArray(a))
		a = NULL;
	cJSON_ArrayForEach(it, a)
		if (r == 0)
			r = cnet_attach_add_vxlan_remote(att, cJSON_IsString(it) ? it->valuestring : "");
	if (r == 0 && *cnet_json_str(o, "vxlan_group"))
		r = cnet_attach_set_vxlan_group(att, cnet_json_str(o, "vxlan_group"));
	if (r == 0)
		r = cnet_attach_set_vxlan_port(att, (unsigned int)cnet_json_int(o, "vxlan_port", 1, 65535, VXLAN_PORT));
	return r;
}

/* The underlay there and up; vx<VNI> that VXLAN on it, up, or to be made
 * (then l->link.mtu is what it will have). */
int cnet_vxlan_preflight(struct run *run, struct cnet_lower *l)
{
	const struct cnet_vxlan *vx = &run->att->vx;
	struct cnet_linkinfo li;
	int r = cnet_link_get(run->hnl, 0, vx->dev, &l->under);

	if (r < 0)
		return cnet_missing(run->ctx, r, "underlay interface", vx->dev, "");
	if (!(l->under.flags & IFF_UP))
		return cnet_errc(run->ctx, CNET_ERR_MISSING, -ENETDOWN, "underlay interface '%s' is down",
				 vx->dev);
	snprintf(l->name, sizeof(l->name), "vx%u", vx->vni);
	r = cnet_link_get(run->hnl, 0, l->name, &li);
	if (r == -ENODEV) {
		if (l->under.mtu <= overhead(vx) + 68)
			return cnet_errc(run->ctx, CNET_ERR_INVALID, -EINVAL,
					 "underlay interface '%s' has too small an MTU for VXLAN (%u)", vx->dev,
					 l->under.mtu);
		l->make = true;
		l->link = (struct cnet_linkinfo){.mtu = l->under.mtu - overhead(vx)};
		return 0;
	}
	if (r < 0)
		return r;
	if (strcmp(li.kind, "vxlan") || li.vni != vx->vni || li.vxlan_link != l->under.ifindex ||
	    li.vxlan_port != port_of(vx))
		return cnet_errc(run->ctx, CNET_ERR_BUSY, -EEXIST,
				 "host interface '%s' exists and is not VXLAN %u on '%s', port %u", l->name,
				 vx->vni, vx->dev, port_of(vx));
	if (!(li.flags & IFF_UP))
		return cnet_errc(run->ctx, CNET_ERR_MISSING, -ENETDOWN, "VXLAN device '%s' is down", l->name);
	l->link = li;
	return 0;
}

void cnet_vxlan_plan(const struct run *run, const struct cnet_lower *l, struct cnet_result *res)
{
	const struct cnet_vxlan *vx = &run->att->vx;
	char buf[CNET_IPSTRLEN];

	if (l->make)
		cnet_result_add_action(res, "create VXLAN %u on %s (port %u) as %s on the host", vx->vni,
				       vx->dev, port_of(vx), l->name);
	for (size_t i = 0; i < vx->n_remotes; i++)
		cnet_result_add_action(res, "send %s's broadcasts to %s", l->name,
				       cnet_ip_str(&vx->remotes[i], false, buf));
}

/* Make vx<VNI> if it is to be made (l->made, l->ifindex, l->link once
 * it is), and give it the remotes: kept once, however often asked, and
 * left with the device when it stays. */
int cnet_vxlan_make(struct run *run, struct cnet_lower *l)
{
	const struct cnet_vxlan *vx = &run->att->vx;
	struct cnet_vxlan_opts o = {.name = l->name, .vni = vx->vni, .port = port_of(vx),
				    .underlay = l->under.ifindex, .group = vx->group,
				    .v6 = vx->n_remotes && vx->remotes[0].family == AF_INET6};
	struct nl_msg *msg;
	char what[80], buf[CNET_IPSTRLEN];
	int r;

	if (l->make) {
		r = cnet_link_build_vxlan(run->ctx, &o, &msg);
		if (r < 0)
			return r;
		snprintf(what, sizeof(what), "create VXLAN %u on '%s'", vx->vni, vx->dev);
		r = cnet_link_create(run->hnl, msg, what, &l->made, run->hnl, l->name, &l->link);
		if (r < 0)
			return r;
		l->ifindex = l->link.ifindex;
	}
	for (size_t i = 0; i < vx->n_remotes; i++) {
		snprintf(what, sizeof(what), "add VXLAN remote %s to '%s'",
			 cnet_ip_str(&vx->remotes[i], false, buf), l->name);
		r = cnet_fdb_append(run->hnl, l->link.ifindex, &vx->remotes[i], what);
		if (r < 0)
			return r;
	}
	return 0;
}
