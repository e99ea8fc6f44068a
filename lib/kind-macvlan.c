/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * macvlan: a new macvlan on a host parent, created straight in the
 * target. With --vlan it sits on the host's PARENT.VID, made if missing
 * (and then removed by the last record on it), never removed if the host
 * had it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <linux/if_link.h>
#include <netlink/msg.h>

#include "kind.h"

struct macvlan {
	int mode; /* MACVLAN_MODE_* */
};

struct macvlan_run {
	struct cnet_linkinfo parent; /* the host parent, or its PARENT.VID */
	char lower[IFNAMSIZ];	     /* --vlan: PARENT.VID */
	bool make_lower, made_lower;
	int lower_ifindex; /* ... once made and found */
};

CNET_EXPORT int cnet_attach_set_macvlan_mode(struct cnet_attach *att, const char *mode)
{
	int r = cnet_kind_accepts(att, CNET_OPT_MODE, "--mode");

	if (r < 0)
		return r;
	r = mode ? cnet_macvlan_mode_from_string(mode) : -EINVAL;
	if (r < 0)
		return cnet_attach_invalid(att, "invalid macvlan mode '%s' (bridge, private, vepa or passthru)",
					   mode ? mode : "");
	((struct macvlan *)att->priv)->mode = r;
	return 0;
}

static void init(struct cnet_attach *att)
{
	((struct macvlan *)att->priv)->mode = MACVLAN_MODE_BRIDGE;
}

static int set_vlan(struct cnet_attach *att, unsigned int vid, unsigned int qos, unsigned int proto)
{
	return cnet_vlan_set_id(att, vid, qos, proto, false);
}

static int verify(struct cnet_attach *att)
{
	if (!att->parent[0])
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "macvlan needs --parent IF");
	if (att->vlan && strlen(att->parent) + 1 + (size_t)snprintf(NULL, 0, "%d", att->vlan) >= IFNAMSIZ)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
				 "the VLAN subinterface %s.%d would be longer than 15 bytes", att->parent,
				 att->vlan);
	return 0;
}

static void options_json(const struct cnet_attach *att, cJSON *o)
{
	const struct macvlan *m = att->priv;

	cJSON_AddStringToObject(o, "parent", att->parent);
	cJSON_AddStringToObject(o, "mode", cnet_macvlan_mode_to_string(m->mode));
	if (att->vlan)
		cJSON_AddNumberToObject(o, "vlan", att->vlan);
	if (att->vlan && att->vlan_proto == 0x88a8)
		cJSON_AddStringToObject(o, "vlan_proto", "802.1ad");
}

static int from_record(struct cnet_attach *att, const cJSON *rec)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "options");
	int r = cnet_attach_set_parent(att, cnet_json_str(o, "parent"));

	if (r == 0)
		r = cnet_attach_set_macvlan_mode(att, cnet_json_str(o, "mode"));
	if (r == 0 && cJSON_GetObjectItemCaseSensitive(o, "vlan"))
		r = cnet_attach_set_vlan(att, (unsigned int)cnet_json_int(o, "vlan", 1, 4094, 0), 0,
					 *cnet_json_str(o, "vlan_proto") ? cnet_json_str(o, "vlan_proto") : NULL);
	return r;
}

/* --vlan: one PARENT.VID that exists must be that VLAN of that parent,
 * and up; a missing one is made. */
static int preflight_lower(struct run *run, struct macvlan_run *m)
{
	struct cnet_attach *att = run->att;
	struct cnet_linkinfo li;
	char name[40];
	int r;

	snprintf(name, sizeof(name), "%s.%d", att->parent, att->vlan); /* fits: verify */
	snprintf(m->lower, sizeof(m->lower), "%.15s", name);
	r = cnet_link_get(run->hnl, 0, m->lower, &li);
	if (r == -ENODEV) {
		m->make_lower = true; /* same MTU as the parent */
		return 0;
	}
	if (r < 0)
		return r;
	if (li.vlan_id != att->vlan || li.link != m->parent.ifindex || li.vlan_proto != att->vlan_proto)
		return cnet_errc(run->ctx, CNET_ERR_BUSY, -EEXIST,
				 "host interface '%s' exists and is not VLAN %d of '%s'", m->lower, att->vlan,
				 att->parent);
	if (!(li.flags & IFF_UP))
		return cnet_errc(run->ctx, CNET_ERR_MISSING, -ENETDOWN, "parent interface '%s' is down",
				 m->lower);
	m->parent = li;
	return 0;
}

static int preflight(struct run *run)
{
	struct macvlan_run *m = run->priv;
	int r = cnet_parent_preflight(run, run->att->parent, &m->parent);

	if (r == 0 && run->att->vlan)
		r = preflight_lower(run, m);
	return r < 0 ? r : cnet_check_mtu(run, m->parent.mtu, "parent", run->att->parent);
}

static void plan(struct run *run, struct cnet_result *res)
{
	const struct macvlan *o = run->att->priv;
	struct macvlan_run *m = run->priv;
	struct cnet_attach *att = run->att;

	if (m->make_lower)
		cnet_result_add_action(res, "create VLAN %d on %s as %s on the host", att->vlan, att->parent,
				       m->lower);
	cnet_result_add_action(res, "create macvlan %s on %s (mode %s) in %s", att->ifname,
			       att->vlan ? m->lower : att->parent, cnet_macvlan_mode_to_string(o->mode),
			       att->target);
}

/* --vlan: the host's PARENT.VID, made up and marked as cnet's. */
static int make_lower(struct run *run, struct macvlan_run *m)
{
	struct cnet_attach *att = run->att;
	struct cnet_vlan_opts o = {.name = m->lower, .parent = m->parent.ifindex,
				   .vid = (unsigned int)att->vlan, .proto = att->vlan_proto, .ns_fd = -1};
	struct cnet_link_change up = {.ns_fd = -1, .up = 1, .alias = run->alias};
	struct cnet_linkinfo li;
	struct nl_msg *msg;
	char what[64];
	int r;

	r = cnet_link_build_vlan(run->ctx, &o, &msg);
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "create VLAN %d on '%s'", att->vlan, att->parent);
	r = cnet_link_create(run->hnl, msg, what, &m->made_lower, run->hnl, m->lower, &li);
	if (r < 0)
		return r;
	m->lower_ifindex = li.ifindex;
	m->parent = li;
	up.ifindex = li.ifindex;
	snprintf(what, sizeof(what), "bring '%s' up", m->lower);
	return cnet_link_change(run->hnl, &up, what);
}

static int create(struct run *run)
{
	const struct macvlan *mo = run->att->priv;
	struct macvlan_run *m = run->priv;
	struct nl_msg *msg;
	char what[64];
	int r;

	if (m->make_lower) {
		r = make_lower(run, m);
		if (r < 0)
			return r;
	}
	struct cnet_macvlan_opts o = {
		.name = run->tmp_name, .parent = m->parent.ifindex, .mode = mo->mode, .ns_fd = run->t.fd,
		.mtu = run->att->mtu, .mac = cnet_new_mac(run->att), .alias = run->alias,
	};
	r = cnet_link_build_macvlan(run->ctx, &o, &msg);
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "create macvlan on '%s'", run->att->parent);
	r = cnet_nl_talk(run->hnl, msg, what);
	run->created = r == 0;
	return r;
}

/* Never by the parent's ifindex: until the new one was found, that is
 * the host's own interface. */
static void rollback(struct run *run)
{
	struct macvlan_run *m = run->priv;

	if (m->made_lower && m->lower_ifindex > 0)
		cnet_link_del(run->hnl, m->lower_ifindex, "remove the VLAN subinterface");
	else if (m->made_lower)
		cnet_link_del_by_name(run->hnl, m->lower);
}

static void record(const struct run *run, cJSON *rec, bool pending)
{
	const struct macvlan_run *m = run->priv;
	cJSON *o;

	if (!run->att->vlan)
		return;
	o = cJSON_AddObjectToObject(rec, "host");
	cJSON_AddStringToObject(o, "vlan_dev", m->lower);
	/* Pending: the intent, since a crash may come right after. */
	cJSON_AddBoolToObject(o, "created_vlan_dev", pending ? m->make_lower : m->made_lower);
	if (!pending && m->made_lower)
		cJSON_AddNumberToObject(o, "vlan_dev_ifindex", m->lower_ifindex);
}

/* The host's PARENT.VID goes when cnet made it and nothing uses it any
 * more; another record on it inherits the duty. */
static int undo_lower(struct cnet_undo *u, const cJSON *rec)
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
	if (strcmp(li.kind, "vlan") || (want && li.ifindex != want) ||
	    (strncmp(li.alias, "cnet:", 5) && !(cnet_record_pending(rec) && !li.alias[0]))) {
		cnet_result_add_warning(u->res, "'%s' is not the VLAN subinterface cnet created; left alone",
					name);
		return 0;
	}
	/* A macvlan in a namespace that is gone dies in the background. */
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

static int undo(struct cnet_undo *u, cJSON *rec)
{
	const cJSON *host = cJSON_GetObjectItemCaseSensitive(rec, "host");
	const char *parent = *cnet_json_str(host, "vlan_dev")
				     ? cnet_json_str(host, "vlan_dev")
				     : cnet_json_str(cJSON_GetObjectItemCaseSensitive(rec, "options"), "parent");
	int r = u->alive ? cnet_parent_sweep(u, rec, parent) : 0;

	return r < 0 ? r : undo_lower(u, rec);
}

static const char *host_link(const cJSON *rec)
{
	const char *lower = cnet_json_str(cJSON_GetObjectItemCaseSensitive(rec, "host"), "vlan_dev");

	return *lower ? lower : cnet_json_str(cJSON_GetObjectItemCaseSensitive(rec, "options"), "parent");
}

const struct cnet_kind_ops cnet_kind_macvlan = {
	.name = "macvlan",
	.kind = CNET_KIND_MACVLAN,
	.opts_size = sizeof(struct macvlan),
	.run_size = sizeof(struct macvlan_run),
	.options = CNET_OPT_PARENT | CNET_OPT_MODE | CNET_OPT_VLAN,
	.rename = CNET_SET_ALIAS,
	.init = init,
	.set_vlan = set_vlan,
	.verify = verify,
	.options_json = options_json,
	.from_record = from_record,
	.preflight = preflight,
	.plan = plan,
	.create = create,
	.rollback = rollback,
	.record = record,
	.undo = undo,
	.host_link = host_link,
};
