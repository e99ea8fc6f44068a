/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cnet_attach(): resolve, validate everything before touching anything,
 * then create or move the interface straight into the target namespace,
 * name it, address it, route it, and record it. Every step that changed the
 * host or the target is undone, in reverse, when a later one fails.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <linux/if_link.h>
#include <netlink/msg.h>

#include "attach.h"

#define DAD_TIMEOUT_MS 5000

/* ---- the description and its setters ---------------------------------- */

CNET_EXPORT int cnet_kind_from_string(const char *name)
{
	if (!name)
		return -EINVAL;
	if (!strcmp(name, "macvlan"))
		return CNET_KIND_MACVLAN;
	if (!strcmp(name, "host-device"))
		return CNET_KIND_HOST_DEVICE;
	if (!strcmp(name, "veth"))
		return CNET_KIND_VETH;
	if (!strcmp(name, "sriov"))
		return CNET_KIND_SRIOV;
	if (!strcmp(name, "vlan"))
		return CNET_KIND_VLAN;
	if (!strcmp(name, "bond"))
		return CNET_KIND_BOND;
	return -EINVAL;
}

CNET_EXPORT const char *cnet_kind_to_string(int kind)
{
	switch (kind) {
	case CNET_KIND_MACVLAN:
		return "macvlan";
	case CNET_KIND_HOST_DEVICE:
		return "host-device";
	case CNET_KIND_VETH:
		return "veth";
	case CNET_KIND_SRIOV:
		return "sriov";
	case CNET_KIND_VLAN:
		return "vlan";
	case CNET_KIND_BOND:
		return "bond";
	}
	return NULL;
}

CNET_EXPORT int cnet_attach_new(struct cnet_ctx *ctx, const char *target, int kind,
				struct cnet_attach **out)
{
	struct cnet_attach *att;

	cnet_clear_err(ctx);
	if (!target || !*target)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "empty target");
	if (!cnet_kind_to_string(kind))
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "unknown attachment kind %d", kind);
	att = calloc(1, sizeof(*att));
	if (!att || !(att->target = strdup(target))) {
		free(att);
		return cnet_err(ctx, -ENOMEM, "out of memory");
	}
	att->ctx = ctx;
	att->kind = kind;
	strcpy(att->ifname, "eth1");
	att->mode = MACVLAN_MODE_BRIDGE;
	att->vf = -1;
	att->pf_lock_fd = -1;
	att->dhcp_timeout_ms = 10000;
	cnet_bond_opts_init(&att->bond);
	*out = att;
	return 0;
}

CNET_EXPORT void cnet_attach_free(struct cnet_attach *att)
{
	if (!att)
		return;
	free(att->target);
	free(att);
}

/* Each setter is a call of its own: its message replaces an earlier one. */
static int invalid(struct cnet_attach *att, const char *fmt, const char *arg)
{
	cnet_clear_err(att->ctx);
	return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, fmt, arg);
}

static int set_name(struct cnet_attach *att, char dst[IFNAMSIZ], const char *name)
{
	int r = cnet_check_ifname(att->ctx, name);

	if (r < 0)
		return r;
	strcpy(dst, name);
	return 0;
}

static int need_kind(struct cnet_attach *att, int kind, const char *opt)
{
	if (att->kind == kind)
		return 0;
	cnet_clear_err(att->ctx);
	return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "%s applies to %s, not %s", opt,
			 cnet_kind_to_string(kind), cnet_kind_to_string(att->kind));
}

CNET_EXPORT int cnet_attach_set_ifname(struct cnet_attach *att, const char *ifname)
{
	return set_name(att, att->ifname, ifname);
}

CNET_EXPORT int cnet_attach_add_ip(struct cnet_attach *att, const char *cidr)
{
	struct cnet_ip ip;

	if (cidr && !strcmp(cidr, "dhcp")) {
		if (att->dhcp)
			return invalid(att, "address '%s' given twice", cidr);
		att->dhcp = true;
		return 0;
	}
	if (!cidr || cnet_parse_ip(cidr, true, &ip) < 0)
		return invalid(att, "invalid address '%s' (want ADDR/PREFIXLEN, e.g. 10.0.0.2/24, or dhcp)",
			       cidr ? cidr : "");
	if (att->n_ips == ARRAY_SIZE(att->ips))
		return invalid(att, "too many addresses (at most 32): '%s'", cidr);
	for (size_t i = 0; i < att->n_ips; i++)
		if (att->ips[i].family == ip.family && !memcmp(att->ips[i].a, ip.a, 16))
			return invalid(att, "address '%s' given twice", cidr);
	att->ips[att->n_ips++] = ip;
	return 0;
}

CNET_EXPORT int cnet_attach_add_gateway(struct cnet_attach *att, const char *addr)
{
	struct cnet_ip ip;

	if (!addr || cnet_parse_ip(addr, false, &ip) < 0)
		return invalid(att, "invalid gateway '%s' (want an address without prefix length)",
			       addr ? addr : "");
	if (ip.family == AF_INET ? att->has_gw4 : att->has_gw6)
		return invalid(att, "a second gateway of the same family: '%s'", addr);
	if (ip.family == AF_INET) {
		att->gw4 = ip;
		att->has_gw4 = true;
	} else {
		att->gw6 = ip;
		att->has_gw6 = true;
	}
	return 0;
}

CNET_EXPORT int cnet_attach_add_route(struct cnet_attach *att, const char *spec)
{
	struct cnet_route rt;

	if (!spec || cnet_parse_route(spec, &rt) < 0)
		return invalid(att, "invalid route '%s' (want DEST/PREFIXLEN or DEST/PREFIXLEN@VIA)",
			       spec ? spec : "");
	if (att->n_routes == ARRAY_SIZE(att->routes))
		return invalid(att, "too many routes (at most 32): '%s'", spec);
	{
		struct cnet_ip net = rt.dst;
		cnet_ip_mask(&net);
		if (memcmp(net.a, rt.dst.a, sizeof(net.a)))
			return invalid(att, "route '%s' has host bits set in its destination", spec);
	}
	att->routes[att->n_routes++] = rt;
	return 0;
}

CNET_EXPORT int cnet_attach_set_mtu(struct cnet_attach *att, unsigned int mtu)
{
	/* 68 is IPv4's minimum (RFC 791); IPv6 needs 1280, checked at attach
	 * when an IPv6 address is asked for. */
	if (mtu < 68 || mtu > 65535) {
		char buf[16];
		snprintf(buf, sizeof(buf), "%u", mtu);
		return invalid(att, "invalid MTU %s (68-65535)", buf);
	}
	att->mtu = mtu;
	return 0;
}

CNET_EXPORT int cnet_attach_set_mac(struct cnet_attach *att, const char *mac)
{
	static const unsigned char zero[6];

	if (!mac || cnet_parse_mac(mac, att->mac) < 0)
		return invalid(att, "invalid MAC address '%s' (want xx:xx:xx:xx:xx:xx)", mac ? mac : "");
	if (att->mac[0] & 1)
		return invalid(att, "MAC address '%s' is multicast; a unicast address is needed", mac);
	if (!memcmp(att->mac, zero, 6))
		return invalid(att, "MAC address '%s' is all zeros", mac);
	att->has_mac = true;
	return 0;
}

CNET_EXPORT int cnet_attach_set_hostname(struct cnet_attach *att, const char *hostname)
{
	size_t n = hostname ? strlen(hostname) : 0;

	/* RFC 1123 labels: letters, digits, '-' and '.', at most 63 here */
	if (!n || n >= sizeof(att->hostname) || hostname[0] == '-' || hostname[0] == '.' ||
	    strspn(hostname, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != n)
		return invalid(att, "invalid hostname '%s' (letters, digits, '-' and '.', 1-63 bytes)",
			       hostname ? hostname : "");
	strcpy(att->hostname, hostname);
	return 0;
}

CNET_EXPORT int cnet_attach_set_resolv_conf(struct cnet_attach *att, const char *path)
{
	if (!path || path[0] != '/' || strlen(path) >= sizeof(att->resolv_conf))
		return invalid(att, "invalid --resolv-conf '%s' (an absolute path in the container)",
			       path ? path : "");
	strcpy(att->resolv_conf, path);
	return 0;
}

CNET_EXPORT int cnet_attach_set_dhcp_timeout(struct cnet_attach *att, unsigned int ms)
{
	if (ms < 100 || ms > 3600000) {
		char buf[16];
		snprintf(buf, sizeof(buf), "%u", ms);
		return invalid(att, "invalid DHCP timeout %s ms (100 ms to 1 h)", buf);
	}
	att->dhcp_timeout_ms = ms;
	att->dhcp_timeout_set = true;
	return 0;
}

CNET_EXPORT int cnet_attach_set_parent(struct cnet_attach *att, const char *ifname)
{
	int r = att->kind == CNET_KIND_VLAN ? 0 : need_kind(att, CNET_KIND_MACVLAN, "--parent");

	return r < 0 ? r : set_name(att, att->parent, ifname);
}

CNET_EXPORT int cnet_attach_set_macvlan_mode(struct cnet_attach *att, const char *mode)
{
	int r = need_kind(att, CNET_KIND_MACVLAN, "--mode");

	if (r < 0)
		return r;
	r = mode ? cnet_macvlan_mode_from_string(mode) : -EINVAL;
	if (r < 0)
		return invalid(att, "invalid macvlan mode '%s' (bridge, private, vepa or passthru)",
			       mode ? mode : "");
	att->mode = r;
	return 0;
}

CNET_EXPORT int cnet_attach_set_device(struct cnet_attach *att, const char *ifname)
{
	int r = need_kind(att, CNET_KIND_HOST_DEVICE, "--dev");

	return r < 0 ? r : set_name(att, att->dev, ifname);
}

CNET_EXPORT int cnet_attach_set_bridge(struct cnet_attach *att, const char *bridge, bool create)
{
	int r = need_kind(att, CNET_KIND_VETH, "--bridge");

	if (r < 0)
		return r;
	att->create_bridge = create;
	return set_name(att, att->bridge, bridge);
}

CNET_EXPORT int cnet_attach_set_host_ifname(struct cnet_attach *att, const char *ifname)
{
	int r = need_kind(att, CNET_KIND_VETH, "--host-ifname");

	return r < 0 ? r : set_name(att, att->host_ifname, ifname);
}

CNET_EXPORT int cnet_attach_set_flags(struct cnet_attach *att, unsigned int flags)
{
	cnet_clear_err(att->ctx);
	if (flags & ~(CNET_ATTACH_DRY_RUN | CNET_ATTACH_NO_DAD | CNET_ATTACH_FORCE | CNET_ATTACH_REPLACE |
		      CNET_ATTACH_NO_GW))
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "unknown attach flags %#x", flags);
	if ((flags & CNET_ATTACH_FORCE) && att->kind != CNET_KIND_HOST_DEVICE)
		return need_kind(att, CNET_KIND_HOST_DEVICE, "--force");
	att->flags = flags;
	return 0;
}

/* ---- the record's "options": canonical, so equal requests compare equal */

static cJSON *options_json(const struct cnet_attach *att)
{
	char buf[CNET_IPSTRLEN * 2 + 2];
	cJSON *o = cJSON_CreateObject(), *a;

	if (!o)
		return NULL;
	switch (att->kind) {
	case CNET_KIND_MACVLAN:
	case CNET_KIND_VLAN:
		cJSON_AddStringToObject(o, "parent", att->parent);
		if (att->kind == CNET_KIND_MACVLAN)
			cJSON_AddStringToObject(o, "mode", cnet_macvlan_mode_to_string(att->mode));
		if (att->vlan)
			cJSON_AddNumberToObject(o, "vlan", att->vlan);
		if (att->vlan && att->vlan_proto == 0x88a8)
			cJSON_AddStringToObject(o, "vlan_proto", "802.1ad");
		break;
	case CNET_KIND_HOST_DEVICE:
		cJSON_AddStringToObject(o, "dev", att->dev);
		break;
	case CNET_KIND_VETH:
		cJSON_AddStringToObject(o, "bridge", att->bridge);
		if (att->host_ifname[0])
			cJSON_AddStringToObject(o, "host_ifname", att->host_ifname);
		break;
	case CNET_KIND_SRIOV:
		cnet_sriov_options(att, o);
		break;
	case CNET_KIND_BOND:
		cnet_bond_options(att, o);
		break;
	}
	a = cJSON_AddArrayToObject(o, "ip");
	if (a && att->dhcp)
		cJSON_AddItemToArray(a, cJSON_CreateString("dhcp"));
	for (size_t i = 0; a && i < att->n_ips; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(cnet_ip_str(&att->ips[i], true, buf)));
	a = cJSON_AddArrayToObject(o, "gw");
	if (a && att->has_gw4)
		cJSON_AddItemToArray(a, cJSON_CreateString(cnet_ip_str(&att->gw4, false, buf)));
	if (a && att->has_gw6)
		cJSON_AddItemToArray(a, cJSON_CreateString(cnet_ip_str(&att->gw6, false, buf)));
	a = cJSON_AddArrayToObject(o, "route");
	for (size_t i = 0; a && i < att->n_routes; i++) {
		const struct cnet_route *rt = &att->routes[i];
		cnet_ip_str(&rt->dst, true, buf);
		if (rt->has_via) {
			strcat(buf, "@");
			cnet_ip_str(&rt->via, false, buf + strlen(buf));
		}
		cJSON_AddItemToArray(a, cJSON_CreateString(buf));
	}
	if (att->mtu)
		cJSON_AddNumberToObject(o, "mtu", att->mtu);
	if (att->has_mac) {
		cnet_mac_str(att->mac, buf);
		cJSON_AddStringToObject(o, "mac", buf);
	}
	if (att->hostname[0])
		cJSON_AddStringToObject(o, "hostname", att->hostname);
	if (att->dhcp_timeout_set)
		cJSON_AddNumberToObject(o, "dhcp_timeout_ms", att->dhcp_timeout_ms);
	if (att->resolv_conf[0])
		cJSON_AddStringToObject(o, "resolv_conf", att->resolv_conf);
	if (att->flags & CNET_ATTACH_NO_GW)
		cJSON_AddBoolToObject(o, "no_gw", true);
	return o;
}

/* ---- preflight: everything that can be refused is refused here -------- */

struct addr_clash {
	const struct cnet_attach *att;
	struct cnet_ip hit;
	bool found;
};

static int find_clash(int ifindex, const struct cnet_ip *ip, unsigned int flags, void *arg)
{
	struct addr_clash *c = arg;

	(void)ifindex;
	(void)flags;
	for (size_t i = 0; i < c->att->n_ips; i++)
		if (c->att->ips[i].family == ip->family && !memcmp(c->att->ips[i].a, ip->a, 16)) {
			c->hit = *ip;
			c->found = true;
		}
	return 0;
}

static bool gw_reachable(const struct cnet_attach *att, const struct cnet_ip *gw)
{
	if (cnet_ip_is_v6_linklocal(gw))
		return true;
	for (size_t i = 0; i < att->n_ips; i++)
		if (cnet_ip_in_prefix(gw, &att->ips[i]))
			return true;
	for (size_t i = 0; i < att->n_routes; i++)
		if (!att->routes[i].has_via && cnet_ip_in_prefix(gw, &att->routes[i].dst))
			return true;
	return false;
}

static int check_static(struct run *run)
{
	struct cnet_attach *att = run->att;
	struct cnet_ctx *ctx = run->ctx;
	const struct cnet_ip *gws[2] = {att->has_gw4 ? &att->gw4 : NULL, att->has_gw6 ? &att->gw6 : NULL};
	char buf[CNET_IPSTRLEN];

	if (att->kind == CNET_KIND_MACVLAN && !att->parent[0])
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "macvlan needs --parent IF");
	if (att->kind == CNET_KIND_HOST_DEVICE && !att->dev[0])
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "host-device needs --dev IF");
	if (att->kind == CNET_KIND_VETH && !att->bridge[0])
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "veth needs --bridge BR");
	if (att->kind == CNET_KIND_SRIOV && !att->pf[0])
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "sriov needs --pf PF");
	if (att->kind == CNET_KIND_BOND) {
		int r = cnet_bond_check(run);
		if (r < 0)
			return r;
	}
	if (att->kind == CNET_KIND_VLAN && (!att->parent[0] || !att->vlan))
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "vlan needs --parent IF and --vlan VID");
	if (att->kind == CNET_KIND_MACVLAN && att->vlan &&
	    strlen(att->parent) + 1 + (size_t)snprintf(NULL, 0, "%d", att->vlan) >= IFNAMSIZ)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
				 "the VLAN subinterface %s.%d would be longer than 15 bytes", att->parent,
				 att->vlan);
	if (att->dhcp && att->has_gw4)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
				 "an IPv4 --gw does not go with --ip dhcp (the server's router is the gateway; --no-gw for none)");
	if (!att->dhcp && (att->flags & CNET_ATTACH_NO_GW))
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "--no-gw applies to --ip dhcp");
	if (!att->dhcp && att->hostname[0])
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "--hostname applies to --ip dhcp");
	if (!att->dhcp && att->dhcp_timeout_set)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "--dhcp-timeout applies to --ip dhcp");
	if (!att->dhcp && att->resolv_conf[0])
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "--resolv-conf applies to --ip dhcp");
	for (size_t i = 0; i < 2; i++)
		if (gws[i] && !gw_reachable(att, gws[i]))
			return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
					 "gateway %s is not inside any --ip subnet or device --route",
					 cnet_ip_str(gws[i], false, buf));
	for (size_t i = 0; i < att->n_routes; i++)
		if (att->routes[i].has_via && !gw_reachable(att, &att->routes[i].via))
			return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
					 "route via %s: not inside any --ip subnet or device --route",
					 cnet_ip_str(&att->routes[i].via, false, buf));
	if (att->mtu && att->mtu < 1280)
		for (size_t i = 0; i < att->n_ips; i++)
			if (att->ips[i].family == AF_INET6)
				return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL,
						 "MTU %u is below IPv6's minimum of 1280", att->mtu);
	return 0;
}

static int missing(struct run *run, int r, const char *what, const char *name, const char *hint)
{
	if (r == -ENODEV)
		return cnet_errc(run->ctx, CNET_ERR_MISSING, -ENODEV, "%s '%s' does not exist%s", what,
				 name, hint);
	return r;
}

static int check_mtu(struct run *run, unsigned int limit, const char *what, const char *name)
{
	if (run->att->mtu > limit)
		return cnet_errc(run->ctx, CNET_ERR_INVALID, -EINVAL, "MTU %u is above %s %s's MTU %u",
				 run->att->mtu, what, name, limit);
	return 0;
}

static int collect_addr(int ifindex, const struct cnet_ip *ip, unsigned int flags, void *arg)
{
	struct run *run = arg;

	(void)ifindex;
	(void)flags;
	if (cnet_ip_is_v6_linklocal(ip))
		return 0;
	if (run->n_dev_addrs < ARRAY_SIZE(run->dev_addrs))
		run->dev_addrs[run->n_dev_addrs] = *ip;
	run->n_dev_addrs++;
	return 0;
}

static int preflight_host_device(struct run *run)
{
	struct cnet_attach *att = run->att;
	bool force = att->flags & CNET_ATTACH_FORCE;
	struct cnet_linkinfo master;
	char buf[CNET_IPSTRLEN];
	int r;

	r = cnet_link_get(run->hnl, 0, att->dev, &run->dev);
	if (r < 0)
		return missing(run, r, "device", att->dev, "");
	if (run->dev.flags & IFF_LOOPBACK)
		return cnet_errc(run->ctx, CNET_ERR_INVALID, -EINVAL, "refusing to move loopback '%s'",
				 att->dev);
	/* What will tell it apart when it is given back (devid.c). */
	r = cnet_devid_read(run->hnl, &run->dev, run->t.fd, &run->devid);
	if (r < 0)
		return r;
	if (run->dev.master && !force) {
		r = cnet_link_get(run->hnl, (int)run->dev.master, NULL, &master);
		return cnet_errc(run->ctx, CNET_ERR_BUSY, -EBUSY,
				 "device '%s' is enslaved to '%s'; moving it could cut the host off (--force moves it anyway)",
				 att->dev, r < 0 ? "?" : master.name);
	}
	r = cnet_addr_each(run->hnl, run->dev.ifindex, collect_addr, run);
	if (r < 0)
		return r;
	if (run->n_dev_addrs && !force)
		return cnet_errc(run->ctx, CNET_ERR_BUSY, -EBUSY,
				 "device '%s' carries address %s; moving it could cut the host off (--force moves it anyway)",
				 att->dev, cnet_ip_str(&run->dev_addrs[0], true, buf));
	if (run->n_dev_addrs > ARRAY_SIZE(run->dev_addrs))
		return cnet_errc(run->ctx, CNET_ERR_INVALID, -E2BIG,
				 "device '%s' carries more addresses than cnet can restore", att->dev);
	/* Links of the host built on it (macvlan, VLAN, ipvlan) would ride on a
	 * device the container controls. */
	r = cnet_link_count_uppers(run->hnl, run->dev.ifindex);
	if (r < 0)
		return r;
	if (r > 0 && !force)
		return cnet_errc(run->ctx, CNET_ERR_BUSY, -EBUSY,
				 "other host interfaces sit on device '%s'; moving it could cut the host off (--force moves it anyway)",
				 att->dev);
	/* Routes through it leave with it: kept whole, to come back with it. */
	r = cnet_routes_save(run->hnl, AF_UNSPEC, run->dev.ifindex, &run->dev_routes);
	if (r < 0)
		return r;
	if (run->dev_routes.n && !force)
		return cnet_errc(run->ctx, CNET_ERR_BUSY, -EBUSY,
				 "routes on the host use device '%s'; moving it could cut the host off (--force moves it anyway)",
				 att->dev);
	return 0;
}

/* macvlan --vlan: the macvlan sits on the host's PARENT.VID. One that
 * exists must be that VLAN of that parent, and up; a missing one is made. */
static int preflight_lower(struct run *run)
{
	struct cnet_attach *att = run->att;
	struct cnet_linkinfo li;
	char name[40];
	int r;


	snprintf(name, sizeof(name), "%s.%d", att->parent, att->vlan); /* fits: check_static */
	snprintf(run->lower, sizeof(run->lower), "%.15s", name);
	r = cnet_link_get(run->hnl, 0, run->lower, &li);
	if (r == -ENODEV) {
		run->make_lower = true; /* same MTU as the parent */
		return 0;
	}
	if (r < 0)
		return r;
	if (li.vlan_id != att->vlan || li.link != run->parent.ifindex ||
	    li.vlan_proto != att->vlan_proto)
		return cnet_errc(run->ctx, CNET_ERR_BUSY, -EEXIST,
				 "host interface '%s' exists and is not VLAN %d of '%s'", run->lower,
				 att->vlan, att->parent);
	if (!(li.flags & IFF_UP))
		return cnet_errc(run->ctx, CNET_ERR_MISSING, -ENETDOWN, "parent interface '%s' is down",
				 run->lower);
	run->parent = li;
	return 0;
}

static int preflight(struct run *run)
{
	struct cnet_attach *att = run->att;
	struct cnet_linkinfo li;
	struct addr_clash clash = {.att = att};
	char buf[CNET_IPSTRLEN];
	int r;

	r = cnet_link_get(run->tnl, 0, att->ifname, &li);
	if (r == 0)
		return cnet_errc(run->ctx, CNET_ERR_BUSY, -EEXIST, "interface '%s' already exists in %s",
				 att->ifname, att->target);
	if (r != -ENODEV)
		return r;
	/* The default routes --gw will replace, kept whole now, so that the
	 * pending record holds them before any is removed. */
	if ((att->has_gw4 || (att->dhcp && !(att->flags & CNET_ATTACH_NO_GW))) &&
	    (r = cnet_routes_save(run->tnl, AF_INET, 0, &run->replace)) < 0)
		return r;
	if (att->has_gw6 && (r = cnet_routes_save(run->tnl, AF_INET6, 0, &run->replace)) < 0)
		return r;
	if (att->n_ips) {
		r = cnet_addr_each(run->tnl, 0, find_clash, &clash);
		if (r < 0)
			return r;
		if (clash.found)
			return cnet_errc(run->ctx, CNET_ERR_BUSY, -EADDRINUSE,
					 "address %s is already in use in %s", cnet_ip_str(&clash.hit, false, buf),
					 att->target);
	}

	switch (att->kind) {
	case CNET_KIND_MACVLAN:
	case CNET_KIND_VLAN:
		r = cnet_link_get(run->hnl, 0, att->parent, &run->parent);
		if (r < 0)
			return missing(run, r, "parent interface", att->parent, "");
		if (!(run->parent.flags & IFF_UP))
			return cnet_errc(run->ctx, CNET_ERR_MISSING, -ENETDOWN, "parent interface '%s' is down",
					 att->parent);
		if (att->kind == CNET_KIND_MACVLAN && att->vlan) {
			r = preflight_lower(run);
			if (r < 0)
				return r;
		}
		return check_mtu(run, run->parent.mtu, "parent", att->parent);
	case CNET_KIND_HOST_DEVICE:
		return preflight_host_device(run);
	case CNET_KIND_BOND:
		return cnet_bond_preflight(run);
	case CNET_KIND_SRIOV:
		r = cnet_sriov_preflight(run);
		if (r < 0 || run->pf.num == 0) /* a dry run that would create VFs */
			return r;
		return preflight_host_device(run);
	case CNET_KIND_VETH:
		r = cnet_link_get(run->hnl, 0, att->bridge, &run->parent);
		if (r == -ENODEV && att->create_bridge) {
			run->make_bridge = true;
			run->parent.mtu = 1500; /* a new, empty bridge's MTU */
			/* Chosen now, so the pending record can name the bridge. */
			if (getrandom(run->bridge_mac, 6, 0) != 6)
				return cnet_err(run->ctx, -EIO, "cannot get random bytes");
			/* Unicast, locally administered, and never fe:, which
			 * the veth host ends use. */
			run->bridge_mac[0] = (run->bridge_mac[0] & 0xf0) | 0x02;
		} else if (r < 0) {
			return missing(run, r, "bridge", att->bridge, " (--create-bridge creates it)");
		} else if (strcmp(run->parent.kind, "bridge")) {
			return cnet_errc(run->ctx, CNET_ERR_INVALID, -EINVAL, "'%s' is not a Linux bridge",
					 att->bridge);
		} else if (!(run->parent.flags & IFF_UP)) {
			return cnet_errc(run->ctx, CNET_ERR_MISSING, -ENETDOWN, "bridge '%s' is down",
					 att->bridge);
		}
		r = cnet_link_get(run->hnl, 0, run->host_name, &li);
		if (r == 0)
			return cnet_errc(run->ctx, CNET_ERR_BUSY, -EEXIST,
					 "host interface '%s' already exists", run->host_name);
		if (r != -ENODEV)
			return r;
		return check_mtu(run, run->parent.mtu, "bridge", att->bridge);
	}
	return -EINVAL;
}

/* ---- plan: the human-readable steps, for dry runs and results --------- */

static void plan(struct run *run, struct cnet_result *res)
{
	struct cnet_attach *att = run->att;
	char buf[CNET_IPSTRLEN * 2 + 2];
	const char *l3 = att->kind == CNET_KIND_BOND && att->vlan && !att->vlan_hw ? att->vlan_ifname
										       : att->ifname;

	switch (att->kind) {
	case CNET_KIND_MACVLAN:
		if (run->make_lower)
			cnet_result_add_action(res, "create VLAN %d on %s as %s on the host", att->vlan,
					       att->parent, run->lower);
		cnet_result_add_action(res, "create macvlan %s on %s (mode %s) in %s", att->ifname,
				   att->vlan ? run->lower : att->parent,
				   cnet_macvlan_mode_to_string(att->mode), att->target);
		break;
	case CNET_KIND_VLAN:
		cnet_result_add_action(res, "create VLAN %d on %s as %s in %s", att->vlan, att->parent,
				       att->ifname, att->target);
		break;
	case CNET_KIND_BOND:
		cnet_bond_warn(run, res);
		for (size_t i = 0; i < att->n_slaves; i++)
			cnet_result_add_action(res, "attach slave %s as %ss%zu", att->slaves[i], att->ifname, i);
		cnet_result_add_action(res, "create bond %s (%s) in %s and enslave them", att->ifname,
				       cnet_bond_mode_to_string(att->bond.mode), att->target);
		if (att->vlan && att->vlan_hw)
			cnet_result_add_action(res, "VLAN %d: set by the PF on each VF slave", att->vlan);
		else if (att->vlan)
			cnet_result_add_action(res, "create VLAN %d on %s as %s in %s", att->vlan,
					       att->ifname, l3, att->target);
		break;
	case CNET_KIND_HOST_DEVICE:
		cnet_result_add_action(res, "move %s into %s as %s", att->dev, att->target, att->ifname);
		break;
	case CNET_KIND_SRIOV:
		cnet_sriov_plan(run, res);
		cnet_result_add_action(res, "move the VF into %s as %s", att->target, att->ifname);
		break;
	case CNET_KIND_VETH:
		if (run->make_bridge)
			cnet_result_add_action(res, "create bridge %s", att->bridge);
		cnet_result_add_action(res, "create veth %s on bridge %s, peer %s in %s", run->host_name,
				   att->bridge, att->ifname, att->target);
		break;
	}
	if (att->mtu)
		cnet_result_add_action(res, "set MTU %u on %s", att->mtu, att->ifname);
	if (att->has_mac) {
		cnet_mac_str(att->mac, buf);
		cnet_result_add_action(res, "set MAC %s on %s", buf, att->ifname);
	}
	if (att->dhcp)
		cnet_result_add_action(res, "get an IPv4 lease by DHCP on %s (waiting up to %.1f s)%s", l3,
				       att->dhcp_timeout_ms / 1000.0,
				       att->flags & CNET_ATTACH_NO_GW ? "" : ", its router the default route");
	for (size_t i = 0; i < att->n_ips; i++)
		cnet_result_add_action(res, "add address %s to %s", cnet_ip_str(&att->ips[i], true, buf),
				   l3);
	for (size_t i = 0; i < att->n_routes; i++) {
		const struct cnet_route *rt = &att->routes[i];
		cnet_ip_str(&rt->dst, true, buf);
		if (rt->has_via) {
			strcat(buf, " via ");
			cnet_ip_str(&rt->via, false, buf + strlen(buf));
		}
		cnet_result_add_action(res, "add route %s dev %s", buf, l3);
	}
	if (att->has_gw4)
		cnet_result_add_action(res, "set the IPv4 default route via %s dev %s",
				   cnet_ip_str(&att->gw4, false, buf), l3);
	if (att->has_gw6)
		cnet_result_add_action(res, "set the IPv6 default route via %s dev %s",
				   cnet_ip_str(&att->gw6, false, buf), l3);
	cnet_result_add_action(res, "record the attachment in %s", run->ctx->state_path);
}

/* ---- execution ---------------------------------------------------------- */

/* The MAC a new interface is born with: asked for, or, on reapply, the
 * one it had before (so neighbours' caches stay right), else the kernel's. */
static const unsigned char *new_mac(const struct cnet_attach *att)
{
	return att->has_mac ? att->mac : att->has_mac_hint ? att->mac_hint : NULL;
}

/* macvlan --vlan: the host's PARENT.VID, made up and marked as cnet's. */
static int make_lower(struct run *run)
{
	struct cnet_attach *att = run->att;
	struct cnet_vlan_opts o = {.name = run->lower, .parent = run->parent.ifindex,
				   .vid = (unsigned int)att->vlan, .proto = att->vlan_proto,
				   .ns_fd = -1};
	struct cnet_link_change up = {.ns_fd = -1, .up = 1, .alias = run->alias};
	struct cnet_linkinfo li;
	struct nl_msg *msg;
	char what[64];
	int r;

	r = cnet_link_build_vlan(run->ctx, &o, &msg);
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "create VLAN %d on '%s'", att->vlan, att->parent);
	r = cnet_nl_talk(run->hnl, msg, what);
	if (r < 0)
		return r;
	run->made_lower = true;
	r = cnet_link_get(run->hnl, 0, run->lower, &li);
	if (r < 0)
		return r == -ENODEV ? cnet_err(run->ctx, r, "the new '%s' vanished", run->lower) : r;
	run->lower_ifindex = li.ifindex;
	run->parent = li;
	up.ifindex = li.ifindex;
	snprintf(what, sizeof(what), "bring '%s' up", run->lower);
	return cnet_link_change(run->hnl, &up, what);
}

static int create_or_move(struct run *run)
{
	struct cnet_attach *att = run->att;
	struct nl_msg *msg;
	char what[96];
	int r;

	switch (att->kind) {
	case CNET_KIND_BOND:
		r = cnet_bond_create(run);
		if (r < 0)
			return r;
		break;
	case CNET_KIND_VLAN: {
		struct cnet_vlan_opts o = {
			.name = run->tmp_name, .parent = run->parent.ifindex, .vid = (unsigned int)att->vlan,
			.proto = att->vlan_proto, .ns_fd = run->t.fd, .mtu = att->mtu, .mac = new_mac(att),
		};
		r = cnet_link_build_vlan(run->ctx, &o, &msg);
		if (r < 0)
			return r;
		snprintf(what, sizeof(what), "create VLAN %d on '%s'", att->vlan, att->parent);
		r = cnet_nl_talk(run->hnl, msg, what);
		if (r == -EEXIST) {
			cnet_clear_err(run->ctx);
			return cnet_errc(run->ctx, CNET_ERR_BUSY, r,
					 "'%s' already has a VLAN %d subinterface (here or in another namespace)",
					 att->parent, att->vlan);
		}
		if (r < 0)
			return r;
		run->created = true;
		break;
	}
	case CNET_KIND_MACVLAN: {
		if (run->make_lower) {
			r = make_lower(run);
			if (r < 0)
				return r;
		}
		struct cnet_macvlan_opts o = {
			.name = run->tmp_name, .parent = run->parent.ifindex, .mode = att->mode,
			.ns_fd = run->t.fd, .mtu = att->mtu, .mac = new_mac(att),
			.alias = run->alias,
		};
		r = cnet_link_build_macvlan(run->ctx, &o, &msg);
		if (r < 0)
			return r;
		snprintf(what, sizeof(what), "create macvlan on '%s'", att->parent);
		r = cnet_nl_talk(run->hnl, msg, what);
		if (r < 0)
			return r;
		run->created = true;
		break;
	}
	case CNET_KIND_VETH: {
		struct cnet_link_change hc = {.ns_fd = -1, .up = -1};
		struct cnet_linkinfo host;
		unsigned char host_mac[6];
		struct cnet_veth_opts o = {
			.host_name = run->host_name, .peer_name = run->tmp_name, .alias = run->alias,
			.peer_ns_fd = run->t.fd, .host_mtu = run->parent.mtu,
			.peer_mtu = att->mtu ? att->mtu : run->parent.mtu, .host_mac = host_mac,
			.peer_mac = new_mac(att),
		};
		if (run->make_bridge) {
			struct cnet_linkinfo br;
			r = cnet_link_build_bridge(run->ctx, att->bridge, run->bridge_mac, &msg);
			if (r < 0)
				return r;
			snprintf(what, sizeof(what), "create bridge '%s'", att->bridge);
			r = cnet_nl_talk(run->hnl, msg, what);
			if (r < 0)
				return r;
			run->made_bridge = true;
			r = cnet_link_get(run->hnl, 0, att->bridge, &br);
			if (r < 0)
				return missing(run, r, "new bridge", att->bridge, "");
			run->parent.ifindex = br.ifindex;
		}
		/* A bridge without a set MAC takes its ports' lowest; a host end
		 * starting with 0xfe can never be it, so the bridge's address
		 * does not change as containers come and go. */
		if (getrandom(host_mac + 1, 5, 0) != 5)
			return cnet_err(run->ctx, -EIO, "cannot get random bytes");
		/* cppcheck-suppress unreadVariable ; read through o.host_mac */
		host_mac[0] = 0xfe;
		o.master = run->parent.ifindex;
		r = cnet_link_build_veth(run->ctx, &o, &msg);
		if (r < 0)
			return r;
		snprintf(what, sizeof(what), "create veth '%s'", run->host_name);
		r = cnet_nl_talk(run->hnl, msg, what);
		if (r < 0)
			return r;
		run->created = true;
		/* Mark the host end too, so a crash's leftover is recognisable. */
		r = cnet_link_get(run->hnl, 0, run->host_name, &host);
		if (r < 0)
			return r == -ENODEV ? cnet_err(run->ctx, r, "the new veth '%s' vanished",
						       run->host_name) : r;
		hc.ifindex = host.ifindex;
		hc.alias = run->alias;
		r = cnet_link_change(run->hnl, &hc, "mark the host end");
		if (r < 0)
			return r;
		break;
	}
	case CNET_KIND_SRIOV:
		r = cnet_sriov_apply(run);
		if (r < 0)
			return r;
		/* the VF's netdev moves like a host device */
		__attribute__((fallthrough));
	case CNET_KIND_HOST_DEVICE: {
		struct cnet_link_change c = {
			.ifindex = run->dev.ifindex, .name = run->tmp_name, .ns_fd = run->t.fd, .up = -1,
		};
		snprintf(what, sizeof(what), "move '%s' into %s", att->dev, att->target);
		r = cnet_link_change(run->hnl, &c, what);
		if (r < 0)
			return r;
		run->moved = true;
		/* Found by what the container cannot forge, never by the name
		 * it arrived under: the container may rename it at once. */
		r = cnet_devid_find(run->hnl, run->tnl, run->t.fd, &run->devid, &run->link);
		if (r == -ENODEV)
			return cnet_err(run->ctx, r, "'%s' vanished from %s after the move", att->dev,
					att->target);
		return r;
	}
	}
	r = cnet_link_get(run->tnl, 0, run->tmp_name, &run->link);
	if (r < 0)
		return r == -ENODEV ? cnet_err(run->ctx, r, "the new interface vanished from %s",
					       att->target)
				    : r;
	return 0;
}

struct prep {
	const char *ifname;
	bool v4, v6;
};

static int prepare_in_netns(struct cnet_ctx *ctx, void *arg)
{
	struct prep *p = arg;

	return cnet_iface_prepare(ctx, p->ifname, p->v4, p->v6);
}

static int set_default(struct run *run, const struct cnet_ip *gw, int oif)
{
	struct cnet_rt rt = {.family = gw->family, .has_gw = true, .gw = *gw};
	char what[CNET_IPSTRLEN + 48], buf[CNET_IPSTRLEN];
	int r;

	/* "Replace" means the container ends with exactly one default route of
	 * this family, ours. The ones to remove were saved whole before
	 * anything changed (they are in the pending record); those removed
	 * are what rollback puts back. */
	/* (each copy is kept in run->saved, freed with it) */
	for (size_t i = 0; i < run->replace.n; i++) { /* NOLINT(clang-analyzer-unix.Malloc) */
		const struct nlmsghdr *h = run->replace.msg[i];
		struct nlmsghdr *copy;
		if (((const struct rtmsg *)NLMSG_DATA(h))->rtm_family != gw->family)
			continue;
		r = cnet_route_replay(run->tnl, h, false, 0, 0, "remove the old default route");
		if (r < 0)
			return r;
		copy = malloc(h->nlmsg_len);
		if (!copy)
			return cnet_err(run->ctx, -ENOMEM, "out of memory");
		memcpy(copy, h, h->nlmsg_len);
		run->saved.msg[run->saved.n++] = copy;
	}
	rt.dst.family = gw->family;
	rt.oif = oif;
	snprintf(what, sizeof(what), "add default route via %s", cnet_ip_str(gw, false, buf));
	return cnet_route_add(run->tnl, &rt, what);
}

/* --ip dhcp: a lease for the interface l3 (up, named), its address
 * installed with the lease's lifetime: if nothing renews it, the kernel
 * drops it when the lease ends instead of keeping an address the server
 * may give to another. */
static int dhcp_bind(struct run *run, int l3)
{
	struct cnet_attach *att = run->att;
	struct cnet_dhcp_client c = {.ctx = run->ctx, .ns_fd = run->t.fd, .hostname = att->hostname,
				     .timeout_ms = att->dhcp_timeout_ms};
	struct cnet_linkinfo li;
	int r;

	r = cnet_link_get(run->tnl, l3, NULL, &li);
	if (r < 0)
		return r;
	snprintf(c.ifname, sizeof(c.ifname), "%s", li.name);
	memcpy(c.mac, li.mac, 6);
	if (!att->client_id_len)
		cnet_dhcp_client_id(att->client_id, &att->client_id_len);
	c.client_id = att->client_id;
	c.client_id_len = att->client_id_len;
	r = cnet_dhcp_acquire(&c, att->dhcp_prev, &run->lease);
	if (r < 0)
		return r;
	run->leased = true;
	r = cnet_lease_install(run->tnl, l3, &run->lease);
	if (r == 0 && att->resolv_conf[0])
		r = cnet_lease_write_resolv(run->ctx, &run->t, att->resolv_conf, li.name, &run->lease);
	return r;
}

static int configure(struct run *run)
{
	struct cnet_attach *att = run->att;
	bool nodad = att->flags & CNET_ATTACH_NO_DAD;
	struct cnet_link_change c = {.ifindex = run->link.ifindex, .name = att->ifname, .ns_fd = -1,
				     .up = att->as_slave ? -1 : 1};
	struct prep prep = {.ifname = run->tmp_name};
	char what[CNET_IPSTRLEN * 2 + 48], buf[CNET_IPSTRLEN];
	struct cnet_linkinfo now;
	bool bond_vlan = att->kind == CNET_KIND_BOND && att->vlan && !att->vlan_hw;
	int l3 = run->link.ifindex; /* where addresses and routes go */
	const char *l3_name = att->ifname;
	int r;

	if (bond_vlan) {
		r = cnet_bond_up_vlan(run, &l3);
		if (r < 0)
			return r;
		prep.ifname = run->vlan_tmp;
		c.ifindex = l3;
		c.name = l3_name = att->vlan_ifname;
	}

	/* Addresses go on while the link is still down under its temporary
	 * name, so that bringing it up makes the kernel announce them
	 * (arp_notify); the sysctls follow the device through the rename. */
	for (size_t i = 0; i < att->n_ips; i++) {
		prep.v4 |= att->ips[i].family == AF_INET;
		prep.v6 |= att->ips[i].family == AF_INET6;
	}
	prep.v4 |= att->dhcp;
	if (prep.v4 || prep.v6) {
		r = cnet_in_netns(run->ctx, run->t.fd, prepare_in_netns, &prep);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < att->n_ips; i++) {
		r = cnet_addr_add(run->tnl, l3, &att->ips[i], nodad);
		if (r < 0)
			return r;
	}

	/* One request names it, marks it and brings it up. Moved devices take
	 * MTU and MAC here too; created ones had them at birth (the kernel
	 * ignores IFLA_IFALIAS on create, hence the mark here). */
	if (att->kind == CNET_KIND_BOND && !bond_vlan) {
		c.mtu = att->mtu; /* the bond's, passed on to its slaves */
		c.mac = att->has_mac ? att->mac : NULL;
		c.alias = run->alias;
	} else if (cnet_kind_moves(att->kind)) {
		c.mtu = att->mtu;
		/* A VF takes its MAC from the PF (set there already); its
		 * driver may refuse a netdev-side change: see below. */
		c.mac = att->has_mac && att->kind != CNET_KIND_SRIOV ? att->mac : NULL;
	} else {
		c.alias = run->alias; /* created ones; a bond's VLAN (the bond has its own) */
	}
	snprintf(what, sizeof(what), "name '%s' and bring it up in %s", l3_name, att->target);
	r = cnet_link_change(run->tnl, &c, what);
	/* Reapply after a restart gives a macvlan the MAC it had; until the
	 * kernel has finished destroying the old namespace, the old macvlan
	 * still holds it on the same parent (EADDRINUSE). Wait for that,
	 * bounded, rather than fail the repair. */
	for (int i = 0; r == -EADDRINUSE && att->has_mac_hint && !att->has_mac && i < 100; i++) {
		nanosleep(&(struct timespec){0, 20 * 1000000L}, NULL);
		cnet_clear_err(run->ctx);
		r = cnet_link_change(run->tnl, &c, what);
	}
	if (r < 0)
		return r;
	if (bond_vlan) {
		snprintf(run->vlan.name, sizeof(run->vlan.name), "%s", l3_name);
	} else {
		snprintf(run->link.name, sizeof(run->link.name), "%s", att->ifname);
		if (c.mtu)
			run->link.mtu = c.mtu;
		if (c.mac)
			memcpy(run->link.mac, c.mac, 6);
	}
	if (att->kind == CNET_KIND_SRIOV && att->has_mac) {
		r = cnet_sriov_netdev_mac(run);
		if (r < 0)
			return r;
	} else if (att->kind == CNET_KIND_SRIOV) {
		/* A VF driver may take the PF's MAC for it only when opened. */
		r = cnet_link_get(run->tnl, run->link.ifindex, NULL, &now);
		if (r < 0)
			return r;
		memcpy(run->link.mac, now.mac, 6);
	}

	/* DHCP once the link is up: its lease, then routes as for a static
	 * address, then the server's router as the default route. */
	if (att->dhcp) {
		r = dhcp_bind(run, l3);
		if (r == 0 && att->kind == CNET_KIND_BOND)
			r = cnet_bond_arp_router(run);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < att->n_routes; i++) {
		const struct cnet_route *sp = &att->routes[i];
		struct cnet_rt rt = {.family = sp->dst.family, .dst = sp->dst, .has_gw = sp->has_via,
				     .gw = sp->via, .oif = l3};
		snprintf(what, sizeof(what), "add route %s", cnet_ip_str(&sp->dst, true, buf));
		r = cnet_route_add(run->tnl, &rt, what);
		if (r < 0)
			return r;
	}
	if (att->has_gw4 && (r = set_default(run, &att->gw4, l3)) < 0)
		return r;
	if (run->leased && run->lease.has_router && !(att->flags & CNET_ATTACH_NO_GW)) {
		struct cnet_ip gw = {.family = AF_INET};
		memcpy(gw.a, &run->lease.router, 4);
		r = set_default(run, &gw, l3);
		if (r < 0)
			return r;
	}
	if (att->has_gw6 && (r = set_default(run, &att->gw6, l3)) < 0)
		return r;
	if (!prep.v6 || nodad)
		return 0;
	/* DAD needs carrier; without it the addresses stay tentative. Read into
	 * a copy: run->link must survive a failure here for rollback. */
	r = cnet_link_get(run->tnl, l3, NULL, &now);
	if (r < 0)
		return cnet_err(run->ctx, r, "cannot read back '%s' in %s", l3_name, att->target);
	if (!(now.flags & IFF_LOWER_UP)) {
		cnet_result_add_warning(run->res,
					"%s has no carrier: IPv6 addresses stay tentative until it does",
					l3_name);
		return 0;
	}
	return cnet_addr_wait_dad(run->tnl, l3, DAD_TIMEOUT_MS);
}

/* A lease got by an attach that then failed goes back to the server. */
static void lease_give_back(struct run *run)
{
	struct cnet_dhcp_client c = {.ctx = run->ctx, .ns_fd = run->t.fd};
	struct cnet_linkinfo li;
	int l3 = run->vlan.ifindex > 0 ? run->vlan.ifindex : run->link.ifindex;

	if (cnet_link_get(run->tnl, l3, NULL, &li) < 0)
		return;
	snprintf(c.ifname, sizeof(c.ifname), "%s", li.name);
	memcpy(c.mac, li.mac, 6);
	c.client_id = run->att->client_id;
	c.client_id_len = run->att->client_id_len;
	cnet_dhcp_release(&c, &run->lease);
}

/* Undo, newest first. Errors here are logged, not returned: the first
 * failure's message and class are what the caller needs, whatever the undo
 * steps (detach's, for a bond's slaves) record or clear. A step that failed
 * right after creating or moving something may not know its ifindex yet:
 * the temporary name is unique, so find it by that. */
static void rollback(struct run *run)
{
	struct cnet_ctx *ctx = run->ctx;
	size_t n_addrs = run->n_dev_addrs < ARRAY_SIZE(run->dev_addrs) ? run->n_dev_addrs
								   : ARRAY_SIZE(run->dev_addrs);
	struct cnet_err_saved first;
	struct cnet_linkinfo li;

	cnet_err_save(ctx, &first);
	if (run->created && run->link.ifindex <= 0 &&
	    cnet_link_get(run->tnl, 0, run->tmp_name, &li) == 0)
		run->link.ifindex = li.ifindex;
	/* A moved device, only by its identity: whatever else answers to its
	 * name or ifindex in the container is never taken to the host. */
	if (run->moved)
		run->link.ifindex = cnet_devid_find(run->hnl, run->tnl, run->t.fd, &run->devid, &li) == 0
					    ? li.ifindex
					    : 0;
	if (run->leased)
		lease_give_back(run);
	if (run->created && run->link.ifindex > 0)
		cnet_link_del(run->tnl, run->link.ifindex, "remove the new interface");
	if (run->created && run->att->kind == CNET_KIND_VETH)
		cnet_link_del_by_name(run->hnl, run->host_name); /* gone with its peer, normally */
	if (run->moved && run->link.ifindex > 0) {
		/* A VF's MAC comes back with its PF settings (rollback of those,
		 * below): the driver may refuse it on the netdev before. */
		struct cnet_linkinfo dev = run->dev;
		dev.has_mac = dev.has_mac && run->att->kind != CNET_KIND_SRIOV;
		cnet_restore_device(ctx, run->tnl, run->hnl, run->link.ifindex, &dev, run->dev_addrs,
				    n_addrs, &run->dev_routes, NULL);
	}
	/* The old default routes go back once ours has gone with the link:
	 * while it is there, the kernel refuses them as duplicates. */
	for (size_t i = 0; i < run->saved.n; i++)
		cnet_route_replay(run->tnl, run->saved.msg[i], true, 0, 0,
				  "restore the old default route");
	if (run->made_bridge)
		cnet_link_del_by_name(run->hnl, run->att->bridge);
	/* Never by run->parent: until the new one was found, that is the
	 * host's own interface. */
	if (run->made_lower && run->lower_ifindex > 0)
		cnet_link_del(run->hnl, run->lower_ifindex, "remove the VLAN subinterface");
	else if (run->made_lower)
		cnet_link_del_by_name(run->hnl, run->lower);
	if (run->att->kind == CNET_KIND_SRIOV)
		cnet_sriov_rollback(run);
	if (run->att->kind == CNET_KIND_BOND)
		cnet_bond_rollback(run);
	cnet_err_restore(ctx, &first);
}

/* ---- the record ---------------------------------------------------------- */

/* The record: pending (written before the kernel is touched, with what
 * undo needs to find and reverse any step) or final. */
static cJSON *make_record(struct run *run, cJSON *options, bool pending)
{
	struct cnet_attach *att = run->att;
	char buf[CNET_IPSTRLEN], tbuf[32];
	cJSON *rec = cJSON_CreateObject(), *o, *a;
	struct tm tm;
	time_t now = time(NULL);

	if (!rec) {
		cJSON_Delete(options);
		return NULL;
	}
	cJSON_AddStringToObject(rec, "id", run->id);
	cJSON_AddStringToObject(rec, "target", att->target);
	cJSON_AddStringToObject(rec, "runtime", run->t.runtime);
	o = cJSON_AddObjectToObject(rec, "netns");
	cJSON_AddNumberToObject(o, "dev", (double)run->t.dev);
	cJSON_AddNumberToObject(o, "ino", (double)run->t.ino);
	if (run->t.cookie)
		cJSON_AddNumberToObject(o, "cookie", (double)run->t.cookie);
	if (run->t.pid && run->t.by_pid) {
		cJSON_AddNumberToObject(o, "pid", run->t.pid);
		cJSON_AddNumberToObject(o, "pid_start", (double)run->t.start_time);
	}
	if (*run->t.container_id)
		cJSON_AddStringToObject(o, "container_id", run->t.container_id);
	cJSON_AddStringToObject(rec, "kind", cnet_kind_to_string(att->kind));
	cJSON_AddStringToObject(rec, "ifname", att->ifname);
	cJSON_AddItemToObject(rec, "options", options);
	if (pending) {
		cJSON_AddBoolToObject(rec, "pending", true);
	} else {
		o = cJSON_AddObjectToObject(rec, "link");
		cJSON_AddNumberToObject(o, "ifindex", run->link.ifindex);
		cnet_mac_str(run->link.mac, buf);
		cJSON_AddStringToObject(o, "mac", buf);
		cJSON_AddNumberToObject(o, "mtu", run->link.mtu);
	}
	if (att->kind == CNET_KIND_VETH) {
		o = cJSON_AddObjectToObject(rec, "host");
		cJSON_AddStringToObject(o, "ifname", run->host_name);
		cJSON_AddStringToObject(o, "bridge", att->bridge);
		/* Pending: the intent, since a crash may come right after. */
		cJSON_AddBoolToObject(o, "created_bridge", pending ? run->make_bridge : run->made_bridge);
		if (run->make_bridge) {
			/* What tells this bridge from another of the same name. */
			cnet_mac_str(run->bridge_mac, buf);
			cJSON_AddStringToObject(o, "bridge_mac", buf);
			if (!pending)
				cJSON_AddNumberToObject(o, "bridge_ifindex", run->parent.ifindex);
		}
	}
	if (att->kind == CNET_KIND_SRIOV)
		cnet_sriov_record(run, rec, pending);
	if (att->kind == CNET_KIND_BOND && !pending)
		cnet_bond_record(run, rec);
	if (att->slave_of[0])
		cJSON_AddStringToObject(rec, "slave_of", att->slave_of);
	if (att->dhcp)
		cnet_dhcp_record(att, rec, pending || !run->leased ? NULL : &run->lease);
	if (att->kind == CNET_KIND_MACVLAN && att->vlan) {
		o = cJSON_AddObjectToObject(rec, "host");
		cJSON_AddStringToObject(o, "vlan_dev", run->lower);
		/* Pending: the intent, since a crash may come right after. */
		cJSON_AddBoolToObject(o, "created_vlan_dev", pending ? run->make_lower : run->made_lower);
		if (!pending && run->made_lower)
			cJSON_AddNumberToObject(o, "vlan_dev_ifindex", run->lower_ifindex);
	}
	if (cnet_kind_moves(att->kind)) {
		o = cJSON_AddObjectToObject(rec, "restore");
		cJSON_AddStringToObject(o, "name", run->dev.name);
		cJSON_AddNumberToObject(o, "ifindex", run->dev.ifindex);
		cJSON_AddNumberToObject(o, "mtu", run->dev.mtu);
		cnet_mac_str(run->dev.mac, buf);
		cJSON_AddStringToObject(o, "mac", buf);
		cJSON_AddBoolToObject(o, "up", (run->dev.flags & IFF_UP) != 0);
		cnet_devid_to_json(&run->devid, o);
		a = cJSON_AddArrayToObject(o, "addresses");
		for (size_t i = 0; a && i < run->n_dev_addrs; i++)
			cJSON_AddItemToArray(a, cJSON_CreateString(cnet_ip_str(&run->dev_addrs[i], true, buf)));
		a = cJSON_AddArrayToObject(o, "routes");
		for (size_t i = 0; a && i < run->dev_routes.n; i++)
			cJSON_AddItemToArray(a, cnet_route_to_json(run->dev_routes.msg[i]));
	}
	{
		const struct cnet_routes *rs = pending ? &run->replace : &run->saved;
		if (rs->n) {
			a = cJSON_AddArrayToObject(rec, "replaced_routes");
			for (size_t i = 0; a && i < rs->n; i++)
				cJSON_AddItemToArray(a, cnet_route_to_json(rs->msg[i]));
		}
	}
	gmtime_r(&now, &tm);
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(rec, "created", tbuf);
	return rec;
}

/* The record for this namespace and name, if any (its index in *idx). */
static cJSON *find_record(struct run *run, int *idx)
{
	cJSON *rec;
	int i = 0;

	cJSON_ArrayForEach(rec, run->st->records)
	{
		if (cnet_record_in_netns(rec, &run->t) &&
		    !strcmp(cnet_json_str(rec, "ifname"), run->att->ifname)) {
			*idx = i;
			return rec;
		}
		i++;
	}
	return NULL;
}

/* Is what the record created still there, by ifindex and cnet's alias? */
static bool record_live(struct run *run, const cJSON *rec)
{
	struct cnet_linkinfo li;
	char alias[32];
	int ifindex = (int)cnet_json_int(cJSON_GetObjectItemCaseSensitive(rec, "link"), "ifindex", 1,
					 INT32_MAX, 0);

	if (cnet_kind_moves(run->att->kind)) {
		/* moved devices carry no alias of ours: their identity instead */
		struct cnet_devid id;
		return cnet_devid_from_json(cJSON_GetObjectItemCaseSensitive(rec, "restore"), &id) &&
		       cnet_devid_find(run->hnl, run->tnl, run->t.fd, &id, &li) == 0 &&
		       li.ifindex == ifindex && !strcmp(li.name, run->att->ifname);
	}
	if (ifindex <= 0 || cnet_link_get(run->tnl, ifindex, NULL, &li) < 0)
		return false;
	if (strcmp(li.name, run->att->ifname))
		return false;
	snprintf(alias, sizeof(alias), "cnet:%s", cnet_json_str(rec, "id"));
	return !strcmp(li.alias, alias);
}

/* --replace: undo the attachment that holds the name, attach as asked; if
 * that fails, put the old one back as it was recorded (best effort). */
static int replace(struct run *run, cJSON *existing, cJSON *options)
{
	struct cnet_ctx *ctx = run->ctx;
	struct cnet_attach *old_att = cnet_attach_from_record(ctx, existing);
	unsigned int flags = run->att->flags;
	cJSON *old;
	int r;

	cJSON_Delete(options); /* the new attach builds its own */
	if (!old_att)
		return -EBADMSG;
	cnet_result_add_action(run->res, "replace %s %s in %s", cnet_json_str(existing, "kind"),
			       run->att->ifname, run->att->target);
	if (flags & CNET_ATTACH_DRY_RUN) {
		run->res->changed = true;
		cnet_attach_free(old_att);
		return 0;
	}
	r = cnet_record_undo(ctx, run->res, run->st, &run->t, run->hnl, run->tnl, existing);
	if (r < 0)
		goto out;
	old = cJSON_DetachItemViaPointer(run->st->records, existing);
	r = cnet_store_save(ctx, run->st);
	if (r == 0) {
		run->att->flags &= ~CNET_ATTACH_REPLACE;
		r = cnet_attach_locked(ctx, run->att, run->st, run->res);
		run->att->flags = flags;
	}
	if (r < 0) {
		struct cnet_err_saved first;
		struct cnet_result *sub;

		cnet_err_save(ctx, &first);
		if (cnet_result_new(ctx, &sub) == 0) {
			if (cnet_attach_locked(ctx, old_att, run->st, sub) < 0)
				cnet_result_add_warning(run->res, "the previous attachment could not be restored: %s",
							ctx->errmsg);
			cnet_result_free(sub);
		}
		cnet_err_restore(ctx, &first);
	}
	cJSON_Delete(old);
out:
	cnet_attach_free(old_att);
	return r;
}

int cnet_attach_locked(struct cnet_ctx *ctx, struct cnet_attach *att, struct cnet_store *st,
		       struct cnet_result *res)
{
	struct run run = {.ctx = ctx, .att = att, .t = {.fd = -1, .proc_fd = -1}, .st = st,
			  .res = res, .pf_lock_fd = -1};
	cJSON *options = NULL, *existing, *rec, *pending;
	const char *why;
	int r, idx = -1;

	r = check_static(&run);
	if (r < 0)
		goto out;
	r = cnet_target_resolve_as(ctx, att->target, att->runtime, &run.t);
	if (r < 0)
		goto out;
	/* reapply: never another process that has taken the recorded PID,
	 * nor another container that has taken the recorded name */
	why = cnet_target_other(&run.t, att->pid_start, att->container_id);
	if (why) {
		r = cnet_errc(ctx, CNET_ERR_TARGET, -ESRCH, "%s: %s", att->target, why);
		goto out;
	}
	r = cnet_nl_open(ctx, -1, &run.hnl);
	if (r < 0)
		goto out;
	r = cnet_nl_open(ctx, run.t.fd, &run.tnl);
	if (r < 0)
		goto out;
	run.t.cookie = cnet_nl_netns_cookie(run.tnl);
	options = options_json(att);
	if (!options) {
		r = cnet_err(ctx, -ENOMEM, "out of memory");
		goto out;
	}

	existing = find_record(&run, &idx);
	if (existing && record_live(&run, existing)) {
		if (!cJSON_Compare(cJSON_GetObjectItemCaseSensitive(existing, "options"), options,
				   true) ||
		    strcmp(cnet_json_str(existing, "kind"), cnet_kind_to_string(att->kind))) {
			if (att->flags & CNET_ATTACH_REPLACE) {
				r = replace(&run, existing, options);
				options = NULL;
				goto out;
			}
			r = cnet_errc(ctx, CNET_ERR_BUSY, -EEXIST,
				      "%s in %s is already attached with other settings (detach it first, or --replace)",
				      att->ifname, att->target);
			goto out;
		}
		cnet_result_add_record(res, existing);
		cnet_result_add_action(res, "%s in %s is already attached as asked", att->ifname,
				       att->target);
		goto out;
	}
	/* A record whose interface is gone is stale (its namespace died, and
	 * its inode number may have been reused): attach anew, replace it.
	 * What it did is undone first, as detach would: what it lent (a
	 * device, a VF and its PF settings) is given back, and what it made
	 * on the host (a bridge, a PARENT.VID) and its lease are let go;
	 * dropping the record would lose how. */
	if (existing && !(att->flags & CNET_ATTACH_DRY_RUN)) {
		r = cnet_record_undo(ctx, res, st, &run.t, run.hnl, run.tnl, existing);
		if (r < 0)
			goto out;
		cJSON_DeleteItemFromArray(st->records, idx);
		existing = NULL;
		r = cnet_store_save(ctx, st);
		if (r < 0)
			goto out;
	}

	r = cnet_new_id(ctx, st, run.id);
	if (r < 0)
		goto out;
	snprintf(run.tmp_name, sizeof(run.tmp_name), "cn%s", run.id);
	snprintf(run.alias, sizeof(run.alias), "cnet:%s", run.id);
	if (att->kind == CNET_KIND_VETH) {
		if (att->host_ifname[0])
			strcpy(run.host_name, att->host_ifname);
		else
			snprintf(run.host_name, sizeof(run.host_name), "veth%s", run.id);
	}
	r = preflight(&run);
	if (r < 0)
		goto out;
	plan(&run, res);
	res->changed = true;
	if (att->flags & CNET_ATTACH_DRY_RUN)
		goto out;

	/* Crash consistency: the record goes to disk, pending, before the
	 * kernel is touched, so a cnet killed at any later moment leaves
	 * nothing that detach, gc or reapply cannot find and undo. */
	pending = make_record(&run, cJSON_Duplicate(options, true), true);
	if (!pending) {
		r = cnet_err(ctx, -ENOMEM, "out of memory");
		goto out;
	}
	if (existing) {
		cJSON_DeleteItemFromArray(st->records, idx);
		existing = NULL;
	}
	cJSON_AddItemToArray(st->records, pending);
	/* Atomic, its data synced (never an unsynced file renamed over the
	 * store), its directory not: the rename must survive a killed cnet,
	 * which the page cache does; after a power cut none of the kernel
	 * state it describes exists any more. The final record is durable. */
	{
		bool was = st->volatile_write;
		st->volatile_write = true;
		r = cnet_store_save(ctx, st);
		st->volatile_write = was;
	}
	if (r < 0) {
		cJSON_Delete(cJSON_DetachItemViaPointer(st->records, pending));
		goto out;
	}

	r = create_or_move(&run);
	if (r == 0)
		r = configure(&run);
	if (r == 0) {
		rec = make_record(&run, options, false);
		options = NULL; /* owned by rec, even when rec is NULL */
		if (!rec) {
			r = cnet_err(ctx, -ENOMEM, "out of memory");
		} else {
			cJSON_ReplaceItemViaPointer(st->records, pending, rec);
			pending = NULL;
			cnet_result_add_record(res, rec);
			/* In a batch (reapply) the next save writes it: until then
			 * the pending record on disk covers a crash. */
			r = st->batch ? 0 : cnet_store_save(ctx, st);
			if (r < 0)
				pending = rec; /* on disk it is still pending */
		}
	}
	if (r < 0) {
		rollback(&run);
		/* Undone: the record goes. If saving that fails too, it stays
		 * pending on disk, and detach or gc finds nothing to undo. */
		if (pending) {
			cJSON_Delete(cJSON_DetachItemViaPointer(st->records, pending));
			cnet_store_save(ctx, st);
		}
	}
out:
	cJSON_Delete(options);
	cnet_routes_free(&run.replace);
	cnet_routes_free(&run.saved);
	cnet_routes_free(&run.dev_routes);
	cnet_nl_close(run.tnl);
	cnet_nl_close(run.hnl);
	cnet_target_close(&run.t);
	if (run.pf_lock_fd >= 0)
		close(run.pf_lock_fd);
	return r;
}

static int sriov_prepare(struct cnet_ctx *ctx, struct cnet_attach *att)
{
	bool dry = att->flags & CNET_ATTACH_DRY_RUN;
	struct cnet_target t;
	struct cnet_nl *hnl;
	struct cnet_pf pf;
	int r = cnet_pf_find(ctx, att->pf, &pf);

	if (r < 0)
		return r;
	/* Creating VFs resets the PF: not for a target that is not there. */
	r = cnet_target_resolve_as(ctx, att->target, att->runtime, &t);
	cnet_target_close(&t);
	if (r < 0)
		return r;
	r = cnet_pf_lock(ctx, pf.pci, dry, &att->pf_lock_fd);
	if (r < 0 || pf.num || !att->vf_count || dry)
		return r;
	r = cnet_nl_open(ctx, -1, &hnl);
	if (r < 0)
		return r;
	att->made_vfs = true; /* from here on, a failure takes them away again */
	r = cnet_pf_create_vfs(ctx, hnl, &pf, att->vf_count);
	cnet_nl_close(hnl);
	return r;
}

/* An attach that created the PF's VFs and then failed removes them: the
 * PF had none, and its lock kept every other cnet from taking one. */
static void sriov_unprepare(struct cnet_ctx *ctx, struct cnet_attach *att)
{
	struct cnet_err_saved first;
	struct cnet_pf pf;

	cnet_err_save(ctx, &first);
	if (cnet_pf_find(ctx, att->pf, &pf) == 0 && pf.num)
		cnet_pf_write_numvfs(ctx, &pf, 0);
	cnet_err_restore(ctx, &first); /* the first failure's message stays */
}

CNET_EXPORT int cnet_attach(struct cnet_ctx *ctx, struct cnet_attach *att, struct cnet_result **out)
{
	struct cnet_store st = {.lock_fd = -1};
	struct cnet_result *res;
	int r;

	cnet_clear_err(ctx);
	/* Bad input is refused before any file or lock is touched. */
	{
		struct run check = {.ctx = ctx, .att = att};
		r = check_static(&check);
		if (r < 0)
			return r;
	}
	r = cnet_result_new(ctx, &res);
	if (r < 0)
		return r;
	/* Lock order: PF, then store. VFs are created (a PF reset, seconds)
	 * under the PF lock only, so other cnet commands are not held up. */
	if (att->kind == CNET_KIND_SRIOV)
		r = sriov_prepare(ctx, att);
	if (r == 0)
		r = cnet_store_open(ctx, &st, att->flags & CNET_ATTACH_DRY_RUN);
	if (r == 0)
		r = cnet_attach_locked(ctx, att, &st, res);
	cnet_store_close(&st);
	if (r < 0 && att->made_vfs)
		sriov_unprepare(ctx, att);
	if (att->pf_lock_fd >= 0)
		close(att->pf_lock_fd);
	att->pf_lock_fd = -1;
	if (r == 0 && out)
		*out = res;
	else
		cnet_result_free(res);
	return r;
}

/* ---- a description rebuilt from a record (reapply) ------------------------ */

static int each_string(struct cnet_attach *att, const cJSON *o, const char *key,
		       int (*set)(struct cnet_attach *, const char *))
{
	const cJSON *v;
	int r;

	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(o, key))
	{
		if (!cJSON_IsString(v))
			return cnet_errc(att->ctx, CNET_ERR_STORE, -EBADMSG, "record: '%s' holds a non-string",
					 key);
		r = set(att, v->valuestring);
		if (r < 0)
			return r;
	}
	return 0;
}

struct cnet_attach *cnet_attach_from_record(struct cnet_ctx *ctx, const cJSON *rec)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "options");
	const cJSON *link = cJSON_GetObjectItemCaseSensitive(rec, "link");
	const cJSON *ns;
	int kind = cnet_kind_from_string(cnet_json_str(rec, "kind"));
	struct cnet_attach *att = NULL;
	long long mtu;
	int r;

	if (kind < 0 || !cJSON_IsObject(o)) {
		cnet_errc(ctx, CNET_ERR_STORE, -EBADMSG, "record %s is malformed", cnet_json_str(rec, "id"));
		return NULL;
	}
	r = cnet_attach_new(ctx, cnet_json_str(rec, "target"), kind, &att);
	if (r == 0)
		r = cnet_attach_set_ifname(att, cnet_json_str(rec, "ifname"));
	if (r == 0)
		r = each_string(att, o, "ip", cnet_attach_add_ip);
	if (r == 0)
		r = each_string(att, o, "gw", cnet_attach_add_gateway);
	if (r == 0)
		r = each_string(att, o, "route", cnet_attach_add_route);
	mtu = cnet_json_int(o, "mtu", 68, 65535, 0);
	if (r == 0 && mtu)
		r = cnet_attach_set_mtu(att, (unsigned int)mtu);
	if (r == 0 && *cnet_json_str(o, "mac"))
		r = cnet_attach_set_mac(att, cnet_json_str(o, "mac"));
	if (r == 0 && (kind == CNET_KIND_MACVLAN || kind == CNET_KIND_VLAN)) {
		r = cnet_attach_set_parent(att, cnet_json_str(o, "parent"));
		if (r == 0 && kind == CNET_KIND_MACVLAN)
			r = cnet_attach_set_macvlan_mode(att, cnet_json_str(o, "mode"));
		if (r == 0 && cJSON_GetObjectItemCaseSensitive(o, "vlan"))
			r = cnet_attach_set_vlan(att, (unsigned int)cnet_json_int(o, "vlan", 1, 4094, 0), 0,
						 *cnet_json_str(o, "vlan_proto") ? cnet_json_str(o, "vlan_proto") : NULL);
	}
	if (r == 0 && kind == CNET_KIND_HOST_DEVICE) {
		r = cnet_attach_set_device(att, cnet_json_str(o, "dev"));
		/* It was moved once, knowingly: what it carried then went with
		 * it and came back; what it carries now is the host's again. */
	}
	if (r == 0 && kind == CNET_KIND_SRIOV)
		r = cnet_sriov_from_record(att, rec);
	if (r == 0 && kind == CNET_KIND_BOND)
		r = cnet_bond_from_record(att, rec);
	if (r == 0 && kind == CNET_KIND_VETH) {
		const cJSON *host = cJSON_GetObjectItemCaseSensitive(rec, "host");
		r = cnet_attach_set_bridge(att, cnet_json_str(o, "bridge"),
					   cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(host, "created_bridge")));
		if (r == 0 && *cnet_json_str(o, "host_ifname"))
			r = cnet_attach_set_host_ifname(att, cnet_json_str(o, "host_ifname"));
	}
	if (r == 0 && *cnet_json_str(o, "hostname"))
		r = cnet_attach_set_hostname(att, cnet_json_str(o, "hostname"));
	if (r == 0 && *cnet_json_str(o, "resolv_conf"))
		r = cnet_attach_set_resolv_conf(att, cnet_json_str(o, "resolv_conf"));
	if (r == 0 && cnet_json_int(o, "dhcp_timeout_ms", 100, 3600000, 0))
		r = cnet_attach_set_dhcp_timeout(att, (unsigned int)cnet_json_int(o, "dhcp_timeout_ms", 100,
										   3600000, 0));
	if (r == 0 && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "no_gw")))
		att->flags |= CNET_ATTACH_NO_GW;
	if (r == 0 && att->dhcp)
		cnet_dhcp_from_record(att, rec);
	if (r < 0) {
		cnet_attach_free(att);
		return NULL;
	}
	att->has_mac_hint = cnet_parse_mac(cnet_json_str(link, "mac"), att->mac_hint) == 0;
	att->runtime = cnet_runtime_name(cnet_json_str(rec, "runtime"));
	ns = cJSON_GetObjectItemCaseSensitive(rec, "netns");
	att->pid_start = (unsigned long long)cnet_json_int(ns, "pid_start", 1, 1LL << 53, 0);
	snprintf(att->container_id, sizeof(att->container_id), "%s", cnet_json_str(ns, "container_id"));
	return att;
}
