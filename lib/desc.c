/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The description of an attachment: what callers fill through setters,
 * checked before anything is touched, written into a record's "options"
 * and rebuilt from one. What only some kinds take goes through the kind's
 * table (kind.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "attach.h"

CNET_EXPORT int cnet_attach_new(struct cnet_ctx *ctx, const char *target, int kind,
				struct cnet_attach **out)
{
	const struct cnet_kind_ops *ops = cnet_kind_get(kind);
	struct cnet_attach *att;

	cnet_clear_err(ctx);
	if (!target || !*target)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "empty target");
	if (!ops)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "unknown attachment kind %d", kind);
	att = calloc(1, sizeof(*att));
	if (!att || !(att->target = strdup(target)) ||
	    (ops->opts_size && !(att->priv = calloc(1, ops->opts_size)))) {
		if (att)
			free(att->target);
		free(att);
		return cnet_err(ctx, -ENOMEM, "out of memory");
	}
	att->ctx = ctx;
	att->ops = ops;
	strcpy(att->ifname, "eth1");
	att->dhcp_timeout_ms = 10000;
	if (ops->init)
		ops->init(att);
	*out = att;
	return 0;
}

CNET_EXPORT void cnet_attach_free(struct cnet_attach *att)
{
	if (!att)
		return;
	cnet_attach_free(att->peer);
	free(att->priv);
	free(att->target);
	free(att);
}

/* A peer end: what the common request that names it and brings it up
 * sets is its mark; the rest is the engine's. */
const struct cnet_kind_ops cnet_peer_end_ops = {
	.name = "peer",
	.rename = CNET_SET_ALIAS,
};

CNET_EXPORT int cnet_attach_set_peer(struct cnet_attach *att, const char *target)
{
	int r = cnet_kind_accepts(att, CNET_OPT_PEER, "--peer");
	char *copy;

	if (r < 0)
		return r;
	if (!target || !*target)
		return cnet_attach_invalid(att, "empty peer target%s", "");
	copy = strdup(target);
	if (!copy)
		return cnet_err(att->ctx, -ENOMEM, "out of memory");
	if (!att->peer && !(att->peer = calloc(1, sizeof(*att->peer)))) {
		free(copy);
		return cnet_err(att->ctx, -ENOMEM, "out of memory");
	}
	free(att->peer->target);
	att->peer->target = copy;
	att->peer->ctx = att->ctx;
	att->peer->ops = &cnet_peer_end_ops;
	att->peer->is_peer = true;
	if (!att->peer->ifname[0])
		strcpy(att->peer->ifname, "eth1");
	return 0;
}

CNET_EXPORT struct cnet_attach *cnet_attach_peer(struct cnet_attach *att)
{
	return att ? att->peer : NULL;
}

/* Each setter is a call of its own: its message replaces an earlier one. */
int cnet_attach_invalid(struct cnet_attach *att, const char *fmt, const char *arg)
{
	cnet_clear_err(att->ctx);
	return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, fmt, arg);
}

int cnet_attach_copy_name(struct cnet_attach *att, char dst[IFNAMSIZ], const char *name)
{
	int r = cnet_check_ifname(att->ctx, name);

	if (r < 0)
		return r;
	strcpy(dst, name);
	return 0;
}

CNET_EXPORT int cnet_attach_set_ifname(struct cnet_attach *att, const char *ifname)
{
	return cnet_attach_copy_name(att, att->ifname, ifname);
}

CNET_EXPORT int cnet_attach_add_ip(struct cnet_attach *att, const char *cidr)
{
	struct cnet_ip ip;

	if (cidr && !strcmp(cidr, "dhcp")) {
		if (att->dhcp)
			return cnet_attach_invalid(att, "address '%s' given twice", cidr);
		att->dhcp = true;
		return 0;
	}
	if (!cidr || cnet_parse_ip(cidr, true, &ip) < 0)
		return cnet_attach_invalid(att, "invalid address '%s' (want ADDR/PREFIXLEN, e.g. 10.0.0.2/24, or dhcp)",
			       cidr ? cidr : "");
	if (att->n_ips == ARRAY_SIZE(att->ips))
		return cnet_attach_invalid(att, "too many addresses (at most 32): '%s'", cidr);
	for (size_t i = 0; i < att->n_ips; i++)
		if (att->ips[i].family == ip.family && !memcmp(att->ips[i].a, ip.a, 16))
			return cnet_attach_invalid(att, "address '%s' given twice", cidr);
	att->ips[att->n_ips++] = ip;
	return 0;
}

CNET_EXPORT int cnet_attach_add_gateway(struct cnet_attach *att, const char *addr)
{
	struct cnet_ip ip;

	if (!addr || cnet_parse_ip(addr, false, &ip) < 0)
		return cnet_attach_invalid(att, "invalid gateway '%s' (want an address without prefix length)",
			       addr ? addr : "");
	if (ip.family == AF_INET ? att->has_gw4 : att->has_gw6)
		return cnet_attach_invalid(att, "a second gateway of the same family: '%s'", addr);
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
		return cnet_attach_invalid(att, "invalid route '%s' (want DEST/PREFIXLEN[@VIA][,metric=N][,table=N])",
			       spec ? spec : "");
	if (att->n_routes == ARRAY_SIZE(att->routes))
		return cnet_attach_invalid(att, "too many routes (at most 32): '%s'", spec);
	{
		struct cnet_ip net = rt.dst;
		cnet_ip_mask(&net);
		if (memcmp(net.a, rt.dst.a, sizeof(net.a)))
			return cnet_attach_invalid(att, "route '%s' has host bits set in its destination", spec);
	}
	att->routes[att->n_routes++] = rt;
	return 0;
}

CNET_EXPORT int cnet_attach_add_rule(struct cnet_attach *att, const char *spec)
{
	struct cnet_rule r;

	if (!spec || cnet_parse_rule(spec, &r) < 0)
		return cnet_attach_invalid(att, "invalid rule '%s' (want [from=PREFIX,][to=PREFIX,]table=N[,priority=N])",
					   spec ? spec : "");
	if (att->n_rules == CNET_MAX_RULES)
		return cnet_attach_invalid(att, "too many rules (at most 8): '%s'", spec);
	att->rules[att->n_rules++] = r;
	return 0;
}

CNET_EXPORT int cnet_attach_set_mtu(struct cnet_attach *att, unsigned int mtu)
{
	/* 68 is IPv4's minimum (RFC 791); IPv6 needs 1280, checked at attach
	 * when an IPv6 address is asked for. */
	if (mtu < 68 || mtu > 65535) {
		char buf[16];
		snprintf(buf, sizeof(buf), "%u", mtu);
		return cnet_attach_invalid(att, "invalid MTU %s (68-65535)", buf);
	}
	att->mtu = mtu;
	return 0;
}

CNET_EXPORT int cnet_attach_set_mac(struct cnet_attach *att, const char *mac)
{
	static const unsigned char zero[6];

	if (!mac || cnet_parse_mac(mac, att->mac) < 0)
		return cnet_attach_invalid(att, "invalid MAC address '%s' (want xx:xx:xx:xx:xx:xx)", mac ? mac : "");
	if (att->mac[0] & 1)
		return cnet_attach_invalid(att, "MAC address '%s' is multicast; a unicast address is needed", mac);
	if (!memcmp(att->mac, zero, 6))
		return cnet_attach_invalid(att, "MAC address '%s' is all zeros", mac);
	att->has_mac = true;
	return 0;
}

CNET_EXPORT int cnet_attach_set_hostname(struct cnet_attach *att, const char *hostname)
{
	size_t n = hostname ? strlen(hostname) : 0;

	/* RFC 1123 labels: letters, digits, '-' and '.', at most 63 here */
	if (!n || n >= sizeof(att->hostname) || hostname[0] == '-' || hostname[0] == '.' ||
	    strspn(hostname, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != n)
		return cnet_attach_invalid(att, "invalid hostname '%s' (letters, digits, '-' and '.', 1-63 bytes)",
			       hostname ? hostname : "");
	strcpy(att->hostname, hostname);
	return 0;
}

/* The CNI specification's names: a letter or digit, then letters, digits,
 * '_', '.' and '-'. */
bool cnet_cni_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n && n <= CNET_CNI_NAME_MAX && isalnum((unsigned char)s[0]) &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

CNET_EXPORT int cnet_attach_set_cni(struct cnet_attach *att, const char *network,
				    const char *container_id)
{
	if (!cnet_cni_name_ok(network))
		return cnet_attach_invalid(att, "invalid CNI network name '%s'", network ? network : "");
	if (!cnet_cni_name_ok(container_id))
		return cnet_attach_invalid(att, "invalid CNI container ID '%s'",
					   container_id ? container_id : "");
	strcpy(att->cni_net, network);
	strcpy(att->cni_cid, container_id);
	return 0;
}

CNET_EXPORT int cnet_attach_set_resolv_conf(struct cnet_attach *att, const char *path)
{
	if (!path || path[0] != '/' || strlen(path) >= sizeof(att->resolv_conf))
		return cnet_attach_invalid(att, "invalid --resolv-conf '%s' (an absolute path in the container)",
			       path ? path : "");
	strcpy(att->resolv_conf, path);
	return 0;
}

CNET_EXPORT int cnet_attach_set_dhcp_timeout(struct cnet_attach *att, unsigned int ms)
{
	if (ms < 100 || ms > 3600000) {
		char buf[16];
		snprintf(buf, sizeof(buf), "%u", ms);
		return cnet_attach_invalid(att, "invalid DHCP timeout %s ms (100 ms to 1 h)", buf);
	}
	att->dhcp_timeout_ms = ms;
	att->dhcp_timeout_set = true;
	return 0;
}

CNET_EXPORT int cnet_attach_set_parent(struct cnet_attach *att, const char *ifname)
{
	int r = cnet_kind_accepts(att, CNET_OPT_PARENT, "--parent");

	return r < 0 ? r : cnet_attach_copy_name(att, att->parent, ifname);
}

CNET_EXPORT int cnet_attach_set_device(struct cnet_attach *att, const char *ifname)
{
	int r = cnet_kind_accepts(att, CNET_OPT_DEV, "--dev");

	return r < 0 ? r : cnet_attach_copy_name(att, att->dev, ifname);
}

CNET_EXPORT int cnet_attach_set_flags(struct cnet_attach *att, unsigned int flags)
{
	cnet_clear_err(att->ctx);
	if (flags & ~(CNET_ATTACH_DRY_RUN | CNET_ATTACH_NO_DAD | CNET_ATTACH_FORCE | CNET_ATTACH_REPLACE |
		      CNET_ATTACH_NO_GW))
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "unknown attach flags %#x", flags);
	if (flags & CNET_ATTACH_FORCE) {
		int r = cnet_kind_accepts(att, CNET_OPT_FORCE, "--force");
		if (r < 0)
			return r;
	}
	att->flags = flags;
	return 0;
}

CNET_EXPORT int cnet_attach_set_vlan(struct cnet_attach *att, unsigned int vid, unsigned int qos,
				     const char *proto)
{
	unsigned int p;
	int r = cnet_kind_accepts(att, CNET_OPT_VLAN, "--vlan");

	if (r < 0)
		return r;
	if (!proto || !strcmp(proto, "802.1Q"))
		p = 0x8100;
	else if (!strcmp(proto, "802.1ad"))
		p = 0x88a8;
	else
		return cnet_attach_invalid(att, "invalid VLAN protocol '%s' (802.1Q or 802.1ad)", proto);
	cnet_clear_err(att->ctx);
	return att->ops->set_vlan(att, vid, qos, p);
}

int cnet_vlan_set_id(struct cnet_attach *att, unsigned int vid, unsigned int qos, unsigned int proto,
		     bool qos_ok)
{
	if (vid < 1 || vid > 4094)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "invalid VLAN ID %u (1-4094)", vid);
	if (qos > 7 || (qos && !qos_ok))
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
				 "a VLAN priority (QoS) applies to sriov and bond --vlan-mode hw only");
	att->vlan = (int)vid;
	att->vlan_qos = qos; /* a bond's: checked against its mode at attach */
	att->vlan_proto = proto;
	return 0;
}

cJSON *cnet_attach_options_json(const struct cnet_attach *att)
{
	char buf[CNET_IPSTRLEN * 2 + 2], rbuf[CNET_ROUTESTRLEN];
	cJSON *o = cJSON_CreateObject(), *a;

	if (!o)
		return NULL;
	if (att->ops->options_json)
		att->ops->options_json(att, o);
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
	for (size_t i = 0; a && i < att->n_routes; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(cnet_route_str(&att->routes[i], rbuf)));
	a = att->n_rules ? cJSON_AddArrayToObject(o, "rule") : NULL;
	for (size_t i = 0; a && i < att->n_rules; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(cnet_rule_str(&att->rules[i], rbuf)));
	if (att->mtu)
		cJSON_AddNumberToObject(o, "mtu", att->mtu);
	cnet_qos_json(att, o);
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
	if (att->peer && (a = cnet_attach_options_json(att->peer))) {
		cJSON_AddStringToObject(a, "target", att->peer->target);
		cJSON_AddStringToObject(a, "ifname", att->peer->ifname);
		cJSON_AddItemToObject(o, "peer", a);
	}
	return o;
}

/* ---- checks: everything the description alone can refuse ------------ */

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

/* A peer end takes a name, static addresses, default routes and routes. */
static int verify_peer(struct cnet_attach *p)
{
	if (p->dhcp || p->mtu || p->has_mac || p->n_rules || cnet_qos_wanted(p) || p->hostname[0] ||
	    p->resolv_conf[0] || p->dhcp_timeout_set || p->flags)
		return cnet_errc(p->ctx, CNET_ERR_INVALID, -EINVAL,
				 "the peer end takes only a name, static addresses, default routes and routes");
	return cnet_attach_verify(p);
}

int cnet_attach_verify(struct cnet_attach *att)
{
	struct cnet_ctx *ctx = att->ctx;
	const struct cnet_ip *gws[2] = {att->has_gw4 ? &att->gw4 : NULL, att->has_gw6 ? &att->gw6 : NULL};
	char buf[CNET_IPSTRLEN];

	if (att->ops->verify) {
		int r = att->ops->verify(att);
		if (r < 0)
			return r;
	}
	if (att->peer) {
		int r = verify_peer(att->peer);
		if (r < 0)
			return r;
	}
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

/* The name, addresses, default routes and routes a record, or its peer
 * end, asked (o: its options). */
static int l3_from_json(struct cnet_attach *att, const char *ifname, const cJSON *o)
{
	int r = cnet_attach_set_ifname(att, ifname);

	if (r == 0)
		r = each_string(att, o, "ip", cnet_attach_add_ip);
	if (r == 0)
		r = each_string(att, o, "gw", cnet_attach_add_gateway);
	if (r == 0)
		r = each_string(att, o, "route", cnet_attach_add_route);
	return r;
}

/* Who its target was (how it was found, the process or the container)
 * and the MAC its interface had, as a record, or its peer end, says. */
static void identity_from_json(struct cnet_attach *att, const cJSON *rec)
{
	const cJSON *ns = cJSON_GetObjectItemCaseSensitive(rec, "netns");

	att->has_mac_hint = cnet_parse_mac(cnet_json_str(cJSON_GetObjectItemCaseSensitive(rec, "link"), "mac"),
					   att->mac_hint) == 0;
	att->runtime = cnet_runtime_name(cnet_json_str(rec, "runtime"));
	att->pid_start = (unsigned long long)cnet_json_int(ns, "pid_start", 1, 1LL << 53, 0);
	snprintf(att->container_id, sizeof(att->container_id), "%s", cnet_json_str(ns, "container_id"));
}

/* The peer end as asked (o: the options' "peer") and as it was (pr: the
 * record's "peer"). */
static int peer_from_record(struct cnet_attach *att, const cJSON *o, const cJSON *pr)
{
	int r = cnet_attach_set_peer(att, cnet_json_str(o, "target"));

	if (r == 0)
		r = l3_from_json(att->peer, cnet_json_str(o, "ifname"), o);
	if (r == 0)
		identity_from_json(att->peer, pr);
	return r;
}

struct cnet_attach *cnet_attach_from_record(struct cnet_ctx *ctx, const cJSON *rec)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "options");
	const struct cnet_kind_ops *ops = cnet_kind_by_name(cnet_json_str(rec, "kind"));
	struct cnet_attach *att = NULL;
	long long mtu;
	int r;

	if (!ops || !cJSON_IsObject(o)) {
		cnet_errc(ctx, CNET_ERR_STORE, -EBADMSG, "record %s is malformed", cnet_json_str(rec, "id"));
		return NULL;
	}
	r = cnet_attach_new(ctx, cnet_json_str(rec, "target"), ops->kind, &att);
	if (r == 0)
		r = l3_from_json(att, cnet_json_str(rec, "ifname"), o);
	if (r == 0)
		r = each_string(att, o, "rule", cnet_attach_add_rule);
	mtu = cnet_json_int(o, "mtu", 68, 65535, 0);
	if (r == 0 && mtu)
		r = cnet_attach_set_mtu(att, (unsigned int)mtu);
	if (r == 0 && *cnet_json_str(o, "mac"))
		r = cnet_attach_set_mac(att, cnet_json_str(o, "mac"));
	if (r == 0)
		r = cnet_qos_from_json(att, o);
	if (r == 0 && ops->from_record)
		r = ops->from_record(att, rec);
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
		cnet_dhcp_from_record(&att->dhcp_id, rec);
	if (r == 0 && cJSON_GetObjectItemCaseSensitive(o, "peer"))
		r = peer_from_record(att, cJSON_GetObjectItemCaseSensitive(o, "peer"),
				     cJSON_GetObjectItemCaseSensitive(rec, "peer"));
	if (r < 0) {
		cnet_attach_free(att);
		return NULL;
	}
	identity_from_json(att, rec);
	o = cJSON_GetObjectItemCaseSensitive(rec, "cni");
	if (cJSON_IsObject(o) && cnet_attach_set_cni(att, cnet_json_str(o, "network"),
						     cnet_json_str(o, "container")) < 0) {
		cnet_attach_free(att);
		return NULL;
	}
	return att;
}
