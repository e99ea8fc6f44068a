/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * macvlan: a new macvlan on a host parent, created straight in the
 * target; with --vlan on the host's PARENT.VID, with --vxlan on a VXLAN
 * device (lower.c); with --host-access reached from the host through a
 * shim (shim.c).
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

/* The run state: the lower first (the cnet_lower_*_hook's). */
struct macvlan_run {
	struct cnet_lower l;
	struct cnet_shim shim;
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

static int verify(struct cnet_attach *att)
{
	int r = cnet_lower_verify(att, "macvlan");

	return r < 0 ? r : cnet_shim_verify(att, ((struct macvlan *)att->priv)->mode == MACVLAN_MODE_BRIDGE);
}

static void options_json(const struct cnet_attach *att, cJSON *o)
{
	const struct macvlan *m = att->priv;

	if (!att->vx.vni)
		cJSON_AddStringToObject(o, "parent", att->parent);
	cJSON_AddStringToObject(o, "mode", cnet_macvlan_mode_to_string(m->mode));
	cnet_lower_json(att, o);
	if (att->host_access)
		cJSON_AddBoolToObject(o, "host_access", true);
}

static int from_record(struct cnet_attach *att, const cJSON *rec)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "options");
	int r = cnet_lower_from_record(att, o);

	if (r == 0 && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "host_access")))
		r = cnet_attach_set_host_access(att, true);
	return r < 0 ? r : cnet_attach_set_macvlan_mode(att, cnet_json_str(o, "mode"));
}

static int preflight(struct run *run)
{
	struct macvlan_run *m = run->priv;
	int r = cnet_lower_preflight(run, &m->l);

	return r < 0 ? r
		     : cnet_shim_preflight(run, &m->shim, cnet_lower_name(run, &m->l),
					   m->l.make ? 0 : m->l.link.ifindex);
}

static void plan(struct run *run, struct cnet_result *res)
{
	const struct macvlan *o = run->att->priv;
	struct macvlan_run *m = run->priv;

	cnet_lower_plan(run, &m->l, res);
	cnet_shim_plan(run, cnet_lower_name(run, &m->l), res);
	cnet_result_add_action(res, "create macvlan %s on %s (mode %s) in %s", run->att->ifname,
			       cnet_lower_name(run, &m->l), cnet_macvlan_mode_to_string(o->mode),
			       run->att->target);
}

static int create(struct run *run)
{
	const struct macvlan *mo = run->att->priv;
	struct macvlan_run *m = run->priv;
	struct cnet_lower *l = &m->l;
	struct nl_msg *msg;
	char what[64];
	int r = cnet_lower_make(run, l);

	if (r == 0)
		r = cnet_shim_make(run, &m->shim, &l->link);
	if (r < 0)
		return r;
	struct cnet_macvlan_opts o = {
		.name = run->tmp_name, .parent = l->link.ifindex, .mode = mo->mode, .ns_fd = run->t.fd,
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

static void rollback(struct run *run)
{
	struct macvlan_run *m = run->priv;

	cnet_shim_rollback(run, &m->shim);
	cnet_lower_rollback(run, &m->l);
}

static void record(const struct run *run, cJSON *rec, bool pending)
{
	const struct macvlan_run *m = run->priv;

	cnet_lower_record(run, &m->l, rec, pending);
	cnet_shim_record(run, &m->shim, rec, pending);
}

/* The shim before the lower: it rides on it. */
static int undo(struct cnet_undo *u, cJSON *rec)
{
	int r = cnet_shim_undo(u, rec);

	return r < 0 ? r : cnet_lower_undo(u, rec);
}

static int check(struct cnet_ctx *ctx, struct cnet_nl *hnl, const cJSON *rec, char *reason, size_t len)
{
	int r = cnet_shim_check(hnl, rec, reason, len);

	return r ? r : cnet_lower_check(ctx, hnl, rec, reason, len);
}

const struct cnet_kind_ops cnet_kind_macvlan = {
	.name = "macvlan",
	.kind = CNET_KIND_MACVLAN,
	.opts_size = sizeof(struct macvlan),
	.run_size = sizeof(struct macvlan_run),
	.options = CNET_OPT_PARENT | CNET_OPT_MODE | CNET_OPT_VLAN | CNET_OPT_VXLAN | CNET_OPT_HOST_ACCESS |
		   CNET_OPT_RAISE_PARENT,
	.rename = CNET_SET_ALIAS,
	.init = init,
	.set_vlan = cnet_lower_set_vlan,
	.verify = verify,
	.options_json = options_json,
	.from_record = from_record,
	.preflight = preflight,
	.plan = plan,
	.create = create,
	.rollback = rollback,
	.record = record,
	.undo = undo,
	.host_link = cnet_lower_host_link,
	.check = check,
};
