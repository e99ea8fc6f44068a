/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host link that links made on a parent ride on (macvlan, ipvlan):
 * the parent itself, or with --vlan its VLAN subinterface PARENT.VID,
 * made if missing (and then removed by the last record on it), never
 * removed if the host had it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <netlink/msg.h>

#include "kind.h"

int cnet_lower_verify(struct cnet_attach *att, const char *kind)
{
	if (!att->parent[0])
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "%s needs --parent IF", kind);
	if (att->vlan && strlen(att->parent) + 1 + (size_t)snprintf(NULL, 0, "%d", att->vlan) >= IFNAMSIZ)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
				 "the VLAN subinterface %s.%d would be longer than 15 bytes", att->parent,
				 att->vlan);
	return 0;
}

void cnet_lower_vlan_json(const struct cnet_attach *att, cJSON *o)
{
	if (att->vlan)
		cJSON_AddNumberToObject(o, "vlan", att->vlan);
	if (att->vlan && att->vlan_proto == 0x88a8)
		cJSON_AddStringToObject(o, "vlan_proto", "802.1ad");
}

int cnet_lower_from_record(struct cnet_attach *att, const cJSON *o)
{
	int r = cnet_attach_set_parent(att, cnet_json_str(o, "parent"));

	if (r == 0 && cJSON_GetObjectItemCaseSensitive(o, "vlan"))
		r = cnet_attach_set_vlan(att, (unsigned int)cnet_json_int(o, "vlan", 1, 4094, 0), 0,
					 *cnet_json_str(o, "vlan_proto") ? cnet_json_str(o, "vlan_proto") : NULL);
	return r;
}

/* --vlan: one PARENT.VID that exists must be that VLAN of that parent,
 * and up; a missing one is made. */
static int preflight_vlan(struct run *run, struct cnet_lower *l)
{
	struct cnet_attach *att = run->att;
	struct cnet_linkinfo li;
	char name[40];
	int r;

	snprintf(name, sizeof(name), "%s.%d", att->parent, att->vlan); /* fits: verify */
	snprintf(l->name, sizeof(l->name), "%.15s", name);
	r = cnet_link_get(run->hnl, 0, l->name, &li);
	if (r == -ENODEV) {
		l->make = true; /* same MTU as the parent */
		return 0;
	}
	if (r < 0)
		return r;
	if (li.vlan_id != att->vlan || li.link != l->link.ifindex || li.vlan_proto != att->vlan_proto)
		return cnet_errc(run->ctx, CNET_ERR_BUSY, -EEXIST,
				 "host interface '%s' exists and is not VLAN %d of '%s'", l->name, att->vlan,
				 att->parent);
	if (!(li.flags & IFF_UP))
		return cnet_errc(run->ctx, CNET_ERR_MISSING, -ENETDOWN, "parent interface '%s' is down",
				 l->name);
	l->link = li;
	return 0;
}

int cnet_lower_preflight(struct run *run, struct cnet_lower *l)
{
	int r = cnet_parent_preflight(run, run->att->parent, &l->link);

	if (r == 0 && run->att->vlan)
		r = preflight_vlan(run, l);
	return r < 0 ? r : cnet_check_mtu(run, l->link.mtu, "parent", run->att->parent);
}

void cnet_lower_plan(const struct run *run, const struct cnet_lower *l, struct cnet_result *res)
{
	if (l->make)
		cnet_result_add_action(res, "create VLAN %d on %s as %s on the host", run->att->vlan,
				       run->att->parent, l->name);
}

const char *cnet_lower_name(const struct run *run, const struct cnet_lower *l)
{
	return run->att->vlan ? l->name : run->att->parent;
}

/* --vlan: the host's PARENT.VID, made up and marked as cnet's. */
int cnet_lower_make(struct run *run, struct cnet_lower *l)
{
	struct cnet_attach *att = run->att;
	struct cnet_vlan_opts o = {.name = l->name, .parent = l->link.ifindex,
				   .vid = (unsigned int)att->vlan, .proto = att->vlan_proto, .ns_fd = -1};
	struct cnet_link_change up = {.ns_fd = -1, .up = 1, .alias = run->alias};
	struct cnet_linkinfo li;
	struct nl_msg *msg;
	char what[64];
	int r;

	if (!l->make)
		return 0;
	r = cnet_link_build_vlan(run->ctx, &o, &msg);
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "create VLAN %d on '%s'", att->vlan, att->parent);
	r = cnet_link_create(run->hnl, msg, what, &l->made, run->hnl, l->name, &li);
	if (r < 0)
		return r;
	l->ifindex = li.ifindex;
	l->link = li;
	up.ifindex = li.ifindex;
	snprintf(what, sizeof(what), "bring '%s' up", l->name);
	return cnet_link_change(run->hnl, &up, what);
}

/* Never by the parent's ifindex: until the new one was found, that is
 * the host's own interface. */
void cnet_lower_rollback(struct run *run, const struct cnet_lower *l)
{
	if (l->made && l->ifindex > 0)
		cnet_link_del(run->hnl, l->ifindex, "remove the VLAN subinterface");
	else if (l->made)
		cnet_link_del_by_name(run->hnl, l->name);
}

void cnet_lower_record(const struct run *run, const struct cnet_lower *l, cJSON *rec, bool pending)
{
	cJSON *o;

	if (!run->att->vlan)
		return;
	o = cJSON_AddObjectToObject(rec, "host");
	cJSON_AddStringToObject(o, "vlan_dev", l->name);
	/* Pending: the intent, since a crash may come right after. */
	cJSON_AddBoolToObject(o, "created_vlan_dev", pending ? l->make : l->made);
	if (!pending && l->made)
		cJSON_AddNumberToObject(o, "vlan_dev_ifindex", l->ifindex);
}

/* The host's PARENT.VID goes when cnet made it and nothing uses it any
 * more; another record on it inherits the duty. */
static int undo_vlan(struct cnet_undo *u, const cJSON *rec)
{
	static const char *const keys[] = {"created_vlan_dev", "vlan_dev_ifindex"};
	const cJSON *host = cJSON_GetObjectItemCaseSensitive(rec, "host");
	const char *name = cnet_json_str(host, "vlan_dev");
	long long want = cnet_json_int(host, "vlan_dev_ifindex", 1, INT32_MAX, 0);
	struct cnet_linkinfo li;
	char what[64];
	int r;

	if (!*name || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(host, "created_vlan_dev")) ||
	    cnet_record_hand_over(u->st, rec, "vlan_dev", keys, ARRAY_SIZE(keys)))
		return 0;
	r = cnet_link_get(u->hnl, 0, name, &li);
	if (r == -ENODEV)
		return 0;
	if (r < 0)
		return r;
	/* Only the one cnet made: a VLAN, cnet's mark (none yet if a crash
	 * came right after it was made), the recorded ifindex. */
	if (li.vlan_id < 0 || (want && li.ifindex != want) ||
	    (strncmp(li.alias, "cnet:", 5) && !(cnet_record_pending(rec) && !li.alias[0]))) {
		cnet_result_add_warning(u->res, "'%s' is not the VLAN subinterface cnet created; left alone",
					name);
		return 0;
	}
	/* A link in a namespace that is gone dies in the background. */
	for (int i = 0; (r = cnet_link_count_uppers(u->hnl, li.ifindex)) > 0 && !u->alive && i < 150; i++)
		cnet_nap_ms(20);
	if (r < 0)
		return r;
	if (r > 0) {
		cnet_result_add_warning(u->res, "'%s' still carries other interfaces; left alone", name);
		return 0;
	}
	snprintf(what, sizeof(what), "remove '%s'", name);
	r = cnet_link_del(u->hnl, li.ifindex, what);
	if (r == 0)
		cnet_result_add_action(u->res, "remove VLAN subinterface %s", name);
	return r;
}

const char *cnet_lower_host_link(const cJSON *rec)
{
	const char *lower = cnet_json_str(cJSON_GetObjectItemCaseSensitive(rec, "host"), "vlan_dev");

	return *lower ? lower : cnet_json_str(cJSON_GetObjectItemCaseSensitive(rec, "options"), "parent");
}

int cnet_lower_undo(struct cnet_undo *u, cJSON *rec)
{
	int r = u->alive ? cnet_parent_sweep(u, rec, cnet_lower_host_link(rec)) : 0;

	return r < 0 ? r : undo_vlan(u, rec);
}

/* Hooks for a kind whose run state is its struct cnet_lower. */
int cnet_lower_set_vlan(struct cnet_attach *att, unsigned int vid, unsigned int qos, unsigned int proto)
{
	return cnet_vlan_set_id(att, vid, qos, proto, false);
}

int cnet_lower_preflight_hook(struct run *run)
{
	return cnet_lower_preflight(run, run->priv);
}

void cnet_lower_rollback_hook(struct run *run)
{
	cnet_lower_rollback(run, run->priv);
}

void cnet_lower_record_hook(const struct run *run, cJSON *rec, bool pending)
{
	cnet_lower_record(run, run->priv, rec, pending);
}
