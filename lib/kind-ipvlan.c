/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ipvlan: a new ipvlan on a host parent, created straight in the target;
 * with --vlan on the host's PARENT.VID (lower.c). Its interfaces share the
 * parent's MAC (no --mac; the MAC follows the parent's): what a switch
 * port or a hypervisor that allows one MAC needs, and a NIC that must not
 * go promiscuous. DHCP only in l2 mode: l3 and l3s pass no broadcast.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <linux/if_link.h>

#include "kind.h"

struct ipvlan {
	int mode, flags;
};

CNET_EXPORT int cnet_attach_set_ipvlan_mode(struct cnet_attach *att, const char *mode)
{
	int r = cnet_kind_accepts(att, CNET_OPT_IPVLAN, "the ipvlan mode");

	if (r < 0)
		return r;
	r = cnet_ipvlan_mode_from_string(mode);
	if (r < 0)
		return cnet_attach_invalid(att, "invalid ipvlan mode '%s' (l2, l3 or l3s)", mode ? mode : "");
	((struct ipvlan *)att->priv)->mode = r;
	return 0;
}

CNET_EXPORT int cnet_attach_set_ipvlan_flags(struct cnet_attach *att, const char *flags)
{
	int r = cnet_kind_accepts(att, CNET_OPT_IPVLAN, "--flags");

	if (r < 0)
		return r;
	r = cnet_ipvlan_flags_from_string(flags);
	if (r < 0)
		return cnet_attach_invalid(att, "invalid ipvlan flags '%s' (bridge, private or vepa)",
					   flags ? flags : "");
	((struct ipvlan *)att->priv)->flags = r;
	return 0;
}

static void init(struct cnet_attach *att)
{
	*(struct ipvlan *)att->priv = (struct ipvlan){.mode = IPVLAN_MODE_L2};
}

static int verify(struct cnet_attach *att)
{
	const struct ipvlan *o = att->priv;

	if (att->has_mac)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
				 "ipvlan takes no --mac: its interfaces have the parent's MAC");
	if (att->dhcp && o->mode != IPVLAN_MODE_L2)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
				 "--ip dhcp needs ipvlan mode l2 (mode %s passes no broadcast)",
				 cnet_ipvlan_mode_to_string(o->mode));
	return cnet_lower_verify(att, "ipvlan");
}

static void options_json(const struct cnet_attach *att, cJSON *o)
{
	const struct ipvlan *v = att->priv;

	if (!att->vx.vni)
		cJSON_AddStringToObject(o, "parent", att->parent);
	cJSON_AddStringToObject(o, "mode", cnet_ipvlan_mode_to_string(v->mode));
	cJSON_AddStringToObject(o, "flags", cnet_ipvlan_flags_to_string(v->flags));
	cnet_lower_json(att, o);
}

static int from_record(struct cnet_attach *att, const cJSON *rec)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "options");
	int r = cnet_lower_from_record(att, o);

	if (r == 0)
		r = cnet_attach_set_ipvlan_mode(att, cnet_json_str(o, "mode"));
	return r < 0 ? r : cnet_attach_set_ipvlan_flags(att, cnet_json_str(o, "flags"));
}

static void plan(struct run *run, struct cnet_result *res)
{
	const struct ipvlan *o = run->att->priv;
	struct cnet_lower *l = run->priv;

	cnet_lower_plan(run, l, res);
	cnet_result_add_action(res, "create ipvlan %s on %s (mode %s, %s) in %s", run->att->ifname,
			       cnet_lower_name(run, l), cnet_ipvlan_mode_to_string(o->mode),
			       cnet_ipvlan_flags_to_string(o->flags), run->att->target);
}

static int create(struct run *run)
{
	const struct ipvlan *vo = run->att->priv;
	struct cnet_lower *l = run->priv;
	struct nl_msg *msg;
	char what[64];
	int r = cnet_lower_make(run, l);

	if (r < 0)
		return r;
	struct cnet_ipvlan_opts o = {.name = run->tmp_name, .parent = l->link.ifindex, .mode = vo->mode,
				     .flags = vo->flags, .ns_fd = run->t.fd, .mtu = run->att->mtu};
	r = cnet_link_build_ipvlan(run->ctx, &o, &msg);
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "create ipvlan on '%s'", run->att->parent);
	r = cnet_nl_talk(run->hnl, msg, what);
	if (r == -EOPNOTSUPP) {
		cnet_clear_err(run->ctx);
		return cnet_errc(run->ctx, CNET_ERR_MISSING, r,
				 "this kernel has no ipvlan (CONFIG_IPVLAN; modprobe ipvlan)");
	}
	run->created = r == 0;
	return r;
}

const struct cnet_kind_ops cnet_kind_ipvlan = {
	.name = "ipvlan",
	.kind = CNET_KIND_IPVLAN,
	.opts_size = sizeof(struct ipvlan),
	.run_size = sizeof(struct cnet_lower),
	.options = CNET_OPT_PARENT | CNET_OPT_IPVLAN | CNET_OPT_VLAN | CNET_OPT_VXLAN | CNET_OPT_RAISE_PARENT,
	.rename = CNET_SET_ALIAS,
	.mac_follows = true,
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
	.check = cnet_lower_check,
};
