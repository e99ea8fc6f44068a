/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device identity: what tells a device cnet lent (host-device, a VF) from
 * anything the container can make. Inside its namespace the container sets
 * names, MACs, aliases, MTUs and even ifindexes (RTM_NEWLINK takes one), so
 * none of those may decide which link goes back to the host. What it cannot
 * set, and what is recorded at attach:
 * - a device with a parent device (a NIC, a VF): the parent's bus and name
 *   (IFLA_PARENT_DEV_BUS_NAME, IFLA_PARENT_DEV_NAME: "pci", "0000:01:00.1"),
 *   and its permanent address to tell apart the ports of a NIC with a
 *   netdev per port; no virtual link the container can create has a
 *   parent device;
 * - a veth: its peer, on the host or in another namespace than the
 *   container's, which the kernel alone ties to it (the container cannot
 *   make a veth whose peer is there). The peer is read from the host (in
 *   its own namespace through IFLA_TARGET_NETNSID), and says where its
 *   other end is.
 * Anything else cannot be told apart from a look-alike, so it is not lent.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <libmnl/libmnl.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>

#include "cnet-internal.h"

struct scan {
	const struct cnet_devid *want; /* NULL: read one link into got */
	struct cnet_devid got;
	int found, n;		/* links with the parent device */
	int found_perm, n_perm; /* ... and the permanent address too */
};

/* A link's parent device and permanent address, from its RTM_NEWLINK. */
static int parse_link(const struct nlmsghdr *h, void *arg)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
	struct scan *s = arg;
	struct cnet_devid id = {0};
	const struct nlattr *a;

	if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return 0;
	mnl_attr_for_each(a, h, sizeof(*ifi)) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_PARENT_DEV_NAME:
			cnet_attr_str(id.dev, sizeof(id.dev), a);
			break;
		case IFLA_PARENT_DEV_BUS_NAME:
			cnet_attr_str(id.bus, sizeof(id.bus), a);
			break;
		case IFLA_PERM_ADDRESS:
			if (mnl_attr_get_payload_len(a) == 6) {
				memcpy(id.perm, mnl_attr_get_payload(a), 6);
				id.has_perm = true;
			}
			break;
		default:
			break;
		}
	}
	if (!s->want) {
		s->got = id;
		s->found = ifi->ifi_index;
		return 0;
	}
	if (!id.dev[0] || strcmp(id.dev, s->want->dev) || strcmp(id.bus, s->want->bus))
		return 0;
	s->found = ifi->ifi_index;
	s->n++;
	if (s->want->has_perm && id.has_perm && !memcmp(id.perm, s->want->perm, 6)) {
		s->found_perm = ifi->ifi_index;
		s->n_perm++;
	}
	return 0;
}

static int get_links(struct cnet_nl *nl, int ifindex, struct scan *s)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, ifindex > 0 ? 0 : NLM_F_DUMP);

	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0) {
		nlmsg_free(msg);
		return cnet_err(cnet_nl_ctx(nl), -ENOMEM, "out of memory");
	}
	return cnet_nl_query_raw(nl, msg, parse_link, s, "read links");
}

static int nsid_cb(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *a;

	if (h->nlmsg_type != RTM_NEWNSID)
		return 0;
	mnl_attr_for_each(a, h, sizeof(struct rtgenmsg))
		if (mnl_attr_get_type(a) == NETNSA_NSID && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			*(int *)arg = (int)mnl_attr_get_u32(a);
	return 0;
}

int cnet_netns_id(struct cnet_nl *nl, int ns_fd, int *nsid)
{
	struct rtgenmsg g = {.rtgen_family = AF_UNSPEC};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETNSID, 0);

	*nsid = -1;
	if (!msg || nlmsg_append(msg, &g, sizeof(g), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, NETNSA_FD, (uint32_t)ns_fd) < 0) {
		nlmsg_free(msg);
		return cnet_err(cnet_nl_ctx(nl), -ENOMEM, "out of memory");
	}
	return cnet_nl_query_raw(nl, msg, nsid_cb, nsid, "read a namespace id");
}

struct peer {
	int ifindex, link, link_nsid; /* link_nsid: as the host knows it, -1: none */
	char name[IFNAMSIZ];
	bool veth;
};

static int peer_cb(const struct nlmsghdr *h, void *arg)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
	struct peer *p = arg;
	const struct nlattr *a, *i;

	if (h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return 0;
	p->ifindex = ifi->ifi_index;
	mnl_attr_for_each(a, h, sizeof(*ifi)) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_IFNAME:
			cnet_attr_str(p->name, sizeof(p->name), a);
			break;
		case IFLA_LINK:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				p->link = (int)mnl_attr_get_u32(a);
			break;
		case IFLA_LINK_NETNSID:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				p->link_nsid = (int)mnl_attr_get_u32(a);
			break;
		case IFLA_LINKINFO:
			mnl_attr_for_each_nested(i, a)
				if (mnl_attr_get_type(i) == IFLA_INFO_KIND &&
				    mnl_attr_validate(i, MNL_TYPE_STRING) == 0)
					p->veth = mnl_attr_get_payload_len(i) >= 4 &&
						  !strncmp(mnl_attr_get_str(i), "veth", 4) &&
						  (mnl_attr_get_payload_len(i) == 4 || mnl_attr_get_str(i)[4] == '\0');
			break;
		default:
			break;
		}
	}
	return 0;
}

/* A link by ifindex in the namespace the host knows as nsid (-1: its own). */
static int get_peer(struct cnet_nl *hnl, int ifindex, int nsid, struct peer *p)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, 0);
	int r;

	memset(p, 0, sizeof(*p));
	p->link_nsid = -1;
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0 ||
	    (nsid >= 0 && nla_put_s32(msg, IFLA_TARGET_NETNSID, nsid) < 0)) {
		nlmsg_free(msg);
		return cnet_err(cnet_nl_ctx(hnl), -ENOMEM, "out of memory");
	}
	r = cnet_nl_query_raw(hnl, msg, peer_cb, p, "read a veth's peer");
	if (r == -ENOENT || r == -ENODEV || r == -EINVAL || (r == 0 && p->ifindex != ifindex))
		return -ENODEV; /* gone, or its namespace is (EINVAL: no such id) */
	return r;
}

int cnet_devid_read(struct cnet_nl *hnl, const struct cnet_linkinfo *li, int target_fd,
		    struct cnet_devid *id)
{
	struct cnet_ctx *ctx = cnet_nl_ctx(hnl);
	struct scan s = {0};
	struct peer peer;
	int r, tnsid = -1;

	memset(id, 0, sizeof(*id));
	r = get_links(hnl, li->ifindex, &s);
	if (r < 0)
		return r;
	if (s.got.dev[0] && s.got.bus[0]) {
		*id = s.got;
		return 0;
	}
	/* A veth whose peer is on the host or in a namespace other than the
	 * container's (the container could re-pair a peer in its own). */
	if (!strcmp(li->kind, "veth") && li->link > 0) {
		if (li->link_netnsid >= 0 && (r = cnet_netns_id(hnl, target_fd, &tnsid)) < 0)
			return r;
		if (li->link_netnsid >= 0 && li->link_netnsid == tnsid)
			return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
					 "cannot lend '%s': its veth peer is in the container already", li->name);
		r = get_peer(hnl, li->link, li->link_netnsid, &peer);
		if (r < 0 && r != -ENODEV)
			return r;
		if (r == 0 && peer.veth && peer.link == li->ifindex) {
			id->peer = peer.ifindex;
			id->peer_nsid = li->link_netnsid;
			snprintf(id->peer_name, sizeof(id->peer_name), "%s", peer.name);
			return 0;
		}
	}
	return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
			 "cannot lend '%s': it has no parent device and is not a veth with its peer outside the container, so nothing the container cannot forge would tell it apart when it is given back",
			 li->name);
}

bool cnet_devid_valid(const struct cnet_devid *id)
{
	return (id->dev[0] && id->bus[0]) || id->peer > 0;
}

/* Where the device is: in nl's namespace (ns_fd its file; -1 when nl is
 * the host's). */
int cnet_devid_find(struct cnet_nl *hnl, struct cnet_nl *nl, int ns_fd, const struct cnet_devid *id,
		    struct cnet_linkinfo *out)
{
	struct cnet_ctx *ctx = cnet_nl_ctx(hnl);
	int r, ifindex;

	if (id->dev[0]) {
		struct scan s = {.want = id};
		r = get_links(nl, 0, &s);
		if (r < 0)
			return r;
		/* One netdev per device is the rule (a VF's permanent address
		 * may even follow the MAC its PF gives it); a NIC with a netdev
		 * per port tells its ports apart by their permanent addresses. */
		if (s.n > 1 && s.n_perm != 1)
			return cnet_errc(ctx, CNET_ERR_BUSY, -ENOTUNIQ,
					 "%d interfaces have parent device %s %s: cannot tell which was lent",
					 s.n, id->bus, id->dev);
		if (s.n == 0)
			return -ENODEV;
		ifindex = s.n > 1 ? s.found_perm : s.found;
	} else if (id->peer > 0) {
		struct peer peer;
		int nsid = -1, self;
		/* The peer stays out of the container: the container cannot
		 * rename it, re-pair it, or make another veth whose peer is
		 * there. Its other end's namespace, as the host knows it: */
		r = get_peer(hnl, id->peer, id->peer_nsid, &peer);
		if (r < 0)
			return r;
		if (!peer.veth || strcmp(peer.name, id->peer_name) || peer.link <= 0)
			return -ENODEV;
		/* (reading the peer gave that namespace an id) */
		if (ns_fd >= 0) {
			r = cnet_netns_id(hnl, ns_fd, &nsid);
			if (r == 0 && (nsid < 0 || peer.link_nsid != nsid))
				r = -ENODEV;
		} else if (peer.link_nsid >= 0) {
			/* on the host: no id, or the host's own */
			self = cnet_self_ns(ctx);
			r = self < 0 ? self : cnet_netns_id(hnl, self, &nsid);
			if (r == 0 && peer.link_nsid != nsid)
				r = -ENODEV;
		}
		if (r < 0)
			return r;
		ifindex = peer.link;
	} else {
		return -ENODEV;
	}
	r = cnet_link_get(nl, ifindex, NULL, out);
	return r;
}

/* A veth's peer is still there (a veth pair dies whole). */
bool cnet_devid_peer_exists(struct cnet_nl *hnl, const struct cnet_devid *id)
{
	struct peer peer;

	return id->peer > 0 && get_peer(hnl, id->peer, id->peer_nsid, &peer) == 0;
}

/* Is the device (bus and name from a record) still there, somewhere? */
bool cnet_devid_exists(struct cnet_ctx *ctx, const struct cnet_devid *id)
{
	char path[256];
	struct stat st;

	if (!id->dev[0] || strchr(id->bus, '/') || strchr(id->dev, '/') || id->bus[0] == '.' ||
	    id->dev[0] == '.')
		return false;
	snprintf(path, sizeof(path), "%s/bus/%s/devices/%s", ctx->sysfs_root, id->bus, id->dev);
	return stat(path, &st) == 0;
}

void cnet_devid_to_json(const struct cnet_devid *id, cJSON *o)
{
	char mac[18];
	cJSON *j = cJSON_AddObjectToObject(o, "identity");

	if (!j)
		return;
	if (id->dev[0]) {
		cJSON_AddStringToObject(j, "bus", id->bus);
		cJSON_AddStringToObject(j, "device", id->dev);
		if (id->has_perm) {
			cnet_mac_str(id->perm, mac);
			cJSON_AddStringToObject(j, "perm_mac", mac);
		}
	} else if (id->peer > 0) {
		cJSON_AddNumberToObject(j, "veth_peer", id->peer);
		cJSON_AddStringToObject(j, "veth_peer_name", id->peer_name);
		if (id->peer_nsid >= 0)
			cJSON_AddNumberToObject(j, "veth_peer_nsid", id->peer_nsid);
	}
}

bool cnet_devid_from_json(const cJSON *o, struct cnet_devid *id)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, "identity");

	memset(id, 0, sizeof(*id));
	snprintf(id->bus, sizeof(id->bus), "%s", cnet_json_str(j, "bus"));
	snprintf(id->dev, sizeof(id->dev), "%s", cnet_json_str(j, "device"));
	id->has_perm = cnet_parse_mac(cnet_json_str(j, "perm_mac"), id->perm) == 0;
	id->peer = (int)cnet_json_int(j, "veth_peer", 1, INT32_MAX, 0);
	snprintf(id->peer_name, sizeof(id->peer_name), "%s", cnet_json_str(j, "veth_peer_name"));
	id->peer_nsid = (int)cnet_json_int(j, "veth_peer_nsid", 0, INT32_MAX, -1);
	if (id->peer && !cnet_ifname_ok(id->peer_name))
		id->peer = 0;
	return cnet_devid_valid(id);
}
