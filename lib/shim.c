/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --host-access: the kernel does not pass traffic between a macvlan and
 * its lower device, so a host cannot reach its own macvlan containers
 * through the parent. A host-side macvlan in bridge mode on the same
 * lower, the shim ("cnha" and a hash of the lower's name: one per lower,
 * shared, removed with its last user), carries a host route to each of
 * the container's addresses.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <linux/if_link.h>
#include <netlink/msg.h>

#include "kind.h"

CNET_EXPORT int cnet_attach_set_host_access(struct cnet_attach *att, bool on)
{
	int r = cnet_kind_accepts(att, CNET_OPT_HOST_ACCESS, "--host-access");

	if (r == 0)
		att->host_access = on;
	return r;
}

int cnet_shim_verify(struct cnet_attach *att, bool bridge_mode)
{
	if (!att->host_access)
		return 0;
	if (att->dhcp)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
				 "--host-access needs static addresses (--ip ADDR/PLEN), not --ip dhcp");
	if (!att->n_ips)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "--host-access needs --ip ADDR/PLEN");
	if (!bridge_mode)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
				 "--host-access needs --mode bridge: the shim reaches bridge-mode macvlans only");
	return 0;
}

static void host_route(const struct cnet_ip *ip, int oif, struct cnet_rt *rt)
{
	*rt = (struct cnet_rt){.family = ip->family, .dst = *ip, .oif = oif};
	rt->dst.plen = ip->family == AF_INET ? 32 : 128;
}

/* Its name, and the one there if it is (lower_ifindex 0: the lower is
 * yet to be made). */
int cnet_shim_preflight(struct run *run, struct cnet_shim *s, const char *lower, int lower_ifindex)
{
	int r;

	if (!run->att->host_access)
		return 0;
	snprintf(s->name, sizeof(s->name), "cnha%08x", cnet_crc32c(lower, strlen(lower)));
	r = cnet_link_get(run->hnl, 0, s->name, &s->link);
	if (r == -ENODEV) {
		s->link.ifindex = 0;
		return 0;
	}
	if (r < 0)
		return r;
	if (strcmp(s->link.kind, "macvlan") || !lower_ifindex || s->link.link != lower_ifindex ||
	    strncmp(s->link.alias, "cnet:", 5))
		return cnet_errc(run->ctx, CNET_ERR_BUSY, -EEXIST,
				 "host interface '%s' exists and is not cnet's host-access shim on '%s'",
				 s->name, lower);
	return 0;
}

/* The shim, found or made (up, marked), then the routes. */
int cnet_shim_make(struct run *run, struct cnet_shim *s, const struct cnet_linkinfo *lower)
{
	struct cnet_attach *att = run->att;
	struct cnet_macvlan_opts o = {.name = s->name, .parent = lower->ifindex,
				      .mode = MACVLAN_MODE_BRIDGE, .ns_fd = -1};
	struct cnet_link_change up = {.ns_fd = -1, .up = 1, .alias = run->alias};
	struct nl_msg *msg;
	char what[80], buf[CNET_IPSTRLEN];
	struct cnet_rt rt;
	int r;

	if (!att->host_access)
		return 0;
	r = 0;
	if (!s->link.ifindex) {
		r = cnet_link_build_macvlan(run->ctx, &o, &msg);
		if (r < 0)
			return r;
		snprintf(what, sizeof(what), "create the host-access shim on '%s'", lower->name);
		r = cnet_link_create(run->hnl, msg, what, &s->made, run->hnl, s->name, &s->link);
		if (r < 0)
			return r;
		s->ifindex = s->link.ifindex;
		up.ifindex = s->ifindex;
		snprintf(what, sizeof(what), "bring '%s' up", s->name);
		r = cnet_link_change(run->hnl, &up, what);
	}
	for (size_t i = 0; r == 0 && i < att->n_ips; i++) {
		if (cnet_ip_is_v6_linklocal(&att->ips[i]))
			continue;
		host_route(&att->ips[i], s->link.ifindex, &rt);
		snprintf(what, sizeof(what), "add host route %s via '%s'", cnet_ip_str(&rt.dst, true, buf),
			 s->name);
		r = cnet_route_add(run->hnl, &rt, what);
		if (r == 0)
			s->routes[s->n_routes++] = rt.dst;
	}
	return r;
}

void cnet_shim_plan(const struct run *run, const char *lower, struct cnet_result *res)
{
	char buf[CNET_IPSTRLEN];

	if (!run->att->host_access)
		return;
	cnet_result_add_action(res, "reach it from the host through a macvlan shim on %s", lower);
	for (size_t i = 0; i < run->att->n_ips; i++)
		if (!cnet_ip_is_v6_linklocal(&run->att->ips[i]))
			cnet_result_add_action(res, "add host route %s",
					       cnet_ip_str(&run->att->ips[i], false, buf));
}

void cnet_shim_rollback(struct run *run, const struct cnet_shim *s)
{
	struct cnet_rt rt;

	for (size_t i = 0; i < s->n_routes; i++) {
		host_route(&s->routes[i], s->link.ifindex, &rt);
		cnet_route_del(run->hnl, &rt, "remove a host route");
	}
	if (s->made && s->ifindex > 0)
		cnet_link_del(run->hnl, s->ifindex, "remove the host-access shim");
	else if (s->made)
		cnet_link_del_by_name(run->hnl, s->name);
}

/* "host": {shim, created_shim, shim_ifindex, host_routes}; pending: what
 * it will be, with every address's route. */
void cnet_shim_record(const struct run *run, const struct cnet_shim *s, cJSON *rec, bool pending)
{
	char buf[CNET_IPSTRLEN];
	cJSON *o, *a;

	if (!run->att->host_access)
		return;
	o = cJSON_GetObjectItemCaseSensitive(rec, "host");
	if (!cJSON_IsObject(o))
		o = cJSON_AddObjectToObject(rec, "host");
	cJSON_AddStringToObject(o, "shim", s->name);
	cJSON_AddBoolToObject(o, "created_shim", pending ? !s->link.ifindex || s->made : s->made);
	if (!pending && s->made)
		cJSON_AddNumberToObject(o, "shim_ifindex", s->ifindex);
	a = cJSON_AddArrayToObject(o, "host_routes");
	for (size_t i = 0; i < run->att->n_ips; i++)
		if (!cnet_ip_is_v6_linklocal(&run->att->ips[i]))
			cJSON_AddItemToArray(a, cJSON_CreateString(cnet_ip_str(&run->att->ips[i], false, buf)));
}

/* Detach: the record's host routes go (those through the shim only),
 * then the shim when cnet made it and no other record uses it. */
int cnet_shim_undo(struct cnet_undo *u, const cJSON *rec)
{
	static const char *const keys[] = {"created_shim", "shim_ifindex"};
	const cJSON *host = cJSON_GetObjectItemCaseSensitive(rec, "host");
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(host, "host_routes");
	const char *name = cnet_json_str(host, "shim");
	long long want = cnet_json_int(host, "shim_ifindex", 1, INT32_MAX, 0);
	struct cnet_linkinfo li;
	struct cnet_ip ip;
	struct cnet_rt rt;
	char what[80];
	cJSON *it;
	int r;

	if (!*name)
		return 0;
	r = cnet_link_get(u->hnl, 0, name, &li);
	if (r == -ENODEV)
		return 0; /* its routes went with it */
	if (r < 0)
		return r;
	/* cnet's mark (none yet if a crash came right after it was made) */
	if (strcmp(li.kind, "macvlan") ||
	    (strncmp(li.alias, "cnet:", 5) && !(cnet_record_pending(rec) && !li.alias[0]))) {
		cnet_result_add_warning(u->res, "'%s' is not cnet's host-access shim; left alone", name);
		return 0;
	}
	if (!cJSON_IsArray(a))
		a = NULL;
	cJSON_ArrayForEach(it, a) {
		if (!cJSON_IsString(it) || cnet_parse_ip(it->valuestring, false, &ip) < 0)
			continue;
		host_route(&ip, li.ifindex, &rt);
		snprintf(what, sizeof(what), "remove host route %s", it->valuestring);
		r = cnet_route_del(u->hnl, &rt, what);
		if (r == -ESRCH || r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		cnet_result_add_action(u->res, "remove host route %s", it->valuestring);
	}
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(host, "created_shim")) ||
	    cnet_record_hand_over(u->st, rec, "shim", keys, ARRAY_SIZE(keys)) ||
	    (want && li.ifindex != want))
		return 0;
	snprintf(what, sizeof(what), "remove '%s'", name);
	r = cnet_link_del(u->hnl, li.ifindex, what);
	if (r == 0)
		cnet_result_add_action(u->res, "remove host-access shim %s", name);
	return r;
}

struct want_route {
	struct cnet_ip ip;
	bool found;
};

static void find_route(const struct cnet_rt *rt, void *arg)
{
	struct want_route *w = arg;

	if (rt->dst.plen == (w->ip.family == AF_INET ? 32u : 128u) && !rt->has_gw &&
	    !memcmp(rt->dst.a, w->ip.a, sizeof(w->ip.a)))
		w->found = true;
}

/* Reapply: the record's shim and each of its host routes still there. */
int cnet_shim_check(struct cnet_nl *hnl, const cJSON *rec, char *reason, size_t len)
{
	const cJSON *host = cJSON_GetObjectItemCaseSensitive(rec, "host");
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(host, "host_routes");
	const char *name = cnet_json_str(host, "shim");
	struct cnet_linkinfo li;
	cJSON *it;
	int r;

	if (!*name)
		return 0;
	r = cnet_link_get(hnl, 0, name, &li);
	if (r == -ENODEV) {
		snprintf(reason, len, "its host-access shim %s is gone", name);
		return 1;
	}
	if (r < 0)
		return r;
	if (!cJSON_IsArray(a))
		a = NULL;
	cJSON_ArrayForEach(it, a) {
		struct want_route w = {.found = false};

		if (!cJSON_IsString(it) || cnet_parse_ip(it->valuestring, false, &w.ip) < 0)
			continue;
		r = cnet_route_each(hnl, w.ip.family, li.ifindex, find_route, &w);
		if (r < 0)
			return r;
		if (!w.found) {
			snprintf(reason, len, "its host route %s is gone", it->valuestring);
			return 1;
		}
	}
	return 0;
}
