/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The bond kind. Each slave is an attachment of its own (host-device,
 * macvlan or sriov) made by the same code as a standalone one, left down
 * and unaddressed, with its own record marked "slave_of" the bond's: so
 * what it lent (a device, a VF and its PF settings) is restored exactly as
 * a standalone detach would. Then the bond is created in the container,
 * down, with its mode and options; the slaves are enslaved; MTU, MAC, up,
 * addresses and routes follow on the bond. A failure at any step undoes
 * the bond and every slave made so far.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <netlink/msg.h>

#include "attach.h"

CNET_EXPORT int cnet_attach_add_bond_slave(struct cnet_attach *att, const char *spec)
{
	const char *colon = spec ? strchr(spec, ':') : NULL;

	cnet_clear_err(att->ctx);
	if (att->kind != CNET_KIND_BOND)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "--slave applies to bond, not %s",
				 cnet_kind_to_string(att->kind));
	if (!colon || strlen(spec) >= sizeof(att->slaves[0]) || !colon[1] ||
	    (strncmp(spec, "sriov:", 6) && strncmp(spec, "dev:", 4) && strncmp(spec, "macvlan:", 8)))
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
				 "invalid --slave '%s' (sriov:PF, sriov:PF/VF, dev:IF or macvlan:PARENT)",
				 spec ? spec : "");
	if (att->n_slaves == ARRAY_SIZE(att->slaves))
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "too many slaves (at most %zu)",
				 ARRAY_SIZE(att->slaves));
	for (size_t i = 0; i < att->n_slaves; i++)
		if (!strcmp(att->slaves[i], spec) && strcmp(spec, "sriov:") && !strchr(spec, '/') &&
		    strncmp(spec, "sriov:", 6))
			return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "--slave '%s' given twice",
					 spec);
	strcpy(att->slaves[att->n_slaves++], spec);
	return 0;
}

CNET_EXPORT int cnet_attach_set_bond_option(struct cnet_attach *att, const char *name,
					    const char *value)
{
	int r;

	cnet_clear_err(att->ctx);
	if (att->kind != CNET_KIND_BOND)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "--%s applies to bond, not %s",
				 name ? name : "?", cnet_kind_to_string(att->kind));
	r = cnet_bond_opt_set(att->ctx, &att->bond, name, value);
	if (r < 0 || !strcmp(name, "mode"))
		return r;
	if (att->n_bond_given == ARRAY_SIZE(att->bond_given) ||
	    (size_t)snprintf(att->bond_given[att->n_bond_given], sizeof(att->bond_given[0]), "%s=%s",
			     name, value) >= sizeof(att->bond_given[0]))
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "too many or too long bond options");
	att->n_bond_given++;
	return 0;
}

CNET_EXPORT int cnet_attach_set_vlan_mode(struct cnet_attach *att, const char *mode)
{
	cnet_clear_err(att->ctx);
	if (att->kind != CNET_KIND_BOND)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "--vlan-mode applies to bond, not %s",
				 cnet_kind_to_string(att->kind));
	if (!mode || (strcmp(mode, "sw") && strcmp(mode, "hw")))
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "invalid --vlan-mode '%s' (sw or hw)",
				 mode ? mode : "");
	att->vlan_hw = !strcmp(mode, "hw");
	return 0;
}

CNET_EXPORT int cnet_attach_set_vlan_ifname(struct cnet_attach *att, const char *ifname)
{
	cnet_clear_err(att->ctx);
	if (att->kind != CNET_KIND_BOND)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "--vlan-ifname applies to bond, not %s",
				 cnet_kind_to_string(att->kind));
	if (cnet_check_ifname(att->ctx, ifname) < 0)
		return -EINVAL;
	strcpy(att->vlan_ifname, ifname);
	return 0;
}

static void slave_name(const struct cnet_attach *att, size_t i, char out[IFNAMSIZ])
{
	char buf[40];

	snprintf(buf, sizeof(buf), "%ss%zu", att->ifname, i);
	snprintf(out, IFNAMSIZ, "%.15s", buf);
}

static bool has_vf_slave(const struct cnet_attach *att)
{
	for (size_t i = 0; i < att->n_slaves; i++)
		if (!strncmp(att->slaves[i], "sriov:", 6))
			return true;
	return false;
}

static bool all_vf_slaves(const struct cnet_attach *att)
{
	for (size_t i = 0; i < att->n_slaves; i++)
		if (strncmp(att->slaves[i], "sriov:", 6))
			return false;
	return true;
}

/* --vlan on a bond: a subinterface on it (sw), or the PF tagging each VF
 * slave (hw). VF settings need VF slaves to apply to. */
static int check_vlan(struct run *run)
{
	struct cnet_attach *att = run->att;

	if (att->vf_set && !has_vf_slave(att))
		return cnet_errc(run->ctx, CNET_ERR_INVALID, -EINVAL,
				 "VF settings (--spoofchk, --trust, --link-state, rates) need a VF slave (sriov:PF)");
	if (!att->vlan) {
		if (att->vlan_hw || att->vlan_ifname[0])
			return cnet_errc(run->ctx, CNET_ERR_INVALID, -EINVAL,
					 "--vlan-mode and --vlan-ifname need --vlan VID");
		return 0;
	}
	if (att->vlan_hw) {
		if (!all_vf_slaves(att))
			return cnet_errc(run->ctx, CNET_ERR_INVALID, -EINVAL,
					 "--vlan-mode hw needs every slave to be a VF (sriov:PF or sriov:PF/VF)");
		if (att->vlan_ifname[0])
			return cnet_errc(run->ctx, CNET_ERR_INVALID, -EINVAL,
					 "--vlan-ifname applies to --vlan-mode sw (the default)");
		return 0;
	}
	if (att->vlan_qos)
		return cnet_errc(run->ctx, CNET_ERR_INVALID, -EINVAL,
				 "a VLAN priority (--vlan VID:QOS) needs --vlan-mode hw");
	if (!att->vlan_ifname[0]) {
		char name[32];
		int n = snprintf(name, sizeof(name), "%s.%d", att->ifname, att->vlan);
		if (n >= IFNAMSIZ)
			return cnet_errc(run->ctx, CNET_ERR_INVALID, -EINVAL,
					 "VLAN interface name '%s' is longer than 15 bytes (name it with --vlan-ifname)",
					 name);
		memcpy(att->vlan_ifname, name, (size_t)n + 1);
	}
	if (!strcmp(att->vlan_ifname, att->ifname))
		return cnet_errc(run->ctx, CNET_ERR_INVALID, -EINVAL,
				 "--vlan-ifname '%s' is the bond's own name", att->vlan_ifname);
	return 0;
}

/* Static checks, and the defaults that depend on the slaves: VF slaves
 * keep their carrier when the PF loses its link, so miimon cannot see
 * that; with a gateway and a mode that allows it, the gateway is
 * ARP-monitored instead. */
int cnet_bond_check(struct run *run)
{
	struct cnet_attach *att = run->att;
	struct cnet_bond_opts *o = &att->bond;
	bool monitor = (o->set & (CNET_BOND_MIIMON | CNET_BOND_ARP_INTERVAL)) != 0;
	int r;

	if (!att->n_slaves)
		return cnet_errc(run->ctx, CNET_ERR_INVALID, -EINVAL, "bond needs at least one --slave");
	if (strlen(att->ifname) + 1 + (att->n_slaves > 10 ? 2 : 1) >= IFNAMSIZ)
		return cnet_errc(run->ctx, CNET_ERR_INVALID, -EINVAL,
				 "bond name '%s' is too long to name its slaves %ssN", att->ifname,
				 att->ifname);
	if (o->mode >= 0 && !monitor) {
		bool arp_ok = o->mode != CNET_BOND_8023AD && o->mode != CNET_BOND_TLB &&
			      o->mode != CNET_BOND_ALB;
		if (has_vf_slave(att) && att->has_gw4 && arp_ok) {
			o->set |= CNET_BOND_ARP_INTERVAL;
			o->arp_interval = 100;
			memcpy(o->targets[0], att->gw4.a, 4);
			o->n_targets = 1;
		} else {
			/* With --ip dhcp the gateway is known once the lease
			 * is: miimon until then, its router ARP-monitored after. */
			o->set |= CNET_BOND_MIIMON;
			o->miimon = 100;
			att->arp_after_lease = has_vf_slave(att) && att->dhcp && arp_ok &&
					       !(att->flags & CNET_ATTACH_NO_GW);
		}
	}
	if (o->mode == CNET_BOND_ACTIVE_BACKUP && has_vf_slave(att) &&
	    !(o->set & CNET_BOND_FAIL_OVER_MAC)) {
		/* The PF may refuse a VF a MAC it did not set: let each slave
		 * keep its own, the active one's being the bond's. */
		o->set |= CNET_BOND_FAIL_OVER_MAC;
		o->fail_over_mac = 1;
	}
	r = cnet_bond_opts_check(run->ctx, o);
	if (r < 0)
		return r;
	r = check_vlan(run);
	if (r < 0)
		return r;
	if (o->primary[0]) {
		char n[IFNAMSIZ];
		bool found = false;
		for (size_t i = 0; i < att->n_slaves; i++) {
			slave_name(att, i, n);
			found |= !strcmp(n, o->primary);
		}
		if (!found)
			return cnet_errc(run->ctx, CNET_ERR_INVALID, -EINVAL,
					 "--primary '%s' is none of the bond's slaves (%ss0...)", o->primary,
					 att->ifname);
	}
	return 0;
}

/* A VF keeps its carrier when its PF loses link: MII monitoring of VF
 * slaves never fails over. Said, not refused: the user may know better
 * (a PF that does propagate link state to its VFs). */
void cnet_bond_warn(struct run *run, struct cnet_result *res)
{
	const struct cnet_bond_opts *o = &run->att->bond;

	if (has_vf_slave(run->att) && !((o->set & CNET_BOND_ARP_INTERVAL) && o->arp_interval) &&
	    !run->att->arp_after_lease)
		cnet_result_add_warning(res,
					"with VF slaves, %s cannot see a PF losing its link (a VF keeps its carrier); "
					"ARP monitoring can (--gw, or --arp-interval and --arp-ip-target)",
					(o->set & CNET_BOND_MIIMON) && o->miimon ? "miimon" : "this bond");
}

static int make_slave(struct run *run, size_t i, struct cnet_attach **out)
{
	struct cnet_attach *att = run->att, *s;
	const char *spec = att->slaves[i], *v = strchr(spec, ':') + 1;
	int kind = !strncmp(spec, "sriov:", 6) ? CNET_KIND_SRIOV
		   : !strncmp(spec, "dev:", 4) ? CNET_KIND_HOST_DEVICE
					      : CNET_KIND_MACVLAN;
	char name[IFNAMSIZ], pf[48], *slash;
	int r;

	r = cnet_attach_new(run->ctx, att->target, kind, &s);
	if (r < 0)
		return r;
	s->runtime = att->runtime ? att->runtime : run->t.runtime;
	/* the bond's process or container, no other */
	s->pid_start = run->t.by_pid ? run->t.start_time : 0;
	memcpy(s->container_id, run->t.container_id, sizeof(s->container_id));
	s->as_slave = true;
	snprintf(s->slave_of, sizeof(s->slave_of), "%s", run->id);
	slave_name(att, i, name);
	r = cnet_attach_set_ifname(s, name);
	if (r == 0 && kind == CNET_KIND_HOST_DEVICE)
		r = cnet_attach_set_device(s, v);
	if (r == 0 && kind == CNET_KIND_MACVLAN)
		r = cnet_attach_set_parent(s, v);
	if (r == 0 && att->mtu)
		r = cnet_attach_set_mtu(s, att->mtu); /* checked against each slave's parent or PF */
	if (r == 0 && kind == CNET_KIND_SRIOV) {
		s->vf_want = att->vf_want;
		s->vf_set = att->vf_set;
		if (att->vlan && att->vlan_hw)
			r = cnet_attach_set_vlan(s, (unsigned int)att->vlan, att->vlan_qos,
						 att->vlan_proto == 0x88a8 ? "802.1ad" : NULL);
	}
	if (r == 0 && kind == CNET_KIND_SRIOV) {
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

/* Each slave's attach checks its own when it runs; a dry run asks each
 * of them now (as a dry run), so that it says truthfully what would fail. */
int cnet_bond_preflight(struct run *run)
{
	int r = 0;

	if (!(run->att->flags & CNET_ATTACH_DRY_RUN))
		return 0;
	for (size_t i = 0; r == 0 && i < run->att->n_slaves; i++) {
		struct cnet_result *sub = NULL;
		struct cnet_attach *s;
		r = make_slave(run, i, &s);
		if (r < 0)
			return r;
		s->flags |= CNET_ATTACH_DRY_RUN;
		r = cnet_result_new(run->ctx, &sub);
		if (r == 0)
			r = cnet_attach_locked(run->ctx, s, run->st, sub);
		cnet_result_free(sub);
		cnet_attach_free(s);
	}
	return r;
}

int cnet_bond_create(struct run *run)
{
	struct cnet_attach *att = run->att;
	struct cnet_link_change en = {.ns_fd = -1, .up = -1};
	struct cnet_linkinfo li, prim;
	struct nl_msg *msg;
	char what[96];
	int r;

	/* The slaves first, each recorded as its own attachment. */
	for (size_t i = 0; i < att->n_slaves; i++) {
		struct cnet_result *sub = NULL;
		struct cnet_attach *s;
		cJSON *last;

		r = make_slave(run, i, &s);
		if (r < 0)
			return r;
		r = cnet_result_new(run->ctx, &sub);
		if (r == 0)
			r = cnet_attach_locked(run->ctx, s, run->st, sub);
		for (size_t k = 0; sub && k < sub->n_warnings; k++)
			cnet_result_add_warning(run->res, "%s", sub->warnings[k]);
		cnet_result_free(sub);
		cnet_attach_free(s);
		if (r < 0)
			return r;
		last = cJSON_GetArrayItem(run->st->records, cJSON_GetArraySize(run->st->records) - 1);
		snprintf(run->slave_ids[run->n_slave_ids++], 9, "%s", cnet_json_str(last, "id"));
	}
	r = cnet_link_build_bond(run->ctx, &att->bond, run->tmp_name, 0, run->t.fd, 0, &msg);
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "create bond %s in %s", att->ifname, att->target);
	r = cnet_nl_talk(run->hnl, msg, what);
	if (r < 0)
		return r;
	run->created = run->made_bond = true;
	r = cnet_link_get(run->tnl, 0, run->tmp_name, &li);
	if (r < 0)
		return r;
	run->link.ifindex = li.ifindex;
	en.master = li.ifindex;
	for (size_t i = 0; i < att->n_slaves; i++) {
		char name[IFNAMSIZ];
		struct cnet_linkinfo sl;
		slave_name(att, i, name);
		r = cnet_link_get(run->tnl, 0, name, &sl);
		if (r < 0)
			return r;
		en.ifindex = sl.ifindex;
		snprintf(what, sizeof(what), "enslave '%s' to the bond", name);
		r = cnet_link_change(run->tnl, &en, what);
		if (r < 0)
			return r;
	}
	if (att->bond.primary[0]) {
		struct cnet_bond_opts only = att->bond;
		only.set = 0;
		r = cnet_link_get(run->tnl, 0, att->bond.primary, &prim);
		if (r == 0)
			r = cnet_link_build_bond(run->ctx, &only, NULL, li.ifindex, -1, prim.ifindex, &msg);
		if (r == 0)
			r = cnet_nl_talk(run->tnl, msg, "set the bond's primary slave");
		if (r < 0)
			return r;
	}
	return cnet_link_get(run->tnl, li.ifindex, NULL, &run->link);
}

/* Undo, newest first: the bond (which releases its slaves), then each
 * slave's attachment, as its own record says. A slave that cannot be
 * undone keeps its record (no longer a slave: its bond's record goes), so
 * that detach or gc finishes it. What detach's undo warns of, or records
 * as an error, is dropped: the failure that started this is the one to
 * report. */
void cnet_bond_rollback(struct run *run)
{
	struct cnet_result *scratch = NULL;
	struct cnet_err_saved first;
	cJSON *rec, *next;

	cnet_err_save(run->ctx, &first);
	if (cnet_result_new(run->ctx, &scratch) < 0)
		goto out;
	for (size_t i = run->n_slave_ids; i-- > 0;) {
		for (rec = run->st->records ? run->st->records->child : NULL; rec; rec = next) {
			next = rec->next;
			if (strcmp(cnet_json_str(rec, "id"), run->slave_ids[i]))
				continue;
			if (cnet_record_undo(run->ctx, scratch, run->st, &run->t, run->hnl, run->tnl, rec) == 0)
				cJSON_Delete(cJSON_DetachItemViaPointer(run->st->records, rec));
			cnet_clear_err(run->ctx);
		}
	}
	run->n_slave_ids = 0;
out:
	cnet_result_free(scratch);
	cnet_err_restore(run->ctx, &first);
}

/* --ip dhcp on a bond of VFs: once the lease names a router, the bond
 * ARP-monitors it (every 100 ms), as it would a --gw. */
int cnet_bond_arp_router(struct run *run)
{
	struct cnet_bond_opts o;
	struct nl_msg *msg;
	int r;

	if (!run->att->arp_after_lease || !run->leased || !run->lease.has_router)
		return 0;
	cnet_bond_opts_init(&o);
	o.set = CNET_BOND_ARP_INTERVAL;
	o.arp_interval = 100;
	memcpy(o.targets[0], &run->lease.router, 4);
	o.n_targets = 1;
	r = cnet_link_build_bond(run->ctx, &o, NULL, run->link.ifindex, -1, 0, &msg);
	return r < 0 ? r : cnet_nl_talk(run->tnl, msg, "ARP-monitor the DHCP router on the bond");
}

/* --vlan-mode sw: the bond is named, given its MTU, MAC and mark, and
 * brought up; then the VLAN is made on it, down, under a temporary name,
 * with the bond's MTU (never more). The caller addresses the VLAN, names
 * it and brings it up as it does any new link. Deleting the bond (detach,
 * rollback) deletes the VLAN with it. */
int cnet_bond_up_vlan(struct run *run, int *l3_ifindex)
{
	struct cnet_attach *att = run->att;
	struct cnet_link_change c = {.ifindex = run->link.ifindex, .name = att->ifname, .ns_fd = -1,
				     .up = 1, .mtu = att->mtu, .mac = att->has_mac ? att->mac : NULL,
				     .alias = run->alias};
	struct cnet_vlan_opts o = {.name = run->vlan_tmp, .parent = run->link.ifindex,
				   .vid = (unsigned int)att->vlan, .proto = att->vlan_proto, .ns_fd = -1};
	struct nl_msg *msg;
	char what[96];
	int r;

	snprintf(what, sizeof(what), "name bond '%s' and bring it up in %s", att->ifname, att->target);
	r = cnet_link_change(run->tnl, &c, what);
	if (r < 0)
		return r;
	r = cnet_link_get(run->tnl, run->link.ifindex, NULL, &run->link);
	if (r < 0)
		return r;
	snprintf(run->vlan_tmp, sizeof(run->vlan_tmp), "cv%s", run->id);
	r = cnet_link_build_vlan(run->ctx, &o, &msg);
	if (r < 0)
		return r;
	snprintf(what, sizeof(what), "create VLAN %d on bond '%s'", att->vlan, att->ifname);
	r = cnet_nl_talk(run->tnl, msg, what);
	if (r < 0)
		return r;
	r = cnet_link_get(run->tnl, 0, run->vlan_tmp, &run->vlan);
	if (r < 0)
		return r;
	*l3_ifindex = run->vlan.ifindex;
	return 0;
}

void cnet_bond_record(const struct run *run, cJSON *rec)
{
	cJSON *a = cJSON_AddArrayToObject(rec, "slaves"), *o;

	for (size_t i = 0; a && i < run->n_slave_ids; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(run->slave_ids[i]));
	if (run->vlan.ifindex > 0 && (o = cJSON_AddObjectToObject(rec, "vlan_link"))) {
		cJSON_AddStringToObject(o, "ifname", run->att->vlan_ifname);
		cJSON_AddNumberToObject(o, "ifindex", run->vlan.ifindex);
	}
}

void cnet_bond_options(const struct cnet_attach *att, cJSON *o)
{
	const struct cnet_bond_opts *b = &att->bond;
	cJSON *a;

	cJSON_AddStringToObject(o, "mode", cnet_bond_mode_to_string(b->mode));
	a = cJSON_AddArrayToObject(o, "slaves");
	for (size_t i = 0; a && i < att->n_slaves; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(att->slaves[i]));
	/* as given (before defaults): what the user asked is compared */
	a = cJSON_AddArrayToObject(o, "bond_options");
	for (size_t i = 0; a && i < att->n_bond_given; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(att->bond_given[i]));
	if (att->vlan) {
		cJSON_AddNumberToObject(o, "vlan", att->vlan);
		if (att->vlan_proto == 0x88a8)
			cJSON_AddStringToObject(o, "vlan_proto", "802.1ad");
		cJSON_AddStringToObject(o, "vlan_mode", att->vlan_hw ? "hw" : "sw");
		if (att->vlan_hw)
			cJSON_AddNumberToObject(o, "qos", att->vlan_qos);
		else
			cJSON_AddStringToObject(o, "vlan_ifname", att->vlan_ifname);
	}
	cnet_vf_settings_json(att, o);
}

int cnet_bond_from_record(struct cnet_attach *att, const cJSON *rec)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "options"), *v;
	int r = cnet_attach_set_bond_option(att, "mode", cnet_json_str(o, "mode"));

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
	if (r == 0)
		cnet_vf_settings_from_json(att, o);
	return r;
}
