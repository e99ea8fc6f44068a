/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host link that links made on a parent ride on (macvlan, ipvlan):
 * the parent itself, with --vlan its VLAN subinterface PARENT.VID, or
 * with --vxlan a VXLAN device vx<VNI> (vxlan.c); either made if missing
 * (and then removed by the last record on it), never removed if the host
 * had it. Asked to (pipework's command lines), a parent that is down is
 * brought up, and down again by the last record on it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <netlink/msg.h>

#include "kind.h"

int cnet_lower_verify(struct cnet_attach *att, const char *kind)
{
	int r = cnet_vxlan_verify(att);

	if (r < 0 || att->vx.vni)
		return r;
	if (!att->parent[0])
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "%s needs --parent IF", kind);
	if (att->vlan && strlen(att->parent) + 1 + (size_t)snprintf(NULL, 0, "%d", att->vlan) >= IFNAMSIZ)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
				 "the VLAN subinterface %s.%d would be longer than 15 bytes", att->parent,
				 att->vlan);
	return 0;
}

CNET_EXPORT int cnet_attach_set_raise_parent(struct cnet_attach *att, bool on)
{
	int r = cnet_kind_accepts(att, CNET_OPT_RAISE_PARENT, "raising the parent");

	if (r == 0)
		att->raise_parent = on;
	return r;
}

void cnet_lower_json(const struct cnet_attach *att, cJSON *o)
{
	if (att->raise_parent)
		cJSON_AddBoolToObject(o, "raise_parent", true);
	if (att->vlan)
		cJSON_AddNumberToObject(o, "vlan", att->vlan);
	if (att->vlan && att->vlan_proto == 0x88a8)
		cJSON_AddStringToObject(o, "vlan_proto", "802.1ad");
	cnet_vxlan_json(att, o);
}

int cnet_lower_from_record(struct cnet_attach *att, const cJSON *o)
{
	int r = cJSON_GetObjectItemCaseSensitive(o, "vxlan") ? cnet_vxlan_from_json(att, o)
							      : cnet_attach_set_parent(att, cnet_json_str(o, "parent"));

	if (r == 0 && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "raise_parent")))
		r = cnet_attach_set_raise_parent(att, true);
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
	int r;

	if (run->att->vx.vni) {
		r = cnet_vxlan_preflight(run, l);
		return r < 0 ? r : cnet_check_mtu(run, l->link.mtu, "VXLAN device", l->name);
	}
	r = cnet_parent_preflight(run, run->att->parent, &l->link);
	l->raise = r == 0 && !(l->link.flags & IFF_UP) ? l->link.ifindex : 0; /* raise_parent */
	if (r == 0 && run->att->vlan)
		r = preflight_vlan(run, l);
	return r < 0 ? r : cnet_check_mtu(run, l->link.mtu, "parent", run->att->parent);
}

void cnet_lower_plan(const struct run *run, const struct cnet_lower *l, struct cnet_result *res)
{
	if (l->raise)
		cnet_result_add_action(res, "bring host interface %s up (it is down)", run->att->parent);
	if (run->att->vx.vni)
		cnet_vxlan_plan(run, l, res);
	else if (l->make)
		cnet_result_add_action(res, "create VLAN %d on %s as %s on the host", run->att->vlan,
				       run->att->parent, l->name);
}

const char *cnet_lower_name(const struct run *run, const struct cnet_lower *l)
{
	return run->att->vlan || run->att->vx.vni ? l->name : run->att->parent;
}

static int make_vlan(struct run *run, struct cnet_lower *l)
{
	struct cnet_attach *att = run->att;
	struct cnet_vlan_opts o = {.name = l->name, .parent = l->link.ifindex,
				   .vid = (unsigned int)att->vlan, .proto = att->vlan_proto, .ns_fd = -1};
	struct nl_msg *msg;
	char what[64];
	int r;

	if (!l->make)
		return 0;
	r = cnet_link_build_vlan(run->ctx, &o, &msg);
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "create VLAN %d on '%s'", att->vlan, att->parent);
	r = cnet_link_create(run->hnl, msg, what, &l->made, run->hnl, l->name, &l->link);
	l->ifindex = r < 0 ? 0 : l->link.ifindex;
	return r;
}

/* --vlan: the host's PARENT.VID, --vxlan: its vx<VNI>, made up and
 * marked as cnet's. */
int cnet_lower_make(struct run *run, struct cnet_lower *l)
{
	struct cnet_link_change up = {.ns_fd = -1, .up = 1, .ifindex = l->raise};
	char what[64];
	int r = 0;

	if (l->raise) {
		snprintf(what, sizeof(what), "bring '%s' up", run->att->parent);
		r = cnet_link_change(run->hnl, &up, what);
		l->raised = r == 0;
	}
	if (r == 0)
		r = run->att->vx.vni ? cnet_vxlan_make(run, l) : make_vlan(run, l);
	if (r < 0 || !l->made)
		return r;
	up.ifindex = l->ifindex;
	up.alias = run->alias;
	snprintf(what, sizeof(what), "bring '%s' up", l->name);
	return cnet_link_change(run->hnl, &up, what);
}

/* Never by the parent's ifindex: until the new one was found, that is
 * the host's own interface. */
void cnet_lower_rollback(struct run *run, const struct cnet_lower *l)
{
	struct cnet_link_change down = {.ns_fd = -1, .up = 0, .ifindex = l->raise};

	if (l->made && l->ifindex > 0)
		cnet_link_del(run->hnl, l->ifindex, "remove the host device it made");
	else if (l->made)
		cnet_link_del_by_name(run->hnl, l->name);
	if (l->raised)
		cnet_link_change(run->hnl, &down, "bring the parent down again");
}

/* "host": {vlan_dev, created_vlan_dev, vlan_dev_ifindex} with --vlan,
 * the same of vxlan_dev with --vxlan. */
static const struct made_keys {
	const char *dev, *created, *ifindex, *what;
} vlan_keys = {"vlan_dev", "created_vlan_dev", "vlan_dev_ifindex", "VLAN subinterface"},
  vxlan_keys = {"vxlan_dev", "created_vxlan_dev", "vxlan_dev_ifindex", "VXLAN device"};

void cnet_lower_record(const struct run *run, const struct cnet_lower *l, cJSON *rec, bool pending)
{
	const struct made_keys *k = run->att->vx.vni ? &vxlan_keys : &vlan_keys;
	cJSON *o;

	if (!run->att->vlan && !run->att->vx.vni && !l->raise)
		return;
	o = cJSON_GetObjectItemCaseSensitive(rec, "host");
	if (!cJSON_IsObject(o))
		o = cJSON_AddObjectToObject(rec, "host");
	/* the parent it brought up (pending: the intent) */
	if (l->raise && (pending || l->raised)) {
		cJSON_AddStringToObject(o, "raised_parent", run->att->parent);
		cJSON_AddNumberToObject(o, "raised_parent_ifindex", l->raise);
	}
	if (!run->att->vlan && !run->att->vx.vni)
		return;
	cJSON_AddStringToObject(o, k->dev, l->name);
	/* Pending: the intent, since a crash may come right after. */
	cJSON_AddBoolToObject(o, k->created, pending ? l->make : l->made);
	if (!pending && l->made)
		cJSON_AddNumberToObject(o, k->ifindex, l->ifindex);
}

/* The host's PARENT.VID or vx<VNI> goes when cnet made it and nothing
 * uses it any more; another record on it inherits the duty. */
static int undo_made(struct cnet_undo *u, const cJSON *rec, const struct made_keys *k)
{
	const char *const keys[] = {k->created, k->ifindex};
	const cJSON *host = cJSON_GetObjectItemCaseSensitive(rec, "host");
	const char *name = cnet_json_str(host, k->dev);
	long long want = cnet_json_int(host, k->ifindex, 1, INT32_MAX, 0);
	struct cnet_linkinfo li;
	char what[64];
	int r;

	if (!*name || !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(host, k->created)) ||
	    cnet_record_hand_over(u->st, rec, k->dev, keys, ARRAY_SIZE(keys)))
		return 0;
	r = cnet_link_get(u->hnl, 0, name, &li);
	if (r == -ENODEV)
		return 0;
	if (r < 0)
		return r;
	/* Only the one cnet made: of its kind, cnet's mark (none yet if a
	 * crash came right after it was made), the recorded ifindex. */
	if ((k == &vlan_keys ? li.vlan_id < 0 : li.vni < 0) || (want && li.ifindex != want) ||
	    (strncmp(li.alias, "cnet:", 5) && !(cnet_record_pending(rec) && !li.alias[0]))) {
		cnet_result_add_warning(u->res, "'%s' is not the %s cnet created; left alone", name, k->what);
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
		cnet_result_add_action(u->res, "remove %s %s", k->what, name);
	return r;
}

const char *cnet_lower_host_link(const cJSON *rec)
{
	const cJSON *host = cJSON_GetObjectItemCaseSensitive(rec, "host");
	const char *lower = cnet_json_str(host, "vlan_dev");

	if (!*lower)
		lower = cnet_json_str(host, "vxlan_dev");
	return *lower ? lower : cnet_json_str(cJSON_GetObjectItemCaseSensitive(rec, "options"), "parent");
}

/* The duty to bring a raised parent down again goes to another record
 * on that parent, if there is one. */
static bool hand_raise(struct cnet_undo *u, const cJSON *self, const char *name)
{
	static const char *const keys[] = {"raised_parent", "raised_parent_ifindex"};
	const cJSON *self_host = cJSON_GetObjectItemCaseSensitive(self, "host");
	cJSON *rec, *host;

	if (cnet_store_load_text(u->st, "parent", name) < 0)
		return false;
	cJSON_ArrayForEach(rec, u->st->records)
	{
		if (rec == self ||
		    strcmp(cnet_json_str(cJSON_GetObjectItemCaseSensitive(rec, "options"), "parent"), name))
			continue;
		host = cJSON_GetObjectItemCaseSensitive(rec, "host");
		if (!cJSON_IsObject(host))
			host = cJSON_AddObjectToObject(rec, "host");
		for (size_t i = 0; host && i < ARRAY_SIZE(keys); i++) {
			cJSON_DeleteItemFromObjectCaseSensitive(host, keys[i]);
			cJSON_AddItemToObject(host, keys[i],
					      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(self_host, keys[i]), true));
		}
		return true;
	}
	return false;
}

/* The parent cnet brought up goes down again with the last record on it
 * (the same interface: by its recorded ifindex). */
static int undo_raise(struct cnet_undo *u, const cJSON *rec)
{
	const cJSON *host = cJSON_GetObjectItemCaseSensitive(rec, "host");
	const char *name = cnet_json_str(host, "raised_parent");
	struct cnet_link_change down = {.ns_fd = -1, .up = 0};
	struct cnet_linkinfo li;
	char what[64];
	int r;

	if (!*name || hand_raise(u, rec, name))
		return 0;
	r = cnet_link_get(u->hnl, 0, name, &li);
	if (r == -ENODEV) {
		cnet_clear_err(u->ctx);
		return 0;
	}
	if (r < 0)
		return r;
	if (li.ifindex != cnet_json_int(host, "raised_parent_ifindex", 1, INT32_MAX, 0)) {
		cnet_result_add_warning(u->res, "'%s' is not the interface cnet brought up; left alone", name);
		return 0;
	}
	if (!(li.flags & IFF_UP))
		return 0;
	down.ifindex = li.ifindex;
	snprintf(what, sizeof(what), "bring '%s' down", name);
	r = cnet_link_change(u->hnl, &down, what);
	if (r == 0)
		cnet_result_add_action(u->res, "bring host interface %s down again (cnet brought it up)", name);
	return r;
}

int cnet_lower_undo_made(struct cnet_undo *u, const cJSON *rec)
{
	int r = undo_made(u, rec, &vlan_keys);

	if (r == 0)
		r = undo_made(u, rec, &vxlan_keys);
	return r < 0 ? r : undo_raise(u, rec);
}

int cnet_lower_undo(struct cnet_undo *u, cJSON *rec)
{
	int r = u->alive ? cnet_parent_sweep(u, rec, cnet_lower_host_link(rec)) : 0;

	return r < 0 ? r : cnet_lower_undo_made(u, rec);
}

int cnet_lower_check(struct cnet_ctx *ctx, struct cnet_nl *hnl, const cJSON *rec, char *reason,
		     size_t len)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "options");
	const char *parent = cnet_json_str(o, "parent");
	struct cnet_linkinfo li;
	int r;

	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "raise_parent")) || !*parent)
		return 0;
	r = cnet_link_get(hnl, 0, parent, &li);
	if (r == -ENODEV) {
		cnet_clear_err(ctx); /* the link's own check says what is missing */
		return 0;
	}
	if (r < 0)
		return r;
	if (li.flags & IFF_UP)
		return 0;
	snprintf(reason, len, "parent %s is down", parent);
	return 1;
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
