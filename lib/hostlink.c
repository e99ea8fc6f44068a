/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A host interface as pipework told them apart (cnet pipework): by name
 * or by MAC, in the caller's network namespace, through netlink (sysfs
 * may be another namespace's: under nsenter --net it is).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <net/if_arp.h>

#include "cnet-internal.h"

struct by_mac {
	unsigned char mac[6];
	struct cnet_linkinfo found[4];
	int n, n_own;
	int own; /* of found: one with a MAC of its own */
};

/* Links that take their parent's MAC (or may): not the interface meant. */
static bool borrowed_mac(const struct cnet_linkinfo *li)
{
	static const char *const kinds[] = {"vlan", "macvlan", "macvtap", "ipvlan", "ipvtap", "bond", "team"};

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(li->kind, kinds[i]))
			return true;
	return false;
}

static int mac_cb(const struct cnet_linkinfo *li, void *arg)
{
	struct by_mac *b = arg;

	if (!li->has_mac || memcmp(li->mac, b->mac, 6) || b->n == (int)ARRAY_SIZE(b->found))
		return 0;
	if (!borrowed_mac(li)) {
		b->own = b->n;
		b->n_own++;
	}
	b->found[b->n++] = *li;
	return 0;
}

static int find_mac(struct cnet_ctx *ctx, struct cnet_nl *nl, const char *mac, struct cnet_linkinfo *out)
{
	struct by_mac b = {.n = 0};
	int r;

	if (cnet_parse_mac(mac, b.mac) < 0)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "invalid MAC address '%s'", mac);
	r = cnet_link_each(nl, mac_cb, &b);
	if (r < 0)
		return r;
	if (!b.n)
		return cnet_errc(ctx, CNET_ERR_MISSING, -ENODEV, "no host interface has the MAC address %s", mac);
	if (b.n > 1 && b.n_own != 1)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
				 "several host interfaces have the MAC address %s (%s, %s%s)", mac, b.found[0].name,
				 b.found[1].name, b.n > 2 ? ", ..." : "");
	*out = b.found[b.n > 1 ? b.own : 0];
	return 0;
}

CNET_EXPORT int cnet_host_link(struct cnet_ctx *ctx, const char *name, const char *mac, char name_out[16],
			       const char **what)
{
	struct cnet_linkinfo li, master;
	struct cnet_nl *nl = NULL;
	int r;

	cnet_clear_err(ctx);
	if ((!name) == (!mac) || !name_out || !what)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "a name or a MAC, and where to say what it is");
	if (name && (r = cnet_check_ifname(ctx, name)) < 0)
		return r;
	r = cnet_nl_open(ctx, -1, &nl);
	if (r == 0)
		r = mac ? find_mac(ctx, nl, mac, &li) : cnet_link_get(nl, 0, name, &li);
	if (r == -ENODEV && !mac)
		r = cnet_errc(ctx, CNET_ERR_MISSING, -ENODEV, "host interface '%s' does not exist", name);
	if (r == 0) {
		snprintf(name_out, IFNAMSIZ, "%s", li.name);
		*what = !strcmp(li.kind, "bridge")	    ? "bridge"
			: !strcmp(li.kind, "openvswitch") ? "openvswitch"
			: li.type == ARPHRD_INFINIBAND	    ? "ipoib"
							    : "";
		/* a port of Open vSwitch's datapath, as its bridges' own are */
		if (!**what && li.master && cnet_link_get(nl, (int)li.master, NULL, &master) == 0 &&
		    !strcmp(master.kind, "openvswitch"))
			*what = "openvswitch";
		cnet_clear_err(ctx);
	}
	cnet_nl_close(nl);
	return r;
}
