/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * veth: a veth pair, its host end on a Linux bridge (made with
 * --create-bridge, then removed by the last record on it), its peer
 * created straight in the target. With --vxlan the bridge has the host's
 * VXLAN device vx<VNI> as a port (vxlan.c, made and removed as lower.c
 * does).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <cjson/cJSON.h>
#include <netlink/msg.h>

#include "kind.h"

struct veth {
	char bridge[IFNAMSIZ];
	bool create_bridge;
	char host_ifname[IFNAMSIZ];
};

struct veth_run {
	struct cnet_linkinfo bridge;
	char host_name[IFNAMSIZ];
	bool make_bridge, made_bridge;
	unsigned char bridge_mac[6]; /* of a bridge cnet makes */
	struct cnet_lower vx;	     /* --vxlan: vx<VNI>, a port of the bridge */
	int host_ifindex;	     /* the host end, once made */
};

CNET_EXPORT int cnet_attach_set_bridge(struct cnet_attach *att, const char *bridge, bool create)
{
	struct veth *v = att->priv;
	int r = cnet_kind_accepts(att, CNET_OPT_BRIDGE, "--bridge");

	if (r < 0)
		return r;
	v->create_bridge = create;
	return cnet_attach_copy_name(att, v->bridge, bridge);
}

CNET_EXPORT int cnet_attach_set_host_ifname(struct cnet_attach *att, const char *ifname)
{
	int r = cnet_kind_accepts(att, CNET_OPT_HOST_IFNAME, "--host-ifname");

	return r < 0 ? r : cnet_attach_copy_name(att, ((struct veth *)att->priv)->host_ifname, ifname);
}

static int verify(struct cnet_attach *att)
{
	if (!((struct veth *)att->priv)->bridge[0])
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "veth needs --bridge BR");
	return cnet_vxlan_verify(att);
}

static void options_json(const struct cnet_attach *att, cJSON *o)
{
	const struct veth *v = att->priv;

	cJSON_AddStringToObject(o, "bridge", v->bridge);
	if (v->host_ifname[0])
		cJSON_AddStringToObject(o, "host_ifname", v->host_ifname);
	cnet_vxlan_json(att, o);
}

static int from_record(struct cnet_attach *att, const cJSON *rec)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "options");
	const cJSON *host = cJSON_GetObjectItemCaseSensitive(rec, "host");
	int r = cnet_attach_set_bridge(att, cnet_json_str(o, "bridge"),
				       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(host, "created_bridge")));

	if (r == 0 && *cnet_json_str(o, "host_ifname"))
		r = cnet_attach_set_host_ifname(att, cnet_json_str(o, "host_ifname"));
	if (r == 0 && cJSON_GetObjectItemCaseSensitive(o, "vxlan"))
		r = cnet_vxlan_from_json(att, o);
	return r;
}

/* --vxlan: vx<VNI> there as a port of this bridge, or to be made; the
 * veth's MTU within its own. */
static int preflight_vxlan(struct run *run, struct veth_run *vr)
{
	const char *bridge = ((const struct veth *)run->att->priv)->bridge;
	int r = cnet_vxlan_preflight(run, &vr->vx);

	if (r < 0)
		return r;
	if (!vr->vx.make && (vr->make_bridge || (int)vr->vx.link.master != vr->bridge.ifindex))
		return cnet_errc(run->ctx, CNET_ERR_BUSY, -EEXIST,
				 "host interface '%s' exists and is not a port of bridge '%s'", vr->vx.name,
				 bridge);
	return cnet_check_mtu(run, vr->vx.link.mtu, "VXLAN device", vr->vx.name);
}

/* The MTU of both ends unless asked: the bridge's, or its VXLAN port's. */
static unsigned int default_mtu(const struct run *run, const struct veth_run *vr)
{
	unsigned int mtu = vr->bridge.mtu;

	if (run->att->vx.vni && vr->vx.link.mtu < mtu)
		mtu = vr->vx.link.mtu;
	return mtu;
}

static int preflight(struct run *run)
{
	const struct veth *v = run->att->priv;
	struct veth_run *vr = run->priv;
	struct cnet_linkinfo li;
	int r;

	if (v->host_ifname[0])
		strcpy(vr->host_name, v->host_ifname);
	else
		snprintf(vr->host_name, sizeof(vr->host_name), "veth%s", run->id);
	r = cnet_link_get(run->hnl, 0, v->bridge, &vr->bridge);
	if (r == -ENODEV && v->create_bridge) {
		vr->make_bridge = true;
		vr->bridge.mtu = 1500; /* a new, empty bridge's MTU */
		/* Chosen now, so the pending record can name the bridge. */
		if (getrandom(vr->bridge_mac, 6, 0) != 6)
			return cnet_err(run->ctx, -EIO, "cannot get random bytes");
		/* Unicast, locally administered, and never fe:, which the veth
		 * host ends use. */
		vr->bridge_mac[0] = (vr->bridge_mac[0] & 0xf0) | 0x02;
	} else if (r < 0) {
		return cnet_missing(run->ctx, r, "bridge", v->bridge, " (--create-bridge creates it)");
	} else if (strcmp(vr->bridge.kind, "bridge")) {
		return cnet_errc(run->ctx, CNET_ERR_INVALID, -EINVAL, "'%s' is not a Linux bridge",
				 v->bridge);
	} else if (!(vr->bridge.flags & IFF_UP)) {
		return cnet_errc(run->ctx, CNET_ERR_MISSING, -ENETDOWN, "bridge '%s' is down", v->bridge);
	}
	r = cnet_link_get(run->hnl, 0, vr->host_name, &li);
	if (r == 0)
		return cnet_errc(run->ctx, CNET_ERR_BUSY, -EEXIST, "host interface '%s' already exists",
				 vr->host_name);
	if (r != -ENODEV)
		return r;
	r = cnet_check_mtu(run, vr->bridge.mtu, "bridge", v->bridge);
	return r < 0 || !run->att->vx.vni ? r : preflight_vxlan(run, vr);
}

static void plan(struct run *run, struct cnet_result *res)
{
	const struct veth *v = run->att->priv;
	const struct veth_run *vr = run->priv;

	if (vr->make_bridge)
		cnet_result_add_action(res, "create bridge %s", v->bridge);
	if (run->att->vx.vni)
		cnet_vxlan_plan(run, &vr->vx, res);
	cnet_result_add_action(res, "create veth %s on bridge %s, peer %s in %s", vr->host_name,
			       v->bridge, run->att->ifname, run->att->target);
}

/* vx<VNI> made (then a port of the bridge, up, marked) or found, and
 * given the remotes. */
static int make_vxlan(struct run *run, struct veth_run *vr)
{
	struct cnet_link_change c = {.ns_fd = -1, .up = 1, .alias = run->alias,
				     .master = vr->bridge.ifindex};
	char what[64];
	int r = cnet_vxlan_make(run, &vr->vx);

	if (r < 0 || !vr->vx.made)
		return r;
	c.ifindex = vr->vx.ifindex;
	snprintf(what, sizeof(what), "put '%s' on the bridge", vr->vx.name);
	return cnet_link_change(run->hnl, &c, what);
}

static int create(struct run *run)
{
	const struct veth *v = run->att->priv;
	struct veth_run *vr = run->priv;
	struct cnet_link_change hc = {.ns_fd = -1, .up = -1, .alias = run->alias};
	struct cnet_linkinfo host;
	unsigned char host_mac[6];
	struct cnet_veth_opts o = {
		.host_name = vr->host_name, .peer_name = run->tmp_name, .alias = run->alias,
		.peer_ns_fd = run->t.fd, .host_mtu = default_mtu(run, vr),
		.peer_mtu = run->att->mtu ? run->att->mtu : default_mtu(run, vr), .host_mac = host_mac,
		.peer_mac = cnet_new_mac(run->att),
	};
	struct nl_msg *msg;
	char what[64];
	int r;

	if (vr->make_bridge) {
		struct cnet_linkinfo br;
		r = cnet_link_build_bridge(run->ctx, v->bridge, vr->bridge_mac, &msg);
		if (r < 0)
			return r;
		snprintf(what, sizeof(what), "create bridge '%s'", v->bridge);
		r = cnet_link_create(run->hnl, msg, what, &vr->made_bridge, run->hnl, v->bridge, &br);
		if (r < 0)
			return r;
		vr->bridge.ifindex = br.ifindex;
	}
	r = run->att->vx.vni ? make_vxlan(run, vr) : 0;
	if (r < 0)
		return r;
	/* A bridge without a set MAC takes its ports' lowest; a host end
	 * starting with 0xfe can never be it, so the bridge's address does
	 * not change as containers come and go. */
	if (getrandom(host_mac + 1, 5, 0) != 5)
		return cnet_err(run->ctx, -EIO, "cannot get random bytes");
	/* cppcheck-suppress unreadVariable ; read through o.host_mac */
	host_mac[0] = 0xfe;
	o.master = vr->bridge.ifindex;
	r = cnet_link_build_veth(run->ctx, &o, &msg);
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "create veth '%s'", vr->host_name);
	/* Mark the host end too, so a crash's leftover is recognisable. */
	r = cnet_link_create(run->hnl, msg, what, &run->created, run->hnl, vr->host_name, &host);
	if (r < 0)
		return r;
	hc.ifindex = host.ifindex;
	vr->host_ifindex = host.ifindex;
	return cnet_link_change(run->hnl, &hc, "mark the host end");
}

static void rollback(struct run *run)
{
	const struct veth_run *vr = run->priv;

	if (run->created)
		cnet_link_del_by_name(run->hnl, vr->host_name); /* gone with its peer, normally */
	cnet_lower_rollback(run, &vr->vx);
	if (vr->made_bridge)
		cnet_link_del_by_name(run->hnl, ((const struct veth *)run->att->priv)->bridge);
}

static void record(const struct run *run, cJSON *rec, bool pending)
{
	const struct veth_run *vr = run->priv;
	cJSON *o = cJSON_AddObjectToObject(rec, "host");
	char buf[18];

	cJSON_AddStringToObject(o, "ifname", vr->host_name);
	cJSON_AddStringToObject(o, "bridge", ((const struct veth *)run->att->priv)->bridge);
	/* Pending: the intent, since a crash may come right after. */
	cJSON_AddBoolToObject(o, "created_bridge", pending ? vr->make_bridge : vr->made_bridge);
	if (vr->make_bridge) {
		/* What tells this bridge from another of the same name. */
		cnet_mac_str(vr->bridge_mac, buf);
		cJSON_AddStringToObject(o, "bridge_mac", buf);
		if (!pending)
			cJSON_AddNumberToObject(o, "bridge_ifindex", vr->bridge.ifindex);
	}
	cnet_lower_record(run, &vr->vx, rec, pending);
}

/* The host end (normally gone with its peer; a crash may have left it,
 * unmarked if the record is still pending), then the bridge cnet made,
 * unless another record on it inherits the duty to remove it. */
static int undo(struct cnet_undo *u, cJSON *rec)
{
	static const char *const keys[] = {"created_bridge", "bridge_mac", "bridge_ifindex"};
	const cJSON *host = cJSON_GetObjectItemCaseSensitive(rec, "host");
	const char *bridge = cnet_json_str(host, "bridge");
	unsigned char mac[6];
	struct cnet_linkinfo li;
	char what[64];
	int r;

	r = cnet_link_get(u->hnl, 0, cnet_json_str(host, "ifname"), &li);
	if (r == 0 && (cnet_record_marks(rec, &li) ||
		       (cnet_record_pending(rec) && !li.alias[0] && !strcmp(li.kind, "veth")))) {
		snprintf(what, sizeof(what), "remove '%s'", li.name);
		r = cnet_link_del(u->hnl, li.ifindex, what);
	}
	if (r < 0 && r != -ENODEV)
		return r;
	r = cnet_lower_undo_made(u, rec); /* a port of the bridge: first */
	if (r < 0)
		return r;
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(host, "created_bridge")) ||
	    cnet_record_hand_over(u->st, rec, "bridge", keys, ARRAY_SIZE(keys)))
		return 0;
	r = cnet_link_get(u->hnl, 0, bridge, &li);
	if (r == -ENODEV)
		return 0;
	if (r < 0)
		return r;
	/* Only the bridge cnet made: same kind, ifindex and the MAC it was
	 * given, no ports and no addresses. Anything else is someone's. */
	if (strcmp(li.kind, "bridge") ||
	    (cJSON_GetObjectItemCaseSensitive(host, "bridge_ifindex") &&
	     li.ifindex != (int)cnet_json_int(host, "bridge_ifindex", 1, INT32_MAX, -1)) ||
	    cnet_parse_mac(cnet_json_str(host, "bridge_mac"), mac) < 0 || memcmp(mac, li.mac, 6) ||
	    cnet_link_has_global_addr(u->hnl, li.ifindex) != 0) {
		cnet_clear_err(u->ctx);
		cnet_result_add_warning(u->res, "bridge '%s' is not the one cnet created, or is in use; left alone",
					bridge);
		return 0;
	}
	r = cnet_link_has_slaves(u->hnl, li.ifindex);
	if (r != 0)
		return r < 0 ? r : 0; /* someone else's ports: leave it */
	snprintf(what, sizeof(what), "remove bridge '%s'", bridge);
	r = cnet_link_del(u->hnl, li.ifindex, what);
	if (r == 0)
		cnet_result_add_action(u->res, "remove bridge %s", bridge);
	return r;
}

/* Bandwidth limits on the host end, where the container cannot reach. */
static int shape_host(const struct run *run)
{
	return ((const struct veth_run *)run->priv)->host_ifindex;
}

/* the bridge its host end was on (that end died with the namespace) */
static const char *host_link(const cJSON *rec)
{
	return cnet_json_str(cJSON_GetObjectItemCaseSensitive(rec, "options"), "bridge");
}

const struct cnet_kind_ops cnet_kind_veth = {
	.name = "veth",
	.kind = CNET_KIND_VETH,
	.opts_size = sizeof(struct veth),
	.run_size = sizeof(struct veth_run),
	.options = CNET_OPT_BRIDGE | CNET_OPT_HOST_IFNAME | CNET_OPT_VXLAN,
	.rename = CNET_SET_ALIAS,
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
	.shape_host = shape_host,
};
