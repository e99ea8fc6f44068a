/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vlan: an 802.1Q/802.1ad subinterface of a host parent, created straight
 * in the target. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <netlink/msg.h>

#include "kind.h"

struct vlan_run {
	struct cnet_linkinfo parent;
};

static int set_vlan(struct cnet_attach *att, unsigned int vid, unsigned int qos, unsigned int proto)
{
	return cnet_vlan_set_id(att, vid, qos, proto, false);
}

static int verify(struct cnet_attach *att)
{
	if (!att->parent[0] || !att->vlan)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "vlan needs --parent IF and --vlan VID");
	return 0;
}

static void options_json(const struct cnet_attach *att, cJSON *o)
{
	cJSON_AddStringToObject(o, "parent", att->parent);
	cJSON_AddNumberToObject(o, "vlan", att->vlan);
	if (att->vlan_proto == 0x88a8)
		cJSON_AddStringToObject(o, "vlan_proto", "802.1ad");
}

static int from_record(struct cnet_attach *att, const cJSON *rec)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "options");
	int r = cnet_attach_set_parent(att, cnet_json_str(o, "parent"));

	if (r == 0 && cJSON_GetObjectItemCaseSensitive(o, "vlan"))
		r = cnet_attach_set_vlan(att, (unsigned int)cnet_json_int(o, "vlan", 1, 4094, 0), 0,
					 *cnet_json_str(o, "vlan_proto") ? cnet_json_str(o, "vlan_proto") : NULL);
	return r;
}

static int preflight(struct run *run)
{
	struct vlan_run *v = run->priv;
	int r = cnet_parent_preflight(run, run->att->parent, &v->parent);

	return r < 0 ? r : cnet_check_mtu(run, v->parent.mtu, "parent", run->att->parent);
}

static void plan(struct run *run, struct cnet_result *res)
{
	struct cnet_attach *att = run->att;

	cnet_result_add_action(res, "create VLAN %d on %s as %s in %s", att->vlan, att->parent,
			       att->ifname, att->target);
}

static int create(struct run *run)
{
	struct cnet_attach *att = run->att;
	struct vlan_run *v = run->priv;
	struct cnet_vlan_opts o = {
		.name = run->tmp_name, .parent = v->parent.ifindex, .vid = (unsigned int)att->vlan,
		.proto = att->vlan_proto, .ns_fd = run->t.fd, .mtu = att->mtu, .mac = cnet_new_mac(att),
	};
	struct nl_msg *msg;
	char what[64];
	int r;

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
	run->created = r == 0;
	return r;
}

static int undo(struct cnet_undo *u, cJSON *rec)
{
	if (!u->alive)
		return 0;
	return cnet_parent_sweep(u, rec, cnet_json_str(cJSON_GetObjectItemCaseSensitive(rec, "options"),
						       "parent"));
}

const struct cnet_kind_ops cnet_kind_vlan = {
	.name = "vlan",
	.kind = CNET_KIND_VLAN,
	.run_size = sizeof(struct vlan_run),
	.options = CNET_OPT_PARENT | CNET_OPT_VLAN,
	.rename = CNET_SET_ALIAS,
	.set_vlan = set_vlan,
	.verify = verify,
	.options_json = options_json,
	.from_record = from_record,
	.preflight = preflight,
	.plan = plan,
	.create = create,
	.undo = undo,
};
