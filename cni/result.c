/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ADD result, built from what cnet recorded (the interface as the
 * kernel reported it, the addresses it added, the lease it got), in the
 * version the configuration asked for: 1.1.0 adds interfaces' mtu and
 * pciID; before 1.0.0 each ip has a "version".
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"

static const char *const versions[] = {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"};

static int vindex(const char *v)
{
	for (size_t i = 0; v && i < sizeof(versions) / sizeof(versions[0]); i++)
		if (!strcmp(v, versions[i]))
			return (int)i;
	return -1;
}

bool cni_version_ok(const char *v)
{
	return vindex(v) >= 0;
}

bool cni_version_ge(const char *v, const char *than)
{
	return vindex(v) >= vindex(than);
}

static int family_of(const char *addr)
{
	return strchr(addr, ':') ? AF_INET6 : AF_INET;
}

const char *cni_gateway(const struct cni *c, int family)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(c->ipam_result, "ips"))
	{
		const char *gw = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "gateway"));
		if (gw && family_of(gw) == family)
			return gw;
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(
				      cJSON_GetObjectItemCaseSensitive(c->conf, "ipam"), "addresses"))
	{
		const char *gw = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "gateway"));
		if (gw && family_of(gw) == family)
			return gw;
	}
	return NULL;
}

static void add_ip(const struct cni *c, cJSON *ips, const char *addr, const char *gw)
{
	cJSON *o = cJSON_CreateObject();

	if (!cni_version_ge(c->version, "1.0.0"))
		cJSON_AddStringToObject(o, "version", family_of(addr) == AF_INET6 ? "6" : "4");
	cJSON_AddStringToObject(o, "address", addr);
	if (gw)
		cJSON_AddStringToObject(o, "gateway", gw);
	cJSON_AddNumberToObject(o, "interface", 0);
	cJSON_AddItemToArray(ips, o);
}

static void add_route(cJSON *routes, const char *dst, const char *gw)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "dst", dst);
	if (gw)
		cJSON_AddStringToObject(o, "gw", gw);
	cJSON_AddItemToArray(routes, o);
}

static cJSON *interface(const struct cni *c, const cJSON *rec)
{
	const cJSON *link = cJSON_GetObjectItemCaseSensitive(rec, "link");
	const char *pci = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(rec, "vf"), "pci"));
	const cJSON *mtu = cJSON_GetObjectItemCaseSensitive(link, "mtu");
	const char *mac = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(link, "mac"));
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", c->ifname);
	if (mac)
		cJSON_AddStringToObject(o, "mac", mac);
	if (cni_version_ge(c->version, "1.1.0") && cJSON_IsNumber(mtu))
		cJSON_AddNumberToObject(o, "mtu", mtu->valuedouble);
	cJSON_AddStringToObject(o, "sandbox", c->netns);
	if (cni_version_ge(c->version, "1.1.0") && pci)
		cJSON_AddStringToObject(o, "pciID", pci);
	return o;
}

/* --ip dhcp: the lease's address, router and DNS. */
static void from_lease(const struct cni *c, const cJSON *rec, cJSON *out)
{
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "dhcp"),
							  "lease");
	const char *addr = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(l, "address"));
	const char *router = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(l, "router"));
	const char *domain = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(l, "domain"));
	const cJSON *no_gw = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(rec, "options"), "no_gw");
	const cJSON *dns = cJSON_GetObjectItemCaseSensitive(l, "dns");
	cJSON *d;

	if (!addr)
		return;
	add_ip(c, cJSON_GetObjectItemCaseSensitive(out, "ips"), addr, router);
	if (router && !cJSON_IsTrue(no_gw))
		add_route(cJSON_GetObjectItemCaseSensitive(out, "routes"), "0.0.0.0/0", router);
	d = cJSON_AddObjectToObject(out, "dns");
	if (cJSON_GetArraySize(dns) > 0)
		cJSON_AddItemToObject(d, "nameservers", cJSON_Duplicate(dns, true));
	if (domain)
		cJSON_AddStringToObject(d, "domain", domain);
}

/* Static or delegated: the addresses cnet added, the routes and DNS the
 * IPAM section (or the IPAM plugin) gave. */
static void from_static(const struct cni *c, const cJSON *rec, cJSON *out)
{
	const cJSON *opts = cJSON_GetObjectItemCaseSensitive(rec, "options");
	const cJSON *ipam = c->ipam_result ? c->ipam_result : cJSON_GetObjectItemCaseSensitive(c->conf, "ipam");
	cJSON *routes = cJSON_GetObjectItemCaseSensitive(out, "routes");
	const cJSON *e;
	const cJSON *dns = cJSON_GetObjectItemCaseSensitive(ipam, "dns");

	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(opts, "ip"))
		if (cJSON_IsString(e))
			add_ip(c, cJSON_GetObjectItemCaseSensitive(out, "ips"), e->valuestring,
			       cni_gateway(c, family_of(e->valuestring)));
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(ipam, "routes"))
	{
		const char *dst = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "dst"));
		const char *gw = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "gw"));
		if (dst)
			add_route(routes, dst, gw ? gw : cni_gateway(c, family_of(dst)));
	}
	if (cJSON_IsObject(dns))
		cJSON_AddItemToObject(out, "dns", cJSON_Duplicate(dns, true));
}

cJSON *cni_result(struct cni *c, const char *records_json)
{
	cJSON *recs = cJSON_Parse(records_json), *rec, *out = NULL, *a;

	cJSON_ArrayForEach(rec, recs)
	{
		const char *ifn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "ifname"));
		if (cJSON_GetObjectItemCaseSensitive(rec, "cni") && ifn && !strcmp(ifn, c->ifname))
			break;
	}
	if (!rec) {
		cJSON_Delete(recs);
		return NULL;
	}
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "cniVersion", c->version);
	a = cJSON_AddArrayToObject(out, "interfaces");
	cJSON_AddItemToArray(a, interface(c, rec));
	cJSON_AddArrayToObject(out, "ips");
	cJSON_AddArrayToObject(out, "routes");
	if (cJSON_GetObjectItemCaseSensitive(rec, "dhcp"))
		from_lease(c, rec, out);
	else
		from_static(c, rec, out);
	if (!cJSON_GetObjectItemCaseSensitive(out, "dns"))
		cJSON_AddObjectToObject(out, "dns");
	cJSON_Delete(recs);
	return out;
}
