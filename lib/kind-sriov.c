/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sriov: pick (or create) a VF of a PF, set what the PF holds for it (MAC,
 * VLAN, spoofchk, trust, link state, rates), then lend its netdev to the
 * target like a host device (lend.c). VFs are known by PF PCI address and
 * VF index, never by netdev name (udev may rename a new VF while cnet
 * works). What the VF had is recorded before anything changes; detach and
 * rollback put back exactly the settings cnet changed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <linux/if_link.h>

#include "kind.h"

#define VF_BACK_MS 10000 /* a dismantled namespace's VF: ~0.2 s in the VM rig */

struct sriov {
	char pf[16]; /* as named (netdev or PCI address) */
	int vf;	     /* -1: any free one */
	bool explicit_vf;
	unsigned int vf_count;
	char vf_pf_pci[16];	  /* from a record: the PF by PCI address */
	unsigned int vf_recreate; /* from a record: the VF count the PF had */
	int pf_lock_fd;		  /* held from prepare to release, else -1 */
	bool made_vfs;		  /* prepare wrote the PF's VF count */
};

struct sriov_run {
	struct cnet_lend lend; /* the VF's netdev */
	struct cnet_pf pf;
	struct cnet_vf vf;
	int pf_ifindex, pf_lock_fd;
	bool locked; /* pf_lock_fd: taken by preflight */
	struct cnet_vfinfo vf_orig;
	unsigned int vf_changed; /* 1 << enum cnet_vf_field, done */
	bool vf_mac_admin;	 /* the VF's original MAC was administrative */
};

CNET_EXPORT int cnet_attach_set_pf(struct cnet_attach *att, const char *pf)
{
	struct sriov *o = att->priv;
	int r = cnet_kind_accepts(att, CNET_OPT_PF, "--pf");

	if (r < 0)
		return r;
	if (!pf || !*pf || strlen(pf) >= sizeof(o->pf) || strchr(pf, '/')) {
		cnet_clear_err(att->ctx);
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
				 "invalid PF '%s' (a host interface name or a PCI address)", pf ? pf : "");
	}
	strcpy(o->pf, pf);
	return 0;
}

CNET_EXPORT int cnet_attach_set_vf(struct cnet_attach *att, unsigned int index)
{
	struct sriov *o = att->priv;
	int r = cnet_kind_accepts(att, CNET_OPT_VF, "--vf");

	if (r < 0)
		return r;
	if (index > 255) {
		cnet_clear_err(att->ctx);
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "invalid VF index %u", index);
	}
	o->vf = (int)index;
	o->explicit_vf = true;
	return 0;
}

CNET_EXPORT int cnet_attach_set_vf_count(struct cnet_attach *att, unsigned int n)
{
	struct sriov *o = att->priv;
	int r = cnet_kind_accepts(att, CNET_OPT_VF_COUNT, "--vf-count");

	if (r < 0)
		return r;
	if (n == 0 || n > 256) {
		cnet_clear_err(att->ctx);
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "invalid VF count %u (1-256)", n);
	}
	o->vf_count = n;
	return 0;
}

static void init(struct cnet_attach *att)
{
	struct sriov *o = att->priv;

	o->vf = -1;
	o->pf_lock_fd = -1;
}

/* The VF's hardware VLAN, with a priority; 0: none. */
static int set_vlan(struct cnet_attach *att, unsigned int vid, unsigned int qos, unsigned int proto)
{
	if (vid > 4094)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "invalid VLAN ID %u (0-4094)", vid);
	if (qos > 7)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "invalid VLAN QoS %u (0-7)", qos);
	att->vf_want.proto = proto;
	att->vf_want.vlan = vid;
	att->vf_want.qos = qos;
	att->vf_set |= 1u << CNET_VF_VLAN;
	return 0;
}

static int verify(struct cnet_attach *att)
{
	if (!((struct sriov *)att->priv)->pf[0])
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "sriov needs --pf PF");
	return cnet_vf_egress_as_rate(att);
}

/* What the user asked, for the record's options (compared on re-attach). */
static void options_json(const struct cnet_attach *att, cJSON *j)
{
	const struct sriov *o = att->priv;
	struct cnet_vfinfo want = att->vf_want;

	cJSON_AddStringToObject(j, "pf", o->pf);
	if (o->explicit_vf)
		cJSON_AddNumberToObject(j, "vf", o->vf);
	if (o->vf_count)
		cJSON_AddNumberToObject(j, "vf_count", o->vf_count);
	cnet_vfinfo_json(j, &want, att->vf_set & ~(1u << CNET_VF_MAC));
}

/* The fields cnet sets: those asked, and the MAC when --mac is given. */
static unsigned int wanted_fields(const struct cnet_attach *att, struct cnet_vfinfo *want)
{
	*want = att->vf_want;
	if (att->has_mac) {
		memcpy(want->mac, att->mac, 6);
		return att->vf_set | (1u << CNET_VF_MAC);
	}
	return att->vf_set;
}

static int from_record(struct cnet_attach *att, const cJSON *rec)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(rec, "options");
	const cJSON *vf = cJSON_GetObjectItemCaseSensitive(rec, "vf");
	struct sriov *o = att->priv;
	struct cnet_vfinfo v = {0};
	unsigned int fields;
	int r = cnet_attach_set_pf(att, cnet_json_str(j, "pf"));
	long long n;

	if (r < 0)
		return r;
	/* Reapply takes the VF it had: the PF's PCI address and the index. */
	n = cnet_json_int(vf, "index", 0, 255, -1);
	if (n < 0)
		n = cnet_json_int(j, "vf", 0, 255, -1);
	if (n >= 0)
		o->vf = (int)n;
	o->vf_pf_pci[0] = '\0';
	if (*cnet_json_str(vf, "pf_pci"))
		snprintf(o->vf_pf_pci, sizeof(o->vf_pf_pci), "%s", cnet_json_str(vf, "pf_pci"));
	n = cnet_json_int(j, "vf_count", 1, 256, 0);
	if (n)
		o->vf_count = (unsigned int)n;
	o->vf_recreate = (unsigned int)cnet_json_int(vf, "pf_numvfs", 1, 256, 0);
	fields = cnet_vfinfo_from_json(j, &v) & ~(1u << CNET_VF_MAC);
	att->vf_want = v;
	att->vf_set = fields;
	o->explicit_vf = cnet_json_int(j, "vf", 0, 255, -1) >= 0;
	return 0;
}

/* ---- the PF and its lock, before the store is locked -------------------- */

/* cnet_attach: the PF's lock, waited for, and the VFs made if it has none
 * (a PF reset, seconds: under the PF lock only, so other cnet commands
 * are not held up). A repair (the store locked): the lock, only tried, so
 * that a 'cnet vf' under way fails the repair before anything is undone. */
static int prepare(struct cnet_ctx *ctx, struct cnet_attach *att, bool wait)
{
	struct sriov *o = att->priv;
	bool dry = att->flags & CNET_ATTACH_DRY_RUN;
	struct cnet_target t = {.fd = -1, .proc_fd = -1};
	struct cnet_nl *hnl;
	struct cnet_pf pf;
	int r;

	if (!wait)
		return o->vf_pf_pci[0] ? cnet_pf_trylock(ctx, o->vf_pf_pci, &o->pf_lock_fd) : 0;
	r = cnet_pf_find(ctx, o->pf, &pf);
	if (r < 0)
		return r;
	/* Creating VFs resets the PF: not for a target that is not there. */
	r = cnet_target_resolve_as(ctx, att->target, att->runtime, &t);
	cnet_target_close(&t);
	if (r < 0)
		return r;
	r = cnet_pf_lock(ctx, pf.pci, dry, &o->pf_lock_fd);
	if (r < 0 || pf.num || !o->vf_count || dry)
		return r;
	r = cnet_nl_open(ctx, -1, &hnl);
	if (r < 0)
		return r;
	o->made_vfs = true; /* from here on, a failure takes them away again */
	r = cnet_pf_create_vfs(ctx, hnl, &pf, o->vf_count);
	cnet_nl_close(hnl);
	return r;
}

/* An attach that created the PF's VFs and then failed removes them: the
 * PF had none, and its lock kept every other cnet from taking one. */
static void release(struct cnet_ctx *ctx, struct cnet_attach *att, bool failed)
{
	struct sriov *o = att->priv;
	struct cnet_err_saved first;
	struct cnet_pf pf;

	if (failed && o->made_vfs) {
		cnet_err_save(ctx, &first);
		if (cnet_pf_find(ctx, o->pf, &pf) == 0 && pf.num)
			cnet_pf_write_numvfs(ctx, &pf, 0);
		cnet_err_restore(ctx, &first); /* the first failure's message stays */
	}
	if (o->pf_lock_fd >= 0)
		close(o->pf_lock_fd);
	o->pf_lock_fd = -1;
}

/* ---- preflight: the PF, a free VF, and what it has now ------------------ */

static bool vf_recorded(struct cnet_store *st, const char *vf_pci, const char *except_id)
{
	const cJSON *rec;

	if (cnet_store_load_text(st, "pci", vf_pci) < 0)
		return true; /* unreadable: taken, to be safe */
	cJSON_ArrayForEach(rec, st->records) {
		const cJSON *vf = cJSON_GetObjectItemCaseSensitive(rec, "vf");
		if (vf && !strcmp(cnet_json_str(vf, "pci"), vf_pci) &&
		    (!except_id || strcmp(cnet_json_str(rec, "id"), except_id)))
			return true;
	}
	return false;
}

/* Why a VF cannot be taken (*why), or NULL if it is free; < 0 on error. */
static int vf_busy(struct run *run, struct cnet_vf *vf, struct cnet_linkinfo *li, const char **why)
{
	int r;

	*why = NULL;
	if (cnet_vf_driver_is_userspace(vf))
		*why = "bound to a userspace driver";
	else if (vf_recorded(run->st, vf->pci, NULL))
		*why = "attached by cnet";
	else if (!vf->name[0])
		*why = vf->driver[0] ? "in another namespace" : "without a driver";
	if (*why)
		return 0;
	r = cnet_link_get(run->hnl, 0, vf->name, li);
	if (r == -ENODEV) {
		cnet_clear_err(run->ctx);
		*why = "not visible in this namespace";
		return 0;
	}
	if (r < 0)
		return r;
	if (li->master) {
		*why = "enslaved";
		return 0;
	}
	r = cnet_link_has_global_addr(run->hnl, li->ifindex);
	if (r > 0)
		*why = "carrying addresses";
	return r < 0 ? r : 0;
}

/* The PF: here, up, its MTU enough, locked, with VFs (made if asked). */
static int preflight_pf(struct run *run, struct sriov *o, struct sriov_run *s)
{
	struct cnet_attach *att = run->att;
	struct cnet_ctx *ctx = run->ctx;
	struct cnet_linkinfo pfl;
	int r;

	r = cnet_pf_find(ctx, o->vf_pf_pci[0] ? o->vf_pf_pci : o->pf, &s->pf);
	if (r < 0)
		return r;
	if (!s->pf.name[0])
		return cnet_errc(ctx, CNET_ERR_MISSING, -ENODEV,
				 "PF %s has no network interface in this namespace", s->pf.pci);
	r = cnet_link_get(run->hnl, 0, s->pf.name, &pfl);
	if (r < 0)
		return cnet_errc(ctx, CNET_ERR_MISSING, r, "PF '%s' is not visible here", s->pf.name);
	s->pf_ifindex = pfl.ifindex;
	/* A VF's traffic goes through its PF: one that is down carries none,
	 * and a VF frame longer than the PF's MTU is dropped on most NICs.
	 * cnet never raises the PF's MTU: that is the host's business. */
	if (!(pfl.flags & IFF_UP))
		return cnet_errc(ctx, CNET_ERR_MISSING, -ENETDOWN, "PF '%s' is down", s->pf.name);
	if (att->mtu > pfl.mtu)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "MTU %u is above PF %s's MTU %u", att->mtu,
				 s->pf.name, pfl.mtu);
	/* Whoever picks or creates a VF holds the PF's lock, so that 'cnet vf
	 * enable|disable' never rewrites the VFs under it. cnet_attach took it
	 * before the store; reapply's repairs and a bond's VF slaves come here
	 * with the store locked, so it is only tried, never waited for (lock
	 * order: PF, store): held by another cnet, this attach fails, and the
	 * next reapply tries again. */
	if (o->pf_lock_fd < 0 && !(att->flags & CNET_ATTACH_DRY_RUN)) {
		r = cnet_pf_trylock(ctx, s->pf.pci, &s->pf_lock_fd);
		if (r < 0)
			return r;
		s->locked = s->pf_lock_fd >= 0;
	}
	if (s->pf.num == 0 && (o->vf_count || o->vf_recreate)) {
		if (att->flags & CNET_ATTACH_DRY_RUN)
			return 0; /* would be created first */
		r = cnet_pf_create_vfs(ctx, run->hnl, &s->pf,
				       o->vf_recreate > o->vf_count ? o->vf_recreate : o->vf_count);
		if (r < 0)
			return r;
	}
	if (s->pf.num == 0)
		return cnet_errc(ctx, CNET_ERR_MISSING, -ENODEV,
				 "PF %s has no VFs (--vf-count N creates them, as does 'cnet vf enable')",
				 s->pf.name);
	return 0;
}

/* The VF asked for, or the first free one. */
static int pick_vf(struct run *run, struct sriov *o, struct sriov_run *s)
{
	const char *why = NULL;
	unsigned int busy = 0;
	int r;

	if (o->vf >= 0) {
		r = cnet_vf_get(run->ctx, &s->pf, (unsigned int)o->vf, &s->vf);
		if (r == 0)
			r = vf_busy(run, &s->vf, &s->lend.dev, &why);
		if (r < 0)
			return r;
		if (why)
			return cnet_errc(run->ctx, CNET_ERR_BUSY, -EBUSY, "VF %d of %s (%s) is %s", o->vf,
					 s->pf.name, s->vf.pci, why);
		return 0;
	}
	for (unsigned int i = 0; i < s->pf.num; i++) {
		r = cnet_vf_get(run->ctx, &s->pf, i, &s->vf);
		if (r == 0)
			r = vf_busy(run, &s->vf, &s->lend.dev, &why);
		if (r < 0)
			return r;
		if (!why)
			return 0;
		busy++;
	}
	return cnet_errc(run->ctx, CNET_ERR_BUSY, -EBUSY,
			 "no free VF on %s: all %u are attached, in other namespaces or in use", s->pf.name,
			 busy);
}

static int preflight(struct run *run)
{
	struct cnet_attach *att = run->att;
	struct sriov *o = att->priv;
	struct sriov_run *s = run->priv;
	int r;

	r = preflight_pf(run, o, s);
	if (r < 0 || s->pf.num == 0) /* a dry run that would create VFs */
		return r;
	r = pick_vf(run, o, s);
	if (r < 0)
		return r;
	/* Two VFs of one PF with one MAC: the PF's switch delivers to one of
	 * them only (a bug sriov-cni users met). */
	if (att->has_mac) {
		int holder;
		r = cnet_vf_mac_holder(run->hnl, s->pf_ifindex, s->vf.index, att->mac, &holder);
		if (r < 0)
			return r;
		if (holder >= 0) {
			char buf[24];
			cnet_mac_str(att->mac, buf);
			return cnet_errc(run->ctx, CNET_ERR_BUSY, -EADDRINUSE, "MAC %s is already VF %d's on %s",
					 buf, holder, s->pf.name);
		}
	}
	/* From here on it is a host device named by the VF's netdev. */
	snprintf(att->dev, sizeof(att->dev), "%s", s->vf.name);
	r = cnet_vfinfo_get(run->hnl, s->pf_ifindex, s->vf.index, &s->vf_orig);
	return r < 0 ? r : cnet_lend_preflight(run, &s->lend);
}

static void plan(struct run *run, struct cnet_result *res)
{
	struct cnet_attach *att = run->att;
	const struct sriov *o = att->priv;
	const struct sriov_run *s = run->priv;
	struct cnet_vfinfo want;
	unsigned int fields = wanted_fields(att, &want);

	if (s->pf.num == 0)
		cnet_result_add_action(res, "create %u VFs on %s",
				       o->vf_recreate > o->vf_count ? o->vf_recreate : o->vf_count, o->pf);
	else
		cnet_result_add_action(res, "take VF %u of %s (%s, %s)", s->vf.index, s->pf.name,
				       s->vf.pci, s->vf.name);
	for (int f = 0; f < CNET_VF_NFIELDS; f++)
		if (fields & (1u << f))
			cnet_result_add_action(res, "set the VF's %s through %s", cnet_vf_field_name(f),
					       o->pf);
	cnet_result_add_action(res, "move the VF into %s as %s", att->target, att->ifname);
}

/* ---- execution: VF settings, readback, rollback ------------------------- */

static int apply(struct run *run)
{
	struct cnet_attach *att = run->att;
	const struct sriov *o = att->priv;
	struct sriov_run *s = run->priv;
	struct cnet_vfinfo want, now;
	unsigned int fields = wanted_fields(att, &want);
	int r;

	want.index = s->vf.index;
	for (int f = 0; f < CNET_VF_NFIELDS; f++) {
		if (!(fields & (1u << f)) || cnet_vfinfo_equal(&want, &s->vf_orig, f))
			continue;
		if (f == CNET_VF_MAC && memcmp(s->lend.dev.mac, want.mac, 6)) {
			/* The netdev first, while the PF still lets the VF
			 * choose: a VF driver such as igbvf keeps its own MAC
			 * after the PF sets one, and is refused changing it
			 * then. Drivers that refuse this are caught below. */
			struct cnet_link_change c = {.ifindex = s->lend.dev.ifindex, .ns_fd = -1,
						     .up = -1, .mac = want.mac};
			s->vf_changed |= 1u << f;
			/* Refused by the driver (igbvf: EADDRNOTAVAIL): the PF
			 * holds an administrative MAC already, restored as such
			 * on detach. Other failures: the PF's setting and the
			 * readbacks below decide. */
			r = cnet_link_change(run->hnl, &c, "set the MAC on the VF's interface");
			if (r < 0) {
				cnet_clear_err(run->ctx);
				s->vf_mac_admin = r == -EADDRNOTAVAIL || r == -EPERM || r == -EACCES;
			}
		}
		r = cnet_vf_set(run->hnl, s->pf_ifindex, &want, f);
		if (r < 0)
			return r;
		s->vf_changed |= 1u << f;
	}
	/* Drivers differ: some ignore or defer a setting they accepted. */
	r = cnet_vfinfo_get(run->hnl, s->pf_ifindex, s->vf.index, &now);
	if (r < 0)
		return r;
	for (int f = 0; f < CNET_VF_NFIELDS; f++)
		if ((fields & (1u << f)) && !cnet_vfinfo_equal(&want, &now, f))
			return cnet_err(run->ctx, -EIO,
					"the driver of %s accepted the VF's %s but did not apply it",
					o->pf, cnet_vf_field_name(f));
	return 0;
}

/* The VF's netdev, up in the container, should carry the MAC the PF was
 * given. Drivers differ: some pick it up at open (igbvf), some need it set
 * on the netdev too, some refuse that. Set it if needed, then read back. */
static int netdev_mac(struct run *run)
{
	struct cnet_link_change c = {.ifindex = run->link.ifindex, .ns_fd = -1, .up = -1,
				     .mac = run->att->mac};
	struct cnet_linkinfo li;
	char want[24], got[24];
	int r = cnet_link_get(run->tnl, run->link.ifindex, NULL, &li);

	if (r < 0)
		return r;
	if (memcmp(li.mac, run->att->mac, 6)) {
		r = cnet_link_change(run->tnl, &c, "set the MAC on the VF's interface");
		if (r < 0)
			return r;
		r = cnet_link_get(run->tnl, run->link.ifindex, NULL, &li);
		if (r < 0)
			return r;
	}
	if (memcmp(li.mac, run->att->mac, 6)) {
		cnet_mac_str(li.mac, got);
		cnet_mac_str(run->att->mac, want);
		return cnet_err(run->ctx, -EIO, "the VF's interface kept MAC %s; %s was asked", got, want);
	}
	memcpy(run->link.mac, li.mac, 6);
	return 0;
}

/* The MAC back as it was: the PF's record of it (orig->mac) and the VF
 * netdev's own (netdev_mac), the netdev being back on the host. A MAC set
 * through the PF marks it administrative, and the VF may then not change
 * its own (igb refuses, unless trusted). So the PF's is cleared (all
 * zeros) first, the netdev sets its own, and the PF must then report it;
 * if any step is refused, the PF is given the original outright (the
 * driver hands it to the VF at its next reset). An original that was
 * administrative (admin: the VF was refused a MAC of its own at attach)
 * goes back through the PF directly, staying administrative. */
static int restore_mac(struct cnet_ctx *ctx, struct cnet_nl *hnl, int pf_ifindex,
		       const struct cnet_vfinfo *orig, const struct cnet_pf *pf,
		       const unsigned char *netdev_mac, bool admin)
{
	struct cnet_vfinfo zero = {.index = orig->index}, now;
	bool had_error = ctx->errmsg[0]; /* rollback's: the one to report */
	struct cnet_linkinfo li;
	struct cnet_vf vf;
	int r;

	if (admin)
		return cnet_vf_set(hnl, pf_ifindex, orig, CNET_VF_MAC);
	r = cnet_vf_set(hnl, pf_ifindex, &zero, CNET_VF_MAC);
	if (r == 0 && netdev_mac && cnet_vf_get(ctx, pf, orig->index, &vf) == 0 && vf.name[0] &&
	    cnet_link_get(hnl, 0, vf.name, &li) == 0) {
		struct cnet_link_change c = {.ifindex = li.ifindex, .ns_fd = -1, .up = -1,
					     .mac = netdev_mac};
		r = cnet_link_change(hnl, &c, "give the VF's interface its MAC back");
		if (r == 0)
			r = cnet_vfinfo_get(hnl, pf_ifindex, orig->index, &now);
		if (r == 0 && cnet_vfinfo_equal(&now, orig, CNET_VF_MAC))
			return 0;
	}
	if (!had_error)
		cnet_clear_err(ctx);
	return cnet_vf_set(hnl, pf_ifindex, orig, CNET_VF_MAC);
}

/* Put back, newest first, the settings this run changed (the VF's netdev
 * is back on the host by now). */
static void rollback_vf(struct run *run)
{
	struct sriov_run *s = run->priv;

	for (int f = CNET_VF_NFIELDS - 1; f >= 0; f--) {
		if (!(s->vf_changed & (1u << f)))
			continue;
		if (f == CNET_VF_MAC)
			restore_mac(run->ctx, run->hnl, s->pf_ifindex, &s->vf_orig, &s->pf,
				    s->lend.dev.has_mac ? s->lend.dev.mac : NULL, s->vf_mac_admin);
		else
			cnet_vf_set(run->hnl, s->pf_ifindex, &s->vf_orig, f);
	}
	s->vf_changed = 0;
}

static int create(struct run *run)
{
	struct sriov_run *s = run->priv;
	int r = apply(run);

	return r < 0 ? r : cnet_lend_move(run, &s->lend);
}

/* Up in the target: its MAC as asked, or the one its driver takes from the
 * PF, when opened or at a reset it schedules on the PF's word (igbvf):
 * waited for, bounded, so the record holds the MAC the netdev keeps. */
static int post_up(struct run *run)
{
	static const unsigned char zero[6];
	const struct sriov_run *s = run->priv;
	uint64_t deadline = cnet_now_ms() + 3000;
	struct cnet_linkinfo now;
	int r;

	if (run->att->has_mac)
		return netdev_mac(run);
	for (;;) {
		r = cnet_link_get(run->tnl, run->link.ifindex, NULL, &now);
		if (r < 0)
			return r;
		if (!memcmp(s->vf_orig.mac, zero, 6) || !memcmp(s->vf_orig.mac, now.mac, 6) ||
		    cnet_now_ms() >= deadline)
			break;
		cnet_nap_ms(20);
	}
	memcpy(run->link.mac, now.mac, 6);
	return 0;
}

/* The netdev back to the host first (its MAC comes back with the PF
 * settings: the driver may refuse it on the netdev before). */
static void rollback(struct run *run)
{
	cnet_lend_rollback(run, &((struct sriov_run *)run->priv)->lend, true);
	rollback_vf(run);
}

static void finish(struct run *run)
{
	struct sriov_run *s = run->priv;

	cnet_lend_free(&s->lend);
	if (s->locked)
		close(s->pf_lock_fd);
	s->locked = false;
}

static void record(const struct run *run, cJSON *rec, bool pending)
{
	const struct sriov_run *s = run->priv;
	cJSON *o = cJSON_AddObjectToObject(rec, "vf"), *orig;
	struct cnet_vfinfo want;
	unsigned int fields = wanted_fields(run->att, &want);

	if (!o)
		return;
	cJSON_AddStringToObject(o, "pf_pci", s->pf.pci);
	cJSON_AddStringToObject(o, "pf_name", s->pf.name);
	cJSON_AddNumberToObject(o, "pf_numvfs", s->pf.num);
	cJSON_AddNumberToObject(o, "index", s->vf.index);
	cJSON_AddStringToObject(o, "pci", s->vf.pci);
	cJSON_AddStringToObject(o, "driver", s->vf.driver);
	/* Pending: every field it may change; final: those it did. */
	cJSON_AddNumberToObject(o, "changed", pending ? fields : s->vf_changed);
	if (s->vf_mac_admin)
		cJSON_AddBoolToObject(o, "orig_mac_admin", true);
	orig = cJSON_AddObjectToObject(o, "orig");
	if (orig)
		cnet_vfinfo_json(orig, &s->vf_orig, (1u << CNET_VF_NFIELDS) - 1);
	cnet_lend_record(run, &s->lend, rec);
}

/* ---- detach: the VF settings back (the netdev is restored as a host
 * device by the caller) ---------------------------------------------------- */

static int undo_vf(struct cnet_ctx *ctx, struct cnet_nl *hnl, const cJSON *rec,
		   struct cnet_result *res)
{
	const cJSON *vf = cJSON_GetObjectItemCaseSensitive(rec, "vf");
	unsigned int changed = (unsigned int)cnet_json_int(vf, "changed", 0, 0xffff, 0), fields;
	struct cnet_vfinfo orig = {0};
	struct cnet_linkinfo pfl = {0};
	struct cnet_pf pf;
	long long index = cnet_json_int(vf, "index", 0, 255, -1);
	int r;

	if (!vf || index < 0)
		return 0;
	fields = cnet_vfinfo_from_json(cJSON_GetObjectItemCaseSensitive(vf, "orig"), &orig);
	changed &= fields;
	if (!changed)
		return 0;
	orig.index = (unsigned int)index;
	r = cnet_pf_find(ctx, cnet_json_str(vf, "pf_pci"), &pf);
	if (r == -ENODEV) { /* the PF itself is gone (unplugged) */
		cnet_clear_err(ctx);
		cnet_result_add_warning(res, "PF %s is gone: VF %lld's settings cannot be restored",
					cnet_json_str(vf, "pf_pci"), index);
		return 0;
	}
	if (r == 0 && (unsigned int)index >= pf.num) {
		cnet_clear_err(ctx);
		cnet_result_add_warning(res, "VF %lld of %s is gone (VFs were removed): nothing to restore",
					index, cnet_json_str(vf, "pf_pci"));
		return 0;
	}
	if (r == 0)
		r = cnet_link_get(hnl, 0, pf.name, &pfl);
	if (r < 0)
		return r;
	for (int f = CNET_VF_NFIELDS - 1; f >= 0; f--) {
		unsigned char mac[6] = {0};
		if (!(changed & (1u << f)))
			continue;
		if (f == CNET_VF_MAC)
			r = restore_mac(ctx, hnl, pfl.ifindex, &orig, &pf,
					cnet_parse_mac(cnet_json_str(cJSON_GetObjectItemCaseSensitive(rec, "restore"),
								     "mac"), mac) == 0 ? mac : NULL,
					cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(vf, "orig_mac_admin")));
		else
			r = cnet_vf_set(hnl, pfl.ifindex, &orig, f);
		if (r < 0) {
			cnet_result_add_warning(res, "could not restore the %s of VF %lld: %s",
						cnet_vf_field_name(f), index, ctx->errmsg);
			cnet_clear_err(ctx);
		}
	}
	return 0;
}

/* The record's namespace is gone: the kernel returns the VF's netdev to
 * the initial namespace when it dismantles that namespace, which may lag
 * (or wait on whatever else still holds it). Wait, bounded, for it; if it
 * does not come, fail (the record stays, a later detach or gc finishes)
 * rather than drop what is needed to restore it. */
static int wait_back(struct cnet_ctx *ctx, const cJSON *rec)
{
	const cJSON *vf = cJSON_GetObjectItemCaseSensitive(rec, "vf");
	long long index = cnet_json_int(vf, "index", 0, 255, -1);
	struct cnet_pf pf;
	struct cnet_vf v;
	int r;

	if (index < 0)
		return 0;
	r = cnet_pf_find(ctx, cnet_json_str(vf, "pf_pci"), &pf);
	if (r < 0 || (unsigned int)index >= pf.num) {
		cnet_clear_err(ctx); /* PF or VF gone: nothing will come back */
		return 0;
	}
	r = cnet_vf_wait_netdev(ctx, &pf, (unsigned int)index, VF_BACK_MS, &v);
	/* Back; bound to vfio (not ours); or without a driver (its netdev is
	 * gone for good): nothing more will come, undo goes on and warns. */
	if (r == 0 || ctx->errclass == CNET_ERR_BUSY || (r < 0 && !v.driver[0])) {
		cnet_clear_err(ctx);
		return 0;
	}
	cnet_clear_err(ctx);
	return cnet_errc(ctx, CNET_ERR_BUSY, -EBUSY,
			 "VF %lld of %s (%s) has not come back from its deleted namespace within %d s (something may still hold that namespace); try again",
			 index, pf.name[0] ? pf.name : pf.pci, cnet_json_str(vf, "pci"), VF_BACK_MS / 1000);
}

/* ---- reapply: drift of the PF-held settings ------------------------------ */

/* 1 with a reason when a VF setting asked for differs; 0 when all match. */
static int check(struct cnet_ctx *ctx, struct cnet_nl *hnl, const cJSON *rec, char *reason,
		 size_t len)
{
	const cJSON *vf = cJSON_GetObjectItemCaseSensitive(rec, "vf");
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "options");
	struct cnet_vfinfo want = {0}, now;
	struct cnet_linkinfo pfl;
	struct cnet_pf pf;
	unsigned int fields;
	long long index = cnet_json_int(vf, "index", 0, 255, -1);
	int r;

	if (index < 0)
		return 0;
	r = cnet_pf_find(ctx, cnet_json_str(vf, "pf_pci"), &pf);
	if (r == 0 && (unsigned int)index >= pf.num) {
		snprintf(reason, len, "VF %lld of %s is gone", index, pf.name);
		return 1;
	}
	if (r == 0)
		r = cnet_link_get(hnl, 0, pf.name, &pfl);
	if (r == 0)
		r = cnet_vfinfo_get(hnl, pfl.ifindex, (unsigned int)index, &now);
	if (r < 0)
		return r;
	fields = cnet_vfinfo_from_json(o, &want);
	if (cnet_parse_mac(cnet_json_str(o, "mac"), want.mac) == 0)
		fields |= 1u << CNET_VF_MAC;
	for (int f = 0; f < CNET_VF_NFIELDS; f++)
		if ((fields & (1u << f)) && !cnet_vfinfo_equal(&want, &now, f)) {
			snprintf(reason, len, "VF %s differs", cnet_vf_field_name(f));
			return 1;
		}
	return 0;
}

/* The record's namespace gone: its VF comes back to the host first. Then
 * the netdev is given back, then what the PF holds for the VF. */
static int undo(struct cnet_undo *u, cJSON *rec)
{
	int r = u->alive ? 0 : wait_back(u->ctx, rec);

	if (r == 0)
		r = cnet_lend_undo(u, rec, true);
	return r < 0 ? r : undo_vf(u->ctx, u->hnl, rec, u->res);
}

const struct cnet_kind_ops cnet_kind_sriov = {
	.name = "sriov",
	.kind = CNET_KIND_SRIOV,
	.opts_size = sizeof(struct sriov),
	.run_size = sizeof(struct sriov_run),
	.options = CNET_OPT_PF | CNET_OPT_VF | CNET_OPT_VF_COUNT | CNET_OPT_VF_SETTINGS | CNET_OPT_VLAN,
	.rename = CNET_SET_MTU,
	.moves = true,
	.init = init,
	.set_vlan = set_vlan,
	.verify = verify,
	.options_json = options_json,
	.from_record = from_record,
	.prepare = prepare,
	.release = release,
	.preflight = preflight,
	.plan = plan,
	.create = create,
	.post_up = post_up,
	.rollback = rollback,
	.record = record,
	.finish = finish,
	.undo = undo,
	.check = check,
};
