/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading and writing the pieces of a store record. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <cjson/cJSON.h>

#include "attach.h"

const char *cnet_json_str(const cJSON *o, const char *key)
{
	const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

double cnet_json_num(const cJSON *o, const char *key)
{
	const cJSON *v = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

bool cnet_record_in_netns(const cJSON *rec, const struct cnet_target *t)
{
	const cJSON *ns = cJSON_GetObjectItemCaseSensitive(rec, "netns");

	if (t->fd < 0 || !ns)
		return false;
	if (t->cookie && cnet_json_num(ns, "cookie") != 0)
		return (unsigned long long)cnet_json_num(ns, "cookie") == t->cookie;
	return (unsigned long long)cnet_json_num(ns, "dev") == t->dev &&
	       (unsigned long long)cnet_json_num(ns, "ino") == t->ino;
}

cJSON *cnet_rt_to_json(const struct cnet_rt *rt)
{
	char buf[CNET_IPSTRLEN];
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "family", rt->family == AF_INET ? 4 : 6);
	if (rt->has_gw)
		cJSON_AddStringToObject(o, "gw", cnet_ip_str(&rt->gw, false, buf));
	cJSON_AddNumberToObject(o, "oif", rt->oif);
	cJSON_AddNumberToObject(o, "metric", rt->metric);
	cJSON_AddNumberToObject(o, "protocol", rt->protocol);
	cJSON_AddNumberToObject(o, "scope", rt->scope);
	return o;
}

int cnet_rt_from_json(const cJSON *o, struct cnet_rt *rt)
{
	const char *gw = cnet_json_str(o, "gw");

	memset(rt, 0, sizeof(*rt));
	rt->family = cnet_json_num(o, "family") == 4 ? AF_INET : AF_INET6;
	rt->dst.family = rt->family;
	if (*gw) {
		if (cnet_parse_ip(gw, false, &rt->gw) < 0 || rt->gw.family != rt->family)
			return -EINVAL;
		rt->has_gw = true;
	}
	rt->oif = (int)cnet_json_num(o, "oif");
	rt->metric = (unsigned int)cnet_json_num(o, "metric");
	rt->protocol = (unsigned char)cnet_json_num(o, "protocol");
	rt->scope = (unsigned char)cnet_json_num(o, "scope");
	return 0;
}
