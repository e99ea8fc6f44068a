/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bond: a composite kind. Each slave is an attachment of its own
 * (host-device, macvlan or sriov), described through the public setters
 * and attached by the engine as a child record of the bond's, left down
 * and unaddressed: so what it lent (a device, a VF and its PF settings) is
 * restored exactly as a standalone detach would, and the engine undoes the
 * children with the bond. Then the bond is created in the container, down,
 * with its mode and options; the slaves are enslaved; MTU, MAC, up,
 * addresses and routes follow on the bond, or, with --vlan (sw), on a VLAN
 * made on it (setup_l3).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <netlink/msg.h>

#include "kind.h"

struct bond {
	struct cnet_bond_opts opts;
	char slaves[8][48];
	size_t n_slaves;
	char given[32][64]; /* "name=value", as given: the record's */
	size_t n_given;
	bool vlan_hw;		    /* tagged by the PF on each VF slave */
	char vlan_ifname[IFNAMSIZ]; /* sw: its name (default IFNAME.VID) */
	/* of VFs, with --ip dhcp: ARP-monitor the lease's router once bound
	 * (decided with the defaults, which are applied once) */
	bool arp_after_lease;
};

#define BOND(att) ((struct bond *)(att)->priv)

/* "in:NAME" slaves: links already in the container (another attachment's,
 * as a CNI runtime's earlier ADDs leave them), enslaved as they are and
 * left in the container on undo, up again if they were. */
struct bond_run {
	int in_ifindex[8];
	bool in_up[8];
};

#define BOND_RUN(run) ((struct bond_run *)(run)->priv)

static bool in_ns(const char *spec)
{
	return !strncmp(spec, "in:", 3);
}

CNET_EXPORT int cnet_attach_add_bond_slave(struct cnet_attach *att, const char *spec)
{
	const char *colon = spec ? strchr(spec, ':') : NULL;
	struct bond *b = BOND(att);
	int r = cnet_kind_accepts(att, CNET_OPT_SLAVE, "--slave");

	if (r < 0)
		return r;
	cnet_clear_err(att->ctx);
	if (!colon || strlen(spec) >= sizeof(b->slaves[0]) || !colon[1] ||
	    (strncmp(spec, "sriov:", 6) && strncmp(spec, "dev:", 4) && strncmp(spec, "macvlan:", 8) &&
	     !in_ns(spec)) ||
	    (in_ns(spec) && !cnet_ifname_ok(spec + 3)))
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
				 "invalid --slave '%s' (sriov:PF, sriov:PF/VF, dev:IF, macvlan:PARENT or in:IF)",
				 spec ? spec : "");
	if (b->n_slaves == ARRAY_SIZE(b->slaves))
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "too many slaves (at most %zu)",
				 ARRAY_SIZE(b->slaves));
	for (size_t i = 0; i < b->n_slaves; i++)
		if (!strcmp(b->slaves[i], spec) && strcmp(spec, "sriov:") && !strchr(spec, '/') &&
		    strncmp(spec, "sriov:", 6))
			return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "--slave '%s' given twice",
					 spec);
	strcpy(b->slaves[b->n_slaves++], spec);
	return 0;
}

CNET_EXPORT int cnet_attach_set_bond_option(struct cnet_attach *att, const char *name,
					    const char *value)
{
	struct bond *b = BOND(att);
	char what[40];
	int r;

	snprintf(what, sizeof(what), "--%s", name ? name : "?");
	r = cnet_kind_accepts(att, CNET_OPT_BOND, what);
	if (r < 0)
		return r;
	cnet_clear_err(att->ctx);
	r = cnet_bond_opt_set(att->ctx, &b->opts, name, value);
	if (r < 0 || !strcmp(name, "mode"))
		return r;
	if (b->n_given == ARRAY_SIZE(b->given) ||
	    (size_t)snprintf(b->given[b->n_given], sizeof(b->given[0]), "%s=%s", name, value) >=
		    sizeof(b->given[0]))
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "too many or too long bond options");
	b->n_given++;
	return 0;
}

CNET_EXPORT int cnet_attach_set_vlan_mode(struct cnet_attach *att, const char *mode)
{
	int r = cnet_kind_accepts(att, CNET_OPT_VLAN_MODE, "--vlan-mode");

	if (r < 0)
		return r;
	if (!mode || (strcmp(mode, "sw") && strcmp(mode, "hw")))
		return cnet_attach_invalid(att, "invalid --vlan-mode '%s' (sw or hw)", mode ? mode : "");
	BOND(att)->vlan_hw = !strcmp(mode, "hw");
	return 0;
}

CNET_EXPORT int cnet_attach_set_vlan_ifname(struct cnet_attach *att, const char *ifname)
{
	int r = cnet_kind_accepts(att, CNET_OPT_VLAN_IFNAME, "--vlan-ifname");

	return r < 0 ? r : cnet_attach_copy_name(att, BOND(att)->vlan_ifname, ifname);
}

static void init(struct cnet_attach *att)
{
	cnet_bond_opts_init(&BOND(att)->opts);
}

static int set_vlan(struct cnet_attach *att, unsigned int vid, unsigned int qos, unsigned int proto)
{
	return cnet_vlan_set_id(att, vid, qos, proto, true);
}

static void slave_name(const struct cnet_attach *att, size_t i, char out[IFNAMSIZ])
{
	const char *spec = BOND(att)->slaves[i];
	char buf[40];

	if (in_ns(spec)) {
		snprintf(out, IFNAMSIZ, "%s", spec + 3);
		return;
	}
	snprintf(buf, sizeof(buf), "%ss%zu", att->ifname, i);
	snprintf(out, IFNAMSIZ, "%.15s", buf);
}

static bool has_vf_slave(const struct bond *b)
{
	for (size_t i = 0; i < b->n_slaves; i++)
		if (!strncmp(b->slaves[i], "sriov:", 6))
			return true;
	return false;
}

static bool all_vf_slaves(const struct bond *b)
{
	for (size_t i = 0; i < b->n_slaves; i++)
		if (strncmp(b->slaves[i], "sriov:", 6))
			return false;
	return true;
}

/* --vlan on a bond: a subinterface on it (sw), which carries the
 * addresses, or the PF tagging each VF slave (hw). VF settings need VF
 * slaves to apply to. */
static int verify_vlan(struct cnet_attach *att, struct bond *b)
{
	if (att->vf_set && !has_vf_slave(b))
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
				 "VF settings (--spoofchk, --trust, --link-state, rates) need a VF slave (sriov:PF)");
	if (!att->vlan) {
		if (b->vlan_hw || b->vlan_ifname[0])
			return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
					 "--vlan-mode and --vlan-ifname need --vlan VID");
		return 0;
	}
	if (b->vlan_hw) {
		if (!all_vf_slaves(b))
			return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
					 "--vlan-mode hw needs every slave to be a VF (sriov:PF or sriov:PF/VF)");
		if (b->vlan_ifname[0])
			return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
					 "--vlan-ifname applies to --vlan-mode sw (the default)");
		return 0;
	}
	if (att->vlan_qos)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
				 "a VLAN priority (--vlan VID:QOS) needs --vlan-mode hw");
	if (!b->vlan_ifname[0]) {
		char name[32];
		int n = snprintf(name, sizeof(name), "%s.%d", att->ifname, att->vlan);
		if (n >= IFNAMSIZ)
			return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
					 "VLAN interface name '%s' is longer than 15 bytes (name it with --vlan-ifname)",
					 name);
		memcpy(b->vlan_ifname, name, (size_t)n + 1);
	}
	if (!strcmp(b->vlan_ifname, att->ifname))
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
				 "--vlan-ifname '%s' is the bond's own name", b->vlan_ifname);
	strcpy(att->l3_ifname, b->vlan_ifname);
	return 0;
}

/* The defaults that depend on the slaves: VF slaves keep their carrier
 * when the PF loses its link, so miimon cannot see that; with a gateway
 * and a mode that allows it, the gateway is ARP-monitored instead. */
static void defaults(struct cnet_attach *att, struct bond *b)
{
	struct cnet_bond_opts *o = &b->opts;
	bool monitor = (o->set & (CNET_BOND_MIIMON | CNET_BOND_ARP_INTERVAL)) != 0;

	if (o->mode >= 0 && !monitor) {
		bool arp_ok = o->mode != CNET_BOND_8023AD && o->mode != CNET_BOND_TLB &&
			      o->mode != CNET_BOND_ALB;
		if (has_vf_slave(b) && att->has_gw4 && arp_ok) {
			o->set |= CNET_BOND_ARP_INTERVAL;
			o->arp_interval = 100;
			memcpy(o->targets[0], att->gw4.a, 4);
			o->n_targets = 1;
		} else {
			/* With --ip dhcp the gateway is known once the lease
			 * is: miimon until then, its router ARP-monitored after. */
			o->set |= CNET_BOND_MIIMON;
			o->miimon = 100;
			b->arp_after_lease = has_vf_slave(b) && att->dhcp && arp_ok &&
					     !(att->flags & CNET_ATTACH_NO_GW);
		}
	}
	if (o->mode == CNET_BOND_ACTIVE_BACKUP && has_vf_slave(b) && !(o->set & CNET_BOND_FAIL_OVER_MAC)) {
		/* The PF may refuse a VF a MAC it did not set: let each slave
		 * keep its own, the active one's being the bond's. */
		o->set |= CNET_BOND_FAIL_OVER_MAC;
		o->fail_over_mac = 1;
	}
}

static int verify(struct cnet_attach *att)
{
	struct bond *b = BOND(att);
	int r;

	if (!b->n_slaves)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "bond needs at least one --slave");
	if (strlen(att->ifname) + 1 + (b->n_slaves > 10 ? 2 : 1) >= IFNAMSIZ)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
				 "bond name '%s' is too long to name its slaves %ssN", att->ifname,
				 att->ifname);
	defaults(att, b);
	r = cnet_bond_opts_check(att->ctx, &b->opts);
	if (r == 0)
		r = verify_vlan(att, b);
	if (r < 0 || !b->opts.primary[0])
		return r;
	for (size_t i = 0; i < b->n_slaves; i++) {
		char n[IFNAMSIZ];
		slave_name(att, i, n);
		if (!strcmp(n, b->opts.primary))
			return 0;
	}
	return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
			 "--primary '%s' is none of the bond's slaves (%ss0...)", b->opts.primary,
			 att->ifname);
}

static void options_json(const struct cnet_attach *att, cJSON *o)
{
	const struct bond *b = BOND(att);
	cJSON *a;

	cJSON_AddStringToObject(o, "mode", cnet_bond_mode_to_string(b->opts.mode));
	a = cJSON_AddArrayToObject(o, "slaves");
	for (size_t i = 0; a && i < b->n_slaves; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(b->slaves[i]));
	/* as given (before defaults): what the user asked is compared */
	a = cJSON_AddArrayToObject(o, "bond_options");
	for (size_t i = 0; a && i < b->n_given; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(b->given[i]));
	if (att->vlan) {
		cJSON_AddNumberToObject(o, "vlan", att->vlan);
		if (att->vlan_proto == 0x88a8)
			cJSON_AddStringToObject(o, "vlan_proto", "802.1ad");
		cJSON_AddStringToObject(o, "vlan_mode", b->vlan_hw ? "hw" : "sw");
		if (b->vlan_hw)
			cJSON_AddNumberToObject(o, "qos", att->vlan_qos);
		else
			cJSON_AddStringToObject(o, "vlan_ifname", b->vlan_ifname);
	}
	cnet_vfinfo_json(o, &att->vf_want, att->vf_set & ~(1u << CNET_VF_MAC | 1u << CNET_VF_VLAN));
}

static int from_record(struct cnet_attach *att, const cJSON *rec)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "options"), *v;
	int r = cnet_attach_set_bond_option(att, "mode", cnet_json_str(o, "mode"));
	struct cnet_vfinfo vf = {0};

	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(o, "slaves"))
		if (r == 0)
			r = cnet_attach_add_bond_slave(att, cJSON_GetStringValue(v) ?: "");
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(o, "bond_options"))
	{
		char buf[96], *eq;
		snprintf(buf, sizeof(buf), "%s", cJSON_GetStringValue(v) ?: "");
		eq = strchr(buf, '=');
		if (r == 0 && eq) {
			*eq = '\0';
			r = cnet_attach_set_bond_option(att, buf, eq + 1);
		}
	}
	if (r == 0 && cJSON_GetObjectItemCaseSensitive(o, "vlan")) {
		r = cnet_attach_set_vlan(att, (unsigned int)cnet_json_int(o, "vlan", 1, 4094, 0),
					 (unsigned int)cnet_json_int(o, "qos", 0, 7, 0),
					 *cnet_json_str(o, "vlan_proto") ? cnet_json_str(o, "vlan_proto") : NULL);
		if (r == 0)
			r = cnet_attach_set_vlan_mode(att, cnet_json_str(o, "vlan_mode"));
		if (r == 0 && *cnet_json_str(o, "vlan_ifname"))
			r = cnet_attach_set_vlan_ifname(att, cnet_json_str(o, "vlan_ifname"));
	}
	att->vf_set = cnet_vfinfo_from_json(o, &vf) & ~(1u << CNET_VF_MAC | 1u << CNET_VF_VLAN);
	att->vf_want = vf;
	return r;
}

/* Slave i as an attachment of its own, described as a user would. */
static int slave_new(struct run *run, size_t i, struct cnet_attach **out)
{
	struct cnet_attach *att = run->att, *s;
	const struct bond *b = BOND(att);
	const char *spec = b->slaves[i], *v = strchr(spec, ':') + 1;
	bool vf = !strncmp(spec, "sriov:", 6), dev = !strncmp(spec, "dev:", 4);
	char name[IFNAMSIZ], pf[48], *slash;
	int r;

	r = cnet_attach_new(run->ctx, att->target, cnet_kind_from_string(vf ? "sriov" : dev ? "host-device" : "macvlan"), &s);
	if (r < 0)
		return r;
	slave_name(att, i, name);
	r = cnet_attach_set_ifname(s, name);
	if (r == 0 && dev)
		r = cnet_attach_set_device(s, v);
	if (r == 0 && !vf && !dev)
		r = cnet_attach_set_parent(s, v);
	if (r == 0 && att->mtu)
		r = cnet_attach_set_mtu(s, att->mtu); /* checked against each slave's parent or PF */
	if (r == 0 && vf)
		r = cnet_vf_settings_copy(s, att);
	if (r == 0 && vf && att->vlan && b->vlan_hw)
		r = cnet_attach_set_vlan(s, (unsigned int)att->vlan, att->vlan_qos,
					 att->vlan_proto == 0x88a8 ? "802.1ad" : NULL);
	if (r == 0 && vf) {
		snprintf(pf, sizeof(pf), "%s", v);
		slash = strchr(pf, '/');
		if (slash)
			*slash = '\0';
		r = cnet_attach_set_pf(s, pf);
		if (r == 0 && slash) {
			unsigned long n;
			r = cnet_parse_uint(slash + 1, 255, &n) < 0
				    ? cnet_errc(run->ctx, CNET_ERR_INVALID, -EINVAL, "invalid VF in --slave '%s'", spec)
				    : cnet_attach_set_vf(s, (unsigned int)n);
		}
	}
	if (r < 0) {
		cnet_attach_free(s);
		return r;
	}
	*out = s;
	return 0;
}

/* Each slave, attached as a child (dry: only asked). */
static int attach_slaves(struct run *run, bool dry)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < BOND(run->att)->n_slaves; i++) {
		struct cnet_attach *s;
		if (in_ns(BOND(run->att)->slaves[i]))
			continue;
		r = slave_new(run, i, &s);
		if (r < 0)
			return r;
		if (dry)
			s->flags |= CNET_ATTACH_DRY_RUN;
		r = run->attach_child(run, s);
		cnet_attach_free(s);
	}
	return r;
}

/* Each slave's attach checks its own when it runs; a dry run asks each
 * of them now, so that it says truthfully what would fail. */
static int preflight(struct run *run)
{
	const struct bond *b = BOND(run->att);
	struct cnet_linkinfo li;

	for (size_t i = 0; i < b->n_slaves; i++) {
		int r;
		if (!in_ns(b->slaves[i]))
			continue;
		r = cnet_link_get(run->tnl, 0, b->slaves[i] + 3, &li);
		if (r < 0)
			return cnet_missing(run->ctx, r, "slave", b->slaves[i] + 3, "in the container");
		if (li.master)
			return cnet_errc(run->ctx, CNET_ERR_BUSY, -EBUSY, "slave '%s' is already enslaved in %s",
					 li.name, run->att->target);
		BOND_RUN(run)->in_ifindex[i] = li.ifindex;
		BOND_RUN(run)->in_up[i] = li.flags & IFF_UP;
	}
	return run->att->flags & CNET_ATTACH_DRY_RUN ? attach_slaves(run, true) : 0;
}

/* A VF keeps its carrier when its PF loses link: MII monitoring of VF
 * slaves never fails over. Said, not refused: the user may know better
 * (a PF that does propagate link state to its VFs). */
static void plan(struct run *run, struct cnet_result *res)
{
	struct cnet_attach *att = run->att;
	const struct bond *b = BOND(att);
	const struct cnet_bond_opts *o = &b->opts;

	if (has_vf_slave(b) && !((o->set & CNET_BOND_ARP_INTERVAL) && o->arp_interval) &&
	    !b->arp_after_lease)
		cnet_result_add_warning(res,
					"with VF slaves, %s cannot see a PF losing its link (a VF keeps its carrier); "
					"ARP monitoring can (--gw, or --arp-interval and --arp-ip-target)",
					(o->set & CNET_BOND_MIIMON) && o->miimon ? "miimon" : "this bond");
	for (size_t i = 0; i < b->n_slaves; i++)
		cnet_result_add_action(res, "attach slave %s as %ss%zu", b->slaves[i], att->ifname, i);
	cnet_result_add_action(res, "create bond %s (%s) in %s and enslave them", att->ifname,
			       cnet_bond_mode_to_string(o->mode), att->target);
	if (att->vlan && b->vlan_hw)
		cnet_result_add_action(res, "VLAN %d: set by the PF on each VF slave", att->vlan);
	else if (att->vlan)
		cnet_result_add_action(res, "create VLAN %d on %s as %s in %s", att->vlan, att->ifname,
				       att->l3_ifname, att->target);
}

static int enslave(struct run *run, int bond)
{
	struct cnet_link_change en = {.ns_fd = -1, .up = -1, .master = bond};
	const struct bond *b = BOND(run->att);
	struct cnet_linkinfo sl, prim;
	struct nl_msg *msg = NULL;
	char what[64];
	int r;

	for (size_t i = 0; i < b->n_slaves; i++) {
		char name[IFNAMSIZ];
		slave_name(run->att, i, name);
		r = cnet_link_get(run->tnl, 0, name, &sl);
		if (r < 0)
			return r;
		if (in_ns(b->slaves[i]) && (sl.flags & IFF_UP)) {
			/* the kernel enslaves only a link that is down */
			struct cnet_link_change down = {.ifindex = sl.ifindex, .ns_fd = -1, .up = 0};
			snprintf(what, sizeof(what), "set '%s' down to enslave it", name);
			r = cnet_link_change(run->tnl, &down, what);
			if (r < 0)
				return r;
		}
		en.ifindex = sl.ifindex;
		snprintf(what, sizeof(what), "enslave '%s' to the bond", name);
		r = cnet_link_change(run->tnl, &en, what);
		if (r < 0)
			return r;
	}
	if (!b->opts.primary[0])
		return 0;
	struct cnet_bond_opts only = b->opts;
	only.set = 0;
	r = cnet_link_get(run->tnl, 0, b->opts.primary, &prim);
	if (r == 0)
		r = cnet_link_build_bond(run->ctx, &only, NULL, bond, -1, prim.ifindex, &msg);
	return r < 0 ? r : cnet_nl_talk(run->tnl, msg, "set the bond's primary slave");
}

/* The slaves first, each recorded as its own attachment; then the bond. */
static int create(struct run *run)
{
	struct cnet_attach *att = run->att;
	struct cnet_linkinfo li;
	struct nl_msg *msg = NULL;
	char what[96];
	int r;

	r = attach_slaves(run, false);
	if (r == 0)
		r = cnet_link_build_bond(run->ctx, &BOND(att)->opts, run->tmp_name, 0, run->t.fd, 0, &msg);
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "create bond %s in %s", att->ifname, att->target);
	r = cnet_link_create(run->hnl, msg, what, &run->created, run->tnl, run->tmp_name, &li);
	if (r == 0)
		r = enslave(run, li.ifindex);
	return r < 0 ? r : cnet_link_get(run->tnl, li.ifindex, NULL, &run->link);
}

/* --vlan-mode sw: the bond is named, given its MTU, MAC and mark, and
 * brought up; then the VLAN is made on it, down, under a temporary name,
 * with the bond's MTU (never more). The engine addresses the VLAN, names
 * it and brings it up as it does any new link. Deleting the bond (detach,
 * rollback) deletes the VLAN with it. */
static int setup_l3(struct run *run)
{
	struct cnet_attach *att = run->att;
	struct cnet_link_change c = {.ifindex = run->link.ifindex, .name = att->ifname, .ns_fd = -1,
				     .up = 1, .mtu = att->mtu, .mac = att->has_mac ? att->mac : NULL,
				     .alias = run->alias};
	struct cnet_vlan_opts o = {.name = run->l3_tmp, .parent = run->link.ifindex,
				   .vid = (unsigned int)att->vlan, .proto = att->vlan_proto, .ns_fd = -1};
	struct nl_msg *msg;
	char what[96];
	int r;

	if (!att->l3_ifname[0])
		return 0;
	snprintf(what, sizeof(what), "name bond '%s' and bring it up in %s", att->ifname, att->target);
	r = cnet_link_change(run->tnl, &c, what);
	if (r == 0)
		r = cnet_link_get(run->tnl, run->link.ifindex, NULL, &run->link);
	if (r < 0)
		return r;
	r = cnet_link_build_vlan(run->ctx, &o, &msg);
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "create VLAN %d on bond '%s'", att->vlan, att->ifname);
	r = cnet_nl_talk(run->tnl, msg, what);
	return r < 0 ? r : cnet_link_get(run->tnl, 0, run->l3_tmp, &run->l3);
}

/* --ip dhcp on a bond of VFs: once the lease names a router, the bond
 * ARP-monitors it (every 100 ms), as it would a --gw. */
static int post_lease(struct run *run)
{
	struct cnet_bond_opts o;
	struct nl_msg *msg;
	int r;

	if (!BOND(run->att)->arp_after_lease || !run->leased || !run->lease.has_router)
		return 0;
	cnet_bond_opts_init(&o);
	o.set = CNET_BOND_ARP_INTERVAL;
	o.arp_interval = 100;
	memcpy(o.targets[0], &run->lease.router, 4);
	o.n_targets = 1;
	r = cnet_link_build_bond(run->ctx, &o, NULL, run->link.ifindex, -1, 0, &msg);
	return r < 0 ? r : cnet_nl_talk(run->tnl, msg, "ARP-monitor the DHCP router on the bond");
}

/* An in: slave the bond let go (deleting a bond releases its slaves,
 * down, with their MTU and MAC restored): up again if it was. Only in
 * the container: a link there is never taken anywhere else. */
static void in_slaves_up(struct cnet_nl *tnl, const cJSON *a, struct cnet_result *res)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, a)
	{
		struct cnet_link_change up = {.ns_fd = -1, .up = 1};
		struct cnet_linkinfo li;
		up.ifindex = (int)cnet_json_int(e, "ifindex", 1, INT32_MAX, 0);
		if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "up")) || !up.ifindex ||
		    cnet_link_get(tnl, up.ifindex, NULL, &li) < 0 || li.master || (li.flags & IFF_UP)) {
			cnet_clear_err(cnet_nl_ctx(tnl));
			continue;
		}
		cnet_result_warn_failed(cnet_nl_ctx(tnl), res,
					cnet_link_change(tnl, &up, "bring a released slave up"),
					"bring a released slave up again");
	}
}

static cJSON *in_slaves_json(const struct run *run)
{
	const struct bond *b = BOND(run->att);
	cJSON *a = cJSON_CreateArray(), *o;

	for (size_t i = 0; a && i < b->n_slaves; i++) {
		if (!in_ns(b->slaves[i]) || !(o = cJSON_CreateObject()))
			continue;
		cJSON_AddStringToObject(o, "name", b->slaves[i] + 3);
		cJSON_AddNumberToObject(o, "ifindex", BOND_RUN(run)->in_ifindex[i]);
		cJSON_AddBoolToObject(o, "up", BOND_RUN(run)->in_up[i]);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static void record(const struct run *run, cJSON *rec, bool pending)
{
	cJSON *a = in_slaves_json(run);

	if (cJSON_GetArraySize(a))
		cJSON_AddItemToObject(rec, "in_slaves", a);
	else
		cJSON_Delete(a);
}

static void rollback(struct run *run)
{
	cJSON *a = in_slaves_json(run);

	in_slaves_up(run->tnl, a, NULL);
	cJSON_Delete(a);
}

static int undo(struct cnet_undo *u, cJSON *rec)
{
	if (u->alive)
		in_slaves_up(u->tnl, cJSON_GetObjectItemCaseSensitive(rec, "in_slaves"), u->res);
	return 0;
}

const struct cnet_kind_ops cnet_kind_bond = {
	.name = "bond",
	.kind = CNET_KIND_BOND,
	.opts_size = sizeof(struct bond),
	.run_size = sizeof(struct bond_run),
	.options = CNET_OPT_SLAVE | CNET_OPT_BOND | CNET_OPT_VLAN | CNET_OPT_VLAN_MODE |
		   CNET_OPT_VLAN_IFNAME | CNET_OPT_VF_SETTINGS,
	.rename = CNET_SET_MTU | CNET_SET_MAC | CNET_SET_ALIAS,
	.composite = true,
	.mac_follows = true,
	.init = init,
	.set_vlan = set_vlan,
	.verify = verify,
	.options_json = options_json,
	.from_record = from_record,
	.preflight = preflight,
	.plan = plan,
	.create = create,
	.setup_l3 = setup_l3,
	.post_lease = post_lease,
	.record = record,
	.rollback = rollback,
	.undo = undo,
};
