/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sriov kind: pick (or create) a VF of a PF, set what the PF holds for
 * it (MAC, VLAN, spoofchk, trust, link state, rates), then move its netdev
 * in like a host device. VFs are known by PF PCI address and VF index,
 * never by netdev name (udev may rename a new VF while cnet works). What
 * the VF had is recorded before anything changes; detach and rollback put
 * back exactly the settings cnet changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <linux/if_link.h>

#include "attach.h"

#define VF_APPEAR_MS 30000  /* VF netdevs after sriov_numvfs: ~1 s on igb */
#define PF_CARRIER_MS 15000 /* the PF's reset after sriov_numvfs: ~2.7 s on igb */
#define VF_BACK_MS 10000    /* a dismantled namespace's VF: ~0.2 s in the VM rig */

/* ---- setters ------------------------------------------------------------ */

static int sriov_only(struct cnet_attach *att, const char *opt)
{
	if (att->kind == CNET_KIND_SRIOV)
		return 0;
	cnet_clear_err(att->ctx);
	return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "%s applies to sriov, not %s", opt,
			 cnet_kind_to_string(att->kind));
}

/* A VF setting: for a VF, or for each VF slave of a bond. */
static int vf_setting(struct cnet_attach *att, const char *opt)
{
	if (att->kind == CNET_KIND_SRIOV || att->kind == CNET_KIND_BOND)
		return 0;
	cnet_clear_err(att->ctx);
	return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "%s applies to sriov and bond, not %s", opt,
			 cnet_kind_to_string(att->kind));
}

CNET_EXPORT int cnet_attach_set_pf(struct cnet_attach *att, const char *pf)
{
	int r = sriov_only(att, "--pf");

	if (r < 0)
		return r;
	if (!pf || !*pf || strlen(pf) >= sizeof(att->pf) || strchr(pf, '/')) {
		cnet_clear_err(att->ctx);
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
				 "invalid PF '%s' (a host interface name or a PCI address)", pf ? pf : "");
	}
	strcpy(att->pf, pf);
	return 0;
}

CNET_EXPORT int cnet_attach_set_vf(struct cnet_attach *att, unsigned int index)
{
	int r = sriov_only(att, "--vf");

	if (r < 0)
		return r;
	if (index > 255) {
		cnet_clear_err(att->ctx);
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "invalid VF index %u", index);
	}
	att->vf = (int)index;
	att->explicit_vf = true;
	return 0;
}

CNET_EXPORT int cnet_attach_set_vf_count(struct cnet_attach *att, unsigned int n)
{
	int r = sriov_only(att, "--vf-count");

	if (r < 0)
		return r;
	if (n == 0 || n > 256) {
		cnet_clear_err(att->ctx);
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "invalid VF count %u (1-256)", n);
	}
	att->vf_count = n;
	return 0;
}

CNET_EXPORT int cnet_attach_set_vlan(struct cnet_attach *att, unsigned int vid, unsigned int qos,
				     const char *proto)
{
	unsigned int p;

	cnet_clear_err(att->ctx);
	if (att->kind != CNET_KIND_SRIOV && att->kind != CNET_KIND_MACVLAN &&
	    att->kind != CNET_KIND_VLAN && att->kind != CNET_KIND_BOND)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
				 "--vlan applies to sriov, macvlan, vlan and bond, not %s",
				 cnet_kind_to_string(att->kind));
	if (!proto || !strcmp(proto, "802.1Q"))
		p = 0x8100;
	else if (!strcmp(proto, "802.1ad"))
		p = 0x88a8;
	else
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
				 "invalid VLAN protocol '%s' (802.1Q or 802.1ad)", proto);
	if (att->kind != CNET_KIND_SRIOV) {
		if (vid < 1 || vid > 4094)
			return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
					 "invalid VLAN ID %u (1-4094)", vid);
		if (qos > 7 || (qos && att->kind != CNET_KIND_BOND))
			return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
					 "a VLAN priority (QoS) applies to sriov and bond --vlan-mode hw only");
		att->vlan = (int)vid;
		att->vlan_qos = qos; /* a bond's: checked against its mode at attach */
		att->vlan_proto = p;
		return 0;
	}
	if (vid > 4094)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "invalid VLAN ID %u (0-4094)", vid);
	if (qos > 7)
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL, "invalid VLAN QoS %u (0-7)", qos);
	att->vf_want.proto = p;
	att->vf_want.vlan = vid;
	att->vf_want.qos = qos;
	att->vf_set |= 1u << CNET_VF_VLAN;
	return 0;
}

CNET_EXPORT int cnet_attach_set_vf_spoofchk(struct cnet_attach *att, bool on)
{
	int r = vf_setting(att, "--spoofchk");

	if (r < 0)
		return r;
	att->vf_want.spoofchk = on;
	att->vf_set |= 1u << CNET_VF_SPOOFCHK;
	return 0;
}

CNET_EXPORT int cnet_attach_set_vf_trust(struct cnet_attach *att, bool on)
{
	int r = vf_setting(att, "--trust");

	if (r < 0)
		return r;
	att->vf_want.trust = on;
	att->vf_set |= 1u << CNET_VF_TRUST;
	return 0;
}

static const char *const link_states[] = {
	[IFLA_VF_LINK_STATE_AUTO] = "auto",
	[IFLA_VF_LINK_STATE_ENABLE] = "enable",
	[IFLA_VF_LINK_STATE_DISABLE] = "disable",
};

CNET_EXPORT int cnet_attach_set_vf_link_state(struct cnet_attach *att, const char *state)
{
	int r = vf_setting(att, "--link-state");

	if (r < 0)
		return r;
	for (size_t i = 0; state && i < ARRAY_SIZE(link_states); i++)
		if (!strcmp(state, link_states[i])) {
			att->vf_want.link_state = (int)i;
			att->vf_set |= 1u << CNET_VF_LINK_STATE;
			return 0;
		}
	cnet_clear_err(att->ctx);
	return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
			 "invalid link state '%s' (auto, enable or disable)", state ? state : "");
}

CNET_EXPORT int cnet_attach_set_vf_rate(struct cnet_attach *att, unsigned int min_mbps,
					unsigned int max_mbps)
{
	int r = vf_setting(att, "--min-rate/--max-rate");

	if (r < 0)
		return r;
	if (max_mbps && min_mbps > max_mbps) {
		cnet_clear_err(att->ctx);
		return cnet_errc(att->ctx, CNET_ERR_INVALID, -EINVAL,
				 "--min-rate %u is above --max-rate %u", min_mbps, max_mbps);
	}
	att->vf_want.min_rate = min_mbps;
	att->vf_want.max_rate = max_mbps;
	att->vf_set |= 1u << CNET_VF_RATE;
	return 0;
}

/* ---- VF settings as JSON (options, originals) --------------------------- */

static void vfinfo_json(cJSON *o, const struct cnet_vfinfo *v, unsigned int fields)
{
	char buf[24];

	if (fields & (1u << CNET_VF_MAC)) {
		cnet_mac_str(v->mac, buf);
		cJSON_AddStringToObject(o, "vf_mac", buf);
	}
	if (fields & (1u << CNET_VF_VLAN)) {
		cJSON_AddNumberToObject(o, "vlan", v->vlan);
		cJSON_AddNumberToObject(o, "qos", v->qos);
		cJSON_AddStringToObject(o, "vlan_proto", v->proto == 0x88a8 ? "802.1ad" : "802.1Q");
	}
	if ((fields & (1u << CNET_VF_SPOOFCHK)) && v->spoofchk >= 0)
		cJSON_AddBoolToObject(o, "spoofchk", v->spoofchk);
	if ((fields & (1u << CNET_VF_TRUST)) && v->trust >= 0)
		cJSON_AddBoolToObject(o, "trust", v->trust);
	if ((fields & (1u << CNET_VF_LINK_STATE)) && v->link_state >= 0 &&
	    (size_t)v->link_state < ARRAY_SIZE(link_states))
		cJSON_AddStringToObject(o, "link_state", link_states[v->link_state]);
	if (fields & (1u << CNET_VF_RATE)) {
		cJSON_AddNumberToObject(o, "min_rate", v->min_rate);
		cJSON_AddNumberToObject(o, "max_rate", v->max_rate);
	}
}

/* Back from JSON: the fields present, as a mask. */
static unsigned int vfinfo_from_json(const cJSON *o, struct cnet_vfinfo *v)
{
	unsigned int fields = 0;
	const cJSON *x;

	v->spoofchk = v->trust = v->link_state = -1;
	v->proto = 0x8100;
	if (cnet_parse_mac(cnet_json_str(o, "vf_mac"), v->mac) == 0)
		fields |= 1u << CNET_VF_MAC;
	if (cJSON_GetObjectItemCaseSensitive(o, "vlan")) {
		v->vlan = (unsigned int)cnet_json_int(o, "vlan", 0, 4094, 0);
		v->qos = (unsigned int)cnet_json_int(o, "qos", 0, 7, 0);
		v->proto = !strcmp(cnet_json_str(o, "vlan_proto"), "802.1ad") ? 0x88a8 : 0x8100;
		fields |= 1u << CNET_VF_VLAN;
	}
	if (cJSON_IsBool(x = cJSON_GetObjectItemCaseSensitive(o, "spoofchk"))) {
		v->spoofchk = cJSON_IsTrue(x);
		fields |= 1u << CNET_VF_SPOOFCHK;
	}
	if (cJSON_IsBool(x = cJSON_GetObjectItemCaseSensitive(o, "trust"))) {
		v->trust = cJSON_IsTrue(x);
		fields |= 1u << CNET_VF_TRUST;
	}
	for (size_t i = 0; i < ARRAY_SIZE(link_states); i++)
		if (!strcmp(cnet_json_str(o, "link_state"), link_states[i])) {
			v->link_state = (int)i;
			fields |= 1u << CNET_VF_LINK_STATE;
		}
	if (cJSON_GetObjectItemCaseSensitive(o, "max_rate")) {
		v->min_rate = (unsigned int)cnet_json_int(o, "min_rate", 0, UINT32_MAX, 0);
		v->max_rate = (unsigned int)cnet_json_int(o, "max_rate", 0, UINT32_MAX, 0);
		fields |= 1u << CNET_VF_RATE;
	}
	return fields;
}

/* What the user asked, for the record's options (compared on re-attach). */
void cnet_sriov_options(const struct cnet_attach *att, cJSON *o)
{
	struct cnet_vfinfo want = att->vf_want;

	cJSON_AddStringToObject(o, "pf", att->pf);
	if (att->explicit_vf)
		cJSON_AddNumberToObject(o, "vf", att->vf);
	if (att->vf_count)
		cJSON_AddNumberToObject(o, "vf_count", att->vf_count);
	vfinfo_json(o, &want, att->vf_set & ~(1u << CNET_VF_MAC));
}

void cnet_vf_settings_json(const struct cnet_attach *att, cJSON *o)
{
	vfinfo_json(o, &att->vf_want, att->vf_set & ~(1u << CNET_VF_MAC | 1u << CNET_VF_VLAN));
}

void cnet_vf_settings_from_json(struct cnet_attach *att, const cJSON *o)
{
	struct cnet_vfinfo v = {0};
	unsigned int fields = vfinfo_from_json(o, &v) & ~(1u << CNET_VF_MAC | 1u << CNET_VF_VLAN);

	att->vf_want = v;
	att->vf_set = fields;
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

int cnet_sriov_from_record(struct cnet_attach *att, const cJSON *rec)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(rec, "options");
	const cJSON *vf = cJSON_GetObjectItemCaseSensitive(rec, "vf");
	struct cnet_vfinfo v = {0};
	unsigned int fields;
	int r = cnet_attach_set_pf(att, cnet_json_str(o, "pf"));
	long long n;

	if (r < 0)
		return r;
	/* Reapply takes the VF it had: the PF's PCI address and the index. */
	n = cnet_json_int(vf, "index", 0, 255, -1);
	if (n < 0)
		n = cnet_json_int(o, "vf", 0, 255, -1);
	if (n >= 0)
		att->vf = (int)n;
	att->vf_pf_pci[0] = '\0';
	if (*cnet_json_str(vf, "pf_pci"))
		snprintf(att->vf_pf_pci, sizeof(att->vf_pf_pci), "%s", cnet_json_str(vf, "pf_pci"));
	n = cnet_json_int(o, "vf_count", 1, 256, 0);
	if (n)
		att->vf_count = (unsigned int)n;
	att->vf_recreate = (unsigned int)cnet_json_int(vf, "pf_numvfs", 1, 256, 0);
	fields = vfinfo_from_json(o, &v) & ~(1u << CNET_VF_MAC);
	att->vf_want = v;
	att->vf_set = fields;
	att->explicit_vf = cnet_json_int(o, "vf", 0, 255, -1) >= 0;
	return 0;
}

/* ---- the PF lock, and VF creation before the store is locked ----------- */

/* One lock file per PF beside the store (PATH.pf-<pci>.lock): held by an
 * attach from before it creates or picks a VF until its record is saved,
 * and by vf enable/disable. Lock order: PF, then the store. */
int cnet_pf_lock(struct cnet_ctx *ctx, const char *pci, bool dry, int *fd)
{
	char path[PATH_MAX];
	struct timespec step = {0, 5 * 1000000L};
	unsigned int waited = 0;

	*fd = -1;
	if ((size_t)snprintf(path, sizeof(path), "%s.pf-%s.lock", ctx->state_path, pci) >= sizeof(path))
		return cnet_err(ctx, -ENAMETOOLONG, "state path too long");
	*fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | (dry ? 0 : O_CREAT), 0600);
	if (*fd < 0 && dry && errno == ENOENT)
		return 0;
	if (*fd < 0) {
		{
			char *copy = strdup(path);
			if (copy && errno == ENOENT)
				mkdir(dirname(copy), 0700);
			free(copy);
		}
		*fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_CREAT, 0600);
		if (*fd < 0)
			return cnet_errc(ctx, CNET_ERR_STORE, -errno, "cannot open %s: %s", path,
					 strerror(errno));
	}
	while (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return cnet_err(ctx, -errno, "cannot lock %s: %s", path, strerror(errno));
		if (waited >= ctx->lock_timeout_ms)
			return cnet_errc(ctx, CNET_ERR_BUSY, -EBUSY,
					 "PF %s is locked by another cnet (waited %.1f s)", pci,
					 ctx->lock_timeout_ms / 1000.0);
		nanosleep(&step, NULL);
		waited += 5;
	}
	return 0;
}

/* Wait, bounded, for carrier on the PF (only if it is administratively up:
 * a down PF never gets one, and its VFs work regardless on most NICs). */
static void wait_pf_carrier(struct cnet_ctx *ctx, struct cnet_nl *hnl, const struct cnet_pf *pf)
{
	struct timespec step = {0, 20 * 1000000L};
	struct cnet_linkinfo li;

	for (unsigned int waited = 0; waited < PF_CARRIER_MS; waited += 20) {
		if (cnet_link_get(hnl, 0, pf->name, &li) < 0 || !(li.flags & IFF_UP) ||
		    (li.flags & IFF_LOWER_UP))
			break;
		nanosleep(&step, NULL);
	}
	cnet_clear_err(ctx);
}

/* Create n VFs on a PF that has none. Writing sriov_numvfs resets the PF;
 * a VF driver probing during that reset may wait out a long reset delay of
 * its own (igbvf: 10 s), so the VFs are probed only once the PF has its
 * carrier back, when the PF lets cnet defer that (autoprobe was on). */
int cnet_pf_create_vfs(struct cnet_ctx *ctx, struct cnet_nl *hnl, struct cnet_pf *pf, unsigned int n)
{
	struct cnet_vf vf;
	int autoprobe = cnet_pf_autoprobe(ctx, pf, -1), r;
	bool defer = autoprobe == 1 && pf->name[0];

	if (defer && cnet_pf_autoprobe(ctx, pf, 0) < 0)
		defer = false;
	r = cnet_pf_write_numvfs(ctx, pf, n);
	if (defer) {
		int a;
		if (r == 0)
			wait_pf_carrier(ctx, hnl, pf);
		/* The host's setting comes back whatever happened; a second
		 * try, then a failure that says what is left (the fault walk
		 * in tests/vm found it left at 0). */
		a = cnet_pf_autoprobe(ctx, pf, 1);
		if (a < 0)
			a = cnet_pf_autoprobe(ctx, pf, 1);
		if (a < 0 && r == 0)
			r = cnet_err(ctx, a, "cannot set sriov_drivers_autoprobe of %s back to 1: %s",
				     pf->name[0] ? pf->name : pf->pci, strerror(-a));
		for (unsigned int i = 0; r == 0 && i < pf->num; i++)
			if (cnet_vf_get(ctx, pf, i, &vf) == 0 && !vf.driver[0])
				cnet_vf_probe(ctx, &vf);
		if (r == 0)
			cnet_clear_err(ctx); /* probing is best effort: waited for below */
	}
	if (r < 0)
		return r;
	for (unsigned int i = 0; i < pf->num; i++) {
		r = cnet_vf_wait_netdev(ctx, pf, i, VF_APPEAR_MS, &vf);
		if (r < 0 && ctx->errclass != CNET_ERR_BUSY)
			return r;
		cnet_clear_err(ctx);
	}
	return 0;
}

/* ---- preflight: the PF, a free VF, and what it has now ------------------ */

static bool vf_recorded(const struct cnet_store *st, const char *vf_pci, const char *except_id)
{
	const cJSON *rec;

	cJSON_ArrayForEach(rec, st->records) {
		const cJSON *vf = cJSON_GetObjectItemCaseSensitive(rec, "vf");
		if (vf && !strcmp(cnet_json_str(vf, "pci"), vf_pci) &&
		    (!except_id || strcmp(cnet_json_str(rec, "id"), except_id)))
			return true;
	}
	return false;
}

static int any_addr(int ifindex, const struct cnet_ip *ip, unsigned int flags, void *arg)
{
	(void)ifindex;
	(void)flags;
	if (!(ip->family == AF_INET6 && ip->a[0] == 0xfe && (ip->a[1] & 0xc0) == 0x80))
		*(bool *)arg = true;
	return 0;
}

int cnet_link_has_global_addr(struct cnet_nl *nl, int ifindex)
{
	bool found = false;
	int r = cnet_addr_each(nl, ifindex, any_addr, &found);

	return r < 0 ? r : found;
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

int cnet_sriov_preflight(struct run *run)
{
	struct cnet_attach *att = run->att;
	struct cnet_ctx *ctx = run->ctx;
	const char *pf_label, *why = NULL;
	struct cnet_linkinfo pfl;
	unsigned int busy = 0;
	int r;

	r = cnet_pf_find(ctx, att->vf_pf_pci[0] ? att->vf_pf_pci : att->pf, &run->pf);
	if (r < 0)
		return r;
	pf_label = run->pf.name[0] ? run->pf.name : run->pf.pci;
	if (!run->pf.name[0])
		return cnet_errc(ctx, CNET_ERR_MISSING, -ENODEV,
				 "PF %s has no network interface in this namespace", run->pf.pci);
	r = cnet_link_get(run->hnl, 0, run->pf.name, &pfl);
	if (r < 0)
		return cnet_errc(ctx, CNET_ERR_MISSING, r, "PF '%s' is not visible here", run->pf.name);
	run->pf_ifindex = pfl.ifindex;
	/* A VF's traffic goes through its PF: one that is down carries none,
	 * and a VF frame longer than the PF's MTU is dropped on most NICs.
	 * cnet never raises the PF's MTU: that is the host's business. */
	if (!(pfl.flags & IFF_UP))
		return cnet_errc(ctx, CNET_ERR_MISSING, -ENETDOWN, "PF '%s' is down", run->pf.name);
	if (att->mtu > pfl.mtu)
		return cnet_errc(ctx, CNET_ERR_INVALID, -EINVAL, "MTU %u is above PF %s's MTU %u", att->mtu,
				 run->pf.name, pfl.mtu);
	/* Whoever picks or creates a VF holds the PF's lock, so that 'cnet vf
	 * enable|disable' never rewrites the VFs under it. cnet_attach took it
	 * before the store; reapply's repairs and a bond's VF slaves come here
	 * with the store locked, so it is only tried, never waited for (lock
	 * order: PF, store): held by another cnet, this attach fails, and the
	 * next reapply tries again. */
	if (att->pf_lock_fd < 0 && !(att->flags & CNET_ATTACH_DRY_RUN)) {
		unsigned int saved = ctx->lock_timeout_ms;
		ctx->lock_timeout_ms = 0;
		r = cnet_pf_lock(ctx, run->pf.pci, false, &run->pf_lock_fd);
		ctx->lock_timeout_ms = saved;
		if (r < 0)
			return r;
	}
	if (run->pf.num == 0 && (att->vf_count || att->vf_recreate)) {
		if (att->flags & CNET_ATTACH_DRY_RUN)
			return 0; /* would be created first */
		r = cnet_pf_create_vfs(ctx, run->hnl, &run->pf,
				       att->vf_recreate > att->vf_count ? att->vf_recreate : att->vf_count);
		if (r < 0)
			return r;
	}
	if (run->pf.num == 0)
		return cnet_errc(ctx, CNET_ERR_MISSING, -ENODEV,
				 "PF %s has no VFs (--vf-count N creates them, as does 'cnet vf enable')",
				 pf_label);
	if (att->vf >= 0) {
		r = cnet_vf_get(ctx, &run->pf, (unsigned int)att->vf, &run->vf);
		if (r < 0)
			return r;
		r = vf_busy(run, &run->vf, &run->dev, &why);
		if (r < 0)
			return r;
		if (why)
			return cnet_errc(ctx, CNET_ERR_BUSY, -EBUSY, "VF %d of %s (%s) is %s", att->vf,
					 pf_label, run->vf.pci, why);
	} else {
		for (unsigned int i = 0; i < run->pf.num; i++) {
			r = cnet_vf_get(ctx, &run->pf, i, &run->vf);
			if (r < 0)
				return r;
			r = vf_busy(run, &run->vf, &run->dev, &why);
			if (r < 0)
				return r;
			if (!why)
				break;
			busy++;
		}
		if (busy == run->pf.num)
			return cnet_errc(ctx, CNET_ERR_BUSY, -EBUSY,
					 "no free VF on %s: all %u are attached, in other namespaces or in use",
					 pf_label, run->pf.num);
	}
	/* Two VFs of one PF with one MAC: the PF's switch delivers to one of
	 * them only (a bug sriov-cni users met). */
	if (att->has_mac) {
		int holder;
		r = cnet_vf_mac_holder(run->hnl, run->pf_ifindex, run->vf.index, att->mac, &holder);
		if (r < 0)
			return r;
		if (holder >= 0) {
			char buf[24];
			cnet_mac_str(att->mac, buf);
			return cnet_errc(ctx, CNET_ERR_BUSY, -EADDRINUSE,
					 "MAC %s is already VF %d's on %s", buf, holder, pf_label);
		}
	}
	/* From here on it is a host device named by the VF's netdev. */
	snprintf(att->dev, sizeof(att->dev), "%s", run->vf.name);
	r = cnet_vfinfo_get(run->hnl, run->pf_ifindex, run->vf.index, &run->vf_orig);
	if (r < 0)
		return r;
	return 0;
}

void cnet_sriov_plan(struct run *run, struct cnet_result *res)
{
	struct cnet_attach *att = run->att;
	struct cnet_vfinfo want;
	unsigned int fields = wanted_fields(att, &want);

	if (run->pf.num == 0)
		cnet_result_add_action(res, "create %u VFs on %s",
				       att->vf_recreate > att->vf_count ? att->vf_recreate : att->vf_count, att->pf);
	else
		cnet_result_add_action(res, "take VF %u of %s (%s, %s)", run->vf.index, run->pf.name,
				       run->vf.pci, run->vf.name);
	for (int f = 0; f < CNET_VF_NFIELDS; f++)
		if (fields & (1u << f))
			cnet_result_add_action(res, "set the VF's %s through %s", cnet_vf_field_name(f),
					       att->pf);
}

/* ---- execution: VF settings, readback, rollback ------------------------- */

int cnet_sriov_apply(struct run *run)
{
	struct cnet_attach *att = run->att;
	struct cnet_vfinfo want, now;
	unsigned int fields = wanted_fields(att, &want);
	int r;

	want.index = run->vf.index;
	for (int f = 0; f < CNET_VF_NFIELDS; f++) {
		if (!(fields & (1u << f)) || cnet_vfinfo_equal(&want, &run->vf_orig, f))
			continue;
		if (f == CNET_VF_MAC && memcmp(run->dev.mac, want.mac, 6)) {
			/* The netdev first, while the PF still lets the VF
			 * choose: a VF driver such as igbvf keeps its own MAC
			 * after the PF sets one, and is refused changing it
			 * then. Drivers that refuse this are caught below. */
			struct cnet_link_change c = {.ifindex = run->dev.ifindex, .ns_fd = -1,
						     .up = -1, .mac = want.mac};
			run->vf_changed |= 1u << f;
			/* Refused by the driver (igbvf: EADDRNOTAVAIL): the PF
			 * holds an administrative MAC already, restored as such
			 * on detach. Other failures: the PF's setting and the
			 * readbacks below decide. */
			r = cnet_link_change(run->hnl, &c, "set the MAC on the VF's interface");
			if (r < 0) {
				cnet_clear_err(run->ctx);
				run->vf_mac_admin = r == -EADDRNOTAVAIL || r == -EPERM || r == -EACCES;
			}
		}
		r = cnet_vf_set(run->hnl, run->pf_ifindex, &want, f);
		if (r < 0)
			return r;
		run->vf_changed |= 1u << f;
	}
	/* Drivers differ: some ignore or defer a setting they accepted. */
	r = cnet_vfinfo_get(run->hnl, run->pf_ifindex, run->vf.index, &now);
	if (r < 0)
		return r;
	for (int f = 0; f < CNET_VF_NFIELDS; f++)
		if ((fields & (1u << f)) && !cnet_vfinfo_equal(&want, &now, f))
			return cnet_err(run->ctx, -EIO,
					"the driver of %s accepted the VF's %s but did not apply it",
					att->pf, cnet_vf_field_name(f));
	return 0;
}

/* The VF's netdev, up in the container, should carry the MAC the PF was
 * given. Drivers differ: some pick it up at open (igbvf), some need it set
 * on the netdev too, some refuse that. Set it if needed, then read back. */
int cnet_sriov_netdev_mac(struct run *run)
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
void cnet_sriov_rollback(struct run *run)
{
	for (int f = CNET_VF_NFIELDS - 1; f >= 0; f--) {
		if (!(run->vf_changed & (1u << f)))
			continue;
		if (f == CNET_VF_MAC)
			restore_mac(run->ctx, run->hnl, run->pf_ifindex, &run->vf_orig, &run->pf,
				    run->dev.has_mac ? run->dev.mac : NULL, run->vf_mac_admin);
		else
			cnet_vf_set(run->hnl, run->pf_ifindex, &run->vf_orig, f);
	}
	run->vf_changed = 0;
}

void cnet_sriov_record(const struct run *run, cJSON *rec, bool pending)
{
	cJSON *o = cJSON_AddObjectToObject(rec, "vf"), *orig;
	struct cnet_vfinfo want;
	unsigned int fields = wanted_fields(run->att, &want);

	if (!o)
		return;
	cJSON_AddStringToObject(o, "pf_pci", run->pf.pci);
	cJSON_AddStringToObject(o, "pf_name", run->pf.name);
	cJSON_AddNumberToObject(o, "pf_numvfs", run->pf.num);
	cJSON_AddNumberToObject(o, "index", run->vf.index);
	cJSON_AddStringToObject(o, "pci", run->vf.pci);
	cJSON_AddStringToObject(o, "driver", run->vf.driver);
	/* Pending: every field it may change; final: those it did. */
	cJSON_AddNumberToObject(o, "changed", pending ? fields : run->vf_changed);
	if (run->vf_mac_admin)
		cJSON_AddBoolToObject(o, "orig_mac_admin", true);
	orig = cJSON_AddObjectToObject(o, "orig");
	if (orig)
		vfinfo_json(orig, &run->vf_orig, (1u << CNET_VF_NFIELDS) - 1);
}

/* ---- detach: the VF settings back (the netdev is restored as a host
 * device by the caller) ---------------------------------------------------- */

int cnet_sriov_undo(struct cnet_ctx *ctx, struct cnet_nl *hnl, const cJSON *rec,
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
	fields = vfinfo_from_json(cJSON_GetObjectItemCaseSensitive(vf, "orig"), &orig);
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
int cnet_sriov_wait_back(struct cnet_ctx *ctx, const cJSON *rec)
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
int cnet_sriov_check(struct cnet_ctx *ctx, struct cnet_nl *hnl, const cJSON *rec, char *reason,
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
	fields = vfinfo_from_json(o, &want);
	if (cnet_parse_mac(cnet_json_str(o, "mac"), want.mac) == 0)
		fields |= 1u << CNET_VF_MAC;
	for (int f = 0; f < CNET_VF_NFIELDS; f++)
		if ((fields & (1u << f)) && !cnet_vfinfo_equal(&want, &now, f)) {
			snprintf(reason, len, "VF %s differs", cnet_vf_field_name(f));
			return 1;
		}
	return 0;
}
