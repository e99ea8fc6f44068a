/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * macvlan: a new macvlan on a host parent, created straight in the
 * target; with --vlan on the host's PARENT.VID (lower.c).
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
	return cnet_lower_verify(att, "macvlan");
}

static void options_json(const struct cnet_attach *att, cJSON *o)
{
	const struct macvlan *m = att->priv;

	cJSON_AddStringToObject(o, "parent", att->parent);
	cJSON_AddStringToObject(o, "mode", cnet_macvlan_mode_to_string(m->mode));
	cnet_lower_vlan_json(att, o);
}

static int from_record(struct cnet_attach *att, const cJSON *rec)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "options");
	int r = cnet_lower_from_record(att, o);

	return r < 0 ? r : cnet_attach_set_macvlan_mode(att, cnet_json_str(o, "mode"));
}

static void plan(struct run *run, struct cnet_result *res)
{
	const struct macvlan *o = run->att->priv;
	struct cnet_lower *l = run->priv;

	cnet_lower_plan(run, l, res);
	cnet_result_add_action(res, "create macvlan %s on %s (mode %s) in %s", run->att->ifname,
			       cnet_lower_name(run, l), cnet_macvlan_mode_to_string(o->mode),
			       run->att->target);
}

static int create(struct run *run)
{
	const struct macvlan *mo = run->att->priv;
	struct cnet_lower *l = run->priv;
	struct nl_msg *msg;
	char what[64];
	int r = cnet_lower_make(run, l);

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

const struct cnet_kind_ops cnet_kind_macvlan = {
	.name = "macvlan",
	.kind = CNET_KIND_MACVLAN,
	.opts_size = sizeof(struct macvlan),
	.run_size = sizeof(struct cnet_lower),
	.options = CNET_OPT_PARENT | CNET_OPT_MODE | CNET_OPT_VLAN,
	.rename = CNET_SET_ALIAS,
	.init = init,
	.set_vlan = cnet_lower_set_vlan,
	.verify = verify,
	.options_json = options_json,
	.from_record = from_record,
	.preflight = cnet_lower_preflight_hook,
	.plan = plan,
	.create = create,
	.rollback = cnet_lower_rollback_hook,
	.record = cnet_lower_record_hook,
	.undo = cnet_lower_undo,
	.host_link = cnet_lower_host_link,
};
